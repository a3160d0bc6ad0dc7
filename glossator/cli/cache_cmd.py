"""``glossator cache stats|clear``: the translation memory."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from glossator.cli.app import app

cache_app = typer.Typer(
    help="Inspect or clear the translation memory (SQLite).", no_args_is_help=True, rich_markup_mode=None
)
app.add_typer(cache_app, name="cache")


def _memory():
    from glossator.common.settings import Settings
    from glossator.translate.cache import TranslationMemory

    return TranslationMemory(Settings.from_env().cache_path)


@cache_app.command("stats")
def stats_command(json_out: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False) -> None:
    """Show where the memory is, how many sentences it holds, per model.

    Example: glossator cache stats --json
    """
    memory = _memory()
    stats = memory.stats()
    for warning in memory.warnings:
        typer.echo(f"Warning: {warning}", err=True)
    if json_out:
        typer.echo(json.dumps(stats.to_dict(), indent=2))
        return
    typer.echo(f"path\t{stats.path}\nentries\t{stats.entries}\nsize\t{stats.size_bytes} bytes")
    for model, count in sorted(stats.models.items()):
        typer.echo(f"model\t{model}\t{count}")


@cache_app.command("clear")
def clear_command() -> None:
    """Delete every stored translation.

    Example: glossator cache clear
    """
    memory = _memory()
    removed = memory.clear()
    for warning in memory.warnings:
        typer.echo(f"Warning: {warning}", err=True)
    typer.echo(f"removed {removed} entries from {memory.path}")
