"""Number agreement: the English form a term needs follows the number of its German occurrence relative to the
term as listed, and an English plural is never pluralised again ("cases" stays "cases", never "caseses").

The hand-picked tables are checked by hand; the WMT23 tests run on the real term lists of the WMT 2023
terminology task (``../shared/data/terminology``, skipped in a plain clone: the data has no licence to copy).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from glossator.glossary.match import TermMatcher, source_number
from glossator.glossary.model import Glossary, Term, english_plural, english_singular, is_english_plural

PLURALS = [
    # regular, and the old implementation's cases
    ("terrorist militia", "terrorist militias"),
    ("coronavirus crisis", "coronavirus crises"),
    ("special envoy", "special envoys"),
    ("drone strike", "drone strikes"),
    ("injury", "injuries"),
    ("box", "boxes"),
    ("mass", "masses"),
    ("CT", "CTs"),
    ("follow-up", "follow-ups"),
    # Latin and Greek plurals of medical English, confirmed by the dictionary
    ("diagnosis", "diagnoses"),
    ("distant metastasis", "distant metastases"),
    ("nucleus", "nuclei"),
    ("criterion", "criteria"),
    ("area", "areas"),  # not "areae", which the dictionary also lists
    # irregular
    ("child", "children"),
    ("man", "men"),
    ("chairman", "chairmen"),
    ("human", "humans"),
    # already plural: unchanged (the bug: "caseses", "patientses", "tumorses")
    ("cases", "cases"),
    ("24 patients", "24 patients"),
    ("cutaneous tumors", "cutaneous tumors"),
    ("empirical studies", "empirical studies"),
    ("distant metastases", "distant metastases"),
    ("data", "data"),
    ("fungi", "fungi"),
    ("CTs", "CTs"),
    # the same in both numbers
    ("series", "series"),
    ("news", "news"),
    # not a word
    ("C++", "C++"),
    ("", ""),
]


@pytest.mark.parametrize(("single", "plural"), PLURALS, ids=[p[0] or "empty" for p in PLURALS])
def test_english_plural(single: str, plural: str) -> None:
    assert english_plural(single) == plural
    assert english_plural(plural) == plural  # idempotent


@pytest.mark.parametrize(
    ("plural", "single"),
    [
        ("pelvic injuries", "pelvic injury"),
        ("patients", "patient"),
        ("differential diagnoses", "differential diagnosis"),
        ("necroses", "necrosis"),
        ("military bases", "military base"),
        ("nuclei", "nucleus"),
        ("children", "child"),
        ("Complications", "Complication"),
        ("CTs", "CT"),
        ("diagnosis", "diagnosis"),  # not plural: unchanged
        ("status", "status"),
    ],
)
def test_english_singular(plural: str, single: str) -> None:
    assert english_singular(plural) == single


@pytest.mark.parametrize("word", ["diagnosis", "status", "gas", "virus", "including", "psoriasis", "MRI", "news"])
def test_singular_words_ending_like_plurals_are_not_plural(word: str) -> None:
    assert not is_english_plural(word)


@pytest.mark.parametrize(
    ("source", "number"),
    [
        ("Terrormiliz", False),
        ("Strategischer Dialog", False),
        ("Beckenverletzungen", True),
        ("immunsupprimierter Patienten", True),
        ("psychische", None),  # no noun: German capitalises every noun
        ("Kollektiv von 24 Patienten", None),  # the last word is not the head
        ("Kassem Soleimani", None),
    ],
)
def test_source_number(source: str, number: bool | None) -> None:
    assert source_number(source) is number


@pytest.mark.parametrize(
    ("term", "text", "english"),
    [
        # a term listed in the singular: a plural occurrence needs the plural
        (Term("Beckenverletzung", "pelvic injury"), "Komplexe Beckenverletzungen", "pelvic injuries"),
        (Term("Terrormiliz", "terrorist militia"), "Terrormilizen greifen an", "terrorist militias"),
        # a term listed in the plural: a plural occurrence needs the target as listed, plural or not
        (Term("Patienten", "patients"), "Die Patienten", "patients"),
        (Term("Beeinträchtigungen", "impediment"), "Beeinträchtigungen", "impediment"),
        # ... and a singular occurrence the singular
        (Term("Patienten", "patients"), "die Lebensqualität des Patienten", "patient"),
        # no number: adjectives, names, phrases whose last word is not the head
        (Term("psychische", "psychological"), "psychische Belastungen", "psychological"),
        (
            Term("Kollektiv von 24 Patienten", "collective of 24 patients"),
            "einem Kollektiv von 24 Patienten",
            "collective of 24 patients",
        ),
        # a preposition or a unit ends the noun phrase: the number before it is not the term's
        (Term("Diagnose", "diagnosis"), "erst 1988 als Diagnose anerkannt", "diagnosis"),
        (Term("Methadon", "methadone"), "mit 63 mg Methadon", "methadone"),
        (Term("Milizenführer", "militia leader"), "zwei Milizenführer", "militia leaders"),
    ],
)
def test_the_english_form_follows_the_occurrence_relative_to_the_term(term: Term, text: str, english: str) -> None:
    (match,) = TermMatcher([term]).find(text)
    assert match.english == english


def _wmt23(shared_data: Path) -> list[tuple[str, list[Term]]]:
    folder = shared_data / "terminology"
    german = (folder / "wmt23.de-en.de").read_text(encoding="utf-8").splitlines()
    lines = (folder / "wmt23.de-en.terms.proper.jsonl").read_text(encoding="utf-8").splitlines()
    return [
        (sentence, [Term(t["de"], t["en"]) for t in json.loads(line) if t["de"].strip() and t["en"].strip()])
        for sentence, line in zip(german, lines, strict=True)
    ]


def test_wmt23_occurrences_need_their_listed_target(shared_data: Path) -> None:
    """WMT23 lists each term as it occurs, with the English the reference uses: the form enforcement demands is
    that target for nearly every occurrence (where the German number differs from the listed term's, as in
    "des Patienten" for *Patienten*, it may differ), and never a plural made plural again."""
    matches = [m for sentence, terms in _wmt23(shared_data) for m in TermMatcher(Glossary(tuple(terms))).find(sentence)]
    assert len(matches) > 11_000
    changed = [(m.surface, m.term.target, m.english) for m in matches if m.english != m.term.target]
    assert len(changed) / len(matches) < 0.005, changed[:20]  # 14 of 11,182 here; about 2,500 before the fix
    doubled = [c for c in changed if c[2].lower() in (c[1].lower() + "es", c[1].lower() + "s")]
    assert not [c for c in doubled if is_english_plural(c[1].split()[-1])], doubled


def test_wmt23_singular_and_plural_targets_of_one_term(shared_data: Path) -> None:
    """Where WMT23 lists one German term in both numbers with English targets that differ only in the last
    word ("Beckenverletzung" → "pelvic injury", "Beckenverletzungen" → "pelvic injuries"), english_plural of the
    singular target gives the plural target and english_plural leaves the plural as it is. The annotations
    disagree with themselves now and then ("tumour"/"tumors", "Tiere" → "animal"), hence the bounds."""
    pairs = {(t.source, t.target) for _, terms in _wmt23(shared_data) for t in terms}
    singular = [(de, en) for de, en in pairs if source_number(de) is False]
    plural = [(de, en) for de, en in pairs if source_number(de) is True]
    by_start: dict[str, list[tuple[str, str]]] = {}
    for de, en in plural:
        by_start.setdefault(en.lower()[:4], []).append((de, en))
    found = []
    for de1, en1 in singular:
        for de2, en2 in by_start.get(en1.lower()[:4], ()):
            same_words = en2.split()[:-1] == en1.split()[:-1] and en2.lower()[: len(en1) - 3] == en1.lower()[:-3]
            if en1.lower() != en2.lower() and same_words and TermMatcher([Term(de1, en1)]).find(de2):
                found.append((en1, en2))
    assert len(found) > 90, len(found)
    pluralised = sum(english_plural(en1).lower() == en2.lower() for en1, en2 in found)
    kept = sum(english_plural(en2).lower() == en2.lower() for _, en2 in found)
    # 87 and 94 of 108 here; the old regular-only rules: 76 and 0
    assert pluralised >= 0.78 * len(found), pluralised
    assert kept >= 0.85 * len(found), kept
