"""A history session as rows of the history tables, and back.

A session is a nested dict, schema ``formcheck.session/1``: a report's blocks (source, model,
config, summary, coverage, cues, and sets with their reps or cat-cow rounds, holds and
warnings) plus ``id``, ``uid``, ``started_at``, ``ended_at``, ``kind`` and ``status``. Here each
block becomes one row (:func:`insert_session` and the ``insert_*`` helpers): its key figures
as columns, the whole block as JSON beside them, so :func:`read_session` gives the same dict
back and :func:`trend_point` can sum the figures in SQL. The tables themselves are the
migrations of :mod:`formcheck.history.history_db`; the transactions are the caller's
(:class:`formcheck.history.history.History`).

Values are stored JSON-safe: a non-finite float becomes null (:func:`json_safe`), and times of
day are ISO 8601 in UTC (:func:`iso_utc`).

Example:
    >>> import sqlite3
    >>> from formcheck.history.history_db import MIGRATIONS
    >>> conn = sqlite3.connect(":memory:")
    >>> conn.executescript(";".join(MIGRATIONS)) and None
    >>> session_id = insert_session(conn, {
    ...     "uid": "demo", "started_at": "2024-05-01T08:00:00+00:00", "kind": "analyze",
    ...     "sets": [{"exercise": "plank", "holds": [{"duration_s": 25.0, "good_form_s": 22.0}]}]})
    >>> read_session(conn, session_id)["summary"]["hold_s"]
    25.0
    >>> trend_point(conn, session_id, "2024-05-01", "complete", "plank").longest_hold_s
    25.0
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from formcheck._version import __version__
from formcheck.errors import InputError, UsageError
from formcheck.history.progression import TrendPoint

SESSION_SCHEMA = "formcheck.session/1"
KINDS = ("analyze", "live", "routine")
STATUSES = ("running", "complete", "interrupted")

REP_COLUMNS = ("start_s", "peak_s", "end_s", "duration_s", "top_hold_s", "peak_hip_angle_deg")
HOLD_COLUMNS = ("start_s", "end_s", "longest_good_s")


# --- values -----------------------------------------------------------------------------------


def utc_now() -> str:
    """The current time as ISO 8601 in UTC, to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def iso_utc(value: datetime | str | None) -> str:
    """A time as ISO 8601 in UTC, to the second (None = now; a naive time is local).

    Raises:
        InputError: A string that is not an ISO 8601 date and time.

    Example:
        >>> iso_utc("2024-05-01T10:00:00+02:00")
        '2024-05-01T08:00:00+00:00'
    """
    if value is None:
        return utc_now()
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise InputError(f"{value!r} is not an ISO 8601 date and time") from None
    if value.tzinfo is None:  # a naive time is local time
        value = value.astimezone()
    return value.astimezone(UTC).isoformat(timespec="seconds")


def json_text(value: Any) -> str:
    """Compact JSON of ``value``, non-finite floats as null (a column's ``*_json`` text)."""
    return json.dumps(json_safe(value), allow_nan=False, separators=(",", ":"))


def json_safe(value: Any) -> Any:
    """``value`` with every non-finite float (in dicts, lists, tuples) replaced by None."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value


def as_number(value: Any) -> float | None:
    """A finite int or float as a float; anything else (bools included) as None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


# --- sessions in ------------------------------------------------------------------------------


def report_fields(report: Mapping[str, Any]) -> dict[str, Any]:
    """The blocks of a report a session stores, each defaulted when missing."""
    return {
        "source": dict(report.get("source") or {}),
        "exercise_requested": report.get("exercise_requested"),
        "formcheck_version": report.get("formcheck_version", __version__),
        "model": dict(report.get("model") or {}),
        "config": dict(report.get("config") or {}),
        "summary": dict(report.get("summary") or {}),
        "coverage": dict(report.get("coverage") or {}),
        "camera": report.get("camera"),
        "cues": list(report.get("cues") or []),
        "sets": list(report.get("sets") or []),
    }


def check_session(session: Any, where: str) -> None:
    """Raise :class:`InputError` (prefixed with ``where``) unless ``session`` is a session
    dict that can be inserted: uid, start and a known kind and status."""
    if not isinstance(session, Mapping):
        raise InputError(f"{where}: not an object")
    for key in ("uid", "started_at", "kind"):
        if not isinstance(session.get(key), str) or not session[key]:
            raise InputError(f"{where}: missing {key}")
    if session["kind"] not in KINDS:
        raise InputError(f"{where}: unknown kind {session['kind']!r}")
    if session.get("status", "complete") not in STATUSES:
        raise InputError(f"{where}: unknown status {session['status']!r}")
    if not isinstance(session.get("sets", []), list):
        raise InputError(f"{where}: 'sets' is not a list")


def insert_session(conn: sqlite3.Connection, session: Mapping[str, Any]) -> int:
    """Insert a session dict (as :meth:`History.session` returns) with all its sets."""
    source = dict(session.get("source") or {})
    cur = conn.execute(
        "INSERT INTO sessions (uid, started_at, ended_at, kind, source, status, "
        "exercise_requested, formcheck_version, source_json, model_json, config_json, "
        "summary_json, coverage_json, cues_json, camera_json) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            session["uid"],
            iso_utc(session["started_at"]),
            iso_utc(session["ended_at"]) if session.get("ended_at") else None,
            session["kind"],
            str(source.get("path") or source.get("name") or ""),
            session.get("status", "complete"),
            session.get("exercise_requested"),
            session.get("formcheck_version"),
            json_text(source),
            json_text(session.get("model") or {}),
            json_text(session.get("config") or {}),
            json_text(session.get("summary") or {}),
            json_text(session.get("coverage") or {}),
            json_text(session.get("cues") or []),
            optional_json(session.get("camera")),
        ),
    )
    session_id = int(cur.lastrowid or 0)
    for idx, block in enumerate(session.get("sets") or [], 1):
        insert_set(conn, session_id, idx, block, children=True)
    return session_id


def optional_json(value: Any) -> str | None:
    """JSON text of a block that older reports lack (NULL then)."""
    return None if value is None else json_text(value)


def _set_columns(block: Mapping[str, Any]) -> tuple[Any, ...]:
    summary = dict(block.get("summary") or {})
    reps = block.get("reps") or []
    holds = block.get("holds") or []
    rep_count = summary.get("rep_count", len(reps))
    hold_s = as_number(summary.get("hold_s"))
    good_s = as_number(summary.get("good_form_s"))
    if hold_s is None:
        hold_s = sum(as_number(h.get("duration_s")) or 0.0 for h in holds)
    if good_s is None:
        good_s = sum(as_number(h.get("good_form_s")) or 0.0 for h in holds)
    return (
        str(block.get("exercise", "")),
        as_number(block.get("start_s")),
        as_number(block.get("end_s")),
        int(rep_count or 0),
        hold_s,
        good_s,
        json_text(summary),
        optional_json(block.get("camera")),
    )


def insert_set(
    conn: sqlite3.Connection,
    session_id: int,
    idx: int,
    block: Mapping[str, Any],
    *,
    children: bool = False,
) -> int:
    """Insert a set block as set number ``idx`` of the session (with its reps, holds and
    warnings when ``children``); returns its id."""
    cur = conn.execute(
        "INSERT INTO sets (session_id, idx, exercise, start_s, end_s, rep_count, hold_s, "
        "good_form_s, summary_json, camera_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (session_id, idx, *_set_columns(block)),
    )
    set_id = int(cur.lastrowid or 0)
    if children:
        _insert_children(conn, set_id, block)
    return set_id


def _insert_children(conn: sqlite3.Connection, set_id: int, block: Mapping[str, Any]) -> None:
    for rep in block.get("reps") or []:
        insert_rep(conn, set_id, rep)
    for hold in block.get("holds") or []:
        insert_hold(conn, set_id, hold)
    for warning in block.get("warnings") or []:
        insert_warning(conn, set_id, warning)


def replace_set(conn: sqlite3.Connection, set_id: int, block: Mapping[str, Any]) -> None:
    """Replace a set's figures and all its reps, holds and warnings by its final block."""
    row = conn.execute("SELECT exercise FROM sets WHERE id = ?", (set_id,)).fetchone()
    if row is None:
        raise UsageError(f"set {set_id}: not in the history")
    block = {"exercise": row[0], **block}
    exercise, start, end, rep_count, hold_s, good_s, summary, camera = _set_columns(block)
    conn.execute(
        "UPDATE sets SET exercise = ?, start_s = coalesce(?, start_s), end_s = ?, rep_count = ?, "
        "hold_s = ?, good_form_s = ?, summary_json = ?, camera_json = ? WHERE id = ?",
        (exercise, start, end, rep_count, hold_s, good_s, summary, camera, set_id),
    )
    for table in ("reps", "holds", "warnings"):
        conn.execute(f"DELETE FROM {table} WHERE set_id = ?", (set_id,))
    _insert_children(conn, set_id, block)


def _upsert(conn: sqlite3.Connection, table: str, columns: Mapping[str, Any]) -> None:
    """Insert a row; a row with the same (set_id, idx) is replaced in place."""
    names = ", ".join(columns)
    marks = ", ".join("?" * len(columns))
    update = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in ("set_id", "idx"))
    conn.execute(
        f"INSERT INTO {table} ({names}) VALUES ({marks}) "
        f"ON CONFLICT (set_id, idx) DO UPDATE SET {update}",
        tuple(columns.values()),
    )


def _item(conn: sqlite3.Connection, table: str, set_id: int, item: Mapping[str, Any]) -> dict:
    """The item with its ``index`` (the next free one when it has none)."""
    index = item.get("index")
    if not isinstance(index, int) or isinstance(index, bool):
        sql = f"SELECT coalesce(max(idx), 0) + 1 FROM {table} WHERE set_id = ?"
        index = int(conn.execute(sql, (set_id,)).fetchone()[0])
    return {"index": index, **{k: v for k, v in item.items() if k != "index"}}


def insert_rep(conn: sqlite3.Connection, set_id: int, rep: Mapping[str, Any]) -> None:
    """Store a rep (or cat-cow round) block; a rep with the same index is replaced."""
    data = _item(conn, "reps", set_id, rep)
    faults = [str(f) for f in data.get("faults") or []]
    _upsert(
        conn,
        "reps",
        {
            "set_id": set_id,
            "idx": data["index"],
            **{c: as_number(data.get(c)) for c in (*REP_COLUMNS, "range_deg")},
            "good": int(bool(data.get("good", not faults))),
            "faults": ",".join(faults),
            "data_json": json_text(data),
        },
    )


def insert_hold(conn: sqlite3.Connection, set_id: int, hold: Mapping[str, Any]) -> None:
    """Store a plank hold block; a hold with the same index is replaced."""
    data = {"kind": "plank", **_item(conn, "holds", set_id, hold)}
    _upsert(
        conn,
        "holds",
        {
            "set_id": set_id,
            "idx": data["index"],
            "kind": str(data["kind"]),
            **{c: as_number(data.get(c)) for c in HOLD_COLUMNS},
            "duration_s": as_number(data.get("duration_s")) or 0.0,
            "good_form_s": as_number(data.get("good_form_s")) or 0.0,
            "data_json": json_text(data),
        },
    )


def insert_warning(conn: sqlite3.Connection, set_id: int, warning: Mapping[str, Any]) -> None:
    """Store a form warning block."""
    conn.execute(
        "INSERT INTO warnings (set_id, type, start_s, end_s, message, worst_deg, data_json) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            set_id,
            str(warning.get("type", "")),
            as_number(warning.get("start_s")),
            as_number(warning.get("end_s")),
            str(warning.get("message", "")),
            as_number(warning.get("worst_deg")),
            json_text(dict(warning)),
        ),
    )


# --- sessions out -----------------------------------------------------------------------------


def read_session(conn: sqlite3.Connection, session_id: int) -> dict[str, Any] | None:
    """The session ``session_id`` as stored (see the module docs), None when there is none.

    Its ``status`` is the stored one: whether a ``running`` session's writer is still alive is
    for :class:`formcheck.history.history.History` to tell.
    """
    row = conn.execute(
        "SELECT id, uid, started_at, ended_at, kind, source, status, exercise_requested, "
        "formcheck_version, source_json, model_json, config_json, summary_json, "
        "coverage_json, cues_json, camera_json FROM sessions WHERE id = ?",
        (session_id,),
    ).fetchone()
    if row is None:
        return None
    source = json.loads(row[9]) or {"path": row[5]}
    session: dict[str, Any] = {
        "schema": SESSION_SCHEMA,
        "id": row[0],
        "uid": row[1],
        "started_at": row[2],
        "ended_at": row[3],
        "kind": row[4],
        "status": row[6],
        "exercise_requested": row[7],
        "formcheck_version": row[8],
        "source": source,
        "model": json.loads(row[10]),
        "config": json.loads(row[11]),
        "summary": json.loads(row[12]),
        "coverage": json.loads(row[13]),
        "cues": json.loads(row[14]),
        "sets": [],
    }
    if row[15] is not None:
        session["camera"] = json.loads(row[15])
    for set_row in conn.execute(
        "SELECT id, idx, exercise, start_s, end_s, summary_json, camera_json FROM sets "
        "WHERE session_id = ? ORDER BY idx",
        (session_id,),
    ).fetchall():
        set_id = set_row[0]
        session["sets"].append(
            {
                "index": set_row[1],
                "exercise": set_row[2],
                "start_s": set_row[3],
                "end_s": set_row[4],
                "reps": [
                    json.loads(r[0])
                    for r in conn.execute(
                        "SELECT data_json FROM reps WHERE set_id = ? ORDER BY idx", (set_id,)
                    )
                ],
                "holds": [
                    json.loads(r[0])
                    for r in conn.execute(
                        "SELECT data_json FROM holds WHERE set_id = ? ORDER BY idx", (set_id,)
                    )
                ],
                "warnings": [
                    json.loads(r[0])
                    for r in conn.execute(
                        "SELECT data_json FROM warnings WHERE set_id = ? ORDER BY start_s, id",
                        (set_id,),
                    )
                ],
                "summary": json.loads(set_row[5]),
            }
        )
        if set_row[6] is not None:
            session["sets"][-1]["camera"] = json.loads(set_row[6])
    if not session["summary"]:
        session["summary"] = _summary_of(session["sets"])
    return session


def _summary_of(sets: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """A report-style summary of sets written incrementally (no final report)."""
    return {
        "exercises": sorted({s["exercise"] for s in sets}),
        "set_count": len(sets),
        "rep_count": sum(len(s["reps"]) for s in sets),
        "hold_s": round(
            sum(as_number(h.get("duration_s")) or 0.0 for s in sets for h in s["holds"]), 3
        ),
        "good_form_s": round(
            sum(as_number(h.get("good_form_s")) or 0.0 for s in sets for h in s["holds"]), 3
        ),
        "warning_count": sum(len(s["warnings"]) for s in sets),
    }


def trend_point(
    conn: sqlite3.Connection, session_id: int, started: str, status: str, exercise: str
) -> TrendPoint:
    """The figures of ``exercise`` in session ``session_id``, summed over its sets."""
    sets_of = "SELECT id FROM sets WHERE session_id = ? AND exercise = ?"
    key = (session_id, exercise)
    reps = conn.execute(
        "SELECT good, top_hold_s, range_deg, duration_s FROM reps "
        f"WHERE set_id IN ({sets_of}) ORDER BY set_id, idx",
        key,
    ).fetchall()
    holds = conn.execute(
        "SELECT kind, duration_s, good_form_s FROM holds "
        f"WHERE set_id IN ({sets_of}) ORDER BY set_id, idx",
        key,
    ).fetchall()
    planks = [h for h in holds if h[0] == "plank"]
    longest = max(planks, key=lambda h: h[1]) if planks else None
    ranges = [r[2] for r in reps if r[2] is not None]
    tempos = [r[3] for r in reps if exercise == "cat_cow" and r[3] is not None]
    return TrendPoint(
        session_id=session_id,
        started_at=started,
        status=status,
        exercise=exercise,
        reps=len(reps),
        good_reps=sum(bool(r[0]) for r in reps),
        hold_s=round(float(sum(h[1] for h in holds)), 3),
        good_form_s=round(float(sum(h[2] for h in holds)), 3),
        longest_hold_s=longest[1] if longest else None,
        longest_hold_good_s=longest[2] if longest else None,
        top_holds=tuple(r[1] for r in reps) if exercise == "glute_bridge" else (),
        rep_good=tuple(bool(r[0]) for r in reps),
        mean_range_deg=round(sum(ranges) / len(ranges), 2) if ranges else None,
        mean_round_s=round(sum(tempos) / len(tempos), 3) if tempos else None,
    )
