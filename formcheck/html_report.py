"""A self-contained HTML report for the person exercising and their physiotherapist.

:func:`render_html` turns a report dict (schema ``formcheck.report/1``) into one HTML page with
everything inline: CSS, and SVG plots drawn here in Python. No scripts, no web fonts, no CDN:
it opens offline in any browser and prints cleanly (shading kept, no card or table split
across pages).

The page holds, in order: a header (recording, date, duration, exercises); summary cards
(reps or rounds, hold time, good-form time and share, form warnings, measured share); one
section per set with the key measure plotted over time (from ``set["trace"]``, see
:mod:`formcheck.traces`) with reps, holds, fault episodes, unmeasured gaps and the target zone
shaded, a table of its reps, rounds or holds, and its warnings in plain words; the cues given;
plain-language advice drawn from the results; and the gaps in coverage.

Every number a test or a script may want carries its raw value in a ``data-value`` attribute,
and the main elements have stable ids: ``card-reps``, ``card-hold-time``, ``card-good-form``,
``card-warnings``, ``card-measured``, ``set-<i>``, ``plot-<i>``, ``table-<i>``,
``warnings-<i>`` (``i`` counts sets from 0), ``cues``, ``advice``, ``coverage``.

Example:
    >>> page = render_html({"source": {"name": "demo.mp4", "duration_s": 12.0}, "sets": [],
    ...     "summary": {"rep_count": 0}, "coverage": {"measured_fraction": 0.0, "gaps": []}})
    >>> page.startswith("<!DOCTYPE html>") and "demo.mp4" in page
    True
"""

from __future__ import annotations

import datetime as dt
import html
import math
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeGuard

from formcheck.config import Config
from formcheck.outputs import write_text_atomic

DASH = "\u2013"  # en dash: ranges, and "no value"
MINUS = "\u2212"  # a true minus sign
TIMES = "\u00d7"

#: The colour of the measured line in the plots (tests look for it in screenshots).
LINE_COLOUR = "#0b6e85"

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


@dataclass(frozen=True)
class Advice:
    """One piece of plain-language advice.

    Attributes:
        key: What it is about: a warning type, or "no_faults", "hold_target", "top_pause",
            "coverage", "nothing_found".
        title: A short heading.
        text: One or two sentences, in plain words.
        tone: "praise", "tip" or "note".
    """

    key: str
    title: str
    text: str
    tone: str = "tip"


#: Advice per warning type: (title, text).
ADVICE: dict[str, tuple[str, str]] = {
    "partial_rep": (
        "Lift all the way up",
        "Some reps stopped short of a straight line from shoulders to knees. Push through your "
        "heels and squeeze your glutes until your hips are level with them; a few full reps do "
        "more than many half ones.",
    ),
    "over_arch": (
        "Stop at a straight line",
        "At the top your hips went past straight, which arches the lower back. Lift until "
        "shoulders, hips and knees line up, and keep your ribs down.",
    ),
    "hips_dropping": (
        "Keep the top steady",
        "Your hips sank during the pause at the top. Keep squeezing your glutes through the "
        "pause: a shorter steady pause is better than a long sinking one.",
    ),
    "feet_too_close": (
        "Feet a little further away",
        "Your feet were close to your hips, which loads the knees. Move them out until your "
        "shins are about upright at the top.",
    ),
    "feet_too_far": (
        "Feet a little closer",
        "Your feet were far from your hips, which shifts the work to the hamstrings. Bring "
        "them in until your shins are about upright at the top.",
    ),
    "hips_sagging": (
        "Hold your hips up",
        "Your hips sagged below the line from shoulders to heels. Squeeze your glutes and "
        "brace your tummy as if about to be poked; if they keep sagging, shorten the hold or "
        "drop to a knee plank and build up.",
    ),
    "hips_piked": (
        "Lower your hips into line",
        "Your hips rose above a straight line. Lower them until shoulders, hips and heels "
        "line up; lifting them takes the work away from your core.",
    ),
    "head_dropping": (
        "Keep your neck long",
        "Your head hung below the line of your back. Look at the floor just ahead of your "
        "hands, so your head stays in line with your spine.",
    ),
    "knees_down": (
        "Knees off the floor, or a knee plank",
        "Your knees touched down during the forearm plank. Build up with shorter full holds, "
        "or switch to a knee plank on purpose until the full plank feels steady.",
    ),
    "shallow_range": (
        "Move a little further",
        "Your back moved through a small range. Round up towards the ceiling, then let your "
        "tummy sink gently, as far as is comfortable, without forcing it.",
    ),
    "no_pause": (
        "Pause at each end",
        "You turned round at the ends without a pause. Rest for a breath when fully rounded "
        "and when fully arched.",
    ),
    "rushing": (
        "Slow down",
        "The rounds were quick. Take at least 4 seconds per round: breathe out as you round "
        "your back, breathe in as you arch.",
    ),
    "hips_off_knees": (
        "Hips over knees",
        "Your hips drifted forward or back. Keep your thighs upright, hips right above your "
        "knees, and move only your spine.",
    ),
    "shoulders_off_hands": (
        "Shoulders over hands",
        "Your shoulders drifted from above your hands. Keep your arms upright and let the "
        "movement come from your back.",
    ),
}

#: The settings shown at the foot of the report: (section, key, label) per exercise.
SHOWN_SETTINGS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "glute_bridge": (
        ("bridge", "partial_margin_deg", "partial rep: top short of 180° by more than"),
        ("bridge", "over_arch_margin_deg", "over-arching: top past 180° by more than"),
        ("bridge", "target_top_hold_s", "pause at the top to aim for"),
    ),
    "plank": (
        ("plank", "sag_deg", "hips sagging: alignment below minus"),
        ("plank", "pike_deg", "hips piked: alignment above"),
        ("plank", "target_hold_s", "hold target"),
    ),
    "cat_cow": (
        ("cat_cow", "min_range_deg", "shallow range: a round's range under"),
        ("cat_cow", "min_pause_s", "no pause: still at an end for less than"),
        ("cat_cow", "min_round_time_s", "rushing: a round faster than"),
    ),
}

_DEFAULTS = Config()


# -- small formatters ---------------------------------------------------------------------------


def esc(value: Any) -> str:
    """Text escaped for HTML content and attributes."""
    return html.escape("" if value is None else str(value), quote=True)


def _finite(value: Any) -> TypeGuard[float]:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def fmt_number(value: Any, digits: int = 1, *, signed: bool = False) -> str:
    """A number for reading: fixed decimals, a true minus sign, an en dash when missing.

    Example:
        >>> fmt_number(-18.25) == MINUS + "18.2", fmt_number(3, signed=True)
        (True, '+3.0')
        >>> fmt_number(None) == DASH
        True
    """
    if not _finite(value):
        return DASH
    text = f"{value:+.{digits}f}" if signed else f"{value:.{digits}f}"
    return text.replace("-", MINUS)


def fmt_clock(t_s: Any) -> str:
    """A time in the recording as m:ss.s (h:mm:ss from an hour).

    Example:
        >>> fmt_clock(5.25), fmt_clock(75), fmt_clock(3725)
        ('0:05.2', '1:15.0', '1:02:05')
    """
    if not _finite(t_s):
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
    if not _finite(seconds):
        return DASH
    s = float(seconds)
    if s < 60:
        return f"{s:.1f} s"
    minutes, rest = divmod(round(s), 60)
    return f"{minutes} min {rest:02d} s" if rest else f"{minutes} min"


def _raw(value: Any) -> str:
    """A number as written in the JSON report (for ``data-value``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if _finite(value):
        return repr(float(value))
    return ""


def _num_span(value: Any, text: str, key: str = "") -> str:
    key_attr = f' data-key="{esc(key)}"' if key else ""
    return f'<span class="num"{key_attr} data-value="{_raw(value)}">{esc(text)}</span>'


def setting(report: Mapping[str, Any], section: str, key: str) -> float:
    """A setting as stored in the report's ``config``, else formcheck's default."""
    stored = report.get("config", {}) or {}
    value = (stored.get(section) or {}).get(key) if isinstance(stored, Mapping) else None
    if _finite(value):
        return float(value)
    return float(getattr(getattr(_DEFAULTS, section), key))


# -- the plot -----------------------------------------------------------------------------------

PLOT_W, PLOT_H = 960, 320
MARGIN_L, MARGIN_R, MARGIN_T, MARGIN_B = 64, 18, 30, 44


def _nice_step(span: float, target: int, steps: Sequence[float] | None = None) -> float:
    raw = span / max(target, 1)
    if steps:
        return next((s for s in steps if s >= raw), steps[-1])
    if raw <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)


TIME_STEPS = (0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600)


def _ticks(lo: float, hi: float, step: float) -> list[float]:
    first = math.ceil(lo / step - 1e-9) * step
    count = math.floor((hi - first) / step + 1e-9) + 1
    return [round(first + i * step, 6) for i in range(max(count, 0))]


def target_zone(report: Mapping[str, Any], exercise: str) -> tuple[float, float, str] | None:
    """(low, high, label) of the measure's target zone for an exercise, from the settings."""
    if exercise == "glute_bridge":
        return (
            180.0 - setting(report, "bridge", "partial_margin_deg"),
            180.0 + setting(report, "bridge", "over_arch_margin_deg"),
            "target zone at the top",
        )
    if exercise == "plank":
        return (
            -setting(report, "plank", "sag_deg"),
            setting(report, "plank", "pike_deg"),
            "good alignment",
        )
    return None


def _reference(exercise: str) -> float | None:
    return {"glute_bridge": 180.0, "plank": 0.0, "cat_cow": 0.0}.get(exercise)


def _spans(block: Mapping[str, Any]) -> list[tuple[str, float, float, str]]:
    """(class, start, end, label) of the reps, rounds and holds of a set."""
    out = []
    round_word = "round" if block.get("exercise") == "cat_cow" else "rep"
    for rep in block.get("reps", []) or []:
        if _finite(rep.get("start_s")) and _finite(rep.get("end_s")):
            out.append((f"shade-{round_word}", rep["start_s"], rep["end_s"], str(rep.get("index"))))
    for hold in block.get("holds", []) or []:
        if _finite(hold.get("start_s")) and _finite(hold.get("end_s")):
            out.append(("shade-hold", hold["start_s"], hold["end_s"], f"Hold {hold.get('index')}"))
    return out


def _faults(block: Mapping[str, Any]) -> list[tuple[float, float, str]]:
    """The set's warnings as (start, end, titles), overlapping ones merged (so that two faults
    at once do not shade darker than one)."""
    found = sorted(
        (float(w["start_s"]), float(w["end_s"]), WARNING_TITLES.get(str(w.get("type")), ""))
        for w in block.get("warnings", []) or []
        if _finite(w.get("start_s")) and _finite(w.get("end_s"))
    )
    merged: list[tuple[float, float, list[str]]] = []
    for a, b, title in found:
        if merged and a <= merged[-1][1]:
            start, end, titles = merged[-1]
            merged[-1] = (start, max(end, b), titles if title in titles else [*titles, title])
        else:
            merged.append((a, b, [title]))
    return [(a, b, ", ".join(t for t in titles if t)) for a, b, titles in merged]


def _gaps(report: Mapping[str, Any]) -> list[tuple[float, float]]:
    gaps = (report.get("coverage") or {}).get("gaps") or []
    return [(a, b) for a, b in gaps if _finite(a) and _finite(b)]


def plot_svg(report: Mapping[str, Any], block: Mapping[str, Any], index: int) -> str:
    """The SVG plot of set ``index``'s key measure over time (see module docs).

    The plot is drawn from ``block["trace"]``; without it a short note says why there is none.
    """
    trace = block.get("trace")
    if not isinstance(trace, Mapping) or not trace.get("t_s"):
        return (
            f'<p class="no-plot" id="plot-{index}-missing">No plot: this report holds no trace '
            "of the measure over time (reports made before traces were added, or with them "
            "turned off, lack it). The tables below have every rep and hold.</p>"
        )
    exercise = str(block.get("exercise", ""))
    times = [float(t) if _finite(t) else math.nan for t in trace.get("t_s", [])]
    values = [float(v) if _finite(v) else math.nan for v in trace.get("values", [])]
    n = min(len(times), len(values))
    times, values = times[:n], values[:n]
    finite_t = [t for t in times if math.isfinite(t)]
    t0 = min([*finite_t, *([block["start_s"]] if _finite(block.get("start_s")) else [])])
    t1 = max([*finite_t, *([block["end_s"]] if _finite(block.get("end_s")) else [])])
    if t1 - t0 < 1.0:
        t1 = t0 + 1.0
    zone = target_zone(report, exercise)
    reference = _reference(exercise)
    seen = [v for v in values if math.isfinite(v)]
    y0, y1 = _value_range(block, times, values, zone, reference)

    left, right = MARGIN_L, PLOT_W - MARGIN_R
    top, bottom = MARGIN_T, PLOT_H - MARGIN_B

    def x(t: float) -> float:
        return left + (t - t0) / (t1 - t0) * (right - left)

    def y(v: float) -> float:
        return bottom - (v - y0) / (y1 - y0) * (bottom - top)

    def clip_x(t: float) -> float:
        return min(max(x(t), left), right)

    label = str(trace.get("label") or trace.get("measure") or "measure")
    unit = str(trace.get("unit") or "")
    unit_text = "°" if unit == "deg" else unit
    width, height = right - left, bottom - top
    parts: list[str] = [
        f'<svg class="plot" id="plot-{index}" role="img" viewBox="0 0 {PLOT_W} {PLOT_H}" '
        f'preserveAspectRatio="xMidYMid meet" data-t0="{t0:.3f}" data-t1="{t1:.3f}" '
        f'data-y0="{y0:.2f}" data-y1="{y1:.2f}" data-points="{len(seen)}" '
        f'aria-label="{esc(label)} over time, set {index + 1}">',
        f"<title>{esc(label)} over time, set {index + 1}</title>",
        f'<defs><clipPath id="plot-{index}-area"><rect x="{left}" y="{top}" width="{width}" '
        f'height="{height}"/></clipPath></defs>',
        f'<rect class="plot-bg" x="{left}" y="{top}" width="{width}" height="{height}"/>',
    ]
    # shaded stretches, back to front: gaps, reps/holds, target zone, faults
    for a, b in _gaps(report):
        if b > t0 and a < t1:
            parts.append(
                f'<rect class="shade-gap" x="{clip_x(a):.1f}" y="{top}" '
                f'width="{clip_x(b) - clip_x(a):.1f}" height="{height}"/>'
            )
    labels: list[str] = []
    for cls, a, b, span_label in _spans(block):
        xa, xb = clip_x(a), clip_x(b)
        parts.append(
            f'<rect class="{cls}" x="{xa:.1f}" y="{top}" width="{max(xb - xa, 1):.1f}" '
            f'height="{height}"/>'
        )
        text = span_label if (xb - xa) > 8 * len(span_label) else span_label.split()[-1]
        labels.append(
            f'<text class="span-label" x="{(xa + xb) / 2:.1f}" y="{top - 9}" '
            f'text-anchor="middle">{esc(text)}</text>'
        )
    if zone:
        lo, hi, zone_label = zone
        y_hi, y_lo = max(y(hi), top), min(y(lo), bottom)
        if y_lo > y_hi:
            parts.append(
                f'<rect class="band-target" x="{left}" y="{y_hi:.1f}" width="{width}" '
                f'height="{y_lo - y_hi:.1f}"/>'
            )
            for edge in (y(hi), y(lo)):
                if top <= edge <= bottom:
                    parts.append(
                        f'<line class="band-edge" x1="{left}" x2="{right}" y1="{edge:.1f}" '
                        f'y2="{edge:.1f}"/>'
                    )
            labels.append(
                f'<text class="band-label" x="{right - 6}" y="{y_hi + 14:.1f}" '
                f'text-anchor="end">{esc(zone_label)}</text>'
            )
    for a, b, kind in _faults(block):
        xa, xb = clip_x(a), clip_x(b)
        span = max(xb - xa, 2)
        parts.append(
            f'<rect class="shade-fault" x="{xa:.1f}" y="{top}" width="{span:.1f}" '
            f'height="{height}"><title>{esc(kind)}</title></rect>'
            f'<rect class="fault-strip" x="{xa:.1f}" y="{bottom - 6}" width="{span:.1f}" '
            'height="6"/>'
        )
    # grid and axes
    y_step = _nice_step(y1 - y0, 5)
    for v in _ticks(y0, y1, y_step):
        parts.append(
            f'<line class="grid" x1="{left}" x2="{right}" y1="{y(v):.1f}" y2="{y(v):.1f}"/>'
            f'<text class="tick" x="{left - 8}" y="{y(v) + 4:.1f}" text-anchor="end">'
            f"{esc(fmt_number(v, 0 if y_step >= 1 else 1))}</text>"
        )
    if reference is not None and y0 < reference < y1:
        parts.append(
            f'<line class="reference" x1="{left}" x2="{right}" y1="{y(reference):.1f}" '
            f'y2="{y(reference):.1f}"/>'
        )
    t_step = _nice_step(t1 - t0, 8, TIME_STEPS)
    for t in _ticks(t0, t1, t_step):
        label_t = fmt_clock(t).removesuffix(".0") if t_step >= 1 else fmt_clock(t)
        parts.append(
            f'<line class="tick-mark" x1="{x(t):.1f}" x2="{x(t):.1f}" y1="{bottom}" '
            f'y2="{bottom + 5}"/><text class="tick" x="{x(t):.1f}" y="{bottom + 18}" '
            f'text-anchor="middle">{esc(label_t)}</text>'
        )
    parts.append(
        f'<line class="axis" x1="{left}" x2="{right}" y1="{bottom}" y2="{bottom}"/>'
        f'<line class="axis" x1="{left}" x2="{left}" y1="{top}" y2="{bottom}"/>'
        f'<text class="axis-title" x="{(left + right) / 2:.0f}" y="{PLOT_H - 6}" '
        'text-anchor="middle">time in the recording (min:s)</text>'
        f'<text class="axis-title" transform="translate(16 {(top + bottom) / 2:.0f}) '
        f'rotate(-90)" text-anchor="middle">{esc(label)}'
        f"{f' ({unit_text})' if unit_text else ''}</text>"
    )
    # the measured line, broken where nothing was measured, clipped to the plot area
    d = _path(times, values, x, y)
    if d:
        parts.append(
            f'<path class="trace-line" clip-path="url(#plot-{index}-area)" '
            f'stroke="{LINE_COLOUR}" d="{d}"/>'
        )
    else:
        parts.append(
            f'<text class="empty-note" x="{(left + right) / 2:.0f}" y="{(top + bottom) / 2:.0f}" '
            'text-anchor="middle">nothing could be measured in this set</text>'
        )
    parts += labels
    parts.append("</svg>")
    return "".join(parts)


def _value_range(
    block: Mapping[str, Any],
    times: Sequence[float],
    values: Sequence[float],
    zone: tuple[float, float, str] | None,
    reference: float | None,
) -> tuple[float, float]:
    """The plot's value range: the target zone and the values that matter (those during the
    holds of a plank set, so getting up off the floor does not flatten the hold; else all)."""
    seen = [(t, v) for t, v in zip(times, values, strict=True) if math.isfinite(v)]
    holds = [
        (h["start_s"], h["end_s"])
        for h in block.get("holds") or []
        if _finite(h.get("start_s")) and _finite(h.get("end_s"))
    ]
    if holds:
        inside = [v for t, v in seen if any(a <= t <= b for a, b in holds)]
        focus = inside or [v for _, v in seen]
    else:
        focus = [v for _, v in seen]
    marks = [*focus, *((zone[0], zone[1]) if zone else ())]
    if reference is not None:
        marks.append(reference)
    lo, hi = (min(marks), max(marks)) if marks else (-1.0, 1.0)
    pad = max((hi - lo) * 0.06, 2.0)
    return lo - pad, hi + pad


def _path(
    times: Sequence[float],
    values: Sequence[float],
    x: Callable[[float], float],
    y: Callable[[float], float],
) -> str:
    """SVG path data through the finite points, a new subpath after each missing value."""
    segments: list[list[str]] = []
    current: list[str] = []
    for t, v in zip(times, values, strict=True):
        if math.isfinite(t) and math.isfinite(v):
            current.append(f"{x(t):.1f},{y(v):.1f}")
        elif current:
            segments.append(current)
            current = []
    if current:
        segments.append(current)
    return " ".join(
        ("M" + seg[0] + " L" + " ".join(seg[1:])) if len(seg) > 1 else f"M{seg[0]} l0.1,0"
        for seg in segments
    )


def _legend(block: Mapping[str, Any], report: Mapping[str, Any]) -> str:
    exercise = str(block.get("exercise", ""))
    trace = block.get("trace") or {}
    items = [("swatch-line", str(trace.get("label") or "measure"))]
    zone = target_zone(report, exercise)
    if zone:
        items.append(
            ("swatch-target", f"{zone[2]} ({fmt_number(zone[0], 0)} to {fmt_number(zone[1], 0)}°)")
        )
    if block.get("reps"):
        items.append(("swatch-rep", "round" if exercise == "cat_cow" else "rep"))
    if block.get("holds"):
        items.append(("swatch-hold", "hold"))
    if block.get("warnings"):
        items.append(("swatch-fault", "form warning"))
    if _gaps(report):
        items.append(("swatch-gap", "not measurable"))
    cells = "".join(
        f'<span class="legend-item"><span class="swatch {cls}"></span>{esc(text)}</span>'
        for cls, text in items
    )
    return f'<div class="legend">{cells}</div>'


# -- sections -----------------------------------------------------------------------------------


def _exercises(report: Mapping[str, Any]) -> list[str]:
    sets = report.get("sets", []) or []
    return list(dict.fromkeys(str(s.get("exercise", "")) for s in sets))


def _hold_time_label(exercises: Iterable[str]) -> str:
    ex = set(exercises)
    if ex == {"plank"}:
        return "Plank hold time"
    if ex == {"glute_bridge"}:
        return "Time paused at the top"
    if "plank" in ex and "glute_bridge" in ex:
        return "Hold time (planks + bridge pauses)"
    return "Hold time"


def _card(card_id: str, value: Any, text: str, label: str, note: str = "") -> str:
    note_html = f'<div class="card-note">{note}</div>' if note else ""
    return (
        f'<div class="card" id="{card_id}"><div class="card-value" data-value="{_raw(value)}">'
        f'{esc(text)}</div><div class="card-label">{esc(label)}</div>{note_html}</div>'
    )


def _cards(report: Mapping[str, Any]) -> str:
    summary = report.get("summary", {}) or {}
    sets = report.get("sets", []) or []
    exercises = _exercises(report)
    cards: list[str] = []
    rep_sets = [s for s in sets if s.get("exercise") in ("glute_bridge", "cat_cow")]
    if rep_sets or not sets:
        words = {s.get("exercise") for s in rep_sets}
        label = (
            "Rounds"
            if words == {"cat_cow"}
            else "Reps"
            if words <= {"glute_bridge"}
            else ("Reps and rounds")
        )
        count = summary.get("rep_count", 0)
        good = sum(
            (s.get("summary") or {}).get(
                "good_reps", (s.get("summary") or {}).get("good_rounds", 0)
            )
            or 0
            for s in rep_sets
        )
        note = (
            f"{_num_span(good, str(good), 'good_reps')} with good form"
            if rep_sets
            else "none counted"
        )
        cards.append(_card("card-reps", count, str(count), label, note))
    holds = [h for s in sets for h in (s.get("holds") or [])]
    if any(s.get("exercise") == "plank" for s in sets):
        cards.append(
            _card(
                "card-holds",
                len(holds),
                str(len(holds)),
                "Plank holds" if len(holds) != 1 else "Plank hold",
            )
        )
    hold_s = summary.get("hold_s", 0.0) or 0.0
    good_s = summary.get("good_form_s", 0.0) or 0.0
    if hold_s or any(s.get("exercise") in ("plank", "glute_bridge") for s in sets):
        cards.append(
            _card("card-hold-time", hold_s, fmt_duration(hold_s), _hold_time_label(exercises))
        )
        share = good_s / hold_s if hold_s else None
        share_text = (
            f"{_num_span(share, f'{share * 100:.0f}%', 'good_form_share')} of the hold time"
            if share is not None
            else "no hold time"
        )
        cards.append(
            _card("card-good-form", good_s, fmt_duration(good_s), "In good form", share_text)
        )
    warnings = summary.get("warning_count", 0)
    cards.append(
        _card(
            "card-warnings",
            warnings,
            str(warnings),
            "Form warning" if warnings == 1 else "Form warnings",
        )
    )
    measured = (report.get("coverage") or {}).get("measured_fraction")
    gaps = _gaps(report)
    cards.append(
        _card(
            "card-measured",
            measured,
            f"{measured * 100:.0f}%" if _finite(measured) else DASH,
            "Of the recording measured",
            f"{len(gaps)} gap{'s' if len(gaps) != 1 else ''}" if gaps else "no gaps",
        )
    )
    return f'<section class="cards" id="summary">{"".join(cards)}</section>'


def _header(report: Mapping[str, Any], title: str | None, generated: dt.datetime) -> str:
    source = report.get("source", {}) or {}
    name = source.get("name") or Path(str(source.get("path") or "")).name or "recording"
    exercises = _exercises(report)
    ex_text = ", ".join(EXERCISE_NAMES.get(e, e) for e in exercises) or "none recognised"
    when = report.get("created_at") or report.get("recorded_at")
    rows = [
        ("Recording", esc(name), "meta-source"),
        (
            "Report made",
            esc(when) if when else esc(generated.strftime("%d %b %Y, %H:%M")),
            "meta-date",
        ),
        (
            "Duration",
            _num_span(source.get("duration_s"), fmt_duration(source.get("duration_s"))),
            "meta-duration",
        ),
        ("Exercises", esc(ex_text), "meta-exercises"),
    ]
    if _finite(source.get("width")) and _finite(source.get("height")):
        fps = source.get("fps")
        video = f"{source['width']}{TIMES}{source['height']}" + (
            f", {fps:.0f} frames/s" if _finite(fps) else ""
        )
        rows.append(("Video", esc(video), "meta-video"))
    meta = "".join(
        f'<div class="meta-item" id="{mid}"><dt>{label}</dt><dd>{value}</dd></div>'
        for label, value, mid in rows
    )
    notes = []
    if source.get("interrupted"):
        notes.append("The analysis was stopped early: this report covers what was measured.")
    if source.get("truncated"):
        notes.append("The video file ended early (truncated): the end of it is missing.")
    note_html = "".join(f'<p class="notice">{esc(n)}</p>' for n in notes)
    return (
        '<header class="report-header"><div class="brand">formcheck</div>'
        f'<h1 id="title">{esc(title or "Exercise report")}</h1>'
        f'<dl class="meta">{meta}</dl>{note_html}</header>'
    )


def _set_summary(report: Mapping[str, Any], block: Mapping[str, Any]) -> str:
    s = block.get("summary", {}) or {}
    ex = block.get("exercise")
    bits: list[str] = []
    if ex == "glute_bridge":
        bits.append(
            f"{_num_span(s.get('rep_count'), str(s.get('rep_count', 0)), 'rep_count')} "
            f"reps, {_num_span(s.get('good_reps'), str(s.get('good_reps', 0)), 'good_reps')}"
            " with good form"
        )
        if _finite(s.get("mean_peak_hip_angle_deg")):
            bits.append(
                "mean hip angle at the top "
                + _num_span(
                    s["mean_peak_hip_angle_deg"],
                    fmt_number(s["mean_peak_hip_angle_deg"]) + "°",
                    "mean_peak_hip_angle_deg",
                )
            )
        if _finite(s.get("mean_top_hold_s")):
            target = s.get("target_top_hold_s")
            bits.append(
                "mean pause at the top "
                + _num_span(
                    s["mean_top_hold_s"], fmt_duration(s["mean_top_hold_s"]), "mean_top_hold_s"
                )
                + (f" (aim for {esc(fmt_duration(target))})" if _finite(target) else "")
            )
    elif ex == "cat_cow":
        bits.append(
            f"{_num_span(s.get('rep_count'), str(s.get('rep_count', 0)), 'rep_count')} "
            "rounds, "
            f"{_num_span(s.get('good_rounds'), str(s.get('good_rounds', 0)), 'good_rounds')}"
            " without a fault"
        )
        if _finite(s.get("mean_range_deg")):
            bits.append(
                "mean range "
                + _num_span(
                    s["mean_range_deg"], fmt_number(s["mean_range_deg"]) + "°", "mean_range_deg"
                )
            )
        if _finite(s.get("mean_round_s")):
            bits.append(
                "mean round "
                + _num_span(s["mean_round_s"], fmt_duration(s["mean_round_s"]), "mean_round_s")
            )
    elif ex == "plank":
        count = s.get("hold_count", len(block.get("holds") or []))
        bits.append(
            f"{_num_span(count, str(count), 'hold_count')} "
            f"hold{'s' if count != 1 else ''}, "
            f"{_num_span(s.get('hold_s'), fmt_duration(s.get('hold_s')), 'hold_s')} in all"
        )
        if _finite(s.get("hold_s")) and s.get("hold_s"):
            bits.append(
                _num_span(s.get("good_form_s"), fmt_duration(s.get("good_form_s")), "good_form_s")
                + f" in good form ({s.get('good_form_s', 0) / s['hold_s'] * 100:.0f}%)"
            )
        if _finite(s.get("target_hold_s")):
            bits.append(f"target {esc(fmt_duration(s['target_hold_s']))}")
        if _finite(s.get("median_alignment_deg")):
            bits.append(
                "typical alignment "
                + _num_span(
                    s["median_alignment_deg"],
                    fmt_number(s["median_alignment_deg"], signed=True) + "°",
                    "median_alignment_deg",
                )
            )
    return f'<p class="set-summary">{" · ".join(bits)}</p>'


def _fault_badges(faults: Iterable[str]) -> str:
    faults = list(faults)
    if not faults:
        return '<span class="badge badge-good">✓ good</span>'
    return " ".join(
        f'<span class="badge badge-fault" data-type="{esc(f)}">'
        f"{esc(WARNING_TITLES.get(f, f))}</span>"
        for f in faults
    )


def _td(item: Mapping[str, Any], key: str, text: str) -> str:
    return (
        f'<td class="num" data-key="{esc(key)}" data-value="{_raw(item.get(key))}">{esc(text)}</td>'
    )


def _table(block: Mapping[str, Any], index: int) -> str:
    ex = block.get("exercise")
    reps = block.get("reps") or []
    holds = block.get("holds") or []
    rows: list[str] = []
    if ex == "glute_bridge" and reps:
        head = (
            "Rep",
            "Start",
            "Top",
            "End",
            "Duration",
            "Pause at the top",
            "Hip angle at top",
            "Knee angle",
            "Form",
        )
        for r in reps:
            rows.append(
                f'<tr data-kind="rep" data-index="{_raw(r.get("index"))}">'
                + _td(r, "index", str(r.get("index", "")))
                + _td(r, "start_s", fmt_clock(r.get("start_s")))
                + _td(r, "peak_s", fmt_clock(r.get("peak_s")))
                + _td(r, "end_s", fmt_clock(r.get("end_s")))
                + _td(r, "duration_s", fmt_duration(r.get("duration_s")))
                + _td(r, "top_hold_s", fmt_duration(r.get("top_hold_s")))
                + _td(r, "peak_hip_angle_deg", fmt_number(r.get("peak_hip_angle_deg")) + "°")
                + _td(r, "knee_angle_deg", fmt_number(r.get("knee_angle_deg")) + "°")
                + f"<td>{_fault_badges(r.get('faults') or [])}</td></tr>"
            )
    elif ex == "cat_cow" and reps:
        head = (
            "Round",
            "Start",
            "End",
            "Duration",
            "Cat (rounded)",
            "Cow (arched)",
            "Range",
            "Pause cat / cow",
            "Form",
        )
        for r in reps:
            rows.append(
                f'<tr data-kind="round" data-index="{_raw(r.get("index"))}">'
                + _td(r, "index", str(r.get("index", "")))
                + _td(r, "start_s", fmt_clock(r.get("start_s")))
                + _td(r, "end_s", fmt_clock(r.get("end_s")))
                + _td(r, "duration_s", fmt_duration(r.get("duration_s")))
                + _td(r, "flexion_deg", fmt_number(r.get("flexion_deg"), signed=True) + "°")
                + _td(r, "extension_deg", fmt_number(r.get("extension_deg"), signed=True) + "°")
                + _td(r, "range_deg", fmt_number(r.get("range_deg")) + "°")
                + f'<td class="num">{esc(fmt_duration(r.get("cat_pause_s")))} / '
                f"{esc(fmt_duration(r.get('cow_pause_s')))}</td>"
                + f"<td>{_fault_badges(r.get('faults') or [])}</td></tr>"
            )
    elif holds:
        head = (
            "Hold",
            "Type",
            "Start",
            "End",
            "Duration",
            "In good form",
            "Good share",
            "Longest good stretch",
            "Form",
        )
        warnings = block.get("warnings") or []
        for h in holds:
            faults = list(
                dict.fromkeys(
                    str(w.get("type")) for w in warnings if w.get("hold") == h.get("index")
                )
            )
            dur = h.get("duration_s")
            share = h.get("good_form_s", 0) / dur if _finite(dur) and dur else None
            kind = "knee plank" if h.get("kind") == "knee_plank" else "forearm plank"
            if h.get("open"):
                kind += " (still going at the end)"
            rows.append(
                f'<tr data-kind="hold" data-index="{_raw(h.get("index"))}">'
                + _td(h, "index", str(h.get("index", "")))
                + f"<td>{esc(kind)}</td>"
                + _td(h, "start_s", fmt_clock(h.get("start_s")))
                + _td(h, "end_s", fmt_clock(h.get("end_s")))
                + _td(h, "duration_s", fmt_duration(dur))
                + _td(h, "good_form_s", fmt_duration(h.get("good_form_s")))
                + f'<td class="num">{DASH if share is None else f"{share * 100:.0f}%"}</td>'
                + _td(h, "longest_good_s", fmt_duration(h.get("longest_good_s")))
                + f"<td>{_fault_badges(faults)}</td></tr>"
            )
    else:
        word = {"glute_bridge": "reps", "cat_cow": "rounds", "plank": "holds"}.get(str(ex), "reps")
        return f'<p class="empty" id="table-{index}">No {word} were counted in this set.</p>'
    header = "".join(f"<th>{esc(h)}</th>" for h in head)
    return (
        f'<table class="items" id="table-{index}"><thead><tr>{header}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _warnings(block: Mapping[str, Any], index: int) -> str:
    warnings = block.get("warnings") or []
    if not warnings:
        return (
            f'<div class="warnings" id="warnings-{index}"><p class="all-good">'
            "No form warnings in this set.</p></div>"
        )
    grouped: dict[str, list[Mapping[str, Any]]] = {}
    for w in warnings:
        grouped.setdefault(str(w.get("type", "")), []).append(w)
    items = []
    word = "round" if block.get("exercise") == "cat_cow" else "rep"
    for kind, group in grouped.items():
        title = WARNING_TITLES.get(kind, kind)
        message = group[0].get("message", "")
        per_rep = [w for w in group if "rep" in w]
        episodes = [w for w in group if "rep" not in w]
        where: list[str] = []
        if per_rep:
            numbers = ", ".join(str(w["rep"]) for w in per_rep)
            where.append(f"{word}{'s' if len(per_rep) > 1 else ''} {numbers}")
        for w in episodes:
            text = f"{fmt_clock(w.get('start_s'))}{DASH}{fmt_clock(w.get('end_s'))}"
            if _finite(w.get("duration_s")):
                text += f" ({fmt_duration(w['duration_s'])}"
                text += (
                    f", worst {fmt_number(w['worst_deg'], signed=True)}°)"
                    if _finite(w.get("worst_deg"))
                    else ")"
                )
            where.append(text)
        items.append(
            f'<li class="warning" data-type="{esc(kind)}" data-count="{len(group)}">'
            f'<span class="badge badge-fault">{esc(title)}</span> '
            f'<span class="where">{esc("; ".join(where))}</span>'
            f'<div class="message">{esc(message)}</div></li>'
        )
    return (
        f'<div class="warnings" id="warnings-{index}"><h3>Form warnings</h3>'
        f"<ul>{''.join(items)}</ul></div>"
    )


def _set_section(report: Mapping[str, Any], block: Mapping[str, Any], index: int) -> str:
    ex = str(block.get("exercise", ""))
    trace = block.get("trace") or {}
    meaning = {
        "glute_bridge": "Hip angle: 180° = shoulders, hips and knees in a straight line.",
        "plank": "Alignment: 0° = a straight line from shoulders to ankles; below 0 the hips "
        "sag, above 0 they pike.",
        "cat_cow": "Spinal bend from neutral: above 0 rounded (cat), below 0 arched (cow).",
    }.get(ex, "")
    plot = plot_svg(report, block, index)
    figure = (
        f'<figure class="plot-wrap">{plot}{_legend(block, report)}'
        f"<figcaption>{esc(meaning)}</figcaption></figure>"
        if isinstance(trace, Mapping) and trace.get("t_s")
        else plot
    )
    span = f"{fmt_clock(block.get('start_s'))}{DASH}{fmt_clock(block.get('end_s'))}"
    return (
        f'<section class="set" id="set-{index}" data-exercise="{esc(ex)}">'
        f'<h2><span class="set-number">Set {index + 1}</span> {esc(EXERCISE_NAMES.get(ex, ex))}'
        f' <span class="when">{esc(span)}</span></h2>'
        f"{_set_summary(report, block)}{figure}{_table(block, index)}"
        f"{_warnings(block, index)}</section>"
    )


def _cues(report: Mapping[str, Any]) -> str:
    if "cues" not in report:
        body = '<p class="empty">This report has no record of the cues.</p>'
    elif not report["cues"]:
        body = '<p class="empty">No cues were given.</p>'
    else:
        rows = []
        for cue in report["cues"]:
            kind = str(cue.get("kind", ""))
            tag = (
                "form"
                if kind in WARNING_TITLES
                else {"count": "count", "hold": "hold", "status": "position"}.get(kind, kind)
            )
            rows.append(
                f'<tr class="cue" data-kind="{esc(kind)}">'
                f'<td class="num" data-value="{_raw(cue.get("t_s"))}">'
                f"{esc(fmt_clock(cue.get('t_s')))}</td>"
                f'<td><span class="tag tag-{esc(tag)}">{esc(tag)}</span></td>'
                f'<td class="cue-text">{esc(cue.get("text", ""))}</td></tr>'
            )
        body = (
            '<table class="cues"><thead><tr><th>Time</th><th>Kind</th><th>Cue</th></tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>"
        )
    return f'<section class="block" id="cues"><h2>Cues given</h2>{body}</section>'


def advice_for(report: Mapping[str, Any]) -> list[Advice]:
    """Plain-language advice from a report's results, most frequent problem first.

    One tip per warning type found; a note on the top pause (bridge) and the hold target
    (plank); a positive note when there were no faults; a note when much was not measured.

    Example:
        >>> [a.key for a in advice_for({"sets": [{"exercise": "plank", "warnings": [
        ...     {"type": "hips_sagging"}], "summary": {"hold_s": 31, "target_hold_s": 30}}]})]
        ['hips_sagging', 'hold_target']
    """
    sets = report.get("sets", []) or []
    out: list[Advice] = []
    counts: dict[str, int] = {}
    for block in sets:
        for w in block.get("warnings") or []:
            counts[str(w.get("type"))] = counts.get(str(w.get("type")), 0) + 1
    for kind, _ in sorted(counts.items(), key=lambda kv: -kv[1]):
        title, text = ADVICE.get(kind, (WARNING_TITLES.get(kind, kind), ""))
        out.append(Advice(kind, title, text or "See the warnings above.", "tip"))
    if sets and not counts:
        out.append(
            Advice(
                "no_faults",
                "Good form throughout",
                "No form faults were found. Keep the same steady, controlled technique.",
                "praise",
            )
        )
    for block in sets:
        s = block.get("summary", {}) or {}
        if block.get("exercise") == "glute_bridge" and _finite(s.get("mean_top_hold_s")):
            target = s.get("target_top_hold_s")
            if _finite(target) and s["mean_top_hold_s"] < 0.8 * target:
                out.append(
                    Advice(
                        "top_pause",
                        "Pause a little longer at the top",
                        f"Your pause at the top averaged {fmt_duration(s['mean_top_hold_s'])}; "
                        f"aim for about {fmt_duration(target)}, squeezing your glutes.",
                    )
                )
        if block.get("exercise") == "plank" and _finite(s.get("target_hold_s")):
            hold = s.get("hold_s") or 0.0
            target = s["target_hold_s"]
            if hold >= target:
                out.append(
                    Advice(
                        "hold_target",
                        "Hold target reached",
                        f"You held the plank for {fmt_duration(hold)}, meeting the "
                        f"{fmt_duration(target)} target.",
                        "praise",
                    )
                )
            elif hold > 0:
                out.append(
                    Advice(
                        "hold_target",
                        "Build up the hold",
                        f"You held the plank for {fmt_duration(hold)} of the "
                        f"{fmt_duration(target)} target. Add a few seconds at a time, keeping "
                        "good form rather than time.",
                    )
                )
    measured = (report.get("coverage") or {}).get("measured_fraction")
    if _finite(measured) and measured < 0.9 and sets:
        out.append(
            Advice(
                "coverage",
                "Check the camera",
                f"Only {measured * 100:.0f}% of the recording could be measured. Place the "
                "camera side-on, level with the mat, with your whole body in view.",
                "note",
            )
        )
    if not sets:
        out.append(
            Advice(
                "nothing_found",
                "No exercise recognised",
                "No glute bridge, plank or cat-cow was recognised. Film side-on, with your "
                "whole body in view, from the start of the exercise.",
                "note",
            )
        )
    return out


def _advice(report: Mapping[str, Any]) -> str:
    items = "".join(
        f'<li class="advice advice-{esc(a.tone)}" data-key="{esc(a.key)}">'
        f"<strong>{esc(a.title)}</strong><p>{esc(a.text)}</p></li>"
        for a in advice_for(report)
    )
    return (
        '<section class="block" id="advice"><h2>What to work on</h2>'
        f'<ul class="advice-list">{items}</ul><p class="disclaimer">These notes come from '
        "automatic measurements on video. Where your physiotherapist's advice differs, follow "
        "theirs, and stop if anything hurts.</p></section>"
    )


def _coverage(report: Mapping[str, Any]) -> str:
    cov = report.get("coverage") or {}
    measured = cov.get("measured_fraction")
    gaps = _gaps(report)
    lead = (
        f"{_num_span(measured, f'{measured * 100:.0f}%', 'measured_fraction')} of the recording "
        "could be measured."
        if _finite(measured)
        else "The measured share is not known."
    )
    if gaps:
        items = "".join(
            f'<li class="gap" data-start="{_raw(a)}" data-end="{_raw(b)}">'
            f"{esc(fmt_clock(a))}{DASH}{esc(fmt_clock(b))} ({esc(fmt_duration(b - a))})</li>"
            for a, b in gaps
        )
        body = (
            f"<p>{lead} Nothing could be measured during these stretches (nobody in view, or "
            f'part of the body out of the picture):</p><ul class="gaps">{items}</ul>'
        )
    else:
        body = f"<p>{lead} No gaps: the body was in view throughout.</p>"
    return f'<section class="block" id="coverage"><h2>Coverage</h2>{body}</section>'


def _footer(report: Mapping[str, Any]) -> str:
    model = report.get("model", {}) or {}
    settings = []
    for ex in _exercises(report):
        for section, key, label in SHOWN_SETTINGS.get(ex, ()):
            unit = "°" if key.endswith("_deg") else " s"
            settings.append(
                f'<li data-key="{esc(section)}.{esc(key)}">{esc(EXERCISE_NAMES.get(ex, ex))}: '
                f"{esc(label)} {esc(f'{setting(report, section, key):g}')}{unit}</li>"
            )
    settings_html = (
        f'<div class="settings"><h3>Settings used</h3><ul>{"".join(settings)}</ul></div>'
        if settings
        else ""
    )
    sha = str(model.get("sha256") or "")[:12]
    model_text = " ".join(
        p for p in (str(model.get("name") or ""), f"({sha}…)" if sha else "") if p
    )
    bits = [
        f"formcheck {report.get('formcheck_version', '')}".strip(),
        f"report {report.get('schema', 'formcheck.report/1')}",
    ]
    if model_text:
        bits.append(f"pose model {model_text}")
    if report.get("exercise_requested"):
        bits.append(f"exercise requested: {report['exercise_requested']}")
    return (
        f'<footer class="report-footer">{settings_html}'
        f'<p class="provenance">{esc(" · ".join(bits))}</p></footer>'
    )


# -- the page -----------------------------------------------------------------------------------

CSS = """
:root { --ink: #1d2a33; --muted: #5b6b76; --line: #dfe5e8; --paper: #ffffff; --page: #f3f6f7;
  --accent: #0b6e85; --good: #2f7d4f; --good-bg: #e5f3e9; --fault: #b4532f; --fault-bg: #fbe9e2;
  --rep: #e0ebf6; --hold: #e9e4f4; --target: #e3f1de; --gap: #e9ecee; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: var(--page); color: var(--ink);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
  sans-serif; }
main { max-width: 1040px; margin: 0 auto; padding: 28px 24px 40px; }
h1 { font-size: 28px; margin: 2px 0 12px; font-weight: 650; letter-spacing: -0.01em; }
h2 { font-size: 20px; margin: 0 0 6px; font-weight: 620; }
h3 { font-size: 15px; margin: 14px 0 6px; font-weight: 620; color: var(--muted); }
.report-header { background: var(--paper); border: 1px solid var(--line); border-radius: 14px;
  padding: 20px 24px; margin-bottom: 16px; border-top: 5px solid var(--accent); }
.brand { font-size: 12px; text-transform: uppercase; letter-spacing: 0.12em; color: var(--accent);
  font-weight: 700; }
.meta { display: flex; flex-wrap: wrap; gap: 8px 28px; margin: 0; }
.meta dt { font-size: 12px; color: var(--muted); text-transform: uppercase;
  letter-spacing: 0.05em; }
.meta dd { margin: 0; font-weight: 560; overflow-wrap: anywhere; }
.notice { background: var(--fault-bg); color: var(--fault); border-radius: 8px;
  padding: 6px 10px; margin: 12px 0 0; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 12px;
  margin-bottom: 16px; }
.card { background: var(--paper); border: 1px solid var(--line); border-radius: 12px;
  padding: 14px 16px; }
.card-value { font-size: 30px; font-weight: 650; line-height: 1.15; color: var(--accent);
  font-variant-numeric: tabular-nums; }
.card-label { font-size: 13px; color: var(--muted); margin-top: 2px; }
.card-note { font-size: 13px; margin-top: 4px; }
#card-warnings .card-value[data-value="0"] { color: var(--good); }
#card-warnings .card-value:not([data-value="0"]) { color: var(--fault); }
.set, .block { background: var(--paper); border: 1px solid var(--line); border-radius: 14px;
  padding: 20px 24px; margin-bottom: 16px; }
.set-number { color: var(--accent); margin-right: 4px; }
.when { font-size: 14px; color: var(--muted); font-weight: 450; margin-left: 6px;
  font-variant-numeric: tabular-nums; }
.set-summary { color: var(--muted); margin: 0 0 12px; }
.set-summary .num { color: var(--ink); font-weight: 600; }
figure.plot-wrap { margin: 0 0 14px; }
svg.plot { display: block; width: 100%; height: auto; }
svg.plot text { font-family: inherit; }
.plot-bg { fill: #ffffff; }
.shade-rep, .shade-round { fill: var(--rep); stroke: #ffffff; stroke-width: 1.5; }
.shade-hold { fill: var(--hold); }
.shade-gap { fill: var(--gap); }
.band-target { fill: #cfe8c4; opacity: 0.5; }
.band-edge { stroke: #8fbf80; stroke-width: 1; stroke-dasharray: 5 4; }
.band-label { fill: #3f7331; font-size: 12px; paint-order: stroke; stroke: #ffffff;
  stroke-width: 3px; stroke-linejoin: round; }
.shade-fault { fill: #e8906f; opacity: 0.32; }
.fault-strip { fill: #c8643f; }
.span-label { fill: var(--muted); font-size: 12px; font-weight: 600; }
.grid { stroke: #edf0f2; stroke-width: 1; }
.reference { stroke: #9aa7b0; stroke-width: 1; stroke-dasharray: 2 3; }
.axis, .tick-mark { stroke: #8795a0; stroke-width: 1; }
.tick { fill: var(--muted); font-size: 12px; font-variant-numeric: tabular-nums; }
.axis-title { fill: var(--muted); font-size: 12.5px; }
.trace-line { fill: none; stroke-width: 2.4; stroke-linejoin: round; stroke-linecap: round; }
.empty-note { fill: var(--muted); font-size: 14px; }
.legend { display: flex; flex-wrap: wrap; gap: 6px 18px; font-size: 13px; color: var(--muted);
  margin: 6px 0 2px 64px; }
.legend-item { display: inline-flex; align-items: center; gap: 6px; }
.swatch { display: inline-block; width: 18px; height: 11px; border-radius: 3px; }
.swatch-line { height: 3px; background: var(--accent); }
.swatch-target { background: var(--target); border: 1px dashed #8fbf80; }
.swatch-rep { background: var(--rep); }
.swatch-hold { background: var(--hold); }
.swatch-fault { background: #f3c7b6; border-bottom: 3px solid #c8643f; }
.swatch-gap { background: var(--gap); }
figcaption { font-size: 13px; color: var(--muted); margin: 2px 0 0 64px; }
.no-plot, .empty { color: var(--muted); background: var(--page); border-radius: 8px;
  padding: 8px 12px; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th { text-align: left; font-size: 12px; text-transform: uppercase; letter-spacing: 0.04em;
  color: var(--muted); font-weight: 600; border-bottom: 1px solid var(--line); padding: 6px 8px; }
td { border-bottom: 1px solid #eef1f3; padding: 6px 8px; vertical-align: top; }
td.num { font-variant-numeric: tabular-nums; white-space: nowrap; }
tbody tr:nth-child(even) td { background: #fafbfc; }
.badge { display: inline-block; border-radius: 999px; padding: 1px 9px; font-size: 12.5px;
  font-weight: 600; white-space: nowrap; }
.badge-good { background: var(--good-bg); color: var(--good); }
.badge-fault { background: var(--fault-bg); color: var(--fault); }
.warnings ul, .advice-list, .gaps, .settings ul { list-style: none; padding: 0; margin: 0; }
.warning { padding: 8px 0; border-bottom: 1px solid #eef1f3; }
.warning .where { color: var(--muted); font-variant-numeric: tabular-nums; }
.warning .message { margin-top: 2px; }
.all-good { color: var(--good); margin: 10px 0 0; }
.tag { display: inline-block; font-size: 12px; border-radius: 6px; padding: 0 7px;
  background: var(--page); color: var(--muted); }
.tag-form { background: var(--fault-bg); color: var(--fault); }
.tag-count { background: var(--rep); color: #2c5a86; }
.tag-hold { background: var(--hold); color: #5b4a8b; }
.advice { border-left: 4px solid var(--accent); background: #f4f9fa; border-radius: 0 10px 10px 0;
  padding: 10px 14px; margin-bottom: 10px; }
.advice p { margin: 2px 0 0; }
.advice-praise { border-left-color: var(--good); background: var(--good-bg); }
.advice-note { border-left-color: #8795a0; background: var(--page); }
.disclaimer { font-size: 13px; color: var(--muted); margin: 12px 0 0; }
.gaps li { font-variant-numeric: tabular-nums; padding: 2px 0; }
.report-footer { font-size: 13px; color: var(--muted); padding: 4px 24px; }
.settings li { padding: 1px 0; }
.provenance { margin-top: 10px; }
@media (max-width: 640px) {
  main { padding: 12px; } .set, .block, .report-header { padding: 14px; }
  .legend, figcaption { margin-left: 0; } table { font-size: 13px; }
}
@media print {
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  @page { margin: 14mm 12mm; }
  body { background: #fff; font-size: 12px; }
  main { max-width: none; padding: 0; }
  .report-header, .set, .block, .card { border-color: #cfd6da; }
  .card, tr, figure, .advice, .warning, .settings, .meta-item, .set-summary {
    break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  .set { break-inside: auto; }
}
"""


def render_html(
    report: Mapping[str, Any],
    *,
    title: str | None = None,
    generated: dt.datetime | None = None,
) -> str:
    """The report as one self-contained HTML page (see module docs).

    Args:
        report: A report dict (``formcheck.report/1``), ideally with ``sets[i]["trace"]`` (from
            :func:`formcheck.traces.set_traces`) for the plots and ``cues``.
        title: The page heading (default "Exercise report").
        generated: The time shown as "Report made" when the report has no ``created_at``
            (default: now).

    Returns:
        The HTML text (UTF-8, no external resources).
    """
    generated = generated or dt.datetime.now().astimezone()
    source = report.get("source", {}) or {}
    name = source.get("name") or "recording"
    page_title = f"{title or 'Exercise report'} — {name}"
    sets = report.get("sets", []) or []
    if sets:
        body_sets = "".join(_set_section(report, b, i) for i, b in enumerate(sets))
    else:
        body_sets = (
            '<section class="block" id="no-sets"><h2>No exercise recognised</h2><p class="empty">'
            "No glute bridge, plank or cat-cow was found in this recording.</p></section>"
        )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="generator" content="formcheck">'
        f"<title>{esc(page_title)}</title><style>{CSS}</style></head>"
        f"<body><main>{_header(report, title, generated)}{_cards(report)}{body_sets}"
        f"{_advice(report)}{_cues(report)}{_coverage(report)}{_footer(report)}</main>"
        "</body></html>\n"
    )


def write_html(
    report: Mapping[str, Any],
    path: str | os.PathLike[str],
    *,
    title: str | None = None,
) -> Path:
    """Write :func:`render_html` of ``report`` to ``path`` atomically.

    Raises:
        OutputError: The file could not be written.
    """
    return write_text_atomic(path, render_html(report, title=title))


__all__ = [
    "ADVICE",
    "LINE_COLOUR",
    "Advice",
    "advice_for",
    "fmt_clock",
    "fmt_duration",
    "fmt_number",
    "plot_svg",
    "render_html",
    "setting",
    "target_zone",
    "write_html",
]
