"""Worker processes that encode HDF5 chunks (see ``hdf5_chunks.py``), started as plain scripts.

They are started with ``subprocess`` rather than ``multiprocessing``: no fork of a process whose threads may hold
h5py's lock, and no re-import of the user's main script (which ``spawn`` does, and which breaks scripts without an
``if __name__ == "__main__"`` guard). Each worker encodes one chunk at a time; a thread per worker in this process
feeds it from a shared queue, so busy workers never wait behind slow ones.
"""

from __future__ import annotations

import contextlib
import os
import queue
import subprocess
import sys
import tempfile
import threading
from concurrent.futures import Future
from pathlib import Path

import numpy as np

from . import hdf5_chunks
from .hdf5_chunks import ChunkPipeline

_WORKER_SCRIPT = str(Path(hdf5_chunks.__file__).resolve())
_STOP = object()


class WorkerError(RuntimeError):
    """A chunk worker failed or died."""


class ChunkWorkers:
    """``count`` worker processes; ``submit(pipeline, chunk)`` returns a Future of ``(filter_mask, bytes)``."""

    def __init__(self, count: int):
        self.count = max(1, int(count))
        self._tasks: queue.SimpleQueue = queue.SimpleQueue()
        self._processes: list[subprocess.Popen] = []
        self._stderr: list = []
        self._threads: list[threading.Thread] = []
        self._closed = False
        try:
            for index in range(self.count):
                self._start(index)
        except BaseException:  # e.g. Ctrl-C between two starts: the workers started so far do not outlive it
            self.close(kill=True)
            raise

    def _start(self, index: int) -> None:
        stderr = tempfile.TemporaryFile()  # noqa: SIM115  (kept open for the worker's life, closed in close())
        env = dict(os.environ)
        env.setdefault("OMP_NUM_THREADS", "1")  # one core per worker: the workers are the parallelism
        process = subprocess.Popen(
            [sys.executable, _WORKER_SCRIPT],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            env=env,
            close_fds=True,
        )
        self._processes.append(process)
        self._stderr.append(stderr)
        thread = threading.Thread(
            target=self._feed, args=(process, stderr), name=f"nwbconfig-chunk-feeder-{index}", daemon=True
        )
        self._threads.append(thread)
        thread.start()

    def submit(self, pipeline: ChunkPipeline, chunk: np.ndarray) -> Future:
        if self._closed:
            raise WorkerError("the chunk workers are closed")
        future: Future = Future()
        self._tasks.put((future, pipeline, chunk))  # copied (if not contiguous) only when a worker takes it
        return future

    def _feed(self, process: subprocess.Popen, stderr) -> None:
        while True:
            task = self._tasks.get()
            if task is _STOP:
                return
            future, pipeline, chunk = task
            if not future.set_running_or_notify_cancel():
                continue
            try:
                chunk = np.ascontiguousarray(chunk)
                hdf5_chunks.send(process.stdin, (pipeline.as_tuple(), chunk.shape), memoryview(chunk).cast("B"))
                del chunk, task
                answer = hdf5_chunks.receive(process.stdout)
                if answer is None:
                    raise WorkerError(f"a chunk worker stopped (exit code {process.poll()}){_tail(stderr)}")
                (mask, error), stored = answer
                if error is not None:
                    raise WorkerError(f"HDF5 could not encode a chunk: {error}")
                future.set_result((mask, stored))  # a bytearray: write_direct_chunk takes any buffer
            except BaseException as exc:
                failure = exc if isinstance(exc, WorkerError) else None
                if failure is None:  # e.g. a broken pipe: the worker died
                    failure = WorkerError(f"a chunk worker failed ({exc}; its exit code: {process.poll()})")
                future.set_exception(failure)
                if process.poll() is not None or isinstance(exc, (OSError, ValueError)):
                    self._fail_pending(exc)
                    return

    def _fail_pending(self, exc: BaseException) -> None:
        """A dead worker takes no more tasks; fail the queued ones rather than leave them waiting forever."""
        while True:
            try:
                task = self._tasks.get_nowait()
            except queue.Empty:
                return
            if task is _STOP:
                self._tasks.put(_STOP)
                return
            future = task[0]
            if future.set_running_or_notify_cancel():
                future.set_exception(WorkerError(f"a chunk worker failed before this chunk was encoded: {exc}"))

    def close(self, kill: bool = False) -> None:
        """Stop the workers (queued chunks are dropped) and wait for them to exit; ``kill`` does not wait for the
        chunks being encoded (used when a write is cancelled or failed)."""
        if self._closed:
            return
        self._closed = True
        while True:
            try:
                task = self._tasks.get_nowait()
            except queue.Empty:
                break
            if task is not _STOP:
                task[0].cancel()
        for _ in self._threads:
            self._tasks.put(_STOP)
        for process in self._processes:
            with contextlib.suppress(OSError):
                process.stdin.close()
        try:
            for process in self._processes:
                if kill:
                    process.kill()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        except BaseException:  # e.g. Ctrl-C while a worker finishes its chunk: none is left running
            for process in self._processes:
                with contextlib.suppress(OSError):
                    process.kill()
            for process in self._processes:
                process.wait()  # killed: returns at once
            raise
        for thread in self._threads:
            thread.join(timeout=10)
        for process in self._processes:
            process.stdout.close()
        for stderr in self._stderr:
            stderr.close()

    def __enter__(self) -> ChunkWorkers:
        return self

    def __exit__(self, exc_type, *exc_info) -> None:
        self.close(kill=exc_type is not None)


def _tail(stderr) -> str:
    try:
        stderr.seek(0)
        text = stderr.read()[-2000:].decode("utf-8", "replace").strip()
    except (OSError, ValueError):
        return ""
    return f": {text}" if text else ""
