"""Benchmark of the configurator widget in headless Chromium (Debian's) in a real JupyterLab: 3,000-10,000 datasets.

Measures
- the Python side: building the widget (default configuration + rows) for 3,000 datasets;
- first render: from the view's render() call to the first painted frame (performance marks set by the view): every
  group header is in the DOM, rows are built for the groups in and near the visible part of the table (the rest are
  built as they scroll into view); and from "run cell" to that first frame;
- edit -> estimate latency: a chunk length typed into a row and committed with Enter, until the Python-computed
  "per chunk" estimate of that row has changed in the DOM (browser -> kernel -> browser round trip), N edits, p50/p95.
  Each edit is made on another dataset spread over the table, which is scrolled to it first and left to settle
  (200 ms) so that building rows for newly visible pages is not counted as edit latency;
- bulk changes: filter (typed text -> one group left), apply-to-all (click -> every row in Python and the first
  built row in the view show the new method) and reset all, each from the browser through the kernel;
- with --from-file: writing the NWBFile to disk and ConfiguratorWidget.from_path on it (pynwb's read dominates).

Run:  python benchmarks/widget_render.py [--datasets 10000] [--edits 200] [--from-file]
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
    nwbfile.add_acquisition(TimeSeries(name=f"series{{index:04d}}", data=np.zeros((1000, 4), dtype="int16"), unit="V",
                                       timestamps=np.arange(1000.0), description="benchmark"))
_started = time.perf_counter()
widget = ConfiguratorWidget(nwbfile)
python_build_seconds = time.perf_counter() - _started
"""

EDIT_LOOP = r"""
async ([locations, values]) => {
  const latencies = [];
  for (let i = 0; i < locations.length; i += 1) {
    const group = document.querySelector(`.nwbcw-group[data-group="${locations[i].replace(/\/data$/, "")}"]`);
    group.scrollIntoView({ block: "center" });
    let row = null;
    while (!(row = document.querySelector(`.nwbcw-row[data-location="${locations[i]}"]`))) {
      await new Promise((resolve) => requestAnimationFrame(() => resolve()));
    }
    // Let the scroll settle (rows built for newly visible pages) as it would before a person starts typing.
    await new Promise((resolve) => setTimeout(resolve, 200));
    await new Promise((resolve) => requestAnimationFrame(() => resolve()));
    const input = row.querySelector('input[data-field="chunk_shape"][data-axis="0"]');
    const estimate = row.querySelector(".nwbcw-chunk-size");
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
    await new Promise((resolve) => requestAnimationFrame(() => resolve()));
    latencies.push({ commit_to_dom: ended - started, commit_to_frame: performance.now() - started });
    input.blur();
  }
  return latencies;
}
"""


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _timed(page, action, done: str) -> float:
    started = time.perf_counter()
    action()
    page.wait_for_function(done, polling=20)
    return round(time.perf_counter() - started, 3)


def measure_bulk_changes(page, server, series: int) -> dict:
    """Filter, apply-to-all and reset all from the browser; seconds until the view (and Python) show the result."""
    visible = "[...document.querySelectorAll('.nwbcw-group')].filter((g) => !g.hidden).length"
    figures = {
        "filter_s": _timed(page, lambda: page.locator(".nwbcw-filter").fill("series0042"), f"() => {visible} === 1"),
        "unfilter_s": _timed(page, lambda: page.locator(".nwbcw-filter").fill(""), f"() => {visible} === {series}"),
    }
    method = "document.querySelector('.nwbcw-row[data-location] .nwbcw-method')?.value"
    page.locator(".nwbcw-all-method").select_option("lzf")
    apply_all = page.locator(".nwbcw-toolbar .nwbcw-all .nwbcw-button")
    figures["apply_to_all_s"] = _timed(page, apply_all.click, f"() => {method} === 'lzf'")
    probe = KernelProbe(server.kernel_connection_file("bench.ipynb"))
    assert probe.value("all(row['compression_method'] == 'lzf' for row in widget.rows)")
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=int, default=3000, help="number of datasets (two per TimeSeries)")
    parser.add_argument("--edits", type=int, default=200)
    parser.add_argument("--from-file", action="store_true", help="also time writing the file and from_path on it")
    args = parser.parse_args()
    series = args.datasets // 2
    from playwright.sync_api import sync_playwright

    with (
        tempfile.TemporaryDirectory() as folder,
        JupyterLabServer(Path(folder)) as server,
        sync_playwright() as playwright,
    ):
        write_notebook(Path(folder) / "bench.ipynb", [SETUP.format(series=series), "widget"])
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        page.set_default_timeout(300_000)
        started = time.perf_counter()
        open_notebook(page, server, "bench.ipynb")
        page.wait_for_function(f"() => document.querySelectorAll('.nwbcw-group').length === {series}")
        page.wait_for_function("() => performance.getEntriesByName('nwbcw:render:painted').length > 0")
        run_all_to_rows = time.perf_counter() - started
        marks = page.evaluate(
            """() => Object.fromEntries(['start', 'built', 'painted'].map(
                 (name) => [name, performance.getEntriesByName('nwbcw:render:' + name)[0].startTime]))"""
        )
        probe = KernelProbe(server.kernel_connection_file("bench.ipynb"))
        python_build = probe.value("python_build_seconds")
        rows_built = page.evaluate("() => document.querySelectorAll('.nwbcw-row[data-location]').length")
        rows_json_bytes = probe.value("len(__import__('json').dumps(widget.rows))")
        locations = probe.value("[row['location'] for row in widget.rows if row['dataset_name'] == 'data']")
        probe.close()
        step = max(1, len(locations) // args.edits)
        chosen = (locations[::step] * 2)[: args.edits]
        values = [100 + (index % 7) * 50 for index in range(len(chosen))]
        latencies = page.evaluate(EDIT_LOOP, [chosen, values])
        to_dom = [entry["commit_to_dom"] for entry in latencies]
        print(f"edits: p50 {statistics.median(to_dom):.1f} ms, p95 {percentile(to_dom, 0.95):.1f} ms", file=sys.stderr)
        bulk = measure_bulk_changes(page, server, series)
        if args.from_file:
            bulk.update(measure_from_file(server))
        browser.close()

    to_dom = [entry["commit_to_dom"] for entry in latencies]
    to_frame = [entry["commit_to_frame"] for entry in latencies]
    figures = {
        "datasets": args.datasets,
        "python_build_widget_s": round(python_build, 3),
        "rows_json_MB": round(rows_json_bytes / 1e6, 2),
        "view_render_to_built_ms": round(marks["built"] - marks["start"], 1),
        "view_render_to_first_paint_ms": round(marks["painted"] - marks["start"], 1),
        "rows_built_at_first_paint": rows_built,
        "run_cell_to_first_paint_s": round(run_all_to_rows, 2),
        "edits": len(latencies),
        "edit_to_estimate_p50_ms": round(statistics.median(to_dom), 1),
        "edit_to_estimate_p95_ms": round(percentile(to_dom, 0.95), 1),
        "edit_to_painted_frame_p95_ms": round(percentile(to_frame, 0.95), 1),
        "edit_to_estimate_max_ms": round(max(to_dom), 1),
        **bulk,
    }
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
