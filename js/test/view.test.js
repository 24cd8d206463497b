import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import widget from "../src/index.js";
import { EDIT_DELAY } from "../src/rows.js";
import { FakeModel, makeGroup, makeRow } from "./fake_model.js";

let root;
let cleanup;

function mount(model) {
  root = document.createElement("div");
  document.body.appendChild(root);
  cleanup = widget.render({ model, el: root });
  return root;
}

const row = (location = "acquisition/ephys/data") => root.querySelector(`.nwbcw-row[data-location="${location}"]`);
const axes = (field, location) => [...row(location).querySelectorAll(`input[data-field="${field}"]`)];

function type(input, text) {
  input.focus();
  input.value = text;
  input.dispatchEvent(new Event("input", { bubbles: true }));
}

function key(input, name) {
  input.dispatchEvent(new KeyboardEvent("keydown", { key: name, bubbles: true }));
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => {
  cleanup?.();
  root?.remove();
  vi.useRealTimers();
});

describe("rendering", () => {
  it("shows one row per dataset with Python's figures", () => {
    const model = new FakeModel();
    mount(model);
    const cells = row().textContent;
    expect(cells).toContain("acquisition/ephys/data");
    expect(cells).toContain("20000 × 4");
    expect(cells).toContain("int16");
    expect(cells).toContain("160.00 KB");
    expect(axes("chunk_shape").map((input) => input.value)).toEqual(["20000", "4"]);
    expect(root.querySelector(".nwbcw-method").value).toBe("gzip");
    expect(root.querySelector(".nwbcw-group-name").textContent).toBe("ephys");
    expect(root.querySelector(".nwbcw-totals").textContent).toContain("160.00 KB uncompressed");
  });

  it("renders names from the file as text, never as HTML", () => {
    const evil = makeRow({ location: "acquisition/<img src=x onerror=window.__xss=1>/data", object_name: "<img src=x onerror=window.__xss=1>",
      group: "acquisition/<img src=x onerror=window.__xss=1>", neurodata_type: "<script>window.__xss=2</script>", dtype: "<b>int16</b>" });
    const model = new FakeModel({ rows: [evil], unconfigurable: [{ location: "<img src=y>", reason: "<script>x</script>" }],
      notices: [{ level: "error", text: "<img src=z onerror=alert(1)>", detail: "<script>1</script>" }] });
    mount(model);
    expect(root.querySelectorAll("img, script, b").length).toBe(0);
    expect(root.querySelector(".nwbcw-group-name").textContent).toBe("<img src=x onerror=window.__xss=1>");
    expect(root.querySelector(".nwbcw-type").textContent).toBe("<script>window.__xss=2</script>");
    expect(root.textContent).toContain("<img src=z onerror=alert(1)>");
    expect(window.__xss).toBeUndefined();
  });

  it("never uses HTML-parsing DOM APIs in its source", () => {
    const dir = join(__dirname, "..", "src");
    for (const name of readdirSync(dir).filter((file) => file.endsWith(".js"))) {
      const source = readFileSync(join(dir, name), "utf8");
      expect(source, name).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|DOMParser/);
    }
  });
});

describe("editing", () => {
  it("sends the typed texts once typing pauses, and at once on Enter", () => {
    const model = new FakeModel();
    mount(model);
    const [first] = axes("chunk_shape");
    type(first, "1");
    type(first, "10");
    type(first, "100");
    expect(model.edits()).toHaveLength(0);
    vi.advanceTimersByTime(EDIT_DELAY + 1);
    expect(model.edits()).toHaveLength(1);
    expect(model.edits()[0]).toMatchObject({ location: "acquisition/ephys/data", field: "chunk_shape", value: ["100", "4"] });
    type(first, "1000");
    key(first, "Enter");
    expect(model.edits()).toHaveLength(2);
    expect(model.edits()[1].value).toEqual(["1000", "4"]);
    expect(model.edits()[1].id).toBeTruthy();
  });

  it("applies a patch: new estimates, the error next to the field, the typed text kept", () => {
    const model = new FakeModel();
    mount(model);
    const [first] = axes("chunk_shape");
    type(first, "999999");
    key(first, "Enter");
    model.message({ type: "patch", rows: [{ index: 0, row: makeRow({ drafts: { chunk_shape: ["999999", "4"] },
      errors: { chunk_shape: "Axis 0 of the chunk (999999) is larger than the data (20000)." }, invalid: true }) }] });
    const message = row().querySelector(".nwbcw-c-chunk .nwbcw-msg-error");
    expect(message.textContent).toContain("larger than the data");
    expect(message.getAttribute("role")).toBe("alert");
    expect(row().classList.contains("nwbcw-invalid")).toBe(true);
    expect(first.value).toBe("999999");
    first.blur();
    expect(first.value).toBe("999999");
    expect(first.classList.contains("nwbcw-draft")).toBe(true);
    model.message({ type: "patch", rows: [{ index: 0, row: makeRow({ chunk_shape: [1000, 4], chunk_size: "8.00 KB", number_of_chunks: 20,
      number_of_chunks_text: "20", edited: ["chunk_shape"] }) }] });
    expect(row().querySelector(".nwbcw-chunk-size").textContent).toBe("8.00 KB");
    expect(row().querySelector(".nwbcw-chunk-count").textContent).toBe("20 chunks");
    expect(first.value).toBe("1000");
    expect(row().querySelector(".nwbcw-msg-error")).toBeNull();
    expect(model.get("rows")[0].chunk_size).toBe("8.00 KB");
  });

  it("does not overwrite the box being typed in, nor move its cursor", () => {
    const model = new FakeModel();
    mount(model);
    const [first] = axes("chunk_shape");
    type(first, "12");
    vi.advanceTimersByTime(EDIT_DELAY + 1);
    first.value = "123";
    first.setSelectionRange(2, 2);
    model.message({ type: "patch", rows: [{ index: 0, row: makeRow({ chunk_shape: [12, 4], chunk_size: "96 B" }) }] });
    expect(document.activeElement).toBe(first);
    expect(first.value).toBe("123");
    expect(first.selectionStart).toBe(2);
    expect(row().querySelector(".nwbcw-chunk-size").textContent).toBe("96 B");
  });

  it("Escape puts the model's value back and sends it", () => {
    const model = new FakeModel();
    mount(model);
    const [first] = axes("chunk_shape");
    type(first, "abc");
    key(first, "Escape");
    expect(first.value).toBe("20000");
    expect(model.edits().at(-1).value).toEqual(["20000", "4"]);
  });

  it("edits compression, its options and filters", () => {
    const model = new FakeModel();
    mount(model);
    const select = row().querySelector(".nwbcw-method");
    expect(select.options.length).toBe(1); // the full menu is built when first used
    select.dispatchEvent(new Event("focus"));
    expect([...select.options].map((option) => option.value)).toEqual(["", "gzip", "lzf", "Zstd"]);
    expect(select.value).toBe("gzip");
    select.value = "Zstd";
    select.dispatchEvent(new Event("change"));
    expect(model.edits().at(-1)).toMatchObject({ field: "compression_method", value: "Zstd" });
    model.message({ type: "patch", rows: [{ index: 0, row: makeRow({ compression_method: "Zstd", compression_options: { clevel: 3 } }) }] });
    const option = row().querySelector('input[data-option="clevel"]');
    expect(option.value).toBe("3");
    type(option, "9");
    key(option, "Enter");
    expect(model.edits().at(-1)).toMatchObject({ field: "compression_options", value: { clevel: "9" } });
    const add = row().querySelector(".nwbcw-add-filter");
    add.dispatchEvent(new Event("focus"));
    add.value = "shuffle";
    add.dispatchEvent(new Event("change"));
    expect(model.edits().at(-1)).toMatchObject({ field: "filter_methods", value: ["shuffle"] });
    model.message({ type: "patch", rows: [{ index: 0, row: makeRow({ filter_methods: ["shuffle"], edited: ["filter_methods"] }) }] });
    row().querySelector(".nwbcw-chip-remove").click();
    expect(model.edits().at(-1)).toMatchObject({ field: "filter_methods", value: [] });
  });

  it("reset asks Python to reset the row, and is only enabled for edited or invalid rows", () => {
    const model = new FakeModel({ rows: [makeRow({ edited: ["chunk_shape"] })] });
    mount(model);
    const reset = row().querySelector(".nwbcw-reset");
    expect(reset.disabled).toBe(false);
    reset.click();
    expect(model.sent.at(-1)).toMatchObject({ type: "reset_row", location: "acquisition/ephys/data" });
    model.message({ type: "patch", rows: [{ index: 0, row: makeRow() }] });
    expect(reset.disabled).toBe(true);
  });
});

describe("toolbar", () => {
  it("switches backend through the synced trait", () => {
    const model = new FakeModel();
    mount(model);
    root.querySelector('[data-backend="zarr"]').click();
    expect(model.get("backend")).toBe("zarr");
    expect(model.saved.at(-1).backend).toBe("zarr");
    expect(root.querySelector('[data-backend="zarr"]').getAttribute("aria-pressed")).toBe("true");
  });

  it("applies one compression to all datasets with its options", () => {
    const model = new FakeModel();
    mount(model);
    const input = root.querySelector(".nwbcw-all-options input");
    input.value = "5";
    [...root.querySelectorAll(".nwbcw-toolbar button")].find((button) => button.textContent === "Apply to all").click();
    expect(model.sent.at(-1)).toMatchObject({ type: "apply_all", method: "gzip", options: { level: "5" } });
  });

  it("shows apply to all on every row at once, as pending, until Python's rows come", async () => {
    const rows = [makeRow(), makeRow({ location: "acquisition/lfp/data", group: "acquisition/lfp", object_name: "lfp" })];
    const model = new FakeModel({ rows, groups: rows.map((item) => makeGroup(item)) });
    mount(model);
    root.querySelector(".nwbcw-all-method").value = "lzf";
    root.querySelector(".nwbcw-all-method").dispatchEvent(new Event("change"));
    [...root.querySelectorAll(".nwbcw-toolbar button")].find((button) => button.textContent === "Apply to all").click();
    const { id } = model.sent.at(-1);
    for (const item of rows) {
      const shown = row(item.location);
      expect(shown.querySelector(".nwbcw-method").value).toBe("lzf");
      expect(shown.classList.contains("nwbcw-pending")).toBe(true);
      expect(shown.getAttribute("aria-busy")).toBe("true");
      expect(shown.querySelector(".nwbcw-method").disabled).toBe(true);
    }
    // Python's rows (one dataset kept its compression), then its reply.
    model.python("rows", [makeRow({ compression_method: "lzf" }), { ...rows[1], compression_method: "gzip" }]);
    await Promise.resolve();
    model.message({ type: "reply", id, ok: true });
    await Promise.resolve();
    expect(row(rows[0].location).querySelector(".nwbcw-method").value).toBe("lzf");
    expect(row(rows[1].location).querySelector(".nwbcw-method").value).toBe("gzip");
    for (const item of rows) {
      expect(row(item.location).classList.contains("nwbcw-pending")).toBe(false);
      expect(row(item.location).hasAttribute("aria-busy")).toBe(false);
      expect(row(item.location).querySelector(".nwbcw-method").disabled).toBe(false);
    }
  });

  it("takes a pending apply to all back when Python refuses it", async () => {
    const model = new FakeModel();
    mount(model);
    root.querySelector(".nwbcw-all-options input").value = "12";
    [...root.querySelectorAll(".nwbcw-toolbar button")].find((button) => button.textContent === "Apply to all").click();
    expect(row().classList.contains("nwbcw-pending")).toBe(true);
    expect(row().querySelector('.nwbcw-option[data-option="level"]').value).toBe("12");
    model.message({ type: "reply", id: model.sent.at(-1).id, ok: false, error: "gzip 'level' must be from 0 to 9" });
    await Promise.resolve();
    expect(row().classList.contains("nwbcw-pending")).toBe(false);
    expect(row().querySelector(".nwbcw-method").value).toBe("gzip");
    expect(row().querySelector('.nwbcw-option[data-option="level"]').value).toBe("");
  });

  it("offers the backends Python lists, with Python's names", () => {
    const model = new FakeModel();
    model.state.set("codecs", { ...model.get("codecs"), backends: [{ name: "zarr", label: "Zarr folder" }] });
    mount(model);
    expect([...root.querySelectorAll("[data-backend]")].map((button) => [button.dataset.backend, button.textContent]))
      .toEqual([["zarr", "Zarr folder"]]);
  });

  it("preselects the default method Python names, not one of its own", () => {
    const model = new FakeModel();
    model.state.set("codecs", { ...model.get("codecs"), default_method: "Zstd" });
    mount(model);
    expect(root.querySelector(".nwbcw-all-method").value).toBe("Zstd");
    expect([...root.querySelectorAll(".nwbcw-all-options span")].map((span) => span.textContent)).toEqual(["clevel"]);
  });

  it("filters by text and orders by size", () => {
    const small = makeRow({ location: "acquisition/small/data", group: "acquisition/small", object_name: "small", size_bytes: 10 });
    const big = makeRow({ location: "units/spike_times/data", group: "units", object_name: "units", neurodata_type: "Units", size_bytes: 999 });
    const model = new FakeModel({ rows: [small, big], groups: [makeGroup(small, { size_bytes: 10 }), makeGroup(big, { size_bytes: 999 })] });
    mount(model);
    const filter = root.querySelector(".nwbcw-filter");
    filter.value = "units";
    filter.dispatchEvent(new Event("input"));
    vi.advanceTimersByTime(200);
    // Rows and groups filtered out are not in the page at all.
    expect(row("acquisition/small/data")).toBeNull();
    expect(row("units/spike_times/data")).not.toBeNull();
    expect([...root.querySelectorAll(".nwbcw-group")].map((group) => group.dataset.group)).toEqual(["units"]);
    expect(root.querySelector(".nwbcw-count").textContent).toBe("Showing 1 of 2 datasets");
    filter.value = "";
    filter.dispatchEvent(new Event("input"));
    vi.advanceTimersByTime(200);
    expect(row("acquisition/small/data")).not.toBeNull();
    expect(root.querySelector(".nwbcw-count").textContent).toBe("");
    const sort = root.querySelector(".nwbcw-sort");
    sort.value = "size-desc";
    sort.dispatchEvent(new Event("change"));
    expect([...root.querySelectorAll(".nwbcw-group")].map((group) => group.dataset.group)).toEqual(["units", "acquisition/small"]);
    // Page order is display order (Tab follows it): each header is followed by its rows.
    expect([...root.querySelectorAll(".nwbcw-item")].map((item) => item.dataset.group || item.dataset.location))
      .toEqual(["units", "units/spike_times/data", "acquisition/small", "acquisition/small/data"]);
  });

  it("collapses a group: its rows leave the page, and come back when it opens", () => {
    const model = new FakeModel();
    mount(model);
    const toggle = root.querySelector(".nwbcw-group-toggle");
    toggle.click();
    expect(toggle.getAttribute("aria-expanded")).toBe("false");
    expect(row()).toBeNull();
    expect(root.querySelector(".nwbcw-group-toggle")).toBe(toggle); // the same button, keeping the focus
    toggle.click();
    expect(toggle.getAttribute("aria-expanded")).toBe("true");
    expect(axes("chunk_shape").map((input) => input.value)).toEqual(["20000", "4"]);
    root.querySelectorAll(".nwbcw-toolbar .nwbcw-quiet")[1].click(); // Collapse all
    expect(root.querySelectorAll(".nwbcw-row[data-location]").length).toBe(0);
    root.querySelectorAll(".nwbcw-toolbar .nwbcw-quiet")[0].click(); // Expand all
    expect(row()).not.toBeNull();
  });

  it("re-renders when Python sends a whole new rows list", async () => {
    const model = new FakeModel();
    mount(model);
    const other = makeRow({ location: "acquisition/other/data", group: "acquisition/other", object_name: "other" });
    model.python("rows", [other]);
    model.python("groups", [makeGroup(other)]);
    await Promise.resolve();
    expect(row("acquisition/other/data")).not.toBeNull();
    expect(row("acquisition/ephys/data")).toBeNull();
  });
});

describe("output and apply", () => {
  it("says when a running write stops reporting, unlocks the widget, and takes it back when news comes", () => {
    const model = new FakeModel({ request_timeout: 3, status: "writing", progress: { text: "1 MB of 9 MB", percent_text: "11%", fraction: 0.11, elapsed_text: "4 s" } });
    mount(model);
    const body = root.querySelector(".nwbcw-body");
    const apply = root.querySelector(".nwbcw-apply");
    expect(body.disabled).toBe(true);
    expect(apply.textContent).toBe("Writing…");
    expect(root.querySelector(".nwbcw-progress-text").textContent).toBe("1 MB of 9 MB (11%, 4 s)");
    vi.advanceTimersByTime(2900);
    model.python("progress", { text: "2 MB of 9 MB", percent_text: "22%", fraction: 0.22, elapsed_text: "6 s" }); // a heartbeat
    vi.advanceTimersByTime(2900);
    expect(root.querySelector(".nwbcw-notices").textContent).not.toContain("No news");
    vi.advanceTimersByTime(200); // 3 s without news
    expect(root.querySelector(".nwbcw-notices").textContent).toContain("No news of the write from the kernel for 3 s; it may have restarted");
    expect(body.disabled).toBe(false);
    expect(apply.disabled).toBe(false);
    expect(apply.textContent).toBe("Apply");
    model.python("progress", { text: "3 MB of 9 MB", percent_text: "33%", fraction: 0.33, elapsed_text: "12 s" }); // it was only busy
    expect(root.querySelector(".nwbcw-notices").textContent).not.toContain("No news");
    expect(body.disabled).toBe(true);
    expect(apply.textContent).toBe("Writing…");
    model.python("status", "done");
    vi.advanceTimersByTime(10_000); // no watch once the write is over
    expect(root.querySelector(".nwbcw-notices").textContent).not.toContain("No news");
    expect(body.disabled).toBe(false);
  });

  it("disables Apply while Python reports blockers and shows them", () => {
    const model = new FakeModel({ apply_blockers: ["1 dataset(s) have invalid settings; fix or reset them."] });
    mount(model);
    const apply = root.querySelector(".nwbcw-apply");
    expect(apply.disabled).toBe(true);
    expect(root.querySelector(".nwbcw-blockers").textContent).toContain("invalid settings");
    model.python("apply_blockers", []);
    expect(apply.disabled).toBe(false);
    apply.click();
    expect(model.sent.at(-1).type).toBe("apply");
  });

  it("offers Cancel only while writing and sends it", () => {
    const model = new FakeModel();
    mount(model);
    const cancel = root.querySelector(".nwbcw-cancel");
    expect(cancel.hidden).toBe(true);
    model.python("status", "writing");
    expect(cancel.hidden).toBe(false);
    cancel.click();
    expect(model.sent.at(-1).type).toBe("cancel");
    model.python("status", "error");
    expect(cancel.hidden).toBe(true);
  });

  it("offers overwrite only when the target exists", () => {
    const model = new FakeModel();
    mount(model);
    const label = root.querySelector(".nwbcw-overwrite-label");
    expect(label.hidden).toBe(true);
    model.python("target_exists", true);
    expect(label.hidden).toBe(false);
    const box = root.querySelector(".nwbcw-overwrite");
    box.checked = true;
    box.dispatchEvent(new Event("change"));
    expect(model.get("overwrite")).toBe(true);
  });

  it("sends the output path as it is typed", () => {
    const model = new FakeModel();
    mount(model);
    const path = root.querySelector(".nwbcw-path");
    path.value = "new.nwb";
    path.dispatchEvent(new Event("input"));
    vi.advanceTimersByTime(300);
    expect(model.get("output_path")).toBe("new.nwb");
  });

  it("shows progress, then the result with ratios", () => {
    const model = new FakeModel();
    mount(model);
    model.python("progress", { fraction: 0.5, text: "80.00 KB of 160.00 KB", percent_text: "50%", current: "acquisition/ephys/data" });
    model.python("status", "writing");
    expect(root.querySelector(".nwbcw-body").disabled).toBe(true);
    expect(root.querySelector(".nwbcw-apply").textContent).toBe("Writing…");
    expect(root.querySelector(".nwbcw-progress-text").textContent).toBe("80.00 KB of 160.00 KB (50%)");
    expect(root.querySelector(".nwbcw-progress-fill").style.width).toBe("50%");
    expect(root.querySelector(".nwbcw-progress-current").textContent).toContain("acquisition/ephys/data");
    model.python("result", { path: "/tmp/out.nwb", size: "90.00 KB", time: "120 ms", overall_ratio_text: "1.78×",
      datasets: [{ location: "acquisition/ephys/data", uncompressed: "160.00 KB", stored: "90.00 KB", ratio_text: "1.78×" }] });
    model.python("status", "done");
    expect(root.querySelector(".nwbcw-body").disabled).toBe(false);
    expect(root.querySelector(".nwbcw-result").textContent).toContain("/tmp/out.nwb");
    expect(root.querySelector(".nwbcw-result-table").textContent).toContain("1.78×");
    expect(root.querySelector(".nwbcw-result").textContent).not.toContain("null");
  });

  it("shows a failed write with its reason and the traceback", () => {
    const model = new FakeModel();
    mount(model);
    model.python("error", { type: "OSError", message: "disk full", traceback: "Traceback (most recent call last):\n  <boom>" });
    model.python("status", "error");
    expect(root.querySelector(".nwbcw-error [role=alert]").textContent).toContain("OSError: disk full");
    expect(root.querySelector(".nwbcw-traceback pre").textContent).toContain("<boom>");
  });

  it("shows the error reply of a refused apply", async () => {
    const model = new FakeModel();
    mount(model);
    root.querySelector(".nwbcw-apply").click();
    const { id } = model.sent.at(-1);
    model.message({ type: "reply", id, ok: false, error: "ValueError: out.nwb exists" });
    await vi.runAllTimersAsync();
    expect(root.querySelector(".nwbcw-output > .nwbcw-msg-error").textContent).toBe("ValueError: out.nwb exists");
  });
});

it("stops listening to the model when the view is removed", () => {
  const model = new FakeModel();
  mount(model);
  cleanup();
  cleanup = null;
  for (const handlers of model.handlers.values()) expect(handlers.size).toBe(0);
});
