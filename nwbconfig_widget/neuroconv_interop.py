"""Configurations both ways between this package and NeuroConv 0.10.x, and writing through a NeuroConv converter.

NeuroConv is an optional extra (``pip install "neuroconv[ecephys-minimal]==0.10.2"``): nothing here imports it
before it is needed, and importing this module works without it.

The two models describe the same settings with different shapes:

============================  =================================================  ==================================
setting                       this package                                       NeuroConv 0.10.x
============================  =================================================  ==================================
location                      real path: ``general/extracellular_ephys/          its own path: ``electrodes/
                              electrodes/location/data``                         location/data``
compression                   ``compression_method`` + ``compression_options``   ``compressors`` +
                                                                                 ``compressor_options`` (lists)
HDF5 shuffle / fletcher32     entries of ``filter_methods``                      entries of ``compressors``
Zarr shuffle                  an entry of ``filter_methods``                     an entry of ``compressors``
Zarr value filters (delta..)  ``filter_methods`` + ``filter_options``            ``filters`` + ``filter_options``
============================  =================================================  ==================================

Datasets are matched by ``object_id`` + ``dataset_name`` (the same neurodata object in both), so the different
location keys never matter; without an NWBFile the electrodes prefix is translated instead. The older NeuroConv
``compression_method`` / ``compression_options`` fields are read too (from dicts such as a saved configuration).

The pure translation of one dataset's settings needs no NeuroConv:

>>> neuroconv_compressors("hdf5", "Zstd", {"clevel": 3}, ["shuffle"], [None])
(['shuffle', 'Zstd'], [None, {'clevel': 3}])
>>> settings_from_neuroconv("hdf5", ["shuffle", "gzip"], [None, {"compression_opts": 4}])
{'compression_method': 'gzip', 'compression_options': {'level': 4}, 'filter_methods': ['shuffle'], 'filter_options': [None]}
>>> neuroconv_location("general/extracellular_ephys/electrodes/location/data")
'electrodes/location/data'
>>> our_location("electrodes/location/data")
'general/extracellular_ephys/electrodes/location/data'
"""  # noqa: E501

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .backends import backend_configuration_class, dataset_configuration_class
from .models import BackendConfiguration, DatasetIOConfiguration

__all__ = [
    "NEUROCONV_VERSION_RANGE",
    "NeuroConvFallbackWarning",
    "SettingsLostError",
    "from_neuroconv",
    "neuroconv_compressors",
    "neuroconv_location",
    "our_location",
    "require_neuroconv",
    "settings_from_neuroconv",
    "to_neuroconv",
    "write_with_converter",
]

#: The NeuroConv releases this module is written and tested against.
NEUROCONV_VERSION_RANGE = (">=0.10", "<0.11")

# NeuroConv names tables of ``general`` by their own name; these are the prefixes it drops.
_LOCATION_PREFIXES = (
    ("general/extracellular_ephys/electrodes/", "electrodes/"),
    ("general/intracellular_ephys/", "intracellular_ephys/"),
)
# Entries of NeuroConv's ``compressors`` that are filters, not compression methods, per backend.
_PURE_FILTERS = {"hdf5": ("shuffle", "fletcher32"), "zarr": ("shuffle",)}


def require_neuroconv():
    """Import NeuroConv's configuration helpers, or raise ImportError saying how to install them.

    Returns the module ``neuroconv.tools.nwb_helpers``.
    """
    try:
        from neuroconv.tools import nwb_helpers
    except ImportError as error:
        raise ImportError(
            'NeuroConv interop needs NeuroConv 0.10.x: pip install "neuroconv[ecephys-minimal]==0.10.2"'
        ) from error
    return nwb_helpers


def neuroconv_location(location: str) -> str:
    """The key NeuroConv uses for a dataset this package keys by its real path."""
    for ours, theirs in _LOCATION_PREFIXES:
        if location.startswith(ours):
            return theirs + location[len(ours) :]
    return location


def our_location(location: str) -> str:
    """The real path of a dataset NeuroConv keys by its own location."""
    for ours, theirs in _LOCATION_PREFIXES:
        if location.startswith(theirs):
            return ours + location[len(theirs) :]
    return location


def neuroconv_compressors(
    backend: str,
    compression_method: str | None,
    compression_options: Mapping[str, Any] | None,
    filter_methods: Sequence[str] = (),
    filter_options: Sequence[Mapping[str, Any] | None] | None = None,
) -> tuple[list[str] | None, list[dict[str, Any] | None] | None]:
    """NeuroConv's ``compressors`` and ``compressor_options`` for this package's compression and byte filters.

    HDF5's ``shuffle`` goes before the compression method and ``fletcher32`` after it (HDF5's fixed order); Zarr's
    ``shuffle`` filters go before it. Value filters of Zarr (``delta``...) are not part of this: see
    :func:`to_neuroconv`. Returns ``(None, None)`` when nothing compresses.

    >>> neuroconv_compressors("hdf5", "gzip", {"level": 4}, ["shuffle", "fletcher32"])
    (['shuffle', 'gzip', 'fletcher32'], [None, {'level': 4}, None])
    >>> neuroconv_compressors("hdf5", None, None)
    (None, None)
    """
    options = list(filter_options or [None] * len(filter_methods))
    before, after = [], []
    for name, option in zip(filter_methods, options):
        if name in _PURE_FILTERS[backend]:
            (after if name == "fletcher32" else before).append((name, dict(option) if option else None))
    entries = list(before)
    if compression_method is not None:
        entries.append((compression_method, dict(compression_options) if compression_options else None))
    entries += after
    if not entries:
        return None, None
    return [name for name, _ in entries], [option for _, option in entries]


def settings_from_neuroconv(
    backend: str,
    compressors: Sequence[Any] | None,
    compressor_options: Sequence[Mapping[str, Any] | None] | None = None,
    filters: Sequence[Any] | None = None,
    filter_options: Sequence[Mapping[str, Any] | None] | None = None,
) -> dict[str, Any]:
    """This package's ``compression_method``/``compression_options``/``filter_methods``/``filter_options``.

    Codec instances (``hdf5plugin.Zstd(clevel=5)``, ``numcodecs.Blosc(...)``) are passed on as they are: this
    package's models accept them. gzip options read from a file by NeuroConv (``{"compression_opts": 4}``) become
    ``{"level": 4}``.

    >>> settings_from_neuroconv("zarr", ["shuffle", "blosc"], [None, {"cname": "zstd"}], ["delta"], [{"dtype": "i2"}])
    {'compression_method': 'blosc', 'compression_options': {'cname': 'zstd'}, 'filter_methods': ['delta', 'shuffle'], 'filter_options': [{'dtype': 'i2'}, None]}
    """  # noqa: E501
    compressors = list(compressors or [])
    options = list(compressor_options or [None] * len(compressors))
    if len(options) != len(compressors):
        raise ValueError(f"{len(compressors)} compressors but {len(options)} compressor options")
    method, method_options, byte_filters = None, None, []
    for name, option in zip(compressors, options):
        if isinstance(name, str) and name in _PURE_FILTERS[backend]:
            byte_filters.append((name, dict(option) if option else None))
        elif method is not None:
            raise ValueError(f"more than one compression method in compressors {compressors!r}")
        else:
            method, method_options = name, dict(option) if option else None
    if method == "gzip" and method_options and "level" not in method_options and len(method_options) == 1:
        method_options = {"level": next(iter(method_options.values()))}
    value_filters = list(zip(list(filters or []), list(filter_options or [None] * len(filters or []))))
    # Zarr applies value filters first, then bytes filters; HDF5 has only byte filters (order fixed by HDF5).
    pipeline = [(name, dict(option) if option else None) for name, option in value_filters] + byte_filters
    return {
        "compression_method": method,
        "compression_options": method_options,
        "filter_methods": [name for name, _ in pipeline],
        "filter_options": [option for _, option in pipeline],
    }


def _neuroconv_fields(item: DatasetIOConfiguration) -> dict[str, Any]:
    """The user-settable fields of a NeuroConv dataset configuration for one of ours."""
    backend = item.backend
    byte_filters = [
        (name, option)
        for name, option in zip(item.filter_methods, item.filter_options)
        if name in _PURE_FILTERS[backend]
    ]
    value_filters = [
        (name, option)
        for name, option in zip(item.filter_methods, item.filter_options)
        if name not in _PURE_FILTERS[backend]
    ]
    if backend == "hdf5" and value_filters:
        raise ValueError(f"{item.location_in_file}: filters {value_filters!r} have no NeuroConv equivalent")
    compressors, compressor_options = neuroconv_compressors(
        backend,
        item.compression_method,
        item.compression_options,
        [name for name, _ in byte_filters],
        [option for _, option in byte_filters],
    )
    fields: dict[str, Any] = {
        "chunk_shape": item.chunk_shape,
        "buffer_shape": item.buffer_shape if item.chunk_shape is not None else None,
        "compressors": compressors,
        "compressor_options": compressor_options if any(compressor_options or []) else None,
    }
    if backend == "zarr":
        fields["filters"] = [name for name, _ in value_filters] or None
        options = [dict(option or {}) for _, option in value_filters]
        fields["filter_options"] = options if any(options) else None
    return fields


def _neuroconv_class(ours: type) -> type:
    """NeuroConv's class of the same name as one of ours (``HDF5BackendConfiguration``, ``ZarrDatasetIOConfiguration``
    ...): NeuroConv names its backend and dataset configuration classes as this package does."""
    return getattr(require_neuroconv(), ours.__name__)


class NeuroConvFallbackWarning(UserWarning):
    """NeuroConv cannot configure some datasets: it writes them with pynwb's defaults. The message names each one and
    the settings of this configuration it does not get."""


class SettingsLostError(ValueError):
    """A write through NeuroConv would lose settings chosen for datasets NeuroConv cannot configure."""


# The fields that decide how a dataset is stored (buffer_shape only decides how it is written).
_STORAGE_FIELDS = ("chunk_shape", "compression_method", "compression_options", "filter_methods", "filter_options")


def _storage(item: DatasetIOConfiguration) -> str:
    """The storage settings of one dataset, as the fallback messages name them."""
    parts = [f"chunks {tuple(item.chunk_shape)}" if item.chunk_shape is not None else "contiguous"]
    if item.compression_method is not None:
        options = f" {item.compression_options}" if item.compression_options else ""
        parts.append(f"{item.compression_method}{options}")
    parts += list(item.filter_methods)
    return ", ".join(parts)


def _fallback_message(items: Sequence[DatasetIOConfiguration]) -> str:
    return (
        f"NeuroConv cannot configure {len(items)} dataset(s) (it configures only those of its own default "
        "configuration); it writes them with pynwb's defaults instead of these settings: "
        + "; ".join(f"{item.location_in_file} ({_storage(item)})" for item in sorted(items, key=_location))
    )


def _location(item: DatasetIOConfiguration) -> str:
    return item.location_in_file


def _to_neuroconv(configuration: BackendConfiguration, nwbfile: Any) -> tuple[Any, list[DatasetIOConfiguration]]:
    """NeuroConv's configuration and the datasets of ours it cannot describe (see :func:`to_neuroconv`)."""
    nwb_helpers = require_neuroconv()
    backend = configuration.backend
    ours = {(item.object_id, item.dataset_name): item for item in configuration}
    left_out: list[DatasetIOConfiguration] = []
    if nwbfile is not None:
        result = nwb_helpers.get_default_backend_configuration(nwbfile=nwbfile, backend=backend)
        matched = set()
        for location, theirs in list(result.dataset_configurations.items()):
            item = ours.get((theirs.object_id, theirs.dataset_name))
            if item is None:
                del result.dataset_configurations[location]
                continue
            matched.add((item.object_id, item.dataset_name))
            values = theirs.model_dump()
            values.update(_neuroconv_fields(item))
            result.dataset_configurations[location] = type(theirs)(**values)
        left_out = [item for key, item in ours.items() if key not in matched]
    else:
        dataset_class = _neuroconv_class(dataset_configuration_class(backend))
        datasets = {}
        for item in configuration:
            if item.dataset_name not in ("data", "timestamps"):
                left_out.append(item)
                continue
            location = neuroconv_location(item.location_in_file)
            datasets[location] = dataset_class(
                object_id=item.object_id,
                location_in_file=location,
                dataset_name=item.dataset_name,
                dtype=item.dtype,
                full_shape=item.full_shape,
                **_neuroconv_fields(item),
            )
        result = _neuroconv_class(backend_configuration_class(backend))(dataset_configurations=datasets)
    return result, left_out


def to_neuroconv(configuration: BackendConfiguration, nwbfile: Any = None) -> Any:
    """A NeuroConv ``HDF5BackendConfiguration`` / ``ZarrBackendConfiguration`` with the settings of ``configuration``.

    With ``nwbfile`` (the file the configuration describes, recommended), NeuroConv's own default configuration of
    that file is the skeleton: each of its datasets takes the settings of the dataset of ours with the same
    ``object_id`` and ``dataset_name``, so the location keys are NeuroConv's own. Its datasets that we do not
    configure (deleted from ``dataset_configurations``: written as their neurodata object would on its own) are
    removed. Without ``nwbfile`` the NeuroConv models are built directly, with the keys translated by
    :func:`neuroconv_location`.

    Datasets NeuroConv cannot describe (it configures only the datasets of its own default configuration: not, e.g.,
    an ElectricalSeries' ``electrodes`` region or a table's ``id``) are left out with a
    :class:`NeuroConvFallbackWarning` naming each one and its settings here; NeuroConv writes them with pynwb's
    defaults.
    """
    result, left_out = _to_neuroconv(configuration, nwbfile)
    if left_out:
        warnings.warn(_fallback_message(left_out), NeuroConvFallbackWarning, stacklevel=2)
    return result


def _refuse_lost_settings(
    configuration: BackendConfiguration, left_out: Sequence[DatasetIOConfiguration], nwbfile: Any
) -> None:
    """Raise :class:`SettingsLostError` if a dataset NeuroConv cannot configure has settings changed from this
    package's defaults for ``nwbfile``: those were chosen here, and a write through NeuroConv would drop them."""
    from .backend_configuration import get_default_backend_configuration

    defaults = {
        (item.object_id, item.dataset_name): item
        for item in get_default_backend_configuration(nwbfile, backend=configuration.backend)
    }
    changed = []
    for item in left_out:
        default = defaults.get((item.object_id, item.dataset_name))
        fields = [
            field
            for field in _STORAGE_FIELDS
            if default is None or _comparable(getattr(item, field)) != _comparable(getattr(default, field))
        ]
        if fields:
            changed.append(f"{item.location_in_file} ({', '.join(f'{f}={getattr(item, f)!r}' for f in fields)})")
    if changed:
        raise SettingsLostError(
            "NeuroConv cannot configure these datasets, so the settings chosen for them here would be lost (it writes "
            "them with pynwb's defaults): " + "; ".join(changed) + ". Set them back to the default settings, or "
            "remove them from dataset_configurations (they are then written as pynwb writes them), or write with "
            "configure_and_write_nwbfile instead of the converter."
        )


def _comparable(value: Any) -> Any:
    """Lists and tuples alike (a shape may be either), options dicts None when empty."""
    if isinstance(value, (list, tuple)):
        return tuple(_comparable(item) for item in value)
    if isinstance(value, Mapping):
        return {key: _comparable(item) for key, item in value.items()} or None
    return value


def _their_fields(theirs: Any) -> dict[str, Any]:
    """chunk_shape, buffer_shape and the four compression fields of a NeuroConv dataset model or dict."""
    values = dict(theirs) if isinstance(theirs, Mapping) else dict(theirs.__dict__)
    if "compressors" not in values and ("compression_method" in values or "compression_options" in values):
        method = values.get("compression_method")  # NeuroConv before 0.10.2: one method and its options
        values["compressors"] = None if method is None else [method]
        options = values.get("compression_options")
        values["compressor_options"] = None if method is None else [options]
    return values


def from_neuroconv(neuroconv_configuration: Any, nwbfile: Any = None) -> BackendConfiguration:
    """This package's configuration with the settings of a NeuroConv backend configuration.

    ``neuroconv_configuration`` is a NeuroConv ``HDF5BackendConfiguration`` / ``ZarrBackendConfiguration`` or its
    ``model_dump()`` (a dict with ``backend`` and ``dataset_configurations``); dataset entries may use the older
    ``compression_method`` / ``compression_options`` fields. With ``nwbfile``, this package's default configuration
    of that file is the skeleton and each dataset is matched by ``object_id`` + ``dataset_name`` (then by location);
    its datasets NeuroConv does not configure keep this package's defaults. Without it, the models are built from
    NeuroConv's fields alone (no neurodata types). Every value is validated by this package's models, so settings
    this package refuses raise :class:`nwbconfig_widget.ConfigurationError`.
    """
    if isinstance(neuroconv_configuration, Mapping):
        backend = neuroconv_configuration.get("backend", "hdf5")
        entries = dict(neuroconv_configuration["dataset_configurations"])
    else:
        backend = neuroconv_configuration.backend
        entries = dict(neuroconv_configuration.dataset_configurations)
    entries = {location: _their_fields(theirs) for location, theirs in entries.items()}
    if nwbfile is not None:
        from .backend_configuration import get_default_backend_configuration

        result = get_default_backend_configuration(nwbfile, backend=backend)
        by_key = {(item.object_id, item.dataset_name): item for item in result}
        for location, values in entries.items():
            item = by_key.get((values.get("object_id"), values.get("dataset_name")))
            if item is None:
                item = result.dataset_configurations.get(our_location(location))
            if item is None:
                raise KeyError(f"NeuroConv's dataset {location!r} is not a dataset of this NWBFile")
            item.update(chunk_shape=values.get("chunk_shape"), buffer_shape=values.get("buffer_shape"),
                        **_settings(backend, values))  # fmt: skip
        return result
    dataset_class = dataset_configuration_class(backend)
    datasets = []
    for location, values in entries.items():
        datasets.append(
            dataset_class(
                object_id=values["object_id"],
                location_in_file=our_location(location),
                dataset_name=values["dataset_name"],
                dtype=values["dtype"],
                full_shape=values["full_shape"],
                chunk_shape=values.get("chunk_shape"),
                buffer_shape=values.get("buffer_shape"),
                **_settings(backend, values),
            )
        )
    return backend_configuration_class(backend)(datasets)


def _settings(backend: str, values: Mapping[str, Any]) -> dict[str, Any]:
    return settings_from_neuroconv(
        backend,
        values.get("compressors"),
        values.get("compressor_options"),
        values.get("filters") if backend == "zarr" else None,
        values.get("filter_options") if backend == "zarr" else None,
    )


def conversion_keywords(converter: Any, conversion_options: dict | None) -> dict:
    """How ``converter`` takes its conversion options in ``create_nwbfile`` and ``run_conversion``.

    A converter (``NWBConverter``, ``ConverterPipe``) takes them as one ``conversion_options`` dict keyed by interface
    name; a single data interface takes its own options as keywords.

    Example:
        >>> class Interface:  # a data interface has no ``data_interface_objects``
        ...     pass
        >>> conversion_keywords(Interface(), {"stub_test": True})
        {'stub_test': True}
    """
    if hasattr(converter, "data_interface_objects"):
        return {"conversion_options": conversion_options}
    return dict(conversion_options or {})


def write_with_converter(
    converter: Any,
    nwbfile_path: str | os.PathLike,
    backend_configuration: BackendConfiguration,
    nwbfile: Any = None,
    metadata: dict | None = None,
    overwrite: bool = False,
    conversion_options: dict | None = None,
) -> Path:
    """Write with the converter's own ``run_conversion`` and the NeuroConv form of ``backend_configuration``.

    ``nwbfile`` is the file the configuration was made on (by ``converter.create_nwbfile(metadata)``), used to map
    datasets to NeuroConv's keys. NeuroConv 0.10 refuses ``run_conversion(nwbfile=..., backend_configuration=...)``
    (the data would be added to that file a second time), so the converter builds its file again from ``metadata``
    and NeuroConv matches the configuration to it by location, as in its own documented workflow. The file is
    written beside ``nwbfile_path`` and renamed into place when complete; an existing file is replaced only with
    ``overwrite=True``. Returns the path.

    Datasets NeuroConv cannot configure are written with pynwb's defaults: if their settings here differ from this
    package's defaults for ``nwbfile`` (someone chose them), nothing is written and :class:`SettingsLostError` names
    them; otherwise a :class:`NeuroConvFallbackWarning` names them.
    """
    from .io.atomic import atomic_target

    if metadata is None:
        metadata = converter.get_metadata()
    neuroconv_configuration, left_out = _to_neuroconv(backend_configuration, nwbfile)
    if left_out and nwbfile is not None:
        _refuse_lost_settings(backend_configuration, left_out, nwbfile)
    if left_out:
        warnings.warn(_fallback_message(left_out), NeuroConvFallbackWarning, stacklevel=2)
    target = Path(nwbfile_path)
    with atomic_target(target, overwrite=overwrite) as temporary:
        converter.run_conversion(
            nwbfile_path=str(temporary),
            metadata=metadata,
            overwrite=True,
            backend_configuration=neuroconv_configuration,
            **conversion_keywords(converter, conversion_options),
        )
    return target
