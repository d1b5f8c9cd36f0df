"""Argument checking shared by every public function.

Bad input must fail at the door with a message that names the argument and the values it
may take, never as a wrong answer or a crash deep inside NumPy. Each helper returns the
cleaned value so callers can write ``lr = nonnegative("lr", lr)``.
"""

import numbers

import numpy as np

__all__ = [
    "real",
    "nonnegative",
    "positive",
    "in_range",
    "positive_int",
    "nonnegative_int",
    "as_float_array",
    "same_shape",
    "choice",
]


def real(name, value):
    """A finite real number (bool is refused: ``lr=True`` is a bug, not 1.0)."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value}")
    return value


def nonnegative(name, value):
    """A finite real number ≥ 0."""
    return _at_least(name, real(name, value), 0)


def positive(name, value):
    """A finite real number > 0."""
    return _at_least(name, real(name, value), 0, strict=True)


def in_range(name, value, low, high, *, low_closed=True, high_closed=False):
    """A finite real number in an interval; the default is [low, high)."""
    value = real(name, value)
    above = value >= low if low_closed else value > low
    below = value <= high if high_closed else value < high
    if not (above and below):
        interval = f"{'[' if low_closed else '('}{low}, {high}{']' if high_closed else ')'}"
        raise ValueError(f"{name} must be in {interval}, got {value}")
    return value


def _integer(name, value):
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} {value!r}")
    return int(value)


def positive_int(name, value):
    """An integer ≥ 1."""
    return _at_least(name, _integer(name, value), 1, what="an integer ")


def nonnegative_int(name, value):
    """An integer ≥ 0."""
    return _at_least(name, _integer(name, value), 0, what="an integer ")


def _at_least(name, value, low, *, strict=False, what=""):
    """``value`` if it is ≥ ``low`` (> with ``strict``), else a ValueError that says so."""
    if value < low or (strict and value == low):
        raise ValueError(f"{name} must be {what}{'>' if strict else '≥'} {low}, got {value}")
    return value


def as_float_array(name, value, *, allow_nonfinite=False):
    """A float NumPy array: float32 stays float32, everything else becomes float64.

    Refuses strings, objects, complex numbers and (unless allowed) NaN or inf, which would
    otherwise travel silently through an update and come out as a wrong answer.
    """
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name} must be a number or an array of numbers, got {value!r}")
    try:
        array = np.asarray(value)
    except Exception as error:  # ragged lists and the like
        raise TypeError(f"{name} must be a number or an array of numbers ({error})") from None
    if array.dtype == bool or array.dtype.kind not in "iuf":
        raise TypeError(f"{name} must hold real numbers, got an array of dtype {array.dtype}")
    array = array.astype(np.float32 if array.dtype == np.float32 else np.float64, copy=False)
    if not allow_nonfinite and not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or inf; it must hold finite numbers")
    return array


def same_shape(reference_name, reference, **others):
    """Every array in ``others`` has the shape of ``reference``."""
    for name, array in others.items():
        if np.shape(array) != np.shape(reference):
            raise ValueError(
                f"{name} has shape {np.shape(array)} but {reference_name} has shape "
                f"{np.shape(reference)}; they must match"
            )


def choice(name, value, allowed):
    """One of a fixed set of values."""
    if value not in allowed:
        options = ", ".join(repr(option) for option in allowed)
        raise ValueError(f"{name} must be one of {options}; got {value!r}")
    return value
