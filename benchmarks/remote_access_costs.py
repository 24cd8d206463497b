"""``access_costs``' predicted remote read times next to reads measured through the clients a user would use.

    python benchmarks/remote_access_costs.py [--workdir DIR] [--seconds 10] [--latency 0.02 0.1] [--bandwidth 50e6]

The files: the demo session of ``--seconds`` (ElectricalSeries of 64 channels at 30 kHz, TwoPhotonSeries of 256 x 256
at 30 Hz), written with the default configuration and with the cloud preset, as HDF5 and as Zarr. They are served by
the package's local HTTP server (:mod:`nwbconfig_widget.local_server`, Range requests) on 127.0.0.1 with ``--latency``
seconds injected before every answer and at most ``--bandwidth`` bytes/s.

For every typical read of :func:`nwbconfig_widget.typical_selections` (a time window of all channels, one channel,
one frame, one ROI trace, the whole dataset) the script opens the file afresh (HDF5: h5py over the fsspec file of
``nwbconfig_widget.io.remote``; Zarr: zarr over its fsspec store with the consolidated metadata), reads the dataset's
shape (its metadata), then times the read itself, counting the requests and bytes the client fetched; the median
of ``--repeat`` reads is printed. The prediction is :func:`nwbconfig_widget.access_cost` with the compression ratio
and the decoding speed that :func:`nwbconfig_widget.preview.preview_compression` measures for the dataset (the
fastest decoding of 3 previews, the same for every latency), the same
latency and bandwidth, and the backend client's concurrency. The same read of the local file (decoding and the
client's own work, without the network) is printed beside it. The server's bandwidth is shared by the answers it
sends at once, as one link's is. The table is printed as Markdown, with the load average before and after.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np

from nwbconfig_widget.local_server import RangeHTTPServer

DATASETS = ("acquisition/ElectricalSeries/data", "acquisition/TwoPhotonSeries/data")


def _load() -> str:
    return Path("/proc/loadavg").read_text().strip()


def _write_files(folder: Path, seconds: float) -> list[tuple[str, str, str]]:
    """(file name, backend, configuration name) of each file, written unless it is there."""
    from nwbconfig_widget import apply_preset, configure_and_write_nwbfile, get_default_backend_configuration
    from nwbconfig_widget.demo import make_demo_nwbfile

    files = []
    for backend in ("hdf5", "zarr"):
        for preset in ("default", "cloud"):
            name = f"{preset}.nwb" + (".zarr" if backend == "zarr" else "")
            if not (folder / name).exists():
                nwbfile = make_demo_nwbfile(seconds=seconds)
                configuration = get_default_backend_configuration(nwbfile, backend=backend)
                if preset == "cloud":
                    apply_preset(configuration, "cloud")
                configure_and_write_nwbfile(nwbfile, folder / name, backend_configuration=configuration)
            files.append((name, backend, preset))
    return files


def _configurations(path: Path):
    from nwbconfig_widget import get_existing_backend_configuration
    from nwbconfig_widget.io.repack import open_nwbfile

    with open_nwbfile(path) as io:
        configuration = get_existing_backend_configuration(io.read())
    return {location: configuration.dataset_configurations[location] for location in DATASETS}


def _previewed(path: Path, location: str, backend: str, configuration, runs: int = 3) -> tuple[float, float]:
    """The compression ratio and the decoding speed (bytes/s, one core) that the preview measures for this dataset,
    as a user would have them before reading it remotely: the ratio of the first preview, the fastest decoding of
    ``runs`` previews (the speed, timed on a few chunks, varies from one preview to the next: up to five times in one
    earlier run of this script)."""
    from nwbconfig_widget.preview import preview_compression

    rows = []
    for _ in range(runs):
        if backend == "hdf5":
            import h5py

            with h5py.File(path, "r") as file:
                rows.append(preview_compression(configuration, file[location]).iloc[0])
        else:
            import zarr

            rows.append(preview_compression(configuration, zarr.open(str(path), mode="r")[location]).iloc[0])
    return float(rows[0]["ratio"]), max(float(row["decompress_mb_s"]) for row in rows) * 1e6


def _measure_local(path: Path, backend: str, location: str, selection) -> float:
    """Seconds of the same read from the local file (fresh opening, metadata read first): the decoding and the
    client's own work, without the network."""
    if backend == "hdf5":
        import h5py

        file = h5py.File(path, "r")
        dataset = file[location]
    else:
        import zarr

        file = None
        dataset = zarr.open_consolidated(str(path), mode="r")[location]
    dataset.shape  # noqa: B018
    started = time.perf_counter()
    np.asarray(dataset[selection])
    elapsed = time.perf_counter() - started
    if file is not None:
        file.close()
    return elapsed


def _measure(url: str, backend: str, location: str, selection) -> tuple[float, int, int]:
    """Seconds, requests and bytes of one read of ``selection``, on a fresh opening of the remote file."""
    from nwbconfig_widget.io.remote import RemoteSource

    source = RemoteSource(url)
    if backend == "hdf5":
        import h5py

        file = h5py.File(source.open_file(), "r")
        dataset = file[location]
    else:
        import zarr
        from zarr.storage import FSStore

        file = None
        dataset = zarr.open_consolidated(FSStore(source.path, fs=source.fs, mode="r"), mode="r")[location]
    dataset.shape  # noqa: B018 (the dataset's metadata, read before the timed read)
    before = source.fetched.copy()
    started = time.perf_counter()
    values = np.asarray(dataset[selection])
    elapsed = time.perf_counter() - started
    fetched = source.fetched.since(before)
    assert values.size > 0
    if file is not None:
        file.close()
    source.close()
    return elapsed, fetched.requests, fetched.bytes


def _server_check(server, name: str, latency: float, arguments) -> str:
    """One plain 1.1 MB range request through fsspec, against latency + bytes / bandwidth: how faithful the server's
    latency and bandwidth are, before any NWB reading."""
    import fsspec

    fs = fsspec.filesystem("http", skip_instance_cache=True)
    times = []
    for _ in range(5):
        started = time.perf_counter()
        fs.cat_file(server.url(name), start=0, end=1_100_000)
        times.append(time.perf_counter() - started)
    expected = latency + 1.1e6 / arguments.bandwidth
    measured = statistics.median(times) * 1000
    return f"1.1 MB range in {measured:.1f} ms (latency + bytes / bandwidth: {expected * 1000:.1f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workdir", default="remote-access-costs", help="folder of the files (kept between runs)")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of the demo session")
    parser.add_argument("--latency", type=float, nargs="+", default=[0.02, 0.1], help="seconds before every answer")
    parser.add_argument("--bandwidth", type=float, default=50e6, help="bytes per second at most")
    parser.add_argument("--repeat", type=int, default=3, help="reads of each selection; the median is printed")
    arguments = parser.parse_args()

    from nwbconfig_widget import access_cost, typical_selections

    folder = Path(arguments.workdir).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    files = _write_files(folder, arguments.seconds)
    print(f"load before: {_load()}; bandwidth {arguments.bandwidth / 1e6:g} MB/s\n")
    print(
        "| latency | file | dataset | read | predicted s | measured s | measured / predicted "
        "| predicted requests | requests | predicted MB | fetched MB | local read s | (measured - local) / predicted |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    configurations = {name: _configurations(folder / name) for name, _backend, _preset in files}
    previews = {  # the same prediction's inputs for every latency
        (name, location): _previewed(folder / name, location, backend, configurations[name][location])
        for name, backend, _preset in files
        for location in DATASETS
    }
    with RangeHTTPServer(folder) as server:
        server.faults.bandwidth = arguments.bandwidth
        for latency in arguments.latency:
            server.faults.latency = latency
            print(f"server check, {latency * 1000:.0f} ms: {_server_check(server, files[0][0], latency, arguments)}")
            for name, backend, _preset in files:
                for location in DATASETS:
                    configuration = configurations[name][location]
                    ratio, decode_speed = previews[name, location]
                    for read, selection in typical_selections(configuration).items():
                        predicted = access_cost(
                            configuration,
                            selection,
                            compression_ratio=ratio,
                            latency_s=latency,
                            bandwidth_bytes_per_s=arguments.bandwidth,
                            decode_bytes_per_s=decode_speed,
                        )
                        runs = [
                            _measure(server.url(name), backend, location, selection) for _ in range(arguments.repeat)
                        ]
                        seconds = statistics.median(run[0] for run in runs)
                        requests, fetched = runs[0][1], runs[0][2]
                        local = min(_measure_local(folder / name, backend, location, selection) for _ in range(3))
                        print(
                            f"| {latency * 1000:.0f} ms | {name} | {location.split('/')[1]} | {read} "
                            f"| {predicted.remote_seconds:.2f} | {seconds:.2f} "
                            f"| {seconds / predicted.remote_seconds:.2f} | {predicted.requests} | {requests} "
                            f"| {predicted.bytes_read_compressed / 1e6:.2f} | {fetched / 1e6:.2f} "
                            f"| {local:.3f} | {(seconds - local) / predicted.remote_seconds:.2f} |",
                            flush=True,
                        )
    print(f"\nload after: {_load()}")


if __name__ == "__main__":
    main()
