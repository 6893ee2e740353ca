"""The analysis queue behind the Analyse page: uploaded recordings analysed one at a time in
the background, with their progress.

Example:
    >>> job = Job(id="ab12", name="bridge.mp4", path=Path("x.mp4"), exercise="auto")
    >>> job.as_dict()["status"], job.as_dict()["follow"]
    ('queued', '/api/jobs/ab12')
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from formcheck.web import library as fc

log = logging.getLogger(__name__)


@dataclass
class Job:
    """One uploaded recording to analyse (mutable: the worker updates it as it goes)."""

    id: str
    name: str  # the client's file name, shown only, never used as a path
    path: Path
    exercise: str
    annotate: bool = False
    status: str = "queued"  # queued, running, done, failed
    done: int = 0
    total: int | None = None
    message: str = ""
    session_id: int | None = None
    summary: dict[str, Any] = field(default_factory=dict)
    created: float = field(default_factory=time.time)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "exercise": self.exercise,
            "status": self.status,
            "progress": {"done": self.done, "total": self.total},
            "message": self.message,
            "session_id": self.session_id,
            "summary": self.summary,
            "follow": f"/api/jobs/{self.id}",
            "report": f"/sessions/{self.session_id}" if self.session_id is not None else None,
        }


class JobQueue:
    """Analyses queued recordings one after the other on a worker thread.

    Args:
        db: The history database each report is stored in.
        reports_dir: Where each session's full report is kept (``<uid>.json``).
        videos_dir: Where annotated videos go (``<uid>.mp4``).
        config: Settings in effect.
        model: Pose model bundle (None: the shipped one).
    """

    def __init__(
        self,
        *,
        db: Path,
        reports_dir: Path,
        videos_dir: Path,
        config: fc.Config,
        model: Path | None = None,
    ) -> None:
        self.db, self.reports_dir, self.videos_dir = db, reports_dir, videos_dir
        self.config, self.model = config, model
        self.jobs: dict[str, Job] = {}
        self._queue: queue.Queue[Job | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def submit(self, path: Path, *, name: str, exercise: str, annotate: bool) -> Job:
        job = Job(uuid.uuid4().hex[:12], name, path, exercise, annotate)
        with self._lock:
            self.jobs[job.id] = job
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._work, name="formcheck-jobs", daemon=True
                )
                self._thread.start()
        self._queue.put(job)
        return job

    def get(self, job_id: str) -> Job | None:
        return self.jobs.get(job_id)

    def all(self) -> list[Job]:
        return sorted(self.jobs.values(), key=lambda j: j.created, reverse=True)

    def close(self, timeout: float = 5.0) -> None:
        """Stop after the job running now (queued ones are dropped)."""
        self._queue.put(None)
        if self._thread is not None:
            self._thread.join(timeout)

    def _work(self) -> None:
        while (job := self._queue.get()) is not None:
            self.run(job)

    def run(self, job: Job) -> None:
        """Analyse one job's recording; its report opens as ``/sessions/{id}``."""
        job.status = "running"
        self.videos_dir.mkdir(parents=True, exist_ok=True)
        annotated = self.videos_dir / f".{job.id}.part.mp4" if job.annotate else None

        def progress(done: int, total: int | None) -> None:
            job.done, job.total = done, total

        try:
            result = fc.analyze_recording(
                job.path,
                fc.RecordingOptions(
                    exercise=job.exercise,
                    config=self.config or fc.Config(),
                    model=self.model,
                    annotate=annotated,
                    record_history=True,
                    history_db=self.db,
                ),
                progress=progress,
            )
            if result.history_session is None:  # the report exists, but not in the history
                raise fc.OutputError(f"history: {result.history_error}")
            with fc.History(self.db) as history:
                uid = history.session(result.history_session)["uid"]
            self.reports_dir.mkdir(parents=True, exist_ok=True)
            fc.write_text_atomic(self.reports_dir / f"{uid}.json", fc.report_json(result.report))
            if annotated is not None and annotated.exists():
                os.replace(annotated, self.videos_dir / f"{uid}.mp4")
            job.session_id = result.history_session
            job.summary = result.report["summary"]
            job.status = "done"
        except fc.FormcheckError as exc:
            job.status, job.message = "failed", exc.message
            self._discard(job)
        except Exception:  # never a crash of the server
            log.exception("analysing %s failed", job.name)
            job.status, job.message = "failed", f"analysing {job.name} failed (see the server log)"
            self._discard(job)
        finally:
            if annotated is not None:
                with contextlib.suppress(FileNotFoundError):
                    annotated.unlink()

    @staticmethod
    def _discard(job: Job) -> None:
        with contextlib.suppress(FileNotFoundError):
            job.path.unlink()


__all__ = ["Job", "JobQueue"]
