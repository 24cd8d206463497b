"""Bad input everywhere a user can type, and printouts of hostile names.

Four places take settings: the Python model (assignment, ``update()``, in-place option edits,
``apply_global_compression``, saved dicts), the widget's edit messages from the browser, saved JSON files, and the
``nwbconfig`` command. Every refusal names the dataset, the field and a valid alternative, and leaves the
configuration (and the target folder) as it was. Names from a file are printed as inert plain text.
"""

from __future__ import annotations

import json
import math
import warnings

import numpy as np
import pytest
from bad_input_cases import FULL_SHAPE, LOCATION, MODEL_CASES, make_item
from bad_input_support import (
    HDF5_HOSTILE_NAMES,
    HOSTILE_NAMES,
    BrowserDriver,
    hostile_nwbfile,
    listing,
    unsafe_characters,
)
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from nwbconfig_widget import (
    BackendConfiguration,
    ConfigurationError,
    HDF5DatasetIOConfiguration,
    ZarrDatasetIOConfiguration,
    get_default_backend_configuration,
)
from nwbconfig_widget._plain import plain
from nwbconfig_widget.cli import main

CLASSES = {"hdf5": HDF5DatasetIOConfiguration, "zarr": ZarrDatasetIOConfiguration}


def refused(item, change, hint: str) -> ConfigurationError:
    """Run ``change``; it must raise a ConfigurationError naming the dataset and ``hint`` and change nothing."""
    before = item.to_dict()
    with pytest.raises(ConfigurationError) as info:
        change()
    error = info.value
    assert item.to_dict() == before
    assert error.location == item.location_in_file and plain(item.location_in_file) in str(error)
    assert hint in str(error), str(error)
    return error


# -------------------------------------------------------------------------------------------------- Python model


@pytest.mark.parametrize("how", ["assign", "update"])
@pytest.mark.parametrize("case", MODEL_CASES, ids=[case.id for case in MODEL_CASES])
def test_model_refuses_bad_value(case, how):
    item = make_item(case.backend, **case.base)
    if how == "assign":
        error = refused(item, lambda: setattr(item, case.field, case.value), case.hint)
    else:
        error = refused(item, lambda: item.update(**{case.field: case.value}), case.hint)
    assert error.field == case.field
    assert f"{case.field}=" in str(error)


SAVED_CASES = [case for case in MODEL_CASES if not (case.field == "buffer_shape" and case.value is None)]


@pytest.mark.parametrize("case", SAVED_CASES, ids=[case.id for case in SAVED_CASES])
def test_saved_dataset_entry_with_bad_value_is_refused(case):
    saved = make_item(case.backend, **case.base).to_dict()
    saved[case.field] = case.value
    with pytest.raises(ConfigurationError) as info:
        CLASSES[case.backend].from_dict(saved)
    assert info.value.location == LOCATION and case.hint in str(info.value)


IN_PLACE = [
    ("setitem-gzip-level-99", "hdf5", {}, lambda options: options.__setitem__("level", 99), "from 0 to 9"),
    ("update-gzip-level-text", "hdf5", {}, lambda options: options.update(level="x"), "from 0 to 9"),
    ("setdefault-unknown-option", "hdf5", {}, lambda options: options.setdefault("bogus", 1), "accepts ['level']"),
    ("setitem-zstd-level-nan", "zarr", {"compression_method": "zstd", "compression_options": {"level": 3}},
     lambda options: options.__setitem__("level", math.nan), "finite"),
    ("update-Blosc-clevel-fractional", "hdf5", {"compression_method": "Blosc", "compression_options": {"clevel": 5}},
     lambda options: options.update(clevel=2.5), "integer"),
    ("setitem-blosc-shuffle-bool", "zarr", {"compression_method": "blosc", "compression_options": {"shuffle": 1}},
     lambda options: options.__setitem__("shuffle", True), "integer"),
]  # fmt: skip


@pytest.mark.parametrize("backend, base, change, hint", [case[1:] for case in IN_PLACE], ids=[c[0] for c in IN_PLACE])
def test_in_place_option_edit_is_refused(backend, base, change, hint):
    item = make_item(backend, **{"compression_options": {"level": 4}, **base})
    options = item.compression_options
    kept = dict(options)
    error = refused(item, lambda: change(options), hint)
    assert error.field == "compression_options"
    assert dict(options) == kept  # the dict in the user's hands is unchanged too


def test_update_with_one_bad_field_keeps_the_good_ones_out_too():
    item = make_item()
    error = refused(item, lambda: item.update(chunk_shape=(50, 4), compression_method="nope"), "available")
    assert error.field == "compression_method"


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda item: item.update(chunk_shap=(10, 4)), "editable: ['chunk_shape'"),
        (lambda item: setattr(item, "chunk_shap", (10, 4)), "editable: ['chunk_shape'"),
        (lambda item: setattr(item, "full_shape", (10, 4)), "full_shape is read-only"),
        (lambda item: setattr(item, "dtype", "int8"), "dtype is read-only"),
    ],
    ids=["update-misspelt-field", "assign-misspelt-field", "assign-full_shape", "assign-dtype"],
)
def test_fields_that_are_not_editable_are_refused(change, message):
    item = make_item()
    before = item.to_dict()
    with pytest.raises(AttributeError, match=message.replace("[", r"\[")):
        change(item)
    assert item.to_dict() == before


@pytest.fixture(scope="module")
def small_nwbfile():
    from pynwb import TimeSeries
    from pynwb.testing.mock.file import mock_NWBFile

    nwbfile = mock_NWBFile()
    data = (np.arange(4000) % 97).astype("int16").reshape(FULL_SHAPE)
    nwbfile.add_acquisition(TimeSeries(name="Probe", data=data, unit="V", rate=1000.0))
    nwbfile.add_acquisition(TimeSeries(name="Speed", data=np.linspace(0, 1, 500), unit="m/s", rate=10.0))
    for start in range(3):
        nwbfile.add_trial(start_time=float(start), stop_time=start + 0.5)
    return nwbfile


GLOBAL_CASES = [
    ("unknown-method", "hdf5", "nope", None, "compression_method", "available"),
    ("number-method", "hdf5", 5, None, "compression_method", "give a name from"),
    ("bool-method", "zarr", True, None, "compression_method", "give a name from"),
    ("empty-method", "hdf5", "", None, "compression_method", "available"),
    ("gzip-level-99", "hdf5", "gzip", {"level": 99}, "compression_options", "from 0 to 9"),
    ("gzip-options-text", "hdf5", "gzip", "level=4", "compression_options", "{'level': 4}"),
    ("Blosc-clevel-fractional", "hdf5", "Blosc", {"clevel": 1.5}, "compression_options", "integer"),
    ("Blosc-shuffle-yes", "hdf5", "Blosc", {"shuffle": "yes"}, "compression_options", "integer"),
    ("Zstd-clevel-nan", "hdf5", "Zstd", {"clevel": math.nan}, "compression_options", "finite"),
    ("zstd-level-99", "zarr", "zstd", {"level": 99}, "compression_options", "from -131072 to 22"),
    ("blosc-cname-unknown", "zarr", "blosc", {"cname": "nope"}, "compression_options", "must be one of ['blosclz'"),
    ("lzf-on-zarr", "zarr", "lzf", None, "compression_method", "available: ['blosc'"),
]


@pytest.mark.parametrize(
    "backend, method, options, field, hint", [case[1:] for case in GLOBAL_CASES], ids=[c[0] for c in GLOBAL_CASES]
)
def test_global_compression_with_bad_input_changes_no_dataset(small_nwbfile, backend, method, options, field, hint):
    configuration = get_default_backend_configuration(small_nwbfile, backend=backend)
    before = configuration.to_dict()
    with pytest.raises(ConfigurationError) as info:
        configuration.apply_global_compression(method, options)
    assert configuration.to_dict() == before
    assert info.value.field == field and hint in str(info.value)
    assert info.value.location in configuration.dataset_configurations


# ------------------------------------------------------------------------------------------- saved JSON files


def _saved(small_nwbfile, backend="hdf5") -> dict:
    return get_default_backend_configuration(small_nwbfile, backend=backend).to_dict()


def _entry(saved: dict, location: str = LOCATION) -> dict:
    return next(item for item in saved["dataset_configurations"] if item["location_in_file"] == location)


JSON_CASES = {
    "truncated": (lambda saved: json.dumps(saved)[:1000], json.JSONDecodeError, "line 1 column"),
    "empty-file": (lambda saved: "", json.JSONDecodeError, "Expecting value"),
    "a-list": (lambda saved: "[1, 2]", ConfigurationError, "must be a JSON object"),
    "a-text": (lambda saved: '"configuration"', ConfigurationError, "must be a JSON object"),
    "a-number": (lambda saved: "5", ConfigurationError, "must be a JSON object"),
    "null": (lambda saved: "null", ConfigurationError, "must be a JSON object"),
    "deeply-nested": (lambda saved: "[" * 100_000 + "]" * 100_000, ConfigurationError, "nested too deeply"),
    "no-format": (lambda saved: {**saved, "format": None}, ConfigurationError, "expected format"),
    "other-format": (lambda saved: {**saved, "format": "neuroconv"}, ConfigurationError, "expected format"),
    "no-version": (lambda saved: {k: v for k, v in saved.items() if k != "version"}, ConfigurationError, "version 1"),
    "version-2": (lambda saved: {**saved, "version": 2}, ConfigurationError, "Save it again"),
    "version-text": (lambda saved: {**saved, "version": "1"}, ConfigurationError, "version 1"),
    "version-bool": (lambda saved: {**saved, "version": True}, ConfigurationError, "version 1"),
    "no-backend": (lambda saved: {k: v for k, v in saved.items() if k != "backend"}, ConfigurationError, "'zarr']"),
    "backend-number": (lambda saved: {**saved, "backend": 5}, ConfigurationError, "expected one of ['hdf5', 'zarr']"),
    "no-datasets": (lambda saved: {k: v for k, v in saved.items() if k != "dataset_configurations"},
                    ConfigurationError, "list of dataset configurations"),
    "datasets-object": (lambda saved: {**saved, "dataset_configurations": {}}, ConfigurationError, "must be a list"),
    "dataset-entry-number": (lambda saved: {**saved, "dataset_configurations": [5]}, ConfigurationError,
                             "dataset_configurations[0]=5"),
    "unconfigurable-number": (lambda saved: {**saved, "unconfigurable_datasets": 5}, ConfigurationError,
                              "map dataset locations to reasons"),
}  # fmt: skip


def _edited(change):
    def edit(saved):
        saved = json.loads(json.dumps(saved))
        change(_entry(saved))
        return saved

    return edit


JSON_ENTRY_CASES = {
    "entry-without-dtype": (lambda entry: entry.pop("dtype"), "has no ['dtype']"),
    "entry-without-chunk_shape": (lambda entry: entry.pop("chunk_shape"), "has no ['chunk_shape']"),
    "entry-without-location": (lambda entry: entry.pop("location_in_file"), "location in the file as text"),
    "entry-misspelt-field": (lambda entry: entry.update(chunk_shap=[10, 4]), "Did you mean 'chunk_shape'?"),
    "entry-location-number": (lambda entry: entry.update(location_in_file=5), "location in the file as text"),
    "entry-object_id-null": (lambda entry: entry.update(object_id=None), "object_id=None"),
    "entry-dtype-unknown": (lambda entry: entry.update(dtype="int99"), "not a numpy dtype description"),
    "entry-dtype-number": (lambda entry: entry.update(dtype=5), "not a numpy dtype description"),
    "entry-full_shape-text": (lambda entry: entry.update(full_shape="abc"), "full_shape='abc'"),
    "entry-full_shape-negative": (lambda entry: entry.update(full_shape=[-1000, 4]), "full_shape=[-1000, 4]"),
    "entry-full_shape-bool": (lambda entry: entry.update(full_shape=[True, 4]), "whole number"),
    "entry-chunk_shape-text": (lambda entry: entry.update(chunk_shape="100x4"), "positive integers"),
    "entry-options-nan": (lambda entry: entry.update(compression_options={"level": math.nan}), "not a JSON number"),
    "entry-options-infinity": (lambda entry: entry.update(compression_options={"level": math.inf}),
                               "not a JSON number"),
    "entry-filter_options-text": (lambda entry: entry.update(filter_options="none"), "[None] for one filter"),
}  # fmt: skip
JSON_CASES.update(
    {key: (_edited(change), ConfigurationError, hint) for key, (change, hint) in JSON_ENTRY_CASES.items()}
)
JSON_CASES["duplicate-dataset"] = (
    lambda saved: {**saved, "dataset_configurations": saved["dataset_configurations"] * 2},
    ConfigurationError,
    "a second time",
)


def _write_json(path, content) -> None:
    if isinstance(content, str):
        path.write_text(content)
    else:  # NaN and infinity are written as Python's json writes them, which JSON readers refuse
        path.write_text(json.dumps(content, allow_nan=True))


@pytest.mark.parametrize("name", list(JSON_CASES))
def test_malformed_saved_configuration_is_refused_with_the_reason(small_nwbfile, tmp_path, name):
    make, error_type, hint = JSON_CASES[name]
    path = tmp_path / "bad.json"
    _write_json(path, make(_saved(small_nwbfile)))
    with pytest.raises(error_type) as info:
        BackendConfiguration.from_json(path)
    assert hint in str(info.value), str(info.value)


@pytest.fixture(scope="module")
def source_file(tmp_path_factory, small_nwbfile):
    """The small NWB file on disk (HDF5), written by pynwb."""
    from pynwb import NWBHDF5IO

    path = tmp_path_factory.mktemp("source") / "source.nwb"
    with NWBHDF5IO(str(path), mode="w") as io:
        io.write(small_nwbfile)
    return path


@pytest.fixture(scope="module")
def saved_of_source(source_file):
    from nwbconfig_widget.io.repack import open_nwbfile

    with open_nwbfile(source_file, mode="r") as io, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nwbfile = io.read()
        return {
            backend: get_default_backend_configuration(nwbfile, backend=backend).to_dict()
            for backend in ("hdf5", "zarr")
        }


def _other_file_configuration() -> BackendConfiguration:
    from nwbfiles import make_page_nwbfile

    return get_default_backend_configuration(make_page_nwbfile(), backend="hdf5")


FOREIGN_CASES = {
    "another-file": (lambda saved: _other_file_configuration().to_dict(), "no object with id"),
    "shape-shorter": (_edited(lambda e: e.update(full_shape=[500, 4], chunk_shape=[100, 4], buffer_shape=[500, 4])),
                      "the data has another shape"),
    "shape-longer": (_edited(lambda e: e.update(full_shape=[2000, 4], chunk_shape=[100, 4], buffer_shape=[500, 4])),
                     "the data has another shape"),
    "rank-differs": (_edited(lambda e: e.update(full_shape=[1000, 4, 1], chunk_shape=[100, 4, 1],
                                                buffer_shape=[500, 4, 1])), "the data has another shape"),
    "dtype-differs": (_edited(lambda e: e.update(dtype="<f4")), "the data has another dtype"),
    "object-differs": (_edited(lambda e: e.update(object_id="0000-other")), "another neurodata object"),
    "location-differs": (_edited(lambda e: e.update(location_in_file="acquisition/Renamed/data")),
                         "no dataset at this location"),
}  # fmt: skip


@pytest.mark.parametrize("name", list(FOREIGN_CASES))
def test_configuration_of_another_file_is_refused_and_nothing_is_written(source_file, saved_of_source, tmp_path, name):
    from nwbconfig_widget import repack_nwbfile

    make, hint = FOREIGN_CASES[name]
    configuration = BackendConfiguration.from_dict(make(saved_of_source["hdf5"]))
    before = listing(tmp_path)
    with pytest.raises(ConfigurationError) as info:
        repack_nwbfile(source_file, tmp_path / "out.nwb", backend_configuration=configuration, n_jobs=1)
    assert hint in str(info.value) and "made for another file" in str(info.value)
    assert listing(tmp_path) == before


def test_in_memory_write_with_another_files_configuration_is_refused(small_nwbfile, tmp_path):
    from nwbconfig_widget import configure_and_write_nwbfile

    with pytest.raises(ConfigurationError, match="made for another file"):
        configure_and_write_nwbfile(small_nwbfile, tmp_path / "out.nwb", _other_file_configuration())
    assert listing(tmp_path) == []


@pytest.mark.parametrize(
    "configured, asked", [("hdf5", "zarr"), ("zarr", "hdf5")], ids=["hdf5-to-zarr", "zarr-to-hdf5"]
)
def test_configuration_for_the_other_backend_is_refused(source_file, saved_of_source, tmp_path, configured, asked):
    from nwbconfig_widget import repack_nwbfile

    configuration = BackendConfiguration.from_dict(saved_of_source[configured])
    with pytest.raises(ValueError, match=f"backend='{asked}' disagrees with the {configured}"):
        repack_nwbfile(source_file, tmp_path / "out", backend=asked, backend_configuration=configuration)
    assert listing(tmp_path) == []


# ------------------------------------------------------------------------------------------------------ widget


@pytest.fixture(scope="module", params=["hdf5", "zarr"])
def browser(small_nwbfile, request):
    from nwbconfig_widget.widget import ConfiguratorWidget

    widget = ConfiguratorWidget(small_nwbfile, backend=request.param)
    yield BrowserDriver(widget)
    widget.close()


@pytest.fixture
def driver(browser):
    browser.widget.reset()
    yield browser
    browser.widget.reset()


WIDGET_EDITS = [
    ("chunk-negative", "chunk_shape", ["-1", "4"], "positive"),
    ("chunk-zero", "chunk_shape", ["0", "4"], "positive"),
    ("chunk-fractional", "chunk_shape", ["1.5", "4"], "not a whole number"),
    ("chunk-text", "chunk_shape", ["abc", "4"], "'abc', not a whole number"),
    ("chunk-null-axis", "chunk_shape", [None, "4"], "empty, not a whole number"),
    ("chunk-bool-axis", "chunk_shape", [True, 4], "not a whole number"),
    ("chunk-json-fraction", "chunk_shape", [10.5, 4], "not a whole number"),
    ("chunk-nan", "chunk_shape", ["nan", "4"], "not a whole number"),
    ("chunk-infinity", "chunk_shape", ["Infinity", "4"], "not a whole number"),
    ("chunk-exponent", "chunk_shape", ["1e20", "4"], "not a whole number"),
    ("chunk-huge", "chunk_shape", ["100000000000000000000", "4"], "(1000, 4)"),
    ("chunk-5000-digits", "chunk_shape", ["9" * 5000, "4"], "digits"),
    ("chunk-larger-than-data", "chunk_shape", ["2000", "4"], "(1000, 4)"),
    ("chunk-rank-1", "chunk_shape", ["100"], "one length per axis"),
    ("chunk-rank-3", "chunk_shape", ["100", "4", "1"], "one length per axis"),
    ("chunk-one-text", "chunk_shape", "100,4", "one whole number per axis"),
    ("chunk-number", "chunk_shape", 100, "one whole number per axis"),
    ("chunk-object", "chunk_shape", {"0": "100"}, "one whole number per axis"),
    ("chunk-nested-list", "chunk_shape", [["100"], "4"], "not a whole number"),
    ("chunk-all-empty", "chunk_shape", ["", ""], {"hdf5": "compression_method=None", "zarr": "in chunks"}),
    ("buffer-negative", "buffer_shape", ["-500", "4"], "positive"),
    ("buffer-not-multiple", "buffer_shape", ["150", "4"], "whole multiple of the chunk"),
    ("buffer-null", "buffer_shape", None, "multiple of the chunk"),
    ("buffer-empty", "buffer_shape", ["", ""], "empty, not a whole number"),
    (
        "method-unknown",
        "compression_method",
        "nope",
        {"hdf5": "available: ['Bitshuffle'", "zarr": "available: ['blosc'"},
    ),
    ("method-number", "compression_method", 5, "give a name from"),
    ("method-bool", "compression_method", True, "give a name from"),
    ("method-list", "compression_method", ["gzip"], "give a name from"),
    ("method-object", "compression_method", {"name": "gzip"}, "give a name from"),
    ("method-html", "compression_method", "<img src=x onerror=alert(1)>", "available"),
    ("options-level-99", "compression_options", {"level": "99"}, "from 0 to 9"),
    ("options-level-text", "compression_options", {"level": "high"}, "integer"),
    ("options-level-fraction", "compression_options", {"level": "1.5"}, "integer"),
    ("options-level-true", "compression_options", {"level": "true"}, "integer"),
    ("options-level-nan", "compression_options", {"level": "nan"}, "integer"),
    ("options-level-list", "compression_options", {"level": [1]}, "integer"),
    ("options-level-5000-digits", "compression_options", {"level": "9" * 5000}, "integer"),
    ("options-unknown-name", "compression_options", {"bogus": "1"}, "accepts ['level']"),
    ("options-text", "compression_options", "level=4", "option boxes of the compression method 'gzip'"),
    ("options-list", "compression_options", [1], "option boxes"),
    ("options-number", "compression_options", 5, "option boxes"),
    ("filters-text", "filter_methods", "shuffle", "e.g. ['shuffle']"),
    ("filters-null", "filter_methods", None, "e.g. ['shuffle']"),
    ("filters-object", "filter_methods", {"shuffle": 1}, "e.g. ['shuffle']"),
    (
        "filters-unknown",
        "filter_methods",
        ["nope"],
        {"hdf5": "available: ['fletcher32'", "zarr": "available: ['adler32'"},
    ),
    ("filters-number", "filter_methods", [5], "available"),
    ("filters-twice", "filter_methods", ["shuffle", "shuffle"], "List each filter once"),
    ("filter-options-without-filter", "filter_options", [{"x": "1"}], "one dict (or None) per filter method"),
    ("filter-options-text", "filter_options", "abc", "one set of options (or null) per filter"),
    ("filter-options-entry-number", "filter_options", [5], "given by name"),
]


@pytest.mark.parametrize("field, value, hint", [case[1:] for case in WIDGET_EDITS], ids=[c[0] for c in WIDGET_EDITS])
def test_widget_edit_with_bad_value_shows_the_error_on_its_row(driver, field, value, hint):
    if isinstance(hint, dict):
        hint = hint[driver.widget.backend_configuration.backend]
    item = driver.widget.backend_configuration.dataset_configurations[LOCATION]
    before = driver.widget.backend_configuration.to_dict()
    reply = driver.message(type="edit", location=LOCATION, field=field, value=value)
    assert reply["ok"] is True  # handled: the row carries the error next to the field
    row = driver.row(LOCATION)
    assert hint in row["errors"][field], row["errors"]
    assert row["invalid"] is True and row["drafts"][field] == value
    assert driver.widget.backend_configuration.to_dict() == before
    assert item.to_dict() == _entry(before)  # the live dataset object too
    assert driver.widget.apply_blockers  # an invalid row blocks writing


WIDGET_MESSAGES = [
    ("no-type", {"location": LOCATION, "field": "chunk_shape", "value": ["1", "4"]}, "unknown action None"),
    ("unknown-type", {"type": "format_disk"}, "unknown action 'format_disk'"),
    ("edit-without-location", {"type": "edit", "field": "chunk_shape", "value": ["1", "4"]}, "no dataset None"),
    ("edit-unknown-location", {"type": "edit", "location": "acquisition/Nope/data", "field": "chunk_shape",
                               "value": ["1", "4"]}, "no dataset 'acquisition/Nope/data'"),
    ("edit-location-list", {"type": "edit", "location": [LOCATION], "field": "chunk_shape", "value": ["1", "4"]},
     "no dataset ["),
    ("edit-location-number", {"type": "edit", "location": 7, "field": "chunk_shape", "value": ["1", "4"]},
     "no dataset 7"),
    ("edit-without-field", {"type": "edit", "location": LOCATION, "value": ["1", "4"]},
     "None is not an editable field"),
    ("edit-read-only-field", {"type": "edit", "location": LOCATION, "field": "full_shape", "value": ["1", "4"]},
     "'full_shape' is not an editable field; editable: ['chunk_shape'"),
    ("edit-unknown-field", {"type": "edit", "location": LOCATION, "field": "chunk_shap", "value": ["1", "4"]},
     "'chunk_shap' is not an editable field"),
    ("edit-field-list", {"type": "edit", "location": LOCATION, "field": ["chunk_shape"], "value": ["1", "4"]},
     "is not an editable field"),
    ("apply-all-unknown-method", {"type": "apply_all", "method": "nope", "options": {}}, "available"),
    ("apply-all-method-list", {"type": "apply_all", "method": ["gzip"], "options": {}}, "give a name from"),
    ("apply-all-options-text", {"type": "apply_all", "method": "gzip", "options": "level=9"}, "given by name"),
    ("apply-all-level-99", {"type": "apply_all", "method": "gzip", "options": {"level": "99"}}, "from 0 to 9"),
    ("apply-all-Blosc-fraction", {"type": "apply_all", "method": "Blosc", "options": {"clevel": "2.5"}}, "integer"),
    ("reset-unknown-location", {"type": "reset_row", "location": "acquisition/Nope/data"}, "no dataset"),
    ("preset-unknown", {"type": "apply_preset", "preset": "fastest"}, "choose one of"),
]  # fmt: skip


@pytest.mark.parametrize("content, hint", [case[1:] for case in WIDGET_MESSAGES], ids=[c[0] for c in WIDGET_MESSAGES])
def test_malformed_widget_message_is_answered_with_an_error_and_changes_nothing(driver, content, hint):
    before = driver.widget.backend_configuration.to_dict()
    rows_before = json.dumps(driver.widget.rows, sort_keys=True, default=str)
    reply = driver.message(**content)
    assert reply["ok"] is False and hint in reply["error"], reply
    assert driver.widget.backend_configuration.to_dict() == before
    assert json.dumps(driver.widget.rows, sort_keys=True, default=str) == rows_before


@pytest.mark.parametrize("content", [None, [1, 2], "edit", 5], ids=["null", "list", "text", "number"])
def test_a_message_that_is_not_an_object_is_ignored(driver, content):
    before = driver.widget.backend_configuration.to_dict()
    sent = len(driver.sent)
    driver.widget._handle_custom_msg(content, [])
    assert driver.widget.backend_configuration.to_dict() == before and len(driver.sent) == sent


# --------------------------------------------------------------------------------------------------------- CLI


def _run(arguments, capsys) -> tuple[int, str]:
    """Run nwbconfig; return the exit code and the last line of stderr (argparse exits with 2)."""
    try:
        code = main([str(argument) for argument in arguments])
    except SystemExit as exit_:
        code = exit_.code
    error = capsys.readouterr().err.strip().splitlines()
    return code, error[-1] if error else ""


def _config_file(folder, name, content) -> str:
    path = folder / name
    _write_json(path, content)
    return str(path)


CLI_CONFIG_CASES = {
    "truncated": (lambda s: json.dumps(s)[:200], "is not valid JSON (is it complete?)"),
    "empty": (lambda s: "", "is not valid JSON"),
    "a-list": (lambda s: "[]", "must be a JSON object"),
    "missing-keys": (lambda s: {"format": s["format"], "version": 1, "backend": "hdf5"}, "list of dataset"),
    "wrong-types": (_edited(lambda e: e.update(chunk_shape="big")), "chunk_shape='big'"),
    "nan": (_edited(lambda e: e.update(compression_options={"level": math.nan})), "not a JSON number"),
    "invalid-setting": (_edited(lambda e: e.update(compression_options={"level": 99})), "from 0 to 9"),
    "another-file": (lambda s: _other_file_configuration().to_dict(), "made for another file"),
    "shape-differs": (_edited(lambda e: e.update(full_shape=[500, 4], chunk_shape=[100, 4], buffer_shape=[500, 4])),
                      "the data has another shape"),
    "dtype-differs": (_edited(lambda e: e.update(dtype="<i8")), "the data has another dtype"),
}  # fmt: skip


@pytest.mark.parametrize("name", list(CLI_CONFIG_CASES))
def test_cli_repack_refuses_a_bad_config_and_writes_nothing(source_file, saved_of_source, tmp_path, capsys, name):
    make, hint = CLI_CONFIG_CASES[name]
    config = _config_file(tmp_path, "bad.json", make(saved_of_source["hdf5"]))
    before = listing(tmp_path)
    code, last_line = _run(["repack", source_file, tmp_path / "out.nwb", "--config", config], capsys)
    assert code == 1 and last_line.startswith("nwbconfig repack: ") and hint in last_line, last_line
    assert listing(tmp_path) == before


def _cli_cases(tmp, source, saved):
    hdf5 = _config_file(tmp, "hdf5.json", saved["hdf5"])
    zarr = _config_file(tmp, "zarr.json", saved["zarr"])
    (tmp / "folder.json").mkdir()
    (tmp / "binary.json").write_bytes(bytes(range(256)))
    return {
        "hdf5-config-zarr-target": (["repack", source, tmp / "out.nwb.zarr", "--config", hdf5], 1,
                                    "asks for zarr but"),
        "zarr-config-hdf5-target": (["repack", source, tmp / "out.nwb", "--config", zarr], 1, "asks for hdf5 but"),
        "backend-disagrees": (["repack", source, tmp / "out.nwb", "--backend", "zarr", "--config", hdf5], 1,
                              "--backend asks for zarr"),
        "config-is-a-folder": (["repack", source, tmp / "out.nwb", "--config", tmp / "folder.json"], 1, "not a file"),
        "config-is-binary": (["repack", source, tmp / "out.nwb", "--config", tmp / "binary.json"], 1,
                             "not a text file"),
        "config-missing": (["repack", source, tmp / "out.nwb", "--config", tmp / "nope.json"], 1, "does not exist"),
        "jobs-zero": (["repack", source, tmp / "out.nwb", "--jobs", "0"], 1, "at least 1 (or -1 for all cores)"),
        "jobs-negative": (["repack", source, tmp / "out.nwb", "--jobs", "-3"], 1, "at least 1"),
        "jobs-text": (["repack", source, tmp / "out.nwb", "--jobs", "abc"], 2, "'abc' is not a whole number"),
        "jobs-fraction": (["repack", source, tmp / "out.nwb", "--jobs", "1.5"], 2, "not a whole number"),
        "preset-unknown": (["repack", source, tmp / "out.nwb", "--preset", "fastest"], 2, "invalid choice"),
        "backend-unknown": (["repack", source, tmp / "out.nwb", "--backend", "hdf4"], 2, "invalid choice"),
        "repack-onto-source": (["repack", source, source], 1, "another path"),
        "config-out-missing-folder": (["config", source, "--out", tmp / "no" / "c.json"], 1, "cannot write"),
        "config-out-is-a-folder": (["config", source, "--out", tmp / "folder.json", "--overwrite"], 1,
                                   "cannot write"),
        "config-backend-unknown": (["config", source, "--out", tmp / "c.json", "--backend", "x"], 2, "invalid choice"),
        "show-a-folder": (["show", tmp / "folder.json"], 1, "cannot read"),
        "show-a-json-file": (["show", hdf5], 1, "cannot read"),
        "preview-unknown-codec": (["preview", source, "--codecs", "nope"], 1, "available"),
    }  # fmt: skip


CLI_CASE_NAMES = [
    "hdf5-config-zarr-target", "zarr-config-hdf5-target", "backend-disagrees", "config-is-a-folder",
    "config-is-binary", "config-missing", "jobs-zero", "jobs-negative", "jobs-text", "jobs-fraction",
    "preset-unknown", "backend-unknown", "repack-onto-source", "config-out-missing-folder", "config-out-is-a-folder",
    "config-backend-unknown", "show-a-folder", "show-a-json-file", "preview-unknown-codec",
]  # fmt: skip


@pytest.mark.parametrize("name", CLI_CASE_NAMES)
def test_cli_refuses_bad_arguments_and_writes_nothing(source_file, saved_of_source, tmp_path, capsys, name):
    arguments, expected_code, hint = _cli_cases(tmp_path, source_file, saved_of_source)[name]
    before, source_before = listing(tmp_path), source_file.read_bytes()
    code, last_line = _run(arguments, capsys)
    assert code == expected_code and hint in last_line, (code, last_line)
    assert listing(tmp_path) == before and source_file.read_bytes() == source_before


# --------------------------------------------------------------------------------------------------- printouts


@pytest.fixture(scope="module")
def hostile_configurations():
    nwbfile = hostile_nwbfile()
    return {backend: get_default_backend_configuration(nwbfile, backend=backend) for backend in ("hdf5", "zarr")}


def _render(configuration, location: str, how: str) -> str:
    item = configuration.dataset_configurations[location]
    if how == "str-configuration":
        return str(configuration)
    if how == "str-dataset":
        return str(item)
    if how == "repr-dataset":
        return repr(item)
    if how == "dataframe":
        return configuration.to_dataframe().to_string()
    if how == "error-message":
        with pytest.raises(ConfigurationError) as info:
            item.chunk_shape = (0,)
        assert info.value.location == location  # the exact name stays available to code
        return str(info.value)
    raise AssertionError(how)


RENDERINGS = ["str-configuration", "str-dataset", "repr-dataset", "dataframe", "error-message"]


@pytest.mark.parametrize("how", RENDERINGS)
@pytest.mark.parametrize("backend", ["hdf5", "zarr"])
@pytest.mark.parametrize("key", list(HOSTILE_NAMES))
def test_hostile_names_print_as_inert_plain_text(hostile_configurations, key, backend, how):
    location = f"acquisition/{HOSTILE_NAMES[key]}/data"
    text = _render(hostile_configurations[backend], location, how)
    assert (
        unsafe_characters(text, allowed="\n" if how in ("str-configuration", "str-dataset", "dataframe") else "") == []
    )
    shown = plain(location, max_length=10**6) if how == "dataframe" else plain(location)
    assert shown in text
    if len(location) > 1000 and how != "dataframe":  # a table cell keeps the whole (escaped) name
        assert len(max(text.splitlines(), key=len)) < 400  # cut with an ellipsis, not printed whole


def test_long_names_stay_distinguishable(hostile_configurations):
    configuration = hostile_configurations["hdf5"]
    first, twin = (f"acquisition/{HOSTILE_NAMES[key]}/data" for key in ("long-unicode", "long-unicode-twin"))
    assert len(first) == len(twin)
    shown = {str(configuration.dataset_configurations[location]).splitlines()[0] for location in (first, twin)}
    assert len(shown) == 2 and all("…[" in line for line in shown)
    frame = configuration.to_dataframe()
    assert frame.index.is_unique and len(frame) == len(configuration)


def test_dataframe_html_escapes_markup(hostile_configurations):
    html = hostile_configurations["hdf5"].to_dataframe().to_html()
    assert "<img src=x" not in html and "<script>" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


@pytest.fixture(scope="module")
def hostile_file(tmp_path_factory):
    from pynwb import NWBHDF5IO

    path = tmp_path_factory.mktemp("hostile") / "hostile.nwb"
    with NWBHDF5IO(str(path), mode="w") as io:
        io.write(hostile_nwbfile(HDF5_HOSTILE_NAMES))
    return path


@pytest.fixture(scope="module")
def shown_by_cli(hostile_file):
    import contextlib
    import io

    outputs = {}
    for flag in ([], ["--json"]):
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            assert main(["show", str(hostile_file), *flag]) == 0
        outputs["json" if flag else "text"] = buffer.getvalue()
    return outputs


@pytest.mark.parametrize("key", list(HDF5_HOSTILE_NAMES))
def test_nwbconfig_show_prints_hostile_names_as_plain_text(shown_by_cli, key):
    location = f"acquisition/{HDF5_HOSTILE_NAMES[key]}/data"
    assert unsafe_characters(shown_by_cli["text"]) == []
    assert plain(location) in shown_by_cli["text"]
    # --json keeps the exact names (JSON escapes them), so a saved configuration still names the real datasets
    assert unsafe_characters(shown_by_cli["json"]) == []
    assert location in BackendConfiguration.from_json(shown_by_cli["json"]).dataset_configurations


# ------------------------------------------------------------------------------------------- presets and export

BAD_PRESET = {
    "unknown-name": (dict(preset="fastest"), ValueError, "choose one of"),
    "name-number": (dict(preset=5), ValueError, "choose one of"),
    "types-as-one-text": (dict(preset="fast", neurodata_types="TimeSeries"), TypeError, "write ['TimeSeries']"),
    "locations-as-one-text": (dict(preset="fast", locations=LOCATION), TypeError, "is a list of names"),
    "unknown-location": (dict(preset="fast", locations=["acquisition/Nope/data"]), KeyError, "no dataset at"),
    "where-not-callable": (dict(preset="fast", where=5), TypeError, "where must be a function"),
    "preset-with-bad-options": (dict(preset="bad-gzip"), ConfigurationError, "from 0 to 9"),
}


@pytest.mark.parametrize("name", list(BAD_PRESET))
@pytest.mark.parametrize("backend", ["hdf5", "zarr"])
def test_preset_with_bad_input_changes_no_dataset(small_nwbfile, backend, name):
    from nwbconfig_widget.presets import Preset, apply_preset

    arguments, error_type, hint = BAD_PRESET[name]
    if arguments["preset"] == "bad-gzip":  # valid for the first datasets it meets, never half applied
        arguments = {
            "preset": Preset("bad", "", hdf5=("gzip", {"level": 99}, False), zarr=("gzip", {"level": 99}, False))
        }
    configuration = get_default_backend_configuration(small_nwbfile, backend=backend)
    before = configuration.to_dict()
    with pytest.raises(error_type) as info:
        apply_preset(configuration, **arguments)
    assert hint in str(info.value)
    assert configuration.to_dict() == before


@pytest.mark.parametrize(
    "arguments",
    [dict(variable="x; import os"), dict(variable="class"), dict(nwbfile_variable="nwbfile)\nimport os\n(")],
    ids=["statement-in-variable", "keyword-variable", "code-in-nwbfile-variable"],
)
def test_python_code_export_refuses_variable_names_that_are_not_names(small_nwbfile, arguments):
    from nwbconfig_widget.export import to_python_code

    with pytest.raises(ValueError, match="must be a Python variable name"):
        to_python_code(get_default_backend_configuration(small_nwbfile), **arguments)


def test_exports_of_hostile_names_are_safe(hostile_configurations):
    from nwbconfig_widget.export import h5repack_arguments, h5repack_command, to_python_code

    configuration = hostile_configurations["hdf5"]
    code = to_python_code(configuration)
    assert unsafe_characters(code) == []  # names are Python string literals with escapes
    namespace = {"nwbfile": hostile_nwbfile()}  # the same names (new object ids)
    exec(code, namespace)

    def settings(backend_configuration):
        return [{**item.to_dict(), "object_id": None} for item in backend_configuration]

    assert settings(namespace["backend_configuration"]) == settings(configuration)
    arguments = h5repack_arguments(configuration, check_paths=False)  # a list for subprocess: exact names
    assert any(HOSTILE_NAMES["ansi-escape"] in argument for argument in arguments)
    with pytest.raises(ValueError, match="control characters"):
        h5repack_command(configuration, check_paths=False)


def test_nwbconfig_preview_prints_hostile_names_as_plain_text(hostile_file, capsys):
    assert main(["preview", str(hostile_file)]) == 0
    printed = capsys.readouterr().out
    assert unsafe_characters(printed) == []
    for name in HDF5_HOSTILE_NAMES.values():
        assert plain(f"acquisition/{name}/data", 60) in printed


def test_cli_jobs_minus_one_means_every_core(source_file, tmp_path, capsys):
    from nwbfiles import assert_same_values

    target = tmp_path / "all-cores.nwb"
    assert main(["repack", str(source_file), str(target), "--jobs", "-1", "--no-progress"]) == 0
    assert "Repacked" in capsys.readouterr().out
    assert assert_same_values(source_file, target) >= 3


# ----------------------------------------------------------------------------------- generated input (hypothesis)

_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(10**25), 10**25)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.sampled_from(["gzip", "Blosc", "zstd", "blosc", "shuffle", "delta", "packbits", "nan", "1e3", "", "4"])
)


def _nested(scalars):
    """Scalars, and lists and objects of them, as JSON can hold them."""
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
        max_leaves=8,
    )


_ANY = _nested(_SCALARS)
_OPTION_NAMES = ["level", "clevel", "shuffle", "cname", "blocksize", "checksum", "bogus"]
_NEAR_MISSES = st.one_of(
    st.lists(st.integers(-5, 3000) | st.floats(-5, 3000) | st.text("0123456789-+.e ,_", max_size=6), max_size=3),
    st.dictionaries(st.sampled_from(_OPTION_NAMES), _SCALARS, max_size=3),
    st.lists(st.sampled_from(["shuffle", "fletcher32", "delta", "bitround", "packbits", "nope", None]), max_size=3),
    st.lists(
        st.none() | st.dictionaries(st.sampled_from(["keepbits", "elementsize", "dtype", "x"]), _SCALARS, max_size=2),
        max_size=3,
    ),
)
_FIELDS = st.sampled_from(HDF5DatasetIOConfiguration.EDITABLE_FIELDS)
_REFUSALS = (ConfigurationError,)


@pytest.mark.parametrize("backend", ["hdf5", "zarr"])
def test_generated_values_are_either_refused_cleanly_or_stored_validly(backend, record_property):
    """Any value for any field: a ConfigurationError that changes nothing, or a valid configuration (JSON trip)."""
    tally = {"examples": 0, "accepted": 0}

    @hypothesis_settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(field=_FIELDS, value=_ANY | _NEAR_MISSES)
    def check(field, value):
        tally["examples"] += 1
        item = make_item(backend)
        before = item.to_dict()
        try:
            item.update(**{field: value})
        except _REFUSALS as error:
            assert item.to_dict() == before
            assert error.location == LOCATION and error.field in item.EDITABLE_FIELDS
            assert unsafe_characters(str(error)) == []
            return
        tally["accepted"] += 1
        text = json.dumps(item.to_dict(), allow_nan=False)  # storable as real JSON
        assert CLASSES[backend].from_dict(json.loads(text)) == item

    check()
    record_property("examples", tally["examples"])
    assert tally["accepted"] > 0  # the generator reaches valid values too


_BROWSER_SCALARS = (
    st.none() | st.booleans() | st.integers(-(10**25), 10**25) | st.floats(allow_nan=False, allow_infinity=False)
) | st.text(max_size=12)  # what JSON.stringify can send: no NaN or infinity
_BROWSER_VALUES = _nested(_BROWSER_SCALARS)


def test_generated_browser_messages_never_break_the_widget(browser, record_property):
    """Any JSON message: a reply; refused messages change nothing; rows stay JSON; the configuration stays valid."""
    widget = browser.widget
    tally = {"examples": 0}
    messages = st.fixed_dictionaries(
        {
            "type": st.sampled_from(["edit", "edit", "edit", "apply_all", "reset_row", "bogus"]) | _BROWSER_SCALARS,
            "location": st.sampled_from([LOCATION, "acquisition/Speed/data", "acquisition/Nope/data"])
            | _BROWSER_VALUES,
            "field": _FIELDS | _BROWSER_SCALARS,
            "value": _BROWSER_VALUES | _NEAR_MISSES.filter(lambda v: json.dumps(v, allow_nan=True).find("NaN") < 0),
            "method": st.sampled_from(["gzip", "lzf", "nope", None]) | _BROWSER_SCALARS,
            "options": _BROWSER_VALUES,
        }
    )

    @hypothesis_settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(content=messages)
    def check(content):
        tally["examples"] += 1
        widget.reset()
        before = widget.backend_configuration.to_dict()
        reply = browser.message(**content)
        assert isinstance(reply["ok"], bool)
        if not reply["ok"]:
            assert widget.backend_configuration.to_dict() == before and reply["error"]
        json.dumps(widget.rows, allow_nan=False)  # what the browser receives is valid JSON
        BackendConfiguration.from_json(widget.backend_configuration.to_json())  # and the configuration valid

    check()
    widget.reset()
    record_property("examples", tally["examples"])
