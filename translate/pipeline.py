"""The translation path: documents → sentences → glossary matches → memory → one engine pass →
enforcement → memory → rendered documents. See docs/architecture.md for the data path.

All inputs are translated together: their sentences are pooled (duplicates once), cached ones are taken
from the translation memory, and the rest go to the engine, which batches them by length (engine.plan_batches).
Progress is reported per chunk of sentences.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from glossary.model import Glossary
from translate.cache import TranslationMemory, cache_key
from translate.documents import read_document
from translate.engine import Engine
from translate.segment import sentence_spans, splitter_id
from translate.settings import Settings

Progress = Callable[[int, int], None]  # (sentences done, sentences to translate)
CHUNK_SENTENCES = 256


@dataclass(frozen=True)
class DocumentInput:
    name: str
    text: str
    fmt: str = "txt"


@dataclass(frozen=True)
class SegmentResult:
    source: str
    target: str
    cached: bool
    method: str
    checks: tuple[dict[str, Any], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "target": self.target,
            "cached": self.cached,
            "method": self.method,
            "terms": list(self.checks),
        }


@dataclass(frozen=True)
class TranslationResult:
    name: str
    text: str
    segments: tuple[SegmentResult, ...]
    model_id: str
    glossary_digest: str
    stats: dict[str, Any] = field(default_factory=dict)

    def term_counts(self) -> dict[str, int]:
        counts = {"ok": 0, "enforced": 0, "missing": 0, "forbidden": 0}
        for segment in self.segments:
            for check in segment.checks:
                counts[check["status"]] = counts.get(check["status"], 0) + 1
        return counts

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "model": self.model_id,
            "glossary_digest": self.glossary_digest,
            "stats": self.stats,
            "terms": self.term_counts(),
            "segments": [s.to_dict() for s in self.segments],
        }


def translate_documents(
    inputs: Sequence[DocumentInput],
    settings: Settings,
    glossary: Glossary | None = None,
    progress: Progress | None = None,
    engine: Engine | None = None,
    warnings: list[str] | None = None,
) -> list[TranslationResult]:
    """Translate every input; see the module docstring. Raises ``ModelNotInstalledError`` without a model."""
    from translate.enforce import translate_with_terms

    started = time.perf_counter()
    memory = TranslationMemory(settings.cache_path) if settings.use_cache else None
    splitter: Callable[[str], list[tuple[int, int]]] = sentence_spans
    if memory is not None:
        splitter = memory.remembering_splits(sentence_spans, splitter_id())
    documents = [read_document(item.text, item.fmt, splitter) for item in inputs]
    unique = list(dict.fromkeys(s for doc in documents for s in doc.segments))
    if engine is None:
        from translate.engine import load_engine

        engine = load_engine(settings)
    glossary = glossary or Glossary()
    digest = glossary.digest() if len(glossary) else "none"
    options = settings.decode.key()
    keys = {s: cache_key(engine.model_id, options, digest, s) for s in unique}

    done: dict[str, SegmentResult] = {}
    if memory is not None:
        memory.save_splits()
        hits = memory.get_many(list(keys.values()))
        for sentence, key in keys.items():
            hit = hits.get(key)
            if hit is not None:
                payload = json.loads(hit[1])
                done[sentence] = SegmentResult(sentence, hit[0], True, payload["method"], tuple(payload["terms"]))

    misses = [s for s in unique if s not in done]
    matcher = None
    if len(glossary) and misses:
        from glossary.match import TermMatcher

        matcher = TermMatcher(glossary)
    if progress:
        progress(0, len(misses))
    for start in range(0, len(misses), CHUNK_SENTENCES):
        chunk = misses[start : start + CHUNK_SENTENCES]
        matches = [matcher.find(s) if matcher else [] for s in chunk]
        enforced = translate_with_terms(engine, chunk, matches)
        rows = []
        for item in enforced:
            checks = tuple(c.to_dict() for c in item.checks)
            done[item.source] = SegmentResult(item.source, item.target, False, item.method, checks)
            payload = json.dumps({"method": item.method, "terms": list(checks)}, ensure_ascii=False)
            rows.append((keys[item.source], engine.model_id, item.source, item.target, payload))
        if memory is not None:
            memory.put_many(rows)
        if progress:
            progress(min(start + CHUNK_SENTENCES, len(misses)), len(misses))
    if memory is not None:
        memory.close()
        if warnings is not None:
            warnings.extend(memory.warnings)

    elapsed = time.perf_counter() - started
    results = []
    for source_input, doc in zip(inputs, documents, strict=True):
        segments = tuple(done[s] for s in doc.segments)
        stats = {
            "segments": len(segments),
            "cached": sum(s.cached for s in segments),
            "translated": len(misses),
            "seconds": round(elapsed, 3),
        }
        text = doc.render([s.target for s in segments])
        results.append(TranslationResult(source_input.name, text, segments, engine.model_id, digest, stats))
    return results
