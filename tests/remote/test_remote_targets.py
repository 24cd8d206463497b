"""Writing to S3 (moto's server, started by the tests): a Zarr file put at an ``s3://`` target reads back with every
value of the source; a failure injected by the server mid-write, or a cancel, leaves no object at the target nor
beside it; an existing target is refused unless overwritten, and replaced only once the new file is complete."""

from __future__ import annotations

import re
import tempfile
import threading

import numpy as np
import pytest
from conftest import BUCKET
from nwbfiles import stored_arrays

from nwbconfig_widget import configure_and_write_nwbfile, get_default_backend_configuration, repack_nwbfile
from nwbconfig_widget.cli import main
from nwbconfig_widget.demo import make_demo_nwbfile
from nwbconfig_widget.io import remote_targets
from nwbconfig_widget.io.progress import WriteCancelled
from nwbconfig_widget.io.remote import open_remote_nwbfile
from nwbconfig_widget.io.remote_targets import S3TargetError, recording_uploads


def _keys(server, prefix: str = "") -> dict[str, str]:
    """Every object of the bucket under ``prefix``: key -> ETag."""
    pages = server.client().get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix)
    return {item["Key"]: item["ETag"] for page in pages for item in page.get("Contents", [])}


def _s3_zarr_arrays(server, key: str) -> dict[str, np.ndarray]:
    """Every non-reference array of the Zarr file at ``key``, read by zarr over s3fs (as ``stored_arrays`` reads a
    local one)."""
    import s3fs
    import zarr
    from zarr.storage import FSStore

    fs = s3fs.S3FileSystem(**server.storage_options, skip_instance_cache=True)
    root = zarr.open_group(FSStore(f"{BUCKET}/{key}", fs=fs, mode="r"), mode="r")
    arrays: dict[str, np.ndarray] = {}

    def visit(group, prefix):
        for name, item in group.items():
            full = f"{prefix}{name}"
            if full.startswith("specifications"):
                continue
            if isinstance(item, zarr.Array):
                pickled = any(getattr(codec, "codec_id", "") == "pickle" for codec in item.filters or [])
                if not (item.dtype.kind == "O" and pickled):  # object references: compared through pynwb
                    arrays[full] = np.asarray(item[...])
            else:
                visit(item, f"{full}/")

    visit(root, "")
    return arrays


def _assert_same_values(source: dict[str, np.ndarray], target: dict[str, np.ndarray]) -> int:
    differing = []
    for name, values in source.items():
        if name == "file_create_date":
            continue
        assert name in target, f"{name} missing"
        other = target[name]
        if values.shape == () or other.shape == ():
            values, other = values.reshape(-1), other.reshape(-1)
        if values.dtype.kind in "OSU" or other.dtype.kind in "OSU":
            values = np.asarray([v.decode() if isinstance(v, bytes) else v for v in np.ravel(values)], dtype=object)
            other = np.asarray([v.decode() if isinstance(v, bytes) else v for v in np.ravel(other)], dtype=object)
        if values.shape != other.shape or not np.array_equal(values, other):
            differing.append(name)
    assert not differing, f"values differ for {differing}"
    return len(source)


@pytest.fixture
def staging(tmp_path, monkeypatch):
    """The local temporary folder of the writes (tempfile's), to check that nothing is left in it."""
    folder = tmp_path / "staging"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def _fail_on_put(server, where: str, after: int, status: int = 500) -> list[str]:
    """Answer ``status`` to the ``after``-th PUT of a chunk (a key ending in a digit) whose key contains ``where``,
    and to every retry of it; returns the list that gets the failed path."""
    failed: list[str] = []
    seen = []

    def on_request(count: int) -> None:
        method, path = server.stats.log[count - 1].split()[:2]
        if method == "PUT" and where in path and re.search(r"/\d+(\.\d+)*$", path) and not failed:
            seen.append(path)
            if len(seen) == after:
                failed.append(path)
                server.faults.errors[path] = status

    server.faults.on_request.append(on_request)
    return failed


def test_a_zarr_file_written_to_s3_reads_back_with_every_value(s3_server, served_folder, staging):
    address = f"s3://{BUCKET}/targets/copy.nwb.zarr"
    with recording_uploads() as uploads:
        written = repack_nwbfile(served_folder / "session.nwb", address)
    assert written == address
    keys = _keys(s3_server, "targets/")
    assert keys and all(key.startswith("targets/copy.nwb.zarr/") for key in keys)  # no temporary prefix left
    assert [report.objects for report in uploads] == [len(keys)]
    assert uploads[0].bytes == sum(
        s3_server.client().head_object(Bucket=BUCKET, Key=key)["ContentLength"] for key in keys
    )
    count = _assert_same_values(
        stored_arrays(served_folder / "session.nwb"), _s3_zarr_arrays(s3_server, "targets/copy.nwb.zarr")
    )
    assert count >= 20
    with open_remote_nwbfile(address) as (nwbfile, _):  # and hdmf-zarr reads it as an NWB file
        assert sorted(nwbfile.acquisition) == ["ElectricalSeries", "TwoPhotonSeries"]
    assert list(staging.iterdir()) == []


def test_a_failure_injected_mid_upload_leaves_nothing(s3_server, served_folder, staging):
    failed = _fail_on_put(s3_server, "/fail/.partial-", after=5)
    address = f"s3://{BUCKET}/fail/copy.nwb.zarr"
    with pytest.raises(S3TargetError) as caught:
        repack_nwbfile(served_folder / "session.nwb", address)
    assert failed  # the server refused a chunk of the temporary prefix
    message = str(caught.value)
    assert "\n" not in message and address in message and "uploading the new file" in message
    assert "HTTP 500" in message and "nothing was left at the target nor beside it" in message
    assert _keys(s3_server, "fail/") == {}
    assert list(staging.iterdir()) == []


def test_a_failure_while_copying_to_the_target_leaves_nothing(s3_server, served_folder, staging):
    failed = _fail_on_put(s3_server, "/switch/copy.nwb.zarr/", after=3)  # a server-side copy is a PUT of the key
    with pytest.raises(S3TargetError, match="copying the new file to the target"):
        repack_nwbfile(served_folder / "session.nwb", f"s3://{BUCKET}/switch/copy.nwb.zarr")
    assert failed
    assert _keys(s3_server, "switch/") == {}
    assert list(staging.iterdir()) == []


def test_a_cancel_during_the_upload_leaves_nothing(s3_server, staging, monkeypatch):
    monkeypatch.setattr(remote_targets, "BATCH", 4)
    cancel = threading.Event()

    def on_request(count: int) -> None:
        method, path = s3_server.stats.log[count - 1].split()[:2]
        if method == "PUT" and "/cancel/.partial-" in path and not cancel.is_set():
            cancel.set()  # as a user's Cancel button would, once the upload has begun

    s3_server.faults.on_request.append(on_request)
    with pytest.raises(WriteCancelled):
        configure_and_write_nwbfile(make_demo_nwbfile(seconds=0.5), f"s3://{BUCKET}/cancel/x.nwb.zarr", cancel=cancel)
    assert cancel.is_set()
    assert _keys(s3_server, "cancel/") == {}
    assert list(staging.iterdir()) == []


def test_an_existing_target_is_refused_unless_overwritten_and_replaced_only_once_complete(s3_server, tmp_path, staging):
    address = f"s3://{BUCKET}/replace/x.nwb.zarr"
    old_file, new_file = make_demo_nwbfile(seconds=0.5), make_demo_nwbfile(seconds=1.0)
    configure_and_write_nwbfile(old_file, address)
    configure_and_write_nwbfile(old_file, tmp_path / "old.nwb.zarr")
    old = _keys(s3_server, "replace/")

    with pytest.raises(FileExistsError, match="exists; pass overwrite=True"):
        configure_and_write_nwbfile(new_file, address)
    assert _keys(s3_server, "replace/") == old  # untouched: the same objects, the same ETags

    failed = _fail_on_put(s3_server, "/replace/.partial-", after=3)  # the new file fails half-way: the old stays
    with pytest.raises(S3TargetError):
        configure_and_write_nwbfile(new_file, address, overwrite=True)
    assert failed and _keys(s3_server, "replace/") == old
    _assert_same_values(stored_arrays(tmp_path / "old.nwb.zarr"), _s3_zarr_arrays(s3_server, "replace/x.nwb.zarr"))

    s3_server.faults.reset()
    s3_server.stats.reset()
    with recording_uploads() as uploads:
        configure_and_write_nwbfile(new_file, address, overwrite=True)
    configure_and_write_nwbfile(new_file, tmp_path / "new.nwb.zarr")
    new = _keys(s3_server, "replace/")
    assert len(new) == uploads[0].objects
    assert all(key.startswith("replace/x.nwb.zarr/") for key in new)
    _assert_same_values(stored_arrays(tmp_path / "new.nwb.zarr"), _s3_zarr_arrays(s3_server, "replace/x.nwb.zarr"))
    # The order of the requests: every object uploaded to the temporary prefix before the old file is deleted
    # (DeleteObjects: a POST to the bucket), and .zgroup the last object put at the target.
    log = [line.split()[:2] for line in s3_server.stats.log]
    uploads_done = max(i for i, (method, path) in enumerate(log) if method == "PUT" and "/.partial-" in path)
    first_delete = min(i for i, (method, path) in enumerate(log) if method == "POST" and path == f"/{BUCKET}")
    assert uploads_done < first_delete
    puts_at_target = [path for method, path in log if method == "PUT" and path.startswith("/nwb-bucket/replace/x.")]
    assert puts_at_target[-1] == f"/{BUCKET}/replace/x.nwb.zarr/.zgroup"
    assert puts_at_target[-2] == f"/{BUCKET}/replace/x.nwb.zarr/.zmetadata"


def test_an_hdf5_file_is_uploaded_as_one_object(s3_server, tmp_path, staging):
    nwbfile = make_demo_nwbfile(seconds=0.5)
    configuration = get_default_backend_configuration(nwbfile, backend="hdf5")
    configure_and_write_nwbfile(nwbfile, f"s3://{BUCKET}/hdf5/x.nwb", backend_configuration=configuration)
    configure_and_write_nwbfile(nwbfile, tmp_path / "x.nwb", backend_configuration=configuration)
    assert list(_keys(s3_server, "hdf5/")) == ["hdf5/x.nwb"]
    s3_server.client().download_file(BUCKET, "hdf5/x.nwb", str(tmp_path / "downloaded.nwb"))
    _assert_same_values(stored_arrays(tmp_path / "x.nwb"), stored_arrays(tmp_path / "downloaded.nwb"))
    with open_remote_nwbfile(f"s3://{BUCKET}/hdf5/x.nwb") as (remote, _):
        assert sorted(remote.acquisition) == ["ElectricalSeries", "TwoPhotonSeries"]
    with pytest.raises(FileExistsError, match="exists; pass overwrite=True"):
        configure_and_write_nwbfile(nwbfile, f"s3://{BUCKET}/hdf5/x.nwb", backend_configuration=configuration)
    assert list(staging.iterdir()) == []


def test_targets_that_cannot_be_written_are_refused(s3_server, served_folder):
    with pytest.raises(ValueError, match="an https:// address is read-only"):
        configure_and_write_nwbfile(make_demo_nwbfile(seconds=0.1), "https://example.org/x.nwb")
    source = f"s3://{BUCKET}/session.nwb.zarr"
    with pytest.raises(ValueError, match="is the source file"):
        repack_nwbfile(source, source, allow_pickle=True, overwrite=True)
    s3_server.client().put_object(Bucket=BUCKET, Key="plain/x.nwb.zarr/notes.txt", Body=b"not zarr")
    with pytest.raises(FileExistsError, match="no .zgroup: it is not a Zarr NWB file"):
        configure_and_write_nwbfile(make_demo_nwbfile(seconds=0.1), f"s3://{BUCKET}/plain/x.nwb.zarr", overwrite=True)
    assert list(_keys(s3_server, "plain/")) == ["plain/x.nwb.zarr/notes.txt"]


def test_nwbconfig_repack_to_s3_says_what_it_uploaded(s3_server, served_folder, staging, capsys):
    address = f"s3://{BUCKET}/cli/copy.nwb.zarr"
    assert main(["repack", str(served_folder / "session.nwb"), address, "--no-progress"]) == 0
    said = capsys.readouterr().out.strip().splitlines()[-1]
    found = re.fullmatch(rf"Repacked .* into {re.escape(address)} \(uploaded (\d+) objects, ([\d.]+) MB\) in .*", said)
    assert found, said
    keys = _keys(s3_server, "cli/")
    assert int(found[1]) == len(keys)
    assert main(["repack", str(served_folder / "session.nwb"), address, "--no-progress"]) == 1
    error = capsys.readouterr().err.strip().splitlines()
    assert len(error) == 1 and "exists; pass overwrite=True" in error[0]
    assert _keys(s3_server, "cli/") == keys


def test_a_temporary_prefix_of_a_killed_writer_is_removed_by_the_next_write(s3_server, staging):
    import subprocess
    import sys

    from nwbconfig_widget.io.atomic import Owner

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()  # its pid is gone: a writer killed mid-write
    tag = Owner(Owner.current().host, dead.pid, "1").tag()
    left = f"killed/.partial-{tag}-0123abcd-x.nwb.zarr/acquisition/0"
    alive = f"killed/.partial-{Owner.current().tag()}-4567cdef-x.nwb.zarr/0"  # a live writer's: kept
    for key in (left, alive):
        s3_server.client().put_object(Bucket=BUCKET, Key=key, Body=b"partial")
    configure_and_write_nwbfile(make_demo_nwbfile(seconds=0.1), f"s3://{BUCKET}/killed/x.nwb.zarr")
    keys = _keys(s3_server, "killed/")
    assert left not in keys and alive in keys
    assert all(key.startswith("killed/x.nwb.zarr/") for key in keys if key != alive)


def test_an_unreachable_or_refusing_endpoint_gives_one_line_and_writes_nothing(s3_server, staging):
    import socket

    from nwbconfig_widget.io.remote import RemoteLocation

    with socket.socket() as free:  # a port nobody listens on
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    nowhere = RemoteLocation(f"s3://{BUCKET}/x.nwb.zarr", storage_options={"endpoint_url": f"http://127.0.0.1:{port}"})
    with pytest.raises(S3TargetError) as caught:
        configure_and_write_nwbfile(make_demo_nwbfile(seconds=0.1), nowhere)
    message = str(caught.value)
    assert "\n" not in message and "cannot reach" in message and "nothing was left" in message

    s3_server.faults.errors[f"/{BUCKET}"] = 403  # every request refused: the listing first
    with pytest.raises(S3TargetError, match="access refused") as caught:
        configure_and_write_nwbfile(make_demo_nwbfile(seconds=0.1), f"s3://{BUCKET}/refused/x.nwb.zarr")
    assert "\n" not in str(caught.value)
    assert list(staging.iterdir()) == []
