"""The translation path end to end with the project's real test model, plus the bad-input paths."""

import json
import os
from pathlib import Path

import pytest
from clirun import run
from fakes import FakeEngine
from paths import CORPUS, TEST_MODEL_DIR

from glossator.common.settings import Settings
from glossator.glossary.check import term_accuracy
from glossator.glossary.io import load_glossary
from glossator.glossary.match import TermMatcher
from glossator.models.packages import install_package
from glossator.translate.documents import read_document
from glossator.translate.enforce import translate_with_terms
from glossator.translate.engine import load_engine

PACKAGE = TEST_MODEL_DIR / "de_en_glossator_test.argosmodel"
GLOSSARY = CORPUS / "glossary.yaml"
ARTICLE = CORPUS / "iraq-troops.de.txt"


@pytest.fixture
def model():
    install_package(PACKAGE, Settings.from_env())




def test_installed_test_model_reproduces_expected_outputs(model):
    rows = [line.split("\t") for line in (TEST_MODEL_DIR / "expected.tsv").read_text().splitlines()[1:]]
    engine = load_engine(Settings.from_env())
    outputs = engine.translate([german for german, _ in rows])
    assert [hyps[0].text for hyps in outputs] == [english for _, english in rows]


def test_translate_article_without_and_with_glossary(model, tmp_path):
    sources = read_document(ARTICLE.read_text(encoding="utf-8"), "txt").segments
    plain = run("translate", ARTICLE, "-o", tmp_path / "plain.en.txt", "--json")
    assert plain.exit_code == 0, plain.output
    termed = run("translate", ARTICLE, "-o", tmp_path / "g.en.txt", "--glossary", GLOSSARY, "--json")
    assert termed.exit_code == 0, termed.output
    glossary = load_glossary(GLOSSARY)
    without = read_document((tmp_path / "plain.en.txt").read_text(), "txt").segments
    with_ = read_document((tmp_path / "g.en.txt").read_text(), "txt").segments
    before, after = term_accuracy(sources, without, glossary), term_accuracy(sources, with_, glossary)
    assert before.exact < 0.5 and before.forbidden > 0  # the generic engine's slips are real
    assert after.exact == 1.0 and after.forbidden == 0
    assert "terrorist militia Islamic State" in (tmp_path / "g.en.txt").read_text()
    report = json.loads(termed.stdout[termed.stdout.index("{") :])
    assert report["terms"]["missing"] == 0 and report["terms"]["enforced"] > 0
    assert "terms: " in termed.stderr


def test_plural_occurrence_gets_plural_target_and_no_false_positive(model):
    settings = Settings.from_env()
    glossary = load_glossary(GLOSSARY)
    matcher = TermMatcher(glossary)
    sentences = ["Die Terrormilizen kontrollieren weite Teile des Landes.", "Der Dialog war strategisch wichtig."]
    out = translate_with_terms(load_engine(settings), sentences, [matcher.find(s) for s in sentences])
    assert out[0].target.startswith("The terrorist militias control")
    assert out[1].checks == () and out[1].target == "The dialogue was strategically important."


@pytest.mark.parametrize(
    ("sentence", "term"),
    [("Die Terrormiliz greift an.", "terrorist militia"), ("Der Sondergesandte sprach lange.", "special envoy")],
)
def test_dropped_term_is_put_back_by_alignment_or_prefix(model, sentence, term):
    engine = load_engine(Settings.from_env())
    assert term not in engine.translate([sentence])[0][0].text  # the model drops or mangles it
    matches = TermMatcher(load_glossary(GLOSSARY)).find(sentence)
    [result] = translate_with_terms(engine, [sentence], [matches])
    assert result.method in ("align", "prefix")
    assert term in result.target.lower() and result.checks[0].status == "enforced"


def test_prefix_fallback_when_nothing_aligns():
    engine = FakeEngine({"Der Sondergesandte sprach lange.": "He spoke for a long time."})
    sentence = "Der Sondergesandte sprach lange."
    matches = TermMatcher(load_glossary(GLOSSARY)).find(sentence)
    [result] = translate_with_terms(engine, [sentence], [matches])
    assert result.method == "prefix"
    assert "special envoy" in result.target
    assert result.checks[0].status == "enforced"


def test_memory_retranslates_only_changed_sentences(model, tmp_path):
    doc = tmp_path / "a.de.txt"
    doc.write_text("Die Truppenstärke bleibt gleich. Zwei Dschihadisten wurden festgenommen.\n", encoding="utf-8")
    first = run("translate", doc, "--json")
    assert json.loads(first.stdout)["stats"]["cached"] == 0
    doc.write_text("Die Truppenstärke bleibt gleich. Der Drohnenangriff tötete zwei Menschen.\n", encoding="utf-8")
    second = run("translate", doc, "--json", "--force")
    assert json.loads(second.stdout)["stats"]["cached"] == 1
    stats = run("cache", "stats", "--json")
    assert json.loads(stats.stdout)["entries"] == 3
    assert run("cache", "clear").stdout.startswith("removed 3 entries")


def test_rerun_reuses_remembered_sentence_splits(model, tmp_path, monkeypatch):
    from glossator.translate import segment

    calls = []
    real = segment.sentence_spans

    def counting(paragraph):
        if paragraph.strip():  # blank lines need no splitting and are never remembered
            calls.append(paragraph)
        return real(paragraph)

    monkeypatch.setattr("glossator.translate.pipeline.sentence_spans", counting)
    doc = tmp_path / "a.de.txt"
    doc.write_text((CORPUS / "iraq-troops.de.txt").read_text(encoding="utf-8"), encoding="utf-8")
    first = run("translate", doc, "-o", tmp_path / "first.en.txt")
    assert first.exit_code == 0 and calls
    calls.clear()
    second = run("translate", doc, "-o", tmp_path / "second.en.txt")
    assert second.exit_code == 0 and calls == []  # every paragraph's split came from the memory
    assert (tmp_path / "second.en.txt").read_bytes() == (tmp_path / "first.en.txt").read_bytes()
    # An edited paragraph is split afresh; the others still come from the memory.
    doc.write_text(doc.read_text(encoding="utf-8").replace("Gehen oder bleiben?", "Gehen? Oder bleiben?"))
    assert run("translate", doc, "-o", tmp_path / "third.en.txt").exit_code == 0
    assert calls == ["Gehen? Oder bleiben?"]
    # --no-cache neither reads nor writes the memory.
    calls.clear()
    assert run("translate", doc, "--no-cache", "-o", tmp_path / "fourth.en.txt").exit_code == 0
    assert len(calls) == len([p for p in doc.read_text(encoding="utf-8").splitlines() if p.strip()])


def test_corrupt_memory_is_set_aside(model, tmp_path):
    cache = Settings.from_env().cache_path
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_bytes(b"this is not a database" * 100)
    result = run("translate", "-", input="Die Truppenstärke bleibt gleich.\n")
    assert result.exit_code == 0
    assert result.stdout == "The troop strength remains the same.\n"
    assert "was damaged" in result.stderr
    assert list(cache.parent.glob("memory.sqlite3.corrupt-*"))


def test_several_inputs_to_directory_with_mirrored_names(model, tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "x.de.md").write_text("# Neue Regeln\n\nDie Truppenstärke bleibt gleich.\n", encoding="utf-8")
    (tmp_path / "in" / "y.de.txt").write_text("Gehen oder bleiben?\n", encoding="utf-8")
    result = run("translate", tmp_path / "in", "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "x.en.md").read_text() == "# New rules\n\nThe troop strength remains the same.\n"
    assert (tmp_path / "out" / "y.en.txt").read_text() == "Go or stay?\n"


def test_empty_file_gives_empty_output(model, tmp_path):
    (tmp_path / "e.de.txt").write_text("", encoding="utf-8")
    assert run("translate", tmp_path / "e.de.txt").exit_code == 0
    assert (tmp_path / "e.en.txt").read_text() == ""


def test_strict_fails_on_a_violated_term(model, monkeypatch):
    import glossator.translate.enforce
    from glossator.glossary.check import check_segment

    def unenforced(engine, sentences, matches, **kwargs):  # an enforcement that cannot help
        outputs = engine.translate(sentences)
        return [
            glossator.translate.enforce.EnforcedSentence(s, o[0].text, tuple(check_segment(m, o[0].text)), "plain")
            for s, o, m in zip(sentences, outputs, matches, strict=True)
        ]

    monkeypatch.setattr(glossator.translate.enforce, "translate_with_terms", unenforced)
    result = run("translate", "-", "--glossary", GLOSSARY, "--strict", input="Der Ministerpräsident besucht Bagdad.\n")
    assert result.exit_code == 7
    assert result.stdout == "The Minister President visits Bagdad.\n"
    assert "2 glossary terms violated (--strict)" in result.stderr


def test_interrupted_run_leaves_no_output(model, tmp_path, monkeypatch):
    import glossator.translate.pipeline

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(glossator.translate.pipeline, "translate_documents", interrupted)
    result = run("translate", ARTICLE, "-o", tmp_path / "out.en.txt")
    assert result.exit_code == 130
    assert not (tmp_path / "out.en.txt").exists() and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("setup", "args", "code", "message"),
    [
        (None, ["{tmp}/nope.de.txt"], 3, "input file does not exist"),
        ("binary", ["{tmp}/b.de.txt"], 3, "looks like a binary file"),
        ("latin1", ["{tmp}/l.de.txt"], 3, "not valid utf-8"),
        ("exists", ["{tmp}/a.de.txt"], 5, "output exists. Pass --force"),
        ("article", ["{tmp}/a.de.txt", "-o", "{tmp}/a.de.txt"], 5, "would overwrite a file this run reads"),
        ("article", ["{tmp}/a.de.txt", "--format", "pdf"], 2, "--format pdf: use one of"),
        ("article", ["{tmp}/a.de.txt", "--glossary", "{tmp}/missing.yaml"], 3, "glossary file not found"),
    ],
)
def test_bad_input(model, tmp_path, setup, args, code, message):
    if setup in ("article", "exists"):
        (tmp_path / "a.de.txt").write_text("Gehen oder bleiben?\n", encoding="utf-8")
    if setup == "exists":
        (tmp_path / "a.en.txt").write_text("keep me", encoding="utf-8")
    if setup == "binary":
        (tmp_path / "b.de.txt").write_bytes(b"PK\x03\x04\x00\x00binary")
    if setup == "latin1":
        (tmp_path / "l.de.txt").write_bytes("Stützpunkt".encode("latin-1"))
    result = run("translate", *[a.replace("{tmp}", str(tmp_path)) for a in args])
    assert result.exit_code == code, result.output
    assert result.stderr.startswith("Error: ") and message in result.stderr
    if setup == "exists":
        assert (tmp_path / "a.en.txt").read_text() == "keep me"


def test_latin1_input_with_encoding_option(model, tmp_path):
    (tmp_path / "l.de.txt").write_bytes("Die Truppenstärke bleibt gleich.\n".encode("latin-1"))
    assert run("translate", tmp_path / "l.de.txt", "--encoding", "latin-1").exit_code == 0
    assert (tmp_path / "l.en.txt").read_text() == "The troop strength remains the same.\n"


def test_missing_model_says_how_to_install(tmp_path):
    result = run("translate", ARTICLE, "-o", tmp_path / "x.txt")
    assert result.exit_code == 4 and "glossator models install" in result.stderr


def test_unwritable_output_directory(model, tmp_path, monkeypatch):
    locked = tmp_path / "locked"
    locked.mkdir()
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if Path(p) == locked else real_access(p, mode))
    result = run("translate", ARTICLE, "-o", locked / "out.en.txt")
    assert result.exit_code == 5 and "not writable" in result.stderr


def test_input_longer_than_the_models_position_table_is_truncated_not_fatal(model):
    engine = load_engine(Settings.from_env())
    long_sentence = " ".join(["Die Truppenstärke bleibt gleich, sagt der Sondergesandte"] * 60) + "."
    assert len(engine.source_pieces(long_sentence)) > 256
    [[hyp]] = engine.translate([long_sentence])
    assert isinstance(hyp.text, str)


@pytest.mark.parametrize(
    ("data", "args", "message"),
    [
        (b"\x00\x01binary\x00", [], "<stdin>: looks like a binary file"),
        ("Stützpunkt\n".encode("latin-1"), [], "<stdin>: not valid utf-8 (byte 0xfc at offset 2)"),
        (b"Gehen oder bleiben?\n", ["--encoding", "klingon"], "unknown encoding 'klingon'"),
    ],
)
def test_bad_stdin_is_bad_input_data(model, data, args, message):
    result = run("translate", "-", *args, input=data)
    assert result.exit_code == 3, result.output
    assert message in result.stderr and result.stdout == ""


def test_latin1_stdin_with_encoding(model):
    result = run("translate", "-", "--encoding", "latin-1", input="Gehen oder bleiben?\n".encode("latin-1"))
    assert result.exit_code == 0 and result.stdout == "Go or stay?\n"


@pytest.mark.parametrize(
    "limits",
    [
        ("--batch-sentences", "1"),  # one sentence at a time, as argostranslate does
        ("--batch-tokens", "16", "--batch-sentences", "64"),  # the token limit decides
        ("--batch-tokens", "4096", "--batch-sentences", "1000"),  # one batch per chunk
    ],
)
def test_batch_limits_change_memory_not_output(model, tmp_path, limits):
    article = CORPUS / "iraq-troops.de.txt"
    default, limited = tmp_path / "default.en.txt", tmp_path / "limited.en.txt"
    assert run("translate", article, "--no-cache", "-o", default).exit_code == 0
    result = run("translate", article, "--no-cache", *limits, "-o", limited)
    assert result.exit_code == 0, result.output
    assert limited.read_text(encoding="utf-8") == default.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["GLOSSATOR_BATCH_TOKENS", "GLOSSATOR_BATCH_SENTENCES"])
@pytest.mark.parametrize("value", ["0", "lots", "-5"])
def test_bad_batch_limit_environment_is_a_usage_error(model, monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    result = run("translate", "-", input="Gehen oder bleiben?\n")
    assert result.exit_code == 2
    assert f"{name}={value!r}" in result.stderr and "positive whole number" in result.stderr


def test_batch_limit_environment_is_used(model, monkeypatch):
    monkeypatch.setenv("GLOSSATOR_BATCH_SENTENCES", "3")
    monkeypatch.setenv("GLOSSATOR_BATCH_TOKENS", "99")
    settings = Settings.from_env()
    assert (settings.max_batch_sentences, settings.max_batch_tokens) == (3, 99)
    engine = load_engine(settings)
    assert (engine.max_batch_sentences, engine.max_batch_tokens) == (3, 99)


@pytest.mark.parametrize("option", ["--batch-tokens", "--batch-sentences"])
def test_batch_limits_must_be_positive(model, option):
    result = run("translate", "-", option, "0", input="Gehen oder bleiben?\n")
    assert result.exit_code == 2
    assert option in result.stderr
