"""The widget in marimo, in a real browser: ``marimo run`` serves a notebook, Debian's Chromium opens it.

marimo shows anywidgets through ``mo.ui.anywidget(widget)``, with its own front end (not Jupyter's widget manager), so
this checks that the view renders there and that its messages reach Python and come back: the rows render, an edit
brings back Python's estimate, Details draw the chunk grid, a rejected edit shows Python's error, Escape puts the box
back, and Apply writes the file with the edited chunks (read back with h5py); the view passes an axe-core audit and
Apply is reached by Tab. With 3,000 datasets, every row part lies inside the widget at 1280 and 1920 px and scrolling
through all of them keeps few rows in the page.

Skipped when marimo, Chromium or Playwright are missing, unless NWBCONFIG_REQUIRE_BROWSER=1 (as in CI), which turns
the skip into a failure. A screenshot goes to the test's temporary folder, or to NWBCONFIG_SCREENSHOT_DIR.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import h5py
import pytest
from a11y_support import audit, axe_missing, tab_to
from jupyter_harness import REPO, SCROLL_THROUGH, browser_tests_available, launch_chromium
from marimo_harness import MarimoServer, marimo_app

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

