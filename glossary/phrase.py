"""The one English phrase matcher: whole words, spaces and hyphens interchangeable between words, a term's case
rule. Used by checking, linting, enforcement's repair, scoring and the reports, so they cannot disagree on
whether "state" occurs in "statement" (it does not) or a case-sensitive "IS" in "is" (it does not)."""

from __future__ import annotations

import re
from functools import lru_cache

Span = tuple[int, int]

# Between the words of a phrase: spaces or hyphens (ASCII hyphen, Unicode hyphen, non-breaking hyphen).
_JOIN = r"[\s\-\u2010\u2011]+"


@lru_cache(maxsize=65_536)
def phrase_pattern(phrase: str, case_sensitive: bool) -> re.Pattern[str] | None:
    """A compiled pattern for *phrase* as whole words; None for a phrase without words."""
    words = phrase.replace("-", " ").replace("\u2010", " ").replace("\u2011", " ").split()
    if not words:
        return None
    body = _JOIN.join(re.escape(word) for word in words)
    # Whole words only: no letter or digit may touch the phrase; punctuation may.
    return re.compile(rf"(?<![^\W_]){body}(?![^\W_])", 0 if case_sensitive else re.IGNORECASE)


def phrase_spans(phrase: str, text: str, case_sensitive: bool) -> list[Span]:
    """Every (start, end) where *phrase* occurs in *text* as whole words, left to right."""
    pattern = phrase_pattern(phrase, case_sensitive)
    return [] if pattern is None else [m.span() for m in pattern.finditer(text)]


def overlaps(span: Span, taken: list[Span] | tuple[Span, ...]) -> bool:
    return any(span[0] < end and start < span[1] for start, end in taken)
