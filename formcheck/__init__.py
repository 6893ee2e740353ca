"""formcheck: a computer-vision form checker for back-care exercises.

The public API is flat: import what you need from ``formcheck``.

Example:
    >>> import formcheck
    >>> formcheck.Landmark.LEFT_HIP
    <Landmark.LEFT_HIP: 23>
"""

from formcheck._version import __version__
from formcheck.errors import (
    CameraError,
    ConfigError,
    FormcheckError,
    InputError,
    Interrupted,
    ModelError,
    OutputError,
)
from formcheck.measure.coverage import Coverage, coverage_of
from formcheck.media.sources import (
    CameraSource,
    Frame,
    FrameSource,
    ImageSource,
    SourceInfo,
    VideoFileSource,
    open_source,
)
from formcheck.pose.estimator import PoseEstimate, PoseEstimator, PoseOptions, TrackReplay
from formcheck.pose.landmarks import Landmark, PoseFrame, PoseSeries
from formcheck.pose.models import ModelInfo, resolve_model
from formcheck.pose.track import load_track, save_track
from formcheck.report.report import build_report
from formcheck.run.pipeline import track_file, track_frames
from formcheck.run.recording import RecordingOptions, RecordingResult, analyze_recording

__all__ = [
    "CameraError",
    "CameraSource",
    "ConfigError",
    "Coverage",
    "FormcheckError",
    "Frame",
    "FrameSource",
    "ImageSource",
    "InputError",
    "Interrupted",
    "Landmark",
    "ModelError",
    "ModelInfo",
    "OutputError",
    "PoseEstimate",
    "PoseEstimator",
    "PoseFrame",
    "PoseOptions",
    "PoseSeries",
    "RecordingOptions",
    "RecordingResult",
    "SourceInfo",
    "TrackReplay",
    "VideoFileSource",
    "__version__",
    "analyze_recording",
    "build_report",
    "coverage_of",
    "load_track",
    "open_source",
    "resolve_model",
    "save_track",
    "track_file",
    "track_frames",
]
