"""formcheck: a computer-vision form checker for back-care exercises.

The public API is flat: import what you need from ``formcheck``.

Example:
    >>> import formcheck
    >>> formcheck.Landmark.LEFT_HIP
    <Landmark.LEFT_HIP: 23>
"""

from formcheck._version import __version__
from formcheck.coverage import Coverage, coverage_of
from formcheck.errors import (
    CameraError,
    ConfigError,
    FormcheckError,
    InputError,
    Interrupted,
    ModelError,
    OutputError,
)
from formcheck.landmarks import Landmark, PoseFrame, PoseSeries
from formcheck.models import ModelInfo, resolve_model
from formcheck.pipeline import track_file, track_frames
from formcheck.pose import PoseEstimate, PoseEstimator, PoseOptions, TrackReplay
from formcheck.report import build_report
from formcheck.sources import (
    CameraSource,
    Frame,
    FrameSource,
    ImageSource,
    SourceInfo,
    VideoFileSource,
    open_source,
)
from formcheck.track import load_track, save_track

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
    "SourceInfo",
    "TrackReplay",
    "VideoFileSource",
    "__version__",
    "build_report",
    "coverage_of",
    "load_track",
    "open_source",
    "resolve_model",
    "save_track",
    "track_file",
    "track_frames",
]
