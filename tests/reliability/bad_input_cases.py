"""The bad values of the bad-input tests: per editable field, what a user may type and what the error must say.

Each case is ``(id, backend, field, value, hint, base)``: ``hint`` is a text the error must contain (the valid
alternative: a range, the list of available codecs, the shape to stay within...), ``base`` overrides the settings of
the dataset configuration the value is tried on (see :func:`make_item`).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from nwbconfig_widget import HDF5DatasetIOConfiguration, ZarrDatasetIOConfiguration

LOCATION = "acquisition/Probe/data"
FULL_SHAPE = (1000, 4)


class Case(NamedTuple):
    id: str
    backend: str
    field: str
    value: Any
    hint: str
    base: dict[str, Any] = {}


def make_item(backend: str = "hdf5", **overrides: Any):
    """An int16 (1000, 4) dataset with (100, 4) chunks, (500, 4) buffers and gzip: every case starts valid."""
    settings = dict(
        object_id="probe-id",
        location_in_file=LOCATION,
        dataset_name="data",
        dtype=np.dtype("int16"),
        full_shape=FULL_SHAPE,
        chunk_shape=(100, 4),
        buffer_shape=(500, 4),
        compression_method="gzip",
    )
    settings.update(overrides)
    cls = HDF5DatasetIOConfiguration if backend == "hdf5" else ZarrDatasetIOConfiguration
    return cls(**settings)


NAN, INF = float("nan"), float("inf")
SHAPE_HINT = "positive integers"
FITS = "(1000, 4)"

SHAPE_VALUES = [
    ("negative", (-1, 4), "positive"),
    ("zero", (0, 4), "positive"),
    ("fractional", (1.5, 4), "whole number"),
    ("text", ("abc", 4), "whole number"),
    ("numeric-text", ("10", 4), "whole number"),
    ("null-axis", (None, 4), "whole number"),
    ("bool-True", (True, 4), "whole number"),
    ("bool-False", (False, 4), "whole number"),
    ("nan", (NAN, 4), "whole number"),
    ("inf", (INF, 4), "whole number"),
    ("huge", (10**20, 4), FITS),
    ("huge-float", (1e300, 4), FITS),
    ("rank-1", (100,), "one length per axis"),
    ("rank-3", (100, 4, 1), "one length per axis"),
    ("rank-0", (), "one length per axis"),
    ("scalar", 100, SHAPE_HINT),
    ("text-shape", "100,4", SHAPE_HINT),
    ("dict", {"a": 1}, SHAPE_HINT),
    ("set", {100, 4}, SHAPE_HINT),
    ("larger-than-data", (2000, 4), FITS),
]

MODEL_CASES: list[Case] = []
for _label, _value, _hint in SHAPE_VALUES:
    for _field in ("chunk_shape", "buffer_shape"):
        for _backend in ("hdf5", "zarr"):
            MODEL_CASES.append(Case(f"{_field}-{_label}-{_backend}", _backend, _field, _value, _hint))

MODEL_CASES += [
    # shapes inconsistent with each other or with the backend
    Case("buffer_shape-not-multiple-of-chunk", "hdf5", "buffer_shape", (150, 4), "such as (100, 4)"),
    Case("buffer_shape-smaller-than-chunk", "zarr", "buffer_shape", (50, 4), "whole multiple of the chunk"),
    Case("buffer_shape-null", "hdf5", "buffer_shape", None, "multiple of the chunk"),
    Case("chunk_shape-breaks-buffer", "hdf5", "chunk_shape", (300, 4), "update(chunk_shape=..., buffer_shape=...)"),
    Case("chunk_shape-null-zarr", "zarr", "chunk_shape", None, "Give a chunk shape of up to (1000, 4)"),
    Case("chunk_shape-contiguous-with-gzip-hdf5", "hdf5", "chunk_shape", None, "compression_method=None"),
    Case(
        "filter_methods-contiguous-hdf5",
        "hdf5",
        "filter_methods",
        ["shuffle"],
        "Give a chunk shape",
        dict(chunk_shape=None, compression_method=None),
    ),
    Case(
        "compression_method-contiguous-hdf5",
        "hdf5",
        "compression_method",
        "gzip",
        "Give a chunk shape",
        dict(chunk_shape=None, compression_method=None),
    ),
    # chunks beyond what HDF5 or the codec can hold, byte counts beyond 64 bits
    Case(
        "chunk_shape-over-4GiB-hdf5",
        "hdf5",
        "chunk_shape",
        (1_000_000, 1_000),
        "recommended chunk shape",
        dict(dtype="float64", full_shape=(10**6, 10**4), chunk_shape=(1000, 1000), buffer_shape=(10**6, 1000)),
    ),
    Case(
        "chunk_shape-over-blosc-limit-hdf5",
        "hdf5",
        "chunk_shape",
        (300_000, 1_000),
        "2.15 GB one chunk can hold",
        dict(
            dtype="float64",
            full_shape=(10**6, 10**4),
            chunk_shape=(1000, 1000),
            buffer_shape=(300_000, 1000),
            compression_method="Blosc",
        ),
    ),
    Case(
        "chunk_shape-over-blosc-limit-zarr",
        "zarr",
        "chunk_shape",
        (400_000, 1_000),
        "recommended chunk shape",
        dict(
            dtype="float64",
            full_shape=(10**6, 10**4),
            chunk_shape=(1000, 1000),
            buffer_shape=(400_000, 1000),
            compression_method="blosc",
        ),
    ),
    Case(
        "buffer_shape-bytes-overflow-int64-zarr",
        "zarr",
        "buffer_shape",
        (2**40, 2**40),
        "any array can hold",
        dict(dtype="float64", full_shape=(2**40, 2**40), chunk_shape=(1024, 1024), buffer_shape=(1024, 1024)),
    ),
    # compression methods
    Case("compression_method-unknown-hdf5", "hdf5", "compression_method", "nope", "available: ['Bitshuffle'"),
    Case("compression_method-unknown-zarr", "zarr", "compression_method", "nope", "available: ['blosc'"),
    Case("compression_method-number", "hdf5", "compression_method", 5, "give a name from"),
    Case("compression_method-bool", "zarr", "compression_method", True, "give a name from"),
    Case("compression_method-empty-text", "hdf5", "compression_method", "", "available"),
    Case("compression_method-list", "hdf5", "compression_method", ["gzip"], "give a name from"),
    Case("compression_method-nan", "zarr", "compression_method", NAN, "give a name from"),
    Case("compression_method-other-backend-name", "zarr", "compression_method", "lzf", "available: ['blosc'"),
    # compression options: gzip
    Case("compression_options-gzip-level-99", "hdf5", "compression_options", {"level": 99}, "from 0 to 9"),
    Case("compression_options-gzip-level-negative", "zarr", "compression_options", {"level": -1}, "from 0 to 9"),
    Case("compression_options-gzip-level-text", "hdf5", "compression_options", {"level": "high"}, "from 0 to 9"),
    Case("compression_options-gzip-level-fractional", "hdf5", "compression_options", {"level": 1.5}, "from 0 to 9"),
    Case("compression_options-gzip-level-bool", "hdf5", "compression_options", {"level": True}, "from 0 to 9"),
    Case("compression_options-gzip-level-nan", "zarr", "compression_options", {"level": NAN}, "finite"),
    Case("compression_options-gzip-level-inf", "hdf5", "compression_options", {"level": INF}, "finite"),
    Case("compression_options-gzip-level-huge", "hdf5", "compression_options", {"level": 10**20}, "from 0 to 9"),
    Case("compression_options-gzip-level-null", "hdf5", "compression_options", {"level": None}, "from 0 to 9"),
    Case("compression_options-unknown-option", "hdf5", "compression_options", {"lvl": 4}, "accepts ['level']"),
    Case("compression_options-text", "hdf5", "compression_options", "level=4", "{'level': 4}"),
    Case("compression_options-list", "zarr", "compression_options", [["level", 4]], "{'level': 4}"),
    Case(
        "compression_options-without-method",
        "hdf5",
        "compression_options",
        {"level": 4},
        "compression_method first",
        dict(compression_method=None),
    ),  # fmt: skip
]

_BLOSC_HDF5 = dict(compression_method="Blosc")
_ZSTD_HDF5 = dict(compression_method="Zstd")
_BLOSC_ZARR = dict(compression_method="blosc")
_ZSTD_ZARR = dict(compression_method="zstd")
MODEL_CASES += [
    Case("Blosc-clevel-99-hdf5", "hdf5", "compression_options", {"clevel": 99}, "[0, 9]", _BLOSC_HDF5),
    Case("Blosc-clevel-fractional-hdf5", "hdf5", "compression_options", {"clevel": 1.5}, "integer", _BLOSC_HDF5),
    Case("Blosc-clevel-bool-hdf5", "hdf5", "compression_options", {"clevel": True}, "integer", _BLOSC_HDF5),
    Case("Blosc-clevel-text-hdf5", "hdf5", "compression_options", {"clevel": "high"}, "integer", _BLOSC_HDF5),
    Case("Blosc-shuffle-yes-hdf5", "hdf5", "compression_options", {"shuffle": "yes"}, "integer", _BLOSC_HDF5),
    Case("Blosc-cname-unknown-hdf5", "hdf5", "compression_options", {"cname": "nope"}, "nope", _BLOSC_HDF5),
    Case("Blosc-cname-number-hdf5", "hdf5", "compression_options", {"cname": 5}, "text", _BLOSC_HDF5),
    Case("Zstd-clevel-99-hdf5", "hdf5", "compression_options", {"clevel": 99}, "[-131072, 22]", _ZSTD_HDF5),
    Case("Zstd-clevel-nan-hdf5", "hdf5", "compression_options", {"clevel": NAN}, "finite", _ZSTD_HDF5),
    Case("Zstd-unknown-option-hdf5", "hdf5", "compression_options", {"level": 3}, "accepts ['clevel']", _ZSTD_HDF5),
    Case("blosc-clevel-99-zarr", "zarr", "compression_options", {"clevel": 99}, "from 0 to 9", _BLOSC_ZARR),
    Case("blosc-shuffle-yes-zarr", "zarr", "compression_options", {"shuffle": "yes"}, "integer", _BLOSC_ZARR),
    Case("blosc-shuffle-bool-zarr", "zarr", "compression_options", {"shuffle": True}, "integer", _BLOSC_ZARR),
    Case("blosc-shuffle-7-zarr", "zarr", "compression_options", {"shuffle": 7}, "from -1 to 2", _BLOSC_ZARR),
    Case("blosc-blocksize-negative-zarr", "zarr", "compression_options", {"blocksize": -1}, "at least 0", _BLOSC_ZARR),
    Case(
        "blosc-cname-unknown-zarr",
        "zarr",
        "compression_options",
        {"cname": "nope"},
        "must be one of ['blosclz'",
        _BLOSC_ZARR,
    ),
    Case("zstd-level-99-zarr", "zarr", "compression_options", {"level": 99}, "from -131072 to 22", _ZSTD_ZARR),
    Case("zstd-level-text-zarr", "zarr", "compression_options", {"level": "high"}, "integer", _ZSTD_ZARR),
    Case("zstd-checksum-text-zarr", "zarr", "compression_options", {"checksum": "yes"}, "true or false", _ZSTD_ZARR),
    Case("zstd-level-huge-zarr", "zarr", "compression_options", {"level": 10**20}, "-131072 to 22", _ZSTD_ZARR),
    Case(
        "zlib-level-99-zarr",
        "zarr",
        "compression_options",
        {"level": 99},
        "from -1 to 9",
        dict(compression_method="zlib"),
    ),  # fmt: skip
    Case(
        "bz2-level-0-zarr", "zarr", "compression_options", {"level": 0}, "from 1 to 9", dict(compression_method="bz2")
    ),  # fmt: skip
    Case(
        "lz4-acceleration-0-zarr",
        "zarr",
        "compression_options",
        {"acceleration": 0},
        "from 1 to 65537",
        dict(compression_method="lz4"),
    ),  # fmt: skip
    # filters
    Case("filter_methods-unknown", "hdf5", "filter_methods", ["nope"], "available: ['fletcher32', 'shuffle']"),
    Case("filter_methods-number", "zarr", "filter_methods", [5], "available"),
    Case("filter_methods-null-entry", "hdf5", "filter_methods", [None], "available"),
    Case("filter_methods-twice", "hdf5", "filter_methods", ["shuffle", "shuffle"], "List each filter once"),
    Case("filter_methods-text-not-list", "hdf5", "filter_methods", "shuffle", "e.g. ['shuffle']"),
    Case("filter_methods-dict", "zarr", "filter_methods", {"shuffle": 1}, "e.g. ['shuffle']"),
    Case("filter_methods-packbits-on-int16", "zarr", "filter_methods", ["packbits"], "shuffle or delta"),
    Case("filter_methods-other-backend-name", "hdf5", "filter_methods", ["delta"], "available"),
    Case(
        "filter_options-not-a-list",
        "hdf5",
        "filter_options",
        "abc",
        "[None] for one filter",
        dict(filter_methods=["shuffle"]),
    ),  # fmt: skip
    Case(
        "filter_options-entry-number",
        "hdf5",
        "filter_options",
        [5],
        "one dict (or None) per filter",
        dict(filter_methods=["shuffle"]),
    ),  # fmt: skip
    Case(
        "filter_options-too-many",
        "hdf5",
        "filter_options",
        [None, None],
        "one dict (or None) per filter",
        dict(filter_methods=["shuffle"]),
    ),  # fmt: skip
    Case(
        "filter_options-hdf5-shuffle-takes-none",
        "hdf5",
        "filter_options",
        [{"x": 1}],
        "takes no options",
        dict(filter_methods=["shuffle"]),
    ),  # fmt: skip
    Case(
        "filter_options-bitround-negative",
        "zarr",
        "filter_options",
        [{"keepbits": -1}],
        "zero or positive",
        dict(dtype="float32", filter_methods=["bitround"], filter_options=[{"keepbits": 10}]),
    ),  # fmt: skip
    Case(
        "filter_options-bitround-missing",
        "zarr",
        "filter_options",
        [None],
        "needs the option(s) ['keepbits']",
        dict(dtype="float32", filter_methods=["bitround"], filter_options=[{"keepbits": 10}]),
    ),  # fmt: skip
    Case(
        "filter_options-shuffle-elementsize-0",
        "zarr",
        "filter_options",
        [{"elementsize": 0}],
        "at least 1",
        dict(filter_methods=["shuffle"]),
    ),  # fmt: skip
    Case(
        "filter_options-shuffle-elementsize-bool",
        "zarr",
        "filter_options",
        [{"elementsize": True}],
        "integer",
        dict(filter_methods=["shuffle"]),
    ),  # fmt: skip
    Case(
        "filter_options-delta-dtype-unknown",
        "zarr",
        "filter_options",
        [{"dtype": "nope"}],
        "not understood",
        dict(filter_methods=["delta"]),
    ),  # fmt: skip
]
