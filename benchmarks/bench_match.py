"""Benchmark glossary.match: time to build a matcher and to match text, vs glossary size and text size.

Matching must stay near-linear in text size whatever the glossary's size (terms are indexed by the lemma
keys of their first word). Prints a table and writes benchmarks/results/match.json.

    python benchmarks/bench_match.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import functools
import json
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from glossator.glossary.match import TermMatcher, _lemma, _text_keys
from glossator.glossary.model import Glossary, Term

REPO = Path(__file__).resolve().parent.parent
ARTICLE = REPO / "corpus" / "iraq-troops.de.txt"
RESULTS = REPO / "benchmarks" / "results" / "match.json"
WMT23 = REPO.parent / "shared" / "data" / "terminology" / "wmt23.de-en"

CORPUS_TERMS = [
    Term("Strategischer Dialog", "Strategic Dialogue"),
    Term("Terrormiliz", "terrorist militia"),
    Term("Islamischer Staat", "Islamic State"),
    Term("IS", "IS", case_sensitive=True),
    Term("Truppenstärke", "troop strength"),
    Term("Truppenreduzierung", "troop reduction"),
    Term("Stützpunkt", "base"),
    Term("Sondergesandter", "special envoy"),
    Term("Dschihadist", "jihadist"),
    Term("Ministerpräsident", "prime minister"),
    Term("Geheimdienstchef", "intelligence chief"),
    Term("Drohnenangriff", "drone strike"),
    Term("Milizenführer", "militia leader"),
    Term("Krisenland", "crisis country"),
    Term("Wiedererstarken", "resurgence"),
    Term("Corona-Krise", "coronavirus crisis", variants=("Coronakrise",)),
    Term("Bagdad", "Baghdad"),
    Term("Kassem Soleimani", "Qassem Soleimani"),
]


def glossary_of(size: int) -> Glossary:
    """The corpus terms plus made-up compounds (one and two words) up to *size* entries."""
    syllables = ["ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "ze", "bu"]
    terms = list(CORPUS_TERMS)
    n = 0
    while len(terms) < size:
        word = "".join(syllables[int(d)] for d in f"{n:05d}").capitalize()
        source = f"Neue {word}kraft" if n % 3 == 0 else f"{word}werk"
        terms.append(Term(source, f"entry {n}"))
        n += 1
    return Glossary(terms=tuple(terms[:size]))


def best_of(repeat: int, action: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def wmt23_sanity(kind: str = "proper") -> dict[str, object]:
    """On WMT23 de→en terminology (each line's term pairs as its glossary): how many listed German terms the
    matcher finds in their own line (recall; misses are mostly terms used only as a compound's first part),
    and the term accuracy of the human reference (should be near 1: the pairs were taken from it)."""
    from glossator.glossary.check import term_accuracy

    sources = Path(f"{WMT23}.de").read_text(encoding="utf-8").splitlines()
    references = Path(f"{WMT23}.en").read_text(encoding="utf-8").splitlines()
    pairs = [json.loads(line) for line in Path(f"{WMT23}.terms.{kind}.jsonl").read_text(encoding="utf-8").splitlines()]
    listed = found = occurrences = exact = lemma = 0
    start = time.perf_counter()
    for source, reference, line_pairs in zip(sources, references, pairs, strict=True):
        matcher = TermMatcher([Term(p["de"], p["en"]) for p in line_pairs])
        matched = {m.term.source for m in matcher.find(source)}
        listed += len(line_pairs)
        found += sum(p["de"] in matched for p in line_pairs)
        accuracy = term_accuracy([source], [reference], matcher)
        occurrences, exact, lemma = (
            occurrences + accuracy.occurrences,
            exact + accuracy.exact_hits,
            lemma + accuracy.lemma_hits,
        )
    return {
        "terms": kind,
        "lines": len(sources),
        "listed_terms": listed,
        "found_in_own_line": round(found / listed, 4),
        "reference_exact": round(exact / occurrences, 4),
        "reference_lemma": round(lemma / occurrences, 4),
        "seconds": round(time.perf_counter() - start, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    article = ARTICLE.read_text(encoding="utf-8")
    start = time.perf_counter()
    _lemma("Haus")  # simplemma loads its German data on first use; measured separately
    load_seconds = time.perf_counter() - start

    rows = []
    for size in (100, 1_000, 10_000):
        glossary = glossary_of(size)
        build = best_of(1, functools.partial(TermMatcher, glossary))
        matcher = TermMatcher(glossary)
        for copies in (1, 10, 100):
            text = "\n\n".join([article] * copies)
            # Cold: empty lemma caches (simplemma's data stay loaded), the cost for a fresh process's first text.
            _text_keys.cache_clear()
            _lemma.cache_clear()
            cold = best_of(1, functools.partial(matcher.find, text))
            warm = best_of(args.repeat, functools.partial(matcher.find, text))
            matches = len(matcher.find(text))
            rows.append(
                {
                    "glossary_entries": size,
                    "text_chars": len(text),
                    "build_seconds": round(build, 4),
                    "match_cold_seconds": round(cold, 4),
                    "match_warm_seconds": round(warm, 4),
                    "chars_per_second_warm": round(len(text) / warm),
                    "matches": matches,
                }
            )

    print(f"simplemma German data load: {load_seconds:.2f} s (once per process)")
    header = f"{'entries':>8} {'chars':>9} {'build s':>8} {'cold s':>8} {'warm s':>8} {'chars/s':>10} {'matches':>8}"
    print(header)
    for r in rows:
        print(
            f"{r['glossary_entries']:>8} {r['text_chars']:>9} {r['build_seconds']:>8.3f} "
            f"{r['match_cold_seconds']:>8.3f} {r['match_warm_seconds']:>8.3f} "
            f"{r['chars_per_second_warm']:>10} {r['matches']:>8}"
        )
    per_char = [r["match_warm_seconds"] / r["text_chars"] for r in rows if r["glossary_entries"] == 10_000]
    print(f"10,000 entries: warm time per char varies {max(per_char) / min(per_char):.2f}x over a 100x text range")
    wmt = [wmt23_sanity(kind) for kind in ("proper", "random")] if Path(f"{WMT23}.de").exists() else []
    for row in wmt:
        print(
            f"WMT23 {row['terms']}: {row['found_in_own_line']:.1%} of {row['listed_terms']} listed terms found; "
            f"reference term accuracy exact {row['reference_exact']:.1%}, lemma {row['reference_lemma']:.1%}"
        )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "benchmark": "glossary.match",
                "python": platform.python_version(),
                "machine": platform.machine(),
                "simplemma_load_seconds": round(load_seconds, 3),
                "median_chars_per_second": round(statistics.median(r["chars_per_second_warm"] for r in rows)),
                "rows": rows,
                "wmt23": wmt,
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"wrote {RESULTS.relative_to(REPO)}")


if __name__ == "__main__":
    main()
