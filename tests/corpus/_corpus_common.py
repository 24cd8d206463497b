"""What every corpus recipe shares: the entry record, the recipe record, fixed metadata and the two writers.

A recipe builds one corpus file at a path it is given (a temporary name in the cache folder that corpus.py then
renames into place). A recipe that needs another corpus file (a Zarr export of an HDF5 entry, the file an external
link points to) asks for it through the ``need`` callable, which builds it first when missing.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

KINDS = (
    "back-compat",
    "core-mock",
    "extension",
    "neuroconv",
    "hdmf-zarr",
    "external-link",
    "outside-schema",
    "legacy",
)
BACKENDS = ("hdf5", "zarr")

# Every corpus NWBFile starts at the same time and is created at the same time, so two builds hold the same values.
SESSION_START = datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc)


@dataclass(frozen=True)
class CorpusEntry:
    """One source file of the corpus, known without building it."""

    name: str  # unique, filesystem-safe, e.g. "mock-ElectricalSeries"
    backend: str  # "hdf5" or "zarr": the format of the source file
    kind: str  # one of KINDS
    origin: str  # one line: which tool/version wrote it, how to regenerate it


Need = Callable[[str], Path]
"""``need(name)`` returns the path of another corpus entry, building it first if needed."""

BuildFunction = Callable[[Path, Need], None]


@dataclass(frozen=True)
class Recipe:
    """How to build one entry: ``build(path, need)`` writes the source file (or Zarr folder) at ``path``.

    ``path`` is None for files that exist in the repository (kind "legacy"): ``fixed_path`` is returned as it is.
    """

    entry: CorpusEntry
    build: BuildFunction | None = None
    fixed_path: Path | None = None
    in_subprocess: bool = False  # the build runs in a child process, so build_all may run it beside others

    @property
    def suffix(self) -> str:
        """The file name ending of the built source."""
        return ".nwb.zarr" if self.entry.backend == "zarr" else ".nwb"


def entry_name_of(path: Path) -> str:
    """The entry name of a path corpus.py gives a recipe (``.tmp~<name>~<pid><suffix>``, or ``<name><suffix>``)."""
    if path.name.startswith(".tmp~"):
        return path.name.split("~")[1]
    return path.name.removesuffix(".zarr").removesuffix(".nwb")


def rng_for(name: str) -> np.random.Generator:
    """A random generator whose seed is derived from the entry name, so every build draws the same values."""
    return np.random.default_rng(zlib.crc32(name.encode()))


def new_nwbfile(name: str, **kwargs):
    """An NWBFile with fixed identifier, start time and creation date (the values two builds must share)."""
    from pynwb import NWBFile

    kwargs.setdefault("session_description", f"nwbconfig_widget test corpus: {name}")
    return NWBFile(
        identifier=f"nwbconfig-corpus-{name}",
        session_start_time=SESSION_START,
        file_create_date=[SESSION_START],
        **kwargs,
    )


@contextmanager
def fixed_mock_names() -> Iterator[None]:
    """Start pynwb.testing.mock's name counter afresh (so names do not depend on build order), then restore it.

    pynwb's mock functions name objects from a module-level counter ("TimeSeries", "TimeSeries2", ...). Restoring the
    counter afterwards keeps other tests in the same process unaffected.
    """
    from pynwb.testing.mock import utils

    saved = dict(utils.name_generator_registry)
    utils.name_generator_registry.clear()
    try:
        yield
    finally:
        utils.name_generator_registry.clear()
        utils.name_generator_registry.update(saved)


# The extension packages the corpus writes with, by namespace, and the namespaces each one includes.
EXTENSION_PACKAGES = {
    "ndx-events": "ndx_events",
    "ndx-pose": "ndx_pose",
    "ndx-ophys-devices": "ndx_ophys_devices",
    "ndx-optogenetics": "ndx_optogenetics",
    "ndx-fiber-photometry": "ndx_fiber_photometry",
}
_INCLUDES = {"ndx-optogenetics": ("ndx-ophys-devices",), "ndx-fiber-photometry": ("ndx-ophys-devices",)}
_TYPE_MAPS: dict[tuple[str, ...], object] = {}


def _new_type_map(namespace_files: list[str] = (), source_file: Path | None = None, zarr: bool = False):
    """A TypeMap with hdmf-common, the NWB core schema and only the given extension namespaces.

    pynwb caches every namespace of the writer's TypeMap in the file, and its global TypeMap holds every extension
    the process imported. A corpus file written with it would carry the specs of all five extensions (and validate
    against each of them). This map holds only what the file uses, as a script that imports one extension writes.
    ``source_file`` adds the namespaces cached in that file (for exports).
    """
    import warnings

    import pynwb
    from hdmf.build import TypeMap
    from hdmf.common import get_type_map as hdmf_type_map
    from hdmf.spec import NamespaceCatalog
    from pynwb.spec import NWBDatasetSpec, NWBGroupSpec, NWBNamespace

    catalog = NamespaceCatalog(NWBGroupSpec, NWBDatasetSpec, NWBNamespace, core_namespaces=["core"])
    type_map = TypeMap(catalog)
    type_map.merge(hdmf_type_map(), ns_catalog=True)
    type_map.load_namespaces(str(Path(pynwb.__file__).parent / "nwb-schema" / "core" / "nwb.namespace.yaml"))
    for namespace_file in namespace_files:
        type_map.load_namespaces(namespace_file)
    if source_file is not None:
        with warnings.catch_warnings():
            # the file's own (older or equal) core and hdmf-common specs give way to the loaded ones, as in pynwb
            warnings.filterwarnings("ignore", message="Ignoring cached namespace", category=UserWarning)
            warnings.filterwarnings("ignore", message="Ignoring the following cached namespace", category=UserWarning)
            if zarr:
                from hdmf_zarr import NWBZarrIO

                NWBZarrIO.load_namespaces(type_map, str(source_file))
            else:
                from pynwb import NWBHDF5IO

                NWBHDF5IO.load_namespaces(type_map, str(source_file))
    with warnings.catch_warnings():
        # TypeMap.copy_mappers copies the container classes and object mappers of the namespaces loaded above only
        # (TypeMap.merge, its replacement, copies every namespace of the global map and fails on those not loaded).
        warnings.filterwarnings("ignore", message="copy_mappers is deprecated", category=DeprecationWarning)
        type_map.copy_mappers(pynwb.get_type_map(copy=False))
    return type_map


def build_manager(namespaces: tuple[str, ...] = ()):
    """A BuildManager whose TypeMap holds the core schema and the given extension namespaces (and their includes)."""
    import importlib

    from hdmf.build import BuildManager

    ordered: list[str] = []
    for namespace in namespaces:
        for needed in (*_INCLUDES.get(namespace, ()), namespace):
            if needed not in ordered:
                ordered.append(needed)
    key = tuple(ordered)
    if key not in _TYPE_MAPS:
        files = []
        for namespace in ordered:
            package = importlib.import_module(EXTENSION_PACKAGES[namespace])
            files.append(str(Path(package.__file__).parent / "spec" / f"{namespace}.namespace.yaml"))
        _TYPE_MAPS[key] = _new_type_map(files)
    return BuildManager(_TYPE_MAPS[key])


@contextmanager
def pickle_allowed() -> Iterator[None]:
    """Let numcodecs decode pickled Zarr chunks inside the block (the corpus decodes only files it wrote itself).

    hdmf-zarr 0.13.0 stores object references with numcodecs' Pickle codec by default (its object_codec_class), and
    numcodecs 0.15 refuses to decode pickle unless allowed. Reading a Zarr corpus file that holds references
    (electrodes ``group``, ImageReferences, compound columns with references) needs this, and so does writing
    compound datasets with references: zarr 2.18's require_dataset reads back the pickled fill value it just wrote.
    """
    from numcodecs import pickles

    previous = pickles.ALLOW_UNSAFE_PICKLE_DECODE
    pickles.ALLOW_UNSAFE_PICKLE_DECODE = True
    try:
        yield
    finally:
        pickles.ALLOW_UNSAFE_PICKLE_DECODE = previous


def write_hdf5(nwbfile, path: Path, namespaces: tuple[str, ...] = ()) -> None:
    """Write an NWBFile with pynwb's HDF5 backend (the way a user's script does), caching only the used namespaces."""
    from pynwb import NWBHDF5IO

    with NWBHDF5IO(str(path), "w", manager=build_manager(namespaces)) as io:
        io.write(nwbfile)


def write_zarr(nwbfile, path: Path, namespaces: tuple[str, ...] = (), object_codec_class=None) -> None:
    """Write an NWBFile with hdmf-zarr's NWBZarrIO (a Zarr v2 directory store; references pickled by default)."""
    from hdmf_zarr import NWBZarrIO

    manager = build_manager(namespaces)
    with pickle_allowed(), NWBZarrIO(str(path), mode="w", manager=manager, object_codec_class=object_codec_class) as io:
        io.write(nwbfile)


def export_hdf5_to_zarr(source: Path, path: Path) -> None:
    """Convert an HDF5 NWB file to Zarr the way hdmf-zarr documents it: NWBZarrIO.export from an open NWBHDF5IO.

    Both IOs use a TypeMap with the namespaces cached in the source (and none of the process's other extensions).
    """
    from hdmf.build import BuildManager
    from hdmf_zarr import NWBZarrIO
    from pynwb import NWBHDF5IO

    type_map = _new_type_map(source_file=source)
    with (
        pickle_allowed(),
        NWBHDF5IO(str(source), "r", manager=BuildManager(type_map)) as read_io,
        NWBZarrIO(str(path), mode="w", manager=BuildManager(type_map)) as export_io,
    ):
        export_io.export(src_io=read_io, write_args={"link_data": False})


def nwbfile_recipes(
    name: str,
    kind: str,
    origin: str,
    factory: Callable[[str], object],
    backends: tuple[str, ...] = ("hdf5",),
    namespaces: tuple[str, ...] = (),
) -> list[Recipe]:
    """Recipes that write ``factory(entry_name)`` (a new NWBFile) with each backend.

    The HDF5 entry is called ``name``; the Zarr entry ``name + "-zarr"`` (written by NWBZarrIO, kind "hdmf-zarr").
    ``namespaces`` names the extensions the file uses: only they (and the core schema) are cached in it.
    """
    recipes = []
    for backend in backends:
        if backend == "hdf5":
            entry_name, entry_kind, how = name, kind, "NWBHDF5IO.write"
            writer = write_hdf5
        else:
            entry_name, entry_kind, how = f"{name}-zarr", "hdmf-zarr", "hdmf-zarr NWBZarrIO.write"
            writer = write_zarr

        def build(path: Path, need: Need, _factory=factory, _writer=writer, _name=entry_name) -> None:
            with fixed_mock_names():
                nwbfile = _factory(_name)
            _writer(nwbfile, path, namespaces)

        recipes.append(Recipe(CorpusEntry(entry_name, backend, entry_kind, f"{origin}; written with {how}"), build))
    return recipes
