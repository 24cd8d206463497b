"""The chunk grid picture in a real browser: JupyterLab 4 and Jupyter Notebook 7, each in Debian Chromium (through
Playwright).

The details panel of a row shows the dataset's chunk grid with the chunks its typical reads touch; a chunk-shape
edit redraws it from Python's new geometry; a hostile dataset name stays text. One server and one browser page per
host. Skipped like test_browser_e2e.py when the browser tools are missing (a failure with
NWBCONFIG_REQUIRE_BROWSER=1). ``NWBCONFIG_SCREENSHOT_DIR=docs`` stores the picture's screenshot (JupyterLab's) for
the docs.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from jupyter_harness import REPO, JupyterLabServer, KernelProbe, browser_tests_available, launch_chromium, open_notebook
from jupyter_harness import write_notebook as _write_notebook

_missing = browser_tests_available()
if _missing and os.environ.get("NWBCONFIG_REQUIRE_BROWSER") == "1":
    raise RuntimeError(f"browser tests required but cannot run: {_missing}")
pytestmark = pytest.mark.skipif(_missing is not None, reason=f"browser tests need: {_missing}")

SCREENSHOTS = os.environ.get("NWBCONFIG_SCREENSHOT_DIR")
EPHYS = "acquisition/ephys/data"
EVIL_NAME = "<img src=x onerror=window.__xss=1>"
EVIL = f"acquisition/{EVIL_NAME}/data"
NOTEBOOK = f"""
import numpy as np
from pynwb import TimeSeries
from pynwb.testing.mock.file import mock_NWBFile
from nwbconfig_widget.widget import ConfiguratorWidget

nwbfile = mock_NWBFile()
data = (np.random.default_rng(0).normal(size=(100_000, 4)) * 50).astype("int16")
nwbfile.add_acquisition(TimeSeries(name="ephys", data=data, unit="V", rate=1000.0))
nwbfile.add_acquisition(TimeSeries(name={EVIL_NAME!r}, data=np.arange(10.0), unit="m", rate=1.0))
widget = ConfiguratorWidget(nwbfile)
widget
"""


@pytest.fixture(scope="module", params=["lab", "notebook"], ids=["jupyterlab", "notebook7"])
def server(request, tmp_path_factory):
    root = tmp_path_factory.mktemp(request.param)
    with JupyterLabServer(root, app=request.param) as server:
        yield server


@pytest.fixture(scope="module")
def page(server, tmp_path_factory):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        context = browser.new_context(viewport={"width": 1440, "height": 1000})
        page = context.new_page()
        page.set_default_timeout(60_000)
        page.dialogs = []
        page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
        page.screenshot_dir = tmp_path_factory.mktemp("screenshots")
        yield page
        context.close()
        browser.close()


def row(page, location):
    return page.locator(f'.nwbcw-row[data-location="{location}"]')


def grid_texts(page):
    return page.locator(".nwbcw-inspect svg.nwbcw-chunk-grid text").all_text_contents()


def touched(page, read):
    """The drawn rectangles of the chunks a read touches, as (x, y, width, height)."""
    script = """([read]) => [...document.querySelectorAll('.nwbcw-inspect .nwbcw-chunk-grid-panel')]
        .filter((panel) => panel.getAttribute('data-read') === read)
        .flatMap((panel) => [...panel.querySelectorAll('.nwbcw-grid-touched')])
        .map((rect) => ['x', 'y', 'width', 'height'].map((name) => Number(rect.getAttribute(name))))"""
    return [tuple(box) for box in page.evaluate(script, [read])]


def test_details_draw_the_chunk_grid_and_redraw_it_after_an_edit(server, page):
    _write_notebook(server.root / "grid.ipynb", [NOTEBOOK])
    open_notebook(page, server, "grid.ipynb")
    page.wait_for_selector(".nwbcw .nwbcw-row[data-location]")
    if server.app == "lab":  # room for Details (Notebook 7 has no side panel open)
        page.evaluate("() => window.jupyterapp.commands.execute('application:toggle-left-area')")
    probe = KernelProbe(server.kernel_connection_file("grid.ipynb"))
    try:
        # The default chunk holds the whole 800 KB series: each read touches the only chunk.
        row(page, EPHYS).locator(".nwbcw-inspect-button").click()
        picture = page.locator(".nwbcw-inspect svg.nwbcw-chunk-grid")
        picture.wait_for()
        texts = grid_texts(page)
        assert texts[0] == f"{EPHYS}: chunks 100,000 × 4"
        assert "touches 1 of 1 chunk" in texts
        window = "time window (1% of the time axis), all channels"
        assert touched(page, window) == [(10, 56, 240, 72)]

        # Chunks of 1,000 samples, typed in the row: the picture is redrawn from Python's new geometry. The window
        # (samples 50,000-50,999) is in chunk 50 of 100, shown zoomed in among chunks 38-61 at 10 pixels a chunk.
        chunk0 = row(page, EPHYS).locator('input[data-field="chunk_shape"][data-axis="0"]')
        chunk0.fill("1000")
        chunk0.press("Enter")
        page.wait_for_function(
            "() => [...document.querySelectorAll('.nwbcw-inspect .nwbcw-chunk-grid text')]"
            ".some((node) => node.textContent === 'touches 1 of 100 chunks')"
        )
        texts = grid_texts(page)
        assert texts[0] == f"{EPHYS}: chunks 1,000 × 4"
        assert "touches 100 of 100 chunks" in texts
        assert "axis 0: chunks 38–61 of 100 shown" in texts
        assert touched(page, window) == [(130, 56, 10, 72)]
        assert touched(page, "one channel, whole recording") == [(260, 56, 240, 72)]
        assert probe.value(f"widget.backend_configuration.dataset_configurations[{EPHYS!r}].chunk_shape") == [1000, 4]
        folder = Path(SCREENSHOTS) if SCREENSHOTS and server.app == "lab" else page.screenshot_dir
        folder = folder if folder.is_absolute() else REPO / folder
        folder.mkdir(parents=True, exist_ok=True)
        picture.screenshot(path=str(folder / "widget_chunk_grid.png"))

        # A hostile dataset name is drawn as text: no element, no script.
        row(page, EVIL).locator(".nwbcw-inspect-button").click()
        page.wait_for_function(
            "([title]) => document.querySelector('.nwbcw-inspect .nwbcw-chunk-grid text')?.textContent === title",
            arg=[f"{EVIL}: chunks 10"],
        )
        assert (
            page.locator(".nwbcw-inspect .nwbcw-chunk-grid img, .nwbcw-inspect .nwbcw-chunk-grid script").count() == 0
        )
        assert page.evaluate("() => window.__xss") is None
        assert page.dialogs == []
    finally:
        probe.close()
