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
      const unsent = (error) => {
        if (!this.pending.has(id)) return;
        clearTimeout(timer);
        this.pending.delete(id);
        const text = unsentText(type, error && error.message ? error.message : String(error));
        this.late.set(id, this.onTimeout(text));
        resolve({ ok: false, error: text, timedOut: true });
      };
      let sending;
      try {
        sending = this.model.send({ type, id, ...fields });
      } catch (error) {
        unsent(error);
        return;
      }
      if (sending && typeof sending.then === "function") sending.then(void 0, unsent);
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
    const label = model.get("mode") === "repack" ? "Repack" : "Apply";
    setText(this.applyButton, writing && !this.stalled ? "Writing\u2026" : label);
    this.applyButton.disabled = writing && !this.stalled || blockers.length > 0;
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
  /**
   * Called when Python reports (progress or status). While writing, Python reports at least every 2 s; a silence of
   * `request_timeout` seconds means the kernel may have restarted (or be busy with other code): the view says so and
   * can be used again, instead of showing "Writing…" for ever. Python's next report takes that back.
   */
  heard() {
    clearTimeout(this.watchdog);
    const writing = this.context.model.get("status") === "writing";
    if (this.stalled) this.setStalled(false);
    if (!writing) return;
    const seconds = Number(this.context.model.get("request_timeout")) || 60;
    this.watchdog = setTimeout(() => this.setStalled(true, seconds), seconds * 1e3);
  }
  setStalled(stalled, seconds = 0) {
    this.stalled = stalled;
    if (this.withdrawStall) this.withdrawStall();
    this.withdrawStall = stalled ? this.context.notify("error", `No news of the write from the kernel for ${seconds} s; it may have restarted (run the cell again) or be busy with other code (its progress then comes back here).`) : null;
    if (this.context.onStalled) this.context.onStalled(stalled);
    this.update();
  }
  /** Stop watching (the view is removed). */
  dispose() {
    clearTimeout(this.watchdog);
  }
  showProgress(status, progress) {
    this.progress.hidden = !(status === "writing" || status === "done" && progress.bytes_total);
    const percent = Math.round((progress.fraction || 0) * 1e3) / 10;
    this.progressFill.style.width = `${percent}%`;
    this.progressBar.setAttribute("aria-valuenow", String(percent));
    const elapsed = progress.elapsed_text ? `, ${progress.elapsed_text}` : "";
    setText(this.progressText, progress.text ? `${progress.text} (${progress.percent_text}${elapsed})` : "");
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

// node_modules/@tanstack/virtual-core/dist/esm/lazy-measurements.js
function getMeasurementKey(item) {
  return typeof item === "object" ? item.key : item;
}
function createLazyMeasurementsView(cache, flat) {
  const count = cache.length;
  return new Proxy(cache, {
    get(target, prop, receiver) {
      if (typeof prop === "string") {
        const c = prop.charCodeAt(0);
        if (c >= 48 && c <= 57) {
          const i = +prop;
          if (Number.isInteger(i) && i >= 0 && i < count) {
            let v = target[i];
            if (typeof v !== "object") {
              const s = flat[i * 2];
              v = target[i] = {
                index: i,
                key: v,
                start: s,
                size: flat[i * 2 + 1],
                end: s + flat[i * 2 + 1],
                lane: 0
              };
            }
            return v;
          }
        }
        if (prop === "length") return count;
      }
      return Reflect.get(target, prop, receiver);
    }
  });
}

// node_modules/@tanstack/virtual-core/dist/esm/utils.js
function memo(getDeps, fn, opts) {
  let deps = opts.initialDeps ?? [];
  let result;
  let isInitial = true;
  function memoizedFunction() {
    var _a;
    const debugEnabled = false;
    let depTime = 0;
    if (debugEnabled) depTime = Date.now();
    const newDeps = getDeps();
    const depsChanged = newDeps.length !== deps.length || newDeps.some((dep, index) => deps[index] !== dep);
    if (!depsChanged) {
      return result;
    }
    deps = newDeps;
    let resultTime = 0;
    if (debugEnabled) resultTime = Date.now();
    result = fn(...newDeps);
    if (debugEnabled) {
      const depEndTime = Math.round((Date.now() - depTime) * 100) / 100;
      const resultEndTime = Math.round((Date.now() - resultTime) * 100) / 100;
      const resultFpsPercentage = resultEndTime / 16;
      const pad = (str, num) => {
        str = String(str);
        while (str.length < num) {
          str = " " + str;
        }
        return str;
      };
      console.info(
        `%c\u23F1 ${pad(resultEndTime, 5)} /${pad(depEndTime, 5)} ms`,
        `
            font-size: .6rem;
            font-weight: bold;
            color: hsl(${Math.max(
          0,
          Math.min(120 - 120 * resultFpsPercentage, 120)
        )}deg 100% 31%);`,
        opts == null ? void 0 : opts.key
      );
    }
    if ((opts == null ? void 0 : opts.onChange) && !(isInitial && opts.skipInitialOnChange)) {
      opts.onChange(result);
    }
    isInitial = false;
    return result;
  }
  memoizedFunction.updateDeps = (newDeps) => {
    deps = newDeps;
  };
  return memoizedFunction;
}
function notUndefined(value, msg) {
  if (value === void 0) {
    throw new Error(`Unexpected undefined${msg ? `: ${msg}` : ""}`);
  } else {
    return value;
  }
}
var approxEqual = (a, b) => Math.abs(a - b) < 1.01;
var debounce2 = (targetWindow, fn, ms) => {
  let timeoutId;
  return Object.assign(
    function(...args) {
      targetWindow.clearTimeout(timeoutId);
      timeoutId = targetWindow.setTimeout(() => fn.apply(this, args), ms);
    },
    {
      // The handle is closure-local, so a caller that has already
      // unsubscribed has no way to stop a queued call. Teardown paths use
      // this to drop the pending invocation instead of letting it land.
      cancel: () => {
        targetWindow.clearTimeout(timeoutId);
      }
    }
  );
};

// node_modules/@tanstack/virtual-core/dist/esm/scroll-classifier.js
function classifyScrollEvent({
  offset,
  isScrolling,
  elementMax,
  holdOffset,
  scrollOffset,
  pendingWrite,
  clampedMaxAtWrite
}) {
  var _a;
  if (isScrolling && pendingWrite === null && offset === scrollOffset) {
    return "spurious";
  }
  if (pendingWrite !== null && Math.abs(offset - pendingWrite.target) < 1.5) {
    return "readBack";
  }
  if (pendingWrite !== null && !pendingWrite.smooth && elementMax !== null && pendingWrite.target > elementMax + holdOffset + 0.5 && Math.abs(offset - (elementMax + holdOffset)) < 1.5) {
    return "clampedReadBack";
  }
  if (pendingWrite !== null && !pendingWrite.smooth && ((_a = pendingWrite.lowMaxes) == null ? void 0 : _a.some((max) => Math.abs(offset - max) < 1.5))) {
    return "clampedReadBack";
  }
  if (clampedMaxAtWrite !== null && Math.abs(offset - clampedMaxAtWrite) < 1.5) {
    return "clampedEcho";
  }
  return "external";
}
var isAnimating = (phase) => phase === "smooth" || phase === "smoothFinishing";
function externalRetiresCommand({
  kind,
  offset,
  command,
  target
}) {
  return kind !== "spurious" && kind !== "readBack" && // Our own write, clamped (`clampedReadBack`, #1310): the command is not
  // retired by it, and reconcile retargets below the new max.
  kind !== "clampedReadBack" && (command == null ? void 0 : command.index) != null && // Nothing has been written for a command waiting for the tail; these
  // are the fling's events.
  command.phase !== "queued" && // A non-smooth write lands at once, so any other scroll event is the
  // user's, even before reconcile saw the target reached (the target may
  // keep moving, or iOS ignored the write under a finger). A write the
  // browser clamped because the sizer hasn't grown yet reads back at the
  // max, which is also where the fresh target clamps, so the check below
  // keeps it reconciling (#1294). While a smooth scroll's animation may
  // still report, its events look like a user's, so it yields only once it
  // has landed.
  !isAnimating(command.phase) && !approxEqual(offset, command.lastTargetOffset) && !approxEqual(offset, target()) && // A compensation write's clamped echo (#1258) keeps the command. The
  // order is deliberate, not tidiness: this clause stays after `target()`
  // (and `clampedReadBack` before it) because `target()` can rebuild the
  // measurements, so it must run for exactly the events it always did.
  kind !== "clampedEcho";
}
var FLING_WINDOW_MS = 40;
function flingSpedUp(samples) {
  const last = samples[samples.length - 1];
  if (last === void 0) return false;
  let j = samples.length - 2;
  while (j >= 0 && last.t - samples[j].t < FLING_WINDOW_MS) j--;
  if (j < 0) return false;
  const mid = samples[j];
  let k = j - 1;
  while (k >= 0 && mid.t - samples[k].t < FLING_WINDOW_MS) k--;
  if (k < 0) return false;
  const first = samples[k];
  const recent = (last.offset - mid.offset) / (last.t - mid.t);
  const before = (mid.offset - first.offset) / (mid.t - first.t);
  return recent * before >= 0 && Math.abs(recent) >= 2 * Math.abs(before) && Math.abs(recent) - Math.abs(before) >= 0.8;
}
function flingCaught(samples) {
  const last = samples[samples.length - 1];
  if (last === void 0) return false;
  let j = samples.length - 2;
  while (j >= 0 && last.t - samples[j].t < FLING_WINDOW_MS) j--;
  if (j < 0) return false;
  const from = samples[j];
  return Math.abs(last.offset - from.offset) / (last.t - from.t) >= 0.05;
}

// node_modules/@tanstack/virtual-core/dist/esm/ios-gesture.js
var _isIOSResult;
var isIOSWebKit = () => {
  if (_isIOSResult !== void 0) return _isIOSResult;
  if (typeof navigator === "undefined") return _isIOSResult = false;
  if (/iP(hone|od|ad)/.test(navigator.userAgent)) return _isIOSResult = true;
  const mtp = navigator.maxTouchPoints;
  return _isIOSResult = navigator.platform === "MacIntel" && mtp !== void 0 && mtp > 0;
};
var _iosMomentumOverridesWritesResult;
var iosMomentumOverridesWrites = () => {
  if (_iosMomentumOverridesWritesResult !== void 0) {
    return _iosMomentumOverridesWritesResult;
  }
  return _iosMomentumOverridesWritesResult = isIOSWebKit() && typeof CSS !== "undefined" && typeof CSS.supports === "function" && CSS.supports("overflow-anchor: auto");
};
var momentumOverridesWrites = () => !isIOSWebKit() || iosMomentumOverridesWrites();
var touchListenerOptions = {
  capture: true,
  passive: true
};
var IosGesture = class {
  constructor(host) {
    this.host = host;
    this._touch = null;
    this.inMotion = () => this._touch !== null && this._touch.phase !== "lateFling";
    this.dragging = () => {
      var _a;
      return ((_a = this._touch) == null ? void 0 : _a.phase) === "down" && this._touch.moved;
    };
    this.tail = () => {
      var _a;
      return ((_a = this._touch) == null ? void 0 : _a.phase) === "tail" ? this._touch.moved ? "fling" : "tap" : null;
    };
    this.onScroll = ({
      isScrolling,
      ownReadBack,
      moved,
      external
    }) => {
      var _a, _b, _c;
      if (isScrolling && ((_a = this._touch) == null ? void 0 : _a.phase) === "tail") {
        this._openTail(this._touch.moved || !ownReadBack, false);
      } else if (((_b = this._touch) == null ? void 0 : _b.phase) === "lateFling") {
        if (this.host.now() > this._touch.until) {
          this._touch = null;
        } else if (external && isScrolling && moved) {
          this._openTail(true, false);
        }
      }
      if (!ownReadBack && isScrolling && moved && ((_c = this._touch) == null ? void 0 : _c.phase) === "down") {
        this._touch.moved = true;
        return true;
      }
      return false;
    };
    this.touchStart = () => {
      this.end();
      this._touch = { phase: "down", moved: false };
    };
    this.touchEnd = () => {
      var _a;
      const moved = ((_a = this._touch) == null ? void 0 : _a.phase) === "down" && this._touch.moved;
      this.end();
      this._openTail(moved, moved);
    };
    this.end = () => {
      var _a;
      const win = this.host.getWindow();
      if (((_a = this._touch) == null ? void 0 : _a.phase) === "tail" && win != null) {
        win.clearTimeout(this._touch.timerId);
      }
      this._touch = null;
    };
    this.listen = (target) => {
      const onTouchStart = () => this.touchStart();
      const onTouchEnd = () => this.touchEnd();
      target.addEventListener("touchstart", onTouchStart, touchListenerOptions);
      target.addEventListener("touchend", onTouchEnd, touchListenerOptions);
      target.addEventListener("touchcancel", onTouchEnd, touchListenerOptions);
      return () => {
        target.removeEventListener(
          "touchstart",
          onTouchStart,
          touchListenerOptions
        );
        target.removeEventListener("touchend", onTouchEnd, touchListenerOptions);
        target.removeEventListener(
          "touchcancel",
          onTouchEnd,
          touchListenerOptions
        );
        this.end();
      };
    };
    this._openTail = (moved, awaitingFling) => {
      const win = this.host.getWindow();
      if (win == null) return;
      this.end();
      const tail = {
        phase: "tail",
        moved,
        awaitingFling,
        // Only fires while this tail is current: `end` clears it otherwise.
        timerId: win.setTimeout(() => {
          if (this.host.tailStillMoving()) {
            this._openTail(tail.moved, tail.awaitingFling);
            return;
          }
          this._touch = tail.awaitingFling ? { phase: "lateFling", until: this.host.now() + 1e3 } : null;
          this.host.onTailClosed();
        }, 150)
      };
      this._touch = tail;
    };
  }
  get touch() {
    return this._touch;
  }
};

// node_modules/@tanstack/virtual-core/dist/esm/index.js
var getRect = (element) => {
  const { clientWidth, clientHeight } = element;
  return { width: clientWidth, height: clientHeight };
};
var createFrameQueue = (targetWindow) => {
  const ids = /* @__PURE__ */ new Set();
  return {
    schedule: (fn) => {
      const id = targetWindow.requestAnimationFrame(() => {
        ids.delete(id);
        fn();
      });
      ids.add(id);
    },
    cancel: () => {
      ids.forEach((id) => targetWindow.cancelAnimationFrame(id));
      ids.clear();
    }
  };
};
var defaultKeyExtractor = (index) => index;
var defaultRangeExtractor = (range) => {
  const overscan = range.overscan * Math.max(range.lanes ?? 1, 1);
  const start = Math.max(range.startIndex - overscan, 0);
  const end = Math.min(range.endIndex + overscan, range.count - 1);
  const len = end - start + 1;
  const arr = new Array(len);
  for (let i = 0; i < len; i++) {
    arr[i] = start + i;
  }
  return arr;
};
var observeElementRect = (instance, cb) => {
  const element = instance.scrollElement;
  if (!element) {
    return;
  }
  const targetWindow = instance.targetWindow;
  if (!targetWindow) {
    return;
  }
  const handler = (rect) => {
    const { width, height } = rect;
    cb({ width: Math.round(width), height: Math.round(height) });
  };
  handler(getRect(element));
  if (!targetWindow.ResizeObserver) {
    return () => {
    };
  }
  const frames = createFrameQueue(targetWindow);
  const observer = new targetWindow.ResizeObserver(() => {
    const run = () => {
      handler(getRect(element));
    };
    instance.options.useAnimationFrameWithResizeObserver ? frames.schedule(run) : run();
  });
  observer.observe(element, { box: "content-box" });
  return () => {
    observer.unobserve(element);
    frames.cancel();
  };
};
var addEventListenerOptions = {
  passive: true
};
var supportsScrollend = typeof window == "undefined" ? true : "onscrollend" in window;
var observeOffset = (instance, cb, readOffset) => {
  const element = instance.scrollElement;
  if (!element) {
    return;
  }
  const targetWindow = instance.targetWindow;
  if (!targetWindow) {
    return;
  }
  const registerScrollendEvent = instance.options.useScrollendEvent && supportsScrollend;
  let offset = 0;
  const fallback = registerScrollendEvent ? null : debounce2(
    targetWindow,
    () => cb(readOffset(element), false),
    instance.options.isScrollingResetDelay
  );
  const createHandler = (isScrolling) => () => {
    offset = readOffset(element);
    fallback == null ? void 0 : fallback();
    cb(offset, isScrolling);
  };
  const handler = createHandler(true);
  const endHandler = createHandler(false);
  element.addEventListener("scroll", handler, addEventListenerOptions);
  if (registerScrollendEvent) {
    element.addEventListener("scrollend", endHandler, addEventListenerOptions);
  }
  return () => {
    element.removeEventListener("scroll", handler);
    if (registerScrollendEvent) {
      element.removeEventListener("scrollend", endHandler);
    }
    fallback == null ? void 0 : fallback.cancel();
  };
};
var observeElementOffset = (instance, cb) => observeOffset(instance, cb, (el2) => {
  const { horizontal, isRtl } = instance.options;
  return horizontal ? el2.scrollLeft * (isRtl && -1 || 1) : el2.scrollTop;
});
var measureElement = (element, entry, instance) => {
  if (instance.options.useCachedMeasurements) {
    const index = instance.indexFromElement(element);
    const key = instance.options.getItemKey(index);
    return instance.itemSizeCache.get(key) ?? instance.options.estimateSize(index);
  }
  if (entry == null ? void 0 : entry.borderBoxSize) {
    const box = entry.borderBoxSize[0];
    if (box) {
      const size = Math.round(
        box[instance.options.horizontal ? "inlineSize" : "blockSize"]
      );
      return size;
    }
  }
  if (!entry) {
    const index = instance.indexFromElement(element);
    const key = instance.options.getItemKey(index);
    const cachedSize = instance.itemSizeCache.get(key);
    if (cachedSize !== void 0) {
      return cachedSize;
    }
  }
  return element[instance.options.horizontal ? "offsetWidth" : "offsetHeight"];
};
var initialScrollPhase = (behavior, atTarget) => behavior === "smooth" ? atTarget ? "smoothLanded" : "smooth" : "instant";
var isSmoothScroll = (state) => (state == null ? void 0 : state.phase) === "smooth" || (state == null ? void 0 : state.phase) === "smoothLanded";
function isAppendWithTrim(prevCount, nextCount, getPreviousKey, getNextKey) {
  if (nextCount === 0) return false;
  const firstKey = getNextKey(0);
  const removedKeys = /* @__PURE__ */ new Set();
  let removedCount = 0;
  while (removedCount < prevCount) {
    const key = getPreviousKey(removedCount);
    if (key === firstKey) break;
    removedKeys.add(key);
    removedCount++;
  }
  const retainedCount = prevCount - removedCount;
  if (retainedCount === 0 || retainedCount >= nextCount) return false;
  for (let i = 0; i < retainedCount; i++) {
    if (getNextKey(i) !== getPreviousKey(removedCount + i)) return false;
  }
  for (let i = retainedCount; i < nextCount; i++) {
    if (removedKeys.has(getNextKey(i))) return false;
  }
  return true;
}
var Virtualizer = class {
  constructor(opts) {
    this.unsubs = [];
    this.scrollElement = null;
    this.targetWindow = null;
    this.isScrolling = false;
    this.scrollState = null;
    this.measurementsCache = [];
    this._singleLaneMeasurements = null;
    this.itemSizeCache = /* @__PURE__ */ new Map();
    this.itemSizeCacheVersion = 0;
    this.laneAssignments = /* @__PURE__ */ new Map();
    this.pendingMin = null;
    this.prevLanes = void 0;
    this.lanesChangedFlag = false;
    this.lanesSettling = false;
    this.pendingScrollAnchor = null;
    this.scrollRect = null;
    this.scrollOffset = null;
    this.scrollDirection = null;
    this._holdOffset = 0;
    this._reportedOverscroll = false;
    this._iosGesture = new IosGesture({
      getWindow: () => this.targetWindow,
      now: () => this.now(),
      // The end of a fling can move less than a pixel per scroll event, so
      // events can stop for 150ms while the fling is still running (seen on
      // an iPhone, 27.0.1). A command waiting for it would then be written
      // into the fling and overridden. The element having moved since the
      // last event means it has not ended: wait again. Not while our own
      // write has yet to report: that moved it.
      tailStillMoving: () => {
        const state = this.scrollState;
        if ((state == null ? void 0 : state.phase) !== "queued" || this.pendingWrite !== null) {
          return false;
        }
        const now = this._readElementOffset();
        if (now === null || this._lastElementOffset === null || Math.abs(now - this._lastElementOffset) < 1) {
          return false;
        }
        this._lastElementOffset = now;
        state.samples = [...state.samples ?? [], { t: this.now(), offset: now }];
        return true;
      },
      onTailClosed: () => {
        const state = this.scrollState;
        if ((state == null ? void 0 : state.phase) === "queued" && flingCaught(state.samples ?? [])) {
          this.scrollState = null;
        }
        this._flushHoldIfReady(true);
        this._writeAwaitingCommand();
        this._retryClampedAdjustment();
      }
    });
    this._lastElementOffset = null;
    this.pendingWrite = null;
    this._clampedAdjustment = null;
    this.elementsCache = /* @__PURE__ */ new Map();
    this._resizeBatch = null;
    this.now = () => {
      var _a, _b, _c;
      return ((_c = (_b = (_a = this.targetWindow) == null ? void 0 : _a.performance) == null ? void 0 : _b.now) == null ? void 0 : _c.call(_b)) ?? Date.now();
    };
    this.observer = /* @__PURE__ */ (() => {
      let _ro = null;
      let _frames = null;
      let delivering = false;
      let observeQueued = false;
      const pendingObservations = /* @__PURE__ */ new Set();
      const get = () => {
        if (_ro) {
          return _ro;
        }
        const targetWindow = this.targetWindow;
        if (!targetWindow || !targetWindow.ResizeObserver) {
          return null;
        }
        const frames = _frames = createFrameQueue(targetWindow);
        return _ro = new targetWindow.ResizeObserver((entries) => {
          const run = () => {
            const batch = { sync: false };
            this._resizeBatch = batch;
            try {
              entries.forEach(measureEntry);
            } finally {
              this._resizeBatch = null;
              if (batch.notify) {
                this.notify(batch.sync);
                this._noteClampMax();
                this._flushHoldIfReady(true);
                this._retryClampedAdjustment();
                this.measureElement(null);
              }
            }
          };
          if (this.options.useAnimationFrameWithResizeObserver) {
            frames.schedule(run);
          } else {
            delivering = true;
            try {
              run();
            } finally {
              delivering = false;
            }
          }
        });
      };
      const measureEntry = (entry) => {
        const node = entry.target;
        const index = this.indexFromElement(node);
        if (!node.isConnected) {
          this.observer.unobserve(node);
          for (const [cacheKey, cachedNode] of this.elementsCache) {
            if (cachedNode === node) {
              this.elementsCache.delete(cacheKey);
              break;
            }
          }
          return;
        }
        if (!this.isIndexInRange(index)) return;
        if (this.shouldMeasureDuringScroll(index)) {
          this.resizeItem(index, this.options.measureElement(node, entry, this));
        }
      };
      return {
        disconnect: () => {
          var _a;
          (_a = get()) == null ? void 0 : _a.disconnect();
          _frames == null ? void 0 : _frames.cancel();
          pendingObservations.clear();
          observeQueued = false;
          _ro = null;
          _frames = null;
        },
        observe: (target) => {
          const observer = get();
          if (!observer) return;
          if (!delivering) {
            observer.observe(target, { box: "border-box" });
            return;
          }
          pendingObservations.add(target);
          if (!observeQueued) {
            observeQueued = true;
            _frames == null ? void 0 : _frames.schedule(() => {
              observeQueued = false;
              pendingObservations.forEach((node) => {
                if (node.isConnected) _ro == null ? void 0 : _ro.observe(node, { box: "border-box" });
              });
              pendingObservations.clear();
            });
          }
        },
        unobserve: (target) => {
          var _a;
          pendingObservations.delete(target);
          (_a = get()) == null ? void 0 : _a.unobserve(target);
        }
      };
    })();
    this.range = null;
    this.setOptions = (opts2) => {
      var _a;
      const merged = {
        debug: false,
        initialOffset: 0,
        overscan: 1,
        paddingStart: 0,
        paddingEnd: 0,
        scrollPaddingStart: 0,
        scrollPaddingEnd: 0,
        horizontal: false,
        getItemKey: defaultKeyExtractor,
        rangeExtractor: defaultRangeExtractor,
        onChange: () => {
        },
        measureElement,
        initialRect: { width: 0, height: 0 },
        scrollMargin: 0,
        gap: 0,
        indexAttribute: "data-index",
        initialMeasurementsCache: [],
        lanes: 1,
        anchorTo: "start",
        followOnAppend: false,
        scrollEndThreshold: 1,
        isScrollingResetDelay: 150,
        enabled: true,
        isRtl: false,
        useScrollendEvent: false,
        useAnimationFrameWithResizeObserver: false,
        laneAssignmentMode: "estimate",
        useCachedMeasurements: false
      };
      for (const key in opts2) {
        const v = opts2[key];
        if (v !== void 0) merged[key] = v;
      }
      const prevOptions = this.options;
      let anchor = null;
      let followOnAppend = null;
      let edgeKeysChanged = false;
      if (prevOptions !== void 0 && prevOptions.enabled && merged.enabled && merged.anchorTo === "end" && this.scrollElement !== null) {
        const prevCount = prevOptions.count;
        const nextCount = merged.count;
        const measurements = this.getMeasurements();
        const previousItems = ((_a = this._singleLaneMeasurements) == null ? void 0 : _a.items) ?? measurements;
        const getPreviousKey = (index) => getMeasurementKey(previousItems[index]);
        const prevFirstKey = prevCount > 0 ? getPreviousKey(0) : null;
        const prevLastKey = prevCount > 0 ? getPreviousKey(prevCount - 1) : null;
        const didCountChange = nextCount !== prevCount;
        const didEdgeKeysChange = didCountChange || prevCount > 0 && nextCount > 0 && (merged.getItemKey(0) !== prevFirstKey || merged.getItemKey(nextCount - 1) !== prevLastKey);
        if (didEdgeKeysChange) {
          edgeKeysChanged = true;
          const item = prevCount > 0 ? this.getVirtualItemForOffset(this.getScrollOffset()) ?? measurements[0] : null;
          if (item) {
            anchor = [item.key, this.getScrollOffset() - item.start];
          }
          const behavior = merged.followOnAppend === true ? "auto" : merged.followOnAppend || null;
          if (behavior && nextCount > 0 && this.isAtEnd(prevOptions.scrollEndThreshold) && (prevCount === 0 || merged.getItemKey(nextCount - 1) !== prevLastKey)) {
            if (nextCount > prevCount || isAppendWithTrim(
              prevCount,
              nextCount,
              getPreviousKey,
              merged.getItemKey
            )) {
              followOnAppend = behavior;
            }
          }
        }
      }
      this.options = merged;
      if (edgeKeysChanged) {
        this.pendingMin = 0;
        this.itemSizeCacheVersion++;
      }
      let anchorDelta = null;
      if (anchor && this.scrollOffset !== null && !this._awaitingCommandReadBack()) {
        const [anchorKey, anchorOffset] = anchor;
        const newMeasurements = this.getMeasurements();
        const { count, getItemKey } = this.options;
        let idx = 0;
        while (idx < count && getItemKey(idx) !== anchorKey) {
          idx++;
        }
        if (idx < count) {
          const anchorItem = newMeasurements[idx];
          if (anchorItem) {
            const newOffset = Math.max(0, anchorItem.start + anchorOffset);
            if (!followOnAppend && newOffset !== this.scrollOffset) {
              anchorDelta = newOffset - this.scrollOffset;
              this.scrollOffset = newOffset;
            }
          }
        }
      }
      if (followOnAppend) {
        this.pendingScrollAnchor = { kind: "follow", behavior: followOnAppend };
      } else if (anchorDelta !== null) {
        if (this._canWriteScroll()) {
          this.pendingScrollAnchor = { kind: "anchor", delta: anchorDelta };
        } else {
          this._holdOffset += anchorDelta;
          this._followOffsetTarget(anchorDelta);
        }
      }
    };
    this.notify = (sync) => {
      var _a, _b;
      (_b = (_a = this.options).onChange) == null ? void 0 : _b.call(_a, this, sync);
    };
    this.maybeNotify = memo(
      () => {
        this.calculateRange();
        return [
          this.isScrolling,
          this.range ? this.range.startIndex : null,
          this.range ? this.range.endIndex : null
        ];
      },
      (isScrolling) => {
        this.notify(isScrolling);
      },
      {
        key: false,
        debug: () => this.options.debug,
        initialDeps: [
          this.isScrolling,
          this.range ? this.range.startIndex : null,
          this.range ? this.range.endIndex : null
        ]
      }
    );
    this.cleanup = () => {
      var _a;
      this.unsubs.filter(Boolean).forEach((d) => d());
      this.unsubs = [];
      this.observer.disconnect();
      if (this.rafId != null && this.targetWindow) {
        this.targetWindow.cancelAnimationFrame(this.rafId);
        this.rafId = null;
      }
      this.scrollState = null;
      (_a = this._momentumStop) == null ? void 0 : _a.restore();
      this._momentumStop = null;
      this.isScrolling = false;
      this.scrollDirection = null;
      this._holdOffset = 0;
      this._reportedOverscroll = false;
      this._clampedAdjustment = null;
      this.pendingWrite = null;
      this.scrollElement = null;
      this.targetWindow = null;
    };
    this._didMount = () => {
      return () => {
        this.cleanup();
      };
    };
    this._willUpdate = () => {
      var _a;
      const scrollElement = this.options.enabled ? this.options.getScrollElement() : null;
      if (this.scrollElement !== scrollElement) {
        this.cleanup();
        if (!scrollElement) {
          this.maybeNotify();
          return;
        }
        this.scrollElement = scrollElement;
        if (this.scrollElement && "ownerDocument" in this.scrollElement) {
          this.targetWindow = this.scrollElement.ownerDocument.defaultView;
        } else {
          this.targetWindow = ((_a = this.scrollElement) == null ? void 0 : _a.window) ?? null;
        }
        this.elementsCache.forEach((cached) => {
          this.observer.observe(cached);
        });
        this.unsubs.push(
          this.options.observeElementRect(this, (rect) => {
            this.scrollRect = rect;
            this.maybeNotify();
          })
        );
        this.unsubs.push(
          this.options.observeElementOffset(this, (offset, isScrolling) => {
            var _a2, _b, _c, _d;
            const elementMax = isScrolling ? this._elementMaxScrollOffset() : null;
            const wasOverscrolled = this._reportedOverscroll;
            this._reportedOverscroll = offset < 0 || elementMax !== null && offset > elementMax + 1;
            const elementOffset = offset;
            this._lastElementOffset = elementOffset;
            offset = this._toLayoutOffset(offset);
            const kind = this._classifyScrollEvent(
              offset,
              isScrolling,
              elementMax
            );
            if (kind === "spurious") return;
            if (kind === "readBack") {
              offset = this.pendingWrite.target;
            } else if (kind === "clampedReadBack" && ((_a2 = this.scrollState) == null ? void 0 : _a2.index) != null && // Not `elementMax`: an adapter can report the read-back at rest.
            offset < this.getMaxScrollOffset() - 1.5) {
              this.scrollState.lastTargetOffset = offset;
            } else if (externalRetiresCommand({
              kind,
              offset,
              command: this.scrollState,
              target: () => this.getScrollStateTarget(this.scrollState)
            })) {
              this.scrollState = null;
            }
            this.pendingWrite = null;
            if (this._clampedAdjustment !== null && Math.abs(offset - this._clampedAdjustment.maxAtWrite) >= 1.5) {
              this._clampedAdjustment = null;
            }
            const prevOffset = this.getScrollOffset();
            const prevDirection = this.scrollDirection;
            this.scrollDirection = isScrolling ? prevOffset === offset ? this.scrollDirection : prevOffset < offset ? "forward" : "backward" : null;
            this.scrollOffset = offset;
            this.isScrolling = isScrolling;
            const queued = this.scrollState;
            if ((queued == null ? void 0 : queued.phase) === "queued" && kind === "external" && isScrolling) {
              if (wasOverscrolled || this._reportedOverscroll) {
                queued.samples = [];
              } else {
                const t = this.now();
                queued.samples = [
                  ...(queued.samples ?? []).filter(
                    (sample) => t - sample.t <= 200
                  ),
                  { t, offset: elementOffset }
                ];
                if (prevDirection !== null && this.scrollDirection !== prevDirection || flingSpedUp(queued.samples)) {
                  this.scrollState = null;
                }
              }
            }
            if (this._iosGesture.onScroll({
              isScrolling,
              ownReadBack: kind === "readBack",
              moved: offset !== prevOffset,
              // Neither our write's read-back nor a frame of our smooth
              // animation: the user or a fling moved it.
              external: kind === "external" && ((_b = this.scrollState) == null ? void 0 : _b.phase) !== "smooth" && ((_c = this.scrollState) == null ? void 0 : _c.phase) !== "smoothFinishing"
            }) && // The user scrolls: a command still waiting for the tail is
            // theirs to override, like a written one would be.
            ((_d = this.scrollState) == null ? void 0 : _d.phase) === "queued") {
              this.scrollState = null;
            }
            this._flushHoldIfReady(true);
            if (this.scrollState) {
              this.scheduleScrollReconcile();
            }
            this.maybeNotify();
          })
        );
        if ("addEventListener" in this.scrollElement) {
          this.unsubs.push(
            this._iosGesture.listen(this.scrollElement)
          );
        }
        this._scrollToOffset(this.getScrollOffset());
      }
      this._noteClampMax();
      const anchor = this.pendingScrollAnchor;
      this.pendingScrollAnchor = null;
      if (anchor && this.scrollElement && this.options.enabled) {
        if (anchor.kind === "anchor") {
          if (!this._canWriteScroll()) {
            this._holdOffset += anchor.delta;
            this._followOffsetTarget(anchor.delta);
            this.notify(false);
          } else if (isSmoothScroll(this.scrollState) && !approxEqual(
            this.getScrollOffset() - anchor.delta,
            this.scrollState.lastTargetOffset
          )) ;
          else {
            this._followOffsetTarget(anchor.delta);
            this._scrollToOffset(this.getScrollOffset());
          }
        } else {
          this.scrollToEnd({ behavior: anchor.behavior });
        }
      }
      this._flushHoldIfReady(false);
      this._retryClampedAdjustment();
    };
    this._classifyScrollEvent = (offset, isScrolling, elementMax) => {
      var _a;
      return classifyScrollEvent({
        offset,
        isScrolling,
        elementMax,
        holdOffset: this._holdOffset,
        scrollOffset: this.scrollOffset,
        pendingWrite: this.pendingWrite,
        clampedMaxAtWrite: ((_a = this._clampedAdjustment) == null ? void 0 : _a.maxAtWrite) ?? null
      });
    };
    this._retryClampedAdjustment = () => {
      if (this._clampedAdjustment === null || !this.scrollElement || !this.options.enabled || !this._canWriteScroll()) {
        return;
      }
      const { target, maxAtWrite } = this._clampedAdjustment;
      const max = this.getMaxScrollOffset();
      if (max > maxAtWrite + 0.5) {
        this._clampedAdjustment = target > max + 0.5 ? { target, maxAtWrite: max } : null;
        this._scrollToOffset(target);
      }
    };
    this._writeAwaitingCommand = () => {
      const state = this.scrollState;
      if (state === null || state.phase !== "queued") return;
      const { behavior } = state;
      this.getMeasurements();
      const offset = this.getScrollStateTarget(state);
      state.lastTargetOffset = offset;
      this._clampedAdjustment = null;
      state.phase = initialScrollPhase(
        behavior,
        state.index != null && approxEqual(offset, this.getScrollOffset())
      );
      this._scrollToOffset(offset, { behavior });
      this.scheduleScrollReconcile();
    };
    this._readElementOffset = () => {
      const el2 = this.scrollElement;
      if (el2 == null) return null;
      const { horizontal, isRtl } = this.options;
      if (typeof el2.scrollTop === "number") {
        return horizontal ? el2.scrollLeft * (isRtl && -1 || 1) : el2.scrollTop;
      }
      if (typeof el2.scrollY === "number") {
        return horizontal ? el2.scrollX : el2.scrollY;
      }
      return null;
    };
    this._canWriteScroll = () => !(isIOSWebKit() && this._iosGesture.inMotion()) && !this._reportedOverscroll;
    this._flushHoldIfReady = (sync) => {
      var _a;
      if (this._holdOffset === 0) return;
      if (!this.scrollElement || !this.options.enabled) return;
      if (!this._canWriteScroll()) return;
      if (((_a = this.scrollState) == null ? void 0 : _a.phase) === "smooth") return;
      this._holdOffset = 0;
      if (this.scrollOffset !== null && this.scrollOffset < 0) {
        this.scrollOffset = 0;
      }
      this.notify(sync);
      const target = this.getCommandWrittenOffset() ?? this.getScrollOffset();
      this._clampedAdjustment = this._clampedBy(target);
      this._scrollToOffset(target);
    };
    this.rafId = null;
    this.getSize = () => {
      if (!this.options.enabled) {
        this.scrollRect = null;
        return 0;
      }
      this.scrollRect = this.scrollRect ?? this.options.initialRect;
      return this.scrollRect[this.options.horizontal ? "width" : "height"];
    };
    this.getScrollOffset = () => {
      if (!this.options.enabled) {
        this.scrollOffset = null;
        return 0;
      }
      this.scrollOffset = this.scrollOffset ?? (typeof this.options.initialOffset === "function" ? this.options.initialOffset() : this.options.initialOffset);
      return this.scrollOffset;
    };
    this.getMeasurementOptions = memo(
      () => [
        this.options.count,
        this.options.paddingStart,
        this.options.scrollMargin,
        this.options.getItemKey,
        this.options.enabled,
        this.options.lanes,
        this.options.laneAssignmentMode,
        this.options.gap
      ],
      (count, paddingStart, scrollMargin, getItemKey, enabled, lanes, laneAssignmentMode, gap) => {
        const lanesChanged = this.prevLanes !== void 0 && this.prevLanes !== lanes;
        if (lanesChanged) {
          this.lanesChangedFlag = true;
        }
        this.prevLanes = lanes;
        this.pendingMin = null;
        return {
          count,
          paddingStart,
          scrollMargin,
          getItemKey,
          enabled,
          lanes,
          laneAssignmentMode,
          gap
        };
      },
      {
        key: false
      }
    );
    this.isIndexInRange = (index) => index >= 0 && index < this.options.count;
    this.getMeasurements = memo(
      () => [this.getMeasurementOptions(), this.itemSizeCacheVersion],
      ({
        count,
        paddingStart,
        scrollMargin,
        getItemKey,
        enabled,
        lanes,
        laneAssignmentMode,
        gap
      }, _itemSizeCacheVersion) => {
        var _a;
        const itemSizeCache = this.itemSizeCache;
        if (!enabled) {
          this.measurementsCache = [];
          this._singleLaneMeasurements = null;
          this.itemSizeCache.clear();
          this.laneAssignments.clear();
          return [];
        }
        if (this.laneAssignments.size > count) {
          for (const index of this.laneAssignments.keys()) {
            if (index >= count) {
              this.laneAssignments.delete(index);
            }
          }
        }
        if (this.lanesChangedFlag) {
          this.lanesChangedFlag = false;
          this.lanesSettling = true;
          this.measurementsCache = [];
          this._singleLaneMeasurements = null;
          this.itemSizeCache.clear();
          this.laneAssignments.clear();
          this.pendingMin = null;
        }
        if (this.measurementsCache.length === 0 && !this.lanesSettling) {
          this.measurementsCache = this.options.initialMeasurementsCache;
          this.measurementsCache.forEach((item) => {
            this.itemSizeCache.set(item.key, item.size);
          });
        }
        const min = this.lanesSettling ? 0 : this.pendingMin ?? 0;
        this.pendingMin = null;
        if (this.lanesSettling && this.measurementsCache.length === count) {
          this.lanesSettling = false;
        }
        if (lanes === 1) {
          const need = count * 2;
          let flat = (_a = this._singleLaneMeasurements) == null ? void 0 : _a.flat;
          if (!flat || flat.length < need) {
            const next = new Float64Array(need);
            if (flat && min > 0) next.set(flat.subarray(0, min * 2));
            flat = next;
          }
          const items = min === 0 ? new Array(count) : this._singleLaneMeasurements.items.slice();
          let runningStart;
          if (min === 0) {
            runningStart = paddingStart + scrollMargin;
          } else {
            const prevIdx = min - 1;
            runningStart = flat[prevIdx * 2] + flat[prevIdx * 2 + 1] + gap;
          }
          for (let i = min; i < count; i++) {
            const key = getItemKey(i);
            items[i] = key;
            const measuredSize = itemSizeCache.get(key);
            const size = typeof measuredSize === "number" ? measuredSize : this.options.estimateSize(i);
            flat[i * 2] = runningStart;
            flat[i * 2 + 1] = size;
            runningStart += size + gap;
          }
          this._singleLaneMeasurements = { flat, items };
          const view = createLazyMeasurementsView(items, flat);
          this.measurementsCache = view;
          return view;
        }
        const measurements = this.measurementsCache.slice(0, min);
        const laneLastIndex = new Array(lanes).fill(
          void 0
        );
        const laneEnds = new Float64Array(lanes);
        let filledLanes = 0;
        for (let m = 0; m < min; m++) {
          const item = measurements[m];
          if (item) {
            if (laneLastIndex[item.lane] === void 0) filledLanes++;
            laneLastIndex[item.lane] = m;
            laneEnds[item.lane] = item.end;
          }
        }
        for (let i = min; i < count; i++) {
          const key = getItemKey(i);
          const cachedLane = this.laneAssignments.get(i);
          let lane;
          let start;
          const shouldCacheLane = laneAssignmentMode === "estimate" || itemSizeCache.has(key);
          if (cachedLane !== void 0 && this.options.lanes > 1) {
            lane = cachedLane;
            const prevIndex = laneLastIndex[lane];
            const prevInLane = prevIndex !== void 0 ? measurements[prevIndex] : void 0;
            start = prevInLane ? prevInLane.end + gap : paddingStart + scrollMargin;
          } else if (filledLanes === lanes) {
            let bestLane = 0;
            let bestEnd = laneEnds[0];
            let bestIdx = laneLastIndex[0];
            for (let l = 1; l < lanes; l++) {
              const e = laneEnds[l];
              if (e < bestEnd || e === bestEnd && laneLastIndex[l] < bestIdx) {
                bestLane = l;
                bestEnd = e;
                bestIdx = laneLastIndex[l];
              }
            }
            lane = bestLane;
            start = bestEnd + gap;
            if (shouldCacheLane) {
              this.laneAssignments.set(i, lane);
            }
          } else {
            lane = i % this.options.lanes;
            start = paddingStart + scrollMargin;
            if (shouldCacheLane) {
              this.laneAssignments.set(i, lane);
            }
          }
          const measuredSize = itemSizeCache.get(key);
          const size = typeof measuredSize === "number" ? measuredSize : this.options.estimateSize(i);
          const end = start + size;
          measurements[i] = {
            index: i,
            start,
            size,
            end,
            key,
            lane
          };
          if (laneLastIndex[lane] === void 0) filledLanes++;
          laneLastIndex[lane] = i;
          laneEnds[lane] = end;
        }
        this.measurementsCache = measurements;
        return measurements;
      },
      {
        key: false,
        debug: () => this.options.debug
      }
    );
    this.calculateRange = memo(
      () => [
        this.getMeasurements(),
        this.getSize(),
        this.getScrollOffset(),
        this.options.lanes,
        // scrollOffset is measured in the scroll element and the layout total
        // from the list start, so the list ends scrollMargin further down.
        this._getLayoutTotalSize() + this.options.scrollMargin
      ],
      (measurements, outerSize, scrollOffset, lanes, listEnd) => {
        if (measurements.length === 0 || outerSize === 0) {
          this.range = null;
          return null;
        }
        const maxScrollOffset = Math.max(listEnd - outerSize, 0);
        this.range = calculateRangeImpl(
          measurements,
          outerSize,
          Math.min(scrollOffset, maxScrollOffset),
          lanes,
          // Pass the typed array so binary search + forward-walk can read
          // start/end directly from Float64Array, skipping the Proxy traps.
          lanes === 1 && this._singleLaneMeasurements !== null ? this._singleLaneMeasurements.flat : null
        );
        return this.range;
      },
      {
        key: false,
        debug: () => this.options.debug
      }
    );
    this.getVirtualIndexes = memo(
      () => {
        let startIndex = null;
        let endIndex = null;
        const range = this.calculateRange();
        if (range) {
          startIndex = range.startIndex;
          endIndex = range.endIndex;
        }
        this.maybeNotify.updateDeps([this.isScrolling, startIndex, endIndex]);
        return [
          this.options.rangeExtractor,
          this.options.overscan,
          this.options.count,
          startIndex,
          endIndex,
          this.options.lanes
        ];
      },
      (rangeExtractor, overscan, count, startIndex, endIndex, lanes) => {
        return startIndex === null || endIndex === null ? [] : rangeExtractor({
          startIndex,
          endIndex,
          overscan,
          count,
          lanes
        });
      },
      {
        key: false,
        debug: () => this.options.debug
      }
    );
    this.indexFromElement = (node) => {
      const attributeName = this.options.indexAttribute;
      const indexStr = node.getAttribute(attributeName);
      if (!indexStr) {
        console.warn(
          `Missing attribute name '${attributeName}={index}' on measured element.`
        );
        return -1;
      }
      return parseInt(indexStr, 10);
    };
    this.shouldMeasureDuringScroll = (index) => {
      var _a;
      if (!isSmoothScroll(this.scrollState)) {
        return true;
      }
      const scrollIndex = this.scrollState.index ?? ((_a = this.getVirtualItemForOffset(this.scrollState.lastTargetOffset)) == null ? void 0 : _a.index);
      if (scrollIndex !== void 0 && this.range) {
        const bufferSize = Math.max(
          this.options.overscan,
          Math.ceil((this.range.endIndex - this.range.startIndex) / 2)
        );
        const minIndex = Math.max(0, scrollIndex - bufferSize);
        const maxIndex = Math.min(
          this.options.count - 1,
          scrollIndex + bufferSize
        );
        return index >= minIndex && index <= maxIndex;
      }
      return true;
    };
    this.measureElement = (node) => {
      if (!node) {
        this.elementsCache.forEach((cached, key2) => {
          if (!cached.isConnected) {
            this.observer.unobserve(cached);
            this.elementsCache.delete(key2);
          }
        });
        return;
      }
      const index = this.indexFromElement(node);
      if (!this.isIndexInRange(index)) return;
      const key = this.options.getItemKey(index);
      const prevNode = this.elementsCache.get(key);
      if (prevNode !== node) {
        if (prevNode) {
          this.observer.unobserve(prevNode);
        }
        this.observer.observe(node);
        this.elementsCache.set(key, node);
      }
      if (node.isConnected && (!this.isScrolling || this.scrollState) && this.shouldMeasureDuringScroll(index)) {
        this.resizeItem(index, this.options.measureElement(node, void 0, this));
      }
    };
    this.resizeItem = (index, size) => {
      var _a, _b, _c;
      if (!this.isIndexInRange(index)) return;
      if ((_a = this._resizeBatch) == null ? void 0 : _a.sync) this.getMeasurements();
      let cachedSize;
      let itemStart;
      let key;
      const flat = (_b = this._singleLaneMeasurements) == null ? void 0 : _b.flat;
      if (this.options.lanes === 1 && flat != null) {
        key = this.options.getItemKey(index);
        itemStart = flat[index * 2];
        cachedSize = flat[index * 2 + 1];
      } else {
        const item = this.measurementsCache[index];
        if (!item) return;
        key = item.key;
        itemStart = item.start;
        cachedSize = item.size;
      }
      const itemSize = this.itemSizeCache.get(key) ?? cachedSize;
      const delta = size - itemSize;
      if (delta !== 0) {
        const wasAtEnd = this.options.anchorTo === "end" && !isSmoothScroll(this.scrollState) && this.getVirtualDistanceFromEnd() <= this.options.scrollEndThreshold;
        const prevTotalSize = wasAtEnd ? this._getLayoutTotalSize() : 0;
        const scrollOffset = this.getScrollOffset();
        const isFirstMeasure = !this.itemSizeCache.has(key);
        const defaultShouldAdjust = isFirstMeasure ? (
          // First measurement: compensate any item whose top sits above the
          // fold — the estimate→actual delta must be corrected regardless of
          // scroll direction, since the whole estimated block was above it.
          itemStart < scrollOffset
        ) : (
          // Re-measurement: only compensate an item that is ENTIRELY above the
          // fold. An item that merely *spans* the fold (top above, bottom
          // below — e.g. a streaming chat message growing at its bottom)
          // changes size *below* the anchor point, so shifting scrollTop by the
          // delta would drag the viewport downward on every growth (#1218).
          // Also skip during backward scroll to avoid the "items jump while
          // scrolling up" cascade.
          itemStart + itemSize <= scrollOffset && this.scrollDirection !== "backward"
        );
        const shouldAdjustScroll = !isSmoothScroll(this.scrollState) && (this.shouldAdjustScrollPositionOnItemSizeChange !== void 0 ? this.shouldAdjustScrollPositionOnItemSizeChange(
          // The callback expects a VirtualItem; build one lazily only
          // when the consumer actually supplied a custom predicate.
          this.measurementsCache[index] ?? {
            index,
            key,
            start: itemStart,
            size: cachedSize,
            end: itemStart + cachedSize,
            lane: 0
          },
          delta,
          this
        ) : defaultShouldAdjust);
        if (this.pendingMin === null || index < this.pendingMin) {
          this.pendingMin = index;
        }
        this.itemSizeCache.set(key, size);
        this.itemSizeCacheVersion++;
        let adjustedSync = false;
        if (!this._awaitingCommandReadBack()) {
          if (wasAtEnd) {
            adjustedSync = this.applyScrollAdjustment(
              this._getLayoutTotalSize() - prevTotalSize
            );
          } else if (shouldAdjustScroll) {
            adjustedSync = this.applyScrollAdjustment(delta);
          }
        }
        if (this._resizeBatch) {
          this._resizeBatch.notify = true;
          (_c = this._resizeBatch).sync || (_c.sync = adjustedSync);
          return;
        }
        this.notify(adjustedSync);
        this._noteClampMax();
        this._flushHoldIfReady(true);
        this._retryClampedAdjustment();
      }
    };
    this.getVirtualItems = memo(
      () => [this.getVirtualIndexes(), this.getMeasurements(), this._holdOffset],
      (indexes, measurements, hold) => {
        const virtualItems = [];
        for (let k = 0, len = indexes.length; k < len; k++) {
          const i = indexes[k];
          const measurement = measurements[i];
          virtualItems.push(
            hold === 0 ? measurement : {
              ...measurement,
              start: measurement.start - hold,
              end: measurement.end - hold
            }
          );
        }
        return virtualItems;
      },
      {
        key: false,
        debug: () => this.options.debug
      }
    );
    this.getVirtualItemForOffset = (offset) => {
      var _a;
      const measurements = this.getMeasurements();
      if (measurements.length === 0) {
        return void 0;
      }
      const flat = (_a = this._singleLaneMeasurements) == null ? void 0 : _a.flat;
      const useFlat = this.options.lanes === 1 && flat != null;
      const idx = findNearestBinarySearch(
        0,
        measurements.length - 1,
        useFlat ? (i) => flat[i * 2] : (i) => notUndefined(measurements[i]).start,
        offset
      );
      return notUndefined(measurements[idx]);
    };
    this._noteClampMax = () => {
      if (!this._awaitingCommandReadBack()) return;
      const elementMax = this._elementMaxScrollOffset();
      if (elementMax === null) return;
      const write = this.pendingWrite;
      const max = Math.max(elementMax, 0) + this._holdOffset;
      if (max >= write.target) return;
      const lowMaxes = write.lowMaxes ?? (write.lowMaxes = []);
      if (lowMaxes[lowMaxes.length - 1] !== max) lowMaxes.push(max);
    };
    this.getMaxScrollOffset = () => (this._elementMaxScrollOffset() ?? 0) + this._holdOffset;
    this._toLayoutOffset = (elementOffset) => {
      var _a;
      let offset = elementOffset + this._holdOffset;
      if (((_a = this.pendingScrollAnchor) == null ? void 0 : _a.kind) === "anchor") {
        offset += this.pendingScrollAnchor.delta;
      }
      return offset;
    };
    this._elementMaxScrollOffset = () => {
      const el2 = this.scrollElement;
      if (el2 === null) return null;
      if ("scrollHeight" in el2) {
        return this.options.horizontal ? el2.scrollWidth - el2.clientWidth : el2.scrollHeight - el2.clientHeight;
      }
      if ("document" in el2) {
        const doc = el2.document.documentElement;
        return this.options.horizontal ? doc.scrollWidth - el2.innerWidth : doc.scrollHeight - el2.innerHeight;
      }
      return null;
    };
    this._momentumStop = null;
    this._stopMomentum = (done) => {
      const el2 = this.scrollElement;
      const win = this.targetWindow;
      if (el2 === null || win === null) return;
      const scroller = "document" in el2 ? el2.document.scrollingElement : el2;
      if (!(scroller == null ? void 0 : scroller.style)) return;
      if (this._momentumStop) {
        this._momentumStop.done = done;
        return;
      }
      const { style } = scroller;
      const property = this.options.horizontal ? "overflow-x" : "overflow-y";
      const value = style.getPropertyValue(property);
      const priority = style.getPropertyPriority(property);
      const crossSize = () => this.options.horizontal ? scroller.clientHeight : scroller.clientWidth;
      const crossSizeBefore = crossSize();
      style.setProperty(property, "hidden", "important");
      if (crossSize() !== crossSizeBefore) {
        style.setProperty(property, value, priority);
        return;
      }
      const stop = {
        // False when the app replaced the hidden value: the fling may not
        // have stopped.
        restore: () => {
          if (style.getPropertyValue(property) !== "hidden" || style.getPropertyPriority(property) !== "important") {
            return false;
          }
          style.setProperty(property, value, priority);
          return true;
        },
        done
      };
      this._momentumStop = stop;
      win.requestAnimationFrame(
        () => win.requestAnimationFrame(() => {
          if (this._momentumStop !== stop) return;
          this._momentumStop = null;
          if (stop.restore()) stop.done();
        })
      );
    };
    this._clampedBy = (target) => {
      const elementMax = this._elementMaxScrollOffset();
      if (elementMax === null) return null;
      const maxAtWrite = elementMax + this._holdOffset;
      return target > maxAtWrite + 0.5 ? { target, maxAtWrite } : null;
    };
    this.getVirtualDistanceFromEnd = () => {
      return Math.max(
        this._getLayoutTotalSize() + this.options.scrollMargin - this.getSize() - this.getScrollOffset(),
        0
      );
    };
    this.getDistanceFromEnd = () => {
      return Math.max(this.getMaxScrollOffset() - this.getScrollOffset(), 0);
    };
    this.isAtEnd = (threshold = this.options.scrollEndThreshold) => {
      return this.getDistanceFromEnd() <= threshold;
    };
    this.getOffsetForAlignment = (toOffset, align, itemSize = 0) => {
      if (!this.scrollElement) return 0;
      const size = this.getSize();
      const scrollOffset = this.getScrollOffset();
      if (align === "auto") {
        align = toOffset >= scrollOffset + size ? "end" : "start";
      }
      if (align === "center") {
        toOffset += (itemSize - size) / 2;
      } else if (align === "end") {
        toOffset -= size;
      }
      const maxOffset = this.getMaxScrollOffset();
      return Math.max(Math.min(maxOffset, toOffset), 0);
    };
    this.getOffsetForIndex = (index, align = "auto") => {
      index = Math.max(0, Math.min(index, this.options.count - 1));
      const size = this.getSize();
      const scrollOffset = this.getScrollOffset();
      const item = this.getMeasurements()[index];
      if (!item) return;
      if (align === "auto") {
        if (item.end >= scrollOffset + size - this.options.scrollPaddingEnd) {
          align = "end";
        } else if (item.start <= scrollOffset + this.options.scrollPaddingStart) {
          align = "start";
        } else {
          return [scrollOffset, align];
        }
      }
      if (align === "end" && index === this.options.count - 1) {
        const maxOffset = this.getMaxScrollOffset();
        const toOffset2 = maxOffset - this.options.paddingEnd + this.options.scrollPaddingEnd;
        return [Math.max(Math.min(toOffset2, maxOffset), 0), align];
      }
      const toOffset = align === "end" ? item.end + this.options.scrollPaddingEnd : item.start - this.options.scrollPaddingStart;
      return [
        this.getOffsetForAlignment(toOffset, align, item.size),
        align
      ];
    };
    this.scrollToOffset = (toOffset, { align = "start", behavior = "auto" } = {}) => {
      this._startScroll(
        { index: null, align },
        this.getOffsetForAlignment(toOffset, align),
        behavior,
        "absolute"
      );
    };
    this.scrollToIndex = (index, {
      align: initialAlign = "auto",
      behavior = "auto"
    } = {}) => {
      index = Math.max(0, Math.min(index, this.options.count - 1));
      const offsetInfo = this.getOffsetForIndex(index, initialAlign);
      if (!offsetInfo) return;
      const [offset, align] = offsetInfo;
      this._startScroll({ index, align }, offset, behavior, "absolute");
    };
    this.scrollBy = (delta, { behavior = "auto" } = {}) => {
      const offset = this.getOffsetForAlignment(
        (this.getCommandWrittenOffset() ?? this.getScrollOffset()) + delta,
        "start"
      );
      this._startScroll(
        { index: null, align: "start" },
        offset,
        behavior,
        "relative"
      );
    };
    this.scrollToEnd = ({ behavior = "auto" } = {}) => {
      if (this.options.count > 0) {
        this._startScroll(
          { index: this.options.count - 1, align: "end", toEnd: true },
          Math.max(this.getMaxScrollOffset(), 0),
          behavior,
          "absolute"
        );
        return;
      }
      this.scrollToOffset(Math.max(this.getTotalSize() - this.getSize(), 0), {
        behavior
      });
    };
    this.cancelScroll = () => {
      if (this.rafId != null && this.targetWindow) {
        this.targetWindow.cancelAnimationFrame(this.rafId);
        this.rafId = null;
      }
      this.scrollState = null;
    };
    this.getTotalSize = () => Math.max(this._getLayoutTotalSize() - this._holdOffset, 0);
    this._getLayoutTotalSize = () => {
      var _a, _b;
      const measurements = this.getMeasurements();
      let end;
      if (measurements.length === 0) {
        end = this.options.paddingStart;
      } else if (this.options.lanes === 1) {
        const lastIdx = measurements.length - 1;
        const flat = (_a = this._singleLaneMeasurements) == null ? void 0 : _a.flat;
        if (flat != null) {
          end = flat[lastIdx * 2] + flat[lastIdx * 2 + 1];
        } else {
          end = ((_b = measurements[lastIdx]) == null ? void 0 : _b.end) ?? 0;
        }
      } else {
        const endByLane = Array(this.options.lanes).fill(null);
        let endIndex = measurements.length - 1;
        while (endIndex >= 0 && endByLane.some((val) => val === null)) {
          const item = measurements[endIndex];
          if (endByLane[item.lane] === null) {
            endByLane[item.lane] = item.end;
          }
          endIndex--;
        }
        end = Math.max(...endByLane.filter((val) => val !== null));
      }
      return Math.max(
        end - this.options.scrollMargin + this.options.paddingEnd,
        0
      );
    };
    this.takeSnapshot = () => {
      const snapshot = [];
      if (this.itemSizeCache.size === 0) return snapshot;
      const m = this.getMeasurements();
      for (const item of m) {
        if (item && this.itemSizeCache.has(item.key)) {
          snapshot.push({
            index: item.index,
            key: item.key,
            start: item.start,
            size: item.size,
            end: item.end,
            lane: item.lane
          });
        }
      }
      return snapshot;
    };
    this._scrollToOffset = (offset, {
      adjustments,
      behavior
    } = {}) => {
      const write = {
        target: offset + (adjustments ?? 0),
        smooth: behavior === "smooth"
      };
      this.pendingWrite = write;
      this.options.scrollToFn(
        offset - this._holdOffset,
        { behavior, adjustments },
        this
      );
      return write;
    };
    this.getCommandWrittenOffset = () => this.scrollState !== null && this.pendingWrite !== null && !this.pendingWrite.smooth ? this.pendingWrite.target : null;
    this._awaitingCommandReadBack = () => {
      const writtenOffset = this.getCommandWrittenOffset();
      return !(isIOSWebKit() && this._iosGesture.dragging()) && writtenOffset !== null && !approxEqual(writtenOffset, this.getScrollOffset());
    };
    this._followOffsetTarget = (delta) => {
      if (this.scrollState !== null && this.scrollState.index == null) {
        this.scrollState.lastTargetOffset += delta;
      }
    };
    this.measure = () => {
      this.pendingMin = null;
      this.itemSizeCache.clear();
      this.laneAssignments.clear();
      this.itemSizeCacheVersion++;
      this.notify(false);
    };
    this.setOptions(opts);
  }
  /**
   * @deprecated Always 0: a scroll correction is folded into `scrollOffset`
   * at once, so there is never an outstanding adjustment to add to it. Read
   * `scrollOffset` alone.
   */
  get scrollAdjustments() {
    return 0;
  }
  // Returns `true` when it performed a synchronous `scrollTop` write this
  // tick, `false` when the delta was zero or the write was deferred (iOS).
  // `resizeItem` uses that to decide whether the follow-up `notify` must be
  // synchronous so the grown transforms commit in the same paint (#1227).
  applyScrollAdjustment(delta, behavior) {
    if (delta === 0) return false;
    if (false) {
      console.info("correction", delta);
    }
    this._followOffsetTarget(delta);
    if (!this._canWriteScroll()) {
      this._holdOffset += delta;
      if (this.scrollOffset !== null) this.scrollOffset += delta;
      return true;
    } else {
      const offset = this.getScrollOffset();
      this._clampedAdjustment = this._clampedBy(offset + delta);
      const write = this._scrollToOffset(offset, {
        adjustments: delta,
        behavior
      });
      if (this.scrollOffset !== null) {
        if (this.pendingWrite === write) this.scrollOffset += delta;
        if (this.scrollOffset < 0) this.scrollOffset = 0;
      }
      return true;
    }
  }
  scheduleScrollReconcile() {
    if (!this.targetWindow) {
      this.scrollState = null;
      return;
    }
    if (this.rafId != null) return;
    this.rafId = this.targetWindow.requestAnimationFrame(() => {
      this.rafId = null;
      this.reconcileScroll();
    });
  }
  getScrollStateTarget(state) {
    const offsetInfo = state.toEnd ? [Math.max(this.getMaxScrollOffset(), 0)] : state.index != null ? this.getOffsetForIndex(state.index, state.align) : void 0;
    return offsetInfo ? offsetInfo[0] : state.lastTargetOffset;
  }
  reconcileScroll() {
    if (!this.scrollState) return;
    const el2 = this.scrollElement;
    if (!el2) return;
    const MAX_RECONCILE_MS = 5e3;
    if (this.now() - this.scrollState.startedAt > MAX_RECONCILE_MS) {
      this.scrollState = null;
      return;
    }
    if (this.scrollState.phase === "queued") {
      this.scheduleScrollReconcile();
      return;
    }
    this.getMeasurements();
    const targetOffset = this.getScrollStateTarget(this.scrollState);
    const STABLE_FRAMES = this.scrollState.index == null ? 1 : this.options.useAnimationFrameWithResizeObserver ? 3 : 2;
    const targetChanged = targetOffset !== this.scrollState.lastTargetOffset;
    if (!targetChanged && approxEqual(targetOffset, this.getScrollOffset())) {
      if (this.scrollState.phase === "smooth") {
        this.scrollState.phase = "smoothLanded";
      } else if (this.scrollState.phase === "smoothFinishing") {
        this.scrollState.phase = "instant";
      }
      this.scrollState.stableFrames++;
      if (this.scrollState.stableFrames >= STABLE_FRAMES) {
        if (this.getScrollOffset() !== targetOffset) {
          this._scrollToOffset(targetOffset, { behavior: "auto" });
        }
        this.scrollState = null;
        return;
      }
    } else {
      this.scrollState.stableFrames = 0;
      if (targetChanged) {
        const viewport = this.getSize() || 600;
        const distance = Math.abs(targetOffset - this.getScrollOffset());
        const keepSmooth = isSmoothScroll(this.scrollState) && distance > viewport;
        this.scrollState.lastTargetOffset = targetOffset;
        if (keepSmooth) {
          this.scrollState.phase = "smooth";
        } else if (this.scrollState.phase === "smooth") {
          this.scrollState.phase = "smoothFinishing";
        } else if (this.scrollState.phase === "smoothLanded") {
          this.scrollState.phase = "instant";
        }
        this._scrollToOffset(targetOffset, {
          behavior: keepSmooth ? "smooth" : "auto"
        });
      }
    }
    this.scheduleScrollReconcile();
  }
  // Every scroll command starts here: it becomes the in-flight command,
  // writes its first target and leaves reconcile to retarget and retire it.
  //
  // Targets are layout offsets. A held correction is not dropped by a
  // command: the write lands the element `_holdOffset` short of the target,
  // under the rows exposed shifted by the same amount, and the flush moves
  // both together once a write is possible.
  //
  // An index or end target that is already at its offset starts a smooth
  // scroll as landed; an offset target never does, so its first scroll
  // event is read as the user's (see the scroll handler in `_willUpdate`).
  _startScroll(target, offset, behavior, kind) {
    this.pendingScrollAnchor = null;
    this._clampedAdjustment = null;
    const tail = this._iosGesture.tail();
    if (kind === "absolute" && tail !== null) {
      if (tail === "fling" && momentumOverridesWrites()) {
        this._stopMomentum(() => {
          const state = this.scrollState;
          if ((state == null ? void 0 : state.phase) !== "queued" || // A finger came down: it owns the scroll until it lifts.
          this._iosGesture.tail() !== "fling" || // In a bounce WebKit can drop the write (#1287): the tail
          // decides, as without the stop. (Not `flingCaught`: our stop
          // also ends the fling at speed, so a slow frame would read as
          // a catch and the tail would drop the command.)
          this._reportedOverscroll) {
            return;
          }
          this._iosGesture.end();
          this._flushHoldIfReady(true);
          this._writeAwaitingCommand();
        });
        this.scrollState = {
          ...target,
          startedAt: this.now(),
          lastTargetOffset: offset,
          stableFrames: 0,
          phase: "queued",
          behavior,
          samples: []
        };
        this.scheduleScrollReconcile();
        return;
      }
      this._iosGesture.end();
    }
    this.scrollState = {
      ...target,
      startedAt: this.now(),
      lastTargetOffset: offset,
      stableFrames: 0,
      behavior,
      phase: initialScrollPhase(
        behavior,
        target.index != null && approxEqual(offset, this.getScrollOffset())
      )
    };
    this._scrollToOffset(offset, { behavior });
    this.scheduleScrollReconcile();
  }
};
var findNearestBinarySearch = (low, high, getCurrentValue, value) => {
  while (low <= high) {
    const middle = (low + high) / 2 | 0;
    const currentValue = getCurrentValue(middle);
    if (currentValue < value) {
      low = middle + 1;
    } else if (currentValue > value) {
      high = middle - 1;
    } else {
      return middle;
    }
  }
  if (low > 0) {
    return low - 1;
  } else {
    return 0;
  }
};
function findNearestBinarySearchFlat(flat, high, value) {
  let low = 0;
  while (low <= high) {
    const middle = (low + high) / 2 | 0;
    const currentValue = flat[middle * 2];
    if (currentValue < value) {
      low = middle + 1;
    } else if (currentValue > value) {
      high = middle - 1;
    } else {
      return middle;
    }
  }
  return low > 0 ? low - 1 : 0;
}
function calculateRangeImpl(measurements, outerSize, scrollOffset, lanes, flat) {
  const lastIndex = measurements.length - 1;
  if (measurements.length <= lanes) {
    return { startIndex: 0, endIndex: lastIndex };
  }
  if (lanes === 1 && flat !== null) {
    const startIndex2 = findNearestBinarySearchFlat(
      flat,
      lastIndex,
      scrollOffset
    );
    let endIndex2 = startIndex2;
    const limit = scrollOffset + outerSize;
    while (endIndex2 < lastIndex && flat[endIndex2 * 2] + flat[endIndex2 * 2 + 1] < limit) {
      endIndex2++;
    }
    return { startIndex: startIndex2, endIndex: endIndex2 };
  }
  const getStart = (index) => measurements[index].start;
  let startIndex = findNearestBinarySearch(0, lastIndex, getStart, scrollOffset);
  let endIndex = startIndex;
  if (lanes === 1) {
    while (endIndex < lastIndex && measurements[endIndex].end < scrollOffset + outerSize) {
      endIndex++;
    }
  } else if (lanes > 1) {
    const endPerLane = Array(lanes).fill(0);
    while (endIndex < lastIndex && endPerLane.some((pos) => pos < scrollOffset + outerSize)) {
      const item = measurements[endIndex];
      endPerLane[item.lane] = item.end;
      endIndex++;
    }
    const startPerLane = Array(lanes).fill(scrollOffset + outerSize);
    while (startIndex >= 0 && startPerLane.some((pos) => pos >= scrollOffset)) {
      const item = measurements[startIndex];
      startPerLane[item.lane] = item.start;
      startIndex--;
    }
    startIndex = Math.max(0, startIndex - startIndex % lanes);
    endIndex = Math.min(lastIndex, endIndex + (lanes - 1 - endIndex % lanes));
  }
  return { startIndex, endIndex };
}

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
function optionBox(name, label, onInput, onCommit, onRevert) {
  const input = el("input", {
    class: "nwbcw-option",
    attrs: {
      type: "text",
      size: "5",
      autocomplete: "off",
      spellcheck: "false",
      placeholder: "default",
      "aria-label": label,
      "data-option": name
    }
  });
  input.addEventListener("input", onInput);
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      onCommit();
    } else if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      onRevert();
    }
  });
  input.addEventListener("blur", onCommit);
  return input;
}
var FilterEditor = class {
  constructor({ location, codecs, onEdit }) {
    this.location = location;
    this.available = codecs.filter_methods || [];
    this.optionNames = codecs.filter_options || {};
    this.onEdit = onEdit;
    this.current = [];
    this.optionInputs = [];
    this.sendOptions = debounce(() => this.onEdit("filter_options", this.optionValues()), EDIT_DELAY);
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
  optionValues() {
    return this.optionInputs.map((inputs) => {
      if (inputs.size === 0) return null;
      const values = {};
      for (const [name, input] of inputs) values[name] = input.value;
      return values;
    });
  }
  buildChips(names) {
    this.current = [...names];
    this.optionInputs = [];
    const send = () => this.sendOptions();
    const commit = () => this.sendOptions.pending() ? this.sendOptions.flush() : this.lastRow && this.show(this.lastRow);
    const revert = () => this.revertOptions();
    this.chips.replaceChildren(
      ...names.map((name) => {
        const inputs = /* @__PURE__ */ new Map();
        for (const option of this.optionNames[name] || []) {
          inputs.set(option, optionBox(option, `${option} option of filter ${name}, ${this.location}`, send, commit, revert));
        }
        this.optionInputs.push(inputs);
        return el("span", { class: "nwbcw-chip" }, [
          el("span", { class: "nwbcw-chip-name", text: name }),
          ...[...inputs].map(([option, input]) => el("label", { class: "nwbcw-option-label" }, [el("span", { text: option }), input])),
          el("button", {
            class: "nwbcw-chip-remove",
            text: "\xD7",
            attrs: { type: "button", title: `remove ${name}`, "aria-label": `remove filter ${name}, ${this.location}` },
            on: { click: () => this.onEdit("filter_methods", this.current.filter((item) => item !== name)) }
          })
        ]);
      })
    );
  }
  show(row) {
    this.lastRow = row;
    const names = row.drafts.filter_methods || row.filter_methods || [];
    const key = JSON.stringify([names, this.available]);
    if (key !== this.shownKey) {
      this.shownKey = key;
      this.buildChips(names);
      this.remaining = this.available.filter((name) => !names.includes(name));
      this.menuBuilt = false;
      this.add.replaceChildren(el("option", { text: "+ filter", attrs: { value: "" } }));
      this.add.value = "";
      this.add.hidden = this.remaining.length === 0;
    }
    const draft = row.drafts.filter_options;
    const sources = draft || row.filter_options || [];
    const active = this.chips.ownerDocument.activeElement;
    this.optionInputs.forEach((inputs, position) => {
      const source = sources[position] || {};
      for (const [name, input] of inputs) {
        toggleClass(input, "nwbcw-draft", Boolean(draft));
        if (input === active || this.sendOptions.pending()) continue;
        const text = source[name] === void 0 || source[name] === null ? "" : String(source[name]);
        if (input.value !== text) input.value = text;
      }
    });
  }
  /** Escape: every option box back to Python's value; a rejected draft is withdrawn by sending that value. */
  revertOptions() {
    this.sendOptions.cancel();
    const row = this.lastRow;
    if (!row) return;
    const sources = row.filter_options || [];
    this.optionInputs.forEach((inputs, position) => {
      const source = sources[position] || {};
      for (const [name, input] of inputs) input.value = source[name] === void 0 || source[name] === null ? "" : String(source[name]);
    });
    if (row.drafts.filter_options) this.onEdit("filter_options", this.optionValues());
  }
  buildMenu() {
    if (this.menuBuilt) return;
    this.menuBuilt = true;
    this.add.append(...this.remaining.map((name) => el("option", { text: name, attrs: { value: name } })));
  }
};
var ROW_PARTS = [];
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
    this.details = el("div", { class: "nwbcw-row-details", attrs: { role: "cell", "data-col": "details" } });
    this.element.appendChild(this.details);
    this.parts = ROW_PARTS.map((factory) => factory(this, context));
    for (const part of this.parts) this.details.appendChild(part.element);
    this.update(row);
  }
  /** Whether an edit typed in this row waits to be sent. */
  hasPendingEdit() {
    return [this.chunk.send, this.buffer.send, this.compression.sendOptions, this.filters.sendOptions].some((send) => send.pending());
  }
  /** The row leaves the page (scrolled away, filtered out): send what was typed, let the parts go. */
  dispose() {
    for (const send of [this.chunk.send, this.buffer.send, this.compression.sendOptions, this.filters.sendOptions]) {
      if (send.pending()) send.flush();
    }
    for (const part of this.parts) part.dispose?.();
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
    this.showPending(Boolean(row.pending));
    this.resetButton.disabled = row.pending || !edited && !row.invalid && Object.keys(drafts).length === 0;
    for (const part of this.parts) part.update(row);
  }
  /** A row under a bulk change Python has not answered yet: its fields wait (disabled), and it says so. */
  showPending(pending) {
    if (!pending && !this.element.classList.contains("nwbcw-pending")) return;
    toggleClass(this.element, "nwbcw-pending", pending);
    if (pending) {
      this.element.setAttribute("aria-busy", "true");
      this.element.title = "Waiting for Python to apply this change";
    } else {
      this.element.removeAttribute("aria-busy");
      this.element.removeAttribute("title");
    }
    for (const field of this.element.querySelectorAll("input, select")) field.disabled = pending;
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
function rowSearchText(row) {
  const text = [row.location, row.neurodata_type, row.object_name, row.dtype, row.compression_method].join(" ");
  const shown = plainText(text);
  return shown === text ? text.toLowerCase() : `${text.toLowerCase()}\0${shown.toLowerCase()}`;
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
var GROUP_HEIGHT_GUESS = 30;
var OVERSCAN = 6;
var FALLBACK_VIEWPORT = 640;
var MAX_REDRAWS = 8;
var GroupHeader = class {
  constructor(group, table) {
    this.toggle = el("button", {
      class: "nwbcw-group-toggle",
      attrs: { type: "button", "aria-expanded": "true" },
      on: { click: () => table.toggleGroup(group.path) }
    }, [
      el("span", { class: "nwbcw-caret", attrs: { "aria-hidden": "true" } }),
      el("span", { class: "nwbcw-group-name", text: group.object_name, attrs: { title: group.object_name } }),
      el("span", { class: "nwbcw-type", text: group.neurodata_type }),
      el("span", { class: "nwbcw-group-path", text: group.path, attrs: { title: group.path } }),
      el("span", { class: "nwbcw-group-size", text: `${group.count} dataset${group.count === 1 ? "" : "s"} \xB7 ${group.size}` })
    ]);
    this.element = el("div", { class: "nwbcw-item nwbcw-group nwbcw-group-head", attrs: { role: "row", "data-group": group.path } }, [
      el("div", { class: "nwbcw-group-cell", attrs: { role: "cell", "aria-colspan": String(COLUMNS.length) } }, [this.toggle])
    ]);
  }
  setExpanded(expanded) {
    if (this.toggle.getAttribute("aria-expanded") !== String(expanded)) this.toggle.setAttribute("aria-expanded", String(expanded));
  }
  update() {
  }
  dispose() {
  }
};
var TableView = class {
  constructor(context) {
    this.context = context;
    this.filterText = "";
    this.sort = "location";
    this.rows = [];
    this.groups = [];
    this.groupRows = [];
    this.rowKeys = [];
    this.groupKeys = [];
    this.orders = /* @__PURE__ */ new Map();
    this.collapsed = /* @__PURE__ */ new Set();
    this.searchTexts = [];
    this.items = new Int32Array(0);
    this.built = /* @__PURE__ */ new Map();
    this.focusCode = null;
    this.pending = null;
    this.countLine = el("div", { class: "nwbcw-count", attrs: { "aria-live": "polite" } });
    this.header = el(
      "div",
      { class: "nwbcw-row nwbcw-header", attrs: { role: "row", "aria-rowindex": "1" } },
      COLUMNS.map(([key, label, hidden]) => el(
        "div",
        { class: `nwbcw-cell nwbcw-c-${key}`, text: hidden ? null : label, attrs: { role: "columnheader" } },
        hidden ? [el("span", { class: "nwbcw-sr-only", text: label })] : []
      ))
    );
    this.list = el("div", { class: "nwbcw-list" });
    this.scroller = el("div", { class: "nwbcw-scroller", attrs: { role: "rowgroup" } }, [this.list]);
    this.element = el("div", { class: "nwbcw-table", attrs: { role: "table", "aria-label": "dataset configurations" } }, [
      el("div", { class: "nwbcw-header-box", attrs: { role: "rowgroup" } }, [this.header]),
      this.scroller
    ]);
    this.list.addEventListener("focusin", (event) => this.onFocus(event.target));
    this.list.addEventListener("focusout", (event) => {
      if (!event.relatedTarget || !this.list.contains(event.relatedTarget)) this.focusCode = null;
    });
    this.virtualizer = new Virtualizer(this.virtualOptions());
    this.unmount = this.virtualizer._didMount();
    this.virtualizer._willUpdate();
  }
  /** Options of the virtual list; a new item list gets new key and size functions, so its layout is recomputed. */
  virtualOptions() {
    const items = this.items;
    return {
      count: items.length,
      getScrollElement: () => this.scroller,
      estimateSize: (index) => items[index] < 0 ? GROUP_HEIGHT_GUESS : ROW_HEIGHT_GUESS,
      getItemKey: (index) => this.itemKey(items[index]),
      overscan: OVERSCAN,
      // Scroll by setting scrollTop, which every host (and jsdom) supports; the scroll event then moves the range.
      scrollToFn: (offset, { adjustments = 0 }, instance) => {
        if (instance.scrollElement) instance.scrollElement.scrollTop = offset + adjustments;
      },
      observeElementRect: (instance, report) => observeElementRect(instance, (rect) => report(rect.height > 0 ? rect : { width: rect.width, height: FALLBACK_VIEWPORT })),
      observeElementOffset,
      // An item without a box (hidden widget, no layout) keeps its estimate instead of collapsing to 0.
      measureElement: (element, entry, instance) => measureElement(element, entry, instance) || instance.options.estimateSize(instance.indexFromElement(element)),
      rangeExtractor: (range) => this.range(range),
      onChange: () => this.draw()
    };
  }
  /** A stable key per item: headers by group path, rows by location (made once per rows list: the virtual list
   * looks every key up each time the layout changes). */
  itemKey(code) {
    return code < 0 ? this.groupKeys[-code - 1] : this.rowKeys[code];
  }
  /** The visible items plus the overscan, and the focused item wherever it is. */
  range(range) {
    const indexes = defaultRangeExtractor(range);
    if (this.focusCode === null) return indexes;
    const index = this.items.indexOf(this.focusCode);
    if (index < 0 || indexes.includes(index)) return indexes;
    return [...indexes, index].sort((a, b) => a - b);
  }
  onFocus(target) {
    const item = target.closest(".nwbcw-item");
    const index = item ? Number(item.dataset.index) : NaN;
    this.focusCode = Number.isInteger(index) && index < this.items.length ? this.items[index] : null;
  }
  /** Show a new rows list from Python.
   *
   * A new list of the same datasets in the same groups (a bulk change: apply-to-all, reset all, a preset) keeps the
   * place, the folded groups and the filter, and updates only the rows on screen. */
  render(rows, groups) {
    const groupsKey = JSON.stringify([groups || [], this.context.codecs()]);
    if (this.sameDatasets(rows || [], groupsKey)) {
      this.refreshAll(rows);
      return;
    }
    this.groupsKey = groupsKey;
    this.rows = rows || [];
    this.searchTexts = [];
    this.rowContext = {
      codecs: this.context.codecs(),
      edit: this.context.edit,
      reset: this.context.reset,
      preview: this.context.preview,
      inspect: this.context.inspect
    };
    const positions = /* @__PURE__ */ new Map();
    this.groups = [];
    this.groupRows = [];
    const addGroup = (group) => {
      positions.set(group.path, this.groups.length);
      this.groups.push(group);
      this.groupRows.push([]);
    };
    for (const group of groups || []) addGroup(group);
    this.rows.forEach((row, index) => {
      if (!positions.has(row.group)) {
        addGroup({ path: row.group, object_name: row.object_name, neurodata_type: row.neurodata_type, count: 0, size: "", size_bytes: 0 });
      }
      this.groupRows[positions.get(row.group)].push(index);
    });
    this.orders = /* @__PURE__ */ new Map();
    this.rowKeys = this.rows.map((row) => `r${row.location}`);
    this.groupKeys = this.groups.map((group) => `g${group.path}`);
    this.clearBuilt();
    this.arrange();
  }
  /** Whether `rows` are the datasets shown now, in the same order and groups, with the same codec menus. */
  sameDatasets(rows, groupsKey) {
    if (groupsKey !== this.groupsKey || rows.length !== this.rows.length || rows.length === 0) return false;
    return rows.every((row, index) => row.location === this.rows[index].location && row.group === this.rows[index].group);
  }
  /** Take a new rows list of the same datasets: update the rows on screen, then filter and order again. */
  refreshAll(rows) {
    this.rows = rows;
    this.pending = null;
    this.searchTexts = [];
    for (const [key, view] of this.built) if (key[0] === "r") view.update(rows[view.index]);
    this.arrange();
  }
  /** The row at `index` as it is shown: Python's, with a pending bulk change over it. */
  shownRow(index) {
    const row = this.rows[index];
    return this.pending ? { ...row, ...this.pending, drafts: {}, errors: {}, pending: true } : row;
  }
  /**
   * Show a bulk change sent to Python on every row at once (the rows on screen now, and those built while it is
   * pending), marked as pending: their fields are disabled and the row says it waits for Python. Python's values
   * replace it when its rows come; {@link clearPending} takes it back when Python refuses or does not answer.
   * @param {object} fields row fields, e.g. `{compression_method: "gzip", compression_options: {level: "4"}}`
   */
  showPending(fields) {
    this.pending = fields;
    for (const [key, view] of this.built) if (key[0] === "r") view.update(this.shownRow(view.index));
  }
  /** Show Python's rows again, without a pending bulk change (which it refused, or already answered). */
  clearPending() {
    if (!this.pending) return;
    this.pending = null;
    for (const [key, view] of this.built) if (key[0] === "r") view.update(this.rows[view.index]);
  }
  /** Apply Python's changed rows: `[{index, row}]`. Rows not on screen only keep the data, shown when they come back. */
  patch(entries) {
    let searchable = true;
    for (const { index, row } of entries) {
      if (index >= this.rows.length || this.rows[index].location !== row.location) continue;
      const old = this.rows[index];
      this.rows[index] = row;
      if (this.searchTexts.length) this.searchTexts[index] = void 0;
      searchable = searchable && old.compression_method === row.compression_method;
      const view = this.built.get(`r${row.location}`);
      if (view) view.update(this.shownRow(index));
    }
    if (!searchable && this.filterText) this.arrange();
  }
  /** The row view of a dataset, scrolled into the page if needed (e.g. to focus it from outside); null if filtered out. */
  rowView(location) {
    const index = this.rows.findIndex((row) => row.location === location);
    const position = index < 0 ? -1 : this.items.indexOf(index);
    if (position < 0) return null;
    const item = this.virtualizer.measurementsCache[position];
    const viewport = this.scroller.clientHeight || FALLBACK_VIEWPORT;
    this.jumpTo(Math.max(0, Math.round(item.start - (viewport - item.size) / 2)));
    return this.built.get(`r${location}`) || null;
  }
  /** Scroll the table to `offset` now: the range follows at once, not one scroll event later (no rows built twice). */
  jumpTo(offset) {
    if (this.scroller.scrollTop === offset) return;
    this.scroller.scrollTop = offset;
    this.scroller.dispatchEvent(new Event("scroll"));
  }
  setFilter(text) {
    const filterText = String(text || "").trim().toLowerCase();
    if (filterText === this.filterText) return;
    this.filterText = filterText;
    this.arrange(true);
  }
  setSort(mode) {
    this.sort = mode;
    this.arrange(true);
  }
  toggleGroup(path) {
    if (this.collapsed.has(path)) this.collapsed.delete(path);
    else this.collapsed.add(path);
    this.arrange();
  }
  setAllExpanded(expanded) {
    this.collapsed = new Set(expanded ? [] : this.groups.map((group) => group.path));
    this.arrange();
  }
  matches(index) {
    let text = this.searchTexts[index];
    if (text === void 0) text = this.searchTexts[index] = rowSearchText(this.rows[index]);
    return text.includes(this.filterText);
  }
  /** Lay out the items: groups and rows that match the filter, in the chosen order, then draw the visible part. */
  /** Groups, and the rows of each group, in the order `mode`: computed once per rows list (sizes never change). */
  order(mode) {
    let order = this.orders.get(mode);
    if (order) return order;
    const groups = this.groups.map((_, position) => position);
    let members = this.groupRows;
    if (mode !== "location") {
      const sign = mode === "size-asc" ? 1 : -1;
      groups.sort((a, b) => sign * ((this.groups[a].size_bytes || 0) - (this.groups[b].size_bytes || 0)));
      const bySize = (a, b) => sign * (this.rows[a].size_bytes - this.rows[b].size_bytes);
      members = members.map((indices) => indices.length > 1 ? [...indices].sort(bySize) : indices);
    }
    order = { groups, members };
    this.orders.set(mode, order);
    return order;
  }
  arrange(toTop = false) {
    const order = this.order(this.sort);
    const items = new Int32Array(this.rows.length + this.groups.length);
    let length = 0;
    let shown = 0;
    for (const position of order.groups) {
      let members = order.members[position];
      if (this.filterText) members = members.filter((index) => this.matches(index));
      if (members.length === 0) continue;
      shown += members.length;
      items[length++] = -position - 1;
      if (this.collapsed.size && this.collapsed.has(this.groups[position].path)) continue;
      for (const index of members) items[length++] = index;
    }
    this.items = items.subarray(0, length);
    this.element.setAttribute("aria-rowcount", String(length + 1));
    const total = this.rows.length;
    setText(this.countLine, shown === total ? "" : `Showing ${shown} of ${total} datasets`);
    this.virtualizer.setOptions(this.virtualOptions());
    this.virtualizer._willUpdate();
    if (toTop) this.jumpTo(0);
    this.draw();
  }
  /** Bring the page in line with the visible items: build those that came in, drop those that left, place them. */
  draw() {
    if (this.drawing) {
      this.redraw = true;
      return;
    }
    this.drawing = true;
    try {
      let rounds = 0;
      do {
        this.redraw = false;
        this.drawOnce();
        rounds += 1;
      } while (this.redraw && rounds < MAX_REDRAWS);
      if (this.redraw) requestAnimationFrame(() => this.draw());
    } finally {
      this.drawing = false;
    }
  }
  drawOnce() {
    const virtualItems = this.virtualizer.getVirtualItems();
    const wanted = /* @__PURE__ */ new Map();
    const added = [];
    for (const item of virtualItems) {
      const code = this.items[item.index];
      const key = this.itemKey(code);
      let view = this.built.get(key);
      if (!view) {
        view = this.build(code);
        added.push(view);
      } else if (code >= 0) {
        view.index = code;
      } else {
        view.setExpanded(!this.collapsed.has(this.groups[-code - 1].path));
      }
      wanted.set(key, view);
      const { element } = view;
      const index = String(item.index);
      if (element.dataset.index !== index) {
        element.dataset.index = index;
        element.setAttribute("aria-rowindex", String(item.index + 2));
      }
      const transform = `translateY(${item.start}px)`;
      if (element.style.transform !== transform) element.style.transform = transform;
    }
    const { activeElement } = this.list.ownerDocument;
    const focused = this.list.contains(activeElement) ? activeElement : null;
    for (const [key, view] of this.built) {
      if (wanted.has(key)) continue;
      view.dispose();
      view.element.remove();
    }
    this.built = wanted;
    let cursor = this.list.firstChild;
    for (const { element } of wanted.values()) {
      if (element === cursor) cursor = cursor.nextSibling;
      else this.list.insertBefore(element, cursor);
    }
    if (focused && focused.isConnected && this.list.ownerDocument.activeElement !== focused) focused.focus({ preventScroll: true });
    const height = `${this.virtualizer.getTotalSize()}px`;
    if (this.list.style.height !== height) this.list.style.height = height;
    for (const view of added) this.virtualizer.measureElement(view.element);
  }
  build(code) {
    if (code < 0) {
      const group = this.groups[-code - 1];
      const header = new GroupHeader(group, this);
      header.setExpanded(!this.collapsed.has(group.path));
      return header;
    }
    const view = new RowView(this.shownRow(code), this.rowContext);
    view.index = code;
    view.element.classList.add("nwbcw-item");
    return view;
  }
  clearBuilt() {
    for (const view of this.built.values()) {
      view.dispose();
      view.element.remove();
    }
    this.built = /* @__PURE__ */ new Map();
  }
  /** Stop observing the page (the view is removed). */
  destroy() {
    this.clearBuilt();
    this.unmount();
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
    const filter = debounce(() => context.table.setFilter(this.filterInput.value), 0);
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
    const method = this.methodSelect.value || null;
    this.applyAllButton.disabled = true;
    const shownOptions = Object.fromEntries(Object.entries(options).filter(([, text]) => text !== ""));
    this.context.table.showPending({ compression_method: method, compression_options: shownOptions });
    try {
      await this.context.actions.request("apply_all", { method, options });
    } finally {
      this.context.table.clearPending();
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
  const context = {
    model,
    actions,
    table,
    notify: (level, text) => notices.local(level, text),
    // A write the kernel stopped reporting on (it may have restarted): the widget can be used again meanwhile.
    onStalled: () => onStatus()
  };
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
  function onStatus() {
    body.disabled = model.get("status") === "writing" && !output.stalled;
    output.update();
  }
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
  listeners.push(["change:status", () => {
    output.heard();
    onStatus();
  }]);
  listeners.push(["change:progress", () => output.heard()]);
  for (const [event, handler] of listeners) model.on(event, handler);
  table.render(model.get("rows"), model.get("groups"));
  toolbar.update();
  showTitle();
  output.heard();
  onStatus();
  performance.mark("nwbcw:render:built");
  requestAnimationFrame(() => setTimeout(() => performance.mark("nwbcw:render:painted"), 0));
  return () => {
    for (const [event, handler] of listeners) model.off(event, handler);
    table.destroy();
    output.dispose();
  };
}
var index_default = { render };
export {
  index_default as default
};
