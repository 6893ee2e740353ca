"""The ``formcheck`` command line: a thin Typer layer over the library, one module per command
group (:mod:`.analyze`, :mod:`.config`, :mod:`.history`, :mod:`.live`, :mod:`.web`) on the
shared :mod:`.app`.

May import the whole library; nothing in the library imports it.
"""

from formcheck.cli import analyze, config  # noqa: F401  (their commands register on import)
from formcheck.cli import history as _history
from formcheck.cli import live as _live
from formcheck.cli import web as _web
from formcheck.cli.app import app, handles_errors

_history.register(app, handles_errors)
_live.register(app, handles_errors)
_web.register(app, handles_errors)


def _register_synth() -> None:
    try:
        from formcheck.synth.cli import synth
    except ImportError:  # the synth package is optional
        return
    app.command(
        "synth",
        help="Render a synthetic exercise video with exact ground truth "
        "(needs the synth extra: pip install -e '.\\[synth]').",
    )(handles_errors(synth))


_register_synth()


def main() -> None:
    """Console-script entry point."""
    app()


__all__ = ["app", "main"]
