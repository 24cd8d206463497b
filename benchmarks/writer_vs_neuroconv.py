"""Our writer against NeuroConv 0.10.2, in one run, with identical chunking and codec settings.

    python benchmarks/writer_vs_neuroconv.py [--workdir DIR] [--neuroconv-python /tmp/venv-neuroconv/bin/python]

Each measurement runs in a fresh subprocess (ours with this Python, NeuroConv with the Python of its own venv, where
``pip install neuroconv==0.10.2`` was run), so peak RSS is per measurement. Prints one table with ratios:

1. configure-and-write of ~620 MB (Neuropixels-like int16 ElectricalSeries with correlated noise and spikes, 2-photon
   uint16 movie), gzip level 4, the same chunk shapes on both sides; plus the machine's limit for that write,
   max(bytes / disk write speed, bytes / (single-core gzip-4 speed x cores)), both measured here;
2. repack of a 1.38 GB uncompressed file with NeuroConv's default settings (its chunk shapes, gzip 4) on both sides:
   time and peak RSS;
3. the default backend configuration of a file with 3,000 datasets (1,500 TimeSeries with timestamps).

The data files are generated once in the work folder and reused.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
import zlib
from pathlib import Path

import numpy as np

CHANNELS, RATE = 384, 30_000
EPHYS_SECONDS, FRAMES, FRAME = 18, 400, (512, 512)
REPACK_SECONDS = 60
EPHYS_CHUNK, MOVIE_CHUNK = (81_920, 64), (20, 512, 512)  # ~10 MB each, the same on both sides


# --------------------------------------------------------------------------------------------------- synthetic data


def ephys_block(start: int, stop: int, seed: int = 0) -> np.ndarray:
    """Neuropixels-like int16: noise shared across the probe, neighbouring channels correlated, spikes, slow drift."""
    rng = np.random.default_rng((seed, start))
    samples = stop - start
    common = rng.normal(0, 12, size=(samples, 1))
    local = rng.normal(0, 6, size=(samples, CHANNELS))
    traces = common + (local + np.roll(local, 1, axis=1) + np.roll(local, -1, axis=1)) / 1.7
    traces += 30 * np.sin(2 * np.pi * 7 * (start + np.arange(samples))[:, None] / RATE + np.arange(CHANNELS) / 40)
    waveform = -np.hanning(30) * 120
    for time_index, channel in zip(
        rng.integers(0, samples - 30, samples // 150), rng.integers(0, CHANNELS - 4, samples // 150)
    ):
        traces[time_index : time_index + 30, channel : channel + 4] += waveform[:, None] * [0.6, 1.0, 0.8, 0.4]
    return traces.astype("int16")


def movie_block(start: int, stop: int, seed: int = 1) -> np.ndarray:
    """2-photon-like uint16: vignetted background, 300 cells (30 of them active), Poisson shot noise."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0 : FRAME[0], 0 : FRAME[1]]
    background = 400 * np.exp(-(((yy - 256) / 300) ** 2 + ((xx - 256) / 300) ** 2))
    centers = rng.integers(10, 502, size=(300, 2))
    footprint = np.zeros(FRAME)
    active = []
    for cell, (y, x) in enumerate(centers):
        mask = np.exp(-(((yy - y) / 4) ** 2 + ((xx - x) / 4) ** 2))
        footprint += mask
        if cell % 10 == 0:
            active.append(mask)
    activity = np.maximum(0, np.cumsum(np.random.default_rng((seed, 7)).normal(0, 0.3, size=(FRAMES, 30)), axis=0))
    frames = np.empty((stop - start, *FRAME), dtype="uint16")
    for index, frame in enumerate(range(start, stop)):
        signal = background + 60 * footprint + np.tensordot(activity[frame] * 150, np.asarray(active), axes=1)
        frames[index] = np.random.default_rng((seed, frame)).poisson(signal).astype("uint16")
    return frames


def make_data(workdir: Path) -> None:
    ephys_path, movie_path = workdir / "ephys.npy", workdir / "movie.npy"
    if not ephys_path.exists():
        samples = EPHYS_SECONDS * RATE
        ephys = np.lib.format.open_memmap(ephys_path, mode="w+", dtype="int16", shape=(samples, CHANNELS))
        for start in range(0, samples, RATE):
            ephys[start : start + RATE] = ephys_block(start, min(samples, start + RATE))
        ephys.flush()
        del ephys
    if not movie_path.exists():
        movie = np.lib.format.open_memmap(movie_path, mode="w+", dtype="uint16", shape=(FRAMES, *FRAME))
        for start in range(0, FRAMES, 50):
            movie[start : start + 50] = movie_block(start, start + 50)
        movie.flush()
        del movie


# --------------------------------------------------------------------------------------------------- children


def session_nwbfile(ephys_data, movie_data=None, timestamps: int = 0):
    """A fresh NWBFile with a 384-channel ElectricalSeries, a TwoPhotonSeries and ``timestamps`` small TimeSeries
    (each part left out when its data is None or 0)."""
    from datetime import datetime, timezone

    from pynwb import NWBFile, TimeSeries
    from pynwb.ecephys import ElectricalSeries
    from pynwb.ophys import OpticalChannel, TwoPhotonSeries

    nwbfile = NWBFile(
        identifier="bench", session_description="benchmark", session_start_time=datetime.now(timezone.utc)
    )
    if ephys_data is not None:
        device = nwbfile.create_device(name="Neuropixels")
        group = nwbfile.create_electrode_group(name="shank", description="shank", location="CA1", device=device)
        for _ in range(CHANNELS):
            nwbfile.add_electrode(group=group, location="CA1")
        region = nwbfile.create_electrode_table_region(region=list(range(CHANNELS)), description="all")
        nwbfile.add_acquisition(
            ElectricalSeries(name="ElectricalSeries", data=ephys_data, electrodes=region, rate=30_000.0)
        )
    if movie_data is not None:
        device = nwbfile.create_device(name="Microscope")
        plane = nwbfile.create_imaging_plane(
            name="plane",
            optical_channel=OpticalChannel(name="green", description="GCaMP", emission_lambda=520.0),
            description="plane",
            device=device,
            excitation_lambda=920.0,
            imaging_rate=30.0,
            indicator="GCaMP6f",
            location="V1",
        )
        nwbfile.add_acquisition(
            TwoPhotonSeries(name="TwoPhotonSeries", data=movie_data, imaging_plane=plane, rate=30.0, unit="n.a.")
        )
    for index in range(timestamps):
        nwbfile.add_acquisition(
            TimeSeries(
                name=f"ts{index}", data=np.arange(100, dtype="float64"), unit="a", timestamps=np.arange(100) / 10.0
            )
        )
    return nwbfile


def _set_hdf5(configuration, side: str, chunks: dict[str, tuple]) -> None:
    """The given chunk shapes and gzip level 4 everywhere, on either side (our buffers: whole chunks, <= 256 MB)."""
    for location, item in configuration.dataset_configurations.items():
        if side == "ours":
            if location in chunks:
                item.update(
                    chunk_shape=tuple(chunks[location]), buffer_shape=_buffer_for(item, tuple(chunks[location]))
                )
            if item.chunk_shape is not None:
                item.update(compression_method="gzip", compression_options={"level": 4})
        else:
            if location in chunks:
                item.chunk_shape = tuple(chunks[location])
            item.compressors = ["gzip"]  # h5py's default level, 4


def peak_rss() -> int:
    """This process's peak RSS (bytes). On Linux, ``VmHWM``: ``ru_maxrss`` carries over the peak of the parent that
    started this process (it is kept across ``exec``), so a large parent would hide the child's own peak."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _cpu_seconds() -> float:
    """CPU time of this process and its finished children (user + system): comparable on a busy machine, where the
    wall time of a parallel write depends on how many cores the other processes leave free."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def children_peak_rss() -> int:
    """The largest peak RSS (bytes) of the processes this one started and waited for."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024


def child(task: str, side: str, workdir: Path, extra: str | None) -> dict:
    if side == "ours":
        from nwbconfig_widget import configure_and_write_nwbfile, get_default_backend_configuration, repack_nwbfile
    else:
        from neuroconv.tools.nwb_helpers import (
            configure_and_write_nwbfile,
            get_default_backend_configuration,
            repack_nwbfile,
        )
    if task == "write":
        ephys, movie = np.load(workdir / "ephys.npy"), np.load(workdir / "movie.npy")
        nwbfile = session_nwbfile(ephys, movie)
        chunks = {"acquisition/ElectricalSeries/data": EPHYS_CHUNK, "acquisition/TwoPhotonSeries/data": MOVIE_CHUNK}
        baseline = peak_rss()
        target = workdir / f"write-{side}.nwb"
        target.unlink(missing_ok=True)
        started = time.perf_counter()
        configuration = get_default_backend_configuration(nwbfile, backend="hdf5")
        _set_hdf5(configuration, side, chunks)
        if side == "ours":
            configure_and_write_nwbfile(nwbfile, target, backend_configuration=configuration)
        else:
            configure_and_write_nwbfile(nwbfile=nwbfile, nwbfile_path=target, backend_configuration=configuration)
        seconds = time.perf_counter() - started
        return {
            "seconds": seconds,
            "bytes": int(ephys.nbytes + movie.nbytes),
            "size": target.stat().st_size,
            "peak": peak_rss(),
            "baseline": baseline,
            "children": children_peak_rss(),
        }
    if task == "nc-chunks":  # NeuroConv's default settings for the repack source
        from pynwb import NWBHDF5IO

        with NWBHDF5IO(str(workdir / "raw.nwb"), "r") as io:
            configuration = get_default_backend_configuration(io.read(), backend="hdf5")
            return {
                location: [
                    list(item.chunk_shape) if item.chunk_shape else None,
                    item.compressors,
                    item.compressor_options,
                ]
                for location, item in configuration.dataset_configurations.items()
            }
    if task == "repack":
        target = workdir / f"repack-{side}.nwb"
        target.unlink(missing_ok=True)
        baseline = peak_rss()
        started, cpu_started = time.perf_counter(), _cpu_seconds()
        if side == "ours":
            from pynwb import NWBHDF5IO

            settings = json.loads(extra)
            budget = settings.pop("__buffer_budget_bytes__")  # None: our default budget
            with NWBHDF5IO(str(workdir / "raw.nwb"), "r") as io:
                configuration = get_default_backend_configuration(io.read(), backend="hdf5", buffer_budget_bytes=budget)
            for location, item in configuration.dataset_configurations.items():
                # NeuroConv names the electrodes table's columns "electrodes/<column>/data"; it does not configure
                # the ElectricalSeries' electrodes region (ours then keeps its default chunks, with gzip 4).
                short = location.replace("general/extracellular_ephys/", "")
                chunk, compressors, options = settings.get(location, settings.get(short, [None, ["gzip"], None]))
                assert compressors == ["gzip"] and options is None, (location, compressors, options)
                if chunk is not None and tuple(chunk) != item.chunk_shape:
                    item.update(
                        chunk_shape=tuple(chunk),
                        buffer_shape=_buffer_for(item, tuple(chunk), budget or _default_budget()),
                    )
                item.update(compression_method="gzip", compression_options={"level": 4})
            repack_nwbfile(workdir / "raw.nwb", target, backend_configuration=configuration)
        else:
            repack_nwbfile(nwbfile_path=workdir / "raw.nwb", export_nwbfile_path=target)
        seconds = time.perf_counter() - started
        return {
            "seconds": seconds,
            "cpu": _cpu_seconds() - cpu_started,
            "size": target.stat().st_size,
            "peak": peak_rss(),
            "baseline": baseline,
            "children": children_peak_rss(),
        }
    if task == "make-raw":
        return {"path": str(make_raw(workdir))}
    if task == "config":
        nwbfile = session_nwbfile(None, None, timestamps=1_500)
        started = time.perf_counter()
        configuration = get_default_backend_configuration(nwbfile, backend="hdf5")
        return {"seconds": time.perf_counter() - started, "datasets": len(configuration.dataset_configurations)}
    raise ValueError(task)


def _default_budget() -> int:
    import nwbconfig_widget

    return nwbconfig_widget.settings.buffer_budget_bytes


def _buffer_for(item, chunk: tuple[int, ...], budget: float = 256e6) -> tuple[int, ...]:
    """A buffer of whole chunks along the first axis within the budget, the full extent along the others."""
    row_bytes = int(np.prod([-(-full // c) * c for full, c in zip(item.full_shape[1:], chunk[1:])] or [1]))
    row_bytes *= item.dtype.itemsize
    rows = max(chunk[0], int(budget // row_bytes) // chunk[0] * chunk[0])
    return (min(rows, item.full_shape[0]), *item.full_shape[1:])


def make_raw(workdir: Path) -> Path:
    """A 1.38 GB uncompressed (contiguous) HDF5 NWB file: 60 s of 384-channel int16 at 30 kHz."""
    raw = workdir / "raw.nwb"
    if raw.exists():
        return raw
    from hdmf.data_utils import GenericDataChunkIterator

    from nwbconfig_widget import configure_and_write_nwbfile, get_default_backend_configuration

    samples = REPACK_SECONDS * RATE

    class Probe(GenericDataChunkIterator):
        def _get_data(self, selection):
            return ephys_block(selection[0].start, selection[0].stop, seed=2)[:, selection[1]]

        def _get_maxshape(self):
            return (samples, CHANNELS)

        def _get_dtype(self):
            return np.dtype("int16")

    nwbfile = session_nwbfile(Probe(buffer_shape=(RATE, CHANNELS), chunk_shape=(RATE, CHANNELS)))
    configuration = get_default_backend_configuration(nwbfile, backend="hdf5")
    for item in configuration.dataset_configurations.values():
        item.update(chunk_shape=None, compression_method=None, compression_options=None, filter_methods=[])
    configure_and_write_nwbfile(nwbfile, raw, backend_configuration=configuration, n_jobs=1)
    return raw


# --------------------------------------------------------------------------------------------------- machine


def disk_write_speed(workdir: Path, nbytes: int = 1_000_000_000) -> float:
    """Bytes per second written and fsync'ed to the work folder's disk."""
    block = np.random.default_rng(0).integers(0, 255, size=16_000_000, dtype=np.uint8).tobytes()
    path = workdir / "disk-speed.bin"
    started = time.perf_counter()
    with open(path, "wb") as file:
        for _ in range(nbytes // len(block)):
            file.write(block)
        file.flush()
        os.fsync(file.fileno())
    seconds = time.perf_counter() - started
    path.unlink()
    return nbytes / seconds


def gzip4_speed(workdir: Path) -> float:
    """Single-core gzip level 4 throughput (bytes/s) on chunks of the benchmark data, as HDF5 stores them."""
    ephys = np.load(workdir / "ephys.npy", mmap_mode="r")
    movie = np.load(workdir / "movie.npy", mmap_mode="r")
    chunks = [
        np.ascontiguousarray(ephys[i * 81_920 : (i + 1) * 81_920, 64 * j : 64 * (j + 1)])
        for i in range(2)
        for j in range(3)
    ]
    chunks += [np.ascontiguousarray(movie[i * 20 : (i + 1) * 20]) for i in range(5)]
    total = sum(chunk.nbytes for chunk in chunks)
    started = time.perf_counter()
    for chunk in chunks:
        zlib.compress(chunk, 4)
    return total / (time.perf_counter() - started)


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9
    cores = len(os.sched_getaffinity(0))
    system = f"{platform.system()} {platform.release()}"
    return f"{model}, {cores} cores, {memory:.0f} GB RAM, {system}, Python {platform.python_version()}"


# --------------------------------------------------------------------------------------------------- driver


def run_child(python: str, task: str, side: str, workdir: Path, extra: str | None = None) -> dict:
    command = [python, __file__, "--child", task, side, str(workdir)] + ([extra] if extra else [])
    completed = subprocess.run(command, capture_output=True, text=True)
    if completed.returncode != 0:
        raise RuntimeError(f"{side} {task} failed:\n{completed.stderr[-4000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workdir", default="/tmp/nwbbench")
    parser.add_argument("--neuroconv-python", default="/tmp/venv-neuroconv/bin/python")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each write (the fastest is reported)")
    parser.add_argument("--skip-repack", action="store_true")
    parser.add_argument("--only-repack", action="store_true", help="run the repack section only")
    args = parser.parse_args()
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    ours, theirs = sys.executable, args.neuroconv_python

    print(f"machine: {machine()}", flush=True)
    load_before = os.getloadavg()
    rows = []

    def best(python, task, side, extra=None, repeat=1):
        runs = [run_child(python, task, side, workdir, extra) for _ in range(repeat)]
        print(f"{side} {task}: {runs}", flush=True)
        return min(runs, key=lambda run: run["seconds"]), [round(run["seconds"], 2) for run in runs]

    # 1. configure and write, gzip 4
    if not args.only_repack:
        make_data(workdir)
        nc_write, nc_runs = best(theirs, "write", "neuroconv", repeat=args.repeat)
        our_write, our_runs = best(ours, "write", "ours", repeat=args.repeat)
        nbytes = our_write["bytes"]
        disk = disk_write_speed(workdir)
        codec = gzip4_speed(workdir)
        cores = len(os.sched_getaffinity(0))
        limit = max(nbytes / disk, nbytes / (codec * cores))
        rows.append(("configure-and-write 620 MB, gzip 4 (s)", nc_write["seconds"], our_write["seconds"]))
        rows.append(("  file size (MB)", nc_write["size"] / 1e6, our_write["size"] / 1e6))
        rows.append(("  peak RSS (MB)", nc_write["peak"] / 1e6, our_write["peak"] / 1e6))

    # 2. repack 1.38 GB raw
    repack_lines = []
    if not args.skip_repack:
        run_child(ours, "make-raw", "ours", workdir)  # in a child: this process stays small
        settings = run_child(theirs, "nc-chunks", "neuroconv", workdir)
        nc_repack, _ = best(theirs, "repack", "neuroconv")
        rows.append(("repack 1.38 GB raw, NeuroConv's chunks + gzip 4", None, None))
        for budget in (None, 128e6):
            our_repack, _ = best(ours, "repack", "ours", json.dumps({**settings, "__buffer_budget_bytes__": budget}))
            label = "our default buffers" if budget is None else f"our buffers <= {budget / 1e6:.0f} MB"
            rows.append((f"  time (s), {label}", nc_repack["seconds"], our_repack["seconds"]))
            rows.append((f"  CPU time (s), {label}", nc_repack["cpu"], our_repack["cpu"]))
            rows.append((f"  peak RSS (MB), {label}", nc_repack["peak"] / 1e6, our_repack["peak"] / 1e6))
            rows.append(
                (f"  peak RSS of children (MB), {label}", nc_repack["children"] / 1e6, our_repack["children"] / 1e6)
            )
            repack_lines.append(
                f"repack, {label}: ours {our_repack['seconds']:.2f} s, peak RSS {our_repack['peak'] / 1e6:.0f} MB; "
                f"NeuroConv {nc_repack['seconds']:.2f} s, {nc_repack['peak'] / 1e6:.0f} MB -> ours is "
                f"{nc_repack['seconds'] / our_repack['seconds']:.2f}x as fast at "
                f"{our_repack['peak'] / nc_repack['peak']:.2f}x the peak RSS, for "
                f"{our_repack['cpu'] / nc_repack['cpu']:.2f}x the CPU time"
            )
        rows.append(("  file size (MB)", nc_repack["size"] / 1e6, our_repack["size"] / 1e6))

    # 3. default configuration, 3,000 datasets
    if not args.only_repack:
        nc_config, _ = best(theirs, "config", "neuroconv")
        our_config, _ = best(ours, "config", "ours")
        rows.append(
            (
                f"default configuration, {our_config['datasets']} datasets (s)",
                nc_config["seconds"],
                our_config["seconds"],
            )
        )

    load_after = os.getloadavg()
    print()
    print(f"| {'measure':<50} | {'NeuroConv 0.10.2':>16} | {'ours':>10} | {'NeuroConv / ours':>16} |")
    print(f"|{'-' * 52}|{'-' * 18}|{'-' * 12}|{'-' * 18}|")
    for name, theirs_value, ours_value in rows:
        if theirs_value is None:
            print(f"| {name:<50} | {'':>16} | {'':>10} | {'':>16} |")
            continue
        ratio = theirs_value / ours_value if ours_value else float("nan")
        print(f"| {name:<50} | {theirs_value:>16.2f} | {ours_value:>10.2f} | {ratio:>15.2f}x |")
    print()
    for line in repack_lines:
        print(line)
    if not args.only_repack:
        print(f"write runs (s): NeuroConv {nc_runs}, ours {our_runs}")
        print(
            f"machine limit for the write: disk {disk / 1e6:.0f} MB/s (fsync), gzip-4 {codec / 1e6:.1f} MB/s per core "
            f"x {cores} cores -> {limit:.2f} s for {nbytes / 1e6:.0f} MB; "
            f"ours is {our_write['seconds'] / limit:.2f}x the limit"
        )
    print(f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f} (other processes share the cores)")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        task, side, workdir = sys.argv[2], sys.argv[3], Path(sys.argv[4])
        extra = sys.argv[5] if len(sys.argv) > 5 else None
        print(json.dumps(child(task, side, workdir, extra)))
    else:
        main()
