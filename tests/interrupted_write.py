"""A real write that stops at a chosen point and waits there for the test to send SIGINT (run as a script).

``python interrupted_write.py BACKEND METHOD N_JOBS POINT`` writes the 16 MB ``session`` of test_cancel_and_progress
to ``out.nwb`` (or ``out.nwb.zarr``) in the current folder (``Zstd19``: Zstd at level 19, slow enough that the worker
processes are still compressing when the signal comes). At ``POINT`` it prints ``AT <point>`` and waits for a line
on stdin: the test sends SIGINT first, then that line, so the signal is certain to arrive while the write is held
there (whether Python raises it in the wait or the writer holds it back). No sleep decides anything.

``POINT`` is one of:

- ``progress:N``: in the progress callback of the N-th buffer of acquisition/raw/data (the buffer was just read;
  from the second one on, the chunks of the previous buffer are being compressed meanwhile);
- ``weakref:N``: in a weakref callback that the N-th buffer's progress callback sets off (Python runs such callbacks,
  and finalizers, all through a write; an exception raised there is printed and dropped);
- ``module:function:N``: on the N-th call of that function of the package (a ``sys.settrace`` hook sees the call;
  the package's code is unchanged): e.g. ``parallel_hdf5:store:2`` (waiting for compressed chunks),
  ``atomic:_move_into_place:1`` (the rename), ``atomic:_sync_after_rename:1`` (just after it).

It prints ``FINISHED`` after a write that returned, or ``INTERRUPTED <message>`` after a ``KeyboardInterrupt``; then
writes the same NWBFile again (``again.nwb``/``again.nwb.zarr``, nothing held) to show that it was left usable, prints
``WRITTEN AGAIN`` and exits with 130 after an interrupt (as a shell reports Ctrl-C), 0 otherwise.
:func:`interrupt_held_write` runs it for a test.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import weakref
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


@dataclass
class Outcome:
    """What the held write did once the test had sent SIGINT."""

    returncode: int
    stdout: str
    stderr: str
    files: list[str]  # what the folder held afterwards
    group_left: list[str]  # processes of the write's process group still running (its workers)


def sigint_as_in_a_terminal() -> None:
    """For ``preexec_fn``: the child starts with SIGINT's default action, so its Python installs its own Ctrl-C handler
    as in a terminal, whatever the test suite inherited (a suite started in the background of a script, with ``&`` or
    ``nohup``, has SIGINT ignored, and a child would inherit that: Python then leaves SIGINT ignored, as it should)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def interrupt_held_write(
    folder: Path, backend: str, method: str, n_jobs: int, point: str, whole_group: bool = False
) -> Outcome:
    """Run the write in ``folder``, wait until it is held at ``point``, send SIGINT (to the whole process group with
    ``whole_group``, as a terminal does), then let it go on."""
    process = subprocess.Popen(
        [sys.executable, __file__, backend, method, str(n_jobs), point],
        cwd=folder,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=sigint_as_in_a_terminal,
    )
    try:
        held = process.stdout.readline()
        if held.strip() != f"AT {point}":
            process.kill()
            rest, errors = process.communicate(timeout=60)
            raise AssertionError(f"the write was not held at {point}: {held + rest!r}\n{errors}")
        if whole_group:
            os.killpg(process.pid, signal.SIGINT)
        else:
            os.kill(process.pid, signal.SIGINT)
        process.stdin.write("go on\n")
        process.stdin.flush()
        stdout, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    left = subprocess.run(["pgrep", "-g", str(process.pid)], capture_output=True, text=True).stdout.split()
    return Outcome(process.returncode, stdout, stderr, sorted(os.listdir(folder)), left)


def wait_for_the_test(point: str) -> None:
    print(f"AT {point}", flush=True)
    sys.stdin.readline()


def held_call(module: str, function: str, occurrence: int, point: str) -> None:
    """Wait for the test on the ``occurrence``-th call of ``nwbconfig_widget.io.<module>.<function>``."""
    calls = 0

    def tracer(frame, event, arg):
        nonlocal calls
        if event == "call" and frame.f_code.co_name == function and frame.f_globals["__name__"] == module:
            calls += 1
            if calls == occurrence:
                sys.settrace(None)
                wait_for_the_test(point)
        return None

    sys.settrace(tracer)


def main(backend: str, method: str, n_jobs: int, point: str) -> int:
    from test_cancel_and_progress import session

    from nwbconfig_widget import configure_and_write_nwbfile
    from nwbconfig_widget.io import parallel_hdf5

    parallel_hdf5.PROCESS_MAX_SPEED, parallel_hdf5.PROCESS_MIN_SECONDS = float("inf"), 0.0  # workers for Zstd too
    parallel_hdf5.THREAD_FILTERS = parallel_hdf5.ZLIB_FILTERS  # (Zstd is otherwise encoded in threads)
    nwbfile, configuration = session(backend, method.removesuffix("19"))
    if method == "Zstd19":  # a slow level: the workers are still compressing when the test's signal comes
        configuration.apply_global_compression("Zstd")
        configuration.dataset_configurations["acquisition/raw/data"].compression_options = {"clevel": 19}
    kind, _, where = point.partition(":")
    buffers = 0

    def progress(location: str, nbytes: int) -> None:
        nonlocal buffers
        if location != "acquisition/raw/data":
            return
        buffers += 1
        if kind == "progress" and buffers == int(where):
            wait_for_the_test(point)
        if kind == "weakref" and buffers == int(where):

            class Token:
                pass

            token = Token()
            reference = weakref.ref(token, lambda _reference: wait_for_the_test(point))
            del token  # the callback runs here, inside the write
            assert reference() is None

    if kind not in ("progress", "weakref"):
        module, function, occurrence = point.split(":")
        held_call(f"nwbconfig_widget.io.{module}", function, int(occurrence), point)
    suffix = ".nwb" if backend == "hdf5" else ".nwb.zarr"
    write = dict(backend_configuration=configuration, n_jobs=n_jobs)
    try:
        configure_and_write_nwbfile(nwbfile, "out" + suffix, progress=progress, **write)
        print("FINISHED", flush=True)
        interrupted = False
    except KeyboardInterrupt as exc:
        sys.settrace(None)
        print(f"INTERRUPTED {exc}", flush=True)
        interrupted = True
    configuration.apply_global_compression("gzip")  # quicker than Zstd level 19
    configure_and_write_nwbfile(nwbfile, "again" + suffix, **write)
    print("WRITTEN AGAIN", flush=True)
    return 130 if interrupted else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]))
