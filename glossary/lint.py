"""Static checks of a glossary's content (``glossator glossary lint``).

The loader refuses what cannot be used at all (no target, bad YAML); lint reports what loads but is
probably wrong, each finding with the entry's origin, a kind and a one-line message:

========== ======== ===================================================================================
kind       severity meaning
========== ======== ===================================================================================
duplicate  error    two entries share a source or variant and have the same target (remove one)
conflict   error    two entries share a source or variant but have different targets (keep one)
duplicate  warning  a variant repeats the entry's own source or another of its variants
contained  warning  a term is part of a longer term ("Dialog" in "Strategischer Dialog"); where both
                    match, the longer one wins, so the shorter applies only outside it
empty      error    an empty variant, target variant, forbidden rendering or target plural (an empty
                    forbidden rendering would match everywhere; an empty plural would be enforced)
empty      warning  an empty note, domain or tag
forbidden  error    a target, target plural or target variant equals a forbidden rendering of any entry
forbidden  warning  … or contains one as whole words (legitimate for "troop drawdown" with "drawdown"
                    forbidden, but worth a look)
impossible error    a German form the matcher can never find: no letter or digit ("+++"), or a line break
========== ======== ===================================================================================

Comparison follows matching and checking: case-insensitive unless the entry is ``case_sensitive``; for
forbidden renderings their regular plural counts too, as in :mod:`glossary.check`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from glossator.glossary.model import Glossary, Term, english_plural
from glossator.glossary.phrase import phrase_pattern, phrase_spans

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    """One problem in one entry."""

    origin: str
    kind: str
    severity: str
    message: str
    source: str

    def format(self) -> str:
        return f"{self.origin}: {self.severity} [{self.kind}] {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "origin": self.origin,
            "kind": self.kind,
            "severity": self.severity,
            "source": self.source,
            "message": self.message,
        }


def lint(glossary: Glossary) -> list[Finding]:
    """Every finding in *glossary*, in entry order (then by kind as in the table above)."""
    terms = glossary.terms
    prefix = f"{glossary.name}: " if glossary.name else ""
    origins = [t.origin or f"{prefix}entry {i + 1}" for i, t in enumerate(terms)]
    found: list[tuple[int, int, Finding]] = []
    checks = (_duplicates, _contained, _empty, _forbidden, _impossible)
    for order, check in enumerate(checks):
        for index, kind, severity, message in check(terms, origins):
            found.append((index, order, Finding(origins[index], kind, severity, message, terms[index].source)))
    found.sort(key=lambda item: (item[0], item[1]))
    return [finding for _, _, finding in found]


_Raw = tuple[int, str, str, str]


def _fold(text: str, case_sensitive: bool) -> str:
    text = " ".join(text.split())
    return text if case_sensitive else text.casefold()


def _german_forms(term: Term) -> list[tuple[str, str]]:
    """(label, text) of the entry's German forms, empty ones left to the 'empty' check."""
    forms = [("source", term.source)]
    forms += [("variant", v) for v in term.variants if v.strip()]
    return forms


def _duplicates(terms: tuple[Term, ...], origins: list[str]) -> Iterator[_Raw]:
    first: dict[str, tuple[int, str, str]] = {}  # key → (entry index, label, text)
    reported: set[tuple[int, int]] = set()
    for index, term in enumerate(terms):
        own: dict[str, tuple[str, str]] = {}
        for label, text in _german_forms(term):
            key = _fold(text, term.case_sensitive)
            if key in own:
                where = "the source" if own[key][0] == "source" else f"variant {own[key][1]!r}"
                yield index, "duplicate", WARNING, f"variant {text!r} of {term.source!r} repeats {where}; remove it."
                continue
            own[key] = (label, text)
            if key not in first:
                first[key] = (index, label, text)
                continue
            other, other_label, _ = first[key]
            if (other, index) in reported:
                continue
            reported.add((other, index))
            previous = terms[other]
            what = f"{term.source!r}" if label == "source" else f"variant {text!r} of {term.source!r}"
            there = f"{previous.source!r}" if other_label == "source" else f"a variant of {previous.source!r}"
            if previous.target == term.target:
                yield (
                    index,
                    "duplicate",
                    ERROR,
                    f"{what} is also {there} at {origins[other]} with the same target; remove one.",
                )
            else:
                yield (
                    index,
                    "conflict",
                    ERROR,
                    f"{what} is also {there} at {origins[other]} with target {previous.target!r}, here "
                    f"{term.target!r}; keep one.",
                )


_WORD = re.compile(r"\w+")


def _words(text: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(text.casefold()))


def _contained(terms: tuple[Term, ...], origins: list[str]) -> Iterator[_Raw]:
    # Every proper word span of every German form, so a shorter term is found in O(its length), not O(n²).
    spans: dict[tuple[str, ...], list[tuple[int, str]]] = defaultdict(list)
    for index, term in enumerate(terms):
        for _, text in _german_forms(term):
            words = _words(text)
            for start in range(len(words)):
                for end in range(start + 1, len(words) + 1):
                    if end - start < len(words):
                        spans[words[start:end]].append((index, text))
    for index, term in enumerate(terms):
        seen: set[int] = set()
        for _, text in _german_forms(term):
            for other, longer in spans.get(_words(text), []):
                if other == index or other in seen:
                    continue
                if term.case_sensitive and not phrase_spans(text, longer, True):
                    continue
                seen.add(other)
                yield (
                    index,
                    "contained",
                    WARNING,
                    f"{text!r} is part of {longer!r} ({origins[other]}); where both match, the longer term wins.",
                )


def _empty(terms: tuple[Term, ...], origins: list[str]) -> Iterator[_Raw]:
    for index, term in enumerate(terms):
        for name in ("variants", "target_variants", "forbidden"):
            if any(not v.strip() for v in getattr(term, name)):
                yield index, "empty", ERROR, f"{term.source!r} has an empty item in '{name}'; remove it."
        if term.target_plural is not None and not term.target_plural.strip():
            yield index, "empty", ERROR, f"{term.source!r} has an empty 'target_plural'; remove the field."
        for name in ("note", "domain"):
            value = getattr(term, name)
            if value is not None and not value.strip():
                yield index, "empty", WARNING, f"{term.source!r} has an empty '{name}'; remove the field."
        if any(not tag.strip() for tag in term.tags):
            yield index, "empty", WARNING, f"{term.source!r} has an empty item in 'tags'; remove it."


def _impossible(terms: tuple[Term, ...], origins: list[str]) -> Iterator[_Raw]:
    """German forms the matcher can never find: no word at all ("+++"), or a line break inside the term."""
    for index, term in enumerate(terms):
        for form in dict.fromkeys((term.source, *term.variants)):
            if not form.strip():
                continue  # reported by _empty
            if not any(ch.isalnum() for ch in form):
                yield index, "impossible", ERROR, f"{form!r} has no letter or digit, so it can never match; fix it."
            elif "\n" in form.strip() or "\r" in form.strip():
                yield index, "impossible", ERROR, f"{form!r} spans lines, so it can never match; write it on one line."


def _pattern(phrase: str, case_sensitive: bool) -> re.Pattern[str]:
    pattern = phrase_pattern(phrase, case_sensitive)
    return pattern if pattern is not None else re.compile(r"(?!)")  # no words: matches nothing


def _forbidden(terms: tuple[Term, ...], origins: list[str]) -> Iterator[_Raw]:
    rules: list[tuple[int, str, str, re.Pattern[str]]] = []  # owner, rendering, first word of form, pattern
    for owner, term in enumerate(terms):
        for rendering in term.forbidden:
            if not rendering.strip():
                continue
            for form in dict.fromkeys((rendering, english_plural(rendering))):
                words = _words(form)
                rules.append((owner, rendering, words[0] if words else "", _pattern(form, term.case_sensitive)))
    if not rules:
        return
    # Only rules whose first word occurs in a target can match it: index them by that word (10k entries stay fast).
    by_word: dict[str, list[tuple[int, str, str, re.Pattern[str]]]] = defaultdict(list)
    for rule in rules:
        by_word[rule[2]].append(rule)
    for index, term in enumerate(terms):
        targets = [("target", term.target)]
        if term.target_plural:
            targets.append(("target plural", term.target_plural))
        targets += [("target variant", v) for v in term.target_variants if v.strip()]
        reported: set[tuple[str, int, str]] = set()
        for label, text in targets:
            candidates = [r for word in dict.fromkeys(("", *_words(text))) for r in by_word.get(word, [])]
            for owner, rendering, _, pattern in candidates:
                if (text, owner, rendering) in reported:
                    continue
                whose = f"its own forbidden rendering {rendering!r}"
                if owner != index:
                    whose = f"the forbidden rendering {rendering!r} of {terms[owner].source!r} ({origins[owner]})"
                if pattern.fullmatch(text.strip()):
                    reported.add((text, owner, rendering))
                    yield (
                        index,
                        "forbidden",
                        ERROR,
                        f"{label} {text!r} of {term.source!r} is {whose}.",
                    )
                elif pattern.search(text):
                    reported.add((text, owner, rendering))
                    yield (
                        index,
                        "forbidden",
                        WARNING,
                        f"{label} {text!r} of {term.source!r} contains {whose}.",
                    )
