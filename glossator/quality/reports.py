"""Report writers for ``glossator evaluate``: terminal table, JSON, Markdown (CI job summary), JUnit XML."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

from glossator.quality.gates import check_gates, report_scores
from glossator.quality.rows import HEADER, summary_rows

__all__ = ["EXTENSIONS", "FORMATS", "RENDERERS", "check_gates", "report_scores"]

FORMATS = ("table", "json", "markdown", "junit", "html")
EXTENSIONS = {"table": "txt", "json": "json", "markdown": "md", "junit": "xml", "html": "html"}


def render_table(report: dict[str, Any], gates: list[dict[str, Any]] | None = None) -> str:
    rows = [HEADER, *summary_rows(report)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(HEADER))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.append(f"model {report['model']} · glossary {str(report['glossary_digest'] or 'none')[:12]}")
    if report.get("model_warning"):
        lines.append(f"warning: {report['model_warning']}")
    for gate in gates or []:
        lines.append(f"{'PASS' if gate['passed'] else 'FAIL'} {gate['message']}")
    return "\n".join(lines) + "\n"


def render_json(report: dict[str, Any], gates: list[dict[str, Any]] | None = None) -> str:
    return json.dumps({**report, "gates": gates or []}, ensure_ascii=False, indent=2) + "\n"


def render_markdown(report: dict[str, Any], gates: list[dict[str, Any]] | None = None) -> str:
    out = [
        "## Glossator quality report",
        "",
        f"Model `{report['model']}` · glossary `{str(report['glossary_digest'] or 'none')[:12]}` · "
        f"Glossator {report['glossator_version']}",
        "",
        *([f"> ⚠️ {report['model_warning']}", ""] if report.get("model_warning") else []),
        "| " + " | ".join(HEADER) + " |",
        "|" + "---|" * len(HEADER),
    ]
    out += ["| " + " | ".join(row) + " |" for row in summary_rows(report)]
    if gates:
        out += ["", "| gate | result |", "|---|---|"]
        out += [f"| {g['message']} | {'✅ pass' if g['passed'] else '❌ fail'} |" for g in gates]
    if report.get("baseline"):
        out += ["", "| document | metric | baseline | now | p | significant drop |", "|---|---|---|---|---|---|"]
        out += [
            f"| {c['document']} | {c['metric']} | {c['baseline']:.2f} | {c['candidate']:.2f} | "
            f"{c['p_value']:.3f} | {'yes' if c['significant_drop'] else 'no'} |"
            for c in report["baseline"]
        ]
    first = report["documents"][0]["scores"]["metrics"]["BLEU"]["signature"] if report["documents"] else ""
    out += ["", f"<sub>{first}</sub>", ""]
    return "\n".join(out)


def render_junit(report: dict[str, Any], gates: list[dict[str, Any]] | None = None) -> str:
    """One ``<testsuite>``: a test case per document (fails on glossary violations) and per gate.

    Valid against both JUnit schemas CI servers use (Jenkins xUnit's junit-10.xsd and the widely copied
    windyroad JUnit.xsd, both in ../shared/data/standards; tests/evaluate/test_junit.py validates): every required
    attribute (errors, skipped, time, timestamp, hostname), ``properties`` first, ``system-out``/``system-err`` last.
    """
    import datetime
    import socket

    created = str(report.get("created") or datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"))
    # xs:dateTime without a zone designator (windyroad's pattern): UTC, as the report's own timestamp says.
    timestamp = created.replace("+00:00", "").replace("Z", "")[:19]
    suite = ET.Element("testsuite", name="glossator-evaluate")
    properties = ET.SubElement(suite, "properties")
    for name in ("model", "model_warning", "glossary_digest", "glossator_version"):
        if report.get(name):
            ET.SubElement(properties, "property", name=name, value=str(report[name]))
    cases = failures = 0
    for doc in report["documents"]:
        case = ET.SubElement(suite, "testcase", classname="glossator.documents", name=doc["id"], time="0")
        cases += 1
        if doc["violations"]:
            failures += 1
            failure = ET.SubElement(
                case, "failure", message=f"{doc['violations']} glossary violation(s)", type="GlossaryViolation"
            )
            failure.text = json.dumps(doc["terms"])
    for gate in gates or []:
        case = ET.SubElement(suite, "testcase", classname="glossator.gates", name=gate["name"], time="0")
        cases += 1
        if not gate["passed"]:
            failures += 1
            ET.SubElement(case, "failure", message=gate["message"], type="QualityGate")
    ET.SubElement(suite, "system-out").text = report.get("model_warning") or ""
    ET.SubElement(suite, "system-err")
    for name, value in (
        ("tests", cases),
        ("failures", failures),
        ("errors", 0),
        ("skipped", 0),
        ("time", report.get("seconds", 0)),
        ("timestamp", timestamp),
        ("hostname", socket.gethostname() or "localhost"),
    ):
        suite.set(name, str(value))
    return ET.tostring(suite, encoding="unicode", xml_declaration=True) + "\n"


def render_html(report: dict[str, Any], gates: list[dict[str, Any]] | None = None) -> str:
    from glossator.quality.html_report import render_html as render

    return render(report, gates)


RENDERERS = {
    "table": render_table,
    "json": render_json,
    "markdown": render_markdown,
    "junit": render_junit,
    "html": render_html,
}
