"""The HTML report: drawn from a JSON report alone, self-contained, numbers equal to the JSON's,
and a plot that really shows the measure (rendered by headless Chromium).

The reports come from the real pipeline (MediaPipe on the bundled sample videos, at 10 frames
per second), made once per module, with the traces attached as ``formcheck analyze`` does, and
passed through JSON: what the HTML sees is what a report file holds.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from formcheck.analysis import Analysis, analyze_series
from formcheck.config import Config
from formcheck.errors import OutputError
from formcheck.report.html_report import render_html, write_html
from formcheck.report.report import report_json
from formcheck.report.report_advice import advice_for
from formcheck.report.report_format import fmt_clock
from formcheck.report.report_plot import LINE_COLOUR, MARGIN_B, MARGIN_T, PLOT_H, PLOT_W
from formcheck.report.traces import decimate_times, key_measure, set_traces
from formcheck.run.recording import analyze_source
from tests import synthetic as syn

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
CLIPS = {
    "bridge": "bridge_partial_right.mp4",
    "plank": "plank_sag_from_12s.mp4",
    "catcow": "catcow_rushed_right.mp4",
}


def analysed(name: str, max_fps: float = 10) -> tuple[dict[str, Any], Analysis]:
    """The JSON report of a sample clip with its traces (as a reader of the file sees it)."""
    report, analysis = analyze_source(
        SAMPLES / name, exercise="auto", config=Config(), max_fps=max_fps
    )
    return json.loads(report_json(report)), analysis


@pytest.fixture(scope="module")
def runs() -> dict[str, tuple[dict[str, Any], Analysis]]:
    return {key: analysed(name) for key, name in CLIPS.items()}


@pytest.fixture(scope="module")
def reports(runs: dict[str, tuple[dict[str, Any], Analysis]]) -> dict[str, dict[str, Any]]:
    return {key: report for key, (report, _) in runs.items()}


# -- reading the page back ----------------------------------------------------------------------

VOID = {"meta", "br", "img", "input", "link", "hr", "wbr", "source", "col", "area", "base"}


@dataclasses.dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    ancestors: list[tuple[str, dict[str, str]]]
    text: str = ""


class Page(HTMLParser):
    """Every element of a page with its attributes, text and ancestors."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self._open: list[tuple[Element, list[str]]] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(
            tag, {k: v or "" for k, v in attrs}, [(e.tag, e.attrs) for e, _ in self._open]
        )
        self.elements.append(element)
        if tag not in VOID:
            self._open.append((element, []))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append(
            Element(tag, {k: v or "" for k, v in attrs}, [(e.tag, e.attrs) for e, _ in self._open])
        )

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            element, parts = self._open.pop()
            element.text = "".join(parts).strip()
            if element.tag == tag:
                break

    def handle_data(self, data: str) -> None:
        for _, parts in self._open:
            parts.append(data)

    def by_id(self, element_id: str) -> Element:
        found = [e for e in self.elements if e.attrs.get("id") == element_id]
        assert len(found) == 1, f"{len(found)} elements with id {element_id!r}"
        return found[0]

    def inside(self, element_id: str, **attrs: str) -> list[Element]:
        """Elements inside the one with ``element_id`` whose attributes include ``attrs``."""
        return [
            e
            for e in self.elements
            if any(a.get("id") == element_id for _, a in e.ancestors)
            and all(e.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items())
        ]

    def card(self, name: str) -> Element:
        (value,) = [
            e for e in self.inside(f"card-{name}") if "card-value" in e.attrs.get("class", "")
        ]
        return value


def number(element: Element) -> float:
    return float(element.attrs["data-value"])


# -- numbers: the page says what the JSON says ----------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("clip", list(CLIPS))
def test_summary_cards_equal_the_json(clip: str, reports: dict[str, dict[str, Any]]) -> None:
    report = reports[clip]
    page = Page(render_html(report))
    summary = report["summary"]
    assert number(page.card("warnings")) == summary["warning_count"]
    assert page.card("warnings").text == str(summary["warning_count"])
    assert number(page.card("measured")) == report["coverage"]["measured_fraction"]
    if clip == "plank":
        assert number(page.card("hold-time")) == summary["hold_s"]
        assert page.card("hold-time").text == f"{summary['hold_s']:.1f} s"
        assert number(page.card("good-form")) == summary["good_form_s"]
        (share,) = page.inside("card-good-form", data_key="good_form_share")
        assert number(share) == pytest.approx(summary["good_form_s"] / summary["hold_s"])
        assert number(page.card("holds")) == len(report["sets"][0]["holds"])
    else:
        assert number(page.card("reps")) == summary["rep_count"]
        assert page.card("reps").text == str(summary["rep_count"])
        (good,) = page.inside("card-reps", data_key="good_reps")
        block = report["sets"][0]["summary"]
        assert number(good) == block.get("good_reps", block.get("good_rounds"))


@pytest.mark.slow
@pytest.mark.parametrize("clip", list(CLIPS))
def test_each_rep_round_and_hold_row_equals_the_json(
    clip: str, reports: dict[str, dict[str, Any]]
) -> None:
    report = reports[clip]
    page = Page(render_html(report))
    for i, block in enumerate(report["sets"]):
        items = block["reps"] or block["holds"]
        rows = [e for e in page.inside(f"table-{i}") if e.tag == "tr" and "data-index" in e.attrs]
        assert [int(r.attrs["data-index"]) for r in rows] == [it["index"] for it in items]
        cells = [e for e in page.inside(f"table-{i}") if e.tag == "td" and "data-key" in e.attrs]
        assert cells
        for cell in cells:
            row = next(a for t, a in reversed(cell.ancestors) if t == "tr")
            item = items[int(row["data-index"]) - 1]
            assert number(cell) == item[cell.attrs["data-key"]]
        starts = [c for c in cells if c.attrs["data-key"] == "start_s"]
        assert [c.text for c in starts] == [fmt_clock(it["start_s"]) for it in items]


@pytest.mark.slow
def test_warnings_advice_and_cues_follow_the_results(reports: dict[str, dict[str, Any]]) -> None:
    bridge = Page(render_html(reports["bridge"]))
    (partial,) = bridge.inside("warnings-0", data_type="partial_rep")
    assert "reps 2, 4" in partial.text
    advice = [e.attrs["data-key"] for e in bridge.inside("advice") if e.tag == "li"]
    assert advice[0] == "partial_rep"  # the only fault comes first
    plank = Page(render_html(reports["plank"]))
    (sag,) = plank.inside("warnings-0", data_type="hips_sagging")
    assert "Lift your hips" in sag.text
    assert "hips_sagging" in [e.attrs["data-key"] for e in plank.inside("advice") if e.tag == "li"]
    catcow = Page(render_html(reports["catcow"]))
    assert {"rushing", "no_pause"} <= {
        e.attrs["data-key"] for e in catcow.inside("advice") if e.tag == "li"
    }
    for report, page in ((reports["bridge"], bridge), (reports["plank"], plank)):
        shown = [e.text for e in page.inside("cues") if e.attrs.get("class") == "cue-text"]
        assert shown == [c["text"] for c in report["cues"]]


@pytest.mark.slow
def test_the_plot_shows_reps_holds_faults_and_the_target_zone(
    reports: dict[str, dict[str, Any]],
) -> None:
    bridge = Page(render_html(reports["bridge"]))
    shapes = bridge.inside("plot-0")
    classes = [e.attrs.get("class", "") for e in shapes]
    assert classes.count("shade-rep") == len(reports["bridge"]["sets"][0]["reps"])
    assert classes.count("shade-fault") == 2  # the two partial reps
    assert classes.count("band-target") == 1
    assert classes.count("trace-line") == 1
    plank = Page(render_html(reports["plank"]))
    classes = [e.attrs.get("class", "") for e in plank.inside("plot-0")]
    assert classes.count("shade-hold") == 1 and classes.count("shade-fault") == 1
    legend = " ".join(e.text for e in plank.elements if e.attrs.get("class") == "legend-item")
    assert "good alignment (\u221210 to 18°)" in legend  # plank.sag_deg and pike_deg


@pytest.mark.slow
def test_the_target_zone_follows_the_config_in_the_report(
    reports: dict[str, dict[str, Any]],
) -> None:
    report = copy.deepcopy(reports["plank"])
    report["config"]["plank"]["sag_deg"] = 12.0
    legend = " ".join(
        e.text for e in Page(render_html(report)).elements if e.attrs.get("class") == "legend-item"
    )
    assert "(\u221212 to 18°)" in legend
    del report["config"]
    legend = " ".join(
        e.text for e in Page(render_html(report)).elements if e.attrs.get("class") == "legend-item"
    )
    assert "(\u221210 to 18°)" in legend  # formcheck's defaults


# -- self-contained and safe --------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("clip", list(CLIPS))
def test_page_loads_nothing_from_outside(clip: str, reports: dict[str, dict[str, Any]]) -> None:
    page = render_html(reports[clip])
    assert "http://" not in page and "https://" not in page
    assert not re.search(r"<(script|link|img|iframe|object|embed)\b", page)
    assert not re.search(r"@import|url\((?!#)", page)  # only the plot's own clip path
    assert not re.search(r"\b(src|href)\s*=", page)


@pytest.mark.slow
def test_hostile_text_is_escaped(reports: dict[str, dict[str, Any]], tmp_path: Path) -> None:
    report = copy.deepcopy(reports["bridge"])
    evil = '<script>alert("x")</script>&<b onmouseover=alert(1)>.mp4'
    report["source"]["name"] = evil
    report["cues"].append({"t_s": 1.0, "text": "<img src=x onerror=alert(2)>", "kind": "<i>"})
    report["sets"][0]["warnings"][0]["message"] = "</li><script>alert(3)</script>"
    page = render_html(report, title='Week 1 "<b>"')
    assert "<script" not in page and "<img" not in page and "<b " not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;" in page
    parsed = Page(page)
    assert parsed.by_id("meta-source").text.endswith(evil)
    assert parsed.by_id("title").text == 'Week 1 "<b>"'
    written = write_html(report, tmp_path / "evil.html").read_text(encoding="utf-8")
    assert "<script" not in written and "&lt;img src=x onerror=alert(2)&gt;" in written


@pytest.mark.slow
def test_without_trace_or_cues_the_page_says_so(reports: dict[str, dict[str, Any]]) -> None:
    report = copy.deepcopy(reports["plank"])
    del report["sets"][0]["trace"]
    del report["cues"]
    page = Page(render_html(report))
    assert "no trace" in page.by_id("plot-0-missing").text
    assert not [e for e in page.elements if e.attrs.get("id") == "plot-0"]
    assert "no record of the cues" in page.by_id("cues").text
    assert number(page.card("hold-time")) == report["summary"]["hold_s"]  # the rest is there


def test_a_report_without_sets_still_renders() -> None:
    report = {
        "source": {"name": "empty.mp4", "duration_s": 8.0},
        "sets": [],
        "summary": {"rep_count": 0, "hold_s": 0.0, "good_form_s": 0.0, "warning_count": 0},
        "coverage": {"measured_fraction": 0.25, "gaps": [[1.0, 7.0]]},
        "cues": [],
    }
    page = Page(render_html(report))
    assert "No exercise recognised" in page.by_id("no-sets").text
    assert number(page.card("reps")) == 0
    (gap,) = page.inside("coverage", data_start="1.0")
    assert gap.attrs["data-end"] == "7.0" and "6.0 s" in gap.text
    assert "nothing_found" in [a.key for a in advice_for(report)]


def test_advice_praises_a_clean_set_and_reports_the_hold_target() -> None:
    clean = {
        "sets": [
            {
                "exercise": "plank",
                "warnings": [],
                "summary": {"hold_s": 32.0, "target_hold_s": 30.0},
            }
        ]
    }
    keys = [(a.key, a.tone) for a in advice_for(clean)]
    assert keys == [("no_faults", "praise"), ("hold_target", "praise")]
    short = copy.deepcopy(clean)
    short["sets"][0]["summary"]["hold_s"] = 12.0
    (_, target) = advice_for(short)
    assert (
        target.key == "hold_target"
        and target.tone == "tip"
        and "12.0 s of the 30.0 s" in (target.text)
    )


def test_a_hold_that_went_on_from_the_one_before_says_so() -> None:
    # a knee plank, up onto the toes for 3 s, back onto the knees: three holds, the last two
    # straight on from the one before (the physiotherapist sees one plank, not three attempts)

    knees = syn.ramps(1.0, (10, 10.25, 0.0), (13, 13.25, 1.0))
    series = syn.render(syn.plank(18.0, knees=knees, knee_shin_tilt_deg=15.0), fps=30)
    block = analyze_series(series, "plank").sets[0]
    page = Page(render_html({"sets": [block], "cues": []}))
    types = [
        e.text
        for e in page.inside("table-0")
        if e.tag == "td" and "data-key" not in e.attrs and "plank" in e.text
    ]
    assert types == [
        "knee plank",
        "forearm plank (straight on from the hold before)",
        "knee plank (straight on from the hold before)",
    ]


def test_write_to_a_missing_folder_is_an_output_error(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="does not exist"):
        write_html({"sets": []}, tmp_path / "nowhere" / "r.html")


# -- traces --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("times", "max_hz", "kept"),
    [
        ([0.0, 0.033, 0.067, 0.1, 0.133, 0.167, 0.2], 10.0, [0, 3, 6]),  # 30 fps -> 10 Hz
        ([0.0, 0.1, 0.2, 0.3], 10.0, [0, 1, 2, 3]),  # already 10 Hz
        ([0.0, 0.02, 0.19, 0.21, 0.5, 0.51], 5.0, [0, 3, 4]),  # variable rate, by time
        ([0.0, 0.0167, 0.0333, 0.05, 0.0667, 0.0833, 0.1, 0.1167], 20.0, [0, 3, 6]),  # 60 fps
    ],
)
def test_traces_are_thinned_by_time_not_frame_count(
    times: list[float], max_hz: float, kept: list[int]
) -> None:
    assert decimate_times(times, max_hz).tolist() == kept


@pytest.mark.slow
@pytest.mark.parametrize("clip", list(CLIPS))
def test_trace_follows_the_analysis_at_most_max_hz(
    clip: str, runs: dict[str, tuple[dict[str, Any], Analysis]]
) -> None:
    report, analysis = runs[clip]
    for block, analyzer in zip(report["sets"], analysis.analyzers, strict=True):
        trace = block["trace"]
        assert trace["unit"] == "deg"
        assert (
            trace["measure"]
            == {"bridge": "hip_angle_deg", "plank": "alignment_deg", "catcow": "bend_deg"}[clip]
        )
        t = np.asarray(trace["t_s"])
        assert np.all(np.diff(t) >= 0.1 - 0.015)  # 10 Hz, times rounded to 0.01 s
        times, values = key_measure(analyzer)
        assert len(t) >= 0.9 * (times[-1] - times[0]) * 10  # not thinner than needed
        for ti, v in zip(t, trace["values"], strict=True):
            j = int(np.argmin(np.abs(times - ti)))
            if v is None:
                assert not np.isfinite(values[j])
            else:
                assert v == pytest.approx(values[j], abs=0.051)
    slower = set_traces(analysis, max_hz=2.0)
    assert all(np.all(np.diff(tr["t_s"]) >= 0.5 - 0.015) for tr in slower)


# -- in a real browser ---------------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install chromium)"
)
WINDOW = (1200, 2000)
RECT_SCRIPT = (
    "<script>for (const el of document.querySelectorAll('svg.plot')) {"
    " const r = el.getBoundingClientRect();"
    " el.setAttribute('data-rect', [r.left, r.top, r.width, r.height].join(',')); }</script>"
)


def chromium(tmp_path: Path, page: Path, *args: str) -> str:
    """Run headless Chromium on a local page; its stdout."""
    assert CHROMIUM is not None
    done = subprocess.run(
        [
            CHROMIUM,
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
            f"--user-data-dir={tmp_path / 'chromium-profile'}",
            f"--window-size={WINDOW[0]},{WINDOW[1]}",
            *args,
            page.resolve().as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.mark.slow
@needs_chromium
def test_chromium_shows_the_json_numbers(
    reports: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    report = reports["plank"]
    path = write_html(report, tmp_path / "plank.html")
    page = Page(chromium(tmp_path, path, "--dump-dom"))
    summary = report["summary"]
    assert number(page.card("hold-time")) == summary["hold_s"]
    assert page.card("hold-time").text == f"{summary['hold_s']:.1f} s"
    assert number(page.card("good-form")) == summary["good_form_s"]
    assert page.card("good-form").text == f"{summary['good_form_s']:.1f} s"
    assert number(page.card("warnings")) == summary["warning_count"]
    (hold,) = report["sets"][0]["holds"]
    cells = {e.attrs["data-key"]: e for e in page.inside("table-0") if "data-key" in e.attrs}
    assert number(cells["duration_s"]) == hold["duration_s"]
    assert number(cells["good_form_s"]) == hold["good_form_s"]


@pytest.mark.slow
@needs_chromium
def test_chromium_screenshot_plots_the_measure(
    reports: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    import cv2

    report = reports["bridge"]
    html = render_html(report)
    probe = tmp_path / "bridge.html"
    probe.write_text(html.replace("</body>", RECT_SCRIPT + "</body>"), encoding="utf-8")
    dom = Page(chromium(tmp_path, probe, "--dump-dom"))
    plot = dom.by_id("plot-0")
    left, top, width, height = (float(v) for v in plot.attrs["data-rect"].split(","))
    assert top + height < WINDOW[1], "the first plot should be in the screenshot"
    shot = tmp_path / "shot.png"
    chromium(tmp_path, probe, f"--screenshot={shot}")
    image = cv2.imread(str(shot))
    assert image is not None and image.shape[:2] == (WINDOW[1], WINDOW[0])

    scale = width / PLOT_W
    assert height == pytest.approx(PLOT_H * scale, abs=1)
    region = image[int(top) : int(top + height), int(left) : int(left + width)].astype(int)
    colour = np.array([int(LINE_COLOUR[i : i + 2], 16) for i in (5, 3, 1)])  # BGR
    line = np.abs(region - colour).sum(axis=2) < 40
    assert line.sum() > 2 * width, "the measured line should run across the plot"
    columns = np.flatnonzero(line.any(axis=0))
    assert columns.max() - columns.min() > 0.8 * width

    # the highest point of the line is the highest hip angle of the trace
    y0, y1 = float(plot.attrs["data-y0"]), float(plot.attrs["data-y1"])
    area_top, area_bottom = MARGIN_T * scale, (PLOT_H - MARGIN_B) * scale
    highest_row = np.flatnonzero(line.any(axis=1)).min() + 1.2 * scale  # half the stroke
    shown = y0 + (area_bottom - highest_row) / (area_bottom - area_top) * (y1 - y0)
    best = max(v for v in report["sets"][0]["trace"]["values"] if v is not None)
    assert shown == pytest.approx(best, abs=1.5)
    # and the lowest point the lowest
    lowest_row = np.flatnonzero(line.any(axis=1)).max() - 1.2 * scale
    shown = y0 + (area_bottom - lowest_row) / (area_bottom - area_top) * (y1 - y0)
    least = min(v for v in report["sets"][0]["trace"]["values"] if v is not None)
    assert shown == pytest.approx(least, abs=1.5)
