"""Frame sources: real video files written in tmp_path, read back with their true timing."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from formcheck import CameraError, InputError, open_source
from formcheck.media.sources import CameraSource, ImageSource, VideoFileSource

from .conftest import numbered_frames


def _brightness(image: np.ndarray) -> int:
    return round(float(image.mean()))


def test_constant_rate_video_reads_every_frame_in_order(make_video) -> None:
    path = make_video("cfr.mp4", numbered_frames(24), [round(i * 1000 / 30) for i in range(24)])
    with open_source(path) as source:
        assert source.info.kind == "video"
        assert (source.info.width, source.info.height) == (160, 120)
        frames = list(source)
    assert len(frames) == 24
    assert [f.index for f in frames] == list(range(24))
    assert [f.timestamp_ms for f in frames] == [round(i * 1000 / 30) for i in range(24)]
    # lossy YUV round trip: each frame's brightness within 2 levels of what was written
    assert np.allclose(
        [_brightness(f.image) for f in frames], [10 + 8 * i for i in range(24)], atol=2
    )


def test_variable_frame_rate_keeps_container_timestamps(make_video) -> None:
    stamps = [0, 20, 40, 60, 80, 150, 220, 290, 300, 310, 500, 700]
    path = make_video("vfr.mp4", numbered_frames(len(stamps)), stamps)
    with VideoFileSource(path) as source:
        got = [f.timestamp_ms for f in source]
    assert got == stamps


def test_rotated_phone_video_comes_out_upright(make_video) -> None:
    frame = np.zeros((120, 160, 3), np.uint8)
    frame[:, :40] = 255  # a white band on the left of the stored frame
    path = make_video("rot.mp4", [frame] * 5, [0, 33, 67, 100, 133], rotate=90)
    with VideoFileSource(path) as source:
        assert (source.info.width, source.info.height) == (120, 160)
        first = next(iter(source)).image
    assert first.shape[:2] == (160, 120)
    # turned upright as FFmpeg's own decoder shows it: the stored left band lies along the bottom
    assert first[-30:].mean() > 200 and first[:30].mean() < 50


def test_truncated_but_readable_video_stops_early_and_says_so(make_video, tmp_path: Path) -> None:
    path = make_video(
        "full.mp4",
        [
            np.random.default_rng(i).integers(0, 255, (120, 160, 3), dtype=np.uint8)
            for i in range(40)
        ],
        [i * 40 for i in range(40)],
        faststart=True,
    )
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with VideoFileSource(cut) as source:
        n = sum(1 for _ in source)
        assert 0 < n < 40
        assert source.truncated


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        (b"", "empty"),
        (b"this is not a video\n" * 20, "not a video"),
    ],
)
def test_bad_files_raise_one_line_input_errors(tmp_path: Path, content, message) -> None:
    path = tmp_path / "clip.mp4"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(InputError, match=message) as info:
        open_source(path)
    assert "\n" not in str(info.value)


def test_video_truncated_before_its_index_is_an_input_error(make_video, tmp_path: Path) -> None:
    path = make_video("full.mp4", numbered_frames(30), [i * 33 for i in range(30)])
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(path.read_bytes()[: path.stat().st_size // 3])
    with pytest.raises(InputError, match="truncated or damaged"):
        open_source(cut)


def test_single_image_and_folder_of_images(tmp_path: Path) -> None:
    for i in range(3):
        cv2.imwrite(str(tmp_path / f"img{i}.png"), np.full((40, 60, 3), 50 * i, np.uint8))
    (tmp_path / "notes.txt").write_text("ignored")
    with open_source(tmp_path) as folder:
        assert isinstance(folder, ImageSource) and folder.info.frame_count == 3
        frames = list(folder)
    assert [f.timestamp_ms for f in frames] == [0, 1000, 2000]
    assert [_brightness(f.image) for f in frames] == [0, 50, 100]
    with open_source(tmp_path / "img1.png") as single:
        assert [f.image.shape for f in single] == [(40, 60, 3)]


def test_folder_of_mixed_sizes_and_empty_folder(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputError, match="no images"):
        open_source(empty)
    cv2.imwrite(str(tmp_path / "a.png"), np.zeros((40, 60, 3), np.uint8))
    cv2.imwrite(str(tmp_path / "b.png"), np.zeros((20, 60, 3), np.uint8))
    with pytest.raises(InputError, match="differs"), open_source(tmp_path) as source:
        list(source)


def test_camera_that_cannot_be_opened_lists_cameras() -> None:
    with pytest.raises(CameraError, match=r"could not be opened .*cameras found"):
        CameraSource("/dev/video99")


def test_prefetcher_keeps_order_and_stops_early_without_hanging(make_video) -> None:
    from formcheck.media.sources import Prefetcher

    path = make_video("p.mp4", numbered_frames(30), [i * 33 for i in range(30)])
    with VideoFileSource(path) as source, Prefetcher(source, depth=2) as frames:
        got = [f.index for f in frames]
    assert got == list(range(30))
    with VideoFileSource(path) as source, Prefetcher(source, depth=2) as frames:
        first = next(iter(frames))
    assert first.index == 0  # leaving the block early closed the reader thread


def test_prefetcher_reraises_reader_errors() -> None:
    from formcheck.media.sources import Frame, Prefetcher, SourceInfo

    class Broken:
        info = SourceInfo("broken", "camera", 4, 4, None, None)

        def __iter__(self):
            yield Frame(np.zeros((4, 4, 3), np.uint8), 0, 0)
            raise CameraError("camera 'x' stopped delivering frames")

    with Prefetcher(Broken()) as frames:  # type: ignore[arg-type]
        iterator = iter(frames)
        assert next(iterator).index == 0
        with pytest.raises(CameraError, match="stopped delivering"):
            next(iterator)
