"""A local HTTP server that serves a folder the way an object store serves files: Range requests, ETags, and the
latency and bandwidth you choose. It shows what a chunk layout costs over a network without one (notebook 2 uses it
to check :func:`~nwbconfig_widget.access_cost`'s predicted read times), and the remote-file tests start it.

Nothing is mocked: clients (fsspec, h5py over fsspec, zarr) talk to it over real sockets on 127.0.0.1.

>>> import urllib.request, tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "a.bin").write_bytes(bytes(range(10)))
>>> with RangeHTTPServer(folder) as server:
...     server.faults.latency = 0.02  # 20 ms before every answer
...     request = urllib.request.Request(server.url("a.bin"), headers={"Range": "bytes=2-4"})
...     with urllib.request.urlopen(request) as response:
...         print(response.status, response.read(), server.stats.requests, server.stats.bytes_sent)
206 b'\\x02\\x03\\x04' 1 3
"""

from __future__ import annotations

import email.utils
import http.server
import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

__all__ = ["Faults", "RangeHTTPServer", "ServerStats"]

#: Bytes written between two checks of the bandwidth limit.
PIECE_BYTES = 16 * 1024


@dataclass
class ServerStats:
    """What a server has served since the last ``reset()``: requests, body bytes, and one line per request."""

    requests: int = 0
    bytes_sent: int = 0
    log: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def count_request(self, line: str) -> None:
        with self._lock:
            self.requests += 1
            self.log.append(line)

    def count_bytes(self, count: int) -> None:
        with self._lock:
            self.bytes_sent += count

    def reset(self) -> None:
        with self._lock:
            self.requests, self.bytes_sent, self.log = 0, 0, []


@dataclass
class Faults:
    """What a server injects: ``latency`` seconds before each answer, ``bandwidth`` bytes/s at most (None: no
    limit; shared by all the answers being sent at once, as one network link is), an error ``status`` for the paths
    starting with a prefix of ``errors``, and ``on_request`` callbacks (called with the number of requests served so
    far, before the answer: e.g. to change a file during a read)."""

    latency: float = 0.0
    bandwidth: float | None = None
    errors: dict[str, int] = field(default_factory=dict)
    on_request: list[Callable[[int], None]] = field(default_factory=list)
    #: HTTP server only: paths answered with a 302 to another path (as an archive's download address redirects).
    redirects: dict[str, str] = field(default_factory=dict)
    _link: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _link_free_at: float = field(default=0.0, repr=False)  # when the link has sent every byte given to it so far

    def reset(self) -> None:
        """No latency, no bandwidth limit, no errors, no redirects, no callbacks."""
        self.latency, self.bandwidth, self.errors, self.on_request, self.redirects = 0.0, None, {}, [], {}

    def error_for(self, path: str) -> int | None:
        return next((status for prefix, status in self.errors.items() if path.startswith(prefix)), None)

    def paced(self, pieces: Iterable[bytes]) -> Iterator[bytes]:
        """``pieces`` cut to at most PIECE_BYTES bytes each, sent no faster than ``bandwidth`` over all the answers
        being sent at once: each part takes its turn on the one link, and goes once the link has had the time to send
        it.

        An answer keeps its own schedule on the link: a sleep that wakes late (another thread held the interpreter)
        does not slow the answer's next parts, which were due while it slept; an idle link gives no credit to an
        answer that starts later."""
        due = None  # when this answer's last part is sent, on the link's schedule
        for piece in pieces:
            for start in range(0, len(piece), PIECE_BYTES):
                part = piece[start : start + PIECE_BYTES]
                bandwidth = self.bandwidth
                if bandwidth:
                    with self._link:
                        begins = max(self._link_free_at, time.monotonic() if due is None else due)
                        due = self._link_free_at = begins + len(part) / bandwidth
                    ahead = due - time.monotonic()
                    if ahead > 0:
                        time.sleep(ahead)
                yield part


class _ServedFolder(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, owner: RangeHTTPServer):
        self.owner = owner
        super().__init__(("127.0.0.1", 0), _RangeHandler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that gave up (a timeout) breaks the connection: not the server's error


def _etag(stat: os.stat_result) -> str:
    return f'"{stat.st_size:x}-{stat.st_mtime_ns:x}"'


class _RangeHandler(http.server.BaseHTTPRequestHandler):
    """GET and HEAD of the files under the served folder, with one byte range (``Range: bytes=a-b``), ETag and
    Last-Modified headers, and ``If-Match`` (412 when the file's ETag differs)."""

    protocol_version = "HTTP/1.1"
    # TCP_NODELAY, as object stores and web servers set it: paced small writes would otherwise wait for the client's
    # delayed acknowledgement (Nagle's algorithm), up to 40 ms each, and the bandwidth limit would not be what it says.
    disable_nagle_algorithm = True
    server: _ServedFolder

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base class's name)
        pass  # the stats keep a log; stderr stays quiet

    def do_HEAD(self) -> None:  # noqa: N802 (http.server's name)
        self._answer(body=False)

    def do_GET(self) -> None:  # noqa: N802
        self._answer(body=True)

    def _answer(self, body: bool) -> None:
        owner = self.server.owner
        faults = owner.faults
        owner.stats.count_request(f"{self.command} {self.path} {self.headers.get('Range', '')}".strip())
        for callback in list(faults.on_request):
            callback(owner.stats.requests)
        if faults.latency:
            time.sleep(faults.latency)
        relative = unquote(urlsplit(self.path).path).lstrip("/")
        status = faults.error_for("/" + relative)
        if status is not None:
            return self._empty(status)
        if "/" + relative in faults.redirects:
            self.send_response(302)
            self.send_header("Location", faults.redirects["/" + relative])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        path = (owner.root / relative).resolve()
        if owner.root.resolve() not in (path, *path.parents) or not path.is_file():
            return self._empty(404)
        stat = path.stat()
        etag = _etag(stat)
        wanted = self.headers.get("If-Match")
        if wanted is not None and wanted.strip() not in ("*", etag):
            return self._empty(412)
        size, start, end = stat.st_size, 0, stat.st_size
        ranged = re.fullmatch(r"bytes=(\d*)-(\d*)", self.headers.get("Range", "").strip())
        if ranged and (ranged[1] or ranged[2]):
            if ranged[1]:
                start = int(ranged[1])
                end = min(int(ranged[2]) + 1, size) if ranged[2] else size
            else:  # the last N bytes
                start = max(size - int(ranged[2]), 0)
            if start >= size:
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{size}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
        self.send_response(206 if ranged else 200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", email.utils.formatdate(stat.st_mtime, usegmt=True))
        if ranged:
            self.send_header("Content-Range", f"bytes {start}-{end - 1}/{size}")
        self.send_header("Content-Length", str(end - start))
        self.end_headers()
        if not body:
            return
        with open(path, "rb") as file:
            file.seek(start)
            data = file.read(end - start)
        for piece in faults.paced([data]):
            owner.stats.count_bytes(len(piece))  # before the client can have it: counts are current once it has
            self.wfile.write(piece)

    def _empty(self, status: int) -> None:
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()


class RangeHTTPServer:
    """A threaded HTTP server of the files under ``root`` on 127.0.0.1 (a free port), honouring Range requests.

    ``faults`` (a :class:`Faults`) and ``stats`` (a :class:`ServerStats`) are live: change them between requests.
    """

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)
        self.faults = Faults()
        self.stats = ServerStats()
        self._server = _ServedFolder(self)
        self._thread = threading.Thread(target=self._server.serve_forever, name="range-http-server", daemon=True)

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    def url(self, relative: str = "") -> str:
        return f"http://127.0.0.1:{self.port}/{relative.lstrip('/')}"

    def start(self) -> RangeHTTPServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def __enter__(self) -> RangeHTTPServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
