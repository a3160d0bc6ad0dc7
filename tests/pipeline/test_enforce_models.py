"""Enforcement with the two real models (the test model and the small model): the sentences issue 14 reported
damaged come out intact, and a sentence's output does not depend on the sentences batched with it."""

from __future__ import annotations

import pytest
from paths import CORPUS, SMALL_MODEL, TEST_MODEL_DIR

from glossator.common.settings import Settings
from glossator.glossary.io import load_glossary
from glossator.glossary.match import TermMatcher
from glossator.models.packages import install_package
from glossator.translate.enforce import UNKNOWN_MARK, translate_with_terms
from glossator.translate.engine import CT2Engine

PACKAGES = {
    "test": TEST_MODEL_DIR / "de_en_glossator_test.argosmodel",
    "small": SMALL_MODEL,
}
MATCHER = TermMatcher(load_glossary(CORPUS / "glossary.yaml"))
# The sentences of issue 14 and more of the corpus glossary's terms in new contexts.
SENTENCES = [
    "Der Strategische Dialog soll in Bagdad fortgesetzt werden.",
    "Der strategische Dialog soll die Beziehungen zu Bagdad verbessern.",
    "Kassem Soleimani war ein einflussreicher General.",
    "Die Truppenstärke bleibt gleich.",
    "Die Terrormiliz greift an.",
    "Der Sondergesandte sprach lange.",
    "Der Ministerpräsident besucht Bagdad.",
    "Nach dem Drohnenangriff in Bagdad forderte der Ministerpräsident den Abzug.",
    "Die Truppenreduzierung in Bagdad wurde beschlossen.",
    "Der Geheimdienstchef traf den Milizenführer in Bagdad.",
    "Das Wiedererstarken der Terrormilizen bereitet Sorgen.",
    "Die Corona-Krise trifft das Krisenland hart.",
    "Der Stützpunkt in Bagdad wird geschlossen.",
    "Mustafa Kadhemi traf Kassem Soleimani nicht.",
]


@pytest.fixture(params=sorted(PACKAGES))
def engine(request) -> CT2Engine:
    info = install_package(PACKAGES[request.param], Settings.from_env())
    return CT2Engine(package=info)


@pytest.fixture
def test_engine() -> CT2Engine:
    return CT2Engine(package=install_package(PACKAGES["test"], Settings.from_env()))


def test_output_does_not_depend_on_the_batch(engine):
    matches = [MATCHER.find(s) for s in SENTENCES]
    together = translate_with_terms(engine, SENTENCES, matches)
    for sentence, found, result in zip(SENTENCES, matches, together, strict=True):
        [alone] = translate_with_terms(engine, [sentence], [found])
        assert (alone.target, alone.method, [c.status for c in alone.checks]) == (
            result.target,
            result.method,
            [c.status for c in result.checks],
        ), sentence


def test_issue_sentences_come_out_intact(engine):
    results = translate_with_terms(engine, SENTENCES, [MATCHER.find(s) for s in SENTENCES])
    for result in results:
        assert UNKNOWN_MARK not in result.target, result
        assert result.damage == (), result
        assert all(c.ok for c in result.checks), result
        for check in result.checks:  # each target once per German occurrence
            english = check.match.english.lower()
            same = sum(c.match.english.lower() == english for c in result.checks)
            assert result.target.lower().count(english) == same, result


def test_a_target_the_vocabulary_lacks_is_spliced_in_as_written(test_engine):
    sentence = "Kassem Soleimani war ein einflussreicher General."
    assert "<unk>" in test_engine.text_to_pieces("Qassem")  # the test model has no "Q"
    [result] = translate_with_terms(test_engine, [sentence], [MATCHER.find(sentence)])
    assert result.target.count("Qassem Soleimani") == 1 and UNKNOWN_MARK not in result.target
    assert [c.status for c in result.checks] == ["enforced"]


def test_all_words_aligned_to_the_term_are_replaced(test_engine, tmp_path):
    """A DeepL-style glossary without forbidden renderings: "troop strength" goes whole, not just "troop"."""
    glossary = tmp_path / "deepl.tsv"
    glossary.write_text("Truppenstärke\ttroop numbers\n", encoding="utf-8")
    sentence = "Die Truppenstärke bleibt gleich."
    assert test_engine.translate([sentence])[0][0].text == "The troop strength remains the same."
    [result] = translate_with_terms(test_engine, [sentence], [TermMatcher(load_glossary(glossary)).find(sentence)])
    assert result.target == "The troop numbers remains the same."
    assert result.method == "align" and [c.status for c in result.checks] == ["enforced"]


def test_decode_options(test_engine):
    sentence = "Die Truppenstärke bleibt gleich."
    [[short]] = test_engine.translate([sentence], max_decoding_length=2)
    assert len(short.tokens) <= 2
    [[plain]] = test_engine.translate([sentence], disable_unk=True, beam_size=1)
    assert plain.text == "The troop strength remains the same."
    # A greedy pass forced through a hypothesis gives the same attention alone and in a batch.
    others = ["Gehen oder bleiben?", "Der IS hat sein Herrschaftsgebiet verloren.", sentence]
    prefix = list(plain.tokens)
    [[alone]] = test_engine.translate([sentence], target_prefixes=[prefix], return_attention=True, beam_size=1)
    batch = test_engine.translate(others, target_prefixes=[None, None, prefix], return_attention=True, beam_size=1)
    assert alone.attention is not None and batch[2][0].attention is not None
    for a, b in zip(alone.attention[: len(prefix)], batch[2][0].attention[: len(prefix)], strict=True):
        assert max(abs(x - y) for x, y in zip(a, b, strict=False)) < 1e-4
