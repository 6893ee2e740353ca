"""A self-contained HTML report for the person exercising and their physiotherapist.

:func:`render_html` turns a report dict (schema ``formcheck.report/1``) into one HTML page with
everything inline: CSS, and SVG plots drawn here in Python. No scripts, no web fonts, no CDN:
it opens offline in any browser and prints cleanly (shading kept, no card or table split
across pages).

The page holds, in order: a header (recording, date, duration, exercises); summary cards
(reps or rounds, hold time, good-form time and share, form warnings, measured share); one
section per set with the key measure plotted over time (from ``set["trace"]``, see
:mod:`formcheck.report.traces`) with reps, holds, fault episodes, unmeasured gaps and the target
zone shaded, a table of its reps, rounds or holds, and its warnings in plain words; the cues given;
plain-language advice drawn from the results; and the gaps in coverage.

Every number a test or a script may want carries its raw value in a ``data-value`` attribute,
and the main elements have stable ids: ``card-reps``, ``card-hold-time``, ``card-good-form``,
``card-warnings``, ``card-measured``, ``set-<i>``, ``plot-<i>``, ``table-<i>``,
``warnings-<i>`` (``i`` counts sets from 0), ``cues``, ``advice``, ``coverage``.

The parts live beside this module: :mod:`formcheck.report.report_format` (number, time and text
formatting), :mod:`formcheck.report.report_plot` (the SVG plot),
:mod:`formcheck.report.report_sections` (the page's sections) and
:mod:`formcheck.report.report_advice` (the advice); here are the page's CSS and its assembly.

Example:
    >>> page = render_html({"source": {"name": "demo.mp4", "duration_s": 12.0}, "sets": [],
    ...     "summary": {"rep_count": 0}, "coverage": {"measured_fraction": 0.0, "gaps": []}})
    >>> page.startswith("<!DOCTYPE html>") and "demo.mp4" in page
    True
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from formcheck.media.outputs import write_text_atomic
from formcheck.report.report_format import esc
from formcheck.report.report_sections import (
    advice_html,
    cards_html,
    coverage_html,
    cues_html,
    footer_html,
    header_html,
    set_html,
)

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
            :func:`formcheck.report.traces.set_traces`) for the plots and ``cues``.
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
        body_sets = "".join(set_html(report, b, i) for i, b in enumerate(sets))
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
        f"<body><main>{header_html(report, title, generated)}{cards_html(report)}{body_sets}"
        f"{advice_html(report)}{cues_html(report)}{coverage_html(report)}"
        f"{footer_html(report)}</main>"
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


__all__ = ["render_html", "write_html"]
