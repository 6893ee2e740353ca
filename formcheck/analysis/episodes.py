"""Turning a per-frame condition into episodes, with a minimum duration and a grace period.

An episode starts when the condition holds for at least ``min_s`` (its start is backdated to
when the condition first held) and ends once the condition has been false for ``grace_s``
(its end is when the condition last held). Times are seconds from frame timestamps, so frame
rate does not matter; an edge lies halfway between the last frame on one side of it and the
first frame on the other (a frame stands for the time around it).

Example:
    >>> ep = EpisodeTracker(min_s=0.5, grace_s=0.5)
    >>> events = [ep.update(t / 10, 0.3 <= t / 10 < 1.5, value=-t) for t in range(25)]
    >>> [(round(e.start_s, 2), round(e.end_s, 2)) for e in ep.episodes]
    [(0.25, 1.45)]
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Episode:
    """One stretch of a condition: start and end (s), the worst value seen, ``open`` until ended."""

    start_s: float
    end_s: float
    worst: float
    open: bool = True

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


@dataclass
class EpisodeTracker:
    """Debounced episodes of a boolean condition (see module docs)."""

    min_s: float
    grace_s: float
    worst_is_min: bool = True
    episodes: list[Episode] = field(default_factory=list)
    _candidate: float | None = None
    _candidate_worst: float = float("nan")
    _last_true: float | None = None
    _prev_t: float | None = None
    _first_false: float | None = None

    @property
    def active(self) -> Episode | None:
        """The open episode, if any."""
        return self.episodes[-1] if self.episodes and self.episodes[-1].open else None

    def _worse(self, a: float, b: float) -> float:
        if a != a:  # NaN
            return b
        if b != b:
            return a
        return min(a, b) if self.worst_is_min else max(a, b)

    def update(self, t_s: float, condition: bool, *, value: float = float("nan")) -> str | None:
        """Feed one frame. Returns "started" or "ended" when an episode starts or ends."""
        active = self.active
        prev, self._prev_t = self._prev_t, t_s
        if condition:
            self._last_true = t_s
            self._first_false = None
            if active is not None:
                active.end_s = t_s
                active.worst = self._worse(active.worst, value)
                return None
            if self._candidate is None:
                edge = (t_s + prev) / 2 if prev is not None and prev < t_s else t_s
                self._candidate, self._candidate_worst = edge, value
            else:
                self._candidate_worst = self._worse(self._candidate_worst, value)
            if t_s - self._candidate >= self.min_s:
                self.episodes.append(Episode(self._candidate, t_s, self._candidate_worst))
                self._candidate = None
                return "started"
            return None
        self._candidate = None
        if active is not None and self._first_false is None:
            self._first_false = t_s
            active.end_s = (active.end_s + t_s) / 2
        if (
            active is not None
            and self._last_true is not None
            and t_s - self._last_true >= self.grace_s
        ):
            active.open = False
            return "ended"
        return None

    def close(self) -> str | None:
        """End any open episode (end of the recording)."""
        self._candidate = None
        active = self.active
        if active is not None:
            active.open = False
            return "ended"
        return None
