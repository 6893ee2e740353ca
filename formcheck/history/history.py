"""The session history: every analysed, live or routine session in one SQLite database.

The database lives in the user's data directory (``platformdirs.user_data_dir("formcheck")``,
file ``history.sqlite3``); ``$FORMCHECK_DB`` or an explicit path (``--db``) moves it. It holds,
per session: when (ISO 8601, UTC), what kind (``analyze``, ``live``, ``routine``), the source,
the status (``running``, ``complete``, ``interrupted``), and its sets with their reps (or
cat-cow rounds), holds and warnings: the key figures as columns, each item's full report block
as JSON beside them (:mod:`formcheck.history.history_rows`).

Safety:

* **Versioned schema, several processes at once**: see
  :mod:`formcheck.history.history_db` (migrations,
  application id, WAL journal, busy timeout, ``BEGIN IMMEDIATE`` write transactions).
* **Transactional and incremental.** A whole report is stored in one transaction
  (:meth:`History.record_report`); a live session is written call by call
  (:class:`SessionWriter`), each call one small transaction, so a killed process loses at most
  the call in flight. A session still ``running`` whose writer process (same host) is gone
  reads as ``interrupted``.

The progression rule of ``formcheck progress`` over :meth:`History.trends` is in
:mod:`formcheck.history.progression`; export and import in :mod:`formcheck.history.history_io`.

Example:
    >>> import tempfile, pathlib
    >>> db = pathlib.Path(tempfile.mkdtemp()) / "history.sqlite3"
    >>> with History(db) as history:
    ...     writer = history.start_session("live", source="camera 0")
    ...     set_id = writer.add_set("plank", start_s=0.0)
    ...     writer.add_hold(set_id, {"start_s": 2.0, "end_s": 27.0, "duration_s": 25.0,
    ...                              "good_form_s": 22.0, "longest_good_s": 20.0})
    ...     writer.finish()
    ...     [(s.kind, s.status, s.hold_s) for s in history.sessions()]
    [('live', 'complete', 25.0)]
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import sqlite3
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from formcheck._version import __version__
from formcheck.errors import FormcheckError, InputError, OutputError, UsageError
from formcheck.history.history_db import HistoryDatabase
from formcheck.history.history_rows import (
    KINDS,
    as_number,
    check_session,
    insert_hold,
    insert_rep,
    insert_session,
    insert_set,
    insert_warning,
    iso_utc,
    json_text,
    optional_json,
    read_session,
    replace_set,
    report_fields,
    trend_point,
    utc_now,
)
from formcheck.history.progression import TrendPoint

log = logging.getLogger(__name__)

EXPORT_SCHEMA = "formcheck.history/1"
_UID_NAMESPACE = uuid.UUID("5d0c3f0e-2a55-4d0b-9a57-6f6f726d6368")

Kind = Literal["analyze", "live", "routine"]


def default_db_path() -> Path:
    """``$FORMCHECK_DB`` if set, else ``history.sqlite3`` in the user's data directory."""
    env = os.environ.get("FORMCHECK_DB")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("formcheck")) / "history.sqlite3"


def _writer_alive(pid: int | None, host: str | None) -> bool:
    """Whether the process that writes a running session may still be at it."""
    if pid is None:
        return False
    if host != socket.gethostname():
        return True  # another machine's process: cannot tell
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


# --- rows and figures read back -------------------------------------------------------------


@dataclass(frozen=True)
class SessionRow:
    """One line of ``formcheck history``: a session and its totals."""

    id: int
    uid: str
    started_at: str
    ended_at: str | None
    kind: str
    source: str
    status: str
    exercises: tuple[str, ...]
    sets: int
    reps: int
    hold_s: float
    good_form_s: float
    warnings: int


@dataclass(frozen=True)
class ImportResult:
    """What :meth:`History.import_data` (and
    :func:`~formcheck.history.history_io.import_history`) did."""

    imported: int
    skipped: int


# --- the database -----------------------------------------------------------------------------


class History(HistoryDatabase):
    """The history database: open (creating and migrating as needed), read, write.

    Args:
        path: The database file; None = :func:`default_db_path`.
        create: When False and the file does not exist, an empty in-memory history is read
            instead of creating the file (for the read-only commands).

    Raises:
        InputError: The file is not a formcheck history, is corrupt, or is newer than this
            formcheck.
        OutputError: The database cannot be created or written where asked.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None, *, create: bool = True) -> None:
        self._dead: set[int] = set()  # running sessions of dead writers, if not writable
        self._writers: list[SessionWriter] = []
        super().__init__(path if path is not None else default_db_path(), create=create)

    def close(self) -> None:
        """Close the connection; sessions started here and not finished become interrupted."""
        with self._lock:
            for writer in self._writers:
                if not writer.finished:
                    with contextlib.suppress(FormcheckError):
                        writer.finish(status="interrupted")
            super().close()

    # --- writing -----------------------------------------------------------------------------

    def record_report(
        self,
        report: Mapping[str, Any],
        *,
        kind: Kind = "analyze",
        started_at: datetime | str | None = None,
    ) -> int:
        """Store a finished report (``formcheck.report/1``) as one session, in one transaction.

        Args:
            report: The report dict.
            kind: ``analyze``, ``live`` or ``routine``.
            started_at: When the session started (default: now). The same report source with
                the same ``started_at`` is stored once: recording it again returns the same id.

        Returns:
            The session's id.
        """
        if report.get("schema") != "formcheck.report/1":
            raise InputError(f"not a formcheck report (schema {report.get('schema')!r})")
        start = iso_utc(started_at)
        source = dict(report.get("source") or {})
        duration = as_number(source.get("duration_s")) or 0.0
        end = (datetime.fromisoformat(start) + timedelta(seconds=duration)).isoformat(
            timespec="seconds"
        )
        uid = uuid.uuid5(_UID_NAMESPACE, f"{kind}|{source.get('path', '')}|{start}").hex
        session = {
            "uid": uid,
            "started_at": start,
            "ended_at": end,
            "kind": kind,
            "status": "interrupted" if source.get("interrupted") else "complete",
            **report_fields(report),
        }
        with self._write() as conn:
            existing = conn.execute("SELECT id FROM sessions WHERE uid = ?", (uid,)).fetchone()
            if existing:
                log.info("history: session %s already recorded (id %d)", uid, existing[0])
                return int(existing[0])
            return insert_session(conn, session)

    def start_session(
        self,
        kind: Kind,
        source: str = "",
        *,
        started_at: datetime | str | None = None,
        exercise_requested: str | None = None,
        config: Mapping[str, Any] | None = None,
        model: Mapping[str, Any] | None = None,
    ) -> SessionWriter:
        """Begin a session written call by call (live and routine sessions).

        The session is stored at once with status ``running``; see :class:`SessionWriter`.
        """
        if kind not in KINDS:
            raise UsageError(f"session kind {kind!r}: expected one of {', '.join(KINDS)}")
        session = {
            "uid": uuid.uuid4().hex,
            "started_at": iso_utc(started_at),
            "ended_at": None,
            "kind": kind,
            "status": "running",
            "source": {"path": source, "name": source, "kind": kind},
            "exercise_requested": exercise_requested,
            "formcheck_version": __version__,
            "model": dict(model or {}),
            "config": dict(config or {}),
        }
        with self._write() as conn:
            session_id = insert_session(conn, session)
            conn.execute(
                "UPDATE sessions SET writer_pid = ?, writer_host = ? WHERE id = ?",
                (os.getpid(), socket.gethostname(), session_id),
            )
        writer = SessionWriter(self, session_id)
        self._writers.append(writer)
        return writer

    # --- reading -----------------------------------------------------------------------------

    def _reap_dead_writers(self) -> None:
        """Mark ``running`` sessions whose writer process is gone as ``interrupted``."""
        with self._read() as conn:
            rows = conn.execute(
                "SELECT id, writer_pid, writer_host FROM sessions WHERE status = 'running'"
            ).fetchall()
        dead = [r[0] for r in rows if not _writer_alive(r[1], r[2])]
        if not dead:
            return
        try:
            with self._write() as conn:
                conn.executemany(
                    "UPDATE sessions SET status = 'interrupted' "
                    "WHERE id = ? AND status = 'running'",
                    [(i,) for i in dead],
                )
        except OutputError:  # a read-only database: the readers below still say interrupted
            self._dead = set(dead)
        else:
            log.info("history: sessions %s were left running by a dead process", dead)

    def _status(self, session_id: int, status: str) -> str:
        return "interrupted" if status == "running" and session_id in self._dead else status

    def sessions(self, exercise: str | None = None, limit: int | None = None) -> list[SessionRow]:
        """The sessions, newest first, with their totals.

        Args:
            exercise: Only sessions with a set of this exercise.
            limit: At most this many (the newest).
        """
        self._reap_dead_writers()
        where = ""
        args: list[Any] = []
        if exercise:
            where = "WHERE s.id IN (SELECT session_id FROM sets WHERE exercise = ?)"
            args.append(exercise)
        sql = f"""
            SELECT s.id, s.uid, s.started_at, s.ended_at, s.kind, s.source, s.status,
                (SELECT group_concat(exercise, ',') FROM
                    (SELECT DISTINCT exercise FROM sets WHERE session_id = s.id
                     ORDER BY exercise)),
                (SELECT count(*) FROM sets WHERE session_id = s.id),
                (SELECT count(*) FROM reps JOIN sets ON reps.set_id = sets.id
                    WHERE sets.session_id = s.id),
                (SELECT coalesce(sum(holds.duration_s), 0) FROM holds
                    JOIN sets ON holds.set_id = sets.id WHERE sets.session_id = s.id),
                (SELECT coalesce(sum(holds.good_form_s), 0) FROM holds
                    JOIN sets ON holds.set_id = sets.id WHERE sets.session_id = s.id),
                (SELECT count(*) FROM warnings JOIN sets ON warnings.set_id = sets.id
                    WHERE sets.session_id = s.id)
            FROM sessions s {where}
            ORDER BY s.started_at DESC, s.id DESC
        """
        if limit is not None:
            sql += " LIMIT ?"
            args.append(int(limit))
        with self._read() as conn:
            rows = conn.execute(sql, args).fetchall()
        return [
            SessionRow(
                id=r[0],
                uid=r[1],
                started_at=r[2],
                ended_at=r[3],
                kind=r[4],
                source=r[5],
                status=self._status(r[0], r[6]),
                exercises=tuple(r[7].split(",")) if r[7] else (),
                sets=r[8],
                reps=r[9],
                hold_s=round(float(r[10]), 3),
                good_form_s=round(float(r[11]), 3),
                warnings=r[12],
            )
            for r in rows
        ]

    def resolve(self, ref: str | int) -> int:
        """A session id from an id, ``last``, or the start of a uid (at least 4 characters).

        Raises:
            InputError: No such session, or an ambiguous uid prefix.
        """
        text = str(ref).strip().lower()
        with self._read() as conn:
            if text in ("last", "latest"):
                row = conn.execute(
                    "SELECT id FROM sessions ORDER BY started_at DESC, id DESC LIMIT 1"
                ).fetchone()
                if row is None:
                    raise InputError(f"{self.path}: the history has no sessions yet")
                return int(row[0])
            if text.isdigit():
                row = conn.execute("SELECT id FROM sessions WHERE id = ?", (int(text),)).fetchone()
                if row:
                    return int(row[0])
            if len(text) >= 4 and all(c in "0123456789abcdef" for c in text):
                rows = conn.execute(
                    "SELECT id FROM sessions WHERE uid LIKE ? LIMIT 2", (text + "%",)
                ).fetchall()
                if len(rows) == 1:
                    return int(rows[0][0])
                if len(rows) > 1:
                    raise InputError(f"session {ref}: several sessions start with that uid")
        raise InputError(f"session {ref}: not in the history {self.path}")

    def session(self, session_id: int) -> dict[str, Any]:
        """One session as a nested dict (schema ``formcheck.session/1``): the report's blocks
        (source, model, config, summary, coverage, cues, sets with reps, holds, warnings and
        summary) plus ``id``, ``uid``, ``started_at``, ``ended_at``, ``kind``, ``status``.

        Raises:
            InputError: No such session.
        """
        self._reap_dead_writers()
        with self._read() as conn:
            return self._session(conn, session_id)

    def _session(self, conn: sqlite3.Connection, session_id: int) -> dict[str, Any]:
        session = read_session(conn, session_id)
        if session is None:
            raise InputError(f"session {session_id}: not in the history {self.path}")
        session["status"] = self._status(session["id"], session["status"])
        return session

    def trends(self, exercise: str | None = None) -> list[TrendPoint]:
        """Per session and exercise, the figures ``formcheck progress`` follows, oldest first.

        Args:
            exercise: Only this exercise (``glute_bridge``, ``plank``, ``cat_cow``).
        """
        self._reap_dead_writers()
        args: list[Any] = []
        where = ""
        if exercise:
            where = "WHERE sets.exercise = ?"
            args.append(exercise)
        with self._read() as conn:
            pairs = conn.execute(
                "SELECT DISTINCT s.id, s.started_at, s.status, sets.exercise FROM sessions s "
                f"JOIN sets ON sets.session_id = s.id {where} ORDER BY s.started_at, s.id, "
                "sets.exercise",
                args,
            ).fetchall()
            return [
                trend_point(conn, session_id, started, self._status(session_id, status), name)
                for session_id, started, status, name in pairs
            ]

    # --- moving the history ------------------------------------------------------------------

    def export_data(self) -> dict[str, Any]:
        """The whole history as one JSON-ready dict (schema ``formcheck.history/1``)."""
        self._reap_dead_writers()
        with self._read("exporting") as conn:
            ids = [r[0] for r in conn.execute("SELECT id FROM sessions ORDER BY started_at, id")]
            sessions = [self._session(conn, i) for i in ids]
        return {
            "schema": EXPORT_SCHEMA,
            "formcheck_version": __version__,
            "exported_at": utc_now(),
            "sessions": sessions,
        }

    def import_data(self, data: Mapping[str, Any], *, origin: str = "import") -> ImportResult:
        """Add the sessions of an export (:meth:`export_data`) that are not here yet (by uid),
        all in one transaction: a bad file imports nothing.

        Raises:
            InputError: Not a formcheck history export, or a session without uid/date/kind.
        """
        if not isinstance(data, Mapping) or data.get("schema") != EXPORT_SCHEMA:
            raise InputError(f"{origin}: not a formcheck history export (schema {EXPORT_SCHEMA})")
        sessions = data.get("sessions")
        if not isinstance(sessions, list):
            raise InputError(f"{origin}: no 'sessions' list")
        imported = skipped = 0
        with self._write("importing") as conn:
            for i, session in enumerate(sessions, 1):
                check_session(session, f"{origin}: session {i}")
                exists = conn.execute(
                    "SELECT 1 FROM sessions WHERE uid = ?", (session["uid"],)
                ).fetchone()
                if exists:
                    skipped += 1
                    continue
                if session.get("status") == "running":  # its writer is not on this machine
                    session = {**session, "status": "interrupted"}
                insert_session(conn, session)
                imported += 1
        return ImportResult(imported, skipped)


class SessionWriter:
    """Writes one running session call by call; each call is its own committed transaction.

    Use it as a context manager: leaving the block normally finishes the session as
    ``complete``, an exception (Ctrl-C included) as ``interrupted``.

    Example:
        >>> import tempfile, pathlib
        >>> db = pathlib.Path(tempfile.mkdtemp()) / "h.sqlite3"
        >>> with History(db) as history, history.start_session("live") as writer:
        ...     set_id = writer.add_set("glute_bridge", start_s=1.5)
        ...     writer.add_rep(set_id, {"start_s": 2.0, "peak_s": 3.0, "end_s": 5.5,
        ...                             "top_hold_s": 2.1, "faults": [], "good": True})
        >>> with History(db) as history:
        ...     history.session(writer.session_id)["sets"][0]["reps"][0]["index"]
        1
    """

    def __init__(self, history: History, session_id: int) -> None:
        self.history = history
        self.session_id = session_id
        self.finished = False

    def _check_open(self) -> None:
        if self.finished:
            raise UsageError(f"session {self.session_id} is already finished")

    def add_set(self, exercise: str, start_s: float | None = None) -> int:
        """Open a new set of ``exercise``; returns its id (for the other calls)."""
        self._check_open()
        with self.history._write() as conn:
            idx = conn.execute(
                "SELECT coalesce(max(idx), 0) + 1 FROM sets WHERE session_id = ?",
                (self.session_id,),
            ).fetchone()[0]
            block = {"index": idx, "exercise": exercise, "start_s": start_s, "end_s": None}
            return insert_set(conn, self.session_id, idx, block)

    def add_rep(self, set_id: int, rep: Mapping[str, Any]) -> None:
        """Store a rep (or cat-cow round) block; its ``index`` defaults to the next one. A rep
        with an index already stored replaces it."""
        self._check_open()
        with self.history._write() as conn:
            insert_rep(conn, set_id, rep)

    def add_hold(self, set_id: int, hold: Mapping[str, Any]) -> None:
        """Store a plank hold block (same index rule as :meth:`add_rep`)."""
        self._check_open()
        with self.history._write() as conn:
            insert_hold(conn, set_id, hold)

    def add_warning(self, set_id: int, warning: Mapping[str, Any]) -> None:
        """Store a form warning block."""
        self._check_open()
        with self.history._write() as conn:
            insert_warning(conn, set_id, warning)

    def finish_set(self, set_id: int, block: Mapping[str, Any]) -> None:
        """Replace the set by its final report block (end, summary, reps, holds, warnings)."""
        self._check_open()
        with self.history._write() as conn:
            replace_set(conn, set_id, block)

    def finish(
        self,
        report: Mapping[str, Any] | None = None,
        *,
        status: Literal["complete", "interrupted"] = "complete",
    ) -> None:
        """End the session. With the final ``report`` its sets replace the ones written so far
        (and an interrupted report marks the session interrupted)."""
        self._check_open()
        if status not in ("complete", "interrupted"):
            raise UsageError(f"a session finishes complete or interrupted, not {status!r}")
        with self.history._write() as conn:
            if report is not None:
                fields = report_fields(report)
                if fields["source"].get("interrupted"):
                    status = "interrupted"
                conn.execute("DELETE FROM sets WHERE session_id = ?", (self.session_id,))
                for idx, block in enumerate(fields.pop("sets"), 1):
                    insert_set(conn, self.session_id, idx, block, children=True)
                conn.execute(
                    "UPDATE sessions SET exercise_requested = ?, formcheck_version = ?, "
                    "source_json = ?, model_json = ?, config_json = ?, summary_json = ?, "
                    "coverage_json = ?, cues_json = ?, camera_json = ? WHERE id = ?",
                    (
                        fields["exercise_requested"],
                        fields["formcheck_version"],
                        json_text(fields["source"]),
                        json_text(fields["model"]),
                        json_text(fields["config"]),
                        json_text(fields["summary"]),
                        json_text(fields["coverage"]),
                        json_text(fields["cues"]),
                        optional_json(fields["camera"]),
                        self.session_id,
                    ),
                )
            conn.execute(
                "UPDATE sessions SET status = ?, ended_at = ?, writer_pid = NULL WHERE id = ?",
                (status, utc_now(), self.session_id),
            )
        self.finished = True

    def __enter__(self) -> SessionWriter:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *exc: object) -> None:
        if not self.finished:
            self.finish(status="complete" if exc_type is None else "interrupted")


class LiveHistory:
    """A live session's hooks, written to the history as the session runs: each rep, round and
    plank hold is stored when it ends (so a killed process keeps it), and each finished set
    replaces its partial rows with the set's full report block.

    Example:
        >>> import tempfile, pathlib
        >>> from formcheck.analysis.events import Event
        >>> db = pathlib.Path(tempfile.mkdtemp()) / "h.sqlite3"
        >>> with History(db) as history, history.start_session("live") as writer:
        ...     hooks = LiveHistory(writer)
        ...     hooks.on_event(Event(4.0, "rep", "glute_bridge", {"index": 1, "start_s": 1.0,
        ...                                                    "peak_s": 2.5, "end_s": 4.0}))
        >>> with History(db) as history:
        ...     len(history.session(writer.session_id)["sets"][0]["reps"])
        1
    """

    def __init__(self, writer: SessionWriter) -> None:
        self.writer = writer
        self._set: tuple[str, int] | None = None  # (exercise, set id) of the running set

    def _set_id(self, exercise: str, start_s: float | None) -> int:
        if self._set is None or self._set[0] != exercise:
            self._set = (exercise, self.writer.add_set(exercise, start_s))
        return self._set[1]

    def on_event(self, event: Any) -> None:
        """Store the rep, round or hold an analyzer event reports (others are ignored)."""
        data = dict(event.data)
        exercise = str(getattr(event.exercise, "value", event.exercise))
        if event.kind in ("rep", "round"):
            self.writer.add_rep(self._set_id(exercise, data.get("start_s")), data)
        elif event.kind == "hold_ended" and "start_s" in data:
            self.writer.add_hold(self._set_id(exercise, data.get("start_s")), data)

    def on_set_finished(self, block: Mapping[str, Any]) -> None:
        """Replace the set's partial rows with its final report block."""
        set_id = self._set_id(str(block["exercise"]), block.get("start_s"))
        self.writer.finish_set(set_id, block)
        self._set = None


# --- module-level conveniences ----------------------------------------------------------------


def record_report(
    report: Mapping[str, Any],
    *,
    kind: Kind = "analyze",
    db: str | os.PathLike[str] | None = None,
    started_at: datetime | str | None = None,
) -> int:
    """Store a finished report in the history at ``db`` (default :func:`default_db_path`).

    Returns:
        The session's id.
    """
    with History(db) as history:
        return history.record_report(report, kind=kind, started_at=started_at)
