"""Cancelling a write (an Event, a callable, Ctrl-C) leaves nothing behind; progress reaches a callback and a bar."""

from __future__ import annotations

import os
import threading

import h5py
import numpy as np
import pytest
from interrupted_write import interrupt_held_write
from test_parallel_hdf5 import nwbfile_with

from nwbconfig_widget import configure_and_write_nwbfile, get_default_backend_configuration, repack_nwbfile
from nwbconfig_widget.io.progress import WriteCancelled

ROWS, COLUMNS = 200_000, 40  # int16: 16 MB


@pytest.fixture(autouse=True)
def workers_for_every_codec(monkeypatch):
    """Zstd goes to the worker processes even on these small datasets."""
    from nwbconfig_widget.io import parallel_hdf5

    monkeypatch.setattr(parallel_hdf5, "PROCESS_MAX_SPEED", float("inf"))
    monkeypatch.setattr(parallel_hdf5, "PROCESS_MIN_SECONDS", 0.0)
    monkeypatch.setattr(parallel_hdf5, "THREAD_FILTERS", parallel_hdf5.ZLIB_FILTERS)  # Zstd: not to threads


def session(backend: str, method: str = "gzip"):
    rng = np.random.default_rng(0)
    nwbfile = nwbfile_with({"raw": rng.integers(-300, 300, size=(ROWS, COLUMNS), dtype="int16")})
    configuration = get_default_backend_configuration(nwbfile, backend=backend)
    configuration.apply_global_compression(method)
    item = configuration.dataset_configurations["acquisition/raw/data"]
    item.update(chunk_shape=(10_000, COLUMNS), buffer_shape=(40_000, COLUMNS))
    return nwbfile, configuration


def leftovers(folder) -> list[str]:
    return sorted(name for name in os.listdir(folder) if name.startswith((".partial", ".replaced")))


@pytest.mark.parametrize(
    "backend, method, n_jobs",
    [("hdf5", "gzip", 2), ("hdf5", "Zstd", 2), ("hdf5", "gzip", 1), ("zarr", "blosc", 2), ("zarr", "gzip", 1)],
)
def test_a_cancel_event_stops_the_write_and_leaves_nothing(tmp_path, backend, method, n_jobs):
    nwbfile, configuration = session(backend, method)
    cancel = threading.Event()
    seen = []

    def progress(location, nbytes):
        seen.append(nbytes)
        if len(seen) == 2:
            cancel.set()  # as the widget's Cancel button does, from another thread or from here

    target = tmp_path / ("out.nwb" if backend == "hdf5" else "out.nwb.zarr")
    with pytest.raises(WriteCancelled):
        configure_and_write_nwbfile(
            nwbfile, target, backend_configuration=configuration, n_jobs=n_jobs, progress=progress, cancel=cancel
        )
    assert not target.exists() and leftovers(tmp_path) == []
    assert len(seen) < ROWS // 40_000  # stopped early
    # The NWBFile is untouched and can be written afterwards.
    configure_and_write_nwbfile(nwbfile, target, backend_configuration=configuration, n_jobs=n_jobs)
    assert target.exists()


def test_a_cancel_callable_and_an_existing_target(tmp_path):
    """A cancelled overwrite keeps the old file as it was."""
    target = tmp_path / "out.nwb"
    target.write_bytes(b"old file")
    nwbfile, configuration = session("hdf5")
    calls = []

    def cancelled() -> bool:
        calls.append(1)
        return len(calls) > 3

    with pytest.raises(WriteCancelled):
        configure_and_write_nwbfile(
            nwbfile, target, backend_configuration=configuration, overwrite=True, cancel=cancelled, n_jobs=2
        )
    assert target.read_bytes() == b"old file" and leftovers(tmp_path) == []


def test_keyboard_interrupt_inside_the_write_leaves_nothing_and_stops_the_workers(tmp_path):
    psutil = pytest.importorskip("psutil")
    nwbfile, configuration = session("hdf5", "Zstd")  # worker processes

    def interrupt(location, nbytes):
        workers = [child for child in psutil.Process().children() if "hdf5_chunks" in " ".join(child.cmdline())]
        interrupt.workers_seen = interrupt.workers_seen or bool(workers)
        if interrupt.calls == 1:
            raise KeyboardInterrupt
        interrupt.calls += 1

    interrupt.calls = 0
    interrupt.workers_seen = False
    target = tmp_path / "out.nwb"
    with pytest.raises(KeyboardInterrupt):
        configure_and_write_nwbfile(nwbfile, target, backend_configuration=configuration, progress=interrupt, n_jobs=2)
    assert not target.exists() and leftovers(tmp_path) == []
    assert interrupt.workers_seen  # the workers were running when the interrupt came
    assert [child for child in psutil.Process().children() if "hdf5_chunks" in " ".join(child.cmdline())] == []


def test_ctrl_c_in_a_terminal_leaves_nothing(tmp_path):
    """SIGINT to the whole process group, as a terminal sends it, while the write is surely running: it is held in the
    progress callback of its second buffer (the worker processes compress the first meanwhile) until the signal has
    been sent. The write stops, no file and no worker remain, the NWBFile can be written again."""
    outcome = interrupt_held_write(tmp_path, "hdf5", "Zstd19", 2, "progress:2", whole_group=True)
    report = f"{outcome.stdout}\n{outcome.stderr[-3000:]}"
    assert "FINISHED" not in outcome.stdout and outcome.stdout.startswith("INTERRUPTED"), report
    assert outcome.returncode == 130, report
    assert outcome.files == ["again.nwb"], report  # no out.nwb, no temporary
    assert "WRITTEN AGAIN" in outcome.stdout, report
    assert outcome.group_left == []  # the workers were stopped


def test_progress_reaches_the_callback_and_the_bar(tmp_path, capsys):
    pytest.importorskip("tqdm")
    nwbfile, configuration = session("hdf5")
    totals: dict[str, int] = {}

    def progress(location, nbytes):
        totals[location] = totals.get(location, 0) + nbytes

    configure_and_write_nwbfile(
        nwbfile, tmp_path / "out.nwb", backend_configuration=configuration, progress=progress, progress_bar=True
    )
    assert totals["acquisition/raw/data"] == ROWS * COLUMNS * 2
    bar = capsys.readouterr().err
    assert "out.nwb" in bar and "acquisition/raw/data" in bar and "16.0M/16.0M" in bar and "100%" in bar

    repack_nwbfile(tmp_path / "out.nwb", tmp_path / "again.nwb", progress_bar=True, n_jobs=2)
    assert "again.nwb" in capsys.readouterr().err
    with h5py.File(tmp_path / "again.nwb", "r") as file:
        assert file["acquisition/raw/data"].shape == (ROWS, COLUMNS)
