"""The details panel's chunk grid picture: Python sends the geometry of the dataset's current chunk shape."""

from __future__ import annotations

from widget_support import front_end

from nwbconfig_widget.chunk_grid import chunk_grid_for

EPHYS = "acquisition/ephys0/data"


def test_details_carry_the_chunk_grid_and_follow_chunk_edits(widget):
    front_end(widget, type="inspect", location=EPHYS)
    item = widget.backend_configuration.dataset_configurations[EPHYS]
    grid = widget.inspection["chunk_grid"]
    assert grid == chunk_grid_for(item)
    assert [panel["name"] for panel in grid["panels"]] == ["time window (1% of the time axis), all channels",
        "one channel, whole recording"]  # fmt: skip
    # 20,000 x 4 samples in chunks of 500 x 4: the 200-sample window in the middle is in chunk 20 of 40.
    item.update(chunk_shape=(500, 4), buffer_shape=(20_000, 4))
    grid = widget.inspection["chunk_grid"]
    assert grid["title"].endswith("chunks 500 × 4")
    window, channel = grid["panels"]
    assert window["caption"] == "touches 1 of 40 chunks" and [run["chunks"] for run in window["touched"]] == [
        [[20, 21], [0, 1]]
    ]
    assert channel["caption"] == "touches 40 of 40 chunks"
    item.update(chunk_shape=(20_000, 1), buffer_shape=(20_000, 4))
    window, channel = widget.inspection["chunk_grid"]["panels"]
    assert window["caption"] == "touches 4 of 4 chunks" and channel["caption"] == "touches 1 of 4 chunks"
