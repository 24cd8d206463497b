"""Parallel Zarr writes store the same chunk objects as the plain path, for every compressor and filter."""

from __future__ import annotations

import numpy as np
import pytest
import zarr
from test_parallel_hdf5 import BUFFER, CHUNKS, DTYPES, nwbfile_with, signal

from nwbconfig_widget import (
    AVAILABLE_ZARR_COMPRESSION_METHODS,
    ConfigurationError,
    configure_and_write_nwbfile,
    get_default_backend_configuration,
)
from nwbconfig_widget.io import parallel


@pytest.fixture(autouse=True)
def parallel_for_small_datasets(monkeypatch):
    monkeypatch.setattr(parallel, "PARALLEL_MIN_BYTES", 0)


def write_both(tmp_path, method, options=None, filters=(), dtypes=DTYPES):
    arrays = {f"s_{dtype}": signal(dtype) for dtype in dtypes}
    paths, accepted = {}, None
    for n_jobs in (1, 2):
        nwbfile = nwbfile_with(arrays)
        configuration = get_default_backend_configuration(nwbfile, backend="zarr")
        names = []
        for name in arrays:
            item = configuration.dataset_configurations[f"acquisition/{name}/data"]
            try:
                item.update(
                    chunk_shape=CHUNKS,
                    buffer_shape=BUFFER,
                    compression_method=method,
                    compression_options=options,
                    filter_methods=list(filters),
                    filter_options=[None] * len(filters),
                )
            except ConfigurationError as error:
                assert "cannot encode" in error.reason
                del configuration.dataset_configurations[f"acquisition/{name}/data"]
                continue
            names.append(name)
        accepted = names
        paths[n_jobs] = tmp_path / f"n{n_jobs}.nwb.zarr"
        configure_and_write_nwbfile(nwbfile, paths[n_jobs], backend_configuration=configuration, n_jobs=n_jobs)
    return paths, accepted, arrays


# numcodecs' GZip writes the time into each chunk's gzip header: those chunks are compared decoded.
TIMESTAMPED = {"gzip"}


def assert_same_chunks(paths, names):
    plain, fast = zarr.open(str(paths[1]), mode="r"), zarr.open(str(paths[2]), mode="r")
    for name in names:
        expected, actual = plain[f"acquisition/{name}/data"], fast[f"acquisition/{name}/data"]
        assert actual.chunks == expected.chunks == CHUNKS
        assert actual.compressor == expected.compressor and actual.filters == expected.filters
        prefix = expected.path + "/"
        keys = sorted(
            key for key in expected.store if key.startswith(prefix) and not key[len(prefix) :].startswith(".")
        )
        assert len(keys) == 8
        for key in keys:
            if expected.compressor is not None and expected.compressor.codec_id in TIMESTAMPED:
                decode = expected.compressor.decode
                assert bytes(decode(actual.store[key])) == bytes(decode(expected.store[key])), key
            else:
                assert actual.store[key] == expected.store[key], key


@pytest.mark.parametrize("method", list(AVAILABLE_ZARR_COMPRESSION_METHODS))
def test_every_compressor_stores_the_same_chunks(tmp_path, method):
    paths, names, arrays = write_both(tmp_path, method)
    assert names
    assert_same_chunks(paths, names)
    fast = zarr.open(str(paths[2]), mode="r")
    for name in names:
        np.testing.assert_array_equal(fast[f"acquisition/{name}/data"][...], arrays[name])


@pytest.mark.parametrize(
    "method, filters",
    [("blosc", ["delta"]), ("zstd", ["shuffle", "crc32"]), ("gzip", ["fletcher32"]), (None, ["adler32"])],
)
def test_filters_store_the_same_chunks(tmp_path, method, filters):
    paths, names, _ = write_both(tmp_path, method, None, filters, dtypes=("int16", "float32"))
    assert len(names) == 2
    assert_same_chunks(paths, names)
