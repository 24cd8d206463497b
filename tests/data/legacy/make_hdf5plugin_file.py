"""Write ``hdf5plugin_filters.nwb`` + ``hdf5plugin_filters.expected.json``.

Datasets are compressed with dynamically loaded HDF5 filters shipped by hdf5plugin
(Zstd, Blosc, Blosc2, LZ4, Bitshuffle), written through
``H5DataIO(..., allow_plugin_filters=True)``, plus one gzip+shuffle+fletcher32 dataset.

Environment that wrote the committed file (the system python of the dev machine,
Python 3.11.7)::

    pynwb==4.2.0 hdmf==6.2.0 h5py==3.16.0 (HDF5 2.0.0) hdf5plugin==7.1.0 numpy==2.4.6

    python3 tests/data/legacy/make_hdf5plugin_file.py [OUTDIR]

The sidecar JSON records, per dataset path, the hdf5plugin class and arguments used,
the HDF5 filter id, the ``compression_opts`` handed to h5py, and the filter pipeline
as read back from the file (``cd_values`` per filter; plugin filters such as Blosc fill
in some values, e.g. typesize and chunk size, at write time).  Reading the file
requires ``import hdf5plugin`` before opening it.
"""

import json
import sys
from datetime import datetime, timezone
from pathlib import Path

import h5py
import hdf5plugin
import hdmf
import numpy as np
import pynwb
from hdmf.backends.hdf5 import H5DataIO
from pynwb import NWBHDF5IO, NWBFile, TimeSeries

OUT = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent
START = datetime(2020, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
NAME = "hdf5plugin_filters"


def signal(rng, shape, dtype):
    """Smooth-ish random walk so that the compressors actually compress."""
    x = np.cumsum(rng.normal(size=shape), axis=0)
    if np.issubdtype(dtype, np.integer):
        x = np.clip(x * 20, np.iinfo(dtype).min, np.iinfo(dtype).max)
    return x.astype(dtype)


# (series name, dtype, shape, chunks, hdf5plugin class name, kwargs for that class)
PLUGIN_SPECS = [
    ("zstd", np.int16, (4000, 4), (1000, 4), "Zstd", {"clevel": 7}),
    (
        "blosc_zstd",
        np.int16,
        (4000, 4),
        (500, 4),
        "Blosc",
        {"cname": "zstd", "clevel": 5, "shuffle": hdf5plugin.Blosc.SHUFFLE},
    ),
    (
        "blosc2",
        np.float32,
        (3000, 2),
        (1000, 2),
        "Blosc2",
        {"cname": "lz4", "clevel": 8, "filters": hdf5plugin.Blosc2.SHUFFLE},
    ),
    ("lz4", np.int32, (4000,), (1024,), "LZ4", {"nbytes": 0}),
    ("bitshuffle", np.uint16, (4000, 2), (800, 2), "Bitshuffle", {"nelems": 0, "cname": "lz4"}),
]


def pipeline(ds):
    dcpl = ds.id.get_create_plist()
    out = []
    for i in range(dcpl.get_nfilters()):
        code, _flags, values, name = dcpl.get_filter(i)
        out.append({"id": int(code), "name": name.decode(), "cd_values": [int(v) for v in values]})
    return out


def main():
    rng = np.random.default_rng(20240103)
    nwbfile = NWBFile(
        session_description="Fixture: datasets compressed with hdf5plugin filters",
        identifier="hdf5plugin-filters",
        session_start_time=START,
        file_create_date=[START],
    )
    expected = {}
    for name, dtype, shape, chunks, cls_name, kwargs in PLUGIN_SPECS:
        flt = getattr(hdf5plugin, cls_name)(**kwargs)
        data = signal(rng, shape, dtype)
        nwbfile.add_acquisition(
            TimeSeries(
                name=name,
                data=H5DataIO(
                    data,
                    chunks=chunks,
                    allow_plugin_filters=True,
                    compression=flt.filter_id,
                    compression_opts=flt.filter_options,
                ),
                unit="a.u.",
                rate=1000.0,
            )
        )
        expected[f"/acquisition/{name}/data"] = {
            "dtype": np.dtype(dtype).name,
            "shape": list(shape),
            "chunks": list(chunks),
            "hdf5plugin_class": cls_name,
            "hdf5plugin_kwargs": {k: (int(v) if isinstance(v, (int, np.integer)) else v) for k, v in kwargs.items()},
            "filter_id": int(flt.filter_id),
            "filter_name": flt.filter_name,
            "compression_opts": [int(v) for v in flt.filter_options],
            "shuffle": False,
            "fletcher32": False,
        }

    gz = signal(rng, (4000, 3), np.float64)
    nwbfile.add_acquisition(
        TimeSeries(
            name="gzip_shuffle_fletcher32",
            data=H5DataIO(gz, chunks=(1000, 3), compression="gzip", compression_opts=6, shuffle=True, fletcher32=True),
            unit="a.u.",
            rate=1000.0,
        )
    )
    expected["/acquisition/gzip_shuffle_fletcher32/data"] = {
        "dtype": "float64",
        "shape": [4000, 3],
        "chunks": [1000, 3],
        "hdf5plugin_class": None,
        "hdf5plugin_kwargs": None,
        "filter_id": 1,
        "filter_name": "gzip",
        "compression_opts": [6],
        "shuffle": True,
        "fletcher32": True,
    }

    path = OUT / f"{NAME}.nwb"
    with NWBHDF5IO(str(path), "w") as io:
        io.write(nwbfile)

    # read back the stored filter pipelines and sanity-check them
    with h5py.File(path, "r") as f:
        for dpath, exp in expected.items():
            ds = f[dpath]
            assert list(ds.chunks) == exp["chunks"], (dpath, ds.chunks)
            assert ds.shape == tuple(exp["shape"]) and ds.dtype.name == exp["dtype"]
            exp["h5py_compression"] = ds.compression
            exp["h5py_compression_opts"] = (
                list(ds.compression_opts) if isinstance(ds.compression_opts, tuple) else ds.compression_opts
            )
            exp["filter_pipeline_in_file"] = pipeline(ds)
            assert np.asarray(ds[:10]).shape[0] == 10  # decompresses

    doc = {
        "file": f"{NAME}.nwb",
        "written_by": {
            "pynwb": pynwb.__version__,
            "hdmf": hdmf.__version__,
            "h5py": h5py.__version__,
            "hdf5": h5py.version.hdf5_version,
            "hdf5plugin": hdf5plugin.version,
            "numpy": np.__version__,
        },
        "note": "Open with `import hdf5plugin` first. filter_pipeline_in_file is in pipeline order.",
        "datasets": expected,
    }
    (OUT / f"{NAME}.expected.json").write_text(json.dumps(doc, indent=2) + "\n")
    print("wrote", path)


if __name__ == "__main__":
    main()
