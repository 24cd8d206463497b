"""Objects that hdmf's type map cannot map as their own type are listed as unconfigurable, with the reason, and
warned about: discovery never turns a mapping failure into "no datasets"."""

from __future__ import annotations

import warnings
from datetime import datetime, timezone

import numpy as np
import pytest
from nwbfiles import export_extension, read_nwbfile

from nwbconfig_widget import configure_and_write_nwbfile, get_default_backend_configuration
from nwbconfig_widget.discovery import DiscoveryWarning

NAMESPACE = "ndx-private-test"
PRIVATE = "processing/behavior/private/values"
SERIES = "processing/behavior/series/data"


@pytest.fixture(scope="module")
def private_class(tmp_path_factory) -> type:
    """An extension class registered in a type map of its own (a copy), not in pynwb's: like an extension whose
    namespace was loaded into another type map, or after the file was opened."""
    from pynwb import get_type_map
    from pynwb.spec import NWBDatasetSpec, NWBGroupSpec

    folder = tmp_path_factory.mktemp("private")
    spec = NWBGroupSpec(
        neurodata_type_def="PrivateData",
        neurodata_type_inc="NWBDataInterface",
        doc="private data",
        datasets=[NWBDatasetSpec(name="values", doc="values", dtype="float64", shape=[None])],
    )
    namespace_file = export_extension(folder, NAMESPACE, ("NWBDataInterface", "core"), spec)
    type_map = get_type_map()  # a copy of pynwb's
    type_map.load_namespaces(namespace_file)
    return type_map.get_dt_container_cls("PrivateData", NAMESPACE)


def _nwbfile():
    from pynwb import NWBFile, TimeSeries

    nwbfile = NWBFile(
        identifier="unmapped", session_start_time=datetime(2024, 1, 1, tzinfo=timezone.utc), session_description="d"
    )
    behavior = nwbfile.create_processing_module(name="behavior", description="b")
    behavior.add(TimeSeries(name="series", data=np.arange(1000.0), unit="m", rate=1.0))
    return nwbfile


def _configuration(nwbfile, backend="hdf5"):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DiscoveryWarning)
        configuration = get_default_backend_configuration(nwbfile, backend=backend)
    return configuration, [str(item.message) for item in caught if issubclass(item.category, DiscoveryWarning)]


@pytest.mark.parametrize("backend", ["hdf5", "zarr"])
def test_a_class_the_type_map_does_not_know_is_listed_and_warned(private_class, backend):
    nwbfile = _nwbfile()
    nwbfile.processing["behavior"].add(private_class(name="private", values=np.arange(500.0)))
    configuration, notes = _configuration(nwbfile, backend)
    assert SERIES in configuration.dataset_configurations  # the rest of the file is configured as usual
    reason = configuration.unconfigurable_datasets[PRIVATE]
    assert "PrivateData" in reason and "NWBDataInterface" in reason and "'values'" in reason
    assert len(notes) == 1 and "processing/behavior/private" in notes[0] and "PrivateData" in notes[0]
    assert PRIVATE in notes[0]


def test_a_file_read_from_disk_with_an_object_its_type_map_does_not_know(private_class, tmp_path):
    """A real file, read; an extension object added that the file's type map (made when it was opened) lacks."""
    configure_and_write_nwbfile(_nwbfile(), tmp_path / "core.nwb")
    with read_nwbfile(tmp_path / "core.nwb") as io:
        nwbfile = io.read()
        nwbfile.processing["behavior"].add(private_class(name="private", values=np.arange(500.0)))
        configuration, notes = _configuration(nwbfile)
    assert SERIES in configuration.dataset_configurations
    assert "PrivateData" in configuration.unconfigurable_datasets[PRIVATE]
    assert len(notes) == 1 and PRIVATE in notes[0]


def test_children_of_an_object_written_as_another_type_are_listed_too(private_class):
    """hdmf writes an unknown class as its nearest known base; its children are not written either."""
    from pynwb import TimeSeries

    nwbfile = _nwbfile()
    private = private_class(name="private", values=np.arange(500.0))
    nwbfile.processing["behavior"].add(private)
    inner = TimeSeries(name="inner", data=np.arange(10.0), unit="m", rate=1.0)
    private.fields["extra"] = inner
    inner.parent = private
    configuration, notes = _configuration(nwbfile)
    inside = [location for location in configuration.unconfigurable_datasets if "inner" in location]
    assert inside and all("processing/behavior/private" in configuration.unconfigurable_datasets[i] for i in inside)
    assert not any("inner" in location for location in configuration.dataset_configurations)
    assert len(notes) == 1


def test_an_object_mapper_that_fails_is_listed_and_warned(tmp_path):
    """An extension's own ObjectMapper that fails (e.g. written for another hdmf) raises in hdmf's get_map."""
    import ndx_pose  # noqa: F401  (its namespace is in the type map the file is read with)
    from ndx_pose import Skeleton, Skeletons
    from pynwb.io.core import NWBContainerMapper

    class BrokenMapper(NWBContainerMapper):
        def __init__(self, spec):
            raise AttributeError("'ObjectMapper' object has no attribute 'map_spec_v1' (written for another hdmf)")

    configure_and_write_nwbfile(_nwbfile(), tmp_path / "core.nwb")
    with read_nwbfile(tmp_path / "core.nwb") as io:
        nwbfile = io.read()
        io.manager.type_map.register_map(Skeleton, BrokenMapper)
        skeleton = Skeleton(name="mouse", nodes=["nose", "tail"], edges=np.array([[0, 1]], dtype="uint8"))
        nwbfile.processing["behavior"].add(Skeletons(skeletons=[skeleton]))
        configuration, notes = _configuration(nwbfile)
    assert SERIES in configuration.dataset_configurations
    for name in ("nodes", "edges"):
        reason = configuration.unconfigurable_datasets[f"processing/behavior/Skeletons/mouse/{name}"]
        assert "Skeleton" in reason and "map_spec_v1" in reason
    assert len(notes) == 1 and "processing/behavior/Skeletons/mouse" in notes[0] and "map_spec_v1" in notes[0]


def test_standard_files_give_no_discovery_warning(rich_nwbfile):
    configuration, notes = _configuration(rich_nwbfile)
    assert notes == [] and len(configuration.dataset_configurations) > 10


@pytest.mark.parametrize("backend", ["hdf5", "zarr"])
def test_the_write_refuses_an_object_hdmf_would_write_without_its_data(private_class, tmp_path, backend):
    """pynwb would write the unknown class as NWBDataInterface and drop ``values`` without a word: the write refuses,
    names the object, the reason and the fix, and leaves nothing at the target."""
    nwbfile = _nwbfile()
    nwbfile.processing["behavior"].add(private_class(name="private", values=np.arange(500.0)))
    target = tmp_path / ("out.nwb" if backend == "hdf5" else "out.nwb.zarr")
    with pytest.raises(ValueError, match=r"processing/behavior/private: .*PrivateData.*'values'.*load the extension"):
        configure_and_write_nwbfile(nwbfile, target, backend=backend)
    assert not target.exists() and list(tmp_path.iterdir()) == []
