"""``glossator models list|install|remove|path|update``: the translation packages Glossator can use.

Packages live in argospm's folder (``ARGOS_PACKAGES_DIR``), so both tools see the same packages. Only
``models install PAIR`` and ``models update`` use the network.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from glossator.cli.app import app

if TYPE_CHECKING:
    from glossator.common.settings import Settings
    from glossator.models.packages import PackageInfo

models_app = typer.Typer(
    help="List, install and remove translation model packages (shared with argospm).",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(models_app, name="models")


def _settings() -> Settings:
    from glossator.common.settings import Settings

    return Settings.from_env()


def _describe(package: PackageInfo) -> str:
    return f"{package.code} {package.version}".strip()


@models_app.command("list")
def list_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print the packages as a JSON list.")] = False,
) -> None:
    """List the installed packages: code, language pair, version, folder (no network).

    Example: glossator models list --json
    """
    from glossator.models.packages import list_packages, list_problems

    settings = _settings()
    packages = list_packages(settings)
    for problem in list_problems(settings):
        typer.echo(f"Warning: {problem}", err=True)
    if as_json:
        typer.echo(json.dumps([p.to_dict() for p in packages], indent=2, ensure_ascii=False))
        return
    if not packages:
        typer.echo(
            f"No packages installed in {settings.packages_dir}. Install one with "
            "'glossator models install de-en' (online) or 'glossator models install FILE.argosmodel'.",
            err=True,
        )
        return
    rows = [
        (p.code, f"{p.from_code}→{p.to_code}", p.version, str(p.path), "test fixture" if p.is_test_fixture else "")
        for p in packages
    ]
    headers = ("code", "pair", "version", "path", "note")
    if sys.stdout.isatty():
        from rich.console import Console
        from rich.table import Table

        table = Table(*headers)
        for row in rows:
            table.add_row(*row)
        Console().print(table)
    else:  # scripts get one tab-separated line per package, never wrapped or cut
        for row in [headers, *rows]:
            typer.echo("\t".join(row).rstrip("\t"))


def _progress_bar(label: str) -> tuple[Any, Any]:
    """A rich progress bar on stderr when it is a terminal, else (None, None)."""
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TransferSpeedColumn

    console = Console(stderr=True)
    if not console.is_terminal:
        return None, None
    bar = Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        console=console,
        transient=True,
    )
    task = bar.add_task(label, total=None)

    def update(done: int, total: int | None) -> None:
        bar.update(task, completed=done, total=total)

    return bar, update


@models_app.command("install")
def install_command(
    package: Annotated[
        str,
        typer.Argument(help="A language pair such as de-en (downloads from the index) or a .argosmodel file/folder."),
    ],
    force: Annotated[bool, typer.Option("--force", help="Replace a different package in the same folder.")] = False,
) -> None:
    """Install a package from an .argosmodel file or folder (offline) or by language pair (online).

    A pair such as de-en downloads the newest package from the Argos package index (ARGOS_PACKAGE_INDEX),
    sha256-checked when the index gives a checksum. Packages go to ARGOS_PACKAGES_DIR, where argospm
    finds them too. Reinstalling the same version does nothing; a different package in the same folder
    is replaced only with --force. Before a package becomes visible it is checked: a German→English pair, a model
    and tokenizer that load, and one test sentence translated (a corrupt package is refused, exit 4).

    Example: glossator models install tests/model/de_en_glossator_test.argosmodel
    """
    from glossator.models.packages import install_from_index, install_package, list_packages, parse_pair
    from glossator.translate.engine import verify_package

    settings = _settings()
    pair = parse_pair(package)
    before = {(p.path, p.code, p.version) for p in list_packages(settings)}
    if pair is not None and not Path(package).exists():
        bar, update = _progress_bar(f"downloading {pair[0]}-{pair[1]}")
        if bar is None:
            installed = install_from_index(pair[0], pair[1], settings, force=force, verify=verify_package)
        else:
            with bar:
                installed = install_from_index(pair[0], pair[1], settings, update, force=force, verify=verify_package)
    else:
        installed = install_package(Path(package), settings, force=force, verify=verify_package)
    if (installed.path, installed.code, installed.version) in before and not force:
        typer.echo(f"{_describe(installed)} is already installed in {installed.path}.", err=True)
    else:
        typer.echo(f"Installed {_describe(installed)} in {installed.path}.", err=True)


@models_app.command("remove")
def remove_command(
    package: Annotated[str, typer.Argument(help="Folder name, code (translate-de_en) or pair (de-en).")],
) -> None:
    """Remove an installed package (by folder name, code or language pair).

    Example: glossator models remove de-en
    """
    from glossator.models.packages import remove_package

    for removed in remove_package(package, _settings()):
        typer.echo(f"Removed {_describe(removed)} from {removed.path}.", err=True)


@models_app.command("path")
def path_command() -> None:
    """Print the folder where packages live (ARGOS_PACKAGES_DIR; shared with argospm).

    Example: ls "$(glossator models path)"
    """
    typer.echo(str(_settings().packages_dir))


@models_app.command("update")
def update_command() -> None:
    """Refresh the cached package index from ARGOS_PACKAGE_INDEX (network).

    Example: glossator models update
    """
    from glossator.models.packages import index_cache_path, index_url, update_index

    settings = _settings()
    available = update_index(settings)
    pairs = sorted({f"{a.info.from_code}-{a.info.to_code}" for a in available})
    noun = "package" if len(available) == 1 else "packages"
    typer.echo(
        f"{len(available)} {noun} in {index_url(settings)} ({', '.join(pairs) or 'none'}); "
        f"cached in {index_cache_path(settings)}.",
        err=True,
    )
