"""Accessibility of the widget in a real browser: an axe-core audit and real key presses, in JupyterLab 4.

axe-core (a dev dependency of the front end, ``npm ci`` in ``js/``) is injected into the JupyterLab page and run on the
widget's root element only (JupyterLab's own page is not ours to audit), in four states: as rendered, with an invalid
edit shown, with the details panel open, and with a notice shown. No serious or critical violation may remain.

The keyboard test presses real keys in Chromium: Tab moves through the fields, Enter sends an edit, Escape puts a
field back to Python's value, and Apply is reached and pressed without the mouse.

Skipped when Chromium, Playwright or JupyterLab are missing, unless NWBCONFIG_REQUIRE_BROWSER=1 (as in CI), which
turns the skip into a failure; axe-core missing from ``js/node_modules`` is a failure then too.
"""

from __future__ import annotations

import os
from pathlib import Path

import h5py
import pytest
from a11y_support import AXE, audit
from jupyter_harness import JupyterLabServer, KernelProbe, browser_tests_available, launch_chromium, open_notebook
from jupyter_harness import write_notebook as _write_notebook

_missing = browser_tests_available() or (None if AXE.exists() else f"{AXE} (run 'npm ci' in js/)")
if _missing and os.environ.get("NWBCONFIG_REQUIRE_BROWSER") == "1":
    raise RuntimeError(f"browser tests required but cannot run: {_missing}")
pytestmark = pytest.mark.skipif(_missing is not None, reason=f"browser tests need: {_missing}")

EPHYS = "acquisition/ephys/data"
OUTPUT = "a11y_out.nwb"
NOTEBOOK = "a11y.ipynb"
SETUP = f"""
import numpy as np
from pynwb import TimeSeries
from pynwb.testing.mock.file import mock_NWBFile
from nwbconfig_widget.widget import ConfiguratorWidget

nwbfile = mock_NWBFile()
data = (np.random.default_rng(0).normal(size=(100_000, 4)) * 50).astype("int16")
nwbfile.add_acquisition(TimeSeries(name="ephys", data=data, unit="V", rate=1000.0))
nwbfile.add_acquisition(TimeSeries(name="position", data=np.linspace(0, 1, 5_000), unit="m", rate=50.0))
widget = ConfiguratorWidget(nwbfile, nwbfile_path={OUTPUT!r})
widget
"""
CHUNK = f"widget.backend_configuration.dataset_configurations[{EPHYS!r}].chunk_shape"


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    """One JupyterLab, one browser page with the widget's notebook running, and a probe into its kernel."""
    from playwright.sync_api import sync_playwright

    root = tmp_path_factory.mktemp("a11y")
    _write_notebook(root / NOTEBOOK, [SETUP])
    with JupyterLabServer(root) as server, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        page.set_default_timeout(60_000)
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        open_notebook(page, server, NOTEBOOK)
        page.wait_for_selector(f'.nwbcw .nwbcw-row[data-location="{EPHYS}"]')
        page.evaluate("() => window.jupyterapp.commands.execute('application:toggle-left-area')")
        page.add_script_tag(path=str(AXE))
        probe = KernelProbe(server.kernel_connection_file(NOTEBOOK))
        try:
            yield server, page, probe
            assert dialogs == []
        finally:
            probe.close()
            browser.close()


def row(page, location):
    return page.locator(f'.nwbcw-row[data-location="{location}"]')


def axis(page, location, field, index):
    return row(page, location).locator(f'input[data-field="{field}"][data-axis="{index}"]')


def focused(page) -> dict:
    """What has the keyboard focus: tag, class, data-field/axis and accessible label."""
    return page.evaluate(
        """() => { const e = document.activeElement;
                   return {tag: e.tagName, cls: e.className, field: e.dataset.field || null,
                           axis: e.dataset.axis || null, location: e.closest('[data-location]')?.dataset.location,
                           label: e.labels?.length ? e.labels[0].textContent : e.getAttribute('aria-label')}; }"""
    )


def tab_until(page, predicate, limit=80, key="Tab") -> list[dict]:
    """Press Tab until ``predicate(focused)`` holds; the focus path on the way (fails after ``limit`` presses)."""
    path = []
    for _ in range(limit):
        page.keyboard.press(key)
        path.append(focused(page))
        if predicate(path[-1]):
            return path
    raise AssertionError(f"not reached with {limit} presses of {key}: {path[-5:]}")


def test_axe_finds_no_serious_violation_in_four_states(session):
    _server, page, probe = session
    found = {"as rendered": audit(page)}

    # An invalid edit, shown next to its field (and listed among the blockers of Apply).
    chunk0 = axis(page, EPHYS, "chunk_shape", 0)
    chunk0.fill("200000")
    chunk0.press("Enter")
    row(page, EPHYS).locator(".nwbcw-c-chunk .nwbcw-msg-error").wait_for()
    found["invalid edit"] = audit(page)

    # The details panel of a dataset (read costs per chunk shape).
    row(page, EPHYS).locator(".nwbcw-inspect-button").click()
    page.locator(".nwbcw-inspect .nwbcw-access-table tbody tr").first.wait_for()
    found["details open"] = audit(page)

    # A notice with details: "apply to all" with an option the codec rejects.
    page.locator(".nwbcw-all-method").select_option("gzip")
    page.locator(".nwbcw-all-options input").first.fill("not-a-level")
    page.get_by_role("button", name="Apply to all").click()
    page.locator(".nwbcw-notice-error").wait_for()
    page.locator(".nwbcw-notice-error summary").click()
    found["notice shown"] = audit(page)

    probe.run("widget.reset(); widget.notices = []; widget.inspect(None)")
    assert {state: problems for state, problems in found.items() if problems} == {}


def test_every_action_works_from_the_keyboard(session):
    server, page, probe = session
    probe.run("widget.reset()")
    chunk0 = axis(page, EPHYS, "chunk_shape", 0)
    page.wait_for_function("el => el.value === '" + str(probe.value(CHUNK)[0]) + "'", arg=chunk0.element_handle())

    # The output path box has a real <label>: the label's text names the input.
    assert page.get_by_label("Output path", exact=True).get_attribute("class") == "nwbcw-path"

    # Tab from the toolbar's filter box reaches the first chunk box of the dataset, then its next axis.
    page.locator(".nwbcw-filter").focus()
    path = tab_until(page, lambda f: f["location"] == EPHYS and f["field"] == "chunk_shape")
    assert path[-1]["axis"] == "0", path
    page.keyboard.press("Tab")
    assert (focused(page)["field"], focused(page)["axis"]) == ("chunk_shape", "1")
    page.keyboard.press("Shift+Tab")

    # Enter sends the edit: the estimate comes back from Python and the Python model has it.
    page.keyboard.press("Control+A")
    page.keyboard.type("1000")
    page.keyboard.press("Enter")
    size = row(page, EPHYS).locator(".nwbcw-chunk-size")
    page.wait_for_function("el => el.textContent === '8.00 KB'", arg=size.element_handle())
    assert probe.value(CHUNK) == [1000, 4]

    # Escape puts a typed (not sent) value back to Python's, and Python never saw the typed one.
    page.keyboard.press("Control+A")
    page.keyboard.type("77")
    page.keyboard.press("Escape")
    assert chunk0.input_value() == "1000"
    page.wait_for_timeout(600)  # longer than the edit delay: a pending send would have gone out by now
    assert probe.value(CHUNK) == [1000, 4]

    # Escape also clears a rejected edit: the error goes away and the box shows Python's value again.
    page.keyboard.press("Control+A")
    page.keyboard.type("200000")
    page.keyboard.press("Enter")
    error = row(page, EPHYS).locator(".nwbcw-c-chunk .nwbcw-msg-error")
    error.wait_for()
    assert page.locator(".nwbcw-apply").is_disabled()
    page.keyboard.press("Escape")
    error.wait_for(state="detached")
    assert chunk0.input_value() == "1000"
    assert focused(page)["field"] == "chunk_shape"  # the notebook did not take the key (focus stays in the widget)

    # Escape in a compression option box: back to Python's value.
    level = row(page, EPHYS).locator(".nwbcw-option").first
    python_level = level.input_value()
    level.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("9x")
    page.keyboard.press("Escape")
    assert level.input_value() == python_level

    # The output path: typed, Escape gives Python's path back; then Tab reaches Apply and Enter writes the file.
    path_box = page.locator(".nwbcw-path")
    path_box.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("elsewhere.nwb")
    page.keyboard.press("Escape")
    assert path_box.input_value() == OUTPUT
    page.wait_for_timeout(400)
    assert probe.value("widget.output_path") == OUTPUT
    apply = page.locator(".nwbcw-apply")
    page.wait_for_function("el => !el.disabled", arg=apply.element_handle())
    tab_until(page, lambda f: "nwbcw-apply" in (f["cls"] or ""), limit=5)
    page.keyboard.press("Enter")
    page.locator(".nwbcw-result-head").wait_for()
    with h5py.File(Path(server.root) / OUTPUT, "r") as file:
        assert file[EPHYS].chunks == (1000, 4)
    assert probe.value("widget.status") == "done"
