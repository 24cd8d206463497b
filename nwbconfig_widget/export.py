"""Export a configuration: as Python code that rebuilds it with this package, as JSON, or as an h5repack command.

>>> from pynwb.testing.mock.file import mock_NWBFile
>>> from pynwb import TimeSeries
>>> from nwbconfig_widget import get_default_backend_configuration
>>> nwbfile = mock_NWBFile()
>>> nwbfile.add_acquisition(TimeSeries(name="ts", data=list(range(100)), unit="m", rate=1.0))
>>> configuration = get_default_backend_configuration(nwbfile)
>>> configuration.dataset_configurations["acquisition/ts/data"].update(chunk_shape=(50,), buffer_shape=(100,))
>>> code = to_python_code(configuration)
>>> namespace = {"nwbfile": nwbfile}
>>> exec(code, namespace)
>>> namespace["backend_configuration"] == configuration
True
>>> print(h5repack_command(configuration, "session.nwb", "repacked.nwb"))
h5repack -l /acquisition/ts/data:CHUNK=50 -f /acquisition/ts/data:GZIP=4 session.nwb repacked.nwb
"""

from __future__ import annotations

import keyword
import os
import shlex
from typing import Any

from . import codecs
from ._plain import has_control_characters, plain
from .models import BackendConfiguration, DatasetIOConfiguration

__all__ = ["h5repack_arguments", "h5repack_command", "hdf5_path", "to_json", "to_python_code"]

_CODE_FIELDS = ("chunk_shape", "buffer_shape", "compression_method", "compression_options", "filter_methods",
                "filter_options")  # fmt: skip


def _value(field: str, value: Any) -> str:
    if field in ("chunk_shape", "buffer_shape") and value is not None:
        return repr(tuple(value))
    if field in ("filter_methods", "filter_options"):
        return repr(list(value))
    if isinstance(value, dict):
        return repr(dict(value))
    return repr(value)


def to_python_code(
    backend_configuration: BackendConfiguration,
    *,
    nwbfile_variable: str = "nwbfile",
    variable: str = "backend_configuration",
    baseline: BackendConfiguration | None = None,
) -> str:
    """Python code that rebuilds ``backend_configuration`` for the same NWBFile with this package's public API.

    The code starts from ``get_default_backend_configuration(<nwbfile_variable>, backend=...)``, removes the
    datasets that were removed, and sets each dataset's fields with one ``update(...)`` call (validated together).
    With ``baseline`` (e.g. the default configuration), only datasets and fields that differ from it are written,
    which makes shorter code for the same result as long as the baseline is what the defaults give.
    """
    for name, value in (("nwbfile_variable", nwbfile_variable), ("variable", variable)):
        if not isinstance(value, str) or not value.isidentifier() or keyword.iskeyword(value):
            raise ValueError(f"{name} must be a Python variable name, got {value!r}")
    backend = backend_configuration.backend
    current = backend_configuration.dataset_configurations
    lines = [
        "from nwbconfig_widget import get_default_backend_configuration",
        "",
        f"{variable} = get_default_backend_configuration({nwbfile_variable}, backend={backend!r})",
        f"dataset_configurations = {variable}.dataset_configurations",
    ]
    kept = sorted(current)
    if baseline is None or set(baseline.dataset_configurations) - set(current):
        lines.append("kept = {\n" + "".join(f"    {location!r},\n" for location in kept) + "}")
        lines.append("for location in [location for location in dataset_configurations if location not in kept]:")
        lines.append("    del dataset_configurations[location]")
    for location, configuration in current.items():
        reference = baseline.dataset_configurations.get(location) if baseline is not None else None
        fields = [
            field
            for field in _CODE_FIELDS
            if reference is None or getattr(reference, field) != getattr(configuration, field)
        ]
        if not fields:
            continue
        arguments = "".join(f"    {field}={_value(field, getattr(configuration, field))},\n" for field in fields)
        lines.append(f"dataset_configurations[{location!r}].update(\n{arguments})")
    return "\n".join(lines) + "\n"


def to_json(backend_configuration: BackendConfiguration, path: str | os.PathLike | None = None) -> str:
    """The configuration as JSON (``BackendConfiguration.to_json``); ``BackendConfiguration.from_json`` reads it."""
    return backend_configuration.to_json(path)


# ------------------------------------------------------------------------------------------------------- h5repack


def hdf5_path(configuration: DatasetIOConfiguration, file: Any = None) -> str:
    """The path of a configured dataset in an HDF5 file, with a leading slash.

    Locations of table columns and other ``Data`` objects end in ``/data`` that is not part of the HDF5 path
    (``units/spike_times/data`` is stored at ``/units/spike_times``). With an open ``h5py.File`` the path is
    checked in it; without one it is told from the neurodata object's name.
    """
    location = configuration.location_in_file
    parts = location.split("/")
    stripped = "/".join(parts[:-1])
    if file is not None:
        for candidate in (location, stripped):
            if candidate and candidate in file and hasattr(file[candidate], "dtype"):
                return "/" + candidate
        raise KeyError(f"{location}: no such dataset in {file.filename}")
    is_data_object = parts[-1] == "data" and len(parts) >= 2 and parts[-2] != configuration.object_name
    return "/" + (stripped if is_data_object else location)


def _filter_arguments(path: str, configuration: DatasetIOConfiguration) -> list[str]:
    method = configuration.compression_method
    filters: list[str] = []
    if "shuffle" in configuration.filter_methods:
        filters.append("SHUF")
    if method == "gzip":
        level = (configuration.compression_options or {}).get("level", codecs.DEFAULT_GZIP_LEVEL)
        filters.append(f"GZIP={level}")
    elif method == "szip":
        options = configuration.compression_options or {}
        filters.append(f"SZIP={options.get('pixels_per_block', 8)},{options.get('coding', 'nn').upper()}")
    elif method == "lzf":
        raise ValueError(
            f"{configuration.location_in_file}: lzf is built into h5py only; h5repack cannot write it "
            "(use gzip, or repack with nwbconfig_widget.repack_nwbfile)"
        )
    elif method is not None:
        kwargs = codecs.hdf5_dataset_kwargs(method, configuration.compression_options)
        values = [int(value) for value in kwargs["compression_opts"]]
        # h5py adds plugin filters as optional (flag 1), like this; at least one value is required by h5repack.
        values = values or [0]
        filters.append("UD=" + ",".join(str(item) for item in (kwargs["compression"], 1, len(values), *values)))
    if "fletcher32" in configuration.filter_methods:
        filters.append("FLET")
    return [f"{path}:{item}" for item in filters]


def h5repack_arguments(
    backend_configuration: BackendConfiguration,
    input_path: str | os.PathLike = "input.nwb",
    output_path: str | os.PathLike = "output.nwb",
    *,
    check_paths: bool = True,
) -> list[str]:
    """The ``h5repack`` argument list that gives each dataset its chunk shape, filters and compression.

    When ``input_path`` exists (and ``check_paths``), dataset paths are checked in it. Plugin filters (every
    hdf5plugin codec) are passed as ``UD=`` user-defined filters; h5repack then needs the plugins on its
    ``HDF5_PLUGIN_PATH`` (see :func:`h5repack_command`). Buffer shapes have no h5repack equivalent.
    """
    if backend_configuration.backend != "hdf5":
        raise ValueError("h5repack rewrites HDF5 files; this is a Zarr configuration")
    file = None
    if check_paths and os.path.exists(input_path):
        import h5py

        file = h5py.File(input_path, "r")
    try:
        arguments = ["h5repack"]
        for configuration in backend_configuration:
            path = hdf5_path(configuration, file)
            if configuration.chunk_shape is None:
                arguments += ["-l", f"{path}:CONTI", "-f", f"{path}:NONE"]
                continue
            arguments += ["-l", f"{path}:CHUNK=" + "x".join(str(length) for length in configuration.chunk_shape)]
            filters = _filter_arguments(path, configuration)
            if not filters:
                filters = [f"{path}:NONE"]
            for item in filters:
                arguments += ["-f", item]
    finally:
        if file is not None:
            file.close()
    return [*arguments, str(input_path), str(output_path)]


def h5repack_command(
    backend_configuration: BackendConfiguration,
    input_path: str | os.PathLike = "input.nwb",
    output_path: str | os.PathLike = "output.nwb",
    *,
    check_paths: bool = True,
) -> str:
    """:func:`h5repack_arguments` as one shell command line (quoted), copyable into a terminal.

    When a plugin filter is used, the command starts with ``HDF5_PLUGIN_PATH=...`` pointing at hdf5plugin's
    plugins, which h5repack loads (h5repack 1.10 or newer; every reader of the result needs the plugins too).
    """
    arguments = h5repack_arguments(backend_configuration, input_path, output_path, check_paths=check_paths)
    unsafe = [argument for argument in arguments if has_control_characters(argument)]
    if unsafe:
        raise ValueError(
            f"{plain(unsafe[0])} holds control characters that a command line pasted into a terminal would act on; "
            "run h5repack with h5repack_arguments(...) through subprocess, or repack with repack_nwbfile"
        )
    command = shlex.join(arguments)
    if any(":UD=" in argument for argument in arguments):
        import hdf5plugin

        command = f"HDF5_PLUGIN_PATH={shlex.quote(hdf5plugin.PLUGIN_PATH)} {command}"
    return command
