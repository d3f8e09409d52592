"""Argument checks shared by the package's modules: every array is checked for its type and shape
before it reaches the compiled library, so that a wrong argument raises InputError (a ValueError)
naming the argument and what was expected, never anything worse."""

from __future__ import annotations

import numbers
import os
import tempfile
from typing import Any, Optional

import numpy as np

from imcosim._core import InputError


def _numbers(name: str, value: Any, kinds: str, expected: str) -> np.ndarray:
    try:
        array = np.asarray(value)
    except (TypeError, ValueError) as error:
        raise InputError(f"{name}: expected {expected}, not {type(value).__name__} ({error})") \
            from error
    if array.dtype.kind not in kinds:
        raise InputError(f"{name}: expected {expected}, got an array of {array.dtype}")
    return array


def _shape_text(shape: tuple[Any, ...]) -> str:
    return "(" + ", ".join(str(extent) for extent in shape) + ("," if len(shape) == 1 else "") + ")"


def _check_shape(name: str, array: np.ndarray, expected: tuple[Any, ...], meaning: str) -> None:
    """`expected` holds an int for each extent that must match and a letter for a free one."""
    fits = array.ndim == len(expected) and all(
        not isinstance(extent, int) or actual == extent
        for actual, extent in zip(array.shape, expected))
    if not fits or array.size == 0:
        raise InputError(f"{name}: expected shape {_shape_text(expected)} ({meaning}), got shape "
                         f"{_shape_text(array.shape)}")


def float_array(name: str, value: Any, expected: tuple[Any, ...], meaning: str) -> np.ndarray:
    """`value` as a C-contiguous float64 array of the `expected` shape (see _check_shape)."""
    array = _numbers(name, value, "iuf", "an array of real numbers")
    _check_shape(name, array, expected, meaning)
    return np.ascontiguousarray(array, dtype=np.float64)


def integer_array(name: str, value: Any, expected: tuple[Any, ...], meaning: str,
                  dtype: type = np.int8) -> np.ndarray:
    """`value` as a C-contiguous array of `dtype` (int8 or int32); integers outside its range
    are refused rather than wrapped."""
    limits = np.iinfo(dtype)
    array = _numbers(name, value, "iu", f"an array of {limits.dtype} values (any integer type)")
    _check_shape(name, array, expected, meaning)
    if array.dtype != dtype and (array.min() < limits.min or array.max() > limits.max):
        raise InputError(f"{name}: values from {array.min()} to {array.max()} do not fit "
                         f"{limits.dtype} ({limits.min} ... {limits.max})")
    return np.ascontiguousarray(array, dtype=dtype)


def real(name: str, value: Any) -> float:
    """A real number; its range is the library's to check."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InputError(f"{name}: expected a real number, not {value!r}")
    return float(value)


def positive_int(name: str, value: Any, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise InputError(f"{name}: expected an integer >= {minimum}, not {value!r}")
    return int(value)


def positive_real(name: str, value: Any) -> float:
    number = real(name, value)
    if not number > 0.0 or number == float("inf"):
        raise InputError(f"{name}: expected a finite number > 0, not {value!r}")
    return number


def choice(name: str, value: Any, choices: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in choices:
        raise InputError(f"{name}: expected one of {', '.join(choices)}, not {value!r}")
    return str(value)


def path(name: str, value: Any) -> str:
    if not isinstance(value, (str, os.PathLike)):
        raise InputError(f"{name}: expected a file name (str or os.PathLike), not {value!r}")
    return os.fspath(value)


def optional_path(name: str, value: Any) -> Optional[str]:
    return None if value is None else path(name, value)


def neuron_cache_directory(cache_dir: Any = None) -> str:
    """Where neuron characterisations are cached: `cache_dir`, else the CLI's default
    ($XDG_CACHE_HOME/imcosim, ~/.cache/imcosim, or a directory under the temporary directory),
    so that Python and the CLI share one cache."""
    if cache_dir is not None:
        return path("cache_dir", cache_dir)
    if os.environ.get("XDG_CACHE_HOME"):
        return os.path.join(os.environ["XDG_CACHE_HOME"], "imcosim")
    if os.environ.get("HOME"):
        return os.path.join(os.environ["HOME"], ".cache", "imcosim")
    return os.path.join(tempfile.gettempdir(), "imcosim-cache")
