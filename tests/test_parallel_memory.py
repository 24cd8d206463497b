"""Peak memory of parallel writes and repacks grows by about two buffers, from every kind of source, and by about one
buffer when the source is an HDF5 dataset read straight into reused memory.

Each case runs in a fresh subprocess (peak RSS is per process) on a dataset several times the buffer, with two
workers. Peak RSS is read from ``VmHWM``, reset just before the write: ``ru_maxrss`` keeps the peak of the process
that started the subprocess, and of the source's own write.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from test_side_effects_and_memory import run_python

ROWS, COLUMNS = 1_000_000, 80  # int16: 160 MB
BUFFER_BYTES = 16_000_000

PRELUDE = textwrap.dedent(
    f"""
    import resource, numpy as np
    from datetime import datetime, timezone
    from pynwb import NWBFile, NWBHDF5IO, TimeSeries
    import nwbconfig_widget as ncw
    from nwbconfig_widget.io import parallel_hdf5
    parallel_hdf5.PROCESS_MAX_SPEED, parallel_hdf5.PROCESS_MIN_SECONDS = float("inf"), 0.0  # Zstd: worker processes

    rows, columns = {ROWS}, {COLUMNS}

    import functools, sys
    sys.path.insert(0, {str(Path(__file__).parent)!r})
    from nwbfiles import NoiseIterator
    Noise = functools.partial(NoiseIterator, rows, columns)

    def nwbfile_with(data):
        nwbfile = NWBFile(identifier="m", session_description="memory", session_start_time=datetime.now(timezone.utc))
        nwbfile.add_acquisition(TimeSeries(name="raw", data=data, unit="V", rate=1.0))
        return nwbfile

    CHUNK_ROWS, BUFFER_ROWS = 20_000, 100_000  # 3.2 MB chunks, 16 MB buffers unless a case says otherwise

    def configured(nwbfile, backend, method, options):
        configuration = ncw.get_default_backend_configuration(
            nwbfile, backend=backend, buffer_budget_bytes={BUFFER_BYTES}
        )
        configuration.apply_global_compression(method, options)
        item = configuration.dataset_configurations["acquisition/raw/data"]
        item.update(chunk_shape=(CHUNK_ROWS, columns), buffer_shape=(BUFFER_ROWS, columns))
        return configuration, item

    def peak():
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmHWM:"))

    def baseline_peak():
        # From here on the peak starts from the current RSS (Linux resets VmHWM when "5" is written to clear_refs):
        # writing the source file in this process does not hide the write's own peak.
        try:
            with open("/proc/self/clear_refs", "w") as clear:
                clear.write("5")
        except OSError:
            pass
        return peak()

    def write_contiguous(path):
        nwbfile = nwbfile_with(Noise(buffer_shape=(50_000, columns), chunk_shape=(50_000, columns)))
        configuration = ncw.get_default_backend_configuration(nwbfile, backend="hdf5")
        for item in configuration.dataset_configurations.values():
            item.update(chunk_shape=None, compression_method=None, compression_options=None, filter_methods=[])
        ncw.configure_and_write_nwbfile(nwbfile, path, backend_configuration=configuration, n_jobs=1)
    """
)

SOURCES = {
    "numpy": """
        array = np.empty((rows, columns), dtype="int16")  # filled in place: no transient copy in the baseline
        for block in Noise(buffer_shape=(50_000, columns), chunk_shape=(50_000, columns)):
            array[block.selection] = block.data
        nwbfile = nwbfile_with(array)
        configuration, item = configured(nwbfile, BACKEND, METHOD, OPTIONS)
        baseline = baseline_peak()
        ncw.configure_and_write_nwbfile(nwbfile, "out" + SUFFIX, backend_configuration=configuration, n_jobs=2)
    """,
    "iterator": """
        nwbfile = nwbfile_with(Noise(buffer_shape=(50_000, columns), chunk_shape=(50_000, columns)))
        configuration, item = configured(nwbfile, BACKEND, METHOD, OPTIONS)
        baseline = baseline_peak()
        ncw.configure_and_write_nwbfile(nwbfile, "out" + SUFFIX, backend_configuration=configuration, n_jobs=2)
    """,
    "h5py": """
        with NWBHDF5IO("raw.nwb", "w") as io:
            io.write(nwbfile_with(Noise(buffer_shape=(50_000, columns), chunk_shape=(50_000, columns))))
        with ncw.NWBHDF5IO(nwbfile_path="raw.nwb", mode="r") as io:
            configuration, item = configured(io.read(), BACKEND, METHOD, OPTIONS)
        baseline = baseline_peak()
        ncw.repack_nwbfile("raw.nwb", "out" + SUFFIX, backend_configuration=configuration, n_jobs=2)
    """,
    "h5py-contiguous": """
        write_contiguous("raw.nwb")
        with ncw.NWBHDF5IO(nwbfile_path="raw.nwb", mode="r") as io:
            configuration, item = configured(io.read(), BACKEND, METHOD, OPTIONS)
        baseline = baseline_peak()
        ncw.repack_nwbfile("raw.nwb", "out" + SUFFIX, backend_configuration=configuration, n_jobs=2)
    """,
    "zarr": """
        from hdmf_zarr.nwb import NWBZarrIO
        with NWBZarrIO("raw.nwb.zarr", "w") as io:
            io.write(nwbfile_with(Noise(buffer_shape=(50_000, columns), chunk_shape=(50_000, columns))))
        with ncw.NWBZarrIO(nwbfile_path="raw.nwb.zarr", mode="r") as io:
            configuration, item = configured(io.read(), BACKEND, METHOD, OPTIONS)
        baseline = baseline_peak()
        ncw.repack_nwbfile("raw.nwb.zarr", "out" + SUFFIX, backend_configuration=configuration, n_jobs=2)
    """,
}


def run_case(tmp_path, source, backend, method, options, chunk_rows=20_000, buffer_rows=100_000):
    """``(buffer bytes, peak RSS growth of the write, peak RSS of the worker processes)``."""
    suffix = ".nwb" if backend == "hdf5" else ".nwb.zarr"
    code = PRELUDE + textwrap.dedent(
        f"""
        BACKEND, METHOD, OPTIONS, SUFFIX = {backend!r}, {method!r}, {options!r}, {suffix!r}
        CHUNK_ROWS, BUFFER_ROWS = {chunk_rows}, {buffer_rows}
        if METHOD == "Zstd":  # the worker processes' memory is checked with Zstd (else encoded in threads)
            parallel_hdf5.THREAD_FILTERS = parallel_hdf5.ZLIB_FILTERS
        """
    )
    code += textwrap.dedent(SOURCES[source])
    code += textwrap.dedent(
        """
        children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
        print("RESULT", item.full_size_bytes, item.expected_ram_usage_bytes, baseline, peak(), children)
        """
    )
    output = run_python(code, tmp_path)
    full_size, buffer_bytes, baseline, peak, children = map(int, output.split("RESULT ", 1)[1].split())
    assert full_size == ROWS * COLUMNS * 2 and buffer_bytes == buffer_rows * COLUMNS * 2
    growth = peak - baseline
    print(
        f"{source} -> {backend} {method}, {buffer_bytes / 1e6:.0f} MB buffers: RSS grew by {growth / 1e6:.0f} MB; "
        f"workers {children / 1e6:.0f} MB"
    )
    return buffer_bytes, growth, children


@pytest.mark.parametrize(
    "source, backend, method, options",
    [
        ("numpy", "hdf5", "gzip", {"level": 1}),  # threads (zlib)
        ("iterator", "hdf5", "Zstd", {"clevel": 1}),  # worker processes
        ("numpy", "hdf5", "Blosc", {"cname": "zstd", "clevel": 5, "shuffle": 2}),  # threads (numcodecs)
        ("h5py", "hdf5", "gzip", {"level": 1}),
        ("zarr", "zarr", "blosc", None),  # zarr chunk threads
    ],
)
def test_peak_memory_grows_by_about_two_buffers(tmp_path, source, backend, method, options):
    buffer_bytes, growth, children = run_case(tmp_path, source, backend, method, options)
    assert buffer_bytes == BUFFER_BYTES and 10 * buffer_bytes <= ROWS * COLUMNS * 2
    assert growth < 2 * buffer_bytes + 40_000_000, f"peak RSS grew by {growth / 1e6:.0f} MB"
    # Each worker process holds a few chunks (3.2 MB each) on top of Python, h5py and hdf5plugin.
    assert children < 200_000_000


@pytest.mark.parametrize(
    "source, backend, method, options",
    [
        ("h5py", "hdf5", "gzip", {"level": 1}),
        ("h5py-contiguous", "hdf5", "gzip", {"level": 1}),
    ],
)
def test_two_chunk_buffers_stay_within_two_buffers(tmp_path, source, backend, method, options):
    """Buffers of two 10 MB chunks: the chunks being encoded and the compressed chunks waiting to be stored are
    as large as the buffers themselves, and must fit in the same bound. (A source that is a data iterator, which the
    writer does not read into its ring of chunk rows yet, is not within it: 70 to 89 MB against 80, depending on the
    versions of numpy and h5py.)"""
    buffer_bytes, growth, _children = run_case(tmp_path, source, backend, method, options, 62_500, 125_000)
    assert growth < 2 * buffer_bytes + 40_000_000, f"peak RSS grew by {growth / 1e6:.0f} MB"


@pytest.mark.parametrize("source", ["h5py", "h5py-contiguous"])
def test_repack_from_hdf5_holds_less_than_a_buffer(tmp_path, source):
    """An HDF5 source, chunked (its chunks cut by the target's) or contiguous, is read chunk row by chunk row into a
    ring of reused memory (three chunk rows of 4 MB here, for two workers), with no chunk cache: peak RSS grows by
    less than one 40 MB buffer in all (it grew by two buffers and more when whole buffers were read and copied)."""
    buffer_bytes, growth, _children = run_case(tmp_path, source, "hdf5", "gzip", {"level": 1}, 25_000, 250_000)
    assert buffer_bytes == 40_000_000
    assert growth < buffer_bytes, f"peak RSS grew by {growth / 1e6:.0f} MB"
