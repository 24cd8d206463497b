"""Faults during a write or a repack: each leaves no file at the target, no stray temporary, the source untouched
(bytes and modification times of the whole folder), and a clear error naming what happened and what to do.

Faults: a full disk (a file-size limit, and a real full tmpfs), a codec or a data source failing in the middle of a
dataset, a damaged chunk in the source, a chunk worker dying, KeyboardInterrupt, the widget's Cancel, SIGKILL of the
writing process (its temporary is recognised and removed by the next write, a live writer's never), an existing
target, the target being the source under another name, and inputs that are not readable NWB files.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import pytest
from faults_support import (
    BUFFER,
    CHUNK,
    LOCATION,
    SCENARIOS,
    Scenario,
    copy_source,
    every_progress,
    fingerprint,
    make_nwbfile,
    raw_data,
    run_scenario,
    stray,
    write_source,
)
from hdmf.data_utils import GenericDataChunkIterator
from nwbfiles import FailingIterator

from nwbconfig_widget import WriteCancelled, get_existing_backend_configuration
from nwbconfig_widget.io.atomic import owner_of
from nwbconfig_widget.io.readers import NotAnNWBFileError
from nwbconfig_widget.io.repack import open_nwbfile

HERE = Path(__file__).resolve().parent
CHILD = HERE / "faults_child.py"
IDS = [scenario.id for scenario in SCENARIOS]


@pytest.fixture(scope="module")
def sources(tmp_path_factory) -> dict[str, Path]:
    """The HDF5 and the Zarr source of the repack scenarios (copied into each test's folder)."""
    folder = tmp_path_factory.mktemp("sources")
    return {backend: write_source(folder, backend) for backend in ("hdf5", "zarr")}


def prepared(scenario: Scenario, folder: Path, sources: dict[str, Path]) -> Path:
    """``folder`` with a copy of the source when the scenario repacks."""
    folder.mkdir(parents=True, exist_ok=True)
    if scenario.path == "repack":
        copy_source(sources[scenario.backend], folder)
    return folder


def assert_nothing_left(folder: Path, before: dict, scenario: Scenario) -> None:
    """No target, no temporary, and every other file (the source) with the same bytes and times as before."""
    assert not (folder / scenario.target_name).exists()
    assert stray(folder) == []
    assert fingerprint(folder) == before


# ------------------------------------------------------------------------------------------------------ full disk


def _run_full_disk(cases: list[dict], limit: int, wrapper: list[str]) -> dict[str, dict]:
    """Run the cases in child processes; the answers by scenario id, each with the exit code of its process.

    Should a process crash (HDF5 did after a full disk, h5py issues 914 and 2160; the test below checks that it no
    longer does), the cases it had not reached run again in a new process.
    """
    answers: dict[str, dict] = {}
    remaining = list(cases)
    while remaining:
        command = [*wrapper, sys.executable, str(CHILD), "full", str(limit), json.dumps(remaining)]
        finished = subprocess.run(command, capture_output=True, text=True, timeout=300)
        answered = [json.loads(line) for line in finished.stdout.splitlines() if line.startswith("{")]
        assert answered, f"the child answered nothing (exit code {finished.returncode}): {finished.stderr[-3000:]}"
        for answer in answered:
            answers[answer["id"]] = {**answer, "returncode": finished.returncode}
        remaining = remaining[len(answered) :]
    return answers


CLI_SCENARIOS = [Scenario("zarr", "repack", 2), Scenario("hdf5", "repack", 2)]
ZARR_FIRST = sorted(SCENARIOS, key=lambda scenario: scenario.backend == "hdf5")  # Zarr cases share one process


@pytest.fixture(scope="module")
def file_size_limit_runs(tmp_path_factory, sources):
    """Every scenario in one child process whose files may not exceed 500 kB (RLIMIT_FSIZE, SIGXFSZ ignored)."""
    root = tmp_path_factory.mktemp("file-size-limit")
    cases, before = [], {}
    for scenario in ZARR_FIRST:
        folder = prepared(scenario, root / scenario.id, sources)
        before[scenario.id] = fingerprint(folder)
        cases.append({"backend": scenario.backend, "path": scenario.path, "n_jobs": scenario.n_jobs,
                      "folder": str(folder), "cli": False})  # fmt: skip
    for scenario in CLI_SCENARIOS:  # the same repacks, typed as `nwbconfig repack`
        folder = prepared(scenario, root / f"cli-{scenario.id}", sources)
        before[f"cli-{scenario.id}"] = fingerprint(folder)
        cases.append({"backend": scenario.backend, "path": scenario.path, "n_jobs": scenario.n_jobs,
                      "folder": str(folder), "cli": True})  # fmt: skip
    return root, before, _run_full_disk(cases, 500_000, [])


def _can_mount_tmpfs() -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", "mount -t tmpfs -o size=1m tmpfs /mnt"]
    return subprocess.run(probe, capture_output=True).returncode == 0


@pytest.fixture(scope="module")
def tmpfs_runs(tmp_path_factory, sources):
    """Every scenario writing into a 6 MB tmpfs (mounted in a private mount namespace, no root needed)."""
    if not _can_mount_tmpfs():
        pytest.skip("cannot mount a tmpfs in a user namespace here (unshare -rm)")
    mount = tmp_path_factory.mktemp("tmpfs")
    cases = [
        {"backend": scenario.backend, "path": scenario.path, "n_jobs": scenario.n_jobs,
         "folder": str(mount / scenario.id), "source": str(sources[scenario.backend])}
        for scenario in ZARR_FIRST
    ]  # fmt: skip
    folders = " ".join(f"'{case['folder']}'" for case in cases)
    setup = f"mount -t tmpfs -o size=6m tmpfs '{mount}' && mkdir {folders} && exec \"$@\""
    wrapper = ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", setup, "sh"]
    before = {backend: fingerprint(path.parent) for backend, path in sources.items()}
    return before, sources, _run_full_disk(cases, 0, wrapper)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=IDS)
def test_disk_full_by_a_file_size_limit_leaves_nothing(file_size_limit_runs, scenario):
    root, before, answers = file_size_limit_runs
    answer = answers[scenario.id]
    assert answer["error"] == "DiskFullError" and answer["errno"] == 27, answer
    assert f"writing {root / scenario.id / scenario.target_name} failed" in answer["message"]
    assert "file-size limit was reached (File too large)" in answer["message"]
    assert "nothing was left at the target" in answer["message"] and "Free space" in answer["message"]
    assert_nothing_left(root / scenario.id, before[scenario.id], scenario)


@pytest.mark.parametrize("scenario", CLI_SCENARIOS, ids=[scenario.id for scenario in CLI_SCENARIOS])
def test_disk_full_during_nwbconfig_repack_prints_one_line(file_size_limit_runs, scenario):
    root, before, answers = file_size_limit_runs
    answer = answers[f"cli-{scenario.id}"]
    assert answer["exit"] == 1, answer
    *before_last, last = answer["message"].strip().splitlines()
    assert last.startswith("nwbconfig repack: ")
    assert "file-size limit was reached (File too large); nothing was left at the target" in last
    # Before it, only h5py's own reports of objects it could not close while the write failed, if any.
    assert before_last == [] or "h5py._objects.ObjectID" in "\n".join(before_last)
    folder = root / f"cli-{scenario.id}"
    assert not (folder / scenario.target_name).exists() and stray(folder) == []
    assert fingerprint(folder) == before[f"cli-{scenario.id}"]


def test_a_process_that_hit_a_full_disk_during_an_hdf5_write_goes_on_and_exits_without_crashing(file_size_limit_runs):
    """Every scenario, HDF5 after HDF5, failed in one process, which then ended normally."""
    _root, _before, answers = file_size_limit_runs
    assert {answer["returncode"] for answer in answers.values()} == {0}


def test_a_full_disk_changes_neither_the_exit_code_nor_the_exit_handlers(tmp_path, sources):
    """``repack_folder`` where one file hits a full disk (a file-size limit) and the other is repacked, a failed write
    while another HDF5 file is open, then HDF5 writes and repacks again in the same process (``exit_child.py``): the
    process ends with exit code 0, an exit handler registered before the failure runs, and HDF5 crashes nothing
    (h5py issues 914 and 2160)."""
    from nwbconfig_widget import configure_and_write_nwbfile

    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy2(sources["hdf5"], raw / "big.nwb")  # 6 MB
    configure_and_write_nwbfile(make_nwbfile(raw_data()[:1_000]), raw / "small.nwb")  # within the 500 kB limit
    command = [sys.executable, "-X", "faulthandler", str(HERE / "exit_child.py"), str(tmp_path)]
    finished = subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert finished.returncode == 0, finished.stderr[-3000:]
    assert "Fatal Python error" not in finished.stderr and "Segmentation fault" not in finished.stderr
    assert not list(tmp_path.glob("core*"))
    assert (tmp_path / "exit-handler-ran").read_text() == "yes"
    steps = [json.loads(line) for line in finished.stdout.splitlines() if line.startswith("{")]
    assert steps[0]["results"]["small.nwb"] is None
    assert steps[0]["results"]["big.nwb"].startswith("DiskFullError: [Errno 27] writing")
    assert sorted(os.listdir(tmp_path / "repacked")) == ["small.nwb"]
    assert [(step["step"], step["equal"]) for step in steps[1:]] == [
        ("other-file-hdf5", True),  # opened while a write failed: intact
        ("other-file-zarr", True),
        ("hdf5-write-plain", True),
        ("hdf5-repack-parallel", True),
    ]


_UNRELEASED_CHILD = """
import json, os, resource, signal, sys, warnings
from pathlib import Path
sys.path[:0] = sys.argv[2:]
from faults_support import Scenario, run_scenario
from nwbconfig_widget.io import hdf5_orphans
from nwbconfig_widget.io.atomic import DiskFullError
hdf5_orphans._library_cache["library"] = None  # as if HDF5's library could not be found
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (500_000, 500_000))
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always", RuntimeWarning)
    try:
        run_scenario(Scenario("hdf5", "write", 1), Path(sys.argv[1]), method=None)
    except DiskFullError as exc:
        error = str(exc)
print(json.dumps({"error": error, "warnings": [str(item.message) for item in caught]}), flush=True)
os._exit(0)  # the objects were not released: HDF5 may crash this process at exit, which is what the warning says
"""


def test_objects_that_cannot_be_released_are_named_in_a_warning(tmp_path):
    """Where HDF5's library cannot be reached, the write's error is unchanged and a warning says what may happen."""
    command = [sys.executable, "-c", _UNRELEASED_CHILD, str(tmp_path), str(HERE), str(HERE.parent)]
    finished = subprocess.run(command, capture_output=True, text=True, timeout=300)
    answer = json.loads(finished.stdout.strip().splitlines()[-1])
    assert "file-size limit was reached (File too large); nothing was left at the target" in answer["error"]
    released = [message for message in answer["warnings"] if "could not be released" in message]
    assert len(released) == 1, answer["warnings"]
    assert f"the failed write to {tmp_path / 'out.nwb'}" in released[0]
    assert "HDF5's library could not be reached" in released[0] and "Restart the process" in released[0]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=IDS)
def test_disk_full_on_a_full_tmpfs_leaves_nothing(tmpfs_runs, scenario):
    before, sources, answers = tmpfs_runs
    answer = answers[scenario.id]
    assert answer["error"] == "DiskFullError" and answer["errno"] == 28, answer
    assert "the disk is full (No space left on device)" in answer["message"]
    assert "nothing was left at the target" in answer["message"]
    assert answer["listing"] == []  # seen from inside the mount namespace: no target, no temporary
    assert fingerprint(sources[scenario.backend].parent) == before[scenario.backend]


# -------------------------------------------------------------------------------------- failures inside a dataset


@pytest.fixture
def failing_codec(monkeypatch, tmp_path):
    """The codec that fails on its Nth encode, offered as a Zarr compression method in this process and loadable
    by entry point in the codec trial process (restarted with it on its path, and again afterwards)."""
    import faults_codec

    from nwbconfig_widget import _codec_trials, codecs

    folder = faults_codec.entry_point_folder(tmp_path / "plugin")
    path = os.pathsep.join(filter(None, [str(folder), str(HERE), os.environ.get("PYTHONPATH")]))
    monkeypatch.setenv("PYTHONPATH", path)
    from numcodecs.registry import codec_registry

    monkeypatch.setitem(codec_registry, faults_codec.CODEC_ID, faults_codec.FailsOnNthEncode)
    monkeypatch.setitem(codecs.AVAILABLE_ZARR_COMPRESSION_METHODS, faults_codec.CODEC_ID, faults_codec.FailsOnNthEncode)
    _codec_trials._stop_worker()
    yield faults_codec
    faults_codec.FailsOnNthEncode.disarm()
    _codec_trials._stop_worker()


CODEC_SCENARIOS = [scenario for scenario in SCENARIOS if scenario.backend == "zarr"]


@pytest.mark.parametrize("scenario", CODEC_SCENARIOS, ids=[scenario.id for scenario in CODEC_SCENARIOS])
def test_a_codec_failing_in_the_middle_of_a_dataset_leaves_nothing(tmp_path, sources, failing_codec, scenario):
    folder = prepared(scenario, tmp_path / "work", sources)
    before = fingerprint(folder)
    failing_codec.FailsOnNthEncode.arm(fail_at=4)  # the recording has ten chunks
    with pytest.raises(RuntimeError, match=r"encode number 4 failed \(injected codec fault\)"):
        run_scenario(scenario, folder, method=failing_codec.CODEC_ID)
    assert failing_codec.FailsOnNthEncode.disarm() >= 4
    assert_nothing_left(folder, before, scenario)


WRITE_SCENARIOS = [scenario for scenario in SCENARIOS if scenario.path == "write"]


@pytest.mark.parametrize("scenario", WRITE_SCENARIOS, ids=[scenario.id for scenario in WRITE_SCENARIOS])
def test_a_data_source_failing_in_the_middle_of_a_dataset_leaves_nothing(tmp_path, scenario):
    folder = tmp_path / "work"
    folder.mkdir()
    source = FailingIterator(
        raw_data(),
        fail_at=3,
        message="the recording's drive was unplugged (injected source fault)",
        buffer_shape=(20_000, 40),
        chunk_shape=CHUNK,
    )
    nwbfile = make_nwbfile(source)
    with pytest.raises(OSError, match=r"drive was unplugged \(injected source fault\)"):
        run_scenario(scenario, folder, nwbfile=nwbfile)
    assert source.reads == 3
    assert_nothing_left(folder, {}, scenario)
    assert nwbfile.acquisition["raw"].data is source  # the NWBFile is left as it was


def damage_a_chunk(source: Path) -> None:
    """Overwrite the middle of the fourth chunk of the recording with garbage (its header stays valid)."""
    if source.is_dir():
        chunk = source / LOCATION / "3.0"
        garbage = bytearray(chunk.read_bytes())
        garbage[len(garbage) // 2 :] = b"\xff" * (len(garbage) - len(garbage) // 2)
        chunk.write_bytes(bytes(garbage))
        return
    with h5py.File(source, "r") as file:
        info = file[LOCATION].id.get_chunk_info(3)
    with open(source, "r+b") as handle:
        handle.seek(info.byte_offset + info.size // 2)
        handle.write(b"\xff" * 64)


REPACK_SCENARIOS = [scenario for scenario in SCENARIOS if scenario.path == "repack"]


@pytest.mark.parametrize("scenario", REPACK_SCENARIOS, ids=[scenario.id for scenario in REPACK_SCENARIOS])
def test_a_damaged_chunk_in_the_source_stops_the_repack_and_leaves_nothing(tmp_path, sources, scenario):
    """The source's own codec (HDF5's deflate filter, numcodecs' zlib) fails to decode one chunk in the middle."""
    folder = prepared(scenario, tmp_path / "work", sources)
    damage_a_chunk(folder / scenario.source_name)
    before = fingerprint(folder)
    with open_nwbfile(folder / scenario.source_name) as io:  # the metadata is intact: the file opens
        assert LOCATION in get_existing_backend_configuration(io.read()).dataset_configurations
    with pytest.raises(NotAnNWBFileError) as raised:
        run_scenario(scenario, folder)
    message = str(raised.value)
    assert f"reading {LOCATION} from {folder / scenario.source_name} failed" in message
    assert "damaged" in message and "copy it again" in message
    assert_nothing_left(folder, before, scenario)


@pytest.mark.parametrize("path", ["write", "repack"])
def test_a_chunk_worker_killed_in_the_middle_stops_the_write_and_leaves_nothing(tmp_path, sources, monkeypatch, path):
    """The parallel HDF5 writer's encoding processes: one dies (SIGKILL) while chunks are being encoded."""
    psutil = pytest.importorskip("psutil")
    from nwbconfig_widget.io import parallel_hdf5
    from nwbconfig_widget.io.workers import WorkerError

    monkeypatch.setattr(parallel_hdf5, "PROCESS_MAX_SPEED", float("inf"))  # Zstd goes to the worker processes
    monkeypatch.setattr(parallel_hdf5, "THREAD_FILTERS", parallel_hdf5.ZLIB_FILTERS)  # not to threads
    monkeypatch.setattr(parallel_hdf5, "PROCESS_MIN_SECONDS", 0.0)
    scenario = Scenario("hdf5", path, 2)
    folder = prepared(scenario, tmp_path / "work", sources)
    before = fingerprint(folder)

    def kill_a_worker(buffers: int) -> None:
        if buffers == 2:
            workers = [child for child in psutil.Process().children() if "hdf5_chunks" in " ".join(child.cmdline())]
            assert workers, "the chunks are encoded by worker processes"
            workers[0].kill()
            workers[0].wait(timeout=10)

    with pytest.raises(WorkerError, match="chunk worker"):
        run_scenario(scenario, folder, method="Zstd", progress=every_progress(kill_a_worker))
    assert_nothing_left(folder, before, scenario)
    assert [child for child in psutil.Process().children() if "hdf5_chunks" in " ".join(child.cmdline())] == []


# ----------------------------------------------------------------------------------------------- interrupted writes


@pytest.mark.parametrize("scenario", SCENARIOS, ids=IDS)
def test_keyboard_interrupt_in_the_middle_leaves_nothing(tmp_path, sources, scenario):
    folder = prepared(scenario, tmp_path / "work", sources)
    before = fingerprint(folder)

    def interrupt(buffers: int) -> None:
        if buffers == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_scenario(scenario, folder, progress=every_progress(interrupt))
    assert_nothing_left(folder, before, scenario)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=IDS)
def test_a_cancel_event_in_the_middle_leaves_nothing(tmp_path, sources, scenario):
    folder = prepared(scenario, tmp_path / "work", sources)
    before = fingerprint(folder)
    cancel = threading.Event()

    def press_cancel(buffers: int) -> None:
        if buffers == 2:
            cancel.set()

    with pytest.raises(WriteCancelled, match="cancelled; nothing was written to the target"):
        run_scenario(scenario, folder, progress=every_progress(press_cancel), cancel=cancel)
    assert_nothing_left(folder, before, scenario)


class Gated(GenericDataChunkIterator):
    """The recording; its second buffer waits until the test has pressed Cancel in the widget."""

    def __init__(self, reached: threading.Event, release: threading.Event, **kwargs):
        self._data, self._reached, self._release = raw_data(), reached, release
        super().__init__(**kwargs)

    def _get_data(self, selection):
        if selection[0].start > 0:
            self._reached.set()
            self._release.wait(timeout=60)
        return self._data[selection]

    def _get_maxshape(self):
        return self._data.shape

    def _get_dtype(self):
        return self._data.dtype


def _press(widget, kind: str) -> dict:
    """Send a message to the widget as its browser view does; return the widget's reply."""
    sent = []
    widget.send = lambda content, buffers=None: sent.append(content)
    widget._handle_custom_msg({"type": kind, "id": f"faults-{kind}"}, [])
    return next(message for message in sent if message.get("id") == f"faults-{kind}")


@pytest.mark.parametrize("backend", ["hdf5", "zarr"])
def test_the_widget_cancel_button_during_a_write_leaves_nothing(tmp_path, backend):
    from nwbconfig_widget.widget import ConfiguratorWidget

    reached, release = threading.Event(), threading.Event()
    data = Gated(reached, release, buffer_shape=(20_000, 40), chunk_shape=CHUNK)
    scenario = Scenario(backend, "write", 1)
    widget = ConfiguratorWidget(make_nwbfile(data), backend=backend, nwbfile_path=str(tmp_path / scenario.target_name))
    widget.backend_configuration.dataset_configurations[LOCATION].update(chunk_shape=CHUNK, buffer_shape=BUFFER)
    try:
        assert _press(widget, "apply")["ok"] is True
        assert reached.wait(timeout=60)
        assert _press(widget, "cancel")["ok"] is True
        release.set()
        widget._job.thread.join(timeout=60)
        assert widget.status == "error" and isinstance(widget.last_error, WriteCancelled)
        assert "cancelled; nothing was written to the target" in str(widget.last_error)
        assert os.listdir(tmp_path) == []
    finally:
        release.set()
        widget.close()


@pytest.mark.parametrize("backend", ["hdf5", "zarr"])
def test_the_widget_cancel_button_during_a_repack_leaves_nothing(tmp_path, sources, backend):
    from nwbconfig_widget.widget import ConfiguratorWidget

    scenario = Scenario(backend, "repack", 2)
    folder = prepared(scenario, tmp_path / "work", sources)
    before = fingerprint(folder)
    widget = ConfiguratorWidget.from_path(
        folder / scenario.source_name, nwbfile_path=str(folder / scenario.target_name)
    )
    try:
        item = widget.backend_configuration.dataset_configurations[LOCATION]
        item.update(
            chunk_shape=(5_000, 40),
            buffer_shape=(5_000, 40),
            compression_method="gzip",
            compression_options={"level": 9},
        )  # fmt: skip  (twenty slow buffers: time to press Cancel)
        assert _press(widget, "apply")["ok"] is True
        deadline = time.monotonic() + 60
        while not widget.progress.get("bytes_done") and widget.status == "writing" and time.monotonic() < deadline:
            time.sleep(0.002)
        assert widget.status == "writing", "the repack ended before Cancel could be pressed"
        assert _press(widget, "cancel")["ok"] is True
        widget._job.thread.join(timeout=60)
        assert widget.status == "error" and isinstance(widget.last_error, WriteCancelled)
    finally:
        widget.close()
    assert_nothing_left(folder, before, scenario)


# ----------------------------------------------------------------------------------------- killed writing processes


def _start_holding_writer(scenario: Scenario, folder: Path, stderr: Any = None) -> subprocess.Popen:
    command = [sys.executable, str(CHILD), "hold", scenario.backend, scenario.path, str(scenario.n_jobs), str(folder)]
    return subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr, text=True, start_new_session=True
    )


def _group_alive(group: int) -> list[int]:
    psutil = pytest.importorskip("psutil")
    alive = []
    for process in psutil.process_iter(["pid", "status"]):
        with contextlib.suppress(psutil.Error):
            if os.getpgid(process.pid) == group and process.info["status"] != psutil.STATUS_ZOMBIE:
                alive.append(process.pid)
    return alive


@pytest.fixture(scope="module")
def killed_writers(tmp_path_factory, sources):
    """Every scenario's writing process, SIGKILLed after its first buffer (all started at once, to save time)."""
    root = tmp_path_factory.mktemp("killed")
    runs = {}
    for scenario in SCENARIOS:
        folder = prepared(scenario, root / scenario.id, sources)
        runs[scenario.id] = (folder, fingerprint(folder), _start_holding_writer(scenario, folder))
    for _folder, _before, process in runs.values():
        assert process.stdout.readline().strip() == "WRITING"
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    return runs


@pytest.mark.parametrize("scenario", SCENARIOS, ids=IDS)
def test_a_killed_writer_leaves_a_recognisable_temporary_that_the_next_write_removes(killed_writers, scenario):
    from nwbconfig_widget.io.atomic import stale_temporaries

    folder, before, process = killed_writers[scenario.id]
    assert process.returncode == -signal.SIGKILL
    deadline = time.monotonic() + 20
    while _group_alive(process.pid) and time.monotonic() < deadline:  # chunk workers see their input close and exit
        time.sleep(0.05)
    assert _group_alive(process.pid) == []
    assert not (folder / scenario.target_name).exists()
    (left,) = stray(folder)
    owner = owner_of(folder / left)
    assert left.endswith(f"-{scenario.target_name}") and owner.pid == process.pid and not owner.alive()
    assert stale_temporaries(folder / scenario.target_name) == [folder / left]
    assert {name: value for name, value in fingerprint(folder).items() if not name.startswith(left)} == before

    run_scenario(scenario, folder)  # the next write to the same target removes it
    assert stray(folder) == []
    after = fingerprint(folder)
    assert {name: value for name, value in after.items() if not name.startswith(scenario.target_name)} == before
    with open_nwbfile(folder / scenario.target_name) as io:
        np.testing.assert_array_equal(io.read().acquisition["raw"].data[:], raw_data())


@pytest.mark.parametrize("backend", ["hdf5", "zarr"])
def test_a_live_concurrent_writers_temporary_is_never_removed(tmp_path, backend):
    scenario = Scenario(backend, "write", 1)
    folder = tmp_path / "work"
    folder.mkdir()
    process = _start_holding_writer(scenario, folder, stderr=subprocess.PIPE)
    try:
        first = process.stdout.readline().strip()
        assert first == "WRITING", (first, os.listdir(folder))
        (theirs,) = stray(folder)
        assert owner_of(folder / theirs).alive()
        run_scenario(scenario, folder)  # ours, to the same target, while theirs is half written
        assert stray(folder) == [theirs], os.listdir(folder)
        process.stdin.write("go on\n")
        process.stdin.flush()
        output, errors = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    # Theirs finished second and found the target written: refused, as any write to an existing target.
    assert "ERROR FileExistsError" in output and "overwrite=True" in output, (output, errors[-3000:])
    assert stray(folder) == [] and sorted(os.listdir(folder)) == [scenario.target_name]


# ----------------------------------------------------------------------------------------- targets that are refused


EXISTING = [scenario for scenario in SCENARIOS if scenario.n_jobs == 1]


@pytest.mark.parametrize("scenario", EXISTING, ids=[scenario.id for scenario in EXISTING])
def test_an_existing_target_is_refused_unless_overwrite(tmp_path, sources, scenario):
    folder = prepared(scenario, tmp_path / "work", sources)
    existing = folder / scenario.target_name
    if backend_is_zarr := scenario.backend == "zarr":
        shutil.copytree(sources["zarr"], existing)  # an earlier Zarr NWB file, marked
        (existing / "kept.txt").write_text("an earlier file")
    else:
        existing.write_bytes(b"an earlier file")
    before = fingerprint(folder)
    with pytest.raises(FileExistsError, match=r"exists; pass overwrite=True to replace it"):
        run_scenario(scenario, folder)
    assert fingerprint(folder) == before
    run_scenario(scenario, folder, overwrite=True)
    assert stray(folder) == [] and not (existing / "kept.txt").exists() if backend_is_zarr else stray(folder) == []
    with open_nwbfile(existing) as io:
        np.testing.assert_array_equal(io.read().acquisition["raw"].data[:], raw_data())


def _same_file_targets(folder: Path, source: Path) -> dict[str, Path]:
    """The source under other names: a relative path, ``./name``, a symbolic link, a hard link (files only)."""
    (folder / "link").symlink_to(source.name, target_is_directory=source.is_dir())
    names = {
        "same-path": source,
        "relative": Path(os.path.relpath(source)),
        "dot-slash": Path(".") / os.path.relpath(source),
        "symlink": folder / "link",
        "parent-dot-dot": folder / "sub" / ".." / source.name,
        "inside-the-source": source / "inner.nwb.zarr",
        "folder-holding-the-source": folder,
    }
    if source.is_file():
        os.link(source, folder / "hardlink.nwb")
        names["hardlink"] = folder / "hardlink.nwb"
        del names["inside-the-source"]
    return names


SAME_KINDS = ["same-path", "relative", "dot-slash", "symlink", "parent-dot-dot", "hardlink", "inside-the-source",
              "folder-holding-the-source"]  # fmt: skip
SAME_CASES = [
    (kind, backend, how)
    for kind in SAME_KINDS
    for backend in ("hdf5", "zarr")
    for how in ("repack", "export")
    if not (kind == "hardlink" and backend == "zarr" or kind == "inside-the-source" and backend == "hdf5")
]


@pytest.mark.parametrize("kind, backend, how", SAME_CASES, ids=["-".join(case) for case in SAME_CASES])
def test_the_source_as_target_is_always_refused(tmp_path, sources, monkeypatch, kind, backend, how):
    from nwbconfig_widget import configure_and_write_nwbfile, repack_nwbfile

    folder = tmp_path / "work"
    (folder / "sub").mkdir(parents=True)
    source = copy_source(sources[backend], folder)
    monkeypatch.chdir(folder)
    targets = _same_file_targets(folder, source)
    before = fingerprint(folder)
    with pytest.raises(ValueError, match=r"source|another path") as raised:
        if how == "repack":
            repack_nwbfile(source, targets[kind], overwrite=True, n_jobs=1)
        else:
            with open_nwbfile(source) as io:
                configure_and_write_nwbfile(io.read(), targets[kind], export=True, overwrite=True, n_jobs=1)
    assert str(targets[kind]) in str(raised.value)
    assert fingerprint(folder) == before


# --------------------------------------------------------------------------------------------- unreadable inputs


def _bad_input(kind: str, folder: Path, sources: dict[str, Path]) -> Path:
    """Make one kind of input that is not a readable NWB file; return its path."""
    good = sources["hdf5"].read_bytes()
    path = folder / {"not-nwb-zarr": "plain.zarr", "file-as-zarr": "x.nwb.zarr", "folder-as-file": "x.nwb"}.get(
        kind, "x.nwb"
    )
    if kind == "truncated":
        path.write_bytes(good[: len(good) // 3])
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "garbage":
        path.write_bytes(np.random.default_rng(0).bytes(100_000))
    elif kind == "damaged-metadata":
        damaged = bytearray(good)
        damaged[96:4096] = b"\x00" * (4096 - 96)  # the superblock's signature stays; what follows is zeroed
        path.write_bytes(bytes(damaged))
    elif kind == "not-nwb-hdf5":
        with h5py.File(path, "w") as file:
            file["data"] = np.arange(10)
    elif kind == "not-nwb-zarr":
        import zarr

        zarr.open_group(str(path), mode="w")["data"] = np.arange(10)
    elif kind == "folder-as-file":
        path.mkdir()
        (path / "notes.txt").write_text("not a file")
    elif kind == "file-as-zarr":
        path.write_text("a text file named like a Zarr folder")
    return path


BAD_INPUTS = {
    "missing": (FileNotFoundError, "does not exist"),
    "empty": (NotAnNWBFileError, "is not an NWB file: it is not an HDF5 file"),
    "truncated": (NotAnNWBFileError, "is not a readable NWB file: HDF5 cannot open it (Unable to"),
    "garbage": (NotAnNWBFileError, "is not an NWB file: it is not an HDF5 file"),
    "damaged-metadata": (NotAnNWBFileError, "is not a readable NWB file: HDF5 cannot open it"),
    "not-nwb-hdf5": (NotAnNWBFileError, "is an HDF5 file but not an NWB file (its root has no nwb_version"),
    "not-nwb-zarr": (NotAnNWBFileError, "is a Zarr folder but not an NWB file (its root has no nwb_version"),
    "folder-as-file": (NotAnNWBFileError, "is a folder but not a Zarr NWB file (it has no .zgroup)"),
    "file-as-zarr": (NotAnNWBFileError, "is a file, but a Zarr NWB file is a folder"),
}
ENTRY_POINTS = ["read-configuration", "repack", "cli-show", "cli-repack"]


@pytest.mark.parametrize("entry", ENTRY_POINTS)
@pytest.mark.parametrize("kind", list(BAD_INPUTS))
def test_an_unreadable_input_gets_a_clear_error_and_nothing_is_written(tmp_path, sources, capsys, kind, entry):
    from nwbconfig_widget import repack_nwbfile
    from nwbconfig_widget.cli import main

    folder = tmp_path / "work"
    folder.mkdir()
    path = _bad_input(kind, folder, sources)
    error_type, phrase = BAD_INPUTS[kind]
    before = fingerprint(folder)
    target = folder / "out.nwb"
    if entry.startswith("cli"):
        arguments = ["show", str(path)] if entry == "cli-show" else ["repack", str(path), str(target), "--no-progress"]
        assert main(arguments) == 1
        error = capsys.readouterr().err
        assert error.count("\n") == 1 and "Traceback" not in error
        assert error.startswith(f"nwbconfig {arguments[0]}: ") and str(path) in error and phrase in error
    else:
        with pytest.raises(error_type) as raised:
            if entry == "repack":
                repack_nwbfile(path, target, n_jobs=1)
            else:
                with open_nwbfile(path) as io:
                    get_existing_backend_configuration(io.read())
        assert str(raised.value).startswith(str(path)) and phrase in str(raised.value)
        assert "Give an .nwb" in str(raised.value) or "copy it again" in str(raised.value)
    assert fingerprint(folder) == before and not target.exists()


@pytest.mark.parametrize("backend", ["hdf5", "zarr"])
def test_cli_repack_of_a_damaged_chunk_prints_one_clear_line(tmp_path, sources, capsys, backend):
    from nwbconfig_widget.cli import main

    folder = tmp_path / "work"
    folder.mkdir()
    source = copy_source(sources[backend], folder)
    damage_a_chunk(source)
    before = fingerprint(folder)
    assert main(["repack", str(source), str(folder / "out.nwb"), "--no-progress", "--jobs", "1"]) == 1
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "Traceback" not in error
    assert f"reading {LOCATION} from {source} failed" in error and "damaged" in error
    assert fingerprint(folder) == before


def _slow_gzip(configuration) -> None:
    """Batch ``configure``: gzip level 9 in small buffers, so the repack is still running when its worker is killed."""
    configuration.apply_global_compression("gzip", {"level": 9})
    configuration.dataset_configurations[LOCATION].update(chunk_shape=(5_000, 40), buffer_shape=(5_000, 40))


def test_a_killed_dask_worker_leaves_a_temporary_that_the_retried_task_removes(tmp_path, sources):
    """``repack_folder`` on a Dask cluster: the worker writing a file is SIGKILLed; Dask retries the file on a new
    worker, whose write removes the dead worker's temporary before writing the target."""
    distributed = pytest.importorskip("distributed")
    from nwbconfig_widget import repack_folder

    source_folder, target_folder = tmp_path / "raw", tmp_path / "repacked"
    source_folder.mkdir()
    copy_source(sources["hdf5"], source_folder)
    before = fingerprint(source_folder)
    killed: list[int] = []

    def kill_the_writer() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not killed:
            for name in stray(target_folder) if target_folder.is_dir() else []:
                owner = owner_of(target_folder / name)
                if owner is not None and owner.alive():
                    os.kill(owner.pid, signal.SIGKILL)
                    killed.append(owner.pid)
                    return
            time.sleep(0.005)

    with (
        distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):
        killer = threading.Thread(target=kill_the_writer)
        killer.start()
        summary = repack_folder(source_folder, target_folder, configure=_slow_gzip, n_jobs=1, client=client)
        killer.join()
    assert killed, "the worker finished before it could be killed"
    assert [result.error for result in summary.results] == [None]  # retried on the restarted worker
    assert stray(target_folder) == [] and sorted(os.listdir(target_folder)) == ["source.nwb"]
    assert fingerprint(source_folder) == before
    with open_nwbfile(target_folder / "source.nwb") as io:
        np.testing.assert_array_equal(io.read().acquisition["raw"].data[:], raw_data())


OTHER_KINDS = {
    "plain-folder-as-hdf5": ("hdf5", "a folder that is not a Zarr NWB file"),
    "plain-folder-as-zarr": ("zarr", "a folder that is not a Zarr NWB file"),
    "zarr-folder-as-hdf5": ("hdf5", "is a folder (Zarr) and the new one is a file (HDF5)"),
    "hdf5-file-as-zarr": ("zarr", "is a file and the new one is a folder (Zarr)"),
}


@pytest.mark.parametrize("kind", list(OTHER_KINDS))
def test_overwrite_never_replaces_a_folder_with_a_file_or_a_plain_folder(tmp_path, sources, kind):
    """overwrite=True replaces an NWB file by an NWB file of the same kind; anything else stays, with the reason."""
    backend, phrase = OTHER_KINDS[kind]
    folder = tmp_path / "work"
    folder.mkdir()
    target = folder / "out.nwb"
    if kind.startswith("plain-folder"):
        target.mkdir()
        (target / "my notes.txt").write_text("not an NWB file")
    elif kind == "zarr-folder-as-hdf5":
        shutil.copytree(sources["zarr"], target)
    else:
        shutil.copy2(sources["hdf5"], target)
    before = fingerprint(folder)
    with pytest.raises(FileExistsError, match=re.escape(phrase)):
        run_scenario(Scenario(backend, "write", 1), folder, target=target, overwrite=True)
    if kind.startswith("plain-folder"):  # nor is the user told that overwrite=True would replace it
        with pytest.raises(FileExistsError, match=re.escape(phrase)):
            run_scenario(Scenario(backend, "write", 1), folder, target=target)
    assert fingerprint(folder) == before


def _ended_process_tag() -> str:
    """The owner part of a temporary's name for a process of this host that has ended."""
    from nwbconfig_widget.io.atomic import Owner

    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    current = Owner.current()
    return f"{current.host}-{ended.pid}-{current.start}"


def _reused_pid_tag() -> str:
    """The owner part for a process that had this process's pid before it (another start time)."""
    from nwbconfig_widget.io.atomic import Owner

    current = Owner.current()
    return f"{current.host}-{current.pid}-1"


OWNERS = {"ended-process": _ended_process_tag, "reused-pid": _reused_pid_tag}


@pytest.mark.parametrize("owner", list(OWNERS))
def test_a_killed_zarr_overwrite_leaves_the_old_folder_which_the_next_write_moves_back(tmp_path, sources, owner):
    """A writer killed between moving the old Zarr target aside and moving the new one in (the fallback where the
    folders cannot be swapped in one step): the old file is put back, never deleted; a pid now used by another
    process (other start time) counts as ended."""
    folder = tmp_path / "work"
    folder.mkdir()
    target = folder / "out.nwb.zarr"
    aside = folder / f".replaced-{OWNERS[owner]()}-0123abcd-{target.name}"
    shutil.copytree(sources["zarr"], aside)
    moved = fingerprint(aside)
    with pytest.raises(FileExistsError, match="exists; pass overwrite=True"):
        run_scenario(Scenario("zarr", "write", 1), folder)  # the old file is back: not replaced without overwrite
    assert sorted(os.listdir(folder)) == [target.name] and fingerprint(target) == moved
