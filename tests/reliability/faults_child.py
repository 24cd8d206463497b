"""The writing process of the fault tests that need one of their own (run as a script by test_faults.py).

``python faults_child.py full LIMIT CASES_JSON``: runs each case (``{"backend", "path", "n_jobs", "folder",
"source"}``) with the file size limited to LIMIT bytes (0: no limit; e.g. a small tmpfs is full instead) and prints one
JSON line per case as it ends: the error's type, errno and message, and the folder's listing afterwards.

``python faults_child.py hold BACKEND PATH N_JOBS FOLDER``: starts the write, prints ``WRITING`` after its first
buffer, then waits for a line on stdin before going on (the parent kills it there, or lets it finish); prints
``DONE`` or ``ERROR type: message`` at the end.
"""

from __future__ import annotations

import json
import resource
import signal
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

from faults_support import Scenario, run_scenario  # noqa: E402


def _full(limit: int, cases: list[dict]) -> None:
    if limit:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # the write then fails with EFBIG instead of a killed process
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    for case in cases:
        folder = Path(case["folder"])
        scenario = Scenario(case["backend"], case["path"], case["n_jobs"])
        answer = {"id": scenario.id, "error": None}
        if case.get("cli"):
            answer.update(_cli_repack(scenario, folder), id=f"cli-{scenario.id}")
        else:
            try:
                source = Path(case["source"]) if case.get("source") else None
                # Uncompressed: every chunk file is larger than the limit.
                run_scenario(scenario, folder, method=None, source=source)
            except Exception as exc:
                answer.update(error=type(exc).__name__, errno=getattr(exc, "errno", None), message=str(exc))
        answer["listing"] = sorted(path.name for path in folder.iterdir())
        print(json.dumps(answer), flush=True)


def _cli_repack(scenario: Scenario, folder: Path) -> dict:
    """``nwbconfig repack`` of the folder's source, as typed in a terminal: its exit code and what it printed."""
    import subprocess

    source, target = folder / scenario.source_name, folder / scenario.target_name
    arguments = [
        "repack",
        str(source),
        str(target),
        "--jobs",
        str(scenario.n_jobs),
        "--no-progress",
        "--preset",
        "fast",
    ]
    finished = subprocess.run([sys.executable, "-m", "nwbconfig_widget", *arguments], capture_output=True, text=True)
    return {"error": "exit", "exit": finished.returncode, "message": finished.stderr}


def _hold(backend: str, path: str, n_jobs: int, folder: Path) -> None:
    def progress(location: str, nbytes: int) -> None:
        if not progress.held:
            progress.held = True
            print("WRITING", flush=True)
            sys.stdin.readline()

    progress.held = False
    try:
        run_scenario(Scenario(backend, path, n_jobs), folder, progress=progress)
    except Exception as exc:
        print(f"ERROR {type(exc).__name__}: {exc}", flush=True)
        return
    print("DONE", flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "full":
        _full(int(sys.argv[2]), json.loads(sys.argv[3]))
    else:
        _hold(sys.argv[2], sys.argv[3], int(sys.argv[4]), Path(sys.argv[5]))
