"""The progression rule of ``formcheck progress``: the next targets from a session history.

Pure: it reads :class:`TrendPoint` figures (one per session and exercise, from
:meth:`formcheck.history.history.History.trends`) and the config, and gives :class:`Target` values.

The rule: targets are recomputed from the whole history, walking its sessions oldest first.
Each target keeps a streak of *qualifying* sessions; after ``progression.sessions_at_target``
qualifying sessions in a row the target rises by its step (never past its maximum) and the
streak restarts; a session of that exercise that does not qualify resets the streak to zero
(sessions of other exercises do not).

* **Plank hold**: starts at ``routine.plank_target_s``. A session qualifies when its longest
  forearm-plank hold (knee planks do not count) lasted at least the target and at least
  ``progression.min_good_form_share`` of that hold was in good form. Step
  ``progression.plank_step_s``, up to ``progression.plank_max_target_s``. With the defaults:
  20 s, +5 s after two sessions in a row holding the target with >= 80% good form.
* **Bridge reps**: starts at ``routine.bridge_reps``; a session qualifies when it has at least
  that many reps and at least ``min_good_form_share`` of them are good (no fault). Step
  ``progression.bridge_reps_step`` up to ``progression.bridge_max_reps`` (12 -> 15).
* **Bridge top pause**: starts at ``bridge.target_top_hold_s``; a session qualifies when at
  least ``min_good_form_share`` of its reps are good and paused at the top for at least the
  target. Step ``progression.bridge_pause_step_s`` up to ``progression.bridge_max_pause_s``
  (2 s -> 5 s by 1 s).
* **Cat-cow**: no step: ``routine.cat_cow_rounds`` slow rounds (at least
  ``cat_cow.min_move_s`` from one end to the other, a pause at each end); the trend of the
  spinal range is shown.

Example:
    >>> points = [TrendPoint(i, f"2024-05-0{i}", "complete", "plank", longest_hold_s=21.0,
    ...                      longest_hold_good_s=19.0) for i in (1, 2)]
    >>> [(t.name, t.value, t.steps) for t in next_targets(points)]  # (session, target, qualified)
    [('hold_s', 25.0, ((1, 20.0, True), (2, 20.0, True)))]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from formcheck.config import Config


@dataclass(frozen=True)
class TrendPoint:
    """The figures of one exercise in one session, for ``formcheck progress``.

    ``reps`` counts reps (bridge) or rounds (cat-cow) over the session's sets of the exercise;
    ``longest_hold_s`` and ``longest_hold_good_s`` are those of its longest forearm-plank hold
    (None when there was none); ``top_holds`` are the bridge reps' top pauses and ``rep_good``
    whether each rep was free of faults, in order.
    """

    session_id: int
    started_at: str
    status: str
    exercise: str
    reps: int = 0
    good_reps: int = 0
    hold_s: float = 0.0
    good_form_s: float = 0.0
    longest_hold_s: float | None = None
    longest_hold_good_s: float | None = None
    top_holds: tuple[float | None, ...] = ()
    rep_good: tuple[bool, ...] = ()
    mean_range_deg: float | None = None
    mean_round_s: float | None = None

    @property
    def good_form_share(self) -> float | None:
        """Share of the longest plank hold in good form."""
        if not self.longest_hold_s:
            return None
        return (self.longest_hold_good_s or 0.0) / self.longest_hold_s

    @property
    def mean_top_hold_s(self) -> float | None:
        """Mean pause at the top of the bridge reps."""
        values = [v for v in self.top_holds if v is not None]
        return sum(values) / len(values) if values else None

    def reps_paused(self, pause_s: float) -> int:
        """Good bridge reps that paused at the top at least ``pause_s``."""
        return sum(
            1
            for v, good in zip(self.top_holds, self.rep_good, strict=False)
            if good and v is not None and v >= pause_s
        )


@dataclass(frozen=True)
class Target:
    """A next target and how the history earned it.

    ``steps`` lists, per session of the exercise (oldest first), ``(session_id, target then,
    qualified)``; ``streak`` is the number of qualifying sessions in a row at the current
    target, of ``needed``.
    """

    exercise: str
    name: str
    value: float
    unit: str
    streak: int
    needed: int
    at_max: bool
    steps: tuple[tuple[int, float, bool], ...]
    note: str

    def describe(self) -> str:
        """One line, e.g. ``plank hold: 25 s (1 of 2 sessions at target with >= 80% ...)``."""
        return f"{self.exercise_label} {self.label}: {self.value:g} {self.unit} ({self.note})"

    @property
    def exercise_label(self) -> str:
        return {"glute_bridge": "bridge", "cat_cow": "cat-cow"}.get(self.exercise, self.exercise)

    @property
    def label(self) -> str:
        return {"hold_s": "hold", "reps": "reps", "top_pause_s": "top pause"}.get(
            self.name, self.name
        )


def _walk(
    points: Sequence[TrendPoint],
    start: float,
    step: float,
    top: float,
    needed: int,
    qualifies: Callable[[TrendPoint, float], bool],
) -> tuple[float, int, tuple[tuple[int, float, bool], ...]]:
    """The streak rule over the sessions, oldest first: (target, streak, per-session steps)."""
    target, streak, steps = start, 0, []
    for p in points:
        ok = qualifies(p, target)
        steps.append((p.session_id, target, ok))
        streak = streak + 1 if ok else 0
        if streak >= needed:
            target = min(target + step, max(top, start))
            streak = 0
    return target, streak, tuple(steps)


def next_targets(
    points: Sequence[TrendPoint],
    config: Config | None = None,
    *,
    exercises: Sequence[str] = (),
) -> list[Target]:
    """The next targets by the progression rule (module docstring), one per figure.

    Args:
        points: :meth:`~formcheck.history.history.History.trends` (any mix of exercises,
            oldest first).
        config: Where the rule's numbers come from (``progression``, ``routine``, ``bridge``,
            ``cat_cow``).
        exercises: Also give the first targets of these exercises when the history has none.

    Example:
        >>> p = [TrendPoint(i, f"2024-05-0{i}", "complete", "plank", longest_hold_s=21.0,
        ...                 longest_hold_good_s=19.0) for i in (1, 2)]
        >>> next_targets(p)[0].describe()
        'plank hold: 25 s (0 of 2 sessions at 25 s with >= 80% good form)'
    """
    cfg = config or Config()
    prog = cfg.progression
    needed = max(1, round(prog.sessions_at_target))
    share = prog.min_good_form_share
    by_exercise: dict[str, list[TrendPoint]] = {e: [] for e in exercises}
    for p in points:
        by_exercise.setdefault(p.exercise, []).append(p)
    rules: list[tuple[str, str, str, float, float, float, Callable[..., bool], str]] = [
        (
            "plank",
            "hold_s",
            "s",
            cfg.routine.plank_target_s,
            prog.plank_step_s,
            prog.plank_max_target_s,
            lambda p, t: (p.longest_hold_s or 0) >= t and (p.good_form_share or 0) >= share,
            "sessions at {v:g} s with >= {share:.0%} good form",
        ),
        (
            "glute_bridge",
            "reps",
            "reps",
            cfg.routine.bridge_reps,
            prog.bridge_reps_step,
            prog.bridge_max_reps,
            lambda p, t: p.reps >= t and p.good_reps >= share * p.reps,
            "sessions with {v:g} reps, >= {share:.0%} of them good",
        ),
        (
            "glute_bridge",
            "top_pause_s",
            "s",
            cfg.bridge.target_top_hold_s,
            prog.bridge_pause_step_s,
            prog.bridge_max_pause_s,
            lambda p, t: p.reps > 0 and p.reps_paused(t) >= share * p.reps,
            "sessions with >= {share:.0%} of reps good and paused {v:g} s at the top",
        ),
    ]
    targets = []
    for exercise, name, unit, start, step, top, qualifies, text in rules:
        if exercise not in by_exercise:
            continue
        value, streak, steps = _walk(by_exercise[exercise], start, step, top, needed, qualifies)
        note = f"{streak} of {needed} " + text.format(v=value, share=share)
        at_max = value >= top
        note += "; the maximum" if at_max else ""
        targets.append(Target(exercise, name, value, unit, streak, needed, at_max, steps, note))
    if "cat_cow" in by_exercise:
        catcow = by_exercise["cat_cow"]
        ranges = [p.mean_range_deg for p in catcow if p.mean_range_deg is not None][-5:]
        note = (
            f"slow: at least {cfg.cat_cow.min_move_s:g} s from one end to the other, with a "
            "pause at each end"
        )
        if ranges:
            note += f"; spinal range {ranges[-1]:.0f} deg last time"
        if len(ranges) >= 2:
            note += f", {_slope(ranges):+.1f} deg per session over the last {len(ranges)}"
        rounds = cfg.routine.cat_cow_rounds
        steps = tuple((p.session_id, rounds, p.reps >= rounds) for p in catcow)
        targets.append(Target("cat_cow", "rounds", rounds, "rounds", 0, needed, True, steps, note))
    return targets


def _slope(values: Sequence[float]) -> float:
    """Least-squares slope of ``values`` per step."""
    n = len(values)
    mean_x, mean_y = (n - 1) / 2, sum(values) / n
    num = sum((i - mean_x) * (v - mean_y) for i, v in enumerate(values))
    den = sum((i - mean_x) ** 2 for i in range(n))
    return num / den if den else 0.0
