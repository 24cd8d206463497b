"""compare_codecs: every candidate measured on the same chunks, refused candidates explained, chart drawn."""

from __future__ import annotations

import numpy as np
import pytest
from nwbfiles import ephys_traces

from nwbconfig_widget import HDF5DatasetIOConfiguration, ZarrDatasetIOConfiguration
from nwbconfig_widget.compare import DEFAULT_CANDIDATES, compare_codecs, plot_codec_comparison
from nwbconfig_widget.preview import DEFAULT_MIN_CHUNKS, preview_compression


def _configuration(data, cls=HDF5DatasetIOConfiguration, chunk_shape=(2000, 16), **settings):
    return cls(
        object_id="id", location_in_file="acquisition/e/data", dataset_name="data", dtype=data.dtype,
        full_shape=data.shape, chunk_shape=chunk_shape, **settings,
    )  # fmt: skip


def test_default_candidates_on_ephys_match_a_preview_of_each_pipeline():
    data = ephys_traces(20_000, 16)
    configuration = _configuration(data)
    table = compare_codecs(configuration, data)
    assert list(table.index) == [candidate["label"] for candidate in DEFAULT_CANDIDATES]
    assert table["ratio"].notna().all() and (table["compress_mb_s"] > 0).all()
    assert set(table["backend"]) == {"hdf5", "zarr"}
    assert table.loc["gzip 4", "portability"] == "every HDF5 reader"
    assert table.loc["Zstd 3", "portability"] == "needs hdf5plugin"
    assert not table["lossy"].any()
    # the same figures as a preview of that pipeline alone with compare_codecs' fixed rule (same sample, and the
    # writer's encoder on both sides)
    rule = {"min_chunks": DEFAULT_MIN_CHUNKS}
    single = _configuration(data, compression_method="Zstd", compression_options={"clevel": 9})
    assert preview_compression(single, data, **rule).iloc[0].estimated_bytes == table.loc["Zstd 9", "estimated_bytes"]
    zarr_single = _configuration(data, ZarrDatasetIOConfiguration, compression_method="zstd",
                                 compression_options={"level": 3})  # fmt: skip
    zarr_row = preview_compression(zarr_single, data, **rule).iloc[0]
    assert zarr_row.estimated_bytes == table.loc["zarr zstd 3", "estimated_bytes"]
    # higher gzip levels are not larger on this data
    assert table.loc["gzip 9", "estimated_bytes"] <= table.loc["gzip 1", "estimated_bytes"]


def test_candidates_the_model_refuses_are_not_run_and_say_why():
    text = np.array([f"electrode {index}" for index in range(300)], dtype=object)
    configuration = _configuration(text, chunk_shape=(300,))
    table = compare_codecs(configuration, text, [
        {"label": "blosc", "compression_method": "Blosc"},
        {"label": "gzip", "compression_method": "gzip"},
        {"label": "unknown", "compression_method": "nope"},
    ])  # fmt: skip
    assert np.isnan(table.loc["blosc", "ratio"]) and "cannot encode" in table.loc["blosc", "note"]
    assert "not an available" in table.loc["unknown", "note"]
    assert table.loc["gzip", "ratio"] > 0


def test_contiguous_configuration_is_compared_with_its_default_chunks():
    data = ephys_traces(5000, 4)
    configuration = _configuration(data, chunk_shape=None, compression_method=None)
    table = compare_codecs(configuration, data, [{"compression_method": "gzip"}])
    assert table.attrs["chunk_shape"] == (5000, 4)
    assert table.index[0] == "gzip"


def test_chart_is_a_matplotlib_figure():
    pytest.importorskip("matplotlib")
    from matplotlib.figure import Figure

    data = ephys_traces(8000, 8)
    table = compare_codecs(_configuration(data, chunk_shape=(1000, 8)), data, DEFAULT_CANDIDATES[:4])
    figure = plot_codec_comparison(table)
    assert isinstance(figure, Figure) and len(figure.axes) == 2
    assert figure.axes[0].get_xscale() == "log"
    assert sum(len(axis.collections) for axis in figure.axes) == 8
