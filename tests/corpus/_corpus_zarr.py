"""More Zarr sources (kind "hdmf-zarr"): HDF5 corpus files converted with hdmf-zarr's NWBZarrIO.export (how hdmf-zarr
documents the conversion), a file written with the JSON object codec instead of the default Pickle, and a file whose
arrays a user configured with ZarrDataIO (compressors, filters, chunks). The NWBZarrIO.write twins of core, mock and
extension files ("...-zarr") are made next to their HDF5 originals in _corpus_core.py and _corpus_extensions.py.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from _corpus_common import (
    CorpusEntry,
    Need,
    Recipe,
    entry_name_of,
    export_hdf5_to_zarr,
    new_nwbfile,
    rng_for,
    write_zarr,
)

# HDF5 corpus entries converted to Zarr (varied content: back-compat files, filters, extensions, NeuroConv output).
# Not ndx-pose-training: hdmf-zarr 0.13.0 exports its SkeletonInstance ``id`` (a scalar uint8 dataset) so that it
# reads back as a Python int, and ndx-pose then refuses to construct the SkeletonInstance ("incorrect type for 'id'
# (got 'int', expected 'uint8, ...')"), so the exported store cannot be read.
EXPORTED = (
    "mock-Units",
    "core-storage-gzip9-shuffle",
    "core-misc-behavior",  # (files with ElectrodeGroup.position cannot go to Zarr: hdmf-dev/hdmf-zarr#277)
    "pynwb-backcompat-2.2.0_subject_no_age__reference",
    "pynwb-backcompat-3.0.0_electrodes_dynamic_table",
    "ndx-optogenetics-two-sites",
    "ndx-fiber-photometry-one-fiber",
    "neuroconv-segmentation",
)


def _export_recipe(source: str) -> Recipe:
    def build(path: Path, need: Need) -> None:
        export_hdf5_to_zarr(need(source), path)

    origin = f"corpus entry {source} converted with hdmf-zarr 0.13.0 NWBZarrIO.export(write_args link_data=False)"
    return Recipe(CorpusEntry(f"{source}-zarr-export", "zarr", "hdmf-zarr", origin), build)


def _images_json_codec(path: Path, need: Need) -> None:
    """Images with ImageReferences and an electrodes table, object references stored with numcodecs.JSON."""
    import numcodecs
    from pynwb.base import ImageReferences, Images
    from pynwb.image import GrayscaleImage

    rng = rng_for(entry_name_of(path))
    nwbfile = new_nwbfile(entry_name_of(path))
    first = GrayscaleImage(name="first", data=rng.integers(0, 255, (6, 6), dtype=np.uint8))
    second = GrayscaleImage(name="second", data=rng.integers(0, 255, (6, 6), dtype=np.uint8))
    order = ImageReferences(name="order_of_images", data=[second, first])
    nwbfile.add_acquisition(Images(name="images", images=[first, second], order_of_images=order))
    device = nwbfile.create_device(name="probe")
    group = nwbfile.create_electrode_group(name="shank0", description="shank", location="CA1", device=device)
    for _ in range(2):
        nwbfile.add_electrode(group=group, location="CA1")
    write_zarr(nwbfile, path, object_codec_class=numcodecs.JSON)


def _zarr_dataio(path: Path, need: Need) -> None:
    """Arrays a user configured with ZarrDataIO: Blosc zstd + Delta, GZip, no compressor, uneven chunks."""
    from hdmf_zarr import ZarrDataIO
    from numcodecs import Blosc, Delta, GZip
    from pynwb import TimeSeries

    rng = rng_for(entry_name_of(path))
    nwbfile = new_nwbfile(entry_name_of(path))
    counts = rng.integers(-1000, 1000, size=(300, 4)).astype(np.int16)
    settings = {
        "blosc_zstd_delta": {
            "chunks": (100, 4),
            "compressor": Blosc(cname="zstd", clevel=5, shuffle=Blosc.BITSHUFFLE),
            "filters": [Delta(dtype="<i2")],
        },
        "gzip": {"chunks": (128, 2), "compressor": GZip(level=6)},
        "uncompressed": {"chunks": (300, 1), "compressor": None},
    }
    for name, options in settings.items():
        nwbfile.add_acquisition(TimeSeries(name=name, data=ZarrDataIO(counts, **options), unit="counts", rate=100.0))
    write_zarr(nwbfile, path)


def recipes() -> list[Recipe]:
    """Zarr exports of HDF5 entries, the JSON-codec file and the ZarrDataIO file."""
    found = [_export_recipe(source) for source in EXPORTED]
    found.append(
        Recipe(
            CorpusEntry(
                "core-Images-json-codec-zarr",
                "zarr",
                "hdmf-zarr",
                "hdmf-zarr 0.13.0 NWBZarrIO(object_codec_class=numcodecs.JSON).write: references stored as JSON",
            ),
            _images_json_codec,
        )
    )
    found.append(
        Recipe(
            CorpusEntry(
                "core-storage-zarrdataio-zarr",
                "zarr",
                "hdmf-zarr",
                "hdmf-zarr 0.13.0 NWBZarrIO.write of ZarrDataIO(chunks, Blosc zstd + Delta / GZip 6 / no compressor)",
            ),
            _zarr_dataio,
        )
    )
    return found
