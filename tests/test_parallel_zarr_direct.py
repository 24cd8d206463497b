"""Whole Zarr chunks encoded in threads and put straight into the store: the same bytes as zarr's own writes.

The parallel writer encodes whole chunks with the array's filters and compressor and puts the bytes into the chunk
store itself, copying chunks cut across columns into reused memory. These tests compare each stored object with what
zarr itself stores for the same data (byte for byte for the deterministic codecs, decoded for gzip, whose header holds
the time), check that reused memory never leaks into a stored chunk, and that arrays where zarr does more per chunk
keep zarr's own path.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import numcodecs
import numpy as np
import pytest
import zarr

from nwbconfig_widget.io.chunk_buffers import ChunkBuffers
from nwbconfig_widget.io.parallel import _split
from nwbconfig_widget.io.parallel_zarr import ZarrChunkWriter, stores_encoded_chunks

SHAPE, CHUNKS = (900, 12), (300, 4)  # chunks cut across the columns: not contiguous in the buffer

CODECS = {
    "blosc lz4 shuffle": (numcodecs.Blosc("lz4", 5, numcodecs.Blosc.SHUFFLE), None),
    "blosc zstd bitshuffle": (numcodecs.Blosc("zstd", 5, numcodecs.Blosc.BITSHUFFLE), None),
    "zstd": (numcodecs.Zstd(3), None),
    "lz4": (numcodecs.LZ4(), None),
    "gzip": (numcodecs.GZip(4), None),
    "delta + zlib": (numcodecs.Zlib(1), [numcodecs.Delta(dtype="int16")]),
    "no compressor": (None, None),
    "shuffle filter only": (None, [numcodecs.Shuffle(elementsize=2)]),
}


def data(seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.cumsum(rng.integers(-20, 20, size=SHAPE), axis=0).astype("int16")


def fill_in_threads(array, values: np.ndarray, shape=SHAPE) -> ZarrChunkWriter:
    writer = None
    with ThreadPoolExecutor(max_workers=2) as threads:
        writer = ZarrChunkWriter(array, threads)
        selection = tuple(slice(0, length) for length in shape)
        items = [writer.submit(offset, part) for offset, part in _split(values, selection, CHUNKS)]
        writer.store(items)
    return writer


def stored_objects(array) -> dict[str, bytes]:
    prefix = array.path + "/" if array.path else ""
    return {
        key[len(prefix) :]: bytes(array.store[key])
        for key in array.store
        if key.startswith(prefix) and not key[len(prefix) :].startswith(".") and "/" not in key[len(prefix) :]
    }


@pytest.mark.parametrize("name", list(CODECS))
def test_chunks_put_into_the_store_are_the_bytes_zarr_writes(tmp_path, name):
    compressor, filters = CODECS[name]
    values = data()
    arrays = {}
    for how in ("zarr", "threads"):
        store = zarr.DirectoryStore(str(tmp_path / f"{how}.zarr"))
        group = zarr.group(store=store)
        arrays[how] = group.create_dataset(
            "x", shape=SHAPE, chunks=CHUNKS, dtype="int16", compressor=compressor, filters=filters
        )
    arrays["zarr"][...] = values
    writer = fill_in_threads(arrays["threads"], values)
    assert writer.method.startswith("threads (numcodecs")
    assert writer._buffers.allocated <= 2  # at most one reused copy per thread, not one per chunk

    expected, actual = stored_objects(arrays["zarr"]), stored_objects(arrays["threads"])
    assert sorted(actual) == sorted(expected) and len(actual) == 9
    for key in expected:
        if name == "gzip":  # the gzip header holds the time of the compression
            assert bytes(compressor.decode(actual[key])) == bytes(compressor.decode(expected[key])), key
        else:
            assert actual[key] == expected[key], key
    reread = zarr.open_array(str(tmp_path / "threads.zarr"), path="x", mode="r")
    np.testing.assert_array_equal(reread[...], values)


def test_reused_memory_never_reaches_a_store_that_keeps_the_object():
    """A store over a dict keeps the object it is given: with no compressor, the chunk must be its own bytes, not the
    reused copy that the next chunk overwrites."""
    values = data(2)
    array = zarr.zeros(SHAPE, chunks=CHUNKS, dtype="int16", compressor=None, store=zarr.KVStore({}))
    fill_in_threads(array, values)
    np.testing.assert_array_equal(array[...], values)


def test_edge_chunks_go_through_zarr(tmp_path):
    shape = (1000, 14)  # partial chunks on both axes
    values = np.arange(np.prod(shape), dtype="int16").reshape(shape)
    plain = zarr.open_array(str(tmp_path / "plain.zarr"), "w", shape=shape, chunks=CHUNKS, dtype="int16", fill_value=7)
    plain[...] = values
    array = zarr.open_array(str(tmp_path / "ours.zarr"), "w", shape=shape, chunks=CHUNKS, dtype="int16", fill_value=7)
    fill_in_threads(array, values, shape)
    assert stored_objects(array) == stored_objects(plain)
    np.testing.assert_array_equal(array[...], values)


def test_arrays_with_more_work_per_chunk_keep_zarrs_path(tmp_path):
    values = data(3)
    plain = zarr.zeros(SHAPE, chunks=CHUNKS, dtype="int16", write_empty_chunks=False, store=zarr.MemoryStore())
    plain[...] = 0
    assert not stores_encoded_chunks(plain)
    synchronized = zarr.zeros(SHAPE, chunks=CHUNKS, dtype="int16", synchronizer=zarr.ThreadSynchronizer())
    assert not stores_encoded_chunks(synchronized)
    writer = fill_in_threads(synchronized, values)
    assert writer.method == "threads (zarr)"
    np.testing.assert_array_equal(synchronized[...], values)


def test_chunk_buffers_lend_one_array_per_thread_at_a_time():
    buffers = ChunkBuffers((100, 4), np.dtype("float32"))
    source = np.random.default_rng(4).random((100, 40)).astype("float32")
    barrier = threading.Barrier(3)
    seen: list[int] = []

    def copy(column: int) -> bool:
        part = source[:, column : column + 4]
        with buffers.contiguous(part) as chunk:
            seen.append(id(chunk))
            barrier.wait(timeout=10)  # three threads hold a copy at the same moment: three arrays
            return bool(np.array_equal(chunk, part))

    with ThreadPoolExecutor(max_workers=3) as threads:
        assert all(threads.map(copy, [0, 4, 8]))
    assert buffers.allocated == 3 and len(set(seen)) == 3
    with buffers.contiguous(source[:, :4]) as chunk:  # used again, not a fourth
        np.testing.assert_array_equal(chunk, source[:, :4])
    assert buffers.allocated == 3
    contiguous = np.ascontiguousarray(source[:, :4])
    with buffers.contiguous(contiguous) as chunk:  # already contiguous: no copy at all
        assert chunk is contiguous
    with pytest.raises(ValueError, match="does not fit"), buffers.contiguous(source[:50, :4]):
        pass


def test_fortran_ordered_arrays_store_zarrs_bytes(tmp_path):
    values = data(5)
    arrays = {}
    for how in ("zarr", "threads"):
        arrays[how] = zarr.open_array(
            str(tmp_path / f"{how}.zarr"), "w", shape=SHAPE, chunks=CHUNKS, dtype="int16", order="F"
        )
    arrays["zarr"][...] = values
    fill_in_threads(arrays["threads"], values)
    assert stored_objects(arrays["threads"]) == stored_objects(arrays["zarr"])
    np.testing.assert_array_equal(arrays["threads"][...], values)
