"""The two storage backends, "hdf5" and "zarr", and the classes that go with each: the one place that maps a backend
name to its configuration classes, its IO class and its display name.

Every lookup raises :class:`UnknownBackendError` (a ``ValueError``) for a name that is not a backend.

>>> backend_configuration_class("zarr").__name__
'ZarrBackendConfiguration'
>>> dataset_configuration_class("hdf5").__name__
'HDF5DatasetIOConfiguration'
>>> nwb_io_class("hdf5").__name__, display_name("zarr")
('NWBHDF5IO', 'Zarr')
>>> check_backend("netcdf")
Traceback (most recent call last):
...
nwbconfig_widget.backends.UnknownBackendError: unknown backend 'netcdf'; use 'hdf5' or 'zarr'
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .models import BackendConfiguration, DatasetIOConfiguration

#: The backends, in the order they are offered.
BACKENDS: tuple[str, ...] = ("hdf5", "zarr")
_DISPLAY_NAMES = {"hdf5": "HDF5", "zarr": "Zarr"}


class UnknownBackendError(ValueError):
    """A backend name that is neither "hdf5" nor "zarr"."""


def check_backend(backend: Any) -> str:
    """``backend`` itself when it names a backend, else :class:`UnknownBackendError`."""
    if not isinstance(backend, str) or backend not in BACKENDS:
        raise UnknownBackendError(f"unknown backend {backend!r}; use " + " or ".join(repr(name) for name in BACKENDS))
    return backend


def display_name(backend: str) -> str:
    """The name shown to users: "HDF5" or "Zarr"."""
    return _DISPLAY_NAMES[check_backend(backend)]


def backend_configuration_class(backend: str) -> type[BackendConfiguration]:
    """``HDF5BackendConfiguration`` or ``ZarrBackendConfiguration``."""
    from .models import HDF5BackendConfiguration, ZarrBackendConfiguration

    classes = {"hdf5": HDF5BackendConfiguration, "zarr": ZarrBackendConfiguration}
    return classes[check_backend(backend)]


def dataset_configuration_class(backend: str) -> type[DatasetIOConfiguration]:
    """``HDF5DatasetIOConfiguration`` or ``ZarrDatasetIOConfiguration``."""
    return backend_configuration_class(backend).dataset_configuration_class


def nwb_io_class(backend: str) -> type:
    """The IO class that reads and writes NWB files of ``backend``: pynwb's ``NWBHDF5IO`` or hdmf-zarr's
    ``NWBZarrIO`` (as :mod:`nwbconfig_widget.io.readers` extends them, to also take ``nwbfile_path=``)."""
    check_backend(backend)
    from .io.readers import NWBHDF5IO, NWBZarrIO

    return NWBHDF5IO if backend == "hdf5" else NWBZarrIO
