"""The nwbconfig command: output, files written, and clear failures with non-zero exit codes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import h5py
import pytest
from nwbfiles import LEGACY_DATA, assert_same_values

from nwbconfig_widget import BackendConfiguration
from nwbconfig_widget.cli import main

SOURCE = LEGACY_DATA / "hdf5plugin_filters.nwb"


def test_show_prints_the_existing_configuration(capsys):
    assert main(["show", str(SOURCE)]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("HDF5 dataset configurations\n")
    assert "acquisition/zstd/data" in printed and "compression options : {'clevel': 7}" in printed


def test_show_json_round_trips(capsys):
    assert main(["show", str(SOURCE), "--json"]) == 0
    configuration = BackendConfiguration.from_json(capsys.readouterr().out)
    assert configuration.dataset_configurations["acquisition/blosc_zstd/data"].compression_method == "Blosc"


def test_config_then_edit_then_repack(tmp_path):
    config = tmp_path / "cfg.json"
    assert main(["config", str(SOURCE), "--out", str(config)]) == 0
    saved = json.loads(config.read_text())
    for item in saved["dataset_configurations"]:
        if item["location_in_file"] == "acquisition/zstd/data":
            item["chunk_shape"] = [500, 4]
            item["compression_options"] = {"clevel": 2}
    config.write_text(json.dumps(saved))
    source = tmp_path / "source.nwb"
    shutil.copy2(SOURCE, source)
    target = tmp_path / "repacked.nwb"
    assert main(["repack", str(source), str(target), "--config", str(config)]) == 0
    with h5py.File(target, "r") as file:
        dataset = file["acquisition/zstd/data"]
        assert dataset.chunks == (500, 4)
        assert tuple(dataset.id.get_create_plist().get_filter(0)[2]) == (2,)
    assert assert_same_values(source, target) > 5


def test_repack_to_zarr_with_the_default_configuration(tmp_path):
    target = tmp_path / "out.nwb.zarr"
    assert main(["repack", str(SOURCE), str(target)]) == 0
    assert target.is_dir() and assert_same_values(SOURCE, target) > 5


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["show", "missing.nwb"], "does not exist"),
        (["show", "{README}"], "cannot read"),
        (["repack", str(SOURCE), "{tmp}/x.nwb", "--config", "{tmp}/bad.json"], "is not valid JSON"),
        (["repack", str(SOURCE), "{tmp}/x.nwb", "--config", "{tmp}/invalid.json"], "invalid setting"),
        (["repack", str(SOURCE), "{tmp}/x.nwb", "--config", "{tmp}/other.json"], "no object with id"),
        (["repack", str(SOURCE), "{tmp}/exists.nwb"], "overwrite"),
        (["config", str(SOURCE), "--out", "{tmp}/exists.nwb"], "--overwrite"),
    ],
)
def test_failures_say_why_and_exit_non_zero(tmp_path, capsys, arguments, message):
    from nwbfiles import make_page_nwbfile

    from nwbconfig_widget import get_default_backend_configuration

    (tmp_path / "bad.json").write_text("{not json")
    valid = BackendConfiguration.from_json(_existing_json(capsys)).to_dict()
    valid["dataset_configurations"][0]["chunk_shape"] = [10**9, 1]
    (tmp_path / "invalid.json").write_text(json.dumps(valid))
    get_default_backend_configuration(make_page_nwbfile()).to_json(tmp_path / "other.json")
    (tmp_path / "exists.nwb").write_bytes(b"keep me")
    readme = LEGACY_DATA / "README.md"
    arguments = [argument.format(tmp=tmp_path, README=readme) for argument in arguments]
    assert main(arguments) == 1
    error = capsys.readouterr().err
    last_line = error.strip().splitlines()[-1]  # a progress bar may come before it
    assert last_line.startswith(f"nwbconfig {arguments[0]}: ") and message in last_line
    assert (tmp_path / "exists.nwb").read_bytes() == b"keep me"
    assert not (tmp_path / "x.nwb").exists()


def _existing_json(capsys) -> str:
    main(["show", str(SOURCE), "--json"])
    return capsys.readouterr().out


def test_the_installed_command_and_module_entry_point(tmp_path):
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "nwbconfig_widget",
            "demo",
            "--write-only",
            "--seconds",
            "0.2",
            "--output",
            str(tmp_path / "d.nwb"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr
    assert "acquisition/ElectricalSeries/data" in completed.stdout and "Wrote" in completed.stdout
    with h5py.File(tmp_path / "d.nwb", "r") as file:
        assert file["acquisition/TwoPhotonSeries/data"].compression == "gzip"
    usage = subprocess.run([sys.executable, "-m", "nwbconfig_widget", "repack"], capture_output=True, text=True)
    assert usage.returncode == 2 and "usage:" in usage.stderr
    for command in ("show", "config", "repack", "demo"):
        helped = subprocess.run(
            [sys.executable, "-m", "nwbconfig_widget", command, "--help"], capture_output=True, text=True
        )
        assert helped.returncode == 0 and "usage: nwbconfig " + command in helped.stdout


def test_demo_starts_jupyterlab_on_the_quickstart_and_stops(tmp_path):
    import json as json_module
    import socket
    import time
    import urllib.request

    pytest.importorskip("jupyterlab")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    folder = tmp_path / "demo"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "nwbconfig_widget",
            "demo",
            "--dir",
            str(folder),
            "--seconds",
            "0.2",
            "--no-browser",
            "--port",
            str(port),
            "--token",
            "test-token",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}/api/contents/01_quickstart.ipynb?token=test-token&content=0"
        deadline, answer = time.monotonic() + 180, None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    answer = json_module.load(response)
                    break
            except OSError:
                time.sleep(0.5)
        assert answer is not None, "JupyterLab did not answer"
        assert answer["name"] == "01_quickstart.ipynb" and answer["type"] == "notebook"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/lab?token=test-token", timeout=10) as response:
            assert response.status == 200
        with h5py.File(folder / "demo.nwb", "r") as file:
            assert file["acquisition/ElectricalSeries/data"].shape[1] == 64
        assert (folder / "04_repacking.ipynb").exists()
    finally:
        server.terminate()
        server.wait(timeout=60)
    assert server.returncode is not None


def test_preview_prints_estimates_and_compares_codecs(capsys):
    source = LEGACY_DATA / "pynwb_2x_hdf5.nwb"
    assert main(["preview", str(source)]) == 0
    printed = capsys.readouterr().out
    assert "acquisition/ElectricalSeries/data" in printed and "Estimated file size:" in printed
    assert main(["preview", str(source), "--codecs", "gzip", "Zstd"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[0] == "codec" and [line.split()[0] for line in lines[1:]] == ["gzip", "Zstd"]
    assert main(["preview", str(source), "--codecs", "nope"]) == 1
    assert "not an available HDF5 compression method" in capsys.readouterr().err


def test_repack_with_a_preset_jobs_and_a_progress_bar(tmp_path, capsys):
    target = tmp_path / "fast.nwb"
    assert main(["repack", str(SOURCE), str(target), "--preset", "fast", "--jobs", "2"]) == 0
    captured = capsys.readouterr()
    assert "100%" in captured.err  # the progress bar
    with h5py.File(target, "r") as file:
        filter_ids = {
            file[f"acquisition/{name}/data"].id.get_create_plist().get_filter(0)[0] for name in ("zstd", "lz4")
        }
    assert filter_ids == {32001}  # Blosc, the fast preset's codec
    assert assert_same_values(SOURCE, target) > 5
    assert main(["repack", str(SOURCE), str(tmp_path / "x.nwb"), "--jobs", "0"]) == 1


def test_ctrl_c_during_a_repack_prints_one_line_and_exits_130(tmp_path):
    """A real SIGINT to a real ``nwbconfig repack``, sent once its temporary file exists (the write has begun)."""
    import os
    import signal
    import time
    from datetime import datetime, timezone

    import numpy as np
    from interrupted_write import sigint_as_in_a_terminal
    from pynwb import NWBHDF5IO, NWBFile, TimeSeries

    source, target = tmp_path / "source.nwb", tmp_path / "out" / "target.nwb"
    target.parent.mkdir()
    nwbfile = NWBFile("interrupted repack", "ctrl-c", datetime(2024, 1, 1, tzinfo=timezone.utc))
    noise = np.random.default_rng(0).integers(-2000, 2000, size=(1_000_000, 64), dtype="int16")
    nwbfile.add_acquisition(TimeSeries(name="noise", data=noise, unit="uV", rate=30_000.0))
    with NWBHDF5IO(str(source), mode="w") as io:
        io.write(nwbfile)

    command = [sys.executable, "-m", "nwbconfig_widget", "repack", str(source), str(target), "--preset", "archive"]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=sigint_as_in_a_terminal
    )
    deadline = time.monotonic() + 120
    while not any(name.startswith(".partial-") for name in os.listdir(target.parent)):
        assert process.poll() is None, f"the repack ended before its write began: {process.communicate()}"
        assert time.monotonic() < deadline, "the repack's temporary file never appeared"
        time.sleep(0.01)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=120)

    assert process.returncode == 130, stderr
    last = stderr.strip().splitlines()[-1]
    assert last == "nwbconfig repack: interrupted: nothing was written", stderr
    assert "Traceback" not in stderr
    assert os.listdir(target.parent) == []
