"""``glossator evaluate``: the whole loop over a corpus manifest (translate, score, check terms, report)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from glossator.cli.app import app


@app.command("evaluate")
def evaluate_command(
    manifest: Annotated[Path, typer.Argument(help="Corpus manifest (YAML).")] = Path("corpus/manifest.yaml"),
    formats: Annotated[
        list[str] | None, typer.Option("--format", "-f", help="table, json, markdown, junit or html; repeatable.")
    ] = None,
    output_dir: Annotated[
        Path | None, typer.Option("-o", "--output-dir", help="Write report.<ext> files here.")
    ] = None,
    baseline: Annotated[Path | None, typer.Option("--baseline", help="Earlier JSON report to compare with.")] = None,
    min_bleu: Annotated[float | None, typer.Option("--min-bleu")] = None,
    min_chrf: Annotated[float | None, typer.Option("--min-chrf")] = None,
    min_term_accuracy: Annotated[float | None, typer.Option("--min-term-accuracy", help="Percent.")] = None,
    max_violations: Annotated[int | None, typer.Option("--max-violations")] = None,
    bootstrap: Annotated[int, typer.Option("--bootstrap", min=0, help="Bootstrap samples for CIs.")] = 1000,
    model: Annotated[
        str | None,
        typer.Option("--model", "-m", help="Installed package code/name, a pair (de-en) or a package folder."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite existing reports in -o DIR.")] = False,
    workers: Annotated[
        str | None,
        typer.Option(
            "--workers",
            metavar="N",
            help="Engine batches decoded in parallel (default: the machine's physical cores; also GLOSSATOR_WORKERS).",
        ),
    ] = None,
) -> None:
    """Translate, score and term-check a corpus; write every format to -o DIR (the terminal gets the summary table),
    or print the first format without -o.

    Example: glossator evaluate corpus/manifest.yaml --format markdown --format json -o report/ --min-term-accuracy 100
    """
    from glossator.common.errors import CheckFailed, OutputError, UsageError
    from glossator.common.fileio import atomic_write_text
    from glossator.common.settings import Settings, parse_workers
    from glossator.quality.evaluate import compare_to_baseline, evaluate, load_report
    from glossator.quality.reports import EXTENSIONS, RENDERERS, check_gates, report_scores

    formats = formats or ["table"]
    unknown = [f for f in formats if f not in RENDERERS]
    if unknown:
        raise UsageError(f"--format {unknown[0]}: use one of {', '.join(RENDERERS)}.")
    worker_count = parse_workers(workers, f"--workers {workers!r}") if workers is not None else None
    if output_dir is not None:  # fail fast on an unusable -o, before translating
        existing = [output_dir / f"report.{EXTENSIONS[f]}" for f in formats]
        existing = [path for path in existing if path.exists()]
        if existing and not force:
            raise OutputError(f"{existing[0]}: report exists. Pass --force to overwrite it, or choose another -o.")
        try:
            output_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(
                f"{output_dir}: cannot use as the report directory ({exc.strerror}). Give a directory path with -o."
            ) from exc
    base = load_report(baseline) if baseline else None  # fail fast on an old schema, before translating
    settings = Settings.from_env()
    if model:
        settings = settings.with_(model=model)
    if worker_count is not None:
        settings = settings.with_(workers=worker_count)
    report = evaluate(manifest, settings, bootstrap=bootstrap)
    for warning in report.get("warnings") or []:
        typer.echo(f"Warning: {warning}", err=True)
    failures = []
    if base is not None:
        report["baseline"] = compare_to_baseline(report, base)
        failures += [
            f"{c['document']}: {c['metric']} dropped significantly ({c['baseline']:.2f} → {c['candidate']:.2f}, "
            f"p={c['p_value']:.3f})"
            for c in report["baseline"]
            if c["significant_drop"]
        ]
    gates = check_gates(
        report_scores(report),
        min_bleu=min_bleu,
        min_chrf=min_chrf,
        min_term_accuracy=min_term_accuracy,
        max_violations=max_violations,
    )
    if output_dir is not None:
        # With -o the reports go to files; the terminal gets the short table and the paths (an HTML page of the WMT
        # manifest is 1.7 MB: not something to print).
        for fmt in formats:
            target = output_dir / f"report.{EXTENSIONS[fmt]}"
            atomic_write_text(target, RENDERERS[fmt](report, gates))
        typer.echo(RENDERERS["table"](report, gates), nl=False)
        typer.echo("wrote " + ", ".join(str(output_dir / f"report.{EXTENSIONS[f]}") for f in formats))
    else:
        typer.echo(RENDERERS[formats[0]](report, gates), nl=False)
    failures += [g["message"] for g in gates if not g["passed"]]
    if failures:
        raise CheckFailed("; ".join(failures))
