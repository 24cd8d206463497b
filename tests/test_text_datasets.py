"""Text datasets in every position (a container's field, a table column, scalar, 2-D, fixed-length bytes) repack on
both backends with their values and their configured chunks and compression."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import h5py
import numpy as np
import pytest
import zarr
from nwbfiles import assert_same_values, export_extension, read_nwbfile

from nwbconfig_widget import (
    NWBHDF5IO,
    NWBZarrIO,
    configure_and_write_nwbfile,
    get_default_backend_configuration,
    repack_nwbfile,
)
from nwbconfig_widget.codecs import DEFAULT_GZIP_LEVEL

#: A small extension with text fields that the core schema does not have: 2-D text and 1-D ascii.
NAMESPACE = "ndx-text-fields-test"

#: The text datasets of the source file that are fields of a container (hdmf converts these value by value).
FIELD_TEXT = {
    "acquisition/video/external_file": ["a.mp4", "b.mp4"],
    "acquisition/notes/data": ["start", "pause", "stop"],
    "processing/behavior/Skeletons/mouse/nodes": ["nose", "tail"],
    "processing/behavior/labels/pairs": [["left", "ear"], ["right", "ear"], ["tail", "tip"]],
    "processing/behavior/labels/codes": [b"x1", b"y2", b"z3"],
}
#: Text datasets that are table columns (VectorData objects; their configurations are named ``<column>/data``).
COLUMN_TEXT = {
    "general/extracellular_ephys/electrodes/location/data": ["CA1", "CA3", "DG"],
    "processing/behavior/trial_labels/label_pairs/data": [["go", "left"], ["stop", "right"], ["go", "right"]],
}


@pytest.fixture(scope="module")
def text_extension(tmp_path_factory) -> dict[str, type]:
    """The classes of an extension with a 2-D text field (``pairs``) and an ascii field (``codes``)."""
    from pynwb import get_class, load_namespaces
    from pynwb.spec import NWBDatasetSpec, NWBGroupSpec

    folder = tmp_path_factory.mktemp("extension")
    holder = NWBGroupSpec(
        neurodata_type_def="TextFields",
        neurodata_type_inc="NWBDataInterface",
        doc="text fields",
        datasets=[
            NWBDatasetSpec(name="pairs", doc="2-D text", dtype="text", shape=[None, 2], dims=["pairs", "two"]),
            NWBDatasetSpec(name="codes", doc="ascii codes", dtype="ascii", shape=[None], dims=["codes"]),
        ],
    )
    load_namespaces(export_extension(folder, NAMESPACE, ("NWBDataInterface", "core"), holder))
    return {"TextFields": get_class("TextFields", NAMESPACE)}


def make_text_nwbfile(text_extension):
    """An NWBFile with text datasets in every position the schema allows them."""
    from hdmf.common import VectorData
    from ndx_pose import Skeleton, Skeletons
    from pynwb import NWBFile
    from pynwb.core import DynamicTable
    from pynwb.file import Subject
    from pynwb.image import ImageSeries
    from pynwb.misc import AnnotationSeries

    nwbfile = NWBFile(
        identifier="text-datasets",
        session_start_time=datetime(2024, 1, 1, tzinfo=timezone.utc),
        session_description="text datasets",
        subject=Subject(subject_id="m1", species="Mus musculus"),  # scalar text datasets
    )
    nwbfile.add_acquisition(
        ImageSeries(
            name="video",
            external_file=FIELD_TEXT["acquisition/video/external_file"],
            starting_frame=[0, 10],
            format="external",  # a scalar text dataset
            rate=30.0,
            unit="n/a",
            num_samples=20,
        )
    )
    nwbfile.add_acquisition(
        AnnotationSeries(name="notes", data=FIELD_TEXT["acquisition/notes/data"], timestamps=[0.0, 1.0, 2.0])
    )
    device = nwbfile.create_device(name="probe")
    group = nwbfile.create_electrode_group(name="shank", description="s", location="brain", device=device)
    for location in COLUMN_TEXT["general/extracellular_ephys/electrodes/location/data"]:
        nwbfile.add_electrode(group=group, location=location)
    behavior = nwbfile.create_processing_module(name="behavior", description="behavior")
    skeleton = Skeleton(
        name="mouse",
        nodes=FIELD_TEXT["processing/behavior/Skeletons/mouse/nodes"],
        edges=np.array([[0, 1]], dtype="uint8"),
    )
    behavior.add(Skeletons(skeletons=[skeleton]))
    behavior.add(
        text_extension["TextFields"](
            name="labels",
            pairs=FIELD_TEXT["processing/behavior/labels/pairs"],
            codes=FIELD_TEXT["processing/behavior/labels/codes"],
        )
    )
    pairs = COLUMN_TEXT["processing/behavior/trial_labels/label_pairs/data"]
    behavior.add(
        DynamicTable(
            name="trial_labels",
            description="2-D text column",
            columns=[VectorData(name="label_pairs", description="pairs", data=pairs)],
        )
    )
    return nwbfile


def _write_plainly(nwbfile, path: Path) -> None:
    """Write with pynwb / hdmf-zarr alone (the source must not depend on the code under test)."""
    io_class = NWBZarrIO if path.suffix == ".zarr" else NWBHDF5IO
    with io_class(str(path), mode="w") as io:
        io.write(nwbfile)


def _small_chunks(configuration, locations) -> dict[str, tuple[int, ...]]:
    """Chunks (and buffers) of one row for ``locations``, so each text dataset is written in several pieces."""
    chosen = {}
    for location in locations:
        item = configuration.dataset_configurations[location]
        chunk = (1, *item.full_shape[1:])
        item.update(chunk_shape=chunk, buffer_shape=chunk)
        chosen[location] = chunk
    return chosen


def _in_file(location: str) -> str:
    """The path in the file of a configured dataset (a column's configuration is named ``<column>/data``)."""
    return location.removesuffix("/data") if location in COLUMN_TEXT else location


def _assert_stored_as_configured(path: Path, configuration, locations) -> None:
    for location in locations:
        item = configuration.dataset_configurations[location]
        location = _in_file(location)
        if configuration.backend == "hdf5":
            with h5py.File(path, "r") as file:
                dataset = file[location]
                assert dataset.chunks == item.chunk_shape, location
                level = (item.compression_options or {}).get("level", DEFAULT_GZIP_LEVEL)
                assert (item.compression_method, dataset.compression, dataset.compression_opts) == (
                    "gzip",
                    "gzip",
                    level,
                )
        else:
            array = zarr.open(str(path), mode="r")[location]
            assert array.chunks == item.chunk_shape, location
            assert array.compressor.get_config()["id"] == item.compression_method, location


def _assert_stored_as_text(path: Path) -> None:
    """HDF5 stores the text fields as variable-length strings of the schema's encoding (ascii for ``codes``)."""
    if path.is_dir():
        return
    with h5py.File(path, "r") as file:
        for location in [*FIELD_TEXT, *COLUMN_TEXT]:
            location = _in_file(location)
            if location in file:
                string = h5py.check_string_dtype(file[location].dtype)
                expected = "ascii" if location.endswith("codes") else "utf-8"
                assert (string.encoding, string.length) == (expected, None), location


def _text_values(path: Path, location: str) -> list:
    """The values of a text dataset read with h5py/zarr directly, decoded to str."""
    location = _in_file(location)
    if path.is_dir():
        values = np.asarray(zarr.open(str(path), mode="r")[location][...])
    else:
        with h5py.File(path, "r") as file:
            values = file[location][()]
    return np.vectorize(lambda value: value.decode() if isinstance(value, bytes) else str(value), otypes=[object])(
        values
    ).tolist()


pytestmark = pytest.mark.filterwarnings("ignore:AnnotationSeries is deprecated:UserWarning")

ROUTES = [("nwb", "nwb"), ("nwb", "nwb.zarr"), ("nwb.zarr", "nwb"), ("nwb.zarr", "nwb.zarr")]


@pytest.mark.parametrize("source_suffix, target_suffix", ROUTES)
def test_text_datasets_repack_with_their_values_and_chunks(tmp_path, text_extension, source_suffix, target_suffix):
    source = tmp_path / f"source.{source_suffix}"
    target = tmp_path / f"target.{target_suffix}"
    _write_plainly(make_text_nwbfile(text_extension), source)
    backend = "zarr" if target_suffix.endswith("zarr") else "hdf5"
    with read_nwbfile(source) as io:
        configuration = get_default_backend_configuration(io.read(), backend=backend)
    locations = [*FIELD_TEXT, *COLUMN_TEXT]
    assert set(locations) <= set(configuration.dataset_configurations), configuration.unconfigurable_datasets
    _small_chunks(configuration, locations)
    repack_nwbfile(source, target, backend_configuration=configuration, allow_pickle=True)
    _assert_stored_as_configured(target, configuration, locations)
    _assert_stored_as_text(target)
    for location, expected in {**FIELD_TEXT, **COLUMN_TEXT}.items():
        expected = np.vectorize(lambda value: value.decode() if isinstance(value, bytes) else value, otypes=[object])(
            np.asarray(expected, dtype=object)
        ).tolist()
        assert _text_values(target, location) == expected, location
    assert_same_values(source, target)
    with read_nwbfile(target) as io:
        read = io.read()
        assert read.acquisition["video"].format == "external"
        assert read.subject.species == "Mus musculus"
        assert list(read.processing["behavior"]["Skeletons"].skeletons["mouse"].nodes[:]) == ["nose", "tail"]


@pytest.mark.parametrize("backend, name", [("hdf5", "memory.nwb"), ("zarr", "memory.nwb.zarr")])
def test_text_datasets_of_an_nwbfile_in_memory_written_in_pieces(tmp_path, text_extension, backend, name):
    nwbfile = make_text_nwbfile(text_extension)
    configuration = get_default_backend_configuration(nwbfile, backend=backend)
    locations = [*FIELD_TEXT, *COLUMN_TEXT]
    _small_chunks(configuration, locations)
    configure_and_write_nwbfile(nwbfile, tmp_path / name, backend_configuration=configuration)
    _assert_stored_as_configured(tmp_path / name, configuration, locations)
    assert _text_values(tmp_path / name, "acquisition/video/external_file") == ["a.mp4", "b.mp4"]
    assert (
        _text_values(tmp_path / name, "processing/behavior/labels/pairs")
        == FIELD_TEXT["processing/behavior/labels/pairs"]
    )
    assert nwbfile.acquisition["video"].external_file == ["a.mp4", "b.mp4"]  # the NWBFile is left as it was


def _store_as_fixed_length_bytes(path: Path, location: str) -> None:
    """Rewrite a text dataset as fixed-length bytes ('S'), as old writers stored text, keeping its attributes."""
    with h5py.File(path, "a") as file:
        dataset = file[location]
        values = np.asarray(dataset.asstr()[()], dtype=object)
        attributes = dict(dataset.attrs)
        del file[location]
        width = max(len(value.encode()) for value in values.ravel())
        new = file.create_dataset(location, data=np.char.encode(values.astype(str), "utf-8").astype(f"S{width}"))
        new.attrs.update(attributes)


@pytest.mark.parametrize("target_name", ["out.nwb", "out.nwb.zarr"])
def test_fixed_length_bytes_of_old_files_are_repacked_as_text(tmp_path, text_extension, target_name):
    source = tmp_path / "old.nwb"
    _write_plainly(make_text_nwbfile(text_extension), source)
    fixed = [
        "acquisition/video/external_file",
        "processing/behavior/Skeletons/mouse/nodes",
        "general/extracellular_ephys/electrodes/location/data",
    ]
    for location in fixed:
        _store_as_fixed_length_bytes(source, _in_file(location))
    with h5py.File(source, "r") as file:
        assert file["acquisition/video/external_file"].dtype == np.dtype("S5")
    target = tmp_path / target_name
    backend = "zarr" if target_name.endswith("zarr") else "hdf5"
    with read_nwbfile(source) as io:
        configuration = get_default_backend_configuration(io.read(), backend=backend)
    _small_chunks(configuration, fixed)
    repack_nwbfile(source, target, backend_configuration=configuration)
    _assert_stored_as_configured(target, configuration, fixed)
    _assert_stored_as_text(target)
    assert _text_values(target, "acquisition/video/external_file") == ["a.mp4", "b.mp4"]
    assert _text_values(target, "processing/behavior/Skeletons/mouse/nodes") == ["nose", "tail"]
    assert _text_values(target, "general/extracellular_ephys/electrodes/location/data") == ["CA1", "CA3", "DG"]
    with read_nwbfile(target) as io:
        assert list(io.read().acquisition["video"].external_file[:]) == ["a.mp4", "b.mp4"]


def test_an_image_series_with_external_files_repacks_with_defaults(tmp_path):
    """An ImageSeries that names external video files and holds no frames, repacked with the defaults: the file
    names (a text dataset) are kept."""
    from pynwb.image import ImageSeries
    from pynwb.testing.mock.file import mock_NWBFile

    nwbfile = mock_NWBFile()
    nwbfile.add_acquisition(
        ImageSeries(
            name="video",
            external_file=["a.mp4", "b.mp4"],
            starting_frame=[0, 10],
            format="external",
            rate=30.0,
            unit="n/a",
            num_samples=20,
        )
    )
    _write_plainly(nwbfile, tmp_path / "src.nwb")
    repack_nwbfile(tmp_path / "src.nwb", tmp_path / "out.nwb")
    assert _text_values(tmp_path / "out.nwb", "acquisition/video/external_file") == ["a.mp4", "b.mp4"]


def test_a_contiguous_text_field_is_written_contiguous(tmp_path, text_extension):
    source = tmp_path / "source.nwb"
    _write_plainly(make_text_nwbfile(text_extension), source)
    with read_nwbfile(source) as io:
        configuration = get_default_backend_configuration(io.read(), backend="hdf5")
    for location in ("acquisition/video/external_file", "processing/behavior/labels/pairs"):
        item = configuration.dataset_configurations[location]
        item.update(chunk_shape=None, buffer_shape=item.full_shape, compression_method=None)
    repack_nwbfile(source, tmp_path / "out.nwb", backend_configuration=configuration)
    with h5py.File(tmp_path / "out.nwb", "r") as file:
        for location in ("acquisition/video/external_file", "processing/behavior/labels/pairs"):
            assert (file[location].chunks, file[location].compression, file[location].maxshape) == (
                None,
                None,
                file[location].shape,
            )
    assert (
        _text_values(tmp_path / "out.nwb", "processing/behavior/labels/pairs")
        == FIELD_TEXT["processing/behavior/labels/pairs"]
    )
