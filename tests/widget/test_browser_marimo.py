"""The widget in marimo, in a real browser: ``marimo run`` serves a notebook, Debian's Chromium opens it.

marimo shows anywidgets through ``mo.ui.anywidget(widget)``, with its own front end (not Jupyter's widget manager), so
this checks that the view renders there and that its messages reach Python and come back: the rows render, an edit
brings back Python's estimate, Details draw the chunk grid, a rejected edit shows Python's error, Escape puts the box
back, and Apply writes the file with the edited chunks (read back with h5py); the view passes an axe-core audit and
Apply is reached by Tab. With 3,000 datasets, every row part lies inside the widget at 1280 and 1920 px and scrolling
through all of them keeps few rows in the page.

What test_browser_requests.py checks in JupyterLab and Notebook 7, and more, in one marimo session (one server, one
page, one notebook; the tests run in order). A side door in the notebook (marimo_harness.py) runs code in the kernel,
on the thread that runs marimo's cells, and keeps it busy with a cell that sleeps:

- A request the kernel does not answer in time (it runs another cell) times out in the view: a notice names the
  action and Apply is enabled again; the late reply withdraws the notice and the file is written.
- Every synced trait change and every message of the widget happens on the kernel's thread (in ``marimo run`` a
  thread of the server, not its main thread) while a preview of every dataset and an Apply run in worker threads; so
  are a view edit (the Overwrite box) and a row's preview, sent while a cell runs.
- A queued "Preview all" is cancelled from the view.
- "Apply to all" shows the new compression on every row at once, as pending, until Python's rows replace it; when the
  kernel answers late, Python's values come back with a notice, and its late answer still applies.
- Filter options are edited in the view (Zarr, switched to in the view): a refused value is shown next to the field.
- Python keeps the last 6 notices; notices dismissed in the view stay dismissed as new ones come.
- Last, the server is killed (and its kernel with it) while a write runs: the view says the write went silent and can
  be used again, and Apply says at once that it could not be sent (marimo's ``model.send`` returns a rejected Promise),
  instead of waiting for the timeout.

Skipped when marimo, Chromium or Playwright are missing, unless NWBCONFIG_REQUIRE_BROWSER=1 (as in CI), which turns
the skip into a failure. A screenshot goes to the test's temporary folder, or to NWBCONFIG_SCREENSHOT_DIR.
"""

from __future__ import annotations

import importlib.util
import os
import time
from pathlib import Path

import h5py
import pytest
from a11y_support import audit, axe_missing, tab_to
from jupyter_harness import (
    RECORD_THREADS,
    REPO,
    SCROLL_THROUGH,
    browser_tests_available,
    launch_chromium,
    six_series_widget_cell,
)
from marimo_harness import MarimoServer, SideDoor, marimo_app, side_door_cells

_missing = (
    browser_tests_available()
    or axe_missing()
    or (
        None if importlib.util.find_spec("marimo") else "python package marimo is not installed (the test extra has it)"
    )
)
if _missing and os.environ.get("NWBCONFIG_REQUIRE_BROWSER") == "1":
    raise RuntimeError(f"browser tests required but cannot run: {_missing}")
pytestmark = pytest.mark.skipif(_missing is not None, reason=f"marimo browser test needs: {_missing}")

EPHYS = "acquisition/ephys/data"
SCREENSHOTS = os.environ.get("NWBCONFIG_SCREENSHOT_DIR")


def marimo_notebook(path: Path, output: str, series: int = 0) -> Path:
    """A marimo notebook (a Python file) with one cell that shows the widget through ``mo.ui.anywidget``.

    ``output`` is relative to the notebook's folder, where the server runs; ``series`` small TimeSeries (two datasets
    each) are added to the file."""
    cell = f"""
    import marimo as mo
    import numpy as np
    from pynwb import TimeSeries
    from pynwb.testing.mock.file import mock_NWBFile
    from nwbconfig_widget.widget import ConfiguratorWidget

    nwbfile = mock_NWBFile()
    data = (np.random.default_rng(0).normal(size=(100_000, 4)) * 50).astype("int16")
    nwbfile.add_acquisition(TimeSeries(name="ephys", data=data, unit="V", rate=1000.0))
    nwbfile.add_acquisition(TimeSeries(name="position", data=np.linspace(0, 1, 5_000), unit="m", rate=50.0))
    for index in range({series}):
        nwbfile.add_acquisition(TimeSeries(name=f"series{{index:04d}}", data=np.zeros((1000, 4), dtype="int16"),
                                           unit="V", timestamps=np.arange(1000.0)))
    view = mo.ui.anywidget(ConfiguratorWidget(nwbfile, nwbfile_path={output!r}))
    view
    """
    return marimo_app(path, [cell])


def test_rows_edit_estimate_error_and_apply_in_marimo(tmp_path):
    from playwright.sync_api import sync_playwright

    output = tmp_path / "marimo_out.nwb"
    notebook = marimo_notebook(tmp_path / "configure.py", output.name)
    with MarimoServer(notebook) as server, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        page.set_default_timeout(60_000)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("dialog", lambda dialog: (errors.append(dialog.message), dialog.dismiss()))
        try:
            page.goto(server.url)
            # The rows render: one per dataset (Playwright's locators reach into marimo's shadow roots).
            row = page.locator(f'.nwbcw-row[data-location="{EPHYS}"]')
            try:
                row.wait_for(timeout=120_000)
            except Exception as error:  # say why: marimo logs the cell's traceback (e.g. a too-old ipywidgets)
                log = server.log_tail()
                raise AssertionError(f"the widget did not render in marimo; marimo's log ends with:\n{log}") from error
            locations = page.locator(".nwbcw-row[data-location]").evaluate_all(
                "rows => rows.map(row => row.dataset.location)"
            )
            assert EPHYS in locations and "acquisition/position/data" in locations

            # An edit reaches Python, which sends back the estimate.
            chunk0 = row.locator('input[data-field="chunk_shape"][data-axis="0"]')
            chunk0.fill("1000")
            chunk0.press("Enter")
            size = row.locator(".nwbcw-chunk-size")
            page.wait_for_function("el => el.textContent === '8.00 KB'", arg=size.element_handle())
            assert row.locator(".nwbcw-chunk-count").text_content() == "100 chunks"
            # Details draw the chunk grid from Python's geometry: a time window in one of the 100 chunks.
            row.locator(".nwbcw-inspect-button").click()
            grid = page.locator(".nwbcw-inspect svg.nwbcw-chunk-grid text", has_text="touches 1 of 100 chunks")
            grid.first.wait_for()

            # A rejected edit: Python's error next to the field and Apply blocked; Escape puts Python's value back.
            chunk0.fill("200000")
            chunk0.press("Enter")
            error = row.locator(".nwbcw-c-chunk .nwbcw-msg-error")
            error.wait_for()
            assert "larger than the data" in error.text_content()
            assert page.locator(".nwbcw-apply").is_disabled()
            chunk0.press("Escape")
            error.wait_for(state="detached")
            assert chunk0.input_value() == "1000"

            # Accessible in marimo too (the widget sits in a shadow root): no serious axe-core violation, and Apply
            # is reached from the row by Tab.
            apply = page.locator(".nwbcw-apply")
            page.wait_for_function("el => !el.disabled", arg=apply.element_handle())
            assert audit(page) == []
            chunk0.focus()
            assert tab_to(page, "nwbcw-apply") > 1

            # Apply writes the file with the edited chunks.
            folder = Path(SCREENSHOTS) if SCREENSHOTS else tmp_path
            folder = folder if folder.is_absolute() else REPO / folder
            folder.mkdir(parents=True, exist_ok=True)
            page.locator(".nwbcw-inspect-head .nwbcw-dismiss").click()  # the screenshot shows the table, as edited
            page.locator(".nwbcw-inspect").wait_for(state="hidden")
            page.locator(".nwbcw").screenshot(path=str(folder / "widget_marimo.png"))
            apply.click()
            result = page.locator(".nwbcw-result-head")
            result.wait_for()
            assert output.name in result.text_content()
        finally:
            browser.close()
    with h5py.File(output, "r") as file:
        assert file[EPHYS].chunks == (1000, 4)
        assert file[EPHYS].compression == "gzip"
    assert errors == []


#: In the widget's own root (marimo puts it in a shadow root): every row part inside the widget's box, and the widget
#: inside the window.
LAYOUT = """
(root) => {
  const box = root.getBoundingClientRect();
  const outside = [];
  const parts = root.querySelectorAll(".nwbcw-row[data-location] .nwbcw-cell, .nwbcw-row input, .nwbcw-row select");
  for (const part of parts) {
    const rect = part.getBoundingClientRect();
    if (rect.width === 0 && rect.height === 0) continue;
    if (rect.left < box.left - 0.5 || rect.right > box.right + 0.5) outside.push(part.className || part.tagName);
  }
  const page = document.scrollingElement;
  return { outside, rows: root.querySelectorAll(".nwbcw-row[data-location]").length,
           inWindow: box.left >= -0.5 && box.right <= document.documentElement.clientWidth + 0.5,
           sideways: page.scrollWidth > page.clientWidth + 1 };
}
"""


def test_layout_and_virtual_rows_with_3000_datasets_in_marimo(tmp_path):
    from playwright.sync_api import sync_playwright

    notebook = marimo_notebook(tmp_path / "many.py", "many_out.nwb", series=1_500)
    with MarimoServer(notebook) as server, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 1280, "height": 1200})
        page.set_default_timeout(120_000)
        try:
            page.goto(server.url)
            page.locator(".nwbcw-row[data-location]").first.wait_for(timeout=180_000)
            root = page.locator(".nwbcw").first
            for width in (1280, 1920):
                page.set_viewport_size({"width": width, "height": 1200})
                page.wait_for_timeout(500)
                layout = root.evaluate(LAYOUT)
                assert layout["rows"] >= 6, layout
                assert layout["outside"] == [] and layout["inWindow"] and not layout["sideways"], (width, layout)
            result = page.locator(".nwbcw-scroller").first.evaluate(SCROLL_THROUGH)
            assert result["seen"] == 3_002, result  # every row was shown on the way (and the two of the session)
            assert result["most"] <= 45, result
        finally:
            browser.close()


# ------------------------------------------------------------------------------------------------------------------
# Requests, threads, queued previews, pending bulk changes, filters, notices and a killed server: one marimo server,
# one page and one notebook for the tests below (run in order, the killed server last). The notebook's side door
# (see marimo_harness) runs code in the kernel, on the thread that runs marimo's cells.

TIMEOUT_S = 3
FIRST = "acquisition/ephys0/data"
SETUP = six_series_widget_cell(TIMEOUT_S, host="marimo")


class Session:
    """The marimo server, the page, the side door into the kernel, and the page's uncaught errors."""

    def __init__(self, server: MarimoServer, page, door: SideDoor, folder: Path):
        self.server, self.page, self.door, self.folder = server, page, door, folder
        self.errors: list[str] = []
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def notices(self) -> list[str]:
        return [text.strip() for text in self.page.locator(".nwbcw-notice-text").all_text_contents()]


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    from playwright.sync_api import sync_playwright

    folder = tmp_path_factory.mktemp("marimo_requests")
    results = folder / "side_door"
    results.mkdir()
    notebook = marimo_app(folder / "requests.py", [SETUP, *side_door_cells(results)])
    with MarimoServer(notebook) as server, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        page.set_default_timeout(60_000)
        try:
            page.goto(server.url)
            try:
                page.locator(".nwbcw-row[data-location]").first.wait_for(timeout=120_000)
            except Exception as error:
                log = server.log_tail()
                raise AssertionError(f"the widget did not render; marimo's log ends with:\n{log}") from error
            yield Session(server, page, SideDoor(page, results), folder)
        finally:
            browser.close()


def test_a_request_the_kernel_does_not_answer_times_out_with_a_notice_in_marimo(session):
    page, door = session.page, session.door
    apply = page.locator(".nwbcw-apply")
    page.wait_for_function("el => !el.disabled", arg=apply.element_handle())
    notice = page.locator(".nwbcw-notice-text", has_text="did not answer")
    # The kernel runs a cell for a while: the browser's Apply waits in marimo's queue, unanswered.
    with door.busy(TIMEOUT_S + 5) as still_busy:
        started = time.monotonic()
        apply.click()
        assert apply.is_disabled()
        notice.wait_for(timeout=(TIMEOUT_S + 10) * 1000)
        waited = time.monotonic() - started
        assert notice.text_content() == (
            f"The kernel did not answer Apply within {TIMEOUT_S} s; it may have restarted: run the cell again."
        )
        assert waited >= TIMEOUT_S - 0.5
        page.wait_for_function("el => !el.disabled", arg=apply.element_handle())
        assert still_busy()  # the kernel has not handled the Apply yet
        assert not (session.folder / "requests_out.nwb").exists()
    # The kernel is free again and handles the Apply after all: the notice goes, the file is written.
    notice.wait_for(state="detached", timeout=60_000)
    door.wait_for("widget.status == 'done'")
    page.locator(".nwbcw-result-head").wait_for()
    with h5py.File(session.folder / "requests_out.nwb", "r") as file:
        assert file[FIRST].compression == "gzip"
    assert session.errors == []


def test_every_synced_trait_and_message_is_on_the_kernels_thread_in_marimo(session):
    page, door = session.page, session.door
    door.run(
        RECORD_THREADS
        + """
widget.overwrite = True
preview_thread = widget.preview()
job = widget.apply()
"""
    )
    door.wait_for("widget.status == 'done' and widget.totals['previewed'] == len(widget.rows)")
    # The preview and the write ran in worker threads, and marimo's kernel is a thread of the server (marimo run).
    assert door.value("job.thread.ident != kernel_thread != preview_thread.ident")
    assert door.value("threading.main_thread().ident != kernel_thread")
    # The view's messages too: a state update (the overwrite box) and an action (a row's preview), each sent while a
    # cell runs, which they wait for.
    overwrite = page.locator(".nwbcw-overwrite")
    overwrite.wait_for(state="visible")
    assert overwrite.is_checked()
    with door.busy(2) as still_busy:
        overwrite.uncheck()
        page.locator(".nwbcw-row[data-location] .nwbcw-preview-button").first.click()
        assert still_busy()
    door.wait_for("widget.overwrite is False and widget.totals['previewed'] == len(widget.rows)")
    assert door.value("[name for name, _ in threads_seen].count('overwrite')") == 2
    seen = door.value("sorted({name for name, _ in threads_seen})")
    assert {"overwrite", "progress", "result", "status", "totals", "message"} <= set(seen)
    assert door.value("sorted({name for name, thread in threads_seen if thread != kernel_thread})") == []
    door.run("widget.send = _send")
    assert session.errors == []


def test_a_queued_preview_all_is_cancelled_from_the_view_in_marimo(session):
    page, door = session.page, session.door
    # Keep the preview worker busy, so that every preview stays queued until the Cancel.
    door.run("import threading\ngate = threading.Event()\nwidget.insight.preview_worker.submit(lambda: gate.wait(120))")
    try:
        page.locator(".nwbcw-preview-all").click()
        cancel = page.locator(".nwbcw-cancel-previews")
        cancel.wait_for(state="visible")
        queued = page.locator(".nwbcw-queued")
        page.wait_for_function("el => el.textContent === '6 previews queued'", arg=queued.element_handle())
        assert page.locator(".nwbcw-row[data-location] .nwbcw-preview-button", has_text="Queued…").count() >= 1
        cancel.click()
        cancel.wait_for(state="hidden")
        page.locator(".nwbcw-notice-text", has_text="6 queued preview(s) cancelled.").wait_for()
        assert page.locator(".nwbcw-preview-button", has_text="Queued…").count() == 0
        # The rows show again what they showed before: the figures of the earlier preview.
        assert page.locator(".nwbcw-row[data-location] .nwbcw-preview-button", has_text="Preview again").count() >= 1
        assert door.value("sorted({row['preview']['status'] for row in widget.rows})") == ["done"]
    finally:
        door.run("gate.set()")
    assert session.errors == []


def test_apply_to_all_is_pending_until_python_answers_in_marimo(session):
    page, door = session.page, session.door
    first = page.locator(".nwbcw-row[data-location]").first
    location = first.get_attribute("data-location")
    method = f"widget.backend_configuration.dataset_configurations[{location!r}].compression_method"
    assert door.value(method) == "gzip"
    apply_all = page.get_by_role("button", name="Apply to all")

    # The kernel answers late, after the timeout: every row shows lzf at once, as pending (fields disabled, busy)...
    page.locator(".nwbcw-all-method").select_option("lzf")
    pending = page.locator(".nwbcw-row.nwbcw-pending")
    notice = page.locator(".nwbcw-notice-text", has_text="did not answer Apply to all")
    with door.busy(TIMEOUT_S + 5) as still_busy:
        apply_all.click()
        assert first.locator(".nwbcw-method").input_value() == "lzf"
        assert "nwbcw-pending" in first.get_attribute("class") and first.get_attribute("aria-busy") == "true"
        assert first.locator(".nwbcw-method").is_disabled()
        assert pending.count() == page.locator(".nwbcw-row[data-location]").count() >= 6
        # ...until the timeout: Python's values come back, with a notice, the rows usable again...
        notice.wait_for(timeout=(TIMEOUT_S + 10) * 1000)
        assert notice.text_content() == (
            f"The kernel did not answer Apply to all within {TIMEOUT_S} s; it may have restarted: run the cell again."
        )
        assert pending.count() == 0
        assert first.locator(".nwbcw-method").input_value() == "gzip" and first.get_attribute("aria-busy") is None
        assert not first.locator(".nwbcw-method").is_disabled()
        assert still_busy()
    # ...and Python's late answer still comes: the notice goes and every row shows lzf, from Python this time.
    notice.wait_for(state="detached", timeout=60_000)
    page.wait_for_function("el => el.value === 'lzf'", arg=first.locator(".nwbcw-method").element_handle())
    assert door.value("sorted({row['compression_method'] for row in widget.rows})") == ["lzf"]

    # Answered in time: pending while the kernel is busy, then Python's rows, no notice.
    page.locator(".nwbcw-all-method").select_option("gzip")
    with door.busy(1.5) as still_busy:
        apply_all.click()
        assert first.locator(".nwbcw-method").input_value() == "gzip" and pending.count() >= 6
        assert still_busy()
    page.wait_for_function("el => !el.classList.contains('nwbcw-pending')", arg=first.element_handle())
    assert pending.count() == 0
    assert first.locator(".nwbcw-method").input_value() == "gzip"
    assert door.value(method) == "gzip"
    assert page.locator(".nwbcw-notice-text", has_text="did not answer").count() == 0
    assert session.errors == []


def test_filter_options_are_edited_in_the_view_in_marimo(session):
    """As test_browser_layout's JupyterLab test, on the Zarr backend, switched to from the view."""
    page, door = session.page, session.door
    zarr = page.locator('.nwbcw-seg[data-backend="zarr"]')
    zarr.click()
    page.wait_for_function("el => el.getAttribute('aria-pressed') === 'true'", arg=zarr.element_handle())
    assert door.value("widget.backend_configuration.backend") == "zarr"
    row = page.locator(f'.nwbcw-row[data-location="{FIRST}"]')
    add = row.locator(".nwbcw-add-filter")
    add.focus()
    add.select_option("shuffle")
    option = row.locator('.nwbcw-chip input[data-option="elementsize"]')
    option.wait_for()
    configuration = f"widget.backend_configuration.dataset_configurations[{FIRST!r}]"
    assert door.value(f"list({configuration}.filter_methods)") == ["shuffle"]

    # A refused value: the reason next to the filters, the text kept, the row invalid, the model unchanged.
    option.fill("-3")
    option.press("Enter")
    error = row.locator(".nwbcw-c-filters .nwbcw-msg-error")
    error.wait_for()
    assert "elementsize" in error.text_content() and "at least 1" in error.text_content()
    assert option.input_value() == "-3"
    assert "nwbcw-invalid" in row.get_attribute("class")
    assert door.value(f"[dict(item) if item else None for item in {configuration}.filter_options]") == [None]

    # A good one: taken by the model, the error gone.
    option.fill("2")
    option.press("Enter")
    error.wait_for(state="detached")
    assert door.value(f"[dict(item) if item else None for item in {configuration}.filter_options]") == [
        {"elementsize": 2}
    ]
    option.blur()
    assert option.input_value() == "2"
    assert session.errors == []


def test_dismissed_notices_stay_dismissed_as_new_ones_come_in_marimo(session):
    """Python keeps the last 6 notices; the view remembers which the user dismissed, by their ids."""
    page, door = session.page, session.door
    door.run("widget.notices = []\nfor _n in range(1, 7):\n    widget._notice('info', f'notice {_n}')")
    ours = lambda: [text for text in session.notices() if text.startswith("notice ")]  # noqa: E731
    page.locator(".nwbcw-notice-text", has_text="notice 6").wait_for()
    assert ours() == [f"notice {n}" for n in range(1, 7)]

    def dismiss(n: int) -> None:
        box = page.locator(".nwbcw-notice").filter(has=page.locator(".nwbcw-notice-text", has_text=f"notice {n}"))
        box.locator(".nwbcw-dismiss").click()
        box.wait_for(state="detached")

    dismiss(6)
    dismiss(4)
    for n in (7, 8):
        door.run(f"widget._notice('info', 'notice {n}')")
        page.locator(".nwbcw-notice-text", has_text=f"notice {n}").wait_for()
        assert "notice 6" not in ours() and "notice 4" not in ours()
    # One more from an action of the view: Python's notice of an Apply to all.
    page.locator(".nwbcw-all-method").select_option("gzip")
    page.get_by_role("button", name="Apply to all").click()
    page.locator(".nwbcw-notice-text", has_text="Compression gzip set for all 6 datasets.").wait_for()
    assert ours() == ["notice 5", "notice 7", "notice 8"]  # 1 to 3 dropped by Python, 4 and 6 dismissed here
    texts = door.value("[notice['text'] for notice in widget.notices]")
    assert texts == [*(f"notice {n}" for n in range(4, 9)), "Compression gzip set for all 6 datasets."]
    assert session.errors == []


def test_a_killed_server_during_a_write_leaves_the_view_usable_in_marimo(session):
    """Last of the module: it kills the marimo server (and its kernel, a thread of it) while a write runs. The view
    stays on the page: it says the write went silent, can be used again, and Apply says at once it cannot be sent."""
    page, door = session.page, session.door
    # A write that runs until the server dies (it checks Cancel, which never comes).
    door.run(
        "def _slow_writer(request, progress, cancel):\n"
        "    while not cancel.wait(0.5):\n"
        "        pass\n"
        "widget.writer = _slow_writer\n"
        "widget.output_path = 'killed.nwb.zarr'\n"
        "widget.apply()"
    )
    apply = page.locator(".nwbcw-apply")
    page.wait_for_function("el => el.textContent === 'Writing…'", arg=apply.element_handle())
    # Python's heartbeat keeps the view quiet while the write runs, longer than the timeout.
    time.sleep(TIMEOUT_S + 1.5)
    assert page.locator(".nwbcw-notice-text", has_text="No news").count() == 0
    assert page.locator(".nwbcw-progress-text").text_content().endswith(" s)")  # the time elapsed
    assert apply.is_disabled()

    session.server.kill()
    silent = page.locator(".nwbcw-notice-text", has_text="No news of the write from the kernel")
    silent.wait_for(timeout=(TIMEOUT_S + 30) * 1000)
    assert silent.text_content() == (
        f"No news of the write from the kernel for {TIMEOUT_S} s; it may have restarted (run the cell again) or be "
        "busy with other code (its progress then comes back here)."
    )
    assert page.locator(".nwbcw-body").evaluate("el => el.disabled") is False
    assert apply.text_content() == "Apply" and not apply.is_disabled()
    # marimo's send returns a Promise that the browser rejects (the server is gone): said at once, not after the
    # timeout.
    started = time.monotonic()
    apply.click()
    notice = page.locator(".nwbcw-notice-text", has_text="Apply")  # "Could not send Apply…" or a timeout's notice
    notice.wait_for(timeout=(TIMEOUT_S + 10) * 1000)
    waited = time.monotonic() - started
    text = notice.text_content()
    assert text.startswith("Could not send Apply to the kernel ("), (text, waited)
    assert text.endswith("); it may have restarted: run the cell again.")
    assert waited < TIMEOUT_S - 0.5, f"the view waited {waited:.1f} s"
    page.wait_for_function("el => !el.disabled", arg=apply.element_handle())
    assert page.locator(".nwbcw-notice-text", has_text="did not answer").count() == 0
    assert session.errors == []
