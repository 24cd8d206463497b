"""Facts that several parts of the package use come from one place: these tests tie each user to that place."""

import inspect

import h5py
import hdf5plugin
import numpy as np
import pytest

from nwbconfig_widget import defaults
from nwbconfig_widget.models import DatasetIOConfiguration
from nwbconfig_widget.widget.rows import codec_menu


def test_the_default_compression_method_has_one_home(monkeypatch):
    constructor_default = inspect.signature(DatasetIOConfiguration.__init__).parameters["compression_method"].default
    assert constructor_default == defaults.DEFAULT_COMPRESSION_METHOD == defaults.DefaultSettings().compression_method
    for backend in ("hdf5", "zarr"):
        menu = codec_menu(backend)
        assert menu["default_method"] == defaults.DEFAULT_COMPRESSION_METHOD
        assert menu["default_method"] in menu["compression_methods"]
    monkeypatch.setattr(defaults.settings, "compression_method", "lzf")
    assert codec_menu("hdf5")["default_method"] == "lzf"  # the view preselects what default configurations use


def test_the_cli_offers_the_presets_of_the_registry(monkeypatch):
    from nwbconfig_widget.cli import build_parser
    from nwbconfig_widget.presets import PRESETS

    monkeypatch.setitem(PRESETS, "measured", PRESETS["fast"])  # a preset added to the registry is offered at once
    for name in PRESETS:
        assert build_parser().parse_args(["repack", "in.nwb", "out.nwb", "--preset", name]).preset == name
    with pytest.raises(SystemExit):
        build_parser().parse_args(["repack", "in.nwb", "out.nwb", "--preset", "no-such-preset"])


@pytest.mark.parametrize(
    "arguments",
    [
        {"compression": "gzip"},
        {"compression": "gzip", "compression_opts": 9},
        {"compression": "lzf"},
        {"compression": "szip", "compression_opts": ("ec", 16)},
        {"compression": "szip"},
        dict(hdf5plugin.Zstd(clevel=7)),
        dict(hdf5plugin.Blosc(cname="lz4", clevel=3, shuffle=hdf5plugin.Blosc.BITSHUFFLE)),
    ],
    ids=lambda arguments: repr(arguments),
)
def test_h5py_arguments_and_the_dataset_they_make_are_read_alike(tmp_path, arguments):
    """What H5DataIO's arguments say and what the dataset written with them stores are decoded to one pipeline."""
    from hdmf.backends.hdf5 import H5DataIO

    from nwbconfig_widget.codecs import AVAILABLE_HDF5_COMPRESSION_METHODS, read_hdf5_pipeline
    from nwbconfig_widget.data_io_settings import read_data_io_settings

    if arguments.get("compression") == "szip" and "szip" not in AVAILABLE_HDF5_COMPRESSION_METHODS:
        pytest.skip("this HDF5 build has no szip encoder")
    data = np.arange(4096, dtype="int32")
    with h5py.File(tmp_path / "a.h5", "w") as file:
        stored = read_hdf5_pipeline(file.create_dataset("x", data=data, chunks=(1024,), **arguments))
    given = read_data_io_settings(
        H5DataIO(data, chunks=(1024,), allow_plugin_filters=True, **arguments), "hdf5", (4096,)
    )
    assert stored["notes"] == [] and given.notes == []
    assert given.settings["compression_method"] == stored["compression_method"]
    assert given.settings["compression_options"] == stored["compression_options"]


def _delta_round_trip_is_exact(data):
    import numcodecs

    codec = numcodecs.Delta(dtype=data.dtype.str)
    back = codec.decode(codec.encode(data))
    return back.tobytes() == data.tobytes()


@pytest.mark.parametrize("dtype", ["float32", "float64", "int16", "int32", "uint8"])
def test_the_lossy_verdict_on_delta_matches_a_real_round_trip(dtype):
    """numcodecs' Delta stores differences and adds them back: exact on integers (wrapping both ways), rounded on
    floating-point data. The model, the advice, the row badge and the codec comparison give the verdict of the
    round trip."""
    from nwbconfig_widget.advice import configuration_portability, configuration_warnings
    from nwbconfig_widget.codecs import is_lossy
    from nwbconfig_widget.compare import compare_codecs
    from nwbconfig_widget.models import ZarrDatasetIOConfiguration
    from nwbconfig_widget.widget.insight import row_portability

    rng = np.random.default_rng(7)
    signal = 1000 * np.sin(np.linspace(0, 60, 20_000)) + rng.normal(scale=20.0, size=20_000)  # slow, as Delta wants
    data = (signal if np.dtype(dtype).kind == "f" else np.round(signal) % np.iinfo(dtype).max).astype(dtype)
    lossy = not _delta_round_trip_is_exact(data)
    assert lossy == (np.dtype(dtype).kind == "f")  # what numcodecs does, measured
    configuration = ZarrDatasetIOConfiguration(
        object_id="id", location_in_file="acquisition/ts/data", dataset_name="data", dtype=dtype,
        full_shape=data.shape, chunk_shape=(5_000,), compression_method="blosc", filter_methods=["delta"],
    )  # fmt: skip
    assert is_lossy("delta", dtype=np.dtype(dtype)) == lossy
    assert configuration.lossy == lossy
    assert configuration_portability(configuration).lossy == lossy
    assert row_portability(configuration)["lossy"] == lossy
    assert any(advice.code == "lossy" for advice in configuration_warnings(configuration)) == lossy
    table = compare_codecs(configuration, data, [{"label": "delta", "compression_method": "blosc",
                                                 "filter_methods": ["delta"]}], max_chunks=2)  # fmt: skip
    assert bool(table.loc["delta", "lossy"]) == lossy


@pytest.mark.parametrize(
    "options", [{"reversible": True}, {"rate": 8.0, "reversible": True}, {"accuracy": 0.01}, {}], ids=repr
)
def test_the_lossy_verdict_on_zfp_matches_what_hdf5_stores(tmp_path, options):
    """hdf5plugin's Zfp keeps the values only in its reversible mode; a rate, precision or accuracy wins over it."""
    from nwbconfig_widget.advice import portability
    from nwbconfig_widget.codecs import is_lossy

    data = np.cumsum(np.random.default_rng(3).normal(size=4096)).astype("float32")
    with h5py.File(tmp_path / "z.h5", "w") as file:
        file.create_dataset("x", data=data, chunks=(1024,), **hdf5plugin.Zfp(**options))
        lossy = file["x"][:].tobytes() != data.tobytes()
    assert is_lossy("Zfp", options) == lossy
    assert portability("hdf5", "Zfp", [], options, dtype="float32").lossy == lossy


def test_the_view_offers_the_backends_with_their_names():
    from nwbconfig_widget import backends

    expected = [{"name": name, "label": backends.display_name(name)} for name in backends.BACKENDS]
    assert codec_menu("hdf5")["backends"] == codec_menu("zarr")["backends"] == expected
