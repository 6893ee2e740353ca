"""How ``formcheck serve`` runs (:class:`WebSettings`), and where its pages are.

Example:
    >>> settings = WebSettings(host="127.0.0.1", db=Path("/tmp/h.sqlite3"))
    >>> settings.token is None, settings.data_dir
    (True, PosixPath('/tmp/web'))
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from formcheck.web import library as fc
from formcheck.web.auth import needs_token, new_token

STATIC = resources.files("formcheck.web") / "static"
PAGES = {
    "/": "index.html",
    "/live": "live.html",
    "/analyze": "analyze.html",
    "/sessions": "sessions.html",
    "/progress": "progress.html",
}


@dataclass(frozen=True, kw_only=True)
class WebSettings:
    """How ``formcheck serve`` runs.

    Attributes:
        host: Address to bind (127.0.0.1: this computer only).
        port: Port to listen on.
        db: The history database.
        token: The token every request needs; None on 127.0.0.1 without ``--token``.
            :meth:`resolved` generates one for any other address (127.0.0.2 and 0.0.0.0
            included).
        data_dir: Uploads, annotated videos and full reports (default: ``web`` beside the
            history database).
        max_upload_mb: The largest upload accepted.
        config: Settings in effect.
        model: Pose model bundle (None: the shipped one).
    """

    host: str = "127.0.0.1"
    port: int = 8765
    db: Path = dataclasses.field(default_factory=lambda: fc.default_db_path())
    token: str | None = None
    data_dir: Path | None = None
    max_upload_mb: float = 1024.0
    config: fc.Config = dataclasses.field(default_factory=lambda: fc.Config())
    model: Path | None = None

    def __post_init__(self) -> None:
        if self.data_dir is None:
            object.__setattr__(self, "data_dir", Path(self.db).parent / "web")

    def resolved(self) -> WebSettings:
        """These settings with a generated token when the address is not 127.0.0.1."""
        if self.token is None and needs_token(self.host):
            return dataclasses.replace(self, token=new_token())
        return self

    @property
    def folder(self) -> Path:
        assert self.data_dir is not None
        return self.data_dir

    def url(self, host: str | None = None) -> str:
        """The address to open (with the token in it when there is one)."""
        shown = host or self.host
        if ":" in shown:
            shown = f"[{shown}]"
        query = f"/?token={self.token}" if self.token else "/"
        return f"http://{shown}:{self.port}{query}"
