"""A codec that damages the memory of the process it runs in is refused before it can run in the user's process.

hdf5plugin 7.1's SZ3 writes past its buffers on 8- and 16-bit integer data. Depending on the chunk's shape and values,
the process aborts at once ("corrupted size vs. prev_size"), crashes later somewhere else (an abort inside an
unrelated HDF5 write was seen in the test suite), or goes on with damaged memory. So:

- the model refuses SZ3 on 8- and 16-bit integers outright, with the reason and the fix;
- the codec trial process runs with the C library's heap checks, which turn such damage into an immediate crash of
  the trial (reported as a refusal) instead of damage that passes unseen.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

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
    assert f"SZ3 (hdf5plugin {hdf5plugin.version}) writes past its buffers on {dtype} data" in message
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
    child = subprocess.run(
        [sys.executable, _codec_trials.__file__],
        input=json.dumps(request) + "\n",
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
    )
    return child.returncode, child.stdout.strip()


@needs_glibc
def test_without_heap_checks_the_damage_passes_unseen_and_with_them_the_trial_crashes():
    """uint16 zeros in 1,000-value chunks: SZ3 damages the heap, yet the plain process answers "no problem"; the
    trial's environment ends it at the damaged allocation. (If hdf5plugin fixes SZ3, the second half fails: then the
    refusal of SZ3 on small integers can go.)"""
    request = _sz3_request("uint16", (1_000,))
    code, answer = _answer_of_a_child(request, dict(os.environ))
    assert code == 0 and json.loads(answer) == {"problem": None}
    code, answer = _answer_of_a_child(request, _codec_trials._heap_checks(os.environ))
    assert code != 0 and answer == ""


@needs_glibc
def test_the_trial_reports_a_heap_damaging_codec_as_a_crash():
    problem = _codec_trials.run_trial(_sz3_request("uint16", (1_000,)))
    assert problem is not None and "ended the process that encoded a sample" in problem
