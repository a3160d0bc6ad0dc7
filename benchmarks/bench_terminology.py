"""Term accuracy on the WMT23 de→en terminology test set with the project's test model.

    python benchmarks/bench_terminology.py [--lines 2963] [--terms proper|random] [--model PKG]

Each line's term pairs (``wmt23.de-en.terms.<kind>.jsonl``) are that line's glossary. For every line the
script matches the terms in the German (glossary.match), translates all lines in one batched pass without
and with enforcement (translate.enforce), and reports the share of matched term occurrences whose English
target appears in the output (glossary.check, exact), the share of listed terms the matcher found, the
enforcement methods used, why the listed terms that were not matched were not (inside a longer listed term
that was matched — one span, one term —, inside a compound word, not in the sentence as listed), the time, chrF++
against the reference translations with and without enforcement,
and the damage per 1,000 sentences: sentences enforcement itself reported ``damaged`` (its invariants,
translate.enforce.check_invariants) and, counted independently here, sentences with the unknown piece ⁇, a
target more often than its term occurs in the German, or a target glued to letters (with the glossary: only
what the plain translation of the sentence did not already have). Time: plain translation is timed before
and after the enforced run and the ratio is taken against the mean of the two, so a shared machine whose load
changes during the run skews it less (the load averages are recorded). The test model knows
nothing of this medical text, so its translations are poor; the point is whether the glossary terms come out
and what enforcement does to the sentence around them. A run with ``--lines`` below the full set writes its
result next to the full one with a ``_first<N>`` suffix.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from glossator.glossary.model import Term

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data" / "terminology"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=2963)
    parser.add_argument("--terms", choices=("proper", "random"), default="proper")
    parser.add_argument(
        "--model",
        type=Path,
        default=REPO / "tests" / "model" / "de_en_glossator_test.argosmodel",
        help="the .argosmodel to measure (default: the test model; the small model: models/de_en_small/...)",
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp())
    os.environ.update(ARGOS_PACKAGES_DIR=str(work / "packages"), GLOSSATOR_CACHE_DIR=str(work / "cache"))
    sys.path.insert(0, str(REPO))
    from glossator.common.settings import Settings
    from glossator.glossary.check import check_segment
    from glossator.glossary.match import TermMatcher
    from glossator.glossary.model import Glossary, Term
    from glossator.models.packages import install_package
    from glossator.translate.enforce import translate_with_terms
    from glossator.translate.engine import load_engine

    info = install_package(args.model, Settings.from_env())
    engine = load_engine(Settings.from_env(model=str(info.path)))
    german = (DATA / "wmt23.de-en.de").read_text(encoding="utf-8").splitlines()[: args.lines]
    pairs = [json.loads(line) for line in (DATA / f"wmt23.de-en.terms.{args.terms}.jsonl").open(encoding="utf-8")]
    listed = 0
    matches = []
    unmatched: collections.Counter[str] = collections.Counter()
    for sentence, terms in zip(german, pairs, strict=False):
        glossary = Glossary(tuple(Term(t["de"], t["en"]) for t in terms if t["de"].strip() and t["en"].strip()))
        listed += len(glossary)
        found_here = TermMatcher(glossary).find(sentence)
        matches.append(found_here)
        keys = {m.term.key for m in found_here}
        for term in glossary:
            if term.key not in keys:
                unmatched[why_unmatched(term, sentence)] += 1
    found = sum(len(m) for m in matches)

    loads = [round(os.getloadavg()[0], 1)]
    start = time.perf_counter()
    plain = [h[0].text for h in engine.translate(german)]
    plain_s = time.perf_counter() - start
    start = time.perf_counter()
    enforced = translate_with_terms(engine, german, matches)
    enforced_s = time.perf_counter() - start
    start = time.perf_counter()
    engine.translate(german)
    plain_again_s = time.perf_counter() - start
    loads.append(round(os.getloadavg()[0], 1))

    def rate(outputs: list[str]) -> float:
        ok = sum(c.ok for m, out in zip(matches, outputs, strict=True) for c in check_segment(m, out))
        return ok / max(found, 1)

    methods = collections.Counter(e.method for e in enforced if e.checks)

    def damage(outputs: list[str], baseline: list[str] | None = None) -> dict[str, int]:
        """Sentences damaged around their terms, counted here independently of enforcement's own invariants: the
        unknown piece ⁇, a target written more often than its term occurs in the German, or a target glued to
        letters ("Strategic Dialogued"). Longer targets claim their words first, so "fracture" is not counted
        again inside "mandibular fracture score". With a *baseline* (the plain translations), what the model
        already wrote there does not count: a target it repeated on its own, a glued word it wrote itself
        ("adults" for *adult*)."""
        import re

        def scan(m: list, out: str) -> tuple[bool, collections.Counter[str], collections.Counter[str]]:
            occurrences = collections.Counter(match.english.casefold() for match in m)
            claimed: list[tuple[int, int]] = []
            copies: collections.Counter[str] = collections.Counter()
            glued: collections.Counter[str] = collections.Counter()
            for target in sorted(occurrences, key=len, reverse=True):
                body = re.escape(target)
                spans = [
                    hit.span()
                    for hit in re.finditer(rf"(?<![^\W_]){body}(?![^\W_])", out, re.IGNORECASE)
                    if not any(a < hit.end() and hit.start() < b for a, b in claimed)
                ]
                claimed += spans
                copies[target] = len(spans) - occurrences[target]
                for hit in re.finditer(rf"(?<![^\W_]){body}[^\W\d_]+", out, re.IGNORECASE):
                    if not any(a < hit.end() and hit.start() < b for a, b in claimed):
                        glued[hit.group().casefold()] += 1
            return "\u2047" in out, copies, glued

        counts = {"unknown_piece": 0, "duplicated_term": 0, "glued_term": 0}
        for n, (m, out) in enumerate(zip(matches, outputs, strict=True)):
            unknown, copies, glued = scan(m, out)
            if baseline is not None:
                _, base_copies, base_glued = scan(m, baseline[n])
                unknown = unknown and "\u2047" not in baseline[n]
                copies = collections.Counter({t: c - max(base_copies[t], 0) for t, c in copies.items()})
                glued = glued - base_glued
            counts["unknown_piece"] += unknown
            counts["duplicated_term"] += any(c > 0 for c in copies.values())
            counts["glued_term"] += bool(+glued)
        return counts

    import sacrebleu

    references = (DATA / "wmt23.de-en.en").read_text(encoding="utf-8").splitlines()[: len(german)]
    with_glossary = [e.target for e in enforced]

    def chrf(outputs: list[str]) -> float:
        return round(sacrebleu.corpus_chrf(outputs, [references], word_order=2).score, 2)

    def per_mille(count: int) -> float:
        return round(1000 * count / max(len(german), 1), 1)

    reported = sum(bool(e.damage) for e in enforced)
    kinds = collections.Counter(d.kind for e in enforced for d in {d.kind: d for d in e.damage}.values())
    damaged_with = damage(with_glossary, plain)
    result = {
        "model": info.name or info.code,
        "lines": len(german),
        "terms_listed": listed,
        "terms_not_matched": dict(sorted(unmatched.items())),
        "occurrences_matched": found,
        "term_accuracy_without_glossary": round(rate(plain), 4),
        "term_accuracy_with_glossary": round(rate(with_glossary), 4),
        # The same, counting a term in a sentence enforcement reported damaged as a miss.
        "term_accuracy_with_glossary_undamaged": round(
            sum(c.ok for e in enforced if not e.damage for c in e.checks) / max(found, 1), 4
        ),
        "methods": dict(methods),
        "damaged_without_glossary": damage(plain),
        # Damage enforcement added: what the plain translation of the same sentence already had does not count.
        "damaged_with_glossary": damaged_with,
        "per_1000_sentences": {
            "damaged_reported": per_mille(reported),
            **{f"reported_{kind}": per_mille(n) for kind, n in sorted(kinds.items())},
            **{name: per_mille(n) for name, n in damaged_with.items()},
        },
        "chrf++_without_glossary": chrf(plain),
        "chrf++_with_glossary": chrf(with_glossary),
        "seconds_plain": round(plain_s, 2),
        "seconds_enforced": round(enforced_s, 2),
        "seconds_plain_again": round(plain_again_s, 2),
        "load_average_before_after": loads,
        "enforced_over_plain": round(enforced_s / max((plain_s + plain_again_s) / 2, 1e-9), 2),
    }
    for key, value in result.items():
        print(f"{key:34} {value}")
    suffix = "" if info.is_test_fixture else f"_{info.name or info.code}"
    if args.lines < len((DATA / "wmt23.de-en.de").read_text(encoding="utf-8").splitlines()):
        suffix += f"_first{args.lines}"
    out = REPO / "benchmarks" / "results" / f"terminology_{args.terms}{suffix}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


def why_unmatched(term: Term, sentence: str) -> str:
    """Why a listed term was not matched in its sentence: it is, alone, but inside a longer listed term that was
    matched (one span, one term); its words are in the sentence only inside a longer word (a compound whose
    head it is not: "Lymphknoten" in "Lymphknotengeschwulst", "Chloroquin" in "Chloroquin-Effekte"); or the
    sentence does not have it as listed (the data's own misalignments)."""
    from glossator.glossary.match import TermMatcher

    if TermMatcher([term]).find(sentence):
        return "inside_a_longer_term"
    if term.source.casefold() in sentence.casefold():
        return "inside_a_compound"
    return "not_in_sentence"


if __name__ == "__main__":
    raise SystemExit(main())
