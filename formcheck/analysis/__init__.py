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
from formcheck.landmarks import PoseSeries


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


def analyze_series(
    series: PoseSeries, exercise: Exercise | str = Exercise.AUTO, config: Config | None = None
) -> Analysis:
    """Fold a recorded series through the analyzer for ``exercise`` ("auto" recognises it)."""
    config = config or Config()
    analyzer = make_analyzer(exercise, config)
    coach = Coach(config.feedback, config.plank.target_hold_s)
    events: list[Event] = []
    for frame in series:  # the fold, with the coach listening as it would live
        new = analyzer.update(frame)
        events += new
        coach.update(frame.timestamp_ms / 1000.0, new, analyzer.state)
    events += analyzer.finish()
    if isinstance(analyzer, AutoAnalyzer):
        analyzers = [a for a in analyzer.sets]
        sets = analyzer.set_results()
    else:
        analyzers = [analyzer]
        sets = [analyzer.result()]
    return Analysis(sets, sorted(events, key=lambda e: e.t_s), analyzers, coach.given)


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
    "LiveState",
    "PlankAnalyzer",
    "analyze_series",
    "classify_posture",
    "fold",
    "make_analyzer",
]
