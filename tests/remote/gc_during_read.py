"""Run as a script: read a remote HDF5 dataset while garbage cycles holding h5py objects wait to be collected.

The range server drops the last reference to such a cycle at every request and the collector runs at every
allocation, so a collection (which needs h5py's lock to free the h5py objects) would run on fsspec's IO thread or the
server's thread while the reading thread holds that lock inside HDF5. ``raw`` gives h5py fsspec's file itself;
without it, the package's file object (reads with the collector paused). Prints "read N values" when done.
"""

from __future__ import annotations

import gc
import sys
import tempfile
from pathlib import Path

import h5py
import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from remote_servers import RangeHTTPServer  # noqa: E402

from nwbconfig_widget.io.remote import RemoteSource  # noqa: E402


class Cycle:
    def __init__(self, index: int):
        self.file = h5py.File(f"cycle-{index}", "w", driver="core", backing_store=False)
        self.me = self


def main(raw: bool) -> None:
    folder = Path(tempfile.mkdtemp())
    values = np.arange(400_000, dtype="int32")
    with h5py.File(folder / "data.h5", "w") as file:
        file.create_dataset("data", data=values, chunks=(4_000,))
    pending = [Cycle(index) for index in range(200)]

    def drop_one(_requests: int) -> None:
        if pending:
            pending.pop()  # the cycle is garbage now, freed only by a collection

    with RangeHTTPServer(folder) as server:
        server.faults.on_request.append(drop_one)
        source = RemoteSource(server.url("data.h5"), block_size=16_384)
        file_object = source.open_file("none")
        if raw:
            file_object = source._file
        gc.set_threshold(1, 1, 1)
        with h5py.File(file_object, "r") as file:
            read = file["data"][()]
        gc.set_threshold(700, 10, 10)
        source.close()
    assert (read == values).all()
    print(f"read {read.size} values")


if __name__ == "__main__":
    main(raw=sys.argv[1:] == ["raw"])
