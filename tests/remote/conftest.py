"""Fixtures of the remote-file tests: NWB files (HDF5 and Zarr) served by a local HTTP server with Range requests and
by moto's S3 server, both started here, in threads, once per test session."""

from __future__ import annotations

import importlib.util
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from remote_servers import RangeHTTPServer, S3Server

BUCKET = "nwb-bucket"
_HERE = Path(__file__).resolve().parent


def _missing_libraries() -> list[str]:
    missing = []
    for module in ("fsspec", "aiohttp", "s3fs", "moto.server"):
        try:
            found = importlib.util.find_spec(module) is not None
        except ImportError:  # moto itself missing
            found = False
        if not found:
            missing.append(module)
    return missing


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip the tests of this folder, saying why, when the remote extra or moto's server (test extra) is missing."""
    missing = _missing_libraries()
    if not missing:
        return
    skip = pytest.mark.skip(
        reason=f"the remote tests need {', '.join(missing)} (remote extra; moto[server]: test extra)"
    )
    for item in items:
        if Path(str(item.path)).parent == _HERE:
            item.add_marker(skip)


def _write(path: Path, backend: str) -> Path:
    from nwbconfig_widget import configure_and_write_nwbfile, get_default_backend_configuration
    from nwbconfig_widget.demo import make_demo_nwbfile

    nwbfile = make_demo_nwbfile(seconds=3.0)  # an ElectricalSeries of 11.5 MB among small datasets
    configuration = get_default_backend_configuration(nwbfile, backend=backend)
    configure_and_write_nwbfile(nwbfile, path, backend_configuration=configuration)
    return path


@pytest.fixture(scope="session")
def served_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with session.nwb (HDF5) and session.nwb.zarr, written with the default configuration."""
    folder = tmp_path_factory.mktemp("served")
    _write(folder / "session.nwb", "hdf5")
    _write(folder / "session.nwb.zarr", "zarr")
    return folder


@pytest.fixture(scope="session")
def _http_server(served_folder: Path) -> Iterator[RangeHTTPServer]:
    with RangeHTTPServer(served_folder) as server:
        yield server


@pytest.fixture(scope="session")
def _s3_server(served_folder: Path) -> Iterator[S3Server]:
    with S3Server() as server:
        server.client().create_bucket(Bucket=BUCKET)
        server.upload(served_folder / "session.nwb", BUCKET, "session.nwb")
        server.upload(served_folder / "session.nwb.zarr", BUCKET, "session.nwb.zarr")
        yield server


@pytest.fixture
def http_server(_http_server: RangeHTTPServer) -> Iterator[RangeHTTPServer]:
    """The HTTP server, with its counters at zero and no faults; the faults a test sets are removed after it."""
    _http_server.stats.reset()
    yield _http_server
    _http_server.faults.reset()


@pytest.fixture
def s3_server(_s3_server: S3Server, monkeypatch: pytest.MonkeyPatch) -> Iterator[S3Server]:
    """The S3 server, with counters at zero and no faults; its endpoint and keys are in the environment, as a user
    would set them for s3fs (``AWS_ENDPOINT_URL``...)."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", _s3_server.endpoint_url)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    _s3_server.stats.reset()
    yield _s3_server
    _s3_server.faults.reset()


@pytest.fixture
def changing_copy(served_folder: Path) -> Iterator[Path]:
    """A copy of session.nwb that a test may replace while it is read (served as changing.nwb)."""
    path = served_folder / "changing.nwb"
    shutil.copyfile(served_folder / "session.nwb", path)
    yield path
    path.unlink(missing_ok=True)
