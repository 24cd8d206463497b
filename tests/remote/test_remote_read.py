"""Remote NWB files (HDF5 over HTTP and S3, Zarr over HTTP and S3) read where they live, against real local servers:
the configuration read remotely equals the one read locally, showing it fetches only a small part of the file, and the
client's count of what it fetched equals the server's."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import BUCKET

from nwbconfig_widget import get_existing_backend_configuration
from nwbconfig_widget.cli import main
from nwbconfig_widget.io.remote import RemoteLocation, is_remote, open_remote_nwbfile
from nwbconfig_widget.io.repack import open_nwbfile

SOURCES = ["http-hdf5", "http-zarr", "s3-hdf5", "s3-zarr"]


def _address(kind: str, http_server, s3_server) -> tuple[str, str]:
    """The remote address of a served file and its local name."""
    protocol, backend = kind.split("-")
    name = "session.nwb" if backend == "hdf5" else "session.nwb.zarr"
    address = http_server.url(name) if protocol == "http" else f"s3://{BUCKET}/{name}"
    return address, name


def _settings(configuration) -> dict:
    return {
        location: (
            dataset.chunk_shape,
            dataset.compression_method,
            dataset.compression_options,
            dataset.filter_methods,
            dataset.filter_options,
            dataset.dtype,
            dataset.full_shape,
        )
        for location, dataset in configuration.dataset_configurations.items()
    }


def _local_configuration(path: Path):
    with open_nwbfile(path) as io:
        return get_existing_backend_configuration(io.read())


@pytest.mark.parametrize("kind", SOURCES)
def test_the_remote_configuration_is_the_local_one(kind, http_server, s3_server, served_folder):
    address, name = _address(kind, http_server, s3_server)
    local = _local_configuration(served_folder / name)
    with open_remote_nwbfile(address) as (nwbfile, io):
        remote = get_existing_backend_configuration(nwbfile)
        assert io.remote.fetched.requests > 0
    assert remote.backend == local.backend
    assert len(remote) == len(local) >= 10
    assert _settings(remote) == _settings(local)
    assert remote.unconfigurable_datasets == local.unconfigurable_datasets


@pytest.mark.parametrize("kind", ["http-hdf5", "s3-hdf5"])
def test_showing_an_hdf5_file_fetches_its_metadata_only(kind, http_server, s3_server, served_folder):
    address, name = _address(kind, http_server, s3_server)
    server = http_server if kind.startswith("http") else s3_server
    size = (served_folder / name).stat().st_size
    with open_remote_nwbfile(address) as (nwbfile, io):
        get_existing_backend_configuration(nwbfile)
        fetched = io.remote.fetched.copy()
    # The ElectricalSeries alone is 10 MB of compressed chunks; the metadata is a few hundred KB.
    assert fetched.bytes < 0.08 * size, (fetched, size)
    assert fetched.requests <= 20
    # Counted at the client, the same as the server served.
    assert (fetched.requests, fetched.bytes) == (server.stats.requests, server.stats.bytes_sent)


def test_showing_a_zarr_store_fetches_no_chunk(http_server, served_folder):
    with open_remote_nwbfile(http_server.url("session.nwb.zarr")) as (nwbfile, io):
        get_existing_backend_configuration(nwbfile)
        fetched = io.remote.fetched.copy()
    chunk_keys = [line for line in http_server.stats.log if re.search(r"/\d+(\.\d+)*$", line.split()[1])]
    heavy = [line for line in chunk_keys if "ElectricalSeries/data/" in line or "TwoPhotonSeries/data/" in line]
    assert heavy == [], heavy
    # Metadata only: the store's .z* documents and its cached schema (which hdmf-zarr 0.12, the lowest supported,
    # reads, and may read again when it opens the store anew for a reference), far less than its data.
    store = served_folder / "session.nwb.zarr"
    metadata = sum(path.stat().st_size for path in store.rglob("*") if path.is_file() and path.name.startswith(".z"))
    schema = sum(path.stat().st_size for path in (store / "specifications").rglob("*") if path.is_file())
    data = sum(path.stat().st_size for path in store.rglob("*") if path.is_file()) - metadata - schema
    assert fetched.bytes <= 2 * (metadata + schema) < data / 10, (fetched.bytes, metadata, schema, data)
    assert (fetched.requests, fetched.bytes) == (http_server.stats.requests, http_server.stats.bytes_sent)


def _fetched_line(stderr: str) -> tuple[float, int, str]:
    found = re.findall(r"^fetched ([\d.]+) MB in (\d+) requests from (\S+)$", stderr, re.MULTILINE)
    assert len(found) == 1, stderr
    megabytes, requests, address = found[0]
    return float(megabytes), int(requests), address


@pytest.mark.parametrize("kind", SOURCES)
def test_nwbconfig_show_prints_the_configuration_and_what_it_fetched(kind, http_server, s3_server, capsys):
    address, _ = _address(kind, http_server, s3_server)
    server = http_server if kind.startswith("http") else s3_server
    assert main(["show", "--json", address]) == 0
    captured = capsys.readouterr()
    assert '"acquisition/ElectricalSeries/data"' in captured.out
    megabytes, requests, said = _fetched_line(captured.err)
    assert said == address
    assert requests == server.stats.requests
    assert megabytes == pytest.approx(server.stats.bytes_sent / 1e6, abs=0.006), server.stats.log


@pytest.mark.parametrize("kind", ["http-hdf5", "s3-zarr"])
def test_nwbconfig_preview_of_a_remote_file_is_the_local_preview(kind, http_server, s3_server, served_folder, capsys):
    address, name = _address(kind, http_server, s3_server)
    server = http_server if kind.startswith("http") else s3_server
    assert main(["preview", str(served_folder / name)]) == 0
    local = capsys.readouterr().out
    server.stats.reset()
    assert main(["preview", address]) == 0
    captured = capsys.readouterr()

    def sizes(text: str) -> list[str]:  # every dataset's uncompressed, estimated size and ratio (not the speeds)
        return [line.split()[:4] for line in text.splitlines()]

    assert sizes(captured.out) == sizes(local)
    megabytes, requests, _ = _fetched_line(captured.err)
    assert requests == server.stats.requests
    # Each block is fetched once at most: never more than the file.
    stored = sum(path.stat().st_size for path in (served_folder / name).rglob("*")) if kind.endswith("zarr") else 0
    stored = stored or (served_folder / name).stat().st_size
    assert megabytes * 1e6 <= stored * 1.01


def test_the_widget_opens_a_remote_file_and_repacks_it_locally(http_server, served_folder, tmp_path):
    from nwbfiles import assert_same_values

    from nwbconfig_widget import ConfiguratorWidget

    address = http_server.url("session.nwb")
    widget = ConfiguratorWidget.from_path(address)
    try:
        assert widget.source_path == address
        assert widget.mode == "repack"
        assert Path(widget.output_path).name == "session_repacked.nwb"
        assert _settings(widget.backend_configuration) == _settings(_local_configuration(served_folder / "session.nwb"))
        remote = widget._source_io.remote
        assert remote.fetched.requests == http_server.stats.requests
        widget.output_path = str(tmp_path / "copy.nwb")
        widget.backend_configuration.apply_global_compression("Zstd")
        job = widget.apply()
        job.thread.join(timeout=600)
        assert widget.status == "done", widget.error
    finally:
        widget.close()
    assert remote._file is None  # closed with the widget
    assert assert_same_values(served_folder / "session.nwb", tmp_path / "copy.nwb") >= 20
    with open_nwbfile(tmp_path / "copy.nwb") as io:
        written = get_existing_backend_configuration(io.read())
    assert written.dataset_configurations["acquisition/ElectricalSeries/data"].compression_method == "Zstd"


def test_remote_locations():
    assert is_remote("HTTPS://example.org/a.nwb") and is_remote("s3://bucket/key.nwb")
    assert not is_remote("a/https://b.nwb") and not is_remote(Path("s3:/bucket"))
    location = RemoteLocation("s3://bucket/folder/session.nwb.zarr/")
    assert location.name == "session.nwb.zarr"
    assert location.resolve() is location
    assert location.with_name("x.nwb") == Path("x.nwb")


def test_a_redirected_address_is_read_and_every_request_counted(http_server, served_folder):
    """An archive's download address redirects to where the file is stored: the redirects are counted too."""
    http_server.faults.redirects["/download/session"] = "/session.nwb"
    with open_remote_nwbfile(http_server.url("download/session")) as (nwbfile, io):
        remote = get_existing_backend_configuration(nwbfile)
        fetched = io.remote.fetched.copy()
    assert _settings(remote) == _settings(_local_configuration(served_folder / "session.nwb"))
    assert (fetched.requests, fetched.bytes) == (http_server.stats.requests, http_server.stats.bytes_sent)
    assert sum(line.split()[1] == "/download/session" for line in http_server.stats.log) == fetched.requests // 2


def test_the_bytes_counted_at_the_client_are_the_bytes_the_s3_server_sent(http_server, s3_server):
    """Error bodies count too: zarr probes keys that do not exist, and each 404 brings a body (the CLI's rounded
    figure hid a gap of a few KB until it crossed a rounding boundary)."""
    from nwbconfig_widget import get_existing_backend_configuration
    from nwbconfig_widget.io.remote import open_remote_nwbfile

    address, _ = _address("s3-zarr", http_server, s3_server)
    with open_remote_nwbfile(address) as (nwbfile, io):
        get_existing_backend_configuration(nwbfile)
        fetched = io.remote.fetched
    assert any(" 404" in line or "/.zgroup/.z" in line for line in s3_server.stats.log)  # probes of missing keys
    assert (fetched.requests, fetched.bytes) == (s3_server.stats.requests, s3_server.stats.bytes_sent)
