"""The chunk grid of a dataset as a picture: its chunks over the data's shape, and the chunks each typical read touches.

:func:`chunk_grid` computes the geometry (pixel coordinates in a fixed frame, numbers and plain strings only): one
small panel per read, each with the grid of chunk boundaries over the first two axes, the chunks the read touches
(light) and the data it asks for (dark). The widget's view only draws it; :func:`chunk_grid_svg` draws the same
geometry as SVG text for notebooks and documents, and :func:`chunk_grid_picture` wraps it in an object that
notebooks display (``_repr_svg_``).

The picture stays small for any grid: at most ``MAX_LINES`` boundaries are drawn along an axis (a line every so
many chunks beyond that) and the chunks a read touches are drawn as runs of consecutive chunks (at most
``MAX_RUNS`` per axis, the closest runs merged beyond that), never one rectangle per chunk. Axes beyond the second
are not drawn; each panel's caption counts the chunks touched over all axes.

>>> grid = chunk_grid((100, 40), (10, 20), {"rows 25-34": (slice(25, 35), slice(None))})
>>> panel = grid["panels"][0]
>>> panel["caption"]
'touches 4 of 20 chunks'
>>> [run["chunks"] for run in panel["touched"]]
[[[2, 4], [0, 2]]]
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import numpy as np

from ._plain import has_control_characters, plain
from .access import _normalize, chunk_indices_touched, typical_selections
from .models import DatasetIOConfiguration

__all__ = [
    "MAX_LINES",
    "MAX_RUNS",
    "ChunkGridPicture",
    "chunk_grid",
    "chunk_grid_for",
    "chunk_grid_picture",
    "chunk_grid_svg",
    "inspection_chunk_grid",
]

#: Most chunk boundaries drawn along one axis; beyond it, a line every ``ceil(chunks / MAX_LINES)`` chunks.
MAX_LINES = 40
#: Most separate runs of touched chunks drawn along one axis; beyond it, the runs closest together are merged.
MAX_RUNS = 16
#: Panel layout (pixels): plot width and height (1-D data: ``PLOT_HEIGHT_1D``), panels per row, margins.
PLOT_WIDTH, PLOT_HEIGHT, PLOT_HEIGHT_1D = 240, 72, 18
COLUMNS, MARGIN, TITLE, HEADER, FOOTER, GAP, LINE = 2, 10, 16, 30, 28, 10, 14
#: A read's name is wrapped into at most two lines of this many characters above its panel.
NAME_CHARACTERS = 40
#: Chunks a panel shows along an axis when it zooms in on a read that touches few of very many chunks.
ZOOM_CHUNKS = 24
#: Axis names by neurodata type (the first axis of an NWB TimeSeries' data is time).
_AXIS_NAMES = {
    "ElectricalSeries": ("time", "channels"),
    "SpikeEventSeries": ("events", "channels"),
    "RoiResponseSeries": ("time", "ROIs"),
    "TwoPhotonSeries": ("time", "x"),
    "OnePhotonSeries": ("time", "x"),
    "ImageSeries": ("time", "x"),
}


def _runs(indices: np.ndarray, limit: int = MAX_RUNS) -> list[tuple[int, int]]:
    """Consecutive indices as ``[start, stop)`` runs; with more than ``limit`` runs, the closest ones are merged.

    >>> _runs(np.array([0, 1, 2, 5, 6, 9]))
    [(0, 3), (5, 7), (9, 10)]
    >>> _runs(np.array([0, 2, 4, 10]), limit=2)
    [(0, 5), (10, 11)]
    """
    if indices.size == 0:
        return []
    indices = np.unique(indices)
    breaks = np.flatnonzero(np.diff(indices) > 1)
    starts = np.concatenate(([indices[0]], indices[breaks + 1]))
    stops = np.concatenate((indices[breaks], [indices[-1]])) + 1
    if len(starts) > limit:  # keep the limit - 1 widest gaps: every other gap is filled
        gaps = starts[1:] - stops[:-1]
        kept = np.sort(np.argsort(-gaps, kind="stable")[: limit - 1])
        starts = np.concatenate(([starts[0]], starts[kept + 1]))
        stops = np.concatenate((stops[kept], [stops[-1]]))
    return [(int(start), int(stop)) for start, stop in zip(starts, stops)]


def _extent_runs(item: Any) -> list[tuple[int, int]]:
    """The elements a normalized selection of one axis asks for, as ``[start, stop)`` runs."""
    if isinstance(item, int):
        return [(item, item + 1)]
    if isinstance(item, slice):
        if item.stop <= item.start:
            return []
        if item.step == 1 or len(range(item.start, item.stop, item.step)) > MAX_RUNS:
            return [(item.start, item.stop)]  # a long strided read is drawn as its extent
        return _runs(np.arange(item.start, item.stop, item.step))
    return _runs(np.asarray(item))


def _count(number: int, unit: str) -> str:
    return f"{number:,} {unit}{'' if number == 1 else 's'}"


def _touched(item: Any, chunk: int) -> tuple[list[tuple[int, int]], int]:
    """The runs of chunk indices a normalized selection of one axis touches (at most ``MAX_RUNS``), and how many
    chunks that is; a slice read in one piece is never expanded into its indices (grids of any size stay cheap).

    >>> _touched(slice(0, 10**12, 1), 10)
    ([(0, 100000000000)], 100000000000)
    """
    if isinstance(item, slice) and item.step <= chunk:
        if item.stop <= item.start:
            return [], 0
        first, stop = item.start // chunk, (item.stop - 1) // chunk + 1
        return [(first, stop)], stop - first
    if isinstance(item, slice):  # a step longer than a chunk: every element selected is in a chunk of its own
        count = len(range(item.start, item.stop, item.step))
        if count > MAX_RUNS:
            return [(item.start // chunk, (item.stop - 1) // chunk + 1)], count
    indices = chunk_indices_touched(item, chunk)
    return _runs(indices), int(indices.size)


def _view(touched: list[tuple[int, int]], count: int) -> tuple[int, int]:
    """The chunks ``[first, stop)`` a panel shows along one axis: all of them, or ``ZOOM_CHUNKS`` around the
    touched ones when there are more than ``MAX_LINES`` and the touched ones fit in that window."""
    if count <= MAX_LINES or not touched:
        return 0, count
    low, high = touched[0][0], touched[-1][1]
    if high - low > ZOOM_CHUNKS:
        return 0, count
    first = max(0, min(count - ZOOM_CHUNKS, (low + high) // 2 - ZOOM_CHUNKS // 2))
    return first, first + ZOOM_CHUNKS


def _rectangles(
    runs_per_axis: list[list[tuple[int, int]]], chunks: Sequence[int] | None, place: tuple
) -> list[dict[str, Any]]:
    """Pixel rectangles of the product of runs along the drawn axes: runs of chunk indices (``chunks`` given, the
    rectangles keep them as ``chunks``) or of elements (kept as ``elements``). ``place``: the panel's function from
    (axis, element) to pixels, its top left corner and its plot height."""
    position, (x0, y0), plot_height = place
    drawn = len(runs_per_axis)
    out = []
    for x_run in runs_per_axis[0]:
        for y_run in runs_per_axis[1] if drawn == 2 else [(0, 1)]:
            corners = []
            for axis, (start, stop) in enumerate((x_run, y_run)[:drawn]):
                size = 1 if chunks is None else chunks[axis]
                corners.append((position(axis, start * size), position(axis, stop * size)))
            if drawn == 1:
                corners.append((0.0, float(plot_height)))
            (left, right), (top, bottom) = corners
            out.append(
                {
                    "x": round(x0 + left, 2),
                    "y": round(y0 + top, 2),
                    "width": round(right - left, 2),
                    "height": round(bottom - top, 2),
                    ("elements" if chunks is None else "chunks"): [list(x_run), *([list(y_run)] * (drawn == 2))],
                }
            )
    return out


def _wrap(name: str) -> list[str]:
    """A read's name in at most two lines of ``NAME_CHARACTERS``, the second cut with an ellipsis when needed.

    >>> _wrap("time window (1% of the time axis), all channels")
    ['time window (1% of the time axis), all', 'channels']
    """
    lines = textwrap.wrap(name, NAME_CHARACTERS, break_long_words=True, break_on_hyphens=False) or [""]
    if len(lines) > 2:
        lines = [lines[0], lines[1][: NAME_CHARACTERS - 1] + "…"]
    return lines


def _drawn(rectangle: Mapping[str, Any], minimum: float) -> list[float]:
    """``[x, y, width, height]`` at least ``minimum`` pixels wide and high, centred on the exact rectangle."""
    x, y, width, height = rectangle["x"], rectangle["y"], rectangle["width"], rectangle["height"]
    grow_x, grow_y = max(0.0, minimum - width), max(0.0, minimum - height)
    return [round(x - grow_x / 2, 2), round(y - grow_y / 2, 2), round(width + grow_x, 2), round(height + grow_y, 2)]


def chunk_grid(
    full_shape: Sequence[int],
    chunk_shape: Sequence[int] | None,
    selections: Mapping[str, Any] | None = None,
    *,
    axis_names: Sequence[str] = (),
    title: str = "",
) -> dict[str, Any]:
    """The geometry of a chunk grid picture: one panel per selection (name -> tuple of slices, integers, index lists).

    Returns ``width``, ``height``, ``title``, ``axes`` (a line of text per drawn axis: its length, chunks and chunk
    length), ``notes`` (the axes not drawn), ``legend``, ``chunks`` (in all), ``labels`` (every text with its
    position and ``kind``: title, name or note) and ``panels``. A panel has ``name``, ``caption``, ``frame`` (its
    plot's rectangle), ``grid`` (the chunk boundaries as one SVG path relative to the frame, ``""`` when none),
    ``touched`` and ``asked`` (exact rectangles in pixels, with the ``chunks`` or ``elements`` ``[start, stop)``
    ranges they cover along the drawn axes, and ``draw``: ``[x, y, width, height]`` at least a pixel or so wide),
    ``view`` (the element range shown along each drawn axis: a panel zooms in on a read that touches few of very
    many chunks, and its ``zoom`` text says so) and ``chunks_touched`` (over all axes). A contiguous dataset
    (``chunk_shape=None``) has no grid; a read then touches what it asks for. Names are returned as plain text
    (control characters escaped).

    >>> grid = chunk_grid((1000,), (100,), {"first 150": (slice(0, 150),)})
    >>> grid["panels"][0]["touched"][0]["chunks"], grid["panels"][0]["touched"][0]["width"]
    ([[0, 2]], 48.0)
    """
    shape = [int(length) for length in full_shape]
    if not shape:
        raise ValueError("a scalar dataset has no chunk grid")
    if chunk_shape is not None and len(chunk_shape) != len(shape):
        raise ValueError(f"chunk shape {tuple(chunk_shape)} has {len(chunk_shape)} axes but the data has {len(shape)}")
    if chunk_shape is not None and any(int(length) < 1 for length in chunk_shape):
        raise ValueError(f"chunk shape {tuple(chunk_shape)}: every axis needs at least 1")
    chunks = None if chunk_shape is None else [min(int(c), max(1, n)) for c, n in zip(chunk_shape, shape)]
    drawn = min(2, len(shape))
    plot_height = PLOT_HEIGHT if drawn == 2 else PLOT_HEIGHT_1D
    sizes = (PLOT_WIDTH, plot_height)
    # A contiguous dataset is one "chunk" per axis.
    sizes_of = shape if chunks is None else chunks
    counts = [math.ceil(n / c) if n else 0 for n, c in zip(shape, sizes_of)]
    names = [axis_names[axis] if axis < len(axis_names) else f"axis {axis}" for axis in range(len(shape))]
    axes = []
    for axis in range(drawn):
        text = f"{names[axis]} {'→' if axis == 0 else '↓'} {shape[axis]:,}"
        text += " (contiguous)" if chunks is None else f" in {_count(counts[axis], 'chunk')} of {chunks[axis]:,}"
        axes.append(text)
    notes = [
        f"{names[axis]}: {shape[axis]:,}"
        + ("" if chunks is None else f" in {_count(counts[axis], 'chunk')}")
        + " (not drawn)"
        for axis in range(drawn, len(shape))
    ]
    total_chunks = math.prod(counts)
    row_height = HEADER + plot_height + FOOTER + GAP

    panels = []
    for index, (name, selection) in enumerate((selections or {}).items()):
        items = _normalize(selection, shape)
        x0 = MARGIN + (index % COLUMNS) * (PLOT_WIDTH + GAP)
        y0 = MARGIN + TITLE + HEADER + (index // COLUMNS) * row_height
        touched_runs, touched_counts = zip(*(_touched(item, size) for item, size in zip(items, sizes_of)))
        count = math.prod(touched_counts)
        views = [_view(touched_runs[axis], counts[axis]) for axis in range(drawn)]
        # The element range shown along each drawn axis.
        spans = [
            (first * sizes_of[axis], min(shape[axis], stop * sizes_of[axis]))
            for axis, (first, stop) in enumerate(views)
        ]

        def position(axis: int, element: float, spans: list = spans) -> float:
            low, high = spans[axis]
            fraction = (min(max(element, low), high) - low) / (high - low) if high > low else 0.0
            return round(sizes[axis] * fraction, 2)

        segments = []
        zoom = []
        if chunks is not None:
            for axis, (first, stop) in enumerate(views):
                step = max(1, math.ceil((stop - first) / MAX_LINES))
                for boundary in range(first + step - first % step if first % step else first + step, stop, step):
                    at = position(axis, boundary * chunks[axis])
                    segments.append(f"M{at:g} 0V{sizes[1]:g}" if axis == 0 else f"M0 {at:g}H{sizes[0]:g}")
                if (first, stop) != (0, counts[axis]):
                    zoom.append(f"{names[axis]}: chunks {first:,}–{stop - 1:,} of {counts[axis]:,} shown")
                elif step > 1:
                    zoom.append(f"{names[axis]}: a line every {step:,} chunks")

        asked_runs = [_extent_runs(items[axis]) for axis in range(drawn)]
        place = (position, (x0, y0), plot_height)
        touched = [] if chunks is None else _rectangles(list(touched_runs[:drawn]), sizes_of, place)
        caption = (
            f"touches {count:,} of {_count(total_chunks, 'chunk')}"
            if chunks is not None
            else "contiguous: reads only what it asks for"
        )
        panels.append(
            {
                "name": plain(name),
                "caption": caption,
                "zoom": "; ".join(zoom),
                "frame": {"x": x0, "y": y0, "width": PLOT_WIDTH, "height": plot_height},
                "grid": "".join(segments),
                "touched": touched,
                "asked": _rectangles(asked_runs, None, place),
                "view": [list(span) for span in spans],
                "chunks_touched": count,
            }
        )
    rows = max(1, math.ceil(len(panels) / COLUMNS))
    legend = "light: chunks read whole · dark: the data asked for"
    footer = [*axes, *notes, legend]
    height = MARGIN + TITLE + rows * row_height + LINE * len(footer) + MARGIN
    # Where every text goes, and the rectangles as drawn (at least a pixel or so, so one channel of 384 shows).
    labels = [{"x": MARGIN, "y": MARGIN + 10, "text": plain(title), "kind": "title"}]
    for panel in panels:
        frame = panel["frame"]
        below = frame["y"] + frame["height"]
        lines = _wrap(panel["name"])
        for number, line in enumerate(lines):
            y = frame["y"] - 5 - 12 * (len(lines) - 1 - number)
            labels.append({"x": frame["x"], "y": y, "text": line, "kind": "name"})
        labels.append({"x": frame["x"], "y": below + 12, "text": panel["caption"], "kind": "note"})
        if panel["zoom"]:
            labels.append({"x": frame["x"], "y": below + 24, "text": panel["zoom"], "kind": "note"})
        for rectangle in panel["touched"]:
            rectangle["draw"] = _drawn(rectangle, 1.0)
        for rectangle in panel["asked"]:
            rectangle["draw"] = _drawn(rectangle, 1.5)
    for line, text in enumerate(footer):
        labels.append(
            {"x": MARGIN, "y": height - MARGIN - LINE * (len(footer) - line) + 10, "text": text, "kind": "note"}
        )
    return {
        "width": MARGIN * 2 + COLUMNS * PLOT_WIDTH + (COLUMNS - 1) * GAP,
        "height": height,
        "title": plain(title),
        "axes": axes,
        "notes": notes,
        "legend": legend,
        "panels": panels,
        "labels": labels,
        "chunks": total_chunks,
    }


def chunk_grid_for(
    configuration: DatasetIOConfiguration,
    selections: Mapping[str, Any] | None = None,
    *,
    chunk_shape: Sequence[int] | None | str = "current",
) -> dict[str, Any]:
    """:func:`chunk_grid` of a dataset configuration, with its typical reads (of
    :func:`~nwbconfig_widget.typical_selections`, without "whole dataset") unless ``selections`` are given.

    ``chunk_shape`` draws another chunk shape than the configuration's (``None``: contiguous).

    >>> from nwbconfig_widget import HDF5DatasetIOConfiguration
    >>> ephys = HDF5DatasetIOConfiguration(object_id="id", location_in_file="acquisition/ElectricalSeries/data",
    ...     dataset_name="data", dtype="int16", full_shape=(108_000_000, 384), chunk_shape=(78125, 64),
    ...     neurodata_type="ElectricalSeries")
    >>> for panel in chunk_grid_for(ephys)["panels"]:
    ...     print(f"{panel['name']}: {panel['caption']}")
    time window (1 s), all channels: touches 6 of 8,298 chunks
    one channel, whole recording: touches 1,383 of 8,298 chunks
    """
    if selections is None:
        selections = {
            name: selection for name, selection in typical_selections(configuration).items() if name != "whole dataset"
        }
    shape = configuration.chunk_shape if chunk_shape == "current" else chunk_shape
    kind = configuration.neurodata_type if configuration.dataset_name == "data" else None
    shape_text = "contiguous" if shape is None else " × ".join(f"{length:,}" for length in shape)
    return chunk_grid(
        configuration.full_shape,
        shape,
        selections,
        axis_names=_AXIS_NAMES.get(kind or "", ()),
        title=f"{configuration.location_in_file}: chunks {shape_text}",
    )


def inspection_chunk_grid(configuration: DatasetIOConfiguration) -> dict[str, Any] | None:
    """The geometry the widget's details panel draws: :func:`chunk_grid_for` with the typical reads (None for data
    without axes, which has no grid)."""
    return chunk_grid_for(configuration) if configuration.full_shape else None


def _attributes(values: Mapping[str, Any]) -> str:
    return "".join(f" {name}={quoteattr(str(value))}" for name, value in values.items())


def _text(x: float, y: float, text: str, css_class: str, **extra: Any) -> str:
    text = plain(text) if has_control_characters(str(text)) else str(text)  # the geometry's names are plain already
    return f"<text{_attributes({'x': x, 'y': y, 'class': css_class, **extra})}>{escape(text)}</text>"


_STYLE = (
    ".ncg-frame{fill:#fff;stroke:#555;stroke-width:1}.ncg-grid{fill:none;stroke:#bbb;stroke-width:.6}"
    ".ncg-touched{fill:#f4b183;fill-opacity:.75;stroke:#c55a11;stroke-width:.6}"
    ".ncg-asked{fill:#843c0c;fill-opacity:.9}"
    "text{font-family:system-ui,sans-serif;font-size:11px;fill:#222}.ncg-title{font-weight:600}"
    ".ncg-note{fill:#555;font-size:10px}"
)


def chunk_grid_svg(geometry: Mapping[str, Any]) -> str:
    """Draw :func:`chunk_grid`'s geometry as SVG text (every name escaped: it stays text).

    >>> svg = chunk_grid_svg(chunk_grid((10,), (5,), {"<b>x</b>": (slice(0, 2),)}))
    >>> svg.startswith("<svg") and "&lt;b&gt;x&lt;/b&gt;" in svg and "<b>" not in svg
    True
    """
    width, height = geometry["width"], geometry["height"]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" class="ncg">',
        f"<style>{_STYLE}</style>",
    ]
    for panel in geometry["panels"]:
        frame = panel["frame"]
        parts.append(f"<rect{_attributes({**frame, 'class': 'ncg-frame'})}/>")
        for kind in ("touched", "asked"):
            for rectangle in panel[kind]:
                x, y, w, h = rectangle["draw"]
                parts.append(f"<rect{_attributes({'x': x, 'y': y, 'width': w, 'height': h, 'class': f'ncg-{kind}'})}/>")
        if panel["grid"]:
            transform = f"translate({frame['x']} {frame['y']})"
            parts.append(f"<path{_attributes({'d': panel['grid'], 'class': 'ncg-grid', 'transform': transform})}/>")
    for label in geometry["labels"]:
        parts.append(_text(label["x"], label["y"], label["text"], f"ncg-{label['kind']}"))
    parts.append("</svg>")
    return "".join(parts)


class ChunkGridPicture:
    """A chunk grid picture that notebooks display (``_repr_svg_``); ``geometry`` is :func:`chunk_grid`'s dict and
    ``svg`` the picture as text (to save: ``Path("grid.svg").write_text(picture.svg)``)."""

    def __init__(self, geometry: dict[str, Any]) -> None:
        self.geometry = geometry
        self.svg = chunk_grid_svg(geometry)

    def _repr_svg_(self) -> str:
        return self.svg

    def __repr__(self) -> str:
        panels = "; ".join(f"{panel['name']}: {panel['caption']}" for panel in self.geometry["panels"])
        return f"<ChunkGridPicture {self.geometry['title']} | {panels}>"


def chunk_grid_picture(
    configuration: DatasetIOConfiguration,
    selections: Mapping[str, Any] | None = None,
    *,
    chunk_shape: Sequence[int] | None | str = "current",
) -> ChunkGridPicture:
    """The chunk grid of a dataset configuration with its typical reads, as a picture a notebook shows.

    ``selections`` and ``chunk_shape`` as in :func:`chunk_grid_for`.

    >>> from nwbconfig_widget import HDF5DatasetIOConfiguration
    >>> movie = HDF5DatasetIOConfiguration(object_id="id", location_in_file="acquisition/TwoPhotonSeries/data",
    ...     dataset_name="data", dtype="uint16", full_shape=(9000, 512, 512), chunk_shape=(19, 512, 512),
    ...     neurodata_type="TwoPhotonSeries")
    >>> picture = chunk_grid_picture(movie)
    >>> picture._repr_svg_().startswith("<svg")
    True
    >>> [panel["chunks_touched"] for panel in picture.geometry["panels"]]
    [1, 3, 474]
    """
    return ChunkGridPicture(chunk_grid_for(configuration, selections, chunk_shape=chunk_shape))
