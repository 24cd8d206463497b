// The dataset table: a header per neurodata object (collapsible) followed by its dataset rows, filtered by text and
// ordered by size, in one virtual list (@tanstack/virtual-core).
//
// The table keeps Python's rows as data and lays them out as a flat list of items (group headers and rows). Only the
// items in and near the visible part of the table exist in the DOM, whatever has been scrolled through: an item that
// leaves it is removed, and a row that comes back is built again from the current data, so it shows Python's state.
// Filtering, ordering and bulk changes work on the data and touch only the few items on screen. The item holding the
// keyboard focus is kept in the DOM even when scrolled away, so typing and Tab are never cut short.
import {
  Virtualizer,
  defaultRangeExtractor,
  measureElement,
  observeElementOffset,
  observeElementRect,
} from "@tanstack/virtual-core";
import { el, setText } from "./dom.js";
import { RowView, rowSearchText } from "./rows.js";

export const COLUMNS = [
  ["name", "Dataset"],
  ["data", "Shape / dtype"],
  ["size", "Size"],
  ["chunk", "Chunk shape"],
  ["chunksize", "Per chunk"],
  ["buffer", "Buffer shape"],
  ["ram", "RAM"],
  ["compression", "Compression"],
  ["filters", "Filters"],
  ["preview", "Preview"],
  ["actions", "Reset", "hidden"], // the column of reset buttons: named for screen readers only
];

/** Heights assumed for items not measured yet (px); each item is measured once it is in the page. */
const ROW_HEIGHT_GUESS = 58;
const GROUP_HEIGHT_GUESS = 30;
/** Items kept in the page beyond each edge of the visible part: a bound on the rows in the DOM. */
export const OVERSCAN = 6;
/** Height taken for the scrolling box while it has none (not laid out yet, in a hidden output, or without layout). */
const FALLBACK_VIEWPORT = 640;
/** Redraws in a row before the rest waits for the next frame (measurements that keep changing). */
const MAX_REDRAWS = 8;

/** The header of a group: one neurodata object, its type, path, dataset count and size; a button folds its rows. */
class GroupHeader {
  constructor(group, table) {
    this.toggle = el("button", {
      class: "nwbcw-group-toggle",
      attrs: { type: "button", "aria-expanded": "true" },
      on: { click: () => table.toggleGroup(group.path) },
    }, [
      el("span", { class: "nwbcw-caret", attrs: { "aria-hidden": "true" } }),
      el("span", { class: "nwbcw-group-name", text: group.object_name, attrs: { title: group.object_name } }),
      el("span", { class: "nwbcw-type", text: group.neurodata_type }),
      el("span", { class: "nwbcw-group-path", text: group.path, attrs: { title: group.path } }),
      el("span", { class: "nwbcw-group-size", text: `${group.count} dataset${group.count === 1 ? "" : "s"} · ${group.size}` }),
    ]);
    this.element = el("div", { class: "nwbcw-item nwbcw-group nwbcw-group-head", attrs: { role: "row", "data-group": group.path } }, [
      el("div", { class: "nwbcw-group-cell", attrs: { role: "cell", "aria-colspan": String(COLUMNS.length) } }, [this.toggle]),
    ]);
  }

  setExpanded(expanded) {
    if (this.toggle.getAttribute("aria-expanded") !== String(expanded)) this.toggle.setAttribute("aria-expanded", String(expanded));
  }

  update() {}

  dispose() {}
}

/** Renders the visible part of the table and patches single rows as Python sends them. */
export class TableView {
  constructor(context) {
    this.context = context; // {codecs(), edit, reset, preview, inspect}
    this.filterText = "";
    this.sort = "location";
    this.rows = [];
    this.groups = []; // group dicts, in the rows' order
    this.groupRows = []; // per group: positions of its rows in this.rows
    this.rowKeys = []; // per row and per group: its item key
    this.groupKeys = [];
    this.orders = new Map(); // sort mode -> {groups, members}, see order()
    this.collapsed = new Set(); // paths of folded groups
    this.searchTexts = []; // per row, filled when a filter is first typed
    // The items in display order: a row's position in this.rows (>= 0), or -(group position + 1) for a header.
    this.items = new Int32Array(0);
    this.built = new Map(); // item key -> GroupHeader | RowView, the items now in the page
    this.focusCode = null; // the item holding the keyboard focus (kept in the page)
    // A bulk change sent to Python and not answered yet (apply to all): the row fields it sets, shown on every row
    // as pending until Python's rows come (or it refuses); null when there is none.
    this.pending = null;
    this.countLine = el("div", { class: "nwbcw-count", attrs: { "aria-live": "polite" } });
    this.header = el("div", { class: "nwbcw-row nwbcw-header", attrs: { role: "row", "aria-rowindex": "1" } },
      COLUMNS.map(([key, label, hidden]) => el("div", { class: `nwbcw-cell nwbcw-c-${key}`, text: hidden ? null : label, attrs: { role: "columnheader" } },
        hidden ? [el("span", { class: "nwbcw-sr-only", text: label })] : [])));
    this.list = el("div", { class: "nwbcw-list" });
    this.scroller = el("div", { class: "nwbcw-scroller", attrs: { role: "rowgroup" } }, [this.list]);
    this.element = el("div", { class: "nwbcw-table", attrs: { role: "table", "aria-label": "dataset configurations" } }, [
      el("div", { class: "nwbcw-header-box", attrs: { role: "rowgroup" } }, [this.header]),
      this.scroller,
    ]);
    this.list.addEventListener("focusin", (event) => this.onFocus(event.target));
    this.list.addEventListener("focusout", (event) => {
      if (!event.relatedTarget || !this.list.contains(event.relatedTarget)) this.focusCode = null;
    });
    this.virtualizer = new Virtualizer(this.virtualOptions());
    this.unmount = this.virtualizer._didMount();
    this.virtualizer._willUpdate();
  }

  /** Options of the virtual list; a new item list gets new key and size functions, so its layout is recomputed. */
  virtualOptions() {
    const items = this.items;
    return {
      count: items.length,
      getScrollElement: () => this.scroller,
      estimateSize: (index) => (items[index] < 0 ? GROUP_HEIGHT_GUESS : ROW_HEIGHT_GUESS),
      getItemKey: (index) => this.itemKey(items[index]),
      overscan: OVERSCAN,
      // Scroll by setting scrollTop, which every host (and jsdom) supports; the scroll event then moves the range.
      scrollToFn: (offset, { adjustments = 0 }, instance) => {
        if (instance.scrollElement) instance.scrollElement.scrollTop = offset + adjustments;
      },
      observeElementRect: (instance, report) =>
        observeElementRect(instance, (rect) => report(rect.height > 0 ? rect : { width: rect.width, height: FALLBACK_VIEWPORT })),
      observeElementOffset,
      // An item without a box (hidden widget, no layout) keeps its estimate instead of collapsing to 0.
      measureElement: (element, entry, instance) => measureElement(element, entry, instance) || instance.options.estimateSize(instance.indexFromElement(element)),
      rangeExtractor: (range) => this.range(range),
      onChange: () => this.draw(),
    };
  }

  /** A stable key per item: headers by group path, rows by location (made once per rows list: the virtual list
   * looks every key up each time the layout changes). */
  itemKey(code) {
    return code < 0 ? this.groupKeys[-code - 1] : this.rowKeys[code];
  }

  /** The visible items plus the overscan, and the focused item wherever it is. */
  range(range) {
    const indexes = defaultRangeExtractor(range);
    if (this.focusCode === null) return indexes;
    const index = this.items.indexOf(this.focusCode);
    if (index < 0 || indexes.includes(index)) return indexes;
    return [...indexes, index].sort((a, b) => a - b);
  }

  onFocus(target) {
    const item = target.closest(".nwbcw-item");
    const index = item ? Number(item.dataset.index) : NaN;
    this.focusCode = Number.isInteger(index) && index < this.items.length ? this.items[index] : null;
  }

  /** Show a new rows list from Python.
   *
   * A new list of the same datasets in the same groups (a bulk change: apply-to-all, reset all, a preset) keeps the
   * place, the folded groups and the filter, and updates only the rows on screen. */
  render(rows, groups) {
    const groupsKey = JSON.stringify([groups || [], this.context.codecs()]); // a backend switch rebuilds the editors
    if (this.sameDatasets(rows || [], groupsKey)) {
      this.refreshAll(rows);
      return;
    }
    this.groupsKey = groupsKey;
    this.rows = rows || [];
    this.searchTexts = [];
    this.rowContext = { codecs: this.context.codecs(), edit: this.context.edit, reset: this.context.reset,
      preview: this.context.preview, inspect: this.context.inspect };
    const positions = new Map();
    this.groups = [];
    this.groupRows = [];
    const addGroup = (group) => {
      positions.set(group.path, this.groups.length);
      this.groups.push(group);
      this.groupRows.push([]);
    };
    for (const group of groups || []) addGroup(group);
    this.rows.forEach((row, index) => {
      if (!positions.has(row.group)) {
        addGroup({ path: row.group, object_name: row.object_name, neurodata_type: row.neurodata_type, count: 0, size: "", size_bytes: 0 });
      }
      this.groupRows[positions.get(row.group)].push(index);
    });
    this.orders = new Map();
    this.rowKeys = this.rows.map((row) => `r${row.location}`);
    this.groupKeys = this.groups.map((group) => `g${group.path}`);
    this.clearBuilt(); // the editors depend on the codec menus: build the rows on screen again
    this.arrange();
  }

  /** Whether `rows` are the datasets shown now, in the same order and groups, with the same codec menus. */
  sameDatasets(rows, groupsKey) {
    if (groupsKey !== this.groupsKey || rows.length !== this.rows.length || rows.length === 0) return false;
    return rows.every((row, index) => row.location === this.rows[index].location && row.group === this.rows[index].group);
  }

  /** Take a new rows list of the same datasets: update the rows on screen, then filter and order again. */
  refreshAll(rows) {
    this.rows = rows;
    this.pending = null; // Python's rows are the answer to a bulk change
    this.searchTexts = [];
    for (const [key, view] of this.built) if (key[0] === "r") view.update(rows[view.index]);
    this.arrange();
  }

  /** The row at `index` as it is shown: Python's, with a pending bulk change over it. */
  shownRow(index) {
    const row = this.rows[index];
    return this.pending ? { ...row, ...this.pending, drafts: {}, errors: {}, pending: true } : row;
  }

  /**
   * Show a bulk change sent to Python on every row at once (the rows on screen now, and those built while it is
   * pending), marked as pending: their fields are disabled and the row says it waits for Python. Python's values
   * replace it when its rows come; {@link clearPending} takes it back when Python refuses or does not answer.
   * @param {object} fields row fields, e.g. `{compression_method: "gzip", compression_options: {level: "4"}}`
   */
  showPending(fields) {
    this.pending = fields;
    for (const [key, view] of this.built) if (key[0] === "r") view.update(this.shownRow(view.index));
  }

  /** Show Python's rows again, without a pending bulk change (which it refused, or already answered). */
  clearPending() {
    if (!this.pending) return;
    this.pending = null;
    for (const [key, view] of this.built) if (key[0] === "r") view.update(this.rows[view.index]);
  }

  /** Apply Python's changed rows: `[{index, row}]`. Rows not on screen only keep the data, shown when they come back. */
  patch(entries) {
    let searchable = true;
    for (const { index, row } of entries) {
      if (index >= this.rows.length || this.rows[index].location !== row.location) continue;
      const old = this.rows[index];
      this.rows[index] = row;
      if (this.searchTexts.length) this.searchTexts[index] = undefined;
      searchable = searchable && old.compression_method === row.compression_method;
      const view = this.built.get(`r${row.location}`);
      if (view) view.update(this.shownRow(index));
    }
    if (!searchable && this.filterText) this.arrange(); // a changed method can change what the filter matches
  }

  /** The row view of a dataset, scrolled into the page if needed (e.g. to focus it from outside); null if filtered out. */
  rowView(location) {
    const index = this.rows.findIndex((row) => row.location === location);
    const position = index < 0 ? -1 : this.items.indexOf(index);
    if (position < 0) return null;
    const item = this.virtualizer.measurementsCache[position];
    const viewport = this.scroller.clientHeight || FALLBACK_VIEWPORT;
    this.jumpTo(Math.max(0, Math.round(item.start - (viewport - item.size) / 2))); // centred
    return this.built.get(`r${location}`) || null;
  }

  /** Scroll the table to `offset` now: the range follows at once, not one scroll event later (no rows built twice). */
  jumpTo(offset) {
    if (this.scroller.scrollTop === offset) return;
    this.scroller.scrollTop = offset;
    this.scroller.dispatchEvent(new Event("scroll"));
  }

  setFilter(text) {
    const filterText = String(text || "").trim().toLowerCase();
    if (filterText === this.filterText) return;
    this.filterText = filterText;
    this.arrange(true);
  }

  setSort(mode) {
    this.sort = mode;
    this.arrange(true);
  }

  toggleGroup(path) {
    if (this.collapsed.has(path)) this.collapsed.delete(path);
    else this.collapsed.add(path);
    this.arrange();
  }

  setAllExpanded(expanded) {
    this.collapsed = new Set(expanded ? [] : this.groups.map((group) => group.path));
    this.arrange();
  }

  matches(index) {
    let text = this.searchTexts[index];
    if (text === undefined) text = this.searchTexts[index] = rowSearchText(this.rows[index]);
    return text.includes(this.filterText);
  }

  /** Lay out the items: groups and rows that match the filter, in the chosen order, then draw the visible part. */
  /** Groups, and the rows of each group, in the order `mode`: computed once per rows list (sizes never change). */
  order(mode) {
    let order = this.orders.get(mode);
    if (order) return order;
    const groups = this.groups.map((_, position) => position);
    let members = this.groupRows;
    if (mode !== "location") {
      const sign = mode === "size-asc" ? 1 : -1;
      groups.sort((a, b) => sign * ((this.groups[a].size_bytes || 0) - (this.groups[b].size_bytes || 0)));
      const bySize = (a, b) => sign * (this.rows[a].size_bytes - this.rows[b].size_bytes);
      members = members.map((indices) => (indices.length > 1 ? [...indices].sort(bySize) : indices));
    }
    order = { groups, members };
    this.orders.set(mode, order);
    return order;
  }

  arrange(toTop = false) {
    const order = this.order(this.sort);
    const items = new Int32Array(this.rows.length + this.groups.length);
    let length = 0;
    let shown = 0;
    for (const position of order.groups) {
      let members = order.members[position];
      if (this.filterText) members = members.filter((index) => this.matches(index));
      if (members.length === 0) continue;
      shown += members.length;
      items[length++] = -position - 1;
      if (this.collapsed.size && this.collapsed.has(this.groups[position].path)) continue;
      for (const index of members) items[length++] = index;
    }
    this.items = items.subarray(0, length);
    this.element.setAttribute("aria-rowcount", String(length + 1));
    const total = this.rows.length;
    setText(this.countLine, shown === total ? "" : `Showing ${shown} of ${total} datasets`);
    this.virtualizer.setOptions(this.virtualOptions());
    this.virtualizer._willUpdate();
    if (toTop) this.jumpTo(0);
    this.draw();
  }

  /** Bring the page in line with the visible items: build those that came in, drop those that left, place them. */
  draw() {
    if (this.drawing) {
      this.redraw = true;
      return;
    }
    this.drawing = true;
    try {
      let rounds = 0;
      do {
        this.redraw = false;
        this.drawOnce();
        rounds += 1;
      } while (this.redraw && rounds < MAX_REDRAWS);
      if (this.redraw) requestAnimationFrame(() => this.draw());
    } finally {
      this.drawing = false;
    }
  }

  drawOnce() {
    const virtualItems = this.virtualizer.getVirtualItems();
    const wanted = new Map();
    const added = [];
    for (const item of virtualItems) {
      const code = this.items[item.index];
      const key = this.itemKey(code);
      let view = this.built.get(key);
      if (!view) {
        view = this.build(code);
        added.push(view);
      } else if (code >= 0) {
        view.index = code;
      } else {
        view.setExpanded(!this.collapsed.has(this.groups[-code - 1].path));
      }
      wanted.set(key, view);
      const { element } = view;
      const index = String(item.index);
      if (element.dataset.index !== index) {
        element.dataset.index = index;
        element.setAttribute("aria-rowindex", String(item.index + 2));
      }
      const transform = `translateY(${item.start}px)`;
      if (element.style.transform !== transform) element.style.transform = transform;
    }
    const { activeElement } = this.list.ownerDocument;
    const focused = this.list.contains(activeElement) ? activeElement : null;
    for (const [key, view] of this.built) {
      if (wanted.has(key)) continue;
      view.dispose();
      view.element.remove();
    }
    this.built = wanted;
    // Page order = display order, for Tab and screen readers; elements already in place are not moved.
    let cursor = this.list.firstChild;
    for (const { element } of wanted.values()) {
      if (element === cursor) cursor = cursor.nextSibling;
      else this.list.insertBefore(element, cursor);
    }
    if (focused && focused.isConnected && this.list.ownerDocument.activeElement !== focused) focused.focus({ preventScroll: true });
    const height = `${this.virtualizer.getTotalSize()}px`;
    if (this.list.style.height !== height) this.list.style.height = height;
    for (const view of added) this.virtualizer.measureElement(view.element);
  }

  build(code) {
    if (code < 0) {
      const group = this.groups[-code - 1];
      const header = new GroupHeader(group, this);
      header.setExpanded(!this.collapsed.has(group.path));
      return header;
    }
    const view = new RowView(this.shownRow(code), this.rowContext);
    view.index = code;
    view.element.classList.add("nwbcw-item");
    return view;
  }

  clearBuilt() {
    for (const view of this.built.values()) {
      view.dispose();
      view.element.remove();
    }
    this.built = new Map();
  }

  /** Stop observing the page (the view is removed). */
  destroy() {
    this.clearBuilt();
    this.unmount();
  }
}
