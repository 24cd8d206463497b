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

  it("says so at once when send returns a rejected Promise (marimo, its server gone), and only once", async () => {
    const model = new FakeModel({ request_timeout: 5 });
    model.send = (message) => {
      model.sent.push(message);
      return Promise.reject(new TypeError("Failed to fetch"));
    };
    mount(model);
    applyButton().click();
    expect(model.sent.at(-1).type).toBe("apply");
    await vi.advanceTimersByTimeAsync(0); // the rejection is handled in a microtask, long before the timeout
    const text = "Could not send Apply to the kernel (Failed to fetch); it may have restarted: run the cell again.";
    expect(noticeTexts()).toEqual([text]);
    expect(applyButton().disabled).toBe(false);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(noticeTexts()).toEqual([text]); // no timeout notice on top
    expect(vi.getTimerCount()).toBe(0);
  });

  it("resolves a request whose send was rejected once, and withdraws the notice if the kernel answers after all", async () => {
    const model = new FakeModel();
    const shown = [];
    const actions = new Actions(model, {
      timeoutSeconds: () => 2,
      onTimeout: (text) => {
        shown.push(text);
        return () => shown.splice(shown.indexOf(text), 1);
      },
    });
    let reject;
    model.send = (message) => {
      model.sent.push(message);
      return new Promise((_resolve, rejectSend) => { reject = rejectSend; });
    };
    const reply = actions.request("preview", { location: "a" });
    reject("connection closed"); // not an Error: its text is shown as it is
    await expect(reply).resolves.toEqual({
      ok: false,
      error: "Could not send Preview to the kernel (connection closed); it may have restarted: run the cell again.",
      timedOut: true,
    });
    expect(shown).toHaveLength(1);
    // The message did reach the kernel after all: its reply withdraws the notice.
    expect(actions.handleReply({ type: "reply", id: model.sent[0].id, ok: true })).toBe(true);
    expect(shown).toEqual([]);
  });

  it("ignores a rejection that comes after the reply or the timeout", async () => {
    const model = new FakeModel();
    const shown = [];
    const actions = new Actions(model, { timeoutSeconds: () => 2, onTimeout: (text) => { shown.push(text); return () => {}; } });
    const rejections = [];
    model.send = (message) => {
      model.sent.push(message);
      return new Promise((_resolve, rejectSend) => rejections.push(rejectSend));
    };
    const answered = actions.request("edit", { location: "a", field: "chunk_shape", value: "10" });
    actions.handleReply({ type: "reply", id: model.sent[0].id, ok: true });
    rejections[0](new Error("late failure"));
    await expect(answered).resolves.toEqual({ ok: true, error: "", timedOut: false });
    const timedOut = actions.request("apply");
    await vi.advanceTimersByTimeAsync(2000);
    rejections[1](new Error("late failure"));
    await vi.advanceTimersByTimeAsync(0);
    await expect(timedOut).resolves.toMatchObject({ timedOut: true });
    expect(shown).toEqual(["The kernel did not answer Apply within 2 s; it may have restarted: run the cell again."]);
  });

  it("takes the normal reply path when send returns a resolved Promise", async () => {
    const model = new FakeModel({ request_timeout: 5 });
    model.send = (message) => {
      model.sent.push(message);
      return Promise.resolve();
    };
    mount(model);
    applyButton().click();
    await vi.advanceTimersByTimeAsync(0);
    expect(noticeTexts()).toEqual([]);
    expect(applyButton().disabled).toBe(true); // waiting for Python
    model.message({ type: "reply", id: model.sent.at(-1).id, ok: true });
    await vi.advanceTimersByTimeAsync(0);
    expect(applyButton().disabled).toBe(false);
    expect(noticeTexts()).toEqual([]);
    // Sent but never answered: the timeout still applies.
    applyButton().click();
    await vi.advanceTimersByTimeAsync(5000);
    expect(noticeTexts()).toEqual(["The kernel did not answer Apply within 5 s; it may have restarted: run the cell again."]);
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
