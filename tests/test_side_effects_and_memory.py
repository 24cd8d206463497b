"""No global side effects, and repack memory bounded by the buffers (both measured in fresh subprocesses)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

SNAPSHOT = textwrap.dedent(
    """
    import json, warnings
    import numpy as np, h5py, numcodecs
    # Dependencies that add warning filters of their own when imported are imported first.
    import pynwb, hdmf, hdmf_zarr, zarr, pandas, hdf5plugin, anywidget, ipywidgets, traitlets

    def snapshot():
        return {
            "warnings": [repr(item) for item in warnings.filters],
            "numpy": np.geterr(),
            "h5py": [h5py.get_config().track_order, h5py.get_config().complex_names],
            "blosc_threads": numcodecs.blosc.get_nthreads(),
            "pickle": __import__("numcodecs.pickles").pickles.ALLOW_UNSAFE_PICKLE_DECODE,
        }
    """
)


def run_python(code: str, cwd) -> str:
    completed = subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, timeout=600)
    assert completed.returncode == 0, completed.stderr
    return completed.stdout


def test_using_the_package_changes_no_global_state(tmp_path):
    code = SNAPSHOT + textwrap.dedent(
        """
        before = snapshot()
        import sys
        sys.path.insert(0, %r)
        from nwbfiles import make_rich_nwbfile
        import nwbconfig_widget as ncw
        nwbfile = make_rich_nwbfile(samples=2000)
        configuration = ncw.get_default_backend_configuration(nwbfile, backend="hdf5")
        configuration.apply_global_compression("Blosc")
        print(configuration)
        ncw.configure_and_write_nwbfile(nwbfile, "a.nwb", backend_configuration=configuration)
        ncw.repack_nwbfile("a.nwb", "b.nwb.zarr")
        ncw.repack_nwbfile("b.nwb.zarr", "c.nwb", allow_pickle=True)
        with ncw.NWBHDF5IO(nwbfile_path="c.nwb", mode="r") as io:
            ncw.get_existing_backend_configuration(io.read())
        after = snapshot()
        print("SNAPSHOTS", json.dumps([before, after]))
        """
    ) % str(Path(__file__).parent)
    output = run_python(code, tmp_path)
    before, after = json.loads(output.split("SNAPSHOTS ", 1)[1])
    assert after == before


def test_repack_memory_stays_within_the_buffers(tmp_path):
    """A 240 MB dataset repacked with 24 MB buffers: peak RSS grows by far less than the dataset."""
    code = textwrap.dedent(
        """
        import resource, numpy as np
        from datetime import datetime, timezone
        from pynwb import NWBFile, NWBHDF5IO, TimeSeries

        rows, columns = 1_250_000, 96  # int16: 240 MB

        import sys
        sys.path.insert(0, %r)
        from nwbfiles import NoiseIterator

        nwbfile = NWBFile(identifier="m", session_description="memory", session_start_time=datetime.now(timezone.utc))
        data = NoiseIterator(rows, columns, buffer_shape=(50_000, columns), chunk_shape=(50_000, columns))
        nwbfile.add_acquisition(TimeSeries(name="raw", data=data, unit="V", rate=1.0))
        with NWBHDF5IO("raw.nwb", "w") as io:
            io.write(nwbfile)

        import nwbconfig_widget as ncw
        with ncw.NWBHDF5IO(nwbfile_path="raw.nwb", mode="r") as io:
            configuration = ncw.get_default_backend_configuration(io.read(), buffer_budget_bytes=24_000_000)
        configuration.apply_global_compression("gzip", {"level": 1})
        item = configuration.dataset_configurations["acquisition/raw/data"]
        baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        ncw.repack_nwbfile("raw.nwb", "repacked.nwb", backend_configuration=configuration, n_jobs=1)  # sequential path
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        print("RESULT", item.full_size_bytes, item.expected_ram_usage_bytes, baseline, peak)
        """
    ) % str(Path(__file__).parent)
    output = run_python(code, tmp_path)
    full_size, buffer_bytes, baseline, peak = map(int, output.split("RESULT ", 1)[1].split())
    assert full_size == 1_250_000 * 96 * 2 and buffer_bytes <= 24_000_000
    growth = peak - baseline
    assert growth < 3 * buffer_bytes + 40_000_000, f"peak RSS grew by {growth / 1e6:.0f} MB"
