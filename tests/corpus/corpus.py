"""The real-file corpus of the repack tests: NWB files written by other programs, pynwb versions and extensions.

``ENTRIES`` lists every source file (known without building anything); ``corpus_file(name)`` builds one on demand
into a cache folder and returns its path (an HDF5 file or a Zarr folder); ``build_all()`` builds them all. Run
``python tests/corpus/corpus.py [--folder F] [--validate]`` to build everything and print a table.

The cache folder is NWBCONFIG_CORPUS_DIR if set, else ~/.cache/nwbconfig_widget/corpus-<hash>, the hash covering the
corpus source files and the pynwb, hdmf and hdmf-zarr versions (so a change to either builds afresh). Each file is
built under a per-entry file lock, written under a temporary name and renamed into place, so pytest processes that
race never see half a file. Files already in the repository (kind "legacy") are returned where they are. Sources are
only ever read by the tests; nothing here modifies a built file afterwards.
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import os
import shutil
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from importlib.metadata import version
from pathlib import Path

_HERE = Path(__file__).resolve().parent
if str(_HERE) not in sys.path:  # run as a script, or imported from elsewhere
    sys.path.insert(0, str(_HERE))

import _corpus_core  # noqa: E402
import _corpus_extensions  # noqa: E402
import _corpus_links  # noqa: E402
import _corpus_neuroconv  # noqa: E402
import _corpus_sdist  # noqa: E402
import _corpus_zarr  # noqa: E402
from _corpus_common import BACKENDS, KINDS, CorpusEntry, Recipe, pickle_allowed  # noqa: E402

__all__ = [
    "ENTRIES",
    "KINDS",
    "CorpusEntry",
    "build_all",
    "corpus_file",
    "default_folder",
    "load_extensions",
    "open_and_read",
    "pickle_allowed",
]

LEGACY_DIR = _HERE.parent / "data" / "legacy"

# What wrote each legacy file (tests/data/legacy/README.md has the details and the generators).
_LEGACY_ORIGINS = {
    "pynwb_2x_hdf5.nwb": "pynwb 2.5.0 / hdmf 3.9.0 / HDF5 1.12.2; tests/data/legacy/make_pynwb2x_files.py",
    "pynwb_2x_with_extension.nwb": "pynwb 2.5.0 + ndx-events 0.2.0; tests/data/legacy/make_pynwb2x_files.py",
    "hdmf_zarr_written.nwb.zarr": "hdmf-zarr 0.5.0 / zarr 2.16.1 / pynwb 2.5.0; tests/data/legacy/make_zarr_file.py",
    "neuroconv_written.nwb": "neuroconv 0.10.2 configure_and_write_nwbfile; tests/data/legacy/make_neuroconv_file.py",
    "hdf5plugin_filters.nwb": "pynwb 4.2.0 + hdf5plugin 7.1.0 filters; tests/data/legacy/make_hdf5plugin_file.py",
    "h5repack_rechunked.nwb": "pynwb 4.2.0 file rewritten by h5repack 1.10.8; tests/data/legacy/make_h5repack_file.py",
}


def _legacy_recipes() -> list[Recipe]:
    found = []
    for path in sorted(LEGACY_DIR.glob("*.nwb")) + sorted(LEGACY_DIR.glob("*.nwb.zarr")):
        stem = path.name.removesuffix(".zarr").removesuffix(".nwb")
        backend = "zarr" if path.name.endswith(".zarr") else "hdf5"
        origin = _LEGACY_ORIGINS.get(path.name, "tests/data/legacy (see its README.md)")
        found.append(Recipe(CorpusEntry(f"legacy-{stem}", backend, "legacy", origin), fixed_path=path))
    return found


def _all_recipes() -> dict[str, Recipe]:
    recipes: dict[str, Recipe] = {}
    for module in (_corpus_sdist, _corpus_core, _corpus_extensions, _corpus_neuroconv, _corpus_links, _corpus_zarr):
        for recipe in module.recipes():
            entry = recipe.entry
            if entry.name in recipes:
                raise RuntimeError(f"corpus: two recipes are named {entry.name!r}")
            if entry.kind not in KINDS or entry.backend not in BACKENDS:
                raise RuntimeError(f"corpus: {entry.name!r} has kind {entry.kind!r} / backend {entry.backend!r}")
            recipes[entry.name] = recipe
    for recipe in _legacy_recipes():
        recipes[recipe.entry.name] = recipe
    return recipes


_RECIPES = _all_recipes()
ENTRIES: list[CorpusEntry] = [recipe.entry for recipe in _RECIPES.values()]


def load_extensions() -> None:
    """Import the NWB extensions the corpus writes with, so that pynwb maps their types to their own classes.

    Not ndx-events 0.4.0: no corpus file is written with it (see _corpus_extensions.py), and importing it would make
    pynwb ignore the ndx-events 0.2.0 namespace cached in legacy-pynwb_2x_with_extension.
    """
    import ndx_fiber_photometry  # noqa: F401
    import ndx_ophys_devices  # noqa: F401
    import ndx_optogenetics  # noqa: F401
    import ndx_pose  # noqa: F401


def _source_hash() -> str:
    digest = hashlib.sha256()
    for path in sorted(_HERE.glob("_corpus_*.py")) + [_HERE / "corpus.py"]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    for package in ("pynwb", "hdmf", "hdmf-zarr"):
        digest.update(f"{package}=={version(package)}".encode())
    return digest.hexdigest()[:10]


def default_folder() -> Path:
    """NWBCONFIG_CORPUS_DIR, else ~/.cache/nwbconfig_widget/corpus-<hash of the corpus sources and versions>."""
    configured = os.environ.get("NWBCONFIG_CORPUS_DIR")
    if configured:
        return Path(configured)
    return Path.home() / ".cache" / "nwbconfig_widget" / f"corpus-{_source_hash()}"


_STALE_AFTER_SECONDS = 24 * 3600
_pruned = False


def _prune_stale_caches(current: Path) -> None:
    """Delete other ``corpus-<hash>`` folders beside the default one that nothing touched for a day.

    Each change of the corpus sources or of pynwb/hdmf/hdmf-zarr makes a new folder (about 32 MB); without this they
    would pile up in ~/.cache. Every process touches the folder it uses (once), so folders in use are kept.
    """
    global _pruned
    if _pruned:
        return
    _pruned = True
    if current.is_dir():
        os.utime(current)  # this process uses it: keep it fresh for the other checkouts' pruning
    now = time.time()
    for sibling in current.parent.glob("corpus-*"):
        if sibling == current or not sibling.is_dir():
            continue
        try:
            if now - sibling.stat().st_mtime > _STALE_AFTER_SECONDS:
                shutil.rmtree(sibling, ignore_errors=True)
        except OSError:  # removed meanwhile by another process
            continue


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


def corpus_file(name: str, folder: Path | None = None) -> Path:
    """The path of the corpus source ``name`` (an HDF5 file or a Zarr folder), built first if it is not cached."""
    recipe = _RECIPES.get(name)
    if recipe is None:
        raise KeyError(f"corpus: no entry named {name!r}; the names are in corpus.ENTRIES")
    load_extensions()
    if recipe.fixed_path is not None:
        return recipe.fixed_path
    if folder is None:
        folder = default_folder()
        if "NWBCONFIG_CORPUS_DIR" not in os.environ:
            _prune_stale_caches(folder)
    folder = Path(folder)
    final = folder / f"{name}{recipe.suffix}"
    if final.exists():
        return final
    locks = folder / ".locks"
    locks.mkdir(parents=True, exist_ok=True)
    with open(locks / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, also if this process dies
        if final.exists():  # another process built it while we waited
            return final
        for stale in folder.glob(f".tmp~{name}~*"):  # left by a process that died mid-build
            _remove(stale)
        temporary = folder / f".tmp~{name}~{os.getpid()}{recipe.suffix}"
        try:
            recipe.build(temporary, lambda other: corpus_file(other, folder))
            if not temporary.exists():
                raise RuntimeError(f"corpus: the recipe of {name!r} wrote nothing at {temporary}")
            os.rename(temporary, final)
        finally:
            if temporary.exists():
                _remove(temporary)
    return final


def build_all(folder: Path | None = None) -> list[Path]:
    """Build every entry (cached ones are reused) and return their paths, in the order of ENTRIES.

    Recipes that write in a child process (NeuroConv's) run in background threads while this thread builds the
    others, one core each; in-process builds stay on this thread (pynwb and h5py are not thread-safe).
    """
    folder = Path(folder) if folder is not None else default_folder()
    load_extensions()  # before any thread starts, so that imports do not race
    background = [entry.name for entry in ENTRIES if _RECIPES[entry.name].in_subprocess]
    paths: dict[str, Path] = {}
    with ThreadPoolExecutor(max_workers=max(1, (os.cpu_count() or 2) - 1)) as pool:
        futures = {name: pool.submit(corpus_file, name, folder) for name in background}
        for entry in ENTRIES:
            if entry.name not in futures:
                paths[entry.name] = corpus_file(entry.name, folder)
        for name, future in futures.items():
            paths[name] = future.result()
    return [paths[entry.name] for entry in ENTRIES]


def size_of(path: Path) -> int:
    """Bytes of a file, or of all files under a Zarr folder."""
    if path.is_dir():
        return sum(item.stat().st_size for item in path.rglob("*") if item.is_file())
    return path.stat().st_size


def open_and_read(entry: CorpusEntry, path: Path, validate: bool = False) -> list[str]:
    """Open ``path`` with the reader of its backend and read() it; with ``validate``, return pynwb.validate's errors."""
    load_extensions()
    if entry.backend == "zarr":
        from hdmf_zarr import NWBZarrIO as reader
    else:
        from pynwb import NWBHDF5IO as reader
    from pynwb import validate as validate_io

    with pickle_allowed(), reader(str(path), mode="r") as io:  # the corpus trusts the files it wrote
        nwbfile = io.read()
        if nwbfile is None:
            raise RuntimeError(f"corpus: reading {entry.name} ({path}) returned nothing")
        if not validate:
            return []
        # validate(io=...), not path=: pynwb 4.2.0's validate(path=) passes driver= and aws_region= to
        # ZarrIO.load_namespaces, which refuses them. With io= it validates against the namespaces cached in the file.
        try:
            return [str(error) for error in validate_io(io=io)]
        except ValueError as error:
            # pynwb validates against every cached namespace that no other includes. An extension namespace that
            # includes only some core types (ndx-ophys-devices 0.3.1 includes Device and DeviceModel) has no NWBFile,
            # so the validator raises "data type 'NWBFile' not found in namespace ndx-ophys-devices" (the same
            # failure as NeurodataWithoutBorders/matnwb#351). Reported as one error so that source and copy compare.
            return [f"pynwb.validate raised ValueError: {error}"]


def _main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the real-file corpus of the repack tests.")
    parser.add_argument("--folder", type=Path, default=None, help="cache folder (default: %(default)s)")
    parser.add_argument("--only", default="", help="build only entries whose name contains this text")
    parser.add_argument("--validate", action="store_true", help="also read each file and run pynwb.validate")
    args = parser.parse_args(argv)
    folder = args.folder or default_folder()
    print(f"corpus folder: {folder}")
    rows, total_size, started = [], 0, time.perf_counter()
    failures = 0
    for entry in ENTRIES:
        if args.only not in entry.name:
            continue
        began = time.perf_counter()
        try:
            path = corpus_file(entry.name, folder)
        except Exception as error:  # report every failing entry, then exit non-zero
            failures += 1
            print(f"FAILED {entry.name}: {type(error).__name__}: {error}", file=sys.stderr)
            continue
        seconds = time.perf_counter() - began
        size = size_of(path)
        total_size += size
        note = ""
        if args.validate:
            try:
                errors = open_and_read(entry, path, validate=True)
                note = f"{len(errors)} validation error(s)" + (f": {errors[0][:90]}" if errors else "")
            except Exception as error:
                failures += 1
                note = f"READ FAILED: {type(error).__name__}: {str(error)[:120]}"
        rows.append((entry.name, entry.kind, entry.backend, size, seconds, note))
    width = max((len(row[0]) for row in rows), default=10)
    print(f"{'name':<{width}}  {'kind':<14} {'backend':<7} {'size':>9} {'seconds':>7}")
    for name, kind, backend, size, seconds, note in rows:
        print(f"{name:<{width}}  {kind:<14} {backend:<7} {size:>9} {seconds:>7.2f}  {note}".rstrip())
    counts: dict[str, int] = {}
    for entry in ENTRIES:
        counts[entry.kind] = counts.get(entry.kind, 0) + 1
    print(f"{len(rows)} entries, {total_size / 1e6:.1f} MB, {time.perf_counter() - started:.1f} s; per kind: {counts}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(_main())
