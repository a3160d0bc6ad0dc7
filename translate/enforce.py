"""Glossary enforcement: every matched term's English target in the output, in the right number, and no
forbidden rendering — while the sentence stays the engine's own wherever possible.

CTranslate2 has no lexically constrained decoding, so enforcement is a cascade; each step runs only for
the sentences the previous step did not satisfy, and each sentence records which step settled it:

1. ``as-is`` / ``n-best``: decode ``num_hypotheses`` candidates in the one batched call and keep the best
   scored candidate that already satisfies every term (the model's own fluent wording, no edits).
2. ``repair``: in the 1-best, replace each forbidden rendering ("terror militia") by the target in the
   number of the German occurrence ("terrorist militias" for "Terrormilizen"). A forbidden rendering marks
   exactly where the term is, so this edit is safe.
3. ``align``: for a term still missing, CTranslate2's cross-attention (``return_attention``) says which
   target words were produced while looking at the term's source pieces; those words are replaced by the
   target.
4. ``prefix``: when the model dropped or mangled the term so that nothing aligns, decode again with
   ``target_prefix`` = the output up to where the term belongs + the target term, and let the model finish
   the sentence. The prefix is kept verbatim by the decoder, so the term is guaranteed to appear.

Placeholders were rejected: a model not trained on them drops them, and one trained to copy them garbles
them in unfamiliar contexts (tried here with the tiny model). Every step is checked with
:func:`glossary.check.check_segment`, the same verifier ``glossary check`` uses.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from glossator.glossary.check import TermCheck, check_segment, forbidden_forms
from glossator.glossary.match import TermMatch
from glossator.glossary.phrase import phrase_spans
from glossator.translate.engine import Engine, Hypothesis

# Part of every translation-memory key: change it whenever a change here (or in what glossary/match.py matches) can
# change an output, so outputs of the old logic are not served from the memory. tests/api/test_translator.py
# records the digest of this file for each version and fails when the file changes without a new version.
# 3: terms keep their punctuation ("C++", "[IS]") in matching.
ENFORCEMENT_VERSION = "3"


@dataclass(frozen=True)
class EnforcedSentence:
    source: str
    target: str
    checks: tuple[TermCheck, ...]
    method: str

    def to_dict(self) -> dict[str, object]:
        return {
            "source": self.source,
            "target": self.target,
            "method": self.method,
            "terms": [c.to_dict() for c in self.checks],
        }


def _all_ok(checks: Sequence[TermCheck]) -> bool:
    return all(c.ok for c in checks)


def _mark_enforced(before: Sequence[TermCheck], after: Sequence[TermCheck]) -> tuple[TermCheck, ...]:
    """Terms that were wrong in the engine's output and are right now are reported as ``enforced``."""
    return tuple(
        dataclasses.replace(a, status="enforced") if a.ok and not b.ok else a
        for b, a in zip(before, after, strict=True)
    )


def _cased(english: str, at_start: bool, case_sensitive: bool) -> str:
    if at_start and not case_sensitive and english[:1].islower():
        return english[:1].upper() + english[1:]
    return english


def repair_forbidden(english: str, matches: Sequence[TermMatch]) -> str:
    """Replace forbidden renderings of each matched term by its target in the occurrence's number."""
    for match in matches:
        for form in sorted(forbidden_forms(match.term), key=len, reverse=True):
            spans = phrase_spans(form, english, match.term.case_sensitive)
            if spans:
                start, end = spans[0]
                target = _cased(match.english, start == 0, match.term.case_sensitive)
                english = english[:start] + target + english[end:]
                break
    return english


def _piece_spans(pieces: Sequence[str]) -> list[tuple[int, int]]:
    """Character span of each SentencePiece piece in the detokenised text (``▁`` is a space)."""
    spans, cursor = [], 0
    for i, piece in enumerate(pieces):
        text = piece.replace("▁", " ")
        if i == 0:
            text = text.lstrip(" ")
        spans.append((cursor, cursor + len(text)))
        cursor += len(text)
    return spans


def _word_bounds(tokens: Sequence[str], first: int, last: int) -> tuple[int, int]:
    """Widen a token range to whole words (a piece without ``▁`` continues the word before it)."""
    while first > 0 and not tokens[first].startswith("▁"):
        first -= 1
    while last + 1 < len(tokens) and not tokens[last + 1].startswith("▁"):
        last += 1
    return first, last


def _aligned_tokens(hyp: Hypothesis, source_pieces: Sequence[str], match: TermMatch) -> tuple[int, int] | None:
    """Target token range whose strongest attention falls on the term's source pieces."""
    if not hyp.attention or not hyp.tokens:
        return None
    term_pieces = {
        i for i, (start, end) in enumerate(_piece_spans(source_pieces)) if start < match.end and end > match.start
    }
    if not term_pieces:
        return None
    hits = [
        t
        for t, row in enumerate(hyp.attention[: len(hyp.tokens)])
        if row and max(range(len(row)), key=row.__getitem__) in term_pieces
    ]
    if not hits:
        return None
    return _word_bounds(hyp.tokens, min(hits), max(hits))


def _insertion_point(hyp: Hypothesis, source: str, match: TermMatch) -> int:
    """Target token index where the term belongs: its relative position in the source, at a word start."""
    if not hyp.tokens:
        return 0
    index = min(len(hyp.tokens) - 1, round(len(hyp.tokens) * match.start / max(len(source), 1)))
    while index > 0 and not hyp.tokens[index].startswith("▁"):
        index -= 1
    return index


def translate_with_terms(
    engine: Engine,
    sentences: Sequence[str],
    matches: Sequence[Sequence[TermMatch]],
    *,
    num_hypotheses: int = 4,
) -> list[EnforcedSentence]:
    """Translate *sentences* so each one's matched terms come out as the glossary says (see module doc)."""
    if len(matches) != len(sentences):
        raise ValueError("one list of matches per sentence")
    results: list[EnforcedSentence | None] = [None] * len(sentences)
    plain = [i for i, m in enumerate(matches) if not m]
    termed = [i for i, m in enumerate(matches) if m]
    if plain:
        for i, hyps in zip(plain, engine.translate([sentences[i] for i in plain]), strict=True):
            results[i] = EnforcedSentence(sentences[i], hyps[0].text, (), "plain")
    if not termed:
        return [r for r in results if r is not None]

    nbest = engine.translate([sentences[i] for i in termed], num_hypotheses=num_hypotheses, return_attention=True)
    pending: list[tuple[int, Hypothesis, tuple[TermCheck, ...]]] = []
    for i, hyps in zip(termed, nbest, strict=True):
        first = tuple(check_segment(matches[i], hyps[0].text))
        chosen = next((rank for rank, h in enumerate(hyps) if _all_ok(check_segment(matches[i], h.text))), None)
        if chosen is not None:
            checks = tuple(check_segment(matches[i], hyps[chosen].text))
            method = "as-is" if chosen == 0 else "n-best"
            results[i] = EnforcedSentence(sentences[i], hyps[chosen].text, _mark_enforced(first, checks), method)
            continue
        best = hyps[0]
        repaired = repair_forbidden(best.text, matches[i])
        checks = tuple(check_segment(matches[i], repaired))
        if _all_ok(checks):
            results[i] = EnforcedSentence(sentences[i], repaired, _mark_enforced(first, checks), "repair")
            continue
        pending.append((i, best, first))

    # Prefix forcing, one missing term per round, left to right: each round keeps everything forced so far
    # (the previous prefix) and lets the model continue after the next term. One batched call per round.
    state: dict[int, tuple[Hypothesis, int, tuple[TermCheck, ...]]] = {}
    for i, best, first in pending:
        text, method = _align_repair(engine, sentences[i], best, matches[i])
        checks = tuple(check_segment(matches[i], text))
        if _all_ok(checks):
            results[i] = EnforcedSentence(sentences[i], text, _mark_enforced(first, checks), method)
        else:
            state[i] = (best, 0, first)
    for _ in range(min(8, max((len(matches[i]) for i in state), default=0))):
        requests: list[tuple[int, list[str]]] = []
        for i, (hyp, forced, _first) in state.items():
            checks = tuple(check_segment(matches[i], repair_forbidden(hyp.text, matches[i])))
            missing = sorted((c.match for c in checks if not c.ok), key=lambda m: m.start)
            if not missing:
                continue
            term = missing[0]
            cut = max(_insertion_point(hyp, sentences[i], term), forced)
            english = _cased(term.english, cut == 0, term.term.case_sensitive)
            requests.append((i, list(hyp.tokens[:cut]) + engine.text_to_pieces(english)))
        if not requests:
            break
        outputs = engine.translate([sentences[i] for i, _ in requests], target_prefixes=[p for _, p in requests])
        for (i, prefix), hyps in zip(requests, outputs, strict=True):
            state[i] = (hyps[0], len(prefix), state[i][2])
    for i, (hyp, _, first) in state.items():
        text = repair_forbidden(hyp.text, matches[i])
        checks = tuple(check_segment(matches[i], text))
        results[i] = EnforcedSentence(sentences[i], text, _mark_enforced(first, checks), "prefix")
    return [r for r in results if r is not None]


def _align_repair(engine: Engine, source: str, hyp: Hypothesis, matches: Sequence[TermMatch]) -> tuple[str, str]:
    """Forbidden-rendering repair, then attention-guided replacement of the words aligned to missing terms."""
    text = repair_forbidden(hyp.text, matches)
    checks = check_segment(matches, text)
    if _all_ok(checks) or not hyp.attention:
        return text, "repair"
    tokens = list(hyp.tokens)
    source_pieces = engine.source_pieces(source)
    edits = []
    for check in checks:
        if check.ok or check.status == "forbidden":
            continue
        span = _aligned_tokens(hyp, source_pieces, check.match)
        if span is not None:
            edits.append((span, check.match))
    if not edits:
        return text, "repair"
    # Replace from the right so earlier token indices stay valid; overlapping spans keep the first edit.
    edits.sort(key=lambda e: e[0][0], reverse=True)
    last_start = len(tokens) + 1
    for (first, last), match in edits:
        if last >= last_start:
            continue
        english = _cased(match.english, first == 0, match.term.case_sensitive)
        tokens[first : last + 1] = engine.text_to_pieces(english)
        last_start = first
    return repair_forbidden(engine.pieces_to_text(tokens), matches), "align"
