// Labels and keys of the view (the browser test tests/widget/test_browser_a11y.py presses real keys in JupyterLab).
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import widget from "../src/index.js";
import { EDIT_DELAY } from "../src/rows.js";
import { FakeModel, makeRow } from "./fake_model.js";

const mounted = [];

function mount(model) {
  const root = document.createElement("div");
  document.body.appendChild(root);
  mounted.push([root, widget.render({ model, el: root })]);
  return root;
}

function type(input, text) {
  input.focus();
  input.value = text;
  input.dispatchEvent(new Event("input", { bubbles: true }));
}

/** A keydown as the browser sends it; returns whether it got past the widget (was not stopped). */
function key(input, name) {
  let reachedHost = false;
  const host = () => (reachedHost = true);
  document.addEventListener("keydown", host);
  input.dispatchEvent(new KeyboardEvent("keydown", { key: name, bubbles: true, cancelable: true }));
  document.removeEventListener("keydown", host);
  return reachedHost;
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => {
  for (const [root, cleanup] of mounted.splice(0)) {
    cleanup();
    root.remove();
  }
  vi.useRealTimers();
});

describe("labels", () => {
  it("ties the output path label to its box, in each view of the same model", () => {
    const model = new FakeModel();
    const boxes = [mount(model), mount(model)].map((root) => root.querySelector(".nwbcw-path"));
    expect(boxes[0].id).not.toBe(boxes[1].id);
    for (const box of boxes) expect([...box.labels].map((label) => label.textContent)).toEqual(["Output path"]);
  });

  it("names every column, the reset column for screen readers only", () => {
    const root = mount(new FakeModel());
    const headers = [...root.querySelectorAll('[role="columnheader"]')];
    expect(headers.every((header) => header.textContent.trim() !== "")).toBe(true);
    expect(headers.at(-1).querySelector(".nwbcw-sr-only").textContent).toBe("Reset");
  });

  it("puts each group head in a row of the table", () => {
    const root = mount(new FakeModel());
    const toggle = root.querySelector(".nwbcw-group-toggle");
    expect(toggle.parentElement.getAttribute("role")).toBe("cell");
    expect(toggle.parentElement.parentElement.getAttribute("role")).toBe("row");
  });
});

describe("Escape", () => {
  it("puts Python's output path back and never sends the typed one", () => {
    const model = new FakeModel();
    const box = mount(model).querySelector(".nwbcw-path");
    type(box, "elsewhere.nwb");
    expect(key(box, "Escape")).toBe(false);
    vi.advanceTimersByTime(1000);
    expect(box.value).toBe("out.nwb");
    expect(model.saved).toEqual([]);
  });

  it("puts Python's compression options back and withdraws a rejected draft", async () => {
    const model = new FakeModel({ rows: [makeRow({ compression_options: { level: 4 } })] });
    const root = mount(model);
    const level = root.querySelector('.nwbcw-row input[data-option="level"]');
    expect(level.value).toBe("4");
    type(level, "9x");
    expect(key(level, "Escape")).toBe(false);
    vi.advanceTimersByTime(EDIT_DELAY * 2);
    expect(level.value).toBe("4");
    expect(model.edits()).toEqual([]);

    // Python rejected a draft: Escape sends Python's value, which clears the draft and its error.
    model.python("rows", [makeRow({ compression_options: { level: 4 }, drafts: { compression_options: { level: "99" } },
      errors: { compression_options: "level must be 0 to 9" }, invalid: true })]);
    await Promise.resolve(); // the table re-renders in a microtask
    key(level, "Escape");
    expect(level.value).toBe("4");
    expect(model.edits().at(-1)).toMatchObject({ field: "compression_options", value: { level: "4" } });
  });

  it("in a shape box stays in the widget (the notebook does not also act on it)", () => {
    const root = mount(new FakeModel());
    const first = root.querySelector('input[data-field="chunk_shape"]');
    type(first, "7");
    expect(key(first, "Escape")).toBe(false);
    expect(first.value).toBe("20000");
  });
});
