"""Zarr files that hdmf-zarr wrote with pickled references (and, with zarr 2.18, a pickled fill value in the metadata
of compound arrays): read only with an explicit opt-in, refused otherwise with the way to allow it, and the opt-in is
given back when the last holder lets go."""

from __future__ import annotations

import numpy as np
import pytest
from numcodecs import pickles

from nwbconfig_widget import ConfiguratorWidget, configure_and_write_nwbfile
from nwbconfig_widget.cli import main
from nwbconfig_widget.io.pickle_opt_in import PickleRefusedError


@pytest.fixture(scope="module")
def pickled_zarr(tmp_path_factory):
    from pynwb.testing.mock.base import mock_TimeSeries
    from pynwb.testing.mock.file import mock_NWBFile

    nwbfile = mock_NWBFile()
    series = mock_TimeSeries(name="series", data=np.arange(100.0), rate=10.0)
    nwbfile.add_acquisition(series)
    nwbfile.add_epoch(start_time=0.0, stop_time=5.0, tags=["a"], timeseries=[series])
    path = tmp_path_factory.mktemp("pickled") / "epochs.nwb.zarr"
    configure_and_write_nwbfile(nwbfile, path)
    return path


def test_the_cli_refuses_in_one_line_and_reads_with_allow_pickle(pickled_zarr, capsys):
    for command in (["show"], ["preview"], ["config", "--out", str(pickled_zarr.parent / "c.json")]):
        assert main([*command, str(pickled_zarr)]) == 1
        error = capsys.readouterr().err
        assert "pickle" in error and "--allow-pickle" in error and "Traceback" not in error
        assert main([*command, "--allow-pickle", str(pickled_zarr)]) == 0
        assert pickles.ALLOW_UNSAFE_PICKLE_DECODE is False
        printed = capsys.readouterr().out
        if command == ["show"]:
            assert "intervals/epochs/timeseries/data : holds references" in printed


def test_from_path_holds_the_opt_in_while_the_widget_lives(pickled_zarr):
    with pytest.raises(PickleRefusedError, match="allow_pickle=True"):
        ConfiguratorWidget.from_path(pickled_zarr)
    assert pickles.ALLOW_UNSAFE_PICKLE_DECODE is False
    first = ConfiguratorWidget.from_path(pickled_zarr, allow_pickle=True)
    second = ConfiguratorWidget.from_path(pickled_zarr, allow_pickle=True)
    assert "intervals/epochs/start_time/data" in first.backend_configuration.dataset_configurations
    first.close()
    assert pickles.ALLOW_UNSAFE_PICKLE_DECODE is True  # the second widget still reads the file
    rows = second.nwbfile.epochs.timeseries[:]
    assert rows[0][2].name == "series"
    second.close()
    second.close()
    assert pickles.ALLOW_UNSAFE_PICKLE_DECODE is False
