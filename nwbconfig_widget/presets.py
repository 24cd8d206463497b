"""Named presets: one click sets compression (and, for ``cloud``, chunk shapes) for a file or some neurodata types.

========  ====================================  ===========================  ====================
preset    HDF5                                  Zarr                         chunks
========  ====================================  ===========================  ====================
portable  shuffle + gzip 4 (every HDF5 reader)  gzip 4                       kept
fast      Blosc zstd 1 + bitshuffle             blosc zstd 1 + bitshuffle    kept
archive   Blosc zstd 9 + bitshuffle             blosc zstd 9 + bitshuffle    kept
cloud     shuffle + gzip 4                      blosc zstd 3 + bitshuffle    ~4 MB (Zarr ~8 MB)
========  ====================================  ===========================  ====================

Measured here on Neuropixels-like int16 / 2-photon uint16 (ratio, single-core compression MB/s): shuffle + gzip 4
2.44 / 1.85 at 33-53 MB/s; Blosc zstd 1 + bitshuffle 2.91 / 1.84 at 320-470 MB/s; Blosc zstd 9 + bitshuffle
3.19 / 1.94 at ~7 MB/s. ``cloud`` chunks are streaming-sized: ElectricalSeries keep at most 64 channels per chunk,
image series whole frames (tiles of large frames), so a 1 s window, a channel or a frame is a few requests.

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

import dataclasses
from collections.abc import Callable, Iterable
from typing import Any

from . import defaults
from .codecs import DEFAULT_GZIP_LEVEL
from .models import BackendConfiguration, ConfigurationError, DatasetIOConfiguration

__all__ = ["PRESETS", "Preset", "apply_preset", "preset_settings"]

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


#: The presets by name.
PRESETS: dict[str, Preset] = {
    preset.name: preset
    for preset in (
        Preset(
            "portable",
            "gzip, which every HDF5 reader decodes (MATLAB, Julia, h5wasm...), with shuffle for multi-byte numbers",
            hdf5=("gzip", {"level": DEFAULT_GZIP_LEVEL}, True),
            zarr=("gzip", {"level": DEFAULT_GZIP_LEVEL}, False),
        ),
        Preset(
            "fast",
            "Blosc zstd level 1 with bitshuffle: ~10x faster than gzip, files ~15% smaller; readers need hdf5plugin",
            hdf5=("Blosc", _blosc("zstd", 1), False),
            zarr=("blosc", _blosc("zstd", 1), False),
        ),
        Preset(
            "archive",
            "Blosc zstd level 9 with bitshuffle: the smallest lossless files, slow to write; readers need hdf5plugin",
            hdf5=("Blosc", _blosc("zstd", 9), False),
            zarr=("blosc", _blosc("zstd", 9), False),
        ),
        Preset(
            "cloud",
            "streaming-sized chunks (~4 MB; Zarr ~8 MB, at most 100,000 objects) that follow how data is viewed, "
            "compressed so browsers and every HDF5 reader can decode them",
            hdf5=("gzip", {"level": DEFAULT_GZIP_LEVEL}, True),
            zarr=("blosc", _blosc("zstd", 3), False),
            chunk_target_bytes={"hdf5": 4_000_000, "zarr": 8_000_000},
        ),
    )
}

_MAX_ZARR_CHUNKS = 100_000


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
