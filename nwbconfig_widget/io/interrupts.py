"""Ctrl-C (SIGINT) during a write: never lost, and never between "nothing was written" and "the file is complete".

Python's own handler raises ``KeyboardInterrupt`` in whatever the main thread runs next. When that is a finalizer or
a weakref callback (hdmf, h5py and the standard library run many during a write), Python only prints "Exception
ignored in ..." and goes on: the interrupt is lost and the write completes. While a write runs in the main thread
with Python's own handler installed, :class:`Interrupts` puts a handler in its place that records each SIGINT before
raising ``KeyboardInterrupt`` as usual; :meth:`Interrupts.check` (called at every buffer and chunk, and once the new
file is closed) raises it again when the first one was swallowed.

The end of a write is held: from the moment the complete temporary is about to be renamed onto the target
(:meth:`Interrupts.commit`) to the end of the clean-up, a SIGINT is only recorded, so that it cannot leave a
half-moved file or skip the clean-up; it is raised when the block ends, as a ``KeyboardInterrupt`` saying that the
file was written. So an interrupted write either left nothing at the target or says that the file is complete.

In another thread, or under another handler (``signal.SIG_IGN``, an application's own), nothing is changed and every
method only does what the handler in place lets it do.

>>> with Interrupts("out.nwb") as interrupts:
...     interrupts.check()  # no Ctrl-C came: nothing happens
...     interrupts.commit()
>>> interrupts.received
0
"""

from __future__ import annotations

import signal
import threading
from types import FrameType


class Interrupts:
    """Records Ctrl-C during one write (a context manager; see the module's docstring)."""

    def __init__(self, target: object):
        self.target = target
        #: SIGINTs received while the block ran.
        self.received = 0
        self._holding = False
        self._held = 0
        self._previous: object = None

    def start(self) -> None:
        """Put the recording handler in place (main thread, Python's own handler in place only)."""
        main = threading.current_thread() is threading.main_thread()
        if main and signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            self._previous = signal.signal(signal.SIGINT, self._on_sigint)

    def stop(self, raise_held: bool = True) -> None:
        """Put the previous handler back; with ``raise_held`` (the write succeeded), raise a held Ctrl-C."""
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
            self._previous = None
        if self._held and raise_held:
            raise KeyboardInterrupt(
                f"Ctrl-C came once {self.target} was complete (while it was moved into place, or the write cleaned "
                f"up); {self.target} was written completely"
            )

    def __enter__(self) -> Interrupts:
        self.start()
        return self

    def _on_sigint(self, signum: int, frame: FrameType | None) -> None:
        self.received += 1
        if self._holding:
            self._held += 1
            return
        raise KeyboardInterrupt

    def check(self) -> None:
        """Raise ``KeyboardInterrupt`` if Ctrl-C came (also one whose ``KeyboardInterrupt`` Python swallowed)."""
        if self.received:
            raise KeyboardInterrupt

    def hold(self) -> None:
        """From now on a Ctrl-C is only recorded, and raised when the block ends (used for the clean-up)."""
        self._holding = True

    def commit(self) -> None:
        """Called just before the complete file is moved into place: a Ctrl-C that came before raises now (the
        caller still removes the temporary), one that comes later is held (see :meth:`hold`)."""
        self.hold()
        self.check()

    def __exit__(self, exc_type, exc, traceback) -> None:
        self.stop(raise_held=exc_type is None)
