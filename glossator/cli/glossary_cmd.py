"""``glossator glossary …``: read, validate and edit glossary files (never loads a model)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from glossator.cli.app import app

if TYPE_CHECKING:
    from glossator.glossary.model import Glossary

glossary_app: typer.Typer = typer.Typer(
    help="Inspect, validate, lint and edit glossaries (YAML, TSV, CSV, TBX).",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(glossary_app, name="glossary")

GlossaryArg = Annotated[Path, typer.Argument(help="Glossary file (.yaml, .tsv, .csv or .tbx).")]


def _load(path: Path, *, strict: bool = False):
    from glossator.glossary.io import iter_warnings, load_glossary

    glossary = load_glossary(path, strict=strict)
    for warning in iter_warnings(glossary):
        typer.echo(f"Warning: {warning}", err=True)
    return glossary


@glossary_app.command("list")
def list_command(glossary: GlossaryArg, json_out: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List entries as source → target.

    Example: glossator glossary list corpus/glossary.yaml
    """
    terms = _load(glossary).terms
    if json_out:
        typer.echo(json.dumps([t.to_dict() for t in terms], ensure_ascii=False, indent=2))
        return
    for term in terms:
        typer.echo(f"{term.source}\t{term.target}")


@glossary_app.command("show")
def show_command(glossary: GlossaryArg, source: Annotated[str, typer.Argument(help="German term.")]) -> None:
    """Show one entry with all its fields.

    Example: glossator glossary show corpus/glossary.yaml Terrormiliz
    """
    from glossator.common.errors import UsageError

    for term in _load(glossary).terms:
        if term.key == (source if term.case_sensitive else source.casefold()):
            typer.echo(json.dumps(term.to_dict(), ensure_ascii=False, indent=2))
            return
    raise UsageError(f"{glossary}: no entry {source!r}. See: glossator glossary list {glossary}")


@glossary_app.command("search")
def search_command(glossary: GlossaryArg, text: Annotated[str, typer.Argument(help="Text to look for.")]) -> None:
    """Entries whose source, target or variants contain TEXT (case-insensitive).

    Example: glossator glossary search corpus/glossary.yaml miliz
    """
    needle = text.casefold()
    for term in _load(glossary).terms:
        fields = (term.source, term.target, *term.variants, *term.target_variants)
        if any(needle in f.casefold() for f in fields):
            typer.echo(f"{term.source}\t{term.target}")


@glossary_app.command("validate")
def validate_command(glossary: GlossaryArg) -> None:
    """Parse the file and report the first error (exit 3) or the entry count. Strict: an entry another command would
    skip or merge (in a TBX or DeepL/Google file) is an error here.

    Example: glossator glossary validate corpus/glossary.yaml
    """
    typer.echo(f"{glossary}: {len(_load(glossary, strict=True))} entries, valid")


@glossary_app.command("stats")
def stats_command(glossary: GlossaryArg) -> None:
    """Counts of entries by status and tag.

    Example: glossator glossary stats corpus/glossary.yaml
    """
    from collections import Counter

    terms = _load(glossary).terms
    typer.echo(f"entries\t{len(terms)}")
    for status, count in sorted(Counter(t.status for t in terms).items()):
        typer.echo(f"status\t{status}\t{count}")
    for tag, count in sorted(Counter(tag for t in terms for tag in t.tags).items()):
        typer.echo(f"tag\t{tag}\t{count}")
    typer.echo(f"with forbidden renderings\t{sum(bool(t.forbidden) for t in terms)}")


@glossary_app.command("lint")
def lint_command(
    glossary: GlossaryArg,
    json_out: Annotated[bool, typer.Option("--json", help="Findings as JSON.")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Warnings fail too (exit 7).")] = False,
) -> None:
    """Find duplicate, conflicting, overlapping, empty and self-contradicting entries.

    One line per finding: origin (file:line), severity, kind, message. Exit 7 if there are errors (or, with
    --strict, warnings); exit 3 if the file cannot be read at all.

    Example: glossator glossary lint corpus/glossary.yaml
    """
    from glossator.common.errors import CheckFailed
    from glossator.glossary.io import iter_warnings, load_glossary
    from glossator.glossary.lint import ERROR, lint

    data = load_glossary(glossary, allow_duplicates=True)  # lint reports every duplicate itself
    for warning in iter_warnings(data):
        typer.echo(f"Warning: {warning}", err=True)
    findings = lint(data)
    errors = sum(f.severity == ERROR for f in findings)
    warnings = len(findings) - errors
    if json_out:
        report = {
            "glossary": str(glossary),
            "entries": len(data),
            "errors": errors,
            "warnings": warnings,
            "findings": [f.to_dict() for f in findings],
        }
        typer.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        for finding in findings:
            typer.echo(finding.format())
        if not findings:
            typer.echo(f"{glossary}: {len(data)} entries, no findings")
    if errors or (strict and warnings):
        raise CheckFailed(f"{glossary}: {errors} error(s), {warnings} warning(s) in {len(data)} entries.")


@glossary_app.command("add")
def add_command(
    glossary: GlossaryArg,
    source: Annotated[str, typer.Argument(help="German term, base form.")],
    target: Annotated[str, typer.Argument(help="English target.")],
    forbidden: Annotated[list[str] | None, typer.Option("--forbidden", help="Forbidden rendering; repeatable.")] = None,
    plural: Annotated[str | None, typer.Option("--plural", help="English plural if irregular.")] = None,
    note: Annotated[str | None, typer.Option("--note")] = None,
    case_sensitive: Annotated[bool, typer.Option("--case-sensitive")] = False,
    variant: Annotated[list[str] | None, typer.Option("--variant", help="German variant; repeatable.")] = None,
    status: Annotated[str | None, typer.Option("--status", help="approved, proposed or deprecated.")] = None,
    domain: Annotated[str | None, typer.Option("--domain")] = None,
    replace: Annotated[bool, typer.Option("--replace", help="Replace an existing entry.")] = False,
) -> None:
    """Add an entry (atomic, under a file lock; the file is created if missing).

    Example: glossator glossary add corpus/glossary.yaml Waffenruhe ceasefire --forbidden "weapons rest"
    """
    from glossator.common.errors import UsageError
    from glossator.glossary.edit import add_term
    from glossator.glossary.model import STATUSES, Term

    if status is not None and status not in STATUSES:
        raise UsageError(f"--status must be one of {', '.join(STATUSES)} (got {status!r}).")
    term = Term(
        source=source.strip(),
        target=target.strip(),
        forbidden=tuple(forbidden or ()),
        target_plural=plural,
        note=note,
        case_sensitive=case_sensitive,
        variants=tuple(variant or ()),
        domain=domain,
        status=status or "approved",
    )
    add_term(glossary, term, replace=replace)
    typer.echo(f"{'replaced' if replace else 'added'} {source} → {target} in {glossary}")


@glossary_app.command("remove")
def remove_command(glossary: GlossaryArg, source: Annotated[str, typer.Argument(help="German term.")]) -> None:
    """Remove an entry (atomic, under a file lock).

    Example: glossator glossary remove corpus/glossary.yaml Waffenruhe
    """
    from glossator.glossary.edit import remove_term

    remove_term(glossary, source)
    typer.echo(f"removed {source} from {glossary}")


@glossary_app.command("edit")
def edit_command(
    glossary: GlossaryArg,
    source: Annotated[str, typer.Argument(help="German term of the entry to change.")],
    target: Annotated[str | None, typer.Option("--target", help="New English target.")] = None,
    plural: Annotated[str | None, typer.Option("--plural", help="English plural ('' removes it).")] = None,
    add_forbidden: Annotated[
        list[str] | None, typer.Option("--add-forbidden", help="Add a forbidden rendering; repeatable.")
    ] = None,
    remove_forbidden: Annotated[
        list[str] | None, typer.Option("--remove-forbidden", help="Remove a forbidden rendering; repeatable.")
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="New note ('' removes it).")] = None,
    status: Annotated[str | None, typer.Option("--status", help="approved, proposed or deprecated.")] = None,
    add_variant: Annotated[
        list[str] | None, typer.Option("--add-variant", help="Add a German variant; repeatable.")
    ] = None,
    domain: Annotated[str | None, typer.Option("--domain", help="New domain ('' removes it).")] = None,
    rename: Annotated[str | None, typer.Option("--rename", help="New German source term.")] = None,
) -> None:
    """Change fields of one existing entry in place (atomic, under a file lock; other entries untouched).

    In a YAML file only the edited entry's lines are rewritten: comments and layout elsewhere stay.

    Example: glossator glossary edit corpus/glossary.yaml Terrormiliz --add-forbidden "terror group" --status approved
    """
    from glossator.common.errors import UsageError
    from glossator.glossary.edit import edit_entry
    from glossator.glossary.model import STATUSES

    options = (target, plural, add_forbidden, remove_forbidden, note, status, add_variant, domain, rename)
    if all(not o and o != "" for o in options):
        raise UsageError(
            "nothing to change: give at least one of --target, --plural, --add-forbidden, "
            "--remove-forbidden, --note, --status, --add-variant, --domain, --rename."
        )
    if status is not None and status not in STATUSES:
        raise UsageError(f"--status must be one of {', '.join(STATUSES)} (got {status!r}).")
    name, changed = edit_entry(
        glossary,
        source,
        target=target,
        plural=plural,
        add_forbidden=add_forbidden or (),
        remove_forbidden=remove_forbidden or (),
        note=note,
        status=status,
        add_variants=add_variant or (),
        domain=domain,
        rename=rename,
    )
    typer.echo(f"edited {name} in {glossary}: {', '.join(changed)}")


@glossary_app.command("export")
def export_command(
    glossary: GlossaryArg,
    output: Annotated[Path, typer.Option("-o", "--output", help="Target file; format from .yaml/.tsv/.csv/.tbx.")],
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing output.")] = False,
    flavour: Annotated[
        str,
        typer.Option(
            "--format",
            help="own (lossless, default), deepl (two columns, no header) or google (header de,en) for .tsv/.csv.",
        ),
    ] = "own",
) -> None:
    """Write the glossary in another format (lossless for our fields with the default --format own).

    Examples: glossator glossary export corpus/glossary.yaml -o terms.tsv
    glossator glossary export corpus/glossary.yaml -o terms.tbx (TBX v3 TBX-Basic, for Trados/memoQ)
    glossator glossary export corpus/glossary.yaml -o deepl.csv --format deepl (upload to DeepL)
    """
    _convert(glossary, output, force, flavour)


def _convert(glossary: Path, output: Path, force: bool, flavour: str, *, strict: bool = False) -> Glossary:
    from glossator.common.errors import OutputError
    from glossator.glossary.io import SUFFIX_HINT, SUFFIXES, save_glossary
    from glossator.glossary.tbx import is_tbx_path

    if output.resolve() == glossary.resolve():
        raise OutputError(f"{output}: output would overwrite the input glossary. Choose another -o.")
    if output.exists() and not force:
        raise OutputError(f"{output}: output exists. Pass --force to overwrite it.")
    if output.suffix.lower() not in SUFFIXES and not is_tbx_path(output):
        raise OutputError(f"{output}: unknown format {output.suffix!r}. {SUFFIX_HINT}.")
    if flavour not in ("own", "deepl", "google"):
        from glossator.common.errors import UsageError

        raise UsageError(f"--format {flavour}: use own, deepl or google.")
    if flavour != "own" and output.suffix.lower() not in (".tsv", ".csv"):
        raise OutputError(f"{output}: --format {flavour} writes .tsv or .csv files. Choose such an -o.")
    data = _load(glossary, strict=strict)
    save_glossary(data, output, flavour=flavour)
    typer.echo(f"wrote {len(data)} entries to {output}")
    return data


@glossary_app.command("import")
def import_command(
    source: Annotated[Path, typer.Argument(help="TSV/CSV/TBX/YAML glossary to convert.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="YAML glossary to write.")],
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing output.")] = False,
    strict: Annotated[
        bool, typer.Option("--strict", help="Refuse the file at the first entry that would be skipped or merged.")
    ] = False,
) -> None:
    """Convert a TSV/CSV glossary (e.g. a DeepL export) or a TBX term base (TBX v2 or v3) to our YAML format.

    Every usable entry is imported; each skipped or merged entry is listed (file:line) with a summary.
    Examples: glossator glossary import deepl.tsv -o glossary.yaml
    glossator glossary import memoq-export.tbx -o glossary.yaml
    """
    data = _convert(source, output, force, "own", strict=strict)
    skipped = len(data.extra.get("warnings", []))
    if skipped:
        typer.echo(f"{skipped} entr{'y' if skipped == 1 else 'ies'} skipped or merged (listed above)", err=True)
