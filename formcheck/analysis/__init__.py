"""Exercise analysis: one analyzer per exercise, recognition of the exercise, and the fold.

Example:
    >>> from formcheck.analysis import analyze_series
    >>> result = analyze_series(series, "plank")  # doctest: +SKIP
    >>> result.sets[0]["summary"]["hold_s"]  # doctest: +SKIP
    31.2
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from formcheck.analysis.auto import ANALYZERS, AutoAnalyzer, classify_posture, make_analyzer
from formcheck.analysis.base import Analyzer, LiveState, fold
from formcheck.analysis.bridge import BridgeAnalyzer
from formcheck.analysis.catcow import CatCowAnalyzer
from formcheck.analysis.events import WARNING_MESSAGES, WARNING_TYPES, Event, Exercise
from formcheck.analysis.feedback import Coach, Cue
from formcheck.analysis.plank import PlankAnalyzer
from formcheck.config import Config
from formcheck.pose.landmarks import PoseFrame, PoseSeries


@dataclass(frozen=True)
class Analysis:
    """What :func:`analyze_series` found.

    Attributes:
        sets: The report block of each set (exercise, reps, holds, warnings, summary).
        events: Every event, in time order.
        analyzers: The analyzers that produced the sets (for per-frame traces).
        cues: The cues a live coach would have given, in order.
    """

    sets: list[dict[str, Any]]
    events: list[Event]
    analyzers: list[Analyzer]
    cues: list[Cue]


class Fold:
    """The fold, one frame at a time: ``update(frame)`` for each frame in time order, then
    ``finish()``. The analyzer for ``exercise`` ("auto" recognises it) runs with a coach
    listening as it would live, so a video file, a camera and a replayed track give the same
    result."""

    def __init__(self, exercise: Exercise | str = Exercise.AUTO, config: Config | None = None):
        self.config = config or Config()
        self.analyzer = make_analyzer(exercise, self.config)
        self.coach = Coach(self.config.feedback, self.config.plank.target_hold_s)
        self.events: list[Event] = []

    def update(self, frame: PoseFrame) -> list[Event]:
        new = self.analyzer.update(frame)
        self.events += new
        self.coach.update(frame.timestamp_ms / 1000.0, new, self.analyzer.state)
        return new

    def finish(self) -> Analysis:
        self.events += self.analyzer.finish()
        if isinstance(self.analyzer, AutoAnalyzer):
            analyzers = list(self.analyzer.sets)
            sets = self.analyzer.set_results()
        else:
            analyzers = [self.analyzer]
            sets = [self.analyzer.set_block()]
        events = sorted(self.events, key=lambda e: e.t_s)
        return Analysis(sets, events, analyzers, self.coach.given)


def analyze_series(
    series: PoseSeries, exercise: Exercise | str = Exercise.AUTO, config: Config | None = None
) -> Analysis:
    """Fold a recorded series through the analyzer for ``exercise`` ("auto" recognises it)."""
    fold_ = Fold(exercise, config)
    for frame in series:
        fold_.update(frame)
    return fold_.finish()


__all__ = [
    "ANALYZERS",
    "WARNING_MESSAGES",
    "WARNING_TYPES",
    "Analysis",
    "Analyzer",
    "AutoAnalyzer",
    "BridgeAnalyzer",
    "CatCowAnalyzer",
    "Event",
    "Exercise",
    "Fold",
    "LiveState",
    "PlankAnalyzer",
    "analyze_series",
    "classify_posture",
    "fold",
    "make_analyzer",
]
