"""``glossator score``: BLEU, chrF++, TER (sacrebleu) with confidence intervals, and glossary term accuracy."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from glossator.cli.app import app


@app.command("score")
def score_command(
    hypothesis: Annotated[Path, typer.Argument(help="English translation to score (lines or paragraphs).")],
    refs: Annotated[list[Path], typer.Option("--ref", "-r", help="Reference translation; repeatable.")],
    src: Annotated[Path | None, typer.Option("--src", help="German source, for term accuracy.")] = None,
    glossaries: Annotated[list[Path] | None, typer.Option("--glossary", "-g", help="Glossary; repeatable.")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    sentence: Annotated[bool, typer.Option("--sentence", help="Also score every segment.")] = False,
    bootstrap: Annotated[int, typer.Option("--bootstrap", min=0, help="Bootstrap samples for the 95% CI.")] = 1000,
    min_bleu: Annotated[float | None, typer.Option("--min-bleu", help="Fail (exit 7) below this BLEU.")] = None,
    min_chrf: Annotated[float | None, typer.Option("--min-chrf", help="Fail (exit 7) below this chrF++.")] = None,
    max_ter: Annotated[float | None, typer.Option("--max-ter", help="Fail (exit 7) above this TER.")] = None,
    min_term_accuracy: Annotated[
        float | None, typer.Option("--min-term-accuracy", help="Fail (exit 7) below this term accuracy (percent).")
    ] = None,
    max_violations: Annotated[
        int | None,
        typer.Option(
            "--max-violations", help="Fail (exit 7) above this many term violations (target missing or forbidden)."
        ),
    ] = None,
    encoding: Annotated[str, typer.Option("--encoding", help="Encoding of all input files.")] = "utf-8",
) -> None:
    """Score a translation against references.

    Example: glossator score out.en.txt --ref corpus/iraq-troops.en.txt --src corpus/iraq-troops.de.txt
    --glossary corpus/glossary.yaml --min-bleu 20
    """
    from glossator.common.errors import CheckFailed, UsageError
    from glossator.quality.scoring import read_aligned, score

    if (glossaries and src is None) or (src is not None and not glossaries):
        raise UsageError("term accuracy needs both --src SOURCE and --glossary FILE.")
    if (min_term_accuracy is not None or max_violations is not None) and not glossaries:
        raise UsageError("--min-term-accuracy/--max-violations need --src and --glossary.")
    aligned = read_aligned(hypothesis, refs, src_path=src, encoding=encoding)
    for warning in aligned.warnings:
        typer.echo(f"Warning: {warning}", err=True)
    glossary = None
    if glossaries:
        from glossator.glossary.io import load_glossaries

        glossary = load_glossaries(glossaries)
    report = score(
        aligned.hypotheses,
        aligned.references,
        sources=aligned.sources,
        glossary=glossary,
        sentence=sentence,
        bootstrap=bootstrap,
    )
    if json_out:
        data = report.to_dict()
        data["unit"] = aligned.unit
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        typer.echo(f"{report.n_segments} {aligned.unit}s, {len(refs)} reference(s)")
        for metric in report.metrics:
            typer.echo(f"{metric.formatted():32} {metric.signature}")
        if report.term_accuracy is not None:
            acc_ = report.term_accuracy
            exact = "n/a" if acc_["exact"] is None else f"{100 * acc_['exact']:.1f}%"
            lemma = "n/a" if acc_["lemma"] is None else f"{100 * acc_['lemma']:.1f}%"
            typer.echo(
                f"term accuracy {exact} exact, {lemma} lemma ({acc_['occurrences']} occurrences), "
                f"{acc_['forbidden']} forbidden rendering(s)"
            )
        for i, row in enumerate(report.sentences):
            typer.echo(f"{aligned.numbers[i]}\t" + "\t".join(f"{k} {v:.2f}" for k, v in row.items()))

    from glossator.quality.gates import check_gates

    gates = check_gates(
        report.to_dict(),
        min_bleu=min_bleu,
        min_chrf=min_chrf,
        max_ter=max_ter,
        min_term_accuracy=min_term_accuracy,
        max_violations=max_violations,
    )
    failures = [g["message"] for g in gates if not g["passed"]]
    if failures:
        raise CheckFailed("; ".join(failures))
