"""A process that hits a full disk in one HDF5 repack and goes on (run as a script by test_faults.py).

``python exit_child.py FOLDER``: registers an exit handler that writes ``FOLDER/exit-handler-ran`` (before anything
fails); repacks ``FOLDER/raw`` (``big.nwb``, larger than the file-size limit, and ``small.nwb``, within it) into
``FOLDER/repacked`` with ``repack_folder`` under a 500 kB file-size limit; opens another HDF5 file while an HDF5
and then a Zarr write fail (as another thread might), which must stay intact and writable; lifts the limit; then
writes and repacks HDF5 files again in the same process. Prints one JSON line per step and ends normally: its exit
code and exit must be those of any Python process.
"""

from __future__ import annotations

import atexit
import json
import resource
import signal
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

LIMIT = 500_000


def _mark(folder: Path) -> None:
    (folder / "exit-handler-ran").write_text("yes")


def _another_file_opened_during_a_failed_write(folder: Path, backend: str) -> bool:
    """An HDF5 file opened (and written) while a write fails on a full disk is left alone: still open, writable, and
    complete once closed."""
    import h5py
    import numpy as np
    from faults_support import Scenario, run_scenario

    from nwbconfig_widget.io.atomic import DiskFullError

    opened = []

    def open_another(location: str, nbytes: int) -> None:
        if not opened:
            other = h5py.File(folder / f"other-{backend}.h5", "w")
            other.create_dataset("kept", data=np.arange(1_000))
            opened.append(other)

    try:
        run_scenario(Scenario(backend, "write", 1), folder, method=None, progress=open_another)
    except DiskFullError:
        other = opened[0]
    else:
        raise AssertionError("the write should have hit the file-size limit")
    other["kept"][:10] = -1
    other.create_dataset("added", data=np.ones(10))
    other.close()
    with h5py.File(folder / f"other-{backend}.h5", "r") as reopened:
        expected = np.arange(1_000)
        expected[:10] = -1
        return bool(np.array_equal(reopened["kept"][()], expected) and reopened["added"][()].sum() == 10)


def main(folder: Path) -> None:
    atexit.register(_mark, folder)  # registered before the failure: it must still run at exit
    import numpy as np
    from faults_support import Scenario, raw_data, run_scenario
    from nwbfiles import read_nwbfile

    from nwbconfig_widget import repack_folder

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # the write then fails with EFBIG instead of a killed process
    resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT, resource.RLIM_INFINITY))  # the soft limit can be lifted
    summary = repack_folder(folder / "raw", folder / "repacked", n_jobs=1)
    results = {Path(result.source).name: result.error for result in summary.results}
    print(json.dumps({"step": "repack_folder", "results": results}), flush=True)

    for backend in ("hdf5", "zarr"):  # the failed write's file is released, the other file not; nothing is released
        equal = _another_file_opened_during_a_failed_write(folder, backend)
        print(json.dumps({"step": f"other-file-{backend}", "equal": equal}), flush=True)

    resource.setrlimit(resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    for scenario in (Scenario("hdf5", "write", 1), Scenario("hdf5", "repack", 2)):
        target = folder / f"after-{scenario.id}.nwb"
        run_scenario(scenario, folder, target=target, method=None, source=folder / "raw" / "big.nwb")
        with read_nwbfile(target) as io:
            equal = bool(np.array_equal(io.read().acquisition["raw"].data[:], raw_data()))
        print(json.dumps({"step": scenario.id, "equal": equal}), flush=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
