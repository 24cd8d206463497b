"""Iterators that feed a write one buffer at a time, from any source the discovery understands.

The buffer shape of a dataset configuration is honoured here: each step reads exactly one buffer from the source
(a numpy array, an h5py or zarr dataset, a random-access hdmf iterator, or a sequential DataChunkIterator).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import h5py
import numpy as np
from hdmf.data_utils import AbstractDataChunkIterator, DataChunk, DataChunkIterator, GenericDataChunkIterator

Selection = tuple[slice, ...]
ProgressCallback = Callable[[int], None]


def array_reader(source: Any) -> Callable[[Selection], np.ndarray]:
    """A function that reads one selection of ``source`` into memory as a numpy array."""
    if isinstance(source, GenericDataChunkIterator):
        return source._get_data
    if isinstance(source, h5py.Dataset):
        if h5py.check_string_dtype(source.dtype) is not None:
            return lambda selection: _as_text(source[selection])
        return lambda selection: source[selection]
    if isinstance(source, (list, tuple)):
        source = np.asarray(source)
    if isinstance(source, np.ndarray) and source.dtype.kind in "SU":
        # Fixed-length numpy text is written as variable-length text (str), as hdmf does for text datasets; Zarr's
        # text codec refuses bytes.
        return lambda selection: _as_text(source[selection])
    if isinstance(source, np.ndarray):
        return lambda selection: source[selection]
    return lambda selection: _as_text_if_text(np.asarray(source[selection]))


def _is_zarr_array(source: Any) -> bool:
    module = type(source).__module__
    return module.startswith("zarr") and hasattr(source, "get_basic_selection")


def _as_text_if_text(values: np.ndarray) -> np.ndarray:
    """Text read from a zarr array (hdmf-zarr stores numpy bytes with VLenBytes) as str, like h5py text."""
    return _as_text(values) if values.dtype.kind in "OSU" else values


def _as_text(values: Any) -> np.ndarray:
    """Variable-length strings as an object array of ``str`` (h5py may give bytes or str)."""
    array = np.asarray(values, dtype=object)
    flat = [_decoded(value) for value in array.ravel()]
    return np.array(flat, dtype=object).reshape(array.shape)


def _decoded(value: Any) -> Any:
    """UTF-8 bytes as str (NWB text is UTF-8 or ASCII); other bytes and values as they are."""
    if isinstance(value, (bytes, np.bytes_)):
        try:
            return bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            return bytes(value)
    return str(value) if isinstance(value, np.str_) else value


class BufferedDataIterator(GenericDataChunkIterator):
    """Reads ``source`` one buffer of ``buffer_shape`` at a time, aligned to ``chunk_shape``.

    ``on_buffer(nbytes)`` is called after each buffer is read, for progress reporting. With ``deferred=True`` the
    iterator yields nothing until ``deferred`` is cleared: hdmf then creates the dataset empty, and the parallel writer
    fills it (see ``parallel.py``).

    >>> import numpy as np
    >>> iterator = BufferedDataIterator(np.arange(10), full_shape=(10,), dtype=np.dtype("int64"),
    ...                                 buffer_shape=(4,), chunk_shape=(2,))
    >>> [chunk.data.tolist() for chunk in iterator]
    [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    """

    def __init__(
        self,
        source: Any,
        *,
        full_shape: tuple[int, ...],
        dtype: np.dtype,
        buffer_shape: tuple[int, ...],
        chunk_shape: tuple[int, ...] | None,
        on_buffer: ProgressCallback | None = None,
        deferred: bool = False,
    ):
        self.source = source
        self.deferred = deferred
        self._read = array_reader(source)
        self._full_shape = tuple(full_shape)
        self._source_dtype = np.dtype(dtype)
        self._on_buffer = on_buffer
        super().__init__(buffer_shape=tuple(buffer_shape), chunk_shape=tuple(chunk_shape or buffer_shape))

    def __next__(self) -> DataChunk:
        if self.deferred:
            raise StopIteration
        return super().__next__()

    next = __next__

    def _get_data(self, selection: Selection) -> np.ndarray:
        data = self._read(selection)
        if self._on_buffer is not None:
            self._on_buffer(int(np.asarray(data).nbytes))
        return data

    def _get_maxshape(self) -> tuple[int, ...]:
        return self._full_shape

    # Reading into memory the caller owns (the parallel writer reuses the same memory for every buffer).

    def read_rows(self, chunk_rows: int) -> int | None:
        """How many rows (along the first axis) one read into caller-owned memory may cover: ``chunk_rows`` when
        reading a buffer in pieces of whole chunk rows costs the source nothing more than reading it at once, the
        buffer's rows when only whole buffers are cheap (a chunked, compressed source whose chunks a piece would cut),
        or None when the source cannot be read into caller-owned memory (then the iterator is used as it is).

        >>> import numpy as np
        >>> iterator = BufferedDataIterator(np.arange(10), full_shape=(10,), dtype=np.dtype("int64"),
        ...                                 buffer_shape=(4,), chunk_shape=(2,))
        >>> iterator.read_rows(2) is None  # numpy: its buffers are views, read without a copy
        True
        """
        if isinstance(self.source, h5py.Dataset):
            if h5py.check_string_dtype(self.source.dtype) is not None:
                return None
            source_chunks = self.source.chunks
            unfiltered = self.source.id.get_create_plist().get_nfilters() == 0
        elif _is_zarr_array(self.source):
            if self.source.dtype.kind not in "biuf":
                return None
            source_chunks, unfiltered = self.source.chunks, False
        else:
            return None
        if source_chunks is None or unfiltered or chunk_rows % source_chunks[0] == 0:
            return chunk_rows  # HDF5 reads the rows of an unfiltered chunk without reading all of it
        return int(self.buffer_shape[0])

    def buffer_selections(self) -> Iterator[Selection]:
        """The selections of the buffers not read yet, in order (taking them uses the iterator up)."""
        return self.buffer_selection_generator

    def read_into(self, selection: Selection, out: np.ndarray) -> None:
        """Read ``selection`` of the source straight into ``out`` (C-contiguous, of the selection's shape)."""
        if isinstance(self.source, h5py.Dataset):
            self.source.read_direct(out, source_sel=selection)
        else:
            self.source.get_basic_selection(selection, out=out)
        if self._on_buffer is not None:
            self._on_buffer(int(out.nbytes))

    def _get_dtype(self) -> np.dtype:
        return self._source_dtype


class RebufferedDataChunkIterator(AbstractDataChunkIterator):
    """Regroups the blocks of a sequential DataChunkIterator (iterating over axis 0) into buffers of ``buffer_rows``.

    Holds at most one buffer plus one block of the source in memory.
    """

    def __init__(
        self,
        source: DataChunkIterator,
        *,
        buffer_rows: int,
        chunk_shape: tuple[int, ...] | None,
        on_buffer: ProgressCallback | None = None,
        deferred: bool = False,
    ):
        if getattr(source, "iter_axis", 0) != 0:
            raise ValueError("only DataChunkIterators that iterate over the first axis can be re-buffered")
        self.source = source
        self.deferred = deferred  # as for BufferedDataIterator
        self._buffer_rows = int(buffer_rows)
        self._chunk_shape = chunk_shape
        self._on_buffer = on_buffer
        self._pending: list[np.ndarray] = []
        self._pending_rows = 0
        self._next_row = 0  # first row of the pending data
        self._exhausted = False

    def __iter__(self) -> RebufferedDataChunkIterator:
        return self

    def _pull(self) -> None:
        try:
            block = next(self.source)
        except StopIteration:
            self._exhausted = True
            return
        rows = block.selection[0] if isinstance(block.selection, tuple) else block.selection
        start = rows.start if isinstance(rows, slice) else int(np.min(rows))
        expected = self._next_row + self._pending_rows
        if start != expected:
            raise ValueError(
                f"the DataChunkIterator yielded rows from {start}, expected {expected}: blocks must come in order"
            )
        data = np.asarray(block.data)
        self._pending.append(data)
        self._pending_rows += data.shape[0]

    def __next__(self) -> DataChunk:
        if self.deferred:
            raise StopIteration
        while self._pending_rows < self._buffer_rows and not self._exhausted:
            self._pull()
        if self._pending_rows == 0:
            raise StopIteration
        merged = np.concatenate(self._pending, axis=0) if len(self._pending) > 1 else self._pending[0]
        take = min(self._buffer_rows, merged.shape[0])
        data, rest = merged[:take], merged[take:]
        self._pending = [rest] if rest.shape[0] else []
        self._pending_rows = rest.shape[0]
        start = self._next_row
        self._next_row += take
        if self._on_buffer is not None:
            self._on_buffer(int(data.nbytes))
        selection = (slice(start, start + take),) + tuple(slice(0, length) for length in data.shape[1:])
        return DataChunk(data=data, selection=selection)

    next = __next__

    def recommended_chunk_shape(self) -> tuple[int, ...] | None:
        return self._chunk_shape

    def recommended_data_shape(self) -> tuple[int, ...]:
        return tuple(self.source.maxshape)

    @property
    def dtype(self) -> np.dtype:
        return self.source.dtype

    @property
    def maxshape(self) -> tuple[int, ...]:
        return tuple(self.source.maxshape)
