"""Term accuracy on the WMT23 de→en terminology test set with the project's test model.

    python benchmarks/bench_terminology.py [--lines 2963] [--terms proper|random]

Each line's term pairs (``wmt23.de-en.terms.<kind>.jsonl``) are that line's glossary. For every line the
script matches the terms in the German (glossary.match), translates all lines in one batched pass without
and with enforcement (translate.enforce), and reports the share of matched term occurrences whose English
target appears in the output (glossary.check, exact), the share of listed terms the matcher found, the
enforcement methods used and the time. The test model knows nothing of this medical/technical text, so
its translations are poor; the point is whether the glossary terms come out.
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
    for sentence, terms in zip(german, pairs, strict=False):
        glossary = Glossary(tuple(Term(t["de"], t["en"]) for t in terms if t["de"].strip() and t["en"].strip()))
        listed += len(glossary)
        matches.append(TermMatcher(glossary).find(sentence))
    found = sum(len(m) for m in matches)

    start = time.perf_counter()
    plain = [h[0].text for h in engine.translate(german)]
    plain_s = time.perf_counter() - start
    start = time.perf_counter()
    enforced = translate_with_terms(engine, german, matches)
    enforced_s = time.perf_counter() - start

    def rate(outputs: list[str]) -> float:
        ok = sum(c.ok for m, out in zip(matches, outputs, strict=True) for c in check_segment(m, out))
        return ok / max(found, 1)

    methods = collections.Counter(e.method for e in enforced if e.checks)

    def damage(outputs: list[str]) -> dict[str, int]:
        """Sentences damaged around their terms: the unknown piece ⁇, a target written more often than its term
        occurs in the German, or a target glued to letters (\"Strategic Dialogued\")."""
        import re

        counts = {"unknown_piece": 0, "duplicated_term": 0, "glued_term": 0}
        for m, out in zip(matches, outputs, strict=True):
            counts["unknown_piece"] += "\u2047" in out
            duplicated = glued = False
            for match in m:
                target = re.escape(match.english)
                occurrences = sum(x.term.source == match.term.source for x in m)
                if len(re.findall(rf"(?<![^\W_]){target}(?![^\W_])", out, re.IGNORECASE)) > occurrences:
                    duplicated = True
                if re.search(rf"(?<![^\W_]){target}[^\W\d_]", out, re.IGNORECASE):
                    glued = True
            counts["duplicated_term"] += duplicated
            counts["glued_term"] += glued
        return counts

    result = {
        "model": info.name or info.code,
        "lines": len(german),
        "terms_listed": listed,
        "occurrences_matched": found,
        "term_accuracy_without_glossary": round(rate(plain), 4),
        "term_accuracy_with_glossary": round(rate([e.target for e in enforced]), 4),
        "methods": dict(methods),
        "damaged_without_glossary": damage(plain),
        "damaged_with_glossary": damage([e.target for e in enforced]),
        "seconds_plain": round(plain_s, 2),
        "seconds_enforced": round(enforced_s, 2),
    }
    for key, value in result.items():
        print(f"{key:34} {value}")
    suffix = "" if info.is_test_fixture else f"_{info.name or info.code}"
    out = REPO / "benchmarks" / "results" / f"terminology_{args.terms}{suffix}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
