// Requests that the kernel never answers, notices dismissed for good, and the Cancel of queued previews.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Actions, timeoutText } from "../src/actions.js";
import widget from "../src/index.js";
import { FakeModel } from "./fake_model.js";

let root;
let cleanup;

function mount(model) {
  root = document.createElement("div");
  document.body.appendChild(root);
  cleanup = widget.render({ model, el: root });
  return root;
}

const applyButton = () => [...root.querySelectorAll("button")].find((button) => /^(Apply|Repack|Writing…)$/.test(button.textContent));
const noticeTexts = () => [...root.querySelectorAll(".nwbcw-notice-text")].map((node) => node.textContent);

beforeEach(() => vi.useFakeTimers());
afterEach(() => {
  cleanup?.();
  root?.remove();
  vi.useRealTimers();
});

describe("request timeouts", () => {
  it("re-enables Apply and says why when the kernel never answers", async () => {
    const model = new FakeModel({ request_timeout: 5 });
    mount(model);
    applyButton().click();
    expect(model.sent.at(-1).type).toBe("apply");
    expect(applyButton().disabled).toBe(true);
    await vi.advanceTimersByTimeAsync(4900);
    expect(applyButton().disabled).toBe(true);
    expect(noticeTexts()).toEqual([]);
    await vi.advanceTimersByTimeAsync(200);
    expect(applyButton().disabled).toBe(false);
    const text = "The kernel did not answer Apply within 5 s; it may have restarted: run the cell again.";
    expect(noticeTexts()).toEqual([text]);
    expect(root.querySelector(".nwbcw-notice").getAttribute("role")).toBe("alert");
    // The kernel answers after all: the notice goes away.
    model.message({ type: "reply", id: model.sent.at(-1).id, ok: true });
    expect(noticeTexts()).toEqual([]);
  });

  it("resolves answered requests and leaves no timer behind", async () => {
    const model = new FakeModel();
    const actions = new Actions(model, { timeoutSeconds: () => 2, onTimeout: () => { throw new Error("no timeout expected"); } });
    const reply = actions.request("export", { format: "json" });
    actions.handleReply({ type: "reply", id: model.sent[0].id, ok: false, error: "bad" });
    await expect(reply).resolves.toEqual({ ok: false, error: "bad", timedOut: false });
    await vi.advanceTimersByTimeAsync(5000);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("says so at once when the message cannot be sent (the kernel's connection is gone)", async () => {
    const model = new FakeModel();
    model.send = () => { throw new Error("Cannot send"); };
    mount(model);
    applyButton().click();
    await vi.advanceTimersByTimeAsync(0);
    expect(noticeTexts()).toEqual(["Could not send Apply to the kernel (Cannot send); it may have restarted: run the cell again."]);
    expect(applyButton().disabled).toBe(false);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(noticeTexts()).toHaveLength(1); // no timeout notice on top
  });

  it("names the action in the notice", () => {
    expect(timeoutText("apply_all", 60)).toBe("The kernel did not answer Apply to all within 60 s; it may have restarted: run the cell again.");
    expect(timeoutText("something_new", 1)).toContain("something_new within 1 s");
  });
});

describe("notice dismissal", () => {
  const notice = (id) => ({ id, level: "info", text: `notice ${id}`, detail: "" });

  it("keeps a dismissed notice dismissed however many notices follow (Python keeps the last 6)", () => {
    const model = new FakeModel({ notices: [1, 2, 3, 4, 5, 6].map(notice) });
    mount(model);
    const dismiss = (id) =>
      [...root.querySelectorAll(".nwbcw-notice")].find((box) => box.textContent.startsWith(`notice ${id}×`)).querySelector(".nwbcw-dismiss").click();
    dismiss(6);
    dismiss(4);
    for (let id = 7; id <= 9; id += 1) {
      model.python("notices", [...model.get("notices").slice(-5), notice(id)]);
      expect(noticeTexts()).not.toContain("notice 6");
      expect(noticeTexts()).not.toContain("notice 4");
    }
    expect(noticeTexts()).toEqual(["notice 5", "notice 7", "notice 8", "notice 9"]);
  });
});

describe("cancel of queued previews", () => {
  it("shows Cancel while previews are queued and sends cancel_preview", () => {
    const model = new FakeModel();
    mount(model);
    const cancel = root.querySelector(".nwbcw-cancel-previews");
    expect(cancel.hidden).toBe(true);
    model.python("totals", { ...model.get("totals"), previews_queued: 12 });
    expect(cancel.hidden).toBe(false);
    expect(root.querySelector(".nwbcw-queued").textContent).toBe("12 previews queued");
    cancel.click();
    expect(model.sent.at(-1).type).toBe("cancel_preview");
    model.python("totals", { ...model.get("totals"), previews_queued: 0 });
    expect(cancel.hidden).toBe(true);
  });
});
