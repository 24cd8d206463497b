"""Files written with popular NWB extensions (kind "extension"), following each extension's own README and examples.

Versions: ndx-pose 0.4.0, ndx-ophys-devices 0.3.1, ndx-optogenetics 0.4.1, ndx-fiber-photometry
0.2.4 (pinned in pyproject.toml's test extra). Each file caches only the core schema and the extensions it uses.
The objects are those of the READMEs (ndx-pose: its examples/ scripts), with fewer samples and fixed dates.
"""

from __future__ import annotations

import numpy as np
from _corpus_common import Recipe, new_nwbfile, nwbfile_recipes, rng_for

VERSIONS = {
    "ndx-pose": "0.4.0",
    "ndx-ophys-devices": "0.3.1",
    "ndx-optogenetics": "0.4.1",
    "ndx-fiber-photometry": "0.2.4",
}


# ndx-events 0.4.0 gives no file of its own with pynwb 4.2.0: NWB 2.11 adopted its types, so ndx_events.EventsTable,
# TimestampVectorData, DurationVectorData and MeaningsTable are the core / hdmf-common classes; its README's
# NdxEventsNWBFile cannot be constructed ("The following names are duplicated: ['events']", NWBFile has its own
# events now); and its one remaining type, CategoricalVectorData, needs an hdmf-common MeaningsTable whose required
# ``target`` is that very column (building the pair recurses without end). Events are in the corpus as core
# EventsTable files (core-EventsTable, neuroconv-events) and ndx-events 0.2.0 files (legacy-pynwb_2x_with_extension).


# ------------------------------------------------------------------------------------------------------- ndx-pose
def _pose_subject_and_skeleton(nwbfile, nodes=("front_left_paw", "body", "front_right_paw")):
    from ndx_pose import Skeleton
    from pynwb.file import Subject

    nwbfile.subject = Subject(subject_id="subject1", species="Mus musculus")
    edges = np.array([[index, index + 1] for index in range(len(nodes) - 1)], dtype="uint8")
    return Skeleton(name="subject1_skeleton", nodes=list(nodes), edges=edges, subject=nwbfile.subject)


def _external_video(name: str, frames: int):
    from pynwb.image import ImageSeries

    return ImageSeries(
        name=name,
        description=f"{name} recorded by camera1",
        unit="NA",
        format="external",
        external_file=[f"path/to/{name}.mp4"],
        dimension=[640, 480],
        starting_frame=[0],
        rate=30.0,
        num_samples=frames,
    )


def _ndx_pose_estimates(name: str):
    """examples/write_pose_estimates_only.py: Skeleton, three PoseEstimationSeries (timestamps linked), videos."""
    from ndx_pose import PoseEstimation, PoseEstimationSeries, Skeletons

    rng = rng_for(name)
    nwbfile = new_nwbfile(name)
    skeleton = _pose_subject_and_skeleton(nwbfile)
    camera = nwbfile.create_device(name="camera1", description="camera for behavior", manufacturer="my manufacturer")
    source_video, labeled_video = _external_video("source_video", 40), _external_video("labeled_video", 40)
    nwbfile.add_acquisition(source_video)
    nwbfile.add_acquisition(labeled_video)
    series = []
    for node in skeleton.nodes:
        series.append(
            PoseEstimationSeries(
                name=node,
                description=f"Marker placed on {node}.",
                data=rng.random((40, 2)),
                unit="pixels",
                reference_frame="(0,0,0) corresponds to the top left corner",
                timestamps=np.linspace(0, 4, num=40) if not series else series[0],
                confidence=rng.random(40),
                confidence_definition="Softmax output of the deep neural network.",
            )
        )
    module = nwbfile.create_processing_module(name="behavior", description="processed behavioral data")
    module.add(Skeletons(skeletons=[skeleton]))
    module.add(
        PoseEstimation(
            name="PoseEstimation",
            pose_estimation_series=series,
            description="Estimated positions of front paws of subject1 using DeepLabCut.",
            device=camera,
            scorer="DLC_resnet50_openfieldOct30shuffle1_1600",
            source_software="DeepLabCut",
            source_software_version="2.3.8",
            skeleton=skeleton,
            source_video=source_video,
            labeled_video=labeled_video,
        )
    )
    return nwbfile


def _ndx_pose_skeletons(name: str):
    """Only Skeletons: node names (text) and edges, two skeletons, one without a subject link."""
    from ndx_pose import Skeleton, Skeletons

    nwbfile = new_nwbfile(name)
    first = _pose_subject_and_skeleton(nwbfile, nodes=("nose", "left_ear", "right_ear", "spine", "tail_base"))
    second = Skeleton(
        name="rat_skeleton", nodes=["snout", "neck", "tail"], edges=np.array([[0, 1], [1, 2]], dtype="uint8")
    )
    module = nwbfile.create_processing_module(name="behavior", description="skeletons")
    module.add(Skeletons(skeletons=[first, second]))
    return nwbfile


def _ndx_pose_training(name: str):
    """examples/write_pose_training.py: TrainingFrames of SkeletonInstances for two skeletons, a source video."""
    from ndx_pose import (
        PoseTraining,
        Skeleton,
        SkeletonInstance,
        SkeletonInstances,
        Skeletons,
        SourceVideos,
        TrainingFrame,
        TrainingFrames,
    )

    rng = rng_for(name)
    nwbfile = new_nwbfile(name)
    skeleton1 = _pose_subject_and_skeleton(nwbfile)
    skeleton2 = Skeleton(
        name="subject2_skeleton",
        nodes=["front_left_paw", "body", "front_right_paw"],
        edges=np.array([[0, 1], [1, 2]], dtype="uint8"),
    )
    nwbfile.create_device(name="camera1", description="camera for behavior", manufacturer="my manufacturer")
    video = _external_video("source_video", 50)
    frames = []
    for index in range(0, 50, 10):
        instances = [
            SkeletonInstance(
                name=f"skeleton{number}_instance",
                id=np.uint(index),
                node_locations=rng.random((3, 2)) * 100,
                node_visibility=[True, True, number == 1],
                skeleton=skeleton,
            )
            for number, skeleton in ((1, skeleton1), (2, skeleton2))
        ]
        frames.append(
            TrainingFrame(
                name=f"frame_{index}",
                annotator="Bilbo Baggins",
                skeleton_instances=SkeletonInstances(skeleton_instances=instances),
                source_video=video,
                source_video_frame_index=np.uint(index),
            )
        )
    module = nwbfile.create_processing_module(name="behavior", description="processed behavioral data")
    module.add(Skeletons(skeletons=[skeleton1, skeleton2]))
    module.add(
        PoseTraining(
            training_frames=TrainingFrames(training_frames=frames), source_videos=SourceVideos(image_series=[video])
        )
    )
    return nwbfile


def _ndx_pose_multicamera(name: str):
    """examples/write_multicamera_pose_estimates.py: CalibratedCameras with a DeviceModel, 3-D estimates."""
    from ndx_pose import (
        CalibratedCamera,
        MultiCameraPoseEstimation,
        PoseEstimation,
        PoseEstimationSeries,
        Skeletons,
    )
    from pynwb.device import DeviceModel

    rng = rng_for(name)
    nwbfile = new_nwbfile(name)
    skeleton = _pose_subject_and_skeleton(nwbfile, nodes=("nose", "left_ear", "right_ear", "spine_mid", "tail_base"))
    camera_model = DeviceModel(
        name="acA1300", manufacturer="Basler", model_number="acA1300-200um", description="Basler ace camera."
    )
    nwbfile.add_device_model(camera_model)
    cameras, videos = [], []
    for number in (1, 2):
        intrinsic = np.eye(3, dtype="float32")
        intrinsic[0, 0] = intrinsic[1, 1] = 800.0
        camera = CalibratedCamera(
            name=f"camera{number}",
            description=f"view {number}",
            model=camera_model,
            serial_number=f"SN-000{number}",
            intrinsic_matrix=intrinsic,
            rotation_matrix=np.eye(3, dtype="float32"),
            translation_vector=rng.standard_normal(3).astype("float32"),
            distortion_coefficients=np.zeros(5, dtype="float32"),
        )
        nwbfile.add_device(camera)
        video = _external_video(f"camera{number}_video", 30)
        nwbfile.add_acquisition(video)
        cameras.append(camera)
        videos.append(video)
    views = [
        PoseEstimation(
            name=f"PoseEstimation_{camera.name}",
            description=f"Camera view {camera.name}.",
            source_software="sDANNCE",
            source_software_version="1.0.0",
            device=camera,
            source_video=video,
        )
        for camera, video in zip(cameras, videos)
    ]
    series = []
    for node in skeleton.nodes:
        series.append(
            PoseEstimationSeries(
                name=node,
                description=f"3D position of {node}.",
                data=(rng.standard_normal((30, 3)) * 10).astype("float32"),
                unit="millimeters",
                reference_frame="(0, 0, 0) is the center of the rig.",
                timestamps=np.arange(30) / 30.0 if not series else series[0],
                confidence=rng.random(30).astype("float32"),
                confidence_definition="Maximum probability of the 3D heatmap.",
            )
        )
    module = nwbfile.create_processing_module(name="behavior", description="3D pose estimation")
    module.add(Skeletons(skeletons=[skeleton]))
    module.add(
        MultiCameraPoseEstimation(
            name="MultiCameraPoseEstimation",
            pose_estimation_series=series,
            pose_estimations=views,
            description="3D keypoints estimated by sDANNCE.",
            scorer="sDANNCE",
            source_software="sDANNCE",
            source_software_version="1.0.0",
            skeleton=skeleton,
        )
    )
    return nwbfile


# ---------------------------------------------------------------------------------------------- ndx-ophys-devices
def _ophys_models():
    """The README's device models, keyed by their names."""
    from ndx_ophys_devices import (
        BandOpticalFilterModel,
        DichroicMirrorModel,
        EdgeOpticalFilterModel,
        ExcitationSourceModel,
        OpticalFiberModel,
        OpticalLensModel,
        PhotodetectorModel,
    )

    models = [
        OpticalFiberModel(
            name="optical_fiber_model",
            manufacturer="Fiber Manufacturer",
            model_number="OF-123",
            description="Optical fiber model for optogenetics",
            numerical_aperture=0.2,
            core_diameter_in_um=400.0,
            active_length_in_mm=2.0,
            ferrule_name="cFCF - ∅2.5mm Ceramic Ferrule",
            ferrule_model="SM-SC-CF-10-FM",
            ferrule_diameter_in_mm=2.5,
        ),
        OpticalLensModel(
            name="optical_lens_model",
            manufacturer="Lens Manufacturer",
            model_number="OL-123",
            description="Optical lens model for imaging",
            numerical_aperture=0.39,
            magnification=40.0,
        ),
        ExcitationSourceModel(
            name="excitation_source_model",
            manufacturer="Laser Manufacturer",
            model_number="ES-123",
            description="Excitation source model for green indicator",
            source_type="laser",
            excitation_mode="one-photon",
            wavelength_range_in_nm=[400.0, 800.0],
        ),
        PhotodetectorModel(
            name="photodetector_model",
            manufacturer="Detector Manufacturer",
            model_number="PD-123",
            description="Photodetector model for green emission",
            detector_type="PMT",
            wavelength_range_in_nm=[400.0, 800.0],
            gain=100.0,
            gain_unit="A/W",
        ),
        DichroicMirrorModel(
            name="dichroic_mirror_model",
            manufacturer="Mirror Manufacturer",
            model_number="DM-123",
            description="Dichroic mirror model for green indicator",
            cut_on_wavelength_in_nm=470.0,
            cut_off_wavelength_in_nm=500.0,
            reflection_band_in_nm=[460.0, 480.0],
            transmission_band_in_nm=[490.0, 520.0],
            angle_of_incidence_in_degrees=45.0,
        ),
        BandOpticalFilterModel(
            name="band_optical_filter_model",
            manufacturer="Filter Manufacturer",
            model_number="BOF-123",
            description="Band optical filter model for green indicator",
            filter_type="Bandpass",
            center_wavelength_in_nm=480.0,
            bandwidth_in_nm=30.0,
        ),
        EdgeOpticalFilterModel(
            name="edge_optical_filter_model",
            manufacturer="Filter Manufacturer",
            model_number="EOF-123",
            description="Edge optical filter model for green indicator",
            filter_type="Longpass",
            cut_wavelength_in_nm=585.0,
            slope_in_percent_cut_wavelength=1.0,
            slope_starting_transmission_in_percent=10.0,
            slope_ending_transmission_in_percent=80.0,
        ),
    ]
    return {model.name: model for model in models}


def _ndx_ophys_devices_all(name: str):
    """README example: every device model and device of ndx-ophys-devices, with viral vector and insertion data."""
    from ndx_ophys_devices import (
        BandOpticalFilter,
        DichroicMirror,
        EdgeOpticalFilter,
        ExcitationSource,
        FiberInsertion,
        LensPositioning,
        OpticalFiber,
        OpticalLens,
        Photodetector,
        PulsedExcitationSource,
    )

    nwbfile = new_nwbfile(name)
    models = _ophys_models()
    for model in models.values():
        nwbfile.add_device_model(model)
    insertion = FiberInsertion(
        name="fiber_insertion",
        depth_in_mm=3.5,
        insertion_position_ap_in_mm=2.0,
        insertion_position_ml_in_mm=1.5,
        insertion_position_dv_in_mm=3.0,
        position_reference="bregma",
        hemisphere="right",
        insertion_angle_pitch_in_deg=10.0,
    )
    positioning = LensPositioning(
        name="lens_positioning",
        positioning_type="surface",
        depth_in_mm=0.0,
        target_position_ap_in_mm=1.5,
        target_position_ml_in_mm=2.0,
        target_position_dv_in_mm=0.0,
        working_distance_in_mm=2.0,
        position_reference="bregma",
        hemisphere="left",
        optical_axis_angle_pitch_in_deg=0.0,
    )
    devices = [
        OpticalFiber(
            name="optical_fiber",
            description="Optical fiber for optogenetics",
            serial_number="OF-SN-123456",
            model=models["optical_fiber_model"],
            fiber_insertion=insertion,
        ),
        OpticalLens(
            name="optical_lens",
            description="Optical lens for imaging",
            serial_number="OL-SN-123456",
            model=models["optical_lens_model"],
            lens_positioning=positioning,
        ),
        ExcitationSource(
            name="excitation_source",
            description="Excitation source for green indicator",
            serial_number="ES-SN-123456",
            model=models["excitation_source_model"],
            power_in_W=0.7,
            intensity_in_W_per_m2=0.005,
            exposure_time_in_s=2.51e-13,
        ),
        PulsedExcitationSource(
            name="pulsed_excitation_source",
            description="Pulsed excitation source for red indicator",
            serial_number="PES-SN-123456",
            model=models["excitation_source_model"],
            peak_power_in_W=0.7,
            peak_pulse_energy_in_J=0.7,
            intensity_in_W_per_m2=0.005,
            exposure_time_in_s=2.51e-13,
            pulse_rate_in_Hz=2.0e6,
        ),
        Photodetector(
            name="photodetector",
            description="Photodetector for green emission",
            serial_number="PD-SN-123456",
            model=models["photodetector_model"],
        ),
        DichroicMirror(
            name="dichroic_mirror",
            description="Dichroic mirror for green indicator",
            serial_number="DM-SN-123456",
            model=models["dichroic_mirror_model"],
        ),
        BandOpticalFilter(
            name="band_optical_filter",
            description="Band optical filter for green indicator",
            serial_number="BOF-SN-123456",
            model=models["band_optical_filter_model"],
        ),
        EdgeOpticalFilter(
            name="edge_optical_filter",
            description="Edge optical filter for green indicator",
            serial_number="EOF-SN-123456",
            model=models["edge_optical_filter_model"],
        ),
    ]
    for device in devices:
        nwbfile.add_device(device)
    return nwbfile


def _ndx_ophys_devices_mocks(name: str):
    """ndx_ophys_devices.testing's mock devices (each with its mock model), as its own tests build them."""
    from ndx_ophys_devices import testing

    nwbfile = new_nwbfile(name)
    for function in (
        testing.mock_OpticalFiber,
        testing.mock_Photodetector,
        testing.mock_ExcitationSource,
        testing.mock_OpticalLens,
    ):
        device = function()
        if device.model.name not in nwbfile.device_models:
            nwbfile.add_device_model(device.model)
        nwbfile.add_device(device)
    return nwbfile


# ----------------------------------------------------------------------------------------------- ndx-optogenetics
def _ndx_optogenetics(name: str, sites: int = 1):
    """README example: excitation source and fiber with models, virus, injection, effector, sites/epochs/pulses."""
    from ndx_ophys_devices import (
        Effector,
        ExcitationSource,
        ExcitationSourceModel,
        FiberInsertion,
        OpticalFiber,
        OpticalFiberModel,
        ViralVector,
        ViralVectorInjection,
    )
    from ndx_optogenetics import (
        OptogeneticEffectors,
        OptogeneticEpochsTable,
        OptogeneticExperimentMetadata,
        OptogeneticPulsesTable,
        OptogeneticSitesTable,
        OptogeneticViruses,
        OptogeneticVirusInjections,
    )

    nwbfile = new_nwbfile(name)
    source_model = ExcitationSourceModel(
        name="Omicron LuxX+ 488-100 Model",
        description="Laser for optogenetic stimulation.",
        manufacturer="Omicron",
        source_type="laser",
        excitation_mode="one-photon",
        wavelength_range_in_nm=[488.0, 488.0],
    )
    source = ExcitationSource(
        name="Omicron LuxX+ 488-100", model=source_model, power_in_W=0.077, intensity_in_W_per_m2=1.0e10
    )
    fiber_model = OpticalFiberModel(
        name="Lambda Model",
        description="Lambda fiber (tapered fiber) from Optogenix.",
        model_number="lambda_b5",
        manufacturer="Optogenix",
        numerical_aperture=0.39,
        core_diameter_in_um=200.0,
        active_length_in_mm=2.0,
        ferrule_name="cFCF - ∅2.5mm Ceramic Ferrule",
        ferrule_diameter_in_mm=2.5,
    )
    nwbfile.add_device_model(source_model)
    nwbfile.add_device(source)
    nwbfile.add_device_model(fiber_model)
    virus = ViralVector(
        name="AAV-EF1a-DIO-hChR2(H134R)-EYFP",
        construct_name="AAV-EF1a-DIO-hChR2(H134R)-EYFP",
        description="Excitatory optogenetic construct for ChR2-EYFP expression",
        manufacturer="UNC Vector Core",
        titer_in_vg_per_ml=1.0e12,
    )
    injections, effectors, fibers = [], [], []
    for site in range(sites):
        hemisphere = ["right", "left"][site % 2]
        ml = [3.2, -3.2][site % 2]
        injection = ViralVectorInjection(
            name=f"AAV-EF1a-DIO-hChR2(H134R)-EYFP Injection {site}",
            description="AAV-EF1a-DIO-hChR2(H134R)-EYFP injection into GPe.",
            hemisphere=hemisphere,
            location="GPe",
            ap_in_mm=-1.5,
            ml_in_mm=ml,
            dv_in_mm=-6.0,
            roll_in_deg=0.0,
            pitch_in_deg=0.0,
            yaw_in_deg=0.0,
            reference="Bregma at the cortical surface",
            viral_vector=virus,
            volume_in_uL=0.45,
            injection_date="1970-01-01T00:00:00+00:00",
        )
        effector = Effector(
            name=f"effector_{site}",
            description="Excitatory opsin",
            label="hChR2-EYFP",
            viral_vector_injection=injection,
        )
        fiber = OpticalFiber(
            name=f"Lambda {hemisphere}" if sites > 1 else "Lambda",
            description=f"Lambda fiber implanted into {hemisphere} GPe.",
            serial_number=f"12345{site}",
            model=fiber_model,
            fiber_insertion=FiberInsertion(
                name="fiber_insertion",
                depth_in_mm=2.0,
                insertion_position_ap_in_mm=-1.5,
                insertion_position_ml_in_mm=ml,
                insertion_position_dv_in_mm=-5.8,
                position_reference="Bregma at the cortical surface",
                hemisphere=hemisphere,
                insertion_angle_pitch_in_deg=0.0,
            ),
        )
        nwbfile.add_device(fiber)
        injections.append(injection)
        effectors.append(effector)
        fibers.append(fiber)
    sites_table = OptogeneticSitesTable(description="Information about the optogenetic stimulation sites.")
    for effector, fiber in zip(effectors, fibers):
        sites_table.add_row(excitation_source=source, optical_fiber=fiber, effector=effector)
    nwbfile.add_lab_meta_data(
        OptogeneticExperimentMetadata(
            optogenetic_sites_table=sites_table,
            optogenetic_viruses=OptogeneticViruses(viral_vectors=[virus]),
            optogenetic_virus_injections=OptogeneticVirusInjections(viral_vector_injections=injections),
            optogenetic_effectors=OptogeneticEffectors(effectors=effectors),
            stimulation_software="FSGUI 2.0",
        )
    )
    epochs = OptogeneticEpochsTable(
        name="optogenetic_epochs",
        description="Metadata about optogenetic stimulation parameters per epoch",
        target_tables={"optogenetic_sites": sites_table},
    )
    for epoch in range(sites):
        epochs.add_row(
            start_time=100.0 * epoch,
            stop_time=100.0 * epoch + 100.0,
            stimulation_on=True,
            pulse_length_in_ms=40.0,
            period_in_ms=250.0,
            number_pulses_per_pulse_train=100,
            number_trains=1,
            intertrain_interval_in_ms=0.0,
            power_in_mW=77.0,
            wavelength_in_nm=488.0,
            optogenetic_sites=list(range(epoch + 1)),
        )
    nwbfile.add_time_intervals(epochs)
    pulses = OptogeneticPulsesTable(
        name="optogenetic_pulses",
        description="Metadata about optogenetic stimulation per pulse",
        target_tables={"optogenetic_sites": sites_table},
    )
    for pulse in range(3):
        pulses.add_row(
            start_time=10.0 + pulse,
            stop_time=10.04 + pulse,
            power_in_mW=77.0,
            wavelength_in_nm=488.0,
            optogenetic_sites=[pulse % sites],
        )
    nwbfile.add_time_intervals(pulses)
    return nwbfile


def _ndx_optogenetics_two_sites(name: str):
    return _ndx_optogenetics(name, sites=2)


# ------------------------------------------------------------------------------------------- ndx-fiber-photometry
def _ndx_fiber_photometry(name: str, fibers: int = 2):
    """README example: viruses, injections, indicators, fibers, sources, detectors, mirrors, filters, the table,
    commanded voltage series and a FiberPhotometryResponseSeries that refers to table rows."""
    from ndx_fiber_photometry import (
        CommandedVoltageSeries,
        FiberPhotometry,
        FiberPhotometryIndicators,
        FiberPhotometryResponseSeries,
        FiberPhotometryTable,
        FiberPhotometryViruses,
        FiberPhotometryVirusInjections,
    )
    from ndx_ophys_devices import (
        BandOpticalFilter,
        DichroicMirror,
        ExcitationSource,
        FiberInsertion,
        Indicator,
        OpticalFiber,
        Photodetector,
        ViralVector,
        ViralVectorInjection,
    )

    rng = rng_for(name)
    nwbfile = new_nwbfile(name)
    models = _ophys_models()
    for key in (
        "optical_fiber_model",
        "excitation_source_model",
        "photodetector_model",
        "dichroic_mirror_model",
        "band_optical_filter_model",
    ):
        nwbfile.add_device_model(models[key])
    colors = [("green", "GCamp6f", 480.0, 525.0), ("red", "Tdtomato", 580.0, 610.0)][:fibers]
    vectors, injections, indicators = [], [], []
    table = FiberPhotometryTable(name="fiber_photometry_table", description="fiber photometry table")
    for index, (color, label, excitation, emission) in enumerate(colors, start=1):
        vector = ViralVector(
            name=f"viral_vector_{color}",
            description=f"AAV viral vector for the {color} indicator.",
            construct_name=f"AAV-CaMKII-{label}",
            manufacturer="Vector Manufacturer",
            titer_in_vg_per_ml=1.0e12,
        )
        injection = ViralVectorInjection(
            name=f"viral_vector_injection_{color}",
            description="Viral vector injection for fiber photometry.",
            location="Ventral Tegmental Area (VTA)",
            hemisphere="right",
            reference="Bregma at the cortical surface",
            ap_in_mm=3.0,
            ml_in_mm=2.0,
            dv_in_mm=1.0,
            pitch_in_deg=0.0,
            yaw_in_deg=0.0,
            roll_in_deg=0.0,
            stereotactic_rotation_in_deg=0.0,
            stereotactic_tilt_in_deg=0.0,
            volume_in_uL=0.45,
            injection_date="1970-01-01T00:00:00+00:00",
            viral_vector=vector,
        )
        indicator = Indicator(
            name=f"indicator_{index}", description=f"{color} indicator", label=label, viral_vector_injection=injection
        )
        fiber = OpticalFiber(
            name=f"optical_fiber_{index}",
            description="Optical fiber for fiber photometry.",
            serial_number=f"OF-SN-{index}",
            model=models["optical_fiber_model"],
            fiber_insertion=FiberInsertion(
                name="fiber_insertion",
                depth_in_mm=3.5,
                insertion_position_ap_in_mm=3.0,
                insertion_position_ml_in_mm=2.0 if index == 1 else -2.0,
                insertion_position_dv_in_mm=1.0,
                position_reference="bregma",
                hemisphere="right" if index == 1 else "left",
                insertion_angle_pitch_in_deg=10.0,
            ),
        )
        source = ExcitationSource(
            name=f"excitation_source_{index}",
            description=f"Excitation source for {color} indicator",
            serial_number=f"ES-SN-{index}",
            model=models["excitation_source_model"],
            power_in_W=0.7,
            intensity_in_W_per_m2=0.005,
            exposure_time_in_s=2.51e-13,
        )
        detector = Photodetector(
            name=f"photodetector_{index}",
            description=f"Photodetector for {color} emission.",
            serial_number=f"PD-SN-{index}",
            model=models["photodetector_model"],
        )
        mirror = DichroicMirror(
            name=f"dichroic_mirror_{index}",
            description=f"Dichroic mirror for {color} indicator",
            serial_number=f"DM-SN-{index}",
            model=models["dichroic_mirror_model"],
        )
        emission_filter = BandOpticalFilter(
            name=f"band_optical_filter_{index}",
            description=f"Band optical filter for {color} indicator",
            serial_number=f"BOF-SN-{index}",
            model=models["band_optical_filter_model"],
        )
        voltage = CommandedVoltageSeries(
            name=f"commanded_voltage_series_{index}", data=[1.0, 2.0, 3.0], frequency=30.0, rate=30.0, unit="volts"
        )
        for device in (fiber, source, detector, mirror, emission_filter):
            nwbfile.add_device(device)
        nwbfile.add_acquisition(voltage)
        table.add_row(
            location="VTA",
            excitation_wavelength_in_nm=excitation,
            emission_wavelength_in_nm=emission,
            indicator=indicator,
            optical_fiber=fiber,
            excitation_source=source,
            commanded_voltage_series=voltage,
            photodetector=detector,
            dichroic_mirror=mirror,
            emission_filter=emission_filter,
        )
        vectors.append(vector)
        injections.append(injection)
        indicators.append(indicator)
    region = table.create_fiber_photometry_table_region(region=list(range(fibers)), description="source fibers")
    nwbfile.add_lab_meta_data(
        FiberPhotometry(
            name="fiber_photometry",
            fiber_photometry_table=table,
            fiber_photometry_viruses=FiberPhotometryViruses(viral_vectors=vectors),
            fiber_photometry_virus_injections=FiberPhotometryVirusInjections(viral_vector_injections=injections),
            fiber_photometry_indicators=FiberPhotometryIndicators(indicators=indicators),
        )
    )
    nwbfile.add_acquisition(
        FiberPhotometryResponseSeries(
            name="fiber_photometry_response_series",
            description="my roi response series",
            data=rng.standard_normal((100, fibers)),
            unit="n.a.",
            rate=30.0,
            fiber_photometry_table_region=region,
        )
    )
    return nwbfile


def _ndx_fiber_photometry_one_fiber(name: str):
    return _ndx_fiber_photometry(name, fibers=1)


# (entry name, factory, namespaces used, also written with NWBZarrIO, what it holds)
_FILES = [
    ("ndx-pose-estimates", _ndx_pose_estimates, ("ndx-pose",), True, "examples/write_pose_estimates_only.py"),
    ("ndx-pose-skeletons", _ndx_pose_skeletons, ("ndx-pose",), False, "Skeletons with node and edge names"),
    ("ndx-pose-training", _ndx_pose_training, ("ndx-pose",), False, "examples/write_pose_training.py"),
    ("ndx-pose-multicamera", _ndx_pose_multicamera, ("ndx-pose",), False, "examples/write_multicamera_pose..."),
    ("ndx-ophys-devices-all", _ndx_ophys_devices_all, ("ndx-ophys-devices",), True, "README, all devices/models"),
    ("ndx-ophys-devices-mocks", _ndx_ophys_devices_mocks, ("ndx-ophys-devices",), False, "its testing mocks"),
    ("ndx-optogenetics-readme", _ndx_optogenetics, ("ndx-optogenetics",), True, "README example"),
    ("ndx-optogenetics-two-sites", _ndx_optogenetics_two_sites, ("ndx-optogenetics",), False, "README, 2 sites"),
    ("ndx-fiber-photometry-readme", _ndx_fiber_photometry, ("ndx-fiber-photometry",), True, "README example"),
    ("ndx-fiber-photometry-one-fiber", _ndx_fiber_photometry_one_fiber, ("ndx-fiber-photometry",), False,
     "README with one fiber"),
]  # fmt: skip


def recipes() -> list[Recipe]:
    """The extension recipes (and their NWBZarrIO twins)."""
    found: list[Recipe] = []
    for name, factory, namespaces, zarr, what in _FILES:
        versions = ", ".join(f"{namespace} {VERSIONS[namespace]}" for namespace in namespaces)
        origin = f"pynwb 4.2.0 + {versions}: {what} (tests/corpus/_corpus_extensions.py {factory.__name__})"
        backends = ("hdf5", "zarr") if zarr else ("hdf5",)
        found += nwbfile_recipes(name, "extension", origin, factory, backends, namespaces)
    return found
