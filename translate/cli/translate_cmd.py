"""``glossator translate``: German files (or stdin) to English files (or stdout)."""

from __future__ import annotations

import glob
import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from translate.cli import app
from translate.settings import Settings

_SUFFIXES = (".txt", ".md", ".markdown")


def _expand(inputs: list[str]) -> list[Path | None]:
    """Files, directories (their .txt/.md files, English outputs skipped) and glob patterns; ``-`` = stdin."""
    from translate.errors import InputError

    paths: list[Path | None] = []
    for item in inputs:
        if item == "-":
            paths.append(None)
            continue
        path = Path(item)
        if path.is_dir():
            found = sorted(
                p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in _SUFFIXES and ".en." not in p.name
            )
            if not found:
                raise InputError(f"{path}: directory has no .txt or .md files to translate.")
            paths.extend(found)
        elif not path.exists() and glob.has_magic(item):
            matched = sorted(Path(p) for p in glob.glob(item, recursive=True) if Path(p).is_file())
            if not matched:
                raise InputError(f"{item}: pattern matches no files. Check the pattern or quote it.")
            paths.extend(matched)
        else:
            paths.append(path)
    return paths


def _plan_outputs(paths: list[Path | None], output: str | None, force: bool) -> list[Path | None]:
    """Where each input's English goes (None = stdout); refuses overwriting inputs and, without --force, outputs."""
    from translate.documents import output_name
    from translate.errors import OutputError, UsageError

    if len(paths) > 1 and None in paths:
        raise UsageError("stdin ('-') can only be translated on its own.")
    if len(paths) == 1:
        if output == "-" or (output is None and paths[0] is None):
            return [None]
        src = paths[0]
        targets: list[Path | None] = [Path(output) if output else Path(output_name(str(src)))]
    else:
        out_dir = Path(output) if output else None
        if out_dir is not None and out_dir.exists() and not out_dir.is_dir():
            raise UsageError(f"-o {out_dir}: with several inputs -o names a directory, and this is a file.")
        targets = [
            (out_dir / output_name(p.name)) if out_dir else Path(output_name(str(p))) for p in paths if p is not None
        ]
    resolved_inputs = {p.resolve() for p in paths if p is not None}
    seen: set[Path] = set()
    for target in targets:
        assert target is not None
        if target.resolve() in resolved_inputs:
            raise OutputError(f"{target}: output would overwrite an input. Choose another -o.")
        if target.resolve() in seen:
            raise OutputError(f"{target}: two inputs would write the same output. Use -o DIR or rename one.")
        seen.add(target.resolve())
        if target.exists() and not force:
            raise OutputError(f"{target}: output exists. Pass --force to overwrite it.")
        parent = target.parent
        while not parent.exists() and parent != parent.parent:
            parent = parent.parent
        if not os.access(parent, os.W_OK):
            raise OutputError(f"{target.parent}: output directory is not writable. Choose another -o.")
    return targets


@app.command("translate")
def translate_command(
    inputs: Annotated[list[str], typer.Argument(help="German .txt/.md files, directories, globs, or - for stdin.")],
    output: Annotated[
        str | None, typer.Option("-o", "--output", help="Output file (one input) or directory (several); - = stdout.")
    ] = None,
    glossaries: Annotated[
        list[Path] | None, typer.Option("--glossary", "-g", help="Glossary (YAML/TSV/CSV); repeatable, later wins.")
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print per-segment source/target and term reports.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Overwrite existing outputs.")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Exit 7 if any glossary term is violated.")] = False,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Do not use or fill the translation memory.")] = False,
    encoding: Annotated[str, typer.Option("--encoding", help="Encoding of the input files.")] = "utf-8",
    fmt: Annotated[str | None, typer.Option("--format", help="txt, md or lines (default: from the extension).")] = None,
    beam_size: Annotated[int | None, typer.Option("--beam-size", min=1, help="Beam size (default 4).")] = None,
    threads: Annotated[int | None, typer.Option("--threads", min=1, help="CPU threads for the engine.")] = None,
    batch_tokens: Annotated[
        int | None,
        typer.Option(
            "--batch-tokens", min=1, help=f"Source tokens per engine batch (default {Settings.max_batch_tokens})."
        ),
    ] = None,
    batch_sentences: Annotated[
        int | None,
        typer.Option(
            "--batch-sentences",
            min=1,
            help=f"Sentences per engine batch (default {Settings.max_batch_sentences}; 2-4 for less memory).",
        ),
    ] = None,
) -> None:
    """Translate German files to English, offline.

    Example: glossator translate corpus/iraq-troops.de.txt --glossary corpus/glossary.yaml -o article.en.txt
    """
    from dataclasses import replace

    from glossary.fileio import atomic_write_text, decode_text, read_text
    from translate.documents import FORMATS, format_for_path
    from translate.errors import CheckFailed, UsageError
    from translate.pipeline import DocumentInput, translate_documents
    from translate.settings import Settings

    if fmt is not None and fmt not in FORMATS:
        raise UsageError(f"--format {fmt}: use one of {', '.join(FORMATS)}.")
    paths = _expand(inputs)
    targets = _plan_outputs(paths, output, force)
    settings = Settings.from_env()
    if beam_size:
        settings = settings.with_(decode=replace(settings.decode, beam_size=beam_size))
    if threads:
        settings = settings.with_(threads=threads)
    if batch_tokens:
        settings = settings.with_(max_batch_tokens=batch_tokens)
    if batch_sentences:
        settings = settings.with_(max_batch_sentences=batch_sentences)
    if no_cache:
        settings = settings.with_(use_cache=False)
    glossary = None
    if glossaries:
        from glossary.io import load_glossaries

        glossary = load_glossaries(glossaries)

    documents = []
    for path in paths:
        if path is None:
            text = decode_text(sys.stdin.buffer.read(), "<stdin>", encoding=encoding)
            documents.append(DocumentInput("<stdin>", text, fmt or "txt"))
        else:
            documents.append(DocumentInput(str(path), read_text(path, encoding=encoding), fmt or format_for_path(path)))

    warnings: list[str] = []
    results = _run_with_progress(documents, settings, glossary, warnings, translate_documents)
    for warning in warnings:
        typer.echo(f"Warning: {warning}", err=True)

    for result, target in zip(results, targets, strict=True):
        if target is None:
            if not json_out:
                sys.stdout.write(result.text)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_text(target, result.text)
    if json_out:
        payload: list[dict[str, Any]] = []
        for result, target in zip(results, targets, strict=True):
            entry = result.to_dict()
            entry["output"] = str(target) if target else "-"
            if target is None:
                entry["text"] = result.text
            payload.append(entry)
        typer.echo(json.dumps(payload if len(payload) > 1 else payload[0], ensure_ascii=False, indent=2))

    totals = {"ok": 0, "enforced": 0, "missing": 0, "forbidden": 0}
    for result in results:
        for key, value in result.term_counts().items():
            totals[key] = totals.get(key, 0) + value
    segments = sum(len(r.segments) for r in results)
    cached = sum(r.stats["cached"] for r in results)
    summary = f"{segments} segments ({cached} from memory)"
    if glossary is not None:
        summary += (
            f"; terms: {totals['ok']} ok, {totals['enforced']} enforced, "
            f"{totals['missing']} missing, {totals['forbidden']} forbidden"
        )
    typer.echo(summary, err=True)
    violated = totals["missing"] + totals["forbidden"]
    if strict and violated:
        raise CheckFailed(f"{violated} glossary term(s) violated (--strict); outputs were written, see --json.")


def _run_with_progress(documents, settings, glossary, warnings, translate_documents):
    """Progress bar on stderr when it is a terminal, silent otherwise."""
    if not sys.stderr.isatty():
        return translate_documents(documents, settings, glossary=glossary, warnings=warnings)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("translating"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), transient=True
    ) as bar:
        task = bar.add_task("translate", total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        return translate_documents(documents, settings, glossary=glossary, progress=update, warnings=warnings)
