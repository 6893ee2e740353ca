"""Uploaded recordings: stored under formcheck's data folder with generated names, their type
judged by decoding them (never by their name), nothing half-written left behind.

Example:
    >>> suffix_for("matroska,webm"), suffix_for("mov,mp4,m4a,3gp,3g2,mj2"), suffix_for("avi")
    ('.mkv', '.mp4', '.avi')
"""

from __future__ import annotations

import contextlib
import logging
import os
import uuid
from pathlib import Path
from typing import BinaryIO

from formcheck.web import library as fc

log = logging.getLogger(__name__)

CHUNK = 1 << 20

#: FFmpeg demuxer names -> the suffix the stored file gets (formcheck opens it as a video).
_SUFFIXES = {"matroska": ".mkv", "webm": ".webm", "mov": ".mp4", "mp4": ".mp4", "avi": ".avi"}


class TooLarge(fc.InputError):
    """The upload is over the size limit."""


def suffix_for(format_name: str) -> str:
    """The suffix for a file FFmpeg reads with the demuxer ``format_name``."""
    for name in format_name.split(","):
        if name in _SUFFIXES:
            return _SUFFIXES[name]
    return ".video"


def probe_video(path: Path, label: str) -> str:
    """Check by decoding that ``path`` is a video; returns the suffix it should have.

    Raises:
        InputError: It is not a video formcheck can read (text, a still image, no frames...).
    """
    import av

    not_video = f"{label} is not a video formcheck can read (try an MP4, MOV, WebM or AVI file)"
    try:
        with av.open(str(path)) as container:
            fmt = container.format.name
            if "pipe" in fmt or fmt.startswith("image2") or not container.streams.video:
                raise fc.InputError(f"{label} is not a video (it looks like {fmt.split('_')[0]})")
            for _ in container.decode(video=0):
                return suffix_for(fmt)
    except fc.InputError:
        raise
    except Exception:  # anything FFmpeg cannot demux or decode
        raise fc.InputError(not_video) from None
    raise fc.InputError(f"{label}: the video has no frames")


def store_upload(stream: BinaryIO, folder: Path, *, label: str, max_bytes: int) -> Path:
    """Copy an upload into ``folder`` under a generated name once it is known to be a video.

    The bytes go to a hidden ``.part`` file first; it is removed if the upload is too large or
    not a video, and renamed (atomically) to ``<uuid><suffix>`` when it is one.

    Raises:
        InputError: Too large (:class:`TooLarge`), empty or not a video.
        OutputError: The folder cannot be written.
    """
    folder.mkdir(parents=True, exist_ok=True)
    name = uuid.uuid4().hex
    part = folder / f".{name}.part"
    try:
        size = 0
        with open(part, "wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise TooLarge(f"{label} is larger than the limit of {max_bytes / 1e6:.0f} MB")
                out.write(chunk)
        if size == 0:
            raise fc.InputError(f"{label} is empty")
        final = folder / f"{name}{probe_video(part, label)}"
        os.replace(part, final)
        return final
    except OSError as exc:
        raise fc.OutputError(f"cannot store the upload in {folder}: {exc.strerror}") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            part.unlink()


__all__ = ["TooLarge", "probe_video", "store_upload", "suffix_for"]
