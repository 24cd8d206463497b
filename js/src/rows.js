// One dataset row: facts, editable settings, Python-computed estimates and messages next to the field they are about.
import { debounce, el, plainText, setText, setTitle, shapeText, toggleClass } from "./dom.js";
import { PreviewCell } from "./insight.js";

/** Milliseconds of quiet typing before an edit is sent (Enter, Tab and leaving the box send at once). */
export const EDIT_DELAY = 250;

/** Which message box shows the messages of each model field. */
const MESSAGE_SLOT = {
  chunk_shape: "chunk",
  buffer_shape: "buffer",
  compression_method: "compression",
  compression_options: "compression",
  filter_methods: "filters",
  filter_options: "filters",
};

function asTexts(values, rank) {
  const texts = [];
  for (let axis = 0; axis < rank; axis += 1) {
    const value = values ? values[axis] : undefined;
    texts.push(value === undefined || value === null ? "" : String(value));
  }
  return texts;
}

/** Integer boxes, one per axis, for a chunk or buffer shape. */
class ShapeEditor {
  constructor({ field, rank, location, onEdit, placeholder }) {
    this.field = field;
    this.inputs = [];
    this.onEdit = onEdit;
    this.send = debounce(() => this.onEdit(this.field, this.values()), EDIT_DELAY);
    const parts = [];
    for (let axis = 0; axis < rank; axis += 1) {
      if (axis > 0) parts.push(el("span", { class: "nwbcw-times", text: "×", attrs: { "aria-hidden": "true" } }));
      const input = el("input", {
        class: "nwbcw-axis",
        attrs: {
          type: "text",
          inputmode: "numeric",
          autocomplete: "off",
          spellcheck: "false",
          size: "7",
          placeholder: placeholder || "",
          "aria-label": `${field === "chunk_shape" ? "chunk" : "buffer"} length, axis ${axis}, ${location}`,
          "data-field": field,
          "data-axis": String(axis),
        },
      });
      input.addEventListener("input", () => this.send());
      input.addEventListener("keydown", (event) => this.onKey(event));
      input.addEventListener("blur", () => this.onBlur());
      this.inputs.push(input);
      parts.push(input);
    }
    this.element = el("div", { class: "nwbcw-axes" }, parts);
    this.shown = null;
  }

  values() {
    return this.inputs.map((input) => input.value);
  }

  onKey(event) {
    if (event.key === "Enter") {
      event.preventDefault();
      this.send.flush();
    } else if (event.key === "Escape" && this.shown) {
      // Back to the model's value; sending it also clears a rejected draft.
      event.preventDefault();
      event.stopPropagation();
      this.send.cancel();
      this.inputs.forEach((input, axis) => (input.value = this.shown.model[axis]));
      this.onEdit(this.field, this.values());
    }
  }

  onBlur() {
    if (this.send.pending()) this.send.flush();
    else if (this.shown) this.show(this.shown.model, this.shown.draft, true);
  }

  /** Show the model's value, or the user's rejected text; never touch the box being typed in. */
  show(modelValues, draftValues, force = false) {
    const model = asTexts(modelValues, this.inputs.length);
    const draft = draftValues ? asTexts(draftValues, this.inputs.length) : null;
    this.shown = { model, draft };
    const texts = draft || model;
    const active = this.inputs[0] ? this.inputs[0].ownerDocument.activeElement : null;
    this.inputs.forEach((input, axis) => {
      if (input === active && !force) return;
      if (this.send.pending() && !force) return;
      if (input.value !== texts[axis]) input.value = texts[axis];
    });
    this.inputs.forEach((input) => toggleClass(input, "nwbcw-draft", Boolean(draft)));
  }
}

/** Compression method menu plus one box per option of the chosen method. */
class CompressionEditor {
  constructor({ location, codecs, onEdit }) {
    this.location = location;
    this.codecs = codecs;
    this.onEdit = onEdit;
    this.select = el("select", { class: "nwbcw-method", attrs: { "aria-label": `compression method, ${location}` } });
    // The full menu is built when the menu is first used: thousands of rows need not hold every option.
    this.menuBuilt = false;
    const buildMenu = () => this.buildMenu();
    for (const event of ["focus", "pointerdown", "mousedown"]) this.select.addEventListener(event, buildMenu);
    this.select.addEventListener("change", () => this.onEdit("compression_method", this.select.value || null));
    this.optionsBox = el("div", { class: "nwbcw-options" });
    this.optionInputs = new Map();
    this.method = undefined;
    this.sendOptions = debounce(() => this.onEdit("compression_options", this.optionValues()), EDIT_DELAY);
    this.element = el("div", { class: "nwbcw-compression" }, [this.select, this.optionsBox]);
  }

  buildMenu() {
    if (this.menuBuilt) return;
    this.menuBuilt = true;
    const value = this.select.value;
    const names = ["", ...(this.codecs.compression_methods || [])];
    if (!names.includes(value)) names.push(value);
    this.select.replaceChildren(...names.map((name) => el("option", { text: name || "none", attrs: { value: name } })));
    this.select.value = value;
  }

  optionValues() {
    const values = {};
    for (const [name, input] of this.optionInputs) values[name] = input.value;
    return values;
  }

  buildOptions(method) {
    this.method = method;
    this.optionInputs = new Map();
    const names = (method && this.codecs.compression_options && this.codecs.compression_options[method]) || [];
    const parts = names.map((name) => {
      const input = el("input", {
        class: "nwbcw-option",
        attrs: { type: "text", size: "5", autocomplete: "off", spellcheck: "false", placeholder: "default",
          "aria-label": `${name} option of ${method}, ${this.location}`, "data-option": name },
      });
      input.addEventListener("input", () => this.sendOptions());
      input.addEventListener("keydown", (event) => {
        if (event.key === "Enter") {
          event.preventDefault();
          this.sendOptions.flush();
        } else if (event.key === "Escape" && this.shownRow) {
          event.preventDefault();
          event.stopPropagation();
          this.revertOptions();
        }
      });
      input.addEventListener("blur", () => this.sendOptions.flush());
      this.optionInputs.set(name, input);
      return el("label", { class: "nwbcw-option-label" }, [el("span", { text: name }), input]);
    });
    this.optionsBox.replaceChildren(...parts);
  }

  /** Escape: every option box back to Python's value; a rejected draft is withdrawn by sending that value. */
  revertOptions() {
    this.sendOptions.cancel();
    const source = this.shownRow.compression_options || {};
    for (const [name, input] of this.optionInputs) input.value = source[name] === undefined || source[name] === null ? "" : String(source[name]);
    if (this.shownRow.drafts.compression_options) this.onEdit("compression_options", this.optionValues());
  }

  show(row) {
    this.shownRow = row;
    const method = row.drafts.compression_method !== undefined ? row.drafts.compression_method : row.compression_method;
    const value = method || "";
    if (![...this.select.options].some((option) => option.value === value)) {
      this.select.appendChild(el("option", { text: value || "none", attrs: { value } }));
    }
    if (this.select.value !== value) this.select.value = value;
    if (method !== this.method) this.buildOptions(method);
    const draft = row.drafts.compression_options;
    const active = this.select.ownerDocument.activeElement;
    for (const [name, input] of this.optionInputs) {
      if (input === active || this.sendOptions.pending()) continue;
      const source = draft || row.compression_options || {};
      const text = source[name] === undefined || source[name] === null ? "" : String(source[name]);
      if (input.value !== text) input.value = text;
      toggleClass(input, "nwbcw-draft", Boolean(draft));
    }
  }
}

/** One text box per option of a codec, as `{name: text}`; empty boxes leave the codec's default. Enter commits,
 * Escape reverts (and does not reach the notebook). */
function optionBox(name, label, onInput, onCommit, onRevert) {
  const input = el("input", {
    class: "nwbcw-option",
    attrs: { type: "text", size: "5", autocomplete: "off", spellcheck: "false", placeholder: "default", "aria-label": label,
      "data-option": name },
  });
  input.addEventListener("input", onInput);
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      onCommit();
    } else if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      onRevert();
    }
  });
  input.addEventListener("blur", onCommit);
  return input;
}

/** Chips for the filters in use, each removable with its option boxes (when the codec takes options), and a menu
 * to add one. Options are sent as `filter_options`: one `{name: text}` (or null) per filter, in the filters' order. */
class FilterEditor {
  constructor({ location, codecs, onEdit }) {
    this.location = location;
    this.available = codecs.filter_methods || [];
    this.optionNames = codecs.filter_options || {};
    this.onEdit = onEdit;
    this.current = [];
    this.optionInputs = []; // per filter: Map option name -> input
    this.sendOptions = debounce(() => this.onEdit("filter_options", this.optionValues()), EDIT_DELAY);
    this.chips = el("span", { class: "nwbcw-chips" });
    this.add = el("select", { class: "nwbcw-add-filter", attrs: { "aria-label": `add a filter, ${location}` } });
    const buildMenu = () => this.buildMenu();
    for (const event of ["focus", "pointerdown", "mousedown"]) this.add.addEventListener(event, buildMenu);
    this.add.addEventListener("change", () => {
      if (this.add.value) this.onEdit("filter_methods", [...this.current, this.add.value]);
    });
    this.element = el("div", { class: "nwbcw-filters" }, [this.chips, this.add]);
    this.shownKey = null;
  }

  optionValues() {
    return this.optionInputs.map((inputs) => {
      if (inputs.size === 0) return null;
      const values = {};
      for (const [name, input] of inputs) values[name] = input.value;
      return values;
    });
  }

  buildChips(names) {
    this.current = [...names];
    this.optionInputs = [];
    const send = () => this.sendOptions();
    // Enter or leaving a box sends what waits; leaving with nothing waiting shows the row's value (or draft) again.
    const commit = () => (this.sendOptions.pending() ? this.sendOptions.flush() : this.lastRow && this.show(this.lastRow));
    const revert = () => this.revertOptions();
    this.chips.replaceChildren(
      ...names.map((name) => {
        const inputs = new Map();
        for (const option of this.optionNames[name] || []) {
          inputs.set(option, optionBox(option, `${option} option of filter ${name}, ${this.location}`, send, commit, revert));
        }
        this.optionInputs.push(inputs);
        return el("span", { class: "nwbcw-chip" }, [
          el("span", { class: "nwbcw-chip-name", text: name }),
          ...[...inputs].map(([option, input]) =>
            el("label", { class: "nwbcw-option-label" }, [el("span", { text: option }), input])),
          el("button", {
            class: "nwbcw-chip-remove",
            text: "×",
            attrs: { type: "button", title: `remove ${name}`, "aria-label": `remove filter ${name}, ${this.location}` },
            on: { click: () => this.onEdit("filter_methods", this.current.filter((item) => item !== name)) },
          }),
        ]);
      }),
    );
  }

  show(row) {
    this.lastRow = row;
    const names = row.drafts.filter_methods || row.filter_methods || [];
    const key = JSON.stringify([names, this.available]);
    if (key !== this.shownKey) {
      this.shownKey = key;
      this.buildChips(names);
      this.remaining = this.available.filter((name) => !names.includes(name));
      this.menuBuilt = false;
      this.add.replaceChildren(el("option", { text: "+ filter", attrs: { value: "" } }));
      this.add.value = "";
      this.add.hidden = this.remaining.length === 0;
    }
    const draft = row.drafts.filter_options;
    const sources = draft || row.filter_options || [];
    const active = this.chips.ownerDocument.activeElement;
    this.optionInputs.forEach((inputs, position) => {
      const source = sources[position] || {};
      for (const [name, input] of inputs) {
        toggleClass(input, "nwbcw-draft", Boolean(draft));
        if (input === active || this.sendOptions.pending()) continue;
        const text = source[name] === undefined || source[name] === null ? "" : String(source[name]);
        if (input.value !== text) input.value = text;
      }
    });
  }

  /** Escape: every option box back to Python's value; a rejected draft is withdrawn by sending that value. */
  revertOptions() {
    this.sendOptions.cancel();
    const row = this.lastRow;
    if (!row) return;
    const sources = row.filter_options || [];
    this.optionInputs.forEach((inputs, position) => {
      const source = sources[position] || {};
      for (const [name, input] of inputs) input.value = source[name] === undefined || source[name] === null ? "" : String(source[name]);
    });
    if (row.drafts.filter_options) this.onEdit("filter_options", this.optionValues());
  }

  buildMenu() {
    if (this.menuBuilt) return;
    this.menuBuilt = true;
    this.add.append(...this.remaining.map((name) => el("option", { text: name, attrs: { value: name } })));
  }
}

/** Extra parts of every row, shown in its details area under the columns (see registerRowPart). */
const ROW_PARTS = [];

/**
 * Add a part to every row built from now on, e.g. a drawing of the chunk grid.
 * `factory(rowView, context)` returns `{element, update(row), dispose?()}`; `element` goes into the row's details area
 * (under the columns, full width) and `update` is called with every new row from Python. Rows are built when they
 * scroll into view and dropped when they leave it, so a part keeps no state that must outlive its row.
 * @param {(rowView: RowView, context: object) => {element: Node, update: Function, dispose?: Function}} factory
 */
export function registerRowPart(factory) {
  ROW_PARTS.push(factory);
}

/** The DOM of one dataset row and how to bring it up to date with a new row from Python. */
export class RowView {
  /**
   * @param {object} row the row dict from Python
   * @param {{codecs: object, edit: Function, reset: Function}} context
   */
  constructor(row, context) {
    this.row = row;
    this.location = row.location;
    const onEdit = (field, value) => context.edit(this.location, field, value);
    const rank = row.full_shape.length;
    this.chunk = new ShapeEditor({ field: "chunk_shape", rank, location: row.location, onEdit,
      placeholder: context.codecs.backend === "hdf5" ? "—" : "" });
    this.buffer = new ShapeEditor({ field: "buffer_shape", rank, location: row.location, onEdit });
    this.compression = new CompressionEditor({ location: row.location, codecs: context.codecs, onEdit });
    this.filters = new FilterEditor({ location: row.location, codecs: context.codecs, onEdit });
    this.messages = {
      chunk: el("div", { class: "nwbcw-msgs" }),
      buffer: el("div", { class: "nwbcw-msgs" }),
      compression: el("div", { class: "nwbcw-msgs" }),
      filters: el("div", { class: "nwbcw-msgs" }),
    };
    this.messageKeys = {};
    this.preview = new PreviewCell(row.location, context);
    this.portability = el("span", { class: "nwbcw-portability" });
    this.chunkSize = el("span", { class: "nwbcw-chunk-size" });
    this.chunkCount = el("span", { class: "nwbcw-chunk-count" });
    this.ram = el("span", { class: "nwbcw-ram" });
    this.resetButton = el("button", {
      class: "nwbcw-reset",
      text: "↺",
      attrs: { type: "button", title: "Reset this dataset to the defaults", "aria-label": `reset ${row.location}` },
      on: { click: () => context.reset(this.location) },
    });
    const cell = (cls, children, label) => el("div", { class: `nwbcw-cell ${cls}`, attrs: { role: "cell", "data-col": label } }, children);
    this.element = el("div", { class: "nwbcw-row", attrs: { role: "row", "data-location": row.location } }, [
      cell("nwbcw-c-name", [
        el("span", { class: "nwbcw-dataset", text: row.dataset_name, attrs: { title: row.dataset_name } }),
        el("span", { class: "nwbcw-location", text: row.location, attrs: { title: row.location } }),
      ], "dataset"),
      cell("nwbcw-c-data", [
        el("span", { class: "nwbcw-shape", text: shapeText(row.full_shape) }),
        el("span", { class: "nwbcw-dtype", text: row.dtype }),
      ], "data"),
      cell("nwbcw-c-size nwbcw-num", [el("span", { text: row.size })], "size"),
      cell("nwbcw-c-chunk", [this.chunk.element, this.messages.chunk], "chunk shape"),
      cell("nwbcw-c-chunksize nwbcw-num", [this.chunkSize, this.chunkCount], "per chunk"),
      cell("nwbcw-c-buffer", [this.buffer.element, this.messages.buffer], "buffer shape"),
      cell("nwbcw-c-ram nwbcw-num", [this.ram], "RAM"),
      cell("nwbcw-c-compression", [this.compression.element, this.portability, this.messages.compression], "compression"),
      cell("nwbcw-c-filters", [this.filters.element, this.messages.filters], "filters"),
      cell("nwbcw-c-preview", [this.preview.element], "preview"),
      cell("nwbcw-c-actions", [this.resetButton], "reset"),
    ]);
    // Full-width area under the columns for the parts other modules add (registerRowPart); hidden while empty.
    this.details = el("div", { class: "nwbcw-row-details", attrs: { role: "cell", "data-col": "details" } });
    this.element.appendChild(this.details);
    this.parts = ROW_PARTS.map((factory) => factory(this, context));
    for (const part of this.parts) this.details.appendChild(part.element);
    this.update(row);
  }

  /** Whether an edit typed in this row waits to be sent. */
  hasPendingEdit() {
    return [this.chunk.send, this.buffer.send, this.compression.sendOptions, this.filters.sendOptions].some((send) => send.pending());
  }

  /** The row leaves the page (scrolled away, filtered out): send what was typed, let the parts go. */
  dispose() {
    for (const send of [this.chunk.send, this.buffer.send, this.compression.sendOptions, this.filters.sendOptions]) {
      if (send.pending()) send.flush();
    }
    for (const part of this.parts) part.dispose?.();
  }

  /** Bring the row up to date; inputs being typed in keep their text and cursor. */
  update(row) {
    this.row = row;
    const drafts = row.drafts || {};
    this.chunk.show(row.chunk_shape, drafts.chunk_shape);
    this.buffer.show(row.buffer_shape, drafts.buffer_shape);
    this.compression.show({ ...row, drafts });
    this.filters.show({ ...row, drafts });
    setText(this.chunkSize, row.chunk_size);
    setText(this.chunkCount, `${row.number_of_chunks_text} chunk${row.number_of_chunks === 1 ? "" : "s"}`);
    setText(this.ram, row.ram);
    this.showMessages(row);
    this.preview.update(row.preview);
    const portability = row.portability || {};
    setText(this.portability, portability.level || "");
    setTitle(this.portability, portability.note || "");
    toggleClass(this.portability, "nwbcw-portable", portability.every_hdf5_reader === true); // Python's flag, not its text
    const edited = (row.edited || []).length > 0;
    toggleClass(this.element, "nwbcw-invalid", row.invalid);
    toggleClass(this.element, "nwbcw-edited", edited);
    toggleClass(this.element, "nwbcw-lossy", row.lossy);
    this.showPending(Boolean(row.pending));
    this.resetButton.disabled = row.pending || (!edited && !row.invalid && Object.keys(drafts).length === 0);
    for (const part of this.parts) part.update(row);
  }

  /** A row under a bulk change Python has not answered yet: its fields wait (disabled), and it says so. */
  showPending(pending) {
    if (!pending && !this.element.classList.contains("nwbcw-pending")) return;
    toggleClass(this.element, "nwbcw-pending", pending);
    if (pending) {
      this.element.setAttribute("aria-busy", "true");
      this.element.title = "Waiting for Python to apply this change";
    } else {
      this.element.removeAttribute("aria-busy");
      this.element.removeAttribute("title");
    }
    // Boxes built since (a new method's options) are covered too: every update of a pending row disables them.
    for (const field of this.element.querySelectorAll("input, select")) field.disabled = pending;
  }

  showMessages(row) {
    const slots = { chunk: [], buffer: [], compression: [], filters: [] };
    for (const [field, text] of Object.entries(row.errors || {})) slots[MESSAGE_SLOT[field] || "chunk"].push(["error", text]);
    for (const [field, text] of Object.entries(row.notes || {})) slots[MESSAGE_SLOT[field] || "chunk"].push(["note", text]);
    for (const warning of row.warnings || []) {
      slots[MESSAGE_SLOT[warning.field] || "chunk"].push([warning.severity || "warning", warning.message]);
    }
    for (const [slot, messages] of Object.entries(slots)) {
      const key = JSON.stringify(messages);
      if (this.messageKeys[slot] === key) continue;
      this.messageKeys[slot] = key;
      this.messages[slot].replaceChildren(
        ...messages.map(([level, text]) =>
          el("div", { class: `nwbcw-msg nwbcw-msg-${level}`, text, attrs: level === "error" ? { role: "alert" } : {} }),
        ),
      );
    }
  }

}

/** The text a filter is matched against: location, object, neurodata type, dtype and compression, lower case,
 * both as stored and as shown (control characters as escapes such as \x1b), so either can be typed. */
export function rowSearchText(row) {
  const text = [row.location, row.neurodata_type, row.object_name, row.dtype, row.compression_method].join(" ");
  const shown = plainText(text);
  return shown === text ? text.toLowerCase() : `${text.toLowerCase()}\u0000${shown.toLowerCase()}`;
}

/** Whether a row matches the text filter (lower case, trimmed). */
export function rowMatches(row, filterText) {
  return !filterText || rowSearchText(row).includes(filterText);
}
