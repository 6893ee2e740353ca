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
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from formcheck.analysis.events import Exercise
from formcheck.cli.app import DbOption, out
from formcheck.history.history import History, default_db_path
from formcheck.history.history_io import export_history, import_history
from formcheck.history.progression import Target, TrendPoint, next_targets
from formcheck.report.progress_chart import METRICS, TITLES, local_time, progress_svg, sparkline

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
STATUS_STYLE = {"complete": "green", "interrupted": "yellow", "running": "cyan"}


def _db(path: Path | None) -> Path:
    return path if path is not None else default_db_path()


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
            local_time(r.started_at),
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
        f"{local_time(data['started_at'])}, [{style}]{data['status']}[/]",
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
        table.add_row(local_time(p.started_at)[:10], str(p.session_id), *cells)
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
