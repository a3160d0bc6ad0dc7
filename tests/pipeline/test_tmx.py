"""TMX ↔ translation memory: real CAT-tool files in, human translations reused before machine output (whole
paragraphs and sentences, NBSP/whitespace-insensitive), glossary terms checked on them, the export valid TMX 1.4b
(DTD, translate-toolkit), and every bad input a one-line error with the memory unchanged.

The TMX files in ``tests/data/tmx/`` were written by Okapi's aligner, AlignFactory, TRADOS Workbench, OmegaT and
LISA's compliance kit (provenance in its README)."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from clirun import run_cli
from fakes import FakeEngine
from paths import REPO

import glossator
from glossator.common.errors import BusyError, GlossaryError, InputError, InputFileError, OutputError
from glossator.common.settings import Settings
from glossator.glossary.model import Glossary, Term
from glossator.translate import cache as cache_module
from glossator.translate import tmx as tmx_module
from glossator.translate.cache import HumanEntry, TranslationMemory, tm_key
from glossator.translate.pipeline import DocumentInput, translate_documents
from glossator.translate.tmx import read_tmx

DATA = REPO / "tests" / "data" / "tmx"
PARAGRAPHS = DATA / "okapi-Paragraph_TM.tmx"
SENTENCES = DATA / "okapi-sample14b.tmx"
ALIGNFACTORY = DATA / "alignfactory-issue277.tmx"
TRADOS = DATA / "trados-leverage-test01.tmx"
OMEGAT = DATA / "omegat-project_save.tmx"
LISA = DATA / "lisa-ImportTest2A.tmx"
DTD = DATA / "tmx14.dtd"


def human_count(path: Path) -> int:
    memory = TranslationMemory(path)
    try:
        return memory.human_count()
    finally:
        memory.close()


def translate(text: str, memory_path: Path, engine: FakeEngine, glossary: Glossary | None = None, fmt: str = "txt"):
    memory = TranslationMemory(memory_path)
    try:
        [result] = translate_documents(
            [DocumentInput("doc", text, fmt)],
            Settings.from_env(cache_dir=memory_path.parent),
            glossary=glossary,
            engine=engine,
            warnings=[],
            memory=memory,
        )
    finally:
        memory.close()
    return result


# --- reading real files ------------------------------------------------------------------------------------


def test_paragraph_units_from_okapi_keep_their_codes_as_placeholders() -> None:
    read = read_tmx(PARAGRAPHS)
    assert (read.units, len(read.entries), read.warnings) == (7, 7, [])
    assert read.header["segtype"] == "paragraph" and read.header["srclang"] == "en-us"  # oriented de→en anyway
    first = read.entries[0]
    assert (first.source_lang, first.target_lang, first.segtype, first.tuid) == (
        "de-de",
        "en-us",
        "paragraph",
        "ACDetectionCheckFailedAction0",
    )
    # <ph> codes (a tab, two line breaks of the original format) are word boundaries in the text …
    assert first.source == (
        "1. Sicherstellen, dass sich der AK-Schlauch im AK-Flüssigkeitsdetektor befindet. 2. 'Wiederholen' drücken."
    )
    assert first.target == "1. Confirm that the AC line is in the AC fluid detector. 2. Touch Retry."
    # … and kept verbatim as markup for the export.
    assert first.source_seg.startswith('<ph x="1">#![PG 0 1]</ph>1.<ph x="2">\\t</ph>Sicherstellen')
    # A <ut> next to a space leaves no double space.
    ut = read.entries[1]
    assert ut.source == "Zur Fortsetzung des Verfahrens 'Wiederholen' drücken."
    assert "<ut> ut content de</ut>" in ut.source_seg


def test_sentence_units_report_the_repeated_german_with_its_line() -> None:
    read = read_tmx(SENTENCES)
    assert (read.units, len(read.entries), read.skipped) == (25, 24, [])
    assert read.duplicates == [f"{SENTENCES}:108: same German as line 10, same English; skipped"]
    last = read.entries[-1]
    assert last.source == "Aktuelle Änderungen an den Konfigurationsoptionen sind möglicherweise verloren gegangen."


def test_alignfactory_upper_case_codes_and_a_byte_order_mark() -> None:
    read = read_tmx(ALIGNFACTORY)
    assert [(e.source_lang, e.target_lang) for e in read.entries] == [("DE", "EN"), ("DE", "EN")]
    assert read.entries[1].target == "This sentence should not be split."  # its trailing space trimmed


@pytest.mark.parametrize(
    ("path", "languages"),
    [(TRADOS, "en-us, fr-fr"), (OMEGAT, "en, fr"), (LISA, "en-us, fr-ca")],
    ids=["trados-utf16", "omegat-tmx11", "lisa-utf16"],
)
def test_real_memories_without_german_are_refused_with_their_languages(path: Path, languages: str) -> None:
    with pytest.raises(InputError, match=rf"none of its \d+ units .* \(languages found: {languages}\)"):
        read_tmx(path)


def test_units_without_both_sides_empty_sides_and_other_regions_are_reported(tmp_path: Path) -> None:
    tmx = tmp_path / "mixed.tmx"
    tmx.write_text(
        textwrap.dedent(
            """\
            <?xml version="1.0" encoding="UTF-8"?>
            <tmx version="1.4">
              <header creationtool="t" creationtoolversion="1" segtype="sentence" o-tmf="t" adminlang="en"
                      srclang="*all*" datatype="plaintext"/>
              <body>
                <tu><tuv xml:lang="DE-CH"><seg>Die Strasse ist gesperrt.</seg></tuv>
                    <tuv xml:lang="en-GB"><seg>The road is closed.</seg></tuv></tu>
                <tu><tuv xml:lang="de-AT"><seg>Nur Deutsch.</seg></tuv><tuv xml:lang="fr"><seg>Seul.</seg></tuv></tu>
                <tu><tuv lang="de"><seg>  </seg></tuv><tuv lang="en"><seg>Empty German.</seg></tuv></tu>
                <tu><tuv xml:lang="de_DE"><seg>Die Strasse ist gesperrt.</seg></tuv>
                    <tuv xml:lang="en-US"><seg>The street is closed.</seg></tuv></tu>
              </body>
            </tmx>
            """
        ),
        encoding="utf-8",
    )
    read = read_tmx(tmx)
    assert [(e.source_lang, e.target) for e in read.entries] == [("de_DE", "The street is closed.")]
    assert read.skipped == [
        f"{tmx}:8: unit skipped: no English variant (languages: de-AT, fr)",
        f"{tmx}:9: unit skipped: the German segment is empty",
    ]
    assert read.duplicates == [
        f"{tmx}:10: same German as line 6, other English; this later unit is kept: 'The street is closed.'"
    ]


def test_whitespace_and_no_break_spaces_do_not_matter_case_does() -> None:
    assert tm_key("  Die\u00a0Strasse\t ist\u202fgesperrt.\n") == "Die Strasse ist gesperrt."
    assert tm_key("Die Strasse") != tm_key("die Strasse")
    assert tm_key("Stra\u200bsse\ufeff") == "Strasse"
    assert tm_key("Cafe\u0301") == tm_key("Caf\u00e9")  # NFC


# --- human translations take precedence -------------------------------------------------------------------


def test_sentences_and_whole_paragraphs_come_from_the_memory_before_machine_output(tmp_path: Path) -> None:
    path = tmp_path / "memory.sqlite3"
    engine = FakeEngine({"Gerät ausschalten.": "Switch the device off (machine)."})
    text = "Gerät ausschalten. Das ist neu.\n"
    first = translate(text, path, engine)
    assert [s.method for s in first.segments] == ["plain", "plain"]  # machine output, now in the memory

    glossator.import_tmx(SENTENCES, memory=path)
    glossator.import_tmx(PARAGRAPHS, memory=path)
    paragraph = read_tmx(PARAGRAPHS).entries[5]  # two German sentences, one unit
    german = paragraph.source.replace(" ", "\u00a0", 1).replace(". ", ".   ")  # NBSP, extra spaces
    engine.calls.clear()
    result = translate(f"{text}\n  {german}\n", path, engine)
    assert [(s.source, s.method, s.tm, s.cached) for s in result.segments] == [
        ("Gerät ausschalten.", "tm", True, False),  # the human entry beats the machine one already stored
        ("Das ist neu.", "plain", False, True),
        (german, "tm", True, False),  # the whole paragraph is one segment
    ]
    assert result.text == f"Turn off the system. EN: Das ist neu.\n\n  {paragraph.target}\n"
    assert engine.calls == []  # nothing left for the engine
    assert result.stats["tm"] == 2
    assert result.segments[0].to_dict()["tm"] is True


def test_a_markdown_paragraph_is_matched_whole(tmp_path: Path) -> None:
    path = tmp_path / "memory.sqlite3"
    glossator.import_tmx(PARAGRAPHS, memory=path)
    entry = read_tmx(PARAGRAPHS).entries[6]
    result = translate(f"# Titel\n\n- {entry.source}\n", path, FakeEngine(), fmt="md")
    assert result.text == f"# EN: Titel\n\n- {entry.target}\n"


def test_glossary_terms_are_checked_on_human_output_never_changed(tmp_path: Path) -> None:
    path = tmp_path / "memory.sqlite3"
    glossator.import_tmx(SENTENCES, memory=path)
    glossary = Glossary((Term(source="Gerät", target="unit"), Term(source="System", target="system")))
    result = translate("Gerät ausschalten. System einschalten.\n", path, FakeEngine(), glossary)
    device, system = result.segments
    assert device.target == "Turn off the system."  # the human text, not repaired
    assert [(c.status, c.method) for c in device.checks] == [("missing", "tm")]
    # The sentence the memory does not hold goes to the engine and through enforcement as usual.
    assert (system.method, system.tm, [c.status for c in system.checks]) == ("as-is", False, ["ok"])


# --- the command line ---------------------------------------------------------------------------------------


@pytest.fixture
def model() -> None:
    from paths import TEST_MODEL_DIR

    from glossator.models.packages import install_package

    install_package(TEST_MODEL_DIR / "de_en_glossator_test.argosmodel", Settings.from_env())


def test_import_translate_stats_export_from_the_command_line(model: None, tmp_path: Path) -> None:
    imported = run_cli(["memory", "import", str(SENTENCES)])
    assert imported.exit_code == 0, imported.stderr
    assert imported.stdout.startswith(f"imported 24 of 25 units from {SENTENCES} into ")
    assert "(24 new, 0 replaced); 0 skipped, 1 repeated German" in imported.stdout
    assert imported.stderr == f"Warning: {SENTENCES}:108: same German as line 10, same English; skipped\n"
    again = run_cli(["memory", "import", str(SENTENCES), "--json"])
    assert json.loads(again.stdout)["updated"] == 24

    doc = tmp_path / "a.de.txt"
    doc.write_text("Gerät ausschalten. 6 Sekunden warten.\n", encoding="utf-8")
    translated = run_cli(["translate", str(doc), "-o", "-", "--json"])
    assert translated.exit_code == 0, translated.stderr
    payload = json.loads(translated.stdout)
    assert [(s["target"], s["method"], s["tm"]) for s in payload["segments"]] == [
        ("Turn off the system.", "tm", True),
        ("Wait 6 seconds.", "tm", True),
    ]
    assert translated.stderr.splitlines()[-1] == "2 segments (0 from memory, 2 from the translation memory (human))"

    stats = json.loads(run_cli(["memory", "stats", "--json"]).stdout)
    assert (stats["human"], stats["origins"]) == (24, {"okapi-sample14b.tmx": 24})
    assert json.loads(run_cli(["cache", "stats", "--json"]).stdout)["human"] == 24  # the old name still works

    out = tmp_path / "tm.tmx"
    exported = run_cli(["memory", "export", "-o", str(out)])
    assert exported.stdout == f"wrote 24 human and 0 machine units to {out}\n"
    assert run_cli(["memory", "export", "-o", str(out)]).exit_code == 5  # exists: --force
    assert run_cli(["memory", "export", "-o", str(out), "--force"]).exit_code == 0

    cleared = run_cli(["memory", "clear"])
    assert cleared.stdout.endswith("kept 24 human entries imported from TMX (--human removes them)\n")
    assert json.loads(run_cli(["memory", "stats", "--json"]).stdout)["human"] == 24
    assert run_cli(["memory", "clear", "--human"]).stdout.startswith("removed 24 entries")


def test_strict_counts_a_human_translation_that_misses_a_term(model: None, tmp_path: Path) -> None:
    memory = tmp_path / "tm.sqlite3"
    assert run_cli(["memory", "import", str(SENTENCES), "--memory", str(memory)]).exit_code == 0
    doc, terms = tmp_path / "a.de.txt", tmp_path / "g.yaml"
    doc.write_text("Gerät ausschalten.\n", encoding="utf-8")
    terms.write_text("version: 1\nterms:\n- {source: Gerät, target: unit}\n", encoding="utf-8")
    out = tmp_path / "a.en.txt"
    args = ["translate", str(doc), "-o", str(out), "--force", "--glossary", str(terms), "--memory", str(memory)]
    strict = run_cli([*args, "--strict"])
    assert strict.exit_code == 7 and out.read_text(encoding="utf-8") == "Turn off the system.\n"  # not altered
    assert "(0 from memory, 1 from the translation memory (human)); terms: 0 ok, 0 enforced, 1 missing" in strict.stderr
    # --no-cache bypasses the human entries too; without --memory the default (empty) memory is used.
    assert run_cli([*args, "--no-cache"]).exit_code == 0
    assert out.read_text(encoding="utf-8") != "Turn off the system.\n"
    assert run_cli(["translate", str(doc), "-o", str(out), "--force"]).exit_code == 0
    assert out.read_text(encoding="utf-8") != "Turn off the system.\n"


def test_a_tmx_given_as_glossary_points_to_memory_import(tmp_path: Path) -> None:
    doc = tmp_path / "a.de.txt"
    doc.write_text("Hallo.\n", encoding="utf-8")
    result = run_cli(["translate", str(doc), "--glossary", str(SENTENCES)])
    assert result.exit_code == 3
    assert result.stderr.count("\n") == 1
    assert f"glossator memory import {SENTENCES}" in result.stderr
    with pytest.raises(GlossaryError, match="translation memory, not a glossary"):
        glossator.Translator(glossary=SENTENCES, engine=FakeEngine())  # type: ignore[arg-type]


# --- export: valid TMX 1.4b, read back by us and by translate-toolkit ---------------------------------------


def _lisa_as_german(tmp_path: Path) -> Path:
    """LISA's compliance file with its French variants relabelled German (in memory; the file is unchanged), so
    every inline element (<bpt>/<ept> nested and reordered, <it>, <ph assoc>, <hi>) goes through a de→en import."""
    text = LISA.read_bytes().decode("utf-16")
    relabelled = tmp_path / "lisa-de.tmx"
    relabelled.write_text(re.sub(r'xml:lang="fr-ca"', 'xml:lang="de-CA"', text, flags=re.I), encoding="utf-16")
    return relabelled


def _filled_memory(tmp_path: Path) -> Path:
    path = tmp_path / "memory.sqlite3"
    for tmx in (PARAGRAPHS, ALIGNFACTORY, _lisa_as_german(tmp_path)):
        glossator.import_tmx(tmx, memory=path)
    translate("Ein Satz\x07 mit Steuerzeichen & <Klammern>.\n", path, FakeEngine())  # a machine entry
    return path


def test_export_is_valid_tmx14_and_round_trips_every_inline_code(tmp_path: Path) -> None:
    from lxml import etree

    path = _filled_memory(tmp_path)
    out = tmp_path / "export.tmx"
    result = glossator.export_tmx(out, memory=path, include_machine=True)
    assert (result.human, result.machine) == (7 + 2 + 7, 1)

    dtd = etree.DTD(str(DTD))
    tree = etree.parse(str(out), etree.XMLParser(resolve_entities=False, no_network=True))
    assert dtd.validate(tree), dtd.error_log.filter_from_errors()
    header = tree.find("header")
    assert header is not None
    assert [header.get(a) for a in ("creationtool", "srclang", "datatype")] == ["Glossator", "de", "plaintext"]
    methods = [p.text for p in tree.iter("prop") if p.get("type") == "x-glossator-method"]
    assert methods.count("tm") == 16 and methods.count("machine") == 1

    # Our own reader gives back the same human entries, codes included; the machine unit is skipped and said so.
    before = TranslationMemory(path)
    originals = {e.key: e for e in before.iter_human()}
    before.close()
    read = read_tmx(out)
    assert len(read.entries) == 16
    for entry in read.entries:
        original = originals[entry.key]
        assert (entry.source_seg, entry.target_seg, entry.target, entry.tuid, entry.segtype) == (
            original.source_seg,
            original.target_seg,
            original.target,
            original.tuid,
            original.segtype,
        )
    assert read.skipped == [
        f"{out}:{_line_of(out, 'machine')}: unit skipped: a machine translation (x-glossator-method), not a human one"
    ]
    nested = next(e for e in read.entries if e.source.startswith("Format en gigogne"))
    assert nested.source_seg.startswith('Format en gigogne = <bpt i="1" x="1" type="bold">&lt;b&gt;</bpt>')
    assert nested.target == "Nested formatting = Bold+Italic+Underlined, Bold+Italic, Bold."
    highlighted = next(e for e in read.entries if e.target.startswith("Some text"))
    assert highlighted.target == "Some text with a part highlighted."  # <hi> keeps its text
    assert '<hi x="1" type="special-part">a part highlighted</hi>' in highlighted.target_seg


def _line_of(path: Path, needle: str) -> int:
    """The line of the <tu> that holds *needle*."""
    lines = path.read_text(encoding="utf-8").splitlines()
    hit = next(i for i, line in enumerate(lines) if needle in line)
    return next(i for i in range(hit, -1, -1) if lines[i].lstrip().startswith("<tu")) + 1


def test_an_empty_memory_exports_a_valid_empty_tmx(tmp_path: Path) -> None:
    from lxml import etree

    out = tmp_path / "empty.tmx"
    result = run_cli(["memory", "export", "-o", str(out), "--memory", str(tmp_path / "m.sqlite3")])
    assert result.exit_code == 0 and "holds no human entries" in result.stderr
    assert etree.DTD(str(DTD)).validate(etree.parse(str(out)))


def test_export_never_overwrites_the_memory_itself(tmp_path: Path) -> None:
    path = _filled_memory(tmp_path)
    with pytest.raises(OutputError, match="is the translation memory itself"):
        glossator.export_tmx(path, memory=path, force=True)
    assert human_count(path) == 16


@pytest.mark.slow  # a fresh interpreter outside the repository (translate-toolkit owns the name `translate`)
def test_translate_toolkit_reads_every_exported_unit(tmp_path: Path) -> None:
    path = _filled_memory(tmp_path)
    out = tmp_path / "export.tmx"
    glossator.export_tmx(out, memory=path, include_machine=True)
    script = textwrap.dedent(
        f"""
        import json, translate
        from translate.storage import tmx
        assert "site-packages" in translate.__file__, translate.__file__
        store = tmx.tmxfile.parsefile({str(out)!r})
        print(json.dumps([[u.source, u.target] for u in store.units]))
        """
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=120, env=env
    )
    assert done.returncode == 0, done.stderr[-2000:]
    units = json.loads(done.stdout)
    assert len(units) == 17
    pair = ["Dieser Satz sollte aufgeteilt werden. In zwei Teile.", "This sentence should be split. In two pieces."]
    assert pair in units
    assert ["Ein Satz mit Steuerzeichen & <Klammern>.", "EN: Ein Satz mit Steuerzeichen & <Klammern>."] in units


# --- bad input: one line, a documented exit code, the memory unchanged ---------------------------------------

BOMB = """<?xml version="1.0"?>
<!DOCTYPE tmx [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;">]>
<tmx version="1.4"><header/><body><tu><tuv xml:lang="de"><seg>&c;</seg></tuv></tu></body></tmx>
"""
EXTERNAL = """<?xml version="1.0"?>
<!DOCTYPE tmx [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<tmx version="1.4"><header/><body><tu><tuv xml:lang="de"><seg>&secret;</seg></tuv></tu></body></tmx>
"""
DEEP = (
    '<tmx version="1.4"><header/><body><tu><tuv xml:lang="de"><seg>'
    + "<hi>" * 100
    + "x"
    + "</hi>" * 100
    + ("</seg></tuv></tu></body></tmx>")
)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b'<tmx version="1.4"><header/><body><tu><tuv xml:lang="de"><seg>a</tuv>', ":1:66: malformed XML: mismatched"),
        (BOMB.encode(), "refused: the document declares the entity 'a'"),
        (EXTERNAL.encode(), "refused: the document declares the entity 'secret'"),
        (DEEP.encode(), "nested more than 64 deep; refused"),
        (b'<martif type="TBX"><text/></martif>', "not a TMX file (the root element is <martif>"),
        (b'<tmx version="1.4"><header/><body/></tmx>', "holds no translation units"),
        (OMEGAT.read_bytes(), "languages found: en, fr"),
    ],
    ids=["empty", "malformed", "entity-bomb", "external-entity", "deep", "not-tmx", "no-units", "wrong-languages"],
)
def test_bad_tmx_is_one_line_exit_3_and_leaves_the_memory_alone(tmp_path: Path, content: bytes, message: str) -> None:
    memory = tmp_path / "memory.sqlite3"
    glossator.import_tmx(ALIGNFACTORY, memory=memory)
    bad = tmp_path / "bad.tmx"
    bad.write_bytes(content)
    result = run_cli(["memory", "import", str(bad), "--memory", str(memory)])
    assert result.exit_code == 3
    assert result.stderr.startswith(f"Error: {bad}") and result.stderr.count("\n") == 1
    assert message in result.stderr
    assert human_count(memory) == 2


def test_a_huge_or_unreadable_tmx_is_refused_before_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tmx_module, "MAX_BYTES", 1000)
    with pytest.raises(InputFileError, match=r"over the 0 MB limit for a TMX import\. Split the memory"):
        read_tmx(SENTENCES)  # 10.7 kB
    monkeypatch.undo()

    real_open = Path.open

    def refuse(self: Path, *args: object, **kwargs: object):
        if self.name == "okapi-sample14b.tmx":
            raise PermissionError(13, "Permission denied")
        return real_open(self, *args, **kwargs)  # type: ignore[arg-type]

    # (Tests run as root in CI, where file modes do not stop reads: the refusal is faked.)
    monkeypatch.setattr(Path, "open", refuse)
    result = run_cli(["memory", "import", str(SENTENCES), "--memory", str(tmp_path / "m.sqlite3")])
    assert result.exit_code == 3
    assert result.stderr == f"Error: {SENTENCES}: cannot read the TMX file: Permission denied.\n"
    assert run_cli(["memory", "import", str(tmp_path / "missing.tmx")]).exit_code == 3


def test_a_locked_memory_is_busy_exit_8_and_unchanged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    memory = tmp_path / "memory.sqlite3"
    glossator.import_tmx(ALIGNFACTORY, memory=memory)
    monkeypatch.setattr(TranslationMemory, "LOCK_TIMEOUT", 0.1)
    holder = sqlite3.connect(memory)
    holder.execute("BEGIN IMMEDIATE")  # another writer mid-transaction: readers go on, writers wait
    try:
        with pytest.raises(BusyError, match="is locked by another process; nothing was imported"):
            glossator.import_tmx(SENTENCES, memory=memory)
        result = run_cli(["memory", "import", str(SENTENCES), "--memory", str(memory)])
    finally:
        holder.rollback()
        holder.close()
    assert result.exit_code == 8 and result.stderr.count("\n") == 1
    assert human_count(memory) == 2
    holder = sqlite3.connect(memory)
    holder.execute("BEGIN EXCLUSIVE")  # not even readers: the export cannot read it
    try:
        exported = run_cli(["memory", "export", "-o", str(tmp_path / "tm.tmx"), "--memory", str(memory)])
    finally:
        holder.rollback()
        holder.close()
    assert exported.exit_code == 8 and "is locked by another process; nothing was written" in exported.stderr
    assert not (tmp_path / "tm.tmx").exists()


class _ReadOnlyOs:
    """The ``os`` module as translate.cache sees it, except that nothing is writable."""

    def __getattr__(self, name: str) -> object:
        return getattr(os, name)

    @staticmethod
    def access(path: object, mode: int) -> bool:
        return False


def test_a_read_only_memory_is_exit_5_and_unchanged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    memory = tmp_path / "memory.sqlite3"
    glossator.import_tmx(ALIGNFACTORY, memory=memory)
    # (Tests run as root in CI, where file modes do not stop writes: the memory's own access check is faked.)
    monkeypatch.setattr(cache_module, "os", _ReadOnlyOs())
    result = run_cli(["memory", "import", str(SENTENCES), "--memory", str(memory)])
    assert result.exit_code == 5
    assert result.stderr == (
        f"Error: translation memory {memory} is read-only; nothing was imported. Make it writable, or choose "
        "another file with --memory.\n"
    )
    monkeypatch.undo()
    assert human_count(memory) == 2


def test_an_import_failing_halfway_leaves_nothing_behind(tmp_path: Path) -> None:
    memory = TranslationMemory(tmp_path / "memory.sqlite3")
    good = read_tmx(SENTENCES).entries
    broken = HumanEntry(source="Kaputt.", target=None, source_seg="Kaputt.", target_seg="")  # type: ignore[arg-type]
    with pytest.raises(OutputError, match=r"NOT NULL constraint failed.*nothing was imported"):
        memory.import_human([*good[:10], broken, *good[10:]])
    assert memory.human_count() == 0
    assert memory.import_human(good).new == 24
    memory.close()
