"""A real numcodecs codec that hangs in ``encode``, as a faulty plugin can, for the codec-trial timeout test.

Its ``encode`` writes the pid of the process running it, starts a helper process (a codec's own subprocess) and
writes its pid too, then waits forever. ``entry_point_folder`` makes a folder that, on ``PYTHONPATH``, lets another
process (the package's codec trial process) load it the way numcodecs loads any installed plugin codec: by entry
point. Importing this module registers nothing.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

from numcodecs.abc import Codec

CODEC_ID = "nwbconfig-test-hangs-on-encode"


class HangsOnEncode(Codec):
    """Hangs on every ``encode``; ``pid_folder`` receives ``codec.pid`` and ``helper.pid`` first."""

    codec_id = CODEC_ID

    def __init__(self, pid_folder: str = "") -> None:
        self.pid_folder = pid_folder

    def encode(self, buf):
        folder = Path(self.pid_folder)
        helper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
        (folder / "helper.pid").write_text(str(helper.pid))
        (folder / "codec.pid").write_text(str(os.getpid()))
        threading.Event().wait()  # never set: the encode never returns

    def decode(self, buf, out=None):
        raise NotImplementedError("nothing was ever encoded")


def entry_point_folder(folder: Path) -> Path:
    """A folder holding distribution metadata with a ``numcodecs.codecs`` entry point for the codec."""
    info = folder / "nwbconfig_test_hanging_codec-0.0.dist-info"
    info.mkdir(parents=True, exist_ok=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: nwbconfig-test-hanging-codec\nVersion: 0.0\n")
    (info / "entry_points.txt").write_text(f"[numcodecs.codecs]\n{CODEC_ID} = hanging_codec:HangsOnEncode\n")
    return folder
