"""Fixtures for the widget tests: small NWBFiles and a widget whose messages to the browser are recorded."""

from __future__ import annotations

import pytest
from widget_support import Recorder, make_nwbfile


@pytest.fixture
def nwbfile():
    return make_nwbfile()


@pytest.fixture
def widget(nwbfile, tmp_path):
    from nwbconfig_widget.widget import ConfiguratorWidget

    widget = ConfiguratorWidget(nwbfile, backend="hdf5", nwbfile_path=tmp_path / "out.nwb")
    widget.sent = Recorder()
    widget.send = lambda content, buffers=None: widget.sent.append(content)
    yield widget
    if widget._job is not None:
        widget._job.thread.join(timeout=60)
    widget.close()
