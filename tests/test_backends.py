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
