"""The preview's variance-driven sample: honest ranges on real written files, parts of chunks, the stopping rule."""

from __future__ import annotations

import zlib
from datetime import datetime, timezone

import numcodecs
import numcodecs.zstd
import numpy as np
import pytest
from nwbfiles import ephys_traces
from test_preview import stored_chunk_bytes

from nwbconfig_widget import (
    HDF5DatasetIOConfiguration,
    ZarrDatasetIOConfiguration,
    configure_and_write_nwbfile,
    get_default_backend_configuration,
)
from nwbconfig_widget.preview import preview_compression
from nwbconfig_widget.preview_encoders import build_encoder
from nwbconfig_widget.preview_sampling import (
    MAX_SHARE,
    MIN_UNITS,
    PART_BIAS_BYTES,
    PART_BYTES,
    PRIMER_BYTES,
    deflate_part,
    estimate,
    nested_order,
    t95,
    target_half_width,
)
from nwbconfig_widget.preview_zstd import ZstdLibrary


def movie(frames: int, size: int = 128, seed: int = 1) -> np.ndarray:
    """uint16 frames: a vignetted baseline, a few bright cells, shot noise."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:size, 0:size].astype("float32")
    baseline = 300 + 900 * np.exp(-(((y - size / 2) / size) ** 2 + ((x - size / 2) / size) ** 2) * 4)
    signal = baseline[None] + rng.exponential(20, size=(frames, 1, 1)).astype("float32")
    return np.clip(signal + rng.standard_normal((frames, size, size)).astype("float32") * np.sqrt(signal), 0, 65535)


def bursts(samples: int, channels: int, seed: int = 2) -> np.ndarray:
    """int16 traces that are silent (constant) for long stretches and loud noise in between: parts of the dataset
    compress 100 times better than others."""
    rng = np.random.default_rng(seed)
    values = np.zeros((samples, channels), dtype="int16")
    period = samples // 16
    for start in range(0, samples, period):
        if rng.random() < 0.5:
            values[start : start + period] = rng.normal(0, 2000, size=(min(period, samples - start), channels))
    return values


def session(data: np.ndarray):
    from pynwb import NWBFile, TimeSeries

    nwbfile = NWBFile(
        identifier="sampling", session_description="preview sampling", session_start_time=datetime(2024, 1, 1,
                                                                                                    tzinfo=timezone.utc)
    )  # fmt: skip
    nwbfile.add_acquisition(TimeSeries(name="series", data=data, unit="a", rate=1000.0))
    return nwbfile


CASES = {
    "hdf5 gzip ephys": ("hdf5", lambda: ephys_traces(160_000, 48), (20_000, 48), "gzip", {"level": 4}, []),
    "hdf5 shuffle gzip ephys": ("hdf5", lambda: ephys_traces(160_000, 48), (20_000, 48), "gzip", None, ["shuffle"]),
    "hdf5 Zstd ephys": ("hdf5", lambda: ephys_traces(160_000, 48), (20_000, 48), "Zstd", {"clevel": 3}, []),
    "hdf5 gzip movie": ("hdf5", lambda: movie(400).astype("uint16"), (20, 128, 128), "gzip", None, []),
    "hdf5 Zstd float": ("hdf5", lambda: np.cumsum(np.random.default_rng(3).normal(1e-3, 2e-5, 1_500_000)),
                        (150_000,), "Zstd", {"clevel": 3}, []),
    "hdf5 Blosc movie": ("hdf5", lambda: movie(400).astype("uint16"), (20, 128, 128), "Blosc",
                         {"cname": "zstd", "clevel": 5, "shuffle": 2}, []),
    "zarr gzip ephys": ("zarr", lambda: ephys_traces(160_000, 48), (20_000, 48), "gzip", None, []),
    "zarr zstd movie": ("zarr", lambda: movie(400).astype("uint16"), (20, 128, 128), "zstd", {"level": 3}, []),
    "zarr blosc ephys": ("zarr", lambda: ephys_traces(160_000, 48), (5_000, 48), "blosc",
                         {"cname": "lz4", "clevel": 5, "shuffle": 1}, []),
    "hdf5 gzip bursts": ("hdf5", lambda: bursts(320_000, 16), (8_000, 16), "gzip", None, []),
}  # fmt: skip


@pytest.mark.parametrize("case", list(CASES))
def test_range_covers_the_size_of_the_written_dataset(tmp_path, case):
    backend, make, chunk_shape, method, options, filters = CASES[case]
    data = make()
    nwbfile = session(data)
    configuration = get_default_backend_configuration(nwbfile, backend=backend)
    location = "acquisition/series/data"
    item = configuration.dataset_configurations[location]
    item.update(chunk_shape=chunk_shape, buffer_shape=item.full_shape, compression_method=method,
                compression_options=options, filter_methods=filters)  # fmt: skip
    row = preview_compression(nwbfile, configuration, locations=[location]).loc[location]
    path = tmp_path / ("session.nwb" if backend == "hdf5" else "session.nwb.zarr")
    configure_and_write_nwbfile(nwbfile, path, configuration)
    real = stored_chunk_bytes(path, location)
    assert not row.exact and row.sample_bytes < item.full_size_bytes / 2
    assert row.estimated_bytes_low <= real <= row.estimated_bytes_high, (case, row.estimated_bytes, real)
    assert abs(row.estimated_bytes / real - 1) < 0.05
    assert row.compress_mb_s > 0 and row.decompress_mb_s > 0


def _configuration(data, chunk_shape, location="acquisition/e/data", **settings):
    return HDF5DatasetIOConfiguration(
        object_id="id", location_in_file=location, dataset_name="data", dtype=data.dtype, full_shape=data.shape,
        chunk_shape=chunk_shape, **settings,
    )  # fmt: skip


def test_uneven_data_is_sampled_more_and_still_covered():
    """Chunks that differ a lot in compressibility make the spread large: the sampler takes more units."""
    even, uneven = ephys_traces(200_000, 16), bursts(200_000, 16)
    sizes = {}
    for name, data in {"even": even, "uneven": uneven}.items():
        configuration = _configuration(data, (4_000, 16), compression_method="gzip")
        row = preview_compression(configuration, data).iloc[0]
        exact = preview_compression(configuration, data, min_chunks=10_000).iloc[0]
        assert exact.exact and exact.sampled_chunks == exact.number_of_chunks
        assert row.estimated_bytes_low <= exact.estimated_bytes <= row.estimated_bytes_high, name
        sizes[name] = row.sampled_chunks
    assert sizes["even"] == MIN_UNITS
    assert sizes["uneven"] > 2 * MIN_UNITS


def test_ranges_are_honest_across_many_samples():
    """95% ranges: over 40 differently seeded samples of data whose silent stretches compress 100 times better than
    its loud ones, the exact size falls outside at most 4 (a sample of silent units alone is not trusted)."""
    data = bursts(200_000, 16, seed=5)
    base = _configuration(data, (4_000, 16), compression_method="gzip")
    exact = preview_compression(base, data, min_chunks=10_000).iloc[0].estimated_bytes
    missed = 0
    for seed in range(40):
        configuration = _configuration(data, (4_000, 16), location=f"acquisition/e{seed}/data",
                                       compression_method="gzip")  # fmt: skip
        row = preview_compression(configuration, data).iloc[0]
        missed += not row.estimated_bytes_low <= exact <= row.estimated_bytes_high
    assert missed <= 4


def test_the_sample_stops_only_once_the_range_is_narrow_enough_and_never_below_the_minimum():
    rng = np.random.default_rng(7)
    # 200 chunks of 64 KB whose noise level varies from chunk to chunk: a spread the sampler must measure
    data = (rng.normal(0, 1, (400_000, 16)) * np.repeat(rng.uniform(20, 60, 200), 2_000)[:, None]).astype("int16")
    configuration = _configuration(data, (2_000, 16), compression_method="gzip")
    row = preview_compression(configuration, data).iloc[0]
    count = row.sampled_chunks
    assert MIN_UNITS < count < MAX_SHARE * row.number_of_chunks
    half_width = row.estimated_bytes_high - row.estimated_bytes
    assert half_width <= target_half_width(row.estimated_bytes, data.nbytes, data.nbytes) * 1.001
    # the units are the first ones of the nested order, and the first MIN_UNITS of them were not enough
    encoder = build_encoder(configuration, lambda selection: data[selection])
    order = nested_order(encoder.units, zlib.crc32(configuration.location_in_file.encode()))
    assert sorted(row["sample"]) == sorted((int(unit), 0) for unit in order[:count])
    first = [encoder.measure(unit, False) for unit in order[:MIN_UNITS]]
    value, spread, _ = estimate(encoder, first, float(data.nbytes))
    assert spread > target_half_width(value, data.nbytes, data.nbytes)
    every = [encoder.measure(unit, False) for unit in order[:count]]
    assert estimate(encoder, every, float(data.nbytes))[0] == row.estimated_bytes


def test_a_sample_of_alike_units_is_not_trusted_early():
    data = np.zeros((400_000, 16), dtype="int16")
    data[200_000:200_100] = 7  # one chunk of 200 differs
    configuration = _configuration(data, (2_000, 16), compression_method="gzip")
    row = preview_compression(configuration, data).iloc[0]
    assert row.sampled_chunks == 4 * MIN_UNITS


def test_every_unit_sampled_is_exact_and_few_units_are_wide():
    data = ephys_traces(6_000, 8)
    configuration = _configuration(data, (1_000, 8), compression_method="gzip")  # 6 chunks: all sampled
    row = preview_compression(configuration, data).iloc[0]
    assert row.exact and row.estimated_bytes_low == row.estimated_bytes == row.estimated_bytes_high
    assert t95(1) > 12 and t95(5) == pytest.approx(2.571) and t95(200) == 1.96


KINDS = {
    "noise": lambda: np.random.default_rng(0).normal(0, 30, 1_200_000).astype("int16"),
    "ephys": lambda: ephys_traces(40_000, 32),
    "movie": lambda: movie(40, 160).astype("uint16"),
    "timestamps": lambda: np.cumsum(np.random.default_rng(1).normal(1e-3, 2e-5, 300_000)),
    "sparse": lambda: (np.random.default_rng(2).random(1_200_000) < 0.01).astype("int16") * 37,
}


@pytest.mark.parametrize("kind", list(KINDS))
def test_parts_add_up_to_the_whole_chunk_within_the_bias_bound(kind):
    chunk = memoryview(np.ascontiguousarray(KINDS[kind]())).cast("B")
    size = chunk.nbytes
    # deflate: parts primed with the 32 KiB window, plus zlib's 6 bytes of header and checksum
    for level in (1, 4, 9):
        whole = len(zlib.compress(chunk, level))
        step, primer = PART_BYTES["deflate"], PRIMER_BYTES["deflate"]
        parts = [
            deflate_part(chunk[start : start + step], 0, 0, level, chunk[max(0, start - primer) : start], False)[0]
            for start in range(0, size, step)
        ]
        assert abs(sum(parts) + 6 - whole) <= PART_BIAS_BYTES["deflate"] * len(parts), (kind, level)
    # zstd: parts measured between two flushes of one frame primed with 512 KiB, with numcodecs' zstd
    library, step = ZstdLibrary.numcodecs(), PART_BYTES["zstd"]
    whole = len(numcodecs.zstd.compress(bytes(chunk), 3))
    parts = [
        library.part_bytes(chunk, start, min(size, start + step), primer=PRIMER_BYTES["zstd"], level=3)
        for start in range(0, size, step)
    ]
    assert abs(sum(parts) - whole) <= PART_BIAS_BYTES["zstd"] * len(parts), kind


@pytest.mark.parametrize("kind", list(KINDS))
def test_blosc_parts_add_up_to_the_whole_chunk(kind):
    """Blosc compresses blocks alone: parts of whole blocks give the chunk's blocks, frame by frame."""
    data = np.ascontiguousarray(KINDS[kind]()).reshape(-1)
    for cname, clevel, shuffle in (("zstd", 5, 2), ("lz4", 5, 1), ("blosclz", 5, 1)):
        configuration = ZarrDatasetIOConfiguration(
            object_id="id", location_in_file="a/data", dataset_name="data", dtype=data.dtype, full_shape=data.shape,
            chunk_shape=data.shape, compression_method="blosc",
            compression_options={"cname": cname, "clevel": clevel, "shuffle": shuffle},
        )  # fmt: skip
        encoder = build_encoder(configuration, lambda selection: data[selection])
        assert encoder.parts > 1
        whole = len(numcodecs.Blosc(cname, clevel, shuffle).encode(data))
        parts = [encoder.measure(unit, False).stored_bytes for unit in range(encoder.units)]
        assert sum(parts) + encoder.overhead == whole, (kind, cname)


def test_hdf5plugin_zstd_whole_chunks_are_what_hdf5_stores(tmp_path):
    """Small Zstd datasets stay on HDF5's plain path: the preview encodes them with the plugin's own zstd."""
    import h5py
    import hdf5plugin  # noqa: F401

    data = ephys_traces(30_000, 8)
    configuration = _configuration(data, (3_000, 8), compression_method="Zstd", compression_options={"clevel": 5})
    row = preview_compression(configuration, data, min_chunks=10_000).iloc[0]
    with h5py.File(tmp_path / "z.h5", "w") as file:
        file.create_dataset("e", data=data, chunks=(3_000, 8), compression=32015, compression_opts=(5,))
        real = file["e"].id.get_storage_size()
    assert row.exact and row.estimated_bytes == real
