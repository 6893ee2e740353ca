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


def test_a_short_hold_target_gets_no_ten_second_countdown() -> None:
    coach = Coach(hold_target_s=8.0)
    holding = LiveState(exercise="plank", hold_s=0.5)
    cues = [coach.update(t, [], holding) for t in (2.0, 2.1)]
    assert all(c is None for c in cues)  # not "10 seconds to go" as the hold starts
    done = coach.update(12.0, [], LiveState(exercise="plank", hold_s=8.2))
    assert done is not None and done.text.startswith("Target reached")


def test_counts_are_never_given_backwards() -> None:
    coach = Coach(FeedbackConfig(cooldown_s=4.0, min_gap_s=1.5))
    assert coach.update(10.0, [_fault(10.0, "rushing")]) is not None
    # two rounds end during the minimum gap: only the newest count is said, then nothing older
    coach.update(10.5, [Event(10.5, "round", "cat_cow", {"index": 3, "good": True})])
    coach.update(11.0, [Event(11.0, "round", "cat_cow", {"index": 4, "good": True})])
    said = [c for t in (11.6, 12.0, 13.2, 14.0) if (c := coach.update(t, [])) is not None]
    assert [c.text for c in said] == ["4. Good round"]
