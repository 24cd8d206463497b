"""A Zarr write that pynwb could not read back is refused: attributes the schema declares unsigned.

hdmf-zarr keeps attributes as JSON (hdmf-dev/hdmf-zarr#323), so ndx-pose's ``uint8`` ``SkeletonInstance.id`` reads
back as a Python int, which ndx-pose's class refuses: the whole file cannot be read. The first test shows that plain
hdmf-zarr still writes such an unreadable file (when it stops doing so, the refusal can go).
"""

from __future__ import annotations

from datetime import datetime, timezone

import numpy as np
import pytest
from hdmf.build.errors import ConstructError
from hdmf_zarr.nwb import NWBZarrIO
from pynwb import NWBHDF5IO, NWBFile
from pynwb.file import Subject

from nwbconfig_widget import configure_and_write_nwbfile, repack_nwbfile
from nwbconfig_widget.io.zarr_attribute_types import ZarrAttributeTypeError

ndx_pose = pytest.importorskip("ndx_pose")


def _training_nwbfile() -> NWBFile:
    """Two annotated frames of one skeleton, as ndx-pose's own training example writes them."""
    from ndx_pose import (
        PoseTraining,
        Skeleton,
        SkeletonInstance,
        SkeletonInstances,
        Skeletons,
        TrainingFrame,
        TrainingFrames,
    )

    nwbfile = NWBFile("pose training", "pose-1", datetime(2024, 1, 1, tzinfo=timezone.utc))
    nwbfile.subject = Subject(subject_id="mouse1", species="Mus musculus")
    skeleton = Skeleton(
        name="skeleton",
        nodes=["nose", "ear", "tail"],
        edges=np.array([[0, 1], [1, 2]], dtype="uint8"),
        subject=nwbfile.subject,
    )
    frames = [
        TrainingFrame(
            name=f"frame_{index}",
            annotator="an annotator",
            skeleton_instances=SkeletonInstances(
                skeleton_instances=[
                    SkeletonInstance(
                        name="instance",
                        id=np.uint8(index),
                        node_locations=np.arange(6, dtype=float).reshape(3, 2) + index,
                        node_visibility=[True, True, False],
                        skeleton=skeleton,
                    )
                ]
            ),
        )
        for index in (0, 7)
    ]
    module = nwbfile.create_processing_module(name="behavior", description="pose")
    module.add(Skeletons(skeletons=[skeleton]))
    module.add(PoseTraining(training_frames=TrainingFrames(training_frames=frames)))
    return nwbfile


def test_plain_hdmf_zarr_still_writes_a_file_pynwb_cannot_read(tmp_path):
    path = tmp_path / "plain.nwb.zarr"
    with NWBZarrIO(str(path), mode="w") as io:
        io.write(_training_nwbfile())
    with NWBZarrIO(str(path), mode="r") as io, pytest.raises(ConstructError, match="incorrect type for 'id'"):
        io.read()


def test_writing_to_zarr_is_refused_before_anything_is_written(tmp_path):
    target = tmp_path / "pose.nwb.zarr"
    with pytest.raises(ZarrAttributeTypeError) as refused:
        configure_and_write_nwbfile(_training_nwbfile(), target, backend="zarr")
    message = str(refused.value)
    assert "SkeletonInstance instance: id (uint8)" in message
    assert "hdmf-dev/hdmf-zarr#323" in message and "HDF5" in message
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_hdf5_keeps_the_type_and_a_repack_to_zarr_is_refused(tmp_path):
    source = tmp_path / "pose.nwb"
    configure_and_write_nwbfile(_training_nwbfile(), source, backend="hdf5")
    with NWBHDF5IO(str(source), mode="r") as io:
        frames = io.read().processing["behavior"]["PoseTraining"].training_frames.training_frames
        assert [frames[name].skeleton_instances.skeleton_instances["instance"].id for name in sorted(frames)] == [0, 7]
        assert frames["frame_7"].skeleton_instances.skeleton_instances["instance"].id.dtype == np.uint8

    target = tmp_path / "pose.nwb.zarr"
    with pytest.raises(ZarrAttributeTypeError, match=r"2 attribute\(s\)"):
        repack_nwbfile(nwbfile_path=source, export_nwbfile_path=target, backend="zarr")
    assert not target.exists()
    assert sorted(path.name for path in tmp_path.iterdir()) == ["pose.nwb"]

    repacked = tmp_path / "repacked.nwb"
    repack_nwbfile(nwbfile_path=source, export_nwbfile_path=repacked, backend="hdf5")
    with NWBHDF5IO(str(repacked), mode="r") as io:
        frames = io.read().processing["behavior"]["PoseTraining"].training_frames.training_frames
        assert frames["frame_7"].skeleton_instances.skeleton_instances["instance"].id == np.uint8(7)
