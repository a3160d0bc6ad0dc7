"""The JUnit report validates against the schemas CI servers use (Jenkins xUnit's junit-10.xsd and the windyroad
JUnit.xsd of Apache Ant's format), read from ../shared/data/standards as its README asks (not copied here)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakes import FakeEngine
from paths import CORPUS

from glossator.common.settings import Settings
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
