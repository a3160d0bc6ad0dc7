"""Mixed formats in one run, through the CLI with the project's test model: `translate DIR -o OUT` picks up every
format it knows (English outputs skipped), writes each with its English name, `--json` gives every segment its
location, and the glossary is enforced in every format."""

from __future__ import annotations

import json
from pathlib import Path

import polib
from clirun import run_cli
from lxml import etree
from paths import TEST_MODEL_DIR

from glossator.common.settings import Settings
from glossator.models.packages import install_package

FORMATS = Path(__file__).parents[1] / "data" / "formats"
SENTENCE = "Die Truppenstärke bleibt gleich."

PO = f"""msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"

#: a.py:1
msgid "{SENTENCE}"
msgstr ""
"""

XLIFF = f"""<?xml version="1.0" encoding="UTF-8"?>
<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="de">
  <file id="f"><unit id="u1"><segment><source>{SENTENCE}</source></segment></unit></file>
</xliff>
"""


def test_a_directory_of_mixed_formats(tmp_path: Path) -> None:
    install_package(TEST_MODEL_DIR / "de_en_glossator_test.argosmodel", Settings.from_env())
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "brief.de.md").write_text(f"# Titel\n\n**{SENTENCE}**\n", encoding="utf-8")
    (docs / "ui.de.po").write_text(PO, encoding="utf-8")
    (docs / "ui.de.xlf").write_text(XLIFF, encoding="utf-8")
    (docs / "notiz.de.txt").write_text(SENTENCE + "\n", encoding="utf-8")
    (docs / "alt.en.po").write_text(PO, encoding="utf-8")  # an English output of an earlier run: skipped
    glossary = tmp_path / "g.yaml"
    glossary.write_text("terms:\n  - source: Truppenstärke\n    target: troop numbers\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli(["translate", str(docs), "-o", str(out), "--glossary", str(glossary), "--json", "--no-cache"])
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["brief.en.md", "notiz.en.txt", "ui.en.po", "ui.en.xlf"]
    reports = {Path(r["name"]).name: r for r in json.loads(result.stdout)}
    assert sorted(reports) == ["brief.de.md", "notiz.de.txt", "ui.de.po", "ui.de.xlf"]
    assert reports["ui.de.po"]["segments"][0]["location"] == "msgid line 5"
    assert reports["ui.de.xlf"]["segments"][0]["location"] == "unit u1 segment 1"
    for report in reports.values():
        assert [t["status"] for s in report["segments"] for t in s["terms"]] in (["ok"], ["enforced"])
    entry = polib.pofile(str(out / "ui.en.po"))[0]
    assert "troop numbers" in entry.msgstr and "fuzzy" in entry.flags
    target = etree.parse(str(out / "ui.en.xlf")).find(".//{urn:oasis:names:tc:xliff:document:2.0}target")
    assert target is not None and "troop numbers" in (target.text or "")
    assert "troop numbers" in (out / "brief.en.md").read_text(encoding="utf-8")


def test_an_unknown_format_in_a_directory_is_not_picked_up_and_a_named_one_is_refused(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.de.po").write_text(PO, encoding="utf-8")
    (docs / "b.de.rtf").write_text("{\\rtf1 Hallo}", encoding="utf-8")
    named = run_cli(["translate", str(docs / "b.de.rtf"), "-o", str(tmp_path / "b.en.rtf")])
    assert named.exit_code == 3 and "cannot translate .rtf files" in named.stderr
    assert not (tmp_path / "b.en.rtf").exists()


def test_a_structured_document_cannot_go_to_stdout(tmp_path: Path) -> None:
    source = tmp_path / "ui.de.po"
    source.write_text(PO, encoding="utf-8")
    result = run_cli(["translate", str(source), "-o", "-"])
    assert result.exit_code == 2 and "is a file; give -o FILE or a folder" in result.stderr


def test_a_bad_document_among_good_ones_stops_the_run_before_anything_is_written(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.de.po").write_text(PO, encoding="utf-8")
    (docs / "b.de.xlf").write_text(XLIFF.replace('srcLang="de"', 'srcLang="en"'), encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli(["translate", str(docs), "-o", str(out)])
    assert result.exit_code == 3 and "srcLang is 'en'" in result.stderr
    assert not out.exists() or not any(out.iterdir())


def test_a_structured_document_from_stdin_needs_an_output_file(tmp_path: Path) -> None:
    install_package(TEST_MODEL_DIR / "de_en_glossator_test.argosmodel", Settings.from_env())
    alone = run_cli(["translate", "-", "--format", "po"], input=PO)
    assert alone.exit_code == 2 and "<stdin>: the English gettext PO is a file" in alone.stderr
    written = run_cli(["translate", "-", "--format", "po", "-o", str(tmp_path / "ui.en.po"), "--no-cache"], input=PO)
    assert written.exit_code == 0, written.stderr
    assert polib.pofile(str(tmp_path / "ui.en.po"))[0].msgstr
