"""The ``glossator`` typer application: error mapping at the group level, and ``glossator version``.

The command modules register their commands on :data:`app`; :mod:`glossator.cli` imports them all. Each command
builds a :class:`~glossator.common.settings.Settings`, calls one library function, and turns a known
error into ``Error: …`` on stderr plus an exit code (see :mod:`glossator.cli.errors`). Library modules that
load models are imported inside the commands, so ``--help``, ``glossary …`` and ``score`` start fast.
"""

from __future__ import annotations

import sys
from typing import Any

import typer
import typer.core

from glossator.cli.errors import EXIT_INTERRUPTED, KNOWN_ERRORS, fail


class _Group(typer.core.TyperGroup):
    """Maps the library's typed errors to one-line messages and exit codes at the group level, so the mapping
    holds however the app is invoked (console script, ``python -m``, ``CliRunner``)."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except KNOWN_ERRORS as exc:
            fail(exc)
        except KeyboardInterrupt:
            typer.echo("Error: interrupted; no partial output was written.", err=True)
            sys.exit(EXIT_INTERRUPTED)


class _App(typer.Typer):
    """A Typer whose invocation maps the library's typed errors to one-line messages and exit codes."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().__call__(*args, **kwargs)
        except KNOWN_ERRORS as exc:
            fail(exc)
        except KeyboardInterrupt:
            typer.echo("Error: interrupted; no partial output was written.", err=True)
            sys.exit(EXIT_INTERRUPTED)


def make_app() -> typer.Typer:
    # pretty_exceptions_enable=False: a traceback must never dump a whole article from local variables.
    # rich_markup_mode=None (here and on every sub-app): click's plain help and usage errors. Typer's rich help
    # imports rich.markdown and markdown_it, 0.15 s of the 0.4 s `glossator --help` took on a slow machine.
    return _App(
        name="glossator",
        cls=_Group,
        help="Offline German→English translation with a curated glossary and quality scoring.",
        no_args_is_help=True,
        rich_markup_mode=None,
        pretty_exceptions_enable=False,
        add_completion=False,
        context_settings={"help_option_names": ["-h", "--help"]},
    )


app = make_app()

@app.command("version")
def version_command() -> None:
    """Print Glossator's version. Example: glossator version"""
    from glossator.common.version import version as _version

    typer.echo(f"glossator {_version()}")
