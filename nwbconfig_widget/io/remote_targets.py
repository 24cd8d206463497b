"""Writing an NWB file to S3 (an ``s3://`` target), so that no reader ever takes a partial file for a complete one.

S3 has no rename and no transaction over several objects, so a Zarr file (one object per chunk and per metadata
document) cannot appear at once. The write goes in three steps:

1. **Local**: the file is written, as any local write is (``io/atomic.py``), into a temporary folder of this machine
   (``tempfile.gettempdir()``, i.e. ``TMPDIR``; it needs room for the new file), which is removed at the end.
2. **Upload** to a temporary prefix beside the target, ``.partial-<owner>-<random>-<name>/``: every object of the
   file. The target is not touched; a failure or a cancel here deletes the temporary prefix and leaves the target as
   it was (absent, or the old file).
3. **Switch**, once the new file is complete on S3: with ``overwrite``, the old file's objects are deleted, its root
   metadata (``.zgroup``, ``.zmetadata``, ``.zattrs``) first; then the new objects are copied to the target prefix
   (server-side copies: no data goes through this machine), its root metadata LAST (``.zattrs``, ``.zmetadata``,
   then ``.zgroup``); then the temporary prefix is deleted. A failure here deletes what was copied to the target and
   the temporary prefix.

What a concurrent reader of the target can see: nothing, or objects under the target prefix without ``.zgroup`` (zarr
and hdmf-zarr refuse to open that: "not a group"), or the complete new file; never a valid Zarr group with missing
or mixed chunks. With ``overwrite``, the old file stays complete and readable until the new one is complete on S3;
during the switch the target holds no valid file (a reader that opened the old file before may then fail on a chunk
that is gone). An HDF5 file is one object: it is uploaded straight to the target key, which S3 replaces in one step
(a large file as a multipart upload, which S3 shows only once complete and which is aborted on failure).

A process killed during the write (SIGKILL, a lost machine) cannot clean up: it leaves its ``.partial-`` prefix
(deleted by the next write to the same target from this machine, once the process is gone) and, if killed during the
switch, objects at the target without ``.zgroup`` (refused as a target; delete them with ``aws s3 rm --recursive``).

>>> is_s3_target("s3://bucket/out.nwb.zarr"), is_s3_target("out.nwb.zarr"), is_s3_target("https://x/out.nwb")
(True, False, False)
>>> metadata_last([".zgroup", "a/.zarray", ".zmetadata", "a/0.0", ".zattrs"])
['a/.zarray', 'a/0.0', '.zattrs', '.zmetadata', '.zgroup']
>>> str(UploadReport("s3://bucket/out.nwb.zarr", objects=120, bytes=2_500_000))
'uploaded 120 objects, 2.50 MB'
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from .atomic import PARTIAL_PREFIX, owner_of, temporary_name
from .remote import RemoteLocation, _require, _timeout
from .remote_errors import explain

logger = logging.getLogger(__name__)

#: The root metadata of a Zarr file, in the order they are written at the target (``.zgroup``, which makes the
#: prefix a Zarr group to every reader, last); they are deleted in the reverse order.
ROOT_METADATA = (".zattrs", ".zmetadata", ".zgroup")
#: Objects uploaded (or copied, or deleted) between two checks of ``cancel``.
BATCH = 64

_recorders: contextvars.ContextVar[list[UploadReport] | None] = contextvars.ContextVar(
    "nwbconfig_upload_recorders", default=None
)


def is_s3_target(path: Any) -> bool:
    """Whether ``path`` is an ``s3://`` address (a target written to S3)."""
    return isinstance(path, str) and path.lower().startswith("s3://")


def metadata_last(keys: list[str]) -> list[str]:
    """``keys`` (relative to a Zarr file's root) in upload order: the root metadata last, ``.zgroup`` at the end."""
    root = [key for key in ROOT_METADATA if key in keys]
    return sorted(key for key in keys if key not in ROOT_METADATA) + root


@dataclass
class UploadReport:
    """What a write to S3 sent: objects and bytes of the new file (each uploaded once, then copied server-side)."""

    target: str
    objects: int = 0
    bytes: int = 0

    def __str__(self) -> str:
        return f"uploaded {self.objects} object{'' if self.objects == 1 else 's'}, {self.bytes / 1e6:.2f} MB"


@contextlib.contextmanager
def recording_uploads() -> Iterator[list[UploadReport]]:
    """The :class:`UploadReport` of each write to S3 finished inside the block (in this thread or task).

    >>> with recording_uploads() as uploads:
    ...     pass
    >>> uploads
    []
    """
    reports: list[UploadReport] = []
    token = _recorders.set(reports)
    try:
        yield reports
    finally:
        _recorders.reset(token)


class S3TargetError(OSError):
    """A write to S3 that failed: one line naming the target, what went wrong, and what was left (nothing, unless
    the clean-up itself failed)."""


def _filesystem(address: str, storage_options: dict[str, Any] | None) -> Any:
    _require("fsspec", address)
    s3fs = _require("s3fs", address)
    options = dict(storage_options or {})
    config = dict(options.get("config_kwargs") or {})
    config.setdefault("connect_timeout", _timeout(None))  # NWBCONFIG_REMOTE_TIMEOUT, as for reading
    config.setdefault("read_timeout", _timeout(None))
    config.setdefault("retries", {"max_attempts": 2, "mode": "standard"})  # s3fs retries too
    options["config_kwargs"] = config
    options["skip_instance_cache"] = True  # listings must be current: no cache shared with other instances
    return s3fs.S3FileSystem(**options)


class S3Target:
    """An ``s3://bucket/key`` target and its file system: what is there, and the temporaries beside it."""

    def __init__(self, address: str, storage_options: dict[str, Any] | None = None):
        self.address = str(address).rstrip("/")
        self.fs = _filesystem(self.address, storage_options)
        self.path = self.fs._strip_protocol(self.address).rstrip("/")
        bucket, _, key = self.path.partition("/")
        if not bucket or not key:
            raise ValueError(f"{address} names no object; give s3://bucket/key (e.g. s3://bucket/session.nwb.zarr)")
        self.name = PurePosixPath(key).name
        self.parent = self.path.rsplit("/", 1)[0]

    def objects(self, path: str | None = None) -> list[str]:
        """The keys (``bucket/...``) of the object ``path`` (default: the target) and of every object under it."""
        path = path or self.path
        self.fs.invalidate_cache()
        found = [key for key in self.fs.find(path + "/") if key.startswith(path + "/")]
        with contextlib.suppress(FileNotFoundError):
            if self.fs.isfile(path):
                found.append(path)
        return found

    def remove(self, keys: list[str], root: str | None = None) -> None:
        """Delete ``keys``, a batch at a time; with ``root`` (a Zarr file's prefix), its root metadata first, in a
        request of its own, so that the prefix stops being a Zarr group before any chunk goes."""
        first = [f"{root}/{name}" for name in reversed(ROOT_METADATA)] if root else []
        first = [key for key in first if key in keys]
        rest = [key for key in keys if key not in first]
        for batch in [first] + [rest[start : start + 1000] for start in range(0, len(rest), 1000)]:
            if batch:  # S3's DeleteObjects takes 1000 keys
                self.fs.rm(batch)
        self.fs.invalidate_cache()

    def stale_temporaries(self) -> list[str]:
        """Temporary prefixes of this target (``.partial-...-<name>``) whose writing process, on this machine, is
        gone."""
        self.fs.invalidate_cache()
        try:
            entries = self.fs.ls(self.parent, detail=False)
        except FileNotFoundError:
            return []
        stale = []
        for entry in entries:
            name = PurePosixPath(entry).name
            owner = owner_of(Path(name))
            ours = owner is not None and name.startswith(PARTIAL_PREFIX) and name.endswith("-" + self.name)
            if ours and not owner.alive():
                stale.append(entry.rstrip("/"))
        return stale


def _check_existing(target: S3Target, existing: list[str], backend: str, overwrite: bool) -> None:
    """Refuse an existing target unless ``overwrite``, and always one that is not a file of the same format."""
    if not existing:
        return
    single = existing == [target.path]
    if not single and f"{target.path}/.zgroup" not in existing:
        raise FileExistsError(
            f"{target.address} holds {len(existing)} object(s) but no .zgroup: it is not a Zarr NWB file, so nothing "
            "replaces it, not even overwrite=True; delete them yourself (aws s3 rm --recursive) or choose another key"
        )
    if (backend == "zarr") == single:
        kinds = ("an object (HDF5)", "a Zarr file") if single else ("a Zarr file", "an HDF5 file")
        raise FileExistsError(
            f"{target.address} is {kinds[0]} and the new one is {kinds[1]}; delete it yourself or choose another key"
        )
    if not overwrite:
        raise FileExistsError(
            f"{target.address} exists; pass overwrite=True to replace it (it is replaced only once the new file is "
            "complete on S3)"
        )


def _refuse_source(target: S3Target, source: Any) -> None:
    """Refuse a target that is the source (read from S3), lies inside it or holds it."""
    if not is_s3_target(str(source or "")):
        return
    source_path = target.fs._strip_protocol(str(source)).rstrip("/")
    if source_path == target.path:
        raise ValueError(f"{target.address} is the source file; write to another key (the source is never modified)")
    if target.path.startswith(source_path + "/"):
        raise ValueError(f"{target.address} lies inside the source {source}; write to a key outside it")
    if source_path.startswith(target.path + "/"):
        raise ValueError(f"{target.address} holds the source {source}; write to a key that does not contain it")


def _failed(target: S3Target, error: BaseException, doing: str, left: list[str]) -> S3TargetError:
    explained = explain(error, target.address)
    reason = str(explained) if explained is not None else f"{type(error).__name__}: {error}"
    if left:
        what = f"the clean-up failed too: {len(left)} object(s) are left, e.g. s3://{left[0]}; delete them yourself"
    else:
        what = "nothing was left at the target nor beside it"
    return S3TargetError(f"writing {target.address} failed while {doing}: {reason}; {what}")


def _clean_up(target: S3Target, prefixes: list[str]) -> list[str]:
    """Delete every object under ``prefixes``; return those that could not be deleted."""
    left = []
    for prefix in prefixes:
        try:
            target.remove(target.objects(prefix), root=prefix)
            left += target.objects(prefix)
        except Exception as exc:  # the server is gone: say what may be left
            logger.warning("could not delete the objects under s3://%s: %s", prefix, exc)
            left.append(prefix)
    return left


def write_to_s3(
    address: str,
    write_local: Callable[[Path], Any],
    backend: str,
    overwrite: bool = False,
    check: Callable[[], None] = lambda: None,
    source: Any = None,
) -> RemoteLocation:
    """Write a file with ``write_local(path)`` into a local temporary folder, then put it at the ``s3://``
    ``address`` as the module's docstring describes. ``check()`` raises to cancel (it is called between batches of
    objects, until the switch begins). Returns the address; its :class:`UploadReport` is recorded
    (:func:`recording_uploads`). ``source``: the file the NWBFile was read from, which cannot be the target."""
    if not is_s3_target(address):
        raise ValueError(
            f"{address} cannot be written: an https:// address is read-only; write to a local path or an s3:// one"
        )
    storage_options = getattr(address, "storage_options", None)
    target = S3Target(str(address), storage_options)
    _refuse_source(target, source)
    try:
        for stale in target.stale_temporaries():
            _clean_up(target, [stale])
            logger.warning("removed s3://%s, left by a write to %s that was killed", stale, target.address)
        existing = target.objects()
    except Exception as exc:  # the bucket cannot be reached or listed: nothing was written
        raise _failed(target, exc, "listing what is at the target", []) from exc
    _check_existing(target, existing, backend, overwrite)
    staging = Path(tempfile.mkdtemp(prefix="nwbconfig-s3-"))
    try:
        local = staging / target.name
        write_local(local)
        check()
        if backend == "zarr":
            report = _put_zarr(target, local, overwrite, check)
        else:
            report = _put_object(target, local, overwrite)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    recorder = _recorders.get()
    if recorder is not None:
        recorder.append(report)
    return RemoteLocation(target.address, storage_options)


def _put_object(target: S3Target, local: Path, overwrite: bool) -> UploadReport:
    """Upload an HDF5 file as one object: S3 shows it (or the new version of it) only once it is complete."""
    _check_existing(target, target.objects(), "hdf5", overwrite)  # someone else may have written it meanwhile
    try:
        target.fs.put_file(str(local), target.path)
    except Exception as exc:
        raise _failed(target, exc, "uploading the file", []) from exc
    return UploadReport(target.address, 1, local.stat().st_size)


def _put_zarr(target: S3Target, local: Path, overwrite: bool, check: Callable[[], None]) -> UploadReport:
    files = sorted(path for path in local.rglob("*") if path.is_file())
    keys = metadata_last([path.relative_to(local).as_posix() for path in files])
    temporary = f"{target.parent}/{temporary_name(Path(target.name))}"
    report = UploadReport(target.address, len(keys), sum(path.stat().st_size for path in files))
    copied = False
    doing = "uploading the new file to a temporary prefix"
    try:
        for start in range(0, len(keys), BATCH):
            check()
            batch = keys[start : start + BATCH]
            target.fs.put([str(local / key) for key in batch], [f"{temporary}/{key}" for key in batch])
        check()
        existing = target.objects()
        _check_existing(target, existing, "zarr", overwrite)  # someone else may have written it meanwhile
        # The switch: from here on the target changes, and a cancel is no longer taken.
        copied = True
        if existing:
            doing = "deleting the old file at the target"
            target.remove(existing, root=target.path)
        doing = "copying the new file to the target"
        bulk, root = [key for key in keys if key not in ROOT_METADATA], [key for key in keys if key in ROOT_METADATA]
        for start in range(0, len(bulk), BATCH):
            batch = bulk[start : start + BATCH]
            target.fs.copy([f"{temporary}/{key}" for key in batch], [f"{target.path}/{key}" for key in batch])
        for key in root:  # one after the other, .zgroup last
            target.fs.copy(f"{temporary}/{key}", f"{target.path}/{key}")
    except BaseException as exc:
        left = _clean_up(target, [temporary] + ([target.path] if copied else []))
        if isinstance(exc, Exception) and not _raised_as_is(exc):
            raise _failed(target, exc, doing, left) from exc
        raise
    left = _clean_up(target, [temporary])
    if left:
        logger.warning("%s was written, but its temporary prefix s3://%s could not be deleted", target.address, left[0])
    return report


def _raised_as_is(error: BaseException) -> bool:
    """A cancel, and a target written by someone else meanwhile, are said as they are."""
    from .progress import WriteCancelled

    return isinstance(error, (WriteCancelled, FileExistsError))
