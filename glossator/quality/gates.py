"""Quality gates: the one implementation behind ``score`` and ``evaluate``'s --min-*/--max-* options.

A gate reads a score dict of :meth:`ScoreReport.to_dict`'s shape (``metrics`` by name, ``term_accuracy``), so
``glossator score`` and ``glossator evaluate`` apply the same rules with the same meaning. In particular
``--max-violations`` counts term occurrences whose check is not ok — target missing, or a forbidden rendering
present — in both commands; ``evaluate``, which translates, also counts terms whose sentence enforcement
reported ``damaged`` (``term_accuracy.damaged``).
"""

from __future__ import annotations

from typing import Any


def report_scores(report: dict[str, Any]) -> dict[str, Any]:
    """The scores an evaluate report is gated on: the corpus's, or (documents scored against different numbers
    of references) the first document's metrics with the violations of all documents."""
    if report.get("corpus"):
        return dict(report["corpus"])
    scores = dict(report["documents"][0]["scores"])
    if scores.get("term_accuracy") is not None:
        total = sum((d["scores"].get("term_accuracy") or {}).get("violations", 0) for d in report["documents"])
        scores["term_accuracy"] = {**scores["term_accuracy"], "violations": total}
    return scores


def _gate(flag: str, passed: bool, message: str) -> dict[str, Any]:
    return {"name": flag, "passed": passed, "message": message}


def check_gates(
    scores: dict[str, Any],
    *,
    min_bleu: float | None = None,
    min_chrf: float | None = None,
    max_ter: float | None = None,
    min_term_accuracy: float | None = None,
    max_violations: int | None = None,
) -> list[dict[str, Any]]:
    """One result (``name``, ``passed``, ``message``) per requested threshold, in a fixed order."""
    gates = []
    for name, threshold, flag in (("BLEU", min_bleu, "--min-bleu"), ("chrF++", min_chrf, "--min-chrf")):
        if threshold is not None:
            value = scores["metrics"][name]["score"]
            ok = value >= threshold
            gates.append(_gate(flag, ok, f"{name} {value:.2f} {'≥' if ok else 'is below'} {flag} {threshold:g}"))
    if max_ter is not None:
        value = scores["metrics"]["TER"]["score"]
        ok = value <= max_ter
        gates.append(_gate("--max-ter", ok, f"TER {value:.2f} {'≤' if ok else 'is above'} --max-ter {max_ter:g}"))
    acc = scores.get("term_accuracy")
    if min_term_accuracy is not None and acc and acc["exact"] is not None:
        value = 100 * acc["exact"]
        ok = value >= min_term_accuracy
        gates.append(
            _gate(
                "--min-term-accuracy",
                ok,
                f"term accuracy {value:.1f}% {'≥' if ok else 'is below'} --min-term-accuracy {min_term_accuracy:g}",
            )
        )
    if max_violations is not None and acc is not None:
        violations = int(acc.get("violations", 0))
        ok = violations <= max_violations
        gates.append(
            _gate(
                "--max-violations",
                ok,
                f"{violations} term violation{'' if violations == 1 else 's'} {'≤' if ok else 'exceed'} "
                f"--max-violations {max_violations}",
            )
        )
    return gates
