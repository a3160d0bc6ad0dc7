"""Translation-path benchmark with the project's test model (prints a table, writes results JSON + a PNG).

    python benchmarks/bench_translate.py [--sentences 2000]

Side by side in one run, one thread, beam 4, on the German sentences of newstest2019:
Glossator's pipeline (no memory) vs raw ``Translator.translate_batch`` with 2,048-token batches on the same
package; start-up of ``glossator --help`` and of a one-sentence translation; a memory re-run of an unchanged
file vs the first run; growth from 10 to N sentences; glossary enforcement overhead with the corpus glossary
(19 entries) and with a 10,000-entry glossary of real term pairs (WMT23 terminology task).

Limits: the test model is tiny (2+2 layers, d_model 128), so absolute speeds are far above a real
transformer-base package's; the ratios are what this measures. ``bench_realistic.py`` does the same with a
transformer-base-size package and compares with ``argostranslate.translate``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WMT = REPO.parent / "shared" / "data" / "wmt" / "newstest2019.de-en.de"
PACKAGE = REPO / "tests" / "model" / "de_en_glossator_test.argosmodel"
RESULTS = REPO / "benchmarks" / "results"
TERMS = [
    REPO.parent / "shared" / "data" / "terminology" / f"wmt23.de-en.terms.{kind}.tsv" for kind in ("proper", "random")
]


def timed(fn):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def terminology_glossary(size: int):  # type: ignore[no-untyped-def]
    """A *size*-entry glossary of real term pairs: the WMT23 terminology task's (proper, then random term sets),
    first target per source."""
    from glossator.glossary.model import Glossary, Term

    terms: dict[str, Term] = {}
    lines = [line for path in TERMS for line in path.read_text(encoding="utf-8").splitlines()]
    for line in lines:
        _, source, target = line.split("\t")
        key = source.strip().casefold()
        if key and target.strip() and key not in terms:
            terms[key] = Term(source.strip(), target.strip())
        if len(terms) == size:
            break
    return Glossary(tuple(terms.values()), name="wmt23-terms")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sentences", type=int, default=2000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp())
    os.environ.update(ARGOS_PACKAGES_DIR=str(work / "packages"), GLOSSATOR_CACHE_DIR=str(work / "cache"))
    sys.path.insert(0, str(REPO))
    from glossator.common.settings import Settings
    from glossator.glossary.io import load_glossary
    from glossator.models.packages import install_package
    from glossator.translate.engine import load_engine
    from glossator.translate.pipeline import DocumentInput, translate_documents

    install_package(PACKAGE, Settings.from_env())
    lines = WMT.read_text(encoding="utf-8").splitlines()[: args.sentences]
    settings = Settings.from_env()
    rows: dict[str, float] = {}

    # Raw CTranslate2 on the same package: one call, 2,048-token batches.
    engine = load_engine(settings)
    engine.translate(lines[:5])  # load once, outside the timings
    translator, sp = engine._load()
    batch = [sp.encode(s, out_type=str) for s in lines]
    raw_s, _ = timed(
        lambda: translator.translate_batch(
            batch, beam_size=4, max_batch_size=2048, batch_type="tokens", length_penalty=1.0
        )
    )
    nocache = settings.with_(use_cache=False)
    doc = [DocumentInput("wmt", "\n".join(lines) + "\n", "lines")]
    glossator_s, _ = timed(lambda: translate_documents(doc, nocache, engine=engine))
    rows["raw_ct2_sentences_per_s"] = len(lines) / raw_s
    rows["glossator_sentences_per_s"] = len(lines) / glossator_s
    rows["glossator_vs_raw"] = raw_s / glossator_s

    glossary = load_glossary(REPO / "corpus" / "glossary.yaml")
    gloss_s, _ = timed(lambda: translate_documents(doc, nocache, glossary=glossary, engine=engine))
    rows["glossary_enforcement_overhead"] = gloss_s / glossator_s
    big = terminology_glossary(10_000)
    big_s, big_results = timed(lambda: translate_documents(doc, nocache, glossary=big, engine=engine))
    rows["glossary_10k_enforcement_overhead"] = big_s / glossator_s
    rows["glossary_10k_term_occurrences"] = sum(sum(r.term_counts().values()) for r in big_results)

    first_s, _ = timed(lambda: translate_documents(doc, settings, engine=engine))
    second_s, _ = timed(lambda: translate_documents(doc, settings, engine=engine))
    rows["memory_rerun_speedup"] = first_s / second_s

    def cli(*argv: str) -> float:
        start = time.perf_counter()
        subprocess.run(["glossator", *argv], check=True, capture_output=True, input=b"Gehen oder bleiben?\n")
        return time.perf_counter() - start

    rows["help_startup_s"] = statistics.median(cli("--help") for _ in range(5))
    rows["one_sentence_translate_s"] = statistics.median(cli("translate", "-", "--no-cache") for _ in range(3))

    growth = []
    for n in (10, 100, 500, len(lines)):
        sub = [DocumentInput("g", "\n".join(lines[:n]) + "\n", "lines")]
        seconds, _ = timed(lambda sub=sub: translate_documents(sub, nocache, engine=engine))
        growth.append({"sentences": n, "seconds": round(seconds, 4)})

    print(f"{'measure':36} value   ({len(lines)} sentences, 1 thread, beam 4, test model)")
    for key, value in rows.items():
        print(f"{key:36} {value:.3f}")
    for point in growth:
        print(f"{'growth ' + str(point['sentences']) + ' sentences (s)':36} {point['seconds']:.3f}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "translate.json").write_text(
        json.dumps({"sentences": len(lines), "results": rows, "growth": growth}, indent=2) + "\n", encoding="utf-8"
    )
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 3.5))
    ax.plot([p["sentences"] for p in growth], [p["seconds"] for p in growth], marker="o")
    ax.set(xlabel="sentences", ylabel="seconds", title="Glossator translate time vs input size (test model)")
    fig.tight_layout()
    fig.savefig(RESULTS / "translate_growth.png", dpi=100)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
