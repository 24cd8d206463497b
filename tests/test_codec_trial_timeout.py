"""A codec that hangs in its trial encode is reported as an error after a timeout; it never hangs the caller.

The hang is real: ``hanging_codec.HangsOnEncode`` is a numcodecs plugin codec whose ``encode`` starts a helper process
and then waits forever. The trial process loads it as numcodecs loads any installed plugin (by entry point, from a
folder put on ``PYTHONPATH``), so no part of the package knows it is being tested. The only test-side change is a
shorter :data:`~nwbconfig_widget._codec_trials.TRIAL_TIMEOUT_SECONDS` (3 s instead of 60 s), so that the test does not
wait a minute; the codec would hang for ever at any timeout.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from nwbconfig_widget import ConfigurationError, ZarrDatasetIOConfiguration

HERE = Path(__file__).parent
SHORT_TIMEOUT = 3.0


@pytest.fixture
def hanging_codec(monkeypatch, tmp_path):
    """The hanging codec offered as a Zarr compression method here and loadable in a new trial process."""
    import hanging_codec
    from numcodecs.registry import codec_registry

    from nwbconfig_widget import _codec_trials, codecs

    folder = hanging_codec.entry_point_folder(tmp_path / "plugin")
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join(filter(None, [str(folder), str(HERE), os.environ.get("PYTHONPATH")]))
    )
    monkeypatch.setitem(codec_registry, hanging_codec.CODEC_ID, hanging_codec.HangsOnEncode)
    monkeypatch.setitem(codecs.AVAILABLE_ZARR_COMPRESSION_METHODS, hanging_codec.CODEC_ID, hanging_codec.HangsOnEncode)
    _codec_trials._stop_worker()  # the next trial process starts with the plugin on its path
    yield hanging_codec
    _codec_trials._stop_worker()


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:  # a dead child nobody has waited for yet is a zombie ("Z")
        return stat.read().split(")")[-1].split()[0] != "Z"


def make_configuration() -> ZarrDatasetIOConfiguration:
    return ZarrDatasetIOConfiguration(
        object_id="abc",
        location_in_file="acquisition/ElectricalSeries/data",
        dataset_name="data",
        dtype=np.dtype("int16"),
        full_shape=(1000, 32),
        chunk_shape=(100, 32),
        buffer_shape=(500, 32),
    )


def choose_hanging_codec(configuration, codec_id: str, pid_folder: Path) -> tuple[ConfigurationError, float]:
    started = time.perf_counter()
    with pytest.raises(ConfigurationError) as caught:
        configuration.update(compression_method=codec_id, compression_options={"pid_folder": str(pid_folder)})
    return caught.value, time.perf_counter() - started


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc to see that the processes are gone")
def test_a_hanging_codec_is_an_error_after_the_timeout_and_its_processes_are_killed(
    hanging_codec, monkeypatch, tmp_path
):
    from nwbconfig_widget import _codec_trials

    monkeypatch.setattr(_codec_trials, "TRIAL_TIMEOUT_SECONDS", SHORT_TIMEOUT)
    configuration = make_configuration()
    before = configuration.to_dict()

    error, elapsed = choose_hanging_codec(configuration, hanging_codec.CODEC_ID, tmp_path)
    assert SHORT_TIMEOUT <= elapsed < SHORT_TIMEOUT + 20
    message = str(error)
    assert message.startswith("acquisition/ElectricalSeries/data: compression_options={'pid_folder': ")  # dataset
    assert f"{hanging_codec.CODEC_ID} cannot encode int16 data" in message  # the codec and the dtype
    assert "no answer in 3 s when encoding a 64 x 32 sample" in message  # the shape tried (the chunks, capped)
    assert "it hangs, and would hang a write" in message
    assert "Choose other options or another method (available: [" in message  # the fix
    assert error.unsupported_data
    assert configuration.to_dict() == before  # the setting was refused

    codec_pid, helper_pid = (int((tmp_path / name).read_text()) for name in ("codec.pid", "helper.pid"))
    assert not alive(codec_pid), "the hung trial process was not killed"
    assert not alive(helper_pid), "the process the codec started (same process group) was not killed"

    # The timeout was not remembered: choosing the codec again runs a new trial (in a new process) and fails again.
    for name in ("codec.pid", "helper.pid"):
        (tmp_path / name).unlink()
    again, _ = choose_hanging_codec(configuration, hanging_codec.CODEC_ID, tmp_path)
    assert "it hangs" in str(again)
    assert int((tmp_path / "codec.pid").read_text()) != codec_pid
    assert not alive(int((tmp_path / "codec.pid").read_text()))

    # Trials work again afterwards, in a new process (at the normal timeout: a loaded machine must not fail this).
    monkeypatch.setattr(_codec_trials, "TRIAL_TIMEOUT_SECONDS", 60.0)
    configuration.update(compression_method="zstd", compression_options={"level": 3})
    assert configuration.compression_method == "zstd"
    assert _codec_trials._worker is not None and _codec_trials._worker.alive()


def test_a_crashing_codec_is_still_reported_with_its_exit_code():
    """A codec that kills the trial process (Sperr on integers, in HDF5) is answered at once, not after the timeout."""
    from nwbconfig_widget import HDF5DatasetIOConfiguration

    configuration = HDF5DatasetIOConfiguration(**{**make_configuration().to_dict(), "compression_method": "gzip"})
    started = time.perf_counter()
    with pytest.raises(ConfigurationError, match=r"the codec ended the process that encoded a sample \(exit code -"):
        configuration.compression_method = "Sperr"
    assert time.perf_counter() - started < 30


def test_a_trial_process_that_crashed_or_was_killed_leaves_no_files(monkeypatch, tmp_path):
    """Sperr aborts the trial process in the middle of writing its HDF5 file, and a hung codec's process is killed:
    neither can clean up after itself, so the folder of its trial files is made and removed by this process."""
    import tempfile

    from nwbconfig_widget import HDF5DatasetIOConfiguration, _codec_trials, codecs

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    _codec_trials._stop_worker()
    codecs._cached_trial.cache_clear()  # every choice below runs a trial
    configuration = HDF5DatasetIOConfiguration(**{**make_configuration().to_dict(), "compression_method": "gzip"})
    configuration.compression_method = "Zstd"  # a trial that works, in a new process with its folder here
    folders = list(tmp_path.glob("nwbconfig-trial-*"))
    assert len(folders) == 1 and _codec_trials._worker.folder == str(folders[0])
    assert list(folders[0].iterdir()) == []  # each trial's file is removed once the trial is done
    crashed = _codec_trials._worker
    with pytest.raises(ConfigurationError, match="the codec ended the process"):
        configuration.compression_method = "Sperr"
    assert crashed.process.returncode < 0 and not Path(crashed.folder).exists()
    configuration.compression_method = "LZ4"
    worker = _codec_trials._worker
    assert list(tmp_path.iterdir()) == [Path(worker.folder)]  # the process now answering trials, and no other
    worker.kill()  # as after a timeout
    assert not Path(worker.folder).exists()
    _codec_trials._stop_worker()
    assert list(tmp_path.iterdir()) == []


def test_the_timeout_is_generous():
    """Ten times the slowest trial measured on a loaded 2-core machine (6 s): see TRIAL_TIMEOUT_SECONDS."""
    from nwbconfig_widget import _codec_trials

    assert _codec_trials.TRIAL_TIMEOUT_SECONDS >= 60
