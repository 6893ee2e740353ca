"""The printed summary of a report: what ``formcheck analyze``, ``live`` and ``routine`` show.

:func:`summary_renderable` renders a report (schema ``formcheck.report/1``) as rich text and
tables, one block per set; the caller prints it where it wants (the CLI on stdout).
:func:`no_person_warning` is the one warning that goes beside it (on stderr), and
:func:`batch_line` the one-line result of a batch input.

Example:
    >>> from rich.console import Console
    >>> report = {"source": {"name": "a.mp4", "width": 640, "height": 480, "duration_s": 2.0,
    ...           "fps": 30.0}, "coverage": {"measured_fraction": 0.0, "gaps": []}, "sets": []}
    >>> Console(width=80).print(summary_renderable(report))
    a.mp4  640x480, 2.0 s, 30.0 fps; measurable 0% of frames
    No bridge, plank or cat-cow set was recognised.
    >>> no_person_warning(report)
    'no person was found in view; film the whole body side-on'
"""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

EXERCISE_TITLES = {"glute_bridge": "Glute bridge", "plank": "Forearm plank", "cat_cow": "Cat-cow"}


def _fmt_s(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f} s"


def _people_note(src: dict[str, Any]) -> str:
    """A line about other people in view ("" when there was one person at most)."""
    most = src.get("people_max") or 0
    if most < 2:
        return ""
    when = f" for about {src['several_people_s']:.0f} s" if src.get("several_people_s") else ""
    if src.get("followed_person") == "largest":
        which = "formcheck followed the main (largest) person"
    else:
        which = "formcheck did not always follow the main (largest) person: keep others out of view"
    return f"{most} people in view{when}: {which}."


def summary_renderable(report: dict[str, Any]) -> RenderableType:
    """A readable summary of a report: the recording, then each set's table and figures,
    its warnings, and the stretches that could not be measured."""
    parts: list[RenderableType] = []

    def line(markup: str) -> None:
        parts.append(Text.from_markup(markup))

    src, cov = report["source"], report["coverage"]
    fps = f"{src['fps']:.1f} fps" if src.get("fps") else "fps unknown"
    line(
        f"[bold]{src['name'] or src['path']}[/]  {src['width']}x{src['height']}, "
        f"{src['duration_s']:.1f} s, {fps}; measurable {cov['measured_fraction']:.0%} "
        "of frames"
    )
    people = _people_note(src)
    if people:
        line(f"[yellow]{people}[/]")
    if not report["sets"]:
        line("No bridge, plank or cat-cow set was recognised.")
    for i, st in enumerate(report["sets"], 1):
        title = EXERCISE_TITLES.get(st["exercise"], st["exercise"])
        summary = st["summary"]
        line(f"\n[bold cyan]Set {i}: {title}[/]  {st['start_s']:.1f}-{st['end_s']:.1f} s")
        table = _plank_table(st) if st["exercise"] == "plank" else _reps_table(st)
        if table is not None:
            parts.append(table)
        figures = []
        if st["exercise"] == "glute_bridge":
            figures.append(f"{summary['rep_count']} reps ({summary['good_reps']} good)")
            if summary.get("mean_top_hold_s") is not None:
                figures.append(
                    f"mean pause at the top {summary['mean_top_hold_s']:.1f} s "
                    f"(aim for {summary['target_top_hold_s']:.0f} s)"
                )
        elif st["exercise"] == "cat_cow":
            figures.append(f"{summary['round_count']} rounds ({summary['good_rounds']} good)")
            if summary.get("mean_range_deg") is not None:
                figures.append(f"mean spinal range {summary['mean_range_deg']:.0f} deg")
        else:
            figures.append(
                f"held {summary['hold_s']:.1f} s, good form {summary['good_form_s']:.1f} s"
                f" (target {summary['target_hold_s']:.0f} s)"
            )
        line("  " + "; ".join(figures))
        for w in st["warnings"]:
            span = f"{w['start_s']:.1f}-{w['end_s']:.1f} s"
            line(f"  [yellow]! {w['type']}[/] {span}: {w['message']}")
        camera = st.get("camera") or {}
        if camera.get("within_accuracy") is False:
            line(
                f"  [yellow]camera looked down about {camera['tilt_deg']:.0f} deg (accurate to "
                f"{camera['max_tilt_deg']:.0f}): treat the angles as rough; "
                f"{camera.get('advice', '').lower()}[/]"
            )
    if cov["gaps"]:
        gaps = ", ".join(f"{a:.1f}-{b:.1f} s" for a, b in cov["gaps"][:6])
        more = f" (+{len(cov['gaps']) - 6} more)" if len(cov["gaps"]) > 6 else ""
        line(f"\n[dim]not measurable (body not fully in view): {gaps}{more}[/]")
    return Group(*parts)


def no_person_warning(report: dict[str, Any]) -> str | None:
    """The warning to show beside the summary when no person was ever measurable."""
    if report["coverage"]["measured_fraction"] == 0:
        return "no person was found in view; film the whole body side-on"
    return None


def _reps_table(st: dict[str, Any]) -> Table | None:
    cat = st["exercise"] == "cat_cow"
    table = Table(box=None, padding=(0, 1), show_edge=False)
    for col in ("#", "start", "end"):
        table.add_column(col, justify="right")
    if cat:
        for col in ("range", "cat", "cow", "pauses"):
            table.add_column(col, justify="right")
    else:
        for col in ("hip angle", "top pause", "knee"):
            table.add_column(col, justify="right")
    table.add_column("faults")
    for r in st["reps"]:
        faults = ", ".join(r["faults"]) or "[green]good[/]"
        if cat:
            cells = [
                f"{r['range_deg']:.0f} deg",
                f"+{r['flexion_deg']:.0f}",
                f"{r['extension_deg']:.0f}",
                f"{r['cat_pause_s']:.1f}/{r['cow_pause_s']:.1f} s",
            ]
        else:
            cells = [
                f"{r['peak_hip_angle_deg']:.0f} deg",
                f"{r['top_hold_s']:.1f} s",
                f"{r['knee_angle_deg']:.0f} deg",
            ]
        table.add_row(str(r["index"]), f"{r['start_s']:.1f}", f"{r['end_s']:.1f}", *cells, faults)
    return table if st["reps"] else None


def _plank_table(st: dict[str, Any]) -> Table | None:
    table = Table(box=None, padding=(0, 1), show_edge=False)
    for col in ("#", "kind", "start", "end", "held", "good form", "longest good"):
        table.add_column(col, justify="right")
    for h in st["holds"]:
        table.add_row(
            str(h["index"]),
            h["kind"].replace("_", " "),
            f"{h['start_s']:.1f}",
            f"{h['end_s']:.1f}",
            _fmt_s(h["duration_s"]),
            _fmt_s(h["good_form_s"]),
            _fmt_s(h["longest_good_s"]),
        )
    return table if st["holds"] else None


def batch_line(figures: dict[str, Any]) -> str:
    """One batch input's result in a line, from its index figures
    (:func:`formcheck.run.batch.summarize`)."""
    if not figures:
        return ""
    parts = [figures.get("exercises") or "no set recognised"]
    if figures.get("reps"):
        parts.append(f"{figures['reps']} reps/rounds")
    if figures.get("plank_hold_s"):
        parts.append(
            f"plank held {figures['plank_hold_s']:.1f} s "
            f"({figures['plank_good_form_s']:.1f} s good form)"
        )
    if figures.get("warnings"):
        parts.append(f"{figures['warnings']} warnings")
    return ", ".join(str(p) for p in parts)


__all__ = ["EXERCISE_TITLES", "batch_line", "no_person_warning", "summary_renderable"]
