"""The translation path: documents → sentences → glossary matches → memory → one engine pass →
enforcement → memory → rendered documents. See docs/architecture.md for the data path.

Human translations imported from TMX come first: a paragraph the memory holds one for stays one segment, and
every segment (such a paragraph or a sentence) with a human translation takes it (method ``tm``, ``tm`` true),
whatever the model, glossary or options; its glossary terms are checked, never changed. Then the machine entries,
then the engine.

All inputs are translated together: their sentences are pooled (duplicates once), cached ones are taken
from the translation memory, and the rest go to the engine, which batches them by length (engine.plan_batches).
Progress is reported as the engine finishes each batch (engine.batch_progress); one engine call takes up to
CHUNK_SENTENCES sentences.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from glossator.common.settings import Settings
from glossator.glossary.check import TermCheck
from glossator.glossary.model import Glossary
from glossator.translate.cache import TranslationMemory, cache_key
from glossator.translate.documents import Block, read_blocks, read_document
from glossator.translate.engine import Engine, batch_progress
from glossator.translate.inline import (
    Alignment,
    AttentionRecorder,
    alignment_from_json,
    alignment_to_json,
    alignments,
)
from glossator.translate.segment import sentence_spans, splitter_id

if TYPE_CHECKING:
    from glossator.glossary.match import TermMatcher

Progress = Callable[[int, int], None]  # (sentences done, sentences to translate)
# Sentences per engine call. Large, because the engine decodes batches of one source length (no padding, so a
# sentence's output never depends on its neighbours): the more sentences a call has, the fuller those batches and
# the closer to raw CTranslate2's speed (issue 15: per CPU second, 0.77x raw in calls of 256 sentences, 0.90x in
# one call of 300, transformer-base package). Bounded, because a call holds the n-best hypotheses of its sentences
# with glossary terms, and the attention of those and of the sentences with markup, until it returns (attention
# rows are Python floats: tens of kilobytes a sentence). Progress still comes per batch (engine.batch_progress);
# the memory is written per call.
CHUNK_SENTENCES = 1024


@dataclass(frozen=True)
class DocumentInput:
    """A text in format txt, lines or md — or, with *blocks*, the paragraphs of a structured document
    (``translate/formats``), whose English comes back per block in ``TranslationResult.blocks``."""

    name: str
    text: str
    fmt: str = "txt"
    blocks: Sequence[Block] | None = None


@dataclass(frozen=True)
class SegmentResult:
    """One translated sentence: its German, its English, and a typed check per glossary term occurrence
    (status, source span, target span, method); spans are character offsets into ``source`` and ``target``."""

    source: str
    target: str
    cached: bool
    method: str
    checks: tuple[TermCheck, ...] = ()
    tm: bool = False  # a human translation from the translation memory (TMX import); method "tm"
    # inline markup put back by position instead of by alignment (translate/inline.py), one line each
    warnings: tuple[str, ...] = ()
    location: str = ""  # where in a structured document: "paragraph 12", "slide 3", "cue 14", "trans-unit 42"

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "target": self.target,
            "cached": self.cached,
            "tm": self.tm,
            "method": self.method,
            "terms": [c.to_dict() for c in self.checks],
            **({"location": self.location} if self.location else {}),
            **({"warnings": list(self.warnings)} if self.warnings else {}),
        }


@dataclass(frozen=True)
class TranslationResult:
    name: str
    text: str
    segments: tuple[SegmentResult, ...]
    model_id: str
    glossary_digest: str
    stats: dict[str, Any] = field(default_factory=dict)
    notice: str | None = None  # the model's warning (test fixture, small model), also in to_dict()
    blocks: tuple[str, ...] | None = None  # a structured document's blocks, rendered (marks in place)

    def term_counts(self) -> dict[str, int]:
        counts = {"ok": 0, "enforced": 0, "damaged": 0, "missing": 0, "forbidden": 0}
        for segment in self.segments:
            for check in segment.checks:
                counts[check.status] = counts.get(check.status, 0) + 1
        return counts

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "model": self.model_id,
            **({"model_warning": self.notice} if self.notice else {}),
            "glossary_digest": self.glossary_digest,
            "stats": self.stats,
            "terms": self.term_counts(),
            "segments": [s.to_dict() for s in self.segments],
        }


def _payload(segment: SegmentResult, aligned: dict[str, Alignment]) -> str:
    """The memory entry's JSON: method, term verdicts and, for a sentence with markup, its alignment."""
    payload: dict[str, Any] = {"method": segment.method, "terms": [c.to_dict() for c in segment.checks]}
    if segment.source in aligned:
        payload["align"] = alignment_to_json(aligned[segment.source])
    return json.dumps(payload, ensure_ascii=False)


class _ChunkProgress:
    """The engine's per-batch reports (sentences finished) as *progress* over all sentences to translate: counted
    up to the end of the current chunk (its first decode covers every sentence of it; enforcement's later, smaller
    decodes add nothing); each value reported once."""

    def __init__(self, progress: Progress, total: int) -> None:
        self.progress, self.total, self.reported, self.end = progress, total, 0, 0
        progress(0, total)

    def chunk(self, end: int) -> _ChunkProgress:
        self.end = end
        return self

    def __call__(self, count: int) -> None:
        self.to(min(self.reported + count, self.end))

    def to(self, done: int) -> None:
        if done > self.reported:
            self.reported = done
            self.progress(done, self.total)


def translate_documents(
    inputs: Sequence[DocumentInput],
    settings: Settings,
    glossary: Glossary | None = None,
    progress: Progress | None = None,
    engine: Engine | None = None,
    warnings: list[str] | None = None,
    *,
    matcher: TermMatcher | None = None,
    memory: TranslationMemory | None = None,
) -> list[TranslationResult]:
    """Translate every input; see the module docstring. Raises ``ModelNotInstalledError`` without a model.

    *matcher* and *memory* may be given already built/opened (``glossator.Translator`` keeps them across calls);
    a memory passed in stays open, one opened here is closed.
    """
    from glossator.translate.enforce import ENFORCEMENT_VERSION, translate_with_terms

    started = time.perf_counter()
    own_memory = memory is None and settings.use_cache
    if own_memory:
        memory = TranslationMemory(settings.cache_path)
    splitter: Callable[[str], list[tuple[int, int]]] = sentence_spans
    if memory is not None:
        splitter = memory.human_paragraphs(memory.remembering_splits(sentence_spans, splitter_id()))
    documents = [
        read_blocks(item.blocks, splitter) if item.blocks is not None else read_document(item.text, item.fmt, splitter)
        for item in inputs
    ]
    unique = list(dict.fromkeys(s for doc in documents for s in doc.segments))
    # sentences with inline markup: their English needs an alignment to put the markup back (translate/inline.py)
    marked = {s for doc in documents for s in doc.marked_segments}
    aligned: dict[str, Alignment] = {}
    human = memory.human_get_many(unique) if memory is not None else {}
    if engine is None:
        from glossator.translate.engine import load_engine

        engine = load_engine(settings)
    glossary = glossary or Glossary()
    digest = glossary.digest() if len(glossary) else "none"
    options = settings.decode.key()
    machine = [s for s in unique if s not in human]
    checksum = engine.model_checksum if machine else ""
    keys = {s: cache_key(engine.model_id, checksum, options, digest, ENFORCEMENT_VERSION, s) for s in machine}
    terms_by_source = {term.source: term for term in glossary.terms}

    done: dict[str, SegmentResult] = {}
    if human:
        if matcher is None and len(glossary):
            from glossator.glossary.match import TermMatcher

            matcher = TermMatcher(glossary)
        from glossator.glossary.check import check_segment

        for sentence, entry in human.items():
            target = entry.target.strip()
            verdicts = check_segment(matcher.find(sentence), target) if matcher else []
            done[sentence] = SegmentResult(
                sentence, target, False, "tm", tuple(dataclasses.replace(c, method="tm") for c in verdicts), tm=True
            )
    if memory is not None:
        memory.save_splits()
        hits = memory.get_many(list(keys.values()))
        for sentence, key in keys.items():
            hit = hits.get(key)
            if hit is not None:
                payload = json.loads(hit[1])
                try:
                    checks = tuple(TermCheck.from_dict(c, terms_by_source[c["source"]]) for c in payload["terms"])
                except (KeyError, TypeError, ValueError):
                    continue  # an entry this version cannot read back: translate the sentence again
                done[sentence] = SegmentResult(sentence, hit[0], True, payload["method"], checks)
                stored = alignment_from_json(payload.get("align")) if sentence in marked else None
                if stored:
                    aligned[sentence] = stored

    misses = [s for s in unique if s not in done]
    if matcher is None and len(glossary) and misses:
        from glossator.glossary.match import TermMatcher

        matcher = TermMatcher(glossary)
    reporter = _ChunkProgress(progress, len(misses)) if progress else None
    for start in range(0, len(misses), CHUNK_SENTENCES):
        chunk = misses[start : start + CHUNK_SENTENCES]
        matches = [matcher.find(s) if matcher else [] for s in chunk]
        recorder = AttentionRecorder(engine, marked) if marked.intersection(chunk) else None
        with batch_progress(reporter.chunk(start + len(chunk)) if reporter else None):
            enforced = translate_with_terms(recorder or engine, chunk, matches)
        pairs = [(item.source, item.target) for item in enforced if item.source in marked]
        aligned.update((p[0], a) for p, a in zip(pairs, alignments(engine, pairs, recorder), strict=True) if a)
        rows = []
        for item in enforced:
            checks = tuple(dataclasses.replace(c, method=item.method) for c in item.checks)
            done[item.source] = SegmentResult(item.source, item.target, False, item.method, checks)
            rows.append(
                (keys[item.source], engine.model_id, item.source, item.target, _payload(done[item.source], aligned))
            )
        if memory is not None:
            memory.put_many(rows)
        if reporter:
            reporter.to(start + len(chunk))
    # markup of remembered or human translations: aligned by a pass forced through their English, kept for next time
    late = [(s, done[s].target) for s in unique if s in marked and s not in aligned]
    aligned.update((p[0], a) for p, a in zip(late, alignments(engine, late), strict=True) if a)
    if memory is not None and late:
        memory.put_many(
            [(keys[s], engine.model_id, s, done[s].target, _payload(done[s], aligned)) for s, _ in late if s in keys]
        )
    if memory is not None:
        if own_memory:
            memory.close()
        if warnings is not None:
            warnings.extend(w for w in memory.warnings if w not in warnings)

    notice = getattr(engine, "notice", None)
    if notice and warnings is not None and notice not in warnings:
        warnings.insert(0, notice)
    elapsed = time.perf_counter() - started
    results = []
    for source_input, doc in zip(inputs, documents, strict=True):
        targets, unit_alignments = [done[s].target for s in doc.segments], [aligned.get(s) for s in doc.segments]
        blocks: tuple[str, ...] | None = None
        if doc.block_sizes is not None:
            from glossator.translate.tagged import strip_marks

            rendered, notes = doc.render_blocks(targets, unit_alignments)
            blocks = tuple(rendered)
            text = "\n".join(strip_marks(block) for block in rendered)
            segments = tuple(
                dataclasses.replace(done[s], warnings=n, location=where)
                for s, n, where in zip(doc.segments, notes, doc.locations, strict=True)
            )
        else:
            text, notes = doc.render_with_notes(targets, unit_alignments)
            segments = tuple(
                dataclasses.replace(done[s], warnings=n) if n else done[s]
                for s, n in zip(doc.segments, notes, strict=True)
            )
        if warnings is not None:
            warnings.extend(f"{source_input.name}: {w}" for w in doc.warnings)
            placed = sum(len(n) for n in notes)
            if placed:
                warnings.append(
                    f"{source_input.name}: {placed} inline markup span(s) placed by position, not by alignment "
                    "(see the segments' warnings in --json)"
                )
        stats = {
            "segments": len(segments),
            "cached": sum(s.cached for s in segments),
            "tm": sum(s.tm for s in segments),
            "translated": len(misses),
            "seconds": round(elapsed, 3),
        }
        results.append(
            TranslationResult(
                source_input.name, text, segments, engine.model_id, digest, stats, notice=notice, blocks=blocks
            )
        )
    return results
