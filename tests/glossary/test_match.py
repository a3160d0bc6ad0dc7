"""Inflection-aware term matching: a hand-checked case table, properties, and a 10,000-entry glossary."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from glossator.glossary.match import TermMatch, TermMatcher, tokenize
from glossator.glossary.model import Glossary, Term

GLOSSARY = Glossary(
    terms=(
        Term("Strategischer Dialog", "Strategic Dialogue"),
        Term("Terrormiliz", "terrorist militia", forbidden=("terror militia",)),
        Term("Terrormiliz Islamischer Staat", "Islamic State terrorist militia"),
        Term("Islamischer Staat", "Islamic State"),
        Term("Staat", "state"),
        Term("IS", "IS", case_sensitive=True),
        Term("Stützpunkt", "base"),
        Term("Corona-Krise", "coronavirus crisis", target_plural="coronavirus crises", variants=("Coronakrise",)),
        Term("Sondergesandter", "special envoy"),
        Term("Dschihadist", "jihadist"),
        Term("Geheimdienstchef", "intelligence chief"),
        Term("Kassem Soleimani", "Qassem Soleimani"),
        Term("Krisenland", "crisis country"),
        Term("Milizenführer", "militia leader"),
        Term("Wiedererstarken", "resurgence"),
        Term("Drohnenangriff", "drone strike"),
        Term("Bagdad", "Baghdad"),
        Term("Truppenstärke", "troop strength", target_plural="troop levels"),
        Term("Dialog", "dialogue", status="deprecated"),
    )
)


@pytest.fixture(scope="module")
def matcher() -> TermMatcher:
    return TermMatcher(GLOSSARY)


def found(matcher: TermMatcher, text: str) -> list[tuple[str, str, bool]]:
    return [(m.surface, m.term.source, m.plural) for m in matcher.find(text)]


# (German text, expected [(surface, term source, plural)]) — each row checked by hand.
CASES = [
    # declined adjectives inside multi-word terms
    ("im Zuge eines Strategischen Dialogs, der", [("Strategischen Dialogs", "Strategischer Dialog", False)]),
    ("Sie sprachen im Strategischen Dialog.", [("Strategischen Dialog", "Strategischer Dialog", False)]),
    ("Der Strategische Dialog soll", [("Strategische Dialog", "Strategischer Dialog", False)]),
    ("Ein Strategischer Dialog begann.", [("Strategischer Dialog", "Strategischer Dialog", False)]),
    (
        "ein Wiedererstarken des Islamischen Staates",
        [("Wiedererstarken", "Wiedererstarken", False), ("Islamischen Staates", "Islamischer Staat", False)],
    ),
    ("gegen den Islamischen Staat", [("Islamischen Staat", "Islamischer Staat", False)]),
    # case and number of nouns
    ("Terrormilizen greifen an", [("Terrormilizen", "Terrormiliz", True)]),
    ("Feste Stützpunkte sollen wegfallen", [("Stützpunkte", "Stützpunkt", True)]),
    ("auf den Stützpunkten", [("Stützpunkten", "Stützpunkt", True)]),
    ("auf dem Stützpunkt", [("Stützpunkt", "Stützpunkt", False)]),
    ("einer der Stützpunkte", [("Stützpunkte", "Stützpunkt", True)]),
    ("in dem Krisenland", [("Krisenland", "Krisenland", False)]),
    ("in Krisenländern", [("Krisenländern", "Krisenland", True)]),
    ("nach Drohnenangriffen", [("Drohnenangriffen", "Drohnenangriff", True)]),
    ("die Truppenstärken", [("Truppenstärken", "Truppenstärke", True)]),
    ("zwei Milizenführer", [("Milizenführer", "Milizenführer", True)]),
    ("einen irakischen Milizenführer", [("Milizenführer", "Milizenführer", False)]),
    # weak nouns: "-en" in the singular too; the determiner decides
    ("des Dschihadisten", [("Dschihadisten", "Dschihadist", False)]),
    ("gegen die Dschihadisten", [("Dschihadisten", "Dschihadist", True)]),
    ("dem neuen Sondergesandten", [("Sondergesandten", "Sondergesandter", False)]),
    # compounds the dictionary does not list; names in the genitive
    ("des früheren Geheimdienstchefs", [("Geheimdienstchefs", "Geheimdienstchef", False)]),
    ("Kassem Soleimanis Tod", [("Kassem Soleimanis", "Kassem Soleimani", False)]),
    ("nahe Bagdads", [("Bagdads", "Bagdad", False)]),
    # sentence-initial capitals
    ("Stützpunkte gibt es keine.", [("Stützpunkte", "Stützpunkt", True)]),
    ("Wiedererstarken ist möglich.", [("Wiedererstarken", "Wiedererstarken", False)]),
    # hyphen and compound spellings, variants
    ("die Corona-Krise", [("Corona-Krise", "Corona-Krise", False)]),
    ("die Coronakrise", [("Coronakrise", "Corona-Krise", False)]),
    ("die corona-krise", [("corona-krise", "Corona-Krise", False)]),
    ("mehrere Corona-Krisen", [("Corona-Krisen", "Corona-Krise", True)]),
    ("der US-Sondergesandte", [("Sondergesandte", "Sondergesandter", False)]),
    # overlapping terms: the longest wins, no overlaps
    (
        "Bekämpfung der Terrormiliz Islamischer Staat.",
        [("Terrormiliz Islamischer Staat", "Terrormiliz Islamischer Staat", False)],
    ),
    (
        "der Islamische Staat und der Staat",
        [("Islamische Staat", "Islamischer Staat", False), ("Staat", "Staat", False)],
    ),
    # case-sensitive term
    ("Der IS hat sein Gebiet verloren", [("IS", "IS", False)]),
    ("This is it. Is it?", []),
    # no false positives
    ("Der Dialog war strategisch wichtig.", []),
    ("Das war strategisch. Dialog ist wichtig.", []),
    ("ein strategisch Dialog", []),
    ("Dialog", []),  # the only entry for it is deprecated
    ("in islamischen Staaten", [("Staaten", "Staat", True)]),  # generic, not the proper name
    ("Terrormiliz-Kämpfer", []),  # only a compound's head counts
    ("Soleimanis Tod", []),  # a multi-word term needs all its words
    ("", []),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0][:40] or "empty" for c in CASES])
def test_case_table(matcher: TermMatcher, text: str, expected: list[tuple[str, str, bool]]) -> None:
    assert found(matcher, text) == expected


def test_offsets_point_at_the_surface(matcher: TermMatcher) -> None:
    text = "Das erklärten die Regierungen im Zuge eines Strategischen Dialogs, der am Donnerstag begonnen hatte."
    (match,) = matcher.find(text)
    assert text[match.start : match.end] == match.surface == "Strategischen Dialogs"


@pytest.mark.parametrize(
    ("text", "english"),
    [
        ("Terrormilizen", "terrorist militias"),
        ("Terrormiliz", "terrorist militia"),
        ("Truppenstärken", "troop levels"),
        ("Corona-Krisen", "coronavirus crises"),
        ("IS", "IS"),
    ],
)
def test_english_form_follows_number(matcher: TermMatcher, text: str, english: str) -> None:
    (match,) = matcher.find(text)
    assert match.english == english


def test_to_dict(matcher: TermMatcher) -> None:
    (match,) = matcher.find("Terrormilizen")
    assert match.to_dict() == {
        "source": "Terrormiliz",
        "target": "terrorist militia",
        "start": 0,
        "end": 13,
        "surface": "Terrormilizen",
        "plural": True,
        "english": "terrorist militias",
    }


def test_lower_case_term_matches_generic_use() -> None:
    matcher = TermMatcher(Glossary(terms=(Term("strategischer Dialog", "strategic dialogue"),)))
    assert [m.surface for m in matcher.find("im strategischen Dialog")] == ["strategischen Dialog"]
    assert [m.surface for m in matcher.find("Strategischer Dialog")] == ["Strategischer Dialog"]
    assert matcher.find("Der Dialog war strategisch wichtig") == []


def test_deprecated_terms_can_be_included() -> None:
    matcher = TermMatcher(GLOSSARY, include_deprecated=True)
    assert [m.term.source for m in matcher.find("Der Dialog")] == ["Dialog"]


def test_accepts_plain_terms_and_empty_glossary() -> None:
    assert TermMatcher([Term("Bagdad", "Baghdad")]).find("in Bagdad")[0].term.target == "Baghdad"
    assert TermMatcher(Glossary()).find("in Bagdad") == []


def test_earlier_term_wins_a_tie() -> None:
    first, second = Term("Krise", "crisis"), Term("Krise", "emergency", case_sensitive=True)
    (match,) = TermMatcher([first, second]).find("die Krise")
    assert match.term is first


def test_tokenize_keeps_offsets_and_compounds() -> None:
    text = "Die Corona-Krise, 5000 US-Soldaten."
    assert [(t.text, text[t.start : t.end]) for t in tokenize(text)] == [
        (w, w) for w in ["Die", "Corona-Krise", "5000", "US-Soldaten"]
    ]


WORDS = [
    "der",
    "des",
    "Strategischen",
    "Dialogs",
    "Islamischer",
    "Staat",
    "IS",
    "is",
    "Terrormilizen",
    "Corona-Krise",
    "Coronakrise",
    "strategisch",
    "Stützpunkte",
    "US-Sondergesandte",
    ",",
    ".",
    "-",
    " ",
]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(WORDS) | st.text(max_size=6), max_size=25).map(" ".join))
def test_matches_never_overlap_and_lie_within_the_text(text: str) -> None:
    matches = TermMatcher(GLOSSARY).find(text)
    assert matches == sorted(matches, key=lambda m: m.start)
    for match in matches:
        assert 0 <= match.start < match.end <= len(text)
        assert text[match.start : match.end] == match.surface
    for a, b in itertools.pairwise(matches):
        assert a.end <= b.start


def synthetic_glossary(size: int) -> Glossary:
    """*size* distinct made-up compounds plus two real terms, like a large customer term base."""
    syllables = ["ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "ze", "bu"]
    terms = []
    for n in range(size):
        digits = f"{n:04d}"
        word = "".join(syllables[int(d)] for d in digits).capitalize() + "werk"
        terms.append(Term(word, f"work {n}"))
    terms += [Term("Strategischer Dialog", "Strategic Dialogue"), Term("Terrormiliz", "terrorist militia")]
    return Glossary(terms=tuple(terms))


@pytest.mark.slow
def test_ten_thousand_entries_and_a_ten_times_longer_text() -> None:
    matcher = TermMatcher(synthetic_glossary(10_000))
    sentence = "Im Strategischen Dialog ging es um Terrormilizen und das Kalominewerk. "
    short = matcher.find(sentence)
    long = matcher.find(sentence * 10)
    assert [m.term.source for m in short] == ["Strategischer Dialog", "Terrormiliz", "Kalominewerk"]
    assert len(long) == 10 * len(short)
    assert all(isinstance(m, TermMatch) for m in long)


@pytest.mark.parametrize(
    ("source", "text", "surface"),
    [
        (
            "systemische Sklerodermie (SSc)",
            "in der systemischen Sklerodermie (SSc) liegt",
            "systemischen Sklerodermie (SSc)",  # the closing parenthesis is part of the term
        ),
        ("systemische Sklerodermie (SSc)", "in der systemischen Sklerodermie SSc liegt", None),
        ("prä- und postoperative Befunde", "die prä- und postoperativen Befunde", "prä- und postoperativen Befunde"),
        ("prä- und postoperative Befunde", "die prä und postoperativen Befunde", None),
        ("Strategischer Dialog", "im Strategischen\nDialog", "Strategischen\nDialog"),
        ("Strategischer Dialog", "im Strategischen\n\nDialog", None),
    ],
)
def test_words_must_be_separated_as_in_the_term(source: str, text: str, surface: str | None) -> None:
    matches = TermMatcher([Term(source, "x")]).find(text)
    assert [m.surface for m in matches] == ([surface] if surface else [])


def test_punctuation_is_part_of_the_term() -> None:
    """"C++" does not match a standalone "C"; "[IS]" needs its brackets (not the word "IS")."""
    from glossator.glossary.model import Glossary, Term

    matcher = TermMatcher(Glossary((Term("C++", "C++"), Term("[IS]", "[IS]", case_sensitive=True))))
    found = [(m.term.source, m.surface) for m in matcher.find("Wir nutzen C, der IS und C++ sowie [IS].")]
    assert found == [("C++", "C++"), ("[IS]", "[IS]")]


def test_lint_flags_terms_that_can_never_match(tmp_path) -> None:
    from glossator.glossary.lint import lint
    from glossator.glossary.model import Glossary, Term

    findings = lint(Glossary((Term("+++", "plus"), Term("Ein\nZwei", "one two"), Term("Staat", "state"))))
    assert [(f.kind, f.severity, f.source) for f in findings] == [
        ("impossible", "error", "+++"),
        ("impossible", "error", "Ein\nZwei"),
    ]


@pytest.mark.parametrize(
    "text", ["zu über 95 % vor", "zu über 95% vor", "zu über 95\u202f% vor", "zu über 95\u00a0% vor"]
)
def test_a_term_ending_in_punctuation_matches_whatever_the_spacing(text: str) -> None:
    """WMT23 lists "über 95 %" and "90 %": the sign after a number is written with or without a (thin) space."""
    (match,) = TermMatcher([Term("über 95 %", "over 95%")]).find(text)
    assert match.surface.startswith("über 95") and match.surface.endswith("%")
    assert TermMatcher([Term("über 95 %", "over 95%")]).find("über 95 Patienten") == []
    assert [m.surface for m in TermMatcher([Term("C++", "C++")]).find("C ++ und C")] == ["C ++"]


def test_each_occurrence_goes_to_the_entry_spelt_like_it() -> None:
    """Two entries for one word in two forms: each occurrence to the entry written as in the text, so both are
    found (before, the first entry took both occurrences and the second was never matched)."""
    terms = [Term("Beckenverletzung", "pelvic injury"), Term("Beckenverletzungen", "pelvic injuries")]
    text = "Die Beckenverletzungen und die Beckenverletzung wurden versorgt."
    assert [(m.surface, m.term.source) for m in TermMatcher(terms).find(text)] == [
        ("Beckenverletzungen", "Beckenverletzungen"),
        ("Beckenverletzung", "Beckenverletzung"),
    ]
    # Neither spelt as in the text: the earlier entry wins, as before.
    bases = [Term("Stützpunkt", "base"), Term("Stützpunkte", "bases")]
    assert [m.term.source for m in TermMatcher(bases).find("auf den Stützpunkten")] == ["Stützpunkt"]
