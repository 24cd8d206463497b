"""The configurator widget's Apply: writing (or repacking) in a worker thread, with progress and a result report.

The write runs on a snapshot of the configuration, so edits made meanwhile cannot change a file half-way. Progress
is reported at most every ``interval`` seconds; the result reads the written file back to give the actual size and
compression ratio of every dataset.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from .._sizes import format_bytes, size_on_disk
from ..models import BackendConfiguration


def _stored_bytes(source: Any) -> int | None:
    if hasattr(source, "id") and hasattr(source.id, "get_storage_size"):  # h5py.Dataset
        return int(source.id.get_storage_size())
    if hasattr(source, "nbytes_stored"):  # zarr.Array (includes its small metadata document)
        return int(source.nbytes_stored)
    return None


def _ratio_text(ratio: float | None) -> str:
    return "—" if ratio is None else f"{ratio:.2f}×"


def read_back(path: str | os.PathLike, configuration: BackendConfiguration) -> dict[str, Any]:
    """Size of the written file and, per configured dataset, the bytes stored and the actual compression ratio."""
    from ..discovery import iter_dataset_candidates
    from ..io.repack import open_nwbfile

    size = size_on_disk(path)
    datasets, note = [], ""
    try:
        with open_nwbfile(path) as io:
            nwbfile = io.read()
            sources = {candidate.location_in_file: candidate.source for candidate in iter_dataset_candidates(nwbfile)}
            for item in configuration:
                stored = _stored_bytes(sources.get(item.location_in_file))
                ratio = item.full_size_bytes / stored if stored else None
                datasets.append(
                    {
                        "location": item.location_in_file,
                        "uncompressed": format_bytes(item.full_size_bytes),
                        "stored": format_bytes(stored) if stored is not None else "—",
                        "stored_bytes": stored,
                        "ratio": ratio,
                        "ratio_text": _ratio_text(ratio),
                    }
                )
    except Exception as error:  # the file is written; only the report is incomplete
        note = f"Could not read the written file back for compression ratios: {type(error).__name__}: {error}"
    datasets.sort(key=lambda entry: -(entry["stored_bytes"] or 0))
    stored_total = sum(entry["stored_bytes"] or 0 for entry in datasets)
    uncompressed_total = configuration.total_uncompressed_bytes
    return {
        "path": str(Path(path).resolve()),
        "size": format_bytes(size),
        "size_bytes": size,
        "datasets": datasets,
        "overall_ratio_text": _ratio_text(uncompressed_total / stored_total if stored_total else None),
        "note": note,
    }


class ProgressReporter:
    """Adds up the bytes read per dataset and reports at most every ``interval`` seconds (and at the end)."""

    def __init__(self, total_bytes: int, report: Callable[[dict[str, Any]], None], interval: float = 0.1):
        self.total_bytes, self.report, self.interval = max(int(total_bytes), 0), report, interval
        self.done_bytes, self.current, self._last = 0, "", 0.0
        self._started = time.monotonic()
        self._lock = threading.Lock()

    def snapshot(self) -> dict[str, Any]:
        """The figures the progress bar shows, with the whole seconds since the write started."""
        fraction = min(1.0, self.done_bytes / self.total_bytes) if self.total_bytes else 0.0
        elapsed = int(time.monotonic() - self._started)
        return {
            "bytes_done": self.done_bytes,
            "bytes_total": self.total_bytes,
            "fraction": fraction,
            "text": f"{format_bytes(min(self.done_bytes, self.total_bytes))} of {format_bytes(self.total_bytes)}",
            "percent_text": f"{fraction * 100:.0f}%",
            "current": self.current,
            "elapsed_s": elapsed,
            "elapsed_text": f"{elapsed // 60} min {elapsed % 60:02d} s" if elapsed >= 60 else f"{elapsed} s",
        }

    def __call__(self, location_in_file: str, bytes_read: int) -> None:
        with self._lock:
            self.done_bytes += int(bytes_read)
            self.current = location_in_file
            now = time.monotonic()
            if now - self._last < self.interval:
                return
            self._last = now
        self.report(self.snapshot())

    def finish(self) -> None:
        """Report the final figures."""
        self.report(self.snapshot())


#: Seconds between two progress reports while a write shows no progress of its own (a long chunk, the final flush,
#: reading the file back): the view takes a long silence for a kernel that is gone.
HEARTBEAT_S = 2.0


class WriteJob:
    """One Apply: ``write(progress, cancel)`` runs in a daemon thread (made by ``make_thread(target, name)`` when
    given), then ``on_done`` or ``on_error``.

    Setting ``cancel_event`` stops the write at the next buffer or chunk (``WriteCancelled``), leaving nothing behind.
    While it runs, progress is also reported every ``heartbeat`` seconds (with the time elapsed), so that the view
    can tell a write that goes on from a kernel that went away.
    """

    def __init__(
        self,
        write: Callable[[ProgressReporter, threading.Event], Path],
        configuration: BackendConfiguration,
        on_progress: Callable[[dict[str, Any]], None],
        on_done: Callable[[dict[str, Any]], None],
        on_error: Callable[[dict[str, Any], BaseException], None],
        make_thread: Callable[..., threading.Thread] | None = None,
        heartbeat: float = HEARTBEAT_S,
    ):
        self.write, self.configuration, self.heartbeat = write, configuration, heartbeat
        self.on_progress, self.on_done, self.on_error = on_progress, on_done, on_error
        self.cancel_event = threading.Event()
        if make_thread is None:
            self.thread = threading.Thread(target=self._run, name="nwbconfig-widget-apply", daemon=True)
        else:  # e.g. KernelHandoff.thread: joining it also applies the results handed to the kernel's thread
            self.thread = make_thread(self._run, "nwbconfig-widget-apply")

    def start(self) -> None:
        """Start writing in the background."""
        self.thread.start()

    def _run(self) -> None:
        reporter = ProgressReporter(self.configuration.total_uncompressed_bytes, self.on_progress)
        started = time.perf_counter()
        try:
            with self._heartbeat(reporter):
                path = self.write(reporter, self.cancel_event)
                reporter.finish()
                seconds = time.perf_counter() - started
                result = read_back(path, self.configuration)
            result["seconds"] = seconds
            result["time"] = f"{seconds:.1f} s" if seconds >= 1 else f"{seconds * 1000:.0f} ms"
        except Exception as error:
            self.on_error(error_info(error), error)
            return
        self.on_done(result)

    @contextlib.contextmanager
    def _heartbeat(self, reporter: ProgressReporter) -> Iterator[None]:
        """Report the progress every ``heartbeat`` seconds while the block runs; none after it (nor after the result
        or the error that follows it)."""
        finished = threading.Event()

        def beat() -> None:
            while not finished.wait(self.heartbeat):
                self.on_progress(reporter.snapshot())

        beating = threading.Thread(target=beat, name="nwbconfig-widget-heartbeat", daemon=True)
        beating.start()
        try:
            yield
        finally:
            finished.set()
            beating.join()


def error_info(error: BaseException) -> dict[str, str]:
    """What the widget shows of an exception: its type, message and full traceback."""
    return {
        "type": type(error).__name__,
        "message": str(error) or type(error).__name__,
        "traceback": "".join(traceback.format_exception(type(error), error, error.__traceback__)),
    }
