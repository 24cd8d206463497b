"""NWB files where they live: an ``https://`` URL of an HDF5 file, an ``s3://`` path, or a remote Zarr store, read
without downloading them.

HDF5 files are read by h5py through an fsspec file object (fsspec's HTTP file system, or s3fs): only the byte ranges
HDF5 asks for are fetched, a block at a time, and kept in a cache of blocks. Zarr stores are read by hdmf-zarr through
zarr's fsspec store: one request per metadata document (one in all when the metadata are consolidated) and per chunk.
Every request is counted where the client sends it (aiohttp's request tracing for HTTP, botocore's events for S3),
so ``RemoteSource.fetched`` says what a read cost in bytes and requests.

The S3 endpoint and credentials come from ``storage_options`` (s3fs's arguments: ``endpoint_url``, ``key``,
``secret``, ``anon``...) or, as s3fs and botocore read them, from the environment (``AWS_ENDPOINT_URL``,
``AWS_ACCESS_KEY_ID``...) and fsspec's configuration (``fsspec.config.conf["s3"]``, ``FSSPEC_S3_*`` variables).

The libraries are those of the ``remote`` extra (``pip install "nwbconfig_widget[remote]"``); without them the package
works for local files and a remote address gives an error naming the extra.

>>> is_remote("https://dandiarchive.s3.amazonaws.com/blobs/abc"), is_remote("s3://bucket/file.nwb")
(True, True)
>>> is_remote("session.nwb"), is_remote(RemoteLocation("s3://bucket/session.nwb"))
(False, True)
>>> RemoteLocation("s3://bucket/data/session.nwb").name
'session.nwb'
>>> str(FetchCounter(requests=3, bytes=2_500_000))
'fetched 2.50 MB in 3 requests'
"""

from __future__ import annotations

import contextlib
import contextvars
import gc
import os
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, NamedTuple
from urllib.parse import unquote, urlsplit

from .remote_caches import BLOCK_CACHE, RECENT_OBJECTS_BYTES, keeping_recent_objects, register_block_cache
from .remote_errors import (
    TIMEOUT_VARIABLE,
    RemoteExtraMissingError,
    RemoteReadError,
    _StatusError,
    explain,
)

__all__ = [
    "BLOCK_CACHE",
    "DEFAULT_BLOCK_SIZE",
    "DEFAULT_TIMEOUT",
    "RECENT_OBJECTS_BYTES",
    "TIMEOUT_VARIABLE",
    "FetchCounter",
    "RemoteExtraMissingError",
    "RemoteLocation",
    "RemoteNWBFile",
    "RemoteReadError",
    "RemoteSource",
    "as_location",
    "explain",
    "is_remote",
    "open_remote",
    "open_remote_nwbfile",
    "open_remote_tree",
    "recording_sources",
    "remote_address",
]

#: The address schemes read remotely.
REMOTE_SCHEMES = ("http", "https", "s3")

#: Bytes per request of an HDF5 file's reads (fsspec's block size): small, because HDF5's metadata is scattered
#: through the file in pieces of a few KB; a larger read (a chunk) is fetched as one request of the blocks it spans.
DEFAULT_BLOCK_SIZE = 64 * 1024

#: Seconds a server may take to accept a connection or to send the next bytes before the read fails; the
#: environment variable ``NWBCONFIG_REMOTE_TIMEOUT`` (seconds) changes it for every read that does not give its own.
DEFAULT_TIMEOUT = 30.0

_EXTRA = "pip install 'nwbconfig_widget[remote]'"


def is_remote(path: Any) -> bool:
    """Whether ``path`` is the address of a remote file (``http://``, ``https://`` or ``s3://``)."""
    if not isinstance(path, str):
        return False
    scheme, separator, _ = path.partition("://")
    return bool(separator) and scheme.lower() in REMOTE_SCHEMES


def remote_address(store: Any) -> str | None:
    """The address (``s3://bucket/key``, ``https://...``) of a zarr fsspec store of a remote file system, else None."""
    fs, path = getattr(store, "fs", None), getattr(store, "path", None)
    if fs is None or not isinstance(path, str):
        return None
    protocols = (fs.protocol,) if isinstance(fs.protocol, str) else tuple(fs.protocol)
    if not any(protocol in REMOTE_SCHEMES for protocol in protocols):
        return None
    return fs.unstrip_protocol(path).rstrip("/")


class RemoteLocation(str):
    """The address of a remote NWB file, with the few parts of ``pathlib.Path`` a local path's callers use: ``name``
    (the last part), ``parent``, ``with_name`` (a local file of that name, e.g. the default repack target),
    ``resolve`` and ``is_dir`` (whether it is a Zarr store).

    It carries the ``storage_options`` to read it with, wherever it is passed as a path: for example
    ``repack_nwbfile(RemoteLocation("s3://bucket/session.nwb", storage_options={"anon": True}), "copy.nwb")``.

    >>> RemoteLocation("s3://bucket/session.nwb", storage_options={"anon": True}).storage_options
    {'anon': True}
    """

    storage_options: dict[str, Any]

    def __new__(cls, address: str, storage_options: dict[str, Any] | None = None) -> RemoteLocation:
        location = super().__new__(cls, address)
        given = getattr(address, "storage_options", None) if storage_options is None else storage_options
        location.storage_options = dict(given or {})
        return location

    @property
    def name(self) -> str:
        return PurePosixPath(urlsplit(str(self)).path.rstrip("/")).name

    @property
    def parent(self) -> RemoteLocation:
        return RemoteLocation(str(self).rstrip("/").rsplit("/", 1)[0], self.storage_options)

    def with_name(self, name: str) -> Path:
        return Path(name)

    def resolve(self) -> RemoteLocation:
        return self

    def is_dir(self) -> bool:
        if str(self).rstrip("/").lower().endswith(".zarr"):
            return True
        return RemoteSource(str(self), self.storage_options).backend() == "zarr"


def as_location(path: str | os.PathLike) -> Path | RemoteLocation:
    """A remote address as a :class:`RemoteLocation` (keeping its storage options), anything else as a ``Path``."""
    return RemoteLocation(path) if is_remote(path) else Path(path)


def _require(module: str, url: str) -> Any:
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise RemoteExtraMissingError(
            f"reading {url} needs {module}, one of the libraries of nwbconfig_widget's remote extra: {_EXTRA}"
        ) from None


@dataclass
class FetchCounter:
    """Requests sent and body bytes received, counted at the client; thread-safe."""

    requests: int = 0
    bytes: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, requests: int = 0, nbytes: int = 0) -> None:
        with self._lock:
            self.requests += requests
            self.bytes += nbytes

    def copy(self) -> FetchCounter:
        with self._lock:
            return FetchCounter(self.requests, self.bytes)

    @classmethod
    def total(cls, counters: Iterable[FetchCounter]) -> FetchCounter:
        """The sum of several counts (e.g. of every source a repack opened)."""
        copies = [counter.copy() for counter in counters]
        return cls(sum(copy.requests for copy in copies), sum(copy.bytes for copy in copies))

    def since(self, before: FetchCounter) -> FetchCounter:
        """What was fetched after ``before`` (a ``copy()``)."""
        now = self.copy()
        return FetchCounter(now.requests - before.requests, now.bytes - before.bytes)

    def __str__(self) -> str:
        return f"fetched {self.bytes / 1e6:.2f} MB in {self.requests} requests"


class _Identity(NamedTuple):
    """What says a remote file is still the one first read: its ETag, Last-Modified and size (None: not sent)."""

    etag: str | None
    last_modified: str | None
    size: int | None

    def differences(self, other: _Identity) -> list[str]:
        return [
            f"its {label} went from {mine} to {theirs}"
            for label, mine, theirs in zip(("ETag", "Last-Modified", "size"), self, other)
            if mine is not None and theirs is not None and mine != theirs
        ]


def _identity_of(status: int, headers: Any) -> _Identity:
    size = None
    content_range = headers.get("Content-Range") or ""
    length = headers.get("Content-Length") or ""
    if "/" in content_range and content_range.rsplit("/", 1)[1].isdigit():
        size = int(content_range.rsplit("/", 1)[1])
    elif status == 200 and length.isdigit():
        size = int(length)
    return _Identity(headers.get("ETag"), headers.get("Last-Modified"), size)


_recorders: contextvars.ContextVar[list[RemoteSource] | None] = contextvars.ContextVar("remote_sources", default=None)


@contextlib.contextmanager
def recording_sources() -> Iterator[list[RemoteSource]]:
    """The list of the :class:`RemoteSource` objects opened inside the block (in this thread or task), e.g. to say
    what a repack fetched.

    >>> with recording_sources() as sources:
    ...     pass
    >>> sources
    []
    """
    sources: list[RemoteSource] = []
    token = _recorders.set(sources)
    try:
        yield sources
    finally:
        _recorders.reset(token)


def _timeout(given: float | None) -> float:
    if given is not None:
        return float(given)
    text = os.environ.get(TIMEOUT_VARIABLE, "").strip()
    if not text:
        return DEFAULT_TIMEOUT
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{TIMEOUT_VARIABLE}={text!r} is not a number of seconds; set it to e.g. 60") from None
    if not value > 0:
        raise ValueError(f"{TIMEOUT_VARIABLE}={text!r} must be more than 0 seconds; set it to e.g. 60")
    return value


_collection_pauses = 0
_collection_was_enabled = False
_collection_lock = threading.Lock()


@contextlib.contextmanager
def collection_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused while the block runs (nested and concurrent uses count).

    Example:
        >>> import gc
        >>> with collection_paused():
        ...     gc.isenabled()
        False
        >>> gc.isenabled()
        True
    """
    global _collection_pauses, _collection_was_enabled
    with _collection_lock:
        if _collection_pauses == 0:
            _collection_was_enabled = gc.isenabled()
            gc.disable()
        _collection_pauses += 1
    try:
        yield
    finally:
        with _collection_lock:
            _collection_pauses -= 1
            if _collection_pauses == 0 and _collection_was_enabled:
                gc.enable()


class ReadsWithoutCollection:
    """An fsspec file given to h5py, whose reads run with the garbage collector paused.

    h5py holds its global lock while it calls a file object's reads, and fsspec's reads wait for its IO thread. If
    the collector ran on that thread meanwhile and freed an h5py object (an unclosed IO's finalizer, for one), it
    would wait for the lock held by the reading thread: both threads would wait for ever (h5py/h5py#2019; h5py's
    documentation on file-like objects advises pausing the collector). Found by the remote tests, hung in the close
    of a remote file.
    """

    def __init__(self, file: Any):
        self._file = file

    def readinto(self, buffer: Any) -> int:
        with collection_paused():
            return self._file.readinto(buffer)

    def read(self, size: int = -1) -> bytes:
        with collection_paused():
            return self._file.read(size)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._file, name)


class RemoteSource:
    """One remote NWB file being read: its address, the instrumented fsspec file system, what was fetched, and the
    first failure seen by the client (kept because h5py reports a failed read of a file object as its own error)."""

    def __init__(
        self,
        url: str,
        storage_options: dict[str, Any] | None = None,
        timeout: float | None = None,
        block_size: int | None = None,
    ):
        if not is_remote(url):
            raise ValueError(f"{url} is not a remote address; give an http://, https:// or s3:// one")
        self.url = str(url)
        self.protocol = "s3" if self.url.lower().startswith("s3://") else "http"
        self.user_options = dict(storage_options or {})
        self.timeout = _timeout(timeout)
        self.block_size = DEFAULT_BLOCK_SIZE if block_size is None else int(block_size)
        self.fetched = FetchCounter()
        self.failure: RemoteReadError | None = None
        self._identity: _Identity | None = None
        self._watched: str | None = None  # the address whose identity is checked (an HDF5 file's)
        self._file: Any = None
        self._info: dict[str, Any] | None = None
        #: The last 401, 403 or 5xx answer: zarr reports a refused key as a missing one.
        self._refused_status: int | None = None
        #: The last request that got no answer (a timeout, a refused connection).
        # A failed request, explained (kept fresh: see RemoteReadError.fresh), or None.
        self._request_failure: RemoteReadError | None = None
        _require("fsspec", self.url)
        if self.protocol == "s3":
            _require("s3fs", self.url)
        else:
            _require("aiohttp", self.url)
        self.storage_options = self._instrumented_options()
        self.fs = self._filesystem()
        recorder = _recorders.get()
        if recorder is not None:
            recorder.append(self)

    # -------------------------------------------------------------------------------------------- instrumentation

    def _instrumented_options(self) -> dict[str, Any]:
        options = dict(self.user_options)
        if self.protocol == "http":
            import aiohttp

            client = dict(options.get("client_kwargs") or {})
            client["trace_configs"] = [*client.get("trace_configs", ()), self._trace_config()]
            client.setdefault(
                "timeout", aiohttp.ClientTimeout(total=None, sock_connect=self.timeout, sock_read=self.timeout)
            )
            options["client_kwargs"] = client
        else:
            from aiobotocore.session import AioSession

            session = options.get("session") or AioSession()
            session.register("before-send.s3", self._s3_request_sent)
            session.register("after-call.s3", self._s3_call_answered)
            session.register("after-call-error.s3", self._s3_call_failed)
            options["session"] = session
            config = dict(options.get("config_kwargs") or {})
            config.setdefault("connect_timeout", self.timeout)
            config.setdefault("read_timeout", self.timeout)
            config.setdefault("retries", {"max_attempts": 2, "mode": "standard"})  # s3fs retries too
            # s3fs asks an object's size (a HEAD, and a listing when missing) before each whole-object GET, to split
            # large ones into parallel parts; zarr's documents and chunks are small: one GET each.
            options.setdefault("max_concurrency", 1)
            options["config_kwargs"] = config
        options["skip_instance_cache"] = True
        return options

    def _filesystem(self) -> Any:
        import fsspec

        options = {name: value for name, value in self.storage_options.items() if name != "fs"}
        return keeping_recent_objects(fsspec.get_filesystem_class(self.protocol))(**options)

    def zarr_storage_options(self) -> dict[str, Any]:
        """The storage options that make zarr's fsspec store read through ``fs`` (counted, and keeping recent
        chunks, which the preview reads part by part)."""
        return {"fs": self.fs}

    def _trace_config(self) -> Any:
        import aiohttp

        trace = aiohttp.TraceConfig()

        async def on_request_end(session: Any, context: Any, params: Any) -> None:
            response = params.response
            body = 0
            if params.method != "HEAD" and response.headers.get("Content-Length", "").isdigit():
                body = int(response.headers["Content-Length"])
            self.fetched.add(1, body)
            if response.status in (401, 403) or response.status >= 500:
                self._refused_status = response.status
            if str(params.url) == self._watched:
                self._check_identity(response.status, response.headers)

        async def on_request_exception(session: Any, context: Any, params: Any) -> None:
            self.fetched.add(1, 0)
            self._note_request_failure(params.exception)

        trace.on_request_end.append(on_request_end)

        async def on_request_redirect(session: Any, context: Any, params: Any) -> None:
            self.fetched.add(1, 0)  # the answer that redirected: a request of its own

        trace.on_request_exception.append(on_request_exception)
        trace.on_request_redirect.append(on_request_redirect)
        return trace

    def _s3_request_sent(self, request: Any = None, **_: Any) -> None:
        self.fetched.add(1, 0)

    def _s3_call_answered(self, http_response: Any = None, model: Any = None, **_: Any) -> None:
        if http_response is None or model is None:
            return
        status, headers = http_response.status_code, http_response.headers
        if status in (401, 403) or status >= 500:
            self._refused_status = status
        watched = self._watched is not None and model.name in ("GetObject", "HeadObject")
        if watched and unquote(urlsplit(str(http_response.url)).path).endswith(self._watched):
            seen = {
                "ETag": headers.get("etag"),
                "Content-Range": headers.get("content-range", ""),
                "Content-Length": headers.get("content-length", "") if model.name == "HeadObject" else "",
            }
            self._check_identity(status, seen)
        # Every body received counts, error bodies too (zarr probes keys that do not exist: each 404 brings one).
        length = headers.get("content-length", "")
        if not model.name.startswith("Head") and length.isdigit():
            self.fetched.add(0, int(length))

    def _s3_call_failed(self, exception: BaseException | None = None, **_: Any) -> None:
        if exception is not None:
            self._note_request_failure(exception)

    def _note_request_failure(self, exception: BaseException) -> None:
        # The explanation is kept, not the exception: it is still being raised, through h5py's frames among others.
        explained = explain(exception, self.url, self.timeout)
        if explained is not None:
            self._request_failure = explained.fresh()

    def _check_identity(self, status: int, headers: Any) -> None:
        if status == 412:
            self._fail(self._changed_error(["the server says it is no longer the version first read (HTTP 412)"]))
        if not 200 <= status < 300:
            return
        seen = _identity_of(status, headers)
        if self._identity is None:
            self._identity = seen
            return
        differences = self._identity.differences(seen)
        if differences:
            self._fail(self._changed_error(differences))

    def _changed_error(self, what: list[str]) -> RemoteReadError:
        return RemoteReadError(
            f"{self.url} changed while it was being read ({'; '.join(what)}); nothing was written. Read it again once "
            "it is no longer being replaced",
            self.url,
            "changed",
        )

    def _fail(self, error: RemoteReadError) -> None:
        if self.failure is None:
            self.failure = error.fresh()
        raise error

    # ----------------------------------------------------------------------------------------------------- reading

    @property
    def location(self) -> RemoteLocation:
        """The address, with the storage options it was opened with."""
        return RemoteLocation(self.url, self.user_options)

    @property
    def path(self) -> str:
        """The address as the file system names it (``bucket/key`` for S3, the URL for HTTP)."""
        return self.fs._strip_protocol(self.url) if self.protocol == "s3" else self.url

    def backend(self) -> str:
        """'hdf5' or 'zarr': a ``.zarr`` address or a folder (an S3 prefix) is a Zarr store, a file is HDF5."""
        if self.url.rstrip("/").lower().endswith(".zarr"):
            return "zarr"
        with self.explained():
            try:
                info = self._info = self.fs.info(self.path)
            except FileNotFoundError:
                if self.fs.exists(f"{self.path.rstrip('/')}/.zgroup"):
                    return "zarr"
                raise
        return "zarr" if info.get("type") == "directory" else "hdf5"

    def open_file(self, cache_type: str = BLOCK_CACHE) -> Any:
        """The HDF5 file as an fsspec file object (closed by :meth:`close`); reads fail if the file changes.

        ``cache_type`` is fsspec's: the default keeps every block fetched (``BLOCK_CACHE``); a stream
        read once (a repack) is better served by ``"readahead"``, which keeps nothing."""
        register_block_cache()
        with self.explained():
            info = self._info or self.fs.info(self.path)
            self._identity = _Identity(info.get("ETag"), info.get("Last-Modified"), info.get("size"))
            if self.protocol == "http":
                self._watched = info.get("url", self.url)
                # If-Match compares strong ETags only: a weak one (W/"...") would be refused at every request.
                strong = info.get("ETag") and not str(info["ETag"]).startswith("W/")
                headers = {"If-Match": info["ETag"]} if strong else {}
                if not headers and info.get("Last-Modified"):
                    headers = {"If-Unmodified-Since": info["Last-Modified"]}
                self._file = self.fs.open(
                    self.path,
                    "rb",
                    block_size=self.block_size,
                    cache_type=cache_type,
                    size=info.get("size"),
                    headers=headers,
                )
            else:  # s3fs also sends If-Match with the ETag it saw on opening, and raises FileExpired on a change
                self._identity = self._identity._replace(last_modified=None)  # S3 sends it in another format
                self._watched = "/" + self.path.split("/", 1)[1]
                self._file = self.fs.open(self.path, "rb", block_size=self.block_size, cache_type=cache_type)
        return ReadsWithoutCollection(self._file)

    @property
    def file_open(self) -> bool:
        """Whether the HDF5 file object of :meth:`open_file` is open (until :meth:`close`)."""
        return self._file is not None

    def close(self) -> None:
        if self._file is not None:
            cache = getattr(self._file, "cache", None)
            with contextlib.suppress(Exception):
                self._file.close()
            if hasattr(cache, "close"):
                cache.close()
            self._file = None

    @contextlib.contextmanager
    def explained(self, observed_only: bool = False) -> Iterator[None]:
        """Turn what goes wrong inside (a failed request, or a read that failed because of one) into a one-line
        :class:`RemoteReadError` naming the address and what to do.

        ``observed_only=True`` judges only by what the client saw of its own requests, not by the error raised: for
        blocks that also write local files, whose own errors (a folder without permission) must not be mistaken for
        the remote file's."""
        try:
            yield
        except RemoteExtraMissingError:
            raise
        except Exception as exc:
            error = None if self.failure is None else self.failure.fresh()
            if error is None and self._request_failure is not None:
                error = self._request_failure.fresh()
            if error is None and not observed_only:
                error = explain(exc, self.url, self.timeout)
            if (error is None or error.reason == "not found") and self._refused_status is not None:
                # zarr reports a key it was refused as a missing key
                error = explain(_StatusError(self._refused_status), self.url, self.timeout)
            if error is None:
                raise
            if self.failure is None:
                self.failure = error.fresh()
            raise error from exc

    def check(self) -> None:
        """Raise the first failure the client saw, if any (a read whose error h5py or zarr reported otherwise)."""
        if self.failure is not None:
            raise self.failure.fresh()


def open_remote_tree(location: str, mode: str = "r") -> Any:
    """The file tree (``io/file_trees.py``) of the remote NWB file at ``location``, read-only; ``close()`` it."""
    if mode != "r":
        raise ValueError(f"a remote file ({location}) is opened read-only; mode must be 'r', not {mode!r}")
    from .file_trees import HDF5Tree, ZarrTree

    where = RemoteLocation(location)
    source = RemoteSource(str(where), where.storage_options)

    class RemoteHDF5Tree(HDF5Tree):
        def __init__(self) -> None:
            super().__init__(source.open_file(), "r")  # h5py opens the fsspec file object
            self.location = where

        def close(self) -> None:
            try:
                super().close()
            finally:
                source.close()

    class RemoteZarrTree(ZarrTree):
        def __init__(self) -> None:  # ZarrTree's own, with zarr's fsspec store of the counted file system
            import zarr
            from zarr.storage import FSStore

            self.location = where
            self.root = zarr.open(store=FSStore(source.path, fs=source.fs, mode="r"), mode="r")
            self.changed = False

    try:
        with source.explained():
            return RemoteZarrTree() if source.backend() == "zarr" else RemoteHDF5Tree()
    except BaseException:
        source.close()  # a tree that failed to open: its file is closed here, for no one else will
        raise


class RemoteNWBFile(NamedTuple):
    """An NWBFile read from a remote file and the IO it came from; closing (or leaving ``with``) closes both."""

    nwbfile: Any
    io: Any

    @property
    def fetched(self) -> FetchCounter:
        return self.io.remote.fetched

    def close(self) -> None:
        self.io.close()

    def __enter__(self) -> RemoteNWBFile:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _remote_io_classes() -> tuple[type, type]:
    from .readers import NWBHDF5IO, NWBZarrIO

    class RemoteNWBHDF5IO(NWBHDF5IO):
        """pynwb's HDF5 IO over an fsspec file object; ``remote`` is its :class:`RemoteSource`."""

        remote: RemoteSource

        def close(self, close_links: bool = True) -> None:
            try:
                super().close(close_links)
            finally:
                self.remote.close()

    class RemoteNWBZarrIO(NWBZarrIO):
        """hdmf-zarr's IO over zarr's fsspec store; ``remote`` is its :class:`RemoteSource`."""

        remote: RemoteSource

        def is_remote(self) -> bool:
            # Always true here. hdmf-zarr before 0.13 asked whether the open store is an FSStore, which a consolidated
            # store is not, and then resolved references as local paths ("http://host" became "http:/host").
            return True

    return RemoteNWBHDF5IO, RemoteNWBZarrIO


def open_remote(
    url: str,
    mode: str = "r",
    *,
    storage_options: dict[str, Any] | None = None,
    timeout: float | None = None,
    block_size: int | None = None,
    chunk_cache_bytes: int | None = None,
    cache_type: str | None = None,
) -> Any:
    """The IO of the remote NWB file at ``url`` (HDF5 or Zarr, judged by what is there), ready for ``read()``.

    Only reading is possible (``mode="r"``). ``io.remote`` is the :class:`RemoteSource`: ``io.remote.fetched`` counts
    the requests and bytes fetched so far. ``io.close()`` closes the remote file. Failures to reach or read the file
    raise :class:`RemoteReadError`. ``cache_type`` is fsspec's cache of an HDF5 file's blocks (default: every block
    fetched is kept, in a sparse temporary file; ``"readahead"`` keeps none, for a file read once from start to end).
    """
    if mode != "r":
        raise ValueError(f"a remote file ({url}) is opened read-only; mode must be 'r', not {mode!r}")
    source = RemoteSource(url, storage_options=storage_options, timeout=timeout, block_size=block_size)
    hdf5_io_class, zarr_io_class = _remote_io_classes()
    if source.backend() == "zarr":
        with source.explained():
            io = zarr_io_class(path=source.url, mode="r", storage_options=source.zarr_storage_options())
    else:
        import h5py

        from .readers import NotAnNWBFileError

        file_object = source.open_file(cache_type or BLOCK_CACHE)
        try:
            with source.explained():
                try:
                    options = {} if chunk_cache_bytes is None else {"rdcc_nbytes": int(chunk_cache_bytes)}
                    file = h5py.File(file_object, "r", **options)
                except OSError as exc:
                    source.check()
                    raise NotAnNWBFileError(
                        f"{url} is not a readable NWB file: HDF5 cannot open it ({exc}). Give the address of an .nwb "
                        "(HDF5) file or of an .nwb.zarr folder"
                    ) from None
            if file.attrs.get("nwb_version") is None:
                file.close()
                raise NotAnNWBFileError(f"{url} is an HDF5 file but not an NWB file (no nwb_version attribute)")
            io = hdf5_io_class(file=file, mode="r")
        except BaseException:
            source.close()
            raise
    io.remote = source
    return io


def open_remote_nwbfile(
    url: str,
    *,
    storage_options: dict[str, Any] | None = None,
    timeout: float | None = None,
    block_size: int | None = None,
) -> RemoteNWBFile:
    """Read the remote NWB file at ``url`` (``https://``, ``s3://``, HDF5 or Zarr) without downloading it.

    Returns ``(nwbfile, io)``; use it in a ``with`` block, or call ``.close()``, to close the file. ``.fetched``
    says what was fetched so far (requests and bytes, counted by the client). For example::

        with open_remote_nwbfile("s3://bucket/session.nwb", storage_options={"anon": True}) as (nwbfile, io):
            configuration = get_existing_backend_configuration(nwbfile)
            print(io.remote.fetched)  # fetched 0.41 MB in 9 requests
    """
    io = open_remote(url, storage_options=storage_options, timeout=timeout, block_size=block_size)
    try:
        with io.remote.explained():
            nwbfile = io.read()
        io.remote.check()
    except BaseException:
        io.close()
        raise
    return RemoteNWBFile(nwbfile, io)
