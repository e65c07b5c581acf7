"""Small argument checks shared by the package: each error names the argument."""

from __future__ import annotations

import math
import numbers


def positive_int(name: str, value, *, minimum: int = 1) -> int:
    """Return ``value`` as an int, or raise naming ``name`` if it is not an int >=
    minimum.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"{name} must be an int >= {minimum}, got {type(value).__name__} {value!r}"
        )
    if value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value}")
    return int(value)


def nonneg_float(name: str, value, *, strictly_positive: bool = False) -> float:
    """Return ``value`` as a finite float >= 0 (> 0 if ``strictly_positive``), else
    raise naming it.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"{name} must be a real number, got {type(value).__name__} {value!r}"
        )
    value = float(value)
    if not math.isfinite(value) or value < 0 or (strictly_positive and value == 0):
        bound = "> 0" if strictly_positive else ">= 0"
        raise ValueError(f"{name} must be a finite number {bound}, got {value}")
    return value


def choice(name: str, value, allowed) -> str:
    """Return the lower-cased ``value`` if it is one of ``allowed``, else raise listing
    them.
    """
    if not isinstance(value, str):
        raise TypeError(
            f"{name} must be a string, one of {', '.join(allowed)}; got "
            f"{type(value).__name__}"
        )
    key = value.strip().lower()
    if key not in allowed:
        raise ValueError(
            f"{name}={value!r} is unknown; allowed values: {', '.join(allowed)}"
        )
    return key


def env_positive_int(name: str) -> int | None:
    """The environment variable ``name`` as an int >= 1, None when unset or empty; else
    ValueError naming it.
    """
    import os

    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise ValueError(f"{name}={raw!r} must be a positive integer")
    return value
