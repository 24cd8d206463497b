"""The preview of a remote HDF5 file fetches the chunks it samples, not the file: checked byte by byte against the
server's log of Range requests and the chunks' places in the file."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import h5py
import numpy as np
import pytest

from nwbconfig_widget import get_existing_backend_configuration, preview_compression
from nwbconfig_widget.io.remote import DEFAULT_BLOCK_SIZE, open_remote_nwbfile

NAME = "many_chunks.nwb"
LOCATION = "acquisition/big/data"


@pytest.fixture(scope="module")
def many_chunks(served_folder):
    """An NWB file whose TimeSeries has 100 chunks of 128 KB (int16 noise, gzip), served as many_chunks.nwb."""
    from hdmf.backends.hdf5 import H5DataIO
    from pynwb import NWBHDF5IO, NWBFile, TimeSeries

    path = served_folder / NAME
    if not path.exists():
        nwbfile = NWBFile("remote preview", "many-chunks", datetime(2024, 1, 1, tzinfo=timezone.utc))
        data = np.random.default_rng(0).normal(0, 300, size=(200_000, 32)).astype("int16")
        wrapped = H5DataIO(data, chunks=(2000, 32), compression="gzip", compression_opts=4)
        nwbfile.add_acquisition(TimeSeries(name="big", data=wrapped, unit="uV", rate=30_000.0))
        with NWBHDF5IO(str(path), "w") as io:
            io.write(nwbfile)
    return path


def _chunk_ranges(path) -> dict[tuple[int, ...], tuple[int, int]]:
    """Each stored chunk of LOCATION: its coordinates (in chunks) and its [start, stop) bytes in the file."""
    with h5py.File(path, "r") as file:
        dataset = file[LOCATION]
        ranges = {}
        for index in range(dataset.id.get_num_chunks()):
            info = dataset.id.get_chunk_info(index)
            coordinates = tuple(offset // chunk for offset, chunk in zip(info.chunk_offset, dataset.chunks))
            ranges[coordinates] = (info.byte_offset, info.byte_offset + info.size)
        return ranges


def _fetched_ranges(log: list[str]) -> list[tuple[int, int]]:
    found = [re.search(r"bytes=(\d+)-(\d+)$", line) for line in log if line.startswith(f"GET /{NAME}")]
    return [(int(match[1]), int(match[2]) + 1) for match in found if match]


def test_the_preview_fetches_the_sampled_chunks_only(http_server, many_chunks):
    chunks = _chunk_ranges(many_chunks)
    assert len(chunks) == 100
    with open_remote_nwbfile(http_server.url(NAME)) as (nwbfile, io):
        configuration = get_existing_backend_configuration(nwbfile)
        before, served_before = io.remote.fetched.copy(), len(http_server.stats.log)
        table = preview_compression(nwbfile, configuration)
        fetched = io.remote.fetched.since(before)
    sampled = {tuple(coordinates) for coordinates in table.loc[LOCATION, "sample"]}
    assert 0 < len(sampled) <= 30  # the sample stops once the estimate is precise: a part of the 100 chunks
    fetched_ranges = _fetched_ranges(http_server.stats.log[served_before:])
    assert fetched.requests == len(fetched_ranges) <= len(sampled) + 5

    def fetched_whole(start: int, stop: int) -> bool:
        return any(low <= start and stop <= high for low, high in fetched_ranges)

    whole = {coordinates for coordinates, (start, stop) in chunks.items() if fetched_whole(start, stop)}
    assert whole == sampled  # every sampled chunk, and no other
    sampled_bytes = sum(stop - start for coordinates, (start, stop) in chunks.items() if coordinates in sampled)
    # Blocks are whole: at most one block more on each side of a run of chunks.
    assert sampled_bytes <= fetched.bytes <= sampled_bytes + 2 * DEFAULT_BLOCK_SIZE * len(fetched_ranges)
    assert fetched.bytes < 0.35 * many_chunks.stat().st_size
