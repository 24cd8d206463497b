"""The copy of a chunk out of the buffer it is cut from: ``np.copyto`` against the writer's ``copy_by_runs``.

    python benchmarks/chunk_copies.py [--rounds 10]

A codec reads only contiguous memory, so the writer copies each chunk that is cut across its buffer's columns before
encoding it. ``np.copyto`` moves such a chunk item by item; ``copy_by_runs`` (``nwbconfig_widget.io.chunk_buffers``)
moves each run of bytes that is contiguous on both sides as one element. For each layout below, both copy every chunk
of one buffer in turn (each chunk a different part of the buffer, as in a write), one after the other, ``--rounds``
times, in one thread; the script prints the median and fastest time per chunk of each and their ratio, and checks that
both give the same bytes.

- ``ephys``: a 75,000 x 384 int16 buffer (a Neuropixels-like recording, 57.6 MB) cut into 75,000 x 64 chunks (9.6 MB,
  the chunks of ``codecs_parallel.py``: 128-byte runs);
- ``ephys narrow``: the same buffer cut into 75,000 x 16 chunks (32-byte runs);
- ``movie``: a 200 x 512 x 512 float32 buffer (210 MB) cut into 200 x 128 x 128 tiles (512-byte runs);
- ``movie frames``: the same buffer cut into 200 x 128 x 512 bands (whole rows: 256 KB runs).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np

from nwbconfig_widget.io.chunk_buffers import _contiguous_runs, copy_by_runs


def layouts() -> dict[str, tuple[np.ndarray, list[tuple[slice, ...]]]]:
    rng = np.random.default_rng(0)
    ephys = rng.integers(-2000, 2000, (75_000, 384), dtype="int16")
    movie = rng.random((200, 512, 512), dtype="float32")
    return {
        "ephys": (ephys, [np.s_[:, start : start + 64] for start in range(0, 384, 64)]),
        "ephys narrow": (ephys, [np.s_[:, start : start + 16] for start in range(0, 384, 16)]),
        "movie": (
            movie,
            [np.s_[:, row : row + 128, column : column + 128] for row in range(0, 512, 128) for column in (0, 256)],
        ),
        "movie frames": (movie, [np.s_[:, row : row + 128, :] for row in range(0, 512, 128)]),
    }


def time_copies(copy, buffer: np.ndarray, cuts: list[tuple[slice, ...]], rounds: int) -> list[float]:
    destination = np.empty(buffer[cuts[0]].shape, dtype=buffer.dtype)
    seconds = []
    for _round in range(rounds):
        for cut in cuts:
            started = time.perf_counter()
            copy(destination, buffer[cut])
            seconds.append(time.perf_counter() - started)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    rounds = parser.parse_args().rounds
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    print(
        "| layout | chunk | bytes per run | np.copyto median (ms) | copy_by_runs median (ms) | ratio "
        "| fastest, copyto / runs (ms) |"
    )
    print("|---|---|---|---|---|---|---|")
    for name, (buffer, cuts) in layouts().items():
        chunk = buffer[cuts[0]]
        for cut in cuts:  # both copies give the same bytes
            expected, copied = np.empty_like(buffer[cut]), np.empty_like(buffer[cut])
            np.copyto(expected, buffer[cut])
            copy_by_runs(copied, buffer[cut])
            assert expected.tobytes() == copied.tobytes(), f"{name}: copy_by_runs differs from np.copyto"
        copyto_times: list[float] = []
        runs_times: list[float] = []
        for _pair in range(2):  # alternate, so that neither side gets the quieter half of the run
            copyto_times += time_copies(np.copyto, buffer, cuts, rounds // 2 or 1)
            runs_times += time_copies(copy_by_runs, buffer, cuts, rounds // 2 or 1)
        runs = _contiguous_runs(chunk)
        run_bytes = chunk.itemsize if runs is None else runs.shape[-1] * chunk.itemsize
        copyto_median, runs_median = statistics.median(copyto_times), statistics.median(runs_times)
        print(
            f"| {name} | {' x '.join(map(str, chunk.shape))} {chunk.dtype} ({chunk.nbytes / 1e6:.1f} MB) "
            f"| {run_bytes:,} "
            f"| {copyto_median * 1e3:.2f} | {runs_median * 1e3:.2f} | {runs_median / copyto_median:.2f}x "
            f"| {min(copyto_times) * 1e3:.2f} / {min(runs_times) * 1e3:.2f} |"
        )
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
