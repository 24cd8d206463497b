"""Read an NWB file (an HDF5 file or an hdmf-zarr folder) into one backend-neutral shape, for compare.py.

Everything is read with h5py and zarr directly, never through pynwb's object mapper, so nothing the mapper skips
(objects outside the schema, attributes it does not know) can hide. What the two backends store differently is made
alike here, each case with the reason it is no loss:

- a link: HDF5 keeps soft and external links in the group; hdmf-zarr keeps them in the group's ``zarr_link``
  attribute as ``{"name", "source", "path"}`` (``source`` is the store holding the target, relative to this store:
  ``"."`` for this one). Both become a :class:`Node` of kind ``soft link`` or ``external link`` with a :class:`Ref`.
- an object reference: HDF5 holds ``h5py.Reference``; hdmf-zarr holds ``{"source", "path", "object_id", ...}``
  (JSON, or pickled ``hdmf_zarr.utils.ZarrReference`` objects, which are dicts). Both become a :class:`Ref` to the
  path they resolve to.
- text: HDF5 may hold bytes or str, fixed or variable length; Zarr holds ``vlen-utf8`` or ``vlen-bytes`` objects.
  Both become Python ``str`` (undecodable bytes kept with ``surrogateescape``, so no byte is lost to the comparison).
- a scalar: hdmf-zarr stores it as a one-element array marked ``zarr_dtype == "scalar"``; it is read back as 0-d.
- pickle: hdmf-zarr writes object references, compound rows holding text and the fill value of compound arrays
  holding references with numcodecs' Pickle (its default object codec), which numcodecs 0.15 decodes only when the
  process opts in; zarr cannot even open such an array's metadata without it. A :class:`ZarrStore` opts in while it
  is open and restores the previous setting when closed. The comparison runs on the test's own files (the corpus
  and the package's outputs), and nothing else runs while it does: the package under test is never called with the
  opt-in set by the comparison.
- attributes Zarr keeps for itself (:data:`ZARR_OWN_ATTRIBUTES`) and the root ``.specloc`` of both backends (it only
  locates the cached schema, read by :meth:`Store.namespaces`) are left out of the attributes.
"""

from __future__ import annotations

import json
import math
import os
import posixpath
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import h5py
import hdf5plugin  # noqa: F401  (registers the HDF5 plugin filters, so plugin-compressed data can be read)
import numpy as np
import zarr

GROUP = "group"
DATASET = "dataset"
SOFT_LINK = "soft link"
EXTERNAL_LINK = "external link"

#: Attributes hdmf-zarr keeps for itself (hdmf_zarr/backend.py ``ZarrIO.__reserve_attribute``, plus
#: ``_ARRAY_DIMENSIONS``). ``zarr_dtype`` records the dtype hdmf-zarr meant to write: the stored dtype itself is
#: compared instead. ``zarr_link`` holds the links: they become link nodes and are compared as links.
#: ``.specloc`` locates the cached schema, compared by namespace. ``_ARRAY_DIMENSIONS`` holds the dimension names
#: that hdmf-zarr writes from the schema's ``dims`` for xarray (``write_dataset``: ``builder.dimension_labels``); HDF5
#: has no such attribute, and the names come from the schema, not from the user's data.
ZARR_OWN_ATTRIBUTES = frozenset({"zarr_dtype", "zarr_link", ".specloc", "_ARRAY_DIMENSIONS"})

#: The cached schema's group when the root has no ``.specloc`` attribute (hdmf's default location).
DEFAULT_SPEC_GROUP = "/specifications"

_BLOCK_BYTES = 32 * 2**20


@dataclass(frozen=True)
class Ref:
    """Where a link or an object reference points: ``file`` (None: the same file) and the object's ``path`` in it."""

    file: str | None
    path: str

    def __str__(self) -> str:
        return self.path if self.file is None else f"{self.file}:{self.path}"

    def __repr__(self) -> str:
        return f"<reference to {self}>"


@dataclass
class Node:
    """One group, dataset or link of a file; ``attributes`` are already made backend-neutral (see :func:`canon`)."""

    kind: str
    attributes: dict[str, Any] = field(default_factory=dict)
    target: Ref | None = None


@dataclass(frozen=True)
class Layout:
    """What a dataset holds: ``category`` is number, text, reference, compound, ragged or null (HDF5's empty space).

    ``dtype`` is the stored numpy dtype of a number (None for the other categories); ``fields`` the ``(name,
    Layout)`` of each compound field, in order.
    """

    category: str
    shape: tuple[int, ...] | None
    dtype: np.dtype | None = None
    fields: tuple[tuple[str, Layout], ...] = ()

    def describe(self) -> str:
        if self.category == "compound":
            return "compound(" + ", ".join(f"{name}: {layout.describe()}" for name, layout in self.fields) + ")"
        return str(self.dtype) if self.category == "number" else self.category


@dataclass(frozen=True)
class Attribute:
    """An attribute value made backend-neutral.

    ``kind`` is text, reference, number, null or json; ``values`` a numpy array (str and :class:`Ref` objects in
    object arrays); ``dtype`` the stored dtype of a number, None when Zarr's JSON attributes did not keep it.
    """

    kind: str
    values: Any
    dtype: np.dtype | None = None


def normalise_path(path: str, relative_to: str = "/") -> str:
    """An absolute POSIX path inside a file: ``acquisition/x`` and ``/acquisition//x/`` both give ``/acquisition/x``."""
    joined = posixpath.join(relative_to, path) if not path.startswith("/") else path
    return posixpath.normpath("/" + joined.lstrip("/"))


def text(value: Any) -> str:
    """Text of a str, bytes or numpy string; bytes that are not UTF-8 keep their bytes (surrogateescape)."""
    if isinstance(value, (bytes, np.bytes_)):
        return bytes(value).decode("utf-8", "surrogateescape")
    return str(value)


def _text_array(values: Any) -> np.ndarray:
    array = np.asarray(values, dtype=object)
    out = np.empty(array.shape, dtype=object)
    for index in np.ndindex(array.shape):
        out[index] = text(array[index])
    return out


def open_store(path: str | os.PathLike) -> Store:
    """An HDF5 file or a Zarr folder, opened read-only; use it as a context manager."""
    path = Path(path)
    return ZarrStore(path) if path.is_dir() else HDF5Store(path)


class Store:
    """An NWB file read backend-neutrally: its nodes, cached namespaces, dataset layouts and values."""

    backend = ""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.real = os.path.realpath(path)
        self.spec_group = DEFAULT_SPEC_GROUP
        self._nodes: dict[str, Node] | None = None
        self._type_parents: dict[str, str | None] | None = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the file."""

    def nodes(self) -> dict[str, Node]:
        """Every group, dataset and link by absolute path, the root ("/") included and the cached schema left out."""
        if self._nodes is None:
            self._nodes = {"/": Node(GROUP, self._root_attributes())}
            self._walk("/")
        return self._nodes

    def is_schema(self, path: str) -> bool:
        return path == self.spec_group or path.startswith(self.spec_group + "/")

    def namespaces(self) -> dict[str, list[str]]:
        """The cached schema: namespace name -> versions cached."""
        raise NotImplementedError

    def spec_documents(self) -> list[Any]:
        """The parsed JSON of every cached schema document (every namespace, every version)."""
        raise NotImplementedError

    def type_parents(self) -> dict[str, str | None]:
        """Each neurodata type the cached schema defines -> the type it extends (None for a base type)."""
        if self._type_parents is not None:
            return self._type_parents
        parents: dict[str, str | None] = {}

        def visit(specs: Any) -> None:
            for spec in specs if isinstance(specs, list) else []:
                if not isinstance(spec, dict):
                    continue
                name = spec.get("neurodata_type_def") or spec.get("data_type_def")
                if name:
                    parents[name] = spec.get("neurodata_type_inc") or spec.get("data_type_inc")
                visit(spec.get("groups"))
                visit(spec.get("datasets"))

        for document in self.spec_documents():
            if isinstance(document, dict):
                visit(document.get("groups"))
                visit(document.get("datasets"))
        self._type_parents = parents
        return parents

    def layout(self, path: str) -> Layout:
        raise NotImplementedError

    def read(self, path: str, rows: slice | None = None) -> Any:
        """The values of the dataset at ``path`` (``rows`` of its first axis): numbers as a native-order array, text as
        str objects, references as :class:`Ref` objects, a compound dataset as ``{field: values}``."""
        raise NotImplementedError

    def blocks(self, path: str, layout: Layout) -> Iterator[tuple[slice | None, Any]]:
        """The values in blocks of rows (whole for a scalar), so a large dataset is never read at once."""
        if not layout.shape:
            yield None, self.read(path)
            return
        row_bytes = max(1, math.prod(layout.shape[1:]) * (layout.dtype.itemsize if layout.dtype is not None else 64))
        step = max(1, _BLOCK_BYTES // row_bytes)
        for start in range(0, max(layout.shape[0], 1), step):
            rows = slice(start, min(start + step, layout.shape[0]))
            yield rows, self.read(path, rows)

    def _root_attributes(self) -> dict[str, Any]:
        raise NotImplementedError

    def _walk(self, path: str) -> None:
        raise NotImplementedError


# --------------------------------------------------------------------------------------------------------------- HDF5
class HDF5Store(Store):
    """An HDF5 NWB file read with h5py."""

    backend = "hdf5"

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.file = h5py.File(path, "r")
        self._ref_paths: dict[Any, Ref] = {}
        specloc = self.file.attrs.get(".specloc")
        if isinstance(specloc, h5py.Reference) and specloc:
            self.spec_group = normalise_path(self.file[specloc].name)

    def close(self) -> None:
        self.file.close()

    def _root_attributes(self) -> dict[str, Any]:
        return self._attributes(self.file)

    def _attributes(self, obj: Any) -> dict[str, Any]:
        out = {}
        for name in obj.attrs:
            if obj.name == "/" and name == ".specloc":
                continue  # locates the cached schema (compared by namespace), a reference in HDF5 and a path in Zarr
            try:
                value = obj.attrs[name]
            except Exception as exc:  # an attribute h5py cannot read is compared by its error, not skipped
                out[name] = Attribute("unreadable", np.asarray(f"{type(exc).__name__}: {exc}", dtype=object))
                continue
            out[name] = self._attribute(value)
        return out

    def _attribute(self, value: Any) -> Attribute:
        if isinstance(value, h5py.Empty):
            return Attribute("null", None)
        if isinstance(value, (str, bytes)):
            return Attribute("text", np.asarray(text(value), dtype=object))
        if isinstance(value, (h5py.Reference, h5py.RegionReference)):
            return Attribute("reference", np.asarray(self._ref(value), dtype=object))
        array = np.asarray(value)
        if h5py.check_string_dtype(array.dtype) or array.dtype.kind in "SU":
            return Attribute("text", _text_array(array))
        if array.dtype.kind == "O":
            flat = array.ravel()
            if flat.size and all(isinstance(v, (h5py.Reference, h5py.RegionReference)) for v in flat):
                return Attribute("reference", self._refs(array))
            if all(isinstance(v, (str, bytes)) for v in flat):
                return Attribute("text", _text_array(array))
        if array.dtype.names is None and array.dtype.kind in "biufc":
            return Attribute("number", _native(array), array.dtype)
        return Attribute("other", array, array.dtype)

    def _ref(self, ref: Any) -> Ref:
        if not ref:
            return Ref(None, "<null reference>")
        if ref not in self._ref_paths:
            name = normalise_path(self.file[ref].name or "<unnamed>")
            if isinstance(ref, h5py.RegionReference):
                name += f"<region {self.file[ref][ref].shape}>"
            self._ref_paths[ref] = Ref(None, name)
        return self._ref_paths[ref]

    def _refs(self, array: np.ndarray) -> np.ndarray:
        out = np.empty(array.shape, dtype=object)
        for index in np.ndindex(array.shape):
            out[index] = self._ref(array[index])
        return out

    def _walk(self, path: str) -> None:
        group = self.file[path]
        for name in group:
            child = normalise_path(name, path)
            if self.is_schema(child):
                continue
            link = group.get(name, getlink=True)
            if isinstance(link, h5py.SoftLink):
                self._nodes[child] = Node(SOFT_LINK, target=Ref(None, normalise_path(link.path, path)))
            elif isinstance(link, h5py.ExternalLink):
                # HDF5 looks for a relative file name next to the file holding the link (H5Lcreate_external)
                file = os.path.realpath(os.path.join(os.path.dirname(self.real), link.filename))
                self._nodes[child] = Node(EXTERNAL_LINK, target=Ref(file, normalise_path(link.path)))
            else:
                obj = group[name]
                kind = GROUP if isinstance(obj, h5py.Group) else DATASET if isinstance(obj, h5py.Dataset) else "other"
                self._nodes[child] = Node(kind, self._attributes(obj))
                if kind == GROUP:
                    self._walk(child)

    def namespaces(self) -> dict[str, list[str]]:
        if self.spec_group not in self.file:
            return {}
        spec = self.file[self.spec_group]
        return {name: sorted(spec[name]) for name in spec if isinstance(spec[name], h5py.Group)}

    def spec_documents(self) -> list[Any]:
        documents: list[Any] = []
        if self.spec_group in self.file:
            self.file[self.spec_group].visititems(
                lambda name, obj: documents.append(_parse_spec(obj[()])) if isinstance(obj, h5py.Dataset) else None
            )
        return documents

    def layout(self, path: str) -> Layout:
        dataset = self.file[path]
        return self._layout(dataset.dtype, dataset.shape)

    def _layout(self, dtype: np.dtype, shape: tuple[int, ...] | None) -> Layout:
        if shape is None:
            return Layout("null", None)
        if dtype.names is not None:
            fields = tuple((name, self._layout(dtype.fields[name][0], shape)) for name in dtype.names)
            return Layout("compound", shape, fields=fields)
        if h5py.check_ref_dtype(dtype) is not None:
            return Layout("reference", shape)
        if h5py.check_string_dtype(dtype) is not None or dtype.kind in "SU":
            return Layout("text", shape)
        if h5py.check_vlen_dtype(dtype) is not None:
            return Layout("ragged", shape, np.dtype(h5py.check_vlen_dtype(dtype)))
        return Layout("number", shape, dtype)

    def read(self, path: str, rows: slice | None = None) -> Any:
        dataset = self.file[path]
        raw = dataset[()] if rows is None else dataset[rows]
        return self._values(np.asarray(raw, dtype=dataset.dtype), dataset.dtype)

    def _values(self, raw: np.ndarray, dtype: np.dtype) -> Any:
        if dtype.names is not None:
            return {name: self._values(raw[name], dtype.fields[name][0]) for name in dtype.names}
        if h5py.check_ref_dtype(dtype) is not None:
            return self._refs(raw)
        if h5py.check_string_dtype(dtype) is not None or dtype.kind in "SU":
            return _text_array(raw)
        if h5py.check_vlen_dtype(dtype) is not None:
            out = np.empty(raw.shape, dtype=object)
            for index in np.ndindex(raw.shape):
                out[index] = _native(np.asarray(raw[index]))
            return out
        return _native(raw)


# --------------------------------------------------------------------------------------------------------------- Zarr
_TEXT_ZARR_DTYPES = {"str", "text", "utf", "utf8", "utf-8", "ascii", "bytes", "isodatetime", "string_", "str_"}


class ZarrStore(Store):
    """An hdmf-zarr NWB folder read with zarr (Zarr v2)."""

    backend = "zarr"

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self._pickle_was_allowed = _allow_pickle(True)
        try:
            self.root = zarr.open_group(str(path), mode="r")
        except BaseException:
            _allow_pickle(self._pickle_was_allowed)
            raise
        specloc = self.root.attrs.get(".specloc")
        if isinstance(specloc, str):
            self.spec_group = normalise_path(specloc)

    def close(self) -> None:
        _allow_pickle(self._pickle_was_allowed)

    def _root_attributes(self) -> dict[str, Any]:
        return self._attributes(self.root)

    def _attributes(self, obj: Any) -> dict[str, Any]:
        attributes = obj.attrs.asdict()
        return {name: self._attribute(value) for name, value in attributes.items() if name not in ZARR_OWN_ATTRIBUTES}

    def _attribute(self, value: Any) -> Attribute:
        if isinstance(value, dict) and value.get("zarr_dtype") == "object" and isinstance(value.get("value"), dict):
            return Attribute("reference", np.asarray(self._ref(value["value"]), dtype=object))
        if value is None:
            return Attribute("null", None)
        if isinstance(value, str):
            return Attribute("text", np.asarray(value, dtype=object))
        if isinstance(value, (bool, int, float)):
            return Attribute("number", np.asarray(value, dtype=object))
        if isinstance(value, list):
            array = _json_array(value)
            if array.size == 0:
                return Attribute("empty list", array)
            flat = list(array.ravel())
            if all(isinstance(v, str) for v in flat):
                return Attribute("text", array)
            if all(isinstance(v, (bool, int, float)) for v in flat):
                return Attribute("number", array)
            if all(isinstance(v, dict) and "path" in v for v in flat):
                return Attribute("reference", np.vectorize(self._ref, otypes=[object])(array))
        return Attribute("json", np.asarray(json.dumps(value, sort_keys=True), dtype=object))

    def _ref(self, reference: dict[str, Any]) -> Ref:
        source = reference.get("source")
        path = normalise_path(str(reference.get("path") or "/"))
        if source in (None, ".", ""):
            return Ref(None, path)
        # hdmf-zarr writes ``source`` relative to this store (ZarrIO._create_ref: os.path.relpath(source, store))
        file = os.path.realpath(os.path.join(self.real, str(source)))
        return Ref(None if file == self.real else file, path)

    def _walk(self, path: str) -> None:
        group = self.root[path.lstrip("/")] if path != "/" else self.root
        for name, sub in group.groups():
            child = normalise_path(name, path)
            if self.is_schema(child):
                continue
            self._nodes[child] = Node(GROUP, self._attributes(sub))
            self._walk(child)
        for name, array in group.arrays():
            child = normalise_path(name, path)
            if not self.is_schema(child):
                self._nodes[child] = Node(DATASET, self._attributes(array))
        for link in group.attrs.get("zarr_link", []):
            child = normalise_path(link["name"], path)
            target = self._ref(link)
            self._nodes[child] = Node(SOFT_LINK if target.file is None else EXTERNAL_LINK, target=target)

    def namespaces(self) -> dict[str, list[str]]:
        key = self.spec_group.lstrip("/")
        if key not in self.root:
            return {}
        spec = self.root[key]
        return {name: sorted(name for name, _ in group.groups()) for name, group in spec.groups()}

    def spec_documents(self) -> list[Any]:
        key = self.spec_group.lstrip("/")
        documents: list[Any] = []
        if key in self.root:
            self.root[key].visititems(
                lambda name, obj: (
                    documents.append(_parse_spec(obj[...].ravel()[0])) if isinstance(obj, zarr.Array) else None
                )
            )
        return documents

    def _array(self, path: str) -> zarr.Array:
        return self.root[path.lstrip("/")]

    def layout(self, path: str) -> Layout:
        array = self._array(path)
        zarr_dtype = array.attrs.get("zarr_dtype")
        shape = array.shape
        if zarr_dtype == "scalar" and shape == (1,):
            shape = ()  # hdmf-zarr stores a scalar as a one-element array marked "scalar" (ZarrIO.__scalar_fill__)
        if isinstance(zarr_dtype, list) or array.dtype.names is not None:
            return Layout("compound", shape, fields=self._compound_fields(array, zarr_dtype, shape))
        if zarr_dtype == "object":
            return Layout("reference", shape)
        if array.dtype.kind in "OSU":
            if array.dtype.kind == "O" and zarr_dtype not in _TEXT_ZARR_DTYPES and zarr_dtype != "scalar":
                values = self._values(path)
                if any(isinstance(v, dict) for v in values.ravel()):
                    return Layout("reference", shape)
            return Layout("text", shape)
        return Layout("number", shape, array.dtype)

    def _compound_fields(self, array: zarr.Array, zarr_dtype: Any, shape: tuple[int, ...]) -> tuple:
        if isinstance(zarr_dtype, list):
            described = [(item["name"], item["dtype"]) for item in zarr_dtype]
        else:
            described = [(name, None) for name in array.dtype.names]
        fields = []
        for name, described_dtype in described:
            stored = array.dtype.fields[name][0] if array.dtype.names is not None else np.dtype(object)
            if described_dtype == "object" or isinstance(described_dtype, dict):
                fields.append((name, Layout("reference", shape)))
            elif described_dtype in _TEXT_ZARR_DTYPES or stored.kind in "SU":
                fields.append((name, Layout("text", shape)))
            elif stored.kind != "O":
                fields.append((name, Layout("number", shape, stored)))
            else:
                # A compound with a text field is stored as an object array of rows (ZarrIO.__list_fill__ switches to
                # dtype=object), so its numbers are Python objects; zarr_dtype keeps each field's numpy type name,
                # which gives back the dtype they were written with.
                fields.append((name, Layout("number", shape, np.dtype(described_dtype))))
        return tuple(fields)

    def _values(self, path: str) -> np.ndarray:
        """The whole array."""
        return self._array(path)[...]

    def read(self, path: str, rows: slice | None = None) -> Any:
        layout = self.layout(path)
        values = self._values(path) if rows is None or layout.category != "number" else self._array(path)[rows]
        if layout.shape == () and values.shape == (1,):
            values = values.reshape(())
        if rows is not None and layout.category != "number":
            values = values[rows]
        return self._convert(values, layout)

    def _convert(self, values: np.ndarray, layout: Layout) -> Any:
        if layout.category == "compound":
            out = {}
            for position, (name, field_layout) in enumerate(layout.fields):
                if values.dtype.names is not None:
                    column = values[name]
                else:
                    column = np.empty(values.shape, dtype=object)
                    for index in np.ndindex(values.shape):
                        row = values[index]
                        column[index] = row[name] if isinstance(row, dict) else row[position]
                out[name] = self._convert(column, field_layout)
            return out
        if layout.category == "reference":
            out = np.empty(values.shape, dtype=object)
            for index in np.ndindex(values.shape):
                value = values[index]
                if isinstance(value, str):
                    value = json.loads(value)
                out[index] = self._ref(value) if isinstance(value, dict) else Ref(None, f"<not a reference: {value!r}>")
            return out
        if layout.category == "text":
            return _text_array(values)
        if values.dtype.kind == "O":
            return _native(np.asarray(values.tolist(), dtype=layout.dtype))
        return _native(np.asarray(values))


def _allow_pickle(allowed: bool) -> bool:
    """Set whether numcodecs may unpickle; return what it was (so a ZarrStore restores it on close)."""
    from numcodecs import pickles

    previous = pickles.ALLOW_UNSAFE_PICKLE_DECODE
    pickles.ALLOW_UNSAFE_PICKLE_DECODE = allowed
    return previous


def _parse_spec(value: Any) -> Any:
    """A cached schema document: JSON text (bytes or str), or already parsed."""
    if isinstance(value, (bytes, np.bytes_, str)):
        try:
            return json.loads(text(value))
        except ValueError:
            return None
    return value


def _json_array(value: list) -> np.ndarray:
    """A nested JSON list as an object array of its regular shape (ragged inner lists stay lists)."""
    shape = [len(value)]
    items = value
    while items and all(isinstance(v, list) for v in items) and len({len(v) for v in items}) == 1:
        shape.append(len(items[0]))
        items = [w for v in items for w in v]
    array = np.empty(tuple(shape), dtype=object)
    for index in np.ndindex(array.shape):
        item = value
        for i in index:
            item = item[i]
        array[index] = item
    return array


def _native(array: np.ndarray) -> np.ndarray:
    """The array in native byte order (big-endian data equal to little-endian data is equal)."""
    array = np.asarray(array)
    if array.dtype.byteorder not in ("=", "|") and array.dtype.names is None:
        return array.astype(array.dtype.newbyteorder("="))
    return array
