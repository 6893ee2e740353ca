"""Formatting for the HTML report: numbers, clock times and durations for reading, HTML escaping,
the names of exercises and warnings, and the settings a report was made with.

Numbers read well and stay exact: :func:`fmt_number` uses a true minus sign and an en dash for
"no value"; :func:`num_span` wraps a formatted number in a span whose ``data-value`` holds the
raw value as the JSON report has it (:func:`raw_value`), for tests and scripts.

Example:
    >>> fmt_clock(75), fmt_duration(75.2), raw_value(0.25)
    ('1:15.0', '1 min 15 s', '0.25')
    >>> num_span(3, "3", "rep_count")
    '<span class="num" data-key="rep_count" data-value="3">3</span>'
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping
from typing import Any, TypeGuard

from formcheck.config import Config

DASH = "\u2013"  # en dash: ranges, and "no value"
DEG = "\u00b0"
MINUS = "\u2212"  # a true minus sign
TIMES = "\u00d7"

EXERCISE_NAMES = {
    "glute_bridge": "Glute bridge",
    "plank": "Forearm plank",
    "cat_cow": "Cat-cow",
}
WARNING_TITLES = {
    "partial_rep": "Partial rep",
    "over_arch": "Over-arching",
    "hips_dropping": "Hips dropping at the top",
    "feet_too_close": "Feet too close",
    "feet_too_far": "Feet too far",
    "hips_sagging": "Hips sagging",
    "hips_piked": "Hips piked",
    "head_dropping": "Head dropping",
    "knees_down": "Knees down",
    "shallow_range": "Shallow range",
    "no_pause": "No pause at the ends",
    "rushing": "Rushing",
    "hips_off_knees": "Hips off the knees",
    "shoulders_off_hands": "Shoulders off the hands",
}

_DEFAULTS = Config()


# -- small formatters ---------------------------------------------------------------------------


def esc(value: Any) -> str:
    """Text escaped for HTML content and attributes."""
    return html.escape("" if value is None else str(value), quote=True)


def is_finite(value: Any) -> TypeGuard[float]:
    """Whether ``value`` is a finite int or float (bools are not numbers here)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def fmt_number(value: Any, digits: int = 1, *, signed: bool = False) -> str:
    """A number for reading: fixed decimals, a true minus sign, an en dash when missing.

    Example:
        >>> fmt_number(-18.25) == MINUS + "18.2", fmt_number(3, signed=True)
        (True, '+3.0')
        >>> fmt_number(None) == DASH
        True
    """
    if not is_finite(value):
        return DASH
    text = f"{value:+.{digits}f}" if signed else f"{value:.{digits}f}"
    return text.replace("-", MINUS)


def fmt_clock(t_s: Any) -> str:
    """A time in the recording as m:ss.s (h:mm:ss from an hour).

    Example:
        >>> fmt_clock(5.25), fmt_clock(75), fmt_clock(3725)
        ('0:05.2', '1:15.0', '1:02:05')
    """
    if not is_finite(t_s):
        return DASH
    t = max(0.0, float(t_s))
    if t >= 3600:
        whole = int(t)
        return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"
    minutes = int(t // 60)
    seconds = t - 60 * minutes
    text = f"{minutes}:{seconds:04.1f}"
    if text.endswith(":60.0"):  # 59.96 s rounds up
        text = f"{minutes + 1}:00.0"
    return text


def fmt_duration(seconds: Any) -> str:
    """A duration in plain words.

    Example:
        >>> fmt_duration(12.34), fmt_duration(75.2), fmt_duration(600)
        ('12.3 s', '1 min 15 s', '10 min')
    """
    if not is_finite(seconds):
        return DASH
    s = float(seconds)
    if s < 60:
        return f"{s:.1f} s"
    minutes, rest = divmod(round(s), 60)
    return f"{minutes} min {rest:02d} s" if rest else f"{minutes} min"


def raw_value(value: Any) -> str:
    """A number as written in the JSON report (for ``data-value``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if is_finite(value):
        return repr(float(value))
    return ""


def num_span(value: Any, text: str, key: str = "") -> str:
    """``text`` in a ``num`` span carrying the raw ``value`` (and its report ``key``)."""
    key_attr = f' data-key="{esc(key)}"' if key else ""
    return f'<span class="num"{key_attr} data-value="{raw_value(value)}">{esc(text)}</span>'


def setting(report: Mapping[str, Any], section: str, key: str) -> float:
    """A setting as stored in the report's ``config``, else formcheck's default."""
    stored = report.get("config", {}) or {}
    value = (stored.get(section) or {}).get(key) if isinstance(stored, Mapping) else None
    if is_finite(value):
        return float(value)
    return float(getattr(getattr(_DEFAULTS, section), key))
