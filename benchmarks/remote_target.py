"""Writing to S3 measured: ``nwbconfig repack`` of a local file to an ``s3://`` target (Zarr, then Zarr again with
``--overwrite``, then HDF5), against moto's S3 server.

    python benchmarks/remote_target.py [--workdir DIR] [--seconds 10] [--latency 0.02] [--bandwidth 50e6]

The source is the demo session of ``--seconds`` written as HDF5 with the default configuration (``session.nwb`` in
the work folder). The server is the test suite's (``tests/remote/remote_servers.py``): moto's S3 server on 127.0.0.1
with ``--latency`` seconds injected before every answer and ``--bandwidth`` bytes/s at most (on what it sends).

Each command runs as a user runs it, in its own process (``python -m nwbconfig_widget ...``). The script prints the
command's last line (what it says it uploaded), the requests the server answered by kind (uploads to the temporary
prefix, server-side copies to the target, deletions, listings and other requests), the objects and bytes at the
target (listed after the command), the wall time and the load average.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "remote"))

from remote_servers import S3Server  # noqa: E402 (the test server, beside the tests)

BUCKET = "lab-data"


def _kind(line: str) -> str:
    method, path = line.split()[:2]
    if method == "PUT" and "/.partial-" in path:
        return "uploads to the temporary prefix"
    if method == "PUT":
        return "PUTs at the target (Zarr: server-side copies; HDF5: the upload)"
    if method == "POST":
        return "deletions (DeleteObjects, up to 1000 keys each)"
    if method == "DELETE":
        return "deletions (one key)"
    if method == "GET" and path.rstrip("/") == f"/{BUCKET}":
        return "listings"
    if method == "HEAD":
        return "HEADs (s3fs asks each object's size before copying it)"
    return f"other {method}"


def _at_target(server: S3Server, key: str) -> tuple[int, int]:
    pages = server.client().get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=key)
    items = [item for page in pages for item in page.get("Contents", [])]
    items = [item for item in items if item["Key"] == key or item["Key"].startswith(key + "/")]
    return len(items), sum(item["Size"] for item in items)


def _run(arguments: list[str], server: S3Server, environment: dict[str, str], key: str) -> None:
    server.stats.reset()
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "nwbconfig_widget", *arguments], capture_output=True, text=True, env=environment
    )
    elapsed = time.perf_counter() - started
    print(f"$ nwbconfig {' '.join(arguments)}")
    print("  " + (result.stdout.strip().splitlines() or [""])[-1])
    if result.returncode != 0:
        print("  failed: " + result.stderr.strip())
        return
    kinds = Counter(_kind(line) for line in server.stats.log)
    for kind, count in sorted(kinds.items()):
        print(f"  server: {count:5d} {kind}")
    objects, size = _at_target(server, key)
    pages = server.client().get_paginator("list_objects_v2").paginate(Bucket=BUCKET)
    temporaries = sum("/.partial-" in item["Key"] for page in pages for item in page.get("Contents", []))
    print(f"  at the target: {objects} objects, {size / 1e6:.2f} MB; objects left in temporary prefixes: {temporaries}")
    print(f"  {elapsed:.1f} s, load average {Path('/proc/loadavg').read_text().strip()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workdir", default="/tmp/nwbconfig_remote_target")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--latency", type=float, default=0.02)
    parser.add_argument("--bandwidth", type=float, default=50e6)
    arguments = parser.parse_args()
    folder = Path(arguments.workdir)
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / "session.nwb"
    if not source.exists():
        from nwbconfig_widget import configure_and_write_nwbfile, get_default_backend_configuration
        from nwbconfig_widget.demo import make_demo_nwbfile

        nwbfile = make_demo_nwbfile(seconds=arguments.seconds)
        configuration = get_default_backend_configuration(nwbfile, backend="hdf5")
        configure_and_write_nwbfile(nwbfile, source, backend_configuration=configuration)
    print(f"source: {source.name}, {source.stat().st_size / 1e6:.2f} MB")
    with S3Server() as server:
        server.client().create_bucket(Bucket=BUCKET)
        server.faults.latency, server.faults.bandwidth = arguments.latency, arguments.bandwidth
        environment = {
            **os.environ,
            "AWS_ENDPOINT_URL": server.endpoint_url,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
        }
        zarr_target = f"s3://{BUCKET}/sessions/session.nwb.zarr"
        _run(["repack", str(source), zarr_target, "--no-progress"], server, environment, "sessions/session.nwb.zarr")
        _run(
            ["repack", str(source), zarr_target, "--no-progress", "--overwrite"],
            server,
            environment,
            "sessions/session.nwb.zarr",
        )
        hdf5_target = f"s3://{BUCKET}/sessions/session.nwb"
        _run(["repack", str(source), hdf5_target, "--no-progress"], server, environment, "sessions/session.nwb")


if __name__ == "__main__":
    main()
