import { describe, expect, it } from "vitest";
import { chunkGrid } from "../src/chunk_grid.js";

const EVIL = "<img src=x onerror=window.__xss=1>";

// chunk_grid((100, 40), (10, 20), {EVIL: (slice(25, 35), slice(None))}) from nwbconfig_widget/chunk_grid.py.
const GEOMETRY = {
  width: 510,
  height: 206,
  title: "acquisition/\\x1b[31mred/data",
  panels: [{
    name: EVIL,
    caption: "touches 4 of 20 chunks",
    frame: { x: 10, y: 44, width: 240, height: 72 },
    grid: "M24 0V72M48 0V72M0 36H240",
    touched: [{ x: 58, y: 44, width: 48, height: 72, draw: [58, 44, 48, 72] }],
    asked: [{ x: 70, y: 44, width: 24, height: 72, draw: [70, 44, 24, 72] }],
  }],
  labels: [
    { x: 10, y: 20, text: "acquisition/\\x1b[31mred/data", kind: "title" },
    { x: 10, y: 39, text: EVIL, kind: "name" },
    { x: 10, y: 128, text: "touches 4 of 20 chunks", kind: "note" },
  ],
};

describe("chunk grid picture", () => {
  it("draws Python's rectangles, grid lines and labels as they are", () => {
    const svg = chunkGrid(GEOMETRY);
    expect(svg.getAttribute("viewBox")).toBe("0 0 510 206");
    const touched = svg.querySelector(".nwbcw-grid-touched");
    expect(["x", "y", "width", "height"].map((name) => touched.getAttribute(name))).toEqual(["58", "44", "48", "72"]);
    const asked = svg.querySelector(".nwbcw-grid-asked");
    expect(["x", "width"].map((name) => asked.getAttribute(name))).toEqual(["70", "24"]);
    expect(svg.querySelector(".nwbcw-grid-lines").getAttribute("d")).toBe("M24 0V72M48 0V72M0 36H240");
    expect(svg.querySelector(".nwbcw-grid-lines").getAttribute("transform")).toBe("translate(10 44)");
    expect([...svg.querySelectorAll("text")].map((node) => node.textContent)).toEqual([
      "acquisition/\\x1b[31mred/data", EVIL, "touches 4 of 20 chunks",
    ]);
  });

  it("keeps hostile names as text and numbers as numbers", () => {
    const hostile = structuredClone(GEOMETRY);
    hostile.labels[1].text = `${EVIL}\u202e\u001b`;
    hostile.panels[0].grid = "M0 0\"/><script>alert(1)</script>";
    hostile.panels[0].touched[0].draw = ["10\" onload=\"alert(1)", 1, 2, 3];
    const svg = chunkGrid(hostile);
    document.body.appendChild(svg);
    expect(svg.querySelector("img, script")).toBeNull();
    expect(svg.querySelector(".nwbcw-grid-lines")).toBeNull(); // a path that is not Python's numbers is not drawn
    expect(svg.querySelector(".nwbcw-grid-touched").getAttribute("x")).toBe("0");
    expect(svg.querySelectorAll("text")[1].textContent).toBe(`${EVIL}\\u202e\\x1b`);
    expect(window.__xss).toBeUndefined();
    svg.remove();
  });

  it("draws nothing without panels", () => {
    expect(chunkGrid(null)).toBeNull();
    expect(chunkGrid({ panels: [] })).toBeNull();
  });
});
