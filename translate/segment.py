"""German sentence splitting, offline, with SoMaJo.

SoMaJo (a rule-based German tokenizer and sentence splitter from the EmpiriST shared task) knows German
abbreviations ("z. B.", "Dr.", "u. a."), ordinal dates ("am 3. Oktober") and quotes, needs no model
download, and reports character offsets, so every sentence is an exact slice of the input and the
whitespace between sentences can be put back unchanged. It is loaded on first use (~0.2 s).
"""

from __future__ import annotations

import itertools
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def splitter_id() -> str:
    """Names the splitter and its settings, so remembered splits are dropped when SoMaJo changes."""
    from importlib.metadata import version

    return f"somajo-{version('somajo')}-de_CMC-v1"


@lru_cache(maxsize=1)
def _splitter() -> Any:
    from somajo import SoMaJo

    return SoMaJo("de_CMC", split_camel_case=False, split_sentences=True, character_offsets=True)


def sentence_spans(paragraph: str) -> list[tuple[int, int]]:
    """Character spans of the sentences in *paragraph*; only whitespace lies outside them."""
    if not paragraph.strip():
        return []
    spans: list[tuple[int, int]] = []
    for sentence in _splitter().tokenize_text([paragraph]):
        start, end = sentence[0].character_offset[0], sentence[-1].character_offset[1]
        if spans and start < spans[-1][1]:
            start = spans[-1][1]
        if start < end:
            spans.append((start, end))
    # Anything non-blank that SoMaJo left between or around sentences joins a neighbour, so no character of
    # the input is ever dropped.
    bounds = [list(span) for span in spans]
    if not bounds:
        stripped = paragraph.strip()
        start = paragraph.index(stripped)
        return [(start, start + len(stripped))]
    first_gap = paragraph[: bounds[0][0]]
    if first_gap.strip():
        bounds[0][0] = len(first_gap) - len(first_gap.lstrip())
    for prev, nxt in itertools.pairwise(bounds):
        if paragraph[prev[1] : nxt[0]].strip():
            prev[1] = nxt[0]
    tail = paragraph[bounds[-1][1] :]
    if tail.strip():
        bounds[-1][1] += len(tail.rstrip())
    return [(start, end) for start, end in bounds]


def split_sentences(paragraph: str) -> list[str]:
    """The sentences of *paragraph*, each an exact slice of it."""
    return [paragraph[start:end] for start, end in sentence_spans(paragraph)]
