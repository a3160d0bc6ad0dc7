"""Glossary enforcement: every matched term's English target in the output, in the right number, and no
forbidden rendering — while the sentence stays the engine's own everywhere else, and never comes out damaged
without saying so.

CTranslate2 has no lexically constrained decoding, so enforcement is a cascade; each step runs only for
the sentences the previous step did not satisfy, and each sentence records which step settled it. Every
decode of a sentence with terms uses ``disable_unk`` (the model may not write the unknown piece ⁇).

1. ``as-is`` / ``n-best``: decode ``num_hypotheses`` candidates in one batched call (with attention, for step 3)
   and keep the best scored candidate that already satisfies every term and every invariant (the model's own
   wording, no edits).
2. ``repair``: in the 1-best, replace each forbidden rendering ("terror militia") by the target in the number
   of the German occurrence ("terrorist militias" for "Terrormilizen").
3. ``align``: for each term still missing, the 1-best's cross-attention says which target words translate
   the term's source words; *all* of those whole words are replaced by the target: attention is summed per
   source word and per target word (a compound split into many pieces still wins), the run of aligned words is
   widened to the model's own translation of the term alone where that overlaps it ("troop" aligned, "troop
   strength" replaced; the model's renderings come from one short decode of the missing terms' German forms,
   cut off where a usable rendering ends), and punctuation is never part of a term's words. Targets already in
   the sentence and forbidden renderings are never touched.
4. ``prefix``: a term that aligns to nothing is inserted where it belongs (the word boundary crossing the fewest
   alignments). Terms are placed left to right, by alignment or insertion, all in the same draft; then one
   decode with ``target_prefix`` = the draft up to the last term placed (every term in order, so a later term
   never costs an earlier one) lets the model finish the sentence after it. When only the sentence's final
   punctuation follows the last term there is nothing for the model to write and no decode. Word pieces the
   model glues onto the last term ("Dialogue" + "d") are dropped; an engine that does not keep the prefix gets
   the draft back as it was before the insertions, those terms left missing.

Steps 3 and 4 put the target in as *literal text*: the pieces in the prefix are only a placeholder that is
replaced by the glossary's spelling afterwards. A target with a character the model's vocabulary lacks
("Qassem" with no "Q" piece) is decoded with a placeholder the model knows ("assem") and still comes out as
written. Afterwards a copy of a target beyond the German occurrences (the model wrote the forced term again),
and a forbidden rendering left beside the target, are removed; the copy Glossator put in stays.

The invariants (:func:`check_invariants`, a pure function, for any model) are then checked on the result:
each German occurrence yields exactly one occurrence of its target (no duplicates — ``check_segment`` already
says "missing" for a lost one), every target stands on word boundaries, no ⁇ the source did not have, and the
words outside the targets are the model's words (only words a target replaced, or surplus copies of a target,
are gone). A sentence that breaks one gets status ``damaged`` for its terms, never ``enforced``. What they
cannot see: which model words next to a target translated the term (alignment decides that), and grammar
around the target (a verb that agrees with the model's word, not the glossary's).

Batch independence: a sentence's output does not depend on the sentences translated with it. Every step
decides for one sentence from that sentence's own decodes (prefix rounds are per sentence: a sentence is
forced only for its own terms, however many rounds its neighbours need), and every engine call is split by
source length, because CTranslate2 pads the shorter sentences of a batch and padding changes a sentence's
scores (up to 0.03 with the small model; 3 of 300 WMT23 sentences translated differently alone). Under beam
search CTranslate2 (4.x) returns a first attention row that belongs to the batch, not the sentence, so the
first row of a decode is never read (a one-piece first word has no alignment and its term is inserted
instead); the other rows are those a greedy pass forced through the hypothesis would give (measured: equal
to 2e-7 on 60 WMT23 sentences), which is why no such pass is made.

Cost (WMT23, test model, see README "Benchmarks"): the n-best decode, one short decode of the missing terms'
German forms, and one prefix decode for the sentences that had a term inserted before the end; per-sentence
work (checks, copies, glue) is memoised per text (:class:`_Groups`) and skips the forms a text cannot hold.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections import Counter
from collections.abc import Generator, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache
from typing import Any

from glossator.glossary.check import TermCheck, check_segment, forbidden_forms, phrase_absent
from glossator.glossary.match import TermMatch
from glossator.glossary.model import Term, english_plural
from glossator.glossary.phrase import overlaps, phrase_spans
from glossator.translate.engine import Engine, Hypothesis

# Part of every translation-memory key: change it whenever a change here (or in what glossary/match.py matches) can
# change an output, so outputs of the old logic are not served from the memory. tests/api/test_translator.py
# records the digest of this file for each version and fails when the file changes without a new version.
# 3: terms keep their punctuation ("C++", "[IS]") in matching.
# 4: invariants and status "damaged"; literal splicing, whole-word alignment, one growing prefix, disable_unk.
# 5: one-length batches planned by the engine in one call (same batches, decoded by several workers at once).
# 6: alignment from the n-best decode; all inserted terms in one prefix, no decode when only punctuation follows;
#    renderings of missing terms only, cut short; number agreement by the term's own number (glossary/match.py,
#    glossary/model.py); percent terms with any spacing, the entry spelt as in the text wins a tie.
ENFORCEMENT_VERSION = "6"

UNKNOWN_MARK = "\u2047"  # "⁇": how SentencePiece writes the unknown piece
DAMAGE_KINDS = ("duplicated", "glued", "unknown_piece", "changed_outside")

Span = tuple[int, int]
Row = tuple[float, ...]

# Between the words of a phrase: spaces or hyphens (the one phrase matcher's rule, glossary/phrase.py).
_JOIN = r"[\s\-\u2010\u2011]+"
_WORD_CHAR = re.compile(r"[^\W_]")
_TOKEN_RE = re.compile(r"[^\W_]+|\S")
# Pieces that are a unit of their own for alignment and replacement: a term's words never include them.
_SENTENCE_PUNCT = frozenset('.,;:!?"()[]{}\u201c\u201d\u201e\u00ab\u00bb\u201a\u2018\u2026')
_TARGET = "\x00"


@dataclass(frozen=True)
class Damage:
    """One broken invariant in an enforced sentence (see :func:`check_invariants`).

    ``kind`` is one of :data:`DAMAGE_KINDS`; ``text`` is what in the output shows it; ``term`` the target of the
    glossary entry concerned (None for damage to the sentence as a whole).
    """

    kind: str
    text: str
    term: str | None = None

    def describe(self) -> str:
        return f"{self.kind}{f' ({self.term})' if self.term else ''}: {self.text}"


@dataclass(frozen=True)
class EnforcedSentence:
    source: str
    target: str
    checks: tuple[TermCheck, ...]
    method: str
    damage: tuple[Damage, ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {
            "source": self.source,
            "target": self.target,
            "method": self.method,
            "terms": [c.to_dict() for c in self.checks],
            "damage": [d.describe() for d in self.damage],
        }


# --- the invariants --------------------------------------------------------------------------------------------


@dataclass
class _Group:
    """The English of one target (entries sharing a target are one group): its forms and German occurrences."""

    case_sensitive: bool
    forms: list[str]
    occurrences: int
    label: str
    forbidden: list[str] = field(default_factory=list)


def _forms(term: Term) -> tuple[str, ...]:
    variants = term.target_variants
    forms = (term.english, term.english_plural, *variants, *(english_plural(v) for v in variants))
    return tuple(dict.fromkeys(f for f in forms if f.strip()))


class _Groups(dict[str, _Group]):
    """One sentence's groups by target key, with what was found in each text scanned for them (the same texts —
    the 1-best, the draft, the output — are scanned again and again while a sentence is enforced)."""

    def __init__(self) -> None:
        super().__init__()
        self.memo: dict[tuple[str, ...], Any] = {}


def _groups(matches: Sequence[TermMatch]) -> _Groups:
    try:
        return _groups_of(tuple(matches))
    except TypeError:  # a term built with unhashable values: no memo
        return _groups_of.__wrapped__(tuple(matches))


@lru_cache(maxsize=1024)
def _groups_of(matches: tuple[TermMatch, ...]) -> _Groups:
    groups = _Groups()
    for match in matches:
        term = match.term
        key = term.english if term.case_sensitive else term.english.casefold()
        group = groups.get(key)
        if group is None:  # entries whose forms meet are one group too ("pelvic injury", "pelvic injuries")
            group = next((g for g in groups.values() if _forms_meet(g, term, match.english)), None)
        if group is None:
            groups[key] = group = _Group(term.case_sensitive, list(_forms(term)), 0, term.english)
        group.occurrences += 1
        # match.english: the singular of a plural-listed term is not among the term's forms ("patient")
        group.forms += [f for f in (match.english, *_forms(term)) if f.strip() and f not in group.forms]
        group.forbidden += [f for f in forbidden_forms(term) if f not in group.forbidden]
    return groups


def _forms_meet(group: _Group, term: Term, english: str) -> bool:
    if group.case_sensitive or term.case_sensitive:
        return bool({*group.forms} & {english, *_forms(term)})
    return bool({f.casefold() for f in group.forms} & {f.casefold() for f in (english, *_forms(term))})


def _copies(groups: _Groups, text: str) -> dict[str, list[Span]]:
    """Whole-word occurrences of each group's forms; longest forms first, so "Islamic State" is not also "State".
    (Memoised per text: the caller must not change the lists.)"""
    memo = groups.memo.get(("copies", text))
    if memo is not None:
        return memo
    items = sorted(((form, key) for key, g in groups.items() for form in g.forms), key=lambda item: -len(item[0]))
    taken: list[Span] = []
    found: dict[str, list[Span]] = {key: [] for key in groups}
    for form, key in items:
        if phrase_absent(form, text):
            continue
        for span in phrase_spans(form, text, groups[key].case_sensitive):
            span = _with_edges(form, text, span)
            if not overlaps(span, taken):
                taken.append(span)
                found[key].append(span)
    for spans in found.values():
        spans.sort()
    groups.memo[("copies", text)] = found
    return found


def _with_edges(form: str, text: str, span: Span) -> Span:
    """*span* widened by the punctuation the form itself starts or ends with ("1p-", "(IS)"), which the phrase
    matcher leaves outside its words."""
    start, end = span
    first = 0
    while first < len(form) and not _WORD_CHAR.match(form[first]):
        first += 1
    last = len(form)
    while last > first and not _WORD_CHAR.match(form[last - 1]):
        last -= 1
    lead, trail = form[:first].strip(), form[last:].strip()
    found = text[start:end]
    if lead and not found.startswith(lead) and text[max(0, start - len(lead)) : start] == lead:
        start -= len(lead)
    if trail and not found.endswith(trail) and text[end : end + len(trail)] == trail:
        end += len(trail)  # "et al." matched with its "." already: the next "." is the sentence's
    return start, end


@lru_cache(maxsize=8192)
def _loose_pattern(phrase: str, case_sensitive: bool) -> re.Pattern[str] | None:
    """*phrase* anywhere, letters allowed to touch it ("Strategic Dialogued")."""
    words = phrase.replace("-", " ").replace("\u2010", " ").replace("\u2011", " ").split()
    if not words:
        return None
    return re.compile(_JOIN.join(re.escape(w) for w in words), 0 if case_sensitive else re.IGNORECASE)


def _word_span(text: str, start: int, end: int) -> Span:
    while start > 0 and _WORD_CHAR.match(text[start - 1]):
        start -= 1
    while end < len(text) and _WORD_CHAR.match(text[end]):
        end += 1
    return start, end


def _glued_hits(groups: _Groups, text: str, copies: dict[str, list[Span]]) -> list[tuple[str, Span, str]]:
    """(group, span of the whole word(s), form) for each form found with a letter or digit touching it."""
    whole = [span for spans in copies.values() for span in spans]
    hits: list[tuple[str, Span, str]] = []
    for key, group in groups.items():
        for form in sorted(group.forms, key=len, reverse=True):
            pattern = None if phrase_absent(form, text) else _loose_pattern(form, group.case_sensitive)
            if pattern is None:
                continue
            for m in pattern.finditer(text):
                start, end = m.span()
                left = start > 0 and _WORD_CHAR.match(text[start - 1])
                right = end < len(text) and _WORD_CHAR.match(text[end])
                if not (left or right) or overlaps((start, end), whole):
                    continue
                span = _word_span(text, start, end)
                if not overlaps(span, [s for _, s, _ in hits]):
                    hits.append((key, span, form))
    return hits


@lru_cache(maxsize=4096)
def _known_word(word: str) -> bool:
    import simplemma  # its English dictionary loads on first use only (a glued-looking word is rare)

    return bool(simplemma.is_known(word, lang="en") or simplemma.is_known(word.lower(), lang="en"))


def _glue(groups: _Groups, text: str, plain: str) -> list[tuple[str, Span]]:
    """Targets glued to letters in *text* that *plain* (the model's own output) does not have: a multi-word
    target with letters on it ("Strategic Dialogued"), or a one-word target inside a word that is no English word
    ("Baghdadrawal"; "based" for *base* is a word of its own)."""
    memo = groups.memo.get(("glue", text, plain))
    if memo is not None:
        return list(memo)
    seen = Counter(plain[a:b].casefold() for _, (a, b), _ in _glued_hits(groups, plain, _copies(groups, plain)))
    glued = []
    for key, (a, b), form in _glued_hits(groups, text, _copies(groups, text)):
        word = text[a:b]
        if seen[word.casefold()] > 0:
            seen[word.casefold()] -= 1
            continue
        if len(form.replace("-", " ").split()) == 1 and _known_word(word):
            continue
        glued.append((key, (a, b)))
    groups.memo[("glue", text, plain)] = tuple(glued)
    return glued


def _tokens_with_targets(groups: _Groups, text: str) -> list[str]:
    """Words and punctuation of *text*, each copy of a target one token naming its target."""
    return [token for token, _ in _token_spans(groups, text)]


def _token_spans(groups: _Groups, text: str) -> list[tuple[str, Span]]:
    spans = sorted((span, key) for key, spans in _copies(groups, text).items() for span in spans)
    tokens: list[tuple[str, Span]] = []
    pos = 0
    for (start, end), key in [*spans, ((len(text), len(text)), "")]:
        tokens += [(m.group(), (pos + m.start(), pos + m.end())) for m in _TOKEN_RE.finditer(text[pos:start])]
        if key:
            tokens.append((_TARGET + key, (start, end)))
        pos = end
    return tokens


def _unexplained(groups: _Groups, output: str, base: str) -> int:
    """How many tokens of *output* and *base* the best alignment cannot explain (0: none).

    Explained: equal tokens; a target in *output* standing in for a run of *base* tokens (words, punctuation
    inside the run; punctuation at either end of the run is not); a *base* token dropped that belongs to a copy
    of a target or a forbidden rendering (surplus copies, glued copies). Not: a word in *output* that *base* does
    not have, any other *base* token dropped. A small dynamic programme; SequenceMatcher's greedy longest match
    sometimes pairs a word with the wrong one of two equal words and so sees a change that is none.
    """
    spans_out = _token_spans(groups, output)
    out = [token for token, _ in spans_out]
    # A target that itself starts (ends) with punctuation, "(IS)", may stand in for punctuation there.
    opens = [output[a] if t.startswith(_TARGET) else "" for t, (a, b) in spans_out]
    closes = [output[b - 1] if t.startswith(_TARGET) else "" for t, (a, b) in spans_out]
    based = _token_spans(groups, base)
    hits: list[Span] = []
    for group in groups.values():
        for form in (*group.forms, *group.forbidden):
            pattern = None if phrase_absent(form, base) else _loose_pattern(form, group.case_sensitive)
            if pattern is not None:
                hits += [m.span() for m in pattern.finditer(base)]
    tokens = [token for token, _ in based]
    free = [token.startswith(_TARGET) or overlaps(span, hits) for token, span in based]
    punct = [token in _SENTENCE_PUNCT for token in tokens]
    n, m = len(tokens), len(out)
    inf = n + m + 1
    # State t: 0 outside a target; 1 a target placed, nothing absorbed; 2 absorbing, last was punctuation;
    # 3 absorbing, last was a word (or the punctuation the target itself ends with). Leaving state 2 (the run
    # ends on punctuation) costs 1, and so does a run starting on punctuation other than the target's first.
    cost = [[[inf] * 4 for _ in range(m + 1)] for _ in range(n + 1)]
    cost[0][0][0] = 0
    for i in range(n + 1):
        for j in range(m + 1):
            for t in range(4):
                c = cost[i][j][t]
                if c >= inf:
                    continue
                leave = c + (t == 2)
                if i < n and j < m and tokens[i] == out[j]:
                    cost[i + 1][j + 1][0] = min(cost[i + 1][j + 1][0], leave)
                if j < m and out[j].startswith(_TARGET):
                    cost[i][j + 1][1] = min(cost[i][j + 1][1], leave)
                if i < n and t:
                    step = c + (t == 1 and punct[i] and tokens[i] != opens[j - 1])
                    nxt = 2 if punct[i] and tokens[i] != closes[j - 1] else 3
                    cost[i + 1][j][nxt] = min(cost[i + 1][j][nxt], step)
                if i < n:
                    cost[i + 1][j][0] = min(cost[i + 1][j][0], leave + (not free[i]))
                if j < m and not out[j].startswith(_TARGET):
                    cost[i][j + 1][0] = min(cost[i][j + 1][0], leave + 1)
    return min(cost[n][m][t] + (t == 2) for t in range(4))


def _holds_form(groups: _Groups, text: str) -> bool:
    """Does *text* hold a rendering of a term: a form of its target or a forbidden rendering?"""
    for group in groups.values():
        for form in (*group.forms, *group.forbidden):
            pattern = None if phrase_absent(form, text) else _loose_pattern(form, group.case_sensitive)
            if pattern is not None and pattern.search(text):
                return True
    return False


def _changed_outside(groups: _Groups, output: str, base: str) -> list[str]:
    """Where *output* differs from the model's *base* other than by targets standing in for the model's words or
    by surplus copies of a target removed: words Glossator wrote, or the model's punctuation dropped."""
    base_tokens = _tokens_with_targets(groups, base)
    out_tokens = _tokens_with_targets(groups, output)
    if base_tokens == out_tokens:
        return []
    regions: list[list[int]] = []
    matcher = SequenceMatcher(None, base_tokens, out_tokens, autojunk=False)
    for tag, b1, b2, o1, o2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if regions and regions[-1][1] == b1 and regions[-1][3] == o1:
            regions[-1][1], regions[-1][3] = b2, o2
        else:
            regions.append([b1, b2, o1, o2])
    problems = []
    for b1, b2, o1, o2 in regions:
        written = [t for t in out_tokens[o1:o2] if not t.startswith(_TARGET)]
        removed = base_tokens[b1:b2]
        shown = " ".join(f"<{t[1:]}>" if t.startswith(_TARGET) else t for t in removed)
        if written:
            problems.append(f"wrote {' '.join(written)!r} for {shown!r}")
        elif o2 > o1:
            if removed and (removed[0] in _SENTENCE_PUNCT or removed[-1] in _SENTENCE_PUNCT):
                problems.append(f"the term replaced {shown!r}, punctuation included")
        elif not any(t.startswith(_TARGET) for t in removed) and not _holds_form(groups, " ".join(removed)):
            problems.append(f"dropped {shown!r}")
    # The greedy matcher's regions describe a change; whether there is one at all the best alignment decides.
    return problems if problems and _unexplained(groups, output, base) else []


def check_invariants(
    matches: Sequence[TermMatch], output: str, plain: str, *, base: str | None = None, source: str = ""
) -> tuple[Damage, ...]:
    """What is damaged in an enforced sentence; empty when every invariant holds. Pure, for any model.

    *matches*: the German sentence's term matches; *output*: the English Glossator produced; *plain*: the model's
    own 1-best for the sentence (what it writes without the glossary); *base*: the model text *output* was made
    from by replacing words with targets (the 1-best for repair and align, the last prefix-forced decode for
    prefix forcing; default *plain*); *source*: the German (a ⁇ it contains may be translated as one).

    - ``duplicated``: a target (any of its forms and numbers) occurs more often than its German occurrences —
      unless the model's own *plain* already wrote it that often;
    - ``glued``: a target with letters stuck to it that *plain* does not have ("Strategic Dialogued");
    - ``unknown_piece``: more ⁇ than the German has;
    - ``changed_outside``: words in *output* that are neither a target nor the model's own words of *base*, or
      model words gone that were neither replaced by a target nor a surplus copy of one.
    A target that is missing is not damage: :func:`glossary.check.check_segment` reports it as ``missing``.
    """
    groups = _groups(matches)
    damage: list[Damage] = []
    copies, plain_copies = _copies(groups, output), _copies(groups, plain)
    for key, group in groups.items():
        if len(copies[key]) > max(group.occurrences, len(plain_copies[key])):
            damage.append(
                Damage(
                    "duplicated",
                    f"{len(copies[key])} copies for {group.occurrences} German occurrence"
                    f"{'' if group.occurrences == 1 else 's'}",
                    group.label,
                )
            )
    for key, (a, b) in _glue(groups, output, plain):
        damage.append(Damage("glued", output[a:b], groups[key].label))
    if output.count(UNKNOWN_MARK) > source.count(UNKNOWN_MARK):
        damage.append(Damage("unknown_piece", f"{output.count(UNKNOWN_MARK)} x {UNKNOWN_MARK}"))
    for problem in _changed_outside(groups, output, plain if base is None else base):
        damage.append(Damage("changed_outside", problem))
    return tuple(damage)


# --- editing text while keeping track of the targets put in ----------------------------------------------------


class _Text:
    """A text under edit, with the spans Glossator put targets in (kept out of later edits)."""

    def __init__(self, text: str, protected: Sequence[Span] = ()) -> None:
        self.text = text
        self.protected = list(protected)

    def replace(self, start: int, end: int, new: str) -> None:
        delta = len(new) - (end - start)
        self.text = self.text[:start] + new + self.text[end:]
        moved = []
        for a, b in self.protected:
            if b <= start:
                moved.append((a, b))
            elif a >= end:
                moved.append((a + delta, b + delta))
            else:
                moved.append((min(a, start), max(b + delta, start + len(new))))
        self.protected = moved

    def delete_words(self, start: int, end: int) -> None:
        """Remove the whole word(s) around [start, end) and one space next to them."""
        start, end = _word_span(self.text, start, end)
        if start > 0 and self.text[start - 1].isspace():
            start -= 1
        elif end < len(self.text) and self.text[end].isspace():
            end += 1
        self.replace(start, end, "")


def _cased(english: str, at_start: bool, case_sensitive: bool) -> str:
    if at_start and not case_sensitive and english[:1].islower():
        return english[:1].upper() + english[1:]
    return english


def _repair(doc: _Text, matches: Sequence[TermMatch]) -> None:
    for match in matches:
        for form in sorted(forbidden_forms(match.term), key=len, reverse=True):
            found = phrase_spans(form, doc.text, match.term.case_sensitive)
            spans = [s for s in found if not overlaps(s, doc.protected)]
            if spans:
                start, end = spans[0]
                target = _cased(match.english, start == 0, match.term.case_sensitive)
                doc.replace(start, end, target)
                break


def repair_forbidden(english: str, matches: Sequence[TermMatch]) -> str:
    """Replace forbidden renderings of each matched term by its target in the occurrence's number."""
    doc = _Text(english)
    _repair(doc, matches)
    return doc.text


def _remove_copies(doc: _Text, matches: Sequence[TermMatch], plain: str) -> None:
    """Remove copies of a target beyond its German occurrences (and glued copies), never one Glossator put in."""
    groups = _groups(matches)
    copies, plain_copies = _copies(groups, doc.text), _copies(groups, plain)
    removals: list[Span] = []
    for key, group in groups.items():
        excess = len(copies[key]) - max(group.occurrences, len(plain_copies[key]))
        for span in reversed(copies[key]):
            if excess <= 0:
                break
            if not overlaps(span, doc.protected):
                removals.append(span)
                excess -= 1
    enough = {key for key, group in groups.items() if len(copies[key]) >= group.occurrences}
    for key, span in _glue(groups, doc.text, plain):
        if key in enough and not overlaps(span, doc.protected) and not overlaps(span, removals):
            removals.append(span)
    # A forbidden rendering left once the target is there as often as the German has the term: a second
    # translation of the term ("Baghdad Bagdad"), which repair would only turn into a duplicate.
    targets = [span for spans in copies.values() for span in spans]
    for key in enough:
        group = groups[key]
        for form in sorted(group.forbidden, key=len, reverse=True):
            for span in phrase_spans(form, doc.text, group.case_sensitive):
                if not overlaps(span, targets) and not overlaps(span, doc.protected) and not overlaps(span, removals):
                    removals.append(span)
    for start, end in sorted(removals, reverse=True):
        doc.delete_words(start, end)


# --- pieces, words and attention -------------------------------------------------------------------------------


@lru_cache(maxsize=65_536)
def _is_punct(piece: str) -> bool:
    text = piece.lstrip("▁")
    return bool(text) and all(ch in _SENTENCE_PUNCT for ch in text)


def _units(tokens: Sequence[str]) -> list[Span]:
    """Token ranges of whole words: a new word at a ``▁`` piece; punctuation pieces are words of their own."""
    units: list[Span] = []
    for i, piece in enumerate(tokens):
        if i == 0 or piece.startswith("▁") or _is_punct(piece) or _is_punct(tokens[i - 1]):
            units.append((i, i + 1))
        else:
            units[-1] = (units[-1][0], i + 1)
    return units


def _is_glue_piece(piece: str) -> bool:
    """A piece that would continue the word before it (letters, digits or a byte of one)."""
    return not piece.startswith("▁") and (bool(_WORD_CHAR.match(piece[:1])) or piece.startswith("<0x"))


_BYTE_PIECE = re.compile(r"<0x([0-9A-Fa-f]{2})>")


def _source_words(source: str, pieces: Sequence[str]) -> tuple[list[int], list[Span], list[bool]]:
    """The word index of each source piece and each word's character span in *source* (best effort: pieces are
    found left to right; SentencePiece's normalisation may have changed a character)."""
    word_of: list[int] = []
    spans: list[Span] = []
    cursor = 0
    for i, piece in enumerate(pieces):
        byte = _BYTE_PIECE.fullmatch(piece)
        text = piece.replace("▁", " ").strip()
        if byte is not None:
            length = 0 if 0x80 <= int(byte.group(1), 16) < 0xC0 else 1  # a continuation byte adds no character
            at = cursor
            while at < len(source) and source[at].isspace():
                at += 1
            start, end = at, at + length
        else:
            found = source.find(text, cursor) if text else -1
            if found >= 0 and not source[cursor:found].strip():
                start, end = found, found + len(text)
            else:
                at = cursor
                while at < len(source) and source[at].isspace():
                    at += 1
                start, end = at, min(len(source), at + len(text))
        cursor = max(cursor, end)
        if i == 0 or piece.startswith("▁") or _is_punct(piece) or _is_punct(pieces[i - 1]):
            spans.append((start, end))
        else:
            spans[-1] = (spans[-1][0], end)
        word_of.append(len(spans) - 1)
    punct = [not any(_WORD_CHAR.match(ch) for ch in source[a:b]) for a, b in spans]
    return word_of, spans, punct


@dataclass
class _Layout:
    """A source sentence's words as the engine sees them, for reading attention."""

    word_of: list[int]
    words: list[Span]
    punct: list[bool] = field(default_factory=list)  # per word: is it punctuation
    _ranges: list[Span] | None = field(default=None, repr=False)

    def word_rows(self, rows: Sequence[Row | None]) -> list[Row | None]:
        """Attention rows over source pieces as rows over source words (each word's pieces summed), computed once
        per decode instead of once per question asked of them."""
        if self._ranges is None:  # the pieces of each word: consecutive, as word_of never decreases
            first: dict[int, int] = {}
            last: dict[int, int] = {}
            for piece, word in enumerate(self.word_of):
                first.setdefault(word, piece)
                last[word] = piece + 1
            self._ranges = [(first.get(w, 0), last.get(w, 0)) for w in range(len(self.words))]
        return [tuple(sum(row[a:b]) for a, b in self._ranges) if row else None for row in rows]

    def unit_word(self, rows: Sequence[Row | None]) -> int | None:
        """The source word a target word (the word rows of its pieces, see :meth:`word_rows`) translates:
        attention summed per source word over all its pieces; None without rows."""
        known = [row for row in rows if row]
        if not known or not self.words:
            return None
        mass = [sum(weights) for weights in zip(*known, strict=True)] if len(known) > 1 else known[0]
        return max(range(len(mass)), key=mass.__getitem__)

    def is_punct(self, word: int) -> bool:
        return self.punct[word] if word < len(self.punct) else False

    def words_of(self, match: TermMatch) -> set[int]:
        return {w for w, (a, b) in enumerate(self.words) if a < match.end and b > match.start}


# --- the draft: tokens being edited, with the literal targets they will show -----------------------------------


@dataclass
class _Draft:
    tokens: list[str]
    rows: list[Row | None]  # attention per token over source *words* (None: not known or not to be trusted)
    decoded: str  # the model's own text of the last decode (the base of the invariants)
    literals: list[tuple[int, int, str]] = field(default_factory=list)  # token range → the target's spelling
    end: int = 0  # tokens before this index are settled (terms placed, prefix kept)
    # Terms placed by alignment or prefix forcing, by entry (which occurrence a copy counts for is the checker's
    # choice, so a term is placed at most as often as the German has it).
    placed: Counter[str] = field(default_factory=Counter)
    decodes: int = 0
    inserted: int = 0  # terms placed by step 4 (inserted where they belong, the rest decoded again if need be)
    _offsets: list[int] | None = field(default=None, repr=False)
    _units: list[Span] | None = field(default=None, repr=False)
    _unit_words: dict[Span, int | None] = field(default_factory=dict, repr=False)

    def edited(self) -> None:
        """Forget what was worked out for the tokens (call after changing them)."""
        self._offsets = None
        self._units = None
        self._unit_words.clear()

    def units(self) -> list[Span]:
        """:func:`_units` of the tokens (the caller must not change the list)."""
        if self._units is None:
            self._units = _units(self.tokens)
        return self._units

    def offsets(self, engine: Engine) -> list[int]:
        """Character offset in the decoded text where each token starts (and the text's length)."""
        if self._offsets is None:
            self._offsets = _offsets(engine, self.tokens)
        return self._offsets

    def copy(self) -> _Draft:
        return dataclasses.replace(
            self,
            tokens=list(self.tokens),
            rows=list(self.rows),
            literals=list(self.literals),
            placed=Counter(self.placed),
            _offsets=None,
            _units=None,
            _unit_words={},
        )


def _offsets(engine: Engine, tokens: Sequence[str]) -> list[int]:
    """len(pieces_to_text(tokens[:k])) for every k. SentencePiece writes a plain piece as itself with "▁" as a
    space, less the text's first space: then the lengths add up, which one decode of the whole confirms; for
    anything else (byte pieces, the unknown piece, another decoder) each prefix is decoded."""
    full = engine.pieces_to_text(tokens)
    lengths = [0]
    for piece in tokens:
        lengths.append(lengths[-1] + len(piece))
    joined = "".join(tokens).replace("\u2581", " ")
    lead = len(joined) - len(joined.lstrip(" "))
    if (
        all(not (piece.startswith("<") and piece.endswith(">")) for piece in tokens)
        and joined.strip(" ") == full.strip(" ")
        and joined[lead:] == full
    ):
        return [max(0, n - lead) for n in lengths]
    return [len(engine.pieces_to_text(tokens[:k])) for k in range(len(tokens) + 1)]


def _render(engine: Engine, draft: _Draft) -> _Text:
    """The draft's text with each literal range replaced by the target's own spelling."""
    full = engine.pieces_to_text(draft.tokens)
    out: list[str] = []
    protected: list[Span] = []
    pos = length = 0
    for start, end, literal in sorted(draft.literals):
        before = engine.pieces_to_text(draft.tokens[:start])
        upto = engine.pieces_to_text(draft.tokens[:end])
        if not (full.startswith(upto) and upto.startswith(before)) or len(before) < pos:
            continue  # a decoder whose text is not built piece by piece: leave the placeholder (checked later)
        a, b = len(before), len(upto)
        while a < b and full[a].isspace():
            a += 1
        lead = " " if a == b and a > 0 and not full[a - 1].isspace() else ""  # nothing was forced: insert
        trail = " " if a == b and b < len(full) and _WORD_CHAR.match(full[b]) else ""
        out.append(full[pos:a] + lead)
        length += a - pos + len(lead)
        protected.append((length, length + len(literal)))
        out.append(literal + trail)
        length += len(literal) + len(trail)
        pos = b
    out.append(full[pos:])
    return _Text("".join(out), protected)


def _decodable(engine: Engine, text: str) -> bool:
    return " ".join(engine.pieces_to_text(engine.text_to_pieces(text)).split()) == " ".join(text.split())


def _placeholder(engine: Engine, literal: str) -> list[str]:
    """Pieces to force for *literal*: its own pieces, or — when the vocabulary lacks one of its characters — the
    pieces of the literal without that character (its ASCII folding when the vocabulary has that)."""
    pieces = engine.text_to_pieces(literal)
    if _decodable(engine, literal):
        return pieces
    kept = []
    for ch in literal:
        if ch.isspace() or _decodable(engine, ch):
            kept.append(ch)
        else:
            folded = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode()
            kept.append(folded if folded and _decodable(engine, folded) else "")
    text = " ".join("".join(kept).split())
    # What is left of "7.1 +/- 3.2" without its digits is punctuation: the placeholder starts and ends on a word.
    while text and not _WORD_CHAR.match(text[0]):
        text = text[1:].lstrip()
    while text and not _WORD_CHAR.match(text[-1]):
        text = text[:-1].rstrip()
    return engine.text_to_pieces(text) if text else []  # nothing the model can write: force nothing, splice it in


def _blocked(engine: Engine, draft: _Draft, matches: Sequence[TermMatch]) -> list[Span]:
    """Token ranges alignment and insertion must not touch: literals, every copy of a target (the model's own, or
    a surplus copy the final clean-up removes whole) and every forbidden rendering (repair replaces it whole)."""
    blocked = [(s, e) for s, e, _ in draft.literals]
    full = engine.pieces_to_text(draft.tokens)
    spans = [span for spans in _copies(_groups(matches), full).values() for span in spans]
    for check in check_segment(matches, full):
        spans += check.forbidden_spans
    if spans:
        offsets = draft.offsets(engine)
        units = [(s, e) for s, e in draft.units() if overlaps((offsets[s], offsets[e]), spans)]
        for span in spans:  # one blocked range per phrase, so no cut falls between its words
            inside = [u for u in units if overlaps((offsets[u[0]], offsets[u[1]]), [span])]
            if inside:
                blocked.append((inside[0][0], inside[-1][1]))
    return blocked


def _aligned_run(draft: _Draft, layout: _Layout, term_words: set[int], blocked: list[Span]) -> Span | None:
    """The whole words whose attention (summed over their pieces) goes to the term's source words, as one run
    (punctuation and one word aligned to nothing allowed inside it: "Musta, Mudhemis" for *Mustafa Kadhemi*);
    None when no word after ``draft.end`` aligns."""
    units = draft.units()
    words = [_unit_word(draft, layout, s, e) for s, e in units]
    hits = [
        u
        for u, (s, e) in enumerate(units)
        if s >= draft.end
        and words[u] in term_words
        and not _is_punct(draft.tokens[s])
        and not overlaps((s, e), blocked)
    ]
    if not hits:
        return None
    runs: list[list[int]] = [[hits[0]]]
    for u in hits[1:]:
        gap = range(runs[-1][-1] + 1, u)
        loose = [g for g in gap if not _is_punct(draft.tokens[units[g][0]])]
        free = all(words[g] is None for g in loose) and not any(overlaps(units[g], blocked) for g in gap)
        if len(loose) <= 1 and free:
            runs[-1].append(u)
        else:
            runs.append([u])
    size = [sum(units[u][1] - units[u][0] for u in run) for run in runs]
    best = runs[max(range(len(runs)), key=size.__getitem__)]
    return units[best[0]][0], units[best[-1]][1]


def _widen(
    engine: Engine, draft: _Draft, run: Span | None, renderings: Sequence[str], blocked: list[Span]
) -> Span | None:
    """Widen an attention run to the model's own rendering of the term that overlaps it (attention put "troop"
    on *Truppenstärke* and "strength" on the next word; the model translates *Truppenstärke* alone as "troop
    strength"); without a run, the one place a rendering occurs."""
    if not renderings:
        return run
    full = engine.pieces_to_text(draft.tokens)
    offsets = draft.offsets(engine)
    units = draft.units()
    found: set[Span] = set()
    for rendering in renderings:
        for a, b in phrase_spans(rendering, full, False):
            inside = [(s, e) for s, e in units if offsets[s] < b and offsets[e] > a]
            if inside and all(s >= draft.end and not overlaps((s, e), blocked) for s, e in inside):
                found.add((inside[0][0], inside[-1][1]))
    if run is None:
        return next(iter(found)) if len(found) == 1 else None
    start, end = run
    for s, e in sorted(found):
        if s < end and e > start:
            start, end = min(start, s), max(end, e)
    return start, end


def _unit_word(draft: _Draft, layout: _Layout, start: int, end: int) -> int | None:
    """The source word the target word tokens[start:end] translates (None when unknown or punctuation, where a
    model parks attention it does not need)."""
    if (start, end) not in draft._unit_words:
        word = layout.unit_word(draft.rows[start:end])
        draft._unit_words[(start, end)] = None if word is None or layout.is_punct(word) else word
    return draft._unit_words[(start, end)]


def _insertion(
    draft: _Draft, layout: _Layout, term_words: set[int], source: str, match: TermMatch, blocked: list[Span]
) -> int:
    """Token index where a term that aligns to nothing belongs. With attention: the word boundary that crosses
    the fewest alignments (words before it translating German after the term, or after it translating German
    before the term), the one nearest the term's relative position on a tie; without, that relative position.
    Never inside another term's words and never after the sentence's final punctuation."""
    units = [u for u in draft.units() if u[0] >= draft.end]
    body = list(units)
    while body and _is_punct(draft.tokens[body[-1][0]]):
        body.pop()
    tail = body[-1][1] if body else (units[0][0] if units else len(draft.tokens))
    # Never before a piece that goes on the word before it ('"' + "significant"): the term would glue onto it.
    cuts = [s for s, _ in body if not _is_glue_piece(draft.tokens[s]) and not any(a < s < b for a, b in blocked)]
    cuts.append(tail)
    guess = round(len(draft.tokens) * match.start / max(len(source), 1))
    aligned = [(s, _unit_word(draft, layout, s, e)) for s, e in body]
    known = [(s, w) for s, w in aligned if w is not None]
    if not term_words or not known:
        return min(cuts, key=lambda c: (abs(c - guess), c))
    first, last = min(term_words), max(term_words)
    # Crossings of each cut in one sweep (known and cuts are in token order): words before the cut translating
    # German after the term, plus words from the cut on translating German before it.
    crossings: dict[int, int] = {}
    after = 0
    before = sum(w < first for _, w in known)
    k = 0
    for cut in sorted(set(cuts)):
        while k < len(known) and known[k][0] < cut:
            after += known[k][1] > last
            before -= known[k][1] < first
            k += 1
        crossings[cut] = after + before
    return min(cuts, key=lambda c: (crossings[c], abs(c - guess), c))


def _place_terms(
    engine: Engine,
    source: str,
    matches: Sequence[TermMatch],
    draft: _Draft,
    layout: _Layout,
    renderings: Sequence[Sequence[str]],
) -> Generator[list[str], Hypothesis, _Draft]:
    """Steps 3 and 4 for one sentence: place each missing term, left to right in the output, in place where the
    attention aligns words to it, else inserted where it belongs; then, if anything was inserted, one decode
    with every term placed so far in the target prefix lets the model finish the sentence after the last one.
    Yields each target prefix to decode and receives the decoder's 1-best for it; returns the final draft.
    A term is placed at most as often as the German has it."""
    occurrences = Counter(m.term.key for m in matches)
    # The draft as it was before the first term inserted since the last decode, and the terms inserted since:
    # an engine that does not keep the prefix gets that draft back, the inserted terms left missing.
    before: _Draft | None = None
    inserted: list[str] = []
    while True:
        text = _render(engine, draft)
        _repair(text, matches)
        checks = check_segment(matches, text.text)
        todo = [
            j
            for j, c in enumerate(checks)
            if c.status == "missing" and draft.placed[matches[j].term.key] < occurrences[matches[j].term.key]
        ]
        if not todo and before is not None and all(_is_punct(t) for t in draft.tokens[draft.end :]):
            before, inserted = None, []  # only the sentence's final punctuation follows: nothing for the model to write
        if not todo and before is None:
            return draft
        if not todo:
            assert before is not None
            prefix = draft.tokens[: draft.end]
            hyp = yield prefix
            tokens = list(hyp.tokens)
            if tokens[: len(prefix)] != prefix:  # the engine did not keep the prefix: the draft as it was
                draft = before
                draft.placed.update(inserted)
            else:
                rows: list[Row | None] = list(hyp.attention or ())
                rows += [None] * (len(tokens) - len(rows))
                if rows:
                    rows[0] = None  # CTranslate2's first beam-search attention row belongs to the batch
                while len(prefix) < len(tokens) and _is_glue_piece(tokens[len(prefix)]):
                    del tokens[len(prefix)], rows[len(prefix)]  # "Dialogue" + "d": the model went on inside the word
                draft = _Draft(
                    tokens=tokens,
                    rows=layout.word_rows(rows[: len(tokens)]),
                    decoded=hyp.text,
                    literals=list(draft.literals),
                    end=len(prefix),
                    placed=draft.placed,
                    decodes=draft.decodes + 1,
                    inserted=draft.inserted,
                )
            before, inserted = None, []
            continue
        plans = []
        blocked = _blocked(engine, draft, matches)
        for j in todo:
            words = layout.words_of(matches[j])
            run = _widen(engine, draft, _aligned_run(draft, layout, words, blocked), renderings[j], blocked)
            cut = run[0] if run else max(draft.end, _insertion(draft, layout, words, source, matches[j], blocked))
            plans.append((cut, matches[j].start, j, run))
        cut, _, j, run = min(plans, key=lambda p: (p[0], p[1]))
        term = matches[j].term
        literal = _cased(matches[j].english, cut == 0, term.case_sensitive)
        pieces = _placeholder(engine, literal)
        if run is None and before is None:
            before = draft.copy()
        draft.placed[term.key] += 1
        if run is not None:  # step 3: the words aligned to the term become the term
            start, end = run
            offsets = draft.offsets(engine)
            run_text = engine.pieces_to_text(draft.tokens)[offsets[start] : offsets[end]].strip()
            core = run_text.strip("".join(_SENTENCE_PUNCT))
            tail: list[str] = []
            if core:  # punctuation inside a piece ("▁again.") is the model's, not the term's: keep it
                at = run_text.index(core)
                lead, trail = run_text[:at], run_text[at + len(core) :]
                if trail and engine.pieces_to_text([*pieces, trail]) == engine.pieces_to_text(pieces) + trail:
                    tail, trail = [trail], ""  # as a piece of its own, so a later term can go before it
                literal = lead + literal + trail
            draft.tokens[start:end] = pieces + tail
            draft.rows[start:end] = [None] * (len(pieces) + len(tail))
            draft.edited()
            draft.literals.append((start, start + len(pieces), literal))
            draft.end = start + len(pieces)
            continue
        # step 4: the term goes in at the cut; what follows is the model's until the decode that finishes the
        # sentence after the last term placed
        draft.tokens[cut:cut] = pieces
        draft.rows[cut:cut] = [None] * len(pieces)
        draft.edited()
        draft.literals.append((cut, cut + len(pieces), literal))
        draft.end = cut + len(pieces)
        draft.inserted += 1
        inserted.append(term.key)


# --- the cascade -----------------------------------------------------------------------------------------------


def _decode(
    engine: Engine,
    sentences: Sequence[str],
    *,
    target_prefixes: Sequence[Sequence[str] | None] | None = None,
    **options: Any,
) -> list[list[Hypothesis]]:
    """``engine.translate``, one call per source length in pieces. CTranslate2 pads the shorter sentences of a
    batch, and padding changes a sentence's scores (by up to 0.03 with the small model) and so, now and then,
    its output; sentences of one length need no padding and come out as they would alone.

    An engine that plans such batches itself (``plans_same_length``: CT2Engine, RayEngine) gets one call with
    ``same_length=True`` instead: the same batches, all queued at once, so several workers decode them in parallel."""
    if getattr(engine, "plans_same_length", False):
        return engine.translate(sentences, target_prefixes=target_prefixes, same_length=True, **options)
    by_length: dict[int, list[int]] = {}
    for i, sentence in enumerate(sentences):
        by_length.setdefault(len(engine.source_pieces(sentence)), []).append(i)
    out: list[list[Hypothesis]] = [[] for _ in sentences]
    for _, members in sorted(by_length.items()):
        prefixes = [target_prefixes[i] for i in members] if target_prefixes is not None else None
        part = engine.translate([sentences[i] for i in members], target_prefixes=prefixes, **options)
        for i, hyps in zip(members, part, strict=True):
            out[i] = hyps
    return out


def _term_renderings(engine: Engine, matches: Sequence[TermMatch]) -> dict[str, tuple[str, ...]]:
    """The model's renderings (:func:`_renderings`) of the German forms of *matches*, as written and as listed, by
    German form: one call per word count, each decode cut off at the length a usable rendering can have."""
    by_size: dict[int, list[str]] = {}
    for german in dict.fromkeys(t for m in matches for t in (m.surface, m.term.source)):
        by_size.setdefault(len(german.split()), []).append(german)
    out: dict[str, tuple[str, ...]] = {}
    for size, terms in sorted(by_size.items()):
        limit = _rendering_pieces(size)
        hyps = _decode(engine, terms, num_hypotheses=2, beam_size=2, max_decoding_length=limit, disable_unk=True)
        for german, found in zip(terms, hyps, strict=True):
            out[german] = _renderings([h for h in found if len(h.tokens) < limit], german)
    return out


def _rendering_pieces(words: int) -> int:
    """Pieces a usable rendering of a German term of *words* words may take (at most two words more than the
    German, four pieces a word): a decode that reaches it rambles and is not used."""
    return 4 * (words + 2) + 1


def _renderings(hyps: Sequence[Hypothesis], german: str) -> tuple[str, ...]:
    """The model's translations of a German term on its own, as phrases to look for: without a leading article
    or final punctuation, and only short ones (a model that rambles on gives no usable rendering)."""
    out = []
    limit = len(german.split()) + 2
    for hyp in hyps:
        words = hyp.text.strip().rstrip(".!?;:,").split()
        while words and words[0].lower() in ("the", "a", "an"):
            words = words[1:]
        if 1 <= len(words) <= limit and UNKNOWN_MARK not in hyp.text:
            out.append(" ".join(words))
    return tuple(dict.fromkeys(out))


def _all_ok(checks: Sequence[TermCheck]) -> bool:
    return all(c.ok for c in checks)


def _verdicts(
    first: Sequence[TermCheck], after: Sequence[TermCheck], damage: Sequence[Damage]
) -> tuple[TermCheck, ...]:
    """Terms wrong in the engine's 1-best and right now are ``enforced``; in a damaged sentence every term that is
    present is ``damaged`` instead (with the damage listed), whatever step put it there."""
    notes = tuple(d.describe() for d in damage)
    out = []
    for b, a in zip(first, after, strict=True):
        if a.ok and not b.ok:
            a = dataclasses.replace(a, status="enforced")
        if notes:
            a = dataclasses.replace(a, status="damaged" if a.ok else a.status, damage=notes)
        out.append(a)
    return tuple(out)


def _finish(
    source: str, matches: Sequence[TermMatch], doc: _Text, plain: str, base: str, first: Sequence[TermCheck]
) -> tuple[str, tuple[TermCheck, ...], tuple[Damage, ...]]:
    _repair(doc, matches)
    _remove_copies(doc, matches, plain)
    damage = check_invariants(matches, doc.text, plain, base=base, source=source)
    return doc.text, _verdicts(first, check_segment(matches, doc.text), damage), damage


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
    plain_only = [i for i, m in enumerate(matches) if not m]
    termed = [i for i, m in enumerate(matches) if m]
    if plain_only:
        for i, hyps in zip(plain_only, _decode(engine, [sentences[i] for i in plain_only]), strict=True):
            results[i] = EnforcedSentence(sentences[i], hyps[0].text, (), "plain")
    if not termed:
        return [r for r in results if r is not None]

    # With attention: rows after the first are those of a greedy pass forced through the hypothesis (CTranslate2
    # 4.x computes them on the hypothesis' own path); the first row belongs to the batch and is never read.
    nbest = _decode(
        engine,
        [sentences[i] for i in termed],
        num_hypotheses=num_hypotheses,
        disable_unk=True,
        return_attention=True,
    )
    pending: dict[int, tuple[Hypothesis, tuple[TermCheck, ...]]] = {}
    for i, hyps in zip(termed, nbest, strict=True):
        source, found = sentences[i], matches[i]
        plain = hyps[0].text
        first = tuple(check_segment(found, plain))
        for rank, hyp in enumerate(hyps):
            candidate = check_segment(found, hyp.text)
            if _all_ok(candidate) and not check_invariants(found, hyp.text, plain, base=hyp.text, source=source):
                method = "as-is" if rank == 0 else "n-best"
                results[i] = EnforcedSentence(source, hyp.text, _verdicts(first, candidate, ()), method)
                break
        else:
            text, checks, damage = _finish(source, found, _Text(plain), plain, plain, first)
            if _all_ok(checks) and not damage:
                results[i] = EnforcedSentence(source, text, checks, "repair")
            else:
                pending[i] = (hyps[0], first)
    if not pending:
        return [r for r in results if r is not None]

    # How the model translates each term on its own ("troop strength" for *Truppenstärke*): the words alignment
    # must take along. Short batched decodes of the distinct German forms of the terms still missing.
    order = list(pending)
    renderings = _term_renderings(
        engine, [m for i in order for m, c in zip(matches[i], pending[i][1], strict=True) if not c.ok]
    )
    walks: dict[int, Generator[list[str], Hypothesis, _Draft]] = {}
    finals: dict[int, _Draft] = {}
    requests: dict[int, list[str]] = {}
    for i in order:
        best = pending[i][0]
        rows: list[Row | None] = list(best.attention[: len(best.tokens)]) if best.attention else []
        rows += [None] * (len(best.tokens) - len(rows))
        if rows:
            rows[0] = None
        layout = _Layout(*_source_words(sentences[i], engine.source_pieces(sentences[i])))
        draft = _Draft(tokens=list(best.tokens), rows=layout.word_rows(rows), decoded=best.text)
        known = [renderings.get(m.surface, ()) + renderings.get(m.term.source, ()) for m in matches[i]]
        walks[i] = _place_terms(engine, sentences[i], matches[i], draft, layout, known)
        try:
            requests[i] = next(walks[i])
        except StopIteration as stop:
            finals[i] = stop.value
    # One batched decode per round; each sentence's walk sees only its own decodes, so its output does not
    # depend on which other sentences need how many rounds. Without attention: every term is in the prefix, so
    # a sentence rarely needs another round (then a term that went missing is inserted, not aligned).
    while requests:
        keys = list(requests)
        outputs = _decode(
            engine,
            [sentences[i] for i in keys],
            target_prefixes=[requests[i] for i in keys],
            disable_unk=True,
        )
        requests = {}
        for i, hyps in zip(keys, outputs, strict=True):
            try:
                requests[i] = walks[i].send(hyps[0])
            except StopIteration as stop:
                finals[i] = stop.value
    for i, draft in finals.items():
        best, first = pending[i]
        base = draft.decoded if draft.decodes else best.text
        text, verdicts, damage = _finish(sentences[i], matches[i], _render(engine, draft), best.text, base, first)
        method = "prefix" if draft.inserted else "align" if draft.placed else "repair"
        results[i] = EnforcedSentence(sentences[i], text, verdicts, method, damage)
    return [r for r in results if r is not None]
