"""Scoring benchmark: 3,000 segments, BLEU + chrF++ + TER with 1,000 bootstrap samples each.

    python benchmarks/bench_scoring.py [--segments 3000] [--bootstrap 1000]

Side by side in one run on the same segments (WMT newstest2019 HUMAN vs its reference, then newstest2021
refB vs its reference; ../shared beside the clone): sacrebleu's own ``corpus_score(..., n_bootstrap=N)``
for the three metrics one after the other (what a straightforward implementation does), and Glossator's
``glossator.quality.scoring.score`` (same statistics, extracted on all cores). Also: sentence-level scores and term
accuracy against a 19-term glossary. Prints a table and writes benchmarks/results/scoring.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
WMT = REPO.parent / "shared" / "data" / "wmt"
RESULTS = REPO / "benchmarks" / "results" / "scoring.json"


def load(n: int) -> tuple[list[str], list[str], list[str]]:
    """*n* aligned (source, hypothesis, reference) segments: independent human translations as hypotheses."""
    sets = [
        ("newstest2019.de-en.de", "newstest2019.de-en.HUMAN.en", "newstest2019.de-en.en"),
        ("newstest2021.de-en.de", "newstest2021.de-en.refB.en", "newstest2021.de-en.en"),
        ("newstest2020.de-en.de", "newstest2020.de-en.refB.en", "newstest2020.de-en.en"),
    ]
    src: list[str] = []
    hyp: list[str] = []
    ref: list[str] = []
    for s, h, r in sets:
        src += (WMT / s).read_text(encoding="utf-8").splitlines()
        hyp += (WMT / h).read_text(encoding="utf-8").splitlines()
        ref += (WMT / r).read_text(encoding="utf-8").splitlines()
    if len(hyp) < n:
        raise SystemExit(f"only {len(hyp)} segments available")
    return src[:n], hyp[:n], ref[:n]


def timed(fn):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--segments", type=int, default=3000)
    parser.add_argument("--bootstrap", type=int, default=1000)
    args = parser.parse_args()

    from sacrebleu.metrics import BLEU, CHRF, TER

    from glossator.glossary.check import term_accuracy
    from glossator.glossary.io import load_glossary
    from glossator.quality.scoring import _workers, score

    src, hyp, ref = load(args.segments)
    rows: list[tuple[str, float, str]] = []

    def sacrebleu_serial() -> dict[str, float]:
        out = {}
        for name, metric in (("BLEU", BLEU()), ("chrF++", CHRF(word_order=2)), ("TER", TER())):
            out[name] = metric.corpus_score(hyp, [ref], n_bootstrap=args.bootstrap).score
        return out

    serial_s, serial = timed(sacrebleu_serial)
    rows.append(("sacrebleu corpus_score, 3 metrics one by one", serial_s, "reference"))
    ours_s, report = timed(lambda: score(hyp, [ref], bootstrap=args.bootstrap))
    same = all(abs(m.score - serial[m.name]) < 1e-9 for m in report.metrics)
    rows.append((f"glossator score ({_workers()} workers)", ours_s, f"{serial_s / ours_s:.2f}x, identical: {same}"))
    sentence_s, _ = timed(lambda: score(hyp, [ref], bootstrap=0, sentence=True))
    rows.append(("glossator score --sentence (no bootstrap)", sentence_s, ""))
    glossary = load_glossary(REPO / "corpus" / "glossary.yaml")
    terms_s, accuracy = timed(lambda: term_accuracy(src, hyp, glossary))
    rows.append((f"term accuracy ({accuracy.occurrences} term occurrences)", terms_s, ""))

    width = max(len(r[0]) for r in rows)
    print(f"{args.segments} segments, {args.bootstrap} bootstrap samples, {os.cpu_count()} cores")
    print(f"{'what'.ljust(width)}  seconds  note")
    for what, seconds, note in rows:
        print(f"{what.ljust(width)}  {seconds:7.2f}  {note}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "segments": args.segments,
                "bootstrap": args.bootstrap,
                "machine": {"cores": os.cpu_count(), "python": platform.python_version()},
                "seconds": {what: round(seconds, 2) for what, seconds, _ in rows},
                "scores": {m.name: round(m.score, 4) for m in report.metrics},
                "identical_to_sacrebleu": same,
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"wrote {RESULTS.relative_to(REPO)}")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
