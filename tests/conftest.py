"""Shared fixtures: real pictures of people, and small videos written on the fly."""

from __future__ import annotations

import fractions
from collections.abc import Callable, Sequence
from pathlib import Path

import cv2
import numpy as np
import pytest

from formcheck.pose.landmarks import PoseSeries

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
OPENCV_DATA = Path("/usr/share/doc/opencv-doc/examples/data")
MESSI = OPENCV_DATA / "messi5.jpg"


@pytest.fixture(scope="session")
def messi_path() -> Path:
    """A real full-body photo (Debian's opencv-doc; .ci/run installs it)."""
    if not MESSI.exists():
        pytest.skip("Debian package opencv-doc is not installed (apt-get install opencv-doc)")
    return MESSI


@pytest.fixture(scope="session")
def messi_image(messi_path: Path) -> np.ndarray:
    image = cv2.imread(str(messi_path))
    assert image is not None
    return image


def write_video(
    path: Path,
    frames: Sequence[np.ndarray],
    timestamps_ms: Sequence[int],
    *,
    rotate: int | None = None,
    faststart: bool = False,
) -> Path:
    """Encode BGR frames as H.264 MP4 with exact per-frame timestamps (ms time base)."""
    import av

    height, width = frames[0].shape[:2]
    options = {"movflags": "faststart"} if faststart else {}
    with av.open(str(path), "w", options=options) as container:
        stream = container.add_stream("libx264", rate=30)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.time_base = fractions.Fraction(1, 1000)
        stream.codec_context.time_base = fractions.Fraction(1, 1000)
        stream.options = {"crf": "18", "preset": "ultrafast"}
        for image, ts in zip(frames, timestamps_ms, strict=True):
            frame = av.VideoFrame.from_ndarray(
                cv2.cvtColor(image, cv2.COLOR_BGR2RGB), format="rgb24"
            )
            frame.pts = int(ts)
            frame.time_base = fractions.Fraction(1, 1000)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    if rotate is not None:
        _set_rotation(path, rotate)
    return path


def cut_sample(sample: Path, seconds: float, out: Path, *, every: int = 1) -> Path:
    """The first ``seconds`` of a video, re-encoded with :func:`write_video` at its own timing;
    with ``every`` = n only every n-th frame is kept (a 30 fps sample becomes 15 fps with 2)."""
    capture = cv2.VideoCapture(str(sample))
    fps = (capture.get(cv2.CAP_PROP_FPS) or 30.0) / every
    frames = []
    while len(frames) < round(seconds * fps):
        ok, image = capture.read()
        if not ok:
            break
        frames.append(image)
        for _ in range(every - 1):
            capture.read()  # dropped
    capture.release()
    assert frames, f"no frame could be read from {sample}"
    return write_video(out, frames, [round(i * 1000 / fps) for i in range(len(frames))])


def _set_rotation(path: Path, degrees: int) -> None:
    """Tag the video stream with phone-style rotation metadata (needs the ffmpeg program)."""
    import shutil
    import subprocess

    if shutil.which("ffmpeg") is None:
        pytest.skip(
            "the ffmpeg program is needed to write rotation metadata (apt-get install ffmpeg)"
        )
    tagged = path.with_name("tagged_" + path.name)
    subprocess.run(
        [
            "ffmpeg",
            "-loglevel",
            "error",
            "-y",
            "-i",
            str(path),
            "-c",
            "copy",
            "-metadata:s:v:0",
            f"rotate={degrees}",
            str(tagged),
        ],
        check=True,
    )
    tagged.replace(path)


@pytest.fixture
def make_video(tmp_path: Path) -> Callable[..., Path]:
    """Write a small test video: ``make_video(name, frames, timestamps_ms, rotate=..)``."""

    def make(name: str, frames: Sequence[np.ndarray], timestamps_ms: Sequence[int], **kw) -> Path:
        return write_video(tmp_path / name, frames, timestamps_ms, **kw)

    return make


def backs_measured(series: PoseSeries) -> np.ndarray:
    """Per frame of a series: whether a back outline was measured (from a mask)."""
    if series.back is None:
        return np.zeros(len(series), bool)
    return np.asarray(~np.isnan(series.back).all(axis=(1, 2)))


def numbered_frames(n: int, width: int = 160, height: int = 120) -> list[np.ndarray]:
    """Frames whose mean brightness encodes their index (to check order and count)."""
    return [np.full((height, width, 3), 10 + 8 * (i % 30), np.uint8) for i in range(n)]


@pytest.fixture(scope="session")
def messi_video(tmp_path_factory: pytest.TempPathFactory, messi_image: np.ndarray) -> Path:
    """2 s at 25 fps of the Messi photo panning slightly, with 0.6 s of empty frames inside."""
    height, width = messi_image.shape[:2]
    width -= width % 2
    height -= height % 2
    frames = []
    for i in range(50):
        shift = np.float32([[1, 0, i % 8], [0, 1, 0]])
        frame = cv2.warpAffine(
            messi_image,
            shift,
            (messi_image.shape[1], messi_image.shape[0]),
            borderMode=cv2.BORDER_REPLICATE,
        )[:height, :width]
        if 20 <= i < 35:
            frame = np.full_like(frame, 90)
        frames.append(frame)
    path = tmp_path_factory.mktemp("video") / "messi.mp4"
    return write_video(path, frames, [i * 40 for i in range(50)])


GridFactory = Callable[[str, Sequence[np.ndarray], Sequence[int]], Path]


@pytest.fixture(autouse=True)
def _private_history_db(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Every test gets its own history database (``$FORMCHECK_DB``), never the user's own."""
    path = tmp_path_factory.mktemp("history") / "history.sqlite3"
    monkeypatch.setenv("FORMCHECK_DB", str(path))
    return path
