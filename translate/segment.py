"""German sentence splitting, offline, with SoMaJo.

SoMaJo (a rule-based German tokenizer and sentence splitter from the EmpiriST shared task) knows German
abbreviations ("z. B.", "Dr.", "u. a."), ordinal dates ("am 3. Oktober") and quotes, needs no model
download, and reports character offsets, so every sentence is an exact slice of the input and the
whitespace between sentences can be put back unchanged. It is loaded on first use (~0.2 s).
"""

from __future__ import annotations

import itertools
import re
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def splitter_id() -> str:
    """Names the splitter and its settings, so remembered splits are dropped when SoMaJo changes."""
    from importlib.metadata import version

    return f"somajo-{version('somajo')}-de_CMC-v2-max{MAX_SEGMENT_CHARS}"


@lru_cache(maxsize=1)
def _splitter() -> Any:
    from somajo import SoMaJo

    return SoMaJo("de_CMC", split_camel_case=False, split_sentences=True, character_offsets=True)


# Segments longer than this are split at clause boundaries (or, failing those, between words) before decoding:
# a model sees at most its position table (the test model: 256 pieces) and writes at most max_decoding_length
# pieces, and German runs ~4-5 characters a piece, so longer input would be cut silently. Real sentences this long
# are rare (newstest2019's longest is 562 characters); a run-on line or a table flattened into one is not.
MAX_SEGMENT_CHARS = 600
# SoMaJo's memory grows with the paragraph it is given: a 5 MB line took 2.4 GB. Longer paragraphs are cut into
# blocks at whitespace (after a sentence end where there is one) and split block by block.
_BLOCK_CHARS = 20_000
_CONJUNCTIONS = "und|oder|aber|denn|sondern|weil|dass|wenn|als|obwohl"
_CLAUSE_BREAK = re.compile(rf"[,;:]\s+|\s+[\u2013\u2014-]\s+|\s+(?=(?:{_CONJUNCTIONS})\s)")


def sentence_spans(paragraph: str) -> list[tuple[int, int]]:
    """Character spans of the sentences in *paragraph*; only whitespace lies outside them.

    No span is longer than :data:`MAX_SEGMENT_CHARS`: longer sentences are split at clause boundaries, then at
    whitespace (never inside a word), so nothing is cut off by the model's length limits.
    """
    if not paragraph.strip():
        return []
    if len(paragraph) <= _BLOCK_CHARS:
        spans = _somajo_spans(paragraph)
    else:
        spans = []
        for block_start, block_end in _blocks(paragraph):
            spans += [(block_start + a, block_start + b) for a, b in _somajo_spans(paragraph[block_start:block_end])]
    return [piece for span in spans for piece in _short_pieces(paragraph, span)]


def _blocks(text: str) -> list[tuple[int, int]]:
    """Consecutive slices of at most ~_BLOCK_CHARS, cut at whitespace (preferably after . ! ?)."""
    blocks, start = [], 0
    while len(text) - start > _BLOCK_CHARS:
        window = text[start : start + _BLOCK_CHARS]
        cut = max(window.rfind(". "), window.rfind("! "), window.rfind("? "))
        cut = cut + 1 if cut > _BLOCK_CHARS // 2 else window.rfind(" ")
        if cut <= 0:
            cut = _BLOCK_CHARS  # no whitespace at all: a cut inside a "word" of 20,000 characters
        blocks.append((start, start + cut))
        start += cut
    blocks.append((start, len(text)))
    return blocks


def _short_pieces(text: str, span: tuple[int, int]) -> list[tuple[int, int]]:
    """*span* cut into pieces of at most MAX_SEGMENT_CHARS: at the last clause break that fits, else the last
    whitespace, else (one enormous word) at the limit. Pieces exclude the whitespace between them."""
    start, end = span
    pieces = []
    while end - start > MAX_SEGMENT_CHARS:
        window = text[start : start + MAX_SEGMENT_CHARS]
        cut = 0
        for match in _CLAUSE_BREAK.finditer(window):
            if match.start() > MAX_SEGMENT_CHARS // 3:
                cut = match.start() + (1 if window[match.start()] in ",;:" else 0)
        if cut == 0:
            cut = window.rstrip().rfind(" ")
        if cut <= 0:
            cut = MAX_SEGMENT_CHARS
        piece_end = start + cut
        pieces.append((start, piece_end))
        start = piece_end
        while start < end and text[start].isspace():
            start += 1
    if start < end:
        pieces.append((start, end))
    return [(a, b) for a, b in pieces if text[a:b].strip()]


def _somajo_spans(paragraph: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for sentence in _splitter().tokenize_text([paragraph]):
        if not sentence:  # SoMaJo yields an empty sentence for text it drops whole (a lone zero-width space)
            continue
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
