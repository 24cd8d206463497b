"""What the configurator widget shows for each dataset: rows, groups and totals, all computed in Python.

The browser view only displays these values; every size, count, warning and error it shows comes from here, so the
view and the model can never disagree.

>>> import numpy as np
>>> from nwbconfig_widget import HDF5DatasetIOConfiguration
>>> configuration = HDF5DatasetIOConfiguration(
...     object_id="id", location_in_file="acquisition/ts/data", dataset_name="data", dtype=np.dtype("int16"),
...     full_shape=(1000, 4), chunk_shape=(100, 4), buffer_shape=(1000, 4), neurodata_type="TimeSeries",
...     object_name="ts")
>>> row = build_row(configuration, RowState())
>>> row["chunk_size"], row["number_of_chunks"], row["group"]
('800 B', 10, 'acquisition/ts')
"""

from __future__ import annotations

import collections
import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

from .. import backends, codecs, defaults
from .._sizes import format_bytes
from ..models import BackendConfiguration, DatasetIOConfiguration
from .insight import available_memory_now, preview_cell, row_portability, row_warnings


@dataclasses.dataclass
class RowState:
    """What the widget remembers about a row besides the model: the user's rejected text and the reasons."""

    drafts: dict[str, Any] = dataclasses.field(default_factory=dict)  # field -> value as the user typed it
    errors: dict[str, str] = dataclasses.field(default_factory=dict)  # field -> why the draft was rejected
    notes: dict[str, str] = dataclasses.field(default_factory=dict)  # field -> what the widget changed on its own
    #: The last compression preview: status, the settings it was made for (signature), result or error.
    preview: dict[str, Any] = dataclasses.field(default_factory=dict)

    def clear(self, fields: Iterable[str] | None = None) -> None:
        """Forget drafts, errors and notes of ``fields`` (all fields when None)."""
        for store in (self.drafts, self.errors, self.notes):
            if fields is None:
                store.clear()
            else:
                for field in fields:
                    store.pop(field, None)


def group_path(configuration: DatasetIOConfiguration) -> str:
    """The location of the neurodata object holding a dataset: ``units`` for ``units/spike_times/data``.

    >>> import numpy as np
    >>> from nwbconfig_widget import HDF5DatasetIOConfiguration
    >>> group_path(HDF5DatasetIOConfiguration(object_id="i", location_in_file="units/spike_times/data",
    ...     dataset_name="data", dtype=np.dtype("f8"), full_shape=(3,), chunk_shape=(3,), object_name="units"))
    'units'
    """
    parts = configuration.location_in_file.split("/")[:-1]
    name = configuration.object_name
    if name is not None and name in parts:
        return "/".join(parts[: len(parts) - parts[::-1].index(name)])
    return "/".join(parts) or configuration.location_in_file


def _count(number: int) -> str:
    return f"{number:,}"


def _shape(shape: Iterable[int] | None) -> list[int] | None:
    return None if shape is None else [int(length) for length in shape]


def edited_fields(configuration: DatasetIOConfiguration, default: DatasetIOConfiguration | None) -> list[str]:
    """The editable fields whose value differs from the default configuration of the same dataset."""
    if default is None:
        return []
    return [
        field
        for field in DatasetIOConfiguration.EDITABLE_FIELDS
        if getattr(configuration, field) != getattr(default, field)
    ]


def build_row(
    configuration: DatasetIOConfiguration,
    state: RowState,
    default: DatasetIOConfiguration | None = None,
    shared: dict[Any, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """One row of the widget: facts, current settings, Python-computed estimates, drafts, errors and warnings.

    ``shared`` (a dict the caller keeps while it builds many rows at once) reuses the figures and advice of
    datasets with the same settings signature and default: they are computed once for each.
    """
    if shared is None:
        settings = _settings_part(configuration, default)
    else:
        key = (
            configuration.settings_signature(),
            None if default is None else default.settings_signature(),
            available_memory_now(),
        )
        settings = shared.get(key)
        if settings is None:
            settings = shared[key] = _settings_part(configuration, default)
    return {
        "location": configuration.location_in_file,
        "group": group_path(configuration),
        "dataset_name": configuration.dataset_name,
        "object_name": configuration.object_name or "",
        "neurodata_type": configuration.neurodata_type or "",
        **settings,
        "drafts": dict(state.drafts),
        "errors": dict(state.errors),
        "notes": dict(state.notes),
        "preview": preview_cell(configuration, state.preview),
        "invalid": bool(state.errors),
    }


def _settings_part(configuration: DatasetIOConfiguration, default: DatasetIOConfiguration | None) -> dict[str, Any]:
    """The part of a row that follows from the dataset's kind, shape and settings (and its default's)."""
    options = configuration.compression_options
    return {
        "dtype": str(configuration.dtype),
        "full_shape": list(configuration.full_shape),
        "size": format_bytes(configuration.full_size_bytes),
        "size_bytes": configuration.full_size_bytes,
        "chunk_shape": _shape(configuration.chunk_shape),
        "buffer_shape": _shape(configuration.buffer_shape),
        "compression_method": configuration.compression_method,
        "compression_options": dict(options) if options else {},
        "filter_methods": list(configuration.filter_methods),
        # One options dict (or None) per filter, for the view's option boxes (edited as field "filter_options").
        "filter_options": [dict(item) if item else None for item in configuration.filter_options],
        "chunk_size": format_bytes(configuration.chunk_size_bytes),
        "number_of_chunks": configuration.number_of_chunks,
        "number_of_chunks_text": _count(configuration.number_of_chunks),
        "ram": format_bytes(configuration.expected_ram_usage_bytes),
        "ram_bytes": configuration.expected_ram_usage_bytes,
        "lossy": configuration.lossy,
        "warnings": row_warnings(configuration),
        "portability": row_portability(configuration),
        "edited": edited_fields(configuration, default),
    }


def build_groups(configuration: BackendConfiguration) -> list[dict[str, Any]]:
    """One entry per neurodata object, in the order of the rows: its path, name, type, dataset count and size."""
    groups: dict[str, dict[str, Any]] = {}
    for item in configuration:
        path = group_path(item)
        group = groups.setdefault(
            path,
            {
                "path": path,
                "object_name": item.object_name or path.rsplit("/", 1)[-1],
                "neurodata_type": item.neurodata_type or "",
                "count": 0,
                "size_bytes": 0,
            },
        )
        group["count"] += 1
        group["size_bytes"] += item.full_size_bytes
    for group in groups.values():
        group["size"] = format_bytes(group["size_bytes"])
    return list(groups.values())


def build_totals(rows: Iterable[Mapping[str, Any]], unconfigurable: int = 0) -> dict[str, Any]:
    """Figures for the toolbar from the rows: uncompressed size, number of chunks, peak RAM, invalid and edited rows.

    The rows carry every number, so totals cost one pass over them instead of a walk over the model. A widget keeps
    a :class:`RowTotals` instead, so that changing one row of thousands costs O(1), not a new pass.
    """
    return RowTotals(rows).as_dict(unconfigurable)


class RowTotals:
    """Running totals of a list of rows: :meth:`replace` updates them for one changed row in constant time.

    Sums are kept as integers (exact however many rows come and go); the peak RAM is a count per value, so a row
    leaving only costs a scan of the distinct values when it held the last copy of the peak.
    """

    _SUMS = ("datasets", "size", "chunks", "invalid", "edited", "previewed", "estimated", "queued")

    def __init__(self, rows: Iterable[Mapping[str, Any]] = ()):
        self._sums = dict.fromkeys(self._SUMS, 0)
        self._ram: collections.Counter[int] = collections.Counter()
        self._peak = 0
        for row in rows:
            self.add(row)

    @staticmethod
    def _figures(row: Mapping[str, Any]) -> dict[str, int]:
        preview = row.get("preview") or {}
        done = preview.get("status") == "done" and preview.get("estimated_bytes") is not None
        return {
            "datasets": 1,
            "size": int(row["size_bytes"]),
            "chunks": int(row["number_of_chunks"]),
            "invalid": int(bool(row["invalid"])),
            "edited": int(bool(row["edited"])),
            "previewed": int(done),
            "estimated": round(preview["estimated_bytes"]) if done else 0,
            "queued": int(preview.get("status") == "queued"),
        }

    def add(self, row: Mapping[str, Any]) -> None:
        """Count one more row."""
        for key, value in self._figures(row).items():
            self._sums[key] += value
        ram = int(row["ram_bytes"])
        self._ram[ram] += 1
        self._peak = max(self._peak, ram)

    def remove(self, row: Mapping[str, Any]) -> None:
        """Stop counting a row that was added before."""
        for key, value in self._figures(row).items():
            self._sums[key] -= value
        ram = int(row["ram_bytes"])
        self._ram[ram] -= 1
        if self._ram[ram] <= 0:
            del self._ram[ram]
            if ram == self._peak:
                self._peak = max(self._ram, default=0)

    def replace(self, old: Mapping[str, Any], new: Mapping[str, Any]) -> None:
        """One row changed from ``old`` to ``new`` (added first, so an unchanged peak is never re-scanned)."""
        self.add(new)
        self.remove(old)

    def as_dict(self, unconfigurable: int = 0) -> dict[str, Any]:
        """The totals as the toolbar shows them."""
        sums = self._sums
        datasets, previewed = sums["datasets"], sums["previewed"]
        preview_text = ""
        if previewed:
            preview_text = (
                f"{format_bytes(sums['estimated'])} stored (est.) for {_count(previewed)} previewed dataset"
                f"{'' if previewed == 1 else 's'}"
                + (f" ({_count(datasets - previewed)} not previewed)" if previewed < datasets else "")
            )
        return {
            "datasets": datasets,
            "datasets_text": _count(datasets),
            "uncompressed": format_bytes(sums["size"]),
            "uncompressed_bytes": sums["size"],
            "chunks": sums["chunks"],
            "chunks_text": _count(sums["chunks"]),
            "peak_ram": format_bytes(self._peak),
            "peak_ram_bytes": self._peak,
            "invalid": sums["invalid"],
            "edited": sums["edited"],
            "unconfigurable": unconfigurable,
            "previewed": previewed,
            "preview_text": preview_text,
            "previews_queued": sums["queued"],
        }


def codec_menu(backend: str) -> dict[str, Any]:
    """The compression methods and filters installed for ``backend``, with their option names, for the menus;
    ``default_method`` is the method default configurations use (``defaults.settings.compression_method``);
    ``backends`` the backends the view offers, with the names it shows; ``filter_options`` the option names of each
    filter."""
    methods = list(codecs.available_compression_methods(backend))
    return {
        "backend": backend,
        "backends": [{"name": name, "label": backends.display_name(name)} for name in backends.BACKENDS],
        "compression_methods": methods,
        "default_method": defaults.settings.compression_method,
        "compression_options": {name: list(codecs.option_names(backend, name)) for name in methods},
        "filter_methods": list(codecs.available_filter_methods(backend)),
        # The option names of each filter: the view shows one box per option next to the filter.
        "filter_options": {
            name: list(codecs.option_names(backend, name, "filter"))
            for name in codecs.available_filter_methods(backend)
        },
        "lossy": [name for name in [*methods, *codecs.available_filter_methods(backend)] if codecs.is_lossy(name)],
    }
