"""Presets: valid on every test file, written and read back, per type, cloud chunks; texts quote measured figures."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from nwbfiles import LEGACY_DATA, assert_same_values, make_rich_nwbfile, read_nwbfile, stored_arrays

from nwbconfig_widget import (
    BackendConfiguration,
    HDF5DatasetIOConfiguration,
    ZarrDatasetIOConfiguration,
    configure_and_write_nwbfile,
    get_default_backend_configuration,
    get_existing_backend_configuration,
    presets,
    repack_nwbfile,
)
from nwbconfig_widget.access import access_cost
from nwbconfig_widget.advice import configuration_warnings
from nwbconfig_widget.presets import PRESETS, apply_preset, measured, preset_settings

BENCHMARK = Path(__file__).resolve().parent.parent / "benchmarks" / "presets.py"
#: A number as a reader sees one: not part of a name such as h5py or 512x512's second 512.
NUMBER = re.compile(r"(?<![\w.])\d+(?:,\d{3})*(?:\.\d+)?")

LEGACY_FILES = [
    "pynwb_2x_hdf5.nwb",
    "pynwb_2x_with_extension.nwb",
    "hdf5plugin_filters.nwb",
    "neuroconv_written.nwb",
    "h5repack_rechunked.nwb",
    "hdmf_zarr_written.nwb.zarr",
]


@pytest.mark.parametrize("backend", ["hdf5", "zarr"])
def test_every_preset_writes_the_rich_file_with_its_codec(tmp_path, backend):
    suffix = ".nwb" if backend == "hdf5" else ".nwb.zarr"
    reference = configure_and_write_nwbfile(make_rich_nwbfile(), tmp_path / f"default{suffix}", backend=backend)
    for name, preset in PRESETS.items():
        nwbfile = make_rich_nwbfile()  # the same values; a fresh sequential iterator for each write
        configuration = get_default_backend_configuration(nwbfile, backend=backend)
        fallbacks = apply_preset(configuration, name)
        method = getattr(preset, backend)[0]
        for item in configuration:
            if item.location_in_file in fallbacks:
                assert item.dtype.kind == "O" and item.compression_method == "gzip"
            else:
                assert item.compression_method == method, (name, item.location_in_file)
        assert BackendConfiguration.from_dict(configuration.to_dict()) == configuration  # valid as a whole
        path = configure_and_write_nwbfile(nwbfile, tmp_path / f"{name}{suffix}", configuration)
        expected, stored = stored_arrays(reference), stored_arrays(path)
        for key, values in expected.items():
            if key not in ("identifier", "file_create_date"):  # a new uuid and date for each file
                assert np.array_equal(np.ravel(stored[key]), np.ravel(values)), (name, key)
        with read_nwbfile(path) as io:
            written = get_existing_backend_configuration(io.read())
        for item in configuration:
            stored = written.dataset_configurations.get(item.location_in_file)
            if stored is not None:
                assert stored.compression_method == item.compression_method, (name, item.location_in_file)
                assert stored.chunk_shape == item.chunk_shape


def _legacy_configurations(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with read_nwbfile(LEGACY_DATA / name) as io:
            nwbfile = io.read()
            existing = get_existing_backend_configuration(nwbfile)
            other = "hdf5" if existing.backend == "zarr" else "zarr"
            return [existing, get_default_backend_configuration(nwbfile, backend=other)]


@pytest.mark.parametrize("name", LEGACY_FILES)
def test_every_preset_is_valid_on_the_files_of_other_tools(name):
    for base in _legacy_configurations(name):
        assert len(base) > 0
        for preset in PRESETS:
            configuration = base.copy()
            apply_preset(configuration, preset)
            assert BackendConfiguration.from_dict(configuration.to_dict()) == configuration


@pytest.mark.parametrize("name, preset", zip(LEGACY_FILES, ["cloud", "fast", "archive", "portable", "cloud", "fast"]))
def test_files_of_other_tools_repack_with_a_preset(name, preset, tmp_path):
    configuration = _legacy_configurations(name)[0]
    apply_preset(configuration, preset)
    suffix = ".nwb.zarr" if configuration.backend == "zarr" else ".nwb"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        target = repack_nwbfile(LEGACY_DATA / name, tmp_path / f"repacked{suffix}",
                                backend_configuration=configuration, allow_pickle=True)  # fmt: skip
        assert assert_same_values(LEGACY_DATA / name, target) >= 5


def test_preset_per_neurodata_type_and_location():
    nwbfile = make_rich_nwbfile()
    configuration = get_default_backend_configuration(nwbfile)
    before = configuration.copy()
    apply_preset(configuration, "archive", neurodata_types=["ElectricalSeries"])
    previous = before.dataset_configurations
    changed = {item.location_in_file for item in configuration if item != previous[item.location_in_file]}
    assert changed == {
        "acquisition/ElectricalSeries/data",
        "acquisition/ElectricalSeries/electrodes/data",
        "acquisition/SingleChannel/data",
        "acquisition/SingleChannel/electrodes/data",
    }
    apply_preset(configuration, "fast", locations=["units/spike_times/data"])
    assert configuration.dataset_configurations["units/spike_times/data"].compression_method == "Blosc"
    apply_preset(configuration, "portable", where=lambda item: item.dtype.kind == "f")
    assert configuration.dataset_configurations["acquisition/Running/timestamps"].filter_methods == ("shuffle",)


def test_text_falls_back_to_gzip_and_unknown_presets_change_nothing():
    nwbfile = make_rich_nwbfile()
    configuration = get_default_backend_configuration(nwbfile)
    fallbacks = apply_preset(configuration, "fast")
    assert "gzip 4 used" in fallbacks["intervals/trials/condition/data"]
    before = configuration.copy()
    with pytest.raises(ValueError, match="unknown preset"):
        apply_preset(configuration, "smallest")
    assert configuration == before


def _neuropixels(cls, chunk_shape):
    return cls(
        object_id="id", location_in_file="acquisition/ElectricalSeries/data", dataset_name="data", dtype="int16",
        full_shape=(108_000_000, 384), chunk_shape=chunk_shape, neurodata_type="ElectricalSeries",
    )  # fmt: skip


def test_cloud_chunks_stream_well():
    hdf5 = _neuropixels(HDF5DatasetIOConfiguration, (1_125_000, 4))
    hdf5.update(**preset_settings(hdf5, "cloud"))
    assert hdf5.chunk_shape == (31250, 64) and 1e6 <= hdf5.chunk_size_bytes <= 16e6
    window = (slice(54_000_000, 54_030_000), slice(None))
    assert access_cost(hdf5, window).chunks_touched <= 12
    assert [advice.code for advice in configuration_warnings(hdf5, available_memory=10**11)] == []  # under the default
    movie = HDF5DatasetIOConfiguration(
        object_id="id", location_in_file="acquisition/TwoPhotonSeries/data", dataset_name="data", dtype="uint16",
        full_shape=(100_000, 512, 512), chunk_shape=(1, 64, 64), neurodata_type="TwoPhotonSeries",
    )  # fmt: skip
    movie.update(**preset_settings(movie, "cloud"))
    assert movie.chunk_shape == (7, 512, 512)  # whole frames: one frame is one request
    zarr = _neuropixels(ZarrDatasetIOConfiguration, (1000, 4))
    zarr.update(**preset_settings(zarr, "cloud"))
    assert zarr.number_of_chunks <= 100_000
    assert "too_many_zarr_objects" not in [advice.code for advice in configuration_warnings(zarr)]


def _measured_numbers(figures, name):
    """Every number a preset's text may show: measured ratios, the data, the date and this preset's own settings."""
    allowed = set(NUMBER.findall(figures["data"])) | set(NUMBER.findall(figures["date"]))
    for cases in figures["results"].values():
        base = cases["default"]
        for result in cases.values():
            for key in ("write_cpu_seconds", "size_bytes", "read_cpu_seconds"):
                allowed.add(f"{result[key] / base[key]:.2f}")
            for read, cost in result["reads"].items():
                allowed |= set(NUMBER.findall(read)) | {str(cost["requests"]), str(base["reads"][read]["requests"])}
                allowed.add(f"{cost['fetched_bytes'] / base['reads'][read]['fetched_bytes']:.2f}")
    preset = PRESETS[name]
    for _, options, _ in (preset.hdf5, preset.zarr):
        allowed |= {str(options[key]) for key in ("level", "clevel") if key in options}
    if preset.chunk_target_bytes:
        allowed |= {str(target // 1_000_000) for target in preset.chunk_target_bytes.values()} | {"100,000"}
    return allowed


@pytest.mark.parametrize("name", list(PRESETS))
def test_every_figure_in_a_preset_text_comes_from_the_measured_data(name):
    figures = measured()
    text = PRESETS[name].description
    shown = NUMBER.findall(text)
    assert set(shown) <= _measured_numbers(figures, name), (name, set(shown) - _measured_numbers(figures, name))
    assert figures["data"] in text and figures["date"] in text and "benchmarks/presets.py" in text
    for backend, label in (("hdf5", "HDF5"), ("zarr", "Zarr")):
        mine, base = figures["results"][backend][name], figures["results"][backend]["default"]
        write, size = mine["write_cpu_seconds"] / base["write_cpu_seconds"], mine["size_bytes"] / base["size_bytes"]
        assert f"{label} write CPU time {write:.2f}x, size {size:.2f}x" in text
    readers = figures["results"]["hdf5"][name]["readers"]
    assert all(reader in text for reader in readers)


def test_the_measured_figures_are_a_full_size_run_of_the_benchmark():
    figures = measured()
    assert figures["command"].startswith("python benchmarks/presets.py") and "--small" not in figures["command"]
    assert figures["machine"] and figures["n_jobs"] == 1
    for cases in figures["results"].values():
        assert list(cases) == ["default", *PRESETS]
        assert all(result["size_bytes"] > 50e6 for result in cases.values())  # not the 9 MB --small session
    # what the presets promise, on the data they were measured on
    hdf5 = figures["results"]["hdf5"]
    assert hdf5["portable"]["readers"] == dict.fromkeys(hdf5["portable"]["readers"], True)
    assert not any(hdf5["fast"]["readers"].values()) and not any(hdf5["archive"]["readers"].values())
    assert min(hdf5, key=lambda case: hdf5[case]["size_bytes"]) == "archive"


def test_without_the_measured_figures_a_text_says_so_and_warns(monkeypatch, tmp_path):
    monkeypatch.setattr(presets, "_MEASURED_PATH", tmp_path / "presets_measured.json")
    presets._measured.cache_clear()
    try:
        with pytest.warns(RuntimeWarning, match="preset 'fast': no measured figures"):
            text = presets._described("Blosc", "fast")
        assert text.startswith("Blosc. No measured figures (FileNotFoundError") and "--save" in text
        with pytest.raises(FileNotFoundError, match="ships with the package"):
            measured()
        (tmp_path / "presets_measured.json").write_text('{"results": {}}')  # an older or broken file
        presets._measured.cache_clear()
        with pytest.warns(RuntimeWarning, match="KeyError"):
            assert "No measured figures" in presets._described("Blosc", "fast")
    finally:
        presets._measured.cache_clear()  # the next call reads the package's file again


def _shape(value):
    """The keys of nested dicts (the readers depend on what is installed: only their presence is compared)."""
    if isinstance(value, dict):
        return {key: None if key == "readers" else _shape(item) for key, item in value.items()}
    return type(value).__name__


def test_the_benchmark_runs_at_a_tiny_size_and_writes_what_the_texts_read(tmp_path):
    out = tmp_path / "figures.json"
    done = subprocess.run(
        [sys.executable, str(BENCHMARK), "--small", "--out", str(out)], capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    table = [line for line in done.stdout.splitlines() if line.startswith("| ")]
    for backend in ("hdf5", "zarr"):
        assert [row.split(" | ")[1] for row in table if row.startswith(f"| {backend} |")] == ["default", *PRESETS] * 2
    written = json.loads(out.read_text())
    assert _shape(written["results"]) == _shape(measured()["results"])
    assert "h5py without hdf5plugin" in written["results"]["hdf5"]["fast"]["readers"]
    assert written["results"]["hdf5"]["portable"]["readers"]["h5py without hdf5plugin"] is True
    assert written["results"]["hdf5"]["fast"]["readers"]["h5py without hdf5plugin"] is False
