"""The real-file corpus: enough entries, unique names, every kind present, and every file builds, opens and reads."""

from __future__ import annotations

import re

import pytest
from corpus import ENTRIES, KINDS, build_all, corpus_file, open_and_read


@pytest.fixture(scope="module")
def built():
    """Build the whole corpus once (NeuroConv's files in a second process meanwhile), keyed by entry name."""
    return {entry.name: path for entry, path in zip(ENTRIES, build_all())}


def test_corpus_has_at_least_80_entries():
    assert len(ENTRIES) >= 80, f"the corpus has {len(ENTRIES)} entries"


def test_names_are_unique_and_filesystem_safe():
    names = [entry.name for entry in ENTRIES]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    assert not duplicates, f"duplicate corpus names: {duplicates}"
    unsafe = [name for name in names if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", name)]
    assert not unsafe, f"names that are not filesystem-safe: {unsafe}"


def test_every_kind_and_backend_is_represented():
    kinds = {entry.kind for entry in ENTRIES}
    assert kinds == set(KINDS), f"kinds without an entry: {sorted(set(KINDS) - kinds)}"
    assert {entry.backend for entry in ENTRIES} == {"hdf5", "zarr"}
    zarr_sources = [entry.name for entry in ENTRIES if entry.backend == "zarr" and entry.kind != "legacy"]
    assert len(zarr_sources) >= 10, f"only {len(zarr_sources)} Zarr sources besides the legacy one: {zarr_sources}"


def test_every_entry_says_where_it_comes_from():
    for entry in ENTRIES:
        assert entry.origin.strip() and "\n" not in entry.origin, f"{entry.name} has no one-line origin"


def test_unknown_name_is_refused_with_the_name():
    with pytest.raises(KeyError, match="no-such-entry"):
        corpus_file("no-such-entry")


@pytest.mark.parametrize("entry", ENTRIES, ids=[entry.name for entry in ENTRIES])
def test_entry_builds_opens_and_reads(entry, built):
    path = built[entry.name]
    if entry.backend == "zarr":
        assert path.is_dir() and (path / ".zgroup").is_file(), f"{entry.name}: {path} is not a Zarr folder"
    else:
        assert path.is_file(), f"{entry.name}: {path} is not a file"
        with open(path, "rb") as stream:
            assert stream.read(8) == b"\x89HDF\r\n\x1a\n", f"{entry.name}: {path} is not an HDF5 file"
    assert corpus_file(entry.name) == path, "a second call must return the cached file"
    open_and_read(entry, path)
