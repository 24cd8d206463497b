"""Releasing the HDF5 objects that a failed write could not close, so that neither the rest of the process nor its end
trips over them.

The HDF5 bug worked around (h5py issues 914 and 2160; HDFGroup/hdf5 issue 6601 is the same mechanism with a failing
filter): when HDF5 closes an object whose data it must write out first (a dataset's cached chunks, the file's
metadata) and that write fails (a full disk, a file-size limit, an I/O error), HDF5 frees the object but keeps its
identifier, which now points at freed memory. Whatever later closes or inspects that identifier reads freed memory:
h5py dropping a Python object that still holds it, the close of a later file (which lists the open objects), and
HDF5's own clean-up when the process ends, which then dies of a segmentation fault (exit code 139), after every Python
exit handler has run.

After a failed write, :func:`release_orphans` takes the identifiers that the write created and left open out of
HDF5's table, with HDF5's internal ``H5I_remove`` (the public ``H5Iremove_verify`` refuses the library's own kinds of
objects), without closing them a second time: their memory stays leaked (HDF5 freed most of it already), nothing
touches them again, the process goes on writing, and it ends with its own exit code.

Only identifiers that surely belong to the failed file are taken. That file is the one whose h5py ``File.close``
raised the write's error (found in the error's traceback: HDF5 cannot be asked about it any more); its objects are
those created during the write that belong to no other open file (a repack's source, a file another thread writes:
HDF5 lists the objects of those, which are intact). When the failed file cannot be told apart that way while the
error names the write's file, nothing is taken, and a warning says that the process may crash later.

>>> isinstance(open_objects(), frozenset)
True
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import re
import sys
import warnings
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

_library_cache: dict[str, Any] = {}


def open_objects() -> frozenset[int]:
    """The identifiers of the HDF5 objects (files, groups, datasets, attributes, datatypes) open in this process;
    empty when h5py was never imported."""
    h5py = sys.modules.get("h5py")
    if h5py is None:
        return frozenset()
    return frozenset(item.id for item in h5py.h5f.get_obj_ids())


def release_orphans(before: frozenset[int], target: Path, temporary: Path, error: BaseException) -> int:
    """Take the objects that the failed write of ``temporary`` (for ``target``) left open out of HDF5's table (see the
    module docstring); ``before`` is :func:`open_objects` from before the write, ``error`` the write's error. Returns
    how many were taken. Never raises: a problem is a warning, as the write's own error is on its way to the caller.
    """
    h5py = sys.modules.get("h5py")
    if h5py is None:
        return 0
    try:
        with h5py._objects.phil:  # h5py's lock around every HDF5 call: no other thread changes HDF5's table now
            failed = _files_whose_close_failed(h5py, error)
            orphans = _orphans(h5py, before, failed)
            if orphans is None:
                if _names(error, temporary):
                    _warn(target, "the file whose close failed could not be told apart from other open files")
                return 0
            if not orphans:
                return 0
            library = _library(h5py, next(iter(orphans)))
            if library is None:
                _warn(target, "HDF5's library could not be reached")
                return 0
            for identifier in sorted(orphans):
                library.H5I_remove(identifier)
            left = orphans & open_objects()
    except Exception as exc:  # never hide the write's own error behind this one
        _warn(target, f"{type(exc).__name__}: {exc}")
        return 0
    if left:
        _warn(target, f"{len(left)} of them stayed in HDF5's table")
        return len(orphans) - len(left)
    logger.info("released %d HDF5 objects that the failed write to %s could not close", len(orphans), target)
    return len(orphans)


def _chain(error: BaseException) -> list[BaseException]:
    """``error`` and the errors it came from."""
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and all(current is not seen for seen in chain):
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def _files_whose_close_failed(h5py: Any, error: BaseException) -> set[int]:
    """The identifiers of the h5py files whose ``close`` raised ``error`` or an error it came from (read from the
    tracebacks' frames, without asking HDF5 about them)."""
    failed = set()
    for item in _chain(error):
        traceback = item.__traceback__
        while traceback is not None:
            frame = traceback.tb_frame
            candidate = frame.f_locals.get("self") if frame.f_code.co_name == "close" else None
            if isinstance(candidate, h5py.File):
                failed.add(candidate.id.id)
            traceback = traceback.tb_next
    return failed


def _names(error: BaseException, temporary: Path) -> bool:
    """Whether ``error`` or an error it came from names the file ``temporary`` (HDF5's messages name the file)."""
    return any(str(temporary) in str(item) for item in _chain(error))


def _orphans(h5py: Any, before: frozenset[int], failed: set[int]) -> set[int] | None:
    """The objects still open of the files in ``failed`` that were created during the write: the new objects that
    belong to no other open file. None when a new file is left that is neither in ``failed`` nor listed by HDF5 as
    intact (its objects could not be told apart)."""
    kinds = {item.id: h5py.h5i.get_type(item) for item in h5py.h5f.get_obj_ids()}
    new = set(kinds) - before
    failed &= new
    if not new:
        return set()
    intact: set[int] = set()
    for file in h5py.h5f.get_obj_ids(types=h5py.h5f.OBJ_FILE):
        if file.id not in failed:  # a repack's source, another thread's file: HDF5 lists their objects
            intact.update(item.id for item in h5py.h5f.get_obj_ids(file, types=h5py.h5f.OBJ_ALL | h5py.h5f.OBJ_LOCAL))
    # Datatypes are left alone: new ones are mostly in-memory types (h5py keeps some), not objects of a file.
    in_files = (h5py.h5i.FILE, h5py.h5i.GROUP, h5py.h5i.DATASET, h5py.h5i.ATTR)
    orphans = {identifier for identifier in new - intact if kinds[identifier] in in_files}
    files = {identifier for identifier in orphans if kinds[identifier] == h5py.h5i.FILE}
    if not orphans:
        return set()
    return orphans if files and files <= failed else None


def _library(h5py: Any, known: int) -> Any | None:
    """The HDF5 library that h5py uses (the very copy loaded in this process: ``known``, an identifier open in h5py,
    must be valid in it), with ``H5I_remove``; None if it cannot be found."""
    if "library" in _library_cache:
        return _library_cache["library"]
    found = None
    for path in _candidates(h5py):
        try:
            library = ctypes.CDLL(path)
            remove, is_valid = library.H5I_remove, library.H5Iis_valid
        except (OSError, AttributeError):
            continue
        remove.restype, remove.argtypes = ctypes.c_void_p, [ctypes.c_int64]
        is_valid.restype, is_valid.argtypes = ctypes.c_int, [ctypes.c_int64]
        if is_valid(known) > 0:  # a second copy of the library would not know h5py's identifiers
            found = library
            break
    _library_cache["library"] = found
    return found


def _candidates(h5py: Any) -> list[str]:
    """Where h5py's HDF5 library may be: the one mapped into this process (Linux), the copy bundled with the h5py
    wheel, the system's."""
    candidates = []
    maps = Path("/proc/self/maps")
    if maps.exists():
        pattern = re.compile(r"/libhdf5(?:[-.][^/]*)?\.(?:so|dylib)[^/]*$")
        for line in maps.read_text().splitlines():
            fields = line.split(maxsplit=5)  # address, permissions, offset, device, inode, path
            path = fields[5] if len(fields) == 6 else ""
            if pattern.search(path) and path not in candidates:
                candidates.append(path)
    package = Path(h5py.__file__).parent
    for folder in (package.parent / "h5py.libs", package / ".dylibs", package):
        if folder.is_dir():
            candidates += sorted(str(path) for path in folder.glob("*hdf5*") if "hdf5_hl" not in path.name)
    system = ctypes.util.find_library("hdf5")
    if system:
        candidates.append(system)
    return candidates


def _warn(target: Path, reason: str) -> None:
    warnings.warn(
        f"HDF5 could not close the objects of the failed write to {target} and they could not be released ({reason}); "
        "HDF5 may crash this process at a later HDF5 write or when it ends (h5py issue 914). Restart the process "
        "(e.g. the Jupyter kernel) before writing more HDF5 files.",
        RuntimeWarning,
        stacklevel=4,
    )
