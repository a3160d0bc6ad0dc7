"""Real German READMEs (tests/data/markdown/, see its README.md for provenance): read, split and translated with
the project's small model, installed with ``glossator models install``. The English must have the German's
Markdown structure, read back with markdown-it-py: every link (same targets, in order), image, code span (byte
for byte), emphasis, heading, list item, table cell and code block — the bug of issue 13 lost every link, image
and emphasis span of such files."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from clirun import run_cli
from markdown_it import MarkdownIt
from paths import REPO, SMALL_MODEL

from glossator.translate.documents import read_document

DATA = REPO / "tests" / "data" / "markdown"
FILES = sorted(p for p in DATA.glob("*.de.md"))
PARSER = MarkdownIt("commonmark").enable(["table", "strikethrough"])


def structure(text: str) -> dict[str, object]:
    """The Markdown structure of *text* as markdown-it-py reads it (everything but the prose)."""
    blocks: list[tuple[str, str]] = []
    links: list[str] = []
    images: list[str] = []
    code: list[tuple[str, str]] = []
    emphasis: Counter[str] = Counter()
    breaks = 0

    def walk(children: list[object]) -> None:
        nonlocal breaks
        for token in children:
            kind = token.type  # type: ignore[attr-defined]
            if kind == "link_open":
                links.append(token.attrs["href"])  # type: ignore[attr-defined]
            elif kind == "image":
                images.append(token.attrs["src"])  # type: ignore[attr-defined]
                walk(token.children or [])  # type: ignore[attr-defined]
            elif kind == "code_inline":
                code.append((token.markup, token.content))  # type: ignore[attr-defined]
            elif kind in ("em_open", "strong_open", "s_open"):
                emphasis[kind] += 1
            elif kind == "hardbreak":
                breaks += 1

    for token in PARSER.parse(text):
        if token.type in ("fence", "code_block", "html_block"):
            blocks.append((token.type, token.content))  # byte for byte
        elif token.nesting == 1:
            blocks.append((token.type, token.tag))  # headings with their level, list items, table cells, quotes
        elif token.type == "inline":
            walk(token.children or [])
    return {"blocks": blocks, "links": links, "images": images, "code": code, "emphasis": emphasis, "breaks": breaks}


def test_the_real_files_are_there_and_small():
    assert [p.name for p in FILES] == [
        "appstate.README.de.md",
        "ha-heat-design.README.de.md",
        "vserver-ssh-stats.README.de.md",
    ]
    assert all(p.stat().st_size < 50_000 for p in FILES)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_real_readme_reads_without_loss_and_never_cuts_a_sentence_at_markup(path: Path):
    text = path.read_text(encoding="utf-8")
    doc = read_document(text, "md")
    assert doc.render(doc.segments) == text
    assert doc.warnings == []
    # the model sees plain sentences: no Markdown syntax, no URL, no code
    for segment in doc.segments:
        assert "](" not in segment and "**" not in segment and "`" not in segment and "http" not in segment, segment
    # no link crosses a sentence boundary in these files: every link is whole inside one sentence or around it
    for unit in doc.units:
        opened = {e.span for e in unit.events if e.kind == "open"}
        closed = {e.span for e in unit.events if e.kind == "close"}
        assert opened == closed, unit.original


@pytest.mark.parametrize(
    ("name", "paragraph", "segment"),
    [
        (
            "appstate.README.de.md",
            "Befolgen Sie die [Installationsanleitung](de/installation.md) für",
            "Befolgen Sie die Installationsanleitung für detaillierte Anweisungen zur Einrichtung von AppState.",
        ),
        (
            "vserver-ssh-stats.README.de.md",
            "1. Stelle sicher, dass [HACS](https://hacs.xyz) in Home Assistant installiert ist.",
            "Stelle sicher, dass HACS in Home Assistant installiert ist.",
        ),
        (
            "vserver-ssh-stats.README.de.md",
            "Unter **Geräte & Dienste > VServer SSH Stats > Konfigurieren** können benutzerdefinierte\n",
            "Unter Geräte & Dienste > VServer SSH Stats > Konfigurieren können benutzerdefinierte Befehlssensoren "
            "hinzugefügt, bearbeitet und entfernt werden.",
        ),
        (
            "ha-heat-design.README.de.md",
            "Du kannst die Karte direkt im Home-Assistant-**UI-Editor** konfigurieren",
            "Du kannst die Karte direkt im Home-Assistant-UI-Editor konfigurieren (für die meisten Optionen ist kein "
            "manuelles YAML nötig).",
        ),
    ],
)
def test_a_sentence_with_a_link_or_emphasis_inside_is_one_segment(name: str, paragraph: str, segment: str):
    text = (DATA / name).read_text(encoding="utf-8")
    assert paragraph in text
    assert segment in read_document(text, "md").segments


@pytest.fixture
def small_model() -> None:
    """The project's small real model, installed the way a user installs a package file."""
    result = run_cli(["models", "install", str(SMALL_MODEL)])
    assert result.exit_code == 0, result.stderr


@pytest.mark.slow
def test_real_readmes_translated_by_the_small_model_keep_their_markdown_structure(small_model, tmp_path):
    out = tmp_path / "out"
    result = run_cli(["translate", *map(str, FILES), "-o", str(out), "--json", "--quiet"])
    assert result.exit_code == 0, result.stderr
    reports = {Path(r["name"]).name: r for r in json.loads(result.stdout)}
    for path in FILES:
        german = path.read_text(encoding="utf-8")
        english = (out / path.name.replace(".de.md", ".en.md")).read_text(encoding="utf-8")
        assert english != german
        before, after = structure(german), structure(english)
        for key in before:
            assert after[key] == before[key], f"{path.name}: {key}"
        # every segment is the plain sentence; a fallback is reported on its segment, never silent
        segments = reports[path.name]["segments"]
        assert len(segments) == len(read_document(german, "md").segments)
        kept = [s for s in segments if any("kept untranslated" in w for w in s.get("warnings", []))]
        assert len(kept) <= 1, kept
    # again, from the memory: the alignment was kept with each translation, the output is the same
    again = tmp_path / "again"
    result = run_cli(["translate", *map(str, FILES), "-o", str(again), "--json", "--quiet"])
    assert result.exit_code == 0, result.stderr
    assert all(s["cached"] for r in json.loads(result.stdout) for s in r["segments"])
    for path in FILES:
        name = path.name.replace(".de.md", ".en.md")
        assert (again / name).read_text(encoding="utf-8") == (out / name).read_text(encoding="utf-8")
