"""Can any chunk shape read every typical selection faster remotely than the default? A search with the access-cost
model, for each backend's client.

    python benchmarks/cloud_chunk_search.py [--latency 0.02 0.1] [--bandwidth 50e6] [--ratio 2] [--minutes 10]

For realistic sessions of ``--minutes`` (an ElectricalSeries of 384 and one of 64 int16 channels at 30 kHz, a
TwoPhotonSeries of 512 x 512 and one of 256 x 256 uint16 frames at 30 Hz), the script takes the typical reads that
issue 15 names (a time window of all channels and one channel, for an ElectricalSeries; one frame and one ROI trace,
for a TwoPhotonSeries; :func:`nwbconfig_widget.typical_selections`) and predicts their remote read time with
:func:`nwbconfig_widget.access_cost` for:

- the default chunk shape (:func:`nwbconfig_widget.defaults.recommended_chunk_shape`),
- the cloud preset's chunk shape (:func:`nwbconfig_widget.presets.preset_settings`),
- every chunk shape of a grid (powers of two along each axis, 64 kB to 64 MB per chunk),

with each backend's client: h5py fetches one chunk at a time, zarr up to 10 at once
(:data:`nwbconfig_widget.access.CLIENT_CONCURRENT_REQUESTS`). The compression ratio ``--ratio`` is the same for every
shape (a codec compresses a chunk of 64 kB and one of 64 MB of these data about alike). A shape *beats* the default
when every one of its typical reads is at least 3% faster. The script prints, per dataset, backend and latency: the
default's times, the cloud preset's times as ratios to them, how many shapes of the grid beat the default, the best
of them (the lowest sum of ratios) with what it does to a read of the whole dataset (the read of timestamps, or of
all the data by an analysis), and how many shapes beat the default without making that read slower. The model
itself is checked against real reads over HTTP by ``remote_access_costs.py``.
"""

from __future__ import annotations

import argparse
import itertools
import math

import numpy as np

from nwbconfig_widget import access_cost, typical_selections
from nwbconfig_widget.access import CLIENT_CONCURRENT_REQUESTS
from nwbconfig_widget.defaults import recommended_chunk_shape
from nwbconfig_widget.models import HDF5DatasetIOConfiguration, ZarrDatasetIOConfiguration
from nwbconfig_widget.presets import preset_settings

CONFIGURATION_CLASS = {"hdf5": HDF5DatasetIOConfiguration, "zarr": ZarrDatasetIOConfiguration}
#: The reads issue 15 names, by neurodata type (the typical selection's name starts with it).
READS = {
    "ElectricalSeries": ("time window (1 s), all channels", "one channel, whole recording"),
    "TwoPhotonSeries": ("one frame", "one ROI trace"),
}
FASTER = 0.97
WHOLE = "whole dataset"


def datasets(minutes: float) -> list[tuple[str, str, tuple[int, ...], str, float]]:
    """(label, neurodata type, full shape, dtype, rate) of each dataset searched."""
    samples, frames = int(minutes * 60 * 30_000), int(minutes * 60 * 30)
    return [
        ("ElectricalSeries, 384 channels", "ElectricalSeries", (samples, 384), "int16", 30_000.0),
        ("ElectricalSeries, 64 channels", "ElectricalSeries", (samples, 64), "int16", 30_000.0),
        ("TwoPhotonSeries, 512 x 512", "TwoPhotonSeries", (frames, 512, 512), "uint16", 30.0),
        ("TwoPhotonSeries, 256 x 256", "TwoPhotonSeries", (frames, 256, 256), "uint16", 30.0),
    ]


def configuration(backend: str, neurodata_type: str, shape, dtype: str, chunk_shape):
    return CONFIGURATION_CLASS[backend](
        object_id="search",
        location_in_file=f"acquisition/{neurodata_type}/data",
        dataset_name="data",
        dtype=dtype,
        full_shape=shape,
        chunk_shape=chunk_shape,
        buffer_shape=chunk_shape,
        neurodata_type=neurodata_type,
    )


def grid(shape: tuple[int, ...], itemsize: int) -> list[tuple[int, ...]]:
    """Chunk shapes with a power of two (or the whole axis) along each axis, of 64 kB to 64 MB."""
    axes = [sorted({min(length, 2**power) for power in range(int(math.log2(length)) + 2)}) for length in shape]
    return [
        chunk
        for chunk in itertools.product(*axes)
        if 64e3 <= math.prod(chunk) * itemsize <= 64e6 and all(c <= length for c, length in zip(chunk, shape))
    ]


def read_times(item, rate: float, reads: tuple[str, ...], latency: float, bandwidth: float, ratio: float) -> list:
    selections = typical_selections(item, rate=rate)
    return [
        access_cost(
            item, selections[read], compression_ratio=ratio, latency_s=latency, bandwidth_bytes_per_s=bandwidth
        ).remote_seconds
        for read in reads
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--latency", type=float, nargs="+", default=[0.02, 0.1], help="seconds per request")
    parser.add_argument("--bandwidth", type=float, default=50e6, help="bytes per second")
    parser.add_argument("--ratio", type=float, default=2.0, help="compression ratio of every chunk")
    parser.add_argument("--minutes", type=float, default=10.0, help="length of the sessions")
    args = parser.parse_args()
    print(
        f"sessions of {args.minutes:g} min, {args.bandwidth / 1e6:g} MB/s, compression ratio {args.ratio:g}; "
        f"clients: {CLIENT_CONCURRENT_REQUESTS}; 'beats' = every read at most {FASTER:.0%} of the default's time\n"
    )
    header = ["dataset", "backend", "latency", "default chunks", "default: seconds per read", "cloud chunks",
              "cloud / default", "grid shapes", "beat the default", "best of them (ratios)",
              "its whole-dataset read / default's", "beat it, whole read no slower"]  # fmt: skip
    rows = []
    for label, neurodata_type, shape, dtype, rate in datasets(args.minutes):
        reads = READS[neurodata_type]
        itemsize = np.dtype(dtype).itemsize
        default_chunks = recommended_chunk_shape(shape, itemsize, neurodata_type, "data")
        candidates = grid(shape, itemsize)
        for backend, latency in itertools.product(("hdf5", "zarr"), args.latency):
            default = configuration(backend, neurodata_type, shape, dtype, default_chunks)
            cloud_chunks = preset_settings(default, "cloud").get("chunk_shape", default_chunks)
            base = read_times(default, rate, reads, latency, args.bandwidth, args.ratio)
            cloud = read_times(
                configuration(backend, neurodata_type, shape, dtype, cloud_chunks),
                rate,
                reads,
                latency,
                args.bandwidth,
                args.ratio,
            )
            whole_base = read_times(default, rate, (WHOLE,), latency, args.bandwidth, args.ratio)[0]
            winners = []
            for chunk in candidates:
                times = read_times(
                    configuration(backend, neurodata_type, shape, dtype, chunk),
                    rate,
                    reads + (WHOLE,),
                    latency,
                    args.bandwidth,
                    args.ratio,
                )
                ratios = [time / reference for time, reference in zip(times, base)]
                if max(ratios) <= FASTER:
                    winners.append((sum(ratios), chunk, ratios, times[-1] / whole_base))
            best = min(winners) if winners else None
            whole_kept = sum(1 for winner in winners if winner[3] <= 1.0)
            rows.append(
                [
                    label,
                    backend,
                    f"{latency * 1e3:g} ms",
                    str(default_chunks),
                    " / ".join(f"{time:.2f}" for time in base),
                    str(tuple(cloud_chunks)),
                    " / ".join(f"{time / reference:.2f}" for time, reference in zip(cloud, base)),
                    str(len(candidates)),
                    str(len(winners)),
                    f"{best[1]} ({' / '.join(f'{r:.2f}' for r in best[2])})" if best else "none",
                    f"{best[3]:.2f}" if best else "",
                    str(whole_kept),
                ]
            )
    for neurodata_type, reads in READS.items():
        print(f"{neurodata_type} reads, in this order: {' / '.join(reads)}")
    print()
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
