// The toolbar: backend switch, compression for all datasets, filter, order, reset all, and Python's totals.
import { debounce, el, setText } from "./dom.js";

/** Toolbar above the table. `context` gives {model, actions, table}. */
export class Toolbar {
  constructor(context) {
    this.context = context;
    const { model } = context;
    // The backends and their names come from Python (the codec menu), as every other figure of the view.
    this.backendButtons = ((model.get("codecs") || {}).backends || []).map(({ name: backend, label }) =>
      el("button", {
        class: "nwbcw-seg",
        text: label,
        attrs: { type: "button", "data-backend": backend, "aria-pressed": "false" },
        on: { click: () => this.switchBackend(backend) },
      }),
    );
    this.methodSelect = el("select", { class: "nwbcw-all-method", attrs: { "aria-label": "compression method for all datasets" } });
    this.methodSelect.addEventListener("change", () => this.buildOptionBoxes());
    this.optionBoxes = el("span", { class: "nwbcw-all-options" });
    this.applyAllButton = el("button", {
      class: "nwbcw-button",
      text: "Apply to all",
      attrs: { type: "button" },
      on: { click: () => this.applyToAll() },
    });
    this.filterInput = el("input", {
      class: "nwbcw-filter",
      attrs: { type: "search", placeholder: "Filter datasets…", "aria-label": "filter datasets by name, type or dtype" },
    });
    // Filtering works on the data and redraws only the visible rows: each keystroke is applied (bursts coalesced).
    const filter = debounce(() => context.table.setFilter(this.filterInput.value), 0);
    this.filterInput.addEventListener("input", filter);
    this.sortSelect = el("select", { class: "nwbcw-sort", attrs: { "aria-label": "order of datasets" } }, [
      el("option", { text: "Order: location", attrs: { value: "location" } }),
      el("option", { text: "Order: largest first", attrs: { value: "size-desc" } }),
      el("option", { text: "Order: smallest first", attrs: { value: "size-asc" } }),
    ]);
    this.sortSelect.addEventListener("change", () => context.table.setSort(this.sortSelect.value));
    this.resetAllButton = el("button", {
      class: "nwbcw-button",
      text: "Reset all",
      attrs: { type: "button", title: "Put every dataset back to the defaults" },
      on: { click: () => context.actions.request("reset_all") },
    });
    const expand = (expanded) => () => context.table.setAllExpanded(expanded);
    this.totals = el("div", { class: "nwbcw-totals", attrs: { "aria-live": "polite" } });
    this.element = el("div", { class: "nwbcw-toolbar" }, [
      el("div", { class: "nwbcw-toolbar-row" }, [
        el("span", { class: "nwbcw-segmented", attrs: { role: "group", "aria-label": "backend" } }, this.backendButtons),
        el("span", { class: "nwbcw-all" }, [
          el("span", { class: "nwbcw-label", text: "Compression for all:" }),
          this.methodSelect,
          this.optionBoxes,
          this.applyAllButton,
        ]),
        this.resetAllButton,
      ]),
      el("div", { class: "nwbcw-toolbar-row" }, [
        this.filterInput,
        this.sortSelect,
        el("button", { class: "nwbcw-button nwbcw-quiet", text: "Expand all", attrs: { type: "button" }, on: { click: expand(true) } }),
        el("button", { class: "nwbcw-button nwbcw-quiet", text: "Collapse all", attrs: { type: "button" }, on: { click: expand(false) } }),
      ]),
      this.totals,
    ]);
    this.update();
  }

  switchBackend(backend) {
    const { model } = this.context;
    if (model.get("backend") === backend) return;
    model.set("backend", backend);
    model.save_changes();
  }

  buildMethodMenu() {
    const codecs = this.context.model.get("codecs") || {};
    const key = JSON.stringify(codecs.compression_methods || []);
    if (key === this.methodKey) return;
    this.methodKey = key;
    const methods = codecs.compression_methods || [];
    this.methodSelect.replaceChildren(
      el("option", { text: "none", attrs: { value: "" } }),
      ...methods.map((name) => el("option", { text: name, attrs: { value: name } })),
    );
    const preferred = codecs.default_method; // the method of Python's default configurations
    this.methodSelect.value = methods.includes(preferred) ? preferred : methods[0] || "";
    this.buildOptionBoxes();
  }

  buildOptionBoxes() {
    const codecs = this.context.model.get("codecs") || {};
    const method = this.methodSelect.value;
    const names = (method && codecs.compression_options && codecs.compression_options[method]) || [];
    this.optionInputs = new Map();
    this.optionBoxes.replaceChildren(
      ...names.map((name) => {
        const input = el("input", {
          class: "nwbcw-option",
          attrs: { type: "text", size: "5", placeholder: "default", "aria-label": `${name} option for all datasets` },
        });
        this.optionInputs.set(name, input);
        return el("label", { class: "nwbcw-option-label" }, [el("span", { text: name }), input]);
      }),
    );
  }

  async applyToAll() {
    const options = {};
    for (const [name, input] of this.optionInputs || []) options[name] = input.value;
    const method = this.methodSelect.value || null;
    this.applyAllButton.disabled = true;
    // Every row shows the new method at once, as pending, while Python checks and applies it; Python's rows (or
    // its refusal) replace that.
    const shownOptions = Object.fromEntries(Object.entries(options).filter(([, text]) => text !== ""));
    this.context.table.showPending({ compression_method: method, compression_options: shownOptions });
    try {
      await this.context.actions.request("apply_all", { method, options });
    } finally {
      this.context.table.clearPending();
      this.applyAllButton.disabled = false;
    }
  }

  /** Refresh from the model: backend, codec menu and totals. */
  update() {
    const { model } = this.context;
    const backend = model.get("backend");
    for (const button of this.backendButtons) button.setAttribute("aria-pressed", String(button.dataset.backend === backend));
    this.buildMethodMenu();
    const totals = model.get("totals") || {};
    const parts = [
      el("span", { class: "nwbcw-total", text: `${totals.datasets_text || 0} datasets` }),
      el("span", { class: "nwbcw-total", text: `${totals.uncompressed || "0 B"} uncompressed` }),
      el("span", { class: "nwbcw-total", text: `${totals.chunks_text || 0} chunks` }),
      el("span", { class: "nwbcw-total", text: `peak RAM ${totals.peak_ram || "0 B"}` }),
    ];
    if (totals.preview_text) parts.push(el("span", { class: "nwbcw-total nwbcw-total-preview", text: totals.preview_text }));
    if (totals.edited) parts.push(el("span", { class: "nwbcw-total nwbcw-total-edited", text: `${totals.edited} edited` }));
    if (totals.invalid) parts.push(el("span", { class: "nwbcw-total nwbcw-total-invalid", text: `${totals.invalid} invalid` }));
    const key = JSON.stringify(totals);
    if (key !== this.totalsKey) {
      this.totalsKey = key;
      this.totals.replaceChildren(...parts);
    }
  }
}

/**
 * Notices from Python (e.g. a rejected "apply to all"), each dismissable, with details when there are some. Python
 * gives each notice an id, so a dismissed notice stays dismissed however many come after it. The view adds its own
 * notices (a request the kernel did not answer) with `local`.
 */
export class Notices {
  constructor(model) {
    this.model = model;
    this.dismissed = new Set();
    this.locals = [];
    this.localCount = 0;
    this.element = el("div", { class: "nwbcw-notices" });
    this.update();
  }

  /** Show a notice of the view itself; returns a function that removes it. */
  local(level, text) {
    this.localCount += 1;
    const notice = { id: `view-${this.localCount}`, level, text, detail: "" };
    this.locals.push(notice);
    this.update();
    return () => {
      this.locals = this.locals.filter((item) => item !== notice);
      this.update();
    };
  }

  update() {
    const notices = [...(this.model.get("notices") || []), ...this.locals];
    this.element.replaceChildren(
      ...notices
        .map((notice, index) => [notice, notice.id !== undefined ? String(notice.id) : `${index}:${notice.text}`])
        .filter(([, key]) => !this.dismissed.has(key))
        .map(([notice, key]) => {
          const box = el("div", { class: `nwbcw-notice nwbcw-notice-${notice.level}`, attrs: { role: notice.level === "error" ? "alert" : "status", "data-notice": key } }, [
            el("span", { class: "nwbcw-notice-text", text: notice.text }),
            el("button", {
              class: "nwbcw-dismiss",
              text: "×",
              attrs: { type: "button", "aria-label": "dismiss" },
              on: { click: () => { this.dismissed.add(key); this.update(); } },
            }),
          ]);
          if (notice.detail) box.appendChild(el("details", {}, [el("summary", { text: "Details" }), el("pre", { text: notice.detail })]));
          return box;
        }),
    );
  }
}

/** Datasets that are written as they are, with the reason. */
export class Unconfigurable {
  constructor(model) {
    this.model = model;
    this.element = el("details", { class: "nwbcw-unconfigurable" });
    this.update();
  }

  update() {
    const items = this.model.get("unconfigurable") || [];
    this.element.hidden = items.length === 0;
    this.element.replaceChildren(
      el("summary", { text: `${items.length} dataset${items.length === 1 ? "" : "s"} written as they are` }),
      el("ul", {}, items.map((item) => el("li", {}, [el("code", { text: item.location }), el("span", { text: ` — ${item.reason}` })]))),
    );
    setText(this.element.querySelector("summary"), `${items.length} dataset${items.length === 1 ? "" : "s"} written as they are`);
  }
}
