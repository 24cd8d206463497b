"""repack_nwbfile: rewrite an existing NWB file with new chunking and compression."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..backend_configuration import get_default_backend_configuration
from ..backends import backend_of_path, nwb_io_class
from ..models import BackendConfiguration
from .atomic import DiskFullError, check_not_source
from .configure import ProgressHook
from .outside_schema import ObjectsOutsideSchemaError
from .pickle_opt_in import pickle_decoding, refused_by_pickle_policy
from .progress import CancelSignal
from .readers import NotAnNWBFileError, nwb_backend_of_existing
from .remote import RemoteLocation, as_location, is_remote
from .write import configure_and_write_nwbfile


def open_nwbfile(path: str | os.PathLike, mode: str = "r", chunk_cache_bytes: int | None = None):
    """Open an NWB file (an HDF5 file, or a Zarr folder) and return its IO object, ready for ``read()``.

    The format is judged by what is at ``path``, not by its name. A missing path raises ``FileNotFoundError``;
    anything that is not a readable NWB file (a plain folder, a damaged, truncated or non-NWB file) raises
    :class:`~nwbconfig_widget.io.readers.NotAnNWBFileError` naming the path, the problem and what to do.
    ``chunk_cache_bytes`` sets HDF5's chunk cache of each dataset read (h5py's ``rdcc_nbytes``; None: h5py's default).
    An ``https://`` or ``s3://`` address is read where it lives (:func:`~nwbconfig_widget.io.remote.open_remote`).
    """
    if is_remote(path):  # an https:// or s3:// address: read where it lives (io/remote.py)
        from .remote import open_remote

        options = getattr(path, "storage_options", None)  # a RemoteLocation's
        return open_remote(str(path), mode=mode, chunk_cache_bytes=chunk_cache_bytes, storage_options=options)
    path = Path(path)
    backend = nwb_backend_of_existing(path)
    if backend == "hdf5" and chunk_cache_bytes is not None:
        import h5py

        file = h5py.File(str(path), mode, rdcc_nbytes=int(chunk_cache_bytes))
        try:
            return nwb_io_class(backend)(str(path), mode=mode, file=file)
        except BaseException:
            file.close()
            raise
    return nwb_io_class(backend)(str(path), mode=mode)


def repack_nwbfile(
    nwbfile_path: str | os.PathLike,
    export_nwbfile_path: str | os.PathLike,
    backend: str | None = None,
    backend_configuration: BackendConfiguration | None = None,
    overwrite: bool = False,
    progress: ProgressHook | None = None,
    allow_pickle: bool = False,
    n_jobs: int | None = None,
    progress_bar: bool = False,
    cancel: CancelSignal | None = None,
    drop_objects_outside_schema: bool = False,
) -> Path:
    """Write a copy of an existing NWB file with a new backend configuration (the default one unless given).

    HDF5 or Zarr in, HDF5 or Zarr out: ``backend`` picks the output format (default: the configuration's backend,
    else Zarr when ``export_nwbfile_path`` ends in ``.zarr`` and HDF5 otherwise). The source is opened read-only and
    never modified; each dataset is copied one buffer at a time, so memory stays within the configuration's buffers.

    hdmf-zarr stores object references (e.g. the electrodes table's ``group`` column) with Python's pickle, which
    numcodecs refuses to decode because unpickling can run code from the file. For a Zarr file you trust (one you
    wrote), pass ``allow_pickle=True``; it is allowed for this call only.

    What the source holds outside the NWB schema (groups, datasets, links and attributes another tool added) is
    copied too; what cannot be copied faithfully (object references, an external link whose file is missing, a value the
    other format cannot hold) makes the repack fail with ``ObjectsOutsideSchemaError`` naming each one, and nothing is
    written. ``drop_objects_outside_schema=True`` writes the copy without those (named in an
    ``ObjectsOutsideSchemaWarning``).

    ``progress``, ``progress_bar``, ``n_jobs`` and ``cancel`` are those of ``configure_and_write_nwbfile``.
    """
    source = as_location(nwbfile_path)  # a local path, or an https:// / s3:// address read where it lives
    target = as_location(export_nwbfile_path)  # an s3:// target is written locally, then put on S3
    if not is_remote(source) and not is_remote(target):
        check_not_source(source, target)
    if backend_configuration is not None and backend is not None and backend != backend_configuration.backend:
        raise ValueError(
            f"backend={backend!r} disagrees with the {backend_configuration.backend} backend configuration given"
        )
    # No chunk cache on the source: the parallel writer reads each of its chunks once (a piece of the ring does not
    # cut a filtered chunk) and HDF5 would keep a cache of up to 8 MB per dataset, and temporaries, for nothing.
    with (
        pickle_decoding(allow_pickle),
        _open_source(source) as io,
        _explain_source_damage(source, target),
    ):
        nwbfile = io.read()
        if backend_configuration is None:
            backend = backend or backend_of_path(target)
            backend_configuration = get_default_backend_configuration(nwbfile, backend=backend)
        return configure_and_write_nwbfile(
            nwbfile,
            target,
            backend_configuration=backend_configuration,
            export=True,
            overwrite=overwrite,
            progress=progress,
            n_jobs=n_jobs,
            progress_bar=progress_bar,
            cancel=cancel,
            drop_objects_outside_schema=drop_objects_outside_schema,
        )


@contextlib.contextmanager
def _open_source(source: Path | RemoteLocation) -> Iterator[Any]:
    """The source's IO. A remote source keeps the blocks it fetched (in a sparse temporary file, removed when it is
    closed), so that the metadata HDF5 reads again is not fetched again; a failure to read it (judged by what its
    requests got, not by the writer's own errors) is one line naming its address."""
    if not is_remote(source):
        with open_nwbfile(source, mode="r", chunk_cache_bytes=0) as io:
            yield io
        return
    from .remote import open_remote

    with (
        open_remote(str(source), chunk_cache_bytes=0, storage_options=source.storage_options) as io,
        io.remote.explained(observed_only=True),
    ):
        yield io
        io.remote.check()


@contextlib.contextmanager
def _explain_source_damage(source: Path, target: Path) -> Iterator[None]:
    """Turn a failure to read a dataset of the source (a damaged chunk) into an error naming the dataset and file."""
    try:
        yield
    except (OSError, RuntimeError, ValueError) as exc:
        if isinstance(exc, (NotAnNWBFileError, DiskFullError, ObjectsOutsideSchemaError)) or refused_by_pickle_policy(
            exc
        ):
            raise  # already explained, or not damage (pickled references, a full disk, objects outside the schema)
        location = _source_dataset_being_read(exc, source)
        if location is None:
            raise
        raise NotAnNWBFileError(
            f"reading {location} from {source} failed: {type(exc).__name__}: {exc}. The source file is damaged "
            f"there; nothing was written to {target}. If you have another copy of the source, copy it again."
        ) from exc


#: The methods of an h5py dataset or zarr array that read its values: indexing, and the reads into memory the writer
#: owns (``read_direct``; zarr's selections with ``out=``).
_READING_METHODS = frozenset(
    {"__getitem__", "read_direct", "get_basic_selection", "get_orthogonal_selection", "get_coordinate_selection"}
)


def _source_dataset_being_read(error: BaseException, source: Path) -> str | None:
    """The location of the source's dataset (h5py or zarr) that was being read when ``error`` was raised, if any."""
    source = source.resolve()
    location = None
    traceback = error.__traceback__
    while traceback is not None:  # outermost to innermost: the innermost read wins
        frame = traceback.tb_frame
        if frame.f_code.co_name in _READING_METHODS:
            dataset = frame.f_locals.get("self")
            if _stored_in(dataset, source):
                location = dataset.name.lstrip("/")
        traceback = traceback.tb_next
    return location


def _stored_in(dataset: Any, source: Path) -> bool:
    import h5py
    import zarr

    if isinstance(dataset, h5py.Dataset):
        with contextlib.suppress(Exception):
            return Path(dataset.file.filename).resolve() == source
    if isinstance(dataset, zarr.Array):
        # hdmf-zarr reads through a consolidated-metadata store that wraps the folder's own store.
        stores = (dataset.chunk_store, dataset.store, getattr(dataset.store, "store", None))
        folders = {getattr(store, "path", None) for store in stores} - {None}
        return any(Path(folder).resolve() == source for folder in folders)
    return False
