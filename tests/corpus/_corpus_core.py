"""Core-schema files (kind "core-mock"): one per neurodata type that pynwb.testing.mock makes, and hand-built ones.

Every mock_* function of pynwb 4.2.0's pynwb.testing.mock (base, behavior, device, ecephys, file, icephys, ogen, ophys)
has a file, the object added where the mock function (or pynwb's own add_* method) puts it. Hand-built files cover
what the mocks do not: ImageSeries with external files and no data, tables with extra, ragged and region columns,
images, device models, general metadata text, scratch data, links inside a file, and HDF5 storage settings a user
chose with H5DataIO (gzip, lzf, szip, fletcher32, resizable and empty datasets). Some are also written with
NWBZarrIO (entries ending in "-zarr", kind "hdmf-zarr").
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from _corpus_common import Recipe, new_nwbfile, nwbfile_recipes, rng_for

PYNWB_ORIGIN = "pynwb 4.2.0 / hdmf 6.2.0"

# hdmf-zarr 0.13.0 cannot write a scalar compound dataset (ElectrodeGroup.position): its __list_fill__ slices the
# 0-d array with data[:] ("IndexError: too many indices for array: array is 0-dimensional"); hdmf-dev/hdmf-zarr#277.
# The Zarr twins' electrode groups therefore have no position.


def _mock(function_name: str, module: str, **kwargs) -> Callable[[str], object]:
    """A factory that calls pynwb.testing.mock.<module>.<function_name>(nwbfile=nwbfile, **kwargs)."""

    def factory(name: str):
        import importlib

        nwbfile = new_nwbfile(name)
        function = getattr(importlib.import_module(f"pynwb.testing.mock.{module}"), function_name)
        function(nwbfile=nwbfile, **kwargs)
        return nwbfile

    return factory


# (entry name suffix, mock module, mock function, keyword arguments, also written with NWBZarrIO)
_MOCKS: list[tuple[str, str, str, dict, bool]] = [
    ("TimeSeries", "base", "mock_TimeSeries", {}, False),
    ("SpatialSeries", "behavior", "mock_SpatialSeries", {}, False),
    ("Position", "behavior", "mock_Position", {}, False),
    ("CompassDirection", "behavior", "mock_CompassDirection", {}, False),
    ("PupilTracking", "behavior", "mock_PupilTracking", {}, False),
    ("Device", "device", "mock_Device", {}, False),
    ("DeviceModel", "device", "mock_DeviceModel", {}, False),
    ("ElectrodeGroup", "ecephys", "mock_ElectrodeGroup", {}, False),
    ("ElectrodesTable", "ecephys", "mock_ElectrodesTable", {}, False),
    ("ElectricalSeries", "ecephys", "mock_ElectricalSeries", {}, True),
    ("SpikeEventSeries", "ecephys", "mock_SpikeEventSeries", {}, False),
    ("Units", "ecephys", "mock_Units", {"num_units": 4, "max_spikes_per_unit": 6}, False),
    ("Subject", "file", "mock_Subject", {}, False),
    ("CurrentClampSeries", "icephys", "mock_CurrentClampSeries", {}, False),
    ("CurrentClampStimulusSeries", "icephys", "mock_CurrentClampStimulusSeries", {}, False),
    ("IZeroClampSeries", "icephys", "mock_IZeroClampSeries", {}, False),
    ("IntracellularElectrode", "icephys", "mock_IntracellularElectrode", {}, False),
    ("IntracellularRecordingsTable", "icephys", "mock_IntracellularRecordingsTable", {"n_rows": 3}, False),
    ("VoltageClampSeries", "icephys", "mock_VoltageClampSeries", {}, False),
    ("VoltageClampStimulusSeries", "icephys", "mock_VoltageClampStimulusSeries", {}, False),
    ("OptogeneticSeries", "ogen", "mock_OptogeneticSeries", {}, False),
    ("OptogeneticStimulusSite", "ogen", "mock_OptogeneticStimulusSite", {}, False),
    ("DfOverF", "ophys", "mock_DfOverF", {}, False),
    ("Fluorescence", "ophys", "mock_Fluorescence", {}, False),
    ("ImageSegmentation", "ophys", "mock_ImageSegmentation", {}, False),
    ("ImagingPlane", "ophys", "mock_ImagingPlane", {}, False),
    ("OnePhotonSeries", "ophys", "mock_OnePhotonSeries", {}, False),
    ("TwoPhotonSeries", "ophys", "mock_TwoPhotonSeries", {}, True),
    ("PlaneSegmentation-image_mask", "ophys", "mock_PlaneSegmentation", {"mask_type": "image_mask"}, False),
    ("PlaneSegmentation-pixel_mask", "ophys", "mock_PlaneSegmentation", {"mask_type": "pixel_mask"}, True),
    ("PlaneSegmentation-voxel_mask", "ophys", "mock_PlaneSegmentation", {"mask_type": "voxel_mask"}, False),
    ("RoiResponseSeries", "ophys", "mock_RoiResponseSeries", {}, False),
]
# mock_OpticalChannel and mock_electrodes make no top-level object (an OpticalChannel lives in an ImagingPlane, the
# region in a series): they are in the ImagingPlane and ElectricalSeries files. mock_ElectrodeTable is the old name of
# mock_ElectrodesTable. mock_NWBFile is replaced by new_nwbfile (fixed identifier and dates).


def _icephys_tables(name: str):
    """The full icephys hierarchy: recordings, simultaneous, sequential, repetitions and conditions tables."""
    from pynwb.testing.mock.icephys import (
        mock_CurrentClampSeries,
        mock_CurrentClampStimulusSeries,
        mock_IntracellularElectrode,
    )

    nwbfile = new_nwbfile(name)
    electrode = mock_IntracellularElectrode(name="electrode0", nwbfile=nwbfile)
    rng = rng_for(name)
    rows = []
    for sweep in range(4):
        stimulus = mock_CurrentClampStimulusSeries(
            name=f"stimulus{sweep}", data=rng.normal(size=50), electrode=electrode, rate=10_000.0, nwbfile=nwbfile
        )
        response = mock_CurrentClampSeries(
            name=f"response{sweep}", data=rng.normal(size=50), electrode=electrode, rate=10_000.0, nwbfile=nwbfile
        )
        rows.append(
            nwbfile.add_intracellular_recording(electrode=electrode, stimulus=stimulus, response=response, id=sweep)
        )
    simultaneous = [nwbfile.add_icephys_simultaneous_recording(recordings=[row]) for row in rows]
    sequential = [
        nwbfile.add_icephys_sequential_recording(simultaneous_recordings=simultaneous[:2], stimulus_type="ramp"),
        nwbfile.add_icephys_sequential_recording(simultaneous_recordings=simultaneous[2:], stimulus_type="step"),
    ]
    repetition = nwbfile.add_icephys_repetition(sequential_recordings=sequential)
    nwbfile.add_icephys_experimental_condition(repetitions=[repetition])
    return nwbfile


def _image_series_external(name: str):
    """An ImageSeries that points to video files: data is empty, num_samples gives the frame count."""
    from pynwb.image import ImageSeries

    nwbfile = new_nwbfile(name)
    nwbfile.add_acquisition(
        ImageSeries(
            name="behavior_video",
            description="Video of the animal, stored next to the NWB file.",
            unit="n.a.",
            format="external",
            external_file=["video_part1.mp4", "video_part2.mp4"],
            starting_frame=[0, 120],
            num_samples=240,
            dimension=[640, 480],
            rate=30.0,
        )
    )
    return nwbfile


def _image_series_data(name: str):
    """ImageSeries with frames in the file (uint8, 3-D) and timestamps, and an OpticalSeries (ImageMaskSeries is
    deprecated: pynwb 4.2 refuses to create one)."""
    from pynwb.image import ImageSeries, OpticalSeries

    rng = rng_for(name)
    nwbfile = new_nwbfile(name)
    nwbfile.add_acquisition(
        ImageSeries(
            name="frames",
            description="frames",
            data=rng.integers(0, 255, size=(6, 16, 12), dtype=np.uint8),
            unit="n.a.",
            timestamps=np.arange(6) / 20.0,
            device=nwbfile.create_device(name="camera"),
        )
    )
    nwbfile.add_stimulus(
        OpticalSeries(
            name="optical_stimulus",
            description="stimulus shown on a screen",
            data=rng.integers(0, 255, size=(4, 8, 8, 3), dtype=np.uint8),
            unit="n.a.",
            rate=10.0,
            distance=0.7,
            field_of_view=[0.2, 0.3, 0.7],
            orientation="lower left",
        )
    )
    return nwbfile


def _time_intervals(name: str):
    """Trials with extra columns (text, bool, ragged), epochs with TimeSeries references, invalid times, a custom
    table."""
    from pynwb import TimeSeries
    from pynwb.epoch import TimeIntervals

    rng = rng_for(name)
    nwbfile = new_nwbfile(name)
    series = TimeSeries(name="signal", data=rng.normal(size=100), unit="V", rate=10.0)
    nwbfile.add_acquisition(series)
    nwbfile.add_trial_column(name="condition", description="stimulus condition")
    nwbfile.add_trial_column(name="correct", description="whether the answer was right")
    nwbfile.add_trial_column(name="licks", description="lick times in the trial", index=True)
    for trial in range(5):
        start = 2.0 * trial
        nwbfile.add_trial(
            start_time=start,
            stop_time=start + 1.5,
            condition=["left", "right"][trial % 2],
            correct=bool(trial % 3),
            licks=list(start + np.sort(rng.random(trial + 1))),
        )
    references = {"timeseries": [series]}
    nwbfile.add_epoch(start_time=0.0, stop_time=5.0, tags=["baseline"], **references)
    nwbfile.add_epoch(start_time=5.0, stop_time=10.0, tags=["task", "light"], **references)
    nwbfile.add_invalid_time_interval(start_time=3.0, stop_time=3.5)
    sleep = TimeIntervals(name="sleep_stages", description="scored sleep stages")
    sleep.add_column(name="stage", description="stage")
    sleep.add_column(name="score", description="scorer's confidence")
    for index, stage in enumerate(["wake", "nrem", "rem"]):
        sleep.add_row(start_time=3.0 * index, stop_time=3.0 * index + 3.0, stage=stage, score=float(index) / 3)
    nwbfile.add_time_intervals(sleep)
    return nwbfile


def _dynamic_table(name: str):
    """A DynamicTable in a processing module with ragged, doubly ragged, region, enum and text columns."""
    from hdmf.common import DynamicTable, DynamicTableRegion, EnumData, VectorData, VectorIndex

    rng = rng_for(name)
    nwbfile = new_nwbfile(name)
    module = nwbfile.create_processing_module(name="analysis_tables", description="tables of an analysis")
    cells = DynamicTable(name="cells", description="recorded cells")
    cells.add_column(name="label", description="cell label")
    cells.add_column(name="depth", description="depth in um")
    for index in range(4):
        cells.add_row(label=f"cell{index}", depth=100.0 + 10 * index)
    module.add(cells)

    flat = VectorData(name="spikes", description="spike counts per bin", data=list(rng.integers(0, 9, size=9)))
    spikes_index = VectorIndex(name="spikes_index", data=[2, 5, 9], target=flat)
    inner = VectorData(name="bursts", description="bursts of samples", data=list(rng.normal(size=10)))
    inner_index = VectorIndex(name="bursts_index", data=[2, 4, 7, 10], target=inner)
    outer_index = VectorIndex(name="bursts_index_index", data=[1, 3, 4], target=inner_index)
    region = DynamicTableRegion(name="cell", description="cell of the row", data=[0, 2, 3], table=cells)
    enum_values = VectorData(name="outcome_elements", description="the outcomes", data=["hit", "miss", "false alarm"])
    outcome = EnumData(name="outcome", description="outcome of the row", data=[0, 2, 1], elements=enum_values)
    notes = VectorData(name="notes", description="free text", data=["fine", "noisy; re-check", "ünïcödé"])
    events = DynamicTable(
        name="events",
        description="events with ragged and region columns",
        columns=[flat, spikes_index, inner, inner_index, outer_index, region, outcome, enum_values, notes],
        colnames=["spikes", "bursts", "cell", "outcome", "notes"],  # the elements live in the table, unlisted
    )
    module.add(events)
    return nwbfile


def _images(name: str):
    """Images with grayscale, RGB and RGBA images, their order (ImageReferences), and an IndexSeries into them."""
    from pynwb.base import ImageReferences, Images
    from pynwb.image import GrayscaleImage, IndexSeries, RGBAImage, RGBImage

    rng = rng_for(name)
    nwbfile = new_nwbfile(name)
    gray = GrayscaleImage(name="gray", data=rng.integers(0, 255, (8, 6), dtype=np.uint8), description="mean frame")
    rgb = RGBImage(name="rgb", data=rng.integers(0, 255, (8, 6, 3), dtype=np.uint8), resolution=2.5)
    rgba = RGBAImage(name="rgba", data=rng.random((8, 6, 4)), description="float RGBA image")
    images = Images(
        name="stimuli",
        images=[gray, rgb, rgba],
        description="stimulus images",
        order_of_images=ImageReferences(name="order_of_images", data=[rgb, gray, rgba]),
    )
    nwbfile.add_stimulus_template(images)
    nwbfile.add_stimulus(
        IndexSeries(
            name="shown",
            data=np.array([0, 1, 2, 1], dtype=np.uint32),
            unit="N/A",
            indexed_images=images,
            rate=2.0,
        )
    )
    return nwbfile


def _scratch(name: str):
    """Scratch space: a ScratchData with notes, a numpy array and a DynamicTable."""
    from hdmf.common import DynamicTable
    from pynwb.core import ScratchData

    rng = rng_for(name)
    nwbfile = new_nwbfile(name)
    nwbfile.add_scratch(ScratchData(name="note", data="remember to check channel 3", description="a text note"))
    nwbfile.add_scratch(rng.normal(size=(5, 3)), name="intermediate", description="an intermediate result")
    table = DynamicTable(name="scratch_table", description="a table in scratch")
    table.add_column(name="value", description="value")
    for value in (1.5, 2.5):
        table.add_row(value=value)
    nwbfile.add_scratch(table)
    return nwbfile


def _device_models(name: str):
    """Devices that link to DeviceModels (NWB 2.9), two devices sharing one model, and a device without a model."""
    from pynwb.device import Device, DeviceModel

    nwbfile = new_nwbfile(name)
    probe_model = DeviceModel(
        name="NP2.0", manufacturer="IMEC", model_number="NP2010", description="Neuropixels 2.0 four-shank probe"
    )
    camera_model = DeviceModel(name="acA1300", manufacturer="Basler", description="monochrome camera")
    nwbfile.add_device_model(probe_model)
    nwbfile.add_device_model(camera_model)
    nwbfile.add_device(Device(name="probeA", description="left hemisphere", serial_number="18005", model=probe_model))
    nwbfile.add_device(Device(name="probeB", description="right hemisphere", serial_number="18006", model=probe_model))
    nwbfile.add_device(Device(name="camera", description="side view", model=camera_model))
    nwbfile.add_device(Device(name="rig", description="a device without model", manufacturer="lab-made"))
    return nwbfile


def _electrodes(name: str):
    """An electrodes table with coordinates, extra text and bool columns, and groups with a compound position (not in
    the Zarr twin: hdmf-dev/hdmf-zarr#277)."""
    nwbfile = new_nwbfile(name)
    device = nwbfile.create_device(name="probe", description="a silicon probe")
    groups = [
        nwbfile.create_electrode_group(
            name=f"shank{index}",
            description=f"shank {index}",
            location="CA1",
            device=device,
            **({} if name.endswith("-zarr") else {"position": (1.0 + index, -2.0, 3.5)}),
        )
        for index in range(2)
    ]
    nwbfile.add_electrode_column(name="label", description="channel label")
    nwbfile.add_electrode_column(name="bad", description="channel is noisy")
    for channel in range(6):
        nwbfile.add_electrode(
            group=groups[channel % 2],
            location="CA1",
            x=0.1 * channel,
            y=1.0,
            z=-0.5,
            rel_x=10.0 * channel,
            rel_y=0.0,
            filtering="300 Hz high-pass",
            label=f"ch{channel:02d}",
            bad=channel == 4,
        )
    return nwbfile


def _units_waveforms(name: str):
    """Units with electrodes, observation intervals, mean waveforms and doubly ragged waveforms."""
    from pynwb.ecephys import ElectricalSeries

    rng = rng_for(name)
    nwbfile = _electrodes(name)
    region = nwbfile.create_electrode_table_region(region=list(range(6)), description="all")
    nwbfile.add_acquisition(
        ElectricalSeries(
            name="raw", data=rng.integers(-500, 500, size=(300, 6), dtype=np.int16), electrodes=region, rate=3000.0
        )
    )
    nwbfile.add_unit_column(name="quality", description="sorting quality")
    for unit in range(3):
        spikes = np.sort(rng.random(unit + 2))
        nwbfile.add_unit(
            spike_times=spikes,
            obs_intervals=[[0.0, 0.5], [0.6, 1.0]],
            electrodes=[unit, unit + 1],
            electrode_group=nwbfile.electrode_groups[f"shank{unit % 2}"],
            waveform_mean=rng.normal(size=(10, 2)),
            waveforms=[rng.normal(size=(10, 2)) for _ in spikes],  # spikes x samples x channels, ragged
            quality=["good", "mua", "noise"][unit],
        )
    return nwbfile


def _events_table(name: str):
    """NWB 2.11's core EventsTable with a duration column and a categorical column described by a MeaningsTable."""
    from hdmf.common import MeaningsTable, VectorData
    from pynwb.event import DurationVectorData, EventsTable, TimestampVectorData

    nwbfile = new_nwbfile(name)
    timestamps = TimestampVectorData(name="timestamp", description="event time", data=[0.5, 1.25, 3.0, 4.5])
    durations = DurationVectorData(name="duration", description="event duration", data=[0.1, 0.2, 0.1, 0.3])
    lever = VectorData(name="lever", description="which lever was pressed", data=[1, 2, 2, 1])
    meanings = MeaningsTable(target=lever, description="what the lever values mean")
    for value, meaning in ((1, "left lever"), (2, "right lever")):
        meanings.add_row(value=value, meaning=meaning)
    table = EventsTable(
        name="lever_presses",
        description="lever presses",
        columns=[timestamps, durations, lever],
        meanings_tables=[meanings],
    )
    nwbfile.add_events_table(table)
    return nwbfile


def _decomposition(name: str):
    """A DecompositionSeries with its FrequencyBandsTable, in an ecephys processing module with LFP and features."""
    from pynwb.ecephys import LFP, ElectricalSeries, FeatureExtraction, FilteredEphys
    from pynwb.misc import DecompositionSeries, FrequencyBandsTable

    rng = rng_for(name)
    nwbfile = _electrodes(name)
    region = nwbfile.create_electrode_table_region(region=[0, 1, 2], description="three channels")
    module = nwbfile.create_processing_module(name="ecephys", description="processed ecephys")
    lfp_series = ElectricalSeries(name="lfp", data=rng.normal(size=(50, 3)), electrodes=region, rate=250.0)
    module.add(LFP(electrical_series=lfp_series))
    theta = ElectricalSeries(name="theta", data=rng.normal(size=(50, 3)), electrodes=region, rate=250.0)
    module.add(FilteredEphys(electrical_series=theta))
    module.add(
        FeatureExtraction(
            electrodes=region,
            description=["peak", "trough"],
            times=[0.1, 0.4, 0.9],
            features=rng.normal(size=(3, 3, 2)),
        )
    )
    bands = FrequencyBandsTable()
    for low, high, label in ((4.0, 8.0, "theta"), (30.0, 80.0, "gamma")):
        bands.add_row(band_name=label, band_limits=[low, high])
    module.add(
        DecompositionSeries(
            name="spectral_power",
            description="band power",
            data=rng.random((50, 3, 2)),
            metric="power",
            rate=250.0,
            bands=bands,
            source_timeseries=lfp_series,
            source_channels=region,
        )
    )
    return nwbfile


def _misc_series(name: str):
    """AnnotationSeries (text data), IntervalSeries, AbstractFeatureSeries and behavior containers in a module."""
    from pynwb import TimeSeries
    from pynwb.behavior import BehavioralEpochs, BehavioralEvents, BehavioralTimeSeries, EyeTracking, SpatialSeries
    from pynwb.misc import AbstractFeatureSeries, AnnotationSeries, IntervalSeries

    rng = rng_for(name)
    nwbfile = new_nwbfile(name)
    nwbfile.add_acquisition(
        AnnotationSeries(name="notes", data=["start", "animal groomed", "stop"], timestamps=[0.0, 12.5, 60.0])
    )
    nwbfile.add_acquisition(
        AbstractFeatureSeries(
            name="features",
            data=rng.random((5, 2)),
            feature_units=["Hz", "V"],
            features=["frequency", "amplitude"],
            timestamps=np.arange(5.0),
        )
    )
    module = nwbfile.create_processing_module(name="behavior", description="behavior")
    running = IntervalSeries(name="running", data=[1, -1, 1, -1], timestamps=[1.0, 2.0, 5.0, 6.5])
    module.add(BehavioralEpochs(interval_series=running))
    module.add(
        BehavioralEvents(time_series=TimeSeries(name="rewards", data=[0.1, 0.1], unit="mL", timestamps=[3.0, 8.0]))
    )
    module.add(BehavioralTimeSeries(time_series=TimeSeries(name="speed", data=rng.random(20), unit="m/s", rate=5.0)))
    module.add(
        EyeTracking(
            spatial_series=SpatialSeries(
                name="gaze", data=rng.random((20, 2)), reference_frame="screen center", rate=5.0
            )
        )
    )
    return nwbfile


def _motion_correction(name: str):
    """MotionCorrection with a CorrectedImageStack (in ophys), linked to the TwoPhotonSeries it corrects."""
    from pynwb.ophys import CorrectedImageStack, ImageSeries, MotionCorrection, TimeSeries
    from pynwb.testing.mock.ophys import mock_ImagingPlane, mock_TwoPhotonSeries

    rng = rng_for(name)
    nwbfile = new_nwbfile(name)
    plane = mock_ImagingPlane(name="plane", nwbfile=nwbfile)
    raw = mock_TwoPhotonSeries(
        name="raw", imaging_plane=plane, data=rng.integers(0, 999, (5, 8, 8), dtype=np.uint16), nwbfile=nwbfile
    )
    corrected = CorrectedImageStack(
        corrected=ImageSeries(
            name="corrected", data=rng.integers(0, 999, (5, 8, 8), dtype=np.uint16), unit="n.a.", rate=50.0
        ),
        original=raw,
        xy_translation=TimeSeries(name="xy_translation", data=rng.normal(size=(5, 2)), unit="pixels", rate=50.0),
    )
    module = nwbfile.create_processing_module(name="ophys", description="ophys")
    module.add(MotionCorrection(corrected_image_stacks=[corrected]))
    return nwbfile


def _general_metadata(name: str):
    """The /general text: experimenters, publications, keywords, lab, protocol, surgery, and a full Subject."""
    from datetime import datetime, timezone

    from pynwb.file import Subject

    return new_nwbfile(
        name,
        experimenter=["Doe, Jane", "Roe, Richard"],
        experiment_description="Head-fixed mice run on a wheel while a grating is shown.",
        session_id="ses-007",
        institution="Université de Test",
        lab="Lab of Tests",
        keywords=["visual cortex", "running", "äöü"],
        related_publications=["doi:10.1000/xyz123", "https://example.org/paper"],
        notes='Line 1\nLine 2 with a tab\tand a quote " inside.',
        pharmacology="none",
        protocol="IACUC 2024-001",
        surgery="Cranial window over V1, 3 mm.",
        virus="AAV1-Syn-GCaMP6f",
        stimulus_notes="drifting gratings",
        data_collection="two-photon at 30 Hz",
        slices="none",
        source_script="print('hello')",
        source_script_file_name="make.py",
        subject=Subject(
            subject_id="mouse-1",
            species="Mus musculus",
            sex="M",
            age="P90D",
            age__reference="birth",
            date_of_birth=datetime(2023, 10, 1, tzinfo=timezone.utc),
            weight="0.025 kg",
            strain="C57BL/6J",
            genotype="Ai148",
            description="a mouse",
        ),
    )


def _linked_series(name: str):
    """TimeSeries whose timestamps (and one whose data) link to another TimeSeries of the same file."""
    from pynwb import TimeSeries

    rng = rng_for(name)
    nwbfile = new_nwbfile(name)
    first = TimeSeries(name="first", data=rng.normal(size=40), unit="V", timestamps=np.sort(rng.random(40)))
    second = TimeSeries(name="shares_timestamps", data=rng.normal(size=40), unit="V", timestamps=first)
    third = TimeSeries(name="shares_data", data=first, unit="V", timestamps=first)
    for series in (first, second, third):
        nwbfile.add_acquisition(series)
    return nwbfile


def _storage(settings: dict, dtype: str = "float32") -> Callable[[str], object]:
    """A factory of a file whose TimeSeries data was written with the given H5DataIO settings."""

    def factory(name: str):
        from hdmf.backends.hdf5 import H5DataIO
        from pynwb import TimeSeries

        rng = rng_for(name)
        nwbfile = new_nwbfile(name)
        data = (rng.normal(size=(400, 3)) * 100).astype(dtype)
        nwbfile.add_acquisition(TimeSeries(name="data", data=H5DataIO(data, **settings), unit="V", rate=100.0))
        timestamps = np.arange(400) / 100.0
        nwbfile.add_acquisition(
            TimeSeries(name="with_timestamps", data=H5DataIO(data[:, 0], **settings), unit="V", timestamps=timestamps)
        )
        return nwbfile

    return factory


def _empty_and_resizable(name: str):
    """Empty datasets (no samples), resizable datasets (maxshape None), a scalar-like one-sample series."""
    from hdmf.backends.hdf5 import H5DataIO
    from pynwb import TimeSeries

    nwbfile = new_nwbfile(name)
    nwbfile.add_acquisition(TimeSeries(name="empty", data=np.zeros((0, 2)), unit="V", rate=1.0))
    nwbfile.add_acquisition(
        TimeSeries(
            name="resizable",
            data=H5DataIO(np.arange(50, dtype=np.int32), maxshape=(None,), chunks=(16,)),
            unit="counts",
            rate=1.0,
        )
    )
    nwbfile.add_acquisition(TimeSeries(name="one_sample", data=[7.0], unit="V", timestamps=[0.0]))
    return nwbfile


_HANDMADE: list[tuple[str, Callable[[str], object], bool, str]] = [
    ("core-icephys-tables", _icephys_tables, True, "intracellular recordings, simultaneous, sequential ... tables"),
    ("core-ImageSeries-external", _image_series_external, True, "ImageSeries external_file, empty data"),
    ("core-ImageSeries-data", _image_series_data, False, "ImageSeries and OpticalSeries with data"),
    ("core-TimeIntervals", _time_intervals, True, "trials/epochs/invalid_times/custom TimeIntervals"),
    ("core-DynamicTable-ragged-region", _dynamic_table, True, "DynamicTable ragged, region, EnumData columns"),
    ("core-Images", _images, True, "Images, GrayscaleImage/RGBImage/RGBAImage, ImageReferences, IndexSeries"),
    ("core-scratch", _scratch, False, "scratch ScratchData, array and table"),
    ("core-DeviceModel-devices", _device_models, True, "Devices linking DeviceModels (NWB 2.9)"),
    ("core-electrodes-table", _electrodes, False, "electrodes table with extra columns, groups with position"),
    ("core-Units-waveforms", _units_waveforms, True, "Units with waveforms (doubly ragged), obs_intervals"),
    ("core-EventsTable", _events_table, False, "NWB 2.11 core EventsTable"),
    ("core-DecompositionSeries-bands", _decomposition, False, "LFP, FilteredEphys, FeatureExtraction, bands"),
    ("core-misc-behavior", _misc_series, False, "AnnotationSeries, IntervalSeries, AbstractFeatureSeries, behavior"),
    ("core-MotionCorrection", _motion_correction, False, "MotionCorrection with CorrectedImageStack"),
    ("core-general-metadata", _general_metadata, True, "/general text metadata and a full Subject"),
    ("core-linked-series", _linked_series, True, "timestamps and data linked to another TimeSeries"),
    (
        "core-storage-gzip9-shuffle",
        _storage({"compression": "gzip", "compression_opts": 9, "shuffle": True}),
        False,
        "H5DataIO gzip 9 + shuffle",
    ),
    (
        "core-storage-lzf-fletcher32",
        _storage({"compression": "lzf", "fletcher32": True, "chunks": True}),
        False,
        "H5DataIO lzf + fletcher32, h5py chunks",
    ),
    (
        "core-storage-szip",
        _storage({"compression": "szip", "compression_opts": ("nn", 16)}),
        False,
        "H5DataIO szip (nn, 16)",
    ),
    (
        "core-storage-gzip0-int16",
        _storage({"compression": "gzip", "compression_opts": 0}, dtype="int16"),
        False,
        "H5DataIO gzip level 0 on int16",
    ),
    ("core-storage-empty-resizable", _empty_and_resizable, False, "empty, resizable (maxshape None) datasets"),
]


def recipes() -> list[Recipe]:
    """The core-mock recipes (and their NWBZarrIO twins)."""
    found: list[Recipe] = []
    for suffix, module, function, kwargs, zarr in _MOCKS:
        origin = f"{PYNWB_ORIGIN}: pynwb.testing.mock.{module}.{function}(nwbfile=..., {kwargs or ''})"
        backends = ("hdf5", "zarr") if zarr else ("hdf5",)
        found += nwbfile_recipes(f"mock-{suffix}", "core-mock", origin, _mock(function, module, **kwargs), backends)
    for name, factory, zarr, what in _HANDMADE:
        origin = f"{PYNWB_ORIGIN}: {what} (tests/corpus/_corpus_core.py {factory.__name__})"
        backends = ("hdf5", "zarr") if zarr else ("hdf5",)
        found += nwbfile_recipes(name, "core-mock", origin, factory, backends)
    return found
