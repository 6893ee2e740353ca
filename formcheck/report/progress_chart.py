"""The progress chart: the history's trends as a self-contained SVG (one panel per figure,
the next targets dashed), and the per-exercise figures it and the terminal table follow.

Pure: trend points and targets in, text out. Imports the history's value types only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from xml.sax.saxutils import escape

from formcheck.history.progression import Target, TrendPoint

TITLES = {"glute_bridge": "Glute bridge", "plank": "Forearm plank", "cat_cow": "Cat-cow"}


def local_time(iso: str | None) -> str:
    """An ISO UTC time as local ``YYYY-MM-DD HH:MM``."""
    if not iso:
        return "-"
    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return iso


#: Per exercise, the figures followed: (label, unit, value of a session, target name or None).
Metric = tuple[str, str, Callable[[TrendPoint], float | None], str | None]
METRICS: dict[str, list[Metric]] = {
    "plank": [
        ("longest hold", "s", lambda p: p.longest_hold_s, "hold_s"),
        ("good form in it", "s", lambda p: p.longest_hold_good_s, None),
    ],
    "glute_bridge": [
        ("reps", "reps", lambda p: float(p.reps), "reps"),
        ("mean top pause", "s", lambda p: p.mean_top_hold_s, "top_pause_s"),
    ],
    "cat_cow": [
        ("rounds", "rounds", lambda p: float(p.reps), "rounds"),
        ("mean spinal range", "deg", lambda p: p.mean_range_deg, None),
        ("mean round time", "s", lambda p: p.mean_round_s, None),
    ],
}
SPARKS = "▁▂▃▄▅▆▇█"


def sparkline(values: Sequence[float | None]) -> str:
    """A one-line chart: one block per value, scaled from 0 to the largest; '·' = none.

    Example:
        >>> sparkline([10.0, 20.0, None, 40.0])
        '▂▄·█'
    """
    top = max((v for v in values if v is not None), default=0.0)
    if top <= 0:
        return "".join("·" if v is None else SPARKS[0] for v in values)
    return "".join(
        "·" if v is None else SPARKS[min(len(SPARKS) - 1, max(0, round(v / top * 8) - 1))]
        for v in values
    )


WIDTH, PANEL_H, LEFT, RIGHT, TOP, BOTTOM = 720, 180, 64, 90, 30, 34
COLOURS = ("#1f77b4", "#2ca02c", "#9467bd")


def _nice_max(value: float) -> float:
    """A round axis maximum at or above ``value``."""
    if value <= 0:
        return 1.0
    for scale in (10**k for k in range(-1, 7)):
        for m in (1, 2, 4, 6, 8, 10):
            if m * scale >= value:
                return m * scale
    return value


def progress_svg(
    points: Sequence[TrendPoint], targets: Sequence[Target], *, exercises: Sequence[str] = ()
) -> str:
    """The trends as a standalone SVG: one panel per figure, targets dashed.

    Args:
        points: :meth:`History.trends`, oldest first.
        targets: :func:`next_targets` of those points.
        exercises: Which exercises to draw (default: those in ``points``).
    """
    order = list(exercises) or [e for e in METRICS if any(p.exercise == e for p in points)]
    panels = []
    for ex in order:
        pts = [p for p in points if p.exercise == ex]
        by_name = {t.name: t for t in targets if t.exercise == ex}
        for label, unit, value_of, target_name in METRICS[ex]:
            values = [value_of(p) for p in pts]
            target = by_name.get(target_name) if target_name else None
            if pts and all(v is None for v in values) and target is None:
                continue
            shown_unit = "" if unit == label else unit
            panels.append((f"{TITLES[ex]}: {label}", shown_unit, pts, values, target))
    height = max(1, len(panels)) * PANEL_H + 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" font-family="sans-serif" font-size="11">',
        "<title>formcheck progress</title>",
        f'<rect width="{WIDTH}" height="{height}" fill="white"/>',
    ]
    if not panels:
        parts.append('<text x="20" y="30">no sessions yet</text>')
    for i, (title, unit, pts, values, target) in enumerate(panels):
        parts.extend(_panel(i * PANEL_H, title, unit, pts, values, target, COLOURS[i % 3]))
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _panel(
    y0: float,
    title: str,
    unit: str,
    points: list[TrendPoint],
    values: list[float | None],
    target: Target | None,
    colour: str,
) -> list[str]:
    n = len(points)
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = PANEL_H - TOP - BOTTOM
    steps = [v for _sid, v, _ok in target.steps] if target else []
    candidates = [v for v in values if v is not None] + steps + ([target.value] if target else [])
    y_max = _nice_max(max(candidates, default=1.0) * 1.05)

    def x(i: float) -> float:
        return LEFT + (plot_w / 2 if n <= 1 else i * plot_w / (n - 1))

    def y(v: float) -> float:
        return y0 + TOP + plot_h * (1 - v / y_max)

    out = [
        f'<g class="panel"><text x="{LEFT}" y="{y0 + 18:.1f}" font-size="13" '
        f'font-weight="bold">{escape(title)}{escape(f" ({unit})" if unit else "")}</text>'
    ]
    for k in range(5):
        tick = y_max * k / 4
        out.append(
            f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
            f'stroke="#ddd"/><text x="{LEFT - 6}" y="{y(tick) + 4:.1f}" '
            f'text-anchor="end">{tick:g}</text>'
        )
    every = max(1, (n + 9) // 10)
    for i, p in enumerate(points):
        if i % every == 0 or i == n - 1:
            label = escape(local_time(p.started_at)[5:10])
            out.append(
                f'<text x="{x(i):.1f}" y="{y0 + PANEL_H - BOTTOM + 16:.1f}" '
                f'text-anchor="middle">{label}</text>'
            )
    if target is not None:
        line: list[str] = []
        for i, step in enumerate(steps):
            if line:
                line.append(f"{x(i):.1f},{y(steps[i - 1]):.1f}")
            line.append(f"{x(i):.1f},{y(step):.1f}")
        end_x = LEFT + plot_w + 10
        if line:
            line.append(f"{end_x:.1f},{y(steps[-1]):.1f}")
        line.append(f"{end_x:.1f},{y(target.value):.1f}")
        out.append(
            f'<polyline class="target" points="{" ".join(line)}" fill="none" stroke="#d62728" '
            'stroke-width="1.5" stroke-dasharray="5,4"/>'
        )
        out.append(
            f'<text x="{end_x + 4:.1f}" y="{y(target.value) + 4:.1f}" fill="#d62728">'
            f"next {target.value:g} {escape(target.unit)}</text>"
        )
    # the measured values: segments break where a session has none
    runs: list[list[str]] = [[]]
    for i, v in enumerate(values):
        if v is None:
            runs.append([])
        else:
            runs[-1].append(f"{x(i):.1f},{y(v):.1f}")
    for run in runs:
        if len(run) > 1:
            out.append(
                f'<polyline class="series" points="{" ".join(run)}" fill="none" '
                f'stroke="{colour}" stroke-width="2"/>'
            )
    for i, (p, v) in enumerate(zip(points, values, strict=True)):
        if v is not None:
            tip = escape(
                f"session {p.session_id}, {local_time(p.started_at)}: {v:g} {unit}".rstrip()
            )
            out.append(
                f'<circle class="value" cx="{x(i):.1f}" cy="{y(v):.1f}" r="3.5" '
                f'fill="{colour}"><title>{tip}</title></circle>'
            )
    out.append("</g>")
    return out
