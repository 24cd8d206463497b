"""What a preview costs besides its sample: the small datasets, the large ones, the whole file; and Blosc's block size.

1. On the synthetic session of ``preview_accuracy.py`` (default: the 362 MB one), for HDF5 with each codec setting:
   the preview of the small datasets only (one chunk of at most 256 KiB), of the large ones only, and of the whole
   file, each repeated ``--repeat`` times in one process; the best wall and CPU (process) times are printed. It uses
   the public ``preview_compression(..., locations=...)`` only, so the same command run against an older checkout
   (``PYTHONPATH=<checkout>``) measures the code before a change in the same conditions.
2. Blosc's block size for a chunk read from the frame of at most 2 MiB of zeros against the frame of the whole chunk
   of zeros, over every compressor, level 0-9, shuffle, type size 1-16 and four chunk sizes, with the time of each.

    python benchmarks/preview_fixed_costs.py
    python benchmarks/preview_fixed_costs.py --only blosc
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from preview_accuracy import SESSIONS, SETTINGS, make_session  # noqa: E402

SMALL_BYTES = 262_144  # nwbconfig_widget.preview.SMALL_DATASET_BYTES (spelled out: older checkouts lack it)


def best(function, repeat: int, *args, **kwargs) -> tuple[float, float]:
    """The best wall and CPU seconds of ``repeat`` calls of ``function(*args, **kwargs)``."""
    walls, cpus = [], []
    for _ in range(repeat):
        cpu, wall = time.process_time(), time.perf_counter()
        function(*args, **kwargs)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return min(walls), min(cpus)


def previews(session: str, repeat: int) -> None:
    from nwbconfig_widget import get_default_backend_configuration
    from nwbconfig_widget.preview import file_overhead_bytes, preview_compression

    seconds, frames = SESSIONS[session]
    nwbfile = make_session(seconds, frames)
    file_overhead_bytes("hdf5")
    print(f"preview of the {session} session, HDF5, best of {repeat} (wall / CPU of the process)")
    for name in SETTINGS:
        configuration = get_default_backend_configuration(nwbfile, backend="hdf5")
        if SETTINGS[name]:
            method, options = SETTINGS[name]["hdf5"]
            with warnings.catch_warnings():  # Blosc cannot encode the text columns, which keep gzip
                warnings.filterwarnings("ignore", message=".*cannot encode.*", category=UserWarning)
                configuration.apply_global_compression(method, options)
        small = [
            item.location_in_file
            for item in configuration
            if item.chunk_shape is not None and item.number_of_chunks == 1 and item.chunk_size_bytes <= SMALL_BYTES
        ]
        large = [item.location_in_file for item in configuration if item.location_in_file not in small]
        first = best(preview_compression, 1, nwbfile, configuration)
        parts = []
        for label, locations in (("small", small), ("large", large), ("whole file", None)):
            wall, cpu = best(preview_compression, repeat, nwbfile, configuration, locations=locations)
            count = len(locations) if locations is not None else len(small) + len(large)
            parts.append(f"{label} ({count}): {wall * 1e3:.1f} / {cpu * 1e3:.1f} ms")
        print(
            f"  {name:24s} first preview {first[0] * 1e3:.1f} / {first[1] * 1e3:.1f} ms | " + " | ".join(parts),
            f"| load {os.getloadavg()[0]:.1f}",
            flush=True,
        )


def blosc_blocks() -> None:
    import numcodecs.blosc

    def block(size: int, cname: str, clevel: int, shuffle: int, typesize: int) -> tuple[int, float]:
        zeros = np.zeros(size, dtype=np.uint8)
        started = time.perf_counter()
        frame = numcodecs.blosc.compress(np.frombuffer(zeros, dtype=f"S{typesize}"), cname.encode(), clevel, shuffle, 0)
        return int.from_bytes(frame[8:12], "little"), time.perf_counter() - started

    probe_bytes = 2 * 1_048_576
    compared = differ = 0
    largest = 0
    for cname, clevel, shuffle, typesize in itertools.product(
        ("blosclz", "lz4", "lz4hc", "zlib", "zstd"), range(10), (0, 1, 2), (1, 2, 4, 8, 16)
    ):
        probe, _ = block(probe_bytes, cname, clevel, shuffle, typesize)
        largest = max(largest, probe)
        for size in (probe_bytes + 3 * typesize, 3_000_000 // typesize * typesize, 10_485_760, 17_000_000):
            size -= size % typesize
            whole, _ = block(size, cname, clevel, shuffle, typesize)
            compared += 1
            differ += whole != probe
    print(
        f"Blosc {numcodecs.blosc.VERSION_STRING}: block size from {probe_bytes:,} bytes of zeros against the whole "
        f"chunk: {compared} comparisons, {differ} differ; largest block {largest:,} bytes"
    )
    # The time of each, best of 10, for the settings of preview_accuracy.py's Blosc row (zstd 5, bitshuffle, int16).
    probe = min(block(probe_bytes, "zstd", 5, 2, 2)[1] for _ in range(10))
    whole = min(block(10_485_760, "zstd", 5, 2, 2)[1] for _ in range(10))
    print(
        f"  zstd 5 + bitshuffle, 2-byte items: {probe * 1e3:.2f} ms for the probe, {whole * 1e3:.2f} ms for a 10 MB "
        f"chunk of zeros | load {os.getloadavg()[0]:.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--session", choices=list(SESSIONS), default="360MB")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--only", choices=["previews", "blosc"], default=None)
    arguments = parser.parse_args()
    print(f"load average before: {' '.join(f'{value:.2f}' for value in os.getloadavg())}")
    if arguments.only in (None, "blosc"):
        blosc_blocks()
    if arguments.only in (None, "previews"):
        previews(arguments.session, arguments.repeat)
    print(f"load average after: {' '.join(f'{value:.2f}' for value in os.getloadavg())}")


if __name__ == "__main__":
    main()
