"""Write ``pynwb_2x_hdf5.nwb`` and ``pynwb_2x_with_extension.nwb`` with an OLD pynwb 2.x.

Needs its own virtual environment (NOT the project's environment), created with
Python 3.11 and these exact pins (the set that wrote the committed files)::

    python3.11 -m venv /tmp/venv-old
    /tmp/venv-old/bin/pip install "pynwb==2.5.0" "hdmf==3.9.0" "numpy==1.26.4" \
        "h5py==3.9.0" "pandas==2.1.4" "ndx-events==0.2.0"
    /tmp/venv-old/bin/python tests/data/legacy/make_pynwb2x_files.py [OUTDIR]

h5py 3.9.0 bundles HDF5 1.12.2.  OUTDIR defaults to the folder of this script.
All random data come from fixed seeds, and identifiers / dates are fixed, so the
dataset contents are reproducible (HDF5 object headers still carry write times).
"""

import json
import sys
from datetime import datetime, timezone
from pathlib import Path

import h5py
import hdmf
import numpy as np
import pynwb
from hdmf.backends.hdf5 import H5DataIO
from pynwb import NWBHDF5IO, NWBFile, TimeSeries
from pynwb.base import Images
from pynwb.behavior import Position
from pynwb.ecephys import ElectricalSeries
from pynwb.image import GrayscaleImage, ImageSeries

assert pynwb.__version__.startswith("2."), pynwb.__version__

OUT = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent
START = datetime(2020, 1, 2, 3, 4, 5, tzinfo=timezone.utc)


def new_file(identifier: str, description: str) -> NWBFile:
    return NWBFile(
        session_description=description,
        identifier=identifier,
        session_start_time=START,
        file_create_date=[START],
        experimenter=["Fixture, Legacy"],
        lab="nwbconfig_widget tests",
        institution="none",
    )


def add_electrodes(nwbfile: NWBFile, n: int = 8):
    device = nwbfile.create_device(name="Probe", description="fake 8-channel probe", manufacturer="none")
    group = nwbfile.create_electrode_group(name="shank0", description="fake shank", location="CA1", device=device)
    for i in range(n):
        nwbfile.add_electrode(x=0.0, y=float(20 * i), z=0.0, imp=-1.0, location="CA1", filtering="none", group=group)
    return group


def make_main():
    rng = np.random.default_rng(20240101)
    nwbfile = new_file("legacy-pynwb-2x-hdf5", "Legacy fixture written by pynwb 2.x")
    add_electrodes(nwbfile, 8)

    # 2-D int16 ElectricalSeries: gzip(4) + shuffle, explicit chunks (1000, 8)
    es_data = rng.integers(-2000, 2000, size=(4000, 8), dtype=np.int16)
    es = ElectricalSeries(
        name="ElectricalSeries",
        data=H5DataIO(es_data, compression="gzip", compression_opts=4, shuffle=True, chunks=(1000, 8)),
        electrodes=nwbfile.create_electrode_table_region(list(range(8)), "all 8 electrodes"),
        starting_time=0.0,
        rate=1000.0,
        conversion=0.195e-6,
    )
    nwbfile.add_acquisition(es)

    # 1-D ElectricalSeries on one electrode: contiguous, no compression
    es1 = ElectricalSeries(
        name="ElectricalSeries1D",
        data=rng.normal(size=3000).astype(np.float32),
        electrodes=nwbfile.create_electrode_table_region([0], "electrode 0"),
        starting_time=0.0,
        rate=1000.0,
    )
    nwbfile.add_acquisition(es1)

    # TimeSeries with explicit timestamps; its data use h5py auto chunking (chunks=True), no filter
    ts_times = np.cumsum(rng.uniform(0.009, 0.011, size=2000))
    ts = TimeSeries(
        name="TimeSeriesWithTimestamps",
        data=H5DataIO(rng.normal(size=2000), chunks=True),
        unit="a.u.",
        timestamps=ts_times,
    )
    nwbfile.add_acquisition(ts)
    # Second TimeSeries whose timestamps LINK to the first one's timestamps
    ts_linked = TimeSeries(
        name="TimeSeriesLinkedTimestamps",
        data=H5DataIO(rng.integers(0, 100, size=(2000, 3), dtype=np.uint8), compression="lzf"),
        unit="a.u.",
        timestamps=ts,
    )
    nwbfile.add_acquisition(ts_linked)

    # Processing module with Position/SpatialSeries (gzip default level, chunks (500, 2))
    behavior = nwbfile.create_processing_module(name="behavior", description="behavior data")
    pos = Position(name="Position")
    pos.create_spatial_series(
        name="SpatialSeries",
        data=H5DataIO(np.cumsum(rng.normal(size=(1500, 2)), axis=0), compression="gzip", chunks=(500, 2)),
        reference_frame="origin at arena corner",
        starting_time=0.0,
        rate=30.0,
        unit="meters",
    )
    behavior.add(pos)

    # Units table with ragged spike_times (spike_times + spike_times_index)
    for unit_id in range(5):
        n_spikes = int(rng.integers(20, 80))
        nwbfile.add_unit(spike_times=np.sort(rng.uniform(0, 4.0, size=n_spikes)), id=unit_id)

    # Trials table with an extra string column and an extra bool column
    nwbfile.add_trial_column(name="condition", description="trial condition label (string)")
    nwbfile.add_trial_column(name="correct", description="whether the response was correct (bool)")
    for i in range(10):
        nwbfile.add_trial(
            start_time=0.4 * i,
            stop_time=0.4 * i + 0.3,
            condition=["left", "right"][i % 2],
            correct=bool(rng.integers(0, 2)),
        )

    # Images container holding one GrayscaleImage (2-D uint8 64x64, contiguous)
    img = GrayscaleImage(
        name="mean_frame", data=rng.integers(0, 255, size=(64, 64), dtype=np.uint8), description="fake mean frame"
    )
    nwbfile.add_acquisition(Images(name="SummaryImages", images=[img], description="summary images"))

    # ImageSeries, 3-D uint16 frames (20, 32, 32), gzip + shuffle, one frame per chunk
    frames = rng.integers(0, 4096, size=(20, 32, 32), dtype=np.uint16)
    nwbfile.add_acquisition(
        ImageSeries(
            name="ImageSeries",
            data=H5DataIO(frames, compression="gzip", compression_opts=9, shuffle=True, chunks=(1, 32, 32)),
            unit="n.a.",
            rate=10.0,
            starting_time=0.0,
        )
    )

    path = OUT / "pynwb_2x_hdf5.nwb"
    with NWBHDF5IO(str(path), "w") as io:
        io.write(nwbfile)
    print("wrote", path)


def make_extension():
    from ndx_events import Events, TTLs

    rng = np.random.default_rng(20240102)
    nwbfile = new_file("legacy-pynwb-2x-ndx-events", "Legacy fixture: pynwb 2.x + ndx-events 0.2.0")

    ev_times = np.sort(rng.uniform(0, 100, size=1000))
    nwbfile.add_acquisition(
        Events(
            name="Events",
            description="fake event times",
            timestamps=H5DataIO(ev_times, compression="gzip", compression_opts=4, chunks=(250,)),
            resolution=1e-5,
        )
    )
    ttl_times = np.sort(rng.uniform(0, 100, size=500))
    nwbfile.add_acquisition(
        TTLs(
            name="TTLs",
            description="fake TTL pulses",
            timestamps=ttl_times,
            data=H5DataIO(
                rng.integers(0, 3, size=500).astype(np.uint8), compression="gzip", shuffle=True, chunks=(100,)
            ),
            labels=["off", "on", "reward"],
        )
    )
    # also one core type so there is something ordinary next to the extension types
    nwbfile.add_acquisition(TimeSeries(name="CoreTimeSeries", data=rng.normal(size=(1000, 2)), unit="V", rate=100.0))

    path = OUT / "pynwb_2x_with_extension.nwb"
    with NWBHDF5IO(str(path), "w") as io:  # cache_spec=True by default in pynwb 2.x
        io.write(nwbfile)
    print("wrote", path)


def write_sidecar(nwb_name: str):
    """<name>.expected.json: every non-scalar dataset (outside /specifications) and every soft link."""
    path = OUT / nwb_name
    datasets, links = {}, {}

    def visit(group):
        for key in group:
            link = group.get(key, getlink=True)
            full = f"{group.name.rstrip('/')}/{key}"
            if full.startswith("/specifications"):
                continue
            if isinstance(link, h5py.SoftLink):
                links[full] = link.path
                continue
            obj = group[key]
            if isinstance(obj, h5py.Group):
                visit(obj)
            elif obj.shape:  # skip scalars
                dcpl = obj.id.get_create_plist()
                pipeline = []
                for i in range(dcpl.get_nfilters()):
                    code, _flags, values, name = dcpl.get_filter(i)
                    pipeline.append({"id": int(code), "name": name.decode(), "cd_values": [int(v) for v in values]})
                datasets[full] = {
                    "dtype": str(obj.dtype),
                    "shape": list(obj.shape),
                    "chunks": list(obj.chunks) if obj.chunks else None,
                    "maxshape": [None if m is None else int(m) for m in obj.maxshape],
                    "compression": obj.compression,
                    "compression_opts": obj.compression_opts,
                    "shuffle": bool(obj.shuffle),
                    "fletcher32": bool(obj.fletcher32),
                    "filter_pipeline_in_file": pipeline,
                }

    with h5py.File(path, "r") as f:
        visit(f)
        specs = {ns: sorted(f["specifications"][ns]) for ns in f["specifications"]}
        nwb_version = f.attrs["nwb_version"]
    doc = {
        "file": nwb_name,
        "written_by": {
            "pynwb": pynwb.__version__,
            "hdmf": hdmf.__version__,
            "h5py": h5py.__version__,
            "hdf5": h5py.version.hdf5_version,
            "numpy": np.__version__,
        },
        "nwb_version_attr": str(nwb_version),
        "cached_specifications": specs,
        "datasets": datasets,
        "soft_links": links,
    }
    if "extension" in nwb_name:
        from importlib.metadata import version

        doc["written_by"]["ndx-events"] = version("ndx-events")
    (OUT / nwb_name.replace(".nwb", ".expected.json")).write_text(json.dumps(doc, indent=2) + "\n")


if __name__ == "__main__":
    make_main()
    make_extension()
    write_sidecar("pynwb_2x_hdf5.nwb")
    write_sidecar("pynwb_2x_with_extension.nwb")
