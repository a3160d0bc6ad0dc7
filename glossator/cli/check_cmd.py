"""``glossator glossary check``: verify a finished translation against the glossary, segment by segment.

Useful in CI for human translations: each missing target and each forbidden rendering is listed as
``TRANSLATION:LINE: …`` (the form editors and CI annotations understand), a summary goes to stderr, and the
exit code is 7 when anything was found.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from glossator.cli import glossary_cmd
from glossator.cli.errors import KNOWN_ERRORS, fail
from glossator.common.errors import CheckFailed, InputError

if TYPE_CHECKING:
    from glossator.glossary.model import Glossary


@dataclass(frozen=True)
class _Segments:
    texts: list[str]
    lines: list[int]  # 1-based line of each segment's first line


def _lines(text: str) -> _Segments:
    lines = text.splitlines()
    while lines and not lines[-1].strip():
        lines.pop()  # trailing blank lines are layout, not segments
    return _Segments(texts=lines, lines=list(range(1, len(lines) + 1)))


def _paragraphs(text: str) -> _Segments:
    texts: list[str] = []
    starts: list[int] = []
    block: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            if not block:
                starts.append(number)
            block.append(line.strip())
        elif block:
            texts.append(" ".join(block))
            block = []
    if block:
        texts.append(" ".join(block))
    return _Segments(texts=texts, lines=starts)


def align(source_text: str, target_text: str, source: Path, target: Path) -> tuple[_Segments, _Segments, str]:
    """Pair up the segments of two files: line by line if the line counts agree, else by blank-line paragraphs.

    Raises :class:`InputError` naming both files and both counts when neither alignment fits.
    """
    source_lines, target_lines = _lines(source_text), _lines(target_text)
    if not source_lines.texts:
        raise InputError(f"{source}: source file is empty; nothing to check. Give the German source text.")
    if len(source_lines.texts) == len(target_lines.texts):
        return source_lines, target_lines, "lines"
    source_paras, target_paras = _paragraphs(source_text), _paragraphs(target_text)
    # Paragraphs only when the source has several: two one-paragraph files of different line counts (a
    # WMT test set missing a line) must not pass as one giant aligned segment.
    if len(source_paras.texts) > 1 and len(source_paras.texts) == len(target_paras.texts):
        return source_paras, target_paras, "paragraphs"
    raise InputError(
        f"{source} has {_count(source_lines.texts, 'line')} ({_count(source_paras.texts, 'paragraph')}) but "
        f"{target} has {_count(target_lines.texts, 'line')} ({_count(target_paras.texts, 'paragraph')}); "
        "align the translation with the source line by line or by blank-line paragraphs."
    )


def _count(items: list[str], noun: str) -> str:
    return f"{len(items)} {noun}{'' if len(items) == 1 else 's'}"


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


def _load_glossaries(paths: list[Path]) -> Glossary:
    from glossator.glossary.io import load_glossaries

    return load_glossaries(paths)


def _check(source: Path, translation: Path, glossaries: list[Path], *, json_output: bool, encoding: str) -> None:
    from glossator.common.fileio import read_text
    from glossator.glossary.check import check_documents

    glossary = _load_glossaries(glossaries)
    source_text = read_text(source, encoding=encoding, what="source file")
    target_text = read_text(translation, encoding=encoding, what="translation file")
    source_segments, target_segments, mode = align(source_text, target_text, source, translation)
    results = check_documents(
        source_segments.texts,
        target_segments.texts,
        glossary,
        lines=source_segments.lines,
        target_lines=target_segments.lines,
    )

    checks = [check for segment in results for check in segment.checks]
    missing = sum(check.status == "missing" for check in checks)
    forbidden = sum(check.status == "forbidden" for check in checks)
    summary = {
        "segments": len(results),
        "segments_with_terms": sum(bool(segment.checks) for segment in results),
        "occurrences": len(checks),
        "ok": len(checks) - missing - forbidden,
        "missing": missing,
        "forbidden": forbidden,
    }
    if json_output:
        report = {
            "source": str(source),
            "translation": str(translation),
            "alignment": mode,
            "glossary_digest": glossary.digest(),
            "summary": summary,
            "segments": [segment.to_dict() for segment in results if segment.checks],
        }
        typer.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        for segment in results:
            for check in segment.checks:
                where = f"{translation}:{segment.target_line}"
                origin = f'for "{check.match.surface}" ({source}:{segment.line})'
                if check.status == "missing":
                    typer.echo(f'{where}: missing "{check.match.english}" {origin}')
                for rendering in check.forbidden_found:
                    typer.echo(f'{where}: forbidden "{rendering}" {origin}; use "{check.match.english}"')
    typer.echo(
        f"glossary check: {summary['occurrences']} term occurrences in {summary['segments_with_terms']} of "
        f"{summary['segments']} segments ({mode}): {summary['ok']} ok, {missing} missing, {forbidden} forbidden.",
        err=True,
    )
    if missing or forbidden:
        raise CheckFailed(
            f"{translation}: {missing + forbidden} glossary violation(s) ({missing} missing, {forbidden} forbidden). "
            "Fix the lines listed above or update the glossary."
        )


def register(glossary_app: typer.Typer) -> None:
    """Add ``check`` to the ``glossator glossary`` group."""
    glossary_app.command("check")(check_command)


# The ``glossary`` group lives in glossary_cmd (the editing commands).
register(glossary_cmd.glossary_app)
