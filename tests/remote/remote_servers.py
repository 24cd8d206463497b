"""Real servers for the remote-file tests, started in threads by the tests: an HTTP server that honours Range
requests and an S3 API (moto's server mode). Both inject a latency per request and limit the bandwidth, count the
requests and the bytes they serve, and can answer a chosen path with an error status.

Nothing here mocks a client library: the clients (fsspec's HTTP file system, s3fs, boto3) talk to these servers over
real sockets.

>>> import urllib.request, tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "a.bin").write_bytes(bytes(range(10)))
>>> with RangeHTTPServer(folder) as server:
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

#: Bytes written between two checks of the bandwidth limit.
_PIECE = 16 * 1024


@dataclass
class ServerStats:
    """What a server has served since the last :meth:`reset`: requests, body bytes, and one line per request."""

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
        """``pieces`` cut to at most _PIECE bytes each, sent no faster than ``bandwidth`` over all the answers being
        sent at once: each part takes its turn on the one link, and goes once the link has had the time to send it.

        An answer keeps its own schedule on the link: a sleep that wakes late (another thread held the interpreter)
        does not slow the answer's next parts, which were due while it slept; an idle link gives no credit to an
        answer that starts later."""
        due = None  # when this answer's last part is sent, on the link's schedule
        for piece in pieces:
            for start in range(0, len(piece), _PIECE):
                part = piece[start : start + _PIECE]
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
        pass  # a client that gave up (a timeout) breaks the connection; that is the test's point, not an error


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


class _FaultsMiddleware:
    """A WSGI layer in front of moto's application: latency, bandwidth limit, error statuses and counters."""

    def __init__(self, app: Callable, owner: S3Server):
        self.app = app
        self.owner = owner

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        owner = self.owner
        faults = owner.faults
        path = environ.get("PATH_INFO", "")
        owner.stats.count_request(f"{environ.get('REQUEST_METHOD')} {path} {environ.get('HTTP_RANGE', '')}".strip())
        for callback in list(faults.on_request):
            callback(owner.stats.requests)
        if faults.latency:
            time.sleep(faults.latency)
        status = faults.error_for(path)
        if status is not None:
            code = {403: "AccessDenied", 404: "NoSuchKey"}.get(status, "InternalError")
            body = f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code><Message>{code}</Message></Error>'
            start_response(
                f"{status} {http.server.BaseHTTPRequestHandler.responses.get(status, ('',))[0]}",
                [("Content-Type", "application/xml"), ("Content-Length", str(len(body)))],
            )
            return [body.encode()] if environ.get("REQUEST_METHOD") != "HEAD" else []
        result = self.app(environ, start_response)
        try:
            pieces = list(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        return self._counted(faults.paced(pieces))

    def _counted(self, pieces: Iterator[bytes]) -> Iterator[bytes]:
        for piece in pieces:
            self.owner.stats.count_bytes(len(piece))
            yield piece


def _moto_server_class() -> type:
    from moto.server import ThreadedMotoServer
    from werkzeug.serving import WSGIRequestHandler, make_server

    class _QuietHandler(WSGIRequestHandler):
        disable_nagle_algorithm = True  # as in the HTTP server: the paced answers must not wait for delayed ACKs

        def log(self, type: str, message: str, *args: Any) -> None:  # noqa: A002 (werkzeug's name)
            pass  # the stats keep a log; stderr stays quiet

    class _FaultyMotoServer(ThreadedMotoServer):
        def __init__(self, owner: S3Server):
            super().__init__(ip_address="127.0.0.1", port=0, verbose=False)
            self.owner = owner

        def _server_entry(self) -> None:  # moto's own entry, with the faults layer around its application
            from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

            app = _FaultsMiddleware(DomainDispatcherApplication(create_backend_app), self.owner)
            self._server = make_server(self._ip_address, self._port, app, True, request_handler=_QuietHandler)
            self._server.handle_error = lambda request, client_address: None  # a client that gave up (a timeout)
            self._server_ready_event.set()
            self._server.serve_forever()

    return _FaultyMotoServer


class S3Server:
    """moto's S3 API in server mode on 127.0.0.1 (a free port), with :class:`Faults` and :class:`ServerStats`.

    :meth:`client` is a boto3 client of it (to create buckets and upload files); :attr:`storage_options` are the
    s3fs options that reach it.
    """

    def __init__(self) -> None:
        self.faults = Faults()
        self.stats = ServerStats()
        self._moto = _moto_server_class()(self)

    @property
    def endpoint_url(self) -> str:
        host, port = self._moto.get_host_and_port()
        return f"http://{host}:{port}"

    @property
    def storage_options(self) -> dict[str, Any]:
        return {"endpoint_url": self.endpoint_url, "key": "testing", "secret": "testing"}

    def client(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            region_name="us-east-1",
        )

    def upload(self, local: str | os.PathLike, bucket: str, key: str) -> str:
        """Upload a file, or every file of a folder under ``key``; return the ``s3://`` address."""
        client = self.client()
        local = Path(local)
        files = [local] if local.is_file() else sorted(path for path in local.rglob("*") if path.is_file())
        for path in files:
            name = key if path == local else f"{key}/{path.relative_to(local).as_posix()}"
            client.upload_file(str(path), bucket, name)
        return f"s3://{bucket}/{key}"

    def start(self) -> S3Server:
        self._moto.start()
        return self

    def stop(self) -> None:
        self._moto.stop()

    def __enter__(self) -> S3Server:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
