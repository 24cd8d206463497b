"""The CI job at the lowest supported versions (.ci/lowest) installs under .ci/lowest-constraints.txt, which pins
every direct dependency to its lower bound in pyproject.toml: the two must name the same packages and versions."""

import re
from pathlib import Path

import pytest
from packaging.version import Version

tomllib = pytest.importorskip("tomllib")  # Python 3.11+

ROOT = Path(__file__).resolve().parent.parent


def _name(text: str) -> str:
    return re.sub(r"[-_.]+", "-", text).lower()


def lower_bounds(pyproject: Path) -> dict[str, str]:
    """``{package: version}`` of the ``>=`` bound of every core dependency; a dependency without one is an error."""
    bounds = {}
    for requirement in tomllib.loads(pyproject.read_text())["project"]["dependencies"]:
        match = re.fullmatch(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*)", requirement)
        name, specifiers = _name(match.group(1)), match.group(3)
        lowest = re.findall(r">=\s*([^,;\s]+)", specifiers)
        assert len(lowest) == 1, f"{requirement!r} needs exactly one lower bound (>=) for the lowest-versions job"
        bounds[name] = lowest[0]
    return bounds


def pins(constraints: Path) -> dict[str, str]:
    """``{package: version}`` of the ``==`` pins of a pip constraints file."""
    found = {}
    for line in constraints.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)\s*==\s*(\S+)", line)
            assert match, f"{line!r}: the constraints file holds only 'package==version' lines"
            found[_name(match.group(1))] = match.group(2)
    return found


def test_lowest_constraints_pin_every_lower_bound():
    bounds = lower_bounds(ROOT / "pyproject.toml")
    pinned = pins(ROOT / ".ci" / "lowest-constraints.txt")
    differing = {
        name: (bounds.get(name), pinned.get(name))
        for name in set(bounds) | set(pinned)
        if name not in bounds or name not in pinned or Version(bounds[name]) != Version(pinned[name])
    }
    assert not differing, (
        "pyproject.toml's lower bounds and .ci/lowest-constraints.txt differ, {package: (pyproject, constraints)}: "
        f"{dict(sorted(differing.items()))}"
    )


def test_the_comparison_sees_a_difference(tmp_path):
    """The parsing that the check above relies on, on a pyproject and constraints file that differ."""
    (tmp_path / "pyproject.toml").write_text('[project]\ndependencies = ["numpy>=1.26,<3", "hdmf_zarr>=0.11"]\n')
    (tmp_path / "constraints.txt").write_text("numpy==1.24.0  # older\nhdmf-zarr==0.11\n")
    assert lower_bounds(tmp_path / "pyproject.toml") == {"numpy": "1.26", "hdmf-zarr": "0.11"}
    assert pins(tmp_path / "constraints.txt") == {"numpy": "1.24.0", "hdmf-zarr": "0.11"}
