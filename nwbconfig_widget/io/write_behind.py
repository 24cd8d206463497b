"""Flushing a file (or a Zarr folder) to the disk while it is still being written.

A durable write ends with an ``fsync`` of everything it wrote (:mod:`.atomic`). Without help, the kernel keeps the
new data in memory until then, so the disk sits idle while the codecs run and the cores sit idle while the disk
writes: the two costs add up. :class:`WriteBehind` runs a thread that, every :data:`INTERVAL_SECONDS`, flushes what
changed since its last pass (``fdatasync``, which releases the GIL and waits on the disk, not on a core). The disk then
works while the codecs do, and the final ``fsync`` finds little left to write.

An error of a flush is kept and raised by :meth:`WriteBehind.stop`: Linux reports a write-back error once (errseq), so
the final ``fsync`` might not see an error that a flush here already took.

Once flushed, a file's pages are dropped from the page cache (``posix_fadvise(POSIX_FADV_DONTNEED)``, advice that
leaves pages written since the flush in place): the new file no longer pushes other files' pages out of memory, and
the kernel gives the next pages of the write the memory it has just freed. Pages it has not used for a while can cost
far more: on the development machine, a virtual machine, writing 618 MB into the page cache took 0.13 CPU s with
recently freed memory and 0.6 to 1.1 s without, and a 920 MB LZ4 write took 1.91 s instead of 2.20 s (means of five
writes each). A read of the new file just after the write comes from the disk instead of memory.

>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> with WriteBehind(folder / "new.nwb") as behind:
...     _ = (folder / "new.nwb").write_bytes(b"data")
>>> behind.error is None
True
"""

from __future__ import annotations

import contextlib
import errno
import os
import threading
from pathlib import Path

#: Seconds between two passes. A write shorter than this is never flushed early (nothing to gain); a longer one has at
#: most this much of its data left for the final fsync, at the codecs' speed.
INTERVAL_SECONDS = 0.2
#: Files of a folder smaller than this are left to the final flush, which flushes many files at once: one fsync per
#: small file here would cost a journal commit each (a Zarr folder of 3,125 files of ~40 kB: 1 to 9 s one file after
#: the other, in benchmarks/durability.py) for little data.
MIN_FOLDER_FILE_BYTES = 1 << 20
#: Errors meaning "this file system cannot fsync" (see :mod:`.atomic`): the flushes stop, the write goes on.
_UNSUPPORTED = frozenset({errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP})


class WriteBehind:
    """A thread flushing ``path`` (a file, or every file of at least 1 MB of a folder) to the disk while it is written.

    Use as a context manager around the write, or call :meth:`start` and :meth:`stop`. The path need not exist yet.
    Files that vanish meanwhile (a Zarr chunk's temporary, renamed into place) are skipped.
    """

    def __init__(self, path: str | os.PathLike, interval: float | None = None):
        self.path = Path(path)
        self.interval = INTERVAL_SECONDS if interval is None else interval
        #: The first error a flush reported (an ``OSError`` naming the file), raised by :meth:`stop`.
        self.error: OSError | None = None
        self.passes = 0  # passes that flushed at least one file
        self._flushed: dict[str, tuple[int, int]] = {}  # file -> (size, mtime_ns) when it was last flushed
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="nwbconfig-write-behind", daemon=True)

    def __enter__(self) -> WriteBehind:
        self.start()
        return self

    def __exit__(self, kind, value, traceback) -> None:
        self.stop(raise_error=kind is None)

    def start(self) -> None:
        self._thread.start()

    def stop(self, raise_error: bool = True) -> None:
        """End the thread (it finishes the flush it is in); raise the error a flush reported, if any."""
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join()
        if raise_error and self.error is not None:
            raise self.error

    def _run(self) -> None:
        while not self._stopping.wait(self.interval):
            if self._flush_changed() is False:
                return  # an error, or a file system without fsync: nothing more to do here

    def _files(self) -> list[os.DirEntry | Path]:
        if self.path.is_dir():
            found, pending = [], [self.path]
            while pending:
                try:
                    with os.scandir(pending.pop()) as entries:
                        for entry in entries:
                            if entry.is_dir(follow_symlinks=False):
                                pending.append(Path(entry.path))
                            elif entry.is_file(follow_symlinks=False):
                                found.append(entry)
                except FileNotFoundError:  # removed by a failed write: the stop comes next
                    continue
            return found
        return [self.path]

    def _flush_changed(self) -> bool | None:
        flushed_any = False
        for item in self._files():
            if self._stopping.is_set():
                return None
            name = os.fspath(item.path if isinstance(item, os.DirEntry) else item)
            try:
                status = item.stat(follow_symlinks=False) if isinstance(item, os.DirEntry) else os.stat(name)
            except FileNotFoundError:
                continue
            state = (status.st_size, status.st_mtime_ns)
            if self._flushed.get(name) == state:
                continue
            if isinstance(item, os.DirEntry) and status.st_size < MIN_FOLDER_FILE_BYTES:
                continue
            try:
                descriptor = os.open(name, os.O_RDONLY)
            except FileNotFoundError:
                continue
            try:
                os.fdatasync(descriptor)
                _drop_from_page_cache(descriptor)
            except OSError as exc:
                if exc.errno in _UNSUPPORTED:
                    return False
                self.error = OSError(exc.errno, exc.strerror, name)
                return False
            finally:
                os.close(descriptor)
            self._flushed[name] = state
            flushed_any = True
        self.passes += flushed_any
        return None


def _drop_from_page_cache(descriptor: int) -> None:
    """Advise the kernel that the file's cached pages will not be needed (it drops those already on the disk); a
    system without the call, or a file system that refuses the advice, keeps them."""
    advise = getattr(os, "posix_fadvise", None)  # not on macOS or Windows
    if advise is not None:
        with contextlib.suppress(OSError):
            advise(descriptor, 0, 0, os.POSIX_FADV_DONTNEED)
