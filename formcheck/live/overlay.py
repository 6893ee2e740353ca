"""Drawing the live feedback over a frame: skeleton, counter or hold timer, gauge, cue, status.

:func:`draw_overlay` is a pure drawing function (OpenCV only): it draws in place on a BGR uint8
image and returns it. The same function serves the live window and the annotated video, so what
a person sees live is what the saved video shows.

Layout (see :func:`overlay_layout`; every size scales with the image, so it reads the same from
480p to 1080p, landscape or portrait):

* ``counter`` (top left): reps or rounds so far ("3" / "of 12") for the bridge and cat-cow, the
  current hold time against its target with a progress bar for the plank;
* ``stats`` (top centre): frames per second and, when known, the latency;
* ``gauge`` (top right): the key measure on a scale with its target zone (bridge hip angle
  ``180 - partial_margin .. 180 + over_arch_margin``; plank alignment ``-sag .. +pike``; cat-cow
  spinal bend on a symmetric scale with the cow and cat ends marked);
* ``status`` (above the cue): why nothing is measured ("Move back so your whole body is in
  view");
* ``cue`` (bottom): the current cue in plain words;
* ``paused`` (centre): "PAUSED" when the session is paused.

The skeleton is green when the form is good, amber when a fault is pending (the key measure is
outside its zone but no fault is confirmed yet) or nothing can be measured, red while a fault is
active. Panels are semi-transparent. cv2.putText draws ASCII only, so text is transliterated.

Example:
    >>> import numpy as np
    >>> from formcheck.analysis import LiveState
    >>> image = np.zeros((480, 640, 3), np.uint8)
    >>> state = LiveState(exercise="glute_bridge", count=3, measure=172.0,
    ...                   measure_name="hip angle")
    >>> _ = draw_overlay(image, None, state, cue="3. Good rep", target=12)
    >>> x, y, w, h = overlay_layout(640, 480)["counter"]
    >>> bool(image[y:y + h, x:x + w].any())
    True
"""

from __future__ import annotations

import functools
import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace

import cv2
import numpy as np
import numpy.typing as npt

from formcheck.analysis.base import LiveState
from formcheck.analysis.feedback import Cue
from formcheck.config import Config
from formcheck.measure.signals import SIDE_POINTS
from formcheck.pose.landmarks import Landmark, PoseFrame

Image = npt.NDArray[np.uint8]
Rect = tuple[int, int, int, int]
Colour = tuple[int, int, int]

#: How long a cue stays on screen after it was given (seconds).
CUE_SHOW_S = 2.5

#: Skeleton colours (BGR) by form.
GOOD: Colour = (60, 200, 40)
WARN: Colour = (0, 175, 255)
BAD: Colour = (40, 40, 230)
FORM_COLOURS: dict[str, Colour] = {"good": GOOD, "warn": WARN, "bad": BAD}

TEXT: Colour = (255, 255, 255)
DIM: Colour = (190, 190, 190)
PANEL_GREY = 30
ZONE: Colour = (60, 150, 40)
PANEL_ALPHA = 0.6
FONT = cv2.FONT_HERSHEY_SIMPLEX
FONT_BOLD = cv2.FONT_HERSHEY_DUPLEX

#: Body segments drawn for each side, by the analyzers' point names (face landmarks are left
#: out: they add clutter).
_SEGMENT_NAMES = (
    ("ear", "shoulder"),
    ("shoulder", "elbow"),
    ("elbow", "wrist"),
    ("shoulder", "hip"),
    ("hip", "knee"),
    ("knee", "ankle"),
    ("ankle", "heel"),
    ("heel", "foot"),
    ("ankle", "foot"),
)
_SIDE_SEGMENTS: dict[str, tuple[tuple[Landmark, Landmark], ...]] = {
    side: tuple((points[a], points[b]) for a, b in _SEGMENT_NAMES)
    for side, points in SIDE_POINTS.items()
}
_ACROSS = (
    (Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER),
    (Landmark.LEFT_HIP, Landmark.RIGHT_HIP),
)
_JOINTS: dict[str, tuple[Landmark, ...]] = {
    side: tuple(points[n] for n in ("shoulder", "elbow", "wrist", "hip", "knee", "ankle"))
    for side, points in SIDE_POINTS.items()
}

_ASCII = str.maketrans(
    {
        "\u00b0": " deg",
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2026": "...",
        "\u00b1": "+/-",
        "\u00d7": "x",
    }
)


def ascii_text(text: str) -> str:
    """``text`` as plain ASCII (cv2.putText draws nothing else).

    Example:
        >>> ascii_text("180\u00b0 \u2013 r\u00e9sum\u00e9")
        '180 deg - resume'
    """
    text = text.translate(_ASCII)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return " ".join(text.split())


# -- layout --------------------------------------------------------------------------------------


def overlay_scale(width: int, height: int) -> float:
    """The size factor of everything drawn: 1.0 on 640x480, 2.25 on 1920x1080."""
    return max(0.25, min(height / 480.0, width / 640.0))


@functools.lru_cache(maxsize=16)
def overlay_layout(width: int, height: int) -> dict[str, Rect]:
    """Where each panel goes on a ``width`` x ``height`` image: name -> (x, y, w, h) in pixels.

    Keys: ``counter``, ``stats``, ``gauge``, ``status``, ``cue``, ``paused``. Rectangles may
    reach past the edges of very small images (drawing is clipped).

    Example:
        >>> overlay_layout(640, 480)["counter"]
        (10, 10, 170, 110)
    """
    s = overlay_scale(width, height)
    m = round(10 * s)
    cw, ch = round(170 * s), round(110 * s)
    gw, gh = round(230 * s), round(80 * s)
    counter = (m, m, cw, ch)
    gauge = (width - m - gw, m, gw, gh)
    stats_x = m + cw + m
    stats = (stats_x, m, max(0, gauge[0] - m - stats_x), round(26 * s))
    cue_h = round(48 * s)
    cue = (m, height - m - cue_h, max(0, width - 2 * m), cue_h)
    status_h = round(34 * s)
    status = (m, cue[1] - round(6 * s) - status_h, max(0, width - 2 * m), status_h)
    pw, ph = round(220 * s), round(60 * s)
    paused = ((width - pw) // 2, (height - ph) // 2, pw, ph)
    return {
        "counter": counter,
        "stats": stats,
        "gauge": gauge,
        "status": status,
        "cue": cue,
        "paused": paused,
    }


# -- form colour -----------------------------------------------------------------------------


@dataclass(frozen=True)
class GaugeScale:
    """The scale of the key measure: its ends, the target zone and the end labels."""

    low: float
    high: float
    zone: tuple[float, float]
    low_label: str = ""
    high_label: str = ""
    unit: str = "deg"


def gauge_scale(exercise: str, config: Config | None = None) -> GaugeScale | None:
    """The gauge of an exercise's key measure, with its target zone from ``config``.

    Example:
        >>> gauge_scale("plank").zone
        (-10.0, 18.0)
    """
    cfg = config or Config()
    if exercise == "glute_bridge":
        b = cfg.bridge
        return GaugeScale(
            100.0, 220.0, (180.0 - b.partial_margin_deg, 180.0 + b.over_arch_margin_deg)
        )
    if exercise == "plank":
        p = cfg.plank
        return GaugeScale(-40.0, 40.0, (-p.sag_deg, p.pike_deg), "sag", "pike")
    if exercise == "cat_cow":
        c = cfg.cat_cow
        # each end should reach about half the minimum range from neutral
        half = c.min_range_deg / 2.0
        end = max(30.0, 2.0 * half)
        return GaugeScale(-end, end, (-half, half), "cow", "cat")
    return None


def form_level(state: LiveState, config: Config | None = None) -> str:
    """How the form looks now: "bad" (a fault is active), "warn" (a fault is pending, or
    nothing is measurable) or "good".

    A fault is pending when the key measure is outside the range that raises a warning
    (plank alignment beyond the sag or pike limit, bridge hips past the over-arch limit) but
    the analyzer has not confirmed a fault yet.

    Example:
        >>> form_level(LiveState(exercise="plank", measure=-14.0))
        'warn'
    """
    if state.faults:
        return "bad"
    if state.status or not math.isfinite(state.measure):
        return "warn"
    cfg = config or Config()
    if state.exercise == "plank":
        if state.measure < -cfg.plank.sag_deg or state.measure > cfg.plank.pike_deg:
            return "warn"
    elif (
        state.exercise == "glute_bridge" and state.measure > 180.0 + cfg.bridge.over_arch_margin_deg
    ):
        return "warn"
    return "good"


# -- drawing helpers -------------------------------------------------------------------------


def _clip(image: Image, rect: Rect) -> tuple[int, int, int, int] | None:
    x, y, w, h = rect
    height, width = image.shape[:2]
    x0, y0 = max(0, x), max(0, y)
    x1, y1 = min(width, x + w), min(height, y + h)
    if x1 <= x0 or y1 <= y0:
        return None
    return x0, y0, x1, y1


def _panel(image: Image, rect: Rect, grey: int = PANEL_GREY, alpha: float = PANEL_ALPHA) -> None:
    """Darken ``rect`` towards the grey level ``grey`` (semi-transparent)."""
    box = _clip(image, rect)
    if box is None:
        return
    x0, y0, x1, y1 = box
    roi = image[y0:y1, x0:x1]
    # a grey target needs no fill image: out = roi * (1 - alpha) + grey * alpha
    cv2.addWeighted(roi, 1.0 - alpha, roi, 0.0, grey * alpha, dst=roi)


def _thick(s: float, base: float = 2.0) -> int:
    return max(1, round(base * s))


def _fit_text(text: str, max_w: int, scale: float, thickness: int, font: int = FONT) -> float:
    """The largest font scale up to ``scale`` at which ``text`` fits in ``max_w`` pixels."""
    (tw, _), _ = cv2.getTextSize(text, font, scale, thickness)
    if tw <= max_w or tw == 0:
        return scale
    return max(0.1, scale * max_w / tw)


def _put(
    image: Image,
    text: str,
    org: tuple[int, int],
    scale: float,
    colour: Colour,
    thickness: int,
    font: int = FONT,
) -> None:
    cv2.putText(image, text, org, font, scale, colour, thickness, cv2.LINE_AA)


def _put_centred(
    image: Image,
    text: str,
    rect: Rect,
    scale: float,
    colour: Colour,
    thickness: int,
    font: int = FONT,
) -> None:
    x, y, w, h = rect
    pad = max(2, w // 40)
    scale = _fit_text(text, w - 2 * pad, scale, thickness, font)
    (tw, th), _ = cv2.getTextSize(text, font, scale, thickness)
    _put(image, text, (x + (w - tw) // 2, y + (h + th) // 2), scale, colour, thickness, font)


# -- the parts -------------------------------------------------------------------------------


def _points(pose: PoseFrame, image: Image, min_visibility: float) -> npt.NDArray[np.float64]:
    """(33, 2) pixel positions in ``image`` (NaN where missing or hardly visible)."""
    lm = pose.landmarks.astype(np.float64)
    xy = lm[:, :2].copy()
    vis = lm[:, 3]
    xy[~(np.isfinite(vis) & (vis >= min_visibility))] = np.nan
    height, width = image.shape[:2]
    pw, ph = pose.image_size
    if (pw, ph) != (width, height):
        xy *= np.array([width / pw, height / ph])
    limit = 4.0 * max(width, height)
    xy[~(np.abs(xy) <= limit).all(axis=1)] = np.nan  # inf or absurd values
    return xy


def _draw_skeleton(
    image: Image, pose: PoseFrame, colour: Colour, s: float, min_visibility: float
) -> None:
    xy = _points(pose, image, min_visibility)
    vis = np.nan_to_num(pose.landmarks[:, 3].astype(np.float64), nan=0.0)
    left = float(vis[[j.value for j in _JOINTS["left"]]].mean())
    right = float(vis[[j.value for j in _JOINTS["right"]]].mean())
    near = "left" if left >= right else "right"
    far = "right" if near == "left" else "left"
    ok = np.asarray(np.isfinite(xy).all(axis=1), dtype=bool)
    ipts = np.zeros((xy.shape[0], 2), np.int32)
    ipts[ok] = np.round(xy[ok]).astype(np.int32)
    far_colour = tuple(int(0.55 * c) for c in colour)
    for side, col, width in ((far, far_colour, _thick(s, 2)), (near, colour, _thick(s, 4))):
        for a, b in (*_SIDE_SEGMENTS[side], *(_ACROSS if side == near else ())):
            if ok[a] and ok[b]:
                cv2.line(image, tuple(ipts[a]), tuple(ipts[b]), col, width, cv2.LINE_AA)
    radius = _thick(s, 5)
    for j in _JOINTS[near]:
        if ok[j]:
            cv2.circle(image, tuple(ipts[j]), radius, colour, -1, cv2.LINE_AA)
            cv2.circle(image, tuple(ipts[j]), radius, TEXT, _thick(s, 1), cv2.LINE_AA)
    if pose.back is not None:
        back = pose.back.astype(np.float64)
        pw, ph = pose.image_size
        height, width = image.shape[:2]
        back = back * np.array([width / pw, height / ph])
        good = np.isfinite(back).all(axis=1) & (np.abs(back) <= 4 * max(width, height)).all(axis=1)
        if good.sum() >= 2:
            pts = np.round(back[good]).astype(np.int32).reshape(-1, 1, 2)
            cv2.polylines(image, [pts], False, TEXT, _thick(s, 2), cv2.LINE_AA)


_COUNT_LABELS = {"glute_bridge": "BRIDGE REPS", "cat_cow": "CAT-COW ROUNDS", "plank": "PLANK HOLD"}


def _fmt_seconds(seconds: float) -> str:
    seconds = max(0.0, seconds)
    if seconds < 60:
        return f"{seconds:.0f}s"
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes}:{rest:02d}"


def _draw_counter(
    image: Image,
    rect: Rect,
    state: LiveState,
    s: float,
    hold_target_s: float | None,
    target: int | None,
) -> None:
    _panel(image, rect)
    x, y, w, h = rect
    pad = round(8 * s)
    label = _COUNT_LABELS.get(state.exercise, "GET INTO POSITION")
    label_scale = _fit_text(label, w - 2 * pad, 0.5 * s, _thick(s, 1))
    _put(image, label, (x + pad, y + pad + round(12 * s)), label_scale, DIM, _thick(s, 1))
    big_scale, big_th = 1.9 * s, _thick(s, 3)
    base_y = y + round(72 * s)
    if state.exercise == "plank":
        big = _fmt_seconds(state.hold_s)
        suffix = f"of {_fmt_seconds(hold_target_s)}" if hold_target_s else ""
    elif state.exercise in ("glute_bridge", "cat_cow"):
        big = str(state.count)
        suffix = f"of {target}" if target else ""
    else:
        big, suffix = "-", ""
    (bw, _), _ = cv2.getTextSize(big, FONT_BOLD, big_scale, big_th)
    room = w - 2 * pad - (round(60 * s) if suffix else 0)
    if bw > room:
        big_scale *= room / bw
        (bw, _), _ = cv2.getTextSize(big, FONT_BOLD, big_scale, big_th)
    _put(image, big, (x + pad, base_y), big_scale, TEXT, big_th, FONT_BOLD)
    if suffix:
        small = _fit_text(suffix, x + w - pad - (x + pad + bw + pad), 0.6 * s, _thick(s, 1))
        _put(image, suffix, (x + pad + bw + pad, base_y), small, DIM, _thick(s, 1))
    if state.exercise == "plank":
        bar_y, bar_h = y + h - pad - round(12 * s), round(12 * s)
        x0, x1 = x + pad, x + w - pad
        cv2.rectangle(image, (x0, bar_y), (x1, bar_y + bar_h), DIM, _thick(s, 1))
        share = min(1.0, state.hold_s / hold_target_s) if hold_target_s else 0.0
        if share > 0:
            fill = GOOD if share >= 1.0 else WARN if state.faults else (200, 200, 200)
            xe = x0 + round((x1 - x0) * share)
            cv2.rectangle(image, (x0, bar_y), (xe, bar_y + bar_h), fill, -1)
    elif state.phase:
        _put(
            image,
            ascii_text(state.phase).upper(),
            (x + pad, y + h - pad),
            0.5 * s,
            DIM,
            _thick(s, 1),
        )


def gauge_x(value: float, scale: GaugeScale, rect: Rect, s: float) -> int:
    """The x pixel of ``value`` on the gauge drawn in ``rect`` (clamped to the scale)."""
    x, _, w, _ = rect
    pad = round(12 * s)
    x0, x1 = x + pad, x + w - pad
    u = (min(max(value, scale.low), scale.high) - scale.low) / (scale.high - scale.low)
    return round(x0 + u * (x1 - x0))


def _draw_gauge(
    image: Image, rect: Rect, state: LiveState, s: float, scale: GaugeScale, colour: Colour
) -> None:
    _panel(image, rect)
    x, y, w, h = rect
    pad = round(12 * s)
    th1 = _thick(s, 1)
    value = state.measure
    known = math.isfinite(value)
    name = ascii_text(state.measure_name or "measure")
    title = f"{name}: {value:+.0f} deg" if scale.low < 0 and known else f"{name}: {value:.0f} deg"
    if not known:
        title = f"{name}: --"
    _put(
        image,
        title,
        (x + pad, y + round(22 * s)),
        _fit_text(title, w - 2 * pad, 0.55 * s, th1),
        TEXT,
        th1,
    )
    bar_y, bar_h = y + round(38 * s), round(14 * s)
    x0, x1 = x + pad, x + w - pad
    cv2.rectangle(image, (x0, bar_y), (x1, bar_y + bar_h), (90, 90, 90), -1)
    z0, z1 = (gauge_x(v, scale, rect, s) for v in scale.zone)
    cv2.rectangle(image, (z0, bar_y), (z1, bar_y + bar_h), ZONE, -1)
    small = 0.42 * s
    if scale.low_label:
        _put(image, scale.low_label, (x0, y + h - round(6 * s)), small, DIM, th1)
    if scale.high_label:
        (tw, _), _ = cv2.getTextSize(scale.high_label, FONT, small, th1)
        _put(image, scale.high_label, (x1 - tw, y + h - round(6 * s)), small, DIM, th1)
    if scale.low_label or scale.high_label:  # mark the ends of a symmetric scale
        for xe in (x0, x1):
            cv2.line(image, (xe, bar_y - round(4 * s)), (xe, bar_y + bar_h), TEXT, th1)
    else:
        for v in (scale.low, scale.high):
            label = f"{v:.0f}"
            (tw, _), _ = cv2.getTextSize(label, FONT, small, th1)
            xv = gauge_x(v, scale, rect, s)
            xt = min(max(x0, xv - tw // 2), x1 - tw)
            _put(image, label, (xt, y + h - round(6 * s)), small, DIM, th1)
    if known:
        xm = gauge_x(value, scale, rect, s)
        half = round(6 * s)
        tri = np.array(
            [[xm - half, bar_y - half - 2], [xm + half, bar_y - half - 2], [xm, bar_y]], np.int32
        )
        cv2.fillPoly(image, [tri], colour, cv2.LINE_AA)
        cv2.line(image, (xm, bar_y), (xm, bar_y + bar_h), colour, _thick(s, 3))


def _draw_banner(
    image: Image, rect: Rect, text: str, s: float, colour: Colour, size: float
) -> None:
    _panel(image, rect, alpha=0.7)
    _put_centred(image, text, rect, size * s, colour, _thick(s, 2))


def _draw_stats(
    image: Image, rect: Rect, s: float, fps: float | None, latency_ms: float | None
) -> None:
    parts = []
    if fps is not None and math.isfinite(fps):
        parts.append(f"{fps:.0f} fps")
    if latency_ms is not None and math.isfinite(latency_ms):
        parts.append(f"{latency_ms:.0f} ms")
    if not parts or rect[2] <= 0:
        return
    text = "  ".join(parts)
    x, y, w, h = rect
    scale = _fit_text(text, w, 0.5 * s, _thick(s, 1))
    (tw, th), _ = cv2.getTextSize(text, FONT, scale, _thick(s, 1))
    box = (x + (w - tw) // 2 - round(6 * s), y, tw + round(12 * s), h)
    _panel(image, box)
    _put(image, text, (box[0] + round(6 * s), y + (h + th) // 2), scale, TEXT, _thick(s, 1))


@dataclass
class Presenter:
    """What the overlay shows as time passes: the latest cue for ``cue_show_s`` after it was
    given, and a "not measurable" status only once it has lasted ``status_after_s`` (so a
    dropout of a few frames does not flash a message).

    Example:
        >>> p = Presenter(status_after_s=1.0)
        >>> state = LiveState(exercise="plank", status="Step into view: no person found")
        >>> p.update(0.0, state, [])[0].status
        ''
        >>> shown, cue = p.update(1.2, state, [Cue(1.0, "Hold it there", 1, "hold")])
        >>> shown.status, cue
        ('Step into view: no person found', 'Hold it there')
    """

    cue_show_s: float = CUE_SHOW_S
    status_after_s: float = 1.0
    _status: str = ""
    _status_since: float = 0.0

    @classmethod
    def from_config(cls, config: Config | None = None) -> Presenter:
        """A presenter with the ``live`` timings of ``config``."""
        cfg = config or Config()
        return cls(status_after_s=cfg.live.status_after_s)

    def update(self, t_s: float, state: LiveState, cues: Sequence[Cue]) -> tuple[LiveState, str]:
        """The state to draw (status held back while it is young) and the cue to show ("")."""
        if state.status != self._status:
            self._status, self._status_since = state.status, t_s
        if state.status and t_s - self._status_since < self.status_after_s:
            state = replace(state, status="")
        cue = ""
        if cues and 0.0 <= t_s - cues[-1].t_s <= self.cue_show_s:
            cue = cues[-1].text
        return state, cue


def draw_overlay(
    image: Image,
    pose: PoseFrame | None,
    state: LiveState,
    *,
    cue: str = "",
    fps: float | None = None,
    latency_ms: float | None = None,
    hold_target_s: float | None = None,
    target: int | None = None,
    config: Config | None = None,
    paused: bool = False,
) -> Image:
    """Draw the live feedback on ``image`` (BGR uint8, in place) and return it.

    Args:
        image: The frame to draw on (HxWx3 uint8, BGR).
        pose: The pose found in the frame (pixels of an image of ``pose.image_size``; scaled to
            ``image`` when the sizes differ), or None.
        state: The analyzer's live state after this frame.
        cue: The cue to show now ("" for none).
        fps: Frames per second to show, if any.
        latency_ms: Camera-to-screen latency to show, if any.
        hold_target_s: The plank hold target (progress bar), if any.
        target: The rep or round target ("3 of 12"), if any.
        config: The settings in effect (target zones of the gauge, visibility threshold).
        paused: Show "PAUSED".

    Returns:
        ``image``, drawn on.

    Example:
        >>> import numpy as np
        >>> from formcheck.analysis import LiveState
        >>> frame = np.zeros((480, 640, 3), np.uint8)
        >>> out = draw_overlay(frame, None, LiveState(exercise="plank", hold_s=12.0),
        ...                    hold_target_s=30.0, cue="Hold it there")
        >>> out is frame
        True
    """
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise ValueError(f"expected an HxWx3 uint8 BGR image, got {image.shape} {image.dtype}")
    cfg = config or Config()
    height, width = image.shape[:2]
    s = overlay_scale(width, height)
    layout = overlay_layout(width, height)
    level = form_level(state, cfg)
    colour = FORM_COLOURS[level]
    if pose is not None and pose.has_person:
        _draw_skeleton(image, pose, colour, s, cfg.quality.min_visibility)
    _draw_counter(image, layout["counter"], state, s, hold_target_s, target)
    _draw_stats(image, layout["stats"], s, fps, latency_ms)
    scale = gauge_scale(state.exercise, cfg)
    if scale is not None:
        _draw_gauge(image, layout["gauge"], state, s, scale, colour)
    if state.status:
        _draw_banner(image, layout["status"], ascii_text(state.status), s, WARN, 0.7)
    if cue:
        _draw_banner(image, layout["cue"], ascii_text(cue), s, TEXT, 0.85)
    if paused:
        _draw_banner(image, layout["paused"], "PAUSED", s, TEXT, 1.2)
    return image


__all__ = [
    "BAD",
    "CUE_SHOW_S",
    "FORM_COLOURS",
    "GOOD",
    "WARN",
    "GaugeScale",
    "Presenter",
    "ascii_text",
    "draw_overlay",
    "form_level",
    "gauge_scale",
    "gauge_x",
    "overlay_layout",
    "overlay_scale",
]
