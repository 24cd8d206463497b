"""Writes never lose data: no partial files, no silent overwrites, sources untouched, buffers honoured."""

from __future__ import annotations

import hashlib
import os

import h5py
import numpy as np
import pytest
from hdmf.data_utils import DataChunkIterator, GenericDataChunkIterator
from nwbfiles import FailingIterator, make_page_nwbfile, make_rich_nwbfile

from nwbconfig_widget import (
    NWBHDF5IO,
    configure_and_write_nwbfile,
    get_default_backend_configuration,
    repack_nwbfile,
)


def digest(path) -> str:
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def write_failing_source(target, **kwargs):
    """Write a file whose third buffer cannot be read."""
    nwbfile = nwbfile_with_failing_source()
    backend = "zarr" if str(target).endswith(".zarr") else "hdf5"
    configuration = get_default_backend_configuration(nwbfile, backend=backend)
    configuration.dataset_configurations["acquisition/Fragile/data"].buffer_shape = (1000, 2)
    configure_and_write_nwbfile(nwbfile, target, backend_configuration=configuration, **kwargs)


def nwbfile_with_failing_source():
    from pynwb import TimeSeries

    nwbfile = make_page_nwbfile()
    data = np.arange(10_000, dtype="float64").reshape(5_000, 2)
    nwbfile.add_acquisition(
        TimeSeries(
            name="Fragile", data=FailingIterator(data, buffer_shape=(1000, 2), chunk_shape=(500, 2)), unit="V", rate=1.0
        )
    )
    return nwbfile


@pytest.mark.parametrize("name", ["failed.nwb", "failed.nwb.zarr"])
def test_a_failed_write_leaves_nothing_at_the_target(tmp_path, name):
    with pytest.raises(OSError, match="source disappeared"):
        write_failing_source(tmp_path / name)
    assert list(tmp_path.iterdir()) == []


def test_a_failed_overwrite_keeps_the_old_file(tmp_path):
    target = tmp_path / "kept.nwb"
    configure_and_write_nwbfile(make_page_nwbfile(), target)
    before = digest(target)
    with pytest.raises(OSError):
        write_failing_source(target, overwrite=True)
    assert digest(target) == before
    assert [path.name for path in tmp_path.iterdir()] == ["kept.nwb"]


@pytest.mark.parametrize("name", ["exists.nwb", "exists.nwb.zarr"])
def test_existing_target_is_refused_unless_overwrite(tmp_path, name):
    target = tmp_path / name
    configure_and_write_nwbfile(make_page_nwbfile(), target)
    stamp = os.stat(target).st_mtime_ns
    with pytest.raises(FileExistsError, match="overwrite=True"):
        configure_and_write_nwbfile(make_page_nwbfile(), target)
    assert os.stat(target).st_mtime_ns == stamp
    configure_and_write_nwbfile(make_page_nwbfile(), target, overwrite=True)
    assert sorted(path.name for path in tmp_path.iterdir()) == [name]


def test_repack_refuses_its_source_and_never_modifies_it(tmp_path):
    source = tmp_path / "source.nwb"
    configure_and_write_nwbfile(make_rich_nwbfile(samples=5000), source)
    before = digest(source)
    with pytest.raises(ValueError, match="another path"):
        repack_nwbfile(source, source, overwrite=True)
    repack_nwbfile(source, tmp_path / "copy.nwb")
    assert digest(source) == before
    with NWBHDF5IO(nwbfile_path=str(source), mode="r") as io, pytest.raises(ValueError, match="another path"):
        configure_and_write_nwbfile(io.read(), source, export=True, overwrite=True)
    assert digest(source) == before


def test_writing_a_read_file_without_export_explains_the_fix(tmp_path):
    source = tmp_path / "source.nwb"
    configure_and_write_nwbfile(make_page_nwbfile(), source)
    with NWBHDF5IO(nwbfile_path=str(source), mode="r") as io, pytest.raises(ValueError, match="export=True"):
        configure_and_write_nwbfile(io.read(), tmp_path / "other.nwb")
    assert not (tmp_path / "other.nwb").exists()


def test_the_same_nwbfile_can_be_written_again_and_is_left_as_it_was(tmp_path):
    nwbfile = make_rich_nwbfile(samples=3000)
    original = nwbfile.acquisition["ElectricalSeries"].data
    configure_and_write_nwbfile(nwbfile, tmp_path / "first.nwb")
    # The sequential iterator of "Streamed" is used up by the first write: it needs its data again.
    streamed = np.random.default_rng(9).normal(size=(300, 3))
    nwbfile.acquisition["Streamed"].fields["data"] = DataChunkIterator(data=iter(streamed), maxshape=(300, 3))
    configure_and_write_nwbfile(nwbfile, tmp_path / "second.nwb.zarr")
    assert nwbfile.acquisition["ElectricalSeries"].data is original
    with h5py.File(tmp_path / "first.nwb", "r") as file:
        np.testing.assert_array_equal(file["acquisition/ElectricalSeries/data"][()], original)
    import zarr

    second = zarr.open(str(tmp_path / "second.nwb.zarr"), mode="r")
    np.testing.assert_array_equal(second["acquisition/ElectricalSeries/data"][...], original)
    np.testing.assert_array_equal(second["acquisition/Streamed/data"][...], streamed)


def test_buffers_are_read_one_at_a_time_from_memory_h5py_and_iterators(tmp_path):
    nwbfile = make_rich_nwbfile(samples=20_000)
    configuration = get_default_backend_configuration(nwbfile, backend="hdf5")
    configuration.dataset_configurations["acquisition/ElectricalSeries/data"].update(
        chunk_shape=(1000, 32), buffer_shape=(4000, 32)
    )
    configuration.dataset_configurations["acquisition/Streamed/data"].update(chunk_shape=(50, 3), buffer_shape=(100, 3))
    reads: dict[str, list[int]] = {}
    configure_and_write_nwbfile(
        nwbfile,
        tmp_path / "buffered.nwb",
        backend_configuration=configuration,
        progress=lambda location, nbytes: reads.setdefault(location, []).append(nbytes),
    )
    assert reads["acquisition/ElectricalSeries/data"] == [4000 * 32 * 2] * 5
    assert reads["acquisition/Streamed/data"] == [100 * 3 * 8] * 3
    with h5py.File(tmp_path / "buffered.nwb", "r") as file:
        assert file["acquisition/Streamed/data"].chunks == (50, 3)
        assert file["acquisition/Streamed/data"].shape == (300, 3)

    reads.clear()
    with NWBHDF5IO(nwbfile_path=str(tmp_path / "buffered.nwb"), mode="r") as io:
        read = io.read()
        configuration = get_default_backend_configuration(read, backend="hdf5")
        configuration.dataset_configurations["acquisition/ElectricalSeries/data"].update(
            chunk_shape=(2000, 16), buffer_shape=(10_000, 32)
        )
        configure_and_write_nwbfile(
            read,
            tmp_path / "repacked.nwb",
            backend_configuration=configuration,
            export=True,
            progress=lambda location, nbytes: reads.setdefault(location, []).append(nbytes),
        )
    assert reads["acquisition/ElectricalSeries/data"] == [10_000 * 32 * 2] * 2
    with h5py.File(tmp_path / "repacked.nwb", "r") as file:
        assert file["acquisition/ElectricalSeries/data"].chunks == (2000, 16)


def test_data_chunk_iterator_is_rebuffered(tmp_path):
    from pynwb import TimeSeries

    nwbfile = make_page_nwbfile()
    values = np.random.default_rng(3).normal(size=(1000, 4))
    nwbfile.add_acquisition(
        TimeSeries(
            name="Gen",
            data=DataChunkIterator(data=iter(values), maxshape=(1000, 4), buffer_size=37),
            unit="V",
            rate=1.0,
        )
    )
    configuration = get_default_backend_configuration(nwbfile, backend="zarr")
    configuration.dataset_configurations["acquisition/Gen/data"].update(chunk_shape=(100, 4), buffer_shape=(300, 4))
    reads = []
    configure_and_write_nwbfile(
        nwbfile,
        tmp_path / "gen.nwb.zarr",
        backend_configuration=configuration,
        progress=lambda location, nbytes: reads.append(nbytes) if location == "acquisition/Gen/data" else None,
    )
    assert reads == [300 * 4 * 8] * 3 + [100 * 4 * 8]
    import zarr

    array = zarr.open(str(tmp_path / "gen.nwb.zarr"), mode="r")["acquisition/Gen/data"]
    assert array.chunks == (100, 4)
    np.testing.assert_array_equal(array[...], values)


def test_default_buffers_are_capped_by_the_budget():
    from pynwb import TimeSeries
    from pynwb.ecephys import ElectricalSeries

    import nwbconfig_widget

    nwbfile = make_page_nwbfile()
    device = nwbfile.create_device(name="Probe")
    group = nwbfile.create_electrode_group(name="g", description="g", location="x", device=device)
    for _ in range(384):
        nwbfile.add_electrode(group=group, location="x")
    big = GenericIteratorOfZeros(shape=(13_000_000, 384), dtype=np.dtype("int16"))  # 10 GB, never materialized
    region = nwbfile.create_electrode_table_region(region=list(range(384)), description="all")
    nwbfile.add_acquisition(ElectricalSeries(name="Big", data=big, electrodes=region, rate=30_000.0))
    nwbfile.add_acquisition(TimeSeries(name="Small", data=np.zeros((1000, 3)), unit="V", rate=1.0))
    configuration = get_default_backend_configuration(nwbfile, backend="hdf5")
    item = configuration.dataset_configurations["acquisition/Big/data"]
    assert item.full_size_bytes > 9_000_000_000
    assert item.expected_ram_usage_bytes <= 256_000_000
    assert all(
        buffer % chunk == 0 or buffer == full
        for buffer, chunk, full in zip(item.buffer_shape, item.chunk_shape, item.full_shape)
    )
    smaller = get_default_backend_configuration(nwbfile, backend="hdf5", buffer_budget_bytes=50_000_000)
    assert smaller.dataset_configurations["acquisition/Big/data"].expected_ram_usage_bytes <= 50_000_000
    previous = nwbconfig_widget.settings.buffer_budget_bytes
    try:
        nwbconfig_widget.settings.buffer_budget_bytes = 20_000_000
        globally = get_default_backend_configuration(nwbfile, backend="hdf5")
        assert globally.dataset_configurations["acquisition/Big/data"].expected_ram_usage_bytes <= 20_000_000
    finally:
        nwbconfig_widget.settings.buffer_budget_bytes = previous


class GenericIteratorOfZeros(GenericDataChunkIterator):
    def __init__(self, shape, dtype):
        self._shape, self._type = shape, dtype
        super().__init__(buffer_shape=(1000, shape[1]), chunk_shape=(1000, 64))

    def _get_data(self, selection):
        return np.zeros(tuple(s.stop - s.start for s in selection), dtype=self._type)

    def _get_maxshape(self):
        return self._shape

    def _get_dtype(self):
        return self._type


def test_a_consumed_iterator_is_refused_instead_of_writing_nothing(tmp_path):
    from pynwb import TimeSeries

    nwbfile = make_page_nwbfile()
    values = np.arange(30.0).reshape(10, 3)
    nwbfile.add_acquisition(
        TimeSeries(
            name="s", unit="V", rate=1.0, data=DataChunkIterator(data=iter(values), maxshape=(10, 3), buffer_size=4)
        )
    )
    configuration = get_default_backend_configuration(nwbfile)
    configure_and_write_nwbfile(nwbfile, tmp_path / "a.nwb", backend_configuration=configuration)
    with h5py.File(tmp_path / "a.nwb", "r") as file:
        np.testing.assert_array_equal(file["acquisition/s/data"][()], values)
    with pytest.raises(ValueError, match="consumed by an earlier write"):
        configure_and_write_nwbfile(nwbfile, tmp_path / "b.nwb", backend_configuration=configuration)
    assert not (tmp_path / "b.nwb").exists()
    with pytest.raises(ValueError, match="s.data was consumed"):
        configure_and_write_nwbfile(nwbfile, tmp_path / "c.nwb")
    assert not (tmp_path / "c.nwb").exists()
    again = get_default_backend_configuration(nwbfile)
    assert "consumed" in again.unconfigurable_datasets["acquisition/s/data"]


@pytest.mark.parametrize("name", ["session.nwb", "session.nwb.zarr"])
def test_a_name_with_a_nul_character_is_refused_before_anything_is_written(tmp_path, name):
    """HDF5 would cut ``nul\\x00byte`` to ``nul``: the write is refused with the name shown escaped, nothing written."""
    nwbfile = make_page_nwbfile()
    nwbfile.add_scratch(np.arange(10.0), name="nul\x00byte", description="a name HDF5 cannot keep")
    with pytest.raises(ValueError, match=r"named nul\\x00byte has a NUL character .* rename it"):
        configure_and_write_nwbfile(nwbfile, tmp_path / name)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("backend", "name"), [("hdf5", "session.nwb.zarr"), ("zarr", "session.nwb")])
def test_a_path_named_for_the_other_format_gets_a_warning(tmp_path, backend, name):
    """The configuration's backend decides (as in NeuroConv), but a name that says otherwise is pointed out."""
    nwbfile = make_page_nwbfile()
    configuration = get_default_backend_configuration(nwbfile, backend=backend)
    with pytest.warns(UserWarning, match=rf"{name} is named like an? (Zarr|HDF5) file, but this writes"):
        configure_and_write_nwbfile(nwbfile, tmp_path / name, backend_configuration=configuration)
    assert (tmp_path / name).is_dir() == (backend == "zarr")
