"""Self-contained HTML quality report for ``glossator evaluate --format html``.

One file, no external requests: inline CSS, inline SVG charts, a few lines of optional script (segment
filters). It reads the same report dict as the other writers (see :mod:`glossator.quality.evaluate`), so it shows
what the JSON holds: scores with confidence intervals, gates, baseline p-values, per-term accuracy, scores
per WMT document id, and every segment side by side (source, output, references) with glossary terms
highlighted on both sides and violations in red. Everything from the report is HTML-escaped. Opening the
file with ``#violations`` at the end of its address shows only the segments with violations.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from html import escape
from typing import Any

METRICS = ("BLEU", "chrF++", "TER")
COLORS = {"BLEU": "#3b6ea8", "chrF++": "#4f9d69", "TER": "#b7793a"}
STATUS_COLORS = {
    "ok": "#4f9d69",
    "enforced": "#3b6ea8",
    "damaged": "#b7793a",
    "missing": "#c62828",
    "forbidden": "#8e0000",
}
VIOLATIONS = ("damaged", "missing", "forbidden")

CSS = """
:root { --red: #c62828; --red-bg: #fdecea; --ok: #4f9d69; --muted: #666; --line: #ddd; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #222; background: #fafafa; }
header { background: #1f2d3d; color: #fff; padding: 16px 24px; }
header h1 { margin: 0 0 4px; font-size: 20px; }
header .meta { color: #c9d3de; font-size: 12px; }
main { padding: 16px 24px; max-width: 1500px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 12px 16px; margin: 0 0 16px;
  overflow-x: auto; }
h2 { font-size: 16px; margin: 0 0 8px; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f2f4f7; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.summary td.num { white-space: normal; }
table.summary td:first-child { overflow-wrap: anywhere; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; }
.pass { background: #e3f3e8; color: #1b5e20; }
.fail { background: var(--red-bg); color: var(--red); }
.charts { display: flex; flex-wrap: wrap; gap: 16px 40px; align-items: flex-start; }
.chart { flex: 0 1 560px; min-width: 0; }
.chart svg { display: block; max-width: 100%; height: auto; }
mark.term { background: #e3f3e8; border-bottom: 2px solid var(--ok); padding: 0 1px; }
mark.term.enforced { background: #e3ecf7; border-bottom-color: #3b6ea8; }
mark.term.damaged { background: #f8eedf; color: #7a4a12; border-bottom: 2px dashed #b7793a; }
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
    verdict = {
        "ok": "target present",
        "enforced": "enforced",
        "damaged": "enforced, sentence damaged",
        "missing": "target missing",
        "forbidden": "forbidden",
    }
    title = f"{term['source']} → {term['english']}: {verdict.get(term['status'], term['status'])}"
    if term.get("forbidden_found"):
        title += f" (found {', '.join(term['forbidden_found'])})"
    if term.get("damage"):
        title += f" ({'; '.join(term['damage'])})"
    return title


def _row_html(number: int, row: dict[str, Any]) -> str:
    terms = row.get("terms", [])
    bad = [t for t in terms if t["status"] in VIOLATIONS]
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


# --- Charts -------------------------------------------------------------------------------------------------
# Every chart is an inline SVG drawn at a fixed pixel size (CHART_W wide; its width and height attributes
# equal its viewBox), so at any window of at least about 640 px its text renders at exactly FONT px: CSS never
# stretches it (``height: auto`` keeps the aspect ratio; a narrower window scales the whole chart down
# evenly). Each chart has an x and a y axis with tick labels and axis titles, all in the page's font at one size.

CHART_W = 560
FONT = 12
AXIS = "#444"
GRID = "#e4e4e4"


def _text_width(text: str, size: float = FONT) -> float:
    """A generous estimate of *text*'s width in px in a sans-serif font (DejaVu Sans is among the widest)."""
    em = 0.0
    for ch in text:
        if unicodedata.east_asian_width(ch) in "WF" or ch in "MWmw@%":
            em += 1.0
        elif ch.isupper():
            em += 0.8
        elif ch in "fijlrt.,:;'|!()[] -":
            em += 0.45
        else:
            em += 0.66
    return em * size


def _fit(text: str, width: float) -> str:
    """*text*, shortened with an ellipsis until its estimated width is at most *width* px."""
    if _text_width(text) <= width:
        return text
    while text and _text_width(text + "…") > width:
        text = text[:-1]
    return text + "…"


def _nice_ticks(top: float, most: int = 6) -> list[int]:
    """0 and evenly spaced whole numbers (steps of 1, 2 or 5 times a power of ten), at most *most*, up to >= *top*."""
    top = max(math.ceil(top), 1)
    power = 1
    while True:
        for factor in (1, 2, 5):
            step = power * factor
            if math.ceil(top / step) <= most - 1:
                return list(range(0, math.ceil(top / step) * step + 1, step))
        power *= 10


def _svg(width: float, height: float, label: str, body: Sequence[str]) -> str:
    return (
        f'<svg class="plot" width="{width:g}" height="{height:g}" viewBox="0 0 {width:g} {height:g}" '
        f'font-size="{FONT}" fill="#222" role="img" aria-label="{escape(label)}">{"".join(body)}</svg>'
    )


def _text(x: float, y: float, text: str, css: str, anchor: str = "start", extra: str = "") -> str:
    return f'<text class="{css}" x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{extra}>{escape(text)}</text>'


def _x_axis(left: float, width: float, base: float, ticks: Sequence[float], top: float, title: str) -> list[str]:
    """Grid lines from *top* down to *base*, the x axis's tick marks, tick labels and title (not its line)."""
    out = []
    for tick in ticks:
        x = left + width * tick / ticks[-1]
        out.append(f'<line class="grid" x1="{x:.1f}" y1="{top:.1f}" x2="{x:.1f}" y2="{base:.1f}" stroke="{GRID}"/>')
        out.append(f'<line x1="{x:.1f}" y1="{base:.1f}" x2="{x:.1f}" y2="{base + 4:.1f}" stroke="{AXIS}"/>')
        out.append(_text(x, base + 17, f"{tick:g}", "tick-x", "middle"))
    out.append(_text(left + width / 2, base + 36, title, "axis-title", "middle", ' fill="#555"'))
    return out


def _axes(left: float, width: float, top: float, base: float) -> str:
    """The two axis lines, drawn last so that no bar covers them."""
    return (
        f'<line class="axis x" x1="{left:.1f}" y1="{base:.1f}" x2="{left + width:.1f}" y2="{base:.1f}" '
        f'stroke="{AXIS}" shape-rendering="crispEdges"/>'
        f'<line class="axis y" x1="{left:.1f}" y1="{top:.1f}" x2="{left:.1f}" y2="{base:.1f}" stroke="{AXIS}" '
        'shape-rendering="crispEdges"/>'
    )


def _category_label(x: float, y: float, name: str, width: float) -> str:
    """A y-axis tick label (a document id), shortened to fit *width*, with the full id as its tooltip."""
    shown = _fit(name, width)
    title = f"<title>{escape(name)}</title>" if shown != name else ""
    return f'<text class="tick-y" x="{x:.1f}" y="{y:.1f}" text-anchor="end">{title}{escape(shown)}</text>'


def _score_chart(report: dict[str, Any]) -> str:
    """Horizontal bars per document and metric (0 to 100), with the 95% interval as a whisker."""
    groups = [(d["id"], d["scores"]) for d in report["documents"]]
    if report.get("corpus") and len(groups) > 1:
        groups.append(("all documents", report["corpus"]))
    head = "<h2>Scores</h2>"
    if not groups:
        return f'<div class="chart">{head}<p>No documents to score.</p></div>'
    left, right, top, bar_h, row_h, gap = 150, 100, 10, 14, 18, 14
    plot_w = CHART_W - left - right
    base = top + len(groups) * (len(METRICS) * row_h + gap)
    height = base + 44
    parts = _x_axis(left, plot_w, base, range(0, 101, 20), top, "score (0 to 100)")
    y = top + gap / 2
    for name, scores in groups:
        parts.append(_category_label(left - 8, y + row_h + bar_h / 2 + 4, name, left - 12))
        for metric in METRICS:
            m = scores["metrics"][metric]
            value = m.get("score")
            width = plot_w * max(0.0, min(value or 0.0, 100.0)) / 100
            label = f"{metric} {_num(value, 1)}"
            parts.append(
                f'<rect class="bar" data-metric="{metric}" x="{left}" y="{y:.1f}" width="{width:.1f}" '
                f'height="{bar_h}" fill="{COLORS[metric]}"><title>{metric} {_num(value)}</title></rect>'
            )
            text_x = left + width + 4
            if m.get("ci95"):
                lo, hi = (left + plot_w * max(0.0, min(v, 100.0)) / 100 for v in m["ci95"])
                mid = y + bar_h / 2
                parts.append(f'<line x1="{lo:.1f}" y1="{mid:.1f}" x2="{hi:.1f}" y2="{mid:.1f}" stroke="#222"/>')
                text_x = max(text_x, hi + 4)
            parts.append(_text(text_x, y + bar_h / 2 + 4, label, "value"))
            y += row_h
        y += gap
    parts.append(_axes(left, plot_w, top, base))
    legend = "".join(f'<span><i style="background:{c}"></i>{m}</span>' for m, c in COLORS.items())
    note = "Bars: corpus score; whisker: 95% bootstrap interval. TER: lower is better."
    svg = _svg(CHART_W, height, "Scores by document", parts)
    return f'<div class="chart">{head}<div class="legend">{legend}</div>{svg}<p class="sig">{note}</p></div>'


def _terms_chart(report: dict[str, Any]) -> str:
    """One stacked bar per document: term occurrences that were ok, enforced, damaged, missing, forbidden."""
    docs = [d for d in report["documents"] if sum(d["terms"].values())]
    if not docs:
        return '<div class="chart"><h2>Glossary terms</h2><p>No glossary terms in these documents.</p></div>'
    left, right, top, bar_h, row_h = 150, 24, 10, 18, 28
    plot_w = CHART_W - left - right
    ticks = _nice_ticks(max(sum(d["terms"].values()) for d in docs))
    base = top + len(docs) * row_h
    parts = _x_axis(left, plot_w, base, ticks, top, "glossary term occurrences")
    for i, doc in enumerate(docs):
        y = top + i * row_h + (row_h - bar_h) / 2
        parts.append(_category_label(left - 8, y + bar_h / 2 + 4, doc["id"], left - 12))
        x = float(left)
        for status, color in STATUS_COLORS.items():
            count = doc["terms"].get(status, 0)
            if count:
                width = plot_w * count / ticks[-1]
                parts.append(
                    f'<rect class="term-bar" data-status="{status}" x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" '
                    f'height="{bar_h}" fill="{color}"><title>{status}: {count}</title></rect>'
                )
                if width >= _text_width(str(count)) + 6:
                    parts.append(_text(x + width / 2, y + bar_h / 2 + 4, str(count), "value", "middle", ' fill="#fff"'))
                x += width
    parts.append(_axes(left, plot_w, top, base))
    legend = "".join(f'<span><i style="background:{c}"></i>{s}</span>' for s, c in STATUS_COLORS.items())
    svg = _svg(CHART_W, base + 44, "Glossary terms by document", parts)
    return f'<div class="chart"><h2>Glossary terms</h2><div class="legend">{legend}</div>{svg}</div>'


def _histogram(report: dict[str, Any]) -> str:
    """Distribution of segment chrF++ over all documents, in bins of 10, with the segment count on each bar."""
    values = [r["scores"]["chrF++"] for d in report["documents"] for r in d["rows"] if r.get("scores")]
    head = f"<h2>Segment chrF++ ({len(values)} segment{'' if len(values) == 1 else 's'})</h2>"
    if not values:
        return f'<div class="chart">{head}<p>No scored segments.</p></div>'
    bins = [0] * 10
    for v in values:
        bins[max(0, min(int(v // 10), 9))] += 1
    left, right, top, plot_h = 60, 16, 22, 180
    plot_w = CHART_W - left - right
    base = top + plot_h
    ticks = _nice_ticks(max(bins))
    parts = _x_axis(left, plot_w, base, range(0, 101, 10), top, "segment chrF++")
    for tick in ticks:
        y = base - plot_h * tick / ticks[-1]
        if tick:
            parts.append(
                f'<line class="grid" x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="{GRID}"/>'
            )
        parts.append(f'<line x1="{left - 4}" y1="{y:.1f}" x2="{left}" y2="{y:.1f}" stroke="{AXIS}"/>')
        parts.append(_text(left - 7, y + 4, str(tick), "tick-y", "end"))
    bin_w = plot_w / 10
    for i, count in enumerate(bins):
        bh = plot_h * count / ticks[-1]
        x = left + i * bin_w
        parts.append(
            f'<rect class="hist" x="{x + 2:.1f}" y="{base - bh:.1f}" width="{bin_w - 4:.1f}" height="{bh:.1f}" '
            f'fill="{COLORS["chrF++"]}"><title>{i * 10} to {i * 10 + 10}: {count} segments</title></rect>'
        )
        if count:
            parts.append(_text(x + bin_w / 2, base - bh - 4, str(count), "value", "middle"))
    parts.append(_axes(left, plot_w, top, base))
    mid = top + plot_h / 2
    turn = f' fill="#555" transform="rotate(-90 16 {mid:.1f})"'
    parts.append(_text(16, mid, "segments", "axis-title", "middle", turn))
    svg = _svg(CHART_W, base + 44, "Segment chrF++ histogram", parts)
    return f'<div class="chart">{head}{svg}</div>'


def _summary(report: dict[str, Any], gates: Sequence[dict[str, Any]]) -> str:
    from glossator.quality.rows import HEADER, summary_rows

    head = "".join(f'<th class="{"" if i == 0 else "num"}">{escape(h)}</th>' for i, h in enumerate(HEADER))
    # In a narrow window a score and its interval may wrap onto two lines; the interval itself never does.
    body = "".join(
        "<tr>"
        + "".join(
            f"<td>{escape(c)}</td>" if i == 0 else f'<td class="num">{escape(c).replace(", ", ",&nbsp;")}</td>'
            for i, c in enumerate(row)
        )
        + "</tr>"
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
    bad = sum(any(t["status"] in VIOLATIONS for t in row.get("terms", [])) for row in doc["rows"])
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
            '<span><mark class="term enforced">term</mark> enforced</span>'
            '<span><mark class="term damaged">term</mark> enforced, sentence damaged</span>'
            '<span><mark class="term missing">term</mark> target missing</span>'
            '<span><mark class="forbidden">rendering</mark> forbidden</span></p>'
            "</section>",
            *(_segments(doc, i) for i, doc in enumerate(report["documents"])),
            f"</main><script>{SCRIPT}</script></body></html>\n",
        ]
    )
