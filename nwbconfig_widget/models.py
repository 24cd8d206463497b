"""Configuration models: one :class:`DatasetIOConfiguration` per dataset, gathered in a :class:`BackendConfiguration`.

Every assignment is validated against the whole dataset configuration before it is kept, so a configuration is
always writable; an invalid value raises :class:`ConfigurationError` and leaves the configuration as it was.

>>> import numpy as np
>>> configuration = HDF5DatasetIOConfiguration(
...     object_id="id", location_in_file="acquisition/MyTimeSeries/data", dataset_name="data",
...     dtype=np.dtype("float64"), full_shape=(3,), chunk_shape=(3,), buffer_shape=(3,),
... )
>>> configuration.chunk_shape = (1,)
>>> configuration.chunk_size_bytes
8
>>> try:
...     configuration.chunk_shape = (4,)
... except ConfigurationError as error:
...     print(error.field, "|", error.reason, "|", error.fix)
chunk_shape | axis 0 of the chunk (4) is larger than the data (3) | Use at most the full shape (3,).
>>> configuration.chunk_shape
(1,)
"""

from __future__ import annotations

import copy
import difflib
import json
import math
import os
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, ClassVar

import numpy as np

from . import backends, codecs
from ._option_values import checked_option_values
from ._plain import plain
from ._sizes import format_bytes
from .defaults import DEFAULT_COMPRESSION_METHOD, default_buffer_shape, recommended_chunk_shape

__all__ = [
    "BackendConfiguration",
    "ConfigurationError",
    "DatasetIOConfiguration",
    "HDF5BackendConfiguration",
    "HDF5DatasetIOConfiguration",
    "ZarrBackendConfiguration",
    "ZarrDatasetIOConfiguration",
]

_JSON_FORMAT = "nwbconfig_widget.backend_configuration"
_JSON_VERSION = 1

#: Bytes counted per element of variable-length data (strings, ragged objects): the size of its reference in a chunk.
VARIABLE_LENGTH_ITEMSIZE = 8

#: HDF5 refuses chunks of 4 GiB or more (H5Pset_chunk).
HDF5_MAX_CHUNK_BYTES = 2**32 - 1
#: No array (a chunk or a write buffer) can hold more bytes than a signed 64-bit count.
MAX_ARRAY_BYTES = 2**63 - 1


class ConfigurationError(ValueError):
    """An invalid setting: names the dataset, the field, the value given and what would be valid."""

    def __init__(
        self, location: str, field: str, value: Any, reason: str, fix: str | None = None, unsupported_data: bool = False
    ):
        self.location, self.field, self.value, self.reason, self.fix = location, field, value, reason, fix
        #: True when the settings are valid but cannot encode this dataset's kind of data.
        self.unsupported_data = unsupported_data
        message = f"{plain(location)}: {field}={plain(repr(value), 300)} is invalid: {reason}."
        if fix:
            message += f" {fix}"
        super().__init__(message)


def dtype_to_json(dtype: np.dtype) -> Any:
    """A JSON-safe description of a numpy dtype that :func:`dtype_from_json` turns back into the same dtype.

    >>> dtype_from_json(json.loads(json.dumps(dtype_to_json(np.dtype([("x", "<i4"), ("y", "<f8")])))))
    dtype([('x', '<i4'), ('y', '<f8')])
    """
    return np.lib.format.dtype_to_descr(np.dtype(dtype))


def dtype_from_json(description: Any) -> np.dtype:
    """The numpy dtype described by :func:`dtype_to_json`."""
    if isinstance(description, list):
        description = [tuple(field) for field in description]
    return np.lib.format.descr_to_dtype(description)


def _as_shape(value: Any) -> tuple[int, ...] | None:
    """Normalize a shape given as a tuple/list of integers; raise ValueError with the reason otherwise."""
    if value is None:
        return None
    if isinstance(value, (str, bytes, Mapping, set, frozenset)) or not isinstance(value, Iterable):
        raise ValueError("a shape is a tuple of positive integers, one per axis")
    shape = []
    for length in value:
        if isinstance(length, (bool, np.bool_)) or not isinstance(length, (int, np.integer)):
            if isinstance(length, (float, np.floating)) and float(length).is_integer():
                length = int(length)
            else:
                raise ValueError(f"every axis length must be a whole number, got {length!r}")
        if length <= 0:
            raise ValueError(f"every axis length must be positive, got {int(length)}")
        shape.append(int(length))
    return tuple(shape)


def _plain_unbounded(text: str | None) -> str | None:
    """A name with its control characters escaped but never cut (a table cell keeps the whole name)."""
    return None if text is None else plain(text, max_length=len(text) * 12 + 1)


def _as_full_shape(location: str, value: Any) -> tuple[int, ...]:
    """The shape of the source data: whole numbers of zero or more, one per axis."""
    try:
        shape = _as_shape(value) if not _has_zero_axis(value) else tuple(int(length) for length in value)
    except (ValueError, TypeError) as exc:
        raise ConfigurationError(
            location, "full_shape", value, str(exc), "It is the shape of the source data; take it from the file."
        ) from None
    if shape is None:
        raise ConfigurationError(location, "full_shape", None, "the data needs a shape", "Give one length per axis.")
    return shape


def _has_zero_axis(value: Any) -> bool:
    """A list of whole numbers with a zero among them (an empty axis: valid for data, never for a chunk)."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        return False
    items = list(value)
    whole = all(isinstance(item, (int, np.integer)) and not isinstance(item, (bool, np.bool_)) for item in items)
    return whole and any(item == 0 for item in items) and all(item >= 0 for item in items)


def _copied_state(state: Mapping[str, Any]) -> dict[str, Any]:
    """A validated state whose dicts and lists are this state's own (so that no two datasets share one)."""
    return {name: copy.deepcopy(value) if isinstance(value, (dict, list)) else value for name, value in state.items()}


class _WatchedOptions(dict):
    """A dict of codec options that validates every change through its dataset configuration before keeping it.

    This makes ``configuration.compression_options["clevel"] = 4`` as safe as assigning a whole new dict.
    """

    def __init__(self, values: Mapping[str, Any], owner: DatasetIOConfiguration, field: str):
        super().__init__(values)
        self._owner, self._field = owner, field

    def _propose(self, change: Callable[[dict], Any]) -> Any:
        candidate = dict(self)
        result = change(candidate)
        self._owner._assign({self._field: candidate})
        dict.clear(self)
        dict.update(self, candidate)
        return result

    def __setitem__(self, key: str, value: Any) -> None:
        self._propose(lambda candidate: candidate.__setitem__(key, value))

    def __delitem__(self, key: str) -> None:
        self._propose(lambda candidate: candidate.__delitem__(key))

    def update(self, *args: Any, **kwargs: Any) -> None:
        self._propose(lambda candidate: candidate.update(*args, **kwargs))

    def pop(self, key: str, *default: Any) -> Any:
        return self._propose(lambda candidate: candidate.pop(key, *default))

    def setdefault(self, key: str, default: Any = None) -> Any:
        return self._propose(lambda candidate: candidate.setdefault(key, default))

    def clear(self) -> None:
        self._propose(lambda candidate: candidate.clear())

    def popitem(self) -> tuple[str, Any]:
        return self._propose(lambda candidate: candidate.popitem())

    def __deepcopy__(self, memo: dict) -> dict:
        return copy.deepcopy(dict(self), memo)

    def __reduce__(self) -> tuple:
        return (dict, (dict(self),))


class DatasetIOConfiguration:
    """How one dataset is chunked, buffered while writing, filtered and compressed.

    Read-only facts about the source data: ``object_id``, ``location_in_file``, ``dataset_name``, ``dtype``,
    ``full_shape`` (plus ``neurodata_type`` and ``object_name`` of the neurodata object that holds it).
    Editable settings: ``chunk_shape``, ``buffer_shape``, ``compression_method``, ``compression_options``,
    ``filter_methods``, ``filter_options``. Derived sizes: ``full_size_bytes``, ``expected_ram_usage_bytes`` (one
    buffer), ``chunk_size_bytes`` and ``number_of_chunks``.
    """

    backend: ClassVar[str] = ""
    READ_ONLY_FIELDS: ClassVar[tuple[str, ...]] = (
        "object_id",
        "location_in_file",
        "dataset_name",
        "dtype",
        "full_shape",
        "neurodata_type",
        "object_name",
    )
    EDITABLE_FIELDS: ClassVar[tuple[str, ...]] = (
        "chunk_shape",
        "buffer_shape",
        "compression_method",
        "compression_options",
        "filter_methods",
        "filter_options",
    )

    def __init__(
        self,
        *,
        object_id: str,
        location_in_file: str,
        dataset_name: str,
        dtype: Any,
        full_shape: Sequence[int],
        chunk_shape: Sequence[int] | None,
        buffer_shape: Sequence[int] | None = None,
        compression_method: Any = DEFAULT_COMPRESSION_METHOD,
        compression_options: Mapping[str, Any] | None = None,
        filter_methods: Sequence[Any] = (),
        filter_options: Sequence[Mapping[str, Any] | None] | None = None,
        neurodata_type: str | None = None,
        object_name: str | None = None,
    ):
        if type(self) is DatasetIOConfiguration:
            raise TypeError("use HDF5DatasetIOConfiguration or ZarrDatasetIOConfiguration")
        full_shape = _as_full_shape(location_in_file, full_shape)
        facts = dict(
            object_id=object_id,
            location_in_file=location_in_file,
            dataset_name=dataset_name,
            dtype=np.dtype(dtype),
            full_shape=full_shape,
            neurodata_type=neurodata_type,
            object_name=object_name,
        )
        object.__setattr__(self, "_facts", facts)
        object.__setattr__(self, "_state", {})
        object.__setattr__(self, "_observers", [])
        settings = dict(
            chunk_shape=chunk_shape,
            buffer_shape=buffer_shape if buffer_shape is not None else (chunk_shape or full_shape),
            compression_method=compression_method,
            compression_options=compression_options,
            filter_methods=filter_methods,
            filter_options=filter_options,
        )
        object.__setattr__(self, "_state", self._validated(settings, changed=tuple(settings)))

    # ------------------------------------------------------------------------------------------------ attribute access

    def __getattr__(self, name: str) -> Any:
        facts = object.__getattribute__(self, "_facts")
        if name in facts:
            return facts[name]
        state = object.__getattribute__(self, "_state")
        if name in state:
            value = state[name]
            if name == "compression_options" and value is not None:
                return _WatchedOptions(value, self, "compression_options")
            if name in ("filter_methods", "filter_options"):
                return tuple(value)
            return value
        raise AttributeError(f"{type(self).__name__} has no attribute {name!r}")

    def __setattr__(self, name: str, value: Any) -> None:
        if name in self.READ_ONLY_FIELDS:
            raise AttributeError(
                f"{self.location_in_file}: {name} is read-only; it is fixed by the source data "
                "(change it where the data is created or read)"
            )
        if name not in self.EDITABLE_FIELDS:
            raise AttributeError(
                f"{type(self).__name__} has no editable field {name!r}; editable: {list(self.EDITABLE_FIELDS)}"
            )
        self._assign({name: value})

    def __dir__(self) -> list[str]:
        return sorted({*super().__dir__(), *self.READ_ONLY_FIELDS, *self.EDITABLE_FIELDS})

    def update(self, **changes: Any) -> None:
        """Change several fields at once; all are validated together and kept only if the result is valid.

        Use it for changes that are only valid together, e.g. a new chunk shape with a matching buffer shape.
        """
        unknown = sorted(set(changes) - set(self.EDITABLE_FIELDS))
        if unknown:
            raise AttributeError(
                f"{self.location_in_file}: not editable: {unknown}; editable: {list(self.EDITABLE_FIELDS)}"
            )
        self._assign(changes)

    def take_settings(self, other: DatasetIOConfiguration) -> None:
        """Take every editable setting of ``other``, a configuration of the same dataset for the same backend (a
        default configuration's, say), without validating them again: a configuration's settings are valid at all
        times, and valid for this dataset since ``other`` describes the same one. Observers are told what changed,
        as by :meth:`update`. Faster than ``update(**settings)`` where thousands of datasets are reset.

        >>> from nwbconfig_widget import HDF5DatasetIOConfiguration
        >>> def ephys(**settings):
        ...     return HDF5DatasetIOConfiguration(object_id="id", location_in_file="acquisition/ephys/data",
        ...         dataset_name="data", dtype="int16", full_shape=(1000, 4), chunk_shape=(100, 4), **settings)
        >>> edited, default = ephys(compression_method="lzf"), ephys()
        >>> edited.take_settings(default)
        >>> edited.compression_method == default.compression_method == "gzip"
        True
        """
        if type(other) is not type(self) or other._facts != self._facts:
            raise ValueError(
                f"{self.location_in_file}: take_settings needs a configuration of the same dataset and backend "
                f"({type(self).__name__}); got {other.location_in_file} ({type(other).__name__}): use update() to "
                "give settings of another dataset, which validates them for this one"
            )
        self._adopt(_copied_state(other._state))

    def _assign(self, changes: Mapping[str, Any]) -> None:
        self._adopt(self._validated({**self._state, **changes}, changed=tuple(changes)))

    def _adopt(self, new_state: dict[str, Any]) -> None:
        """Take a state that :meth:`_validated` returned for this dataset, and tell the observers what changed."""
        changed_fields = [name for name in self.EDITABLE_FIELDS if new_state[name] != self._state[name]]
        object.__setattr__(self, "_state", new_state)
        for observer in list(self._observers):
            observer(self, changed_fields)

    def settings_signature(self) -> tuple[Any, ...]:
        """Everything this configuration's figures and advice depend on: its kind, dtype, shape and settings (not its
        location). Two configurations with equal signatures have the same sizes, chunk counts, warnings and
        portability, and accept or refuse a new compression alike, ending in the same state.

        >>> import numpy as np
        >>> one, two = (HDF5DatasetIOConfiguration(object_id=name, location_in_file=f"{name}/data", dataset_name="data",
        ...     dtype=np.dtype("int16"), full_shape=(1000, 4), chunk_shape=(100, 4)) for name in ("a", "b"))
        >>> one.settings_signature() == two.settings_signature()
        True
        """
        state = self._state
        return (
            type(self),
            self.dtype,
            self.full_shape,
            state["chunk_shape"],
            state["buffer_shape"],
            state["compression_method"],
            repr(state["compression_options"]),
            tuple(state["filter_methods"]),
            repr(state["filter_options"]),
        )

    def observe(self, callback: Callable[[DatasetIOConfiguration, list[str]], None]) -> None:
        """Call ``callback(configuration, changed_fields)`` after every accepted change."""
        self._observers.append(callback)

    def unobserve(self, callback: Callable[[DatasetIOConfiguration, list[str]], None]) -> None:
        """Stop calling ``callback``."""
        self._observers.remove(callback)

    # ------------------------------------------------------------------------------------------------------ validation

    def _error(
        self, field: str, value: Any, reason: str, fix: str | None = None, unsupported_data: bool = False
    ) -> ConfigurationError:
        return ConfigurationError(self.location_in_file, field, value, reason, fix, unsupported_data)

    def _validated(self, state: dict[str, Any], changed: tuple[str, ...]) -> dict[str, Any]:
        """Check a proposed state; return it normalized, or raise ConfigurationError blaming a changed field."""
        state = dict(state)
        full_shape = self.full_shape
        for field in ("chunk_shape", "buffer_shape"):
            try:
                state[field] = _as_shape(state[field])
            except ValueError as exc:
                raise self._error(field, state[field], str(exc), f"Give {len(full_shape)} positive integers.") from None
        self._check_chunk_shape(state["chunk_shape"])
        blame = "chunk_shape" if "chunk_shape" in changed and "buffer_shape" not in changed else "buffer_shape"
        self._check_buffer_shape(state["buffer_shape"], state["chunk_shape"], blame=blame)
        self._normalize_codecs(state, changed)
        self._check_sizes(state)
        return state

    def _check_sizes(self, state: dict[str, Any]) -> None:
        """Chunks within what the backend and codec can store; no chunk or buffer beyond a 64-bit byte count."""
        for field in ("chunk_shape", "buffer_shape"):
            shape = state[field]
            if shape is None:
                continue
            nbytes = math.prod(shape) * self.itemsize
            limit = MAX_ARRAY_BYTES
            if field == "chunk_shape":
                limit = min(limit, self._max_chunk_bytes(state))
            if nbytes > limit:
                raise self._error(
                    field,
                    shape,
                    f"it holds {format_bytes(nbytes)}, more than the {format_bytes(limit)} "
                    f"{'one chunk can hold here' if field == 'chunk_shape' else 'any array can hold'}",
                    f"Use a smaller {field.split('_')[0]}, e.g. the recommended chunk shape "
                    f"{self.recommended_chunk_shape()}.",
                )

    def _max_chunk_bytes(self, state: dict[str, Any]) -> int:
        """The largest chunk the compressor takes (numcodecs' own limit), or the backend's."""
        method = state["compression_method"]
        codec = codecs.available_compression_methods(self.backend).get(method) if method else None
        limit = getattr(codec, "max_buffer_size", None)
        return int(limit) if limit else MAX_ARRAY_BYTES

    def _check_fits_the_data(self, field: str, shape: tuple[int, ...]) -> None:
        """One length per axis, none longer than the data."""
        full_shape = self.full_shape
        if len(shape) != len(full_shape):
            raise self._error(
                field,
                shape,
                f"it has {len(shape)} axes but the data has {len(full_shape)}",
                f"Give one length per axis of {full_shape}.",
            )
        what = field.split("_")[0]
        for axis, (length, full) in enumerate(zip(shape, full_shape)):
            if length > full:
                raise self._error(
                    field,
                    shape,
                    f"axis {axis} of the {what} ({length}) is larger than the data ({full})",
                    f"Use at most the full shape {full_shape}.",
                )

    def _check_chunk_shape(self, chunk_shape: tuple[int, ...] | None) -> None:
        if chunk_shape is not None:
            self._check_fits_the_data("chunk_shape", chunk_shape)

    def _check_buffer_shape(
        self, buffer_shape: tuple[int, ...] | None, chunk_shape: tuple[int, ...] | None, blame: str
    ) -> None:
        full_shape = self.full_shape
        if buffer_shape is None:
            raise self._error(
                "buffer_shape",
                None,
                "a write needs a buffer shape",
                f"Give a multiple of the chunk shape, at most {full_shape}.",
            )
        self._check_fits_the_data("buffer_shape", buffer_shape)
        if chunk_shape is None:
            return
        for axis, (buffer, chunk, full) in enumerate(zip(buffer_shape, chunk_shape, full_shape)):
            if buffer < chunk:
                reason = f"axis {axis} of the buffer ({buffer}) is smaller than the chunk ({chunk})"
            elif buffer % chunk and buffer != full:
                reason = f"axis {axis} of the buffer ({buffer}) is not a whole multiple of the chunk ({chunk})"
            else:
                continue
            suggestion = self.suggest_buffer_shape(chunk_shape, buffer_shape)
            raise self._error(
                blame,
                buffer_shape if blame == "buffer_shape" else chunk_shape,
                reason,
                f"Use a buffer shape that is a whole multiple of the chunk shape {chunk_shape}, such as {suggestion}, "
                "or change both at once with update(chunk_shape=..., buffer_shape=...).",
            )

    def suggest_buffer_shape(
        self, chunk_shape: Sequence[int], buffer_shape: Sequence[int] | None = None
    ) -> tuple[int, ...]:
        """The buffer (default: the current one) moved to the nearest valid shape for ``chunk_shape``.

        Each axis becomes a whole multiple of the chunk (at least one chunk), or the full length where the buffer
        spans the data.

        >>> import numpy as np
        >>> item = HDF5DatasetIOConfiguration(object_id="i", location_in_file="x/data", dataset_name="data",
        ...     dtype=np.dtype("int16"), full_shape=(1000, 32), chunk_shape=(100, 32), buffer_shape=(500, 32))
        >>> item.suggest_buffer_shape((300, 16))
        (300, 32)
        """
        current = self.buffer_shape if buffer_shape is None else buffer_shape
        suggestion = []
        for buffer, chunk, full in zip(current, chunk_shape, self.full_shape):
            if not isinstance(chunk, (int, np.integer)) or chunk <= 0:
                suggestion.append(buffer)  # nothing to fit to: the chunk shape itself is invalid
                continue
            multiple = max(chunk, (buffer // chunk) * chunk)
            suggestion.append(full if buffer >= full or multiple >= full else multiple)
        return tuple(suggestion)

    def _normalize_codecs(self, state: dict[str, Any], changed: tuple[str, ...]) -> None:
        self._normalize_compression(state, changed)
        self._normalize_filters(state, changed)
        self._check_pipeline(state, changed)

    def _normalize_compression(self, state: dict[str, Any], changed: tuple[str, ...]) -> None:
        """Canonical method name and JSON-safe options; codec instances are split into name and options."""
        backend = self.backend
        try:
            method, options_of_instance = codecs.normalize_compression(backend, state["compression_method"])
        except codecs.CodecError as exc:
            raise self._error("compression_method", state["compression_method"], str(exc)) from None
        options = state["compression_options"]
        if options_of_instance is not None and "compression_options" not in changed:
            options = options_of_instance
        if options is not None and not isinstance(options, Mapping):
            accepted = list(codecs.option_names(backend, method)) if method else []
            raise self._error(
                "compression_options",
                options,
                "options are a dict of option names to values",
                f"e.g. {{'level': {codecs.DEFAULT_GZIP_LEVEL}}} for gzip; {method!r} accepts {accepted}",
            )
        options = codecs.json_safe(dict(options)) if options else None
        if method is None and options and "compression_options" not in changed:
            options = None  # no compression: the old method's options go with it
        if method is None and options:
            raise self._error(
                "compression_options",
                options,
                "there is no compression method to take them",
                "Set compression_method first.",
            )
        switched = "compression_method" in changed and "compression_options" not in changed
        if switched and options and method != self._state.get("compression_method"):
            # A new method keeps the old options only where they still apply.
            try:
                codecs.check_pipeline(backend, self.dtype, state["chunk_shape"], self.full_shape, method, options)
            except codecs.CodecError:
                options = None
        state["compression_method"], state["compression_options"] = method, options

    def _normalize_filters(self, state: dict[str, Any], changed: tuple[str, ...]) -> None:
        """Canonical filter names with one options entry (dict or None) each; names are checked first."""
        methods = self._as_list(state["filter_methods"], "filter_methods", "a list of filter names")
        names, options_of_instances = [], []
        for method in methods:
            try:
                name, options_of_instance = codecs.normalize_filter(self.backend, method)
            except codecs.CodecError as exc:
                raise self._error("filter_methods", state["filter_methods"], str(exc)) from None
            names.append(name)
            options_of_instances.append(options_of_instance)
        if len(set(names)) != len(names):
            raise self._error(
                "filter_methods", state["filter_methods"], "a filter appears twice", "List each filter once."
            )
        options = state["filter_options"]
        if options is not None:
            options = self._as_list(options, "filter_options", "a list with one dict (or None) per filter")
            options = options or None  # [] (as a saved file without filters has): no options for any filter
        if "filter_methods" in changed and "filter_options" not in changed:
            # Filters that were there before keep their options.
            previous = dict(zip(self._state.get("filter_methods", []), self._state.get("filter_options", [])))
            options = [previous.get(name) for name in names]
        options = list(options) if options is not None else [None] * len(names)
        for item in options:
            if item is not None and not isinstance(item, Mapping):
                raise self._error(
                    "filter_options",
                    state["filter_options"],
                    f"each entry is a dict of option names to values (or None), got {item!r}",
                    "Give one dict (or None) per filter method, e.g. [{'keepbits': 10}] for bitround.",
                )
        if len(options) != len(names):
            raise self._error(
                "filter_options",
                state["filter_options"],
                f"there are {len(names)} filter methods but {len(options)} option entries",
                "Give one dict (or None) per filter method.",
            )
        options = [
            item if item is not None else from_instance for item, from_instance in zip(options, options_of_instances)
        ]
        state["filter_methods"] = names
        state["filter_options"] = [codecs.json_safe(dict(item)) if item else None for item in options]

    def _as_list(self, value: Any, field: str, what: str) -> list[Any]:
        """A list or tuple as a list (None is an empty list); text, dicts and other iterables are refused."""
        if value is None:
            return []
        if not isinstance(value, (list, tuple)):
            example = "['shuffle'] (or [] for none)" if field == "filter_methods" else "[None] for one filter"
            raise self._error(field, value, f"it must be {what}", f"Give {what}, e.g. {example}.")
        return list(value)

    def _check_pipeline(self, state: dict[str, Any], changed: tuple[str, ...]) -> None:
        """The whole pipeline must be storable and must encode this dataset's data."""
        method, names = state["compression_method"], state["filter_methods"]
        if "packbits" in names and self.dtype.kind != "b":
            raise self._error(
                "filter_methods",
                names,
                f"packbits stores booleans only: it would keep one bit of each {self.dtype} value and lose the rest",
                "Remove packbits (use shuffle or delta for numbers).",
            )
        if self.backend == "hdf5" and state["chunk_shape"] is None and (method is not None or names):
            blame = next(
                (field for field in ("chunk_shape", "compression_method") if field in changed), "filter_methods"
            )
            raise self._error(
                blame,
                state[blame],
                "HDF5 can only filter or compress chunked datasets",
                "Give a chunk shape, or set compression_method=None and filter_methods=[] for a contiguous dataset.",
            )
        try:
            state["compression_options"] = checked_option_values(
                self.backend, method, state["compression_options"], "compression"
            )
            state["filter_options"] = [
                checked_option_values(self.backend, name, options, "filter")
                for name, options in zip(names, state["filter_options"])
            ]
            codecs.check_pipeline(
                self.backend,
                self.dtype,
                state["chunk_shape"],
                self.full_shape,
                method,
                state["compression_options"],
                names,
                state["filter_options"],
            )
        except codecs.CodecError as exc:
            fields = ("compression_options", "compression_method", "filter_options", "filter_methods", "chunk_shape")
            blame = next((field for field in fields if field in changed), "compression_method")
            available = list(codecs.available_compression_methods(self.backend))
            raise self._error(
                blame,
                state[blame],
                str(exc),
                f"Choose other options or another method (available: {available}).",
                unsupported_data=isinstance(exc, codecs.UnsupportedDataError),
            ) from None

    # --------------------------------------------------------------------------------------------------- derived sizes

    @property
    def itemsize(self) -> int:
        """Bytes per element; variable-length values count as the reference stored in the chunk."""
        return VARIABLE_LENGTH_ITEMSIZE if self.dtype.kind == "O" else int(self.dtype.itemsize)

    @property
    def full_size_bytes(self) -> int:
        """Uncompressed size of the whole dataset."""
        return math.prod(self.full_shape) * self.itemsize

    @property
    def expected_ram_usage_bytes(self) -> int:
        """Bytes of one write buffer: the memory a write needs for this dataset's data."""
        return math.prod(self.buffer_shape) * self.itemsize

    @property
    def chunk_size_bytes(self) -> int:
        """Uncompressed bytes of one chunk (the whole dataset when it is contiguous)."""
        return math.prod(self.chunk_shape or self.full_shape) * self.itemsize

    @property
    def number_of_chunks(self) -> int:
        """How many chunks the dataset is split into (1 when contiguous)."""
        if self.chunk_shape is None:
            return 1
        return math.prod(math.ceil(full / chunk) for full, chunk in zip(self.full_shape, self.chunk_shape))

    def recommended_chunk_shape(self) -> tuple[int, ...]:
        """The default chunk shape for this dataset (see :mod:`nwbconfig_widget.defaults`)."""
        return recommended_chunk_shape(self.full_shape, self.itemsize, self.neurodata_type, self.dataset_name)

    @property
    def lossy(self) -> bool:
        """True when the compression method or a filter may change the stored values."""
        return codecs.pipeline_is_lossy(
            self.compression_method, self.compression_options, self.filter_methods, self.filter_options, self.dtype
        )

    # ---------------------------------------------------------------------------------------------- printing and JSON

    def __str__(self) -> str:
        title = plain(self.location_in_file)
        lines = [
            title,
            "-" * len(title),
            f"  dtype : {self.dtype}",
            f"  full shape of source array : {self.full_shape}",
            f"  full size of source array : {format_bytes(self.full_size_bytes)}",
            "",
            f"  buffer shape : {self.buffer_shape}",
            f"  expected RAM usage : {format_bytes(self.expected_ram_usage_bytes)}",
            "",
            f"  chunk shape : {self.chunk_shape}",
            f"  disk space usage per chunk : {format_bytes(self.chunk_size_bytes)}",
            "",
            f"  compression method : {self.compression_method}",
        ]
        if self.compression_options:
            lines.append(f"  compression options : {dict(self.compression_options)}")
        if self.filter_methods:
            lines.append(f"  filter methods : {list(self.filter_methods)}")
            if any(self.filter_options):
                lines.append(f"  filter options : {list(self.filter_options)}")
        return "\n".join(lines) + "\n"

    def __repr__(self) -> str:
        settings = ", ".join(f"{name}={self._state[name]!r}" for name in self.EDITABLE_FIELDS)
        facts = f"location_in_file='{plain(self.location_in_file)}', dtype={self.dtype}, full_shape={self.full_shape}"
        return f"{type(self).__name__}({facts}, {settings})"

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and self.to_dict() == other.to_dict()

    __hash__ = None  # mutable

    def to_dict(self) -> dict[str, Any]:
        """Every field as JSON-safe values (shapes as lists, dtype as a numpy descr)."""
        facts = dict(self._facts)
        facts["dtype"] = dtype_to_json(facts["dtype"])
        facts["full_shape"] = list(facts["full_shape"])
        state = copy.deepcopy(self._state)
        for field in ("chunk_shape", "buffer_shape"):
            state[field] = list(state[field]) if state[field] is not None else None
        return {**facts, **state}

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> DatasetIOConfiguration:
        """Rebuild (and validate) a dataset configuration from :meth:`to_dict` output.

        Every key that :meth:`to_dict` writes is required (``neurodata_type`` and ``object_name`` may be missing) and
        no other is accepted, so a misspelt field is refused rather than ignored.
        """
        values = _checked_saved_dataset(values)
        return cls(**values)

    def copy(self) -> DatasetIOConfiguration:
        """An independent copy, without observers."""
        return type(self).from_dict(self.to_dict())

    def __deepcopy__(self, memo: dict) -> DatasetIOConfiguration:
        return self.copy()


class HDF5DatasetIOConfiguration(DatasetIOConfiguration):
    """Dataset configuration for the HDF5 backend (h5py filters and hdf5plugin codecs).

    ``chunk_shape=None`` with ``compression_method=None`` and no filters stores the dataset contiguously.
    """

    backend: ClassVar[str] = "hdf5"

    def _max_chunk_bytes(self, state: dict[str, Any]) -> int:
        """HDF5's own limit, or less for the plugins that compress a chunk as one buffer (the numcodecs limit)."""
        twin = _NUMCODECS_TWINS.get(state["compression_method"])
        limit = getattr(codecs.AVAILABLE_ZARR_COMPRESSION_METHODS.get(twin), "max_buffer_size", None)
        return min(HDF5_MAX_CHUNK_BYTES, int(limit)) if limit else HDF5_MAX_CHUNK_BYTES


#: hdf5plugin filters built on the same library as a numcodecs codec, whose buffer limit they share.
_NUMCODECS_TWINS = {"Blosc": "blosc", "Blosc2": "blosc", "LZ4": "lz4"}


class ZarrDatasetIOConfiguration(DatasetIOConfiguration):
    """Dataset configuration for the Zarr backend (numcodecs compressors and filters); Zarr data is always chunked."""

    backend: ClassVar[str] = "zarr"

    def _check_chunk_shape(self, chunk_shape: tuple[int, ...] | None) -> None:
        if chunk_shape is None:
            raise self._error(
                "chunk_shape",
                None,
                "Zarr stores every array in chunks",
                f"Give a chunk shape of up to {self.full_shape}.",
            )
        super()._check_chunk_shape(chunk_shape)


class DatasetConfigurations(dict):
    """The dataset configurations of a backend configuration, keyed by location in the file.

    Entries can be replaced by a configuration of the same backend and location, or deleted: a deleted dataset is
    written with whatever its neurodata object would use on its own.
    """

    def __init__(self, backend: str, items: Iterable[tuple[str, DatasetIOConfiguration]] = ()):
        super().__init__()
        self._backend = backend
        for key, value in items:
            self[key] = value

    def __setitem__(self, key: str, value: DatasetIOConfiguration) -> None:
        if not isinstance(value, DatasetIOConfiguration) or value.backend != self._backend:
            raise TypeError(f"{key}: expected a {self._backend} dataset configuration, got {type(value).__name__}")
        if value.location_in_file != key:
            raise KeyError(f"{key}: the configuration given is for {value.location_in_file!r}; use that key")
        super().__setitem__(key, value)

    def __reduce__(self) -> tuple:
        return (type(self), (self._backend, list(self.items())))


class BackendConfiguration:
    """All dataset configurations of one NWB file for one backend.

    ``dataset_configurations`` maps each location in the file to its :class:`DatasetIOConfiguration`;
    ``unconfigurable_datasets`` maps the locations of datasets that are written as they are to the reason why.
    """

    backend: ClassVar[str] = ""
    pretty_backend_name: ClassVar[str] = ""
    dataset_configuration_class: ClassVar[type[DatasetIOConfiguration]] = DatasetIOConfiguration

    def __init__(
        self,
        dataset_configurations: Mapping[str, DatasetIOConfiguration] | Iterable[DatasetIOConfiguration] = (),
        unconfigurable_datasets: Mapping[str, str] | None = None,
    ):
        if type(self) is BackendConfiguration:
            raise TypeError("use HDF5BackendConfiguration or ZarrBackendConfiguration")
        items = (
            dataset_configurations.values() if isinstance(dataset_configurations, Mapping) else dataset_configurations
        )
        self.dataset_configurations = DatasetConfigurations(
            self.backend, ((item.location_in_file, item) for item in items)
        )
        self.unconfigurable_datasets: dict[str, str] = dict(unconfigurable_datasets or {})

    def __iter__(self) -> Iterator[DatasetIOConfiguration]:
        return iter(self.dataset_configurations.values())

    def __len__(self) -> int:
        return len(self.dataset_configurations)

    def apply_global_compression(
        self, compression_method: Any, compression_options: Mapping[str, Any] | None = None
    ) -> dict[str, str]:
        """Use one compression method (and options) for every dataset that it can encode.

        ``compression_method`` is a name from the backend's AVAILABLE dict or a codec instance (whose options are
        used when ``compression_options`` is not given). Contiguous HDF5 datasets get their recommended chunk shape,
        since HDF5 compresses chunks only. Invalid settings raise :class:`ConfigurationError` and
        change nothing. Datasets whose kind of data the codec cannot encode (e.g. variable-length text for Blosc)
        keep their compression; they are returned, location -> reason, and named in a warning.
        """
        changes: dict[str, Any] = {"compression_method": compression_method, "compression_options": compression_options}
        if compression_options is None and compression_method is not None and not isinstance(compression_method, str):
            changes.pop("compression_options")  # the options of the codec instance
        proposals, skipped = [], {}
        # Datasets with the same settings signature get the same verdict and the same new state: each signature is
        # validated once (tens of thousands of datasets share a few signatures).
        outcomes: dict[tuple[Any, ...], dict[str, Any] | str] = {}
        for configuration in self.dataset_configurations.values():
            signature = configuration.settings_signature() if configuration.chunk_shape is not None else None
            outcome = outcomes.get(signature) if signature is not None else None
            if isinstance(outcome, str):
                skipped[configuration.location_in_file] = outcome
                continue
            if outcome is not None:
                proposals.append((configuration, _copied_state(outcome)))
                continue
            item_changes = dict(changes)
            if configuration.chunk_shape is None and compression_method is not None:
                # Compression needs chunks: a contiguous HDF5 dataset gets the recommended ones.
                chunk_shape = configuration.recommended_chunk_shape()
                item_changes.update(
                    chunk_shape=chunk_shape,
                    buffer_shape=default_buffer_shape(configuration.full_shape, chunk_shape, configuration.itemsize),
                )
            try:
                state = configuration._validated({**configuration._state, **item_changes}, changed=tuple(item_changes))
            except ConfigurationError as error:
                if not error.unsupported_data:
                    raise
                skipped[configuration.location_in_file] = error.reason
                if signature is not None:
                    outcomes[signature] = error.reason
                continue
            if signature is not None:
                outcomes[signature] = _copied_state(state)
            proposals.append((configuration, state))
        if skipped and not proposals:
            location, reason = next(iter(skipped.items()))
            raise ConfigurationError(
                location,
                "compression_method",
                compression_method,
                reason,
                "No dataset of this file can use it; choose another method.",
                True,
            )
        for configuration, state in proposals:
            configuration._adopt(state)
        if skipped:
            warnings.warn(
                f"{compression_method!r} cannot encode {len(skipped)} dataset(s), which keep their compression: "
                + "; ".join(f"{location} ({reason})" for location, reason in skipped.items()),
                UserWarning,
                stacklevel=2,
            )
        return skipped

    # --------------------------------------------------------------------------------------------------------- views

    def __str__(self) -> str:
        header = f"{self.pretty_backend_name} dataset configurations"
        parts = [header, "-" * len(header)]
        for configuration in self.dataset_configurations.values():
            parts.extend(["", str(configuration).rstrip("\n")])
        if self.unconfigurable_datasets:
            title = "Datasets written as they are"
            parts.extend(["", title, "-" * len(title)])
            parts.extend(
                f"  {plain(location)} : {plain(reason, 400)}"
                for location, reason in self.unconfigurable_datasets.items()
            )
        return "\n".join(parts) + "\n"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(<{len(self)} datasets>)"

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and self.to_dict() == other.to_dict()

    __hash__ = None

    @property
    def total_uncompressed_bytes(self) -> int:
        """Uncompressed size of all configured datasets."""
        return sum(item.full_size_bytes for item in self)

    @property
    def peak_ram_usage_bytes(self) -> int:
        """The largest write buffer: datasets are written one at a time."""
        return max((item.expected_ram_usage_bytes for item in self), default=0)

    def to_dict(self) -> dict[str, Any]:
        """The whole configuration as JSON-safe values."""
        return {
            "format": _JSON_FORMAT,
            "version": _JSON_VERSION,
            "backend": self.backend,
            "dataset_configurations": [item.to_dict() for item in self],
            "unconfigurable_datasets": dict(self.unconfigurable_datasets),
        }

    @staticmethod
    def from_dict(values: Mapping[str, Any]) -> BackendConfiguration:
        """Rebuild (and validate) a backend configuration from :meth:`to_dict` output.

        Anything that is not a saved configuration of this format (another version, a list, missing or ill-typed
        keys, one dataset twice) raises :class:`ConfigurationError` saying what is wrong and where.
        """
        cls = _saved_backend_class(values)
        items = values.get("dataset_configurations")
        if not isinstance(items, list):
            raise _saved_error("dataset_configurations", items, "it must be a list of dataset configurations")
        configurations, seen = [], set()
        for index, item in enumerate(items):
            configuration = cls.dataset_configuration_class.from_dict(_indexed(item, index))
            if configuration.location_in_file in seen:
                raise ConfigurationError(
                    configuration.location_in_file,
                    "location_in_file",
                    configuration.location_in_file,
                    f"dataset_configurations[{index}] configures this dataset a second time",
                    "Keep one entry per dataset.",
                )
            seen.add(configuration.location_in_file)
            configurations.append(configuration)
        unconfigurable = values.get("unconfigurable_datasets") or {}
        if not isinstance(unconfigurable, Mapping) or not all(
            isinstance(key, str) and isinstance(reason, str) for key, reason in unconfigurable.items()
        ):
            raise _saved_error(
                "unconfigurable_datasets", unconfigurable, "it must map dataset locations to reasons (texts)"
            )
        return cls(configurations, unconfigurable_datasets=unconfigurable)

    def to_json(self, path: str | os.PathLike | None = None, *, indent: int = 2) -> str:
        """The configuration as JSON text; also written to ``path`` when given.

        >>> configuration = HDF5BackendConfiguration()
        >>> BackendConfiguration.from_json(configuration.to_json()) == configuration
        True
        """
        text = json.dumps(self.to_dict(), indent=indent, allow_nan=False)
        if path is not None:
            with open(path, "w", encoding="utf-8") as file:
                file.write(text + "\n")
        return text

    @staticmethod
    def from_json(source: str | os.PathLike) -> BackendConfiguration:
        """Load a configuration from a JSON file path or from JSON text (text starts with ``{`` or ``[``).

        Invalid JSON raises ``json.JSONDecodeError``; JSON that is not a saved configuration (or holds NaN or
        infinity, which JSON does not allow) raises :class:`ConfigurationError`.
        """
        text = str(source)
        if isinstance(source, os.PathLike) or not text.lstrip().startswith(("{", "[")):
            with open(source, encoding="utf-8") as file:
                text = file.read()
        try:
            values = json.loads(text, parse_constant=_refuse_json_constant)
        except RecursionError:
            raise _saved_error("format", "...", "the JSON is nested too deeply to be a saved configuration") from None
        return BackendConfiguration.from_dict(values)

    def check_applies_to(self, nwbfile: Any) -> None:
        """Raise :class:`ConfigurationError` unless every configured dataset is in ``nwbfile`` as configured.

        Each location must hold a dataset of the same neurodata object (object id), dtype and shape: a
        configuration saved for another file (or an older version of this one) would otherwise cut, convert or
        misplace data when written.
        """
        from .discovery import iter_dataset_candidates

        candidates = {candidate.location_in_file: candidate for candidate in iter_dataset_candidates(nwbfile)}
        object_ids = {candidate.object_id for candidate in candidates.values()}
        for item in self:
            candidate = candidates.get(item.location_in_file)
            for field, expected, actual, reason in _differences(item, candidate, object_ids):
                raise ConfigurationError(
                    item.location_in_file,
                    field,
                    expected,
                    reason
                    if candidate is None
                    else f"{reason}: the configuration has {expected!r}, the file {actual!r}",
                    "This configuration was made for another file; make one for this file with "
                    "get_default_backend_configuration (or `nwbconfig config`), or delete this dataset from it.",
                )

    def to_dataframe(self):
        """A pandas DataFrame with one row per dataset, indexed by location in the file.

        Names are shown as plain text: control and format characters (ANSI escapes, newlines, bidi overrides) appear
        as escapes such as ``\\x1b`` and backslashes are doubled; other names are the locations themselves.
        """
        import pandas as pd

        rows = []
        for item in self:
            rows.append(
                {
                    "location_in_file": _plain_unbounded(item.location_in_file),
                    "neurodata_type": _plain_unbounded(item.neurodata_type),
                    "object_name": _plain_unbounded(item.object_name),
                    "dataset_name": _plain_unbounded(item.dataset_name),
                    "dtype": str(item.dtype),
                    "full_shape": item.full_shape,
                    "full_size_bytes": item.full_size_bytes,
                    "chunk_shape": item.chunk_shape,
                    "chunk_size_bytes": item.chunk_size_bytes,
                    "number_of_chunks": item.number_of_chunks,
                    "buffer_shape": item.buffer_shape,
                    "expected_ram_usage_bytes": item.expected_ram_usage_bytes,
                    "compression_method": item.compression_method,
                    "compression_options": dict(item.compression_options) if item.compression_options else None,
                    "filter_methods": list(item.filter_methods),
                    "filter_options": list(item.filter_options),
                }
            )
        columns = list(rows[0]) if rows else ["location_in_file"]
        return pd.DataFrame(rows, columns=columns).set_index("location_in_file")

    def copy(self) -> BackendConfiguration:
        """An independent deep copy."""
        return BackendConfiguration.from_dict(self.to_dict())


class HDF5BackendConfiguration(BackendConfiguration):
    """Backend configuration for writing an NWB file with HDF5 (``NWBHDF5IO``)."""

    backend: ClassVar[str] = "hdf5"
    pretty_backend_name: ClassVar[str] = backends.display_name("hdf5")
    dataset_configuration_class: ClassVar[type[DatasetIOConfiguration]] = HDF5DatasetIOConfiguration


class ZarrBackendConfiguration(BackendConfiguration):
    """Backend configuration for writing an NWB file with Zarr (``NWBZarrIO``)."""

    backend: ClassVar[str] = "zarr"
    pretty_backend_name: ClassVar[str] = backends.display_name("zarr")
    dataset_configuration_class: ClassVar[type[DatasetIOConfiguration]] = ZarrDatasetIOConfiguration


# ------------------------------------------------------------------------------------------- saved configurations

_SAVED = "saved configuration"
_REQUIRED_SAVED_KEYS = ("object_id", "location_in_file", "dataset_name", "dtype", "full_shape",
                        *DatasetIOConfiguration.EDITABLE_FIELDS)  # fmt: skip
_OPTIONAL_SAVED_KEYS = ("neurodata_type", "object_name")


def _saved_error(field: str, value: Any, reason: str, fix: str | None = None) -> ConfigurationError:
    return ConfigurationError(
        _SAVED, field, value, reason, fix or "Save a configuration with `nwbconfig config` or to_json() and edit that."
    )


def _refuse_json_constant(name: str) -> Any:
    raise _saved_error("JSON", name, f"{name} is not a JSON number", "Write a finite number.")


def _saved_backend_class(values: Any) -> type[BackendConfiguration]:
    """The backend configuration class of saved values, after checking their format and version."""
    if not isinstance(values, Mapping):
        raise _saved_error(
            "format", type(values).__name__, "not a saved backend configuration: it must be a JSON object"
        )
    if values.get("format") != _JSON_FORMAT:
        raise _saved_error(
            "format", values.get("format"), f"not a saved backend configuration (expected format {_JSON_FORMAT!r})"
        )
    version = values.get("version")
    if version != _JSON_VERSION or isinstance(version, bool):
        raise _saved_error(
            "version",
            version,
            f"this package reads version {_JSON_VERSION} of saved configurations",
            "Save it again with this version of nwbconfig_widget.",
        )
    backend = values.get("backend")
    if not isinstance(backend, str) or backend not in backends.BACKENDS:
        raise _saved_error("backend", backend, f"unknown backend; expected one of {sorted(backends.BACKENDS)}")
    return backends.backend_configuration_class(backend)


def _indexed(item: Any, index: int) -> Any:
    """A saved dataset entry, or a ConfigurationError saying which entry is not one."""
    if not isinstance(item, Mapping):
        raise _saved_error(f"dataset_configurations[{index}]", item, "each entry must be a JSON object")
    return item


def _checked_saved_dataset(values: Any) -> dict[str, Any]:
    """Saved dataset values with their keys and read-only facts checked and the dtype decoded."""
    if not isinstance(values, Mapping):
        raise _saved_error("dataset configuration", values, "it must be a JSON object")
    values = dict(values)
    location = values.get("location_in_file")
    if not isinstance(location, str) or not location:
        raise _saved_error("location_in_file", location, "every dataset needs its location in the file as text")
    missing = [key for key in _REQUIRED_SAVED_KEYS if key not in values]
    if missing:
        raise ConfigurationError(
            location, missing[0], None, f"the saved entry has no {missing}", "Keep every key that was saved."
        )
    unknown = sorted(set(values) - {*_REQUIRED_SAVED_KEYS, *_OPTIONAL_SAVED_KEYS}, key=str)
    if unknown:
        known = [*_REQUIRED_SAVED_KEYS, *_OPTIONAL_SAVED_KEYS]
        close = difflib.get_close_matches(str(unknown[0]), known, n=1)
        raise ConfigurationError(
            location,
            str(unknown[0]),
            values[unknown[0]],
            "not a field of a dataset configuration",
            (f"Did you mean {close[0]!r}? " if close else "") + f"The fields are {known}.",
        )
    for key in ("object_id", "dataset_name", *_OPTIONAL_SAVED_KEYS):
        value = values.get(key)
        if not isinstance(value, str) and not (value is None and key in _OPTIONAL_SAVED_KEYS):
            raise ConfigurationError(location, key, value, "it must be a text", "Keep the value that was saved.")
    try:
        values["dtype"] = dtype_from_json(values["dtype"])
    except Exception as exc:
        raise ConfigurationError(
            location, "dtype", values["dtype"], f"not a numpy dtype description ({exc})", "Keep the saved dtype."
        ) from None
    return values


def _differences(
    item: DatasetIOConfiguration, candidate: Any, object_ids: set[str]
) -> Iterator[tuple[str, Any, Any, str]]:
    """How a configured dataset differs from the dataset at its location in a file: (field, ours, theirs, why)."""
    if candidate is None:
        known = "" if item.object_id in object_ids else f", and no object with id {item.object_id}"
        yield "location_in_file", item.location_in_file, None, f"the file has no dataset at this location{known}"
        return
    if candidate.object_id != item.object_id:
        yield "object_id", item.object_id, candidate.object_id, "another neurodata object is at this location"
    if candidate.full_shape is not None and tuple(candidate.full_shape) != item.full_shape:
        yield "full_shape", item.full_shape, tuple(candidate.full_shape), "the data has another shape"
    if candidate.dtype is not None and np.dtype(candidate.dtype) != item.dtype:
        yield "dtype", str(item.dtype), str(np.dtype(candidate.dtype)), "the data has another dtype"
