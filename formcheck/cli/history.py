"""Commands over the session history: ``history``, ``show``, ``progress``, ``export``, ``import``.

Registered by :mod:`formcheck.cli` (``register(app, handles_errors)``); each command calls into
:mod:`formcheck.history.history` (:mod:`formcheck.history.progression` for the targets,
:mod:`formcheck.history.history_io` for export and import) and prints with rich.
``progress --plot FILE.svg`` writes a self-contained SVG chart (no plotting library): one panel
per figure, the sessions left to right, the target each session was held to as a dashed line
and the next target at the end.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any
from xml.sax.saxutils import escape

import typer

from formcheck.analysis.events import Exercise
from formcheck.cli.app import DbOption, out
from formcheck.history.history import History, default_db_path
from formcheck.history.history_io import export_history, import_history
from formcheck.history.progression import Target, TrendPoint, next_targets

ExerciseFilter = Annotated[
    Exercise,
    typer.Option("--exercise", "-e", case_sensitive=False, help="Only this exercise."),
]
ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        "-c",
        help="TOML file whose \\[progression] and \\[routine] settings set the targets.",
        dir_okay=False,
    ),
]
SetOption = Annotated[
    list[str] | None,
    typer.Option("--set", help="Override one setting, e.g. --set progression.plank_step_s=10."),
]


class ExportFormat(StrEnum):
    """Export file formats."""

    JSON = "json"
    CSV = "csv"


SHORT = {"glute_bridge": "bridge", "plank": "plank", "cat_cow": "cat-cow"}
TITLES = {"glute_bridge": "Glute bridge", "plank": "Forearm plank", "cat_cow": "Cat-cow"}
STATUS_STYLE = {"complete": "green", "interrupted": "yellow", "running": "cyan"}


def _db(path: Path | None) -> Path:
    return path if path is not None else default_db_path()


def _when(iso: str | None) -> str:
    """An ISO UTC time as local ``YYYY-MM-DD HH:MM``."""
    if not iso:
        return "-"
    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return iso


def _s(value: float | None, unit: str = "s", digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f} {unit}".rstrip()


def _filter(exercise: Exercise) -> str | None:
    return None if exercise is Exercise.AUTO else exercise.value


# --- history ----------------------------------------------------------------------------------


def history(
    exercise: ExerciseFilter = Exercise.AUTO,
    limit: Annotated[
        int | None, typer.Option("--limit", "-n", min=1, help="Only the newest N sessions.")
    ] = None,
    db: DbOption = None,
) -> None:
    """List the recorded sessions, newest first: date, kind, exercises, reps, hold, faults."""
    from rich.table import Table


    with History(_db(db), create=False) as hist:
        rows = hist.sessions(_filter(exercise), limit)
    if not rows:
        out.print(f"no sessions in {hist.path} yet", highlight=False)
        return
    table = Table(box=None, padding=(0, 1), show_edge=False)
    for col in ("id", "date", "kind", "exercises", "reps", "hold", "good form", "faults"):
        table.add_column(
            col,
            justify="left" if col in ("date", "kind", "exercises") else "right",
            no_wrap=col != "exercises",
            min_width=7 if col == "exercises" else None,
        )
    table.add_column("status", no_wrap=True)
    for r in rows:
        style = STATUS_STYLE.get(r.status, "")
        table.add_row(
            str(r.id),
            _when(r.started_at),
            r.kind,
            " ".join(SHORT.get(e, e) for e in r.exercises) or "-",
            str(r.reps),
            _s(r.hold_s) if r.hold_s else "-",
            _s(r.good_form_s) if r.hold_s else "-",
            str(r.warnings),
            f"[{style}]{r.status}[/]" if style else r.status,
        )
    out.print(table)
    out.print(f"[dim]{len(rows)} session(s) in {hist.path}[/]", highlight=False)


# --- show -------------------------------------------------------------------------------------


def show(
    session: Annotated[
        str, typer.Argument(help="Session id (see formcheck history), 'last', or a uid prefix.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the session as JSON.")] = False,
    db: DbOption = None,
) -> None:
    """Print one session: its sets with every rep, round and hold, and the form warnings."""

    with History(_db(db), create=False) as hist:
        data = hist.session(hist.resolve(session))
    if as_json:
        typer.echo(json.dumps(data, indent=1))
        return
    style = STATUS_STYLE.get(data["status"], "")
    out.print(
        f"[bold]session {data['id']}[/] ({data['uid'][:8]})  {data['kind']}, "
        f"{_when(data['started_at'])}, [{style}]{data['status']}[/]",
        highlight=False,
    )
    source = data["source"].get("path") or data["source"].get("name")
    if source:
        out.print(f"source: {source}", highlight=False)
    if not data["sets"]:
        out.print("no sets recorded", highlight=False)
    for st in data["sets"]:
        title = TITLES.get(st["exercise"], st["exercise"])
        span = ""
        if st.get("start_s") is not None:
            span = f"  {st['start_s']:.1f}-{_s(st.get('end_s'))}"
        out.print(f"\n[bold cyan]Set {st['index']}: {title}[/]{span}", highlight=False)
        if st["holds"]:
            out.print(_holds_table(st["holds"]))
        if st["reps"]:
            out.print(_reps_table(st["exercise"], st["reps"]))
        for w in st["warnings"]:
            out.print(
                f"  [yellow]! {w.get('type')}[/] {_span(w)}: {w.get('message', '')}",
                highlight=False,
            )


def _span(item: dict[str, Any]) -> str:
    a, b = item.get("start_s"), item.get("end_s")
    if a is None:
        return "-"
    return f"{a:.1f}-{b:.1f} s" if b is not None else f"{a:.1f} s-"


def _holds_table(holds: list[dict[str, Any]]) -> Any:
    from rich.table import Table

    table = Table(box=None, padding=(0, 1), show_edge=False)
    for col in ("#", "kind", "from-to", "held", "good form", "longest good"):
        table.add_column(col, justify="right")
    for h in holds:
        table.add_row(
            str(h.get("index", "")),
            str(h.get("kind", "plank")).replace("_", " "),
            _span(h),
            _s(h.get("duration_s")),
            _s(h.get("good_form_s")),
            _s(h.get("longest_good_s")),
        )
    return table


def _reps_table(exercise: str, reps: list[dict[str, Any]]) -> Any:
    from rich.table import Table

    cat = exercise == "cat_cow"
    cols = ("range", "cat", "cow", "pauses") if cat else ("hip angle", "top pause", "knee")
    table = Table(box=None, padding=(0, 1), show_edge=False)
    for col in ("#", "from-to", *cols):
        table.add_column(col, justify="right")
    table.add_column("faults")
    for r in reps:
        if cat:
            cells = [
                _s(r.get("range_deg"), "deg", 0),
                _s(r.get("flexion_deg"), "", 0),
                _s(r.get("extension_deg"), "", 0),
                f"{_s(r.get('cat_pause_s'), '')}/{_s(r.get('cow_pause_s'))}",
            ]
        else:
            cells = [
                _s(r.get("peak_hip_angle_deg"), "deg", 0),
                _s(r.get("top_hold_s")),
                _s(r.get("knee_angle_deg"), "deg", 0),
            ]
        faults = ", ".join(r.get("faults") or []) or "[green]good[/]"
        table.add_row(str(r.get("index", "")), _span(r), *cells, faults)
    return table


# --- progress ---------------------------------------------------------------------------------

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


def progress(
    exercise: ExerciseFilter = Exercise.AUTO,
    plot: Annotated[
        Path | None,
        typer.Option(
            "--plot", help="Also draw the trends as a self-contained SVG file.", dir_okay=False
        ),
    ] = None,
    config: ConfigOption = None,
    overrides: SetOption = None,
    db: DbOption = None,
) -> None:
    """Show the trend of each exercise per session (table and chart) and the next targets.

    Plank: longest hold and its good-form time; bridge: reps and the pause at the top;
    cat-cow: rounds, spinal range and round time. Targets follow the progression rule
    (README.md, "History and progress"): e.g. the plank target rises by 5 s after two sessions
    in a row holding it with at least 80% good form.
    """
    from formcheck.config import load_config
    from formcheck.media.outputs import check_writable, write_text_atomic

    cfg = load_config(config, overrides or [])
    if plot is not None:
        check_writable(plot)
    wanted = _filter(exercise)
    with History(_db(db), create=False) as hist:
        points = hist.trends(wanted)
    exercises = [wanted] if wanted else [e for e in METRICS if any(p.exercise == e for p in points)]
    targets = next_targets(points, cfg, exercises=exercises)
    if not points:
        out.print(f"no sessions{f' of {SHORT[wanted]}' if wanted else ''} in {hist.path} yet")
    for ex in exercises:
        pts = [p for p in points if p.exercise == ex]
        if pts:
            _progress_table(ex, pts, [t for t in targets if t.exercise == ex])
    if targets:
        out.print("")
    for t in targets:
        out.print(f"[bold]next target:[/] {t.describe()}", highlight=False)
    if plot is not None:
        write_text_atomic(plot, progress_svg(points, targets, exercises=exercises))
        out.print(f"plot written to {plot}", highlight=False)


def _progress_table(exercise: str, points: list[TrendPoint], targets: list[Target]) -> None:
    from rich.table import Table


    then = {t.name: {sid: (value, ok) for sid, value, ok in t.steps} for t in targets}
    out.print(f"\n[bold cyan]{TITLES[exercise]}[/]", highlight=False)
    table = Table(box=None, padding=(0, 1), show_edge=False)
    table.add_column("date", no_wrap=True)
    table.add_column("session", justify="right")
    cols: tuple[str, ...] = {
        "plank": ("longest hold", "good form", "share", "target", "counts"),
        "glute_bridge": ("reps", "good", "pause", "paused", "target", "counts"),
    }.get(exercise, ("rounds", "good", "range", "round time"))
    for col in cols:
        table.add_column(col, justify="right", no_wrap=True)
    for p in points:
        cells: list[str]
        if exercise == "plank":
            target, ok = then["hold_s"][p.session_id]
            share = p.good_form_share
            cells = [
                _s(p.longest_hold_s),
                _s(p.longest_hold_good_s),
                "-" if share is None else f"{share:.0%}",
                _s(target, "s", 0),
                "[green]yes[/]" if ok else "no",
            ]
        elif exercise == "glute_bridge":
            reps_target, reps_ok = then["reps"][p.session_id]
            pause_target, pause_ok = then["top_pause_s"][p.session_id]
            counts = [name for name, ok in (("reps", reps_ok), ("pause", pause_ok)) if ok]
            cells = [
                str(p.reps),
                str(p.good_reps),
                _s(p.mean_top_hold_s),
                f"{p.reps_paused(pause_target)}/{p.reps} >= {pause_target:g} s",
                f"{reps_target:g} x {pause_target:g} s",
                f"[green]{'+'.join(counts)}[/]" if counts else "no",
            ]
        else:
            cells = [
                str(p.reps),
                str(p.good_reps),
                _s(p.mean_range_deg, "deg", 0),
                _s(p.mean_round_s),
            ]
        table.add_row(_when(p.started_at)[:10], str(p.session_id), *cells)
    out.print(table)
    for label, unit, value_of, _target in METRICS[exercise]:
        values = [value_of(p) for p in points]
        known = [v for v in values if v is not None]
        if not known:
            continue
        digits = 0 if unit in ("reps", "rounds", "deg") else 1
        span = _s(known[-1], unit, digits)
        if len(known) > 1:
            span = f"{_s(known[0], '', digits)} -> {span}"
        out.print(f"  {label:<18} {sparkline(values)}  {span}", highlight=False)


# --- the SVG chart ----------------------------------------------------------------------------

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
            label = escape(_when(p.started_at)[5:10])
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
            tip = escape(f"session {p.session_id}, {_when(p.started_at)}: {v:g} {unit}".rstrip())
            out.append(
                f'<circle class="value" cx="{x(i):.1f}" cy="{y(v):.1f}" r="3.5" '
                f'fill="{colour}"><title>{tip}</title></circle>'
            )
    out.append("</g>")
    return out


# --- export / import --------------------------------------------------------------------------


def export(
    output: Annotated[Path, typer.Argument(help="File to write (.json or .csv).", dir_okay=False)],
    fmt: Annotated[
        ExportFormat | None,
        typer.Option(
            "--format",
            "-f",
            case_sensitive=False,
            help="json (complete, re-importable) or csv (one row per rep, round or hold) "
            "[default: from the file's suffix].",
            show_default=False,
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Write the whole history to a JSON file (re-importable) or a CSV table."""

    count = export_history(output, fmt.value if fmt else None, db=_db(db))
    out.print(f"exported {count} session(s) to {output}", highlight=False)


def import_(
    source: Annotated[Path, typer.Argument(help="A JSON file written by formcheck export.")],
    db: DbOption = None,
) -> None:
    """Add the sessions of an exported JSON file; sessions already in the history are skipped."""

    result = import_history(source, db=_db(db))
    out.print(
        f"imported {result.imported} session(s), skipped {result.skipped} already in the "
        f"history ({_db(db)})",
        highlight=False,
    )


def register(app: typer.Typer, handles_errors: Callable[[Any], Any]) -> None:
    """Add the history commands to formcheck's Typer app."""
    app.command("history")(handles_errors(history))
    app.command("show")(handles_errors(show))
    app.command("progress")(handles_errors(progress))
    app.command("export")(handles_errors(export))
    app.command("import")(handles_errors(import_))
