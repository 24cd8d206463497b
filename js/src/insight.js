// "See before you write": per-row compression preview, preview all, presets, export, and the detail panel with the
// access-pattern costs and the codec comparison chart of one dataset. Python computes every figure (and places the
// chart's points in 0-1 coordinates); this file only lays them out. Text goes through textContent/attributes only.
import { chunkGrid } from "./chunk_grid.js";
import { el, plainText, setText, setTitle, toggleClass } from "./dom.js";

const SVG = "http://www.w3.org/2000/svg";

/** An SVG element with attributes (values are numbers or Python-made strings set as attributes, never parsed). */
function svg(tag, attrs = {}, children = []) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  for (const child of children) if (child) node.appendChild(child);
  return node;
}

function svgText(text, attrs) {
  const node = svg("text", attrs);
  node.textContent = plainText(text);
  return node;
}

/** The preview cell of a row: a button to run it, then ratio, size (range) and speeds from Python. */
export class PreviewCell {
  constructor(location, context) {
    this.location = location;
    this.button = el("button", {
      class: "nwbcw-button nwbcw-preview-button",
      text: "Preview",
      attrs: { type: "button", title: "Compress a sample of chunks with these settings", "aria-label": `preview compression, ${location}` },
      on: { click: () => context.preview && context.preview(this.location) },
    });
    this.inspectButton = el("button", {
      class: "nwbcw-button nwbcw-quiet nwbcw-inspect-button",
      text: "Details",
      attrs: { type: "button", title: "Read costs and codec comparison for this dataset", "aria-label": `details of ${location}` },
      on: { click: () => context.inspect && context.inspect(this.location) },
    });
    this.ratio = el("span", { class: "nwbcw-preview-ratio" });
    this.size = el("span", { class: "nwbcw-preview-size" });
    this.speed = el("span", { class: "nwbcw-preview-speed" });
    this.note = el("span", { class: "nwbcw-preview-note" });
    this.element = el("div", { class: "nwbcw-preview" }, [
      el("div", { class: "nwbcw-preview-figures" }, [this.ratio, this.size, this.speed, this.note]),
      el("div", { class: "nwbcw-preview-buttons" }, [this.button, this.inspectButton]),
    ]);
    this.key = null;
  }

  update(preview) {
    const value = preview || { status: "none" };
    const key = JSON.stringify(value);
    if (key === this.key) return;
    this.key = key;
    const status = value.status || "none";
    this.element.dataset.status = status;
    const busy = status === "queued" || status === "running";
    this.button.disabled = busy;
    setText(this.button, status === "none" ? "Preview" : busy ? (status === "queued" ? "Queued…" : "Measuring…") : "Preview again");
    const hasFigures = value.ratio_text !== undefined && (status === "done" || status === "stale" || busy);
    setText(this.ratio, hasFigures ? `ratio ${value.ratio_text}` : "");
    setText(this.size, hasFigures && value.size_text ? `${value.size_text}${value.range_text ? ` (${value.range_text})` : ""}` : "");
    setText(this.speed, hasFigures ? `${value.compress_text} ↑ · ${value.decompress_text} ↓` : "");
    let note = value.note || "";
    if (status === "stale") note = "settings changed: preview again";
    if (status === "error") note = value.error || "preview failed";
    setText(this.note, note);
    toggleClass(this.element, "nwbcw-stale", status === "stale" || busy);
    toggleClass(this.note, "nwbcw-msg-error", status === "error");
    setTitle(this.speed, hasFigures ? "compression ↑ and decompression ↓ speed, one core" : "");
    setTitle(this.size, hasFigures ? `estimated stored size${value.sample_text ? `; ${value.sample_text}` : ""}` : "");
  }
}

/** Toolbar row: preview all, presets (file or neurodata type), export (Python, JSON, h5repack) with Copy. */
export class InsightBar {
  constructor(context) {
    this.context = context;
    const { actions } = context;
    this.previewAll = el("button", {
      class: "nwbcw-button nwbcw-preview-all",
      text: "Preview all",
      attrs: { type: "button", title: "Estimate the stored size and codec speed of every dataset (sampled chunks)" },
      on: { click: () => actions.request("preview", { location: null }) },
    });
    this.cancelPreviews = el("button", {
      class: "nwbcw-button nwbcw-quiet nwbcw-cancel-previews",
      text: "Cancel previews",
      attrs: { type: "button", title: "Drop the previews still waiting; the one being measured finishes" },
      on: { click: () => actions.request("cancel_preview") },
    });
    this.queuedCount = el("span", { class: "nwbcw-queued", attrs: { "aria-live": "polite" } });
    this.presetSelect = el("select", { class: "nwbcw-preset", attrs: { "aria-label": "preset" } });
    this.scopeSelect = el("select", { class: "nwbcw-preset-scope", attrs: { "aria-label": "datasets the preset applies to" } });
    this.presetSelect.addEventListener("change", () => this.describePreset());
    this.presetButton = el("button", {
      class: "nwbcw-button nwbcw-apply-preset",
      text: "Apply preset",
      attrs: { type: "button" },
      on: { click: () => actions.request("apply_preset", { preset: this.presetSelect.value, neurodata_type: this.scopeSelect.value || null }) },
    });
    this.exportSelect = el("select", { class: "nwbcw-export-format", attrs: { "aria-label": "export format" } });
    this.exportButton = el("button", {
      class: "nwbcw-button nwbcw-export-button",
      text: "Export",
      attrs: { type: "button", title: "The current configuration as code, JSON or a command line to copy" },
      on: { click: () => { this.exportClosed = false; actions.request("export", { format: this.exportSelect.value }); } },
    });
    this.exportText = el("textarea", {
      class: "nwbcw-export-text",
      attrs: { readonly: true, rows: "10", spellcheck: "false", "aria-label": "exported configuration" },
    });
    this.copyButton = el("button", { class: "nwbcw-button nwbcw-copy", text: "Copy", attrs: { type: "button" }, on: { click: () => this.copy() } });
    this.copyStatus = el("span", { class: "nwbcw-copy-status", attrs: { "aria-live": "polite" } });
    this.exportError = el("div", { class: "nwbcw-msg nwbcw-msg-error", attrs: { role: "alert" } });
    this.exportBox = el("div", { class: "nwbcw-export" }, [
      el("div", { class: "nwbcw-toolbar-row" }, [
        this.copyButton,
        this.copyStatus,
        el("button", { class: "nwbcw-button nwbcw-quiet", text: "Close", attrs: { type: "button" }, on: { click: () => { this.exportClosed = true; this.update(); } } }),
      ]),
      this.exportText,
    ]);
    this.exportClosed = false;
    this.element = el("div", { class: "nwbcw-insight" }, [
      el("div", { class: "nwbcw-toolbar-row" }, [
        this.previewAll,
        this.cancelPreviews,
        this.queuedCount,
        el("span", { class: "nwbcw-all" }, [el("span", { class: "nwbcw-label", text: "Preset:" }), this.presetSelect, this.scopeSelect, this.presetButton]),
        el("span", { class: "nwbcw-all" }, [el("span", { class: "nwbcw-label", text: "Export:" }), this.exportSelect, this.exportButton]),
      ]),
      this.exportError,
      this.exportBox,
    ]);
    this.update();
  }

  describePreset() {
    const menu = this.context.model.get("insight_menu") || {};
    const preset = (menu.presets || []).find((item) => item.name === this.presetSelect.value);
    setTitle(this.presetSelect, preset ? preset.description : "");
    setTitle(this.presetButton, preset ? `${preset.name}: ${preset.description}` : "");
  }

  update() {
    const { model } = this.context;
    const queued = (model.get("totals") || {}).previews_queued || 0;
    this.cancelPreviews.hidden = queued === 0;
    setText(this.queuedCount, queued ? `${queued} preview${queued === 1 ? "" : "s"} queued` : "");
    const menu = model.get("insight_menu") || {};
    const key = JSON.stringify(menu);
    if (key !== this.menuKey) {
      this.menuKey = key;
      const preset = this.presetSelect.value;
      this.presetSelect.replaceChildren(...(menu.presets || []).map((item) => el("option", { text: item.name, attrs: { value: item.name } })));
      if (preset) this.presetSelect.value = preset;
      const scope = this.scopeSelect.value;
      this.scopeSelect.replaceChildren(
        el("option", { text: "whole file", attrs: { value: "" } }),
        ...(menu.neurodata_types || []).map((name) => el("option", { text: `${name} only`, attrs: { value: name } })),
      );
      this.scopeSelect.value = (menu.neurodata_types || []).includes(scope) ? scope : "";
      const format = this.exportSelect.value;
      const formats = menu.export_formats || [];
      this.exportSelect.replaceChildren(...formats.map((item) => el("option", { text: item.label, attrs: { value: item.name } })));
      if (formats.some((item) => item.name === format)) this.exportSelect.value = format;
      this.describePreset();
    }
    const exported = model.get("export") || {};
    setText(this.exportError, this.exportClosed ? "" : exported.error || "");
    this.exportBox.hidden = this.exportClosed || !exported.text;
    if (this.exportText.value !== (exported.text || "")) {
      this.exportText.value = exported.text || "";
      setText(this.copyStatus, "");
    }
    this.exportText.rows = String(Math.min(18, Math.max(3, exported.lines || 3)));
  }

  async copy() {
    const text = this.exportText.value;
    let done = false;
    try {
      if (navigator.clipboard && navigator.clipboard.writeText) {
        await navigator.clipboard.writeText(text);
        done = true;
      }
    } catch {
      done = false;
    }
    if (!done) {
      this.exportText.focus();
      this.exportText.select();
      try {
        done = document.execCommand ? document.execCommand("copy") : false;
      } catch {
        done = false;
      }
    }
    setText(this.copyStatus, done ? "Copied." : "Selected: press Ctrl+C / ⌘C to copy.");
  }
}

const CHART = { width: 560, height: 280, left: 52, right: 150, top: 12, bottom: 40 };

/** Ratio-vs-speed chart from Python's placed points (0-1 coordinates) and ticks, drawn with SVG DOM calls. */
export function codecChart(chart) {
  const plotWidth = CHART.width - CHART.left - CHART.right;
  const plotHeight = CHART.height - CHART.top - CHART.bottom;
  const px = (x) => CHART.left + x * plotWidth;
  const py = (y) => CHART.top + (1 - y) * plotHeight;
  const parts = [
    svg("rect", { x: CHART.left, y: CHART.top, width: plotWidth, height: plotHeight, class: "nwbcw-chart-frame" }),
  ];
  for (const tick of chart.x_ticks || []) {
    parts.push(svg("line", { x1: px(tick.pos), x2: px(tick.pos), y1: CHART.top, y2: CHART.top + plotHeight, class: "nwbcw-chart-grid" }));
    parts.push(svgText(tick.text, { x: px(tick.pos), y: CHART.top + plotHeight + 14, "text-anchor": "middle", class: "nwbcw-chart-tick" }));
  }
  for (const tick of chart.y_ticks || []) {
    parts.push(svg("line", { x1: CHART.left, x2: CHART.left + plotWidth, y1: py(tick.pos), y2: py(tick.pos), class: "nwbcw-chart-grid" }));
    parts.push(svgText(tick.text, { x: CHART.left - 6, y: py(tick.pos) + 4, "text-anchor": "end", class: "nwbcw-chart-tick" }));
  }
  parts.push(svgText(chart.x_label || "", { x: CHART.left + plotWidth / 2, y: CHART.height - 6, "text-anchor": "middle", class: "nwbcw-chart-label" }));
  parts.push(svgText(chart.y_label || "", {
    x: 12, y: CHART.top + plotHeight / 2, "text-anchor": "middle", class: "nwbcw-chart-label",
    transform: `rotate(-90 12 ${CHART.top + plotHeight / 2})`,
  }));
  for (const point of chart.points || []) {
    const x = px(point.x);
    const y = py(point.y);
    const cls = `nwbcw-chart-point nwbcw-chart-${point.backend === "zarr" ? "zarr" : "hdf5"}${point.portable ? " nwbcw-chart-portable" : ""}`;
    const mark = point.backend === "zarr"
      ? svg("rect", { x: x - 4, y: y - 4, width: 8, height: 8, class: cls })
      : svg("circle", { cx: x, cy: y, r: 4.5, class: cls });
    const title = svg("title");
    title.textContent = plainText(point.title || point.label);
    mark.appendChild(title);
    parts.push(svg("g", { "data-label": point.label }, [mark, svgText(point.label, { x: x + 6, y: y - 5, class: "nwbcw-chart-point-label" })]));
  }
  return svg("svg", {
    class: "nwbcw-chart",
    viewBox: `0 0 ${CHART.width} ${CHART.height}`,
    width: CHART.width,
    height: CHART.height,
    role: "img",
    "aria-label": "compression ratio against speed for the compared codecs",
  }, parts);
}

/** The detail panel of one dataset: read costs per chunk shape, and the codec comparison. */
export class InspectPanel {
  constructor(context) {
    this.context = context;
    const { actions } = context;
    const box = (label, cls, size) => {
      const input = el("input", { class: cls, attrs: { type: "text", size, spellcheck: "false", autocomplete: "off", "aria-label": label } });
      input.addEventListener("keydown", (event) => {
        if (event.key === "Enter") {
          event.preventDefault();
          this.sendOptions();
        }
      });
      return input;
    };
    this.latency = box("latency per request, ms", "nwbcw-latency", "5");
    this.bandwidth = box("bandwidth, MB/s", "nwbcw-bandwidth", "5");
    this.chunkShape = box("chunk shape to compare", "nwbcw-compare-shape", "14");
    this.chunkShape.placeholder = "e.g. 81920, 64";
    this.title = el("strong", { class: "nwbcw-inspect-title" });
    this.location = el("span", { class: "nwbcw-location" });
    this.facts = el("div", { class: "nwbcw-inspect-facts" });
    this.chunkGrid = el("div", { class: "nwbcw-chunk-grid-box" });
    this.problems = el("div", { class: "nwbcw-msgs" });
    this.accessTable = el("table", { class: "nwbcw-access-table" });
    this.summary = el("ul", { class: "nwbcw-access-summary" });
    this.accessNote = el("div", { class: "nwbcw-muted-note" });
    this.compareButton = el("button", {
      class: "nwbcw-button nwbcw-compare-button",
      text: "Compare codecs",
      attrs: { type: "button", title: "Measure gzip, Zstd, Blosc, LZ4… on the same sampled chunks" },
      on: { click: () => actions.request("compare", { location: this.current }) },
    });
    this.compareStatus = el("span", { class: "nwbcw-compare-status", attrs: { "aria-live": "polite" } });
    this.chartBox = el("div", { class: "nwbcw-chart-box" });
    this.compareTable = el("table", { class: "nwbcw-compare-table" });
    this.element = el("section", { class: "nwbcw-inspect", attrs: { "aria-label": "dataset details" } }, [
      el("div", { class: "nwbcw-inspect-head" }, [
        this.title,
        this.location,
        el("button", { class: "nwbcw-dismiss", text: "×", attrs: { type: "button", "aria-label": "close details" },
          on: { click: () => actions.request("inspect", { location: null }) } }),
      ]),
      this.facts,
      this.chunkGrid,
      el("h4", { text: "What typical reads cost with these chunks" }),
      el("div", { class: "nwbcw-toolbar-row" }, [
        el("label", { class: "nwbcw-option-label" }, [el("span", { text: "latency (ms)" }), this.latency]),
        el("label", { class: "nwbcw-option-label" }, [el("span", { text: "bandwidth (MB/s)" }), this.bandwidth]),
        el("label", { class: "nwbcw-option-label" }, [el("span", { text: "compare with chunks" }), this.chunkShape]),
        el("button", { class: "nwbcw-button", text: "Update", attrs: { type: "button" }, on: { click: () => this.sendOptions() } }),
      ]),
      this.problems,
      this.accessTable,
      this.summary,
      this.accessNote,
      el("h4", { text: "Codecs on this dataset's sampled chunks" }),
      el("div", { class: "nwbcw-toolbar-row" }, [this.compareButton, this.compareStatus]),
      this.chartBox,
      this.compareTable,
    ]);
    this.current = null;
    this.update();
  }

  sendOptions() {
    this.context.actions.request("inspect", {
      location: this.current,
      latency_ms: this.latency.value,
      bandwidth_mb_s: this.bandwidth.value,
      chunk_shape: this.chunkShape.value,
    });
  }

  update() {
    const inspection = this.context.model.get("inspection") || {};
    const key = JSON.stringify(inspection);
    if (key === this.key) return;
    this.key = key;
    this.element.hidden = !inspection.location;
    if (!inspection.location) {
      this.current = null;
      return;
    }
    const changedDataset = this.current !== inspection.location;
    this.current = inspection.location;
    setText(this.title, `Details: ${inspection.dataset_name}`);
    setTitle(this.title, inspection.dataset_name);
    setText(this.location, inspection.location);
    setTitle(this.location, inspection.location);
    setText(this.facts, inspection.facts);
    const grid = chunkGrid(inspection.chunk_grid);
    this.chunkGrid.replaceChildren(...(grid ? [grid] : []));
    const access = inspection.access || {};
    const active = this.element.ownerDocument.activeElement;
    const fill = (input, value) => {
      if (input !== active || changedDataset) input.value = value === undefined || value === null ? "" : String(value);
    };
    fill(this.latency, access.latency_ms);
    fill(this.bandwidth, access.bandwidth_mb_s);
    fill(this.chunkShape, inspection.extra_chunk_shape);
    this.problems.replaceChildren(...(inspection.problems || []).map((text) => el("div", { class: "nwbcw-msg nwbcw-msg-error", text })));
    this.renderAccess(access);
    this.renderCompare(inspection.compare || {});
  }

  renderAccess(access) {
    const columns = access.columns || [];
    const head = el("tr", {}, [
      el("th", { text: "Read" }),
      el("th", { text: "Asked for" }),
      ...columns.map((column) => el("th", { attrs: { "data-column": column.key } }, [
        el("span", { class: "nwbcw-access-col", text: column.label }),
        el("span", { class: "nwbcw-access-shape", text: column.shape_text }),
      ])),
    ]);
    const body = (access.reads || []).map((read) => el("tr", { attrs: { "data-read": read.name } }, [
      el("th", { text: read.name, attrs: { scope: "row" } }),
      el("td", { class: "nwbcw-num", text: read.requested }),
      ...read.cells.map((cell) => el("td", {
        class: `nwbcw-access-cell${cell.best ? " nwbcw-best" : ""}`,
        attrs: { title: cell.fetched ? `fetched ≈ ${cell.fetched} compressed` : "" },
      }, [
        el("span", { class: "nwbcw-access-chunks", text: `${cell.chunks} chunk${cell.chunks_touched === 1 ? "" : "s"}` }),
        el("span", { class: "nwbcw-access-read", text: `reads ${cell.read} (${cell.amplification})` }),
        el("span", { class: "nwbcw-access-remote", text: `remote ≈ ${cell.remote}` }),
      ])),
    ]));
    this.accessTable.replaceChildren(el("thead", {}, [head]), el("tbody", {}, body));
    this.summary.replaceChildren(...(access.summary || []).map((text) => el("li", { text })));
    setText(this.accessNote, access.note || "");
  }

  renderCompare(compare) {
    const status = compare.status || "none";
    this.compareButton.disabled = status === "running";
    let text = "";
    if (status === "running") text = "Measuring every codec on sampled chunks…";
    else if (status === "error") text = compare.error || "comparison failed";
    else if (status === "done") text = `${compare.caption || ""}${compare.stale ? " (chunk shape changed since: compare again)" : ""}`;
    setText(this.compareStatus, text);
    toggleClass(this.compareStatus, "nwbcw-msg-error", status === "error");
    if (status !== "done") {
      this.chartBox.replaceChildren();
      this.compareTable.replaceChildren();
      return;
    }
    this.chartBox.replaceChildren(codecChart(compare.chart || {}));
    const head = el("tr", {}, ["Pipeline", "Ratio", "Stored (est.)", "Compress", "Decompress", "Who can read it", ""].map((label) => el("th", { text: label })));
    const rows = (compare.rows || []).map((row) => el("tr", { attrs: { "data-label": row.label } }, [
      el("th", { text: row.label, attrs: { scope: "row" } }),
      el("td", { class: "nwbcw-num", text: row.ratio }),
      el("td", { class: "nwbcw-num", text: row.size }),
      el("td", { class: "nwbcw-num", text: row.compress }),
      el("td", { class: "nwbcw-num", text: row.decompress }),
      el("td", { text: row.note ? `${row.portability} ${row.note}`.trim() : row.portability }),
      el("td", {}, [row.usable
        ? el("button", { class: "nwbcw-button nwbcw-use-codec", text: "Use", attrs: { type: "button", "aria-label": `use ${row.label}` },
          on: { click: () => this.context.actions.request("use_codec", { location: this.current, label: row.label }) } })
        : null]),
    ]));
    this.compareTable.replaceChildren(el("thead", {}, [head]), el("tbody", {}, rows));
  }
}
