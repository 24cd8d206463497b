"""Handing updates from worker threads to the kernel's thread, the only thread that sets the widget's synced traits.

Workers (Apply, previews, codec comparisons) pass functions to a :class:`KernelHandoff`, which runs each at once on
the kernel's thread, through ``loop.call_soon_threadsafe`` from other threads when it has seen the kernel's running
asyncio loop, and otherwise (plain Python, no running loop) at once on the calling thread under its lock, so updates
keep their order and are done before the worker ends. Workers run in threads made by :meth:`KernelHandoff.thread`:
joining one on the kernel's thread (``job.thread.join()`` in a cell, while the loop cannot run) also runs the updates
it handed over. The design page of the widget says why.

>>> import threading
>>> handoff, seen = KernelHandoff(), []
>>> worker = threading.Thread(target=lambda: handoff(lambda: seen.append("from the worker")))
>>> worker.start(); worker.join()
>>> seen
['from the worker']
"""

from __future__ import annotations

import asyncio
import collections
import threading
import traceback
from collections.abc import Callable

Update = Callable[[], None]


def running_loop() -> asyncio.AbstractEventLoop | None:
    """The asyncio loop running on this thread (a Jupyter kernel's), or None."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


class KernelHandoff:
    """Runs updates on the kernel's thread; see the module's description for the fallback without a running loop.

    ``on_error(error, traceback_text)`` is called (on the kernel's thread) when an update raises, so no failure is lost.
    """

    def __init__(self, on_error: Callable[[BaseException, str], None] | None = None):
        self.on_error = on_error
        self.loop: asyncio.AbstractEventLoop | None = None
        self.thread_id: int | None = None
        self._pending: collections.deque[Update] = collections.deque()
        self._lock = threading.RLock()
        self.capture()

    def capture(self) -> None:
        """Remember the running loop of the calling thread, if any (call it from the kernel's thread)."""
        loop = running_loop()
        if loop is not None:
            self.loop, self.thread_id = loop, threading.get_ident()

    def _loop_usable(self) -> bool:
        loop = self.loop
        return loop is not None and loop.is_running() and not loop.is_closed()

    def __call__(self, update: Update) -> None:
        """Run ``update`` on the kernel's thread (now, or soon on its loop), or under the lock without a loop."""
        if threading.get_ident() == self.thread_id or not self._loop_usable():
            with self._lock:
                while self._pending:  # keep the order: earlier updates first
                    self._run(self._pending.popleft())
                self._run(update)
            return
        with self._lock:
            self._pending.append(update)
        try:
            self.loop.call_soon_threadsafe(self.drain)
        except RuntimeError:  # the loop closed in between: fall back to running here
            self.drain(force=True)

    def drain(self, force: bool = False) -> None:
        """Run the queued updates in order (on the kernel's thread; ``force`` allows another thread)."""
        if not force and self.thread_id is not None and threading.get_ident() != self.thread_id:
            return
        with self._lock:
            while self._pending:
                self._run(self._pending.popleft())

    def thread(self, target: Callable[[], None], name: str) -> threading.Thread:
        """A daemon thread whose ``join()`` on the kernel's thread also runs the updates handed over until then."""
        return _DrainingThread(self, target=target, name=name, daemon=True)

    def _run(self, update: Update) -> None:
        try:
            update()
        except Exception as error:  # never lost: reported through on_error
            if self.on_error is None:
                raise
            self.on_error(error, traceback.format_exc())


class _DrainingThread(threading.Thread):
    def __init__(self, handoff: KernelHandoff, **kwargs: object):
        super().__init__(**kwargs)
        self.handoff = handoff

    def join(self, timeout: float | None = None) -> None:
        super().join(timeout)
        self.handoff.drain()
