"""The parallel writer: hdmf creates the file and every dataset, the configured large datasets are filled here.

How it fits together: ``apply_configuration(..., defer=writer.should_defer)`` wraps each large numeric dataset in a
*deferred* buffered iterator, which hdmf writes as an empty chunked dataset with the configuration's chunks,
filters and compression (exactly as on the plain path). The IO classes below notice such a dataset right after hdmf
created it and hand it to :meth:`ParallelWriter.fill`, which reads it one buffer at a time and encodes the chunks of
a buffer in parallel while the next buffer is read (``parallel_hdf5.py``, ``parallel_zarr.py``).

Memory: at most two buffers are held (one being encoded, one being read) plus the chunks being encoded, whatever the
number of workers. An h5py or zarr source (a repack) is read straight into a ring of reused memory, a chunk row at a
time: about two chunk rows are held (see ``_fill_ring``). Datasets that cannot be filled in parallel (text,
compound, object, contiguous, small, or whose stored dtype differs from the source's) are written by the plain path,
with a note in the log.
"""

from __future__ import annotations

import collections
import logging
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
from hdmf.data_utils import DataIO

from ..models import DatasetIOConfiguration
from .iterators import BufferedDataIterator, RebufferedDataChunkIterator
from .workers import ChunkWorkers

logger = logging.getLogger(__name__)

#: Datasets smaller than this are written by the plain path (starting workers costs more than it saves).
PARALLEL_MIN_BYTES = 4_000_000

_NUMERIC_KINDS = "biuf"


def resolve_n_jobs(n_jobs: int | None) -> int:
    """``None`` or ``-1``: every core this process may use; else at least 1."""
    if n_jobs is None or n_jobs == -1:
        try:
            return max(1, len(os.sched_getaffinity(0)))
        except AttributeError:  # not on Linux
            return max(1, os.cpu_count() or 1)
    n_jobs = int(n_jobs)
    if n_jobs < 1:
        raise ValueError(f"n_jobs must be a positive number of workers, or None/-1 for all cores; got {n_jobs}")
    return n_jobs


def _deferred_iterator(data: Any) -> Any:
    inner = data.data if isinstance(data, DataIO) else data
    if isinstance(inner, (BufferedDataIterator, RebufferedDataChunkIterator)) and inner.deferred:
        return inner
    return None


class ParallelWriter:
    """Thread pool and (on first need) worker processes for one write; a context manager."""

    def __init__(self, n_jobs: int, backend: str, check_cancel: Callable[[], None] = lambda: None):
        self.n_jobs = n_jobs
        self.backend = backend
        self.check_cancel = check_cancel
        self.threads = ThreadPoolExecutor(max_workers=n_jobs, thread_name_prefix="nwbconfig-encode")
        self._workers: ChunkWorkers | None = None
        self._closed = False
        # Zarr: the last chunks of the dataset filled last, still being encoded and stored by the threads while hdmf
        # writes the rest of the file (see finish()).
        self._unfinished: list[tuple[Any, list]] = []
        self.report: dict[str, str] = {}  # location -> how it was written
        # Paths of contiguous compound datasets: hdmf rebuilds their DataIO and would make table columns expandable.
        self._contiguous_compounds: set[str] = set()

    # ------------------------------------------------------------------------------------------------- lifecycle

    def workers(self) -> ChunkWorkers:
        if self._workers is None:
            self._workers = ChunkWorkers(self.n_jobs)
        return self._workers

    def close(self, failed: bool = False) -> None:
        """Stop the threads and the worker processes (killed when the write failed), once; a Ctrl-C while the
        threads are waited for still stops the workers."""
        if self._closed:
            return
        self._closed = True
        try:
            unfinished, self._unfinished = self._unfinished, []
            for chunk_writer, items in unfinished:  # nothing may write into the folder once it is closed or removed
                chunk_writer.abort(items)
            self.threads.shutdown(wait=True, cancel_futures=True)
        except BaseException:
            failed = True
            raise
        finally:
            workers, self._workers = self._workers, None
            if workers is not None:
                workers.close(kill=failed)

    def __enter__(self) -> ParallelWriter:
        return self

    def __exit__(self, exc_type, *exc_info) -> None:
        self.close(failed=exc_type is not None)

    # ------------------------------------------------------------------------------------------------- choosing

    def should_defer(self, configuration: DatasetIOConfiguration) -> bool:
        """Whether this dataset is filled here (decided before the write, from its configuration): large numeric
        datasets in parallel, and contiguous HDF5 datasets buffer by buffer whatever ``n_jobs`` is (hdmf's iterative
        write extends the dataset at every block, which HDF5 refuses for contiguous storage)."""
        if configuration.chunk_shape is None:
            if configuration.dtype.names is not None:
                location = configuration.location_in_file
                self._contiguous_compounds.update({location, location.removesuffix("/data")})
                return False  # hdmf writes compound rows itself (see configure.py)
            return configuration.backend == "hdf5"
        if self.n_jobs < 2:
            return False
        if configuration.full_size_bytes < PARALLEL_MIN_BYTES or (configuration.number_of_chunks or 0) < 2:
            return False
        if configuration.dtype.kind not in _NUMERIC_KINDS or configuration.dtype.names is not None:
            logger.info("%s is written by the plain path: %s data", configuration.location_in_file, configuration.dtype)
            return False
        return True

    def io_class(self, base: type) -> type:
        """A subclass of pynwb's/hdmf-zarr's IO class that hands deferred datasets to this writer."""
        writer = self

        class ParallelFillingIO(base):
            def write_dataset(self, *args, **kwargs):
                parent = kwargs["parent"] if "parent" in kwargs else args[0]
                builder = kwargs["builder"] if "builder" in kwargs else args[1]
                iterator = _deferred_iterator(builder.data)
                if f"{parent.name}/{builder.name}".strip("/") in writer._contiguous_compounds:
                    kwargs["expandable"] = ()  # contiguous: no maxshape, which would make h5py choose chunks
                result = super().write_dataset(*args, **kwargs)
                if iterator is not None and iterator.deferred:
                    settings = getattr(builder.data, "io_settings", None) or {}
                    writer.fill(parent[builder.name], iterator, settings)
                return result

            def write(self, *args, **kwargs):
                result = super().write(*args, **kwargs)
                writer.finish()
                return result

            def export(self, *args, **kwargs):
                result = super().export(*args, **kwargs)
                writer.finish()
                return result

        ParallelFillingIO.__name__ = ParallelFillingIO.__qualname__ = f"Parallel{base.__name__}"
        return ParallelFillingIO

    # ------------------------------------------------------------------------------------------------- filling

    def fill(self, dataset: Any, iterator: Any, create_kwargs: dict[str, Any] | None = None) -> None:
        """Fill the empty ``dataset`` that hdmf created (with ``create_kwargs``) from the deferred ``iterator``."""
        self.finish()  # the previous dataset's last chunks first: at most two buffers in memory
        iterator.deferred = False
        location = dataset.name
        chunks = tuple(dataset.chunks) if dataset.chunks else None
        if chunks is None or np.dtype(dataset.dtype).kind not in _NUMERIC_KINDS:
            self._plain(dataset, iterator, location, "not chunked or not numeric")
            return
        if self.backend == "hdf5":
            from .parallel_hdf5 import Hdf5ChunkWriter, NotReproducible

            try:
                chunk_writer: Any = Hdf5ChunkWriter(dataset, self.threads, self.workers, create_kwargs or {})
            except NotReproducible as exc:
                self._plain(dataset, iterator, location, str(exc))
                return
        else:
            from .parallel_zarr import ZarrChunkWriter

            chunk_writer = ZarrChunkWriter(dataset, self.threads)
        if self._fill_ring(dataset, iterator, chunk_writer, chunks, location):
            return
        previous: list = []
        current: list = []
        try:
            for block in iterator:  # the next buffer is read while the previous one is being encoded
                self.check_cancel()
                data = np.asarray(block.data)
                selection = _normalized(block.selection, data.shape)
                _grow(dataset, selection)
                data = self._as_stored(dataset, data)
                if data is not None and getattr(chunk_writer, "needs_probe", False):
                    chunk_writer.probe(next(_split(data, selection, chunks))[1])
                if data is None or not _aligned(selection, chunks, dataset.shape) or getattr(chunk_writer, "plain", 0):
                    chunk_writer.store(previous, self.check_cancel)
                    previous = []
                    dataset[selection] = block.data  # hdmf's own way; also right for partly filled chunks
                    continue
                current = [chunk_writer.submit(offset, part) for offset, part in _split(data, selection, chunks)]
                del data, block
                chunk_writer.store(previous, self.check_cancel)
                previous, current = current, []
            self._leave_or_store(chunk_writer, previous)
            previous = []
            self.report[location] = chunk_writer.method
            logger.debug("%s: %s chunks encoded by %s", location, chunks, chunk_writer.method)
        except BaseException:
            chunk_writer.abort(previous + current)
            raise

    def _fill_ring(
        self, dataset: Any, iterator: Any, chunk_writer: Any, chunks: tuple[int, ...], location: str
    ) -> bool:
        """Fill ``dataset`` from a source read straight into a ring of reused memory, piece by piece; False (nothing
        done) when the source cannot be read that way.

        A piece is a chunk row of a buffer (its chunks along the first axis), or a whole buffer when the source only
        reads whole buffers cheaply. The ring holds two pieces (one read while the other is encoded), or more when
        that is needed to keep every worker busy while one piece is read, but never more than two buffers (at most one
        when a buffer holds two chunk rows or more and a chunk row at least as many chunks as workers). A piece is read
        into the ring's oldest slot once that slot's chunks are stored; finished chunks are stored as soon as those
        before them are, so few compressed chunks wait in memory.
        """
        if not isinstance(iterator, BufferedDataIterator) or np.dtype(dataset.dtype) != iterator.dtype:
            return False
        shape = tuple(int(length) for length in dataset.shape)
        buffer = tuple(min(int(b), length) for b, length in zip(iterator.buffer_shape, shape))
        if shape != tuple(iterator.maxshape) or not _aligned(tuple(slice(0, b) for b in buffer), chunks, shape):
            return False
        rows = iterator.read_rows(chunks[0])
        if rows is None:
            return False
        rows = min(rows, buffer[0])
        pieces_per_buffer = -(-buffer[0] // rows)
        chunks_per_piece = int(np.prod([-(-b // c) for b, c in zip(buffer[1:], chunks[1:])] or [1]))
        slots = min(2 * pieces_per_buffer, max(2, 1 + -(-self.n_jobs // chunks_per_piece)))
        slot_size = rows * int(np.prod(buffer[1:] or [1]))
        ring = np.empty(slots * slot_size, dtype=np.dtype(dataset.dtype))  # pages are touched (resident) only once used
        pending: collections.deque[list] = collections.deque()  # per piece in the ring, its chunks not yet stored
        piece_index = 0
        try:
            for buffer_selection in iterator.buffer_selections():
                for selection in _pieces(buffer_selection, rows):
                    self.check_cancel()
                    if len(pending) == slots:  # the slot to read into holds the oldest piece: store it first
                        chunk_writer.store(pending.popleft(), self.check_cancel)
                    piece_shape = tuple(item.stop - item.start for item in selection)
                    start = (piece_index % slots) * slot_size
                    piece = ring[start : start + int(np.prod(piece_shape))].reshape(piece_shape)
                    piece_index += 1
                    iterator.read_into(selection, piece)
                    if getattr(chunk_writer, "needs_probe", False):
                        chunk_writer.probe(next(_split(piece, selection, chunks))[1])
                    if getattr(chunk_writer, "plain", False):
                        while pending:
                            chunk_writer.store(pending.popleft(), self.check_cancel)
                        dataset[selection] = piece
                        continue
                    pending.append(
                        [chunk_writer.submit(offset, part) for offset, part in _split(piece, selection, chunks)]
                    )
                    _store_finished(pending, chunk_writer, self.check_cancel)
            self._leave_or_store(chunk_writer, [item for items in pending for item in items])
            pending.clear()
        except BaseException:
            chunk_writer.abort([item for items in pending for item in items])
            raise
        self.report[location] = chunk_writer.method
        logger.debug(
            "%s: %s chunks encoded by %s, read into a ring of %s pieces of %s rows",
            location,
            chunks,
            chunk_writer.method,
            slots,
            rows,
        )
        return True

    def _leave_or_store(self, chunk_writer: Any, items: list) -> None:
        """Store the dataset's last chunks; on Zarr, leave them to the threads until :meth:`finish`.

        Zarr chunks are stored by the threads themselves, each under its own key, so the writing thread need not wait
        for them: hdmf goes on with the rest of the file (other datasets, the cached specification, the consolidated
        metadata: Zarr's fixed cost, one thread's work) while both cores finish encoding. On HDF5 the writing thread
        stores every chunk itself, so it waits.
        """
        if self.backend == "zarr" and items:
            self._unfinished.append((chunk_writer, items))
        else:
            chunk_writer.store(items, self.check_cancel)

    def finish(self) -> None:
        """Wait for the chunks left to the threads and raise the first error any of them met (called before the next
        dataset is filled and when hdmf's write or export of the file returns)."""
        while self._unfinished:
            chunk_writer, items = self._unfinished[0]
            try:
                chunk_writer.store(items, self.check_cancel)
            except BaseException:
                for other_writer, other_items in self._unfinished:
                    other_writer.abort(other_items)
                self._unfinished.clear()
                raise
            self._unfinished.pop(0)

    def _as_stored(self, dataset: Any, data: np.ndarray) -> np.ndarray | None:
        """The data in the stored dtype when numpy converts exactly like the backend would, else None."""
        stored = np.dtype(dataset.dtype)
        if data.dtype == stored:
            return data
        if self.backend == "zarr" or np.can_cast(data.dtype, stored, casting="safe"):
            return data.astype(stored)  # zarr converts with numpy itself; safe casts are exact for HDF5 too
        return None

    def _plain(self, dataset: Any, iterator: Any, location: str, reason: str) -> None:
        logger.info("%s is written by the plain path: %s", location, reason)
        self.report[location] = f"plain ({reason})"
        for block in iterator:
            self.check_cancel()
            selection = _normalized(block.selection, np.shape(block.data))
            _grow(dataset, selection)
            dataset[selection] = block.data


def _store_finished(pending: collections.deque, chunk_writer: Any, on_chunk: Callable[[], None]) -> None:
    """Store the chunks already encoded at the head of ``pending`` (in order), without waiting for any."""
    while pending:
        items = pending[0]
        done = 0
        while done < len(items) and items[done][1].done():
            done += 1
        chunk_writer.store(items[:done], on_chunk)
        del items[:done]
        if items:
            return
        pending.popleft()


def _pieces(selection: tuple[slice, ...], rows: int):
    """``selection`` cut along the first axis into pieces of ``rows`` rows (the last one may be shorter)."""
    first = selection[0]
    for start in range(first.start, first.stop, rows):
        yield (slice(start, min(start + rows, first.stop)), *selection[1:])


def _normalized(selection: Any, shape: tuple[int, ...]) -> tuple[slice, ...]:
    if not isinstance(selection, tuple):
        selection = (selection,)
    normalized = []
    for axis, item in enumerate(selection):
        start = item.start or 0
        stop = item.stop if item.stop is not None else start + shape[axis]
        normalized.append(slice(int(start), int(stop)))
    for axis in range(len(selection), len(shape)):
        normalized.append(slice(0, int(shape[axis])))
    return tuple(normalized)


def _grow(dataset: Any, selection: tuple[slice, ...]) -> None:
    """Extend a dataset created smaller than the data (sequential iterators of unknown length)."""
    bounds = tuple(max(length, item.stop) for length, item in zip(dataset.shape, selection))
    if bounds != tuple(dataset.shape):
        dataset.resize(bounds)


def _aligned(selection: tuple[slice, ...], chunks: tuple[int, ...], shape: tuple[int, ...]) -> bool:
    return all(
        item.start % chunk == 0 and (item.stop % chunk == 0 or item.stop == length)
        for item, chunk, length in zip(selection, chunks, shape)
    )


def _split(data: np.ndarray, selection: tuple[slice, ...], chunks: tuple[int, ...]):
    """``(offset in the dataset, part of data)`` for each chunk a chunk-aligned block covers, in C order."""
    starts = [item.start for item in selection]
    counts = [-(-length // chunk) for length, chunk in zip(data.shape, chunks)]
    for index in np.ndindex(*counts):
        local = tuple(
            slice(i * chunk, min((i + 1) * chunk, length)) for i, chunk, length in zip(index, chunks, data.shape)
        )
        offset = tuple(start + item.start for start, item in zip(starts, local))
        yield offset, data[local]
