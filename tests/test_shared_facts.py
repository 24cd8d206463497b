"""Facts that several parts of the package use come from one place: these tests tie each user to that place."""

import inspect

import pytest

from nwbconfig_widget import defaults
from nwbconfig_widget.models import DatasetIOConfiguration
from nwbconfig_widget.widget_rows import codec_menu


def test_the_default_compression_method_has_one_home(monkeypatch):
    constructor_default = inspect.signature(DatasetIOConfiguration.__init__).parameters["compression_method"].default
    assert constructor_default == defaults.DEFAULT_COMPRESSION_METHOD == defaults.DefaultSettings().compression_method
    for backend in ("hdf5", "zarr"):
        menu = codec_menu(backend)
        assert menu["default_method"] == defaults.DEFAULT_COMPRESSION_METHOD
        assert menu["default_method"] in menu["compression_methods"]
    monkeypatch.setattr(defaults.settings, "compression_method", "lzf")
    assert codec_menu("hdf5")["default_method"] == "lzf"  # the view preselects what default configurations use


def test_the_cli_offers_the_presets_of_the_registry(monkeypatch):
    from nwbconfig_widget.cli import build_parser
    from nwbconfig_widget.presets import PRESETS

    monkeypatch.setitem(PRESETS, "measured", PRESETS["fast"])  # a preset added to the registry is offered at once
    for name in PRESETS:
        assert build_parser().parse_args(["repack", "in.nwb", "out.nwb", "--preset", name]).preset == name
    with pytest.raises(SystemExit):
        build_parser().parse_args(["repack", "in.nwb", "out.nwb", "--preset", "no-such-preset"])
