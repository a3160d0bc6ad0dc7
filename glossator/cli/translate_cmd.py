"""``glossator translate``: German files (or stdin) to English files (or stdout)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from glossator.cli.app import app
from glossator.cli.progress import progress
from glossator.common.settings import Settings, parse_workers

_FORMAT_HELP = "txt, md, lines, html, epub, docx, odt, odp, pptx, xlsx, srt, vtt, xliff or po (default: the extension)."


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
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress and no summary on stderr.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Overwrite existing outputs.")] = False,
    resume: Annotated[
        bool,
        typer.Option(
            "--resume",
            help="Skip inputs whose output exists (finishing an interrupted run; its segments come from the memory).",
        ),
    ] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Exit 7 if any glossary term is violated.")] = False,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Do not use or fill the translation memory.")] = False,
    memory: Annotated[
        Path | None, typer.Option("--memory", help="Translation memory file (default: the one in the cache dir).")
    ] = None,
    encoding: Annotated[str, typer.Option("--encoding", help="Encoding of the input files.")] = "utf-8",
    fmt: Annotated[str | None, typer.Option("--format", help=_FORMAT_HELP)] = None,
    beam_size: Annotated[int | None, typer.Option("--beam-size", min=1, help="Beam size (default 4).")] = None,
    workers: Annotated[
        str | None,
        typer.Option(
            "--workers",
            metavar="N",
            help="Engine batches decoded in parallel, one core each; the output is the same for any number "
            "(default: the machine's physical cores; also GLOSSATOR_WORKERS).",
        ),
    ] = None,
    threads: Annotated[int | None, typer.Option("--threads", min=1, help="CPU threads per worker (default 1).")] = None,
    ray: Annotated[
        str | None,
        typer.Option(
            "--ray",
            metavar="ADDRESS",
            help="Decode on a Ray cluster: local (Ray on this machine), auto (RAY_ADDRESS) or host:port; one "
            "decoder per cluster CPU (or --workers); the output is that of a local run. Needs glossator[ray].",
        ),
    ] = None,
    batch_tokens: Annotated[
        int | None,
        typer.Option(
            "--batch-tokens",
            min=1,
            help=f"Source tokens in engine batches in flight, all workers together (default "
            f"{Settings.max_batch_tokens}).",
        ),
    ] = None,
    model: Annotated[
        str | None,
        typer.Option("--model", "-m", help="Installed package code/name, a pair (de-en) or a package folder."),
    ] = None,
    batch_sentences: Annotated[
        int | None,
        typer.Option(
            "--batch-sentences",
            min=1,
            help=f"Sentences in engine batches in flight, all workers together (default {Settings.max_batch_sentences};"
            " 8 or less for less memory).",
        ),
    ] = None,
) -> None:
    """Translate German files to English, offline.

    Example: glossator translate corpus/iraq-troops.de.txt --glossary corpus/glossary.yaml -o article.en.txt
    """
    from dataclasses import replace

    from glossator.api import Translator
    from glossator.common.errors import CheckFailed

    settings = Settings.from_env()
    if beam_size:
        settings = settings.with_(decode=replace(settings.decode, beam_size=beam_size))
    overrides = {
        # Checked here, not by click, for a one-line error (click's range errors print the usage lines too).
        "workers": parse_workers(workers, f"--workers {workers!r}") if workers is not None else None,
        "threads": threads,
        "max_batch_tokens": batch_tokens,
        "max_batch_sentences": batch_sentences,
        "model": model,
    }
    settings = settings.with_(**{k: v for k, v in overrides.items() if v is not None})
    if no_cache:
        settings = settings.with_(use_cache=False)
    with (
        Translator(
            glossary=glossaries or None,
            settings=settings,
            memory=memory,
            ray=ray,
            workers=settings.workers if workers is not None else None,
        ) as translator,
        progress("translating", quiet=quiet) as report,
    ):
        results = translator.translate_files(
            inputs, output, force=force, encoding=encoding, fmt=fmt, progress=report, keep=json_out, resume=resume
        )
    for warning in results[0].warnings if results else ():
        typer.echo(f"Warning: {warning}", err=True)
    for result in results:
        if result.output is None and not json_out:
            sys.stdout.write(result.text)
    if json_out:
        payload: list[dict[str, Any]] = []
        for result in results:
            entry = result.to_dict()
            if result.output is None:
                entry["text"] = result.text
            payload.append(entry)
        typer.echo(json.dumps(payload if len(payload) > 1 else payload[0], ensure_ascii=False, indent=2))
    if not quiet:
        typer.echo(summary_line(results, with_terms=bool(glossaries)), err=True)
    violated = sum(r.violations for r in results)
    if strict and violated:
        raise CheckFailed(
            f"{violated} glossary term{'' if violated == 1 else 's'} violated (--strict); outputs were written, "
            "see --json."
        )


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def summary_line(results: list[Any], *, with_terms: bool) -> str:
    """``N segments (M from memory[, K from the translation memory (human)]); terms: …`` with correct plurals."""
    totals = {"ok": 0, "enforced": 0, "damaged": 0, "missing": 0, "forbidden": 0}
    for result in results:
        for key, value in result.term_counts().items():
            totals[key] = totals.get(key, 0) + value
    segments = sum(r.stats.get("segments", len(r.segments)) for r in results)
    cached = sum(r.stats.get("cached", 0) for r in results)
    human = sum(r.stats.get("tm", 0) for r in results)
    summary = f"{_plural(segments, 'segment')} ({cached} from memory"
    summary += f", {human} from the translation memory (human))" if human else ")"
    if with_terms:
        summary += (
            f"; terms: {totals['ok']} ok, {totals['enforced']} enforced, "
            + (f"{totals['damaged']} damaged, " if totals["damaged"] else "")
            + f"{totals['missing']} missing, {totals['forbidden']} forbidden"
        )
    return summary
