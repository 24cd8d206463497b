"""ConfiguratorWidget: see and edit the backend configuration of every dataset of an NWB file, then write it.

>>> from pynwb import TimeSeries
>>> from pynwb.testing.mock.file import mock_NWBFile
>>> nwbfile = mock_NWBFile()
>>> nwbfile.add_acquisition(TimeSeries(name="ts", data=list(range(100)), unit="m", rate=1.0))
>>> widget = ConfiguratorWidget(nwbfile, backend="hdf5")
>>> widget.backend_configuration.dataset_configurations["acquisition/ts/data"].chunk_shape = (10,)
>>> widget.rows[0]["chunk_shape"], widget.rows[0]["number_of_chunks"]
([10], 10)

Contract with the browser view (``js/``):

- ``rows`` (one dict per dataset, built by :func:`nwbconfig_widget.widget.rows.build_row`) holds everything the view
  shows about a dataset. It is assigned whole when the set of datasets changes; a change of a few rows is sent as a
  ``{"type": "patch", "rows": [{"index", "row"}]}`` message and applied in place on both sides.
- ``groups``, ``totals``, ``codecs``, ``apply_blockers``, ``progress``, ``result``, ``error``, ``notices``:
  computed here.
- ``backend``, ``output_path``, ``overwrite``: set by the view (or in Python).
- Actions from the view are messages ``{"type": ..., "id": n, ...}`` answered by
  ``{"type": "reply", "id": n, "ok": bool, "error": text}``: ``edit`` (location, field, value as typed),
  ``reset_row``, ``reset_all``, ``apply_all`` (method, options), ``apply``, ``refresh``.
"""

from __future__ import annotations

import contextlib
import logging
import os
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anywidget
import traitlets

from ..backend_configuration import get_default_backend_configuration, get_existing_backend_configuration
from ..backends import check_backend, display_name, file_name, file_suffix, nwb_stem
from ..models import BackendConfiguration, ConfigurationError, DatasetIOConfiguration
from .edits import apply_edit, carry_over_edits, parse_options, settings_of
from .insight import InsightMixin
from .rows import RowState, RowTotals, build_groups, build_row, codec_menu
from .write_job import WriteJob, error_info

__all__ = ["ConfiguratorWidget"]

logger = logging.getLogger(__name__)

_STATIC = Path(__file__).parent.parent / "static"
#: More changed rows than this are sent as a whole new ``rows`` list rather than as a patch.
FULL_RESEND_ROWS = 400
#: Notices kept for the view (oldest dropped first).
MAX_NOTICES = 6


def _error_text(error: ConfigurationError, where: bool = False) -> str:
    """The reason and the fix; with ``where``, led by the dataset and the field (for messages outside the row)."""
    text = f"{error.reason[:1].upper()}{error.reason[1:]}." + (f" {error.fix}" if error.fix else "")
    return f"{error.location}, {error.field}: {text}" if where else text


class ConfiguratorWidget(InsightMixin, anywidget.AnyWidget):
    """An editable table of the chunking, buffering and compression of every dataset, with Apply to write the file.

    - ``ConfiguratorWidget(nwbfile, backend="hdf5", nwbfile_path=None)``: an in-memory NWBFile with default settings.
    - ``ConfiguratorWidget(nwbfile, backend_configuration=configuration)``: start from a configuration made in code.
    - ``ConfiguratorWidget.from_path(path)``: an existing ``.nwb`` / ``.nwb.zarr``; Apply repacks it to a new path.

    ``widget.backend_configuration`` is the live model: browser edits change it at once, and changes made to it in
    Python (a field, ``apply_global_compression``, a whole new configuration) show up in the browser. After adding or
    deleting entries of ``dataset_configurations`` in Python, call :meth:`refresh`.
    """

    _esm = _STATIC / "widget.js"
    _css = _STATIC / "widget.css"

    rows = traitlets.List(traitlets.Dict()).tag(sync=True)
    groups = traitlets.List(traitlets.Dict()).tag(sync=True)
    totals = traitlets.Dict().tag(sync=True)
    codecs = traitlets.Dict().tag(sync=True)
    unconfigurable = traitlets.List(traitlets.Dict()).tag(sync=True)
    backend = traitlets.Unicode("hdf5").tag(sync=True)
    mode = traitlets.Unicode("write").tag(sync=True)  # "write" an in-memory NWBFile, or "repack" a file
    source_path = traitlets.Unicode("").tag(sync=True)
    output_path = traitlets.Unicode("").tag(sync=True)
    overwrite = traitlets.Bool(False).tag(sync=True)
    target_exists = traitlets.Bool(False).tag(sync=True)
    output_info = traitlets.Unicode("").tag(sync=True)
    apply_blockers = traitlets.List(traitlets.Unicode()).tag(sync=True)
    status = traitlets.Unicode("idle").tag(sync=True)  # idle | writing | done | error
    progress = traitlets.Dict().tag(sync=True)
    result = traitlets.Dict().tag(sync=True)
    error = traitlets.Dict().tag(sync=True)
    notices = traitlets.List(traitlets.Dict()).tag(sync=True)

    def __init__(
        self,
        nwbfile: Any,
        backend: str | None = "hdf5",
        nwbfile_path: str | os.PathLike | None = None,
        backend_configuration: BackendConfiguration | None = None,
        **kwargs: Any,
    ):
        if backend_configuration is not None:
            if backend is not None and backend != "hdf5" and backend != backend_configuration.backend:
                raise ValueError(
                    f"backend={backend!r} disagrees with the {backend_configuration.backend} configuration given"
                )
            backend = backend_configuration.backend
        backend = backend or "hdf5"
        check_backend(backend)
        self._source_path: Path | None = kwargs.pop("_source_path", None)
        self._source_io: Any = kwargs.pop("_source_io", None)
        self._allow_pickle: bool = kwargs.pop("_allow_pickle", False)
        self._configuration: BackendConfiguration | None = None
        self._switching = False
        super().__init__(**kwargs)
        self._insight_init()  # preview, access cost, codec comparison, presets, export (widget_insight.py)
        self.nwbfile = nwbfile
        self._defaults: dict[str, BackendConfiguration] = {}
        self._states: dict[str, RowState] = {}
        self._index: dict[str, int] = {}
        self._totals = RowTotals()
        self._observed: dict[int, DatasetIOConfiguration] = {}
        self._dirty: set[str] = set()
        self._batch_depth = 0
        self._flush_scheduled = False
        self._job: WriteJob | None = None
        #: The exception of the last failed Apply (its traceback is also shown in the widget).
        self.last_error: BaseException | None = None
        if self._source_path is not None:
            self.mode, self.source_path = "repack", str(self._source_path)
        if backend_configuration is None:
            backend_configuration = self._default_configuration(backend).copy()
        self.backend_configuration = backend_configuration
        if nwbfile_path is not None:
            self.output_path = str(nwbfile_path)
        elif self._source_path is not None:
            self.output_path = self._repack_target(self._source_path, backend)
        self._update_output_info()
        self.on_msg(self._on_message)

    # ------------------------------------------------------------------------------------------------- entry points

    @classmethod
    def from_path(
        cls, path: str | os.PathLike, nwbfile_path: str | os.PathLike | None = None, allow_pickle: bool = False
    ) -> ConfiguratorWidget:
        """A widget showing the existing configuration of an ``.nwb`` or ``.nwb.zarr`` file; Apply repacks it.

        The file stays open read-only while the widget lives; :meth:`close` closes it. ``allow_pickle=True`` lets a
        Zarr file you trust be read although it stores object references with Python's pickle (as hdmf-zarr does),
        for as long as the widget is open, and is passed to :func:`nwbconfig_widget.repack_nwbfile` by Apply.
        """
        from ..io import pickle_opt_in
        from ..io.remote import as_location
        from ..io.repack import open_nwbfile

        source = as_location(path)  # a local Path, or an https:// / s3:// address read where it lives
        if allow_pickle:
            pickle_opt_in.hold()  # released by close()
        try:
            with pickle_opt_in.pickle_decoding(False, what=str(source)):
                io = open_nwbfile(source)
                try:
                    nwbfile = io.read()
                    with warnings.catch_warnings(record=True) as caught:
                        warnings.simplefilter("always")
                        configuration = get_existing_backend_configuration(nwbfile)
                except BaseException:
                    io.close()
                    raise
        except BaseException:
            if allow_pickle:
                pickle_opt_in.release()
            raise
        widget = cls(
            nwbfile,
            backend_configuration=configuration,
            nwbfile_path=nwbfile_path,
            _source_path=source,
            _source_io=io,
            _allow_pickle=allow_pickle,
        )
        for warning in caught:
            widget._notice("warning", str(warning.message))
        return widget

    @classmethod
    def from_converter(
        cls,
        converter: Any,
        metadata: dict | None = None,
        backend: str = "hdf5",
        nwbfile_path: str | os.PathLike | None = None,
        conversion_options: dict | None = None,
    ) -> ConfiguratorWidget:
        """A widget on the NWBFile a NeuroConv converter or interface builds; Apply runs its own conversion.

        The NWBFile comes from ``converter.create_nwbfile(metadata=...)`` (``metadata`` defaults to
        ``converter.get_metadata()``). Apply converts the chosen configuration to NeuroConv's model
        (:func:`nwbconfig_widget.neuroconv_interop.to_neuroconv`) and runs ``converter.run_conversion(nwbfile_path=...,
        metadata=..., backend_configuration=...)`` in the background; NeuroConv 0.10 refuses an in-memory ``nwbfile``
        together with a configuration, so it builds the file again and matches the datasets by location. Needs
        NeuroConv 0.10.x (``pip install "neuroconv[ecephys-minimal]==0.10.2"``).
        """
        from ..neuroconv_interop import require_neuroconv, write_with_converter

        require_neuroconv()
        metadata = converter.get_metadata() if metadata is None else metadata
        nwbfile = converter.create_nwbfile(metadata=metadata, conversion_options=conversion_options)
        widget = cls(nwbfile, backend=backend, nwbfile_path=nwbfile_path)
        widget.converter = converter

        def apply() -> WriteJob:
            """Run the converter's conversion with the configuration shown, in a worker thread; returns the job."""
            widget._update_output_info()
            if widget.apply_blockers:
                raise ValueError(" ".join(widget.apply_blockers))
            snapshot = widget._configuration.copy()
            target, overwrite = widget._target(), widget.overwrite

            def write(progress, cancel):
                path = write_with_converter(
                    converter, target, snapshot, nwbfile=nwbfile, metadata=metadata, overwrite=overwrite,
                    conversion_options=conversion_options,
                )  # fmt: skip
                progress("", snapshot.total_uncompressed_bytes)  # NeuroConv reports no progress of its own
                return path

            widget.result, widget.error, widget.last_error = {}, {}, None
            widget.progress = {"bytes_done": 0, "fraction": 0.0, "text": "NeuroConv is writing…", "percent_text": "",
                               "current": ""}  # fmt: skip
            widget.status = "writing"
            widget._update_blockers()
            widget._job = WriteJob(write, snapshot, widget._on_progress, widget._on_done, widget._on_failed)
            widget._job.start()
            return widget._job

        widget.apply = apply
        return widget

    def close(self) -> None:
        """Close the widget and the file it was opened from (if any)."""
        if getattr(self, "_source_io", None) is not None:
            with contextlib.suppress(Exception):
                self._source_io.close()
            self._source_io = None
            if self._allow_pickle:
                from ..io import pickle_opt_in

                pickle_opt_in.release()
        super().close()

    # --------------------------------------------------------------------------------------------- the live model

    @property
    def backend_configuration(self) -> BackendConfiguration:
        """The live configuration every row shows and edits."""
        return self._configuration

    @backend_configuration.setter
    def backend_configuration(self, configuration: BackendConfiguration) -> None:
        if not isinstance(configuration, BackendConfiguration):
            raise TypeError(f"expected a BackendConfiguration, got {type(configuration).__name__}")
        self._configuration = configuration
        with self.hold_sync():  # one message: the view re-renders once
            self._switching = True
            try:
                self.backend = configuration.backend
            finally:
                self._switching = False
            self.codecs = codec_menu(configuration.backend)
            self._states = {}
            self.refresh()

    def refresh(self) -> None:
        """Rebuild every row from the live configuration (after adding or deleting datasets in Python)."""
        configuration = self._configuration
        current = {id(item): item for item in configuration}
        for key, item in list(self._observed.items()):
            if key not in current:
                item.unobserve(self._on_model_change)
                del self._observed[key]
        for key, item in current.items():
            if key not in self._observed:
                item.observe(self._on_model_change)
                self._observed[key] = item
        self._states = {
            item.location_in_file: self._states.get(item.location_in_file, RowState()) for item in configuration
        }
        self._index = {item.location_in_file: index for index, item in enumerate(configuration)}
        defaults = self._defaults_for_rows()
        self._dirty.clear()
        rows = [
            build_row(item, self._states[item.location_in_file], defaults.get(item.location_in_file))
            for item in configuration
        ]
        self._totals = RowTotals(rows)
        self.rows = rows
        self.groups = build_groups(configuration)
        self._insight_refresh()
        self.unconfigurable = [
            {"location": location, "reason": reason}
            for location, reason in configuration.unconfigurable_datasets.items()
        ]
        self._update_summary()

    def _default_configuration(self, backend: str) -> BackendConfiguration:
        if backend not in self._defaults:
            self._defaults[backend] = get_default_backend_configuration(self.nwbfile, backend=backend)
        return self._defaults[backend]

    def _defaults_for_rows(self) -> dict[str, DatasetIOConfiguration]:
        try:
            return self._default_configuration(self._configuration.backend).dataset_configurations
        except Exception as error:  # e.g. an NWBFile whose file was closed: rows still show, without "edited" marks
            self._notice(
                "warning", f"Default settings unavailable ({type(error).__name__}: {error}); reset is disabled."
            )
            return {}

    def _on_model_change(self, configuration: DatasetIOConfiguration, changed_fields: list[str]) -> None:
        location = configuration.location_in_file
        state = self._states.get(location)
        if state is None:
            return
        state.clear(changed_fields)
        self._dirty.add(location)
        self._schedule_flush()

    @contextlib.contextmanager
    def _batch(self) -> Iterator[None]:
        self._batch_depth += 1
        try:
            yield
        finally:
            self._batch_depth -= 1
            if self._batch_depth == 0:
                self._flush()

    def _schedule_flush(self) -> None:
        if self._batch_depth:
            return
        shell = _kernel_shell()
        if shell is None:
            self._flush()
        elif not self._flush_scheduled:
            # Inside a notebook cell: send the changes of the whole cell at once when it finishes.
            self._flush_scheduled = True
            shell.events.register("post_execute", self._flush_after_cell)

    def _flush_after_cell(self) -> None:
        shell = _kernel_shell()
        if shell is not None:
            with contextlib.suppress(ValueError):
                shell.events.unregister("post_execute", self._flush_after_cell)
        self._flush_scheduled = False
        self._flush()

    def _flush(self) -> None:
        """Send the rows that changed since the last flush: patched in place, or all at once when many changed."""
        if not self._dirty:
            return
        dirty, self._dirty = self._dirty, set()
        defaults = self._defaults_for_rows()
        changed = {}
        for location in dirty:
            index = self._index.get(location)
            if index is not None:
                item = self._configuration.dataset_configurations[location]
                changed[index] = build_row(item, self._states[location], defaults.get(location))
        for index, row in changed.items():
            self._totals.replace(self.rows[index], row)
        if len(changed) > FULL_RESEND_ROWS:
            rows = list(self.rows)
            for index, row in changed.items():
                rows[index] = row
            self.rows = rows
        elif changed:
            rows = self.rows
            for index, row in changed.items():
                rows[index] = row  # in place: the trait keeps the truth without re-sending every row
            self.send({"type": "patch", "rows": [{"index": index, "row": changed[index]} for index in sorted(changed)]})
        self._update_summary()

    def _update_summary(self) -> None:
        self.totals = self._totals.as_dict(len(self._configuration.unconfigurable_datasets))
        self._refresh_inspection()
        self._update_blockers()

    # ------------------------------------------------------------------------------------------------------ actions

    def _on_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if not isinstance(content, dict):
            return
        kind, request_id = content.get("type"), content.get("id")
        handler = getattr(self, f"_action_{kind}", None)
        try:
            if handler is None:
                raise ValueError(f"unknown action {kind!r}")
            if self.status == "writing" and kind not in ("refresh", "cancel"):
                raise RuntimeError("a write is running; wait until it has finished")
            with self._batch():
                handler(content)
        except Exception as error:  # never lost: replied to the view and listed in the notices
            logger.exception("widget action %r failed", kind)
            if isinstance(error, ConfigurationError):
                text = _error_text(error, where=kind != "edit")  # an edit's error stands next to its field
            else:
                text = f"{type(error).__name__}: {error}"
            if kind != "edit":
                self._notice("error", text, error_info(error)["traceback"])
            self.send({"type": "reply", "id": request_id, "ok": False, "error": text})
            return
        self.send({"type": "reply", "id": request_id, "ok": True})

    def _item(self, location: str) -> DatasetIOConfiguration:
        try:
            return self._configuration.dataset_configurations[location]
        except (KeyError, TypeError):  # TypeError: a location that is not text (a malformed message)
            raise KeyError(f"no dataset {location!r} in this configuration") from None

    def _action_edit(self, content: dict) -> None:
        location, field, value = content.get("location"), content.get("field"), content.get("value")
        item = self._item(location)
        state = self._states[location]
        try:
            note = apply_edit(item, field, value)
        except ConfigurationError as error:
            state.drafts[field], state.errors[field] = value, _error_text(error)
            state.notes.pop(field, None)
            self._dirty.add(location)
            return
        state.clear([field])
        if note:
            state.notes[field] = note
        self._retry_drafts(item, state)
        self._dirty.add(location)

    def _retry_drafts(self, item: DatasetIOConfiguration, state: RowState) -> None:
        """Drafts rejected because of another field may fit now that that field changed."""
        for field, value in list(state.drafts.items()):
            try:
                note = apply_edit(item, field, value)
            except ConfigurationError as error:
                state.errors[field] = _error_text(error)
                continue
            state.clear([field])
            if note:
                state.notes[field] = note

    def _action_reset_row(self, content: dict) -> None:
        self.reset(content.get("location"))

    def _action_reset_all(self, _content: dict) -> None:
        self.reset()

    def _action_apply_all(self, content: dict) -> None:
        method = content.get("method") or None
        self._configuration.apply_global_compression(method, parse_options(content.get("options")))
        count = len(self._configuration)
        self._notice("info", f"Compression {method or 'none'} set for all {count} datasets.")

    def _action_apply(self, _content: dict) -> None:
        self.apply()

    def _action_cancel(self, _content: dict) -> None:
        self.cancel()

    def cancel(self) -> None:
        """Stop a running write; the target is left as it was (nothing new is written there)."""
        if self._job is not None and self._job.thread.is_alive():
            self._job.cancel_event.set()

    def _action_refresh(self, _content: dict) -> None:
        self.refresh()

    def reset(self, location: str | None = None) -> None:
        """Put one dataset (or every dataset) back to the default settings of the current backend."""
        defaults = self._default_configuration(self._configuration.backend).dataset_configurations
        items = [self._item(location)] if location is not None else list(self._configuration)
        with self._batch():
            for item in items:
                default = defaults.get(item.location_in_file)
                state = self._states[item.location_in_file]
                if default is not None:
                    item.update(**settings_of(default))
                state.clear()
                self._dirty.add(item.location_in_file)

    # ------------------------------------------------------------------------------------------ backend switching

    @traitlets.observe("backend")
    def _on_backend(self, change: dict) -> None:
        if self._switching or self._configuration is None or change["new"] == self._configuration.backend:
            return
        try:
            self.switch_backend(change["new"])
        except Exception as error:
            self._notice(
                "error",
                f"Could not switch to {change['new']}: {type(error).__name__}: {error}",
                error_info(error)["traceback"],
            )
            self._switching = True
            try:
                self.backend = change["old"]
            finally:
                self._switching = False

    def switch_backend(self, backend: str) -> None:
        """Use the defaults of another backend, keeping the user's valid edits; notes the edits that cannot be kept."""
        check_backend(backend)
        old = self._configuration
        old_defaults = self._default_configuration(old.backend)
        new = self._default_configuration(backend).copy()
        menu = codec_menu(backend)
        dropped = carry_over_edits(old, old_defaults, new, menu["compression_methods"], menu["filter_methods"])
        previous_path = self.output_path
        self.backend_configuration = new  # also stops observing the old configuration
        if previous_path.endswith(file_suffix(old.backend)):
            self.output_path = previous_path[: -len(file_suffix(old.backend))] + file_suffix(backend)
        self._notice(
            "info",
            f"Switched to {display_name(backend)} defaults"
            + (f"; {len(dropped)} edit(s) could not be kept." if dropped else "; your edits were kept."),
            "\n".join(dropped),
        )

    # --------------------------------------------------------------------------------------------------- the output

    @staticmethod
    def _repack_target(source: Path, backend: str) -> str:
        return str(source.with_name(file_name(f"{nwb_stem(source.name)}_repacked", backend)))

    def _target(self) -> Path | None:
        text = self.output_path.strip()
        return Path(text).expanduser() if text else None

    @traitlets.observe("output_path", "overwrite")
    def _on_output(self, _change: dict) -> None:
        if self._configuration is not None:
            self._update_output_info()

    def _update_output_info(self) -> None:
        target = self._target()
        self.target_exists = bool(target is not None and (target.exists() or target.is_symlink()))
        if target is None:
            self.output_info = ""
        else:
            kind = "a Zarr folder" if self._configuration.backend == "zarr" else "an HDF5 file"
            self.output_info = f"Writes {kind} at {target.resolve()}"
        self._update_blockers()

    def _update_blockers(self) -> None:
        blockers = []
        totals = self.totals
        if totals.get("invalid"):
            blockers.append(f"{totals['invalid']} dataset(s) have invalid settings; fix or reset them.")
        target = self._target()
        if target is None:
            blockers.append("Choose an output path.")
        else:
            if self.target_exists and not self.overwrite:
                blockers.append(f"{target} exists; tick Overwrite to replace it.")
            if not target.resolve().parent.is_dir():
                blockers.append(f"The folder {target.resolve().parent} does not exist.")
            if self._source_path is not None and target.resolve() == self._source_path.resolve():
                blockers.append("The output path is the file being repacked; choose another path.")
        if self.status == "writing":
            blockers.append("A write is running.")
        self.apply_blockers = blockers

    def apply(self) -> WriteJob:
        """Write the file (repack, for a widget made with :meth:`from_path`) in a worker thread; returns the job.

        Progress, the result and any error appear in the widget; ``job.thread.join()`` waits for the end.
        """
        self._update_output_info()
        if self.apply_blockers:
            raise ValueError(" ".join(self.apply_blockers))
        from ..io import configure_and_write_nwbfile, repack_nwbfile

        snapshot = self._configuration.copy()
        target, overwrite = self._target(), self.overwrite
        source, allow_pickle = self._source_path, self._allow_pickle

        def write(progress, cancel):
            if source is not None:
                return repack_nwbfile(
                    source,
                    target,
                    backend_configuration=snapshot,
                    overwrite=overwrite,
                    progress=progress,
                    allow_pickle=allow_pickle,
                    cancel=cancel,
                )
            return configure_and_write_nwbfile(
                self.nwbfile,
                target,
                backend_configuration=snapshot,
                overwrite=overwrite,
                progress=progress,
                cancel=cancel,
            )

        self.result, self.error, self.last_error = {}, {}, None
        self.progress = {"bytes_done": 0, "fraction": 0.0, "text": "starting…", "percent_text": "0%", "current": ""}
        self.status = "writing"
        self._update_blockers()
        self._job = WriteJob(write, snapshot, self._on_progress, self._on_done, self._on_failed)
        self._job.start()
        return self._job

    def _on_progress(self, progress: dict) -> None:
        self.progress = progress

    def _on_done(self, result: dict) -> None:
        self.result = result
        self.status = "done"
        self._update_output_info()

    def _on_failed(self, info: dict, error: BaseException) -> None:
        logger.error("writing %s failed:\n%s", self.output_path, info["traceback"])
        self.last_error = error
        self.error = info
        self.status = "error"
        self._update_output_info()

    # ------------------------------------------------------------------------------------------------------ notices

    def _notice(self, level: str, text: str, detail: str = "") -> None:
        self.notices = [*self.notices[-(MAX_NOTICES - 1) :], {"level": level, "text": text, "detail": detail}]


def _kernel_shell() -> Any:
    """The IPython shell when running in a Jupyter kernel, else None."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return None
    shell = get_ipython()
    return shell if shell is not None and getattr(shell, "kernel", None) is not None else None
