"""Filling a Zarr (v2) array that hdmf-zarr created (empty), one chunk per task in a thread pool.

Each whole chunk is encoded in a task by the array's own filters and compressor (the numcodecs objects zarr itself
calls) and the encoded bytes are put into the array's chunk store under the chunk's key: the bytes zarr's own
``array[...] = chunk`` would store, without zarr's per-chunk indexing code. numcodecs releases the GIL while it
compresses and each chunk is its own key in the store, so chunks are encoded and stored side by side. A chunk that is
not contiguous (cut across the columns of a buffer) is first copied into memory reused from chunk to chunk
(:class:`.ChunkBuffers`), where zarr would copy it into a new array each time.

Edge chunks (a part of a chunk, padded on disk), and arrays where zarr does more than that per chunk (a synchronizer,
``write_empty_chunks=False``, Zarr v3), are written through zarr itself.
"""

from __future__ import annotations

from concurrent.futures import Executor, Future, wait

import numpy as np
from numcodecs.compat import ensure_bytes

from .chunk_buffers import ChunkBuffers


def _assign(array, selection: tuple[slice, ...], data: np.ndarray) -> None:
    array[selection] = data


def stores_encoded_chunks(array) -> bool:
    """Whether whole chunks of ``array`` can be encoded here and put into its store as zarr itself would.

    >>> import zarr
    >>> stores_encoded_chunks(zarr.zeros((4, 4), chunks=(2, 2), dtype="int16"))
    True
    >>> stores_encoded_chunks(zarr.zeros((4, 4), chunks=(2, 2), dtype="int16", write_empty_chunks=False))
    False
    """
    return (
        getattr(array, "_version", 2) == 2
        and getattr(array, "_synchronizer", None) is None
        and bool(getattr(array, "_write_empty_chunks", False))
        and hasattr(array, "_chunk_key")
        and np.dtype(array.dtype).kind in "biuf"
        and np.dtype(array.dtype).names is None
    )


def encode_chunk(array, chunk: np.ndarray) -> bytes:
    """The bytes zarr stores for a whole ``chunk`` of ``array`` (contiguous, in the array's dtype and order): the
    array's filters, then its compressor, as bytes (a copy when they hand back anything else, such as the chunk's
    own memory, which is lent and reused for the next chunk).

    >>> import zarr
    >>> array = zarr.zeros((4,), chunks=(2,), dtype="int16", compressor=None)
    >>> encode_chunk(array, np.array([1, 2], dtype="int16"))
    b'\\x01\\x00\\x02\\x00'
    """
    encoded = chunk
    for codec in array.filters or ():
        encoded = codec.encode(encoded)
    if array.compressor is not None:
        encoded = array.compressor.encode(encoded)
    return encoded if isinstance(encoded, bytes) else ensure_bytes(encoded)


class ZarrChunkWriter:
    """Writes the chunks of one zarr array in threads."""

    def __init__(self, array, threads: Executor):
        self.array = array
        self._threads = threads
        self._submitted: list[Future] = []  # every chunk's task, also those the caller has not been handed yet
        self._chunks = tuple(int(length) for length in array.chunks)
        self._direct = stores_encoded_chunks(array)
        self._buffers = ChunkBuffers(self._chunks, np.dtype(array.dtype), array.order) if self._direct else None

    @property
    def method(self) -> str:
        return "threads (numcodecs, chunks put into the zarr store)" if self._direct else "threads (zarr)"

    def submit(self, offset: tuple[int, ...], chunk: np.ndarray) -> tuple[tuple[int, ...], Future]:
        if self._direct and chunk.shape == self._chunks:
            index = tuple(start // length for start, length in zip(offset, self._chunks))
            future = self._threads.submit(self._store_encoded, index, chunk)
        else:
            selection = tuple(slice(start, start + length) for start, length in zip(offset, chunk.shape))
            future = self._threads.submit(_assign, self.array, selection, chunk)
        self._submitted = [item for item in self._submitted if not item.done()]
        self._submitted.append(future)
        return offset, future

    def _store_encoded(self, index: tuple[int, ...], chunk: np.ndarray) -> None:
        with self._buffers.contiguous(chunk) as contiguous:
            encoded = encode_chunk(self.array, contiguous)
        self.array.chunk_store[self.array._chunk_key(index)] = encoded

    def abort(self, items: list[tuple[tuple[int, ...], Future]]) -> None:
        """Drop the chunks not started and wait for those being stored: nothing may write into the folder after the
        failed write has removed it. Every chunk submitted is waited for, not only ``items``: a Ctrl-C can come
        between a submit and the caller's list that would have held it."""
        futures = [future for _offset, future in items] + self._submitted
        for future in futures:
            future.cancel()
        wait(futures)

    def store(self, items: list[tuple[tuple[int, ...], Future]], on_chunk=None) -> None:
        for _offset, future in items:
            future.result()
            if on_chunk is not None:
                on_chunk()
