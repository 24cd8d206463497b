"""The copy of a chunk out of its write buffer moves each contiguous run of bytes at once; it must give exactly what
``np.copyto`` gives, for every layout a buffer can cut a chunk from, and fall back to it where runs do not apply."""

import numpy as np
import pytest

from nwbconfig_widget.io.chunk_buffers import ChunkBuffers, _contiguous_runs, copy_by_runs

rng = np.random.default_rng(12)
EPHYS = rng.integers(-2000, 2000, (300, 48), dtype="int16")
MOVIE = rng.random((6, 40, 40)).astype("float32")
RECORDS = np.zeros((50, 12), dtype=[("time", "<f8"), ("code", "u1"), ("label", "S3")])
RECORDS["time"] = rng.random((50, 12))
RECORDS["code"] = rng.integers(0, 255, (50, 12))
RECORDS["label"] = rng.choice([b"a", b"bc", b"def"], (50, 12))

LAYOUTS = {
    "columns of a 2-D buffer": (EPHYS, np.s_[:, 8:24]),
    "one column": (EPHYS, np.s_[:, 5:6]),
    "rows and columns": (EPHYS, np.s_[100:200, 40:48]),
    "tile of a movie": (MOVIE, np.s_[:, 8:24, 16:32]),
    "frames of a movie, whole rows": (MOVIE, np.s_[1:4, 10:30, :]),
    "every other column": (EPHYS, np.s_[:, ::2]),
    "columns reversed": (EPHYS, np.s_[:, ::-1]),
    "rows reversed": (EPHYS, np.s_[::-1, :16]),
    "big-endian columns": (EPHYS.astype(">i2"), np.s_[:, 8:24]),
    "structured records": (RECORDS, np.s_[:, 3:9]),
    "a 1-D stride": (EPHYS[:, 0], np.s_[::3]),
}


@pytest.mark.parametrize("layout", LAYOUTS)
def test_copy_by_runs_gives_what_copyto_gives(layout):
    block, cut = LAYOUTS[layout]
    chunk = block[cut]
    expected = np.empty(chunk.shape, dtype=chunk.dtype)
    np.copyto(expected, chunk)
    copied = np.full(chunk.shape, expected.flat[0], dtype=chunk.dtype)
    copy_by_runs(copied, chunk)
    assert copied.tobytes() == expected.tobytes()
    assert copied.dtype == chunk.dtype


def test_runs_are_seen_only_where_they_hold_more_than_one_item():
    assert _contiguous_runs(EPHYS[:, 8:24]).shape == (300, 16)
    assert _contiguous_runs(MOVIE[1:4, 10:30, :]).shape == (3, 800)  # whole rows join into one run per frame
    assert _contiguous_runs(MOVIE[:, 8:24, 16:32]).shape == (6, 16, 16)
    assert _contiguous_runs(EPHYS[:, ::2]) is None
    assert _contiguous_runs(EPHYS[:, ::-1]) is None
    assert _contiguous_runs(EPHYS[:, 5:6]) is None
    assert _contiguous_runs(np.array([object(), object()])) is None


def test_a_cast_or_a_fortran_buffer_falls_back_to_copyto():
    chunk = EPHYS[:, 8:24]
    widened = np.empty(chunk.shape, dtype="int32")
    copy_by_runs(widened, chunk)
    assert (widened == chunk).all()
    fortran = np.empty(chunk.shape, dtype="int16", order="F")
    copy_by_runs(fortran, chunk)
    assert (fortran == chunk).all()


def test_the_pool_copies_a_cut_chunk_by_runs_and_lends_the_source_when_contiguous():
    buffers = ChunkBuffers((300, 16), np.dtype("int16"))
    with buffers.contiguous(EPHYS[:, 16:32]) as chunk:
        assert chunk.flags.c_contiguous and not np.shares_memory(chunk, EPHYS)
        assert chunk.tobytes() == np.ascontiguousarray(EPHYS[:, 16:32]).tobytes()
    whole = np.ascontiguousarray(EPHYS[:, :16])
    with buffers.contiguous(whole) as chunk:
        assert chunk is whole
