"""Progress of a write (a callback, a tqdm bar) and cancelling it.

``progress(location_in_file, nbytes)`` is called as each buffer is read. ``cancel`` is a ``threading.Event`` (or
anything with ``is_set()``) or a callable returning True to stop: the write stops at the next buffer or chunk with
:class:`WriteCancelled`, and nothing is left at the target.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from .configure import ProgressHook
from .interrupts import Interrupts

CancelSignal = Any  # threading.Event-like (is_set()) or a callable returning bool


class WriteCancelled(Exception):
    """The write was cancelled; no file was left at the target."""


def cancel_check(cancel: CancelSignal | None, interrupts: Interrupts | None = None) -> Callable[[], None]:
    """A function that raises :class:`WriteCancelled` once ``cancel`` is set, and ``KeyboardInterrupt`` once
    ``interrupts`` received a Ctrl-C (see :mod:`.interrupts`)."""
    interrupted = interrupts.check if interrupts is not None else (lambda: None)
    if cancel is None:
        return interrupted
    if hasattr(cancel, "is_set"):
        is_set = cancel.is_set
    elif callable(cancel):
        is_set = cancel
    else:
        raise TypeError(f"cancel must be a threading.Event or a callable returning bool, got {cancel!r}")

    def check() -> None:
        interrupted()
        if is_set():
            raise WriteCancelled("the write was cancelled; nothing was written to the target")

    return check


class ProgressBar:
    """A tqdm bar (terminal or notebook) in bytes of the total, showing the current dataset; use as a ProgressHook."""

    def __init__(self, total_bytes: int, description: str = "writing"):
        from tqdm.auto import tqdm

        self._bar = tqdm(
            total=int(total_bytes), unit="B", unit_scale=True, unit_divisor=1000, desc=description, dynamic_ncols=True
        )
        self._current: str | None = None
        self._lock = threading.Lock()

    def __call__(self, location_in_file: str, nbytes: int) -> None:
        with self._lock:
            if location_in_file != self._current:
                self._current = location_in_file
                self._bar.set_postfix_str(location_in_file, refresh=False)
            self._bar.update(int(nbytes))

    def close(self) -> None:
        self._bar.close()


def combine(progress: ProgressHook | None, bar: ProgressBar | None, check: Callable[[], None]) -> ProgressHook:
    """One hook that checks for cancellation, then reports to the bar and to the user's callback."""

    def hook(location_in_file: str, nbytes: int) -> None:
        check()
        if bar is not None:
            bar(location_in_file, nbytes)
        if progress is not None:
            progress(location_in_file, nbytes)

    return hook


def make_bar(enabled: bool, total_bytes: int, description: str) -> ProgressBar | None:
    """A bar when asked for; a clear error if tqdm (a dependency) was removed from the environment."""
    if not enabled:
        return None
    try:
        return ProgressBar(total_bytes, description)
    except ImportError as exc:
        raise ImportError(
            "progress_bar=True needs tqdm, a dependency of nwbconfig_widget that is missing here: pip install tqdm"
        ) from exc
