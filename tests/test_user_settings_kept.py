"""Settings a user gives with ``H5DataIO`` / ``ZarrDataIO`` are kept in the default configuration and in the file
written, or replaced with a visible warning that names the dataset, the setting, what is used instead and why."""

from __future__ import annotations

import warnings
from datetime import datetime, timezone

import h5py
import hdf5plugin
import numcodecs
import numpy as np
import pytest
import zarr
from hdmf.backends.hdf5 import H5DataIO
from hdmf_zarr import ZarrDataIO

from nwbconfig_widget import (
    NWBHDF5IO,
    configure_and_write_nwbfile,
    get_default_backend_configuration,
    get_existing_backend_configuration,
)
from nwbconfig_widget.backend_configuration import SettingNotKeptWarning

LOCATION = "acquisition/ts/data"
VALUES = np.arange(3000, dtype="float64") / 7.0
SHORT = np.array([1.5, 2.5, 3.5])
SZIP_WRITABLE = "szip" in h5py.filters.encode

#: H5DataIO(...) warns about portability for every filter but gzip; that is hdmf's note, not the one tested here.
pytestmark = pytest.mark.filterwarnings("ignore:.*compression may not be available:UserWarning")


def _nwbfile(data):
    from pynwb import NWBFile, TimeSeries

    nwbfile = NWBFile(
        identifier="settings", session_start_time=datetime(2024, 1, 1, tzinfo=timezone.utc), session_description="s"
    )
    nwbfile.add_acquisition(TimeSeries(name="ts", data=data, unit="V", rate=1.0))
    return nwbfile


def _configure(data, backend="hdf5"):
    """The default configuration of a file holding ``data``, and the SettingNotKeptWarnings it gave."""
    nwbfile = _nwbfile(data)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", SettingNotKeptWarning)
        configuration = get_default_backend_configuration(nwbfile, backend=backend)
    notes = [str(item.message) for item in caught if issubclass(item.category, SettingNotKeptWarning)]
    return nwbfile, configuration, notes


def _write(nwbfile, configuration, path):
    configure_and_write_nwbfile(nwbfile, path, backend_configuration=configuration)
    return path


def _hdf5_pipeline(path):
    with h5py.File(path, "r") as file:
        dataset = file[LOCATION]
        plist = dataset.id.get_create_plist()
        filters = [plist.get_filter(index)[0] for index in range(plist.get_nfilters())]
        return dataset, filters, dataset[()]


def _stored(path):
    """chunks, compression, compression_opts, shuffle, fletcher32, maxshape and values as h5py reads them."""
    with h5py.File(path, "r") as file:
        dataset = file[LOCATION]
        return dict(
            chunks=dataset.chunks,
            compression=dataset.compression,
            compression_opts=dataset.compression_opts,
            shuffle=dataset.shuffle,
            fletcher32=dataset.fletcher32,
            maxshape=dataset.maxshape,
            fillvalue=dataset.fillvalue,
            values=dataset[()],
        )


# ------------------------------------------------------------------------------------------------------------- HDF5


@pytest.mark.skipif(not SZIP_WRITABLE, reason="this HDF5 build has no szip encoder")
def test_szip_is_kept(tmp_path):
    nwbfile, configuration, notes = _configure(H5DataIO(VALUES, compression="szip"))
    item = configuration.dataset_configurations[LOCATION]
    assert (item.compression_method, dict(item.compression_options)) == (
        "szip",
        {"coding": "nn", "pixels_per_block": 8},
    )
    assert notes == []
    stored = _stored(_write(nwbfile, configuration, tmp_path / "szip.nwb"))
    assert (stored["compression"], stored["compression_opts"]) == ("szip", ("nn", 8))
    np.testing.assert_array_equal(stored["values"], VALUES)


@pytest.mark.skipif(not SZIP_WRITABLE, reason="this HDF5 build has no szip encoder")
def test_szip_options_and_chunks_are_kept(tmp_path):
    nwbfile, configuration, notes = _configure(
        H5DataIO(VALUES, compression="szip", compression_opts=("ec", 16), chunks=(500,))
    )
    assert notes == []
    stored = _stored(_write(nwbfile, configuration, tmp_path / "szip.nwb"))
    assert (stored["chunks"], stored["compression"], stored["compression_opts"]) == ((500,), "szip", ("ec", 16))


@pytest.mark.skipif(not SZIP_WRITABLE, reason="this HDF5 build has no szip encoder")
def test_szip_chunks_too_small_for_a_block_warn_and_use_the_default_chunks(tmp_path):
    """HDF5 refuses szip on chunks of fewer elements than a block: szip is kept, the chunks are not, visibly."""
    nwbfile, configuration, notes = _configure(
        H5DataIO(VALUES, compression="szip", compression_opts=("nn", 32), chunks=(4,))
    )
    item = configuration.dataset_configurations[LOCATION]
    assert item.compression_method == "szip" and item.chunk_shape == (3000,)
    assert len(notes) == 1 and LOCATION in notes[0] and "chunks=(4,)" in notes[0] and "(3000,)" in notes[0]
    assert "pixels_per_block" in notes[0]
    stored = _stored(_write(nwbfile, configuration, tmp_path / "szip.nwb"))
    assert (stored["chunks"], stored["compression"], stored["compression_opts"]) == ((3000,), "szip", ("nn", 32))


def test_lzf_with_chunks_longer_than_the_data_keeps_lzf_and_warns_about_the_chunks(tmp_path):
    nwbfile, configuration, notes = _configure(H5DataIO(SHORT, compression="lzf", chunks=(10,)))
    item = configuration.dataset_configurations[LOCATION]
    assert (item.compression_method, item.chunk_shape) == ("lzf", (3,))
    assert len(notes) == 1
    assert LOCATION in notes[0] and "chunks=(10,)" in notes[0] and "(3,)" in notes[0] and "maxshape" in notes[0]
    stored = _stored(_write(nwbfile, configuration, tmp_path / "lzf.nwb"))
    assert (stored["chunks"], stored["compression"]) == ((3,), "lzf")
    np.testing.assert_array_equal(stored["values"], SHORT)


def test_maxshape_is_not_kept_and_says_so(tmp_path):
    nwbfile, configuration, notes = _configure(H5DataIO(SHORT, compression="lzf", chunks=(10,), maxshape=(None,)))
    assert configuration.dataset_configurations[LOCATION].compression_method == "lzf"
    assert any("maxshape=(None,)" in note and LOCATION in note and "(3,)" in note for note in notes)
    assert any("chunks=(10,)" in note for note in notes)
    stored = _stored(_write(nwbfile, configuration, tmp_path / "maxshape.nwb"))
    assert (stored["chunks"], stored["maxshape"], stored["compression"]) == ((3,), (3,), "lzf")


def test_maxshape_equal_to_the_data_is_nothing_to_warn_about():
    _, configuration, notes = _configure(H5DataIO(SHORT, chunks=(3,), maxshape=(3,)))
    assert notes == [] and configuration.dataset_configurations[LOCATION].chunk_shape == (3,)


@pytest.mark.parametrize("level", [0, 1, 9])
def test_gzip_levels_are_kept_including_zero(tmp_path, level):
    nwbfile, configuration, notes = _configure(H5DataIO(VALUES, compression="gzip", compression_opts=level))
    assert dict(configuration.dataset_configurations[LOCATION].compression_options) == {"level": level}
    assert notes == []
    stored = _stored(_write(nwbfile, configuration, tmp_path / "gzip.nwb"))
    assert (stored["compression"], stored["compression_opts"]) == ("gzip", level)


def test_compression_true_is_gzip_at_h5pys_level(tmp_path):
    nwbfile, configuration, notes = _configure(H5DataIO(VALUES, compression=True))
    assert notes == []
    stored = _stored(_write(nwbfile, configuration, tmp_path / "true.nwb"))
    assert (stored["compression"], stored["compression_opts"]) == ("gzip", 4)


def test_filter_ids_mean_what_they_mean_to_h5py(tmp_path):
    """h5py reads compression 0-9 as a gzip level (its legacy spelling) and 32000 as LZF's filter id."""
    nwbfile, configuration, notes = _configure(H5DataIO(VALUES, compression=2, allow_plugin_filters=True))
    assert notes == []
    stored = _stored(_write(nwbfile, configuration, tmp_path / "two.nwb"))
    assert (stored["compression"], stored["compression_opts"]) == ("gzip", 2)
    nwbfile, configuration, notes = _configure(
        H5DataIO(VALUES, compression=h5py.h5z.FILTER_LZF, allow_plugin_filters=True)
    )
    assert notes == [] and configuration.dataset_configurations[LOCATION].compression_method == "lzf"
    assert _stored(_write(nwbfile, configuration, tmp_path / "lzf_id.nwb"))["compression"] == "lzf"


def test_plugin_compression_is_kept(tmp_path):
    nwbfile, configuration, notes = _configure(
        H5DataIO(VALUES, chunks=(300,), allow_plugin_filters=True, **hdf5plugin.Blosc(cname="lz4", clevel=7))
    )
    item = configuration.dataset_configurations[LOCATION]
    assert (item.compression_method, item.compression_options["clevel"], item.compression_options["cname"]) == (
        "Blosc",
        7,
        "lz4",
    )
    assert notes == []
    _, filters, values = _hdf5_pipeline(_write(nwbfile, configuration, tmp_path / "blosc.nwb"))
    assert filters == [hdf5plugin.BLOSC_ID]
    np.testing.assert_array_equal(values, VALUES)


@pytest.mark.parametrize("name", ["shuffle", "fletcher32"])
def test_shuffle_and_fletcher32_are_kept(tmp_path, name):
    nwbfile, configuration, notes = _configure(H5DataIO(VALUES, compression="gzip", **{name: True}))
    assert name in configuration.dataset_configurations[LOCATION].filter_methods and notes == []
    stored = _stored(_write(nwbfile, configuration, tmp_path / f"{name}.nwb"))
    assert stored[name] is True and stored["compression"] == "gzip"


def test_chunks_are_kept(tmp_path):
    nwbfile, configuration, notes = _configure(H5DataIO(VALUES, chunks=(128,)))
    assert notes == []
    assert _stored(_write(nwbfile, configuration, tmp_path / "chunks.nwb"))["chunks"] == (128,)


def test_chunks_false_is_a_contiguous_dataset(tmp_path):
    nwbfile, configuration, notes = _configure(H5DataIO(VALUES, chunks=False))
    assert notes == []
    stored = _stored(_write(nwbfile, configuration, tmp_path / "contiguous.nwb"))
    assert (stored["chunks"], stored["compression"]) == (None, None)


def test_chunks_true_asks_for_chunks_which_the_defaults_give(tmp_path):
    nwbfile, configuration, notes = _configure(H5DataIO(VALUES, chunks=True, compression="lzf"))
    assert notes == []
    stored = _stored(_write(nwbfile, configuration, tmp_path / "auto.nwb"))
    assert stored["chunks"] is not None and stored["compression"] == "lzf"


def test_fillvalue_is_not_kept_and_says_so():
    _, _, notes = _configure(H5DataIO(VALUES, fillvalue=-1.0))
    assert len(notes) == 1 and LOCATION in notes[0] and "fillvalue=-1.0" in notes[0]


def test_zarr_settings_on_an_hdf5_write_say_they_do_not_apply():
    _, configuration, notes = _configure(ZarrDataIO(VALUES, chunks=[100], compressor=numcodecs.Zstd(level=3)))
    assert configuration.dataset_configurations[LOCATION].compression_method == "gzip"
    assert len(notes) == 1 and LOCATION in notes[0] and "ZarrDataIO" in notes[0] and "HDF5" in notes[0]


# ------------------------------------------------------------------------------------------------------------- Zarr


def _zarr_array(path):
    return zarr.open(str(path), mode="r")[LOCATION]


def test_zarr_compressor_filters_and_chunks_are_kept(tmp_path):
    data_io = ZarrDataIO(
        VALUES,
        chunks=[250],
        compressor=numcodecs.Blosc(cname="zstd", clevel=5, shuffle=numcodecs.Blosc.BITSHUFFLE),
        filters=[numcodecs.Delta(dtype="<f8")],
    )
    nwbfile, configuration, notes = _configure(data_io, backend="zarr")
    assert notes == []
    array = _zarr_array(_write(nwbfile, configuration, tmp_path / "z.nwb.zarr"))
    assert array.chunks == (250,)
    assert (
        array.compressor.get_config()
        == numcodecs.Blosc(cname="zstd", clevel=5, shuffle=numcodecs.Blosc.BITSHUFFLE).get_config()
    )
    assert [codec.get_config() for codec in array.filters] == [numcodecs.Delta(dtype="<f8").get_config()]
    np.testing.assert_array_equal(array[...], VALUES)


def test_zarr_compressor_false_means_no_compression(tmp_path):
    nwbfile, configuration, notes = _configure(ZarrDataIO(VALUES, compressor=False), backend="zarr")
    assert configuration.dataset_configurations[LOCATION].compression_method is None and notes == []
    assert _zarr_array(_write(nwbfile, configuration, tmp_path / "none.nwb.zarr")).compressor is None


def test_zarr_chunks_longer_than_the_data_warn(tmp_path):
    nwbfile, configuration, notes = _configure(ZarrDataIO(SHORT, chunks=[10]), backend="zarr")
    assert configuration.dataset_configurations[LOCATION].chunk_shape == (3,)
    assert len(notes) == 1 and LOCATION in notes[0] and "chunks=(10,)" in notes[0] and "(3,)" in notes[0]
    assert _zarr_array(_write(nwbfile, configuration, tmp_path / "long.nwb.zarr")).chunks == (3,)


@pytest.mark.parametrize("whole_axis", [None, -1])
def test_zarr_whole_axis_chunks_are_kept(tmp_path, whole_axis):
    """zarr reads None or -1 in chunks as the whole axis."""
    nwbfile, configuration, notes = _configure(ZarrDataIO(VALUES.reshape(750, 4), chunks=[50, whole_axis]), "zarr")
    assert notes == []
    assert _zarr_array(_write(nwbfile, configuration, tmp_path / "whole.nwb.zarr")).chunks == (50, 4)


def test_zarr_fill_value_is_not_kept_and_says_so():
    _, _, notes = _configure(ZarrDataIO(VALUES, fillvalue=-1.0), backend="zarr")
    assert len(notes) == 1 and LOCATION in notes[0] and "fillvalue=-1.0" in notes[0]


class _OwnCodec(numcodecs.abc.Codec):
    """A codec of the user's own, not registered with numcodecs: nothing here can write it."""

    codec_id = "own-test-codec"

    def encode(self, buf):
        return buf

    def decode(self, buf, out=None):
        return buf


def test_a_zarr_compressor_that_cannot_be_used_warns():
    _, configuration, notes = _configure(ZarrDataIO(VALUES, compressor=_OwnCodec()), backend="zarr")
    assert configuration.dataset_configurations[LOCATION].compression_method == "gzip"
    assert len(notes) == 1 and LOCATION in notes[0] and "compressor" in notes[0] and "gzip" in notes[0]


def test_zarr_filters_that_cannot_be_used_warn():
    _, configuration, notes = _configure(ZarrDataIO(VALUES, filters=[_OwnCodec()]), backend="zarr")
    assert configuration.dataset_configurations[LOCATION].filter_methods == ()
    assert len(notes) == 1 and LOCATION in notes[0] and "filters" in notes[0]


def test_hdf5_settings_on_a_zarr_write_say_they_do_not_apply():
    _, _, notes = _configure(H5DataIO(VALUES, compression="lzf"), backend="zarr")
    assert len(notes) == 1 and LOCATION in notes[0] and "H5DataIO" in notes[0] and "Zarr" in notes[0]


# ---------------------------------------------------------------------------------------------- existing files


@pytest.mark.parametrize(
    "kwargs, method, options",
    [
        pytest.param(
            dict(compression="szip", compression_opts=("ec", 16)),
            "szip",
            {"coding": "ec", "pixels_per_block": 16},
            marks=pytest.mark.skipif(not SZIP_WRITABLE, reason="this HDF5 build has no szip encoder"),
        ),
        (dict(compression="lzf"), "lzf", None),
        (dict(compression="gzip", compression_opts=0), "gzip", {"level": 0}),
    ],
)
def test_existing_configuration_reports_the_stored_filter(tmp_path, kwargs, method, options):
    """A file written by pynwb alone (not by this package) with szip, lzf or gzip level 0 is reported as stored."""
    path = tmp_path / "stored.nwb"
    with NWBHDF5IO(str(path), mode="w") as io:
        io.write(_nwbfile(H5DataIO(VALUES, chunks=(600,), **kwargs)))
    with NWBHDF5IO(str(path), mode="r") as io:
        item = get_existing_backend_configuration(io.read()).dataset_configurations[LOCATION]
    assert (item.chunk_shape, item.compression_method) == ((600,), method)
    assert (dict(item.compression_options) if item.compression_options is not None else None) == options
