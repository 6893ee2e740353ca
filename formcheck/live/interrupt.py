"""Ctrl-C during a live session: a flag the loop checks, so the session ends cleanly.

:func:`catch_sigint` turns the first Ctrl-C (SIGINT) or SIGTERM into an
:class:`InterruptFlag` that the loop checks between two frames, so the report of what was
measured is still built; a second Ctrl-C raises :class:`KeyboardInterrupt` as usual.

Example:
    >>> import signal
    >>> with catch_sigint() as flag:
    ...     signal.raise_signal(signal.SIGINT)
    ...     flag.is_set
    True
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType


class InterruptFlag:
    """Set by the first Ctrl-C (SIGINT) while :func:`catch_sigint` is active."""

    def __init__(self) -> None:
        self.is_set = False


@contextlib.contextmanager
def catch_sigint() -> Iterator[InterruptFlag]:
    """Turn the first Ctrl-C (or SIGTERM) into a flag the loop checks, so the session ends
    cleanly between two frames; a second one raises KeyboardInterrupt as usual. Outside the
    main thread (where signals cannot be caught) the flag is never set and Ctrl-C behaves as
    usual."""
    flag = InterruptFlag()
    if threading.current_thread() is not threading.main_thread():
        yield flag
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        if flag.is_set:
            raise KeyboardInterrupt
        flag.is_set = True

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield flag
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


__all__ = ["InterruptFlag", "catch_sigint"]
