"""Shared pieces of the fault tests: the writes under test, sources on disk, and folder fingerprints.

Imported by ``test_faults.py`` and by ``faults_child.py`` (the writing process of the disk-full, SIGKILL and
concurrent-writer tests), so a write in a child process is the very write the in-process tests make.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

ROWS, COLUMNS = 100_000, 40  # int16: 8 MB, ten chunks, five buffers: large enough for the parallel path
CHUNK, BUFFER = (10_000, COLUMNS), (20_000, COLUMNS)
LOCATION = "acquisition/raw/data"


@dataclass(frozen=True)
class Scenario:
    """One way of writing: backend, in-memory write or repack of a file, plain (1 job) or parallel (2 jobs)."""

    backend: str
    path: str  # "write" or "repack"
    n_jobs: int

    @property
    def id(self) -> str:
        return f"{self.backend}-{self.path}-{'parallel' if self.n_jobs > 1 else 'plain'}"

    @property
    def target_name(self) -> str:
        return "out.nwb" if self.backend == "hdf5" else "out.nwb.zarr"

    @property
    def source_name(self) -> str:
        return "source.nwb" if self.backend == "hdf5" else "source.nwb.zarr"


SCENARIOS = [
    Scenario(backend, path, n_jobs) for backend in ("hdf5", "zarr") for path in ("write", "repack") for n_jobs in (1, 2)
]


def raw_data() -> np.ndarray:
    """The 8 MB int16 recording every write stores."""
    return np.random.default_rng(7).integers(-300, 300, size=(ROWS, COLUMNS), dtype="int16")


def make_nwbfile(data: Any = None):
    """An in-memory NWBFile with the recording (or ``data``, e.g. an iterator) as ``acquisition/raw``."""
    from pynwb import NWBFile, TimeSeries

    nwbfile = NWBFile(
        identifier="faults",
        session_start_time=datetime(2024, 1, 1, tzinfo=timezone.utc),
        session_description="fault injection",
    )
    nwbfile.add_acquisition(TimeSeries(name="raw", data=raw_data() if data is None else data, unit="V", rate=1000.0))
    return nwbfile


def configure(configuration, method: str | None = "gzip", options: dict | None = None):
    """Chunks and buffers of the recording as every fault test uses them; ``method`` compresses everything."""
    configuration.apply_global_compression(method, options)
    configuration.dataset_configurations[LOCATION].update(chunk_shape=CHUNK, buffer_shape=BUFFER)
    return configuration


def write_source(folder: Path, backend: str) -> Path:
    """Write the source file of the repack scenarios into ``folder``."""
    from nwbconfig_widget import configure_and_write_nwbfile, get_default_backend_configuration

    nwbfile = make_nwbfile()
    configuration = configure(get_default_backend_configuration(nwbfile, backend=backend), options={"level": 1})
    name = "source.nwb" if backend == "hdf5" else "source.nwb.zarr"
    return configure_and_write_nwbfile(nwbfile, folder / name, backend_configuration=configuration, n_jobs=1)


def copy_source(source: Path, folder: Path) -> Path:
    """A copy of ``source`` in ``folder`` with its modification times (so fingerprints compare)."""
    copy = folder / source.name
    if source.is_dir():
        shutil.copytree(source, copy)
    else:
        shutil.copy2(source, copy)
    return copy


def run_scenario(
    scenario: Scenario,
    folder: Path,
    target: Path | None = None,
    method: str | None = "gzip",
    options: dict | None = None,
    nwbfile: Any = None,
    source: Path | None = None,
    **kwargs: Any,
) -> Path:
    """Make the scenario's write into ``target`` (default: ``folder/out...``); ``kwargs`` go to the write.

    A repack reads ``source`` (default ``folder/source...``: copy one there first); a write stores ``nwbfile``
    (default: a new one).
    """
    from nwbconfig_widget import configure_and_write_nwbfile, get_default_backend_configuration, repack_nwbfile
    from nwbconfig_widget.io.repack import open_nwbfile

    target = folder / scenario.target_name if target is None else target
    if scenario.path == "write":
        nwbfile = make_nwbfile() if nwbfile is None else nwbfile
        configuration = configure(get_default_backend_configuration(nwbfile, backend=scenario.backend), method, options)
        return configure_and_write_nwbfile(
            nwbfile, target, backend_configuration=configuration, n_jobs=scenario.n_jobs, **kwargs
        )
    source = folder / scenario.source_name if source is None else source
    with open_nwbfile(source) as io:
        configuration = get_default_backend_configuration(io.read(), backend=scenario.backend)
    configure(configuration, method, options)
    return repack_nwbfile(source, target, backend_configuration=configuration, n_jobs=scenario.n_jobs, **kwargs)


def fingerprint(folder: Path) -> dict[str, tuple[int, int, str]]:
    """Every file and folder under ``folder`` (hidden ones included): relative path -> (size, mtime_ns, sha256)."""
    prints: dict[str, tuple[int, int, str]] = {}
    for root, folders, files in os.walk(folder):
        for name in folders + files:
            path = Path(root) / name
            stat = path.lstat()
            digest = "" if path.is_dir() else hashlib.sha256(path.read_bytes()).hexdigest()
            prints[str(path.relative_to(folder))] = (0 if path.is_dir() else stat.st_size, stat.st_mtime_ns, digest)
    return prints


def stray(folder: Path) -> list[str]:
    """Temporaries of a write (``.partial-``/``.replaced-``) in ``folder``."""
    return sorted(name for name in os.listdir(folder) if name.startswith((".partial-", ".replaced-")))


def every_progress(callback: Callable[[int], None]) -> Callable[[str, int], None]:
    """A progress hook that calls ``callback(number of buffers read so far)``."""
    calls = [0]

    def progress(location: str, nbytes: int) -> None:
        calls[0] += 1
        callback(calls[0])

    return progress
