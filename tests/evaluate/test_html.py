"""The HTML report: structure, escaping, and rendering in a real headless Chromium (Debian's ``chromium``).

The browser tests need ``/usr/bin/chromium`` (``.ci/run`` installs it; locally ``apt-get install chromium``).
They fail, never skip, when it is missing: the report must be checked in a browser on every CI run.
"""

from __future__ import annotations

import itertools
import json
import math
import shutil
import subprocess
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from clirun import run
from fakes import FakeEngine
from paths import CORPUS, TEST_MODEL_DIR, WMT_EXCERPTS
from PIL import Image

from glossator.common.settings import Settings
from glossator.glossary.io import load_glossary
from glossator.glossary.match import TermMatcher
from glossator.models.packages import install_package
from glossator.quality.evaluate import evaluate, segment_terms
from glossator.quality.html_report import CHART_W, FONT, render_html
from glossator.quality.scoring import score

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]
DEFAULT_WINDOW = (1280, 1600)  # the default width the report is designed for
NARROW_WINDOW = (800, 2000)


def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.fail("Debian's chromium is needed for the HTML report test: apt-get install chromium")
    return path


def render_in_browser(
    page: Path, tmp_path: Path, fragment: str = "", window: tuple[int, int] = DEFAULT_WINDOW
) -> tuple[str, Image.Image]:
    """Load *page* in headless Chromium (fresh profile); return the DOM after scripts ran and a screenshot."""
    url = page.resolve().as_uri() + fragment
    base = [chromium(), *CHROMIUM_FLAGS, f"--window-size={window[0]},{window[1]}"]
    dom = subprocess.run(
        [*base, f"--user-data-dir={tmp_path / 'profile-dom'}", "--dump-dom", url],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    shot = tmp_path / "shot.png"
    subprocess.run(
        [*base, f"--user-data-dir={tmp_path / 'profile-shot'}", f"--screenshot={shot}", url],
        capture_output=True,
        timeout=120,
        check=True,
    )
    return dom, Image.open(shot).convert("RGB")


class Dom(HTMLParser):
    """Elements as (tag, attrs) plus the text of elements by id; enough to assert on a rendered page."""

    def __init__(self, html: str):
        super().__init__()
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.text_by_id: dict[str, str] = {}
        self._open: list[str | None] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = {k: v or "" for k, v in attrs}
        self.elements.append((tag, attributes))
        if tag not in ("input", "meta", "br", "line", "rect", "img"):
            self._open.append(attributes.get("id"))
            if attributes.get("id"):
                self.text_by_id[attributes["id"]] = ""

    def handle_endtag(self, tag):
        if self._open and tag not in ("input", "meta", "br", "line", "rect", "img"):
            self._open.pop()

    def handle_data(self, data):
        for element_id in self._open:
            if element_id:
                self.text_by_id[element_id] += data

    def having(self, tag: str, css: str = "", **attrs: str) -> list[dict[str, str]]:
        """Elements of *tag* with all classes in *css* and the given attribute values."""
        found = []
        for t, a in self.elements:
            classes = a.get("class", "").split()
            if t == tag and all(c in classes for c in css.split()) and all(a.get(k) == v for k, v in attrs.items()):
                found.append(a)
        return found


def violation_background(image: Image.Image) -> int:
    """Pixels painted in the violation background colour (#fdecea): rows, badges and legend swatches."""
    pixels = np.asarray(image, dtype=np.int16)
    return int((np.abs(pixels - (0xFD, 0xEC, 0xEA)).max(axis=2) <= 2).sum())


# Injected before </body>: measures every chart after layout and writes the numbers into the DOM as JSON, which
# --dump-dom then returns (no DevTools protocol needed).
MEASURE_SCRIPT = """
(function () {
  function box(el) { var r = el.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; }
  function all(root, css, f) { return Array.prototype.map.call(root.querySelectorAll(css), f); }
  var charts = all(document, 'svg.plot', function (svg) {
    return {
      label: svg.getAttribute('aria-label'),
      box: box(svg),
      axes: all(svg, 'line.axis', function (l) { return {cls: l.getAttribute('class'), box: box(l)}; }),
      rects: all(svg, 'rect', function (r) { return {fill: r.getAttribute('fill'), box: box(r)}; }),
      texts: all(svg, 'text', function (t) {
        var ctm = t.getScreenCTM(), style = getComputedStyle(t);
        return {cls: t.getAttribute('class'), text: t.textContent, box: box(t), family: style.fontFamily,
                px: parseFloat(style.fontSize) * Math.hypot(ctm.a, ctm.b), turned: Math.abs(ctm.b) > 0.5};
      })
    };
  });
  var out = document.createElement('pre');
  out.id = 'chart-measurements';
  out.textContent = JSON.stringify({
    viewport: document.documentElement.clientWidth, page_width: document.documentElement.scrollWidth,
    family: getComputedStyle(document.body).fontFamily, charts: charts});
  document.body.appendChild(out);
})();
"""


def measure_charts(page: Path, tmp_path: Path, window: tuple[int, int]) -> tuple[dict, Image.Image]:
    """*page* with MEASURE_SCRIPT added, loaded at *window*: the charts' measurements and a screenshot."""
    measured = tmp_path / f"measured-{window[0]}.html"
    html = page.read_text(encoding="utf-8")
    measured.write_text(html.replace("</body>", f"<script>{MEASURE_SCRIPT}</script></body>"), encoding="utf-8")
    dom_html, shot = render_in_browser(measured, tmp_path, window=window)
    return json.loads(Dom(dom_html).text_by_id["chart-measurements"]), shot


def overlap(a: list[float], b: list[float]) -> bool:
    """Whether two boxes (left, top, right, bottom) share more than a hairline."""
    return min(a[2], b[2]) - max(a[0], b[0]) > 0.5 and min(a[3], b[3]) - max(a[1], b[1]) > 0.5


def rgb(color: str) -> tuple[int, int, int]:
    return (int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16))


def assert_charts_readable(measurements: dict, shot: Image.Image, window: tuple[int, int], labels: set[str]) -> None:
    """The charts' contract at one window size, checked on the layout (DOM) and on the pixels (screenshot)."""
    assert shot.size == window
    assert measurements["viewport"] == window[0]
    assert measurements["page_width"] <= window[0]  # nothing makes the page scroll sideways
    charts = {c["label"]: c for c in measurements["charts"]}
    assert set(charts) == labels
    pixels = np.asarray(shot, dtype=np.int16)
    for label, chart in charts.items():
        left, top, right, bottom = chart["box"]
        # Drawn at its own pixel size, inside the window: never stretched, never cut off.
        assert right - left == pytest.approx(CHART_W, abs=0.5), label
        assert left >= 0 and right <= window[0] and bottom <= window[1], label
        texts = chart["texts"]
        for t in texts:
            # One font size and the page's font for all chart text, each label inside the chart.
            assert t["px"] == pytest.approx(FONT, abs=0.01), (label, t)
            assert t["family"] == measurements["family"], (label, t)
            tl, tt, tr, tb = t["box"]
            assert left - 0.5 <= tl and tr <= right + 0.5 and top - 0.5 <= tt and tb <= bottom + 0.5, (label, t)
            across = tr - tl if t["turned"] else tb - tt  # the line's height, whichever way it reads
            assert 10 <= across <= 20, (label, t)
        for i, a in enumerate(texts):
            for b in texts[i + 1 :]:
                assert not overlap(a["box"], b["box"]), (label, a, b)
        classes = [t["cls"] for t in texts]
        assert classes.count("tick-x") >= 2 and classes.count("tick-y") >= 1, label
        assert classes.count("axis-title") >= 1, label
        if label == "Segment chrF++ histogram":
            assert classes.count("tick-y") >= 2 and classes.count("axis-title") == 2
        # Pixels: both axis lines are painted where the DOM puts them, and every bar in its own colour.
        assert sorted(a["cls"] for a in chart["axes"]) == ["axis x", "axis y"], label
        for axis in chart["axes"]:
            al, at, ar, ab = (round(v) for v in axis["box"])
            band = pixels[max(at - 1, 0) : ab + 1, max(al - 1, 0) : ar + 1]
            along = 1 if axis["cls"] == "axis x" else 0  # the axis runs along columns (x) or rows (y)
            is_axis = (np.abs(band - rgb("#444444")).max(axis=2) <= 8).any(axis=1 - along)
            assert is_axis.mean() >= 0.9, (label, axis)
        painted = 0
        for rect in chart["rects"]:
            rl, rt, rr, rb = rect["box"]
            if rr - rl >= 5 and rb - rt >= 5:
                assert tuple(pixels[int(rt) + 2, int(rl) + 2]) == rgb(rect["fill"]), (label, rect)
                painted += 1
        assert painted, label
        # The chart area is not blank: a fair share of it is ink, not background.
        area = pixels[int(top) : int(bottom), int(left) : int(right)]
        assert (np.abs(area - 255).max(axis=2) > 40).mean() > 0.05, label


ALL_CHARTS = {"Scores by document", "Glossary terms by document", "Segment chrF++ histogram"}


def metrics(bleu: float, chrf: float, ter: float, ci: bool = True) -> dict:
    values = {"BLEU": bleu, "chrF++": chrf, "TER": ter}
    return {
        m: {"score": v, "ci95": [max(v - 3, 0.0), v + 3] if ci else None, "signature": f"{m}|synthetic"}
        for m, v in values.items()
    }


def synthetic_report(docs: list[tuple[str, list[float], dict[str, int]]]) -> dict:
    """A report dict as evaluate() writes it, for (id, segment chrF++ values, term status counts) per document."""
    documents = []
    for n, (doc_id, values, terms) in enumerate(docs):
        rows = [
            {"source": f"Satz {i}.", "output": f"Sentence {i}.", "references": [f"Sentence {i}."],
             "scores": {"BLEU": v, "chrF++": v, "TER": 100 - v}, "terms": []}
            for i, v in enumerate(values)
        ]  # fmt: skip
        documents.append(
            {
                "id": doc_id,
                "source": f"{doc_id}.de",
                "references": [f"{doc_id}.en"],
                "segments": len(values),
                "rows": rows,
                "terms": terms,
                "violations": terms.get("missing", 0) + terms.get("forbidden", 0),
                "scores": {
                    "segments": len(values),
                    "term_accuracy": None,
                    "metrics": metrics(100.0 * (n % 2), 50.0, 140.0 if n == 1 else 30.0),
                },
            }
        )
    total = sum(len(v) for _, v, _ in docs)
    corpus = {"segments": total, "term_accuracy": None, "metrics": metrics(40.0, 60.0, 50.0)} if docs else None
    return {
        "model": "synthetic",
        "glossator_version": "0",
        "created": "2026-01-01T00:00:00+00:00",
        "glossary": None,
        "glossary_digest": None,
        "corpus": corpus,
        "documents": documents,
    }


def crowded_report() -> dict:
    """Twelve documents with long and wide ids, 1,000 segments piled into one bin, uneven term counts."""
    ids = [
        "WWWWWWWWWWWWWWWWWWWWWWWWWWWW",
        "a-very-long-document-identifier-from-a-manifest",
        "nachrichten/2020/bundestag-haushaltsdebatte",
        "文書番号二〇二〇年の報告書",
        *(f"doc-{i}" for i in range(8)),
    ]
    docs = []
    for n, doc_id in enumerate(ids):
        values = [95.0] * 800 if n == 0 else [float((7 * i + n) % 101) for i in range(200 // 11 + (n <= 2))]
        terms = {"ok": 400, "enforced": 3, "missing": 1, "forbidden": 1} if n == 0 else {"ok": n, "missing": n % 3}
        docs.append((doc_id, values, terms))
    report = synthetic_report(docs)
    assert sum(len(d["rows"]) for d in report["documents"]) == 1000
    return report


@pytest.fixture
def model():
    install_package(TEST_MODEL_DIR / "de_en_glossator_test.argosmodel", Settings.from_env())


class StubbornEngine(FakeEngine):
    """An engine that ignores target prefixes, as a model might that refuses the constraint."""

    def translate(self, sentences, *, num_hypotheses=1, target_prefixes=None, return_attention=False, **options):
        return super().translate(sentences, num_hypotheses=num_hypotheses, return_attention=return_attention, **options)


def violation_manifest(tmp_path: Path) -> Path:
    (tmp_path / "de.txt").write_text(
        "Die Terrormiliz griff Bagdad an.\n\nDer Strategische Dialog <b>beginnt</b>.\n", encoding="utf-8"
    )
    (tmp_path / "en.txt").write_text(
        "The terrorist militia attacked Baghdad.\n\nThe Strategic Dialogue begins.\n", encoding="utf-8"
    )
    (tmp_path / "glossary.yaml").write_text((CORPUS / "glossary.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    path = tmp_path / "manifest.yaml"
    path.write_text(
        "version: 1\nglossary: glossary.yaml\ndocuments:\n"
        "  - id: attack\n    source: de.txt\n    references: [en.txt]\n",
        encoding="utf-8",
    )
    return path


def violation_report(tmp_path: Path) -> dict:
    engine = StubbornEngine(
        {
            "Die Terrormiliz griff Bagdad an.": "The group attacked Baghdad.",
            "Der Strategische Dialog <b>beginnt</b>.": "The Strategic Dialogue <b>begins</b>.",
        }
    )
    return evaluate(violation_manifest(tmp_path), Settings.from_env(), engine=engine, bootstrap=0)


@pytest.mark.browser
def test_corpus_report_renders_in_chromium(model, tmp_path):
    result = run(
        "evaluate", CORPUS / "manifest.yaml", "-f", "html", "-f", "json", "-o", tmp_path / "rep",
        "--bootstrap", "100", "--min-term-accuracy", "100",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    page = tmp_path / "rep" / "report.html"
    report = json.loads((tmp_path / "rep" / "report.json").read_text(encoding="utf-8"))
    dom_html, shot = render_in_browser(page, tmp_path)
    dom = Dom(dom_html)

    # The script ran: filters are shown and count the segments.
    assert dom.text_by_id["shown"] == "7 of 7 segments shown"
    assert "hidden" not in dom.having("div", "filters")[0]
    # Every term occurrence is highlighted in the source and in the output; none is a violation.
    occurrences = report["corpus"]["term_accuracy"]["occurrences"]
    assert occurrences == 27
    marks = [m for m in dom.having("mark", "term") if "title" in m]  # the legend's marks have no title
    assert len(marks) == 2 * occurrences  # 27 in the German, 27 in the English
    enforced = [m for m in marks if "enforced" in m["class"].split()]
    assert len(enforced) == 2 * report["documents"][0]["terms"]["enforced"]
    assert not dom.having("tr", "violation") and not [m for m in dom.having("mark", "forbidden") if "title" in m]
    # Charts: three metric bars, term status bars matching the counts, a histogram of the 7 segments.
    assert {b["data-metric"] for b in dom.having("rect", "bar")} == {"BLEU", "chrF++", "TER"}
    assert {b["data-status"] for b in dom.having("rect", "term-bar")} == {"ok", "enforced"}
    assert len(dom.having("tr", "segment")) == 7
    assert [g for g in dom.having("li", "gate pass")]
    # The screenshot is the page, not a blank or error page: the header bar's dark blue fills the top.
    assert shot.size == DEFAULT_WINDOW
    assert shot.getpixel((640, 5)) == (0x1F, 0x2D, 0x3D)
    assert violation_background(shot) < 5_000  # only the legend's small swatches
    # The charts are readable at the default width and in a narrow window.
    for window in (DEFAULT_WINDOW, NARROW_WINDOW):
        assert_charts_readable(*measure_charts(page, tmp_path, window), window, ALL_CHARTS)


@pytest.mark.browser
def test_crowded_charts_stay_readable_in_chromium(tmp_path):
    page = tmp_path / "crowded.html"
    page.write_text(render_html(crowded_report()), encoding="utf-8")
    for window in ((DEFAULT_WINDOW[0], 2400), (NARROW_WINDOW[0], 3200)):  # tall enough for every chart
        measurements, shot = measure_charts(page, tmp_path, window)
        assert_charts_readable(measurements, shot, window, ALL_CHARTS)
        # Long ids are shortened to fit beside the bars; the histogram's y axis reaches the 800 segments in one bin.
        terms = next(c for c in measurements["charts"] if c["label"] == "Glossary terms by document")
        assert len([t for t in terms["texts"] if t["cls"] == "tick-y"]) == 12
        histogram = next(c for c in measurements["charts"] if c["label"] == "Segment chrF++ histogram")
        y_ticks = [int(t["text"]) for t in histogram["texts"] if t["cls"] == "tick-y"]
        assert y_ticks[0] == 0 and y_ticks[-1] >= 800 and len(y_ticks) <= 6


@pytest.mark.browser
def test_violations_render_red_and_filter_in_chromium(tmp_path):
    report = violation_report(tmp_path)
    doc = report["documents"][0]
    assert doc["violations"] == 1 and doc["terms"]["missing"] == 1
    page = tmp_path / "report.html"
    page.write_text(
        render_html(report, [{"name": "--max-violations", "passed": False, "message": "1 violation"}]), encoding="utf-8"
    )

    dom_html, shot = render_in_browser(page, tmp_path)
    dom = Dom(dom_html)
    bad_rows = dom.having("tr", "segment violation")
    assert [r["id"] for r in bad_rows] == ["seg-1"]
    missing = [m for m in dom.having("mark", "term missing") if "title" in m]  # not the legend's
    assert len(missing) == 1 and missing[0]["title"] == "Terrormiliz → terrorist militia: target missing"
    assert dom.having("li", "gate fail") and dom.having("span", "badge fail")
    # The source's markup is shown as text, never interpreted.
    assert "&lt;b&gt;beginnt&lt;/b&gt;" in dom_html and not dom.having("b")
    assert violation_background(shot) > 20_000  # the red row is really painted

    # '#violations' in the address pre-selects the filter: only the bad row stays visible.
    dom_html, _ = render_in_browser(page, tmp_path, "#violations")
    dom = Dom(dom_html)
    assert dom.text_by_id["shown"] == "1 of 2 segments shown"
    hidden = [r["id"] for r in dom.having("tr", "segment") if "display: none" in r.get("style", "")]
    assert hidden == ["seg-2"]


def test_forbidden_rendering_is_struck_through_in_the_output():
    glossary = load_glossary(CORPUS / "glossary.yaml")
    terms = segment_terms(TermMatcher(glossary).find("Die Terrormiliz griff an."), "The terror militia attacked.")
    assert [(t["status"], t["forbidden_found"], t["output_spans"]) for t in terms] == [
        ("forbidden", ["terror militia"], [[4, 18, "forbidden"]])
    ]
    row = {
        "source": "Die Terrormiliz griff an.",
        "output": "The terror militia attacked.",
        "references": ["x"],
        "terms": terms,
    }
    report = {
        "model": "m",
        "glossator_version": "0",
        "glossary_digest": None,
        "corpus": None,
        "documents": [
            {
                "id": "d",
                "segments": 1,
                "references": ["r"],
                "rows": [row],
                "violations": 1,
                "terms": {"ok": 0, "enforced": 0, "missing": 0, "forbidden": 1},
                "scores": {
                    "segments": 1,
                    "term_accuracy": None,
                    "metrics": {m: {"score": 10.0, "ci95": None, "signature": m} for m in ("BLEU", "chrF++", "TER")},
                },
            }
        ],
    }
    html = render_html(report)
    assert (
        '<mark class="forbidden" title="Terrormiliz → terrorist militia: forbidden (found terror militia)">'
        "terror militia</mark>" in html
    )
    assert '<tr class="segment violation"' in html


def test_wmt_rows_carry_document_ids_and_scores_per_docid(tmp_path):
    wmt = WMT_EXCERPTS
    manifest = tmp_path / "wmt.yaml"
    manifest.write_text(
        "version: 1\ndocuments:\n  - id: nt2020\n"
        f"    source: {wmt / 'newstest2020.de-en.de'}\n"
        f"    references: [{wmt / 'newstest2020.de-en.en'}, {wmt / 'newstest2020.de-en.refB.en'}]\n"
        f"    docids: {wmt / 'newstest2020.de-en.docids'}\n    align: lines\n    limit: 30\n"
        "  - id: nt2021\n"
        f"    source: {wmt / 'newstest2021.de-en.de'}\n"
        f"    references: [{wmt / 'newstest2021.de-en.en'}, {wmt / 'newstest2021.de-en.refB.en'}]\n"
        "    align: lines\n    limit: 20\n",
        encoding="utf-8",
    )
    report = evaluate(manifest, Settings.from_env(), engine=FakeEngine(), bootstrap=0)
    doc = report["documents"][0]
    # Scores per docid and for the whole corpus come from reused statistics: they equal scoring afresh.
    first = [r for r in doc["rows"] if r["docid"] == doc["by_docid"][0]["docid"]]
    fresh = score([r["output"] for r in first], [[r["references"][i] for r in first] for i in (0, 1)], bootstrap=0)
    assert {m: doc["by_docid"][0][m] for m in ("BLEU", "chrF++", "TER")} == {
        m.name: round(m.score, 2) for m in fresh.metrics
    }
    rows = doc["rows"] + report["documents"][1]["rows"]
    fresh = score([r["output"] for r in rows], [[r["references"][i] for r in rows] for i in (0, 1)], bootstrap=0)
    assert {m: v["score"] for m, v in report["corpus"]["metrics"].items()} == {
        m.name: round(m.score, 4) for m in fresh.metrics
    }
    ids = (wmt / "newstest2020.de-en.docids").read_text(encoding="utf-8").splitlines()[:30]
    assert [r["docid"] for r in doc["rows"]] == ids
    groups = doc["by_docid"]
    assert [g["docid"] for g in groups] == list(dict.fromkeys(ids))
    assert sum(g["segments"] for g in groups) == 30
    html = render_html(report)
    assert html.count('<tr class="docid">') == len(groups)
    assert f"{len(groups)} source documents by chrF++" in html


def test_docids_with_a_different_line_count_are_refused(tmp_path):
    (tmp_path / "s.de").write_text("a\nb\n", encoding="utf-8")
    (tmp_path / "r.en").write_text("a\nb\n", encoding="utf-8")
    (tmp_path / "ids").write_text("d1\n", encoding="utf-8")
    manifest = tmp_path / "m.yaml"
    manifest.write_text(
        "version: 1\ndocuments:\n  - id: x\n    source: s.de\n    references: [r.en]\n"
        "    docids: ids\n    align: lines\n",
        encoding="utf-8",
    )
    result = run("evaluate", manifest)
    assert result.exit_code == 3
    assert "ids has 1 lines but" in result.stderr and "s.de has 2" in result.stderr


def test_docids_need_line_alignment(tmp_path):
    (tmp_path / "s.de").write_text("a\n\nb\n", encoding="utf-8")
    (tmp_path / "r.en").write_text("a\n\nb\n", encoding="utf-8")
    (tmp_path / "ids").write_text("d1\nd2\n", encoding="utf-8")
    manifest = tmp_path / "m.yaml"
    manifest.write_text(
        "version: 1\ndocuments:\n  - id: x\n    source: s.de\n    references: [r.en]\n    docids: ids\n",
        encoding="utf-8",
    )
    result = run("evaluate", manifest)
    assert result.exit_code == 3
    assert "document 'x': docids need 'align: lines'" in result.stderr


def chart_svgs(html: str) -> dict[str, ET.Element]:
    """Every chart's SVG parsed as XML (so each must be well-formed on its own), by its aria-label."""
    found = {}
    for part in html.split('<svg class="plot"')[1:]:
        svg = ET.fromstring('<svg class="plot"' + part[: part.index("</svg>") + len("</svg>")])
        found[svg.get("aria-label", "")] = svg
    return found


def check_chart(svg: ET.Element) -> dict[str, list[ET.Element]]:
    """The structure every chart shares; returns its texts by class."""
    width, height = float(svg.get("width", "nan")), float(svg.get("height", "nan"))
    assert width == CHART_W and svg.get("viewBox") == f"0 0 {width:g} {height:g}" and 0 < height < 2000
    assert svg.get("font-size") == str(FONT)
    elements = list(svg.iter())
    assert all(e.get("font-size") is None for e in elements[1:])  # every text inherits the one size
    for e in elements:
        for name in ("x", "y", "x1", "y1", "x2", "y2", "width", "height"):
            if e.get(name) is not None:
                assert math.isfinite(float(e.get(name, ""))), (e.tag, name, e.get(name))
    axes = [e for e in elements if e.tag == "line" and "axis" in e.get("class", "").split()]
    assert sorted(e.get("class") for e in axes) == ["axis x", "axis y"]
    rects = [i for i, e in enumerate(elements) if e.tag == "rect"]
    assert all(elements.index(a) > max(rects, default=-1) for a in axes)  # no bar covers an axis
    assert all(float(elements[i].get("width", "")) >= 0 and float(elements[i].get("height", "")) >= 0 for i in rects)
    texts: dict[str, list[ET.Element]] = {}
    for t in (e for e in elements if e.tag == "text"):
        texts.setdefault(t.get("class", ""), []).append(t)
        assert 0 <= float(t.get("x", "")) <= width and 0 <= float(t.get("y", "")) <= height
    assert len(texts["tick-x"]) >= 2 and texts["tick-y"] and texts["axis-title"]
    x_ticks = [(float(t.get("x", "")), float(t.text or "")) for t in texts["tick-x"]]
    assert x_ticks == sorted(x_ticks) and len({x for x, _ in x_ticks}) == len(x_ticks)
    return texts


@pytest.mark.parametrize(
    ("docs", "charts", "messages"),
    [
        pytest.param([], set(), ["No documents to score.", "No glossary terms", "No scored segments."], id="none"),
        pytest.param(
            [("empty", [], {})],
            {"Scores by document"},
            ["No glossary terms", "Segment chrF++ (0 segments)", "No scored segments."],
            id="zero-segments",
        ),
        pytest.param([("one", [42.0], {"ok": 1})], ALL_CHARTS, ["Segment chrF++ (1 segment)"], id="one-segment"),
        pytest.param(
            [("a", [10.0, 55.5, 100.0], {}), ("b", [0.0], {})],
            {"Scores by document", "Segment chrF++ histogram"},
            ["No glossary terms"],
            id="no-terms",
        ),
    ],
)
def test_charts_are_valid_svg_with_axes_in_edge_cases(docs, charts, messages):
    html = render_html(synthetic_report(docs))
    svgs = chart_svgs(html)
    assert set(svgs) == charts
    for message in messages:
        assert message in html
    for svg in svgs.values():
        check_chart(svg)
    if "Segment chrF++ histogram" in svgs:
        texts = check_chart(svgs["Segment chrF++ histogram"])
        counts = [int(t.text or "") for t in texts["value"]]
        assert sum(counts) == sum(len(values) for _, values, _ in docs)
        assert [t.text for t in texts["tick-x"]] == [str(v) for v in range(0, 101, 10)]
        assert {t.text for t in texts["axis-title"]} == {"segment chrF++", "segments"}
        y_ticks = [int(t.text or "") for t in texts["tick-y"]]
        assert y_ticks[0] == 0 and y_ticks[-1] >= max(counts) and len(y_ticks) <= 6


def test_crowded_charts_keep_their_size_and_shorten_long_ids():
    report = crowded_report()
    svgs = chart_svgs(render_html(report))
    assert set(svgs) == ALL_CHARTS
    hist = check_chart(svgs["Segment chrF++ histogram"])
    assert sorted(int(t.text or "") for t in hist["value"])[-1] == 817  # 800 segments at 95 plus the others
    assert [int(t.text or "") for t in hist["tick-y"]] == [0, 200, 400, 600, 800, 1000]
    terms = check_chart(svgs["Glossary terms by document"])
    labels = terms["tick-y"]
    assert len(labels) == 12
    assert "".join(labels[0].itertext()).endswith("…")  # shortened on the chart ...
    assert labels[0].find("title").text == "W" * 28  # ... and whole in its tooltip
    assert [t.text for t in terms["tick-x"]] == ["0", "100", "200", "300", "400", "500"]
    scores = check_chart(svgs["Scores by document"])
    assert len(scores["tick-y"]) == 13  # twelve documents and all of them together
    assert "TER 140.0" in [t.text for t in scores["value"]]  # beyond the axis: the bar stops at 100, the label not


@pytest.mark.parametrize("top", [0, 1, 4, 5, 7, 27, 99, 100, 101, 817, 1000, 123_456])
def test_count_axes_have_at_most_six_round_ticks_from_zero(top):
    from glossator.quality.html_report import _nice_ticks

    ticks = _nice_ticks(top)
    step = ticks[1] - ticks[0]
    assert ticks[0] == 0 and ticks[-1] >= top and len(ticks) <= 6
    assert all(b - a == step for a, b in itertools.pairwise(ticks))
    assert str(step).strip("0") in ("1", "2", "5")
    assert ticks[-1] - step < max(top, 1)  # no empty tick beyond the data
