"""pynwb's and hdmf-zarr's IO classes, also accepting ``nwbfile_path=`` as the backend-configuration guide spells it.

>>> import inspect
>>> "nwbfile_path" in inspect.signature(NWBHDF5IO.__init__).parameters
True
"""

from __future__ import annotations

import os
from typing import Any

import pynwb
from hdmf_zarr.nwb import NWBZarrIO as _NWBZarrIO


def _path_argument(path: str | os.PathLike | None, nwbfile_path: str | os.PathLike | None) -> str | None:
    if path is not None and nwbfile_path is not None and os.fspath(path) != os.fspath(nwbfile_path):
        raise TypeError("give the file either as path or as nwbfile_path, not both")
    chosen = path if path is not None else nwbfile_path
    return os.fspath(chosen) if chosen is not None else None


class _AcceptsNwbfilePath:
    """Lets an IO class take the file as ``path`` or as ``nwbfile_path``; everything else is the base class's."""

    def __init__(
        self,
        path: str | os.PathLike | None = None,
        mode: str = "r",
        *,
        nwbfile_path: str | os.PathLike | None = None,
        **kwargs: Any,
    ):
        super().__init__(path=_path_argument(path, nwbfile_path), mode=mode, **kwargs)


class NWBHDF5IO(_AcceptsNwbfilePath, pynwb.NWBHDF5IO):
    """``pynwb.NWBHDF5IO`` that also takes the file as ``nwbfile_path=``."""


class NWBZarrIO(_AcceptsNwbfilePath, _NWBZarrIO):
    """``hdmf_zarr.NWBZarrIO`` that also takes the file as ``nwbfile_path=``."""
