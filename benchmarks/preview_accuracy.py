"""Preview accuracy and cost: estimated file size vs the real file written with the same settings.

Builds a realistic synthetic session (Neuropixels-like int16 with correlated noise and spikes, a 2-photon uint16
movie, float timestamps, units and trials table columns), previews it with ``preview_compression`` (the default,
variance-driven sample) and with the fixed rule the preview used before (1% of the chunks, at least 2, whole), then
writes it with ``configure_and_write_nwbfile`` using the same configuration, for each codec setting asked for.
Prints, for each configuration: both preview times, the write time, preview / write, the estimate's error against
the real size on disk and whether its 95% range covers it, with the machine's load average.

    python benchmarks/preview_accuracy.py --sessions 360MB 1GB --backends hdf5 zarr   # the sizes of the docs
    python benchmarks/preview_accuracy.py                       # 60 s of 384-channel ephys + 2000 frames 512x512
    python benchmarks/preview_accuracy.py --seconds 10 --frames 100 --backends hdf5 zarr

Goals of the preview: estimated total within 5% of the real file, with a 95% range that covers it; preview time at
most 5% of the write time.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np


def neuropixels_traces(seconds: float, channels: int = 384, rate: int = 30_000, seed: int = 0) -> np.ndarray:
    """int16 traces: noise shared by all channels, noise correlated between neighbouring channels, spikes."""
    rng = np.random.default_rng(seed)
    samples = int(seconds * rate)
    traces = np.empty((samples, channels), dtype="int16")
    scale = np.sqrt(np.arange(1, channels + 1, dtype="float32"))
    template = (np.hanning(30) * np.sin(np.linspace(0, 2 * np.pi, 30))).astype("float32") * -120
    block = 60_000
    for start in range(0, samples, block):
        rows = min(block, samples - start)
        common = rng.normal(0, 15, size=(rows, 1)).astype("float32")
        local = rng.normal(0, 6, size=(rows, channels)).astype("float32")
        values = common + np.cumsum(local, axis=1) / scale + rng.normal(0, 4, size=(rows, channels)).astype("float32")
        for time_index in rng.integers(0, rows - 30, size=rows // 100):
            channel = int(rng.integers(0, channels - 4))
            values[time_index : time_index + 30, channel : channel + 4] += template[:, None]
        traces[start : start + rows] = values
    return traces


def two_photon_movie(frames: int, height: int = 512, width: int = 512, seed: int = 1) -> np.ndarray:
    """uint16 movie: vignetted baseline, 150 cells (40 with calcium transients), shot noise."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype("float32")
    baseline = 300 + 900 * np.exp(-(((y - height / 2) / height) ** 2 + ((x - width / 2) / width) ** 2) * 4)
    centres = rng.integers(10, [height - 10, width - 10], size=(150, 2))
    masks = np.stack([((y - cy) ** 2 + (x - cx) ** 2 < 36).ravel() for cy, cx in centres]).astype("float32")
    still = (baseline.ravel() + masks.sum(axis=0) * 40).astype("float32")
    movie = np.empty((frames, height, width), dtype="uint16")
    block = 100
    for start in range(0, frames, block):
        count = min(block, frames - start)
        activity = (rng.exponential(1.0, size=(count, 40)).astype("float32") ** 3) * 100
        signal = still + activity @ masks[:40]
        noisy = signal + rng.standard_normal(size=signal.shape, dtype="float32") * np.sqrt(signal)
        movie[start : start + count] = np.clip(noisy, 0, 65535).reshape(count, height, width)
    return movie


def make_session(seconds: float, frames: int):
    from pynwb import NWBFile, TimeSeries
    from pynwb.ecephys import ElectricalSeries
    from pynwb.ophys import OpticalChannel, TwoPhotonSeries

    rng = np.random.default_rng(2)
    nwbfile = NWBFile(
        identifier="preview-benchmark",
        session_start_time=datetime(2024, 1, 1, tzinfo=timezone.utc),
        session_description="synthetic session for the preview benchmark",
    )
    device = nwbfile.create_device(name="Probe")
    group = nwbfile.create_electrode_group(name="shank", description="shank", location="CA1", device=device)
    for _ in range(384):
        nwbfile.add_electrode(group=group, location="CA1")
    region = nwbfile.create_electrode_table_region(region=list(range(384)), description="all")
    nwbfile.add_acquisition(
        ElectricalSeries(name="ElectricalSeries", data=neuropixels_traces(seconds), electrodes=region, rate=30_000.0)
    )
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
        TwoPhotonSeries(
            name="TwoPhotonSeries", data=two_photon_movie(frames), imaging_plane=plane, rate=30.0, unit="n.a."
        )
    )
    samples = int(seconds * 1000)
    timestamps = np.cumsum(rng.normal(1e-3, 2e-5, size=samples))  # a jittered 1 kHz clock
    position = np.cumsum(rng.normal(0, 0.3, size=samples)).astype("float32")
    nwbfile.add_acquisition(TimeSeries(name="Running", data=position, unit="cm", timestamps=timestamps))
    for _ in range(300):
        count = int(rng.integers(10, 10 + 40 * max(1, int(seconds))))
        nwbfile.add_unit(spike_times=np.sort(rng.uniform(0, seconds, size=count)))
    nwbfile.add_trial_column(name="condition", description="stimulus")
    for trial in range(int(seconds * 2)):
        nwbfile.add_trial(start_time=trial * 0.5, stop_time=trial * 0.5 + 0.4, condition=f"grating {trial % 8}")
    return nwbfile


def disk_bytes(path: Path) -> int:
    if path.is_dir():
        return sum(os.path.getsize(os.path.join(root, name)) for root, _, names in os.walk(path) for name in names)
    return path.stat().st_size


SETTINGS = {
    "gzip4 (default)": {},
    "Zstd3": {"hdf5": ("Zstd", {"clevel": 3}), "zarr": ("zstd", {"level": 3})},
    "blosc-zstd5-bitshuffle": {
        "hdf5": ("Blosc", {"cname": "zstd", "clevel": 5, "shuffle": 2}),
        "zarr": ("blosc", {"cname": "zstd", "clevel": 5, "shuffle": 2}),
    },
}


#: Sessions of the docs: (seconds of ephys, movie frames); about 362 MB and 1,060 MB uncompressed.
SESSIONS = {"360MB": (10.0, 250), "1GB": (30.0, 700)}
#: The rule the preview used before its sample became variance-driven, run side by side.
FIXED_RULE = {"sample_fraction": 0.01, "min_chunks": 2, "max_chunks": 64}


def run(seconds: float, frames: int, backends: list[str], settings: list[str], folder: Path) -> list[dict]:
    from nwbconfig_widget import configure_and_write_nwbfile, get_default_backend_configuration
    from nwbconfig_widget.preview import file_overhead_bytes, preview_compression

    started = time.perf_counter()
    nwbfile = make_session(seconds, frames)
    print(f"built the session ({seconds:g} s, {frames} frames) in {time.perf_counter() - started:.1f} s")
    for backend in backends:
        file_overhead_bytes(backend)  # measured once per process, like a user's first preview
    results = []
    for backend in backends:
        for name in settings:
            configuration = get_default_backend_configuration(nwbfile, backend=backend)
            if SETTINGS[name]:
                method, options = SETTINGS[name][backend]
                configuration.apply_global_compression(method, options)
            load = os.getloadavg()[0]
            started = time.perf_counter()
            table = preview_compression(nwbfile, configuration)
            preview_seconds = time.perf_counter() - started
            started = time.perf_counter()
            fixed = preview_compression(nwbfile, configuration, **FIXED_RULE)
            fixed_seconds = time.perf_counter() - started
            path = folder / ("session.nwb" if backend == "hdf5" else "session.nwb.zarr")
            started = time.perf_counter()
            configure_and_write_nwbfile(nwbfile, path, configuration, overwrite=True)
            write_seconds = time.perf_counter() - started
            real = disk_bytes(path)
            total = table.attrs["total"]
            result = dict(
                backend=backend,
                setting=name,
                uncompressed=total["uncompressed_bytes"],
                estimated=total["file_bytes"],
                low=total["file_bytes_low"],
                high=total["file_bytes_high"],
                real=real,
                preview_seconds=preview_seconds,
                fixed_seconds=fixed_seconds,
                fixed_estimated=fixed.attrs["total"]["file_bytes"],
                fixed_low=fixed.attrs["total"]["file_bytes_low"],
                fixed_high=fixed.attrs["total"]["file_bytes_high"],
                write_seconds=write_seconds,
                sample_share=table["sample_bytes"].sum() / total["uncompressed_bytes"],
                fixed_share=fixed["sample_bytes"].sum() / total["uncompressed_bytes"],
                load=load,
                load_after=os.getloadavg()[0],
            )
            results.append(result)
            print_result(result)
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    return results


def covers(r: dict, prefix: str = "") -> bool:
    return r[f"{prefix}low"] <= r["real"] <= r[f"{prefix}high"]


def print_result(r: dict) -> None:
    error = r["estimated"] / r["real"] - 1
    print(
        f"{r['backend']:5s} {r['setting']:24s} real {r['real'] / 1e6:8.1f} MB  "
        f"estimated {r['estimated'] / 1e6:8.1f} MB [{r['low'] / 1e6:.1f}, {r['high'] / 1e6:.1f}]  "
        f"error {error:+.2%}  in range {covers(r)} | preview {r['preview_seconds']:.3f} s / "
        f"write {r['write_seconds']:.2f} s = {r['preview_seconds'] / r['write_seconds']:.1%} "
        f"(sampled {r['sample_share']:.2%} of the data) | fixed rule: preview {r['fixed_seconds']:.3f} s = "
        f"{r['fixed_seconds'] / r['write_seconds']:.1%} of the write, error "
        f"{r['fixed_estimated'] / r['real'] - 1:+.2%}, in range {covers(r, 'fixed_')}, "
        f"sampled {r['fixed_share']:.1%}; new / fixed preview time {r['preview_seconds'] / r['fixed_seconds']:.2f} "
        f"| load {r['load']:.1f} -> {r['load_after']:.1f}"
    )


def markdown(results: list[dict]) -> str:
    lines = [
        "| session | backend | codec | real file | estimated (95% range) | size error | in range | preview "
        "| write | preview / write | sampled | fixed rule: preview / write | load |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['uncompressed'] / 1e6:.0f} MB | {r['backend']} | {r['setting']} | {r['real'] / 1e6:.1f} MB "
            f"| {r['estimated'] / 1e6:.1f} MB ({r['low'] / 1e6:.1f}-{r['high'] / 1e6:.1f}) "
            f"| {r['estimated'] / r['real'] - 1:+.2%} | {'yes' if covers(r) else 'NO'} "
            f"| {r['preview_seconds']:.3f} s | {r['write_seconds']:.2f} s "
            f"| {r['preview_seconds'] / r['write_seconds']:.1%} | {r['sample_share']:.2%} "
            f"| {r['fixed_seconds'] / r['write_seconds']:.1%} | {r['load']:.1f}-{r['load_after']:.1f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--sessions",
        nargs="+",
        choices=list(SESSIONS),
        default=None,
        help="sessions of the docs (instead of "
        "--seconds/--frames): 360MB is 10 s + 250 frames, 1GB is 30 s + 700 frames",
    )
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the 384-channel recording")
    parser.add_argument("--frames", type=int, default=2000, help="frames of the 512x512 movie")
    parser.add_argument("--backends", nargs="+", default=["hdf5"], choices=["hdf5", "zarr"])
    parser.add_argument("--settings", nargs="+", default=list(SETTINGS), choices=list(SETTINGS))
    parser.add_argument("--folder", type=Path, default=None, help="where to write (default: a temporary folder)")
    arguments = parser.parse_args()
    folder = arguments.folder or Path(tempfile.mkdtemp(prefix="preview-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    sessions = (
        [SESSIONS[name] for name in arguments.sessions]
        if arguments.sessions
        else [(arguments.seconds, arguments.frames)]
    )
    print(f"load average before: {' '.join(f'{value:.2f}' for value in os.getloadavg())}")
    results = []
    try:
        for seconds, frames in sessions:
            results += run(seconds, frames, arguments.backends, arguments.settings, folder)
    finally:
        if arguments.folder is None:
            shutil.rmtree(folder, ignore_errors=True)
    print()
    print(markdown(results))
    worst_size = max(abs(r["estimated"] / r["real"] - 1) for r in results)
    worst_time = max(r["preview_seconds"] / r["write_seconds"] for r in results)
    covered = sum(covers(r) for r in results)
    print(
        f"\nworst size error {worst_size:.2%} (goal <= 5%); worst preview/write time {worst_time:.1%} (goal <= 5%); "
        f"95% range covered the real size in {covered} of {len(results)} runs"
    )
    print(f"load average after: {' '.join(f'{value:.2f}' for value in os.getloadavg())}")


if __name__ == "__main__":
    main()
