"""Write ``neuroconv_written.nwb`` + ``neuroconv_written.expected.json`` with neuroconv.

The NWBFile is built with plain pynwb (no neuroconv data interfaces, nothing downloaded)
and written by ``neuroconv.tools.nwb_helpers.configure_and_write_nwbfile(..., backend="hdf5")``
which applies neuroconv's DEFAULT HDF5 backend configuration (its chunk-shape heuristics
and its default compression).  The sidecar JSON is neuroconv's own description of that
default configuration (``get_default_backend_configuration``) per dataset location, plus
what h5py reads back from the file.

Needs its own virtual environment (exact versions that wrote the committed file;
neuroconv 0.10.2 resolved the rest)::

    python3.11 -m venv /tmp/venv-neuroconv
    /tmp/venv-neuroconv/bin/pip install "neuroconv==0.10.2"
    # resolved: pynwb==4.2.0 hdmf==6.2.0 h5py==3.16.0 numpy==2.4.6 hdmf_zarr==0.13.0
    #           zarr==2.18.7 numcodecs==0.15.2 pydantic==2.14.4
    /tmp/venv-neuroconv/bin/python tests/data/legacy/make_neuroconv_file.py [OUTDIR]
"""

import json
import sys
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path

import h5py
import numpy as np
from neuroconv.tools.nwb_helpers import configure_and_write_nwbfile, get_default_backend_configuration
from pynwb import NWBHDF5IO, NWBFile, TimeSeries
from pynwb.behavior import Position
from pynwb.ecephys import ElectricalSeries
from pynwb.image import ImageSeries

OUT = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent
START = datetime(2020, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
NAME = "neuroconv_written"


def build(rng) -> NWBFile:
    nwbfile = NWBFile(
        session_description="Fixture: written by neuroconv configure_and_write_nwbfile (default HDF5 config)",
        identifier="neuroconv-written",
        session_start_time=START,
        file_create_date=[START],
    )
    device = nwbfile.create_device(name="Probe", description="fake probe")
    group = nwbfile.create_electrode_group(name="shank0", description="fake shank", location="CA1", device=device)
    for _i in range(8):
        nwbfile.add_electrode(group=group, location="CA1")
    nwbfile.add_acquisition(
        ElectricalSeries(
            name="ElectricalSeries",
            data=rng.integers(-2000, 2000, size=(4000, 8), dtype=np.int16),
            electrodes=nwbfile.create_electrode_table_region(list(range(8)), "all electrodes"),
            rate=30000.0,
        )
    )
    nwbfile.add_acquisition(
        TimeSeries(
            name="TimeSeriesWithTimestamps",
            data=rng.normal(size=(3000, 3)),
            timestamps=np.arange(3000) / 100.0 + 0.5,
            unit="a.u.",
        )
    )
    nwbfile.add_acquisition(
        ImageSeries(
            name="ImageSeries",
            data=rng.integers(0, 255, size=(15, 48, 64), dtype=np.uint8),
            unit="n.a.",
            rate=30.0,
        )
    )
    behavior = nwbfile.create_processing_module(name="behavior", description="behavior")
    pos = Position(name="Position")
    pos.create_spatial_series(
        name="SpatialSeries",
        data=np.cumsum(rng.normal(size=(2000, 2)), axis=0),
        reference_frame="arena corner",
        rate=30.0,
    )
    behavior.add(pos)
    for unit_id in range(4):
        nwbfile.add_unit(spike_times=np.sort(rng.uniform(0, 10, size=int(rng.integers(30, 90)))), id=unit_id)
    return nwbfile


def jsonable(x):
    if isinstance(x, dict):
        return {str(k): jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [jsonable(v) for v in x]
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (np.floating,)):
        return float(x)
    if isinstance(x, np.dtype):
        return str(x)  # "int16", "<U3", ...
    if x is None or isinstance(x, (str, int, float, bool)):
        return x
    return str(x)


def main():
    rng = np.random.default_rng(20240105)
    nwbfile = build(rng)
    # neuroconv's default configuration for this NWBFile (what configure_and_write_nwbfile applies)
    default_cfg = get_default_backend_configuration(nwbfile, backend="hdf5")
    path = OUT / f"{NAME}.nwb"
    configure_and_write_nwbfile(nwbfile, nwbfile_path=path, backend="hdf5", backend_configuration=default_cfg)

    # neuroconv's location_in_file (e.g. "electrodes/location/data") is not an HDF5 path:
    # resolve each configured dataset to its real HDF5 path through object_id + dataset_name.
    cfg_doc, in_file = {}, {}
    with NWBHDF5IO(str(path), "r") as io:
        read = io.read()
        for _location, ds_cfg in default_cfg.dataset_configurations.items():
            ds = getattr(read.objects[ds_cfg.object_id], ds_cfg.dataset_name)
            entry = jsonable(ds_cfg.model_dump())
            entry["neuroconv_location_in_file"] = entry.pop("location_in_file")
            cfg_doc[ds.name] = entry
            in_file[ds.name] = {
                "dtype": ds.dtype.name if ds.dtype.kind != "O" else str(ds.dtype),
                "shape": list(ds.shape),
                "chunks": list(ds.chunks) if ds.chunks else None,
                "compression": ds.compression,
                "compression_opts": ds.compression_opts,
                "shuffle": bool(ds.shuffle),
                "fletcher32": bool(ds.fletcher32),
            }
    doc = {
        "file": path.name,
        "written_by": {p: version(p) for p in ("neuroconv", "pynwb", "hdmf", "h5py", "numpy")},
        "hdf5": h5py.version.hdf5_version,
        "note": "neuroconv_default_configuration = neuroconv get_default_backend_configuration(...) "
        "dataset_configurations dumped with pydantic; datasets = read back with h5py",
        "neuroconv_default_configuration": cfg_doc,
        "datasets": in_file,
    }
    (OUT / f"{NAME}.expected.json").write_text(json.dumps(doc, indent=2) + "\n")
    print("wrote", path)


if __name__ == "__main__":
    main()
