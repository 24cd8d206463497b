"""Trial encodes of a small sample through a codec pipeline, run in a separate process.

Some compression plugins do not fail cleanly on data they cannot handle: they abort the whole process (Sperr on
integers, SZ3 on uint8, Blosc on variable-length strings were seen to do so), and some encode without an error but
give back other values (hdf5plugin's FciDecomp on chunks of more than three axes): a lossless pipeline's trial reads
the sample back through the filters and compares every value. A trial in a child process turns a crash into a plain
answer, and a crash never reaches the user's kernel. (A plugin that writes past its buffers without crashing at once
can pass a trial: hdf5plugin 7.1's SZ3 on 8- and 16-bit integers does, and :mod:`.codecs` refuses it outright.) A
codec that hangs is killed after
:data:`TRIAL_TIMEOUT_SECONDS` and reported as :class:`TrialTimeout`, so it never hangs the kernel either. The parent
side is :func:`run_trial`; run as a script, this file is the child and imports nothing of the package.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from typing import Any

_MAX_TRIAL_ELEMENTS = 1 << 18
_MAX_TRIAL_AXIS = 64


def trial_shape(shape: list[int] | tuple[int, ...]) -> tuple[int, ...]:
    """The chunk shape to try: each axis at most 64 long, halved further until at most 262,144 elements.

    Few distinct trial shapes keep the cache of answers small: whether a codec can encode a kind of data depends on
    its dtype and number of axes, not on the exact length of each axis.
    """
    trial = [max(1, min(int(length), _MAX_TRIAL_AXIS)) for length in shape]
    while trial and _product(trial) > _MAX_TRIAL_ELEMENTS:
        longest = max(range(len(trial)), key=trial.__getitem__)
        trial[longest] = max(1, trial[longest] // 2)
    return tuple(trial)


def _product(values: list[int]) -> int:
    result = 1
    for value in values:
        result *= value
    return result


# ------------------------------------------------------------------------------------------------- child process side


def _samples(np: Any, dtype: Any, shape: tuple[int, ...]) -> list[Any]:
    """The kinds of data to try: a smooth pattern, varied values of both signs, and for numbers a constant (zeros, as
    in an unused channel); plugins fail on each of them."""
    samples = [_sample(np, dtype, shape, varied=False), _sample(np, dtype, shape, varied=True)]
    if dtype.kind in "iuf" and dtype.names is None:
        samples.append(np.zeros(shape, dtype=dtype))
    return samples


def _sample(np: Any, dtype: Any, shape: tuple[int, ...], varied: bool) -> Any:
    count = _product(list(shape)) if shape else 1
    if dtype.kind == "O":
        return np.array([f"value {index}" for index in range(count)], dtype=object).reshape(shape)
    if dtype.names is not None:
        return np.zeros(shape, dtype=dtype)
    if dtype.kind == "b":
        return (np.arange(count) % 3 == 0).reshape(shape)
    if dtype.kind in "SU":
        return np.array([str(index % 10) for index in range(count)], dtype=dtype).reshape(shape)
    if not varied:
        return (np.arange(count) % 97).astype(dtype).reshape(shape)
    rng = np.random.default_rng(0)
    if dtype.kind in "iu":
        low = 0 if dtype.kind == "u" else max(-1000, int(np.iinfo(dtype).min))
        high = min(1000, int(np.iinfo(dtype).max))
        values = rng.integers(low, high, size=count, endpoint=True)
    else:
        values = rng.normal(0.0, 100.0, size=count)
    return values.astype(dtype).reshape(shape)


def _dtype(np: Any, descr: Any) -> Any:
    if isinstance(descr, list):
        return np.dtype([tuple(field) for field in descr])
    return np.dtype(descr)


def _hdf5_trial(request: dict, folder: str) -> str | None:
    import h5py
    import hdf5plugin  # noqa: F401  (registers the plugin filters)
    import numpy as np

    dtype = _dtype(np, request["dtype"])
    shape = tuple(request["shape"])
    kwargs = dict(request["kwargs"])
    if isinstance(kwargs.get("compression_opts"), list):
        kwargs["compression_opts"] = tuple(kwargs["compression_opts"])
    storage_dtype = h5py.string_dtype() if dtype.kind == "O" else dtype
    path = os.path.join(folder, "trial.h5")
    for sample in _samples(np, dtype, shape):
        try:
            with h5py.File(path, "w") as file:
                # A filter that declines a chunk (filter_mask set) is not an error: HDF5 stores that chunk unfiltered,
                # as it does for any chunk that does not compress. Only failures, crashes and changed values make a
                # pipeline unusable.
                file.create_dataset("trial", data=sample, dtype=storage_dtype, chunks=shape, **kwargs)
            # Read back from the file, with no chunk cache: the values come through the filters' decoding, not from
            # the cache the write filled.
            with h5py.File(path, "r", rdcc_nbytes=0) as file:
                dataset = file["trial"]
                stored = dataset.asstr()[...] if dtype.kind == "O" else dataset[...]
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.remove(path)
        if request.get("lossless") and not _same_values(np, stored, sample):
            return _CHANGED_VALUES
    return None


#: The problem a lossless pipeline that does not give back the values it was given reports.
_CHANGED_VALUES = (
    "it gives back other values than it was given, without an error: the data would be silently corrupted; "
    "choose another codec, or chunks this codec supports"
)


def _same_values(np: Any, stored: Any, sample: Any) -> bool:
    """Whether ``stored`` holds exactly ``sample``'s values (NaN equal to NaN, text compared as text)."""
    stored, sample = np.asarray(stored), np.asarray(sample)
    if stored.shape != sample.shape:
        return False
    if sample.dtype.kind == "O":
        return stored.reshape(-1).tolist() == sample.reshape(-1).tolist()
    if stored.dtype == sample.dtype:  # bit for bit: also NaN payloads, -0.0 and compound padding
        return stored.reshape(-1).tobytes() == sample.reshape(-1).tobytes()
    return bool(np.array_equal(stored, sample, equal_nan=sample.dtype.kind in "fc"))


def _zarr_trial(request: dict) -> str | None:
    import numcodecs
    import numpy as np

    dtype = _dtype(np, request["dtype"])
    for sample in _samples(np, dtype, tuple(request["shape"])):
        _zarr_encode(numcodecs, np, request, dtype, sample)
    return None


def _zarr_encode(numcodecs: Any, np: Any, request: dict, dtype: Any, sample: Any) -> None:
    """Encode and decode ``sample`` in the order zarr uses: for text, the object codec that hdmf-zarr adds comes
    first (zarr puts it before the filters), then the filters, then the compressor."""
    pipeline = [numcodecs.get_codec(config) for config in request["filters"]]
    if dtype.kind == "O":
        pipeline.insert(0, numcodecs.VLenUTF8())
    if request["compressor"] is not None:
        pipeline.append(numcodecs.get_codec(request["compressor"]))
    encoded: Any = sample
    for codec in pipeline:
        encoded = codec.encode(encoded)
    decoded: Any = encoded
    for codec in reversed(pipeline):
        decoded = codec.decode(decoded)
    if dtype.kind == "O":
        values = np.asarray(decoded, dtype=object).reshape(-1).tolist()
        if values != sample.reshape(-1).tolist():
            raise ValueError("the text read back differs from the text written")
    elif np.asarray(decoded).size * np.asarray(decoded).itemsize != sample.nbytes:
        raise ValueError("the pipeline does not give back as many bytes as it was given")
    elif request.get("lossless") and not _same_values(
        np, np.frombuffer(np.ascontiguousarray(decoded).tobytes(), dtype=dtype).reshape(sample.shape), sample
    ):
        raise ValueError(_CHANGED_VALUES)


def _serve(folder: str) -> None:
    """Answer trial requests read from standard input, one JSON line each; HDF5 trials write their file in
    ``folder``, which the parent made and removes once this process has ended, however it ended (a codec that crashes
    the process leaves its file behind)."""
    # Codec libraries print to file descriptor 1 from C; keep it for them and answer on a private copy.
    answers = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    for line in sys.stdin:
        request = json.loads(line)
        try:
            problem = _hdf5_trial(request, folder) if request["backend"] == "hdf5" else _zarr_trial(request)
        except Exception as exc:  # the codec's own error is the answer
            problem = str(exc) or type(exc).__name__
        answers.write(json.dumps({"problem": problem}) + "\n")
        answers.flush()


# ------------------------------------------------------------------------------------------------ parent process side

#: Seconds one trial may take, the start of a new trial process included, before its codec is judged hung: the process
#: (and its process group) is killed and the trial answers :class:`TrialTimeout`. Measured on the 2-core machine: a
#: new process importing numpy, h5py and hdf5plugin and answering a first small trial takes 0.2 s idle and up to
#: 1.0 s with four busy processes competing for the two cores; the slowest trial found (LZMA preset 9 | extreme on the
#: largest trial sample, 262,144 float64 values, encoded twice) 2.0 s idle and 6.0 s loaded. 60 s is ten times that.
TRIAL_TIMEOUT_SECONDS = 60.0


class TrialTimeout(Exception):
    """The trial process gave no answer in :data:`TRIAL_TIMEOUT_SECONDS`: the codec hung, and the process was killed.

    Raised rather than returned, so that a cache of answers never keeps it: the next check of the same pipeline runs a
    new trial (a loaded machine may have been the cause).
    """


class _Worker:
    """The trial process, with a thread that hands its answers over so that they can be awaited with a timeout."""

    def __init__(self) -> None:
        # The folder of the process's trial files, made and removed here: a process that a codec crashed or that was
        # killed cannot clean up after itself.
        self.folder = tempfile.mkdtemp(prefix="nwbconfig-trial-")
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-u", __file__, self.folder],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
                start_new_session=os.name == "posix",  # its own process group: a kill reaches what a codec started too
            )
        except BaseException:
            self._remove_folder()
            raise
        self.answers: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read_answers, name="codec-trial-answers", daemon=True).start()

    def _read_answers(self) -> None:
        with self.process.stdout:
            for line in self.process.stdout:
                self.answers.put(line)
        self.answers.put(None)  # the process closed its output: it ended

    def alive(self) -> bool:
        return self.process.poll() is None

    def ask(self, request: dict, timeout: float) -> str | None:
        """The answer line to ``request``; None if the process ended first. Raises ``queue.Empty`` on timeout."""
        try:
            self.process.stdin.write(json.dumps(request) + "\n")
            self.process.stdin.flush()
        except (BrokenPipeError, OSError):
            return None
        return self.answers.get(timeout=timeout)

    def kill(self) -> None:
        """Kill the process and its process group (a hung codec does not read its input, so it cannot be asked)."""
        if self.alive():
            with contextlib.suppress(ProcessLookupError):  # it ended on its own meanwhile
                if os.name == "posix":
                    os.killpg(self.process.pid, signal.SIGKILL)
                else:
                    self.process.kill()
        self.process.wait()
        if os.name == "posix":
            _wait_for_group_to_end(self.process.pid)
        self._close_input()
        self._remove_folder()

    def stop(self) -> None:
        """Let the process end by closing its input; kill it if it does not within 5 s (a codec still hung)."""
        self._close_input()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.kill()
        self._remove_folder()

    def _remove_folder(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    def _close_input(self) -> None:
        with contextlib.suppress(OSError):  # a broken pipe to a process that already ended
            self.process.stdin.close()


_lock = threading.Lock()
_worker: _Worker | None = None


def _wait_for_group_to_end(group: int, seconds: float = 5.0) -> None:
    """Wait until no process of the killed ``group`` is left (at most ``seconds``): SIGKILL is delivered at once, but a
    process the codec started may take a moment to end, and it must not outlive the trial it belongs to."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return
        time.sleep(0.005)


def _stop_worker() -> None:
    global _worker
    if _worker is not None:
        _worker.stop()
    _worker = None


atexit.register(_stop_worker)


def _timeout_message(request: dict, seconds: float) -> str:
    shape = " x ".join(str(length) for length in request["shape"]) or "a single value"
    return (
        f"the codec gave no answer in {seconds:g} s when encoding a {shape} sample (the dataset's chunk shape, at most "
        f"64 per axis), so the process that encoded it was stopped: it hangs, and would hang a write"
    )


def run_trial(request: dict) -> str | None:
    """Send one trial to the worker process; return the problem found, or None when the pipeline works.

    A crash of the worker is itself the answer ("the codec crashed ..."); the next trial starts a new worker. A worker
    that gives no answer in :data:`TRIAL_TIMEOUT_SECONDS` is killed and :class:`TrialTimeout` raised.
    """
    global _worker
    with _lock:
        if _worker is None or not _worker.alive():
            if _worker is not None:
                _worker.stop()
            _worker = _Worker()
        timeout = TRIAL_TIMEOUT_SECONDS
        try:
            answer = _worker.ask(request, timeout)
        except queue.Empty:
            _worker.kill()
            _worker = None
            raise TrialTimeout(_timeout_message(request, timeout)) from None
        if answer is None:
            _worker.stop()
            code = _worker.process.returncode
            _worker = None
            return f"the codec ended the process that encoded a sample (exit code {code}): it would crash a write"
        return json.loads(answer)["problem"]


if __name__ == "__main__":
    _serve(sys.argv[1])
