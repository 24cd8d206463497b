"""NeuroConv interop: configurations both ways, and the widget writing through a converter (NeuroConv's mocks)."""

from __future__ import annotations

import warnings

import h5py
import numpy as np
import pytest

pytest.importorskip(
    "neuroconv",
    reason='NeuroConv is an optional extra: pip install "neuroconv[ecephys-minimal]==0.10.2" to run these tests',
)
pytest.importorskip(
    "spikeinterface",
    reason="NeuroConv's mock recording/sorting interfaces need spikeinterface: "
    'pip install "neuroconv[ecephys-minimal]==0.10.2"',
)

from neuroconv import ConverterPipe  # noqa: E402
from neuroconv.tools import nwb_helpers  # noqa: E402
from neuroconv.tools.testing.mock_interfaces import MockRecordingInterface, MockSortingInterface  # noqa: E402

from nwbconfig_widget import ConfiguratorWidget, get_default_backend_configuration  # noqa: E402
from nwbconfig_widget.neuroconv_interop import from_neuroconv, to_neuroconv  # noqa: E402

EPHYS = "acquisition/ElectricalSeries/data"
ELECTRODE_LOCATION_OURS = "general/extracellular_ephys/electrodes/location/data"
ELECTRODE_LOCATION_THEIRS = "electrodes/location/data"


@pytest.fixture
def converter():
    recording = MockRecordingInterface(num_channels=8, durations=[0.5], sampling_frequency=30_000.0, seed=0)
    sorting = MockSortingInterface(num_units=3, seed=0)
    return ConverterPipe(data_interfaces={"recording": recording, "sorting": sorting})


@pytest.fixture
def nwbfile(converter):
    return converter.create_nwbfile(metadata=converter.get_metadata())


def _quiet(function, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return function(*args, **kwargs)


@pytest.mark.parametrize("with_nwbfile", [True, False])
def test_to_neuroconv_hdf5_keeps_every_setting_and_uses_neuroconv_keys(nwbfile, with_nwbfile):
    ours = get_default_backend_configuration(nwbfile, backend="hdf5")
    ephys = ours.dataset_configurations[EPHYS]
    ephys.update(chunk_shape=(3000, 4), buffer_shape=(6000, 8))
    ephys.compression_method = "Zstd"
    ephys.compression_options = {"clevel": 5}
    ephys.filter_methods = ["shuffle", "fletcher32"]
    ours.dataset_configurations[ELECTRODE_LOCATION_OURS].compression_method = None
    theirs = to_neuroconv(ours, nwbfile=nwbfile if with_nwbfile else None)
    assert isinstance(theirs, nwb_helpers.HDF5BackendConfiguration)
    assert ELECTRODE_LOCATION_THEIRS in theirs.dataset_configurations
    assert ELECTRODE_LOCATION_OURS not in theirs.dataset_configurations
    their_ephys = theirs.dataset_configurations[EPHYS]
    assert their_ephys.object_id == ephys.object_id
    assert their_ephys.chunk_shape == (3000, 4) and their_ephys.buffer_shape == (6000, 8)
    assert their_ephys.compressors == ["shuffle", "Zstd", "fletcher32"]
    assert their_ephys.compressor_options == [None, {"clevel": 5}, None]
    assert _quiet(getattr, their_ephys, "compression_method") == "Zstd"  # the deprecated view agrees
    assert theirs.dataset_configurations[ELECTRODE_LOCATION_THEIRS].compressors is None
    kwargs = their_ephys.get_data_io_kwargs()  # what NeuroConv hands to H5DataIO
    assert kwargs["chunks"] == (3000, 4) and kwargs["shuffle"] and kwargs["fletcher32"]


def test_round_trip_ours_neuroconv_ours(nwbfile):
    ours = get_default_backend_configuration(nwbfile, backend="hdf5")
    ephys = ours.dataset_configurations[EPHYS]
    ephys.update(chunk_shape=(3000, 8), buffer_shape=(15000, 8), compression_method="gzip",
                 compression_options={"level": 7}, filter_methods=["shuffle"])  # fmt: skip
    for back in (from_neuroconv(to_neuroconv(ours, nwbfile), nwbfile), from_neuroconv(to_neuroconv(ours))):
        assert set(back.dataset_configurations) >= {EPHYS, ELECTRODE_LOCATION_OURS}
        for location, item in back.dataset_configurations.items():
            original = ours.dataset_configurations[location]
            assert item.object_id == original.object_id
            for field in ("chunk_shape", "buffer_shape", "compression_method", "filter_methods"):
                assert getattr(item, field) == getattr(original, field), (location, field)
            assert (item.compression_options or {}) == (original.compression_options or {}), location


def test_from_neuroconv_reads_compressors_and_the_older_fields(nwbfile):
    theirs = _quiet(nwb_helpers.get_default_backend_configuration, nwbfile=nwbfile, backend="hdf5")
    their_ephys = theirs.dataset_configurations[EPHYS]
    their_ephys.compressors = ["shuffle", "Blosc"]
    their_ephys.compressor_options = [None, {"cname": "zstd", "clevel": 5}]
    ours = from_neuroconv(theirs, nwbfile)
    ephys = ours.dataset_configurations[EPHYS]
    assert ephys.compression_method == "Blosc" and ephys.compression_options["cname"] == "zstd"
    assert list(ephys.filter_methods) == ["shuffle"]
    assert ours.dataset_configurations[ELECTRODE_LOCATION_OURS].object_id == (
        theirs.dataset_configurations[ELECTRODE_LOCATION_THEIRS].object_id
    )
    # The older form: one compression_method with its compression_options, as in a dict saved before 0.10.2.
    dumped = theirs.model_dump()
    entry = dumped["dataset_configurations"][EPHYS]
    entry.pop("compressors"), entry.pop("compressor_options")
    entry.update(compression_method="gzip", compression_options={"level": 2})
    older = from_neuroconv(dumped, nwbfile)
    assert older.dataset_configurations[EPHYS].compression_method == "gzip"
    assert older.dataset_configurations[EPHYS].compression_options == {"level": 2}
    # NeuroConv reading an existing file gives gzip options as compression_opts.
    entry.pop("compression_method"), entry.pop("compression_options")
    entry.update(compressors=["gzip"], compressor_options=[{"compression_opts": 6}])
    assert from_neuroconv(dumped, nwbfile).dataset_configurations[EPHYS].compression_options == {"level": 6}


def test_zarr_filters_go_where_neuroconv_keeps_them(nwbfile):
    ours = get_default_backend_configuration(nwbfile, backend="zarr")
    ephys = ours.dataset_configurations[EPHYS]
    ephys.compression_method = "blosc"
    ephys.compression_options = {"cname": "zstd", "clevel": 5}
    ephys.update(filter_methods=["delta", "shuffle"], filter_options=[{"dtype": "int16"}, None])
    theirs = to_neuroconv(ours, nwbfile)
    assert isinstance(theirs, nwb_helpers.ZarrBackendConfiguration)
    their_ephys = theirs.dataset_configurations[EPHYS]
    assert their_ephys.compressors == ["shuffle", "blosc"]
    assert their_ephys.filters == ["delta"] and their_ephys.filter_options == [{"dtype": "int16"}]
    back = from_neuroconv(theirs, nwbfile).dataset_configurations[EPHYS]
    assert list(back.filter_methods) == ["delta", "shuffle"] and back.compression_method == "blosc"


def test_neuroconv_refuses_an_in_memory_nwbfile_with_a_configuration(converter, nwbfile, tmp_path):
    """Why from_converter's Apply lets the converter build its file again (NeuroConv 0.10.2 behaviour)."""
    theirs = to_neuroconv(get_default_backend_configuration(nwbfile), nwbfile)
    with pytest.raises(ValueError, match="in-memory NWBFile"):
        converter.run_conversion(nwbfile_path=tmp_path / "x.nwb", nwbfile=nwbfile, backend_configuration=theirs)


@pytest.mark.parametrize("backend", ["hdf5", "zarr"])
def test_widget_from_converter_applies_through_run_conversion(converter, tmp_path, backend, monkeypatch):
    calls = []
    original = converter.run_conversion

    def spy(**kwargs):
        calls.append(kwargs)
        return original(**kwargs)

    monkeypatch.setattr(converter, "run_conversion", spy)
    suffix = ".nwb" if backend == "hdf5" else ".nwb.zarr"
    widget = ConfiguratorWidget.from_converter(converter, nwbfile_path=tmp_path / f"out{suffix}", backend=backend)
    configuration = widget.backend_configuration
    ephys = configuration.dataset_configurations[EPHYS]
    ephys.update(chunk_shape=(1500, 4), buffer_shape=(3000, 8))
    if backend == "hdf5":
        ephys.update(compression_method="Zstd", compression_options={"clevel": 3})
    else:
        ephys.update(compression_method="zstd", compression_options={"level": 3})
    expected = np.asarray(converter.data_interface_objects["recording"].recording_extractor.get_traces())
    job = widget.apply()
    job.thread.join(timeout=120)
    assert widget.status == "done", widget.error
    assert len(calls) == 1 and isinstance(
        calls[0]["backend_configuration"],
        nwb_helpers.HDF5BackendConfiguration if backend == "hdf5" else nwb_helpers.ZarrBackendConfiguration,
    )
    path = tmp_path / f"out{suffix}"
    if backend == "hdf5":
        with h5py.File(path, "r") as file:
            data = file[EPHYS]
            assert data.chunks == (1500, 4)
            assert data.id.get_create_plist().get_filter(0)[0] == 32015  # Zstd
            assert (data[()] == expected).all()
    else:
        import zarr

        array = zarr.open(str(path), mode="r")[EPHYS]
        assert array.chunks == (1500, 4) and array.compressor.codec_id == "zstd"
        assert (array[...] == expected).all()
    assert widget.result["datasets"], widget.result


# ------------------------------------------------------------------------------ datasets NeuroConv cannot configure

# NeuroConv 0.10.2 configures only the datasets of its own default configuration: not an ElectricalSeries' electrodes
# region, nor the id column of a table. It writes these with pynwb's defaults.
FALLBACK = [
    "acquisition/ElectricalSeries/electrodes/data",
    "general/extracellular_ephys/electrodes/id/data",
    "units/id/data",
]


@pytest.mark.parametrize("backend", ["hdf5", "zarr"])
def test_writing_through_neuroconv_names_the_datasets_written_with_pynwb_defaults(
    converter, nwbfile, tmp_path, backend
):
    from nwbconfig_widget.neuroconv_interop import NeuroConvFallbackWarning, write_with_converter

    ours = get_default_backend_configuration(nwbfile, backend=backend)
    target = tmp_path / ("out.nwb" if backend == "hdf5" else "out.nwb.zarr")
    with pytest.warns(NeuroConvFallbackWarning) as caught:
        write_with_converter(converter, target, ours, nwbfile=nwbfile)
    message = str(next(item.message for item in caught if item.category is NeuroConvFallbackWarning))
    assert message.startswith("NeuroConv cannot configure 3 dataset(s)")
    assert "it writes them with pynwb's defaults instead of these settings: " in message
    for location in FALLBACK:
        item = ours.dataset_configurations[location]
        assert f"{location} (chunks {tuple(item.chunk_shape)}, {item.compression_method}" in message
    # What the warning says is what happened: NeuroConv did not apply our compression to them.
    if backend == "hdf5":
        with h5py.File(target, "r") as file:
            assert file["units/id"].compression is None and file["units/spike_times"].compression == "gzip"
    assert target.exists()


def test_settings_chosen_for_a_dataset_neuroconv_cannot_configure_refuse_the_write(converter, nwbfile, tmp_path):
    from nwbconfig_widget.neuroconv_interop import SettingsLostError, write_with_converter

    ours = get_default_backend_configuration(nwbfile, backend="hdf5")
    ours.dataset_configurations["units/id/data"].update(compression_method="Zstd", compression_options={"clevel": 9})
    target = tmp_path / "out.nwb"
    with pytest.raises(SettingsLostError) as caught:
        write_with_converter(converter, target, ours, nwbfile=nwbfile)
    message = str(caught.value)
    assert "units/id/data (compression_method='Zstd', compression_options={'clevel': 9})" in message
    assert "acquisition/ElectricalSeries/electrodes/data" not in message  # left at its defaults: only a warning
    assert "Set them back to the default settings, or remove them from dataset_configurations" in message
    assert not target.exists() and list(tmp_path.iterdir()) == []

    # Removed from the configuration, the dataset is written as pynwb writes it, and the warning no longer names it.
    del ours.dataset_configurations["units/id/data"]
    with pytest.warns(UserWarning, match=r"cannot configure 2 dataset\(s\)") as caught:
        write_with_converter(converter, target, ours, nwbfile=nwbfile)
    assert not any("units/id/data" in str(item.message) for item in caught)
    assert target.exists()


def test_the_widget_on_a_converter_reports_lost_settings_as_its_error(converter, tmp_path):
    widget = ConfiguratorWidget.from_converter(converter, nwbfile_path=tmp_path / "out.nwb")
    item = widget.backend_configuration.dataset_configurations["acquisition/ElectricalSeries/electrodes/data"]
    item.update(compression_method="lzf", compression_options=None)
    job = widget.apply()
    job.thread.join(timeout=120)
    assert widget.status == "error"
    assert isinstance(widget.last_error, ValueError)
    assert "acquisition/ElectricalSeries/electrodes/data (compression_method='lzf')" in str(widget.last_error)
    assert not (tmp_path / "out.nwb").exists()


def test_the_widget_on_a_single_interface_applies_with_its_conversion_options(tmp_path):
    """A bare data interface (not a converter) takes its conversion options as keywords, not as one dict."""
    interface = MockRecordingInterface(num_channels=4, durations=[0.2], sampling_frequency=30_000.0, seed=1)
    widget = ConfiguratorWidget.from_converter(
        interface, nwbfile_path=tmp_path / "single.nwb", conversion_options={"stub_test": True}
    )
    assert EPHYS in widget.backend_configuration.dataset_configurations
    job = widget.apply()
    job.thread.join(timeout=120)
    assert widget.status == "done", widget.error
    expected = np.asarray(interface.recording_extractor.get_traces())
    with h5py.File(tmp_path / "single.nwb", "r") as file:
        stored = file[EPHYS][()]
    # stub_test writes only the first samples: the option reached NeuroConv's own write
    assert 0 < stored.shape[0] < expected.shape[0] and (stored == expected[: stored.shape[0]]).all()
