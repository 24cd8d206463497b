"""Default chunk and buffer shapes, and the settings they are derived from.

Chunks aim at ``chunk_target_bytes`` (10 MB, SI) and keep the trailing axes whole where they fit, so one chunk holds
whole frames of an image series, all features of a time series, and up to ``max_channels_per_chunk`` channels of an
ElectricalSeries; the leading (time) axis takes the rest. A frame larger than the target is tiled.
Buffers are whole multiples of the chunk shape, as large as ``buffer_budget_bytes`` (256 MB) allows.

>>> default_chunk_shape((1_800_000, 384), itemsize=2, max_trailing=(64,))
(78125, 64)
>>> default_buffer_shape((1_800_000, 384), (78125, 64), itemsize=2)
(312500, 384)
>>> default_chunk_shape((3,), itemsize=8)
(3,)
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence

#: The compression method of a dataset configuration when none is given, and of every default configuration until
#: ``settings.compression_method`` is changed; in both backends' menus.
DEFAULT_COMPRESSION_METHOD = "gzip"


@dataclasses.dataclass
class DefaultSettings:
    """The targets that default configurations are derived from; change ``settings`` to change them globally.

    >>> import nwbconfig_widget
    >>> nwbconfig_widget.settings.buffer_budget_bytes
    256000000
    """

    #: Uncompressed bytes to aim for in one chunk.
    chunk_target_bytes: int = 10_000_000
    #: Largest write buffer (uncompressed bytes) a default configuration asks for.
    buffer_budget_bytes: int = 256_000_000
    #: Channels kept together in one chunk of an ElectricalSeries.
    max_channels_per_chunk: int = 64
    #: Compression method of every default configuration, on both backends.
    compression_method: str = DEFAULT_COMPRESSION_METHOD


#: The global default settings; per-call arguments of the ``get_default_*`` functions take precedence.
settings = DefaultSettings()


def default_chunk_shape(
    full_shape: Sequence[int],
    itemsize: int,
    target_bytes: int | None = None,
    max_trailing: Sequence[int | None] = (),
) -> tuple[int, ...]:
    """A chunk shape of about ``target_bytes`` that keeps the trailing axes whole where they fit.

    ``max_trailing`` caps the trailing axes (the first entry caps axis 1, ...); a trailing block that is larger than
    the target on its own is halved along its longest axis until it fits (tiles of a large frame).

    >>> default_chunk_shape((1000, 4096, 4096), itemsize=2)
    (1, 2048, 2048)
    >>> default_chunk_shape((20_000_000, 16), itemsize=2)
    (312500, 16)
    """
    target = settings.chunk_target_bytes if target_bytes is None else target_bytes
    full_shape = [int(length) for length in full_shape]
    if not full_shape:
        return ()
    trailing = list(full_shape[1:])
    for axis, cap in enumerate(max_trailing[: len(trailing)]):
        if cap is not None:
            trailing[axis] = min(trailing[axis], int(cap))
    while trailing and math.prod(trailing) * itemsize > target and max(trailing) > 1:
        longest = max(range(len(trailing)), key=trailing.__getitem__)
        trailing[longest] = math.ceil(trailing[longest] / 2)
    leading = max(1, min(full_shape[0], target // max(1, math.prod(trailing) * itemsize)))
    return (leading, *trailing)


def default_buffer_shape(
    full_shape: Sequence[int],
    chunk_shape: Sequence[int] | None,
    itemsize: int,
    budget_bytes: int | None = None,
) -> tuple[int, ...]:
    """The largest buffer within ``budget_bytes`` that is a whole multiple of the chunk (or spans the data).

    Trailing axes grow first (to the full extent where the budget allows), then the leading axis. A chunk that alone
    exceeds the budget is its own buffer.

    >>> default_buffer_shape((3,), (1,), itemsize=8)
    (3,)
    >>> default_buffer_shape((10_000, 10_000), (100, 100), itemsize=8, budget_bytes=8_000_000)
    (100, 10000)
    """
    budget = settings.buffer_budget_bytes if budget_bytes is None else budget_bytes
    full_shape = [int(length) for length in full_shape]
    if chunk_shape is None:
        chunk_shape = default_chunk_shape(full_shape, itemsize)
    if math.prod(full_shape) * itemsize <= budget:
        return tuple(full_shape)
    buffer = [int(length) for length in chunk_shape]
    for axis in reversed(range(len(buffer))):
        other_bytes = math.prod(buffer[:axis] + buffer[axis + 1 :]) * itemsize
        fitting_chunks = max(1, budget // max(1, other_bytes * chunk_shape[axis]))
        buffer[axis] = min(full_shape[axis], fitting_chunks * chunk_shape[axis])
    return tuple(buffer)


def recommended_chunk_shape(
    full_shape: Sequence[int],
    itemsize: int,
    neurodata_type: str | None = None,
    dataset_name: str | None = None,
    target_bytes: int | None = None,
) -> tuple[int, ...]:
    """The default chunk shape of a dataset: :func:`default_chunk_shape`, with at most ``max_channels_per_chunk``
    channels for the data of an ElectricalSeries.

    >>> recommended_chunk_shape((1_800_000, 384), 2, "ElectricalSeries", "data")
    (78125, 64)
    >>> recommended_chunk_shape((1_800_000, 384), 2, "TimeSeries", "data")
    (13020, 384)
    """
    electrical_series_data = neurodata_type == "ElectricalSeries" and dataset_name == "data"
    caps = (settings.max_channels_per_chunk,) if electrical_series_data else ()
    return default_chunk_shape(full_shape, itemsize, target_bytes, caps)
