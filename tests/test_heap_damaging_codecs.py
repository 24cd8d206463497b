"""A codec that damages the memory of the process it runs in is refused before it can run in the user's process.

hdf5plugin 7.1's SZ3 writes past its buffers on 8- and 16-bit integer data. Depending on the chunk's shape and values,
the process aborts at once ("corrupted size vs. prev_size"), crashes later somewhere else (an abort inside an
unrelated HDF5 write was seen in the test suite), or goes on with damaged memory. A trial in a separate process cannot
clear it (the damage often passes unseen there), so the model refuses SZ3 on 8- and 16-bit integers outright, with the
reason and the fix. The tests below show both halves: the plain trial process answers "no problem", and the same
trial under glibc's heap checks crashes. (Running every trial under those checks was measured and not kept: with
``libc_malloc_debug.so.0`` preloaded the trial process of a Blosc trial grew from 36 MB to 313 MB.)
"""

from __future__ import annotations

import ctypes.util
import json
import os
import subprocess
import sys
import tempfile

import hdf5plugin
import numpy as np
import pytest

from nwbconfig_widget import HDF5DatasetIOConfiguration, _codec_trials
from nwbconfig_widget.codecs import check_pipeline, hdf5_dataset_kwargs, json_safe
from nwbconfig_widget.models import ConfigurationError

needs_glibc = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the heap checks measured are glibc's")


def _configuration(dtype: str) -> HDF5DatasetIOConfiguration:
    return HDF5DatasetIOConfiguration(
        object_id="abc",
        location_in_file="acquisition/ElectricalSeries/data",
        dataset_name="data",
        dtype=np.dtype(dtype),
        full_shape=(30_000, 384),
        chunk_shape=(1_000, 64),
        buffer_shape=(30_000, 384),
    )


@pytest.mark.parametrize("dtype", ["int8", "uint8", "int16", "uint16"])
def test_sz3_on_small_integers_is_refused_with_the_fix_and_the_model_is_unchanged(dtype):
    configuration = _configuration(dtype)
    before = configuration.to_dict()
    with pytest.raises(ConfigurationError) as refused:
        configuration.update(compression_method="SZ3", compression_options={"absolute": 0.5})
    message = str(refused.value)
    assert message.startswith("acquisition/ElectricalSeries/data: compression_options={'absolute': 0.5} is invalid")
    assert f"SZ3 cannot encode {dtype} data (hdf5plugin {hdf5plugin.version}'s SZ3 writes past its buffers" in message
    assert "use SZ, which takes the same error-bound options" in message
    assert configuration.to_dict() == before


@pytest.mark.parametrize("dtype", ["int8", "int16"])
def test_sz_the_suggested_codec_is_accepted_on_the_same_data(dtype):
    configuration = _configuration(dtype)
    configuration.update(compression_method="SZ", compression_options={"absolute": 0.5})
    assert configuration.compression_method == "SZ"


@pytest.mark.parametrize("dtype", ["int32", "float32", "float64"])
def test_sz3_on_wider_types_is_accepted(dtype):
    check_pipeline("hdf5", np.dtype(dtype), (1_000, 64), (30_000, 384), "SZ3", {"absolute": 0.5})


def _sz3_request(dtype: str, shape: tuple[int, ...]) -> dict:
    return {
        "backend": "hdf5",
        "dtype": np.dtype(dtype).str,
        "shape": list(shape),
        "lossless": False,
        "kwargs": json_safe(hdf5_dataset_kwargs("SZ3", {"absolute": 0.01}, [])),
    }


def _answer_of_a_child(request: dict, environment: dict[str, str]) -> tuple[int, str]:
    """Run one trial in a trial process started with ``environment``; its exit code and answer line."""
    with tempfile.TemporaryDirectory() as folder:  # the folder of its trial files, as the parent side gives it
        child = subprocess.run(
            [sys.executable, _codec_trials.__file__, folder],
            input=json.dumps(request) + "\n",
            capture_output=True,
            text=True,
            env=environment,
            timeout=120,
        )
    return child.returncode, child.stdout.strip()


def _heap_checks(environment: dict[str, str]) -> dict[str, str] | None:
    """``environment`` with glibc's heap checks on (a damaged allocation aborts the process at once), or None when
    the system does not have glibc's debugging allocator."""
    library = ctypes.util.find_library("c_malloc_debug")
    if library is None:
        return None
    return {**environment, "MALLOC_CHECK_": "3", "LD_PRELOAD": library}


@needs_glibc
def test_the_damage_passes_unseen_in_a_plain_trial_and_crashes_a_checked_one():
    """uint16 zeros in 1,000-value chunks: SZ3 damages the heap, yet the trial process answers "no problem"; under
    glibc's heap checks the same trial ends at the damaged allocation. (If hdf5plugin fixes SZ3, the second half
    fails: then the refusal of SZ3 on small integers can go.)"""
    request = _sz3_request("uint16", (1_000,))
    code, answer = _answer_of_a_child(request, dict(os.environ))
    assert code == 0 and json.loads(answer) == {"problem": None}
    checked = _heap_checks(dict(os.environ))
    if checked is None:
        pytest.skip("glibc's debugging allocator (libc_malloc_debug.so.0) is not installed")
    code, answer = _answer_of_a_child(request, checked)
    assert code != 0 and answer == ""
