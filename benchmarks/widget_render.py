"""Benchmark of the configurator widget in headless Chromium (Debian's) in a real JupyterLab: 3,000-50,000 datasets.

Measures, for each --datasets count (a new JupyterLab each):
- the Python side: building the widget (default configuration + rows), and the size of the ``rows`` trait;
- first render: from the view's render() call to the first painted frame (performance marks set by the view); only
  the rows in and near the visible part of the table are built (virtual list); and from "run cell" to that frame;
- scrolling through every row of the table, a viewport at a time, and the most rows the page held on the way;
- then, after that scroll: a filter keystroke (typed into the filter box, one character at a time, until the frame
  that shows the result), an order change (the order menu, until the frame that shows it) and "apply to all" (the
  button: until every row on screen shows the new method, which the view shows at once as pending, and until Python's
  rows have replaced it, through the kernel, "confirmed"), each repeated, p50/p95;
- edit -> estimate latency: a chunk length typed into a row and committed with Enter, until the Python-computed
  "per chunk" estimate of that row has changed in the DOM (browser -> kernel -> browser round trip), N edits, p50/p95.
  Each edit is made on another dataset spread over the table, which is scrolled into view first and left to settle
  (200 ms) so that building the newly visible rows is not counted as edit latency;
- the Python side of "apply to all" alone (the same message handled in the kernel, timed there) and "reset all";
- with --from-file: writing the NWBFile to disk and ConfiguratorWidget.from_path on it (pynwb's read dominates).

Prints each figure next to its goal, then all figures as JSON.

Run:  python benchmarks/widget_render.py [--datasets 10000 50000] [--edits 100] [--repeats 20] [--from-file]
Needs: apt-get install -y chromium; pip install -e ".[test]" (see docs/benchmarks.md). Not a timed test.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "widget"))

from jupyter_harness import JupyterLabServer, KernelProbe, launch_chromium, open_notebook, write_notebook  # noqa: E402

SETUP = """
import time
import numpy as np
from pynwb import TimeSeries
from pynwb.testing.mock.file import mock_NWBFile
from nwbconfig_widget.widget import ConfiguratorWidget

nwbfile = mock_NWBFile()
for index in range({series}):
    length = 1000 + index % 97  # sizes differ, so that ordering by size moves rows
    nwbfile.add_acquisition(TimeSeries(name=f"series{{index:05d}}", data=np.zeros((length, 4), dtype="int16"), unit="V",
                                       timestamps=np.arange(float(length)), description="benchmark"))
_started = time.perf_counter()
widget = ConfiguratorWidget(nwbfile)
python_build_seconds = time.perf_counter() - _started
"""

#: Goals of the widget (milliseconds): figure name -> goal; the script prints each figure next to its goal.
GOALS = {
    "view_render_to_first_paint_ms": 1500,
    "filter_keystroke_p95_ms": 100,
    "order_change_p95_ms": 100,
    "apply_to_all_p95_ms": 100,
    "edit_to_estimate_p95_ms": 100,
}

#: In-page helpers: frames, the painted frame after a change, and bringing a row of the virtual list into view.
HELPERS = r"""
const frame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));
const painted = () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
const scroller = () => document.querySelector(".nwbcw-scroller");
const rowOf = (location) => document.querySelector(`.nwbcw-row[data-location="${CSS.escape(location)}"]`);
/** Scroll the table until the row of `location` (the `index`-th of `count`, in location order) is in the page. */
async function reveal(location, index, count) {
  const box = scroller();
  box.scrollTop = Math.max(0, (index / count) * box.scrollHeight - box.clientHeight / 2);
  await frame();
  for (let tries = 0; tries < 400; tries += 1) {
    const row = rowOf(location);
    if (row) return row;
    const shown = [...document.querySelectorAll(".nwbcw-row[data-location]")].map((r) => r.dataset.location);
    box.scrollTop += (shown.length && location < shown[0] ? -1 : 1) * box.clientHeight / 2;
    await frame();
  }
  throw new Error(`row ${location} never came into view`);
}
"""

SCROLL_THROUGH = (
    "async () => {"
    + HELPERS
    + r"""
  const box = scroller();
  const started = performance.now();
  let most = 0;
  for (let offset = 0; offset <= box.scrollHeight; offset += box.clientHeight) {
    box.scrollTop = offset;
    await frame();
    most = Math.max(most, document.querySelectorAll(".nwbcw-row[data-location]").length);
  }
  return { seconds: (performance.now() - started) / 1000, most_rows_in_page: most,
           rows_in_page: document.querySelectorAll(".nwbcw-row[data-location]").length };
}
"""
)

FILTER_KEYSTROKES = (
    "async ([text, rounds]) => {"
    + HELPERS
    + r"""
  const input = document.querySelector(".nwbcw-filter");
  const typed = [...Array(text.length).keys()].map((n) => text.slice(0, n + 1));
  const steps = [...typed, ...typed.slice(0, -1).reverse(), ""];
  const times = [];
  let narrowest = "";
  for (let round = 0; round < rounds; round += 1) {
    for (const value of steps) {
      input.value = value;
      const started = performance.now();
      input.dispatchEvent(new Event("input", { bubbles: true }));
      await painted();
      times.push(performance.now() - started);
      if (value === text) narrowest = document.querySelector(".nwbcw-count").textContent;
    }
  }
  return { times, narrowest, rows_in_page: document.querySelectorAll(".nwbcw-row[data-location]").length };
}
"""
)

ORDER_CHANGES = (
    "async (rounds) => {"
    + HELPERS
    + r"""
  const select = document.querySelector(".nwbcw-sort");
  const times = [];
  const firsts = {};
  for (let round = 0; round < rounds; round += 1) {
    for (const mode of ["size-desc", "size-asc", "location"]) {
      select.value = mode;
      const started = performance.now();
      select.dispatchEvent(new Event("change", { bubbles: true }));
      await painted();
      times.push(performance.now() - started);
      firsts[mode] = document.querySelector(".nwbcw-row[data-location]").dataset.location;
    }
  }
  return { times, firsts };
}
"""
)

APPLY_TO_ALL = (
    "async ([methods, timeoutMs]) => {"
    + HELPERS
    + r"""
  const select = document.querySelector(".nwbcw-all-method");
  const buttons = [...document.querySelectorAll(".nwbcw-toolbar .nwbcw-all .nwbcw-button")];
  const button = buttons.find((b) => b.textContent === "Apply to all");
  const shown = [];
  const confirmed = [];
  const rowsOnScreen = () => [...document.querySelectorAll(".nwbcw-row[data-location]")];
  for (const method of methods) {
    select.value = method;
    select.dispatchEvent(new Event("change", { bubbles: true }));
    await painted();
    const started = performance.now();
    button.click();
    let shownAt = null;
    for (;;) {
      await frame();
      const rows = rowsOnScreen();
      const showing = rows.length && rows.every((row) => row.querySelector(".nwbcw-method").value === method);
      if (showing && shownAt === null) shownAt = performance.now(); // pending or confirmed
      // Confirmed: Python's rows are on screen (none pending) and its reply came (the button is back).
      if (showing && !button.disabled && !rows.some((row) => row.classList.contains("nwbcw-pending"))) break;
      if (performance.now() - started > timeoutMs) throw new Error(`${method}: not confirmed in ${timeoutMs} ms`);
    }
    shown.push(shownAt - started);
    confirmed.push(performance.now() - started);
  }
  return { shown, confirmed };
}
"""
)

EDIT_LOOP = (
    "async ([locations, indexes, count, values]) => {"
    + HELPERS
    + r"""
  const latencies = [];
  for (let i = 0; i < locations.length; i += 1) {
    const row = await reveal(locations[i], indexes[i], count);
    row.scrollIntoView({ block: "center" });
    // Let the scroll settle (rows built for the newly visible part) as it would before a person starts typing.
    await new Promise((resolve) => setTimeout(resolve, 200));
    await frame();
    const current = rowOf(locations[i]);
    const input = current.querySelector('input[data-field="chunk_shape"][data-axis="0"]');
    const estimate = current.querySelector(".nwbcw-chunk-size");
    const before = estimate.textContent;
    const changed = new Promise((resolve) => {
      const observer = new MutationObserver(() => {
        if (estimate.textContent !== before) { observer.disconnect(); resolve(performance.now()); }
      });
      observer.observe(estimate, { childList: true, characterData: true, subtree: true });
    });
    input.focus();
    input.value = String(values[i]);
    const started = performance.now();
    input.dispatchEvent(new Event("input", { bubbles: true }));
    input.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
    const ended = await Promise.race([changed, new Promise((resolve) => setTimeout(() => resolve(null), 10000))]);
    if (ended === null) throw new Error(`no estimate update for ${locations[i]} within 10 s`);
    // Wait for the frame that shows it.
    await frame();
    latencies.push({ commit_to_dom: ended - started, commit_to_frame: performance.now() - started });
    input.blur();
  }
  return latencies;
}
"""
)

#: The Python side of "apply to all", timed in the kernel: the message the view sends, handled there.
PYTHON_APPLY_ALL = """
import json, time
_widget_send = widget.send
widget.send = lambda content, buffers=None: None
_times = []
for _method in ("lzf", "gzip"):
    _t = time.perf_counter()
    widget._handle_custom_msg({"type": "apply_all", "id": f"bench-{_method}", "method": _method, "options": {}}, [])
    _times.append(time.perf_counter() - _t)
widget.send = _widget_send
print(json.dumps({"python_apply_to_all_s": round(max(_times), 2)}))
"""


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _timed(page, action, done: str) -> float:
    started = time.perf_counter()
    action()
    page.wait_for_function(done, polling=20)
    return round(time.perf_counter() - started, 3)


def _spread(times: list[float], name: str) -> dict:
    return {
        f"{name}_p50_ms": round(statistics.median(times), 1),
        f"{name}_p95_ms": round(percentile(times, 0.95), 1),
        f"{name}_count": len(times),
    }


def measure_after_scrolling(page, datasets: int, repeats: int, bulk_repeats: int) -> dict:
    """Scroll through every row, then time filter keystrokes, order changes and apply-to-all."""
    scroll = page.evaluate(SCROLL_THROUGH)
    figures = {
        "scroll_through_s": round(scroll["seconds"], 1),
        "most_rows_in_page_while_scrolling": scroll["most_rows_in_page"],
    }
    typed = page.evaluate(FILTER_KEYSTROKES, ["series00042", max(1, repeats // 20)])
    assert typed["narrowest"] == f"Showing 2 of {datasets} datasets", typed["narrowest"]
    figures.update(_spread(typed["times"], "filter_keystroke"))
    order = page.evaluate(ORDER_CHANGES, max(1, repeats // 3))
    assert order["firsts"]["location"] == "acquisition/series00000/data", order["firsts"]
    assert order["firsts"]["size-desc"] != order["firsts"]["size-asc"], order["firsts"]
    figures.update(_spread(order["times"], "order_change"))
    figures["order_first_rows"] = order["firsts"]
    methods = ["lzf", "gzip"] * max(1, bulk_repeats // 2)
    applied = page.evaluate(APPLY_TO_ALL, [methods, 900_000])
    figures.update(_spread(applied["shown"], "apply_to_all"))
    figures.update(_spread(applied["confirmed"], "apply_to_all_confirmed"))
    return figures


def measure_bulk_in_python(page, server) -> dict:
    """The Python side of apply-to-all alone, and reset all from the browser."""
    probe = KernelProbe(server.kernel_connection_file("bench.ipynb"))
    figures = json.loads(probe.run(PYTHON_APPLY_ALL, timeout=3600).strip().splitlines()[-1])
    page.locator(".nwbcw-all-method").select_option("lzf")
    page.locator(".nwbcw-toolbar .nwbcw-all .nwbcw-button").click()
    method = "document.querySelector('.nwbcw-row[data-location] .nwbcw-method')?.value"
    pending = "document.querySelector('.nwbcw-pending')"
    page.wait_for_function(f"() => {method} === 'lzf' && !{pending}", polling=50)
    reset_all = page.locator(".nwbcw-toolbar .nwbcw-toolbar-row > .nwbcw-button:not(.nwbcw-quiet)")
    figures["reset_all_s"] = _timed(page, reset_all.click, f"() => {method} === 'gzip'")
    assert probe.value("not any(row['edited'] for row in widget.rows)")
    probe.close()
    return figures


def measure_from_file(server) -> dict:
    """Write the benchmark's NWBFile to disk, then time ConfiguratorWidget.from_path on it (in the kernel)."""
    probe = KernelProbe(server.kernel_connection_file("bench.ipynb"))
    code = """
from pynwb import NWBHDF5IO
_t = time.perf_counter()
with NWBHDF5IO("bench_file.nwb", "w") as _io:
    _io.write(nwbfile)
_write = time.perf_counter() - _t
from nwbconfig_widget.io.repack import open_nwbfile
from nwbconfig_widget.backend_configuration import get_existing_backend_configuration
_t = time.perf_counter()
_source = open_nwbfile("bench_file.nwb")
_read_nwbfile = _source.read()
_read = time.perf_counter() - _t
_t = time.perf_counter()
get_existing_backend_configuration(_read_nwbfile)
_existing = time.perf_counter() - _t
_source.close()
_t = time.perf_counter()
ConfiguratorWidget.from_path("bench_file.nwb").close()
print(json.dumps({"write_file_s": round(_write, 2), "pynwb_read_s": round(_read, 2),
                  "existing_configuration_s": round(_existing, 2), "from_path_s": round(time.perf_counter() - _t, 2)}))
"""
    figures = json.loads(probe.run("import json\n" + code, timeout=1800).strip().splitlines()[-1])
    probe.close()
    return figures


def run(datasets: int, args: argparse.Namespace, playwright) -> dict:
    """All figures for one table size, in a new JupyterLab."""
    series = datasets // 2
    load_before = Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else []
    with tempfile.TemporaryDirectory() as folder, JupyterLabServer(Path(folder)) as server:
        write_notebook(Path(folder) / "bench.ipynb", [SETUP.format(series=series), "widget"])
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        page.set_default_timeout(1_800_000)
        started = time.perf_counter()
        open_notebook(page, server, "bench.ipynb")
        page.wait_for_function("() => performance.getEntriesByName('nwbcw:render:painted').length > 0", polling=200)
        run_all_to_rows = time.perf_counter() - started
        marks = page.evaluate(
            """() => Object.fromEntries(['start', 'built', 'painted'].map(
                 (name) => [name, performance.getEntriesByName('nwbcw:render:' + name)[0].startTime]))"""
        )
        probe = KernelProbe(server.kernel_connection_file("bench.ipynb"))
        python_build = probe.value("python_build_seconds")
        rows_built = page.evaluate("() => document.querySelectorAll('.nwbcw-row[data-location]').length")
        rows_json_bytes = probe.value("len(__import__('json').dumps(widget.rows))")
        locations = probe.value("[row['location'] for row in widget.rows]")
        probe.close()
        assert len(locations) == datasets
        figures = {
            "datasets": datasets,
            "load_average_before": " ".join(load_before),
            "python_build_widget_s": round(python_build, 2),
            "rows_json_MB": round(rows_json_bytes / 1e6, 1),
            "view_render_to_built_ms": round(marks["built"] - marks["start"], 1),
            "view_render_to_first_paint_ms": round(marks["painted"] - marks["start"], 1),
            "rows_in_page_at_first_paint": rows_built,
            "run_cell_to_first_paint_s": round(run_all_to_rows, 1),
        }
        figures.update(measure_after_scrolling(page, datasets, args.repeats, args.bulk_repeats))
        data_rows = [index for index, location in enumerate(locations) if location.endswith("/data")]
        step = max(1, len(data_rows) // args.edits)
        chosen = (data_rows[::step] * 2)[: args.edits]
        values = [100 + (index % 7) * 50 for index in range(len(chosen))]
        latencies = page.evaluate(EDIT_LOOP, [[locations[i] for i in chosen], chosen, datasets, values])
        to_dom = [entry["commit_to_dom"] for entry in latencies]
        to_frame = [entry["commit_to_frame"] for entry in latencies]
        figures.update(_spread(to_dom, "edit_to_estimate"))
        figures["edit_to_painted_frame_p95_ms"] = round(percentile(to_frame, 0.95), 1)
        figures.update(measure_bulk_in_python(page, server))
        if args.from_file:
            figures.update(measure_from_file(server))
        browser.close()
    figures["load_average_after"] = " ".join(Path("/proc/loadavg").read_text().split()[:3]) if load_before else ""
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--datasets", type=int, nargs="+", default=[3000], help="numbers of datasets (two per TimeSeries)"
    )
    parser.add_argument("--edits", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=60, help="filter keystrokes and order changes to time (about)")
    parser.add_argument("--bulk-repeats", type=int, default=6, help="apply-to-all clicks to time")
    parser.add_argument("--from-file", action="store_true", help="also time writing the file and from_path on it")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    results = []
    with sync_playwright() as playwright:
        for datasets in args.datasets:
            figures = run(datasets, args, playwright)
            results.append(figures)
            for name, goal in GOALS.items():
                value = figures[name]
                verdict = "meets" if value <= goal else "MISSES"
                print(
                    f"{datasets:>6} datasets  {name:<32} {value:>9.1f} ms   goal <= {goal} ms: {verdict}",
                    file=sys.stderr,
                )
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
