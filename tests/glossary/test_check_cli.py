"""``glossator glossary check``: findings with line numbers, exit codes, alignment and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from clirun import run as run_glossator

GLOSSARY_YAML = """\
version: 1
source_language: de
target_language: en
terms:
  - source: Terrormiliz
    target: terrorist militia
    forbidden: [terror militia]
  - source: Strategischer Dialog
    target: Strategic Dialogue
  - source: Stützpunkt
    target: base
  - source: IS
    target: IS
    case_sensitive: true
"""

SOURCE = """\
Die Terrormiliz greift an.
Das geschah im Zuge eines Strategischen Dialogs.
Ohne Fachbegriffe.
Feste Stützpunkte sollen wegfallen.
"""

GOOD = """\
The terrorist militia attacks.
This happened during a Strategic Dialogue.
Without terms.
Permanent bases are to go.
"""

BAD = """\
The terror militia attacks.
This happened during a strategic exchange.
Without terms.
Permanent bases are to go.
"""


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    paths = {
        "glossary": tmp_path / "terms.yaml",
        "source": tmp_path / "article.de.txt",
        "good": tmp_path / "good.en.txt",
        "bad": tmp_path / "bad.en.txt",
    }
    for name, text in (("glossary", GLOSSARY_YAML), ("source", SOURCE), ("good", GOOD), ("bad", BAD)):
        paths[name].write_text(text, encoding="utf-8")
    return paths


def run(*args: object) -> tuple[int, str, str]:
    result = run_glossator("glossary", "check", *args)
    return result.exit_code, result.stdout, result.stderr


def test_clean_translation_passes(files: dict[str, Path]) -> None:
    code, out, err = run(files["source"], files["good"], "--glossary", files["glossary"])
    assert (code, out) == (0, "")
    assert err == "glossary check: 3 term occurrences in 3 of 4 segments (lines): 3 ok, 0 missing, 0 forbidden.\n"


def test_findings_are_listed_with_line_numbers_and_exit_7(files: dict[str, Path]) -> None:
    source, bad = files["source"], files["bad"]
    code, out, err = run(source, bad, "-g", files["glossary"])
    assert code == 7
    assert out.splitlines() == [
        f'{bad}:1: forbidden "terror militia" for "Terrormiliz" ({source}:1); use "terrorist militia"',
        f'{bad}:2: missing "Strategic Dialogue" for "Strategischen Dialogs" ({source}:2)',
    ]
    assert err.splitlines() == [
        "glossary check: 3 term occurrences in 3 of 4 segments (lines): 1 ok, 1 missing, 1 forbidden.",
        f"Error: {bad}: 2 glossary violation(s) (1 missing, 1 forbidden). "
        "Fix the lines listed above or update the glossary.",
    ]


def test_json_report(files: dict[str, Path]) -> None:
    code, out, _ = run(files["source"], files["bad"], "--glossary", files["glossary"], "--json")
    assert code == 7
    report = json.loads(out)
    assert report["alignment"] == "lines"
    assert report["summary"] == {
        "segments": 4,
        "segments_with_terms": 3,
        "occurrences": 3,
        "ok": 1,
        "missing": 1,
        "forbidden": 1,
    }
    assert [(s["line"], [c["status"] for c in s["checks"]]) for s in report["segments"]] == [
        (1, ["forbidden"]),
        (2, ["missing"]),
        (4, ["ok"]),
    ]
    assert report["segments"][0]["checks"][0]["forbidden_found"] == ["terror militia"]


def test_paragraph_aligned_documents_report_file_lines(files: dict[str, Path], tmp_path: Path) -> None:
    source = tmp_path / "doc.de.txt"
    target = tmp_path / "doc.en.txt"
    # The German paragraph is wrapped over two lines, the English one is not: lines differ, paragraphs agree.
    source.write_text("Einleitung.\n\nDie Terrormiliz\ngreift an.\n\nFeste Stützpunkte.\n", encoding="utf-8")
    target.write_text("Introduction.\n\nThe terror militia attacks.\n\nPermanent bases.\n", encoding="utf-8")
    code, out, err = run(source, target, "--glossary", files["glossary"])
    assert code == 7
    assert out == f'{target}:3: forbidden "terror militia" for "Terrormiliz" ({source}:3); use "terrorist militia"\n'
    assert err.splitlines()[0] == (
        "glossary check: 2 term occurrences in 2 of 3 segments (paragraphs): 1 ok, 0 missing, 1 forbidden."
    )


def test_mismatched_counts_name_both_files_and_counts(files: dict[str, Path], tmp_path: Path) -> None:
    short = tmp_path / "short.en.txt"
    short.write_text("The terrorist militia attacks.\nOnly two lines.\n", encoding="utf-8")
    code, out, err = run(files["source"], short, "--glossary", files["glossary"])
    assert (code, out) == (3, "")
    assert err == (
        f"Error: {files['source']} has 4 lines (1 paragraph) but {short} has 2 lines (1 paragraph); "
        "align the files line by line or by blank-line paragraphs.\n"
    )


def test_mismatched_paragraphs(files: dict[str, Path], tmp_path: Path) -> None:
    source = tmp_path / "doc.de.txt"
    target = tmp_path / "doc.en.txt"
    source.write_text("Eins.\n\nZwei.\n\nDrei.\n", encoding="utf-8")
    target.write_text("One.\n\nTwo and three.\n", encoding="utf-8")
    code, _, err = run(source, target, "--glossary", files["glossary"])
    assert code == 3
    assert err == (
        f"Error: {source} has 5 lines (3 paragraphs) but {target} has 3 lines (2 paragraphs); "
        "align the files line by line or by blank-line paragraphs.\n"
    )


def test_trailing_blank_lines_do_not_break_line_alignment(files: dict[str, Path], tmp_path: Path) -> None:
    padded = tmp_path / "padded.en.txt"
    padded.write_text(GOOD + "\n\n", encoding="utf-8")
    code, _, _ = run(files["source"], padded, "--glossary", files["glossary"])
    assert code == 0


def test_missing_translation_file(files: dict[str, Path], tmp_path: Path) -> None:
    absent = tmp_path / "absent.en.txt"
    code, out, err = run(files["source"], absent, "--glossary", files["glossary"])
    assert (code, out) == (3, "")
    assert err == f"Error: {absent}: translation file does not exist. Check the path.\n"


def test_non_utf8_source(files: dict[str, Path], tmp_path: Path) -> None:
    latin = tmp_path / "latin.de.txt"
    latin.write_bytes("Stützpunkte\n".encode("latin-1"))
    code, _, err = run(latin, files["good"], "--glossary", files["glossary"])
    assert code == 3
    assert err == (
        f"Error: {latin}: not valid utf-8 (byte 0xfc at offset 2). "
        "Convert it to UTF-8 or pass --encoding (e.g. --encoding latin-1).\n"
    )


def test_encoding_option(files: dict[str, Path], tmp_path: Path) -> None:
    latin_source = tmp_path / "latin.de.txt"
    latin_target = tmp_path / "latin.en.txt"
    latin_source.write_bytes("Feste Stützpunkte\n".encode("latin-1"))
    latin_target.write_bytes(b"Permanent bases\n")
    code, _, _ = run(latin_source, latin_target, "--glossary", files["glossary"], "--encoding", "latin-1")
    assert code == 0


def test_empty_source(files: dict[str, Path], tmp_path: Path) -> None:
    empty = tmp_path / "empty.de.txt"
    empty.write_text("\n", encoding="utf-8")
    code, _, err = run(empty, files["good"], "--glossary", files["glossary"])
    assert code == 3
    assert err == f"Error: {empty}: source file is empty; nothing to check. Give the German source text.\n"


def test_malformed_glossary_is_bad_input(files: dict[str, Path], tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("version: 1\nterms: [\n", encoding="utf-8")
    code, out, err = run(files["source"], files["good"], "--glossary", broken)
    assert (code, out) == (3, "")
    assert err.startswith(f"Error: {broken}:") and err.count("\n") == 1


def test_glossary_option_is_required(files: dict[str, Path]) -> None:
    code, _, err = run(files["source"], files["good"])
    assert code == 2
    assert "Missing option '--glossary'" in err


def test_inputs_are_left_untouched(files: dict[str, Path]) -> None:
    before = {name: path.read_bytes() for name, path in files.items()}
    run(files["source"], files["bad"], "--glossary", files["glossary"])
    assert {name: path.read_bytes() for name, path in files.items()} == before
    assert sorted(p.name for p in files["source"].parent.iterdir()) == sorted(p.name for p in files.values())


def test_help_has_an_example() -> None:
    result = run_glossator("glossary", "check", "--help")
    assert result.exit_code == 0
    assert "Example: glossator glossary check" in result.stdout
