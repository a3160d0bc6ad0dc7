"""A TBX v3 file that the standard's maintainers wrote (tests/data/glossaries/README.md has its provenance)."""

from __future__ import annotations

from pathlib import Path

import pytest
from clirun import run
from paths import REPO

from glossator.common.errors import GlossaryError
from glossator.glossary.io import load_glossary
from glossator.glossary.tbx import dump_tbx, load_tbx

ASTRONOMY = REPO / "tests" / "data" / "glossaries" / "ltac-astronomy-dca-valid.de-en.tbx"


def test_tbx_v3_langsec_termsec_is_read_and_unusable_entries_are_listed() -> None:
    glossary = load_tbx(ASTRONOMY)
    terms = {t.source: t for t in glossary.terms}
    assert len(terms) == 39
    assert (terms["cúmulo abierto"].target, terms["cúmulo abierto"].domain) == ("open cluster", "General")
    assert terms["cúmulo abierto"].forbidden == ("galactic cluster",)  # supersededTerm-admn-sts
    assert terms["disco de acreción"].target_variants == ("accretion disc", "circumstellar disk")
    warnings = glossary.extra["warnings"]
    assert warnings[0].endswith("languages zu ignored (Glossator reads German and English)")
    skipped = [w for w in warnings[1:] if "entry has no German (de) term" in w]
    assert len(skipped) == 6 and all(w.startswith(f"{ASTRONOMY}:") for w in skipped)


def test_strict_refuses_at_the_first_problem() -> None:
    with pytest.raises(GlossaryError, match="languages zu ignored"):
        load_glossary(ASTRONOMY, strict=True)
    result = run("glossary", "validate", ASTRONOMY)
    assert result.exit_code == 3 and "(--strict)" in result.stderr


def test_import_summarises_and_round_trips_every_de_en_term(tmp_path: Path) -> None:
    out = tmp_path / "astro.yaml"
    result = run("glossary", "import", ASTRONOMY, "-o", out)
    assert result.exit_code == 0, result.output
    assert "7 entries skipped or merged (listed above)" in result.stderr
    # third-party TBX → YAML → TBX keeps every German and English term
    again = tmp_path / "again.tbx"
    again.write_text(dump_tbx(load_glossary(out)), encoding="utf-8")
    assert load_tbx(again).terms == load_tbx(ASTRONOMY).terms


def test_the_xml_encoding_declaration_is_honoured(tmp_path: Path) -> None:
    text = ASTRONOMY.read_text(encoding="utf-8").replace('encoding="utf-8"', 'encoding="windows-1252"', 1)
    path = tmp_path / "cp1252.tbx"
    path.write_bytes(text.encode("windows-1252", errors="replace"))
    terms = {t.source: t for t in load_tbx(path).terms}
    assert terms["cúmulo abierto"].target == "open cluster"  # ú read as windows-1252, not refused as bad UTF-8
