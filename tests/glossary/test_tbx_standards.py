"""What we write as TBX validates against the standard's own schemas (../shared/data/standards, read in place as
its README asks): the TBX v3 core structure and the TBX-Basic dialect's integrated RelaxNG (lxml), and the TBX-Basic
dialect's Schematron rules (XSLT 2 query binding: compiled to XSLT 3 by SchXslt2, tests/data/standards-tools, and run
with SaxonC-HE). Every glossary the tests hold is exported and checked. Round trip lossless."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from paths import CORPUS, REPO
from termbases import ASTRONOMY, DATA, EVERY_FIELD, okapi_sdlx

from glossator.glossary.io import load_glossary
from glossator.glossary.model import Glossary
from glossator.glossary.tbx import dump_tbx, load_tbx

RELAXNG = ["TBXcoreStructV03.rng", "TBXcoreStructV03_TBX-Basic_integrated.rng"]
SCHEMATRON = ["TBX-Basic_DCA.sch", "TBX-Basic_DCA_v1.2.sch"]
SCHXSLT2 = REPO / "tests" / "data" / "standards-tools" / "schxslt2" / "transpile.xsl"
SVRL = "{http://purl.oclc.org/dsdl/svrl}"

# Every glossary the tests hold: ours, one with every field filled, and the third-party files once imported.
GLOSSARIES: dict[str, Callable[[Path], Glossary]] = {
    "corpus": lambda _: load_glossary(CORPUS / "glossary.yaml"),
    "every-field": lambda _: EVERY_FIELD,
    "wordpress-csv": lambda _: load_glossary(DATA / "wordpress-de.csv"),
    "deepl-csv": lambda _: load_glossary(DATA / "deepl-python-example_glossary.csv"),
    "ltac-tbx": lambda _: load_glossary(ASTRONOMY),
    "okapi-sdlx-tbx": lambda tmp: load_glossary(okapi_sdlx(tmp)),
}


@pytest.mark.parametrize("name", GLOSSARIES)
@pytest.mark.parametrize("schema", RELAXNG)
def test_export_validates_against_the_tbx_relaxng_schemas(shared_data: Path, tmp_path: Path, schema: str, name: str):
    from lxml import etree

    document = etree.fromstring(dump_tbx(GLOSSARIES[name](tmp_path)).encode())
    validator = etree.RelaxNG(etree.parse(str(shared_data / "standards" / schema)))
    assert validator.validate(document), [f"{e.line}: {e.message}" for e in validator.error_log][:10]


@functools.cache
def saxon() -> Any:
    """The one SaxonC processor of the test session (SaxonC wants one per process)."""
    from saxonche import PySaxonProcessor

    return PySaxonProcessor(license=False)


class Schematron:
    """A Schematron schema compiled once to an XSLT 3 validation stylesheet (SchXslt2 on SaxonC-HE)."""

    def __init__(self, schema: Path) -> None:
        self._processor = saxon()
        xslt = self._processor.new_xslt30_processor()
        transpiler = xslt.compile_stylesheet(stylesheet_file=str(SCHXSLT2))
        compiled = transpiler.transform_to_string(source_file=str(schema))
        self._validator = xslt.compile_stylesheet(stylesheet_text=compiled)

    def svrl(self, document: str) -> Any:
        """The SVRL report (lxml element) of *document*. Dynamic errors in a rule stop the run (SchXslt2's default)."""
        from lxml import etree

        node = self._processor.parse_xml(xml_text=document)
        return etree.fromstring(self._validator.transform_to_string(xdm_node=node).encode())

    def findings(self, document: str) -> list[tuple[str, str]]:
        """(location, message) of each failed assert and each successful report: the schema's errors. The location
        is written without namespaces: /tbx[1]/text[1]/…"""
        report = self.svrl(document)
        return [
            (re.sub(r"Q\{[^}]*\}", "", e.get("location")), " ".join("".join(e.itertext()).split()))
            for e in report
            if e.tag in (f"{SVRL}failed-assert", f"{SVRL}successful-report")
        ]


@functools.cache
def schematron(path: Path) -> Schematron:
    return Schematron(path)


@pytest.mark.parametrize("name", GLOSSARIES)
@pytest.mark.parametrize("schema", SCHEMATRON)
def test_export_passes_the_tbx_basic_schematron(shared_data: Path, tmp_path: Path, schema: str, name: str):
    checker = schematron(shared_data / "standards" / schema)
    document = dump_tbx(GLOSSARIES[name](tmp_path))
    assert checker.findings(document) == []
    report = checker.svrl(document)
    # The rules ran on the document: the dialect rule on <tbx> and the status rule on each term.
    fired = [e.get("context") for e in report.iter(f"{SVRL}fired-rule")]
    assert "tbx:tbx" in fired
    assert fired.count("tbx:termNote[@type='administrativeStatus']") == document.count('"administrativeStatus"')


def test_the_schematron_check_finds_what_breaks_the_dialect(shared_data: Path):
    """The check is live: a TBX broken in five ways the RelaxNG alone does not all catch gives a finding for each."""
    broken = (
        dump_tbx(EVERY_FIELD)
        .replace('<tbx type="TBX-Basic"', '<tbx type="TBX-Default"', 1)
        .replace('<descrip type="subjectField">', '<descrip type="glossator:domain">', 1)  # a private category
        .replace("admittedTerm-admn-sts", "approved-admn-sts", 1)
        .replace('<langSec xml:lang="en">', '<langSec xml:lang="en"><termNote type="termType">phrase</termNote>', 1)
        .replace("<note>glossator:tag=news</note>", '<x:tag xmlns:x="urn:example:private">news</x:tag>', 1)
    )
    entry = "/tbx[1]/text[1]/body[1]/conceptEntry[1]"
    common = {
        "/tbx[1]": "The name of this dialect should be TBX-Basic",
        f"{entry}/tag[1]": "DCT style elements are not permitted in DCA style TBX.",
        f"{entry}/langSec[1]/termSec[1]/termNote[1]": "admittedTerm-admn-sts",
        f"{entry}/langSec[2]/termNote[1]": "Any termNote is only allowed at the termSec level.",
    }
    current = schematron(shared_data / "standards" / "TBX-Basic_DCA.sch").findings(broken)
    expected = {**common, f"{entry}/descrip[1]/@type": "Permitted type value(s): subjectField, context, definition"}
    assert sorted(location for location, _ in current) == sorted(expected)
    assert all(expected[location] in message for location, message in current)
    # Dialect 1.2's Schematron has no rule on data category names (its RelaxNG has): the other four.
    older = schematron(shared_data / "standards" / "TBX-Basic_DCA_v1.2.sch").findings(broken)
    assert sorted(location for location, _ in older) == sorted(common)


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
