"""CSV exports: one row per rep / round / hold, and one row per analysed frame.

The reports come from the real pipeline (MediaPipe on the bundled sample videos), made once per
module: a glute-bridge clip with two partial reps and a plank clip whose hips sag.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from formcheck.analysis import Analysis
from formcheck.config import Config
from formcheck.errors import InputError, OutputError
from formcheck.report.csv_export import REP_COLUMNS, read_csv, rep_rows, write_csv, write_frames_csv
from formcheck.report.report import report_json
from formcheck.report.traces import FRAME_COLUMNS
from formcheck.run.recording import analyze_source

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def analysed(name: str, max_fps: float) -> tuple[dict[str, Any], Analysis]:
    """The JSON report (as a reader of the file sees it) and the analysis of a sample clip."""
    report, analysis = analyze_source(
        SAMPLES / name, exercise="auto", config=Config(), max_fps=max_fps
    )
    return json.loads(report_json(report)), analysis


@pytest.fixture(scope="module")
def bridge() -> tuple[dict[str, Any], Analysis]:
    return analysed("bridge_partial_right.mp4", max_fps=10)


@pytest.fixture(scope="module")
def plank() -> tuple[dict[str, Any], Analysis]:
    return analysed("plank_sag_from_12s.mp4", max_fps=5)


def items_of(report: dict[str, Any]) -> list[tuple[int, str, dict[str, Any]]]:
    """(set number, row kind, rep/round/hold dict) in the order the CSV lists them."""
    out = []
    for number, block in enumerate(report["sets"], start=1):
        word = "round" if block["exercise"] == "cat_cow" else "rep"
        out += [(number, word, r) for r in block["reps"]]
        out += [(number, "hold", h) for h in block["holds"]]
    return out


@pytest.mark.slow
@pytest.mark.parametrize("clip", ["bridge", "plank"])
def test_rep_csv_round_trips_every_rep_and_hold(
    clip: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    report, _ = request.getfixturevalue(clip)
    expected = items_of(report)
    assert expected, "the sample should give reps or holds"
    path = write_csv(report, tmp_path / "reps.csv")
    rows = read_csv(path)
    assert len(rows) == len(expected)
    for row, (number, kind, item) in zip(rows, expected, strict=True):
        assert row["set"] == number
        assert row["exercise"] == report["sets"][number - 1]["exercise"]
        assert row["kind"] == kind
        for key, value in item.items():
            column = "hold_type" if (kind == "hold" and key == "kind") else key
            assert row[column] == value, f"{column} of {kind} {item['index']}"


@pytest.mark.slow
def test_rep_csv_has_the_documented_columns_in_order(
    bridge: tuple[dict[str, Any], Analysis], tmp_path: Path
) -> None:
    report, _ = bridge
    path = write_csv(report, tmp_path / "reps.csv")
    with path.open(newline="") as fh:
        header = next(csv.reader(fh))
    assert header == list(REP_COLUMNS)


@pytest.mark.slow
def test_partial_reps_list_their_fault_and_are_not_good(
    bridge: tuple[dict[str, Any], Analysis], tmp_path: Path
) -> None:
    report, _ = bridge
    rows = read_csv(write_csv(report, tmp_path / "reps.csv"))
    partial = [r for r in rows if "partial_rep" in r["faults"]]
    assert [r["index"] for r in partial] == [2, 4]  # the clip's two short reps
    assert all(r["good"] is False for r in partial)
    assert all(r["good"] is True and r["faults"] == [] for r in rows if r not in partial)


@pytest.mark.slow
@pytest.mark.parametrize("clip", ["bridge", "plank"])
def test_good_form_column_sums_to_each_sets_summary(
    clip: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    report, _ = request.getfixturevalue(clip)
    rows = read_csv(write_csv(report, tmp_path / "reps.csv"))
    for number, block in enumerate(report["sets"], start=1):
        total = sum(r["good_form_s"] for r in rows if r["set"] == number)
        assert total == pytest.approx(block["summary"]["good_form_s"], abs=1e-6)


@pytest.mark.slow
@pytest.mark.parametrize("clip", ["bridge", "plank"])
def test_frames_csv_holds_every_frame_and_metric(
    clip: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    _, analysis = request.getfixturevalue(clip)
    rows = read_csv(write_frames_csv(analysis, tmp_path / "frames.csv"))
    with (tmp_path / "frames.csv").open(newline="") as fh:
        header = next(csv.reader(fh))
    assert header[: len(FRAME_COLUMNS)] == list(FRAME_COLUMNS)
    assert len(rows) == sum(len(a.times) for a in analysis.analyzers)
    start = 0
    for number, analyzer in enumerate(analysis.analyzers, start=1):
        mine = rows[start : start + len(analyzer.times)]
        start += len(analyzer.times)
        assert {r["set"] for r in mine} == {number}
        assert [r["t_s"] for r in mine] == pytest.approx(analyzer.times, abs=5e-4)
        assert [r["measured"] for r in mine] == analyzer.measured
        for name, values in analyzer.metrics.items():
            assert name in header
            got = np.array([np.nan if r[name] is None else r[name] for r in mine], float)
            want = np.asarray(values, float)
            assert np.array_equal(np.isnan(got), np.isnan(want)), name
            assert np.allclose(got[~np.isnan(got)], want[~np.isnan(want)], atol=6e-4), name


@pytest.mark.slow
def test_frames_csv_measured_share_matches_the_key_measure(
    plank: tuple[dict[str, Any], Analysis], tmp_path: Path
) -> None:
    _, analysis = plank
    rows = read_csv(write_frames_csv(analysis, tmp_path / "frames.csv"))
    measured = [r for r in rows if r["measured"]]
    assert measured and len(measured) < len(rows)  # getting into position is not measured
    assert all(
        r["alignment_deg"] is not None and math.isfinite(r["alignment_deg"]) for r in measured
    )


def test_a_hold_straight_on_from_the_one_before_says_so(tmp_path: Path) -> None:
    # a knee plank up onto the toes: the plank's row says it continues the knee plank
    hold = {"start_s": 0.0, "end_s": 5.0, "duration_s": 5.0, "good_form_s": 5.0,
            "longest_good_s": 5.0, "open": False}
    report = {"sets": [{"exercise": "plank", "reps": [], "warnings": [], "holds": [
        hold | {"index": 1, "kind": "knee_plank", "continues": False},
        hold | {"index": 2, "kind": "plank", "continues": True},
    ]}]}
    path = write_csv(report, tmp_path / "reps.csv")
    assert path.read_text().splitlines()[0] == ",".join(REP_COLUMNS)  # a documented column
    rows = read_csv(path)
    assert [r["hold_type"] for r in rows] == ["knee_plank", "plank"]
    assert [r["continues"] for r in rows] == [False, True]
    assert rows[1]["continues"] is True  # read back as a boolean, as `open` is


def test_a_report_without_sets_gives_a_header_only_csv(tmp_path: Path) -> None:
    path = write_csv({"sets": []}, tmp_path / "empty.csv")
    assert path.read_text().splitlines() == [",".join(REP_COLUMNS)]
    assert read_csv(path) == []


def test_bridge_rep_good_form_is_its_top_pause_only_when_good() -> None:
    report = {
        "sets": [
            {
                "exercise": "glute_bridge",
                "reps": [
                    {"index": 1, "top_hold_s": 1.5, "faults": [], "good": True},
                    {"index": 2, "top_hold_s": 1.2, "faults": ["partial_rep"], "good": False},
                ],
                "holds": [],
            }
        ]
    }
    assert [r["good_form_s"] for r in rep_rows(report)] == [1.5, 0.0]


def test_unknown_keys_get_their_own_columns_before_faults(tmp_path: Path) -> None:
    report = {"sets": [{"exercise": "glute_bridge", "reps": [{"index": 1, "tempo_x": 2.0}]}]}
    path = write_csv(report, tmp_path / "r.csv")
    header = path.read_text().splitlines()[0].split(",")
    assert header[-2:] == ["tempo_x", "faults"]
    assert read_csv(path)[0]["tempo_x"] == 2.0


def test_write_to_a_missing_folder_is_an_output_error(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="does not exist"):
        write_csv({"sets": []}, tmp_path / "nowhere" / "r.csv")


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    class Unprintable:
        def __str__(self) -> str:
            raise OSError(28, "No space left on device")

    target = tmp_path / "r.csv"
    target.write_text("old\n")
    report = {"sets": [{"exercise": "plank", "reps": [], "holds": [{"index": 1}]}]}
    report["sets"][0]["holds"][0]["faults"] = [Unprintable()]
    with pytest.raises(OutputError, match="no space left"):
        write_csv(report, target)
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["r.csv"]


def test_reading_a_missing_csv_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"missing\.csv"):
        read_csv(tmp_path / "missing.csv")


def test_a_hold_row_lists_the_faults_of_its_hold(plank: tuple[dict[str, Any], Analysis]) -> None:
    report, _ = plank
    holds = [row for row in rep_rows(report) if row["kind"] == "hold"]
    warned = {w["hold"]: w["type"] for w in report["sets"][0]["warnings"]}
    assert warned == {1: "hips_sagging"}  # the clip sags from 12 s
    assert [row["faults"] for row in holds] == [["hips_sagging"]]
