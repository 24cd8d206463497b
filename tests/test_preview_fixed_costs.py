"""The preview's fixed costs: small HDF5 datasets in one in-memory file, Blosc's block size from a small probe, the
nested order drawn lazily, one thread pool per process. Each keeps the figures exact where they were."""

from __future__ import annotations

import itertools
import multiprocessing
import tempfile

import numpy as np
import pytest
from nwbfiles import ephys_traces, make_rich_nwbfile
from test_preview import SIZE_COLUMNS, stored_chunk_bytes

from nwbconfig_widget import HDF5DatasetIOConfiguration, configure_and_write_nwbfile, get_default_backend_configuration
from nwbconfig_widget.preview import (
    _reader,
    _text_heap_bytes,
    dataset_source,
    file_overhead_bytes,
    preview_compression,
    preview_pool,
    small_hdf5_dataset,
)
from nwbconfig_widget.preview_encoders import _blosc_block, _blosc_block_sizes, _blosc_frame
from nwbconfig_widget.preview_sampling import iter_nested_order, nested_order

CODECS = {
    "gzip": ("gzip", {"level": 4}),
    "Zstd": ("Zstd", {"clevel": 3}),
    "Blosc": ("Blosc", {"cname": "zstd", "clevel": 5, "shuffle": 2}),
}


def _numeric_compressed(nwbfile, method, options):
    configuration = get_default_backend_configuration(nwbfile, backend="hdf5")
    for item in configuration.dataset_configurations.values():
        if item.dtype.kind in "biuf" and item.chunk_shape is not None:
            item.update(compression_method=method, compression_options=options)
    return configuration


@pytest.mark.parametrize("codec", list(CODECS))
def test_small_datasets_are_measured_exactly_in_one_file_and_nothing_is_written_to_disk(tmp_path, monkeypatch, codec):
    """With the default sample, every small HDF5 dataset's size is that of the written file, byte for byte; the
    figures are those each dataset gets previewed alone; and the preview makes no scratch file on disk (the decode
    timing of each small Zstd or gzip dataset used to write one)."""
    nwbfile = make_rich_nwbfile()
    configuration = _numeric_compressed(nwbfile, *CODECS[codec])
    file_overhead_bytes("hdf5")  # an empty file written once per process
    # No temporary file or folder can be made during the preview: the temporary folder does not exist.
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "missing"))
    table = preview_compression(nwbfile, configuration)
    monkeypatch.undo()
    path = tmp_path / "session.nwb"
    configure_and_write_nwbfile(nwbfile, path, configuration)
    small = [
        item
        for item in configuration.dataset_configurations.values()
        if small_hdf5_dataset(item) and item.dtype.kind in "biuf" and item.compression_method is not None
    ]
    assert len(small) >= 5
    for item in small:
        row = table.loc[item.location_in_file]
        if "DataChunkIterator" in row.note:  # a sequential iterator is not read, small or not
            continue
        assert row.exact and row.sampled_chunks == 1, item.location_in_file
        assert row.estimated_bytes == stored_chunk_bytes(path, item.location_in_file), item.location_in_file
        assert row.compress_mb_s > 0 and row.decompress_mb_s > 0
        alone = preview_compression(nwbfile, configuration, locations=[item.location_in_file])
        assert [float(value) for value in alone.loc[item.location_in_file, SIZE_COLUMNS]] == [
            float(value) for value in row[SIZE_COLUMNS]
        ]


def test_small_text_datasets_in_the_shared_file_are_as_close_to_the_written_chunks(tmp_path):
    """A text chunk holds references to the strings in the file's heap, whose addresses depend on the file: its
    compressed size is near, not equal to, the written one. In the shared file it stays within one reference (16
    bytes) of the written chunk (it was within 12 bytes with a file per dataset)."""
    nwbfile = make_rich_nwbfile()
    configuration = get_default_backend_configuration(nwbfile, backend="hdf5")
    text = [
        item
        for item in configuration.dataset_configurations.values()
        if item.dtype.kind == "O" and small_hdf5_dataset(item)
    ]
    assert len(text) >= 3
    table = preview_compression(nwbfile, configuration)
    path = tmp_path / "session.nwb"
    configure_and_write_nwbfile(nwbfile, path, configuration)
    for item in text:
        block = _reader(dataset_source(nwbfile, item))(tuple(slice(0, length) for length in item.full_shape))
        row = table.loc[item.location_in_file]
        assert row.exact and row.sampled_chunks == 1
        chunk = row.estimated_bytes - _text_heap_bytes(block)
        assert abs(chunk - stored_chunk_bytes(path, item.location_in_file)) <= 16, item.location_in_file


def test_a_dataset_of_one_large_chunk_is_still_sampled_in_parts():
    data = ephys_traces(125_000, 16)  # one chunk of 4 MB: more than a small dataset
    configuration = HDF5DatasetIOConfiguration(
        object_id="id", location_in_file="acquisition/e/data", dataset_name="data", dtype=data.dtype,
        full_shape=data.shape, chunk_shape=data.shape, compression_method="gzip",
    )  # fmt: skip
    assert not small_hdf5_dataset(configuration)
    row = preview_compression(configuration, data).iloc[0]
    assert "parts of 256 KiB" in row.note and row.sample_bytes < data.nbytes


@pytest.mark.parametrize("cname", ["zstd", "lz4", "blosclz", "zlib"])
def test_blosc_block_size_from_a_small_probe_is_the_whole_chunks(cname):
    """Blosc's own block size for a chunk, read from at most 2 MiB of zeros, is the one a whole chunk of zeros gets."""
    for clevel, shuffle, typesize in itertools.product((1, 5, 9), (1, 2), (1, 2, 8)):
        for chunk_bytes in (3_000_000 // typesize * typesize, 1_500_000 // typesize * typesize):
            whole = np.zeros(chunk_bytes, dtype=np.uint8)
            expected = _blosc_block(_blosc_frame(whole, cname, clevel, shuffle, typesize, 0))
            blocksize, forced = _blosc_block_sizes(chunk_bytes, cname, clevel, shuffle, typesize, 0)
            assert blocksize == expected, (cname, clevel, shuffle, typesize, chunk_bytes)
            assert forced is not None


def test_nested_order_drawn_lazily_is_the_same_order():
    for count, seed in itertools.product((1, 2, 3, 7, 64, 100, 961), (0, 5)):
        order = nested_order(count, seed)
        assert sorted(order) == list(range(count))
        assert list(iter_nested_order(count, seed)) == order
        assert list(itertools.islice(iter_nested_order(count, seed), 24)) == order[:24]


def _preview_in_child(queue) -> None:
    data = ephys_traces(200_000, 32)
    configuration = HDF5DatasetIOConfiguration(
        object_id="id", location_in_file="acquisition/e/data", dataset_name="data", dtype=data.dtype,
        full_shape=data.shape, chunk_shape=(20_000, 32), compression_method="gzip",
    )  # fmt: skip
    row = preview_compression(configuration, data).iloc[0]
    queue.put((id(preview_pool()), float(row.estimated_bytes)))


def test_one_pool_per_process_and_a_forked_child_previews_with_its_own():
    """The pool is kept between previews; a child forked after a preview (its pool's threads are not copied) starts
    its own pool instead of waiting forever on the parent's."""
    first = preview_pool()
    assert first is None or first is preview_pool()
    if first is None:
        pytest.skip("one core: the preview encodes in the calling thread")
    data = ephys_traces(200_000, 32)
    configuration = HDF5DatasetIOConfiguration(
        object_id="id", location_in_file="acquisition/e/data", dataset_name="data", dtype=data.dtype,
        full_shape=data.shape, chunk_shape=(20_000, 32), compression_method="gzip",
    )  # fmt: skip
    expected = float(preview_compression(configuration, data).iloc[0].estimated_bytes)
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_preview_in_child, args=(queue,))
    child.start()
    child.join(timeout=120)
    if child.is_alive():
        child.kill()
        child.join()
        pytest.fail("the forked child's preview did not finish")
    assert child.exitcode == 0
    _pool_id, estimated = queue.get(timeout=5)
    assert estimated == expected
