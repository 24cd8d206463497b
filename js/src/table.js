// The dataset table: rows grouped by neurodata object (collapsible), filtered by text and ordered by size.
//
// Groups are cheap headers, gathered in pages of PAGE_GROUPS; the rows of a page's groups are built when the page
// comes near the visible part of the table (IntersectionObserver on pages, not on every group, which would cost
// time in every frame), so thousands of datasets render quickly. Filtering and ordering work on the row data.
import { el, setText } from "./dom.js";
import { RowView, rowMatches } from "./rows.js";

const COLUMNS = [
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

/** Height reserved per row of a group not built yet, so the scrollbar is about right. */
const ROW_HEIGHT_GUESS = 58;
/** Groups per page: the unit of lazy building and of off-screen rendering skipped by the browser. */
const PAGE_GROUPS = 24;

/** A group of rows: one neurodata object with its datasets. */
class GroupView {
  constructor(group, table) {
    this.group = group;
    this.table = table;
    this.indices = []; // positions of its rows in the rows list
    this.views = null; // RowViews once built
    this.expanded = true;
    this.toggle = el("button", {
      class: "nwbcw-group-toggle",
      attrs: { type: "button", "aria-expanded": "true" },
      on: { click: () => this.setExpanded(!this.expanded) },
    }, [
      el("span", { class: "nwbcw-caret", attrs: { "aria-hidden": "true" } }),
      el("span", { class: "nwbcw-group-name", text: group.object_name, attrs: { title: group.object_name } }),
      el("span", { class: "nwbcw-type", text: group.neurodata_type }),
      el("span", { class: "nwbcw-group-path", text: group.path, attrs: { title: group.path } }),
      el("span", { class: "nwbcw-group-size", text: `${group.count} dataset${group.count === 1 ? "" : "s"} · ${group.size}` }),
    ]);
    this.body = el("div", { class: "nwbcw-group-body", attrs: { role: "rowgroup" } });
    this.element = el("section", { class: "nwbcw-group", attrs: { "data-group": group.path } }, [
      // A row of its own (one cell, the toggle), so that the table holds only rows for assistive technology.
      el("div", { class: "nwbcw-group-head", attrs: { role: "row" } }, [el("div", { attrs: { role: "cell" } }, [this.toggle])]),
      this.body,
    ]);
  }

  get built() {
    return this.views !== null;
  }

  /** Create the row views (once) and lay them out. */
  build() {
    if (this.built) return;
    this.views = new Map();
    for (const index of this.indices) {
      const view = new RowView(this.table.rows[index], this.table.rowContext);
      this.views.set(index, view);
      this.table.views[index] = view;
    }
    this.body.style.minHeight = "";
    this.layout();
  }

  /** Put the rows in the table's order and hide those that do not match the filter. */
  layout() {
    const order = this.table.orderIndices(this.indices);
    if (!this.built) {
      const visible = order.filter((index) => rowMatches(this.table.rows[index], this.table.filterText)).length;
      const height = `${visible * ROW_HEIGHT_GUESS}px`;
      if (this.body.style.minHeight !== height) this.body.style.minHeight = height; // unchanged: no style work
      return visible;
    }
    let visible = 0;
    for (const index of order) {
      const view = this.views.get(index);
      const match = rowMatches(view.row, this.table.filterText);
      if (view.element.hidden === match) view.element.hidden = !match;
      visible += match ? 1 : 0;
    }
    const elements = order.map((index) => this.views.get(index).element);
    if (elements.some((element, position) => this.body.children[position] !== element)) this.body.replaceChildren(...elements);
    return visible;
  }

  setExpanded(expanded) {
    this.expanded = expanded;
    this.toggle.setAttribute("aria-expanded", String(expanded));
    this.body.hidden = !expanded;
    if (expanded && !this.built && !this.table.observer) this.build();
  }
}

/** Renders groups at once and rows as they come into view, then patches single rows as Python sends them. */
export class TableView {
  constructor(context) {
    this.context = context; // {codecs(), edit, reset}
    this.filterText = "";
    this.sort = "location";
    this.rows = [];
    this.views = [];
    this.groupViews = [];
    this.countLine = el("div", { class: "nwbcw-count", attrs: { "aria-live": "polite" } });
    this.header = el("div", { class: "nwbcw-row nwbcw-header", attrs: { role: "row" } },
      COLUMNS.map(([key, label, hidden]) => el("div", { class: `nwbcw-cell nwbcw-c-${key}`, text: hidden ? null : label, attrs: { role: "columnheader" } },
        hidden ? [el("span", { class: "nwbcw-sr-only", text: label })] : [])));
    this.groupsBox = el("div", { class: "nwbcw-groups" });
    this.element = el("div", { class: "nwbcw-table", attrs: { role: "table", "aria-label": "dataset configurations" } }, [
      this.header,
      this.groupsBox,
    ]);
    this.observer = typeof IntersectionObserver === "function"
      ? new IntersectionObserver((entries) => this.onIntersect(entries), { root: this.element, rootMargin: "800px 0px" })
      : null;
  }

  onIntersect(entries) {
    for (const entry of entries) {
      if (!entry.isIntersecting || !entry.target.nwbcwGroups) continue;
      for (const groupView of entry.target.nwbcwGroups) {
        if (!groupView.built) {
          groupView.build();
          groupView.layout();
        }
      }
      this.observer.unobserve(entry.target);
    }
  }

  /** Build every group (rows follow as they come into view) from a new rows list from Python.
   *
   * A new list of the same datasets in the same groups (a bulk change: apply-to-all, reset all, a preset) only
   * updates the rows already built, keeping the place, the open groups and the built rows: with 10,000 datasets,
   * rebuilding every group for it took seconds. */
  render(rows, groups) {
    const groupsKey = JSON.stringify([groups || [], this.context.codecs()]); // a backend switch rebuilds the editors
    if (this.sameDatasets(rows || [], groupsKey)) {
      this.refreshAll(rows);
      return;
    }
    this.groupsKey = groupsKey;
    if (this.observer) this.observer.disconnect();
    this.rows = rows || [];
    this.views = new Array(this.rows.length);
    this.rowContext = { codecs: this.context.codecs(), edit: this.context.edit, reset: this.context.reset,
      preview: this.context.preview, inspect: this.context.inspect };
    const groupViews = new Map();
    for (const group of groups || []) groupViews.set(group.path, new GroupView(group, this));
    this.rows.forEach((row, index) => {
      let groupView = groupViews.get(row.group);
      if (!groupView) {
        groupView = new GroupView({ path: row.group, object_name: row.object_name, neurodata_type: row.neurodata_type, count: 0, size: "" }, this);
        groupViews.set(row.group, groupView);
      }
      groupView.indices.push(index);
    });
    this.groupViews = [...groupViews.values()];
    if (!this.observer) for (const groupView of this.groupViews) groupView.build();
    this.pageOrder = null;
    this.arrange();
  }

  /** Whether `rows` are the datasets shown now, in the same order and groups, with the same codec menus. */
  sameDatasets(rows, groupsKey) {
    if (groupsKey !== this.groupsKey || rows.length !== this.rows.length || rows.length === 0) return false;
    return rows.every((row, index) => row.location === this.rows[index].location && row.group === this.rows[index].group);
  }

  /** Take a new rows list of the same datasets: update the built rows, then filter and order again. */
  refreshAll(rows) {
    this.rows = rows;
    this.views.forEach((view, index) => view.update(rows[index]));
    this.arrange();
  }

  /** The row view of a dataset, building its group if needed (e.g. to focus it from outside). */
  rowView(location) {
    const index = this.rows.findIndex((row) => row.location === location);
    if (index < 0) return null;
    const groupView = this.groupViews.find((group) => group.indices.includes(index));
    groupView.build();
    return this.views[index];
  }

  /** Apply Python's changed rows: `[{index, row}]`. */
  patch(entries) {
    for (const { index, row } of entries) {
      if (index >= this.rows.length || this.rows[index].location !== row.location) continue;
      this.rows[index] = row;
      const view = this.views[index];
      if (view) view.update(row);
    }
  }

  setFilter(text) {
    this.filterText = String(text || "").trim().toLowerCase();
    this.arrange();
  }

  setSort(mode) {
    this.sort = mode;
    this.arrange();
  }

  setAllExpanded(expanded) {
    for (const groupView of this.groupViews) groupView.setExpanded(expanded);
  }

  /** Row positions in display order. */
  orderIndices(indices) {
    if (this.sort === "location") return indices;
    const sign = this.sort === "size-asc" ? 1 : -1;
    return [...indices].sort((a, b) => sign * (this.rows[a].size_bytes - this.rows[b].size_bytes));
  }

  /** Gather the groups, in order, into pages; observe the pages whose rows are not built yet. */
  paginate(ordered) {
    const key = ordered.map((groupView) => groupView.group.path).join("\u0000");
    if (key === this.pageOrder) return;
    this.pageOrder = key;
    if (this.observer) this.observer.disconnect();
    const pages = [];
    for (let start = 0; start < ordered.length; start += PAGE_GROUPS) {
      const members = ordered.slice(start, start + PAGE_GROUPS);
      const page = el("div", { class: "nwbcw-page" }, members.map((groupView) => groupView.element));
      page.nwbcwGroups = members;
      if (this.observer && members.some((groupView) => !groupView.built)) this.observer.observe(page);
      pages.push(page);
    }
    this.groupsBox.replaceChildren(...pages);
  }

  /** Show the rows that match the filter, in the chosen order. */
  arrange() {
    const ordered = [...this.groupViews];
    if (this.sort !== "location") {
      const sign = this.sort === "size-asc" ? 1 : -1;
      ordered.sort((a, b) => sign * ((a.group.size_bytes || 0) - (b.group.size_bytes || 0)));
    }
    let shown = 0;
    for (const groupView of ordered) {
      const visible = groupView.layout();
      if (groupView.element.hidden !== (visible === 0)) groupView.element.hidden = visible === 0; // thousands of groups
      shown += visible;
    }
    this.paginate(ordered);
    const total = this.rows.length;
    setText(this.countLine, shown === total ? "" : `Showing ${shown} of ${total} datasets`);
  }
}
