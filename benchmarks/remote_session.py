"""A remote session measured: ``nwbconfig show``, ``preview`` and ``repack`` of NWB files served over HTTP and S3.

    python benchmarks/remote_session.py [--workdir DIR] [--seconds 10] [--latency 0.02] [--bandwidth 50e6]

The files: the demo session of ``--seconds`` (an int16 ElectricalSeries of 64 channels at 30 kHz and a small
TwoPhotonSeries, among the small datasets of a real file), written once with the default configuration as HDF5
(``session.nwb``) and Zarr (``session.nwb.zarr``) in the work folder; and ``many_chunks.nwb``, one TimeSeries of
200,000 x 32 int16 noise in 100 gzip chunks of 128 KB, whose preview samples a part of the chunks. The servers are
the test suite's (``tests/remote/remote_servers.py``): an HTTP server that honours Range requests and moto's S3
server, both started here on 127.0.0.1, with ``--latency`` seconds injected before every answer and ``--bandwidth``
bytes/s at most.

Each command runs as a user runs it, in its own process (``python -m nwbconfig_widget ...``); the script prints the
command, the last lines of its output, the line in which the client says what it fetched, what the server counted
(requests and body bytes), the wall time and the load average. The file sizes are printed first.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "remote"))

from remote_servers import RangeHTTPServer, S3Server  # noqa: E402 (the test servers, beside the tests)


def _write_files(folder: Path, seconds: float) -> None:
    from nwbconfig_widget import configure_and_write_nwbfile, get_default_backend_configuration
    from nwbconfig_widget.demo import make_demo_nwbfile

    for name, backend in (("session.nwb", "hdf5"), ("session.nwb.zarr", "zarr")):
        if not (folder / name).exists():
            nwbfile = make_demo_nwbfile(seconds=seconds)
            configuration = get_default_backend_configuration(nwbfile, backend=backend)
            configure_and_write_nwbfile(nwbfile, folder / name, backend_configuration=configuration)
    if not (folder / "many_chunks.nwb").exists():  # the preview samples a part of its 100 chunks
        from datetime import datetime, timezone

        import numpy as np
        from hdmf.backends.hdf5 import H5DataIO
        from pynwb import NWBHDF5IO, NWBFile, TimeSeries

        nwbfile = NWBFile("remote preview", "many-chunks", datetime(2024, 1, 1, tzinfo=timezone.utc))
        data = np.random.default_rng(0).normal(0, 300, size=(200_000, 32)).astype("int16")
        wrapped = H5DataIO(data, chunks=(2000, 32), compression="gzip", compression_opts=4)
        nwbfile.add_acquisition(TimeSeries(name="big", data=wrapped, unit="uV", rate=30_000.0))
        with NWBHDF5IO(str(folder / "many_chunks.nwb"), "w") as io:
            io.write(nwbfile)


def _size(path: Path) -> int:
    if path.is_dir():
        return sum(item.stat().st_size for item in path.rglob("*") if item.is_file())
    return path.stat().st_size


def _load() -> str:
    return Path("/proc/loadavg").read_text().strip()


def _run(arguments: list[str], server, environment: dict[str, str]) -> None:
    server.stats.reset()
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "nwbconfig_widget", *arguments],
        capture_output=True,
        text=True,
        env=environment,
        cwd=environment["NWBCONFIG_SESSION_DIR"],
    )
    elapsed = time.perf_counter() - started
    print(f"$ nwbconfig {' '.join(arguments)}")
    for line in result.stdout.strip().splitlines()[-3:]:
        print(f"  {line}")
    for line in result.stderr.strip().splitlines():
        if not line.startswith("warning:"):
            print(f"  {line}")
    print(
        f"  [server: {server.stats.requests} requests, {server.stats.bytes_sent / 1e6:.2f} MB; {elapsed:.1f} s; "
        f"exit {result.returncode}; load {_load().split()[0]}]"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workdir", default="remote-session", help="folder of the files (kept for the next run)")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of the demo session")
    parser.add_argument("--latency", type=float, default=0.02, help="seconds injected before every answer")
    parser.add_argument("--bandwidth", type=float, default=50e6, help="bytes per second at most")
    arguments = parser.parse_args()

    folder = Path(arguments.workdir).resolve()
    served = folder / "served"
    served.mkdir(parents=True, exist_ok=True)
    _write_files(served, arguments.seconds)
    print(f"load before: {_load()}")
    for name in ("session.nwb", "session.nwb.zarr", "many_chunks.nwb"):
        print(f"{name}: {_size(served / name) / 1e6:.2f} MB")
    print(f"latency {arguments.latency * 1000:.0f} ms per request, bandwidth {arguments.bandwidth / 1e6:.0f} MB/s\n")

    with RangeHTTPServer(served) as http, S3Server() as s3:
        s3.client().create_bucket(Bucket="lab-data")
        s3.upload(served / "session.nwb", "lab-data", "session.nwb")
        s3.upload(served / "session.nwb.zarr", "lab-data", "session.nwb.zarr")
        environment = dict(
            os.environ,
            AWS_ENDPOINT_URL=s3.endpoint_url,
            AWS_ACCESS_KEY_ID="testing",
            AWS_SECRET_ACCESS_KEY="testing",
            AWS_DEFAULT_REGION="us-east-1",
            NWBCONFIG_SESSION_DIR=str(folder),
        )
        for server in (http, s3):
            server.faults.latency, server.faults.bandwidth = arguments.latency, arguments.bandwidth
        https_file = http.url("session.nwb")
        for command in (["show", https_file], ["preview", https_file], ["preview", http.url("many_chunks.nwb")]):
            _run(command, http, environment)
        for command in (["show", "s3://lab-data/session.nwb"], ["show", "s3://lab-data/session.nwb.zarr"]):
            _run(command, s3, environment)
        for target in ("local.nwb.zarr", "local.nwb"):
            if (folder / target).exists():
                shutil.rmtree(folder / target) if (folder / target).is_dir() else (folder / target).unlink()
            _run(["repack", https_file, target, "--no-progress"], http, environment)
    print(f"\nload after: {_load()}")


if __name__ == "__main__":
    main()
