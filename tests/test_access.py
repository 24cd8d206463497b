"""Access-pattern cost against chunks counted independently in files written to disk and read with h5py."""

from __future__ import annotations

import h5py
import numpy as np
import pytest
from nwbfiles import make_rich_nwbfile

from nwbconfig_widget import (
    HDF5DatasetIOConfiguration,
    ZarrDatasetIOConfiguration,
    configure_and_write_nwbfile,
    get_default_backend_configuration,
)
from nwbconfig_widget.access import access_cost, access_costs, typical_selections
from nwbconfig_widget.preview import preview_compression


def touched_in_file(dataset: h5py.Dataset, selection) -> tuple[int, int]:
    """(chunks, stored bytes) of the chunks of a written dataset that hold any selected element.

    Independent of the code under test: the selected indices of each axis are listed with numpy, and every chunk
    stored in the file (its offset from HDF5) is checked against them.
    """
    selected = []
    for item, length in zip(selection + (slice(None),) * (dataset.ndim - len(selection)), dataset.shape):
        indices = np.arange(length)[item]
        selected.append(set(np.atleast_1d(indices).tolist()))
    chunks = stored = 0
    for index in range(dataset.id.get_num_chunks()):
        info = dataset.id.get_chunk_info(index)
        hit = all(
            any(offset <= i < offset + chunk for i in axis_indices)
            for offset, chunk, axis_indices in zip(info.chunk_offset, dataset.chunks, selected)
        )
        if hit:
            chunks += 1
            stored += info.size
    return chunks, stored


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    nwbfile = make_rich_nwbfile(samples=20_000, channels=32)
    configuration = get_default_backend_configuration(nwbfile)
    ephys = configuration.dataset_configurations["acquisition/ElectricalSeries/data"]
    ephys.update(chunk_shape=(3000, 8), buffer_shape=(6000, 32))
    movie = configuration.dataset_configurations["acquisition/TwoPhotonSeries/data"]
    movie.update(chunk_shape=(7, 16, 16), buffer_shape=(14, 48, 40))
    path = tmp_path_factory.mktemp("access") / "session.nwb"
    configure_and_write_nwbfile(nwbfile, path, configuration)
    ratios = preview_compression(nwbfile, configuration, min_chunks=10_000)["ratio"]
    return path, configuration, ratios


SELECTIONS = {
    "acquisition/ElectricalSeries/data": [
        (slice(9000, 9100), slice(None)),
        (slice(2999, 3001), slice(None)),
        (slice(None), 5),
        (slice(None), [0, 9, 31]),
        (slice(100, 19_000, 5000), slice(7, 9)),
        (slice(None, None, -1), -1),
        (12_345,),
        (slice(None), slice(None)),
    ],
    "acquisition/TwoPhotonSeries/data": [
        (30, slice(None), slice(None)),
        (slice(None), slice(19, 29), slice(15, 25)),
        (slice(10, 40), Ellipsis),
        (slice(None), slice(None), slice(None)),
    ],
}


@pytest.mark.parametrize("location", sorted(SELECTIONS))
def test_chunks_and_bytes_match_the_written_file(written, location):
    path, configuration, ratios = written
    item = configuration.dataset_configurations[location]
    with h5py.File(path, "r") as file:
        dataset = file[location]
        assert dataset.chunks == item.chunk_shape
        for selection in SELECTIONS[location]:
            expanded = selection if Ellipsis not in selection else (selection[0], slice(None), slice(None))
            chunks, stored = touched_in_file(dataset, expanded)
            cost = access_cost(item, selection, compression_ratio=ratios[location])
            assert cost.chunks_touched == chunks, selection
            assert cost.requests == chunks
            assert cost.bytes_read_uncompressed == chunks * item.chunk_size_bytes
            assert cost.requested_bytes == np.zeros(dataset.shape, bool)[selection].size * dataset.dtype.itemsize
            # compressed bytes from the dataset's mean ratio: close to the chunks' real stored bytes
            assert cost.bytes_read_compressed == pytest.approx(stored, rel=0.25)


def test_typical_reads_of_the_written_file(written):
    path, configuration, ratios = written
    item = configuration.dataset_configurations["acquisition/ElectricalSeries/data"]
    table = access_costs(item, rate=30_000.0, window_seconds=0.01, compression_ratio=ratios[item.location_in_file])
    assert list(table.index) == ["time window (0.01 s), all channels", "one channel, whole recording", "whole dataset"]
    with h5py.File(path, "r") as file:
        for name, selection in typical_selections(item, rate=30_000.0, window_seconds=0.01).items():
            assert table.loc[name, "chunks_touched"] == touched_in_file(file[item.location_in_file], selection)[0]
    whole = table.loc["whole dataset"]
    padded = item.number_of_chunks * item.chunk_size_bytes
    assert whole.read_amplification == pytest.approx(padded / item.full_size_bytes)


def test_field_notes_figures_for_a_one_hour_neuropixels_recording():
    def ephys(chunk_shape):
        return HDF5DatasetIOConfiguration(
            object_id="id", location_in_file="acquisition/ElectricalSeries/data", dataset_name="data",
            dtype="int16", full_shape=(108_000_000, 384), chunk_shape=chunk_shape, neurodata_type="ElectricalSeries",
        )  # fmt: skip

    balanced = access_costs(ephys((81920, 64)))
    thin = access_costs(ephys((1_125_000, 4)))
    wide = access_costs(ephys((5461, 384)))
    window = "time window (1 s), all channels"
    for table, chunks, megabytes in ((balanced, 6, 63), (thin, 96, 864)):
        row = table.loc[window]
        assert (row.chunks_touched, round(row.bytes_read_uncompressed / 1e6)) == (chunks, megabytes)
    channel = wide.loc["one channel, whole recording"]
    assert channel.chunks_touched == 19_777 and round(channel.bytes_read_uncompressed / 1e9) == 83
    # uncompressed data: fetched = decompressed; remote time = requests x latency + bytes / bandwidth
    assert balanced.loc[window, "remote_seconds"] == pytest.approx(6 * 0.05 + 6 * 81920 * 64 * 2 / 50e6)
    assert balanced.loc[window, "remote_seconds"] < thin.loc[window, "remote_seconds"]


def test_latency_bandwidth_concurrency_and_unknown_ratio():
    item = HDF5DatasetIOConfiguration(
        object_id="id", location_in_file="a/data", dataset_name="data", dtype="float64",
        full_shape=(1000, 10), chunk_shape=(100, 10), compression_method="gzip",
    )  # fmt: skip
    cost = access_cost(item, (slice(None),))
    assert np.isnan(cost.bytes_read_compressed)  # compressed, and no ratio given
    assert cost.remote_seconds == pytest.approx(10 * 0.05 + 80_000 / 50e6)  # upper bound from uncompressed bytes
    cost = access_cost(item, (slice(None),), compression_ratio=4, latency_s=0.2, bandwidth_bytes_per_s=1e6,
                       concurrent_requests=4)  # fmt: skip
    assert cost.bytes_read_compressed == 20_000
    assert cost.remote_seconds == pytest.approx(3 * 0.2 + 20_000 / 1e6)


def test_the_clients_concurrency_by_backend_and_the_decoding_time():
    """h5py fetches the chunks of a read one after the other, zarr up to ten at once; a decoding speed adds the time
    to decode every chunk touched (uncompressed bytes), and nothing for uncompressed data."""
    settings = dict(object_id="id", location_in_file="a/data", dataset_name="data", dtype="float64",
                    full_shape=(1000, 10), chunk_shape=(50, 10), compression_method=None)  # fmt: skip
    hdf5, zarr = HDF5DatasetIOConfiguration(**settings), ZarrDatasetIOConfiguration(**settings)
    everything = (slice(None),)
    assert access_cost(hdf5, everything).remote_seconds == pytest.approx(20 * 0.05 + 80_000 / 50e6)
    assert access_cost(zarr, everything).remote_seconds == pytest.approx(2 * 0.05 + 80_000 / 50e6)  # 20 in 2 rounds
    assert access_cost(zarr, everything, concurrent_requests=1).remote_seconds == pytest.approx(
        20 * 0.05 + 80_000 / 50e6
    )
    assert access_cost(hdf5, everything, decode_bytes_per_s=1e6).decode_seconds == 0  # nothing to decode
    hdf5.compression_method = "gzip"
    cost = access_cost(hdf5, everything, compression_ratio=4, decode_bytes_per_s=1e6)
    assert cost.decode_seconds == pytest.approx(80_000 / 1e6)
    assert cost.remote_seconds == pytest.approx(20 * 0.05 + 20_000 / 50e6 + 80_000 / 1e6)


def test_contiguous_dataset_reads_exactly_what_is_asked():
    item = HDF5DatasetIOConfiguration(
        object_id="id", location_in_file="a/data", dataset_name="data", dtype="int16",
        full_shape=(1000, 8), chunk_shape=None, compression_method=None,
    )  # fmt: skip
    window = access_cost(item, (slice(10, 20), slice(None)))
    assert (window.requested_bytes, window.bytes_read_uncompressed, window.requests) == (160, 160, 1)
    column = access_cost(item, (slice(None), 3))
    assert column.read_amplification == 1 and column.requests == 1000


def test_out_of_range_selections_raise():
    item = HDF5DatasetIOConfiguration(
        object_id="id", location_in_file="a/data", dataset_name="data", dtype="int16",
        full_shape=(10, 4), chunk_shape=(5, 4),
    )  # fmt: skip
    with pytest.raises(IndexError):
        access_cost(item, (10,))
    with pytest.raises(IndexError):
        access_cost(item, (slice(None), [4]))
    with pytest.raises(IndexError):
        access_cost(item, (0, 0, 0))
