"""The analysis report (schema ``formcheck.report/1``), as a plain dict ready for JSON.

Keys are documented in README.md ("The report") and kept stable.
"""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from formcheck._version import __version__
from formcheck.config import Config
from formcheck.measure.camera import summarise as summarise_camera
from formcheck.measure.coverage import coverage_of
from formcheck.pose.landmarks import Landmark, PoseSeries

REPORT_SCHEMA = "formcheck.report/1"


def source_info(series: PoseSeries) -> dict[str, Any]:
    """The ``source`` block of a report, from a series and its metadata."""
    meta = series.metadata
    info = {
        "path": str(meta.get("source", "")),
        "name": Path(str(meta.get("source", ""))).name,
        "kind": meta.get("kind", "video"),
        "fps": meta.get("fps"),
        "duration_s": round(series.duration_s, 3),
        "frames": len(series),
        "max_fps": meta.get("max_fps"),
        "width": series.image_size[0],
        "height": series.image_size[1],
        "interrupted": bool(meta.get("interrupted", False)),
        "truncated": bool(meta.get("truncated", False)),
        "people_max": meta.get("people_max"),
    }
    for key in ("several_people_s", "followed_person"):
        if key in meta:
            info[key] = meta[key]
    return info


MAIN_JOINTS = (
    (Landmark.LEFT_SHOULDER, Landmark.LEFT_HIP, Landmark.LEFT_KNEE, Landmark.LEFT_ANKLE),
    (Landmark.RIGHT_SHOULDER, Landmark.RIGHT_HIP, Landmark.RIGHT_KNEE, Landmark.RIGHT_ANKLE),
)


def measurable_mask(series: PoseSeries, min_visibility: float = 0.5) -> np.ndarray:
    """(T,) True where one body side's shoulder, hip, knee and ankle are all visible enough."""
    if len(series) == 0:
        return np.zeros(0, bool)
    vis = np.nan_to_num(series.landmarks[:, :, 3], nan=0.0)
    sides = [(vis[:, list(side)] >= min_visibility).all(axis=1) for side in MAIN_JOINTS]
    return np.logical_or(sides[0], sides[1])


def build_report(
    series: PoseSeries,
    sets: list[dict[str, Any]] | None = None,
    *,
    exercise: str = "auto",
    config: dict[str, Any] | None = None,
    min_visibility: float = 0.5,
    min_gap_s: float = 0.5,
    cues: list[Any] | None = None,
    traces: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Assemble the report for a series and the sets analysed in it.

    ``traces`` (one per set, from :func:`formcheck.report.traces.set_traces`) become each set's
    ``trace``: the key measure over time, for plots.
    """
    sets = sets or []
    if traces is not None:
        sets = [{**block, "trace": trace} for block, trace in zip(sets, traces, strict=True)]
    cov = coverage_of(
        series.timestamps_ms, measurable_mask(series, min_visibility), min_gap_s=min_gap_s
    )
    return {
        "schema": REPORT_SCHEMA,
        "formcheck_version": __version__,
        "created_at": series.metadata.get("created"),
        "source": source_info(series),
        "model": dict(series.metadata.get("model", {})),
        "exercise_requested": exercise,
        "sets": sets,
        "summary": {
            "exercises": sorted({s["exercise"] for s in sets}),
            "set_count": len(sets),
            "rep_count": sum(s["summary"].get("rep_count", 0) for s in sets),
            "hold_s": round(sum(s["summary"].get("hold_s", 0.0) for s in sets), 3),
            "good_form_s": round(sum(s["summary"].get("good_form_s", 0.0) for s in sets), 3),
            "warning_count": sum(len(s["warnings"]) for s in sets),
        },
        "coverage": cov.as_dict(),
        "camera": summarise_camera([s["camera"] for s in sets if s.get("camera")]),
        "cues": [{"t_s": round(c.t_s, 3), "text": c.text, "kind": c.kind} for c in cues or []],
        "config": config or {},
    }


def report_for(
    series: PoseSeries,
    sets: list[dict[str, Any]],
    config: Config,
    *,
    exercise: str,
    cues: list[Any] | None = None,
    traces: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """:func:`build_report` with the settings of ``config`` (what analyze and live write)."""
    return build_report(
        series,
        sets,
        exercise=exercise,
        config=dataclasses.asdict(config),
        min_visibility=config.quality.min_visibility,
        min_gap_s=config.quality.min_reported_gap_s,
        cues=cues,
        traces=traces,
    )


def _clean(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def report_json(report: dict[str, Any]) -> str:
    """The report as pretty JSON (NaN and infinities become null)."""
    return json.dumps(_clean(report), indent=2, allow_nan=False) + "\n"
