"""Work around what pynwb's reading of device models does to an export: write each ``Device.model`` as stored.

NWB 2.9 made ``Device.model`` a link to a ``DeviceModel``. Extensions written before it defined a ``model`` of their
own on their Device types, and pynwb (since 3.1, pynwb issue 2108, PR 2132) remaps those when it reads a file:

- a ``model`` **text attribute** (ndx-fiber-photometry 0.1, ndx-ophys-devices 0.1, ndx-photostim) becomes a new
  in-memory ``DeviceModel`` named by the text, which belongs to no file. Exporting the file then fails with
  ``OrphanContainerBuildError: ... Linked DeviceModel '<text>' has no parent`` (or, since pynwb PR 2186, with a
  ValueError when the text holds ``/`` or ``:``): hdmf's ObjectMapper builds the Device's ``model`` link to an
  object with no place in the file.
- a ``model`` **link to the extension's own model type** that is not a core ``DeviceModel`` (ndx-optogenetics 0.2,
  whose ``OpticalFiberModel`` extends ``Device``) is taken off ``Device.model`` and kept as a plain Python attribute
  (``device.ndx_optogenetics_model``) that no ObjectMapper reads. The export then succeeds, but without the link,
  and the written file fails pynwb.validate ("missing data type OpticalFiberModel (model)").
- a link to a model of an older extension read with a newer version of the extension imported (ndx-ophys-devices
  0.2 models are Devices in ``/general/devices``; 0.3 makes them DeviceModels, which ``NWBFile.devices`` does not
  take): the model is read but placed nowhere in the NWBFile (its parent stays an unresolved Proxy), and hdmf's
  export writes the Device's ``model`` as a soft link to ``/`` (hdmf issue 1582, fixed to raise by hdmf PR 1583;
  hdmf-zarr issue 266 for Zarr).

None of these is undone on write by pynwb 4.2 / hdmf 6.2 (no upstream issue covers the export side of the first
two; pynwb issue 2108 and nwb-schema issue 633 describe the read-side conflict). :func:`device_models_as_stored`
puts each Device's ``model`` back the way the source file holds it, for the duration of the export only:

- a link in the source is written as that link, to the object it points to in the source, when that object is in
  the NWBFile being written; when it is not, the link is left out of the build and copied as stored afterwards,
  with the model it points to, as objects outside what pynwb writes (see :mod:`nwbconfig_widget.io.outside_schema`);
- a text attribute in the source is left out of the build (no link to an object that is not in the file); the text
  itself is an attribute outside what pynwb writes and is copied from the source afterwards, with every other such
  attribute (see :mod:`nwbconfig_widget.io.outside_schema`).

Example (an NWBFile built in memory was not read, so there is nothing to put back)::

    >>> from pynwb.testing.mock.file import mock_NWBFile
    >>> with device_models_as_stored(mock_NWBFile(), builders=None) as changed:
    ...     changed
    []
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

#: The attribute or link of a Device that NWB 2.9 defines as a link to a DeviceModel.
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


def _model_as_stored(device: Any, builders: dict[str, Any], nwbfile: Any) -> tuple[str | None, Any]:
    """(location of the Device if ``model`` must change, else None; value to build), from how the source holds it."""
    from hdmf.build import LinkBuilder
    from pynwb.device import DeviceModel

    builder = builders.get(device.object_id)
    if builder is None:  # added to the NWBFile after the read: written as the user made it
        return None, None
    location = builder.path.partition("/")[2]
    stored = builder.attributes.get(_MODEL)
    if stored is None:
        stored = builder.links.get(_MODEL)
    current = device.fields.get(_MODEL)
    if isinstance(stored, LinkBuilder):
        target_id = stored.builder.attributes.get("object_id")
        target = nwbfile.objects.get(target_id.decode() if isinstance(target_id, bytes) else target_id)
        if current is None and target is not None:  # pynwb moved the linked model aside: link it again
            return location, target
        if current is not None and not _in(current, nwbfile):
            return location, None  # the model has no place in the NWBFile: the link and the model are copied
    if isinstance(stored, (str, bytes)) and isinstance(current, DeviceModel) and not _in(current, nwbfile):
        return location, None  # the remapped text: written back as the attribute it was
    return None, None


def _in(container: Any, nwbfile: Any) -> bool:
    """Whether ``container`` is part of ``nwbfile`` (so the export writes it and can link to it)."""
    return nwbfile.objects.get(container.object_id) is container


@contextlib.contextmanager
def device_models_as_stored(nwbfile: Any, builders: dict[str, Any] | None) -> Iterator[list[str]]:
    """Within the block, every Device of ``nwbfile`` read from a file has ``model`` as the file holds it.

    ``builders``: what the NWBFile was read from, by object_id (:func:`builders_by_object_id`; ``None`` for an
    NWBFile built in memory: nothing is changed). Yields the locations of the Devices that were changed; on leaving
    the block (also on failure) each one gets back the ``model`` it had, so the NWBFile is left as it was.
    """
    from pynwb.device import Device

    changed: list[tuple[Any, bool, Any]] = []
    locations: list[str] = []
    if builders is not None:
        for container in list(nwbfile.objects.values()):
            if not isinstance(container, Device):
                continue
            location, value = _model_as_stored(container, builders, nwbfile)
            if location is None:
                continue
            locations.append(location)
            fields = container.fields
            changed.append((container, _MODEL in fields, fields.get(_MODEL)))
            # hdmf's field setter refuses to replace a value once set; the fields dict is where it keeps them.
            if value is None:
                fields.pop(_MODEL, None)
            else:
                fields[_MODEL] = value
    try:
        yield locations
    finally:
        for container, had, value in changed:
            if had:
                container.fields[_MODEL] = value
            else:
                container.fields.pop(_MODEL, None)
