"""Human-readable byte sizes in SI units, as the printouts show them."""

from __future__ import annotations

import os
from pathlib import Path

_SI_UNITS = ("B", "KB", "MB", "GB", "TB", "PB", "EB")


def format_bytes(number_of_bytes: int | float) -> str:
    """Format a byte count with SI (powers of 1000) units.

    Counts below 1000 are printed as whole bytes; larger counts with two decimals.

    >>> format_bytes(24)
    '24 B'
    >>> format_bytes(1000)
    '1.00 KB'
    >>> format_bytes(1_380_000_000)
    '1.38 GB'
    """
    value = float(number_of_bytes)
    if abs(value) < 1000:
        return f"{int(value)} B"
    unit_index = 0
    while abs(value) >= 1000 and unit_index < len(_SI_UNITS) - 1:
        value /= 1000
        unit_index += 1
    return f"{value:.2f} {_SI_UNITS[unit_index]}"


def size_on_disk(path: str | os.PathLike) -> int:
    """Bytes of a file, or of every file under a folder (a Zarr store); 0 when nothing is there.

    >>> size_on_disk("no/such/file.nwb")
    0
    """
    path = Path(path)
    if path.is_dir():
        return sum(item.stat().st_size for item in path.rglob("*") if item.is_file())
    return path.stat().st_size if path.exists() else 0
