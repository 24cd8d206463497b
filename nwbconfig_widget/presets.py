"""Named presets: one click sets compression (and, for ``cloud``, chunk shapes) for a file or some neurodata types.

========  ====================================  ===========================  ====================
preset    HDF5                                  Zarr                         chunks
========  ====================================  ===========================  ====================
portable  shuffle + gzip 4 (every HDF5 reader)  gzip 4                       kept
fast      Blosc zstd 1 + bitshuffle             blosc zstd 1 + bitshuffle    kept
archive   Blosc zstd 9 + bitshuffle             blosc zstd 9 + bitshuffle    kept
cloud     shuffle + gzip 4                      blosc zstd 3 + bitshuffle    ~4 MB (Zarr ~8 MB)
========  ====================================  ===========================  ====================

Each description says what the preset does and quotes what it did to one synthetic session, as ratios to the default
configuration's file: write time, size, read time, which HDF5 readers decoded it and, for ``cloud``, what typical
remote reads fetch. The figures come from ``presets_measured.json`` in this package, written by
``python benchmarks/presets.py --save`` (with the data, machine, date and command); :func:`measured` returns them.
Other data compress and write differently: the figures say what the preset did there, not what it will do to yours.

Text and other data a codec cannot encode (Blosc cannot encode variable-length strings) fall back to gzip 4; the
fallbacks are returned. Shuffle is only added where it helps (numbers of more than one byte).

>>> from pynwb.testing.mock.file import mock_NWBFile
>>> from pynwb import TimeSeries
>>> from nwbconfig_widget import get_default_backend_configuration
>>> nwbfile = mock_NWBFile()
>>> nwbfile.add_acquisition(TimeSeries(name="ts", data=list(range(100)), unit="m", rate=1.0))
>>> configuration = get_default_backend_configuration(nwbfile)
>>> apply_preset(configuration, "fast")
{}
>>> configuration.dataset_configurations["acquisition/ts/data"].compression_method
'Blosc'
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import json
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from . import defaults
from .backends import display_name
from .codecs import DEFAULT_GZIP_LEVEL
from .models import BackendConfiguration, ConfigurationError, DatasetIOConfiguration

__all__ = ["PRESETS", "Preset", "apply_preset", "measured", "preset_settings"]

_SHUFFLE, _BITSHUFFLE = 1, 2
_FALLBACK = {"compression_method": "gzip", "compression_options": {"level": DEFAULT_GZIP_LEVEL}, "filter_methods": []}


@dataclasses.dataclass(frozen=True)
class Preset:
    """A named preset: per backend the compression method, options and whether to shuffle; optional chunk target."""

    name: str
    description: str
    hdf5: tuple[str, dict[str, Any], bool]
    zarr: tuple[str, dict[str, Any], bool]
    chunk_target_bytes: dict[str, int] | None = None  # per backend; None keeps the chunk shapes


def _blosc(cname: str, clevel: int) -> dict[str, Any]:
    return {"cname": cname, "clevel": clevel, "shuffle": _BITSHUFFLE}


_MEASURED_PATH = Path(__file__).with_name("presets_measured.json")
_CLOUD_CHUNK_BYTES = {"hdf5": 4_000_000, "zarr": 8_000_000}
_MAX_ZARR_CHUNKS = 100_000


@functools.cache
def _measured() -> dict[str, Any]:
    if not _MEASURED_PATH.is_file():
        raise FileNotFoundError(
            f"{_MEASURED_PATH} is missing: it ships with the package; `python benchmarks/presets.py --save` measures "
            "the figures again"
        )
    return json.loads(_MEASURED_PATH.read_text(encoding="utf-8"))


def measured() -> dict[str, Any]:
    """The figures the preset descriptions quote, as ``python benchmarks/presets.py --save`` measured them.

    ``results[backend][preset or "default"]`` holds ``write_seconds`` and ``read_seconds`` (every value of the large
    datasets), wall clock, with ``write_cpu_seconds`` and ``read_cpu_seconds`` (the texts quote these: they depend
    less on how busy the shared machine was), ``size_bytes``, ``reads`` (requests and compressed bytes of typical
    remote reads) and, for HDF5, ``readers`` (which readers decoded the file without extra filters); ``data``,
    ``machine``, ``date`` and ``command`` say where they come from.

    >>> figures = measured()
    >>> sorted(figures["results"]), sorted(figures["results"]["hdf5"]) == sorted(["default", *PRESETS])
    (['hdf5', 'zarr'], True)
    """
    return copy.deepcopy(_measured())


def _ratio(value: float) -> str:
    return f"{value:.2f}x"


def _listed(names: list[str], conjunction: str) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} {conjunction} {names[-1]}"


def _against_default(name: str) -> str:
    """What the preset did to the benchmark's session, as ratios to the default configuration's file."""
    parts = []
    for backend, cases in _measured()["results"].items():
        mine, base = cases[name], cases["default"]
        write, size, read = (mine[key] / base[key] for key in ("write_cpu_seconds", "size_bytes", "read_cpu_seconds"))
        parts.append(
            f"{display_name(backend)} write CPU time {_ratio(write)}, size {_ratio(size)}, "
            f"CPU time to read it all {_ratio(read)}"
        )
    return "; ".join(parts)


def _hdf5_readers(name: str) -> str:
    """Which readers decoded the preset's HDF5 file (with no filter plugin installed)."""
    readers = _measured()["results"]["hdf5"][name]["readers"]
    decoded = [reader for reader, ok in readers.items() if ok]
    failed = [reader for reader, ok in readers.items() if not ok]
    if not failed:
        return f"the HDF5 file was decoded by {_listed(decoded, 'and')}"
    text = f"the HDF5 file was not decoded by {_listed(failed, 'or')}"
    return text + (f" (decoded by {_listed(decoded, 'and')})" if decoded else "")


def _remote_reads(name: str) -> str:
    """What typical remote reads of the preset's HDF5 file fetch, against the default's."""
    results = _measured()["results"]["hdf5"]
    texts = []
    for read, base in results["default"]["reads"].items():
        mine = results[name]["reads"][read]
        requests = mine["requests"]
        texts.append(
            f"{read}: {requests} request{'s' * (requests != 1)} (default {base['requests']}), "
            f"{_ratio(mine['fetched_bytes'] / base['fetched_bytes'])} the bytes"
        )
    return "remote reads of the HDF5 file: " + "; ".join(texts)


def _described(what: str, name: str, *details: Callable[[str], str]) -> str:
    """The preset's text: what it does, then what it did to the benchmark's session (see :func:`measured`).

    Without usable figures (the file missing or from an older script) the text says so and a warning is given, so that
    the package, and the script that measures the figures again, still import.
    """
    try:
        figures = _measured()
        found = "; ".join(detail(name) for detail in (_against_default, *details))
        source = f"Measured on a {figures['data']} (benchmarks/presets.py, {figures['date']})"
    except (OSError, ValueError, KeyError, TypeError) as error:
        problem = (
            f"no measured figures ({type(error).__name__}: {error}); `python benchmarks/presets.py --save` makes them"
        )
        warnings.warn(f"preset {name!r}: {problem}", RuntimeWarning, stacklevel=2)
        return f"{what}. {problem[0].upper()}{problem[1:]}"
    return f"{what}. {source}, against the default settings: {found}."


#: The presets by name.
PRESETS: dict[str, Preset] = {
    preset.name: preset
    for preset in (
        Preset(
            "portable",
            _described(
                f"shuffle + gzip {DEFAULT_GZIP_LEVEL}, filters built into the HDF5 library, which every HDF5 "
                f"reader decodes (MATLAB, Julia, h5wasm...); gzip {DEFAULT_GZIP_LEVEL} on Zarr",
                "portable",
                _hdf5_readers,
            ),
            hdf5=("gzip", {"level": DEFAULT_GZIP_LEVEL}, True),
            zarr=("gzip", {"level": DEFAULT_GZIP_LEVEL}, False),
        ),
        Preset(
            "fast",
            _described(
                "Blosc zstd level 1 with bitshuffle, fast to compress and decompress; HDF5 readers need the Blosc "
                "filter (hdf5plugin in Python)",
                "fast",
                _hdf5_readers,
            ),
            hdf5=("Blosc", _blosc("zstd", 1), False),
            zarr=("blosc", _blosc("zstd", 1), False),
        ),
        Preset(
            "archive",
            _described(
                "Blosc zstd level 9 with bitshuffle, small lossless files, slow to write; HDF5 readers need the "
                "Blosc filter (hdf5plugin in Python)",
                "archive",
                _hdf5_readers,
            ),
            hdf5=("Blosc", _blosc("zstd", 9), False),
            zarr=("blosc", _blosc("zstd", 9), False),
        ),
        Preset(
            "cloud",
            _described(
                f"streaming-sized chunks (~{_CLOUD_CHUNK_BYTES['hdf5'] // 1_000_000} MB; Zarr "
                f"~{_CLOUD_CHUNK_BYTES['zarr'] // 1_000_000} MB, at most {_MAX_ZARR_CHUNKS:,} objects) that follow "
                f"how data is viewed; HDF5: shuffle + gzip {DEFAULT_GZIP_LEVEL}, which every HDF5 reader decodes "
                "(h5wasm in browsers too); Zarr: blosc zstd 3 with bitshuffle",
                "cloud",
                _hdf5_readers,
                _remote_reads,
            ),
            hdf5=("gzip", {"level": DEFAULT_GZIP_LEVEL}, True),
            zarr=("blosc", _blosc("zstd", 3), False),
            chunk_target_bytes=dict(_CLOUD_CHUNK_BYTES),
        ),
    )
}


def _wants_shuffle(configuration: DatasetIOConfiguration) -> bool:
    return configuration.dtype.kind in "iufc" and configuration.dtype.itemsize > 1


def _cloud_chunk_shape(configuration: DatasetIOConfiguration, target: int) -> tuple[int, ...]:
    full_bytes = configuration.full_size_bytes
    if configuration.backend == "zarr":
        target = max(target, -(-full_bytes // _MAX_ZARR_CHUNKS))
    electrical = configuration.neurodata_type == "ElectricalSeries" and configuration.dataset_name == "data"
    caps = (defaults.settings.max_channels_per_chunk,) if electrical else ()
    return defaults.default_chunk_shape(configuration.full_shape, configuration.itemsize, target, caps)


def preset_settings(configuration: DatasetIOConfiguration, preset: str | Preset) -> dict[str, Any]:
    """The field changes a preset makes to one dataset configuration (for ``configuration.update(**changes)``)."""
    preset = _preset(preset)
    method, options, shuffle = getattr(preset, configuration.backend)
    changes: dict[str, Any] = {
        "compression_method": method,
        "compression_options": dict(options),
        "filter_methods": ["shuffle"] if shuffle and _wants_shuffle(configuration) else [],
        "filter_options": None,
    }
    chunk_shape = configuration.chunk_shape
    if preset.chunk_target_bytes is not None:
        chunk_shape = _cloud_chunk_shape(configuration, preset.chunk_target_bytes[configuration.backend])
    elif chunk_shape is None:  # contiguous HDF5 data must be chunked to be compressed
        chunk_shape = defaults.default_chunk_shape(configuration.full_shape, configuration.itemsize)
    if chunk_shape != configuration.chunk_shape:
        changes["chunk_shape"] = chunk_shape
        changes["buffer_shape"] = defaults.default_buffer_shape(
            configuration.full_shape, chunk_shape, configuration.itemsize
        )
    return changes


def _preset(preset: str | Preset) -> Preset:
    if isinstance(preset, Preset):
        return preset
    if preset not in PRESETS:
        raise ValueError(f"unknown preset {preset!r}; choose one of {sorted(PRESETS)}")
    return PRESETS[preset]


def apply_preset(
    backend_configuration: BackendConfiguration,
    preset: str | Preset,
    *,
    neurodata_types: Iterable[str] | None = None,
    locations: Iterable[str] | None = None,
    where: Callable[[DatasetIOConfiguration], bool] | None = None,
) -> dict[str, str]:
    """Apply a preset to every dataset, or to those of ``neurodata_types``, at ``locations`` or matching ``where``.

    Each dataset is updated at once (all fields validated together). A dataset whose data the preset's codec cannot
    encode gets gzip 4 instead; the returned dict maps those locations to the reason. Every dataset is checked
    before any changes, so an error leaves the configuration as it was: an unknown preset name raises ``ValueError``,
    an unknown location ``KeyError``, a single text for ``neurodata_types``/``locations`` ``TypeError``.
    """
    preset = _preset(preset)
    chosen = _chosen(backend_configuration, neurodata_types, locations, where)
    planned: list[tuple[DatasetIOConfiguration, dict[str, Any]]] = []
    fallbacks: dict[str, str] = {}
    for configuration in chosen:
        changes = preset_settings(configuration, preset)
        try:
            configuration._validated({**configuration._state, **changes}, changed=tuple(changes))
        except ConfigurationError as error:
            if not error.unsupported_data:
                raise  # nothing has changed yet: every dataset is checked before any is updated
            fallbacks[configuration.location_in_file] = (
                f"{changes['compression_method']}: {error.reason}; gzip {DEFAULT_GZIP_LEVEL} used"
            )
            changes = {**changes, **_FALLBACK, "filter_options": None}
            configuration._validated({**configuration._state, **changes}, changed=tuple(changes))
        planned.append((configuration, changes))
    for configuration, changes in planned:
        configuration.update(**changes)
    return fallbacks


def _names(value: Iterable[str] | None, what: str) -> set[str] | None:
    """A set of names; a single text is refused (it would be read as a set of letters)."""
    if value is None:
        return None
    if isinstance(value, str):
        raise TypeError(f"{what} is a list of names, got the text {value!r}; write [{value!r}]")
    return set(value)


def _chosen(
    backend_configuration: BackendConfiguration,
    neurodata_types: Iterable[str] | None,
    locations: Iterable[str] | None,
    where: Callable[[DatasetIOConfiguration], bool] | None,
) -> list[DatasetIOConfiguration]:
    """The dataset configurations a preset applies to; unknown locations and a ``where`` that is not callable raise."""
    types = _names(neurodata_types, "neurodata_types")
    wanted = _names(locations, "locations")
    if where is not None and not callable(where):
        raise TypeError(f"where must be a function of a dataset configuration, got {where!r}")
    known = backend_configuration.dataset_configurations
    unknown = sorted(wanted - set(known)) if wanted is not None else []
    if unknown:
        raise KeyError(f"no dataset at {unknown} in this configuration; the locations are {sorted(known)}")
    return [
        configuration
        for configuration in backend_configuration
        if (types is None or configuration.neurodata_type in types)
        and (wanted is None or configuration.location_in_file in wanted)
        and (where is None or where(configuration))
    ]
