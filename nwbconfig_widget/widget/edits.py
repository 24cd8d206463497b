"""Turning what a user typed in the configurator widget into validated changes of the live configuration.

Values arrive as the browser holds them (texts per axis, option texts); they are parsed here and assigned through
the model, whose validation decides. A rejected value leaves the model unchanged and raises ConfigurationError.

>>> import numpy as np
>>> from nwbconfig_widget import HDF5DatasetIOConfiguration
>>> configuration = HDF5DatasetIOConfiguration(
...     object_id="id", location_in_file="acquisition/ts/data", dataset_name="data", dtype=np.dtype("int16"),
...     full_shape=(1000, 4), chunk_shape=(100, 4), buffer_shape=(500, 4))
>>> apply_edit(configuration, "chunk_shape", ["30", "4"])
'Buffer shape changed to (480, 4) to stay a whole multiple of the chunk.'
>>> configuration.chunk_shape, configuration.buffer_shape
((30, 4), (480, 4))
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from ..models import BackendConfiguration, ConfigurationError, DatasetIOConfiguration

_INTEGER = re.compile(r"[+-]?\d+")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
#: Longer digit strings are refused before conversion (no data has an axis of 10**30 elements).
_MAX_DIGITS = 30

#: The fields the widget edits (those of the model), each with its own parser below.
EDITABLE_FIELDS = DatasetIOConfiguration.EDITABLE_FIELDS


def parse_shape(configuration: DatasetIOConfiguration, field: str, value: Any) -> tuple[int, ...] | None:
    """A shape from one text (or number) per axis; all axes empty means None (contiguous HDF5 data)."""
    if value is None:
        return None
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise ConfigurationError(
            configuration.location_in_file,
            field,
            value,
            "a shape is one whole number per axis",
            f"Give {len(configuration.full_shape)} positive integers.",
        )
    texts = ["" if item is None else str(item).strip().replace(",", "").replace("_", "") for item in value]
    if field == "chunk_shape" and all(text == "" for text in texts):
        return None
    shape = []
    for axis, text in enumerate(texts):
        if not _INTEGER.fullmatch(text):
            shown = f"{text[:40]!r}" if text else "empty"
            raise ConfigurationError(
                configuration.location_in_file,
                field,
                list(value),
                f"axis {axis} is {shown}, not a whole number",
                "Type a positive integer.",
            )
        if len(text.lstrip("+-0")) > _MAX_DIGITS:
            raise ConfigurationError(
                configuration.location_in_file,
                field,
                list(value),
                f"axis {axis} has {len(text)} digits, far more than any data",
                f"Use at most the full shape {configuration.full_shape}.",
            )
        shape.append(int(text))
    return tuple(shape)


def parse_option(text: Any) -> Any:
    """An option value from its text: true/false, an integer, a number, or the text itself.

    >>> [parse_option(text) for text in ["5", "0.5", "true", "zstd", 3]]
    [5, 0.5, True, 'zstd', 3]
    """
    if not isinstance(text, str):
        return text
    stripped = text.strip()
    if stripped.lower() in ("true", "false"):
        return stripped.lower() == "true"
    if len(stripped) > _MAX_DIGITS:
        return stripped  # kept as text: the codec's check says it is not a valid number for the option
    if _INTEGER.fullmatch(stripped):
        return int(stripped)
    if _NUMBER.fullmatch(stripped):
        return float(stripped)
    return stripped


def parse_options(values: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Codec options from the option boxes; empty boxes are left out (the codec's default applies).

    >>> parse_options({"clevel": "5", "cname": " zstd ", "shuffle": ""})
    {'clevel': 5, 'cname': 'zstd'}
    """
    if values is not None and not isinstance(values, Mapping):
        raise ValueError(f"codec options are given by name (a JSON object), got {values!r}")
    if not values:
        return None
    options = {
        str(name): parse_option(text) for name, text in values.items() if text is not None and str(text).strip() != ""
    }
    return options or None


def _set_chunk_shape(configuration: DatasetIOConfiguration, chunk_shape: tuple[int, ...] | None) -> str | None:
    try:
        configuration.chunk_shape = chunk_shape
        return None
    except ConfigurationError as error:
        if chunk_shape is None or len(chunk_shape) != len(configuration.full_shape):
            raise
        buffer_shape = configuration.suggest_buffer_shape(chunk_shape)
        try:
            configuration.update(chunk_shape=chunk_shape, buffer_shape=buffer_shape)
        except ConfigurationError:
            raise error from None
        return f"Buffer shape changed to {buffer_shape} to stay a whole multiple of the chunk."


def _set_filter_options(configuration: DatasetIOConfiguration, value: Any) -> None:
    """One set of option boxes per filter (or null for a filter without options)."""
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise ConfigurationError(
            configuration.location_in_file,
            "filter_options",
            value,
            "filter options are a list with one set of options (or null) per filter",
            f"Give one entry per filter of {list(configuration.filter_methods)}.",
        )
    parsed = []
    for item in value:
        try:
            parsed.append(parse_options(item))
        except ValueError as exc:
            raise ConfigurationError(
                configuration.location_in_file, "filter_options", list(value), str(exc), "Fill the option boxes."
            ) from None
    configuration.filter_options = parsed


def error_text(error: BaseException, where: bool = False) -> str:
    """What the widget shows of an error: a ConfigurationError's reason and fix (with ``where``, led by the dataset
    and the field, for messages outside the row), or the type and message of any other exception."""
    if not isinstance(error, ConfigurationError):
        return f"{type(error).__name__}: {error}"
    text = f"{error.reason[:1].upper()}{error.reason[1:]}." + (f" {error.fix}" if error.fix else "")
    return f"{error.location}, {error.field}: {text}" if where else text


def check_edit_message(field: Any) -> str:
    """The field of an edit message, or ValueError for one that no edit box sends (a malformed message)."""
    if not isinstance(field, str) or field not in EDITABLE_FIELDS:
        raise ValueError(f"{field!r} is not an editable field; editable: {list(EDITABLE_FIELDS)}")
    return field


def apply_edit(configuration: DatasetIOConfiguration, field: str, value: Any) -> str | None:
    """Assign one edited field from its browser form; return a note when the widget also adjusted another field.

    Raises ConfigurationError (and changes nothing) when the value is invalid, and ValueError when ``field`` is
    not an editable field (a message no edit box sends: nothing to show next to a field).
    """
    field = check_edit_message(field)
    if field == "chunk_shape":
        return _set_chunk_shape(configuration, parse_shape(configuration, field, value))
    if field == "buffer_shape":
        configuration.buffer_shape = parse_shape(configuration, field, value)
    elif field == "compression_method":
        configuration.compression_method = value if value not in ("", None) else None
    elif field == "compression_options":
        if value is not None and not isinstance(value, Mapping):
            method = configuration.compression_method
            raise ConfigurationError(
                configuration.location_in_file,
                field,
                value,
                "options are given by name",
                f"Fill the option boxes of the compression method {method!r}.",
            )
        configuration.compression_options = parse_options(value)
    elif field == "filter_methods":
        if isinstance(value, str) or not isinstance(value, Sequence):
            raise ConfigurationError(
                configuration.location_in_file,
                field,
                value,
                "filters are a list of names",
                "Pick filters from the list (or none), e.g. ['shuffle'].",
            )
        kept = dict(zip(configuration.filter_methods, configuration.filter_options))
        names = [str(name) for name in value]
        configuration.update(filter_methods=names, filter_options=[kept.get(name) for name in names])
    else:
        _set_filter_options(configuration, value)
    return None


def _matching_name(name: str | None, available: Sequence[str]) -> str | None:
    if name is None or name in available:
        return name
    lowered = {item.lower(): item for item in available}
    return lowered.get(name.lower())


def carry_over_edits(
    old: BackendConfiguration,
    old_defaults: BackendConfiguration,
    new: BackendConfiguration,
    available_methods: Sequence[str],
    available_filters: Sequence[str],
) -> list[str]:
    """Copy the user's edits (fields that differ from ``old_defaults``) of ``old`` into ``new`` (another backend).

    Each edit is kept only if the new backend accepts it; returns one line per edit that had to be dropped.
    """
    dropped = []
    for location, target in new.dataset_configurations.items():
        source = old.dataset_configurations.get(location)
        default = old_defaults.dataset_configurations.get(location)
        if source is None or default is None:
            continue
        changes: list[tuple[str, dict[str, Any]]] = []
        if (source.chunk_shape, source.buffer_shape) != (default.chunk_shape, default.buffer_shape):
            changes.append(
                ("chunk and buffer shapes", {"chunk_shape": source.chunk_shape, "buffer_shape": source.buffer_shape})
            )
        if (source.compression_method, source.compression_options) != (
            default.compression_method,
            default.compression_options,
        ):
            method = _matching_name(source.compression_method, available_methods)
            options = dict(source.compression_options) if source.compression_options else None
            changes.append(
                (
                    f"compression {source.compression_method}",
                    {"compression_method": method, "compression_options": options},
                )
            )
        if source.filter_methods != default.filter_methods:
            names = [_matching_name(name, available_filters) for name in source.filter_methods]
            changes.append(
                (
                    f"filters {list(source.filter_methods)}",
                    {"filter_methods": names, "filter_options": [None] * len(names)},
                )
            )
        for label, change in changes:
            try:
                if None in change.get("filter_methods", ()):
                    raise ConfigurationError(
                        location, "filter_methods", source.filter_methods, "not available for this backend"
                    )
                target.update(**change)
            except ConfigurationError as error:
                if "compression_options" in change and change["compression_options"]:
                    try:  # the same method may name its options differently on the other backend
                        target.update(compression_method=change["compression_method"], compression_options=None)
                        dropped.append(
                            f"{location}: kept {change['compression_method']} but not its options "
                            f"{change['compression_options']} ({error.reason})"
                        )
                        continue
                    except ConfigurationError:
                        pass
                dropped.append(f"{location}: {label} not kept ({error.reason})")
    return dropped
