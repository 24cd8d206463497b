"""Generated datasets, configurations and on-disk checks for the round-trip property tests (``test_properties.py``).

A *case* is one dataset of a real NWB file: its source values, the neurodata object that holds it (a TimeSeries,
a DynamicTable column, or the compound ``pixel_mask`` of a PlaneSegmentation) and the settings drawn for it (chunk
and buffer shapes, compression method and options, filters). Many cases share one NWB file, so that hundreds of
datasets cost few file writes. The codecs tried are those of the package's own ``AVAILABLE_*`` tables; settings the
configuration model refuses for the dtype (``ConfigurationError.unsupported_data``) are counted and replaced by no
compression.

Hypothesis profiles: ``ci`` (the default: derandomized, so every CI run tries the same examples) and ``soak``
(``NWBCONFIG_SOAK=1`` or ``HYPOTHESIS_PROFILE=soak``: random examples, 25 times as many, failures shrunk).
"""

from __future__ import annotations

import math
import os
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from uuid import uuid4

import h5py
import hdf5plugin
import numcodecs
import numpy as np
import zarr
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nwbconfig_widget import (
    AVAILABLE_HDF5_COMPRESSION_METHODS,
    AVAILABLE_HDF5_FILTER_METHODS,
    AVAILABLE_ZARR_COMPRESSION_METHODS,
    AVAILABLE_ZARR_FILTER_METHODS,
    ConfigurationError,
)

# ------------------------------------------------------------------------------------------------ hypothesis profiles

settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    database=None,
    print_blob=True,
    # No shrinking: a failing example of several datasets takes minutes to shrink; its draw is printed whole.
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "soak",
    derandomize=False,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
PROFILE = "soak" if os.environ.get("NWBCONFIG_SOAK") == "1" else os.environ.get("HYPOTHESIS_PROFILE", "ci")
if PROFILE not in ("ci", "soak"):
    PROFILE = "ci"
#: How many more examples each property test runs in the soak profile.
SOAK_FACTOR = 25


def property_settings(count: int) -> settings:
    """The active profile (applied to these tests only) with ``count`` examples, ``SOAK_FACTOR`` times as many in
    the soak profile."""
    return settings(settings.get_profile(PROFILE), max_examples=count * SOAK_FACTOR if PROFILE == "soak" else count)


# ------------------------------------------------------------------------------------------------------------ dtypes

INTEGERS = ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"]
FLOATS = ["float16", "float32", "float64"]
#: Every kind of data generated: numbers, booleans, text (fixed-length numpy bytes/unicode and Python str) and records.
KINDS = [*INTEGERS, *FLOATS, "bool", "fixed_bytes", "fixed_unicode", "text", "compound"]
#: The record type of a PlaneSegmentation's pixel_mask, the compound dataset of the NWB schema used here.
PIXEL_MASK = np.dtype([("x", "<u4"), ("y", "<u4"), ("weight", "<f4")])
#: Largest axis length per number of axes: a few thousand elements at most per dataset.
MAX_AXIS = {1: 3000, 2: 60, 3: 14, 4: 7, 5: 5}

# ------------------------------------------------------------------------------------------------------------ codecs
# Lossless options to try per method. Every method of the AVAILABLE tables must appear here or in LOSSY_*:
# test_every_available_codec_is_generated checks it, so a new codec cannot go untested.

_BLOSC_NAMES = ["blosclz", "lz4", "lz4hc", "zlib", "zstd"]

HDF5_LOSSLESS: dict[str, st.SearchStrategy] = {
    "gzip": st.builds(lambda level: {"level": level}, st.integers(0, 9)),
    "lzf": st.none(),
    "szip": st.builds(
        lambda coding, pixels: {"coding": coding, "pixels_per_block": pixels},
        st.sampled_from(["nn", "ec"]),
        st.sampled_from(list(range(2, 33, 2))),
    ),
    "Bitshuffle": st.one_of(
        st.just({}), st.builds(lambda clevel: {"cname": "zstd", "clevel": clevel}, st.integers(1, 9))
    ),
    "Blosc": st.builds(
        lambda cname, clevel, shuffle: {"cname": cname, "clevel": clevel, "shuffle": shuffle},
        st.sampled_from(_BLOSC_NAMES),
        st.integers(0, 9),
        st.integers(0, 2),
    ),
    "Blosc2": st.builds(
        lambda cname, clevel, filters: {"cname": cname, "clevel": clevel, "filters": filters},
        st.sampled_from(_BLOSC_NAMES),
        st.integers(0, 9),
        st.integers(0, 2),
    ),
    "BZip2": st.builds(lambda blocksize: {"blocksize": blocksize}, st.integers(1, 9)),
    "FciDecomp": st.none(),
    "Htj2k": st.none(),
    "LZ4": st.builds(lambda nbytes: {"nbytes": nbytes}, st.sampled_from([0, 64, 1 << 20])),
    "Zfp": st.just({"reversible": True}),  # Zfp() without options rounds values: it is lossy
    "Zstd": st.builds(lambda clevel: {"clevel": clevel}, st.integers(1, 22)),
}

ZARR_LOSSLESS: dict[str, st.SearchStrategy] = {
    "blosc": st.builds(
        lambda cname, clevel, shuffle: {"cname": cname, "clevel": clevel, "shuffle": shuffle},
        st.sampled_from(_BLOSC_NAMES),
        st.integers(0, 9),
        st.integers(-1, 2),
    ),
    "bz2": st.builds(lambda level: {"level": level}, st.integers(1, 9)),
    "gzip": st.builds(lambda level: {"level": level}, st.integers(0, 9)),
    "lz4": st.builds(lambda acceleration: {"acceleration": acceleration}, st.integers(1, 20)),
    "lzma": st.sampled_from([None, {"preset": 1}, {"preset": 6}]),
    "zlib": st.builds(lambda level: {"level": level}, st.integers(0, 9)),
    "zstd": st.builds(lambda level: {"level": level}, st.integers(-3, 22)),
}

#: Lossy compression: (options, absolute error bound) for data of at most |1000|.
HDF5_LOSSY_TOLERANCE = 0.01
HDF5_LOSSY: dict[str, dict[str, Any]] = {
    "SZ": {"absolute": HDF5_LOSSY_TOLERANCE},
    "SZ3": {"absolute": HDF5_LOSSY_TOLERANCE},
    "Sperr": {"absolute": HDF5_LOSSY_TOLERANCE},
    "Zfp": {"accuracy": HDF5_LOSSY_TOLERANCE},
}
#: Lossy Zarr filters and their options (their error bound is computed in :func:`lossy_bound`).
ZARR_LOSSY_FILTERS: dict[str, dict[str, Any]] = {
    "bitround": {"keepbits": 8},
    "quantize": {"digits": 3},
    "fixedscaleoffset": {"offset": 0, "scale": 100, "astype": "<i4"},
}
#: Filters without options that any fixed-size data goes through unchanged.
ZARR_CHECKSUMS = ["adler32", "crc32", "fletcher32", "jenkins_lookup3"]


def compression_methods(backend: str) -> list[str]:
    """The compression methods the package offers for ``backend``."""
    return list(AVAILABLE_HDF5_COMPRESSION_METHODS if backend == "hdf5" else AVAILABLE_ZARR_COMPRESSION_METHODS)


def filter_methods(backend: str) -> list[str]:
    """The filters the package offers for ``backend``."""
    return list(AVAILABLE_HDF5_FILTER_METHODS if backend == "hdf5" else AVAILABLE_ZARR_FILTER_METHODS)


# ------------------------------------------------------------------------------------------------------------ cases


@dataclass
class DatasetCase:
    """One generated dataset: its values, the object holding it, and the settings drawn for it."""

    name: str
    kind: str
    values: np.ndarray  # the expected values (text as an object array of str, records as a structured array)
    holder: str  # "timeseries", "column" or "pixel_mask"
    settings: dict[str, Any] = field(default_factory=dict)
    lossy: bool = False
    #: Rows handed to pynwb by a sequential DataChunkIterator of this many rows per block (None: the array itself).
    iterator_rows: int | None = None
    configured: dict[str, Any] | None = None  # the settings the configuration holds when the file is written

    @property
    def location(self) -> str:
        """The location of the dataset in the backend configuration."""
        if self.holder == "timeseries":
            return f"acquisition/{self.name}/data"
        if self.holder == "column":
            return f"acquisition/{self.name}/values/data"
        return f"processing/ophys/ImageSegmentation/{self.name}/pixel_mask/data"

    @property
    def stored_path(self) -> str:
        """Where h5py and zarr find the dataset."""
        return self.location if self.holder == "timeseries" else self.location.removesuffix("/data")


def _shape(ndim: int) -> st.SearchStrategy[tuple[int, ...]]:
    """Shapes of ``ndim`` axes, with single elements and lengths that no chunk divides evenly."""
    limit = MAX_AXIS[ndim]
    length = st.one_of(st.just(1), st.integers(1, limit), st.sampled_from([2, 3, 7, limit]))
    return st.tuples(*[length] * ndim).filter(lambda shape: math.prod(shape) <= 6000)


_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12)
_ASCII = st.text(alphabet=st.characters(min_codepoint=1, max_codepoint=127), max_size=8)


@st.composite
def case_values(draw, kind: str, lossy: bool = False) -> tuple[np.ndarray, str]:
    """``(values, holder)`` for one dataset of ``kind``; ``lossy`` keeps floats finite and within |1000|."""
    if kind == "compound":
        count = draw(st.integers(1, 400))
        values = draw(arrays(PIXEL_MASK, (count,), elements=_pixel_mask_elements()))
        return values, "pixel_mask"
    if kind in ("fixed_bytes", "fixed_unicode", "text"):
        shape = draw(_shape(draw(st.integers(1, 2))))
        words = draw(st.lists(_ASCII if kind == "fixed_bytes" else _TEXT, min_size=math.prod(shape)))
        words = words[: math.prod(shape)]
        return np.array(words, dtype=object).reshape(shape), "column"
    ndim = draw(st.integers(1, 5))
    shape = draw(_shape(ndim))
    dtype = np.dtype(kind)
    elements = None
    if lossy:
        # fixedscaleoffset multiplies by its scale (100) in the data's own type: float16 overflows past 65504.
        limit = 300 if dtype.itemsize == 2 else 1000
        elements = st.floats(-limit, limit, width=dtype.itemsize * 8, allow_subnormal=False)
    values = draw(arrays(dtype, shape, elements=elements))
    holder = "column" if ndim == 5 or kind == "bool" or draw(st.booleans()) else "timeseries"
    return values, holder


def _pixel_mask_elements() -> st.SearchStrategy:
    return st.tuples(st.integers(0, 2**32 - 1), st.integers(0, 2**32 - 1), st.floats(width=32)).map(
        lambda row: np.array(row, dtype=PIXEL_MASK)[()]
    )


def source_of(case: DatasetCase) -> Any:
    """What is handed to pynwb: fixed-length numpy strings, Python lists of str, lists of tuples for records."""
    if case.kind == "fixed_bytes":
        return np.array([word.encode("ascii") for word in case.values.ravel()]).reshape(case.values.shape)
    if case.kind == "fixed_unicode":
        return np.array(list(case.values.ravel()), dtype=str).reshape(case.values.shape)
    if case.kind == "text":
        return case.values.tolist()
    if case.kind == "compound":
        return [tuple(row.tolist()) for row in case.values]
    return case.values


# ------------------------------------------------------------------------------------------------------------ settings


@st.composite
def chunk_and_buffer(draw, shape: tuple[int, ...]) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """A chunk shape (edge chunks likely on every axis) and a buffer of whole chunks or spanning an axis."""
    chunk = tuple(draw(st.one_of(st.integers(1, length), st.just(length), st.just(1))) for length in shape)
    buffer = []
    for length, chunk_length in zip(shape, chunk):
        chunks_on_axis = -(-length // chunk_length)
        buffer.append(min(length, chunk_length * draw(st.integers(1, chunks_on_axis))))
    return chunk, tuple(buffer)


@st.composite
def compression(draw, backend: str) -> tuple[str | None, dict[str, Any] | None]:
    """A lossless compression method of the backend (or none) with options."""
    table = HDF5_LOSSLESS if backend == "hdf5" else ZARR_LOSSLESS
    methods = [name for name in compression_methods(backend) if name in table]
    method = draw(st.sampled_from([None, *methods]))
    return (method, draw(table[method])) if method is not None else (None, None)


@st.composite
def lossless_filters(draw, backend: str, case: DatasetCase) -> tuple[list[str], list[dict[str, Any] | None]]:
    """Filters that keep every value: HDF5 shuffle/fletcher32; Zarr delta, shuffle, checksums and more by dtype."""
    if backend == "hdf5":
        names = draw(st.lists(st.sampled_from(filter_methods("hdf5")), unique=True, max_size=2))
        return names, [None] * len(names)
    candidates: dict[str, dict[str, Any] | None] = {name: None for name in ZARR_CHECKSUMS}
    candidates["shuffle"] = None
    kind = case.values.dtype.kind
    if kind in "iu":
        candidates["delta"] = None  # (fixedscaleoffset computes in float64: lossy for 64-bit integers; not here)
        wider = np.promote_types(case.values.dtype, np.int64 if kind == "i" else np.uint64)
        candidates["astype"] = {"encode_dtype": wider.str, "decode_dtype": case.values.dtype.str}
    if kind == "f":
        # (not delta: inexact on floats, which the model reports as lossy; test_delta_on_floats_is_reported_lossy)
        candidates["astype"] = {"encode_dtype": "<f8", "decode_dtype": case.values.dtype.str}
    if kind == "b":
        candidates["packbits"] = None
    if case.kind in ("text", "fixed_unicode", "fixed_bytes"):
        labels = sorted({str(word) for word in case.values.ravel()})
        candidates = {"categorize": {"labels": labels, "astype": "<u2"}} if len(labels) < 60000 else {}
    candidates = {name: options for name, options in candidates.items() if name in filter_methods("zarr")}
    names = draw(st.lists(st.sampled_from(sorted(candidates)), unique=True, max_size=2)) if candidates else []
    return names, [candidates[name] for name in names]


@st.composite
def settings_for(draw, backend: str, case: DatasetCase, lossy: bool = False) -> dict[str, Any]:
    """All editable settings of one dataset; HDF5 datasets are sometimes contiguous (no chunks, no filters)."""
    shape = case.values.shape
    if backend == "hdf5" and not lossy and draw(st.integers(0, 9)) == 0:
        return {
            "chunk_shape": None,
            "buffer_shape": draw(chunk_and_buffer(shape))[1],
            "compression_method": None,
            "compression_options": None,
            "filter_methods": [],
            "filter_options": [],
        }
    chunk, buffer = draw(chunk_and_buffer(shape))
    if lossy:
        method, options, names, filter_options = _lossy_pipeline(draw, backend)
    else:
        method, options = _fit_szip_block(*draw(compression(backend)), chunk)
        names, filter_options = draw(lossless_filters(backend, case))
    return {
        "chunk_shape": chunk,
        "buffer_shape": buffer,
        "compression_method": method,
        "compression_options": options,
        "filter_methods": names,
        "filter_options": filter_options,
    }


def _fit_szip_block(method: str | None, options: dict | None, chunk: tuple[int, ...]) -> tuple[str | None, Any]:
    """szip blocks must fit in a chunk (the model refuses others: test_szip_refuses_chunks_smaller_than_a_block)."""
    if method != "szip":
        return method, options
    elements = math.prod(chunk)
    if elements < 2:
        return "gzip", None
    return method, {**options, "pixels_per_block": min(options["pixels_per_block"], elements - elements % 2)}


def _lossy_pipeline(draw, backend: str) -> tuple[str | None, dict | None, list[str], list[dict | None]]:
    if backend == "hdf5":
        method = draw(st.sampled_from([name for name in HDF5_LOSSY if name in AVAILABLE_HDF5_COMPRESSION_METHODS]))
        return method, dict(HDF5_LOSSY[method]), [], []
    name = draw(st.sampled_from([name for name in ZARR_LOSSY_FILTERS if name in AVAILABLE_ZARR_FILTER_METHODS]))
    method, options = draw(compression("zarr"))
    return method, options, [name], [dict(ZARR_LOSSY_FILTERS[name])]


def lossy_bound(case: DatasetCase) -> np.ndarray:
    """The largest error each value may have with the lossy pipeline of ``case``."""
    values = np.abs(case.values.astype(np.float64))
    method, names = case.configured["compression_method"], case.configured["filter_methods"]
    if method in HDF5_LOSSY:
        bound = np.full(values.shape, HDF5_LOSSY_TOLERANCE)
    elif "bitround" in names:
        keepbits = ZARR_LOSSY_FILTERS["bitround"]["keepbits"]
        bound = values * 2.0**-keepbits
    elif "quantize" in names:
        bound = np.full(values.shape, 10.0 ** -ZARR_LOSSY_FILTERS["quantize"]["digits"])
    else:
        bound = np.full(values.shape, 0.5 / ZARR_LOSSY_FILTERS["fixedscaleoffset"]["scale"])
    # The codec computes in the dataset's precision: allow one unit in the last place of the value on top.
    return bound * (1 + 1e-6) + np.spacing(values.astype(case.values.dtype)).astype(np.float64)


# ------------------------------------------------------------------------------------------------------------ NWB file


def new_nwbfile() -> Any:
    """An empty NWBFile."""
    from pynwb import NWBFile

    return NWBFile(
        identifier=str(uuid4()),
        session_start_time=datetime(2024, 1, 1, tzinfo=timezone.utc),
        session_description="round-trip properties",
    )


def add_case(nwbfile: Any, case: DatasetCase) -> None:
    """Put the dataset of ``case`` in ``nwbfile`` inside its neurodata object."""
    from hdmf.common import DynamicTable
    from hdmf.data_utils import DataChunkIterator
    from pynwb import TimeSeries

    if case.holder == "timeseries":
        data = source_of(case)
        if case.iterator_rows is not None:
            data = DataChunkIterator(data=data, maxshape=data.shape, dtype=data.dtype, buffer_size=case.iterator_rows)
        nwbfile.add_acquisition(TimeSeries(name=case.name, data=data, unit="a.u.", rate=10.0))
    elif case.holder == "column":
        table = DynamicTable(name=case.name, description="generated", id=list(range(case.values.shape[0])))
        table.add_column(name="values", description="generated values", data=source_of(case))
        nwbfile.add_acquisition(table)
    else:
        _add_plane_segmentation(nwbfile, case)


def _add_plane_segmentation(nwbfile: Any, case: DatasetCase) -> None:
    from pynwb.ophys import ImageSegmentation, OpticalChannel, PlaneSegmentation

    if "plane" not in nwbfile.imaging_planes:
        device = nwbfile.create_device(name="microscope")
        nwbfile.create_imaging_plane(
            name="plane",
            optical_channel=OpticalChannel(name="green", description="green", emission_lambda=520.0),
            description="plane",
            device=device,
            excitation_lambda=920.0,
            imaging_rate=30.0,
            indicator="GCaMP",
            location="V1",
        )
    if "ophys" not in nwbfile.processing:
        nwbfile.create_processing_module(name="ophys", description="ophys").add(ImageSegmentation())
    segmentation = nwbfile.processing["ophys"]["ImageSegmentation"]
    planes = PlaneSegmentation(name=case.name, description="rois", imaging_plane=nwbfile.imaging_planes["plane"])
    rows = source_of(case)
    half = max(1, len(rows) // 2)
    for part in (rows[:half], rows[half:]):  # two ROIs, so the ragged index has work to do
        if part:
            planes.add_roi(pixel_mask=part)
    segmentation.add_plane_segmentation(planes)


# ---------------------------------------------------------------------------------------------------- configuring


def configure(configuration: Any, case: DatasetCase, refused: Counter) -> None:
    """Apply the drawn settings of ``case`` through the public model; a refusal for the dtype falls back to none.

    Refusals are counted in ``refused`` by (compression method + filters, dtype). Any other ConfigurationError is a
    failure of the test: the settings drawn are meant to be valid.
    """
    item = configuration.dataset_configurations[case.location]
    wanted = dict(case.settings)
    try:
        item.update(**wanted)
    except ConfigurationError as error:
        if not error.unsupported_data:
            raise
        pipeline = "+".join([*wanted["filter_methods"], str(wanted["compression_method"])])
        refused[f"{pipeline} on {case.kind}"] += 1
        case.lossy = False
        item.update(
            chunk_shape=wanted["chunk_shape"] or item.chunk_shape,
            buffer_shape=wanted["buffer_shape"] if wanted["chunk_shape"] else item.buffer_shape,
            compression_method=None,
            compression_options=None,
            filter_methods=[],
            filter_options=[],
        )
    assert item.lossy == case.lossy, f"{case.location}: the model says lossy={item.lossy} for {case.settings}"
    case.configured = {name: getattr(item, name) for name in item.EDITABLE_FIELDS}
    case.configured["compression_options"] = dict(item.compression_options or {}) or None


# ------------------------------------------------------------------------------------------------------------ checking


def read_stored(path: Any, backend: str, case: DatasetCase) -> tuple[np.ndarray, Any]:
    """The stored values of ``case`` (text decoded to str) and the h5py dataset / zarr array metadata."""
    if backend == "hdf5":
        with h5py.File(path, "r") as file:
            dataset = file[case.stored_path]
            if h5py.check_string_dtype(dataset.dtype) is not None:
                values = np.asarray(dataset.asstr()[()], dtype=object)
            else:
                values = dataset[()]
            return values, _hdf5_layout(dataset)
    array = zarr.open(str(path), mode="r")[case.stored_path]
    values = array[...]
    if values.dtype.kind == "O":
        values = np.asarray([_text(value) for value in values.ravel()], dtype=object).reshape(values.shape)
    return values, {"chunks": array.chunks, "compressor": array.compressor, "filters": list(array.filters or [])}


def _text(value: Any) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else value


def _hdf5_layout(dataset: h5py.Dataset) -> dict[str, Any]:
    return {
        "chunks": dataset.chunks,
        "filters": list(dataset._filters.items()),
        "dtype": dataset.dtype,
        "shape": dataset.shape,
    }


def assert_same_values(case: DatasetCase, stored: np.ndarray) -> None:
    """Every stored value equals the source: bit for bit for numbers, within the bound for lossy pipelines."""
    expected = case.values
    assert stored.shape == expected.shape, f"{case.location}: shape {stored.shape} != {expected.shape}"
    if expected.dtype.kind == "O":
        assert stored.tolist() == expected.tolist(), f"{case.location}: text differs"
        return
    assert stored.dtype == expected.dtype, f"{case.location}: dtype {stored.dtype} != {expected.dtype}"
    if case.lossy:
        error = np.abs(stored.astype(np.float64) - expected.astype(np.float64))
        bound = lossy_bound(case)
        worst = np.argmax(error - bound) if error.size else 0
        assert np.all(error <= bound), (
            f"{case.location}: {case.configured} error {error.flat[worst]} > bound {bound.flat[worst]}"
        )
        return
    if expected.dtype.names is not None:
        for name in expected.dtype.names:
            assert _bits(stored[name]).tolist() == _bits(expected[name]).tolist(), f"{case.location}: field {name}"
        return
    differ = _bits(stored) != _bits(expected)
    assert not differ.any(), (
        f"{case.location}: {int(differ.sum())} of {differ.size} values differ, first at {np.argwhere(differ)[0]}: "
        f"{stored[differ][:3]} != {expected[differ][:3]}; shape {expected.shape}, {case.configured}"
    )


def _bits(values: np.ndarray) -> np.ndarray:
    """Floats as their bit patterns: NaN payloads, infinities and -0.0 must survive a lossless pipeline."""
    return values.view(f"u{values.dtype.itemsize}") if values.dtype.kind == "f" else values


def assert_hdf5_layout(case: DatasetCase, layout: dict[str, Any]) -> None:
    """The chunks and the filter pipeline (ids and values) are those h5py gives the configured settings."""
    configured = case.configured
    assert layout["chunks"] == configured["chunk_shape"], f"{case.location}: chunks {layout['chunks']}"
    reference = _reference_hdf5_filters(layout, configured)
    assert layout["filters"] == reference, f"{case.location}: filters {layout['filters']} != {reference}"


def _reference_hdf5_filters(layout: dict[str, Any], configured: dict[str, Any]) -> list:
    """The filters h5py itself stores for a dataset of the same type and chunks given the configured settings."""
    kwargs: dict[str, Any] = {name: True for name in configured["filter_methods"]}
    method, options = configured["compression_method"], dict(configured["compression_options"] or {})
    if method == "gzip":
        kwargs.update(compression="gzip", compression_opts=options.get("level", 4))
    elif method == "lzf":
        kwargs.update(compression="lzf")
    elif method == "szip":
        kwargs.update(compression="szip", compression_opts=(options["coding"], options["pixels_per_block"]))
    elif method is not None:
        kwargs.update(getattr(hdf5plugin, method)(**options))
    with h5py.File(f"reference-{uuid4()}.h5", "w", driver="core", backing_store=False) as file:
        dataset = file.create_dataset(
            "reference", shape=layout["shape"], dtype=layout["dtype"], chunks=layout["chunks"], **kwargs
        )
        return list(dataset._filters.items())


def assert_zarr_layout(case: DatasetCase, layout: dict[str, Any]) -> None:
    """The chunks, the compressor and the filters (besides hdmf-zarr's own text codec) are the configured ones."""
    configured = case.configured
    assert tuple(layout["chunks"]) == tuple(configured["chunk_shape"]), f"{case.location}: chunks {layout['chunks']}"
    method, options = configured["compression_method"], dict(configured["compression_options"] or {})
    if method is None:
        assert layout["compressor"] is None, f"{case.location}: compressor {layout['compressor']}"
    else:
        if method == "gzip":
            options.setdefault("level", 4)
        expected = numcodecs.get_codec({"id": method, **options})
        assert layout["compressor"] == expected, f"{case.location}: compressor {layout['compressor']} != {expected}"
    filters = [codec for codec in layout["filters"] if codec.codec_id not in ("vlen-utf8", "vlen-bytes")]
    assert [codec.codec_id for codec in filters] == list(configured["filter_methods"]), f"{case.location}: {filters}"
    for codec, options in zip(filters, configured["filter_options"]):
        config = codec.get_config()
        for name, value in (options or {}).items():
            assert _same_option(config.get(name), value), f"{case.location}: {codec} option {name} != {value}"


def _same_option(stored: Any, wanted: Any) -> bool:
    if isinstance(wanted, str) and isinstance(stored, str):
        return np.dtype(stored) == np.dtype(wanted) if wanted[:1] in "<>|=" else stored == wanted
    if isinstance(wanted, (list, tuple)):
        return list(stored) == list(wanted)
    return stored == wanted
