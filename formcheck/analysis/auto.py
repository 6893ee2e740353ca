"""Recognising the exercise from posture, and splitting a recording into sets.

Each frame's posture is classified from the camera-facing side's joints:

* **glute_bridge** — lying on the back: trunk low, knees bent and above the hips;
* **plank** — body line near horizontal, upper arms near vertical with the elbows under the
  shoulders, hips off the floor (a knee plank counts);
* **cat_cow** — hands and knees: trunk near horizontal, thighs and arms near vertical;
* **none** — anything else (standing, sitting, moving between exercises, nobody in view).

Votes are pooled over ``window_s`` (majority), stretches of one exercise shorter than
``min_set_s`` are dropped, and stretches of the same exercise less than ``join_gap_s`` apart are
joined. :class:`AutoAnalyzer` does this frame by frame: when the pooled vote switches to an
exercise, a fresh analyzer for it is started and the frames of the voting window, from the first
one voted for that exercise, are replayed into it, so nothing at the start of a set is lost; a
set that produced no rep, round or hold is not reported. The fold over a recording is the same
replay.
"""

from __future__ import annotations

from collections import Counter, deque
from typing import Any

from formcheck.analysis.base import Analyzer, LiveState
from formcheck.analysis.bridge import BridgeAnalyzer, bridge_measures, in_bridge_position
from formcheck.analysis.catcow import CatCowAnalyzer, catcow_measures, in_all_fours
from formcheck.analysis.events import Event, Exercise
from formcheck.analysis.plank import PlankAnalyzer, in_plank_position, plank_measures
from formcheck.config import Config
from formcheck.measure.signals import SideConditioner, SideView
from formcheck.pose.landmarks import PoseFrame

#: How often the posture is classified (s); each vote stands for the frames until the next.
VOTE_EVERY_S = 0.1

ANALYZERS: dict[Exercise, type[Analyzer]] = {
    Exercise.GLUTE_BRIDGE: BridgeAnalyzer,
    Exercise.PLANK: PlankAnalyzer,
    Exercise.CAT_COW: CatCowAnalyzer,
}


def classify_posture(
    view: SideView, frame: PoseFrame, config: Config, current: Exercise | None = None
) -> Exercise | None:
    """The exercise whose posture this frame shows, or None.

    ``current`` is the exercise of the set in progress: inside a plank set, dropping the knees
    with the hips folded back is still the plank (its ``knees_down`` fault, or the way out of
    it, which the plank analyzer tells apart), not a reason to end the set; inside a bridge set,
    hips lifted level with or above the knees are still the bridge (its top).
    """
    if view.side is None:
        return None
    if in_all_fours(catcow_measures(view, frame, bend=False)):
        return Exercise.CAT_COW
    if in_plank_position(
        plank_measures(view, config.plank),
        config.plank.max_body_tilt_deg,
        config.plank.knee_plank_bend_deg,
        starting=False,
        knees_may_drop=current is Exercise.PLANK,
    ):
        return Exercise.PLANK
    if in_bridge_position(bridge_measures(view), bridging=current is Exercise.GLUTE_BRIDGE):
        return Exercise.GLUTE_BRIDGE
    return None


def _posture(kind: Exercise | None) -> dict[str, float]:
    """The auto analyzer's per-frame value: the voted exercise's index, -1 for none."""
    return {"posture": float(list(Exercise).index(kind)) if kind else -1.0}


def has_content(analyzer: Analyzer) -> bool:
    """True when the analyzer found at least one rep, round or hold."""
    result = analyzer.result()
    return bool(result["reps"] or result["holds"])


class AutoAnalyzer(Analyzer):
    """Recognises the exercise, splits sets, and runs the right analyzer (see module docs)."""

    exercise = Exercise.AUTO
    measure_name = "posture"

    def __init__(self, config: Config | None = None) -> None:
        super().__init__(config)
        self.cfg = self.config.auto
        self.sets: list[Analyzer] = []
        self.current: Analyzer | None = None
        self._votes: deque[tuple[float, Exercise | None, PoseFrame]] = deque()
        self._current_kind: Exercise | None = None
        self._last_vote_t: dict[Exercise, float] = {}
        self._last_vote: tuple[float, Exercise | None] | None = None

    def _pooled(self) -> Exercise | None:
        counts = Counter(kind for _, kind, _ in self._votes)
        kind, n = counts.most_common(1)[0]
        if n > len(self._votes) / 2:
            return kind
        # no majority: stay with the current exercise only while it keeps a fair share
        if self._current_kind is not None and counts[self._current_kind] >= len(self._votes) / 3:
            return self._current_kind
        return None

    def update(self, frame: PoseFrame) -> list[Event]:
        """Feed one frame. The posture is looked at every :data:`VOTE_EVERY_S` seconds (each
        vote stands for the frames until the next one): the set's own analyzer still sees every
        frame, and recognition costs the same at 15 or 60 frames/s."""
        t = frame.timestamp_ms / 1000.0
        if self._last_vote is not None and 0 <= t - self._last_vote[0] < VOTE_EVERY_S:
            kind = self._last_vote[1]
            self._record(t, _posture(kind))
            return self._vote(t, kind, frame)
        return super().update(frame)

    def _step(self, view: SideView, frame: PoseFrame) -> tuple[dict[str, float], list[Event]]:
        t = view.t_s
        kind = classify_posture(view, frame, self.config, self._current_kind)
        self._last_vote = (t, kind)
        return _posture(kind), self._vote(t, kind, frame)

    def _vote(self, t: float, kind: Exercise | None, frame: PoseFrame) -> list[Event]:
        self._votes.append((t, kind, frame))
        while self._votes and t - self._votes[0][0] > self.cfg.window_s:
            self._votes.popleft()
        pooled = self._pooled()
        events: list[Event] = []
        if pooled is not None:
            self._last_vote_t[pooled] = t
        if pooled is not None and pooled != self._current_kind:
            resume = self.current is not None and self.current.exercise == pooled
            if not resume:
                events += self._close_current()
                self.current = ANALYZERS[pooled](self.config)
                self.sets.append(self.current)
                # replay the voting window from its first frame voted for this exercise: the
                # frames before it are the last exercise's or the way between (lying frames
                # given to a cat-cow read as a limb off the floor, and lost its first rounds)
                window = list(self._votes)[:-1]
                first = next((i for i, (_, k, _) in enumerate(window) if k == pooled), len(window))
                for _, _, old in window[first:]:
                    events += self.current.update(old)
            self._current_kind = pooled
        elif pooled is None and self._current_kind is not None:
            last = self._last_vote_t.get(self._current_kind, t)
            if t - last > self.cfg.join_gap_s:
                events += self._close_current()
                self._current_kind = None
            elif self.current is not None:
                # the set may go on, but time passes for it with nobody in position: a hold
                # must not run on through the person's absence
                events += self.current.idle(frame.timestamp_ms, frame.image_size)
        if self.current is not None and pooled is not None:
            # only frames voted for the exercise: standing or lying around a set is not part
            # of it (the set ends with its last such frame)
            events += self.current.update(frame)
        return events

    def _close_current(self) -> list[Event]:
        if self.current is None:
            return []
        events = self.current.finish()
        if (
            not has_content(self.current)
            or self.current.end_s - self.current.start_s < self.cfg.min_set_s
        ):
            self.sets.remove(self.current)
        self.current = None
        return events

    def finish(self) -> list[Event]:
        return self._close_current()

    @property
    def state(self) -> LiveState:
        if self.current is not None:
            return self.current.state
        return LiveState(exercise="auto", status="Get into position for a bridge, plank or cat-cow")

    def result(self) -> dict[str, Any]:
        raise TypeError("AutoAnalyzer reports several sets: use .sets")

    def set_results(self) -> list[dict[str, Any]]:
        """The report block of each recognised set, in order."""
        done = [a for a in self.sets if a is not self.current or has_content(a)]
        return [a.set_block() for a in done]


def make_analyzer(exercise: Exercise | str, config: Config | None = None) -> Analyzer:
    """A fresh analyzer for ``exercise`` ("auto" gives an :class:`AutoAnalyzer`)."""
    kind = Exercise(exercise)
    if kind is Exercise.AUTO:
        return AutoAnalyzer(config)
    return ANALYZERS[kind](config)


__all__ = ["ANALYZERS", "AutoAnalyzer", "SideConditioner", "classify_posture", "make_analyzer"]
