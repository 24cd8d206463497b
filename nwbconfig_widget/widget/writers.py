"""How Apply writes: a strategy given to the widget, called in the write job's thread.

A writer is any callable ``writer(request, progress, cancel) -> Path`` (the :class:`Writer` protocol). It receives a
:class:`WriteRequest` (the snapshot of the configuration and where to write it), a ``progress(location, bytes)``
callable and a ``threading.Event`` that is set when the user presses Cancel. A writer may carry ``starting_text``,
shown in the progress bar until the first progress report.

- :func:`write_or_repack` (the default): :func:`~nwbconfig_widget.configure_and_write_nwbfile` for an in-memory
  NWBFile, :func:`~nwbconfig_widget.repack_nwbfile` for a widget opened on a file.
- :class:`ConverterWriter`: NeuroConv's own conversion (``ConfiguratorWidget.from_converter`` uses it).

>>> from nwbconfig_widget.widget import ConfiguratorWidget
>>> from pynwb.testing.mock.file import mock_NWBFile
>>> calls = []
>>> def dry_run(request, progress, cancel):
...     calls.append(request.target)
...     raise RuntimeError("dry run: nothing written")
>>> widget = ConfiguratorWidget(mock_NWBFile(), nwbfile_path="dry.nwb", writer=dry_run)
>>> widget.apply().thread.join()
>>> widget.status, calls[0].name, widget.error["message"]
('error', 'dry.nwb', 'dry run: nothing written')
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from ..models import BackendConfiguration

__all__ = ["ConverterWriter", "WriteRequest", "Writer", "write_or_repack"]

Progress = Callable[[str, int], None]


@dataclasses.dataclass(frozen=True)
class WriteRequest:
    """What one Apply writes: a snapshot of the configuration, the target and where the data comes from."""

    configuration: BackendConfiguration
    target: Path
    overwrite: bool
    nwbfile: Any
    source_path: Path | None = None  # set when the widget was opened on a file (a repack)
    allow_pickle: bool = False


class Writer(Protocol):
    """Writes a :class:`WriteRequest` and returns the path written; may raise ``WriteCancelled`` after ``cancel``."""

    def __call__(self, request: WriteRequest, progress: Progress, cancel: threading.Event) -> Path: ...


def write_or_repack(request: WriteRequest, progress: Progress, cancel: threading.Event) -> Path:
    """Write the in-memory NWBFile, or repack the source file, with the request's configuration."""
    from .. import io

    common = dict(backend_configuration=request.configuration, overwrite=request.overwrite, progress=progress)
    if request.source_path is not None:
        return io.repack_nwbfile(
            request.source_path, request.target, allow_pickle=request.allow_pickle, cancel=cancel, **common
        )
    return io.configure_and_write_nwbfile(request.nwbfile, request.target, cancel=cancel, **common)


@dataclasses.dataclass
class ConverterWriter:
    """Writes with a NeuroConv converter's ``run_conversion``, through
    :func:`~nwbconfig_widget.neuroconv_interop.write_with_converter`. NeuroConv reports no progress of its own, so
    the progress bar jumps to the end when it is done."""

    converter: Any
    metadata: dict
    conversion_options: dict | None = None
    starting_text: str = "NeuroConv is writing…"

    def __call__(self, request: WriteRequest, progress: Progress, cancel: threading.Event) -> Path:
        from ..neuroconv_interop import write_with_converter

        path = write_with_converter(
            self.converter,
            request.target,
            request.configuration,
            nwbfile=request.nwbfile,
            metadata=self.metadata,
            overwrite=request.overwrite,
            conversion_options=self.conversion_options,
        )
        progress("", request.configuration.total_uncompressed_bytes)
        return path
