"""External links in a repack: kept as links within a format, copied with a warning across formats, never broken.

An NWB file can keep data in another file through an external link: pynwb writes one when a dataset's data is an
``h5py.Dataset`` of another file (``H5DataIO(link_data=True)``, its default), hdmf-zarr when it is a ``zarr.Array``
of another Zarr folder (``ZarrDataIO(link_data=True)``), and h5py or zarr on request. A repack (an export of the read
NWBFile, :func:`~nwbconfig_widget.io.write.configure_and_write_nwbfile`) keeps what the source holds:

- HDF5 to HDF5, Zarr to Zarr: an external link stays an external link to the same object of the same file. The
  datasets pynwb read through one are handed to hdmf wrapped with ``link_data=True`` (the configuration does not
  wrap them: discovery lists them as unconfigurable, "stored in <file> (an external link); kept as a link"), while
  the export still copies every dataset of the source itself (``link_data=False``) so the configuration applies
  there. A container read through an external link to a group is taken out of the NWBFile for the export and its
  link copied afterwards, with the links outside the schema (:mod:`nwbconfig_widget.io.outside_schema`).
- The file name a link stores is rewritten so that the link finds the same file from the new file's place
  (:func:`link_name`): HDF5 looks for a relative name in the folder of the file holding the link first, then in the
  working directory, and for an absolute name that does not exist by its base name in those places
  (H5Lcreate_external; checked with h5py 3.16 / HDF5 2.0); hdmf-zarr joins the name to the Zarr folder itself. The
  name as stored is kept when it still finds the same file, else it becomes the path relative to the new file's
  place (absolute when there is none, as across drives).
- HDF5 to Zarr, Zarr to HDF5: HDF5 cannot link into a Zarr folder, nor hdmf-zarr into an HDF5 file, so the data is
  copied into the new file; an :class:`ExternalLinkCopiedWarning` names every link replaced by a copy, with the file
  and object it pointed to.
- A link whose file or object is missing (pynwb reads it as empty data, with hdmf's ``BrokenLinkWarning``): when the
  export writes it, the write fails with :class:`DanglingExternalLinkError` naming each link and where its file was
  looked for; nothing is written. One the export does not write (outside the schema) is refused by
  :mod:`~nwbconfig_widget.io.outside_schema` unless ``drop_objects_outside_schema=True``.

Example (the name a link stores, for a new file in another folder)::

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> (folder / "raw").mkdir()
    >>> (folder / "raw" / "linked.nwb").touch()
    >>> link_name("linked.nwb", folder / "raw" / "linked.nwb", folder / "out" / "new.nwb", "hdf5")
    '../raw/linked.nwb'
    >>> link_name("linked.nwb", folder / "raw" / "linked.nwb", folder / "raw" / "new.nwb", "hdf5")
    'linked.nwb'
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._plain import plain
from ..discovery import read_source_file, stored_file, unwrap
from .configure import _get_field, _set_field
from .file_trees import DATASET, EXTERNAL_LINK, GROUP, Node, open_tree

#: Where the cached schema lives; never holds links to follow.
_SCHEMA_GROUP = "specifications"


class ExternalLinkCopiedWarning(UserWarning):
    """External links of the source were replaced by a copy of the data they point to (e.g. HDF5 to Zarr).

    ``links`` holds one ``(SourceLink, reason)`` pair per link replaced: its path, the file name and object it
    stored, the file it reached, and why it was copied.
    """

    def __init__(self, message: str, links: list[tuple[SourceLink, str]] | None = None):
        super().__init__(message)
        self.links = list(links or [])


class DanglingExternalLinkError(ValueError):
    """External links of the source whose file or object is missing; nothing was written.

    ``links`` holds one :class:`SourceLink` per link, with where its file was looked for.
    """

    def __init__(self, links: list[SourceLink], source: Path, target: Path, others: list[SourceLink] | None = None):
        self.links = links
        lines = "\n".join(f"  - {plain(link.path)}: {link.describe()}, {link.missing(source)}" for link in links)
        also = ""
        if others:
            listed = "\n".join(f"  - {plain(link.path)}: {link.describe()}, {link.missing(source)}" for link in others)
            also = (
                f"\nAlso missing, outside what pynwb reads (refused next unless drop_objects_outside_schema=True "
                f"leaves them out):\n{listed}"
            )
        super().__init__(
            f"{len(links)} external link(s) of {source.name} point to a file or object that is missing, so the new "
            f"file would hold empty data there; nothing was written to {target.name}:\n{lines}{also}\n"
            "Put the linked file back where it is looked for (or fix the link with h5py), or give those objects "
            "their data (or remove them from the NWBFile) before writing it with configure_and_write_nwbfile."
        )


@dataclass(frozen=True)
class SourceLink:
    """An external link of the source: where it is, the file name and object path it stores, the file it reaches."""

    path: str
    file: str
    object: str
    resolved: Path | None  # None: the file or the object is missing
    kind: str | None = None  # GROUP or DATASET: what it reaches

    def describe(self) -> str:
        return f"an external link to {plain(self.file)}:{plain(self.object)}"

    def missing(self, source: Path) -> str:
        """Where the file was looked for, for a link that does not resolve."""
        if source.is_dir():
            where = os.path.normpath(os.path.join(os.path.abspath(source), self.file))
        else:
            where = self.file if os.path.isabs(self.file) else os.path.join(source.resolve().parent, self.file)
        if os.path.exists(where):
            return f"and {where} has no object {plain(self.object)}"
        if os.path.isabs(self.file):
            return f"and {where} does not exist"
        return f"and {where} does not exist (a relative name is looked for beside the file holding the link)"


def source_links(source: Path) -> list[SourceLink]:
    """Every external link of the NWB file (HDF5 file or Zarr folder) ``source``, and what it reaches."""
    tree = open_tree(source, "r")
    try:
        found = []
        for node in tree.nodes():
            if node.kind != EXTERNAL_LINK or node.path.split("/", 1)[0] == _SCHEMA_GROUP:
                continue
            reached = tree.linked(node)
            file, kind = None, None
            if reached is not None:
                file = reached[0]
                kind = DATASET if hasattr(reached[1], "shape") and hasattr(reached[1], "dtype") else GROUP
            found.append(SourceLink(node.path, str(node.link_file), str(node.link_path), file, kind))
        return found
    finally:
        tree.close()


def link_name(stored: str, resolved: Path, new_file: Path, backend: str) -> str:
    """The file name a link in ``new_file`` must store to reach ``resolved`` (the file the source's link reaches).

    ``stored`` (the name the source's link stores) is kept when it reaches the same file from ``new_file``'s place;
    else the path relative to that place, or the absolute path when there is none (another drive).
    """
    if backend == "zarr":  # hdmf-zarr: os.path.normpath(os.path.join(<the Zarr folder>, name))
        base, wanted = os.path.abspath(new_file), os.path.abspath(resolved)
        if os.path.normpath(os.path.join(base, stored)) == wanted:
            return stored
        try:
            return os.path.relpath(wanted, base)
        except ValueError:
            return wanted
    # HDF5: the folder of the file holding the link (the operating system resolves "..", so real paths are used)
    base, wanted = os.path.realpath(new_file.parent), os.path.realpath(resolved)
    found = stored if os.path.isabs(stored) else os.path.join(base, stored)
    if os.path.exists(found) and os.path.realpath(found) == wanted:
        return stored
    try:
        return os.path.relpath(wanted, base)
    except ValueError:
        return wanted


@dataclass
class LinksKept:
    """What :func:`external_links_kept` changed for an export, and the source's links to check the result against."""

    source: Path | None
    backend: str
    links: list[SourceLink]
    #: Source paths of the containers read through a link to a group and taken out for the export (their links are
    #: copied afterwards, with the objects outside the schema).
    detached: set[str] = field(default_factory=set)
    #: Why a link is copied rather than kept, by its path (default: the formats differ).
    reasons: dict[str, str] = field(default_factory=dict)

    def check_written(self, written: Path, target: Path) -> None:
        """After the export: refuse links it wrote as empty data; give the links it wrote the names of the source.

        Raises :class:`DanglingExternalLinkError` for each link of the source whose file or object is missing and
        whose path the export wrote (pynwb read it as empty data).
        """
        if not self.links:
            return
        tree = open_tree(written, "r+")
        try:
            dangling = [link for link in self.links if link.resolved is None and _read_as_empty(tree, link.path)]
            if dangling:
                others = [link for link in self.links if link.resolved is None and link not in dangling]
                raise DanglingExternalLinkError(dangling, self.source, target, others)
            for link in self.links:
                node = tree.node(link.path) if link.resolved is not None else None
                if node is None or node.kind != EXTERNAL_LINK:
                    continue
                name = link_name(link.file, link.resolved, target, self.backend)
                if name != node.link_file:
                    tree.set_external_link(link.path, name, str(node.link_path))
        finally:
            tree.close()

    def _default_reason(self) -> str:
        if self.source is not None and ("zarr" if self.source.is_dir() else "hdf5") != self.backend:
            return _ACROSS[self.backend]
        return "its data was given to hdmf to write (e.g. in a DataIO), not as a link"

    def copied(self, written: Path) -> list[tuple[SourceLink, str]]:
        """The source's links that ``written`` holds as a group or dataset (a copy), each with the reason."""
        if not self.links:
            return []
        tree = open_tree(written, "r")
        try:
            found = []
            for link in self.links:
                node = tree.node(link.path)
                if node is not None and node.kind in (GROUP, DATASET):
                    found.append((link, self.reasons.get(link.path, self._default_reason())))
            return found
        finally:
            tree.close()


def _read_as_empty(tree: Any, path: str) -> bool:
    """Whether ``written`` holds an empty dataset at ``path``: what pynwb makes of a link it cannot follow."""
    node = tree.node(path)
    if node is None or node.kind != DATASET:
        return False
    return getattr(tree.obj(path), "size", 0) in (0, None)


#: Why a link cannot be kept when the new file is of the other format, by the new file's format.
_ACROSS = {
    "zarr": "a Zarr file cannot link into an HDF5 file",
    "hdf5": "an HDF5 file cannot link into a Zarr folder",
}

#: How many copied links a warning names one by one.
_SHOWN = 50


def copied_links_warning(copied: list[tuple[SourceLink, str]], source: Path, target: Path) -> ExternalLinkCopiedWarning:
    """The :class:`ExternalLinkCopiedWarning` naming each link replaced by a copy (``warnings.warn`` it)."""
    lines = [f"{plain(link.path)} -> {plain(link.file)}:{plain(link.object)} ({reason})" for link, reason in copied]
    if len(lines) > _SHOWN:
        lines = lines[:_SHOWN] + [f"... and {len(lines) - _SHOWN} more"]
    message = (
        f"{len(copied)} external link(s) of {source.name} were replaced in {target.name} by a copy of the data they "
        "point to, so the new file no longer depends on those files (nor follows their later changes):\n  "
        + "\n  ".join(lines)
    )
    return ExternalLinkCopiedWarning(message, copied)


@contextlib.contextmanager
def external_links_kept(nwbfile: Any, source: Path | None, backend: str) -> Iterator[LinksKept]:
    """Within the block, the NWBFile read from ``source`` is ready for an export that keeps its external links.

    When ``backend`` is the source's format, every dataset read from another file of that format is wrapped in an
    ``H5DataIO``/``ZarrDataIO`` with ``link_data=True`` (hdmf writes a link to it), and every container read through
    a link to a group is taken out of its parent (nothing else may hold it; its link is copied after the export).
    Everything is put back on leaving the block, also on failure. Across formats nothing changes: hdmf copies.
    """
    kept = LinksKept(source, backend, source_links(source) if source is not None else [])
    if not kept.links:
        yield kept
        return
    source_format = "zarr" if source.is_dir() else "hdf5"
    changed: list[tuple[Any, str | None, Any]] = []
    detached: list[tuple[dict, list[tuple[str, Any]]]] = []
    try:
        if backend == source_format:
            changed = _link_datasets(nwbfile, backend)
            detached = _detach_linked_containers(nwbfile, kept)
        yield kept
    finally:
        for container, field_name, value in reversed(changed):
            _set_field(container, field_name, value)
        for holder, items in reversed(detached):
            dict.clear(holder)
            for key, value in items:
                dict.__setitem__(holder, key, value)  # no LabelledDict callbacks: parents and objects stay as read


def _link_datasets(nwbfile: Any, backend: str) -> list[tuple[Any, str | None, Any]]:
    """Wrap every dataset of ``nwbfile`` stored in another file than its source with ``link_data=True``."""
    from hdmf.container import Data

    source_file = read_source_file(nwbfile)
    if source_file is None:
        return []
    changed = []
    for container in nwbfile.objects.values():
        names = [None] if isinstance(container, Data) else list(container.fields)
        for field_name in names:
            value = _get_field(container, field_name)
            inner, data_io = unwrap(value)  # hdmf reads compound datasets through a wrapper
            if data_io is not None:
                continue  # already in a DataIO (e.g. configured by the user): written as that says
            elsewhere = stored_file(inner)
            if elsewhere is None or elsewhere == source_file:
                continue
            _set_field(container, field_name, _linking_data_io(inner, backend))
            changed.append((container, field_name, value))
    return changed


def _linking_data_io(data: Any, backend: str) -> Any:
    if backend == "zarr":
        from hdmf_zarr import ZarrDataIO

        return ZarrDataIO(data=data, link_data=True)
    from hdmf.backends.hdf5 import H5DataIO

    return H5DataIO(data=data, link_data=True)


def linked_containers(nwbfile: Any, links: list[SourceLink], source: Path) -> dict[str, Any]:
    """The containers of ``nwbfile`` read through a link of ``links`` to a group, by the link's path."""
    by_id = {}
    tree = open_tree(source, "r")
    try:
        for link in links:
            if link.kind != GROUP:
                continue
            reached = tree.linked(_node_of(link))
            object_id = reached[1].attrs.get("object_id") if reached is not None else None
            if isinstance(object_id, bytes):
                object_id = object_id.decode("utf-8", "replace")
            container = nwbfile.objects.get(object_id) if object_id is not None else None
            if container is not None:
                by_id[link.path] = container
    finally:
        tree.close()
    return by_id


def _node_of(link: SourceLink) -> Node:
    return Node(link.path, EXTERNAL_LINK, link_path=link.object, link_file=link.file)


def _detach_linked_containers(nwbfile: Any, kept: LinksKept) -> list[tuple[dict, list[tuple[str, Any]]]]:
    """Take each container read through a link to a group out of the dict of its parent that holds it (when
    nothing else in the NWBFile holds it or anything in it); return (dict, its items before) to put back."""
    detached = []
    for path, container in linked_containers(nwbfile, kept.links, kept.source).items():
        holder = _holding_dict(container)
        if holder is None:
            kept.reasons[path] = "pynwb holds it where it cannot be taken out for the export"
            continue
        users = _other_holders(nwbfile, container)
        if users:
            verb = "refers" if len(users) == 1 else "refer"
            kept.reasons[path] = f"{', '.join(sorted(users))} {verb} to it, so pynwb writes it where it is held"
            continue
        items = list(dict.items(holder))
        detached.append((holder, items))
        dict.clear(holder)
        for key, value in items:
            if value is not container:
                dict.__setitem__(holder, key, value)
        kept.detached.add(path)
    return detached


def _holding_dict(container: Any) -> dict | None:
    """The dict field of the container's parent that holds it (e.g. ``nwbfile.acquisition``), or None."""
    parent = container.parent
    for value in getattr(parent, "fields", {}).values():
        if isinstance(value, dict) and any(item is container for item in value.values()):
            return value
    return None


def _other_holders(nwbfile: Any, container: Any) -> set[str]:
    """Names of the objects of ``nwbfile`` other than its parent whose fields hold ``container`` or anything in it."""
    inside = {id(container), *(id(child) for child in container.all_children())}
    users = set()
    for other in nwbfile.objects.values():
        if other is container.parent or id(other) in inside:
            continue
        for value in other.fields.values():
            members = (
                value.values() if isinstance(value, dict) else value if isinstance(value, (list, tuple)) else [value]
            )
            if any(id(member) in inside for member in members if not isinstance(member, (str, bytes))):
                users.add(f"{type(other).__name__} '{plain(other.name)}'")
                break
    return users


def linked_container_paths(nwbfile: Any, source: Path) -> set[str]:
    """The source paths of links to groups that pynwb read as containers of ``nwbfile`` (read from ``source``)."""
    return set(linked_containers(nwbfile, source_links(source), source))


__all__ = [
    "DanglingExternalLinkError",
    "ExternalLinkCopiedWarning",
    "LinksKept",
    "SourceLink",
    "copied_links_warning",
    "external_links_kept",
    "link_name",
    "linked_container_paths",
    "source_links",
]
