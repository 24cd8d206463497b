"""Round-trip properties: whatever the dtype, shape, chunks, buffers, codec and filters, every value read
back equals the source and the file stores exactly the configured chunks and filters.

Each example is one real NWB file holding several generated datasets (TimeSeries data, DynamicTable columns, the
compound pixel_mask of a PlaneSegmentation) plus one dataset with a zero-length axis. It is written with the public
API -- ``get_default_backend_configuration``, edits of ``dataset_configurations[...]``, then
``configure_and_write_nwbfile`` (in-memory path) or ``repack_nwbfile`` (repack path, from a source written with the
default configuration in either format) -- by the plain (``n_jobs=1``) or the parallel writer, and read back with
h5py / zarr directly.

CI runs the derandomized "ci" profile; ``NWBCONFIG_SOAK=1 python -m pytest tests/reliability/test_properties.py``
runs the "soak" profile (random, 25 times as many examples). See properties_cases.py.
"""

from __future__ import annotations

import logging
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from properties_cases import (
    HDF5_LOSSLESS,
    HDF5_LOSSY,
    KINDS,
    ZARR_LOSSLESS,
    DatasetCase,
    add_case,
    assert_hdf5_layout,
    assert_same_values,
    assert_zarr_layout,
    case_values,
    compression_methods,
    configure,
    new_nwbfile,
    property_settings,
    read_stored,
    settings_for,
)

import nwbconfig_widget.io.parallel as parallel
import nwbconfig_widget.io.parallel_hdf5 as parallel_hdf5
from nwbconfig_widget import (
    ConfigurationError,
    configure_and_write_nwbfile,
    get_default_backend_configuration,
    repack_nwbfile,
)
from nwbconfig_widget.io.repack import open_nwbfile

SUFFIX = {"hdf5": ".nwb", "zarr": ".nwb.zarr"}
ZERO_LENGTH = "acquisition/Empty/data"


class Tally:
    """What a property test ran: examples, dataset cases, refusals by the model, datasets filled in parallel."""

    def __init__(self) -> None:
        self.examples = 0
        self.datasets = 0
        self.lossy = 0
        self.from_iterators = 0
        self.refused: Counter = Counter()
        self.parallel_filled = 0
        self.filled_by_processes = 0

    def record(self, record_property: Callable[[str, object], None]) -> None:
        record_property("examples", self.examples)
        record_property("datasets", self.datasets)
        record_property("refused_for_dtype", sum(self.refused.values()))
        if self.lossy:
            record_property("lossy_datasets", self.lossy)
        if self.from_iterators:
            record_property("datasets_from_data_chunk_iterators", self.from_iterators)
        record_property("parallel_filled", self.parallel_filled)
        record_property("parallel_filled_by_worker_processes", self.filled_by_processes)
        record_property("zero_length_kept_unconfigured", self.examples)  # one per file, refused and written as is


class _ParallelLog(logging.Handler):
    """Counts the datasets the parallel writer encoded chunk by chunk (its debug log line per dataset)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.filled = 0
        self.by_processes = 0

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if "chunks encoded by" in message:
            self.filled += 1
            self.by_processes += "worker processes" in message


@st.composite
def file_cases(draw, backend: str, lossy: bool = False, iterators: bool = False) -> list[DatasetCase]:
    """Two to eight datasets of one NWB file, each with its kind, values, holder and settings; with ``iterators``
    some TimeSeries get their data from a sequential DataChunkIterator (re-buffered by the writer)."""
    kinds = (["float32", "float64"] if backend == "hdf5" else ["float16", "float32", "float64"]) if lossy else KINDS
    cases = []
    for index in range(draw(st.integers(2, 8))):
        kind = draw(st.sampled_from(kinds))
        values, holder = draw(case_values(kind, lossy=lossy))
        case = DatasetCase(name=f"d{index}_{kind}", kind=kind, values=values, holder=holder, lossy=lossy)
        if iterators and holder == "timeseries" and draw(st.integers(0, 2)) == 0:
            case.iterator_rows = draw(st.integers(1, values.shape[0]))
        case.settings = draw(settings_for(backend, case, lossy=lossy))
        cases.append(case)
    return cases


def build_nwbfile(cases: list[DatasetCase]):
    """An NWBFile holding every case, and a TimeSeries whose data has a zero-length axis."""
    from pynwb import TimeSeries

    nwbfile = new_nwbfile()
    for case in cases:
        add_case(nwbfile, case)
    nwbfile.add_acquisition(TimeSeries(name="Empty", data=np.zeros((0, 3), dtype="float32"), unit="a.u.", rate=1.0))
    return nwbfile


def write(cases, folder: Path, backend: str, path_kind: str, source_backend: str, n_jobs: int, tally: Tally) -> Path:
    """Write the cases' file with the configured settings by the in-memory or the repack path; return the target."""
    target = folder / f"target{SUFFIX[backend]}"
    nwbfile = build_nwbfile(cases)
    if path_kind == "write":
        configuration = get_default_backend_configuration(nwbfile, backend=backend)
        configure_all(configuration, cases, tally)
        configure_and_write_nwbfile(nwbfile, target, backend_configuration=configuration, n_jobs=n_jobs)
        return target
    source = folder / f"source{SUFFIX[source_backend]}"
    configure_and_write_nwbfile(nwbfile, source, backend=source_backend, n_jobs=1)
    with open_nwbfile(source) as io:
        configuration = get_default_backend_configuration(io.read(), backend=backend)
    configure_all(configuration, cases, tally)
    repack_nwbfile(source, target, backend_configuration=configuration, n_jobs=n_jobs, allow_pickle=True)
    return target


def configure_all(configuration, cases: list[DatasetCase], tally: Tally) -> None:
    """The zero-length dataset is refused with a reason; every case gets its drawn settings."""
    assert ZERO_LENGTH not in configuration.dataset_configurations
    assert "length 0" in configuration.unconfigurable_datasets[ZERO_LENGTH]
    for case in cases:
        configure(configuration, case, tally.refused)


def check(target: Path, backend: str, cases: list[DatasetCase]) -> None:
    """Every value and the on-disk layout of every case, and the zero-length dataset kept as it was."""
    for case in cases:
        stored, layout = read_stored(target, backend, case)
        assert_same_values(case, stored)
        (assert_hdf5_layout if backend == "hdf5" else assert_zarr_layout)(case, layout)
    empty = DatasetCase(name="Empty", kind="float32", values=np.zeros((0, 3), "float32"), holder="timeseries")
    stored, _layout = read_stored(target, backend, empty)
    assert stored.shape == (0, 3) and stored.dtype == np.float32


def run_property(backend: str, path_kind: str, n_jobs: int, count: int, lossy: bool = False) -> Tally:
    """Run ``count`` generated files through one write path and check each; return the tally."""
    tally = Tally()

    @property_settings(count)
    @given(data=st.data())
    def round_trip(data) -> None:
        cases = data.draw(file_cases(backend, lossy=lossy, iterators=path_kind == "write"), label="datasets")
        source_backend = data.draw(st.sampled_from(["hdf5", "zarr"]), label="source") if path_kind == "repack" else ""
        with tempfile.TemporaryDirectory(prefix="nwbconfig-properties-") as folder:
            target = write(cases, Path(folder), backend, path_kind, source_backend, n_jobs, tally)
            check(target, backend, cases)
        tally.examples += 1
        tally.datasets += len(cases)
        tally.lossy += sum(case.lossy for case in cases)
        tally.from_iterators += sum(case.iterator_rows is not None for case in cases)

    round_trip()
    return tally


# ------------------------------------------------------------------------------------------------------------ tests


@pytest.mark.parametrize(
    "backend, path_kind, count",
    [
        pytest.param("hdf5", "write", 80, id="hdf5-in_memory_write-plain"),
        pytest.param("zarr", "write", 36, id="zarr-in_memory_write-plain"),
        pytest.param("hdf5", "repack", 30, id="hdf5-repack-plain"),
        pytest.param("zarr", "repack", 15, id="zarr-repack-plain"),
    ],
)
def test_round_trip_keeps_every_value_and_the_configured_layout(backend, path_kind, count, record_property):
    tally = run_property(backend, path_kind, n_jobs=1, count=count)
    tally.record(record_property)
    assert tally.examples >= count


@pytest.fixture
def parallel_everywhere(monkeypatch):
    """The parallel writer's size thresholds at zero, so these small datasets take its chunk-by-chunk paths (threads
    for gzip, shuffle, Zstd, LZ4 and Blosc, worker processes for every other HDF5 codec, zarr's thread pool), which
    large files take."""
    monkeypatch.setattr(parallel, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(parallel_hdf5, "PROCESS_MAX_SPEED", float("inf"))
    monkeypatch.setattr(parallel_hdf5, "PROCESS_MIN_SECONDS", 0.0)
    handler = _ParallelLog()
    logger = logging.getLogger(parallel.__name__)
    previous = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(previous)


@pytest.mark.parametrize(
    "backend, path_kind, count",
    [
        pytest.param("hdf5", "write", 10, id="hdf5-in_memory_write-parallel"),
        pytest.param("zarr", "write", 6, id="zarr-in_memory_write-parallel"),
        pytest.param("hdf5", "repack", 6, id="hdf5-repack-parallel"),
        pytest.param("zarr", "repack", 4, id="zarr-repack-parallel"),
    ],
)
def test_parallel_writer_keeps_every_value_and_the_configured_layout(
    backend, path_kind, count, parallel_everywhere, record_property
):
    tally = run_property(backend, path_kind, n_jobs=2, count=count)
    tally.parallel_filled = parallel_everywhere.filled
    tally.filled_by_processes = parallel_everywhere.by_processes
    tally.record(record_property)
    assert tally.examples >= count
    assert tally.parallel_filled > 0, "no dataset went through the parallel writer's chunk encoding"


@pytest.mark.parametrize(
    "backend, count",
    [pytest.param("hdf5", 15, id="hdf5-sz_sz3_sperr_zfp"), pytest.param("zarr", 10, id="zarr-bitround_quantize_scale")],
)
def test_lossy_codecs_stay_within_their_configured_error(backend, count, record_property):
    tally = run_property(backend, "write", n_jobs=1, count=count, lossy=True)
    tally.record(record_property)
    assert tally.lossy > 0


@pytest.mark.parametrize("backend", ["hdf5", "zarr"])
def test_every_available_codec_is_generated(backend):
    """A codec added to the AVAILABLE tables must get generated options here (lossless or lossy)."""
    known = set(HDF5_LOSSLESS) | set(HDF5_LOSSY) if backend == "hdf5" else set(ZARR_LOSSLESS)
    assert set(compression_methods(backend)) <= known


# ------------------------------------------------------------------------------------------- regressions found here


def _configuration_item(backend: str, kind: str, values: np.ndarray, holder: str = "column"):
    case = DatasetCase(name="x", kind=kind, values=values, holder=holder)
    nwbfile = new_nwbfile()
    add_case(nwbfile, case)
    return get_default_backend_configuration(nwbfile, backend=backend).dataset_configurations[case.location]


TEXT = np.array(["ab", "cd", "ab"], dtype=object)


@pytest.mark.parametrize(
    "backend, kind, values, changes, reason",
    [
        pytest.param(
            "hdf5",
            "int8",
            np.arange(4, dtype="int8"),
            {"chunk_shape": (1,), "buffer_shape": (1,), "compression_method": "szip"},
            "szip needs chunks of at least",
            id="hdf5-szip_block_larger_than_the_chunk",
        ),
        pytest.param(
            "hdf5",
            "text",
            TEXT,
            {"filter_methods": ["fletcher32"]},
            "fletcher32 cannot checksum variable-length",
            id="hdf5-fletcher32_on_text",
        ),
        pytest.param(
            "zarr",
            "text",
            TEXT,
            {"filter_methods": ["categorize"], "filter_options": [{"labels": ["ab", "cd"]}]},
            "cannot encode object data",
            id="zarr-categorize_on_text_unreadable_after_hdmf_zarr_object_codec",
        ),
        pytest.param(
            "zarr",
            "float16",
            np.ones(4, dtype="float16"),
            {"filter_methods": ["quantize"], "filter_options": [{"digits": 2}]},
            "overflow to inf",
            id="zarr-quantize_on_float16_overflows",
        ),
    ],
)
def test_model_refuses_settings_that_would_break_the_write_or_the_values(backend, kind, values, changes, reason):
    item = _configuration_item(backend, kind, values)
    before = item.to_dict()
    with pytest.raises(ConfigurationError, match=reason) as raised:
        item.update(**changes)
    assert raised.value.location == item.location_in_file and raised.value.field in changes
    assert item.to_dict() == before


@pytest.mark.parametrize(
    "backend, dtype, changes, lossy",
    [
        pytest.param("hdf5", "float32", {"compression_method": "Zfp"}, True, id="hdf5-zfp_default_mode_rounds"),
        pytest.param(
            "hdf5",
            "float32",
            {"compression_method": "Zfp", "compression_options": {"reversible": True}},
            False,
            id="hdf5-zfp_reversible_is_exact",
        ),
        pytest.param("zarr", "float64", {"filter_methods": ["delta"]}, True, id="zarr-delta_on_floats_rounds"),
        pytest.param("zarr", "int32", {"filter_methods": ["delta"]}, False, id="zarr-delta_on_integers_is_exact"),
    ],
)
def test_lossy_flag_matches_what_the_codec_does(backend, dtype, changes, lossy):
    values = np.array([6.0e16, 1.0, -3.5, 6.0e16, 12688.25] * 8 if dtype[0] == "f" else [7, -3, 12688] * 8, dtype=dtype)
    item = _configuration_item(backend, dtype, values, holder="timeseries")
    item.update(**changes)
    assert item.lossy is lossy
