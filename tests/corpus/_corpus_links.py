"""Files that link into other files (kind "external-link") and files with objects outside the schema
(kind "outside-schema"), as labs' scripts leave them.

External links: pynwb writes an HDF5 external link when a TimeSeries' data (or timestamps) is an h5py.Dataset of
another open file (link_data=True, its default). The linked-to file is kept next to the source in the cache as
``<entry name>.linked.nwb``; the link stores that name relative to the source's folder. Two ways of linking were
left out because pynwb 4.2.0 cannot write them: ``TimeSeries(timestamps=<TimeSeries of another file>)`` writes a
broken link to "/timestamps" (NeurodataWithoutBorders/pynwb#1767), and adding a whole container read from another
file to a new NWBFile raises "Cannot change container_source once set". A whole-group link is made with h5py instead.

Outside the schema: a valid NWB file (pynwb or hdmf-zarr) to which h5py or zarr then added a group, a dataset, an
attribute on a core group or dataset, a soft link or an external link.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
from _corpus_common import CorpusEntry, Need, Recipe, entry_name_of, new_nwbfile, rng_for, write_hdf5, write_zarr

PYNWB = "pynwb 4.2.0 / h5py 3.16"


def _signal_nwbfile(name: str):
    """The base file the outside-schema files start from: a TimeSeries, an ElectricalSeries, a trials table."""
    from pynwb import TimeSeries
    from pynwb.ecephys import ElectricalSeries

    rng = rng_for(name)
    nwbfile = new_nwbfile(name)
    nwbfile.add_acquisition(TimeSeries(name="signal", data=rng.normal(size=(100, 2)), unit="V", rate=50.0))
    device = nwbfile.create_device(name="probe")
    group = nwbfile.create_electrode_group(name="shank0", description="shank", location="CA1", device=device)
    for _ in range(3):
        nwbfile.add_electrode(group=group, location="CA1")
    region = nwbfile.create_electrode_table_region(region=[0, 1, 2], description="all")
    nwbfile.add_acquisition(
        ElectricalSeries(
            name="ephys", data=rng.integers(-99, 99, size=(60, 3), dtype=np.int16), electrodes=region, rate=1000.0
        )
    )
    for trial in range(3):
        nwbfile.add_trial(start_time=float(trial), stop_time=trial + 0.5)
    return nwbfile


def _linked_target(path: Path) -> Path:
    """Write the file the external links point to (next to ``path``, atomically) and return its path."""
    from hdmf.backends.hdf5 import H5DataIO
    from pynwb import TimeSeries

    entry_name = entry_name_of(path)
    target = path.parent / f"{entry_name}.linked.nwb"
    if target.exists():
        return target
    rng = rng_for(f"{entry_name}-linked")
    nwbfile = new_nwbfile(f"{entry_name}-linked")
    nwbfile.add_acquisition(
        TimeSeries(
            name="raw",
            data=H5DataIO(rng.normal(size=(200, 4)).astype("float32"), chunks=(50, 4), compression="gzip"),
            unit="V",
            timestamps=np.arange(200) / 100.0,
        )
    )
    nwbfile.add_acquisition(TimeSeries(name="clock", data=np.arange(10.0), unit="s", timestamps=np.arange(10.0)))
    temporary = path.parent / f".tmp~{entry_name}.linked~{os.getpid()}.nwb"
    write_hdf5(nwbfile, temporary)
    os.rename(temporary, target)
    return target


def _extlink_data(path: Path, need: Need, timestamps: bool = False) -> None:
    from pynwb import NWBHDF5IO, TimeSeries

    target = _linked_target(path)
    with NWBHDF5IO(str(target), "r") as read_io:
        other = read_io.read()
        raw = other.acquisition["raw"]
        nwbfile = new_nwbfile(entry_name_of(path))
        timing = {"timestamps": raw.timestamps} if timestamps else {"rate": 100.0}
        nwbfile.add_acquisition(
            TimeSeries(name="linked", description="data in another file", data=raw.data, unit="V", **timing)
        )
        nwbfile.add_acquisition(TimeSeries(name="local", data=np.arange(5.0), unit="V", rate=1.0))
        write_hdf5(nwbfile, path)


def _extlink_data_and_timestamps(path: Path, need: Need) -> None:
    _extlink_data(path, need, timestamps=True)


def _extlink_electrical_series(path: Path, need: Need) -> None:
    """An ElectricalSeries whose (chunked, gzip) data lives in the other file; the electrodes table is local."""
    from pynwb import NWBHDF5IO
    from pynwb.ecephys import ElectricalSeries

    target = _linked_target(path)
    with NWBHDF5IO(str(target), "r") as read_io:
        raw = read_io.read().acquisition["raw"]
        nwbfile = new_nwbfile(entry_name_of(path))
        device = nwbfile.create_device(name="probe")
        group = nwbfile.create_electrode_group(name="shank0", description="shank", location="CA1", device=device)
        for _ in range(4):
            nwbfile.add_electrode(group=group, location="CA1")
        region = nwbfile.create_electrode_table_region(region=[0, 1, 2, 3], description="all")
        nwbfile.add_acquisition(ElectricalSeries(name="ephys", data=raw.data, electrodes=region, rate=100.0))
        write_hdf5(nwbfile, path)


def _extlink_group_h5py(path: Path, need: Need) -> None:
    """A TimeSeries group linked whole from the other file with h5py (what pynwb 4.2 refuses to write itself)."""
    import h5py

    target = _linked_target(path)
    write_hdf5(_signal_nwbfile(entry_name_of(path)), path)
    with h5py.File(path, "a") as file:
        file["acquisition/clock"] = h5py.ExternalLink(target.name, "/acquisition/clock")


# --------------------------------------------------------------------------------------------- outside the schema
def _h5py_edit(edit: Callable[[object, Path], None], what: str) -> Callable[[Path, Need], None]:
    """A recipe that writes the base file with pynwb, then lets h5py ``edit`` the open file."""

    def build(path: Path, need: Need) -> None:
        import h5py

        write_hdf5(_signal_nwbfile(entry_name_of(path)), path)
        with h5py.File(path, "a") as file:
            edit(file, path)

    build.__doc__ = what
    return build


def _add_group(file, path: Path) -> None:
    lab = file.create_group("lab_metadata")
    lab.attrs["rig"] = "rig-2"
    lab.attrs["temperature_celsius"] = 21.5
    lab.create_dataset("notes", data=np.array(["calibrated", "cleaned"], dtype=object), dtype=h5py_str())
    extra = file["acquisition"].create_group("extra_untyped_group")
    extra.attrs["purpose"] = "written by a lab script"


def _add_dataset(file, path: Path) -> None:
    file["general"].create_dataset("lab_calibration", data=np.linspace(0.0, 1.0, 16).reshape(4, 4))
    file["acquisition/signal"].create_dataset("raw_counts", data=np.arange(100, dtype=np.uint16), chunks=(25,))
    file.create_dataset("analysis/scalar_result", data=3.25)


def _add_group_attribute(file, path: Path) -> None:
    file["acquisition/signal"].attrs["lab_version"] = "1.2.0"
    file["acquisition/signal"].attrs["gains"] = np.array([1.5, 2.0])
    file.attrs["lab_pipeline"] = "preprocess-v3"


def _add_dataset_attribute(file, path: Path) -> None:
    file["acquisition/signal/data"].attrs["gain_db"] = 6.0
    file["acquisition/ephys/data"].attrs["channel_names"] = np.array(["a", "b", "c"], dtype=object).astype(h5py_str())


def _add_soft_link(file, path: Path) -> None:
    import h5py

    # Not in /acquisition: a second name for a TimeSeries there makes pynwb 4.2.0 refuse the file on read ("Cannot
    # add TimeSeries 'signal' to dict attribute 'acquisition' ... already exists"), so no tool could repack it.
    file.create_group("lab_links")["signal_alias"] = h5py.SoftLink("/acquisition/signal")
    file["general/signal_data"] = h5py.SoftLink("/acquisition/signal/data")


def _add_external_link(file, path: Path) -> None:
    import h5py

    target = _linked_target(path)
    file["general/lab_raw"] = h5py.ExternalLink(target.name, "/acquisition/raw/data")


def _add_everything(file, path: Path) -> None:
    for edit in (_add_group, _add_dataset, _add_group_attribute, _add_dataset_attribute, _add_soft_link):
        edit(file, path)
    compound = np.array([(1, 0.5), (2, 0.25)], dtype=[("id", "<i4"), ("weight", "<f8")])
    file["lab_metadata"].create_dataset("table", data=compound)


def h5py_str():
    import h5py

    return h5py.string_dtype()


# Zarr: the same additions made with zarr 2.18 on a store NWBZarrIO wrote.
def _zarr_edit(edit: Callable[[object], None], what: str) -> Callable[[Path, Need], None]:
    def build(path: Path, need: Need) -> None:
        import zarr

        write_zarr(_signal_nwbfile(entry_name_of(path)), path)
        root = zarr.open_group(str(path), mode="a")
        edit(root)

    build.__doc__ = what
    return build


def _zarr_group(root) -> None:
    lab = root.create_group("lab_metadata")
    lab.attrs["rig"] = "rig-2"
    lab.attrs["temperature_celsius"] = 21.5
    root["acquisition"].create_group("extra_untyped_group").attrs["purpose"] = "written by a lab script"


def _zarr_array(root) -> None:
    root["general"].create_dataset("lab_calibration", data=np.linspace(0.0, 1.0, 16).reshape(4, 4), chunks=(2, 4))
    root["acquisition/signal"].create_dataset("raw_counts", data=np.arange(100, dtype=np.uint16), chunks=(25,))


def _zarr_group_attribute(root) -> None:
    root["acquisition/signal"].attrs["lab_version"] = "1.2.0"
    root.attrs["lab_pipeline"] = "preprocess-v3"


def _zarr_array_attribute(root) -> None:
    root["acquisition/signal/data"].attrs["gain_db"] = 6.0
    root["acquisition/ephys/data"].attrs["channel_names"] = ["a", "b", "c"]


_EXTERNAL = [
    ("extlink-timeseries-data", _extlink_data, "TimeSeries.data = h5py.Dataset of the linked file"),
    ("extlink-data-and-timestamps", _extlink_data_and_timestamps, "data and timestamps from the linked file"),
    ("extlink-electricalseries-data", _extlink_electrical_series, "ElectricalSeries data (gzip) in the linked file"),
    ("extlink-group-h5py", _extlink_group_h5py, "h5py ExternalLink to a whole TimeSeries group"),
]
_OUTSIDE_HDF5 = [
    ("outside-schema-group", _add_group, "h5py added groups (root and in /acquisition) with attributes"),
    ("outside-schema-dataset", _add_dataset, "h5py added datasets (in /general, in a TimeSeries, a scalar)"),
    ("outside-schema-group-attribute", _add_group_attribute, "h5py added attributes on a TimeSeries and the root"),
    ("outside-schema-dataset-attribute", _add_dataset_attribute, "h5py added attributes on data datasets"),
    ("outside-schema-soft-link", _add_soft_link, "h5py added soft links to a TimeSeries group and a dataset"),
    ("outside-schema-external-link", _add_external_link, "h5py added an ExternalLink to another file"),
    ("outside-schema-everything", _add_everything, "all h5py additions above and a compound dataset"),
]
_OUTSIDE_ZARR = [
    ("outside-schema-zarr-group", _zarr_group, "zarr added groups with attributes"),
    ("outside-schema-zarr-array", _zarr_array, "zarr added arrays"),
    ("outside-schema-zarr-group-attribute", _zarr_group_attribute, "zarr added attributes on groups"),
    ("outside-schema-zarr-array-attribute", _zarr_array_attribute, "zarr added attributes on arrays"),
]


def recipes() -> list[Recipe]:
    """The external-link and outside-schema recipes."""
    found = [
        Recipe(
            CorpusEntry(name, "hdf5", "external-link", f"{PYNWB}: {what}; linked file {name}.linked.nwb beside it"),
            build,
        )
        for name, build, what in _EXTERNAL
    ]
    found += [
        Recipe(
            CorpusEntry(name, "hdf5", "outside-schema", f"{PYNWB}: NWBHDF5IO.write, then {what} (_corpus_links.py)"),
            _h5py_edit(edit, what),
        )
        for name, edit, what in _OUTSIDE_HDF5
    ]
    found += [
        Recipe(
            CorpusEntry(
                name, "zarr", "outside-schema", f"hdmf-zarr 0.13.0 NWBZarrIO.write, then {what} (_corpus_links.py)"
            ),
            _zarr_edit(edit, what),
        )
        for name, edit, what in _OUTSIDE_ZARR
    ]
    return found
