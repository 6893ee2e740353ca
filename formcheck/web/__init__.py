"""formcheck in the browser (``formcheck serve``): live coaching with the webcam, uploads,
history and progress, served locally from the package (no CDN, works offline).

:func:`serve` runs it; :func:`create_app` builds the ASGI app (tests run it under uvicorn).
"""

from __future__ import annotations

from typing import Any

__all__ = ["WebSettings", "create_app", "serve"]


def __getattr__(name: str) -> Any:  # no FastAPI import until the web app is used
    if name in __all__:
        from formcheck.web import app

        return getattr(app, name)
    raise AttributeError(name)
