"""End to end in a real browser: JupyterLab 4 + Debian Chromium (through Playwright) + the widget in a notebook.

Skipped when Chromium, Playwright or JupyterLab are missing, unless NWBCONFIG_REQUIRE_BROWSER=1 (as in CI), which
turns the skip into a failure. Screenshots go to the test's temporary folder, or to the folder named by
NWBCONFIG_SCREENSHOT_DIR (``NWBCONFIG_SCREENSHOT_DIR=docs`` refreshes the committed ones).
"""

from __future__ import annotations

import os
from pathlib import Path

import h5py
import pytest
from a11y_support import audit, axe_missing, tab_to
from jupyter_harness import (
    REPO,
    JupyterLabServer,
    KernelProbe,
    browser_tests_available,
    launch_chromium,
    open_notebook,
)
from jupyter_harness import write_notebook as _write_notebook

_missing = browser_tests_available() or axe_missing()
if _missing and os.environ.get("NWBCONFIG_REQUIRE_BROWSER") == "1":
    raise RuntimeError(f"browser tests required but cannot run: {_missing}")
pytestmark = pytest.mark.skipif(_missing is not None, reason=f"browser tests need: {_missing}")

SCREENSHOTS = os.environ.get("NWBCONFIG_SCREENSHOT_DIR")
EPHYS = "acquisition/ephys/data"
SETUP = """
import numpy as np
from pynwb import TimeSeries
from pynwb.testing.mock.file import mock_NWBFile
from nwbconfig_widget.widget import ConfiguratorWidget

nwbfile = mock_NWBFile()
data = (np.random.default_rng(0).normal(size=(100_000, 4)) * 50).astype("int16")
nwbfile.add_acquisition(TimeSeries(name="ephys", data=data, unit="V", rate=1000.0))
nwbfile.add_acquisition(TimeSeries(name="position", data=np.linspace(0, 1, 5_000), unit="m", rate=50.0))
for start in range(20):
    nwbfile.add_trial(start_time=float(start), stop_time=start + 0.5)
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("lab")
    with JupyterLabServer(root) as server:
        yield server


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, tmp_path):
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.dialogs = []
    page.screenshot_dir = tmp_path
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    yield page
    context.close()


def notebook(server, name, *cells):
    _write_notebook(server.root / name, list(cells))
    return name


def row(page, location):
    return page.locator(f'.nwbcw-row[data-location="{location}"]')


def axis(page, location, field, index):
    return row(page, location).locator(f'input[data-field="{field}"][data-axis="{index}"]')


def screenshot(page, name):
    folder = Path(SCREENSHOTS) if SCREENSHOTS else page.screenshot_dir
    if not folder.is_absolute():
        folder = REPO / folder
    folder.mkdir(parents=True, exist_ok=True)
    page.locator(".nwbcw").screenshot(path=str(folder / name))


def start(page, server, name):
    open_notebook(page, server, name)
    page.wait_for_selector(".nwbcw .nwbcw-row[data-location]")
    page.evaluate("() => window.jupyterapp.commands.execute('application:toggle-left-area')")
    return KernelProbe(server.kernel_connection_file(name))


def test_edit_estimate_error_and_apply_in_jupyterlab(server, page):
    name = notebook(
        server, "configure.ipynb", SETUP, 'widget = ConfiguratorWidget(nwbfile, nwbfile_path="e2e_out.nwb")\nwidget'
    )
    probe = start(page, server, name)
    try:
        screenshot(page, "widget_overview.png")
        # Edit a chunk shape: the estimate (computed in Python) changes, and so does the Python model.
        chunk0 = axis(page, EPHYS, "chunk_shape", 0)
        chunk0.fill("1000")
        chunk0.press("Enter")
        size = row(page, EPHYS).locator(".nwbcw-chunk-size")
        page.wait_for_function("el => el.textContent === '8.00 KB'", arg=size.element_handle())
        assert row(page, EPHYS).locator(".nwbcw-chunk-count").text_content() == "100 chunks"
        assert probe.value(f"widget.backend_configuration.dataset_configurations[{EPHYS!r}].chunk_shape") == [1000, 4]

        # A change made in Python shows up in the browser.
        probe.run(f"widget.backend_configuration.dataset_configurations[{EPHYS!r}].buffer_shape = (50_000, 4)")
        page.wait_for_function("el => el.value === '50000'", arg=axis(page, EPHYS, "buffer_shape", 0).element_handle())

        # An invalid value: error next to the field, the text kept, Apply disabled, the model unchanged.
        chunk0.fill("200000")
        chunk0.press("Enter")
        error = row(page, EPHYS).locator(".nwbcw-c-chunk .nwbcw-msg-error")
        error.wait_for()
        assert "larger than the data" in error.text_content()
        assert chunk0.input_value() == "200000"
        apply = page.locator(".nwbcw-apply")
        assert apply.is_disabled()
        assert "invalid" in page.locator(".nwbcw-blockers").text_content()
        assert probe.value(f"widget.backend_configuration.dataset_configurations[{EPHYS!r}].chunk_shape") == [1000, 4]
        screenshot(page, "widget_invalid.png")

        # Fix it and Apply: the file is written with the chosen settings.
        chunk0.fill("2000")
        chunk0.press("Enter")
        error.wait_for(state="detached")
        page.wait_for_function("el => !el.disabled", arg=apply.element_handle())
        apply.click()
        result = page.locator(".nwbcw-result-head")
        result.wait_for()
        assert "e2e_out.nwb" in result.text_content()
        page.locator(".nwbcw-result-details summary").click()
        screenshot(page, "widget_result.png")
        with h5py.File(Path(server.root) / "e2e_out.nwb", "r") as file:
            dataset = file["acquisition/ephys/data"]
            assert dataset.chunks == (2000, 4)
            assert dataset.compression == "gzip"
        assert probe.value("widget.status") == "done"
        assert page.dialogs == []
    finally:
        probe.close()


def test_preview_details_chart_and_export_in_jupyterlab(server, page):
    name = notebook(server, "insight.ipynb", SETUP, "widget = ConfiguratorWidget(nwbfile)\nwidget")
    probe = start(page, server, name)
    try:
        # Per-row preview: runs in a worker thread in the kernel; the ratio is patched into the row.
        row(page, EPHYS).locator(".nwbcw-preview-button").click()
        ratio = row(page, EPHYS).locator(".nwbcw-preview-ratio")
        page.wait_for_function("el => /ratio [0-9.]+×/.test(el.textContent)", arg=ratio.element_handle())
        assert "MB/s" in row(page, EPHYS).locator(".nwbcw-preview-speed").text_content()
        status = f"next(r for r in widget.rows if r['location'] == {EPHYS!r})['preview']['status']"
        assert probe.value(status) == "done"
        totals = page.locator(".nwbcw-totals")
        page.wait_for_function("el => el.textContent.includes('stored (est.)')", arg=totals.element_handle())

        # Details: read costs per chunk shape, then the codec comparison chart.
        row(page, EPHYS).locator(".nwbcw-inspect-button").click()
        panel = page.locator(".nwbcw-inspect")
        panel.locator(".nwbcw-access-table tbody tr").first.wait_for()
        assert "whole dataset" in panel.locator(".nwbcw-access-table").text_content()
        panel.locator(".nwbcw-compare-button").click()
        panel.locator("svg.nwbcw-chart circle").first.wait_for(timeout=120_000)
        assert panel.locator(".nwbcw-compare-table tbody tr").count() >= 5
        panel.scroll_into_view_if_needed()
        screenshot(page, "widget_insight.png")

        # Export: Python code, shown read-only to copy.
        page.locator(".nwbcw-export-format").select_option("python")
        page.locator(".nwbcw-export-button").click()
        text = page.locator(".nwbcw-export-text")
        code = "el => el.value.includes('get_default_backend_configuration')"
        page.wait_for_function(code, arg=text.element_handle())
        assert page.dialogs == []
    finally:
        probe.close()


def test_names_from_the_file_are_shown_literally_and_nothing_runs(server, page):
    evil = """
nwbfile.add_acquisition(TimeSeries(name="<img src=x onerror=window.__xss=1>", data=np.arange(10.0), unit="m", rate=1.0))
nwbfile.add_acquisition(TimeSeries(name="<script>window.__xss=2", data=np.arange(10.0), unit="m", rate=1.0,
                                   description="<img src=y onerror=alert(3)>"))
widget = ConfiguratorWidget(nwbfile)
widget
"""
    name = notebook(server, "xss.ipynb", SETUP, evil)
    probe = start(page, server, name)
    try:
        widget = page.locator(".nwbcw")
        names = widget.locator(".nwbcw-group-name").all_text_contents()
        assert "<img src=x onerror=window.__xss=1>" in names
        assert "<script>window.__xss=2" in names
        assert row(page, "acquisition/<img src=x onerror=window.__xss=1>/data").count() == 1
        assert widget.locator("img").count() == 0 and widget.locator("script").count() == 0
        page.wait_for_timeout(500)
        assert page.evaluate("() => window.__xss") is None
        assert page.dialogs == []
        screenshot(page, "widget_xss.png")
        assert probe.value("widget.rows[0]['location']").startswith("acquisition/")
    finally:
        probe.close()


def test_notebook7_renders_and_edits(browser, tmp_path):
    root = tmp_path / "nb7"
    root.mkdir()
    _write_notebook(root / "nb7.ipynb", [SETUP + "widget = ConfiguratorWidget(nwbfile)\nwidget"])
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        with JupyterLabServer(root, app="notebook") as server:
            open_notebook(page, server, "nb7.ipynb")
            chunk0 = axis(page, EPHYS, "chunk_shape", 0)
            chunk0.wait_for()
            chunk0.fill("1000")
            chunk0.press("Enter")
            size = row(page, EPHYS).locator(".nwbcw-chunk-size")
            page.wait_for_function("el => el.textContent === '8.00 KB'", arg=size.element_handle())
            # Details draw the chunk grid from Python's geometry: 100 chunks of 1,000 samples, a time window in one.
            row(page, EPHYS).locator(".nwbcw-inspect-button").click()
            grid = page.locator(".nwbcw-inspect svg.nwbcw-chunk-grid text", has_text="touches 1 of 100 chunks")
            grid.first.wait_for()
            # Accessible here too: no serious axe-core violation, and the output path is reached from the row by Tab.
            assert audit(page) == []
            chunk0.focus()
            assert tab_to(page, "nwbcw-path") > 1  # Apply waits for a path here (a disabled button takes no focus)
    finally:
        context.close()
