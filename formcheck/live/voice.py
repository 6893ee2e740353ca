"""Speaking cues aloud, offline: espeak-ng (or espeak, spd-say, macOS ``say``) on a worker thread.

:class:`Voice` never blocks its caller and never raises into the live loop. A worker thread
speaks one cue at a time; while it speaks, at most one cue waits, and a newer cue replaces the
waiting one (a cue that waited is stale by the time it could be said). The same words are not
said again within ``cooldown_s`` of the last time they were said.

When there is no speech engine, or the engine cannot play (a machine without a sound card:
espeak-ng then reports an audio error), the voice goes quiet: it logs one note, keeps it in
:attr:`Voice.note` for the CLI to print, and ignores further cues.

:func:`render_wav` writes speech to a WAV file instead of the speakers (no sound card needed).

Example:
    >>> with Voice(muted=True) as voice:
    ...     voice.say("Hold it there")
    False
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from formcheck.closing import Closing
from formcheck.errors import OutputError
from formcheck.media.outputs import atomic_path

log = logging.getLogger(__name__)

#: Speech engines tried in order: (program, arguments before the text).
ENGINES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("espeak-ng", ("-s", "160")),
    ("espeak", ("-s", "160")),
    ("spd-say", ("--wait",)),
    ("say", ()),
)
NO_ENGINE_NOTE = "voice: no speech engine found (install espeak-ng)"
#: Longest time one cue may take to say before it is cut off (seconds).
MAX_UTTERANCE_S = 15.0
_MAX_CHARS = 200


def find_engine() -> list[str] | None:
    """The command (program and options) of the first speech engine on PATH, or None.

    On macOS ``say`` is tried too; elsewhere espeak-ng, espeak and spd-say.

    Example:
        >>> find_engine()  # doctest: +SKIP
        ['/usr/bin/espeak-ng', '-s', '160']
    """
    for program, args in ENGINES:
        if program == "say" and sys.platform != "darwin":
            continue
        found = shutil.which(program)
        if found:
            return [found, *args]
    return None


def speakable(text: str) -> str:
    """``text`` cleaned for a speech engine's command line: one line, no leading dashes (which
    would read as options), at most 200 characters.

    Example:
        >>> speakable("  -3.  Good rep\\n")
        '3. Good rep'
    """
    return " ".join(text.split()).lstrip("- ")[:_MAX_CHARS]


def _audio_error(stderr: str) -> str:
    """What an engine's stderr says went wrong, in a few words ("" if nothing).

    espeak-ng exits 0 when it cannot open the sound device; it prints ``error: ...`` (and ALSA
    its own complaints) instead.

    Example:
        >>> _audio_error("ALSA lib confmisc.c:855:(parse_card) cannot find card '0'")
        'no sound card found'
    """
    low = stderr.lower()
    if "cannot find card" in low or "unknown pcm" in low:
        return "no sound card found"
    for line in stderr.splitlines():
        if line.strip().lower().startswith("error"):
            return line.strip()
    return ""


class Voice(Closing):
    """Offline text-to-speech for cues (see module docs).

    Args:
        muted: Start muted (``say`` does nothing; can be changed later with :attr:`muted`).
        cooldown_s: The same words are not said again sooner than this (seconds).
        backend: The speech command to run, text appended as its last argument (e.g.
            ``["espeak-ng", "-s", "160"]``); None finds one (:func:`find_engine`).

    Attributes:
        note: Why the voice is silent ("" while it works), for the CLI to print.

    Example:
        >>> with Voice() as voice:  # doctest: +SKIP
        ...     voice.say("Lift your hips", priority=3)
        True
    """

    def __init__(
        self,
        *,
        muted: bool = False,
        cooldown_s: float = 3.0,
        backend: Sequence[str] | None = None,
    ) -> None:
        self.cooldown_s = float(cooldown_s)
        self._muted = bool(muted)
        self._command: list[str] | None = list(backend) if backend else find_engine()
        self.note = "" if self._command else NO_ENGINE_NOTE
        self._failed = self._command is None
        self._noted = False
        self._cond = threading.Condition()
        self._pending: tuple[str, int] | None = None
        self._speaking = False
        self._closed = False
        self._proc: subprocess.Popen[bytes] | None = None
        self._last_said: dict[str, float] = {}
        self._thread: threading.Thread | None = None
        self.spoken: list[str] = []

    # -- properties --------------------------------------------------------------------------
    @property
    def muted(self) -> bool:
        """True while muted (cues are dropped); settable, e.g. from a key press."""
        return self._muted

    @muted.setter
    def muted(self, value: bool) -> None:
        with self._cond:
            self._muted = bool(value)
            if self._muted:
                self._pending = None

    @property
    def available(self) -> bool:
        """True when a speech engine was found and has not failed."""
        return not self._failed

    @property
    def description(self) -> str:
        """What the voice uses, in a few words ("espeak-ng", "muted", or why it is silent)."""
        if self._failed:
            return self.note or "off"
        assert self._command is not None
        name = Path(self._command[0]).name
        return f"{name} (muted)" if self._muted else name

    # -- speaking ----------------------------------------------------------------------------
    def say(self, text: str, priority: int = 0) -> bool:
        """Queue ``text`` to be said; returns at once, True if it was queued.

        Nothing is queued when muted, silent (no engine, or it failed), after ``close()``, for
        empty text, for the words now waiting, or for words said within ``cooldown_s``. A cue
        already waiting is replaced unless it has a higher ``priority``.
        """
        words = speakable(text)
        with self._cond:
            if self._failed:
                self._note_once()
                return False
            if self._muted or self._closed or not words:
                return False
            last = self._last_said.get(words)
            if last is not None and time.monotonic() - last < self.cooldown_s:
                return False
            if self._pending is not None:
                if self._pending[0] == words or self._pending[1] > priority:
                    return False
                log.debug("voice: %r replaces the waiting %r", words, self._pending[0])
            self._pending = (words, priority)
            self._start_worker()
            self._cond.notify_all()
            return True

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until nothing is being said or waiting (for tests and a clean exit).

        Returns:
            True if the voice went idle within ``timeout`` seconds.
        """
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._pending is not None or self._speaking:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
        return True

    def close(self) -> None:
        """Stop speaking now (the current utterance is cut off) and end the worker."""
        with self._cond:
            self._closed = True
            self._pending = None
            proc = self._proc
            self._cond.notify_all()
        if proc is not None:
            _stop(proc)
        if self._thread is not None:
            self._thread.join(timeout=2.0)

    # -- the worker --------------------------------------------------------------------------
    def _note_once(self) -> None:
        if not self._noted and self.note:
            self._noted = True
            log.warning("%s", self.note)

    def _start_worker(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="formcheck-voice", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while True:
            with self._cond:
                while self._pending is None and not self._closed:
                    self._cond.wait()
                if self._closed:
                    return
                assert self._pending is not None
                words = self._pending[0]
                self._pending = None
                self._speaking = True
                self._last_said[words] = time.monotonic()
            try:
                self._speak(words)
            finally:
                with self._cond:
                    self._speaking = False
                    self._proc = None
                    self._cond.notify_all()

    def _speak(self, words: str) -> None:
        assert self._command is not None
        command = [*self._command, words]
        try:
            with self._cond:
                if self._closed:
                    return
                self._proc = subprocess.Popen(
                    command,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                    env={**os.environ, "LC_MESSAGES": "C", "LANGUAGE": "C"},
                    start_new_session=os.name == "posix",  # its own group: stop all of it
                )
                proc = self._proc
            try:
                _, err = proc.communicate(timeout=MAX_UTTERANCE_S)
            except subprocess.TimeoutExpired:
                _stop(proc)
                _, err = proc.communicate()
                log.debug("voice: %r took longer than %g s; cut off", words, MAX_UTTERANCE_S)
                return
        except OSError as exc:
            self._fail(f"voice: {Path(command[0]).name} could not be started ({exc.strerror})")
            return
        if self._closed:
            return  # terminated by close()
        message = _audio_error(err.decode("utf-8", "replace"))
        name = Path(command[0]).name
        if proc.returncode != 0:
            detail = f": {message}" if message else ""
            self._fail(f"voice: {name} failed (exit code {proc.returncode}{detail}); muted")
        elif message:
            self._fail(f"voice: no sound output ({name}: {message}); muted")
        else:
            self.spoken.append(words)

    def _fail(self, note: str) -> None:
        with self._cond:
            self._failed = True
            self.note = note
            self._pending = None
            self._note_once()


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """End a speech process and anything it started (a wrapper script's children too)."""
    with contextlib.suppress(OSError):
        if os.name == "posix":
            os.killpg(proc.pid, signal.SIGTERM)
        else:
            proc.terminate()


def render_wav(text: str, path: str | os.PathLike[str], *, engine: str | None = None) -> Path:
    """Synthesise ``text`` into a WAV file with espeak-ng (or espeak), atomically.

    Args:
        text: The words.
        path: The WAV file to write.
        engine: The program to use (default: espeak-ng, else espeak, from PATH).

    Raises:
        OutputError: No engine, the engine failed, or the file cannot be written.

    Example:
        >>> render_wav("Hold it there", "cue.wav")  # doctest: +SKIP
        PosixPath('cue.wav')
    """
    program = engine or shutil.which("espeak-ng") or shutil.which("espeak")
    if program is None:
        raise OutputError(f"{path}: cannot synthesise speech, {NO_ENGINE_NOTE.split(': ', 1)[1]}")
    with atomic_path(path, suffix=".wav") as tmp:
        try:
            done = subprocess.run(
                [program, "-w", str(tmp), speakable(text)],
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=60,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise OutputError(f"{path}: speech synthesis failed ({exc})") from None
        if done.returncode != 0 or tmp.stat().st_size <= 44:
            why = done.stderr.decode("utf-8", "replace").strip().splitlines()
            reason = why[-1] if why else f"exit code {done.returncode}"
            raise OutputError(f"{path}: speech synthesis failed ({reason})")
    return Path(path)


__all__ = ["ENGINES", "NO_ENGINE_NOTE", "Voice", "find_engine", "render_wav", "speakable"]
