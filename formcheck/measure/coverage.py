"""How much of a recording has a measurable person, and where the gaps are.

A gap is a stretch of at least ``min_gap_s`` seconds in which nothing could be measured; shorter
dropouts are bridged by the analyzers and not reported.

Example:
    >>> import numpy as np
    >>> seen = np.r_[np.ones(20), np.zeros(20), np.ones(10)] > 0
    >>> cov = coverage_of(np.arange(0, 5000, 100), seen)
    >>> cov.measured_fraction, cov.gaps
    (0.6, [(2.0, 4.0)])
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True)
class Coverage:
    """Measured share of the recording and its gaps.

    Attributes:
        measured_fraction: Share of frames in which the person was measurable (0..1).
        gaps: (start_s, end_s) of each unmeasured stretch at least ``min_gap_s`` long.
        frames: Number of frames considered.
    """

    measured_fraction: float
    gaps: list[tuple[float, float]] = field(default_factory=list)
    frames: int = 0

    def as_dict(self) -> dict[str, object]:
        return {
            "measured_fraction": round(self.measured_fraction, 4),
            "gaps": [[round(a, 3), round(b, 3)] for a, b in self.gaps],
        }


def runs(mask: npt.NDArray[np.bool_]) -> list[tuple[int, int]]:
    """(start, stop) index pairs of the runs of True in a 1-D boolean array (stop exclusive)."""
    padded = np.concatenate([[False], np.asarray(mask, bool), [False]])
    edges = np.flatnonzero(np.diff(padded.astype(np.int8)))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def coverage_of(
    timestamps_ms: npt.NDArray[np.integer],
    measured: npt.NDArray[np.bool_],
    *,
    min_gap_s: float = 0.5,
) -> Coverage:
    """Coverage of a recording given which frames were measured."""
    measured = np.asarray(measured, bool)
    n = int(measured.shape[0])
    if n == 0:
        return Coverage(0.0, [], 0)
    t = np.asarray(timestamps_ms, np.float64) / 1000.0
    step = float(np.median(np.diff(t))) if n > 1 else 0.0
    gaps = []
    for a, b in runs(~measured):
        start = t[a]
        end = t[b] if b < n else t[-1] + step
        if end - start >= min_gap_s:
            gaps.append((float(start), float(end)))
    return Coverage(float(measured.mean()), gaps, n)
