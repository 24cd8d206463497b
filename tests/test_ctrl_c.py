"""Ctrl-C (a real SIGINT to a real write in another process) at well-defined points of the write: it is never lost,
and the write either leaves nothing at the target or completes and says so.

Each write is held at its point (``interrupted_write.py``) until the signal has been sent, so every run is the same.
"""

from __future__ import annotations

import signal

import pytest
from interrupted_write import Outcome, interrupt_held_write

SUFFIX = {"hdf5": ".nwb", "zarr": ".nwb.zarr"}


def assert_stopped_and_left_nothing(outcome: Outcome, backend: str) -> None:
    report = f"{outcome.stdout}\n{outcome.stderr[-3000:]}"
    assert "FINISHED" not in outcome.stdout, f"the write went on after the signal:\n{report}"
    assert outcome.stdout.startswith("INTERRUPTED"), report
    assert "written completely" not in outcome.stdout, report
    assert outcome.returncode == 130, report
    # Only the second, plain write of the same NWBFile is there: no target, no temporary; the NWBFile was restored.
    assert outcome.files == ["again" + SUFFIX[backend]], report
    assert "WRITTEN AGAIN" in outcome.stdout, report
    assert outcome.group_left == []


@pytest.mark.parametrize(
    "backend, method, n_jobs, point",
    [
        # during buffer reads: the progress callback of a buffer (the previous one is being compressed meanwhile);
        # test_cancel_and_progress.py holds one with worker processes compressing
        ("hdf5", "gzip", 2, "progress:2"),
        ("hdf5", "gzip", 1, "progress:2"),
        ("zarr", "blosc", 2, "progress:2"),
        ("zarr", "gzip", 1, "progress:2"),
        # during parallel compression: waiting for the workers' chunks, and between two chunks handed to threads
        ("hdf5", "Zstd19", 2, "parallel_hdf5:store:2"),
        ("hdf5", "gzip", 2, "parallel_hdf5:store:2"),
        ("zarr", "gzip", 2, "parallel_zarr:store:2"),
        ("zarr", "gzip", 2, "parallel_zarr:submit:7"),
        # the complete file is flushed to the disk, the workers stop: still before the rename
        ("hdf5", "Zstd", 2, "atomic:sync_tree:1"),
        ("zarr", "blosc", 2, "atomic:sync_tree:1"),
        ("hdf5", "Zstd", 2, "parallel:close:1"),
    ],
)
def test_ctrl_c_before_the_rename_stops_the_write_and_leaves_nothing(tmp_path, backend, method, n_jobs, point):
    assert_stopped_and_left_nothing(interrupt_held_write(tmp_path, backend, method, n_jobs, point), backend)


@pytest.mark.parametrize("backend", ["hdf5", "zarr"])
def test_ctrl_c_that_python_drops_in_a_callback_still_stops_the_write(tmp_path, backend):
    """Python runs weakref callbacks and finalizers all through a write (hdmf's, h5py's, the standard library's); a
    KeyboardInterrupt raised in one is printed ("Exception ignored in ...") and dropped. The write still stops."""
    outcome = interrupt_held_write(tmp_path, backend, "gzip", 2, "weakref:2")
    assert "Exception ignored" in outcome.stderr and "KeyboardInterrupt" in outcome.stderr  # Python dropped it
    assert_stopped_and_left_nothing(outcome, backend)


@pytest.mark.parametrize(
    "backend, point",
    [
        ("hdf5", "atomic:_move_into_place:1"),
        ("hdf5", "atomic:_sync_after_rename:1"),
        ("zarr", "atomic:_sync_after_rename:1"),
    ],
)
def test_ctrl_c_during_the_rename_lets_it_finish_and_says_the_file_is_complete(tmp_path, backend, point):
    """Once the complete file is being moved into place, Ctrl-C is held until the write has cleaned up; the
    KeyboardInterrupt then says that the file is complete, and it is."""
    outcome = interrupt_held_write(tmp_path, backend, "gzip", 2, point)
    report = f"{outcome.stdout}\n{outcome.stderr[-3000:]}"
    assert outcome.stdout.startswith("INTERRUPTED Ctrl-C came once out") and "written completely" in outcome.stdout
    assert outcome.returncode == 130, report
    assert outcome.files == sorted(["out" + SUFFIX[backend], "again" + SUFFIX[backend]]), report
    assert "WRITTEN AGAIN" in outcome.stdout, report  # the NWBFile was restored although the signal came
    assert outcome.group_left == []


@pytest.fixture
def pythons_sigint_handler():
    """Python's own Ctrl-C handler for the test, as in a terminal (a suite started in the background of a script has
    SIGINT ignored instead); the previous handler afterwards."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


@pytest.fixture
def sigint_ignored():
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    yield
    signal.signal(signal.SIGINT, previous)


def test_a_write_puts_pythons_own_handler_back(tmp_path, pythons_sigint_handler):
    """The recording handler is in place during a write only: after a write, a failed one or a cancelled one, Ctrl-C
    is Python's again."""
    from test_cancel_and_progress import session

    from nwbconfig_widget import configure_and_write_nwbfile
    from nwbconfig_widget.io.progress import WriteCancelled

    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    nwbfile, configuration = session("hdf5")
    during = []

    def progress(location, nbytes):
        during.append(signal.getsignal(signal.SIGINT))

    configure_and_write_nwbfile(nwbfile, tmp_path / "a.nwb", backend_configuration=configuration, progress=progress)
    assert during and all(handler is not signal.default_int_handler for handler in during)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    with pytest.raises(WriteCancelled):
        configure_and_write_nwbfile(
            nwbfile,
            tmp_path / "b.nwb",
            backend_configuration=configuration,
            progress=progress,
            cancel=lambda: len(during) > 2,
        )
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    with pytest.raises(FileExistsError):
        configure_and_write_nwbfile(nwbfile, tmp_path / "a.nwb", backend_configuration=configuration)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_a_write_leaves_an_ignored_sigint_ignored(tmp_path, sigint_ignored):
    """A process that ignores Ctrl-C (started with ``nohup``, or in the background of a script) keeps ignoring it
    during and after a write: the write does not install a handler of its own."""
    from test_cancel_and_progress import session

    from nwbconfig_widget import configure_and_write_nwbfile

    nwbfile, configuration = session("hdf5")
    during = []
    configure_and_write_nwbfile(
        nwbfile,
        tmp_path / "a.nwb",
        backend_configuration=configuration,
        progress=lambda location, nbytes: during.append(signal.getsignal(signal.SIGINT)),
    )
    assert during and all(handler is signal.SIG_IGN for handler in during)
    assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
