// src/actions.js
var counter = 0;
var ACTION_NAMES = {
  apply: "Apply",
  apply_all: "Apply to all",
  apply_preset: "Apply preset",
  cancel: "Cancel",
  cancel_preview: "Cancel previews",
  compare: "Compare codecs",
  edit: "the edit",
  export: "Export",
  inspect: "Details",
  preview: "Preview",
  refresh: "Refresh",
  reset_all: "Reset all",
  reset_row: "Reset",
  use_codec: "Use codec"
};
function timeoutText(type, seconds) {
  const name = ACTION_NAMES[type] || type;
  return `The kernel did not answer ${name} within ${seconds} s; it may have restarted: run the cell again.`;
}
function unsentText(type, error) {
  const name = ACTION_NAMES[type] || type;
  return `Could not send ${name} to the kernel (${error}); it may have restarted: run the cell again.`;
}
var Actions = class {
  /**
   * `timeoutSeconds()` gives the current timeout (Python's `request_timeout`); `onTimeout(text)` shows a notice and
   * returns a function that withdraws it, called if the reply comes after all.
   */
  constructor(model, { timeoutSeconds = () => 60, onTimeout = () => () => {
  } } = {}) {
    this.model = model;
    this.timeoutSeconds = timeoutSeconds;
    this.onTimeout = onTimeout;
    this.prefix = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}-`;
    this.pending = /* @__PURE__ */ new Map();
    this.late = /* @__PURE__ */ new Map();
  }
  /** Send `{type, ...fields}`; resolves to `{ok, error, timedOut}` when Python answers or the timeout passes. */
  request(type, fields = {}) {
    counter += 1;
    const id = this.prefix + counter;
    const seconds = Number(this.timeoutSeconds()) || 60;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        const text = timeoutText(type, seconds);
        this.late.set(id, this.onTimeout(text));
        resolve({ ok: false, error: text, timedOut: true });
      }, seconds * 1e3);
      this.pending.set(id, (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      try {
        this.model.send({ type, id, ...fields });
      } catch (error) {
        clearTimeout(timer);
        this.pending.delete(id);
        const text = unsentText(type, error && error.message ? error.message : String(error));
        this.onTimeout(text);
        resolve({ ok: false, error: text, timedOut: true });
      }
    });
  }
  /** Handle a reply message; returns true when it was one of ours (also a late one, whose notice is withdrawn). */
  handleReply(message) {
    if (!message || message.type !== "reply") return false;
    const withdraw = this.late.get(message.id);
    if (withdraw) {
      this.late.delete(message.id);
      withdraw();
      return true;
    }
    const resolve = this.pending.get(message.id);
    if (!resolve) return false;
    this.pending.delete(message.id);
    resolve({ ok: Boolean(message.ok), error: message.error || "", timedOut: false });
    return true;
  }
};

// src/dom.js
var UNSAFE = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}\p{Co}\p{Cn}]/gu;
var PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
var NAMED = { "	": "\\t", "\n": "\\n", "\r": "\\r" };
var READ_ATTRIBUTES = /* @__PURE__ */ new Set(["title", "aria-label", "placeholder"]);
function escapeCharacter(character) {
  if (NAMED[character]) return NAMED[character];
  const code = character.codePointAt(0);
  if (code < 256) return `\\x${code.toString(16).padStart(2, "0")}`;
  if (code < 65536) return `\\u${code.toString(16).padStart(4, "0")}`;
  return `\\U${code.toString(16).padStart(8, "0")}`;
}
function plainText(value, multiline = false) {
  const text = value === void 0 || value === null ? "" : String(value);
  if (PRINTABLE_ASCII.test(text)) return text;
  return text.replace(
    UNSAFE,
    (character) => multiline && (character === "\n" || character === "	") ? character : escapeCharacter(character)
  );
}
function isMultiline(node) {
  return node.tagName === "PRE" || node.tagName === "TEXTAREA";
}
function el(tag, options = {}, children = []) {
  const node = document.createElement(tag);
  if (options.class) node.className = options.class;
  if (options.text !== void 0 && options.text !== null) node.textContent = plainText(options.text, isMultiline(node));
  if (options.attrs) {
    for (const [name, value] of Object.entries(options.attrs)) {
      if (value === void 0 || value === null || value === false) continue;
      node.setAttribute(name, value === true ? "" : READ_ATTRIBUTES.has(name) ? plainText(value) : String(value));
    }
  }
  if (options.on) {
    for (const [event, handler] of Object.entries(options.on)) node.addEventListener(event, handler);
  }
  for (const child of children) if (child) node.appendChild(child);
  return node;
}
function setText(node, text) {
  const value = plainText(text, isMultiline(node));
  if (node.textContent !== value) node.textContent = value;
}
function replaceChildren(node, children) {
  node.replaceChildren(...children.filter(Boolean));
}
function toggleClass(node, name, on) {
  if (node.classList.contains(name) !== Boolean(on)) node.classList.toggle(name, Boolean(on));
}
function debounce(fn, wait) {
  let timer = null;
  let pendingArgs = null;
  const debounced = (...args) => {
    pendingArgs = args;
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(() => debounced.flush(), wait);
  };
  debounced.flush = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    if (pendingArgs !== null) {
      const args = pendingArgs;
      pendingArgs = null;
      fn(...args);
    }
  };
  debounced.cancel = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    pendingArgs = null;
  };
  debounced.pending = () => pendingArgs !== null;
  return debounced;
}
function shapeText(shape) {
  return shape ? shape.join(" \xD7 ") : "contiguous";
}
function setTitle(node, text) {
  const value = plainText(text);
  if (node.title !== value) node.title = value;
}

// src/chunk_grid.js
var SVG = "http://www.w3.org/2000/svg";
var RECT_KINDS = ["touched", "asked"];
var LOOK = {
  frame: { fill: "none", stroke: "currentColor", "stroke-opacity": "0.6" },
  touched: { fill: "#f4b183", "fill-opacity": "0.8", stroke: "#c55a11", "stroke-width": "0.6" },
  asked: { fill: "#843c0c", "fill-opacity": "0.9" },
  lines: { fill: "none", stroke: "currentColor", "stroke-opacity": "0.25", "stroke-width": "0.6" },
  title: { fill: "currentColor", "font-size": "11", "font-weight": "600" },
  name: { fill: "currentColor", "font-size": "11" },
  note: { fill: "currentColor", "fill-opacity": "0.75", "font-size": "10" }
};
function svg(tag, attrs = {}) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  return node;
}
var finite = (value) => Number.isFinite(Number(value)) ? Number(value) : 0;
function chunkGrid(geometry) {
  if (!geometry || !Array.isArray(geometry.panels) || geometry.panels.length === 0) return null;
  const width = finite(geometry.width);
  const height = finite(geometry.height);
  const root = svg("svg", {
    class: "nwbcw-chunk-grid",
    viewBox: `0 0 ${width} ${height}`,
    width,
    height,
    role: "img",
    "font-family": "system-ui, sans-serif",
    style: "max-width: 100%; height: auto",
    "aria-label": plainText(`chunk grid: ${geometry.title || ""}`)
  });
  for (const panel of geometry.panels) {
    const group = svg("g", { class: "nwbcw-chunk-grid-panel" });
    group.setAttribute("data-read", plainText(panel.name));
    const frame = panel.frame || {};
    group.appendChild(svg("rect", {
      x: finite(frame.x),
      y: finite(frame.y),
      width: finite(frame.width),
      height: finite(frame.height),
      class: "nwbcw-grid-frame",
      ...LOOK.frame
    }));
    for (const kind of RECT_KINDS) {
      for (const rectangle of panel[kind] || []) {
        const [x, y, w, h] = (rectangle.draw || []).map(finite);
        group.appendChild(svg("rect", { x, y, width: w, height: h, class: `nwbcw-grid-${kind}`, ...LOOK[kind] }));
      }
    }
    if (panel.grid && /^[MVH0-9. e+-]*$/.test(panel.grid)) {
      group.appendChild(svg("path", {
        d: panel.grid,
        class: "nwbcw-grid-lines",
        ...LOOK.lines,
        transform: `translate(${finite(frame.x)} ${finite(frame.y)})`
      }));
    }
    root.appendChild(group);
  }
  for (const label of geometry.labels || []) {
    const kind = label.kind === "title" || label.kind === "name" ? label.kind : "note";
    const text = svg("text", { x: finite(label.x), y: finite(label.y), class: `nwbcw-grid-${kind}`, ...LOOK[kind] });
    text.textContent = plainText(label.text);
    root.appendChild(text);
  }
  return root;
}

// src/insight.js
var SVG2 = "http://www.w3.org/2000/svg";
function svg2(tag, attrs = {}, children = []) {
  const node = document.createElementNS(SVG2, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  for (const child of children) if (child) node.appendChild(child);
  return node;
}
function svgText(text, attrs) {
  const node = svg2("text", attrs);
  node.textContent = plainText(text);
  return node;
}
var PreviewCell = class {
  constructor(location, context) {
    this.location = location;
    this.button = el("button", {
      class: "nwbcw-button nwbcw-preview-button",
      text: "Preview",
      attrs: { type: "button", title: "Compress a sample of chunks with these settings", "aria-label": `preview compression, ${location}` },
      on: { click: () => context.preview && context.preview(this.location) }
    });
    this.inspectButton = el("button", {
      class: "nwbcw-button nwbcw-quiet nwbcw-inspect-button",
      text: "Details",
      attrs: { type: "button", title: "Read costs and codec comparison for this dataset", "aria-label": `details of ${location}` },
      on: { click: () => context.inspect && context.inspect(this.location) }
    });
    this.ratio = el("span", { class: "nwbcw-preview-ratio" });
    this.size = el("span", { class: "nwbcw-preview-size" });
    this.speed = el("span", { class: "nwbcw-preview-speed" });
    this.note = el("span", { class: "nwbcw-preview-note" });
    this.element = el("div", { class: "nwbcw-preview" }, [
      el("div", { class: "nwbcw-preview-figures" }, [this.ratio, this.size, this.speed, this.note]),
      el("div", { class: "nwbcw-preview-buttons" }, [this.button, this.inspectButton])
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
    setText(this.button, status === "none" ? "Preview" : busy ? status === "queued" ? "Queued\u2026" : "Measuring\u2026" : "Preview again");
    const hasFigures = value.ratio_text !== void 0 && (status === "done" || status === "stale" || busy);
    setText(this.ratio, hasFigures ? `ratio ${value.ratio_text}` : "");
    setText(this.size, hasFigures && value.size_text ? `${value.size_text}${value.range_text ? ` (${value.range_text})` : ""}` : "");
    setText(this.speed, hasFigures ? `${value.compress_text} \u2191 \xB7 ${value.decompress_text} \u2193` : "");
    let note = value.note || "";
    if (status === "stale") note = "settings changed: preview again";
    if (status === "error") note = value.error || "preview failed";
    setText(this.note, note);
    toggleClass(this.element, "nwbcw-stale", status === "stale" || busy);
    toggleClass(this.note, "nwbcw-msg-error", status === "error");
    setTitle(this.speed, hasFigures ? "compression \u2191 and decompression \u2193 speed, one core" : "");
    setTitle(this.size, hasFigures ? `estimated stored size${value.sample_text ? `; ${value.sample_text}` : ""}` : "");
  }
};
var InsightBar = class {
  constructor(context) {
    this.context = context;
    const { actions } = context;
    this.previewAll = el("button", {
      class: "nwbcw-button nwbcw-preview-all",
      text: "Preview all",
      attrs: { type: "button", title: "Estimate the stored size and codec speed of every dataset (sampled chunks)" },
      on: { click: () => actions.request("preview", { location: null }) }
    });
    this.cancelPreviews = el("button", {
      class: "nwbcw-button nwbcw-quiet nwbcw-cancel-previews",
      text: "Cancel previews",
      attrs: { type: "button", title: "Drop the previews still waiting; the one being measured finishes" },
      on: { click: () => actions.request("cancel_preview") }
    });
    this.queuedCount = el("span", { class: "nwbcw-queued", attrs: { "aria-live": "polite" } });
    this.presetSelect = el("select", { class: "nwbcw-preset", attrs: { "aria-label": "preset" } });
    this.scopeSelect = el("select", { class: "nwbcw-preset-scope", attrs: { "aria-label": "datasets the preset applies to" } });
    this.presetSelect.addEventListener("change", () => this.describePreset());
    this.presetButton = el("button", {
      class: "nwbcw-button nwbcw-apply-preset",
      text: "Apply preset",
      attrs: { type: "button" },
      on: { click: () => actions.request("apply_preset", { preset: this.presetSelect.value, neurodata_type: this.scopeSelect.value || null }) }
    });
    this.exportSelect = el("select", { class: "nwbcw-export-format", attrs: { "aria-label": "export format" } });
    this.exportButton = el("button", {
      class: "nwbcw-button nwbcw-export-button",
      text: "Export",
      attrs: { type: "button", title: "The current configuration as code, JSON or a command line to copy" },
      on: { click: () => {
        this.exportClosed = false;
        actions.request("export", { format: this.exportSelect.value });
      } }
    });
    this.exportText = el("textarea", {
      class: "nwbcw-export-text",
      attrs: { readonly: true, rows: "10", spellcheck: "false", "aria-label": "exported configuration" }
    });
    this.copyButton = el("button", { class: "nwbcw-button nwbcw-copy", text: "Copy", attrs: { type: "button" }, on: { click: () => this.copy() } });
    this.copyStatus = el("span", { class: "nwbcw-copy-status", attrs: { "aria-live": "polite" } });
    this.exportError = el("div", { class: "nwbcw-msg nwbcw-msg-error", attrs: { role: "alert" } });
    this.exportBox = el("div", { class: "nwbcw-export" }, [
      el("div", { class: "nwbcw-toolbar-row" }, [
        this.copyButton,
        this.copyStatus,
        el("button", { class: "nwbcw-button nwbcw-quiet", text: "Close", attrs: { type: "button" }, on: { click: () => {
          this.exportClosed = true;
          this.update();
        } } })
      ]),
      this.exportText
    ]);
    this.exportClosed = false;
    this.element = el("div", { class: "nwbcw-insight" }, [
      el("div", { class: "nwbcw-toolbar-row" }, [
        this.previewAll,
        this.cancelPreviews,
        this.queuedCount,
        el("span", { class: "nwbcw-all" }, [el("span", { class: "nwbcw-label", text: "Preset:" }), this.presetSelect, this.scopeSelect, this.presetButton]),
        el("span", { class: "nwbcw-all" }, [el("span", { class: "nwbcw-label", text: "Export:" }), this.exportSelect, this.exportButton])
      ]),
      this.exportError,
      this.exportBox
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
        ...(menu.neurodata_types || []).map((name) => el("option", { text: `${name} only`, attrs: { value: name } }))
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
    setText(this.copyStatus, done ? "Copied." : "Selected: press Ctrl+C / \u2318C to copy.");
  }
};
var CHART = { width: 560, height: 280, left: 52, right: 150, top: 12, bottom: 40 };
function codecChart(chart) {
  const plotWidth = CHART.width - CHART.left - CHART.right;
  const plotHeight = CHART.height - CHART.top - CHART.bottom;
  const px = (x) => CHART.left + x * plotWidth;
  const py = (y) => CHART.top + (1 - y) * plotHeight;
  const parts = [
    svg2("rect", { x: CHART.left, y: CHART.top, width: plotWidth, height: plotHeight, class: "nwbcw-chart-frame" })
  ];
  for (const tick of chart.x_ticks || []) {
    parts.push(svg2("line", { x1: px(tick.pos), x2: px(tick.pos), y1: CHART.top, y2: CHART.top + plotHeight, class: "nwbcw-chart-grid" }));
    parts.push(svgText(tick.text, { x: px(tick.pos), y: CHART.top + plotHeight + 14, "text-anchor": "middle", class: "nwbcw-chart-tick" }));
  }
  for (const tick of chart.y_ticks || []) {
    parts.push(svg2("line", { x1: CHART.left, x2: CHART.left + plotWidth, y1: py(tick.pos), y2: py(tick.pos), class: "nwbcw-chart-grid" }));
    parts.push(svgText(tick.text, { x: CHART.left - 6, y: py(tick.pos) + 4, "text-anchor": "end", class: "nwbcw-chart-tick" }));
  }
  parts.push(svgText(chart.x_label || "", { x: CHART.left + plotWidth / 2, y: CHART.height - 6, "text-anchor": "middle", class: "nwbcw-chart-label" }));
  parts.push(svgText(chart.y_label || "", {
    x: 12,
    y: CHART.top + plotHeight / 2,
    "text-anchor": "middle",
    class: "nwbcw-chart-label",
    transform: `rotate(-90 12 ${CHART.top + plotHeight / 2})`
  }));
  for (const point of chart.points || []) {
    const x = px(point.x);
    const y = py(point.y);
    const cls = `nwbcw-chart-point nwbcw-chart-${point.backend === "zarr" ? "zarr" : "hdf5"}${point.portable ? " nwbcw-chart-portable" : ""}`;
    const mark = point.backend === "zarr" ? svg2("rect", { x: x - 4, y: y - 4, width: 8, height: 8, class: cls }) : svg2("circle", { cx: x, cy: y, r: 4.5, class: cls });
    const title = svg2("title");
    title.textContent = plainText(point.title || point.label);
    mark.appendChild(title);
    parts.push(svg2("g", { "data-label": point.label }, [mark, svgText(point.label, { x: x + 6, y: y - 5, class: "nwbcw-chart-point-label" })]));
  }
  return svg2("svg", {
    class: "nwbcw-chart",
    viewBox: `0 0 ${CHART.width} ${CHART.height}`,
    width: CHART.width,
    height: CHART.height,
    role: "img",
    "aria-label": "compression ratio against speed for the compared codecs"
  }, parts);
}
var InspectPanel = class {
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
      attrs: { type: "button", title: "Measure gzip, Zstd, Blosc, LZ4\u2026 on the same sampled chunks" },
      on: { click: () => actions.request("compare", { location: this.current }) }
    });
    this.compareStatus = el("span", { class: "nwbcw-compare-status", attrs: { "aria-live": "polite" } });
    this.chartBox = el("div", { class: "nwbcw-chart-box" });
    this.compareTable = el("table", { class: "nwbcw-compare-table" });
    this.element = el("section", { class: "nwbcw-inspect", attrs: { "aria-label": "dataset details" } }, [
      el("div", { class: "nwbcw-inspect-head" }, [
        this.title,
        this.location,
        el("button", {
          class: "nwbcw-dismiss",
          text: "\xD7",
          attrs: { type: "button", "aria-label": "close details" },
          on: { click: () => actions.request("inspect", { location: null }) }
        })
      ]),
      this.facts,
      this.chunkGrid,
      el("h4", { text: "What typical reads cost with these chunks" }),
      el("div", { class: "nwbcw-toolbar-row" }, [
        el("label", { class: "nwbcw-option-label" }, [el("span", { text: "latency (ms)" }), this.latency]),
        el("label", { class: "nwbcw-option-label" }, [el("span", { text: "bandwidth (MB/s)" }), this.bandwidth]),
        el("label", { class: "nwbcw-option-label" }, [el("span", { text: "compare with chunks" }), this.chunkShape]),
        el("button", { class: "nwbcw-button", text: "Update", attrs: { type: "button" }, on: { click: () => this.sendOptions() } })
      ]),
      this.problems,
      this.accessTable,
      this.summary,
      this.accessNote,
      el("h4", { text: "Codecs on this dataset's sampled chunks" }),
      el("div", { class: "nwbcw-toolbar-row" }, [this.compareButton, this.compareStatus]),
      this.chartBox,
      this.compareTable
    ]);
    this.current = null;
    this.update();
  }
  sendOptions() {
    this.context.actions.request("inspect", {
      location: this.current,
      latency_ms: this.latency.value,
      bandwidth_mb_s: this.bandwidth.value,
      chunk_shape: this.chunkShape.value
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
    this.chunkGrid.replaceChildren(...grid ? [grid] : []);
    const access = inspection.access || {};
    const active = this.element.ownerDocument.activeElement;
    const fill = (input, value) => {
      if (input !== active || changedDataset) input.value = value === void 0 || value === null ? "" : String(value);
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
        el("span", { class: "nwbcw-access-shape", text: column.shape_text })
      ]))
    ]);
    const body = (access.reads || []).map((read) => el("tr", { attrs: { "data-read": read.name } }, [
      el("th", { text: read.name, attrs: { scope: "row" } }),
      el("td", { class: "nwbcw-num", text: read.requested }),
      ...read.cells.map((cell) => el("td", {
        class: `nwbcw-access-cell${cell.best ? " nwbcw-best" : ""}`,
        attrs: { title: cell.fetched ? `fetched \u2248 ${cell.fetched} compressed` : "" }
      }, [
        el("span", { class: "nwbcw-access-chunks", text: `${cell.chunks} chunk${cell.chunks_touched === 1 ? "" : "s"}` }),
        el("span", { class: "nwbcw-access-read", text: `reads ${cell.read} (${cell.amplification})` }),
        el("span", { class: "nwbcw-access-remote", text: `remote \u2248 ${cell.remote}` })
      ]))
    ]));
    this.accessTable.replaceChildren(el("thead", {}, [head]), el("tbody", {}, body));
    this.summary.replaceChildren(...(access.summary || []).map((text) => el("li", { text })));
    setText(this.accessNote, access.note || "");
  }
  renderCompare(compare) {
    const status = compare.status || "none";
    this.compareButton.disabled = status === "running";
    let text = "";
    if (status === "running") text = "Measuring every codec on sampled chunks\u2026";
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
      el("td", {}, [row.usable ? el("button", {
        class: "nwbcw-button nwbcw-use-codec",
        text: "Use",
        attrs: { type: "button", "aria-label": `use ${row.label}` },
        on: { click: () => this.context.actions.request("use_codec", { location: this.current, label: row.label }) }
      }) : null])
    ]));
    this.compareTable.replaceChildren(el("thead", {}, [head]), el("tbody", {}, rows));
  }
};

// src/output.js
var views = 0;
var OutputPanel = class {
  constructor(context) {
    this.context = context;
    const { model } = context;
    views += 1;
    const pathId = `nwbcw-path-${views}`;
    this.pathInput = el("input", {
      class: "nwbcw-path",
      attrs: { id: pathId, type: "text", spellcheck: "false", autocomplete: "off", placeholder: "e.g. session.nwb" }
    });
    const savePath = debounce(() => {
      model.set("output_path", this.pathInput.value);
      model.save_changes();
    }, 200);
    this.pathInput.addEventListener("input", savePath);
    this.pathInput.addEventListener("blur", () => savePath.flush());
    this.pathInput.addEventListener("keydown", (event) => {
      if (event.key === "Enter") savePath.flush();
      else if (event.key === "Escape") {
        event.preventDefault();
        event.stopPropagation();
        savePath.cancel();
        this.pathInput.value = model.get("output_path") || "";
      }
    });
    this.savePath = savePath;
    this.overwrite = el("input", { class: "nwbcw-overwrite", attrs: { type: "checkbox", "aria-label": "overwrite the existing file" } });
    this.overwrite.addEventListener("change", () => {
      model.set("overwrite", this.overwrite.checked);
      model.save_changes();
    });
    this.overwriteLabel = el("label", { class: "nwbcw-overwrite-label" }, [this.overwrite, el("span", { text: "Overwrite the existing file" })]);
    this.applyButton = el("button", {
      class: "nwbcw-button nwbcw-primary nwbcw-apply",
      attrs: { type: "button" },
      on: { click: () => this.apply() }
    });
    this.cancelButton = el("button", {
      class: "nwbcw-button nwbcw-cancel",
      text: "Cancel",
      attrs: { type: "button", title: "Stop the write; nothing is left at the output path" },
      on: { click: () => this.cancel() }
    });
    this.info = el("div", { class: "nwbcw-output-info" });
    this.blockers = el("ul", { class: "nwbcw-blockers" });
    this.replyError = el("div", { class: "nwbcw-msg nwbcw-msg-error", attrs: { role: "alert" } });
    this.progressFill = el("div", { class: "nwbcw-progress-fill" });
    this.progressBar = el("div", { class: "nwbcw-progress-bar", attrs: { role: "progressbar", "aria-valuemin": "0", "aria-valuemax": "100" } }, [this.progressFill]);
    this.progressText = el("div", { class: "nwbcw-progress-text" });
    this.progressCurrent = el("div", { class: "nwbcw-progress-current" });
    this.progress = el("div", { class: "nwbcw-progress" }, [this.progressBar, this.progressText, this.progressCurrent]);
    this.result = el("div", { class: "nwbcw-result" });
    this.error = el("div", { class: "nwbcw-error" });
    this.element = el("div", { class: "nwbcw-output" }, [
      el("div", { class: "nwbcw-output-row" }, [
        el("label", { class: "nwbcw-label", text: "Output path", attrs: { for: pathId } }),
        this.pathInput,
        this.overwriteLabel,
        this.applyButton,
        this.cancelButton
      ]),
      this.info,
      this.blockers,
      this.replyError,
      this.progress,
      this.result,
      this.error
    ]);
    this.update();
  }
  async apply() {
    this.savePath.flush();
    setText(this.replyError, "");
    this.applyButton.disabled = true;
    const reply = await this.context.actions.request("apply");
    if (!reply.ok) setText(this.replyError, reply.error);
    this.update();
  }
  async cancel() {
    this.cancelButton.disabled = true;
    const reply = await this.context.actions.request("cancel");
    if (!reply.ok) setText(this.replyError, reply.error);
  }
  update() {
    const { model } = this.context;
    const path = model.get("output_path") || "";
    if (this.pathInput !== this.pathInput.ownerDocument.activeElement && !this.savePath.pending() && this.pathInput.value !== path) {
      this.pathInput.value = path;
    }
    const status = model.get("status");
    const blockers = model.get("apply_blockers") || [];
    const writing = status === "writing";
    this.overwriteLabel.hidden = !model.get("target_exists");
    this.overwrite.checked = Boolean(model.get("overwrite"));
    setText(this.applyButton, writing ? "Writing\u2026" : model.get("mode") === "repack" ? "Repack" : "Apply");
    this.applyButton.disabled = writing || blockers.length > 0;
    this.cancelButton.hidden = !writing;
    this.cancelButton.disabled = !writing;
    this.applyButton.title = blockers.join(" ");
    setText(this.info, model.get("output_info"));
    const blockerKey = JSON.stringify(blockers);
    if (blockerKey !== this.blockerKey) {
      this.blockerKey = blockerKey;
      this.blockers.replaceChildren(...blockers.map((text) => el("li", { text })));
    }
    this.showProgress(status, model.get("progress") || {});
    this.showResult(status, model.get("result") || {});
    this.showError(status, model.get("error") || {});
  }
  showProgress(status, progress) {
    this.progress.hidden = !(status === "writing" || status === "done" && progress.bytes_total);
    const percent = Math.round((progress.fraction || 0) * 1e3) / 10;
    this.progressFill.style.width = `${percent}%`;
    this.progressBar.setAttribute("aria-valuenow", String(percent));
    setText(this.progressText, progress.text ? `${progress.text} (${progress.percent_text})` : "");
    setText(this.progressCurrent, progress.current ? `Current: ${progress.current}` : "");
    setTitle(this.progressCurrent, progress.current || "");
  }
  showResult(status, result) {
    const key = status === "done" ? JSON.stringify(result) : "";
    if (key === this.resultKey) return;
    this.resultKey = key;
    if (!key) {
      this.result.replaceChildren();
      return;
    }
    const rows = (result.datasets || []).map(
      (entry) => el("tr", {}, [
        el("td", { class: "nwbcw-result-location", text: entry.location, attrs: { title: entry.location } }),
        el("td", { class: "nwbcw-num", text: entry.uncompressed }),
        el("td", { class: "nwbcw-num", text: entry.stored }),
        el("td", { class: "nwbcw-num", text: entry.ratio_text })
      ])
    );
    replaceChildren(this.result, [
      el("div", { class: "nwbcw-result-head", attrs: { role: "status" } }, [
        el("strong", { text: "Written: " }),
        el("code", { text: result.path }),
        el("span", { text: ` \xB7 ${result.size} \xB7 ${result.time} \xB7 overall ratio ${result.overall_ratio_text}` })
      ]),
      result.note ? el("div", { class: "nwbcw-msg nwbcw-msg-warning", text: result.note }) : null,
      el("details", { class: "nwbcw-result-details" }, [
        el("summary", { text: `Compression per dataset (${rows.length})` }),
        el("table", { class: "nwbcw-result-table" }, [
          el("thead", {}, [el("tr", {}, ["Dataset", "Uncompressed", "Stored", "Ratio"].map((text) => el("th", { text })))]),
          el("tbody", {}, rows)
        ])
      ])
    ]);
  }
  showError(status, error) {
    const key = status === "error" ? JSON.stringify(error) : "";
    if (key === this.errorKey) return;
    this.errorKey = key;
    if (!key) {
      this.error.replaceChildren();
      return;
    }
    this.error.replaceChildren(
      el("div", { class: "nwbcw-msg nwbcw-msg-error", attrs: { role: "alert" } }, [
        el("strong", { text: "The write failed: " }),
        el("span", { text: `${error.type}: ${error.message}` })
      ]),
      el("details", { class: "nwbcw-traceback" }, [el("summary", { text: "Traceback" }), el("pre", { text: error.traceback })])
    );
  }
};

// src/rows.js
var EDIT_DELAY = 250;
var MESSAGE_SLOT = {
  chunk_shape: "chunk",
  buffer_shape: "buffer",
  compression_method: "compression",
  compression_options: "compression",
  filter_methods: "filters",
  filter_options: "filters"
};
function asTexts(values, rank) {
  const texts = [];
  for (let axis = 0; axis < rank; axis += 1) {
    const value = values ? values[axis] : void 0;
    texts.push(value === void 0 || value === null ? "" : String(value));
  }
  return texts;
}
var ShapeEditor = class {
  constructor({ field, rank, location, onEdit, placeholder }) {
    this.field = field;
    this.inputs = [];
    this.onEdit = onEdit;
    this.send = debounce(() => this.onEdit(this.field, this.values()), EDIT_DELAY);
    const parts = [];
    for (let axis = 0; axis < rank; axis += 1) {
      if (axis > 0) parts.push(el("span", { class: "nwbcw-times", text: "\xD7", attrs: { "aria-hidden": "true" } }));
      const input = el("input", {
        class: "nwbcw-axis",
        attrs: {
          type: "text",
          inputmode: "numeric",
          autocomplete: "off",
          spellcheck: "false",
          size: "7",
          placeholder: placeholder || "",
          "aria-label": `${field === "chunk_shape" ? "chunk" : "buffer"} length, axis ${axis}, ${location}`,
          "data-field": field,
          "data-axis": String(axis)
        }
      });
      input.addEventListener("input", () => this.send());
      input.addEventListener("keydown", (event) => this.onKey(event));
      input.addEventListener("blur", () => this.onBlur());
      this.inputs.push(input);
      parts.push(input);
    }
    this.element = el("div", { class: "nwbcw-axes" }, parts);
    this.shown = null;
  }
  values() {
    return this.inputs.map((input) => input.value);
  }
  onKey(event) {
    if (event.key === "Enter") {
      event.preventDefault();
      this.send.flush();
    } else if (event.key === "Escape" && this.shown) {
      event.preventDefault();
      event.stopPropagation();
      this.send.cancel();
      this.inputs.forEach((input, axis) => input.value = this.shown.model[axis]);
      this.onEdit(this.field, this.values());
    }
  }
  onBlur() {
    if (this.send.pending()) this.send.flush();
    else if (this.shown) this.show(this.shown.model, this.shown.draft, true);
  }
  /** Show the model's value, or the user's rejected text; never touch the box being typed in. */
  show(modelValues, draftValues, force = false) {
    const model = asTexts(modelValues, this.inputs.length);
    const draft = draftValues ? asTexts(draftValues, this.inputs.length) : null;
    this.shown = { model, draft };
    const texts = draft || model;
    const active = this.inputs[0] ? this.inputs[0].ownerDocument.activeElement : null;
    this.inputs.forEach((input, axis) => {
      if (input === active && !force) return;
      if (this.send.pending() && !force) return;
      if (input.value !== texts[axis]) input.value = texts[axis];
    });
    this.inputs.forEach((input) => toggleClass(input, "nwbcw-draft", Boolean(draft)));
  }
};
var CompressionEditor = class {
  constructor({ location, codecs, onEdit }) {
    this.location = location;
    this.codecs = codecs;
    this.onEdit = onEdit;
    this.select = el("select", { class: "nwbcw-method", attrs: { "aria-label": `compression method, ${location}` } });
    this.menuBuilt = false;
    const buildMenu = () => this.buildMenu();
    for (const event of ["focus", "pointerdown", "mousedown"]) this.select.addEventListener(event, buildMenu);
    this.select.addEventListener("change", () => this.onEdit("compression_method", this.select.value || null));
    this.optionsBox = el("div", { class: "nwbcw-options" });
    this.optionInputs = /* @__PURE__ */ new Map();
    this.method = void 0;
    this.sendOptions = debounce(() => this.onEdit("compression_options", this.optionValues()), EDIT_DELAY);
    this.element = el("div", { class: "nwbcw-compression" }, [this.select, this.optionsBox]);
  }
  buildMenu() {
    if (this.menuBuilt) return;
    this.menuBuilt = true;
    const value = this.select.value;
    const names = ["", ...this.codecs.compression_methods || []];
    if (!names.includes(value)) names.push(value);
    this.select.replaceChildren(...names.map((name) => el("option", { text: name || "none", attrs: { value: name } })));
    this.select.value = value;
  }
  optionValues() {
    const values = {};
    for (const [name, input] of this.optionInputs) values[name] = input.value;
    return values;
  }
  buildOptions(method) {
    this.method = method;
    this.optionInputs = /* @__PURE__ */ new Map();
    const names = method && this.codecs.compression_options && this.codecs.compression_options[method] || [];
    const parts = names.map((name) => {
      const input = el("input", {
        class: "nwbcw-option",
        attrs: {
          type: "text",
          size: "5",
          autocomplete: "off",
          spellcheck: "false",
          placeholder: "default",
          "aria-label": `${name} option of ${method}, ${this.location}`,
          "data-option": name
        }
      });
      input.addEventListener("input", () => this.sendOptions());
      input.addEventListener("keydown", (event) => {
        if (event.key === "Enter") {
          event.preventDefault();
          this.sendOptions.flush();
        } else if (event.key === "Escape" && this.shownRow) {
          event.preventDefault();
          event.stopPropagation();
          this.revertOptions();
        }
      });
      input.addEventListener("blur", () => this.sendOptions.flush());
      this.optionInputs.set(name, input);
      return el("label", { class: "nwbcw-option-label" }, [el("span", { text: name }), input]);
    });
    this.optionsBox.replaceChildren(...parts);
  }
  /** Escape: every option box back to Python's value; a rejected draft is withdrawn by sending that value. */
  revertOptions() {
    this.sendOptions.cancel();
    const source = this.shownRow.compression_options || {};
    for (const [name, input] of this.optionInputs) input.value = source[name] === void 0 || source[name] === null ? "" : String(source[name]);
    if (this.shownRow.drafts.compression_options) this.onEdit("compression_options", this.optionValues());
  }
  show(row) {
    this.shownRow = row;
    const method = row.drafts.compression_method !== void 0 ? row.drafts.compression_method : row.compression_method;
    const value = method || "";
    if (![...this.select.options].some((option) => option.value === value)) {
      this.select.appendChild(el("option", { text: value || "none", attrs: { value } }));
    }
    if (this.select.value !== value) this.select.value = value;
    if (method !== this.method) this.buildOptions(method);
    const draft = row.drafts.compression_options;
    const active = this.select.ownerDocument.activeElement;
    for (const [name, input] of this.optionInputs) {
      if (input === active || this.sendOptions.pending()) continue;
      const source = draft || row.compression_options || {};
      const text = source[name] === void 0 || source[name] === null ? "" : String(source[name]);
      if (input.value !== text) input.value = text;
      toggleClass(input, "nwbcw-draft", Boolean(draft));
    }
  }
};
var FilterEditor = class {
  constructor({ location, codecs, onEdit }) {
    this.location = location;
    this.available = codecs.filter_methods || [];
    this.onEdit = onEdit;
    this.current = [];
    this.chips = el("span", { class: "nwbcw-chips" });
    this.add = el("select", { class: "nwbcw-add-filter", attrs: { "aria-label": `add a filter, ${location}` } });
    const buildMenu = () => this.buildMenu();
    for (const event of ["focus", "pointerdown", "mousedown"]) this.add.addEventListener(event, buildMenu);
    this.add.addEventListener("change", () => {
      if (this.add.value) this.onEdit("filter_methods", [...this.current, this.add.value]);
    });
    this.element = el("div", { class: "nwbcw-filters" }, [this.chips, this.add]);
    this.shownKey = null;
  }
  show(row) {
    const names = row.drafts.filter_methods || row.filter_methods || [];
    const key = JSON.stringify([names, this.available]);
    if (key === this.shownKey) return;
    this.shownKey = key;
    this.current = [...names];
    this.chips.replaceChildren(
      ...names.map(
        (name) => el("span", { class: "nwbcw-chip" }, [
          el("span", { text: name }),
          el("button", {
            class: "nwbcw-chip-remove",
            text: "\xD7",
            attrs: { type: "button", title: `remove ${name}`, "aria-label": `remove filter ${name}, ${this.location}` },
            on: { click: () => this.onEdit("filter_methods", this.current.filter((item) => item !== name)) }
          })
        ])
      )
    );
    this.remaining = this.available.filter((name) => !names.includes(name));
    this.menuBuilt = false;
    this.add.replaceChildren(el("option", { text: "+ filter", attrs: { value: "" } }));
    this.add.value = "";
    this.add.hidden = this.remaining.length === 0;
  }
  buildMenu() {
    if (this.menuBuilt) return;
    this.menuBuilt = true;
    this.add.append(...this.remaining.map((name) => el("option", { text: name, attrs: { value: name } })));
  }
};
var RowView = class {
  /**
   * @param {object} row the row dict from Python
   * @param {{codecs: object, edit: Function, reset: Function}} context
   */
  constructor(row, context) {
    this.row = row;
    this.location = row.location;
    const onEdit = (field, value) => context.edit(this.location, field, value);
    const rank = row.full_shape.length;
    this.chunk = new ShapeEditor({
      field: "chunk_shape",
      rank,
      location: row.location,
      onEdit,
      placeholder: context.codecs.backend === "hdf5" ? "\u2014" : ""
    });
    this.buffer = new ShapeEditor({ field: "buffer_shape", rank, location: row.location, onEdit });
    this.compression = new CompressionEditor({ location: row.location, codecs: context.codecs, onEdit });
    this.filters = new FilterEditor({ location: row.location, codecs: context.codecs, onEdit });
    this.messages = {
      chunk: el("div", { class: "nwbcw-msgs" }),
      buffer: el("div", { class: "nwbcw-msgs" }),
      compression: el("div", { class: "nwbcw-msgs" }),
      filters: el("div", { class: "nwbcw-msgs" })
    };
    this.messageKeys = {};
    this.preview = new PreviewCell(row.location, context);
    this.portability = el("span", { class: "nwbcw-portability" });
    this.chunkSize = el("span", { class: "nwbcw-chunk-size" });
    this.chunkCount = el("span", { class: "nwbcw-chunk-count" });
    this.ram = el("span", { class: "nwbcw-ram" });
    this.resetButton = el("button", {
      class: "nwbcw-reset",
      text: "\u21BA",
      attrs: { type: "button", title: "Reset this dataset to the defaults", "aria-label": `reset ${row.location}` },
      on: { click: () => context.reset(this.location) }
    });
    const cell = (cls, children, label) => el("div", { class: `nwbcw-cell ${cls}`, attrs: { role: "cell", "data-col": label } }, children);
    this.element = el("div", { class: "nwbcw-row", attrs: { role: "row", "data-location": row.location } }, [
      cell("nwbcw-c-name", [
        el("span", { class: "nwbcw-dataset", text: row.dataset_name, attrs: { title: row.dataset_name } }),
        el("span", { class: "nwbcw-location", text: row.location, attrs: { title: row.location } })
      ], "dataset"),
      cell("nwbcw-c-data", [
        el("span", { class: "nwbcw-shape", text: shapeText(row.full_shape) }),
        el("span", { class: "nwbcw-dtype", text: row.dtype })
      ], "data"),
      cell("nwbcw-c-size nwbcw-num", [el("span", { text: row.size })], "size"),
      cell("nwbcw-c-chunk", [this.chunk.element, this.messages.chunk], "chunk shape"),
      cell("nwbcw-c-chunksize nwbcw-num", [this.chunkSize, this.chunkCount], "per chunk"),
      cell("nwbcw-c-buffer", [this.buffer.element, this.messages.buffer], "buffer shape"),
      cell("nwbcw-c-ram nwbcw-num", [this.ram], "RAM"),
      cell("nwbcw-c-compression", [this.compression.element, this.portability, this.messages.compression], "compression"),
      cell("nwbcw-c-filters", [this.filters.element, this.messages.filters], "filters"),
      cell("nwbcw-c-preview", [this.preview.element], "preview"),
      cell("nwbcw-c-actions", [this.resetButton], "reset")
    ]);
    this.update(row);
  }
  /** Bring the row up to date; inputs being typed in keep their text and cursor. */
  update(row) {
    this.row = row;
    const drafts = row.drafts || {};
    this.chunk.show(row.chunk_shape, drafts.chunk_shape);
    this.buffer.show(row.buffer_shape, drafts.buffer_shape);
    this.compression.show({ ...row, drafts });
    this.filters.show({ ...row, drafts });
    setText(this.chunkSize, row.chunk_size);
    setText(this.chunkCount, `${row.number_of_chunks_text} chunk${row.number_of_chunks === 1 ? "" : "s"}`);
    setText(this.ram, row.ram);
    this.showMessages(row);
    this.preview.update(row.preview);
    const portability = row.portability || {};
    setText(this.portability, portability.level || "");
    setTitle(this.portability, portability.note || "");
    toggleClass(this.portability, "nwbcw-portable", portability.every_hdf5_reader === true);
    const edited = (row.edited || []).length > 0;
    toggleClass(this.element, "nwbcw-invalid", row.invalid);
    toggleClass(this.element, "nwbcw-edited", edited);
    toggleClass(this.element, "nwbcw-lossy", row.lossy);
    this.resetButton.disabled = !edited && !row.invalid && Object.keys(drafts).length === 0;
  }
  showMessages(row) {
    const slots = { chunk: [], buffer: [], compression: [], filters: [] };
    for (const [field, text] of Object.entries(row.errors || {})) slots[MESSAGE_SLOT[field] || "chunk"].push(["error", text]);
    for (const [field, text] of Object.entries(row.notes || {})) slots[MESSAGE_SLOT[field] || "chunk"].push(["note", text]);
    for (const warning of row.warnings || []) {
      slots[MESSAGE_SLOT[warning.field] || "chunk"].push([warning.severity || "warning", warning.message]);
    }
    for (const [slot, messages] of Object.entries(slots)) {
      const key = JSON.stringify(messages);
      if (this.messageKeys[slot] === key) continue;
      this.messageKeys[slot] = key;
      this.messages[slot].replaceChildren(
        ...messages.map(
          ([level, text]) => el("div", { class: `nwbcw-msg nwbcw-msg-${level}`, text, attrs: level === "error" ? { role: "alert" } : {} })
        )
      );
    }
  }
};
function rowMatches(row, filterText) {
  if (!filterText) return true;
  const text = [row.location, row.neurodata_type, row.object_name, row.dtype, row.compression_method].join(" ");
  return text.toLowerCase().includes(filterText) || plainText(text).toLowerCase().includes(filterText);
}

// src/table.js
var COLUMNS = [
  ["name", "Dataset"],
  ["data", "Shape / dtype"],
  ["size", "Size"],
  ["chunk", "Chunk shape"],
  ["chunksize", "Per chunk"],
  ["buffer", "Buffer shape"],
  ["ram", "RAM"],
  ["compression", "Compression"],
  ["filters", "Filters"],
  ["preview", "Preview"],
  ["actions", "Reset", "hidden"]
  // the column of reset buttons: named for screen readers only
];
var ROW_HEIGHT_GUESS = 58;
var PAGE_GROUPS = 24;
var GroupView = class {
  constructor(group, table) {
    this.group = group;
    this.table = table;
    this.indices = [];
    this.views = null;
    this.expanded = true;
    this.toggle = el("button", {
      class: "nwbcw-group-toggle",
      attrs: { type: "button", "aria-expanded": "true" },
      on: { click: () => this.setExpanded(!this.expanded) }
    }, [
      el("span", { class: "nwbcw-caret", attrs: { "aria-hidden": "true" } }),
      el("span", { class: "nwbcw-group-name", text: group.object_name, attrs: { title: group.object_name } }),
      el("span", { class: "nwbcw-type", text: group.neurodata_type }),
      el("span", { class: "nwbcw-group-path", text: group.path, attrs: { title: group.path } }),
      el("span", { class: "nwbcw-group-size", text: `${group.count} dataset${group.count === 1 ? "" : "s"} \xB7 ${group.size}` })
    ]);
    this.body = el("div", { class: "nwbcw-group-body", attrs: { role: "rowgroup" } });
    this.element = el("section", { class: "nwbcw-group", attrs: { "data-group": group.path } }, [
      // A row of its own (one cell, the toggle), so that the table holds only rows for assistive technology.
      el("div", { class: "nwbcw-group-head", attrs: { role: "row" } }, [el("div", { attrs: { role: "cell" } }, [this.toggle])]),
      this.body
    ]);
  }
  get built() {
    return this.views !== null;
  }
  /** Create the row views (once) and lay them out. */
  build() {
    if (this.built) return;
    this.views = /* @__PURE__ */ new Map();
    for (const index of this.indices) {
      const view = new RowView(this.table.rows[index], this.table.rowContext);
      this.views.set(index, view);
      this.table.views[index] = view;
    }
    this.body.style.minHeight = "";
    this.layout();
  }
  /** Put the rows in the table's order and hide those that do not match the filter. */
  layout() {
    const order = this.table.orderIndices(this.indices);
    if (!this.built) {
      const visible2 = order.filter((index) => rowMatches(this.table.rows[index], this.table.filterText)).length;
      const height = `${visible2 * ROW_HEIGHT_GUESS}px`;
      if (this.body.style.minHeight !== height) this.body.style.minHeight = height;
      return visible2;
    }
    let visible = 0;
    for (const index of order) {
      const view = this.views.get(index);
      const match = rowMatches(view.row, this.table.filterText);
      if (view.element.hidden === match) view.element.hidden = !match;
      visible += match ? 1 : 0;
    }
    const elements = order.map((index) => this.views.get(index).element);
    if (elements.some((element, position) => this.body.children[position] !== element)) this.body.replaceChildren(...elements);
    return visible;
  }
  setExpanded(expanded) {
    this.expanded = expanded;
    this.toggle.setAttribute("aria-expanded", String(expanded));
    this.body.hidden = !expanded;
    if (expanded && !this.built && !this.table.observer) this.build();
  }
};
var TableView = class {
  constructor(context) {
    this.context = context;
    this.filterText = "";
    this.sort = "location";
    this.rows = [];
    this.views = [];
    this.groupViews = [];
    this.countLine = el("div", { class: "nwbcw-count", attrs: { "aria-live": "polite" } });
    this.header = el(
      "div",
      { class: "nwbcw-row nwbcw-header", attrs: { role: "row" } },
      COLUMNS.map(([key, label, hidden]) => el(
        "div",
        { class: `nwbcw-cell nwbcw-c-${key}`, text: hidden ? null : label, attrs: { role: "columnheader" } },
        hidden ? [el("span", { class: "nwbcw-sr-only", text: label })] : []
      ))
    );
    this.groupsBox = el("div", { class: "nwbcw-groups" });
    this.element = el("div", { class: "nwbcw-table", attrs: { role: "table", "aria-label": "dataset configurations" } }, [
      this.header,
      this.groupsBox
    ]);
    this.observer = typeof IntersectionObserver === "function" ? new IntersectionObserver((entries) => this.onIntersect(entries), { root: this.element, rootMargin: "800px 0px" }) : null;
  }
  onIntersect(entries) {
    for (const entry of entries) {
      if (!entry.isIntersecting || !entry.target.nwbcwGroups) continue;
      for (const groupView of entry.target.nwbcwGroups) {
        if (!groupView.built) {
          groupView.build();
          groupView.layout();
        }
      }
      this.observer.unobserve(entry.target);
    }
  }
  /** Build every group (rows follow as they come into view) from a new rows list from Python.
   *
   * A new list of the same datasets in the same groups (a bulk change: apply-to-all, reset all, a preset) only
   * updates the rows already built, keeping the place, the open groups and the built rows: with 10,000 datasets,
   * rebuilding every group for it took seconds. */
  render(rows, groups) {
    const groupsKey = JSON.stringify([groups || [], this.context.codecs()]);
    if (this.sameDatasets(rows || [], groupsKey)) {
      this.refreshAll(rows);
      return;
    }
    this.groupsKey = groupsKey;
    if (this.observer) this.observer.disconnect();
    this.rows = rows || [];
    this.views = new Array(this.rows.length);
    this.rowContext = {
      codecs: this.context.codecs(),
      edit: this.context.edit,
      reset: this.context.reset,
      preview: this.context.preview,
      inspect: this.context.inspect
    };
    const groupViews = /* @__PURE__ */ new Map();
    for (const group of groups || []) groupViews.set(group.path, new GroupView(group, this));
    this.rows.forEach((row, index) => {
      let groupView = groupViews.get(row.group);
      if (!groupView) {
        groupView = new GroupView({ path: row.group, object_name: row.object_name, neurodata_type: row.neurodata_type, count: 0, size: "" }, this);
        groupViews.set(row.group, groupView);
      }
      groupView.indices.push(index);
    });
    this.groupViews = [...groupViews.values()];
    if (!this.observer) for (const groupView of this.groupViews) groupView.build();
    this.pageOrder = null;
    this.arrange();
  }
  /** Whether `rows` are the datasets shown now, in the same order and groups, with the same codec menus. */
  sameDatasets(rows, groupsKey) {
    if (groupsKey !== this.groupsKey || rows.length !== this.rows.length || rows.length === 0) return false;
    return rows.every((row, index) => row.location === this.rows[index].location && row.group === this.rows[index].group);
  }
  /** Take a new rows list of the same datasets: update the built rows, then filter and order again. */
  refreshAll(rows) {
    this.rows = rows;
    this.views.forEach((view, index) => view.update(rows[index]));
    this.arrange();
  }
  /** The row view of a dataset, building its group if needed (e.g. to focus it from outside). */
  rowView(location) {
    const index = this.rows.findIndex((row) => row.location === location);
    if (index < 0) return null;
    const groupView = this.groupViews.find((group) => group.indices.includes(index));
    groupView.build();
    return this.views[index];
  }
  /** Apply Python's changed rows: `[{index, row}]`. */
  patch(entries) {
    for (const { index, row } of entries) {
      if (index >= this.rows.length || this.rows[index].location !== row.location) continue;
      this.rows[index] = row;
      const view = this.views[index];
      if (view) view.update(row);
    }
  }
  setFilter(text) {
    this.filterText = String(text || "").trim().toLowerCase();
    this.arrange();
  }
  setSort(mode) {
    this.sort = mode;
    this.arrange();
  }
  setAllExpanded(expanded) {
    for (const groupView of this.groupViews) groupView.setExpanded(expanded);
  }
  /** Row positions in display order. */
  orderIndices(indices) {
    if (this.sort === "location") return indices;
    const sign = this.sort === "size-asc" ? 1 : -1;
    return [...indices].sort((a, b) => sign * (this.rows[a].size_bytes - this.rows[b].size_bytes));
  }
  /** Gather the groups, in order, into pages; observe the pages whose rows are not built yet. */
  paginate(ordered) {
    const key = ordered.map((groupView) => groupView.group.path).join("\0");
    if (key === this.pageOrder) return;
    this.pageOrder = key;
    if (this.observer) this.observer.disconnect();
    const pages = [];
    for (let start = 0; start < ordered.length; start += PAGE_GROUPS) {
      const members = ordered.slice(start, start + PAGE_GROUPS);
      const page = el("div", { class: "nwbcw-page" }, members.map((groupView) => groupView.element));
      page.nwbcwGroups = members;
      if (this.observer && members.some((groupView) => !groupView.built)) this.observer.observe(page);
      pages.push(page);
    }
    this.groupsBox.replaceChildren(...pages);
  }
  /** Show the rows that match the filter, in the chosen order. */
  arrange() {
    const ordered = [...this.groupViews];
    if (this.sort !== "location") {
      const sign = this.sort === "size-asc" ? 1 : -1;
      ordered.sort((a, b) => sign * ((a.group.size_bytes || 0) - (b.group.size_bytes || 0)));
    }
    let shown = 0;
    for (const groupView of ordered) {
      const visible = groupView.layout();
      if (groupView.element.hidden !== (visible === 0)) groupView.element.hidden = visible === 0;
      shown += visible;
    }
    this.paginate(ordered);
    const total = this.rows.length;
    setText(this.countLine, shown === total ? "" : `Showing ${shown} of ${total} datasets`);
  }
};

// src/toolbar.js
var Toolbar = class {
  constructor(context) {
    this.context = context;
    const { model } = context;
    this.backendButtons = ((model.get("codecs") || {}).backends || []).map(
      ({ name: backend, label }) => el("button", {
        class: "nwbcw-seg",
        text: label,
        attrs: { type: "button", "data-backend": backend, "aria-pressed": "false" },
        on: { click: () => this.switchBackend(backend) }
      })
    );
    this.methodSelect = el("select", { class: "nwbcw-all-method", attrs: { "aria-label": "compression method for all datasets" } });
    this.methodSelect.addEventListener("change", () => this.buildOptionBoxes());
    this.optionBoxes = el("span", { class: "nwbcw-all-options" });
    this.applyAllButton = el("button", {
      class: "nwbcw-button",
      text: "Apply to all",
      attrs: { type: "button" },
      on: { click: () => this.applyToAll() }
    });
    this.filterInput = el("input", {
      class: "nwbcw-filter",
      attrs: { type: "search", placeholder: "Filter datasets\u2026", "aria-label": "filter datasets by name, type or dtype" }
    });
    const filter = debounce(() => context.table.setFilter(this.filterInput.value), 120);
    this.filterInput.addEventListener("input", filter);
    this.sortSelect = el("select", { class: "nwbcw-sort", attrs: { "aria-label": "order of datasets" } }, [
      el("option", { text: "Order: location", attrs: { value: "location" } }),
      el("option", { text: "Order: largest first", attrs: { value: "size-desc" } }),
      el("option", { text: "Order: smallest first", attrs: { value: "size-asc" } })
    ]);
    this.sortSelect.addEventListener("change", () => context.table.setSort(this.sortSelect.value));
    this.resetAllButton = el("button", {
      class: "nwbcw-button",
      text: "Reset all",
      attrs: { type: "button", title: "Put every dataset back to the defaults" },
      on: { click: () => context.actions.request("reset_all") }
    });
    const expand = (expanded) => () => context.table.setAllExpanded(expanded);
    this.totals = el("div", { class: "nwbcw-totals", attrs: { "aria-live": "polite" } });
    this.element = el("div", { class: "nwbcw-toolbar" }, [
      el("div", { class: "nwbcw-toolbar-row" }, [
        el("span", { class: "nwbcw-segmented", attrs: { role: "group", "aria-label": "backend" } }, this.backendButtons),
        el("span", { class: "nwbcw-all" }, [
          el("span", { class: "nwbcw-label", text: "Compression for all:" }),
          this.methodSelect,
          this.optionBoxes,
          this.applyAllButton
        ]),
        this.resetAllButton
      ]),
      el("div", { class: "nwbcw-toolbar-row" }, [
        this.filterInput,
        this.sortSelect,
        el("button", { class: "nwbcw-button nwbcw-quiet", text: "Expand all", attrs: { type: "button" }, on: { click: expand(true) } }),
        el("button", { class: "nwbcw-button nwbcw-quiet", text: "Collapse all", attrs: { type: "button" }, on: { click: expand(false) } })
      ]),
      this.totals
    ]);
    this.update();
  }
  switchBackend(backend) {
    const { model } = this.context;
    if (model.get("backend") === backend) return;
    model.set("backend", backend);
    model.save_changes();
  }
  buildMethodMenu() {
    const codecs = this.context.model.get("codecs") || {};
    const key = JSON.stringify(codecs.compression_methods || []);
    if (key === this.methodKey) return;
    this.methodKey = key;
    const methods = codecs.compression_methods || [];
    this.methodSelect.replaceChildren(
      el("option", { text: "none", attrs: { value: "" } }),
      ...methods.map((name) => el("option", { text: name, attrs: { value: name } }))
    );
    const preferred = codecs.default_method;
    this.methodSelect.value = methods.includes(preferred) ? preferred : methods[0] || "";
    this.buildOptionBoxes();
  }
  buildOptionBoxes() {
    const codecs = this.context.model.get("codecs") || {};
    const method = this.methodSelect.value;
    const names = method && codecs.compression_options && codecs.compression_options[method] || [];
    this.optionInputs = /* @__PURE__ */ new Map();
    this.optionBoxes.replaceChildren(
      ...names.map((name) => {
        const input = el("input", {
          class: "nwbcw-option",
          attrs: { type: "text", size: "5", placeholder: "default", "aria-label": `${name} option for all datasets` }
        });
        this.optionInputs.set(name, input);
        return el("label", { class: "nwbcw-option-label" }, [el("span", { text: name }), input]);
      })
    );
  }
  async applyToAll() {
    const options = {};
    for (const [name, input] of this.optionInputs || []) options[name] = input.value;
    this.applyAllButton.disabled = true;
    try {
      await this.context.actions.request("apply_all", { method: this.methodSelect.value || null, options });
    } finally {
      this.applyAllButton.disabled = false;
    }
  }
  /** Refresh from the model: backend, codec menu and totals. */
  update() {
    const { model } = this.context;
    const backend = model.get("backend");
    for (const button of this.backendButtons) button.setAttribute("aria-pressed", String(button.dataset.backend === backend));
    this.buildMethodMenu();
    const totals = model.get("totals") || {};
    const parts = [
      el("span", { class: "nwbcw-total", text: `${totals.datasets_text || 0} datasets` }),
      el("span", { class: "nwbcw-total", text: `${totals.uncompressed || "0 B"} uncompressed` }),
      el("span", { class: "nwbcw-total", text: `${totals.chunks_text || 0} chunks` }),
      el("span", { class: "nwbcw-total", text: `peak RAM ${totals.peak_ram || "0 B"}` })
    ];
    if (totals.preview_text) parts.push(el("span", { class: "nwbcw-total nwbcw-total-preview", text: totals.preview_text }));
    if (totals.edited) parts.push(el("span", { class: "nwbcw-total nwbcw-total-edited", text: `${totals.edited} edited` }));
    if (totals.invalid) parts.push(el("span", { class: "nwbcw-total nwbcw-total-invalid", text: `${totals.invalid} invalid` }));
    const key = JSON.stringify(totals);
    if (key !== this.totalsKey) {
      this.totalsKey = key;
      this.totals.replaceChildren(...parts);
    }
  }
};
var Notices = class {
  constructor(model) {
    this.model = model;
    this.dismissed = /* @__PURE__ */ new Set();
    this.locals = [];
    this.localCount = 0;
    this.element = el("div", { class: "nwbcw-notices" });
    this.update();
  }
  /** Show a notice of the view itself; returns a function that removes it. */
  local(level, text) {
    this.localCount += 1;
    const notice = { id: `view-${this.localCount}`, level, text, detail: "" };
    this.locals.push(notice);
    this.update();
    return () => {
      this.locals = this.locals.filter((item) => item !== notice);
      this.update();
    };
  }
  update() {
    const notices = [...this.model.get("notices") || [], ...this.locals];
    this.element.replaceChildren(
      ...notices.map((notice, index) => [notice, notice.id !== void 0 ? String(notice.id) : `${index}:${notice.text}`]).filter(([, key]) => !this.dismissed.has(key)).map(([notice, key]) => {
        const box = el("div", { class: `nwbcw-notice nwbcw-notice-${notice.level}`, attrs: { role: notice.level === "error" ? "alert" : "status", "data-notice": key } }, [
          el("span", { class: "nwbcw-notice-text", text: notice.text }),
          el("button", {
            class: "nwbcw-dismiss",
            text: "\xD7",
            attrs: { type: "button", "aria-label": "dismiss" },
            on: { click: () => {
              this.dismissed.add(key);
              this.update();
            } }
          })
        ]);
        if (notice.detail) box.appendChild(el("details", {}, [el("summary", { text: "Details" }), el("pre", { text: notice.detail })]));
        return box;
      })
    );
  }
};
var Unconfigurable = class {
  constructor(model) {
    this.model = model;
    this.element = el("details", { class: "nwbcw-unconfigurable" });
    this.update();
  }
  update() {
    const items = this.model.get("unconfigurable") || [];
    this.element.hidden = items.length === 0;
    this.element.replaceChildren(
      el("summary", { text: `${items.length} dataset${items.length === 1 ? "" : "s"} written as they are` }),
      el("ul", {}, items.map((item) => el("li", {}, [el("code", { text: item.location }), el("span", { text: ` \u2014 ${item.reason}` })])))
    );
    setText(this.element.querySelector("summary"), `${items.length} dataset${items.length === 1 ? "" : "s"} written as they are`);
  }
};

// src/index.js
function render({ model, el: root }) {
  performance.mark("nwbcw:render:start");
  const notices = new Notices(model);
  const actions = new Actions(model, {
    timeoutSeconds: () => model.get("request_timeout"),
    onTimeout: (text) => notices.local("error", text)
  });
  const table = new TableView({
    codecs: () => model.get("codecs") || {},
    edit: (location, field, value) => actions.request("edit", { location, field, value }),
    reset: (location) => actions.request("reset_row", { location }),
    preview: (location) => actions.request("preview", { location }),
    inspect: (location) => actions.request("inspect", { location })
  });
  const context = { model, actions, table };
  const toolbar = new Toolbar(context);
  const unconfigurable = new Unconfigurable(model);
  const output = new OutputPanel(context);
  const insight = new InsightBar(context);
  const inspect = new InspectPanel(context);
  const title = el("div", { class: "nwbcw-title" }, [
    el("strong", { text: "NWB backend configuration" }),
    el("span", { class: "nwbcw-subtitle" })
  ]);
  const body = el("fieldset", { class: "nwbcw-body" }, [toolbar.element, insight.element, table.countLine, table.element, inspect.element]);
  const container = el("div", { class: "nwbcw" }, [title, notices.element, body, unconfigurable.element, output.element]);
  root.replaceChildren(container);
  const showTitle = () => {
    const source = model.get("source_path");
    setText(title.lastChild, model.get("mode") === "repack" && source ? `Repacking ${source}` : "");
  };
  let renderQueued = false;
  const renderTable = () => {
    if (renderQueued) return;
    renderQueued = true;
    queueMicrotask(() => {
      renderQueued = false;
      table.render(model.get("rows"), model.get("groups"));
      toolbar.update();
    });
  };
  const onMessage = (message) => {
    if (actions.handleReply(message)) return;
    if (message && message.type === "patch") {
      const rows = model.get("rows");
      for (const { index, row } of message.rows) if (rows && index < rows.length) rows[index] = row;
      table.patch(message.rows);
    }
  };
  const onStatus = () => {
    body.disabled = model.get("status") === "writing";
    output.update();
  };
  const listeners = [
    ["change:rows", renderTable],
    ["change:groups", renderTable],
    ["change:codecs", renderTable],
    ["change:totals", () => {
      toolbar.update();
      insight.update();
    }],
    ["change:backend", () => toolbar.update()],
    ["change:notices", () => notices.update()],
    ["change:unconfigurable", () => unconfigurable.update()],
    ["change:mode", showTitle],
    ["change:source_path", showTitle],
    ["msg:custom", onMessage],
    ["change:insight_menu", () => insight.update()],
    ["change:export", () => insight.update()],
    ["change:inspection", () => inspect.update()]
  ];
  for (const name of ["output_path", "overwrite", "target_exists", "output_info", "apply_blockers", "progress", "result", "error", "mode"]) {
    listeners.push([`change:${name}`, () => output.update()]);
  }
  listeners.push(["change:status", onStatus]);
  for (const [event, handler] of listeners) model.on(event, handler);
  table.render(model.get("rows"), model.get("groups"));
  toolbar.update();
  showTitle();
  onStatus();
  performance.mark("nwbcw:render:built");
  requestAnimationFrame(() => setTimeout(() => performance.mark("nwbcw:render:painted"), 0));
  return () => {
    for (const [event, handler] of listeners) model.off(event, handler);
  };
}
var index_default = { render };
export {
  index_default as default
};
