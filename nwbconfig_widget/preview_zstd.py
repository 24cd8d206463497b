"""The stored size of one part of a Zstandard frame, measured with the very zstd library the writer encodes with.

A zstd frame is a header, then blocks of at most 128 KiB of input, then an end mark. The blocks of a part of the
input that starts at a multiple of the block size are measured by streaming the preceding bytes (the *primer*) into
a compression context, flushing, then streaming the part and flushing again: the bytes emitted between the two
flushes are the part's blocks. With the whole chunk's size pledged, the context uses the parameters it uses for the
whole chunk, and the primer gives it the match history and the entropy tables a whole-chunk compression has there.

The functions of the zstd library are called through ``ctypes`` (which releases the GIL): from numcodecs' own
extension, which encodes Zarr chunks and the HDF5 chunks the writer encodes in threads, or from hdf5plugin's Zstd
filter, which HDF5 runs on the plain path. Both export the zstd API.

>>> import numpy as np, numcodecs.zstd
>>> library = ZstdLibrary.numcodecs()
>>> data = np.random.default_rng(0).normal(0, 30, 1_500_000).astype("int16").tobytes()
>>> parts = [library.part_bytes(data, start, min(start + 1_048_576, len(data)), primer=524_288, level=3)
...          for start in range(0, len(data), 1_048_576)]
>>> whole = len(numcodecs.zstd.compress(data, 3))
>>> abs(sum(parts) + library.frame_bytes() - whole) / whole < 0.002
True
"""

from __future__ import annotations

import ctypes
import functools
import threading
from typing import Any

#: zstd's block size: parts start at multiples of it, where a whole-chunk compression ends a block too.
BLOCK_BYTES = 131_072

_COMPRESSION_LEVEL, _CHECKSUM_FLAG = 100, 201  # ZSTD_cParameter values
_CONTINUE, _FLUSH, _END = 0, 1, 2  # ZSTD_EndDirective values


class _Buffer(ctypes.Structure):
    _fields_ = [("address", ctypes.c_void_p), ("size", ctypes.c_size_t), ("position", ctypes.c_size_t)]


class ZstdLibrary:
    """The zstd functions of one shared library, for measuring parts of frames (thread-safe: one context per call)."""

    def __init__(self, path: str):
        self.path = path
        library = ctypes.CDLL(path)
        self._create = library.ZSTD_createCCtx
        self._create.restype = ctypes.c_void_p
        self._free = library.ZSTD_freeCCtx
        self._free.argtypes = [ctypes.c_void_p]
        self._set = library.ZSTD_CCtx_setParameter
        self._set.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int]
        self._set.restype = ctypes.c_size_t
        self._pledge = library.ZSTD_CCtx_setPledgedSrcSize
        self._pledge.argtypes = [ctypes.c_void_p, ctypes.c_ulonglong]
        self._pledge.restype = ctypes.c_size_t
        self._stream = library.ZSTD_compressStream2
        self._stream.argtypes = [ctypes.c_void_p, ctypes.POINTER(_Buffer), ctypes.POINTER(_Buffer), ctypes.c_int]
        self._stream.restype = ctypes.c_size_t
        self._is_error = library.ZSTD_isError
        self._is_error.argtypes = [ctypes.c_size_t]
        self._is_error.restype = ctypes.c_uint
        self._version = library.ZSTD_versionNumber
        self._version.restype = ctypes.c_uint
        self._compress = library.ZSTD_compress
        self._compress.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
        self._compress.restype = ctypes.c_size_t
        self._bound = library.ZSTD_compressBound
        self._bound.argtypes = [ctypes.c_size_t]
        self._bound.restype = ctypes.c_size_t

    @classmethod
    def numcodecs(cls) -> ZstdLibrary:
        """The zstd that numcodecs bundles (Zarr's Zstd codec and the writer's threads)."""
        import numcodecs.zstd

        return _library(numcodecs.zstd.__file__)

    @classmethod
    def hdf5plugin(cls) -> ZstdLibrary | None:
        """The zstd of hdf5plugin's HDF5 filter, or None when it cannot be loaded."""
        try:
            import hdf5plugin

            return _library(hdf5plugin.get_config().registered_filters["zstd"])
        except (ImportError, KeyError, OSError, AttributeError):
            return None

    @property
    def version(self) -> int:
        return int(self._version())

    def _check(self, code: int) -> int:
        if self._is_error(code):
            raise RuntimeError(f"zstd ({self.path}) failed with error code {code}")
        return code

    def _context(self, level: int, checksum: bool, pledged: int | None) -> Any:
        context = self._create()
        if not context:  # pragma: no cover - out of memory
            raise MemoryError("zstd could not create a compression context")
        self._check(self._set(context, _COMPRESSION_LEVEL, level))
        self._check(self._set(context, _CHECKSUM_FLAG, int(checksum)))
        if pledged is not None:
            self._check(self._pledge(context, pledged))
        return context

    def _feed(self, context: Any, output: _Buffer, source: Any, start: int, stop: int, directive: int) -> None:
        source_buffer = _Buffer(source + start, stop - start, 0)
        while True:
            remaining = self._check(self._stream(context, ctypes.byref(output), ctypes.byref(source_buffer), directive))
            if remaining == 0 and source_buffer.position == source_buffer.size:
                return
            if output.position == output.size:  # pragma: no cover - the output is sized for the worst case
                raise RuntimeError("zstd output buffer too small")

    def part_bytes(
        self, data: bytes, start: int, stop: int, *, primer: int, level: int, checksum: bool = False, total=None
    ) -> int:
        """Bytes the blocks of ``data[start:stop]`` take inside the frame of all of ``data`` (``total`` bytes
        pledged, default ``len(data)``), primed with up to ``primer`` bytes before ``start``; ``start`` must be a
        multiple of :data:`BLOCK_BYTES`. The frame header is counted with the part that starts at 0."""
        if start % BLOCK_BYTES:
            raise ValueError(f"a part must start at a multiple of {BLOCK_BYTES} bytes, not at {start}")
        begin = max(0, start - primer)
        length = stop - begin
        keep = ctypes.create_string_buffer(bytes(data[begin:stop]), length)
        output = ctypes.create_string_buffer(length + length // 64 + 4096)
        out = _Buffer(ctypes.addressof(output), len(output), 0)
        context = self._context(level, checksum, len(data) if total is None else total)
        try:
            if start > begin:
                self._feed(context, out, ctypes.addressof(keep), 0, start - begin, _FLUSH)
            mark = out.position
            self._feed(context, out, ctypes.addressof(keep), start - begin, length, _FLUSH)
            return out.position - mark
        finally:
            self._free(context)

    def compressed_bytes(self, data, level: int) -> bytes:
        """One frame of ``data``, as ``ZSTD_compress`` makes it at ``level`` (what hdf5plugin's Zstd filter stores)."""
        source = memoryview(data).cast("B")
        keep = (ctypes.c_char * source.nbytes).from_buffer_copy(source)
        capacity = self._bound(source.nbytes)
        output = ctypes.create_string_buffer(capacity)
        size = self._check(self._compress(ctypes.addressof(output), capacity, ctypes.addressof(keep), len(keep), level))
        return output.raw[:size]

    @staticmethod
    def frame_bytes(checksum: bool = False) -> int:
        """Bytes a frame takes besides its header and blocks: the checksum, if any (the last block of a whole-chunk
        compression carries the end mark itself, so a frame measured part by part needs nothing else)."""
        return 4 * bool(checksum)


_lock = threading.Lock()


@functools.lru_cache(maxsize=4)
def _library(path: str) -> ZstdLibrary:
    with _lock:
        return ZstdLibrary(path)
