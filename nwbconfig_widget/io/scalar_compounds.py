"""Write scalar compound datasets (``ElectrodeGroup.position``) to Zarr, and keep them scalar in HDF5.

hdmf-zarr 0.13 cannot write a scalar dataset whose dtype is a compound (hdmf-dev/hdmf-zarr#277, fixed upstream by
storing scalars as 0-d arrays, hdmf-dev/hdmf-zarr PR 391, not released): ``ZarrIO.__list_fill__`` slices the 0-d
array (``data[:]``) and fails with ``IndexError: too many indices for array: array is 0-dimensional``. So every
NWBFile with an ElectrodeGroup that has a ``position`` failed to write to Zarr, in memory or exported from HDF5.

:func:`scalar_compounds_written` makes a subclass of an IO class that hands such a dataset to hdmf-zarr as a
one-element array and marks the array ``zarr_dtype == "scalar"``: exactly how hdmf-zarr 0.13 stores every other
scalar (``ZarrIO.__scalar_fill__``), with the dtype, fill value and compressor its own compound write chooses. hdmf-zarr
0.13 reads it back as a one-element array (``zarr_array[()]``), as it reads every scalar; a 0-d Zarr array would not
be readable there (pynwb's ``ElectrodeGroup`` refuses the 0-d Zarr array and the ``numpy.void`` it holds).

The other way, a scalar compound that hdmf-zarr read from a Zarr source (as a one-element array, as it reads every
scalar) is written as a scalar again, to HDF5 (a 0-d dataset) and to Zarr: the repack keeps what the source stores.
A compound the source stores as a one-element array (pynwb < 2.8 could write ``position`` so, pynwb issue 1768)
keeps its shape, as does a one-element array given in memory.

Example (an IO class that writes no scalar compound is given back unchanged, only its methods are added)::

    >>> from pynwb import NWBHDF5IO
    >>> scalar_compounds_written(NWBHDF5IO).__name__
    'NWBHDF5IO'
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..backends import backend_of_io_class


def _compound_without_references(dtype: Any) -> bool:
    """Whether a builder's ``dtype`` is a compound (a list of fields) none of whose fields is a reference."""
    if not isinstance(dtype, list):
        return False
    for field in dtype:
        inner = field.get("dtype") if isinstance(field, dict) else getattr(field, "dtype", None)
        if isinstance(inner, dict) or hasattr(inner, "reftype"):
            return False
    return True


def stored_scalar_compounds(io: Any) -> frozenset[str]:
    """The paths (no leading ``/``) of the compound datasets that ``io`` read as hdmf-zarr's scalars.

    hdmf-zarr 0.13 marks a scalar ``zarr_dtype == "scalar"`` and reads it as a one-element array (the builder's
    dtype is then ``"scalar"``): nothing else tells the value apart from a one-element dataset once it is in memory.
    An HDF5 reader reads a scalar compound as a 0-d array, which needs no list.
    """
    found: set[str] = set()
    stack = [io.read_builder()]
    while stack:
        builder = stack.pop()
        stack.extend(getattr(builder, "groups", {}).values())
        for dataset in getattr(builder, "datasets", {}).values():
            data = dataset.data
            if dataset.dtype == "scalar" and isinstance(data, np.ndarray) and data.dtype.names is not None:
                found.add(dataset.path.partition("/")[2])
    return frozenset(found)


def scalar_compound_value(builder: Any, location: str, stored_scalars: frozenset[str]) -> np.ndarray | None:
    """The 0-d value of ``builder`` (written at ``location``) when it is a scalar compound dataset, else None.

    Scalar: 0-d data, or a one-element array at a location the source stores as a scalar (``stored_scalars``,
    :func:`stored_scalar_compounds`), also inside the DataIO of a configuration. Data still in a file (an h5py
    Dataset, a Zarr array) is left to the IO class as it is.
    """
    from hdmf.data_utils import DataIO

    data = builder.data.data if isinstance(builder.data, DataIO) else builder.data
    if not _compound_without_references(builder.dtype) or not isinstance(data, (np.ndarray, np.void)):
        return None
    if data.dtype.names is None:
        return None
    if data.ndim == 0:
        return np.asarray(data)
    if data.shape == (1,) and location in stored_scalars:
        return data.reshape(())
    return None


def scalar_compounds_written(base: type, stored_scalars: frozenset[str] = frozenset()) -> type:
    """A subclass of ``base`` (an HDF5 or Zarr IO class of pynwb / hdmf-zarr) that writes scalar compounds.

    To Zarr: as a one-element array marked ``zarr_dtype == "scalar"`` (hdmf-dev/hdmf-zarr#277); to HDF5: as a 0-d
    dataset. ``stored_scalars``: where the source of an export holds scalars that hdmf-zarr read as one-element arrays
    (:func:`stored_scalar_compounds`), written as scalars again.
    """
    zarr_target = backend_of_io_class(base) == "zarr"

    class ScalarCompoundsIO(base):
        def write_dataset(self, *args: Any, **kwargs: Any) -> Any:
            parent = kwargs["parent"] if "parent" in kwargs else args[0]
            builder = kwargs["builder"] if "builder" in kwargs else args[1]
            value = scalar_compound_value(builder, f"{parent.name}/{builder.name}".strip("/"), stored_scalars)
            if value is None:
                return super().write_dataset(*args, **kwargs)
            stored = builder["data"]
            if not zarr_target:
                replacement = value  # a 0-d HDF5 dataset, which has no chunks or filters (as for every scalar)
            elif np.shape(getattr(stored, "data", stored)) == (1,):
                replacement = stored  # already one element, with the compressor a configuration gave it
            else:
                replacement = value.reshape(1)
            # hdmf's DatasetBuilder refuses to replace its data through the property; it is a dict underneath.
            builder["data"] = replacement
            try:
                result = super().write_dataset(*args, **kwargs)
            finally:
                builder["data"] = stored
            if zarr_target and result is not None:
                # hdmf-zarr's compound write marks the array with the fields; its scalar write marks it "scalar",
                # which makes hdmf-zarr read it back as the value (ZarrIO.__read_dataset).
                result.attrs["zarr_dtype"] = "scalar"
            return result

    ScalarCompoundsIO.__name__ = base.__name__
    ScalarCompoundsIO.__qualname__ = base.__qualname__
    return ScalarCompoundsIO
