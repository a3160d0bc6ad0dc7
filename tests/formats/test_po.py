"""gettext PO (translate/formats/po.py): German msgids filled into msgstr and marked fuzzy, placeholders kept,
every untouched line byte for byte, and gettext's own ``msgfmt --check`` accepts the result."""

from __future__ import annotations

import difflib
import re
import subprocess
from pathlib import Path

import polib
import pytest
from clirun import run_cli
from fakes import WordEngine
from format_tools import require_tool

from glossator import Translator
from glossator.common.errors import InputError
from glossator.common.settings import Settings
from glossator.glossary.model import Glossary, Term
from glossator.translate.formats.po import open_source

DATA = Path(__file__).parents[1] / "data" / "formats" / "po"
WORDS = {
    "Hallo": "Hello",
    "du": "you",
    "hast": "have",
    "neue": "new",
    "Nachrichten": "messages",
    "Eine": "One",
    "Datei": "file",
    "Dateien": "files",
    "wurde": "was",
    "gelöscht": "deleted",
    "Bitte": "Please",
    "speichern": "save",
    "Dialog": "dialog",
    "Der": "The",
    "ist": "is",
    "offen": "open",
    "Speichern": "Save",
}

POT = """\
# Übersetzungsvorlage für ein Programm.
# Copyright (C) 2026 Jemand
#
#, fuzzy
msgid ""
msgstr ""
"Project-Id-Version: demo 1.0\\n"
"POT-Creation-Date: 2026-01-01 10:00+0100\\n"
"Language: \\n"
"MIME-Version: 1.0\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Content-Transfer-Encoding: 8bit\\n"
"Plural-Forms: nplurals=INTEGER; plural=EXPRESSION;\\n"

#: app.py:10
#, python-format
msgid "Hallo %(name)s, du hast neue Nachrichten."
msgstr ""

#: app.py:12
#, c-format
msgid "Eine Datei wurde gelöscht."
msgid_plural "%d Dateien wurde gelöscht."
msgstr[0] ""
msgstr[1] ""

#: app.py:14
#, python-brace-format
msgid "Bitte <b>{file}</b> speichern."
msgstr ""

#: app.py:16
msgid "Speichern"
msgstr "Save"

#: app.py:18
msgctxt "menu"
msgid "Der Dialog ist offen."
msgstr ""

#~ msgid "Alt"
#~ msgstr "Old"
"""


def _translate(tmp_path: Path, text: str | bytes, name: str = "app.de.pot", glossary: Glossary | None = None):
    source = tmp_path / name
    source.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    settings = Settings(packages_dir=tmp_path / "packages", cache_dir=tmp_path / "cache", use_cache=False)
    with Translator(settings=settings, engine=WordEngine(WORDS), glossary=glossary) as translator:
        result = translator.translate_file(source, tmp_path / "out.po")
    return result, (tmp_path / "out.po").read_bytes()


def test_untranslated_entries_are_filled_marked_fuzzy_and_the_rest_kept(tmp_path: Path) -> None:
    result, out = _translate(tmp_path, POT)
    po = polib.pofile(out.decode("utf-8"))
    by_id = {e.msgid: e for e in po}
    hello = by_id["Hallo %(name)s, du hast neue Nachrichten."]
    assert hello.msgstr == "Hello %(name)s, you have new messages."
    assert hello.flags == ["python-format", "fuzzy"]
    files = by_id["Eine Datei wurde gelöscht."]
    assert files.msgstr_plural == {0: "One file was deleted.", 1: "%d files was deleted."}
    assert by_id["Bitte <b>{file}</b> speichern."].msgstr.count("{file}") == 1
    assert "<b>" in by_id["Bitte <b>{file}</b> speichern."].msgstr
    assert by_id["Speichern"].msgstr == "Save" and "fuzzy" not in by_id["Speichern"].flags  # approved: untouched
    dialog = by_id["Der Dialog ist offen."]
    assert dialog.msgctxt == "menu" and dialog.msgstr == "The dialog is open."
    assert po.metadata["Language"] == "en"
    assert po.metadata["Plural-Forms"] == "nplurals=2; plural=(n != 1);"
    # every line of the input that is not a filled msgstr, the fuzzy flag line or a header field is unchanged
    changed_fields = ('"Language:', '"Plural-Forms:')
    kept = [
        line
        for line in POT.splitlines()
        if not line.startswith(("msgstr", "#, python-format", "#, c-format", "#, python-brace-format", *changed_fields))
    ]
    out_lines = out.decode("utf-8").splitlines()
    assert all(line in out_lines for line in kept)
    assert '#~ msgid "Alt"' in out_lines
    assert [s.location for s in result.segments][:1] == ["msgid line 15"]


def test_msgfmt_check_accepts_the_translated_catalogue(tmp_path: Path) -> None:
    msgfmt = require_tool("msgfmt")
    _translate(tmp_path, POT)
    checked = subprocess.run([msgfmt, "--check", "-o", "/dev/null", str(tmp_path / "out.po")], capture_output=True)
    assert checked.returncode == 0, checked.stderr.decode()


def test_a_glossary_term_is_enforced_in_a_msgid(tmp_path: Path) -> None:
    glossary = Glossary((Term("Dialog", "Dialogue"),))
    result, out = _translate(tmp_path, POT, glossary=glossary)
    po = polib.pofile(out.decode("utf-8"))
    assert next(e for e in po if e.msgctxt == "menu").msgstr == "The Dialogue is open."
    assert [c.status for s in result.segments for c in s.checks] == ["enforced"]


def test_a_byte_order_mark_is_dropped_with_a_warning_so_msgfmt_accepts_the_output(tmp_path: Path) -> None:
    msgfmt = require_tool("msgfmt")
    with_bom = b"\xef\xbb\xbf" + POT.encode("utf-8")
    (tmp_path / "bom.po").write_bytes(with_bom)
    refused = subprocess.run([msgfmt, "--check", "-o", "/dev/null", str(tmp_path / "bom.po")], capture_output=True)
    assert refused.returncode != 0  # gettext itself rejects the mark
    result, out = _translate(tmp_path, with_bom)
    assert not out.startswith(b"\xef\xbb\xbf") and b"Hello %(name)s" in out
    assert any("byte-order mark" in w for w in result.warnings)
    checked = subprocess.run([msgfmt, "--check", "-o", "/dev/null", str(tmp_path / "out.po")], capture_output=True)
    assert checked.returncode == 0, checked.stderr.decode()


def test_crlf_and_latin1_are_kept(tmp_path: Path) -> None:
    latin = POT.replace("charset=UTF-8", "charset=ISO-8859-1").replace("\n", "\r\n").encode("latin-1")
    _, out = _translate(tmp_path, latin)
    assert b"\r\n" in out and b"\n" not in out.replace(b"\r\n", b"")
    text = out.decode("latin-1")
    assert "gelöscht" in text and "Hello %(name)s" in text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('msgid "Hallo"\nmsgstr "Hi"\nmsgid "kaputt\n', "not a valid PO file"),
        ('msgid ""\nmsgstr ""\n"Language: de\\n"\n\nmsgid "Hello"\nmsgstr "Hallo"\n', "Language header says 'de'"),
        (
            b'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\nmsgid "Gr\xfc\xdfe"\nmsgstr ""\n',
            ":5: bytes that are not UTF-8",
        ),
        ("", "no msgid entries"),
    ],
)
def test_bad_catalogues_are_refused_with_one_line(tmp_path: Path, content: str | bytes, message: str) -> None:
    data = content.encode() if isinstance(content, str) else content
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")) as error:
        open_source(data, "bad.po")
    assert "\n" not in str(error.value)
    (tmp_path / "bad.de.po").write_bytes(data)
    result = run_cli(["translate", str(tmp_path / "bad.de.po"), "-o", str(tmp_path / "bad.en.po")])
    assert result.exit_code == 3
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("Error: ")
    assert not (tmp_path / "bad.en.po").exists()


# --- real catalogues (tests/data/formats/po, provenance in its README) ----------------------------------------

REAL_EN = ["studip-meetings.en.po", "studip-vote-2004.en.po"]  # Stud.IP: German msgids, English msgstr


def test_a_finished_real_catalogue_comes_back_byte_for_byte(tmp_path: Path) -> None:
    data = (DATA / "studip-meetings.en.po").read_bytes()
    result, out = _translate(tmp_path, data, name="studip-meetings.en.po")
    assert out == data
    assert result.segments == ()


def test_a_real_catalogue_gets_its_one_empty_entry_and_nothing_else_changes(tmp_path: Path) -> None:
    # KBabel 2004, ISO-8859-1, no Language header; the entry at line 1356 has no msgstr
    data = (DATA / "studip-vote-2004.en.po").read_bytes()
    result, out = _translate(tmp_path, data, name="studip-vote-2004.en.po")
    assert [s.location for s in result.segments] == ["msgid line 1356"] * len(result.segments)
    old, new = data.decode("latin-1").split("\n"), out.decode("latin-1").split("\n")
    changed = [
        (tag, i1, i2) for tag, i1, i2, _, _ in difflib.SequenceMatcher(None, old, new).get_opcodes() if tag != "equal"
    ]
    header_end = old.index("")
    for tag, i1, i2 in changed:  # only the header's Language line and the empty entry's lines
        assert i1 <= header_end or 1355 <= i1 <= 1362, (tag, old[i1:i2])
    entry = next(e for e in polib.pofile(str(tmp_path / "out.po")) if e.linenum >= 1356)
    assert entry.msgstr and "fuzzy" in entry.flags
    assert polib.pofile(str(tmp_path / "out.po")).metadata["Language"] == "en"


@pytest.mark.parametrize("name", REAL_EN)
def test_a_real_catalogue_with_its_msgstrs_emptied_is_filled_and_passes_msgfmt(tmp_path: Path, name: str) -> None:
    po = polib.pofile(str(DATA / name))  # polib reads the header's charset (one is ISO-8859-1)
    for entry in po:
        entry.msgstr = ""
        if entry.msgstr_plural:
            entry.msgstr_plural = dict.fromkeys(entry.msgstr_plural, "")
    blank = tmp_path / "blank.po"
    po.save(str(blank))
    _translate(tmp_path, blank.read_bytes(), name="blank.de.po")
    filled = polib.pofile(str(tmp_path / "out.po"))
    open_entries = [e for e in po if not e.obsolete]
    assert len(filled) == len(po)
    for before, after in zip(po, filled, strict=True):
        assert (after.msgctxt, after.msgid, after.msgid_plural) == (before.msgctxt, before.msgid, before.msgid_plural)
        if before.obsolete:
            continue
        assert "fuzzy" in after.flags
        # the engine echoes unknown words: every placeholder of the msgid is in the msgstr, once
        for placeholder in re.findall(r"%\(\w+\)s|%[sd]|\{\w*\}", before.msgid):
            text = after.msgstr_plural.get(0, "") if after.msgid_plural else after.msgstr
            assert text.count(placeholder) == before.msgid.count(placeholder), (before.msgid, text)
    assert len(open_entries) > 20
    msgfmt = require_tool("msgfmt")
    checked = subprocess.run([msgfmt, "--check", "-o", "/dev/null", str(tmp_path / "out.po")], capture_output=True)
    assert checked.returncode == 0, checked.stderr.decode()


def test_a_real_german_translation_catalogue_is_refused_as_the_wrong_direction() -> None:
    with pytest.raises(InputError, match="Language header says 'de'"):
        open_source((DATA / "humanize.de_DE.po").read_bytes(), "humanize.de_DE.po")
