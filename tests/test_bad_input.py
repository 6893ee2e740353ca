"""Bad and awkward inputs through the real command line, with the real pose model.

Every case of the robustness issue, as a user meets it: a clear one-line ``error:`` (or
``warning:``) and the documented exit code (1 input, 5 output, 130 interrupted; see
formcheck/errors.py), never a traceback, and output files that are either complete or absent
(written atomically). Inputs are made on the fly in ``tmp_path`` from short, small cuts of
``samples/*.mp4`` and the Messi photo, so that each run of the model takes a few seconds.

Not repeated here: a missing file, an empty file and a text file named ``.mp4`` through the CLI
(test_cli.py); truncated files, variable frame rate and rotation at the source level
(test_sources.py).
"""

from __future__ import annotations

import csv
import errno
import fcntl
import fractions
import json
import os
import pty
import re
import select
import shutil
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from typer.testing import CliRunner, Result

from formcheck import load_track
from formcheck.cli import app
from formcheck.pose.landmarks import Landmark

from .conftest import REPO, numbered_frames, write_video

runner = CliRunner()
SAMPLES = REPO / "samples"
ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][A-Za-z0-9]|\r")

MakeVideo = Callable[..., Path]


# ----------------------------------------------------------------------------------- helpers


def invoke(*args: str | Path) -> Result:
    """Run the CLI in-process (stdout and stderr kept apart)."""
    return runner.invoke(app, [str(a) for a in args])


def run_module(*args: str | Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run ``python -m formcheck`` in a real process: native decoder chatter on fd 2 shows."""
    return subprocess.run(
        [sys.executable, "-m", "formcheck", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO,
        stdin=subprocess.DEVNULL,
    )


def lines(text: str) -> list[str]:
    return [ln for ln in text.splitlines() if ln.strip()]


def assert_clean_stderr(stderr: str) -> None:
    """No traceback, and every line on stderr is a one-line ``warning:`` or ``error:``."""
    assert "Traceback" not in stderr, stderr
    for line in lines(stderr):
        assert line.startswith(("warning:", "error:")), f"stray line {line!r} on stderr:\n{stderr}"


def assert_one_line_error(stderr: str, *patterns: str) -> str:
    """stderr is exactly one ``error:`` line matching every pattern (case-insensitive)."""
    assert "Traceback" not in stderr, stderr
    got = lines(stderr)
    assert len(got) == 1, f"expected one line on stderr, got {len(got)}:\n{stderr}"
    (line,) = got
    assert line.startswith("error:"), line
    for pattern in patterns:
        assert re.search(pattern, line, re.IGNORECASE), f"{pattern!r} not in {line!r}"
    return line


def warnings_matching(stderr: str, pattern: str) -> list[str]:
    return [
        ln
        for ln in lines(stderr)
        if ln.startswith("warning:") and re.search(pattern, ln, re.IGNORECASE)
    ]


def read_report(path: Path) -> dict[str, Any]:
    assert path.is_file(), f"no report at {path}"
    return json.loads(path.read_text())


def assert_no_temp_files(folder: Path) -> None:
    """Atomic writes leave nothing behind: no hidden ``.name.XXXX`` temporary files."""
    leftovers = sorted(p.name for p in folder.iterdir() if p.name.startswith("."))
    assert leftovers == [], f"temporary files left in {folder}: {leftovers}"


def even(n: float) -> int:
    return max(2, round(n) // 2 * 2)


def sample_clip(
    name: str, start_s: float, stop_s: float, *, fps: float, width: int | None = None
) -> tuple[list[np.ndarray], list[int]]:
    """Frames of ``samples/<name>`` from ``start_s`` to ``stop_s``, about ``fps`` a second.

    Returns the frames (resized to ``width``, keeping the aspect) and their timestamps in ms
    from the start of the cut.
    """
    path = SAMPLES / name
    if not path.is_file():
        pytest.skip(f"sample clip {path} is missing")
    cap = cv2.VideoCapture(str(path))
    native = cap.get(cv2.CAP_PROP_FPS)
    first, stop = round(start_s * native), round(stop_s * native)
    step = max(1, round(native / fps))
    frames, stamps = [], []
    index = 0
    while index < stop:
        ok, image = cap.read()
        if not ok:
            break
        if index >= first and (index - first) % step == 0:
            if width is not None:
                height = even(image.shape[0] * width / image.shape[1])
                image = cv2.resize(image, (even(width), height), interpolation=cv2.INTER_AREA)
            frames.append(image)
            stamps.append(round((index - first) * 1000 / native))
        index += 1
    cap.release()
    assert frames, f"no frames read from {path}"
    return frames, stamps


def empty_room(frame: np.ndarray) -> np.ndarray:
    """The same scene with nobody in it: the frame's left edge (wall above floor) spread across."""
    return np.ascontiguousarray(np.repeat(frame[:, :1], frame.shape[1], axis=1))


def messi_clip(image: np.ndarray, n: int) -> list[np.ndarray]:
    """``n`` frames of the Messi photo panning a little (a real, fully visible person)."""
    height, width = even(image.shape[0] - 1), even(image.shape[1] - 1)
    frames = []
    for i in range(n):
        shift = np.float32([[1, 0, i % 6], [0, 1, 0]])
        moved = cv2.warpAffine(
            image, shift, (image.shape[1], image.shape[0]), borderMode=cv2.BORDER_REPLICATE
        )
        frames.append(np.ascontiguousarray(moved[:height, :width]))
    return frames


def need_ffmpeg() -> str:
    exe = shutil.which("ffmpeg")
    if exe is None:
        pytest.skip("the ffmpeg program is needed to write this input (apt-get install ffmpeg)")
    return exe


def ffmpeg(*args: str | Path) -> None:
    subprocess.run(
        [need_ffmpeg(), "-loglevel", "error", "-y", *map(str, args)], check=True, timeout=120
    )


def write_with_av(
    path: Path,
    frames: Sequence[np.ndarray],
    timestamps: Sequence[int],
    *,
    container_format: str,
    codec: str,
    container_options: dict[str, str] | None = None,
    rate: int | None = None,
    pix_fmt: str = "yuv420p",
    time_base: fractions.Fraction = fractions.Fraction(1, 1000),
) -> Path:
    """Encode BGR frames with PyAV into any container; ``rate=None`` records no frame rate.

    ``timestamps`` are in units of ``time_base`` (ms by default).
    """
    import av

    height, width = frames[0].shape[:2]
    with av.open(
        str(path), "w", format=container_format, options=container_options or {}
    ) as container:
        stream = container.add_stream(codec, rate=rate) if rate else container.add_stream(codec)
        stream.width, stream.height, stream.pix_fmt = width, height, pix_fmt
        stream.time_base = time_base
        stream.codec_context.time_base = time_base
        if rate is None:
            stream.codec_context.framerate = fractions.Fraction(0, 1)
        for image, ts in zip(frames, timestamps, strict=True):
            frame = av.VideoFrame.from_ndarray(
                cv2.cvtColor(image, cv2.COLOR_BGR2RGB), format="rgb24"
            )
            frame.pts = int(ts)
            frame.time_base = time_base
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


# ------------------------------------------------------------------ unreadable inputs: exit 1


def test_truncated_mp4_is_one_line_error_in_a_real_process(
    make_video: MakeVideo, messi_image: np.ndarray, tmp_path: Path
) -> None:
    full = make_video("full.mp4", messi_clip(messi_image, 20), [i * 40 for i in range(20)])
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(full.read_bytes()[: full.stat().st_size // 3])  # the index (moov) is lost
    report = tmp_path / "r.json"
    done = run_module("analyze", cut, "--json", report)
    assert done.returncode == 1, done.stderr
    assert done.stdout == ""
    assert_one_line_error(done.stderr, "cut.mp4", "truncated")
    assert not report.exists()
    assert_no_temp_files(tmp_path)


def test_truncated_but_readable_mp4_is_analysed_and_flagged(
    make_video: MakeVideo, messi_image: np.ndarray, tmp_path: Path
) -> None:
    n = 20
    frames = [
        np.clip(
            f.astype(np.int16) + np.random.default_rng(i).integers(-40, 40, f.shape), 0, 255
        ).astype(np.uint8)
        for i, f in enumerate(messi_clip(messi_image, n))
    ]  # noisy frames, so that half the bytes hold about half the frames
    full = make_video("full.mp4", frames, [i * 40 for i in range(n)], faststart=True)
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(full.read_bytes()[: full.stat().st_size // 2])
    report_path = tmp_path / "r.json"
    result = invoke("analyze", cut, "--json", report_path)
    assert result.exit_code == 0, result.output
    assert_clean_stderr(result.stderr)
    assert len(warnings_matching(result.stderr, "truncated")) == 1, result.stderr
    source = read_report(report_path)["source"]
    assert source["truncated"] is True
    assert 0 < source["frames"] < n


@pytest.mark.parametrize("container", ["mp4", "mov"])
def test_unsupported_codec_is_one_line_error_naming_the_codec(
    container: str, make_video: MakeVideo, tmp_path: Path
) -> None:
    """A codec no decoder knows (the sample entry's fourcc is 'zzzz'), whatever FFmpeg build
    OpenCV carries: no test assumes that a real codec such as AV1 is missing."""
    plain = make_video("plain.mp4", numbered_frames(10), [i * 100 for i in range(10)])
    if container == "mov":
        remuxed = tmp_path / "plain.mov"
        ffmpeg("-i", plain, "-c", "copy", remuxed)
        plain = remuxed
    video = tmp_path / f"unknown_fourcc.{container}"
    data = plain.read_bytes()
    assert data.count(b"avc1") >= 1
    video.write_bytes(data.replace(b"avc1", b"zzzz"))
    done = run_module("analyze", video)
    assert done.returncode == 1, done.stderr
    assert done.stdout == ""
    assert_one_line_error(done.stderr, re.escape(video.name), "codec")


@pytest.mark.slow
def test_av1_video_that_opencv_reads_is_analysed_like_any_other(tmp_path: Path) -> None:
    """Phones record AV1: where the installed OpenCV decodes it, it is just another video."""
    encoders = subprocess.run(
        [need_ffmpeg(), "-hide_banner", "-encoders"], capture_output=True, text=True
    ).stdout
    if "libaom-av1" not in encoders:
        pytest.skip("this ffmpeg cannot encode AV1 (libaom-av1)")
    h264 = tmp_path / "plank_h264.mp4"
    av1 = tmp_path / "plank_av1.mp4"
    cut = ("-i", SAMPLES / "plank_good_left.mp4", "-t", "4", "-vf", "scale=480:-2", "-an")
    ffmpeg(*cut, "-c:v", "libx264", "-pix_fmt", "yuv420p", h264)
    ffmpeg(*cut, "-c:v", "libaom-av1", "-cpu-used", "8", "-pix_fmt", "yuv420p", av1)
    probe = cv2.VideoCapture(str(av1))
    readable = probe.isOpened() and probe.read()[0]
    probe.release()
    if not readable:
        pytest.skip("the installed OpenCV's FFmpeg does not decode AV1")
    reports = {}
    for video in (h264, av1):
        report_path = tmp_path / f"{video.stem}.json"
        done = run_module("analyze", video, "--no-history", "--json", report_path)
        assert done.returncode == 0, done.stderr
        assert_clean_stderr(done.stderr)
        reports[video.stem] = read_report(report_path)
    plain, phone = reports["plank_h264"], reports["plank_av1"]
    assert phone["source"]["frames"] == plain["source"]["frames"] > 100
    assert phone["source"]["duration_s"] == pytest.approx(plain["source"]["duration_s"], abs=0.05)
    # the person is found in the AV1 frames as well as in the H.264 ones
    assert phone["coverage"]["measured_fraction"] == pytest.approx(
        plain["coverage"]["measured_fraction"], abs=0.05
    )
    assert phone["coverage"]["measured_fraction"] > 0.5


@pytest.mark.parametrize("kind", ["audio_only", "random_bytes"])
def test_files_without_video_are_one_line_errors(kind: str, tmp_path: Path) -> None:
    path = tmp_path / f"{kind}.mp4"
    if kind == "audio_only":
        ffmpeg("-f", "lavfi", "-i", "sine=duration=1", "-c:a", "aac", path)
    else:
        path.write_bytes(np.random.default_rng(0).integers(0, 256, 50_000, np.uint8).tobytes())
    done = run_module("analyze", path)
    assert done.returncode == 1, done.stderr
    assert done.stdout == ""
    assert_one_line_error(done.stderr, re.escape(path.name), r"not a video|no video")


# ---------------------------------------------------------- awkward but valid inputs: exit 0


def test_variable_frame_rate_times_come_from_the_container(
    make_video: MakeVideo, messi_image: np.ndarray, tmp_path: Path
) -> None:
    # 10 frames 20 ms apart, 10 empty frames 100 ms apart, 10 frames 50 ms apart:
    # the empty stretch is 0.20-1.15 s on the clock, not frames 10-20 at a constant rate.
    person = messi_clip(messi_image, 20)
    empty = np.full_like(person[0], 90)
    frames = person[:10] + [empty] * 10 + person[10:]
    stamps = [20 * i for i in range(10)] + [200 + 100 * i for i in range(10)]
    stamps += [1150 + 50 * i for i in range(10)]
    video = make_video("vfr.mp4", frames, stamps)
    report_path = tmp_path / "r.json"
    result = invoke("analyze", video, "--json", report_path, "--max-fps", "0")  # every frame
    assert result.exit_code == 0, result.output
    assert_clean_stderr(result.stderr)
    report = read_report(report_path)
    assert report["source"]["frames"] == 30
    assert 1.6 <= report["source"]["duration_s"] <= 1.7  # 1.6 s span plus about one frame
    assert report["coverage"]["measured_fraction"] == pytest.approx(20 / 30, abs=0.04)
    [(start, end)] = report["coverage"]["gaps"]
    assert start == pytest.approx(0.2, abs=0.03) and end == pytest.approx(1.15, abs=0.03)
    assert_no_temp_files(tmp_path)


def test_missing_frame_rate_browser_webm_warns_once_and_uses_timestamps(
    messi_image: np.ndarray, tmp_path: Path
) -> None:
    """A WebM as a browser's MediaRecorder writes it: no frame rate, no duration, VFR stamps."""
    import av

    try:
        av.codec.Codec("libvpx", "w")
    except Exception:  # pragma: no cover - depends on the PyAV build
        pytest.skip("PyAV has no VP8 encoder")
    stamps = [0, 33, 70, 100, 140, 166, 210, 233, 270, 300, 333, 380]
    video = write_with_av(
        tmp_path / "recorded.webm",
        messi_clip(messi_image, len(stamps)),
        stamps,
        container_format="webm",
        codec="libvpx",
        container_options={"live": "1"},
    )
    report_path = tmp_path / "r.json"
    result = invoke("analyze", video, "--json", report_path)
    assert result.exit_code == 0, result.output
    assert_clean_stderr(result.stderr)
    said = warnings_matching(result.stderr, r"frame rate|fps")
    assert len(said) == 1, f"expected the frame-rate warning once:\n{result.stderr}"
    source = read_report(report_path)["source"]
    assert source["frames"] == len(stamps)
    assert source["fps"] is None  # unknown, not a made-up number
    assert source["duration_s"] == pytest.approx(0.38 * 12 / 11, abs=0.02)  # from the stamps
    assert read_report(report_path)["coverage"]["measured_fraction"] > 0.9


def test_zero_frame_rate_in_the_container_still_gives_a_consistent_report(
    tmp_path: Path,
) -> None:
    """An AVI whose headers say 0 frames per second (dwRate = dwScale = 0, no frame period)."""
    video = write_with_av(
        tmp_path / "zero.avi",
        numbered_frames(10),
        list(range(10)),
        container_format="avi",
        codec="mjpeg",
        rate=10,
        pix_fmt="yuvj420p",
        time_base=fractions.Fraction(1, 10),
    )
    data = bytearray(video.read_bytes())
    avih, strh = data.find(b"avih"), data.find(b"strh")
    assert avih > 0 and strh > 0
    struct.pack_into("<I", data, avih + 8, 0)  # dwMicroSecPerFrame
    assert struct.unpack_from("<II", data, strh + 28) == (1, 10)  # dwScale, dwRate
    struct.pack_into("<II", data, strh + 28, 0, 0)
    video.write_bytes(bytes(data))
    report_path = tmp_path / "r.json"
    result = invoke("analyze", video, "--json", report_path)
    assert result.exit_code == 0, result.output
    assert_clean_stderr(result.stderr)
    source = read_report(report_path)["source"]
    assert source["frames"] == 10
    assert source["fps"] is None or source["fps"] > 0
    assert source["duration_s"] > 0
    if source["fps"]:
        assert source["duration_s"] == pytest.approx(10 / source["fps"], rel=0.05)


def test_4k_video_is_analysed_at_full_size(make_video: MakeVideo, messi_image: np.ndarray) -> None:
    height, width = 2160, 3840
    scale = height / messi_image.shape[0]
    person = cv2.resize(messi_image, (even(messi_image.shape[1] * scale), height))
    canvas = np.full((height, width, 3), 90, np.uint8)
    left = (width - person.shape[1]) // 2
    frames = []
    for i in range(3):
        frame = canvas.copy()
        frame[:, left + 4 * i : left + 4 * i + person.shape[1]] = person
        frames.append(frame)
    video = make_video("uhd.mp4", frames, [0, 33, 67])
    report_path = video.with_name("r.json")
    result = invoke("analyze", video, "--json", report_path)
    assert result.exit_code == 0, result.output
    assert_clean_stderr(result.stderr)
    report = read_report(report_path)
    assert (report["source"]["width"], report["source"]["height"]) == (3840, 2160)
    assert report["source"]["frames"] == 3
    assert report["coverage"]["measured_fraction"] >= 2 / 3  # the person is found at 4K


def test_portrait_phone_video_with_rotation_metadata_is_analysed_upright(
    make_video: MakeVideo, tmp_path: Path
) -> None:
    upright, stamps = sample_clip("standing_still.mp4", 1.0, 2.5, fps=12, width=240)
    # A phone stores the sensor's landscape frame and a 90-degree display rotation.
    stored = [np.ascontiguousarray(cv2.rotate(f, cv2.ROTATE_90_CLOCKWISE)) for f in upright]
    video = make_video("phone.mp4", stored, stamps, rotate=90)
    height, width = upright[0].shape[:2]
    report_path = tmp_path / "r.json"
    result = invoke("analyze", video, "--json", report_path)
    assert result.exit_code == 0, result.output
    assert_clean_stderr(result.stderr)
    report = read_report(report_path)
    assert (report["source"]["width"], report["source"]["height"]) == (width, height)
    assert report["coverage"]["measured_fraction"] >= 0.8
    # and the landmarks are those of a person standing upright: feet below hips below shoulders
    track_path = tmp_path / "t.npz"
    result = invoke("track", video, "-o", track_path)
    assert result.exit_code == 0, result.output
    series = load_track(track_path)
    seen = series.person_mask
    assert seen.mean() >= 0.8
    y = series.landmarks[seen, :, 1]
    shoulders = y[:, [Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER]].mean(axis=1)
    hips = y[:, [Landmark.LEFT_HIP, Landmark.RIGHT_HIP]].mean(axis=1)
    ankles = y[:, [Landmark.LEFT_ANKLE, Landmark.RIGHT_ANKLE]].mean(axis=1)
    assert np.all(shoulders < hips) and np.all(hips < ankles)
    assert np.all(ankles - shoulders > 0.4 * height)


def test_animated_gif_is_analysed_as_a_video(make_video: MakeVideo, tmp_path: Path) -> None:
    frames, stamps = sample_clip("plank_good_left.mp4", 4.0, 6.0, fps=10, width=320)
    clip = make_video("clip.mp4", frames, stamps)
    gif = tmp_path / "plank.gif"
    ffmpeg("-i", clip, "-fps_mode", "passthrough", "-loop", "0", gif)  # frame for frame
    report_path = tmp_path / "r.json"
    result = invoke("analyze", gif, "--json", report_path)
    assert result.exit_code == 0, result.output
    assert_clean_stderr(result.stderr)
    report = read_report(report_path)
    assert report["source"]["frames"] == len(frames) == 20
    assert report["source"]["fps"] == pytest.approx(10, abs=0.5)
    assert report["source"]["duration_s"] == pytest.approx(2.0, abs=0.15)
    assert report["coverage"]["measured_fraction"] >= 0.8


def test_nobody_in_view_is_a_report_with_nothing_measured_and_one_warning(
    make_video: MakeVideo, tmp_path: Path
) -> None:
    frames, stamps = sample_clip("plank_good_left.mp4", 4.0, 6.0, fps=10, width=320)
    room = empty_room(frames[0])
    rng = np.random.default_rng(0)
    empty = [
        np.clip(room.astype(np.int16) + rng.integers(-3, 4, room.shape), 0, 255).astype(np.uint8)
        for _ in frames
    ]  # camera noise over an empty room
    video = make_video("empty.mp4", empty, stamps)
    report_path = tmp_path / "r.json"
    result = invoke("analyze", video, "--json", report_path)
    assert result.exit_code == 0, result.output
    assert_clean_stderr(result.stderr)
    [warning] = lines(result.stderr)
    assert re.search(r"no (person|one|body)", warning, re.IGNORECASE), warning
    assert "No bridge, plank or cat-cow set was recognised" in result.stdout
    report = read_report(report_path)
    assert report["coverage"]["measured_fraction"] == 0
    assert report["sets"] == [] and report["summary"]["set_count"] == 0
    [(start, end)] = report["coverage"]["gaps"]
    assert start == 0 and end == pytest.approx(2.0, abs=0.15)


# ---------------------------------------------------------------- people in and out of view


@pytest.fixture(scope="module")
def two_people_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A plank (640x480, the larger person) beside a smaller person standing (270x480)."""
    plank, stamps = sample_clip("plank_good_left.mp4", 4.0, 7.0, fps=10)
    standing, _ = sample_clip("standing_still.mp4", 1.0, 4.0, fps=10)
    n = min(len(plank), len(standing))
    side = [cv2.resize(f, (270, 480), interpolation=cv2.INTER_AREA) for f in standing[:n]]
    frames = [np.ascontiguousarray(np.hstack([a, b])) for a, b in zip(plank[:n], side, strict=True)]
    path = tmp_path_factory.mktemp("two") / "two_people.mp4"
    return write_video(path, frames, stamps[:n])


def test_two_people_the_main_one_is_followed_consistently(
    two_people_video: Path, tmp_path: Path
) -> None:
    track_path = tmp_path / "t.npz"
    result = invoke("track", two_people_video, "-o", track_path)
    assert result.exit_code == 0, result.output
    series = load_track(track_path)
    seen = series.person_mask
    assert seen.mean() >= 0.9
    hips_x = series.landmarks[seen][:, [Landmark.LEFT_HIP, Landmark.RIGHT_HIP], 0].mean(axis=1)
    assert np.all(hips_x < 640), "followed the person standing on the right in some frames"


def test_two_people_the_report_says_how_many_and_which_was_followed(
    two_people_video: Path, tmp_path: Path
) -> None:
    report_path = tmp_path / "r.json"
    result = invoke("analyze", two_people_video, "--json", report_path)
    assert result.exit_code == 0, result.output
    assert_clean_stderr(result.stderr)
    said = result.stdout + result.stderr
    assert re.search(r"\b(2|two|several|more than one)\s+(people|persons)\b", said, re.I), said
    which = r"follow\w*.*\b(largest|main|biggest)\b|\b(largest|main|biggest)\b.*follow"
    assert re.search(which, said, re.I), said
    source = read_report(report_path)["source"]
    people = {k: v for k, v in source.items() if "people" in k.lower()}
    assert any(isinstance(v, int) and v >= 2 for v in people.values()), (
        f"no people count (>= 2) among the report's source keys: {sorted(source)}"
    )


@pytest.fixture(scope="module")
def away_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Result, dict[str, Any], float]:
    """6 s of a plank, the person gone from 2.0 to 3.5 s: (CLI result, report, share away)."""
    folder = tmp_path_factory.mktemp("away")
    frames, stamps = sample_clip("plank_good_left.mp4", 3.0, 9.0, fps=10, width=320)
    room = empty_room(frames[0])
    away = [i for i, t in enumerate(stamps) if 2000 <= t < 3500]
    for i in away:
        frames[i] = room
    video = write_video(folder / "away.mp4", frames, stamps)
    report_path = folder / "r.json"
    result = invoke("analyze", video, "--json", report_path)
    assert result.exit_code == 0, result.output
    return result, read_report(report_path), len(away) / len(frames)


def test_person_leaving_and_coming_back_is_a_gap_in_coverage(
    away_run: tuple[Result, dict[str, Any], float],
) -> None:
    result, report, share_away = away_run
    assert_clean_stderr(result.stderr)
    [(start, end)] = report["coverage"]["gaps"]
    assert 1.8 <= start <= 2.1 and 3.4 <= end <= 3.8, (start, end)
    assert report["coverage"]["measured_fraction"] == pytest.approx(1 - share_away, abs=0.05)
    assert re.search(r"not measurable.*\b2\.0-3\.5 s", result.stdout), result.stdout


def test_person_leaving_and_coming_back_time_away_is_not_good_form(
    away_run: tuple[Result, dict[str, Any], float],
) -> None:
    _, report, _ = away_run
    [plank_set] = report["sets"]
    assert plank_set["exercise"] == "plank"
    seen_s = 6.0 - 1.5  # the 1.5 s away is longer than hold_grace_s and max_bridged_gap_s
    for hold in plank_set["holds"]:
        assert hold["good_form_s"] <= seen_s + 0.2, plank_set["holds"]
    assert plank_set["summary"]["good_form_s"] <= seen_s + 0.2, plank_set["summary"]


def test_a_camera_too_close_for_the_head_does_not_warn_about_the_head(tmp_path: Path) -> None:
    # the good-form plank with the picture's left quarter (the head) cut off: MediaPipe still
    # places the ears, out in the margin, fully confident; the head measure must stay silent
    # (before, 2 s of this good plank were called head_dropping) and the rest still measured
    frames, stamps = sample_clip("plank_good_left.mp4", 0.0, 18.0, fps=15)
    cut = frames[0].shape[1] // 4
    frames = [np.ascontiguousarray(f[:, cut:]) for f in frames]
    video = write_video(tmp_path / "close.mp4", frames, stamps)
    report_path = tmp_path / "r.json"
    result = invoke("analyze", video, "--json", report_path)
    assert result.exit_code == 0, result.output
    [plank_set] = read_report(report_path)["sets"]
    assert plank_set["exercise"] == "plank"
    assert plank_set["warnings"] == [], plank_set["warnings"]
    summary = plank_set["summary"]
    assert summary["good_form_s"] == pytest.approx(summary["hold_s"], abs=0.1), summary
    assert summary["hold_s"] > 12.0, summary


def test_a_mirrored_video_counts_every_rep_partial_ones_too(tmp_path: Path) -> None:
    # a front camera's mirrored picture: the same pixels the other way round, which MediaPipe
    # (not mirror-symmetric) reads differently; the partial reps of the sample (hips 19-20 deg
    # above rest) read only about 10 deg up there, and a 10 deg threshold lost both
    frames, stamps = sample_clip("bridge_partial_right.mp4", 0.0, 26.0, fps=15)
    video = write_video(tmp_path / "mirrored.mp4", [cv2.flip(f, 1) for f in frames], stamps)
    report_path = tmp_path / "r.json"
    result = invoke("analyze", video, "--json", report_path)
    assert result.exit_code == 0, result.output
    [bridge_set] = read_report(report_path)["sets"]
    assert bridge_set["exercise"] == "glute_bridge"
    faults = [rep["faults"] for rep in bridge_set["reps"]]
    assert faults == [[], ["partial_rep"], [], ["partial_rep"], []], bridge_set["reps"]


def test_a_knee_plank_up_onto_the_toes_is_a_knee_plank_then_a_plank_on_real_video(
    tmp_path: Path,
) -> None:
    # a beginner's progression, rendered (tests/data/README.md): a knee plank held 2.8-7.5 s,
    # the knees straightened by 8.7 s, a forearm plank held to 14.2 s. The real model: two
    # holds of their kinds, the plank straight on from the knee plank, no warning
    video = Path(__file__).parent / "data" / "plank_knees_up_right.mp4"
    report_path = tmp_path / "r.json"
    result = invoke("analyze", video, "--json", report_path)
    assert result.exit_code == 0, result.output
    [plank_set] = read_report(report_path)["sets"]
    assert plank_set["exercise"] == "plank"
    knee, plank = plank_set["holds"]
    assert (knee["kind"], knee["continues"]) == ("knee_plank", False)
    assert (plank["kind"], plank["continues"]) == ("plank", True)
    assert knee["start_s"] == pytest.approx(2.8, abs=0.6)
    assert 7.3 <= knee["end_s"] <= 8.1 and 8.1 <= plank["start_s"] <= 8.9
    assert plank["end_s"] == pytest.approx(14.2, abs=0.6)
    assert plank_set["warnings"] == []


# --------------------------------------------------------------------- outputs: exit 5


@pytest.fixture
def small_video(make_video: MakeVideo, messi_image: np.ndarray) -> Path:
    """A 10-frame clip of a person: enough for the summary to print if analysis ran."""
    return make_video("small.mp4", messi_clip(messi_image, 10), [i * 40 for i in range(10)])


@pytest.mark.parametrize(
    "where", ["nonexistent_dir", "missing_subfolder", "a_folder", "read_only_folder", "procfs"]
)
def test_unwritable_report_fails_early_in_one_line(
    where: str, small_video: Path, tmp_path: Path
) -> None:
    if where == "nonexistent_dir":
        target, message = Path("/nonexistent_dir/r.json"), "does not exist"
        if target.parent.exists():
            pytest.skip("/nonexistent_dir exists on this machine")
    elif where == "missing_subfolder":
        target, message = tmp_path / "no" / "such" / "r.json", "does not exist"
    elif where == "a_folder":
        target, message = tmp_path, "folder"
    elif where == "read_only_folder":
        if os.geteuid() == 0:
            pytest.skip("root ignores folder permissions")
        folder = tmp_path / "locked"
        folder.mkdir()
        folder.chmod(0o500)
        target, message = folder / "r.json", "permission denied"
    else:  # no one, not even root, can create a file in /proc
        if not Path("/proc/self").is_dir():
            pytest.skip("no /proc here")
        target, message = Path("/proc/r.json"), "cannot write"
    try:
        result = invoke("analyze", small_video, "--json", target)
    finally:
        if where == "read_only_folder":
            (tmp_path / "locked").chmod(0o700)
    assert result.exit_code == 5, result.output
    assert result.stdout == "", "the analysis ran before the output was found unwritable"
    assert_one_line_error(result.stderr, re.escape(str(target)), message)


def _no_space(*_args: object, **_kw: object) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_disk_full_while_writing_the_report_keeps_the_old_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from formcheck import PoseSeries, save_track
    from formcheck.media import outputs

    from .synthetic import plank, render

    track = tmp_path / "plank.npz"
    save_track(PoseSeries.from_frames(list(render(plank(6.0), fps=15))), track)
    report_path = tmp_path / "r.json"
    report_path.write_text("previous report\n")
    # the report's bytes reach the temporary file; making them durable fails: the disk is full
    monkeypatch.setattr(outputs.os, "fsync", _no_space)
    result = invoke("analyze", track, "-e", "plank", "--json", report_path)
    assert result.exit_code == 5, result.output
    assert_one_line_error(result.stderr, "r.json", r"no space|disk")
    assert report_path.read_text() == "previous report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plank.npz", "r.json"]


def test_disk_full_while_saving_a_track_leaves_nothing_behind(
    small_video: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def half_written(file: Any, *_args: object, **_kw: object) -> None:
        file.write(b"PK\x03\x04" + b"\0" * 1000)  # part of the archive made it to disk
        _no_space()

    monkeypatch.setattr(np, "savez_compressed", half_written)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    result = invoke("track", small_video, "-o", out_dir / "t.npz")
    assert result.exit_code == 5, result.output
    assert_one_line_error(result.stderr, "t.npz", r"no space|disk")
    assert list(out_dir.iterdir()) == []


# ----------------------------------------------------------------------- Ctrl-C: exit 130


@pytest.mark.parametrize("command", ["analyze", "track"])
def test_ctrl_c_keeps_what_was_measured_and_marks_it_interrupted(
    command: str, small_video: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mediapipe.tasks.python import vision

    real_detect = vision.PoseLandmarker.detect_for_video
    calls = {"n": 0}

    def detect_then_ctrl_c(self: Any, image: Any, timestamp_ms: int, *args: Any) -> Any:
        calls["n"] += 1
        if timestamp_ms >= 200:  # Ctrl-C while the model works on the 6th frame (40 ms apart)
            raise KeyboardInterrupt
        return real_detect(self, image, timestamp_ms, *args)

    # MediaPipe's own call, where a real Ctrl-C lands: independent of formcheck's internals
    monkeypatch.setattr(vision.PoseLandmarker, "detect_for_video", detect_then_ctrl_c)
    if command == "analyze":
        out = tmp_path / "r.json"
        result = invoke("analyze", small_video, "--json", out)
    else:
        out = tmp_path / "t.npz"
        result = invoke("track", small_video, "-o", out)
    assert result.exit_code == 130, result.output
    assert_clean_stderr(result.stderr)
    errors = [ln for ln in lines(result.stderr) if ln.startswith("error:")]
    assert len(errors) == 1 and "interrupted" in errors[0].lower(), result.stderr
    if command == "analyze":
        source = read_report(out)["source"]
        assert source["interrupted"] is True and source["frames"] == 5
    else:
        series = load_track(out)
        assert series.metadata["interrupted"] is True and len(series) == 5
    assert_no_temp_files(tmp_path)


def _read_pty(fd: int, seconds: float) -> bytes:
    """What a terminal shows within ``seconds`` (until the program closes it)."""
    chunks = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # the other end closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def test_real_ctrl_c_in_a_terminal_writes_the_partial_report(tmp_path: Path) -> None:
    """SIGINT to ``python -m formcheck analyze`` once its progress bar shows frames done."""
    video = SAMPLES / "plank_good_left.mp4"
    if not video.is_file():
        pytest.skip(f"sample clip {video} is missing")
    report_path = tmp_path / "r.json"
    master, slave = pty.openpty()  # stderr is a terminal: the progress bar is drawn
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 200, 0, 0))
    env = {**os.environ, "TERM": "xterm", "COLUMNS": "200"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "formcheck", "analyze", str(video), "--json", str(report_path)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=slave,
        cwd=REPO,
        env=env,
        # a terminal's Ctrl-C: a shell that runs the tests in the background hands its children
        # SIGINT ignored, and Python then never raises KeyboardInterrupt
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    os.close(slave)
    screen = b""
    try:
        deadline = time.monotonic() + 90
        done = 0
        while done < 15 and time.monotonic() < deadline and proc.poll() is None:
            screen += _read_pty(master, 0.3)
            counts = re.findall(r"(\d+)/(\d+)", ANSI.sub("", screen.decode(errors="replace")))
            done = int(counts[-1][0]) if counts else 0
        assert proc.poll() is None, "finished before it could be interrupted"
        assert done >= 15, "no progress shown within 90 s"
        proc.send_signal(signal.SIGINT)
        screen += _read_pty(master, 60)
        stdout, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
    shown = ANSI.sub("", screen.decode(errors="replace"))
    assert proc.returncode == 130, shown
    assert "Traceback" not in shown, shown
    assert re.search(r"error:.*interrupted", shown), shown
    assert "report written to" in stdout.decode()
    source = read_report(report_path)["source"]
    assert source["interrupted"] is True
    assert 15 <= source["frames"] < 500
    assert_no_temp_files(tmp_path)


# ----------------------------------------------------------------------------- batches


def test_batch_reports_the_bad_file_and_finishes_the_others(
    make_video: MakeVideo, messi_image: np.ndarray, tmp_path: Path
) -> None:
    """``formcheck analyze A B C --out-dir D``: D/<stem>.json per good file, D/index.csv."""
    clip = messi_clip(messi_image, 16)
    first = make_video("first.mp4", clip[:8], [i * 40 for i in range(8)])
    bad = tmp_path / "bad.mp4"
    bad.write_text("this is not a video\n" * 20)
    second = make_video("second.mp4", clip[8:], [i * 40 for i in range(8)])
    out_dir = tmp_path / "reports"
    out_dir.mkdir()
    result = invoke("analyze", first, bad, second, "--out-dir", out_dir)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output, result.output
    # the bad file is reported once, in one line, with its reason (per-file status lines such
    # as "done first.mp4" may sit beside it)
    [error] = [ln for ln in lines(result.output) if "bad.mp4" in ln]
    assert re.match(r"(error|failed)\b", error) and "not a video" in error, error
    for good in (first, second):
        report = read_report(out_dir / f"{good.stem}.json")
        assert report["source"]["name"] == good.name and report["source"]["frames"] == 8
    assert not (out_dir / "bad.json").exists()
    with (out_dir / "index.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 3, rows

    def row_for(name: str) -> dict[str, str]:
        [row] = [r for r in rows if any(name in (v or "") for v in r.values())]
        return row

    bad_row = row_for("bad.mp4")
    assert any("fail" in (v or "").lower() for v in bad_row.values()), bad_row
    assert any("not a video" in (v or "") for v in bad_row.values()), bad_row
    for good in (first, second):
        assert not any("fail" in (v or "").lower() for v in row_for(good.name).values())
    assert_no_temp_files(out_dir)


def test_reports_get_the_mode_a_new_file_normally_gets(tmp_path: Path) -> None:
    from formcheck.media.outputs import write_text_atomic

    old = os.umask(0o027)
    try:
        path = write_text_atomic(tmp_path / "r.json", "{}")
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o640  # not mkstemp's private 0600
