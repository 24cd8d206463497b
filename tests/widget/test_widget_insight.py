"""The widget's see-before-you-write side: row preview, advice, access costs, codec chart, presets, export."""

from __future__ import annotations

import json
import math

import pytest
from widget_support import front_end

from nwbconfig_widget import HDF5DatasetIOConfiguration, configuration_warnings
from nwbconfig_widget.preview import dataset_source, preview_dataset
from nwbconfig_widget.widget.insight import access_view, chart_geometry, parse_shape

EPHYS = "acquisition/ephys0/data"


def row_of(widget, location):
    return next(row for row in widget.rows if row["location"] == location)


def model_of(widget, location):
    return widget.backend_configuration.dataset_configurations[location]


def wait(widget):
    widget._preview_worker.join(60)
    widget._compare_worker.join(120)


def test_row_warnings_and_portability_come_from_advice(widget):
    item = model_of(widget, EPHYS)
    item.update(chunk_shape=(10, 1), buffer_shape=(20_000, 4), compression_method=None, compression_options=None)
    row = row_of(widget, EPHYS)
    expected = [advice.code for advice in configuration_warnings(item)]
    assert [warning["code"] for warning in row["warnings"]] == expected
    assert all(warning["message"][:1].isupper() for warning in row["warnings"])
    assert row["portability"] == {
        "level": "every HDF5 reader",
        "note": row["portability"]["note"],
        "lossy": False,
        "every_hdf5_reader": True,
    }
    item.update(compression_method="Zstd")
    row = row_of(widget, EPHYS)
    assert row["portability"]["level"] == "needs hdf5plugin"
    assert {"field": "compression_method", "severity": "info", "code": "portability"}.items() <= next(
        warning for warning in row["warnings"] if warning["code"] == "portability"
    ).items()


def test_row_preview_runs_in_a_worker_and_patches_the_row(widget):
    assert row_of(widget, EPHYS)["preview"] == {"status": "none"}
    model_of(widget, EPHYS).update(chunk_shape=(1000, 4), buffer_shape=(20_000, 4))
    widget.sent.clear()
    reply = front_end(widget, type="preview", location=EPHYS)
    assert reply["ok"] is True
    wait(widget)
    preview = row_of(widget, EPHYS)["preview"]
    assert preview["status"] == "done", preview
    item = model_of(widget, EPHYS)
    expected = preview_dataset(item, dataset_source(widget.nwbfile, item))
    assert preview["estimated_bytes"] == pytest.approx(expected.estimated_bytes)
    assert preview["ratio"] == pytest.approx(expected.ratio) and preview["ratio"] > 1
    assert preview["ratio_text"].endswith("×") and "MB/s" in preview["compress_text"]
    assert "MB/s" in preview["decompress_text"] and preview["size_text"]
    patched = [entry["row"]["preview"]["status"] for patch in widget.sent.patches() for entry in patch["rows"]]
    assert patched[0] == "queued" and patched[-1] == "done"
    assert "previewed" in widget.totals["preview_text"] and widget.totals["previewed"] == 1
    # A setting the preview depends on changes: the figures stay, marked stale; the buffer does not matter.
    item.buffer_shape = (10_000, 4)
    assert row_of(widget, EPHYS)["preview"]["status"] == "done"
    front_end(widget, type="edit", location=EPHYS, field="compression_method", value="lzf")
    assert row_of(widget, EPHYS)["preview"]["status"] == "stale"
    assert row_of(widget, EPHYS)["preview"]["ratio_text"] == preview["ratio_text"]


def test_preview_all_fills_every_row(widget):
    thread = widget.preview()
    assert thread is not None
    wait(widget)
    statuses = {row["location"]: row["preview"]["status"] for row in widget.rows}
    assert set(statuses.values()) == {"done"}, statuses
    assert widget.totals["previewed"] == len(widget.rows)
    assert "not previewed" not in widget.totals["preview_text"]


def test_access_view_shows_why_streaming_chunks_beat_tall_thin_chunks():
    recording = HDF5DatasetIOConfiguration(
        object_id="id", location_in_file="acquisition/ElectricalSeries/data", dataset_name="data", dtype="int16",
        full_shape=(108_000_000, 384), chunk_shape=(1_125_000, 4), neurodata_type="ElectricalSeries",
    )  # fmt: skip
    view = access_view(recording, {"yours": (81920, 64)})
    assert [column["shape_text"] for column in view["columns"]] == ["(1125000, 4)", "(81920, 64)"]
    window = next(read for read in view["reads"] if read["name"].startswith("time window"))
    current, yours = window["cells"]
    assert (current["chunks_touched"], yours["chunks_touched"]) == (96, 6)
    assert round(current["read_bytes"] / 1e6) == 864 and round(yours["read_bytes"] / 1e6) == 63
    assert yours["best"] and not current["best"]
    assert any("(81920, 64) touches 6 chunk(s)" in sentence for sentence in view["summary"])


def test_inspect_panel_with_user_chunk_shape_latency_and_bad_input(widget):
    front_end(widget, type="inspect", location=EPHYS, chunk_shape="1000 x 4", latency_ms="20", bandwidth_mb_s="100")
    inspection = widget.inspection
    assert inspection["location"] == EPHYS
    labels = [column["label"] for column in inspection["access"]["columns"]]
    assert labels[0] == "current" and "yours" in labels
    assert inspection["access"]["latency_ms"] == 20 and inspection["access"]["bandwidth_mb_s"] == 100
    assert inspection["extra_chunk_shape"] == "1000, 4"
    assert inspection["access"]["reads"][-1]["name"] == "whole dataset"
    front_end(widget, type="inspect", location=EPHYS, chunk_shape="1, 2, 3", latency_ms="x")
    assert len(widget.inspection["problems"]) == 2
    # The panel follows edits of the dataset it shows.
    model_of(widget, EPHYS).update(chunk_shape=(500, 4), buffer_shape=(20_000, 4))
    assert widget.inspection["access"]["columns"][0]["shape_text"] == "(500, 4)"
    front_end(widget, type="inspect", location=None)
    assert widget.inspection == {}
    with pytest.raises(ValueError):
        parse_shape("1, a", 2)


def test_codec_comparison_chart_and_use_a_codec(widget):
    front_end(widget, type="compare", location=EPHYS)
    assert widget.inspection["compare"]["status"] in ("running", "done")
    wait(widget)
    compare = widget.inspection["compare"]
    assert compare["status"] == "done", compare
    points = compare["chart"]["points"]
    assert len(points) >= 5
    assert all(0 <= point["x"] <= 1 and 0 <= point["y"] <= 1 for point in points)
    assert compare["chart"]["x_ticks"] and compare["chart"]["y_ticks"]
    usable = [row for row in compare["rows"] if row["usable"]]
    assert usable and all(row["backend"] == "hdf5" for row in usable)
    assert any(row["label"] == "zarr gzip 4" and not row["usable"] for row in compare["rows"])
    front_end(widget, type="use_codec", location=EPHYS, label="Zstd 3")
    assert model_of(widget, EPHYS).compression_method == "Zstd"
    assert model_of(widget, EPHYS).compression_options == {"clevel": 3}
    reply = front_end(widget, type="use_codec", location=EPHYS, label="zarr gzip 4")
    assert reply["ok"] is False and "switch the backend" in reply["error"]


def test_chart_geometry_places_points_on_a_log_speed_axis():
    import pandas as pd

    table = pd.DataFrame(
        {"ratio": [2.0, 3.0, math.nan], "compress_mb_s": [10.0, 1000.0, 5.0], "backend": ["hdf5", "zarr", "hdf5"],
         "portability": ["every HDF5 reader", "Zarr readers", ""]},
        index=["a", "b", "c"],
    )  # fmt: skip
    chart = chart_geometry(table)
    assert [point["label"] for point in chart["points"]] == ["a", "b"]
    a, b = chart["points"]
    assert (a["x"], b["x"]) == (0.0, 1.0) and a["portable"] and not b["portable"]
    assert 0 < a["y"] < b["y"] <= 1
    assert [tick["text"] for tick in chart["x_ticks"]] == ["10", "100", "1000"]


def test_presets_for_the_file_and_per_neurodata_type(widget):
    assert [preset["name"] for preset in widget.insight_menu["presets"]] == ["portable", "fast", "archive", "cloud"]
    assert "TimeSeries" in widget.insight_menu["neurodata_types"]
    front_end(widget, type="apply_preset", preset="fast", neurodata_type="TimeSeries")
    assert model_of(widget, EPHYS).compression_method == "Blosc"
    others = [item for item in widget.backend_configuration if item.neurodata_type != "TimeSeries"]
    assert others and all(item.compression_method != "Blosc" for item in others)
    assert "Preset fast applied" in widget.notices[-1]["text"]
    assert row_of(widget, EPHYS)["compression_method"] == "Blosc"
    front_end(widget, type="apply_preset", preset="portable")
    assert all(item.compression_method == "gzip" for item in widget.backend_configuration)
    reply = front_end(widget, type="apply_preset", preset="nope")
    assert reply["ok"] is False and "unknown preset" in reply["error"]


def test_export_python_json_and_h5repack(widget, nwbfile):
    front_end(widget, type="edit", location=EPHYS, field="chunk_shape", value=["1000", "4"])
    front_end(widget, type="export", format="python")
    code = widget.export["text"]
    assert widget.export["error"] == "" and EPHYS in code
    namespace = {"nwbfile": nwbfile}
    exec(code, namespace)
    assert namespace["backend_configuration"] == widget.backend_configuration
    front_end(widget, type="export", format="json")
    assert json.loads(widget.export["text"])["backend"] == "hdf5"
    front_end(widget, type="export", format="h5repack")
    command = widget.export["text"]
    assert command.startswith("h5repack") and "CHUNK=1000x4" in command and command.rstrip().endswith("out.nwb")
    widget.switch_backend("zarr")
    assert "h5repack" not in [item["name"] for item in widget.insight_menu["export_formats"]]
    front_end(widget, type="export", format="h5repack")
    assert "HDF5" in widget.export["error"] and widget.export["text"] == ""


def test_preview_and_compare_read_an_existing_file(nwbfile, tmp_path):
    from widget_support import Recorder

    from nwbconfig_widget import configure_and_write_nwbfile
    from nwbconfig_widget.widget import ConfiguratorWidget

    source = tmp_path / "source.nwb"
    configure_and_write_nwbfile(nwbfile, source)
    widget = ConfiguratorWidget.from_path(source)
    widget.sent = Recorder()
    widget.send = lambda content, buffers=None: widget.sent.append(content)
    try:
        widget.preview(EPHYS)
        widget.compare(EPHYS)
        wait(widget)
        preview = row_of(widget, EPHYS)["preview"]
        assert preview["status"] == "done" and preview["ratio"] > 1
        assert widget.inspection["compare"]["status"] == "done"
        front_end(widget, type="export", format="h5repack")
        assert str(source) in widget.export["text"]
    finally:
        widget.close()
