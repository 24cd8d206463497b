"""Helpers of the bad-input tests: a widget driven by browser messages, hostile names, folder snapshots."""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path
from typing import Any

import numpy as np

#: Names a file from anywhere may hold (pynwb refuses only '/' and ':'), by a readable id.
HOSTILE_NAMES = {
    "ansi-escape": "\x1b[31mred\x1b[0m",
    "carriage-return": "real\rforged",
    "newline": "first\nsecond",
    "nul": "nul\x00byte",
    "bidi-override": "\u202egnp.exe",
    "bell-and-tab": "ding\x07\ttab",
    "line-separator": "line\u2028sep",
    "zero-width": "zero\u200bwidth",
    "html-img": "<img src=x onerror=alert(1)>",
    "html-script": "<script>alert(1)<\\script>",
    "long-unicode": "名" * 3000 + "-end",
    "long-unicode-twin": "名" * 1500 + "X" + "名" * 1499 + "-end",
    "backslash-lookalike": "fake\\x1b[31m",
}
#: The names an HDF5 file can store (HDF5 ends a name at NUL).
HDF5_HOSTILE_NAMES = {key: name for key, name in HOSTILE_NAMES.items() if "\x00" not in name}

_UNSAFE = {"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"}


def unsafe_characters(text: str, allowed: str = "\n") -> list[str]:
    """The control/format characters of ``text`` a terminal or log would act on (``allowed`` excepted)."""
    return sorted({repr(c) for c in text if unicodedata.category(c) in _UNSAFE and c not in allowed})


def hostile_nwbfile(names: dict[str, str] = HOSTILE_NAMES):
    """An in-memory NWBFile with one small TimeSeries per hostile name (descriptions and units hostile too)."""
    from pynwb import TimeSeries
    from pynwb.testing.mock.file import mock_NWBFile

    nwbfile = mock_NWBFile()
    for index, name in enumerate(names.values()):
        nwbfile.add_acquisition(
            TimeSeries(name=name, data=np.arange(10.0 + index), unit=name, rate=1.0, description=name)
        )
    return nwbfile


def listing(folder: Path) -> list[tuple[str, int]]:
    """Every path below ``folder`` with its size: equal listings mean nothing was written or removed."""
    entries = []
    for root, folders, files in os.walk(folder):
        for name in folders + files:
            path = Path(root) / name
            entries.append((str(path.relative_to(folder)), path.stat().st_size if path.is_file() else -1))
    return sorted(entries)


class BrowserDriver:
    """Sends messages to a ConfiguratorWidget the way the browser view does and collects what it sends back."""

    def __init__(self, widget: Any):
        self.widget = widget
        self.sent: list[dict] = []
        widget.send = lambda content, buffers=None: self.sent.append(content)

    def message(self, **content: Any) -> dict:
        """Send one message; return the widget's reply to it."""
        content.setdefault("id", f"bad-input-{len(self.sent)}")
        self.widget._handle_custom_msg(content, [])
        replies = [m for m in self.sent if m.get("type") == "reply" and m.get("id") == content["id"]]
        assert len(replies) == 1, replies
        return replies[0]

    def row(self, location: str) -> dict:
        return next(row for row in self.widget.rows if row["location"] == location)
