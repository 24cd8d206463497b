"""Reading the settings a user gave with ``H5DataIO`` / ``ZarrDataIO``, and saying which cannot be kept and why.

Each setting is read on its own: one that a configuration can hold is kept as given; one it cannot hold (a fill
value, a maximum shape, chunks longer than the data, a codec with no equivalent, a setting of the other backend) is
left out with a note naming the setting, the reason and what is used instead. The caller shows the notes as
warnings (:class:`SettingNotKeptWarning`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import h5py

from . import codecs, defaults
from .backends import backend_of_data_io, data_io_class, display_name


class SettingNotKeptWarning(UserWarning):
    """A setting the user gave (with ``H5DataIO``/``ZarrDataIO``) that the configuration replaces; says why."""


@dataclasses.dataclass
class DataIOSettings:
    """The settings read from a user's DataIO: ``settings`` (configuration fields) and ``notes`` on the rest."""

    settings: dict[str, Any]
    notes: list[str]
    description: str  # e.g. "the settings given with H5DataIO (compression='lzf', chunks=(10,))"


#: The settings a DataIO takes that a configuration holds, by the DataIO's backend, in the order they are described.
_DESCRIBED = {
    "hdf5": ("chunks", "compression", "compression_opts", "shuffle", "fletcher32", "maxshape", "fillvalue"),
    "zarr": ("chunks", "compressor", "filters", "fill_value"),
}
#: The names users write these settings with (ZarrDataIO keeps ``fillvalue`` as ``fill_value``).
_SPELLED = {"fill_value": "fillvalue"}


def _given(io_settings: dict[str, Any], own_backend: str) -> str:
    """The settings as the user wrote them, e.g. "compression='lzf', chunks=(10,)"."""
    parts = []
    for name in _DESCRIBED[own_backend]:
        if name in io_settings:
            value = io_settings[name]
            if own_backend == "zarr" and name == "compressor" and value is None:
                value = False  # ZarrDataIO keeps compressor=False as None
            parts.append(f"{_SPELLED.get(name, name)}={value!r}")
    return ", ".join(parts)


def read_data_io_settings(data_io: Any, backend: str, full_shape: Sequence[int]) -> DataIOSettings:
    """The configuration fields given with ``data_io`` for ``backend``, and notes on the settings not kept.

    >>> from hdmf.backends.hdf5 import H5DataIO
    >>> read = read_data_io_settings(H5DataIO([1.0, 2.0, 3.0], compression="gzip", compression_opts=0), "hdf5", (3,))
    >>> read.settings, read.notes
    ({'compression_method': 'gzip', 'compression_options': {'level': 0}}, [])
    """
    own_backend = backend_of_data_io(data_io)
    io_settings = dict(getattr(data_io, "io_settings", None) or {}) if own_backend is not None else {}
    io_settings = {name: value for name, value in io_settings.items() if name in _DESCRIBED.get(own_backend, ())}
    if not io_settings:
        return DataIOSettings({}, [], "")
    kind = data_io_class(own_backend).__name__
    description = f"the settings given with {kind} ({_given(io_settings, own_backend)})"
    full_shape = tuple(int(length) for length in full_shape)
    if own_backend != backend:
        return DataIOSettings(
            {},
            [
                f"{description} are for {display_name(own_backend)}; this {display_name(backend)} configuration "
                "uses its default settings instead (give them again for this backend)"
            ],
            description,
        )
    reader = _hdf5_settings if backend == "hdf5" else _zarr_settings
    settings, notes = reader(io_settings, full_shape)
    return DataIOSettings(settings, notes, description)


# ------------------------------------------------------------------------------------------------------------ shared


def _chunk_settings(chunks: Any, full_shape: tuple[int, ...], backend: str) -> tuple[dict[str, Any], list[str]]:
    """A chunk shape given as a tuple/list: kept, or cut to the data's length with a note.

    zarr reads None or -1 for an axis as "the whole axis"; so does this.
    """
    given = tuple(chunks)
    if len(given) != len(full_shape):
        return {}, [
            f"chunks={given} have {len(given)} axes but the data {full_shape} has {len(full_shape)}; the "
            "default chunks are used instead"
        ]
    try:
        chunks = tuple(
            full if backend == "zarr" and length in (None, -1) else int(length)
            for length, full in zip(given, full_shape)
        )
    except (TypeError, ValueError):
        return {}, [f"chunks={given} are not whole numbers; the default chunks are used instead"]
    if all(length <= full for length, full in zip(chunks, full_shape)):
        return {"chunk_shape": chunks}, []
    cut = tuple(max(1, min(length, full)) for length, full in zip(chunks, full_shape))
    why = (
        "HDF5 stores chunks longer than the data only in a resizable dataset (maxshape), and a configuration writes "
        "each dataset at its size"
        if backend == "hdf5"
        else "a configuration keeps chunks within the data, and this chunk holds the same values"
    )
    return {"chunk_shape": cut}, [
        f"chunks={chunks} are longer than the data {full_shape}: {why}; chunks {cut} are used"
    ]


def _default_compression() -> str:
    return f"the default compression ({defaults.settings.compression_method})"


def _not_kept(name: str, value: Any, why: str) -> str:
    return f"{name}={value!r} is not kept: {why}"


# -------------------------------------------------------------------------------------------------------------- HDF5


def _hdf5_compression(compression: Any, options: Any) -> tuple[str, dict[str, Any] | None]:
    """(method, options) of H5DataIO's ``compression``/``compression_opts``, read as h5py reads them.

    They are turned into the filter h5py stores (its id and values), which :func:`codecs.hdf5_compression_of_filter`
    decodes as it decodes the filters of an existing dataset. Raises CodecError when this package cannot write that
    compression.
    """
    if isinstance(compression, bool):  # H5DataIO turns True into "gzip" and drops False; kept for other DataIOs
        compression = "gzip"
    if isinstance(compression, int) and compression in range(10) and options is None:
        compression, options = "gzip", compression  # h5py's legacy spelling of a gzip level
    if isinstance(compression, int):  # a filter id: its values are the options
        return codecs.hdf5_compression_of_filter(compression, tuple(int(value) for value in options or ()))
    if compression == "gzip":
        return codecs.hdf5_compression_of_filter(h5py.h5z.FILTER_DEFLATE, () if options is None else (int(options),))
    if compression == "lzf":
        return codecs.hdf5_compression_of_filter(h5py.h5z.FILTER_LZF)
    if compression == "szip":
        if "szip" not in codecs.AVAILABLE_HDF5_COMPRESSION_METHODS:
            raise codecs.CodecError("this HDF5 build has no szip encoder (h5py.filters.encode lacks 'szip')")
        coding, pixels_per_block = options if options is not None else ("nn", 8)  # h5py's DEFAULT_SZIP
        if coding not in _SZIP_CODING_MASKS:
            raise codecs.CodecError(f"szip coding must be one of {sorted(_SZIP_CODING_MASKS)}, got {coding!r}")
        return codecs.hdf5_compression_of_filter(
            h5py.h5z.FILTER_SZIP, (_SZIP_CODING_MASKS[coding], int(pixels_per_block))
        )
    raise codecs.CodecError(f"{compression!r} is not a compression method h5py knows")


#: h5py's szip codings and the option mask of each in the stored filter values.
_SZIP_CODING_MASKS = {"nn": h5py.h5z.SZIP_NN_OPTION_MASK, "ec": h5py.h5z.SZIP_EC_OPTION_MASK}


def _hdf5_settings(io_settings: dict[str, Any], full_shape: tuple[int, ...]) -> tuple[dict[str, Any], list[str]]:
    settings: dict[str, Any] = {}
    notes: list[str] = []
    chunks = io_settings.get("chunks")
    if isinstance(chunks, (tuple, list)):
        chunk_settings, chunk_notes = _chunk_settings(chunks, full_shape, "hdf5")
        settings.update(chunk_settings)
        notes.extend(chunk_notes)
    elif chunks is False:  # contiguous: no chunks, so no filters unless the user gave some (h5py would refuse)
        settings.update(chunk_shape=None, compression_method=None, compression_options=None, filter_methods=[])
    compression = io_settings.get("compression")
    if compression is not None:
        options = io_settings.get("compression_opts")
        try:
            method, method_options = _hdf5_compression(compression, options)
            settings.update(compression_method=method, compression_options=method_options)
        except (codecs.CodecError, ValueError, TypeError) as exc:
            given = f"compression={compression!r}" + (f", compression_opts={options!r}" if options is not None else "")
            notes.append(f"{given} cannot be kept: {exc}; {_default_compression()} is used instead")
    filters = [name for name in ("shuffle", "fletcher32") if io_settings.get(name)]
    if filters:
        settings["filter_methods"] = filters
    maxshape = io_settings.get("maxshape")
    if maxshape is not None and tuple(maxshape) != full_shape:
        notes.append(
            _not_kept(
                "maxshape",
                tuple(maxshape),
                f"a configuration writes each dataset at its size {full_shape}, so it cannot be extended later",
            )
        )
    if "fillvalue" in io_settings:
        notes.append(_not_kept("fillvalue", io_settings["fillvalue"], "a configuration has no fill value setting"))
    return settings, notes


# -------------------------------------------------------------------------------------------------------------- Zarr


def _zarr_settings(io_settings: dict[str, Any], full_shape: tuple[int, ...]) -> tuple[dict[str, Any], list[str]]:
    settings: dict[str, Any] = {}
    notes: list[str] = []
    chunks = io_settings.get("chunks")
    if isinstance(chunks, (tuple, list)):
        chunk_settings, chunk_notes = _chunk_settings(chunks, full_shape, "zarr")
        settings.update(chunk_settings)
        notes.extend(chunk_notes)
    if "compressor" in io_settings:
        compressor = io_settings["compressor"]
        if compressor is None:  # ZarrDataIO keeps compressor=False as None
            settings.update(compression_method=None, compression_options=None)
        else:
            try:
                method, options = codecs.normalize_compression("zarr", compressor)
                settings.update(compression_method=method, compression_options=options)
            except codecs.CodecError as exc:
                notes.append(
                    f"compressor={compressor!r} cannot be kept: {exc}; {_default_compression()} is used instead"
                )
    filters = io_settings.get("filters")
    if filters:
        try:
            normalized = [codecs.normalize_filter("zarr", codec) for codec in filters]
            settings.update(
                filter_methods=[name for name, _ in normalized], filter_options=[options for _, options in normalized]
            )
        except codecs.CodecError as exc:
            notes.append(f"filters={list(filters)!r} cannot be kept: {exc}; no filters are used")
    if "fill_value" in io_settings:
        notes.append(_not_kept("fillvalue", io_settings["fill_value"], "a configuration has no fill value setting"))
    return settings, notes
