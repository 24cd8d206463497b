"""Work around what reading a file does to its links, so that an export writes each link as the source stores it.

hdmf's export writes the links of each container from its fields. Several readers set those fields to something other
than what the source stores, and the export then fails or writes links the source did not have:

Device models (NWB 2.9 made ``Device.model`` a link to a ``DeviceModel``; extensions written before it defined a
``model`` of their own on their Device types, and pynwb since 3.1 remaps those when it reads a file: pynwb issue 2108,
PR 2132):

- a ``model`` **text attribute** (ndx-fiber-photometry 0.1, ndx-ophys-devices 0.1, ndx-photostim) becomes a new
  in-memory ``DeviceModel`` named by the text, which belongs to no file. Exporting the file then fails with
  ``OrphanContainerBuildError: ... Linked DeviceModel '<text>' has no parent`` (or, since pynwb PR 2186, with a
  ValueError when the text holds ``/`` or ``:``).
- a ``model`` **link to the extension's own model type** that is not a core ``DeviceModel`` (ndx-optogenetics 0.2,
  whose ``OpticalFiberModel`` extends ``Device``) is taken off ``Device.model`` and kept as a plain Python attribute
  (``device.ndx_optogenetics_model``) that no ObjectMapper reads. The export then succeeds, but without the link,
  and the written file fails pynwb.validate ("missing data type OpticalFiberModel (model)").
- a link to a model of an older extension read with a newer version of the extension imported (ndx-ophys-devices
  0.2 models are Devices in ``/general/devices``; 0.3 makes them DeviceModels, which ``NWBFile.devices`` does not
  take): the model is read but placed nowhere in the NWBFile (its parent stays an unresolved Proxy), and hdmf's
  export writes the Device's ``model`` as a soft link to ``/`` (hdmf issue 1582, fixed to raise by hdmf PR 1583;
  hdmf-zarr issue 266 for Zarr).

Other links:

- ndx-pose 0.2+ reads a ``PoseEstimation`` written by ndx-pose < 0.2 (its ``nodes`` and ``edges`` datasets) into a
  ``Skeleton`` named ``subject`` that it creates at read time and that belongs to nothing (ndx-pose's
  ``PoseEstimation.__init__`` says so itself; no ndx-pose or hdmf issue found): the export fails with
  ``OrphanContainerBuildError: PoseEstimation (PoseEstimation): Linked Skeleton 'subject' has no parent``.
- hdmf 6.2's ObjectMapper (``__get_subspec_values``) fills a *named* link of the spec that the group does not hold
  with any other link of the group to the same type: ndx-pose 0.4 reads the ``camera1`` link of an ndx-pose 0.3
  ``PoseEstimation`` as its ``device``, and the ``source_video`` link of an ndx-pose 0.4 one also as its
  ``labeled_video``. The export then writes a second link to the same object (``device``, ``labeled_video``) that
  the source does not have. (No upstream issue found; hdmf issue 1481 / PR 1482 changed the same matching for
  unnamed links.)

None of these is undone on write by pynwb 4.2 / hdmf 6.2 / ndx-pose 0.4 (no upstream issue covers the export side;
pynwb issue 2108 and nwb-schema issue 633 describe the device-model conflict). :func:`links_as_stored` writes each
link of a container read from the source as the source holds it, for the duration of the export only. For every
link the type map writes from a field of such a container (every ``LinkSpec`` of its spec):

- the source holds that link, to that object: written as it is when the object is in the NWBFile; when it is not
  (placed nowhere), the link is left out of the build and copied as stored afterwards, with the object it points
  to, as objects outside what pynwb writes (see :mod:`nwbconfig_widget.io.outside_schema`);
- the source links that object from the same group under another name: the field is left out of the build, and the
  source's own link is copied afterwards under its own name;
- the object belongs to nothing and was not read from the source, and a fresh read of the source gives the same
  field such an object too (it was made by the reader, not by the user): the field is left out of the build, and
  what the source stores in its place (a text attribute, ``nodes`` and ``edges`` datasets) is copied afterwards as
  objects and attributes outside what the type map writes;
- a ``model`` link that pynwb moved aside (the field is empty) is set again to the object the source links;
- anything else (a link the user set to an object of the file) is written as the user made it; a link the user set
  to an object that belongs to nothing fails in hdmf as before (nothing is dropped without a word).

Example (an NWBFile built in memory was not read, so there is nothing to put back)::

    >>> from pynwb.testing.mock.file import mock_NWBFile
    >>> with links_as_stored(mock_NWBFile(), builders=None) as changed:
    ...     changed
    []
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from hdmf.container import AbstractContainer

#: The link of a Device that NWB 2.9 defines (a link to a DeviceModel), which pynwb may move aside on read.
_MODEL = "model"


def builders_by_object_id(io: Any) -> dict[str, Any]:
    """Every group and dataset builder that ``io`` read, by its ``object_id`` (links are not followed).

    The IO keeps the builders it read (HDF5IO and ZarrIO both cache them), while hdmf's export clears the
    BuildManager's map from containers to builders; a container's ``object_id`` finds its builder either way.
    """
    found: dict[str, Any] = {}
    stack = [io.read_builder()]
    while stack:
        builder = stack.pop()
        object_id = builder.attributes.get("object_id")
        if object_id is not None:
            found[object_id.decode() if isinstance(object_id, bytes) else str(object_id)] = builder
        groups = getattr(builder, "groups", {})
        stack.extend(groups.values())
        stack.extend(getattr(builder, "datasets", {}).values())
    return found


def _object_id(builder: Any) -> str | None:
    value = builder.attributes.get("object_id") if builder is not None else None
    return value.decode() if isinstance(value, bytes) else value


def _in(container: Any, nwbfile: Any) -> bool:
    """Whether ``container`` is part of ``nwbfile`` (so the export writes it and can link to it)."""
    return nwbfile.objects.get(container.object_id) is container


def _link_fields(container: Any, manager: Any) -> list[tuple[str, str | None]]:
    """(field name, link name of the spec or None for an unnamed link) of each link the type map writes."""
    try:
        mapper = manager.type_map.get_map(container)
    except Exception:  # a class the type map does not know: hdmf's build says so itself
        return []
    fields = []
    for spec in getattr(mapper.spec, "links", []):
        attribute = mapper.get_attribute(spec)
        if attribute is not None:
            fields.append((attribute, spec.name))
    return fields


@dataclass
class _Change:
    """A field of a container set to ``value`` (``None``: left out of the build) for the export."""

    container: Any
    field: str
    value: Any
    location: str


class _FreshRead:
    """What a fresh read of the source makes of a container's link field (read once, on first need)."""

    def __init__(self, nwbfile: Any):
        self._nwbfile = nwbfile
        self._fields: dict[tuple[str, str], tuple[str, str] | None] | None = None

    def orphan_of(self, container: Any, field: str) -> tuple[str, str] | None:
        """(type name, name) of the object belonging to nothing that a fresh read puts in ``container.field``."""
        if self._fields is None:
            self._fields = self._read()
        return self._fields.get((container.object_id, field))

    def _read(self) -> dict[tuple[str, str], tuple[str, str] | None]:
        from .repack import open_nwbfile

        io = self._nwbfile.get_read_io()
        source = getattr(io, "source", None)
        found: dict[tuple[str, str], tuple[str, str] | None] = {}
        if source is None:
            return found
        try:
            with open_nwbfile(source, mode="r") as fresh_io:
                fresh = fresh_io.read()
                for container in fresh.objects.values():
                    for field, _name in _link_fields(container, fresh_io.manager):
                        value = container.fields.get(field)
                        if isinstance(value, AbstractContainer) and not _in(value, fresh):
                            found[(container.object_id, field)] = (type(value).__name__, value.name)
        except Exception:  # the source cannot be read again: no link is taken for the reader's, so none is dropped
            return {}
        return found


def _as_stored(
    container: Any, builder: Any, field: str, link_name: str | None, nwbfile: Any, fresh: _FreshRead
) -> tuple[bool, Any]:
    """(whether the field must change for the export, the value to build: None to leave it out)."""
    from hdmf.build import LinkBuilder

    value = container.fields.get(field)
    if not isinstance(value, AbstractContainer):
        if value is None and field == _MODEL:
            stored = builder.links.get(_MODEL)
            if isinstance(stored, LinkBuilder):
                target = nwbfile.objects.get(_object_id(stored.builder))
                if target is not None:  # pynwb moved the linked model aside: link it again
                    return True, target
        return False, None
    stored = builder.links.get(link_name or value.name)
    if stored is not None and _object_id(stored.builder) == value.object_id:
        return not _in(value, nwbfile), None  # placed nowhere: the link and its target are copied as stored
    if any(_object_id(link.builder) == value.object_id for link in builder.links.values()):
        return True, None  # the source links it under another name, which is copied as stored
    if not _in(value, nwbfile) and fresh.orphan_of(container, field) == (type(value).__name__, value.name):
        return True, None  # made by the reader from what the source stores, which is copied as stored
    return False, None


@contextlib.contextmanager
def links_as_stored(nwbfile: Any, builders: dict[str, Any] | None) -> Iterator[list[str]]:
    """Within the block, every link field of the containers of ``nwbfile`` read from a file is as the file holds it.

    ``builders``: what the NWBFile was read from, by object_id (:func:`builders_by_object_id`; ``None`` for an
    NWBFile built in memory: nothing is changed). Yields ``"<location of the container> (<field>)"`` for each field
    changed; on leaving the block (also on failure) each one gets back the value it had, so the NWBFile is left as
    it was.
    """
    changes: list[_Change] = []
    if builders is not None:
        io = nwbfile.get_read_io()
        manager = io.manager
        fresh = _FreshRead(nwbfile)
        for container in [nwbfile, *nwbfile.objects.values()]:
            builder = builders.get(container.object_id)
            if builder is None:  # added to the NWBFile after the read: written as the user made it
                continue
            for field, link_name in _link_fields(container, manager):
                change, value = _as_stored(container, builder, field, link_name, nwbfile, fresh)
                if change:
                    changes.append(_Change(container, field, value, builder.path.partition("/")[2]))
    originals = [
        (change, change.field in change.container.fields, change.container.fields.get(change.field))
        for change in changes
    ]
    for change in changes:
        # hdmf's field setter refuses to replace a value once set; the fields dict is where it keeps them.
        if change.value is None:
            change.container.fields.pop(change.field, None)
        else:
            change.container.fields[change.field] = change.value
    try:
        yield [f"{change.location or '/'} ({change.field})" for change in changes]
    finally:
        for change, had, value in originals:
            if had:
                change.container.fields[change.field] = value
            else:
                change.container.fields.pop(change.field, None)
