"""``glossator.ray.translate_dataset`` on a real two-node Ray cluster (issue 15): a Ray Data column translated by a
pool of actors, with the same English and term checks as a local run over the same rows."""

from __future__ import annotations

import json

import pytest
from paths import CORPUS
from paths import SMALL_MODEL as SMALL

from glossator.api import Translator
from glossator.common.settings import Settings
from glossator.glossary.io import load_glossary
from glossator.models.packages import install_package
from glossator.translate.pipeline import DocumentInput

pytestmark = pytest.mark.slow



def test_a_dataset_column_is_translated_with_term_checks(ray_cluster: str) -> None:
    import ray

    import glossator.ray

    package = install_package(SMALL, Settings.from_env())
    glossary = load_glossary(CORPUS / "glossary.yaml")  # loaded here: travels with the job, no shared file needed
    paragraphs = [p for p in (CORPUS / "iraq-troops.de.txt").read_text(encoding="utf-8").split("\n\n") if p.strip()]
    rows = [{"id": n, "text": text} for n, text in enumerate(paragraphs)]

    ray.init(address=ray_cluster, logging_level="ERROR", log_to_driver=False)
    try:
        ds = ray.data.from_items(rows).repartition(1)  # one batch: the same engine batches as the local run below
        out = glossator.ray.translate_dataset(ds, "text", glossary=glossary, model=str(package.path), actors=1)
        got = sorted(out.take_all(), key=lambda row: row["id"])
    finally:
        ray.shutdown()

    with Translator(model=package.path, glossary=glossary, use_memory=False) as local:
        results, _ = local._run([DocumentInput(f"row{n}", r["text"], "txt") for n, r in enumerate(rows)], None)
    assert [row["translation"] for row in got] == [r.text for r in results]
    assert [row["id"] for row in got] == list(range(len(rows)))
    checks = [json.loads(row["term_checks"]) for row in got]
    assert sum(len(c) for c in checks) >= 20  # the article's glossary terms, checked per row
    assert [[c["status"] for c in row] for row in checks] == [
        [c.status for s in r.segments for c in s.checks] for r in results
    ]
    assert [row["term_violations"] for row in got] == [
        sum(1 for s in r.segments for c in s.checks if c.status in ("missing", "forbidden", "damaged")) for r in results
    ]
