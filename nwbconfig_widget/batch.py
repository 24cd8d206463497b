"""Repacking a whole folder of NWB files, on this machine or on a Dask cluster, with a summary.

>>> summary = repack_folder("raw/", "repacked/")                            # doctest: +SKIP
>>> summary = repack_folder("raw/", "repacked/", client=Client("tcp://scheduler:8786"))  # doctest: +SKIP
>>> print(summary)                                                          # doctest: +SKIP

One file is one task. A file that fails is reported in the summary and never stops the others; as every write is
atomic, it leaves nothing at its target.
"""

from __future__ import annotations

import os
import time
import traceback
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._sizes import format_bytes, size_on_disk
from .backends import backend_of_path, file_name, file_patterns, nwb_stem
from .io.repack import repack_nwbfile

#: Edits the default configuration of each file in place, e.g. ``lambda c: c.apply_global_compression("Zstd")``.
Configure = Callable[[Any], None]


@dataclass
class FileResult:
    """The outcome of one file: sizes in bytes, seconds, and the error (type: message) if it failed."""

    source: str
    target: str
    source_bytes: int
    target_bytes: int = 0
    seconds: float = 0.0
    error: str | None = None
    details: str | None = None  # the traceback of a failure
    warnings: list[str] = field(default_factory=list)  # "Category: message" of every warning the repack raised

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def ratio(self) -> float | None:
        """Source size over repacked size (2.0: the repacked file is half the size)."""
        return self.source_bytes / self.target_bytes if self.ok and self.target_bytes else None


@dataclass
class BatchSummary:
    """Every file's result, with totals; ``print(summary)`` shows a table."""

    results: list[FileResult] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def succeeded(self) -> list[FileResult]:
        return [result for result in self.results if result.ok]

    @property
    def failed(self) -> list[FileResult]:
        return [result for result in self.results if not result.ok]

    @property
    def source_bytes(self) -> int:
        return sum(result.source_bytes for result in self.succeeded)

    @property
    def target_bytes(self) -> int:
        return sum(result.target_bytes for result in self.succeeded)

    @property
    def ratio(self) -> float | None:
        return self.source_bytes / self.target_bytes if self.target_bytes else None

    def to_dataframe(self):
        import pandas as pd

        rows = [{**result.__dict__, "ok": result.ok, "ratio": result.ratio} for result in self.results]
        return pd.DataFrame(rows)

    def __str__(self) -> str:
        lines = [f"{'file':<48} {'source':>10} {'repacked':>10} {'ratio':>6} {'time':>7}  result"]
        for result in self.results:
            name = _short(result.source, 48)
            if result.ok:
                noted = f", {len(result.warnings)} warning(s)" if result.warnings else ""
                lines.append(
                    f"{name:<48} {format_bytes(result.source_bytes):>10} {format_bytes(result.target_bytes):>10} "
                    f"{result.ratio or 0:>6.2f} {result.seconds:>6.1f}s  ok{noted}"
                )
            else:
                lines.append(
                    f"{name:<48} {format_bytes(result.source_bytes):>10} {'-':>10} {'-':>6} {result.seconds:>6.1f}s  "
                    f"FAILED {result.error}"
                )
        ratio = f"{self.ratio:.2f}" if self.ratio else "-"
        for result in self.results:
            lines.extend(f"warning: {_short(result.source, 48)}: {text}" for text in result.warnings)
        lines.append(
            f"{len(self.succeeded)} repacked, {len(self.failed)} failed: {format_bytes(self.source_bytes)} -> "
            f"{format_bytes(self.target_bytes)} (ratio {ratio}) in {self.seconds:.1f} s"
        )
        return "\n".join(lines)


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else "..." + text[-(width - 3) :]


def find_nwb_files(folder: str | os.PathLike, patterns: Iterable[str] = file_patterns()) -> list[Path]:
    """NWB files (and ``.nwb.zarr`` folders) anywhere under ``folder``, sorted; nothing inside a Zarr folder."""
    folder = Path(folder)
    found: set[Path] = set()
    for pattern in patterns:
        found.update(folder.rglob(pattern))
    zarr_folders = [path for path in found if path.is_dir()]
    return sorted(
        path for path in found if not any(parent in zarr_folders for parent in path.parents) and path.name[:1] != "."
    )


def target_for(source: Path, source_folder: Path, target_folder: Path, backend: str | None) -> Path:
    """The same relative path under ``target_folder``, with the suffix of the output backend."""
    relative = source.relative_to(source_folder)
    output = backend or backend_of_path(source)
    return target_folder / relative.parent / file_name(nwb_stem(relative.name), output)


def repack_one(
    source: str,
    target: str,
    backend: str | None = None,
    configure: Configure | None = None,
    n_jobs: int | None = None,
    overwrite: bool = False,
    allow_pickle: bool = False,
    drop_objects_outside_schema: bool = False,
) -> FileResult:
    """Repack one file and report; never raises for a failure of that file (one Dask task).

    The warnings the repack raises (settings not kept, objects left out...) are kept in ``result.warnings``, so they
    reach the summary even from a Dask worker, whose own output nobody reads.
    """
    from .backend_configuration import get_default_backend_configuration
    from .io.pickle_opt_in import pickle_decoding
    from .io.repack import open_nwbfile

    started = time.perf_counter()
    result = FileResult(source=str(source), target=str(target), source_bytes=size_on_disk(source))
    target_path = Path(target)
    created = [parent for parent in reversed(target_path.parents) if not parent.exists()]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")  # recorded for the summary; repack_folder issues them again
        try:
            target_path.parent.mkdir(parents=True, exist_ok=True)
            configuration = None
            if configure is not None:
                output = backend or backend_of_path(target_path)
                with pickle_decoding(allow_pickle), open_nwbfile(source) as io:
                    configuration = get_default_backend_configuration(io.read(), backend=output)
                configure(configuration)
            repack_nwbfile(
                source,
                target_path,
                backend=backend,
                backend_configuration=configuration,
                overwrite=overwrite,
                allow_pickle=allow_pickle,
                n_jobs=n_jobs,
                drop_objects_outside_schema=drop_objects_outside_schema,
            )
            result.target_bytes = size_on_disk(target_path)
        except Exception as exc:
            result.error = f"{type(exc).__name__}: {exc}"
            result.details = traceback.format_exc()
            for folder in reversed(created):  # folders made for this file only
                if folder.is_dir() and not any(folder.iterdir()):
                    folder.rmdir()
    result.warnings = [f"{warning.category.__name__}: {warning.message}" for warning in caught]
    result.seconds = time.perf_counter() - started
    return result


def repack_folder(
    source_folder: str | os.PathLike,
    target_folder: str | os.PathLike,
    *,
    backend: str | None = None,
    configure: Configure | None = None,
    patterns: Iterable[str] = file_patterns(),
    n_jobs: int | None = None,
    overwrite: bool = False,
    allow_pickle: bool = False,
    drop_objects_outside_schema: bool = False,
    client: Any = None,
    on_result: Callable[[FileResult], None] | None = None,
) -> BatchSummary:
    """Repack every NWB file under ``source_folder`` into ``target_folder`` (same relative paths).

    - ``backend``: "hdf5" or "zarr" for every output (default: each file keeps its format).
    - ``configure(configuration)``: edits each file's default configuration in place (the configuration of one file
      cannot be used for another: its datasets are other objects). Default: the default configuration.
    - ``client``: a ``dask.distributed.Client``; each file is then one task on the cluster (``configure`` must be
      picklable by cloudpickle, as lambdas are). Without it, files are repacked here one after the other.
    - ``n_jobs``: workers compressing the chunks of each file (default: every core here, 1 per task on Dask, where
      the cluster's workers already run files side by side).
    - ``on_result(result)`` is called as each file finishes.
    - ``allow_pickle`` and ``drop_objects_outside_schema`` are those of ``repack_nwbfile``.

    The warnings of each file are issued again here, prefixed with the file's path, and listed in ``print(summary)``.

    A failed file is reported in the summary (``summary.failed``, with the error and traceback) and never stops the
    others or leaves output behind.
    """
    source_folder, target_folder = Path(source_folder), Path(target_folder)
    if not source_folder.is_dir():
        raise FileNotFoundError(f"{source_folder} is not a folder")
    if target_folder.resolve() == source_folder.resolve():
        raise ValueError("the target folder must differ from the source folder")
    target_folder.mkdir(parents=True, exist_ok=True)
    jobs = [
        (str(source), str(target_for(source, source_folder, target_folder, backend)))
        for source in find_nwb_files(source_folder, patterns)
    ]
    started = time.perf_counter()
    summary = BatchSummary()
    options = {
        "backend": backend,
        "configure": configure,
        "overwrite": overwrite,
        "allow_pickle": allow_pickle,
        "drop_objects_outside_schema": drop_objects_outside_schema,
    }
    if client is None:
        for source, target in jobs:
            result = repack_one(source, target, n_jobs=n_jobs, **options)
            _warn_again(result)
            summary.results.append(result)
            if on_result is not None:
                on_result(result)
    else:
        summary.results.extend(_on_dask(client, jobs, 1 if n_jobs is None else n_jobs, options, on_result))
    summary.results.sort(key=lambda result: result.source)
    summary.seconds = time.perf_counter() - started
    return summary


def _on_dask(client, jobs, n_jobs, options, on_result) -> list[FileResult]:
    from distributed import as_completed

    futures = {
        client.submit(repack_one, source, target, n_jobs=n_jobs, pure=False, **options): (source, target)
        for source, target in jobs
    }
    results = []
    for future in as_completed(list(futures)):
        source, target = futures[future]
        try:
            result = future.result()
        except Exception as exc:  # the task itself died (e.g. a worker was lost): that file failed
            result = FileResult(source, target, size_on_disk(source), error=f"{type(exc).__name__}: {exc}")
        _warn_again(result)
        results.append(result)
        if on_result is not None:
            on_result(result)
    return results


class RepackWarning(UserWarning):
    """A warning one file's repack raised, issued again by :func:`repack_folder` with the file's path."""


def _warn_again(result: FileResult) -> None:
    for text in result.warnings:
        warnings.warn(f"{result.source}: {text}", RepackWarning, stacklevel=3)
