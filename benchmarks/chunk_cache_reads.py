"""Chunk size against the HDF5 chunk cache: what typical reads of an ephys recording cost with 1, 10 and 100 MB chunks.

    python benchmarks/chunk_cache_reads.py [--seconds 30] [--workdir /tmp/chunk-cache] [--page-cache cold warm]
    python benchmarks/chunk_cache_reads.py --seconds 12 --span 2          # a quick run

A Neuropixels-like int16 recording (384 channels at 30 kHz, ``--seconds`` long: 691 MB at 30 s; the generator of
``writer_vs_neuroconv.py``) is written once into ``--workdir`` with chunks of 64 channels and about 1 MB, 10 MB (the
package's default) and 100 MB (the time extent is capped by the recording), each with gzip (level 4, the default)
and uncompressed. Then each read below runs in a fresh Python process (a new HDF5 library, so no chunk cache carries
over) opening the file with ``h5py.File(path, "r", rdcc_nbytes=...)``:

- ``window``: 1 s of all channels in the middle of the recording (one read call);
- ``channel``: one channel, the whole recording (one read call);
- ``windows``: consecutive 1 s windows of all channels over ``--span`` seconds (a spike sorter's loop);
- ``pieces``: one channel in consecutive 0.1 s pieces over ``--span`` seconds (a viewer scrolling, a per-block loop).

Each read runs with three chunk caches: 1 MiB (the default of HDF5 1.x: h5py wheels before HDF5 2.0, MATLAB, ...),
HDF5's own default of the installed h5py (``rdcc_nbytes`` not passed; printed) and a cache large enough for every
chunk one read touches (``large``: 1 GiB, 12,007 slots).

Page cache: with ``cold`` (the default), the parent flushes the file and drops its pages from the operating system's
page cache (``posix_fadvise(POSIX_FADV_DONTNEED)``, no root needed, only this file), checks with ``mincore`` how much
of it is still resident, then starts the child: the read comes from the disk. With ``warm``, the parent reads the
whole file first (and ``mincore`` confirms it is resident): only HDF5 and decompression are timed. Each figure is the
median of ``--repeats`` runs; the child also reports the bytes it read from the disk (``read_bytes`` of
``/proc/self/io``) and its CPU time. The load average is printed before and after: the machine may be shared.
"""

from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import json
import mmap
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from writer_vs_neuroconv import CHANNELS, RATE, ephys_block, machine  # noqa: E402

MIB = 1024**2
CHANNELS_PER_CHUNK = 64
CHUNK_TARGETS = {"1 MB": 1_000_000, "10 MB": 10_000_000, "100 MB": 100_000_000}
COMPRESSIONS = {"gzip": {"compression": "gzip", "compression_opts": 4}, "none": {}}
CACHES = {"1 MiB": MIB, "HDF5 default": None, "large": 1024 * MIB}
READS = ("window", "channel", "windows", "pieces")
CHANNEL = 200


# ---------------------------------------------------------------------------------------------------- the files


def chunk_shape(target_bytes: int, samples: int) -> tuple[int, int]:
    """64 channels, and as many samples as ``target_bytes`` holds (at most the recording)."""
    return (min(samples, target_bytes // (2 * CHANNELS_PER_CHUNK)), CHANNELS_PER_CHUNK)


def file_path(workdir: Path, size: str, compression: str) -> Path:
    return workdir / f"ephys_{size.replace(' ', '')}_{compression}.h5"


def write_files(workdir: Path, seconds: int) -> None:
    """The recording with every chunk size and compression (files already written for this length are kept)."""
    import h5py

    samples = seconds * RATE
    todo = [
        (size, compression)
        for size in CHUNK_TARGETS
        for compression in COMPRESSIONS
        if not _complete(file_path(workdir, size, compression), samples)
    ]
    if not todo:
        return
    data = np.empty((samples, CHANNELS), dtype="int16")
    for start in range(0, samples, RATE):
        data[start : start + RATE] = ephys_block(start, min(samples, start + RATE))
    for size, compression in todo:
        path = file_path(workdir, size, compression)
        started = time.perf_counter()
        with h5py.File(path.with_suffix(".partial"), "w") as file:
            shape = chunk_shape(CHUNK_TARGETS[size], samples)
            dataset = file.create_dataset(
                "data", shape=data.shape, dtype="int16", chunks=shape, **COMPRESSIONS[compression]
            )
            step = shape[0]
            for start in range(0, samples, step):  # whole chunk rows: each chunk is compressed once
                dataset[start : start + step] = data[start : start + step]
            file.attrs["samples"] = samples
        os.replace(path.with_suffix(".partial"), path)
        print(
            f"wrote {path.name}: chunks {shape} ({shape[0] * shape[1] * 2 / 1e6:.1f} MB), "
            f"{path.stat().st_size / 1e6:,.0f} MB on disk, {time.perf_counter() - started:.0f} s",
            flush=True,
        )


def _complete(path: Path, samples: int) -> bool:
    import h5py

    if not path.exists():
        return False
    try:
        with h5py.File(path, "r") as file:
            return int(file.attrs.get("samples", -1)) == samples
    except OSError:
        return False


# ---------------------------------------------------------------------------------------------- the page cache


def drop_from_page_cache(path: Path) -> None:
    """Flush the file and drop its pages from the page cache (this file only; no root needed)."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
        os.posix_fadvise(descriptor, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(descriptor)


def load_into_page_cache(path: Path) -> None:
    with open(path, "rb") as file:
        while file.read(64 * MIB):
            pass


def resident_fraction(path: Path) -> float:
    """The fraction of the file's pages in the page cache (``mincore`` on a read-only mapping)."""
    size = path.stat().st_size
    if size == 0:
        return 0.0
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    libc.mincore.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.POINTER(ctypes.c_ubyte)]
    page = mmap.PAGESIZE
    pages = (size + page - 1) // page
    vector = (ctypes.c_ubyte * pages)()
    with open(path, "rb") as file, mmap.mmap(file.fileno(), size, prot=mmap.PROT_READ) as mapped:
        view = np.frombuffer(mapped, dtype=np.uint8)  # a zero-copy view: its address is the mapping's
        failed = libc.mincore(ctypes.c_void_p(view.ctypes.data), ctypes.c_size_t(size), vector) != 0
        del view  # the mapping closes only once no view of it is left
        if failed:
            raise OSError(ctypes.get_errno(), "mincore failed")
    return sum(byte & 1 for byte in vector) / pages


# ------------------------------------------------------------------------------------------------- the reads


def child(path: str, read: str, cache: str, span: float) -> dict:
    """One read in this (fresh) process: seconds, CPU seconds and bytes from the disk."""
    import h5py

    options = {} if CACHES[cache] is None else {"rdcc_nbytes": CACHES[cache], "rdcc_nslots": 12_007}
    io_before = _disk_read_bytes()
    cpu_before = time.process_time()
    started = time.perf_counter()
    with h5py.File(path, "r", **options) as file:
        dataset = file["data"]
        samples = dataset.shape[0]
        middle = samples // 2
        total = 0
        if read == "window":
            total += dataset[middle : middle + RATE, :].size
        elif read == "channel":
            total += dataset[:, CHANNEL].size
        elif read == "windows":
            for start in range(0, min(samples, int(span * RATE)), RATE):
                total += dataset[start : start + RATE, :].size
        elif read == "pieces":
            piece = RATE // 10
            for start in range(0, min(samples, int(span * RATE)), piece):
                total += dataset[start : start + piece, CHANNEL].size
        cache_size = file.id.get_access_plist().get_cache()[2]
    return {
        "seconds": time.perf_counter() - started,
        "cpu_seconds": time.process_time() - cpu_before,
        "disk_bytes": _disk_read_bytes() - io_before,
        "values": int(total),
        "cache_bytes": int(cache_size),
    }


def _disk_read_bytes() -> int:
    try:
        for line in Path("/proc/self/io").read_text().splitlines():
            if line.startswith("read_bytes:"):
                return int(line.split()[1])
    except OSError:
        pass
    return -1


def run_child(path: Path, read: str, cache: str, span: float) -> dict:
    command = [sys.executable, __file__, "--child", str(path), read, cache, str(span)]
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise RuntimeError(f"{path.name} {read} {cache} failed:\n{completed.stderr[-3000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------------------------------------------- driver


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=30, help="length of the recording (s)")
    parser.add_argument("--span", type=float, default=3.0, help="seconds covered by the windows and pieces loops")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/chunk-cache"))
    parser.add_argument("--page-cache", nargs="+", choices=("cold", "warm"), default=["cold"])
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--sizes", nargs="+", choices=list(CHUNK_TARGETS), default=list(CHUNK_TARGETS))
    parser.add_argument("--caches", nargs="+", choices=list(CACHES), default=list(CACHES))
    parser.add_argument("--reads", nargs="+", choices=READS, default=list(READS))
    parser.add_argument("--json", type=Path, help="also write every figure to this JSON file")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        path, read, cache, span = arguments.child
        print(json.dumps(child(path, read, cache, float(span))))
        return

    import h5py

    print(f"machine: {machine()}; h5py {h5py.__version__}, HDF5 {h5py.version.hdf5_version}")
    print(f"load average before: {Path('/proc/loadavg').read_text().strip()}", flush=True)
    arguments.workdir.mkdir(parents=True, exist_ok=True)
    write_files(arguments.workdir, arguments.seconds)
    results = []
    print(
        "\n| page cache | compression | chunk | read | cache | seconds | CPU s | from disk | resident before |\n"
        "|---|---|---|---|---|---:|---:|---:|---:|",
        flush=True,
    )
    for mode in arguments.page_cache:
        for compression in COMPRESSIONS:
            for size in arguments.sizes:
                path = file_path(arguments.workdir, size, compression)
                for read in arguments.reads:
                    for cache in arguments.caches:
                        runs = []
                        for _ in range(arguments.repeats):
                            if mode == "cold":
                                drop_from_page_cache(path)
                            else:
                                load_into_page_cache(path)
                            resident = resident_fraction(path)
                            runs.append({**run_child(path, read, cache, arguments.span), "resident": resident})
                        middle = sorted(runs, key=lambda run: run["seconds"])[len(runs) // 2]
                        row = {
                            "page_cache": mode,
                            "compression": compression,
                            "chunk": size,
                            "read": read,
                            "cache": cache,
                            "median_seconds": statistics.median(run["seconds"] for run in runs),
                            **middle,
                        }
                        results.append(row)
                        cache_text = cache if cache != "HDF5 default" else f"default ({row['cache_bytes'] / MIB:g} MiB)"
                        print(
                            f"| {mode} | {compression} | {size} | {read} | {cache_text} | {row['median_seconds']:.2f} "
                            f"| {row['cpu_seconds']:.2f} | {row['disk_bytes'] / 1e6:,.0f} MB | {row['resident']:.0%} |",
                            flush=True,
                        )
    print(f"\nload average after: {Path('/proc/loadavg').read_text().strip()}")
    if arguments.json:
        arguments.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
