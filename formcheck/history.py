"""The session history: every analysed, live or routine session in one SQLite database.

The database lives in the user's data directory (``platformdirs.user_data_dir("formcheck")``,
file ``history.sqlite3``); ``$FORMCHECK_DB`` or an explicit path (``--db``) moves it. It holds,
per session: when (ISO 8601, UTC), what kind (``analyze``, ``live``, ``routine``), the source,
the status (``running``, ``complete``, ``interrupted``), and its sets with their reps (or
cat-cow rounds), holds and warnings: the key figures as columns, each item's full report block
as JSON beside them.

Safety:

* **Versioned schema.** ``PRAGMA user_version`` is the schema version; :data:`MIGRATIONS` are
  applied in order, each in its own transaction, when an older database is opened. A database
  newer than this formcheck is refused, not touched. ``PRAGMA application_id`` marks the file as
  formcheck's, so another program's SQLite file is never altered.
* **Transactional and incremental.** A whole report is stored in one transaction
  (:meth:`History.record_report`); a live session is written call by call
  (:class:`SessionWriter`), each call one small transaction, so a killed process loses at most
  the call in flight. A session still ``running`` whose writer process (same host) is gone
  reads as ``interrupted``.
* **Several processes at once.** WAL journal, a busy timeout and ``BEGIN IMMEDIATE`` write
  transactions: two formcheck processes writing at the same time wait for each other.

Progression rule (``formcheck progress``): targets are recomputed from the whole history,
walking its sessions oldest first. Each target keeps a streak of *qualifying* sessions; after
``progression.sessions_at_target`` qualifying sessions in a row the target rises by its step
(never past its maximum) and the streak restarts; a session of that exercise that does not
qualify resets the streak to zero (sessions of other exercises do not).

* **Plank hold**: starts at ``routine.plank_target_s``. A session qualifies when its longest
  forearm-plank hold (knee planks do not count) lasted at least the target and at least
  ``progression.min_good_form_share`` of that hold was in good form. Step
  ``progression.plank_step_s``, up to ``progression.plank_max_target_s``. With the defaults:
  20 s, +5 s after two sessions in a row holding the target with >= 80% good form.
* **Bridge reps**: starts at ``routine.bridge_reps``; a session qualifies when it has at least
  that many reps and at least ``min_good_form_share`` of them are good (no fault). Step
  ``progression.bridge_reps_step`` up to ``progression.bridge_max_reps`` (12 -> 15).
* **Bridge top pause**: starts at ``bridge.target_top_hold_s``; a session qualifies when at
  least ``min_good_form_share`` of its reps are good and paused at the top for at least the
  target. Step ``progression.bridge_pause_step_s`` up to ``progression.bridge_max_pause_s``
  (2 s -> 5 s by 1 s).
* **Cat-cow**: no step: ``routine.cat_cow_rounds`` slow rounds (each cycle at least
  ``cat_cow.min_round_time_s``, a pause at each end); the trend of the spinal range is shown.

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
import csv
import io
import json
import logging
import math
import os
import socket
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from formcheck._version import __version__
from formcheck.config import Config
from formcheck.errors import FormcheckError, InputError, OutputError, UsageError
from formcheck.outputs import write_text_atomic

log = logging.getLogger(__name__)

#: ``PRAGMA application_id`` of a formcheck history ("FCHI").
APPLICATION_ID = 0x46434849
EXPORT_SCHEMA = "formcheck.history/1"
SESSION_SCHEMA = "formcheck.session/1"
KINDS = ("analyze", "live", "routine")
STATUSES = ("running", "complete", "interrupted")
BUSY_TIMEOUT_S = 30.0
_UID_NAMESPACE = uuid.UUID("5d0c3f0e-2a55-4d0b-9a57-6f6f726d6368")

Kind = Literal["analyze", "live", "routine"]

#: The schema, one step per version: ``MIGRATIONS[i]`` takes a database from version i to i + 1.
#: Never edit a released step; append a new one.
MIGRATIONS: tuple[str, ...] = (
    # 1: sessions, sets, reps, holds, warnings
    """
    CREATE TABLE sessions (
        id INTEGER PRIMARY KEY,
        uid TEXT NOT NULL UNIQUE,
        started_at TEXT NOT NULL,
        ended_at TEXT,
        kind TEXT NOT NULL CHECK (kind IN ('analyze', 'live', 'routine')),
        source TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL DEFAULT 'running'
            CHECK (status IN ('running', 'complete', 'interrupted')),
        exercise_requested TEXT,
        formcheck_version TEXT,
        source_json TEXT NOT NULL DEFAULT '{}',
        model_json TEXT NOT NULL DEFAULT '{}',
        config_json TEXT NOT NULL DEFAULT '{}',
        summary_json TEXT NOT NULL DEFAULT '{}',
        coverage_json TEXT NOT NULL DEFAULT '{}',
        cues_json TEXT NOT NULL DEFAULT '[]'
    );
    CREATE TABLE sets (
        id INTEGER PRIMARY KEY,
        session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        exercise TEXT NOT NULL,
        start_s REAL,
        end_s REAL,
        rep_count INTEGER NOT NULL DEFAULT 0,
        hold_s REAL NOT NULL DEFAULT 0,
        good_form_s REAL NOT NULL DEFAULT 0,
        summary_json TEXT NOT NULL DEFAULT '{}',
        UNIQUE (session_id, idx)
    );
    CREATE TABLE reps (
        id INTEGER PRIMARY KEY,
        set_id INTEGER NOT NULL REFERENCES sets(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        start_s REAL,
        peak_s REAL,
        end_s REAL,
        duration_s REAL,
        good INTEGER NOT NULL DEFAULT 1,
        faults TEXT NOT NULL DEFAULT '',
        top_hold_s REAL,
        peak_hip_angle_deg REAL,
        range_deg REAL,
        data_json TEXT NOT NULL,
        UNIQUE (set_id, idx)
    );
    CREATE TABLE holds (
        id INTEGER PRIMARY KEY,
        set_id INTEGER NOT NULL REFERENCES sets(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        kind TEXT NOT NULL DEFAULT 'plank',
        start_s REAL,
        end_s REAL,
        duration_s REAL NOT NULL DEFAULT 0,
        good_form_s REAL NOT NULL DEFAULT 0,
        longest_good_s REAL,
        data_json TEXT NOT NULL,
        UNIQUE (set_id, idx)
    );
    CREATE TABLE warnings (
        id INTEGER PRIMARY KEY,
        set_id INTEGER NOT NULL REFERENCES sets(id) ON DELETE CASCADE,
        type TEXT NOT NULL,
        start_s REAL,
        end_s REAL,
        message TEXT NOT NULL DEFAULT '',
        worst_deg REAL,
        data_json TEXT NOT NULL
    );
    """,
    # 2: who is writing a running session (to tell a live writer from a killed one); indexes
    """
    ALTER TABLE sessions ADD COLUMN writer_pid INTEGER;
    ALTER TABLE sessions ADD COLUMN writer_host TEXT;
    CREATE INDEX sessions_by_start ON sessions (started_at);
    CREATE INDEX sets_by_exercise ON sets (exercise, session_id);
    CREATE INDEX warnings_by_set ON warnings (set_id);
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


def default_db_path() -> Path:
    """``$FORMCHECK_DB`` if set, else ``history.sqlite3`` in the user's data directory."""
    env = os.environ.get("FORMCHECK_DB")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("formcheck")) / "history.sqlite3"


def utc_now() -> str:
    """The current time as ISO 8601 in UTC, to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def _iso_utc(value: datetime | str | None) -> str:
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


def _json(value: Any) -> str:
    return json.dumps(_finite(value), allow_nan=False, separators=(",", ":"))


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


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
class TrendPoint:
    """The figures of one exercise in one session, for ``formcheck progress``.

    ``reps`` counts reps (bridge) or rounds (cat-cow) over the session's sets of the exercise;
    ``longest_hold_s`` and ``longest_hold_good_s`` are those of its longest forearm-plank hold
    (None when there was none); ``top_holds`` are the bridge reps' top pauses and ``rep_good``
    whether each rep was free of faults, in order.
    """

    session_id: int
    started_at: str
    status: str
    exercise: str
    reps: int = 0
    good_reps: int = 0
    hold_s: float = 0.0
    good_form_s: float = 0.0
    longest_hold_s: float | None = None
    longest_hold_good_s: float | None = None
    top_holds: tuple[float | None, ...] = ()
    rep_good: tuple[bool, ...] = ()
    mean_range_deg: float | None = None
    mean_round_s: float | None = None

    @property
    def good_form_share(self) -> float | None:
        """Share of the longest plank hold in good form."""
        if not self.longest_hold_s:
            return None
        return (self.longest_hold_good_s or 0.0) / self.longest_hold_s

    @property
    def mean_top_hold_s(self) -> float | None:
        """Mean pause at the top of the bridge reps."""
        values = [v for v in self.top_holds if v is not None]
        return sum(values) / len(values) if values else None

    def reps_paused(self, pause_s: float) -> int:
        """Good bridge reps that paused at the top at least ``pause_s``."""
        return sum(
            1
            for v, good in zip(self.top_holds, self.rep_good, strict=False)
            if good and v is not None and v >= pause_s
        )


@dataclass(frozen=True)
class Target:
    """A next target and how the history earned it.

    ``steps`` lists, per session of the exercise (oldest first), ``(session_id, target then,
    qualified)``; ``streak`` is the number of qualifying sessions in a row at the current
    target, of ``needed``.
    """

    exercise: str
    name: str
    value: float
    unit: str
    streak: int
    needed: int
    at_max: bool
    steps: tuple[tuple[int, float, bool], ...]
    note: str

    def describe(self) -> str:
        """One line, e.g. ``plank hold: 25 s (1 of 2 sessions at target with >= 80% ...)``."""
        return f"{self.exercise_label} {self.label}: {self.value:g} {self.unit} ({self.note})"

    @property
    def exercise_label(self) -> str:
        return {"glute_bridge": "bridge", "cat_cow": "cat-cow"}.get(self.exercise, self.exercise)

    @property
    def label(self) -> str:
        return {"hold_s": "hold", "reps": "reps", "top_pause_s": "top pause"}.get(
            self.name, self.name
        )


@dataclass(frozen=True)
class ImportResult:
    """What :func:`import_history` did."""

    imported: int
    skipped: int


# --- the database -----------------------------------------------------------------------------


class History:
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
        self.path = Path(path) if path is not None else default_db_path()
        self._lock = threading.RLock()
        self._dead: set[int] = set()  # running sessions of dead writers, if not writable
        self._writers: list[SessionWriter] = []
        target = str(self.path)
        if not self.path.exists():
            if not create:
                target = ":memory:"
            else:
                self._make_folder()
        elif self.path.is_dir():
            raise InputError(f"{self.path}: is a folder, not a history database")
        try:
            self.conn = sqlite3.connect(
                target, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as exc:
            raise OutputError(f"{self.path}: cannot open the history database ({exc})") from None
        try:
            self._setup()
        except BaseException:
            self.conn.close()
            raise

    def _make_folder(self) -> None:
        folder = self.path.parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            why = exc.strerror or type(exc).__name__
            raise OutputError(
                f"{self.path}: cannot create the history database there ({why})"
            ) from None
        if not folder.is_dir():
            raise OutputError(f"{self.path}: cannot create the history database there")

    @contextlib.contextmanager
    def _errors(self, action: str) -> Iterator[None]:
        """sqlite3 errors as formcheck errors naming the database."""
        try:
            yield
        except sqlite3.DatabaseError as exc:
            text = str(exc)
            if "not a database" in text or "malformed" in text or "corrupt" in text:
                raise InputError(
                    f"{self.path}: not a readable formcheck history database ({text})"
                ) from None
            if "locked" in text or "busy" in text:
                raise OutputError(
                    f"{self.path}: the history database is locked by another process ({action})"
                ) from None
            writing = action.startswith(("writ", "import", "upgrad"))
            if writing or any(w in text for w in ("readonly", "disk", "full", "I/O", "open")):
                what = "" if action == "writing" else f"{action}: "
                raise OutputError(f"{self.path}: cannot write the history ({what}{text})") from None
            raise InputError(
                f"{self.path}: history database error while {action} ({text})"
            ) from None

    def _setup(self) -> None:
        with self._errors("opening"):
            self.conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            self.conn.execute("PRAGMA foreign_keys = ON")
        with self._read("opening") as conn:  # one snapshot: another process may be migrating
            version = self.schema_version
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            has_tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] > 0
        if app_id != APPLICATION_ID and (version or has_tables):
            raise InputError(
                f"{self.path}: not a formcheck history database (another program's SQLite file)"
            )
        if version > SCHEMA_VERSION:
            raise InputError(
                f"{self.path}: the history database has schema version {version}, newer than "
                f"this formcheck understands ({SCHEMA_VERSION}); upgrade formcheck"
            )
        self._use_wal()
        self.migrate()

    def _use_wal(self) -> None:
        """Switch to the WAL journal (once per database file) and its ``synchronous`` level.

        The switch needs the database to itself and SQLite does not wait for that on its own
        (no busy handler), so it is retried while another process holds a lock.
        """
        deadline = time.monotonic() + BUSY_TIMEOUT_S
        with self._errors("writing the schema"):
            while True:
                try:
                    mode = str(self.conn.execute("PRAGMA journal_mode").fetchone()[0])
                    if mode.lower() not in ("wal", "memory"):
                        mode = str(self.conn.execute("PRAGMA journal_mode = WAL").fetchone()[0])
                    break
                except sqlite3.OperationalError as exc:
                    busy = "locked" in str(exc) or "busy" in str(exc)
                    if not busy or time.monotonic() > deadline:
                        raise
                    time.sleep(0.02)
            if mode.lower() not in ("wal", "memory"):
                log.debug("history %s: journal mode %s (WAL not available)", self.path, mode)
            self.conn.execute("PRAGMA synchronous = NORMAL")

    @property
    def schema_version(self) -> int:
        """The database's schema version (``PRAGMA user_version``)."""
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def migrate(self) -> int:
        """Apply the migrations the database lacks, each in its own transaction.

        Returns:
            The number of migrations applied (0 when the schema was current).
        """
        applied = 0
        while True:
            with self._write(f"upgrading to schema version {self.schema_version + 1}"):
                version = self.schema_version  # re-read under the write lock
                if version >= SCHEMA_VERSION:
                    return applied
                for statement in _statements(MIGRATIONS[version]):
                    self.conn.execute(statement)
                self.conn.execute(f"PRAGMA user_version = {version + 1}")
                self.conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            log.info("history %s: migrated to schema version %d", self.path, version + 1)
            applied += 1

    @contextlib.contextmanager
    def _write(self, action: str = "writing") -> Iterator[sqlite3.Connection]:
        """One write transaction (``BEGIN IMMEDIATE``: takes the write lock at once)."""
        with self._lock, self._errors(action):
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")

    @contextlib.contextmanager
    def _read(self, action: str = "reading") -> Iterator[sqlite3.Connection]:
        """One consistent read (a deferred transaction: one snapshot of the WAL)."""
        with self._lock, self._errors(action):
            self.conn.execute("BEGIN")
            try:
                yield self.conn
            finally:
                self.conn.execute("COMMIT")

    def close(self) -> None:
        """Close the connection; sessions started here and not finished become interrupted."""
        with self._lock:
            for writer in self._writers:
                if not writer.finished:
                    with contextlib.suppress(FormcheckError):
                        writer.finish(status="interrupted")
            self.conn.close()

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

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
        start = _iso_utc(started_at)
        source = dict(report.get("source") or {})
        duration = _num(source.get("duration_s")) or 0.0
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
            **_report_fields(report),
        }
        with self._write() as conn:
            existing = conn.execute("SELECT id FROM sessions WHERE uid = ?", (uid,)).fetchone()
            if existing:
                log.info("history: session %s already recorded (id %d)", uid, existing[0])
                return int(existing[0])
            return _insert_session(conn, session)

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
            "started_at": _iso_utc(started_at),
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
            session_id = _insert_session(conn, session)
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
        row = conn.execute(
            "SELECT id, uid, started_at, ended_at, kind, source, status, exercise_requested, "
            "formcheck_version, source_json, model_json, config_json, summary_json, "
            "coverage_json, cues_json FROM sessions WHERE id = ?",
            (session_id,),
        ).fetchone()
        if row is None:
            raise InputError(f"session {session_id}: not in the history {self.path}")
        source = json.loads(row[9]) or {"path": row[5]}
        session: dict[str, Any] = {
            "schema": SESSION_SCHEMA,
            "id": row[0],
            "uid": row[1],
            "started_at": row[2],
            "ended_at": row[3],
            "kind": row[4],
            "status": self._status(row[0], row[6]),
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
        for set_row in conn.execute(
            "SELECT id, idx, exercise, start_s, end_s, summary_json FROM sets "
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
        if not session["summary"]:
            session["summary"] = _summary_of(session["sets"])
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
            return [self._trend_point(conn, *pair) for pair in pairs]

    def _trend_point(
        self, conn: sqlite3.Connection, session_id: int, started: str, status: str, exercise: str
    ) -> TrendPoint:
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
            status=self._status(session_id, status),
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
                _check_session(session, f"{origin}: session {i}")
                exists = conn.execute(
                    "SELECT 1 FROM sessions WHERE uid = ?", (session["uid"],)
                ).fetchone()
                if exists:
                    skipped += 1
                    continue
                if session.get("status") == "running":  # its writer is not on this machine
                    session = {**session, "status": "interrupted"}
                _insert_session(conn, session)
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
            return _insert_set(conn, self.session_id, idx, block)

    def add_rep(self, set_id: int, rep: Mapping[str, Any]) -> None:
        """Store a rep (or cat-cow round) block; its ``index`` defaults to the next one. A rep
        with an index already stored replaces it."""
        self._check_open()
        with self.history._write() as conn:
            _insert_rep(conn, set_id, rep)

    def add_hold(self, set_id: int, hold: Mapping[str, Any]) -> None:
        """Store a plank hold block (same index rule as :meth:`add_rep`)."""
        self._check_open()
        with self.history._write() as conn:
            _insert_hold(conn, set_id, hold)

    def add_warning(self, set_id: int, warning: Mapping[str, Any]) -> None:
        """Store a form warning block."""
        self._check_open()
        with self.history._write() as conn:
            _insert_warning(conn, set_id, warning)

    def finish_set(self, set_id: int, block: Mapping[str, Any]) -> None:
        """Replace the set by its final report block (end, summary, reps, holds, warnings)."""
        self._check_open()
        with self.history._write() as conn:
            _replace_set(conn, set_id, block)

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
                fields = _report_fields(report)
                if fields["source"].get("interrupted"):
                    status = "interrupted"
                conn.execute("DELETE FROM sets WHERE session_id = ?", (self.session_id,))
                for idx, block in enumerate(fields.pop("sets"), 1):
                    _insert_set(conn, self.session_id, idx, block, children=True)
                conn.execute(
                    "UPDATE sessions SET exercise_requested = ?, formcheck_version = ?, "
                    "source_json = ?, model_json = ?, config_json = ?, summary_json = ?, "
                    "coverage_json = ?, cues_json = ? WHERE id = ?",
                    (
                        fields["exercise_requested"],
                        fields["formcheck_version"],
                        _json(fields["source"]),
                        _json(fields["model"]),
                        _json(fields["config"]),
                        _json(fields["summary"]),
                        _json(fields["coverage"]),
                        _json(fields["cues"]),
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


# --- rows in and out --------------------------------------------------------------------------


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]


def _report_fields(report: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "source": dict(report.get("source") or {}),
        "exercise_requested": report.get("exercise_requested"),
        "formcheck_version": report.get("formcheck_version", __version__),
        "model": dict(report.get("model") or {}),
        "config": dict(report.get("config") or {}),
        "summary": dict(report.get("summary") or {}),
        "coverage": dict(report.get("coverage") or {}),
        "cues": list(report.get("cues") or []),
        "sets": list(report.get("sets") or []),
    }


def _check_session(session: Any, where: str) -> None:
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


def _insert_session(conn: sqlite3.Connection, session: Mapping[str, Any]) -> int:
    """Insert a session dict (as :meth:`History.session` returns) with all its sets."""
    source = dict(session.get("source") or {})
    cur = conn.execute(
        "INSERT INTO sessions (uid, started_at, ended_at, kind, source, status, "
        "exercise_requested, formcheck_version, source_json, model_json, config_json, "
        "summary_json, coverage_json, cues_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            session["uid"],
            _iso_utc(session["started_at"]),
            _iso_utc(session["ended_at"]) if session.get("ended_at") else None,
            session["kind"],
            str(source.get("path") or source.get("name") or ""),
            session.get("status", "complete"),
            session.get("exercise_requested"),
            session.get("formcheck_version"),
            _json(source),
            _json(session.get("model") or {}),
            _json(session.get("config") or {}),
            _json(session.get("summary") or {}),
            _json(session.get("coverage") or {}),
            _json(session.get("cues") or []),
        ),
    )
    session_id = int(cur.lastrowid or 0)
    for idx, block in enumerate(session.get("sets") or [], 1):
        _insert_set(conn, session_id, idx, block, children=True)
    return session_id


def _set_columns(block: Mapping[str, Any]) -> tuple[Any, ...]:
    summary = dict(block.get("summary") or {})
    reps = block.get("reps") or []
    holds = block.get("holds") or []
    rep_count = summary.get("rep_count", len(reps))
    hold_s = _num(summary.get("hold_s"))
    good_s = _num(summary.get("good_form_s"))
    if hold_s is None:
        hold_s = sum(_num(h.get("duration_s")) or 0.0 for h in holds)
    if good_s is None:
        good_s = sum(_num(h.get("good_form_s")) or 0.0 for h in holds)
    return (
        str(block.get("exercise", "")),
        _num(block.get("start_s")),
        _num(block.get("end_s")),
        int(rep_count or 0),
        hold_s,
        good_s,
        _json(summary),
    )


def _insert_set(
    conn: sqlite3.Connection,
    session_id: int,
    idx: int,
    block: Mapping[str, Any],
    *,
    children: bool = False,
) -> int:
    cur = conn.execute(
        "INSERT INTO sets (session_id, idx, exercise, start_s, end_s, rep_count, hold_s, "
        "good_form_s, summary_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (session_id, idx, *_set_columns(block)),
    )
    set_id = int(cur.lastrowid or 0)
    if children:
        _insert_children(conn, set_id, block)
    return set_id


def _insert_children(conn: sqlite3.Connection, set_id: int, block: Mapping[str, Any]) -> None:
    for rep in block.get("reps") or []:
        _insert_rep(conn, set_id, rep)
    for hold in block.get("holds") or []:
        _insert_hold(conn, set_id, hold)
    for warning in block.get("warnings") or []:
        _insert_warning(conn, set_id, warning)


def _replace_set(conn: sqlite3.Connection, set_id: int, block: Mapping[str, Any]) -> None:
    row = conn.execute("SELECT exercise FROM sets WHERE id = ?", (set_id,)).fetchone()
    if row is None:
        raise UsageError(f"set {set_id}: not in the history")
    block = {"exercise": row[0], **block}
    exercise, start, end, rep_count, hold_s, good_s, summary = _set_columns(block)
    conn.execute(
        "UPDATE sets SET exercise = ?, start_s = coalesce(?, start_s), end_s = ?, rep_count = ?, "
        "hold_s = ?, good_form_s = ?, summary_json = ? WHERE id = ?",
        (exercise, start, end, rep_count, hold_s, good_s, summary, set_id),
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


REP_COLUMNS = ("start_s", "peak_s", "end_s", "duration_s", "top_hold_s", "peak_hip_angle_deg")
HOLD_COLUMNS = ("start_s", "end_s", "longest_good_s")


def _insert_rep(conn: sqlite3.Connection, set_id: int, rep: Mapping[str, Any]) -> None:
    data = _item(conn, "reps", set_id, rep)
    faults = [str(f) for f in data.get("faults") or []]
    _upsert(
        conn,
        "reps",
        {
            "set_id": set_id,
            "idx": data["index"],
            **{c: _num(data.get(c)) for c in (*REP_COLUMNS, "range_deg")},
            "good": int(bool(data.get("good", not faults))),
            "faults": ",".join(faults),
            "data_json": _json(data),
        },
    )


def _insert_hold(conn: sqlite3.Connection, set_id: int, hold: Mapping[str, Any]) -> None:
    data = {"kind": "plank", **_item(conn, "holds", set_id, hold)}
    _upsert(
        conn,
        "holds",
        {
            "set_id": set_id,
            "idx": data["index"],
            "kind": str(data["kind"]),
            **{c: _num(data.get(c)) for c in HOLD_COLUMNS},
            "duration_s": _num(data.get("duration_s")) or 0.0,
            "good_form_s": _num(data.get("good_form_s")) or 0.0,
            "data_json": _json(data),
        },
    )


def _insert_warning(conn: sqlite3.Connection, set_id: int, warning: Mapping[str, Any]) -> None:
    conn.execute(
        "INSERT INTO warnings (set_id, type, start_s, end_s, message, worst_deg, data_json) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            set_id,
            str(warning.get("type", "")),
            _num(warning.get("start_s")),
            _num(warning.get("end_s")),
            str(warning.get("message", "")),
            _num(warning.get("worst_deg")),
            _json(dict(warning)),
        ),
    )


def _summary_of(sets: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """A report-style summary of sets written incrementally (no final report)."""
    return {
        "exercises": sorted({s["exercise"] for s in sets}),
        "set_count": len(sets),
        "rep_count": sum(len(s["reps"]) for s in sets),
        "hold_s": round(sum(_num(h.get("duration_s")) or 0.0 for s in sets for h in s["holds"]), 3),
        "good_form_s": round(
            sum(_num(h.get("good_form_s")) or 0.0 for s in sets for h in s["holds"]), 3
        ),
        "warning_count": sum(len(s["warnings"]) for s in sets),
    }


# --- progression ------------------------------------------------------------------------------


def _walk(
    points: Sequence[TrendPoint],
    start: float,
    step: float,
    top: float,
    needed: int,
    qualifies: Callable[[TrendPoint, float], bool],
) -> tuple[float, int, tuple[tuple[int, float, bool], ...]]:
    """The streak rule over the sessions, oldest first: (target, streak, per-session steps)."""
    target, streak, steps = start, 0, []
    for p in points:
        ok = qualifies(p, target)
        steps.append((p.session_id, target, ok))
        streak = streak + 1 if ok else 0
        if streak >= needed:
            target = min(target + step, max(top, start))
            streak = 0
    return target, streak, tuple(steps)


def next_targets(
    points: Sequence[TrendPoint],
    config: Config | None = None,
    *,
    exercises: Sequence[str] = (),
) -> list[Target]:
    """The next targets by the progression rule (module docstring), one per figure.

    Args:
        points: :meth:`History.trends` (any mix of exercises, oldest first).
        config: Where the rule's numbers come from (``progression``, ``routine``, ``bridge``,
            ``cat_cow``).
        exercises: Also give the first targets of these exercises when the history has none.

    Example:
        >>> p = [TrendPoint(i, f"2024-05-0{i}", "complete", "plank", longest_hold_s=21.0,
        ...                 longest_hold_good_s=19.0) for i in (1, 2)]
        >>> next_targets(p)[0].describe()
        'plank hold: 25 s (0 of 2 sessions at 25 s with >= 80% good form)'
    """
    cfg = config or Config()
    prog = cfg.progression
    needed = max(1, round(prog.sessions_at_target))
    share = prog.min_good_form_share
    by_exercise: dict[str, list[TrendPoint]] = {e: [] for e in exercises}
    for p in points:
        by_exercise.setdefault(p.exercise, []).append(p)
    rules: list[tuple[str, str, str, float, float, float, Callable[..., bool], str]] = [
        (
            "plank",
            "hold_s",
            "s",
            cfg.routine.plank_target_s,
            prog.plank_step_s,
            prog.plank_max_target_s,
            lambda p, t: (p.longest_hold_s or 0) >= t and (p.good_form_share or 0) >= share,
            "sessions at {v:g} s with >= {share:.0%} good form",
        ),
        (
            "glute_bridge",
            "reps",
            "reps",
            cfg.routine.bridge_reps,
            prog.bridge_reps_step,
            prog.bridge_max_reps,
            lambda p, t: p.reps >= t and p.good_reps >= share * p.reps,
            "sessions with {v:g} reps, >= {share:.0%} of them good",
        ),
        (
            "glute_bridge",
            "top_pause_s",
            "s",
            cfg.bridge.target_top_hold_s,
            prog.bridge_pause_step_s,
            prog.bridge_max_pause_s,
            lambda p, t: p.reps > 0 and p.reps_paused(t) >= share * p.reps,
            "sessions with >= {share:.0%} of reps good and paused {v:g} s at the top",
        ),
    ]
    targets = []
    for exercise, name, unit, start, step, top, qualifies, text in rules:
        if exercise not in by_exercise:
            continue
        value, streak, steps = _walk(by_exercise[exercise], start, step, top, needed, qualifies)
        note = f"{streak} of {needed} " + text.format(v=value, share=share)
        at_max = value >= top
        note += "; the maximum" if at_max else ""
        targets.append(Target(exercise, name, value, unit, streak, needed, at_max, steps, note))
    if "cat_cow" in by_exercise:
        catcow = by_exercise["cat_cow"]
        ranges = [p.mean_range_deg for p in catcow if p.mean_range_deg is not None][-5:]
        note = (
            f"slow: each cycle at least {cfg.cat_cow.min_round_time_s:g} s with a pause at each end"
        )
        if ranges:
            note += f"; spinal range {ranges[-1]:.0f} deg last time"
        if len(ranges) >= 2:
            note += f", {_slope(ranges):+.1f} deg per session over the last {len(ranges)}"
        rounds = cfg.routine.cat_cow_rounds
        steps = tuple((p.session_id, rounds, p.reps >= rounds) for p in catcow)
        targets.append(Target("cat_cow", "rounds", rounds, "rounds", 0, needed, True, steps, note))
    return targets


def _slope(values: Sequence[float]) -> float:
    """Least-squares slope of ``values`` per step."""
    n = len(values)
    mean_x, mean_y = (n - 1) / 2, sum(values) / n
    num = sum((i - mean_x) * (v - mean_y) for i, v in enumerate(values))
    den = sum((i - mean_x) ** 2 for i in range(n))
    return num / den if den else 0.0


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


CSV_COLUMNS = (
    "session_uid",
    "session_id",
    "started_at",
    "kind",
    "status",
    "source",
    "set",
    "exercise",
    "item",
    "index",
    "start_s",
    "end_s",
    "duration_s",
    "good",
    "faults",
    "peak_s",
    "top_hold_s",
    "peak_hip_angle_deg",
    "knee_angle_deg",
    "range_deg",
    "flexion_deg",
    "extension_deg",
    "hold_kind",
    "good_form_s",
    "longest_good_s",
)


def history_csv(data: Mapping[str, Any]) -> str:
    """The export as CSV: one row per rep, cat-cow round or hold."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for s in data["sessions"]:
        base = {
            "session_uid": s["uid"],
            "session_id": s["id"],
            "started_at": s["started_at"],
            "kind": s["kind"],
            "status": s["status"],
            "source": s["source"].get("path", ""),
        }
        for st in s["sets"]:
            row0 = {**base, "set": st["index"], "exercise": st["exercise"]}
            item = "round" if st["exercise"] == "cat_cow" else "rep"
            for rep in st["reps"]:
                writer.writerow(
                    {
                        **row0,
                        **_finite(rep),
                        "item": item,
                        "good": int(bool(rep.get("good"))),
                        "faults": ";".join(rep.get("faults") or []),
                    }
                )
            for hold in st["holds"]:
                writer.writerow(
                    {**row0, **_finite(hold), "item": "hold", "hold_kind": hold.get("kind", "")}
                )
    return buf.getvalue()


def export_history(
    path: str | os.PathLike[str],
    fmt: Literal["json", "csv"] | None = None,
    *,
    db: str | os.PathLike[str] | None = None,
) -> int:
    """Write the history to ``path`` atomically: JSON (complete, re-importable) or CSV.

    Args:
        path: The output file.
        fmt: ``json`` or ``csv``; None = from the file's suffix (JSON unless ``.csv``).
        db: The history database.

    Returns:
        The number of sessions exported.
    """
    target = Path(path)
    fmt = fmt or ("csv" if target.suffix.lower() == ".csv" else "json")
    if fmt not in ("json", "csv"):
        raise UsageError(f"export format {fmt!r}: expected json or csv")
    with History(db, create=False) as history:
        data = history.export_data()
    if fmt == "csv":
        text = history_csv(data)
    else:
        text = json.dumps(_finite(data), indent=1, allow_nan=False) + "\n"
    write_text_atomic(target, text)
    return len(data["sessions"])


def import_history(
    path: str | os.PathLike[str], *, db: str | os.PathLike[str] | None = None
) -> ImportResult:
    """Add the sessions of a JSON export to the history, skipping those already there.

    Raises:
        InputError: Missing or unreadable file, not JSON, not a formcheck history export.
    """
    source = Path(path)
    if source.suffix.lower() == ".csv":
        raise InputError(
            f"{source}: import reads the JSON export (formcheck export FILE.json); "
            "the CSV export is for spreadsheets"
        )
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{source}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{source}: cannot read the file ({exc})") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{source}: not JSON ({exc})") from None
    with History(db) as history:
        return history.import_data(data, origin=str(source))
