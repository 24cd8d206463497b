"""Reused memory for the contiguous copy of a chunk that a codec needs, one array per thread copying at once.

A chunk cut from a buffer across its columns (64 of 384 channels, say) is not contiguous, and a codec reads only
contiguous memory, so each such chunk is copied before it is encoded. A fresh array per chunk costs more than the copy
itself: the kernel hands out and zeroes new pages for every one (and, on a virtual machine, the host may have to back
them first). Profiles of the parallel writer showed that cost next to the codec's, so the copies go into a few arrays
that are used again, chunk after chunk: at most one per thread encoding at the same moment, dropped with the pool.

>>> import numpy as np
>>> buffers = ChunkBuffers((2, 2), np.dtype("int16"))
>>> block = np.arange(12, dtype="int16").reshape(2, 6)
>>> with buffers.contiguous(block[:, :2]) as chunk:
...     chunk.flags.c_contiguous, chunk.tolist()
(True, [[0, 1], [6, 7]])
>>> with buffers.contiguous(block[:, :2]) as again:  # the same memory, used again
...     again.tolist()
[[0, 1], [6, 7]]
>>> buffers.allocated
1
"""

from __future__ import annotations

import contextlib
import queue
from collections.abc import Iterator

import numpy as np


class ChunkBuffers:
    """Arrays of one chunk's ``shape``, ``dtype`` and ``order``, lent to one thread at a time and used again."""

    def __init__(self, shape: tuple[int, ...], dtype: np.dtype, order: str = "C"):
        self.shape = tuple(int(length) for length in shape)
        self.dtype = np.dtype(dtype)
        self.order = order
        self.allocated = 0  # arrays made so far: at most the number of threads that copied at the same time
        self._free: queue.SimpleQueue[np.ndarray] = queue.SimpleQueue()

    def _ready(self, chunk: np.ndarray) -> bool:
        flags = chunk.flags
        contiguous = flags.c_contiguous if self.order == "C" else flags.f_contiguous
        return bool(contiguous) and chunk.dtype == self.dtype

    @contextlib.contextmanager
    def contiguous(self, chunk: np.ndarray) -> Iterator[np.ndarray]:
        """``chunk`` itself when it is already contiguous in the pool's dtype and order, else a copy of it in an
        array of the pool, which is the caller's until the ``with`` block ends (nothing may keep a view of it)."""
        if self._ready(chunk):
            yield chunk
            return
        if chunk.shape != self.shape:
            raise ValueError(f"a chunk of shape {chunk.shape} does not fit buffers of shape {self.shape}")
        try:
            buffer = self._free.get_nowait()
        except queue.Empty:
            buffer = np.empty(self.shape, dtype=self.dtype, order=self.order)
            self.allocated += 1
        try:
            copy_by_runs(buffer, chunk)
            yield buffer
        finally:
            self._free.put(buffer)


def copy_by_runs(destination: np.ndarray, source: np.ndarray) -> None:
    """Copy ``source`` into the C-contiguous ``destination`` of the same shape, moving each run of bytes that is
    contiguous in both (a row piece of a chunk cut across columns) as one element rather than item by item.

    numpy copies a strided array of small items one item at a time: 64 channels of int16 cut from 384 are 64 moves
    per row. Seen as one 128-byte element per row, the same copy is one move per row. Where the runs are no longer
    than one item, the dtypes differ, the items hold Python objects or ``destination`` is not C-contiguous, this is
    ``np.copyto``.

    >>> block = np.arange(24, dtype="int16").reshape(4, 6)
    >>> destination = np.empty((4, 2), dtype="int16")
    >>> copy_by_runs(destination, block[:, 2:4])
    >>> destination.tolist()
    [[2, 3], [8, 9], [14, 15], [20, 21]]
    """
    runs = _contiguous_runs(source)
    if runs is None or destination.dtype != source.dtype or not destination.flags.c_contiguous:
        np.copyto(destination, source, casting="unsafe")
        return
    outer_shape, run_items = runs.shape[:-1], runs.shape[-1]
    run_dtype = np.dtype(f"V{run_items * source.dtype.itemsize}")
    np.copyto(destination.reshape(outer_shape + (run_items,)).view(run_dtype), runs.view(run_dtype))


def _contiguous_runs(source: np.ndarray) -> np.ndarray | None:
    """``source`` seen as ``outer shape + (items per run,)`` with its last axis contiguous, without a copy, where its
    trailing axes hold runs of more than one item; ``None`` otherwise."""
    if source.ndim == 0 or source.dtype.hasobject or source.size == 0:
        return None
    itemsize = source.dtype.itemsize
    run_items, axis = 1, source.ndim
    while axis > 0 and (source.shape[axis - 1] == 1 or source.strides[axis - 1] == itemsize * run_items):
        axis -= 1
        run_items *= source.shape[axis]
    if run_items == 1 or axis == 0:
        return None  # no run longer than one item, or nothing outside the run: np.copyto is as good
    return np.lib.stride_tricks.as_strided(
        source,
        shape=source.shape[:axis] + (run_items,),
        strides=source.strides[:axis] + (itemsize,),
        writeable=False,
    )
