"""The summary rows every report writer shows (one per document, then the corpus): one home, so the table,
Markdown, JUnit and HTML reports cannot disagree."""

from __future__ import annotations

from typing import Any


def _metric(scores: dict[str, Any], name: str) -> str:
    metric = scores["metrics"][name]
    ci = metric.get("ci95")
    return f"{metric['score']:.2f}" + (f" [{ci[0]:.2f}, {ci[1]:.2f}]" if ci else "")


def _term(scores: dict[str, Any]) -> str:
    acc = scores.get("term_accuracy")
    return "n/a" if not acc or acc["exact"] is None else f"{100 * acc['exact']:.1f}%"


def summary_rows(report: dict[str, Any]) -> list[list[str]]:
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
