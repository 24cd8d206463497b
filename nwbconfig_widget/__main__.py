"""``python -m nwbconfig_widget`` / ``nwbconfig``: build a realistic demo NWB file, show its configuration, write it."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path


def _demo(arguments: argparse.Namespace) -> int:
    from . import configure_and_write_nwbfile, get_default_backend_configuration
    from ._sizes import format_bytes
    from .demo import make_demo_nwbfile

    nwbfile = make_demo_nwbfile(seconds=arguments.seconds)
    configuration = get_default_backend_configuration(nwbfile, backend=arguments.backend)
    print(configuration)
    target = Path(arguments.output)
    started = time.perf_counter()
    configure_and_write_nwbfile(nwbfile, target, backend_configuration=configuration, overwrite=arguments.overwrite)
    elapsed = time.perf_counter() - started
    size = sum(path.stat().st_size for path in target.rglob("*")) if target.is_dir() else target.stat().st_size
    print(
        f"Wrote {target}: {format_bytes(size)} on disk for {format_bytes(configuration.total_uncompressed_bytes)} "
        f"of data, in {elapsed:.1f} s."
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``nwbconfig`` command."""
    parser = argparse.ArgumentParser(prog="nwbconfig", description=__doc__)
    commands = parser.add_subparsers(dest="command")
    demo = commands.add_parser("demo", help="build a demo NWB file, print its default configuration and write it")
    demo.add_argument("--backend", choices=("hdf5", "zarr"), default="hdf5")
    demo.add_argument("--output", default=None, help="file to write (default: demo.nwb or demo.nwb.zarr)")
    demo.add_argument("--seconds", type=float, default=10.0, help="length of the synthetic session")
    demo.add_argument("--overwrite", action="store_true", help="replace the output if it exists")
    argv = sys.argv[1:] if argv is None else list(argv)
    arguments = parser.parse_args(argv or ["demo"])
    if arguments.command == "demo":
        if arguments.output is None:
            arguments.output = "demo.nwb" if arguments.backend == "hdf5" else "demo.nwb.zarr"
        try:
            return _demo(arguments)
        except FileExistsError as exc:
            print(f"nwbconfig: {exc}", file=sys.stderr)
            return 1
    parser.print_help()
    return 2


if __name__ == "__main__":
    sys.exit(main())
