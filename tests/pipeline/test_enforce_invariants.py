"""The invariants of an enforced sentence (translate.enforce.check_invariants) on the damage issue 14 reported,
and the ``damaged`` status from enforcement to the reports."""

from __future__ import annotations

import json

import pytest
from fakes import FakeEngine
from paths import CORPUS

from glossator.glossary.check import TermCheck, check_segment
from glossator.glossary.io import load_glossary
from glossator.glossary.match import TermMatcher
from glossator.glossary.model import Glossary, Term
from glossator.translate.enforce import (
    DAMAGE_KINDS,
    UNKNOWN_MARK,
    check_invariants,
    repair_forbidden,
    translate_with_terms,
)

GLOSSARY = load_glossary(CORPUS / "glossary.yaml")
MATCHER = TermMatcher(GLOSSARY)


def kinds(source: str, output: str, plain: str, base: str | None = None) -> list[str]:
    return [d.kind for d in check_invariants(MATCHER.find(source), output, plain, base=base, source=source)]


@pytest.mark.parametrize(
    ("source", "output", "plain", "expected"),
    [
        # The issue's duplicated term: prefix forcing put it in, then the model wrote it again.
        (
            "Der Strategische Dialog soll die Beziehungen zu Bagdad verbessern.",
            "The strategic dialog is to Strategic Dialogue Strategic Dialogue Baghdad.",
            "The strategic dialog is to comprehensively deal with relations between Bagdad.",
            ["duplicated"],
        ),
        # Glued: the forced term joined to leftover pieces of the word the model had started.
        (
            "Der Strategische Dialog beginnt.",
            "The Strategic Dialogued begins.",
            "The strategic dialog begins.",
            ["glued"],
        ),
        (
            "Sie verlassen Bagdad.",
            "They Baghdadrawal.",
            "They leave Bagdad.",
            ["glued"],
        ),
        # The unknown piece: a target character the vocabulary lacks, forced three times.
        (
            "Kassem Soleimani war ein einflussreicher General.",
            f" {UNKNOWN_MARK} assem Soleimani {UNKNOWN_MARK} assem Soleimani beginning of the y.",
            "The troop strength remains the same.",
            ["unknown_piece"],
        ),
    ],
)
def test_issue_damage_is_found(source, output, plain, expected):
    found = kinds(source, output, plain)
    assert found[: len(expected)] == expected or set(expected) <= set(found), found
    assert set(found) <= set(DAMAGE_KINDS)


@pytest.mark.parametrize(
    ("source", "output", "plain"),
    [
        # The model's own repetition is not enforcement's damage.
        (
            "Der Ministerpräsident besucht Bagdad.",
            "The Prime Minister Baghdad Baghdad.",
            "The Prime Minister Baghdad Baghdad.",
        ),
        # Two German occurrences, two copies.
        (
            "Bagdad antwortete Bagdad nicht.",
            "Baghdad did not answer Baghdad.",
            "Bagdad did not answer Bagdad.",
        ),
        # A plural occurrence takes the plural target; that is not a glued "s".
        ("Die Terrormilizen greifen an.", "The terrorist militias attack.", "The terror militias attack."),
        # Punctuation may touch a target; a hyphenated compound is not glue either.
        ("Die Truppen in Bagdad bleiben.", "The Baghdad-based troops stay.", "The Bagdad-based troops stay."),
        # A longer target claims its words first: "Islamic State" does not also count for *IS*.
        ("Der IS und der Islamische Staat.", "IS and the Islamic State.", "ISIS and the Islamic State."),
        # "base" inside the word "based" is an English word, not a glued target.
        ("Der Stützpunkt liegt hier.", "The base is based here.", "The support point is based here."),
    ],
)
def test_what_is_not_damage(source, output, plain):
    assert kinds(source, output, plain) == []


def test_words_outside_the_terms_must_be_the_models():
    source = "Die Truppenstärke bleibt gleich."
    plain = "The troop strength remains the same."
    assert kinds(source, "The troop levels remains the same.", plain) == []  # words replaced by the term
    assert kinds(source, "The troop levels remains the same!", plain) == ["changed_outside"]  # punctuation changed
    assert kinds(source, "Our troop levels remains the same.", plain) == ["changed_outside"]  # a word Glossator wrote
    assert kinds(source, "The troop levels remains the same", plain) == ["changed_outside"]  # the full stop dropped
    # For prefix forcing the base is the forced decode: its own words after the term are the model's.
    base = "The troop levels are unchanged."
    assert kinds(source, "The troop levels are unchanged.", plain, base=base) == []


def test_a_surplus_forbidden_rendering_may_go_but_nothing_else():
    source = "Der Ministerpräsident besucht Bagdad."
    plain = "The Prime Minister visits Bagdad Bagdad."
    assert kinds(source, "The Prime Minister visits Baghdad.", plain) == []
    assert kinds(source, "The Prime Minister visits Baghdad", plain) == ["changed_outside"]  # full stop dropped
    today = "Today the Prime Minister visits Bagdad."
    assert kinds(source, "the Prime Minister visits Baghdad.", today) == ["changed_outside"]  # "Today" dropped
    # What the invariant cannot see: which model words translate the term. Words next to a target that it
    # replaced count as the term's own ("visits" here); alignment decides that, not the check.
    assert kinds(source, "The Prime Minister Baghdad.", plain) == []


def test_unknown_mark_in_the_german_may_come_through():
    source = f"Bagdad {UNKNOWN_MARK} heute."
    assert kinds(source, f"Baghdad {UNKNOWN_MARK} today.", f"Bagdad {UNKNOWN_MARK} today.") == []


def test_damage_describes_itself():
    damage = check_invariants(
        MATCHER.find("Sie verlassen Bagdad."),
        "They Baghdadrawal.",
        "They leave Bagdad.",
        source="Sie verlassen Bagdad.",
    )
    assert [d.describe() for d in damage] == [
        "glued (Baghdad): Baghdadrawal",
        "changed_outside: wrote 'Baghdadrawal' for 'leave Bagdad'",
    ]


def test_repair_forbidden_keeps_its_contract():
    matches = MATCHER.find("Die Terrormilizen greifen an.")
    assert repair_forbidden("The terror militias attack.", matches) == "The terrorist militias attack."


# --- the status --------------------------------------------------------------------------------------------------


class UnknownPieceEngine(FakeEngine):
    """Writes the unknown piece into every output, ``disable_unk`` or not (a model that cannot help it)."""

    def decode_tokens(self, sentence, candidate, prefix):
        return (*super().decode_tokens(sentence, candidate, prefix), "▁" + UNKNOWN_MARK)


def damaged_translation():
    sentence = "Der Ministerpräsident besucht Bagdad."
    engine = UnknownPieceEngine({sentence: "The minister president visits Bagdad."})
    [result] = translate_with_terms(engine, [sentence], [MATCHER.find(sentence)])
    return engine, sentence, result


def test_a_sentence_that_breaks_an_invariant_is_damaged_never_enforced():
    _, _, result = damaged_translation()
    assert [d.kind for d in result.damage] == ["unknown_piece"]
    assert {c.status for c in result.checks} == {"damaged"}
    assert all(c.damage == ("unknown_piece: 1 x \u2047",) for c in result.checks)
    assert not any(c.ok for c in result.checks)
    assert result.to_dict()["damage"] == ["unknown_piece: 1 x \u2047"]


def test_damaged_survives_the_memory_round_trip():
    _, _, result = damaged_translation()
    check = result.checks[0]
    again = TermCheck.from_dict(json.loads(json.dumps(check.to_dict())), check.match.term)
    assert again == check and again.status == "damaged" and again.damage == check.damage


def test_enforced_decodes_disable_the_unknown_piece():
    engine, _, _ = damaged_translation()
    termed = [options for options in engine.options]
    assert termed and all(options["disable_unk"] for options in termed)


def test_plain_sentences_keep_plain_decoding():
    engine = FakeEngine()
    out = translate_with_terms(engine, ["Gehen oder bleiben?"], [[]])
    assert out[0].method == "plain" and engine.options == [
        {
            "num_hypotheses": 1,
            "target_prefixes": False,
            "return_attention": False,
            "disable_unk": False,
            "beam_size": None,
            "max_decoding_length": None,
        }
    ]


def test_cli_counts_damaged_and_strict_fails_on_it(monkeypatch, tmp_path):
    from clirun import run

    import glossator.translate.engine

    sentence = "Der Ministerpräsident besucht Bagdad."
    monkeypatch.setattr(
        glossator.translate.engine,
        "load_engine",
        lambda settings: UnknownPieceEngine({sentence: "The minister president visits Bagdad."}),
    )
    glossary = CORPUS / "glossary.yaml"
    result = run("translate", "-", "--glossary", glossary, "--json", "--no-cache", input=sentence + "\n")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["terms"]["damaged"] == 2 and report["terms"]["enforced"] == 0
    assert report["segments"][0]["terms"][0]["damage"] == ["unknown_piece: 1 x \u2047"]
    assert "2 damaged" in result.stderr
    strict = run("translate", "-", "--glossary", glossary, "--strict", "--no-cache", input=sentence + "\n")
    assert strict.exit_code == 7
    assert "2 glossary terms violated (--strict)" in strict.stderr


def test_report_rows_and_violations_count_damaged():
    from glossator.quality.evaluate import segment_terms

    matches = MATCHER.find("Der Ministerpräsident besucht Bagdad.")
    output = "The prime minister visits Baghdad. \u2047"
    damaged = {(m.term.source, m.surface): ("unknown_piece: 1 x \u2047",) for m in matches}
    terms = segment_terms(matches, output, set(), damaged)
    assert [t["status"] for t in terms] == ["damaged", "damaged"]
    assert terms[0]["damage"] == ["unknown_piece: 1 x \u2047"]
    assert [c.status for c in check_segment(matches, output)] == ["ok", "ok"]  # the text alone cannot tell


def test_html_report_marks_damaged_terms():
    from glossator.quality.html_report import STATUS_COLORS, _row_html

    row = {
        "source": "Bagdad.",
        "output": "Baghdad \u2047.",
        "references": ["Baghdad."],
        "terms": [
            {
                "source": "Bagdad",
                "english": "Baghdad",
                "start": 0,
                "end": 6,
                "status": "damaged",
                "damage": ["unknown_piece: 1 x \u2047"],
                "output_spans": [[0, 7, "term"]],
            }
        ],
    }
    html = _row_html(1, row)
    assert 'class="term damaged"' in html and "sentence damaged" in html and "unknown_piece" in html
    assert 'class="segment violation"' in html
    assert "damaged" in STATUS_COLORS


def test_glossary_with_target_sharing_entries_counts_one_target():
    glossary = Glossary((Term("Stützpunkt", "base"), Term("Basis", "base")))
    matches = TermMatcher(glossary).find("Der Stützpunkt ist die Basis.")
    assert len(matches) == 2
    assert check_invariants(matches, "The base is the base.", "The support point is the basis.") == ()
    plain = "The support point is the basis basis."
    assert [d.kind for d in check_invariants(matches, "The base is the base base.", plain)] == ["duplicated"]


def test_the_best_alignment_decides_not_the_first_equal_word():
    """Targets replaced "the", "and" and "region" of the model's text; a greedy matcher pairs the kept "the" with
    the wrong one and sees a word written. The check looks for the best alignment."""
    glossary = Glossary((Term("Vorsorge", "prevention"), Term("Leistung", "medical services"), Term("Regel", "rule")))
    matches = TermMatcher(glossary).find("Vorsorge, Leistung, Regel.")
    assert len(matches) == 3
    base = "It was at the extremists and the region."
    assert check_invariants(matches, "It was at prevention extremists medical services the rule.", base) == ()
    changed = "It was at prevention extremist medical services the rule."
    assert [d.kind for d in check_invariants(matches, changed, base)] == ["changed_outside"]


def test_a_target_with_its_own_punctuation_at_the_edges():
    """ "1p-" and "(IS)": the phrase matcher finds the words; the hyphen and brackets are the target's own, not
    punctuation Glossator wrote or took from the model."""
    glossary = Glossary((Term("Deletion", "1p-"), Term("Miliz", "(IS)")))
    matches = TermMatcher(glossary).find("Die Deletion der Miliz.")
    assert len(matches) == 2
    base = "The p of the militia."
    assert check_invariants(matches, "The 1p- of the (IS).", base) == ()
    assert [d.kind for d in check_invariants(matches, "The 1p- of the (IS)", base)] == ["changed_outside"]
