"""A write shares one copy of pynwb's type map among its checks, its configuration and hdmf's build of the file
(each copy costs about 10 ms, a third of a small write), and no copy outlives the call: an extension loaded after a
write is used by the next one."""

from __future__ import annotations

from datetime import datetime, timezone

import numpy as np
import pynwb
import pytest
from nwbfiles import export_extension, read_nwbfile
from pynwb import NWBFile, TimeSeries

from nwbconfig_widget import configure_and_write_nwbfile

NAMESPACE = "ndx-type-map-sharing-test"


def make_nwbfile() -> NWBFile:
    nwbfile = NWBFile(
        identifier="type-map",
        session_description="type map",
        session_start_time=datetime(2024, 1, 1, tzinfo=timezone.utc),
    )
    data = np.arange(40_000, dtype="int16").reshape(10_000, 4)
    nwbfile.add_acquisition(TimeSeries(name="series", data=data, unit="a.u.", rate=30.0))
    return nwbfile


def counting_type_map_copies(monkeypatch) -> list[int]:
    copies: list[int] = []
    original = pynwb.get_type_map

    def get_type_map(*args, **kwargs):
        copies.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(pynwb, "get_type_map", get_type_map)
    return copies


@pytest.mark.parametrize("backend", ["hdf5", "zarr"])
def test_a_write_copies_the_type_map_once(tmp_path, monkeypatch, backend):
    copies = counting_type_map_copies(monkeypatch)
    target = tmp_path / ("written.nwb.zarr" if backend == "zarr" else "written.nwb")
    configure_and_write_nwbfile(make_nwbfile(), target, backend=backend)
    assert len(copies) == 1  # the default configuration, the checks, the configuration and hdmf's build share it
    with read_nwbfile(target) as io:
        nwbfile = io.read()
        np.testing.assert_array_equal(nwbfile.acquisition["series"].data[:], make_nwbfile().acquisition["series"].data)


def test_an_extension_loaded_after_a_write_is_written_by_the_next(tmp_path):
    from pynwb import get_class, load_namespaces
    from pynwb.spec import NWBAttributeSpec, NWBGroupSpec

    configure_and_write_nwbfile(make_nwbfile(), tmp_path / "before.nwb")

    spec = NWBGroupSpec(
        neurodata_type_def="LateSeries",
        neurodata_type_inc="TimeSeries",
        doc="a TimeSeries of an extension loaded after the first write",
        attributes=[NWBAttributeSpec(name="probe_serial", doc="serial", dtype="text")],
    )
    load_namespaces(export_extension(tmp_path, NAMESPACE, ("TimeSeries", "core"), spec))
    late_series = get_class("LateSeries", NAMESPACE)

    nwbfile = make_nwbfile()
    data = np.linspace(0.0, 1.0, 5_000).reshape(1_000, 5)
    nwbfile.add_acquisition(late_series(name="late", data=data, unit="V", rate=10.0, probe_serial="A-17"))
    configure_and_write_nwbfile(nwbfile, tmp_path / "after.nwb")
    with read_nwbfile(tmp_path / "after.nwb") as io:
        late = io.read().acquisition["late"]
        assert late.neurodata_type == "LateSeries" and late.probe_serial == "A-17"
        np.testing.assert_array_equal(late.data[:], data)
