"""nwbconfig shows every warning about the user's data, one line each, and hides only named harmless ones."""

from __future__ import annotations

import datetime
import subprocess
import sys
import warnings

import h5py
import numpy as np
import pytest
from nwbfiles import LEGACY_DATA

from nwbconfig_widget.cli import HARMLESS_WARNINGS, main

# h5repack wrote this file with a scaleoffset filter on one dataset: a filter this package has no equivalent for.
SCALEOFFSET = LEGACY_DATA / "h5repack_rechunked.nwb"
NOT_KEPT = (
    "warning: processing/behavior/Position/SpatialSeries/data: HDF5 filter id 6 (b'scaleoffset') has no equivalent "
    "here and is not kept"
)
# pynwb 2.5 wrote this file's Device with a manufacturer, a field pynwb 4 deprecates (see HARMLESS_WARNINGS).
OLD_DEVICE = LEGACY_DATA / "pynwb_2x_hdf5.nwb"


def warning_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("warning: ")]


@pytest.mark.parametrize(
    "arguments",
    [["show"], ["show", "--json"], ["config", "--out", "{tmp}/c.json"], ["preview"]],
    ids=["show", "show-json", "config", "preview"],
)
def test_a_filter_that_is_not_kept_is_printed_once(tmp_path, capsys, arguments):
    command = [arguments[0], str(SCALEOFFSET), *(item.format(tmp=tmp_path) for item in arguments[1:])]
    assert main(command) == 0
    assert warning_lines(capsys.readouterr().err) == [NOT_KEPT]


def test_warnings_are_single_lines_without_python_noise():
    """As a user runs it (a new interpreter, Python's default warning filters): the message alone on stderr."""
    completed = subprocess.run(
        [sys.executable, "-m", "nwbconfig_widget", "show", str(SCALEOFFSET)], capture_output=True, text=True
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stderr.splitlines() == [NOT_KEPT]


def test_names_in_warnings_are_inert_text(tmp_path, capsys):
    """A name from the file with an ANSI escape is shown escaped, as in `nwbconfig show`: it cannot recolour the
    terminal or forge lines."""
    from pynwb import NWBHDF5IO, NWBFile, TimeSeries

    name = "red\x1b[31mname"
    nwbfile = NWBFile("session", "id", datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc))
    nwbfile.add_acquisition(TimeSeries(name=name, data=np.arange(100.0), unit="m", rate=1.0))
    path = tmp_path / "escape.nwb"
    with NWBHDF5IO(str(path), "w") as io:
        io.write(nwbfile)
    with h5py.File(path, "a") as file:  # the dataset again, with a filter this package does not keep
        group = file["acquisition"][name]
        values, attributes = group["data"][()], dict(group["data"].attrs)
        del group["data"]
        group.create_dataset("data", data=values, chunks=(50,), scaleoffset=2).attrs.update(attributes)
    assert main(["show", str(path)]) == 0
    assert warning_lines(capsys.readouterr().err) == [
        "warning: acquisition/red\\x1b[31mname/data: HDF5 filter id 6 (b'scaleoffset') has no equivalent here and is "
        "not kept"
    ]


def _write_file_with_a_five_column_position(path) -> None:
    from pynwb import NWBHDF5IO, NWBFile
    from pynwb.behavior import SpatialSeries

    nwbfile = NWBFile("session", "id", datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc))
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="SpatialSeries 'pos' has data shape", category=UserWarning)
        position = SpatialSeries(name="pos", data=np.arange(100.0).reshape(20, 5), reference_frame="r", rate=10.0)
    nwbfile.add_acquisition(position)
    with NWBHDF5IO(str(path), "w") as io, warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Shape of data does not match any allowed shapes")
        io.write(nwbfile)


def test_repack_prints_what_pynwb_says_about_the_data(tmp_path, capsys):
    source = tmp_path / "position.nwb"
    _write_file_with_a_five_column_position(source)
    assert main(["repack", str(source), str(tmp_path / "out.nwb"), "--no-progress"]) == 0
    printed = warning_lines(capsys.readouterr().err)
    assert (
        "warning: SpatialSeries 'pos' has data shape (20, 5) which is not compliant with NWB 2.5 and greater. The "
        "second dimension should have length <= 3 to represent at most x, y, z." in printed
    )
    assert len(printed) == len(set(printed))  # each once, though pynwb says it on every read


def test_repack_of_a_group_added_with_h5py_does_not_lose_it_silently(tmp_path, capsys):
    """The group is copied, or the repack refuses naming it, or a printed warning names it: never a silent drop."""
    source = tmp_path / "with_group.nwb"
    _write_file_with_a_five_column_position(source)
    with h5py.File(source, "a") as file:
        file.create_group("lab_notes").create_dataset("values", data=[1, 2, 3])
    target = tmp_path / "out.nwb"
    code = main(["repack", str(source), str(target), "--no-progress"])
    stderr = capsys.readouterr().err
    copied = code == 0 and "lab_notes" in h5py.File(target, "r")
    named = "lab_notes" in stderr and (code == 1 or any("lab_notes" in line for line in warning_lines(stderr)))
    assert copied or named, stderr


def test_a_known_harmless_warning_is_not_printed_and_its_data_is_kept(tmp_path, capsys):
    from pynwb import NWBHDF5IO

    with (
        pytest.warns(DeprecationWarning, match="The 'manufacturer' field is deprecated"),
        NWBHDF5IO(str(OLD_DEVICE), "r") as io,
    ):
        io.read()  # pynwb does warn on this file: the filter below has something to hide
    target = tmp_path / "out.nwb"
    for command in (["show", str(OLD_DEVICE)], ["repack", str(OLD_DEVICE), str(target), "--no-progress"]):
        assert main(command) == 0
        assert "deprecated" not in capsys.readouterr().err
    with h5py.File(OLD_DEVICE, "r") as before, h5py.File(target, "r") as after:
        assert (
            after["general/devices/Probe"].attrs["manufacturer"]
            == before["general/devices/Probe"].attrs["manufacturer"]
            == "none"
        )


def test_hdmfs_experimental_notice_is_not_printed_and_the_enumerated_column_is_copied(tmp_path, capsys):
    from pynwb import NWBHDF5IO, NWBFile

    nwbfile = NWBFile("session", "id", datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc))
    with pytest.warns(UserWarning, match="EnumData is experimental"):  # hdmf does warn: the filter hides something
        nwbfile.add_trial_column("side", "stimulus side", enum=["left", "right"])
    for index in range(4):
        nwbfile.add_trial(start_time=float(index), stop_time=index + 0.5, side=["left", "right"][index % 2])
    source, target = tmp_path / "enum.nwb", tmp_path / "out.nwb"
    with NWBHDF5IO(str(source), "w") as io:
        io.write(nwbfile)
    for command in (["show", str(source)], ["repack", str(source), str(target), "--no-progress"]):
        assert main(command) == 0
        assert "experimental" not in capsys.readouterr().err
    with h5py.File(target, "r") as file:
        assert file["intervals/trials/side"].attrs["neurodata_type"] == "EnumData"
        assert file["intervals/trials/side"][()].tolist() == [0, 1, 0, 1]
        assert file["intervals/trials/side_elements"][()].tolist() == [b"left", b"right"]


def test_the_harmless_list_names_each_warning():
    """Each entry names a category narrower than Warning and a message: never a blanket filter."""
    for category, pattern in HARMLESS_WARNINGS:
        assert issubclass(category, Warning) and category is not Warning
        assert len(pattern) > 20


# ------------------------------------------------------------------ objects outside the schema that cannot be copied


def _write_file_with_references_outside_the_schema(path) -> None:
    """An NWB file to which h5py added a group with a dataset of object references (pointing into the file itself)
    and a plain dataset: the references cannot be copied faithfully, the plain dataset can."""
    from pynwb import NWBHDF5IO, NWBFile, TimeSeries

    nwbfile = NWBFile("session", "id", datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc))
    nwbfile.add_acquisition(TimeSeries(name="trace", data=np.arange(100.0), unit="m", rate=1.0))
    with NWBHDF5IO(str(path), "w") as io:
        io.write(nwbfile)
    with h5py.File(path, "a") as file:
        group = file.create_group("lab_notes")
        group.create_dataset("pointers", shape=(1,), dtype=h5py.ref_dtype)[0] = file["acquisition"].ref
        group.create_dataset("values", data=[1, 2, 3])


def test_repack_refusing_objects_outside_the_schema_says_so_in_one_line(tmp_path, capsys):
    source, target = tmp_path / "with_references.nwb", tmp_path / "out.nwb"
    _write_file_with_references_outside_the_schema(source)
    assert main(["repack", str(source), str(target), "--no-progress"]) == 1
    stderr = capsys.readouterr().err
    assert stderr.count("\n") == 1, stderr  # the error alone, on one line
    assert stderr.startswith(
        f"nwbconfig repack: 1 object(s) outside the NWB schema cannot be copied faithfully to {target}, so nothing was "
        "written: lab_notes/pointers: a dataset of object or region references"
    )
    assert stderr.rstrip().endswith(
        "pass --drop-objects-outside-schema to write the file without them (they are named in a warning)"
    )
    assert not target.exists()


def test_repack_dropping_objects_outside_the_schema_names_them(tmp_path, capsys):
    source, target = tmp_path / "with_references.nwb", tmp_path / "out.nwb"
    _write_file_with_references_outside_the_schema(source)
    assert main(["repack", str(source), str(target), "--no-progress", "--drop-objects-outside-schema"]) == 0
    printed = warning_lines(capsys.readouterr().err)
    assert len(printed) == 1 and "lab_notes/pointers: a dataset of object or region references" in printed[0]
    with h5py.File(target, "r") as file:
        assert "pointers" not in file["lab_notes"]  # dropped, as the warning says
        assert file["lab_notes/values"][()].tolist() == [1, 2, 3]  # what can be copied still is
        assert file["acquisition/trace/data"][()].tolist() == list(np.arange(100.0))


def test_the_drop_option_is_documented(capsys):
    with pytest.raises(SystemExit):
        main(["repack", "--help"])
    assert "write without the objects outside the NWB schema that cannot be copied (they are named in a warning)" in (
        " ".join(capsys.readouterr().out.split())
    )
