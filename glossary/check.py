"""Verify English text against the glossary terms found in its German source.

Three users: ``glossator glossary check`` (a finished translation, segment by segment), the translation
reports (:func:`check_segment` after enforcement), and scoring (:func:`term_accuracy`).

How a target counts as present (:func:`check_segment`): the English form for the occurrence's number
(``TermMatch.english``: "terrorist militias" for "Terrormilizen") or one of the entry's target variants,
case-insensitive (case-sensitive for ``case_sensitive`` entries such as "IS"), as whole words — punctuation
may touch it ("Dialogue," or "militias."), letters may not ("militia" is not in "militias"); spaces and
hyphens between the words of a phrase are interchangeable. Each stretch of English satisfies one
occurrence only: longer targets claim their text first, so "Islamic State" is not also counted as *Staat*'s
"state", and a term that occurs twice in the source needs its target twice.

Forbidden renderings are searched the same way, with the regular plural of each forbidden phrase added
("terror militia" forbids "terror militias" too), but never inside text a target already claimed
("terrorist militia" does not contain "terror militia" anyway, being whole-word matched).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from glossator.common.errors import InputFileError
from glossator.glossary.match import TermMatch, TermMatcher
from glossator.glossary.model import Glossary, Term, english_plural
from glossator.glossary.phrase import overlaps, phrase_spans

__all__ = [
    "SegmentCheck",
    "TermAccuracy",
    "TermCheck",
    "TermStats",
    "check_documents",
    "check_segment",
    "term_accuracy",
]

_Span = tuple[int, int]


@dataclass(frozen=True)
class TermCheck:
    """The verdict on one term occurrence.

    ``status``: ``"ok"`` (target present as written), ``"enforced"`` (present after repair; set by the
    enforcement step, never by :func:`check_segment`), ``"damaged"`` (present, but enforcement could not keep
    the sentence intact — a duplicated or glued target, an unknown piece ⁇, words changed outside the terms;
    ``damage`` says what; set by the enforcement step only), ``"missing"``, ``"forbidden"`` (a forbidden
    rendering is present, whether or not the target is too). ``found`` is the English text that satisfied the
    term; ``forbidden_found`` the forbidden renderings as they appear in the English. Only ``ok`` and
    ``enforced`` are :attr:`ok`; the other three are violations (``--strict``, ``--max-violations``).
    """

    match: TermMatch
    status: str
    found: str | None = None
    forbidden_found: tuple[str, ...] = ()
    # Where the English shows it: (start, end) of ``found`` and of each ``forbidden_found`` in the checked text.
    target_span: tuple[int, int] | None = None
    forbidden_spans: tuple[tuple[int, int], ...] = ()
    # How the output came to hold the term: "as-is", "n-best", "repair", "align", "prefix" (enforcement), or
    # "check" (verified only).
    method: str = "check"
    # What broke in the sentence when status is "damaged" (translate.enforce.Damage.describe()), else empty.
    damage: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when the output carries the target and no forbidden rendering."""
        return self.status in ("ok", "enforced")

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.match.to_dict(),
            "status": self.status,
            "found": self.found,
            "forbidden_found": list(self.forbidden_found),
            "target_span": list(self.target_span) if self.target_span else None,
            "forbidden_spans": [list(span) for span in self.forbidden_spans],
            "method": self.method,
            "damage": list(self.damage),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], term: Term) -> TermCheck:
        """The inverse of :meth:`to_dict`, given the glossary entry the check is about (the memory's way back)."""
        match = TermMatch(term, int(data["start"]), int(data["end"]), str(data["surface"]), bool(data["plural"]))
        span = data.get("target_span")
        return cls(
            match=match,
            status=str(data["status"]),
            found=data.get("found"),
            forbidden_found=tuple(data.get("forbidden_found") or ()),
            target_span=(int(span[0]), int(span[1])) if span else None,
            forbidden_spans=tuple((int(a), int(b)) for a, b in data.get("forbidden_spans") or ()),
            method=str(data.get("method", "check")),
            damage=tuple(str(d) for d in data.get("damage") or ()),
        )


# --- phrase search -----------------------------------------------------------------------------------------


def phrase_absent(phrase: str, text: str) -> bool:
    """True when *phrase* certainly does not occur in *text*, whatever the case and the hyphens between its words:
    a cheap test before a phrase pattern is compiled and run (most forms of most terms are not in a sentence).
    Only for ASCII text and phrase, where ignoring case is plain lower-casing; False (search) otherwise."""
    if not (text.isascii() and phrase.isascii()):
        return False
    lowered = text.lower()
    return any(word not in lowered for word in phrase.lower().replace("-", " ").split())


def _spans(phrase: str, text: str, case_sensitive: bool) -> list[_Span]:
    if phrase_absent(phrase, text):
        return []
    return phrase_spans(phrase, text, case_sensitive)


def _overlaps(span: _Span, taken: Iterable[_Span]) -> bool:
    return overlaps(span, tuple(taken))


def accepted_forms(match: TermMatch) -> tuple[str, ...]:
    """The English forms that satisfy *match*: its target in the occurrence's number, then target variants."""
    term = match.term
    variants = term.target_variants
    if match.plural:
        variants = tuple(form for v in variants for form in (english_plural(v), v))
    return tuple(dict.fromkeys(form for form in (match.english, *variants) if form.strip()))


def forbidden_forms(term: Term) -> tuple[str, ...]:
    """The entry's forbidden renderings plus their regular plurals."""
    return tuple(dict.fromkeys(form for f in term.forbidden for form in (f, english_plural(f)) if form.strip()))


def _find_targets(
    matches: Sequence[TermMatch], english: str, forms_of: Callable[[TermMatch], tuple[str, ...]]
) -> tuple[dict[int, _Span], list[_Span]]:
    """Give each match the first free stretch of *english* that spells one of its forms.

    Longest forms first, so a long target claims its words before a shorter term can reuse them.
    Returns {match index: span found} and the claimed spans.
    """
    taken: list[_Span] = []
    found: dict[int, _Span] = {}
    forms = [forms_of(match) for match in matches]
    for j in sorted(range(len(matches)), key=lambda j: (-max(map(len, forms[j]), default=0), j)):
        for form in forms[j]:
            spans = _spans(form, english, matches[j].term.case_sensitive)
            span = next((s for s in spans if not _overlaps(s, taken)), None)
            if span is not None:
                taken.append(span)
                found[j] = span
                break
    return found, taken


def _exact_forms(match: TermMatch) -> tuple[str, ...]:
    # WMT21 exact match: the target as the glossary gives it counts whatever the number; so does our
    # number-adjusted form ("terrorist militias" for "Terrormilizen").
    return tuple(dict.fromkeys((*accepted_forms(match), match.term.english, *match.term.target_variants)))


def check_segment(matches: Sequence[TermMatch], english: str) -> list[TermCheck]:
    """Check one English segment against the term matches of its German source (verify only, no repair).

    Returns one :class:`TermCheck` per match, in the order of *matches*.
    Example: ``check_segment(matcher.find("Terrormilizen greifen an"), "Terrorist militias attack.")`` →
    ``[TermCheck(status="ok", found="Terrorist militias")]``.
    """
    found, taken = _find_targets(matches, english, accepted_forms)

    forbidden: dict[int, list[_Span]] = {}
    by_term: dict[int, list[int]] = {}
    for j, match in enumerate(matches):
        by_term.setdefault(id(match.term), []).append(j)
    for indices in by_term.values():
        term = matches[indices[0]].term
        spans: list[_Span] = []
        for form in sorted(forbidden_forms(term), key=len, reverse=True):
            spans += [s for s in _spans(form, english, term.case_sensitive) if not _overlaps(s, taken + spans)]
        # Hand each forbidden rendering to an occurrence: those without their target first.
        receivers = sorted(indices, key=lambda j: j in found)
        for n, span in enumerate(sorted(spans)):
            forbidden.setdefault(receivers[min(n, len(receivers) - 1)], []).append(span)

    checks = []
    for j, match in enumerate(matches):
        bad = tuple(forbidden.get(j, ()))
        status = "forbidden" if bad else "ok" if j in found else "missing"
        where = found.get(j)
        checks.append(
            TermCheck(
                match=match,
                status=status,
                found=english[where[0] : where[1]] if where else None,
                forbidden_found=tuple(english[a:b] for a, b in bad),
                target_span=where,
                forbidden_spans=bad,
            )
        )
    return checks


# --- term accuracy -----------------------------------------------------------------------------------------

_WORD_RE = re.compile(r"[^\W_]+")


@lru_cache(maxsize=131_072)
def _english_lemma(word: str) -> str:
    if len(word) > 1 and word.isupper():
        return word  # an acronym ("IS", "US"): lower-casing would turn it into another word ("is" → "be")
    import simplemma  # loads its English dictionary on first use; never at import time

    return str(simplemma.lemmatize(word.lower(), lang="en")).casefold()


def _lemma_sequence(text: str) -> list[tuple[str, _Span]]:
    return [(_english_lemma(m.group()), m.span()) for m in _WORD_RE.finditer(text)]


def _lemma_hits(matches: Sequence[TermMatch], english: str) -> list[bool]:
    """Per match: is some form of the target present, comparing English lemmas ("militias" ~ "militia")."""
    words = _lemma_sequence(english)
    lemmas = [lemma for lemma, _ in words]
    taken: set[int] = set()
    hits = [False] * len(matches)
    candidates = []
    for j, match in enumerate(matches):
        term = match.term
        forms = {*accepted_forms(match), term.english, term.english_plural, *term.target_variants}
        lemma_forms = {tuple(_english_lemma(w) for w in _WORD_RE.findall(form)) for form in forms}
        candidates.append((j, sorted((s for s in lemma_forms if s), key=len, reverse=True)))
    for j, sequences in sorted(candidates, key=lambda c: (-max(map(len, c[1]), default=0), c[0])):
        for sequence in sequences:
            n = len(sequence)
            start = next(
                (
                    i
                    for i in range(len(lemmas) - n + 1)
                    if tuple(lemmas[i : i + n]) == sequence and not taken.intersection(range(i, i + n))
                ),
                None,
            )
            if start is not None:
                taken.update(range(start, start + n))
                hits[j] = True
                break
    return hits


@dataclass(frozen=True)
class TermStats:
    """Term accuracy counts for one glossary entry."""

    source: str
    target: str
    occurrences: int = 0
    exact_hits: int = 0
    lemma_hits: int = 0
    forbidden: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "target": self.target,
            "occurrences": self.occurrences,
            "exact_hits": self.exact_hits,
            "lemma_hits": self.lemma_hits,
            "forbidden": self.forbidden,
        }


@dataclass(frozen=True)
class TermAccuracy:
    """Term accuracy over a test set.

    ``exact``: share of source occurrences whose target appears in the hypothesis as whole words,
    case-insensitive — the WMT21 terminology task's exact-match accuracy. The target as the glossary gives
    it counts, and so do its form for the occurrence's number ("terrorist militias" for "Terrormilizen")
    and its target variants; "terrorist militias" does not count for a singular occurrence.
    ``lemma``: the same comparing English lemmas, so "militias" counts for "militia" and either number is
    accepted. ``forbidden``: forbidden renderings found. ``violations``: occurrences whose check is not ok
    (target missing, or a forbidden rendering present) — what every ``--max-violations`` gate counts. Rates are
    ``None`` when the sources contain no glossary term (no evidence either way).
    """

    occurrences: int
    exact_hits: int
    lemma_hits: int
    forbidden: int
    terms: tuple[TermStats, ...] = field(default=())
    violations: int = 0

    @property
    def exact(self) -> float | None:
        return self.exact_hits / self.occurrences if self.occurrences else None

    @property
    def lemma(self) -> float | None:
        return self.lemma_hits / self.occurrences if self.occurrences else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "occurrences": self.occurrences,
            "exact_hits": self.exact_hits,
            "lemma_hits": self.lemma_hits,
            "exact": self.exact,
            "lemma": self.lemma,
            "forbidden": self.forbidden,
            "violations": self.violations,
            "terms": [t.to_dict() for t in self.terms],
        }


def _matcher(glossary: Glossary | TermMatcher) -> TermMatcher:
    return glossary if isinstance(glossary, TermMatcher) else TermMatcher(glossary)


def _require_aligned(sources: Sequence[str], targets: Sequence[str], what: str) -> None:
    if len(sources) != len(targets):
        raise InputFileError(
            f"{len(sources)} source segments but {len(targets)} {what} segments; "
            "align them line by line or by blank-line paragraphs."
        )


def term_accuracy(
    sources: Sequence[str],
    hypotheses: Sequence[str],
    glossary: Glossary | TermMatcher,
    *,
    matches: Sequence[Sequence[TermMatch]] | None = None,
) -> TermAccuracy:
    """Term accuracy of *hypotheses* (English) against the glossary terms found in *sources* (German).

    Each source occurrence counts once: a term occurring k times in a source sentence needs its target k
    times in the hypothesis (k occurrences, k chances to get it right or wrong). A prebuilt
    :class:`TermMatcher` may be passed instead of a glossary to reuse its index, and *matches* (one list per
    source, from the same glossary) when the caller has matched the sources already.
    Example: ``term_accuracy(["Terrormilizen greifen an."], ["Terror militias attack."], g).exact`` → 0.0.
    """
    _require_aligned(sources, hypotheses, "hypothesis")
    given = matches
    if given is not None and len(given) != len(sources):
        raise ValueError("one list of matches per source")
    matcher = _matcher(glossary) if given is None else None
    stats: dict[int, list[Any]] = {}  # id(term) → [term, occurrences, exact, lemma, forbidden]
    violations = 0
    for index, (source, hypothesis) in enumerate(zip(sources, hypotheses, strict=True)):
        found = given[index] if given is not None else matcher.find(source) if matcher is not None else []
        if not found:
            continue
        checks = check_segment(found, hypothesis)
        exact_hits, _ = _find_targets(found, hypothesis, _exact_forms)
        lemma_hits = _lemma_hits(found, hypothesis)
        violations += sum(not check.ok for check in checks)
        for j, (check, lemma_hit) in enumerate(zip(checks, lemma_hits, strict=True)):
            row = stats.setdefault(id(check.match.term), [check.match.term, 0, 0, 0, 0])
            row[1] += 1
            row[2] += j in exact_hits
            row[3] += lemma_hit or j in exact_hits
            row[4] += len(check.forbidden_found)
    terms = tuple(
        TermStats(source=t.source, target=t.target, occurrences=o, exact_hits=e, lemma_hits=lh, forbidden=f)
        for t, o, e, lh, f in stats.values()
    )
    return TermAccuracy(
        occurrences=sum(t.occurrences for t in terms),
        exact_hits=sum(t.exact_hits for t in terms),
        lemma_hits=sum(t.lemma_hits for t in terms),
        forbidden=sum(t.forbidden for t in terms),
        terms=terms,
        violations=violations,
    )


# --- documents ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SegmentCheck:
    """The term checks of one aligned segment; ``line``/``target_line`` are 1-based line numbers."""

    line: int
    source: str
    target: str
    checks: tuple[TermCheck, ...]
    target_line: int | None = None

    @property
    def missing(self) -> tuple[TermCheck, ...]:
        return tuple(c for c in self.checks if c.status == "missing")

    @property
    def forbidden(self) -> tuple[TermCheck, ...]:
        return tuple(c for c in self.checks if c.status == "forbidden")

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    def to_dict(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "target_line": self.target_line if self.target_line is not None else self.line,
            "source": self.source,
            "target": self.target,
            "checks": [c.to_dict() for c in self.checks],
        }


def check_documents(
    source_segments: Sequence[str],
    target_segments: Sequence[str],
    glossary: Glossary | TermMatcher,
    *,
    lines: Sequence[int] | None = None,
    target_lines: Sequence[int] | None = None,
) -> list[SegmentCheck]:
    """Check a finished translation segment by segment; one :class:`SegmentCheck` per segment.

    *lines*/*target_lines* give each segment's 1-based line in the source/translation file (default: the
    segment's position, right for line-aligned files).
    Example: ``[s for s in check_documents(de_lines, en_lines, g) if not s.ok]`` → the segments to fix.
    """
    _require_aligned(source_segments, target_segments, "translation")
    matcher = _matcher(glossary)
    result = []
    for n, (source, target) in enumerate(zip(source_segments, target_segments, strict=True)):
        checks = check_segment(matcher.find(source), target)
        result.append(
            SegmentCheck(
                line=lines[n] if lines is not None else n + 1,
                source=source,
                target=target,
                checks=tuple(checks),
                target_line=target_lines[n] if target_lines is not None else n + 1,
            )
        )
    return result
