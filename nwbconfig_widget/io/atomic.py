"""Writing beside the target and renaming into place, so a failed write never leaves a partial file at the target.

A write goes to ``.partial-<owner>-<random>-<name>`` in the target's folder, where ``<owner>`` is
``<host hash>-<pid>-<process start time>`` of the writing process. A process killed mid-write (SIGKILL, a lost Dask
worker, a power cut) cannot delete its temporary; the next write to the same target recognises it by its name and
removes it once its owner is gone. A temporary of a live writer (another process writing the same target now) is
never touched, nor one written from another machine (its owner cannot be checked from here).

Durability: before the temporary is renamed onto the target, every file of it (the HDF5 file, closed by then; every
chunk and metadata file of a Zarr folder) and every folder in it is flushed to the disk (``fsync``; most of the data was
flushed while it was written, by :mod:`.write_behind`, so that the disk works while the codecs do); after each rename
the folder holding the target is flushed too, so the new name survives a power loss or a kernel crash (as SQLite and git
do). A file system that does not support fsync (``EINVAL``, e.g. some network file systems) is written without it; any
other fsync error (``EIO``: the data may not be on the disk) fails the write and nothing is moved to the target.

>>> owner = owner_of(Path(temporary_name(Path("x/out.nwb"))))
>>> owner.pid == os.getpid() and owner.alive()
True
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import hashlib
import logging
import os
import re
import shutil
import socket
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .hdf5_orphans import open_objects, release_orphans
from .interrupts import Interrupts
from .write_behind import WriteBehind

logger = logging.getLogger(__name__)

PARTIAL_PREFIX = ".partial-"
REPLACED_PREFIX = ".replaced-"
_NAME = re.compile(
    r"^\.(?P<kind>partial|replaced)-(?P<host>[0-9a-f]{8})-(?P<pid>\d+)-(?P<start>\d+)-[0-9a-f]{8}-(?P<name>.+)$"
)
_DISK_FULL_ERRNOS = {errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC)}
# h5py reports a failed write of HDF5's C library as text ("... errno = 28, error message = 'No space left ...'").
_DISK_FULL_TEXT = re.compile(r"errno = (28|27|122)\b|No space left on device|File too large|Disk quota exceeded", re.I)


class DiskFullError(OSError):
    """The disk (or a quota, or a file-size limit) was full during a write; nothing was left at the target."""


def _host_hash() -> str:
    return hashlib.sha256(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:8]


def _process_start(pid: int) -> str | None:
    """The start time of process ``pid`` (clock ticks since boot, from /proc), "0" where /proc is missing, or None if
    the process is gone or a zombie (dead, not yet reaped)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        if Path("/proc/self/stat").exists():
            return None  # /proc works here: no entry means no process
        return "0" if _pid_exists(pid) else None
    except OSError:
        return "0" if _pid_exists(pid) else None
    fields = text[text.rindex(")") + 2 :].split()  # after "pid (command) "; the command may hold spaces
    if fields[0] in ("Z", "X"):
        return None
    return fields[19]


def _pid_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


@dataclass(frozen=True)
class Owner:
    """The process that writes a temporary: host (hashed name), pid and start time (tells a reused pid apart)."""

    host: str
    pid: int
    start: str

    @classmethod
    def current(cls) -> Owner:
        return cls(_host_hash(), os.getpid(), _process_start(os.getpid()) or "0")

    def tag(self) -> str:
        return f"{self.host}-{self.pid}-{self.start}"

    def alive(self) -> bool:
        """False only when the owner is known to be gone: same host, and no process with that pid and start time."""
        if self.host != _host_hash():
            return True  # another machine's writer (a shared folder): cannot be checked from here
        start = _process_start(self.pid)
        if start is None:
            return False
        return self.start == "0" or start == "0" or start == self.start


def temporary_name(target: Path, prefix: str = PARTIAL_PREFIX) -> str:
    """The name of a new temporary for ``target`` owned by this process."""
    return f"{prefix}{Owner.current().tag()}-{uuid.uuid4().hex[:8]}-{target.name}"


def owner_of(path: Path) -> Owner | None:
    """The owner encoded in a temporary's name, or None for any other name."""
    match = _NAME.match(path.name)
    if match is None:
        return None
    return Owner(match["host"], int(match["pid"]), match["start"])


def stale_temporaries(target: str | os.PathLike) -> list[Path]:
    """Temporaries of ``target`` (``.partial-`` and ``.replaced-``) whose writing process is gone."""
    target = Path(target)
    try:
        entries = list(target.parent.iterdir())
    except OSError:
        return []
    stale = []
    for entry in entries:
        match = _NAME.match(entry.name)
        if match is None or match["name"] != target.name:
            continue
        owner = owner_of(entry)
        if owner is not None and not owner.alive():
            stale.append(entry)
    return sorted(stale)


def remove_stale_temporaries(target: str | os.PathLike) -> list[Path]:
    """Remove what killed writers left beside ``target``; return the paths removed (or moved back).

    A ``.replaced-`` folder is the old target that a killed overwrite had moved aside: when the target is missing it
    is moved back (nothing is lost), otherwise it is removed (the overwrite had finished).
    """
    target = Path(target)
    handled = []
    for path in stale_temporaries(target):
        if path.name.startswith(REPLACED_PREFIX) and not (target.exists() or target.is_symlink()):
            os.replace(path, target)
            logger.warning("moved %s back to %s: the write that replaced it was killed", path.name, target)
        else:
            _remove(path)
            logger.warning("removed %s, left by a write to %s that was killed", path.name, target)
        handled.append(path)
    return handled


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    elif path.exists() or path.is_symlink():
        path.unlink(missing_ok=True)


def check_target(target: Path, overwrite: bool) -> None:
    """Refuse an existing target unless ``overwrite`` is set, and a folder that is not a Zarr NWB file always."""
    if target.is_dir() and not target.is_symlink() and not (target / ".zgroup").is_file():
        raise FileExistsError(
            f"{target} is a folder that is not a Zarr NWB file; nothing replaces it, not even overwrite=True: "
            "remove it yourself or choose another path"
        )
    if (target.exists() or target.is_symlink()) and not overwrite:
        raise FileExistsError(
            f"{target} exists; pass overwrite=True to replace it (it is replaced only once the new file is complete)"
        )
    if not target.parent.is_dir():
        raise FileNotFoundError(f"the folder {target.parent} does not exist; create it first")


def check_not_source(source: str | os.PathLike, target: str | os.PathLike) -> None:
    """Refuse a ``target`` that is the ``source`` file or folder under another name (relative path, symbolic link,
    hard link), lies inside the source folder, or is a folder holding the source (an overwrite would delete it)."""
    source, target = Path(source), Path(target)
    source_real, target_real = source.resolve(), target.resolve()
    same = source_real == target_real
    if not same and source.exists() and target.exists():
        with contextlib.suppress(OSError):
            same = os.path.samefile(source, target)  # hard links: one file, two names
    if same:
        raise ValueError(f"{target} is the source file {source}; write to another path (the source is never modified)")
    if source_real in target_real.parents:
        raise ValueError(f"{target} lies inside the source folder {source}; write to a path outside it")
    if target_real in source_real.parents:
        raise ValueError(f"{target} holds the source {source}; write to a path that does not contain the source")


def _is_disk_full(error: BaseException) -> bool:
    """Whether ``error`` (or an error it came from) says the disk or a size limit was full."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) and current.errno in _DISK_FULL_ERRNOS:
            return True
        if _DISK_FULL_TEXT.search(str(current)):
            return True
        current = current.__cause__ or current.__context__
    return False


def _disk_full_error(target: Path, error: BaseException) -> DiskFullError:
    text = str(error)
    limit = "File too large" in text or "errno = 27" in text or getattr(error, "errno", None) == errno.EFBIG
    what = "a file-size limit was reached (File too large)" if limit else "the disk is full (No space left on device)"
    return DiskFullError(
        errno.EFBIG if limit else errno.ENOSPC,
        f"writing {target} failed: {what}; nothing was left at the target. Free space on the disk of "
        f"{target.parent} (or raise the limit: ulimit -f), or write to a folder on another disk.",
    )


#: fsync errors meaning "not supported by this file system" (some network file systems): the write goes on
#: without it, as SQLite does; every other error fails the write.
_FSYNC_UNSUPPORTED = frozenset({errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP})
#: Files of a Zarr folder flushed at once: fsync releases the GIL, and the file system then commits many files'
#: metadata in one journal transaction (ext4, a Zarr folder of 3,125 files: 0.3-0.5 s in 16 threads, 4-9 s one file
#: after the other, in two runs of benchmarks/durability.py).
SYNC_THREADS = 16
#: Private switch for ``benchmarks/durability.py`` only, which measures what the fsyncs cost: False skips them.
#: Nothing else sets it; a write with it off is not durable.
_durable = True
_unsupported_noted: set[int] = set()


def _fsync(path: Path, directory: bool = False) -> None:
    """Flush ``path`` (a file, or with ``directory`` a folder's entries) to the disk.

    The file is opened read-only: on Linux fsync flushes the file's data whichever descriptor asks, and reports a
    write-back error that no one has seen yet even to a descriptor opened after it (Linux 4.13+, errseq).
    """
    if directory and os.name == "nt":
        return  # Windows cannot open a folder, and its rename is written through
    flags = (os.O_RDWR | getattr(os, "O_BINARY", 0)) if os.name == "nt" else os.O_RDONLY
    descriptor = os.open(path, flags | (getattr(os, "O_DIRECTORY", 0) if directory else 0))
    try:
        os.fsync(descriptor)
    except OSError as exc:
        if exc.errno not in _FSYNC_UNSUPPORTED:
            raise OSError(exc.errno, exc.strerror, str(path)) from exc
        device = os.fstat(descriptor).st_dev
        if device not in _unsupported_noted:
            _unsupported_noted.add(device)
            logger.info("the file system of %s does not support fsync (%s); writing there without it", path, exc)
    finally:
        os.close(descriptor)


def _contents(folder: Path) -> tuple[list[Path], list[Path]]:
    """The files and the folders (``folder`` included) under ``folder``; symbolic links are left out."""
    files, folders, pending = [], [folder], [folder]
    while pending:
        with os.scandir(pending.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    folders.append(Path(entry.path))
                    pending.append(Path(entry.path))
                elif entry.is_file(follow_symlinks=False):
                    files.append(Path(entry.path))
    return files, folders


def sync_tree(path: Path) -> None:
    """Flush the file ``path``, or every file and folder of the folder ``path``, to the disk (many at once)."""
    if not _durable:
        return
    if not path.is_dir():
        _fsync(path)
        return
    files, folders = _contents(path)
    work = [(file, False) for file in files] + [(folder, True) for folder in folders]
    if len(work) == 1:
        _fsync(*work[0])
        return
    pool = ThreadPoolExecutor(max_workers=min(SYNC_THREADS, len(work)), thread_name_prefix="nwbconfig-fsync")
    try:
        futures = [pool.submit(_fsync, item, directory) for item, directory in work]
        errors = [future.exception() for future in futures]
    finally:  # on Ctrl-C the files not yet flushed are skipped: the temporary is removed next
        pool.shutdown(wait=True, cancel_futures=True)
    for error in errors:
        if error is not None:
            raise error


def sync_folder_of(path: Path) -> None:
    """Flush the folder holding ``path`` (its entry for ``path``: a rename into it) to the disk."""
    if _durable:
        _fsync(path.parent, directory=True)


def _not_durable_error(target: Path, temporary: Path, error: OSError) -> OSError:
    """The error of a write whose data (or folder entry) could not be flushed to the disk."""
    where = Path(error.filename) if error.filename else temporary
    if where == temporary:
        what = "the new file"
    elif temporary in where.parents:
        what = f"{where.relative_to(temporary)} of the new file"
    else:
        what = f"the folder {where}"
    return OSError(
        error.errno,
        f"writing {target} failed: the disk reported an error while {what} was saved to it (fsync: "
        f"{error.strerror}), so the data may not be on the disk; nothing was moved to the target. Check the disk "
        "(its free space, the system log, the network share) and write again.",
        str(target),
    )


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one step (Linux ``renameat2(RENAME_EXCHANGE)``); False where that is not supported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(first), at_fdcwd, os.fsencode(second), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.EPERM):
        return False  # this file system (or kernel) cannot swap
    raise OSError(code, os.strerror(code), str(second))


@contextlib.contextmanager
def atomic_target(
    target: str | os.PathLike, overwrite: bool = False, interrupts: Interrupts | None = None
) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success move it onto ``target``, on failure delete it.

    Works for single files (HDF5) and folders (Zarr). An existing target is only removed after the new one is
    complete, and only when ``overwrite`` is set. Temporaries that killed writers left for this target are removed
    first. A full disk is reported as :class:`DiskFullError`. The new file is flushed to the disk before the rename,
    its folder after it (see the module's docstring); the block must close every file it writes before it ends.
    With ``interrupts``, a Ctrl-C that came before the rename fails the write (nothing at the target), one that comes
    during the rename is held until the caller's block ends (:mod:`.interrupts`).
    """
    target = Path(target)
    remove_stale_temporaries(target)  # first: a killed overwrite's old folder may be moved back to the target
    check_target(target, overwrite)
    temporary = target.with_name(temporary_name(target))
    hdf5_open_before = open_objects()
    behind = WriteBehind(temporary) if _durable else None  # the disk writes while the codecs run
    if behind is not None:
        behind.start()
    try:
        yield temporary
    except BaseException as exc:
        if behind is not None:
            behind.stop(raise_error=False)  # the write failed: what the flushes found no longer matters
        _remove(temporary)
        release_orphans(hdf5_open_before, target, temporary, exc)  # HDF5 objects a failed close left: hdf5_orphans
        if isinstance(exc, Exception) and _is_disk_full(exc):
            raise _disk_full_error(target, exc) from exc
        raise
    try:
        _sync_new_file(temporary, target, behind)
        if interrupts is not None:
            interrupts.commit()
        _move_into_place(temporary, target, overwrite)
    except BaseException:
        _remove(temporary)
        raise


def _sync_new_file(temporary: Path, target: Path, behind: WriteBehind | None = None) -> None:
    """Flush the complete temporary (the HDF5 file was closed, every Zarr chunk stored, before the block ended), after
    the flushes of ``behind`` during the write (whose error, if any, is raised here)."""
    try:
        if behind is not None:
            behind.stop()
        sync_tree(temporary)
    except OSError as exc:
        if _is_disk_full(exc):  # the write-back found the disk full (ENOSPC from fsync, e.g. on NFS)
            raise _disk_full_error(target, exc) from exc
        raise _not_durable_error(target, temporary, exc) from exc


def _sync_after_rename(target: Path) -> None:
    """Flush the folder once ``target`` was renamed into it; an error says that the new file is there but may not
    survive a power loss."""
    try:
        sync_folder_of(target)
    except OSError as exc:
        raise OSError(
            exc.errno,
            f"{target} was written and moved into place, but the disk reported an error while its folder was saved "
            f"(fsync: {exc.strerror}); after a power loss the new file may be missing. Check the disk (its free space, "
            "the system log, the network share) and write again.",
            str(target),
        ) from exc


def _move_into_place(temporary: Path, target: Path, overwrite: bool) -> None:
    """Rename ``temporary`` onto ``target``, flushing the folder after each rename. An old Zarr folder at the target
    is swapped out in one step where the file system can (else moved aside, and back if the new one cannot follow),
    then removed."""
    if target.exists() or target.is_symlink():
        if not overwrite:  # created by someone else while we wrote
            check_target(target, overwrite)
        if target.is_dir() != temporary.is_dir():
            kinds = ("a folder (Zarr)", "a file (HDF5)") if target.is_dir() else ("a file", "a folder (Zarr)")
            raise FileExistsError(
                f"{target} is {kinds[0]} and the new one is {kinds[1]}; remove it yourself or choose another path"
            )
        if target.is_dir() and not target.is_symlink():
            if _exchange(temporary, target):
                _sync_after_rename(target)  # the swap is on the disk before the old folder goes
                _remove(temporary)  # now the old folder
                return
            backup = target.with_name(temporary_name(target, REPLACED_PREFIX))
            os.replace(target, backup)
            try:
                try:
                    sync_folder_of(target)
                except OSError as exc:
                    raise _not_durable_error(target, temporary, exc) from exc
                os.replace(temporary, target)
            except BaseException:
                os.replace(backup, target)  # the old file goes back: nothing was moved to the target
                raise
            _sync_after_rename(target)
            _remove(backup)
            return
    os.replace(temporary, target)
    _sync_after_rename(target)
