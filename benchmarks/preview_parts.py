"""The measurements behind the preview's sampling choices, in one run.

1. Encoding one chunk: through an in-memory HDF5 file (the preview's former way) against zlib / the writer's thread
   encoder directly, on one thread and on every core (h5py runs one call at a time; zlib and zstd release the GIL).
2. Stored bytes per filter: the Python encoders against HDF5's own pipeline, byte count for byte count.
3. Parts of a chunk against the whole chunk: the stored bytes of a chunk measured part by part, for deflate (with and
   without the 32 KiB window as a preset dictionary) and Zstandard (primed by streaming 0 / 128 KiB / 512 KiB before
   the part, in one frame), as the difference per part, on several kinds of data.

    python benchmarks/preview_parts.py
"""

from __future__ import annotations

import os
import sys
import time
import uuid
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import h5py
import hdf5plugin  # noqa: F401  (registers the plugin filters)
import numcodecs.zstd
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from preview_accuracy import neuropixels_traces, two_photon_movie  # noqa: E402

from nwbconfig_widget import codecs  # noqa: E402
from nwbconfig_widget.io.hdf5_chunks import encode_with_hdf5, pipeline_of  # noqa: E402
from nwbconfig_widget.io.parallel_hdf5 import encode_in_python  # noqa: E402
from nwbconfig_widget.preview_sampling import deflate_part  # noqa: E402
from nwbconfig_widget.preview_zstd import ZstdLibrary  # noqa: E402


def kinds() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    traces, frames = neuropixels_traces(3), two_photon_movie(40)
    return {
        "ephys chunk (78125 x 64 int16)": np.ascontiguousarray(traces[:78_125, :64]),
        "movie chunk (19 x 512 x 512 uint16)": np.ascontiguousarray(frames[:19]),
        "noise int16": rng.normal(0, 30, 5_000_000).astype("int16"),
        "timestamps float64": np.cumsum(rng.normal(1e-3, 2e-5, 1_250_000)),
        "sparse int16 (1% non-zero)": (rng.random(5_000_000) < 0.01).astype("int16")
        * rng.integers(1, 100, 5_000_000).astype("int16"),
        "sine int16": (np.sin(np.arange(5_000_000) / 40) * 500).astype("int16"),
    }


def pipeline(method: str, options, filters, chunk: np.ndarray):
    kwargs = codecs.hdf5_dataset_kwargs(method, options, filters)
    with h5py.File(f"p-{uuid.uuid4().hex}.h5", "w", driver="core", backing_store=False) as file:
        dataset = file.create_dataset("d", shape=chunk.shape, dtype=chunk.dtype, chunks=chunk.shape, **kwargs)
        return pipeline_of(dataset, kwargs)


def encode_speed(chunks: list[np.ndarray], workers: int) -> None:
    print(f"\n1. Encoding {len(chunks)} chunks of {chunks[0].nbytes / 1e6:.0f} MB with gzip 4, {workers} cores")
    in_file = pipeline("gzip", {"level": 4}, [], chunks[0])

    def through_hdf5(chunk):
        with h5py.File(f"s-{uuid.uuid4().hex}.h5", "w", driver="core", backing_store=False, rdcc_nbytes=0) as file:
            dataset = file.create_dataset("d", shape=chunk.shape, dtype=chunk.dtype, chunks=chunk.shape,
                                          compression="gzip", compression_opts=4)  # fmt: skip
            dataset[...] = chunk
            return dataset.id.get_storage_size()

    def direct(chunk):
        return len(encode_in_python(in_file, chunk)[1])

    for name, function in (("in-memory HDF5 file", through_hdf5), ("zlib directly", direct)):
        started = time.perf_counter()
        sizes = [function(chunk) for chunk in chunks]
        one = time.perf_counter() - started
        with ThreadPoolExecutor(workers) as pool:
            started, cpu = time.perf_counter(), time.process_time()
            threaded = list(pool.map(function, chunks))
            many, cpu = time.perf_counter() - started, time.process_time() - cpu
        assert sizes == threaded
        print(
            f"   {name:22s} 1 thread {one:.2f} s, {workers} threads {many:.2f} s: {one / many:.2f}x "
            f"(CPU seconds / wall seconds in threads: {cpu / many:.2f})"
        )


def filter_bytes(chunk: np.ndarray) -> None:
    print("\n2. Stored bytes, HDF5's pipeline against the Python encoders (one ephys chunk)")
    plugin = ZstdLibrary.hdf5plugin()
    for method, options, filters in (
        ("gzip", {"level": 4}, []),
        ("gzip", {"level": 4}, ["shuffle"]),
        ("Zstd", {"clevel": 3}, []),
        ("LZ4", None, []),
        ("Blosc", {"cname": "lz4", "clevel": 5, "shuffle": 1}, []),
        ("Blosc", {"cname": "zstd", "clevel": 5, "shuffle": 2}, []),
    ):
        item = pipeline(method, options, filters, chunk)
        _, by_hdf5 = encode_with_hdf5(item, chunk)
        _, in_python = encode_in_python(item, chunk)
        line = (
            f"   {'+'.join([*filters, method])} {options or ''}: HDF5 {len(by_hdf5):,} B, Python {len(in_python):,} B"
        )
        if method == "Zstd" and plugin is not None:
            line += f", hdf5plugin's zstd through ctypes {len(plugin.compressed_bytes(chunk, 3)):,} B"
        print(line)
    numcodecs_zstd = ZstdLibrary.numcodecs()
    print(f"   zstd versions: numcodecs {numcodecs_zstd.version}, hdf5plugin {plugin.version if plugin else 'n/a'}")


def part_bias(data: dict[str, np.ndarray]) -> None:
    print("\n3. Parts against the whole chunk: (sum of parts - whole) in bytes per part, and in % of the whole")
    zstd = ZstdLibrary.numcodecs()
    for name, values in data.items():
        chunk = memoryview(np.ascontiguousarray(values)).cast("B")
        size = chunk.nbytes
        cells = []
        whole = len(zlib.compress(chunk, 4))
        for step in (65_536, 262_144, 1_048_576):
            for primer in (0, 32_768):
                parts = [
                    deflate_part(chunk[start : start + step], 0, 0, 4, chunk[max(0, start - primer) : start], False)[0]
                    for start in range(0, size, step)
                ]
                difference = sum(parts) + 6 - whole
                label = f"gzip4 {step >> 10}K{' primed' if primer else ''}"
                cells.append(f"{label} {difference / len(parts):+.0f} B ({difference / whole:+.3%})")
        whole = len(numcodecs.zstd.compress(bytes(chunk), 3))
        for step, primer in (
            (262_144, 0),
            (262_144, 131_072),
            (262_144, 262_144),
            (262_144, 524_288),
            (524_288, 0),
            (524_288, 524_288),
        ):
            parts = [
                zstd.part_bytes(chunk, start, min(size, start + step), primer=primer, level=3)
                for start in range(0, size, step)
            ]
            difference = sum(parts) - whole
            cells.append(
                f"zstd3 {step >> 10}K/{primer >> 10}K {difference / len(parts):+.0f} B ({difference / whole:+.3%})"
            )
        print(f"   {name}: zstd 3 ratio {whole / size:.3f}")
        for cell in cells:
            print(f"      {cell}")


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=["speed", "bytes", "parts"], default=None, help="run one measurement")
    only = parser.parse_args().only
    print(f"load average before: {' '.join(f'{value:.2f}' for value in os.getloadavg())}")
    traces = neuropixels_traces(10)
    chunks = [np.ascontiguousarray(traces[:78_125, start : start + 64]) for start in range(0, 384, 64)]
    if only in (None, "speed"):
        encode_speed(chunks, max(1, len(os.sched_getaffinity(0))))
    if only in (None, "bytes"):
        filter_bytes(chunks[0])
    if only in (None, "parts"):
        part_bias(kinds())
    print(f"\nload average after: {' '.join(f'{value:.2f}' for value in os.getloadavg())}")


if __name__ == "__main__":
    main()
