"""The full evaluation sets in ../shared, as the manifests and benchmarks read them (skipped in a plain clone,
required in CI)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fakes import FakeEngine
from paths import CORPUS

from glossator.common.settings import Settings
from glossator.quality.evaluate import evaluate, load_manifest


def test_wmt_manifest_names_aligned_full_test_sets(shared_data: Path) -> None:
    manifest = load_manifest(CORPUS / "wmt.yaml")
    sizes = {}
    for doc in manifest.documents:
        lines = doc.source.read_text(encoding="utf-8").splitlines()
        for path in (*doc.references, doc.docids):
            assert path is not None and len(path.read_text(encoding="utf-8").splitlines()) == len(lines), path
        sizes[doc.id] = len(lines)
    assert sizes == {"newstest2019": 2000, "newstest2020": 785, "newstest2021": 1000}


@pytest.mark.slow
def test_wmt_manifest_evaluates_end_to_end(shared_data: Path) -> None:
    """The whole WMT manifest through evaluate (an echoing engine: this is about plumbing, not quality)."""
    report = evaluate(CORPUS / "wmt.yaml", Settings.from_env(use_cache=False), engine=FakeEngine(), bootstrap=0)
    assert [d["segments"] for d in report["documents"]] == [2000, 785, 1000]
    assert report["corpus"] is None  # 1 vs 2 references: scored per document
    assert all(d["by_docid"] for d in report["documents"])


def test_wmt23_terminology_files_align(shared_data: Path) -> None:
    folder = shared_data / "terminology"
    german = (folder / "wmt23.de-en.de").read_text(encoding="utf-8").splitlines()
    english = (folder / "wmt23.de-en.en").read_text(encoding="utf-8").splitlines()
    assert len(german) == len(english) > 0
    for kind in ("proper", "random"):
        rows = [json.loads(line) for line in (folder / f"wmt23.de-en.terms.{kind}.jsonl").read_text().splitlines()]
        assert len(rows) == len(german)
