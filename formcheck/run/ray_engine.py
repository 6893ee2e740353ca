"""A batch on a Ray cluster: each recording a Ray task, the same library call as local workers.

``formcheck analyze week/ --engine ray [--address auto|ray://HOST:PORT]`` plans the batch as the
local engine does (:func:`~formcheck.run.batch.prepare_batch`: resume, ``--force``), then runs
each pending recording as a Ray task that calls :func:`~formcheck.run.batch.run_job` (so
:func:`~formcheck.run.recording.analyze_recording`) into a scratch folder on the worker, and
sends back the report's text. The driver (this process) writes every report into the output
folder, stores it in the history and writes ``index.csv``: the workers need to read the inputs
(shared storage, at the same path) but never to write where the driver does.

* No address: a local Ray instance (one CPU per worker, no dashboard), stopped at the end.
  ``auto``: the cluster this machine belongs to; ``ray://HOST:PORT``: a remote cluster through
  Ray Client. A Ray already initialised in this process (a notebook, the tests) is used as it is.
* The pose model travels with the package (every node needs the same formcheck installed); a
  ``--model`` file of the driver's is sent through Ray's object store, never downloaded.
* Progress comes from task completions; a task that fails (a bad input) is one failed row, a
  worker that dies is a failed row saying so. Ctrl-C cancels the tasks still running or waiting,
  keeps the reports that finished and writes their index.

Example:
    >>> plan = prepare_batch([Path("samples")], Path("reports"))  # doctest: +SKIP
    >>> result = run_batch_ray(plan, Path("reports"), RecordingOptions())  # doctest: +SKIP
    >>> result.count("done")  # doctest: +SKIP
    18
"""

from __future__ import annotations

import dataclasses
import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from formcheck.errors import UsageError
from formcheck.media.outputs import write_text_atomic
from formcheck.run.batch import BatchResult, Job, close_batch, default_jobs, finish_job, run_job

if TYPE_CHECKING:
    from formcheck.run.recording import RecordingOptions

log = logging.getLogger(__name__)

#: What ``pip`` needs for this engine.
INSTALL_HINT = "--engine ray needs Ray: pip install 'formcheck[ray]'"


def ray_available() -> bool:
    """Whether Ray can be imported here."""
    import importlib.util

    return importlib.util.find_spec("ray") is not None


def ray_task(
    source: str,
    report_name: str,
    options: RecordingOptions,
    model: tuple[str, str, bytes] | None = None,
) -> dict[str, Any]:
    """The body of one Ray task: :func:`~formcheck.run.batch.run_job` into a scratch folder,
    the report files' text in the result (``files``: name -> text) for the driver to write.

    ``model`` is the driver's ``--model`` as (file name, sha256, bytes): written once per node
    into the temporary folder, under its checksum, and used from there.
    """
    if model is not None:
        options = dataclasses.replace(options, model=_model_file(*model))
    with tempfile.TemporaryDirectory(prefix="formcheck-ray-") as scratch:
        report = Path(scratch) / report_name
        result = run_job(source, str(report), options)
        if result["status"] == "done":
            result["files"] = {
                p.name: p.read_text(encoding="utf-8")
                for p in (report, report.with_suffix(".html"))
                if p.exists()
            }
    return result


def _model_file(name: str, sha256: str, data: bytes) -> Path:
    """The driver's model as a file on this node (kept for the next task)."""
    folder = Path(tempfile.gettempdir()) / "formcheck-models" / sha256
    path = folder / name
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        write_bytes = path.with_suffix(".part")
        write_bytes.write_bytes(data)
        write_bytes.replace(path)
    return path


def _connect(address: str | None, workers: int | None) -> bool:
    """Initialise Ray (unless this process already has); True when this call started it."""
    import ray

    if ray.is_initialized():
        return False
    # the workers' own output (MediaPipe's start-up lines) stays out of the progress display
    if address is None:
        os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # nothing leaves this machine
        ray.init(
            num_cpus=workers or default_jobs(),
            include_dashboard=False,
            log_to_driver=False,
            logging_level=logging.WARNING,
        )
    else:
        ray.init(address=address, log_to_driver=False, logging_level=logging.WARNING)
    return True


def _model_payload(options: RecordingOptions) -> tuple[str, str, bytes] | None:
    """The ``--model`` file to send to the workers (None: the package's own model)."""
    if options.model is None:
        return None
    from formcheck.pose.models import resolve_model

    info = resolve_model(options.model)  # ModelError here, before any task starts
    return info.path.name, info.sha256, info.path.read_bytes()


def run_batch_ray(
    plan: list[Job],
    out_dir: Path,
    options: RecordingOptions,
    *,
    address: str | None = None,
    workers: int | None = None,
    on_job_done: Callable[[Job], None] | None = None,
) -> BatchResult:
    """Analyse the pending jobs of ``plan`` as Ray tasks and write the index.

    The same results as :func:`~formcheck.run.batch.run_batch`: a report per finished job in
    ``out_dir`` (written here, by the driver), the history stored here when
    ``options.record_history``, an index row per job.

    Args:
        plan: The jobs (:func:`~formcheck.run.batch.prepare_batch`).
        out_dir: Where the reports and the index go.
        options: The analysis settings (their output paths are set per job).
        address: None: a local Ray instance; ``auto`` or ``ray://HOST:PORT``: a cluster.
        workers: At most this many tasks at once (None: as many as the cluster schedules;
            a local instance gets one CPU per core).
        on_job_done: Called with each job when its task finishes.

    Raises:
        UsageError: Ray is not installed.
    """
    if not ray_available():
        raise UsageError(INSTALL_HINT)
    import ray

    started_here = _connect(address, workers)
    todo = [j for j in plan if j.status == "pending"]
    task = ray.remote(num_cpus=1, max_retries=0)(ray_task)
    if options.lanes is None:  # a task has one CPU: one lane of the model (as local batches)
        options = dataclasses.replace(options, lanes=1)
    model = _model_payload(options)
    model_ref = ray.put(model) if model is not None else None
    limit = workers or len(todo) or 1
    waiting = list(todo)
    running: dict[Any, Job] = {}
    interrupted = False
    try:
        while waiting or running:
            while waiting and len(running) < limit:
                job = waiting.pop(0)
                ref = task.remote(str(job.source), job.report.name, options, model_ref)
                running[ref] = job
            done, _ = ray.wait(list(running), num_returns=1, timeout=0.25)
            for ref in done:
                job = running.pop(ref)
                try:
                    result = ray.get(ref)
                except Exception as exc:  # the task's worker died, or Ray lost it
                    result = {"status": "failed", "message": f"worker failed: {_reason(exc)}"}
                for name, text in result.pop("files", {}).items():
                    write_text_atomic(out_dir / name, text)
                finish_job(job, result, options, on_job_done)
    except KeyboardInterrupt:
        interrupted = True
        for ref in running:
            ray.cancel(ref, force=True)
    finally:
        if started_here:
            ray.shutdown()
    return close_batch(plan, out_dir, interrupted)


def _reason(exc: BaseException) -> str:
    """The first line of a Ray error."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


__all__ = ["INSTALL_HINT", "ray_available", "ray_task", "run_batch_ray"]
