"""A remote file that cannot be read gives one line naming the address and what to do, and nothing is written:
unreachable hosts, 403 and 404 answers, timeouts, and a file that changes while it is read, against real servers."""

from __future__ import annotations

import socket
import time

import pytest
from conftest import BUCKET

from nwbconfig_widget.cli import main
from nwbconfig_widget.io.remote import RemoteReadError, open_remote_nwbfile, open_remote_tree, recording_sources


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _fails_in_one_line(capsys, arguments: list[str], *phrases: str) -> str:
    """Run nwbconfig; it must exit with 1 and print one line (no traceback) holding every phrase."""
    assert main(arguments) == 1
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    for phrase in phrases:
        assert phrase in lines[0], lines[0]
    return lines[0]


def _config_writes_nothing(capsys, tmp_path, address: str, *phrases: str) -> str:
    """``nwbconfig config`` fails in one line, and its --out file is not written."""
    out = tmp_path / "configuration.json"
    line = _fails_in_one_line(capsys, ["config", address, "--out", str(out)], address, *phrases)
    assert not out.exists()
    return line


def test_an_unreachable_http_host(capsys, tmp_path):
    address = f"http://127.0.0.1:{_closed_port()}/session.nwb"
    _config_writes_nothing(capsys, tmp_path, address, "cannot reach 127.0.0.1", "check the address")


def test_an_unreachable_s3_endpoint(s3_server, capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{_closed_port()}")
    monkeypatch.setenv("NWBCONFIG_REMOTE_TIMEOUT", "2")
    _config_writes_nothing(capsys, tmp_path, f"s3://{BUCKET}/session.nwb", "cannot reach", "AWS_ENDPOINT_URL")


@pytest.mark.parametrize("protocol", ["http", "s3"])
def test_a_forbidden_file(protocol, http_server, s3_server, capsys, tmp_path):
    if protocol == "http":
        http_server.faults.errors["/session.nwb"] = 403
        address = http_server.url("session.nwb")
    else:
        s3_server.faults.errors[f"/{BUCKET}/session.nwb"] = 403
        address = f"s3://{BUCKET}/session.nwb"
    _config_writes_nothing(capsys, tmp_path, address, "access refused (HTTP 403)", "credentials")
    with pytest.raises(RemoteReadError) as caught:
        open_remote_nwbfile(address)
    assert caught.value.reason == "refused"


@pytest.mark.parametrize("protocol", ["http", "s3"])
def test_a_missing_file(protocol, http_server, s3_server, capsys, tmp_path):
    address = http_server.url("missing.nwb") if protocol == "http" else f"s3://{BUCKET}/missing.nwb"
    _config_writes_nothing(capsys, tmp_path, address, "was not found (HTTP 404)", "check the address")


def test_a_forbidden_zarr_store(http_server, capsys, tmp_path):
    http_server.faults.errors["/session.nwb.zarr/"] = 403
    address = http_server.url("session.nwb.zarr")
    _config_writes_nothing(capsys, tmp_path, address, "access refused (HTTP 403)")


@pytest.mark.parametrize("protocol", ["http", "s3"])
def test_a_server_that_does_not_answer_in_time(protocol, http_server, s3_server, capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("NWBCONFIG_REMOTE_TIMEOUT", "0.5")
    server = http_server if protocol == "http" else s3_server
    server.faults.latency = 1.5
    address = http_server.url("session.nwb") if protocol == "http" else f"s3://{BUCKET}/session.nwb"
    started = time.monotonic()
    _config_writes_nothing(capsys, tmp_path, address, "did not answer within 0.5 s", "NWBCONFIG_REMOTE_TIMEOUT")
    assert time.monotonic() - started < 60  # retries are bounded


def _replace_at_first_read(server, name: str, replace) -> None:
    """Replace the file (once) when the server receives the first GET of it, before it answers it: the client has
    seen the file's size and ETag, and reads it."""
    done = []

    def on_request(count: int) -> None:
        method, path = server.stats.log[count - 1].split()[:2]
        if method == "GET" and path.endswith(name) and not done:
            done.append(count)
            replace()

    server.faults.on_request.append(on_request)


def test_an_http_file_that_changes_while_it_is_read(http_server, changing_copy, capsys, tmp_path):
    def replace() -> None:  # another upload of the file: other bytes, another size and time
        data = changing_copy.read_bytes()
        changing_copy.write_bytes(data[: len(data) // 2])

    _replace_at_first_read(http_server, "/changing.nwb", replace)
    line = _config_writes_nothing(
        capsys, tmp_path, http_server.url("changing.nwb"), "changed while it was being read", "Read it again"
    )
    assert "nothing was written" in line


def test_a_file_tree_that_fails_to_open_closes_its_remote_file(http_server, changing_copy):
    """The writer opens the source's file tree again (for its links); when that open fails, the remote file it
    opened is closed at once, not left to the end of the process."""
    _replace_at_first_read(http_server, "/changing.nwb", lambda: changing_copy.write_bytes(b"other bytes"))
    with recording_sources() as sources, pytest.raises(RemoteReadError, match="changed while it was being read"):
        open_remote_tree(http_server.url("changing.nwb"))
    assert len(sources) == 1 and not sources[0].file_open


def test_an_s3_object_that_changes_while_it_is_read(s3_server, served_folder, capsys, tmp_path):
    key = "changing.nwb"
    client = s3_server.client()
    client.upload_file(str(served_folder / "session.nwb"), BUCKET, key)
    data = (served_folder / "session.nwb").read_bytes()
    s3_server.stats.reset()
    _replace_at_first_read(
        s3_server, "/changing.nwb", lambda: client.put_object(Bucket=BUCKET, Key=key, Body=data[: len(data) // 2])
    )
    _config_writes_nothing(capsys, tmp_path, f"s3://{BUCKET}/{key}", "changed while it was being read")


def test_a_file_that_is_not_nwb(http_server, served_folder, capsys, tmp_path):
    (served_folder / "page.html").write_text("<html><body>not an NWB file</body></html>")
    address = http_server.url("page.html")
    _config_writes_nothing(capsys, tmp_path, address, "is not a readable NWB file", "Give the address of an .nwb")


def test_a_server_error(http_server, capsys, tmp_path):
    http_server.faults.errors["/session.nwb"] = 503
    address = http_server.url("session.nwb")
    _config_writes_nothing(capsys, tmp_path, address, "the server answered HTTP 503", "try again later")
