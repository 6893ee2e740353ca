"""The HTML report's plot: one set's key measure over time, as inline SVG drawn in Python.

:func:`plot_svg` draws ``set["trace"]`` (see :mod:`formcheck.report.traces`) on a time axis in
min:s, with, back to front: the unmeasured gaps of the recording, the reps, rounds and holds
(labelled above the plot), the target zone of the measure from the report's settings, the form
warnings (merged where they overlap, with a strip along the bottom), a grid and the reference
line (180° for the bridge, 0 for the plank and cat-cow), then the measured line itself in
:data:`LINE_COLOUR`, broken where nothing was measured. :func:`legend` is the key under it.

The plot is ``PLOT_W`` by ``PLOT_H`` user units with the ``MARGIN_*`` around its area; it scales
to the page width.

Example:
    >>> block = {"exercise": "plank", "start_s": 0.0, "end_s": 4.0,
    ...          "trace": {"t_s": [0.0, 1.0, 2.0, 3.0, 4.0], "values": [1.0, 2.0, None, -3.0, 0.5],
    ...                    "label": "Alignment", "unit": "deg"}}
    >>> svg = plot_svg({"sets": [block]}, block, 0)
    >>> svg.startswith('<svg class="plot" id="plot-0"'), 'data-points="4"' in svg
    (True, True)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from formcheck.report.report_format import (
    WARNING_TITLES,
    esc,
    fmt_clock,
    fmt_number,
    is_finite,
    setting,
)

#: The colour of the measured line in the plots (tests look for it in screenshots).
LINE_COLOUR = "#0b6e85"

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
        if is_finite(rep.get("start_s")) and is_finite(rep.get("end_s")):
            out.append((f"shade-{round_word}", rep["start_s"], rep["end_s"], str(rep.get("index"))))
    for hold in block.get("holds", []) or []:
        if is_finite(hold.get("start_s")) and is_finite(hold.get("end_s")):
            out.append(("shade-hold", hold["start_s"], hold["end_s"], f"Hold {hold.get('index')}"))
    return out


def _faults(block: Mapping[str, Any]) -> list[tuple[float, float, str]]:
    """The set's warnings as (start, end, titles), overlapping ones merged (so that two faults
    at once do not shade darker than one)."""
    found = sorted(
        (float(w["start_s"]), float(w["end_s"]), WARNING_TITLES.get(str(w.get("type")), ""))
        for w in block.get("warnings", []) or []
        if is_finite(w.get("start_s")) and is_finite(w.get("end_s"))
    )
    merged: list[tuple[float, float, list[str]]] = []
    for a, b, title in found:
        if merged and a <= merged[-1][1]:
            start, end, titles = merged[-1]
            merged[-1] = (start, max(end, b), titles if title in titles else [*titles, title])
        else:
            merged.append((a, b, [title]))
    return [(a, b, ", ".join(t for t in titles if t)) for a, b, titles in merged]


def coverage_gaps(report: Mapping[str, Any]) -> list[tuple[float, float]]:
    """The report's unmeasured stretches as (start, end) in seconds."""
    gaps = (report.get("coverage") or {}).get("gaps") or []
    return [(a, b) for a, b in gaps if is_finite(a) and is_finite(b)]


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
    times = [float(t) if is_finite(t) else math.nan for t in trace.get("t_s", [])]
    values = [float(v) if is_finite(v) else math.nan for v in trace.get("values", [])]
    n = min(len(times), len(values))
    times, values = times[:n], values[:n]
    finite_t = [t for t in times if math.isfinite(t)]
    t0 = min([*finite_t, *([block["start_s"]] if is_finite(block.get("start_s")) else [])])
    t1 = max([*finite_t, *([block["end_s"]] if is_finite(block.get("end_s")) else [])])
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
    for a, b in coverage_gaps(report):
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
        if is_finite(h.get("start_s")) and is_finite(h.get("end_s"))
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


def legend(block: Mapping[str, Any], report: Mapping[str, Any]) -> str:
    """The key under a set's plot: the line, and each kind of shading the plot has."""
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
    if coverage_gaps(report):
        items.append(("swatch-gap", "not measurable"))
    cells = "".join(
        f'<span class="legend-item"><span class="swatch {cls}"></span>{esc(text)}</span>'
        for cls, text in items
    )
    return f'<div class="legend">{cells}</div>'
