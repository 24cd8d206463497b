"""A real JupyterLab server, a headless Debian Chromium and a side door into the notebook's kernel, for browser tests.

- :class:`JupyterLabServer` starts ``jupyter lab`` on a free localhost port in an isolated folder (own config, runtime
  and workspace dirs; announcements off; the app exposed as ``window.jupyterapp`` so a test can run commands); with
  ``app="notebook"``, Jupyter Notebook 7 instead, the app exposed the same way.
- :func:`launch_chromium` drives Debian's ``/usr/bin/chromium`` through Playwright (not Playwright's own browser).
- :class:`KernelProbe` executes code in the notebook's kernel (through its connection file) and returns what it printed,
  so a test can read and change the Python model behind the widget; :meth:`KernelProbe.busy` keeps the kernel running
  other code for a while, as a long cell would.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("NWBCONFIG_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def browser_tests_available() -> str | None:
    """None when the browser tests can run here, else the reason they cannot."""
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} not found (apt-get install -y chromium)"
    for module in ("playwright", "jupyterlab", "ipykernel"):
        try:
            __import__(module)
        except ImportError:
            return f"python package {module} is not installed"
    return None


def stop_process(process: subprocess.Popen, timeout: float = 15) -> None:
    """Stop a server's process: terminate it, and kill it if it has not ended within ``timeout`` seconds."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def six_series_widget_cell(request_timeout: float, host: str = "jupyter") -> str:
    """A notebook cell that shows a widget over six int16 TimeSeries (``acquisition/ephys0/data`` ...), writing to
    ``requests_out.nwb``; ``host="marimo"`` wraps it in ``mo.ui.anywidget``. Its own names start with ``_`` (marimo
    keeps those inside the cell); ``nwbfile`` and ``widget`` are the ones other cells and the tests use."""
    show = "import marimo as mo\nview = mo.ui.anywidget(widget)\nview" if host == "marimo" else "widget"
    return f"""
import numpy as np
from pynwb import TimeSeries
from pynwb.testing.mock.file import mock_NWBFile
from nwbconfig_widget.widget import ConfiguratorWidget

nwbfile = mock_NWBFile()
_rng = np.random.default_rng(0)
for _index in range(6):
    _data = (_rng.normal(size=(50_000, 4)) * 50).astype("int16")
    nwbfile.add_acquisition(TimeSeries(name=f"ephys{{_index}}", data=_data, unit="V", rate=1000.0))
widget = ConfiguratorWidget(nwbfile, nwbfile_path="requests_out.nwb", request_timeout={request_timeout})
{show}
"""


#: Kernel code that records ``(name, thread id)`` in ``threads_seen`` at every synced trait change of ``widget`` and
#: every message it sends, and the kernel's thread (the one running this code) in ``kernel_thread``.
RECORD_THREADS = """
import threading
threads_seen = []
widget.observe(lambda change: threads_seen.append((change["name"], threading.get_ident())),
               names=list(widget.traits(sync=True)))
_send = widget.send
def _recording_send(content, buffers=None):
    threads_seen.append(("message", threading.get_ident()))
    _send(content, buffers)
widget.send = _recording_send
kernel_thread = threading.get_ident()
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write_notebook(path: Path, cells: list[str]) -> Path:
    """Write a notebook of code cells (not executed)."""
    notebook = {
        "cells": [
            {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": source}
            for source in cells
        ],
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.write_text(json.dumps(notebook, indent=1))
    return path


class JupyterLabServer:
    """``with JupyterLabServer(root) as server:`` runs JupyterLab serving ``root`` until the block ends."""

    def __init__(self, root: Path, app: str = "lab"):
        self.root = Path(root)
        self.app = app
        self.port = _free_port()
        self.token = secrets.token_hex(16)
        self.home = self.root.parent / f".jupyter-{self.port}"
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def notebook_url(self, name: str) -> str:
        """URL that opens ``name`` with a fresh workspace (JupyterLab) or in Notebook 7."""
        if self.app == "notebook":
            return f"{self.url}/notebooks/{name}?token={self.token}"
        return f"{self.url}/lab/tree/{name}?reset&token={self.token}"

    def __enter__(self) -> JupyterLabServer:
        config = self.home / "config"
        (config / "labconfig").mkdir(parents=True, exist_ok=True)
        disabled = {"@jupyterlab/apputils-extension:announcements": True}
        (config / "labconfig" / "page_config.json").write_text(json.dumps({"disabledExtensions": disabled}))
        env = {
            **os.environ,
            "JUPYTER_CONFIG_DIR": str(config),
            "JUPYTER_RUNTIME_DIR": str(self.home / "runtime"),
            "JUPYTERLAB_WORKSPACES_DIR": str(self.home / "workspaces"),
            "IPYTHONDIR": str(self.home / "ipython"),
            "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
        }
        command = [
            sys.executable,
            "-m",
            "jupyterlab" if self.app == "lab" else "notebook",
            "--no-browser",
            "--allow-root",
            f"--port={self.port}",
            "--ip=127.0.0.1",
            f"--ServerApp.token={self.token}",
            "--ServerApp.password=",
            f"--ServerApp.root_dir={self.root}",
            "--ServerApp.disable_check_xsrf=True",
            "--LabApp.expose_app_in_browser=True"
            if self.app == "lab"
            else "--JupyterNotebookApp.expose_app_in_browser=True",
            "--LabServerApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate" if self.app == "lab" else "",
        ]
        self.log = open(self.home / "server.log", "w")  # noqa: SIM115 (closed in __exit__)
        self.process = subprocess.Popen(
            [part for part in command if part], env=env, stdout=self.log, stderr=subprocess.STDOUT, cwd=self.root
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"jupyter exited early:\n{(self.home / 'server.log').read_text()}")
            try:
                self.api("/api/status")
                return self
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("jupyter did not start within 60 s")

    def api(self, path: str) -> Any:
        """GET a JSON endpoint of the server."""
        with urllib.request.urlopen(f"{self.url}{path}?token={self.token}", timeout=5) as response:
            return json.load(response)

    def kernel_connection_file(self, notebook: str, timeout: float = 60) -> Path:
        """The connection file of the kernel of the session that has ``notebook`` open."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for session in self.api("/api/sessions"):
                if session.get("path") == notebook and session.get("kernel"):
                    path = self.home / "runtime" / f"kernel-{session['kernel']['id']}.json"
                    if path.exists():
                        return path
            time.sleep(0.3)
        raise RuntimeError(f"no kernel for {notebook}")

    def __exit__(self, *exc: Any) -> None:
        if self.process is not None:
            stop_process(self.process)
        self.log.close()
        shutil.rmtree(self.home, ignore_errors=True)


class KernelCode:
    """What a test asks of a kernel once it can run code there (``run(code)`` returns what the code printed); the
    Jupyter probe and marimo's side door each provide ``run``."""

    def run(self, code: str, timeout: float = 60) -> str:
        raise NotImplementedError

    def value(self, expression: str) -> Any:
        """The JSON value of a Python expression evaluated in the kernel."""
        return json.loads(self.run(f"import json as _json\nprint(_json.dumps({expression}))").strip().splitlines()[-1])

    def wait_for(self, condition: str, timeout: float = 120) -> None:
        """Wait until a Python expression is true in the kernel."""
        deadline = time.monotonic() + timeout
        while not self.value(condition):
            assert time.monotonic() < deadline, f"still not true after {timeout} s: {condition}"
            time.sleep(0.2)


class KernelProbe(KernelCode):
    """Runs code in the notebook's kernel and returns its printed output."""

    def __init__(self, connection_file: Path):
        from jupyter_client import BlockingKernelClient

        self.connection_file = connection_file
        self.client = BlockingKernelClient(connection_file=str(connection_file))
        self.client.load_connection_file()
        self.client.start_channels()
        self.client.wait_for_ready(timeout=60)

    def run(self, code: str, timeout: float = 60) -> str:
        """Execute ``code``; return its stdout; raise with the traceback if it failed."""
        printed: list[str] = []
        failure: list[str] = []

        def on_output(message: dict) -> None:
            content = message["content"]
            if message["msg_type"] == "stream" and content.get("name") == "stdout":
                printed.append(content["text"])
            elif message["msg_type"] == "error":
                failure.append("\n".join(content["traceback"]))

        self.client.execute_interactive(code, timeout=timeout, output_hook=on_output, store_history=False)
        if failure:
            raise AssertionError(f"kernel code failed:\n{code}\n{failure[0]}")
        return "".join(printed)


    @contextmanager
    def busy(self, seconds: float) -> Iterator[None]:
        """Keep the kernel running other code for ``seconds``, as a long cell would; enter once it surely runs it.

        The code runs through a kernel client of its own, in a daemon thread: ZeroMQ sockets must not be shared between
        threads, and a test that fails while the kernel is busy must not leave a thread that keeps pytest from exiting.
        Leaving the block waits (up to ``seconds`` + 60 s) until the kernel has finished.
        """
        started = Path(tempfile.mkdtemp(prefix="nwbcw-busy-")) / "started"
        background = KernelProbe(self.connection_file)
        failure: list[BaseException] = []

        def run() -> None:
            try:
                background.run(f"import pathlib, time\npathlib.Path({str(started)!r}).touch()\ntime.sleep({seconds})",
                               timeout=seconds + 60)
            except BaseException as error:  # reported by the waiting thread
                failure.append(error)

        thread = threading.Thread(target=run, name="kernel-busy", daemon=True)
        thread.start()
        try:
            deadline = time.monotonic() + 60
            while not started.exists():
                if failure or time.monotonic() > deadline:
                    raise RuntimeError(f"the kernel did not start the busy code: {failure[:1]}")
                time.sleep(0.02)
            yield
        finally:
            thread.join(timeout=seconds + 60)
            if not thread.is_alive():
                background.close()
            shutil.rmtree(started.parent, ignore_errors=True)
        if thread.is_alive() or failure:
            raise RuntimeError(f"the kernel's busy code did not finish: {failure[:1]}")

    def close(self) -> None:
        self.client.stop_channels()


def launch_chromium(playwright: Any) -> Any:
    """Debian's Chromium, headless, through Playwright."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


def open_notebook(page: Any, server: JupyterLabServer, name: str, timeout: float = 90_000) -> None:
    """Open a notebook (in JupyterLab or in Notebook 7, after the server's ``app``), wait for its kernel, and run all
    its cells."""
    page.goto(server.notebook_url(name))
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell", timeout=timeout)
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=timeout)
    page.wait_for_function(
        """() => { const w = window.jupyterapp.shell.currentWidget;
                   return w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel
                          && w.sessionContext.session.kernel.connectionStatus === 'connected'; }""",
        timeout=timeout,
    )
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")


#: Given the table's scroller, scroll through every row of the widget, half a view at a time, and return the rows
#: seen, the most rows the page held on the way, the rows and virtual items it holds at the end. Looks only inside
#: the widget's own root, so it also works where the widget sits in a shadow root (marimo).
SCROLL_THROUGH = """
async (scroller) => {
  const root = scroller.closest(".nwbcw");
  const frame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));
  const rows = () => root.querySelectorAll(".nwbcw-row[data-location]");
  const seen = new Set();
  let most = 0;
  for (let offset = 0; offset <= scroller.scrollHeight; offset += scroller.clientHeight / 2) {
    scroller.scrollTop = offset;
    await frame();
    await frame();
    for (const row of rows()) seen.add(row.dataset.location);
    most = Math.max(most, rows().length);
  }
  return { seen: seen.size, most, now: rows().length, items: root.querySelectorAll(".nwbcw-item").length };
}
"""
