"""Quality scores on sacrebleu's library API: BLEU, chrF++ (chrF, word order 2) and TER, each with its
sacrebleu signature and a 95% bootstrap confidence interval, plus glossary term accuracy.

Scores are sacrebleu's own (its segment statistics, aggregation and bootstrap resampling, as in
``corpus_score``; ``sentence_score``), so they equal the ``sacrebleu`` command line on the same files; a test
checks that. Statistics of large inputs are extracted on all cores.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from glossator.common.errors import InputError
from glossator.common.fileio import read_text
from glossator.glossary.model import Glossary

METRICS = ("BLEU", "chrF++", "TER")


@dataclass(frozen=True)
class MetricScore:
    name: str
    score: float
    ci_low: float | None
    ci_high: float | None
    signature: str

    def formatted(self) -> str:
        ci = f" [{self.ci_low:.2f}, {self.ci_high:.2f}]" if self.ci_low is not None else ""
        return f"{self.name} {self.score:.2f}{ci}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "score": round(self.score, 4),
            "ci95": (
                [round(self.ci_low, 4), round(self.ci_high, 4)]
                if self.ci_low is not None and self.ci_high is not None
                else None
            ),
            "signature": self.signature,
        }


Statistics = dict[str, tuple[list[Any], int]]  # metric → (per-segment statistics, sacrebleu's num_refs)


@dataclass(frozen=True)
class ScoreReport:
    metrics: tuple[MetricScore, ...]
    n_segments: int
    sentences: tuple[dict[str, float], ...] = ()
    term_accuracy: dict[str, Any] | None = None
    warnings: tuple[str, ...] = field(default=())
    # sacrebleu's per-segment statistics by metric, to score subsets or unions without re-extracting them.
    statistics: Statistics | None = field(default=None, compare=False, repr=False)

    def metric(self, name: str) -> MetricScore:
        return next(m for m in self.metrics if m.name == name)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "segments": self.n_segments,
            "metrics": {m.name: m.to_dict() for m in self.metrics},
            "term_accuracy": self.term_accuracy,
        }
        if self.sentences:
            data["sentences"] = list(self.sentences)
        if self.warnings:
            data["warnings"] = list(self.warnings)
        return data


def _metrics(sentence: bool = False) -> list[tuple[str, Any]]:
    """The three metrics; sentence-level BLEU uses effective order, as ``sacrebleu --sentence-level`` does."""
    from sacrebleu.metrics import BLEU, CHRF, TER

    return [("BLEU", BLEU(effective_order=sentence)), ("chrF++", CHRF(word_order=2)), ("TER", TER())]


def score(
    hypotheses: Sequence[str],
    references: Sequence[Sequence[str]],
    *,
    sources: Sequence[str] | None = None,
    glossary: Glossary | None = None,
    sentence: bool = False,
    bootstrap: int = 1000,
    term_matches: Sequence[Sequence[Any]] | None = None,
) -> ScoreReport:
    """Score *hypotheses* against one or more reference streams (each as long as the hypotheses).

    With *glossary* and *sources*, term accuracy too; *term_matches* (one list of ``TermMatch`` per source) skips
    matching the sources again when the caller has done it.
    """
    if not hypotheses:
        raise InputError("nothing to score: the hypothesis has no segments.")
    for stream in references:
        if len(stream) != len(hypotheses):
            raise InputError(f"{len(hypotheses)} hypothesis segments but a reference has {len(stream)}.")
    refs = [list(stream) for stream in references]
    hyps = list(hypotheses)
    stats = _segment_statistics(hyps, refs)
    results = score_statistics(stats, bootstrap)
    sentences: list[dict[str, float]] = []
    if sentence:
        # sentence_score(h, r) is the metric computed from that one segment's statistics; reuse them.
        scorers = _metrics(sentence=True)
        for i in range(len(hyps)):
            sentences.append(
                {name: round(float(m._aggregate_and_compute([stats[name][0][i]]).score), 4) for name, m in scorers}
            )
    accuracy = None
    if glossary is not None and sources is not None:
        from glossator.glossary.check import term_accuracy

        accuracy = term_accuracy(list(sources), hyps, glossary, matches=term_matches).to_dict()
    return ScoreReport(tuple(results), len(hyps), tuple(sentences), accuracy, statistics=stats)


def score_statistics(stats: Statistics, bootstrap: int = 1000) -> tuple[MetricScore, ...]:
    """The three corpus scores (with intervals and signatures) from per-segment statistics."""
    results = []
    for name, metric in _metrics():
        corpus = _corpus_score(metric, stats[name], bootstrap)
        low = high = None
        if bootstrap > 1:
            low, high = float(corpus._mean - corpus._ci), float(corpus._mean + corpus._ci)
        signature = f"{name}|" + metric.get_signature().format()
        results.append(MetricScore(name, float(corpus.score), low, high, signature))
    return tuple(results)


def select_statistics(stats: Statistics, indices: Sequence[int]) -> Statistics:
    """The statistics of some segments (e.g. one WMT document)."""
    return {name: ([rows[i] for i in indices], refs) for name, (rows, refs) in stats.items()}


def join_statistics(parts: Sequence[Statistics]) -> Statistics:
    """The statistics of several scored inputs together (e.g. all documents of a corpus)."""
    joined: Statistics = {}
    for name in METRICS:
        counts = {part[name][1] for part in parts}
        joined[name] = ([row for part in parts for row in part[name][0]], counts.pop() if len(counts) == 1 else -1)
    return joined


PARALLEL_MIN_SEGMENTS = 400  # below this, starting worker processes costs more than it saves


def _workers() -> int:
    import os

    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, 8))


def _chunk_statistics(name: str, hyps: list[str], refs: list[list[str]]) -> tuple[list[Any], int]:
    """Segment statistics of one metric on a chunk, and sacrebleu's reference count for it (-1: varies)."""
    metric = dict(_metrics())[name]
    return metric._extract_corpus_statistics(hyps, refs), metric.num_refs


def _segment_statistics(hyps: list[str], refs: list[list[str]]) -> dict[str, tuple[list[Any], int]]:
    """sacrebleu's per-segment statistics for each metric, extracted on all cores for large inputs.

    Extracting statistics is where the time goes (TER is pure Python: ~18 s for 3,000 segments on one core);
    aggregation and bootstrap resampling then run on the statistics, exactly as ``corpus_score`` does, so the
    scores are identical to sacrebleu's whichever way the statistics were collected.
    """
    import multiprocessing

    workers = _workers()
    if workers == 1 or len(hyps) < PARALLEL_MIN_SEGMENTS or "fork" not in multiprocessing.get_all_start_methods():
        return {name: _chunk_statistics(name, hyps, refs) for name in METRICS}
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    size = -(-len(hyps) // (2 * workers))  # two chunks per worker per metric keeps both cores busy
    bounds = [(i, min(i + size, len(hyps))) for i in range(0, len(hyps), size)]
    # fork, not spawn: workers need no re-import of the caller's main module (a script without a main guard
    # works) and only run sacrebleu's pure-Python code.
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            futures = {
                name: [pool.submit(_chunk_statistics, name, hyps[a:b], [r[a:b] for r in refs]) for a, b in bounds]
                for name in sorted(METRICS, key=lambda n: n != "TER")  # the slow one first
            }
            out = {}
            for name in METRICS:
                parts = [f.result() for f in futures[name]]
                counts = {n for _, n in parts}
                out[name] = ([row for rows, _ in parts for row in rows], counts.pop() if len(counts) == 1 else -1)
            return out
    except (BrokenProcessPool, OSError):  # no processes allowed here (sandbox, limits): same result, one core
        return {name: _chunk_statistics(name, hyps, refs) for name in METRICS}


def _corpus_score(metric: Any, statistics: tuple[list[Any], int], bootstrap: int) -> Any:
    """``metric.corpus_score`` from precomputed segment statistics (same aggregation and resampling)."""
    stats, metric.num_refs = statistics
    score = metric._aggregate_and_compute(stats)
    if bootstrap > 1:
        from sacrebleu.significance import _bootstrap_resample

        metric.n_bootstrap = bootstrap
        metric.seed, samples = _bootstrap_resample(stats, metric, bootstrap)
        score.estimate_ci(samples)
    return score


@dataclass(frozen=True)
class Aligned:
    hypotheses: list[str]
    references: list[list[str]]
    sources: list[str] | None
    unit: str  # "line" or "paragraph"
    numbers: list[int]  # 1-based line (or paragraph) number of each kept segment
    # 1-based line where each kept segment starts, per file: hypothesis, references…, source (if given)
    lines: list[list[int]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def paragraphs(text: str) -> list[str]:
    """Blank-line paragraphs of *text*, each with its whitespace collapsed; empty ones dropped."""
    return [block for block, _ in paragraph_blocks(text)]


def paragraph_blocks(text: str) -> list[tuple[str, int]]:
    """Paragraphs (lines up to a blank or whitespace-only line, whitespace collapsed) with their first line."""
    blocks: list[tuple[str, int]] = []
    current: list[str] = []
    start = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            if not current:
                start = number
            current.append(line)
        elif current:
            blocks.append((" ".join(" ".join(current).split()), start))
            current = []
    if current:
        blocks.append((" ".join(" ".join(current).split()), start))
    return blocks


def read_aligned(
    hyp_path: Path,
    ref_paths: Sequence[Path],
    *,
    src_path: Path | None = None,
    mode: str = "auto",
    encoding: str = "utf-8",
    hyp_what: str = "hypothesis",
    src_what: str = "source",
) -> Aligned:
    """Read line-aligned files, or whole documents aligned by blank-line paragraphs: the one alignment rule of
    ``score``, ``glossary check`` and the API.

    ``auto``: lines when every file has the same number of lines (trailing blank lines ignored), else paragraphs
    when the paragraph counts agree and are more than one. Lines empty in every file (paragraph separators) are
    dropped; an empty hypothesis line against a non-empty reference is kept and scores as a miss.
    """
    named = [(hyp_what, hyp_path)] + [("reference", p) for p in ref_paths]
    if src_path is not None:
        named.append((src_what, src_path))
    texts = [read_text(path, encoding=encoding, what=what) for what, path in named]
    if src_path is not None and not texts[-1].strip():
        raise InputError(f"{src_path}: {src_what} is empty; nothing to check. Give the German source text.")
    warnings = []
    if not texts[0].strip():
        if not ref_paths:
            raise InputError(f"{hyp_path}: {hyp_what} is empty. Translate the source first.")
        # Scored as sacrebleu scores it (BLEU 0, TER 100): an empty output is a result, not an input error.
        warnings.append(f"{hyp_path}: {hyp_what} is empty; every segment is scored as an empty output")
    line_sets = [text.splitlines() for text in texts]
    for lines in line_sets:
        while lines and not lines[-1].strip():
            lines.pop()  # trailing blank lines are layout, not segments
    if warnings:  # the empty hypothesis: one empty output per reference line
        line_sets[0] = [""] * len(line_sets[1])
    counts = [len(lines) for lines in line_sets]
    if mode in ("auto", "lines") and len(set(counts)) == 1:
        keep = [i for i in range(counts[0]) if any(lines[i].strip() for lines in line_sets)]
        columns = [[lines[i] for i in keep] for lines in line_sets]
        unit, numbers = "line", [i + 1 for i in keep]
        starts = [numbers for _ in texts]
    else:
        block_sets = [paragraph_blocks(text) for text in texts]
        paragraph_sets = [[b for b, _ in blocks] for blocks in block_sets]
        starts = [[line for _, line in blocks] for blocks in block_sets]
        pcounts = [len(p) for p in paragraph_sets]
        # A single paragraph per file is not an alignment: the line counts simply differ.
        if mode == "lines" or len(set(pcounts)) != 1 or pcounts[0] < 2:
            order = [len(named) - 1, *range(len(named) - 1)] if src_path is not None else list(range(len(named)))
            parts = [
                f"{named[i][1]} has {_count(counts[i], 'line')} ({_count(pcounts[i], 'paragraph')})" for i in order
            ]
            listed = " but ".join(parts) if len(parts) == 2 else ", ".join(parts)
            raise InputError(f"{listed}; align the files line by line or by blank-line paragraphs.")
        columns, unit, numbers = paragraph_sets, "paragraph", list(range(1, pcounts[0] + 1))
    n_refs = len(ref_paths)
    return Aligned(
        hypotheses=columns[0],
        references=columns[1 : 1 + n_refs],
        sources=columns[1 + n_refs] if src_path is not None else None,
        unit=unit,
        numbers=numbers,
        lines=starts,
        warnings=warnings,
    )


@dataclass(frozen=True)
class Comparison:
    metric: str
    baseline: float
    candidate: float
    p_value: float
    significant_drop: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "baseline": round(self.baseline, 4),
            "candidate": round(self.candidate, 4),
            "p_value": round(self.p_value, 4),
            "significant_drop": self.significant_drop,
        }


def compare(
    baseline: Sequence[str], candidate: Sequence[str], references: Sequence[Sequence[str]], *, samples: int = 1000
) -> list[Comparison]:
    """Paired bootstrap resampling (sacrebleu.significance): is the candidate significantly worse?"""
    from sacrebleu.significance import PairedTest

    refs = [list(r) for r in references]
    out = []
    for name, metric in _metrics():
        metric.references = None
        test = PairedTest(
            [("baseline", list(baseline)), ("candidate", list(candidate))],
            {name: metric},
            references=refs,
            test_type="bs",
            n_samples=samples,
        )
        _, results = test()
        column = next(k for k in results if k != "System")  # sacrebleu names it by the metric (e.g. chrF2++)
        base, cand = results[column][0], results[column][1]
        assert not isinstance(base, str) and not isinstance(cand, str)
        p_value = float(cand.p_value) if cand.p_value is not None else 1.0
        worse = cand.score < base.score if name != "TER" else cand.score > base.score
        out.append(Comparison(name, float(base.score), float(cand.score), p_value, worse and p_value < 0.05))
    return out
