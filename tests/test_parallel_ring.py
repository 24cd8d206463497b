"""Repacks that read an HDF5 or Zarr source straight into the parallel writer's ring of reused memory store the chunks
the plain path stores, and the values of the source, whatever the source's layout (contiguous, chunked with or
without filters, chunks that a piece of the ring would cut)."""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from uuid import uuid4

import h5py
import numpy as np
import pytest
import zarr
from nwbfiles import read_nwbfile

from nwbconfig_widget import configure_and_write_nwbfile, get_default_backend_configuration, repack_nwbfile
from nwbconfig_widget.io import parallel, parallel_hdf5

SHAPE, CHUNKS, BUFFER = (1000, 7), (300, 4), (600, 7)  # edge chunks on both axes, two buffers of two chunk rows
LOCATION = "acquisition/raw/data"


@pytest.fixture(autouse=True)
def parallel_for_small_datasets(monkeypatch):
    monkeypatch.setattr(parallel, "PARALLEL_MIN_BYTES", 0)


def values(dtype: str = "int16") -> np.ndarray:
    rng = np.random.default_rng(5)
    return (np.cumsum(rng.normal(0, 3, size=SHAPE), axis=0) + 40).astype(dtype)


def write_source(path, backend: str, chunks, compression: str | None) -> None:
    """The source: ``values()`` as a TimeSeries, with the given layout, written by the plain path."""
    from pynwb import NWBFile, TimeSeries

    nwbfile = NWBFile(
        identifier=str(uuid4()),
        session_description="ring",
        session_start_time=datetime(2024, 1, 1, tzinfo=timezone.utc),
    )
    nwbfile.add_acquisition(TimeSeries(name="raw", data=values(), unit="V", rate=1000.0))
    configuration = get_default_backend_configuration(nwbfile, backend=backend)
    item = configuration.dataset_configurations[LOCATION]
    if chunks is None:
        item.update(chunk_shape=None, compression_method=None, compression_options=None, filter_methods=[])
    else:
        item.update(chunk_shape=chunks, buffer_shape=SHAPE, compression_method=compression, compression_options=None)
    configure_and_write_nwbfile(nwbfile, path, backend_configuration=configuration, n_jobs=1)


def repack(source, target, backend: str, method: str, n_jobs: int) -> None:
    with read_nwbfile(source) as io:
        configuration = get_default_backend_configuration(io.read(), backend=backend)
    configuration.dataset_configurations[LOCATION].update(
        chunk_shape=CHUNKS, buffer_shape=BUFFER, compression_method=method, compression_options=None
    )
    repack_nwbfile(source, target, backend_configuration=configuration, n_jobs=n_jobs, allow_pickle=True)


# backend, chunks and compression of the source; rows of the pieces read into the ring (300: a chunk row of the
# target; 600: a whole buffer, when a chunk row would cut the source's filtered chunks)
SOURCES = {
    "hdf5 contiguous": ("hdf5", None, None, 300),
    "hdf5 chunked": ("hdf5", (200, 7), None, 300),  # no filters: HDF5 reads part of a chunk without decoding it
    "hdf5 gzip, chunks inside a chunk row": ("hdf5", (100, 7), "gzip", 300),
    "hdf5 gzip, chunks across chunk rows": ("hdf5", (200, 3), "gzip", 600),
    "zarr, chunks inside a chunk row": ("zarr", (150, 7), "gzip", 300),
    "zarr, chunks across chunk rows": ("zarr", (400, 5), "gzip", 600),
}


@pytest.mark.parametrize("source_kind", list(SOURCES))
@pytest.mark.parametrize("method, processes", [("gzip", False), ("Zstd", True)])
def test_a_repack_through_the_ring_stores_the_plain_chunks(
    tmp_path, monkeypatch, caplog, source_kind, method, processes
):
    if processes:  # HDF5 itself encodes in the worker processes
        monkeypatch.setattr(parallel_hdf5, "THREAD_FILTERS", parallel_hdf5.ZLIB_FILTERS)
        monkeypatch.setattr(parallel_hdf5, "PROCESS_MAX_SPEED", float("inf"))
        monkeypatch.setattr(parallel_hdf5, "PROCESS_MIN_SECONDS", 0.0)
    backend, chunks, compression, rows = SOURCES[source_kind]
    source = tmp_path / ("source.nwb" if backend == "hdf5" else "source.nwb.zarr")
    write_source(source, backend, chunks, compression)
    repack(source, tmp_path / "plain.nwb", "hdf5", method, n_jobs=1)
    with caplog.at_level(logging.DEBUG, logger=parallel.__name__):
        repack(source, tmp_path / "parallel.nwb", "hdf5", method, n_jobs=2)
    ring = [record.getMessage() for record in caplog.records if "read into a ring" in record.getMessage()]
    assert len(ring) == 1 and LOCATION in ring[0], [record.getMessage() for record in caplog.records]
    assert ("worker processes" in ring[0]) is processes
    assert ring[0].endswith(f"pieces of {rows} rows"), ring[0]
    with h5py.File(tmp_path / "plain.nwb", "r") as plain, h5py.File(tmp_path / "parallel.nwb", "r") as fast:
        expected, actual = plain[LOCATION], fast[LOCATION]
        assert actual.chunks == expected.chunks == CHUNKS and actual.shape == SHAPE
        assert actual.id.get_num_chunks() == expected.id.get_num_chunks() == 8
        for index in range(expected.id.get_num_chunks()):
            offset = expected.id.get_chunk_info(index).chunk_offset
            assert actual.id.read_direct_chunk(offset) == expected.id.read_direct_chunk(offset), offset
        np.testing.assert_array_equal(actual[()], values())


@pytest.mark.parametrize("source_kind", ["hdf5 contiguous", "hdf5 gzip, chunks across chunk rows"])
def test_a_repack_to_zarr_through_the_ring_reads_back_the_source(tmp_path, caplog, source_kind):
    backend, chunks, compression, _rows = SOURCES[source_kind]
    write_source(tmp_path / "source.nwb", backend, chunks, compression)
    with caplog.at_level(logging.DEBUG, logger=parallel.__name__):
        repack(tmp_path / "source.nwb", tmp_path / "copy.nwb.zarr", "zarr", "gzip", n_jobs=2)
    assert any("read into a ring" in record.getMessage() for record in caplog.records)
    array = zarr.open(str(tmp_path / "copy.nwb.zarr"), mode="r")[LOCATION]
    assert array.chunks == CHUNKS
    np.testing.assert_array_equal(array[...], values())
