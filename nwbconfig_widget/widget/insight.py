"""The configurator widget's "see before you write" side: preview, advice, access cost, codec chart, presets, export.

Everything the view shows here is computed in Python by the see-before-you-write modules (:mod:`.preview`,
:mod:`.compare`, :mod:`.access`, :mod:`.advice`, :mod:`.presets`, :mod:`.export`) and sent as numbers and plain
strings:

- per row: ``warnings`` from :func:`~nwbconfig_widget.advice.configuration_warnings`, ``portability`` from
  :func:`~nwbconfig_widget.advice.portability`, and ``preview`` (ratio, estimated size with its range, speeds), run
  on demand in a worker thread and patched into the rows as results arrive;
- ``inspection`` (trait): the selected dataset's access-pattern costs for its chunk shape next to the default, the
  ``cloud`` preset and a chunk shape the user types, and the codec comparison with a chart whose points are already
  placed (0-1 coordinates, log speed axis) by Python;
- ``insight_menu`` (trait): presets and the neurodata types they can be applied to;
- ``export`` (trait): Python code, JSON or the ``h5repack`` command line of the current configuration.

:class:`Insight` handles the actions ``preview``, ``cancel_preview``, ``inspect``, ``compare``, ``use_codec``,
``apply_preset`` and ``export``, and does the work behind the widget's :meth:`~ConfiguratorWidget.preview`,
:meth:`~ConfiguratorWidget.inspect` and :meth:`~ConfiguratorWidget.compare`. It is given an :class:`InsightHost`, the
declared list of what it may use of the widget, and uses nothing else of it.
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import math
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol

from .._sizes import format_bytes
from ..access import DEFAULT_BANDWIDTH_BYTES_PER_S, DEFAULT_LATENCY_S, access_cost, typical_selections
from ..advice import EVERY_HDF5_READER, available_memory_bytes, configuration_portability, configuration_warnings
from ..chunk_grid import inspection_chunk_grid
from ..codecs import DEFAULT_GZIP_LEVEL
from ..models import DatasetIOConfiguration
from .edits import error_text
from .handoff import KernelHandoff

__all__ = [
    "Insight",
    "InsightHost",
    "InsightView",
    "access_view",
    "chart_geometry",
    "preview_cell",
    "preview_signature",
    "row_portability",
    "row_warnings",
]

#: The available memory is read at most this often (seconds) while building rows.
MEMORY_TTL_S = 2.0
#: Preview results of a "preview all" are patched into the rows at most this often (seconds).
PREVIEW_PATCH_INTERVAL_S = 0.25

_memory_cache: list[float] = [-math.inf, 0.0]  # [time read, bytes]


def available_memory_now() -> int | None:
    """The memory available now, read again at most every ``MEMORY_TTL_S`` seconds (rows are built by thousands)."""
    now = time.monotonic()
    if now - _memory_cache[0] > MEMORY_TTL_S:
        _memory_cache[0], _memory_cache[1] = now, available_memory_bytes()
    return _memory_cache[1]


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


# ------------------------------------------------------------------------------------------------------ per row


def row_warnings(configuration: DatasetIOConfiguration) -> list[dict[str, str]]:
    """The live advice of :func:`configuration_warnings` as row entries: field, severity, code and message."""
    return [
        {"field": advice.field, "severity": advice.severity, "code": advice.code, "message": _sentence(advice.message)}
        for advice in configuration_warnings(configuration, available_memory=available_memory_now())
    ]


def row_portability(configuration: DatasetIOConfiguration) -> dict[str, Any]:
    """Who can read this dataset's pipeline: ``level`` (short text), ``note`` (a sentence), ``lossy`` and
    ``every_hdf5_reader`` (the flag the view marks portable pipelines by; it never compares the text)."""
    portable = configuration_portability(configuration)
    return {name: getattr(portable, name) for name in ("level", "note", "lossy", "every_hdf5_reader")}


def preview_signature(configuration: DatasetIOConfiguration) -> list:
    """The settings a compression preview depends on (the buffer shape does not change stored bytes)."""
    values = configuration.to_dict()
    fields = ("chunk_shape", "compression_method", "compression_options", "filter_methods", "filter_options")
    return [configuration.backend, *(values[field] for field in fields)]


def _speed_text(value: float) -> str:
    if value is None or not math.isfinite(value):
        return "—"
    return f"{value:,.0f} MB/s" if value >= 10 else f"{value:.1f} MB/s"


def _ratio_text(value: float) -> str:
    return f"{value:.2f}×" if value is not None and math.isfinite(value) else "—"


def preview_result(preview: Any) -> dict[str, Any]:
    """The numbers and texts a row shows for a :class:`~nwbconfig_widget.preview.DatasetPreview`."""
    estimated = preview.estimated_bytes
    has_estimate = estimated is not None and math.isfinite(estimated)
    low, high = preview.estimated_bytes_low, preview.estimated_bytes_high
    exact = bool(preview.exact)
    if has_estimate and not exact and math.isfinite(low) and math.isfinite(high):
        range_text = f"{format_bytes(low)}–{format_bytes(high)}"
    else:
        range_text = "exact" if has_estimate else ""
    return {
        "estimated_bytes": float(estimated) if has_estimate else None,
        "estimated_bytes_low": float(low) if has_estimate and math.isfinite(low) else None,
        "estimated_bytes_high": float(high) if has_estimate and math.isfinite(high) else None,
        "ratio": float(preview.ratio) if has_estimate and math.isfinite(preview.ratio) else None,
        "ratio_text": _ratio_text(preview.ratio) if has_estimate else "—",
        "size_text": format_bytes(estimated) if has_estimate else "—",
        "range_text": range_text,
        "compress_text": _speed_text(preview.compress_mb_s),
        "decompress_text": _speed_text(preview.decompress_mb_s),
        "sample_text": f"{len(preview.sample)} of {preview.number_of_chunks:,} chunks sampled"
        if preview.sample
        else "",
        "note": preview.note,
        "seconds": round(float(preview.seconds), 3),
    }


def preview_cell(configuration: DatasetIOConfiguration, stored: Mapping[str, Any] | None) -> dict[str, Any]:
    """What the row's preview cell shows: ``status`` none | queued | running | done | stale | error, and figures.

    A result for other settings than the current ones is ``stale`` (still shown, marked as out of date).
    """
    if not stored:
        return {"status": "none"}
    status = stored.get("status", "none")
    cell = {"status": status, **(stored.get("result") or {})}
    if stored.get("error"):
        cell["error"] = stored["error"]
    if status in ("done", "error") and stored.get("signature") != preview_signature(configuration):
        cell["status"] = "stale"
    return cell


# --------------------------------------------------------------------------------------------------- access cost


def _shape_text(shape: Iterable[int] | None) -> str:
    return "contiguous" if shape is None else "(" + ", ".join(f"{length}" for length in shape) + ")"


def _seconds_text(seconds: float) -> str:
    if not math.isfinite(seconds):
        return "—"
    if seconds < 1:
        return f"{seconds * 1000:,.0f} ms"
    if seconds < 120:
        return f"{seconds:,.1f} s"
    return f"{seconds / 60:,.1f} min"


def parse_shape(text: Any, rank: int) -> tuple[int, ...]:
    """A chunk shape typed as ``81920, 64`` / ``81920 x 64`` / a list; raises ValueError with the reason."""
    if isinstance(text, (list, tuple)):
        parts = [str(part) for part in text]
    else:
        parts = str(text).replace("×", ",").replace("x", ",").replace("(", "").replace(")", "").split(",")
    parts = [part.strip() for part in parts if part.strip()]
    if len(parts) != rank:
        raise ValueError(f"give {rank} whole number(s), one per axis (got {len(parts)})")
    try:
        shape = tuple(int(part) for part in parts)
    except ValueError:
        raise ValueError(f"{', '.join(parts)} are not all whole numbers") from None
    if any(length < 1 for length in shape):
        raise ValueError("every axis needs at least 1")
    return shape


def _with_chunks(configuration: DatasetIOConfiguration, chunk_shape: tuple[int, ...]) -> DatasetIOConfiguration:
    shape = [min(int(length), int(full)) for length, full in zip(chunk_shape, configuration.full_shape)]
    values = {**configuration.to_dict(), "chunk_shape": shape, "buffer_shape": shape}
    return type(configuration).from_dict(values)


def access_view(
    configuration: DatasetIOConfiguration,
    alternatives: Mapping[str, tuple[int, ...] | None],
    *,
    compression_ratio: float | None = None,
    latency_s: float = DEFAULT_LATENCY_S,
    bandwidth_bytes_per_s: float = DEFAULT_BANDWIDTH_BYTES_PER_S,
) -> dict[str, Any]:
    """Costs of the typical reads of a dataset with its chunk shape and with ``alternatives`` (label -> shape).

    Returns ``columns`` (one per chunk shape), ``reads`` (one per typical read, a cell per column: chunks touched,
    bytes decompressed, read amplification, remote time; ``best`` marks the cheapest remote time) and ``summary``
    sentences comparing the cheapest and the dearest chunk shape of each read.
    """
    columns = [("current", configuration.chunk_shape)]
    seen = {configuration.chunk_shape}
    for label, shape in alternatives.items():
        if shape is None:
            continue
        shape = tuple(min(int(length), int(full)) for length, full in zip(shape, configuration.full_shape))
        if shape in seen:
            continue
        seen.add(shape)
        columns.append((label, shape))
    configurations = [configuration, *(_with_chunks(configuration, shape) for _, shape in columns[1:])]
    selections = typical_selections(configuration)
    options = dict(
        compression_ratio=compression_ratio, latency_s=latency_s, bandwidth_bytes_per_s=bandwidth_bytes_per_s
    )
    reads, summary = [], []
    for name, selection in selections.items():
        costs = [access_cost(item, selection, name=name, **options) for item in configurations]
        best = min(range(len(costs)), key=lambda index: costs[index].remote_seconds)
        cells = []
        for index, cost in enumerate(costs):
            fetched = cost.bytes_read_compressed if math.isfinite(cost.bytes_read_compressed) else None
            cells.append(
                {
                    "chunks": f"{cost.chunks_touched:,}",
                    "chunks_touched": cost.chunks_touched,
                    "read": format_bytes(cost.bytes_read_uncompressed),
                    "read_bytes": cost.bytes_read_uncompressed,
                    "fetched": format_bytes(fetched) if fetched is not None else "",
                    "amplification": f"{cost.read_amplification:,.1f}×"
                    if math.isfinite(cost.read_amplification)
                    else "—",
                    "remote": _seconds_text(cost.remote_seconds),
                    "remote_seconds": cost.remote_seconds,
                    "best": index == best and len(costs) > 1,
                }
            )
        reads.append({"name": name, "requested": format_bytes(costs[0].requested_bytes), "cells": cells})
        worst = max(range(len(costs)), key=lambda index: costs[index].remote_seconds)
        if len(costs) > 1 and costs[worst].remote_seconds > 1.5 * costs[best].remote_seconds:
            summary.append(
                f"{_sentence(name)}: {_shape_text(columns[best][1])} touches {costs[best].chunks_touched:,} chunk(s) "
                f"and reads {format_bytes(costs[best].bytes_read_uncompressed)} "
                f"(~{_seconds_text(costs[best].remote_seconds)} remote); {_shape_text(columns[worst][1])} touches "
                f"{costs[worst].chunks_touched:,} and reads {format_bytes(costs[worst].bytes_read_uncompressed)} "
                f"(~{_seconds_text(costs[worst].remote_seconds)})."
            )
    return {
        "columns": [
            {
                "key": label,
                "label": label,
                "chunk_shape": None if shape is None else list(shape),
                "shape_text": _shape_text(shape),
            }
            for label, shape in columns
        ],
        "reads": reads,
        "summary": summary,
        "latency_ms": latency_s * 1000,
        "bandwidth_mb_s": bandwidth_bytes_per_s / 1e6,
        "note": (
            f"Fetched bytes use the previewed ratio {compression_ratio:.2f}×."
            if compression_ratio
            else "Preview this dataset to count compressed bytes; until then remote times use uncompressed bytes "
            "(an upper bound)."
        ),
    }


# ------------------------------------------------------------------------------------------------- codec chart


def _nice_step(span: float) -> float:
    raw = span / 4 if span > 0 else 1.0
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def chart_geometry(table: Any, speed_column: str = "compress_mb_s") -> dict[str, Any]:
    """Points of a ratio-vs-speed chart placed in 0-1 coordinates (speed on a log axis), with the axis ticks.

    ``table`` is a :func:`~nwbconfig_widget.compare.compare_codecs` DataFrame; rows without figures are left out.
    The view only scales these coordinates to pixels.
    """
    points = []
    for label, row in table.iterrows():
        speed, ratio = row.get(speed_column), row.get("ratio")
        if speed is None or ratio is None or not (math.isfinite(speed) and math.isfinite(ratio)) or speed <= 0:
            continue
        points.append((str(label), float(speed), float(ratio), row))
    if not points:
        return {"points": [], "x_ticks": [], "y_ticks": [], "x_label": "", "y_label": ""}
    logs = [math.log10(speed) for _, speed, _, _ in points]
    x_low, x_high = math.floor(min(logs)), math.ceil(max(logs))
    if x_high == x_low:
        x_high += 1
    ratios = [ratio for _, _, ratio, _ in points]
    step = _nice_step(max(ratios) - min(min(ratios), 1.0))
    y_low = math.floor(min(min(ratios), 1.0) / step) * step
    y_high = math.ceil(max(ratios) / step) * step
    if y_high <= y_low:
        y_high = y_low + step

    def x_of(value: float) -> float:
        return (math.log10(value) - x_low) / (x_high - x_low)

    def y_of(value: float) -> float:
        return (value - y_low) / (y_high - y_low)

    placed = []
    for label, speed, ratio, row in points:
        placed.append(
            {
                "label": label,
                "x": round(x_of(speed), 5),
                "y": round(y_of(ratio), 5),
                "backend": str(row.get("backend") or ""),
                "portable": row.get("portability") == EVERY_HDF5_READER,
                "title": f"{label}: {ratio:.2f}× at {_speed_text(speed)}",
            }
        )
    x_ticks = [{"pos": round(x_of(10.0**power), 5), "text": f"{10.0**power:g}"} for power in range(x_low, x_high + 1)]
    y_ticks = []
    value = y_low
    while value <= y_high + step / 2:
        y_ticks.append({"pos": round(y_of(value), 5), "text": f"{value:g}"})
        value += step
    title = "compression" if speed_column == "compress_mb_s" else "decompression"
    return {
        "points": placed,
        "x_ticks": x_ticks,
        "y_ticks": y_ticks,
        "x_label": f"{title} speed (MB/s, one core, log scale)",
        "y_label": "ratio (uncompressed / stored)",
    }


def compare_rows(table: Any, backend: str) -> list[dict[str, Any]]:
    """The rows of a codec comparison as texts, each saying whether it can be used with ``backend``."""
    rows = []
    for label, row in table.iterrows():
        ratio = row.get("ratio")
        rows.append(
            {
                "label": str(label),
                "backend": str(row.get("backend") or ""),
                "ratio": _ratio_text(ratio) if ratio is not None and math.isfinite(ratio) else "—",
                "size": format_bytes(row["estimated_bytes"]) if math.isfinite(row["estimated_bytes"]) else "—",
                "compress": _speed_text(row.get("compress_mb_s")),
                "decompress": _speed_text(row.get("decompress_mb_s")),
                "portability": str(row.get("portability") or ""),
                "lossy": bool(row.get("lossy")),
                "note": str(row.get("note") or ""),
                "usable": row.get("backend") == backend and math.isfinite(ratio if ratio is not None else math.nan),
            }
        )
    return rows


# -------------------------------------------------------------------------------------------------- the worker


class _Worker:
    """One daemon thread running queued tasks in order; :meth:`cancel` drops the tasks not started yet."""

    def __init__(self, name: str, make_thread: Callable[[Callable[[], None], str], threading.Thread]):
        self.name, self.make_thread = name, make_thread
        self.queue: collections.deque = collections.deque()
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None

    def submit(self, task: Callable[[], None]) -> threading.Thread:
        with self.lock:
            self.queue.append(task)
            if self.thread is None or not self.thread.is_alive():
                self.thread = self.make_thread(self._run, self.name)
                self.thread.start()
            return self.thread

    def cancel(self) -> list[Callable[[], None]]:
        """Drop the queued tasks (the running one finishes); returns them."""
        with self.lock:
            dropped = list(self.queue)
            self.queue.clear()
        return dropped

    def idle_after_this(self) -> bool:
        """True when no task is waiting behind the running one."""
        with self.lock:
            return not self.queue

    def _run(self) -> None:
        while True:
            with self.lock:
                if not self.queue:
                    self.thread = None
                    return
                task = self.queue.popleft()
            task()

    def join(self, timeout: float | None = None) -> None:
        thread = self.thread
        if thread is not None:
            thread.join(timeout)


# ------------------------------------------------------------------------------------------- the declared interface


class InsightView(Protocol):
    """The widget's synced traits the insight part sets (the first three) or reads (the last two)."""

    inspection: dict
    insight_menu: dict
    export: dict
    output_path: str
    source_path: str


@dataclasses.dataclass(frozen=True)
class InsightHost:
    """Everything :class:`Insight` may use of the widget; it reaches nothing else.

    - ``view``: the traits of :class:`InsightView`;
    - ``nwbfile``: the file the data is read from;
    - ``configuration()``: the live configuration; ``item(location)`` one of its datasets (KeyError naming it);
    - ``state(location)``: the row's :class:`~nwbconfig_widget.widget.rows.RowState` (None for a row that has gone),
      whose ``preview`` entry belongs to the insight part;
    - ``baseline()``: the default configuration of the current backend (None when it cannot be made);
    - ``notice(level, text, detail)``: a message above the table;
    - ``patch_rows(locations)``: rebuild those rows and send them to the view;
    - ``handoff``: the widget's :class:`~nwbconfig_widget.widget.handoff.KernelHandoff`: ``handoff(update)`` runs
      ``update`` on the kernel's thread, ``handoff.thread(target, name)`` makes the worker threads; workers touch
      the widget only through it.
    """

    view: InsightView
    nwbfile: Any
    configuration: Callable[[], Any]
    item: Callable[[str], DatasetIOConfiguration]
    state: Callable[[str], Any]
    baseline: Callable[[], Any]
    notice: Callable[..., None]
    patch_rows: Callable[[Iterable[str]], None]
    handoff: KernelHandoff


@dataclasses.dataclass
class _PreviewTask:
    """One queued preview; ``previous`` is the row's preview entry from before it was queued (restored on cancel)."""

    location: str
    snapshot: DatasetIOConfiguration
    signature: list
    previous: dict
    run: Callable[[_PreviewTask], None]

    def __call__(self) -> None:
        self.run(self)


# ------------------------------------------------------------------------------------------------------ the part


class Insight:
    """Preview, access cost, codec comparison, presets and export of a :class:`ConfiguratorWidget`, through its
    :class:`InsightHost` only. :meth:`actions` lists the view actions it handles."""

    def __init__(self, host: InsightHost):
        self.host = host
        self.preview_worker = _Worker("nwbconfig-preview", host.handoff.thread)
        self.compare_worker = _Worker("nwbconfig-compare", host.handoff.thread)
        self.access_options = {"latency_s": DEFAULT_LATENCY_S, "bandwidth_bytes_per_s": DEFAULT_BANDWIDTH_BYTES_PER_S}
        self.access_extra: dict[str, tuple[int, ...]] = {}
        self._pending: dict[str, dict] = {}  # preview results not yet handed to the kernel's thread
        self._last_publish = time.monotonic()

    def actions(self) -> dict[str, Callable[[dict], None]]:
        """The view's actions handled here, by message type."""
        return {
            "preview": lambda content: self.preview(content.get("location") or None),
            "cancel_preview": lambda _content: self.cancel_preview(),
            "inspect": self._action_inspect,
            "compare": lambda content: self.compare(content.get("location")),
            "use_codec": self._action_use_codec,
            "apply_preset": self._action_apply_preset,
            "export": self._action_export,
        }

    def refresh(self) -> None:
        """Menus for the current configuration (called when the rows are rebuilt)."""
        from ..presets import PRESETS

        configuration, view = self.host.configuration(), self.host.view
        types = sorted({item.neurodata_type for item in configuration if item.neurodata_type})
        view.insight_menu = {
            "presets": [{"name": preset.name, "description": preset.description} for preset in PRESETS.values()],
            "neurodata_types": types,
            "export_formats": [
                {"name": "python", "label": "Python code"},
                {"name": "json", "label": "JSON"},
                *([{"name": "h5repack", "label": "h5repack command"}] if configuration.backend == "hdf5" else []),
            ],
        }
        location = (view.inspection or {}).get("location")
        if location and location not in configuration.dataset_configurations:
            view.inspection = {}

    # -- preview -------------------------------------------------------------------------------------------------

    def preview(self, locations: str | Iterable[str] | None = None) -> threading.Thread | None:
        """Preview the compression of some datasets (default: all) in a worker thread; results fill the rows.

        Returns the worker thread (``.join()`` waits for every queued preview), or None when nothing was queued.
        """
        host = self.host
        if locations is None:
            items = list(host.configuration())
        else:
            items = [host.item(location) for location in ([locations] if isinstance(locations, str) else locations)]
        tasks = []
        for item in items:
            state, signature = host.state(item.location_in_file), preview_signature(item)
            previous = dict(state.preview)
            kept = previous.get("result") if previous else None
            state.preview = {"status": "queued", "signature": signature, "result": kept}
            tasks.append(_PreviewTask(item.location_in_file, item.copy(), signature, previous, self._run_preview))
        host.patch_rows(task.location for task in tasks)
        thread = None
        for task in tasks:
            thread = self.preview_worker.submit(task)
        return thread

    def _run_preview(self, task: _PreviewTask) -> None:
        """In the preview thread: measure, then hand the results over (batched, at most every 0.25 s)."""
        from ..preview import dataset_source, preview_dataset

        self.host.handoff(lambda: self._mark_running(task))
        stored: dict[str, Any] = {"signature": task.signature}
        try:
            source = dataset_source(self.host.nwbfile, task.snapshot)
            stored.update(status="done", result=preview_result(preview_dataset(task.snapshot, source)))
        except Exception as error:
            stored.update(status="error", error=error_text(error))
        self._pending[task.location] = stored
        last = self.preview_worker.idle_after_this()
        if last or time.monotonic() - self._last_publish >= PREVIEW_PATCH_INTERVAL_S:
            results, self._pending = self._pending, {}
            self._last_publish = time.monotonic()
            self.host.handoff(lambda: self._publish(results))

    def _publish(self, results: dict[str, dict]) -> None:
        for location, stored in results.items():
            state = self.host.state(location)
            if state is not None:
                state.preview = stored
        self.host.patch_rows(results)

    def _mark_running(self, task: _PreviewTask) -> None:
        state = self.host.state(task.location)
        preview = state.preview if state is not None else {}
        if preview.get("status") == "queued" and preview.get("signature") == task.signature:
            state.preview = {**state.preview, "status": "running"}
            self.host.patch_rows([task.location])

    def cancel_preview(self) -> int:
        """Drop the queued previews (the one being measured finishes); returns how many were dropped.

        Their rows show again what they showed before they were queued.
        """
        restored = []
        for task in self.preview_worker.cancel():
            state = self.host.state(task.location)
            if state is not None and state.preview.get("status") == "queued":
                state.preview = task.previous
                restored.append(task.location)
        self.host.patch_rows(restored)
        if restored:
            self.host.notice("info", f"{len(restored)} queued preview(s) cancelled.")
        return len(restored)

    # -- inspection: access costs and codec comparison -------------------------------------------------------

    def inspect(self, location: str | None, **options: Any) -> dict[str, Any]:
        """Show a dataset in the detail panel: access costs of its typical reads (computed now).

        ``options``: ``latency_ms``, ``bandwidth_mb_s``, ``chunk_shape`` (a chunk shape to compare with, as text or
        list; empty removes it). ``location=None`` closes the panel.
        """
        view = self.host.view
        if location is None:
            view.inspection = {}
            return {}
        item = self.host.item(location)
        problems = []
        for key, target, scale, name in (
            ("latency_ms", "latency_s", 1e-3, "Latency"),
            ("bandwidth_mb_s", "bandwidth_bytes_per_s", 1e6, "Bandwidth"),
        ):
            text = options.get(key)
            if text in (None, ""):
                continue
            try:
                value = float(text)
            except (TypeError, ValueError):
                value = math.nan
            if value > 0 or (value == 0 and key == "latency_ms"):
                self.access_options[target] = value * scale
            else:
                unit = "a number of milliseconds ≥ 0" if key == "latency_ms" else "a positive number of MB/s"
                problems.append(f"{name} {text!r} is not {unit}.")
        if "chunk_shape" in options:
            text = options["chunk_shape"]
            if text in (None, "", []):
                self.access_extra.pop(location, None)
            else:
                try:
                    self.access_extra[location] = parse_shape(text, len(item.full_shape))
                except ValueError as error:
                    problems.append(f"Chunk shape to compare: {error}.")
        view.inspection = self._inspection_for(item, problems)
        return view.inspection

    def _inspection_for(self, item: DatasetIOConfiguration, problems: list[str] | None = None) -> dict[str, Any]:
        from ..defaults import default_chunk_shape
        from ..presets import preset_settings

        location, view = item.location_in_file, self.host.view
        baseline = self.host.baseline()
        default = baseline.dataset_configurations.get(location) if baseline is not None else None
        fallback = default_chunk_shape(item.full_shape, item.itemsize)
        alternatives: dict[str, tuple[int, ...] | None] = {
            "default": default.chunk_shape if default is not None else fallback
        }
        with contextlib.suppress(Exception):  # a preset that does not fit this dataset: leave it out
            alternatives["cloud preset"] = preset_settings(item, "cloud").get("chunk_shape", item.chunk_shape)
        if location in self.access_extra:
            alternatives["yours"] = self.access_extra[location]
        state = self.host.state(location)
        preview = preview_cell(item, state.preview if state is not None else None)
        ratio = preview.get("ratio") if preview.get("status") == "done" else None
        previous = view.inspection if (view.inspection or {}).get("location") == location else {}
        compare = previous.get("compare") or {"status": "none"}
        if compare.get("signature") not in (None, preview_signature(item)[:2]):
            compare = {**compare, "stale": True}
        return {
            "location": location,
            "dataset_name": item.dataset_name,
            "facts": f"{_shape_text(item.full_shape)} {item.dtype} · {format_bytes(item.full_size_bytes)} · "
            f"chunks {_shape_text(item.chunk_shape)} ({format_bytes(item.chunk_size_bytes)} each, "
            f"{item.number_of_chunks:,} chunks)",
            "access": access_view(item, alternatives, compression_ratio=ratio, **self.access_options),
            "chunk_grid": inspection_chunk_grid(item),
            "extra_chunk_shape": ", ".join(str(length) for length in self.access_extra.get(location, ())),
            "problems": problems or [],
            "compare": compare,
        }

    def refresh_inspection(self) -> None:
        """Recompute the detail panel for the current settings of the dataset it shows."""
        location = (self.host.view.inspection or {}).get("location")
        configurations = self.host.configuration().dataset_configurations
        if location and location in configurations:
            self.host.view.inspection = self._inspection_for(configurations[location])

    def _action_inspect(self, content: dict) -> None:
        options = {key: content[key] for key in ("latency_ms", "bandwidth_mb_s", "chunk_shape") if key in content}
        self.inspect(content.get("location") or None, **options)

    def compare(self, location: str) -> threading.Thread:
        """Compare the default candidate codecs on ``location``'s sampled chunks in a worker thread (shown in the
        detail panel as a chart and a table); returns the thread."""
        from ..compare import compare_codecs
        from ..preview import dataset_source

        view, item = self.host.view, self.host.item(location)
        if (view.inspection or {}).get("location") != location:
            self.inspect(location)
        snapshot, signature = item.copy(), preview_signature(item)[:2]
        view.inspection = {**view.inspection, "compare": {"status": "running", "signature": signature}}
        nwbfile, backend = self.host.nwbfile, item.backend

        def publish(compare: dict) -> None:
            if (view.inspection or {}).get("location") == location:
                view.inspection = {**view.inspection, "compare": compare}

        def run() -> None:
            started = time.perf_counter()
            try:
                table = compare_codecs(snapshot, dataset_source(nwbfile, snapshot))
                compare = {
                    "status": "done",
                    "signature": signature,
                    "chart": chart_geometry(table),
                    "rows": compare_rows(table, backend),
                    "caption": f"{table.attrs.get('sampled_chunks', 0)} chunk(s) of "
                    f"{_shape_text(table.attrs.get('chunk_shape'))} sampled, "
                    f"{time.perf_counter() - started:.1f} s. Filled: {EVERY_HDF5_READER}; circles HDF5, squares Zarr.",
                }
            except Exception as error:
                compare = {"status": "error", "signature": signature, "error": error_text(error)}
            self.host.handoff(lambda: publish(compare))

        return self.compare_worker.submit(run)

    def _action_use_codec(self, content: dict) -> None:
        from ..compare import DEFAULT_CANDIDATES

        item = self.host.item(content.get("location"))
        label = content.get("label")
        candidate = next((candidate for candidate in DEFAULT_CANDIDATES if candidate["label"] == label), None)
        if candidate is None:
            raise ValueError(f"unknown codec {label!r}")
        if candidate.get("backend", item.backend) != item.backend:
            raise ValueError(f"{label} is for {candidate['backend']}; switch the backend first")
        item.update(
            compression_method=candidate.get("compression_method"),
            compression_options=candidate.get("compression_options"),
            filter_methods=list(candidate.get("filter_methods", ())),
            filter_options=candidate.get("filter_options"),
        )
        self.host.notice("info", f"{label} set for {item.location_in_file}.")

    # -- presets and export --------------------------------------------------------------------------------------

    def _action_apply_preset(self, content: dict) -> None:
        from ..presets import apply_preset

        configuration = self.host.configuration()
        name, neurodata_type = content.get("preset"), content.get("neurodata_type") or None
        types = [neurodata_type] if neurodata_type else None
        fallbacks = apply_preset(configuration, name, neurodata_types=types)
        count = sum(1 for item in configuration if types is None or item.neurodata_type in types)
        scope = f"the {count} {neurodata_type} dataset(s)" if neurodata_type else f"all {count} datasets"
        kept = f"; {len(fallbacks)} kept gzip {DEFAULT_GZIP_LEVEL} (the preset's codec cannot encode them)."
        self.host.notice(
            "info",
            f"Preset {name} applied to {scope}" + (kept if fallbacks else "."),
            "\n".join(f"{location}: {reason}" for location, reason in fallbacks.items()),
        )

    def export_text(self, format: str = "python") -> str:
        """The current configuration as ``python`` code, ``json`` or an ``h5repack`` command line."""
        from ..export import h5repack_command, to_python_code

        configuration, view = self.host.configuration(), self.host.view
        if format == "python":
            return to_python_code(configuration, baseline=self.host.baseline())
        if format == "json":
            return configuration.to_json()
        if format == "h5repack":
            source = view.source_path if view.source_path and configuration.backend == "hdf5" else "input.nwb"
            return h5repack_command(configuration, source, view.output_path.strip() or "output.nwb")
        raise ValueError(f"unknown export format {format!r}; use python, json or h5repack")

    def _action_export(self, content: dict) -> None:
        format = content.get("format") or "python"
        try:
            text = self.export_text(format)
        except (ValueError, ImportError, OSError) as error:
            self.host.view.export = {"format": format, "text": "", "error": error_text(error)}
            return
        self.host.view.export = {"format": format, "text": text, "error": "", "lines": text.count("\n") + 1}
