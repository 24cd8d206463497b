"""A garbage collection during a remote HDF5 read must not deadlock (h5py/h5py#2019).

h5py holds its global lock while it calls the file object's reads, and fsspec's reads wait for its IO thread; a
collection freeing an h5py object on another thread then waits for that lock for ever. The script
``gc_during_read.py`` forces that situation (cycles holding h5py objects become garbage at every request, and the
collector runs at every allocation); it runs in its own process, so that a deadlock fails the test instead of
hanging the suite. Given fsspec's file itself, the script hangs (checked by hand: killed by ``timeout`` after 60 s).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).with_name("gc_during_read.py")


def test_a_collection_during_a_remote_read_does_not_deadlock(tmp_path):
    try:
        done = subprocess.run([sys.executable, str(SCRIPT)], cwd=tmp_path, capture_output=True, text=True, timeout=180)
    except subprocess.TimeoutExpired as exc:
        raise AssertionError("the remote read deadlocked (no answer in 180 s)") from exc
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == "read 400000 values"
