"""What goes wrong reading a remote file, in one line that names the address and what to do.

>>> print(explain(PermissionError("Forbidden"), "s3://bucket/session.nwb").reason)
refused
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

#: The environment variable that sets the seconds a remote read waits for an answer (io/remote.py).
TIMEOUT_VARIABLE = "NWBCONFIG_REMOTE_TIMEOUT"


class RemoteReadError(OSError):
    """A remote file that could not be read: the message is one line naming the address and what to do."""

    def __init__(self, message: str, url: str, reason: str):
        super().__init__(message)
        self.url = url
        #: "unreachable", "refused", "not found", "timeout", "changed" or "http error"
        self.reason = reason

    def __str__(self) -> str:
        return str(self.args[0])

    def fresh(self) -> RemoteReadError:
        """A new error with this one's message, address and reason, but none of its traceback or chained errors.

        A failure kept to be raised again is kept as a fresh copy, and raised as another: raised itself, it would
        gather the frames of every place it went through, h5py's among them, and keep their HDF5 objects alive as
        long as it is kept (at the process's exit, HDF5 then freed them after Python had gone, and crashed).

        Example:
            >>> url = "https://host/a.nwb"
            >>> copy = RemoteReadError(f"{url} was not found (HTTP 404)", url, "not found").fresh()
            >>> (str(copy), copy.url, copy.reason, copy.__traceback__)
            ('https://host/a.nwb was not found (HTTP 404)', 'https://host/a.nwb', 'not found', None)
        """
        return RemoteReadError(str(self), self.url, self.reason)


class RemoteExtraMissingError(ImportError):
    """The libraries that read remote files are not installed; the message names the extra to install."""


class _StatusError(Exception):
    """An HTTP status answered to a request whose failure the reading library reported otherwise."""

    def __init__(self, status: int):
        super().__init__(f"HTTP {status}")
        self.status = status


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _status_of(error: BaseException) -> int | None:
    status = getattr(error, "status", None)  # aiohttp.ClientResponseError
    if isinstance(status, int):
        return status
    response = getattr(error, "response", None)  # botocore.exceptions.ClientError
    if isinstance(response, dict):
        code = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        return int(code) if code else None
    return None


def explain(error: BaseException, url: str, timeout: float | None = None) -> RemoteReadError | None:
    """The one-line :class:`RemoteReadError` for a failure to read ``url``, or None for one that is not about
    reaching the file (then the caller's own explanation applies).

    >>> print(explain(FileNotFoundError("x"), "https://example.org/a.nwb"))
    https://example.org/a.nwb was not found (HTTP 404); check the address (a Zarr file's is that of its folder)
    """
    chain = list(_chain(error))
    host = urlsplit(url).netloc or url
    for current in chain:
        if isinstance(current, RemoteReadError):
            return current
    for current in chain:
        name = type(current).__name__
        if name == "FileExpired" or _status_of(current) == 412:
            return RemoteReadError(
                f"{url} changed while it was being read (its ETag is no longer the one first read); nothing was "
                "written. Read it again once it is no longer being replaced",
                url,
                "changed",
            )
    for current in chain:
        name = type(current).__name__
        if isinstance(current, (asyncio.TimeoutError, socket.timeout)) or name in (
            "FSTimeoutError",
            "ServerTimeoutError",
            "ConnectionTimeoutError",
            "SocketTimeoutError",
            "ReadTimeoutError",
            "ConnectTimeoutError",
        ):
            waited = f" within {timeout:g} s" if timeout else ""
            return RemoteReadError(
                f"{url} did not answer{waited}; try again later, or allow a longer wait (timeout=..., or the "
                f"environment variable {TIMEOUT_VARIABLE}=seconds)",
                url,
                "timeout",
            )
    for current in chain:
        name = type(current).__name__
        if name in ("ClientConnectorError", "ClientConnectorDNSError", "EndpointConnectionError") or isinstance(
            current, (ConnectionRefusedError, socket.gaierror)
        ):
            hint = (
                " (for S3, the endpoint comes from storage_options={'endpoint_url': ...} or AWS_ENDPOINT_URL)"
                if url.lower().startswith("s3://")
                else ""
            )
            return RemoteReadError(
                f"cannot reach {host} to read {url}; check the address and the network connection{hint}",
                url,
                "unreachable",
            )
    for current in chain:
        status = _status_of(current)
        if status in (401, 403) or isinstance(current, PermissionError):
            return RemoteReadError(
                f"{url}: access refused (HTTP {status or 403}); check that the file is public, or give credentials "
                "(for S3: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or storage_options={'key': ..., 'secret': ...})",
                url,
                "refused",
            )
    for current in chain:
        status = _status_of(current)
        if status is not None and status >= 400 and status != 404:
            return RemoteReadError(
                f"{url}: the server answered HTTP {status}; try again later, or check the address", url, "http error"
            )
    for current in chain:
        if (
            isinstance(current, FileNotFoundError)
            or _status_of(current) == 404
            or type(current).__name__ in ("GroupNotFoundError", "PathNotFoundError")
        ):
            return RemoteReadError(
                f"{url} was not found (HTTP 404); check the address (a Zarr file's is that of its folder)",
                url,
                "not found",
            )
    return None
