"""PowerPoint PPTX (translate/formats/pptx.py): the slides' and notes' paragraphs translated with their runs'
formatting, hyperlinks, line breaks and fields; every part the translation does not touch byte for byte;
python-pptx 1.0 reads the result back as an independent parser; LibreOffice headless converts every translated
file to PDF; bad packages are refused with one line (exit 3, nothing written).

Real files: tests/data/formats/pptx/ (German decks) and tests/data/formats/ooxml/ (a SmartArt deck and the refused
packages), provenance in their README.md. The hand-made deck below (made with python-pptx, its paragraphs written
as DrawingML) holds one construct per paragraph, so that a failure names it."""

from __future__ import annotations

import io
import itertools
import re
import subprocess
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pptx
import pytest
from clirun import run_cli
from fakes import EchoEngine, WordEngine
from format_tools import require_tool, translate_document
from format_tools import zip_entries as entries
from hypothesis import HealthCheck, given
from hypothesis import settings as fuzz_settings
from hypothesis import strategies as st
from lxml import etree
from paths import REPO
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.oxml import parse_xml
from pptx.oxml.ns import nsdecls
from pptx.util import Emu

from glossator.common.errors import InputError
from glossator.glossary.model import Glossary, Term
from glossator.translate.formats.pptx import open_source

DATA = REPO / "tests" / "data" / "formats"
REAL = sorted((DATA / "pptx").glob("*.pptx"))
OOXML = DATA / "ooxml"
SMARTART = OOXML / "poi-smartart-simple.pptx"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
_A = f"{{{A}}}"
NS = {"a": A}
WORDS = {
    "Das": "This",
    "das": "that",
    "Der": "The",
    "der": "the",
    "Die": "The",
    "die": "the",
    "ist": "is",
    "eine": "a",
    "ein": "a",
    "erste": "first",
    "Folie": "Slide",
    "Truppen": "troops",
    "bleiben": "remain",
    "hier": "here",
    "Zeile": "line",
    "und": "and",
    "nächste": "next",
    "von": "of",
    "drei": "three",
    "Mehr": "More",
    "auf": "on",
    "Webseite": "website",
    "lesen": "read",
    "Jahr": "Year",
    "Umsatz": "Revenue",
    "Vertrag": "contract",
    "gilt": "applies",
    "Gruppe": "group",
    "Zelle": "cell",
    "Hier": "Here",
    "spricht": "speaks",
    "Redner": "speaker",
    "mit": "with",
    "für": "for",
    "nicht": "not",
    "oder": "or",
    "im": "in",
    "zu": "to",
}


# --------------------------------------------------------------------------------------------- the hand-made deck


def _paragraphs(shape: Any, paragraphs: Sequence[str]) -> None:
    """Replace *shape*'s paragraphs by *paragraphs* (DrawingML children of ``a:p``)."""
    body = shape.text_frame._txBody
    for p in body.findall(f"{_A}p"):
        body.remove(p)
    for content in paragraphs:
        body.append(parse_xml(f"<a:p {nsdecls('a', 'r')}>{content}</a:p>"))


def deck() -> bytes:
    prs = pptx.Presentation()
    blank = prs.slide_layouts[6]
    second, first = prs.slides.add_slide(blank), prs.slides.add_slide(blank)  # first shown first, file slide2.xml
    link = second.part.relate_to("https://example.org/", RT.HYPERLINK, is_external=True)
    box = second.shapes.add_textbox(Emu(0), Emu(0), Emu(6000000), Emu(3000000))
    _paragraphs(
        box,
        [
            # runs differing only by their language and spelling mark are one run; the bold one is a span
            '<a:r><a:rPr lang="de-DE"/><a:t>Die </a:t></a:r><a:r><a:rPr lang="de-AT" dirty="0" err="1"/>'
            '<a:t>Truppen </a:t></a:r><a:r><a:rPr lang="de-DE" b="1"/><a:t>bleiben</a:t></a:r>'
            '<a:r><a:rPr lang="de-DE"/><a:t> hier.</a:t></a:r>',
            '<a:r><a:rPr lang="de-DE"/><a:t>Das ist eine Zeile</a:t></a:r><a:br><a:rPr lang="de-DE"/></a:br>'
            '<a:r><a:rPr lang="de-DE"/><a:t>und das die nächste.</a:t></a:r>',
            '<a:r><a:rPr lang="de-DE"/><a:t>Folie </a:t></a:r><a:fld id="{B6F15528-21DE-4FAA-801E-634DDDAF4B2B}" '
            'type="slidenum"><a:rPr lang="de-DE"/><a:t>2</a:t></a:fld><a:r><a:rPr lang="de-DE"/><a:t> von drei'
            "</a:t></a:r>",
            f'<a:r><a:rPr lang="de-DE"/><a:t>Mehr auf der </a:t></a:r><a:r><a:rPr lang="de-DE"><a:hlinkClick '
            f'r:id="{link}"/></a:rPr><a:t>Webseite</a:t></a:r><a:r><a:rPr lang="de-DE"/><a:t> lesen.</a:t></a:r>',
            "<a:r><a:t>Jahr\tUmsatz</a:t></a:r>",
            "<a:r><a:t>4711</a:t></a:r>",
            '<a:pPr algn="ctr"/><a:r><a:rPr lang="de-DE"/><a:t>Der Vertrag gilt.</a:t></a:r>'
            '<a:endParaRPr lang="de-DE"/>',
        ],
    )
    group = second.shapes.add_group_shape()
    group.shapes.add_textbox(Emu(0), Emu(3000000), Emu(3000000), Emu(500000)).text_frame.text = "Das ist eine Gruppe."
    table = second.shapes.add_table(1, 2, Emu(0), Emu(4000000), Emu(4000000), Emu(500000)).table
    table.cell(0, 0).text = "Die Zelle."
    table.cell(0, 1).text = "2024"
    second.notes_slide.notes_text_frame.text = "Hier spricht der Redner."
    first.shapes.add_textbox(Emu(0), Emu(0), Emu(6000000), Emu(1000000)).text_frame.text = "Das ist die erste Folie."
    ids = prs.slides._sldIdLst
    ids.insert(0, ids[1])  # moves the second-made slide to the front
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()


def translate(
    tmp_path: Path, data: bytes, engine: Any = None, glossary: Glossary | None = None, name: str = "a.de.pptx"
) -> tuple[Any, bytes]:
    return translate_document(tmp_path, data, engine or WordEngine(WORDS), glossary, name)


def presentation(data: bytes) -> Any:
    return pptx.Presentation(io.BytesIO(data))


# --------------------------------------------------------------------------------------------- hand-made deck


def test_every_paragraph_is_a_block_in_presentation_order_with_its_location() -> None:
    source = open_source(deck(), "d.pptx")
    blocks = [(b.location, b.paragraph.text) for b in source.blocks()]
    assert blocks == [
        ("slide 1", "Das ist die erste Folie."),
        ("slide 2", "Die Truppen bleiben hier."),
        ("slide 2", "Das ist eine Zeile und das die nächste."),  # a line break between two words
        ("slide 2", "Folie von drei"),  # the slide number field is never shown to the model
        ("slide 2", "Mehr auf der Webseite lesen."),
        ("slide 2", "Jahr Umsatz"),  # a tab between two words
        ("slide 2", "Der Vertrag gilt."),  # "4711" has no word: not a block
        ("slide 2", "Das ist eine Gruppe."),
        ("slide 2", "Die Zelle."),  # "2024" is not a block either
        ("slide 2 notes", "Hier spricht der Redner."),
    ]
    marks = [[(m.kind, m.tag) for m in b.paragraph.marks] for b in source.blocks()]
    assert marks[1] == [("open", "run"), ("close", "run")]  # only the bold run: lang/dirty/err never split runs
    assert marks[2] == [("atom", "br")] and marks[3] == [("atom", "field")] and marks[5] == [("atom", "tab")]


def test_runs_links_breaks_fields_groups_tables_and_notes_come_out_in_english(tmp_path: Path) -> None:
    data = deck()
    result, out = translate(tmp_path, data)
    prs = presentation(out)
    first, second = prs.slides
    assert [s.shapes[0].text_frame.text for s in (first,)] == ["This is the first Slide."]
    paragraphs = second.shapes[0].text_frame.paragraphs
    runs = [(r.text, r.font.bold, r.hyperlink.address) for r in paragraphs[0].runs]
    assert runs == [("The troops ", None, None), ("remain", True, None), (" here.", None, None)]
    assert paragraphs[1].text == "This is a line\vand that the next."
    fields = paragraphs[2]._p.findall(f"{_A}fld")
    assert [f.get("type") for f in fields] == ["slidenum"] and paragraphs[2].text == "Slide 2 of three"
    assert [(r.text, r.hyperlink.address) for r in paragraphs[3].runs] == [
        ("More on the ", None),
        ("website", "https://example.org/"),
        (" read.", None),
    ]
    assert paragraphs[4].text == "Year\tRevenue" and paragraphs[5].text == "4711"
    assert paragraphs[6].text == "The contract applies." and paragraphs[6].alignment is not None
    group = second.shapes[1]
    assert group.shapes[0].text_frame.text == "This is a group."
    table = second.shapes[2].table
    assert [table.cell(0, 0).text, table.cell(0, 1).text] == ["The cell.", "2024"]
    assert second.notes_slide.notes_text_frame.text == "Here speaks the speaker."
    assert [s.location for s in result.segments][:2] == ["slide 1", "slide 2"]
    # the translated runs say English; layouts, masters, the theme and every other part are the input's bytes
    slide = etree.fromstring(dict(entries(out))["ppt/slides/slide1.xml"])
    assert {p.get("lang") for p in slide.iter(f"{_A}rPr", f"{_A}endParaRPr") if p.get("lang")} == {"en-US"}
    changed = {name for (name, a), (_, b) in zip(entries(data), entries(out), strict=True) if a != b}
    assert changed == {"ppt/slides/slide1.xml", "ppt/slides/slide2.xml", "ppt/notesSlides/notesSlide1.xml"}
    assert [n for n, _ in entries(out)] == [n for n, _ in entries(data)]


def test_identity_round_trip_keeps_every_entry(tmp_path: Path) -> None:
    for name, data in [("deck.de.pptx", deck()), *((f"{p.stem}.de.pptx", p.read_bytes()) for p in REAL)]:
        _, out = translate(tmp_path, data, engine=EchoEngine(), name=name)
        assert entries(out) == entries(data), name


def test_a_glossary_term_inside_a_bold_run_is_enforced(tmp_path: Path) -> None:
    prs = pptx.Presentation()
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    box = slide.shapes.add_textbox(Emu(0), Emu(0), Emu(6000000), Emu(1000000))
    _paragraphs(
        box,
        [
            '<a:r><a:t>Der </a:t></a:r><a:r><a:rPr b="1"/><a:t>Vertrag</a:t></a:r><a:r><a:t> gilt.</a:t></a:r>',
            '<a:r><a:rPr i="1"/><a:t>Der Vertrag gilt.</a:t></a:r>',
        ],
    )
    out = io.BytesIO()
    prs.save(out)
    result, data = translate(tmp_path, out.getvalue(), glossary=Glossary((Term("Vertrag", "agreement"),)))
    first, second = presentation(data).slides[0].shapes[0].text_frame.paragraphs
    assert [(r.text, r.font.bold) for r in first.runs] == [("The ", None), ("agreement", True), (" applies.", None)]
    assert [(r.text, r.font.italic) for r in second.runs] == [("The agreement applies.", True)]
    assert [c.status for s in result.segments for c in s.checks] == ["enforced", "enforced"]


def test_smartart_text_is_translated_in_the_diagram_data_and_its_drawing(tmp_path: Path) -> None:
    data = SMARTART.read_bytes()
    source = open_source(data, SMARTART.name)
    assert [(b.location, b.paragraph.text) for b in source.blocks()][-6:] == [
        ("slide 1", w) for w in ["abc", "def", "ghi"] * 2
    ]
    _, out = translate(tmp_path, data, WordEngine({"abc": "Alpha", "def": "Delta", "ghi": "Gamma"}))
    parts = dict(entries(out))
    for part in ("ppt/diagrams/data1.xml", "ppt/diagrams/drawing1.xml"):
        words = [t.text for t in etree.fromstring(parts[part]).iter(f"{_A}t")]
        assert words == ["Alpha", "Delta", "Gamma"], part
    changed = {name for (name, a), (_, b) in zip(entries(data), entries(out), strict=True) if a != b}
    assert changed == {"ppt/diagrams/data1.xml", "ppt/diagrams/drawing1.xml"}


# --------------------------------------------------------------------------------------------- real files


def test_the_real_files_are_there_and_small() -> None:
    assert len(REAL) >= 5 and all(p.stat().st_size < 200_000 for p in REAL)


def _key(run: Any) -> tuple[Any, ...]:
    font = run.font
    color = font.color.rgb if font.color and font.color.type is not None and font.color.type == 1 else None
    return (font.bold, font.italic, font.underline, font.size, font.name, color, run.hyperlink.address)


def _english(text: str) -> str:
    """*text* as WordEngine(WORDS) translates it, word for word."""
    out = []
    for word in text.split():
        core = word.rstrip(".,:;!?")
        out.append(WORDS.get(core, core) + word[len(core) :] if core else word)
    return _norm(" ".join(out))


def _norm(text: str) -> str:
    return re.sub(r" ([.,:;!?])", r"\1", " ".join(text.split()))


def _segments(paragraph: Any) -> list[tuple[tuple[Any, ...], str]]:
    """The paragraph's runs by formatting, adjacent equal ones merged, without runs of punctuation only
    (punctuation at a span's edge stays outside it in the English, translate/inline.py)."""
    out: list[tuple[tuple[Any, ...], str]] = []
    for run in paragraph.runs:
        if not any(ch.isalnum() for ch in run.text):
            continue
        if out and out[-1][0] == _key(run):
            out[-1] = (out[-1][0], out[-1][1] + run.text)
        else:
            out.append((_key(run), run.text))
    return out


def _words(text: str) -> str:
    """The words of *text* without the punctuation around them (a dash or a bracket beside a span may go inside or
    outside it in the English: the projection moves only words)."""
    return " ".join(re.sub(r"^\W+|\W+$", "", w) for w in text.split() if any(ch.isalnum() for ch in w))


def _frames(prs: Any) -> list[tuple[str, Any]]:
    """Every text frame of the slides and notes, named by slide, shape id and name (groups and tables walked)."""
    out: list[tuple[str, Any]] = []

    def walk(shapes: Any, where: str) -> None:
        for shape in shapes:
            name = f"{where} shape {shape.shape_id} {shape.name!r} {shape.shape_type}"
            if shape.shape_type == 6:  # a group
                walk(shape.shapes, name)
            if shape.has_text_frame:
                out.append((name, shape.text_frame))
            if getattr(shape, "has_table", False):
                for r, row in enumerate(shape.table.rows):
                    for c, cell in enumerate(row.cells):
                        out.append((f"{name} cell {r},{c}", cell.text_frame))

    for number, slide in enumerate(prs.slides, start=1):
        walk(slide.shapes, f"slide {number}")
        if slide.has_notes_slide:
            walk(slide.notes_slide.shapes, f"slide {number} notes")
    return out


def _without_text(xml: bytes) -> bytes:
    """A part with every paragraph's runs, breaks and fields and every lang attribute taken out (what is left is
    what the translation must not change)."""
    root = etree.fromstring(xml)
    for p in root.iter(f"{_A}p"):
        for child in list(p):
            if child.tag not in (f"{_A}pPr", f"{_A}endParaRPr"):
                p.remove(child)
    for el in root.iter():
        if isinstance(el.tag, str) and "lang" in el.attrib:
            del el.attrib["lang"]
    return etree.tostring(root, method="c14n")


@pytest.mark.parametrize("path", REAL, ids=lambda p: p.name)
def test_a_real_deck_keeps_its_structure_and_its_formatting_on_the_translated_words(tmp_path: Path, path: Path) -> None:
    data = path.read_bytes()
    result, out = translate(tmp_path, data, name=f"{path.stem}.de.pptx")
    before, after = presentation(data), presentation(out)
    frames_in, frames_out = _frames(before), _frames(after)
    assert [n for n, _ in frames_in] == [n for n, _ in frames_out]  # same slides, shapes, tables, notes
    strict = 0
    for (name, frame_in), (_, frame_out) in zip(frames_in, frames_out, strict=True):
        assert len(frame_in.paragraphs) == len(frame_out.paragraphs), name
        for p_in, p_out in zip(frame_in.paragraphs, frame_out.paragraphs, strict=True):
            assert _norm(p_out.text) == _english(p_in.text), (name, p_in.text)
            for tag in ("br", "fld"):
                assert len(p_in._p.findall(f"{_A}{tag}")) == len(p_out._p.findall(f"{_A}{tag}")), (name, tag)
            german = _segments(p_in)
            # a run boundary inside a word ("[" "Bearbeiten" "]") cannot survive a translation: the model sees one
            # word, and the markup comes back around all of it; elsewhere each run keeps its words
            runs = [(_key(r), r.text) for r in p_in.runs]
            glued = any(a[0] != b[0] and a[1][-1:].strip() and b[1][:1].strip() for a, b in itertools.pairwise(runs))
            if not glued:
                expected = [(k, _words(_english(t))) for k, t in german]
                assert [(k, _words(t)) for k, t in _segments(p_out)] == expected, (name, p_in.text)
                strict += len(german) > 1
    assert not [s for s in result.segments if s.warnings]  # every span placed by the alignment
    # every part but the translated ones is the input's bytes; those differ only in their paragraphs' text
    for (name, a), (name_out, b) in zip(entries(data), entries(out), strict=True):
        assert name == name_out
        if a != b:
            assert re.match(r"ppt/(slides/slide|notesSlides/notesSlide|diagrams/(data|drawing))\d+\.xml$", name)
            assert _without_text(a) == _without_text(b), name
    assert strict or all(len(_segments(p)) < 2 for _, f in frames_in for p in f.paragraphs)


@pytest.mark.slow  # LibreOffice converts each deck twice: about 30 s
def test_libreoffice_converts_every_translated_deck_to_pdf(tmp_path: Path) -> None:
    soffice = require_tool("soffice")
    inputs = [("deck.de.pptx", deck()), ("smartart.de.pptx", SMARTART.read_bytes()),
              *((f"{p.stem}.de.pptx", p.read_bytes()) for p in REAL)]  # fmt: skip
    originals, translated = tmp_path / "de", tmp_path / "en"
    originals.mkdir()
    translated.mkdir()
    for name, data in inputs:
        _, out = translate(tmp_path, data, name=name)
        (originals / name).write_bytes(data)
        (translated / name).write_bytes(out)
    pdf = {}
    for folder in (originals, translated):
        run = subprocess.run(
            [soffice, f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}", "--headless", "--convert-to", "pdf",
             "--outdir", str(folder / "pdf"), *sorted(map(str, folder.glob("*.pptx")))],
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        log = run.stdout + run.stderr
        assert run.returncode == 0 and "Error" not in log, log
        pdf[folder.name] = {p.name: p.read_bytes() for p in (folder / "pdf").glob("*.pdf")}
    assert sorted(pdf["en"]) == sorted(f"{Path(n).stem}.pdf" for n, _ in inputs)
    for name, made in pdf["en"].items():
        assert made.startswith(b"%PDF") and b"%%EOF" in made[-1024:], name
        pages = len(re.findall(rb"/Type\s*/Page\b(?!s)", made))
        assert pages and pages == len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf["de"][name])), name


# --------------------------------------------------------------------------------------------- bad packages


def _ole(*streams: str) -> bytes:
    """The start of an OLE compound file whose directory names *streams* (as Office writes them, UTF-16)."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    return header + b"".join(s.encode("utf-16-le") + bytes(64 - 2 * len(s)) for s in streams) + bytes(1024)


def _replace(data: bytes, entry: str, new: bytes | None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as z, zipfile.ZipFile(out, "w") as target:
        for info in z.infolist():
            if info.filename != entry:
                target.writestr(info, z.read(info))
            elif new is not None:
                target.writestr(info, new)
    return out.getvalue()


def _bad() -> dict[str, tuple[bytes, str]]:
    good = deck()
    slide = dict(entries(good))["ppt/slides/slide2.xml"]
    cases = {
        "not a zip": (b"Das ist keine Folie.\n", "not a valid PowerPoint Presentation (.pptx) file (broken zip"),
        "truncated": (good[: len(good) // 2], "not a valid PowerPoint Presentation (.pptx) file (broken zip"),
        "encrypted": (_ole("EncryptionInfo", "EncryptedPackage"), "password-protected"),
        "no slide part": (_replace(good, "ppt/slides/slide2.xml", None), "names no slide part"),
        "broken xml": (_replace(good, "ppt/slides/slide2.xml", slide[:-20]), "slide2.xml: not well-formed XML"),
        "entity bomb": (
            _replace(
                good, "ppt/slides/slide2.xml", b'<!DOCTYPE p:sld [<!ENTITY a "aaaa">]>' + slide.split(b"?>", 1)[1]
            ),
            "declares entities",
        ),
        "strict": (
            _replace(
                good,
                "ppt/presentation.xml",
                dict(entries(good))["ppt/presentation.xml"].replace(
                    b"http://schemas.openxmlformats.org/presentationml/2006/main",
                    b"http://purl.oclc.org/ooxml/presentationml/main",
                ),
            ),
            "Strict Open XML",
        ),
        "a workbook": (xlsx_like(), "not a PowerPoint Presentation (.pptx) file (its main part xl/workbook.xml"),
    }
    # files other tools wrote (tests/data/formats/ooxml/README.md): an encrypted OOXML package, an old binary .ppt, a
    # macro-enabled deck and a deck with a linked OLE object, each given the .pptx name a user might give them
    real = {
        "encrypted (msoffcrypto-tool)": ("msoffcrypto-example_password.xlsx", "password-protected"),
        "old .ppt (msoffcrypto-tool)": ("msoffcrypto-plain.ppt", "old binary PowerPoint file"),
        "pptm (Apache POI)": ("poi-SimpleMacro.pptm", "holds macros"),
        "linked OLE object (Apache POI)": (
            "poi-bug54570.pptx",
            "ppt/slides/slide1.xml links to an external oleObject (file:///E:\\project\\poi\\poi\\external.xlsx)",
        ),
    }
    for case, (file, message) in real.items():
        cases[case] = ((OOXML / file).read_bytes(), message)
    return cases


def xlsx_like() -> bytes:
    """A package whose main part is a workbook."""
    types = (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
        'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        "</Types>"
    )
    rels = (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship '
        'Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", types)
        z.writestr("_rels/.rels", rels)
        z.writestr("xl/workbook.xml", "<workbook/>")
    return out.getvalue()


BAD_CASES = _bad()


@pytest.mark.parametrize("case", sorted(BAD_CASES), ids=str)
def test_bad_packages_are_refused_with_one_line_exit_3_and_nothing_written(tmp_path: Path, case: str) -> None:
    data, message = BAD_CASES[case]
    with pytest.raises(InputError) as error:
        open_source(data, "bad.pptx")
    assert message in str(error.value) and "\n" not in str(error.value), str(error.value)
    source = tmp_path / "bad.de.pptx"
    source.write_bytes(data)
    result = run_cli(["translate", str(source), "-o", str(tmp_path / "out.pptx")])
    assert result.exit_code == 3, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and message in lines[0], result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.de.pptx"]


# --------------------------------------------------------------------------------------------- fuzzing

_DECK = deck()
_DECK_PARTS = [name for name, _ in entries(_DECK) if name.endswith((".xml", ".rels"))]


@st.composite
def _mutated(draw: st.DrawFn) -> bytes:
    """The hand-made deck with one XML part cut, padded or spliced (a slice deleted, repeated or replaced)."""
    part = draw(st.sampled_from(_DECK_PARTS))
    data = dict(entries(_DECK))[part]
    start = draw(st.integers(0, len(data)))
    end = draw(st.integers(start, min(len(data), start + 64)))
    insert = draw(st.sampled_from([b"", data[start:end] * 2, b"<a:r><a:t>x</a:t></a:r>", b"&", b"<", b"\xff", b"]]>"]))
    return _replace(_DECK, part, data[:start] + insert + data[end:])


@fuzz_settings(max_examples=120, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(_mutated())
def test_a_damaged_deck_is_translated_or_refused_with_one_line(data: bytes) -> None:
    try:
        source = open_source(data, "fuzz.pptx")
        for block in source.blocks():
            source.put(block, block.paragraph.source.replace("e", "E"))
        out = source.dump()
    except InputError as error:
        assert "\n" not in str(error) and str(error).startswith("fuzz.pptx: ")
        return
    assert [name for name, _ in entries(out)] == [name for name, _ in entries(data)]
    open_source(out, "again.pptx")  # what it wrote, it reads
