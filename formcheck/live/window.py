"""The live window: an OpenCV window that shows the session and turns keys into actions.

* :class:`Action` is what the user asked for with a key (or by closing the window), and
  :data:`KEYS` maps keys to actions: q/Esc quit, space pause, r restart the set, n next
  exercise.
* :class:`Display` is what a session shows its frames on; :class:`WindowDisplay` is the real
  window (``cv2.imshow``), which also notices being closed.

Example:
    >>> KEYS[ord("q")], KEYS[27], KEYS[ord(" ")]
    (<Action.QUIT: 'quit'>, <Action.QUIT: 'quit'>, <Action.PAUSE: 'pause'>)
"""

from __future__ import annotations

import contextlib
import enum
import os
from typing import Protocol

import cv2
import numpy as np
import numpy.typing as npt

from formcheck.closing import Closing
from formcheck.errors import FormcheckError

Image = npt.NDArray[np.uint8]


class Action(enum.StrEnum):
    """What the user asked for with a key (or by closing the window)."""

    NONE = "none"
    QUIT = "quit"
    PAUSE = "pause"
    RESTART = "restart"
    NEXT = "next"
    CLOSED = "closed"


KEYS: dict[int, Action] = {
    ord("q"): Action.QUIT,
    ord("Q"): Action.QUIT,
    27: Action.QUIT,  # Esc
    ord(" "): Action.PAUSE,
    ord("r"): Action.RESTART,
    ord("R"): Action.RESTART,
    ord("n"): Action.NEXT,
    ord("N"): Action.NEXT,
}


def _qt_font_dir() -> str | None:
    for folder in ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/truetype"):
        if os.path.isdir(folder):
            return folder
    return None


class WindowDisplay(Closing):
    """An OpenCV window (``cv2.imshow``) that reports keys and notices being closed.

    Args:
        title: Window title.
        size: (width, height) of the window in pixels; None: the first frame's size.

    Raises:
        FormcheckError: No display to open a window on (use ``--no-window``).
    """

    def __init__(self, title: str = "formcheck", *, size: tuple[int, int] | None = None) -> None:
        if (
            os.name == "posix"
            and not os.environ.get("DISPLAY")
            and not os.environ.get("WAYLAND_DISPLAY")
        ):
            raise FormcheckError(
                "no display to open a window on (DISPLAY is not set); use --no-window for "
                "console output"
            )
        font_dir = _qt_font_dir()
        if font_dir:  # OpenCV's Qt ships no fonts and says so on every window
            os.environ.setdefault("QT_QPA_FONTDIR", font_dir)
        self.title = title
        self.size = size
        self._opened = False
        self.closed = False

    def _open(self, width: int, height: int) -> None:
        flags = cv2.WINDOW_NORMAL | cv2.WINDOW_KEEPRATIO | cv2.WINDOW_GUI_NORMAL
        try:
            cv2.namedWindow(self.title, flags)
            w, h = self.size or (width, height)
            cv2.resizeWindow(self.title, int(w), int(h))
        except cv2.error as exc:
            raise FormcheckError(f"cannot open a window ({exc.err}); use --no-window") from None
        self._opened = True

    def show(self, image: Image, *, wait_ms: int = 1) -> Action:
        """Show ``image`` and return the key pressed meanwhile (or ``Action.CLOSED``)."""
        if self.closed:
            return Action.CLOSED
        if not self._opened:
            self._open(image.shape[1], image.shape[0])
        elif cv2.getWindowProperty(self.title, cv2.WND_PROP_VISIBLE) < 1:
            self.closed = True
            return Action.CLOSED
        cv2.imshow(self.title, image)
        key = cv2.waitKey(max(1, wait_ms))
        if cv2.getWindowProperty(self.title, cv2.WND_PROP_VISIBLE) < 1:
            self.closed = True
            return Action.CLOSED
        return KEYS.get(key & 0xFF, Action.NONE) if key >= 0 else Action.NONE

    def close(self) -> None:
        if self._opened:
            with contextlib.suppress(cv2.error):
                cv2.destroyWindow(self.title)
                cv2.waitKey(1)
            self._opened = False


class Display(Protocol):
    """Where frames are shown (a window); keys come back as actions."""

    def show(self, image: Image, *, wait_ms: int = 1) -> Action: ...


__all__ = ["KEYS", "Action", "Display", "WindowDisplay"]
