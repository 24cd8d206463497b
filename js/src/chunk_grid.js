// The chunk grid picture of one dataset: its chunks over the data's shape and the chunks each typical read touches.
// Python (nwbconfig_widget/chunk_grid.py) computes every coordinate, rectangle and text; this file only draws them
// with SVG DOM calls. Texts go through textContent (as inert plain text), numbers through attributes: nothing from a
// file is parsed as markup.
import { plainText } from "./dom.js";

const SVG = "http://www.w3.org/2000/svg";
const RECT_KINDS = ["touched", "asked"];
// Presentation attributes rather than rules in style.css: the picture is self-contained, and text and lines take the
// notebook theme's colour (currentColor).
const LOOK = {
  frame: { fill: "none", stroke: "currentColor", "stroke-opacity": "0.6" },
  touched: { fill: "#f4b183", "fill-opacity": "0.8", stroke: "#c55a11", "stroke-width": "0.6" },
  asked: { fill: "#843c0c", "fill-opacity": "0.9" },
  lines: { fill: "none", stroke: "currentColor", "stroke-opacity": "0.25", "stroke-width": "0.6" },
  title: { fill: "currentColor", "font-size": "11", "font-weight": "600" },
  name: { fill: "currentColor", "font-size": "11" },
  note: { fill: "currentColor", "fill-opacity": "0.75", "font-size": "10" },
};

function svg(tag, attrs = {}) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  return node;
}

const finite = (value) => (Number.isFinite(Number(value)) ? Number(value) : 0);

/**
 * The picture as an <svg> element, or null without panels.
 * @param {{width: number, height: number, title?: string, panels: Array<object>, labels: Array<object>}} geometry
 */
export function chunkGrid(geometry) {
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
    "aria-label": plainText(`chunk grid: ${geometry.title || ""}`),
  });
  for (const panel of geometry.panels) {
    const group = svg("g", { class: "nwbcw-chunk-grid-panel" });
    group.setAttribute("data-read", plainText(panel.name));
    const frame = panel.frame || {};
    group.appendChild(svg("rect", {
      x: finite(frame.x), y: finite(frame.y), width: finite(frame.width), height: finite(frame.height),
      class: "nwbcw-grid-frame", ...LOOK.frame,
    }));
    for (const kind of RECT_KINDS) {
      for (const rectangle of panel[kind] || []) {
        const [x, y, w, h] = (rectangle.draw || []).map(finite);
        group.appendChild(svg("rect", { x, y, width: w, height: h, class: `nwbcw-grid-${kind}`, ...LOOK[kind] }));
      }
    }
    if (panel.grid && /^[MVH0-9. e+-]*$/.test(panel.grid)) {
      group.appendChild(svg("path", {
        d: panel.grid, class: "nwbcw-grid-lines", ...LOOK.lines, transform: `translate(${finite(frame.x)} ${finite(frame.y)})`,
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
