"""Turning analyzer events into one short cue at a time, like a calm coach would.

Priorities (highest first): a fault that just began; a status that has lasted a while ("Turn
side-on to the camera"); counts and encouragement ("3", "Good rep", "10 seconds to go"). Only
one cue is given at a time: at least ``min_gap_s`` between any two, and the same words not again
within ``cooldown_s``. A candidate that waits longer than ``STALE_S`` is dropped, so the coach
never talks about the past.

Example:
    >>> from formcheck.analysis.events import Event
    >>> coach = Coach()
    >>> coach.update(1.0, [Event(1.0, "rep", "glute_bridge", {"index": 1, "good": True})])
    Cue(t_s=1.0, text='1. Good rep', priority=1, kind='count')
"""

from __future__ import annotations

from dataclasses import dataclass, field

from formcheck.analysis.base import LiveState
from formcheck.analysis.events import WARNING_MESSAGES, Event
from formcheck.config import FeedbackConfig

STALE_S = 3.0
#: "10 seconds to go" only for targets at least this much longer than 10 s.
MIN_HELD_FOR_COUNTDOWN_S = 5.0
STATUS_AFTER_S = 2.0
FAULT, STATUS, COUNT = 3, 2, 1


@dataclass(frozen=True)
class Cue:
    """Something to show or say: when, the words, priority, and what kind of cue it is."""

    t_s: float
    text: str
    priority: int
    kind: str


@dataclass
class Coach:
    """Chooses the cue to give now from the events and live state (see module docs)."""

    config: FeedbackConfig = field(default_factory=FeedbackConfig)
    hold_target_s: float = 30.0
    given: list[Cue] = field(default_factory=list)
    _pending: list[Cue] = field(default_factory=list)
    _last_said: dict[str, float] = field(default_factory=dict)
    _status_since: tuple[str, float] | None = None
    _milestones: set[tuple[float, str]] = field(default_factory=set)

    def _candidates(self, t: float, events: list[Event], state: LiveState | None) -> list[Cue]:
        out = []
        for e in events:
            if e.kind == "fault_started":
                kind = str(e.data.get("type", ""))
                out.append(Cue(t, WARNING_MESSAGES.get(kind, kind), FAULT, kind))
            elif e.kind in ("rep", "round"):
                n = e.data.get("index", 0)
                good = e.data.get("good", True)
                out.append(Cue(t, f"{n}. Good {e.kind}" if good else str(n), COUNT, "count"))
            elif e.kind == "hold_started":
                out.append(Cue(t, "Hold it there", COUNT, "hold"))
            elif e.breaks_hold:  # (a hold that goes on as another: no rest)
                out.append(Cue(t, "Rest", COUNT, "hold"))
        if state is not None:
            out += self._status_cue(t, state)
            out += self._hold_milestones(t, state)
        return out

    def _status_cue(self, t: float, state: LiveState) -> list[Cue]:
        if not state.status:
            self._status_since = None
            return []
        if self._status_since is None or self._status_since[0] != state.status:
            self._status_since = (state.status, t)
            return []
        if t - self._status_since[1] >= STATUS_AFTER_S:
            return [Cue(t, state.status, STATUS, "status")]
        return []

    def _hold_milestones(self, t: float, state: LiveState) -> list[Cue]:
        if state.hold_s <= 0:
            return []
        left = self.hold_target_s - state.hold_s
        start = round(t - state.hold_s, 1)
        for mark, text in ((10.0, "10 seconds to go"), (0.0, "Target reached. Well done")):
            if mark > 0 and self.hold_target_s - mark < MIN_HELD_FOR_COUNTDOWN_S:
                continue  # a short target: "10 seconds to go" would come as the hold starts
            if left <= mark and (start, text) not in self._milestones:
                self._milestones.add((start, text))
                return [Cue(t, text, COUNT, "hold")]
        return []

    def update(self, t_s: float, events: list[Event], state: LiveState | None = None) -> Cue | None:
        """Feed one frame's events and state; returns the cue to give now, if any."""
        self._pending += self._candidates(t_s, events, state)
        self._pending = [c for c in self._pending if t_s - c.t_s <= STALE_S]
        if not self._pending:
            return None
        # within the minimum gap only a fault may cut in, and only after a lesser cue
        too_soon = bool(self.given) and t_s - self.given[-1].t_s < self.config.min_gap_s
        urgent = max(c.priority for c in self._pending) >= FAULT
        if too_soon and (not urgent or self.given[-1].priority >= FAULT):
            return None
        ready = [
            c
            for c in self._pending
            if t_s - self._last_said.get(c.text, -1e9) >= self.config.cooldown_s
            or c.kind == "count"
        ]
        if not ready:
            return None
        best = max(ready, key=lambda c: (c.priority, c.t_s))
        self._pending.remove(best)
        if best.kind == "count":  # a newer count supersedes older ones: never count backwards
            self._pending = [
                c for c in self._pending if not (c.kind == "count" and c.t_s <= best.t_s)
            ]
        cue = Cue(t_s, best.text, best.priority, best.kind)
        self._last_said[cue.text] = t_s
        self.given.append(cue)
        return cue
