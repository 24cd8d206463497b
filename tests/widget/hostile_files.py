"""Hostile NWB files for the widget tests: names and descriptions with HTML, script, control characters, bidi
overrides and very long Unicode text, as a downloaded file could hold them.

hdmf refuses ``/`` and ``:`` in names (so a script payload cannot close its tag) and HDF5 keeps no NUL in names or in
variable-length strings; a NUL travels only in a fixed-length byte attribute, which :func:`write_hostile_nwbfile` adds
with h5py after pynwb has written the file.

:func:`shown` is the test's own statement of how the view displays a name (see ``plainText`` in ``js/src/dom.js``):
control and format characters as escapes (``\\x1b``, ``\\r``, ``\\u202e``), everything else as it is.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import h5py
import numpy as np

#: Set by any payload that runs; must stay undefined in the browser.
XSS_FLAG = "__nwbcwXss"

#: A long name: CJK, emoji (with a zero-width joiner), combining marks, Hebrew and Arabic, ~3,000 characters.
LONG_TEXT = ("長い名前🧪👩\u200d🔬e\u0301n\u0303 שלום مرحبا " * 130)[:3000]

#: Payloads used as names (each becomes an acquisition TimeSeries unless noted) and what they try.
NAME_PAYLOADS = {
    "img-onerror": f'<img src=x onerror="window.{XSS_FLAG}=1">',
    "svg-onload": f"<svg onload=window.{XSS_FLAG}=2>",
    "script-tag": f"<script>window.{XSS_FLAG}=3<",
    "attribute-breakout": f'" onmouseover="window.{XSS_FLAG}=4" data-injected="',
    "ansi-escape": "esc\x1b[31mred\x1b[0m\x1b]0;title\x07",
    "crlf": "line1\r\nline2",
    "bidi-override": "bidi\u202egnp.exe",
    "c0-c1-controls": "tab\tbell\x07del\x7fc1\x85nbsp\u00a0",
    "long-unicode": LONG_TEXT,
}
#: A processing module and a trials column get hostile names too (other levels of the path, other row fields).
MODULE_NAME = f"<iframe srcdoc=x onload=window.{XSS_FLAG}=5>"
COLUMN_NAME = f"<b onclick=window.{XSS_FLAG}=6>col\u202e\x1b[2J"
DESCRIPTION = f"<script>window.{XSS_FLAG}=7</script>\x1b[2J\r\n\u202e" + LONG_TEXT
#: A byte attribute with a NUL and HTML, added with h5py to the first series' data.
NUL_ATTRIBUTE = ("hostile_note", np.bytes_(b"before\x00after<img src=x onerror=alert(8)>"))

_ESCAPED_CATEGORIES = {"Cc", "Cf", "Cs", "Zl", "Zp", "Co", "Cn"}
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def shown(text: str) -> str:
    """How the widget displays ``text``: each control or format character as an escape, the rest as it is."""

    def escape(character: str) -> str:
        if unicodedata.category(character) not in _ESCAPED_CATEGORIES:
            return character
        if character in _NAMED:
            return _NAMED[character]
        code = ord(character)
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"

    return "".join(escape(character) for character in text)


def make_hostile_nwbfile():
    """An in-memory NWBFile whose object, module and column names and descriptions are the payloads above."""
    from pynwb import TimeSeries
    from pynwb.testing.mock.file import mock_NWBFile

    nwbfile = mock_NWBFile(session_description=DESCRIPTION)
    rng = np.random.default_rng(7)
    for index, name in enumerate(NAME_PAYLOADS.values()):
        data = (rng.normal(size=(4_000 + index, 3)) * 100).astype("int16")
        series = TimeSeries(name=name, data=data, unit=name[:40], rate=1000.0, description=DESCRIPTION, comments=name)
        nwbfile.add_acquisition(series)
    module = nwbfile.create_processing_module(name=MODULE_NAME, description=DESCRIPTION)
    inner = TimeSeries(
        name=LONG_TEXT[:600], data=np.linspace(0, 1, 3_000), unit="m", rate=50.0, description=DESCRIPTION
    )
    module.add(inner)
    nwbfile.add_trial_column(name=COLUMN_NAME, description=DESCRIPTION)
    for start in range(30):
        nwbfile.add_trial(start_time=float(start), stop_time=start + 0.5, **{COLUMN_NAME: start * 0.25})
    return nwbfile


def write_hostile_nwbfile(path: Path) -> Path:
    """Write :func:`make_hostile_nwbfile` with pynwb, then add :data:`NUL_ATTRIBUTE` with h5py."""
    from pynwb import NWBHDF5IO

    with NWBHDF5IO(str(path), "w") as io:
        io.write(make_hostile_nwbfile())
    with h5py.File(path, "r+") as file:
        file[f"acquisition/{NAME_PAYLOADS['img-onerror']}/data"].attrs[NUL_ATTRIBUTE[0]] = NUL_ATTRIBUTE[1]
    return path


def hostile_locations() -> list[str]:
    """Every dataset location the widget must show for the hostile file (configurable array datasets)."""
    locations = [f"acquisition/{name}/data" for name in NAME_PAYLOADS.values()]
    locations.append(f"processing/{MODULE_NAME}/{LONG_TEXT[:600]}/data")
    locations.append(f"intervals/trials/{COLUMN_NAME}/data")
    return locations


def attributes_everywhere(path: Path) -> dict[str, dict[str, object]]:
    """``{object path: {attribute: value}}`` for every group and dataset of an HDF5 file (values as Python data;
    object references, which point to the file they are in, left out). The cached schema (``specifications/``) is
    left out too: a write caches every namespace the writing process has loaded, under names of pynwb's choosing."""
    found: dict[str, dict[str, object]] = {}

    def visit(name: str, item: h5py.HLObject) -> None:
        if name.split("/", 1)[0] == "specifications":
            return
        found[name] = {key: _plain(value) for key, value in item.attrs.items() if not _is_reference(value)}

    with h5py.File(path, "r") as file:
        visit("/", file)
        file.visititems(visit)
    return found


def _is_reference(value: object) -> bool:
    return isinstance(value, h5py.Reference) or (isinstance(value, np.ndarray) and value.dtype.kind == "O")


def _plain(value: object) -> object:
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    return value
