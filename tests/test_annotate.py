"""The annotated video: the real model over a real clip, the overlay on every frame, H.264 out.

The end-to-end run uses the first 11 s of ``samples/bridge_5reps_left.mp4`` (two whole reps),
cut with PyAV into tmp_path so the model sees ~330 frames, not 778.
"""

from __future__ import annotations

import fractions
import json
import os
from pathlib import Path

import av
import numpy as np
import pytest

from formcheck import InputError, OutputError
from formcheck.analysis import analyze_series
from formcheck.live.annotate import AnnotatedVideoWriter, annotate_file, nominal_fps
from formcheck.live.overlay import overlay_layout
from formcheck.media.sources import VideoFileSource

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "samples" / "bridge_5reps_left.mp4"
CLIP_S = 11.0


def cut_clip(source: Path, out: Path, seconds: float) -> Path:
    """The first ``seconds`` of ``source``, re-encoded with the source's frame times (ms)."""
    ms = fractions.Fraction(1, 1000)
    with av.open(str(source)) as inp, av.open(str(out), "w") as dst:
        stream_in = inp.streams.video[0]
        stream = dst.add_stream("libx264", rate=stream_in.average_rate)
        stream.width, stream.height = stream_in.width, stream_in.height
        stream.pix_fmt = "yuv420p"
        stream.time_base = stream.codec_context.time_base = ms
        stream.options = {"crf": "18", "preset": "ultrafast"}
        for frame in inp.decode(stream_in):
            assert frame.time is not None
            if frame.time >= seconds:
                break
            frame = frame.reformat(format="yuv420p")
            frame.pts, frame.time_base = round(frame.time * 1000), ms
            for packet in stream.encode(frame):
                dst.mux(packet)
        for packet in stream.encode():
            dst.mux(packet)
    return out


def decode(path: Path, keep: int = 1) -> tuple[dict[int, np.ndarray], list[int], dict[str, object]]:
    """Frames (BGR, every ``keep``-th and the last, by index), every frame's time in ms, and
    the stream's codec, pixel format and size."""
    images, times = {}, []
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        info = {
            "codec": stream.codec_context.name,
            "pix_fmt": stream.codec_context.pix_fmt,
            "size": (stream.width, stream.height),
        }
        last = None
        for i, frame in enumerate(container.decode(stream)):
            if i % keep == 0:
                images[i] = frame.to_ndarray(format="bgr24")
            times.append(round(float(frame.time) * 1000))
            last = frame
        if last is not None:
            images[len(times) - 1] = last.to_ndarray(format="bgr24")
    return images, times, info


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return cut_clip(SAMPLE, tmp_path_factory.mktemp("clip") / "bridge_11s.mp4", CLIP_S)


@pytest.fixture(scope="module")
def annotated(clip: Path, tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("annotated") / "bridge_annotated.mp4"
    progress: list[tuple[int, int | None]] = []
    series, analysis = annotate_file(
        clip, out, exercise="auto", on_progress=lambda d, t: progress.append((d, t))
    )
    return out, series, analysis, progress


@pytest.fixture(scope="module")
def output(annotated):
    """The annotated video decoded: (frames every 40th and the last, all times, stream info)."""
    return decode(annotated[0], keep=40)


@pytest.fixture(scope="module")
def source_frames(clip: Path) -> tuple[dict[int, np.ndarray], list[int]]:
    """The clip as formcheck reads it: (frames every 40th and the last, all times in ms)."""
    images, times = {}, []
    with VideoFileSource(clip) as source:
        for frame in source:
            if frame.index % 40 == 0:
                images[frame.index] = frame.image
            times.append(frame.timestamp_ms)
            last = frame.image
    images[len(times) - 1] = last
    return images, times


@pytest.mark.slow
def test_annotated_video_is_h264_with_one_frame_per_source_frame_at_its_time(
    annotated, output, source_frames
) -> None:
    out, series, _, progress = annotated
    _, times, info = output
    _, src_times = source_frames
    assert info["codec"] == "h264" and info["pix_fmt"] == "yuv420p"
    assert info["size"] == (640, 480)
    assert len(times) == len(src_times) == len(series) > 300
    assert times == src_times
    assert progress[-1][0] == len(series)
    assert nominal_fps(out) == pytest.approx(30.0, abs=0.1)


@pytest.mark.slow
def test_annotated_video_starts_with_its_index_so_it_plays_while_downloading(annotated) -> None:
    data = annotated[0].read_bytes()
    assert 0 <= data.find(b"moov") < data.find(b"mdat")


@pytest.mark.slow
def test_overlay_is_drawn_on_the_frames_and_the_rest_is_the_source(output, source_frames) -> None:
    images, _, _ = output
    src_images, _ = source_frames
    assert images.keys() == src_images.keys() and len(images) > 8
    layout = overlay_layout(640, 480)
    cx, cy, cw, ch = layout["counter"]
    sx, sy, sw, sh = layout["stats"]  # no fps in a file: the source shows through there
    for i in images:
        out, src = images[i].astype(np.int16), src_images[i].astype(np.int16)
        counter = np.abs(out[cy : cy + ch, cx : cx + cw] - src[cy : cy + ch, cx : cx + cw])
        assert counter.mean() > 20, i
        untouched = np.abs(out[sy : sy + sh, sx : sx + sw] - src[sy : sy + sh, sx : sx + sw])
        assert untouched.mean() < 4, i
    # the count goes from 0 to 2 over the clip: the counter's pixels change
    first = images[0][cy : cy + ch, cx : cx + cw].astype(np.int16)
    last = images[max(images)][cy : cy + ch, cx : cx + cw].astype(np.int16)
    assert np.abs(first - last).max() > 100


@pytest.mark.slow
def test_counts_are_those_of_the_analysis_of_the_same_frames(annotated, clip) -> None:
    _, series, analysis, _ = annotated
    again = analyze_series(series, "auto")
    assert [s["exercise"] for s in analysis.sets] == [s["exercise"] for s in again.sets]
    assert [s["summary"]["rep_count"] for s in analysis.sets] == [
        s["summary"]["rep_count"] for s in again.sets
    ]
    assert [(e.t_s, e.kind) for e in analysis.events] == [(e.t_s, e.kind) for e in again.events]
    truth = json.loads(SAMPLE.with_suffix(".json").read_text())
    whole_reps = [r for r in truth["reps"] if r["end_s"] < CLIP_S]
    assert [s["exercise"] for s in analysis.sets] == ["glute_bridge"]
    assert analysis.sets[0]["summary"]["rep_count"] == len(whole_reps) == 2


def test_unwritable_output_fails_before_the_analysis_and_leaves_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "no_such_folder" / "out.mp4"
    with pytest.raises(OutputError, match="does not exist"):
        annotate_file(SAMPLE, missing)
    assert not missing.parent.exists()
    folder = tmp_path / "a_folder.mp4"
    folder.mkdir()
    with pytest.raises(OutputError, match="folder"):
        annotate_file(SAMPLE, folder)


def test_unreadable_source_is_an_input_error_and_leaves_no_output(tmp_path: Path) -> None:
    bad = tmp_path / "not_a_video.mp4"
    bad.write_text("hello")
    out = tmp_path / "out.mp4"
    with pytest.raises(InputError):
        annotate_file(bad, out)
    assert os.listdir(tmp_path) == ["not_a_video.mp4"]


# -- the writer on its own ------------------------------------------------------------------


def test_writer_keeps_variable_frame_times(tmp_path: Path) -> None:
    out = tmp_path / "vfr.mp4"
    stamps = [0, 33, 66, 150, 400, 433, 1000]
    with AnnotatedVideoWriter(out, 30.0, (96, 64)) as writer:
        for i, ts in enumerate(stamps):
            writer.write(np.full((64, 96, 3), 30 * i, np.uint8), timestamp_ms=ts)
    images, times, info = decode(out)
    assert times == stamps
    assert info["codec"] == "h264" and info["pix_fmt"] == "yuv420p"
    assert [round(float(images[i].mean()) / 30) for i in sorted(images)] == list(range(len(stamps)))


def test_writer_makes_odd_sizes_even(tmp_path: Path) -> None:
    out = tmp_path / "odd.mp4"
    with AnnotatedVideoWriter(out, 25.0, None) as writer:
        for _ in range(3):
            writer.write(np.full((49, 65, 3), 100, np.uint8))
    _, times, info = decode(out)
    assert info["size"] == (64, 48)
    assert times == [0, 40, 80]  # no timestamps given: 1 / fps apart


def test_writer_leaves_nothing_behind_when_the_block_fails(tmp_path: Path) -> None:
    out = tmp_path / "failed.mp4"
    with pytest.raises(RuntimeError, match="boom"), AnnotatedVideoWriter(out, 30.0) as writer:
        writer.write(np.zeros((48, 64, 3), np.uint8), 0)
        raise RuntimeError("boom")
    assert os.listdir(tmp_path) == []
    with pytest.raises(OutputError, match="no frame"), AnnotatedVideoWriter(out, 30.0):
        pass
    assert os.listdir(tmp_path) == []


def test_writer_rejects_frames_that_do_not_fit(tmp_path: Path) -> None:
    out = tmp_path / "mixed.mp4"
    with (
        pytest.raises(ValueError, match="the video is 64x48"),
        AnnotatedVideoWriter(out, 30.0) as writer,
    ):
        writer.write(np.zeros((48, 64, 3), np.uint8), 0)
        writer.write(np.zeros((24, 32, 3), np.uint8), 33)
    assert os.listdir(tmp_path) == []
