"""Variance-driven sampling for the preview: parts of chunks encoded in threads with the writer's own encoders.

A dataset is split into *units*: whole chunks, or, where the codec allows it, parts of chunks (:data:`PART_BYTES`
of the bytes the compressor receives). Units are drawn in a nested stratified order (:func:`nested_order`: every
prefix of the order is spread through the dataset) and encoded in a thread pool, in batches; after each batch the
ratio estimate and its 95% range are computed, and sampling stops as soon as the range is narrow enough
(:func:`target_half_width`), or every unit was encoded (the size is then exact).

Parts of chunks:

- **deflate** (HDF5 gzip, Zarr GZip/Zlib): a part is compressed by zlib with the 32 KiB before it as a preset
  dictionary, which is deflate's whole window, so it is compressed as it would be inside the chunk's stream;
- **Zstandard** (HDF5 Zstd, Zarr Zstd): a part starts at a multiple of zstd's 128 KiB block and is measured inside a
  frame primed with the 512 KiB before it (:mod:`.preview_zstd`), with the zstd library the writer uses;
- **Blosc** (HDF5 Blosc in the writer's threads, Zarr Blosc without filters): Blosc compresses blocks of a fixed
  size independently, so a part of whole blocks is compressed alone with the chunk's block size (read from the frame
  of at most 2 MiB of zeros) and its blocks counted without the frame's header and block offsets;
- anything else, and any chunk not larger than a part, is encoded whole, exactly as the writer stores it.

Splitting a chunk into parts is not free of bias: a measured bound per part (:data:`PART_BIAS_BYTES`) is added to
the range. The design page of the documentation gives the measurements behind every constant here.

>>> order = nested_order(10, seed=1)
>>> sorted(order) == list(range(10)), len(order)
(True, 10)
>>> first_two = order[:2]
>>> (first_two[0] < 5) != (first_two[1] < 5)  # one unit from each half
True
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import threading
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor
from typing import Any

import numpy as np

#: Bytes of a part of a chunk, per compressor family (chunks not larger than this are encoded whole).
PART_BYTES = {"deflate": 262_144, "zstd": 262_144, "blosc": 262_144}
#: Bytes before a part that prime the compressor: deflate's whole window; 512 KiB of zstd's history.
PRIMER_BYTES = {"deflate": 32_768, "zstd": 524_288}
#: Bound on how far the stored bytes of one part, measured alone, can be from its share of the whole chunk.
PART_BIAS_BYTES = {"deflate": 256, "zstd": 512, "blosc": 0}
#: The sample grows until the dataset's 95% range is at most this share of the file total (see target_half_width).
TARGET_HALF_WIDTH = 0.02
#: Units always encoded before the variance is trusted (all of them when there are fewer).
MIN_UNITS = 6
#: A sample whose units all compress alike (ratios within this share of each other) may have missed a different part
#: of the dataset (e.g. silent stretches and loud ones): it is trusted only from ``4 * MIN_UNITS`` units on.
ALIKE = 0.001
#: Sampling stops once this share of a dataset's bytes was encoded, whatever the range (which stays honest).
MAX_SHARE = 0.25
#: The speed of decoding is timed on the first units up to this many bytes of data (at least one unit).
DECODE_TIMING_BYTES = 500_000

# Two-sided 95% quantiles of Student's t for 1..30 degrees of freedom; 1.96 beyond.
_T95 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)  # fmt: skip


def t95(degrees_of_freedom: int) -> float:
    """The two-sided 95% quantile of Student's t (1.96 beyond 30 degrees of freedom)."""
    return _T95[degrees_of_freedom - 1] if degrees_of_freedom <= len(_T95) else 1.96


def nested_order(count: int, seed: int) -> list[int]:
    """All of ``range(count)`` in an order whose every prefix is spread through the range.

    The first unit is drawn at random; then, level after level, every interval holding one drawn unit is halved and
    a unit is drawn at random in the half without one, the new units of a level coming in random order. The first
    ``2**k`` units are thus a stratified sample (one unit in each of ``2**k`` equal strata), and the strata of later
    units nest in those of earlier ones. Deterministic for a given seed; :func:`iter_nested_order` gives the same
    order lazily.
    """
    return list(iter_nested_order(count, seed))


def iter_nested_order(count: int, seed: int) -> Iterator[int]:
    """:func:`nested_order`, one level at a time: a prefix costs only the levels it reaches (the sample of a dataset
    of thousands of parts usually stops after a few dozen units).

    >>> import itertools
    >>> list(itertools.islice(iter_nested_order(1000, seed=3), 8)) == nested_order(1000, seed=3)[:8]
    True
    """
    if count <= 0:
        return
    rng = np.random.default_rng(seed)
    first = int(rng.integers(0, count))
    yield first
    drawn_so_far = 1
    intervals = [(0, count, first)]
    while drawn_so_far < count:
        split, new = [], []
        for low, high, chosen in intervals:
            if high - low <= 1:
                split.append((low, high, chosen))
                continue
            middle = (low + high) // 2
            keep, other = ((low, middle), (middle, high)) if chosen < middle else ((middle, high), (low, middle))
            drawn = int(rng.integers(other[0], other[1]))
            split += [(keep[0], keep[1], chosen), (other[0], other[1], drawn)]
            new.append(drawn)
        for index in rng.permutation(len(new)):
            yield new[index]
        drawn_so_far += len(new)
        intervals = split


def target_half_width(estimate: float, dataset_bytes: float, total_bytes: float) -> float:
    """How narrow a dataset's 95% range must be: :data:`TARGET_HALF_WIDTH` of its estimate, widened by the square
    root of the file's data over the dataset's, so that a dataset's share of the file's range follows its share of the
    data (ranges of datasets that compress alike then add up, as independent errors, to about the target)."""
    return TARGET_HALF_WIDTH * estimate * math.sqrt(max(total_bytes, dataset_bytes) / max(dataset_bytes, 1))


# --------------------------------------------------------------------------------------------------------- units


@dataclasses.dataclass
class UnitMeasure:
    chunk: int  # the chunk's index in storage order
    data_bytes: int  # bytes of the dataset's data in the unit (the padding of edge chunks left out)
    stored_bytes: int
    seconds: float
    decode_seconds: float | None = None


@dataclasses.dataclass
class Encoder:
    """How to measure the units of one dataset: ``measure(unit, time_decode)`` in a worker thread.

    ``parts`` is the number of units per chunk; ``chunk_bytes`` the bytes of a padded chunk as the compressor sees
    them; ``overhead`` the bytes each stored chunk adds to its parts' (container header and trailer);
    ``bias_bytes`` the bound per part added to the range.
    """

    name: str
    chunks: int
    parts: int
    chunk_bytes: int
    measure: Callable[[int, bool], UnitMeasure]
    overhead: int = 0
    bias_bytes: int = 0
    part_bytes: int = 0  # bytes of each part but the last of a chunk (0: whole chunks)

    @property
    def units(self) -> int:
        return self.chunks * self.parts

    def unit_bytes(self, unit: int) -> int:
        if self.parts == 1:
            return self.chunk_bytes
        index = unit % self.parts
        return min(self.chunk_bytes, (index + 1) * self.part_bytes) - index * self.part_bytes


class ChunkSource:
    """Reads padded chunks (or leading-axis rows of them) of a dataset, one read at a time."""

    def __init__(self, read: Callable, full_shape, chunk_shape, dtype: np.dtype, fill: Any = 0):
        self.read = read
        self.full_shape = tuple(int(length) for length in full_shape)
        self.chunk_shape = tuple(int(length) for length in chunk_shape)
        self.dtype = np.dtype(dtype)
        self.fill = fill
        self.grid = tuple(math.ceil(full / chunk) for full, chunk in zip(self.full_shape, self.chunk_shape))
        self._lock = threading.Lock()  # sources such as iterators may not be safe to read from two threads

    def coordinates(self, chunk: int) -> tuple[int, ...]:
        return tuple(int(axis) for axis in np.unravel_index(chunk, self.grid))

    def rows(self, chunk: int, start: int | None = None, stop: int | None = None) -> np.ndarray:
        """Rows ``start:stop`` (leading axis) of the padded chunk, C-contiguous, in the stored dtype."""
        coordinates = self.coordinates(chunk)
        first = self.chunk_shape[0] if self.chunk_shape else 1
        start, stop = (0 if start is None else start), (first if stop is None else stop)
        shape = (stop - start, *self.chunk_shape[1:]) if self.chunk_shape else ()
        selection, inside = [], []
        for axis, (index, length, full) in enumerate(zip(coordinates, self.chunk_shape, self.full_shape)):
            low = index * length + (start if axis == 0 else 0)
            high = min(index * length + (stop if axis == 0 else length), full)
            selection.append(slice(low, max(low, high)))
            inside.append(max(0, high - low))
        if not self.chunk_shape:
            with self._lock:
                return np.ascontiguousarray(np.asarray(self.read(())), dtype=self.dtype)
        if any(length == 0 for length in inside):
            block = np.empty((0,) * len(shape), dtype=self.dtype)
        else:
            with self._lock:
                block = np.asarray(self.read(tuple(selection)))
        if tuple(block.shape) == shape:
            return np.ascontiguousarray(block, dtype=self.dtype)
        padded = np.empty(shape, dtype=self.dtype)
        padded[...] = self.fill
        padded[tuple(slice(0, length) for length in block.shape)] = block
        return padded

    def row_bytes(self) -> int:
        return int(np.prod(self.chunk_shape[1:], dtype=np.int64)) * self.dtype.itemsize

    def _inside_lengths(self, chunk: int) -> list[int]:
        coordinates = self.coordinates(chunk)
        return [
            max(0, min(length, full - index * length))
            for index, length, full in zip(coordinates, self.chunk_shape, self.full_shape)
        ]

    def inside_fraction(self, chunk: int) -> float:
        """The share of a padded chunk that holds data of the dataset (1 but for edge chunks)."""
        return math.prod(self._inside_lengths(chunk)) / max(1, math.prod(self.chunk_shape))

    def inside_bytes(self, chunk: int) -> int:
        return math.prod(self._inside_lengths(chunk)) * self.dtype.itemsize

    def inside_mask(self, chunk: int, start: int, stop: int) -> np.ndarray | None:
        """Which elements of rows ``start:stop`` of the padded chunk hold data; None when all do."""
        lengths = self._inside_lengths(chunk)
        if lengths == list(self.chunk_shape):
            return None
        mask = np.zeros((stop - start, *self.chunk_shape[1:]), dtype=bool)
        mask[(slice(0, max(0, lengths[0] - start)), *(slice(0, length) for length in lengths[1:]))] = True
        return mask


def stream_range(
    source: ChunkSource, chunk: int, start: int, stop: int, transform: Callable[[np.ndarray], bytes] | None, part: int
) -> tuple[memoryview, int]:
    """Bytes ``start:stop`` of what the compressor receives for a chunk (its C-order bytes, or their transform), and
    how many of the bytes ``part:stop`` hold data of the dataset rather than the padding of an edge chunk."""
    if transform is not None:
        block = source.rows(chunk)
        stream = memoryview(transform(block))
        inside = source.inside_fraction(chunk) * (stop - part)
        return stream[start:stop], int(round(inside))
    row = source.row_bytes()
    first, last = start // row, -(-stop // row)
    block = source.rows(chunk, first, last)
    offset = first * row
    mask = source.inside_mask(chunk, first, last)
    if mask is None:
        inside = stop - part
    else:
        itemsize = source.dtype.itemsize
        inside = int(mask.ravel()[(part - offset) // itemsize : (stop - offset) // itemsize].sum()) * itemsize
    return memoryview(block).cast("B")[start - offset : stop - offset], inside


def deflate_part(data: memoryview, start: int, stop: int, level: int, primer: memoryview, decode: bool):
    """(stored bytes, seconds, decode seconds) of ``data[start:stop]`` within a deflate stream, primed by its window."""
    started = time.perf_counter()
    window = (bytes(primer),) if len(primer) else ()
    compressor = zlib.compressobj(level, zlib.DEFLATED, -15, 8, zlib.Z_DEFAULT_STRATEGY, *window)
    stored = compressor.compress(data) + compressor.flush()
    seconds = time.perf_counter() - started
    decode_seconds = None
    if decode:
        started = time.perf_counter()
        decompressor = zlib.decompressobj(-15, *window)
        decompressor.decompress(stored)
        decode_seconds = time.perf_counter() - started
    return len(stored), seconds, decode_seconds


def estimate(encoder: Encoder, measures: Sequence[UnitMeasure], total_data_bytes: float) -> tuple[float, float, float]:
    """(estimate, half-width of the 95% range, range floor) of a dataset's stored bytes from the measured units.

    Ratio estimator: stored bytes per byte of data in the units (edge chunks' padding left out, as its cost is
    part of each unit's stored bytes), times the dataset's bytes, plus each chunk's container overhead; the
    half-width is Student's t times the standard error of the residuals, with the finite-population correction (0
    once every unit is measured), plus :data:`PART_BIAS_BYTES` per part when chunks are split. The floor is the
    stored bytes already measured.
    """
    data = np.array([measure.data_bytes for measure in measures], dtype=float)
    stored = np.array([measure.stored_bytes for measure in measures], dtype=float)
    count, units = len(measures), encoder.units
    chunk_overhead = encoder.chunks * encoder.overhead
    bias = encoder.bias_bytes * units if encoder.parts > 1 else 0.0
    if count >= units:
        total = float(stored.sum()) + chunk_overhead
        return total, bias, total - bias
    ratio = stored.sum() / data.sum()
    value = ratio * total_data_bytes + chunk_overhead
    if count < 2:
        return float(value), float(value), float(stored.sum())
    residuals = stored - ratio * data
    spread = math.sqrt(float(np.sum(residuals**2)) / (count - 1))
    standard_error = total_data_bytes / data.mean() * spread * math.sqrt((1 - count / units) / count)
    return float(value), float(t95(count - 1) * standard_error + bias), float(stored.sum())


def _alike(measures: Sequence[UnitMeasure]) -> bool:
    ratios = [measure.stored_bytes / measure.data_bytes for measure in measures if measure.data_bytes]
    return not ratios or max(ratios) - min(ratios) <= ALIKE * max(max(ratios), 1e-12)


def sample(
    encoder: Encoder,
    executor: Executor | None,
    *,
    seed: int,
    data_bytes: float,
    dataset_bytes: float,
    total_bytes: float,
    workers: int,
) -> tuple[list[UnitMeasure], tuple[float, float, float]]:
    """Encode units in nested stratified order, batch after batch, until the range is narrow enough.

    At least :data:`MIN_UNITS` units (all when there are fewer), ``4 * MIN_UNITS`` when they all compress alike
    (:data:`ALIKE`), at most :data:`MAX_SHARE` of the units (the range then stays as wide as the sample makes it).
    Returns the measures and :func:`estimate`'s figures.
    """
    order: list[int] = []
    pending = iter_nested_order(encoder.units, seed)
    budget = max(MIN_UNITS, math.ceil(MAX_SHARE * encoder.units))
    measures: list[UnitMeasure] = []
    timed = 0
    wanted = min(encoder.units, MIN_UNITS)
    while True:
        order += itertools.islice(pending, max(0, wanted - len(order)))
        batch = order[len(measures) : wanted]
        flags = []
        for unit in batch:
            flags.append(timed < DECODE_TIMING_BYTES)
            timed += encoder.unit_bytes(unit) if flags[-1] else 0
        if executor is None or len(batch) == 1:
            measures += [encoder.measure(unit, flag) for unit, flag in zip(batch, flags)]
        else:
            measures += list(executor.map(encoder.measure, batch, flags))
        figures = estimate(encoder, measures, data_bytes)
        value, half_width, _ = figures
        count = len(measures)
        if count >= encoder.units or count >= budget:
            return measures, figures
        # The bound on splitting chunks into parts does not shrink with more units: only the spread is compared.
        spread = half_width - (encoder.bias_bytes * encoder.units if encoder.parts > 1 else 0.0)
        target = target_half_width(value, dataset_bytes, total_bytes)
        if spread <= target and (count >= 4 * MIN_UNITS or not _alike(measures)):
            return measures, figures
        if spread <= target:  # every unit alike: draw more before trusting a range of about 0
            wanted = min(encoder.units, budget, 2 * count)
            continue
        # Next size: what the current spread says is needed (the half-width falls as 1/sqrt(n)), at most double.
        needed = math.ceil(count * (spread / max(target, 1e-9)) ** 2 * 1.1)
        wanted = min(encoder.units, budget, max(count + workers, min(needed, 2 * count)))
