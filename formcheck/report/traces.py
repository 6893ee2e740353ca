"""Per-set traces of the key measure, compact enough to travel inside a report, and per-frame rows.

A report's numbers say *what* happened; a trace says *how*: the key measure of each set over
time, which the HTML report plots with the reps, holds and faults shaded. The trace is thinned
by time (at most ``max_hz`` samples per second, whatever the video's frame rate) and rounded
(0.01 s, 0.1 deg), so a 10-minute session adds tens of kilobytes to the JSON, not megabytes.
``None`` marks frames where nothing could be measured (the plot breaks its line there).

Key measures (all in degrees, on the body side facing the camera):

=============  =================  ============================================================
exercise       measure            meaning
=============  =================  ============================================================
glute_bridge   ``hip_angle_deg``  shoulder-hip-knee angle; 180 = a straight line
plank          ``alignment_deg``  signed shoulder-hip-ankle angle; 0 = straight, - sag, + pike
cat_cow        ``bend_deg``       spinal bend from the set's neutral level; + cat, - cow
=============  =================  ============================================================

:func:`frame_rows` gives every per-frame metric of every set, unthinned, for the per-frame CSV.

Example:
    >>> _, analysis = analyze_file("samples/bridge_5reps_left.mp4", max_fps=10)  # doctest: +SKIP
    >>> traces = set_traces(analysis)  # doctest: +SKIP
    >>> traces[0]["measure"], traces[0]["unit"], len(traces[0]["t_s"])  # doctest: +SKIP
    ('hip_angle_deg', 'deg', 201)
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from formcheck.analysis import Analysis
    from formcheck.analysis.base import Analyzer

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MeasureInfo:
    """How an exercise's key measure is named, labelled and read."""

    name: str
    label: str
    unit: str
    meaning: str


MEASURES: dict[str, MeasureInfo] = {
    "glute_bridge": MeasureInfo(
        "hip_angle_deg", "Hip angle", "deg", "180° = shoulders, hips and knees in a straight line"
    ),
    "plank": MeasureInfo(
        "alignment_deg", "Body alignment", "deg", "0° = straight; below 0 sagging, above 0 piked"
    ),
    "cat_cow": MeasureInfo(
        "bend_deg", "Spinal bend", "deg", "from neutral: + rounded (cat), - arched (cow)"
    ),
}

#: Per-frame CSV columns that come before the metrics.
FRAME_COLUMNS = ("t_s", "set", "exercise", "measured")


def decimate_times(t_s: npt.ArrayLike, max_hz: float) -> npt.NDArray[np.intp]:
    """Indices of the samples to keep so that no two are closer than ``1 / max_hz`` seconds.

    Thinning goes by the timestamps, not by counting frames, so a 60 fps and a variable-rate
    phone video give traces of the same density.

    Example:
        >>> decimate_times([0.0, 0.033, 0.067, 0.1, 0.133, 0.167, 0.2], 10.0).tolist()
        [0, 3, 6]
    """
    times = np.asarray(t_s, dtype=np.float64)
    if max_hz <= 0 or not math.isfinite(max_hz):
        raise ValueError(f"max_hz must be a positive number, got {max_hz}")
    step = 1.0 / max_hz - 1e-3  # a millisecond of slack for frame-timestamp rounding
    keep: list[int] = []
    last = -math.inf
    for i, t in enumerate(times):
        if t - last >= step:
            keep.append(i)
            last = float(t)
    return np.asarray(keep, dtype=np.intp)


def _rounded(values: npt.NDArray[np.float64], digits: int) -> list[float | None]:
    return [round(float(v), digits) if math.isfinite(v) else None for v in values]


def key_measure(analyzer: Analyzer) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """(times_s, values) of an analyzer's key measure, as plotted.

    For cat-cow this is the bend relative to the running neutral level (what the rounds' flexion
    and extension are measured from), not the raw outline angle.
    """
    t, values = analyzer.trace()
    if analyzer.exercise.value == "cat_cow":
        _, neutral = analyzer.trace("neutral_deg")
        values = values - neutral
    return t, values


def set_trace(analyzer: Analyzer, *, max_hz: float = 10.0) -> dict[str, Any]:
    """The compact trace of one analyzer's key measure (see :func:`set_traces`)."""
    exercise = analyzer.exercise.value
    info = MEASURES.get(exercise)
    t, values = key_measure(analyzer)
    keep = decimate_times(t, max_hz)
    return {
        "measure": info.name if info else analyzer.measure_name,
        "label": info.label if info else analyzer.measure_name,
        "unit": info.unit if info else "",
        "max_hz": max_hz,
        "t_s": _rounded(t[keep], 2),
        "values": _rounded(values[keep], 1),
    }


def _check_pairs(analysis: Analysis) -> list[tuple[dict[str, Any], Analyzer]]:
    if len(analysis.sets) != len(analysis.analyzers):
        raise ValueError(
            f"{len(analysis.sets)} sets but {len(analysis.analyzers)} analyzers: "
            "traces need the finished analysis (Fold.finish())"
        )
    pairs = list(zip(analysis.sets, analysis.analyzers, strict=True))
    for i, (block, analyzer) in enumerate(pairs):
        if block["exercise"] != analyzer.exercise.value:
            raise ValueError(
                f"set {i + 1} is {block['exercise']} but its analyzer is {analyzer.exercise.value}"
            )
    return pairs


def set_traces(analysis: Analysis, *, max_hz: float = 10.0) -> list[dict[str, Any]]:
    """One compact trace per set of ``analysis``, in the order of ``analysis.sets``.

    Each trace is ``{"measure", "label", "unit", "max_hz", "t_s": [...], "values": [...]}``:
    times rounded to 0.01 s, values to 0.1 (``None`` where nothing was measured), at most
    ``max_hz`` samples per second. Store it as ``report["sets"][i]["trace"]`` so the HTML
    report can be drawn from the JSON report alone.

    Args:
        analysis: A finished analysis (``analysis.analyzers[i]`` produced ``analysis.sets[i]``).
        max_hz: Most samples per second to keep.

    Raises:
        ValueError: The analysis' sets and analyzers do not pair up, or ``max_hz`` is not > 0.

    Example:
        >>> for block, trace in zip(report["sets"], set_traces(analysis)):  # doctest: +SKIP
        ...     block["trace"] = trace
    """
    return [set_trace(analyzer, max_hz=max_hz) for _, analyzer in _check_pairs(analysis)]


def frame_columns(analysis: Analysis) -> list[str]:
    """The per-frame CSV's columns: :data:`FRAME_COLUMNS`, then every metric name, sorted."""
    names: set[str] = set()
    for _, analyzer in _check_pairs(analysis):
        names.update(analyzer.metrics)
    return [*FRAME_COLUMNS, *sorted(names)]


def frame_rows(analysis: Analysis) -> Iterator[dict[str, Any]]:
    """One dict per analysed frame of every set, in set order then time order.

    Keys: ``t_s`` (rounded to 1 ms), ``set`` (1-based), ``exercise``, ``measured`` (the key
    measure was measurable: True/False), and every per-frame metric of that set's analyzer
    (``float``, NaN where not measured). For cat-cow, ``bend_deg`` is the smoothed outline
    angle and ``neutral_deg`` the neutral level the plot subtracts.

    Example:
        >>> next(frame_rows(analysis))["hip_angle_deg"]  # doctest: +SKIP
        121.4
    """
    for number, (block, analyzer) in enumerate(_check_pairs(analysis), start=1):
        names = sorted(analyzer.metrics)
        columns = [analyzer.metrics[n] for n in names]
        for i, t in enumerate(analyzer.times):
            row: dict[str, Any] = {
                "t_s": round(float(t), 3),
                "set": number,
                "exercise": block["exercise"],
                "measured": bool(analyzer.measured[i]),
            }
            for name, values in zip(names, columns, strict=True):
                row[name] = float(values[i]) if i < len(values) else math.nan
            yield row


__all__ = [
    "FRAME_COLUMNS",
    "MEASURES",
    "MeasureInfo",
    "decimate_times",
    "frame_columns",
    "frame_rows",
    "key_measure",
    "set_trace",
    "set_traces",
]
