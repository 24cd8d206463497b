"""Compare candidate codec pipelines on the same sampled chunks of one dataset: ratio, speed, who can read it.

>>> import numpy as np
>>> from nwbconfig_widget import HDF5DatasetIOConfiguration
>>> data = (np.sin(np.arange(40_000) / 50) * 1000).astype("int16").reshape(4000, 10)
>>> configuration = HDF5DatasetIOConfiguration(object_id="id", location_in_file="acquisition/ts/data",
...     dataset_name="data", dtype=data.dtype, full_shape=data.shape, chunk_shape=(1000, 10))
>>> table = compare_codecs(configuration, data, [
...     {"label": "gzip 1", "compression_method": "gzip", "compression_options": {"level": 1}},
...     {"label": "zarr zstd", "backend": "zarr", "compression_method": "zstd"},
... ])
>>> list(table.index), bool((table.ratio > 1).all())
(['gzip 1', 'zarr zstd'], True)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from . import defaults
from .advice import EVERY_HDF5_READER, configuration_portability
from .backends import dataset_configuration_class
from .codecs import DEFAULT_GZIP_LEVEL
from .models import ConfigurationError, DatasetIOConfiguration
from .preview import (
    DEFAULT_MAX_CHUNKS,
    DEFAULT_MIN_CHUNKS,
    DEFAULT_SAMPLE_FRACTION,
    NotSampleableError,
    preview_dataset,
    read_sample,
)

__all__ = ["DEFAULT_CANDIDATES", "compare_codecs", "plot_codec_comparison"]

_SHUFFLE, _BITSHUFFLE = 1, 2
_GZIP = DEFAULT_GZIP_LEVEL

#: The pipelines compared by default: lossless codecs common for NWB data, on both backends.
DEFAULT_CANDIDATES: tuple[dict[str, Any], ...] = (
    {"label": "gzip 1", "compression_method": "gzip", "compression_options": {"level": 1}},
    {"label": f"gzip {_GZIP}", "compression_method": "gzip", "compression_options": {"level": _GZIP}},
    {"label": "gzip 9", "compression_method": "gzip", "compression_options": {"level": 9}},
    {"label": f"shuffle + gzip {_GZIP}", "compression_method": "gzip", "compression_options": {"level": _GZIP},
     "filter_methods": ["shuffle"]},
    {"label": "Zstd 3", "compression_method": "Zstd", "compression_options": {"clevel": 3}},
    {"label": "Zstd 9", "compression_method": "Zstd", "compression_options": {"clevel": 9}},
    {"label": "Blosc zstd 5 shuffle", "compression_method": "Blosc",
     "compression_options": {"cname": "zstd", "clevel": 5, "shuffle": _SHUFFLE}},
    {"label": "Blosc zstd 5 bitshuffle", "compression_method": "Blosc",
     "compression_options": {"cname": "zstd", "clevel": 5, "shuffle": _BITSHUFFLE}},
    {"label": "Blosc lz4 5 shuffle", "compression_method": "Blosc",
     "compression_options": {"cname": "lz4", "clevel": 5, "shuffle": _SHUFFLE}},
    {"label": "LZ4", "compression_method": "LZ4"},
    {"label": "Bitshuffle lz4", "compression_method": "Bitshuffle", "compression_options": {"cname": "lz4"}},
    {"label": f"zarr gzip {_GZIP}", "backend": "zarr", "compression_method": "gzip",
     "compression_options": {"level": _GZIP}},
    {"label": "zarr zstd 3", "backend": "zarr", "compression_method": "zstd", "compression_options": {"level": 3}},
    {"label": "zarr blosc zstd 5 bitshuffle", "backend": "zarr", "compression_method": "blosc",
     "compression_options": {"cname": "zstd", "clevel": 5, "shuffle": _BITSHUFFLE}},
    {"label": "zarr blosc lz4 5 shuffle", "backend": "zarr", "compression_method": "blosc",
     "compression_options": {"cname": "lz4", "clevel": 5, "shuffle": _SHUFFLE}},
    {"label": "zarr delta + blosc zstd 5", "backend": "zarr", "compression_method": "blosc",
     "compression_options": {"cname": "zstd", "clevel": 5, "shuffle": _SHUFFLE}, "filter_methods": ["delta"]},
)  # fmt: skip

_COLUMNS = (
    "backend",
    "compression_method",
    "compression_options",
    "filter_methods",
    "ratio",
    "estimated_bytes",
    "estimated_bytes_low",
    "estimated_bytes_high",
    "compress_mb_s",
    "decompress_mb_s",
    "portability",
    "lossy",
    "note",
)


def _label(candidate: Mapping[str, Any]) -> str:
    parts = [*candidate.get("filter_methods", ()), str(candidate.get("compression_method"))]
    options = candidate.get("compression_options")
    text = " + ".join(parts) + (f" {options}" if options else "")
    return f"{candidate.get('backend', 'hdf5')}: {text}" if candidate.get("backend") == "zarr" else text


def _candidate_configuration(
    configuration: DatasetIOConfiguration, chunk_shape: tuple[int, ...], candidate: Mapping[str, Any]
) -> DatasetIOConfiguration:
    backend = candidate.get("backend", configuration.backend)
    values = configuration.to_dict()
    values.update(
        chunk_shape=list(chunk_shape),
        buffer_shape=list(chunk_shape),
        compression_method=candidate.get("compression_method"),
        compression_options=candidate.get("compression_options"),
        filter_methods=list(candidate.get("filter_methods", ())),
        filter_options=candidate.get("filter_options"),
    )
    return dataset_configuration_class(backend).from_dict(values)


def compare_codecs(
    configuration: DatasetIOConfiguration,
    data: Any,
    candidates: Sequence[Mapping[str, Any]] | None = None,
    *,
    sample_fraction: float = DEFAULT_SAMPLE_FRACTION,
    min_chunks: int = DEFAULT_MIN_CHUNKS,
    max_chunks: int = DEFAULT_MAX_CHUNKS,
):
    """Preview several pipelines for one dataset on the same sampled chunks; a DataFrame indexed by label.

    Each candidate is a dict with ``compression_method`` and optionally ``label``, ``backend`` ("hdf5"/"zarr",
    default: the configuration's), ``compression_options``, ``filter_methods`` and ``filter_options``; the chunk
    shape is the configuration's (its default chunk shape when it is contiguous). ``candidates=None`` compares
    :data:`DEFAULT_CANDIDATES`. A candidate the model refuses for this data (e.g. a codec that cannot encode its
    dtype) is never run: its row has no figures and its ``note`` says why.

    Columns: ``backend``, ``compression_method``, ``compression_options``, ``filter_methods``, ``ratio``,
    ``estimated_bytes`` (and ``_low``/``_high``), ``compress_mb_s``, ``decompress_mb_s``, ``portability`` (see
    :func:`nwbconfig_widget.advice.portability`), ``lossy`` and ``note``. Draw it with :func:`plot_codec_comparison`.
    """
    import pandas as pd

    candidates = list(DEFAULT_CANDIDATES if candidates is None else candidates)
    chunk_shape = configuration.chunk_shape or defaults.default_chunk_shape(
        configuration.full_shape, configuration.itemsize
    )
    template = dataset_configuration_class(configuration.backend).from_dict(
        {**configuration.to_dict(), "chunk_shape": list(chunk_shape), "buffer_shape": list(chunk_shape)}
    )
    options = dict(sample_fraction=sample_fraction, min_chunks=min_chunks, max_chunks=max_chunks)
    rows = []
    try:
        blocks = read_sample(template, data, **options)
        unsampleable = None
    except NotSampleableError as exc:
        blocks, unsampleable = None, str(exc)
    for candidate in candidates:
        label = candidate.get("label") or _label(candidate)
        backend = candidate.get("backend", configuration.backend)
        row: dict[str, Any] = dict(
            label=label,
            backend=backend,
            compression_method=candidate.get("compression_method"),
            compression_options=candidate.get("compression_options"),
            filter_methods=list(candidate.get("filter_methods", ())),
            ratio=np.nan,
            estimated_bytes=np.nan,
            estimated_bytes_low=np.nan,
            estimated_bytes_high=np.nan,
            compress_mb_s=np.nan,
            decompress_mb_s=np.nan,
            note="",
        )
        try:
            candidate_configuration = _candidate_configuration(configuration, chunk_shape, candidate)
        except (ConfigurationError, KeyError, TypeError) as exc:
            reason = exc.reason if isinstance(exc, ConfigurationError) else str(exc)
            row.update(portability="", lossy=False, note=f"not possible here: {reason}")
            rows.append(row)
            continue
        portable = configuration_portability(candidate_configuration)
        row.update(
            compression_method=candidate_configuration.compression_method,
            compression_options=candidate_configuration.compression_options,
            portability=portable.level,
            lossy=portable.lossy,
        )
        if blocks is None:
            row["note"] = f"not sampled: {unsampleable}"
            rows.append(row)
            continue
        preview = preview_dataset(candidate_configuration, None, blocks=blocks)
        row.update(
            ratio=preview.ratio,
            estimated_bytes=preview.estimated_bytes,
            estimated_bytes_low=preview.estimated_bytes_low,
            estimated_bytes_high=preview.estimated_bytes_high,
            compress_mb_s=preview.compress_mb_s,
            decompress_mb_s=preview.decompress_mb_s,
            note=preview.note,
        )
        rows.append(row)
    table = pd.DataFrame(rows, columns=["label", *_COLUMNS]).set_index("label")
    table.attrs["location_in_file"] = configuration.location_in_file
    table.attrs["chunk_shape"] = tuple(chunk_shape)
    table.attrs["sampled_chunks"] = len(blocks or ())
    return table


def plot_codec_comparison(table, *, figure=None):
    """A matplotlib Figure of :func:`compare_codecs` results: ratio against compression and decompression speed.

    Speeds are on a log scale; HDF5 pipelines are circles, Zarr pipelines squares; pipelines every HDF5 reader can
    read are filled. matplotlib is imported only here (``pip install matplotlib``); no pyplot state is touched, so
    it works headless and in notebooks alike (a Figure displays itself in Jupyter once the inline backend is on:
    ``%matplotlib inline``).
    """
    try:
        from matplotlib.figure import Figure
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("plot_codec_comparison needs matplotlib: pip install matplotlib") from exc

    figure = figure or Figure(figsize=(11, 4.8), layout="constrained")
    axes = figure.subplots(1, 2, sharey=True)
    measured = table[table["ratio"].notna()]
    for axis, column, title in zip(
        axes, ("compress_mb_s", "decompress_mb_s"), ("compression speed", "decompression speed")
    ):
        for label, row in measured.iterrows():
            marker = "s" if row["backend"] == "zarr" else "o"
            filled = row["portability"] == EVERY_HDF5_READER
            axis.scatter(
                row[column],
                row["ratio"],
                marker=marker,
                s=50,
                facecolors="tab:blue" if filled else "none",
                edgecolors="tab:blue" if row["backend"] == "hdf5" else "tab:orange",
            )
            point = (row[column], row["ratio"])
            axis.annotate(str(label), point, fontsize=7, xytext=(4, 3), textcoords="offset points")
        axis.set_xscale("log")
        axis.set_xlabel(f"{title} (MB/s, one core)")
        axis.grid(True, which="both", alpha=0.3)
    axes[0].set_ylabel("compression ratio (uncompressed / stored)")
    location = table.attrs.get("location_in_file", "")
    figure.suptitle(
        f"Codecs on {location} (chunks {table.attrs.get('chunk_shape')}, {table.attrs.get('sampled_chunks')} sampled)"
        f"\nfilled: {EVERY_HDF5_READER}; circles HDF5, squares Zarr",
        fontsize=9,
    )
    return figure
