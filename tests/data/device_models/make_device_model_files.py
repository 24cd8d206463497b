"""NWB files with device models as each generation of pynwb and of the optical-device extensions wrote them.

``python make_device_model_files.py NAME [OUTDIR]`` writes ``NAME.nwb`` with the packages installed in the
environment it runs in; each NAME needs its own virtual environment (NOT the project's), created with Python 3.11::

    python3.11 -m venv /tmp/venv-NAME && /tmp/venv-NAME/bin/pip install PINS
    /tmp/venv-NAME/bin/python tests/data/device_models/make_device_model_files.py NAME

| NAME                       | PINS                                                            | Device.model is   |
|----------------------------|-----------------------------------------------------------------|-------------------|
| fiber_photometry_0.1.0     | pynwb==3.0.0 ndx-fiber-photometry==0.1.0                        | a text attribute  |
| optogenetics_0.2.0         | pynwb==3.0.0 ndx-optogenetics==0.2.0                            | a link to a model |
|                            |                                                                 | that is a Device  |
| ophys_devices_0.2.0        | pynwb==3.0.0 ndx-ophys-devices==0.2.0                           | a link to the     |
|                            |                                                                 | extension's own   |
|                            |                                                                 | DeviceModel type  |
| nwb_2.9_fiber_photometry   | pynwb==3.1.3 ndx-fiber-photometry==0.2.4 ndx-optogenetics==0.4.1 | a link to a core  |
| nwb_2.9_optogenetics       | (the same environment)                                          | DeviceModel type  |

OUTDIR defaults to the folder of this script. Identifiers, dates and data are fixed (HDF5 object headers still carry
write times). The functions ``fiber_photometry_nwbfile``, ``optogenetics_nwbfile`` and ``ophys_devices_nwbfile``
build the same content with the current extensions (ndx-ophys-devices 0.3, ndx-optogenetics 0.4,
ndx-fiber-photometry 0.2): the tests call them with the project's pynwb to write NWB 2.9+ files in place.
"""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

START = datetime(2024, 5, 6, 7, 8, 9, tzinfo=timezone.utc)


def _new_file(identifier: str):
    from pynwb import NWBFile

    return NWBFile(
        session_description=f"device models written by pynwb for {identifier}",
        identifier=identifier,
        session_start_time=START,
        file_create_date=[START],
        lab="nwbconfig_widget tests",
    )


# --- current extensions (device models are core DeviceModel subtypes, in /general/devices/models) -----------------


def ophys_devices_nwbfile(identifier: str = "ophys-devices-current"):
    """Every model type of ndx-ophys-devices 0.3 in ``device_models``, each linked from one or two devices."""
    import ndx_ophys_devices as ophys

    nwbfile = _new_file(identifier)
    fiber_model = ophys.OpticalFiberModel(
        name="fiber model 200um",
        description="flat-cleaved fiber",
        manufacturer="Fibers Inc",
        model_number="FX-200",
        numerical_aperture=0.37,
        core_diameter_in_um=200.0,
    )
    source_model = ophys.ExcitationSourceModel(
        name="LED 470",
        description="fibre-coupled LED",
        manufacturer="Lights Ltd",
        source_type="LED",
        excitation_mode="one-photon",
        wavelength_range_in_nm=[460.0, 480.0],
    )
    detector_model = ophys.PhotodetectorModel(
        name="PMT model", manufacturer="Detect Co", detector_type="PMT", wavelength_range_in_nm=[300.0, 650.0]
    )
    band_model = ophys.BandOpticalFilterModel(
        name="GFP band filter",
        manufacturer="Filters GmbH",
        filter_type="Bandpass",
        center_wavelength_in_nm=525.0,
        bandwidth_in_nm=39.0,
    )
    for model in (fiber_model, source_model, detector_model, band_model):
        nwbfile.add_device_model(model)
    for index, hemisphere in enumerate(("left", "right")):
        nwbfile.add_device(
            ophys.OpticalFiber(
                name=f"fiber_{hemisphere}",
                description=f"fiber in the {hemisphere} striatum",
                serial_number=f"F-{index:03d}",
                model=fiber_model,
                fiber_insertion=ophys.FiberInsertion(
                    name="fiber_insertion",
                    depth_in_mm=3.1,
                    insertion_position_ap_in_mm=1.0,
                    insertion_position_ml_in_mm=(-1.5, 1.5)[index],
                    insertion_position_dv_in_mm=-3.1,
                    position_reference="bregma",
                    hemisphere=hemisphere,
                ),
            )
        )
    nwbfile.add_device(ophys.ExcitationSource(name="led", model=source_model, power_in_W=0.002))
    nwbfile.add_device(ophys.Photodetector(name="pmt", model=detector_model))
    nwbfile.add_device(ophys.BandOpticalFilter(name="emission_filter", model=band_model))
    return nwbfile


def optogenetics_nwbfile(identifier: str = "optogenetics-current"):
    """An ndx-optogenetics 0.4 session: fiber and laser models, their devices, the sites table and the epochs."""
    import ndx_ophys_devices as ophys
    from ndx_optogenetics import (
        OptogeneticEffectors,
        OptogeneticEpochsTable,
        OptogeneticExperimentMetadata,
        OptogeneticSitesTable,
        OptogeneticViruses,
        OptogeneticVirusInjections,
    )

    nwbfile = _new_file(identifier)
    laser_model = ophys.ExcitationSourceModel(
        name="laser 473 model",
        description="blue DPSS laser",
        manufacturer="Lasers plc",
        source_type="laser",
        excitation_mode="one-photon",
        wavelength_range_in_nm=[473.0, 473.0],
    )
    fiber_model = ophys.OpticalFiberModel(
        name="tapered fiber model",
        description="tapered fiber",
        manufacturer="Taper SA",
        model_number="T-1",
        numerical_aperture=0.39,
        core_diameter_in_um=200.0,
        active_length_in_mm=1.5,
    )
    nwbfile.add_device_model(laser_model)
    nwbfile.add_device_model(fiber_model)
    laser = ophys.ExcitationSource(name="laser", model=laser_model, power_in_W=0.01)
    fiber = ophys.OpticalFiber(
        name="stim fiber",
        description="fiber over the motor cortex",
        model=fiber_model,
        fiber_insertion=ophys.FiberInsertion(name="fiber_insertion", depth_in_mm=0.5, hemisphere="left"),
    )
    nwbfile.add_device(laser)
    nwbfile.add_device(fiber)
    vector = ophys.ViralVector(
        name="ChR2 vector", construct_name="AAV5-hSyn-ChR2", manufacturer="Vectors Org", titer_in_vg_per_ml=2.0e12
    )
    injection = ophys.ViralVectorInjection(
        name="ChR2 injection",
        location="M1",
        hemisphere="left",
        reference="bregma",
        ap_in_mm=1.5,
        ml_in_mm=-1.5,
        dv_in_mm=-0.6,
        viral_vector=vector,
        volume_in_uL=0.3,
    )
    effector = ophys.Effector(name="ChR2", label="ChR2-EYFP", viral_vector_injection=injection)
    sites = OptogeneticSitesTable(description="stimulation sites")
    sites.add_row(excitation_source=laser, optical_fiber=fiber, effector=effector)
    nwbfile.add_lab_meta_data(
        OptogeneticExperimentMetadata(
            optogenetic_sites_table=sites,
            optogenetic_viruses=OptogeneticViruses(viral_vectors=[vector]),
            optogenetic_virus_injections=OptogeneticVirusInjections(viral_vector_injections=[injection]),
            optogenetic_effectors=OptogeneticEffectors(effectors=[effector]),
            stimulation_software="pulse-gen 1.2",
        )
    )
    epochs = OptogeneticEpochsTable(
        name="optogenetic_epochs", description="stimulation epochs", target_tables={"optogenetic_sites": sites}
    )
    for start in (0.0, 60.0):
        epochs.add_row(
            start_time=start,
            stop_time=start + 30.0,
            stimulation_on=True,
            pulse_length_in_ms=10.0,
            period_in_ms=50.0,
            number_pulses_per_pulse_train=20,
            number_trains=3,
            intertrain_interval_in_ms=1000.0,
            power_in_mW=5.0,
            wavelength_in_nm=473.0,
            optogenetic_sites=[0],
        )
    nwbfile.add_time_intervals(epochs)
    return nwbfile


def fiber_photometry_nwbfile(identifier: str = "fiber-photometry-current"):
    """An ndx-fiber-photometry 0.2 session: two fibers sharing a model, source, detector, filter, and the signal."""
    import ndx_ophys_devices as ophys
    from ndx_fiber_photometry import (
        FiberPhotometry,
        FiberPhotometryIndicators,
        FiberPhotometryResponseSeries,
        FiberPhotometryTable,
        FiberPhotometryViruses,
        FiberPhotometryVirusInjections,
    )

    nwbfile = ophys_devices_nwbfile(identifier)
    vector = ophys.ViralVector(
        name="GCaMP vector", construct_name="AAV9-GCaMP6f", manufacturer="Vectors Org", titer_in_vg_per_ml=1.0e13
    )
    injection = ophys.ViralVectorInjection(
        name="GCaMP injection",
        location="striatum",
        hemisphere="left",
        reference="bregma",
        ap_in_mm=1.0,
        ml_in_mm=-1.5,
        dv_in_mm=-3.2,
        viral_vector=vector,
        volume_in_uL=0.5,
    )
    indicator = ophys.Indicator(name="GCaMP6f", label="GCaMP6f", viral_vector_injection=injection)
    table = FiberPhotometryTable(name="fiber_photometry_table", description="one row per fiber")
    for hemisphere in ("left", "right"):
        table.add_row(
            location="striatum",
            excitation_wavelength_in_nm=470.0,
            emission_wavelength_in_nm=525.0,
            indicator=indicator,
            optical_fiber=nwbfile.devices[f"fiber_{hemisphere}"],
            excitation_source=nwbfile.devices["led"],
            photodetector=nwbfile.devices["pmt"],
            emission_filter=nwbfile.devices["emission_filter"],
        )
    nwbfile.add_lab_meta_data(
        FiberPhotometry(
            name="fiber_photometry",
            fiber_photometry_table=table,
            fiber_photometry_indicators=FiberPhotometryIndicators(indicators=[indicator]),
            fiber_photometry_viruses=FiberPhotometryViruses(viral_vectors=[vector]),
            fiber_photometry_virus_injections=FiberPhotometryVirusInjections(viral_vector_injections=[injection]),
        )
    )
    nwbfile.add_acquisition(
        FiberPhotometryResponseSeries(
            name="fiber_signal",
            description="dF/F of both fibers",
            data=np.random.default_rng(3).normal(size=(600, 2)).astype("float32"),
            unit="n.a.",
            rate=20.0,
            fiber_photometry_table_region=table.create_fiber_photometry_table_region(
                region=[0, 1], description="both fibers"
            ),
        )
    )
    return nwbfile


# --- older extensions, written with pynwb 3.0 (NWB 2.8: no core DeviceModel) --------------------------------------


def _fiber_photometry_0_1_0():
    """ndx-fiber-photometry 0.1.0: each device names its model in a ``model`` text attribute."""
    from ndx_fiber_photometry import (
        DichroicMirror,
        ExcitationSource,
        FiberPhotometry,
        FiberPhotometryResponseSeries,
        FiberPhotometryTable,
        Indicator,
        OpticalFiber,
        Photodetector,
    )

    nwbfile = _new_file("fiber-photometry-0.1.0")
    indicator = Indicator(name="GCaMP6f", label="GCaMP6f", injection_location="striatum")
    # One model name holds a '/', as catalogue numbers do (pynwb issue 2185).
    fiber = OpticalFiber(name="fiber", model="FX-200/0.37", numerical_aperture=0.37, core_diameter_in_um=200.0)
    source = ExcitationSource(name="led", model="LED 470", illumination_type="LED", excitation_wavelength_in_nm=470.0)
    detector = Photodetector(name="pmt", detector_type="PMT", detected_wavelength_in_nm=525.0, gain=50.0)
    mirror = DichroicMirror(
        name="dichroic", model="DM 495", cut_on_wavelength_in_nm=495.0, angle_of_incidence_in_degrees=45.0
    )
    for device in (indicator, fiber, source, detector, mirror):
        nwbfile.add_device(device)
    table = FiberPhotometryTable(name="fiber_photometry_table", description="one row")
    table.add_row(
        location="striatum",
        coordinates=(1.0, -1.5, -3.2),
        indicator=indicator,
        optical_fiber=fiber,
        excitation_source=source,
        photodetector=detector,
        dichroic_mirror=mirror,
    )
    nwbfile.add_lab_meta_data(FiberPhotometry(name="fiber_photometry", fiber_photometry_table=table))
    nwbfile.add_acquisition(
        FiberPhotometryResponseSeries(
            name="fiber_signal",
            data=np.random.default_rng(4).normal(size=(300, 1)).astype("float32"),
            unit="n.a.",
            rate=20.0,
            fiber_photometry_table_region=table.create_fiber_photometry_table_region(region=[0], description="fiber"),
        )
    )
    return nwbfile


def _optogenetics_0_2_0():
    """ndx-optogenetics 0.2.0: the models are Devices, linked from the devices' ``model``."""
    from ndx_optogenetics import (
        ExcitationSource,
        ExcitationSourceModel,
        OpticalFiber,
        OpticalFiberLocationsTable,
        OpticalFiberModel,
        OptogeneticEpochsTable,
        OptogeneticExperimentMetadata,
        OptogeneticVirus,
        OptogeneticViruses,
        OptogeneticVirusInjection,
        OptogeneticVirusInjections,
    )

    nwbfile = _new_file("optogenetics-0.2.0")
    laser_model = ExcitationSourceModel(
        name="laser 473 model",
        description="blue DPSS laser",
        manufacturer="Lasers plc",
        illumination_type="laser",
        wavelength_range_in_nm=[473.0, 473.0],
    )
    fiber_model = OpticalFiberModel(
        name="tapered fiber model",
        description="tapered fiber",
        fiber_name="taper",
        manufacturer="Taper SA",
        numerical_aperture=0.39,
        core_diameter_in_um=200.0,
    )
    laser = ExcitationSource(name="laser", model=laser_model, wavelength_in_nm=473.0, power_in_W=0.01)
    fiber = OpticalFiber(name="stim fiber", model=fiber_model)
    for device in (laser_model, laser, fiber_model, fiber):
        nwbfile.add_device(device)
    locations = OpticalFiberLocationsTable(description="implanted fibers", reference="bregma")
    locations.add_row(
        implanted_fiber_description="fiber over M1",
        location="M1",
        hemisphere="left",
        ap_in_mm=1.5,
        ml_in_mm=-1.5,
        dv_in_mm=-0.5,
        roll_in_deg=0.0,
        pitch_in_deg=0.0,
        yaw_in_deg=0.0,
        excitation_source=laser,
        optical_fiber=fiber,
    )
    virus = OptogeneticVirus(
        name="ChR2 virus", construct_name="AAV5-hSyn-ChR2", manufacturer="Vectors Org", titer_in_vg_per_ml=2.0e12
    )
    injection = OptogeneticVirusInjection(
        name="ChR2 injection",
        location="M1",
        hemisphere="left",
        reference="bregma",
        ap_in_mm=1.5,
        ml_in_mm=-1.5,
        dv_in_mm=-0.6,
        roll_in_deg=0.0,
        pitch_in_deg=0.0,
        yaw_in_deg=0.0,
        virus=virus,
        volume_in_uL=0.3,
    )
    nwbfile.add_lab_meta_data(
        OptogeneticExperimentMetadata(
            optical_fiber_locations_table=locations,
            optogenetic_viruses=OptogeneticViruses(optogenetic_virus=[virus]),
            optogenetic_virus_injections=OptogeneticVirusInjections(optogenetic_virus_injections=[injection]),
            stimulation_software="pulse-gen 1.0",
        )
    )
    epochs = OptogeneticEpochsTable(name="optogenetic_epochs", description="stimulation epochs")
    epochs.add_row(
        start_time=0.0,
        stop_time=30.0,
        stimulation_on=True,
        pulse_length_in_ms=10.0,
        period_in_ms=50.0,
        number_pulses_per_pulse_train=20,
        number_trains=3,
        intertrain_interval_in_ms=1000.0,
        power_in_mW=5.0,
    )
    nwbfile.add_time_intervals(epochs)
    return nwbfile


def _ophys_devices_0_2_0():
    """ndx-ophys-devices 0.2.0: its own ``DeviceModel`` type (a Device), linked from DeviceInstance's ``model``."""
    import ndx_ophys_devices as ophys

    nwbfile = _new_file("ophys-devices-0.2.0")
    fiber_model = ophys.OpticalFiberModel(
        name="fiber model 200um",
        manufacturer="Fibers Inc",
        model_number="FX-200",
        numerical_aperture=0.37,
        core_diameter_in_um=200.0,
    )
    detector_model = ophys.PhotodetectorModel(
        name="PMT model", manufacturer="Detect Co", detector_type="PMT", wavelength_range_in_nm=[300.0, 650.0]
    )
    nwbfile.add_device(fiber_model)
    nwbfile.add_device(detector_model)
    nwbfile.add_device(
        ophys.OpticalFiber(
            name="fiber",
            model=fiber_model,
            fiber_insertion=ophys.FiberInsertion(name="fiber_insertion", depth_in_mm=3.1, hemisphere="left"),
        )
    )
    nwbfile.add_device(ophys.Photodetector(name="pmt", model=detector_model))
    return nwbfile


#: NAME -> (function building the NWBFile, the pynwb version it must be written with).
FILES = {
    "fiber_photometry_0.1.0": (_fiber_photometry_0_1_0, "3.0."),
    "optogenetics_0.2.0": (_optogenetics_0_2_0, "3.0."),
    "ophys_devices_0.2.0": (_ophys_devices_0_2_0, "3.0."),
    "nwb_2.9_fiber_photometry": (lambda: fiber_photometry_nwbfile("fiber-photometry-nwb-2.9"), "3.1."),
    "nwb_2.9_optogenetics": (lambda: optogenetics_nwbfile("optogenetics-nwb-2.9"), "3.1."),
}


def main() -> None:
    import pynwb
    from pynwb import NWBHDF5IO

    name = sys.argv[1]
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(__file__).resolve().parent
    build, version = FILES[name]
    assert pynwb.__version__.startswith(version), f"{name} is written with pynwb {version}x, not {pynwb.__version__}"
    nwbfile = build()  # first: the IO takes the type map as it is when opened, with the extension loaded
    with NWBHDF5IO(str(out / f"{name}.nwb"), mode="w") as io:
        io.write(nwbfile)


if __name__ == "__main__":
    main()
