"""Wrapping the datasets of an NWBFile in DataIO objects that carry a backend configuration."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
from hdmf.container import Data
from hdmf.data_utils import AbstractDataChunkIterator, DataChunkIterator

from .. import codecs
from ..discovery import is_consumed, unwrap
from ..models import BackendConfiguration, DatasetIOConfiguration
from .iterators import BufferedDataIterator, RebufferedDataChunkIterator

#: Called with (location_in_file, bytes_read) each time a buffer has been read for writing.
ProgressHook = Callable[[str, int], None]


def _get_field(container: Any, field_name: str | None) -> Any:
    return container.data if field_name is None else container.fields.get(field_name)


def _set_field(container: Any, field_name: str | None, value: Any) -> None:
    if field_name is None:
        # hdmf's Data keeps its data in a private attribute; set_data_io() also writes it there.
        object.__setattr__(container, "_Data__data", value)
    else:
        container.fields[field_name] = value


def _original_source(value: Any) -> Any:
    source, _ = unwrap(value)
    while isinstance(source, (BufferedDataIterator, RebufferedDataChunkIterator)):
        source, _ = unwrap(source.source)
    return source


def _is_in_memory(source: Any) -> bool:
    return isinstance(source, (np.ndarray, list, tuple))


def _write_data(
    source: Any, configuration: DatasetIOConfiguration, progress: ProgressHook | None, defer: bool = False
) -> Any:
    """What hdmf should write: the in-memory source itself when one buffer spans it, else a buffered iterator.

    With ``defer`` the iterator starts deferred (hdmf creates the dataset empty; the parallel writer fills it).
    """
    location = configuration.location_in_file
    on_buffer = (lambda nbytes: progress(location, nbytes)) if progress is not None else None
    if is_consumed(source):
        raise ValueError(
            f"{location}: its DataChunkIterator was consumed by an earlier write, so this write would store nothing; "
            "give the neurodata object its data again (a new iterator) before writing"
        )
    if isinstance(source, DataChunkIterator):
        return RebufferedDataChunkIterator(
            source,
            buffer_rows=configuration.buffer_shape[0],
            chunk_shape=configuration.chunk_shape,
            on_buffer=on_buffer,
            deferred=defer,
        )
    if isinstance(source, AbstractDataChunkIterator) and not hasattr(source, "_get_data"):
        return source
    if not defer and _is_in_memory(source) and configuration.buffer_shape == configuration.full_shape:
        if on_buffer is not None:
            on_buffer(configuration.full_size_bytes)
        return source
    return BufferedDataIterator(
        source,
        full_shape=configuration.full_shape,
        dtype=configuration.dtype,
        buffer_shape=configuration.buffer_shape,
        chunk_shape=configuration.chunk_shape,
        on_buffer=on_buffer,
        deferred=defer,
    )


def _hdf5_data_io(data: Any, configuration: DatasetIOConfiguration) -> Any:
    from hdmf.backends.hdf5 import H5DataIO

    kwargs = codecs.hdf5_dataset_kwargs(
        configuration.compression_method, configuration.compression_options, configuration.filter_methods
    )
    if configuration.compression_method in codecs.AVAILABLE_HDF5_COMPRESSION_METHODS and not isinstance(
        codecs.AVAILABLE_HDF5_COMPRESSION_METHODS[configuration.compression_method], str
    ):
        kwargs["allow_plugin_filters"] = True
    with warnings.catch_warnings():
        # hdmf warns about plugin filters on every dataset; portability is reported by this package instead.
        warnings.filterwarnings("ignore", message=".*compression may not be available.*", category=UserWarning)
        data_io = H5DataIO(data=data, chunks=configuration.chunk_shape, **kwargs)
    if configuration.chunk_shape is None:
        data_io.io_settings["chunks"] = None  # contiguous, even when written from an iterator
    return data_io


def _zarr_data_io(data: Any, configuration: DatasetIOConfiguration) -> Any:
    from hdmf_zarr import ZarrDataIO

    compressor = codecs.zarr_compressor(
        configuration.compression_method, configuration.compression_options, configuration.dtype
    )
    filters = codecs.zarr_filters(configuration.filter_methods, configuration.filter_options, configuration.dtype)
    return ZarrDataIO(
        data=data,
        chunks=list(configuration.chunk_shape),
        compressor=compressor if compressor is not None else False,
        filters=filters or None,
    )


def apply_configuration(
    nwbfile: Any,
    backend_configuration: BackendConfiguration,
    progress: ProgressHook | None = None,
    defer: Callable[[DatasetIOConfiguration], bool] | None = None,
) -> Callable[[], None]:
    """Wrap each configured dataset of ``nwbfile``; return a function that puts the original data back.

    ``defer(configuration)`` says which datasets the parallel writer fills (their iterators start deferred).
    """
    objects = nwbfile.objects
    make_data_io = _hdf5_data_io if backend_configuration.backend == "hdf5" else _zarr_data_io
    originals: list[tuple[Any, str | None, Any]] = []
    try:
        for configuration in backend_configuration:
            container = objects.get(configuration.object_id)
            if container is None:
                raise KeyError(
                    f"{configuration.location_in_file}: no object with id {configuration.object_id} in this NWBFile; "
                    "was the configuration made for another file? Get a new one with get_default_backend_configuration."
                )
            field_name = None if isinstance(container, Data) else configuration.dataset_name
            current = _get_field(container, field_name)
            source = _original_source(current)
            data = _write_data(source, configuration, progress, defer=defer is not None and defer(configuration))
            _set_field(container, field_name, make_data_io(data, configuration))
            originals.append((container, field_name, current))
            # Containers read from a file are exported as stored unless marked modified.
            container.set_modified(True)
    except BaseException:
        _restore(originals)
        raise
    return lambda: _restore(originals)


def _restore(originals: list[tuple[Any, str | None, Any]]) -> None:
    for container, field_name, value in reversed(originals):
        _set_field(container, field_name, value)


def configure_backend(nwbfile: Any, backend_configuration: BackendConfiguration) -> None:
    """Apply ``backend_configuration`` to the datasets of ``nwbfile`` in place, ready for ``NWBHDF5IO``/``NWBZarrIO``.

    Each configured dataset is wrapped in an ``H5DataIO``/``ZarrDataIO`` with its chunking, filters and compression,
    around an iterator that reads it one buffer at a time. Datasets deleted from the configuration are left as they
    are. Calling it again replaces earlier wrappers.

    >>> from pynwb import TimeSeries
    >>> from pynwb.testing.mock.file import mock_NWBFile
    >>> from nwbconfig_widget import get_default_backend_configuration
    >>> nwbfile = mock_NWBFile()
    >>> nwbfile.add_acquisition(TimeSeries(name="ts", data=[1.0, 2.0, 3.0], unit="m", rate=1.0))
    >>> configure_backend(nwbfile, get_default_backend_configuration(nwbfile, backend="hdf5"))
    >>> nwbfile.acquisition["ts"].data.io_settings["compression"]
    'gzip'
    """
    apply_configuration(nwbfile, backend_configuration)
