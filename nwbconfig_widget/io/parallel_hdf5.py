"""Filling an HDF5 dataset that hdmf created (empty) with chunks compressed in parallel.

Each chunk is encoded to exactly the bytes HDF5's own pipeline would store for the dataset's declared filters and
stored with ``write_direct_chunk``, so the file is a standard HDF5 file that any reader decodes with those filters:

- gzip (deflate) and shuffle, alone or together, are encoded in threads with Python's ``zlib`` (which releases the
  GIL) and numpy; this is used only after an encode of a sample through HDF5 itself gave the same bytes in this
  process (the check is repeated per pipeline and dtype, so a different zlib build falls back by itself);
- every other pipeline (plugin filters, lzf, szip, fletcher32, ...) is encoded by worker processes that run the
  chunk through an in-memory HDF5 dataset created with the same arguments, once it is checked to end up with the same
  datatype and filter values (``hdf5_chunks.py``) -- but only for slow codecs: the first chunk is encoded here and
  timed, and a codec fast enough that shipping chunks to processes would cost more than it saves (Blosc-LZ4 at
  GB/s), or a dataset too small to repay starting them, is written by the plain path;
- a dataset whose pipeline cannot be reproduced that way raises :class:`NotReproducible` and is written by the plain
  path.
"""

from __future__ import annotations

import threading
import time
import zlib
from concurrent.futures import Executor, Future
from typing import Any

import h5py
import numpy as np

from .hdf5_chunks import ChunkPipeline, encode_with_hdf5, pipeline_of, reproduces

_DEFLATE, _SHUFFLE = h5py.h5z.FILTER_DEFLATE, h5py.h5z.FILTER_SHUFFLE
_THREAD_FILTERS = {_DEFLATE, _SHUFFLE}

#: Codecs faster than this on one core (bytes/s, measured on the first chunk) are not sent to worker processes.
PROCESS_MAX_SPEED = 200e6
#: Nor are datasets that one core encodes in less than this (seconds): starting workers would not pay off.
PROCESS_MIN_SECONDS = 2.0

_verified: dict[tuple, bool] = {}
_verified_lock = threading.Lock()


def encode_in_python(pipeline: ChunkPipeline, chunk: np.ndarray) -> tuple[int, bytes]:
    """What HDF5's shuffle and deflate filters store for ``chunk``, computed with numpy and zlib (GIL released)."""
    data: Any = memoryview(np.ascontiguousarray(chunk, dtype=np.dtype(pipeline.dtype))).cast("B")
    for filter_id, _flags, values in pipeline.filters:
        if filter_id == _SHUFFLE:
            itemsize = values[0] if values else np.dtype(pipeline.dtype).itemsize
            if itemsize > 1:
                data = np.frombuffer(data, dtype=np.uint8).reshape(-1, itemsize).T.tobytes()
        elif filter_id == _DEFLATE:
            data = zlib.compress(data, values[0] if values else 6)
        else:  # pragma: no cover - callers check can_encode_in_python first
            raise ValueError(f"filter {filter_id} cannot be encoded in Python")
    return 0, bytes(data)


def can_encode_in_python(pipeline: ChunkPipeline) -> bool:
    """Whether this pipeline is only shuffle/deflate and, in this process, zlib + numpy give HDF5's exact bytes."""
    if not set(pipeline.filter_ids) <= _THREAD_FILTERS:
        return False
    key = (pipeline.file_type, pipeline.dtype, pipeline.filters)
    with _verified_lock:
        if key in _verified:
            return _verified[key]
    dtype = np.dtype(pipeline.dtype)
    count = max(1, 65_536 // dtype.itemsize)
    # Half compressible, half random bytes: both zlib code paths (matches and literals) are compared.
    rng = np.random.default_rng(0)
    raw = np.concatenate(
        [
            np.repeat(rng.integers(0, 8, count * dtype.itemsize // 8, dtype=np.uint8), 4),
            rng.integers(0, 256, count * dtype.itemsize, dtype=np.uint8),
        ]
    )
    sample = raw[: (raw.size // dtype.itemsize) * dtype.itemsize].view(dtype)
    sample_pipeline = ChunkPipeline(
        pipeline.file_type,
        pipeline.dtype,
        (sample.size,),
        pipeline.filters,
        pipeline.fill_value,
        pipeline.create_kwargs,
    )
    identical = reproduces(sample_pipeline) and (
        encode_in_python(sample_pipeline, sample) == encode_with_hdf5(sample_pipeline, sample)
    )
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
        # "threads", "processes", or "here" (encoded in this thread: the plain path's cost); None: decided on the
        # first chunk.
        self.mode: str | None = "threads" if can_encode_in_python(self.pipeline) else None
        if self.mode is None and not reproduces(self.pipeline):
            raise NotReproducible("an in-memory dataset made with the same arguments gets other filter values")

    @property
    def method(self) -> str:
        return {
            "threads": "threads (zlib)",
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
        full = self._full_chunk(chunk)
        if self.mode == "threads":
            return offset, self._threads.submit(encode_in_python, self.pipeline, full)
        if self.mode == "processes":
            return offset, self._workers().submit(self.pipeline, full)
        result: Future = Future()  # "here": not used by the writer (it writes such datasets plainly), kept for use
        result.set_result(encode_with_hdf5(self.pipeline, full))
        return offset, result

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
