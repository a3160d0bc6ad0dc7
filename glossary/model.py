"""Core values of the term base: :class:`Term` and :class:`Glossary`.

A glossary is a list of entries, each a German term in base form and its English target, plus optional
metadata. Values are frozen: editing produces a new :class:`Glossary`, which the writer serialises.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any

from glossator.common.errors import GlossaryError

FORMAT_VERSION = 1
STATUSES = ("approved", "proposed", "deprecated")


@dataclass(frozen=True)
class Term:
    """One glossary entry.

    ``source`` is the German base form ("Strategischer Dialog", "Terrormiliz"); ``variants`` are further
    German spellings matched as the same term ("Coronakrise"). ``target`` is the English singular (or the
    only form); ``target_plural`` the plural when it is not regular. ``target_variants`` are further
    English renderings accepted when checking (not produced). ``forbidden`` are English renderings that
    must not appear ("terror militia"). ``do_not_translate`` keeps the source form in the output.
    ``extra`` keeps fields this version does not know, so a round trip loses nothing.
    ``origin`` says where the entry was read ("terms.yaml:14"), for messages only.
    """

    source: str
    target: str
    variants: tuple[str, ...] = ()
    target_plural: str | None = None
    target_variants: tuple[str, ...] = ()
    case_sensitive: bool = False
    forbidden: tuple[str, ...] = ()
    do_not_translate: bool = False
    status: str = "approved"
    note: str | None = None
    domain: str | None = None
    tags: tuple[str, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)
    origin: str | None = field(default=None, compare=False, hash=False)

    @property
    def key(self) -> str:
        """Identity of an entry inside one glossary: the source term, case-folded unless case-sensitive."""
        return self.source if self.case_sensitive else self.source.casefold()

    @property
    def english(self) -> str:
        """What the output must contain for a singular occurrence."""
        return self.source if self.do_not_translate else self.target

    @property
    def english_plural(self) -> str:
        """What the output must contain for a plural occurrence of a singular term (:func:`english_plural` of the
        target if not given)."""
        if self.do_not_translate:
            return self.source
        return self.target_plural or english_plural(self.target)

    def to_dict(self) -> dict[str, Any]:
        """The entry as written to YAML/JSON: defaults omitted, unknown fields kept, stable key order."""
        data: dict[str, Any] = {"source": self.source, "target": self.target}
        defaults = Term(source="", target="")
        for name, value in asdict(self).items():
            if name in ("source", "target", "extra", "origin"):
                continue
            if value != getattr(defaults, name):
                data[name] = list(value) if isinstance(value, tuple) else value
        data.update(self.extra)
        return data


_ALLOWED_CONTROLS = "\t\n\r"
_CONTROL_NAMES = {"\x85": "NEL, next line", "\u2028": "line separator", "\u2029": "paragraph separator"}


def control_character(text: str) -> int | None:
    """Index of the first control character in *text* other than tab, LF and CR, or None.

    Such characters are invisible in an editor and each YAML/CSV/XML reader treats them differently (YAML folds
    a NEL, U+0085, into a space; Python's splitlines breaks a table row at it), so a term holding one never
    matches what the user sees. U+0085 in particular is usually Windows-1252's "…" (byte 0x85) read as Latin-1.
    """
    for index, char in enumerate(text):
        if char in _ALLOWED_CONTROLS:
            continue
        if unicodedata.category(char) in ("Cc", "Zl", "Zp"):
            return index
    return None


def describe_control(char: str) -> str:
    """``U+0085 (NEL, next line)``."""
    return f"U+{ord(char):04X} ({_CONTROL_NAMES.get(char, 'a control character')})"


def control_problem(text: str, where: str) -> str | None:
    """A one-line error for the first control character in *text* (a file's text or one value), or None."""
    index = control_character(text)
    if index is None:
        return None
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    at = f"{where}:{line}:{column}" if "\n" in text else f"{where}"
    cause = " (usually Windows-1252's '…' read as Latin-1)" if text[index] == "\x85" else ""
    return (
        f"{at}: invisible character {describe_control(text[index])} in the glossary text{cause}. Delete it or "
        "type what was meant (re-save the file as UTF-8 if it came from another encoding)."
    )


def refuse_control_characters(text: str, where: str) -> None:
    """Raise :class:`GlossaryError` at the first invisible control character of a glossary file's text."""
    problem = control_problem(text, where)
    if problem:
        raise GlossaryError(problem)


def term_problem(term: Term, where: str) -> str | None:
    """:func:`control_problem` over every text field of *term* (for entries typed on the command line)."""
    values = [term.source, term.target, *term.variants, *term.target_variants, *term.forbidden, *term.tags]
    values += [v for v in (term.target_plural, term.note, term.domain) if v]
    for value in values:
        problem = control_problem(value, f"{where}: {value!r}")
        if problem:
            return problem
    return None


# --- English number ------------------------------------------------------------------------------------------
# Plurals are checked against simplemma's English dictionary (already Glossator's lemmatizer; the English part
# loads on first use, about 0.5 s): a candidate plural counts when the dictionary gives the singular as its lemma,
# so "nuclei" (nucleus), "metastases" and "criteria" come out right and "mans" (the verb) is not taken for "men".
# inflect would do this too, but importing it costs 8-10 s here (typeguard instruments it), on every run.

_IRREGULAR_PLURALS = {
    "man": "men",
    "woman": "women",
    "child": "children",
    "foot": "feet",
    "tooth": "teeth",
    "goose": "geese",
    "mouse": "mice",
    "louse": "lice",
    "person": "people",
    "ox": "oxen",
}
# Latin and Greek plurals, used only where the dictionary confirms them: these before the regular plural (medical
# and technical usage: "nuclei", "criteria", "matrices"), ...
_CLASSICAL = (("us", "i"), ("um", "a"), ("on", "a"), ("ex", "ices"), ("ix", "ices"))
# ... these after it, where English mostly takes the regular one ("areas", "formulas", "lumens").
_CLASSICAL_LATE = (("a", "ae"), ("men", "mina"))


def english_plural(noun_phrase: str) -> str:
    """English plural of a noun phrase's last word ("terrorist militia" → "terrorist militias", "metastasis" →
    "metastases", "nucleus" → "nuclei"); a last word that is plural already stays as it is ("cases", "data")."""
    head, space, last = noun_phrase.rpartition(" ")
    return head + space + _plural_word(last)


def english_singular(noun_phrase: str) -> str:
    """English singular of a noun phrase whose last word is plural ("pelvic injuries" → "pelvic injury"); a last
    word that is not plural stays as it is."""
    head, space, last = noun_phrase.rpartition(" ")
    return head + space + _singular_word(last)


@lru_cache(maxsize=65_536)
def _plural_word(word: str) -> str:
    if not word or not word[-1].isalpha() or is_english_plural(word):
        return word
    cut = max(word.rfind("-"), word.rfind("\u2010"), word.rfind("\u2011")) + 1  # "follow-up": the last part
    stem, part = word[:cut], word[cut:]
    if part.isupper() and len(part) > 1:
        return word + "s"  # "CT" → "CTs"
    plural = _plural_candidates(part.lower())[0]
    if part[:1].isupper():
        plural = plural[:1].upper() + plural[1:]
    return stem + plural


@lru_cache(maxsize=65_536)
def _singular_word(word: str) -> str:
    if not is_english_plural(word):
        return word
    if word[:-1].isupper():
        return word[:-1]  # "CTs" → "CT"
    cut = max(word.rfind("-"), word.rfind("\u2010"), word.rfind("\u2011")) + 1
    stem, part = word[:cut], word[cut:]
    lower = part.lower()
    candidates = [lower[:-2] + "is"] if lower.endswith(("oses", "yses", "eses")) else []  # "diagnoses", "analyses"
    candidates.append(_english_lemma(lower))
    if lower.endswith("a"):
        candidates.append(lower[:-1] + "um")  # "data" → "datum"
    single = next((c for c in candidates if c != lower and _english_known(c) and lower in _plural_candidates(c)), lower)
    if part[:1].isupper():
        single = single[:1].upper() + single[1:]
    return stem + single


def _english_lemma(word: str) -> str:
    import simplemma  # the English dictionary loads on first use

    return str(simplemma.lemmatize(word, lang="en")).lower()


def _english_known(word: str) -> bool:
    import simplemma

    return bool(simplemma.is_known(word, lang="en"))


def _regular_plural(word: str) -> str:
    if word.endswith("sis"):
        return word[:-2] + "es"  # "diagnosis" → "diagnoses"
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    if word.endswith("y") and len(word) > 1 and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


def _plural_candidates(word: str) -> list[str]:
    """Plurals of the lower-case noun *word*, the likeliest first: an irregular plural, then those of "-men", the
    Latin/Greek ones, the regular plural and the rarer Latin ones that the dictionary lists with *word* as their
    lemma; else the regular plural, but a word in "-s" the dictionary knows no plural for stays ("series", "news",
    "ileus"). The dictionary lists some plurals English hardly uses ("campi", "feti"): ``target_plural`` fixes
    those."""
    if word in _IRREGULAR_PLURALS:
        return [_IRREGULAR_PLURALS[word]]
    forms = [word[:-3] + "men"] if word.endswith("man") else []
    forms += [word[: -len(single)] + plural for single, plural in _CLASSICAL if word.endswith(single)]
    forms.append(_regular_plural(word))
    forms += [word[: -len(single)] + plural for single, plural in _CLASSICAL_LATE if word.endswith(single)]
    confirmed = [form for form in forms if form != word and _english_known(form) and _english_lemma(form) == word]
    keep = word.endswith("s") and not word.endswith(("ss", "sis"))  # "series", "ileus": no plural of its own
    return [*confirmed, word if keep else _regular_plural(word)]


@lru_cache(maxsize=65_536)
def is_english_plural(word: str) -> bool:
    """Is the English word *word* a plural noun form? "cases", "metastases", "nuclei", "data", "CTs": yes;
    "diagnosis", "status", "gas", "news" (the same in both numbers), "including": no."""
    if len(word) > 2 and word.endswith("s") and word[:-1].isupper():
        return True  # "CTs", "MRIs"
    if not word.isalpha() and "-" not in word:
        return False
    word = word.rsplit("-", 1)[-1].lower()
    if not word.isalpha() or len(word) < 2:
        return False
    lemma = _english_lemma(word)
    if lemma != word and word in _plural_candidates(lemma):
        return True
    # A Latin plural the dictionary lists as a word of its own ("data" beside "datum")
    return (
        word.endswith("a") and _english_known(word[:-1] + "um") and _english_lemma(word[:-1] + "um") == word[:-1] + "um"
    )


@dataclass(frozen=True)
class Glossary:
    """An ordered collection of terms, with the language pair and where it came from."""

    terms: tuple[Term, ...] = ()
    source_language: str = "de"
    target_language: str = "en"
    name: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def __len__(self) -> int:
        return len(self.terms)

    def __iter__(self):
        return iter(self.terms)

    def digest(self) -> str:
        """SHA-256 of the canonical content (order-independent of file layout); part of cache keys and reports."""
        canonical = json.dumps(
            {
                "pair": [self.source_language, self.target_language],
                "terms": [t.to_dict() for t in self.terms],
            },
            sort_keys=True,
            ensure_ascii=False,
        )
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    @classmethod
    def merge(cls, glossaries: Iterable[Glossary]) -> Glossary:
        """Combine several glossaries; for the same source term a later glossary takes precedence."""
        by_key: dict[str, Term] = {}
        first: Glossary | None = None
        for glossary in glossaries:
            first = first or glossary
            for term in glossary.terms:
                by_key.pop(term.key, None)  # re-insert so the winner's position is its own glossary's
                by_key[term.key] = term
        if first is None:
            return cls()
        return cls(
            terms=tuple(by_key.values()),
            source_language=first.source_language,
            target_language=first.target_language,
            name=first.name,
        )
