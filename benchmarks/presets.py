"""The presets against the default configuration, in one run: write time, file size, read time, cloud reads, readers.

    python benchmarks/presets.py                      # a 200 MB session (see SIZES), HDF5 and Zarr, 5-10 minutes
    python benchmarks/presets.py --small              # a 9 MB session, one round, ~20 s (checks the script runs)
    python benchmarks/presets.py --save               # also store the figures the preset texts quote
    python benchmarks/presets.py --h5wasm /tmp/h5wasm # also open each HDF5 file with h5wasm (``npm install h5wasm``)

One synthetic session (Neuropixels-like int16 ephys with shared and neighbour-correlated noise, spikes and a slow
oscillation; a 2-photon-like uint16 movie with cells and shot noise; float64 behaviour: a 2-D position random walk at
1 kHz with jittered float64 timestamps) is written with the default configuration and with each preset, to HDF5 and
to Zarr, one core (``n_jobs=1``), so the ratios compare the settings rather than how many cores were free. Every
case is written ``--repeat`` times (2), in rounds through all cases, and each file read 3 times; the least wall-clock
and CPU times are kept, because the cores are shared. For each file it prints, as ratios to the default's file:

- write time (configure and write; wall clock, and CPU time of every thread) and size on disk;
- read time (wall clock and CPU) of every value of the three large datasets (decompression speed);
- the typical reads of :func:`nwbconfig_widget.access.typical_selections` (a 1 s window of all channels, one channel,
  one frame) as a remote reader would make them: requests and compressed bytes fetched, computed from the chunk grid
  written and each dataset's measured compression ratio (not a network measurement);
- HDF5 readers that open the large datasets: h5py without hdf5plugin (the HDF5 library's built-in filters only, as
  MATLAB, Julia or R readers have by default), ``h5dump`` and, with ``--h5wasm``, h5wasm (the browser's HDF5 reader).

``--save`` writes the figures, the machine, the date and the command to ``nwbconfig_widget/presets_measured.json``;
:mod:`nwbconfig_widget.presets` formats the preset texts from that file, so each figure a user sees comes from here.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from writer_vs_neuroconv import (  # noqa: E402
    CHANNELS,
    FRAMES,
    RATE,
    ephys_block,
    machine,
    movie_block,
    session_nwbfile,
)

#: (ephys seconds at 30 kHz x 384 channels, movie frames of 512 x 512, behaviour seconds at 1 kHz)
SIZES = {"full": (5.0, 120, 900.0), "small": (0.2, 8, 20.0)}
EPHYS, MOVIE, BEHAVIOUR = (
    "acquisition/ElectricalSeries/data",
    "acquisition/TwoPhotonSeries/data",
    "acquisition/Position/data",
)
LARGE = (EPHYS, MOVIE, BEHAVIOUR)
#: The typical reads a cloud reader makes (names of ``typical_selections``), per dataset.
READS = {
    EPHYS: ("time window (1 s), all channels", "one channel, whole recording"),
    MOVIE: ("one frame", "time window (1 s)"),
}
SAVED = Path(__file__).resolve().parent.parent / "nwbconfig_widget" / "presets_measured.json"


# --------------------------------------------------------------------------------------------------- the session


def make_data(seconds: float, frames: int, behaviour_seconds: float) -> dict[str, np.ndarray]:
    """The arrays of the session: ephys (int16), movie (uint16), position and its timestamps (float64)."""
    if frames > FRAMES:
        raise ValueError(f"at most {FRAMES} frames (the movie's activity traces are that long)")
    samples = int(seconds * RATE)
    ephys = np.empty((samples, CHANNELS), dtype="int16")
    for start in range(0, samples, RATE):
        ephys[start : start + RATE] = ephys_block(start, min(samples, start + RATE))
    movie = np.concatenate([movie_block(start, min(frames, start + 50)) for start in range(0, frames, 50)])
    rng = np.random.default_rng(3)
    count = int(behaviour_seconds * 1000)
    position = np.cumsum(rng.normal(0, 0.05, size=(count, 2)), axis=0) + [20.0, 35.0]
    timestamps = np.cumsum(rng.normal(1e-3, 2e-5, size=count)) + 12.5  # a jittered 1 kHz clock
    return {"ephys": ephys, "movie": movie, "position": position, "timestamps": timestamps}


def make_session(data: dict[str, np.ndarray]):
    """A fresh NWBFile holding ``data`` (a file can be written once per NWBFile object): the ephys and movie of
    writer_vs_neuroconv.py's session, and the position series."""
    from pynwb import TimeSeries

    nwbfile = session_nwbfile(data["ephys"], data["movie"])
    nwbfile.add_acquisition(
        TimeSeries(name="Position", data=data["position"], unit="cm", timestamps=data["timestamps"])
    )
    return nwbfile


def describe(data: dict[str, np.ndarray]) -> str:
    ephys, movie, position = data["ephys"], data["movie"], data["position"]
    total = sum(array.nbytes for array in data.values())
    return (
        f"{total / 1e6:.0f} MB synthetic session: {ephys.shape[0] / RATE:g} s of {ephys.shape[1]}-channel int16 ephys, "
        f"{movie.shape[0]} frames {movie.shape[1]}x{movie.shape[2]} uint16 2-photon, "
        f"{position.shape[0] / 1000:g} s of 1 kHz float64 position"
    )


# --------------------------------------------------------------------------------------------------- measurements


def disk_bytes(path: Path) -> int:
    if path.is_dir():
        return sum(os.path.getsize(os.path.join(root, name)) for root, _, names in os.walk(path) for name in names)
    return path.stat().st_size


def write(data: dict[str, np.ndarray], backend: str, case: str, folder: Path):
    """Write the session with the default configuration or a preset.

    Returns the path, the wall-clock and CPU seconds (every thread of this process) and the configuration.
    """
    from nwbconfig_widget import apply_preset, configure_and_write_nwbfile, get_default_backend_configuration

    path = folder / f"{case}.{'nwb' if backend == 'hdf5' else 'nwb.zarr'}"
    nwbfile = make_session(data)
    started, cpu = time.perf_counter(), time.process_time()
    configuration = get_default_backend_configuration(nwbfile, backend=backend)
    if case != "default":
        apply_preset(configuration, case)
    configure_and_write_nwbfile(nwbfile, path, configuration, overwrite=True, n_jobs=1)
    return path, time.perf_counter() - started, time.process_time() - cpu, configuration


def stored_bytes(path: Path, backend: str) -> dict[str, int]:
    """Bytes each large dataset takes on disk."""
    if backend == "hdf5":
        import h5py

        with h5py.File(path, "r") as file:
            return {location: int(file[location].id.get_storage_size()) for location in LARGE}
    import zarr

    root = zarr.open(str(path), mode="r")
    return {location: int(root[location].nbytes_stored) for location in LARGE}


def read_seconds(path: Path, backend: str, times: int = 3) -> tuple[float, float]:
    """Wall-clock and CPU seconds to read every value of the large datasets (with hdf5plugin: every filter).

    The least of ``times`` reads each (a read takes about a second: one busy moment of the machine would decide it).
    """
    import hdf5plugin  # noqa: F401

    walls, cpus = [], []
    for _ in range(times):
        started, cpu = time.perf_counter(), time.process_time()
        if backend == "hdf5":
            import h5py

            with h5py.File(path, "r") as file:
                for location in LARGE:
                    file[location][()]
        else:
            import zarr

            root = zarr.open(str(path), mode="r")
            for location in LARGE:
                root[location][...]
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
    return min(walls), min(cpus)


def remote_reads(configuration, ratios: dict[str, float]) -> dict[str, dict[str, float]]:
    """Requests and compressed bytes of the typical reads, from the chunk grid and the measured ratios."""
    from nwbconfig_widget.access import access_cost, typical_selections

    reads = {}
    for location, names in READS.items():
        item = configuration.dataset_configurations[location]
        selections = typical_selections(item)
        for name in names:
            cost = access_cost(item, selections[name], compression_ratio=ratios[location])
            label = f"{location.split('/')[1]}: {name}"
            reads[label] = {"requests": cost.requests, "fetched_bytes": round(cost.bytes_read_compressed)}
    return reads


_H5PY_ALONE = """
import sys, h5py
with h5py.File(sys.argv[1], "r") as file:
    for location in sys.argv[2:]:
        try:
            print(float(file[location][(0,) * file[location].ndim]))
        except OSError as error:  # a filter that is not available
            print(repr(str(error)))
"""

_H5WASM = """
import h5wasm from "h5wasm/node";
await h5wasm.ready;
const file = new h5wasm.File(process.argv[1], "r");
for (const location of process.argv.slice(2)) {
  const dataset = file.get(location);
  const value = dataset.slice(dataset.shape.map(() => [0, 1]));
  console.log(value === null ? "null" : String(Number(value[0])));
}
file.close();
"""


def _same(texts: list[str], expected: list[float]) -> bool:
    """Whether a reader printed the expected first values (a failed read prints an error, nothing, or garbage)."""
    try:
        return len(texts) == len(expected) and all(float(text) == value for text, value in zip(texts, expected))
    except ValueError:
        return False


def hdf5_readers(path: Path, expected: list[float], h5wasm: Path | None) -> dict[str, bool]:
    """Which readers read the first value of each large dataset right, with no filter plugin on their path.

    h5dump and h5wasm do not fail when a filter is missing (h5dump prints an empty ``DATA {}`` and exits with 0,
    h5wasm returns uninitialised memory), so each reader's values are compared with the values written.
    """
    env = {key: value for key, value in os.environ.items() if key != "HDF5_PLUGIN_PATH"}
    readers = {}
    done = subprocess.run(
        [sys.executable, "-c", _H5PY_ALONE, str(path), *LARGE], capture_output=True, text=True, env=env, check=True
    )
    readers["h5py without hdf5plugin"] = _same(done.stdout.split(), expected)
    if shutil.which("h5dump"):
        printed = []
        for location in LARGE:
            rank = 3 if location == MOVIE else 2
            command = ["h5dump", "-m", "%.17g", "-d", f"/{location}", "-s", ",".join("0" * rank)]
            done = subprocess.run(
                [*command, "-c", ",".join("1" * rank), str(path)], capture_output=True, text=True, env=env
            )
            values = [
                line.split(":", 1)[1].strip() for line in done.stdout.splitlines() if line.strip().startswith("(0")
            ]
            printed.append(values[0] if values else "nothing")
        readers["h5dump"] = _same(printed, expected)
    if h5wasm is not None:
        script = ["node", "--input-type=module", "-e", _H5WASM, str(path.resolve()), *(f"/{name}" for name in LARGE)]
        done = subprocess.run(script, capture_output=True, text=True, env=env, cwd=h5wasm, check=True)
        readers["h5wasm"] = _same(done.stdout.split(), expected)
    return readers


def measure(data, backends, cases, folder: Path, h5wasm: Path | None, repeat: int) -> dict:
    """Every case on every backend, ``repeat`` rounds; the least wall-clock and CPU times are kept (and every write's).

    The rounds go through all cases in turn, so a busy spell of the shared machine slows one run of several cases
    rather than every run of one case.
    """
    results: dict[str, dict] = {backend: {} for backend in backends}
    for round_ in range(repeat):
        for backend in backends:
            for case in cases:
                path, seconds, cpu_seconds, configuration = write(data, backend, case, folder)
                reading, reading_cpu = read_seconds(path, backend)
                result = results[backend].setdefault(case, {"write_runs": [], "write_cpu_runs": []})
                result["write_runs"].append(round(seconds, 3))
                result["write_cpu_runs"].append(round(cpu_seconds, 3))
                for key, value in zip(
                    ("write_seconds", "write_cpu_seconds", "read_seconds", "read_cpu_seconds"),
                    (seconds, cpu_seconds, reading, reading_cpu),
                ):
                    result[key] = round(min(value, result.get(key, value)), 3)
                if round_ == 0:  # the same file every round
                    stored = stored_bytes(path, backend)
                    ratios = {
                        location: configuration.dataset_configurations[location].full_size_bytes / stored[location]
                        for location in LARGE
                    }
                    result["size_bytes"] = disk_bytes(path)
                    result["compression_ratio"] = {location: round(ratio, 3) for location, ratio in ratios.items()}
                    result["reads"] = remote_reads(configuration, ratios)
                    if backend == "hdf5":
                        expected = [float(data[name].flat[0]) for name in ("ephys", "movie", "position")]
                        result["readers"] = hdf5_readers(path, expected, h5wasm)
                print(
                    f"round {round_ + 1}: {backend:4s} {case:8s} write {seconds:7.2f} s (CPU {cpu_seconds:7.2f} s), "
                    f"read {reading:6.2f} s (CPU {reading_cpu:6.2f} s), {result['size_bytes'] / 1e6:7.1f} MB",
                    flush=True,
                )
                shutil.rmtree(path) if path.is_dir() else path.unlink()
    return results


# --------------------------------------------------------------------------------------------------- report


def tables(record: dict) -> str:
    """Markdown tables of a record: one row per backend and preset, ratios to the default's file."""
    lines = [
        "| backend | preset | write (s) | / default | write CPU (s) | / default | size (MB) | / default "
        "| read all (s) | / default | read CPU (s) | / default | HDF5 file decoded by |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for backend, cases in record["results"].items():
        base = cases["default"]
        for case, result in cases.items():
            readers = result.get("readers")
            opened = ", ".join(name for name, ok in readers.items() if ok) or "none" if readers else ""
            if readers and not all(readers.values()):
                opened += " (not: " + ", ".join(name for name, ok in readers.items() if not ok) + ")"
            lines.append(
                f"| {backend} | {case} | {result['write_seconds']:.2f} "
                f"| {result['write_seconds'] / base['write_seconds']:.2f}x "
                f"| {result['write_cpu_seconds']:.2f} | {result['write_cpu_seconds'] / base['write_cpu_seconds']:.2f}x "
                f"| {result['size_bytes'] / 1e6:.1f} | {result['size_bytes'] / base['size_bytes']:.2f}x "
                f"| {result['read_seconds']:.2f} | {result['read_seconds'] / base['read_seconds']:.2f}x "
                f"| {result['read_cpu_seconds']:.2f} | {result['read_cpu_seconds'] / base['read_cpu_seconds']:.2f}x "
                f"| {opened} |"
            )
    lines += ["", "Typical remote reads (requests, MB fetched; ratio of MB to the default's):", ""]
    first = next(iter(record["results"].values()))["default"]["reads"]
    lines.append("| backend | preset | " + " | ".join(first) + " |")
    lines.append("|---|---|" + "---|" * len(first))
    for backend, cases in record["results"].items():
        base = cases["default"]["reads"]
        for case, result in cases.items():
            cells = [
                f"{read['requests']}, {read['fetched_bytes'] / 1e6:.2f} MB "
                f"({read['fetched_bytes'] / base[name]['fetched_bytes']:.2f}x)"
                for name, read in result["reads"].items()
            ]
            lines.append(f"| {backend} | {case} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict:
    from nwbconfig_widget.presets import PRESETS

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", action="store_true", help="a ~10 MB session: checks that the script runs")
    parser.add_argument("--backends", nargs="+", default=["hdf5", "zarr"], choices=["hdf5", "zarr"])
    parser.add_argument("--repeat", type=int, help="rounds of writes and reads, the least times kept (2; --small: 1)")
    parser.add_argument("--h5wasm", type=Path, help="a folder where `npm install h5wasm` ran (needs node)")
    parser.add_argument("--folder", type=Path, help="where to write the files (default: a temporary folder)")
    parser.add_argument("--save", action="store_true", help=f"write the figures to {SAVED.name} in the package")
    parser.add_argument("--out", type=Path, help="write the figures to this JSON file")
    arguments = parser.parse_args(argv)
    if arguments.save and arguments.small:
        parser.error("--save stores the figures the preset texts quote: measure them at full size")

    repeat = arguments.repeat or (1 if arguments.small else 2)
    print(f"machine: {machine()}", flush=True)
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    data = make_data(*SIZES["small" if arguments.small else "full"])
    print(f"data: {describe(data)} (made in {time.perf_counter() - started:.1f} s)", flush=True)
    folder = arguments.folder or Path(tempfile.mkdtemp(prefix="presets-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        results = measure(data, arguments.backends, ["default", *PRESETS], folder, arguments.h5wasm, repeat)
    finally:
        if arguments.folder is None:
            shutil.rmtree(folder, ignore_errors=True)
    command = "python benchmarks/presets.py" + "".join(f" {argument}" for argument in (argv or sys.argv[1:]))
    record = {
        "data": describe(data),
        "command": command,
        "machine": machine(),
        "date": datetime.now(timezone.utc).date().isoformat(),
        "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "n_jobs": 1,
        "repeat": repeat,
        "results": results,
    }
    print()
    print(tables(record))
    print(
        f"\n{record['data']}; {record['machine']}; {record['date']}; n_jobs=1; least of {repeat} rounds; "
        f"load average before {record['load_average'][0]}, after {record['load_average'][1]}"
    )
    for target in [SAVED] * arguments.save + [arguments.out] * (arguments.out is not None):
        target.write_text(json.dumps(record, indent=1) + "\n")
        print(f"figures written to {target}")
    return record


if __name__ == "__main__":
    main()
