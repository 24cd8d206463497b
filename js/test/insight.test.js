import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import widget from "../src/index.js";
import { FakeModel, makeRow } from "./fake_model.js";

let root;
let cleanup;

function mount(model) {
  root = document.createElement("div");
  document.body.appendChild(root);
  cleanup = widget.render({ model, el: root });
  return root;
}

const row = (location = "acquisition/ephys/data") => root.querySelector(`.nwbcw-row[data-location="${location}"]`);
const EVIL = "<img src=x onerror=window.__xss=1>";

const MENU = {
  presets: [{ name: "portable", description: "gzip everywhere" }, { name: "fast", description: "Blosc" }],
  neurodata_types: ["ElectricalSeries", "TimeSeries"],
  export_formats: [{ name: "python", label: "Python code" }, { name: "json", label: "JSON" }, { name: "h5repack", label: "h5repack command" }],
};

const INSPECTION = {
  location: "acquisition/ephys/data",
  dataset_name: "data",
  facts: "(20000, 4) int16",
  extra_chunk_shape: "81920, 64",
  problems: [],
  access: {
    columns: [{ key: "current", label: "current", shape_text: "(1125000, 4)" }, { key: "yours", label: "yours", shape_text: "(81920, 64)" }],
    reads: [{ name: "time window (1 s), all channels", requested: "23.04 MB", cells: [
      { chunks: "96", chunks_touched: 96, read: "864.00 MB", amplification: "37.5×", remote: "22.1 s", best: false, fetched: "" },
      { chunks: "6", chunks_touched: 6, read: "62.91 MB", amplification: "2.7×", remote: "1.6 s", best: true, fetched: "" },
    ] }],
    summary: ["Time window: (81920, 64) touches 6 chunk(s)"],
    latency_ms: 50,
    bandwidth_mb_s: 50,
    note: "Preview this dataset to count compressed bytes",
  },
  compare: { status: "none" },
};

beforeEach(() => vi.useFakeTimers());
afterEach(() => {
  cleanup?.();
  root?.remove();
  vi.useRealTimers();
});

describe("row preview", () => {
  it("asks Python for a preview and shows its ratio, size and speeds", () => {
    const model = new FakeModel();
    mount(model);
    const button = row().querySelector(".nwbcw-preview-button");
    expect(button.textContent).toBe("Preview");
    button.click();
    expect(model.sent.at(-1)).toMatchObject({ type: "preview", location: "acquisition/ephys/data" });
    const base = makeRow();
    model.message({ type: "patch", rows: [{ index: 0, row: { ...base, preview: { status: "running" } } }] });
    expect(button.disabled).toBe(true);
    expect(button.textContent).toBe("Measuring…");
    const preview = { status: "done", ratio_text: "2.43×", size_text: "65.80 KB", range_text: "60.00 KB–70.00 KB",
      compress_text: "51 MB/s", decompress_text: "300 MB/s", note: "" };
    model.message({ type: "patch", rows: [{ index: 0, row: { ...base, preview } }] });
    const text = row().querySelector(".nwbcw-preview").textContent;
    expect(text).toContain("ratio 2.43×");
    expect(text).toContain("65.80 KB (60.00 KB–70.00 KB)");
    expect(text).toContain("51 MB/s ↑ · 300 MB/s ↓");
    expect(button.disabled).toBe(false);
    model.message({ type: "patch", rows: [{ index: 0, row: { ...base, preview: { ...preview, status: "stale" } } }] });
    expect(row().querySelector(".nwbcw-preview").classList.contains("nwbcw-stale")).toBe(true);
    expect(row().querySelector(".nwbcw-preview-note").textContent).toContain("preview again");
  });

  it("shows advice by severity and the portability of the codec", () => {
    const model = new FakeModel({ rows: [makeRow({
      warnings: [{ field: "compression_method", severity: "info", code: "portability", message: "Zstd needs hdf5plugin" },
        { field: "buffer_shape", severity: "error", code: "buffer_exceeds_memory", message: "Too big" }],
      portability: { level: "needs hdf5plugin", note: "every reader must install hdf5plugin", lossy: false },
    })] });
    mount(model);
    expect(row().querySelector(".nwbcw-c-compression .nwbcw-msg-info").textContent).toBe("Zstd needs hdf5plugin");
    expect(row().querySelector(".nwbcw-c-buffer .nwbcw-msg-error").textContent).toBe("Too big");
    const badge = row().querySelector(".nwbcw-portability");
    expect(badge.textContent).toBe("needs hdf5plugin");
    expect(badge.title).toContain("hdf5plugin");
    expect(badge.classList.contains("nwbcw-portable")).toBe(false);
  });

  it("marks a pipeline portable by Python's flag, whatever the text says", () => {
    const flagged = { level: "any wording Python chooses", note: "", lossy: false, every_hdf5_reader: true };
    const model = new FakeModel({ rows: [makeRow({ portability: flagged })] });
    mount(model);
    const badge = row().querySelector(".nwbcw-portability");
    expect(badge.textContent).toBe("any wording Python chooses");
    expect(badge.classList.contains("nwbcw-portable")).toBe(true);
    model.message({ type: "patch", rows: [{ index: 0, row: makeRow({ portability: { ...flagged, every_hdf5_reader: false, level: "every HDF5 reader" } }) }] });
    expect(row().querySelector(".nwbcw-portability").classList.contains("nwbcw-portable")).toBe(false);
  });
});

describe("toolbar: preview all, presets, export", () => {
  it("sends preview all, a preset for a neurodata type, and an export request; shows Python's totals", () => {
    const model = new FakeModel({ insight_menu: MENU });
    mount(model);
    root.querySelector(".nwbcw-preview-all").click();
    expect(model.sent.at(-1)).toMatchObject({ type: "preview", location: null });
    const scope = root.querySelector(".nwbcw-preset-scope");
    expect([...scope.options].map((option) => option.textContent)).toEqual(["whole file", "ElectricalSeries only", "TimeSeries only"]);
    root.querySelector(".nwbcw-preset").value = "fast";
    scope.value = "TimeSeries";
    root.querySelector(".nwbcw-apply-preset").click();
    expect(model.sent.at(-1)).toMatchObject({ type: "apply_preset", preset: "fast", neurodata_type: "TimeSeries" });
    scope.value = "";
    root.querySelector(".nwbcw-apply-preset").click();
    expect(model.sent.at(-1)).toMatchObject({ type: "apply_preset", preset: "fast", neurodata_type: null });
    root.querySelector(".nwbcw-export-format").value = "h5repack";
    root.querySelector(".nwbcw-export-button").click();
    expect(model.sent.at(-1)).toMatchObject({ type: "export", format: "h5repack" });
    model.python("totals", { ...model.get("totals"), preview_text: "1.20 MB stored (est.) for 3 previewed datasets" });
    expect(root.querySelector(".nwbcw-totals").textContent).toContain("1.20 MB stored (est.)");
  });

  it("shows the exported text read-only, copies it, and shows export errors", async () => {
    const writeText = vi.fn(() => Promise.resolve());
    vi.stubGlobal("navigator", { clipboard: { writeText } });
    try {
      const model = new FakeModel({ insight_menu: MENU });
      mount(model);
      expect(root.querySelector(".nwbcw-export").hidden).toBe(true);
      const code = `dataset_configurations['${EVIL}'].update(chunk_shape=(10,))\n`;
      model.python("export", { format: "python", text: code, error: "", lines: 2 });
      const area = root.querySelector(".nwbcw-export-text");
      expect(root.querySelector(".nwbcw-export").hidden).toBe(false);
      expect(area.value).toBe(code);
      expect(area.readOnly).toBe(true);
      root.querySelector(".nwbcw-copy").click();
      await vi.runAllTimersAsync();
      expect(writeText).toHaveBeenCalledWith(code);
      expect(root.querySelector(".nwbcw-copy-status").textContent).toBe("Copied.");
      model.python("export", { format: "h5repack", text: "", error: "h5repack rewrites HDF5 files" });
      expect(root.querySelector(".nwbcw-export").hidden).toBe(true);
      expect(root.querySelector(".nwbcw-insight .nwbcw-msg-error").textContent).toContain("HDF5");
      expect(root.querySelectorAll("img").length).toBe(0);
    } finally {
      vi.unstubAllGlobals();
    }
  });
});

describe("detail panel", () => {
  it("opens from a row and shows read costs per chunk shape, marking the cheapest", () => {
    const model = new FakeModel();
    mount(model);
    expect(root.querySelector(".nwbcw-inspect").hidden).toBe(true);
    row().querySelector(".nwbcw-inspect-button").click();
    expect(model.sent.at(-1)).toMatchObject({ type: "inspect", location: "acquisition/ephys/data" });
    model.python("inspection", INSPECTION);
    const panel = root.querySelector(".nwbcw-inspect");
    expect(panel.hidden).toBe(false);
    const heads = [...panel.querySelectorAll(".nwbcw-access-table thead th")].map((th) => th.textContent);
    expect(heads).toEqual(["Read", "Asked for", "current(1125000, 4)", "yours(81920, 64)"]);
    const best = panel.querySelector(".nwbcw-best");
    expect(best.textContent).toContain("6 chunks");
    expect(best.textContent).toContain("reads 62.91 MB");
    expect(panel.querySelector(".nwbcw-access-summary").textContent).toContain("(81920, 64) touches 6");
    expect(panel.querySelector(".nwbcw-compare-shape").value).toBe("81920, 64");
    const shape = panel.querySelector(".nwbcw-compare-shape");
    shape.value = "1000, 4";
    shape.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
    expect(model.sent.at(-1)).toMatchObject({ type: "inspect", location: "acquisition/ephys/data", chunk_shape: "1000, 4", latency_ms: "50" });
    panel.querySelector(".nwbcw-inspect-head .nwbcw-dismiss").click();
    expect(model.sent.at(-1)).toMatchObject({ type: "inspect", location: null });
  });

  it("draws the codec chart from Python's points as SVG, with text labels only, and uses a codec", () => {
    const model = new FakeModel({ inspection: INSPECTION });
    mount(model);
    root.querySelector(".nwbcw-compare-button").click();
    expect(model.sent.at(-1)).toMatchObject({ type: "compare", location: "acquisition/ephys/data" });
    model.python("inspection", { ...INSPECTION, compare: { status: "running" } });
    expect(root.querySelector(".nwbcw-compare-button").disabled).toBe(true);
    const chart = { points: [
      { label: "gzip 4", x: 0, y: 0.5, backend: "hdf5", portable: true, title: "gzip 4: 2.4×" },
      { label: EVIL, x: 1, y: 1, backend: "zarr", portable: false, title: EVIL },
    ], x_ticks: [{ pos: 0, text: "10" }, { pos: 1, text: "1000" }], y_ticks: [{ pos: 0, text: "1" }], x_label: "speed", y_label: "ratio" };
    const rows = [
      { label: "gzip 4", backend: "hdf5", ratio: "2.40×", size: "66 KB", compress: "50 MB/s", decompress: "300 MB/s", portability: "every HDF5 reader", note: "", usable: true },
      { label: EVIL, backend: "zarr", ratio: "2.50×", size: "64 KB", compress: "900 MB/s", decompress: "1,000 MB/s", portability: "Zarr readers", note: "", usable: false },
    ];
    model.python("inspection", { ...INSPECTION, compare: { status: "done", chart, rows, caption: "2 chunk(s) sampled" } });
    const svg = root.querySelector("svg.nwbcw-chart");
    expect(svg).not.toBeNull();
    expect(svg.querySelectorAll("circle").length).toBe(1);
    expect(svg.querySelectorAll("rect.nwbcw-chart-point").length).toBe(1);
    const circle = svg.querySelector("circle");
    expect(Number(circle.getAttribute("cx"))).toBe(52); // left edge for x = 0
    expect(circle.classList.contains("nwbcw-chart-portable")).toBe(true);
    expect([...svg.querySelectorAll(".nwbcw-chart-point-label")].map((node) => node.textContent)).toEqual(["gzip 4", EVIL]);
    expect(root.querySelectorAll("img").length).toBe(0);
    expect(window.__xss).toBeUndefined();
    const useButtons = root.querySelectorAll(".nwbcw-use-codec");
    expect(useButtons.length).toBe(1);
    useButtons[0].click();
    expect(model.sent.at(-1)).toMatchObject({ type: "use_codec", location: "acquisition/ephys/data", label: "gzip 4" });
  });
});
