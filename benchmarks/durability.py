"""What durable writes cost: the same writes with and without fsync, side by side in one run.

    python benchmarks/durability.py [--workdir DIR] [--repeat 3]

Every write and repack flushes its files to the disk before renaming them into place (``io/atomic.py``). This
measures that cost on ~300 MB of Neuropixels-like int16 (390,000 samples x 384 channels):

1. configure-and-write to HDF5 with the default configuration (gzip), and uncompressed (all 300 MB to flush);
2. the same to Zarr with the default chunks (30 chunk files), with ~1 MB chunks (300 files) and ~100 kB chunks
   (3,000 files); the last also with the files flushed one after the other (1 thread) instead of 16 at once;
3. a repack of the uncompressed HDF5 file to HDF5 with the default configuration.

Without fsync means ``nwbconfig_widget.io.atomic._durable = False``, a private switch that exists for this benchmark
only (and ``atomic.SYNC_THREADS`` for the 1-thread row). Each measurement runs in a fresh process; before each, the
machine's dirty pages are written out (``os.sync()`` here, outside the timing) so no run pays for an earlier one's
writes. The runs with and without fsync alternate; the median of ``--repeat`` runs is reported, with the time spent
inside the fsyncs of the durable runs (measured directly, so it holds when other processes make the totals vary).
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
        run_child("hdf5 write, uncompressed", True, 16, workdir)
        (workdir / CASES["hdf5 write, uncompressed"][0]).rename(path)
    return path


def child(case: str, durable: bool, threads: int, workdir: Path) -> dict:
    """One write in this process; seconds in total and inside the fsyncs, files and bytes written."""
    from nwbconfig_widget import configure_and_write_nwbfile, get_default_backend_configuration, repack_nwbfile
    from nwbconfig_widget.io import atomic

    atomic._durable, atomic.SYNC_THREADS = durable, threads
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


def run_child(case: str, durable: bool, threads: int, workdir: Path) -> dict:
    target = workdir / CASES[case][0]
    subprocess.run(["rm", "-rf", str(target)], check=True)
    os.sync()  # no run pays for the previous one's dirty pages
    arguments = [case, str(int(durable)), str(threads), str(workdir)]
    completed = subprocess.run([sys.executable, __file__, "--child", *arguments], capture_output=True, text=True)
    if completed.returncode != 0:
        raise RuntimeError(f"{case} (durable={durable}) failed:\n{completed.stderr[-4000:]}")
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
        runs: dict[bool, list[dict]] = {True: [], False: []}
        for _ in range(args.repeat):
            for durable in (False, True):
                runs[durable].append(run_child(case, durable, threads, workdir))
        without = statistics.median(run["seconds"] for run in runs[False])
        with_fsync = statistics.median(run["seconds"] for run in runs[True])
        inside = statistics.median(run["fsync"] for run in runs[True])
        label = case + (", fsync 1 file at a time" if threads == 1 else "")
        print(f"{label}: without {[round(r['seconds'], 2) for r in runs[False]]}, "
              f"with {[round(r['seconds'], 2) for r in runs[True]]}", flush=True)  # fmt: skip
        rows.append((label, runs[True][0]["files"], runs[True][0]["bytes"], without, with_fsync, inside))

    print()
    header = f"| {'write':<52} | {'files':>6} | {'MB':>6} | {'no fsync (s)':>12} | {'fsync (s)':>9} |"
    print(header + f" {'with / without':>14} | {'in fsync (s)':>12} | {'share':>6} |")
    print(f"|{'-' * 54}|{'-' * 8}|{'-' * 8}|{'-' * 14}|{'-' * 11}|{'-' * 16}|{'-' * 14}|{'-' * 8}|")
    for label, files, nbytes, without, with_fsync, inside in rows:
        print(
            f"| {label:<52} | {files:>6} | {nbytes / 1e6:>6.0f} | {without:>12.2f} | {with_fsync:>9.2f} | "
            f"{with_fsync / without:>13.2f}x | {inside:>12.2f} | {inside / with_fsync:>6.1%} |"
        )
    print()
    print("share: the time inside the fsyncs over the whole durable write (medians); the totals vary by more than the")
    print("fsyncs cost when other processes share the machine, the time inside the fsyncs is measured directly.")
    print()
    print(f"disk: {disk / 1e6:.0f} MB/s written and fsync'ed (320 MB in one file)")
    load_after = os.getloadavg()
    print(f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f} (other processes share the cores)")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        case, durable, threads, workdir = sys.argv[2], bool(int(sys.argv[3])), int(sys.argv[4]), Path(sys.argv[5])
        print(json.dumps(child(case, durable, threads, workdir)))
    else:
        main()
