// Virtualised rows: only the items near the visible part of the table are in the page, whatever was scrolled through;
// a row that comes back shows Python's current state; typing, focus and the bulk changes keep working.
// jsdom has no layout: the table takes its fallback height (640 px) and the items their estimated heights.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import widget from "../src/index.js";
import { EDIT_DELAY, registerRowPart } from "../src/rows.js";
import { OVERSCAN, TableView } from "../src/table.js";
import { FakeModel, makeGroup, makeRow } from "./fake_model.js";

let root;
let cleanup;

/** `count` datasets, two per TimeSeries (data and timestamps), as in benchmarks/widget_render.py. */
function manyRows(count) {
  const rows = [];
  for (let index = 0; index < count; index += 1) {
    const series = `series${String(Math.floor(index / 2)).padStart(5, "0")}`;
    const name = index % 2 === 0 ? "data" : "timestamps";
    rows.push(makeRow({ location: `acquisition/${series}/${name}`, group: `acquisition/${series}`, object_name: series,
      dataset_name: name, size_bytes: 8000 + index }));
  }
  return rows;
}

function mount(rows, state = {}) {
  const groups = [];
  for (const row of rows) if (groups.at(-1)?.path !== row.group) groups.push(makeGroup(row, { count: 2 }));
  const model = new FakeModel({ rows, groups, ...state });
  root = document.createElement("div");
  document.body.appendChild(root);
  cleanup = widget.render({ model, el: root });
  return model;
}

const scroller = () => root.querySelector(".nwbcw-scroller");
const rowElements = () => root.querySelectorAll(".nwbcw-row[data-location]");
const row = (location) => root.querySelector(`.nwbcw-row[data-location="${location}"]`);

function scrollTo(offset) {
  scroller().scrollTop = offset;
  scroller().dispatchEvent(new Event("scroll"));
}

/** The most items the page may hold: those in a 640 px view of 30 px headers, the overscan on both sides, and the
 * focused item. */
const BOUND = Math.ceil(640 / 30) + 2 * OVERSCAN + 1;

beforeEach(() => vi.useFakeTimers());
afterEach(() => {
  cleanup?.();
  root?.remove();
  vi.useRealTimers();
});

// Building rows in jsdom is slow (milliseconds each): these tests build hundreds, so they get a longer timeout.
describe("virtualised rows", { timeout: 30_000 }, () => {
  it("keeps only the rows near the visible part in the page while scrolling through 200 datasets", () => {
    mount(manyRows(200));
    const seen = new Set();
    let most = 0;
    const total = Number.parseFloat(root.querySelector(".nwbcw-list").style.height);
    expect(total).toBeGreaterThan(200 * 50); // the scrollbar stands for every dataset
    for (let offset = 0; offset <= total; offset += 600) {
      scrollTo(offset);
      for (const element of rowElements()) seen.add(element.dataset.location);
      most = Math.max(most, root.querySelectorAll(".nwbcw-item").length);
    }
    expect(seen.size).toBe(200);
    expect(most).toBeLessThanOrEqual(BOUND);
    expect(root.querySelectorAll(".nwbcw-item").length).toBeLessThanOrEqual(BOUND);
    expect(row("acquisition/series00099/timestamps")).not.toBeNull();
    expect(row("acquisition/series00000/data")).toBeNull();
    // Each item is placed where the list says, in display order.
    const items = [...root.querySelectorAll(".nwbcw-item")];
    const indexes = items.map((item) => Number(item.dataset.index));
    expect(indexes).toEqual([...indexes].sort((a, b) => a - b));
    expect(items.at(-1).getAttribute("aria-rowindex")).toBe(String(indexes.at(-1) + 2));
  });

  it("filters, orders and folds after scrolling through everything, touching only the page's rows", () => {
    mount(manyRows(3000));
    for (let offset = 0; offset < 3000 * 60; offset += 9000) scrollTo(offset);
    const filter = root.querySelector(".nwbcw-filter");
    filter.value = "series0123";
    filter.dispatchEvent(new Event("input"));
    vi.advanceTimersByTime(200);
    expect(root.querySelector(".nwbcw-count").textContent).toBe("Showing 20 of 3000 datasets");
    expect(row("acquisition/series01234/data")).not.toBeNull();
    expect(rowElements().length).toBeLessThanOrEqual(BOUND);
    filter.value = "";
    filter.dispatchEvent(new Event("input"));
    vi.advanceTimersByTime(200);
    const sort = root.querySelector(".nwbcw-sort");
    sort.value = "size-asc";
    sort.dispatchEvent(new Event("change"));
    expect(scroller().scrollTop).toBe(0);
    expect(root.querySelector(".nwbcw-group").dataset.group).toBe("acquisition/series00000");
    sort.value = "size-desc";
    sort.dispatchEvent(new Event("change"));
    expect(root.querySelector(".nwbcw-group").dataset.group).toBe("acquisition/series01499");
    expect(root.querySelector(".nwbcw-row[data-location]").dataset.location).toBe("acquisition/series01499/timestamps");
    expect(rowElements().length).toBeLessThanOrEqual(BOUND);
  });

  it("shows Python's state in a row scrolled away and back, and sends what was typed before it left", () => {
    const rows = manyRows(3000);
    const model = mount(rows);
    const first = rows[0].location;
    const input = row(first).querySelector('input[data-field="chunk_shape"][data-axis="0"]');
    input.value = "500";
    input.dispatchEvent(new Event("input", { bubbles: true }));
    scrollTo(40_000);
    expect(row(first)).toBeNull();
    expect(model.edits().at(-1)).toMatchObject({ location: first, field: "chunk_shape", value: ["500", "4"] });
    // Python's answer arrives while the row is away; so does a change to a row never shown.
    model.message({ type: "patch", rows: [
      { index: 0, row: { ...rows[0], chunk_shape: [500, 4], chunk_size: "4.00 KB", edited: ["chunk_shape"] } },
      { index: 2999, row: { ...rows[2999], compression_method: "lzf" } },
    ] });
    vi.advanceTimersByTime(EDIT_DELAY * 2);
    scrollTo(0);
    const back = row(first);
    expect(back.querySelector('input[data-field="chunk_shape"][data-axis="0"]').value).toBe("500");
    expect(back.querySelector(".nwbcw-chunk-size").textContent).toBe("4.00 KB");
    expect(back.classList.contains("nwbcw-edited")).toBe(true);
    scrollTo(1e9);
    expect(row(rows[2999].location).querySelector(".nwbcw-method").value).toBe("lzf");
  });

  it("keeps the focused row in the page while it is scrolled away, with its text and focus", () => {
    const rows = manyRows(3000);
    mount(rows);
    const input = row(rows[1].location).querySelector('input[data-field="buffer_shape"][data-axis="1"]');
    input.focus();
    input.value = "2";
    scrollTo(60_000);
    expect(row(rows[1].location)).not.toBeNull();
    expect(document.activeElement).toBe(input);
    expect(input.value).toBe("2");
    expect(rowElements().length).toBeLessThanOrEqual(BOUND);
    input.blur();
    scrollTo(61_000);
    expect(row(rows[1].location)).toBeNull();
  });

  it("a new rows list of the same datasets (apply to all) updates the rows on screen and keeps the place", async () => {
    const rows = manyRows(3000);
    const model = mount(rows);
    scrollTo(90_000);
    const shown = [...rowElements()].map((element) => element.dataset.location);
    model.python("rows", rows.map((item) => ({ ...item, compression_method: "lzf", edited: ["compression_method"] })));
    await Promise.resolve();
    expect(scroller().scrollTop).toBe(90_000);
    expect([...rowElements()].map((element) => element.dataset.location)).toEqual(shown);
    for (const element of rowElements()) expect(element.querySelector(".nwbcw-method").value).toBe("lzf");
  });
});

describe("reaching a row from outside", () => {
  it("rowView scrolls a row far down into the page and returns its view; null for a row filtered out", () => {
    const rows = manyRows(3000);
    const table = new TableView({ codecs: () => new FakeModel().get("codecs"), edit: () => {}, reset: () => {} });
    root = document.createElement("div");
    root.appendChild(table.element);
    document.body.appendChild(root);
    table.render(rows, []);
    const view = table.rowView(rows[2500].location);
    expect(view.element.isConnected).toBe(true);
    expect(view.element.dataset.location).toBe(rows[2500].location);
    expect(scroller().scrollTop).toBeGreaterThan(2500 * 30);
    expect(rowElements().length).toBeLessThanOrEqual(BOUND);
    table.setFilter("series00001");
    expect(table.rowView(rows[2500].location)).toBeNull();
    table.destroy();
  });
});

describe("filter options", () => {
  const codecs = { backend: "zarr", compression_methods: ["gzip", "blosc"], default_method: "gzip",
    backends: [{ name: "hdf5", label: "HDF5" }, { name: "zarr", label: "Zarr" }], compression_options: { gzip: ["level"], blosc: [] },
    filter_methods: ["bitround", "delta", "shuffle"], filter_options: { bitround: ["keepbits"], delta: ["dtype", "astype"], shuffle: ["elementsize"] },
    lossy: ["bitround"] };

  it("shows one box per option of each filter, sends them as filter_options and shows the error next to them", () => {
    const base = makeRow({ dtype: "float32", filter_methods: ["bitround", "shuffle"], filter_options: [{ keepbits: 8 }, null] });
    const model = mount([base], { codecs, backend: "zarr" });
    const cell = root.querySelector(".nwbcw-row[data-location] .nwbcw-c-filters");
    const keepbits = cell.querySelector('input[data-option="keepbits"]');
    const elementsize = cell.querySelector('input[data-option="elementsize"]');
    expect(keepbits.value).toBe("8");
    expect(elementsize.value).toBe("");
    expect(keepbits.getAttribute("aria-label")).toBe("keepbits option of filter bitround, acquisition/ephys/data");
    keepbits.focus();
    keepbits.value = "40";
    keepbits.dispatchEvent(new Event("input"));
    expect(model.edits()).toHaveLength(0);
    keepbits.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter" }));
    expect(model.edits().at(-1)).toMatchObject({ field: "filter_options", value: [{ keepbits: "40" }, { elementsize: "" }] });
    model.message({ type: "patch", rows: [{ index: 0, row: { ...base, drafts: { filter_options: [{ keepbits: "40" }, { elementsize: "" }] },
      errors: { filter_options: "keepbits must be at most 23 for float32." }, invalid: true } }] });
    keepbits.blur();
    const error = cell.querySelector(".nwbcw-msg-error");
    expect(error.textContent).toBe("keepbits must be at most 23 for float32.");
    expect(error.getAttribute("role")).toBe("alert");
    expect(keepbits.value).toBe("40");
    expect(keepbits.classList.contains("nwbcw-draft")).toBe(true);
    // Typing waits for a pause; the fixed value is taken and the error goes.
    elementsize.focus();
    elementsize.value = "4";
    elementsize.dispatchEvent(new Event("input"));
    vi.advanceTimersByTime(EDIT_DELAY + 1);
    expect(model.edits().at(-1).value).toEqual([{ keepbits: "40" }, { elementsize: "4" }]);
    elementsize.blur();
    model.message({ type: "patch", rows: [{ index: 0, row: { ...base, filter_options: [{ keepbits: 12 }, { elementsize: 4 }], edited: ["filter_options"] } }] });
    expect(keepbits.value).toBe("12");
    expect(elementsize.value).toBe("4");
    expect(keepbits.classList.contains("nwbcw-draft")).toBe(false);
    expect(cell.querySelector(".nwbcw-msg-error")).toBeNull();
  });

  it("Escape puts Python's filter options back, withdraws a rejected draft and does not reach the notebook", () => {
    const base = makeRow({ dtype: "float32", filter_methods: ["bitround"], filter_options: [{ keepbits: 8 }] });
    const model = mount([base], { codecs, backend: "zarr" });
    const keepbits = root.querySelector('.nwbcw-c-filters input[data-option="keepbits"]');
    keepbits.focus();
    keepbits.value = "3";
    keepbits.dispatchEvent(new Event("input"));
    const escape = new KeyboardEvent("keydown", { key: "Escape", bubbles: true, cancelable: true });
    let reachedOutside = false;
    root.addEventListener("keydown", () => { reachedOutside = true; });
    keepbits.dispatchEvent(escape);
    expect(keepbits.value).toBe("8");
    expect(escape.defaultPrevented).toBe(true);
    expect(reachedOutside).toBe(false);
    vi.advanceTimersByTime(EDIT_DELAY + 1);
    expect(model.edits()).toHaveLength(0); // the typed value was never sent
    // A rejected draft shown in the box: Escape sends Python's value, which withdraws it.
    model.message({ type: "patch", rows: [{ index: 0, row: { ...base, drafts: { filter_options: [{ keepbits: "40" }] },
      errors: { filter_options: "keepbits must be at most 23 for float32." }, invalid: true } }] });
    keepbits.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true, cancelable: true }));
    expect(keepbits.value).toBe("8");
    expect(model.edits().at(-1)).toMatchObject({ field: "filter_options", value: [{ keepbits: "8" }] });
  });

  it("adds no boxes for filters without options (HDF5's shuffle)", () => {
    mount([makeRow({ filter_methods: ["shuffle"], filter_options: [null] })]);
    expect(root.querySelector(".nwbcw-c-filters input")).toBeNull();
    expect(root.querySelector(".nwbcw-chip").textContent).toContain("shuffle");
  });
});

describe("row parts", () => {
  it("adds a registered part to each row's details area and updates it with the row", () => {
    const seen = [];
    registerRowPart((view) => {
      const element = document.createElement("div");
      element.className = "test-part";
      return { element, update: (data) => { element.textContent = data.chunk_size; seen.push(view.location); } };
    });
    const model = mount([makeRow()]);
    const part = root.querySelector(".nwbcw-row .nwbcw-row-details .test-part");
    expect(part.textContent).toBe("160.00 KB");
    model.message({ type: "patch", rows: [{ index: 0, row: makeRow({ chunk_size: "8.00 KB" }) }] });
    expect(part.textContent).toBe("8.00 KB");
    expect(seen).toEqual(["acquisition/ephys/data", "acquisition/ephys/data"]);
  });
});
