"""The backend lookups of nwbconfig_widget.backends: each backend's classes, and a clear error for an unknown one."""

import pynwb
import pytest
from hdmf_zarr.nwb import NWBZarrIO

from nwbconfig_widget import backends
from nwbconfig_widget.models import (
    BackendConfiguration,
    DatasetIOConfiguration,
    HDF5BackendConfiguration,
    HDF5DatasetIOConfiguration,
    ZarrBackendConfiguration,
    ZarrDatasetIOConfiguration,
)


@pytest.mark.parametrize(
    "backend, configuration_class, dataset_class, io_base",
    [
        ("hdf5", HDF5BackendConfiguration, HDF5DatasetIOConfiguration, pynwb.NWBHDF5IO),
        ("zarr", ZarrBackendConfiguration, ZarrDatasetIOConfiguration, NWBZarrIO),
    ],
)
def test_each_backend_has_its_classes(backend, configuration_class, dataset_class, io_base):
    assert backends.backend_configuration_class(backend) is configuration_class
    assert backends.dataset_configuration_class(backend) is dataset_class
    assert issubclass(backends.nwb_io_class(backend), io_base)
    assert configuration_class.backend == dataset_class.backend == backend
    assert backends.display_name(backend) == configuration_class.pretty_backend_name


def test_every_configuration_class_is_a_backend():
    assert {cls.backend for cls in BackendConfiguration.__subclasses__()} == set(backends.BACKENDS)
    assert {cls.backend for cls in DatasetIOConfiguration.__subclasses__()} == set(backends.BACKENDS)


@pytest.mark.parametrize(
    "lookup",
    [
        backends.check_backend,
        backends.display_name,
        backends.backend_configuration_class,
        backends.dataset_configuration_class,
        backends.nwb_io_class,
    ],
)
@pytest.mark.parametrize("name", ["HDF5", "netcdf", None])
def test_an_unknown_backend_is_refused_by_name(lookup, name):
    with pytest.raises(ValueError, match=rf"unknown backend {name!r}; use 'hdf5' or 'zarr'"):
        lookup(name)


@pytest.mark.parametrize(
    "name, stem, backend_by_name",
    [
        ("session.nwb", "session", "hdf5"),
        ("session.nwb.zarr", "session", "zarr"),
        ("session.zarr", "session", "zarr"),
        ("session.h5", "session.h5", "hdf5"),
        ("session.NWB", "session.NWB", "hdf5"),
        ("notes.txt", "notes.txt", None),
    ],
)
def test_file_names_say_the_backend(name, stem, backend_by_name):
    assert backends.nwb_stem(name) == stem
    assert backends.backend_named_by(name) == backend_by_name
    assert backends.backend_of_path(name) == ("zarr" if backend_by_name == "zarr" else "hdf5")


def test_a_file_name_made_for_a_backend_names_that_backend(tmp_path):
    for backend in backends.BACKENDS:
        name = backends.file_name("session", backend)
        assert name == "session" + backends.file_suffix(backend)
        assert backends.backend_of_path(tmp_path / name) == backend == backends.backend_named_by(name)
        assert backends.nwb_stem(name) == "session"
    assert backends.file_patterns() == ("*.nwb", "*.nwb.zarr")
    (tmp_path / "folder").mkdir()
    assert backends.backend_of_path(tmp_path / "folder") == "zarr"  # an existing folder can only be Zarr


def test_batch_and_widget_name_outputs_with_the_same_rule(tmp_path):
    from nwbconfig_widget.batch import target_for
    from nwbconfig_widget.widget import ConfiguratorWidget

    source = tmp_path / "in" / "sub" / "a.nwb.zarr"
    assert target_for(source, tmp_path / "in", tmp_path / "out", "hdf5") == tmp_path / "out" / "sub" / "a.nwb"
    assert target_for(source, tmp_path / "in", tmp_path / "out", None) == tmp_path / "out" / "sub" / "a.nwb.zarr"
    assert ConfiguratorWidget._repack_target(source, "hdf5") == str(source.with_name("a_repacked.nwb"))


def test_each_backend_has_its_data_io_class():
    from hdmf.backends.hdf5 import H5DataIO
    from hdmf_zarr import ZarrDataIO

    assert backends.data_io_class("hdf5") is H5DataIO and backends.data_io_class("zarr") is ZarrDataIO
    assert backends.backend_of_data_io(H5DataIO([1, 2])) == "hdf5"
    assert backends.backend_of_data_io(ZarrDataIO([1, 2])) == "zarr"
    assert backends.backend_of_data_io([1, 2]) is None


def test_the_backend_of_an_io_class_follows_its_base():
    for backend in backends.BACKENDS:
        io_class = backends.nwb_io_class(backend)
        assert backends.backend_of_io_class(io_class) == backend
        assert backends.backend_of_io_class(type("Renamed", (io_class,), {})) == backend  # by class, not by name
