"""The ``formcheck serve`` command: options in, one call to :func:`formcheck.web.app.serve`."""

# No ``from __future__ import annotations``: Typer reads the option types at definition.
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer


def register(app: typer.Typer, handles_errors: Callable[[Any], Any]) -> None:
    """Add ``serve`` to ``app``."""
    from formcheck.cli.app import ConfigOption, DbOption, ModelOption, SetOption

    @app.command()
    @handles_errors
    def serve(
        port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port.")] = 8765,
        host: Annotated[
            str,
            typer.Option(
                "--host",
                help="Address to listen on. 127.0.0.1: this computer only; any other address "
                "needs a token (generated and printed unless --token is given).",
            ),
        ] = "127.0.0.1",
        db: DbOption = None,
        open_browser: Annotated[
            bool, typer.Option("--open/--no-open", help="Open the browser on the home page.")
        ] = True,
        token: Annotated[
            str | None,
            typer.Option(
                "--token",
                help="Require this token (Authorization: Bearer, or ?token= in the address).",
            ),
        ] = None,
        max_upload_mb: Annotated[
            float, typer.Option("--max-upload-mb", min=1.0, help="Largest upload accepted.")
        ] = 1024.0,
        config: ConfigOption = None,
        overrides: SetOption = None,
        model: ModelOption = None,
    ) -> None:
        """Start the web app: live coaching with the browser's webcam, uploads of recordings,
        the history and progress; served locally, it works with the network unplugged.

        Prints the address and opens it in the browser. Live sessions and uploads are stored
        in the history (uploads and annotated videos in a [bold]web[/] folder beside it).
        """
        from formcheck.cli.app import settings as config_settings
        from formcheck.history.history import default_db_path
        from formcheck.web.app import WebSettings
        from formcheck.web.app import serve as run

        settings = WebSettings(
            host=host,
            port=port,
            db=Path(db) if db is not None else default_db_path(),
            token=token or None,
            max_upload_mb=max_upload_mb,
            config=config_settings(config, overrides),
            model=model,
        )
        run(settings, open_browser=open_browser)


__all__ = ["register"]
