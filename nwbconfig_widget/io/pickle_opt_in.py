"""The opt-in to decode Zarr data stored with Python's pickle, held only while it is needed.

hdmf-zarr 0.13 stores object references (the electrodes' ``group`` column, the epochs' ``timeseries``, the icephys
tables) with numcodecs' Pickle codec, and zarr 2.18 pickles the fill value of compound arrays into their metadata.
numcodecs 0.15 refuses to decode pickle unless ``numcodecs.pickles.ALLOW_UNSAFE_PICKLE_DECODE`` is set, because
unpickling can run code from the file. That switch is global to the process, so this module holds it with a count:
it is on while at least one holder (a repack, a widget opened with ``allow_pickle=True``, a CLI command with
``--allow-pickle``) needs it, and back to what it was when the last one lets go.

>>> from numcodecs import pickles
>>> before = pickles.ALLOW_UNSAFE_PICKLE_DECODE
>>> with pickle_decoding(True):
...     pickles.ALLOW_UNSAFE_PICKLE_DECODE
True
>>> pickles.ALLOW_UNSAFE_PICKLE_DECODE == before
True
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

_lock = threading.Lock()
_holders = 0
_before: bool = False

REFUSED = (
    "{what} stores data with Python's pickle (hdmf-zarr writes object references that way); decoding it can run code "
    "from the file. If you trust the file, pass allow_pickle=True (nwbconfig: --allow-pickle)."
)


def hold() -> None:
    """Turn the opt-in on until a matching :func:`release`."""
    from numcodecs import pickles

    global _holders, _before
    with _lock:
        if _holders == 0:
            _before = pickles.ALLOW_UNSAFE_PICKLE_DECODE
            pickles.ALLOW_UNSAFE_PICKLE_DECODE = True
        _holders += 1


def release() -> None:
    """Let go of one :func:`hold`; the last one puts the switch back as it was."""
    from numcodecs import pickles

    global _holders
    with _lock:
        _holders -= 1
        if _holders == 0:
            pickles.ALLOW_UNSAFE_PICKLE_DECODE = _before


def refused_by_pickle_policy(error: BaseException) -> bool:
    """Whether ``error`` (or one it came from, e.g. zarr's MetadataError) is numcodecs refusing to unpickle."""
    from numcodecs.errors import UnsafeDecodeError

    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, UnsafeDecodeError):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


@contextlib.contextmanager
def pickle_decoding(allowed: bool, what: str = "the source") -> Iterator[None]:
    """Hold the opt-in for the block when ``allowed``; a refusal inside becomes a ValueError saying what to do."""
    if allowed:
        hold()
    try:
        yield
    except Exception as exc:
        if refused_by_pickle_policy(exc) and not isinstance(exc, PickleRefusedError):
            raise PickleRefusedError(REFUSED.format(what=what)) from exc
        raise
    finally:
        if allowed:
            release()


class PickleRefusedError(ValueError):
    """A Zarr file needs pickle decoding that was not allowed; the message says how to allow it."""
