"""What analyzers emit: events, the fixed vocabulary of warnings, and exercise names.

Warning types (stable, documented in README.md):

==================  =============  =========================================================
type                exercise       meaning
==================  =============  =========================================================
``partial_rep``     glute_bridge   the top stopped short of a straight shoulder-hip-knee line
``over_arch``       glute_bridge   hips pushed past straight (lower back hyperextending)
``hips_dropping``   glute_bridge   hips sank during the pause at the top
``feet_too_close``  glute_bridge   knee angle too small at the top (feet near the buttocks)
``feet_too_far``    glute_bridge   knee angle too large at the top (feet far away)
``hips_sagging``    plank          hips below the shoulder-ankle line
``hips_piked``      plank          hips above the shoulder-ankle line
``head_dropping``   plank          head hanging below the line of the trunk
``knees_down``      plank          knees on the floor during a forearm plank
``shallow_range``   cat_cow        a round's spinal range below the configured minimum
``no_pause``        cat_cow        no pause at the rounded or arched end of a round
``rushing``         cat_cow        moving from one end of a round to the other too quickly
``hips_off_knees``  cat_cow        hips drifted forward or back from over the knees
``shoulders_off_hands`` cat_cow    shoulders drifted from over the hands
==================  =============  =========================================================
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Exercise(StrEnum):
    """The exercises formcheck knows; also the CLI's ``--exercise`` values."""

    AUTO = "auto"
    GLUTE_BRIDGE = "glute_bridge"
    PLANK = "plank"
    CAT_COW = "cat_cow"


WARNING_MESSAGES: dict[str, str] = {
    "partial_rep": "Lift your hips higher, to a straight line from shoulders to knees",
    "over_arch": "Don't over-arch: stop when shoulders, hips and knees are in line",
    "hips_dropping": "Keep your hips up during the pause",
    "feet_too_close": "Move your feet a little further from your hips",
    "feet_too_far": "Bring your feet a little closer to your hips",
    "hips_sagging": "Lift your hips: keep a straight line from head to heels",
    "hips_piked": "Lower your hips into a straight line",
    "head_dropping": "Keep your head in line with your back",
    "knees_down": "Lift your knees off the floor, or switch to a knee plank",
    "shallow_range": "Round and arch your back a little further",
    "no_pause": "Pause for a moment at each end",
    "rushing": "Slow down: move gently through each round",
    "hips_off_knees": "Keep your hips over your knees",
    "shoulders_off_hands": "Keep your shoulders over your hands",
}
WARNING_TYPES = frozenset(WARNING_MESSAGES)


@dataclass(frozen=True)
class Event:
    """Something that happened at ``t_s`` seconds.

    Attributes:
        t_s: When it happened (for a fault: when it was confirmed).
        kind: "rep", "round", "hold_started", "hold_ended", "fault_started", "fault_cleared",
            "measurable", "not_measurable", "hold_milestone".
        exercise: The exercise's name.
        data: Details (a rep's metrics, a fault's type, ...).
    """

    t_s: float
    kind: str
    exercise: str
    data: Mapping[str, Any] = field(default_factory=dict)

    @property
    def breaks_hold(self) -> bool:
        """A hold ended with no other going straight on from it (``data["next"]`` names the
        one that does: a knee plank up onto the toes, or a plank back down onto the knees).

        Example:
            >>> Event(9.0, "hold_ended", "plank").breaks_hold
            True
            >>> Event(9.0, "hold_ended", "plank", {"next": "plank"}).breaks_hold
            False
        """
        return self.kind == "hold_ended" and not self.data.get("next")
