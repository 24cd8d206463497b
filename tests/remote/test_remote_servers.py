"""The test servers themselves: Range requests, injected latency and bandwidth limits (lower bounds only: a sleep is
never shorter than asked), counters, and the package without the remote extra."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
from conftest import BUCKET


def test_the_http_server_serves_ranges_slowly_when_told(http_server, served_folder):
    import fsspec

    fs = fsspec.filesystem("http", skip_instance_cache=True)
    address = http_server.url("session.nwb")
    expected = (served_folder / "session.nwb").read_bytes()[1000:1_001_000]
    http_server.faults.latency, http_server.faults.bandwidth = 0.3, 4e6
    started = time.monotonic()
    assert fs.cat_file(address, start=1000, end=1_001_000) == expected
    assert time.monotonic() - started >= 0.3 + 1e6 / 4e6 * 0.95
    assert (http_server.stats.requests, http_server.stats.bytes_sent) == (1, 1_000_000)
    assert http_server.stats.log == [f"GET /session.nwb bytes=1000-{1_000_999}"]


def test_answers_sent_at_once_share_the_bandwidth(http_server, served_folder):
    """Four ranges fetched concurrently (as zarr fetches the chunks of a selection) take as long as their bytes at
    the bandwidth, as on one network link, not as long as one of them."""
    import fsspec

    fs = fsspec.filesystem("http", skip_instance_cache=True)
    address = http_server.url("session.nwb")
    data = (served_folder / "session.nwb").read_bytes()
    http_server.faults.bandwidth = 4e6
    ranges = [(start, start + 250_000) for start in (0, 300_000, 600_000, 900_000)]
    started = time.monotonic()
    got = fs.cat_ranges([address] * 4, [start for start, _ in ranges], [end for _, end in ranges])
    elapsed = time.monotonic() - started
    assert got == [data[start:end] for start, end in ranges]
    assert elapsed >= 1e6 / 4e6 * 0.95  # 1 MB in all, at 4 MB/s
    assert http_server.stats.requests == 4


def test_the_s3_server_serves_ranges_slowly_when_told(s3_server, served_folder):
    import s3fs

    fs = s3fs.S3FileSystem(**s3_server.storage_options, skip_instance_cache=True)
    expected = (served_folder / "session.nwb").read_bytes()[:500_000]
    s3_server.faults.latency, s3_server.faults.bandwidth = 0.3, 2e6
    started = time.monotonic()
    assert fs.cat_file(f"{BUCKET}/session.nwb", start=0, end=500_000) == expected
    assert time.monotonic() - started >= 0.3 + 0.5e6 / 2e6 * 0.95
    assert s3_server.stats.bytes_sent == 500_000
    assert s3_server.stats.log[-1] == "GET /nwb-bucket/session.nwb bytes=0-499999"


@pytest.mark.parametrize(
    ("address", "missing"),
    [
        ("s3://bucket/session.nwb", "s3fs"),
        ("https://example.org/session.nwb", "aiohttp"),
        ("https://example.org/session.nwb", "fsspec"),
    ],
)
def test_without_the_remote_extra_the_package_works_and_names_the_extra(address, missing):
    code = f"""
import sys
sys.modules[{missing!r}] = None  # as if not installed: importing it raises ImportError
import nwbconfig_widget
from nwbconfig_widget.cli import main
from nwbconfig_widget.io.remote import RemoteExtraMissingError, open_remote_nwbfile
try:
    open_remote_nwbfile({address!r})
except RemoteExtraMissingError as error:
    print(error)
sys.exit(main(["show", {address!r}]))
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert result.returncode == 1, result.stderr
    assert f"needs {missing}" in result.stdout and "pip install 'nwbconfig_widget[remote]'" in result.stdout
    assert result.stderr.strip().splitlines() == [f"nwbconfig show: {result.stdout.strip()}"]
