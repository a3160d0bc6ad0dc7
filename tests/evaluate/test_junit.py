"""The JUnit report validates against the schemas CI servers use (Jenkins xUnit's junit-10.xsd and the windyroad
JUnit.xsd of Apache Ant's format), read from ../shared/data/standards as its README asks (not copied here), and
reads back with junitparser (the library CI plugins and report tools use) with the right counts, names and messages."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from clirun import run
from fakes import FakeEngine
from paths import CORPUS, TEST_MODEL_DIR

from glossator.common.settings import Settings
from glossator.models.packages import install_package
from glossator.quality.evaluate import evaluate
from glossator.quality.reports import check_gates, render_junit, report_scores


@pytest.mark.parametrize("schema", ["jenkins-xunit_junit-10.xsd", "windyroad_JUnit.xsd"])
def test_junit_report_is_valid_for_ci_servers(shared_data: Path, schema: str) -> None:
    from lxml import etree

    report = evaluate(CORPUS / "manifest.yaml", Settings.from_env(use_cache=False), engine=FakeEngine(), bootstrap=0)
    report["model_warning"] = "test model: x & <y>"  # escaping, and the warning as a property
    gates = check_gates(report_scores(report), min_bleu=99.0, max_violations=0)
    document = etree.fromstring(render_junit(report, gates).encode())
    validator = etree.XMLSchema(etree.parse(str(shared_data / "standards" / schema)))
    assert validator.validate(document), [str(e) for e in validator.error_log]
    failed = sum(not g["passed"] for g in gates) + sum(bool(d["violations"]) for d in report["documents"])
    assert failed >= 1 and document.get("failures") == str(failed)  # BLEU 99 cannot pass
    assert document.find("properties/property[@name='model_warning']").get("value") == "test model: x & <y>"


def read_junit(path: Path) -> Any:
    """The one test suite of a JUnit file as junitparser reads it (a bare <testsuite> or one in <testsuites>)."""
    from junitparser import JUnitXml, TestSuite

    xml = JUnitXml.fromfile(str(path))
    suites = [xml] if isinstance(xml, TestSuite) else list(xml)
    assert len(suites) == 1
    return suites[0]


def results(suite: Any) -> list[tuple[str, str, list[tuple[str, str | None, str | None]]]]:
    """(classname, name, [(result kind, message, type)]) of each test case."""
    return [(case.classname, case.name, [(type(r).__name__, r.message, r.type) for r in case.result]) for case in suite]


class StubbornEngine(FakeEngine):
    """Ignores target prefixes, as a model might that refuses the constraint: the glossary term stays missing."""

    def translate(self, sentences, *, num_hypotheses=1, target_prefixes=None, return_attention=False, **options):
        return super().translate(sentences, num_hypotheses=num_hypotheses, return_attention=return_attention, **options)


def test_passing_run_reads_back_with_junitparser(tmp_path: Path) -> None:
    report = evaluate(CORPUS / "manifest.yaml", Settings.from_env(use_cache=False), engine=FakeEngine(), bootstrap=0)
    gates = check_gates(report_scores(report), min_term_accuracy=100, max_violations=0)
    path = tmp_path / "report.xml"
    path.write_text(render_junit(report, gates), encoding="utf-8")
    suite = read_junit(path)
    assert (suite.name, suite.tests, suite.failures, suite.errors, suite.skipped) == ("glossator-evaluate", 3, 0, 0, 0)
    assert results(suite) == [
        ("glossator.documents", "iraq-troops", []),
        ("glossator.gates", "--min-term-accuracy", []),
        ("glossator.gates", "--max-violations", []),
    ]
    assert all(case.is_passed for case in suite)
    assert {p.name: p.value for p in suite.properties()}["model"] == "fake@1.0"


def test_failing_run_reads_back_with_junitparser(tmp_path: Path) -> None:
    (tmp_path / "de.txt").write_text("Die Terrormiliz griff Bagdad an.\n", encoding="utf-8")
    (tmp_path / "en.txt").write_text("The terrorist militia attacked Baghdad.\n", encoding="utf-8")
    (tmp_path / "glossary.yaml").write_text((CORPUS / "glossary.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    manifest = tmp_path / "manifest.yaml"
    manifest.write_text(
        "version: 1\nglossary: glossary.yaml\ndocuments:\n"
        "  - id: attack\n    source: de.txt\n    references: [en.txt]\n",
        encoding="utf-8",
    )
    engine = StubbornEngine({"Die Terrormiliz griff Bagdad an.": "The group attacked Baghdad."})
    report = evaluate(manifest, Settings.from_env(use_cache=False), engine=engine, bootstrap=0)
    gates = check_gates(report_scores(report), min_bleu=99, min_term_accuracy=100, max_violations=0)
    path = tmp_path / "report.xml"
    path.write_text(render_junit(report, gates), encoding="utf-8")
    suite = read_junit(path)
    assert (suite.tests, suite.failures, suite.errors, suite.skipped) == (4, 4, 0, 0)
    violation = ("Failure", "1 glossary violation(s)", "GlossaryViolation")
    assert results(suite) == [
        ("glossator.documents", "attack", [violation]),
        *[("glossator.gates", g["name"], [("Failure", g["message"], "QualityGate")]) for g in gates],
    ]
    assert [g["name"] for g in gates] == ["--min-bleu", "--min-term-accuracy", "--max-violations"]
    assert "is below --min-bleu 99" in gates[0]["message"]
    # The failure's text is the document's term counts, as JSON.
    document = next(iter(suite))
    assert json.loads(document.result[0].text) == report["documents"][0]["terms"]
    assert report["documents"][0]["terms"]["missing"] == 1


@pytest.mark.slow
def test_evaluate_writes_junit_that_junitparser_reads_when_a_gate_fails(tmp_path: Path) -> None:
    """The CLI path (real test model): the report is written before exit 7, one gate failed, the others passed."""
    install_package(TEST_MODEL_DIR / "de_en_glossator_test.argosmodel", Settings.from_env())
    result = run(
        "evaluate", CORPUS / "manifest.yaml", "-f", "junit", "-f", "json", "-o", tmp_path, "--bootstrap", "0",
        "--min-bleu", "99", "--min-term-accuracy", "100", "--max-violations", "0",
    )  # fmt: skip
    assert result.exit_code == 7, result.output
    gates = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))["gates"]
    suite = read_junit(tmp_path / "report.xml")
    assert (suite.tests, suite.failures, suite.errors, suite.skipped) == (4, 1, 0, 0)
    assert results(suite) == [
        ("glossator.documents", "iraq-troops", []),
        ("glossator.gates", "--min-bleu", [("Failure", gates[0]["message"], "QualityGate")]),
        ("glossator.gates", "--min-term-accuracy", []),
        ("glossator.gates", "--max-violations", []),
    ]
    assert gates[0]["message"].startswith("BLEU ") and gates[0]["message"].endswith(" is below --min-bleu 99")
    assert gates[0]["message"] in result.stderr
