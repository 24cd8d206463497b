"""The chunk grid picture: exact rectangles on small grids (computed by hand), bounded pictures for huge grids, and
names that stay text."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree

import numpy as np
import pytest

from nwbconfig_widget import HDF5DatasetIOConfiguration, access_cost
from nwbconfig_widget.chunk_grid import (
    MAX_LINES,
    MAX_RUNS,
    chunk_grid,
    chunk_grid_for,
    chunk_grid_picture,
    chunk_grid_svg,
)

# The first panel's plot starts at (10, 56): a margin of 10, a title line of 16 and a panel header of 30; it is
# 240 x 72 pixels (2-D data) or 240 x 18 (1-D); the second panel is 240 + 10 pixels to the right.
X0, Y0, WIDTH, HEIGHT, HEIGHT_1D = 10, 56, 240, 72, 18


def box(rectangle):
    return (rectangle["x"], rectangle["y"], rectangle["width"], rectangle["height"])


def test_a_row_band_touches_the_chunks_it_crosses():
    # 100 x 40 elements in 10 x 20 chunks: a 10 x 2 grid. Rows 25-34 cross chunk rows 2 and 3 (elements 20-40).
    grid = chunk_grid((100, 40), (10, 20), {"rows": (slice(25, 35), slice(None)), "column 25": (slice(None), 25)})
    rows, column = grid["panels"]
    assert rows["chunks_touched"] == 4 and rows["caption"] == "touches 4 of 20 chunks"
    assert [run["chunks"] for run in rows["touched"]] == [[[2, 4], [0, 2]]]
    assert [box(run) for run in rows["touched"]] == [(X0 + 48, Y0, 48, HEIGHT)]  # 240 * 20/100, 240 * 20/100
    assert [run["elements"] for run in rows["asked"]] == [[[25, 35], [0, 40]]]
    assert [box(run) for run in rows["asked"]] == [(X0 + 60, Y0, 24, HEIGHT)]  # 240 * 25/100, 240 * 10/100
    # Column 25 lies in the second chunk column (20-40): every chunk row of it, drawn in the second panel.
    assert column["chunks_touched"] == 10
    assert [run["chunks"] for run in column["touched"]] == [[[0, 10], [1, 2]]]
    assert [box(run) for run in column["touched"]] == [(X0 + 250, Y0 + 36, WIDTH, 36)]  # 72 * 20/40, 72 * 20/40
    assert [box(run) for run in column["asked"]] == [(X0 + 250, Y0 + 45, WIDTH, 1.8)]  # 72 * 25/40, 72 / 40
    # Chunk boundaries: 9 vertical lines at every 24 pixels, one horizontal line at 36.
    assert rows["grid"] == "".join(f"M{24 * k} 0V72" for k in range(1, 10)) + "M0 36H240"
    assert grid["axes"] == ["axis 0 → 100 in 10 chunks of 10", "axis 1 ↓ 40 in 2 chunks of 20"]


def test_edge_chunks_end_at_the_data_and_scattered_reads_are_runs():
    # 25 elements in chunks of 10: the last chunk holds 5 elements and ends at the edge of the plot.
    grid = chunk_grid((25,), (10,), {"tail": (slice(22, 25),), "scattered": (np.array([0, 1, 12, 24]),)})
    tail, scattered = grid["panels"]
    assert [box(run) for run in tail["touched"]] == [(X0 + 192, Y0, 48, HEIGHT_1D)]  # 240 * 20/25 to 240
    assert [box(run) for run in tail["asked"]] == [(X0 + 211.2, Y0, 28.8, HEIGHT_1D)]  # 240 * 22/25 to 240
    assert [run["chunks"] for run in scattered["touched"]] == [[[0, 3]]]  # chunks 0, 1 and 2: one run
    assert [run["elements"] for run in scattered["asked"]] == [[[0, 2]], [[12, 13]], [[24, 25]]]
    assert scattered["chunks_touched"] == 3


def test_the_counts_agree_with_access_cost():
    configuration = HDF5DatasetIOConfiguration(
        object_id="id", location_in_file="acquisition/ElectricalSeries/data", dataset_name="data", dtype="int16",
        full_shape=(108_000_000, 384), chunk_shape=(78125, 64), neurodata_type="ElectricalSeries",
    )  # fmt: skip
    grid = chunk_grid_for(configuration, {"strided": (slice(0, 10**6, 100_000), slice(0, 384, 100))})
    assert grid["panels"][0]["chunks_touched"] == access_cost(configuration, (slice(0, 10**6, 100_000),
        slice(0, 384, 100))).chunks_touched == 10 * 4  # fmt: skip
    for panel in chunk_grid_for(configuration)["panels"]:
        assert panel["chunks_touched"] in (6, 1383)


def test_a_read_of_few_of_very_many_chunks_is_shown_zoomed_in():
    # 1,000 chunks of 1,000: chunk 500 is shown among the 24 chunks 488-511, at 10 pixels a chunk.
    grid = chunk_grid((1_000_000,), (1000,), {"window": (slice(500_000, 500_500),), "all": (slice(None),)})
    window, whole = grid["panels"]
    assert window["view"] == [[488_000, 512_000]] and window["zoom"] == "axis 0: chunks 488–511 of 1,000 shown"
    assert [box(run) for run in window["touched"]] == [(X0 + 120, Y0, 10, HEIGHT_1D)]
    assert [box(run) for run in window["asked"]] == [(X0 + 120, Y0, 5, HEIGHT_1D)]
    assert whole["view"] == [[0, 1_000_000]] and whole["zoom"] == "axis 0: a line every 25 chunks"
    assert whole["grid"].count("M") == 39


def test_contiguous_data_has_no_grid():
    grid = chunk_grid((100, 40), None, {"rows": (slice(25, 35), slice(None))})
    panel = grid["panels"][0]
    assert panel["grid"] == "" and panel["touched"] == []
    assert panel["caption"] == "contiguous: reads only what it asks for"
    assert [box(run) for run in panel["asked"]] == [(X0 + 60, Y0, 24, HEIGHT)]
    assert grid["axes"][0] == "axis 0 → 100 (contiguous)"


def test_huge_grids_draw_a_bounded_picture():
    # 10^11 chunks, reads along every axis, and a scattered read with 500,000 separate runs.
    configuration = HDF5DatasetIOConfiguration(
        object_id="id", location_in_file="acquisition/TwoPhotonSeries/data", dataset_name="data", dtype="uint8",
        full_shape=(10**9, 10**4, 3), chunk_shape=(10, 10, 1), neurodata_type="TwoPhotonSeries",
    )  # fmt: skip
    selections = {
        "scattered": (np.arange(0, 10**6, 2), np.arange(0, 10**4, 2)),
        "strided": (slice(None, None, 7), slice(None)),
        "one element": (5, 5, 0),
    }
    picture = chunk_grid_picture(configuration, selections)
    geometry = picture.geometry
    assert geometry["chunks"] == 10**8 * 10**3 * 3
    for panel in geometry["panels"]:
        assert len(panel["touched"]) <= MAX_RUNS**2 and len(panel["asked"]) <= MAX_RUNS**2
        assert panel["grid"].count("M") <= 2 * MAX_LINES
    assert geometry["panels"][0]["chunks_touched"] == 100_000 * 1000 * 3
    elements = list(ElementTree.fromstring(picture.svg).iter())
    assert len(elements) <= 300  # 256 of them: the scattered read's 500,000 x 5,000 runs, merged to 16 x 16
    typical = chunk_grid_picture(configuration)  # a frame, a time window, an ROI trace over 10^9 frames
    assert len(list(ElementTree.fromstring(typical.svg).iter())) <= 40


def test_hostile_names_stay_text():
    hostile = '<script>alert(1)</script>\x1b[31m"&\u202e'
    configuration = HDF5DatasetIOConfiguration(
        object_id="id", location_in_file=f"acquisition/{hostile}/data", dataset_name="data", dtype="int16",
        full_shape=(1000, 8), chunk_shape=(100, 8),
    )  # fmt: skip
    picture = chunk_grid_picture(configuration, {hostile: (slice(0, 10), slice(None))})
    root = ElementTree.fromstring(picture.svg)  # well-formed: nothing was parsed as markup
    assert not any(element.tag.endswith("script") for element in root.iter())
    texts = ["".join(element.itertext()) for element in root.iter() if element.tag.endswith("text")]
    assert 'acquisition/<script>alert(1)</script>\\x1b[31m"&\\u202e/data: chunks 100 × 8' in texts
    names = [element.text for element in root.iter() if element.get("class") == "ncg-name"]
    assert "".join(names) == '<script>alert(1)</script>\\x1b[31m"&\\u202e'  # wrapped on two lines, as text
    assert "\x1b" not in picture.svg and "\u202e" not in picture.svg
    assert picture.geometry["panels"][0]["name"] == '<script>alert(1)</script>\\x1b[31m"&\\u202e'


def test_bad_chunk_shapes_are_refused():
    with pytest.raises(ValueError, match="has 1 axes but the data has 2"):
        chunk_grid((10, 10), (5,))
    with pytest.raises(ValueError, match="at least 1"):
        chunk_grid((10, 10), (0, 5))
    with pytest.raises(ValueError, match="scalar"):
        chunk_grid((), ())
    assert chunk_grid_svg(chunk_grid((10,), (5,))).startswith("<svg")
