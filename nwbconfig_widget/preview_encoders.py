"""The preview's encoders: the stored size of a chunk, or of a part of one, as the writer will store it.

:func:`build_encoder` gives, for a numeric chunked dataset, an :class:`~.preview_sampling.Encoder` whose units are
measured in worker threads without HDF5 (zlib, numcodecs and the zstd library release the GIL; h5py serialises every
call behind one lock):

- HDF5 deflate, with or without shuffle: parts of chunks through zlib (HDF5's deflate filter is zlib's ``compress2``,
  a zlib stream: 6 bytes of header and checksum around the deflate data);
- HDF5 Zstd, with or without shuffle: parts of chunks through the zstd library of the encoder the writer will use
  (numcodecs' when the writer encodes the dataset in threads, hdf5plugin's filter otherwise);
- other HDF5 pipelines the writer encodes in threads: whole chunks through the writer's own thread encoder;
- HDF5 Blosc the writer encodes in threads, and Zarr Blosc without filters: parts of whole Blosc blocks through
  numcodecs;
- Zarr: parts of chunks for GZip, Zlib and Zstd, whole chunks through numcodecs for any other compressor, after the
  array's filters, as zarr encodes a chunk.

Any other dataset (text, plugin filters the writer leaves to HDF5, ...) gets None: the preview encodes it through
an in-memory HDF5 file or zarr array, as before.
"""

from __future__ import annotations

import functools
import os
import tempfile
import time
import uuid
import zlib
from typing import Any

import h5py
import numpy as np

from . import codecs
from .models import DatasetIOConfiguration
from .preview_sampling import (
    PART_BIAS_BYTES,
    PART_BYTES,
    PRIMER_BYTES,
    ChunkSource,
    Encoder,
    UnitMeasure,
    deflate_part,
    stream_range,
)
from .preview_zstd import BLOCK_BYTES, ZstdLibrary

_DEFLATE, _SHUFFLE, _BLOSC, _ZSTD = 1, 2, 32001, 32015
_ZLIB_OVERHEAD = 6  # zlib header (2) and Adler-32 (4) around the deflate data
_NUMERIC = "biuf"


def _signed(value: int) -> int:
    return value - (1 << 32) if value >= 1 << 31 else value


@functools.lru_cache(maxsize=256)
def _hdf5_pipeline(dtype: str, full_shape: tuple, chunk_shape: tuple, kwargs_items: tuple):
    """The filter pipeline HDF5 gives a dataset created with these arguments (filter values after ``set_local``)."""
    from .io.hdf5_chunks import pipeline_of

    kwargs = dict(kwargs_items)
    with h5py.File(f"preview-{uuid.uuid4().hex}.h5", "w", driver="core", backing_store=False) as file:
        dataset = file.create_dataset("d", shape=full_shape, dtype=np.dtype(dtype), chunks=chunk_shape, **kwargs)
        return pipeline_of(dataset, kwargs)


def _writer_uses_threads(configuration: DatasetIOConfiguration, pipeline: Any) -> bool:
    """Whether the default writer (every core) encodes this HDF5 dataset's chunks in threads, in Python."""
    from .io.parallel import PARALLEL_MIN_BYTES, resolve_n_jobs
    from .io.parallel_hdf5 import can_encode_in_python

    return (
        resolve_n_jobs(None) >= 2
        and configuration.full_size_bytes >= PARALLEL_MIN_BYTES
        and configuration.number_of_chunks >= 2
        and configuration.dtype.kind in _NUMERIC
        and configuration.dtype.names is None
        and can_encode_in_python(pipeline)
    )


def _parts(chunk_bytes: int, family: str, whole: bool) -> int:
    return 1 if whole else max(1, -(-chunk_bytes // PART_BYTES[family]))


def _primed_part(source, unit: int, parts: int, chunk_bytes: int, family: str, transform):
    """The bytes of one part of a chunk with the primer before it: ``(chunk, start, stop, primer_start, data,
    inside)``, where ``data`` holds the compressor's input from ``primer_start`` to ``stop`` of the chunk."""
    chunk, index = divmod(unit, parts)
    part_bytes = PART_BYTES[family]
    start, stop = index * part_bytes, min(chunk_bytes, (index + 1) * part_bytes)
    primer_start = max(0, start - PRIMER_BYTES[family])
    data, inside = stream_range(source, chunk, primer_start, stop, transform, start)
    return chunk, start, stop, primer_start, data, inside


def _deflate_encoder(name, source, chunk_bytes, chunks, level, overhead, transform, whole_encode, whole) -> Encoder:
    parts = _parts(chunk_bytes, "deflate", whole)
    part_bytes = PART_BYTES["deflate"]

    def measure(unit: int, decode: bool) -> UnitMeasure:
        if parts == 1:
            return whole_encode(unit, decode)
        chunk, start, stop, primer_start, data, inside = _primed_part(
            source, unit, parts, chunk_bytes, "deflate", transform
        )
        stored, seconds, decode_seconds = deflate_part(
            data[start - primer_start :], 0, stop - start, level, data[: start - primer_start], decode
        )
        return UnitMeasure(chunk, inside, stored, seconds, decode_seconds)

    return Encoder(name, chunks, parts, chunk_bytes, measure, overhead if parts > 1 else 0, PART_BIAS_BYTES["deflate"],
                   part_bytes if parts > 1 else 0)  # fmt: skip


def _zstd_encoder(name, source, chunk_bytes, chunks, library, level, checksum, transform, whole_encode, whole):
    parts = _parts(chunk_bytes, "zstd", whole)
    part_bytes = PART_BYTES["zstd"]  # a multiple of zstd's block: parts start where a whole chunk ends a block
    assert part_bytes % BLOCK_BYTES == 0

    def measure(unit: int, decode: bool) -> UnitMeasure:
        if parts == 1:
            return whole_encode(unit, decode)
        chunk, start, stop, primer_start, data, inside = _primed_part(
            source, unit, parts, chunk_bytes, "zstd", transform
        )
        started = time.perf_counter()
        # The part is measured in a buffer that starts at the primer; offsets and the pledged size are the chunk's.
        stored = library.part_bytes(
            _Shifted(data, primer_start), start, stop, primer=start - primer_start, level=level, checksum=checksum,
            total=chunk_bytes,
        )  # fmt: skip
        seconds = time.perf_counter() - started
        decode_seconds = None
        if decode:  # 128 KiB of the part decoded as a frame of its own: zstd decodes blocks alike in any frame
            import numcodecs.zstd

            decoded = min(BLOCK_BYTES, stop - start)
            frame = numcodecs.zstd.compress(bytes(data[start - primer_start :][:decoded]), level)
            started = time.perf_counter()
            numcodecs.zstd.decompress(frame)
            decode_seconds = (time.perf_counter() - started) * (stop - start) / decoded  # as for the whole part
        return UnitMeasure(chunk, inside, stored, seconds, decode_seconds)

    overhead = library.frame_bytes(checksum) if parts > 1 else 0
    return Encoder(name, chunks, parts, chunk_bytes, measure, overhead, PART_BIAS_BYTES["zstd"],
                   part_bytes if parts > 1 else 0)  # fmt: skip


_BLOSC_HEADER, _BLOSC_MEMCPYED = 16, 0x02
_BLOSC_NAMES = {0: "blosclz", 1: "lz4", 2: "lz4hc", 3: "snappy", 4: "zlib", 5: "zstd"}


def _blosc_frame(data, cname: str, clevel: int, shuffle: int, typesize: int, blocksize: int) -> bytes:
    import numcodecs.blosc

    items = np.frombuffer(data, dtype=f"S{typesize}")
    return numcodecs.blosc.compress(items, cname.encode(), clevel, shuffle, blocksize)


def _blosc_block(frame: bytes) -> int:
    return int.from_bytes(frame[8:12], "little")


#: Blosc's largest block (c-blosc 1.21): Blosc picks its block size from its settings, capped by the buffer's size.
_BLOSC_MAX_BLOCK = 1_048_576


@functools.lru_cache(maxsize=256)
def _blosc_block_sizes(chunk_bytes: int, cname: str, clevel: int, shuffle: int, typesize: int, blocksize: int):
    """(block size Blosc uses for a chunk of ``chunk_bytes``, the size to force to get it in a part), or None for the
    second when no forced size gives it.

    Blosc's own choice depends on its settings, and on the buffer's size only where the buffer is smaller than the
    block the settings ask for (at most :data:`_BLOSC_MAX_BLOCK`): it is read from the frame of at most twice that many
    zeros rather than of a whole chunk of zeros, which took five times as long for a 10 MB chunk.
    """
    if not blocksize:
        probe = min(chunk_bytes, 2 * _BLOSC_MAX_BLOCK)
        zeros = np.zeros(probe, dtype=np.uint8)
        blocksize = _blosc_block(_blosc_frame(zeros, cname, clevel, shuffle, typesize, 0))
        if blocksize >= probe and probe < chunk_bytes:  # pragma: no cover - a Blosc with larger blocks
            zeros = np.zeros(chunk_bytes, dtype=np.uint8)
            blocksize = _blosc_block(_blosc_frame(zeros, cname, clevel, shuffle, typesize, 0))
    # Blosc enlarges a forced block size by the type size for the codecs it splits by byte: ask for what gives it.
    probe = np.zeros(min(chunk_bytes, 2 * blocksize), dtype=np.uint8)
    forced = next(
        (size for size in (blocksize, blocksize // typesize)
         if size and _blosc_block(_blosc_frame(probe, cname, clevel, shuffle, typesize, size)) == min(blocksize,
                                                                                                    probe.size)),
        None,
    )  # fmt: skip
    return blocksize, forced


def _blosc_encoder(source, chunk_bytes, chunks, cname, clevel, shuffle, typesize, blocksize, whole_encode, whole):
    """Parts of whole Blosc blocks: each block is compressed alone in a chunk's frame too."""
    blocksize, forced = _blosc_block_sizes(chunk_bytes, cname, clevel, shuffle, typesize, blocksize)
    if forced is None:  # pragma: no cover - a Blosc that sizes blocks otherwise: whole chunks
        return Encoder("blosc", chunks, 1, chunk_bytes, whole_encode)
    part_bytes = blocksize * max(1, round(PART_BYTES["blosc"] / blocksize))
    parts = 1 if whole else max(1, -(-chunk_bytes // part_bytes))

    def measure(unit: int, decode: bool) -> UnitMeasure:
        chunk, index = divmod(unit, parts)
        if parts == 1:
            return whole_encode(chunk, decode)
        start, stop = index * part_bytes, min(chunk_bytes, (index + 1) * part_bytes)
        # A chunk's last, shorter block is compressed as a leftover block only in a frame with a full block before it
        # (alone it would be a frame's one full block): such a part is measured with the block before it.
        before = blocksize if stop - start < blocksize and start >= blocksize else 0
        data, inside = stream_range(source, chunk, start - before, stop, None, start)
        started = time.perf_counter()
        frame = _blosc_frame(data, cname, clevel, shuffle, typesize, forced)
        seconds = time.perf_counter() - started
        if frame[2] & _BLOSC_MEMCPYED:
            stored = len(frame) - _BLOSC_HEADER - before
        elif before:  # the blocks after the first, which ends where the second starts
            stored = len(frame) - int.from_bytes(frame[_BLOSC_HEADER + 4 : _BLOSC_HEADER + 8], "little")
        else:
            stored = len(frame) - _BLOSC_HEADER - 4 * -(-(stop - start) // blocksize)
        decode_seconds = None
        if decode:
            import numcodecs.blosc

            started = time.perf_counter()
            numcodecs.blosc.decompress(frame)
            decode_seconds = time.perf_counter() - started
        return UnitMeasure(chunk, inside, stored, seconds, decode_seconds)

    overhead = _BLOSC_HEADER + 4 * -(-chunk_bytes // blocksize) if parts > 1 else 0
    return Encoder("blosc", chunks, parts, chunk_bytes, measure, overhead, PART_BIAS_BYTES["blosc"],
                   part_bytes if parts > 1 else 0)  # fmt: skip


class _Shifted:
    """``data`` seen as bytes ``offset:offset + len(data)`` of a longer buffer (slicing only)."""

    def __init__(self, data: memoryview, offset: int):
        self.data, self.offset = data, offset

    def __getitem__(self, item: slice) -> memoryview:
        return self.data[item.start - self.offset : item.stop - self.offset]

    def __len__(self) -> int:  # pragma: no cover - the pledged size is always given
        return self.offset + len(self.data)


# ------------------------------------------------------------------------------------------------------------ HDF5


def _hdf5_decode_seconds(pipeline: Any, block: np.ndarray) -> float:
    """Seconds HDF5 takes to read back one chunk of ``block``'s values stored with the pipeline's filters.

    HDF5 encodes the chunk itself (the stored bytes are those the writer makes, see the module's docstring), through
    plain h5py calls only: this runs in the preview's threads, and with h5py 3.12 a ``write_direct_chunk`` there, with
    other threads using HDF5, failed ("Unspecified error in H5DOwrite_chunk") or crashed the process.
    """
    plist = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    plist.set_chunk(tuple(pipeline.chunks))
    for filter_id, flags, values in pipeline.filters:
        plist.set_filter(filter_id, flags, values)
    with tempfile.TemporaryDirectory(prefix="nwbconfig-decode-") as folder:
        path = os.path.join(folder, "chunk.h5")
        with h5py.File(path, "w") as file:
            space = h5py.h5s.create_simple(tuple(pipeline.chunks))
            dataset = h5py.h5d.create(file.id, b"chunk", h5py.h5t.decode(pipeline.file_type), space, dcpl=plist)
            dataset.write(h5py.h5s.ALL, h5py.h5s.ALL, np.ascontiguousarray(block, dtype=np.dtype(pipeline.dtype)))
        with h5py.File(path, "r", rdcc_nbytes=0) as file:
            started = time.perf_counter()
            file["chunk"][()]
            return time.perf_counter() - started


def _hdf5_encoder(configuration: DatasetIOConfiguration, source: ChunkSource, whole: bool) -> Encoder | None:
    from .io.hdf5_filters_in_python import encode_filter
    from .io.parallel_hdf5 import encode_chunk

    kwargs = codecs.hdf5_dataset_kwargs(
        configuration.compression_method, configuration.compression_options, configuration.filter_methods
    )
    key = tuple(sorted((name, _hashable(value)) for name, value in kwargs.items()))
    try:
        pipeline = _hdf5_pipeline(
            configuration.dtype.str, tuple(configuration.full_shape), tuple(configuration.chunk_shape), key
        )
    except (ValueError, OSError, RuntimeError, TypeError):
        return None
    source.dtype, source.fill = np.dtype(pipeline.dtype), pipeline.padding()
    threads = _writer_uses_threads(configuration, pipeline)
    chunk_bytes = int(np.prod(pipeline.chunks)) * source.dtype.itemsize
    ids = pipeline.filter_ids
    shuffled = ids[:1] == (_SHUFFLE,) and len(ids) == 2
    last = pipeline.filters[-1][2] if ids else ()
    plugin = ZstdLibrary.hdf5plugin() if ids[-1:] == (_ZSTD,) and not threads else None

    def stored_chunk(block: np.ndarray) -> tuple[int, bytes]:
        if plugin is None:  # the writer's thread encoder; zlib's deflate is HDF5's byte for byte on either path
            return encode_chunk(pipeline, block)
        data = memoryview(block).cast("B")  # HDF5's own Zstd filter: the plugin's ZSTD_compress
        if shuffled:
            data = memoryview(encode_filter(_SHUFFLE, pipeline.filters[0][2], data))
        return 0, plugin.compressed_bytes(data, _zstd_level(last))

    def whole_encode(chunk: int, decode: bool) -> UnitMeasure:
        block = source.rows(chunk)
        started = time.perf_counter()
        mask, stored = stored_chunk(block)
        seconds = time.perf_counter() - started
        decode_seconds = _hdf5_decode_seconds(pipeline, block) if decode else None
        return UnitMeasure(chunk, source.inside_bytes(chunk), len(stored), seconds, decode_seconds)

    transform = None
    if shuffled:
        values = pipeline.filters[0][2]

        def transform(block: np.ndarray) -> bytes:
            return encode_filter(_SHUFFLE, values, memoryview(block).cast("B"))

    chunks = configuration.number_of_chunks
    if ids[-1:] == (_DEFLATE,) and (len(ids) == 1 or shuffled):
        level = last[0] if last else 6
        return _deflate_encoder("deflate", source, chunk_bytes, chunks, level, _ZLIB_OVERHEAD, transform, whole_encode,
                                whole)  # fmt: skip
    if ids[-1:] == (_ZSTD,) and (len(ids) == 1 or shuffled):
        library = ZstdLibrary.numcodecs() if threads else plugin
        if library is None:
            return None
        return _zstd_encoder("zstd", source, chunk_bytes, chunks, library, _zstd_level(last), False, transform,
                             whole_encode, whole)  # fmt: skip
    if ids == (_BLOSC,) and threads and len(last) >= 7 and last[6] in _BLOSC_NAMES and last[5] in (0, 1, 2):
        # the writer's threads encode Blosc with numcodecs: Blosc's typesize, clevel, shuffle and compressor values
        return _blosc_encoder(source, chunk_bytes, chunks, _BLOSC_NAMES[last[6]], last[4], last[5], last[2], 0,
                              whole_encode, whole)  # fmt: skip
    if threads:
        return Encoder("hdf5 threads", chunks, 1, chunk_bytes, whole_encode)
    return None


def _zstd_level(values: tuple) -> int:
    """The level hdf5plugin's Zstd filter compresses at (its first value, as a C int; 3 without values)."""
    return _signed(values[0]) if values else 3


def _hashable(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return tuple(_hashable(item) for item in value)
    if isinstance(value, dict):
        return tuple(sorted((key, _hashable(item)) for key, item in value.items()))
    return value


# ------------------------------------------------------------------------------------------------------------ Zarr


def _zarr_encoder(configuration: DatasetIOConfiguration, source: ChunkSource, whole: bool) -> Encoder | None:
    import numcodecs

    dtype = configuration.dtype
    compressor = codecs.zarr_compressor(configuration.compression_method, configuration.compression_options, dtype)
    filters = codecs.zarr_filters(configuration.filter_methods, configuration.filter_options, dtype)
    source.dtype, source.fill = dtype, 0  # hdmf-zarr creates arrays with fill value 0
    chunk_bytes = int(np.prod(configuration.chunk_shape)) * dtype.itemsize

    def filtered(block: np.ndarray) -> Any:
        for codec in filters:
            block = codec.encode(block)
        return block

    def whole_encode(chunk: int, decode: bool) -> UnitMeasure:
        block = source.rows(chunk)
        started = time.perf_counter()
        encoded = filtered(block)
        stored = compressor.encode(encoded) if compressor is not None else encoded
        seconds = time.perf_counter() - started
        decode_seconds = None
        if decode:
            started = time.perf_counter()
            values = compressor.decode(stored) if compressor is not None else stored
            for codec in reversed(filters):
                values = codec.decode(values)
            decode_seconds = time.perf_counter() - started
        return UnitMeasure(chunk, source.inside_bytes(chunk), memoryview(stored).nbytes, seconds, decode_seconds)

    def transform(block: np.ndarray) -> bytes:
        return memoryview(np.ascontiguousarray(filtered(block))).cast("B").tobytes()

    chunks = configuration.number_of_chunks
    transform_or_none = transform if filters else None
    if isinstance(compressor, (numcodecs.GZip, numcodecs.Zlib)):
        sample = np.arange(64, dtype="uint8").tobytes()
        raw = zlib.compressobj(compressor.level, zlib.DEFLATED, -15, 8)
        overhead = len(compressor.encode(sample)) - len(raw.compress(sample) + raw.flush())
        return _deflate_encoder("deflate", source, chunk_bytes, chunks, compressor.level, overhead, transform_or_none,
                                whole_encode, whole)  # fmt: skip
    if isinstance(compressor, numcodecs.Zstd):
        checksum = bool(getattr(compressor, "checksum", False))
        return _zstd_encoder("zstd", source, chunk_bytes, chunks, ZstdLibrary.numcodecs(), compressor.level, checksum,
                             transform_or_none, whole_encode, whole)  # fmt: skip
    if isinstance(compressor, numcodecs.Blosc) and not filters:
        shuffle = compressor.shuffle
        if shuffle == numcodecs.Blosc.AUTOSHUFFLE:
            shuffle = numcodecs.Blosc.BITSHUFFLE if dtype.itemsize == 1 else numcodecs.Blosc.SHUFFLE
        return _blosc_encoder(source, chunk_bytes, chunks, compressor.cname, compressor.clevel, shuffle,
                              dtype.itemsize, compressor.blocksize, whole_encode, whole)  # fmt: skip
    return Encoder("zarr", chunks, 1, chunk_bytes, whole_encode)


def build_encoder(configuration: DatasetIOConfiguration, read: Any, *, whole_chunks: bool = False) -> Encoder | None:
    """The encoder of a dataset's units, or None when the preview must encode it through HDF5 or zarr themselves.

    ``whole_chunks`` measures whole chunks only (exact sizes, e.g. when every chunk is sampled).
    """
    dtype = configuration.dtype
    if configuration.chunk_shape is None or dtype.kind not in _NUMERIC or dtype.names is not None:
        return None
    source = ChunkSource(read, configuration.full_shape, configuration.chunk_shape, dtype)
    if configuration.backend == "hdf5":
        return _hdf5_encoder(configuration, source, whole_chunks)
    return _zarr_encoder(configuration, source, whole_chunks)
