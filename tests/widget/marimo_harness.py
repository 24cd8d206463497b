"""A real marimo server and a side door into its kernel, for the browser tests of the widget in marimo.

- :func:`marimo_app` writes a marimo notebook (a Python file) of code cells.
- :class:`MarimoServer` runs ``marimo run`` on a free localhost port, no token, its config and caches in the test's
  folder. ``marimo run`` runs each session's kernel in a thread of the server's process: killing the server kills
  the kernel.
- :func:`side_door_cells` are cells that let a test run code in the kernel, on the thread that runs marimo's cells
  (there is no Jupyter kernel client for marimo): a form whose text a cell executes in a namespace of its own that
  holds ``widget``, and whose printed output (or traceback) goes to a JSON file. :class:`SideDoor` drives it from the
  page: :meth:`SideDoor.run`, :meth:`SideDoor.value`, and :meth:`SideDoor.busy`, which keeps the kernel running a
  cell for a while, as a long cell would. Nothing runs in a thread of the test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from jupyter_harness import REPO, KernelCode, _free_port, stop_process


def marimo_app(path: Path, cells: list[str]) -> Path:
    """Write a marimo notebook of ``cells`` (the source of each; marimo works out what each cell defines and uses
    from the code, not from the functions' signatures)."""
    parts = ["import marimo\n\napp = marimo.App(width='full')\n"]
    for cell in cells:
        body = textwrap.indent(textwrap.dedent(cell).strip(), "    ")
        parts.append(f"\n@app.cell\ndef _():\n{body}\n    return\n")
    parts.append('\n\nif __name__ == "__main__":\n    app.run()\n')
    path.write_text("\n".join(parts))
    return path


class MarimoServer:
    """``with MarimoServer(notebook) as server:`` runs ``marimo run`` on a free port, no token, until the block ends."""

    def __init__(self, notebook: Path):
        self.notebook = notebook
        self.port = _free_port()
        self.home = notebook.parent / f".marimo-{self.port}"
        self.url = f"http://127.0.0.1:{self.port}/"

    def __enter__(self) -> MarimoServer:
        env = {
            **os.environ,
            # marimo's user config, state and cache stay in the test's folder
            "XDG_CONFIG_HOME": str(self.home / "config"),
            "XDG_STATE_HOME": str(self.home / "state"),
            "XDG_CACHE_HOME": str(self.home / "cache"),
            "MARIMO_SKIP_UPDATE_CHECK": "1",
            "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
        }
        self.home.mkdir(parents=True, exist_ok=True)
        self.log = open(self.home / "server.log", "w")  # noqa: SIM115 (closed in __exit__)
        command = [sys.executable, "-m", "marimo", "run", str(self.notebook), "--headless", "--no-token"]
        command += ["--host", "127.0.0.1", "--port", str(self.port), "--no-sandbox"]
        self.process = subprocess.Popen(
            command, env=env, stdout=self.log, stderr=subprocess.STDOUT, cwd=self.notebook.parent
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"marimo exited early:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}health", timeout=5):
                    return self
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("marimo did not start within 60 s")

    def log_tail(self, characters: int = 3000) -> str:
        """The end of the server's log (marimo logs a failed cell's traceback there)."""
        return (self.home / "server.log").read_text()[-characters:]

    def kill(self) -> None:
        """Kill the server at once (SIGKILL), and with it the kernel, as a crash would."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)

    def __exit__(self, *exc: Any) -> None:
        stop_process(self.process)
        self.log.close()


#: The label of the side door's submit button.
SIDE_DOOR_BUTTON = "Run in the kernel"


def side_door_cells(results: Path) -> list[str]:
    """Cells to add after the one that defines ``widget``: the form, and the cell that runs its text in the kernel.

    The text starts with ``# probe N``; what it prints (or its traceback) goes to ``results/N.json``."""
    return [
        "side_door_globals = {'widget': widget, '__name__': 'side_door'}",
        f"door = mo.ui.text_area(label='Side door', full_width=True).form(submit_button_label={SIDE_DOOR_BUTTON!r})\n"
        "door",
        f"""
        import contextlib as _contextlib
        import io as _io
        import json as _json
        import os as _os
        import traceback as _traceback

        if door.value:
            _number = door.value.partition("\\n")[0].removeprefix("# probe ").strip()
            _printed, _error = _io.StringIO(), ""
            try:
                with _contextlib.redirect_stdout(_printed):
                    exec(compile(door.value, f"<probe {{_number}}>", "exec"), side_door_globals)
            except BaseException:
                _error = _traceback.format_exc()
            _path = _os.path.join({str(results)!r}, _number + ".json")
            with open(_path + ".part", "w") as _file:
                _json.dump({{"printed": _printed.getvalue(), "error": _error}}, _file)
            _os.replace(_path + ".part", _path)
        """,
    ]


class SideDoor(KernelCode):
    """Runs code in the marimo kernel through the side door's form (see :func:`side_door_cells`), from the page."""

    def __init__(self, page: Any, results: Path):
        self.page = page
        self.results = results
        self.count = 0

    def submit(self, code: str) -> int:
        """Submit ``code`` through the form; returns its number (see :meth:`outcome`)."""
        self.count += 1
        self.page.get_by_role("textbox", name="Side door").fill(f"# probe {self.count}\n{code}")
        self.page.get_by_role("button", name=SIDE_DOOR_BUTTON).click()
        return self.count

    def outcome(self, number: int, timeout: float = 60) -> str:
        """Wait for probe ``number`` to end; return what it printed, or raise with its traceback."""
        path = self.results / f"{number}.json"
        deadline = time.monotonic() + timeout
        while not path.exists():
            assert time.monotonic() < deadline, f"probe {number} did not finish within {timeout} s"
            time.sleep(0.05)
        outcome = json.loads(path.read_text())
        if outcome["error"]:
            raise AssertionError(f"kernel code of probe {number} failed:\n{outcome['error']}")
        return outcome["printed"]

    def run(self, code: str, timeout: float = 60) -> str:
        """Run ``code`` in the kernel; return what it printed."""
        return self.outcome(self.submit(code), timeout)

    @contextmanager
    def busy(self, seconds: float) -> Iterator[Callable[[], bool]]:
        """Keep the kernel running a cell for ``seconds``; enter once it surely runs it; leave once it has ended.

        Gives a function that tells whether the cell still runs (so a test can show that what it did happened while
        the kernel was busy)."""
        marker = self.results / f"busy-{self.count + 1}"
        number = self.submit(f"import pathlib, time\npathlib.Path({str(marker)!r}).touch()\ntime.sleep({seconds})")
        done = self.results / f"{number}.json"
        deadline = time.monotonic() + 60
        while not marker.exists():
            if done.exists():
                self.outcome(number)  # raises with the traceback
            assert time.monotonic() < deadline, "the kernel did not start the busy code within 60 s"
            time.sleep(0.02)
        yield lambda: not done.exists()
        self.outcome(number, timeout=seconds + 60)
