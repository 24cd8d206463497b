"""A lossless pipeline that encodes without an error but gives back other values is refused before any write.

hdf5plugin's FciDecomp (JPEG-LS, HDF5 filter 32018) reads only the first three axes of a chunk: on a chunk of four or
more axes it stores part of the data and decodes the rest as garbage, with no error on write or read. A read in the
same open file even hides it (HDF5 serves the chunk from its cache). The codec trial reads its sample back from a
reopened file with no chunk cache and compares every value.
"""

from __future__ import annotations

import h5py
import hdf5plugin
import numpy as np
import pytest

from nwbconfig_widget import HDF5DatasetIOConfiguration
from nwbconfig_widget.models import ConfigurationError


def _configuration(shape: tuple[int, ...], chunks: tuple[int, ...]) -> HDF5DatasetIOConfiguration:
    return HDF5DatasetIOConfiguration(
        object_id="abc",
        location_in_file="acquisition/volume/data",
        dataset_name="data",
        dtype=np.dtype("uint16"),
        full_shape=shape,
        chunk_shape=chunks,
        buffer_shape=shape,
    )


def test_fcidecomp_corrupts_chunks_of_four_axes_through_plain_h5py(tmp_path):
    """The upstream behaviour the refusal rests on (if hdf5plugin fixes it, this fails and the refusal goes away)."""
    data = np.random.default_rng(0).integers(0, 30_000, size=(2, 3, 7, 4), dtype="uint16")
    with h5py.File(tmp_path / "plain.h5", "w") as file:
        file.create_dataset("d", data=data, chunks=(2, 3, 3, 4), **hdf5plugin.FciDecomp())
    with h5py.File(tmp_path / "plain.h5", "r") as file:
        assert not np.array_equal(file["d"][()], data)


@pytest.mark.parametrize(("shape", "chunks"), [((2, 3, 7, 4), (2, 3, 3, 4)), ((3, 3, 1, 7, 4), (3, 3, 1, 3, 4))])
def test_a_pipeline_that_changes_values_is_refused_and_the_model_is_unchanged(shape, chunks):
    configuration = _configuration(shape, chunks)
    before = configuration.to_dict()
    with pytest.raises(ConfigurationError) as refused:
        configuration.compression_method = "FciDecomp"
    message = str(refused.value)
    assert message.startswith("acquisition/volume/data: compression_method='FciDecomp' is invalid")
    assert "gives back other values than it was given" in message
    assert configuration.to_dict() == before


def test_the_same_codec_on_three_axes_is_accepted_and_round_trips(tmp_path):
    configuration = _configuration((5, 64, 64), (2, 64, 64))
    configuration.compression_method = "FciDecomp"
    assert configuration.compression_method == "FciDecomp"
    data = np.random.default_rng(1).integers(0, 30_000, size=(5, 64, 64), dtype="uint16")
    with h5py.File(tmp_path / "three.h5", "w") as file:
        file.create_dataset("d", data=data, chunks=configuration.chunk_shape, **hdf5plugin.FciDecomp())
    with h5py.File(tmp_path / "three.h5", "r") as file:
        assert np.array_equal(file["d"][()], data)
