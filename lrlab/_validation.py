"""Argument checks shared by every factory: fail at once, name the argument."""
from __future__ import annotations

import math
import numbers

import numpy as np

_INT64_MAX = 2 ** 63 - 1


def check_number(name: str, value, *, low=None, high=None, low_inclusive=True,
                 high_inclusive=True, integer=False) -> float:
    """Return ``value`` as a float (or int) after checking it is a finite real in range.

    Raises:
        TypeError: ``value`` is not a real number (bools are refused too).
        ValueError: ``value`` is NaN, infinite or outside ``[low, high]``.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        kind = "an integer" if integer else "a real number"
        raise TypeError(f"{name} must be {kind}, got {value!r} of type {type(value).__name__}")
    if integer and not float(value).is_integer():
        raise TypeError(f"{name} must be an integer, got {value!r}")
    v = float(value)
    if math.isnan(v) or math.isinf(v):
        raise ValueError(f"{name} must be finite, got {name}={value!r}")
    if integer and abs(v) > _INT64_MAX:
        raise ValueError(f"{name} must be at most {_INT64_MAX} in size (a 64-bit integer), got {name}={value!r}")
    lo_ok = low is None or (v >= low if low_inclusive else v > low)
    hi_ok = high is None or (v <= high if high_inclusive else v < high)
    if not (lo_ok and hi_ok):
        lo = "-inf" if low is None else repr(low)
        hi = "inf" if high is None else repr(high)
        lb = "[" if low_inclusive else "("
        hb = "]" if high_inclusive else ")"
        raise ValueError(f"{name} must be in {lb}{lo}, {hi}{hb}, got {name}={value!r}")
    return int(value) if integer else v


def check_lr_array(name: str, value) -> np.ndarray:
    """Check a learning rate (float or array of them): real, finite and >= 0."""
    arr = as_real_array(name, value, what="a non-negative float, an array of them or a schedule")
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite (no NaN or inf), got {name}={value!r}")
    if np.any(arr < 0):
        raise ValueError(f"{name} must be >= 0, got {name}={value!r}")
    return arr


def check_betas(name: str, betas) -> tuple[float, float]:
    """Check a pair of coefficients in [0, 1)."""
    try:
        b1, b2 = betas
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a pair (beta1, beta2), got {betas!r}") from None
    return (check_number(f"{name}[0]", b1, low=0.0, high=1.0, high_inclusive=False),
            check_number(f"{name}[1]", b2, low=0.0, high=1.0, high_inclusive=False))


def _real_dtype_problem(arr: np.ndarray) -> str | None:
    """Why ``arr`` is not an array of real numbers (None when it is)."""
    kind = arr.dtype.kind
    if kind in "iuf":
        return None
    if kind == "b":
        return "bools (True/False), not numbers"
    if kind == "c":
        return "complex numbers; only real numbers are accepted"
    if kind in "USa":
        return "strings; give numbers, e.g. 0.1 rather than '0.1'"
    if kind == "O":
        bads = [v for v in arr.flat if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Real)]
        if not bads:
            return None
        bad = bads[0]
        return f"an element {bad!r} of type {type(bad).__name__}, which is not a real number"
    return f"values of dtype {arr.dtype}, not real numbers"


def as_real_array(name: str, value, *, what: str = "an array of real numbers") -> np.ndarray:
    """``value`` as a float64 array, refusing strings, bools, complex numbers and ragged lists.

    Raises:
        TypeError: naming ``name`` and what is accepted.
    """
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be {what}, got {value!r}") from None
    problem = _real_dtype_problem(arr)
    if problem is not None:
        raise TypeError(f"{name} must be {what}; it holds {problem} (got {name}={value!r})")
    try:
        return np.asarray(arr, dtype=float)
    except (TypeError, ValueError, OverflowError):
        raise TypeError(f"{name} must be {what}, got {value!r}") from None


def check_flag(name: str, value) -> bool:
    """Check a flag is True or False (numpy bools too; 0/1, strings and None are refused)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {name}={value!r}")
    return bool(value)


def check_count(name: str, value, *, low: int = 1, high: int | None = None) -> int:
    """Check a count (a number of points, arrows, columns, ...): an integer in ``[low, high]``."""
    return check_number(name, value, low=low, high=high, integer=True)


def check_points(name: str, value, dim: int | None = None) -> np.ndarray:
    """Finite points of shape (..., d), d = ``dim`` when given (a float copy: callers may write to it)."""
    arr = np.array(as_real_array(name, value, what="an array of real numbers, shape (..., d)"), dtype=float)
    if arr.ndim == 0 or arr.shape[-1] == 0 or (dim is not None and arr.shape[-1] != dim):
        want = "d" if dim is None else str(dim)
        raise ValueError(f"{name} must have shape (..., {want}), got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite (no NaN or inf)")
    return arr


def check_choice(name: str, value, options) -> str:
    """Check ``value`` is one of the strings ``options``."""
    if not isinstance(value, str) or value not in options:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, options))}, got {name}={value!r}")
    return value


def check_instance(name: str, value, cls, what: str, *, optional: bool = False):
    """Check ``value`` is an instance of ``cls`` (``what`` says it in words), or None when ``optional``."""
    if value is None and optional:
        return None
    if not isinstance(value, cls):
        raise TypeError(f"{name} must be {what}{' or None' if optional else ''}, "
                        f"got {name}={value!r} of type {type(value).__name__}")
    return value


def check_text(name: str, value, *, optional: bool = False) -> str | None:
    """Check a string (or None when ``optional``)."""
    return check_instance(name, value, str, "a string", optional=optional)


def check_range(name: str, value, *, positive: bool = False, optional: bool = True) -> tuple | None:
    """Check a pair (low, high) of finite reals with low < high (both > 0 when ``positive``: a log axis)."""
    if value is None and optional:
        return None
    what = "a pair (low, high) of " + ("positive " if positive else "") + "finite numbers"
    arr = as_real_array(name, value, what=what)
    if arr.shape != (2,) or not np.all(np.isfinite(arr)) or not arr[0] < arr[1] or (positive and arr[0] <= 0):
        cond = "0 < low < high" if positive else "low < high"
        raise ValueError(f"{name} must be {what}, {cond}, got {name}={value!r}")
    return tuple(arr)


def check_list(name: str, value, n: int, *, what: str, per: str, item=None):
    """Check a list or tuple of exactly ``n`` entries, one per ``per``; ``item(name_i, v)`` checks each."""
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple, np.ndarray)):
        raise TypeError(f"{name} must be a list of {n} {what}, one per {per}, "
                        f"got {name}={value!r} of type {type(value).__name__}")
    if len(value) != n:
        raise ValueError(f"{name} must have {n} entr{'y' if n == 1 else 'ies'}, one per {per}, "
                         f"got {len(value)}: {name}={value!r}")
    if item is not None:
        for i, v in enumerate(value):
            item(f"{name}[{i}]", v)
    return value


def check_loss(name: str, value, *, dim: int | None = None, bounds: bool = False, grad: bool = True,
               optional: bool = False):
    """Check an lrlab loss: an object with ``value(x)`` and ``grad(x)`` (only ``value`` when ``grad`` is False:
    a plot), with a plotting window ``bounds`` when asked, of ``dim`` coordinates when it says its dimension."""
    if value is None and optional:
        return None
    if not (callable(getattr(value, "value", None)) and (not grad or callable(getattr(value, "grad", None)))):
        what = "an lrlab loss (an object with value(x) and grad(x))" + (" or None" if optional else "")
        raise TypeError(f"{name} must be {what}, got {name}={value!r} of type {type(value).__name__}")
    if bounds and getattr(value, "bounds", None) is None:
        raise TypeError(f"{name} has no plotting window ({name}.bounds); pass bounds=(low, high) "
                        f"or use an lrlab loss")
    if dim is not None:
        d = getattr(value, "dim", None)
        if d is None and getattr(value, "bounds", None) is not None:
            d = np.shape(value.bounds)[0]
        if d is not None and d != dim:
            raise ValueError(f"{name} must be a loss in {dim} dimension{'s' if dim > 1 else ''}, got one in {d}")
    return value
