"""Filling a Zarr (v2) array that hdmf-zarr created (empty), one chunk per task in a thread pool.

Each task assigns one chunk-aligned region through zarr itself, so every chunk is encoded by the array's own
filters and compressor exactly as a plain write would; numcodecs releases the GIL while it compresses, and each
chunk is its own key in the store, so chunks are encoded and stored side by side.
"""

from __future__ import annotations

from concurrent.futures import Executor, Future, wait

import numpy as np


def _assign(array, selection: tuple[slice, ...], data: np.ndarray) -> None:
    array[selection] = data


class ZarrChunkWriter:
    """Writes the chunks of one zarr array in threads."""

    method = "threads (zarr)"

    def __init__(self, array, threads: Executor):
        self.array = array
        self._threads = threads
        self._submitted: list[Future] = []  # every chunk's task, also those the caller has not been handed yet

    def submit(self, offset: tuple[int, ...], chunk: np.ndarray) -> tuple[tuple[int, ...], Future]:
        selection = tuple(slice(start, start + length) for start, length in zip(offset, chunk.shape))
        future = self._threads.submit(_assign, self.array, selection, chunk)
        self._submitted = [item for item in self._submitted if not item.done()]
        self._submitted.append(future)
        return offset, future

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
