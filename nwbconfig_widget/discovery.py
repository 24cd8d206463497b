"""Finding every dataset of an NWBFile that a backend configuration can set, and what its source data is.

Discovery is driven by the NWB schema rather than by a list of neurodata types: every field of a neurodata object
that the schema stores as a dataset, and every ``Data`` object (table columns, their ``*_index`` columns, images,
regions), is a candidate. Extensions are covered the same way, through the type map of the file.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import datetime
import os
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import h5py
import numpy as np
from hdmf.container import AbstractContainer, Container, Data
from hdmf.data_utils import AbstractDataChunkIterator, DataChunkIterator, DataIO, GenericDataChunkIterator
from hdmf.query import HDMFDataset, ReferenceResolver
from hdmf.spec import DatasetSpec, RefSpec

try:  # zarr is a dependency, but discovery of HDF5 files must not need it to import cleanly
    import zarr
except ImportError:  # pragma: no cover
    zarr = None


@dataclasses.dataclass
class DatasetCandidate:
    """One dataset found in an NWBFile: where it lives and what its source data is."""

    container: AbstractContainer
    field_name: str | None  # None for Data objects, whose own data is the dataset
    location_in_file: str
    dataset_name: str
    neurodata_type: str
    object_name: str
    source: Any  # the data, with any DataIO unwrapped
    data_io: DataIO | None
    full_shape: tuple[int, ...] | None = None
    dtype: np.dtype | None = None
    problem: str | None = None  # why it cannot be configured, if it cannot

    @property
    def object_id(self) -> str:
        return self.container.object_id


# -------------------------------------------------------------------------------------------------------- source data


def unwrap(data: Any) -> tuple[Any, DataIO | None]:
    """The data inside any DataIO wrappers (and hdmf's read-side dataset wrappers), and the outermost DataIO."""
    outer = data if isinstance(data, DataIO) else None
    while True:
        if isinstance(data, DataIO):
            data = data.data
        elif isinstance(data, HDMFDataset) and not _stored_references(data.dataset):
            data = data.dataset  # hdmf reads compound datasets through a resolver even when they hold no references
        else:
            return data, outer


def _stored_references(dataset: Any) -> bool:
    """Whether a stored (h5py or zarr) dataset holds object references, or cannot be told apart from one."""
    dtype = getattr(dataset, "dtype", None)
    if not isinstance(dtype, np.dtype):
        return True
    if dtype.names is None:
        return dtype.kind == "O" and not isinstance(dataset, h5py.Dataset) or h5py.check_ref_dtype(dtype) is not None
    return any(
        h5py.check_ref_dtype(dtype.fields[name][0]) is not None or dtype.fields[name][0].kind == "O"
        for name in dtype.names
    )


def is_array_like(data: Any) -> bool:
    """Whether ``data`` holds an array of values (not a scalar, string, link or container)."""
    if isinstance(data, (np.ndarray, h5py.Dataset, AbstractDataChunkIterator)):
        return True
    if zarr is not None and isinstance(data, zarr.Array):
        return True
    if isinstance(data, (list, tuple)):
        return True
    return isinstance(data, ReferenceResolver)


def _first_element(data: Any) -> Any:
    try:
        while isinstance(data, (list, tuple, np.ndarray)) and len(data) > 0:
            data = data[0]
            if not isinstance(data, (list, tuple, np.ndarray)) or isinstance(data, np.void):
                return data
    except Exception:
        return None
    return data if not isinstance(data, (list, tuple, np.ndarray)) else None


def _special_values(data: Any, dtype: np.dtype | None) -> str | None:
    """Why hdmf must write these values itself (object references, dates), or None for plain data."""
    references = "holds references to other objects, which hdmf writes itself"
    if isinstance(data, ReferenceResolver):
        return references
    if dtype is not None and (
        h5py.check_ref_dtype(dtype) is not None
        or dtype.names is not None
        and any(
            h5py.check_ref_dtype(dtype.fields[name][0]) is not None or dtype.fields[name][0].kind == "O"
            for name in dtype.names
        )
    ):
        return references
    first = _first_element(data)
    first_row = data[0] if isinstance(data, (list, tuple)) and len(data) > 0 else None
    if isinstance(first, AbstractContainer) or (
        isinstance(first_row, tuple) and any(isinstance(item, AbstractContainer) for item in first_row)
    ):  # a container, or rows of a compound dataset holding one (a TimeSeriesReference of the epochs' timeseries)
        return references
    if isinstance(first, datetime.date):
        return "holds dates, which hdmf converts to text itself"
    return None


def is_consumed(data: Any) -> bool:
    """Whether a sequential DataChunkIterator has already given all its data (to an earlier write, say)."""
    if not isinstance(data, DataChunkIterator):
        return False
    # hdmf keeps the chunk it will hand out next; it is empty once the iterator is exhausted, and also before the
    # first read when the dtype was given (hdmf then reads nothing ahead): the rows already handed out tell them apart.
    upcoming = getattr(data, "_DataChunkIterator__next_chunk", None)
    started = getattr(data, "_DataChunkIterator__next_chunk_start", 1) > 0
    return upcoming is not None and upcoming.data is None and started and bool(data.maxshape) and 0 not in data.maxshape


def consumed_iterators(nwbfile: Any) -> list[str]:
    """Names (``object.field``) of the sequential DataChunkIterators of ``nwbfile`` that were already consumed."""
    found = []
    for container in nwbfile.objects.values():
        values = [("data", container.data)] if isinstance(container, Data) else list(container.fields.items())
        for field_name, value in values:
            if is_consumed(unwrap(value)[0]):
                found.append(f"{container.name}.{field_name}")
    return found


def describe_source(data: Any) -> tuple[tuple[int, ...], np.dtype]:
    """Shape and dtype of array-like source data; text is reported as ``object`` (variable-length strings).

    Raises ValueError with the reason when the data cannot be described.
    """
    stored = getattr(data, "dataset", None)
    if isinstance(stored, h5py.Dataset) or type(stored).__module__.startswith("zarr."):
        # hdmf's read wrappers (e.g. the rows of a compound column holding references) describe their dtype as a list
        # of type names; the stored h5py or zarr dataset has the real one.
        data = stored
    if isinstance(data, DataChunkIterator):
        if data.maxshape is None or any(length is None for length in data.maxshape):
            raise ValueError("its DataChunkIterator has no fixed length (maxshape contains None)")
        shape, dtype = tuple(int(length) for length in data.maxshape), np.dtype(data.dtype)
    elif isinstance(data, AbstractDataChunkIterator):
        shape, dtype = tuple(int(length) for length in data.maxshape), np.dtype(data.dtype)
    elif isinstance(data, h5py.Dataset):
        shape, dtype = data.shape, data.dtype
        if h5py.check_string_dtype(dtype) is not None:
            dtype = np.dtype("O")
    elif hasattr(data, "shape") and hasattr(data, "dtype"):
        shape, dtype = tuple(data.shape), np.dtype(data.dtype)
    else:
        try:
            array = np.asarray(data)
        except ValueError:
            raise ValueError("its values are ragged (rows of different lengths)") from None
        shape, dtype = array.shape, array.dtype
    if dtype.kind in "SU":
        dtype = np.dtype("O")
    return tuple(int(length) for length in shape), dtype


# -------------------------------------------------------------------------------------------------- locations in file


#: Inside :func:`one_type_map`: the copy of pynwb's type map that the walks of in-memory NWBFiles share (made on
#: first use); outside it, None.
_shared_type_map: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar(
    "nwbconfig_shared_type_map", default=None
)


@contextlib.contextmanager
def one_type_map() -> Iterator[None]:
    """Within this block, the walks of NWBFiles built in memory share one copy of pynwb's type map, and the object
    mappers it makes, instead of each making its own: a copy costs about 10 ms, and a write walks the file several
    times (its checks, then the configuration). The copy is dropped at the end of the block, so a namespace or class
    registered with pynwb afterwards is seen by the next walk. Nested blocks share the outer one's copy.

    >>> from pynwb.testing.mock.file import mock_NWBFile
    >>> nwbfile = mock_NWBFile()
    >>> with one_type_map():
    ...     _Locator(nwbfile).type_map is _Locator(nwbfile).type_map
    True
    >>> _Locator(nwbfile).type_map is _Locator(nwbfile).type_map
    False
    """
    if _shared_type_map.get() is not None:
        yield
        return
    token = _shared_type_map.set({})
    try:
        yield
    finally:
        _shared_type_map.reset(token)


def pynwb_type_map() -> Any:
    """A copy of pynwb's type map (pynwb copies it on every call): the shared one inside :func:`one_type_map`."""
    from pynwb import get_type_map

    shared = _shared_type_map.get()
    if shared is None:
        return get_type_map()
    if "type_map" not in shared:
        shared["type_map"] = get_type_map()
    return shared["type_map"]


def pynwb_build_manager() -> Any:
    """A new hdmf BuildManager over :func:`pynwb_type_map` (what pynwb's IO classes make for themselves when given
    none): inside :func:`one_type_map`, a write reuses the type map and object mappers its checks made."""
    from hdmf.build import BuildManager

    return BuildManager(pynwb_type_map())


class _Locator:
    """Computes the in-file path of containers from the schema, with one cache per call."""

    def __init__(self, nwbfile: Any):
        self.nwbfile = nwbfile
        io = nwbfile.get_read_io() if hasattr(nwbfile, "get_read_io") else None
        self.type_map = io.manager.type_map if io is not None else pynwb_type_map()
        self._paths: dict[int, str] = {id(nwbfile): ""}
        self._mappers: dict[type, Any] = {}
        self._mapping_errors: dict[type, str] = {}
        self._attributes: dict[int, dict[int, str]] = {}
        self._specs: dict[tuple[type, str], Any] = {}
        self._problems: dict[type, str | None] = {}
        self._unwritable: dict[int, tuple[AbstractContainer, str] | None] = {}
        self._registered: set[type] | None = None

    def mapper(self, container: AbstractContainer) -> Any:
        """hdmf's ObjectMapper for ``container``'s class, or None when hdmf cannot make one (see mapping_problem)."""
        key = type(container)
        if key not in self._mappers:
            try:
                self._mappers[key] = self.type_map.get_map(container)
            except Exception as exc:  # reported by mapping_problem: never taken as "no datasets" silently
                self._mappers[key] = None
                self._mapping_errors[key] = f"{type(exc).__name__}: {exc}"
        return self._mappers[key]

    def attribute_spec(self, container: AbstractContainer, attribute: str) -> Any:
        """The schema spec of a field of ``container`` (cached per type: hdmf's lookup is slow for many objects)."""
        key = (type(container), attribute)
        if key not in self._specs:
            mapper = self.mapper(container)
            self._specs[key] = mapper.get_attr_spec(attribute) if mapper is not None else None
        return self._specs[key]

    def mapping_problem(self, container: AbstractContainer) -> str | None:
        """Why hdmf cannot write ``container`` as its own type (so its data would be lost, or the write fail)."""
        key = type(container)
        if key not in self._problems:
            self._problems[key] = self._find_mapping_problem(container)
        return self._problems[key]

    def _find_mapping_problem(self, container: AbstractContainer) -> str | None:
        cls = type(container)
        namespace_of_class = getattr(cls, "namespace", None)
        name = cls.__name__ + (f" (namespace {namespace_of_class})" if isinstance(namespace_of_class, str) else "")
        if self.mapper(container) is None:
            return f"hdmf's type map cannot map its class {name} ({self._mapping_errors[cls]})"
        if self._registered is None:
            self._registered = set(self.type_map.get_container_classes())
        if cls in self._registered:
            return None
        # hdmf maps a class it does not know as its nearest known base class (TypeMap.get_container_cls_dt walks the
        # MRO) and writes only the fields of that base's schema: the others are dropped without a word.
        lost = [
            field
            for field, value in container.fields.items()
            if value is not None and self.attribute_spec(container, field) is None
        ]
        if not lost:
            return None  # a plain subclass of a known type: written as that type, with all its data
        namespace, data_type = self.type_map.get_container_cls_dt(cls)
        return (
            f"its class {name} is not in the type map it is written with, so hdmf would write it as {data_type} "
            f"(namespace {namespace}), whose schema has no {', '.join(map(repr, lost))}; load the extension's "
            "namespace first (import its package, or pynwb.load_namespaces, before creating or reading the file)"
        )

    def unwritable(self, container: AbstractContainer) -> tuple[AbstractContainer, str] | None:
        """(the object, why) for ``container`` or its nearest ancestor that hdmf cannot write as its own type."""
        key = id(container)
        if key not in self._unwritable:
            if container is self.nwbfile:
                found = None
            else:
                problem = self.mapping_problem(container)
                parent = container.parent
                found = (container, problem) if problem is not None else None
                if found is None and parent is not None:
                    found = self.unwritable(parent)
            self._unwritable[key] = found
        return self._unwritable[key]

    def attribute_of_child(self, parent: AbstractContainer, child: AbstractContainer) -> str | None:
        """The field of ``parent`` that holds ``child`` (indexed once per parent: files have thousands of children)."""
        key = id(parent)
        if key not in self._attributes:
            index: dict[int, str] = {}
            for name, value in parent.fields.items():
                members = (
                    value.values()
                    if isinstance(value, dict)
                    else value
                    if isinstance(value, (list, tuple))
                    else [value]
                )
                for member in members:
                    if isinstance(member, AbstractContainer):
                        index.setdefault(id(member), name)
            self._attributes[key] = index
        return self._attributes[key].get(id(child))

    def path(self, container: AbstractContainer) -> str:
        key = id(container)
        if key in self._paths:
            return self._paths[key]
        parent = container.parent
        if parent is None:
            path = container.name
        else:
            parent_path = self.path(parent)
            parts = [parent_path] if parent_path else []
            attribute = self.attribute_of_child(parent, container)
            spec = self.attribute_spec(parent, attribute) if attribute is not None else None
            intermediate = []
            if spec is not None:
                # the spec of the child's own type is skipped; an untyped group holding children (``scratch``) is not
                if getattr(spec, "data_type_inc", None) is not None or getattr(spec, "data_type_def", None) is not None:
                    spec = spec.parent
                while spec is not None and spec.parent is not None:
                    if spec.name is not None:
                        intermediate.append(spec.name)
                    spec = spec.parent
            parts.extend(reversed(intermediate))
            parts.append(container.name)
            path = "/".join(parts)
        self._paths[key] = path
        return path

    def dataset_fields(self, container: Container) -> Iterator[tuple[str, Any]]:
        """(field name, value) for each field of ``container`` that the schema stores as a non-scalar dataset."""
        mapper = self.mapper(container)
        if mapper is None:
            return
        for name, value in container.fields.items():
            if isinstance(value, (AbstractContainer, str, bytes)) or value is None:
                continue
            inner, _ = unwrap(value)
            if not is_array_like(inner) or isinstance(_first_element(inner), AbstractContainer):
                continue  # groups of child objects are found on their own
            spec = self.attribute_spec(container, name)
            if isinstance(spec, DatasetSpec) and not isinstance(spec.dtype, RefSpec):
                yield name, value


#: What hdmf's ObjectMapper makes of each value of a text field, by the spec's dtype (checked in this order, by
#: substring, as hdmf does): text and dates become ``str``, ascii becomes ``bytes``.
_TEXT_KINDS = ("text", "ascii", "isodatetime")


def _converted_text_kind(spec: Any) -> str | None:
    """'text', 'ascii' or 'isodatetime' when hdmf converts a field with this spec value by value, else None.

    hdmf's ``ObjectMapper.get_attr_value`` converts the fields of a container (not ``Data`` objects) whose spec is an
    untyped dataset of a text dtype: it iterates the value element by element (``__convert_string``), so the value
    must be the values themselves, never an iterator of chunks.
    """
    if not isinstance(spec, DatasetSpec) or spec.data_type_inc is not None or not isinstance(spec.dtype, str):
        return None
    return next((kind for kind in _TEXT_KINDS if kind in spec.dtype), None)


def text_field_kinds(nwbfile: Any) -> Callable[[AbstractContainer, str | None], str | None]:
    """A function of (container, field name) giving the text kind hdmf converts that field's values to, or None.

    ``field_name`` None (a ``Data`` object's own data) is never converted by hdmf value by value.

    >>> from pynwb.image import ImageSeries
    >>> from pynwb.testing.mock.file import mock_NWBFile
    >>> nwbfile = mock_NWBFile()
    >>> video = ImageSeries(
    ...     name="video", external_file=["a.mp4"], starting_frame=[0], rate=1.0, unit="n/a", num_samples=5
    ... )
    >>> nwbfile.add_acquisition(video)
    >>> kind_of = text_field_kinds(nwbfile)
    >>> kind_of(video, "external_file"), kind_of(video, "starting_frame")
    ('text', None)
    """
    locator = _Locator(nwbfile)

    def kind_of(container: AbstractContainer, field_name: str | None) -> str | None:
        if field_name is None or isinstance(container, Data):
            return None
        return _converted_text_kind(locator.attribute_spec(container, field_name))

    return kind_of


def _neurodata_type(container: AbstractContainer) -> str:
    return getattr(container, "neurodata_type", None) or type(container).__name__


class DiscoveryWarning(UserWarning):
    """An object of the file that hdmf cannot write as its own type; its datasets are listed as unconfigurable."""


def iter_dataset_candidates(nwbfile: Any) -> list[DatasetCandidate]:
    """Every array dataset of ``nwbfile`` that pynwb writes from data, described, sorted by location in the file.

    Candidates that cannot be configured carry ``problem``; linked datasets appear once, under their owner. Objects
    that hdmf's type map cannot map as their own type (an extension not loaded, a failing ObjectMapper) are named in
    a :class:`DiscoveryWarning`, and their datasets (and those of their children) carry the reason as ``problem``.
    """
    unwritable: dict[str, tuple[str, list[str]]] = {}
    candidates = sorted(_iter_candidates(nwbfile, unwritable), key=lambda candidate: candidate.location_in_file)
    for owner, (reason, locations) in unwritable.items():
        held = (
            f"its datasets are listed as unconfigurable: {sorted(locations)}" if locations else "it holds no datasets"
        )
        warnings.warn(f"{owner or '/'}: {reason}; {held}", DiscoveryWarning, stacklevel=3)
    return candidates


def unwritable_objects(nwbfile: Any) -> dict[str, str]:
    """Path -> reason of each object of ``nwbfile`` that hdmf cannot write as its own type (the outermost one).

    pynwb would write such an object as its nearest known base type and drop its other fields without a word, so
    the writer refuses them (see :class:`DiscoveryWarning` for where they come from).

    >>> from pynwb.testing.mock.file import mock_NWBFile
    >>> unwritable_objects(mock_NWBFile())
    {}
    """
    locator = _Locator(nwbfile)
    found: dict[str, str] = {}
    for container in nwbfile.all_children():
        blocked = locator.unwritable(container)
        if blocked is not None:
            owner, reason = blocked
            found.setdefault(locator.path(owner) or "/", reason)
    return found


def _array_fields(container: AbstractContainer) -> list[tuple[str | None, Any]]:
    """(field name, value) of every array held by ``container``, whatever the schema says (None: a Data's data)."""
    if isinstance(container, Data):
        data = container.data
        return [(None, data)] if data is not None and is_array_like(unwrap(data)[0]) else []
    found = []
    for name, value in container.fields.items():
        if isinstance(value, (AbstractContainer, str, bytes)) or value is None:
            continue
        inner, _ = unwrap(value)
        if is_array_like(inner) and not isinstance(_first_element(inner), AbstractContainer):
            found.append((name, value))
    return found


def _unwritable_candidates(
    locator: _Locator,
    container: AbstractContainer,
    owner: AbstractContainer,
    reason: str,
    unwritable: dict[str, tuple[str, list[str]]],
) -> Iterator[DatasetCandidate]:
    """The arrays of ``container`` (which is ``owner`` or inside it), each with why it cannot be configured."""
    owner_path = locator.path(owner)
    _, locations = unwritable.setdefault(owner_path, (reason, []))
    base_location = locator.path(container)
    problem = reason if container is owner else f"it is inside {owner_path or '/'}: {reason}"
    for field_name, value in _array_fields(container):
        dataset_name = field_name or "data"
        source, data_io = unwrap(value)
        location = f"{base_location}/{dataset_name}" if base_location else dataset_name
        locations.append(location)
        holder = container.parent if isinstance(container, Data) and container.parent is not None else container
        yield DatasetCandidate(
            container=container,
            field_name=field_name,
            location_in_file=location,
            dataset_name=dataset_name,
            neurodata_type=_neurodata_type(holder),
            object_name=holder.name,
            source=source,
            data_io=data_io,
            problem=f"cannot be configured: {problem}",
        )


def _iter_candidates(nwbfile: Any, unwritable: dict[str, tuple[str, list[str]]]) -> Iterator[DatasetCandidate]:
    locator = _Locator(nwbfile)
    source_file = read_source_file(nwbfile)
    for container in nwbfile.all_children():
        blocked = locator.unwritable(container)
        if blocked is not None:
            yield from _unwritable_candidates(locator, container, *blocked, unwritable)
            continue
        if isinstance(container, Data):
            parent = container.parent
            holder = parent if parent is not None else container
            raw = container.data
            fields = [(None, raw)] if raw is not None and not isinstance(raw, (str, bytes)) else []
            base_location = locator.path(container)
        elif isinstance(container, Container) and container is not nwbfile:  # the file's own fields are metadata
            holder = container
            fields = list(locator.dataset_fields(container))
            base_location = locator.path(container)
        else:
            continue
        for field_name, value in fields:
            source, data_io = unwrap(value)
            if not is_array_like(source):
                continue
            dataset_name = field_name or "data"
            location = f"{base_location}/{dataset_name}" if base_location else dataset_name
            candidate = DatasetCandidate(
                container=container,
                field_name=field_name,
                location_in_file=location,
                dataset_name=dataset_name,
                neurodata_type=_neurodata_type(holder),
                object_name=holder.name,
                source=source,
                data_io=data_io,
            )
            elsewhere = stored_file(source) if source_file is not None else None
            if elsewhere is not None and elsewhere != source_file:
                # Read through an external link: the writer keeps the link (io/external_links.py), so the data keeps
                # the settings it has in that file.
                candidate.problem = (
                    f"stored in {elsewhere} (an external link); kept as a link "
                    "(copied as stored, with a warning, when written to the other format)"
                )
                with contextlib.suppress(ValueError):
                    candidate.full_shape, candidate.dtype = describe_source(source)
                yield candidate
                continue
            stored_path = _stored_path(source)
            if stored_path is not None and stored_path != (base_location if field_name is None else location):
                continue  # a link: the dataset is listed where it is stored
            try:
                candidate.full_shape, candidate.dtype = describe_source(source)
            except ValueError as exc:
                candidate.problem = f"cannot be configured: {exc}"
                yield candidate
                continue
            compound = _compound_rows_dtype(locator, container, field_name, source)
            if compound is not None:
                candidate.full_shape, candidate.dtype = (len(source),), compound
            if not candidate.full_shape:
                continue  # scalars are not chunked
            special = _special_values(source, candidate.dtype)
            if is_consumed(source):
                candidate.problem = "its DataChunkIterator was consumed by an earlier write; give the data again"
            elif special is not None:
                candidate.problem = special
            elif 0 in candidate.full_shape:
                candidate.problem = "is empty (an axis has length 0)"
            elif isinstance(source, AbstractDataChunkIterator) and not isinstance(
                source, (DataChunkIterator, GenericDataChunkIterator)
            ):
                candidate.problem = f"its {type(source).__name__} cannot be re-buffered"
            yield candidate


#: Schema dtype names that numpy spells differently.
_SCHEMA_DTYPES = {
    "float": "float32",
    "double": "float64",
    "int": "int32",
    "uint": "uint32",
    "short": "int16",
    "long": "int64",
    "bool": "bool",
}


def _compound_rows_dtype(locator: _Locator, container: Any, field_name: str | None, source: Any) -> np.dtype | None:
    """The record dtype of a compound dataset of the schema given as a list of tuples (e.g. a ``pixel_mask``), which
    hdmf stores as one record per tuple; None for other data or compounds holding references or text."""
    if not isinstance(source, (list, tuple)) or not source or not isinstance(source[0], (tuple, list)):
        return None
    if field_name is None:
        parent = container.parent
        spec = locator.attribute_spec(parent, container.name) if parent is not None else None
    else:
        spec = locator.attribute_spec(container, field_name)
    fields = getattr(spec, "dtype", None)
    if not isinstance(fields, list):
        return None
    try:
        return np.dtype([(item.name, np.dtype(_SCHEMA_DTYPES.get(item.dtype, item.dtype))) for item in fields])
    except TypeError:
        return None


def stored_file(data: Any) -> str | None:
    """The real path of the HDF5 file or Zarr folder a dataset read from disk is stored in; None for other data."""
    if isinstance(data, h5py.Dataset):
        try:
            return os.path.realpath(data.file.filename)
        except (ValueError, RuntimeError):  # a closed file
            return None
    if zarr is not None and isinstance(data, zarr.Array):
        from .io.remote import remote_address

        # hdmf-zarr reads through a consolidated-metadata store that wraps the folder's own store.
        for store in (data.chunk_store, data.store, getattr(data.store, "store", None)):
            path = getattr(store, "path", None)
            if isinstance(path, str):
                return remote_address(store) or os.path.realpath(path)
    return None


def read_source_file(nwbfile: Any) -> str | None:
    """The real path of the file (or Zarr folder) ``nwbfile`` was read from; None for one built in memory."""
    io = nwbfile.get_read_io() if hasattr(nwbfile, "get_read_io") else None
    source = getattr(io, "source", None)
    from .io.remote import is_remote

    if is_remote(source):
        return source.rstrip("/")
    return os.path.realpath(source) if isinstance(source, (str, os.PathLike)) else None


def _stored_path(source: Any) -> str | None:
    """The path of a dataset read from a file, or None for in-memory data."""
    if isinstance(source, h5py.Dataset):
        return source.name.strip("/")
    if zarr is not None and isinstance(source, zarr.Array):
        return source.path.strip("/")
    return None
