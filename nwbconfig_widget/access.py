"""Access-pattern cost: what a typical read of a dataset costs with a given chunk shape.

For a selection (a tuple of slices, integers or index lists, one per axis) this counts the chunks it touches, the
bytes a reader must decompress (whole chunks), the compressed bytes it must fetch, the read amplification
(bytes decompressed / bytes asked for) and an estimated remote read time: rounds of requests x latency (the reader's
client sends several at once for Zarr, one at a time for HDF5) + bytes / bandwidth + the time to decode the chunks,
when their decoding speed is given. It is pure arithmetic on the chunk grid: nothing is read.

A 1-hour 384-channel recording, 1 s of all channels, with (81920, 64) chunks and with (1125000, 4) chunks:

>>> from nwbconfig_widget import HDF5DatasetIOConfiguration
>>> def ephys(chunk_shape):
...     return HDF5DatasetIOConfiguration(object_id="id", location_in_file="acquisition/ElectricalSeries/data",
...         dataset_name="data", dtype="int16", full_shape=(108_000_000, 384), chunk_shape=chunk_shape)
>>> window = (slice(54_000_000, 54_030_000), slice(None))
>>> cost = access_cost(ephys((81920, 64)), window)
>>> cost.chunks_touched, round(cost.bytes_read_uncompressed / 1e6)
(6, 63)
>>> cost = access_cost(ephys((1_125_000, 4)), window)
>>> cost.chunks_touched, round(cost.bytes_read_uncompressed / 1e6)
(96, 864)
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .models import DatasetIOConfiguration

__all__ = [
    "CLIENT_CONCURRENT_REQUESTS",
    "DEFAULT_BANDWIDTH_BYTES_PER_S",
    "DEFAULT_LATENCY_S",
    "AccessCost",
    "access_cost",
    "access_costs",
    "chunk_indices_touched",
    "typical_selections",
]

#: Time to first byte of one ranged request to an object store from outside its data centre (s).
DEFAULT_LATENCY_S = 0.05
#: Sustained download bandwidth of one reader (bytes/s).
DEFAULT_BANDWIDTH_BYTES_PER_S = 50e6
#: Requests the reader's client has in flight at once, by backend. h5py reads the chunks of a selection one after
#: the other; zarr fetches them all at once through fsspec, up to the client's pool of connections (10 in s3fs's
#: aiobotocore by default, 100 in fsspec's HTTP client: the smaller is assumed).
CLIENT_CONCURRENT_REQUESTS = {"hdf5": 1, "zarr": 10}

_TYPICAL_RATES = {
    "ElectricalSeries": 30_000.0,
    "TwoPhotonSeries": 30.0,
    "OnePhotonSeries": 30.0,
    "ImageSeries": 30.0,
    "RoiResponseSeries": 30.0,
}
_ROI_TYPES = {"RoiResponseSeries", "Fluorescence", "DfOverF"}

Selection = tuple[Any, ...]


@dataclasses.dataclass(frozen=True)
class AccessCost:
    """What one read costs. Bytes are uncompressed unless named compressed; times in seconds."""

    name: str
    selection: Selection
    chunks_touched: int
    requested_bytes: int
    bytes_read_uncompressed: int
    bytes_read_compressed: float
    read_amplification: float
    requests: int
    remote_seconds: float
    #: Of ``remote_seconds``, the time to decode the chunks (0 when no decoding speed was given).
    decode_seconds: float = 0.0


def _normalize(selection: Any, full_shape: Sequence[int]) -> list[Any]:
    """One entry per axis: a slice (with concrete start/stop/step), an int or a sorted unique index array."""
    if not isinstance(selection, tuple):
        selection = (selection,)
    if any(item is Ellipsis for item in selection):
        position = next(index for index, item in enumerate(selection) if item is Ellipsis)
        missing = len(full_shape) - (len(selection) - 1)
        selection = selection[:position] + (slice(None),) * missing + selection[position + 1 :]
    if len(selection) > len(full_shape):
        raise IndexError(f"the selection has {len(selection)} axes but the data has {len(full_shape)}")
    selection = tuple(selection) + (slice(None),) * (len(full_shape) - len(selection))
    normalized = []
    for item, length in zip(selection, full_shape):
        if isinstance(item, slice):
            indices = range(*item.indices(length))
            if not indices:
                normalized.append(slice(0, 0, 1))
            else:  # the same elements in increasing order (a negative step reads them backwards)
                low, high = min(indices[0], indices[-1]), max(indices[0], indices[-1])
                normalized.append(slice(low, high + 1, abs(indices.step)))
        elif isinstance(item, (int, np.integer)):
            index = int(item) + (length if item < 0 else 0)
            if not 0 <= index < length:
                raise IndexError(f"index {int(item)} is out of range for an axis of length {length}")
            normalized.append(index)
        else:
            indices = np.asarray(item, dtype=np.int64).ravel()
            indices = np.where(indices < 0, indices + length, indices)
            if indices.size and (indices.min() < 0 or indices.max() >= length):
                raise IndexError(f"an index of {item!r} is out of range for an axis of length {length}")
            normalized.append(np.unique(indices))
    return normalized


def _selected_count(item: Any) -> int:
    if isinstance(item, slice):
        return len(range(item.start, item.stop, item.step))
    if isinstance(item, int):
        return 1
    return int(item.size)


def chunk_indices_touched(item: Any, chunk: int) -> np.ndarray:
    """The chunk indices one axis of a (normalized) selection touches along an axis chunked by ``chunk``.

    >>> chunk_indices_touched(slice(5, 25, 1), 10).tolist()
    [0, 1, 2]
    """
    if isinstance(item, int):
        return np.array([item // chunk])
    if isinstance(item, slice):
        if item.stop <= item.start:
            return np.array([], dtype=np.int64)
        if item.step <= chunk:
            return np.arange(item.start // chunk, (item.stop - 1) // chunk + 1)
        return np.unique(np.arange(item.start, item.stop, item.step) // chunk)
    return np.unique(item // chunk)


def _contiguous_runs(items: list[Any], full_shape: Sequence[int]) -> int:
    """How many separate byte runs a C-ordered contiguous dataset is read in for this selection."""
    axis = len(full_shape) - 1
    while axis >= 0 and isinstance(items[axis], slice) and _selected_count(items[axis]) == full_shape[axis]:
        axis -= 1  # trailing axes read whole are one run with the axis before them
    if axis < 0:
        return 1
    last = items[axis]
    runs_in_axis = 1 if isinstance(last, slice) and last.step == 1 else _selected_count(last)
    return math.prod(_selected_count(item) for item in items[:axis]) * runs_in_axis


def access_cost(
    configuration: DatasetIOConfiguration,
    selection: Any,
    *,
    name: str = "",
    compression_ratio: float | None = None,
    latency_s: float = DEFAULT_LATENCY_S,
    bandwidth_bytes_per_s: float = DEFAULT_BANDWIDTH_BYTES_PER_S,
    concurrent_requests: int | None = None,
    decode_bytes_per_s: float | None = None,
) -> AccessCost:
    """The cost of reading ``selection`` from a dataset stored with ``configuration``.

    Every chunk the selection touches is fetched and decompressed whole (HDF5 and Zarr store edge chunks at full
    size). ``compression_ratio`` (e.g. the ``ratio`` of :func:`nwbconfig_widget.preview.preview_compression`)
    turns the data in those chunks into fetched bytes; without it, a compressed dataset's fetched bytes are NaN and the
    remote time uses the uncompressed bytes (an upper bound). Each chunk is one request (a contiguous HDF5 dataset:
    one request per separate byte run), ``concurrent_requests`` at a time (default: what the backend's client does,
    ``CLIENT_CONCURRENT_REQUESTS``); metadata requests are not counted. ``decode_bytes_per_s`` (e.g. the
    ``decompress_mb_s`` of a preview, times 1e6) adds the time to decode the uncompressed bytes of the chunks touched.
    """
    full_shape = configuration.full_shape
    items = _normalize(selection, full_shape)
    requested = math.prod(_selected_count(item) for item in items) * configuration.itemsize
    if configuration.chunk_shape is None:
        chunks = 1 if requested else 0
        decompressed = requested  # a contiguous dataset is read exactly where asked
        requests = _contiguous_runs(items, full_shape) if requested else 0
    else:
        touched = [chunk_indices_touched(item, chunk) for item, chunk in zip(items, configuration.chunk_shape)]
        chunks = math.prod(len(indices) for indices in touched)
        decompressed = chunks * configuration.chunk_size_bytes
        # Data inside the dataset in those chunks: edge chunks are padded, and padding compresses to almost nothing.
        in_bounds = configuration.itemsize * math.prod(
            int(np.minimum(chunk, length - indices * chunk).sum())
            for indices, chunk, length in zip(touched, configuration.chunk_shape, full_shape)
        )
        requests = chunks
        if configuration.compression_method is None:
            in_bounds = decompressed  # stored padded, as they are
    if configuration.chunk_shape is None:
        in_bounds = decompressed
    if compression_ratio is None:
        ratio = 1.0 if configuration.compression_method is None else float("nan")
    else:
        ratio = float(compression_ratio)
    compressed = in_bounds / ratio if ratio == ratio else float("nan")
    fetched = compressed if compressed == compressed else decompressed
    if concurrent_requests is None:
        concurrent_requests = CLIENT_CONCURRENT_REQUESTS.get(configuration.backend, 1)
    rounds = math.ceil(requests / max(1, int(concurrent_requests)))
    decode = decompressed / decode_bytes_per_s if decode_bytes_per_s and configuration.compression_method else 0.0
    remote = rounds * latency_s + fetched / bandwidth_bytes_per_s + decode
    return AccessCost(
        name=name,
        selection=tuple(selection) if isinstance(selection, tuple) else (selection,),
        chunks_touched=int(chunks),
        requested_bytes=int(requested),
        bytes_read_uncompressed=int(decompressed),
        bytes_read_compressed=float(compressed),
        read_amplification=decompressed / requested if requested else float("nan"),
        requests=int(requests),
        remote_seconds=float(remote),
        decode_seconds=float(decode),
    )


def typical_selections(
    configuration: DatasetIOConfiguration, *, rate: float | None = None, window_seconds: float = 1.0
) -> dict[str, Selection]:
    """Typical reads of a dataset by its shape and neurodata type, placed in the middle of the data.

    - time series (T, channels): a time window of all channels, one channel (or ROI trace) for the whole recording;
    - image series (T, X, Y[, Z]): one frame, a time window of frames, one ROI trace (a 10x10 pixel patch over time);
    - 1-D data: a time window; every dataset: the whole dataset.

    The window is ``window_seconds`` at ``rate`` samples/s (default by type: 30 kHz for ElectricalSeries, 30 Hz for
    imaging; else 1% of the time axis).

    >>> from nwbconfig_widget import HDF5DatasetIOConfiguration
    >>> movie = HDF5DatasetIOConfiguration(object_id="id", location_in_file="acquisition/TwoPhotonSeries/data",
    ...     dataset_name="data", dtype="uint16", full_shape=(9000, 512, 512), chunk_shape=(19, 512, 512),
    ...     neurodata_type="TwoPhotonSeries")
    >>> list(typical_selections(movie))
    ['one frame', 'time window (1 s)', 'one ROI trace', 'whole dataset']
    """
    shape = configuration.full_shape
    length = shape[0]
    rate = rate if rate is not None else _TYPICAL_RATES.get(configuration.neurodata_type or "")
    if rate is not None:
        window = max(1, min(length, int(round(rate * window_seconds))))
        window_name = f"time window ({window_seconds:g} s)"
    else:
        window = max(1, length // 100)
        window_name = "time window (1% of the time axis)"
    middle = length // 2
    start = max(0, min(middle, length - window))
    time_window = slice(start, start + window)
    selections: dict[str, Selection] = {}
    if len(shape) == 1:
        selections[window_name] = (time_window,)
    elif len(shape) == 2:
        selections[f"{window_name}, all channels"] = (time_window, slice(None))
        trace = "one ROI trace" if configuration.neurodata_type in _ROI_TYPES else "one channel, whole recording"
        selections[trace] = (slice(None), shape[1] // 2)
    else:
        selections["one frame"] = (middle,) + (slice(None),) * (len(shape) - 1)
        selections[window_name] = (time_window,) + (slice(None),) * (len(shape) - 1)
        patch = tuple(slice(max(0, n // 2 - 5), min(n, n // 2 + 5)) for n in shape[1:3])
        selections["one ROI trace"] = (slice(None), *patch) + (slice(None),) * (len(shape) - 3)
    selections["whole dataset"] = (slice(None),) * len(shape)
    return selections


def access_costs(
    configuration: DatasetIOConfiguration,
    selections: Mapping[str, Any] | None = None,
    *,
    rate: float | None = None,
    window_seconds: float = 1.0,
    **options: Any,
):
    """A pandas DataFrame with the cost of each read (default: :func:`typical_selections`), indexed by its name.

    ``selections`` maps names to user selections (tuples of slices/integers/index lists); ``options`` go to
    :func:`access_cost` (``compression_ratio``, ``latency_s``, ``bandwidth_bytes_per_s``, ``concurrent_requests``,
    ``decode_bytes_per_s``).
    """
    import pandas as pd

    if selections is None:
        selections = typical_selections(configuration, rate=rate, window_seconds=window_seconds)
    rows = [
        dataclasses.asdict(access_cost(configuration, selection, name=name, **options))
        for name, selection in selections.items()
    ]
    columns = [field.name for field in dataclasses.fields(AccessCost)]
    table = pd.DataFrame(rows, columns=columns).set_index("name")
    table["selection"] = [_describe(selection) for selection in table["selection"]]
    return table


def _describe(selection: Selection) -> str:
    parts = []
    for item in selection:
        if isinstance(item, slice):
            text = f"{'' if item.start is None else item.start}:{'' if item.stop is None else item.stop}"
            parts.append(text + (f":{item.step}" if item.step not in (None, 1) else ""))
        elif isinstance(item, (int, np.integer)):
            parts.append(str(int(item)))
        else:
            parts.append(f"[{len(np.atleast_1d(item))} indices]")
    return "[" + ", ".join(parts) + "]"
