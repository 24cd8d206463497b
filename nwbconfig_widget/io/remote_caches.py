"""The caches of remote reads: fsspec's memory-mapped block cache for HDF5 files, with its temporary file closed
with it, and fsspec file systems that keep the whole objects (Zarr chunks and metadata) they read last. Both need
fsspec (the ``remote`` extra), imported when they are first used."""

from __future__ import annotations

import posixpath
import threading
from collections import OrderedDict
from typing import Any

#: The name of the fsspec cache of an HDF5 file's blocks (:func:`register_block_cache`).
BLOCK_CACHE = "nwbconfig-blocks"


def register_block_cache() -> None:
    """Register fsspec's memory-mapped block cache under :data:`BLOCK_CACHE`, with its temporary file closed when the
    cache is (fsspec's own leaves it to the garbage collector, with a ResourceWarning).

    The cache keeps every block fetched, in a sparse temporary file: a block is never fetched twice, and the missing
    blocks of one read are fetched as one request per run of consecutive blocks.
    """
    import mmap
    import tempfile

    from fsspec.caching import MMapCache, caches, register_cache

    if BLOCK_CACHE in caches:
        return

    class KeptBlocksCache(MMapCache):
        name = BLOCK_CACHE

        def _makefile(self) -> Any:
            if self.size == 0:
                return bytearray()
            self._temporary = tempfile.TemporaryFile()  # noqa: SIM115 (closed by close())
            self._temporary.truncate(self.size)  # sparse: only the blocks fetched take room
            return mmap.mmap(self._temporary.fileno(), self.size)

        def close(self) -> None:
            if isinstance(self.cache, mmap.mmap):
                self.cache.close()
            temporary = getattr(self, "_temporary", None)
            if temporary is not None:
                temporary.close()

    register_cache(KeptBlocksCache)


#: Bytes of the whole objects (Zarr chunks and metadata) a remote Zarr store keeps after reading them.
RECENT_OBJECTS_BYTES = 64 * 2**20

_KEEPING_CLASSES: dict[type, type] = {}


def keeping_recent_objects(filesystem_class: type) -> type:
    """``filesystem_class`` (fsspec's HTTP file system, or s3fs's) keeping the whole objects it read last, up to
    :data:`RECENT_OBJECTS_BYTES`, and the names of those it found missing: zarr reads a chunk once per selection, and
    the preview selects a chunk's parts one by one, which would otherwise fetch the chunk once per part; zarr also
    asks several times for metadata documents a group does not have. The file is read as it was when opened."""
    if filesystem_class in _KEEPING_CLASSES:
        return _KEEPING_CLASSES[filesystem_class]

    class KeepingRecentObjects(filesystem_class):
        def __init__(self, *args: Any, **kwargs: Any):
            super().__init__(*args, **kwargs)
            self._recent: OrderedDict[str, bytes] = OrderedDict()
            self._recent_bytes = 0
            self._missing: set[str] = set()
            self._recent_lock = threading.Lock()

        async def _metadata_document_exists(self, path: str) -> bool | None:
            """Whether a zarr metadata document (.zarray, .zgroup, .zattrs...) exists, None for another path.

            zarr asks before it reads one: a GET answers both (the document is kept), where s3fs would send a HEAD
            and, for a missing key, list the prefix too."""
            if not posixpath.basename(path.rstrip("/")).startswith(".z"):
                return None
            try:
                await self._cat_file(path)
            except FileNotFoundError:
                return False
            return True

        async def _exists(self, path: str, **kwargs: Any) -> bool:
            found = await self._metadata_document_exists(path)
            return await super()._exists(path, **kwargs) if found is None else found

        async def _isfile(self, path: str, **kwargs: Any) -> bool:
            found = await self._metadata_document_exists(path)
            return await super()._isfile(path, **kwargs) if found is None else found

        async def _cat_file(self, path: str, start: int | None = None, end: int | None = None, **kwargs: Any):
            if start is not None or end is not None:
                return await super()._cat_file(path, start=start, end=end, **kwargs)
            with self._recent_lock:
                if path in self._recent:
                    self._recent.move_to_end(path)
                    return self._recent[path]
                if path in self._missing:
                    raise FileNotFoundError(path)
            try:
                data = await super()._cat_file(path, **kwargs)
            except FileNotFoundError:
                with self._recent_lock:
                    self._missing.add(path)  # zarr asks again for the documents a group does not have
                raise
            if len(data) <= RECENT_OBJECTS_BYTES // 4:
                with self._recent_lock:
                    if path not in self._recent:
                        self._recent[path] = data
                        self._recent_bytes += len(data)
                    while self._recent_bytes > RECENT_OBJECTS_BYTES:
                        _, dropped = self._recent.popitem(last=False)
                        self._recent_bytes -= len(dropped)
            return data

    KeepingRecentObjects.__name__ = KeepingRecentObjects.__qualname__ = f"KeepingRecent{filesystem_class.__name__}"
    _KEEPING_CLASSES[filesystem_class] = KeepingRecentObjects
    return KeepingRecentObjects
