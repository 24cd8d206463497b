"""Attribute values between HDF5 and Zarr, for copying attributes outside the NWB schema.

hdmf's export writes only the attributes the schema names; :mod:`nwbconfig_widget.io.outside_schema` copies the
others (a lab's ``h5py`` notes, a pipeline's provenance) in the same walk that copies objects outside the schema. The
helpers here say which attributes belong to a backend itself, which values are object references, and convert a
value for the other format: HDF5 attributes become Zarr's JSON values, and JSON lists of texts become HDF5
variable-length strings.

Example (a text array from HDF5 is stored as a JSON list in Zarr)::

    >>> import numpy as np, zarr
    >>> group = zarr.group()
    >>> _set(group, "channels", np.array([b"left", b"right"]))
    >>> group.attrs["channels"]
    ['left', 'right']
"""

from __future__ import annotations

import json
from typing import Any

import h5py
import numpy as np

#: Attributes each backend keeps for itself (types, links, the location of the cached schema): never copied.
_BACKEND_ATTRIBUTES = frozenset({"zarr_dtype", "zarr_link", ".specloc", "_ARRAY_DIMENSIONS"})
#: The cached schema is written anew by the export (the schema version of the new file may differ).
_SCHEMA_GROUP = "specifications"


def _is_reference(value: Any) -> bool:
    """Whether an attribute value is an object or region reference (h5py's, or hdmf-zarr's JSON object)."""
    if isinstance(value, (h5py.Reference, h5py.RegionReference)):
        return True
    if isinstance(value, np.ndarray) and value.dtype.kind == "O":
        return any(isinstance(item, (h5py.Reference, h5py.RegionReference)) for item in value.flat)
    return isinstance(value, dict)  # hdmf-zarr stores references (and only them) as JSON objects


def _as_json(value: Any) -> Any:
    """An HDF5 attribute value as Zarr's JSON attributes hold it."""
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="surrogateescape")
    if isinstance(value, np.ndarray):
        return [_as_json(item) for item in value.tolist()] if value.dtype.kind in "OSU" else value.tolist()
    if isinstance(value, np.generic):
        return _as_json(value.item())
    if isinstance(value, list):
        return [_as_json(item) for item in value]
    return value


def _set(target: Any, name: str, value: Any) -> None:
    """Set attribute ``name`` of an h5py or zarr object to ``value`` (read from either), converted for its format."""
    if isinstance(target, (h5py.Group, h5py.Dataset)):
        if isinstance(value, list):  # from Zarr's JSON: texts as variable-length strings, numbers as an array
            value = np.array(value, dtype=h5py.string_dtype()) if all(isinstance(v, str) for v in value) else value
        target.attrs[name] = value
    else:
        value = _as_json(value)
        json.dumps(value, allow_nan=True)  # refuse early what Zarr cannot store
        target.attrs[name] = value
