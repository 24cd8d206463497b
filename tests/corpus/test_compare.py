"""compare_nwb_files is not blind: equal for exact copies and across backends, a difference for each kind of change.

Every mutation is made with h5py or zarr on a copy of a real file (tests/data/legacy/pynwb_2x_hdf5.nwb, written by
pynwb 2.5.0) or of its hdmf-zarr export, and must be reported at the path that was changed.
"""

from __future__ import annotations

import json
import shutil
import struct
import sys
import warnings
from collections.abc import Callable
from pathlib import Path

import h5py
import numcodecs
import numpy as np
import pytest
import zarr

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compare import compare_nwb_files  # noqa: E402
from nwb_stores import open_store  # noqa: E402

LEGACY = Path(__file__).resolve().parent.parent / "data" / "legacy"
SOURCE = LEGACY / "pynwb_2x_hdf5.nwb"

ELECTRODES = "general/extracellular_ephys/electrodes"
REGION = "acquisition/ElectricalSeries/electrodes"
FLOATS = "acquisition/TimeSeriesWithTimestamps/data"


@pytest.fixture(scope="module")
def zarr_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hdmf-zarr export of SOURCE (hdmf-zarr's own writer, not the package's)."""
    from hdmf_zarr import NWBZarrIO
    from pynwb import NWBHDF5IO

    path = tmp_path_factory.mktemp("export") / "pynwb_2x_hdf5.nwb.zarr"
    with warnings.catch_warnings():
        # Known and harmless here: the source's one lzf dataset is written with Zarr's default compressor instead (its
        # values are compared), and pynwb 4 deprecates the Device.manufacturer the source has (it is still written).
        warnings.filterwarnings("ignore", r".*(szip or lzf compression|filter id lzf).* ignored in Zarr", UserWarning)
        warnings.filterwarnings("ignore", "The 'manufacturer' field is deprecated", DeprecationWarning)
        with NWBHDF5IO(str(SOURCE), "r") as source_io, NWBZarrIO(str(path), mode="w") as zarr_io:
            zarr_io.export(src_io=source_io, write_args={"link_data": False})
    return path


def _h5py_copy(source: Path, target: Path, fix_references: bool = True) -> None:
    """An object-by-object copy with h5py: every root member and root attribute.

    h5py's copy keeps a reference only when it points inside the object being copied; the others come out null (an
    attribute) or pointing nowhere. With ``fix_references`` each is then pointed at the same path in the copy.
    """
    with h5py.File(source, "r") as old, h5py.File(target, "w") as new:
        for name in old:
            old.copy(old[name], new, name=name, expand_refs=False, expand_soft=False, expand_external=False)
        for name, value in old.attrs.items():
            new.attrs[name] = value if not isinstance(value, h5py.Reference) else new[old[value].name].ref
        objects = [old]
        old.visititems(lambda _, obj: objects.append(obj))
        for obj in objects:
            if not fix_references and obj.name != "/":
                continue
            for name, value in obj.attrs.items():
                if isinstance(value, h5py.Reference):
                    new[obj.name].attrs[name] = new[old[value].name].ref
            if isinstance(obj, h5py.Dataset) and h5py.check_ref_dtype(obj.dtype) is h5py.Reference:
                new[obj.name][...] = np.array([new[old[r].name].ref for r in obj[()].ravel()], dtype=obj.dtype)


def test_exact_copies_are_equal(tmp_path: Path, zarr_export: Path) -> None:
    shutil.copy(SOURCE, tmp_path / "copy.nwb")
    _h5py_copy(SOURCE, tmp_path / "h5py_copy.nwb")
    shutil.copytree(zarr_export, tmp_path / "copy.nwb.zarr")
    assert compare_nwb_files(SOURCE, SOURCE) == []
    assert compare_nwb_files(SOURCE, tmp_path / "copy.nwb") == []
    assert compare_nwb_files(SOURCE, tmp_path / "h5py_copy.nwb") == []
    assert compare_nwb_files(tmp_path / "h5py_copy.nwb", SOURCE) == []
    assert compare_nwb_files(zarr_export, tmp_path / "copy.nwb.zarr") == []


def test_a_copy_whose_references_broke_is_reported(tmp_path: Path) -> None:
    _h5py_copy(SOURCE, tmp_path / "naive_copy.nwb", fix_references=False)
    differences = compare_nwb_files(SOURCE, tmp_path / "naive_copy.nwb")
    assert any(line.startswith(f"/{ELECTRODES}/group: 8 of 8 values differ") for line in differences), differences
    assert any(line.startswith(f"/{REGION}: attribute 'table'") for line in differences), differences


def test_hdf5_and_its_hdmf_zarr_export_are_equal(zarr_export: Path) -> None:
    assert compare_nwb_files(SOURCE, zarr_export) == []


def test_the_comparison_leaves_the_pickle_setting_as_it_was(zarr_export: Path) -> None:
    """hdmf-zarr's pickled arrays are read with numcodecs' opt-in, held only while a Zarr file is open."""
    from numcodecs import pickles

    assert pickles.ALLOW_UNSAFE_PICKLE_DECODE is False
    assert compare_nwb_files(SOURCE, zarr_export) == []
    assert pickles.ALLOW_UNSAFE_PICKLE_DECODE is False
    with pytest.raises(zarr.errors.GroupNotFoundError):  # a folder that is not a Zarr group: opening it fails
        compare_nwb_files(SOURCE, LEGACY)
    assert pickles.ALLOW_UNSAFE_PICKLE_DECODE is False


def test_legacy_files_equal_themselves() -> None:
    for path in [*sorted(LEGACY.glob("*.nwb")), *sorted(LEGACY.glob("*.nwb.zarr"))]:
        assert compare_nwb_files(path, path) == [], path.name


def test_the_comparison_reads_references_links_and_scalars_in_both_backends(zarr_export: Path) -> None:
    """Not blind by construction: the mapped forms are really read (else equal files would compare equal vacuously)."""
    for path in (SOURCE, zarr_export):
        with open_store(path) as store:
            nodes = store.nodes()
            group_column = store.read(f"/{ELECTRODES}/group")
            assert {ref.path for ref in group_column} == {"/general/extracellular_ephys/shank0"}, path
            assert nodes[f"/{REGION}"].attributes["table"].values[()].path == f"/{ELECTRODES}", path
            assert nodes["/acquisition/TimeSeriesLinkedTimestamps/timestamps"].kind == "soft link", path
            assert store.layout("/session_description").shape == (), path
            assert "core" in store.namespaces(), path


# ------------------------------------------------------------------------------------------------- HDF5 mutations
def _nan_with_payload(payload: int) -> np.float64:
    return np.frombuffer(struct.pack("<Q", 0x7FF8000000000000 | payload), dtype="<f8")[0]


def _h5_change_value(f: h5py.File) -> str:
    f["acquisition/ElectricalSeries/data"][3, 2] += 1
    return "/acquisition/ElectricalSeries/data"


def _h5_change_attribute(f: h5py.File) -> str:
    f["acquisition/ElectricalSeries/data"].attrs["unit"] = "millivolts"
    return "/acquisition/ElectricalSeries/data"


def _h5_remove_attribute(f: h5py.File) -> str:
    del f["acquisition/ElectricalSeries"].attrs["comments"]
    return "/acquisition/ElectricalSeries"


def _h5_remove_group(f: h5py.File) -> str:
    del f["processing/behavior/Position"]
    return "/processing/behavior/Position"


def _h5_remove_link(f: h5py.File) -> str:
    del f["acquisition/TimeSeriesLinkedTimestamps/timestamps"]
    return "/acquisition/TimeSeriesLinkedTimestamps/timestamps"


def _h5_add_dataset(f: h5py.File) -> str:
    f["acquisition/ElectricalSeries"].create_dataset("extra", data=np.arange(3))
    return "/acquisition/ElectricalSeries/extra"


def _h5_reference_elsewhere_in_attribute(f: h5py.File) -> str:
    f[REGION].attrs["table"] = f["intervals/trials"].ref
    return f"/{REGION}"


def _h5_reference_elsewhere_in_dataset(f: h5py.File) -> str:
    f[f"{ELECTRODES}/group"][5] = f["general/devices/Probe"].ref
    return f"/{ELECTRODES}/group"


def _h5_change_string(f: h5py.File) -> str:
    f[f"{ELECTRODES}/location"][2] = "CA3"
    return f"/{ELECTRODES}/location"


def _h5_change_scalar_string(f: h5py.File) -> str:
    f["session_description"][()] = "another session"
    return "/session_description"


def _h5_change_soft_link_target(f: h5py.File) -> str:
    del f["acquisition/TimeSeriesLinkedTimestamps/timestamps"]
    f["acquisition/TimeSeriesLinkedTimestamps/timestamps"] = h5py.SoftLink("/units/spike_times")
    return "/acquisition/TimeSeriesLinkedTimestamps/timestamps"


def _h5_link_made_a_copy(f: h5py.File) -> str:
    del f["acquisition/TimeSeriesLinkedTimestamps/timestamps"]
    f["acquisition/TimeSeriesLinkedTimestamps/timestamps"] = f["acquisition/TimeSeriesWithTimestamps/timestamps"][:]
    return "/acquisition/TimeSeriesLinkedTimestamps/timestamps"


def _h5_change_dtype(f: h5py.File) -> str:
    data = f["acquisition/SummaryImages/mean_frame"][()]
    attributes = dict(f["acquisition/SummaryImages/mean_frame"].attrs)
    del f["acquisition/SummaryImages/mean_frame"]
    f["acquisition/SummaryImages"].create_dataset("mean_frame", data=data.astype("uint16"))
    f["acquisition/SummaryImages/mean_frame"].attrs.update(attributes)
    return "/acquisition/SummaryImages/mean_frame"


def _h5_negative_zero(f: h5py.File) -> str:
    f["intervals/trials/start_time"][0] = -0.0  # the first trial starts at 0.0
    return "/intervals/trials/start_time"


def _h5_drop_cached_namespace(f: h5py.File) -> str:
    del f["specifications/hdmf-experimental"]
    return "/specifications/hdmf-experimental"


def _h5_another_existing_type(f: h5py.File) -> str:
    # TimeIntervals extends DynamicTable, but the source's schema already had it: a change, not a schema migration
    f[ELECTRODES].attrs["neurodata_type"] = "TimeIntervals"
    f[ELECTRODES].attrs["namespace"] = "core"
    return f"/{ELECTRODES}"


def _h5_uncached_nwb_version(f: h5py.File) -> str:
    f.attrs["nwb_version"] = "2.9.0"  # newer than the source's 2.6.0, but not the core version the file caches
    return "/"


H5_MUTATIONS: dict[str, Callable[[h5py.File], str]] = {
    "changed value": _h5_change_value,
    "changed attribute": _h5_change_attribute,
    "removed attribute": _h5_remove_attribute,
    "removed group": _h5_remove_group,
    "removed link": _h5_remove_link,
    "added dataset": _h5_add_dataset,
    "reference attribute elsewhere": _h5_reference_elsewhere_in_attribute,
    "reference dataset elsewhere": _h5_reference_elsewhere_in_dataset,
    "changed string": _h5_change_string,
    "changed scalar string": _h5_change_scalar_string,
    "soft link elsewhere": _h5_change_soft_link_target,
    "link became a copy": _h5_link_made_a_copy,
    "changed dtype": _h5_change_dtype,
    "negative zero": _h5_negative_zero,
    "dropped cached namespace": _h5_drop_cached_namespace,
    "neurodata_type of another existing type": _h5_another_existing_type,
    "nwb_version of an uncached schema": _h5_uncached_nwb_version,
}


@pytest.mark.parametrize("mutation", H5_MUTATIONS)
def test_each_hdf5_mutation_is_reported(mutation: str, tmp_path: Path) -> None:
    target = tmp_path / "mutated.nwb"
    shutil.copy(SOURCE, target)
    with h5py.File(target, "r+") as f:
        path = H5_MUTATIONS[mutation](f)
    differences = compare_nwb_files(SOURCE, target)
    assert differences, mutation
    assert any(line.startswith(path + ":") for line in differences), differences


def test_another_nan_payload_is_reported(tmp_path: Path) -> None:
    source, target = tmp_path / "source.nwb", tmp_path / "target.nwb"
    for path, payload in ((source, 1), (target, 2)):
        shutil.copy(SOURCE, path)
        with h5py.File(path, "r+") as f:
            f[FLOATS][7] = _nan_with_payload(payload)
    assert compare_nwb_files(source, source) == []
    differences = compare_nwb_files(source, target)
    assert len(differences) == 1 and differences[0].startswith(f"/{FLOATS}: 1 of 2000 values differ"), differences
    assert "nan (bits 0x7ff8000000000001)" in differences[0] and "0x7ff8000000000002" in differences[0]


# ------------------------------------------------------------------------------------------------- Zarr mutations
def _zattrs(folder: Path, path: str) -> tuple[Path, dict]:
    file = folder / path / ".zattrs"
    return file, json.loads(file.read_text())


def _edit_zattrs(folder: Path, path: str, edit: Callable[[dict], None]) -> None:
    file, attributes = _zattrs(folder, path)
    edit(attributes)
    file.write_text(json.dumps(attributes, indent=4, sort_keys=True))


def _zarr_change_value(folder: Path) -> str:
    array = zarr.open_array(str(folder / "acquisition/ElectricalSeries/data"), mode="r+")
    array[3, 2] = array[3, 2] + 1
    return "/acquisition/ElectricalSeries/data"


def _zarr_change_attribute(folder: Path) -> str:
    _edit_zattrs(folder, "acquisition/ElectricalSeries/data", lambda a: a.update(conversion=2.0))
    return "/acquisition/ElectricalSeries/data"


def _zarr_remove_attribute(folder: Path) -> str:
    _edit_zattrs(folder, "acquisition/ElectricalSeries", lambda a: a.pop("comments"))
    return "/acquisition/ElectricalSeries"


def _zarr_remove_group(folder: Path) -> str:
    shutil.rmtree(folder / "processing/behavior/Position")
    return "/processing/behavior/Position"


def _zarr_remove_link(folder: Path) -> str:
    _edit_zattrs(folder, "acquisition/TimeSeriesLinkedTimestamps", lambda a: a.pop("zarr_link"))
    return "/acquisition/TimeSeriesLinkedTimestamps/timestamps"


def _zarr_soft_link_elsewhere(folder: Path) -> str:
    _edit_zattrs(
        folder, "acquisition/TimeSeriesLinkedTimestamps", lambda a: a["zarr_link"][0].update(path="/units/spike_times")
    )
    return "/acquisition/TimeSeriesLinkedTimestamps/timestamps"


def _zarr_add_dataset(folder: Path) -> str:
    zarr.open_group(str(folder / "acquisition/ElectricalSeries"), mode="r+").create_dataset("extra", data=np.arange(3))
    return "/acquisition/ElectricalSeries/extra"


def _zarr_reference_elsewhere_in_attribute(folder: Path) -> str:
    _edit_zattrs(folder, REGION, lambda a: a["table"]["value"].update(path="/intervals/trials"))
    return f"/{REGION}"


def _zarr_reference_elsewhere_in_dataset(folder: Path) -> str:
    """Rewrite the pickled reference column with numcodecs' JSON codec (hdmf-zarr's other form), one changed."""
    with open_store(folder) as store:
        refs = [{"source": ".", "path": ref.path} for ref in store.read(f"/{ELECTRODES}/group")]
    refs[5] = {"source": ".", "path": "/general/devices/Probe"}
    group = zarr.open_group(str(folder / ELECTRODES), mode="r+")
    _, attributes = _zattrs(folder, f"{ELECTRODES}/group")
    del group["group"]
    array = group.create_dataset("group", shape=(len(refs),), dtype=object, object_codec=numcodecs.JSON())
    array[:] = np.array(refs + [None], dtype=object)[:-1]
    array.attrs.update(attributes)
    return f"/{ELECTRODES}/group"


def _zarr_change_string(folder: Path) -> str:
    array = zarr.open_array(str(folder / ELECTRODES / "location"), mode="r+")
    array[2] = "CA3"
    return f"/{ELECTRODES}/location"


def _zarr_change_scalar_string(folder: Path) -> str:
    array = zarr.open_array(str(folder / "session_description"), mode="r+")
    array[0] = "another session"
    return "/session_description"


def _zarr_nan_payload(folder: Path) -> str:
    array = zarr.open_array(str(folder / FLOATS), mode="r+")
    array[7] = _nan_with_payload(3)
    return f"/{FLOATS}"


ZARR_MUTATIONS: dict[str, Callable[[Path], str]] = {
    "changed value": _zarr_change_value,
    "changed attribute": _zarr_change_attribute,
    "removed attribute": _zarr_remove_attribute,
    "removed group": _zarr_remove_group,
    "removed link": _zarr_remove_link,
    "soft link elsewhere": _zarr_soft_link_elsewhere,
    "added dataset": _zarr_add_dataset,
    "reference attribute elsewhere": _zarr_reference_elsewhere_in_attribute,
    "reference dataset elsewhere": _zarr_reference_elsewhere_in_dataset,
    "changed string": _zarr_change_string,
    "changed scalar string": _zarr_change_scalar_string,
    "NaN with another payload": _zarr_nan_payload,
}


@pytest.mark.parametrize("against", ["zarr", "hdf5"], ids=["zarr-vs-zarr", "hdf5-vs-zarr"])
@pytest.mark.parametrize("mutation", ZARR_MUTATIONS)
def test_each_zarr_mutation_is_reported(mutation: str, against: str, tmp_path: Path, zarr_export: Path) -> None:
    target = tmp_path / "mutated.nwb.zarr"
    shutil.copytree(zarr_export, target)
    path = ZARR_MUTATIONS[mutation](target)
    source = zarr_export if against == "zarr" else SOURCE
    differences = compare_nwb_files(source, target)
    assert differences, mutation
    assert any(line.startswith(path + ":") for line in differences), differences


def test_a_json_coded_reference_column_reads_like_the_pickled_one(tmp_path: Path, zarr_export: Path) -> None:
    """hdmf-zarr writes references with Pickle (its default) or JSON (object_codec_class=numcodecs.JSON)."""
    target = tmp_path / "json.nwb.zarr"
    shutil.copytree(zarr_export, target)
    with open_store(target) as store:
        refs = [{"source": ".", "path": ref.path} for ref in store.read(f"/{ELECTRODES}/group")]
    _, attributes = _zattrs(target, f"{ELECTRODES}/group")
    group = zarr.open_group(str(target / ELECTRODES), mode="r+")
    del group["group"]
    array = group.create_dataset("group", shape=(len(refs),), dtype=object, object_codec=numcodecs.JSON())
    array[:] = np.array(refs + [None], dtype=object)[:-1]
    array.attrs.update(attributes)
    assert compare_nwb_files(SOURCE, target) == []


# ------------------------------------------------------------------------------------ what each backend stores alike
def _plain_file(path: Path, build: Callable[[h5py.File], None]) -> Path:
    with h5py.File(path, "w") as f:
        build(f)
    return path


def test_text_is_compared_as_text_whatever_its_storage(tmp_path: Path) -> None:
    fixed = _plain_file(tmp_path / "fixed.h5", lambda f: f.create_dataset("names", data=np.array([b"ab", b"c"])))
    variable = _plain_file(
        tmp_path / "vlen.h5", lambda f: f.create_dataset("names", data=["ab", "c"], dtype=h5py.string_dtype())
    )
    other = _plain_file(
        tmp_path / "other.h5", lambda f: f.create_dataset("names", data=["ab", "d"], dtype=h5py.string_dtype())
    )
    assert compare_nwb_files(fixed, variable) == []
    assert compare_nwb_files(fixed, other) == [
        "/names: 1 of 2 values differ, the first at (1,): 'c' in the source, 'd' in the target"
    ]


def test_byte_order_is_not_a_difference_but_width_is(tmp_path: Path) -> None:
    values = np.array([1.5, -2.0, np.inf])
    little = _plain_file(tmp_path / "little.h5", lambda f: f.create_dataset("x", data=values.astype("<f8")))
    big = _plain_file(tmp_path / "big.h5", lambda f: f.create_dataset("x", data=values.astype(">f8")))
    narrow = _plain_file(tmp_path / "narrow.h5", lambda f: f.create_dataset("x", data=values.astype("<f4")))
    assert compare_nwb_files(little, big) == []
    assert compare_nwb_files(little, narrow) == ["/x: is float64 in the source, float32 in the target"]


def test_compound_data_is_compared_field_by_field(tmp_path: Path) -> None:
    def build(second: float) -> Callable[[h5py.File], None]:
        def make(f: h5py.File) -> None:
            f.create_group("g")
            dtype = np.dtype([("a", "<i4"), ("b", "<f8"), ("ref", h5py.ref_dtype), ("name", h5py.string_dtype())])
            rows = np.array([(1, 0.5, f["g"].ref, "x"), (2, second, f["g"].ref, "y")], dtype=dtype)
            f.create_dataset("table", data=rows)

        return make

    one = _plain_file(tmp_path / "one.h5", build(0.25))
    same = _plain_file(tmp_path / "same.h5", build(0.25))
    other = _plain_file(tmp_path / "other.h5", build(0.75))
    assert compare_nwb_files(one, same) == []
    assert compare_nwb_files(one, other) == [
        "/table: field 'b' 1 of 2 values differ, the first at (1,): 0.25 in the source, 0.75 in the target"
    ]


def test_empty_scalar_and_attribute_outside_any_schema(tmp_path: Path) -> None:
    def build(extra: str) -> Callable[[h5py.File], None]:
        def make(f: h5py.File) -> None:
            f.create_dataset("empty", shape=(0, 3), dtype="<i2")
            f.create_dataset("scalar", data=np.float32(2.5))
            f.attrs["my_note"] = extra

        return make

    one = _plain_file(tmp_path / "one.h5", build("kept"))
    same = _plain_file(tmp_path / "same.h5", build("kept"))
    other = _plain_file(tmp_path / "other.h5", build("changed"))
    assert compare_nwb_files(one, same) == []
    assert compare_nwb_files(one, other) == ["/: attribute 'my_note' is 'kept' in the source, 'changed' in the target"]


def _linked_series(f: h5py.File, values: list[float], extra: bool = False) -> None:
    """A group with a dataset and attributes, as a TimeSeries another file links to (or a copy of it holds)."""
    group = f.create_group("acquisition/series")
    group.attrs["neurodata_type"] = "TimeSeries"
    data = group.create_dataset("data", data=np.array(values, dtype="<f4"))
    data.attrs["unit"] = "volts"
    if extra:
        group.create_dataset("note", data="not in the linked file")


def test_a_copied_external_link_is_compared_with_what_it_reaches(tmp_path: Path) -> None:
    """Where the writer replaced an external link by a copy, the copy must equal the linked object, nothing more."""
    _plain_file(tmp_path / "linked.h5", lambda f: _linked_series(f, [1.0, 2.0, 3.0]))
    source = _plain_file(
        tmp_path / "source.h5",
        lambda f: f.create_group("acquisition").__setitem__(
            "series", h5py.ExternalLink("linked.h5", "/acquisition/series")
        ),
    )
    same = _plain_file(tmp_path / "same.h5", lambda f: _linked_series(f, [1.0, 2.0, 3.0]))
    other = _plain_file(tmp_path / "other.h5", lambda f: _linked_series(f, [1.0, 2.0, 4.0]))
    more = _plain_file(tmp_path / "more.h5", lambda f: _linked_series(f, [1.0, 2.0, 3.0], extra=True))
    copied = {"/acquisition/series"}
    linked = f"{(tmp_path / 'linked.h5').resolve()}:/acquisition/series"

    assert compare_nwb_files(source, same, copied_links=copied) == []
    # the tolerance is not blind: other values, or an object the linked file does not have, are differences
    assert compare_nwb_files(source, other, copied_links=copied) == [
        "/acquisition/series/data: 1 of 3 values differ, the first at (2,): 3.0 in the source, 4.0 in the target"
        f" (copied from the external link to {linked})"
    ]
    assert compare_nwb_files(source, more, copied_links=copied) == [
        f"/acquisition/series/note: a dataset in the target only (copied from the external link to {linked})"
    ]
    # and a link the writer did not name as copied is a link replaced by a group
    assert compare_nwb_files(source, same) == [
        f"/acquisition/series: external link to {linked} in the source, a group in the target",
        "/acquisition/series/data: a dataset in the target only",
    ]
