"""The SQLite file under the session history: its schema, opening, transactions and errors.

:class:`HistoryDatabase` is the plumbing :class:`formcheck.history.history.History` is built on; it
knows nothing of sessions, only how to keep one SQLite file safe to use:

* **Versioned schema.** ``PRAGMA user_version`` is the schema version; :data:`MIGRATIONS` are
  applied in order, each in its own transaction, when an older database is opened. A database
  newer than this formcheck is refused, not touched. ``PRAGMA application_id`` marks the file as
  formcheck's, so another program's SQLite file is never altered.
* **Several processes at once.** WAL journal, a busy timeout and ``BEGIN IMMEDIATE`` write
  transactions (:meth:`HistoryDatabase._write`): two formcheck processes writing at the same
  time wait for each other; a read (:meth:`HistoryDatabase._read`) sees one snapshot.
* **Errors in plain words.** sqlite3 errors become an :class:`~formcheck.errors.InputError`
  (not a formcheck history, corrupt, newer) or an :class:`~formcheck.errors.OutputError`
  (cannot be created or written, locked), naming the file.

Example:
    >>> import tempfile, pathlib
    >>> db = pathlib.Path(tempfile.mkdtemp()) / "history.sqlite3"
    >>> with HistoryDatabase(db) as database:
    ...     database.schema_version == SCHEMA_VERSION == len(MIGRATIONS)
    True
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Self

from formcheck.errors import InputError, OutputError

log = logging.getLogger(__name__)

#: ``PRAGMA application_id`` of a formcheck history ("FCHI").
APPLICATION_ID = 0x46434849
BUSY_TIMEOUT_S = 30.0

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
    # 3: how steeply the camera looked down, per set and per session (the report's camera
    # blocks); NULL for sessions stored before
    """
    ALTER TABLE sessions ADD COLUMN camera_json TEXT;
    ALTER TABLE sets ADD COLUMN camera_json TEXT;
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


class HistoryDatabase:
    """A formcheck history's SQLite file: open (creating and migrating as needed), and run
    transactions on it.

    Args:
        path: The database file.
        create: When False and the file does not exist, an empty in-memory database is read
            instead of creating the file (for the read-only commands).

    Raises:
        InputError: The file is not a formcheck history, is corrupt, or is newer than this
            formcheck.
        OutputError: The database cannot be created or written where asked.
    """

    def __init__(self, path: str | os.PathLike[str], *, create: bool = True) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
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
        """Close the connection."""
        with self._lock:
            self.conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]
