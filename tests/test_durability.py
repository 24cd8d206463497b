"""Durable writes: every file of a write is flushed to the disk (fsync) before it is renamed onto the target, and the
folder holding the target after each rename (``io/atomic.py``).

How it is observed, on the real file system (nothing of the OS is replaced):

- the writes run in a child process under ``strace -f -y``, which logs each fsync with the path of its file
  descriptor and each rename with its paths, in the order they happened; skipped where strace is missing or cannot
  trace, unless ``NWBCONFIG_REQUIRE_STRACE=1`` (set it in CI), which makes that an error;
- the error cases wrap ``os.fsync``: the real one runs, except for the one file where the test makes it fail (EIO,
  ENOSPC) or where it plays a file system without fsync (EINVAL).

``python tests/test_durability.py CASE FOLDER`` is the child: it makes the write of CASE in FOLDER.
"""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pytest

ROWS, COLUMNS, CHUNK = 100_000, 40, (10_000, 40)  # int16, 8 MB, ten chunks: the parallel writer fills it
LOCATION = "acquisition/raw/data"
NAMES = {"hdf5": "out.nwb", "zarr": "out.nwb.zarr"}
SOURCES = {"hdf5": "source.nwb", "zarr": "source.nwb.zarr"}


def recording() -> np.ndarray:
    return np.random.default_rng(3).integers(-300, 300, size=(ROWS, COLUMNS), dtype="int16")


def make_nwbfile():
    from pynwb import NWBFile, TimeSeries

    nwbfile = NWBFile(
        identifier="durability",
        session_start_time=datetime(2024, 1, 1, tzinfo=timezone.utc),
        session_description="durable writes",
    )
    nwbfile.add_acquisition(TimeSeries(name="raw", data=recording(), unit="V", rate=1000.0))
    return nwbfile


def configured(nwbfile, backend: str):
    from nwbconfig_widget import get_default_backend_configuration

    configuration = get_default_backend_configuration(nwbfile, backend=backend)
    configuration.dataset_configurations[LOCATION].update(chunk_shape=CHUNK, buffer_shape=(20_000, COLUMNS))
    return configuration


def write(target: Path, backend: str, n_jobs: int = 2, overwrite: bool = False) -> Path:
    from nwbconfig_widget import configure_and_write_nwbfile

    nwbfile = make_nwbfile()
    configuration = configured(nwbfile, backend)
    return configure_and_write_nwbfile(
        nwbfile, target, backend_configuration=configuration, n_jobs=n_jobs, overwrite=overwrite
    )


def repack(source: Path, target: Path, backend: str, overwrite: bool = False) -> Path:
    from nwbconfig_widget import repack_nwbfile
    from nwbconfig_widget.io.repack import open_nwbfile

    with open_nwbfile(source) as io:
        configuration = configured(io.read(), backend)
    return repack_nwbfile(source, target, backend_configuration=configuration, n_jobs=2, overwrite=overwrite)


def stored_recording(path: Path) -> np.ndarray:
    from nwbconfig_widget.io.repack import open_nwbfile

    with open_nwbfile(path) as io:
        return np.asarray(io.read().acquisition["raw"].data[:])


def fingerprint(folder: Path) -> dict[str, tuple[int, str]]:
    """Every file and folder under ``folder`` (hidden ones included): relative path -> (size, sha256)."""
    prints = {}
    for path in sorted(folder.rglob("*")):
        digest = "" if path.is_dir() else hashlib.sha256(path.read_bytes()).hexdigest()
        prints[str(path.relative_to(folder))] = (0 if path.is_dir() else path.stat().st_size, digest)
    return prints


def entries(target: Path) -> list[str]:
    """The target itself ("") and every file and folder in it, as paths relative to it."""
    if not target.is_dir():
        return [""]
    return [""] + sorted(str(path.relative_to(target)) for path in target.rglob("*"))


# ------------------------------------------------------------------------------------------- the child (under strace)

#: case -> (backend of the target, what is in the folder before, how the target is made)
CASES = {
    "hdf5-write": "hdf5",
    "zarr-write": "zarr",
    "zarr-to-hdf5-repack": "hdf5",
    "hdf5-to-zarr-repack": "zarr",
    "hdf5-overwrite": "hdf5",
    "zarr-overwrite": "zarr",
}


def prepare(case: str, folder: Path) -> None:
    """What the folder holds before the traced write: a source to repack, or the target to overwrite."""
    backend = CASES[case]
    if case.endswith("repack"):
        other = "zarr" if backend == "hdf5" else "hdf5"
        write(folder / SOURCES[other], other, n_jobs=1)
    elif case.endswith("overwrite"):
        write(folder / NAMES[backend], backend, n_jobs=1)


def run_case(case: str, folder: Path) -> None:
    backend = CASES[case]
    target = folder / NAMES[backend]
    if case.endswith("repack"):
        other = "zarr" if backend == "hdf5" else "hdf5"
        repack(folder / SOURCES[other], target, backend)
    else:
        write(target, backend, overwrite=case.endswith("overwrite"))


# ------------------------------------------------------------------------------------------- reading strace's log

_LINE = re.compile(
    r"^(?P<pid>\d+)\s+(?P<call>\w+)\((?P<args>.*?)(?: <unfinished \.\.\.>|\)\s+=\s+(?P<result>-?\d+).*)$"
)
_RESUMED = re.compile(r"^(?P<pid>\d+)\s+<\.\.\. (?P<call>\w+) resumed>.*\)\s+=\s+(?P<result>-?\d+)")
_FD_PATH = re.compile(r"^-?\d+<(?P<path>.*)>$")
_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')


@dataclass
class Call:
    """One system call: its name, arguments (as strace printed them), result, and when it ended (line number)."""

    call: str
    args: str
    result: int | None = None
    ended: int | None = None

    def fd_path(self) -> str | None:
        first = self.args.split(", ")[0]
        match = _FD_PATH.match(first)
        return match["path"] if match else None

    def paths(self) -> list[str]:
        return _QUOTED.findall(self.args)


def parse_strace(log: str) -> list[Call]:
    """The calls of a ``strace -f -y`` log in the order they ended (a call split over two lines by another thread's
    call ends on its ``resumed`` line)."""
    calls: list[Call] = []
    pending: dict[tuple[str, str], Call] = {}
    for number, line in enumerate(log.splitlines()):
        resumed = _RESUMED.match(line)
        if resumed:
            call = pending.pop((resumed["pid"], resumed["call"]))
            call.result, call.ended = int(resumed["result"]), number
            calls.append(call)
            continue
        match = _LINE.match(line)
        if match is None:
            continue
        call = Call(match["call"], match["args"])
        if match["result"] is None:
            pending[(match["pid"], match["call"])] = call
        else:
            call.result, call.ended = int(match["result"]), number
            calls.append(call)
    assert not pending, f"calls that never ended in the log: {list(pending.values())}"
    return sorted(calls, key=lambda call: call.ended)


def _strace_problem() -> str | None:
    """Why strace cannot be used here, or None."""
    if shutil.which("strace") is None:
        return "strace is not installed (apt-get install strace)"
    probe = subprocess.run(["strace", "-f", "-qq", "-e", "trace=fsync", "true"], capture_output=True, text=True)
    if probe.returncode != 0:
        return f"strace cannot trace here: {probe.stderr.strip()[:200]}"
    return None


@pytest.fixture(scope="module")
def strace() -> str:
    problem = _strace_problem()
    if problem is not None:
        if os.environ.get("NWBCONFIG_REQUIRE_STRACE") == "1":
            pytest.fail(f"NWBCONFIG_REQUIRE_STRACE=1 but {problem}")
        pytest.skip(problem)
    return "strace"


def traced(case: str, folder: Path) -> list[Call]:
    """Run the case's write in a child process under strace; its fsync, rename, open, close and unlink calls."""
    log = folder.parent / f"{case}.strace"
    calls = "fsync,fdatasync,rename,renameat,renameat2,openat,close,unlink,unlinkat,rmdir"
    command = ["strace", "-f", "-y", "-qq", "-o", str(log), "-e", f"trace={calls}"]
    finished = subprocess.run(
        [*command, sys.executable, __file__, case, str(folder)], capture_output=True, text=True, timeout=600
    )
    assert finished.returncode == 0, finished.stderr[-3000:]
    return parse_strace(log.read_text())


def _renames_onto(calls: list[Call], target: Path) -> list[int]:
    """Positions of the renames whose destination is ``target`` (the temporary moved into place)."""
    return [
        index
        for index, call in enumerate(calls)
        if call.call.startswith("rename") and call.result == 0 and call.paths()[-1:] == [str(target)]
    ]


def _fsynced(calls: list[Call], upto: int | None = None, after: int = -1) -> dict[str, int]:
    """Path -> position of its last successful fsync between ``after`` and ``upto``."""
    return {
        call.fd_path(): index
        for index, call in enumerate(calls[:upto])
        if index > after and call.call in ("fsync", "fdatasync") and call.result == 0
    }


@pytest.mark.parametrize("case", list(CASES))
def test_every_file_is_flushed_before_the_rename_and_the_folder_after(tmp_path, strace, case):
    folder = (tmp_path / "work").resolve()
    folder.mkdir()
    prepare(case, folder)
    before = fingerprint(folder)
    calls = traced(case, folder)
    target = folder / NAMES[CASES[case]]
    np.testing.assert_array_equal(stored_recording(target), recording())

    renames = _renames_onto(calls, target)
    assert len(renames) == 1, [calls[index] for index in renames]
    rename = calls[renames[0]]
    temporary = Path(rename.paths()[0])
    assert temporary.parent == folder and temporary.name.startswith(".partial-"), rename
    if case == "zarr-overwrite":  # the old folder is swapped out in one step, where the file system can
        assert rename.call == "renameat2" and "RENAME_EXCHANGE" in rename.args, rename

    flushed = _fsynced(calls, upto=renames[0])
    expected = [str(temporary / name) if name else str(temporary) for name in entries(target)]
    missing = [path for path in expected if path not in flushed]
    assert not missing, f"{len(missing)} of {len(expected)} not flushed before the rename, e.g. {missing[:5]}"

    after = _fsynced(calls, after=renames[0])
    assert str(folder) in after, "the folder holding the target was not flushed after the rename"
    if case == "zarr-overwrite":  # ... and before the old folder (now at the temporary's name) is removed
        removals = [
            index
            for index, call in enumerate(calls)
            if call.call in ("unlinkat", "unlink", "rmdir") and str(temporary) in call.args and index > renames[0]
        ]
        assert removals and after[str(folder)] < min(removals)

    if CASES[case] == "hdf5":  # the HDF5 file was closed (every descriptor HDF5 opened for writing) before its fsync
        opened, writes = {}, 0
        for index, call in enumerate(calls[: flushed[str(temporary)]]):
            opens_for_writing = call.call == "openat" and "O_RDONLY" not in call.args and call.result >= 0
            if opens_for_writing and call.paths()[:1] == [str(temporary)]:
                opened[call.result], writes = index, writes + 1
            elif call.call == "close" and call.fd_path() == str(temporary):
                opened.pop(int(call.args.split("<")[0]), None)
        assert writes and opened == {}, f"HDF5 still had {temporary.name} open for writing when it was flushed"

    assert sorted(os.listdir(folder)) == sorted({name for name in before if os.sep not in name} | {target.name})


# --------------------------------------------------------------------------------------------- errors from fsync


class FsyncFaults:
    """Wraps ``os.fsync``: records the path of every call and runs the real fsync, except for the paths chosen to
    fail (with ``errno``), or every path (``everywhere``)."""

    def __init__(self, monkeypatch, fail: str | None = None, code: int = errno.EIO, everywhere: bool = False):
        self.real = os.fsync
        self.fail, self.code, self.everywhere = fail, code, everywhere
        self.paths: list[str] = []
        self.failed: list[str] = []
        monkeypatch.setattr(os, "fsync", self)

    def __call__(self, descriptor: int) -> None:
        path = os.readlink(f"/proc/self/fd/{descriptor}")
        self.paths.append(path)
        if self.everywhere or (self.fail is not None and path.endswith(self.fail)):
            self.failed.append(path)
            raise OSError(self.code, os.strerror(self.code))
        self.real(descriptor)


needs_proc = pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc/self/fd (Linux)")


@pytest.fixture
def folder(tmp_path) -> Path:
    """The test's folder, as the kernel names it (the paths of file descriptors are resolved)."""
    return tmp_path.resolve()


@needs_proc
@pytest.mark.parametrize(("backend", "fails"), [("hdf5", ".nwb"), ("zarr", "/acquisition/raw/data/3.0")])
def test_an_io_error_from_fsync_fails_the_write_and_leaves_nothing(folder, monkeypatch, backend, fails):
    faults = FsyncFaults(monkeypatch, fail=fails)
    target = folder / NAMES[backend]
    with pytest.raises(OSError) as raised:
        write(target, backend)
    assert raised.value.errno == errno.EIO and len(faults.failed) == 1
    message = str(raised.value)
    assert f"writing {target} failed" in message and "nothing was moved to the target" in message
    assert "fsync: Input/output error" in message and "Check the disk" in message
    if backend == "zarr":
        assert "acquisition/raw/data/3.0 of the new file" in message
    assert os.listdir(folder) == []


@needs_proc
@pytest.mark.parametrize("backend", ["hdf5", "zarr"])
def test_an_io_error_from_fsync_during_an_overwrite_keeps_the_old_file(folder, monkeypatch, backend):
    target = folder / NAMES[backend]
    write(target, backend, n_jobs=1)
    before = fingerprint(folder)
    FsyncFaults(monkeypatch, fail=".zattrs" if backend == "zarr" else ".nwb")
    with pytest.raises(OSError, match="nothing was moved to the target"):
        repack(target, folder / f"copy-{target.name}", backend)  # the same error for a repack
    assert fingerprint(folder) == before
    with pytest.raises(OSError, match="nothing was moved to the target"):
        write(target, backend, overwrite=True)
    assert fingerprint(folder) == before


@needs_proc
def test_an_io_error_after_the_old_zarr_folder_was_moved_aside_puts_it_back(folder, monkeypatch):
    """Where two folders cannot be swapped in one step, the old one is moved aside first; if the folder cannot be
    flushed then, the old one goes back and the write fails."""
    from nwbconfig_widget.io import atomic

    target = folder / NAMES["zarr"]
    write(target, "zarr", n_jobs=1)
    before = fingerprint(folder)
    monkeypatch.setattr(atomic, "_exchange", lambda first, second: False)  # a file system without RENAME_EXCHANGE
    faults = FsyncFaults(monkeypatch, fail=str(folder))  # the folder holding the target
    with pytest.raises(OSError) as raised:
        write(target, "zarr", overwrite=True)
    assert raised.value.errno == errno.EIO
    assert f"while the folder {folder} was saved" in str(raised.value)
    assert "nothing was moved to the target" in str(raised.value)
    assert faults.failed == [str(folder)]
    assert fingerprint(folder) == before


@needs_proc
def test_without_a_one_step_swap_the_folder_is_flushed_after_each_rename(folder, monkeypatch):
    from nwbconfig_widget.io import atomic

    target = folder / NAMES["zarr"]
    write(target, "zarr", n_jobs=1)
    monkeypatch.setattr(atomic, "_exchange", lambda first, second: False)
    events: list[tuple[str, ...]] = []
    real_replace = os.replace

    def recorded_replace(source, destination):
        if Path(source).parent == folder:  # the renames in the folder (not zarr's own, inside the new folder)
            events.append(("rename", Path(source).name, Path(destination).name))
        return real_replace(source, destination)

    monkeypatch.setattr(os, "replace", recorded_replace)
    faults = FsyncFaults(monkeypatch)
    real_fsync = faults.real

    def fsync(descriptor: int) -> None:
        if os.readlink(f"/proc/self/fd/{descriptor}") == str(folder):
            events.append(("fsync folder",))
        real_fsync(descriptor)

    faults.real = fsync
    write(target, "zarr", overwrite=True)
    kinds = [event[0] for event in events]
    assert kinds == ["rename", "fsync folder", "rename", "fsync folder"]
    assert events[0][1] == target.name and events[0][2].startswith(".replaced-")  # the old folder aside
    assert events[2][1].startswith(".partial-") and events[2][2] == target.name  # the new one in
    assert os.listdir(folder) == [target.name]
    np.testing.assert_array_equal(stored_recording(target), recording())


@needs_proc
def test_an_io_error_flushing_the_folder_after_the_rename_says_the_file_may_not_last(folder, monkeypatch):
    target = folder / NAMES["hdf5"]
    FsyncFaults(monkeypatch, fail=str(folder))
    with pytest.raises(OSError) as raised:
        write(target, "hdf5")
    assert raised.value.errno == errno.EIO
    assert f"{target} was written and moved into place" in str(raised.value)
    assert "after a power loss the new file may be missing" in str(raised.value)
    assert os.listdir(folder) == [target.name]


@needs_proc
@pytest.mark.parametrize("backend", ["hdf5", "zarr"])
def test_a_full_disk_reported_by_fsync_is_a_disk_full_error(folder, monkeypatch, backend):
    from nwbconfig_widget.io.atomic import DiskFullError

    FsyncFaults(monkeypatch, fail=".nwb" if backend == "hdf5" else "/acquisition/raw/data/0.0", code=errno.ENOSPC)
    with pytest.raises(DiskFullError, match="the disk is full .*nothing was left at the target"):
        write(folder / NAMES[backend], backend)
    assert os.listdir(folder) == []


@needs_proc
@pytest.mark.parametrize("backend", ["hdf5", "zarr"])
def test_a_file_system_without_fsync_is_written_without_it(folder, monkeypatch, caplog, backend):
    """EINVAL from every fsync (as on some network file systems): the write goes on, as SQLite does, with a note."""
    from nwbconfig_widget.io import atomic

    monkeypatch.setattr(atomic, "_unsupported_noted", set())
    faults = FsyncFaults(monkeypatch, code=errno.EINVAL, everywhere=True)
    target = folder / NAMES[backend]
    with caplog.at_level(logging.INFO, logger=atomic.__name__):
        write(target, backend)
    np.testing.assert_array_equal(stored_recording(target), recording())
    assert len(faults.failed) == len(entries(target)) + 1  # every file and folder, and the folder holding it
    notes = [record.getMessage() for record in caplog.records if "does not support fsync" in record.getMessage()]
    assert len(notes) == 1 and "writing there without it" in notes[0]


if __name__ == "__main__":
    run_case(sys.argv[1], Path(sys.argv[2]))
