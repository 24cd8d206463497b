"""An HDF5 file or a Zarr folder seen as one tree of nodes: groups, datasets and links (hdmf-zarr's ``zarr_link``).

>>> import tempfile
>>> folder = Path(tempfile.mkdtemp()) / "x.zarr"
>>> root = zarr.open_group(str(folder), mode="w")
>>> _ = root.create_group("a").create_dataset("x", shape=(2,), dtype="i4")
>>> root["a"].attrs["zarr_link"] = [{"source": ".", "path": "/a/x", "name": "y"}]
>>> tree = open_tree(folder, "r")
>>> [(node.path, node.kind, node.link_path) for node in tree.nodes()]
[('a', 'group', None), ('a/x', 'dataset', None), ('a/y', 'soft link', '/a/x')]
"""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import h5py
import zarr

GROUP, DATASET, SOFT_LINK, EXTERNAL_LINK = "group", "dataset", "soft link", "external link"


@dataclass(frozen=True)
class Node:
    """A group, dataset or link of a file, by its path from the root (links are not followed)."""

    path: str
    kind: str
    link_path: str | None = None  # a link: the path it points to
    link_file: str | None = None  # an external link: the file it names


def parent_of(path: str) -> str:
    """The path of the group holding ``path`` ("" for the root)."""
    return posixpath.dirname(path)


def depth_first(node: Node) -> list[str]:
    """Sort key: a group, then everything under it, then its next sibling."""
    return node.path.split("/")


def under(path: str, prefix: str) -> bool:
    """Whether ``path`` is ``prefix`` or lies under it."""
    return path == prefix or path.startswith(prefix + "/")


class HDF5Tree:
    """An HDF5 file seen as nodes; ``file`` stays open while the tree is used."""

    backend = "hdf5"

    def __init__(self, path: Path, mode: str):
        self.location = path
        self.file = h5py.File(path, mode)

    def close(self) -> None:
        self.file.close()

    def nodes(self) -> list[Node]:
        found: list[Node] = []

        def visit(name: str, link: Any) -> None:
            found.append(self._as_node(name, link))

        self.file.visititems_links(visit)
        return sorted(found, key=depth_first)

    def node(self, path: str) -> Node | None:
        try:
            link = self.file.get(path, getlink=True)
        except (KeyError, ValueError, RuntimeError):
            return None  # a path through a missing or dangling link
        return None if link is None else self._as_node(path, link)

    def _as_node(self, path: str, link: Any) -> Node:
        if isinstance(link, h5py.SoftLink):
            return Node(path, SOFT_LINK, link_path=link.path)
        if isinstance(link, h5py.ExternalLink):
            return Node(path, EXTERNAL_LINK, link_path=link.path, link_file=link.filename)
        kind = GROUP if isinstance(self.file.get(path), h5py.Group) else DATASET
        return Node(path, kind)

    def obj(self, path: str) -> Any:
        return self.file[path] if path else self.file

    def attrs(self, path: str) -> Any:
        return self.obj(path).attrs

    def linked(self, node: Node) -> tuple[Path, Any] | None:
        """(the file, the object) an external link reaches, as HDF5 finds them; None when either is missing.

        HDF5 looks for a relative file name in the folder of the file holding the link, then in the working
        directory; an absolute name that does not exist is looked for by its base name in those places
        (H5Lcreate_external; checked with h5py 3.16 / HDF5 2.0). Following the link lets HDF5 do that search.
        """
        try:
            found = self.file[node.path]
        except (KeyError, OSError, ValueError, RuntimeError):
            return None
        return Path(os.path.realpath(found.file.filename)), found

    def set_external_link(self, path: str, file: str, target: str) -> None:
        """Make ``path`` an external link to ``target`` in ``file`` (replacing what is there)."""
        parent, name = self.obj(parent_of(path)), posixpath.basename(path)
        if name in parent or parent.get(name, getlink=True) is not None:
            del parent[name]
        parent[name] = h5py.ExternalLink(file, target)


class ZarrTree:
    """A Zarr folder seen as nodes; links are hdmf-zarr's ``zarr_link`` entries of their parent group."""

    backend = "zarr"

    def __init__(self, path: Path, mode: str):
        self.location = path
        self.root = zarr.open(str(path), mode=mode)  # not the consolidated metadata: what is really in the folder
        self.changed = False

    def close(self) -> None:
        if self.changed and (self.location / ".zmetadata").exists():
            zarr.consolidate_metadata(str(self.location))  # hdmf-zarr reads through the consolidated metadata

    def nodes(self) -> list[Node]:
        found: list[Node] = []
        groups = [("", self.root)]

        def visit(name: str, item: Any) -> None:
            if isinstance(item, zarr.Group):
                found.append(Node(name, GROUP))
                groups.append((name, item))
            else:
                found.append(Node(name, DATASET))

        self.root.visititems(visit)
        for name, group in groups:
            found.extend(self._link_node(posixpath.join(name, entry["name"]), entry) for entry in zarr_links(group))
        return sorted(found, key=depth_first)

    def node(self, path: str) -> Node | None:
        parent = self.group(parent_of(path))
        if parent is None:
            return None
        name = posixpath.basename(path)
        if name in parent:
            return Node(path, GROUP if isinstance(parent[name], zarr.Group) else DATASET)
        for entry in zarr_links(parent):
            if entry.get("name") == name:
                return self._link_node(path, entry)
        return None

    def group(self, path: str) -> Any:
        if not path:
            return self.root
        try:
            item = self.root[path]
        except KeyError:
            return None
        return item if isinstance(item, zarr.Group) else None

    @staticmethod
    def _link_node(path: str, entry: dict) -> Node:
        source = entry.get("source")
        target = str(entry.get("path") or "/")
        if source in (".", None):
            return Node(path, SOFT_LINK, link_path=target)
        return Node(path, EXTERNAL_LINK, link_path=target, link_file=str(source))

    def obj(self, path: str) -> Any:
        return self.root[path] if path else self.root

    def attrs(self, path: str) -> Any:
        return self.obj(path).attrs

    def linked(self, node: Node) -> tuple[Path, Any] | None:
        """(the Zarr folder, the object) an external link reaches; None when either is missing.

        hdmf-zarr joins the link's ``source`` to the Zarr folder holding the link and normalises it
        (``ZarrIO.resolve_ref``).
        """
        folder = Path(os.path.normpath(os.path.join(os.path.abspath(self.location), str(node.link_file))))
        if not folder.is_dir():
            return None
        try:
            root = zarr.open(str(folder), mode="r")
            inside = str(node.link_path or "/").strip("/")
            return folder, (root[inside] if inside else root)
        except (KeyError, ValueError, OSError, zarr.errors.PathNotFoundError, zarr.errors.FSPathExistNotDir):
            return None

    def set_external_link(self, path: str, file: str, target: str) -> None:
        """Make ``path`` a ``zarr_link`` entry to ``target`` in the Zarr folder ``file`` (replacing an entry there)."""
        parent, name = self.obj(parent_of(path)), posixpath.basename(path)
        entries = [dict(entry) if isinstance(entry, dict) else entry for entry in parent.attrs.get("zarr_link", [])]
        for entry in entries:
            if isinstance(entry, dict) and entry.get("name") == name:
                entry.update(source=file, path=target)  # its other keys (if any) and its place are kept
                break
        else:
            entries.append({"source": file, "path": target, "name": name})
        parent.attrs["zarr_link"] = entries
        self.changed = True


def zarr_links(group: Any) -> list[dict]:
    """The ``zarr_link`` entries of a Zarr group (hdmf-zarr's links: ``{"name", "source", "path"}``)."""
    links = group.attrs.get("zarr_link", [])
    return [entry for entry in links if isinstance(entry, dict) and "name" in entry]


def open_tree(path: Path, mode: str) -> HDF5Tree | ZarrTree:
    """The tree of the HDF5 file or Zarr folder at ``path``; ``close()`` it when done."""
    from .remote import is_remote, open_remote_tree

    if is_remote(path):  # an https:// or s3:// address, read where it lives
        return open_remote_tree(path, mode)
    return ZarrTree(path, mode) if path.is_dir() else HDF5Tree(path, mode)
