"""The session history: storage, migrations, crash and concurrency safety, the progression rule,
export/import and the history commands."""

from __future__ import annotations

import copy
import csv
import dataclasses
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from formcheck.config import Config, load_config
from formcheck.errors import InputError, OutputError, UsageError
from formcheck.history import history as hist
from formcheck.history import history_db, history_io
from formcheck.history.history import History, record_report
from formcheck.history.progression import TrendPoint, next_targets
from tests import synthetic

REPO = Path(__file__).resolve().parents[1]
runner = CliRunner()


def cli(*args: str) -> Any:
    from formcheck.cli import app

    return runner.invoke(app, list(args))


# --- reports to store -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    """A real report of a bridge set, a plank that sags after 12 s and two cat-cow rounds: the
    analyzers run over a synthetic landmark series."""
    from formcheck.analysis import analyze_series
    from formcheck.report.report import build_report, report_json

    cfg = Config()
    motion = synthetic.sequence(
        synthetic.bridge(3),
        synthetic.plank(25.0, alignment=synthetic.ramps(0.0, (14.0, 15.0, -18.0))),
        synthetic.cat_cow(2),
    )
    series = synthetic.render(motion, fps=15)
    analysis = analyze_series(series, "auto", cfg)
    built = build_report(
        series, analysis.sets, exercise="auto", config=dataclasses.asdict(cfg), cues=analysis.cues
    )
    data: dict[str, Any] = json.loads(report_json(built))
    assert [s["exercise"] for s in data["sets"]] == ["glute_bridge", "plank", "cat_cow"]
    return data


def plank_report(hold_s: float, good_s: float, *, kind: str = "plank") -> dict[str, Any]:
    """A report of one plank hold, as the analyzers write it."""
    hold = {
        "index": 1,
        "kind": kind,
        "start_s": 2.0,
        "end_s": 2.0 + hold_s,
        "duration_s": hold_s,
        "good_form_s": good_s,
        "longest_good_s": good_s,
        "open": False,
    }
    summary = {"rep_count": 0, "hold_count": 1, "hold_s": hold_s, "good_form_s": good_s}
    return _report([{"exercise": "plank", "reps": [], "holds": [hold], "summary": summary}])


def bridge_report(pauses: list[float], faults: dict[int, list[str]] | None = None) -> dict:
    """A report of one bridge set whose reps paused ``pauses`` seconds at the top."""
    faults = faults or {}
    reps = [
        {
            "index": i,
            "start_s": 5.0 * i,
            "peak_s": 5.0 * i + 1.0,
            "end_s": 5.0 * i + 2.0 + p,
            "duration_s": 2.0 + p,
            "top_hold_s": p,
            "peak_hip_angle_deg": 178.0,
            "knee_angle_deg": 95.0,
            "faults": faults.get(i, []),
            "good": not faults.get(i),
        }
        for i, p in enumerate(pauses, 1)
    ]
    summary = {"rep_count": len(reps), "good_reps": sum(r["good"] for r in reps)}
    return _report([{"exercise": "glute_bridge", "reps": reps, "holds": [], "summary": summary}])


def _report(sets: list[dict[str, Any]]) -> dict[str, Any]:
    for s in sets:
        s.update(start_s=0.0, end_s=60.0, warnings=[])
    return {
        "schema": "formcheck.report/1",
        "formcheck_version": "0.1.0",
        "source": {"path": "/videos/session.mp4", "name": "session.mp4", "duration_s": 60.0},
        "model": {},
        "exercise_requested": "auto",
        "sets": sets,
        "summary": {},
        "coverage": {"measured_fraction": 1.0, "gaps": []},
        "cues": [],
        "config": {},
    }


def day(n: int) -> str:
    return f"2024-05-{n:02d}T08:00:00+00:00"


# --- storing and reading ----------------------------------------------------------------------


def test_a_report_is_stored_whole_and_reads_back_the_same(report: dict, tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite3"
    session_id = record_report(report, db=db, started_at="2024-05-01T09:30:00+02:00")
    with History(db) as history:
        session = history.session(session_id)
        [row] = history.sessions()
    assert session["started_at"] == "2024-05-01T07:30:00+00:00"  # stored in UTC
    assert session["kind"] == "analyze" and session["status"] == "complete"
    for key in (
        "source", "model", "summary", "coverage", "camera", "cues", "config", "exercise_requested"
    ):
        assert session[key] == report[key], key
    assert session["sets"] == [{**s, "index": i} for i, s in enumerate(report["sets"], 1)]
    plank = report["sets"][1]
    assert row.exercises == ("cat_cow", "glute_bridge", "plank")
    assert row.reps == report["summary"]["rep_count"] == 5
    assert row.hold_s == pytest.approx(plank["holds"][0]["duration_s"])
    assert row.good_form_s == pytest.approx(plank["holds"][0]["good_form_s"])
    assert row.warnings == 1  # the sagging hips


def test_trends_give_each_exercise_its_figures(report: dict, tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite3"
    record_report(report, db=db, started_at=day(1))
    with History(db) as history:
        points = {p.exercise: p for p in history.trends()}
        assert [p.exercise for p in history.trends("plank")] == ["plank"]
    bridge, plank, catcow = report["sets"]
    hold = plank["holds"][0]
    assert points["plank"].longest_hold_s == hold["duration_s"]
    assert points["plank"].good_form_share == pytest.approx(
        hold["good_form_s"] / hold["duration_s"]
    )
    assert points["plank"].good_form_share < 0.8  # sagging from 12 s into a 25 s hold
    assert points["glute_bridge"].reps == 3 and points["glute_bridge"].good_reps == 3
    assert points["glute_bridge"].mean_top_hold_s == pytest.approx(
        bridge["summary"]["mean_top_hold_s"], abs=0.01
    )
    assert points["cat_cow"].reps == 2
    assert points["cat_cow"].mean_range_deg == pytest.approx(catcow["summary"]["mean_range_deg"])


def test_recording_the_same_report_and_start_again_keeps_one_session(
    report: dict, tmp_path: Path
) -> None:
    db = tmp_path / "h.sqlite3"
    first = record_report(report, db=db, started_at=day(1))
    assert record_report(report, db=db, started_at=day(1)) == first
    assert record_report(report, db=db, started_at=day(2)) != first
    with History(db) as history:
        assert len(history.sessions()) == 2


def test_an_interrupted_report_is_an_interrupted_session(tmp_path: Path) -> None:
    data = plank_report(10.0, 10.0)
    data["source"]["interrupted"] = True
    db = tmp_path / "h.sqlite3"
    session_id = record_report(data, db=db, kind="live")
    with History(db) as history:
        assert history.session(session_id)["status"] == "interrupted"


def test_the_default_database_is_FORMCHECK_DB(
    _private_history_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert hist.default_db_path() == _private_history_db  # conftest: never the user's own
    session_id = record_report(plank_report(20.0, 20.0))
    assert _private_history_db.exists()
    with History() as history:
        assert history.path == _private_history_db
        assert [s.id for s in history.sessions()] == [session_id]
    monkeypatch.delenv("FORMCHECK_DB")
    assert hist.default_db_path().name == "history.sqlite3"
    assert "formcheck" in str(hist.default_db_path().parent)


# --- the live writer --------------------------------------------------------------------------


def test_a_live_session_is_written_call_by_call_and_finished(report: dict, tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite3"
    bridge = report["sets"][0]
    with History(db) as history:
        writer = history.start_session("live", source="camera 0")
        set_id = writer.add_set("glute_bridge", start_s=0.0)
        for rep in bridge["reps"]:
            writer.add_rep(set_id, {k: v for k, v in rep.items() if k != "index"})
        # another connection (another process) sees every committed call
        with History(db) as reader:
            running = reader.session(writer.session_id)
        assert running["status"] == "running"
        assert running["sets"][0]["reps"] == bridge["reps"]  # indexes 1, 2, 3 given in order
        writer.add_warning(set_id, {"type": "partial_rep", "start_s": 1.0, "end_s": 2.0})
        writer.finish_set(set_id, bridge)  # the final block replaces what was written
        writer.finish()
        session = history.session(writer.session_id)
        with pytest.raises(UsageError, match="already finished"):
            writer.add_set("plank")
    assert session["status"] == "complete" and session["ended_at"]
    assert session["sets"] == [{**bridge, "index": 1}]
    assert session["summary"]["rep_count"] == 3


def test_finishing_with_the_report_replaces_the_sets(report: dict, tmp_path: Path) -> None:
    with History(tmp_path / "h.sqlite3") as history:
        writer = history.start_session("routine")
        writer.add_hold(writer.add_set("plank"), {"duration_s": 5.0, "good_form_s": 5.0})
        writer.finish(report)
        session = history.session(writer.session_id)
    assert session["kind"] == "routine"
    assert session["sets"] == [{**s, "index": i} for i, s in enumerate(report["sets"], 1)]
    assert session["summary"] == report["summary"]


def test_an_exception_in_the_session_block_marks_it_interrupted(tmp_path: Path) -> None:
    with History(tmp_path / "h.sqlite3") as history:
        with pytest.raises(KeyboardInterrupt), history.start_session("live") as writer:
            writer.add_hold(writer.add_set("plank"), {"duration_s": 12.0, "good_form_s": 9.0})
            raise KeyboardInterrupt
        [row] = history.sessions()
    assert row.status == "interrupted" and row.hold_s == 12.0


def test_a_session_left_unfinished_when_its_history_closes_is_interrupted(tmp_path: Path) -> None:
    with History(tmp_path / "h.sqlite3") as history:
        writer = history.start_session("live")
        writer.add_hold(writer.add_set("plank"), {"duration_s": 7.0, "good_form_s": 7.0})
        assert history.sessions()[0].status == "running"  # its writer is this live process
    with History(tmp_path / "h.sqlite3") as history:
        [row] = history.sessions()
    assert row.status == "interrupted" and row.hold_s == 7.0


KILLED_WRITER = """
import sys
from formcheck.history.history import History

with History(sys.argv[1]) as history:
    writer = history.start_session("live", source="camera 0")
    set_id = writer.add_set("glute_bridge", start_s=0.0)
    print(writer.session_id, flush=True)
    n = 0
    while True:
        n += 1
        writer.add_rep(set_id, {"start_s": 4.0 * n, "peak_s": 4.0 * n + 1, "end_s": 4.0 * n + 3,
                                "top_hold_s": 2.0, "faults": [], "good": True})
        print(n, flush=True)
"""


def test_a_killed_session_keeps_its_reps_and_reads_as_interrupted(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite3"
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITER, str(db)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    assert proc.stdout is not None
    session_id = int(proc.stdout.readline())
    reported = 0
    while reported < 25:  # kill it in the middle of its writes
        reported = int(proc.stdout.readline())
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    rest = proc.stdout.read().split()  # reps it reported after our last read
    reported = int(rest[-1]) if rest else reported
    with History(db) as history:
        [row] = history.sessions()
        session = history.session(session_id)
        check = history.conn.execute("PRAGMA integrity_check").fetchone()[0]
    assert check == "ok"
    assert row.status == session["status"] == "interrupted"
    # every rep whose call returned survived; at most the one in flight is lost (or made it)
    assert reported <= row.reps <= reported + 1
    assert [r["index"] for r in session["sets"][0]["reps"]] == list(range(1, row.reps + 1))


CONCURRENT_WRITER = """
import json, pathlib, sys, time
from formcheck.history.history import History

db, name, n, folder = sys.argv[1], sys.argv[2], int(sys.argv[3]), pathlib.Path(sys.argv[4])
report = json.loads((folder / "report.json").read_text())
(folder / f"{name}.ready").touch()
while len(list(folder.glob("*.ready"))) < 2:
    time.sleep(0.005)
start = time.time()
for i in range(n):
    with History(db) as history:  # a new formcheck process each time, as from the shell
        if i % 2:
            history.record_report(report, started_at=f"2024-06-01T10:{i:02d}:00+00:00",
                                  kind="live" if name == "a" else "routine")
        else:
            with history.start_session("live", source=name) as writer:
                set_id = writer.add_set("plank", start_s=0.0)
                writer.add_hold(set_id, {"duration_s": 20.0, "good_form_s": 18.0})
                writer.add_warning(set_id, {"type": "hips_sagging", "start_s": 3.0})
print(json.dumps([start, time.time()]))
"""


def test_two_processes_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite3"  # new: the two also race to create the schema
    (tmp_path / "report.json").write_text(json.dumps(plank_report(30.0, 27.0)))
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CONCURRENT_WRITER, str(db), name, "50", str(tmp_path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=REPO,
        )
        for name in ("a", "b")
    ]
    spans = []
    for proc in procs:
        out, errors = proc.communicate(timeout=240)
        assert proc.returncode == 0, errors
        spans.append(json.loads(out))
    (a0, a1), (b0, b1) = spans
    assert a0 < b1 and b0 < a1  # the two really wrote at the same time
    with History(db) as history:
        rows = history.sessions()
        assert history.schema_version == history_db.SCHEMA_VERSION
        check = history.conn.execute("PRAGMA integrity_check").fetchone()[0]
    assert check == "ok"
    assert len(rows) == 100 and len({r.uid for r in rows}) == 100
    assert all(r.status == "complete" for r in rows)
    assert {r.kind for r in rows} == {"live", "routine"}
    assert sum(r.hold_s for r in rows) == pytest.approx(100 * 25.0)  # 20 s live, 30 s recorded
    assert sum(r.warnings for r in rows) == 50


# --- the schema and bad databases -------------------------------------------------------------

#: Version 1 of the schema exactly as formcheck 0.1 created it (a frozen copy: migration 1 must
#: never change).
V1_SCHEMA = """
CREATE TABLE sessions (id INTEGER PRIMARY KEY, uid TEXT NOT NULL UNIQUE, started_at TEXT NOT NULL,
    ended_at TEXT, kind TEXT NOT NULL CHECK (kind IN ('analyze', 'live', 'routine')),
    source TEXT NOT NULL DEFAULT '', status TEXT NOT NULL DEFAULT 'running'
    CHECK (status IN ('running', 'complete', 'interrupted')), exercise_requested TEXT,
    formcheck_version TEXT, source_json TEXT NOT NULL DEFAULT '{}',
    model_json TEXT NOT NULL DEFAULT '{}', config_json TEXT NOT NULL DEFAULT '{}',
    summary_json TEXT NOT NULL DEFAULT '{}', coverage_json TEXT NOT NULL DEFAULT '{}',
    cues_json TEXT NOT NULL DEFAULT '[]');
CREATE TABLE sets (id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL, exercise TEXT NOT NULL, start_s REAL, end_s REAL,
    rep_count INTEGER NOT NULL DEFAULT 0, hold_s REAL NOT NULL DEFAULT 0,
    good_form_s REAL NOT NULL DEFAULT 0, summary_json TEXT NOT NULL DEFAULT '{}',
    UNIQUE (session_id, idx));
CREATE TABLE reps (id INTEGER PRIMARY KEY,
    set_id INTEGER NOT NULL REFERENCES sets(id) ON DELETE CASCADE, idx INTEGER NOT NULL,
    start_s REAL, peak_s REAL, end_s REAL, duration_s REAL, good INTEGER NOT NULL DEFAULT 1,
    faults TEXT NOT NULL DEFAULT '', top_hold_s REAL, peak_hip_angle_deg REAL, range_deg REAL,
    data_json TEXT NOT NULL, UNIQUE (set_id, idx));
CREATE TABLE holds (id INTEGER PRIMARY KEY,
    set_id INTEGER NOT NULL REFERENCES sets(id) ON DELETE CASCADE, idx INTEGER NOT NULL,
    kind TEXT NOT NULL DEFAULT 'plank', start_s REAL, end_s REAL,
    duration_s REAL NOT NULL DEFAULT 0, good_form_s REAL NOT NULL DEFAULT 0,
    longest_good_s REAL, data_json TEXT NOT NULL, UNIQUE (set_id, idx));
CREATE TABLE warnings (id INTEGER PRIMARY KEY,
    set_id INTEGER NOT NULL REFERENCES sets(id) ON DELETE CASCADE, type TEXT NOT NULL,
    start_s REAL, end_s REAL, message TEXT NOT NULL DEFAULT '', worst_deg REAL,
    data_json TEXT NOT NULL);
INSERT INTO sessions (uid, started_at, kind, source, status)
    VALUES ('0123456789abcdef', '2024-04-01T08:00:00+00:00', 'analyze', 'old.mp4', 'complete'),
           ('fedcba9876543210', '2024-04-02T08:00:00+00:00', 'live', 'camera 0', 'running');
INSERT INTO sets (session_id, idx, exercise) VALUES (1, 1, 'plank'), (2, 1, 'plank');
INSERT INTO holds (set_id, idx, duration_s, good_form_s, data_json)
    VALUES (1, 1, 25.0, 21.0, '{"index": 1, "duration_s": 25.0, "good_form_s": 21.0}'),
           (2, 1, 8.0, 8.0, '{"index": 1, "duration_s": 8.0, "good_form_s": 8.0}');
PRAGMA application_id = 1178814537;
PRAGMA user_version = 1;
"""


def _columns(db: Path, table: str) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]


def test_a_version_1_database_is_migrated_and_keeps_its_sessions(tmp_path: Path) -> None:
    old, fresh = tmp_path / "old.sqlite3", tmp_path / "fresh.sqlite3"
    with sqlite3.connect(old) as conn:
        conn.executescript(V1_SCHEMA)
    assert history_db.SCHEMA_VERSION == len(history_db.MIGRATIONS) == 3
    with History(old) as history:
        assert history.schema_version == 3
        assert history.migrate() == 0  # nothing left to do
        rows = {r.uid: r for r in history.sessions()}
    assert rows["0123456789abcdef"].hold_s == 25.0
    assert rows["0123456789abcdef"].status == "complete"
    # a session left running by a formcheck that did not record its writer: nobody finishes it
    assert rows["fedcba9876543210"].status == "interrupted"
    History(fresh).close()
    for table in ("sessions", "sets", "reps", "holds", "warnings"):
        assert _columns(old, table) == _columns(fresh, table), table
    assert {"writer_pid", "writer_host", "camera_json"} <= set(_columns(old, "sessions"))
    assert "camera_json" in _columns(old, "sets")
    with sqlite3.connect(old) as conn:
        indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    assert {"sessions_by_start", "sets_by_exercise", "warnings_by_set"} <= indexes


def test_a_migration_that_fails_leaves_the_database_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "old.sqlite3"
    with sqlite3.connect(db) as conn:
        conn.executescript(V1_SCHEMA)
    broken = (*history_db.MIGRATIONS, "ALTER TABLE sessions ADD COLUMN note TEXT; SELECT nonsense")
    monkeypatch.setattr(history_db, "MIGRATIONS", broken)
    monkeypatch.setattr(history_db, "SCHEMA_VERSION", 4)
    with pytest.raises(OutputError, match="upgrading to schema version 4: no such column"):
        History(db)
    with sqlite3.connect(db) as conn:  # steps 2 and 3 were committed, step 4 rolled back whole
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 3
    assert "note" not in _columns(db, "sessions")


def test_a_database_newer_than_formcheck_is_refused_untouched(tmp_path: Path) -> None:
    db = tmp_path / "new.sqlite3"
    with sqlite3.connect(db) as conn:
        conn.executescript(V1_SCHEMA.replace("user_version = 1", "user_version = 7"))
    with pytest.raises(InputError, match="schema version 7, newer than this formcheck"):
        History(db)
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 7
    assert "writer_pid" not in _columns(db, "sessions")


def test_files_that_are_not_a_history_are_refused(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.sqlite3"
    garbage.write_bytes(b"this is not a database at all\n" * 200)
    with pytest.raises(InputError, match="not a readable formcheck history database"):
        History(garbage)
    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE contacts (name TEXT)")
    with pytest.raises(InputError, match="another program's SQLite file"):
        History(other)
    assert _columns(other, "sessions") == []  # nothing was added to it
    with pytest.raises(InputError, match="is a folder"):
        History(tmp_path)


def test_a_history_that_cannot_be_created_is_an_output_error(tmp_path: Path) -> None:
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    with pytest.raises(OutputError, match="cannot create the history database there"):
        record_report(plank_report(20.0, 20.0), db=a_file / "sub" / "history.sqlite3")


def test_reading_a_missing_history_does_not_create_it(tmp_path: Path) -> None:
    db = tmp_path / "none.sqlite3"
    with History(db, create=False) as history:
        assert history.sessions() == [] and history.trends() == []
    assert not db.exists()


# --- the progression rule ---------------------------------------------------------------------


PLANK_CASES = {
    # name: ([(longest hold s, good form s) or (s, s, kind), ...], next target, streak)
    "two sessions at target with good form earn a step": ([(20, 18), (21, 17)], 25, 0),
    "one session at target is half way": ([(26, 26)], 20, 1),
    "good form under 80% does not count": ([(20, 18), (22, 15)], 20, 0),
    "a session under target breaks the streak": ([(20, 18), (15, 15), (20, 18)], 20, 1),
    "each step is judged at the target of its time": (
        [(20, 20), (20, 20), (24, 24), (25, 25), (25, 25)],
        30,
        0,
    ),
    "a knee plank does not count toward the forearm plank": (
        [(20, 18), (30, 30, "knee_plank")],
        20,
        0,
    ),
    "no history: the routine's first target": ([], 20, 0),
}


@pytest.mark.parametrize("case", PLANK_CASES)
def test_the_plank_target_follows_the_rule(case: str, tmp_path: Path) -> None:
    sessions, expected, streak = PLANK_CASES[case]
    db = tmp_path / "h.sqlite3"
    for n, (hold, good, *kind) in enumerate(sessions, 1):
        record_report(
            plank_report(hold, good, kind=(kind or ["plank"])[0]), db=db, started_at=day(n)
        )
    with History(db) as history:
        [target] = next_targets(history.trends("plank"), Config(), exercises=["plank"])
    assert (target.exercise, target.name, target.unit) == ("plank", "hold_s", "s")
    assert target.value == expected and target.streak == streak
    assert len(target.steps) == len(sessions)


def test_sessions_of_other_exercises_do_not_break_a_plank_streak(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite3"
    record_report(plank_report(20, 20), db=db, started_at=day(1))
    record_report(bridge_report([2.0] * 12), db=db, started_at=day(2))
    record_report(plank_report(20, 20), db=db, started_at=day(3))
    with History(db) as history:
        [target] = next_targets(history.trends("plank"))
    assert target.value == 25


def test_the_plank_rule_reads_its_numbers_from_the_config() -> None:
    points = [
        TrendPoint(i, day(i), "complete", "plank", longest_hold_s=30.0, longest_hold_good_s=21.0)
        for i in range(1, 7)
    ]  # 70% good form, 30 s
    cfg = load_config(
        overrides=[
            "routine.plank_target_s=30",
            "progression.min_good_form_share=0.7",
            "progression.sessions_at_target=3",
            "progression.plank_step_s=10",
            "progression.plank_max_target_s=40",
        ]
    )
    [target] = next_targets(points[:3], cfg)
    assert target.value == 40 and target.at_max  # 3 sessions: one step of 10 s, the maximum
    [target] = next_targets(points, cfg)
    assert target.value == 40  # never past the maximum
    assert [v for _sid, v, _ok in target.steps] == [30, 30, 30, 40, 40, 40]


BRIDGE_CASES = {
    # name: ([[pauses per rep] per session], {session: {rep: faults}}, reps target, pause target)
    "two sessions of 12 good reps paused 2 s: 15 reps, 3 s": ([[2.1] * 12] * 2, {}, 15, 3),
    "10 reps are too few for the 12-rep step": ([[2.1] * 10] * 2, {}, 12, 3),
    "9 of 12 reps paused (75%) do not earn the pause step": (
        [[2.1] * 9 + [1.0] * 3] * 2,
        {},
        15,
        2,
    ),
    "10 of 12 reps paused (83%) earn it": ([[2.1] * 10 + [1.0] * 2] * 2, {}, 15, 3),
    "reps with faults are not good reps": (
        [[2.1] * 12] * 2,
        {2: {1: ["partial_rep"], 2: ["over_arch"], 3: ["hips_dropping"]}},
        12,
        2,
    ),
    "the pause target stops at 5 s": ([[6.0] * 15] * 12, {}, 15, 5),
}


@pytest.mark.parametrize("case", BRIDGE_CASES)
def test_the_bridge_targets_follow_the_rule(case: str, tmp_path: Path) -> None:
    sessions, faults, reps_target, pause_target = BRIDGE_CASES[case]
    db = tmp_path / "h.sqlite3"
    for n, pauses in enumerate(sessions, 1):
        record_report(bridge_report(pauses, faults.get(n)), db=db, started_at=day(n))
    with History(db) as history:
        targets = {t.name: t for t in next_targets(history.trends("glute_bridge"))}
    assert targets["reps"].value == reps_target
    assert targets["top_pause_s"].value == pause_target


def test_cat_cow_keeps_its_rounds_and_shows_the_range_trend() -> None:
    points = [
        TrendPoint(i, day(i), "complete", "cat_cow", reps=8, mean_range_deg=r)
        for i, r in enumerate([30.0, 32.0, 34.0], 1)
    ]
    [target] = next_targets(points)
    assert (target.name, target.value) == ("rounds", 8)
    assert "spinal range 34 deg last time, +2.0 deg per session over the last 3" in target.note
    assert "at least 0.95 s from one end to the other" in target.note


# --- export and import ------------------------------------------------------------------------


def test_export_then_import_moves_every_session(report: dict, tmp_path: Path) -> None:
    a, b = tmp_path / "a.sqlite3", tmp_path / "b.sqlite3"
    record_report(report, db=a, started_at=day(1))
    record_report(plank_report(22, 20), db=a, started_at=day(2), kind="live")
    exported = tmp_path / "history.json"
    assert history_io.export_history(exported, db=a) == 2
    assert json.loads(exported.read_text())["schema"] == "formcheck.history/1"
    result = history_io.import_history(exported, db=b)
    assert (result.imported, result.skipped) == (2, 0)
    with History(a) as ha, History(b) as hb:
        sessions_a = [ha.session(r.id) for r in ha.sessions()]
        sessions_b = [hb.session(r.id) for r in hb.sessions()]
    for sa, sb in zip(sessions_a, sessions_b, strict=True):
        assert {**sa, "id": None} == {**sb, "id": None}
    assert history_io.import_history(exported, db=b) == hist.ImportResult(0, 2)  # already there


def test_the_csv_export_has_a_row_per_rep_round_and_hold(report: dict, tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite3"
    record_report(report, db=db, started_at=day(1))
    out = tmp_path / "history.csv"
    history_io.export_history(out, db=db)
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert [r["item"] for r in rows] == ["rep"] * 3 + ["hold"] + ["round"] * 2
    bridge, plank, catcow = report["sets"]
    assert float(rows[0]["top_hold_s"]) == bridge["reps"][0]["top_hold_s"]
    assert float(rows[3]["good_form_s"]) == plank["holds"][0]["good_form_s"]
    assert float(rows[4]["range_deg"]) == catcow["reps"][0]["range_deg"]
    assert {r["started_at"] for r in rows} == {day(1)}
    # a hold's own kind (plank / knee plank) does not overwrite the session's kind
    assert {r["kind"] for r in rows} == {rows[0]["kind"]} and rows[0]["kind"] != "plank"
    assert rows[3]["hold_kind"] == plank["holds"][0]["kind"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not JSON"),
        ('{"schema": "formcheck.report/1"}', "not a formcheck history export"),
        ('{"schema": "formcheck.history/1", "sessions": [{"uid": "x"}]}', "missing started_at"),
    ],
)
def test_importing_a_bad_file_imports_nothing(content: str, message: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    with pytest.raises(InputError, match=message):
        history_io.import_history(bad, db=tmp_path / "h.sqlite3")
    with pytest.raises(InputError, match="file not found"):
        history_io.import_history(tmp_path / "missing.json", db=tmp_path / "h.sqlite3")


# --- the commands -----------------------------------------------------------------------------


@pytest.fixture
def plank_history(tmp_path: Path) -> Path:
    """Three plank sessions: 20 s and 21 s at 90% good form (a step earned), then 26 s."""
    db = tmp_path / "h.sqlite3"
    for n, (hold, good) in enumerate([(20.0, 18.0), (21.0, 19.0), (26.0, 24.0)], 1):
        record_report(plank_report(hold, good), db=db, started_at=day(n))
    return db


def test_history_lists_the_sessions(plank_history: Path, report: dict) -> None:
    record_report(report, db=plank_history, started_at=day(9), kind="live")
    result = cli("history", "--db", str(plank_history))
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if "2024-05" in line]
    assert len(lines) == 4
    assert lines[0].split()[:4] == ["4", "2024-05-09", lines[0].split()[2], "live"]
    assert "cat-cow" in lines[0] and "complete" in lines[0]
    assert "26.0 s" in lines[1] and "24.0 s" in lines[1]
    result = cli("history", "--db", str(plank_history), "--exercise", "cat_cow")
    assert result.exit_code == 0 and "1 session(s)" in result.stdout


def test_show_prints_one_session_or_its_json(plank_history: Path) -> None:
    result = cli("show", "2", "--db", str(plank_history))
    assert result.exit_code == 0, result.output
    assert "Set 1: Forearm plank" in result.stdout and "21.0 s" in result.stdout
    result = cli("show", "last", "--json", "--db", str(plank_history))
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["id"] == 3 and data["sets"][0]["holds"][0]["duration_s"] == 26.0
    result = cli("show", "99", "--db", str(plank_history))
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        f"error: session 99: not in the history {plank_history}"
    ]


def test_progress_shows_trend_and_next_target_and_draws_it(
    plank_history: Path, tmp_path: Path
) -> None:
    svg = tmp_path / "progress.svg"
    result = cli("progress", "--db", str(plank_history), "--plot", str(svg))
    assert result.exit_code == 0, result.output
    assert "next target: plank hold: 25 s (1 of 2 sessions at 25 s" in result.stdout
    assert "longest hold" in result.stdout and "20.0 -> 26.0 s" in result.stdout
    root = ET.fromstring(svg.read_text())
    ns = {"s": "http://www.w3.org/2000/svg"}
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    panels = root.findall("s:g", ns)
    assert len(panels) == 2  # longest hold (with the target) and its good-form time
    values = panels[0].findall("s:circle", ns)
    assert [c.find("s:title", ns).text.split(": ")[-1] for c in values] == ["20 s", "21 s", "26 s"]
    [target] = panels[0].findall("s:polyline[@class='target']", ns)
    ys = [float(p.split(",")[1]) for p in target.get("points", "").split()]
    assert ys[0] > ys[-1]  # the target line steps up (SVG y grows downwards)
    result = cli("progress", "--db", str(plank_history), "--set", "progression.plank_step_s=10")
    assert "next target: plank hold: 30 s" in result.stdout


def test_progress_on_an_empty_history_gives_first_targets(tmp_path: Path) -> None:
    result = cli("progress", "--exercise", "glute_bridge", "--db", str(tmp_path / "n.sqlite3"))
    assert result.exit_code == 0, result.output
    assert "no sessions of bridge" in result.stdout
    assert "next target: bridge reps: 12 reps" in result.stdout
    assert "next target: bridge top pause: 2 s" in result.stdout


def test_export_and_import_commands(plank_history: Path, tmp_path: Path) -> None:
    out = tmp_path / "h.json"
    result = cli("export", str(out), "--db", str(plank_history))
    assert result.exit_code == 0 and "exported 3 session(s)" in result.stdout
    csv_out = tmp_path / "h.txt"
    result = cli("export", str(csv_out), "--format", "csv", "--db", str(plank_history))
    assert result.exit_code == 0 and csv_out.read_text().startswith("session_uid,")
    other = tmp_path / "other.sqlite3"
    result = cli("import", str(out), "--db", str(other))
    assert result.exit_code == 0 and "imported 3 session(s), skipped 0" in result.stdout
    result = cli("import", str(out), "--db", str(other))
    assert "imported 0 session(s), skipped 3" in result.stdout


def test_a_bad_database_is_a_one_line_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(os.urandom(4096))
    for command in (["history"], ["show", "1"], ["progress"], ["export", str(tmp_path / "e.json")]):
        result = cli(*command, "--db", str(bad))
        assert result.exit_code == 1, command
        [line] = result.stderr.strip().splitlines()
        assert line.startswith(f"error: {bad}: not a readable formcheck history database")
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    result = cli("import", str(tmp_path / "e.json"), "--db", str(a_file / "h.sqlite3"))
    assert result.exit_code == 1  # the missing input is reported first
    (tmp_path / "e.json").write_text(json.dumps({"schema": "formcheck.history/1", "sessions": []}))
    result = cli("import", str(tmp_path / "e.json"), "--db", str(a_file / "h.sqlite3"))
    assert result.exit_code == 5
    assert len(result.stderr.strip().splitlines()) == 1


# --- end to end: a real video through the model into the history -----------------------------


@pytest.mark.slow
def test_an_analysed_video_goes_into_the_history(tmp_path: Path) -> None:
    from formcheck.run.recording import analyze_one

    video = REPO / "samples" / "plank_good_left.mp4"
    data = analyze_one(video, exercise="auto", config=Config(), max_fps=10)
    [hold] = data["sets"][0]["holds"]
    assert hold["duration_s"] > 10
    db = tmp_path / "h.sqlite3"
    session_id = record_report(copy.deepcopy(data), db=db)
    with History(db) as history:
        [point] = history.trends("plank")
        session = history.session(session_id)
    assert session["source"]["path"] == str(video.resolve())
    assert point.longest_hold_s == hold["duration_s"]
    assert point.good_form_share == pytest.approx(hold["good_form_s"] / hold["duration_s"])
    result = cli("show", str(session_id), "--db", str(db))
    assert result.exit_code == 0 and f"{hold['duration_s']:.1f} s" in result.stdout
