"""Word DOCX (translate/formats/docx.py): paragraphs, tables, text boxes, headers, footers, notes and comments
translated with their formatting; every part the translation does not touch byte for byte; python-docx 1.2 reads
the result back as an independent parser; LibreOffice headless converts every translated file to PDF; bad packages
are refused with one line (exit 3, nothing written).

Real files: tests/data/formats/docx/ (provenance in its README.md). The small hand-made packages below hold one
construct each, so that a failure names it."""

from __future__ import annotations

import copy
import io
import json
import re
import subprocess
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import docx
import pytest
from clirun import run_cli
from fakes import EchoEngine, WordEngine
from format_tools import require_tool, translate_document, zip_entries
from lxml import etree
from paths import REPO, SMALL_MODEL

from glossator.common.errors import InputError
from glossator.glossary.model import Glossary, Term
from glossator.translate.documents import read_blocks
from glossator.translate.formats.docx import _layout, open_source, tag_paragraph, write_paragraph

DATA = REPO / "tests" / "data" / "formats" / "docx"
REAL = sorted(DATA.glob("*.docx"))
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W = f"{{{W}}}"
NS = {"w": W}
WORDS = {
    "Das": "This",
    "ist": "is",
    "ein": "a",
    "eine": "a",
    "fetter": "bold",
    "Satz": "sentence",
    "mit": "with",
    "Verweis": "link",
    "Wert": "value",
    "Kopfzeile": "header",
    "Fußzeile": "footer",
    "Fußnote": "footnote",
    "Endnote": "endnote",
    "Kommentar": "comment",
    "Textfeld": "text box",
    "im": "in the",
    "Zelle": "cell",
    "Tabelle": "table",
    "Seite": "page",
    "Siehe": "See",
    "Vertrag": "contract",
    "Der": "The",
    "Die": "The",
    "gilt": "applies",
    "neue": "new",
    "alte": "old",
    "Wort": "word",
    "Hier": "Here",
    "steht": "stands",
    "(Der": "(The",
    "Satz)": "sentence)",
}

# --------------------------------------------------------------------------------------------- hand-made packages

_CT_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_CT = {
    "word/styles.xml": "application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml",
    "word/header1.xml": "application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml",
    "word/footer1.xml": "application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml",
    "word/footnotes.xml": "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml",
    "word/endnotes.xml": "application/vnd.openxmlformats-officedocument.wordprocessingml.endnotes+xml",
    "word/comments.xml": "application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml",
}
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NSDECL = (
    f'xmlns:w="{W}" xmlns:r="{_REL}" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
    'xmlns:v="urn:schemas-microsoft-com:vml" mc:Ignorable="wps"'
)
_EXTERNAL = ' TargetMode="External"'
_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
STYLES_DE = (
    f'{_DECL}<w:styles xmlns:w="{W}"><w:docDefaults><w:rPrDefault><w:rPr><w:lang w:val="de-DE"/></w:rPr>'
    "</w:rPrDefault></w:docDefaults></w:styles>"
)


def run(text: str, rpr: str = "", **attrs: str) -> str:
    extra = "".join(f' w:{k}="{v}"' for k, v in attrs.items())
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f"<w:r{extra}>{f'<w:rPr>{rpr}</w:rPr>' if rpr else ''}<w:t{space}>{text}</w:t></w:r>"


def para(*content: str, ppr: str = "") -> str:
    return f"<w:p>{f'<w:pPr>{ppr}</w:pPr>' if ppr else ''}{''.join(content)}</w:p>"


def package(
    body: str,
    parts: dict[str, str] | None = None,
    rels: Sequence[tuple[str, str, str]] = (),
    styles: str = STYLES_DE,
    extra: dict[str, bytes] | None = None,
    main_type: str = _CT_MAIN,
) -> bytes:
    """A small DOCX: *body* in word/document.xml, *parts* (name → root element XML) related from it, *rels* more
    relationships of the document (type, target, mode)."""
    parts = dict(parts or {})
    parts["word/styles.xml"] = styles
    overrides = "".join(f'<Override PartName="/{name}" ContentType="{_CT[name]}"/>' for name in parts if name in _CT)
    types = (
        f'{_DECL}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/><Default Extension="bin" '
        'ContentType="application/vnd.ms-office.vbaProject"/>'
        f'<Override PartName="/word/document.xml" ContentType="{main_type}"/>{overrides}</Types>'
    )
    relations = [
        (f"rId{n}", re.sub(r"\d*\.xml$", "", name.split("/")[-1]), name.split("/", 1)[1], "")
        for n, name in enumerate(parts, start=1)
    ]
    relations += [(f"rId{n}", *rel) for n, rel in enumerate(rels, start=9)]  # the first is rId9
    doc_rels = "".join(
        f'<Relationship Id="{ident}" Type="{_REL}/{kind}" Target="{target}"{_EXTERNAL if mode else ""}/>'
        for ident, kind, target, mode in relations
    )
    files = {
        "[Content_Types].xml": types,
        "_rels/.rels": f'{_DECL}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="word/document.xml"/></Relationships>',
        "word/document.xml": f"{_DECL}<w:document {_NSDECL}><w:body>{body}<w:sectPr/></w:body></w:document>",
        "word/_rels/document.xml.rels": f'{_DECL}<Relationships xmlns="http://schemas.openxmlformats.org/package/'
        f'2006/relationships">{doc_rels}</Relationships>',
        **parts,
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in files.items():
            z.writestr(name, text)
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return out.getvalue()


def _fld(kind: str) -> str:
    return f'<w:r><w:fldChar w:fldCharType="{kind}"/></w:r>'


def field(instruction: str, result: str, rpr: str = "") -> str:
    """A complex field: begin, instruction, separate, result, end."""
    return (
        _fld("begin")
        + f'<w:r><w:instrText xml:space="preserve"> {instruction} </w:instrText></w:r>'
        + _fld("separate")
        + run(result, rpr)
        + _fld("end")
    )


def text_box(text: str) -> str:
    """A run holding a text box the way Word writes it: DrawingML in mc:Choice, VML in mc:Fallback."""
    box = para(run(text))
    return (
        '<w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wp:anchor><a:graphic><a:graphicData '
        'uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"><wps:wsp><wps:txbx>'
        f"<w:txbxContent>{box}</w:txbxContent></wps:txbx></wps:wsp></a:graphicData></a:graphic></wp:anchor>"
        "</w:drawing></mc:Choice><mc:Fallback><w:pict><v:shape><v:textbox>"
        f"<w:txbxContent>{box}</w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r>"
    )


def cell(text: str) -> str:
    return f"<w:tc><w:tcPr/>{para(run(text))}</w:tc>"


def notes(kind: str, text: str) -> str:
    """word/footnotes.xml or endnotes.xml: the two separators Word writes, then note 1."""
    separators = "".join(
        f'<w:{kind} w:type="{t}" w:id="{i}"><w:p><w:r><w:{t}/></w:r></w:p></w:{kind}>'
        for i, t in ((-1, "separator"), (0, "continuationSeparator"))
    )
    ref = f'<w:r><w:rPr><w:rStyle w:val="{kind.capitalize()}Reference"/></w:rPr><w:{kind}Ref/></w:r>'
    note = f'<w:{kind} w:id="1">{para(ref, run(" " + text))}</w:{kind}>'
    return f"{_DECL}<w:{kind}s {_NSDECL}>{separators}{note}</w:{kind}s>"


BOLD = "<w:b/>"
LINK_STYLE = '<w:rStyle w:val="Hyperlink"/>'
FEATURES_BODY = "".join(
    [
        # Word's revision ids and a spelling mark split the plain text; the bold word is a run of its own
        para(
            run("Das ", rsidR="00A1"),
            '<w:proofErr w:type="spellStart"/>',
            run("ist ein ", rsidR="00A2"),
            '<w:proofErr w:type="spellEnd"/>',
            run("fetter", BOLD),
            run(" Satz mit "),
            '<w:hyperlink r:id="rId9" w:history="1">' + run("Verweis", LINK_STYLE) + "</w:hyperlink>",
            run("."),
            ppr='<w:pStyle w:val="Standard"/>',
        ),
        para(run("Name:"), "<w:r><w:tab/></w:r>", run("Wert"), "<w:r><w:br/></w:r>", run("Das ist ein Satz.")),
        para(
            run("Seite "),
            field("PAGE", "3"),
            run(" gilt. Siehe "),
            field('HYPERLINK "https://example.org/"', "Verweis"),
            run(". Seite "),
            '<w:fldSimple w:instr=" NUMPAGES ">' + run("9") + "</w:fldSimple>",
            run("."),
        ),
        para(run("Hier steht "), text_box("Das ist ein Textfeld."), run("ein Satz.")),
        f"<w:tbl><w:tblPr/><w:tr>{cell('Die Zelle.')}{cell('Die Tabelle.')}</w:tr><w:tr>{cell('Das Wort.')}"
        f"{cell('Der Satz.')}</w:tr></w:tbl>",
        para(
            run("Das ist ein Satz"),
            '<w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr><w:footnoteReference w:id="1"/></w:r>',
            run(". Das ist ein Satz"),
            '<w:r><w:endnoteReference w:id="1"/></w:r>',
            run("."),
        ),
        para(
            run("Der "),
            f'<w:ins w:id="5" w:author="A" w:date="2024-01-01T00:00:00Z">{run("neue ")}</w:ins>',
            '<w:del w:id="6" w:author="A" w:date="2024-01-01T00:00:00Z"><w:r><w:delText xml:space="preserve">alte '
            "</w:delText></w:r></w:del>",
            run("Vertrag gilt."),
        ),
        para(
            run("Siehe "),
            '<w:sdt><w:sdtPr><w:alias w:val="Feld"/><w:id w:val="7"/></w:sdtPr><w:sdtContent>'
            + run("Vertrag")
            + "</w:sdtContent></w:sdt>",
            run("."),
        ),
        para(
            '<w:bookmarkStart w:id="1" w:name="Marke"/>',
            '<w:commentRangeStart w:id="0"/>',
            run("Das Wort"),
            '<w:commentRangeEnd w:id="0"/>',
            '<w:bookmarkEnd w:id="1"/>',
            '<w:r><w:rPr><w:rStyle w:val="CommentReference"/></w:rPr><w:commentReference w:id="0"/></w:r>',
            run(" gilt, "),
            run("der Satz", '<w:i/><w:lang w:val="de-DE"/>'),
            run(" gilt."),
        ),
    ]
)
FEATURES_PARTS = {
    "word/header1.xml": f"{_DECL}<w:hdr {_NSDECL}>{para(run('Das ist die Kopfzeile.'))}</w:hdr>",
    "word/footer1.xml": f"{_DECL}<w:ftr {_NSDECL}>{para(run('Das ist die Fußzeile.'))}</w:ftr>",
    "word/footnotes.xml": notes("footnote", "Das ist eine Fußnote."),
    "word/endnotes.xml": notes("endnote", "Das ist eine Endnote."),
    "word/comments.xml": f'{_DECL}<w:comments {_NSDECL}><w:comment w:id="0" w:author="A">'
    f"{para(run('Das ist ein Kommentar.'))}</w:comment></w:comments>",
}
FEATURES_RELS = [("hyperlink", "https://example.org/", "External")]


def features() -> bytes:
    return package(FEATURES_BODY, FEATURES_PARTS, FEATURES_RELS)


def translate(
    tmp_path: Path, data: bytes, engine: Any = None, glossary: Glossary | None = None, name: str = "a.de.docx"
):
    return translate_document(tmp_path, data, engine or WordEngine(WORDS), glossary, name)


def parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {name: z.read(name) for name in z.namelist()}


def xml(data: bytes, part: str = "word/document.xml") -> Any:
    return etree.fromstring(parts(data)[part])


def texts(root: Any) -> list[str]:
    """Each paragraph's text (w:t and w:delText), outside text boxes' own paragraphs."""
    return [
        "".join(t.text or "" for t in p.iter(f"{_W}t", f"{_W}delText") if _owner(t) is p) for p in root.iter(f"{_W}p")
    ]


def _owner(el: Any) -> Any:
    return next(a for a in el.iterancestors() if a.tag == f"{_W}p")


# --------------------------------------------------------------------------------------------- hand-made documents


def test_every_construct_is_read_as_one_block_per_paragraph_with_its_location() -> None:
    source = open_source(features(), "f.docx")
    blocks = list(source.blocks())
    assert [(b.location, b.paragraph.text) for b in blocks] == [
        ("paragraph 1", "Das ist ein fetter Satz mit Verweis."),  # rsid splits and spelling marks: one text
        ("paragraph 2", "Name: Wert Das ist ein Satz."),  # a tab and a break separate the words
        ("paragraph 3", "Seite gilt. Siehe Verweis. Seite."),  # PAGE/NUMPAGES results kept; a HYPERLINK's translated
        ("paragraph 4", "Hier steht ein Satz."),
        ("paragraph 5 (text box)", "Das ist ein Textfeld."),  # once: its mc:Fallback copy shares the English
        ("paragraph 7 (table 1, row 1, cell 1)", "Die Zelle."),
        ("paragraph 8 (table 1, row 1, cell 2)", "Die Tabelle."),
        ("paragraph 9 (table 1, row 2, cell 1)", "Das Wort."),
        ("paragraph 10 (table 1, row 2, cell 2)", "Der Satz."),
        ("paragraph 11", "Das ist ein Satz. Das ist ein Satz."),
        ("paragraph 12", "Der neue Vertrag gilt."),  # the deleted "alte " is kept out of the model's way
        ("paragraph 13", "Siehe Vertrag."),
        ("paragraph 14", "Das Wort gilt, der Satz gilt."),
        ("header1 paragraph 1", "Das ist die Kopfzeile."),
        ("footer1 paragraph 1", "Das ist die Fußzeile."),
        ("footnote 1", " Das ist eine Fußnote."),
        ("endnote 1", " Das ist eine Endnote."),
        ("comment 0", "Das ist ein Kommentar."),
    ]
    first = blocks[0].paragraph
    assert [(m.kind, m.tag) for m in first.marks] == [
        ("open", "run"),  # the bold word
        ("close", "run"),
        ("open", "hyperlink"),
        ("open", "run"),  # the link's character style
        ("close", "run"),
        ("close", "hyperlink"),
    ]
    doc = read_blocks(blocks)
    assert doc.render(doc.segments) == "".join(b.paragraph.source for b in blocks)  # German renders as itself


def test_runs_hyperlinks_fields_text_boxes_and_notes_come_out_in_english(tmp_path: Path) -> None:
    result, out = translate(tmp_path, features())
    body = xml(out)
    assert texts(body) == [
        "This is a bold sentence with link.",
        "Name:valueThis is a sentence.",  # tab and break in between, no spaces beside them
        "page 3 applies. See link. page 9.",  # the fields' results as Word computed them
        "Here stands a sentence.",
        "This is a text box.",  # mc:Choice
        "This is a text box.",  # mc:Fallback, the same English
        "The cell.",
        "The table.",
        "This word.",
        "The sentence.",
        "This is a sentence. This is a sentence.",
        "The newalte  contract applies.",  # the tracked deletion kept as it was
        "See contract.",
        "This word applies, der sentence applies.",
    ]
    first = body.find("w:body/w:p", NS)
    bold = first.xpath("w:r[w:rPr/w:b]/w:t/text()", namespaces=NS)
    assert bold == ["bold"]
    link = first.find("w:hyperlink", NS)
    assert link.get(f"{{{_REL}}}id") == "rId9" and link.get(f"{_W}history") == "1"
    assert (
        link.xpath("string(.)", namespaces=NS) == "link"
        and link.find("w:r/w:rPr/w:rStyle", NS).get(f"{_W}val") == "Hyperlink"
    )
    assert first.find("w:pPr/w:pStyle", NS).get(f"{_W}val") == "Standard"  # paragraph properties untouched
    assert not first.findall("w:proofErr", NS)  # spelling marks of the German are dropped
    second = body.findall("w:body/w:p", NS)[1]
    assert [c.tag.split("}")[1] for c in second.find("w:r", NS)] == ["rPr", "t", "tab", "t", "br", "t"]
    third = body.findall("w:body/w:p", NS)[2]
    assert third.xpath("string(.//w:instrText[1])", namespaces=NS) == " PAGE "
    assert [c.get(f"{_W}fldCharType") for c in third.iter(f"{_W}fldChar")] == ["begin", "separate", "end"] * 2
    assert third.find("w:fldSimple", NS).get(f"{_W}instr") == " NUMPAGES "
    sdt = body.find(".//w:sdt", NS)
    assert (
        sdt.find("w:sdtPr/w:alias", NS).get(f"{_W}val") == "Feld"
        and sdt.xpath("string(w:sdtContent)", namespaces=NS) == "contract"
    )
    last = body.findall("w:body/w:p", NS)[-1]
    assert [c.tag.split("}")[1] for c in last][:2] == ["bookmarkStart", "commentRangeStart"]
    assert last.xpath("w:r[w:rPr/w:i]/w:t/text()", namespaces=NS) == ["der sentence"]
    assert texts(xml(out, "word/header1.xml")) == ["This is die header."]
    assert texts(xml(out, "word/footer1.xml")) == ["This is die footer."]
    assert texts(xml(out, "word/footnotes.xml")) == ["", "", " This is a footnote."]
    assert texts(xml(out, "word/endnotes.xml")) == ["", "", " This is a endnote."]
    assert texts(xml(out, "word/comments.xml")) == ["This is a comment."]
    assert [s.location for s in result.segments][:3] == ["paragraph 1", "paragraph 2", "paragraph 3"]
    # everything else byte for byte
    before, after = parts(features()), parts(out)
    assert list(before) == list(after)
    assert {n for n in before if before[n] != after[n]} == {
        "word/document.xml",
        "word/header1.xml",
        "word/footer1.xml",
        "word/footnotes.xml",
        "word/endnotes.xml",
        "word/comments.xml",
    }
    assert after["word/document.xml"].startswith(_DECL.encode())  # Word's declaration as it was


def test_translated_runs_are_marked_english_and_the_styles_stay(tmp_path: Path) -> None:
    _, out = translate(tmp_path, features())
    body = xml(out)
    langs = {lang.get(f"{_W}val") for lang in body.iter(f"{_W}lang")}
    assert langs == {"en-US"}  # explicit de-DE replaced, and added where the styles make the text German
    assert all(
        r.find("w:rPr/w:lang", NS) is not None
        for r in body.iter(f"{_W}r")
        if r.find("w:t", NS) is not None
        and r.getparent().tag != f"{_W}del"
        and "3" != r.findtext("w:t", namespaces=NS) != "9"
    )
    assert parts(out)["word/styles.xml"] == STYLES_DE.encode()
    # a document whose styles are not German: runs without a language stay without one
    english_styles = STYLES_DE.replace("de-DE", "en-GB")
    _, out = translate(tmp_path, package(para(run("Das ist "), run("ein Satz.", BOLD)), styles=english_styles))
    assert not list(xml(out).iter(f"{_W}lang"))


def test_identity_round_trip_keeps_every_entry(tmp_path: Path) -> None:
    data = features()
    _, out = translate(tmp_path, data, engine=EchoEngine())
    assert parts(out) == parts(data)


def test_spaces_around_atoms_follow_the_german(tmp_path: Path) -> None:
    sym = '<w:r><w:sym w:font="Symbol" w:char="F0B7"/></w:r>'
    body = para(run("Das ist "), sym, run(" ein Wort.")) + para(
        run("Das ist "), '<w:bookmarkStart w:id="3" w:name="b"/>', run("ein Wort."), '<w:bookmarkEnd w:id="3"/>'
    )
    _, out = translate(tmp_path, package(body))
    first, second = xml(out).findall("w:body/w:p", NS)
    assert "".join(first.xpath(".//w:t/text()", namespaces=NS)) == "This is  a word."  # a symbol between spaces
    assert "".join(second.xpath(".//w:t/text()", namespaces=NS)) == "This is a word."  # a bookmark takes no space


def test_words_beside_a_break_or_a_field_stay_apart_for_the_model_and_the_document_keeps_its_spacing(
    tmp_path: Path,
) -> None:
    body = para(run("Das Wort ", BOLD), f"<w:r><w:rPr>{BOLD}</w:rPr><w:br/></w:r>", run("(Der Satz)")) + para(
        run("Der Vertrag Nr. "), field("FORMTEXT", "\u2002\u2002"), run("gilt.")
    )
    source = open_source(package(body), "spacing.docx")
    assert [b.paragraph.text for b in source.blocks()] == ["Das Wort (Der Satz)", "Der Vertrag Nr. gilt."]
    _, same = translate(tmp_path, package(body), engine=EchoEngine())
    assert parts(same) == parts(package(body))  # the spaces the model saw are not the document's
    _, out = translate(tmp_path, package(body))
    first, second = xml(out).findall("w:body/w:p", NS)
    assert "".join(first.xpath(".//w:t/text()", namespaces=NS)) == "This word(The sentence)"  # none beside a break
    assert [c.tag.split("}")[1] for c in first.find("w:r", NS)] == ["rPr", "t", "br"]
    # as in the German: no space after the field
    assert "".join(second.xpath(".//w:t/text()", namespaces=NS)) == "The contract Nr. \u2002\u2002applies."


def test_a_text_box_copy_of_another_structure_is_a_block_of_its_own() -> None:
    box = text_box("Das ist ein Textfeld.").replace(
        "<v:textbox><w:txbxContent><w:p><w:r><w:t>Das ist ein Textfeld.</w:t></w:r></w:p>",
        "<v:textbox><w:txbxContent>" + para(run("Das ist ein "), run("Textfeld", BOLD), run(".")),
    )
    blocks = list(open_source(package(para(run("Hier steht "), box, run("ein Satz."))), "box.docx").blocks())
    assert [(b.location, b.paragraph.text) for b in blocks] == [
        ("paragraph 1", "Hier steht ein Satz."),
        ("paragraph 2 (text box)", "Das ist ein Textfeld."),
        ("paragraph 2 (text box) (fallback copy)", "Das ist ein Textfeld."),  # its own structure: translated apart
    ]


def test_a_glossary_term_inside_a_bold_run_is_enforced(tmp_path: Path) -> None:
    glossary = Glossary((Term("Vertrag", "agreement"),))
    body = para(run("Der "), run("Vertrag", BOLD), run(" gilt.")) + para(run("Der Vertrag gilt.", BOLD))
    result, out = translate(tmp_path, package(body), glossary=glossary)
    first, second = xml(out).findall("w:body/w:p", NS)
    assert first.xpath("w:r[w:rPr/w:b]/w:t/text()", namespaces=NS) == ["agreement"]
    assert "".join(first.xpath(".//w:t/text()", namespaces=NS)) == "The agreement applies."
    assert "".join(second.xpath(".//w:t/text()", namespaces=NS)) == "The agreement applies."
    assert [c.status for s in result.segments for c in s.checks] == ["enforced", "enforced"]


def test_a_field_over_several_paragraphs_keeps_its_codes_and_translates_its_result(tmp_path: Path) -> None:
    body = para(
        _fld("begin"),
        '<w:r><w:instrText xml:space="preserve"> TOC \\o "1-3" </w:instrText></w:r>',
        _fld("separate"),
        run("Das Wort"),
        "<w:r><w:tab/></w:r>",
        field("PAGEREF _Toc1 \\h", "3"),
    ) + para(run("Der Satz"), "<w:r><w:tab/></w:r>", field("PAGEREF _Toc2 \\h", "4"), _fld("end"))
    source = open_source(package(body), "toc.docx")
    assert [b.paragraph.text for b in source.blocks()] == ["Das Wort", "Der Satz"]
    _, out = translate(tmp_path, package(body))
    first, second = xml(out).findall("w:body/w:p", NS)
    assert texts(xml(out)) == ["This word3", "The sentence4"]
    assert [c.get(f"{_W}fldCharType") for p in (first, second) for c in p.iter(f"{_W}fldChar")] == [
        "begin",
        "separate",
        "begin",
        "separate",
        "end",
        "begin",
        "separate",
        "end",
        "end",
    ]


def test_rebuilding_every_paragraph_from_its_german_keeps_text_and_formatting() -> None:
    """The writer on the German itself: every paragraph rebuilt from its own source has the same characters with
    the same run properties, containers and atoms (runs merged, spelling marks dropped)."""
    for data, name in [(features(), "features"), *((p.read_bytes(), p.name) for p in REAL)]:
        source = open_source(data, name)
        for part in source._parts:  # the parts it translates
            for p in list(etree.fromstring(parts(data)[part.name]).iter(f"{_W}p")):
                before = flatten(p)
                tagged, base = tag_paragraph(p)
                write_paragraph(p, tagged, base, tagged.source, german_styles=False, english=False)
                assert flatten(p) == before, (name, part.name)


_DROPPED = {f"{_W}proofErr", f"{_W}lastRenderedPageBreak", f"{_W}softHyphen"}


def flatten(p: Any) -> list[tuple[Any, ...]]:
    """A paragraph as (character or element tag, run properties, containers) in order — what it shows."""
    out: list[tuple[Any, ...]] = []

    def walk(el: Any, containers: tuple[str, ...]) -> None:
        for child in el:
            tag = child.tag
            if tag in _DROPPED or tag == f"{_W}pPr":
                continue
            if tag == f"{_W}r":
                rpr = child.find("w:rPr", NS)
                key = _key(rpr)
                for piece in child:
                    if piece.tag == f"{_W}t":
                        text = piece.text or ""
                        if piece.get("{http://www.w3.org/XML/1998/namespace}space") != "preserve":
                            text = text.strip(" \t\r\n")
                        out.extend((ch, key, containers) for ch in text)
                    elif piece.tag == f"{_W}noBreakHyphen":
                        out.append(("-", key, containers))
                    elif piece.tag not in _DROPPED and piece.tag != f"{_W}rPr":
                        out.append((_c14n(piece), key, containers))
            elif tag in (
                f"{_W}hyperlink",
                f"{_W}ins",
                f"{_W}moveTo",
                f"{_W}smartTag",
                f"{_W}customXml",
                f"{_W}dir",
                f"{_W}bdo",
                f"{_W}fldSimple",
            ):
                walk(child, (*containers, etree.tostring(child, method="c14n").split(b">")[0]))
            elif tag == f"{_W}sdt":
                content = child.find("w:sdtContent", NS)
                walk(content if content is not None else child, (*containers, b"sdt"))
            elif isinstance(tag, str) and tag in (f"{_W}bookmarkStart", f"{_W}bookmarkEnd") and _go_back(p, child):
                continue
            else:
                out.append((_c14n(child), (), containers))

    walk(p, ())
    return out


def _c14n(el: Any) -> bytes:
    """Exclusive XML canonical form (a namespace declaration an element repeats from its ancestors is no change)."""
    return bytes(etree.tostring(el, method="c14n", exclusive=True, with_tail=False))


def _key(rpr: Any) -> tuple[Any, ...]:
    """Run properties as they look: without the spell-check language, w:noProof and w:rFonts' w:hint."""
    if rpr is None:
        return ()
    rpr = copy.deepcopy(rpr)
    for fonts in rpr.iter(f"{_W}rFonts"):
        fonts.attrib.pop(f"{_W}hint", None)
    return tuple(_c14n(c) for c in rpr if c.tag not in (f"{_W}lang", f"{_W}noProof"))


def _go_back(p: Any, mark: Any) -> bool:
    ids = {b.get(f"{_W}id") for b in p.iter(f"{_W}bookmarkStart") if b.get(f"{_W}name") == "_GoBack"}
    return mark.get(f"{_W}id") in ids


# --------------------------------------------------------------------------------------------- the main part in pieces


def _read_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    """The main part parsed whole, as every other part (what a part without a layout gets)."""
    monkeypatch.setattr("glossator.translate.formats.docx._scan", lambda chunks: None)


def _same_xml(a: bytes, b: bytes) -> bool:
    return bool(etree.tostring(etree.fromstring(a)) == etree.tostring(etree.fromstring(b)))


@pytest.mark.parametrize("name", ["features", *(p.name for p in REAL)])
def test_the_main_part_read_in_pieces_gives_the_xml_of_the_whole_tree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """Reading word/document.xml one top-level element at a time (each let go once its paragraphs are put) writes
    the same XML as parsing and writing the whole tree: same elements, attributes, text and namespaces (the part's
    bytes spooled to a temporary file here, as a large part's are)."""
    data = features() if name == "features" else (DATA / name).read_bytes()
    monkeypatch.setattr("glossator.translate.formats.docx.SPOOL_BYTES", 256)  # the part's bytes go to a file
    source = open_source(data, name)
    assert source._parts[0].layout is not None and len(source._parts[0].layout.starts) > 1
    assert source._parts[0].store._rolled
    (tmp_path / "pieces").mkdir()
    (tmp_path / "whole").mkdir()
    _, pieces = translate(tmp_path / "pieces", data)
    _read_whole(monkeypatch)
    assert open_source(data, name)._parts[0].layout is None
    _, whole = translate(tmp_path / "whole", data)
    assert pieces != data
    for (entry, ours), (other_entry, theirs) in zip(zip_entries(pieces), zip_entries(whole), strict=True):
        assert entry == other_entry
        if ours != theirs:
            assert entry == "word/document.xml" and _same_xml(ours, theirs), entry


def test_pieces_nobody_translated_keep_their_bytes(tmp_path: Path) -> None:
    """Only the pieces with an English paragraph are written by lxml; the rest of the part — the declaration, the
    root's and the body's start tags, a comment, a paragraph without words written with single quotes and odd
    spacing — keeps its bytes."""
    odd = "<w:p  ><w:r><w:t xml:space='preserve'>4711 </w:t></w:r></w:p>"
    body = para(run("Das ist ein Satz.")) + odd + "\n<!-- ein Kommentar -->\n" + para(run("Der Satz."))
    data = package(body)
    _, out = translate(tmp_path, data)
    german, english = parts(data)["word/document.xml"], parts(out)["word/document.xml"]
    head = german[: german.index(b"<w:body>") + len(b"<w:body>")]
    assert english.startswith(head)
    assert english.endswith(b"<w:sectPr/></w:body></w:document>")
    assert (odd + "\n<!-- ein Kommentar -->\n").encode() in english
    assert texts(etree.fromstring(english)) == ["This is a sentence.", "4711 ", "The sentence."]


def test_a_piece_is_let_go_once_its_blocks_are_put() -> None:
    """Blocks put as they come: at most the piece being read is held (the part's tree never is); blocks kept
    back and put later, in any order, still land, and a block put twice has its last English."""
    body = "".join(para(run(f"Das ist ein Satz {n}.")) for n in range(40))
    source = open_source(package(body), "a.docx")
    held = []
    for block in source.blocks():
        source.put(block, block.paragraph.source.replace("Das ist ein Satz", "This is a sentence"))
        held.append(len(source._held))
    assert max(held) == 1 and not source._held
    assert texts(xml(source.dump()))[:40] == [f"This is a sentence {n}." for n in range(40)]

    source = open_source(package(body), "a.docx")
    blocks = list(source.blocks())  # a window: every piece of these blocks held until they are put
    assert len(source._held) == 40
    for block in reversed(blocks):
        source.put(block, block.paragraph.source.replace("Das ist", "This is"))
    assert not source._held
    source.put(blocks[3], "Here is sentence 3.")  # its piece was let go: written again
    english = texts(xml(source.dump()))
    assert english[3] == "Here is sentence 3."
    assert english[:3] + english[4:40] == [f"This is ein Satz {n}." for n in range(40) if n != 3]


def test_a_long_document_is_held_a_window_at_a_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Through ``translate_files``: a document goes in windows of ``STRUCTURED_WINDOW_CHARS`` and only the pieces
    of the window in flight are parsed, however long the document (here 120 paragraphs, windows of ~5)."""
    from glossator.translate.formats.docx import DocxSource

    monkeypatch.setattr("glossator.api.STRUCTURED_WINDOW_CHARS", 100)
    held: list[int] = []
    put = DocxSource.put

    def counting(self: DocxSource, block: Any, rendered: str) -> None:
        held.append(len(self._held))
        put(self, block, rendered)

    monkeypatch.setattr(DocxSource, "put", counting)
    body = "".join(para(run(f"Das ist ein Satz {n}.")) for n in range(120))
    _, out = translate(tmp_path, package(body))
    assert len(held) == 120 and max(held) <= 8
    assert texts(xml(out))[:120] == [f"This is a sentence {n}." for n in range(120)]


def test_the_layout_finds_each_top_level_element() -> None:
    paragraph = para(run("Das ist ein Satz."))
    table = "<w:tbl><w:tr><w:tc><w:p/></w:tc></w:tr></w:tbl>"
    document = (
        f'{_DECL}<w:document {_NSDECL}><w:background w:color="FFFFFF"/>\n<w:body><w:p/><!--x--><?pi y?>'
        f"{paragraph} {table}<w:sectPr/></w:body></w:document>\r\n"
    ).encode()
    layout = _layout(document)
    assert layout is not None
    found = [document[a:b] for a, b in zip(layout.starts, layout.ends, strict=True)]
    assert found == [b'<w:background w:color="FFFFFF"/>', b"<w:p/>", paragraph.encode(), table.encode(), b"<w:sectPr/>"]
    assert layout.outside == {0}
    assert document[layout.root_start : layout.root_end] == f"<w:document {_NSDECL}>".encode()
    assert document[layout.body_start : layout.body_end] == b"<w:body>"
    assert layout.size == len(document) and layout.root_tag == f"{{{W}}}document"
    # read whole instead: no body, a DOCTYPE, UTF-16, not XML
    assert _layout(f"<w:document {_NSDECL}/>".encode()) is None
    assert _layout(b'<!DOCTYPE d [<!ENTITY x "y">]>' + document[document.index(b"<w:document") :]) is None
    assert _layout(document.decode().replace("UTF-8", "UTF-16").encode("utf-16")) is None
    assert _layout(document[:-40]) is None


def test_a_main_part_read_whole_is_translated_the_same(tmp_path: Path) -> None:
    """A UTF-16 document.xml (no layout: the pieces need an ASCII-compatible encoding) is parsed whole."""
    data = parts(package(para(run("Das ist ein Satz.")) + para(run("Der Satz."))))
    data["word/document.xml"] = data["word/document.xml"].decode().replace("UTF-8", "UTF-16").encode("utf-16")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, value in data.items():
            z.writestr(name, value)
    source = open_source(out.getvalue(), "a.docx")
    assert source._parts[0].layout is None
    _, english = translate(tmp_path, out.getvalue())
    assert texts(xml(english))[:2] == ["This is a sentence.", "The sentence."]


# --------------------------------------------------------------------------------------------- bad packages


def _without(data: bytes, entry: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as z, zipfile.ZipFile(out, "w") as target:
        for info in z.infolist():
            if info.filename != entry:
                target.writestr(info, z.read(info))
    return out.getvalue()


def _ole(*streams: str) -> bytes:
    """The start of an OLE compound file whose directory names *streams* (as Office writes them, UTF-16)."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    return header + b"".join(s.encode("utf-16-le") + bytes(64 - 2 * len(s)) for s in streams) + bytes(1024)


SETTINGS_RELS = (
    f'{_DECL}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{_REL}/attachedTemplate" '
    'Target="file:///C:/Users/x/AppData/Roaming/Microsoft/Templates/Brief.dotm" TargetMode="External"/>'
    "</Relationships>"
)
BAD = {
    "not a zip": (b"Das ist kein Word-Dokument.\n", "not a valid Word Document (.docx) file (broken zip"),
    "truncated": (features()[:1500], "not a valid Word Document (.docx) file (broken zip"),
    "encrypted": (_ole("EncryptionInfo", "EncryptedPackage"), "password-protected"),
    "old .doc": (_ole("WordDocument", "1Table"), "old binary Word file"),
    "docm": (
        package(para(run("Das ist ein Satz.")), main_type="application/vnd.ms-word.document.macroEnabled.main+xml"),
        "holds macros (word/document.xml)",  # its content type says so
    ),
    "macro part": (
        package(para(run("Das ist ein Satz.")), extra={"word/vbaProject.bin": b"\x00" * 64}),
        "holds macros (word/vbaProject.bin)",
    ),
    "template link": (
        package(
            para(run("Das ist ein Satz.")),
            extra={"word/settings.xml": b"<x/>", "word/_rels/settings.xml.rels": SETTINGS_RELS.encode()},
        ),
        "word/settings.xml links to an external attachedTemplate (file:///C:/Users/x/AppData/Roaming/Microsoft/",
    ),
    "linked picture": (
        package(para(run("Das ist ein Satz.")), rels=[("image", "http://example.org/a.png", "External")]),
        "word/document.xml links to an external image (http://example.org/a.png)",
    ),
    "no document part": (_without(features(), "word/document.xml"), "word/document.xml"),
    "broken xml": (package("<w:p><w:r><w:t>Das ist</w:r></w:p>"), "word/document.xml: not well-formed XML"),
    # the main part is read in pieces later, but checked whole first: a late error refuses the file at once
    "broken xml after 60 paragraphs": (
        package(para(run("Das ist ein Satz.")) * 60 + "<w:p><w:r><w:t>Das ist</w:r></w:p>"),
        "word/document.xml: not well-formed XML",
    ),
}


def _strict() -> bytes:
    data = parts(package(para(run("Das ist ein Satz."))))
    data["word/document.xml"] = data["word/document.xml"].replace(
        W.encode(), b"http://purl.oclc.org/ooxml/wordprocessingml/main"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, value in data.items():
            z.writestr(name, value)
    return out.getvalue()


BAD["strict"] = (_strict(), "Strict Open XML")


REAL_BAD = {
    "poi-bug53475-password-is-pass.docx": "the Word file is password-protected (encrypted)",
    "poi-SimpleMacro.docm": "the Word file holds macros (word/document.xml)",
    "poi-ExternalEntityInText.docx": "word/document.xml: the XML declares entities",
}
for _name, _message in REAL_BAD.items():
    BAD[f"real {_name}"] = ((DATA / "bad" / _name).read_bytes(), _message)


@pytest.mark.parametrize("case", sorted(BAD), ids=str)
def test_bad_packages_are_refused_with_one_line_exit_3_and_nothing_written(tmp_path: Path, case: str) -> None:
    data, message = BAD[case]
    with pytest.raises(InputError) as error:
        open_source(data, "bad.docx")
    assert message in str(error.value) and "\n" not in str(error.value)
    source = tmp_path / "bad.de.docx"
    source.write_bytes(data)
    result = run_cli(["translate", str(source), "-o", str(tmp_path / "out.docx")])
    assert result.exit_code == 3, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and message in lines[0], result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.de.docx"]


# --------------------------------------------------------------------------------------------- independent readers


def structure(data: bytes) -> dict[str, Any]:
    """What python-docx 1.2 (an independent parser) reads of a document: paragraphs, tables and their cells,
    hyperlinks with their relationship ids, and per paragraph the number of bold/italic/underlined stretches."""
    document = docx.Document(io.BytesIO(data))

    def stretches(paragraph: Any) -> tuple[int, int, int]:
        counts = []
        for attribute in ("bold", "italic", "underline"):
            flags = [bool(getattr(r, attribute)) for r in paragraph.runs if r.text.strip()]
            counts.append(sum(1 for k, on in enumerate(flags) if on and (k == 0 or not flags[k - 1])))
        return counts[0], counts[1], counts[2]

    def cells(table: Any) -> list[int]:
        return [len(row.cells) for row in table.rows]

    return {
        "paragraphs": len(document.paragraphs),
        "tables": [cells(t) for t in document.tables],
        "cell paragraphs": [len(c.paragraphs) for t in document.tables for row in t.rows for c in row.cells],
        "hyperlinks": [(h.address, h.fragment) for p in document.paragraphs for h in p.hyperlinks],
        "hyperlink ids": [h._hyperlink.rId for p in document.paragraphs for h in p.hyperlinks],
        "formatting": [stretches(p) for p in document.paragraphs],
        "sections": len(document.sections),
        "styles": [p.style.name if p.style is not None else None for p in document.paragraphs],
    }


def test_python_docx_reads_the_same_structure_back(tmp_path: Path) -> None:
    _, out = translate(tmp_path, features())
    before, after = structure(features()), structure(out)
    assert after == before
    assert after["hyperlinks"] == [("https://example.org/", "")] and after["formatting"][0] == (1, 0, 0)
    english = docx.Document(io.BytesIO(out)).paragraphs[0]
    assert [r.text for r in english.runs if r.bold] == ["bold"]
    assert [h.text for h in english.hyperlinks] == ["link"]


@pytest.fixture(scope="module")
def libreoffice() -> str:
    return require_tool("soffice")


def pdf_texts(soffice: str, files: list[Path], out: Path) -> dict[str, str]:
    """Each file converted to PDF by LibreOffice headless (its own profile), and to plain text to read back."""
    profile = (out / "profile").as_uri()
    results: dict[str, str] = {}
    for target in ("pdf", "txt:Text"):
        done = subprocess.run(
            [
                soffice,
                f"-env:UserInstallation={profile}",
                "--headless",
                "--convert-to",
                target,
                "--outdir",
                str(out),
                *map(str, files),
            ],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, done.stderr
    for path in files:
        pdf = out / (path.stem + ".pdf")
        assert pdf.is_file() and pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 1000, (path, done.stderr)
        results[path.name] = (out / (path.stem + ".txt")).read_text(encoding="utf-8-sig")
    return results


def test_libreoffice_converts_every_translated_docx_to_pdf(tmp_path: Path, libreoffice: str) -> None:
    translated = []
    for name, data in [("features.de.docx", features()), *((p.name, p.read_bytes()) for p in REAL)]:
        _, out = translate(tmp_path, data, name=name if ".de." in name else name.replace(".docx", ".de.docx"))
        path = tmp_path / "en" / name.replace(".de.", ".en.")
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(out)
        translated.append(path)
    shown = pdf_texts(libreoffice, translated, tmp_path / "pdf")
    assert "This is a bold sentence with link." in shown["features.en.docx"]
    assert "The cell." in shown["features.en.docx"] and "See contract." in shown["features.en.docx"]


# --------------------------------------------------------------------------------------------- real documents


class UpperEngine(WordEngine):
    """Every German word "translated" to itself in capitals, with an exact alignment: where each formatting span
    lands in the English is known exactly."""

    def english(self, sentence: str) -> list[tuple[str, int]]:
        return [(word.upper(), index) for index, word in enumerate(self._split(sentence))]


def formatted(data: bytes) -> list[list[tuple[str, str]]]:
    """Per paragraph (python-docx), its bold, italic and underlined stretches of text, whitespace collapsed."""
    out = []
    for paragraph in docx.Document(io.BytesIO(data)).paragraphs:
        stretches: list[tuple[str, str]] = []
        for attribute in ("bold", "italic", "underline"):
            current: list[str] = []
            for r in [*paragraph.runs, None]:
                if r is not None and bool(getattr(r, attribute)):
                    current.append(r.text)
                elif r is None or r.text.strip():
                    if "".join(current).strip():
                        stretches.append((attribute, " ".join("".join(current).split())))
                    current = []
        out.append(stretches)
    return out


def test_the_real_files_are_there_and_small() -> None:
    assert len(REAL) >= 4
    assert all(p.stat().st_size < 200_000 for p in REAL)
    assert open_source((DATA / "onlyoffice-beispieldokument.docx").read_bytes(), "x.docx").warnings == [
        "charts kept in German: Glossator translates the text of paragraphs, tables, text boxes, headers, footers, "
        "notes and comments"
    ]


@pytest.mark.parametrize("path", REAL, ids=lambda p: p.name)
def test_real_document_identity_round_trip_keeps_every_entry(tmp_path: Path, path: Path) -> None:
    _, out = translate(tmp_path, path.read_bytes(), engine=EchoEngine())
    assert parts(out) == parts(path.read_bytes())


@pytest.mark.parametrize("path", REAL, ids=lambda p: p.name)
def test_real_document_keeps_its_structure_and_formatting_on_the_translated_words(tmp_path: Path, path: Path) -> None:
    german = path.read_bytes()
    result, out = translate(tmp_path, german, engine=UpperEngine())
    assert structure(out) == structure(german)  # paragraphs, tables, cells, hyperlinks and their ids, styles …
    # every bold/italic/underlined stretch on the English of its German words: whole words (a span inside a word
    # takes the word: "**Office365**-Editoren"), punctuation at its edges outside it, as the projection places it
    for german_stretches, english_stretches in zip(formatted(german), formatted(out), strict=True):
        assert [kind for kind, _ in english_stretches] == [kind for kind, _ in german_stretches]
        for (_, text), (_, english) in zip(german_stretches, english_stretches, strict=True):
            assert re.sub(r"^\W+|\W+$", "", text.upper()) in english, (text, english)
    before, after = parts(german), parts(out)
    changed = {name for name in before if before[name] != after[name]}
    assert changed and all(
        re.fullmatch(r"word/(document|header\d*|footer\d*|footnotes|endnotes|comments)\.xml", n) for n in changed
    ), changed
    assert list(after) == list(before)
    # no sentence kept in German (a span is placed by position where no word is aligned: a code line of one token)
    assert not [s.location for s in result.segments if any("kept untranslated" in w for w in s.warnings)]


@pytest.fixture
def small_model() -> None:
    """The project's small real model, installed the way a user installs a package file."""
    result = run_cli(["models", "install", str(SMALL_MODEL)])
    assert result.exit_code == 0, result.stderr


@pytest.mark.slow
def test_real_documents_translated_by_the_small_model_keep_their_structure(small_model: None, tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    for path in REAL:
        (inputs / path.name.replace(".docx", ".de.docx")).write_bytes(path.read_bytes())
    result = run_cli(["translate", str(inputs), "-o", str(tmp_path / "out"), "--json", "--quiet"])
    assert result.exit_code == 0, result.stderr
    reports = {Path(r["name"]).name: r for r in json.loads(result.stdout)}
    kept = stretches = 0
    for path in REAL:
        german = path.read_bytes()
        english = (tmp_path / "out" / path.name.replace(".docx", ".en.docx")).read_bytes()
        before, after = structure(german), structure(english)
        assert {k: v for k, v in after.items() if k != "formatting"} == {
            k: v for k, v in before.items() if k != "formatting"
        }, path.name
        segments = reports[path.name.replace(".docx", ".de.docx")]["segments"]
        assert len(segments) == len(read_blocks(list(open_source(german, path.name).blocks())).segments)
        assert all(s["location"] for s in segments)
        for g, e in zip(before["formatting"], after["formatting"], strict=True):
            stretches += sum(g)
            kept += sum(min(a, b) for a, b in zip(g, e, strict=True))
    # the model drops or merges a formatted word now and then (a small model: BLEU 9); the spans themselves are
    # never lost (every mark is placed exactly once), but a span on no English word shows nothing
    print(f"formatted stretches kept: {kept} of {stretches}")
    assert kept >= 0.85 * stretches, (kept, stretches)
