"""Realistic NWB files built with pynwb, and helpers that compare files value by value (shared by the tests)."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from uuid import uuid4

import numpy as np
from hdmf.data_utils import GenericDataChunkIterator

LEGACY_DATA = Path(__file__).parent / "data" / "legacy"


def make_page_nwbfile():
    """The NWBFile of the spec page's examples: one TimeSeries of three samples with timestamps."""
    from pynwb import NWBFile, TimeSeries

    nwbfile = NWBFile(
        identifier=str(uuid4()),
        session_start_time=datetime(2020, 1, 1, 12, 30, 0, tzinfo=timezone.utc),
        session_description="A session of my experiment.",
    )
    nwbfile.add_acquisition(
        TimeSeries(
            name="MyTimeSeries",
            description="A time series from my experiment.",
            unit="cm/s",
            data=[1.0, 2.0, 3.0],
            timestamps=[0.0, 0.2, 0.4],
        )
    )
    return nwbfile


def ephys_traces(samples: int, channels: int, seed: int = 0) -> np.ndarray:
    """int16 traces with noise shared across neighbouring channels and a few spikes, like a real probe."""
    from nwbconfig_widget.demo import synthetic_ephys_traces

    return synthetic_ephys_traces(samples, channels, np.random.default_rng(seed))


def make_rich_nwbfile(samples: int = 20_000, channels: int = 32):
    """An NWBFile with the neurodata pynwb users write: ephys, imaging, behaviour, tables, images and iterators."""
    from hdmf.data_utils import DataChunkIterator
    from pynwb import NWBFile, TimeSeries
    from pynwb.behavior import Position, SpatialSeries
    from pynwb.ecephys import ElectricalSeries
    from pynwb.file import Subject
    from pynwb.image import GrayscaleImage, Images
    from pynwb.ophys import OpticalChannel, TwoPhotonSeries

    rng = np.random.default_rng(1)
    nwbfile = NWBFile(
        identifier=str(uuid4()),
        session_start_time=datetime(2024, 3, 1, 9, 0, 0, tzinfo=timezone.utc),
        session_description="Realistic test session",
        subject=Subject(subject_id="m1", species="Mus musculus", sex="F", age="P90D"),
    )
    device = nwbfile.create_device(name="Probe")
    group = nwbfile.create_electrode_group(name="shank0", description="shank", location="CA1", device=device)
    for _ in range(channels):
        nwbfile.add_electrode(group=group, location="CA1")
    region = nwbfile.create_electrode_table_region(region=list(range(channels)), description="all")
    nwbfile.add_acquisition(
        ElectricalSeries(
            name="ElectricalSeries", data=ephys_traces(samples, channels), electrodes=region, rate=30_000.0
        )
    )
    single = nwbfile.create_electrode_table_region(region=[0], description="one")
    nwbfile.add_acquisition(
        ElectricalSeries(name="SingleChannel", data=ephys_traces(samples, 1)[:, 0], electrodes=single, rate=30_000.0)
    )
    optical_channel = OpticalChannel(name="green", description="GCaMP", emission_lambda=520.0)
    imaging_plane = nwbfile.create_imaging_plane(
        name="plane",
        optical_channel=optical_channel,
        description="plane",
        device=device,
        excitation_lambda=920.0,
        imaging_rate=30.0,
        indicator="GCaMP6f",
        location="V1",
    )
    movie = (rng.poisson(200, size=(60, 48, 40)) + np.linspace(0, 300, 40)).astype("uint16")
    nwbfile.add_acquisition(
        TwoPhotonSeries(name="TwoPhotonSeries", data=movie, imaging_plane=imaging_plane, rate=30.0, unit="n.a.")
    )
    timestamps = np.arange(500) / 50.0
    running = TimeSeries(name="Running", data=rng.normal(size=500), unit="cm/s", timestamps=timestamps)
    nwbfile.add_acquisition(running)
    nwbfile.add_acquisition(
        TimeSeries(name="Licks", data=rng.integers(0, 2, 500).astype("uint8"), unit="n.a.", timestamps=running)
    )
    nwbfile.add_acquisition(
        TimeSeries(
            name="Streamed",
            data=DataChunkIterator(data=iter(rng.normal(size=(300, 3))), maxshape=(300, 3), buffer_size=40),
            unit="V",
            rate=100.0,
        )
    )
    behavior = nwbfile.create_processing_module(name="behavior", description="behaviour")
    behavior.add(
        Position(
            spatial_series=SpatialSeries(
                name="SpatialSeries", data=rng.normal(size=(400, 2)), reference_frame="origin", rate=20.0
            )
        )
    )
    nwbfile.add_unit_column(name="quality", description="sorting quality")
    for unit in range(5):
        nwbfile.add_unit(
            spike_times=np.sort(rng.uniform(0, 100, size=10 + unit * 7)), quality="good" if unit % 2 else "mua"
        )
    nwbfile.add_trial_column(name="condition", description="stimulus")
    nwbfile.add_trial_column(name="correct", description="answer was right")
    for trial in range(6):
        nwbfile.add_trial(
            start_time=trial * 2.0, stop_time=trial * 2.0 + 1.5, condition=f"c{trial % 3}", correct=bool(trial % 2)
        )
    nwbfile.add_acquisition(
        Images(
            name="SummaryImages",
            images=[GrayscaleImage(name="mean", data=rng.integers(0, 255, (32, 24)).astype("uint8"))],
        )
    )
    return nwbfile


class FailingIterator(GenericDataChunkIterator):
    """Gives ``data`` buffer by buffer, then raises ``OSError(message)`` from read number ``fail_at`` on, like a
    source on a drive that vanished mid-write; ``reads`` counts the reads asked for."""

    def __init__(self, data, fail_at: int = 3, message: str = "source disappeared", **kwargs):
        self._data, self._fail_at, self._message = data, fail_at, message
        self.reads = 0
        super().__init__(**kwargs)

    def _get_data(self, selection):
        self.reads += 1
        if self.reads >= self._fail_at:
            raise OSError(self._message)
        return self._data[selection]

    def _get_maxshape(self):
        return self._data.shape

    def _get_dtype(self):
        return self._data.dtype


class NoiseIterator(GenericDataChunkIterator):
    """int16 noise of ``rows`` x ``columns``, made buffer by buffer from the row offset: any size, never all in RAM."""

    def __init__(self, rows: int, columns: int, **kwargs):
        self._shape = (rows, columns)
        super().__init__(**kwargs)

    def _get_data(self, selection):
        start, stop = selection[0].start, selection[0].stop
        rng = np.random.default_rng(start)
        return rng.integers(-200, 200, size=(stop - start, self._shape[1]), dtype="int16")

    def _get_maxshape(self):
        return self._shape

    def _get_dtype(self):
        return np.dtype("int16")


def read_nwbfile(path):
    """Open an NWB file (HDF5 or Zarr) read-only; use as a context manager."""
    from nwbconfig_widget.io.repack import open_nwbfile

    return open_nwbfile(path)


def stored_arrays(path) -> dict[str, np.ndarray]:
    """Every non-reference array dataset of an HDF5 or Zarr NWB file, keyed by path, read with h5py/zarr directly.

    Text is decoded to str; the cached specifications are left out (they are schema, not data).
    """
    import h5py
    import zarr

    arrays: dict[str, np.ndarray] = {}
    path = Path(path)
    if path.is_dir():
        root = zarr.open(str(path), mode="r")

        def visit(group, prefix):
            for name, item in group.items():
                full = f"{prefix}{name}"
                if full.startswith("specifications"):
                    continue
                if isinstance(item, zarr.Array):
                    if item.dtype.kind == "O" and any(
                        getattr(f, "codec_id", "") == "pickle" for f in item.filters or []
                    ):
                        continue  # object references, compared through pynwb
                    arrays[full] = np.asarray(item[...])
                else:
                    visit(item, f"{full}/")

        visit(root, "")
        return arrays
    with h5py.File(path, "r") as file:

        def collect(name, item):
            if name.startswith("specifications") or not isinstance(item, h5py.Dataset):
                return
            if (
                h5py.check_ref_dtype(item.dtype) is not None
                or item.dtype.names is not None
                and any(h5py.check_ref_dtype(item.dtype.fields[field][0]) is not None for field in item.dtype.names)
            ):
                return  # object references, compared through pynwb
            if h5py.check_string_dtype(item.dtype) is not None:
                arrays[name] = np.asarray(item.asstr()[()], dtype=object)
            else:
                arrays[name] = np.asarray(item[()])

        file.visititems(collect)
    return arrays


def assert_same_values(source_path, target_path) -> int:
    """Every array of the source file is in the target with equal values (text compared as str). Returns the count."""
    source, target = stored_arrays(source_path), stored_arrays(target_path)
    differing = []
    for name, values in source.items():
        if name in ("file_create_date",):
            continue
        assert name in target, f"{name} missing from {target_path}"
        other = target[name]
        if values.shape == () or other.shape == ():
            values, other = values.reshape(-1), other.reshape(-1)  # hdmf-zarr stores scalars as 1-element arrays
        if values.dtype.kind in "OSU" or other.dtype.kind in "OSU":
            values = np.asarray([v.decode() if isinstance(v, bytes) else v for v in np.ravel(values)], dtype=object)
            other = np.asarray([v.decode() if isinstance(v, bytes) else v for v in np.ravel(other)], dtype=object)
        if values.shape != other.shape or not np.array_equal(values, other):
            differing.append(name)
    assert not differing, f"values differ for {differing}"
    return len(source)


def export_extension(folder, namespace: str, includes: tuple[str, str], spec) -> str:
    """Write a one-type extension (``spec``, built on type ``includes[0]`` of namespace ``includes[1]``) into
    ``folder``; the path of its namespace file, for ``load_namespaces``."""
    from pynwb.spec import NWBNamespaceBuilder

    builder = NWBNamespaceBuilder(
        doc=f"{namespace} for tests", name=namespace, version="0.1.0", author="t", contact="t"
    )
    builder.include_type(includes[0], namespace=includes[1])
    builder.add_spec(f"{namespace}.extensions.yaml", spec)
    builder.export(f"{namespace}.namespace.yaml", outdir=str(folder))
    return str(Path(folder) / f"{namespace}.namespace.yaml")
