"""What durable writes cost: the same writes with and without fsync, side by side in one run.

    python benchmarks/durability.py [--workdir DIR] [--repeat 3]

Every write and repack flushes its files to the disk before renaming them into place (``io/atomic.py``). This
measures that cost on ~300 MB of Neuropixels-like int16 (390,000 samples x 384 channels):

1. configure-and-write to HDF5 with the default configuration (gzip), and uncompressed (all 300 MB to flush);
2. the same to Zarr with the default chunks (30 chunk files), with ~1 MB chunks (300 files) and ~100 kB chunks
   (3,000 files); the last also with the files flushed one after the other (1 thread) instead of 16 at once;
3. a repack of the uncompressed HDF5 file to HDF5 with the default configuration.

Three variants of each write: without fsync (``nwbconfig_widget.io.atomic._durable = False``, a private switch that
exists for this benchmark only, like ``atomic.SYNC_THREADS`` for the 1-thread row); durable with every flush at the
end (the write-behind thread's interval set beyond the write, ``io.write_behind.INTERVAL_SECONDS``); and durable as
shipped, with the write-behind flushes during the write. Each measurement runs in a fresh process; before each, the
machine's dirty pages are written out (``os.sync()`` here, outside the timing) so no run pays for an earlier one's
writes. The variants alternate; the median of ``--repeat`` runs is reported, with the time spent inside the final fsyncs
of the durable runs (measured directly, so it holds when other processes make the totals vary).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from writer_vs_neuroconv import disk_write_speed, machine  # noqa: E402

SAMPLES, CHANNELS = 390_000, 384  # int16: 300 MB
LOCATION = "acquisition/ElectricalSeries/data"
#: case -> (target name, Zarr/HDF5, chunk rows or None for the default, compressed)
CASES = {
    "hdf5 write, default (gzip)": ("out.nwb", "hdf5", None, True),
    "hdf5 write, uncompressed": ("out.nwb", "hdf5", None, False),
    "zarr write, default chunks (gzip)": ("out.nwb.zarr", "zarr", None, True),
    "zarr write, ~1 MB chunks": ("out.nwb.zarr", "zarr", 1_302, True),
    "zarr write, ~100 kB chunks": ("out.nwb.zarr", "zarr", 130, True),
    "hdf5 repack, default (gzip)": ("repacked.nwb", "hdf5", None, True),
}


def recording(workdir: Path) -> Path:
    """The 300 MB recording as a .npy file (made once): correlated noise, a slow oscillation and spikes."""
    path = workdir / "recording.npy"
    if path.exists():
        return path
    data = np.lib.format.open_memmap(path, mode="w+", dtype="int16", shape=(SAMPLES, CHANNELS))
    for start in range(0, SAMPLES, 30_000):
        stop = min(SAMPLES, start + 30_000)
        rng = np.random.default_rng(start)
        local = rng.normal(0, 6, size=(stop - start, CHANNELS))
        traces = rng.normal(0, 12, size=(stop - start, 1)) + (local + np.roll(local, 1, axis=1)) / 1.4
        traces += 30 * np.sin(2 * np.pi * 7 * np.arange(start, stop)[:, None] / 30_000 + np.arange(CHANNELS) / 40)
        spikes = rng.integers(0, stop - start, size=(stop - start) // 100)
        traces[spikes, rng.integers(0, CHANNELS, size=spikes.size)] -= 120
        data[start:stop] = traces.astype("int16")
    data.flush()
    return path


def _nwbfile(data):
    from datetime import datetime, timezone

    from pynwb import NWBFile
    from pynwb.ecephys import ElectricalSeries

    nwbfile = NWBFile(
        identifier="durability", session_description="benchmark", session_start_time=datetime.now(timezone.utc)
    )
    device = nwbfile.create_device(name="probe")
    group = nwbfile.create_electrode_group(name="shank", description="shank", location="CA1", device=device)
    for _ in range(CHANNELS):
        nwbfile.add_electrode(group=group, location="CA1")
    region = nwbfile.create_electrode_table_region(region=list(range(CHANNELS)), description="all")
    nwbfile.add_acquisition(ElectricalSeries(name="ElectricalSeries", data=data, electrodes=region, rate=30_000.0))
    return nwbfile


def _configure(configuration, rows: int | None, compressed: bool) -> None:
    item = configuration.dataset_configurations[LOCATION]
    if rows is not None:
        item.update(chunk_shape=(rows, CHANNELS), buffer_shape=(rows * (32_000_000 // (rows * CHANNELS * 2)), CHANNELS))
    if not compressed:
        for item in configuration.dataset_configurations.values():
            item.update(compression_method=None, compression_options=None, filter_methods=[])


def source(workdir: Path) -> Path:
    """The uncompressed HDF5 file the repack reads (made once, in a child process)."""
    path = workdir / "source.nwb"
    if not path.exists():
        run_child("hdf5 write, uncompressed", "write-behind", 16, workdir)
        (workdir / CASES["hdf5 write, uncompressed"][0]).rename(path)
    return path


#: variant -> (durable, flushes during the write)
VARIANTS = {"no fsync": (False, False), "fsync at the end": (True, False), "write-behind": (True, True)}


def child(case: str, variant: str, threads: int, workdir: Path) -> dict:
    """One write in this process; seconds in total and inside the final fsyncs, files and bytes written."""
    from nwbconfig_widget import configure_and_write_nwbfile, get_default_backend_configuration, repack_nwbfile
    from nwbconfig_widget.io import atomic, write_behind

    durable, behind = VARIANTS[variant]
    atomic._durable, atomic.SYNC_THREADS = durable, threads
    if not behind:
        write_behind.INTERVAL_SECONDS = 1e6  # the thread's first pass would come long after the write
    inside = [0.0]

    def timed(function):
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                inside[0] += time.perf_counter() - started

        return wrapper

    atomic.sync_tree, atomic.sync_folder_of = timed(atomic.sync_tree), timed(atomic.sync_folder_of)
    name, backend, rows, compressed = CASES[case]
    target = workdir / name
    if case.startswith("hdf5 repack"):
        from pynwb import NWBHDF5IO

        started = time.perf_counter()
        with NWBHDF5IO(str(workdir / "source.nwb"), "r") as io:
            configuration = get_default_backend_configuration(io.read(), backend=backend)
        _configure(configuration, rows, compressed)
        repack_nwbfile(workdir / "source.nwb", target, backend_configuration=configuration)
    else:
        nwbfile = _nwbfile(np.load(workdir / "recording.npy"))
        started = time.perf_counter()
        configuration = get_default_backend_configuration(nwbfile, backend=backend)
        _configure(configuration, rows, compressed)
        configure_and_write_nwbfile(nwbfile, target, backend_configuration=configuration)
    seconds = time.perf_counter() - started
    files = [path for path in target.rglob("*") if path.is_file()] if target.is_dir() else [target]
    return {"seconds": seconds, "fsync": inside[0], "files": len(files), "bytes": sum(f.stat().st_size for f in files)}


def run_child(case: str, variant: str, threads: int, workdir: Path) -> dict:
    target = workdir / CASES[case][0]
    subprocess.run(["rm", "-rf", str(target)], check=True)
    os.sync()  # no run pays for the previous one's dirty pages
    arguments = [case, variant, str(threads), str(workdir)]
    completed = subprocess.run([sys.executable, __file__, "--child", *arguments], capture_output=True, text=True)
    if completed.returncode != 0:
        raise RuntimeError(f"{case} ({variant}) failed:\n{completed.stderr[-4000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workdir", default="/tmp/nwbbench-durability")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each variant (the median is reported)")
    args = parser.parse_args()
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"machine: {machine()}; {date.today().isoformat()}", flush=True)
    recording(workdir)
    source(workdir)
    disk = disk_write_speed(workdir, nbytes=320_000_000)
    load_before = os.getloadavg()

    variants = [(case, 16) for case in CASES] + [("zarr write, ~100 kB chunks", 1)]
    rows = []
    for case, threads in variants:
        runs: dict[str, list[dict]] = {variant: [] for variant in VARIANTS}
        for _ in range(args.repeat):
            for variant in VARIANTS:
                runs[variant].append(run_child(case, variant, threads, workdir))
        seconds = {variant: statistics.median(run["seconds"] for run in runs[variant]) for variant in VARIANTS}
        inside = {variant: statistics.median(run["fsync"] for run in runs[variant]) for variant in VARIANTS}
        label = case + (", fsync 1 file at a time" if threads == 1 else "")
        listed = ", ".join(f"{variant} {[round(run['seconds'], 2) for run in runs[variant]]}" for variant in VARIANTS)
        print(f"{label}: {listed}", flush=True)
        first = runs["write-behind"][0]
        rows.append((label, first["files"], first["bytes"], seconds, inside))

    print()
    print(
        f"| {'write':<52} | {'files':>6} | {'MB':>6} | {'no fsync (s)':>12} | {'fsync at end (s)':>16} | "
        f"{'write-behind (s)':>16} | {'at end / none':>13} | {'behind / none':>13} | "
        f"{'final fsync: end, behind (s)':>28} |"
    )
    print("|" + "|".join("-" * width for width in (54, 8, 8, 14, 18, 18, 15, 15, 30)) + "|")
    for label, files, nbytes, seconds, inside in rows:
        none, end, behind = seconds["no fsync"], seconds["fsync at the end"], seconds["write-behind"]
        print(
            f"| {label:<52} | {files:>6} | {nbytes / 1e6:>6.0f} | {none:>12.2f} | {end:>16.2f} | {behind:>16.2f} | "
            f"{end / none:>12.2f}x | {behind / none:>12.2f}x | "
            f"{inside['fsync at the end']:>13.2f}, {inside['write-behind']:>12.2f} |"
        )
    print()
    print("final fsync: the time inside the fsyncs after the write (medians), measured directly: the totals vary by")
    print("more than the fsyncs cost when other processes share the machine.")
    print()
    print(f"disk: {disk / 1e6:.0f} MB/s written and fsync'ed (320 MB in one file)")
    load_after = os.getloadavg()
    print(f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f} (other processes share the cores)")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        case, variant, threads, workdir = sys.argv[2], sys.argv[3], int(sys.argv[4]), Path(sys.argv[5])
        print(json.dumps(child(case, variant, threads, workdir)))
    else:
        main()
