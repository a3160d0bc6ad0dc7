"""``glossator glossary check``: verify a finished translation against the glossary, segment by segment.

Useful in CI for human translations: each missing target and each forbidden rendering is listed as
``TRANSLATION:LINE: …`` (the form editors and CI annotations understand), a summary goes to stderr, and the
exit code is 7 when anything was found.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

import glossator.cli.glossary_cmd as glossary_cmd
from glossator.cli.errors import KNOWN_ERRORS, fail
from glossator.common.errors import CheckFailed


def check_command(
    source: Annotated[Path, typer.Argument(help="German source: one segment per line, or blank-line paragraphs.")],
    translation: Annotated[Path, typer.Argument(help="English translation aligned with SOURCE.")],
    glossary: Annotated[
        list[Path],
        typer.Option("--glossary", "-g", help="Glossary file (YAML, TSV, CSV or TBX); repeatable, later wins."),
    ],
    json_output: Annotated[bool, typer.Option("--json", help="Print the full report as JSON on stdout.")] = False,
    encoding: Annotated[str, typer.Option(help="Encoding of SOURCE and TRANSLATION.")] = "utf-8",
) -> None:
    """Check a finished translation against the glossary: list missing targets and forbidden renderings.

    Files are aligned line by line, or by blank-line paragraphs when the line counts differ. Findings are
    printed as TRANSLATION:LINE: …; the exit code is 7 when any target is missing or forbidden.

    Example: glossator glossary check article.de.txt article.en.txt --glossary corpus/glossary.yaml
    """
    try:
        _check(source, translation, glossary, json_output=json_output, encoding=encoding)
    except KNOWN_ERRORS as exc:
        fail(exc)


def _check(source: Path, translation: Path, glossaries: list[Path], *, json_output: bool, encoding: str) -> None:
    from glossator.api import check

    report = check(source, translation, glossaries, encoding=encoding)
    summary = report.summary()
    if json_output:
        typer.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        for finding in report.findings():
            typer.echo(finding)
    typer.echo(
        f"glossary check: {summary['occurrences']} term occurrences in {summary['segments_with_terms']} of "
        f"{summary['segments']} segments ({report.alignment}): {summary['ok']} ok, {report.missing} missing, "
        f"{report.forbidden} forbidden.",
        err=True,
    )
    if report.violations:
        raise CheckFailed(
            f"{translation}: {report.violations} glossary violation(s) ({report.missing} missing, "
            f"{report.forbidden} forbidden). Fix the lines listed above or update the glossary."
        )


def register(glossary_app: typer.Typer) -> None:
    """Add ``check`` to the ``glossator glossary`` group."""
    glossary_app.command("check")(check_command)


# The ``glossary`` group lives in glossary_cmd (the editing commands).
register(glossary_cmd.glossary_app)
