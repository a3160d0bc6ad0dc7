"""``glossator memory stats|clear|import|export``: the translation memory (``glossator cache stats|clear``, the
commands' old names, stay as a hidden alias)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from glossator.cli.app import app

memory_app = typer.Typer(
    help="The translation memory (SQLite): machine translations, and human ones imported from TMX.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(memory_app, name="memory")
cache_app = typer.Typer(help="Old name of `glossator memory`.", no_args_is_help=True, rich_markup_mode=None)
app.add_typer(cache_app, name="cache", hidden=True)  # kept for scripts written before TMX import

MemoryOption = Annotated[
    Path | None,
    typer.Option("--memory", help="The memory file (default: memory.sqlite3 in GLOSSATOR_CACHE_DIR or the cache dir)."),
]


def _memory(path: Path | None = None):
    from glossator.common.settings import Settings
    from glossator.translate.cache import TranslationMemory

    return TranslationMemory(path or Settings.from_env().cache_path)


@cache_app.command("stats")
@memory_app.command("stats")
def stats_command(
    json_out: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    memory_path: MemoryOption = None,
) -> None:
    """Show where the memory is, how many machine translations it holds per model, and its human entries.

    Example: glossator memory stats --json
    """
    memory = _memory(memory_path)
    stats = memory.stats()
    for warning in memory.warnings:
        typer.echo(f"Warning: {warning}", err=True)
    if json_out:
        typer.echo(json.dumps(stats.to_dict(), indent=2))
        return
    typer.echo(f"path\t{stats.path}\nentries\t{stats.entries}\nsize\t{stats.size_bytes} bytes")
    for model, count in sorted(stats.models.items()):
        typer.echo(f"model\t{model}\t{count}")
    typer.echo(f"human\t{stats.human}")
    for origin, count in sorted(stats.origins.items()):
        typer.echo(f"origin\t{origin}\t{count}")


@cache_app.command("clear")
@memory_app.command("clear")
def clear_command(
    human: Annotated[
        bool, typer.Option("--human", help="Also delete the human translations imported from TMX.")
    ] = False,
    memory_path: MemoryOption = None,
) -> None:
    """Delete every machine translation (with --human, the imported human ones too).

    Example: glossator memory clear
    """
    memory = _memory(memory_path)
    removed = memory.clear(human=human)
    kept = 0 if human else memory.human_count()
    for warning in memory.warnings:
        typer.echo(f"Warning: {warning}", err=True)
    message = f"removed {removed} entries from {memory.path}"
    if kept:
        message += f"; kept {kept} human entr{'y' if kept == 1 else 'ies'} imported from TMX (--human removes them)"
    typer.echo(message)


@memory_app.command("import")
def import_command(
    tmx: Annotated[Path, typer.Argument(help="A TMX file (1.4b or 1.1) with German and English variants.")],
    memory_path: MemoryOption = None,
    json_out: Annotated[bool, typer.Option("--json", help="Machine-readable summary on stdout.")] = False,
) -> None:
    """Import the human German→English translations of a TMX file; they then replace machine output.

    Each skipped unit (no German or English variant, an empty side) and each repeated German text is listed
    with its line on stderr; the import is one transaction.

    Example: glossator memory import client.tmx
    """
    from glossator.api import import_tmx

    result = import_tmx(tmx, memory=memory_path)
    for warning in (*result.skipped, *result.duplicates):
        typer.echo(f"Warning: {warning}", err=True)
    if json_out:
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    summary = (
        f"imported {result.imported} of {result.units} units from {tmx} into {result.memory} "
        f"({result.new} new, {result.updated} replaced)"
    )
    if result.skipped or result.duplicates:
        summary += f"; {len(result.skipped)} skipped, {len(result.duplicates)} repeated German (listed above)"
    typer.echo(summary)


@memory_app.command("export")
def export_command(
    output: Annotated[Path, typer.Option("-o", "--output", help="The TMX file to write.")],
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing output.")] = False,
    include_machine: Annotated[
        bool,
        typer.Option("--include-machine", help="Also write the machine translations (marked x-glossator-method)."),
    ] = False,
    memory_path: MemoryOption = None,
) -> None:
    """Write the memory as TMX 1.4b for Trados, memoQ or OmegaT (the human entries; --include-machine adds the
    machine translations).

    Example: glossator memory export -o tm.tmx
    """
    from glossator.api import export_tmx

    result = export_tmx(output, memory=memory_path, include_machine=include_machine, force=force)
    if not result.human and not result.machine:
        typer.echo(
            "Warning: the memory holds no human entries"
            + ("" if include_machine else " (--include-machine adds the machine translations)")
            + "; the TMX has no units",
            err=True,
        )
    typer.echo(f"wrote {result.human} human and {result.machine} machine units to {result.output}")
