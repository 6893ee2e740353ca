"""The sections of the HTML report page, each an HTML fragment built from the report dict.

In page order: :func:`header_html` (recording, date, duration, exercises), :func:`cards_html`
(reps or rounds, hold time, good-form time and share, warnings, measured share), one
:func:`set_html` per set (summary line, plot and legend, the table of its reps, rounds or holds,
its warnings in plain words), :func:`advice_html`, :func:`cues_html`, :func:`coverage_html` and
:func:`footer_html` (settings used, provenance). Numbers carry their raw value in
``data-value`` and the main elements have the stable ids listed in
:mod:`formcheck.report.html_report`.

Example:
    >>> cards_html({"summary": {"rep_count": 0}, "coverage": {"measured_fraction": 1.0}})[:60]
    '<section class="cards" id="summary"><div class="card" id="ca'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from formcheck.report.report_advice import advice_for
from formcheck.report.report_format import (
    DASH,
    DEG,
    EXERCISE_NAMES,
    TIMES,
    WARNING_TITLES,
    esc,
    fmt_clock,
    fmt_duration,
    fmt_number,
    is_finite,
    num_span,
    raw_value,
    setting,
)
from formcheck.report.report_plot import coverage_gaps, legend, plot_svg

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
        ("cat_cow", "min_move_s", "rushing: moving from one end to the other in less than"),
    ),
}


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
        f'<div class="card" id="{card_id}"><div class="card-value" data-value="{raw_value(value)}">'
        f'{esc(text)}</div><div class="card-label">{esc(label)}</div>{note_html}</div>'
    )


def cards_html(report: Mapping[str, Any]) -> str:
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
            f"{num_span(good, str(good), 'good_reps')} with good form"
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
            f"{num_span(share, f'{share * 100:.0f}%', 'good_form_share')} of the hold time"
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
    gaps = coverage_gaps(report)
    cards.append(
        _card(
            "card-measured",
            measured,
            f"{measured * 100:.0f}%" if is_finite(measured) else DASH,
            "Of the recording measured",
            f"{len(gaps)} gap{'s' if len(gaps) != 1 else ''}" if gaps else "no gaps",
        )
    )
    return f'<section class="cards" id="summary">{"".join(cards)}</section>'


def header_html(report: Mapping[str, Any], title: str | None, generated: dt.datetime) -> str:
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
            num_span(source.get("duration_s"), fmt_duration(source.get("duration_s"))),
            "meta-duration",
        ),
        ("Exercises", esc(ex_text), "meta-exercises"),
    ]
    if is_finite(source.get("width")) and is_finite(source.get("height")):
        fps = source.get("fps")
        video = f"{source['width']}{TIMES}{source['height']}" + (
            f", {fps:.0f} frames/s" if is_finite(fps) else ""
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
            f"{num_span(s.get('rep_count'), str(s.get('rep_count', 0)), 'rep_count')} "
            f"reps, {num_span(s.get('good_reps'), str(s.get('good_reps', 0)), 'good_reps')}"
            " with good form"
        )
        if is_finite(s.get("mean_peak_hip_angle_deg")):
            bits.append(
                "mean hip angle at the top "
                + num_span(
                    s["mean_peak_hip_angle_deg"],
                    fmt_number(s["mean_peak_hip_angle_deg"]) + "°",
                    "mean_peak_hip_angle_deg",
                )
            )
        if is_finite(s.get("mean_top_hold_s")):
            target = s.get("target_top_hold_s")
            bits.append(
                "mean pause at the top "
                + num_span(
                    s["mean_top_hold_s"], fmt_duration(s["mean_top_hold_s"]), "mean_top_hold_s"
                )
                + (f" (aim for {esc(fmt_duration(target))})" if is_finite(target) else "")
            )
    elif ex == "cat_cow":
        bits.append(
            f"{num_span(s.get('rep_count'), str(s.get('rep_count', 0)), 'rep_count')} "
            "rounds, "
            f"{num_span(s.get('good_rounds'), str(s.get('good_rounds', 0)), 'good_rounds')}"
            " without a fault"
        )
        if is_finite(s.get("mean_range_deg")):
            bits.append(
                "mean range "
                + num_span(
                    s["mean_range_deg"], fmt_number(s["mean_range_deg"]) + "°", "mean_range_deg"
                )
            )
        if is_finite(s.get("mean_round_s")):
            bits.append(
                "mean round "
                + num_span(s["mean_round_s"], fmt_duration(s["mean_round_s"]), "mean_round_s")
            )
    elif ex == "plank":
        count = s.get("hold_count", len(block.get("holds") or []))
        bits.append(
            f"{num_span(count, str(count), 'hold_count')} "
            f"hold{'s' if count != 1 else ''}, "
            f"{num_span(s.get('hold_s'), fmt_duration(s.get('hold_s')), 'hold_s')} in all"
        )
        if is_finite(s.get("hold_s")) and s.get("hold_s"):
            bits.append(
                num_span(s.get("good_form_s"), fmt_duration(s.get("good_form_s")), "good_form_s")
                + f" in good form ({s.get('good_form_s', 0) / s['hold_s'] * 100:.0f}%)"
            )
        if is_finite(s.get("target_hold_s")):
            bits.append(f"target {esc(fmt_duration(s['target_hold_s']))}")
        if is_finite(s.get("median_alignment_deg")):
            bits.append(
                "typical alignment "
                + num_span(
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
        f'<td class="num" data-key="{esc(key)}" data-value="{raw_value(item.get(key))}">'
        f"{esc(text)}</td>"
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
                f'<tr data-kind="rep" data-index="{raw_value(r.get("index"))}">'
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
                f'<tr data-kind="round" data-index="{raw_value(r.get("index"))}">'
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
            share = h.get("good_form_s", 0) / dur if is_finite(dur) and dur else None
            kind = "knee plank" if h.get("kind") == "knee_plank" else "forearm plank"
            if h.get("continues"):
                kind += " (straight on from the hold before)"
            if h.get("open"):
                kind += " (still going at the end)"
            rows.append(
                f'<tr data-kind="hold" data-index="{raw_value(h.get("index"))}">'
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
            if is_finite(w.get("duration_s")):
                text += f" ({fmt_duration(w['duration_s'])}"
                text += (
                    f", worst {fmt_number(w['worst_deg'], signed=True)}°)"
                    if is_finite(w.get("worst_deg"))
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


def set_html(report: Mapping[str, Any], block: Mapping[str, Any], index: int) -> str:
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
        f'<figure class="plot-wrap">{plot}{legend(block, report)}'
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


def cues_html(report: Mapping[str, Any]) -> str:
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
                f'<td class="num" data-value="{raw_value(cue.get("t_s"))}">'
                f"{esc(fmt_clock(cue.get('t_s')))}</td>"
                f'<td><span class="tag tag-{esc(tag)}">{esc(tag)}</span></td>'
                f'<td class="cue-text">{esc(cue.get("text", ""))}</td></tr>'
            )
        body = (
            '<table class="cues"><thead><tr><th>Time</th><th>Kind</th><th>Cue</th></tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>"
        )
    return f'<section class="block" id="cues"><h2>Cues given</h2>{body}</section>'


def advice_html(report: Mapping[str, Any]) -> str:
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


def coverage_html(report: Mapping[str, Any]) -> str:
    cov = report.get("coverage") or {}
    measured = cov.get("measured_fraction")
    gaps = coverage_gaps(report)
    lead = (
        f"{num_span(measured, f'{measured * 100:.0f}%', 'measured_fraction')} of the recording "
        "could be measured."
        if is_finite(measured)
        else "The measured share is not known."
    )
    if gaps:
        items = "".join(
            f'<li class="gap" data-start="{raw_value(a)}" data-end="{raw_value(b)}">'
            f"{esc(fmt_clock(a))}{DASH}{esc(fmt_clock(b))} ({esc(fmt_duration(b - a))})</li>"
            for a, b in gaps
        )
        body = (
            f"<p>{lead} Nothing could be measured during these stretches (nobody in view, or "
            f'part of the body out of the picture):</p><ul class="gaps">{items}</ul>'
        )
    else:
        body = f"<p>{lead} No gaps: the body was in view throughout.</p>"
    camera = camera_html(report)
    return f'<section class="block" id="coverage"><h2>Coverage</h2>{body}{camera}</section>'


def camera_html(report: Mapping[str, Any]) -> str:
    """One sentence on the camera's view: how steeply it looked down, and whether the figures
    are within their stated accuracy ("" when the report has no estimate).

    Example:
        >>> "lower the camera" in camera_html({"camera": {"tilt_deg": 29.0,
        ...     "max_tilt_deg": 25.0, "within_accuracy": False}})
        True
    """
    cam = report.get("camera") or {}
    tilt = cam.get("tilt_deg")
    if tilt is None:
        return ""
    if cam.get("within_accuracy") is False:
        return (
            f'<p class="camera camera-steep" data-tilt="{raw_value(tilt)}">The camera looked '
            f"down on the body at about {tilt:.0f}{DEG}, steeper than the {cam['max_tilt_deg']:.0f}"
            f"{DEG} the angles here are accurate to: treat them as rough. Next time, lower the "
            "camera to about hip height.</p>"
        )
    return (
        f'<p class="camera" data-tilt="{raw_value(tilt)}">The camera looked down on the body at '
        f"about {tilt:.0f}{DEG}: the angles are within their stated accuracy.</p>"
    )


def footer_html(report: Mapping[str, Any]) -> str:
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
