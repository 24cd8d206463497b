"""Advice on a configuration: who can read each codec, and live warnings about chunk, buffer and file sizes.

>>> portability("hdf5", "gzip", ["shuffle"]).level
'every HDF5 reader'
>>> portability("hdf5", "Zstd").level, portability("hdf5", "Zstd").every_hdf5_reader
('needs hdf5plugin', False)
>>> portability("hdf5", "SZ3", None, {"absolute": 0.1}).lossy
True
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Mapping, Sequence
from typing import Any

from . import codecs
from .defaults import settings as default_settings
from .models import BackendConfiguration, DatasetIOConfiguration

__all__ = [
    "Advice",
    "Portability",
    "THRESHOLDS",
    "available_memory_bytes",
    "backend_configuration_warnings",
    "configuration_portability",
    "configuration_warnings",
    "portability",
]

EVERY_HDF5_READER = "every HDF5 reader"
NEEDS_HDF5PLUGIN = "needs hdf5plugin"
H5PY_ONLY = "h5py only"
NEEDS_SZIP = "needs an HDF5 built with szip"
ZARR_READERS = "Zarr readers"
ZARR_PYTHON = "Zarr with Python numcodecs"

_HDF5_BUILTIN_FILTERS = {"shuffle", "fletcher32"}
# numcodecs codecs that the JavaScript port (numcodecs.js, used by zarr.js/zarrita/neurosift) also decodes.
_ZARR_WIDELY_READ = {"gzip", "zlib", "blosc", "zstd", "lz4"}


@dataclasses.dataclass(frozen=True)
class Portability:
    """Who can read a pipeline: ``level`` (one of the module's constants), ``lossy`` and a sentence for the user."""

    level: str
    lossy: bool
    note: str

    @property
    def every_hdf5_reader(self) -> bool:
        """Whether every HDF5 library decodes it (built-in filters only): what the view and the charts mark."""
        return self.level == EVERY_HDF5_READER


def portability(
    backend: str,
    compression_method: str | None,
    filter_methods: Sequence[str] | None = (),
    compression_options: Mapping[str, Any] | None = None,
    filter_options: Sequence[Mapping[str, Any] | None] | None = None,
    dtype: Any = None,
) -> Portability:
    """Who can read data stored with this compression method and these filters.

    ``lossy`` is :func:`nwbconfig_widget.codecs.pipeline_is_lossy` for data of ``dtype`` (with ``dtype=None``, only
    what is lossy on any data); :func:`configuration_portability` gives it a dataset configuration's own.

    HDF5: gzip, shuffle and fletcher32 are built into every HDF5 library (h5py, MATLAB, Julia, h5wasm, HDFView...);
    every hdf5plugin filter must be installed *and* imported (``import hdf5plugin``) by each reader, and is missing
    from MATLAB's and Julia's readers unless added by hand; lzf ships with h5py only. Zarr: any numcodecs codec reads
    back in zarr-python; gzip/zlib/blosc/zstd/lz4 also in JavaScript readers. Lossy codecs change the values.

    >>> portability("zarr", "blosc").note
    'Zarr only: zarr-python and the JavaScript Zarr readers decode blosc; HDF5 tools cannot open a Zarr store.'
    """
    filter_methods = list(filter_methods or ())
    lossy = codecs.pipeline_is_lossy(compression_method, compression_options, filter_methods, filter_options, dtype)
    lossy_note = " Lossy: the stored values differ from the source." if lossy else ""
    if backend == "hdf5":
        if compression_method in (None, "gzip") and set(filter_methods) <= _HDF5_BUILTIN_FILTERS:
            return Portability(EVERY_HDF5_READER, lossy, "Readable by every HDF5 reader (built-in filters only).")
        if compression_method == "lzf":
            return Portability(
                H5PY_ONLY, lossy, "lzf ships with h5py only: h5dump, h5repack, MATLAB and Julia cannot decode it."
            )
        if compression_method == "szip":
            return Portability(
                NEEDS_SZIP, lossy, "szip is built into most, not all, HDF5 libraries (h5py wheels include libaec)."
            )
        return Portability(
            NEEDS_HDF5PLUGIN,
            lossy,
            f"{compression_method} is an HDF5 plugin filter: every reader must install hdf5plugin and "
            "`import hdf5plugin` before reading; MATLAB and Julia need the plugin added by hand." + lossy_note,
        )
    names = [name for name in [compression_method, *filter_methods] if name is not None]
    if all(name in _ZARR_WIDELY_READ for name in names):
        described = ", ".join(names) if names else "uncompressed data"
        return Portability(
            ZARR_READERS,
            lossy,
            f"Zarr only: zarr-python and the JavaScript Zarr readers decode {described}; "
            "HDF5 tools cannot open a Zarr store." + lossy_note,
        )
    others = ", ".join(name for name in names if name not in _ZARR_WIDELY_READ)
    return Portability(
        ZARR_PYTHON,
        lossy,
        f"Zarr only, and {others} is decoded by Python's numcodecs but not by every Zarr reader "
        "(e.g. JavaScript viewers)." + lossy_note,
    )


def configuration_portability(configuration: DatasetIOConfiguration) -> Portability:
    """:func:`portability` of a dataset configuration's pipeline, on its own data type (so its ``lossy`` is the
    configuration's ``lossy``)."""
    return portability(
        configuration.backend,
        configuration.compression_method,
        configuration.filter_methods,
        configuration.compression_options,
        configuration.filter_options,
        configuration.dtype,
    )


# ------------------------------------------------------------------------------------------------------ warnings

#: Thresholds of the live warnings (bytes unless named otherwise); change them to change the advice.
THRESHOLDS: dict[str, float] = {
    "large_chunk_bytes": 50e6,  # one chunk is read and decompressed whole for any access to it
    "small_chunk_bytes": 1e6,  # below this, large datasets need very many chunks (and remote requests)
    "large_dataset_bytes": 50e6,  # datasets from this size get the small-chunk and uncompressed advice
    "max_zarr_chunk_files": 100_000,  # object stores and uploads struggle with more files than this
    "hdf5_chunk_cache_bytes": 1024**2,  # HDF5 1.x's default raw-data chunk cache per dataset (HDF5 2.0: 8 MiB)
}


@dataclasses.dataclass(frozen=True)
class Advice:
    """One piece of advice about a dataset configuration.

    ``severity`` is ``"error"`` (the write would fail or hurt the machine), ``"warning"`` (a likely mistake) or
    ``"info"``; ``code`` is a stable name for the kind of advice; ``field`` the setting to change.
    """

    location_in_file: str
    severity: str
    code: str
    field: str
    message: str


def available_memory_bytes() -> int | None:
    """Memory available to new allocations now (Linux ``MemAvailable``; None where it cannot be read)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as file:
            for line in file:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def _mb(number_of_bytes: float) -> str:
    return f"{number_of_bytes / 1e6:,.1f} MB" if number_of_bytes >= 1e5 else f"{number_of_bytes / 1e3:,.1f} KB"


def configuration_warnings(
    configuration: DatasetIOConfiguration,
    *,
    available_memory: int | None = None,
    chunk_cache_bytes: int | None = None,
    thresholds: Mapping[str, float] | None = None,
) -> list[Advice]:
    """The advice for one dataset configuration, most severe first.

    ``available_memory`` defaults to the memory available now; ``chunk_cache_bytes`` to HDF5 1.x's 1 MiB chunk
    cache (pass what readers will set with ``h5py.File(..., rdcc_nbytes=...)``). The chunk-cache advice is for
    compressed chunks larger than both that cache and the default chunk (``settings.chunk_target_bytes``).

    >>> from nwbconfig_widget import HDF5DatasetIOConfiguration
    >>> configuration = HDF5DatasetIOConfiguration(object_id="id", location_in_file="acquisition/e/data",
    ...     dataset_name="data", dtype="int16", full_shape=(100_000_000, 384), chunk_shape=(1000, 4),
    ...     compression_method=None)
    >>> [advice.code for advice in configuration_warnings(configuration, available_memory=10**10)]
    ['small_chunks', 'uncompressed']
    """
    limits = {**THRESHOLDS, **(thresholds or {})}
    location = configuration.location_in_file
    chunk_bytes = configuration.chunk_size_bytes
    full_bytes = configuration.full_size_bytes
    large_dataset = full_bytes >= limits["large_dataset_bytes"]
    advice: list[Advice] = []

    def add(severity: str, code: str, field: str, message: str) -> None:
        advice.append(Advice(location, severity, code, field, message))

    memory = available_memory_bytes() if available_memory is None else available_memory
    if memory is not None and configuration.expected_ram_usage_bytes > memory:
        add(
            "error",
            "buffer_exceeds_memory",
            "buffer_shape",
            f"the write buffer ({_mb(configuration.expected_ram_usage_bytes)}) is larger than the memory available "
            f"({_mb(memory)}); use a smaller buffer_shape (a multiple of the chunk shape).",
        )
    if configuration.chunk_shape is not None and chunk_bytes > limits["large_chunk_bytes"]:
        add(
            "warning",
            "large_chunks",
            "chunk_shape",
            f"one chunk holds {_mb(chunk_bytes)} uncompressed (over {_mb(limits['large_chunk_bytes'])}): every read "
            "that touches it reads and decompresses all of it; use chunks of a few MB.",
        )
    if configuration.chunk_shape is not None and large_dataset and chunk_bytes < limits["small_chunk_bytes"]:
        add(
            "warning",
            "small_chunks",
            "chunk_shape",
            f"chunks of {_mb(chunk_bytes)} split this {_mb(full_bytes)} dataset into "
            f"{configuration.number_of_chunks:,} chunks: slow to write, and one request each when streamed; "
            f"aim for about {_mb(limits['small_chunk_bytes'])} to 10 MB per chunk.",
        )
    if large_dataset and configuration.compression_method is None:
        add(
            "warning",
            "uncompressed",
            "compression_method",
            f"this {_mb(full_bytes)} dataset is not compressed; gzip (readable everywhere) typically halves "
            "electrophysiology and imaging data.",
        )
    if configuration.backend == "zarr" and configuration.number_of_chunks > limits["max_zarr_chunk_files"]:
        add(
            "warning",
            "too_many_zarr_objects",
            "chunk_shape",
            f"{configuration.number_of_chunks:,} chunks means as many files or objects in the Zarr store "
            f"(over {int(limits['max_zarr_chunk_files']):,}): uploads and listings become slow or fail; use larger "
            "chunks.",
        )
    # Measured (docs/benchmarks.md, chunk cache): a chunk larger than a reader's chunk cache costs nothing extra for
    # one read, nor uncompressed; a loop of small reads decompresses it again each time. The default chunk (about
    # 10 MB, for few chunks and few remote requests) is larger than the default caches on purpose; the advice is
    # for chunks beyond it, and the reader-side remedy is in the guide.
    cache = limits["hdf5_chunk_cache_bytes"] if chunk_cache_bytes is None else chunk_cache_bytes
    compressed = configuration.compression_method is not None or bool(configuration.filter_methods)
    if (
        configuration.backend == "hdf5"
        and configuration.chunk_shape is not None
        and compressed
        and chunk_bytes > max(cache, default_settings.chunk_target_bytes)
    ):
        add(
            "info",
            "chunk_exceeds_cache",
            "chunk_shape",
            f"a chunk ({_mb(chunk_bytes)}) is larger than the default chunk "
            f"({_mb(default_settings.chunk_target_bytes)}) and than the readers' HDF5 chunk cache ({_mb(cache)}; "
            "HDF5's default: 1.0 MB in 1.x, 8.4 MB in 2.0): "
            "a loop of small reads decompresses it again for each read; readers can open the file with "
            f"h5py.File(path, rdcc_nbytes={_suggest_cache(chunk_bytes)}).",
        )
    portable = configuration_portability(configuration)
    if portable.lossy:
        add("warning", "lossy", "compression_method", portable.note)
    elif portable.level in (NEEDS_HDF5PLUGIN, H5PY_ONLY, NEEDS_SZIP):
        add("info", "portability", "compression_method", portable.note)
    order = {"error": 0, "warning": 1, "info": 2}
    return sorted(advice, key=lambda item: order[item.severity])


def _suggest_cache(chunk_bytes: int) -> int:
    return 1 << math.ceil(math.log2(max(1, chunk_bytes) * 4))


def backend_configuration_warnings(backend_configuration: BackendConfiguration, **options: Any) -> dict[str, list]:
    """:func:`configuration_warnings` for every dataset, location -> advice (datasets without advice left out).

    Options are passed on; the available memory is read once for all datasets.
    """
    if options.get("available_memory") is None:
        options["available_memory"] = available_memory_bytes()
    result = {}
    for configuration in backend_configuration:
        advice = configuration_warnings(configuration, **options)
        if advice:
            result[configuration.location_in_file] = advice
    return result
