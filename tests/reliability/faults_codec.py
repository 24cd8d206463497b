"""A real numcodecs codec that fails on its Nth encode, for the fault tests.

It compresses with zlib until it is armed in this process, then raises on the chosen encode. The tests put it in
numcodecs' registry for their own duration, and ``entry_point_folder`` makes a folder that, on ``PYTHONPATH``, lets
other processes (the package's codec trial process) load it the way numcodecs loads any installed plugin codec: by
entry point. Importing this module registers nothing.
"""

from __future__ import annotations

import threading
from pathlib import Path

from numcodecs import Zlib

CODEC_ID = "nwbconfig-test-fails-on-nth-encode"


class FailsOnNthEncode(Zlib):
    """zlib, except that once armed the Nth ``encode`` in this process raises ``RuntimeError``."""

    codec_id = CODEC_ID
    _lock = threading.Lock()
    _encodes = 0
    _fail_at: int | None = None

    @classmethod
    def arm(cls, fail_at: int) -> None:
        """Fail on the ``fail_at``-th encode from now (counting every instance: zarr makes its own copies)."""
        with cls._lock:
            cls._encodes, cls._fail_at = 0, fail_at

    @classmethod
    def disarm(cls) -> int:
        """Stop failing; return how many encodes there were since ``arm``."""
        with cls._lock:
            count, cls._fail_at = cls._encodes, None
            return count

    def encode(self, buf):
        with self._lock:
            type(self)._encodes += 1
            failing = self._fail_at is not None and self._encodes == self._fail_at
            number = self._encodes
        if failing:
            raise RuntimeError(f"{CODEC_ID}: encode number {number} failed (injected codec fault)")
        return super().encode(buf)


def entry_point_folder(folder: Path) -> Path:
    """A folder holding this module's distribution metadata with a ``numcodecs.codecs`` entry point for the codec."""
    info = folder / "nwbconfig_test_codec-0.0.dist-info"
    info.mkdir(parents=True, exist_ok=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: nwbconfig-test-codec\nVersion: 0.0\n")
    (info / "entry_points.txt").write_text(f"[numcodecs.codecs]\n{CODEC_ID} = faults_codec:FailsOnNthEncode\n")
    return folder
