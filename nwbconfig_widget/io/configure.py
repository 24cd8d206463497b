"""Wrapping the datasets of an NWBFile in DataIO objects that carry a backend configuration."""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
from hdmf.container import Data
from hdmf.data_utils import AbstractDataChunkIterator, DataChunkIterator
from hdmf.utils import get_data_shape

from .. import codecs
from ..backends import data_io_class
from ..discovery import is_consumed, text_field_kinds, unwrap
from ..models import BackendConfiguration, DatasetIOConfiguration
from .iterators import BufferedDataIterator, RebufferedDataChunkIterator

#: Called with (location_in_file, bytes_read) each time a buffer has been read for writing.
ProgressHook = Callable[[str, int], None]


def _get_field(container: Any, field_name: str | None) -> Any:
    return container.data if field_name is None else container.fields.get(field_name)


def _set_field(container: Any, field_name: str | None, value: Any) -> None:
    if field_name is None:
        container.transform(lambda _current: value)  # hdmf's Data has no data setter; transform() replaces it
    else:
        container.fields[field_name] = value


def _original_source(value: Any) -> Any:
    source, _ = unwrap(value)
    while isinstance(source, (BufferedDataIterator, RebufferedDataChunkIterator)):
        source, _ = unwrap(source.source)
    return source


def _is_in_memory(source: Any) -> bool:
    return isinstance(source, (np.ndarray, list, tuple))


def _all_values(source: Any, configuration: DatasetIOConfiguration) -> np.ndarray:
    """Every value of ``source`` (in memory, a stored dataset or a chunk iterator) as an array of the full shape."""
    if isinstance(source, AbstractDataChunkIterator):
        values = np.empty(configuration.full_shape, dtype=object)
        for chunk in source:
            values[chunk.selection] = chunk.data
        return values
    if _is_in_memory(source):
        return np.asarray(source, dtype=object)
    return np.asarray(source[()], dtype=object)


def _as_text(value: Any, kind: str) -> Any:
    """One value as hdmf's conversion for ``kind`` expects it: bytes for 'ascii', str for 'text' and dates.

    hdmf applies ``str()``/``bytes()`` to each value, which would turn ``b"a"`` into ``"b'a'"`` (old files store text
    as bytes, fixed-length or variable) and fail on a str given for ascii.
    """
    if kind == "ascii":
        return value.encode("utf-8") if isinstance(value, str) else bytes(value)
    if isinstance(value, bytes):  # np.bytes_ too
        return value.decode("utf-8")
    return str(value) if isinstance(value, np.str_) else value


def _text_values(source: Any, configuration: DatasetIOConfiguration, kind: str) -> np.ndarray:
    """The values of a text field, read at once and decoded for hdmf's conversion (see ``_write_data``)."""
    values = _all_values(source, configuration)
    converted = np.empty(values.shape, dtype=object)
    converted.reshape(-1)[:] = [_as_text(value, kind) for value in values.reshape(-1)]
    return converted


def _write_data(
    source: Any,
    configuration: DatasetIOConfiguration,
    progress: ProgressHook | None,
    defer: bool = False,
    text_kind: str | None = None,
) -> Any:
    """What hdmf should write: the in-memory source itself when one buffer spans it, else a buffered iterator.

    With ``defer`` the iterator starts deferred (hdmf creates the dataset empty; the parallel writer fills it).
    ``text_kind`` ('text', 'ascii', 'isodatetime') marks a field that hdmf converts value by value
    (:func:`..discovery.text_field_kinds`): it gets its values read at once instead.
    """
    location = configuration.location_in_file
    on_buffer = (lambda nbytes: progress(location, nbytes)) if progress is not None else None
    if is_consumed(source):
        raise ValueError(
            f"{location}: its DataChunkIterator was consumed by an earlier write, so this write would store nothing; "
            "give the neurodata object its data again (a new iterator) before writing"
        )
    if text_kind is not None:
        # hdmf's ObjectMapper.__convert_string iterates a text field of a container value by value to convert it, so
        # an iterator would hand it DataChunks ("TypeError: 'DataChunk' object is not iterable"; hdmf converts text
        # this way for every untyped text dataset with a shape, whatever wraps it). It then writes them with the
        # DataIO's settings (it rebuilds the DataIO from get_io_params()), so chunks and filters are kept. Text fields
        # are small (names, file paths) and hdmf holds the converted list anyway.
        if on_buffer is not None:
            on_buffer(configuration.full_size_bytes)
        return _text_values(source, configuration, text_kind)
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
    if configuration.dtype.names is not None:
        # hdmf converts compound datasets row by row into a list of tuples before writing them (it cannot iterate an
        # iterator's buffers): give it the rows themselves, read at once from a file (hdmf holds them all anyway).
        if on_buffer is not None:
            on_buffer(configuration.full_size_bytes)
        return source if _is_in_memory(source) else np.asarray(source[()])
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
    kwargs = codecs.hdf5_dataset_kwargs(
        configuration.compression_method, configuration.compression_options, configuration.filter_methods
    )
    if configuration.compression_method in codecs.AVAILABLE_HDF5_COMPRESSION_METHODS and not isinstance(
        codecs.AVAILABLE_HDF5_COMPRESSION_METHODS[configuration.compression_method], str
    ):
        kwargs["allow_plugin_filters"] = True
    chunked, contiguous = _hdf5_data_io_classes()
    data_io_class = chunked if configuration.chunk_shape is not None else contiguous
    with warnings.catch_warnings():
        # hdmf warns about plugin filters on every dataset; portability is reported by this package instead.
        warnings.filterwarnings("ignore", message=".*compression may not be available.*", category=UserWarning)
        data_io = data_io_class(data=data, chunks=configuration.chunk_shape, **kwargs)
    if configuration.chunk_shape is None:
        # Contiguous, even when written from an iterator. An explicit maxshape of None also stops hdmf from making
        # table columns expandable, which needs chunks (h5py would choose some).
        data_io.io_settings["chunks"] = None
        data_io.io_settings["maxshape"] = None
    return data_io


@functools.cache
def _hdf5_data_io_classes() -> tuple[type, type]:
    """H5DataIO classes for chunked and for contiguous datasets.

    hdmf builds compound datasets again from ``get_io_params()`` (a plain H5DataIO), which leaves out
    ``allow_plugin_filters``: these give it back, so plugin codecs reach compound datasets too. The contiguous class
    has h5py create the dataset without a maximum shape (any maxshape makes h5py choose chunks), while hdmf still
    sees the data's own shape when it matches the data against the schema.
    """

    class ConfiguredH5DataIO(data_io_class("hdf5")):
        def get_io_params(self) -> dict[str, Any]:
            return {**super().get_io_params(), "allow_plugin_filters": True}

    class ContiguousH5DataIO(ConfiguredH5DataIO):
        @property
        def maxshape(self) -> tuple[int, ...]:
            return tuple(getattr(self.data, "maxshape", None) or get_data_shape(self.data))

    return ConfiguredH5DataIO, ContiguousH5DataIO


@functools.cache
def _zarr_data_io_class() -> type:
    """A ZarrDataIO that hdmf can build again from ``get_io_params()`` (it does for compound datasets) without
    turning "no compressor" into zarr's default Blosc."""

    class ConfiguredZarrDataIO(data_io_class("zarr")):
        def get_io_params(self) -> dict[str, Any]:
            params = super().get_io_params()
            if "compressor" in params and params["compressor"] is None:
                params["compressor"] = False  # ZarrDataIO's spelling of "no compression"
            return params

    return ConfiguredZarrDataIO


def _zarr_data_io(data: Any, configuration: DatasetIOConfiguration) -> Any:
    compressor = codecs.zarr_compressor(
        configuration.compression_method, configuration.compression_options, configuration.dtype
    )
    filters = codecs.zarr_filters(configuration.filter_methods, configuration.filter_options, configuration.dtype)
    return _zarr_data_io_class()(
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
    backend_configuration.check_applies_to(nwbfile)  # a configuration of another file would cut or convert data
    objects = nwbfile.objects
    make_data_io = _hdf5_data_io if backend_configuration.backend == "hdf5" else _zarr_data_io
    text_kind_of = text_field_kinds(nwbfile)
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
            data = _write_data(
                source,
                configuration,
                progress,
                defer=defer is not None and defer(configuration),
                text_kind=text_kind_of(container, field_name),
            )
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
