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

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt


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

    def split(self, at_s: float) -> str | None:
        """End the open episode at ``at_s`` and make ``at_s`` the start of the next one's
        candidate: the condition goes on holding, but what it holds has changed (a knee plank
        that goes up onto the toes)."""
        active = self.active
        if active is None:
            return None
        active.end_s = max(at_s, active.start_s)
        active.open = False
        self._candidate, self._candidate_worst = at_s, float("nan")
        self._first_false = None
        return "ended"

    def close(self) -> str | None:
        """End any open episode (end of the recording)."""
        self._candidate = None
        active = self.active
        if active is not None:
            active.open = False
            return "ended"
        return None


def settled_span(
    times: npt.ArrayLike,
    measures: Sequence[npt.ArrayLike],
    start_s: float,
    end_s: float,
    band: float,
    ref_s: float,
    *,
    trim_end: bool = True,
) -> tuple[float, float]:
    """Trim a held position's span to where the body is in the position it holds.

    A hold found by thresholds starts while the body is still moving into the position and ends
    after it has begun to leave it. The held position is the median of each measure over the
    first ``ref_s`` of the span; the start moves to the first frame where every measure is
    within ``band`` of it (frames with a NaN measure never count), and the reference is then
    taken again from the new start, until the start stops moving (a slow way in takes a few
    steps). The end is found the same way from the last ``ref_s``. Like an episode's, the new
    edges lie halfway between frames. A measure with no finite value in the reference window is
    ignored. With ``trim_end`` False only the start moves (an open hold). The span never grows,
    and never shrinks to nothing: without a settled frame it stays as it is.

    Example:
        >>> t = np.arange(0.0, 10.01, 0.5)
        >>> knee = np.clip(100 + 20 * t, None, 180.0)  # straightens until 4 s, then holds
        >>> settled_span(t, [knee], 1.0, 10.0, band=5.0, ref_s=2.0)
        (3.75, 10.0)
    """
    t = np.asarray(times, np.float64)
    idx = np.flatnonzero((t >= start_s) & (t <= end_s))
    if idx.size == 0:
        return start_s, end_s
    tt = t[idx]
    values = [np.asarray(m, np.float64)[idx] for m in measures]

    def settled(ref_lo: float, ref_hi: float) -> npt.NDArray[np.bool_]:
        ok = np.ones(tt.size, bool)
        ref_mask = (tt >= ref_lo) & (tt <= ref_hi)
        for v in values:
            ref = v[ref_mask]
            ref = ref[np.isfinite(ref)]
            if ref.size:
                with np.errstate(invalid="ignore"):
                    ok &= np.abs(v - float(np.median(ref))) <= band
        return ok

    first = 0  # index in tt of the first settled frame
    for _ in range(10):
        at = np.flatnonzero(settled(tt[first], tt[first] + ref_s))
        at = at[at >= first]
        if not at.size or at[0] == first:
            break
        first = int(at[0])
    last = tt.size - 1
    if trim_end:
        for _ in range(10):
            at = np.flatnonzero(settled(tt[last] - ref_s, tt[last]))
            at = at[at <= last]
            if not at.size or at[-1] == last:
                break
            last = int(at[-1])
    if last <= first:
        return start_s, end_s
    # an edge lies halfway between the last frame on one side of it and the first on the other
    new_start = float(tt[first - 1] + tt[first]) / 2 if first > 0 else start_s
    new_end = float(tt[last] + tt[last + 1]) / 2 if last < tt.size - 1 else end_s
    return new_start, new_end
