"""Real servers for the remote-file tests, started in threads by the tests: the package's Range HTTP server
(:mod:`nwbconfig_widget.local_server`) and an S3 API (moto's server mode) with the same faults and counters. Both
inject a latency per request and limit the bandwidth, count the requests and the bytes they serve, and can answer a
chosen path with an error status.

Nothing here mocks a client library: the clients (fsspec's HTTP file system, s3fs, boto3) talk to these servers over
real sockets.
"""

from __future__ import annotations

import http.server
import os
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from nwbconfig_widget.local_server import Faults, RangeHTTPServer, ServerStats

__all__ = ["Faults", "RangeHTTPServer", "S3Server", "ServerStats"]


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
