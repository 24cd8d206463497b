"""What HDF5's filters store for one chunk, computed with numpy, zlib and numcodecs, so it can run in threads.

Each function below takes the bytes a filter receives, its client values (as stored in the dataset's creation
properties, after the filter's ``set_local`` step) and returns the bytes the filter hands on, or None when the filter
declines the chunk (HDF5 then stores the chunk without that filter and sets its bit in the chunk's filter mask, if
the filter is optional). zlib and the numcodecs codecs release the GIL while they compress, so chunks encoded in a
thread pool use every core. The formats, read from each filter's source as hdf5plugin builds it:

- deflate (1): a zlib stream at level ``values[0]``;
- shuffle (2): the bytes of the chunk regrouped by their position in the element (size ``values[0]``);
- Zstd (32015, HDF5Plugin-Zstandard): one zstd frame, as ``ZSTD_compress`` makes it at level ``values[0]`` (zstd's
  default without values, clamped to zstd's range), with the content size in the frame header;
- LZ4 (32004): the original size as a big-endian uint64, the block size (``values[0]``, 1 GiB without it, at most the
  chunk) as a big-endian uint32, then for each block its stored size as a big-endian uint32 and the raw LZ4 block
  (``LZ4_compress_default``), or the block's bytes as they are when LZ4 does not make it smaller;
- Blosc (32001, hdf5-blosc): one Blosc 1 frame of clevel ``values[4]``, shuffle ``values[5]``, compressor
  ``values[6]`` and typesize ``values[2]``, automatic block size; the filter writes into a buffer the size of the
  chunk and declines the chunk when the frame does not fit in it.

numcodecs may bundle another release of zstd than hdf5plugin, so the bytes can differ from HDF5's own while
decoding to the same values; ``parallel_hdf5`` checks, per dataset, that a sample encoded here decodes through
HDF5's own filters to the sample itself before any chunk is encoded this way.

>>> import numpy as np
>>> chunk = np.repeat(np.arange(10, dtype="int16"), 100).tobytes()
>>> stored = encode_filter(32004, (), chunk)
>>> int.from_bytes(stored[:8], "big"), int.from_bytes(stored[8:12], "big"), len(stored) < len(chunk)
(2000, 2000, True)
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable, Sequence

import numcodecs.blosc
import numcodecs.lz4
import numcodecs.zstd
import numpy as np

DEFLATE, SHUFFLE, BLOSC, LZ4, ZSTD = 1, 2, 32001, 32004, 32015

_LZ4_DEFAULT_BLOCK = 1 << 30
_LZ4_MAX_INPUT = 2**31 - 1  # the filter refuses larger chunks
_ZSTD_DEFAULT_LEVEL, _ZSTD_MIN_LEVEL = 3, -(1 << 17)
_BLOSC_COMPRESSORS = {0: "blosclz", 1: "lz4", 2: "lz4hc", 3: "snappy", 4: "zlib", 5: "zstd"}
_BLOSC_MAX_BUFFER = 2**31 - 1 - 16  # BLOSC_MAX_BUFFERSIZE


def _signed(value: int) -> int:
    """A filter value (C unsigned int) read as the C int the filter casts it to."""
    return value - (1 << 32) if value >= 1 << 31 else value


def _deflate(data, values: Sequence[int]) -> bytes:
    return zlib.compress(data, values[0] if values else 6)


def _shuffle(data, values: Sequence[int]) -> bytes:
    itemsize = values[0] if values else 1
    size = memoryview(data).nbytes
    if itemsize <= 1 or size < 2 * itemsize:  # HDF5 leaves a chunk of one element as it is
        return bytes(data)
    whole = size - size % itemsize  # HDF5 leaves the trailing bytes of a partial element in place
    raw = np.frombuffer(data, dtype=np.uint8)
    shuffled = raw[:whole].reshape(-1, itemsize).T.tobytes()
    return shuffled if whole == size else shuffled + raw[whole:].tobytes()  # no second copy of the whole chunk


def _zstd(data, values: Sequence[int]) -> bytes:
    level = _signed(values[0]) if values else _ZSTD_DEFAULT_LEVEL
    level = min(max(level, _ZSTD_MIN_LEVEL), numcodecs.zstd.MAX_CLEVEL)
    return numcodecs.zstd.compress(data, level)


def _lz4(data, values: Sequence[int]) -> bytes | None:
    view = memoryview(data).cast("B")
    size = view.nbytes
    if size > _LZ4_MAX_INPUT or size == 0:
        return None
    block = values[0] if values and values[0] > 0 else _LZ4_DEFAULT_BLOCK
    block = min(block, size)
    parts = [struct.pack(">QI", size, block)]
    for start in range(0, size, block):
        piece = view[start : start + block]
        packed = numcodecs.lz4.compress(piece, 1)  # acceleration 1 is LZ4_compress_default
        body = memoryview(packed)[4:]  # numcodecs' little-endian size prefix is not part of the filter's format
        if body.nbytes >= piece.nbytes:
            body = piece
        parts.append(struct.pack(">I", body.nbytes))
        parts.append(body)
    return b"".join(parts)


def _blosc_arguments(values: Sequence[int]) -> tuple[str, int, int, int]:
    """(compressor, clevel, shuffle, typesize) as the Blosc filter reads them from its values."""
    typesize = values[2] if len(values) > 2 else 1
    clevel = values[4] if len(values) >= 5 else 5
    shuffle = values[5] if len(values) >= 6 else 1
    compressor = _BLOSC_COMPRESSORS.get(values[6], "") if len(values) >= 7 else "blosclz"
    return compressor, clevel, shuffle, typesize


def _blosc(data, values: Sequence[int]) -> bytes | None:
    compressor, clevel, shuffle, typesize = _blosc_arguments(values)
    size = memoryview(data).nbytes
    if size % typesize or size > _BLOSC_MAX_BUFFER:  # pragma: no cover - can_encode() refuses these pipelines
        raise ValueError(f"Blosc chunks of {size} bytes with typesize {typesize} are not encoded here")
    # numcodecs takes Blosc's typesize from the buffer's item size; off the main thread it compresses with a
    # context of its own (one internal thread, no global state), releasing the GIL.
    items = np.frombuffer(data, dtype=f"S{typesize}")
    frame = numcodecs.blosc.compress(items, compressor.encode(), clevel, shuffle, 0)
    return frame if len(frame) <= size else None


_ENCODERS: dict[int, Callable] = {DEFLATE: _deflate, SHUFFLE: _shuffle, ZSTD: _zstd, LZ4: _lz4, BLOSC: _blosc}

#: The filters this module encodes.
FILTERS = frozenset(_ENCODERS)


def can_encode(filter_id: int, values: Sequence[int], chunk_bytes: int) -> bool:
    """Whether this module reproduces the filter with these values for chunks of ``chunk_bytes`` bytes."""
    if filter_id not in _ENCODERS:
        return False
    if filter_id == BLOSC:
        compressor, _clevel, shuffle, typesize = _blosc_arguments(values)
        return (
            compressor in numcodecs.blosc.list_compressors()
            and shuffle in (0, 1, 2)
            and typesize > 0
            and chunk_bytes % typesize == 0
            and chunk_bytes <= _BLOSC_MAX_BUFFER
        )
    return True


def encode_filter(filter_id: int, values: Sequence[int], data) -> bytes | None:
    """The bytes filter ``filter_id`` with client ``values`` makes of ``data``; None if it declines them."""
    return _ENCODERS[filter_id](data, tuple(values))
