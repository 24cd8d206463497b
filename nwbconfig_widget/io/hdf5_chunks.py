"""Producing the exact bytes HDF5 stores for one chunk of a dataset, outside the file being written.

A dataset's *pipeline* (its stored datatype, its filters with their flags and values, its fill value and chunk shape)
is read from the real dataset, together with the h5py arguments it was created with. :func:`encode_with_hdf5` creates
a one-chunk dataset in an in-memory HDF5 file with those same arguments (so every filter's ``set_local`` step sees
what it saw for the real dataset), writes the chunk and reads the stored bytes back with ``read_direct_chunk``.
:func:`reproduces` checks, before any chunk is encoded, that this dataset ends up with exactly the real dataset's
datatype and filter values. The result is then, by construction, what HDF5's own filter pipeline stores for that
chunk, for any filter (plugin filters, fletcher32, filters that decline a chunk and set a bit in the filter mask).
Those bytes are stored in the real file with ``write_direct_chunk``.

h5py serializes every HDF5 call behind one lock, so this runs in worker processes: run as a script, this file is
a worker that reads chunks on stdin and answers on stdout, and imports nothing of the package.
"""

from __future__ import annotations

import itertools
import pickle
import struct
import sys
from dataclasses import dataclass
from typing import Any, BinaryIO

import h5py
import numpy as np

_HEADER = struct.Struct("<QQ")  # length of the pickled header, length of the raw payload that follows
_names = itertools.count()


@dataclass(frozen=True)
class ChunkPipeline:
    """Everything HDF5 needs to store one chunk exactly as the real dataset would (picklable)."""

    file_type: bytes  # the stored datatype, H5Tencode'd
    dtype: str  # numpy dtype of the data in memory
    chunks: tuple[int, ...]
    filters: tuple[tuple[int, int, tuple[int, ...]], ...]  # (filter id, flags, client values), in pipeline order
    fill_value: bytes  # one element of the dataset's fill value, in memory layout
    create_kwargs: tuple[tuple[str, Any], ...] = ()  # the filter arguments h5py's create_dataset was given

    @property
    def filter_ids(self) -> tuple[int, ...]:
        return tuple(item[0] for item in self.filters)

    def as_tuple(self) -> tuple:
        """Plain values, for a worker that must not import this package to unpickle them."""
        return (self.file_type, self.dtype, self.chunks, self.filters, self.fill_value, self.create_kwargs)

    def padding(self) -> np.ndarray:
        """The fill value as a 0-d array: what HDF5 stores beyond the dataset's extent in an edge chunk."""
        return np.frombuffer(self.fill_value, dtype=np.dtype(self.dtype)).reshape(())


#: The arguments of h5py's create_dataset that shape the filter pipeline.
FILTER_ARGUMENTS = ("compression", "compression_opts", "shuffle", "fletcher32", "scaleoffset")


def _plain(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return tuple(_plain(item) for item in value)
    if isinstance(value, np.generic):
        return value.item()
    return value


def pipeline_of(dataset: h5py.Dataset, create_kwargs: dict[str, Any] | None = None) -> ChunkPipeline:
    """The pipeline of a chunked h5py dataset created with ``create_kwargs`` (h5py's create_dataset arguments)."""
    plist = dataset.id.get_create_plist()
    fill = np.zeros(1, dtype=dataset.dtype)
    plist.get_fill_value(fill)
    return ChunkPipeline(
        file_type=dataset.id.get_type().encode(),
        dtype=dataset.dtype.str,
        chunks=tuple(int(length) for length in dataset.chunks),
        filters=_filters(dataset.id),
        fill_value=fill.tobytes(),
        create_kwargs=tuple(
            (name, _plain(value)) for name, value in sorted((create_kwargs or {}).items()) if name in FILTER_ARGUMENTS
        ),
    )


def _filters(dataset_id: Any) -> tuple:
    plist = dataset_id.get_create_plist()
    items = []
    for index in range(plist.get_nfilters()):
        filter_id, flags, values, _name = plist.get_filter(index)
        items.append((int(filter_id), int(flags), tuple(int(value) for value in values)))
    return tuple(items)


def _one_chunk_dataset(file: h5py.File, pipeline: ChunkPipeline) -> Any:
    """A dataset of one chunk with the pipeline, created as h5py created the real one."""
    dtype = np.dtype(pipeline.dtype)
    fill = pipeline.padding()
    kwargs = dict(pipeline.create_kwargs)
    if fill.any():
        kwargs["fillvalue"] = fill
    return file.create_dataset("chunk", shape=pipeline.chunks, chunks=pipeline.chunks, dtype=dtype, **kwargs).id


def reproduces(pipeline: ChunkPipeline) -> bool:
    """Whether a one-chunk dataset made from ``create_kwargs`` has exactly the real dataset's type and filters."""
    with h5py.File(f"probe-{next(_names)}.h5", "w", driver="core", backing_store=False) as file:
        dataset = _one_chunk_dataset(file, pipeline)
        same_type = dataset.get_type().equal(h5py.h5t.decode(pipeline.file_type))
        return bool(same_type) and _filters(dataset) == pipeline.filters


def encode_with_hdf5(pipeline: ChunkPipeline, chunk: np.ndarray) -> tuple[int, bytes]:
    """``(filter_mask, stored bytes)`` of ``chunk`` (a full chunk, edge chunks padded) through HDF5's own pipeline."""
    with h5py.File(f"chunk-{next(_names)}.h5", "w", driver="core", backing_store=False) as file:
        dataset = _one_chunk_dataset(file, pipeline)
        dataset.write(h5py.h5s.ALL, h5py.h5s.ALL, np.ascontiguousarray(chunk, dtype=np.dtype(pipeline.dtype)))
        mask, stored = dataset.read_direct_chunk((0,) * len(pipeline.chunks))
    return int(mask), bytes(stored)


# ---------------------------------------------------------------------------------------------- the wire protocol


def send(stream: BinaryIO, header: Any, payload: memoryview | bytes = b"") -> None:
    """Write one message: a pickled header and a raw payload (sent without a copy)."""
    pickled = pickle.dumps(header, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(pickled), len(payload)))
    stream.write(pickled)
    if len(payload):
        stream.write(payload)
    stream.flush()


def receive(stream: BinaryIO) -> tuple[Any, bytearray] | None:
    """Read one message written by :func:`send`; None at end of stream."""
    sizes = _read_exactly(stream, _HEADER.size)
    if sizes is None:
        return None
    header_size, payload_size = _HEADER.unpack(sizes)
    header = _read_exactly(stream, header_size)
    payload = _read_exactly(stream, payload_size) if payload_size else bytearray()
    if header is None or payload is None:
        return None
    return pickle.loads(header), payload


def _read_exactly(stream: BinaryIO, size: int) -> bytearray | None:
    buffer = bytearray(size)
    view = memoryview(buffer)
    done = 0
    while done < size:
        count = stream.readinto(view[done:])
        if not count:
            return None
        done += count
    return buffer


def _serve(requests: BinaryIO, answers: BinaryIO) -> None:
    """Worker loop: each request is ``(pipeline, shape)`` + the chunk's bytes; each answer ``(mask, error)`` + bytes."""
    while True:
        message = receive(requests)
        if message is None:
            return
        (fields, shape), payload = message
        try:
            pipeline = ChunkPipeline(*fields)
            chunk = np.frombuffer(payload, dtype=np.dtype(pipeline.dtype)).reshape(shape)
            mask, stored = encode_with_hdf5(pipeline, chunk)
        except Exception as exc:  # reported to the parent, which fails the write with this message
            send(answers, (0, f"{type(exc).__name__}: {exc}"))
            continue
        send(answers, (mask, None), stored)


if __name__ == "__main__":
    import signal

    import hdf5plugin  # noqa: F401  (registers the plugin filters)

    # Ctrl-C is the parent's to handle: it stops the write and then closes this worker's stdin.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _serve(sys.stdin.buffer, sys.stdout.buffer)
