"""Objects outside the NWB schema (added with h5py or zarr) are copied by a repack, or the repack refuses naming them.

Each source is a real pynwb file to which another tool's objects are added with h5py (HDF5) or zarr (Zarr): a group
with datasets, attributes and a soft link inside, a dataset inside a core group, a soft link in a core group, an
attribute on a core group, an external link to another file beside it, an object-reference dataset and an
object-reference attribute. Every route (HDF5/Zarr to HDF5/Zarr) is checked: copied objects are compared with the
source (values, dtype, attributes, links; chunks and filters where the format is the same), refused ones are named
in the error and nothing is left at the target, and ``drop_objects_outside_schema=True`` writes without them with a
warning that names them.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import h5py
import numcodecs
import numpy as np
import pytest
import zarr
from nwbfiles import make_page_nwbfile, read_nwbfile

from nwbconfig_widget import (
    ObjectsOutsideSchemaError,
    ObjectsOutsideSchemaWarning,
    configure_and_write_nwbfile,
    repack_nwbfile,
)

SUFFIX = {"hdf5": ".nwb", "zarr": ".nwb.zarr"}
ROUTES = ["hdf5-hdf5", "hdf5-zarr", "zarr-hdf5", "zarr-zarr"]
#: Objects every source gets, all of which can be copied to either format.
COPYABLE = [
    "lab_notes",  # a group: attributes, a chunked dataset, a text dataset, a scalar, a soft link
    "lab_notes 2",  # sorts between lab_notes and lab_notes/gains as text: a walk must still keep them apart
    "acquisition/MyTimeSeries/lab_offsets",  # a dataset inside a core group
    "acquisition/lab_link",  # a soft link in a core group
]
#: Attributes added on core objects: (object path, attribute name, value).
CORE_ATTRIBUTES = [("acquisition", "checked_by", "ab"), ("", "lab", "Rig 3 \u2013 room 12")]
#: What cannot be copied faithfully: an object-reference dataset and attribute.
REFERENCES = ["lab_refs", "acquisition (attribute lab_ref)"]
#: An external link to a file beside the source: kept as a link in the same format (found again from the target's
#: folder), copied as data across formats (tests/test_external_links.py covers those in detail).
EXTERNAL = "lab_external"
#: Attributes each backend keeps for itself.
BACKEND_ATTRIBUTES = {"zarr_dtype", "zarr_link", ".specloc"}


def _base_file(path: Path) -> None:
    from pynwb import TimeSeries

    nwbfile = make_page_nwbfile()
    nwbfile.add_acquisition(TimeSeries(name="Removable", data=[1.0, 2.0, 3.0], rate=1.0, unit="m"))
    configure_and_write_nwbfile(nwbfile, path)


def make_source(folder: Path, backend: str, uncopyable: bool) -> Path:
    """A pynwb file with another tool's objects added (``uncopyable``: also references and an external link)."""
    source = folder / f"source{SUFFIX[backend]}"
    _base_file(source)
    gains = np.linspace(0.0, 1.0, 50, dtype="float32")
    if backend == "hdf5":
        with h5py.File(source, "r+") as file:
            group = file.create_group("lab_notes")
            group.attrs["rig"] = 3
            group.attrs["operator"] = "ab"
            group.attrs["thresholds"] = np.array([0.5, 1.5])
            dataset = group.create_dataset("gains", data=gains, chunks=(10,), compression="gzip", compression_opts=7)
            dataset.attrs["unit"] = "V"
            group.create_dataset("labels", data=["left", "right \u00e9"], dtype=h5py.string_dtype())
            group["version"] = 7
            group["data_link"] = h5py.SoftLink("/acquisition/MyTimeSeries/data")
            file.create_group("lab_notes 2").attrs["session"] = 2
            offsets = file["acquisition/MyTimeSeries"].create_dataset("lab_offsets", data=np.arange(4, dtype="int16"))
            offsets.attrs["why"] = "drift"
            file["acquisition/lab_link"] = h5py.SoftLink("/acquisition/MyTimeSeries/data")
            for path, name, value in CORE_ATTRIBUTES:
                (file[path] if path else file).attrs[name] = value
            if uncopyable:
                series = file["acquisition/MyTimeSeries"]
                file.create_dataset("lab_refs", data=[series.ref, series.ref], dtype=h5py.ref_dtype)
                file["acquisition"].attrs["lab_ref"] = series.ref
                with h5py.File(folder / "other.h5", "w") as other:
                    other["values"] = np.arange(3)
                file[EXTERNAL] = h5py.ExternalLink("other.h5", "/values")
        return source
    root = zarr.open(str(source), mode="r+")
    group = root.create_group("lab_notes")
    group.attrs.update({"rig": 3, "operator": "ab", "thresholds": [0.5, 1.5]})
    group.create_dataset("gains", data=gains, chunks=(10,), compressor=numcodecs.Zstd(level=5)).attrs["unit"] = "V"
    labels = np.array(["left", "right \u00e9"], dtype=object)
    group.create_dataset("labels", data=labels, dtype=object, object_codec=numcodecs.VLenUTF8())
    group.create_dataset("version", data=np.int64(7), shape=())
    group.attrs["zarr_link"] = [{"source": ".", "path": "/acquisition/MyTimeSeries/data", "name": "data_link"}]
    root.create_group("lab_notes 2").attrs["session"] = 2
    offsets = root["acquisition/MyTimeSeries"].create_dataset("lab_offsets", data=np.arange(4, dtype="int16"))
    offsets.attrs["why"] = "drift"
    acquisition = root["acquisition"]
    link = {"source": ".", "path": "/acquisition/MyTimeSeries/data", "name": "lab_link"}
    acquisition.attrs["zarr_link"] = [*acquisition.attrs.get("zarr_link", []), link]
    for path, name, value in CORE_ATTRIBUTES:
        (root[path] if path else root).attrs[name] = value
    if uncopyable:
        # References as hdmf-zarr stores them: JSON objects naming the file ("." is this one) and the path.
        reference = {"source": ".", "path": "/acquisition/MyTimeSeries"}
        refs = root.create_dataset("lab_refs", shape=(2,), dtype=object, object_codec=numcodecs.JSON())
        refs[:] = np.array([reference, reference], dtype=object)
        refs.attrs["zarr_dtype"] = "object"
        acquisition.attrs["lab_ref"] = {"zarr_dtype": "object", "value": reference}
        other = zarr.open_group(str(folder / "other.zarr"), mode="w")
        other.create_dataset("values", data=np.arange(3))
        zarr.consolidate_metadata(str(folder / "other.zarr"))  # hdmf-zarr opens linked files through it
        external = {"source": "../other.zarr", "path": "/values", "name": EXTERNAL}  # relative to the Zarr folder
        root.attrs["zarr_link"] = [*root.attrs.get("zarr_link", []), external]
    return source


# --- describing an object the same way in both formats ------------------------------------------------------------


def _plain_value(value):
    if isinstance(value, bytes):
        return value.decode()
    if isinstance(value, np.generic):
        return _plain_value(value.item())
    if isinstance(value, np.ndarray):
        return [_plain_value(item) for item in value.tolist()] if value.dtype.kind in "OSU" else value.tolist()
    if isinstance(value, (list, tuple)):
        return [_plain_value(item) for item in value]
    return value


def describe(path: Path, location: str) -> dict:
    """What a group, dataset or link at ``location`` holds, read with h5py or zarr, comparable across formats."""
    if path.is_dir():
        root = zarr.open(str(path), mode="r")
        parent_path, _, name = location.rpartition("/")
        parent = root[parent_path] if parent_path else root
        links = {entry["name"]: entry for entry in parent.attrs.get("zarr_link", [])}
        if name in links:
            entry = links[name]
            kind = "soft link" if entry["source"] == "." else "external link"
            return {"kind": kind, "to": entry["path"], "file": None if kind == "soft link" else entry["source"]}
        item = root[location]
        attributes = {key: _plain_value(value) for key, value in item.attrs.items() if key not in BACKEND_ATTRIBUTES}
        if isinstance(item, zarr.Group):
            members = sorted([*item.group_keys(), *item.array_keys(), *links_of(item)])
            return {"kind": "group", "attrs": attributes, "members": members}
        values = item[...]
        if item.attrs.get("zarr_dtype") == "scalar" and values.shape == (1,):
            values = values[0]  # hdmf-zarr's scalars are 1-element arrays
        return {"kind": "dataset", "attrs": attributes, **_values(values)}
    with h5py.File(path, "r") as file:
        link = file.get(location, getlink=True)
        if isinstance(link, h5py.SoftLink):
            return {"kind": "soft link", "to": link.path, "file": None}
        if isinstance(link, h5py.ExternalLink):
            return {"kind": "external link", "to": link.path, "file": link.filename}
        item = file[location]
        attributes = {key: _plain_value(value) for key, value in item.attrs.items() if key not in BACKEND_ATTRIBUTES}
        if isinstance(item, h5py.Group):
            return {"kind": "group", "attrs": attributes, "members": sorted(item.keys())}
        values = item.asstr()[()] if h5py.check_string_dtype(item.dtype) else item[()]
        return {"kind": "dataset", "attrs": attributes, **_values(values)}


def links_of(group) -> list[str]:
    return [entry["name"] for entry in group.attrs.get("zarr_link", [])]


def _values(values) -> dict:
    values = np.asarray(values)
    if values.dtype.kind in "OSU":
        return {"dtype": "text", "values": _plain_value(values), "shape": list(values.shape)}
    return {"dtype": str(values.dtype), "values": values.tolist(), "shape": list(values.shape)}


def subtree(path: Path, location: str) -> list[str]:
    """``location`` and every path under it (links not followed)."""
    found = [location]
    description = describe(path, location)
    for member in description.get("members", []):
        found.extend(subtree(path, f"{location}/{member}"))
    return found


def assert_copied(source: Path, target: Path, locations: list[str]) -> int:
    """Every object at and under ``locations`` is in ``target`` as in ``source``; returns how many were compared."""
    compared = 0
    for location in locations:
        for path in subtree(source, location):
            assert describe(target, path) == describe(source, path), path
            compared += 1
    for location, name, value in CORE_ATTRIBUTES:
        assert describe(target, location or "acquisition")  # exists
        root = zarr.open(str(target), "r") if target.is_dir() else h5py.File(target, "r")
        assert _plain_value((root[location] if location else root).attrs[name]) == value
    return compared


def _leftovers(folder: Path, target: Path) -> list[str]:
    return sorted(entry.name for entry in folder.iterdir() if entry.name.startswith(".partial-") or entry == target)


# --- the tests ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("route", ROUTES)
def test_objects_outside_the_schema_are_copied(tmp_path, route):
    """Groups, datasets, soft links and attributes another tool added are in the repacked file, equal to the source."""
    source_backend, target_backend = route.split("-")
    source = make_source(tmp_path, source_backend, uncopyable=False)
    target = tmp_path / f"target{SUFFIX[target_backend]}"
    with warnings.catch_warnings():
        warnings.simplefilter("error", ObjectsOutsideSchemaWarning)
        repack_nwbfile(source, target, allow_pickle=True)  # a Zarr source written here, so trusted
    compared = assert_copied(source, target, COPYABLE)
    assert (
        compared == 8
    )  # lab_notes, its 4 members (2 datasets, a scalar, a soft link), lab_notes 2, lab_offsets, lab_link
    with read_nwbfile(target) as io:
        assert list(io.read().acquisition["MyTimeSeries"].data[:]) == [1.0, 2.0, 3.0]


@pytest.mark.parametrize("backend", ["hdf5", "zarr"])
def test_the_same_format_keeps_chunks_and_filters_as_stored(tmp_path, backend):
    """HDF5 to HDF5 and Zarr to Zarr copy the stored layout: chunks and compression of the added dataset."""
    source = make_source(tmp_path, backend, uncopyable=False)
    target = tmp_path / f"target{SUFFIX[backend]}"
    repack_nwbfile(source, target, allow_pickle=True)
    if backend == "hdf5":
        with h5py.File(source, "r") as before, h5py.File(target, "r") as after:
            old, new = before["lab_notes/gains"], after["lab_notes/gains"]
            assert (new.chunks, new.compression, new.compression_opts) == (old.chunks, "gzip", 7)
            assert new.id.get_storage_size() == old.id.get_storage_size()
    else:
        old, new = zarr.open(str(source), "r")["lab_notes/gains"], zarr.open(str(target), "r")["lab_notes/gains"]
        assert (new.chunks, new.compressor) == (old.chunks, numcodecs.Zstd(level=5))
        assert new.nbytes_stored == old.nbytes_stored


@pytest.mark.parametrize("backend", ["hdf5", "zarr"])
def test_an_external_link_to_a_file_beside_the_target_stays_a_link(tmp_path, backend):
    """An external link whose file will be beside the new file is copied as the same external link."""
    source = make_source(tmp_path, backend, uncopyable=True)
    target = tmp_path / f"target{SUFFIX[backend]}"
    with pytest.warns(ObjectsOutsideSchemaWarning) as caught:
        repack_nwbfile(source, target, allow_pickle=True, drop_objects_outside_schema=True)
    assert EXTERNAL not in str(caught[0].message)  # only the references were dropped
    assert describe(target, EXTERNAL) == describe(source, EXTERNAL)
    assert describe(target, EXTERNAL)["kind"] == "external link"
    if backend == "hdf5":
        with h5py.File(target, "r") as file:
            assert file[EXTERNAL][()].tolist() == [0, 1, 2]  # it resolves from the target


@pytest.mark.parametrize("route", ROUTES)
def test_what_cannot_be_copied_is_refused_and_named(tmp_path, route):
    """References stop the write: each is named, nothing is left behind. The external link (its file is not beside
    the target) is not among them: it is kept, or copied across formats."""
    source_backend, target_backend = route.split("-")
    source = make_source(tmp_path, source_backend, uncopyable=True)
    elsewhere = tmp_path / "elsewhere"  # where other.h5 / other.zarr is not
    elsewhere.mkdir()
    target = elsewhere / f"target{SUFFIX[target_backend]}"
    with pytest.raises(ObjectsOutsideSchemaError) as raised:
        repack_nwbfile(source, target, allow_pickle=True)
    message = str(raised.value)
    named = sorted(where for where, _ in raised.value.problems)
    assert named == sorted(REFERENCES)
    for where in named:
        assert f"  - {where}: " in message
    assert "points into the source file" in message
    assert "drop_objects_outside_schema=True" in message and "--drop-objects-outside-schema" in message
    assert _leftovers(elsewhere, target) == []


def test_a_refused_overwrite_keeps_the_old_target(tmp_path):
    """With overwrite=True, a refusal leaves the existing target as it was."""
    source = make_source(tmp_path, "hdf5", uncopyable=True)
    target = tmp_path / "target.nwb"
    target.write_bytes(b"the old file")
    with pytest.raises(ObjectsOutsideSchemaError):
        repack_nwbfile(source, target, overwrite=True)
    assert target.read_bytes() == b"the old file"
    assert _leftovers(tmp_path, target) == [target.name]


@pytest.mark.parametrize("route", ROUTES)
def test_dropping_writes_without_them_and_names_them(tmp_path, route):
    """drop_objects_outside_schema=True writes the file without what cannot be copied; a warning names each one."""
    source_backend, target_backend = route.split("-")
    source = make_source(tmp_path, source_backend, uncopyable=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    target = elsewhere / f"target{SUFFIX[target_backend]}"
    with pytest.warns(ObjectsOutsideSchemaWarning) as caught:
        repack_nwbfile(source, target, allow_pickle=True, drop_objects_outside_schema=True)
    dropped = [item for item in caught if issubclass(item.category, ObjectsOutsideSchemaWarning)]
    assert len(dropped) == 1
    message = str(dropped[0].message)
    assert "2 object(s)" in message and "were dropped" in message
    for where in REFERENCES:
        assert f"\n  {where}: " in message
    assert EXTERNAL not in message
    assert_copied(source, target, COPYABLE)  # everything else is still copied
    root = zarr.open(str(target), "r") if target.is_dir() else h5py.File(target, "r")
    assert "lab_refs" not in root
    # The external link is kept (same format) or its data copied (across formats); either way it reads [0, 1, 2].
    if source_backend == target_backend:
        assert describe(target, EXTERNAL)["kind"] == "external link"
        if target_backend == "zarr":  # hdmf-zarr joins the name to the Zarr folder itself
            other = (target / describe(target, EXTERNAL)["file"]).resolve()
            assert zarr.open(str(other), "r")["values"][()].tolist() == [0, 1, 2]
    else:
        assert root[EXTERNAL][()].tolist() == [0, 1, 2]
    if target_backend == "hdf5":
        assert root[EXTERNAL][()].tolist() == [0, 1, 2]
    assert "lab_ref" not in root["acquisition"].attrs


@pytest.mark.parametrize("route", ROUTES)
def test_containers_removed_before_the_write_are_not_copied_back(tmp_path, route):
    """A container the user took out of the NWBFile stays out (with what another tool added inside it); objects
    outside the schema are still copied."""
    source_backend, target_backend = route.split("-")
    source = make_source(tmp_path, source_backend, uncopyable=False)
    extra = np.arange(5, dtype="uint8")
    if source_backend == "hdf5":
        with h5py.File(source, "r+") as file:
            file["acquisition/Removable"].create_dataset("lab_extra", data=extra)
    else:
        zarr.open(str(source), "r+")["acquisition/Removable"].create_dataset("lab_extra", data=extra)
    target = tmp_path / f"target{SUFFIX[target_backend]}"
    with read_nwbfile(source) as io, warnings.catch_warnings():
        warnings.simplefilter("error", ObjectsOutsideSchemaWarning)
        nwbfile = io.read()
        nwbfile.acquisition.pop("Removable")
        configure_and_write_nwbfile(nwbfile, target, backend=target_backend, export=True)
    root = zarr.open(str(target), "r") if target.is_dir() else h5py.File(target, "r")
    assert "Removable" not in root["acquisition"]
    assert_copied(source, target, COPYABLE)


@pytest.mark.parametrize("source_backend", ["hdf5", "zarr"])
def test_a_soft_link_into_a_removed_container_is_refused(tmp_path, source_backend):
    """A link another tool added that points into a container the user removed would dangle: it is named, not
    written, until the user drops it."""
    source = make_source(tmp_path, source_backend, uncopyable=False)
    if source_backend == "hdf5":
        with h5py.File(source, "r+") as file:
            file["lab_removed_link"] = h5py.SoftLink("/acquisition/Removable/data")
    else:
        root = zarr.open(str(source), "r+")
        link = {"source": ".", "path": "/acquisition/Removable/data", "name": "lab_removed_link"}
        root.attrs["zarr_link"] = [*root.attrs.get("zarr_link", []), link]
    target = tmp_path / "target.nwb"
    with read_nwbfile(source) as io:
        nwbfile = io.read()
        nwbfile.acquisition.pop("Removable")
        with pytest.raises(ObjectsOutsideSchemaError) as raised:
            configure_and_write_nwbfile(nwbfile, target, backend="hdf5", export=True)
        assert raised.value.problems == [
            ("lab_removed_link", "a soft link to /acquisition/Removable/data, which the new file does not hold")
        ]
        assert not target.exists()
        with pytest.warns(ObjectsOutsideSchemaWarning, match="lab_removed_link"):
            configure_and_write_nwbfile(nwbfile, target, backend="hdf5", export=True, drop_objects_outside_schema=True)
    assert_copied(source, target, COPYABLE)
