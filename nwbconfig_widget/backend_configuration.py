"""Building backend configurations for an NWBFile: the defaults for a backend, or what an existing file holds."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import h5py
import numpy as np

from . import codecs, defaults
from .discovery import DatasetCandidate, iter_dataset_candidates
from .models import (
    VARIABLE_LENGTH_ITEMSIZE,
    BackendConfiguration,
    ConfigurationError,
    DatasetIOConfiguration,
    HDF5BackendConfiguration,
    ZarrBackendConfiguration,
)

BACKEND_CONFIGURATION_CLASSES: dict[str, type[BackendConfiguration]] = {
    "hdf5": HDF5BackendConfiguration,
    "zarr": ZarrBackendConfiguration,
}


def _itemsize(dtype: np.dtype) -> int:
    return VARIABLE_LENGTH_ITEMSIZE if dtype.kind == "O" else int(dtype.itemsize)


def backend_of_read_file(nwbfile: Any) -> str | None:
    """'hdf5' or 'zarr' for an NWBFile read from disk, None for one built in memory."""
    io = nwbfile.get_read_io() if hasattr(nwbfile, "get_read_io") else None
    if io is None:
        return None
    return "zarr" if type(io).__name__ in ("ZarrIO", "NWBZarrIO") else "hdf5"


def _check_backend(backend: str | None, nwbfile: Any) -> str:
    if backend is None:
        return backend_of_read_file(nwbfile) or "hdf5"
    if backend not in BACKEND_CONFIGURATION_CLASSES:
        raise ValueError(f"unknown backend {backend!r}; use 'hdf5' or 'zarr'")
    return backend


def _default_chunk_shape(candidate: DatasetCandidate, target_bytes: int) -> tuple[int, ...]:
    source = candidate.source
    own_chunks = getattr(source, "chunk_shape", None)
    if own_chunks is not None and len(own_chunks) == len(candidate.full_shape):
        return tuple(int(length) for length in own_chunks)  # chosen by whoever built the iterator
    from pynwb.ecephys import ElectricalSeries

    # Types that extend ElectricalSeries are treated as one.
    neurodata_type = (
        "ElectricalSeries" if isinstance(candidate.container, ElectricalSeries) else candidate.neurodata_type
    )
    return defaults.recommended_chunk_shape(
        candidate.full_shape, _itemsize(candidate.dtype), neurodata_type, candidate.dataset_name, target_bytes
    )


def settings_of_data_io(data_io: Any, backend: str) -> dict[str, Any]:
    """The chunking and compression a user already chose by wrapping data in ``H5DataIO``/``ZarrDataIO``.

    Only settings for ``backend`` are taken; the result holds the fields that were set.
    """
    if data_io is None:
        return {}
    settings: dict[str, Any] = {}
    io_settings = getattr(data_io, "io_settings", {}) or {}
    chunks = io_settings.get("chunks")
    kind = type(data_io).__name__
    if backend == "hdf5" and kind == "H5DataIO":
        if isinstance(chunks, tuple):
            settings["chunk_shape"] = chunks
        compression = io_settings.get("compression")
        options = io_settings.get("compression_opts")
        if compression == "gzip" or compression is True:
            settings.update(compression_method="gzip", compression_options={"level": int(options) if options else 4})
        elif compression == "lzf":
            settings.update(compression_method="lzf", compression_options=None)
        elif isinstance(compression, int) and not isinstance(compression, bool):
            import hdf5plugin

            plugin = hdf5plugin.from_filter_options(compression, tuple(options or ()))
            name, plugin_options = codecs.normalize_compression("hdf5", plugin)
            settings.update(compression_method=name, compression_options=plugin_options)
        filters = [name for name in ("shuffle", "fletcher32") if io_settings.get(name)]
        if filters:
            settings["filter_methods"] = filters
    elif backend == "zarr" and kind == "ZarrDataIO":
        if isinstance(chunks, (tuple, list)):
            settings["chunk_shape"] = tuple(chunks)
        compressor = io_settings.get("compressor")
        if compressor is False:
            settings.update(compression_method=None, compression_options=None)
        elif compressor is not None and compressor is not True:
            name, options = codecs.normalize_compression("zarr", compressor)
            settings.update(compression_method=name, compression_options=options)
        if io_settings.get("filters"):
            settings["filter_methods"] = list(io_settings["filters"])
    return settings


def get_default_backend_configuration(
    nwbfile: Any,
    backend: str | None = "hdf5",
    *,
    chunk_target_bytes: int | None = None,
    buffer_budget_bytes: int | None = None,
) -> BackendConfiguration:
    """The recommended configuration of every dataset of ``nwbfile`` for ``backend`` ("hdf5" or "zarr").

    Data already wrapped in an ``H5DataIO`` (for HDF5) or ``ZarrDataIO`` (for Zarr) keeps the chunking and
    compression chosen there, when they are valid. ``chunk_target_bytes`` and ``buffer_budget_bytes`` override
    ``nwbconfig_widget.settings`` for this call.

    >>> from pynwb.testing.mock.file import mock_NWBFile
    >>> from pynwb import TimeSeries
    >>> nwbfile = mock_NWBFile()
    >>> nwbfile.add_acquisition(TimeSeries(name="MyTimeSeries", data=[1.0, 2.0, 3.0], unit="cm/s", rate=1.0))
    >>> configuration = get_default_backend_configuration(nwbfile, backend="zarr")
    >>> configuration.dataset_configurations["acquisition/MyTimeSeries/data"].chunk_shape
    (3,)
    """
    backend = _check_backend(backend, nwbfile)
    target = defaults.settings.chunk_target_bytes if chunk_target_bytes is None else int(chunk_target_bytes)
    budget = defaults.settings.buffer_budget_bytes if buffer_budget_bytes is None else int(buffer_budget_bytes)

    def proposals(candidate: DatasetCandidate) -> Iterator[dict[str, Any]]:
        recommended = dict(
            chunk_shape=_default_chunk_shape(candidate, target), compression_method=defaults.settings.compression_method
        )
        try:
            chosen = {**recommended, **settings_of_data_io(candidate.data_io, backend)}
        except (codecs.CodecError, ValueError):  # settings this package cannot represent
            chosen = recommended
        yield chosen  # the user's own DataIO settings first
        yield recommended

    return _build_configuration(nwbfile, backend, proposals, budget)


def _build_configuration(
    nwbfile: Any,
    backend: str,
    proposals: Callable[[DatasetCandidate], Iterable[dict[str, Any]]],
    buffer_budget_bytes: int | None = None,
) -> BackendConfiguration:
    """One dataset configuration per candidate (its first valid proposal); the others are listed with the reason."""
    configuration_class = BACKEND_CONFIGURATION_CLASSES[backend]
    configurations, unconfigurable = [], {}
    for candidate in iter_dataset_candidates(nwbfile):
        result = candidate.problem or _first_valid(
            candidate, proposals, configuration_class.dataset_configuration_class, buffer_budget_bytes
        )
        if isinstance(result, str):
            unconfigurable[candidate.location_in_file] = result
        else:
            configurations.append(result)
    return configuration_class(configurations, unconfigurable_datasets=unconfigurable)


def _first_valid(
    candidate: DatasetCandidate,
    proposals: Callable[[DatasetCandidate], Iterable[dict[str, Any]]],
    dataset_class: type[DatasetIOConfiguration],
    buffer_budget_bytes: int | None,
) -> DatasetIOConfiguration | str:
    """The first proposed settings that make a valid configuration (with a default buffer), or why none does."""
    problem = "no settings proposed"
    try:
        for settings in proposals(candidate):
            buffer_shape = defaults.default_buffer_shape(
                candidate.full_shape,
                settings["chunk_shape"] or candidate.full_shape,
                _itemsize(candidate.dtype),
                buffer_budget_bytes,
            )
            try:
                return dataset_class(**_facts(candidate), buffer_shape=buffer_shape, **settings)
            except ConfigurationError as exc:
                problem = f"no valid settings: {exc.reason}"
    except _Unconfigurable as exc:
        problem = str(exc)
    return problem


class _Unconfigurable(Exception):
    """Raised by a proposal function for a dataset that cannot be configured; the message is the reason."""


def _facts(candidate: DatasetCandidate) -> dict[str, Any]:
    return dict(
        object_id=candidate.object_id,
        location_in_file=candidate.location_in_file,
        dataset_name=candidate.dataset_name,
        dtype=candidate.dtype,
        full_shape=candidate.full_shape,
        neurodata_type=candidate.neurodata_type,
        object_name=candidate.object_name,
    )


def get_existing_backend_configuration(nwbfile: Any) -> BackendConfiguration:
    """The configuration that the datasets of an NWBFile read from disk (``NWBHDF5IO`` or ``NWBZarrIO``) have.

    Chunk shapes, compression methods with their options (hdf5plugin filters included) and filters are read from the
    file; buffer shapes are the default ones for those chunks. Datasets written as they are (references, empty
    datasets) are listed in ``unconfigurable_datasets``.
    """
    backend = backend_of_read_file(nwbfile)
    if backend is None:
        raise ValueError(
            "this NWBFile was not read from a file, so it has no existing configuration; "
            "use get_default_backend_configuration(nwbfile, backend=...) instead"
        )

    def proposals(candidate: DatasetCandidate) -> Iterator[dict[str, Any]]:
        source = candidate.source
        if isinstance(source, h5py.Dataset):
            pipeline = codecs.read_hdf5_pipeline(source)
        elif hasattr(source, "compressor"):
            pipeline = codecs.read_zarr_pipeline(source)
        else:
            raise _Unconfigurable(f"its data ({type(source).__name__}) was not read from the file")
        for note in pipeline["notes"]:
            warnings.warn(f"{candidate.location_in_file}: {note}", stacklevel=4)
        chunk_shape = getattr(source, "chunks", None)
        if chunk_shape is not None:
            # HDF5 allows chunks longer than a resizable dataset; a configuration never needs more than the data.
            chunk_shape = tuple(min(int(chunk), full) for chunk, full in zip(chunk_shape, candidate.full_shape))
        yield dict(
            chunk_shape=chunk_shape,
            compression_method=pipeline["compression_method"],
            compression_options=pipeline["compression_options"],
            filter_methods=pipeline["filter_methods"],
            filter_options=pipeline["filter_options"],
        )

    return _build_configuration(nwbfile, backend, proposals)
