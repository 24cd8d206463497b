"""Requests, threads, queued previews and pending bulk changes in a real JupyterLab 4 and a real Jupyter Notebook 7,
each in Debian Chromium (through Playwright).

- A request the kernel does not answer (the kernel is busy with other code) times out in the view: a notice names the
  action and Apply is enabled again; the late reply withdraws the notice.
- In the real kernel, every synced trait change and every message of the widget happens on the kernel's thread,
  while a preview of every dataset and an Apply run in worker threads.
- A queued "Preview all" is cancelled from the view.
- "Apply to all" shows the new compression on every row at once, as pending, until Python's rows replace it; when the
  kernel does not answer in time, Python's values come back, and its late answer still arrives.
- Python keeps its last 6 notices: a notice dismissed in the view (its x) never comes back as more notices push it up
  Python's list (notices made in the kernel and by Apply to all from the view), and the others stay shown.
- After a kernel restart, Apply says at once that the kernel cannot be reached and stays usable.

For each host, one server, one browser page and one notebook serve the whole module (the tests run in order, the
kernel restart last). Skipped when Chromium, Playwright or
JupyterLab are missing, unless NWBCONFIG_REQUIRE_BROWSER=1 (as in CI).
"""

from __future__ import annotations

import contextlib
import os
import time

import pytest
from jupyter_harness import (
    RECORD_THREADS,
    JupyterLabServer,
    KernelProbe,
    browser_tests_available,
    launch_chromium,
    open_notebook,
    six_series_widget_cell,
)
from jupyter_harness import write_notebook as _write_notebook

_missing = browser_tests_available()
if _missing and os.environ.get("NWBCONFIG_REQUIRE_BROWSER") == "1":
    raise RuntimeError(f"browser tests required but cannot run: {_missing}")
pytestmark = pytest.mark.skipif(_missing is not None, reason=f"browser tests need: {_missing}")

TIMEOUT_S = 3
SETUP = six_series_widget_cell(TIMEOUT_S)


@pytest.fixture(scope="module", params=["lab", "notebook"], ids=["jupyterlab", "notebook7"])
def session(request, tmp_path_factory):
    from playwright.sync_api import sync_playwright

    root = tmp_path_factory.mktemp(request.param)
    with JupyterLabServer(root, app=request.param) as server, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_context(viewport={"width": 1440, "height": 1000}).new_page()
        page.set_default_timeout(60_000)
        _write_notebook(root / "requests.ipynb", [SETUP])
        open_notebook(page, server, "requests.ipynb")
        page.wait_for_selector(".nwbcw .nwbcw-row[data-location]")
        probe = KernelProbe(server.kernel_connection_file("requests.ipynb"))
        try:
            yield page, probe
        finally:
            probe.close()
            browser.close()


def test_a_request_the_kernel_does_not_answer_times_out_with_a_notice(session):
    page, probe = session
    apply = page.locator(".nwbcw-apply")
    page.wait_for_function("el => !el.disabled", arg=apply.element_handle())
    notice = page.locator(".nwbcw-notice-text", has_text="did not answer")
    # The kernel runs other code for a while: the browser's Apply waits in its queue, unanswered.
    with probe.busy(TIMEOUT_S + 5):
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
    # The kernel is free again and handles the Apply after all: the notice goes, the file is written.
    notice.wait_for(state="detached", timeout=60_000)
    probe.wait_for("widget.status == 'done'")
    page.locator(".nwbcw-result-head").wait_for()


def test_in_the_kernel_every_synced_trait_is_set_on_the_kernels_thread(session):
    page, probe = session
    probe.run(
        RECORD_THREADS
        + """
widget.overwrite = True
widget.preview()
widget.apply()
"""
    )
    probe.wait_for("widget.status == 'done' and widget.totals['previewed'] == len(widget.rows)")
    # The view's messages too (JupyterLab 4.4 delivers them on a subshell thread of their own): a state update (the
    # overwrite box) and an action (a row's preview), each while a cell runs, which they wait for.
    overwrite = page.locator(".nwbcw-overwrite")
    overwrite.wait_for(state="visible")
    assert overwrite.is_checked()
    with probe.busy(2):
        overwrite.uncheck()
        page.locator(".nwbcw-row[data-location] .nwbcw-preview-button").first.click()
    probe.wait_for("widget.overwrite is False and widget.totals['previewed'] == len(widget.rows)")
    assert probe.value("[name for name, _ in threads_seen].count('overwrite')") == 2
    seen = probe.value("sorted({name for name, _ in threads_seen})")
    assert {"progress", "result", "status", "totals", "message"} <= set(seen)
    assert probe.value("sorted({name for name, thread in threads_seen if thread != kernel_thread})") == []
    assert probe.value("kernel_thread == threading.main_thread().ident") is True
    probe.run("widget.send = _send")


def test_a_queued_preview_all_is_cancelled_from_the_view(session):
    page, probe = session
    # Keep the preview worker busy, so that every preview stays queued until the Cancel.
    probe.run(
        "import threading\ngate = threading.Event()\nwidget.insight.preview_worker.submit(lambda: gate.wait(120))"
    )
    page.locator(".nwbcw-preview-all").click()
    cancel = page.locator(".nwbcw-cancel-previews")
    cancel.wait_for(state="visible")
    page.wait_for_function("() => document.querySelector('.nwbcw-queued').textContent === '6 previews queued'")
    assert page.locator(".nwbcw-row[data-location] .nwbcw-preview-button", has_text="Queued…").count() >= 1
    cancel.click()
    cancel.wait_for(state="hidden")
    page.locator(".nwbcw-notice-text", has_text="6 queued preview(s) cancelled.").wait_for()
    assert page.locator(".nwbcw-preview-button", has_text="Queued…").count() == 0
    # The rows show again what they showed before: the figures of the earlier preview.
    assert page.locator(".nwbcw-row[data-location] .nwbcw-preview-button", has_text="Preview again").count() >= 1
    assert probe.value("sorted({row['preview']['status'] for row in widget.rows})") == ["done"]
    probe.run("gate.set()")


def test_apply_to_all_is_shown_as_pending_until_python_answers(session):
    page, probe = session
    first = page.locator(".nwbcw-row[data-location]").first
    location = first.get_attribute("data-location")
    method = f"widget.backend_configuration.dataset_configurations[{location!r}].compression_method"
    assert probe.value(method) == "gzip"
    apply_all = page.get_by_role("button", name="Apply to all")

    # The kernel answers late, after the timeout: every row shows lzf at once, as pending (fields disabled, busy)...
    page.locator(".nwbcw-all-method").select_option("lzf")
    pending = page.locator(".nwbcw-row.nwbcw-pending")
    notice = page.locator(".nwbcw-notice-text", has_text="did not answer Apply to all")
    with probe.busy(TIMEOUT_S + 5):
        apply_all.click()
        assert first.locator(".nwbcw-method").input_value() == "lzf"
        assert "nwbcw-pending" in first.get_attribute("class") and first.get_attribute("aria-busy") == "true"
        assert first.locator(".nwbcw-method").is_disabled()
        assert pending.count() == page.locator(".nwbcw-row[data-location]").count() >= 6
        # ...until the timeout: Python's values come back, with a notice, the rows usable again...
        notice.wait_for(timeout=(TIMEOUT_S + 10) * 1000)
        assert pending.count() == 0
        assert first.locator(".nwbcw-method").input_value() == "gzip" and first.get_attribute("aria-busy") is None
        assert not first.locator(".nwbcw-method").is_disabled()
    # ...and Python's late answer still comes: the notice goes and every row shows lzf, from Python this time.
    notice.wait_for(state="detached", timeout=60_000)
    page.wait_for_function("el => el.value === 'lzf'", arg=first.locator(".nwbcw-method").element_handle())
    assert probe.value("sorted({row['compression_method'] for row in widget.rows})") == ["lzf"]

    # Answered in time: pending while the kernel is busy, then Python's rows, no notice.
    page.locator(".nwbcw-all-method").select_option("gzip")
    with probe.busy(1.5):
        apply_all.click()
        assert first.locator(".nwbcw-method").input_value() == "gzip" and pending.count() >= 6
    page.wait_for_function("() => !document.querySelector('.nwbcw-pending')")
    assert first.locator(".nwbcw-method").input_value() == "gzip"
    assert probe.value(method) == "gzip"
    assert page.locator(".nwbcw-notice-text", has_text="did not answer").count() == 0


NOTICE_TEXTS = "() => [...document.querySelectorAll('.nwbcw-notice .nwbcw-notice-text')].map((n) => n.textContent)"


def wait_for_notices(page, expected, timeout=30_000):
    """Wait until the view shows exactly these notices, in this order (else fail showing the ones it does show)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    with contextlib.suppress(PlaywrightTimeoutError):
        page.wait_for_function(
            f"(expected) => JSON.stringify(({NOTICE_TEXTS})()) === JSON.stringify(expected)",
            arg=expected,
            timeout=timeout,
        )
    assert page.evaluate(NOTICE_TEXTS) == expected


def test_a_dismissed_notice_stays_dismissed_however_many_follow(session):
    """Python keeps its last 6 notices, so a notice moves up the list as new ones come: dismissed in the view, it
    never comes back, and the notices not dismissed stay."""
    page, probe = session
    assert probe.value("__import__('nwbconfig_widget.widget.configurator', fromlist=['_']).MAX_NOTICES") == 6

    def text(number):
        return f"Dismissal test notice {number}."

    def notify(*numbers):
        probe.run("\n".join(f"widget._notice('info', {text(number)!r})" for number in numbers))

    def dismiss(notice_text):
        box = page.locator(".nwbcw-notice").filter(has=page.get_by_text(notice_text, exact=True))
        box.locator(".nwbcw-dismiss").click()
        box.wait_for(state="detached")

    def in_python():
        return probe.value("[notice['text'] for notice in widget.notices]")

    # Seven notices: Python keeps the last six, and the view shows those.
    notify(*range(1, 8))
    assert in_python() == [text(number) for number in range(2, 8)]
    wait_for_notices(page, [text(number) for number in range(2, 8)])
    # Two dismissed in the view: gone from the view only.
    dismiss(text(3))
    dismiss(text(5))
    wait_for_notices(page, [text(number) for number in (2, 4, 6, 7)])
    assert in_python() == [text(number) for number in range(2, 8)]

    # A notice of a real action (Apply to all, from the view): notice 2 leaves Python's list, 3 and 5 move up in it
    # and stay dismissed.
    page.locator(".nwbcw-all-method").select_option("gzip")
    page.get_by_role("button", name="Apply to all").click()
    probe.wait_for("widget.notices[-1]['text'].startswith('Compression gzip set for all')", timeout=60)
    applied = in_python()[-1]
    assert in_python() == [*(text(number) for number in range(3, 8)), applied]
    wait_for_notices(page, [text(4), text(6), text(7), applied])
    dismiss(applied)
    dismiss(text(6))
    wait_for_notices(page, [text(4), text(7)])

    # Three more: the dismissed notices 6 and Apply to all's, still in Python's list, stay out of the view.
    notify(8, 9, 10)
    assert in_python() == [text(6), text(7), applied, text(8), text(9), text(10)]
    wait_for_notices(page, [text(7), text(8), text(9), text(10)])


def test_after_a_kernel_restart_apply_says_so_and_stays_usable(session):
    """Last in the module: it restarts the kernel, during a write. The view stays on the page, but its model is gone
    from the kernel: the view says the write went silent and can be used again, and Apply says the kernel is gone."""
    page, probe = session
    # A write that runs until the restart ends it (it checks Cancel, which never comes).
    probe.run(
        "import time\n"
        "def _slow_writer(request, progress, cancel):\n"
        "    while not cancel.wait(0.5):\n"
        "        pass\n"
        "widget.writer = _slow_writer\n"
        "widget.overwrite = True\n"
        "widget.apply()"
    )
    apply = page.locator(".nwbcw-apply")
    page.wait_for_function("el => el.textContent === 'Writing…'", arg=apply.element_handle())
    # Python's heartbeat keeps the view quiet while the write runs, longer than the timeout.
    time.sleep(TIMEOUT_S + 1.5)
    assert page.locator(".nwbcw-notice-text", has_text="No news").count() == 0
    assert page.locator(".nwbcw-progress-text").text_content().endswith(" s)")  # the time elapsed
    kernel = "window.jupyterapp.shell.currentWidget.sessionContext.session.kernel"
    page.evaluate(f"() => {kernel}.restart()")
    silent = page.locator(".nwbcw-notice-text", has_text="No news of the write from the kernel")
    silent.wait_for(timeout=(TIMEOUT_S + 30) * 1000)
    assert "it may have restarted (run the cell again)" in silent.text_content()
    assert page.locator(".nwbcw-body").evaluate("el => el.disabled") is False
    assert apply.text_content() == "Apply"
    page.wait_for_function(f"() => {kernel}.status === 'idle'")
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    assert not apply.is_disabled()
    apply.click()
    notice = page.locator(".nwbcw-notice-text", has_text="Apply").filter(has_text="run the cell again")
    notice.wait_for(timeout=(TIMEOUT_S + 10) * 1000)
    assert notice.text_content().endswith("; it may have restarted: run the cell again.")
    assert "Apply" in notice.text_content()
    page.wait_for_function("el => !el.disabled", arg=apply.element_handle())
    assert errors == []
