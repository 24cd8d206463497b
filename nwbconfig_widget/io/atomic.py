"""Writing beside the target and renaming into place, so a failed write never leaves a partial file at the target."""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    elif path.exists() or path.is_symlink():
        path.unlink(missing_ok=True)


def check_target(target: Path, overwrite: bool) -> None:
    """Refuse an existing target unless ``overwrite`` is set."""
    if (target.exists() or target.is_symlink()) and not overwrite:
        raise FileExistsError(
            f"{target} exists; pass overwrite=True to replace it (it is replaced only once the new file is complete)"
        )
    if not target.parent.is_dir():
        raise FileNotFoundError(f"the folder {target.parent} does not exist; create it first")


@contextlib.contextmanager
def atomic_target(target: str | os.PathLike, overwrite: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success move it onto ``target``, on failure delete it.

    Works for single files (HDF5) and folders (Zarr). An existing target is only removed after the new one is
    complete, and only when ``overwrite`` is set.
    """
    target = Path(target)
    check_target(target, overwrite)
    temporary = target.with_name(f".partial-{uuid.uuid4().hex[:8]}-{target.name}")
    try:
        yield temporary
    except BaseException:
        _remove(temporary)
        raise
    if target.exists() or target.is_symlink():
        if not overwrite:  # created by someone else while we wrote
            _remove(temporary)
            check_target(target, overwrite)
        if target.is_dir() and not target.is_symlink():
            backup = target.with_name(f".replaced-{uuid.uuid4().hex[:8]}-{target.name}")
            os.replace(target, backup)
            os.replace(temporary, target)
            _remove(backup)
            return
    os.replace(temporary, target)
