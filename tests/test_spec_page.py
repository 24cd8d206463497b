"""Every code example of the spec page (backend-configuration-page.txt), with only its imports changed.

The expected printouts are the page's own, compared with whitespace normalized (the page lost its line breaks).
"""

from __future__ import annotations

import h5py
import numpy as np
from nwbfiles import make_page_nwbfile

PAGE_DEFAULT_PRINTOUT = (
    "HDF5 dataset configurations --------------------------- "
    "acquisition/MyTimeSeries/data ----------------------------- "
    "dtype : float64 full shape of source array : (3,) full size of source array : 24 B buffer shape : (3,) "
    "expected RAM usage : 24 B chunk shape : (3,) disk space usage per chunk : 24 B compression method : gzip "
    "acquisition/MyTimeSeries/timestamps ----------------------------------- dtype : float64 "
    "full shape of source array : (3,) full size of source array : 24 B buffer shape : (3,) expected RAM usage : 24 B "
    "chunk shape : (3,) disk space usage per chunk : 24 B compression method : gzip"
)

PAGE_CUSTOMIZED_PRINTOUT = (
    "acquisition/MyTimeSeries/data ----------------------------- dtype : float64 full shape of source array : (3,) "
    "full size of source array : 24 B buffer shape : (2,) expected RAM usage : 16 B chunk shape : (1,) "
    "disk space usage per chunk : 8 B compression method : Zstd compression options : {'clevel': 3}"
)


def normalized(text: str) -> str:
    return " ".join(text.split())


def customized_configuration(nwbfile):
    from nwbconfig_widget import get_default_backend_configuration

    backend_configuration = get_default_backend_configuration(nwbfile=nwbfile, backend="hdf5")
    dataset_configurations = backend_configuration.dataset_configurations
    dataset_configuration = dataset_configurations["acquisition/MyTimeSeries/data"]
    dataset_configuration.chunk_shape = (1,)
    dataset_configuration.buffer_shape = (2,)
    dataset_configuration.compression_method = "Zstd"
    dataset_configuration.compression_options = dict(clevel=3)
    return backend_configuration, dataset_configuration


def test_default_configuration_printout_is_the_pages(page_nwbfile, capsys):
    from nwbconfig_widget import get_default_backend_configuration

    backend_configuration = get_default_backend_configuration(nwbfile=page_nwbfile, backend="hdf5")
    print(backend_configuration)
    assert normalized(capsys.readouterr().out) == PAGE_DEFAULT_PRINTOUT


def test_customization_printout_and_write(tmp_path, monkeypatch, capsys):
    from nwbconfig_widget import configure_and_write_nwbfile

    monkeypatch.chdir(tmp_path)
    nwbfile = make_page_nwbfile()
    backend_configuration, dataset_configuration = customized_configuration(nwbfile)
    print(dataset_configuration)
    assert normalized(capsys.readouterr().out) == PAGE_CUSTOMIZED_PRINTOUT

    dataset_configurations = backend_configuration.dataset_configurations
    dataset_configurations["acquisition/MyTimeSeries/data"] = dataset_configuration
    configure_and_write_nwbfile(nwbfile=nwbfile, backend_configuration=backend_configuration, nwbfile_path="output.nwb")

    # The FAQ's check: the chunks and filters on disk are the configured ones.
    with h5py.File("output.nwb", "r") as file:
        dataset = file["acquisition/MyTimeSeries/data"]
        assert dataset.chunks == (1,)
        filter_id, _, values, _ = dataset.id.get_create_plist().get_filter(0)
        assert (filter_id, tuple(values)) == (32015, (3,))
        np.testing.assert_array_equal(dataset[()], [1.0, 2.0, 3.0])
        timestamps = file["acquisition/MyTimeSeries/timestamps"]
        assert timestamps.chunks == (3,) and timestamps.compression == "gzip" and timestamps.compression_opts == 4
        np.testing.assert_array_equal(timestamps[()], [0.0, 0.2, 0.4])


def test_existing_configuration_then_export_with_higher_level(tmp_path, monkeypatch, capsys):
    from nwbconfig_widget import NWBHDF5IO, configure_and_write_nwbfile, get_existing_backend_configuration

    monkeypatch.chdir(tmp_path)
    nwbfile = make_page_nwbfile()
    backend_configuration, _ = customized_configuration(nwbfile)
    configure_and_write_nwbfile(nwbfile=nwbfile, backend_configuration=backend_configuration, nwbfile_path="output.nwb")

    with NWBHDF5IO(nwbfile_path="output.nwb", mode="r") as io:
        nwbfile = io.read()
        backend_configuration = get_existing_backend_configuration(nwbfile=nwbfile)
    print(backend_configuration)
    printed = normalized(capsys.readouterr().out)
    assert (
        PAGE_CUSTOMIZED_PRINTOUT.replace(
            "buffer shape : (2,) expected RAM usage : 16 B", "buffer shape : (3,) expected RAM usage : 24 B"
        )
        in printed
    )
    assert "compression method : gzip compression options : {'level': 4}" in printed

    backend_configuration.dataset_configurations["acquisition/MyTimeSeries/data"].compression_options["clevel"] = 4
    assert backend_configuration.dataset_configurations["acquisition/MyTimeSeries/data"].compression_options == {
        "clevel": 4
    }
    with NWBHDF5IO(nwbfile_path="output.nwb", mode="r") as io:
        nwbfile = io.read()
        configure_and_write_nwbfile(
            nwbfile=nwbfile, backend_configuration=backend_configuration, nwbfile_path="output2.nwb", export=True
        )
    with h5py.File("output2.nwb", "r") as file:
        dataset = file["acquisition/MyTimeSeries/data"]
        filter_id, _, values, _ = dataset.id.get_create_plist().get_filter(0)
        assert (dataset.chunks, filter_id, tuple(values)) == ((1,), 32015, (4,))
        np.testing.assert_array_equal(dataset[()], [1.0, 2.0, 3.0])


def test_global_compression_example(tmp_path, monkeypatch):
    from nwbconfig_widget import configure_and_write_nwbfile, get_default_backend_configuration

    monkeypatch.chdir(tmp_path)
    nwbfile = make_page_nwbfile()
    backend_configuration = get_default_backend_configuration(nwbfile, backend="hdf5")
    backend_configuration.apply_global_compression(
        compression_method="Blosc", compression_options={"cname": "zstd", "clevel": 5}
    )
    configure_and_write_nwbfile(
        nwbfile=nwbfile, nwbfile_path="compressed_file.nwb", backend_configuration=backend_configuration
    )
    with h5py.File("compressed_file.nwb", "r") as file:
        for name in ("data", "timestamps"):
            dataset = file[f"acquisition/MyTimeSeries/{name}"]
            filter_id, _, values, _ = dataset.id.get_create_plist().get_filter(0)
            assert filter_id == 32001 and tuple(values)[-3:-1] == (5, 1)  # clevel 5, byte shuffle
            assert tuple(values)[-1] == 5  # zstd is Blosc compressor code 5


def test_repacking_example(tmp_path, monkeypatch):
    from nwbconfig_widget import NWBHDF5IO, repack_nwbfile

    monkeypatch.chdir(tmp_path)
    nwbfile = make_page_nwbfile()
    with NWBHDF5IO(nwbfile_path="uncompressed_nwbfile.nwb", mode="w") as io:
        io.write(nwbfile)
    before = (tmp_path / "uncompressed_nwbfile.nwb").read_bytes()
    repack_nwbfile(nwbfile_path="uncompressed_nwbfile.nwb", export_nwbfile_path="repacked_nwbfile.nwb", backend="hdf5")
    assert (tmp_path / "uncompressed_nwbfile.nwb").read_bytes() == before
    with h5py.File("repacked_nwbfile.nwb", "r") as file:
        for name in ("data", "timestamps"):
            dataset = file[f"acquisition/MyTimeSeries/{name}"]
            assert dataset.compression == "gzip" and dataset.chunks == (3,)
    from nwbfiles import assert_same_values

    assert assert_same_values("uncompressed_nwbfile.nwb", "repacked_nwbfile.nwb") > 0


def test_available_compression_methods_faq():
    import hdf5plugin

    from nwbconfig_widget import AVAILABLE_HDF5_COMPRESSION_METHODS, AVAILABLE_ZARR_COMPRESSION_METHODS

    assert AVAILABLE_HDF5_COMPRESSION_METHODS["gzip"] == "gzip"
    assert AVAILABLE_HDF5_COMPRESSION_METHODS["Zstd"] is hdf5plugin.Zstd
    assert {cls.__name__ for cls in hdf5plugin.get_filters()} <= set(AVAILABLE_HDF5_COMPRESSION_METHODS)
    import numcodecs

    assert AVAILABLE_ZARR_COMPRESSION_METHODS["zstd"] is numcodecs.Zstd
    assert AVAILABLE_ZARR_COMPRESSION_METHODS["gzip"] is numcodecs.GZip


def test_contiguous_faq(tmp_path):
    from nwbconfig_widget import configure_and_write_nwbfile, get_default_backend_configuration

    nwbfile = make_page_nwbfile()
    backend_configuration = get_default_backend_configuration(nwbfile, backend="hdf5")
    configuration = backend_configuration.dataset_configurations["acquisition/MyTimeSeries/data"]
    configuration.update(chunk_shape=None, compression_method=None)
    configure_and_write_nwbfile(nwbfile, tmp_path / "contiguous.nwb", backend_configuration=backend_configuration)
    with h5py.File(tmp_path / "contiguous.nwb", "r") as file:
        dataset = file["acquisition/MyTimeSeries/data"]
        assert dataset.chunks is None and dataset.compression is None
        np.testing.assert_array_equal(dataset[()], [1.0, 2.0, 3.0])


def test_deleted_entry_falls_back_to_the_objects_own_settings(tmp_path):
    from hdmf.backends.hdf5 import H5DataIO

    from nwbconfig_widget import configure_and_write_nwbfile, get_default_backend_configuration

    nwbfile = make_page_nwbfile()
    series = nwbfile.acquisition["MyTimeSeries"]
    series.fields["data"] = H5DataIO(data=[1.0, 2.0, 3.0], compression="lzf", chunks=(2,))
    backend_configuration = get_default_backend_configuration(nwbfile, backend="hdf5")
    del backend_configuration.dataset_configurations["acquisition/MyTimeSeries/data"]
    configure_and_write_nwbfile(nwbfile, tmp_path / "fallback.nwb", backend_configuration=backend_configuration)
    with h5py.File(tmp_path / "fallback.nwb", "r") as file:
        assert file["acquisition/MyTimeSeries/data"].compression == "lzf"
        assert file["acquisition/MyTimeSeries/data"].chunks == (2,)
        assert file["acquisition/MyTimeSeries/timestamps"].compression == "gzip"
