"""Helpers for the widget tests: small NWBFiles, a recorder of messages to the browser, front-end messages."""

from __future__ import annotations

import numpy as np


def make_nwbfile(n_series: int = 2, evil_names: bool = False):
    """An in-memory NWBFile with int16 time series, a float series and a trials table."""
    from pynwb import TimeSeries
    from pynwb.testing.mock.file import mock_NWBFile

    nwbfile = mock_NWBFile()
    rng = np.random.default_rng(0)
    for index in range(n_series):
        data = (rng.normal(size=(20_000, 4)) * 50).astype("int16")
        nwbfile.add_acquisition(TimeSeries(name=f"ephys{index}", data=data, unit="V", rate=1000.0))
    nwbfile.add_acquisition(TimeSeries(name="position", data=np.linspace(0, 1, 5_000), unit="m", rate=50.0))
    if evil_names:
        for name in ("<img src=x onerror=window.__xss=1>", "<script>window.__xss=2"):
            nwbfile.add_acquisition(TimeSeries(name=name, data=np.arange(10.0), unit="<b>m</b>", rate=1.0))
    for start in range(5):
        nwbfile.add_trial(start_time=float(start), stop_time=start + 0.5)
    return nwbfile


class Recorder(list):
    """Collects the messages the widget sends to the browser."""

    def patches(self):
        return [message for message in self if message.get("type") == "patch"]

    def replies(self):
        return [message for message in self if message.get("type") == "reply"]


def front_end(widget, **content):
    """Send a custom message to the widget the way the browser view does; return the reply."""
    content.setdefault("id", f"test-{len(widget.sent)}")
    widget._handle_custom_msg(content, [])
    replies = [message for message in widget.sent.replies() if message["id"] == content["id"]]
    assert len(replies) == 1, widget.sent
    return replies[0]
