"""Carry over what an export leaves behind: objects and attributes outside the NWB schema.

A repack goes through hdmf's export, which writes what pynwb read from the source: the objects and attributes the
type map knows. Whatever another tool added (a group or dataset written with ``h5py`` or ``zarr``, a soft link, an
external link, an attribute no schema names) is not written. :func:`carry_over_outside_schema` walks the source and
the written file once, side by side, and:

- copies every attribute the source has and the written file lacks, on every object both hold;
- copies every object (group, dataset or link) the written file lacks, with everything under it: HDF5 to HDF5 with
  HDF5's own object copy (attributes, chunks and filters as stored, soft links as soft links, external links as
  external links), Zarr to Zarr with ``zarr.copy_store`` (the stored chunks and metadata, links as hdmf-zarr's
  ``zarr_link`` entries), and across backends what can be represented faithfully: groups, numeric and text datasets,
  attributes, and soft links (an HDF5 soft link becomes a ``zarr_link`` entry with ``"source": "."``, and back);
- keeps an external link an external link to the same object of the same file when the formats match, its file
  name rewritten to find that file from the target's place (:func:`~nwbconfig_widget.io.external_links.link_name`);
  across formats (HDF5 cannot link into a Zarr folder, nor hdmf-zarr into an HDF5 file) copies what it points to,
  which the writer names in an ``ExternalLinkCopiedWarning``;
- refuses, with :class:`ObjectsOutsideSchemaError` naming each one, what cannot be copied faithfully: object and
  region references (they point into the source file), an external link whose file or object is missing (or, across
  formats, that points to something the other format cannot represent), a soft link to an object the new file will
  not hold, a dataset or attribute the other format cannot represent. ``drop=True`` writes the file without those
  (they are returned, for a warning that names them); everything else is still copied.

Which objects are "left out" and which were removed on purpose (the rule):

- An object of the source is *outside the schema* when the export did not write it although nothing was taken out
  of the NWBFile: the type map could not read it into a container or a field (``h5py``/``zarr`` additions, a link or
  a dataset no spec names), or pynwb read it and the export still did not write it. Those are copied (or refused).
- A container that pynwb read from the source and that is no longer in the NWBFile being written was *removed by
  the user* (``nwbfile.acquisition.pop(...)``): nothing under it is copied back, and that is not a loss. It is told
  apart by its path: a typed object (one with a ``neurodata_type`` attribute) missing from the written file, which a
  fresh read of the source builds as a container (``containers_as_read``) and which is not among the containers of
  the NWBFile written (``kept``).
- An object at the same path with another ``object_id`` was replaced by the user: nothing is copied into it.
- The cached schema (``specifications``) is written anew by the export and never copied.

Example (a group added with h5py is copied, with its attribute and its dataset)::

    >>> import h5py, tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> with h5py.File(folder / "a.h5", "w") as source, h5py.File(folder / "b.h5", "w") as written:
    ...     source.create_group("acquisition/lab").attrs["rig"] = 3
    ...     _ = source["acquisition/lab"].create_dataset("gains", data=[1.5, 2.0])
    ...     _ = written.create_group("acquisition")
    >>> carry_over_outside_schema(folder / "a.h5", folder / "b.h5", folder / "b.h5")
    []
    >>> with h5py.File(folder / "b.h5", "r") as file:
    ...     int(file["acquisition/lab"].attrs["rig"]), file["acquisition/lab/gains"][:].tolist()
    (3, [1.5, 2.0])
"""

from __future__ import annotations

import json
import os
import posixpath
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import zarr

from .._plain import plain
from ..backends import display_name
from .cross_format import (
    as_text,
    has_reference,
    hdf5_dataset_to_zarr,
    kind_of_hdf5,
    kind_of_zarr,
    object_codec_id,
    zarr_array_to_hdf5,
)
from .external_links import SourceLink, link_name
from .extra_attributes import _BACKEND_ATTRIBUTES, _SCHEMA_GROUP, _as_json, _is_reference, _set
from .file_trees import (
    DATASET,
    EXTERNAL_LINK,
    GROUP,
    SOFT_LINK,
    HDF5Tree,
    Node,
    ZarrTree,
    open_tree,
    parent_of,
    under,
    zarr_links,
)
from .remote import as_location

#: Where the fix is given: the parameter, and the option of the command line.
FIX = (
    "pass drop_objects_outside_schema=True to repack_nwbfile or configure_and_write_nwbfile "
    "(nwbconfig repack --drop-objects-outside-schema) to write the file without them"
)


class ObjectsOutsideSchemaError(ValueError):
    """Objects outside the NWB schema that cannot be copied faithfully to the new file; nothing was written.

    ``problems`` holds one ``(where, what is wrong)`` pair per object: its path, or ``path (attribute name)``.
    """

    def __init__(self, problems: list[tuple[str, str]], source: Path, target: Path):
        self.problems = problems
        lines = "\n".join(f"  - {plain(path)}: {what}" for path, what in problems)
        super().__init__(
            f"{len(problems)} object(s) of {source.name} outside the NWB schema cannot be copied faithfully to "
            f"{target.name}, so nothing was written:\n{lines}\nCopy them yourself, or {FIX}; everything else "
            "outside the schema is still copied."
        )


class ObjectsOutsideSchemaWarning(UserWarning):
    """Objects outside the NWB schema were left out of the written file (``drop_objects_outside_schema=True``)."""


@dataclass
class _Missing:
    """An object the written file lacks whose parent it holds, and what lies under it in the source."""

    node: Node
    members: list[Node] = field(default_factory=list)


@dataclass
class _Plan:
    attributes: list[tuple[str, str]] = field(default_factory=list)  # (object path, attribute name)
    missing: list[_Missing] = field(default_factory=list)
    problems: dict[str, str] = field(default_factory=dict)  # path -> what is wrong
    attribute_problems: dict[tuple[str, str], str] = field(default_factory=dict)  # (path, name) -> what is wrong

    def copied(self) -> list[str]:
        return [item.node.path for item in self.missing if item.node.path not in self.problems]

    def described(self) -> list[tuple[str, str]]:
        """(where, what is wrong) of everything that cannot be copied, in path order."""
        items = [(path, "", what) for path, what in self.problems.items()]
        items += [(path, name, what) for (path, name), what in self.attribute_problems.items()]
        return [(f"{path or '/'} (attribute {name})" if name else path, what) for path, name, what in sorted(items)]


def carry_over_outside_schema(
    source: str | os.PathLike,
    written: str | os.PathLike,
    target: str | os.PathLike,
    *,
    kept: frozenset[str] | set[str] = frozenset(),
    containers_as_read: Callable[[], set[str]] | None = None,
    drop: bool = False,
) -> list[str]:
    """Copy into ``written`` what its source holds outside the NWB schema; return what was dropped (``drop=True``).

    ``source`` and ``written`` are NWB files (an HDF5 file or a Zarr folder, in any combination); ``source`` is
    only read. ``target`` is where ``written`` will be moved (external links are judged from there). ``kept``: the
    source paths of the containers of the NWBFile that was written; ``containers_as_read()``: those a fresh read of
    the source builds (called only when a typed object is missing that ``kept`` does not hold). Raises
    :class:`ObjectsOutsideSchemaError` for what cannot be copied faithfully unless ``drop`` is set; then those are
    left out and returned as ``"path: what is wrong"`` lines.
    """
    source, written, target = as_location(source), Path(written), Path(target)
    read = open_tree(source, "r")
    try:
        out = open_tree(written, "r+")
        try:
            plan = _plan(read, out, target, kept, containers_as_read)
            problems = plan.described()
            if problems and not drop:
                raise ObjectsOutsideSchemaError(problems, source, target)
            _apply(plan, read, out, target)
        finally:
            out.close()
    finally:
        read.close()
    return [f"{plain(where)}: {what}" for where, what in problems]


def _plan(
    read: HDF5Tree | ZarrTree,
    out: HDF5Tree | ZarrTree,
    target: Path,
    kept: frozenset[str] | set[str],
    containers_as_read: Callable[[], set[str]] | None,
) -> _Plan:
    plan = _Plan()
    skipped: set[str] = set()  # removed or replaced by the user: nothing under them is looked at
    missing: dict[str, _Missing] = {}
    as_read: set[str] | None = None
    for node in [Node("", GROUP), *read.nodes()]:
        if node.path.split("/", 1)[0] == _SCHEMA_GROUP or _covering(node.path, skipped):
            continue
        top = _covering(node.path, missing)
        if top is not None:
            missing[top].members.append(node)
            continue
        counterpart = out.node(node.path) if node.path else Node("", GROUP)
        if counterpart is not None:
            if node.kind in (GROUP, DATASET) and counterpart.kind == node.kind:
                if _replaced(read, out, node.path):
                    skipped.add(node.path)
                else:
                    _plan_attributes(plan, read, out, node.path)
            continue
        if node.path not in kept and _typed(read, node):
            if as_read is None:
                as_read = _containers_as_read(containers_as_read)
            if node.path in as_read:
                skipped.add(node.path)  # a container the user took out of the NWBFile
                continue
        missing[node.path] = _Missing(node)
        parent = out.node(parent_of(node.path)) if parent_of(node.path) else Node("", GROUP)
        if parent is None or parent.kind != GROUP:
            plan.problems[node.path] = "its parent is not a group in the new file, so there is no place to copy it"
    plan.missing = list(missing.values())
    copied = list(missing)
    for item in plan.missing:
        for node in (item.node, *item.members):
            _check_node(plan, read, out, node, target, copied)
    return plan


def _typed(read: Any, node: Node) -> bool:
    """Whether ``node`` is (or links to, from another file) an object with a ``neurodata_type``: a container."""
    if node.kind in (GROUP, DATASET):
        return "neurodata_type" in read.attrs(node.path)
    if node.kind == EXTERNAL_LINK:
        reached = read.linked(node)
        return reached is not None and "neurodata_type" in reached[1].attrs
    return False


def _covering(path: str, paths: set[str] | dict[str, Any]) -> str | None:
    """The path among ``paths`` that is ``path`` or one of its ancestors (the highest), or None."""
    if not paths:
        return None
    parts = path.split("/")
    for end in range(1, len(parts) + 1):
        prefix = "/".join(parts[:end])
        if prefix in paths:
            return prefix
    return None


def _containers_as_read(containers_as_read: Callable[[], set[str]] | None) -> set[str]:
    if containers_as_read is None:
        return set()
    try:
        return containers_as_read()
    except Exception:  # the source cannot be read again: no object is taken for removed, so none is lost
        return set()


def _replaced(read: Any, out: Any, path: str) -> bool:
    """Whether the written object at ``path`` is another object than the source's (another ``object_id``)."""
    ours, theirs = read.attrs(path).get("object_id"), out.attrs(path).get("object_id")
    return ours is not None and theirs is not None and as_text(ours) != as_text(theirs)


def _plan_attributes(plan: _Plan, read: Any, out: Any, path: str) -> None:
    mine, theirs = read.attrs(path), out.attrs(path)
    for name in mine:
        if name in _BACKEND_ATTRIBUTES or name in theirs:
            continue
        problem = _attribute_problem(mine[name], read.backend, out.backend)
        if problem:
            plan.attribute_problems[(path, name)] = problem
        else:
            plan.attributes.append((path, name))


def _attribute_problem(value: Any, source_backend: str, target_backend: str) -> str | None:
    """Why the attribute ``value`` cannot be copied faithfully to the other file, or None."""
    if _is_reference(value):
        return "an object reference, which points into the source file"
    if source_backend == target_backend:
        return None
    if target_backend == "zarr":
        try:
            json.dumps(_as_json(value), allow_nan=True)
        except (TypeError, ValueError):
            return (
                f"a {type(value).__name__} attribute of type {getattr(value, 'dtype', '?')}, which Zarr's JSON "
                "attributes cannot hold"
            )
        return None
    if isinstance(value, (str, bool, int, float)):
        return None
    if isinstance(value, list) and value and all(isinstance(item, str) for item in value):
        return None
    try:
        kind = np.asarray(value).dtype.kind
    except ValueError:
        kind = "O"
    if kind in "biuf":
        return None
    return f"the JSON value {plain(json.dumps(value)[:80])}, which an HDF5 attribute cannot hold"


def _check_node(plan: _Plan, read: Any, out: Any, node: Node, target: Path, copied: list[str]) -> None:
    """Record in ``plan`` why ``node`` (about to be copied) or one of its attributes cannot be copied faithfully."""
    problem = None
    if node.kind == DATASET:
        problem = _dataset_problem(read.obj(node.path), read.backend, out.backend)
    elif node.kind == SOFT_LINK:
        problem = _soft_link_problem(read, out, node, copied)
    elif node.kind == EXTERNAL_LINK:
        problem = _external_link_problem(read, out, node, target)
    if problem:
        plan.problems[node.path] = problem
    if node.kind in (GROUP, DATASET):
        for name, value in read.attrs(node.path).items():
            if name not in _BACKEND_ATTRIBUTES:
                problem = _attribute_problem(value, read.backend, out.backend)
                if problem:
                    plan.attribute_problems[(node.path, name)] = problem


def _soft_link_problem(read: Any, out: Any, node: Node, copied: list[str]) -> str | None:
    pointed = str(node.link_path).strip("/")
    if read.node(pointed) is None:
        return None  # dangling in the source already: copied as it is
    if out.node(pointed) is not None or any(under(pointed, path) for path in copied):
        return None
    return f"a soft link to /{plain(pointed)}, which the new file does not hold"


def _external_link_problem(read: Any, out: Any, node: Node, target: Path) -> str | None:
    reached = read.linked(node)
    if reached is None:
        link = SourceLink(node.path, str(node.link_file), str(node.link_path), None)
        return f"{link.describe()}, {link.missing(read.location)}; put the file back there, or fix the link"
    if read.backend == out.backend:
        return None  # copied as a link, its file name rewritten to reach the same file from the target's place
    problem = _linked_content_problem(reached[1], read.backend, out.backend)
    if problem:
        what = f"an external link to {plain(str(node.link_file))}:{plain(str(node.link_path))}"
        return f"{what}, which a {display_name(out.backend)} file cannot link to, and whose copy {problem}"
    return None


def _linked_content_problem(linked: Any, source_backend: str, target_backend: str) -> str | None:
    """Why the object an external link reaches (and all under it) cannot be copied to the other format, or None."""
    for relative, kind, item in _members(linked, source_backend):
        where = f" at {plain(relative)}" if relative else ""
        if kind in (SOFT_LINK, EXTERNAL_LINK):
            return f"would hold a {kind}{where}, which points into the linked file"
        problem = _dataset_problem(item, source_backend, target_backend) if kind == DATASET else None
        if problem:
            return f"would hold {problem}{where}"
        for name, value in item.attrs.items():
            if name not in _BACKEND_ATTRIBUTES:
                problem = _attribute_problem(value, source_backend, target_backend)
                if problem:
                    return f"would hold the attribute {plain(name)}{where}: {problem}"
    return None


def _members(obj: Any, backend: str, relative: str = "") -> list[tuple[str, str, Any]]:
    """(path relative to ``obj``, kind, object) of ``obj`` and everything under it, links included (not followed)."""
    is_group = isinstance(obj, h5py.Group) if backend == "hdf5" else isinstance(obj, zarr.Group)
    found = [(relative, GROUP if is_group else DATASET, obj)]
    if not is_group:
        return found
    if backend == "zarr":
        found.extend((posixpath.join(relative, entry["name"]), EXTERNAL_LINK, None) for entry in zarr_links(obj))
    for name in obj:
        path = posixpath.join(relative, name)
        if backend == "hdf5":
            link = obj.get(name, getlink=True)
            if isinstance(link, (h5py.SoftLink, h5py.ExternalLink)):
                found.append((path, SOFT_LINK if isinstance(link, h5py.SoftLink) else EXTERNAL_LINK, None))
                continue
        found.extend(_members(obj[name], backend, path))
    return found


def _dataset_problem(dataset: Any, source_backend: str, target_backend: str) -> str | None:
    if source_backend == "hdf5":
        dtype = dataset.dtype
        if has_reference(dtype):
            return "a dataset of object or region references, which point into the source file"
        if target_backend == "zarr":
            if dataset.shape is None:
                return "an empty (null) HDF5 dataset, which Zarr cannot represent"
            if kind_of_hdf5(dtype) is None:
                return f"a dataset of type {dtype}, which this copy cannot represent in Zarr"
        return None
    zarr_dtype = dataset.attrs.get("zarr_dtype")
    if zarr_dtype in ("object", "region") or (
        isinstance(zarr_dtype, list) and any(item.get("dtype") in ("object", "region") for item in zarr_dtype)
    ):
        return "a dataset of object references, which point into the source file"
    if target_backend == "hdf5" and kind_of_zarr(dataset) is None:
        return f"a dataset of type {dataset.dtype} (codec {object_codec_id(dataset)}), which HDF5 cannot represent"
    return None


# --- applying the plan ---------------------------------------------------------------------------------------------


def _apply(plan: _Plan, read: Any, out: Any, target: Path) -> None:
    for path, name in plan.attributes:
        _set(out.obj(path), name, read.attrs(path)[name])
    for item in plan.missing:
        if item.node.path in plan.problems:
            continue  # dropped (drop=True), with all under it
        dropped = _topmost([node.path for node in item.members if node.path in plan.problems])
        kept = [node for node in (item.node, *item.members) if not any(under(node.path, path) for path in dropped)]
        if read.backend == out.backend:
            _copy_natively(read, out, item.node)
            for path in dropped:
                _remove(out, path)
            for node in kept:
                if node.kind == EXTERNAL_LINK:
                    _relink(read, out, node, target)
                    continue
                for name in _dropped_attributes(plan, node.path):
                    del out.attrs(node.path)[name]
        else:
            for node in kept:
                _copy_across(read, out, node, skip=set(_dropped_attributes(plan, node.path)))
    if isinstance(out, ZarrTree):
        out.changed = bool(plan.attributes or plan.copied())


def _dropped_attributes(plan: _Plan, path: str) -> list[str]:
    return [name for where, name in plan.attribute_problems if where == path]


def _topmost(paths: list[str]) -> list[str]:
    top: list[str] = []
    for path in sorted(paths):
        if not any(under(path, other) for other in top):
            top.append(path)
    return top


def _copy_natively(read: Any, out: Any, node: Node) -> None:
    """Copy ``node`` and all under it as stored: HDF5's object copy, or the Zarr store's files."""
    parent, name = parent_of(node.path), posixpath.basename(node.path)
    if read.backend == "hdf5":
        if node.kind == SOFT_LINK:
            out.obj(parent)[name] = h5py.SoftLink(node.link_path)
        elif node.kind == EXTERNAL_LINK:
            out.obj(parent)[name] = h5py.ExternalLink(node.link_file, node.link_path)
        else:
            read.file.copy(read.file[node.path], out.obj(parent), name=name)
        return
    if node.kind in (SOFT_LINK, EXTERNAL_LINK):
        entry = next(entry for entry in zarr_links(read.obj(parent)) if entry["name"] == name)
        _add_zarr_link(out.obj(parent), entry)
        return
    zarr.copy_store(
        read.root.store,  # the folder's, or a remote store's
        zarr.DirectoryStore(str(out.location)),
        source_path=node.path,
        dest_path=node.path,
    )


def _relink(read: Any, out: Any, node: Node, target: Path) -> None:
    """Give the copied external link at ``node.path`` the file name that reaches its file from ``target``."""
    reached = read.linked(node)
    if reached is None:
        return  # dangling: refused or dropped before, never copied
    name = link_name(str(node.link_file), reached[0], target, out.backend)
    if name != node.link_file:
        out.set_external_link(node.path, name, str(node.link_path))


def _remove(out: Any, path: str) -> None:
    parent, name = parent_of(path), posixpath.basename(path)
    if out.backend == "hdf5":
        del out.obj(parent)[name]
        return
    group = out.obj(parent)
    if name in group:
        del group[name]
    else:
        group.attrs["zarr_link"] = [entry for entry in zarr_links(group) if entry["name"] != name]


def _add_zarr_link(group: Any, entry: dict) -> None:
    group.attrs["zarr_link"] = [*zarr_links(group), dict(entry)]


def _copy_across(read: Any, out: Any, node: Node, skip: set[str]) -> None:
    """Write ``node`` alone (not what is under it) in the other format; an external link, what it reaches."""
    parent, name = parent_of(node.path), posixpath.basename(node.path)
    if node.kind == EXTERNAL_LINK:
        _copy_object_across(read.linked(node)[1], read.backend, out.obj(parent), name, out.backend)
        return
    if node.kind == SOFT_LINK:
        pointed = "/" + str(node.link_path).strip("/")
        if out.backend == "hdf5":
            out.obj(parent)[name] = h5py.SoftLink(pointed)
        else:
            _add_zarr_link(out.obj(parent), {"source": ".", "path": pointed, "name": name})
        return
    if node.kind == GROUP:
        made = out.obj(parent).create_group(name)
    elif out.backend == "zarr":
        made = hdf5_dataset_to_zarr(read.obj(node.path), out.obj(parent), name)
    else:
        made = zarr_array_to_hdf5(read.obj(node.path), out.obj(parent), name)
    for attribute, value in read.attrs(node.path).items():
        if attribute not in _BACKEND_ATTRIBUTES and attribute not in skip:
            _set(made, attribute, value)


def _copy_object_across(obj: Any, source_backend: str, group: Any, name: str, target_backend: str) -> None:
    """Write ``obj`` (an h5py or zarr group or dataset) and everything under it as ``name`` in ``group``, in the
    other format (what an external link reaches, checked by :func:`_linked_content_problem`)."""
    is_group = isinstance(obj, h5py.Group) if source_backend == "hdf5" else isinstance(obj, zarr.Group)
    if is_group:
        made = group.create_group(name)
        for child in obj:
            _copy_object_across(obj[child], source_backend, made, child, target_backend)
    elif target_backend == "zarr":
        made = hdf5_dataset_to_zarr(obj, group, name)
    else:
        made = zarr_array_to_hdf5(obj, group, name)
    for attribute, value in obj.attrs.items():
        if attribute not in _BACKEND_ATTRIBUTES:
            _set(made, attribute, value)
