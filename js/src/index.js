// anywidget entry point of ConfiguratorWidget: builds the view and keeps it in step with the Python model.
import { Actions } from "./actions.js";
import { el, setText } from "./dom.js";
import { InsightBar, InspectPanel } from "./insight.js";
import { OutputPanel } from "./output.js";
import { TableView } from "./table.js";
import { Notices, Toolbar, Unconfigurable } from "./toolbar.js";

/** Render the widget into `el`; returns a function that detaches it from the model. */
function render({ model, el: root }) {
  performance.mark("nwbcw:render:start");
  const notices = new Notices(model);
  const actions = new Actions(model, {
    timeoutSeconds: () => model.get("request_timeout"),
    onTimeout: (text) => notices.local("error", text),
  });
  const table = new TableView({
    codecs: () => model.get("codecs") || {},
    edit: (location, field, value) => actions.request("edit", { location, field, value }),
    reset: (location) => actions.request("reset_row", { location }),
    preview: (location) => actions.request("preview", { location }),
    inspect: (location) => actions.request("inspect", { location }),
  });
  const context = {
    model,
    actions,
    table,
    notify: (level, text) => notices.local(level, text),
    // A write the kernel stopped reporting on (it may have restarted): the widget can be used again meanwhile.
    onStalled: () => onStatus(),
  };
  const toolbar = new Toolbar(context);
  const unconfigurable = new Unconfigurable(model);
  const output = new OutputPanel(context);
  const insight = new InsightBar(context);
  const inspect = new InspectPanel(context);
  const title = el("div", { class: "nwbcw-title" }, [
    el("strong", { text: "NWB backend configuration" }),
    el("span", { class: "nwbcw-subtitle" }),
  ]);
  const body = el("fieldset", { class: "nwbcw-body" }, [toolbar.element, insight.element, table.countLine, table.element, inspect.element]);
  const container = el("div", { class: "nwbcw" }, [title, notices.element, body, unconfigurable.element, output.element]);
  root.replaceChildren(container);

  const showTitle = () => {
    const source = model.get("source_path");
    setText(title.lastChild, model.get("mode") === "repack" && source ? `Repacking ${source}` : "");
  };
  let renderQueued = false;
  const renderTable = () => {
    if (renderQueued) return;
    renderQueued = true;
    queueMicrotask(() => {
      renderQueued = false;
      table.render(model.get("rows"), model.get("groups"));
      toolbar.update();
    });
  };
  const onMessage = (message) => {
    if (actions.handleReply(message)) return;
    if (message && message.type === "patch") {
      const rows = model.get("rows");
      // Keep the model's copy current in place (as Python does), so a later view starts from the truth.
      for (const { index, row } of message.rows) if (rows && index < rows.length) rows[index] = row;
      table.patch(message.rows);
    }
  };
  function onStatus() {
    body.disabled = model.get("status") === "writing" && !output.stalled;
    output.update();
  }
  const listeners = [
    ["change:rows", renderTable],
    ["change:groups", renderTable],
    ["change:codecs", renderTable],
    ["change:totals", () => { toolbar.update(); insight.update(); }],
    ["change:backend", () => toolbar.update()],
    ["change:notices", () => notices.update()],
    ["change:unconfigurable", () => unconfigurable.update()],
    ["change:mode", showTitle],
    ["change:source_path", showTitle],
    ["msg:custom", onMessage],
    ["change:insight_menu", () => insight.update()],
    ["change:export", () => insight.update()],
    ["change:inspection", () => inspect.update()],
  ];
  for (const name of ["output_path", "overwrite", "target_exists", "output_info", "apply_blockers", "progress", "result", "error", "mode"]) {
    listeners.push([`change:${name}`, () => output.update()]);
  }
  listeners.push(["change:status", () => { output.heard(); onStatus(); }]);
  listeners.push(["change:progress", () => output.heard()]);
  for (const [event, handler] of listeners) model.on(event, handler);

  table.render(model.get("rows"), model.get("groups"));
  toolbar.update();
  showTitle();
  output.heard(); // a view shown while a write runs watches it too
  onStatus();
  performance.mark("nwbcw:render:built");
  // The first frame with the rows laid out and painted (read by benchmarks/widget_render.py).
  requestAnimationFrame(() => setTimeout(() => performance.mark("nwbcw:render:painted"), 0));
  return () => {
    for (const [event, handler] of listeners) model.off(event, handler);
    table.destroy();
    output.dispose();
  };
}

export default { render };
