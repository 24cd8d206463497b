"""The widget's Python face: declared interfaces between its parts, Apply's writer strategy, synced traits set on the
kernel's thread only, the backend/configuration check, notice ids and the cancel of queued previews."""

from __future__ import annotations

import ast
import asyncio
import threading
import types
from pathlib import Path

import h5py
import pytest
from widget_support import Recorder, front_end, make_nwbfile

from nwbconfig_widget import configure_and_write_nwbfile, get_default_backend_configuration
from nwbconfig_widget.widget import ConfiguratorWidget
from nwbconfig_widget.widget.configurator import MAX_NOTICES

EPHYS = "acquisition/ephys0/data"
WIDGET_PACKAGE = Path(__file__).resolve().parents[2] / "nwbconfig_widget" / "widget"


def recorded(widget):
    widget.sent = Recorder()
    widget.send = lambda content, buffers=None: widget.sent.append(content)
    return widget


# ------------------------------------------------------------------------------------------- declared interfaces


def test_the_insight_part_reaches_no_private_member_of_another_object():
    """insight.py reads ``_x`` attributes of ``self`` only: the widget is reached through InsightHost alone."""
    tree = ast.parse((WIDGET_PACKAGE / "insight.py").read_text())
    foreign = [
        f"line {node.lineno}: {ast.unparse(node)}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and node.attr.startswith("_")
        and not node.attr.startswith("__")
        and not (isinstance(node.value, ast.Name) and node.value.id == "self")
    ]
    assert foreign == []


def test_the_insight_part_works_with_any_object_that_fills_its_declared_host(nwbfile):
    """Preview, inspect and export run against a plain host made here: nothing undeclared is needed."""
    from nwbconfig_widget.widget.handoff import KernelHandoff
    from nwbconfig_widget.widget.insight import Insight, InsightHost
    from nwbconfig_widget.widget.rows import RowState

    configuration = get_default_backend_configuration(nwbfile, backend="hdf5")
    baseline = get_default_backend_configuration(nwbfile, backend="hdf5")
    states = {item.location_in_file: RowState() for item in configuration}
    view = types.SimpleNamespace(inspection={}, insight_menu={}, export={}, output_path="out.nwb", source_path="")
    patched, notices = [], []
    insight = Insight(
        InsightHost(
            view=view,
            nwbfile=nwbfile,
            configuration=lambda: configuration,
            item=lambda location: configuration.dataset_configurations[location],
            state=states.get,
            baseline=lambda: baseline,
            notice=lambda level, text, detail="": notices.append((level, text)),
            patch_rows=lambda locations: patched.extend(locations),
            handoff=KernelHandoff(),
        )
    )
    insight.refresh()
    assert view.insight_menu["export_formats"][-1]["name"] == "h5repack"
    insight.preview(EPHYS).join(60)
    assert states[EPHYS].preview["status"] == "done" and states[EPHYS].preview["result"]["ratio"] > 1
    assert patched[0] == EPHYS and patched[-1] == EPHYS
    inspection = insight.inspect(EPHYS, latency_ms="10")
    assert inspection["location"] == EPHYS and view.inspection is inspection
    assert inspection["access"]["columns"][0]["key"] == "current"
    assert "h5repack" in insight.export_text("h5repack") and "out.nwb" in insight.export_text("h5repack")
    insight.actions()["apply_preset"]({"preset": "cloud"})
    assert notices and notices[-1][1].startswith("Preset cloud applied")


def test_the_widget_is_composed_not_mixed_in(widget):
    from nwbconfig_widget.widget.insight import Insight

    assert isinstance(widget.insight, Insight)
    assert [base for base in type(widget).__mro__ if base.__module__.endswith(".insight")] == []


# ---------------------------------------------------------------------------------------------- writer strategy


def test_apply_runs_the_writer_given_to_the_widget(nwbfile, tmp_path):
    seen = []

    def writer(request, progress, cancel):
        seen.append(request)
        path = configure_and_write_nwbfile(
            request.nwbfile, request.target, backend_configuration=request.configuration, progress=progress
        )
        return path

    widget = ConfiguratorWidget(nwbfile, nwbfile_path=tmp_path / "custom.nwb", writer=writer)
    widget.backend_configuration.dataset_configurations[EPHYS].chunk_shape = (500, 4)
    widget.apply()
    widget.wait(60)
    assert widget.status == "done", widget.error
    (request,) = seen
    assert request.target == tmp_path / "custom.nwb" and request.overwrite is False and request.source_path is None
    assert request.configuration is not widget.backend_configuration  # a snapshot
    with h5py.File(tmp_path / "custom.nwb", "r") as file:
        assert file[EPHYS].chunks == (500, 4)
    widget.close()


def test_from_converter_passes_a_writer_and_leaves_apply_alone(tmp_path):
    pytest.importorskip("neuroconv")
    pytest.importorskip("spikeinterface")
    from neuroconv import ConverterPipe
    from neuroconv.tools.testing.mock_interfaces import MockRecordingInterface

    from nwbconfig_widget.widget.writers import ConverterWriter

    recording = MockRecordingInterface(num_channels=2, durations=[0.1], sampling_frequency=1000.0, seed=0)
    converter = ConverterPipe(data_interfaces={"recording": recording})
    widget = ConfiguratorWidget.from_converter(converter, nwbfile_path=tmp_path / "converted.nwb")
    assert "apply" not in vars(widget)  # not monkeypatched
    assert isinstance(widget.writer, ConverterWriter) and widget.writer.converter is converter
    widget.close()


# ---------------------------------------------------------------------------------------- the kernel's thread only


def test_every_synced_trait_and_message_is_set_on_the_kernels_thread(nwbfile, tmp_path):
    """As in a Jupyter kernel, the widget lives on a thread with a running asyncio loop; a preview of every dataset
    and an Apply run in worker threads meanwhile. Every synced trait change and every message happens on that thread."""
    kernel = threading.get_ident()
    changes: list[tuple[str, int]] = []

    async def session() -> ConfiguratorWidget:
        widget = recorded(ConfiguratorWidget(nwbfile, nwbfile_path=tmp_path / "threads.nwb"))
        send = widget.send
        widget.send = lambda content, buffers=None: (changes.append(("message", threading.get_ident())), send(content))
        names = list(widget.traits(sync=True))
        widget.observe(lambda change: changes.append((change["name"], threading.get_ident())), names=names)
        assert front_end(widget, type="preview", location=None)["ok"] is True
        job = widget.apply()
        while job.thread.is_alive() or widget._preview_worker.thread is not None or widget.status == "writing":
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.05)  # the last handed-over updates
        return widget

    widget = asyncio.run(session())
    assert widget.status == "done", widget.error
    assert all(row["preview"]["status"] == "done" for row in widget.rows)
    names = {name for name, _ in changes}
    assert {"progress", "result", "status", "totals", "message"} <= names
    assert {name for name, thread in changes if thread != kernel} == set()
    widget.close()


def test_joining_a_worker_in_a_cell_shows_its_results_set_on_the_kernels_thread(nwbfile, tmp_path):
    """A notebook cell that blocks on ``job.thread.join()`` keeps the loop from running; the join itself runs the
    handed-over updates, on the kernel's thread, so the next line of the cell sees the result."""
    kernel = threading.get_ident()
    threads: set[int] = set()

    async def cell() -> tuple[str, str]:
        widget = ConfiguratorWidget(nwbfile, nwbfile_path=tmp_path / "joined.nwb")
        widget.observe(lambda change: threads.add(threading.get_ident()), names=list(widget.traits(sync=True)))
        widget.preview(EPHYS).join(60)
        preview = next(row for row in widget.rows if row["location"] == EPHYS)["preview"]["status"]
        widget.apply().thread.join(60)
        status = widget.status
        widget.close()
        return preview, status

    assert asyncio.run(cell()) == ("done", "done")
    assert threads == {kernel}


def test_without_a_running_loop_workers_apply_their_updates_before_they_end(widget):
    """The fallback of plain Python: updates run in order under the handoff's lock, so joining is enough."""
    widget.preview(EPHYS).join(60)
    job = widget.apply()
    job.thread.join(60)
    assert widget.status == "done" and widget.result["path"].endswith("out.nwb")
    assert next(row for row in widget.rows if row["location"] == EPHYS)["preview"]["status"] == "done"


# -------------------------------------------------------------------------------- backend and configuration check


@pytest.mark.parametrize(("backend", "configured"), [("hdf5", "zarr"), ("zarr", "hdf5")])
def test_a_backend_that_disagrees_with_the_configuration_is_refused(nwbfile, backend, configured):
    configuration = get_default_backend_configuration(nwbfile, backend=configured)
    names = {"hdf5": "HDF5", "zarr": "Zarr"}
    with pytest.raises(ValueError) as caught:
        ConfiguratorWidget(nwbfile, backend=backend, backend_configuration=configuration)
    message = str(caught.value)
    assert names[backend] in message and names[configured] in message
    assert "leave out backend" in message and f"backend={backend!r}" in message
    widget = ConfiguratorWidget(nwbfile, backend=configured, backend_configuration=configuration)
    assert widget.backend == configured and widget.backend_configuration is configuration
    assert ConfiguratorWidget(nwbfile, backend_configuration=configuration).backend == configured


# ------------------------------------------------------------------------------------------------------- notices


def test_notices_carry_a_stable_unique_id_beyond_the_kept_ones(widget):
    seen: dict[int, str] = {}
    for number in range(MAX_NOTICES + 5):
        front_end(widget, type="apply_all", method="gzip", options={"level": str(20 + number)})  # refused
        assert len(widget.notices) == min(number + 1, MAX_NOTICES)
        for notice in widget.notices:
            assert seen.setdefault(notice["id"], notice["text"]) == notice["text"]  # an id never changes meaning
    assert len(seen) == MAX_NOTICES + 5
    assert [notice["id"] for notice in widget.notices] == sorted(seen)[-MAX_NOTICES:]


# ---------------------------------------------------------------------------------------------- cancel of previews


def test_cancel_drops_queued_previews_and_restores_their_cells(tmp_path):
    source = tmp_path / "source.nwb"
    configure_and_write_nwbfile(make_nwbfile(n_series=3), source)
    widget = recorded(ConfiguratorWidget.from_path(source))
    try:
        widget.preview(EPHYS).join(60)
        done = next(row for row in widget.rows if row["location"] == EPHYS)["preview"]
        assert done["status"] == "done"
        gate, started = threading.Event(), threading.Event()
        widget.insight.preview_worker.submit(lambda: (started.set(), gate.wait(60)))  # keeps the worker busy
        assert started.wait(60)
        assert front_end(widget, type="preview", location=None)["ok"] is True
        assert {row["preview"]["status"] for row in widget.rows} == {"queued"}
        assert widget.totals["previews_queued"] == len(widget.rows)  # the view shows Cancel while this is > 0
        reply = front_end(widget, type="cancel_preview")
        assert reply["ok"] is True
        gate.set()
        widget.wait(60)
        cells = {row["location"]: row["preview"] for row in widget.rows}
        assert cells[EPHYS] == done  # back to the figures it showed before
        assert {cell["status"] for location, cell in cells.items() if location != EPHYS} == {"none"}
        assert widget.notices[-1]["text"] == f"{len(cells)} queued preview(s) cancelled."
        assert widget.totals["previewed"] == 1 and widget.totals["previews_queued"] == 0
        last_patch = widget.sent.patches()[-1]
        assert {entry["row"]["preview"]["status"] for entry in last_patch["rows"]} <= {"none", "done"}
        assert widget.cancel_preview() == 0  # nothing queued any more
    finally:
        widget.close()


def test_a_write_that_shows_no_progress_still_reports_it_is_running(widget, tmp_path):
    """A long chunk or the final flush report nothing: the job reports the progress (with the time elapsed) every
    heartbeat, so the view can tell a running write from a kernel that went away; nothing comes after the result."""
    import threading
    import time

    from nwbconfig_widget.widget.write_job import WriteJob

    events, done = [], threading.Event()

    def silent_write(progress, cancel):
        time.sleep(0.6)  # no progress reported meanwhile
        return configure_and_write_nwbfile(
            widget.nwbfile, tmp_path / "silent.nwb", backend_configuration=job.configuration, progress=progress
        )

    job = WriteJob(
        silent_write,
        widget.backend_configuration,
        on_progress=lambda progress: events.append(("progress", progress)),
        on_done=lambda result: (events.append(("done", result)), done.set()),
        on_error=lambda info, error: (events.append(("error", info)), done.set()),
        heartbeat=0.1,
    )
    job.start()
    assert done.wait(60)
    job.thread.join(10)
    kinds = [kind for kind, _ in events]
    assert kinds[-1] == "done", events[-1]
    beats = [progress for kind, progress in events if kind == "progress"]
    assert len(beats) >= 4, kinds  # 0.6 s of silence at one report every 0.1 s, and the final one
    assert all({"elapsed_s", "elapsed_text", "fraction"} <= set(beat) for beat in beats)
    assert [beat["elapsed_s"] for beat in beats] == sorted(beat["elapsed_s"] for beat in beats)
    assert beats[-1]["fraction"] == 1.0
