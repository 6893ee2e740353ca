"""``with`` support for the objects that hold something open (a decoder, a camera, the model, a
thread, a window, a speech process, a database): ``with obj:`` calls ``obj.close()`` at the end,
however the block ends.

Example:
    >>> class Door(Closing):
    ...     shut = False
    ...     def close(self) -> None:
    ...         self.shut = True
    >>> with Door() as door:
    ...     pass
    >>> door.shut
    True
"""

from __future__ import annotations

from types import TracebackType
from typing import Self


class Closing:
    """Mixin: a context manager whose exit is ``self.close()`` (which subclasses define)."""

    def close(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


__all__ = ["Closing"]
