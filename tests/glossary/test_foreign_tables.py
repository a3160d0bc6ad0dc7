"""Glossary tables as other tools write them: Google/GlotPress "equivalent term sets" (a header of language codes)
and DeepL's CSV (source, target, source language, target language). Every pair comes out German→English."""

from __future__ import annotations

from pathlib import Path

from clirun import run
from paths import REPO

from glossator.glossary.io import load_glossary

WORDPRESS = REPO / "tests" / "data" / "glossaries" / "wordpress-de.csv"
# DeepL's own example of its four-column CSV (source,target,source lang,target lang), from its Python SDK's tests.
DEEPL_SDK_CSV = REPO / "tests" / "data" / "glossaries" / "deepl-python-example_glossary.csv"


def test_wordpress_glossary_is_read_german_to_english_with_duplicates_merged() -> None:
    glossary = load_glossary(WORDPRESS)
    terms = {t.source: t for t in glossary.terms}
    assert "en" not in terms and "de" not in terms  # the header is not a term
    assert (terms["Konto"].target, terms["Konto"].tags, terms["Konto"].note) == ("account", ("noun",), "Einzahl")
    # "aktiviert" renders activate/activated/enable/enabled: the first is the target, the rest variants, each said.
    assert terms["aktiviert"].target == "activate"
    assert terms["aktiviert"].target_variants == ("activated", "enable", "enabled")
    warnings = glossary.extra["warnings"]
    merged = [w for w in warnings if "'aktiviert' repeats the entry at" in w]
    assert any("'activated' kept as a target variant" in w for w in merged)
    assert len(glossary.terms) == 445 and len(warnings) == 517 - 445


def test_import_reports_the_merges_and_writes_yaml(tmp_path: Path) -> None:
    out = tmp_path / "wp.yaml"
    result = run("glossary", "import", WORDPRESS, "-o", out)
    assert result.exit_code == 0, result.output
    assert load_glossary(out).terms == load_glossary(WORDPRESS).terms


def test_deepl_csv_rows_are_oriented_by_their_language_columns(tmp_path: Path) -> None:
    # DeepL's CSV entry form is source,target,source_lang,target_lang (one pair per row, no header).
    path = tmp_path / "deepl.csv"
    path.write_text(
        "troop strength,Truppenstärke,EN,DE\nStrategischer Dialog,Strategic Dialogue,DE,EN-GB\nbonjour,hallo,FR,DE\n",
        encoding="utf-8",
    )
    glossary = load_glossary(path)
    assert [(t.source, t.target) for t in glossary.terms] == [
        ("Truppenstärke", "troop strength"),
        ("Strategischer Dialog", "Strategic Dialogue"),
    ]
    assert glossary.extra["warnings"] == [f"{path}:3: skipped, FR→DE is not a German/English pair"]


def test_deepl_sdk_example_csv_is_read_german_to_english(tmp_path: Path) -> None:
    # DeepL's SDK test uploads this file as an EN→DE glossary and expects {"sourceEntry1": "targetEntry1",
    # 'source"Entry': "target,Entry"} back: lower-case language codes, CSV quoting, no final line break.
    glossary = load_glossary(DEEPL_SDK_CSV)
    assert [(t.source, t.target, t.origin) for t in glossary.terms] == [
        ("targetEntry1", "sourceEntry1", f"{DEEPL_SDK_CSV}:1"),
        ("target,Entry", 'source"Entry', f"{DEEPL_SDK_CSV}:2"),
    ]
    assert "warnings" not in glossary.extra
    out, back = tmp_path / "deepl.yaml", tmp_path / "deepl.csv"
    assert run("glossary", "import", DEEPL_SDK_CSV, "-o", out).exit_code == 0
    assert run("glossary", "export", out, "-o", back, "--format", "deepl").exit_code == 0
    assert [(t.source, t.target) for t in load_glossary(back).terms] == [(t.source, t.target) for t in glossary.terms]


def test_export_deepl_and_google_forms_read_back(tmp_path: Path) -> None:
    source = REPO / "corpus" / "glossary.yaml"
    deepl, google = tmp_path / "deepl.tsv", tmp_path / "google.csv"
    assert run("glossary", "export", source, "-o", deepl, "--format", "deepl").exit_code == 0
    assert run("glossary", "export", source, "-o", google, "--format", "google").exit_code == 0
    assert deepl.read_text(encoding="utf-8").splitlines()[0].split("\t")[0] != "source"  # no header
    assert google.read_text(encoding="utf-8").startswith("de,en\n")
    pairs = [(t.source, t.target) for t in load_glossary(source).terms]
    assert [(t.source, t.target) for t in load_glossary(deepl).terms] == pairs
    assert [(t.source, t.target) for t in load_glossary(google).terms] == pairs
    refused = run("glossary", "export", source, "-o", tmp_path / "x.yaml", "--format", "deepl")
    assert refused.exit_code == 5 and "writes .tsv or .csv" in refused.stderr
