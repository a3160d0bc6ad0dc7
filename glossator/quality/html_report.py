"""Self-contained HTML quality report for ``glossator evaluate --format html``.

One file, no external requests: inline CSS, inline SVG charts, a few lines of optional script (segment
filters). It reads the same report dict as the other writers (see :mod:`glossator.quality.evaluate`), so it shows
what the JSON holds: scores with confidence intervals, gates, baseline p-values, per-term accuracy, scores
per WMT document id, and every segment side by side (source, output, references) with glossary terms
highlighted on both sides and violations in red. Everything from the report is HTML-escaped. Opening the
file with ``#violations`` at the end of its address shows only the segments with violations.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

METRICS = ("BLEU", "chrF++", "TER")
COLORS = {"BLEU": "#3b6ea8", "chrF++": "#4f9d69", "TER": "#b7793a"}
STATUS_COLORS = {"ok": "#4f9d69", "enforced": "#3b6ea8", "missing": "#c62828", "forbidden": "#8e0000"}

CSS = """
:root { --red: #c62828; --red-bg: #fdecea; --ok: #4f9d69; --muted: #666; --line: #ddd; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #222; background: #fafafa; }
header { background: #1f2d3d; color: #fff; padding: 16px 24px; }
header h1 { margin: 0 0 4px; font-size: 20px; }
header .meta { color: #c9d3de; font-size: 12px; }
main { padding: 16px 24px; max-width: 1500px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 12px 16px; margin: 0 0 16px; }
h2 { font-size: 16px; margin: 0 0 8px; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f2f4f7; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; }
.pass { background: #e3f3e8; color: #1b5e20; }
.fail { background: var(--red-bg); color: var(--red); }
.charts { display: flex; flex-wrap: wrap; gap: 16px; }
.chart { flex: 1 1 360px; }
.chart.wide { flex: 2 1 520px; }
.chart svg { width: 100%; height: auto; }
mark.term { background: #e3f3e8; border-bottom: 2px solid var(--ok); padding: 0 1px; }
mark.term.enforced { background: #e3ecf7; border-bottom-color: #3b6ea8; }
mark.term.missing, mark.forbidden { background: var(--red-bg); color: var(--red); border-bottom: 2px solid var(--red); }
mark.forbidden { text-decoration: line-through; }
table.segments td { width: 30%; }
table.segments td.n, table.segments td.num { width: auto; }
tr.violation td { background: var(--red-bg); }
tr.violation td.n { border-left: 4px solid var(--red); color: var(--red); font-weight: 600; }
.ref + .ref { border-top: 1px dashed var(--line); margin-top: 4px; padding-top: 4px; }
.docid { background: #f2f4f7; font-weight: 600; color: var(--muted); }
.filters { margin: 0 0 8px; color: var(--muted); }
.filters label { margin-right: 16px; }
.legend span { margin-right: 12px; font-size: 12px; }
.legend i { display: inline-block; width: 10px; height: 10px; margin-right: 4px; border-radius: 2px; }
.sig { font-size: 11px; color: var(--muted); word-break: break-all; }
"""

SCRIPT = """
(function () {
  var rows = Array.prototype.slice.call(document.querySelectorAll('tr.segment'));
  var onlyBad = document.getElementById('only-violations');
  var onlyTerms = document.getElementById('only-terms');
  var text = document.getElementById('segment-search');
  var shown = document.getElementById('shown');
  function apply() {
    var q = (text.value || '').toLowerCase(), n = 0;
    rows.forEach(function (row) {
      var keep = (!onlyBad.checked || row.classList.contains('violation')) &&
                 (!onlyTerms.checked || row.dataset.terms !== '0') &&
                 (!q || row.textContent.toLowerCase().indexOf(q) >= 0);
      row.style.display = keep ? '' : 'none';
      if (keep) { n += 1; }
    });
    shown.textContent = n + ' of ' + rows.length + ' segments shown';
  }
  if (location.hash === '#violations') { onlyBad.checked = true; }
  [onlyBad, onlyTerms].forEach(function (box) { box.addEventListener('change', apply); });
  text.addEventListener('input', apply);
  document.querySelector('.filters').hidden = false;
  apply();
})();
"""


def _num(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _highlight(text: str, spans: Sequence[tuple[int, int, str, str]]) -> str:
    """*text* escaped, with each non-overlapping ``(start, end, css_class, title)`` span in a ``<mark>``."""
    out, pos = [], 0
    for start, end, css, title in sorted(spans):
        if start < pos or end > len(text) or start >= end:
            continue
        out += [
            escape(text[pos:start]),
            f'<mark class="{css}" title="{escape(title)}">',
            escape(text[start:end]),
            "</mark>",
        ]
        pos = end
    out.append(escape(text[pos:]))
    return "".join(out)


def _term_title(term: dict[str, Any]) -> str:
    verdict = {"ok": "target present", "enforced": "enforced", "missing": "target missing", "forbidden": "forbidden"}
    title = f"{term['source']} → {term['english']}: {verdict.get(term['status'], term['status'])}"
    if term.get("forbidden_found"):
        title += f" (found {', '.join(term['forbidden_found'])})"
    return title


def _row_html(number: int, row: dict[str, Any]) -> str:
    terms = row.get("terms", [])
    bad = [t for t in terms if t["status"] in ("missing", "forbidden")]
    source_spans = [(t["start"], t["end"], f"term {t['status']}", _term_title(t)) for t in terms]
    output_spans = [
        (start, end, "forbidden" if kind == "forbidden" else f"term {t['status']}", _term_title(t))
        for t in terms
        for start, end, kind in t.get("output_spans", [])
    ]
    refs = "".join(f'<div class="ref">{escape(r)}</div>' for r in row["references"])
    chrf = row.get("scores", {}).get("chrF++")
    css = "segment violation" if bad else "segment"
    return (
        f'<tr class="{css}" data-terms="{len(terms)}" id="seg-{number}"><td class="n">{number}</td>'
        f'<td lang="de">{_highlight(row["source"], source_spans)}</td>'
        f'<td lang="en">{_highlight(row["output"], output_spans)}</td>'
        f'<td lang="en">{refs}</td><td class="num">{_num(chrf, 1)}</td></tr>'
    )


def _score_chart(report: dict[str, Any]) -> str:
    """Horizontal bars per document and metric (0 to 100), with the 95% interval as a whisker."""
    groups = [(d["id"], d["scores"]) for d in report["documents"]]
    if report.get("corpus") and len(groups) > 1:
        groups.append(("all documents", report["corpus"]))
    label_w, bar_w, row_h = 120, 340, 18
    height = 30 + len(groups) * (len(METRICS) * row_h + 12)
    parts = [f'<svg viewBox="0 0 {label_w + bar_w + 60} {height}" role="img" aria-label="Scores by document">']
    for tick in range(0, 101, 20):
        x = label_w + bar_w * tick / 100
        parts.append(f'<line x1="{x}" y1="18" x2="{x}" y2="{height}" stroke="#eee"/>')
        parts.append(f'<text x="{x}" y="12" font-size="10" text-anchor="middle" fill="#666">{tick}</text>')
    y = 24
    for name, scores in groups:
        parts.append(f'<text x="0" y="{y + 12}" font-size="12" font-weight="600">{escape(name[:22])}</text>')
        for metric in METRICS:
            m = scores["metrics"][metric]
            width = bar_w * max(0.0, min(m["score"], 100.0)) / 100
            parts.append(
                f'<rect class="bar" data-metric="{metric}" x="{label_w}" y="{y}" width="{width:.1f}" '
                f'height="{row_h - 3}" fill="{COLORS[metric]}"><title>{metric} {m["score"]:.2f}</title></rect>'
            )
            text_x = label_w + width + 4
            if m.get("ci95"):
                lo, hi = (label_w + bar_w * max(0.0, min(v, 100.0)) / 100 for v in m["ci95"])
                mid = y + (row_h - 3) / 2
                parts.append(f'<line x1="{lo:.1f}" y1="{mid}" x2="{hi:.1f}" y2="{mid}" stroke="#222"/>')
                text_x = max(text_x, hi + 4)
            parts.append(f'<text x="{text_x:.1f}" y="{y + 12}" font-size="11">{metric} {m["score"]:.1f}</text>')
            y += row_h
        y += 12
    parts.append("</svg>")
    legend = "".join(f'<span><i style="background:{c}"></i>{m}</span>' for m, c in COLORS.items())
    note = "Bars: corpus score; whisker: 95% bootstrap interval. TER: lower is better."
    svg = "".join(parts)
    head = f'<h2>Scores</h2><div class="legend">{legend}</div>'
    return f'<div class="chart wide">{head}{svg}<p class="sig">{note}</p></div>'


def _terms_chart(report: dict[str, Any]) -> str:
    """One stacked bar per document: term occurrences that were ok, enforced, missing, forbidden."""
    docs = [d for d in report["documents"] if sum(d["terms"].values())]
    if not docs:
        return '<div class="chart"><h2>Glossary terms</h2><p>No glossary terms in these documents.</p></div>'
    label_w, bar_w, row_h = 150, 380, 22
    height = 10 + len(docs) * row_h
    parts = [f'<svg viewBox="0 0 {label_w + bar_w + 10} {height}" role="img" aria-label="Glossary terms">']
    for i, doc in enumerate(docs):
        y = 5 + i * row_h
        total = sum(doc["terms"].values())
        parts.append(f'<text x="0" y="{y + 13}" font-size="12" font-weight="600">{escape(doc["id"][:22])}</text>')
        x = float(label_w)
        for status, color in STATUS_COLORS.items():
            count = doc["terms"].get(status, 0)
            if count:
                width = bar_w * count / total
                parts.append(
                    f'<rect class="term-bar" data-status="{status}" x="{x:.1f}" y="{y}" width="{width:.1f}" '
                    f'height="{row_h - 6}" fill="{color}"><title>{status}: {count}</title></rect>'
                )
                if width > 24:
                    parts.append(
                        f'<text x="{x + width / 2:.1f}" y="{y + 12}" font-size="10" fill="#fff" '
                        f'text-anchor="middle">{count}</text>'
                    )
                x += width
    parts.append("</svg>")
    legend = "".join(f'<span><i style="background:{c}"></i>{s}</span>' for s, c in STATUS_COLORS.items())
    return f'<div class="chart"><h2>Glossary terms</h2><div class="legend">{legend}</div>{"".join(parts)}</div>'


def _histogram(report: dict[str, Any]) -> str:
    """Distribution of segment chrF++ over all documents, in bins of 10."""
    values = [r["scores"]["chrF++"] for d in report["documents"] for r in d["rows"] if r.get("scores")]
    if not values:
        return ""
    bins = [0] * 10
    for v in values:
        bins[min(int(v // 10), 9)] += 1
    top = max(bins)
    w, h = 400, 160
    parts = [f'<svg viewBox="0 0 {w + 20} {h + 30}" role="img" aria-label="Segment chrF++ histogram">']
    for i, count in enumerate(bins):
        bh = (h - 10) * count / top if top else 0
        x = 10 + i * w / 10
        parts.append(
            f'<rect class="hist" x="{x + 2:.1f}" y="{h - bh:.1f}" width="{w / 10 - 4:.1f}" height="{bh:.1f}" '
            f'fill="{COLORS["chrF++"]}"><title>{i * 10} to {i * 10 + 10}: {count} segments</title></rect>'
        )
        parts.append(f'<text x="{x + w / 20:.1f}" y="{h + 14}" font-size="10" text-anchor="middle">{i * 10}</text>')
    parts.append("</svg>")
    return f'<div class="chart"><h2>Segment chrF++ ({len(values)} segments)</h2>{"".join(parts)}</div>'


def _summary(report: dict[str, Any], gates: Sequence[dict[str, Any]]) -> str:
    from glossator.quality.rows import HEADER, summary_rows

    head = "".join(f'<th class="{"" if i == 0 else "num"}">{escape(h)}</th>' for i, h in enumerate(HEADER))
    body = "".join(
        "<tr>" + "".join(f'<td class="{"" if i == 0 else "num"}">{escape(c)}</td>' for i, c in enumerate(row)) + "</tr>"
        for row in summary_rows(report)
    )
    out = [f'<section><h2>Summary</h2><table class="summary"><tr>{head}</tr>{body}</table>']
    if gates:
        out.append('<h2 style="margin-top:12px">Gates</h2><ul class="gates">')
        for g in gates:
            badge = '<span class="badge pass">pass</span>' if g["passed"] else '<span class="badge fail">fail</span>'
            out.append(f'<li class="gate {"pass" if g["passed"] else "fail"}">{badge} {escape(g["message"])}</li>')
        out.append("</ul>")
    if report["documents"]:
        sigs = report["documents"][0]["scores"]["metrics"]
        out.append("".join(f'<div class="sig">{escape(sigs[m]["signature"])}</div>' for m in METRICS))
    out.append("</section>")
    return "".join(out)


def _baseline(report: dict[str, Any]) -> str:
    rows = report.get("baseline")
    if not rows:
        return ""
    body = "".join(
        f'<tr class="{"violation" if c["significant_drop"] else ""}"><td>{escape(c["document"])}</td>'
        f'<td>{escape(c["metric"])}</td><td class="num">{c["baseline"]:.2f}</td>'
        f'<td class="num">{c["candidate"]:.2f}</td><td class="num">{c["p_value"]:.4f}</td>'
        f"<td>{'significant drop' if c['significant_drop'] else 'no significant drop'}</td></tr>"
        for c in rows
    )
    return (
        "<section><h2>Against the baseline (paired bootstrap resampling)</h2><table><tr><th>document</th>"
        '<th>metric</th><th class="num">baseline</th><th class="num">now</th><th class="num">p</th>'
        "<th>verdict</th></tr>"
        f"{body}</table></section>"
    )


def _term_table(report: dict[str, Any]) -> str:
    scores = report.get("corpus") or (report["documents"][0]["scores"] if report["documents"] else None)
    acc = scores.get("term_accuracy") if scores else None
    if not acc or not acc.get("terms"):
        return ""
    body = "".join(
        f'<tr class="{"violation" if t["exact_hits"] < t["occurrences"] or t["forbidden"] else ""}">'
        f'<td lang="de">{escape(t["source"])}</td><td>{escape(t["target"])}</td>'
        f'<td class="num">{t["occurrences"]}</td><td class="num">{t["exact_hits"]}</td>'
        f'<td class="num">{t["lemma_hits"]}</td><td class="num">{t["forbidden"]}</td></tr>'
        for t in sorted(acc["terms"], key=lambda t: (t["exact_hits"] - t["occurrences"] - t["forbidden"], t["source"]))
    )
    exact = "n/a" if acc["exact"] is None else f"{100 * acc['exact']:.1f}%"
    lemma = "n/a" if acc["lemma"] is None else f"{100 * acc['lemma']:.1f}%"
    return (
        f"<section><h2>Term accuracy: {exact} exact, {lemma} lemma-based</h2><table><tr><th>German</th>"
        '<th>English</th><th class="num">in source</th><th class="num">exact</th><th class="num">lemma</th>'
        f'<th class="num">forbidden</th></tr>{body}</table></section>'
    )


def _docid_table(doc: dict[str, Any]) -> str:
    groups = doc.get("by_docid")
    if not groups:
        return ""
    body = "".join(
        f'<tr><td>{escape(g["docid"])}</td><td class="num">{g["segments"]}</td>'
        + "".join(f'<td class="num">{g[m]:.2f}</td>' for m in METRICS)
        + f'<td class="num">{g["violations"]}</td></tr>'
        for g in sorted(groups, key=lambda g: g["chrF++"])
    )
    head = "".join(f'<th class="num">{m}</th>' for m in METRICS)
    return (
        f"<details><summary>{len(groups)} source documents by chrF++ (worst first)</summary><table><tr>"
        f'<th>document id</th><th class="num">segments</th>{head}<th class="num">violations</th></tr>{body}'
        "</table></details>"
    )


def _segments(doc: dict[str, Any], index: int) -> str:
    n_refs = len(doc["references"])
    rows, last_docid = [], None
    for number, row in enumerate(doc["rows"], start=1):
        if row.get("docid") and row["docid"] != last_docid:
            last_docid = row["docid"]
            rows.append(f'<tr class="docid"><td colspan="5">{escape(last_docid)}</td></tr>')
        rows.append(_row_html(number, row))
    bad = sum(any(t["status"] in ("missing", "forbidden") for t in row.get("terms", [])) for row in doc["rows"])
    return (
        f'<section class="document" id="doc-{index}"><h2>{escape(doc["id"])} — {doc["segments"]} segments, '
        f'{bad} with violations</h2>{_docid_table(doc)}<table class="segments"><tr><th>#</th><th>Source (de)</th>'
        f'<th>Output (en)</th><th>Reference{"s" if n_refs > 1 else ""} (en)</th><th class="num">chrF++</th></tr>'
        f"{''.join(rows)}</table></section>"
    )


def render_html(report: dict[str, Any], gates: list[dict[str, Any]] | None = None) -> str:
    """The whole report as one HTML document (UTF-8, no external resources)."""
    gates = gates or []
    failed = [g for g in gates if not g["passed"]] + [c for c in report.get("baseline") or [] if c["significant_drop"]]
    status = '<span class="badge fail">FAILED</span>' if failed else '<span class="badge pass">PASSED</span>'
    digest = str(report.get("glossary_digest") or "none")[:12]
    meta = (
        f"model {escape(str(report['model']))} · glossary {escape(str(report.get('glossary') or 'none'))} "
        f"({escape(digest)}) · Glossator {escape(str(report['glossator_version']))} · "
        f"{escape(str(report.get('created', '')))}"
    )
    if report.get("model_warning"):
        meta += f'<br><strong class="warning">⚠ {escape(str(report["model_warning"]))}</strong>'

    filters = (
        '<div class="filters" hidden><label><input type="checkbox" id="only-violations"> only segments with '
        'violations</label><label><input type="checkbox" id="only-terms"> only segments with glossary terms</label>'
        '<label>find <input type="search" id="segment-search"></label> <span id="shown"></span></div>'
    )
    return "".join(
        [
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>Glossator quality report — {escape(str(report['model']))}</title>",
            f"<style>{CSS}</style></head><body>",
            f'<header><h1>Glossator quality report {status}</h1><div class="meta">{meta}</div></header><main>',
            _summary(report, gates),
            _baseline(report),
            '<section><div class="charts">',
            _score_chart(report),
            _terms_chart(report),
            _histogram(report),
            "</div></section>",
            _term_table(report),
            f"<section><h2>Segments</h2>{filters}"
            '<p class="legend"><span><mark class="term">term</mark> target present</span>'
            '<span><mark class="term enforced">term</mark> enforced</span><span><mark class="term missing">term'
            '</mark> target missing</span><span><mark class="forbidden">rendering</mark> forbidden</span></p>'
            "</section>",
            *(_segments(doc, i) for i, doc in enumerate(report["documents"])),
            f"</main><script>{SCRIPT}</script></body></html>\n",
        ]
    )
