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
  ``reset_row``, ``reset_all``, ``apply_all`` (method, options), ``apply``, ``cancel``, ``refresh``, and those of
  :class:`~nwbconfig_widget.widget.insight.Insight` (``preview``, ``cancel_preview``, ``inspect``, ``compare``,
  ``use_codec``, ``apply_preset``, ``export``). The view gives up waiting after ``request_timeout`` seconds.
- Only the kernel's thread (the one that runs the notebook's cells) sets traits or sends messages: worker threads
  hand their results over through a :class:`~nwbconfig_widget.widget.handoff.KernelHandoff`, and so do the view's
  messages when the front end delivers them on a thread of their own (JupyterLab 4.4's comms over subshells).
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import logging
import os
import warnings
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import anywidget
import traitlets

from ..backend_configuration import get_default_backend_configuration, get_existing_backend_configuration
from ..backends import check_backend, display_name, file_name, file_suffix, nwb_stem
from ..models import BackendConfiguration, ConfigurationError, DatasetIOConfiguration
from .edits import apply_edit, carry_over_edits, error_text, parse_options
from .handoff import KernelHandoff
from .insight import Insight, InsightHost
from .rows import RowState, RowTotals, build_groups, build_row, codec_menu
from .write_job import WriteJob, error_info
from .writers import ConverterWriter, Writer, WriteRequest, write_or_repack

__all__ = ["ConfiguratorWidget"]

logger = logging.getLogger(__name__)

_STATIC = Path(__file__).parent.parent / "static"
#: More changed rows than this are sent as a whole new ``rows`` list rather than as a patch.
FULL_RESEND_ROWS = 400
#: Notices kept for the view (oldest dropped first).
MAX_NOTICES = 6


def _insight_method(name: str) -> Any:
    """A widget method doing the work of :class:`Insight`'s method ``name`` (and sharing its documentation)."""
    method = getattr(Insight, name)

    @functools.wraps(method)
    def call(self: ConfiguratorWidget, *args: Any, **kwargs: Any) -> Any:
        self._handoff.capture()  # called from a notebook cell: the kernel's thread
        return getattr(self.insight, name)(*args, **kwargs)

    return call


class ConfiguratorWidget(anywidget.AnyWidget):
    """An editable table of the chunking, buffering and compression of every dataset, with Apply to write the file.

    - ``ConfiguratorWidget(nwbfile, backend="hdf5", nwbfile_path=None)``: an in-memory NWBFile with default settings.
    - ``ConfiguratorWidget(nwbfile, backend_configuration=configuration)``: start from a configuration made in code.
    - ``ConfiguratorWidget.from_path(path)``: an existing ``.nwb`` / ``.nwb.zarr``; Apply repacks it to a new path.

    ``widget.backend_configuration`` is the live model: browser edits change it at once, and changes made to it in
    Python (a field, ``apply_global_compression``, a whole new configuration) show up in the browser. After adding or
    deleting entries of ``dataset_configurations`` in Python, call :meth:`refresh`.

    ``backend`` and ``backend_configuration`` must agree (giving only one is enough). ``writer`` is how Apply writes
    (a :class:`~nwbconfig_widget.widget.writers.Writer`; default: write or repack with this package).
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
    inspection = traitlets.Dict().tag(sync=True)  # the detail panel (see insight.py)
    insight_menu = traitlets.Dict().tag(sync=True)
    export = traitlets.Dict().tag(sync=True)
    #: Seconds the view waits for the kernel's reply to an action before it re-enables its controls and says so.
    request_timeout = traitlets.Float(60.0).tag(sync=True)

    def __init__(
        self,
        nwbfile: Any,
        backend: str | None = None,
        nwbfile_path: str | os.PathLike | None = None,
        backend_configuration: BackendConfiguration | None = None,
        writer: Writer | None = None,
        **kwargs: Any,
    ):
        if backend_configuration is not None:
            if backend is not None and backend != backend_configuration.backend:
                given, made = display_name(backend), display_name(backend_configuration.backend)
                raise ValueError(
                    f"backend={backend!r} ({given}) disagrees with the {made} backend_configuration given; "
                    f"leave out backend, or pass a configuration made for {given} "
                    f"(get_default_backend_configuration(nwbfile, backend={backend!r}))"
                )
            backend = backend_configuration.backend
        backend = backend or "hdf5"
        check_backend(backend)
        self._source_path: Path | None = kwargs.pop("_source_path", None)
        self._source_io: Any = kwargs.pop("_source_io", None)
        self._allow_pickle: bool = kwargs.pop("_allow_pickle", False)
        self.writer: Writer = writer or write_or_repack
        self._configuration: BackendConfiguration | None = None
        super().__init__(**kwargs)
        self.nwbfile = nwbfile
        self._handoff = KernelHandoff(on_error=self._on_update_error)
        self._defaults: dict[str, BackendConfiguration] = {}
        self._states: dict[str, RowState] = {}
        self._index: dict[str, int] = {}
        self._totals = RowTotals()
        self._observed: dict[int, DatasetIOConfiguration] = {}
        self._dirty: set[str] = set()
        self._batch_depth = 0
        self._flush_scheduled = False
        self._job: WriteJob | None = None
        self._notice_ids = itertools.count(1)
        self.insight = Insight(
            InsightHost(
                view=self,
                nwbfile=nwbfile,
                configuration=lambda: self._configuration,
                item=self._item,
                state=self._states_get,
                baseline=self._baseline,
                notice=self._notice,
                patch_rows=self._patch_rows,
                handoff=self._handoff,
            )
        )
        # Kept for callers that wait on the workers directly; wait() is the public way.
        self._preview_worker, self._compare_worker = self.insight.preview_worker, self.insight.compare_worker
        self._actions = {
            "edit": self._action_edit,
            "reset_row": lambda content: self.reset(content.get("location")),
            "reset_all": lambda _content: self.reset(),
            "apply_all": self._action_apply_all,
            "apply": lambda _content: self.apply(),
            "cancel": lambda _content: self.cancel(),
            "refresh": lambda _content: self.refresh(),
            **self.insight.actions(),
        }
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
        from ..neuroconv_interop import conversion_keywords, require_neuroconv

        require_neuroconv()
        metadata = converter.get_metadata() if metadata is None else metadata
        nwbfile = converter.create_nwbfile(metadata=metadata, **conversion_keywords(converter, conversion_options))
        writer = ConverterWriter(converter, metadata, conversion_options)
        widget = cls(nwbfile, backend=backend, nwbfile_path=nwbfile_path, writer=writer)
        widget.converter = converter
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
            self.backend = configuration.backend  # equal to the configuration's: _on_backend does nothing
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
        shared: dict = {}
        rows = [
            build_row(item, self._states[item.location_in_file], defaults.get(item.location_in_file), shared)
            for item in configuration
        ]
        self._totals = RowTotals(rows)
        self.rows = rows
        self.groups = build_groups(configuration)
        self.insight.refresh()
        self.unconfigurable = [
            {"location": location, "reason": reason}
            for location, reason in configuration.unconfigurable_datasets.items()
        ]
        self._update_summary()

    def _default_configuration(self, backend: str) -> BackendConfiguration:
        if backend not in self._defaults:
            self._defaults[backend] = get_default_backend_configuration(self.nwbfile, backend=backend)
        return self._defaults[backend]

    def _baseline(self) -> BackendConfiguration | None:
        """The default configuration of the current backend, or None (with a notice) when it cannot be made."""
        try:
            return self._default_configuration(self._configuration.backend)
        except Exception as error:  # e.g. an NWBFile whose file was closed: rows still show, without "edited" marks
            self._notice(
                "warning", f"Default settings unavailable ({type(error).__name__}: {error}); reset is disabled."
            )
            return None

    def _defaults_for_rows(self) -> Mapping[str, DatasetIOConfiguration]:
        baseline = self._baseline()
        return baseline.dataset_configurations if baseline is not None else {}

    def _states_get(self, location: str) -> RowState | None:
        return self._states.get(location)

    def _patch_rows(self, locations: Iterable[str]) -> None:
        """Rebuild and send these rows now (or at the end of the running action)."""
        self._dirty.update(location for location in locations if location in self._index)
        if not self._batch_depth:
            self._flush()

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
        shared: dict = {}  # rows of datasets with the same settings share their figures and advice
        for location in dirty:
            index = self._index.get(location)
            if index is not None:
                item = self._configuration.dataset_configurations[location]
                changed[index] = build_row(item, self._states[location], defaults.get(location), shared)
        # Few rows: changed in place (the trait keeps the truth without re-sending every row) and sent as a patch.
        rows = list(self.rows) if len(changed) > FULL_RESEND_ROWS else self.rows
        for index, row in changed.items():
            self._totals.replace(rows[index], row)
            rows[index] = row
        if rows is not self.rows:
            self.rows = rows
        elif changed:
            self.send({"type": "patch", "rows": [{"index": index, "row": changed[index]} for index in sorted(changed)]})
        self._update_summary()

    def _update_summary(self) -> None:
        self.totals = self._totals.as_dict(len(self._configuration.unconfigurable_datasets))
        self.insight.refresh_inspection()
        self._update_blockers()

    # ------------------------------------------------------------------------------------------------------ actions

    def _handle_msg(self, msg: dict) -> None:
        """Handle a message of the view (a state update or an action) on the kernel's thread, the one that runs
        the notebook's cells.

        JupyterLab 4.4 and later, with a kernel that has subshells (ipykernel 7), deliver each widget's messages on a
        subshell thread, at the same time as a running cell. The model is not made to be changed from two threads at
        once, so a message that arrives on another thread is handed to the kernel's thread and handled, in order, once
        the running cell has finished, as without subshells. (Overrides ipywidgets' handler, which the comm calls.)
        """
        handle = super()._handle_msg
        self._handoff(lambda: handle(msg))

    def _on_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if not isinstance(content, dict):
            return
        kind, request_id = content.get("type"), content.get("id")
        handler = self._actions.get(kind) if isinstance(kind, str) else None
        self._handoff.capture()  # actions arrive on the kernel's thread
        try:
            if handler is None:
                raise ValueError(f"unknown action {kind!r}")
            if self.status == "writing" and kind not in ("refresh", "cancel", "cancel_preview"):
                raise RuntimeError("a write is running; wait until it has finished")
            with self._batch():
                handler(content)
        except Exception as error:  # never lost: replied to the view and listed in the notices
            logger.exception("widget action %r failed", kind)
            text = error_text(error, where=kind != "edit")  # an edit's error stands next to its field
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
        item, state = self._item(location), self._states[location]
        if self._try_edit(item, state, field, value):
            for draft_field, draft in list(state.drafts.items()):  # drafts refused because of this field may fit now
                self._try_edit(item, state, draft_field, draft)
        self._dirty.add(location)

    @staticmethod
    def _try_edit(item: DatasetIOConfiguration, state: RowState, field: Any, value: Any) -> bool:
        """Assign one field; a refused value stays as the row's draft with the reason. Returns whether it was taken."""
        try:
            note = apply_edit(item, field, value)
        except ConfigurationError as error:
            state.drafts[field], state.errors[field] = value, error_text(error)
            state.notes.pop(field, None)
            return False
        state.clear([field])
        if note:
            state.notes[field] = note
        return True

    def _action_apply_all(self, content: dict) -> None:
        method = content.get("method") or None
        self._configuration.apply_global_compression(method, parse_options(content.get("options")))
        count = len(self._configuration)
        self._notice("info", f"Compression {method or 'none'} set for all {count} datasets.")

    def cancel(self) -> None:
        """Stop a running write; the target is left as it was (nothing new is written there)."""
        if self._job is not None and self._job.thread.is_alive():
            self._job.cancel_event.set()

    def reset(self, location: str | None = None) -> None:
        """Put one dataset (or every dataset) back to the default settings of the current backend."""
        defaults = self._default_configuration(self._configuration.backend).dataset_configurations
        items = [self._item(location)] if location is not None else list(self._configuration)
        with self._batch():
            for item in items:
                default = defaults.get(item.location_in_file)
                state = self._states[item.location_in_file]
                if default is not None:
                    item.take_settings(default)
                state.clear()
                self._dirty.add(item.location_in_file)

    # ------------------------------------------------------------------------------------------ backend switching

    @traitlets.observe("backend")
    def _on_backend(self, change: dict) -> None:
        if self._configuration is None or change["new"] == self._configuration.backend:
            return
        try:
            self.switch_backend(change["new"])
        except Exception as error:
            self._notice(
                "error",
                f"Could not switch to {change['new']}: {type(error).__name__}: {error}",
                error_info(error)["traceback"],
            )
            self.backend = change["old"]  # the configuration's backend: _on_backend does nothing

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
        # A running write is not a blocker: the view knows it from ``status`` (and Apply refuses it below), so that a
        # view whose kernel went silent during a write can offer Apply again.
        self.apply_blockers = blockers

    def apply(self) -> WriteJob:
        """Write the file (repack, for a widget made with :meth:`from_path`) in a worker thread; returns the job.

        The widget's ``writer`` does the writing, on a snapshot of the configuration. Progress, the result and any
        error appear in the widget, set on the kernel's thread; :meth:`wait` waits for the end.
        """
        self._handoff.capture()
        self._update_output_info()
        if self.status == "writing":
            raise ValueError("A write is running; wait for it to end, or cancel it.")
        if self.apply_blockers:
            raise ValueError(" ".join(self.apply_blockers))
        request = WriteRequest(
            configuration=self._configuration.copy(),
            target=self._target(),
            overwrite=self.overwrite,
            nwbfile=self.nwbfile,
            source_path=self._source_path,
            allow_pickle=self._allow_pickle,
        )
        starting = getattr(self.writer, "starting_text", "starting…")
        self.result, self.error, self.last_error = {}, {}, None
        self.progress = {"bytes_done": 0, "fraction": 0.0, "text": starting, "percent_text": "", "current": ""}
        self.status = "writing"
        self._update_blockers()
        handoff = self._handoff
        self._job = WriteJob(
            functools.partial(self.writer, request),
            request.configuration,
            on_progress=lambda progress: handoff(lambda: setattr(self, "progress", progress)),
            on_done=lambda result: handoff(lambda: self._on_done(result)),
            on_error=lambda info, error: handoff(lambda: self._on_failed(info, error)),
            make_thread=handoff.thread,
        )
        self._job.start()
        return self._job

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

    def wait(self, timeout: float | None = None) -> None:
        """Wait for the write, the queued previews and the codec comparison to end, with their results shown.

        Called on the kernel's thread (in a notebook cell), it also applies the results the workers handed over.
        """
        for thread in (self._job.thread if self._job else None, self.insight.preview_worker.thread,
                       self.insight.compare_worker.thread):  # fmt: skip
            if thread is not None:
                thread.join(timeout)
        self._handoff.drain()

    # ------------------------------------------------------------------------------- see before you write (insight.py)

    preview = _insight_method("preview")
    cancel_preview = _insight_method("cancel_preview")
    inspect = _insight_method("inspect")
    compare = _insight_method("compare")
    export_text = _insight_method("export_text")

    # ------------------------------------------------------------------------------------------------------ notices

    def _notice(self, level: str, text: str, detail: str = "") -> None:
        """Add a notice; each has an ``id`` unique in this widget, so the view can remember which were dismissed."""
        notice = {"id": next(self._notice_ids), "level": level, "text": text, "detail": detail}
        self.notices = [*self.notices[-(MAX_NOTICES - 1) :], notice]

    def _on_update_error(self, error: BaseException, trace: str) -> None:
        self._notice("error", f"Updating the widget failed: {error_text(error)}", trace)


def _kernel_shell() -> Any:
    """The IPython shell when running in a Jupyter kernel, else None."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return None
    shell = get_ipython()
    return shell if shell is not None and getattr(shell, "kernel", None) is not None else None
