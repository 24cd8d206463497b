"""Write ``hdmf_zarr_written.nwb.zarr`` (a directory) + ``hdmf_zarr_written.expected.json``.

Written by an OLD hdmf-zarr (0.5.0, zarr 2.x store, NWBZarrIO) in its own virtual
environment.  Exact pins that wrote the committed store::

    python3.11 -m venv /tmp/venv-zarr-old
    /tmp/venv-zarr-old/bin/pip install "hdmf-zarr==0.5.0" "pynwb==2.5.0" "hdmf==3.9.0" \
        "numpy==1.26.4" "h5py==3.9.0" "pandas==2.1.4" "zarr==2.16.1" "numcodecs==0.11.0"
    /tmp/venv-zarr-old/bin/python tests/data/legacy/make_zarr_file.py [OUTDIR]

Contents (see README.md): one dataset with ZarrDataIO(Blosc zstd + Delta filter), one with
ZarrDataIO(GZip), one with ZarrDataIO(compressor=None -> zarr's default Blosc), datasets written
without ZarrDataIO (zarr defaults), and a TimeSeries whose timestamps link to another one
(hdmf-zarr stores links in ``.zattrs["zarr_link"]``, not as arrays).  The sidecar JSON
records each array's ``.zarray`` metadata (chunks, compressor, filters) as written.
"""

import json
import shutil
import sys
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path

import numpy as np
import zarr
from hdmf_zarr import NWBZarrIO, ZarrDataIO
from numcodecs import Blosc, Delta, GZip
from pynwb import NWBFile, TimeSeries
from pynwb.ecephys import ElectricalSeries

OUT = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent
START = datetime(2020, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
NAME = "hdmf_zarr_written"

CHECK = [
    "acquisition/ElectricalSeries/data",
    "acquisition/TimeSeriesGZip/data",
    "acquisition/TimeSeriesGZip/timestamps",
    "acquisition/TimeSeriesLinkedTimestamps/data",
    "acquisition/ElectricalSeriesDefaultCompressor/data",
    "general/extracellular_ephys/electrodes/id",
    "general/extracellular_ephys/electrodes/location",
    "general/extracellular_ephys/electrodes/group",  # object references, Pickle filter (hdmf-zarr 0.5 default)
]


def main():
    rng = np.random.default_rng(20240106)
    nwbfile = NWBFile(
        session_description="Fixture: written by hdmf-zarr with ZarrDataIO",
        identifier="hdmf-zarr-written",
        session_start_time=START,
        file_create_date=[START],
    )
    device = nwbfile.create_device(name="Probe", description="fake probe")
    group = nwbfile.create_electrode_group(name="shank0", description="fake shank", location="CA1", device=device)
    for i in range(8):
        nwbfile.add_electrode(x=0.0, y=float(i), z=0.0, imp=-1.0, filtering="none", group=group, location="CA1")
    region = nwbfile.create_electrode_table_region(list(range(8)), "all electrodes")

    # Blosc(zstd, 5, BITSHUFFLE) compressor + Delta filter, explicit chunks
    raw = np.cumsum(rng.integers(-50, 50, size=(4000, 8)), axis=0).astype(np.int16)
    nwbfile.add_acquisition(
        ElectricalSeries(
            name="ElectricalSeries",
            data=ZarrDataIO(
                raw,
                chunks=(1000, 8),
                compressor=Blosc(cname="zstd", clevel=5, shuffle=Blosc.BITSHUFFLE),
                filters=[Delta(dtype="<i2")],
            ),
            electrodes=region,
            rate=1000.0,
        )
    )
    # ZarrDataIO with compressor=None: hdmf-zarr leaves zarr's default compressor in place
    nwbfile.add_acquisition(
        ElectricalSeries(
            name="ElectricalSeriesDefaultCompressor",
            data=ZarrDataIO(rng.integers(-100, 100, size=(2000, 8), dtype=np.int16), chunks=(500, 4)),
            electrodes=nwbfile.create_electrode_table_region([0, 1, 2, 3, 4, 5, 6, 7], "all electrodes"),
            rate=1000.0,
        )
    )
    # GZip(6) compressor, explicit chunks; timestamps written plainly (zarr defaults)
    ts = TimeSeries(
        name="TimeSeriesGZip",
        data=ZarrDataIO(np.cumsum(rng.normal(size=(2000, 3)), axis=0), chunks=(500, 3), compressor=GZip(level=6)),
        timestamps=np.arange(2000) / 100.0,
        unit="a.u.",
    )
    nwbfile.add_acquisition(ts)
    # timestamps linked to TimeSeriesGZip.timestamps; data plain (zarr defaults)
    nwbfile.add_acquisition(
        TimeSeries(
            name="TimeSeriesLinkedTimestamps",
            data=rng.normal(size=2000).astype(np.float32),
            timestamps=ts,
            unit="a.u.",
        )
    )

    path = OUT / f"{NAME}.nwb.zarr"
    if path.exists():
        shutil.rmtree(path)
    with NWBZarrIO(str(path), mode="w") as io:
        io.write(nwbfile)

    root = zarr.open(str(path), mode="r")
    arrays = {}
    for p in CHECK:
        a = root[p]
        arrays["/" + p] = {
            "dtype": str(a.dtype),
            "shape": list(a.shape),
            "chunks": list(a.chunks),
            "compressor": a.compressor.get_config() if a.compressor is not None else None,
            "filters": [f.get_config() for f in a.filters] if a.filters else None,
        }
    links = {
        "/acquisition/TimeSeriesLinkedTimestamps": root["acquisition/TimeSeriesLinkedTimestamps"]
        .attrs.asdict()
        .get("zarr_link")
    }
    doc = {
        "file": path.name,
        "written_by": {p: version(p) for p in ("hdmf-zarr", "pynwb", "hdmf", "zarr", "numcodecs", "numpy")},
        "datasets": arrays,
        "links_in_zattrs": links,
    }
    (OUT / f"{NAME}.expected.json").write_text(json.dumps(doc, indent=2) + "\n")
    print("wrote", path)


if __name__ == "__main__":
    main()
