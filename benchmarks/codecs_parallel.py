"""Each codec's parallel write against the machine's limit for it, on HDF5 and Zarr.

    python benchmarks/codecs_parallel.py [--workdir DIR] [--seconds 10] [--repeat 2] [--backends hdf5 zarr]

The data: ``--seconds`` of Neuropixels-like int16 ephys (384 channels at 30 kHz; 10 s is 230 MB), generated once in
the work folder, written as one ElectricalSeries in 9.6 MB chunks (75,000 x 64, which tile 10 s exactly: with
partial edge chunks, such as ``--chunk-rows 81920``, both backends also compress the padding of the last row of
chunks, work the limit below does not count) by ``configure_and_write_nwbfile`` with every core (``n_jobs=None``),
each write in a fresh subprocess. For each backend and codec the script prints:

- the codec's one-core encode speed: the backend's own encoder (for HDF5 the thread path's, for Zarr the numcodecs
  codec zarr calls) on 18 of the dataset's chunks, copied to contiguous arrays first (the copy is not timed), one
  after the other in one thread (raw bytes / seconds);
- the codec's all-core encode speed: the same chunks shared out among as many threads as there are cores, all
  encoding at once (raw bytes / seconds until the last ends), and its ratio to the one-core speed times the cores.
  The limit assumes that ratio is 1; below 1, the cores slow each other down (a shared cache, memory bandwidth) and
  the codec alone, with no file written, already takes 1 / ratio times the codec-bound limit;
- the disk's write speed with fsync (1 GB, measured at the start and the end of the run; the faster is used);
- the limit: max(stored bytes / disk speed, raw bytes / (one-core speed x cores));
- our write time (the fastest of ``--repeat`` runs; the whole ``configure_and_write_nwbfile`` call: file creation,
  every other dataset, the fsyncs and the final rename) and its ratio to the limit. Each write makes a new file: the
  previous run's output is deleted before the timed call (deleting a 150 MB file inside the rename that replaces it
  took 27 ms on ext4, which the limit, the time to write a new file, does not count);
- the fixed cost of an NWB write: the same write with a tiny ElectricalSeries (100 x 384: the same electrodes table,
  77 kB of data), the fastest of two; and the ratio to the limit of our time less that fixed cost (the
  ElectricalSeries' own share of the write);
- where the time goes: the CPU seconds of our write (every thread of the writing process, the fastest run's), and the
  CPU seconds that the codec (raw bytes / one-core speed) and the kernel's copy of the stored bytes into the page
  cache (measured once: 500 MB written without fsync, CPU seconds per byte) need at the least. The limit counts the
  disk and the codec but not that copy, which on a machine with few cores takes the codecs' cores: when the CPU of
  our write divided by the cores is close to our time, the cores were busy throughout;
- a second table: the same chunks written by a *bare pipeline*, the least work any writer of them does, with no file
  format (the array in memory; each chunk copied out of it and encoded in as many threads as there are cores; the
  encoded bytes appended in order to one file, flushed while it is written, then one fsync; the fastest of
  ``--repeat`` runs, each in a fresh subprocess), its ratio to the limit, and our write's ratio to it. Where the bare
  pipeline itself is far from the limit, the limit leaves out work that every writer of these chunks has to do on
  this machine (the copy of each chunk out of the array, the kernel's copy into the page cache, the codec's slower
  speed on all cores at once); where ours is far from the bare pipeline, the time goes to our writer.

The load average before and after the run is printed: other processes on the machine slow the writes, not the limit.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from writer_vs_neuroconv import CHANNELS, RATE, disk_write_speed, ephys_block, machine  # noqa: E402

from nwbconfig_widget.io.parallel import _split  # noqa: E402  (the writer's own cut of a block into its chunks)

CHUNK = (75_000, 64)

#: name -> {backend: (method, options, filters)}
CODECS: dict[str, dict[str, tuple]] = {
    "gzip 4": {"hdf5": ("gzip", {"level": 4}, []), "zarr": ("gzip", {"level": 4}, [])},
    "Zstd 3": {"hdf5": ("Zstd", {"clevel": 3}, []), "zarr": ("zstd", {"level": 3}, [])},
    "LZ4": {"hdf5": ("LZ4", None, []), "zarr": ("lz4", None, [])},
    "Blosc lz4 5 + shuffle": {
        "hdf5": ("Blosc", {"cname": "lz4", "clevel": 5, "shuffle": 1}, []),
        "zarr": ("blosc", {"cname": "lz4", "clevel": 5, "shuffle": 1}, []),
    },
    "Blosc lz4 5 + bitshuffle": {
        "hdf5": ("Blosc", {"cname": "lz4", "clevel": 5, "shuffle": 2}, []),
        "zarr": ("blosc", {"cname": "lz4", "clevel": 5, "shuffle": 2}, []),
    },
    "Blosc zstd 5 + shuffle": {
        "hdf5": ("Blosc", {"cname": "zstd", "clevel": 5, "shuffle": 1}, []),
        "zarr": ("blosc", {"cname": "zstd", "clevel": 5, "shuffle": 1}, []),
    },
    "Blosc zstd 5 + bitshuffle": {
        "hdf5": ("Blosc", {"cname": "zstd", "clevel": 5, "shuffle": 2}, []),
        "zarr": ("blosc", {"cname": "zstd", "clevel": 5, "shuffle": 2}, []),
    },
}


def make_data(workdir: Path, seconds: int) -> Path:
    path = workdir / f"ephys-{seconds}s.npy"
    if not path.exists():
        samples = seconds * RATE
        ephys = np.lib.format.open_memmap(path, mode="w+", dtype="int16", shape=(samples, CHANNELS))
        for start in range(0, samples, RATE):
            ephys[start : start + RATE] = ephys_block(start, min(samples, start + RATE))
        ephys.flush()
        del ephys
    return path


# --------------------------------------------------------------------------------------------------- children


def _nwbfile(data):
    from datetime import datetime, timezone

    from pynwb import NWBFile
    from pynwb.ecephys import ElectricalSeries

    nwbfile = NWBFile(identifier="codecs", session_description="codecs", session_start_time=datetime.now(timezone.utc))
    device = nwbfile.create_device(name="Neuropixels")
    group = nwbfile.create_electrode_group(name="shank", description="shank", location="CA1", device=device)
    for _ in range(data.shape[1]):
        nwbfile.add_electrode(group=group, location="CA1")
    region = nwbfile.create_electrode_table_region(region=list(range(data.shape[1])), description="all")
    nwbfile.add_acquisition(ElectricalSeries(name="ElectricalSeries", data=data, electrodes=region, rate=float(RATE)))
    return nwbfile


def _chunk_shape(shape: tuple[int, ...], chunk_rows: int) -> tuple[int, int]:
    """The benchmark's chunk (``chunk_rows`` x 64 channels), no larger than an array of ``shape``."""
    rows, columns = (min(length, size) for length, size in zip((chunk_rows, CHUNK[1]), shape))
    return rows, columns


def _chunks(data: np.ndarray, chunk_shape: tuple[int, ...]) -> list[np.ndarray]:
    """Views of every chunk of ``data``, in C order, as the writer cuts them (edge chunks are smaller)."""
    return [part for _offset, part in _split(data, tuple(slice(0, length) for length in data.shape), chunk_shape)]


def _configured(nwbfile, backend: str, codec: str, chunk_rows: int):
    from nwbconfig_widget import get_default_backend_configuration
    from nwbconfig_widget.defaults import default_buffer_shape

    method, options, filters = CODECS[codec][backend]
    configuration = get_default_backend_configuration(nwbfile, backend=backend)
    item = configuration.dataset_configurations["acquisition/ElectricalSeries/data"]
    chunk = _chunk_shape(item.full_shape, chunk_rows)
    # the whole array in one buffer up to 256 MB; above, the default buffer of these chunks
    whole = item.full_size_bytes <= 256e6
    buffer = item.full_shape if whole else default_buffer_shape(item.full_shape, chunk, item.itemsize)
    item.update(chunk_shape=chunk, buffer_shape=buffer)
    item.update(compression_method=method, compression_options=options, filter_methods=filters)
    return configuration, item


def _stored_bytes(path: Path, backend: str) -> int:
    """Bytes stored for the ElectricalSeries' data: the sum of its chunks."""
    if backend == "hdf5":
        import h5py

        with h5py.File(path, "r") as file:
            dataset = file["acquisition/ElectricalSeries/data"]
            return sum(dataset.id.get_chunk_info(index).size for index in range(dataset.id.get_num_chunks()))
    folder = path / "acquisition" / "ElectricalSeries" / "data"
    return sum(item.stat().st_size for item in folder.iterdir() if not item.name.startswith("."))


def _remove(path: Path) -> None:
    import shutil

    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()


def child_write(backend: str, codec: str, data_path: Path, target: Path, tiny: bool, chunk_rows: int) -> dict:
    from nwbconfig_widget import configure_and_write_nwbfile

    data = np.load(data_path)
    if tiny:
        data = np.ascontiguousarray(data[:100])  # every channel: the same electrodes table as the real write
    nwbfile = _nwbfile(data)
    configuration, _item = _configured(nwbfile, backend, codec, chunk_rows)
    _remove(target)  # the previous write's output, untimed: the limit is that of writing a new file
    started, cpu_started = time.perf_counter(), time.process_time()
    configure_and_write_nwbfile(nwbfile, target, backend_configuration=configuration, overwrite=True)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    return {"seconds": seconds, "cpu": cpu, "raw": int(data.nbytes), "stored": _stored_bytes(target, backend)}


def _encoder(backend: str, codec: str, chunk_shape: tuple[int, ...]):
    """The backend's own encoder for the codec, as the writer calls it: a function of one contiguous chunk."""
    method, options, filters = CODECS[codec][backend]
    if backend == "hdf5":
        import h5py

        from nwbconfig_widget.codecs import hdf5_dataset_kwargs
        from nwbconfig_widget.io.hdf5_chunks import pipeline_of
        from nwbconfig_widget.io.parallel_hdf5 import can_encode_in_python, encode_in_python

        kwargs = hdf5_dataset_kwargs(method, options, filters)
        with h5py.File("speed.h5", "w", driver="core", backing_store=False) as file:
            dataset = file.create_dataset("d", shape=chunk_shape, chunks=chunk_shape, dtype="int16", **kwargs)
            pipeline = pipeline_of(dataset, kwargs)
        assert can_encode_in_python(pipeline), f"{codec} is not encoded in threads"

        def encode(chunk):
            return encode_in_python(pipeline, chunk)[1]

        return encode
    from nwbconfig_widget.codecs import zarr_compressor

    return zarr_compressor(method, options, np.dtype("int16")).encode


def encode_speeds(backend: str, codec: str, data_path: Path, chunk_rows: int, cores: int) -> tuple[float, float]:
    """Raw bytes per second of the backend's own encoder for the codec, on the dataset's chunks: in one thread, and
    in ``cores`` threads sharing the chunks out, all at once."""
    data = np.load(data_path, mmap_mode="r")
    chunk_shape = _chunk_shape(data.shape, chunk_rows)
    chunks = [np.ascontiguousarray(chunk) for chunk in _chunks(data[: 3 * chunk_shape[0]], chunk_shape)]
    encode = _encoder(backend, codec, chunk_shape)

    def run() -> float:  # off the main thread, as in the writer (numcodecs' Blosc then uses one core)
        encode(chunks[0])  # warm-up
        started = time.perf_counter()
        for chunk in chunks:
            encode(chunk)
        return time.perf_counter() - started

    with ThreadPoolExecutor(max_workers=1) as thread:
        seconds = min(thread.submit(run).result() for _ in range(2))
    raw = sum(chunk.nbytes for chunk in chunks)

    def run_share(share: list[np.ndarray], barrier: threading.Barrier) -> None:
        encode(share[0])  # warm-up, then all threads start together
        barrier.wait()
        for chunk in share:
            encode(chunk)

    all_core_seconds = []
    with ThreadPoolExecutor(max_workers=cores) as threads:
        for _ in range(2):
            barrier = threading.Barrier(cores + 1)
            futures = [threads.submit(run_share, chunks[index::cores], barrier) for index in range(cores)]
            barrier.wait()
            started = time.perf_counter()
            for future in futures:
                future.result()
            all_core_seconds.append(time.perf_counter() - started)
    return raw / seconds, raw / min(all_core_seconds)


def bare_write(backend: str, codec: str, data_path: Path, target: Path, chunk_rows: int, cores: int) -> dict:
    """The least work a writer of these chunks does, with no file format: the array in memory, each chunk copied out
    of it (``copy_by_runs`` into arrays reused per thread) and encoded in ``cores`` threads, the encoded bytes appended
    in order to one new file by the main thread as they come, flushed to the disk while it is written (the writer's
    ``WriteBehind``), then one fsync. Seconds and CPU seconds."""
    from nwbconfig_widget.io.chunk_buffers import ChunkBuffers
    from nwbconfig_widget.io.write_behind import WriteBehind

    data = np.load(data_path)
    chunk_shape = _chunk_shape(data.shape, chunk_rows)
    chunks = _chunks(data, chunk_shape)
    encode = _encoder(backend, codec, chunk_shape)
    # one pool of reused arrays per chunk shape (edge chunks are smaller)
    pools = {shape: ChunkBuffers(shape, data.dtype) for shape in {chunk.shape for chunk in chunks}}

    def copy_and_encode(chunk: np.ndarray) -> bytes:
        with pools[chunk.shape].contiguous(chunk) as contiguous:
            return encode(contiguous)

    _remove(target)
    started, cpu_started = time.perf_counter(), time.process_time()
    stored = 0
    with WriteBehind(target), open(target, "wb") as file, ThreadPoolExecutor(max_workers=cores) as threads:
        for encoded in threads.map(copy_and_encode, chunks):
            file.write(encoded)
            stored += len(encoded)
        file.flush()
        os.fsync(file.fileno())
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    _remove(target)
    return {"seconds": seconds, "cpu": cpu, "stored": stored}


def page_cache_cpu(workdir: Path, nbytes: int = 500_000_000) -> float:
    """CPU seconds per byte that writing a file costs this process (the kernel copying it into the page cache and
    allocating its blocks), without the fsync (which waits on the disk, not on a core): the fastest of two."""
    block = np.random.default_rng(1).integers(0, 255, size=8_000_000, dtype=np.uint8).tobytes()
    path = workdir / "page-cache-cpu.bin"
    results = []
    for _ in range(2):
        started = time.process_time()
        with open(path, "wb") as file:
            for _ in range(nbytes // len(block)):
                file.write(block)
        results.append((time.process_time() - started) / nbytes)
        with open(path, "rb+") as file:
            os.fsync(file.fileno())
        path.unlink()
    return min(results)


# --------------------------------------------------------------------------------------------------- driver


def run_child(*arguments: str) -> dict:
    completed = subprocess.run([sys.executable, __file__, "--child", *arguments], capture_output=True, text=True)
    if completed.returncode != 0:
        raise RuntimeError(f"{arguments} failed:\n{completed.stderr[-4000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workdir", default="/tmp/nwbbench")
    parser.add_argument("--seconds", type=int, default=10, help="seconds of 384-channel ephys (10 s: 230 MB)")
    parser.add_argument("--repeat", type=int, default=2, help="writes of each codec (the fastest is reported)")
    parser.add_argument("--backends", nargs="+", default=["hdf5", "zarr"], choices=["hdf5", "zarr"])
    parser.add_argument("--codecs", nargs="+", default=list(CODECS), choices=list(CODECS))
    parser.add_argument("--chunk-rows", type=int, default=CHUNK[0], help="rows of a chunk (64 channels wide)")
    args = parser.parse_args()
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"machine: {machine()}", flush=True)
    load_before = os.getloadavg()
    started = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    data_path = make_data(workdir, args.seconds)
    cores = len(os.sched_getaffinity(0))
    rows_arg = str(args.chunk_rows)
    disks = [disk_write_speed(workdir)]
    write_cpu = page_cache_cpu(workdir)
    rows, fixed = [], {}
    for backend in args.backends:
        suffix = ".nwb" if backend == "hdf5" else ".nwb.zarr"
        target = workdir / f"codecs-out{suffix}"
        fixed[backend] = min(
            run_child("write", backend, "gzip 4", str(data_path), str(target), "tiny", rows_arg)["seconds"]
            for _ in range(2)
        )
        for codec in args.codecs:
            speeds = run_child("speed", backend, codec, str(data_path), rows_arg, str(cores))
            speed, all_core_speed = speeds["speed"], speeds["all_core_speed"]
            runs = [
                run_child("write", backend, codec, str(data_path), str(target), "", rows_arg)
                for _ in range(args.repeat)
            ]
            bares = [
                run_child("bare", backend, codec, str(data_path), str(workdir / "bare.bin"), rows_arg, str(cores))
                for _ in range(args.repeat)
            ]
            print(
                f"{backend} {codec}: one core {speed / 1e6:.0f} MB/s, {cores} cores {all_core_speed / 1e6:.0f} MB/s; "
                f"writes {runs}; bare {bares}",
                flush=True,
            )
            best, bare = (min(results, key=lambda run: run["seconds"]) for results in (runs, bares))
            if bare["stored"] != best["stored"]:  # the same encoder on the same chunks: only padded edges differ
                print(
                    f"note: {backend} {codec}: the bare pipeline stored {bare['stored']:,} bytes, ours "
                    f"{best['stored']:,} (ours pads edge chunks; with chunks that tile the array they are equal)",
                    flush=True,
                )
            rows.append((backend, codec, speed, all_core_speed, best, runs, bare))
    disks.append(disk_write_speed(workdir))
    disk = max(disks)
    load_after = os.getloadavg()

    def limit_of(write: dict, speed: float) -> tuple[float, str]:
        """The machine's limit for a write (seconds) and what bounds it: the disk or the codec on every core."""
        disk_seconds, codec_seconds = write["stored"] / disk, write["raw"] / (speed * cores)
        return max(disk_seconds, codec_seconds), "disk" if disk_seconds >= codec_seconds else "codec"

    print()
    print(
        "| backend | codec | one-core encode (MB/s) | all-core encode (MB/s) | all-core / (one-core x cores) "
        "| stored (MB) | limit (s) | ours (s) | ours / limit "
        "| ours less the fixed cost / limit | runs (s) | CPU of our write (s) | codec + page cache CPU (s) |"
    )
    print("|" + "---|" * 13)
    for backend, codec, speed, all_core_speed, best, runs, _bare in rows:
        times = ", ".join(f"{run['seconds']:.2f}" for run in runs)
        limit, bound = limit_of(best, speed)
        needed = best["raw"] / speed + best["stored"] * write_cpu
        print(
            f"| {backend} | {codec} | {speed / 1e6:.0f} | {all_core_speed / 1e6:.0f} | "
            f"{all_core_speed / (speed * cores):.2f} | {best['stored'] / 1e6:.1f} | {limit:.2f} ({bound}) | "
            f"{best['seconds']:.2f} | {best['seconds'] / limit:.2f}x | "
            f"{(best['seconds'] - fixed[backend]) / limit:.2f}x | {times} | {best['cpu']:.2f} | {needed:.2f} |"
        )
    print()
    print(
        "| backend | codec | limit (s) | bare pipeline (s) | bare / limit | bare CPU (s) | ours (s) | ours / bare "
        "| ours less the fixed cost / bare |"
    )
    print("|" + "---|" * 9)
    for backend, codec, speed, _all_core_speed, best, _runs, bare in rows:
        limit, _bound = limit_of(best, speed)
        print(
            f"| {backend} | {codec} | {limit:.2f} | {bare['seconds']:.2f} | {bare['seconds'] / limit:.2f}x | "
            f"{bare['cpu']:.2f} | {best['seconds']:.2f} | {best['seconds'] / bare['seconds']:.2f}x | "
            f"{(best['seconds'] - fixed[backend]) / bare['seconds']:.2f}x |"
        )
    print()
    raw = rows[0][4]["raw"] if rows else 0
    print(
        f"{raw / 1e6:.0f} MB of int16 in ({args.chunk_rows}, {CHUNK[1]}) chunks; {cores} cores; "
        f"disk {disk / 1e6:.0f} MB/s with fsync (start {disks[0] / 1e6:.0f}, end {disks[1] / 1e6:.0f}); "
        f"writing into the page cache costs {write_cpu * 1e9:.2f} CPU s per GB; "
        "the same write with a tiny ElectricalSeries: "
        + ", ".join(f"{backend} {seconds:.2f} s" for backend, seconds in fixed.items())
    )
    print(f"run started {started}; load average before {load_before[0]:.2f}, after {load_after[0]:.2f}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        task, backend, codec, data_path = sys.argv[2], sys.argv[3], sys.argv[4], Path(sys.argv[5])
        if task == "speed":
            speed, all_core_speed = encode_speeds(backend, codec, data_path, int(sys.argv[6]), int(sys.argv[7]))
            print(json.dumps({"speed": speed, "all_core_speed": all_core_speed}))
        elif task == "bare":
            target, rows, cores = Path(sys.argv[6]), int(sys.argv[7]), int(sys.argv[8])
            print(json.dumps(bare_write(backend, codec, data_path, target, rows, cores)))
        else:
            print(
                json.dumps(
                    child_write(backend, codec, data_path, Path(sys.argv[6]), bool(sys.argv[7]), int(sys.argv[8]))
                )
            )
    else:
        main()
