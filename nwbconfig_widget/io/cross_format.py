"""Datasets copied between HDF5 and Zarr: which can be represented in the other format, and the copy itself.

Numbers (also compound numbers) keep their dtype; text is variable-length UTF-8 in both (h5py's string dtype, or
Zarr's object arrays with ``VLenUTF8``), bytes likewise; a scalar is a 1-element array marked ``"scalar"`` in
hdmf-zarr's ``zarr_dtype``. Values are copied one block of about 64 MiB at a time.

>>> import numpy as np
>>> kind_of_hdf5(np.dtype("float32")), kind_of_hdf5(h5py.string_dtype()), kind_of_hdf5(h5py.ref_dtype)
('numeric', 'text', None)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import h5py
import numpy as np

#: How many bytes of a dataset are read at once when it is copied to the other format.
_BLOCK_BYTES = 64 * 2**20


def has_reference(dtype: np.dtype) -> bool:
    """Whether an HDF5 ``dtype`` holds object or region references (also inside a compound)."""
    if h5py.check_ref_dtype(dtype) is not None:
        return True
    return dtype.names is not None and any(has_reference(dtype.fields[name][0]) for name in dtype.names)


def kind_of_hdf5(dtype: np.dtype) -> str | None:
    """How an HDF5 dataset of ``dtype`` is written to Zarr: numeric, text, bytes; None when it cannot be."""
    info = h5py.check_string_dtype(dtype)
    if info is not None:
        if info.length is not None:
            return "numeric"  # fixed-length bytes: numpy's S<n>, which Zarr stores as is
        return "text" if info.encoding == "utf-8" else "bytes"
    if dtype.names is not None:
        return "numeric" if all(dtype.fields[name][0].kind in "biuf" for name in dtype.names) else None
    return "numeric" if dtype.kind in "biufcS?" else None


def object_codec_id(array: Any) -> str | None:
    """The codec id of a Zarr object array's object codec (``vlen-utf8``, ``pickle``...), or None."""
    filters = array.filters or []
    return getattr(filters[0], "codec_id", None) if array.dtype.kind == "O" and filters else None


def kind_of_zarr(array: Any) -> str | None:
    """How a Zarr array is written to HDF5: numeric, text, bytes; None when it cannot be."""
    if array.dtype.kind == "O":
        return {"vlen-utf8": "text", "vlen-bytes": "bytes"}.get(object_codec_id(array))
    if array.dtype.kind == "U":
        return "text"
    if array.dtype.names is not None:
        return "numeric" if all(array.dtype.fields[name][0].kind in "biuf" for name in array.dtype.names) else None
    return "numeric" if array.dtype.kind in "biufcS?" else None


def as_text(value: Any) -> Any:
    """``value`` decoded from UTF-8 when it is bytes."""
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def _blocks(shape: tuple[int, ...], itemsize: int) -> Iterator[tuple[slice, ...] | tuple]:
    """Selections covering an array of ``shape`` along its first axis, each about _BLOCK_BYTES."""
    if not shape:
        yield ()
        return
    row = max(1, itemsize * int(np.prod(shape[1:], dtype=np.int64)))
    step = max(1, _BLOCK_BYTES // row)
    for start in range(0, shape[0], step):
        yield (slice(start, min(start + step, shape[0])),)


def hdf5_dataset_to_zarr(dataset: h5py.Dataset, group: Any, name: str) -> Any:
    """Create ``name`` in the Zarr ``group`` with the values of the HDF5 ``dataset`` (its chunks, Zarr's codec)."""
    import numcodecs

    kind = kind_of_hdf5(dataset.dtype)
    scalar = dataset.shape == ()
    shape = (1,) if scalar else dataset.shape
    chunks = dataset.chunks or True
    if kind in ("text", "bytes"):
        codec = numcodecs.VLenUTF8() if kind == "text" else numcodecs.VLenBytes()
        array = group.create_dataset(name, shape=shape, chunks=chunks, dtype=object, object_codec=codec)
        zarr_dtype = "str" if kind == "text" else "bytes"
    else:
        array = group.create_dataset(name, shape=shape, chunks=chunks, dtype=dataset.dtype)
        zarr_dtype = np.dtype(dataset.dtype).str
        if dataset.dtype.names is not None:
            zarr_dtype = [{"name": field, "dtype": dataset.dtype[field].str} for field in dataset.dtype.names]
    # hdmf-zarr reads a dataset's type from zarr_dtype (and warns without it); a scalar is a 1-element array there.
    array.attrs["zarr_dtype"] = "scalar" if scalar else zarr_dtype
    source = dataset.asstr() if kind == "text" else dataset
    for selection in _blocks(dataset.shape, dataset.dtype.itemsize):
        values = np.asarray(source[selection])
        if kind == "text":
            values = values.astype(object)
        array[selection if not scalar else slice(None)] = values.reshape(-1) if scalar else values
    return array


def zarr_array_to_hdf5(array: Any, group: h5py.Group, name: str) -> h5py.Dataset:
    """Create ``name`` in the HDF5 ``group`` with the values of the Zarr ``array`` (its chunks, gzip)."""
    kind = kind_of_zarr(array)
    scalar = array.attrs.get("zarr_dtype") == "scalar" and array.shape == (1,)
    shape = () if scalar else array.shape
    if kind == "text":
        dtype = h5py.string_dtype("utf-8")
    elif kind == "bytes":
        dtype = h5py.string_dtype("ascii")
    else:
        dtype = array.dtype
    options: dict[str, Any] = {}
    if shape and int(np.prod(shape)) > 0:
        options = {"chunks": tuple(max(1, min(c, s)) for c, s in zip(array.chunks, shape)), "compression": "gzip"}
    dataset = group.create_dataset(name, shape=shape, dtype=dtype, **options)
    for selection in _blocks(array.shape, max(array.dtype.itemsize, 8)):
        values = np.asarray(array[selection])
        if kind == "text":
            values = np.array([as_text(value) for value in values.reshape(-1)], dtype=object).reshape(values.shape)
        if scalar:
            dataset[()] = values.reshape(-1)[0]
        else:
            dataset[selection] = values
    return dataset
