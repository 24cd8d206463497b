"""Regenerate every legacy / foreign-tool NWB fixture in this folder.

The fixtures must be written by OTHER tools and OLDER library versions than the
project uses, so each generator runs in its own throw-away virtual environment
(never the project's environment).  This driver creates those venvs (under
``--venv-root``, default ``/tmp/nwbconfig-legacy-venvs``) with the exact pins below,
runs the generator scripts, then opens every file with the *current* python
(``sys.executable``: pynwb / hdmf-zarr of the project) as a smoke test.

=====================  ==========================  ===========================================
generator              environment                 writes
=====================  ==========================  ===========================================
make_pynwb2x_files.py  venv "old" (PINS["old"])    pynwb_2x_hdf5.nwb, pynwb_2x_with_extension.nwb (+ .expected.json)
make_zarr_file.py      venv "zarr-old"             hdmf_zarr_written.nwb.zarr (+ .expected.json)
make_neuroconv_file.py venv "neuroconv"            neuroconv_written.nwb (+ .expected.json)
make_hdf5plugin_file.py current python             hdf5plugin_filters.nwb (+ .expected.json)
make_h5repack_file.py  current python + h5repack   h5repack_rechunked.nwb (+ .expected.json)
=====================  ==========================  ===========================================

The committed files were written with Python 3.11.7 and:

* old:       pynwb==2.5.0 hdmf==3.9.0 numpy==1.26.4 h5py==3.9.0 (HDF5 1.12.2) pandas==2.1.4
             ndx-events==0.2.0
* zarr-old:  hdmf-zarr==0.5.0 pynwb==2.5.0 hdmf==3.9.0 zarr==2.16.1 numcodecs==0.11.0
             numpy==1.26.4 h5py==3.9.0 pandas==2.1.4
* neuroconv: neuroconv==0.10.2 (resolved pynwb==4.2.0 hdmf==6.2.0 h5py==3.16.0 numpy==2.4.6)
* current:   pynwb==4.2.0 hdmf==6.2.0 h5py==3.16.0 (HDF5 2.0.0) hdf5plugin==7.1.0 numpy==2.4.6
             hdmf-zarr==0.13.0 zarr==2.18.7; h5repack 1.10.8 from Debian 12 ``hdf5-tools``
             (``apt-get install hdf5-tools``)

Usage::

    python3.11 tests/data/legacy/make_legacy_files.py            # everything
    python3.11 tests/data/legacy/make_legacy_files.py --only old zarr-old
    python3.11 tests/data/legacy/make_legacy_files.py --verify-only

Output is written next to this script.  Random data use fixed seeds; HDF5 object
headers, object_ids (uuid4) and spec caches still make the bytes differ run to run.
"""

import argparse
import subprocess
import sys
import venv
from pathlib import Path

HERE = Path(__file__).resolve().parent

PINS = {
    "old": ["pynwb==2.5.0", "hdmf==3.9.0", "numpy==1.26.4", "h5py==3.9.0", "pandas==2.1.4", "ndx-events==0.2.0"],
    "zarr-old": [
        "hdmf-zarr==0.5.0",
        "pynwb==2.5.0",
        "hdmf==3.9.0",
        "zarr==2.16.1",
        "numcodecs==0.11.0",
        "numpy==1.26.4",
        "h5py==3.9.0",
        "pandas==2.1.4",
    ],
    "neuroconv": ["neuroconv==0.10.2", "pynwb==4.2.0", "hdmf==6.2.0", "h5py==3.16.0", "numpy==2.4.6"],
}

STEPS = [  # (name, environment, script)
    ("old", "old", "make_pynwb2x_files.py"),
    ("zarr-old", "zarr-old", "make_zarr_file.py"),
    ("neuroconv", "neuroconv", "make_neuroconv_file.py"),
    ("hdf5plugin", None, "make_hdf5plugin_file.py"),
    ("h5repack", None, "make_h5repack_file.py"),
]

HDF5_FILES = [
    "pynwb_2x_hdf5.nwb",
    "pynwb_2x_with_extension.nwb",
    "hdf5plugin_filters.nwb",
    "h5repack_rechunked.nwb",
    "neuroconv_written.nwb",
]
ZARR_FILES = ["hdmf_zarr_written.nwb.zarr"]


def venv_python(root: Path, name: str) -> Path:
    path = root / f"venv-{name}"
    py = path / "bin" / "python"
    if not py.exists():
        venv.create(path, with_pip=True)
        subprocess.run([str(py), "-m", "pip", "install", "-q", *PINS[name]], check=True)
    return py


def verify():
    """Open every fixture with the current pynwb / hdmf-zarr (this interpreter)."""
    import hdf5plugin  # noqa: F401  (registers the plugin filters used by hdf5plugin_filters.nwb)
    import pynwb
    from hdmf_zarr import NWBZarrIO

    for name in HDF5_FILES:
        with pynwb.NWBHDF5IO(str(HERE / name), "r") as io:
            nwbfile = io.read()
            print(f"ok  {name}: acquisition={sorted(nwbfile.acquisition)}")
    for name in ZARR_FILES:
        with NWBZarrIO(str(HERE / name), "r") as io:
            nwbfile = io.read()
            print(f"ok  {name}: acquisition={sorted(nwbfile.acquisition)}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venv-root", type=Path, default=Path("/tmp/nwbconfig-legacy-venvs"))
    parser.add_argument("--only", nargs="*", choices=[s[0] for s in STEPS])
    parser.add_argument("--verify-only", action="store_true")
    args = parser.parse_args()

    if not args.verify_only:
        args.venv_root.mkdir(parents=True, exist_ok=True)
        for name, env, script in STEPS:
            if args.only and name not in args.only:
                continue
            py = venv_python(args.venv_root, env) if env else Path(sys.executable)
            print(f"== {name}: {py} {script}")
            subprocess.run([str(py), str(HERE / script), str(HERE)], check=True, cwd=str(args.venv_root))
    verify()


if __name__ == "__main__":
    main()
