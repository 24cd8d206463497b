"""A Zarr dataset's last chunks are left to the threads while hdmf writes the rest of the file, and waited for before
the write returns: the order of events, a failure of such a chunk, and the memory bound (a next dataset waits)."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest
import zarr
from test_parallel_hdf5 import nwbfile_with

from nwbconfig_widget import configure_and_write_nwbfile, get_default_backend_configuration
from nwbconfig_widget.io import parallel, parallel_zarr

SHAPE, CHUNKS = (4000, 8), (1000, 4)


@pytest.fixture(autouse=True)
def parallel_for_small_datasets(monkeypatch):
    monkeypatch.setattr(parallel, "PARALLEL_MIN_BYTES", 0)


def configured(arrays):
    nwbfile = nwbfile_with(arrays)
    configuration = get_default_backend_configuration(nwbfile, backend="zarr")
    for name in arrays:
        configuration.dataset_configurations[f"acquisition/{name}/data"].update(
            chunk_shape=CHUNKS, buffer_shape=SHAPE, compression_method="blosc"
        )
    return nwbfile, configuration


def record_events(monkeypatch, events, fail_on=None):
    """Slow chunk tasks (so that the fill returns before they end) that log when they end, and a log of the fills and
    of hdmf's write."""
    store_encoded = parallel_zarr.ZarrChunkWriter._store_encoded

    def slow_store(self, index, chunk):
        time.sleep(0.05)
        if fail_on is not None and index == fail_on:
            raise RuntimeError(f"chunk {index} failed")
        store_encoded(self, index, chunk)
        events.append(("chunk stored", self.array.path, threading.current_thread().name))

    fill = parallel.ParallelWriter.fill

    def logged_fill(self, dataset, *args, **kwargs):
        events.append(("fill starts", dataset.path, None))
        fill(self, dataset, *args, **kwargs)
        events.append(("fill returns", dataset.path, None))

    finish = parallel.ParallelWriter.finish

    def logged_finish(self):
        finish(self)
        events.append(("finish returns", None, None))

    monkeypatch.setattr(parallel_zarr.ZarrChunkWriter, "_store_encoded", slow_store)
    monkeypatch.setattr(parallel.ParallelWriter, "fill", logged_fill)
    monkeypatch.setattr(parallel.ParallelWriter, "finish", logged_finish)


def test_the_last_chunks_are_stored_after_the_fill_returns_and_before_the_write_does(tmp_path, monkeypatch):
    rng = np.random.default_rng(0)
    arrays = {f"s{index}": rng.integers(-100, 100, SHAPE).astype("int16") for index in range(2)}
    nwbfile, configuration = configured(arrays)
    events: list = []
    record_events(monkeypatch, events)
    path = tmp_path / "overlap.nwb.zarr"
    configure_and_write_nwbfile(nwbfile, path, backend_configuration=configuration, n_jobs=2)

    kinds = [(kind, where) for kind, where, _thread in events]
    first, second = (f"acquisition/s{index}/data" for index in range(2))
    returned = kinds.index(("fill returns", first))
    # The first dataset's fill returned with chunks still being stored by the threads ...
    assert ("chunk stored", first) in kinds[returned:]
    # ... which were all stored before the second dataset's fill went on (two buffers at most in memory) ...
    second_starts = kinds.index(("fill starts", second))
    waited = kinds.index(("finish returns", None), second_starts)
    assert all(where != first for kind, where in kinds[waited:] if kind == "chunk stored")
    assert all(where != second for kind, where in kinds[:waited] if kind == "chunk stored")
    # ... and the second's before the write returned: every chunk is in the file.
    assert kinds.count(("chunk stored", first)) == kinds.count(("chunk stored", second)) == 8
    assert all(thread.startswith("nwbconfig-encode") for _kind, _where, thread in events if thread)
    stored = zarr.open(str(path), mode="r")
    for name, values in arrays.items():
        np.testing.assert_array_equal(stored[f"acquisition/{name}/data"][...], values)


def test_a_chunk_failing_after_the_fill_returned_fails_the_write_and_leaves_nothing(tmp_path, monkeypatch):
    arrays = {"s0": np.arange(np.prod(SHAPE), dtype="int16").reshape(SHAPE)}
    nwbfile, configuration = configured(arrays)
    events: list = []
    record_events(monkeypatch, events, fail_on=(3, 1))
    path = tmp_path / "failed.nwb.zarr"
    with pytest.raises(RuntimeError, match=r"chunk \(3, 1\) failed"):
        configure_and_write_nwbfile(nwbfile, path, backend_configuration=configuration, n_jobs=2)
    assert ("fill returns", "acquisition/s0/data", None) in events  # the failure came after the fill returned
    assert not path.exists() and list(tmp_path.iterdir()) == []
