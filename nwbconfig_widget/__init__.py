"""nwbconfig_widget: see and edit how every dataset of an NWB file is chunked, buffered and compressed; write it.

>>> import nwbconfig_widget
>>> callable(nwbconfig_widget.get_default_backend_configuration)
True
"""

from .access import access_cost, access_costs, typical_selections
from .advice import backend_configuration_warnings, configuration_warnings, portability
from .backend_configuration import get_default_backend_configuration, get_existing_backend_configuration
from .batch import BatchSummary, FileResult, repack_folder
from .codecs import (
    AVAILABLE_HDF5_COMPRESSION_METHODS,
    AVAILABLE_HDF5_FILTER_METHODS,
    AVAILABLE_ZARR_COMPRESSION_METHODS,
    AVAILABLE_ZARR_FILTER_METHODS,
)
from .compare import compare_codecs, plot_codec_comparison
from .defaults import DefaultSettings, settings
from .export import h5repack_command, to_python_code
from .io import (
    DanglingExternalLinkError,
    ExternalLinkCopiedWarning,
    ObjectsOutsideSchemaError,
    ObjectsOutsideSchemaWarning,
    WriteCancelled,
    configure_and_write_nwbfile,
    configure_backend,
    repack_nwbfile,
)
from .io.readers import NWBHDF5IO, NWBZarrIO
from .models import (
    BackendConfiguration,
    ConfigurationError,
    DatasetIOConfiguration,
    HDF5BackendConfiguration,
    HDF5DatasetIOConfiguration,
    ZarrBackendConfiguration,
    ZarrDatasetIOConfiguration,
)
from .presets import PRESETS, apply_preset
from .preview import preview_compression
from .widget import ConfiguratorWidget

__version__ = "0.1.0"

__all__ = [
    "BatchSummary",
    "FileResult",
    "DanglingExternalLinkError",
    "ExternalLinkCopiedWarning",
    "ObjectsOutsideSchemaError",
    "ObjectsOutsideSchemaWarning",
    "WriteCancelled",
    "repack_folder",
    "PRESETS",
    "ConfiguratorWidget",
    "access_cost",
    "access_costs",
    "apply_preset",
    "backend_configuration_warnings",
    "compare_codecs",
    "configuration_warnings",
    "h5repack_command",
    "plot_codec_comparison",
    "portability",
    "preview_compression",
    "to_python_code",
    "typical_selections",
    "AVAILABLE_HDF5_COMPRESSION_METHODS",
    "AVAILABLE_HDF5_FILTER_METHODS",
    "AVAILABLE_ZARR_COMPRESSION_METHODS",
    "AVAILABLE_ZARR_FILTER_METHODS",
    "BackendConfiguration",
    "ConfigurationError",
    "DatasetIOConfiguration",
    "DefaultSettings",
    "HDF5BackendConfiguration",
    "HDF5DatasetIOConfiguration",
    "NWBHDF5IO",
    "NWBZarrIO",
    "ZarrBackendConfiguration",
    "ZarrDatasetIOConfiguration",
    "configure_and_write_nwbfile",
    "configure_backend",
    "get_default_backend_configuration",
    "get_existing_backend_configuration",
    "repack_nwbfile",
    "settings",
]
