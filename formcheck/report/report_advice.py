"""Plain-language advice drawn from a report's results, for the HTML report's "What to work on".

:func:`advice_for` gives one tip per warning type found (most frequent first, the words of
:data:`ADVICE`), a note on the top pause (bridge) and the hold target (plank), praise when
there were no faults, and a note when much of the recording could not be measured.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from formcheck.report.report_format import WARNING_TITLES, fmt_duration, is_finite


@dataclass(frozen=True)
class Advice:
    """One piece of plain-language advice.

    Attributes:
        key: What it is about: a warning type, or "no_faults", "hold_target", "top_pause",
            "coverage", "nothing_found".
        title: A short heading.
        text: One or two sentences, in plain words.
        tone: "praise", "tip" or "note".
    """

    key: str
    title: str
    text: str
    tone: str = "tip"


#: Advice per warning type: (title, text).
ADVICE: dict[str, tuple[str, str]] = {
    "partial_rep": (
        "Lift all the way up",
        "Some reps stopped short of a straight line from shoulders to knees. Push through your "
        "heels and squeeze your glutes until your hips are level with them; a few full reps do "
        "more than many half ones.",
    ),
    "over_arch": (
        "Stop at a straight line",
        "At the top your hips went past straight, which arches the lower back. Lift until "
        "shoulders, hips and knees line up, and keep your ribs down.",
    ),
    "hips_dropping": (
        "Keep the top steady",
        "Your hips sank during the pause at the top. Keep squeezing your glutes through the "
        "pause: a shorter steady pause is better than a long sinking one.",
    ),
    "feet_too_close": (
        "Feet a little further away",
        "Your feet were close to your hips, which loads the knees. Move them out until your "
        "shins are about upright at the top.",
    ),
    "feet_too_far": (
        "Feet a little closer",
        "Your feet were far from your hips, which shifts the work to the hamstrings. Bring "
        "them in until your shins are about upright at the top.",
    ),
    "hips_sagging": (
        "Hold your hips up",
        "Your hips sagged below the line from shoulders to heels. Squeeze your glutes and "
        "brace your tummy as if about to be poked; if they keep sagging, shorten the hold or "
        "drop to a knee plank and build up.",
    ),
    "hips_piked": (
        "Lower your hips into line",
        "Your hips rose above a straight line. Lower them until shoulders, hips and heels "
        "line up; lifting them takes the work away from your core.",
    ),
    "head_dropping": (
        "Keep your neck long",
        "Your head hung below the line of your back. Look at the floor just ahead of your "
        "hands, so your head stays in line with your spine.",
    ),
    "knees_down": (
        "Knees off the floor, or a knee plank",
        "Your knees touched down during the forearm plank. Build up with shorter full holds, "
        "or switch to a knee plank on purpose until the full plank feels steady.",
    ),
    "shallow_range": (
        "Move a little further",
        "Your back moved through a small range. Round up towards the ceiling, then let your "
        "tummy sink gently, as far as is comfortable, without forcing it.",
    ),
    "no_pause": (
        "Pause at each end",
        "You turned round at the ends without a pause. Rest for a breath when fully rounded "
        "and when fully arched.",
    ),
    "rushing": (
        "Slow down",
        "The rounds were quick. Take at least 4 seconds per round: breathe out as you round "
        "your back, breathe in as you arch.",
    ),
    "hips_off_knees": (
        "Hips over knees",
        "Your hips drifted forward or back. Keep your thighs upright, hips right above your "
        "knees, and move only your spine.",
    ),
    "shoulders_off_hands": (
        "Shoulders over hands",
        "Your shoulders drifted from above your hands. Keep your arms upright and let the "
        "movement come from your back.",
    ),
}


def advice_for(report: Mapping[str, Any]) -> list[Advice]:
    """Plain-language advice from a report's results, most frequent problem first.

    One tip per warning type found; a note on the top pause (bridge) and the hold target
    (plank); a positive note when there were no faults; a note when much was not measured.

    Example:
        >>> [a.key for a in advice_for({"sets": [{"exercise": "plank", "warnings": [
        ...     {"type": "hips_sagging"}], "summary": {"hold_s": 31, "target_hold_s": 30}}]})]
        ['hips_sagging', 'hold_target']
    """
    sets = report.get("sets", []) or []
    out: list[Advice] = []
    counts: dict[str, int] = {}
    for block in sets:
        for w in block.get("warnings") or []:
            counts[str(w.get("type"))] = counts.get(str(w.get("type")), 0) + 1
    for kind, _ in sorted(counts.items(), key=lambda kv: -kv[1]):
        title, text = ADVICE.get(kind, (WARNING_TITLES.get(kind, kind), ""))
        out.append(Advice(kind, title, text or "See the warnings above.", "tip"))
    if sets and not counts:
        out.append(
            Advice(
                "no_faults",
                "Good form throughout",
                "No form faults were found. Keep the same steady, controlled technique.",
                "praise",
            )
        )
    for block in sets:
        s = block.get("summary", {}) or {}
        if block.get("exercise") == "glute_bridge" and is_finite(s.get("mean_top_hold_s")):
            target = s.get("target_top_hold_s")
            if is_finite(target) and s["mean_top_hold_s"] < 0.8 * target:
                out.append(
                    Advice(
                        "top_pause",
                        "Pause a little longer at the top",
                        f"Your pause at the top averaged {fmt_duration(s['mean_top_hold_s'])}; "
                        f"aim for about {fmt_duration(target)}, squeezing your glutes.",
                    )
                )
        if block.get("exercise") == "plank" and is_finite(s.get("target_hold_s")):
            hold = s.get("hold_s") or 0.0
            target = s["target_hold_s"]
            if hold >= target:
                out.append(
                    Advice(
                        "hold_target",
                        "Hold target reached",
                        f"You held the plank for {fmt_duration(hold)}, meeting the "
                        f"{fmt_duration(target)} target.",
                        "praise",
                    )
                )
            elif hold > 0:
                out.append(
                    Advice(
                        "hold_target",
                        "Build up the hold",
                        f"You held the plank for {fmt_duration(hold)} of the "
                        f"{fmt_duration(target)} target. Add a few seconds at a time, keeping "
                        "good form rather than time.",
                    )
                )
    measured = (report.get("coverage") or {}).get("measured_fraction")
    if is_finite(measured) and measured < 0.9 and sets:
        out.append(
            Advice(
                "coverage",
                "Check the camera",
                f"Only {measured * 100:.0f}% of the recording could be measured. Place the "
                "camera side-on, level with the mat, with your whole body in view.",
                "note",
            )
        )
    if not sets:
        out.append(
            Advice(
                "nothing_found",
                "No exercise recognised",
                "No glute bridge, plank or cat-cow was recognised. Film side-on, with your "
                "whole body in view, from the start of the exercise.",
                "note",
            )
        )
    return out
