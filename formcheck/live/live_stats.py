"""Measuring a live session: how many frames per second it shows and how late they are.

:class:`LiveStats` records, for each frame shown, when it was captured and when it was shown
(``time.perf_counter()`` seconds): the display rate over a recent window and the
capture-to-display latency, live (for the overlay) and overall (for the report's ``live``
block).

Example:
    >>> stats = LiveStats(window_s=1.0)
    >>> for i in range(11):  # ten frames a second, each shown 50 ms after it was captured
    ...     stats.record(captured_at=i / 10 - 0.05, shown_at=i / 10)
    >>> round(stats.fps, 1), round(stats.recent_latency_ms, 1)
    (10.0, 50.0)
    >>> stats.as_dict()["display_fps"], stats.as_dict()["latency_ms_p95"]
    (10.0, 50.0)
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass
class LiveStats:
    """Display rate and capture-to-display latency of a session."""

    window_s: float = 1.0
    shown: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    shown_at: list[float] = field(default_factory=list)
    started: float | None = None
    last: float | None = None
    _recent: deque[float] = field(default_factory=deque)

    def record(self, captured_at: float, shown_at: float) -> None:
        """One frame shown at ``shown_at`` that arrived at ``captured_at`` (perf_counter s)."""
        if self.started is None:
            self.started = shown_at
        self.last = shown_at
        self.shown += 1
        self.latencies_ms.append((shown_at - captured_at) * 1000.0)
        self.shown_at.append(shown_at)
        self._recent.append(shown_at)
        while self._recent and shown_at - self._recent[0] > self.window_s:
            self._recent.popleft()

    @property
    def fps(self) -> float | None:
        """Frames shown per second over the last ``window_s`` (None before two frames)."""
        if len(self._recent) < 2:
            return None
        span = self._recent[-1] - self._recent[0]
        return (len(self._recent) - 1) / span if span > 0 else None

    @property
    def recent_latency_ms(self) -> float | None:
        """Mean latency of the frames shown in the last ``window_s``."""
        n = len(self._recent)
        if not n:
            return None
        return float(np.mean(self.latencies_ms[-n:]))

    def as_dict(self) -> dict[str, Any]:
        """Overall figures for the report."""
        lat = np.asarray(self.latencies_ms, np.float64)
        span = (self.last or 0.0) - (self.started or 0.0)
        return {
            "frames_shown": self.shown,
            "display_fps": round((self.shown - 1) / span, 2) if span > 0 else None,
            "latency_ms_mean": round(float(lat.mean()), 1) if lat.size else None,
            "latency_ms_p95": round(float(np.percentile(lat, 95)), 1) if lat.size else None,
            "latency_ms_max": round(float(lat.max()), 1) if lat.size else None,
        }


__all__ = ["LiveStats"]
