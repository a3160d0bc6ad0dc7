"""What we write as TBX validates against the standard's own schemas (../shared/data/standards, read in place as
its README asks): the TBX v3 core structure and the TBX-Basic dialect's integrated RelaxNG. Round trip lossless."""

from __future__ import annotations

from pathlib import Path

import pytest
from paths import CORPUS

from glossator.glossary.io import load_glossary
from glossator.glossary.tbx import dump_tbx, load_tbx


@pytest.mark.parametrize("schema", ["TBXcoreStructV03.rng", "TBXcoreStructV03_TBX-Basic_integrated.rng"])
def test_export_validates_against_the_tbx_relaxng_schemas(shared_data: Path, schema: str) -> None:
    from lxml import etree

    document = etree.fromstring(dump_tbx(load_glossary(CORPUS / "glossary.yaml")).encode())
    validator = etree.RelaxNG(etree.parse(str(shared_data / "standards" / schema)))
    assert validator.validate(document), [f"{e.line}: {e.message}" for e in validator.error_log][:10]


def test_our_fields_travel_as_notes_and_come_back(tmp_path: Path) -> None:
    glossary = load_glossary(CORPUS / "glossary.yaml")
    path = tmp_path / "g.tbx"
    path.write_text(dump_tbx(glossary), encoding="utf-8")
    text = path.read_text(encoding="utf-8")
    assert "<langSec" in text and "<langSet" not in text  # TBX v3 element names
    assert 'type="glossator:' not in text  # no private data categories, which TBX-Basic refuses
    back = load_tbx(path)
    assert back.terms == glossary.terms
    assert all(dict(a.extra) == dict(b.extra) for a, b in zip(back.terms, glossary.terms, strict=True))
