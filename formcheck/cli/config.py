"""The ``formcheck config`` commands (``show``, ``example``) and ``formcheck models``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from formcheck.cli.app import (
    ConfigOption,
    ModelOption,
    SetOption,
    app,
    handles_errors,
    out,
    settings,
)

config_app = typer.Typer(
    help="Show or write the configuration (thresholds and timings).", no_args_is_help=True
)
app.add_typer(config_app, name="config")


@config_app.command("show")
@handles_errors
def config_show(config: ConfigOption = None, overrides: SetOption = None) -> None:
    """Print the effective settings (defaults < --config file < --set) with their units."""
    from formcheck.config import describe

    cfg = settings(config, overrides)
    table = Table(box=None, padding=(0, 1))
    table.add_column("setting", style="bold")
    table.add_column("value", justify="right")
    table.add_column("unit")
    table.add_column("meaning")
    for section, key, value, unit, doc in describe(cfg):
        table.add_row(f"{section}.{key}", f"{value:g}", unit, doc)
    out.print(table)


@config_app.command("example")
@handles_errors
def config_example(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead of printing.")
    ] = None,
) -> None:
    """Print (or write) a fully commented TOML config with the default values."""
    from formcheck.config import example_toml
    from formcheck.media.outputs import write_text_atomic

    text = example_toml()
    if output is None:
        out.print(text, highlight=False, markup=False)
    else:
        write_text_atomic(output, text)
        out.print(f"wrote {output}", highlight=False)


@app.command()
@handles_errors
def models(
    model: ModelOption = None,
) -> None:
    """Show the pose model in use and verify its checksum."""
    from formcheck.pose.models import DEFAULT_MODEL_SHA256, model_search_paths, resolve_model

    info = resolve_model(model)
    out.print(f"model     {info.path}", highlight=False)
    out.print(f"sha256    {info.sha256}", highlight=False)
    if info.is_default:
        out.print("checksum  OK (formcheck's shipped BlazePose GHUM full model)", highlight=False)
    else:
        out.print(
            "checksum  not the shipped model (no reference checksum; used as given)",
            highlight=False,
        )
    if model is None:
        out.print(f"expected  {DEFAULT_MODEL_SHA256}", highlight=False)
        out.print("searched  " + ", ".join(str(p) for p in model_search_paths()), highlight=False)
