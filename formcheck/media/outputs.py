"""Writing output files safely: atomically (temporary file, then rename), with clear errors.

A reader never sees a half-written report or track: the data goes to a temporary file in the
same folder, which replaces the target only once it is complete. Permission problems, missing
folders and a full disk become an :class:`~formcheck.errors.OutputError` naming the file.

Example:
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "r.txt"
    >>> with atomic_path(target) as tmp:
    ...     _ = tmp.write_text("done")
    >>> target.read_text()
    'done'
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from formcheck.errors import OutputError


def _describe(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "no space left on the device"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "permission denied"
    if exc.errno == errno.ENOENT:
        return "the folder does not exist"
    if exc.errno == errno.EISDIR:
        return "is a folder"
    return exc.strerror or type(exc).__name__


def check_writable(path: str | os.PathLike[str]) -> Path:
    """Fail early, before long work, when ``path`` cannot be written."""
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        raise OutputError(f"{target}: cannot write, it is a folder")
    if not folder.is_dir():
        raise OutputError(f"{target}: cannot write, the folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"{target}: cannot write, permission denied in {folder}")
    try:  # os.access says yes to root everywhere (even /proc): really try
        fd, probe = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".probe", dir=folder)
    except OSError as exc:
        raise OutputError(f"{target}: cannot write, {_describe(exc)}") from None
    os.close(fd)
    os.unlink(probe)
    return target


def _umask() -> int:
    """The process's umask (read without changing it where Linux allows: os.umask sets it)."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str], *, suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; rename it onto ``path`` if the block succeeds.

    Args:
        path: The final file.
        suffix: Suffix of the temporary file (defaults to the target's, which some writers need).

    Raises:
        OutputError: The file could not be written or moved into place.
    """
    target = check_writable(path)
    try:
        fd, tmp_name = tempfile.mkstemp(
            prefix=f".{target.name}.",
            suffix=suffix or target.suffix or ".tmp",
            dir=target.parent if str(target.parent) else ".",
        )
        os.close(fd)
    except OSError as exc:
        why = "files cannot be created there" if exc.errno == errno.ENOENT else _describe(exc)
        raise OutputError(f"{target}: cannot write, {why}") from None
    tmp = Path(tmp_name)
    try:
        yield tmp
        # mkstemp makes the file private (0600): give it the mode a new file normally gets
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    except OSError as exc:
        raise OutputError(f"{target}: cannot write, {_describe(exc)}") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def write_text_atomic(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically and return the path."""
    with atomic_path(path) as tmp, tmp.open("w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    return Path(path)
