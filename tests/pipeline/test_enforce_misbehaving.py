"""Enforcement against engines that misbehave on purpose: every invariant holds, or the sentence is ``damaged``.

Each engine is a :class:`fakes.FakeEngine` that does one thing wrong: writes the forced term again, glues word
pieces onto it, drops the other terms after a prefix, writes the unknown piece ⁇ (with or without
``disable_unk``), has no piece for a character of a target, ignores target prefixes, or attends at random.
Hypothesis builds German sentences from filler words and glossary terms, and an English 1-best that gets the
terms wrong in different ways. The checks below are written here, independently of translate/enforce.py: no ⁇,
no target more often than its German occurrences (unless the model's own 1-best had it that often), no target
glued to letters, and no word in the output that is neither a target nor a word the engine wrote for that
sentence. Whenever one fails, no term of the sentence may be reported ``ok`` or ``enforced``.
"""

from __future__ import annotations

import random
import re
from collections import Counter, defaultdict
from collections.abc import Sequence

import pytest
from fakes import FakeEngine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glossator.glossary.check import check_segment
from glossator.glossary.match import TermMatcher
from glossator.glossary.model import Glossary, Term
from glossator.translate.enforce import UNKNOWN_MARK, EnforcedSentence, translate_with_terms
from glossator.translate.engine import Hypothesis

# German term → (English target, wrong renderings the "model" uses instead)
TERMS = {
    "Zentralrat": ("central council", ["central board", "middle council"]),
    "Bagdad": ("Baghdad", ["Bagdad", "Bagdat"]),
    "Kassem": ("Qassem", ["Kasem", "Kassem"]),
    "Wehrpflicht": ("conscription", ["military duty", "service"]),
    "Milizenführer": ("militia leader", ["militia boss", "leader"]),
}
GLOSSARY = Glossary(
    tuple(
        Term(german, english, forbidden=(wrong[0],) if german != "Kassem" else ())
        for german, (english, wrong) in TERMS.items()
    )
)
MATCHER = TermMatcher(GLOSSARY)
FILLERS = {
    "heute": "today",
    "sprach": "spoke",
    "lange": "long",
    "mit": "with",
    "und": "and",
    "wieder": "again",
    "nicht": "not",
    "dort": "there",
}
WORD = re.compile(r"[^\W_]+|[^\w\s]")


# --- engines that misbehave ------------------------------------------------------------------------------------


class RecordingEngine(FakeEngine):
    """Remembers every word it wrote for each sentence (the words enforcement may keep)."""

    def __init__(self, table, **kwargs):
        super().__init__(table, **kwargs)
        self.written: dict[str, set[str]] = defaultdict(set)

    def translate(self, sentences, **kwargs):
        out = super().translate(sentences, **kwargs)
        for sentence, hyps in zip(sentences, out, strict=True):
            for hyp in hyps:
                self.written[sentence].update(WORD.findall(hyp.text))
        return out


class Repeating(RecordingEngine):
    """After a prefix, writes the prefix's last word(s) again (the forced term, or part of it)."""

    def decode_tokens(self, sentence, candidate, prefix):
        tokens = super().decode_tokens(sentence, candidate, prefix)
        if not prefix:
            return tokens
        k = 1 + len(sentence) % 2
        return (*prefix, *prefix[-k:], *tokens[len(prefix) :])


class Gluing(RecordingEngine):
    """After a prefix, goes on inside the last word ("Baghdad" + "ing")."""

    def decode_tokens(self, sentence, candidate, prefix):
        tokens = super().decode_tokens(sentence, candidate, prefix)
        return (*prefix, "ing", *tokens[len(prefix) :]) if prefix else tokens


class Dropping(RecordingEngine):
    """After a prefix, leaves out every glossary target that is not in the prefix."""

    def decode_tokens(self, sentence, candidate, prefix):
        tokens = super().decode_tokens(sentence, candidate, prefix)
        if not prefix:
            return tokens
        targets = {w for english, _ in TERMS.values() for w in english.split()}
        rest = [t for t in tokens[len(prefix) :] if t.lstrip("▁").strip(".") not in targets]
        return (*prefix, *rest)


class IgnoringPrefixes(RecordingEngine):
    """Never keeps a target prefix."""

    def decode_tokens(self, sentence, candidate, prefix):
        return super().decode_tokens(sentence, candidate, None)


class UnknownPieces(RecordingEngine):
    """A vocabulary without "Q"/"q": such a word is the unknown piece plus the rest, as SentencePiece writes it.
    With ``ignore_disable_unk`` it writes ⁇ into its outputs even when told not to."""

    def __init__(self, table, *, ignore_disable_unk=False, **kwargs):
        super().__init__(table, **kwargs)
        self.ignore_disable_unk = ignore_disable_unk
        self._disable_unk = False

    def text_to_pieces(self, text):
        pieces = []
        for word in text.split():
            if "q" in word.lower():
                pieces += ["▁", "<unk>", *(["".join(c for c in word if c.lower() != "q")] if len(word) > 1 else [])]
            else:
                pieces.append("▁" + word)
        return pieces

    def pieces_to_text(self, pieces):
        return "".join(" \u2047 " if p == "<unk>" else p.replace("▁", " ") for p in pieces).strip()

    def translate(self, sentences, **kwargs):
        self._disable_unk = kwargs.get("disable_unk", False)
        return super().translate(sentences, **kwargs)

    def decode_tokens(self, sentence, candidate, prefix):
        tokens = super().decode_tokens(sentence, candidate, prefix)
        if self.ignore_disable_unk or not self._disable_unk:
            tokens = (*tokens, "▁", "<unk>")
        return tokens


class RandomAttention(RecordingEngine):
    """Attention that points anywhere (seeded by the sentence, so it is the same every time)."""

    def attend(self, sentence, tokens):
        rng = random.Random(sentence)
        width = len(self.source_pieces(sentence))
        rows = []
        for _ in tokens:
            row = [0.0] * width
            row[rng.randrange(width)] = 1.0
            rows.append(tuple(row))
        return tuple(rows)


ENGINES = {
    "honest": lambda table: RecordingEngine(table),
    "honest-attention": lambda table: RecordingEngine(table, attention=True),
    "repeating": lambda table: Repeating(table, attention=True),
    "gluing": lambda table: Gluing(table),
    "dropping": lambda table: Dropping(table, attention=True),
    "ignoring-prefixes": lambda table: IgnoringPrefixes(table),
    "unknown-pieces": lambda table: UnknownPieces(table),
    "unknown-pieces-always": lambda table: UnknownPieces(table, ignore_disable_unk=True),
    "random-attention": lambda table: RandomAttention(table, attention=True),
}


# --- sentences --------------------------------------------------------------------------------------------------


@st.composite
def sentences(draw):
    """A German sentence of fillers and 1-3 term occurrences, and the engine's n-best English for it."""
    terms = draw(st.lists(st.sampled_from(sorted(TERMS)), min_size=1, max_size=3))
    fillers = draw(st.lists(st.sampled_from(sorted(FILLERS)), min_size=1, max_size=5))
    words = fillers + terms
    order = draw(st.permutations(range(len(words))))
    german = [words[i] for i in order]
    english = []
    for word in german:
        if word in FILLERS:
            english.append(FILLERS[word])
            continue
        wrong = TERMS[word][1]
        rendering = draw(st.sampled_from([*wrong, ""]))  # a wrong rendering, or the term dropped
        if rendering:
            english.append(rendering)
    first = " ".join([*english, "."]).replace(" .", ".")
    second = first.replace(TERMS[terms[0]][1][0], TERMS[terms[0]][0])  # sometimes right in the 2nd best
    sentence = " ".join(german).capitalize() + "."
    return sentence, [first, second] if draw(st.booleans()) else [first]


# --- the independent checks -------------------------------------------------------------------------------------


def spans_of(phrase: str, text: str) -> list[tuple[int, int]]:
    words = phrase.split()
    body = r"[\s\-]+".join(re.escape(w) for w in words)
    return [m.span() for m in re.finditer(rf"(?<![^\W_]){body}(?![^\W_])", text, re.IGNORECASE)]


def problems(result: EnforcedSentence, plain: str, written: set[str]) -> list[str]:
    """What is wrong with an enforced sentence, judged from its text alone (see the module doc)."""
    found = []
    text = result.target
    if UNKNOWN_MARK in text:
        found.append("unknown piece")
    occurrences = Counter(c.match.term.english for c in result.checks)
    claimed: list[tuple[int, int]] = []
    for english in sorted(occurrences, key=len, reverse=True):
        spans = [s for s in spans_of(english, text) if not any(a < s[1] and s[0] < b for a, b in claimed)]
        claimed += spans
        if len(spans) > max(occurrences[english], len(spans_of(english, plain))):
            found.append(f"{english!r} {len(spans)} times")
        for m in re.finditer(rf"[^\W\d_]*{re.escape(english)}[^\W\d_]*", text, re.IGNORECASE):
            if m.group() != english and m.group().lower() != english.lower() and m.group() not in plain:
                found.append(f"glued {m.group()!r}")
    outside = text
    for a, b in sorted(claimed, reverse=True):
        outside = outside[:a] + " " + outside[b:]
    foreign = [w for w in WORD.findall(outside) if w not in written]
    if foreign:
        found.append(f"wrote {foreign}")
    return found


def run(engine_name: str, items: Sequence[tuple[str, list[str]]]):
    table = {sentence: candidates for sentence, candidates in items}
    engine = ENGINES[engine_name](table)
    sentences_ = list(table)
    matches = [MATCHER.find(s) for s in sentences_]
    results = translate_with_terms(engine, sentences_, matches)
    plains = [engine.translate([s], disable_unk=True)[0][0].text for s in sentences_]
    return engine, sentences_, matches, results, plains


@pytest.mark.parametrize("engine_name", sorted(ENGINES))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(items=st.lists(sentences(), min_size=1, max_size=4, unique_by=lambda item: item[0]))
def test_every_invariant_holds_or_the_sentence_is_damaged(engine_name, items):
    engine, sentences_, matches, results, plains = run(engine_name, items)
    for sentence, found, result, plain in zip(sentences_, matches, results, plains, strict=True):
        assert len(result.checks) == len(found) > 0
        statuses = {c.status for c in result.checks}
        wrong = problems(result, plain, engine.written[sentence])
        if wrong or result.damage:
            assert not statuses & {"ok", "enforced"}, (sentence, result.target, wrong, result.damage)
        if result.damage:
            assert "damaged" in statuses or statuses <= {"missing", "forbidden"}
        # A term reported present is present: the verdicts agree with the one checker.
        for check, plain_check in zip(result.checks, check_segment(found, result.target), strict=True):
            assert (check.status in ("ok", "enforced", "damaged")) == plain_check.ok
            assert check.status != "damaged" or check.damage


@pytest.mark.parametrize("engine_name", sorted(ENGINES))
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(items=st.lists(sentences(), min_size=2, max_size=5, unique_by=lambda item: item[0]))
def test_a_sentence_comes_out_the_same_alone_and_in_a_batch(engine_name, items):
    _, sentences_, _, together, _ = run(engine_name, items)
    for sentence, result in zip(sentences_, together, strict=True):
        [alone] = run(engine_name, [(sentence, dict(items)[sentence])])[3]
        assert (alone.target, [c.status for c in alone.checks]) == (result.target, [c.status for c in result.checks])


def test_honest_engines_get_every_term_in():
    items = [
        ("Heute sprach Zentralrat mit Bagdad.", ["today spoke central board with Bagdad."]),
        ("Kassem sprach nicht.", ["Kasem spoke not."]),
        ("Wehrpflicht und Milizenführer.", ["and militia boss."]),  # one term dropped, one mistranslated
    ]
    for name in ("honest", "honest-attention"):
        engine, _, _, results, plains = run(name, items)
        for (sentence, _), result, plain in zip(items, results, plains, strict=True):
            assert result.damage == () and {c.status for c in result.checks} == {"enforced"}, result
            assert problems(result, plain, engine.written[sentence]) == []


def test_the_forced_term_is_not_written_twice():
    _, _, _, [result], _ = run("repeating", [("Heute sprach Bagdad wieder.", ["today spoke wieder."])])
    assert result.target.count("Baghdad") == 1 and result.damage == ()


def test_glued_pieces_are_dropped_after_a_forced_term():
    _, _, _, [result], _ = run("gluing", [("Heute sprach Bagdad wieder.", ["today spoke again."])])
    assert "Baghdading" not in result.target and "Baghdad" in result.target and result.damage == ()


def test_a_target_the_vocabulary_cannot_write_is_spliced_in():
    _, _, _, [result], _ = run("unknown-pieces", [("Kassem sprach lange.", ["Kasem spoke long."])])
    assert result.target.startswith("Qassem ") and UNKNOWN_MARK not in result.target
    assert [c.status for c in result.checks] == ["enforced"]


def test_an_engine_ignoring_prefixes_leaves_the_term_missing_not_damaged():
    _, _, _, [result], _ = run("ignoring-prefixes", [("Heute sprach Bagdad wieder.", ["today spoke again."])])
    assert [c.status for c in result.checks] == ["missing"] and result.damage == ()
    assert result.target == "today spoke again."


def test_earlier_forced_terms_survive_a_later_one():
    items = [("Zentralrat sprach mit Bagdad und Kassem.", ["spoke with and."])]
    _, _, _, [result], _ = run("dropping", items)
    assert [c.status for c in result.checks] == ["enforced"] * 3, result
    positions = [result.target.lower().index(t) for t in ("central council", "baghdad", "qassem")]
    assert positions == sorted(positions)


def test_prefix_rounds_are_per_sentence():
    """A sentence whose term cannot be forced is not forced again while its neighbours need more rounds."""
    items = [
        ("Kassem sprach.", ["spoke."]),
        ("Zentralrat sprach mit Bagdad und Wehrpflicht.", ["spoke with and."]),
    ]
    _, _, _, results, _ = run("unknown-pieces-always", items)
    assert results[0].target.count("Qassem") <= 1
    assert {c.status for c in results[0].checks} <= {"damaged", "missing"}


def test_fake_hypotheses_keep_their_shape():
    engine = RecordingEngine({"Bagdad.": "Bagdad."}, attention=True)
    [[hyp]] = engine.translate(["Bagdad."], return_attention=True)
    assert isinstance(hyp, Hypothesis) and hyp.attention is not None and len(hyp.attention) == len(hyp.tokens)


def prefix_calls(engine) -> list[list[str]]:
    return [call for call, options in zip(engine.calls, engine.options, strict=True) if options["target_prefixes"]]


def test_terms_inserted_before_the_end_share_one_prefix_decode():
    """Three terms that align to nothing: all inserted into the draft, then one decode finishes the sentence
    after the last of them (not one decode per term)."""
    items = [
        ("Zentralrat und Bagdad sprachen heute lange nicht mit Kassem dort.", ["and spoke today long not with there."])
    ]
    engine, _, _, [result], _ = run("honest", items)
    assert len(prefix_calls(engine)) == 1
    assert [c.status for c in result.checks] == ["enforced"] * 3 and result.method == "prefix"
    positions = [result.target.lower().index(t) for t in ("central council", "baghdad", "qassem")]
    assert positions == sorted(positions)


def test_no_decode_when_only_the_final_punctuation_follows_the_term():
    items = [("Heute sprach Bagdad.", ["today spoke ."])]
    engine, _, _, [result], _ = run("honest", items)
    assert prefix_calls(engine) == []
    assert result.target == "today spoke Baghdad ." and result.method == "prefix" and result.damage == ()
    assert [c.status for c in result.checks] == ["enforced"]


def test_alignment_reads_the_n_best_decode():
    """No second pass for attention: the n-best decode returns it, and an aligned term needs no other decode
    than the short one of the term alone."""
    items = [("Heute sprach Bagdad.", ["today spoke Bagdat."])]
    engine, _, _, [result], _ = run("honest-attention", items)
    assert engine.options[0]["return_attention"] and engine.options[0]["num_hypotheses"] == 4
    assert prefix_calls(engine) == []
    assert result.target == "today spoke Baghdad." and result.method == "align"
