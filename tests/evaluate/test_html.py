"""The HTML report: structure, escaping, and rendering in a real headless Chromium (Debian's ``chromium``).

The browser tests need ``/usr/bin/chromium`` (``.ci/run`` installs it; locally ``apt-get install chromium``).
They fail, never skip, when it is missing: the report must be checked in a browser on every CI run.
"""

from __future__ import annotations

import json
import shutil
import subprocess
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
from glossator.quality.html_report import render_html
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
    "--window-size=1400,1600",
]


def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.fail("Debian's chromium is needed for the HTML report test: apt-get install chromium")
    return path


def render_in_browser(page: Path, tmp_path: Path, fragment: str = "") -> tuple[str, Image.Image]:
    """Load *page* in headless Chromium (fresh profile); return the DOM after scripts ran and a screenshot."""
    url = page.resolve().as_uri() + fragment
    base = [chromium(), *CHROMIUM_FLAGS]
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


@pytest.fixture
def model():
    install_package(TEST_MODEL_DIR / "de_en_glossator_test.argosmodel", Settings.from_env())


class StubbornEngine(FakeEngine):
    """An engine that ignores target prefixes, as a model might that refuses the constraint."""

    def translate(self, sentences, *, num_hypotheses=1, target_prefixes=None, return_attention=False):
        return super().translate(sentences, num_hypotheses=num_hypotheses, return_attention=return_attention)


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
    assert shot.size == (1400, 1600)
    assert shot.getpixel((700, 5)) == (0x1F, 0x2D, 0x3D)
    assert violation_background(shot) < 5_000  # only the legend's small swatches


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
