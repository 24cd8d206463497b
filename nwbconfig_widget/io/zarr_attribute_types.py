"""Refuse a Zarr write that pynwb could not read back: unsigned integer attributes.

hdmf-zarr 0.13 stores attributes as JSON, which keeps no integer type: an attribute written as ``uint8`` reads back as
a Python ``int`` (hdmf-dev/hdmf-zarr#323). Where the schema declares an attribute unsigned (ndx-pose's
``SkeletonInstance.id`` and ``TrainingFrame.source_video_frame_index`` are ``uint8``), the class pynwb builds on read
accepts only unsigned NumPy integers, so reading the whole file fails with a ``ConstructError``. No writer can store the
type there, so such a write is refused before anything is written, naming each attribute; HDF5 keeps the type.

Signed integer and float attributes read back as Python ``int`` and ``float``, which pynwb accepts for every width,
so they are not refused (their width is the schema's, applied again on the next HDF5 write).

Example (an NWBFile without such attributes passes)::

    >>> from datetime import datetime, timezone
    >>> from pynwb import NWBFile
    >>> nwbfile = NWBFile("a session", "id", datetime(2024, 1, 1, tzinfo=timezone.utc))
    >>> refuse_attributes_zarr_reads_back_untyped(nwbfile)
"""

from __future__ import annotations

from typing import Any

from .._plain import plain


class ZarrAttributeTypeError(ValueError):
    """An attribute that the schema declares unsigned would make the Zarr file unreadable by pynwb."""


def _unsigned(dtype: Any) -> bool:
    return isinstance(dtype, str) and dtype.startswith("uint")


def unsigned_attributes(nwbfile: Any, type_map: Any) -> list[str]:
    """The ``path: attribute (dtype)`` of every attribute with a value whose schema dtype is unsigned.

    Looks at each object's own attributes and those of its untyped datasets (``spec.datasets`` without a type).
    """
    from hdmf.build import BuildManager

    manager = BuildManager(type_map)
    found: list[str] = []
    for container in [nwbfile, *nwbfile.objects.values()]:
        mapper = type_map.get_map(container)
        specs = list(mapper.spec.attributes)
        for sub in getattr(mapper.spec, "datasets", ()):
            if sub.data_type_def is None and sub.data_type_inc is None:
                specs.extend(sub.attributes)
        for spec in specs:
            if not _unsigned(spec.dtype):
                continue
            if mapper.get_attr_value(spec, container, manager) is not None:
                where = spec.parent.name if spec.parent is not mapper.spec and spec.parent is not None else None
                owner = f"{container.name}/{where}" if where else container.name
                found.append(f"{type(container).__name__} {plain(owner)}: {spec.name} ({spec.dtype})")
    return found


def refuse_attributes_zarr_reads_back_untyped(nwbfile: Any, type_map: Any = None) -> None:
    """Raise :class:`ZarrAttributeTypeError` when writing ``nwbfile`` to Zarr would give a file pynwb cannot read.

    ``type_map`` defaults to the one of the IO that read ``nwbfile``, else pynwb's.
    """
    if type_map is None:
        io = nwbfile.get_read_io()
        if io is not None:
            type_map = io.manager.type_map
        else:
            from ..discovery import pynwb_type_map

            type_map = pynwb_type_map()
    found = unsigned_attributes(nwbfile, type_map)
    if found:
        shown = "; ".join(found[:5]) + (f"; and {len(found) - 5} more" if len(found) > 5 else "")
        raise ZarrAttributeTypeError(
            f"{len(found)} attribute(s) that the schema declares unsigned would be stored as plain JSON numbers, "
            f"which pynwb refuses on read, so the Zarr file could not be opened (hdmf-dev/hdmf-zarr#323): {shown}. "
            "Nothing was written; write this file to HDF5 (backend='hdf5', a .nwb path), which keeps the type"
        )
