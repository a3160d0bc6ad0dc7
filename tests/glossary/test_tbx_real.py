"""TBX files other people wrote (tests/data/glossaries/README.md has their provenance): the TBX v3 example of the
standard's maintainers and an SDLX de/en export from Okapi's test resources (TBX v2, 223 entries, 44 with an empty
German term, 9 German terms repeated across concepts)."""

from __future__ import annotations

from pathlib import Path

import pytest
from clirun import run
from termbases import ASTRONOMY, de_en_terms, okapi_sdlx

from glossator.common.errors import GlossaryError
from glossator.glossary.io import load_glossary
from glossator.glossary.tbx import dump_tbx, load_tbx


def test_tbx_v3_langsec_termsec_is_read_and_unusable_entries_are_listed() -> None:
    glossary = load_tbx(ASTRONOMY)
    terms = {t.source: t for t in glossary.terms}
    assert len(terms) == 39
    assert (terms["cúmulo abierto"].target, terms["cúmulo abierto"].domain) == ("open cluster", "General")
    assert terms["cúmulo abierto"].forbidden == ("galactic cluster",)  # supersededTerm-admn-sts
    assert terms["disco de acreción"].target_variants == ("accretion disc", "circumstellar disk")
    warnings = glossary.extra["warnings"]
    assert warnings[0].endswith("languages zu ignored (Glossator reads German and English)")
    skipped = [w for w in warnings[1:] if "entry has no German (de) term" in w]
    assert len(skipped) == 6 and all(w.startswith(f"{ASTRONOMY}:") for w in skipped)


def test_strict_refuses_at_the_first_problem() -> None:
    with pytest.raises(GlossaryError, match="languages zu ignored"):
        load_glossary(ASTRONOMY, strict=True)
    result = run("glossary", "validate", ASTRONOMY)
    assert result.exit_code == 3 and "(--strict)" in result.stderr


def test_import_summarises_and_round_trips_every_de_en_term(tmp_path: Path) -> None:
    out = tmp_path / "astro.yaml"
    result = run("glossary", "import", ASTRONOMY, "-o", out)
    assert result.exit_code == 0, result.output
    assert "7 entries skipped or merged (listed above)" in result.stderr
    # third-party TBX → YAML → TBX keeps every German and English term
    again = tmp_path / "again.tbx"
    again.write_text(dump_tbx(load_glossary(out)), encoding="utf-8")
    assert load_tbx(again).terms == load_tbx(ASTRONOMY).terms


def test_the_xml_encoding_declaration_is_honoured(tmp_path: Path) -> None:
    text = ASTRONOMY.read_text(encoding="utf-8").replace('encoding="utf-8"', 'encoding="windows-1252"', 1)
    path = tmp_path / "cp1252.tbx"
    path.write_bytes(text.encode("windows-1252", errors="replace"))
    terms = {t.source: t for t in load_tbx(path).terms}
    assert terms["cúmulo abierto"].target == "open cluster"  # ú read as windows-1252, not refused as bad UTF-8


NS = {"xml": "http://www.w3.org/XML/1998/namespace"}


def _sdlx_problems(path: Path) -> tuple[list[int], list[tuple[int, str, int]]]:
    """Read with lxml, not with our reader: the lines of the entries with an empty (first) German term, and
    (line, German term, line of its first entry) of each entry repeating an earlier German term."""
    from lxml import etree

    empty: list[int] = []
    repeated: list[tuple[int, str, int]] = []
    first: dict[str, int] = {}
    for entry in etree.parse(str(path)).iter("termEntry"):
        german = ["".join(t.itertext()).strip() for t in entry.iterfind("langSet[@xml:lang='de']//term", NS)]
        if not german or not german[0]:
            empty.append(entry.sourceline)
        elif german[0].casefold() in first:
            repeated.append((entry.sourceline, german[0], first[german[0].casefold()]))
        else:
            first[german[0].casefold()] = entry.sourceline
    return empty, repeated


def test_sdlx_export_imports_every_usable_entry_and_lists_each_skipped_and_merged_one(tmp_path: Path) -> None:
    path = okapi_sdlx(tmp_path)
    empty, repeated = _sdlx_problems(path)
    assert (len(empty), len(repeated)) == (44, 9)
    glossary = load_tbx(path)
    assert len(glossary.terms) == 223 - 44 - 9
    warnings = glossary.extra["warnings"]
    assert [w for w in warnings if "empty German term" in w] == [
        f"{path}:{line}: entry has an empty German term. Fill in the <term>. Skipped." for line in empty
    ]
    assert [w for w in warnings if "duplicate entry" in w] == [
        f"{path}:{line}: duplicate entry {term!r} (first at {path}:{at}): merged, its English terms kept as target "
        "variants, its German as variants."
        for line, term, at in repeated
    ]
    assert len(warnings) == 44 + 9
    terms = {t.source: t for t in glossary.terms}
    assert (terms["Zickzackfalz"].target, terms["Zickzackfalz"].variants) == ("accordion fold", ("Harmonikafalz",))
    # The repeat of "Rotationstiefdruck" (line 7368) brings two German synonyms and an English term: all kept.
    merged = terms["Rotationstiefdruck"]
    assert (merged.target, merged.target_variants) == ("gravure printing", ("rotogravure",))
    assert merged.variants == ("Tiefdruck", "Kupfertiefdruck")
    assert terms["Zeichen"].target == "character"  # the file's "character " with its trailing blank


def test_sdlx_import_summarises_and_strict_refuses(tmp_path: Path) -> None:
    path = okapi_sdlx(tmp_path)
    out = tmp_path / "sdlx.yaml"
    result = run("glossary", "import", path, "-o", out)
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    assert lines[0] == f"Warning: {path}:270: entry has an empty German term. Fill in the <term>. Skipped."
    assert sum(line.startswith("Warning: ") for line in lines) == 53
    assert "wrote 170 entries" in result.output and "53 entries skipped or merged (listed above)" in result.stderr
    assert load_glossary(out).terms == load_tbx(path).terms
    refused = tmp_path / "strict.yaml"
    strict = run("glossary", "import", path, "-o", refused, "--strict")
    assert strict.exit_code == 3
    assert strict.stderr == f"Error: {path}:270: entry has an empty German term. Fill in the <term>.\n", strict.stderr
    assert not refused.exists()  # nothing written


@pytest.mark.parametrize("name", ["ltac", "okapi-sdlx"])
def test_third_party_tbx_to_yaml_to_tbx_keeps_every_de_en_term(tmp_path: Path, name: str) -> None:
    path = ASTRONOMY if name == "ltac" else okapi_sdlx(tmp_path)
    assert run("glossary", "import", path, "-o", tmp_path / "g.yaml").exit_code == 0
    assert run("glossary", "export", tmp_path / "g.yaml", "-o", tmp_path / "again.tbx").exit_code == 0
    # Counted with lxml in both files: every German and English term of every importable entry is there again.
    usable = set(de_en_terms(path, usable_only=True))
    assert set(de_en_terms(tmp_path / "again.tbx")) == usable
    # What is not: the English terms of the entries skipped for want of a German term, nothing else.
    lost = set(de_en_terms(path)) - usable
    assert {language for language, _ in lost} <= {"en"}
    assert len(lost) == {"ltac": 0, "okapi-sdlx": 45}[name]
