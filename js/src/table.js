// The dataset table: rows grouped by neurodata object (collapsible), filtered by text and ordered by size.
import { el, setText } from "./dom.js";
import { RowView } from "./rows.js";

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
  ["actions", ""],
];

/** A group of rows: one neurodata object with its datasets. */
class GroupView {
  constructor(group, onToggle) {
    this.group = group;
    this.rows = [];
    this.expanded = true;
    this.toggle = el("button", {
      class: "nwbcw-group-toggle",
      attrs: { type: "button", "aria-expanded": "true" },
      on: { click: () => this.setExpanded(!this.expanded, onToggle) },
    }, [
      el("span", { class: "nwbcw-caret", attrs: { "aria-hidden": "true" } }),
      el("span", { class: "nwbcw-group-name", text: group.object_name }),
      el("span", { class: "nwbcw-type", text: group.neurodata_type }),
      el("span", { class: "nwbcw-group-path", text: group.path }),
      el("span", { class: "nwbcw-group-size", text: `${group.count} dataset${group.count === 1 ? "" : "s"} · ${group.size}` }),
    ]);
    this.body = el("div", { class: "nwbcw-group-body", attrs: { role: "rowgroup" } });
    this.element = el("section", { class: "nwbcw-group", attrs: { "data-group": group.path } }, [
      el("div", { class: "nwbcw-group-head" }, [this.toggle]),
      this.body,
    ]);
  }

  setExpanded(expanded, onToggle) {
    this.expanded = expanded;
    this.toggle.setAttribute("aria-expanded", String(expanded));
    this.body.hidden = !expanded;
    if (onToggle) onToggle();
  }
}

/** Renders every row once, then patches single rows as Python sends them. */
export class TableView {
  constructor(context) {
    this.context = context; // {codecs(), edit, reset}
    this.filterText = "";
    this.sort = "location";
    this.rowViews = [];
    this.byLocation = new Map();
    this.groupViews = [];
    this.countLine = el("div", { class: "nwbcw-count", attrs: { "aria-live": "polite" } });
    this.header = el("div", { class: "nwbcw-row nwbcw-header", attrs: { role: "row" } },
      COLUMNS.map(([key, label]) => el("div", { class: `nwbcw-cell nwbcw-c-${key}`, text: label, attrs: { role: "columnheader" } })));
    this.groupsBox = el("div", { class: "nwbcw-groups" });
    this.element = el("div", { class: "nwbcw-table", attrs: { role: "table", "aria-label": "dataset configurations" } }, [
      this.header,
      this.groupsBox,
    ]);
  }

  /** Build every group and row from scratch (new rows list from Python). */
  render(rows, groups) {
    const codecs = this.context.codecs();
    const rowContext = { codecs, edit: this.context.edit, reset: this.context.reset };
    const groupViews = new Map();
    for (const group of groups || []) groupViews.set(group.path, new GroupView(group));
    this.rowViews = [];
    this.byLocation = new Map();
    for (const row of rows || []) {
      let groupView = groupViews.get(row.group);
      if (!groupView) {
        groupView = new GroupView({ path: row.group, object_name: row.object_name, neurodata_type: row.neurodata_type, count: 0, size: "" });
        groupViews.set(row.group, groupView);
      }
      const view = new RowView(row, rowContext);
      view.group = groupView;
      groupView.rows.push(view);
      this.rowViews.push(view);
      this.byLocation.set(row.location, view);
    }
    this.groupViews = [...groupViews.values()];
    for (const groupView of this.groupViews) groupView.body.replaceChildren(...groupView.rows.map((view) => view.element));
    this.arrange();
  }

  /** Apply Python's changed rows: `[{index, row}]`. */
  patch(entries) {
    for (const { index, row } of entries) {
      const view = this.rowViews[index];
      if (view && view.location === row.location) view.update(row);
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

  /** Show the rows that match the filter, in the chosen order. */
  arrange() {
    const bySize = (a, b) => (this.sort === "size-asc" ? 1 : -1) * (a - b);
    let shown = 0;
    const ordered = [...this.groupViews];
    if (this.sort !== "location") {
      ordered.sort((a, b) => bySize(a.group.size_bytes || 0, b.group.size_bytes || 0));
      for (const groupView of ordered) {
        const rows = [...groupView.rows].sort((a, b) => bySize(a.row.size_bytes, b.row.size_bytes));
        groupView.body.replaceChildren(...rows.map((view) => view.element));
      }
    } else if (this.sortedBefore) {
      for (const groupView of ordered) groupView.body.replaceChildren(...groupView.rows.map((view) => view.element));
    }
    this.sortedBefore = this.sort !== "location";
    for (const groupView of ordered) {
      let visible = 0;
      for (const view of groupView.rows) {
        const match = view.matches(this.filterText);
        if (view.element.hidden === match) view.element.hidden = !match;
        visible += match ? 1 : 0;
      }
      groupView.element.hidden = visible === 0;
      shown += visible;
    }
    this.groupsBox.replaceChildren(...ordered.map((groupView) => groupView.element));
    const total = this.rowViews.length;
    setText(this.countLine, shown === total ? "" : `Showing ${shown} of ${total} datasets`);
  }
}
