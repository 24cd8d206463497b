"""The widget's layout and virtual rows in a real browser: JupyterLab 4 and Jupyter Notebook 7, in Debian Chromium
(through Playwright).

- At 1280 px and 1920 px wide windows (JupyterLab's default layout, file browser open), every cell and control of
  every row lies inside the notebook cell's visible box, and neither the page nor the notebook scrolls sideways.
  Screenshots go to the test's temporary folder, or to NWBCONFIG_SCREENSHOT_DIR (``NWBCONFIG_SCREENSHOT_DIR=docs``
  refreshes docs/widget_1280.png and docs/widget_1920.png).
- After scrolling through every row of a 3,000-dataset table, the page holds only a bounded number of rows.
- Filter options are edited in the view (Zarr backend), in JupyterLab and in Notebook 7: sent to Python, and a refused
  value shown next to the field.
- In Notebook 7, every column fits the cell at both widths too, and the 3,000 rows scroll with few rows in the page.

One JupyterLab server, one Notebook 7 server (started by the first test that needs it) and one browser for the
module. Skipped without Chromium, Playwright or JupyterLab, unless NWBCONFIG_REQUIRE_BROWSER=1 (as in CI).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from jupyter_harness import (
    REPO,
    SCROLL_THROUGH,
    JupyterLabServer,
    KernelProbe,
    browser_tests_available,
    launch_chromium,
    open_notebook,
)
from jupyter_harness import write_notebook as _write_notebook

_missing = browser_tests_available()
if _missing and os.environ.get("NWBCONFIG_REQUIRE_BROWSER") == "1":
    raise RuntimeError(f"browser tests required but cannot run: {_missing}")
pytestmark = pytest.mark.skipif(_missing is not None, reason=f"browser tests need: {_missing}")

SCREENSHOTS = os.environ.get("NWBCONFIG_SCREENSHOT_DIR")
EPHYS = "acquisition/ephys/data"
#: A file with datasets of rank 1 to 4 and long names, so that the widest cells of a real file are laid out.
SETUP = """
import numpy as np
from pynwb import TimeSeries
from pynwb.testing.mock.file import mock_NWBFile
from nwbconfig_widget.widget import ConfiguratorWidget

nwbfile = mock_NWBFile()
data = (np.random.default_rng(0).normal(size=(100_000, 4)) * 50).astype("int16")
nwbfile.add_acquisition(TimeSeries(name="ephys", data=data, unit="V", rate=1000.0))
nwbfile.add_acquisition(TimeSeries(name="position", data=np.linspace(0, 1, 5_000), unit="m", rate=50.0))
nwbfile.add_acquisition(TimeSeries(name="imaging_plane_with_a_rather_long_name", data=np.zeros((200, 64, 48), "uint16"),
                                   unit="a.u.", rate=30.0))
nwbfile.add_acquisition(TimeSeries(name="volume", data=np.zeros((20, 16, 16, 8), "float32"), unit="a.u.", rate=5.0))
for start in range(20):
    nwbfile.add_trial(start_time=float(start), stop_time=start + 0.5)
"""
#: Resolves after two animation frames: the layout has followed a change of the window.
TWO_FRAMES = "() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))"
#: Everything of a row a person reads or uses: its cells and controls.
ROW_PARTS = ".nwbcw-cell, input, select, button, .nwbcw-chip, .nwbcw-msg"
LAYOUT = """
() => {
  const widget = document.querySelector(".nwbcw");
  const output = widget.closest(".jp-OutputArea-output") || widget.parentElement;
  // The cell's visible box: the output area, cut by every ancestor that clips (the notebook's scrolling panel).
  let box = output.getBoundingClientRect();
  let clip = { left: box.left, right: box.right };
  for (let node = output.parentElement; node; node = node.parentElement) {
    const style = getComputedStyle(node);
    if (style.overflowX !== "visible") {
      const rect = node.getBoundingClientRect();
      clip = { left: Math.max(clip.left, rect.left), right: Math.min(clip.right, rect.right) };
    }
  }
  clip.right = Math.round(Math.min(clip.right, document.documentElement.clientWidth));
  clip.left = Math.round(clip.left);
  const outside = [];
  const parts = [widget, ...widget.querySelectorAll(".nwbcw-table, .nwbcw-toolbar, .nwbcw-output")];
  parts.push(...widget.querySelectorAll(".nwbcw-header .nwbcw-cell"));
  for (const row of widget.querySelectorAll(".nwbcw-row[data-location]")) parts.push(...row.querySelectorAll(PARTS));
  for (const part of parts) {
    const rect = part.getBoundingClientRect();
    if (rect.width === 0 && rect.height === 0) continue; // not shown (e.g. an empty message box)
    if (rect.left < clip.left - 0.5 || rect.right > clip.right + 0.5) {
      const where = part.closest("[data-location]")?.dataset.location || "widget";
      const [left, right] = [rect.left, rect.right].map(Math.round);
      outside.push(`${part.className || part.tagName} of ${where}: ${left}-${right} not in ${clip.left}-${clip.right}`);
    }
  }
  const scrollers = [document.scrollingElement];
  scrollers.push(...document.querySelectorAll(".jp-WindowedPanel-outer, .jp-Notebook, .nwbcw-scroller"));
  return {
    outside,
    sideways: scrollers.filter((node) => node && node.scrollWidth > node.clientWidth + 1)
      .map((node) => `${node.className || node.tagName}: ${node.scrollWidth} > ${node.clientWidth}`),
    rows: widget.querySelectorAll(".nwbcw-row[data-location]").length,
    cellWidth: Math.round(clip.right - clip.left),
    rowHeight: widget.querySelector(".nwbcw-row[data-location]").getBoundingClientRect().height,
  };
}
""".replace("PARTS", repr(ROW_PARTS))


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("lab")
    with JupyterLabServer(root) as server:
        yield server


@pytest.fixture(scope="module")
def notebook7_server(tmp_path_factory):
    root = tmp_path_factory.mktemp("nb7")
    with JupyterLabServer(root, app="notebook") as server:
        yield server


@pytest.fixture(params=["lab", "notebook"], ids=["jupyterlab", "notebook7"])
def host(request):
    """The JupyterLab server or the Notebook 7 server of the module."""
    return request.getfixturevalue("server" if request.param == "lab" else "notebook7_server")


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, tmp_path):
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(120_000)
    page.screenshot_dir = tmp_path
    yield page
    context.close()


def notebook(server, name, *cells):
    _write_notebook(server.root / name, list(cells))
    return name


def screenshot(page, name):
    folder = Path(SCREENSHOTS) if SCREENSHOTS else page.screenshot_dir
    if not folder.is_absolute():
        folder = REPO / folder
    folder.mkdir(parents=True, exist_ok=True)
    page.locator(".nwbcw").screenshot(path=str(folder / name))


def row(page, location):
    return page.locator(f'.nwbcw-row[data-location="{location}"]')


def start(page, server, name):
    open_notebook(page, server, name)
    page.wait_for_selector(".nwbcw .nwbcw-row[data-location]")
    return KernelProbe(server.kernel_connection_file(name))


def test_every_column_fits_the_cell_at_1280_and_1920_px(server, page):
    probe = start(page, server, notebook(server, "layout.ipynb", SETUP, "widget = ConfiguratorWidget(nwbfile)\nwidget"))
    try:
        # Messages and filters make rows taller and wider: an invalid chunk (error text) and two filters.
        chunk = row(page, EPHYS).locator('input[data-field="chunk_shape"][data-axis="0"]')
        chunk.fill("999999")
        chunk.press("Enter")
        row(page, EPHYS).locator(".nwbcw-c-chunk .nwbcw-msg-error").wait_for()
        probe.run(f"widget.backend_configuration.dataset_configurations[{EPHYS!r}].filter_methods = ('shuffle',)")
        row(page, EPHYS).locator(".nwbcw-chip").wait_for()
        for width in (1280, 1920):
            page.set_viewport_size({"width": width, "height": 1500})  # tall enough to show the whole widget
            page.wait_for_timeout(300)  # JupyterLab's panels follow the window in the next frames
            page.evaluate(TWO_FRAMES)
            layout = page.evaluate(LAYOUT)
            assert layout["rows"] >= 6, layout
            assert layout["outside"] == [], f"at {width} px: {layout['outside'][:5]}"
            assert layout["sideways"] == [], f"at {width} px: {layout['sideways']}"
            page.locator(".nwbcw").scroll_into_view_if_needed()
            screenshot(page, f"widget_{width}.png")
        # The wide window shows each dataset on one line; the narrow one on two (the columns wrap, none is cut off).
        assert layout["cellWidth"] > 1250
        page.set_viewport_size({"width": 1280, "height": 1000})
        page.wait_for_timeout(300)
        narrow = page.evaluate(LAYOUT)
        assert narrow["cellWidth"] < 1250 and narrow["outside"] == []
        tops = row(page, EPHYS).evaluate(
            "r => [...r.querySelectorAll(':scope > .nwbcw-cell')].map((c) => Math.round(c.getBoundingClientRect().top))"
        )
        assert len(set(tops)) == 2, tops
    finally:
        probe.close()


THREE_THOUSAND = """
import numpy as np
from pynwb import TimeSeries
from pynwb.testing.mock.file import mock_NWBFile
from nwbconfig_widget.widget import ConfiguratorWidget

nwbfile = mock_NWBFile()
for index in range(1_500):
    nwbfile.add_acquisition(TimeSeries(name=f"series{index:04d}", data=np.zeros((1000, 4), dtype="int16"), unit="V",
                                       timestamps=np.arange(1000.0)))
widget = ConfiguratorWidget(nwbfile)
widget
"""


def test_scrolling_through_3000_datasets_keeps_few_rows_in_the_page(server, page):
    probe = start(page, server, notebook(server, "three_thousand.ipynb", THREE_THOUSAND))
    try:
        assert probe.value("len(widget.rows)") == 3000
        result = page.locator(".nwbcw-scroller").first.evaluate(SCROLL_THROUGH)
        assert result["seen"] == 3000, result  # every row was shown on the way
        # A 640 px view holds about 20 items; with the overscan on both sides the page never holds more than ~40.
        assert result["most"] <= 45 and result["items"] <= 50, result

        # An edit made after scrolling through everything, then scrolled away and back, shows Python's state.
        last = "acquisition/series1499/data"
        chunk = row(page, last).locator('input[data-field="chunk_shape"][data-axis="0"]')
        chunk.fill("250")
        chunk.press("Enter")
        size = row(page, last).locator(".nwbcw-chunk-size")
        page.wait_for_function("el => el.textContent === '2.00 KB'", arg=size.element_handle())
        chunk.blur()
        page.evaluate("() => { document.querySelector('.nwbcw-scroller').scrollTop = 0; }")
        row(page, last).wait_for(state="detached")
        probe.run(f"widget.backend_configuration.dataset_configurations[{last!r}].buffer_shape = (500, 4)")
        page.evaluate("() => { const s = document.querySelector('.nwbcw-scroller'); s.scrollTop = s.scrollHeight; }")
        row(page, last).wait_for()
        assert chunk.input_value() == "250"
        buffer = row(page, last).locator('input[data-field="buffer_shape"][data-axis="0"]')
        page.wait_for_function("el => el.value === '500'", arg=buffer.element_handle())

        # A filter keystroke after all that: the rows that match, and only those, are in the page.
        page.locator(".nwbcw-filter").fill("series000")
        count = page.locator(".nwbcw-count")
        page.wait_for_function("el => el.textContent === 'Showing 20 of 3000 datasets'", arg=count.element_handle())
        locations = [
            element.get_attribute("data-location") for element in page.locator(".nwbcw-row[data-location]").all()
        ]
        assert locations and all(location.startswith("acquisition/series000") for location in locations)
    finally:
        probe.close()


def test_filter_options_are_edited_in_the_view(host, page):
    zarr_widget = 'widget = ConfiguratorWidget(nwbfile, backend="zarr")\nwidget'
    probe = start(page, host, notebook(host, "filters.ipynb", SETUP, zarr_widget))
    try:
        add = row(page, EPHYS).locator(".nwbcw-add-filter")
        add.focus()
        add.select_option("shuffle")
        option = row(page, EPHYS).locator('.nwbcw-chip input[data-option="elementsize"]')
        option.wait_for()
        configuration = f"widget.backend_configuration.dataset_configurations[{EPHYS!r}]"
        assert probe.value(f"list({configuration}.filter_methods)") == ["shuffle"]

        # A refused value: the reason next to the filters, the text kept, the row invalid, the model unchanged.
        option.fill("-3")
        option.press("Enter")
        error = row(page, EPHYS).locator(".nwbcw-c-filters .nwbcw-msg-error")
        error.wait_for()
        assert "elementsize" in error.text_content() and "at least 1" in error.text_content()
        assert option.input_value() == "-3"
        assert "nwbcw-invalid" in row(page, EPHYS).get_attribute("class")
        assert probe.value(f"[dict(item) if item else None for item in {configuration}.filter_options]") == [None]

        # A good one: taken by the model, the error gone.
        option.fill("2")
        option.press("Enter")
        error.wait_for(state="detached")
        assert probe.value(f"[dict(item) if item else None for item in {configuration}.filter_options]") == [
            {"elementsize": 2}
        ]
        option.blur()
        assert option.input_value() == "2"
    finally:
        probe.close()


def test_notebook7_fits_the_cell_at_1280_and_1920_px_and_keeps_few_rows(browser, notebook7_server):
    """Jupyter Notebook 7 lays its cells out differently from JupyterLab (no side panels, its own widths): every
    column fits there too at both widths, and scrolling through 3,000 datasets keeps few rows in the page."""
    server = notebook7_server
    notebook(server, "layout_nb7.ipynb", SETUP, THREE_THOUSAND)
    context = browser.new_context(viewport={"width": 1280, "height": 1500})
    page = context.new_page()
    page.set_default_timeout(120_000)
    try:
        open_notebook(page, server, "layout_nb7.ipynb")
        page.wait_for_selector(".nwbcw .nwbcw-row[data-location]")
        for width in (1280, 1920):
            page.set_viewport_size({"width": width, "height": 1500})
            page.wait_for_timeout(300)
            page.evaluate(TWO_FRAMES)
            layout = page.evaluate(LAYOUT)
            assert layout["rows"] >= 6, layout
            assert layout["outside"] == [], f"Notebook 7 at {width} px: {layout['outside'][:5]}"
            assert layout["sideways"] == [], f"Notebook 7 at {width} px: {layout['sideways']}"
        result = page.locator(".nwbcw-scroller").first.evaluate(SCROLL_THROUGH)
        assert result["seen"] == 3000, result
        assert result["most"] <= 45 and result["items"] <= 50, result
    finally:
        context.close()
