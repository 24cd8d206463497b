"""Links that reading a file changes are written as the source stores them (io/export_workarounds.py).

- ndx-pose 0.4 reads an ndx-pose 0.1.1 PoseEstimation (``nodes`` and ``edges`` datasets) into a Skeleton that belongs
  to nothing: the repack failed with ``OrphanContainerBuildError: ... Linked Skeleton 'subject' has no parent``.
- hdmf 6.2 fills a named link the group does not hold with another link of the same type: an ndx-pose 0.3.0
  ``camera1`` link is also read as ``device``, and an ndx-pose 0.4 ``source_video`` link also as ``labeled_video``;
  the repack wrote those second links, which the source does not have.

The ndx-pose 0.1.1 and 0.3.0 files are those ndx-pose 0.4.0 ships for its back-compatibility tests (tests/corpus).
"""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path

import h5py
import numpy as np
import pytest
import zarr

sys.path.insert(0, str(Path(__file__).resolve().parent / "corpus"))
from compare import compare_nwb_files  # noqa: E402
from corpus import corpus_file  # noqa: E402

from nwbconfig_widget import configure_and_write_nwbfile, repack_nwbfile  # noqa: E402
from nwbconfig_widget.io.repack import open_nwbfile  # noqa: E402

SUFFIX = {"hdf5": ".nwb", "zarr": ".nwb.zarr"}
POSE = "processing/behavior/PoseEstimation"


def _members(path: Path, group: str) -> dict[str, str]:
    """{name: "group" | "dataset" | "link -> <path>"} of ``group`` as the file stores it (h5py / zarr)."""
    if path.is_dir():
        opened = zarr.open(str(path), mode="r")[group]
        found = {name: "group" for name in opened.group_keys()}
        found |= {name: "dataset" for name in opened.array_keys()}
        found |= {link["name"]: f"link -> {link['path']}" for link in opened.attrs.get("zarr_link", [])}
        return found
    with h5py.File(path, "r") as file:
        found = {}
        for name in file[group]:
            link = file[group].get(name, getlink=True)
            if isinstance(link, h5py.SoftLink):
                found[name] = f"link -> {link.path}"
            else:
                found[name] = "group" if isinstance(file[group][name], h5py.Group) else "dataset"
        return found


def _pose_file(path: Path, with_skeleton: bool = True, with_device: bool = True) -> Path:
    """An NWB file written by ndx-pose 0.4: a PoseEstimation linking its source video only (no labeled video)."""
    from ndx_pose import PoseEstimation, PoseEstimationSeries, Skeleton, Skeletons
    from pynwb import NWBHDF5IO, NWBFile
    from pynwb.image import ImageSeries

    nwbfile = NWBFile(
        session_description="pose",
        identifier="pose-links",
        session_start_time=datetime(2024, 1, 2, tzinfo=timezone.utc),
    )
    camera = nwbfile.create_device(name="camera1", description="behavior camera")
    video = ImageSeries(
        name="camera1_video",
        unit="NA",
        format="external",
        external_file=["camera1.mp4"],
        starting_frame=[0],
        rate=30.0,
        num_samples=10,
    )
    nwbfile.add_acquisition(video)
    module = nwbfile.create_processing_module(name="behavior", description="behavior")
    skeleton = Skeleton(name="mouse", nodes=["nose", "tail"], edges=np.array([[0, 1]], dtype="uint8"))
    module.add(Skeletons(skeletons=[skeleton]))
    series = PoseEstimationSeries(
        name="nose",
        data=np.arange(20, dtype="float64").reshape(10, 2),
        unit="pixels",
        reference_frame="top left corner",
        timestamps=np.arange(10) / 30.0,
        confidence=np.linspace(0, 1, 10),
    )
    module.add(
        PoseEstimation(
            name="PoseEstimation",
            pose_estimation_series=[series],
            skeleton=skeleton if with_skeleton else None,
            device=camera if with_device else None,
            source_video=video,
        )
    )
    with NWBHDF5IO(str(path), mode="w") as io:
        io.write(nwbfile)
    return path


# --- an object made by the reader that belongs to nothing (ndx-pose 0.1.1 nodes and edges) -------------------------


@pytest.mark.parametrize("backend", ["hdf5", "zarr"])
def test_ndx_pose_0_1_nodes_and_edges_are_written_as_stored(tmp_path, backend):
    source = corpus_file("ndx-pose-backcompat-0.1.1_poseestimation_nodes_edges")
    target = repack_nwbfile(source, tmp_path / f"pose{SUFFIX[backend]}")  # OrphanContainerBuildError before
    assert compare_nwb_files(source, target) == []
    members = _members(target, POSE)
    assert (members["nodes"], members["edges"]) == ("dataset", "dataset")
    assert not any(kind.startswith("link") for kind in members.values())
    with open_nwbfile(target) as io:  # ndx-pose reads the nodes and edges written back as stored
        skeleton = io.read().processing["behavior"]["PoseEstimation"].skeleton
        assert (list(skeleton.nodes[:]), np.asarray(skeleton.edges[:]).tolist()) == (
            ["front_left_paw", "front_right_paw"],
            [[0, 1]],
        )


def test_the_nwbfile_keeps_the_object_the_reader_made(tmp_path):
    source = corpus_file("ndx-pose-backcompat-0.1.1_poseestimation_nodes_edges")
    with open_nwbfile(source) as io:
        nwbfile = io.read()
        pose = nwbfile.processing["behavior"]["PoseEstimation"]
        skeleton = pose.skeleton
        configure_and_write_nwbfile(nwbfile, tmp_path / "pose.nwb", export=True)
        assert pose.skeleton is skeleton  # left out for the export only


def test_an_object_the_user_links_that_belongs_to_nothing_is_still_refused(tmp_path):
    """Only what the reader made is written as stored: the user's own orphan is not dropped without a word."""
    from hdmf.build.errors import OrphanContainerBuildError
    from ndx_pose import Skeleton

    source = _pose_file(tmp_path / "no_skeleton.nwb", with_skeleton=False)
    with open_nwbfile(source) as io:
        nwbfile = io.read()
        pose = nwbfile.processing["behavior"]["PoseEstimation"]
        assert pose.skeleton is None
        pose.skeleton = Skeleton(name="added", nodes=["nose"], edges=np.zeros((0, 2), dtype="uint8"))
        with pytest.raises(OrphanContainerBuildError, match="Linked Skeleton 'added' has no parent"):
            configure_and_write_nwbfile(nwbfile, tmp_path / "out.nwb", export=True)
    assert not (tmp_path / "out.nwb").exists()


# --- a link hdmf read from another link of the group to the same type ------------------------------------------------


@pytest.mark.parametrize("backend", ["hdf5", "zarr"])
def test_ndx_pose_0_3_camera_link_is_not_also_written_as_device(tmp_path, backend):
    source = corpus_file("ndx-pose-backcompat-0.3.0_poseestimation_one_camera")
    with open_nwbfile(source) as io:  # hdmf reads the camera1 link as the 'device' link too
        assert io.read().processing["behavior"]["PoseEstimation"].device.name == "camera1"
    target = repack_nwbfile(source, tmp_path / f"pose{SUFFIX[backend]}")
    assert compare_nwb_files(source, target) == []
    links = {name: kind for name, kind in _members(target, POSE).items() if kind.startswith("link")}
    assert links == {
        "camera1": "link -> /general/devices/camera1",
        "subject": "link -> /processing/behavior/Skeletons/subject",
    }


@pytest.mark.parametrize("backend", ["hdf5", "zarr"])
def test_a_source_video_is_not_also_written_as_the_labeled_video(tmp_path, backend):
    source = _pose_file(tmp_path / "source_video_only.nwb")
    with open_nwbfile(source) as io:  # hdmf fills the absent labeled_video link with the source_video one
        assert io.read().processing["behavior"]["PoseEstimation"].labeled_video.name == "camera1_video"
    target = repack_nwbfile(source, tmp_path / f"out{SUFFIX[backend]}")
    assert compare_nwb_files(source, target) == []
    links = {name: kind for name, kind in _members(target, POSE).items() if kind.startswith("link")}
    assert links == {
        "device": "link -> /general/devices/camera1",
        "mouse": "link -> /processing/behavior/Skeletons/mouse",
        "source_video": "link -> /acquisition/camera1_video",
    }


def test_a_link_the_user_sets_to_an_object_of_the_file_is_written(tmp_path):
    source = _pose_file(tmp_path / "no_device.nwb", with_device=False)
    with open_nwbfile(source) as io:
        nwbfile = io.read()
        pose = nwbfile.processing["behavior"]["PoseEstimation"]
        assert pose.device is None
        pose.device = nwbfile.devices["camera1"]
        target = configure_and_write_nwbfile(nwbfile, tmp_path / "with_device.nwb", export=True)
    assert _members(target, POSE)["device"] == "link -> /general/devices/camera1"
