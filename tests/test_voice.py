"""The offline voice: real speech synthesis, and the queue, cooldown and failure rules.

The queue and cooldown are checked with a stand-in speech engine: a tiny shell script that
appends the words it is given to a file and takes a while to "say" them, run as a real
subprocess exactly as espeak-ng would be.
"""

from __future__ import annotations

import logging
import os
import shutil
import stat
import time
import wave
from pathlib import Path

import numpy as np
import pytest

from formcheck import OutputError
from formcheck.live.voice import NO_ENGINE_NOTE, Voice, find_engine, render_wav, speakable

ESPEAK = shutil.which("espeak-ng")
needs_espeak = pytest.mark.skipif(
    ESPEAK is None, reason="espeak-ng is not installed (apt-get install espeak-ng)"
)


def fake_engine(tmp_path: Path, *, seconds: float = 0.3, exit_code: int = 0, stderr: str = ""):
    """A speech command that logs each utterance to a file; returns (command, log path)."""
    log = tmp_path / "said.txt"
    script = tmp_path / "fake-say"
    script.write_text(
        "#!/bin/sh\n"
        f'echo "$1" >> "{log}"\n'
        + (f'echo "{stderr}" >&2\n' if stderr else "")
        + f"sleep {seconds}\n"
        f"exit {exit_code}\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return [str(script)], log


def said(log: Path) -> list[str]:
    return log.read_text().splitlines() if log.exists() else []


def wait_for(condition, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


# -- real synthesis ---------------------------------------------------------------------------


@needs_espeak
def test_render_wav_synthesises_real_non_silent_speech(tmp_path: Path) -> None:
    path = render_wav("Lift your hips: keep a straight line from head to heels", tmp_path / "c.wav")
    with wave.open(str(path)) as wav:
        assert wav.getsampwidth() == 2
        seconds = wav.getnframes() / wav.getframerate()
        samples = np.frombuffer(wav.readframes(wav.getnframes()), np.int16).astype(np.float64)
    assert 1.0 < seconds < 10.0
    assert np.sqrt(np.mean(samples**2)) > 500  # speech, not silence
    assert sorted(os.listdir(tmp_path)) == ["c.wav"]  # written atomically, no leftovers


def test_render_wav_without_an_engine_is_a_clear_error(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(OutputError, match="install espeak-ng"):
        render_wav("hello", tmp_path / "c.wav")
    assert not (tmp_path / "c.wav").exists()


@needs_espeak
def test_espeak_ng_is_the_engine_found_first() -> None:
    engine = find_engine()
    assert engine is not None and Path(engine[0]).name == "espeak-ng"
    with Voice() as voice:
        assert voice.available and voice.description == "espeak-ng"


def _no_sound_card() -> bool:
    runtime = Path(os.environ.get("XDG_RUNTIME_DIR", f"/run/user/{os.getuid()}"))
    return not (
        Path("/dev/snd").exists() or os.environ.get("PULSE_SERVER") or (runtime / "pulse").exists()
    )


@needs_espeak
@pytest.mark.skipif(not _no_sound_card(), reason="this machine may really play sound")
def test_real_espeak_without_a_sound_card_goes_quiet_with_a_note(caplog) -> None:
    with caplog.at_level(logging.WARNING, logger="formcheck.live.voice"), Voice() as voice:
        assert voice.say("Hold it there") is True  # not known yet: speaking is tried
        assert voice.wait_idle(10)
        assert not voice.available
        assert voice.note.startswith("voice: no sound output")
        assert voice.say("Rest") is False  # quiet from now on, no exception
    assert [r.getMessage() for r in caplog.records] == [voice.note]  # logged once


# -- the rules, with a stand-in engine -------------------------------------------------------


def test_say_returns_at_once_while_the_worker_speaks(tmp_path: Path) -> None:
    command, log = fake_engine(tmp_path, seconds=1.0)
    with Voice(backend=command) as voice:
        start = time.monotonic()
        assert voice.say("Hold it there")
        assert time.monotonic() - start < 0.5  # the engine speaks for 1 s: not waited for
        assert voice.wait_idle(5)
        assert said(log) == ["Hold it there"]


def test_a_newer_cue_replaces_the_one_waiting(tmp_path: Path) -> None:
    command, log = fake_engine(tmp_path, seconds=0.4)
    with Voice(backend=command) as voice:
        assert voice.say("1. Good rep")
        wait_for(lambda: said(log) == ["1. Good rep"])  # being said now
        assert voice.say("Keep your hips up during the pause")  # waits...
        assert voice.say("2. Good rep")  # ...and is replaced by this
        assert voice.wait_idle(5)
    assert said(log) == ["1. Good rep", "2. Good rep"]


def test_a_waiting_cue_of_higher_priority_is_not_replaced_by_a_lesser_one(tmp_path) -> None:
    command, log = fake_engine(tmp_path, seconds=0.4)
    with Voice(backend=command) as voice:
        voice.say("3", priority=1)
        wait_for(lambda: said(log) == ["3"])
        assert voice.say("Lift your hips", priority=3)
        assert not voice.say("4", priority=1)
        assert voice.wait_idle(5)
    assert said(log) == ["3", "Lift your hips"]


def test_the_same_words_are_not_repeated_within_the_cooldown(tmp_path: Path) -> None:
    command, log = fake_engine(tmp_path, seconds=0.05)
    with Voice(backend=command, cooldown_s=0.8) as voice:
        assert voice.say("Lift your hips")
        assert not voice.say("Lift your hips")  # already waiting or being said
        assert voice.wait_idle(5)
        assert not voice.say("Lift your hips")  # said a moment ago
        assert voice.say("Rest")  # other words are fine
        assert voice.wait_idle(5)
        time.sleep(0.8)
        assert voice.say("Lift your hips")  # the cooldown has passed
        assert voice.wait_idle(5)
    assert said(log) == ["Lift your hips", "Rest", "Lift your hips"]


def test_a_muted_voice_says_nothing_until_unmuted(tmp_path: Path) -> None:
    command, log = fake_engine(tmp_path, seconds=0.05)
    with Voice(backend=command, muted=True) as voice:
        assert voice.description == "fake-say (muted)"
        assert not voice.say("Hold it there")
        assert voice.wait_idle(1)
        assert said(log) == []
        voice.muted = False
        assert voice.say("Hold it there")
        assert voice.wait_idle(5)
    assert said(log) == ["Hold it there"]


def test_close_cuts_off_a_long_utterance_promptly(tmp_path: Path) -> None:
    command, log = fake_engine(tmp_path, seconds=30)
    voice = Voice(backend=command)
    voice.say("A very long cue")
    wait_for(lambda: said(log) == ["A very long cue"])
    voice.say("and another")
    start = time.monotonic()
    voice.close()
    assert time.monotonic() - start < 10  # cut off: the utterance would last 30 s
    assert not voice.say("after close")
    assert said(log) == ["A very long cue"]


@pytest.mark.parametrize(
    ("exit_code", "stderr", "note"),
    [
        (1, "", "voice: fake-say failed (exit code 1); muted"),
        (0, "error: No such file or directory", "voice: no sound output (fake-say: error: "),
        (0, "ALSA lib confmisc.c:855:(parse_card) cannot find card '0'", "voice: no sound output"),
    ],
)
def test_an_engine_that_cannot_speak_mutes_the_voice_quietly(
    tmp_path: Path, caplog, exit_code: int, stderr: str, note: str
) -> None:
    command, log = fake_engine(tmp_path, seconds=0, exit_code=exit_code, stderr=stderr)
    with (
        caplog.at_level(logging.WARNING, logger="formcheck.live.voice"),
        Voice(backend=command) as v,
    ):
        assert v.say("Hold it there")
        assert v.wait_idle(5)
        assert not v.available
        assert v.note.startswith(note)
        assert not v.say("Rest") and not v.say("Lift your hips")
    assert said(log) == ["Hold it there"]
    assert len(caplog.records) == 1


def test_no_speech_engine_is_a_note_not_an_error(tmp_path: Path, monkeypatch, caplog) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert find_engine() is None
    with caplog.at_level(logging.WARNING, logger="formcheck.live.voice"), Voice() as voice:
        assert not voice.available
        assert voice.note == NO_ENGINE_NOTE == "voice: no speech engine found (install espeak-ng)"
        assert voice.description == NO_ENGINE_NOTE
        assert not voice.say("Hold it there")
        assert not voice.say("Rest")
    assert [r.getMessage() for r in caplog.records] == [NO_ENGINE_NOTE]


def test_words_are_cleaned_for_the_command_line() -> None:
    assert speakable("  --help me\n now ") == "help me now"
    assert len(speakable("word " * 100)) == 200
