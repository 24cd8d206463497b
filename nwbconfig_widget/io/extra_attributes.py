"""Carry over what hdmf's export leaves behind: attributes outside the NWB schema.

A repack goes through hdmf's export, which writes the objects it knows from the schema and only the attributes the
schema names. Attributes added by other tools (a lab's ``h5py`` notes, a pipeline's provenance) would be lost;
:func:`copy_missing_attributes` copies every attribute the source has and the new file lacks, on every object both
files hold, between HDF5 and Zarr in either direction. Objects outside the schema (a group added with ``h5py``) are
not recreated: :func:`copy_missing_attributes` returns their paths so the caller can say so.

Example (an attribute that hdmf does not know survives the copy)::

    >>> import h5py, tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> with h5py.File(folder / "a.h5", "w") as source, h5py.File(folder / "b.h5", "w") as target:
    ...     source.create_group("acquisition").attrs["lab_note"] = "rig 3"
    ...     _ = target.create_group("acquisition")
    >>> copy_missing_attributes(folder / "a.h5", folder / "b.h5")
    []
    >>> h5py.File(folder / "b.h5", "r")["acquisition"].attrs["lab_note"]
    'rig 3'
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import zarr

#: Attributes each backend keeps for itself (types, links, the location of the cached schema): never copied.
_BACKEND_ATTRIBUTES = frozenset({"zarr_dtype", "zarr_link", ".specloc", "_ARRAY_DIMENSIONS"})
#: The cached schema is written anew by the export (the schema version of the new file may differ).
_SCHEMA_GROUP = "specifications"


def _open(path: Path, mode: str) -> contextlib.AbstractContextManager:
    """The root group of an HDF5 file (closed at the end of the ``with`` block) or of a Zarr folder."""
    return contextlib.nullcontext(zarr.open(str(path), mode=mode)) if path.is_dir() else h5py.File(path, mode)


def _objects(root: Any) -> Iterator[tuple[str, Any]]:
    """(path, group or dataset) of every object under ``root``, the root itself as ``""``; links are not followed."""
    yield "", root
    found: list[tuple[str, Any]] = []
    if isinstance(root, h5py.Group):

        def visit(name: str, link: Any) -> None:
            if isinstance(link, h5py.HardLink):
                found.append((name, root[name]))

        root.visititems_links(visit)
    else:
        root.visititems(lambda name, node: found.append((name, node)))
    yield from found


def _is_reference(value: Any) -> bool:
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
    if isinstance(target, (h5py.Group, h5py.Dataset)):
        if isinstance(value, list):  # from Zarr's JSON: texts as variable-length strings, numbers as an array
            value = np.array(value, dtype=h5py.string_dtype()) if all(isinstance(v, str) for v in value) else value
        target.attrs[name] = value
    else:
        value = _as_json(value)
        json.dumps(value, allow_nan=True)  # refuse early what Zarr cannot store
        target.attrs[name] = value


def copy_missing_attributes(source: str | Path, target: str | Path) -> list[str]:
    """Copy every attribute of ``source`` missing from the same object of ``target``; return objects ``target`` lacks.

    Both are NWB files (an HDF5 file or a Zarr folder, in any combination); ``source`` is opened read-only. Object
    references are not copied (they point into the source). Returns the paths of objects of ``source`` that
    ``target`` does not hold (outside the cached schema), which were not copied.
    """
    source, target = Path(source), Path(target)
    missing_objects: list[str] = []
    with _open(source, "r") as read, _open(target, "r+") as written:
        for path, node in _objects(read):
            if path.split("/", 1)[0] == _SCHEMA_GROUP:
                continue
            if path and path not in written:
                if not any(path.startswith(parent + "/") for parent in missing_objects):
                    missing_objects.append(path)
                continue
            counterpart = written[path] if path else written
            for name in node.attrs:
                if name in _BACKEND_ATTRIBUTES or name in counterpart.attrs:
                    continue
                value = node.attrs[name]
                if not _is_reference(value):
                    _set(counterpart, name, value)
    return missing_objects
