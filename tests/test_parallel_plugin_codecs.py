"""gzip, Zstd, LZ4 and Blosc chunks encoded in threads by the parallel HDF5 writer read back, through plain h5py and
hdf5plugin in a fresh process, to every value written: every dtype the writer fills, edge chunks on both axes, and
each filter's options (levels, shuffle modes, typesizes, LZ4 block sizes)."""

from __future__ import annotations

import hashlib
import io
import json
import struct
import subprocess
import sys
import textwrap

import h5py
import hdf5plugin
import numpy as np
import pytest
from test_parallel_hdf5 import BUFFER, CHUNKS, SHAPE, nwbfile_with, signal

from nwbconfig_widget import configure_and_write_nwbfile, get_default_backend_configuration
from nwbconfig_widget.io import hdf5_filters_in_python as in_python
from nwbconfig_widget.io import parallel, parallel_hdf5
from nwbconfig_widget.io.hdf5_chunks import ChunkPipeline, encode_with_hdf5, pipeline_of

DTYPES = ["int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64", "float32", "float64"]

CASES = [
    ("gzip", {"level": 1}, []),
    ("gzip", {"level": 9}, ["shuffle"]),
    ("Zstd", {"clevel": 1}, []),
    ("Zstd", {"clevel": 3}, []),
    ("Zstd", {"clevel": 19}, ["shuffle"]),
    ("LZ4", None, []),
    ("LZ4", {"nbytes": 1000}, []),  # blocks smaller than a chunk: several blocks per chunk
    ("LZ4", None, ["shuffle"]),
    ("Blosc", {"cname": "lz4", "clevel": 5, "shuffle": 1}, []),
    ("Blosc", {"cname": "lz4", "clevel": 9, "shuffle": 2}, []),
    ("Blosc", {"cname": "zstd", "clevel": 5, "shuffle": 2}, []),
    ("Blosc", {"cname": "zstd", "clevel": 1, "shuffle": 0}, []),
    ("Blosc", {"cname": "blosclz", "clevel": 9, "shuffle": 1}, []),
    ("Blosc", {"cname": "lz4hc", "clevel": 3, "shuffle": 2}, []),
    ("Blosc", {"cname": "zlib", "clevel": 1, "shuffle": 1}, []),
]
IDS = [f"{method}-{json.dumps(options)}{''.join('+' + name for name in filters)}" for method, options, filters in CASES]


@pytest.fixture(autouse=True)
def parallel_for_small_datasets(monkeypatch):
    monkeypatch.setattr(parallel, "PARALLEL_MIN_BYTES", 0)


@pytest.fixture
def writers(monkeypatch):
    """The chunk writers of the HDF5 datasets the parallel writer fills (``mode``: how their chunks were encoded)."""
    created = []
    original = parallel_hdf5.Hdf5ChunkWriter.__init__

    def spy(self, *args, **kwargs):
        original(self, *args, **kwargs)
        created.append(self)

    monkeypatch.setattr(parallel_hdf5.Hdf5ChunkWriter, "__init__", spy)
    return created


def arrays_for(dtype: str) -> dict[str, np.ndarray]:
    """A smooth signal (compresses), noise over the dtype's full range (does not), and a constant."""
    rng = np.random.default_rng(11)
    kind = np.dtype(dtype).kind
    if kind == "f":
        noise = rng.standard_normal(SHAPE).astype(dtype) * np.asarray(1e30, dtype=dtype)
    else:
        info = np.iinfo(dtype)
        noise = rng.integers(info.min, info.max, size=SHAPE, dtype=dtype, endpoint=True)
    return {
        f"signal_{dtype}": signal(dtype),
        f"noise_{dtype}": noise,
        f"constant_{dtype}": np.full(SHAPE, 7, dtype=dtype),
    }


def write_parallel(path, arrays, method, options, filters=()):
    nwbfile = nwbfile_with(arrays)
    configuration = get_default_backend_configuration(nwbfile, backend="hdf5")
    for name in arrays:
        configuration.dataset_configurations[f"acquisition/{name}/data"].update(
            chunk_shape=CHUNKS,
            buffer_shape=BUFFER,
            compression_method=method,
            compression_options=options,
            filter_methods=list(filters),
        )
    configure_and_write_nwbfile(nwbfile, path, backend_configuration=configuration, n_jobs=2)


READER = textwrap.dedent(
    """
    import hashlib, json, sys
    import h5py, hdf5plugin
    answer = {}
    with h5py.File(sys.argv[1], "r") as file:
        for name in json.loads(sys.argv[2]):
            dataset = file["acquisition/" + name + "/data"]
            values = dataset[()]
            answer[name] = [values.dtype.str, list(values.shape), hashlib.sha256(values.tobytes()).hexdigest()]
    print(json.dumps(answer))
    """
)


def read_with_plain_h5py(path, names) -> dict:
    """Each dataset's dtype, shape and the hash of its values, read in a fresh process by h5py + hdf5plugin."""
    completed = subprocess.run(
        [sys.executable, "-c", READER, str(path), json.dumps(list(names))], capture_output=True, text=True
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


def decoded_chunk(dataset: h5py.Dataset, offset) -> np.ndarray:
    """A stored chunk decoded whole, padding included, through the dataset's own filters."""
    mask, stored = dataset.id.read_direct_chunk(offset)
    image = io.BytesIO()
    with h5py.File(image, "w") as file:
        space = h5py.h5s.create_simple(dataset.chunks)
        copy = h5py.h5d.create(file.id, b"chunk", dataset.id.get_type(), space, dcpl=dataset.id.get_create_plist())
        copy.write_direct_chunk((0,) * len(dataset.chunks), stored, mask)
    with h5py.File(image, "r") as file:  # HDF5 sees the filter mask of a direct write only once the file is reopened
        return file["chunk"][()]


def assert_every_chunk_decodes_to_its_values(path, arrays):
    with h5py.File(path, "r") as file:
        for name, values in arrays.items():
            dataset = file[f"acquisition/{name}/data"]
            assert dataset.chunks == CHUNKS
            assert dataset.id.get_num_chunks() == 8  # 4 x 2 chunks, the last row and column partial
            for index in range(dataset.id.get_num_chunks()):
                offset = dataset.id.get_chunk_info(index).chunk_offset
                expected = np.full(CHUNKS, dataset.fillvalue, dtype=values.dtype)
                part = values[offset[0] : offset[0] + CHUNKS[0], offset[1] : offset[1] + CHUNKS[1]]
                expected[: part.shape[0], : part.shape[1]] = part
                assert decoded_chunk(dataset, offset).tobytes() == expected.tobytes(), (name, offset)


@pytest.mark.parametrize("method, options, filters", CASES, ids=IDS)
def test_threads_encode_chunks_plain_h5py_reads_back(tmp_path, writers, method, options, filters):
    arrays = {name: data for dtype in DTYPES for name, data in arrays_for(dtype).items()}
    path = tmp_path / "parallel.nwb"
    write_parallel(path, arrays, method, options, filters)
    assert [writer.mode for writer in writers] == ["threads"] * len(arrays)
    answer = read_with_plain_h5py(path, arrays)
    for name, values in arrays.items():
        expected = [values.dtype.str, list(values.shape), hashlib.sha256(values.tobytes()).hexdigest()]
        assert answer[name] == expected, name
    assert_every_chunk_decodes_to_its_values(path, arrays)
    with h5py.File(path, "r") as file:
        dataset = file[f"acquisition/{next(iter(arrays))}/data"]
        codec = hdf5plugin.get_filters(method)[0] if method != "gzip" else None
        expected_ids = ([2] if filters else []) + [codec.filter_id if codec else 1]
        plist = dataset.id.get_create_plist()
        assert [plist.get_filter(index)[0] for index in range(plist.get_nfilters())] == expected_ids


def pipeline_for(dtype: str, shape: tuple[int, ...], **kwargs) -> ChunkPipeline:
    with h5py.File("pipeline.h5", "w", driver="core", backing_store=False) as file:
        dataset = file.create_dataset("d", shape=shape, chunks=shape, dtype=dtype, **kwargs)
        return pipeline_of(dataset, kwargs)


def test_the_lz4_filter_format_is_hdf5s_own():
    """Big-endian original size and block size, then (size, block) pairs; a block LZ4 cannot shrink stored raw."""
    smooth = np.repeat(np.arange(250, dtype="int16"), 40)  # 20,000 bytes
    noise = np.random.default_rng(0).integers(0, 256, 20_000, dtype=np.uint8)
    for data, compressible in ((smooth, True), (noise, False)):
        pipeline = pipeline_for(data.dtype.str, data.shape, **hdf5plugin.LZ4(nbytes=6000))
        mask, stored = parallel_hdf5.encode_in_python(pipeline, data)
        assert (mask, stored) == encode_with_hdf5(pipeline, data)
        assert struct.unpack(">QI", stored[:12]) == (20_000, 6000)
        position, sizes = 12, []
        while position < len(stored):
            (size,) = struct.unpack(">I", stored[position : position + 4])
            sizes.append(size)
            position += 4 + size
        assert position == len(stored) and len(sizes) == 4
        assert (sizes == [6000, 6000, 6000, 2000]) is not compressible


@pytest.mark.parametrize("dtype", ["uint8", "int16", "float32", "float64"])
def test_blosc_frames_carry_the_dtype_as_typesize_and_incompressible_chunks_are_declined(dtype):
    data = arrays_for(dtype)
    pipeline = pipeline_for(dtype, SHAPE, **hdf5plugin.Blosc(cname="lz4", clevel=5, shuffle=hdf5plugin.Blosc.SHUFFLE))
    mask, frame = parallel_hdf5.encode_in_python(pipeline, data[f"constant_{dtype}"])
    assert mask == 0 and frame[3] == np.dtype(dtype).itemsize  # byte 3 of a Blosc 1 header: the typesize
    noise = data[f"noise_{dtype}"]
    if dtype == "uint8":  # random bytes: the Blosc filter declines the chunk, which HDF5 then stores unfiltered
        assert parallel_hdf5.encode_in_python(pipeline, noise) == (1, noise.tobytes())
        assert encode_with_hdf5(pipeline, noise) == (1, noise.tobytes())


def test_zstd_frames_are_single_frames_with_their_content_size():
    data = signal("int16")
    pipeline = pipeline_for("int16", SHAPE, **hdf5plugin.Zstd(clevel=7))
    assert pipeline.filters[0][2] == (7,)
    mask, frame = parallel_hdf5.encode_in_python(pipeline, data)
    assert mask == 0 and frame[:4] == b"\x28\xb5\x2f\xfd"  # the zstd magic number
    assert frame[4] & 0xC0  # the frame header's content-size flag: the HDF5 filter sizes its output from it


def test_an_encoder_whose_output_hdf5_cannot_decode_is_not_used(tmp_path, monkeypatch, writers):
    """The check before the first chunk: a wrong Zstd encoder sends the dataset to HDF5 itself; the file is right."""
    monkeypatch.setattr(parallel_hdf5, "_verified", {})
    monkeypatch.setitem(in_python._ENCODERS, in_python.ZSTD, lambda data, values: b"\x28\xb5\x2f\xfd broken")
    monkeypatch.setattr(parallel_hdf5, "PROCESS_MAX_SPEED", float("inf"))
    monkeypatch.setattr(parallel_hdf5, "PROCESS_MIN_SECONDS", 0.0)
    arrays = {"signal_int16": signal("int16")}
    path = tmp_path / "checked.nwb"
    write_parallel(path, arrays, "Zstd", {"clevel": 3})
    assert [writer.mode for writer in writers] == ["processes"]
    answer = read_with_plain_h5py(path, arrays)
    assert answer["signal_int16"][2] == hashlib.sha256(arrays["signal_int16"].tobytes()).hexdigest()


def test_only_the_thread_filters_are_encoded_in_threads(monkeypatch):
    """Bitshuffle (its own filter, 32008) and Blosc2 are not encoded here; nor Zstd once it leaves THREAD_FILTERS."""
    assert not parallel_hdf5.can_encode_in_python(pipeline_for("int16", (100,), **hdf5plugin.Bitshuffle()))
    assert not parallel_hdf5.can_encode_in_python(pipeline_for("int16", (100,), **hdf5plugin.Blosc2()))
    zstd = pipeline_for("int16", (100,), **hdf5plugin.Zstd())
    assert parallel_hdf5.can_encode_in_python(zstd)
    monkeypatch.setattr(parallel_hdf5, "THREAD_FILTERS", parallel_hdf5.ZLIB_FILTERS)
    assert not parallel_hdf5.can_encode_in_python(zstd)
