"""A live session's history record, written as the session runs (see :class:`SessionHistory`).

Part of the live coach: imports the history and the errors, never the CLI.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


class SessionHistory:
    """A live session's place in the history: rows written as the session runs
    (:class:`~formcheck.history.history.LiveHistory`), the final report at the end, and the
    targets the history has earned. A history that cannot be opened or written is one warning
    (given to ``warn``; logged when there is none); the session goes on without it
    (``db=None``: no history at all). Used by ``formcheck live``/``routine`` and the web app."""

    def __init__(
        self,
        db: Path | None,
        kind: str,
        source: str,
        config: Any,
        *,
        warn: Callable[[str], None] | None = None,
    ) -> None:
        self.kind, self.source, self.config = kind, source, config
        self._warn_with = warn
        self._wanted = db
        self._history: Any = None
        self._hooks: Any = None
        self._disabled = False

    def __enter__(self) -> SessionHistory:
        return self

    def _warn(self, exc: Exception) -> None:
        if not self._disabled:
            message = f"history: {getattr(exc, 'message', str(exc))}; not stored"
            if self._warn_with is not None:
                self._warn_with(message)
            else:
                log.warning("%s", message)
        self._disabled = True

    def _writer_hooks(self) -> Any:
        import dataclasses

        from formcheck.errors import FormcheckError
        from formcheck.history.history import History, LiveHistory

        if self._hooks is None and not self._disabled and self._wanted is not None:
            try:
                self._history = History(self._wanted)
                writer = self._history.start_session(
                    self.kind,
                    source=self.source,
                    config=dataclasses.asdict(self.config),
                )
                self._hooks = LiveHistory(writer)
            except FormcheckError as exc:
                self._warn(exc)
        return self._hooks

    def _call(self, name: str, *args: Any) -> None:
        from formcheck.errors import FormcheckError

        hooks = self._writer_hooks()
        if hooks is None:
            return
        try:
            getattr(hooks, name)(*args)
        except FormcheckError as exc:  # never let the history stop a live session
            self._warn(exc)

    def on_event(self, event: Any) -> None:
        self._call("on_event", event)

    def on_set_finished(self, block: dict[str, Any]) -> None:
        self._call("on_set_finished", block)

    def finish(self, report: dict[str, Any]) -> None:
        from formcheck.errors import FormcheckError

        hooks = self._writer_hooks()
        if hooks is None:
            return
        try:
            hooks.writer.finish(report)
        except FormcheckError as exc:
            self._warn(exc)

    def target(self, kind: str) -> float | None:
        """A target the history has earned (None: the config's): the plank hold for "plank",
        the bridge reps for "bridge_reps", the bridge's top pause for "bridge_pause"."""
        from formcheck.errors import FormcheckError
        from formcheck.history.history import History
        from formcheck.history.progression import next_targets

        wanted = {
            "plank": ("plank", "hold_s"),
            "bridge_reps": ("glute_bridge", "reps"),
            "bridge_pause": ("glute_bridge", "top_pause_s"),
        }.get(kind)
        if wanted is None or self._wanted is None or not Path(self._wanted).exists():
            return None
        exercise, name = wanted
        try:
            with History(self._wanted, create=False) as history:
                points = history.trends(exercise)
        except FormcheckError as exc:
            self._warn(exc)
            return None
        for target in next_targets(points, self.config):
            if target.exercise == exercise and target.name == name:
                return float(target.value)
        return None

    def __exit__(self, exc_type: Any, *exc: object) -> None:
        if self._hooks is not None and not self._hooks.writer.finished:
            from formcheck.errors import FormcheckError

            with contextlib.suppress(FormcheckError):  # already reported as a warning
                self._hooks.writer.finish(status="interrupted")
        if self._history is not None:
            self._history.close()
