"""External links in a repack: kept (and found again from the new file's folder) HDF5 to HDF5 and Zarr to Zarr,
copied with an ExternalLinkCopiedWarning across formats, refused when their file is missing.

The sources are real files: pynwb links a TimeSeries' data to an ``h5py.Dataset`` of another open file (by default,
and with ``H5DataIO(link_data=True)``); h5py adds links to a whole TimeSeries group, to a dataset and to an untyped
group of the other file. Every repack writes to another folder than the source's.
"""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import h5py
import numpy as np
import pytest
import zarr

from nwbconfig_widget import (
    DanglingExternalLinkError,
    ExternalLinkCopiedWarning,
    ObjectsOutsideSchemaError,
    ObjectsOutsideSchemaWarning,
    configure_and_write_nwbfile,
    get_default_backend_configuration,
    repack_nwbfile,
)
from nwbconfig_widget.io.external_links import link_name
from nwbconfig_widget.io.repack import open_nwbfile

#: Links pynwb writes (inside the schema) and links h5py adds, each with the object of linked.nwb it points to.
PYNWB_LINKS = {
    "acquisition/linked/data": "/acquisition/raw/data",
    "acquisition/wrapped/data": "/acquisition/raw/timestamps",
    "acquisition/raw/data": "/acquisition/raw/data",  # the same path in both files
}
H5PY_LINKS = {
    "acquisition/clock": "/acquisition/clock",  # a whole TimeSeries group
    "general/lab_raw": "/acquisition/raw/data",  # a dataset, outside the schema
    "general/lab_group": "/lab",  # an untyped group, outside the schema
}


def _linked_file(path: Path) -> None:
    from hdmf.backends.hdf5 import H5DataIO
    from pynwb import NWBHDF5IO, TimeSeries
    from pynwb.testing.mock.file import mock_NWBFile

    rng = np.random.default_rng(7)
    nwbfile = mock_NWBFile()
    nwbfile.add_acquisition(
        TimeSeries(
            name="raw",
            data=H5DataIO(rng.normal(size=(200, 4)).astype("float32"), chunks=(50, 4), compression="gzip"),
            unit="V",
            timestamps=np.arange(200) / 100.0,
        )
    )
    nwbfile.add_acquisition(TimeSeries(name="clock", data=np.arange(10.0), unit="s", timestamps=np.arange(10.0)))
    with NWBHDF5IO(str(path), "w") as io:
        io.write(nwbfile)
    with h5py.File(path, "a") as file:
        lab = file.create_group("lab")
        lab.attrs["rig"] = "rig-2"
        lab.create_dataset("gains", data=[1.5, 2.0, 2.5])


def _source(folder: Path, h5py_links: bool = True) -> Path:
    """``folder/main.nwb`` linking into ``folder/linked.nwb`` (both made here)."""
    from hdmf.backends.hdf5 import H5DataIO
    from pynwb import NWBHDF5IO, TimeSeries
    from pynwb.testing.mock.file import mock_NWBFile

    folder.mkdir(parents=True, exist_ok=True)
    linked, source = folder / "linked.nwb", folder / "main.nwb"
    _linked_file(linked)
    with NWBHDF5IO(str(linked), "r") as read_io:
        raw = read_io.read().acquisition["raw"]
        nwbfile = mock_NWBFile()
        nwbfile.add_acquisition(TimeSeries(name="linked", data=raw.data, unit="V", rate=100.0))  # pynwb's default
        nwbfile.add_acquisition(
            TimeSeries(name="wrapped", data=H5DataIO(raw.timestamps, link_data=True), unit="s", rate=100.0)
        )
        nwbfile.add_acquisition(TimeSeries(name="raw", data=raw.data, unit="V", rate=100.0))
        nwbfile.add_acquisition(TimeSeries(name="local", data=np.arange(5000.0), unit="V", rate=1.0))
        with NWBHDF5IO(str(source), "w") as io:
            io.write(nwbfile)
    if h5py_links:
        with h5py.File(source, "a") as file:
            for path, target in H5PY_LINKS.items():
                file[path] = h5py.ExternalLink("linked.nwb", target)
    with h5py.File(source, "r") as file:  # the source holds what the tests expect
        for path in {**PYNWB_LINKS, **(H5PY_LINKS if h5py_links else {})}:
            assert isinstance(file.get(path, getlink=True), h5py.ExternalLink), path
    return source


def _values(file: h5py.File, path: str) -> dict[str, np.ndarray]:
    """Every dataset at or under ``path`` (links followed), by path relative to it."""
    item = file[path]
    if isinstance(item, h5py.Dataset):
        return {"": item[()]}
    found = {}
    item.visititems(lambda name, obj: found.update({name: obj[()]}) if isinstance(obj, h5py.Dataset) else None)
    return found


def _zarr_values(item: zarr.Array | zarr.Group) -> dict[str, np.ndarray]:
    """Every array at or under a Zarr ``item``, by path relative to it."""
    if isinstance(item, zarr.Array):
        return {"": item[()]}
    found = {}
    item.visititems(lambda name, obj: found.update({name: obj[()]}) if isinstance(obj, zarr.Array) else None)
    return found


def _equal(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> bool:
    return a.keys() == b.keys() and all(np.array_equal(np.asarray(a[key]), np.asarray(b[key])) for key in a)


@pytest.fixture
def source(tmp_path: Path) -> Path:
    return _source(tmp_path / "recordings" / "session")


def _repack(source: Path, target: Path, **kwargs) -> list[warnings.WarningMessage]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        repack_nwbfile(source, target, **kwargs)
    return caught


# ------------------------------------------------------------------------------------------------ HDF5 to HDF5
def test_hdf5_to_hdf5_keeps_every_external_link_found_from_the_new_folder(source: Path, tmp_path: Path) -> None:
    target = tmp_path / "elsewhere" / "deeper" / "repacked.nwb"
    target.parent.mkdir(parents=True)
    caught = _repack(source, target)

    assert not [w for w in caught if issubclass(w.category, ExternalLinkCopiedWarning)]
    linked = source.parent / "linked.nwb"
    with h5py.File(target, "r") as new, h5py.File(linked, "r") as other:
        for path, pointed in {**PYNWB_LINKS, **H5PY_LINKS}.items():
            link = new.get(path, getlink=True)
            assert isinstance(link, h5py.ExternalLink), f"{path} is {type(link).__name__}, not an external link"
            assert link.filename == "../../recordings/session/linked.nwb", path
            assert link.path == pointed, path
            # Read through the link (HDF5 finds the file from the new file's folder) and compare with the linked file.
            assert _equal(_values(new, path), _values(other, pointed)), path
        assert isinstance(new.get("acquisition/local/data", getlink=True), h5py.HardLink)
        assert new["acquisition/local/data"].compression == "gzip"  # the configuration still applies to the rest
        assert new["general/lab_group"].attrs["rig"] == "rig-2"

    from pynwb import NWBHDF5IO

    with NWBHDF5IO(str(target), "r") as io:
        nwbfile = io.read()
        assert np.array_equal(nwbfile.acquisition["linked"].data[:], nwbfile.acquisition["raw"].data[:])
        assert np.array_equal(nwbfile.acquisition["clock"].timestamps[:], np.arange(10.0))


def test_hdf5_to_hdf5_in_the_same_folder_keeps_the_names_as_stored(source: Path) -> None:
    target = source.parent / "repacked.nwb"
    _repack(source, target)
    with h5py.File(target, "r") as new:
        for path in {**PYNWB_LINKS, **H5PY_LINKS}:
            assert new.get(path, getlink=True).filename == "linked.nwb", path


def test_the_links_resolve_wherever_the_files_are_read_from(source: Path, tmp_path: Path, monkeypatch) -> None:
    """HDF5 finds a relative name from the folder of the file holding the link, not from the working directory."""
    target = tmp_path / "out" / "repacked.nwb"
    target.parent.mkdir()
    _repack(source, target)
    monkeypatch.chdir(tmp_path / "out")
    with h5py.File(target, "r") as new:
        assert new["acquisition/linked/data"].file.filename.endswith("recordings/session/linked.nwb")


def test_discovery_lists_data_of_another_file_as_kept_links(source: Path) -> None:
    with open_nwbfile(source) as io:
        nwbfile = io.read()
        configuration = get_default_backend_configuration(nwbfile, backend="hdf5")
    reasons = configuration.unconfigurable_datasets
    linked = str((source.parent / "linked.nwb").resolve())
    for path in ("acquisition/linked/data", "acquisition/wrapped/data", "acquisition/raw/data"):
        assert path not in configuration.dataset_configurations, path
        assert reasons[path].startswith(f"stored in {linked} (an external link); kept as a link"), reasons[path]
    assert "acquisition/local/data" in configuration.dataset_configurations


def test_a_container_the_user_removed_is_not_linked_again(source: Path, tmp_path: Path) -> None:
    target = tmp_path / "out" / "repacked.nwb"
    target.parent.mkdir()
    with open_nwbfile(source) as io:
        nwbfile = io.read()
        nwbfile.acquisition.pop("clock")
        configure_and_write_nwbfile(nwbfile, target, export=True)
    with h5py.File(target, "r") as new:
        assert "clock" not in new["acquisition"]
        assert isinstance(new.get("acquisition/linked/data", getlink=True), h5py.ExternalLink)


def test_a_linked_container_another_object_refers_to_is_copied_and_named(source: Path, tmp_path: Path) -> None:
    """hdmf can only write a container where the NWBFile holds it; when another object links to a container read
    through an external link, the group is written (copied) and the warning says why."""
    from pynwb import TimeSeries

    target = tmp_path / "out" / "repacked.nwb"
    target.parent.mkdir()
    with open_nwbfile(source) as io:
        nwbfile = io.read()
        clock = nwbfile.acquisition["clock"]
        nwbfile.add_acquisition(TimeSeries(name="follow", data=np.arange(10.0), unit="V", timestamps=clock))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            configure_and_write_nwbfile(nwbfile, target, export=True)
    copied = [str(w.message) for w in caught if issubclass(w.category, ExternalLinkCopiedWarning)]
    assert len(copied) == 1
    assert "1 external link(s)" in copied[0]
    assert "acquisition/clock -> linked.nwb:/acquisition/clock (TimeSeries 'follow' refers to it" in copied[0]
    with h5py.File(target, "r") as new:
        assert isinstance(new.get("acquisition/clock", getlink=True), h5py.HardLink)
        assert np.array_equal(new["acquisition/follow/timestamps"][()], np.arange(10.0))
        assert isinstance(new.get("acquisition/linked/data", getlink=True), h5py.ExternalLink)


def test_data_of_another_file_the_user_wrapped_in_a_data_io_is_copied_and_named(source: Path, tmp_path: Path) -> None:
    """A DataIO the user put around data of another file says to write the data (hdmf copies an h5py.Dataset as
    stored, whatever else the DataIO says, as its H5DataIO documents): it is copied, and the warning says why."""
    from hdmf.backends.hdf5 import H5DataIO

    target = tmp_path / "out" / "repacked.nwb"
    target.parent.mkdir()
    with open_nwbfile(source) as io:
        nwbfile = io.read()
        nwbfile.acquisition["linked"].set_data_io("data", H5DataIO, data_io_kwargs={"link_data": False})
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            configure_and_write_nwbfile(nwbfile, target, export=True)
    copied = [w.message for w in caught if issubclass(w.category, ExternalLinkCopiedWarning)]
    assert len(copied) == 1
    assert [(link.path, reason) for link, reason in copied[0].links] == [
        ("acquisition/linked/data", "its data was given to hdmf to write (e.g. in a DataIO), not as a link")
    ]
    with h5py.File(target, "r") as new, h5py.File(source.parent / "linked.nwb", "r") as other:
        assert isinstance(new.get("acquisition/linked/data", getlink=True), h5py.HardLink)
        assert np.array_equal(new["acquisition/linked/data"][()], other["acquisition/raw/data"][()])


def test_the_nwbfile_is_left_as_it_was(source: Path, tmp_path: Path) -> None:
    target = tmp_path / "out" / "repacked.nwb"
    target.parent.mkdir()
    with open_nwbfile(source) as io:
        nwbfile = io.read()
        before = {name: (series, series.data) for name, series in nwbfile.acquisition.items()}
        configure_and_write_nwbfile(nwbfile, target, export=True)
        after = {name: (series, series.data) for name, series in nwbfile.acquisition.items()}
        assert list(before) == list(after)
        assert all(before[name][0] is after[name][0] and before[name][1] is after[name][1] for name in before)
        assert isinstance(nwbfile.acquisition["linked"].data, h5py.Dataset)
        clock = nwbfile.acquisition["clock"]  # taken out of acquisition for the export only
        assert clock.parent is nwbfile and nwbfile.objects[clock.object_id] is clock


# ------------------------------------------------------------------------------------------------ across formats
def test_hdf5_to_zarr_copies_the_linked_data_and_names_every_link(source: Path, tmp_path: Path) -> None:
    target = tmp_path / "out" / "repacked.nwb.zarr"
    target.parent.mkdir()
    caught = _repack(source, target)

    copied = [w for w in caught if issubclass(w.category, ExternalLinkCopiedWarning)]
    assert len(copied) == 1, [str(w.message) for w in caught]
    message = str(copied[0].message)
    for path, pointed in {**PYNWB_LINKS, **H5PY_LINKS}.items():
        assert f"{path} -> linked.nwb:{pointed}" in message, (path, message)
    assert "a Zarr file cannot link into an HDF5 file" in message
    linked = (source.parent / "linked.nwb").resolve()
    named = {link.path: (link.file, link.object, link.resolved) for link, _ in copied[0].message.links}
    assert named == {path: ("linked.nwb", pointed, linked) for path, pointed in {**PYNWB_LINKS, **H5PY_LINKS}.items()}

    root = zarr.open(str(target), mode="r")
    with h5py.File(source.parent / "linked.nwb", "r") as other:
        for path, pointed in {**PYNWB_LINKS, **H5PY_LINKS}.items():
            assert _equal(_zarr_values(root[path]), _values(other, pointed)), path
    assert root["general/lab_group"].attrs["rig"] == "rig-2"


def _zarr_source(folder: Path) -> Path:
    """``folder/main.nwb.zarr`` whose TimeSeries data is linked (by hdmf-zarr) into ``folder/linked.nwb.zarr``."""
    from hdmf_zarr import NWBZarrIO, ZarrDataIO
    from pynwb import TimeSeries
    from pynwb.testing.mock.file import mock_NWBFile

    folder.mkdir(parents=True)
    nwbfile = mock_NWBFile()
    nwbfile.add_acquisition(TimeSeries(name="raw", data=np.arange(40.0).reshape(20, 2), unit="V", rate=1.0))
    with NWBZarrIO(str(folder / "linked.nwb.zarr"), "w") as io:
        io.write(nwbfile)
    with NWBZarrIO(str(folder / "linked.nwb.zarr"), "r") as read_io:
        raw = read_io.read().acquisition["raw"]
        nwbfile = mock_NWBFile()
        nwbfile.add_acquisition(
            TimeSeries(name="linked", data=ZarrDataIO(raw.data, link_data=True), unit="V", rate=1.0)
        )
        with NWBZarrIO(str(folder / "main.nwb.zarr"), "w") as io:
            io.write(nwbfile)
    return folder / "main.nwb.zarr"


def _zarr_link(folder: Path, group: str, name: str) -> dict:
    return next(entry for entry in zarr.open(str(folder), mode="r")[group].attrs["zarr_link"] if entry["name"] == name)


def test_zarr_to_zarr_keeps_the_link_found_from_the_new_folder(tmp_path: Path) -> None:
    source = _zarr_source(tmp_path / "recordings")
    target = tmp_path / "out" / "deeper" / "repacked.nwb.zarr"
    target.parent.mkdir(parents=True)
    caught = _repack(source, target)
    assert not [w for w in caught if issubclass(w.category, ExternalLinkCopiedWarning)]
    entry = _zarr_link(target, "acquisition/linked", "data")
    assert entry["source"] == "../../../recordings/linked.nwb.zarr"
    assert entry["path"] == "/acquisition/raw/data"
    from hdmf_zarr import NWBZarrIO

    with NWBZarrIO(str(target), "r") as io:
        assert np.array_equal(io.read().acquisition["linked"].data[:], np.arange(40.0).reshape(20, 2))


def test_zarr_to_hdf5_copies_the_linked_data_and_says_so(tmp_path: Path) -> None:
    source = _zarr_source(tmp_path / "recordings")
    target = tmp_path / "out" / "repacked.nwb"
    target.parent.mkdir()
    caught = _repack(source, target)
    copied = [str(w.message) for w in caught if issubclass(w.category, ExternalLinkCopiedWarning)]
    assert len(copied) == 1
    assert "acquisition/linked/data -> ../linked.nwb.zarr:/acquisition/raw/data" in copied[0]
    assert "an HDF5 file cannot link into a Zarr folder" in copied[0]
    with h5py.File(target, "r") as new:
        assert isinstance(new.get("acquisition/linked/data", getlink=True), h5py.HardLink)
        assert np.array_equal(new["acquisition/linked/data"][()], np.arange(40.0).reshape(20, 2))


# ------------------------------------------------------------------------------------------------ missing files
def test_a_dangling_link_in_the_schema_is_refused_naming_it_and_the_missing_file(tmp_path: Path) -> None:
    source = _source(tmp_path / "recordings")
    (source.parent / "linked.nwb").rename(tmp_path / "moved.nwb")
    target = tmp_path / "out" / "repacked.nwb"
    target.parent.mkdir()
    with pytest.raises(DanglingExternalLinkError) as raised:
        _repack(source, target)
    message = str(raised.value)
    missing = str(source.parent.resolve() / "linked.nwb")
    for path, pointed in PYNWB_LINKS.items():
        assert f"{path}: an external link to linked.nwb:{pointed}, and {missing} does not exist" in message
    assert "Put the linked file back" in message
    assert {link.path for link in raised.value.links} == set(PYNWB_LINKS)
    also = message.split("Also missing", 1)[1]  # the links h5py added are named too, as outside what pynwb reads
    for path in H5PY_LINKS:
        assert f"  - {path}: an external link to linked.nwb:" in also, path
    assert not target.exists() and list(target.parent.iterdir()) == []


def test_a_dangling_link_outside_the_schema_is_refused_or_dropped_on_request(tmp_path: Path) -> None:
    source = _source(tmp_path / "recordings", h5py_links=False)
    with h5py.File(source, "a") as file:
        file["general/lab_raw"] = h5py.ExternalLink("gone.nwb", "/acquisition/raw/data")
    target = tmp_path / "out" / "repacked.nwb"
    target.parent.mkdir()
    with pytest.raises(ObjectsOutsideSchemaError) as raised:
        _repack(source, target)
    assert [where for where, _ in raised.value.problems] == ["general/lab_raw"]
    assert "gone.nwb" in raised.value.problems[0][1] and "does not exist" in raised.value.problems[0][1]
    assert not target.exists()

    caught = _repack(source, target, drop_objects_outside_schema=True)
    dropped = [str(w.message) for w in caught if issubclass(w.category, ObjectsOutsideSchemaWarning)]
    assert len(dropped) == 1 and "general/lab_raw" in dropped[0]
    with h5py.File(target, "r") as new:
        assert "lab_raw" not in new["general"]
        assert isinstance(new.get("acquisition/linked/data", getlink=True), h5py.ExternalLink)


# ------------------------------------------------------------------------------------------------ link names
def test_link_name_keeps_an_absolute_name_that_still_reaches_the_file(tmp_path: Path) -> None:
    linked = tmp_path / "raw" / "linked.nwb"
    linked.parent.mkdir()
    linked.touch()
    assert link_name(str(linked), linked, tmp_path / "out" / "new.nwb", "hdf5") == str(linked)
    assert link_name("linked.nwb", linked, tmp_path / "out" / "new.nwb", "hdf5") == "../raw/linked.nwb"
    assert link_name("../raw", tmp_path / "raw", tmp_path / "out" / "new.zarr", "zarr") == "../../raw"


def test_link_name_follows_a_symlinked_folder_as_the_operating_system_does(tmp_path: Path) -> None:
    real = tmp_path / "real" / "deep"
    real.mkdir(parents=True)
    (tmp_path / "real" / "linked.nwb").touch()
    (tmp_path / "alias").symlink_to(real)
    name = link_name("x", tmp_path / "real" / "linked.nwb", tmp_path / "alias" / "new.nwb", "hdf5")
    assert (tmp_path / "alias" / name).resolve() == (tmp_path / "real" / "linked.nwb").resolve()


def test_a_folder_moved_with_its_linked_file_still_reads(source: Path, tmp_path: Path) -> None:
    """A link written relative to the new file's folder survives moving both files together."""
    target = tmp_path / "out" / "repacked.nwb"
    target.parent.mkdir()
    _repack(source, target)
    moved = tmp_path / "moved"
    shutil.copytree(tmp_path / "out", moved / "out")
    shutil.copytree(source.parent, moved / "recordings" / "session")
    with h5py.File(moved / "out" / "repacked.nwb", "r") as new:
        assert new["acquisition/linked/data"].file.filename.startswith(str(moved))
