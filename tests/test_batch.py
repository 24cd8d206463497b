"""Batch repack of a folder: here and on a Dask LocalCluster; failures are reported and leave nothing."""

from __future__ import annotations

import h5py
import numpy as np
import pytest
import zarr
from nwbfiles import make_rich_nwbfile

from nwbconfig_widget import configure_and_write_nwbfile
from nwbconfig_widget.batch import find_nwb_files, repack_folder


@pytest.fixture
def dataset_folder(tmp_path):
    """Three sessions (one in a subject folder, one Zarr) and one broken file."""
    source = tmp_path / "raw"
    (source / "sub-01").mkdir(parents=True)
    for path in (source / "a.nwb", source / "sub-01" / "b.nwb", source / "c.nwb.zarr"):
        configure_and_write_nwbfile(make_rich_nwbfile(samples=5_000), path)
    (source / "sub-02").mkdir()
    (source / "sub-02" / "broken.nwb").write_bytes(b"not an HDF5 file")
    return source


def zstd_everywhere(configuration):
    configuration.apply_global_compression("Zstd" if configuration.backend == "hdf5" else "zstd")


def check(summary, target):
    assert [result.ok for result in summary.results] == [True, True, True, False]  # a, c, sub-01/b, sub-02/broken
    broken = summary.failed[0]
    assert broken.source.endswith("broken.nwb") and broken.error and "Traceback" in (broken.details or "")
    assert not (target / "sub-02").exists()  # nothing for the failed file, not even its folder
    assert sorted(path.relative_to(target).as_posix() for path in find_nwb_files(target)) == [
        "a.nwb",
        "c.nwb.zarr",
        "sub-01/b.nwb",
    ]
    assert not [path for path in target.rglob(".partial*")]
    for result in summary.succeeded:
        assert (
            result.source_bytes > 0
            and result.target_bytes > 0
            and result.ratio == pytest.approx(result.source_bytes / result.target_bytes)
        )
    assert summary.source_bytes == sum(result.source_bytes for result in summary.succeeded)
    text = str(summary)
    assert "3 repacked, 1 failed" in text and "FAILED" in text
    with h5py.File(target / "a.nwb", "r") as file:
        assert "32015" in file["acquisition/ElectricalSeries/data"]._filters  # Zstd's filter id
        np.testing.assert_array_equal(
            file["acquisition/ElectricalSeries/data"][()],
            h5py.File(target.parent / "raw" / "a.nwb", "r")["acquisition/ElectricalSeries/data"][()],
        )
    assert zarr.open(str(target / "c.nwb.zarr"), mode="r")["acquisition/ElectricalSeries/data"].compressor.codec_id == (
        "zstd"
    )


def test_repack_a_folder_here(dataset_folder):
    target = dataset_folder.parent / "repacked"
    seen = []
    summary = repack_folder(
        dataset_folder, target, configure=zstd_everywhere, allow_pickle=True, n_jobs=2, on_result=seen.append
    )
    check(summary, target)
    assert len(seen) == 4
    frame = summary.to_dataframe()
    assert list(frame["ok"]) == [True, True, True, False]


def test_repack_a_folder_on_a_dask_cluster(dataset_folder):
    distributed = pytest.importorskip("distributed")
    target = dataset_folder.parent / "repacked"
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):
        summary = repack_folder(dataset_folder, target, configure=zstd_everywhere, allow_pickle=True, client=client)
    check(summary, target)


def test_objects_outside_the_schema_are_refused_or_dropped_with_the_warning_in_the_summary(tmp_path):
    """A file with an object reference added with h5py fails (the reference cannot be copied); with
    drop_objects_outside_schema=True it is repacked, and the warning naming the dropped object reaches the summary
    and is issued again with the file's path."""
    from nwbconfig_widget.batch import RepackWarning

    source = tmp_path / "raw"
    source.mkdir()
    configure_and_write_nwbfile(make_rich_nwbfile(samples=1_000), source / "a.nwb")
    with h5py.File(source / "a.nwb", "r+") as file:
        file.create_group("lab_extras").create_dataset("pointer", data=[file["acquisition"].ref], dtype=h5py.ref_dtype)

    refused = repack_folder(source, tmp_path / "refused")
    assert [result.ok for result in refused.results] == [False]
    assert "ObjectsOutsideSchemaError" in refused.failed[0].error and "lab_extras/pointer" in refused.failed[0].error
    assert not (tmp_path / "refused" / "a.nwb").exists()

    with pytest.warns(RepackWarning, match=r"(?s)a\.nwb: ObjectsOutsideSchemaWarning: .*lab_extras/pointer"):
        dropped = repack_folder(source, tmp_path / "dropped", drop_objects_outside_schema=True)
    assert [result.ok for result in dropped.results] == [True]
    assert any("lab_extras/pointer" in text for text in dropped.results[0].warnings)
    assert "1 warning(s)" in str(dropped) and "lab_extras/pointer" in str(dropped)
    with h5py.File(tmp_path / "dropped" / "a.nwb", "r") as file:
        assert "lab_extras" not in file or "pointer" not in file["lab_extras"]
        np.testing.assert_array_equal(
            file["acquisition/ElectricalSeries/data"][()],
            h5py.File(source / "a.nwb", "r")["acquisition/ElectricalSeries/data"][()],
        )
