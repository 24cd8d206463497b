"""Building backend configurations for an NWBFile: the defaults for a backend, or what an existing file holds."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Iterator
from typing import Any, NamedTuple

import h5py
import numpy as np

from . import codecs, defaults
from .backends import backend_configuration_class, backend_of_io_class, check_backend
from .data_io_settings import SettingNotKeptWarning, read_data_io_settings
from .discovery import DatasetCandidate, iter_dataset_candidates
from .models import (
    VARIABLE_LENGTH_ITEMSIZE,
    BackendConfiguration,
    ConfigurationError,
    DatasetIOConfiguration,
)


def _itemsize(dtype: np.dtype) -> int:
    return VARIABLE_LENGTH_ITEMSIZE if dtype.kind == "O" else int(dtype.itemsize)


def backend_of_read_file(nwbfile: Any) -> str | None:
    """'hdf5' or 'zarr' for an NWBFile read from disk, None for one built in memory."""
    io = nwbfile.get_read_io() if hasattr(nwbfile, "get_read_io") else None
    if io is None:
        return None
    return backend_of_io_class(type(io))


def _check_backend(backend: str | None, nwbfile: Any) -> str:
    if backend is None:
        return backend_of_read_file(nwbfile) or "hdf5"
    return check_backend(backend)


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


class Proposal(NamedTuple):
    """Settings proposed for a dataset, and how to name them if they cannot be used."""

    settings: dict[str, Any]
    label: str
    #: Whether refusing these settings for later ones is worth a SettingNotKeptWarning (a user's own settings).
    warn_if_refused: bool = False


def get_default_backend_configuration(
    nwbfile: Any,
    backend: str | None = "hdf5",
    *,
    chunk_target_bytes: int | None = None,
    buffer_budget_bytes: int | None = None,
) -> BackendConfiguration:
    """The recommended configuration of every dataset of ``nwbfile`` for ``backend`` ("hdf5" or "zarr").

    Data already wrapped in an ``H5DataIO`` (for HDF5) or ``ZarrDataIO`` (for Zarr) keeps the chunking, compression
    and filters chosen there. A setting that a configuration cannot hold or the backend cannot store (a fill value,
    a maxshape, chunks longer than the data, a codec with no equivalent, settings of the other backend) is replaced by
    the closest one, with a :class:`~nwbconfig_widget.data_io_settings.SettingNotKeptWarning` naming the dataset, the
    setting, what is used instead and why. ``chunk_target_bytes`` and ``buffer_budget_bytes`` override
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

    def proposals(candidate: DatasetCandidate) -> Iterator[Proposal]:
        recommended = dict(
            chunk_shape=_default_chunk_shape(candidate, target), compression_method=defaults.settings.compression_method
        )
        given = read_data_io_settings(candidate.data_io, backend, candidate.full_shape)
        for note in given.notes:
            warnings.warn(f"{candidate.location_in_file}: {note}", SettingNotKeptWarning, stacklevel=5)
        if given.settings:
            yield Proposal({**recommended, **given.settings}, given.description, warn_if_refused=True)
            if "chunk_shape" in given.settings and set(given.settings) - {"chunk_shape"}:
                kept = {name: value for name, value in given.settings.items() if name != "chunk_shape"}
                label = f"the default chunks {recommended['chunk_shape']} with the other settings given"
                yield Proposal({**recommended, **kept}, label, warn_if_refused=True)
        yield Proposal(
            recommended,
            f"the default settings (chunks {recommended['chunk_shape']}, "
            f"{recommended['compression_method']} compression)",
        )

    return _build_configuration(nwbfile, backend, proposals, budget)


def _build_configuration(
    nwbfile: Any,
    backend: str,
    proposals: Callable[[DatasetCandidate], Iterable[Proposal]],
    buffer_budget_bytes: int | None = None,
) -> BackendConfiguration:
    """One dataset configuration per candidate (its first valid proposal); the others are listed with the reason."""
    configuration_class = backend_configuration_class(backend)
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
    proposals: Callable[[DatasetCandidate], Iterable[Proposal]],
    dataset_class: type[DatasetIOConfiguration],
    buffer_budget_bytes: int | None,
) -> DatasetIOConfiguration | str:
    """The first proposed settings that make a valid configuration (with a default buffer), or why none does.

    A user's own settings that are refused for later ones are named in a SettingNotKeptWarning with the reason.
    """
    problem = "no settings proposed"
    refused: list[tuple[Proposal, str]] = []
    try:
        for proposal in proposals(candidate):
            settings = proposal.settings
            buffer_shape = defaults.default_buffer_shape(
                candidate.full_shape,
                settings["chunk_shape"] or candidate.full_shape,
                _itemsize(candidate.dtype),
                buffer_budget_bytes,
            )
            try:
                configuration = dataset_class(**_facts(candidate), buffer_shape=buffer_shape, **settings)
            except ConfigurationError as exc:
                problem = f"no valid settings: {exc.reason}"
                refused.append((proposal, f"{exc.field}: {exc.reason}"))
                continue
            for refused_proposal, reason in refused:
                if refused_proposal.warn_if_refused:
                    warnings.warn(
                        f"{candidate.location_in_file}: {refused_proposal.label} cannot be used ({reason}); "
                        f"{proposal.label} are used instead",
                        SettingNotKeptWarning,
                        stacklevel=4,
                    )
                    break  # the first refusal says what the user asked and why; the later ones are fallbacks
            return configuration
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

    def proposals(candidate: DatasetCandidate) -> Iterator[Proposal]:
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
        settings = dict(
            chunk_shape=chunk_shape,
            compression_method=pipeline["compression_method"],
            compression_options=pipeline["compression_options"],
            filter_methods=pipeline["filter_methods"],
            filter_options=pipeline["filter_options"],
        )
        yield Proposal(settings, "the settings stored in the file")

    return _build_configuration(nwbfile, backend, proposals)
