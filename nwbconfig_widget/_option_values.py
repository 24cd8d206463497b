"""Type and range checks of codec option values, before any codec sees them.

Codec constructors are lenient in ways that hide mistakes: hdf5plugin turns ``clevel=1.5`` into 1 and ``True``
into 1, numcodecs' Zstd silently clamps ``level=99`` to 22, and a NaN written to JSON makes a file no JSON reader
accepts. Here each option must have the type of the codec's own default (an integer where the default is one,
never a boolean), be finite, and lie in the range the codec documents where the codec does not check it itself.

>>> checked_option_values("zarr", "zstd", {"level": 3.0}, "compression")
{'level': 3}
>>> checked_option_values("zarr", "zstd", {"level": 99}, "compression")
Traceback (most recent call last):
...
nwbconfig_widget.codecs.CodecError: zstd option 'level' must be an integer from -131072 to 22, got 99
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Mapping
from typing import Any

from . import codecs

#: (backend, method, option) -> inclusive (low, high) for integer options the codec library leaves unchecked or
#: reports only as an opaque error code.
OPTION_RANGES: dict[tuple[str, str, str], tuple[int, int | None]] = {
    ("zarr", "zstd", "level"): (-131072, 22),
    ("zarr", "blosc", "clevel"): (0, 9),
    ("zarr", "blosc", "shuffle"): (-1, 2),
    ("zarr", "blosc", "blocksize"): (0, None),
    ("zarr", "lz4", "acceleration"): (1, 65537),
    ("zarr", "zlib", "level"): (-1, 9),
    ("zarr", "bz2", "level"): (1, 9),
    ("zarr", "shuffle", "elementsize"): (1, None),
}


def _finite(value: Any) -> bool:
    """No NaN or infinity anywhere in the value (JSON cannot carry them and no codec means them)."""
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, Mapping):
        return all(_finite(item) for item in value.values())
    if isinstance(value, (list, tuple)):
        return all(_finite(item) for item in value)
    return True


def _defaults(backend: str, method: str, kind: str) -> dict[str, Any]:
    """The default of each constructor option of the codec class (empty for h5py's built-in filters)."""
    choices = (
        codecs.available_compression_methods(backend)
        if kind == "compression"
        else codecs.available_filter_methods(backend)
    )
    codec_class = choices.get(method)
    if not isinstance(codec_class, type):
        return {}  # h5py built-ins (gzip, szip, shuffle...): checked by the codec registry itself
    parameters = codecs._constructor_parameters(codec_class)
    return {name: parameter.default for name, parameter in parameters.items()}


def _typed(method: str, name: str, value: Any, default: Any) -> Any:
    """The value with the type of the option's default (whole floats become integers), or CodecError."""
    prefix = f"{method} option {name!r} must be"
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise codecs.CodecError(f"{prefix} true or false, got {value!r}")
        return value
    if isinstance(default, int):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise codecs.CodecError(
                f"{method} option {name!r} must be an integer (like its default {default}), got {value!r}"
            )
        return value
    if isinstance(default, float) and (isinstance(value, bool) or not isinstance(value, (int, float))):
        raise codecs.CodecError(
            f"{method} option {name!r} must be a number (like its default {default}), got {value!r}"
        )
    if isinstance(default, str) and not isinstance(value, str):
        raise codecs.CodecError(
            f"{method} option {name!r} must be a text (like its default {default!r}), got {value!r}"
        )
    return value


def _compressor_names(backend: str, method: str) -> list[str] | None:
    """The inner compressors (``cname``) a Blosc-like codec offers, when the codec library tells them."""
    if backend == "zarr" and method == "blosc":
        from numcodecs import blosc

        return list(blosc.list_compressors())
    codec_class = codecs.available_compression_methods(backend).get(method)
    names = getattr(codec_class, f"_{getattr(codec_class, '__name__', '')}__COMPRESSIONS", None)  # hdf5plugin's table
    return sorted(names) if isinstance(names, Mapping) else None


def _in_choices(backend: str, method: str, name: str, value: Any) -> None:
    if name != "cname" or value is None:
        return
    choices = _compressor_names(backend, method)
    if choices is not None and value not in choices:
        raise codecs.CodecError(f"{method} option 'cname' must be one of {choices}, got {value!r}")


def _in_range(backend: str, method: str, name: str, value: Any) -> None:
    bounds = OPTION_RANGES.get((backend, method, name))
    if bounds is None:
        return
    low, high = bounds
    valid = isinstance(value, int) and not isinstance(value, bool) and value >= low and (high is None or value <= high)
    if not valid:
        allowed = f"from {low} to {high}" if high is not None else f"of at least {low}"
        raise codecs.CodecError(f"{method} option {name!r} must be an integer {allowed}, got {value!r}")


def checked_option_values(
    backend: str, method: str | None, options: Mapping[str, Any] | None, kind: str
) -> dict[str, Any] | None:
    """``options`` with each value checked (finite, of the default's type, in range) and whole floats made integers.

    Raises :class:`codecs.CodecError` naming the option and what it must be. Unknown option names are left to the
    codec registry, which lists the accepted ones.
    """
    if method is None or not options:
        return dict(options) if options else None
    defaults = _defaults(backend, method, kind)
    checked = {}
    for name, value in options.items():
        if not _finite(value):
            raise codecs.CodecError(f"{method} option {name!r} must be a finite number, got {value!r}")
        default = defaults.get(name, inspect.Parameter.empty)
        if default is not inspect.Parameter.empty and default is not None:
            value = _typed(method, name, value, default)
        _in_range(backend, method, name, value)
        _in_choices(backend, method, name, value)
        checked[name] = value
    return checked
