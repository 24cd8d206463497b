"""The widget model: state set as the browser sets it changes the configuration, and the reverse."""

from __future__ import annotations

import h5py
import numpy as np
import pytest
from widget_support import Recorder, front_end, make_nwbfile

from nwbconfig_widget import get_default_backend_configuration
from nwbconfig_widget.widget import FULL_RESEND_ROWS, ConfiguratorWidget

EPHYS = "acquisition/ephys0/data"


def row_of(widget, location):
    return next(row for row in widget.rows if row["location"] == location)


def model_of(widget, location):
    return widget.backend_configuration.dataset_configurations[location]


def test_rows_describe_every_dataset_with_python_estimates(widget):
    locations = [row["location"] for row in widget.rows]
    assert locations == list(widget.backend_configuration.dataset_configurations)
    row = row_of(widget, EPHYS)
    assert row["dtype"] == "int16" and row["full_shape"] == [20_000, 4]
    assert row["size"] == "160.00 KB" and row["size_bytes"] == 160_000
    assert row["neurodata_type"] == "TimeSeries" and row["group"] == "acquisition/ephys0"
    assert row["chunk_shape"] == list(model_of(widget, EPHYS).chunk_shape)
    assert row["chunk_size"] and row["ram"] and row["number_of_chunks_text"]
    assert row["errors"] == {} and row["invalid"] is False and row["edited"] == []
    assert {group["path"] for group in widget.groups} >= {"acquisition/ephys0", "intervals/trials"}
    assert widget.totals["datasets"] == len(widget.rows)
    assert widget.totals["uncompressed_bytes"] == widget.backend_configuration.total_uncompressed_bytes
    assert widget.totals["peak_ram_bytes"] == widget.backend_configuration.peak_ram_usage_bytes
    assert "gzip" in widget.codecs["compression_methods"] and widget.codecs["compression_options"]["gzip"] == ["level"]


def test_browser_edit_changes_the_live_model_and_patches_only_that_row(widget):
    rows_before = widget.rows
    reply = front_end(widget, type="edit", location=EPHYS, field="chunk_shape", value=["1000", "4"])
    assert reply["ok"] is True
    assert model_of(widget, EPHYS).chunk_shape == (1000, 4)
    (patch,) = widget.sent.patches()
    assert [entry["row"]["location"] for entry in patch["rows"]] == [EPHYS]
    assert patch["rows"][0]["row"]["chunk_size"] == "8.00 KB"
    assert patch["rows"][0]["row"]["number_of_chunks"] == 20
    assert widget.rows is rows_before  # patched in place, not re-sent whole
    assert row_of(widget, EPHYS)["chunk_shape"] == [1000, 4]
    assert row_of(widget, EPHYS)["edited"] == ["chunk_shape"]
    assert widget.totals["edited"] == 1


def test_invalid_edit_keeps_the_text_marks_the_row_and_blocks_apply(widget):
    before = model_of(widget, EPHYS).chunk_shape
    reply = front_end(widget, type="edit", location=EPHYS, field="chunk_shape", value=["999999", "4"])
    assert reply["ok"] is True  # the edit was handled; the row carries the error
    assert model_of(widget, EPHYS).chunk_shape == before
    row = row_of(widget, EPHYS)
    assert row["drafts"] == {"chunk_shape": ["999999", "4"]}
    assert "larger than the data" in row["errors"]["chunk_shape"]
    assert row["invalid"] is True
    assert widget.totals["invalid"] == 1
    assert any("invalid settings" in text for text in widget.apply_blockers)
    with pytest.raises(ValueError, match="invalid settings"):
        widget.apply()
    front_end(widget, type="edit", location=EPHYS, field="chunk_shape", value=["500", "4"])
    row = row_of(widget, EPHYS)
    assert row["drafts"] == {} and row["errors"] == {} and row["invalid"] is False
    assert widget.apply_blockers == []


def test_text_that_is_not_a_number_is_an_error_next_to_the_field(widget):
    front_end(widget, type="edit", location=EPHYS, field="buffer_shape", value=["abc", "4"])
    row = row_of(widget, EPHYS)
    assert row["drafts"]["buffer_shape"] == ["abc", "4"]
    assert "Axis 0 is 'abc'" in row["errors"]["buffer_shape"]


def test_chunk_edit_moves_the_buffer_to_a_whole_multiple_and_says_so(widget):
    model_of(widget, EPHYS).update(chunk_shape=(1000, 4), buffer_shape=(5000, 4))
    front_end(widget, type="edit", location=EPHYS, field="chunk_shape", value=["3000", "4"])
    assert model_of(widget, EPHYS).chunk_shape == (3000, 4)
    assert model_of(widget, EPHYS).buffer_shape == (3000, 4)
    assert "Buffer shape changed" in row_of(widget, EPHYS)["notes"]["chunk_shape"]


def test_a_rejected_draft_is_retried_when_another_field_makes_it_fit(widget):
    model_of(widget, EPHYS).update(chunk_shape=(1000, 4), buffer_shape=(1000, 4))
    front_end(widget, type="edit", location=EPHYS, field="buffer_shape", value=["1500", "4"])
    assert row_of(widget, EPHYS)["invalid"] is True
    front_end(widget, type="edit", location=EPHYS, field="chunk_shape", value=["500", "4"])
    assert model_of(widget, EPHYS).buffer_shape == (1500, 4)
    assert row_of(widget, EPHYS)["invalid"] is False


def test_compression_method_options_and_filters_from_the_browser(widget):
    front_end(widget, type="edit", location=EPHYS, field="compression_method", value="Zstd")
    assert model_of(widget, EPHYS).compression_method == "Zstd"
    assert any(
        warning["code"] == "portability" and "hdf5plugin" in warning["message"]
        for warning in row_of(widget, EPHYS)["warnings"]
    )
    assert row_of(widget, EPHYS)["portability"]["level"] == "needs hdf5plugin"
    front_end(widget, type="edit", location=EPHYS, field="compression_options", value={"clevel": "7"})
    assert model_of(widget, EPHYS).compression_options == {"clevel": 7}
    front_end(widget, type="edit", location=EPHYS, field="compression_options", value={"clevel": "x"})
    assert model_of(widget, EPHYS).compression_options == {"clevel": 7}
    assert "compression_options" in row_of(widget, EPHYS)["errors"]
    front_end(widget, type="edit", location=EPHYS, field="compression_method", value="gzip")
    assert model_of(widget, EPHYS).compression_method == "gzip"
    front_end(widget, type="edit", location=EPHYS, field="filter_methods", value=["shuffle"])
    assert model_of(widget, EPHYS).filter_methods == ("shuffle",)
    front_end(widget, type="edit", location=EPHYS, field="compression_method", value=None)
    assert model_of(widget, EPHYS).compression_method is None


def test_python_assignments_show_up_in_the_rows(widget):
    model_of(widget, EPHYS).chunk_shape = (250, 4)
    assert row_of(widget, EPHYS)["chunk_shape"] == [250, 4]
    assert widget.sent.patches()[-1]["rows"][0]["row"]["number_of_chunks"] == 80
    widget.backend_configuration.apply_global_compression("lzf")
    assert {row["compression_method"] for row in widget.rows} == {"lzf"}
    assert widget.totals["edited"] == len(widget.rows)


def test_a_python_assignment_clears_a_rejected_draft_of_that_field(widget):
    front_end(widget, type="edit", location=EPHYS, field="chunk_shape", value=["0", "4"])
    assert row_of(widget, EPHYS)["invalid"] is True
    model_of(widget, EPHYS).chunk_shape = (100, 4)
    assert row_of(widget, EPHYS)["invalid"] is False and row_of(widget, EPHYS)["drafts"] == {}


def test_many_changed_rows_are_sent_as_a_new_list(tmp_path):
    from pynwb import TimeSeries
    from pynwb.testing.mock.file import mock_NWBFile

    nwbfile = mock_NWBFile()
    for index in range(FULL_RESEND_ROWS + 5):
        nwbfile.add_acquisition(TimeSeries(name=f"ts{index}", data=np.arange(10.0), unit="m", rate=1.0))
    widget = ConfiguratorWidget(nwbfile)
    widget.sent = Recorder()
    widget.send = lambda content, buffers=None: widget.sent.append(content)
    rows_before = widget.rows
    front_end(widget, type="apply_all", method="lzf", options={})
    assert widget.rows is not rows_before
    assert {row["compression_method"] for row in widget.rows} == {"lzf"}
    assert widget.sent.patches() == []


def test_a_whole_new_configuration_is_shown_and_observed(widget, nwbfile):
    old = widget.backend_configuration
    new = get_default_backend_configuration(nwbfile, backend="hdf5")
    new.dataset_configurations[EPHYS].chunk_shape = (100, 4)
    widget.backend_configuration = new
    assert row_of(widget, EPHYS)["chunk_shape"] == [100, 4]
    new.dataset_configurations[EPHYS].chunk_shape = (200, 4)
    assert row_of(widget, EPHYS)["chunk_shape"] == [200, 4]
    patches = len(widget.sent.patches())
    old.dataset_configurations[EPHYS].chunk_shape = (300, 4)  # no longer shown
    assert len(widget.sent.patches()) == patches and row_of(widget, EPHYS)["chunk_shape"] == [200, 4]


def test_backend_switch_from_the_browser_keeps_valid_edits(widget):
    front_end(widget, type="edit", location=EPHYS, field="chunk_shape", value=["1000", "4"])
    front_end(widget, type="edit", location=EPHYS, field="compression_method", value="Zstd")
    widget.set_state({"backend": "zarr"})
    configuration = widget.backend_configuration
    assert configuration.backend == "zarr"
    assert configuration.dataset_configurations[EPHYS].chunk_shape == (1000, 4)
    assert configuration.dataset_configurations[EPHYS].compression_method == "zstd"
    assert widget.codecs["backend"] == "zarr" and "blosc" in widget.codecs["compression_methods"]
    assert widget.notices[-1]["text"].startswith("Switched to Zarr")
    assert widget.output_path.endswith("out.nwb.zarr")
    widget.set_state({"backend": "hdf5"})
    assert widget.backend_configuration.dataset_configurations[EPHYS].chunk_shape == (1000, 4)
    assert widget.output_path.endswith("out.nwb")


def test_reset_row_and_reset_all(widget):
    default = model_of(widget, EPHYS).chunk_shape
    front_end(widget, type="edit", location=EPHYS, field="chunk_shape", value=["100", "4"])
    front_end(widget, type="edit", location=EPHYS, field="buffer_shape", value=["7", "4"])
    front_end(widget, type="reset_row", location=EPHYS)
    assert model_of(widget, EPHYS).chunk_shape == default
    assert row_of(widget, EPHYS)["invalid"] is False and row_of(widget, EPHYS)["edited"] == []
    widget.backend_configuration.apply_global_compression("lzf")
    front_end(widget, type="reset_all")
    assert {row["compression_method"] for row in widget.rows} == {"gzip"}
    assert widget.totals["edited"] == 0
    # Every dataset holds exactly its default's settings, in objects of its own.
    defaults = get_default_backend_configuration(widget.nwbfile, backend="hdf5").dataset_configurations
    for location, model in widget.backend_configuration.dataset_configurations.items():
        assert model.to_dict() == defaults[location].to_dict()
    model_of(widget, EPHYS).compression_options = {"level": 9}
    front_end(widget, type="reset_all")
    assert model_of(widget, EPHYS).compression_options == defaults[EPHYS].compression_options


def test_apply_to_all_is_atomic_and_a_rejection_is_reported(widget):
    reply = front_end(widget, type="apply_all", method="gzip", options={"level": "12"})
    assert reply["ok"] is False and "level" in reply["error"]
    assert widget.notices[-1]["level"] == "error"
    assert {row["compression_method"] for row in widget.rows} == {"gzip"}
    assert all(model.compression_options is None for model in widget.backend_configuration)
    reply = front_end(widget, type="apply_all", method="gzip", options={"level": "9"})
    assert reply["ok"] is True
    assert all(model.compression_options == {"level": 9} for model in widget.backend_configuration)


def test_unknown_actions_and_unknown_datasets_get_an_error_reply(widget):
    assert front_end(widget, type="nonsense")["ok"] is False
    reply = front_end(widget, type="edit", location="nope/data", field="chunk_shape", value=["1"])
    assert reply["ok"] is False and "nope/data" in reply["error"]


def test_output_path_existing_target_needs_overwrite(widget, tmp_path):
    target = tmp_path / "exists.nwb"
    target.write_bytes(b"")
    widget.set_state({"output_path": str(target)})
    assert widget.target_exists is True
    assert any("Overwrite" in text for text in widget.apply_blockers)
    widget.set_state({"overwrite": True})
    assert widget.apply_blockers == []
    widget.set_state({"output_path": ""})
    assert widget.apply_blockers == ["Choose an output path."]
    widget.set_state({"output_path": str(tmp_path / "missing" / "x.nwb")})
    assert any("does not exist" in text for text in widget.apply_blockers)


def test_apply_writes_the_file_with_the_chosen_settings(widget, tmp_path):
    front_end(widget, type="edit", location=EPHYS, field="chunk_shape", value=["1000", "4"])
    front_end(widget, type="edit", location=EPHYS, field="filter_methods", value=["shuffle"])
    reply = front_end(widget, type="apply")
    assert reply["ok"] is True
    widget._job.thread.join(timeout=120)
    assert widget.status == "done", widget.error
    assert widget.progress["fraction"] == 1.0 and widget.progress["text"].endswith(widget.totals["uncompressed"])
    result = widget.result
    assert result["path"] == str(tmp_path / "out.nwb") and result["size_bytes"] > 0
    entry = next(item for item in result["datasets"] if item["location"] == EPHYS)
    assert entry["ratio"] > 1.0 and entry["ratio_text"].endswith("×")
    with h5py.File(tmp_path / "out.nwb", "r") as file:
        dataset = file["acquisition/ephys0/data"]
        assert dataset.chunks == (1000, 4) and dataset.compression == "gzip" and dataset.shuffle
    assert widget.target_exists is True and any("Overwrite" in text for text in widget.apply_blockers)


def test_edits_are_refused_while_writing(widget):
    widget.status = "writing"
    reply = front_end(widget, type="edit", location=EPHYS, field="chunk_shape", value=["10", "4"])
    assert reply["ok"] is False and "write is running" in reply["error"]
    widget.status = "idle"


def test_a_failed_write_shows_the_reason_and_the_traceback(widget, monkeypatch):
    import nwbconfig_widget.io as io

    def explode(*args, **kwargs):
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(io, "configure_and_write_nwbfile", explode)
    widget.apply().thread.join(timeout=60)
    assert widget.status == "error"
    assert widget.error["type"] == "OSError" and "disk full" in widget.error["message"]
    assert "Traceback" in widget.error["traceback"] and "explode" in widget.error["traceback"]
    assert isinstance(widget.last_error, OSError)


def test_from_path_shows_the_existing_configuration_and_repacks(tmp_path):
    from nwbconfig_widget import configure_and_write_nwbfile

    source = tmp_path / "source.nwb"
    nwbfile = make_nwbfile(n_series=1)
    configuration = get_default_backend_configuration(nwbfile, backend="hdf5")
    configuration.dataset_configurations[EPHYS].chunk_shape = (2000, 4)
    configure_and_write_nwbfile(nwbfile, source, backend_configuration=configuration)
    widget = ConfiguratorWidget.from_path(source)
    try:
        assert widget.mode == "repack" and widget.source_path == str(source)
        assert widget.output_path == str(tmp_path / "source_repacked.nwb")
        assert row_of(widget, EPHYS)["chunk_shape"] == [2000, 4]
        widget.sent = Recorder()
        widget.send = lambda content, buffers=None: widget.sent.append(content)
        front_end(widget, type="edit", location=EPHYS, field="chunk_shape", value=["500", "4"])
        widget.apply().thread.join(timeout=120)
        assert widget.status == "done", widget.error
        with h5py.File(tmp_path / "source_repacked.nwb", "r") as file:
            assert file["acquisition/ephys0/data"].chunks == (500, 4)
        widget.set_state({"output_path": str(source)})
        assert any("file being repacked" in text for text in widget.apply_blockers)
    finally:
        widget.close()


def test_from_path_reads_a_zarr_file_and_repacks_it_to_hdf5(tmp_path):
    from nwbconfig_widget import configure_and_write_nwbfile

    source = tmp_path / "source.nwb.zarr"
    configure_and_write_nwbfile(make_nwbfile(n_series=1), source, backend="zarr")
    widget = ConfiguratorWidget.from_path(source, allow_pickle=True)
    try:
        assert widget.backend == "zarr" and widget.output_path.endswith("source_repacked.nwb.zarr")
        widget.set_state({"backend": "hdf5"})
        assert widget.output_path.endswith("source_repacked.nwb")
        widget.apply().thread.join(timeout=120)
        assert widget.status == "done", widget.error
        assert h5py.is_hdf5(widget.output_path)
    finally:
        widget.close()


def test_names_from_the_file_reach_the_view_unchanged():
    widget = ConfiguratorWidget(make_nwbfile(n_series=1, evil_names=True))
    names = {row["object_name"] for row in widget.rows}
    assert "<img src=x onerror=window.__xss=1>" in names and "<script>window.__xss=2" in names


def test_constructor_arguments(nwbfile):
    configuration = get_default_backend_configuration(nwbfile, backend="zarr")
    widget = ConfiguratorWidget(nwbfile, backend_configuration=configuration)
    assert widget.backend_configuration is configuration and widget.backend == "zarr"
    with pytest.raises(ValueError, match="unknown backend"):
        ConfiguratorWidget(nwbfile, backend="tiff")
    assert ConfiguratorWidget(nwbfile).output_path == ""


def test_cancel_stops_the_write_and_leaves_nothing(tmp_path):
    import threading

    from hdmf.data_utils import GenericDataChunkIterator
    from pynwb import TimeSeries
    from pynwb.testing.mock.file import mock_NWBFile

    from nwbconfig_widget import WriteCancelled

    started, release = threading.Event(), threading.Event()

    class Gated(GenericDataChunkIterator):
        """Hands out its first buffer, then waits until the test has pressed Cancel."""

        def _get_data(self, selection):
            if selection[0].start > 0:
                started.set()
                release.wait(timeout=60)
            return np.ones((selection[0].stop - selection[0].start, 4), dtype="int16")

        def _get_maxshape(self):
            return (40_000, 4)

        def _get_dtype(self):
            return np.dtype("int16")

    nwbfile = mock_NWBFile()
    data = Gated(buffer_shape=(10_000, 4), chunk_shape=(1000, 4))
    nwbfile.add_acquisition(TimeSeries(name="gated", data=data, unit="V", rate=1.0))
    widget = ConfiguratorWidget(nwbfile, nwbfile_path=str(tmp_path / "cancelled.nwb"))
    widget.sent = Recorder()
    widget.send = lambda content, buffers=None: widget.sent.append(content)
    widget.backend_configuration.dataset_configurations["acquisition/gated/data"].buffer_shape = (10_000, 4)
    assert front_end(widget, type="apply")["ok"] is True
    assert started.wait(timeout=60)
    assert front_end(widget, type="cancel")["ok"] is True
    release.set()
    widget._job.thread.join(timeout=60)
    assert widget.status == "error" and isinstance(widget.last_error, WriteCancelled)
    assert list(tmp_path.iterdir()) == []
    widget.close()


def test_rows_built_together_equal_rows_built_one_by_one(widget):
    """Rows built by thousands share the figures and advice of datasets with the same settings; each must still be
    exactly the row of its own dataset, after a bulk change and after edits that make datasets differ."""
    from nwbconfig_widget.widget.rows import RowState, build_row

    front_end(widget, type="apply_all", method="lzf", options={})
    front_end(widget, type="edit", location=EPHYS, field="chunk_shape", value=["1000", "4"])
    widget.refresh()
    defaults = get_default_backend_configuration(widget.nwbfile, backend="hdf5").dataset_configurations
    per_state = ("drafts", "errors", "notes", "preview", "invalid")
    signatures = set()
    for item, row in zip(widget.backend_configuration, widget.rows):
        alone = build_row(item, RowState(), defaults[item.location_in_file])
        assert {k: v for k, v in row.items() if k not in per_state} == {
            k: v for k, v in alone.items() if k not in per_state
        }, item.location_in_file
        signatures.add(item.settings_signature())
    assert len(signatures) < len(widget.rows)  # some rows did share
    assert row_of(widget, EPHYS)["chunk_shape"] == [1000, 4] and row_of(widget, EPHYS)["edited"]
