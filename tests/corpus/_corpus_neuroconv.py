"""Files written by NeuroConv 0.10.2 (kind "neuroconv"): its mock interfaces, converted with its own run_conversion.

Every file is written in a fresh Python process (``python _corpus_neuroconv.py NAME PATH``) that imports NeuroConv
and nothing else, as a user's conversion script does: pynwb caches every namespace loaded in the writing process,
so a file written inside the test process would carry the specs of all the extensions the tests imported.
NeuroConv's default backend configuration (chunking, gzip) applies, as for its users. The imaging and segmentation
interfaces need roiextractors (neuroconv[ophys-minimal]); MockExternalVideoInterface needs OpenCV (cv2), which the
tests do not install, so it has no entry.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

from _corpus_common import CorpusEntry, Need, Recipe

NEUROCONV = "neuroconv 0.10.2"


def _interfaces() -> dict[str, tuple[str, dict]]:
    """Entry name suffix -> (mock interface class in neuroconv.tools.testing.mock_interfaces, its arguments)."""
    return {
        "recording": ("MockRecordingInterface", {"num_channels": 4, "durations": (0.01,)}),
        "recording-zarr": ("MockRecordingInterface", {"num_channels": 4, "durations": (0.01,)}),
        "recording-two-segments": ("MockRecordingInterface", {"num_channels": 3, "durations": (0.005, 0.005)}),
        "sorting": ("MockSortingInterface", {"num_units": 3, "durations": (1.0,)}),
        "imaging-two-photon": ("MockImagingInterface", {"num_samples": 6, "num_rows": 8, "num_columns": 8}),
        "imaging-one-photon": (
            "MockImagingInterface",
            {"num_samples": 6, "num_rows": 8, "num_columns": 8, "photon_series_type": "OnePhotonSeries"},
        ),
        "segmentation": (
            "MockSegmentationInterface",
            {"num_rois": 3, "num_samples": 6, "num_rows": 8, "num_columns": 8},
        ),
        "behavior-events": ("MockBehaviorEventInterface", {}),
        "events": (
            "MockEventsInterface",
            {"num_event_types": 2, "event_extent": "event with duration", "event_payload": "single value"},
        ),
        "fiber-photometry": ("MockFiberPhotometryInterface", {"num_fibers": 2, "num_samples": 50}),
        "icephys": ("MockIcephysInterface", {"num_sweeps": 2, "sweep_duration": 0.02, "sampling_frequency": 1000.0}),
        "pose-estimation": ("MockPoseEstimationInterface", {"num_samples": 40, "num_nodes": 3}),
        "timeseries": ("MockTimeSeriesInterface", {"num_channels": 2, "sampling_frequency": 100.0, "duration": 0.5}),
        "spikeglx-nidq": ("MockSpikeGLXNIDQInterface", {"signal_duration": 0.05}),
        "signal-encoded-events": ("MockSignalEncodedEventsInterface", {"duration": 0.2}),
    }


def convert(suffix: str, path: Path) -> None:
    """Run NeuroConv's run_conversion of one mock interface (or the recording + sorting pipe) into ``path``."""
    from neuroconv import ConverterPipe
    from neuroconv.tools.testing import mock_interfaces

    if suffix == "converter-recording-sorting":
        converter = ConverterPipe(
            data_interfaces={
                "recording": mock_interfaces.MockRecordingInterface(num_channels=4, durations=(0.01,)),
                "sorting": mock_interfaces.MockSortingInterface(num_units=3, durations=(0.01,)),
            }
        )
    else:
        class_name, arguments = _interfaces()[suffix]
        converter = getattr(mock_interfaces, class_name)(**arguments)
    metadata = converter.get_metadata()
    metadata["NWBFile"]["session_start_time"] = datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    metadata["NWBFile"]["identifier"] = f"nwbconfig-corpus-neuroconv-{suffix}"
    backend = "zarr" if suffix.endswith("-zarr") else "hdf5"
    converter.run_conversion(nwbfile_path=str(path), metadata=metadata, overwrite=True, backend=backend)


def _recipe(suffix: str, what: str) -> Recipe:
    name = f"neuroconv-{suffix}"
    backend = "zarr" if suffix.endswith("-zarr") else "hdf5"

    def build(path: Path, need: Need) -> None:
        command = [sys.executable, str(Path(__file__).resolve()), suffix, str(path)]
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(
                f"corpus: NeuroConv could not write {name} ({' '.join(command)} exited {result.returncode}): "
                f"{result.stderr.strip()[-1500:]}"
            )

    origin = (
        f"{NEUROCONV} {what}.run_conversion(backend={backend!r}) in a fresh process (tests/corpus/_corpus_neuroconv.py)"
    )
    return Recipe(CorpusEntry(name, backend, "neuroconv", origin), build, in_subprocess=True)


def recipes() -> list[Recipe]:
    """One recipe per NeuroConv mock interface, plus a two-interface ConverterPipe."""
    found = [_recipe(suffix, class_name) for suffix, (class_name, _) in _interfaces().items()]
    found.append(_recipe("converter-recording-sorting", "ConverterPipe(MockRecordingInterface, MockSortingInterface)"))
    return found


if __name__ == "__main__":
    convert(sys.argv[1], Path(sys.argv[2]))
