"""The write-behind flushes: a file (or Zarr folder) is flushed to the disk while it is written, and an error of such a
flush fails the write like an error of the final fsync."""

from __future__ import annotations

import ctypes
import errno
import mmap
import os
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from test_durability import NAMES, recording, stored_recording, write

from nwbconfig_widget.io import write_behind
from nwbconfig_widget.io.write_behind import WriteBehind


class Fdatasyncs:
    """Records the path of every ``os.fdatasync`` (then does it for real), and fails those whose path ends with
    ``fail`` with ``code``."""

    def __init__(self, monkeypatch, fail: str | None = None, code: int = errno.EIO):
        self.real = os.fdatasync
        self.fail, self.code = fail, code
        self.paths: list[str] = []
        self.lock = threading.Lock()
        monkeypatch.setattr(os, "fdatasync", self)

    def __call__(self, descriptor: int) -> None:
        path = os.readlink(f"/proc/self/fd/{descriptor}")
        with self.lock:
            self.paths.append(path)
        if self.fail is not None and path.endswith(self.fail):
            raise OSError(self.code, os.strerror(self.code))
        self.real(descriptor)


needs_proc = pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc/self/fd (Linux)")


def append_for(path: Path, seconds: float) -> int:
    """Append 1 MB blocks to ``path`` for ``seconds``; the number of blocks."""
    blocks, block = 0, os.urandom(1 << 20)
    end = time.monotonic() + seconds
    with open(path, "ab") as file:
        while time.monotonic() < end:
            file.write(block)
            file.flush()
            blocks += 1
            time.sleep(0.005)
    return blocks


@needs_proc
def test_a_file_being_written_is_flushed_while_it_grows(tmp_path, monkeypatch):
    calls = Fdatasyncs(monkeypatch)
    path = (tmp_path / "growing.bin").resolve()
    with WriteBehind(path, interval=0.05) as behind:
        blocks = append_for(path, 0.6)
    assert blocks > 10
    assert behind.passes >= 3 and behind.error is None
    assert set(calls.paths) == {str(path)} and len(calls.paths) == behind.passes


def resident_bytes(path: Path) -> int:
    """Bytes of ``path`` in the page cache (Linux ``mincore`` on a private mapping of the file)."""
    libc = ctypes.CDLL(None, use_errno=True)
    size = path.stat().st_size
    pages = -(-size // mmap.PAGESIZE)
    residency = (ctypes.c_ubyte * pages)()
    with open(path, "rb") as file, mmap.mmap(file.fileno(), size, access=mmap.ACCESS_COPY) as mapping:
        start = ctypes.c_char.from_buffer(mapping)
        try:
            if libc.mincore(ctypes.c_void_p(ctypes.addressof(start)), ctypes.c_size_t(size), residency) != 0:
                raise OSError(ctypes.get_errno(), "mincore failed")
        finally:
            del start  # the mapping cannot be closed while a ctypes object points into it
    return sum(flag & 1 for flag in residency) * mmap.PAGESIZE


def file_system_type(path: Path) -> str:
    """The type of the file system holding ``path``, from /proc/mounts (the longest mount point above it)."""
    best, kind = "", ""
    with open("/proc/mounts") as mounts:
        for line in mounts:
            _device, point, fs_type = line.split()[:3]
            point = point.replace("\\040", " ")
            if (str(path) + "/").startswith(point.rstrip("/") + "/") and len(point) > len(best):
                best, kind = point, fs_type
    return kind


@needs_proc
def test_what_a_pass_flushed_is_dropped_from_the_page_cache(tmp_path):
    """A file written for 0.6 s with passes every 0.05 s: the pages each pass flushed leave the page cache, so at most
    what was written since the last pass stays there; the file still holds every byte written."""
    path = tmp_path.resolve() / "dropped.bin"
    if file_system_type(path.parent) in {"tmpfs", "ramfs"}:
        pytest.skip("a file in memory has no page cache to leave")
    with WriteBehind(path, interval=0.05) as behind:
        blocks = append_for(path, 0.6)
    assert behind.passes >= 3
    size = path.stat().st_size
    assert size == blocks << 20
    assert resident_bytes(path) < size // 2  # everything but the last pass's share was dropped
    with open(path, "rb") as file:  # read back from the disk: each block as written
        first = file.read(1 << 20)
        assert all(file.read(1 << 20) == first for _ in range(blocks - 1))


@needs_proc
def test_an_unchanged_file_is_not_flushed_again(tmp_path, monkeypatch):
    path = (tmp_path / "still.bin").resolve()
    path.write_bytes(b"x" * 1000)
    calls = Fdatasyncs(monkeypatch)
    with WriteBehind(path, interval=0.02):
        time.sleep(0.3)
    assert calls.paths == [str(path)]


@needs_proc
def test_every_new_large_file_of_a_folder_is_flushed_once_and_small_ones_are_left_to_the_end(tmp_path, monkeypatch):
    folder = (tmp_path / "store").resolve()
    calls = Fdatasyncs(monkeypatch)
    large = b"x" * write_behind.MIN_FOLDER_FILE_BYTES
    with WriteBehind(folder, interval=0.02):
        time.sleep(0.1)  # the folder does not exist yet: nothing to do
        (folder / "a" / "b").mkdir(parents=True)
        for name in ("0.0", "a/0.1", "a/b/1.1"):
            (folder / name).write_bytes(large)
        (folder / ".zattrs").write_bytes(b"{}")
        time.sleep(0.3)
    assert sorted(calls.paths) == sorted(str(folder / name) for name in ("0.0", "a/0.1", "a/b/1.1"))


@needs_proc
def test_a_flush_error_is_kept_and_raised_at_the_stop(tmp_path, monkeypatch):
    path = (tmp_path / "failing.bin").resolve()
    Fdatasyncs(monkeypatch, fail="failing.bin")
    behind = WriteBehind(path, interval=0.02)
    behind.start()
    append_for(path, 0.2)
    with pytest.raises(OSError) as raised:
        behind.stop()
    assert raised.value.errno == errno.EIO and raised.value.filename == str(path)


@needs_proc
@pytest.mark.parametrize("backend", ["hdf5", "zarr"])
def test_a_write_is_flushed_while_it_runs_and_read_back_whole(tmp_path, monkeypatch, backend):
    """With a short interval, the temporary is flushed during the write (not only by the final fsync); the Zarr chunks
    here are smaller than the 1 MB a folder's file needs, so that limit is lowered."""
    monkeypatch.setattr(write_behind, "INTERVAL_SECONDS", 0.001)
    monkeypatch.setattr(write_behind, "MIN_FOLDER_FILE_BYTES", 0)
    calls = Fdatasyncs(monkeypatch)
    folder = tmp_path.resolve()
    target = folder / NAMES[backend]
    write(target, backend)
    assert any(".partial-" in path for path in calls.paths)
    np.testing.assert_array_equal(stored_recording(target), recording())


@needs_proc
@pytest.mark.parametrize("backend", ["hdf5", "zarr"])
def test_an_io_error_of_a_flush_during_the_write_fails_it_and_leaves_nothing(tmp_path, monkeypatch, backend):
    monkeypatch.setattr(write_behind, "INTERVAL_SECONDS", 0.001)
    monkeypatch.setattr(write_behind, "MIN_FOLDER_FILE_BYTES", 0)
    failing = ".nwb" if backend == "hdf5" else "/acquisition/raw/data/0.0"
    calls = Fdatasyncs(monkeypatch, fail=failing)
    folder = tmp_path.resolve()
    target = folder / NAMES[backend]
    with pytest.raises(OSError) as raised:
        write(target, backend)
    assert any(path.endswith(failing) for path in calls.paths), "the flush never reached the failing file"
    assert raised.value.errno == errno.EIO
    message = str(raised.value)
    assert f"writing {target} failed" in message and "nothing was moved to the target" in message
    assert os.listdir(folder) == []
