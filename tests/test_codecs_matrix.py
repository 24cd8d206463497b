"""Every codec of both AVAILABLE dicts, on the dtypes NWB data uses: written, read back with h5py/zarr and compared."""

from __future__ import annotations

from datetime import datetime, timezone
from uuid import uuid4

import h5py
import numpy as np
import pytest
import zarr
from nwbfiles import read_nwbfile

from nwbconfig_widget import (
    AVAILABLE_HDF5_COMPRESSION_METHODS,
    AVAILABLE_ZARR_COMPRESSION_METHODS,
    ConfigurationError,
    configure_and_write_nwbfile,
    get_default_backend_configuration,
    get_existing_backend_configuration,
)
from nwbconfig_widget.codecs import is_lossy

DTYPES = ["int16", "uint16", "float32", "float64"]
LOCATION = "acquisition/signal/data"


def signal(dtype: str) -> np.ndarray:
    rng = np.random.default_rng(7)
    values = np.cumsum(rng.normal(0, 3, size=(4000, 4)), axis=0) + 500
    return values.astype(dtype)


def nwbfile_with(data: np.ndarray):
    from pynwb import NWBFile, TimeSeries

    nwbfile = NWBFile(
        identifier=str(uuid4()),
        session_start_time=datetime(2024, 1, 1, tzinfo=timezone.utc),
        session_description="codec matrix",
    )
    nwbfile.add_acquisition(TimeSeries(name="signal", data=data, unit="V", rate=1000.0))
    return nwbfile


def check_written(path, backend: str, method: str, data: np.ndarray) -> None:
    if backend == "hdf5":
        with h5py.File(path, "r") as file:
            dataset = file[LOCATION]
            assert dataset.chunks == (1000, 4)
            stored = dataset[()]
    else:
        array = zarr.open(str(path), mode="r")[LOCATION]
        assert array.chunks == (1000, 4)
        assert array.compressor is not None and array.compressor.codec_id == method
        stored = array[...]
    if is_lossy(method):
        np.testing.assert_allclose(stored, data, rtol=0, atol=np.abs(data).max() * 1e-3 + 1e-3)
    else:
        np.testing.assert_array_equal(stored, data)


@pytest.mark.parametrize(
    "backend, method",
    [("hdf5", name) for name in AVAILABLE_HDF5_COMPRESSION_METHODS]
    + [("zarr", name) for name in AVAILABLE_ZARR_COMPRESSION_METHODS],
)
def test_every_codec_that_accepts_a_dtype_writes_it_back(tmp_path, backend, method):
    written = refused = 0
    for dtype in DTYPES:
        data = signal(dtype)
        nwbfile = nwbfile_with(data)
        configuration = get_default_backend_configuration(nwbfile, backend=backend)
        item = configuration.dataset_configurations[LOCATION]
        item.update(chunk_shape=(1000, 4), buffer_shape=(2000, 4))
        try:
            item.compression_method = method
        except ConfigurationError as error:
            assert error.field == "compression_method" and "cannot encode" in error.reason
            refused += 1
            continue
        path = tmp_path / (f"{dtype}.nwb" if backend == "hdf5" else f"{dtype}.nwb.zarr")
        configure_and_write_nwbfile(nwbfile, path, backend_configuration=configuration)
        check_written(path, backend, method, data)
        with read_nwbfile(path) as io:
            existing = get_existing_backend_configuration(io.read()).dataset_configurations[LOCATION]
        assert (existing.compression_method, existing.chunk_shape) == (method, (1000, 4))
        written += 1
    assert written + refused == len(DTYPES)
    assert written >= 1 or method in ("FciDecomp", "Htj2k", "Sperr")


def test_hdf5_plugin_filter_options_are_stored(tmp_path):
    data = signal("int16")
    nwbfile = nwbfile_with(data)
    configuration = get_default_backend_configuration(nwbfile, backend="hdf5")
    item = configuration.dataset_configurations[LOCATION]
    item.update(
        compression_method="Blosc",
        compression_options={"cname": "lz4", "clevel": 7, "shuffle": 2},
        filter_methods=["fletcher32"],
    )
    configure_and_write_nwbfile(nwbfile, tmp_path / "blosc.nwb", backend_configuration=configuration)
    with h5py.File(tmp_path / "blosc.nwb", "r") as file:
        plist = file[LOCATION].id.get_create_plist()
        filters = [plist.get_filter(index) for index in range(plist.get_nfilters())]
        assert [entry[0] for entry in filters] == [32001, h5py.h5z.FILTER_FLETCHER32]
        assert tuple(filters[0][2])[4:] == (7, 2, 1)  # clevel 7, bitshuffle, lz4
        np.testing.assert_array_equal(file[LOCATION][()], data)
    with read_nwbfile(tmp_path / "blosc.nwb") as io:
        existing = get_existing_backend_configuration(io.read()).dataset_configurations[LOCATION]
    assert existing.compression_method == "Blosc"
    assert existing.compression_options == {"cname": "lz4", "clevel": 7, "shuffle": 2}
    assert existing.filter_methods == ("fletcher32",)


def test_zarr_filters_are_stored(tmp_path):
    data = signal("int16")
    nwbfile = nwbfile_with(data)
    configuration = get_default_backend_configuration(nwbfile, backend="zarr")
    configuration.dataset_configurations[LOCATION].update(
        compression_method="zstd", compression_options={"level": 5}, filter_methods=["delta", "shuffle"]
    )
    configure_and_write_nwbfile(nwbfile, tmp_path / "f.nwb.zarr", backend_configuration=configuration)
    array = zarr.open(str(tmp_path / "f.nwb.zarr"), mode="r")[LOCATION]
    assert [codec.codec_id for codec in array.filters] == ["delta", "shuffle"]
    assert array.filters[0].dtype == np.dtype("int16") and array.filters[1].elementsize == 2
    assert array.compressor.codec_id == "zstd" and array.compressor.level == 5
    np.testing.assert_array_equal(array[...], data)


def test_gzip_has_the_same_level_on_both_backends(tmp_path):
    data = signal("int16")
    for backend, name in (("hdf5", "g.nwb"), ("zarr", "g.nwb.zarr")):
        nwbfile = nwbfile_with(data)
        configure_and_write_nwbfile(nwbfile, tmp_path / name, backend=backend)
    with h5py.File(tmp_path / "g.nwb", "r") as file:
        assert file[LOCATION].compression_opts == 4
    assert zarr.open(str(tmp_path / "g.nwb.zarr"), mode="r")[LOCATION].compressor.level == 4
