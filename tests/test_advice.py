"""Portability notes per codec and live warnings per dataset configuration."""

from __future__ import annotations

import pytest
from nwbfiles import make_rich_nwbfile

from nwbconfig_widget import (
    AVAILABLE_HDF5_COMPRESSION_METHODS,
    AVAILABLE_ZARR_COMPRESSION_METHODS,
    HDF5DatasetIOConfiguration,
    ZarrDatasetIOConfiguration,
    get_default_backend_configuration,
)
from nwbconfig_widget.advice import (
    EVERY_HDF5_READER,
    H5PY_ONLY,
    NEEDS_HDF5PLUGIN,
    ZARR_PYTHON,
    ZARR_READERS,
    available_memory_bytes,
    backend_configuration_warnings,
    configuration_warnings,
    portability,
)
from nwbconfig_widget.defaults import recommended_chunk_shape, settings

GB = 10**9


def _hdf5(full_shape, chunk_shape, dtype="int16", **settings):
    return HDF5DatasetIOConfiguration(
        object_id="id", location_in_file="acquisition/e/data", dataset_name="data", dtype=dtype,
        full_shape=full_shape, chunk_shape=chunk_shape, **settings,
    )  # fmt: skip


def codes(configuration, **options):
    options.setdefault("available_memory", 100 * GB)
    return [advice.code for advice in configuration_warnings(configuration, **options)]


@pytest.mark.parametrize(
    "backend, method, filters, level",
    [
        ("hdf5", "gzip", ["shuffle", "fletcher32"], EVERY_HDF5_READER),
        ("hdf5", None, [], EVERY_HDF5_READER),
        ("hdf5", "lzf", [], H5PY_ONLY),
        ("hdf5", "Zstd", [], NEEDS_HDF5PLUGIN),
        ("hdf5", "Blosc", ["shuffle"], NEEDS_HDF5PLUGIN),
        ("zarr", "gzip", [], ZARR_READERS),
        ("zarr", "blosc", [], ZARR_READERS),
        ("zarr", "bz2", [], ZARR_PYTHON),
        ("zarr", "zstd", ["delta"], ZARR_PYTHON),
    ],
)
def test_portability_levels(backend, method, filters, level):
    assert portability(backend, method, filters).level == level


def test_every_codec_has_a_note_and_lossy_ones_say_so():
    every = (("hdf5", AVAILABLE_HDF5_COMPRESSION_METHODS), ("zarr", AVAILABLE_ZARR_COMPRESSION_METHODS))
    for backend, methods in every:
        for method in methods:
            note = portability(backend, method)
            assert note.note and note.level
            if method in ("SZ", "SZ3", "Sperr"):
                assert note.lossy and "Lossy" in note.note
    assert portability("hdf5", "Zfp", [], {"rate": 8}).lossy
    assert portability("hdf5", "Zfp").lossy  # Zfp() without options is not reversible: it rounds values
    assert not portability("hdf5", "Zfp", [], {"reversible": True}).lossy
    assert portability("zarr", "zstd", ["bitround"]).lossy


def test_large_chunk_and_cache_warnings():
    configuration = _hdf5((10_000_000, 64), (1_000_000, 64), compression_method="gzip")  # 128 MB chunks
    assert codes(configuration) == ["large_chunks", "chunk_exceeds_cache"]
    assert codes(configuration, chunk_cache_bytes=200 * 10**6) == ["large_chunks"]
    advice = configuration_warnings(configuration, available_memory=100 * GB)[1]
    assert advice.severity == "info" and "rdcc_nbytes=" in advice.message


def test_the_default_chunk_gets_no_cache_advice_and_larger_compressed_chunks_do():
    # The default chunk of a Neuropixels recording (10 MB, gzip) is larger than HDF5's default chunk cache on purpose:
    # no advice. A compressed chunk larger than the default gets it; an uncompressed one does not (HDF5 reads the
    # requested bytes of an uncached uncompressed chunk directly).
    full_shape = (108_000_000, 384)
    default = recommended_chunk_shape(full_shape, 2, "ElectricalSeries", "data")
    assert default == (78125, 64)
    assert codes(_hdf5(full_shape, default, compression_method="gzip")) == []
    assert codes(_hdf5(full_shape, default, compression_method=None)) == ["uncompressed"]
    larger = _hdf5(full_shape, (160_000, 64), compression_method="gzip")  # 20.5 MB
    assert codes(larger) == ["chunk_exceeds_cache"]
    message = configuration_warnings(larger, available_memory=100 * GB)[0].message
    assert "20.5 MB" in message and "default chunk (10.0 MB)" in message and "rdcc_nbytes=134217728" in message
    assert codes(_hdf5(full_shape, (160_000, 64), compression_method=None)) == ["uncompressed"]
    assert codes(_hdf5(full_shape, (160_000, 64), compression_method=None, filter_methods=["shuffle"])) == [
        "uncompressed",
        "chunk_exceeds_cache",
    ]


def test_the_cache_advice_follows_the_default_chunk_target():
    larger = _hdf5((108_000_000, 384), (160_000, 64), compression_method="gzip")
    target = settings.chunk_target_bytes
    settings.chunk_target_bytes = 32_000_000
    try:
        assert recommended_chunk_shape((108_000_000, 384), 2, "ElectricalSeries", "data") == (250_000, 64)
        assert codes(larger) == []
    finally:
        settings.chunk_target_bytes = target


def test_every_default_chunk_of_a_file_is_free_of_cache_advice():
    configuration = get_default_backend_configuration(make_rich_nwbfile(), backend="hdf5")
    advice = backend_configuration_warnings(configuration, available_memory=100 * GB)
    assert not [item for items in advice.values() for item in items if item.code == "chunk_exceeds_cache"]


def test_small_chunks_matter_only_on_large_datasets():
    assert codes(_hdf5((100_000_000, 4), (1000, 4), compression_method="gzip")) == ["small_chunks"]
    assert codes(_hdf5((10_000, 4), (1000, 4), compression_method="gzip")) == []


def test_large_uncompressed_dataset():
    assert "uncompressed" in codes(_hdf5((100_000_000,), (10_000_000,), compression_method=None))
    assert "uncompressed" not in codes(_hdf5((1000,), (1000,), compression_method=None))


def test_too_many_zarr_chunk_files():
    configuration = ZarrDatasetIOConfiguration(
        object_id="id", location_in_file="acquisition/e/data", dataset_name="data", dtype="int16",
        full_shape=(200_000_000, 4), chunk_shape=(1000, 4),
    )  # fmt: skip
    assert "too_many_zarr_objects" in codes(configuration)
    assert "chunk_exceeds_cache" not in codes(configuration)  # an HDF5 matter


def test_buffer_larger_than_memory_is_an_error_first():
    configuration = _hdf5((100_000_000, 64), (100_000, 64), compression_method="gzip")
    configuration.buffer_shape = (50_000_000, 64)  # 6.4 GB
    advice = configuration_warnings(configuration, available_memory=2 * GB)
    assert advice[0].code == "buffer_exceeds_memory" and advice[0].severity == "error"
    assert advice[0].field == "buffer_shape"
    assert available_memory_bytes() > 0


def test_plugin_and_lossy_codecs_are_reported():
    assert "portability" in codes(_hdf5((1000,), (1000,), compression_method="Zstd"))
    lossy = _hdf5((1000,), (1000,), dtype="float32", compression_method="SZ", compression_options={"absolute": 0.1})
    assert "lossy" in codes(lossy)


def test_default_configuration_of_the_rich_file_has_no_warnings_but_small_ones():
    configuration = get_default_backend_configuration(make_rich_nwbfile())
    result = backend_configuration_warnings(configuration)
    assert all(advice.severity == "info" for items in result.values() for advice in items)
