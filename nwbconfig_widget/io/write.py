"""configure_and_write_nwbfile: write an NWBFile with a backend configuration, safely."""

from __future__ import annotations

import functools
import os
import warnings
from pathlib import Path
from typing import Any

from .._plain import plain
from ..backend_configuration import backend_of_read_file, get_default_backend_configuration
from ..backends import backend_named_by, backend_of_path, check_backend, display_name, file_name, nwb_io_class
from ..discovery import consumed_iterators, one_type_map, pynwb_build_manager
from ..models import BackendConfiguration
from .atomic import atomic_target, check_not_source, check_target
from .configure import ProgressHook, apply_configuration
from .export_workarounds import builders_by_object_id, links_as_stored
from .external_links import copied_links_warning, external_links_kept, linked_container_paths
from .interrupts import Interrupts
from .outside_schema import ObjectsOutsideSchemaWarning, carry_over_outside_schema
from .parallel import ParallelWriter, resolve_n_jobs
from .pickle_opt_in import pickle_decoding
from .progress import CancelSignal, cancel_check, combine, make_bar
from .remote import is_remote
from .scalar_compounds import scalar_compounds_written, stored_scalar_compounds
from .zarr_attribute_types import refuse_attributes_zarr_reads_back_untyped


def _source_path(nwbfile: Any) -> Path | None:
    io = nwbfile.get_read_io() if hasattr(nwbfile, "get_read_io") else None
    remote = getattr(io, "remote", None)  # a remote file (io/remote.py): its address
    if remote is not None:
        return remote.location
    source = getattr(io, "source", None) or getattr(nwbfile, "container_source", None)
    return Path(source).resolve() if source else None


@one_type_map()  # its checks and the configuration walk the file several times: with one copy of the type map
def configure_and_write_nwbfile(
    nwbfile: Any,
    nwbfile_path: str | os.PathLike,
    backend_configuration: BackendConfiguration | None = None,
    backend: str | None = None,
    export: bool = False,
    overwrite: bool = False,
    progress: ProgressHook | None = None,
    n_jobs: int | None = None,
    progress_bar: bool = False,
    cancel: CancelSignal | None = None,
    drop_objects_outside_schema: bool = False,
) -> Path:
    """Write ``nwbfile`` to ``nwbfile_path`` with ``backend_configuration`` (the default one when not given).

    - ``backend``: "hdf5" or "zarr"; taken from the configuration when one is given, else from the path
      (``.zarr`` means Zarr).
    - ``export=True`` writes an NWBFile that was read from disk (it is exported from its source file); the source is
      never modified and cannot be the target. What the source holds outside the NWB schema (groups, datasets, links
      and attributes added with h5py or zarr) is copied into the new file; what cannot be copied faithfully (object
      references, an external link whose file is missing, a value the other format cannot hold) makes the write fail
      with ``ObjectsOutsideSchemaError`` naming each one, unless ``drop_objects_outside_schema=True``: then those are
      left out, named in an ``ObjectsOutsideSchemaWarning``, and the rest is still copied. Containers removed from
      the NWBFile before the write are not copied back (see :mod:`nwbconfig_widget.io.outside_schema`). External links
      stay links to the same objects (their file names rewritten to be found from the new file's folder) when both
      files are HDF5 or both Zarr; across formats the linked data is copied, named in an ``ExternalLinkCopiedWarning``;
      a link whose file is missing fails with ``DanglingExternalLinkError`` (see
      :mod:`nwbconfig_widget.io.external_links`).
    - An existing target is refused unless ``overwrite=True``; the file is written beside the target and moved into
      place only when complete, so a failed write leaves nothing at the target.
    - ``progress(location_in_file, bytes_read)`` is called as each buffer is read; ``progress_bar=True`` shows a
      tqdm bar (terminal or notebook) with the bytes done of the total, the current dataset, rate and time left.
    - ``n_jobs``: how many chunks are compressed at once (default ``None``: every core; 1: the plain sequential
      write). The file is the same standard file either way: same chunks, filters and decoded data.
    - ``cancel``: a ``threading.Event`` (or a callable returning True) that stops the write at the next buffer or
      chunk with ``WriteCancelled``; like any failure (or Ctrl-C) it leaves nothing at the target. A Ctrl-C that
      comes once the complete file is being moved into place is held until the write is done; its
      ``KeyboardInterrupt`` then says that the file is complete (:mod:`nwbconfig_widget.io.interrupts`).
    - ``nwbfile_path`` may be an ``s3://`` address: the file is written in a local temporary folder, uploaded beside
      the target, then put at the target with its root metadata last, so no reader takes a partial file for a
      complete one (:mod:`nwbconfig_widget.io.remote_targets`); the address is returned.

    The NWBFile object is left as it was: the configuration is applied for the write only.
    Returns the path written.
    """
    target = Path(nwbfile_path)
    if backend_configuration is not None:
        if backend is not None and backend != backend_configuration.backend:
            raise ValueError(
                f"backend={backend!r} disagrees with the {backend_configuration.backend} backend configuration given; "
                "drop the backend argument or pass a configuration for that backend"
            )
        backend = backend_configuration.backend
    elif backend is None:
        backend = backend_of_path(target)
    check_backend(backend)
    _warn_if_the_name_says_otherwise(target, backend)
    read_backend = backend_of_read_file(nwbfile)
    if read_backend is not None and not export:
        raise ValueError(
            f"this NWBFile was read from {_source_path(nwbfile)}; pass export=True to write it to a new file"
        )
    if read_backend is None and export:
        raise ValueError(
            "export=True is for NWBFiles read from disk; this one was built in memory, so drop export=True"
        )
    if is_remote(nwbfile_path):  # an s3:// target: written here, then put on S3 (io/remote_targets.py)
        from .remote_targets import write_to_s3

        return write_to_s3(
            nwbfile_path,
            functools.partial(
                configure_and_write_nwbfile,
                nwbfile,
                backend_configuration=backend_configuration,
                backend=backend,
                export=export,
                progress=progress,
                n_jobs=n_jobs,
                progress_bar=progress_bar,
                cancel=cancel,
                drop_objects_outside_schema=drop_objects_outside_schema,
            ),
            backend,
            overwrite=overwrite,
            check=cancel_check(cancel),
            source=_source_path(nwbfile) if export else None,
        )
    source = _source_path(nwbfile) if export else None
    if source is not None:
        check_not_source(source, target)
    check_target(target, overwrite)
    _refuse_names_the_backend_would_change(nwbfile)
    _refuse_objects_hdmf_cannot_write(nwbfile)
    if backend == "zarr":
        refuse_attributes_zarr_reads_back_untyped(nwbfile)
    consumed = consumed_iterators(nwbfile)
    if consumed:
        raise ValueError(
            f"the DataChunkIterator of {', '.join(consumed)} was consumed by an earlier write, so this write would "
            "store nothing there; give those objects their data again (a new iterator) before writing"
        )
    if backend_configuration is None:
        backend_configuration = get_default_backend_configuration(nwbfile, backend=backend)

    n_jobs = resolve_n_jobs(n_jobs)
    interrupts = Interrupts(target)  # Ctrl-C: never lost, never half-way through the rename (io/interrupts.py)
    check = cancel_check(cancel, interrupts)
    check()
    restore_sources = _remember_container_sources(nwbfile) if not export else (lambda: None)
    # Also with n_jobs=1: the writer fills contiguous HDF5 datasets, which hdmf's iterative write cannot.
    writer = ParallelWriter(n_jobs, backend, check)
    # Scalar compounds (ElectrodeGroup.position) written as each format stores a scalar (hdmf-dev/hdmf-zarr#277).
    scalars = stored_scalar_compounds(nwbfile.get_read_io()) if export else frozenset()
    io_class = writer.io_class(scalar_compounds_written(nwb_io_class(backend), scalars))
    bar = restore = None
    copied: list = []
    failed = True
    try:
        interrupts.start()
        bar = make_bar(progress_bar, backend_configuration.total_uncompressed_bytes, target.name)
        hook = combine(progress, bar, check)  # also checks for Ctrl-C at every buffer
        restore = apply_configuration(
            nwbfile,
            backend_configuration,
            progress=hook,
            defer=writer.should_defer,
        )
        # zarr 2.18 reads back the pickled fill value it has just written for a compound array holding references
        # (hdmf-zarr pickles them), which numcodecs refuses unless allowed. Allowed here only when no Zarr file is
        # read (an HDF5 source or an in-memory NWBFile), so the only pickles decoded are the ones this write made.
        own_pickles_only = backend == "zarr" and read_backend != "zarr"
        # The writer is closed (its threads and workers done) before the temporary is moved or removed.
        with (
            atomic_target(target, overwrite=overwrite, interrupts=interrupts) as temporary,
            writer,
            pickle_decoding(own_pickles_only),
        ):
            if export:
                source_io = nwbfile.get_read_io()
                builders = builders_by_object_id(source_io)
                kept = _container_paths(nwbfile, builders)
                with (
                    links_as_stored(nwbfile, builders),
                    external_links_kept(nwbfile, source, backend) as links,
                    io_class(str(temporary), mode="w") as io,
                ):
                    # Copy every dataset of the source (a link back into it would tie the new file to it); data of
                    # other files stays linked where the format allows (io/external_links.py).
                    io.export(src_io=source_io, nwbfile=nwbfile, write_args={"link_data": False})
                links.check_written(temporary, target)
                if source is not None:
                    kept |= links.detached
                    _carry_over_what_export_drops(source, temporary, target, kept, drop_objects_outside_schema)
                copied = links.copied(temporary)
            else:
                with io_class(str(temporary), mode="w", manager=pynwb_build_manager()) as io:
                    io.write(nwbfile)
            check()
        failed = False
    finally:
        interrupts.hold()  # a Ctrl-C now would skip the restores below: it is raised once they are done
        try:
            writer.close(failed=failed)
            if bar is not None:
                bar.close()
            if restore is not None:
                restore()
            restore_sources()
        finally:
            interrupts.stop(raise_held=not failed)
    if copied:
        warnings.warn(copied_links_warning(copied, source, target), stacklevel=2)
    return target


def _warn_if_the_name_says_otherwise(target: Path, backend: str) -> None:
    """Warn when the path's ending names the other format (an HDF5 file called ``x.nwb.zarr``), which misleads
    every later reader; the configuration's backend still decides, as in NeuroConv."""
    named = backend_named_by(target)
    if named is not None and named != backend:
        warnings.warn(
            f"{target.name} is named like {'a Zarr' if named == 'zarr' else 'an HDF5'} file, but this writes "
            f"{display_name(backend)} (the backend of the configuration); name it like {file_name('x', backend)} "
            "or use a configuration for the other backend",
            stacklevel=3,
        )


def _carry_over_what_export_drops(source: Path, temporary: Path, target: Path, kept: set[str], drop: bool) -> None:
    """Copy what the source holds outside the NWB schema into the new file (hdmf's export leaves it behind); with
    ``drop``, warn about what cannot be copied faithfully and was left out (else that is an error)."""
    dropped = carry_over_outside_schema(
        source, temporary, target, kept=kept, containers_as_read=lambda: _containers_as_read(source), drop=drop
    )
    if dropped:
        shown = dropped[:_SHOWN] + ([f"... and {len(dropped) - _SHOWN} more"] if len(dropped) > _SHOWN else [])
        warnings.warn(
            f"{len(dropped)} object(s) outside the NWB schema of {source.name} were dropped from {target.name} "
            "(drop_objects_outside_schema=True), as they cannot be copied faithfully:\n  " + "\n  ".join(shown),
            ObjectsOutsideSchemaWarning,
            stacklevel=3,
        )


#: How many dropped objects a warning names one by one.
_SHOWN = 50


def _container_paths(nwbfile: Any, builders: dict[str, Any]) -> set[str]:
    """The paths in the source file of the containers of ``nwbfile`` that were read from it (``""``: the root);
    ``builders``: the source's builders by object_id."""
    paths = set()
    for container in [nwbfile, *nwbfile.objects.values()]:
        builder = builders.get(container.object_id)
        if builder is not None:
            paths.add(builder.path.partition("/")[2])
    return paths


def _containers_as_read(source: Path) -> set[str]:
    """The paths of the containers pynwb builds when it reads ``source`` afresh (what the user may have removed)."""
    from .repack import open_nwbfile

    with open_nwbfile(source, mode="r") as io:
        nwbfile = io.read()
        # Containers read through an external link to a group are held at the link's path.
        return _container_paths(nwbfile, builders_by_object_id(io)) | linked_container_paths(nwbfile, source)


def _refuse_names_the_backend_would_change(nwbfile: Any) -> None:
    """Refuse object names holding a NUL character: HDF5 would silently cut the name there (losing the object, or
    failing on a sibling of the shorter name), and no file system takes it in a Zarr folder's file names."""
    for container in nwbfile.objects.values():
        if "\x00" in container.name:
            raise ValueError(
                f"the {type(container).__name__} named {plain(container.name)} has a NUL character (\\x00) in its "
                "name, where HDF5 would cut the name short; rename it without that character before writing"
            )


def _refuse_objects_hdmf_cannot_write(nwbfile: Any) -> None:
    """Refuse objects whose class hdmf's type map cannot write as its own type: pynwb would write them as a base
    type and drop their other fields without a word (or fail half-way through the write)."""
    from ..discovery import unwritable_objects

    unwritable = unwritable_objects(nwbfile)
    if unwritable:
        listed = "; ".join(f"{plain(path)}: {reason}" for path, reason in unwritable.items())
        raise ValueError(
            f"{len(unwritable)} object(s) cannot be written with all their data, so nothing was written: {listed}"
        )


def _remember_container_sources(nwbfile: Any):
    """hdmf marks every object of an in-memory NWBFile as belonging to the file it was written to, which forbids a
    second write; return a function that clears those marks so the same NWBFile can be written again."""
    containers = [nwbfile, *nwbfile.objects.values()]
    sources = [container.container_source for container in containers]

    def restore() -> None:
        for container, source in zip(containers, sources):
            # hdmf offers no public way to unset the source; its setter refuses reassignment.
            object.__setattr__(container, "_AbstractContainer__container_source", source)

    return restore
