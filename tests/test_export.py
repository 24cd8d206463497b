"""Export: Python code that rebuilds the configuration, JSON, and h5repack command lines run with Debian's h5repack."""

from __future__ import annotations

import os
import shutil
import subprocess
import warnings

import h5py
import pytest
from nwbfiles import LEGACY_DATA, assert_same_values, make_rich_nwbfile, read_nwbfile

from nwbconfig_widget import (
    BackendConfiguration,
    configure_and_write_nwbfile,
    get_default_backend_configuration,
    get_existing_backend_configuration,
)
from nwbconfig_widget.export import h5repack_arguments, h5repack_command, hdf5_path, to_json, to_python_code
from nwbconfig_widget.presets import apply_preset


def _edited(nwbfile, backend):
    configuration = get_default_backend_configuration(nwbfile, backend=backend)
    apply_preset(configuration, "fast", neurodata_types=["ElectricalSeries"])
    items = configuration.dataset_configurations
    items["acquisition/TwoPhotonSeries/data"].update(chunk_shape=(5, 48, 40), buffer_shape=(20, 48, 40))
    items["acquisition/Running/data"].update(compression_method="gzip", compression_options={"level": 9})
    del items["units/spike_times_index/data"]
    return configuration


@pytest.mark.parametrize("backend", ["hdf5", "zarr"])
def test_python_code_rebuilds_the_configuration(backend):
    nwbfile = make_rich_nwbfile()
    configuration = _edited(nwbfile, backend)
    for baseline in (None, get_default_backend_configuration(nwbfile, backend=backend)):
        code = to_python_code(configuration, baseline=baseline)
        namespace = {"nwbfile": nwbfile}
        exec(compile(code, "<exported>", "exec"), namespace)
        assert namespace["backend_configuration"] == configuration
    short = to_python_code(configuration, baseline=get_default_backend_configuration(nwbfile, backend=backend))
    assert len(short) < len(to_python_code(configuration)) and "Running/data" in short
    assert 'intervals/trials/id/data"].update' not in short  # unchanged datasets are left out


def test_python_code_for_an_existing_file_rebuilds_it():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with read_nwbfile(LEGACY_DATA / "hdf5plugin_filters.nwb") as io:
            nwbfile = io.read()
            existing = get_existing_backend_configuration(nwbfile)
            namespace = {"nwbfile": nwbfile}
            exec(to_python_code(existing), namespace)
    assert (
        namespace["backend_configuration"].to_dict()["dataset_configurations"]
        == existing.to_dict()["dataset_configurations"]
    )


def test_json_round_trip(tmp_path):
    configuration = _edited(make_rich_nwbfile(), "hdf5")
    text = to_json(configuration, tmp_path / "configuration.json")
    assert BackendConfiguration.from_json(text) == configuration
    assert BackendConfiguration.from_json(tmp_path / "configuration.json") == configuration


def test_hdf5_paths_of_columns_and_series(tmp_path):
    nwbfile = make_rich_nwbfile()
    configuration = get_default_backend_configuration(nwbfile)
    path = configure_and_write_nwbfile(nwbfile, tmp_path / "session.nwb", configuration)
    with h5py.File(path, "r") as file:
        for item in configuration:
            assert hdf5_path(item) == hdf5_path(item, file), item.location_in_file
            assert isinstance(file[hdf5_path(item)], h5py.Dataset)
    assert hdf5_path(configuration.dataset_configurations["units/spike_times/data"]) == "/units/spike_times"
    assert hdf5_path(configuration.dataset_configurations["acquisition/Running/data"]) == "/acquisition/Running/data"


def test_h5repack_arguments_for_every_kind_of_pipeline():
    nwbfile = make_rich_nwbfile()
    configuration = get_default_backend_configuration(nwbfile)
    ephys = configuration.dataset_configurations["acquisition/ElectricalSeries/data"]
    ephys.update(chunk_shape=(1000, 8), buffer_shape=(2000, 32), compression_method="Zstd",
                 compression_options={"clevel": 5}, filter_methods=["shuffle", "fletcher32"])  # fmt: skip
    single = configuration.dataset_configurations["acquisition/SingleChannel/data"]
    single.update(chunk_shape=None, compression_method=None)
    arguments = h5repack_arguments(configuration, "in.nwb", "out.nwb")
    text = " ".join(arguments)
    assert (
        "/acquisition/ElectricalSeries/data:CHUNK=1000x8 -f /acquisition/ElectricalSeries/data:SHUF "
        "-f /acquisition/ElectricalSeries/data:UD=32015,1,1,5 -f /acquisition/ElectricalSeries/data:FLET"
    ) in text
    assert "-l /acquisition/SingleChannel/data:CONTI -f /acquisition/SingleChannel/data:NONE" in text
    assert arguments[-2:] == ["in.nwb", "out.nwb"]
    assert h5repack_command(configuration, "in.nwb", "out.nwb").startswith("HDF5_PLUGIN_PATH=")
    ephys.update(compression_method="lzf", compression_options=None)
    with pytest.raises(ValueError, match="lzf"):
        h5repack_arguments(configuration)
    with pytest.raises(ValueError, match="Zarr"):
        h5repack_arguments(get_default_backend_configuration(nwbfile, backend="zarr"))


@pytest.mark.skipif(shutil.which("h5repack") is None, reason="h5repack is not installed (apt-get install hdf5-tools)")
def test_h5repack_command_gives_the_configuration(tmp_path):
    nwbfile = make_rich_nwbfile()
    source = configure_and_write_nwbfile(nwbfile, tmp_path / "source.nwb")
    with read_nwbfile(source) as io:
        configuration = get_existing_backend_configuration(io.read())
    apply_preset(configuration, "portable")
    items = configuration.dataset_configurations
    items["acquisition/ElectricalSeries/data"].update(
        chunk_shape=(3000, 8), buffer_shape=(6000, 32), compression_method="Zstd", compression_options={"clevel": 5},
        filter_methods=["shuffle", "fletcher32"],
    )  # fmt: skip
    items["acquisition/TwoPhotonSeries/data"].update(
        chunk_shape=(10, 48, 40), buffer_shape=(60, 48, 40), compression_method="Blosc",
        compression_options={"cname": "lz4", "clevel": 5, "shuffle": 2}, filter_methods=[],
    )  # fmt: skip
    items["acquisition/SingleChannel/data"].update(
        chunk_shape=None, compression_method=None, compression_options=None, filter_methods=[]
    )
    target = tmp_path / "repacked.nwb"
    import hdf5plugin

    environment = {**os.environ, "HDF5_PLUGIN_PATH": hdf5plugin.PLUGIN_PATH}
    result = subprocess.run(h5repack_arguments(configuration, source, target), env=environment,
                            capture_output=True, text=True)  # fmt: skip
    assert result.returncode == 0, result.stderr
    with read_nwbfile(target) as io:
        repacked = get_existing_backend_configuration(io.read())
    for item in configuration:
        stored = repacked.dataset_configurations[item.location_in_file]
        for field in ("chunk_shape", "compression_method", "compression_options", "filter_methods"):
            assert getattr(stored, field) == getattr(item, field), (item.location_in_file, field)
    assert assert_same_values(source, target) >= 15
