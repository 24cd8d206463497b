"""Scalar compound datasets (``ElectrodeGroup.position``) are written to Zarr, read back and repacked both ways.

hdmf-zarr 0.13 cannot write a scalar dataset with a compound dtype (hdmf-dev/hdmf-zarr#277): every NWBFile with an
``ElectrodeGroup`` that has a ``position`` failed to write to Zarr, in memory or repacked from HDF5. The package
writes such a dataset as hdmf-zarr writes every other scalar (a one-element array marked ``zarr_dtype == "scalar"``),
which hdmf-zarr 0.13 reads back; a repack to HDF5 writes it scalar again.
"""

from __future__ import annotations

import sys
import warnings
from datetime import datetime, timezone
from pathlib import Path

import h5py
import numpy as np
import pytest
import zarr

sys.path.insert(0, str(Path(__file__).resolve().parent / "corpus"))
from compare import compare_nwb_files  # noqa: E402

from nwbconfig_widget import configure_and_write_nwbfile, repack_nwbfile  # noqa: E402

POSITION = "general/extracellular_ephys/shank/position"
SPEC_DTYPE = np.dtype([("x", "<f4"), ("y", "<f4"), ("z", "<f4")])


def _nwbfile(position=(1.5, -2.0, 3.25)):
    from pynwb import NWBFile

    nwbfile = NWBFile(
        session_description="scalar compound",
        identifier="scalar-compound",
        session_start_time=datetime(2024, 1, 2, tzinfo=timezone.utc),
    )
    device = nwbfile.create_device(name="probe", description="a probe")
    nwbfile.create_electrode_group(
        name="shank", description="one shank", location="CA1", device=device, position=position
    )
    return nwbfile


def _read_position(path: Path):
    """The position pynwb reads from ``path`` (HDF5 or Zarr), as (x, y, z) floats, and its shape."""
    if path.is_dir():
        from hdmf_zarr.nwb import NWBZarrIO as io_class
    else:
        from pynwb import NWBHDF5IO as io_class
    with io_class(str(path), mode="r") as io:
        position = io.read().electrode_groups["shank"].position
        values = np.asarray(position).reshape(-1)
        return tuple(float(values[field][0]) for field in ("x", "y", "z")), np.shape(position)


def _stored(path: Path):
    """(shape, dtype, values, zarr_dtype) of the position as the file stores it (h5py / zarr, not pynwb)."""
    if path.is_dir():
        array = zarr.open(str(path), mode="r")[POSITION]
        return array.shape, array.dtype, array[...], array.attrs.get("zarr_dtype")
    with h5py.File(path, "r") as file:
        dataset = file[POSITION]
        return dataset.shape, dataset.dtype, dataset[()], None


def _validate(path: Path) -> list:
    from pynwb import validate

    if path.is_dir():
        from hdmf_zarr.nwb import NWBZarrIO
        from pynwb.validation import get_cached_namespaces_to_validate

        # As validate(path=...) does for HDF5: a type map of the namespaces the file caches only. (The io's own
        # manager holds every extension this process imported, e.g. by the corpus tests, and pynwb then fails with
        # "data type 'NWBFile' not found in namespace ndx-fiber-photometry".)
        with NWBZarrIO(str(path), mode="r") as probe:
            _, manager, _ = get_cached_namespaces_to_validate(io=probe)
        with NWBZarrIO(str(path), mode="r", manager=manager) as io:
            return validate(io=io)
    return validate(path=str(path))


def test_in_memory_nwbfile_with_a_position_is_written_to_zarr(tmp_path):
    target = configure_and_write_nwbfile(_nwbfile(), tmp_path / "memory.nwb.zarr")
    shape, dtype, values, zarr_dtype = _stored(target)
    # As hdmf-zarr stores every scalar (ZarrIO.__scalar_fill__), in the float32 fields the schema declares.
    assert (shape, dtype, zarr_dtype) == ((1,), SPEC_DTYPE, "scalar")
    assert values.tolist() == [(1.5, -2.0, 3.25)]
    assert _read_position(target)[0] == (1.5, -2.0, 3.25)
    assert _validate(target) == []


def test_in_memory_nwbfile_written_to_hdf5_keeps_a_scalar_position(tmp_path):
    target = configure_and_write_nwbfile(_nwbfile(), tmp_path / "memory.nwb")
    shape, dtype, values, _ = _stored(target)
    assert (shape, dtype, values.tolist()) == ((), SPEC_DTYPE, (1.5, -2.0, 3.25))


@pytest.fixture
def hdf5_source(tmp_path) -> Path:
    from pynwb import NWBHDF5IO

    path = tmp_path / "source.nwb"
    with NWBHDF5IO(str(path), mode="w") as io:
        io.write(_nwbfile())
    return path


def test_hdf5_to_zarr_to_hdf5_and_zarr_to_zarr_lose_nothing(hdf5_source, tmp_path):
    as_zarr = tmp_path / "repacked.nwb.zarr"
    repack_nwbfile(hdf5_source, as_zarr)
    assert compare_nwb_files(hdf5_source, as_zarr) == []
    assert _stored(as_zarr)[0] == (1,) and _stored(as_zarr)[3] == "scalar"
    assert _read_position(as_zarr)[0] == (1.5, -2.0, 3.25)
    assert _validate(as_zarr) == []

    # hdmf-zarr reads the scalar as a one-element array: the HDF5 file gets the scalar of the source back.
    back = tmp_path / "back.nwb"
    repack_nwbfile(as_zarr, back)
    assert compare_nwb_files(hdf5_source, back) == []
    shape, dtype, values, _ = _stored(back)
    assert (shape, dtype, values.tolist()) == ((), SPEC_DTYPE, (1.5, -2.0, 3.25))
    assert _read_position(back) == ((1.5, -2.0, 3.25), ())
    assert _validate(back) == []

    again = tmp_path / "again.nwb.zarr"
    repack_nwbfile(as_zarr, again)
    assert compare_nwb_files(as_zarr, again) == []
    assert _stored(again)[3] == "scalar"


def test_a_one_row_compound_of_hdf5_keeps_its_shape(tmp_path):
    """Only what the schema declares scalar is written scalar: a stored one-element array stays one."""
    from pynwb import NWBHDF5IO

    path = tmp_path / "one_row.nwb"
    with NWBHDF5IO(str(path), mode="w") as io:
        io.write(_nwbfile())
    with h5py.File(path, "a") as file:  # as pynwb < 2.8 could write it (pynwb issue 1768): one row, not a scalar
        del file[POSITION]
        file.create_dataset(POSITION, data=np.array([(1.5, -2.0, 3.25)], dtype=SPEC_DTYPE))
    for suffix in (".nwb", ".nwb.zarr"):
        target = tmp_path / f"one_row_out{suffix}"
        with warnings.catch_warnings():
            # pynwb reads the one-row position as it is, and says the file does not follow the schema; expected here.
            warnings.filterwarnings("ignore", message=".*position.*", category=UserWarning)
            repack_nwbfile(path, target)
        assert compare_nwb_files(path, target) == [], suffix


def test_a_scalar_compound_outside_the_schema_crosses_formats(hdf5_source, tmp_path):
    """A scalar compound added with h5py is copied to Zarr as hdmf-zarr stores a scalar, and back to a 0-d dataset."""
    with h5py.File(hdf5_source, "a") as file:
        file["general"].create_dataset("calibration", data=np.array((2.5, 7), dtype=[("gain", "<f8"), ("n", "<i2")]))
    as_zarr = tmp_path / "outside.nwb.zarr"
    repack_nwbfile(hdf5_source, as_zarr)
    assert compare_nwb_files(hdf5_source, as_zarr) == []
    array = zarr.open(str(as_zarr), mode="r")["general/calibration"]
    assert (array.shape, array.attrs["zarr_dtype"], array[0].tolist()) == ((1,), "scalar", (2.5, 7))
    back = tmp_path / "outside_back.nwb"
    repack_nwbfile(as_zarr, back)
    assert compare_nwb_files(hdf5_source, back) == []
    with h5py.File(back, "r") as file:
        assert (file["general/calibration"].shape, file["general/calibration"][()].tolist()) == ((), (2.5, 7))
