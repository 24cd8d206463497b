"""Sampled compression preview: the compressed size and codec speed of a configuration, before the write.

Chunks, or parts of chunks, spread through each dataset are encoded with exactly the encoder the writer uses, in
worker threads, until the 95% range of the estimate is narrow enough (``preview_sampling``): deflate and Zstd
chunks are measured part by part (zlib primed with deflate's window, zstd primed and measured between two flushes
of one frame), other codecs chunk by chunk (``preview_encoders``). Text, HDF5 pipelines the writer leaves to
HDF5 itself, and small HDF5 datasets (one chunk of at most :data:`SMALL_DATASET_BYTES`, which the write leaves to
HDF5 too) are written into an in-memory h5py dataset created with the same chunk shape, filters and options
(``codecs.hdf5_dataset_kwargs``), the stored size of each chunk read back from HDF5 (all the small datasets of a
preview in one in-memory file); for Zarr into an in-memory zarr array with the same compressor and filters. Edge
chunks are padded exactly as in the real file. The total is estimated from the sample with a ratio estimator, with a
95% interval from the spread of the sample (Student t, with the finite-population correction, so a fully sampled
dataset is exact).

Only configurations the model accepted are previewed: the model has already refused pipelines that would crash
the process on this kind of data.

>>> import numpy as np
>>> from nwbconfig_widget import HDF5DatasetIOConfiguration
>>> data = np.tile(np.arange(1000, dtype="int16"), 20).reshape(2000, 10)
>>> configuration = HDF5DatasetIOConfiguration(
...     object_id="id", location_in_file="acquisition/ts/data", dataset_name="data", dtype=data.dtype,
...     full_shape=data.shape, chunk_shape=(100, 10), compression_method="gzip")
>>> table = preview_compression(configuration, data)
>>> row = table.loc["acquisition/ts/data"]
>>> int(row.uncompressed_bytes), int(row.sampled_chunks), int(row.number_of_chunks)
(40000, 6, 20)
>>> bool(row.estimated_bytes_low <= row.estimated_bytes <= row.estimated_bytes_high), bool(row.ratio > 1)
(True, True)
"""

from __future__ import annotations

import dataclasses
import functools
import math
import os
import threading
import time
import uuid
import zlib
from collections.abc import Iterable, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import Any

import h5py
import numpy as np

from . import codecs, preview_sampling
from .backends import file_name
from .models import BackendConfiguration, DatasetIOConfiguration
from .preview_encoders import build_encoder

__all__ = [
    "DatasetPreview",
    "NotSampleableError",
    "PREVIEW_COLUMNS",
    "chunk_grid",
    "dataset_source",
    "file_overhead_bytes",
    "preview_compression",
    "preview_dataset",
    "preview_total",
    "sample_chunk_coordinates",
]

#: Columns of the DataFrame returned by :func:`preview_compression`, in order.
PREVIEW_COLUMNS = (
    "backend",
    "compression_method",
    "compression_options",
    "filter_methods",
    "uncompressed_bytes",
    "estimated_bytes",
    "estimated_bytes_low",
    "estimated_bytes_high",
    "ratio",
    "compress_mb_s",
    "decompress_mb_s",
    "number_of_chunks",
    "sampled_chunks",
    "sample_bytes",
    "sample",
    "exact",
    "seconds",
    "note",
)

#: The fixed sampling rule (used when any of ``sample_fraction``, ``min_chunks``, ``max_chunks`` is given, for the
#: datasets the threaded encoders do not cover, and by ``compare_codecs``): this share of a dataset's chunks, at
#: least ``min_chunks``, at most ``max_chunks``.
DEFAULT_SAMPLE_FRACTION = 0.01
DEFAULT_MIN_CHUNKS = 2
DEFAULT_MAX_CHUNKS = 64

# Bytes HDF5 spends per variable-length string outside the chunk (global heap object header), on top of the text.
_HDF5_HEAP_OBJECT_OVERHEAD = 16
_CHECKSUM_BYTES = 4
# Decoding is timed on the first sampled chunks up to this many bytes of data (it varies little between chunks).
_DECODE_TIMING_BYTES = 8_000_000
#: Bytes of metadata each neurodata object and dataset adds to a file (object headers, attributes, .zarray/.zattrs),
#: measured on files written by pynwb 4.2 / hdmf-zarr 0.13; the estimate of it is given a +-50% range.
METADATA_BYTES_PER_OBJECT = {"hdf5": 2_200, "zarr": 1_100}
#: HDF5 datasets stored in one chunk of at most this many bytes (timestamps of a few trials, ids, electrode columns)
#: are measured whole, exactly, through HDF5 itself: the write leaves them to HDF5 too (the writer's threads take only
#: datasets of several chunks and megabytes), and :func:`preview_compression` measures all of them in one in-memory
#: file instead of building a file, an encoder or a decode check for each. No larger than a part of a chunk
#: (``preview_sampling.PART_BYTES``): the threaded encoders measure such chunks whole too.
SMALL_DATASET_BYTES = 262_144

#: Small datasets measured in one in-memory file before the next file is started (bounds its size and link count).
SMALL_DATASETS_PER_FILE = 500

_t95 = preview_sampling.t95
_POOLS: dict[tuple[int, int], ThreadPoolExecutor] = {}
_POOLS_LOCK = threading.Lock()


class NotSampleableError(ValueError):
    """The source data cannot be read in parts without changing it (e.g. a sequential DataChunkIterator)."""


# --------------------------------------------------------------------------------------------------------- sampling


def chunk_grid(full_shape: Sequence[int], chunk_shape: Sequence[int] | None) -> tuple[int, ...]:
    """Number of chunks along each axis (a contiguous dataset is one chunk).

    >>> chunk_grid((1000, 384), (300, 64))
    (4, 6)
    """
    chunk_shape = tuple(chunk_shape or full_shape)
    return tuple(math.ceil(full / chunk) for full, chunk in zip(full_shape, chunk_shape))


def sample_chunk_coordinates(
    configuration: DatasetIOConfiguration,
    *,
    sample_fraction: float = DEFAULT_SAMPLE_FRACTION,
    min_chunks: int = DEFAULT_MIN_CHUNKS,
    max_chunks: int = DEFAULT_MAX_CHUNKS,
) -> list[tuple[int, ...]]:
    """The chunks to sample, as chunk-grid coordinates: deterministic and spread through the dataset.

    The chunks (in storage order) are split into as many equal strata as chunks are sampled and one chunk is drawn
    from each stratum with a generator seeded by the dataset's location, so the same configuration always gives
    the same sample, every part of the dataset is represented, and regular patterns (e.g. always the first channel
    group) are avoided. All chunks are taken when there are no more than ``min_chunks``.

    >>> from nwbconfig_widget import HDF5DatasetIOConfiguration
    >>> configuration = HDF5DatasetIOConfiguration(object_id="id", location_in_file="a/data", dataset_name="data",
    ...     dtype="int16", full_shape=(1000, 384), chunk_shape=(10, 64))
    >>> coordinates = sample_chunk_coordinates(configuration)
    >>> len(coordinates), coordinates == sample_chunk_coordinates(configuration)
    (6, True)
    """
    grid = chunk_grid(configuration.full_shape, configuration.chunk_shape)
    total = math.prod(grid)
    count = min(total, max(int(min_chunks), min(int(max_chunks), math.ceil(sample_fraction * total))))
    if count >= total:
        indices = list(range(total))
    else:
        rng = np.random.default_rng(zlib.crc32(configuration.location_in_file.encode("utf-8")))
        bounds = [stratum * total // count for stratum in range(count + 1)]
        indices = [int(rng.integers(low, high)) for low, high in zip(bounds[:-1], bounds[1:])]
    return [tuple(int(axis) for axis in np.unravel_index(index, grid)) for index in indices]


def _chunk_selection(
    coordinates: Sequence[int], chunk_shape: Sequence[int], full_shape: Sequence[int]
) -> tuple[slice, ...]:
    return tuple(
        slice(index * chunk, min((index + 1) * chunk, full))
        for index, chunk, full in zip(coordinates, chunk_shape, full_shape)
    )


def small_hdf5_dataset(configuration: DatasetIOConfiguration) -> bool:
    """Whether the preview measures this dataset whole through HDF5 (one chunk of at most
    :data:`SMALL_DATASET_BYTES`; see there).

    >>> from nwbconfig_widget import HDF5DatasetIOConfiguration
    >>> small_hdf5_dataset(HDF5DatasetIOConfiguration(object_id="id", location_in_file="trials/id/data",
    ...     dataset_name="data", dtype="int64", full_shape=(40,), chunk_shape=(40,), compression_method="gzip"))
    True
    """
    return (
        configuration.backend == "hdf5"
        and configuration.chunk_shape is not None
        and configuration.number_of_chunks == 1
        and configuration.chunk_size_bytes <= SMALL_DATASET_BYTES
    )


def preview_pool() -> ThreadPoolExecutor | None:
    """The preview's thread pool: one thread per core (None with one core), started once and kept for the process
    instead of for each preview; a process forked from this one starts its own."""
    from .io.parallel import resolve_n_jobs

    workers = resolve_n_jobs(None)
    if workers <= 1:
        return None
    key = (os.getpid(), workers)
    with _POOLS_LOCK:
        if key not in _POOLS:
            _POOLS[key] = ThreadPoolExecutor(workers, thread_name_prefix="nwbconfig-preview")
        return _POOLS[key]


# --------------------------------------------------------------------------------------------------------- sources


def dataset_source(nwbfile: Any, configuration: DatasetIOConfiguration) -> Any:
    """The source data of a configured dataset of ``nwbfile`` (numpy array, h5py/zarr dataset, hdmf iterator...).

    Any ``DataIO`` wrapper, and the writer's own buffering iterators, are looked through.
    """
    from hdmf.container import Data

    from .discovery import unwrap
    from .io.iterators import BufferedDataIterator, RebufferedDataChunkIterator

    container = nwbfile.objects.get(configuration.object_id)
    if container is None:
        raise KeyError(f"{configuration.location_in_file}: no object with id {configuration.object_id} in this NWBFile")
    value = container.data if isinstance(container, Data) else container.fields.get(configuration.dataset_name)
    source, _ = unwrap(value)
    while isinstance(source, (BufferedDataIterator, RebufferedDataChunkIterator)):
        source, _ = unwrap(source.source)
    return source


def _reader(source: Any):
    """A function reading one selection of ``source`` as a numpy array, without changing the source."""
    from hdmf.data_utils import AbstractDataChunkIterator, DataChunkIterator, GenericDataChunkIterator

    from .io.iterators import array_reader

    if isinstance(source, DataChunkIterator):
        raise NotSampleableError(
            "its data is a sequential DataChunkIterator, which can only be read once from start to end: "
            "sampling it would consume it before the write (wrap the data in a GenericDataChunkIterator, or "
            "preview the array it reads from)"
        )
    if isinstance(source, AbstractDataChunkIterator) and not isinstance(source, GenericDataChunkIterator):
        raise NotSampleableError(f"its {type(source).__name__} cannot be read at random positions")
    read = array_reader(source)

    def read_selection(selection: tuple[slice, ...]) -> np.ndarray:
        block = np.asarray(read(selection))
        if block.dtype.kind in "SU":
            block = block.astype(object)
        return block

    return read_selection


# ----------------------------------------------------------------------------------------------- encoding a sample


@dataclasses.dataclass
class _ChunkMeasure:
    data_bytes: int  # uncompressed bytes of the data inside the dataset
    stored_bytes: int  # bytes the chunk takes in the file
    write_seconds: float
    read_seconds: float | None  # None when the chunk was not read back


def _text_heap_bytes(block: np.ndarray) -> int:
    total = 0
    for value in block.ravel():
        text = value.encode("utf-8") if isinstance(value, str) else bytes(value or b"")
        total += _HDF5_HEAP_OBJECT_OVERHEAD + 8 * math.ceil(len(text) / 8)
    return total


def scratch_hdf5_file() -> h5py.File:
    """An HDF5 file in memory (core driver, nothing written to disk) without a chunk cache: every write goes through
    the filters at once and every read back through them. The preview encodes the datasets HDF5 must encode itself
    in such a file, all of a preview's small datasets in one (see :func:`preview_compression`)."""
    return h5py.File(f"preview-{uuid.uuid4().hex}.h5", "w", driver="core", backing_store=False, rdcc_nbytes=0)


def _measure_hdf5(
    configuration: DatasetIOConfiguration,
    blocks: list[tuple[tuple[int, ...], np.ndarray]],
    scratch: h5py.File | None = None,
):
    if scratch is None:
        with scratch_hdf5_file() as file:
            return _measure_hdf5(configuration, blocks, file)
    kwargs = codecs.hdf5_dataset_kwargs(
        configuration.compression_method, configuration.compression_options, configuration.filter_methods
    )
    dtype = configuration.dtype
    text = dtype.kind == "O"
    storage_dtype = h5py.string_dtype() if text else dtype
    chunk_shape = configuration.chunk_shape
    measures = []
    name = f"sample{len(scratch)}"
    dataset = scratch.create_dataset(
        name, shape=configuration.full_shape, dtype=storage_dtype, chunks=chunk_shape, **kwargs
    )
    decoded = 0
    for coordinates, block in blocks:
        selection = _chunk_selection(coordinates, chunk_shape, configuration.full_shape)
        start = time.perf_counter()
        dataset[selection] = block
        written = time.perf_counter()
        read_seconds = None
        if decoded < _DECODE_TIMING_BYTES:  # decoding speed varies little between chunks: time a few
            dataset[selection]
            read_seconds = time.perf_counter() - written
            decoded += block.size * configuration.itemsize
        offset = tuple(index * chunk for index, chunk in zip(coordinates, chunk_shape))
        stored = int(dataset.id.get_chunk_info_by_coord(offset).size)
        if text:
            stored += _text_heap_bytes(block)
        measures.append(_ChunkMeasure(block.size * configuration.itemsize, stored, written - start, read_seconds))
    return measures


def _measure_zarr(configuration: DatasetIOConfiguration, blocks: list[tuple[tuple[int, ...], np.ndarray]]):
    import zarr

    dtype = configuration.dtype
    compressor = codecs.zarr_compressor(configuration.compression_method, configuration.compression_options, dtype)
    filters = codecs.zarr_filters(configuration.filter_methods, configuration.filter_options, dtype)
    store = zarr.storage.MemoryStore()
    # The same arguments hdmf-zarr gives zarr (fill value 0, text as variable-length UTF-8).
    array = zarr.create(
        shape=configuration.full_shape,
        chunks=configuration.chunk_shape,
        dtype=str if dtype.kind == "O" else dtype,
        compressor=compressor,
        filters=filters or None,
        store=store,
        fill_value=0,
        dimension_separator=".",  # chunk (1, 2) is the store key "1.2" (a 0-d array's only chunk is "0")
    )
    measures = []
    decoded = 0
    for coordinates, block in blocks:
        selection = _chunk_selection(coordinates, configuration.chunk_shape, configuration.full_shape)
        start = time.perf_counter()
        array[selection] = block
        written = time.perf_counter()
        read_seconds = None
        if decoded < _DECODE_TIMING_BYTES:
            array[selection]
            read_seconds = time.perf_counter() - written
            decoded += block.size * configuration.itemsize
        stored = len(store[".".join(str(index) for index in coordinates or (0,))])
        measures.append(_ChunkMeasure(block.size * configuration.itemsize, stored, written - start, read_seconds))
    return measures


def _measure(
    configuration: DatasetIOConfiguration,
    blocks: list[tuple[tuple[int, ...], np.ndarray]],
    scratch: h5py.File | None = None,
):
    if configuration.backend == "hdf5":
        return _measure_hdf5(configuration, blocks, scratch)
    return _measure_zarr(configuration, blocks)


# ------------------------------------------------------------------------------------------------------- estimate


@dataclasses.dataclass
class DatasetPreview:
    """The preview of one dataset configuration: estimated stored size with a 95% range, codec speed, the sample.

    ``sample`` lists the chunk-grid coordinates encoded; ``exact`` is True when the size needs no estimate (every
    chunk sampled, or no compression); ``note`` says why a figure is missing or approximate.
    """

    location_in_file: str
    backend: str
    compression_method: str | None
    compression_options: dict[str, Any] | None
    filter_methods: list[str]
    uncompressed_bytes: int
    estimated_bytes: float = float("nan")
    estimated_bytes_low: float = float("nan")
    estimated_bytes_high: float = float("nan")
    compress_mb_s: float = float("nan")
    decompress_mb_s: float = float("nan")
    number_of_chunks: int = 0
    sample: list[tuple[int, ...]] = dataclasses.field(default_factory=list)
    sample_bytes: int = 0
    exact: bool = False
    seconds: float = 0.0
    note: str = ""

    @property
    def ratio(self) -> float:
        """Uncompressed bytes / estimated stored bytes."""
        if not self.estimated_bytes or math.isnan(self.estimated_bytes):
            return float("nan")
        return self.uncompressed_bytes / self.estimated_bytes

    def as_row(self) -> dict[str, Any]:
        """The preview as one row of :func:`preview_compression`'s DataFrame."""
        row = {name: getattr(self, name) for name in PREVIEW_COLUMNS if name != "sampled_chunks"}
        row["sampled_chunks"] = len(self.sample)
        row["sample"] = list(self.sample)
        return {"location_in_file": self.location_in_file, **{name: row[name] for name in PREVIEW_COLUMNS}}


def _uncompressed_stored_bytes(configuration: DatasetIOConfiguration) -> int | None:
    """Stored bytes when the pipeline does not change sizes (no compression), or None when it must be measured."""
    if configuration.compression_method is not None or configuration.dtype.kind == "O":
        return None
    if configuration.backend == "hdf5":
        if configuration.chunk_shape is None:
            return configuration.full_size_bytes
        per_chunk = configuration.chunk_size_bytes + _CHECKSUM_BYTES * ("fletcher32" in configuration.filter_methods)
        return configuration.number_of_chunks * per_chunk
    if set(configuration.filter_methods) <= {"shuffle", "delta"}:
        return configuration.number_of_chunks * configuration.chunk_size_bytes
    return None


def _speed(nbytes: int, seconds: float) -> float:
    return nbytes / seconds / 1e6 if seconds > 0 else float("nan")


def _record_sample(
    preview: DatasetPreview,
    configuration: DatasetIOConfiguration,
    data_bytes: int,
    encode_seconds: float,
    decoded: list[tuple[int, float]],
) -> bool:
    """Record the sample's size and codec speeds (``decoded``: bytes and seconds of the units whose decode was timed);
    for an uncompressed dataset also its exact size, and return True (nothing is left to estimate)."""
    preview.sample_bytes = int(data_bytes)
    preview.compress_mb_s = _speed(int(data_bytes), encode_seconds)
    preview.decompress_mb_s = _speed(sum(nbytes for nbytes, _ in decoded), sum(seconds for _, seconds in decoded))
    fixed = _uncompressed_stored_bytes(configuration)
    if fixed is None:
        return False
    preview.estimated_bytes = preview.estimated_bytes_low = preview.estimated_bytes_high = float(fixed)
    preview.exact = True
    return True


def _estimate(preview: DatasetPreview, configuration: DatasetIOConfiguration, measures: list[_ChunkMeasure]) -> None:
    total_chunks = configuration.number_of_chunks
    data = np.array([measure.data_bytes for measure in measures], dtype=float)
    stored = np.array([measure.stored_bytes for measure in measures], dtype=float)
    decoded = [(measure.data_bytes, measure.read_seconds) for measure in measures if measure.read_seconds is not None]
    if _record_sample(preview, configuration, int(data.sum()), sum(m.write_seconds for m in measures), decoded):
        return
    if len(measures) >= total_chunks:
        total = float(stored.sum())
        preview.estimated_bytes = preview.estimated_bytes_low = preview.estimated_bytes_high = total
        preview.exact = True
        return
    # Ratio estimator: stored bytes per byte of data, times the data bytes of the whole dataset.
    ratio = stored.sum() / data.sum()
    estimate = ratio * configuration.full_size_bytes
    count = len(measures)
    if count >= 2:
        residuals = stored - ratio * data
        spread = math.sqrt(float(np.sum(residuals**2)) / (count - 1))
        standard_error = (
            configuration.full_size_bytes / data.mean() * spread * math.sqrt((1 - count / total_chunks) / count)
        )
        half_width = _t95(count - 1) * standard_error
    else:
        half_width = estimate  # one chunk says nothing about the spread
        preview.note = "one chunk sampled: the range is a guess"
    preview.estimated_bytes = float(estimate)
    preview.estimated_bytes_low = float(max(stored.sum(), estimate - half_width))
    preview.estimated_bytes_high = float(estimate + half_width)


def preview_dataset(
    configuration: DatasetIOConfiguration,
    data: Any,
    *,
    sample_fraction: float | None = None,
    min_chunks: int | None = None,
    max_chunks: int | None = None,
    blocks: list[tuple[tuple[int, ...], np.ndarray]] | None = None,
    total_bytes: float | None = None,
    executor: Executor | None = None,
    scratch: h5py.File | None = None,
) -> DatasetPreview:
    """Preview one dataset configuration on its source ``data``; see :func:`preview_compression`.

    ``blocks`` (chunk coordinates, values) reuses a sample already read, e.g. to compare codecs on the same chunks.
    ``total_bytes`` is the uncompressed size of the whole file previewed (it sets how narrow this dataset's range
    must be, see ``preview_sampling.target_half_width``); ``executor`` a thread pool to encode in (default: the
    preview's pool, one thread per core, kept for the process); ``scratch`` an open ``scratch_hdf5_file()`` that
    datasets encoded through HDF5 itself are written to (default: a new one for this dataset). A source that cannot
    be sampled gives a preview without estimates whose ``note`` says why.
    """
    started = time.perf_counter()
    preview = DatasetPreview(
        location_in_file=configuration.location_in_file,
        backend=configuration.backend,
        compression_method=configuration.compression_method,
        compression_options=dict(configuration.compression_options) if configuration.compression_options else None,
        filter_methods=list(configuration.filter_methods),
        uncompressed_bytes=configuration.full_size_bytes,
        number_of_chunks=configuration.number_of_chunks,
    )
    fixed_rule = not (sample_fraction is None and min_chunks is None and max_chunks is None)
    rule = dict(
        sample_fraction=DEFAULT_SAMPLE_FRACTION if sample_fraction is None else sample_fraction,
        min_chunks=DEFAULT_MIN_CHUNKS if min_chunks is None else min_chunks,
        max_chunks=DEFAULT_MAX_CHUNKS if max_chunks is None else max_chunks,
    )
    if configuration.chunk_shape is None and _uncompressed_stored_bytes(configuration) is not None:
        preview.estimated_bytes = preview.estimated_bytes_low = preview.estimated_bytes_high = float(
            configuration.full_size_bytes
        )
        preview.exact = True
        preview.note = "contiguous: stored as it is"
        preview.seconds = time.perf_counter() - started
        return preview
    if blocks is None:
        try:
            read = _reader(data)
        except NotSampleableError as exc:
            fixed = _uncompressed_stored_bytes(configuration)
            if fixed is not None:
                preview.estimated_bytes = preview.estimated_bytes_low = preview.estimated_bytes_high = float(fixed)
                preview.exact = True
            preview.note = f"not sampled: {exc}"
            preview.seconds = time.perf_counter() - started
            return preview
        fixed = _uncompressed_stored_bytes(configuration)
        if fixed is not None and not fixed_rule:  # nothing to estimate: the pipeline does not change sizes
            preview.estimated_bytes = preview.estimated_bytes_low = preview.estimated_bytes_high = float(fixed)
            preview.exact = True
            preview.note = "uncompressed: computed, not sampled"
            preview.seconds = time.perf_counter() - started
            return preview
        if small_hdf5_dataset(configuration):  # its one chunk, through HDF5 as in the write: exact
            blocks = _read_blocks(configuration, read, sample_fraction=1.0, min_chunks=1, max_chunks=1)
        else:
            encoder = build_encoder(configuration, read, whole_chunks=fixed_rule)
            if encoder is not None:
                _preview_with_encoder(preview, configuration, encoder, fixed_rule, rule, total_bytes, executor)
                preview.seconds = time.perf_counter() - started
                return preview
            blocks = _read_blocks(configuration, read, **rule)
    if configuration.chunk_shape is None:  # contiguous text: one "chunk", the whole dataset
        heap = sum(_text_heap_bytes(block) for _, block in blocks)
        preview.estimated_bytes = preview.estimated_bytes_low = preview.estimated_bytes_high = float(
            configuration.full_size_bytes + heap
        )
        preview.exact, preview.sample = True, [coordinates for coordinates, _ in blocks]
        preview.seconds = time.perf_counter() - started
        return preview
    measures = _measure(configuration, blocks, scratch)
    preview.sample = [coordinates for coordinates, _ in blocks]
    _estimate(preview, configuration, measures)
    preview.seconds = time.perf_counter() - started
    return preview


def _preview_with_encoder(
    preview: DatasetPreview,
    configuration: DatasetIOConfiguration,
    encoder: preview_sampling.Encoder,
    fixed_rule: bool,
    rule: dict[str, Any],
    total_bytes: float | None,
    executor: Executor | None,
) -> None:
    """Sample with the threaded encoder: the fixed rule's whole chunks, or units until the range is narrow enough."""
    from .io.parallel import resolve_n_jobs

    workers = resolve_n_jobs(None)
    pool = executor if executor is not None else preview_pool()
    if fixed_rule:
        grid = chunk_grid(configuration.full_shape, configuration.chunk_shape)
        units = [
            int(np.ravel_multi_index(coordinates, grid))
            for coordinates in sample_chunk_coordinates(configuration, **rule)
        ]
        flags = [index == 0 for index in range(len(units))]
        measures = list(pool.map(encoder.measure, units, flags) if pool else map(encoder.measure, units, flags))
        figures = preview_sampling.estimate(encoder, measures, float(configuration.full_size_bytes))
    else:
        measures, figures = preview_sampling.sample(
            encoder,
            pool,
            seed=zlib.crc32(configuration.location_in_file.encode("utf-8")),
            data_bytes=float(configuration.full_size_bytes),
            dataset_bytes=configuration.full_size_bytes,
            total_bytes=total_bytes or configuration.full_size_bytes,
            workers=workers,
        )
    grid = chunk_grid(configuration.full_shape, configuration.chunk_shape)
    chunks = list(dict.fromkeys(measure.chunk for measure in measures))
    preview.sample = [tuple(int(axis) for axis in np.unravel_index(chunk, grid)) for chunk in chunks]
    data_bytes = sum(measure.data_bytes for measure in measures)
    decoded = [(m.data_bytes, m.decode_seconds) for m in measures if m.decode_seconds is not None]
    if _record_sample(preview, configuration, data_bytes, sum(m.seconds for m in measures), decoded):
        return
    value, half_width, floor = figures
    preview.estimated_bytes = float(value)
    preview.estimated_bytes_low = float(max(floor, value - half_width))
    preview.estimated_bytes_high = float(value + half_width)
    preview.exact = half_width == 0
    if len(measures) == 1 and not preview.exact:
        preview.estimated_bytes_low, preview.note = float(floor), "one chunk sampled: the range is a guess"
    if encoder.parts > 1:
        preview.note = f"{len(measures)} parts of {encoder.part_bytes // 1024:,} KiB in {len(chunks)} chunks"


def _read_blocks(configuration: DatasetIOConfiguration, read, **rule) -> list[tuple[tuple[int, ...], np.ndarray]]:
    coordinates = sample_chunk_coordinates(configuration, **rule)
    chunk_shape = configuration.chunk_shape or configuration.full_shape
    return [
        (coordinate, read(_chunk_selection(coordinate, chunk_shape, configuration.full_shape)))
        for coordinate in coordinates
    ]


def read_sample(
    configuration: DatasetIOConfiguration,
    data: Any,
    *,
    sample_fraction: float = DEFAULT_SAMPLE_FRACTION,
    min_chunks: int = DEFAULT_MIN_CHUNKS,
    max_chunks: int = DEFAULT_MAX_CHUNKS,
) -> list[tuple[tuple[int, ...], np.ndarray]]:
    """Read the sampled chunks of ``data`` for ``configuration``: a list of (chunk coordinates, values).

    Raises :class:`NotSampleableError` for data that cannot be read in parts without consuming it.
    """
    return _read_blocks(
        configuration, _reader(data), sample_fraction=sample_fraction, min_chunks=min_chunks, max_chunks=max_chunks
    )


def preview_compression(
    target: Any,
    source: Any = None,
    *,
    sample_fraction: float | None = None,
    min_chunks: int | None = None,
    max_chunks: int | None = None,
    locations: Iterable[str] | None = None,
):
    """Estimate the stored size and codec speed of every dataset before writing; a pandas DataFrame.

    - ``preview_compression(dataset_configuration, data)``: one dataset and its source data (numpy array, h5py or
      zarr dataset of an existing file, ``GenericDataChunkIterator``).
    - ``preview_compression(nwbfile, backend_configuration)``: every dataset of the configuration, with the sources
      taken from ``nwbfile`` (``backend_configuration=None`` previews the default HDF5 configuration);
      ``locations`` limits it to some datasets.

    Rows are indexed by location in the file; columns are :data:`PREVIEW_COLUMNS`: ``uncompressed_bytes``,
    ``estimated_bytes`` with the 95% range ``estimated_bytes_low`` / ``estimated_bytes_high``, ``ratio``
    (uncompressed / estimated), ``compress_mb_s`` and ``decompress_mb_s`` (MB of data per second through the whole
    pipeline on one core), ``number_of_chunks``, ``sampled_chunks``, ``sample_bytes``, ``sample`` (the chunk-grid
    coordinates encoded), ``exact``, ``seconds`` spent and a ``note``. ``DataFrame.attrs["total"]`` holds the totals
    (see :func:`preview_total`); for a whole file also ``overhead_bytes`` (the cached schema, see
    :func:`file_overhead_bytes`, plus :data:`METADATA_BYTES_PER_OBJECT` per object) and ``file_bytes`` with
    ``file_bytes_low`` / ``file_bytes_high``: the estimated size of the file on disk.

    By default the sample of each dataset grows until its 95% range is narrow enough: about 2% of the file's total
    once the datasets' ranges are combined (``preview_sampling.TARGET_HALF_WIDTH``); units (parts of chunks for
    deflate and Zstd, whole chunks otherwise) are encoded on every core. Giving any of ``sample_fraction``,
    ``min_chunks`` or ``max_chunks`` applies the fixed rule instead: that share of each dataset's chunks, at least
    ``min_chunks`` (all when there are fewer) and at most ``max_chunks``, encoded whole (defaults 1%, 2 and 64).
    Data held in a sequential ``DataChunkIterator`` cannot be sampled without consuming it: its row has no estimate
    and its note says so. Uncompressed datasets need no sample.
    """
    import pandas as pd

    options = dict(sample_fraction=sample_fraction, min_chunks=min_chunks, max_chunks=max_chunks)
    if isinstance(target, DatasetIOConfiguration):
        items = [(target, source)]
    else:
        backend_configuration = source
        if backend_configuration is None:
            from .backend_configuration import get_default_backend_configuration

            backend_configuration = get_default_backend_configuration(target, backend="hdf5")
        if not isinstance(backend_configuration, BackendConfiguration):
            raise TypeError(
                "preview_compression(nwbfile, backend_configuration) takes a BackendConfiguration, "
                f"got {type(backend_configuration).__name__}"
            )
        wanted = set(locations) if locations is not None else None
        items = [
            (configuration, dataset_source(target, configuration))
            for configuration in backend_configuration
            if wanted is None or configuration.location_in_file in wanted
        ]
    # Every dataset's range is sized against the data of the whole preview (see preview_sampling.target_half_width).
    total_bytes = float(sum(configuration.full_size_bytes for configuration, _ in items))
    executor = preview_pool()
    previews: list[DatasetPreview | None] = [None] * len(items)
    # The small HDF5 datasets first, many in one in-memory file (one file each cost more than their encoding), a new
    # file every SMALL_DATASETS_PER_FILE: one file holding 50,000 of them made each addition slower and kept them all.
    small = [index for index, (configuration, _) in enumerate(items) if small_hdf5_dataset(configuration)]
    for start in range(0, len(small), SMALL_DATASETS_PER_FILE):
        with scratch_hdf5_file() as scratch:
            for index in small[start : start + SMALL_DATASETS_PER_FILE]:
                configuration, data = items[index]
                previews[index] = preview_dataset(
                    configuration, data, total_bytes=total_bytes, executor=executor, scratch=scratch, **options
                )
    for index, (configuration, data) in enumerate(items):
        if previews[index] is None:
            previews[index] = preview_dataset(
                configuration, data, total_bytes=total_bytes, executor=executor, **options
            )
    rows = [preview.as_row() for preview in previews]
    table = pd.DataFrame(rows, columns=["location_in_file", *PREVIEW_COLUMNS]).set_index("location_in_file")
    table["ratio"] = table["uncompressed_bytes"] / table["estimated_bytes"]
    total = preview_total(table)
    if not isinstance(target, DatasetIOConfiguration):
        backend = backend_configuration.backend
        objects = (
            len(target.objects) - 1 + len(backend_configuration) + len(backend_configuration.unconfigurable_datasets)
        )
        per_object = METADATA_BYTES_PER_OBJECT[backend] * objects
        total["overhead_bytes"] = float(file_overhead_bytes(backend) + per_object)
        total["file_bytes"] = total["estimated_bytes"] + total["overhead_bytes"]
        total["file_bytes_low"] = total["estimated_bytes_low"] + total["overhead_bytes"] - per_object / 2
        total["file_bytes_high"] = total["estimated_bytes_high"] + total["overhead_bytes"] + per_object / 2
    table.attrs["total"] = total
    return table


@functools.lru_cache(maxsize=2)
def file_overhead_bytes(backend: str) -> int:
    """Bytes an NWB file of ``backend`` takes with no data: the cached schema and the required metadata.

    Measured once per process by writing an empty NWBFile to a temporary folder (about 0.2 MB).
    """
    import os
    import tempfile

    from pynwb.testing.mock.file import mock_NWBFile

    from .io import configure_and_write_nwbfile

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, file_name("empty", backend))
        configure_and_write_nwbfile(mock_NWBFile(), path, backend=backend)
        if backend == "zarr":
            return sum(os.path.getsize(os.path.join(root, name)) for root, _, names in os.walk(path) for name in names)
        return os.path.getsize(path)


def preview_total(table) -> dict[str, float]:
    """Totals of a preview table: uncompressed and estimated bytes with a 95% range, ratio, unsampled datasets.

    The range combines the datasets' ranges as independent errors (root of the sum of squared half-widths);
    datasets without an estimate are counted in ``not_estimated`` and left out of the sums.

    >>> import pandas as pd
    >>> table = pd.DataFrame({"uncompressed_bytes": [100, 50], "estimated_bytes": [40.0, 25.0],
    ...     "estimated_bytes_low": [37.0, 21.0], "estimated_bytes_high": [43.0, 29.0]})
    >>> preview_total(table)["estimated_bytes_high"]
    70.0
    """
    estimated = table["estimated_bytes"].notna()
    rows = table[estimated]
    uncompressed = float(rows["uncompressed_bytes"].sum())
    estimate = float(rows["estimated_bytes"].sum())
    upper = float(np.sqrt(np.sum((rows["estimated_bytes_high"] - rows["estimated_bytes"]) ** 2)))
    lower = float(np.sqrt(np.sum((rows["estimated_bytes"] - rows["estimated_bytes_low"]) ** 2)))
    return {
        "uncompressed_bytes": uncompressed,
        "estimated_bytes": estimate,
        "estimated_bytes_low": estimate - lower,
        "estimated_bytes_high": estimate + upper,
        "ratio": uncompressed / estimate if estimate else float("nan"),
        "not_estimated": int((~estimated).sum()),
        "not_estimated_uncompressed_bytes": float(table.loc[~estimated, "uncompressed_bytes"].sum()),
    }
