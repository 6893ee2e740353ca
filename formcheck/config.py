"""One typed configuration: every threshold (degrees) and timing (seconds) formcheck uses.

Precedence, resolved in one place (:func:`load_config`): defaults < TOML file < ``--set`` flags.
The TOML file mirrors the dataclasses: a table per section (``[quality]``, ``[bridge]``,
``[plank]``, ``[cat_cow]``, ``[auto]``, ``[feedback]``, ``[live]``, ``[routine]``,
``[progression]``), keys as below. ``formcheck config show``
prints the effective values with their units; ``formcheck config example`` writes a commented
file.

Example:
    >>> cfg = load_config(overrides=["plank.sag_deg=12"])
    >>> cfg.plank.sag_deg
    12.0
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from formcheck.errors import ConfigError


def _f(default: float, unit: str, doc: str) -> Any:
    return field(default=default, metadata={"unit": unit, "doc": doc})


@dataclass(frozen=True, kw_only=True)
class QualityConfig:
    """Which landmarks to trust, and how to bridge dropouts."""

    min_visibility: float = _f(0.5, "", "landmarks below this visibility count as missing")
    max_bridged_gap_s: float = _f(
        0.4, "s", "shorter dropouts are bridged (the last good value is held)"
    )
    min_reported_gap_s: float = _f(0.5, "s", "shorter unmeasured stretches are not listed as gaps")
    smoothing_cutoff_hz: float = _f(3.0, "Hz", "one-euro filter minimum cut-off (live smoothing)")
    smoothing_beta: float = _f(0.02, "", "one-euro filter speed coefficient (less lag when fast)")


@dataclass(frozen=True, kw_only=True)
class BridgeConfig:
    """Glute bridge: hip extension = shoulder-hip-knee angle, 180 deg = straight line."""

    rise_start_deg: float = _f(
        4.0, "deg", "hip angle this far above its resting level starts (and ends) a rep"
    )
    rise_top_deg: float = _f(8.0, "deg", "hip angle rise above rest a rep must reach to count")
    min_lift_deg: float = _f(
        4.0, "deg", "the trunk must also rise this far above its resting lift (hips off the floor)"
    )
    rest_follow_s: float = _f(
        1.0, "s", "time for the resting hip angle to follow a new, steady level (feet re-placed)"
    )
    min_rep_s: float = _f(0.8, "s", "shorter up-and-down movements are not reps")
    max_rep_s: float = _f(30.0, "s", "longer stretches are not one rep")
    partial_margin_deg: float = _f(15.0, "deg", "top more than this short of 180 deg = partial rep")
    over_arch_margin_deg: float = _f(15.0, "deg", "top more than this past 180 deg = over-arching")
    lowering_speed_deg_s: float = _f(
        10.0, "deg/s", "the top pause lies between the rise and the lowering, both faster than this"
    )
    hip_drop_deg: float = _f(
        10.0, "deg", "hip angle falling this far during the top hold = hips dropping"
    )
    knee_min_deg: float = _f(60.0, "deg", "knee angle below this at the top = feet too close")
    knee_max_deg: float = _f(130.0, "deg", "knee angle above this at the top = feet too far")
    target_top_hold_s: float = _f(2.0, "s", "pause at the top to aim for")
    world_hip_bias_deg: float = _f(
        3.0,
        "deg",
        "taken off the hip angle from MediaPipe's world landmarks, which read it this much high "
        "on average (rendered bridges of five bodies from 0.2-1.2 m up)",
    )
    max_camera_tilt_deg: float = _f(
        25.0,
        "deg",
        "a camera estimated to look down more steeply than this puts the hip angle outside its "
        "stated accuracy: the report's camera block says so, the live status asks to lower it",
    )


@dataclass(frozen=True, kw_only=True)
class PlankConfig:
    """Forearm plank: alignment = signed shoulder-hip-ankle angle (- sag, + pike)."""

    max_body_tilt_deg: float = _f(
        35.0, "deg", "shoulder-ankle line steeper than this is not a plank"
    )
    min_hold_s: float = _f(2.0, "s", "a plank position held at least this long is a hold")
    max_settled_speed_deg_s: float = _f(
        40.0, "deg/s", "legs or hips moving faster than this = getting into or out of position"
    )
    hold_grace_s: float = _f(1.0, "s", "breaks shorter than this do not end a hold")
    settle_band_deg: float = _f(
        5.0,
        "deg",
        "a finished hold is timed from when tilt, alignment and (forearm plank) knee angle came "
        "within this of the held pose to when they left it",
    )
    sag_deg: float = _f(10.0, "deg", "alignment below -this = hips sagging")
    pike_deg: float = _f(
        18.0,
        "deg",
        "alignment above +this = hips piked (real correct planks sit near +5..+15, briefly "
        "up to 18)",
    )
    head_drop_deg: float = _f(20.0, "deg", "head this far below the trunk line = head dropping")
    knee_plank_bend_deg: float = _f(
        35.0,
        "deg",
        "knees down counts as a knee plank only with shoulder-hip-knee within this of straight "
        "(half of it to start the hold)",
    )
    knee_down_deg: float = _f(
        150.0, "deg", "knee angle below this (or the knee on the floor line) in a plank: knees down"
    )
    image_angle_below_tilt_deg: float = _f(
        8.0,
        "deg",
        "body's left-right axis tilted less than this in the world landmarks (a low camera): "
        "knee angle (and, without the far side's landmarks, alignment) from the image",
    )
    world_angle_above_tilt_deg: float = _f(
        14.0,
        "deg",
        "tilted more than this (a camera looking down on the body): from the world landmarks; "
        "a blend between",
    )
    min_fault_s: float = _f(0.5, "s", "faults shorter than this are ignored")
    fault_grace_s: float = _f(0.5, "s", "a fault clears only after this long back in tolerance")
    target_hold_s: float = _f(
        30.0,
        "s",
        "hold target shown by analyze and live (the routine and progress use "
        "routine.plank_target_s and the progression rule)",
    )
    max_camera_tilt_deg: float = _f(
        30.0,
        "deg",
        "a camera estimated to look down more steeply than this puts the alignment outside its "
        "stated accuracy: the report's camera block says so, the live status asks to lower it",
    )


@dataclass(frozen=True, kw_only=True)
class CatCowConfig:
    """Cat-cow: spinal bend from the back's outline, + = rounded (cat), - = arched (cow)."""

    phase_deg: float = _f(
        6.0,
        "deg",
        "bend beyond neutral +/- this (less for shallow rounds: a quarter of the range, at least "
        "4) enters the cat or cow phase",
    )
    min_round_s: float = _f(1.5, "s", "shorter cat-cow cycles are not rounds")
    max_round_s: float = _f(40.0, "s", "longer cycles are not one round")
    end_band_deg: float = _f(
        6.0, "deg", "bend within this of a round's extreme counts as the pause there"
    )
    min_range_deg: float = _f(
        30.0,
        "deg",
        "a round's total range below this = shallow range (the measured range reads up to a "
        "quarter long on some bodies: 30 still finds rounds of 23 deg and under, half a full "
        "52 deg round less 3)",
    )
    pause_speed_deg_s: float = _f(
        6.0, "deg/s", "the spine moving slower than this near an end counts as a pause"
    )
    min_pause_s: float = _f(0.4, "s", "pause at each end shorter than this = no pause")
    min_move_s: float = _f(
        0.95,
        "s",
        "moving from one end of a round to the other faster than this = rushing (the move's time "
        "read from its middle 60%, so pauses and a slow start or finish do not change it)",
    )
    max_drift_deg: float = _f(
        20.0, "deg", "thigh or arm this far from vertical = hips/shoulders off the knees/hands"
    )
    max_camera_tilt_deg: float = _f(
        30.0,
        "deg",
        "a camera estimated to look down more steeply than this puts the spinal range outside its "
        "stated accuracy: the report's camera block says so, the live status asks to lower it",
    )


@dataclass(frozen=True, kw_only=True)
class AutoConfig:
    """Recognising the exercise and splitting a recording into sets."""

    window_s: float = _f(1.5, "s", "posture votes are pooled over this window")
    min_set_s: float = _f(3.0, "s", "shorter stretches of one posture are not a set")
    join_gap_s: float = _f(3.0, "s", "stretches of the same exercise closer than this are one set")


@dataclass(frozen=True, kw_only=True)
class FeedbackConfig:
    """Cues: one at a time, with priority and a cooldown."""

    cooldown_s: float = _f(4.0, "s", "the same cue is not repeated sooner than this")
    min_gap_s: float = _f(1.5, "s", "at least this long between any two cues")


@dataclass(frozen=True, kw_only=True)
class LiveConfig:
    """Live sessions (``formcheck live``): voice and display."""

    voice_cooldown_s: float = _f(3.0, "s", "the same words are not spoken again sooner than this")
    status_after_s: float = _f(
        1.0, "s", "a 'not measurable' status is shown once it has lasted this long"
    )
    fps_window_s: float = _f(1.0, "s", "the frames-per-second display averages over this long")


@dataclass(frozen=True, kw_only=True)
class RoutineConfig:
    """The guided routine (``formcheck routine``): bridges, plank, cat-cow."""

    countdown_s: float = _f(5.0, "s", "countdown before each exercise")
    rest_s: float = _f(30.0, "s", "rest between exercises")
    bridge_reps: float = _f(12.0, "reps", "glute bridges to do (12-15 is the usual advice)")
    plank_target_s: float = _f(
        20.0, "s", "first plank hold target when the history has none (20-30 s is the usual start)"
    )
    cat_cow_rounds: float = _f(8.0, "rounds", "cat-cow rounds to do (8-10 is the usual advice)")
    safety_note_s: float = _f(
        6.0, "s", "the safety note stays on screen this long before the start"
    )
    max_exercise_s: float = _f(
        300.0, "s", "an exercise whose target is not reached ends after this long"
    )


@dataclass(frozen=True, kw_only=True)
class ProgressionConfig:
    """How ``formcheck progress`` sets the next target from the history."""

    plank_step_s: float = _f(5.0, "s", "plank target rises by this much when earned")
    sessions_at_target: float = _f(
        2.0, "sessions", "sessions at or above target (in a row) that earn a step"
    )
    min_good_form_share: float = _f(
        0.8,
        "",
        "share in good form a session needs to count toward a step (plank: of its longest "
        "hold; bridge: of its reps)",
    )
    plank_max_target_s: float = _f(120.0, "s", "the plank target stops rising here")
    bridge_reps_step: float = _f(3.0, "reps", "bridge rep target rises by this much when earned")
    bridge_max_reps: float = _f(
        15.0, "reps", "the bridge rep target stops rising here (12-15 is the usual advice)"
    )
    bridge_pause_step_s: float = _f(
        1.0, "s", "bridge top-pause target rises by this much when earned"
    )
    bridge_max_pause_s: float = _f(5.0, "s", "the bridge top-pause target stops rising here")


@dataclass(frozen=True, kw_only=True)
class Config:
    """All of formcheck's settings."""

    quality: QualityConfig = field(default_factory=QualityConfig)
    bridge: BridgeConfig = field(default_factory=BridgeConfig)
    plank: PlankConfig = field(default_factory=PlankConfig)
    cat_cow: CatCowConfig = field(default_factory=CatCowConfig)
    auto: AutoConfig = field(default_factory=AutoConfig)
    feedback: FeedbackConfig = field(default_factory=FeedbackConfig)
    live: LiveConfig = field(default_factory=LiveConfig)
    routine: RoutineConfig = field(default_factory=RoutineConfig)
    progression: ProgressionConfig = field(default_factory=ProgressionConfig)


SECTIONS: tuple[str, ...] = tuple(f.name for f in fields(Config))


def _coerce(section: str, key: str, value: Any, kind: Any) -> Any:
    if kind in (float, "float") and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    raise ConfigError(f"{section}.{key}: expected a number, got {value!r}")


def _apply(cfg: Config, section: str, values: Mapping[str, Any], origin: str) -> Config:
    if section not in SECTIONS:
        raise ConfigError(f"{origin}: unknown section [{section}] (known: {', '.join(SECTIONS)})")
    current = getattr(cfg, section)
    known = {f.name: f for f in fields(current)}
    changes = {}
    for key, value in values.items():
        if key not in known:
            raise ConfigError(
                f"{origin}: unknown key {section}.{key} (known: {', '.join(sorted(known))})"
            )
        changes[key] = _coerce(section, key, value, known[key].type)
    return dataclasses.replace(cfg, **{section: dataclasses.replace(current, **changes)})


def parse_override(text: str) -> tuple[str, str, float]:
    """Parse ``section.key=value`` (value a number)."""
    name, sep, raw = text.partition("=")
    section, dot, key = name.strip().partition(".")
    if not sep or not dot or not key:
        raise ConfigError(f"--set {text!r}: expected SECTION.KEY=VALUE, e.g. plank.sag_deg=12")
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"--set {text!r}: {raw!r} is not a number") from None
    return section, key.strip(), value


def load_config(path: str | Path | None = None, overrides: Iterable[str] = ()) -> Config:
    """Defaults, then the TOML file (if given), then ``section.key=value`` overrides.

    Raises:
        ConfigError: Unreadable file, bad TOML, unknown section or key, or a non-numeric value.
    """
    cfg = Config()
    if path is not None:
        file = Path(path)
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"{file}: config file not found") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{file}: cannot read the config file ({exc})") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{file}: invalid TOML ({exc})") from None
        for section, values in data.items():
            if not isinstance(values, dict):
                raise ConfigError(f"{file}: {section} must be a table [{section}]")
            cfg = _apply(cfg, section, values, str(file))
    for text in overrides:
        section, key, value = parse_override(text)
        cfg = _apply(cfg, section, {key: value}, "--set")
    return cfg


def describe(cfg: Config) -> list[tuple[str, str, Any, str, str]]:
    """(section, key, value, unit, description) for every setting, in order."""
    rows = []
    for section in SECTIONS:
        part = getattr(cfg, section)
        for f in fields(part):
            rows.append(
                (
                    section,
                    f.name,
                    getattr(part, f.name),
                    f.metadata.get("unit", ""),
                    f.metadata.get("doc", ""),
                )
            )
    return rows


def example_toml(cfg: Config | None = None) -> str:
    """A fully commented TOML file with the values of ``cfg`` (defaults when None)."""
    cfg = cfg or Config()
    lines = [
        "# formcheck configuration. Every key is optional; omitted keys keep their defaults.",
        "# Angles are in degrees, times in seconds. Use it with: formcheck analyze --config FILE",
        "",
    ]
    for section in SECTIONS:
        part = getattr(cfg, section)
        doc = (type(part).__doc__ or "").strip().splitlines()[0]
        lines.append(f"[{section}]")
        lines.append(f"# {doc}")
        for f in fields(part):
            unit = f.metadata.get("unit", "")
            lines.append(f"# {f.metadata.get('doc', '')}" + (f" ({unit})" if unit else ""))
            lines.append(f"{f.name} = {getattr(part, f.name)!r}")
        lines.append("")
    return "\n".join(lines)
