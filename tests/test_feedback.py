"""The coach: one cue at a time, faults first, no repeats within the cooldown."""

from __future__ import annotations

from formcheck.analysis.base import LiveState
from formcheck.analysis.events import Event
from formcheck.analysis.feedback import Coach
from formcheck.config import FeedbackConfig


def _fault(t: float, kind: str = "hips_sagging") -> Event:
    return Event(t, "fault_started", "plank", {"type": kind})


def test_fault_beats_a_count_given_at_the_same_time() -> None:
    coach = Coach()
    rep = Event(1.0, "rep", "glute_bridge", {"index": 3, "good": False})
    cue = coach.update(1.0, [rep, _fault(1.0, "partial_rep")])
    assert cue is not None and cue.kind == "partial_rep" and "higher" in cue.text
    # the count comes after the minimum gap, if it is still fresh
    assert coach.update(1.5, []) is None
    later = coach.update(2.6, [])
    assert later is not None and later.text == "3"


def test_same_fault_is_not_repeated_within_the_cooldown() -> None:
    coach = Coach(FeedbackConfig(cooldown_s=4.0, min_gap_s=1.0))
    assert coach.update(0.0, [_fault(0.0)]) is not None
    assert coach.update(2.0, [_fault(2.0)]) is None
    assert coach.update(4.5, [_fault(4.5)]) is not None
    assert [c.t_s for c in coach.given] == [0.0, 4.5]


def test_stale_cues_are_dropped() -> None:
    coach = Coach(FeedbackConfig(cooldown_s=10.0, min_gap_s=1.0))
    coach.update(0.0, [_fault(0.0)])
    coach.update(0.2, [_fault(0.2)])  # same words: waits for the cooldown...
    assert coach.update(10.5, []) is None  # ...and is too old by then


def test_status_is_spoken_only_when_it_lasts() -> None:
    coach = Coach()
    state = LiveState("plank", status="Turn side-on to the camera")
    assert coach.update(0.0, [], state) is None
    assert coach.update(1.0, [], state) is None
    cue = coach.update(2.1, [], state)
    assert cue is not None and cue.text == "Turn side-on to the camera"


def test_hold_milestones_once_per_hold() -> None:
    coach = Coach(FeedbackConfig(cooldown_s=0.0, min_gap_s=0.0), hold_target_s=20.0)
    texts = []
    for i in range(0, 260):
        t = i / 10
        cue = coach.update(t, [], LiveState("plank", hold_s=t))
        if cue:
            texts.append((round(t, 1), cue.text))
    assert texts == [(10.0, "10 seconds to go"), (20.0, "Target reached. Well done")]
