"""Write ``h5repack_rechunked.nwb`` + ``h5repack_rechunked.expected.json``.

A small file is first written by pynwb (to a temporary path), then rewritten by the
HDF5 command-line tool ``h5repack`` (Debian package ``hdf5-tools``), which changes
the layout/filters of some datasets, so the committed file was last touched by a tool
other than pynwb/h5py.

Environment that wrote the committed file (system python of the dev machine)::

    apt-get install hdf5-tools            # Debian 12: h5repack 1.10.8 (hdf5-tools 1.10.8+repack1-1)
    pynwb==4.2.0 hdmf==6.2.0 h5py==3.16.0 (HDF5 2.0.0) numpy==2.4.6

    python3 tests/data/legacy/make_h5repack_file.py [OUTDIR]

The h5repack command line is stored in the sidecar JSON (``h5repack_args``).
"""

import json
import shutil
import subprocess
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

import h5py
import hdmf
import numpy as np
import pynwb
from hdmf.backends.hdf5 import H5DataIO
from pynwb import NWBHDF5IO, NWBFile, TimeSeries
from pynwb.behavior import Position
from pynwb.ecephys import ElectricalSeries
from pynwb.image import ImageSeries

OUT = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent
START = datetime(2020, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
NAME = "h5repack_rechunked"

ES = "/acquisition/ElectricalSeries/data"
TS = "/acquisition/TimeSeries/data"
POS = "/processing/behavior/Position/SpatialSeries/data"
IMG = "/acquisition/ImageSeries/data"

H5REPACK_ARGS = [
    # contiguous int16 (4000, 8)  ->  chunks 100x4, shuffle + gzip 6
    "-l",
    f"{ES}:CHUNK=100x4",
    "-f",
    f"{ES}:SHUF",
    "-f",
    f"{ES}:GZIP=6",
    # pynwb-chunked (500, 2) + gzip  ->  contiguous, no filters
    "-l",
    f"{TS}:CONTI",
    "-f",
    f"{TS}:NONE",
    # contiguous float64 (1500, 2)  ->  chunks 300x2, scale-offset (D-scale, 3 decimals) + fletcher32
    "-l",
    f"{POS}:CHUNK=300x2",
    "-f",
    f"{POS}:SOFF=3,DS",
    "-f",
    f"{POS}:FLET",
    # IMG is not named: h5repack copies it with its original chunks (1, 32, 32) and gzip 4
]


def write_source(path: Path):
    rng = np.random.default_rng(20240104)
    nwbfile = NWBFile(
        session_description="Fixture: pynwb file rewritten by h5repack",
        identifier="h5repack-rechunked",
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
            data=rng.integers(-2000, 2000, size=(4000, 8), dtype=np.int16),  # contiguous as written
            electrodes=nwbfile.create_electrode_table_region(list(range(8)), "all electrodes"),
            rate=1000.0,
        )
    )
    nwbfile.add_acquisition(
        TimeSeries(
            name="TimeSeries",
            data=H5DataIO(
                np.cumsum(rng.normal(size=(3000, 2)), axis=0).astype(np.float32),
                compression="gzip",
                compression_opts=4,
                chunks=(500, 2),
            ),
            unit="a.u.",
            rate=100.0,
        )
    )
    nwbfile.add_acquisition(
        ImageSeries(
            name="ImageSeries",
            data=H5DataIO(
                rng.integers(0, 4096, size=(10, 32, 32), dtype=np.uint16),
                compression="gzip",
                compression_opts=4,
                chunks=(1, 32, 32),
            ),
            unit="n.a.",
            rate=10.0,
        )
    )
    behavior = nwbfile.create_processing_module(name="behavior", description="behavior")
    pos = Position(name="Position")
    pos.create_spatial_series(
        name="SpatialSeries",
        data=np.cumsum(rng.normal(size=(1500, 2)), axis=0),
        reference_frame="arena corner",
        rate=30.0,
    )
    behavior.add(pos)
    with NWBHDF5IO(str(path), "w") as io:
        io.write(nwbfile)


def pipeline(ds):
    dcpl = ds.id.get_create_plist()
    out = []
    for i in range(dcpl.get_nfilters()):
        code, _flags, values, name = dcpl.get_filter(i)
        out.append({"id": int(code), "name": name.decode(), "cd_values": [int(v) for v in values]})
    return out


def describe(f, path):
    ds = f[path]
    return {
        "dtype": ds.dtype.name,
        "shape": list(ds.shape),
        "chunks": list(ds.chunks) if ds.chunks else None,
        "compression": ds.compression,
        "compression_opts": ds.compression_opts
        if not isinstance(ds.compression_opts, tuple)
        else list(ds.compression_opts),
        "shuffle": bool(ds.shuffle),
        "fletcher32": bool(ds.fletcher32),
        "scaleoffset": ds.scaleoffset,
        "filter_pipeline_in_file": pipeline(ds),
    }


def main():
    h5repack = shutil.which("h5repack")
    if h5repack is None:
        sys.exit("h5repack not found: apt-get install hdf5-tools")
    version = subprocess.run([h5repack, "--version"], capture_output=True, text=True).stdout.strip()
    out = OUT / f"{NAME}.nwb"
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "source.nwb"
        write_source(src)
        with h5py.File(src, "r") as f:
            before = {p: describe(f, p) for p in (ES, TS, POS, IMG)}
        if out.exists():
            out.unlink()
        subprocess.run([h5repack, *H5REPACK_ARGS, str(src), str(out)], check=True)
    with h5py.File(out, "r") as f:
        after = {p: describe(f, p) for p in (ES, TS, POS, IMG)}

    # what the h5repack options should have produced
    assert after[ES]["chunks"] == [100, 4] and after[ES]["shuffle"] and after[ES]["compression"] == "gzip"
    assert after[ES]["compression_opts"] == 6
    assert after[TS]["chunks"] is None and after[TS]["filter_pipeline_in_file"] == []
    assert after[POS]["chunks"] == [300, 2] and after[POS]["fletcher32"]
    assert after[IMG]["chunks"] == [1, 32, 32] and after[IMG]["compression_opts"] == 4

    doc = {
        "file": out.name,
        "source_written_by": {
            "pynwb": pynwb.__version__,
            "hdmf": hdmf.__version__,
            "h5py": h5py.__version__,
            "hdf5": h5py.version.hdf5_version,
        },
        "rewritten_by": version,
        "h5repack_args": H5REPACK_ARGS,
        "note": "'before' = as pynwb wrote the temporary source file; 'datasets' = in the committed file",
        "before": before,
        "datasets": after,
    }
    (OUT / f"{NAME}.expected.json").write_text(json.dumps(doc, indent=2) + "\n")
    print("wrote", out)


if __name__ == "__main__":
    main()
