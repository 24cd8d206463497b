"""``python -m nwbconfig_widget``: the ``nwbconfig`` command (``demo --write-only`` when no command is given)."""

from __future__ import annotations

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["demo", "--write-only"]))
