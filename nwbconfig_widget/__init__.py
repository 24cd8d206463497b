"""nwbconfig_widget: see and edit how every dataset of an NWB file is chunked, buffered and compressed, then write it."""

from .codecs import (
    AVAILABLE_HDF5_COMPRESSION_METHODS,
    AVAILABLE_HDF5_FILTER_METHODS,
    AVAILABLE_ZARR_COMPRESSION_METHODS,
    AVAILABLE_ZARR_FILTER_METHODS,
)
from .models import (
    BackendConfiguration,
    ConfigurationError,
    DatasetIOConfiguration,
    HDF5BackendConfiguration,
    HDF5DatasetIOConfiguration,
    ZarrBackendConfiguration,
    ZarrDatasetIOConfiguration,
)

__version__ = "0.1.0"

from .backend_configuration import get_default_backend_configuration, get_existing_backend_configuration
from .defaults import DefaultSettings, settings
from .io import configure_and_write_nwbfile, configure_backend, repack_nwbfile
