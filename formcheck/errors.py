"""One error hierarchy for everything formcheck reports to a user.

Each error carries a one-line message meant for people (no traceback) and the process exit code
the CLI uses. Library code raises these; the CLI turns them into ``error: <message>`` on stderr.

Exit codes:
    0   success
    1   bad input (missing file, not a video, empty or truncated file, unreadable track);
        in a batch, at least one input failed (the others were still analysed)
    2   bad usage (unknown option or value; Typer's own code)
    3   pose model missing, corrupt or unloadable
    4   camera could not be opened or disappeared
    5   an output could not be written (permissions, missing folder, disk full)
    130 interrupted (Ctrl-C); what was measured so far is still written
"""

from __future__ import annotations


class FormcheckError(Exception):
    """Base of all errors formcheck reports to a user."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InputError(FormcheckError):
    """An input file is missing, empty, not a video or image, truncated, or unreadable."""

    exit_code = 1


class ConfigError(FormcheckError):
    """A configuration file or value is invalid."""

    exit_code = 2


class UsageError(FormcheckError):
    """Options that do not go together (Typer reports unknown options itself)."""

    exit_code = 2


class ModelError(FormcheckError):
    """The pose model is missing, corrupt, or cannot be loaded."""

    exit_code = 3


class CameraError(FormcheckError):
    """A camera could not be opened, or stopped delivering frames."""

    exit_code = 4


class OutputError(FormcheckError):
    """An output file could not be written."""

    exit_code = 5


class Interrupted(FormcheckError):
    """The user interrupted the run; partial results were kept."""

    exit_code = 130
