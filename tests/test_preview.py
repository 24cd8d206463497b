"""Compression preview: sizes against real written files, determinism, every kind of source, iterators."""

from __future__ import annotations

import h5py
import numpy as np
import pytest
import zarr
from hdmf.data_utils import DataChunkIterator
from nwbfiles import ephys_traces, make_rich_nwbfile

from nwbconfig_widget import (
    HDF5DatasetIOConfiguration,
    ZarrDatasetIOConfiguration,
    configure_and_write_nwbfile,
    get_default_backend_configuration,
)
from nwbconfig_widget.io.iterators import BufferedDataIterator
from nwbconfig_widget.preview import (
    NotSampleableError,
    dataset_source,
    preview_compression,
    preview_dataset,
    read_sample,
    sample_chunk_coordinates,
)

SIZE_COLUMNS = ["uncompressed_bytes", "estimated_bytes", "estimated_bytes_low", "estimated_bytes_high"]


def stored_chunk_bytes(path, location) -> int:
    """Bytes the chunks of a dataset take in a written HDF5 file or Zarr store, read with h5py / zarr directly."""
    if str(path).endswith(".zarr"):
        root = zarr.open(str(path), mode="r")
        name = location if location in root else location.rsplit("/data", 1)[0]
        array = root[name]
        prefix = array._key_prefix
        keys = [key for key in array.store if key.startswith(prefix) and not key[len(prefix) :].startswith(".")]
        return sum(len(array.store[key]) for key in keys)
    with h5py.File(path, "r") as file:
        name = location if location in file else location.rsplit("/data", 1)[0]
        return file[name].id.get_storage_size()


def _configure(nwbfile, backend):
    configuration = get_default_backend_configuration(nwbfile, backend=backend)
    ephys = configuration.dataset_configurations["acquisition/ElectricalSeries/data"]
    # Edge chunks on both axes, and many chunks.
    zstd = "Zstd" if backend == "hdf5" else "zstd"
    ephys.update(chunk_shape=(700, 7), buffer_shape=(2100, 32), compression_method=zstd)
    movie = configuration.dataset_configurations["acquisition/TwoPhotonSeries/data"]
    movie.update(chunk_shape=(7, 20, 17), buffer_shape=(14, 48, 40), filter_methods=["shuffle"])
    return configuration


@pytest.mark.parametrize("backend", ["hdf5", "zarr"])
def test_every_chunk_sampled_gives_the_exact_stored_bytes(tmp_path, backend):
    nwbfile = make_rich_nwbfile()
    configuration = _configure(nwbfile, backend)
    table = preview_compression(nwbfile, configuration, min_chunks=10_000)
    path = tmp_path / ("session.nwb" if backend == "hdf5" else "session.nwb.zarr")
    configure_and_write_nwbfile(nwbfile, path, configuration)
    compared = 0
    for location, row in table.iterrows():
        if configuration.dataset_configurations[location].dtype.kind == "O" and backend == "hdf5":
            continue  # the text of HDF5 strings lives outside the chunks
        if np.isnan(row.estimated_bytes):
            assert "DataChunkIterator" in row.note
            continue
        assert row.exact and row.sampled_chunks == row.number_of_chunks
        assert row.estimated_bytes == stored_chunk_bytes(path, location), location
        compared += 1
    assert compared >= 15


@pytest.mark.parametrize("backend", ["hdf5", "zarr"])
def test_sampled_estimate_is_close_and_its_range_holds_the_real_size(tmp_path, backend):
    nwbfile = make_rich_nwbfile(samples=60_000)
    configuration = _configure(nwbfile, backend)
    location = "acquisition/ElectricalSeries/data"
    table = preview_compression(nwbfile, configuration, locations=[location])
    row = table.loc[location]
    assert 2 <= row.sampled_chunks < row.number_of_chunks and not row.exact
    path = tmp_path / ("session.nwb" if backend == "hdf5" else "session.nwb.zarr")
    configure_and_write_nwbfile(nwbfile, path, configuration)
    real = stored_chunk_bytes(path, location)
    assert abs(row.estimated_bytes - real) / real < 0.05
    assert row.estimated_bytes_low <= real <= row.estimated_bytes_high
    assert row.compress_mb_s > 0 and row.decompress_mb_s > 0
    assert row.ratio == pytest.approx(row.uncompressed_bytes / row.estimated_bytes)


def test_preview_is_deterministic():
    nwbfile = make_rich_nwbfile(samples=60_000)
    configuration = _configure(nwbfile, "hdf5")
    first = preview_compression(nwbfile, configuration)
    second = preview_compression(nwbfile, configuration)
    assert first[SIZE_COLUMNS].equals(second[SIZE_COLUMNS])
    assert first["sample"].tolist() == second["sample"].tolist()
    assert first.attrs["total"] == second.attrs["total"]


def test_sample_is_spread_through_the_dataset():
    configuration = HDF5DatasetIOConfiguration(
        object_id="id", location_in_file="a/data", dataset_name="data", dtype="int16",
        full_shape=(100_000, 384), chunk_shape=(100, 64),
    )  # fmt: skip
    coordinates = sample_chunk_coordinates(configuration, sample_fraction=0.01, max_chunks=20)
    assert len(coordinates) == 20 and len(set(coordinates)) == 20
    times = sorted(time for time, _ in coordinates)
    # one chunk from each twentieth of the recording
    assert [time * 20 // 1000 for time in times] == list(range(20))
    assert len({channel for _, channel in coordinates}) > 1


def _ephys_configuration(backend, data, chunk_shape, **settings):
    cls = HDF5DatasetIOConfiguration if backend == "hdf5" else ZarrDatasetIOConfiguration
    return cls(
        object_id="id", location_in_file="acquisition/e/data", dataset_name="data", dtype=data.dtype,
        full_shape=data.shape, chunk_shape=chunk_shape, **settings,
    )  # fmt: skip


def test_sources_in_memory_h5py_zarr_and_generic_iterator_give_the_same_preview(tmp_path):
    data = ephys_traces(12_000, 16)
    configuration = _ephys_configuration("hdf5", data, (1000, 8), compression_method="gzip")
    with h5py.File(tmp_path / "source.h5", "w") as file:
        file.create_dataset("e", data=data, chunks=(500, 16), compression="lzf")
    zarr_source = zarr.open(str(tmp_path / "source.zarr"), mode="w", shape=data.shape, chunks=(3000, 4), dtype="i2")
    zarr_source[...] = data
    iterator = BufferedDataIterator(data, full_shape=data.shape, dtype=data.dtype, buffer_shape=(2000, 16),
                                    chunk_shape=(1000, 8))  # fmt: skip
    expected = preview_compression(configuration, data)
    with h5py.File(tmp_path / "source.h5", "r") as file:
        from_h5py = preview_compression(configuration, file["e"])
    others = (preview_compression(configuration, zarr_source), preview_compression(configuration, iterator))
    for table in (from_h5py, *others):
        assert table[SIZE_COLUMNS].equals(expected[SIZE_COLUMNS])
    # the iterator was not consumed: a full pass still yields all the data
    assert np.array_equal(np.concatenate([chunk.data for chunk in iterator]), data)


def test_sequential_iterator_is_not_consumed_and_says_why():
    values = np.arange(3000, dtype="float64").reshape(1000, 3)
    iterator = DataChunkIterator(data=iter(values), maxshape=(1000, 3), buffer_size=100)
    configuration = _ephys_configuration("hdf5", values, (100, 3), compression_method="gzip")
    with pytest.raises(NotSampleableError, match="sequential DataChunkIterator"):
        read_sample(configuration, iterator)
    preview = preview_dataset(configuration, iterator)
    assert np.isnan(preview.estimated_bytes) and "consume" in preview.note
    assert np.array_equal(np.concatenate([chunk.data for chunk in iterator]), values)


def test_uncompressed_and_contiguous_sizes_are_exact_without_reading():
    data = np.zeros((1000, 3), dtype="float32")
    contiguous = _ephys_configuration("hdf5", data, None, compression_method=None)
    chunked = _ephys_configuration("hdf5", data, (300, 2), compression_method=None, filter_methods=["fletcher32"])
    iterator = DataChunkIterator(data=iter(data), maxshape=data.shape)
    assert preview_dataset(contiguous, iterator).estimated_bytes == data.nbytes
    row = preview_compression(chunked, data).iloc[0]
    assert row.exact and row.estimated_bytes == 4 * 2 * (300 * 2 * 4 + 4)


def test_plugin_codecs_and_zarr_filters_match_the_written_file(tmp_path):
    data = ephys_traces(8000, 8)
    settings = {
        "hdf5": dict(compression_method="Blosc", compression_options={"cname": "zstd", "clevel": 5, "shuffle": 2}),
        "zarr": dict(compression_method="blosc", compression_options={"cname": "lz4", "clevel": 5, "shuffle": 1},
                     filter_methods=["delta"]),
    }  # fmt: skip
    for backend, options in settings.items():
        configuration = _ephys_configuration(backend, data, (3000, 5), **options)
        row = preview_compression(configuration, data, min_chunks=6).iloc[0]
        assert row.exact  # 6 chunks: all sampled
        if backend == "hdf5":
            import hdf5plugin  # noqa: F401

            with h5py.File(tmp_path / "plugin.h5", "w") as file:
                from nwbconfig_widget.codecs import hdf5_dataset_kwargs

                kwargs = hdf5_dataset_kwargs(configuration.compression_method, configuration.compression_options)
                file.create_dataset("e", data=data, chunks=(3000, 5), **kwargs)
                real = file["e"].id.get_storage_size()
        else:
            import numcodecs

            array = zarr.open(str(tmp_path / "z.zarr"), mode="w", shape=data.shape, chunks=(3000, 5), dtype="i2",
                              compressor=numcodecs.Blosc("lz4", 5, 1), filters=[numcodecs.Delta("<i2")])  # fmt: skip
            array[...] = data
            real = sum(len(array.store[key]) for key in array.store if not key.startswith("."))
        assert row.estimated_bytes == real, backend


def test_dataset_source_looks_through_the_writers_wrappers():
    from nwbconfig_widget import configure_backend

    nwbfile = make_rich_nwbfile()
    configuration = get_default_backend_configuration(nwbfile)
    item = configuration.dataset_configurations["acquisition/ElectricalSeries/data"]
    item.update(buffer_shape=item.chunk_shape)
    original = dataset_source(nwbfile, item)
    configure_backend(nwbfile, configuration)
    assert dataset_source(nwbfile, item) is original


def test_total_combines_the_datasets():
    nwbfile = make_rich_nwbfile(samples=60_000)
    table = preview_compression(nwbfile, _configure(nwbfile, "hdf5"))
    total = table.attrs["total"]
    estimated = table[table.estimated_bytes.notna()]
    assert total["estimated_bytes"] == pytest.approx(estimated.estimated_bytes.sum())
    assert total["estimated_bytes_low"] <= total["estimated_bytes"] <= total["estimated_bytes_high"]
    assert total["not_estimated"] == 1  # the sequential DataChunkIterator
    assert set(table.columns) >= {"uncompressed_bytes", "estimated_bytes", "estimated_bytes_low",
                                  "estimated_bytes_high", "ratio", "compress_mb_s", "decompress_mb_s"}  # fmt: skip


@pytest.mark.parametrize("name", ["hdf5plugin_filters.nwb", "pynwb_2x_hdf5.nwb"])
def test_existing_file_previewed_with_its_own_settings_matches_its_chunks(name):
    import warnings

    from nwbfiles import LEGACY_DATA, read_nwbfile

    from nwbconfig_widget import get_existing_backend_configuration

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with read_nwbfile(LEGACY_DATA / name) as io:
            nwbfile = io.read()
            configuration = get_existing_backend_configuration(nwbfile)
            table = preview_compression(nwbfile, configuration, min_chunks=10_000)
    compared = 0
    with h5py.File(LEGACY_DATA / name, "r") as file:
        for location, row in table.iterrows():
            item = configuration.dataset_configurations[location]
            path = location if location in file else location.rsplit("/data", 1)[0]
            if item.dtype.kind == "O" or item.chunk_shape is None or file[path].maxshape != file[path].shape:
                continue  # text heap; contiguous; resizable datasets may hold chunks beyond the data
            assert row.estimated_bytes == file[path].id.get_storage_size(), location
            compared += 1
    assert compared >= 4


def test_whole_file_preview_without_a_configuration_uses_the_default(page_nwbfile):
    table = preview_compression(page_nwbfile)
    assert list(table.index) == ["acquisition/MyTimeSeries/data", "acquisition/MyTimeSeries/timestamps"]
    assert table.attrs["total"]["file_bytes"] > table.attrs["total"]["estimated_bytes"] > 0
