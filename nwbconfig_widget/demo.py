"""A realistic demo NWB file, generated (no download): ephys, 2-photon imaging, behaviour, units and trials."""

from __future__ import annotations

from datetime import datetime, timezone
from uuid import uuid4

import numpy as np


def synthetic_ephys_traces(samples: int, channels: int, rng: np.random.Generator) -> np.ndarray:
    """int16 traces like a real probe's: noise shared across channels, local noise, and a few spikes.

    >>> synthetic_ephys_traces(1000, 4, np.random.default_rng(0)).shape
    (1000, 4)
    """
    common = rng.normal(0, 20, size=(samples, 1)).astype("float32")
    local = rng.normal(0, 8, size=(samples, channels)).astype("float32")
    traces = common + np.cumsum(local, axis=1) / np.sqrt(np.arange(1, channels + 1, dtype="float32"))
    for time in rng.integers(0, samples - 20, size=samples // 300):
        traces[time : time + 10, rng.integers(0, channels)] -= np.hanning(10).astype("float32") * 150
    return traces.astype("int16")


def make_demo_nwbfile(seconds: float = 10.0, channels: int = 64, seed: int = 0):
    """Build an in-memory NWBFile with data shaped like a real session (about 40 MB for the defaults).

    >>> nwbfile = make_demo_nwbfile(seconds=0.1, channels=8)
    >>> sorted(nwbfile.acquisition)
    ['ElectricalSeries', 'TwoPhotonSeries']
    """
    from pynwb import NWBFile
    from pynwb.behavior import Position, SpatialSeries
    from pynwb.ecephys import ElectricalSeries
    from pynwb.ophys import OpticalChannel, TwoPhotonSeries

    rng = np.random.default_rng(seed)
    nwbfile = NWBFile(
        identifier=str(uuid4()),
        session_start_time=datetime(2024, 1, 1, 10, 0, tzinfo=timezone.utc),
        session_description="nwbconfig_widget demo session (synthetic data)",
    )
    probe = nwbfile.create_device(name="Probe", description="synthetic 64-channel probe")
    shank = nwbfile.create_electrode_group(name="shank0", description="shank 0", location="CA1", device=probe)
    for _ in range(channels):
        nwbfile.add_electrode(group=shank, location="CA1")
    electrodes = nwbfile.create_electrode_table_region(region=list(range(channels)), description="all channels")
    samples = int(seconds * 30_000)
    nwbfile.add_acquisition(
        ElectricalSeries(
            name="ElectricalSeries",
            data=synthetic_ephys_traces(samples, channels, rng),
            electrodes=electrodes,
            rate=30_000.0,
        )
    )
    microscope = nwbfile.create_device(name="Microscope")
    plane = nwbfile.create_imaging_plane(
        name="ImagingPlane",
        optical_channel=OpticalChannel(name="green", description="GCaMP", emission_lambda=520.0),
        description="layer 2/3",
        device=microscope,
        excitation_lambda=920.0,
        imaging_rate=30.0,
        indicator="GCaMP6f",
        location="V1",
    )
    frames = int(seconds * 30)
    movie = rng.poisson(120, size=(frames, 256, 256)).astype("uint16") + (np.hanning(256)[None, :, None] * 400).astype(
        "uint16"
    )
    nwbfile.add_acquisition(
        TwoPhotonSeries(name="TwoPhotonSeries", data=movie, imaging_plane=plane, rate=30.0, unit="n.a.")
    )
    behavior = nwbfile.create_processing_module(name="behavior", description="behaviour")
    position = np.cumsum(rng.normal(0, 0.5, size=(int(seconds * 100), 2)), axis=0)
    behavior.add(
        Position(spatial_series=SpatialSeries(name="position", data=position, reference_frame="arena", rate=100.0))
    )
    for _ in range(20):
        nwbfile.add_unit(spike_times=np.sort(rng.uniform(0, seconds, size=int(rng.integers(10, 200)))))
    for trial in range(int(seconds)):
        nwbfile.add_trial(start_time=float(trial), stop_time=trial + 0.8)
    return nwbfile
