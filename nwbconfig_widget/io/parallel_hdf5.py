"""Filling an HDF5 dataset that hdmf created (empty) with chunks compressed in parallel.

Each chunk is encoded to bytes that HDF5's own pipeline decodes for the dataset's declared filters and stored with
``write_direct_chunk``, so the file is a standard HDF5 file that any reader decodes with those filters:

- deflate, shuffle, Zstd, LZ4 and Blosc, alone or in a pipeline, are encoded in threads with zlib, numpy and
  numcodecs, which release the GIL (``hdf5_filters_in_python.py`` gives each filter's stored format). This is used
  only after a sample (a compressible and a random part) encoded this way was decoded by HDF5 itself, through the
  dataset's filters, back to the sample in this process (checked once per datatype and filter values, so a filter
  whose format changed falls back by itself). gzip and LZ4 give HDF5's exact bytes; Zstd and Blosc give HDF5's bytes
  when numcodecs bundles the same codec release as hdf5plugin, and equally valid frames of the same values if not;
- every other pipeline (other plugin filters, lzf, szip, fletcher32, ...) is encoded by worker processes that run
  the chunk through an in-memory HDF5 dataset created with the same arguments, once it is checked to end up with the
  same datatype and filter values (``hdf5_chunks.py``) -- but only for slow codecs: the first chunk is encoded here
  and timed, and a codec fast enough that shipping chunks to processes would cost more than it saves, or a dataset
  too small to repay starting them, is written by the plain path;
- a dataset whose pipeline cannot be reproduced that way raises :class:`NotReproducible` and is written by the plain
  path.
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from concurrent.futures import Executor, Future
from typing import Any

import h5py
import numpy as np

from . import hdf5_filters_in_python as in_python
from .chunk_buffers import ChunkBuffers
from .hdf5_chunks import ChunkPipeline, encode_with_hdf5, pipeline_of, reproduces

_OPTIONAL = h5py.h5z.FLAG_OPTIONAL

#: Filters encoded in threads (their ids); the others go to worker processes or the plain path.
THREAD_FILTERS = in_python.FILTERS
#: The filters that zlib and numpy encode (deflate and shuffle), for tests that send the plugins to the workers.
ZLIB_FILTERS = frozenset({in_python.DEFLATE, in_python.SHUFFLE})

#: Codecs faster than this on one core (bytes/s, measured on the first chunk) are not sent to worker processes.
PROCESS_MAX_SPEED = 200e6
#: Nor are datasets that one core encodes in less than this (seconds): starting workers would not pay off.
PROCESS_MIN_SECONDS = 2.0

_verified: dict[tuple, bool] = {}
_verified_lock = threading.Lock()


class _Declined(Exception):
    """A filter that is not optional declined a chunk: HDF5 itself decides what happens (it fails the write)."""


def encode_in_python(
    pipeline: ChunkPipeline, chunk: np.ndarray, buffers: ChunkBuffers | None = None
) -> tuple[int, bytes]:
    """``(filter_mask, stored bytes)`` of ``chunk`` (a whole chunk) through the pipeline's filters, in Python.

    A filter that declines the chunk is skipped and its bit set in the mask, as HDF5 does for optional filters. A
    chunk that is not contiguous is copied into an array of ``buffers`` when given (reused from chunk to chunk),
    else into a new one.
    """
    if buffers is None:
        return _encode_contiguous(pipeline, np.ascontiguousarray(chunk, dtype=np.dtype(pipeline.dtype)))
    with buffers.contiguous(chunk) as contiguous:
        return _encode_contiguous(pipeline, contiguous)


def _encode_contiguous(pipeline: ChunkPipeline, chunk: np.ndarray) -> tuple[int, bytes]:
    data: Any = memoryview(chunk).cast("B")
    mask = 0
    for index, (filter_id, flags, values) in enumerate(pipeline.filters):
        encoded = in_python.encode_filter(filter_id, values, data)
        if encoded is None:
            if not flags & _OPTIONAL:
                raise _Declined(filter_id)
            mask |= 1 << index
            continue
        data = encoded
    return mask, bytes(data)


def encode_chunk(pipeline: ChunkPipeline, chunk: np.ndarray, buffers: ChunkBuffers | None = None) -> tuple[int, bytes]:
    """:func:`encode_in_python`, or HDF5 itself (and its error) when a required filter declines the chunk."""
    try:
        return encode_in_python(pipeline, chunk, buffers)
    except _Declined:
        return encode_with_hdf5(pipeline, chunk)


#: One scratch-file decode at a time: with h5py 3.12 (HDF5 1.14.5), ``write_direct_chunk`` from two threads at once
#: failed ("Unspecified error in H5DOwrite_chunk"), found by the test suite at the lowest supported versions.
_SCRATCH_DECODES = threading.Lock()


def decoded_by_hdf5(
    pipeline: ChunkPipeline, mask: int, stored: bytes, shape: tuple[int, ...]
) -> tuple[np.ndarray, float]:
    """One chunk of ``shape`` stored as ``(mask, stored)`` in a scratch file with the pipeline's filters, read back
    through HDF5's own decoders (with no chunk cache); and the seconds that read took.

    See :func:`decoded_by_hdf5_together`, which this calls with one chunk.
    """
    return decoded_by_hdf5_together([(pipeline, mask, stored, shape)])[0]


def decoded_by_hdf5_together(
    chunks: list[tuple[ChunkPipeline, int, bytes, tuple[int, ...]]],
) -> list[tuple[np.ndarray, float]]:
    """Each ``(pipeline, mask, stored, shape)`` stored as the only chunk of its own dataset, all in one scratch file,
    and read back through HDF5's own decoders (with no chunk cache); with the seconds each read took.

    The file is closed and opened again before the reads: HDF5 2.0 does not see the filter mask of a chunk written
    with ``H5Dwrite_chunk`` until then (it runs every filter on that chunk and fails). It is a real file in a
    temporary folder, not a ``BytesIO``: h5py's file-object driver calls back into Python from inside HDF5, and with
    h5py 3.12 that crashed the process (a segfault) when the preview's threads used it. One file for all the chunks:
    creating and deleting the folder and file costs more than the decodes of small chunks.
    """
    with _SCRATCH_DECODES, tempfile.TemporaryDirectory(prefix="nwbconfig-decode-") as folder:
        path = os.path.join(folder, "chunks.h5")
        with h5py.File(path, "w") as file:
            for index, (pipeline, mask, stored, shape) in enumerate(chunks):
                plist = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
                plist.set_chunk(shape)
                for filter_id, flags, values in pipeline.filters:
                    plist.set_filter(filter_id, flags, values)
                space = h5py.h5s.create_simple(shape)
                file_type = h5py.h5t.decode(pipeline.file_type)
                dataset = h5py.h5d.create(file.id, str(index).encode(), file_type, space, dcpl=plist)
                dataset.write_direct_chunk((0,) * len(shape), stored, mask)
        results = []
        with h5py.File(path, "r", rdcc_nbytes=0) as file:
            for index in range(len(chunks)):
                started = time.perf_counter()
                values = file[str(index)][()]
                results.append((values, time.perf_counter() - started))
        return results


def _sample(dtype: np.dtype, count: int, random_part: bool = True) -> np.ndarray:
    """``count`` values of ``dtype``: runs of small values (compressible), then random bytes (that are not)."""
    rng = np.random.default_rng(0)
    size = count * dtype.itemsize
    half = size // 2 if random_part else size
    compressible = np.repeat(rng.integers(0, 8, -(-half // 4), dtype=np.uint8), 4)[:half]
    raw = np.concatenate([compressible, rng.integers(0, 256, size - half, dtype=np.uint8)])
    return raw.view(dtype)


def can_encode_in_python(pipeline: ChunkPipeline) -> bool:
    """Whether every filter of the pipeline is encoded in Python and, in this process, HDF5 decodes what it makes."""
    chunk_bytes = int(np.prod(pipeline.chunks)) * np.dtype(pipeline.dtype).itemsize
    if not all(
        filter_id in THREAD_FILTERS and in_python.can_encode(filter_id, values, chunk_bytes)
        for filter_id, _flags, values in pipeline.filters
    ):
        return False
    key = (pipeline.file_type, pipeline.dtype, pipeline.filters)
    with _verified_lock:
        if key in _verified:
            return _verified[key]
    dtype = np.dtype(pipeline.dtype)
    count = max(2, 65_536 // dtype.itemsize)
    samples = (_sample(dtype, count), _sample(dtype, count, random_part=False), _sample(dtype, 3, False))
    try:
        stored = []
        for sample in samples:
            sample_pipeline = ChunkPipeline(
                pipeline.file_type, pipeline.dtype, sample.shape, pipeline.filters, pipeline.fill_value
            )
            stored.append((sample_pipeline, *encode_in_python(sample_pipeline, sample), sample.shape))
        decoded = [values for values, _seconds in decoded_by_hdf5_together(stored)]
        identical = all(values.tobytes() == sample.tobytes() for values, sample in zip(decoded, samples))
    except (_Declined, ValueError, RuntimeError, OSError):
        identical = False
    with _verified_lock:
        _verified[key] = identical
    return identical


class NotReproducible(Exception):
    """This dataset's pipeline cannot be reproduced outside the file; it is written by the plain path."""


class Hdf5ChunkWriter:
    """Encodes the chunks of one dataset in parallel and stores them in order with ``write_direct_chunk``."""

    def __init__(self, dataset: h5py.Dataset, threads: Executor, workers: Any, create_kwargs: dict[str, Any]):
        self.dataset = dataset
        self.pipeline = pipeline_of(dataset, create_kwargs)
        self._threads = threads
        self._workers = workers  # a callable returning the ChunkWorkers, started on first use
        self._padding = self.pipeline.padding()
        # The contiguous copies of chunks cut across columns, in memory reused from chunk to chunk.
        self._buffers = ChunkBuffers(self.pipeline.chunks, np.dtype(self.pipeline.dtype))
        # "threads", "processes", or "here" (encoded in this thread: the plain path's cost); None: decided on the
        # first chunk.
        self.mode: str | None = "threads" if can_encode_in_python(self.pipeline) else None
        if self.mode is None and not reproduces(self.pipeline):
            raise NotReproducible("an in-memory dataset made with the same arguments gets other filter values")

    @property
    def method(self) -> str:
        return {
            "threads": "threads (zlib, numcodecs)",
            "processes": "worker processes (HDF5)",
            "here": "this thread (codec too fast for worker processes to pay off)",
        }.get(self.mode or "", "undecided")

    @property
    def plain(self) -> bool:
        """True once the remaining buffers are better written by the plain path."""
        return self.mode == "here"

    @property
    def needs_probe(self) -> bool:
        return self.mode is None

    def probe(self, chunk: np.ndarray) -> None:
        """Encode one chunk here, timed, to choose between worker processes and the plain path."""
        full = self._full_chunk(chunk)
        started = time.perf_counter()
        encode_with_hdf5(self.pipeline, full)
        speed = full.nbytes / max(time.perf_counter() - started, 1e-9)
        dataset_bytes = self.dataset.size * self.dataset.dtype.itemsize
        worth = speed < PROCESS_MAX_SPEED and dataset_bytes / speed > PROCESS_MIN_SECONDS
        self.mode = "processes" if worth else "here"

    def submit(self, offset: tuple[int, ...], chunk: np.ndarray) -> tuple[tuple[int, ...], Future]:
        """Start encoding ``chunk`` (the part of the chunk at ``offset`` inside the dataset)."""
        if self.mode == "threads":  # padded in the thread too: the copy of an edge chunk is not this thread's work
            return offset, self._threads.submit(self._encode_in_thread, chunk)
        full = self._full_chunk(chunk)
        if self.mode == "processes":
            return offset, self._workers().submit(self.pipeline, full)
        result: Future = Future()  # "here": not used by the writer (it writes such datasets plainly), kept for use
        result.set_result(encode_with_hdf5(self.pipeline, full))
        return offset, result

    def _encode_in_thread(self, chunk: np.ndarray) -> tuple[int, bytes]:
        return encode_chunk(self.pipeline, self._full_chunk(chunk), self._buffers)

    def _full_chunk(self, chunk: np.ndarray) -> np.ndarray:
        """Edge chunks are stored whole, padded with the fill value as HDF5 does."""
        if chunk.shape == self.pipeline.chunks:
            return chunk
        padded = np.empty(self.pipeline.chunks, dtype=np.dtype(self.pipeline.dtype))
        padded[...] = self._padding
        padded[tuple(slice(0, length) for length in chunk.shape)] = chunk
        return padded

    def abort(self, items: list[tuple[tuple[int, ...], Future]]) -> None:
        """Drop the chunks not yet encoded (encoding writes nothing to the file; workers are stopped by the writer)."""
        for _offset, future in items:
            future.cancel()

    def store(self, items: list[tuple[tuple[int, ...], Future]], on_chunk=None) -> None:
        """Wait for the chunks in order and store them."""
        for offset, future in items:
            mask, stored = future.result()
            self.dataset.id.write_direct_chunk(offset, stored, mask)
            if on_chunk is not None:
                on_chunk()
