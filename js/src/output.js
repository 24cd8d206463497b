// Output path, overwrite choice, Apply, progress, result and write errors (with the full traceback).
import { debounce, el, replaceChildren, setText, setTitle } from "./dom.js";

/** Numbers the views, so that each one's label names its own path box (a widget may be shown more than once). */
let views = 0;

export class OutputPanel {
  constructor(context) {
    this.context = context;
    const { model } = context;
    views += 1;
    const pathId = `nwbcw-path-${views}`;
    this.pathInput = el("input", {
      class: "nwbcw-path",
      attrs: { id: pathId, type: "text", spellcheck: "false", autocomplete: "off", placeholder: "e.g. session.nwb" },
    });
    const savePath = debounce(() => {
      model.set("output_path", this.pathInput.value);
      model.save_changes();
    }, 200);
    this.pathInput.addEventListener("input", savePath);
    this.pathInput.addEventListener("blur", () => savePath.flush());
    this.pathInput.addEventListener("keydown", (event) => {
      if (event.key === "Enter") savePath.flush();
      else if (event.key === "Escape") {
        // Back to Python's path; the typed one is never sent.
        event.preventDefault();
        event.stopPropagation();
        savePath.cancel();
        this.pathInput.value = model.get("output_path") || "";
      }
    });
    this.savePath = savePath;
    this.overwrite = el("input", { class: "nwbcw-overwrite", attrs: { type: "checkbox", "aria-label": "overwrite the existing file" } });
    this.overwrite.addEventListener("change", () => {
      model.set("overwrite", this.overwrite.checked);
      model.save_changes();
    });
    this.overwriteLabel = el("label", { class: "nwbcw-overwrite-label" }, [this.overwrite, el("span", { text: "Overwrite the existing file" })]);
    this.applyButton = el("button", {
      class: "nwbcw-button nwbcw-primary nwbcw-apply",
      attrs: { type: "button" },
      on: { click: () => this.apply() },
    });
    this.cancelButton = el("button", {
      class: "nwbcw-button nwbcw-cancel",
      text: "Cancel",
      attrs: { type: "button", title: "Stop the write; nothing is left at the output path" },
      on: { click: () => this.cancel() },
    });
    this.info = el("div", { class: "nwbcw-output-info" });
    this.blockers = el("ul", { class: "nwbcw-blockers" });
    this.replyError = el("div", { class: "nwbcw-msg nwbcw-msg-error", attrs: { role: "alert" } });
    this.progressFill = el("div", { class: "nwbcw-progress-fill" });
    this.progressBar = el("div", { class: "nwbcw-progress-bar", attrs: { role: "progressbar", "aria-valuemin": "0", "aria-valuemax": "100" } }, [this.progressFill]);
    this.progressText = el("div", { class: "nwbcw-progress-text" });
    this.progressCurrent = el("div", { class: "nwbcw-progress-current" });
    this.progress = el("div", { class: "nwbcw-progress" }, [this.progressBar, this.progressText, this.progressCurrent]);
    this.result = el("div", { class: "nwbcw-result" });
    this.error = el("div", { class: "nwbcw-error" });
    this.element = el("div", { class: "nwbcw-output" }, [
      el("div", { class: "nwbcw-output-row" }, [
        el("label", { class: "nwbcw-label", text: "Output path", attrs: { for: pathId } }),
        this.pathInput,
        this.overwriteLabel,
        this.applyButton,
        this.cancelButton,
      ]),
      this.info,
      this.blockers,
      this.replyError,
      this.progress,
      this.result,
      this.error,
    ]);
    this.update();
  }

  async apply() {
    this.savePath.flush();
    setText(this.replyError, "");
    this.applyButton.disabled = true;
    const reply = await this.context.actions.request("apply");
    if (!reply.ok) setText(this.replyError, reply.error);
    this.update();
  }

  async cancel() {
    this.cancelButton.disabled = true;
    const reply = await this.context.actions.request("cancel");
    if (!reply.ok) setText(this.replyError, reply.error);
  }

  update() {
    const { model } = this.context;
    const path = model.get("output_path") || "";
    if (this.pathInput !== this.pathInput.ownerDocument.activeElement && !this.savePath.pending() && this.pathInput.value !== path) {
      this.pathInput.value = path;
    }
    const status = model.get("status");
    const blockers = model.get("apply_blockers") || [];
    const writing = status === "writing";
    this.overwriteLabel.hidden = !model.get("target_exists");
    this.overwrite.checked = Boolean(model.get("overwrite"));
    const label = model.get("mode") === "repack" ? "Repack" : "Apply";
    setText(this.applyButton, writing && !this.stalled ? "Writing…" : label);
    this.applyButton.disabled = (writing && !this.stalled) || blockers.length > 0;
    this.cancelButton.hidden = !writing;
    this.cancelButton.disabled = !writing;
    this.applyButton.title = blockers.join(" ");
    setText(this.info, model.get("output_info"));
    const blockerKey = JSON.stringify(blockers);
    if (blockerKey !== this.blockerKey) {
      this.blockerKey = blockerKey;
      this.blockers.replaceChildren(...blockers.map((text) => el("li", { text })));
    }
    this.showProgress(status, model.get("progress") || {});
    this.showResult(status, model.get("result") || {});
    this.showError(status, model.get("error") || {});
  }

  /**
   * Called when Python reports (progress or status). While writing, Python reports at least every 2 s; a silence of
   * `request_timeout` seconds means the kernel may have restarted (or be busy with other code): the view says so and
   * can be used again, instead of showing "Writing…" for ever. Python's next report takes that back.
   */
  heard() {
    clearTimeout(this.watchdog);
    const writing = this.context.model.get("status") === "writing";
    if (this.stalled) this.setStalled(false);
    if (!writing) return;
    const seconds = Number(this.context.model.get("request_timeout")) || 60;
    this.watchdog = setTimeout(() => this.setStalled(true, seconds), seconds * 1000);
  }

  setStalled(stalled, seconds = 0) {
    this.stalled = stalled;
    if (this.withdrawStall) this.withdrawStall();
    this.withdrawStall = stalled
      ? this.context.notify("error", `No news of the write from the kernel for ${seconds} s; it may have restarted (run the cell again) or be busy with other code (its progress then comes back here).`)
      : null;
    if (this.context.onStalled) this.context.onStalled(stalled);
    this.update();
  }

  /** Stop watching (the view is removed). */
  dispose() {
    clearTimeout(this.watchdog);
  }

  showProgress(status, progress) {
    this.progress.hidden = !(status === "writing" || (status === "done" && progress.bytes_total));
    const percent = Math.round((progress.fraction || 0) * 1000) / 10;
    this.progressFill.style.width = `${percent}%`;
    this.progressBar.setAttribute("aria-valuenow", String(percent));
    const elapsed = progress.elapsed_text ? `, ${progress.elapsed_text}` : "";
    setText(this.progressText, progress.text ? `${progress.text} (${progress.percent_text}${elapsed})` : "");
    setText(this.progressCurrent, progress.current ? `Current: ${progress.current}` : "");
    setTitle(this.progressCurrent, progress.current || "");
  }

  showResult(status, result) {
    const key = status === "done" ? JSON.stringify(result) : "";
    if (key === this.resultKey) return;
    this.resultKey = key;
    if (!key) {
      this.result.replaceChildren();
      return;
    }
    const rows = (result.datasets || []).map((entry) =>
      el("tr", {}, [
        el("td", { class: "nwbcw-result-location", text: entry.location, attrs: { title: entry.location } }),
        el("td", { class: "nwbcw-num", text: entry.uncompressed }),
        el("td", { class: "nwbcw-num", text: entry.stored }),
        el("td", { class: "nwbcw-num", text: entry.ratio_text }),
      ]),
    );
    replaceChildren(this.result, [
      el("div", { class: "nwbcw-result-head", attrs: { role: "status" } }, [
        el("strong", { text: "Written: " }),
        el("code", { text: result.path }),
        el("span", { text: ` · ${result.size} · ${result.time} · overall ratio ${result.overall_ratio_text}` }),
      ]),
      result.note ? el("div", { class: "nwbcw-msg nwbcw-msg-warning", text: result.note }) : null,
      el("details", { class: "nwbcw-result-details" }, [
        el("summary", { text: `Compression per dataset (${rows.length})` }),
        el("table", { class: "nwbcw-result-table" }, [
          el("thead", {}, [el("tr", {}, ["Dataset", "Uncompressed", "Stored", "Ratio"].map((text) => el("th", { text })))]),
          el("tbody", {}, rows),
        ]),
      ]),
    ]);
  }

  showError(status, error) {
    const key = status === "error" ? JSON.stringify(error) : "";
    if (key === this.errorKey) return;
    this.errorKey = key;
    if (!key) {
      this.error.replaceChildren();
      return;
    }
    this.error.replaceChildren(
      el("div", { class: "nwbcw-msg nwbcw-msg-error", attrs: { role: "alert" } }, [
        el("strong", { text: "The write failed: " }),
        el("span", { text: `${error.type}: ${error.message}` }),
      ]),
      el("details", { class: "nwbcw-traceback" }, [el("summary", { text: "Traceback" }), el("pre", { text: error.traceback })]),
    );
  }
}
