// Names from hostile files: control and format characters are shown as escapes, everywhere text or tooltips appear.
import { afterEach, describe, expect, it } from "vitest";
import { el, plainText, setText, setTitle } from "../src/dom.js";
import widget from "../src/index.js";
import { rowMatches } from "../src/rows.js";
import { FakeModel, makeRow } from "./fake_model.js";

describe("plainText", () => {
  it.each([
    ["ansi escape", "a\x1b[31mred", "a\\x1b[31mred"],
    ["crlf", "one\r\ntwo", "one\\r\\ntwo"],
    ["nul, bell, delete", "n\x00b\x07d\x7f", "n\\x00b\\x07d\\x7f"],
    ["c1 control", "x\x85y", "x\\x85y"],
    ["bidi override", "bidi\u202egnp.exe", "bidi\\u202egnp.exe"],
    ["isolates and marks", "\u2066a\u2069\u200f", "\\u2066a\\u2069\\u200f"],
    ["line separator", "a\u2028b", "a\\u2028b"],
    ["lone surrogate", "a\ud800b", "a\\ud800b"],
    ["private use (astral)", "a\u{F0000}b", "a\\U000f0000b"],
    ["tab", "a\tb", "a\\tb"],
  ])("escapes %s", (_label, input, shown) => {
    expect(plainText(input)).toBe(shown);
  });

  it.each([
    ["html", "<img src=x onerror=alert(1)>"],
    ["emoji and combining marks", "🧪 e\u0301 ñ 長い名前"],
    ["right-to-left text", "שלום עולם مرحبا"],
    ["backslashes as typed", "C:\\data\\x1b"],
  ])("keeps %s as it is", (_label, text) => {
    expect(plainText(text)).toBe(text);
  });

  it("keeps line breaks and tabs in multi-line text (tracebacks) but escapes the rest", () => {
    expect(plainText("a\n\tb\x1bc\r", true)).toBe("a\n\tb\\x1bc\\r");
    expect(el("pre", { text: "l1\nl2\x1b" }).textContent).toBe("l1\nl2\\x1b");
    expect(el("div", { text: "l1\nl2" }).textContent).toBe("l1\\nl2");
  });

  it("applies to el() text, tooltips and aria labels, setText and setTitle, but not to data attributes", () => {
    const node = el("span", { text: "x\u202e", attrs: { title: "t\x1b", "aria-label": "l\r", "data-location": "raw\x1b" } });
    expect(node.textContent).toBe("x\\u202e");
    expect(node.title).toBe("t\\x1b");
    expect(node.getAttribute("aria-label")).toBe("l\\r");
    expect(node.dataset.location).toBe("raw\x1b");
    setText(node, "y\x00");
    setTitle(node, "z\u2028");
    expect(node.textContent).toBe("y\\x00");
    expect(node.title).toBe("z\\u2028");
  });
});

describe("a row of a hostile file", () => {
  let root;
  let cleanup;
  afterEach(() => {
    cleanup?.();
    root?.remove();
  });

  it("shows control characters as escapes in names, paths, tooltips, messages and notices; filters by either form", () => {
    const name = "esc\x1b[2J\r\nbidi\u202e<img src=x onerror=window.__xss=1>";
    const row = makeRow({ location: `acquisition/${name}/data`, group: `acquisition/${name}`, object_name: name,
      dataset_name: name, errors: { chunk_shape: `bad\x1b ${name}` } });
    const model = new FakeModel({ rows: [row], notices: [{ level: "error", text: `notice ${name}`, detail: `line\n${name}` }] });
    root = document.createElement("div");
    document.body.appendChild(root);
    cleanup = widget.render({ model, el: root });
    const shown = plainText(name);
    expect(shown).toBe("esc\\x1b[2J\\r\\nbidi\\u202e<img src=x onerror=window.__xss=1>");
    const view = root.querySelector(".nwbcw-row[data-location]");
    expect(view.dataset.location).toBe(row.location);
    expect(root.querySelector(".nwbcw-group-name").textContent).toBe(shown);
    expect(root.querySelector(".nwbcw-group-name").title).toBe(shown);
    expect(root.querySelector(".nwbcw-group-path").title).toBe(`acquisition/${shown}`);
    expect(view.querySelector(".nwbcw-dataset").textContent).toBe(shown);
    expect(view.querySelector(".nwbcw-location").title).toBe(`acquisition/${shown}/data`);
    expect(view.querySelector(".nwbcw-msg-error").textContent).toBe(`bad\\x1b ${shown}`);
    expect(root.querySelector(".nwbcw-notice-text").textContent).toBe(`notice ${shown}`);
    expect(root.querySelector(".nwbcw-notice pre").textContent).toBe(`line\n${plainText(name, true)}`);
    expect(root.querySelectorAll("img, script").length).toBe(0);
    expect(/[\x00-\x08\x0b-\x1f\x7f\u202e]/.test(root.textContent)).toBe(false);
    expect(rowMatches(row, "\x1b[2j")).toBe(true);
    expect(rowMatches(row, "\\x1b[2j")).toBe(true);
  });
});

describe("a bulk change of thousands of rows", () => {
  let root;
  let cleanup;
  afterEach(() => {
    cleanup?.();
    root?.remove();
  });

  function mountMany(count) {
    const rows = Array.from({ length: count }, (_, index) =>
      makeRow({ location: `acquisition/s${index}/data`, group: `acquisition/s${index}`, object_name: `s${index}` }));
    const model = new FakeModel({ rows });
    root = document.createElement("div");
    document.body.appendChild(root);
    cleanup = widget.render({ model, el: root });
    return { model, rows };
  }

  it("updates the built rows in place when the same datasets come back in a new list (apply to all)", async () => {
    const { model, rows } = mountMany(60);
    const before = root.querySelector('.nwbcw-row[data-location="acquisition/s3/data"]');
    const groupBefore = root.querySelector(".nwbcw-group");
    model.python("rows", rows.map((row) => ({ ...row, compression_method: "lzf" })));
    await Promise.resolve();
    const after = root.querySelector('.nwbcw-row[data-location="acquisition/s3/data"]');
    expect(after).toBe(before);
    expect(root.querySelector(".nwbcw-group")).toBe(groupBefore);
    expect(after.querySelector(".nwbcw-method").value).toBe("lzf");
  });

  it("rebuilds when the datasets or the codec menus change (another file, a backend switch)", async () => {
    const { model, rows } = mountMany(5);
    const before = root.querySelector('.nwbcw-row[data-location="acquisition/s3/data"]');
    model.python("codecs", { ...model.get("codecs"), backend: "zarr" });
    await Promise.resolve();
    expect(root.querySelector('.nwbcw-row[data-location="acquisition/s3/data"]')).not.toBe(before);
    model.python("rows", rows.slice(1));
    await Promise.resolve();
    expect(root.querySelectorAll(".nwbcw-row[data-location]").length).toBe(4);
  });
});
