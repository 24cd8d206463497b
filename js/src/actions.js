// Request/response messages to the Python widget: every action carries an id and gets an explicit reply, or, when
// the kernel does not answer within the timeout (it restarted, or is busy), a timed-out result so no control stays
// disabled forever.

let counter = 0;

/** What a notice calls each action. */
const ACTION_NAMES = {
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
  use_codec: "Use codec",
};

/** The notice shown when the kernel did not answer `type` within `seconds`. */
export function timeoutText(type, seconds) {
  const name = ACTION_NAMES[type] || type;
  return `The kernel did not answer ${name} within ${seconds} s; it may have restarted: run the cell again.`;
}

/** The notice shown when `type` could not even be sent (the kernel's connection is gone, e.g. after a restart). */
export function unsentText(type, error) {
  const name = ACTION_NAMES[type] || type;
  return `Could not send ${name} to the kernel (${error}); it may have restarted: run the cell again.`;
}

/** Sends actions for one view and resolves them when Python replies or the timeout passes. */
export class Actions {
  /**
   * `timeoutSeconds()` gives the current timeout (Python's `request_timeout`); `onTimeout(text)` shows a notice and
   * returns a function that withdraws it, called if the reply comes after all.
   */
  constructor(model, { timeoutSeconds = () => 60, onTimeout = () => () => {} } = {}) {
    this.model = model;
    this.timeoutSeconds = timeoutSeconds;
    this.onTimeout = onTimeout;
    this.prefix = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}-`;
    this.pending = new Map();
    this.late = new Map();
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
      }, seconds * 1000);
      this.pending.set(id, (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      // Not sent: say so at once rather than after the timeout; once, and only while neither a reply nor the timeout
      // has settled the request. Should the kernel answer after all, its reply withdraws the notice.
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
        unsent(error); // Jupyter's widget manager throws when the kernel's connection is gone
        return;
      }
      // marimo's send returns a Promise, rejected when the message could not be sent (the server is gone).
      if (sending && typeof sending.then === "function") sending.then(undefined, unsent);
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
}
