"""pynwb's and hdmf-zarr's IO classes, also accepting ``nwbfile_path=`` as the backend-configuration guide spells it.

>>> import inspect
>>> "nwbfile_path" in inspect.signature(NWBHDF5IO.__init__).parameters
True
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import h5py
import pynwb
from hdmf_zarr.nwb import NWBZarrIO as _NWBZarrIO

from ..backends import backend_named_by

_AGAIN = "If it should be an NWB file, it is damaged or incomplete (a copy or download that stopped): copy it again."
_WHAT_TO_GIVE = "Give an .nwb (HDF5) file or an .nwb.zarr folder."


class NotAnNWBFileError(ValueError):
    """A path that cannot be read as an NWB file; the message names the path, what is wrong and what to do."""


def nwb_backend_of_existing(path: str | os.PathLike) -> str:
    """'hdf5' or 'zarr' for the NWB file at ``path``, judged by what is there (not by the name).

    Raises ``FileNotFoundError`` for a missing path and :class:`NotAnNWBFileError` for anything that is not a readable
    NWB file: a folder that is not a Zarr NWB file, a file that is not HDF5, a truncated or damaged HDF5 file, or an
    HDF5/Zarr file without the ``nwb_version`` attribute of an NWB file.

    >>> nwb_backend_of_existing("no/such/file.nwb")
    Traceback (most recent call last):
    ...
    FileNotFoundError: no/such/file.nwb does not exist; check the path. Give an .nwb (HDF5) file or an .nwb.zarr folder.
    """
    path = Path(path)
    if not path.exists():
        broken = " (a symbolic link to a missing file)" if path.is_symlink() else ""
        raise FileNotFoundError(f"{path} does not exist{broken}; check the path. {_WHAT_TO_GIVE}")
    if path.is_dir():
        _check_zarr_folder(path)
        return "zarr"
    if not path.is_file():
        raise NotAnNWBFileError(f"{path} is neither a file nor a folder. {_WHAT_TO_GIVE}")
    _check_hdf5_file(path)
    return "hdf5"


def _check_zarr_folder(path: Path) -> None:
    if not (path / ".zgroup").is_file():
        raise NotAnNWBFileError(f"{path} is a folder but not a Zarr NWB file (it has no .zgroup). {_WHAT_TO_GIVE}")
    try:
        attributes = json.loads((path / ".zattrs").read_text()) if (path / ".zattrs").exists() else {}
    except (OSError, ValueError) as exc:
        raise NotAnNWBFileError(
            f"{path} is a Zarr folder but not an NWB file: its root attributes (.zattrs) cannot be read ({exc}). "
            f"{_AGAIN}"
        ) from None
    if not isinstance(attributes, dict) or "nwb_version" not in attributes:
        raise NotAnNWBFileError(
            f"{path} is a Zarr folder but not an NWB file (its root has no nwb_version attribute). {_WHAT_TO_GIVE}"
        )


def _check_hdf5_file(path: Path) -> None:
    if not h5py.is_hdf5(path):
        if backend_named_by(path) == "zarr":
            raise NotAnNWBFileError(
                f"{path} is a file, but a Zarr NWB file is a folder (with a .zgroup inside), and it is not an HDF5 "
                f"file either. {_WHAT_TO_GIVE}"
            )
        raise NotAnNWBFileError(
            f"{path} is not an NWB file: it is not an HDF5 file (no HDF5 signature in its "
            f"{path.stat().st_size} bytes). {_AGAIN}"
        )
    try:
        with h5py.File(path, "r") as file:
            version = file.attrs.get("nwb_version")
    except Exception as exc:  # h5py raises OSError, RuntimeError or KeyError for damaged files
        raise NotAnNWBFileError(f"{path} is not a readable NWB file: HDF5 cannot open it ({exc}). {_AGAIN}") from None
    if version is None:
        raise NotAnNWBFileError(
            f"{path} is an HDF5 file but not an NWB file (its root has no nwb_version attribute). {_WHAT_TO_GIVE}"
        )


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
