"""Every corpus file, repacked to HDF5 and to Zarr, loses nothing.

One case per corpus entry and target backend (ids like ``mock-ElectricalSeries-hdf5-to-zarr``). Each case checks:

1. the existing configuration of the read source and ``ConfiguratorWidget.from_path`` build (once per source; a
   failure is reported in both of its cases);
2. ``preview_compression`` runs with the default configuration for the target backend;
3. ``repack_nwbfile`` succeeds, and no warning raised during it says that an object was left out;
4. ``compare_nwb_files(source, target, copied_links)`` finds no difference (compare.py: paths, kinds, links, values
   bit for bit, attributes, object references), where ``copied_links`` are the external links the repack names in an
   ``ExternalLinkCopiedWarning`` (each copy is compared with the object its link reaches), and the differences that
   pynwb's own export of the source makes too (schema migrations pynwb applies when it reads an old file) are
   tolerated and printed (see :func:`without_pynwb_migrations`);
5. ``pynwb.validate`` reports no error for the target that it did not report for the source;
6. the NWB Inspector reports no issue of importance CRITICAL or higher for the target that it did not for the source.

A case runs every check it can and fails with all the problems found (a check that needs the repacked file is not run
when the repack failed). Nothing is skipped or marked xfail. Where an upstream limit would make the target unreadable,
the package refuses the write with a named error; such cases (:data:`REFUSED_FOR_UPSTREAM_LIMITS`) check that the
repack raises exactly that error and leaves nothing at the target: the point is to find what the package loses.

Validation of Zarr files: ``pynwb.validate(path=...)`` cannot open a Zarr folder in pynwb 4.2 / hdmf-zarr 0.13 (it
passes HDF5's ``driver`` and ``aws_region`` to ``ZarrIO.load_namespaces``: hdmf-zarr issue #302, pynwb issue #2131),
so a Zarr file is validated with ``pynwb.validate(io=NWBZarrIO(path, "r"))``, which uses the namespaces cached in it.

Pickled references: hdmf-zarr (0.5 and 0.13 alike, its default ``object_codec_class``) stores object references with
numcodecs' Pickle, which numcodecs 0.15 decodes only when the process opts in. The repack and the widget are given
``allow_pickle=True`` exactly for Zarr sources that hold pickled arrays. The test's own reads (the source it hands to
``get_existing_backend_configuration`` and ``preview_compression``, validation, inspection, compare.py) are of files it
trusts (the corpus, the package's outputs) and opt in for the duration of the read only.
"""

from __future__ import annotations

import contextlib
import re
import sys
import traceback
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from nwbconfig_widget.io.zarr_attribute_types import ZarrAttributeTypeError

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compare import compare_nwb_files  # noqa: E402
from corpus import ENTRIES, CorpusEntry, corpus_file  # noqa: E402

TARGETS = ("hdf5", "zarr")

#: What the package says when it leaves an object out of the written file (io/write.py _carry_over_what_export_drops),
#: and the words any other such warning would use.
LOSS_WORDS = re.compile(r"were not written|not written to|not copied|were dropped|was dropped|left out|lost", re.I)

_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2] / "nwbconfig_widget")


def _where(exc: BaseException) -> str:
    """The innermost frame of the package, else of hdmf/pynwb/hdmf_zarr, else the innermost frame: ``file:line``."""
    frames = traceback.extract_tb(exc.__traceback__)
    for marker in (_PACKAGE_ROOT, "/hdmf_zarr/", "/hdmf/", "/pynwb/"):
        inside = [frame for frame in frames if marker in frame.filename]
        if inside:
            frame = inside[-1]
            break
    else:
        if not frames:
            return "?"
        frame = frames[-1]
    short = re.sub(r".*/(site-packages|main)/", "", frame.filename)
    return f"{short}:{frame.lineno}"


class Checks:
    """The problems one case found; ``step`` records an exception as a problem and lets the case go on."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.failed: set[str] = set()

    @contextlib.contextmanager
    def step(self, name: str) -> Iterator[None]:
        try:
            yield
        except Exception as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            self.add(name, f"{type(exc).__name__}: {first[:400]} [at {_where(exc)}]")

    def add(self, name: str, problem: str) -> None:
        self.failed.add(name)
        self.problems.append(f"[{name}] {problem}")


# ------------------------------------------------------------------------------------------------ reading a file
def uses_pickle(path: Path) -> bool:
    """Whether a Zarr folder holds an array encoded with numcodecs' Pickle (hdmf-zarr's default for references)."""
    return path.is_dir() and any('"pickle"' in meta.read_text() for meta in path.rglob(".zarray"))


@contextlib.contextmanager
def pickle_decoding(allowed: bool) -> Iterator[None]:
    """Let numcodecs decode pickled chunks inside the block only (files this test trusts: the corpus, its outputs)."""
    from numcodecs import pickles

    previous = pickles.ALLOW_UNSAFE_PICKLE_DECODE
    pickles.ALLOW_UNSAFE_PICKLE_DECODE = previous or allowed
    try:
        yield
    finally:
        pickles.ALLOW_UNSAFE_PICKLE_DECODE = previous


def open_io(path: Path) -> Any:
    """pynwb's reader for an HDF5 file, hdmf-zarr's for a Zarr folder (chosen by what is at ``path``)."""
    if path.is_dir():
        from hdmf_zarr import NWBZarrIO

        return NWBZarrIO(str(path), mode="r")
    from pynwb import NWBHDF5IO

    return NWBHDF5IO(str(path), mode="r")


def validation_errors(path: Path) -> set[str]:
    """pynwb.validate's errors, with the file's path taken out (so source and target errors can be compared)."""
    import pynwb

    with pickle_decoding(True):
        if path.is_dir():
            from hdmf_zarr import NWBZarrIO
            from pynwb.validation import get_cached_namespaces_to_validate

            # What validate(path=...) does for an HDF5 file: a type map built from the namespaces the file caches only.
            # (Validating with the io's own manager instead, whose catalog holds every extension imported in this
            # process, fails with "data type 'NWBFile' not found in namespace ndx-fiber-photometry".)
            with NWBZarrIO(str(path), mode="r") as probe:
                _, manager, _ = get_cached_namespaces_to_validate(io=probe)
            with NWBZarrIO(str(path), mode="r", manager=manager) as io:
                errors = pynwb.validate(io=io)
        else:
            errors = pynwb.validate(path=str(path))
    return {str(error).replace(str(path), "<file>") for error in errors}


def critical_issues(path: Path) -> set[str]:
    """The NWB Inspector's issues of importance CRITICAL or higher, as ``check at location: message``."""
    from nwbinspector import Importance, inspect_nwbfile_object

    with pickle_decoding(True), open_io(path) as io:
        nwbfile = io.read()
        messages = list(inspect_nwbfile_object(nwbfile, importance_threshold=Importance.CRITICAL))
    return {
        f"{message.check_function_name} at {message.location or message.object_name}: {message.message}"
        for message in messages
        if message is not None
    }


#: Inspector failures that come from a tool reading a backend, not from the file: (check, text of the failure, why).
KNOWN_TOOL_FAILURES = [
    (
        "check_units_table_duration",
        "arrays used as indices must be of integer (or boolean) type",
        # The check indexes spike_times with a uint64 array; zarr 2.18 under numpy 2 promotes uint64 against its signed
        # chunk offsets to float64 and raises (zarr-python issue #4285, fixed in zarr 3 only). Every Zarr file with a
        # Units table fails it, whatever wrote it; the spike times themselves are compared bit for bit by compare.py.
        "zarr-python#4285",
    ),
]


def _known_tool_failure(issue: str, target: Path) -> bool:
    return target.is_dir() and any(
        f"'{check}'" in issue.split(" at ", 1)[0] and text in issue for check, text, _ in KNOWN_TOOL_FAILURES
    )


def _key(issue: str) -> str:
    """An inspector issue is matched by check name and location (the message may name the file)."""
    return issue.split(": ", 1)[0]


# --------------------------------------------------------------------------------------- one source, read once
@dataclass
class Source:
    """A corpus source, read once for both of its cases; ``problems`` come from the checks made on the source."""

    entry: CorpusEntry
    path: Path | None = None
    io: Any = None
    nwbfile: Any = None
    pickled: bool = False
    problems: list[str] = field(default_factory=list)
    validation: set[str] | None = None
    issues: set[str] | None = None


class Sources:
    """Keeps the source of the running case open (cases come in entry order, so each source is opened once)."""

    def __init__(self) -> None:
        self.current: Source | None = None

    def get(self, entry: CorpusEntry) -> Source:
        if self.current is not None and self.current.entry == entry:
            return self.current
        self.close()
        self.current = self._open(entry)
        return self.current

    def _open(self, entry: CorpusEntry) -> Source:
        import nwbconfig_widget

        source = Source(entry)
        checks = Checks()
        with checks.step("build the corpus file"):
            source.path = corpus_file(entry.name)
        if source.path is not None:
            source.pickled = uses_pickle(source.path)
            # The test's own read of a file it trusts; the package's calls below get no opt-in but allow_pickle.
            with checks.step("read the source"), pickle_decoding(source.pickled):
                source.io = open_io(source.path)
                source.nwbfile = source.io.read()
        if source.nwbfile is not None:
            with checks.step("existing configuration"):
                nwbconfig_widget.get_existing_backend_configuration(source.nwbfile)
            with checks.step("widget from_path"):
                widget = nwbconfig_widget.ConfiguratorWidget.from_path(source.path, allow_pickle=source.pickled)
                widget.close()
            with checks.step("validate the source"):
                source.validation = validation_errors(source.path)
            with checks.step("inspect the source"):
                source.issues = critical_issues(source.path)
        source.problems = checks.problems
        return source

    def close(self) -> None:
        if self.current is not None and self.current.io is not None:
            self.current.io.close()
        self.current = None


@pytest.fixture(scope="module")
def sources() -> Iterator[Sources]:
    opened = Sources()
    yield opened
    opened.close()


def _cases() -> list[Any]:
    cases = []
    for entry in ENTRIES:
        for target in TARGETS:
            case = f"{entry.name}-{entry.backend}-to-{target}"
            cases.append(pytest.param(entry, target, id=case))
    return cases


# ----------------------------------------------------------------------------- what the repack changes on purpose
def copied_links(caught: list[warnings.WarningMessage]) -> set[str]:
    """The paths of the source's external links the repack replaced by a copy, from its ExternalLinkCopiedWarnings.

    Across formats (HDF5 cannot link into a Zarr folder, nor hdmf-zarr into an HDF5 file) the package copies what a
    link reaches and names every such link in the warning; compare.py then compares the copy with the linked object.
    """
    from nwbconfig_widget.io.external_links import ExternalLinkCopiedWarning

    return {
        "/" + link.path.lstrip("/")
        for warning in caught
        if issubclass(warning.category, ExternalLinkCopiedWarning)
        for link, _ in warning.message.links
    }


def plain_export(source: Path, reference: Path, backend: str, pickled: bool) -> None:
    """Export ``source`` to ``reference`` with plain pynwb (HDF5) or hdmf-zarr (Zarr): no configuration at all."""
    from hdmf_zarr import NWBZarrIO
    from pynwb import NWBHDF5IO

    with pickle_decoding(pickled), open_io(source) as src_io:
        if backend == "zarr":
            with NWBZarrIO(str(reference), mode="w") as out:
                out.export(src_io=src_io, write_args={"link_data": False})
        else:
            with NWBHDF5IO(str(reference), mode="w") as out:
                out.export(src_io=src_io, write_args={"link_data": False})


def without_pynwb_migrations(
    differences: list[str], source: Source, backend: str, folder: Path, copied: set[str]
) -> tuple[list[str], list[str]]:
    """The differences pynwb's own export does not make too, and those it does (tolerated, to be shown).

    pynwb migrates old files when it reads them, in its object mappers, not in this package: it adds a root
    ``object_id`` (NWB 1.0.x), reads ``experimenter`` / ``related_publications`` text as a one-element list, gives
    1.5.1 series without data or unit a ``data`` dataset and ``unit`` / ``offset``, adds the ``reference`` attribute
    of subject/age (2.2.0), replaces the 3.0.0 bands table's description by the schema's fixed text, fills an
    EventsTable's ``colnames``. Any writer that rebuilds the file from what pynwb read writes the same, so a repack
    cannot be held to the source's bytes there. The test's rule is: the repack changes nothing that pynwb's own
    export (``NWBHDF5IO.export`` / ``NWBZarrIO.export`` with ``link_data=False`` and no configuration, of the same
    source to the same backend) does not change. A difference of the target is tolerated only when the plain export
    shows exactly the same difference (same text: same path, same values); every other difference still fails. When
    the plain export itself fails, nothing is tolerated.
    """
    extension = ".nwb.zarr" if backend == "zarr" else ".nwb"
    reference = folder / f"reference{extension}"
    folder.mkdir(parents=True, exist_ok=True)
    try:
        plain_export(source.path, reference, backend, source.pickled)
        made_by_pynwb = set(compare_nwb_files(source.path, reference, copied_links=copied))
    except Exception:  # no reference: every difference counts
        return differences, []
    return (
        [line for line in differences if line not in made_by_pynwb],
        [line for line in differences if line in made_by_pynwb],
    )


#: Cases the package refuses, with the error it must raise, because an upstream limit would make the target
#: unreadable. When upstream is fixed, the refusal (and the entry) must go: the test then fails, as nothing is raised.
REFUSED_FOR_UPSTREAM_LIMITS = {
    # hdmf-zarr stores attributes as JSON, so ndx-pose's uint8 SkeletonInstance.id would read back as a Python int,
    # which ndx-pose refuses: the Zarr file could not be read (hdmf-dev/hdmf-zarr#323).
    "ndx-pose-training-hdf5-to-zarr": ZarrAttributeTypeError,
}


# ------------------------------------------------------------------------------------------------------ the test
@pytest.mark.parametrize(("entry", "target_backend"), _cases())
def test_repack_loses_nothing(
    entry: CorpusEntry, target_backend: str, sources: Sources, tmp_path: Path, record_property: Any
) -> None:
    import nwbconfig_widget

    source = sources.get(entry)
    checks = Checks()
    checks.problems.extend(source.problems)
    if source.nwbfile is None:
        pytest.fail("\n".join([f"{len(checks.problems)} problem(s)", *checks.problems]), pytrace=False)

    with checks.step("preview"):
        configuration = nwbconfig_widget.get_default_backend_configuration(source.nwbfile, backend=target_backend)
        preview = nwbconfig_widget.preview_compression(source.nwbfile, configuration)
        assert len(preview) == len(configuration.dataset_configurations), "preview lists another number of datasets"

    target = tmp_path / ("target.nwb.zarr" if target_backend == "zarr" else "target.nwb")
    refusal = REFUSED_FOR_UPSTREAM_LIMITS.get(f"{entry.name}-{entry.backend}-to-{target_backend}")
    if refusal is not None:
        with checks.step("repack refused"), pytest.raises(refusal):
            nwbconfig_widget.repack_nwbfile(source.path, target, backend=target_backend, allow_pickle=source.pickled)
        with checks.step("repack refused"):
            assert not target.exists(), "a refused repack left something at the target"
        if checks.problems:
            pytest.fail("\n".join([f"{len(checks.problems)} problem(s)", *checks.problems]), pytrace=False)
        return
    with checks.step("repack"), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")  # record every warning of the repack, also ones already shown once
        nwbconfig_widget.repack_nwbfile(source.path, target, backend=target_backend, allow_pickle=source.pickled)
    for warning in caught:
        if LOSS_WORDS.search(str(warning.message)):
            checks.add("repack warns of a loss", f"{warning.category.__name__}: {str(warning.message)[:400]}")

    if "repack" not in checks.failed:
        with checks.step("compare"):
            copied = copied_links(caught)
            differences = compare_nwb_files(source.path, target, copied_links=copied)
            if differences:
                differences, tolerated = without_pynwb_migrations(
                    differences, source, target_backend, tmp_path / "reference", copied
                )
                for line in tolerated:
                    record_property("tolerated_migration", line)
                    print(f"tolerated (pynwb's own export makes it too): {line}")
            if differences:
                shown = differences[:12] + ([f"... {len(differences) - 12} more"] if len(differences) > 12 else [])
                checks.add("compare", f"{len(differences)} difference(s):\n    " + "\n    ".join(shown))
        if source.validation is not None:
            with checks.step("validate the target"):
                new = sorted(validation_errors(target) - source.validation)
                if new:
                    checks.add("validate the target", f"{len(new)} new error(s): " + " | ".join(new[:8]))
        if source.issues is not None:
            with checks.step("inspect the target"):
                known = {_key(issue) for issue in source.issues}
                new = sorted(
                    issue
                    for issue in critical_issues(target)
                    if _key(issue) not in known and not _known_tool_failure(issue, target)
                )
                if new:
                    checks.add("inspect the target", f"{len(new)} new CRITICAL+ issue(s): " + " | ".join(new[:8]))

    if checks.problems:
        steps = ", ".join(dict.fromkeys(problem.split("]")[0].lstrip("[") for problem in checks.problems))
        pytest.fail("\n".join([f"{len(checks.problems)} problem(s) in: {steps}", *checks.problems]), pytrace=False)


def test_only_what_pynwb_export_changes_too_is_tolerated(tmp_path: Path) -> None:
    """The migration tolerance is not blind: a difference pynwb's own export does not make still counts."""
    import h5py

    entry = next(entry for entry in ENTRIES if entry.name == "pynwb-backcompat-1.0.2_str_pub")
    source = Source(entry, path=corpus_file(entry.name))
    target = tmp_path / "target.nwb"
    plain_export(source.path, target, "hdf5", pickled=False)
    with h5py.File(target, "a") as file:
        file["general"].attrs["added_by_the_writer"] = "not in the source"

    differences = compare_nwb_files(source.path, target)
    kept, tolerated = without_pynwb_migrations(differences, source, "hdf5", tmp_path / "reference", set())
    assert kept == ["/general: attribute 'added_by_the_writer' in the target only"]
    # (pynwb's plain export also drops the 1.0.x 'help' attributes, which the package's repack keeps)
    assert sorted(tolerated) == [
        "/: attribute 'help' of the source is missing",
        "/: attribute 'object_id' in the target only",
        "/general/related_publications: has shape () in the source, (1,) in the target",
    ]
