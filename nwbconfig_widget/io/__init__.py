"""Applying a backend configuration to an NWBFile and writing it: configure, write, repack."""

from .configure import configure_backend
from .external_links import DanglingExternalLinkError, ExternalLinkCopiedWarning
from .outside_schema import ObjectsOutsideSchemaError, ObjectsOutsideSchemaWarning
from .progress import WriteCancelled
from .repack import repack_nwbfile
from .write import configure_and_write_nwbfile

__all__ = [
    "DanglingExternalLinkError",
    "ExternalLinkCopiedWarning",
    "ObjectsOutsideSchemaError",
    "ObjectsOutsideSchemaWarning",
    "WriteCancelled",
    "configure_and_write_nwbfile",
    "configure_backend",
    "repack_nwbfile",
]
