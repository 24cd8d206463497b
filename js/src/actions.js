// Request/response messages to the Python widget: every action carries an id and gets an explicit reply.

let counter = 0;

/** Sends actions for one view and resolves them when Python replies. */
export class Actions {
  constructor(model) {
    this.model = model;
    this.prefix = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}-`;
    this.pending = new Map();
  }

  /** Send `{type, ...fields}`; resolves to `{ok, error}` when Python answers. */
  request(type, fields = {}) {
    counter += 1;
    const id = this.prefix + counter;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.model.send({ type, id, ...fields });
    });
  }

  /** Handle a reply message; returns true when it was one of ours. */
  handleReply(message) {
    if (!message || message.type !== "reply") return false;
    const resolve = this.pending.get(message.id);
    if (!resolve) return false;
    this.pending.delete(message.id);
    resolve({ ok: Boolean(message.ok), error: message.error || "" });
    return true;
  }
}
