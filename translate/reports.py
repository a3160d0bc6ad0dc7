"""Report writers for ``glossator evaluate``: terminal table, JSON, Markdown (CI job summary), JUnit XML."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

FORMATS = ("table", "json", "markdown", "junit", "html")
EXTENSIONS = {"table": "txt", "json": "json", "markdown": "md", "junit": "xml", "html": "html"}


def _metric(scores: dict[str, Any], name: str) -> str:
    metric = scores["metrics"][name]
    ci = metric.get("ci95")
    return f"{metric['score']:.2f}" + (f" [{ci[0]:.2f}, {ci[1]:.2f}]" if ci else "")


def _term(scores: dict[str, Any]) -> str:
    acc = scores.get("term_accuracy")
    return "n/a" if not acc or acc["exact"] is None else f"{100 * acc['exact']:.1f}%"


def _rows(report: dict[str, Any]) -> list[list[str]]:
    rows = []
    for doc in report["documents"]:
        s = doc["scores"]
        rows.append(
            [
                doc["id"],
                str(doc["segments"]),
                _metric(s, "BLEU"),
                _metric(s, "chrF++"),
                _metric(s, "TER"),
                _term(s),
                str(doc["violations"]),
            ]
        )
    if report.get("corpus"):
        s = report["corpus"]
        rows.append(
            [
                "(all)",
                str(s["segments"]),
                _metric(s, "BLEU"),
                _metric(s, "chrF++"),
                _metric(s, "TER"),
                _term(s),
                str(sum(d["violations"] for d in report["documents"])),
            ]
        )
    return rows


HEADER = ["document", "segments", "BLEU", "chrF++", "TER", "terms", "violations"]


def render_table(report: dict[str, Any], gates: list[dict[str, Any]] | None = None) -> str:
    rows = [HEADER, *_rows(report)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(HEADER))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.append(f"model {report['model']} · glossary {str(report['glossary_digest'] or 'none')[:12]}")
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
        "| " + " | ".join(HEADER) + " |",
        "|" + "---|" * len(HEADER),
    ]
    out += ["| " + " | ".join(row) + " |" for row in _rows(report)]
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
    suite = ET.Element("testsuite", name="glossator-evaluate")
    cases = 0
    failures = 0
    for doc in report["documents"]:
        case = ET.SubElement(suite, "testcase", classname="glossator.documents", name=doc["id"])
        cases += 1
        if doc["violations"]:
            failures += 1
            ET.SubElement(case, "failure", message=f"{doc['violations']} glossary violation(s)").text = json.dumps(
                doc["terms"]
            )
    for gate in gates or []:
        case = ET.SubElement(suite, "testcase", classname="glossator.gates", name=gate["name"])
        cases += 1
        if not gate["passed"]:
            failures += 1
            ET.SubElement(case, "failure", message=gate["message"])
    suite.set("tests", str(cases))
    suite.set("failures", str(failures))
    return ET.tostring(suite, encoding="unicode", xml_declaration=True) + "\n"


def render_html(report: dict[str, Any], gates: list[dict[str, Any]] | None = None) -> str:
    from translate.html_report import render_html as render

    return render(report, gates)


RENDERERS = {
    "table": render_table,
    "json": render_json,
    "markdown": render_markdown,
    "junit": render_junit,
    "html": render_html,
}


def check_gates(
    report: dict[str, Any],
    *,
    min_bleu: float | None = None,
    min_chrf: float | None = None,
    min_term_accuracy: float | None = None,
    max_violations: int | None = None,
) -> list[dict[str, Any]]:
    """One gate result per requested threshold, on the corpus scores (or the only document's)."""
    scores = report.get("corpus") or report["documents"][0]["scores"]
    violations = sum(d["violations"] for d in report["documents"])
    gates = []
    for name, threshold, flag in (("BLEU", min_bleu, "--min-bleu"), ("chrF++", min_chrf, "--min-chrf")):
        if threshold is not None:
            value = scores["metrics"][name]["score"]
            gates.append(
                {
                    "name": flag,
                    "passed": value >= threshold,
                    "message": f"{name} {value:.2f} {'≥' if value >= threshold else 'is below'} {flag} {threshold:g}",
                }
            )
    acc = scores.get("term_accuracy")
    if min_term_accuracy is not None and acc and acc["exact"] is not None:
        value = 100 * acc["exact"]
        gates.append(
            {
                "name": "--min-term-accuracy",
                "passed": value >= min_term_accuracy,
                "message": f"term accuracy {value:.1f}% {'≥' if value >= min_term_accuracy else 'is below'} "
                f"--min-term-accuracy {min_term_accuracy:g}",
            }
        )
    if max_violations is not None:
        gates.append(
            {
                "name": "--max-violations",
                "passed": violations <= max_violations,
                "message": f"{violations} violation(s) {'≤' if violations <= max_violations else 'exceed'} "
                f"--max-violations {max_violations}",
            }
        )
    return gates
