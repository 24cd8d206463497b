"""compare_nwb_files: every difference between two NWB files, HDF5 file or Zarr folder in any combination.

Both files are read with h5py and zarr directly (nwb_stores.py), not pynwb, so the object mapper hides nothing. The
comparison checks, for the source and the target:

- the same groups, datasets, soft links and external links at the same paths, nothing missing and nothing added;
- every dataset: same category (numbers, text, references, compound), same shape, numbers of the same kind and width,
  every value equal bit for bit (NaN payloads and -0.0 included), text equal as decoded text, references resolving
  to the same object path, compound data field by field;
- every attribute of every object, attributes outside the schema included, by the same rules;
- links pointing to the same path (external links: the same file and path);
- the namespaces the source cached under /specifications all cached in the target.

The differences tolerated, each with the reason:

- an external link of the source that the writer replaced by a copy and named (``copied_links``: HDF5 cannot link
  into a Zarr folder, nor hdmf-zarr into an HDF5 file, so the package copies the data across formats and names each
  link in an ``ExternalLinkCopiedWarning``): the copy and everything under it are compared, by the rules below, with
  the object the link reaches, read from the linked file; any other value, attribute or object there is reported;

- the cached schema itself (/specifications): the writer caches the schema it wrote with, which may be newer; only the
  namespace names the source cached must be there;
- the attributes a backend keeps for itself (``nwb_stores.ZARR_OWN_ATTRIBUTES``, and the root ``.specloc``, which
  only locates the cached schema: an object reference in HDF5, a path in Zarr);
- the root ``nwb_version`` when the target declares the version of the core schema it caches, no older than the
  source's: an export that rebuilds the file from the objects read (hdmf-zarr's, and the package's repack to either
  backend) writes the root attributes from the schema it writes with, so a file read as 2.6.0 and written with the
  2.11.0 schema says 2.11.0, truthfully;
- an object's ``neurodata_type`` (and with it ``namespace``) changed to a type that extends it in the schema the target
  caches and that the schema the source caches does not define: pynwb reads an older file's objects as the current
  types (the electrodes ``DynamicTable`` of NWB < 2.9 is read as an ``ElectrodesTable``) and writes them so; the
  object keeps every dataset and attribute, which are compared;
- how each backend stores text (bytes or str, fixed or variable length), scalars (hdmf-zarr: a one-element array
  marked ``zarr_dtype == "scalar"``), links (hdmf-zarr: the ``zarr_link`` attribute) and references (hdmf-zarr:
  ``{"source", "path", ...}`` dicts): these are mapped to one form in nwb_stores.py and then compared;
- byte order (a big-endian float equals the little-endian float with the same value);
- the width of numbers in a Zarr attribute: Zarr keeps attributes as JSON, which has no float32 or uint8 and one NaN.
  When either side is a Zarr attribute, numbers are compared by value and by class (bool, integer, float), NaN equal
  to NaN; width and NaN payload are compared only between two HDF5 attributes. The width IS lost in a Zarr file
  (hdmf-zarr issue #323), but no writer can keep it there, so it is not counted against the repack; where it matters
  (an extension attribute declared uint8 reads back as int64) pynwb.validate and the reader say so, and
  test_corpus.py runs both on every target.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np
from nwb_stores import DATASET, EXTERNAL_LINK, GROUP, Attribute, Layout, Node, Ref, Store, normalise_path, open_store


def compare_nwb_files(
    source: str | os.PathLike, target: str | os.PathLike, copied_links: Iterable[str] = frozenset()
) -> list[str]:
    """Every difference between ``source`` and ``target`` (an HDF5 file or a Zarr folder each), as readable lines.

    An empty list means the files hold the same objects, attributes, values, links and references (see the module
    docstring for what is compared and what is tolerated).

    ``copied_links``: paths (``/acquisition/x``) where the source has an external link that the writer replaced, on
    purpose and with a warning naming it, by a copy of what the link reaches (HDF5 cannot link into a Zarr folder, nor
    hdmf-zarr into an HDF5 file). There the target's object and everything under it are compared with the object the
    link reaches, read from the linked file: the same values, attributes and children, nothing missing or added.
    """
    with open_store(source) as old, open_store(target) as new:
        differences = _namespace_differences(old, new)
        old_nodes, new_nodes = old.nodes(), new.nodes()
        copies = sorted(
            path
            for path in {normalise_path(path) for path in copied_links}
            if path in old_nodes
            and old_nodes[path].kind == EXTERNAL_LINK
            and path in new_nodes
            and new_nodes[path].kind in (GROUP, DATASET)
        )
        outside = {
            path: node for path, node in old_nodes.items() if not any(_at_or_under(path, copy) for copy in copies)
        }
        inside = {
            path: node for path, node in new_nodes.items() if not any(_at_or_under(path, copy) for copy in copies)
        }
        differences.extend(_tree_differences(old, new, outside, inside))
        for copy in copies:
            differences.extend(_copied_link_differences(copy, old_nodes[copy].target, new, new_nodes))
        return differences


def _at_or_under(path: str, parent: str) -> bool:
    return path == parent or path.startswith(parent.rstrip("/") + "/")


def _tree_differences(old: Any, new: Any, old_nodes: dict[str, Node], new_nodes: dict[str, Node]) -> list[str]:
    """The differences between two sets of nodes by path: missing, added, and each pair compared."""
    differences: list[str] = []
    missing: list[str] = []
    for path in sorted(old_nodes):
        if path not in new_nodes:
            if not _under_any(path, missing):
                missing.append(path)
                below = sum(1 for other in old_nodes if other.startswith(path + "/"))
                extra = f" (with {below} object{'s' if below > 1 else ''} under it)" if below else ""
                differences.append(f"{path}: {_describe(old_nodes[path])} of the source is missing{extra}")
            continue
        differences.extend(_node_differences(path, old, new, old_nodes[path], new_nodes[path]))
    added: list[str] = []
    for path in sorted(set(new_nodes) - set(old_nodes)):
        if not _under_any(path, added):
            added.append(path)
            differences.append(f"{path}: {_describe(new_nodes[path])} in the target only")
    return differences


def _copied_link_differences(path: str, link: Ref, new: Store, new_nodes: dict[str, Node]) -> list[str]:
    """The target's copy at ``path`` against the object the source's external link ``link`` reaches."""
    if link.file is None or not os.path.exists(link.file):
        return [f"{path}: the source's external link to {link} was copied, but its file cannot be found to compare"]
    with open_store(link.file) as linked:
        reached = _Relocated(linked, link.path, path)
        old_nodes = reached.nodes()
        if not old_nodes:
            return [f"{path}: the source's external link to {link} was copied, but its file has no such object"]
        copied = {other: node for other, node in new_nodes.items() if _at_or_under(other, path)}
        return [
            f"{line} (copied from the external link to {link})"
            for line in _tree_differences(reached, new, old_nodes, copied)
        ]


class _Relocated:
    """The object at ``inner`` of a linked file and everything under it, seen at ``outer`` (the copy's path).

    Offers what :func:`_tree_differences` asks of a store (nodes, layouts, values, the cached schema's types), with
    each path of the target translated to the linked file's.
    """

    def __init__(self, store: Store, inner: str, outer: str) -> None:
        self.store, self.inner, self.outer = store, normalise_path(inner), normalise_path(outer)

    def _path(self, path: str) -> str:
        return normalise_path(self.inner + "/" + path[len(self.outer) :].lstrip("/"))

    def nodes(self) -> dict[str, Node]:
        return {
            normalise_path(self.outer + "/" + path[len(self.inner) :].lstrip("/")): node
            for path, node in self.store.nodes().items()
            if _at_or_under(path, self.inner)
        }

    def namespaces(self) -> dict[str, list[str]]:
        return self.store.namespaces()

    def type_parents(self) -> dict[str, str | None]:
        return self.store.type_parents()

    def layout(self, path: str) -> Layout:
        return self.store.layout(self._path(path))

    def read(self, path: str, rows: slice | None = None) -> Any:
        return self.store.read(self._path(path), rows)

    def blocks(self, path: str, layout: Layout) -> Iterator[tuple[slice | None, Any]]:
        return self.store.blocks(self._path(path), layout)


def _under_any(path: str, parents: Iterable[str]) -> bool:
    return any(path.startswith(parent + "/") for parent in parents)


def _describe(node: Node) -> str:
    return f"{node.kind} to {node.target}" if node.target is not None else f"a {node.kind}"


# -------------------------------------------------------------------------------------------------------- namespaces
def _namespace_differences(old: Store, new: Store) -> list[str]:
    old_namespaces, new_namespaces = old.namespaces(), new.namespaces()
    return [
        f"{old.spec_group}/{name}: the source caches namespace {name!r} ({', '.join(versions)}), the target does not"
        for name, versions in sorted(old_namespaces.items())
        if name not in new_namespaces
    ]


def _newer_core_declared(old: Store, new: Store, old_value: Attribute, new_value: Attribute) -> bool:
    """Whether a changed root ``nwb_version`` is the version of the core schema the target caches, not older."""
    from packaging.version import InvalidVersion, Version

    if old_value.kind != "text" or new_value.kind != "text" or old_value.values.shape != ():
        return False
    declared = str(new_value.values[()])
    if declared not in new.namespaces().get("core", []):
        return False
    try:
        return Version(declared) >= Version(str(old_value.values[()]))
    except InvalidVersion:
        return False


# ------------------------------------------------------------------------------------------------------------- nodes
def _node_differences(path: str, old: Store, new: Store, old_node: Node, new_node: Node) -> list[str]:
    if old_node.kind != new_node.kind:
        return [f"{path}: {_describe(old_node)} in the source, {_describe(new_node)} in the target"]
    if old_node.target != new_node.target:
        return [
            f"{path}: {old_node.kind} points to {old_node.target} in the source, to {new_node.target} in the target"
        ]
    differences = _attribute_differences(path, old, new, old_node.attributes, new_node.attributes)
    if old_node.kind == DATASET:
        differences.extend(_dataset_differences(path, old, new))
    return differences


def _attribute_differences(
    path: str, old: Store, new: Store, old_attributes: dict[str, Attribute], new_attributes: dict[str, Attribute]
) -> list[str]:
    differences = []
    migrated = _migrated_to_subtype(old, new, old_attributes, new_attributes)
    for name in sorted(old_attributes):
        if migrated and name in ("neurodata_type", "namespace"):
            continue
        if name not in new_attributes:
            differences.append(f"{path}: attribute {name!r} of the source is missing")
            continue
        problem = attribute_difference(old_attributes[name], new_attributes[name])
        if problem and not (
            path == "/"
            and name == "nwb_version"
            and _newer_core_declared(old, new, *_pair(old_attributes, new_attributes, name))
        ):
            differences.append(f"{path}: attribute {name!r} {problem}")
    for name in sorted(set(new_attributes) - set(old_attributes)):
        differences.append(f"{path}: attribute {name!r} in the target only")
    return differences


def _migrated_to_subtype(
    old: Store, new: Store, old_attributes: dict[str, Attribute], new_attributes: dict[str, Attribute]
) -> bool:
    """Whether the object's neurodata_type became a type of a newer schema that extends the source's type.

    The new type must extend the old one in the schema the target caches, and must be unknown to the schema the source
    caches (a type the source's writer could have used but did not is a change, not a migration).
    """
    old_type, new_type = old_attributes.get("neurodata_type"), new_attributes.get("neurodata_type")
    if old_type is None or new_type is None or old_type.kind != "text" or new_type.kind != "text":
        return False
    old_name, name = str(old_type.values[()]), str(new_type.values[()])
    if old_name == name or name in old.type_parents():
        return False
    parents = new.type_parents()
    seen = set()
    while name in parents and name not in seen:
        seen.add(name)
        name = parents[name]
        if name == old_name:
            return True
    return False


def _pair(old: dict[str, Attribute], new: dict[str, Attribute], name: str) -> tuple[Attribute, Attribute]:
    return old[name], new[name]


def attribute_difference(old: Attribute, new: Attribute) -> str | None:
    """How two attribute values differ (None: equal), e.g. ``"is 1.0 in the source, 2.0 in the target"``."""
    if old.kind != new.kind:
        if {old.kind, new.kind} <= {"empty list", "number", "text", "reference"} and _size(old) == _size(new) == 0:
            return None  # an empty array: Zarr's JSON [] cannot say of what type it was
        return f"holds {old.kind} {_show(old.values)} in the source, {new.kind} {_show(new.values)} in the target"
    if old.kind == "null":
        return None
    if old.values.shape != new.values.shape:
        return f"has shape {old.values.shape} in the source, {new.values.shape} in the target"
    if old.kind == "number":
        if old.dtype is not None and new.dtype is not None:
            if not _same_number_type(old.dtype, new.dtype):
                return f"is {old.dtype} in the source, {new.dtype} in the target"
            equal = not _mismatch_numbers(old.values, new.values).any()
        else:
            equal = _json_numbers_equal(old, new)
    else:
        equal = all(a == b for a, b in zip(old.values.ravel(), new.values.ravel()))
    return None if equal else f"is {_show(old.values)} in the source, {_show(new.values)} in the target"


def _size(attribute: Attribute) -> int:
    return 0 if attribute.values is None else int(np.asarray(attribute.values).size)


def _number_class(value: Any, dtype: np.dtype | None) -> str:
    kind = dtype.kind if dtype is not None else np.asarray(value).dtype.kind
    return {"b": "bool", "i": "integer", "u": "integer", "f": "float", "c": "complex"}.get(kind, kind)


def _json_numbers_equal(old: Attribute, new: Attribute) -> bool:
    """Numbers where one side is a Zarr (JSON) attribute: the same class (bool, integer, float) and value."""
    for a, b in zip(old.values.ravel().tolist(), new.values.ravel().tolist()):
        if _number_class(a, old.dtype) != _number_class(b, new.dtype):
            return False
        if not (a == b or (isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b))):
            return False
    return True


def _show(values: Any, limit: int = 80) -> str:
    shown = repr(values.tolist() if isinstance(values, np.ndarray) else values)
    return shown if len(shown) <= limit else shown[: limit - 3] + "..."


# ---------------------------------------------------------------------------------------------------------- datasets
def _same_number_type(old: np.dtype, new: np.dtype) -> bool:
    return old.kind == new.kind and old.itemsize == new.itemsize


def layout_difference(old: Layout, new: Layout) -> str | None:
    """What differs between the layouts of two datasets (None when they can hold the same values)."""
    if old.category != new.category:
        return f"holds {old.describe()} in the source, {new.describe()} in the target"
    if old.shape != new.shape:
        return f"has shape {old.shape} in the source, {new.shape} in the target"
    if old.category in ("number", "ragged") and not _same_number_type(old.dtype, new.dtype):
        return f"is {old.dtype} in the source, {new.dtype} in the target"
    if old.category == "compound":
        old_names, new_names = [name for name, _ in old.fields], [name for name, _ in new.fields]
        if old_names != new_names:
            return f"has fields {old_names} in the source, {new_names} in the target"
        for (name, old_field), (_, new_field) in zip(old.fields, new.fields):
            problem = layout_difference(old_field, new_field)
            if problem:
                return f"field {name!r} {problem}"
    return None


def _dataset_differences(path: str, old: Store, new: Store) -> list[str]:
    old_layout, new_layout = old.layout(path), new.layout(path)
    problem = layout_difference(old_layout, new_layout)
    if problem:
        return [f"{path}: {problem}"]
    if old_layout.category == "null":
        return []
    mismatches: dict[str, _Mismatch] = {}
    for rows, old_values in old.blocks(path, old_layout):
        new_values = new.read(path, rows)
        start = 0 if rows is None else rows.start
        if old_layout.category == "compound":
            for name, field_layout in old_layout.fields:
                found = _mismatch(old_values[name], new_values[name], field_layout)
                mismatches.setdefault(f"field {name!r} ", _Mismatch()).add(
                    found, start, old_values[name], new_values[name]
                )
        else:
            found = _mismatch(old_values, new_values, old_layout)
            mismatches.setdefault("", _Mismatch()).add(found, start, old_values, new_values)
    size = math.prod(old_layout.shape)
    return [f"{path}: {where}{mismatch.describe(size)}" for where, mismatch in mismatches.items() if mismatch.count]


class _Mismatch:
    """Counts differing values over the blocks of one dataset (or field) and keeps the first."""

    def __init__(self) -> None:
        self.count = 0
        self.first: tuple[tuple[int, ...], Any, Any] | None = None

    def add(self, found: np.ndarray, start: int, old: np.ndarray, new: np.ndarray) -> None:
        count = int(np.count_nonzero(found))
        if count and self.first is None:
            index = tuple(int(i) for i in np.argwhere(found)[0])
            at = (index[0] + start, *index[1:]) if index else ()
            self.first = (at, old[index], new[index])
        self.count += count

    def describe(self, size: int) -> str:
        at, old, new = self.first
        return (
            f"{self.count} of {size} values differ, the first at {at}: "
            f"{_value(old)} in the source, {_value(new)} in the target"
        )


def _value(value: Any) -> str:
    if isinstance(value, np.floating | float) and math.isnan(value):
        bits = np.asarray(value).view(f"u{np.asarray(value).itemsize}")
        return f"nan (bits 0x{int(bits):x})"
    if isinstance(value, np.ndarray):
        return _show(value)
    return repr(value.item() if isinstance(value, np.generic) else value)


def _mismatch(old: np.ndarray, new: np.ndarray, layout: Layout) -> np.ndarray:
    """Where ``old`` and ``new`` (values of one layout) differ: numbers bit for bit, text and references by equality."""
    old, new = np.asarray(old), np.asarray(new)
    if layout.category == "number":
        return _mismatch_numbers(old, new)
    found = np.zeros(old.shape, dtype=bool)
    for index in np.ndindex(old.shape):
        a, b = old[index], new[index]
        if layout.category == "ragged":
            found[index] = a.shape != b.shape or bool(_mismatch_numbers(a, b).any())
        else:
            found[index] = a != b
    return found


def _mismatch_numbers(old: np.ndarray, new: np.ndarray) -> np.ndarray:
    """Elementwise: differ in any bit (same kind and width), so another NaN payload or -0.0 for 0.0 is a difference."""
    old, new = np.array(old, order="C"), np.array(new, order="C")
    if old.dtype.kind == "O" or new.dtype.kind == "O":
        return np.asarray(old != new, dtype=bool)
    size = old.dtype.itemsize
    if size in (1, 2, 4, 8) and size == new.dtype.itemsize:
        return old.view(f"u{size}") != new.view(f"u{size}")
    if size == new.dtype.itemsize:
        shape = old.shape + (size,)
        return (old.view(np.uint8).reshape(shape) != new.view(np.uint8).reshape(shape)).any(axis=-1)
    return ~((old == new) | (np.isnan(old) & np.isnan(new)))


__all__ = ["GROUP", "DATASET", "attribute_difference", "compare_nwb_files", "layout_difference"]
