"""The ``nwbconfig`` command: show, save and apply backend configurations from a terminal.

Every sub-command has ``--help``. Failures print one clear line to stderr and exit with a non-zero code:
2 for usage errors, 1 for missing/unreadable files, invalid JSON or invalid settings. Warnings (a filter that is not
kept, objects left out of a repack, an extension whose specification differs from the one loaded...) are printed as
one line each on stderr, ``warning: <message>``; only the named, known-harmless ones in :data:`HARMLESS_WARNINGS` are
left out.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import sys
import time
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TextIO

from ._plain import plain
from ._sizes import format_bytes, size_on_disk
from .backends import BACKENDS, backend_of_path, file_name


class CommandError(Exception):
    """A failure to report in one line, without a traceback."""


#: The warnings a command does not print: (category, regular expression matched at the start of the message), each
#: with the reason it says nothing about the user's data. Every other warning is printed.
HARMLESS_WARNINGS: tuple[tuple[type[Warning], str], ...] = (
    # pynwb 4 (NWB 2.9) moved these Device fields to DeviceModel and deprecated the Device constructor's arguments;
    # its reader passes a file's values through them, so every file written before NWB 2.9 with a manufacturer
    # triggers it. The values are read, shown and copied by a repack unchanged (tests/test_cli_warnings.py checks the
    # attribute in the repacked file): the warning is advice to code that creates new Devices, not about this file.
    (
        DeprecationWarning,
        r"The '(manufacturer|model_number|model_name)' field is deprecated\. Instead, use DeviceModel",
    ),
    # hdmf warns whenever an object of a class it marks experimental is created (hdmf/container.py, _exp_warn_msg):
    # for EnumData on every read of a file with an enumerated table column. It is a notice about the stability of
    # hdmf's API, the same for every file; the column and its elements are read and copied unchanged (checked in
    # tests/test_cli_warnings.py).
    (UserWarning, r"EnumData is experimental -- it may be removed in the future and is not guaranteed"),
)


#: A warning longer than this is cut in its middle (with a marker saying how long it was).
MAX_WARNING_LENGTH = 4000


def _one_line(message: str) -> str:
    """A warning's text as one line of inert text: its lines joined by spaces (hdmf lists namespaces one per line),
    and control characters of names from the file shown as escapes (:func:`plain`)."""
    lines = (line.strip() for line in message.split("\n"))
    return plain(" ".join(line for line in lines if line), MAX_WARNING_LENGTH)


@contextlib.contextmanager
def warnings_on_stderr(stream: TextIO | None = None) -> Iterator[None]:
    """Print each distinct warning raised inside as ``warning: <message>`` on one line of ``stream`` (stderr).

    No source line or traceback: the message is what the user needs. The warnings of :data:`HARMLESS_WARNINGS` are
    left out; everything else is shown, including warnings Python hides by default (DeprecationWarning), because a
    library may say through any category that something of the user's file is not kept.
    """
    seen: set[tuple[type[Warning], str]] = set()

    def show(message, category, filename, lineno, file=None, line=None) -> None:  # noqa: ARG001 (showwarning's API)
        text = _one_line(str(message))
        if (category, text) in seen:
            return
        seen.add((category, text))
        print(f"warning: {text}", file=stream or sys.stderr, flush=True)

    with warnings.catch_warnings():  # restores the filters and warnings.showwarning afterwards
        warnings.simplefilter("always")  # ``show`` prints each distinct message once
        for category, pattern in HARMLESS_WARNINGS:
            warnings.filterwarnings("ignore", message=pattern, category=category)
        warnings.showwarning = show
        yield


def _open_read_only(path: str | Path):
    from .io.remote import RemoteExtraMissingError, RemoteReadError, is_remote
    from .io.repack import open_nwbfile

    if is_remote(path):
        try:
            return open_nwbfile(path, mode="r")
        except (RemoteReadError, RemoteExtraMissingError) as exc:
            raise CommandError(str(exc)) from None
        except Exception as exc:
            raise CommandError(f"cannot read {path} as an NWB file: {exc}") from None
    path = Path(path)
    if not path.exists():
        raise CommandError(f"{path} does not exist")
    try:
        return open_nwbfile(path, mode="r")
    except Exception as exc:
        raise CommandError(f"cannot read {path} as an NWB file: {exc}") from None


@contextlib.contextmanager
def _read_only(path: str | Path) -> Iterator:
    """The IO of an NWB file, local or remote; a remote file's failures become one line, and what was fetched is
    printed on stderr (``fetched N MB in M requests``) once the block is done."""
    from .io.remote import RemoteReadError

    io = _open_read_only(path)
    remote = getattr(io, "remote", None)
    try:
        with io, remote.explained() if remote is not None else contextlib.nullcontext():
            yield io
            if remote is not None:
                remote.check()
    except RemoteReadError as exc:
        raise CommandError(str(exc)) from None
    if remote is not None:
        print(f"{remote.fetched} from {remote.url}", file=sys.stderr, flush=True)


def _load_configuration(path: Path):
    from .models import BackendConfiguration, ConfigurationError

    if not path.exists():
        raise CommandError(f"{path} does not exist")
    if not path.is_file():
        raise CommandError(f"{path} is not a file; give the JSON file written by `nwbconfig config`")
    try:
        return BackendConfiguration.from_json(path)
    except json.JSONDecodeError as exc:
        raise CommandError(f"{path} is not valid JSON (is it complete?): {exc}") from None
    except UnicodeDecodeError:
        raise CommandError(f"{path} is not a text file; give the JSON file written by `nwbconfig config`") from None
    except ConfigurationError as exc:
        raise CommandError(f"{path} holds an invalid setting: {exc}") from None
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror or exc}") from None
    except (KeyError, TypeError, ValueError) as exc:
        raise CommandError(f"{path} is not a saved backend configuration: {exc}") from None


def _show(arguments: argparse.Namespace) -> None:
    from .backend_configuration import get_existing_backend_configuration

    with _read_only(arguments.file) as io:
        configuration = get_existing_backend_configuration(io.read())
    print(configuration.to_json() if arguments.json else configuration, end="\n" if arguments.json else "")


def _config(arguments: argparse.Namespace) -> None:
    from .backend_configuration import get_default_backend_configuration, get_existing_backend_configuration

    output = Path(arguments.out)
    if output.exists() and not arguments.overwrite:
        raise CommandError(f"{output} exists; pass --overwrite to replace it")
    with _read_only(arguments.file) as io:
        nwbfile = io.read()
        if arguments.default:
            configuration = get_default_backend_configuration(nwbfile, backend=arguments.backend)
        else:
            configuration = get_existing_backend_configuration(nwbfile)
    try:
        configuration.to_json(output)
    except OSError as exc:
        raise CommandError(f"cannot write {output}: {exc.strerror or exc}") from None
    print(
        f"Wrote the {'default' if arguments.default else 'existing'} {configuration.backend} configuration of "
        f"{len(configuration)} datasets to {output}"
    )


def _configuration_for(arguments: argparse.Namespace, source: Path, target_backend: str | None):
    """The configuration a repack or preview uses: --config, else the file's default, then --preset on top."""
    from .backend_configuration import get_default_backend_configuration
    from .presets import apply_preset

    configuration = _load_configuration(Path(arguments.config)) if getattr(arguments, "config", None) else None
    if configuration is not None and target_backend and target_backend != configuration.backend:
        told = "--backend" if getattr(arguments, "backend", None) else f"the target's name ({arguments.target})"
        raise CommandError(
            f"{told} asks for {target_backend} but {arguments.config} is a {configuration.backend} configuration; "
            f"make a {target_backend} one with `nwbconfig config --default --backend {target_backend}`, "
            f"or pass --backend {configuration.backend} with a target named for it"
        )
    preset = getattr(arguments, "preset", None)
    if configuration is None and preset is None:
        return None
    if configuration is None:
        with _read_only(source) as io:
            configuration = get_default_backend_configuration(io.read(), backend=target_backend)
    if preset is not None:
        try:
            apply_preset(configuration, preset)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
    return configuration


def _repack(arguments: argparse.Namespace) -> None:
    from .io import repack_nwbfile
    from .io.outside_schema import ObjectsOutsideSchemaError
    from .io.remote import (
        FetchCounter,
        RemoteExtraMissingError,
        RemoteReadError,
        as_location,
        is_remote,
        recording_sources,
    )
    from .io.remote_targets import recording_uploads
    from .models import ConfigurationError

    source, target = as_location(arguments.source), as_location(arguments.target)
    if not is_remote(source) and not source.exists():
        raise CommandError(f"{source} does not exist")
    if arguments.jobs is not None and arguments.jobs < 1 and arguments.jobs != -1:
        raise CommandError(f"--jobs must be at least 1 (or -1 for all cores), got {arguments.jobs}")
    backend = arguments.backend or backend_of_path(target)
    configuration = _configuration_for(arguments, source, backend)
    started = time.perf_counter()
    try:
        with recording_sources() as remote_sources, recording_uploads() as uploads:
            repack_nwbfile(
                source,
                target,
                backend=arguments.backend,
                backend_configuration=configuration,
                overwrite=arguments.overwrite,
                allow_pickle=arguments.allow_pickle,
                n_jobs=arguments.jobs,
                progress_bar=not arguments.no_progress,
                drop_objects_outside_schema=arguments.drop_objects_outside_schema,
            )
    except ObjectsOutsideSchemaError as exc:
        objects = "; ".join(f"{plain(where)}: {_one_line(what)}" for where, what in exc.problems)
        raise CommandError(
            f"{len(exc.problems)} object(s) outside the NWB schema cannot be copied faithfully to {target}, so nothing "
            f"was written: {objects}. Copy them yourself, or pass --drop-objects-outside-schema to write the file "
            "without them (they are named in a warning)"
        ) from None
    except (RemoteReadError, RemoteExtraMissingError) as exc:
        raise CommandError(str(exc)) from None
    except (OSError, ConfigurationError, KeyError, ValueError) as exc:  # OSError: also a full disk
        raise CommandError(str(exc).strip("'\"")) from None
    elapsed = time.perf_counter() - started
    after = f"{uploads[0]}" if uploads else format_bytes(size_on_disk(target))  # an s3:// target: what was sent
    if is_remote(source):
        fetched = FetchCounter.total(opened.fetched for opened in remote_sources)
        print(f"Repacked {source} ({fetched}) into {target} ({after}) in {elapsed:.1f} s")
        return
    before = size_on_disk(source)
    print(f"Repacked {source} ({format_bytes(before)}) into {target} ({after}) in {elapsed:.1f} s")


def _preview(arguments: argparse.Namespace) -> None:
    from .backend_configuration import get_default_backend_configuration, get_existing_backend_configuration
    from .preview import preview_compression

    with _read_only(arguments.file) as io:
        nwbfile = io.read()
        if arguments.default or arguments.codecs:
            configuration = get_default_backend_configuration(nwbfile, backend=arguments.backend)
        else:
            configuration = get_existing_backend_configuration(nwbfile)
        if not arguments.codecs:
            table = preview_compression(nwbfile, configuration)
            _print_preview(table)
            return
        rows = []
        for codec in arguments.codecs:
            candidate = configuration.copy()
            try:
                candidate.apply_global_compression(codec)
            except ValueError as exc:
                raise CommandError(f"--codecs {codec}: {exc}") from None
            total = preview_compression(nwbfile, candidate).attrs["total"]
            rows.append((codec, total))
    print(f"{'codec':<12} {'estimated file size':>20} {'95% range':>25} {'ratio':>7}")
    for codec, total in rows:
        span = f"{format_bytes(total['file_bytes_low'])} - {format_bytes(total['file_bytes_high'])}"
        ratio = total["uncompressed_bytes"] / max(total["estimated_bytes"], 1)
        print(f"{codec:<12} {format_bytes(total['file_bytes']):>20} {span:>25} {ratio:>7.2f}")


def _print_preview(table) -> None:
    print(f"{'dataset':<60} {'uncompressed':>13} {'estimated':>11} {'ratio':>7} {'MB/s':>7}")
    for location, row in table.iterrows():
        estimated = format_bytes(row["estimated_bytes"]) if row["estimated_bytes"] == row["estimated_bytes"] else "n/a"
        ratio = f"{row['ratio']:.2f}" if row["ratio"] == row["ratio"] else "n/a"
        speed = f"{row['compress_mb_s']:.0f}" if row["compress_mb_s"] == row["compress_mb_s"] else ""
        name = plain(location, 60)
        print(f"{name:<60} {format_bytes(row['uncompressed_bytes']):>13} {estimated:>11} {ratio:>7} {speed:>7}")
    total = table.attrs["total"]
    print(
        f"Estimated file size: {format_bytes(total['file_bytes'])} "
        f"({format_bytes(total['file_bytes_low'])} - {format_bytes(total['file_bytes_high'])}) "
        f"for {format_bytes(total['uncompressed_bytes'])} of data"
    )


def _write_demo_file(arguments: argparse.Namespace, output: Path) -> None:
    from . import configure_and_write_nwbfile, get_default_backend_configuration
    from .demo import make_demo_nwbfile

    nwbfile = make_demo_nwbfile(seconds=arguments.seconds)
    configuration = get_default_backend_configuration(nwbfile, backend=arguments.backend)
    print(configuration)
    started = time.perf_counter()
    try:
        configure_and_write_nwbfile(nwbfile, output, backend_configuration=configuration, overwrite=arguments.overwrite)
    except FileExistsError as exc:
        raise CommandError(str(exc)) from None
    elapsed = time.perf_counter() - started
    print(
        f"Wrote {output}: {format_bytes(size_on_disk(output))} on disk for "
        f"{format_bytes(configuration.total_uncompressed_bytes)} of data, in {elapsed:.1f} s."
    )


def _notebooks_folder() -> Path:
    """The notebooks shipped with the package (installed) or beside it (a source checkout)."""
    for folder in (Path(__file__).parent / "notebooks", Path(__file__).parent.parent / "notebooks"):
        if (folder / QUICKSTART).exists():
            return folder
    raise CommandError("the demo notebooks are missing from this installation")


QUICKSTART = "01_quickstart.ipynb"


def _demo(arguments: argparse.Namespace) -> None:
    if arguments.write_only:
        default = file_name("demo", arguments.backend)
        _write_demo_file(arguments, Path(arguments.output or default))
        return
    try:
        import jupyterlab  # noqa: F401
    except ImportError:
        raise CommandError(
            "JupyterLab is not installed; install it with: pip install 'nwbconfig_widget[demo]'"
        ) from None
    folder = Path(arguments.dir)
    folder.mkdir(parents=True, exist_ok=True)
    for notebook in sorted(_notebooks_folder().glob("*.ipynb")):
        if not (folder / notebook.name).exists():  # never overwrite the user's edited copy
            shutil.copy2(notebook, folder / notebook.name)
    data = folder / file_name("demo", arguments.backend)
    if not data.exists():
        from .backends import nwb_io_class
        from .demo import make_demo_nwbfile

        io_class = nwb_io_class(arguments.backend)
        with io_class(nwbfile_path=str(data), mode="w") as io:  # as pynwb writes it: for repacking in the widget
            io.write(make_demo_nwbfile(seconds=arguments.seconds))
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        f"--ServerApp.root_dir={folder.resolve()}",
        f"--LabApp.default_url=/lab/tree/{QUICKSTART}",
        f"--ServerApp.port={arguments.port}",
        "--ServerApp.ip=127.0.0.1",
    ]
    if arguments.no_browser:
        command.append("--no-browser")
    if arguments.token is not None:
        command.append(f"--IdentityProvider.token={arguments.token}")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    print(f"Demo files in {folder.resolve()}; starting JupyterLab on {QUICKSTART} (Ctrl-C stops it).", flush=True)
    sys.stderr.flush()
    # JupyterLab takes over this process, so signals (Ctrl-C, a terminate) reach the server itself.
    os.execv(sys.executable, command)


def _jobs(text: str) -> int:
    """The --jobs value as a whole number (its range is checked by the command, which exits with 1)."""
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number; give a number of cores, e.g. 4") from None


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``nwbconfig``, with one sub-parser per command."""
    from .presets import PRESETS

    parser = argparse.ArgumentParser(prog="nwbconfig", description="See and change how NWB datasets are stored.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    show = commands.add_parser("show", help="print the existing configuration of an NWB file")
    show.add_argument("file", help=".nwb file or .nwb.zarr folder")
    show.add_argument("--json", action="store_true", help="print it as JSON instead")
    show.add_argument(
        "--allow-pickle", action="store_true", help="decode pickled object references of a Zarr file you trust"
    )
    show.set_defaults(run=_show)

    config = commands.add_parser("config", help="save the existing (or default) configuration as JSON for editing")
    config.add_argument("file", help=".nwb file or .nwb.zarr folder")
    config.add_argument("--out", required=True, help="JSON file to write")
    config.add_argument("--default", action="store_true", help="save the recommended configuration instead")
    config.add_argument("--backend", choices=BACKENDS, default=None, help="backend of the default one")
    config.add_argument("--overwrite", action="store_true", help="replace --out if it exists")
    config.add_argument(
        "--allow-pickle", action="store_true", help="decode pickled object references of a Zarr file you trust"
    )
    config.set_defaults(run=_config)

    preview = commands.add_parser("preview", help="estimate compressed sizes and codec speed on sampled chunks")
    preview.add_argument("file", help=".nwb file or .nwb.zarr folder")
    preview.add_argument("--default", action="store_true", help="preview the recommended configuration instead")
    preview.add_argument("--backend", choices=BACKENDS, default=None, help="backend of the default one")
    preview.add_argument(
        "--codecs", nargs="+", metavar="NAME", help="compare these compression methods for the whole file"
    )
    preview.add_argument(
        "--allow-pickle", action="store_true", help="decode pickled object references of a Zarr file you trust"
    )
    preview.set_defaults(run=_preview)

    repack = commands.add_parser("repack", help="rewrite an NWB file with new chunking and compression")
    repack.add_argument("source", help=".nwb file or .nwb.zarr folder to read (never modified)")
    repack.add_argument("target", help="file to write; .zarr means Zarr unless --backend says otherwise")
    repack.add_argument("--backend", choices=BACKENDS, default=None)
    repack.add_argument("--config", help="JSON configuration (from `nwbconfig config`); default: recommended settings")
    repack.add_argument("--overwrite", action="store_true", help="replace the target once the new file is complete")
    repack.add_argument("--preset", choices=list(PRESETS), help="apply a preset on top")
    repack.add_argument("--jobs", type=_jobs, default=None, help="cores that compress (default, or -1: all)")
    repack.add_argument("--no-progress", action="store_true", help="no progress bar")
    repack.add_argument(
        "--allow-pickle", action="store_true", help="decode pickled object references of a Zarr source you trust"
    )
    repack.add_argument(
        "--drop-objects-outside-schema",
        action="store_true",
        help="write without the objects outside the NWB schema that cannot be copied (they are named in a warning)",
    )
    repack.set_defaults(run=_repack)

    demo = commands.add_parser(
        "demo", help="make a demo NWB file and the notebooks, and open JupyterLab on the quickstart with the widget"
    )
    demo.add_argument("--dir", default="nwbconfig-demo", help="folder for the demo file and notebooks")
    demo.add_argument("--backend", choices=BACKENDS, default="hdf5")
    demo.add_argument("--seconds", type=float, default=10.0, help="length of the synthetic session")
    demo.add_argument("--port", type=int, default=8888, help="JupyterLab's port")
    demo.add_argument("--no-browser", action="store_true", help="start the server without opening a browser")
    demo.add_argument("--token", default=None, help="JupyterLab access token (default: a random one)")
    demo.add_argument(
        "--write-only", action="store_true", help="no JupyterLab: print the default configuration and write the file"
    )
    demo.add_argument("--output", default=None, help="with --write-only: file to write (default: demo.nwb)")
    demo.add_argument("--overwrite", action="store_true", help="with --write-only: replace the output if it exists")
    demo.set_defaults(run=_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``nwbconfig`` with ``argv`` (default: the process arguments); return the exit code.

    >>> main(["show", "missing.nwb"])
    1
    """
    from .io.pickle_opt_in import PickleRefusedError, pickle_decoding

    arguments = build_parser().parse_args(argv)
    try:
        with warnings_on_stderr(), pickle_decoding(getattr(arguments, "allow_pickle", False), what="the file"):
            arguments.run(arguments)
    except PickleRefusedError as exc:
        print(f"nwbconfig {arguments.command}: {exc}", file=sys.stderr)
        return 1
    except CommandError as exc:
        print(f"nwbconfig {arguments.command}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt as exc:
        # A write interrupted before its file was complete leaves nothing at the target; one interrupted while the
        # complete file was moved into place says so in its message (io/interrupts.py).
        said = str(exc) or "nothing was written"
        print(f"nwbconfig {arguments.command}: interrupted: {said}", file=sys.stderr)
        return 130
    return 0
