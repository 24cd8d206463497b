"""The two storage backends, "hdf5" and "zarr", and what goes with each: the one place that maps a backend name to
its configuration classes, its IO class, its display name and how its files are named.

Every lookup raises :class:`UnknownBackendError` (a ``ValueError``) for a name that is not a backend.

>>> backend_configuration_class("zarr").__name__
'ZarrBackendConfiguration'
>>> dataset_configuration_class("hdf5").__name__
'HDF5DatasetIOConfiguration'
>>> nwb_io_class("hdf5").__name__, data_io_class("zarr").__name__, display_name("zarr")
('NWBHDF5IO', 'ZarrDataIO', 'Zarr')
>>> backend_of_path("out/session.nwb.zarr"), file_name("session", "hdf5"), nwb_stem("session.nwb.zarr")
('zarr', 'session.nwb', 'session')
>>> check_backend("netcdf")
Traceback (most recent call last):
...
nwbconfig_widget.backends.UnknownBackendError: unknown backend 'netcdf'; use 'hdf5' or 'zarr'
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .models import BackendConfiguration, DatasetIOConfiguration

#: The backends, in the order they are offered.
BACKENDS: tuple[str, ...] = ("hdf5", "zarr")
_DISPLAY_NAMES = {"hdf5": "HDF5", "zarr": "Zarr"}
#: How a file written with each backend is named: ``session.nwb`` (an HDF5 file), ``session.nwb.zarr`` (a folder).
_FILE_SUFFIXES = {"hdf5": ".nwb", "zarr": ".nwb.zarr"}
#: The last name endings that say which backend a file is in.
_NAMED_BACKENDS = {".zarr": "zarr", ".nwb": "hdf5", ".h5": "hdf5", ".hdf5": "hdf5"}


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


def data_io_class(backend: str) -> type:
    """The DataIO class that carries a dataset's settings for ``backend``: hdmf's ``H5DataIO`` or hdmf-zarr's
    ``ZarrDataIO``."""
    if check_backend(backend) == "hdf5":
        from hdmf.backends.hdf5 import H5DataIO

        return H5DataIO
    from hdmf_zarr import ZarrDataIO

    return ZarrDataIO


def backend_of_data_io(data_io: Any) -> str | None:
    """The backend whose DataIO class ``data_io`` is (subclasses included), or None for another DataIO."""
    return next((backend for backend in BACKENDS if isinstance(data_io, data_io_class(backend))), None)


def backend_of_io_class(io_class: type) -> str:
    """ "zarr" for hdmf-zarr's ``ZarrIO`` and its subclasses (``NWBZarrIO``...), else "hdf5"."""
    from hdmf_zarr.backend import ZarrIO

    return "zarr" if issubclass(io_class, ZarrIO) else "hdf5"


def nwb_io_class(backend: str) -> type:
    """The IO class that reads and writes NWB files of ``backend``: pynwb's ``NWBHDF5IO`` or hdmf-zarr's
    ``NWBZarrIO`` (as ``nwbconfig_widget.io.readers`` extends them, to also take ``nwbfile_path=``)."""
    check_backend(backend)
    from .io.readers import NWBHDF5IO, NWBZarrIO

    return NWBHDF5IO if backend == "hdf5" else NWBZarrIO


# ---------------------------------------------------------------------------------------------------- file names


def file_suffix(backend: str) -> str:
    """How the name of a file of ``backend`` ends: ".nwb" for HDF5, ".nwb.zarr" for Zarr."""
    return _FILE_SUFFIXES[check_backend(backend)]


def file_name(stem: str, backend: str) -> str:
    """The name of a file of ``backend`` called ``stem``: ``stem.nwb`` or ``stem.nwb.zarr``."""
    return stem + file_suffix(backend)


def file_patterns() -> tuple[str, ...]:
    """Glob patterns for the files of every backend: ``("*.nwb", "*.nwb.zarr")``."""
    return tuple("*" + _FILE_SUFFIXES[backend] for backend in BACKENDS)


def nwb_stem(name: str) -> str:
    """A file name without the ending of an NWB file (``.nwb.zarr``, ``.zarr`` or ``.nwb``), else ``name`` itself."""
    for suffix in (".nwb.zarr", ".zarr", ".nwb"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def backend_of_path(path: str | os.PathLike) -> str:
    """The backend to write ``path`` with when none is given: "zarr" for a name ending in .zarr (or an existing
    folder), else "hdf5"."""
    path = Path(path)
    return "zarr" if path.suffix == ".zarr" or path.is_dir() else "hdf5"


def backend_named_by(path: str | os.PathLike) -> str | None:
    """The backend the name of ``path`` says (``.zarr``: "zarr"; ``.nwb``, ``.h5``, ``.hdf5``: "hdf5"), else None."""
    return _NAMED_BACKENDS.get(Path(path).suffix.lower())
