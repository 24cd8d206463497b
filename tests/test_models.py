"""Validation, printing, JSON and DataFrame views of the configuration models."""

from __future__ import annotations

import json

import numpy as np
import pytest

from nwbconfig_widget import (
    BackendConfiguration,
    ConfigurationError,
    HDF5BackendConfiguration,
    HDF5DatasetIOConfiguration,
    ZarrDatasetIOConfiguration,
    get_default_backend_configuration,
)


def make_configuration(cls=HDF5DatasetIOConfiguration, **overrides):
    values = dict(
        object_id="abc",
        location_in_file="acquisition/ElectricalSeries/data",
        dataset_name="data",
        dtype=np.dtype("int16"),
        full_shape=(1000, 32),
        chunk_shape=(100, 32),
        buffer_shape=(500, 32),
    )
    values.update(overrides)
    return cls(**values)


BAD_ASSIGNMENTS = [
    ("chunk_shape", (0, 32), "positive"),
    ("chunk_shape", (-5, 32), "positive"),
    ("chunk_shape", (10.5, 32), "whole number"),
    ("chunk_shape", ("10", 32), "whole number"),
    ("chunk_shape", (100,), "axes"),
    ("chunk_shape", (2000, 32), "larger than the data"),
    ("chunk_shape", (300, 32), "not a whole multiple"),
    ("buffer_shape", (50, 32), "smaller than the chunk"),
    ("buffer_shape", (250, 32), "not a whole multiple"),
    ("buffer_shape", (2000, 32), "larger than the data"),
    ("buffer_shape", (500, 32, 1), "axes"),
    ("buffer_shape", None, "needs a buffer shape"),
    ("compression_method", "nonexistent", "available"),
    ("compression_options", {"level": 12}, "0 to 9"),
    ("compression_options", {"clevel": 3}, "unknown option"),
    ("compression_options", "fast", "dict"),
    ("filter_methods", ["delta"], "available"),
]


@pytest.mark.parametrize("field, value, reason", BAD_ASSIGNMENTS)
def test_invalid_assignment_names_dataset_field_value_and_leaves_the_model_unchanged(field, value, reason):
    configuration = make_configuration()
    before = configuration.to_dict()
    with pytest.raises(ConfigurationError) as caught:
        setattr(configuration, field, value)
    error = caught.value
    message = str(error)
    assert error.location == "acquisition/ElectricalSeries/data" and message.startswith(
        "acquisition/ElectricalSeries/data"
    )
    assert error.field == field and f"{field}=" in message
    assert repr(value) in message
    assert reason in message
    assert configuration.to_dict() == before


def test_unknown_method_lists_the_available_ones():
    configuration = make_configuration()
    with pytest.raises(ConfigurationError) as caught:
        configuration.compression_method = "zip"
    assert "'gzip'" in str(caught.value) and "'Zstd'" in str(caught.value)


def test_codec_that_cannot_encode_the_dtype_is_refused():
    configuration = make_configuration(dtype=np.dtype("float64"))
    with pytest.raises(ConfigurationError) as caught:
        configuration.compression_method = "Htj2k"  # a JPEG 2000 codec for integer images
    assert "cannot encode float64" in str(caught.value)
    assert configuration.compression_method == "gzip"


def test_crashing_codec_is_refused_without_crashing_the_process():
    configuration = make_configuration()
    with pytest.raises(ConfigurationError) as caught:
        configuration.compression_method = "Sperr"  # aborts the process that encodes integers
    assert "crash" in str(caught.value)


def test_zarr_requires_chunks_and_hdf5_contiguous_requires_no_filters():
    zarr_configuration = make_configuration(ZarrDatasetIOConfiguration)
    with pytest.raises(ConfigurationError, match="Zarr stores every array in chunks"):
        zarr_configuration.chunk_shape = None
    hdf5_configuration = make_configuration()
    with pytest.raises(ConfigurationError, match="only filter or compress chunked"):
        hdf5_configuration.chunk_shape = None
    hdf5_configuration.update(chunk_shape=None, compression_method=None)
    assert hdf5_configuration.chunk_shape is None and hdf5_configuration.number_of_chunks == 1


def test_read_only_fields_cannot_be_assigned():
    configuration = make_configuration()
    for field in ("dtype", "full_shape", "location_in_file", "object_id", "dataset_name"):
        with pytest.raises(AttributeError, match="read-only"):
            setattr(configuration, field, None)


def test_in_place_option_edits_are_validated():
    configuration = make_configuration(compression_method="Zstd", compression_options={"clevel": 3})
    configuration.compression_options["clevel"] = 9
    assert configuration.compression_options == {"clevel": 9}
    with pytest.raises(ConfigurationError, match="unknown option"):
        configuration.compression_options["level"] = 1
    assert configuration.compression_options == {"clevel": 9}


def test_update_changes_several_fields_atomically():
    configuration = make_configuration()
    configuration.update(chunk_shape=(300, 32), buffer_shape=(600, 32))
    assert (configuration.chunk_shape, configuration.buffer_shape) == ((300, 32), (600, 32))
    with pytest.raises(ConfigurationError):
        configuration.update(chunk_shape=(200, 16), buffer_shape=(300, 32))
    assert (configuration.chunk_shape, configuration.buffer_shape) == ((300, 32), (600, 32))


def test_buffer_may_span_the_data_without_being_a_multiple():
    configuration = make_configuration()
    configuration.update(chunk_shape=(300, 32), buffer_shape=(1000, 32))
    assert configuration.buffer_shape == (1000, 32)


def test_new_method_keeps_options_only_when_they_apply():
    configuration = make_configuration(compression_method="Blosc", compression_options={"cname": "zstd", "clevel": 5})
    configuration.compression_method = "gzip"
    assert configuration.compression_options is None
    configuration.compression_options = {"level": 7}
    configuration.compression_method = "gzip"
    assert configuration.compression_options == {"level": 7}


def test_removing_compression_drops_its_options():
    configuration = make_configuration(compression_method="Zstd", compression_options={"clevel": 3})
    configuration.compression_method = None
    assert (configuration.compression_method, configuration.compression_options) == (None, None)
    with pytest.raises(ConfigurationError, match="no compression method"):
        configuration.compression_options = {"level": 1}


def test_codec_instances_are_accepted():
    import hdf5plugin
    import numcodecs

    configuration = make_configuration()
    configuration.compression_method = hdf5plugin.Blosc(cname="lz4", clevel=3, shuffle=hdf5plugin.Blosc.BITSHUFFLE)
    assert configuration.compression_method == "Blosc"
    assert configuration.compression_options == {"cname": "lz4", "clevel": 3, "shuffle": 2}
    zarr_configuration = make_configuration(ZarrDatasetIOConfiguration)
    zarr_configuration.compression_method = numcodecs.Zstd(level=2)
    zarr_configuration.filter_methods = [numcodecs.Delta(dtype="<i2")]
    assert zarr_configuration.compression_method == "zstd"
    assert zarr_configuration.compression_options["level"] == 2
    assert zarr_configuration.filter_methods == ("delta",)


def test_derived_sizes():
    configuration = make_configuration()
    assert configuration.full_size_bytes == 1000 * 32 * 2
    assert configuration.expected_ram_usage_bytes == 500 * 32 * 2
    assert configuration.chunk_size_bytes == 100 * 32 * 2
    assert configuration.number_of_chunks == 10
    configuration.chunk_shape = (100, 16)
    assert configuration.number_of_chunks == 20


def test_observers_see_accepted_changes_only():
    configuration = make_configuration()
    seen = []
    configuration.observe(lambda item, fields: seen.append(fields))
    configuration.chunk_shape = (250, 32)
    with pytest.raises(ConfigurationError):
        configuration.chunk_shape = (0, 1)
    assert seen == [["chunk_shape"]]


def test_take_settings_copies_another_configuration_of_the_same_dataset_and_shares_nothing():
    default = make_configuration(compression_options={"level": 4}, filter_methods=["shuffle"])
    edited = make_configuration(chunk_shape=(250, 32), buffer_shape=(500, 32), compression_method="lzf")
    seen = []
    edited.observe(lambda item, fields: seen.append(sorted(fields)))
    edited.take_settings(default)
    assert edited.to_dict() == default.to_dict()
    assert seen == [["chunk_shape", "compression_method", "compression_options", "filter_methods", "filter_options"]]
    edited.compression_options["level"] = 9  # its own options: the default's stay as they were
    assert default.compression_options == {"level": 4}


@pytest.mark.parametrize(
    "other",
    [
        make_configuration(location_in_file="acquisition/other/data"),
        make_configuration(full_shape=(2000, 32)),
        make_configuration(ZarrDatasetIOConfiguration),
    ],
    ids=["another dataset", "another shape", "another backend"],
)
def test_take_settings_refuses_another_dataset_or_backend_and_changes_nothing(other):
    configuration = make_configuration(compression_method="lzf")
    before = configuration.to_dict()
    with pytest.raises(ValueError, match="acquisition/ElectricalSeries/data: take_settings needs .* use update"):
        configuration.take_settings(other)
    assert configuration.to_dict() == before


def test_apply_global_compression_is_all_or_nothing_for_invalid_settings(rich_nwbfile):
    configuration = get_default_backend_configuration(rich_nwbfile, backend="hdf5")
    before = configuration.to_dict()
    for method, options in (("Zstd", {"level": 3}), ("gzip", {"level": 12}), ("nonexistent", None)):
        with pytest.raises(ConfigurationError):
            configuration.apply_global_compression(method, options)
        assert configuration.to_dict() == before
    configuration.apply_global_compression("Zstd", {"clevel": 5})
    assert {item.compression_method for item in configuration} == {"Zstd"}
    assert {json.dumps(item.compression_options) for item in configuration} == {'{"clevel": 5}'}


def test_apply_global_compression_skips_data_the_codec_cannot_encode(rich_nwbfile):
    configuration = get_default_backend_configuration(rich_nwbfile, backend="hdf5")
    with pytest.warns(UserWarning, match="cannot encode"):
        skipped = configuration.apply_global_compression("Blosc", {"cname": "zstd", "clevel": 5})
    text_columns = {key for key, item in configuration.dataset_configurations.items() if item.dtype.kind == "O"}
    assert text_columns and set(skipped) == text_columns
    for key, item in configuration.dataset_configurations.items():
        assert item.compression_method == ("gzip" if key in text_columns else "Blosc"), key
    with pytest.warns(UserWarning):
        skipped = configuration.apply_global_compression("Zfp")  # floating point only
    assert "acquisition/ElectricalSeries/data" in skipped
    assert configuration.dataset_configurations["acquisition/Running/data"].compression_method == "Zfp"


@pytest.mark.parametrize("backend", ["hdf5", "zarr"])
def test_global_compression_gives_each_dataset_what_setting_it_alone_gives(rich_nwbfile, backend):
    """Datasets that share a codec signature are validated once; each must still end exactly as if set one by one
    (same accepted settings, same refusals), and own its options."""
    together = get_default_backend_configuration(rich_nwbfile, backend=backend)
    items = list(together)
    items[0].filter_methods = ["shuffle"] if backend == "hdf5" else ["delta"]  # signatures that differ
    alone = BackendConfiguration.from_dict(together.to_dict())
    method, options = ("Blosc", {"cname": "zstd", "clevel": 5}) if backend == "hdf5" else ("blosc", {"clevel": 5})
    refused = {}
    for item in alone:
        try:
            item.update(compression_method=method, compression_options=options)
        except ConfigurationError as error:
            assert error.unsupported_data, error
            refused[item.location_in_file] = error.reason
    if refused:
        with pytest.warns(UserWarning, match="cannot encode"):
            skipped = together.apply_global_compression(method, options)
    else:
        skipped = together.apply_global_compression(method, options)
    assert skipped == refused
    assert together.to_dict() == alone.to_dict()
    shared = [item for item in together if item.compression_method == method]
    assert len(shared) >= 2
    shared[0].compression_options["clevel"] = 1
    assert shared[1].compression_options["clevel"] == 5


def test_json_round_trip_keeps_every_field(rich_nwbfile, tmp_path):
    configuration = get_default_backend_configuration(rich_nwbfile, backend="zarr")
    ephys = configuration.dataset_configurations["acquisition/ElectricalSeries/data"]
    ephys.update(compression_method="blosc", compression_options={"cname": "zstd", "clevel": 5, "shuffle": 2})
    ephys.filter_methods = ["delta"]
    path = tmp_path / "configuration.json"
    configuration.to_json(path)
    loaded = BackendConfiguration.from_json(path)
    assert loaded == configuration
    assert loaded.dataset_configurations["acquisition/ElectricalSeries/data"].dtype == np.dtype("int16")
    assert loaded.dataset_configurations["acquisition/ElectricalSeries/data"].filter_methods == ("delta",)
    assert loaded.unconfigurable_datasets == configuration.unconfigurable_datasets


def test_json_with_invalid_settings_is_refused_with_the_reason():
    configuration = HDF5BackendConfiguration([make_configuration()])
    data = configuration.to_dict()
    data["dataset_configurations"][0]["chunk_shape"] = [5000, 32]
    with pytest.raises(ConfigurationError, match="larger than the data"):
        BackendConfiguration.from_dict(data)
    with pytest.raises(ValueError, match="not a saved backend configuration"):
        BackendConfiguration.from_dict({"backend": "hdf5"})


def test_dataframe_has_one_row_per_dataset(rich_nwbfile):
    configuration = get_default_backend_configuration(rich_nwbfile, backend="hdf5")
    frame = configuration.to_dataframe()
    assert list(frame.index) == list(configuration.dataset_configurations)
    row = frame.loc["acquisition/ElectricalSeries/data"]
    item = configuration.dataset_configurations["acquisition/ElectricalSeries/data"]
    assert row["chunk_shape"] == item.chunk_shape and row["full_size_bytes"] == item.full_size_bytes
    assert row["expected_ram_usage_bytes"] == item.expected_ram_usage_bytes and row["dtype"] == "int16"


def test_printing_with_filters_and_sizes():
    configuration = make_configuration(
        full_shape=(10_000_000, 69), chunk_shape=(100_000, 69), buffer_shape=(1_000_000, 69)
    )
    configuration.filter_methods = ["shuffle"]
    text = str(configuration)
    assert "full size of source array : 1.38 GB" in text
    assert "expected RAM usage : 138.00 MB" in text
    assert "filter methods : ['shuffle']" in text


def test_dataset_configurations_can_be_deleted_and_only_matching_entries_set(page_nwbfile):
    configuration = get_default_backend_configuration(page_nwbfile, backend="hdf5")
    item = configuration.dataset_configurations["acquisition/MyTimeSeries/data"]
    with pytest.raises(KeyError):
        configuration.dataset_configurations["acquisition/MyTimeSeries/timestamps"] = item
    del configuration.dataset_configurations["acquisition/MyTimeSeries/data"]
    assert list(configuration.dataset_configurations) == ["acquisition/MyTimeSeries/timestamps"]


def test_global_compression_gives_contiguous_datasets_their_recommended_chunks():
    contiguous = make_configuration(chunk_shape=None, buffer_shape=(1000, 32), compression_method=None)
    configuration = HDF5BackendConfiguration([contiguous])
    configuration.apply_global_compression("gzip", {"level": 6})
    assert contiguous.chunk_shape == contiguous.recommended_chunk_shape() == (1000, 32)
    assert (contiguous.compression_method, contiguous.compression_options) == ("gzip", {"level": 6})
    with pytest.raises(ConfigurationError, match="only filter or compress chunked"):
        make_configuration(chunk_shape=None, compression_method=None).compression_method = "gzip"
