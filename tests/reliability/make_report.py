"""Run the reliability tests and write ``docs/reliability.md`` from what they did.

Usage (from the repository root)::

    python tests/reliability/make_report.py            # the CI-sized run, then docs/reliability.md
    NWBCONFIG_SOAK=1 python tests/reliability/make_report.py --out soak.md   # the long property run

The table is built from the run itself: one row per test function, with its first docstring line, the number of
cases pytest ran (parametrized cases), the generated examples and datasets the property tests recorded with
``record_property``, and how many passed, failed or were skipped. Nothing in the report is typed by hand.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: (section title, test files) in report order; files that do not exist are left out of the run.
SECTIONS: list[tuple[str, list[str]]] = [
    (
        "Round trips",
        ["tests/reliability/test_properties.py", "tests/test_roundtrip.py", "tests/test_codecs_matrix.py"],
    ),
    (
        "Faults",
        ["tests/reliability/test_faults.py", "tests/test_write_safety.py", "tests/test_cancel_and_progress.py"],
    ),
    ("Bad input", ["tests/reliability/test_bad_input.py"]),
    ("Hostile files", ["tests/widget/test_hostile_files.py"]),
]


#: Recorded properties with these endings are measurements (shown, never summed); the others are counts.
MEASUREMENT_SUFFIXES = ("_ms", "_s", "_mb", "_bytes", "_ratio")


@dataclass
class Row:
    """What one test function did over all its parametrized cases."""

    description: str = ""
    cases: int = 0
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    expected_failures: int = 0
    recorded: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    measured: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    seconds: float = 0.0


class Collector:
    """A pytest plugin gathering, per test function, outcomes, durations and recorded properties."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], Row] = {}

    def _row(self, nodeid: str) -> Row:
        path, _, name = nodeid.partition("::")
        function = name.split("[", 1)[0]
        return self.rows.setdefault((path, function), Row())

    def pytest_collection_finish(self, session) -> None:  # noqa: ANN001 - pytest hook signature
        for item in session.items:  # after -k/-m deselection: the cases that run
            row = self._row(item.nodeid)
            row.cases += 1
            doc = getattr(getattr(item, "function", None), "__doc__", None) or ""
            if doc and not row.description:
                row.description = " ".join(doc.strip().split("\n\n", 1)[0].split())

    def pytest_runtest_logreport(self, report) -> None:  # noqa: ANN001 - pytest hook signature
        row = self._row(report.nodeid)
        row.seconds += report.duration
        if report.when == "call" or (report.when == "setup" and not report.passed):
            if report.passed:
                row.passed += 1
            elif report.skipped and hasattr(report, "wasxfail"):
                row.expected_failures += 1
            elif report.skipped:
                row.skipped += 1
            else:
                row.failed += 1
            for key, value in report.user_properties:
                if isinstance(value, bool) or not isinstance(value, (int, float)):
                    continue
                if key.lower().endswith(MEASUREMENT_SUFFIXES):
                    row.measured[key].append(value)
                elif isinstance(value, int):
                    row.recorded[key] += value


def _recorded_text(row: Row) -> str:
    """Counts (non-zero) and measurements recorded by the test's cases, as one cell."""
    parts = [f"{value} {key}" for key, value in sorted(row.recorded.items()) if value]
    for key, values in sorted(row.measured.items()):
        shown = f"{min(values):g}" if min(values) == max(values) else f"{min(values):g}-{max(values):g}"
        parts.append(f"{key} = {shown}")
    return ", ".join(parts).replace("_", " ") or "-"


def _humanized(function: str) -> str:
    """``test_a_failed_write_leaves_nothing`` -> ``A failed write leaves nothing``."""
    words = function.removeprefix("test_").replace("_", " ")
    return words[:1].upper() + words[1:]


def _commit() -> str:
    result = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    return result.stdout.strip() or "unknown"


def _render(collector: Collector, files: dict[str, list[str]], seconds: float, command: str, exit_code: int) -> str:
    lines = [
        "# Reliability report",
        "",
        "What the reliability tests tried on the last run, and what happened. This file is written by",
        "`tests/reliability/make_report.py` from that run (pytest's own outcomes and the counts the property tests",
        "record); nothing in it is typed by hand. Reproduce it with:",
        "",
        "```bash",
        command,
        "```",
        "",
        f"Last run: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, commit `{_commit()}`, Python "
        f"{platform.python_version()} on {platform.system()} ({os.cpu_count()} cores), {seconds:.0f} s in total, "
        f"pytest exit code {exit_code}.",
        "",
    ]
    totals = Row()
    for title, _paths in SECTIONS:
        present = files.get(title, [])
        rows = [(key, row) for key, row in collector.rows.items() if key[0] in present]
        if not rows:
            continue
        lines += [
            f"## {title}",
            "",
            "| What it checks | Test | Cases | Generated or recorded | Passed | Failed | Skipped | Known limit (xfail) "
            "| Time |",
            "|---|---|---:|---|---:|---:|---:|---:|---:|",
        ]
        for (path, function), row in rows:
            generated = _recorded_text(row)
            description = (row.description or _humanized(function)).replace("|", "\\|")
            lines.append(
                f"| {description} | `{Path(path).name}::{function}` | {row.cases} | {generated} | {row.passed} | "
                f"{row.failed} | {row.skipped} | {row.expected_failures} | {row.seconds:.1f} s |"
            )
            for attribute in ("cases", "passed", "failed", "skipped", "expected_failures"):
                setattr(totals, attribute, getattr(totals, attribute) + getattr(row, attribute))
            for key, value in row.recorded.items():
                totals.recorded[key] += value
        lines.append("")
    generated = ", ".join(f"{value} {key}" for key, value in sorted(totals.recorded.items()) if value) or "none"
    lines += [
        "## Totals",
        "",
        f"{totals.cases} test cases: {totals.passed} passed, {totals.failed} failed, {totals.skipped} skipped, "
        f"{totals.expected_failures} known limit(s) (strict xfail: they fail the run once fixed, to be turned into "
        f"plain tests); counted by the tests: {generated}.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the reliability tests, write the report and return pytest's exit code."""
    import pytest

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--out", default="docs/reliability.md", help="report to write (relative to the repository)")
    parser.add_argument("pytest_args", nargs="*", help="extra pytest arguments, after --")
    args = parser.parse_args(argv)

    files = {title: [path for path in paths if (ROOT / path).exists()] for title, paths in SECTIONS}
    targets = [path for paths in files.values() for path in paths]
    os.chdir(ROOT)
    collector = Collector()
    start = time.perf_counter()
    exit_code = int(pytest.main(["-q", "-p", "no:cacheprovider", *targets, *args.pytest_args], plugins=[collector]))
    seconds = time.perf_counter() - start
    command = "python tests/reliability/make_report.py"
    if os.environ.get("NWBCONFIG_SOAK"):
        command = "NWBCONFIG_SOAK=1 " + command
    report = _render(collector, files, seconds, command, exit_code)
    (ROOT / args.out).parent.mkdir(parents=True, exist_ok=True)
    (ROOT / args.out).write_text(report, encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
