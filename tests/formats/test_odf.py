"""OpenDocument text and presentations (translate/formats/odf.py): paragraphs with their spans and atoms, the
English put back into the same elements, every other package entry byte for byte; read back with odfpy (an
independent parser) and opened by LibreOffice, which must convert every translated file to PDF.

Real files: tests/data/formats/odt and odp (README.md there has their provenance); the constructs they lack are
built here as small packages by hand."""

from __future__ import annotations

import dataclasses
import io
import re
import subprocess
import zipfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from clirun import run_cli
from fakes import WordEngine
from format_tools import require_tool
from paths import REPO, SMALL_MODEL

from glossator import Translator
from glossator.common.errors import InputError
from glossator.common.settings import Settings
from glossator.glossary.model import Glossary, Term
from glossator.translate.engine import Hypothesis
from glossator.translate.formats import open_source

DATA = REPO / "tests" / "data" / "formats"
REAL = sorted((DATA / "odt").glob("*.odt")) + sorted((DATA / "odp").glob("*.odp"))

TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
NAMESPACES = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" '
    'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
    'xmlns:presentation="urn:oasis:names:tc:opendocument:xmlns:presentation:1.0" '
    'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:xlink="http://www.w3.org/1999/xlink" office:version="1.2"'
)
STYLES = (
    '<office:automatic-styles><style:style style:name="T1" style:family="text"><style:text-properties '
    'fo:font-weight="bold"/></style:style><style:style style:name="T2" style:family="text"><style:text-properties '
    'fo:font-style="italic"/></style:style></office:automatic-styles>'
)
WORDS = {
    "Die": "The", "Der": "The", "Das": "This", "das": "the", "ist": "is", "ein": "a", "Ein": "A", "Satz": "sentence",
    "fett": "bold", "und": "and", "kursiv": "italic", "gut": "good", "mit": "with", "Link": "link", "Zeile": "line",
    "zwei": "two", "Fußnote": "footnote", "Kopfzeile": "Header", "Fußzeile": "Footer", "Mein": "My", "Titel": "title",
    "Überschrift": "heading", "Folie": "slide", "Notiz": "note", "Bild": "picture", "Tabelle": "table",
    "Zelle": "cell", "Rahmen": "frame", "Text": "text", "Dialog": "dialog", "beginnt": "begins", "heute": "today",
    "Firma": "Company", "Kommentar": "comment", "gelöscht": "deleted", "Liste": "list", "Punkt": "item",
    "Seite": "Page", "Hallo": "Hello", "Welt": "world",
}  # fmt: skip


def _package(
    body: str,
    family: str = "text",
    master: str = "",
    meta: str = "<dc:title>Mein Titel</dc:title>",
    extra: dict[str, bytes] | None = None,
    mimetype: str | None = None,
    manifest: str = "",
) -> bytes:
    """A small ODF package written by hand: mimetype first and stored, as the specification says."""
    mimetype = mimetype or f"application/vnd.oasis.opendocument.{family}"
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content {NAMESPACES}>{STYLES}'
        f"<office:body><office:{family}>{body}</office:{family}></office:body></office:document-content>"
    )
    styles = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-styles {NAMESPACES}><office:master-styles>'
        f"{master}</office:master-styles></office:document-styles>"
    )
    meta_xml = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-meta {NAMESPACES}><office:meta>{meta}'
        "</office:meta></office:document-meta>"
    )
    manifest_xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:'
        f'xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" '
        f'manifest:media-type="{mimetype}"/><manifest:file-entry manifest:full-path="content.xml" '
        'manifest:media-type="text/xml"/><manifest:file-entry manifest:full-path="styles.xml" '
        'manifest:media-type="text/xml"/><manifest:file-entry manifest:full-path="meta.xml" '
        f'manifest:media-type="text/xml"/>{manifest}</manifest:manifest>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr(zipfile.ZipInfo("mimetype"), mimetype)  # stored
        parts = {"content.xml": content, "styles.xml": styles, "meta.xml": meta_xml}
        for name, text in parts.items():
            package.writestr(name, text, compress_type=zipfile.ZIP_DEFLATED)
        for name, data in (extra or {}).items():
            package.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)
        package.writestr("META-INF/manifest.xml", manifest_xml, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


ODT_BODY = (
    '<text:h text:outline-level="1">Die Überschrift</text:h>'
    '<text:p>Das ist <text:span text:style-name="T1">fett</text:span><text:span text:style-name="T1"> und</text:span>'
    ' gut.<text:s text:c="3"/>Ein Satz<text:note text:id="ftn1" text:note-class="footnote"><text:note-citation>1'
    "</text:note-citation><text:note-body><text:p>Die Fußnote.</text:p></text:note-body></text:note> mit "
    '<text:a xlink:type="simple" xlink:href="https://example.org/">Link</text:a>.<text:line-break/>Zeile '
    '<text:tab/>zwei <text:bookmark text:name="m1"/><text:span text:style-name="T2">kursiv</text:span>.</text:p>'
    "<text:p>\n   Hallo   \n  Welt  </text:p>"
    '<table:table table:name="Tabelle1"><table:table-column/><table:table-row><table:table-cell '
    'office:value-type="string"><text:p>Die Zelle.</text:p></table:table-cell></table:table-row></table:table>'
    "<text:list><text:list-item><text:p>Ein Punkt der Liste.</text:p></text:list-item></text:list>"
    '<text:p>Der Rahmen<draw:frame draw:name="R1" text:anchor-type="paragraph" svg:width="5cm" svg:height="2cm">'
    "<draw:text-box><text:p>Text im Rahmen.</text:p></draw:text-box></draw:frame> ist gut.</text:p>"
    "<text:p>Das ist ein Satz.<office:annotation><dc:creator>A</dc:creator><text:p>Kommentar</text:p>"
    "</office:annotation></text:p>"
)
ODT_MASTER = (
    '<style:master-page style:name="Standard" style:page-layout-name="pm1"><style:header><text:p>Kopfzeile '
    "<text:page-number>1</text:page-number></text:p></style:header><style:footer><text:p>Fußzeile</text:p>"
    "</style:footer></style:master-page>"
)
ODP_BODY = (
    '<presentation:footer-decl presentation:name="ftr1">Firma</presentation:footer-decl>'
    '<draw:page draw:name="page1" draw:master-page-name="Default" presentation:use-footer-name="ftr1">'
    '<draw:frame presentation:class="title" svg:x="1cm" svg:y="1cm" svg:width="20cm" svg:height="3cm"><draw:text-box>'
    '<text:p>Die <text:span text:style-name="T1">Folie</text:span></text:p></draw:text-box></draw:frame>'
    '<draw:frame svg:x="1cm" svg:y="5cm" svg:width="20cm" svg:height="10cm"><draw:text-box><text:list><text:list-item>'
    "<text:p>Ein Satz mit Text.</text:p></text:list-item></text:list></draw:text-box></draw:frame>"
    '<presentation:notes><draw:frame svg:x="1cm" svg:y="1cm" svg:width="10cm" svg:height="5cm">'
    "<draw:text-box><text:p>Die Notiz.</text:p></draw:text-box></draw:frame></presentation:notes></draw:page>"
    '<draw:page draw:name="Einleitung" draw:master-page-name="Default"><draw:custom-shape svg:x="1cm" svg:y="1cm" '
    'svg:width="5cm" svg:height="5cm"><svg:desc>Das Bild</svg:desc><text:p>Der Text</text:p>'
    '<draw:enhanced-geometry draw:type="rectangle"/></draw:custom-shape></draw:page>'
)
ODP_MASTER = (
    '<style:master-page style:name="Default"><draw:frame svg:x="1cm" svg:y="18cm" svg:width="10cm" '
    'svg:height="1cm"><draw:text-box><text:p>Die Firma</text:p></draw:text-box></draw:frame></style:master-page>'
)


class Echo(WordEngine):
    """Gives every German sentence back exactly as it came (WordEngine's own text joins words with plain spaces:
    a no-break space or a space before a semicolon would change), with WordEngine's exact alignment."""

    def translate(self, sentences: Sequence[str], **options: Any) -> list[list[Hypothesis]]:
        out = super().translate(sentences, **options)
        return [[dataclasses.replace(h, text=s) for h in hyps] for s, hyps in zip(sentences, out, strict=True)]


def _settings(tmp_path: Path) -> Settings:
    return Settings(packages_dir=tmp_path / "packages", cache_dir=tmp_path / "cache", use_cache=False)


def _translate(
    tmp_path: Path,
    data: bytes,
    name: str = "doc.de.odt",
    engine: WordEngine | None = None,
    glossary: Glossary | None = None,
) -> tuple[Any, bytes]:
    source = tmp_path / name
    source.write_bytes(data)
    target = tmp_path / name.replace(".de.", ".en.")
    with Translator(settings=_settings(tmp_path), engine=engine or WordEngine(WORDS), glossary=glossary) as t:
        result = t.translate_file(source, target)
    return result, target.read_bytes()


def _entries(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return {name: package.read(name) for name in package.namelist()}


def _odfpy(data: bytes) -> Any:
    from odf.opendocument import load

    return load(io.BytesIO(data))


def _text(node: Any) -> str:
    """A node's text as odfpy's teletype gives it (spaces of text:s, tabs, line breaks; notes and frames too)."""
    from odf import teletype

    return str(teletype.extractText(node))


def _paragraphs(doc: Any) -> list[Any]:
    """The text:p and text:h of the body, then of the master pages, in document order."""
    nodes = [*_walk(doc.body), *_walk(doc.masterstyles)]
    return [node for node in nodes if node.qname in ((TEXT_NS, "p"), (TEXT_NS, "h"))]


def _walk(node: Any) -> list[Any]:
    out = [node]
    for child in node.childNodes:
        if child.nodeType == child.ELEMENT_NODE:
            out += _walk(child)
    return out


def _spans(paragraph: Any) -> list[tuple[str, str, str]]:
    """(element, style or link, text) of each span and link in *paragraph*'s text flow; sibling spans of one style
    with nothing between them are one (as the reader takes them)."""
    out: list[tuple[str, str, str]] = []

    def visit(node: Any) -> None:
        last: int | None = None  # the span just before, while nothing else came between
        for child in node.childNodes:
            if child.nodeType == child.ELEMENT_NODE and child.qname[0] == TEXT_NS and child.qname[1] in ("span", "a"):
                kind = child.qname[1]
                key = child.getAttribute("stylename") if kind == "span" else child.getAttribute("href")
                if last is not None and out[last][:2] == (kind, key or ""):
                    out[last] = (kind, key or "", out[last][2] + _flow_text(child))
                else:
                    out.append((kind, key or "", _flow_text(child)))
                    last = len(out) - 1
                visit(child)
            else:
                last = None

    visit(paragraph)
    return out


def _flow_text(node: Any) -> str:
    """The text of *node* without notes and frames (their paragraphs are blocks of their own)."""
    out = []
    for child in node.childNodes:
        if child.nodeType == child.TEXT_NODE:
            out.append(str(child.data))
        elif child.qname[1] in ("span", "a"):
            out.append(_flow_text(child))
        elif child.qname[1] == "s":
            out.append(" " * int(child.getAttribute("c") or 1))
    return "".join(out)


# -- reading -----------------------------------------------------------------------------------------------------


def test_paragraphs_are_read_with_spans_atoms_and_odf_white_space() -> None:
    source = open_source("odt", _package(ODT_BODY, master=ODT_MASTER), "doc.de.odt")
    blocks = list(source.blocks())
    assert [(b.location, b.paragraph.text) for b in blocks] == [
        ("paragraph 1", "Die Überschrift"),
        # a word right after text:s, a line break or a tab is a word of its own for the model
        ("paragraph 2", "Das ist fett und gut. Ein Satz mit Link. Zeile zwei kursiv."),
        ("paragraph 3", "Die Fußnote."),  # the footnote's body, after the paragraph that cites it
        ("paragraph 4", "Hallo Welt "),  # white space collapsed, the leading run ignored (ODF 1.2 §6.1.2)
        ("paragraph 5", "Die Zelle."),
        ("paragraph 6", "Ein Punkt der Liste."),
        ("paragraph 7", "Der Rahmen ist gut."),
        ("paragraph 8", "Text im Rahmen."),  # the frame's text box, a block of its own
        ("paragraph 9", "Das ist ein Satz."),  # the comment is neither an atom's text nor a block
        ("header of page style Standard", "Kopfzeile"),
        ("footer of page style Standard", "Fußzeile"),
        ("document title", "Mein Titel"),
    ]
    marks = [(m.kind, m.tag) for m in blocks[1].paragraph.marks]
    # the two adjacent T1 runs are one span; text:s, the note, the line break, the tab and the bookmark are atoms
    assert marks == [
        ("open", "span"), ("close", "span"), ("atom", "s"), ("atom", "note"), ("open", "a"), ("close", "a"),
        ("atom", "line-break"), ("atom", "tab"), ("atom", "bookmark"), ("open", "span"), ("close", "span"),
    ]  # fmt: skip
    space = blocks[1].paragraph.marks[2].data
    assert space.get(f"{{{TEXT_NS}}}c") == "3"
    assert source.warnings == []


def test_presentation_slides_notes_footer_and_master_pages_are_read() -> None:
    source = open_source("odp", _package(ODP_BODY, "presentation", ODP_MASTER), "talk.de.odp")
    assert [(b.location, b.paragraph.text) for b in source.blocks()] == [
        ("slide footer ftr1", "Firma"),
        ("slide 1", "Die Folie"),
        ("slide 1", "Ein Satz mit Text."),
        ("slide 1 notes", "Die Notiz."),
        ("object description on slide 2 (Einleitung)", "Das Bild"),
        ("slide 2 (Einleitung)", "Der Text"),
        ("master page Default", "Die Firma"),
        ("document title", "Mein Titel"),
    ]


# -- writing -----------------------------------------------------------------------------------------------------


def test_translated_text_keeps_every_span_atom_and_part_read_back_with_odfpy(tmp_path: Path) -> None:
    data = _package(ODT_BODY, master=ODT_MASTER)
    result, out = _translate(tmp_path, data)
    doc = _odfpy(out)
    texts = [_text(p) for p in _paragraphs(doc)]
    assert texts == [
        "The heading",
        # text:s c=3 three spaces, the note's citation and body, no space after the tab (as in the German)
        "This is bold and good.   A sentence1The footnote. with link.\nline \ttwo italic.",
        "The footnote.",
        "Hello world ",
        "The cell.",
        "A item der list.",
        "The frametext im frame. is good.",  # teletype reads the frame's text where the frame is anchored
        "text im frame.",
        "This is a sentence.AKommentar",  # and the comment's author and text, untranslated
        "Kommentar",
        "Header 1",
        "Footer",
    ]
    paragraph = _paragraphs(doc)[1]
    assert _spans(paragraph) == [
        ("span", "T1", "bold and"),  # the two German runs of one style are one span, on the English words
        ("a", "https://example.org/", "link"),
        ("span", "T2", "italic"),
    ]
    # atoms are the very same elements: the note with its id, the bookmark, text:s with its count of 3
    xml = _entries(out)["content.xml"].decode()
    assert '<text:s text:c="3"/>' in xml and '<text:bookmark text:name="m1"/>' in xml
    assert '<text:note text:id="ftn1" text:note-class="footnote">' in xml
    assert "<dc:creator>A</dc:creator><text:p>Kommentar</text:p>" in xml  # the comment is not translated
    meta = _entries(out)["meta.xml"].decode()
    assert "<dc:title>My title</dc:title>" in meta and "<dc:language>en</dc:language>" in meta
    before, after = _entries(data), _entries(out)
    assert list(after) == list(before)
    assert after["mimetype"] == before["mimetype"] and after["META-INF/manifest.xml"] == before["META-INF/manifest.xml"]
    with zipfile.ZipFile(io.BytesIO(out)) as package:
        first = package.infolist()[0]
        assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
    assert [s.location for s in result.segments][:3] == ["paragraph 1", "paragraph 2", "paragraph 2"]


def test_translated_presentation_keeps_slides_frames_and_notes(tmp_path: Path) -> None:
    data = _package(ODP_BODY, "presentation", ODP_MASTER)
    _, out = _translate(tmp_path, data, "talk.de.odp")
    doc = _odfpy(out)
    assert [_text(p) for p in _paragraphs(doc)] == [
        "The slide",
        "A sentence with text.",
        "The note.",
        "The text",
        "The Company",
    ]
    xml = _entries(out)["content.xml"].decode()
    assert '<presentation:footer-decl presentation:name="ftr1">Company</presentation:footer-decl>' in xml
    assert "<svg:desc>This picture</svg:desc>" in xml
    assert '<text:p>The <text:span text:style-name="T1">slide</text:span></text:p>' in xml
    assert "<text:p>The note.</text:p>" in xml
    assert "<text:p>The Company</text:p>" in _entries(out)["styles.xml"].decode()
    assert xml.count("<draw:page ") == 2 and xml.count("<draw:frame ") == 3


def test_english_white_space_is_written_as_odf_white_space() -> None:
    source = open_source("odt", _package('<text:p>Das <text:bookmark text:name="b"/>ist gut.</text:p>'), "d.odt")
    block = next(iter(source.blocks()))
    bookmark = next(ch for ch in block.paragraph.source if ord(ch) >= 0xF0000)
    # a leading space, two spaces and three spaces: each space after the first of a run is text:s
    source.put(block, f" This{bookmark}  is   good. ")
    xml = _entries(source.dump())["content.xml"].decode()
    paragraph = re.search(r"<text:p>.*?</text:p>", xml)
    assert paragraph is not None
    assert paragraph.group(0) == (
        '<text:p><text:s/>This<text:bookmark text:name="b"/> <text:s/>is <text:s text:c="2"/>good. </text:p>'
    )


def test_untouched_paragraphs_and_parts_stay_byte_for_byte(tmp_path: Path) -> None:
    # only the first paragraph has a word the engine knows; styles.xml has nothing translatable
    data = _package("<text:p>Hallo</text:p><text:p   >Nichts  bekannt</text:p>", meta="")
    _, out = _translate(tmp_path, data, engine=WordEngine({"Hallo": "Hello"}))
    before, after = _entries(data), _entries(out)
    assert after["styles.xml"] == before["styles.xml"]
    assert after["content.xml"] != before["content.xml"]
    assert b"<text:p>Nichts  bekannt</text:p>" in after["content.xml"]  # re-serialized, its text untouched
    assert b"<dc:language>en</dc:language>" in after["meta.xml"]


def test_identity_translation_gives_the_package_back_entry_for_entry(tmp_path: Path) -> None:
    for i, data in enumerate((_package(ODT_BODY, master=ODT_MASTER), _package(ODP_BODY, "presentation", ODP_MASTER))):
        name = f"doc{i}.de.odt" if i == 0 else f"doc{i}.de.odp"
        _, out = _translate(tmp_path, data, name, engine=Echo())
        assert _entries(out) == _entries(data)


def test_a_glossary_term_is_enforced_inside_and_outside_a_span(tmp_path: Path) -> None:
    body = (
        '<text:p>Der <text:span text:style-name="T1">Dialog</text:span> beginnt heute.</text:p>'
        "<text:p>Der Dialog beginnt heute.</text:p>"
    )
    glossary = Glossary((Term("Dialog", "Dialogue"),))
    result, out = _translate(tmp_path, _package(body), glossary=glossary)
    xml = _entries(out)["content.xml"].decode()
    assert '<text:p>The <text:span text:style-name="T1">Dialogue</text:span> begins today.</text:p>' in xml
    assert "<text:p>The Dialogue begins today.</text:p>" in xml
    assert [c.status for s in result.segments for c in s.checks] == ["enforced", "enforced"]


# -- bad input ---------------------------------------------------------------------------------------------------

ENCRYPTED = (
    '<manifest:file-entry manifest:full-path="Pictures/x.png" manifest:media-type="image/png">'
    '<manifest:encryption-data manifest:checksum-type="SHA1/1K" manifest:checksum="AAAA">'
    '<manifest:algorithm manifest:algorithm-name="Blowfish CFB" manifest:initialisation-vector="AAAA"/>'
    '<manifest:key-derivation manifest:key-derivation-name="PBKDF2" manifest:iteration-count="1024" '
    'manifest:salt="AAAA"/></manifest:encryption-data></manifest:file-entry>'
)


def _without(data: bytes, entry: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as old, zipfile.ZipFile(out, "w") as new:
        for info in old.infolist():
            if info.filename != entry:
                new.writestr(info, old.read(info.filename))
    return out.getvalue()


BAD = {
    "truncated zip": (_package("<text:p>Hallo</text:p>")[:300], "not a valid OpenDocument text file (broken zip"),
    "not a zip": (b"Hallo Welt, kein Paket.\n" * 4, "not a valid OpenDocument text file (broken zip"),
    "flat odt": (
        b'<?xml version="1.0"?>\n<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>',
        "a flat OpenDocument XML file (.fodt)",
    ),
    "encrypted": (_package("<text:p>Hallo</text:p>", manifest=ENCRYPTED), "is encrypted (password-protected"),
    "no content.xml": (_without(_package("<text:p>Hallo</text:p>"), "content.xml"), "content.xml is missing"),
    "broken content.xml": (
        _package("<text:p>Hallo</text:x>"),
        "content.xml: not well-formed XML",
    ),
    "a spreadsheet": (
        _package("<text:p>Hallo</text:p>", "spreadsheet"),
        "an OpenDocument spreadsheet (mimetype application/vnd.oasis.opendocument.spreadsheet), not an OpenDocument "
        "text; rename it to .ods",
    ),
    "a presentation body": (
        _package("<text:p>Hallo</text:p>", "presentation", mimetype="application/vnd.oasis.opendocument.text"),
        "content.xml holds an OpenDocument presentation, not an OpenDocument text; the package contradicts itself",
    ),
    "a presentation without mimetype": (
        _without(_package("<text:p>Hallo</text:p>", "presentation"), "mimetype"),
        "content.xml holds an OpenDocument presentation, not an OpenDocument text; rename it to .odp or give --format",
    ),
    "word document": (
        _without(_package("<text:p>Hallo</text:p>", extra={"[Content_Types].xml": b"<Types/>"}), "mimetype"),
        "an Office Open XML (Microsoft Office) file",
    ),
}


@pytest.mark.parametrize("case", list(BAD), ids=list(BAD))
def test_bad_packages_are_refused_with_one_line_and_exit_3(tmp_path: Path, case: str) -> None:
    data, message = BAD[case]
    with pytest.raises(InputError) as error:
        open_source("odt", data, "bad.de.odt")
    assert message in str(error.value) and "\n" not in str(error.value)
    (tmp_path / "bad.de.odt").write_bytes(data)
    result = run_cli(["translate", str(tmp_path / "bad.de.odt"), "-o", str(tmp_path / "bad.en.odt")])
    assert result.exit_code == 3, result.stderr
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("Error: "), result.stderr
    assert not (tmp_path / "bad.en.odt").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.de.odt"]


def test_a_flat_presentation_is_named_as_such() -> None:
    data = b'<?xml version="1.0"?>\n<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>'
    with pytest.raises(InputError, match=r"flat OpenDocument XML file \(\.fodp\).*save it as \.odp"):
        open_source("odp", data, "talk.fodp")


# -- macros, signatures, embedded objects: copied with a warning ---------------------------------------------------

BASIC = {
    "Basic/script-lc.xml": b'<?xml version="1.0"?><library:libraries/>',
    "Basic/Standard/script-lb.xml": b'<?xml version="1.0"?><library:library/>',
    "Basic/Standard/Module1.xml": b'<?xml version="1.0"?><script:module>Sub Main\nEnd Sub</script:module>',
}


def test_macros_are_copied_unchanged_with_a_warning(tmp_path: Path) -> None:
    data = _package("<text:p>Hallo Welt</text:p>", extra=BASIC)
    source = open_source("odt", data, "m.de.odt")
    assert len(source.warnings) == 1
    assert "contains macros: Basic modules (Basic/Standard/Module1.xml)" in source.warnings[0]
    result, out = _translate(tmp_path, data, "m.de.odt")
    assert any("contains macros" in w for w in result.warnings)
    before, after = _entries(data), _entries(out)
    assert all(after[name] == before[name] for name in BASIC)
    assert b"<text:p>Hello world</text:p>" in after["content.xml"]


def test_an_empty_basic_library_is_no_macro_but_a_macro_link_is() -> None:
    empty = {k: v for k, v in BASIC.items() if "Module1" not in k}
    assert open_source("odt", _package("<text:p>Hallo</text:p>", extra=empty), "e.odt").warnings == []
    link = (
        '<text:p><text:a xlink:href="vnd.sun.star.script:Standard.Module1.Main?language=Basic">Hallo</text:a></text:p>'
    )
    warnings = open_source("odt", _package(link), "l.odt").warnings
    assert len(warnings) == 1 and "1 event binding(s) or link(s) that run macros" in warnings[0]


def test_signatures_and_embedded_objects_are_reported() -> None:
    extra = {"META-INF/documentsignatures.xml": b"<x/>", "Object 1/content.xml": b"<x/>"}
    warnings = open_source("odt", _package("<text:p>Hallo</text:p>", extra=extra), "s.odt").warnings
    assert any("digitally signed" in w for w in warnings)
    assert any("1 embedded object(s) (Object 1: charts, formulas)" in w for w in warnings)


# -- real files ----------------------------------------------------------------------------------------------------


def test_the_real_files_are_there_and_small() -> None:
    assert any(p.suffix == ".odt" for p in REAL) and any(p.suffix == ".odp" for p in REAL)
    assert all(p.stat().st_size < 200_000 for p in REAL)
    readme = (DATA / "README.md").read_text(encoding="utf-8") if (DATA / "README.md").exists() else ""
    readmes = readme + "".join(
        (DATA / kind / "README.md").read_text(encoding="utf-8")
        for kind in ("odt", "odp")
        if (DATA / kind / "README.md").exists()
    )
    assert all(p.name in readmes for p in REAL), "every real file needs a provenance entry"


def _upper_engine(data: bytes, fmt: str, name: str) -> WordEngine:
    """Every German word of the document translated to itself in capitals: each translated word is recognisable,
    and WordEngine's alignment is exact, so each span must land on its own words, capitalised."""
    source = open_source(fmt, data, name)
    words: dict[str, str] = {}
    for block in source.blocks():
        for word in WordEngine._split(block.paragraph.text):
            words[word] = word.upper()
    return WordEngine(words)


def _structure(data: bytes) -> dict[str, Any]:
    """What must not change, read with odfpy: every element but spans and links (adjacent runs of one style are
    one), and per paragraph its element, its style and its spans and links with their text."""
    doc = _odfpy(data)
    elements: Counter[tuple[str, str]] = Counter()
    for root in (doc.body, doc.masterstyles):
        for node in _walk(root):
            if node.qname not in ((TEXT_NS, "span"), (TEXT_NS, "a")):
                elements[node.qname] += 1
    paragraphs = [(p.qname[1], p.getAttribute("stylename"), _spans(p)) for p in _paragraphs(doc)]
    return {"elements": elements, "paragraphs": paragraphs}


def _assert_same_structure(german: bytes, english: bytes) -> None:
    """The English has the German's elements and paragraphs, and in each paragraph the spans and links of the
    German with text (one of only white space the reader may drop, as ODF collapses it) and no others."""
    before, after = _structure(german), _structure(english)
    assert after["elements"] == before["elements"]
    assert [p[:2] for p in after["paragraphs"]] == [p[:2] for p in before["paragraphs"]]
    for (tag, style, spans), (_, _, english) in zip(before["paragraphs"], after["paragraphs"], strict=True):
        kept = {(kind, key) for kind, key, text in spans if text.strip()}
        found = {(kind, key) for kind, key, _ in english}
        assert kept <= found <= {(kind, key) for kind, key, _ in spans}, (tag, style, spans, english)


@pytest.mark.parametrize("path", REAL, ids=lambda p: p.name)
def test_real_file_keeps_its_structure_with_spans_on_the_translated_words(tmp_path: Path, path: Path) -> None:
    data = path.read_bytes()
    fmt = path.suffix[1:]
    name = f"doc.de.{fmt}"
    result, out = _translate(tmp_path, data, name, engine=_upper_engine(data, fmt, name))
    assert len(result.segments) > 5
    _assert_same_structure(data, out)
    before, after = _entries(data), _entries(out)
    assert list(after) == list(before)
    changed = {n for n in before if before[n] != after[n]}
    assert "content.xml" in changed and changed <= {"content.xml", "styles.xml", "meta.xml"}
    # spans on their words: each German span with words has a span of its style in the same paragraph of the
    # English holding one of its words (in capitals); most hold exactly its words (a span on part of a word widens
    # to the word, adjacent runs of one style are one span)
    exact = shared = total = 0
    for german, english in zip(_paragraphs(_odfpy(data)), _paragraphs(_odfpy(out)), strict=True):
        found = _spans(english)
        for kind, key, text in _spans(german):
            words = set(re.findall(r"\w+", text.upper()))
            if not words:
                continue
            total += 1
            same = [t for k, q, t in found if (k, q) == (kind, key)]
            exact += any(re.findall(r"\w+", t) == re.findall(r"\w+", text.upper()) for t in same)
            shared += any(words & set(re.findall(r"\w+", t)) for t in same)
    assert total and shared == total, f"{total - shared} of {total} spans lost their words"
    assert exact >= 0.7 * total, f"only {exact} of {total} spans exactly on their words"


def test_identity_translation_of_the_real_files_is_byte_identical(tmp_path: Path) -> None:
    for path in REAL:
        data = path.read_bytes()
        _, out = _translate(tmp_path, data, f"{path.stem}.de{path.suffix}", engine=Echo())
        assert _entries(out) == _entries(data), path.name


def test_libreoffice_converts_every_translated_document_to_pdf(tmp_path: Path) -> None:
    soffice = require_tool("soffice")
    translated = tmp_path / "translated"
    translated.mkdir()
    inputs = [
        ("synthetic.de.odt", _package(ODT_BODY, master=ODT_MASTER)),
        ("synthetic.de.odp", _package(ODP_BODY, "presentation", ODP_MASTER)),
        *((f"{p.stem}.de{p.suffix}", p.read_bytes()) for p in REAL),
    ]
    outputs = []
    for name, data in inputs:
        fmt = name.rsplit(".", 1)[1]
        _, out = _translate(tmp_path, data, name, engine=_upper_engine(data, fmt, name))
        target = translated / name.replace(".de.", ".en.")
        target.write_bytes(out)
        outputs.append(target)
    pdf = tmp_path / "pdf"
    profile = (tmp_path / "lo-profile").as_uri()
    run = subprocess.run(
        [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf", "--outdir", str(pdf),
         *map(str, outputs)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    log = run.stdout + run.stderr
    assert run.returncode == 0 and "Error" not in log, log
    for output in outputs:
        made = pdf / (output.stem + ".pdf")
        assert made.exists() and made.read_bytes().startswith(b"%PDF") and made.stat().st_size > 1000, (output, log)




@pytest.mark.slow
def test_real_files_translated_by_the_small_model_keep_their_structure_and_open(tmp_path: Path) -> None:
    """The project's small real model through the CLI: real alignments place the spans; the structure is the
    German's and LibreOffice converts every output."""
    installed = run_cli(["models", "install", str(SMALL_MODEL)])
    assert installed.exit_code == 0, installed.stderr
    inputs = []
    for path in REAL:
        inputs.append(tmp_path / f"{path.stem}.de{path.suffix}")
        inputs[-1].write_bytes(path.read_bytes())
    out = tmp_path / "en"
    result = run_cli(["translate", *map(str, inputs), "-o", str(out), "--json", "--quiet"])
    assert result.exit_code == 0, result.stderr
    outputs = sorted(out.iterdir())
    assert [p.name for p in outputs] == sorted(p.name.replace(".de.", ".en.") for p in inputs)
    for source, target in zip(sorted(inputs), outputs, strict=True):
        data, english = source.read_bytes(), target.read_bytes()
        _assert_same_structure(data, english)
        german_text = [_flow_text(p) for p in _paragraphs(_odfpy(data))]  # without fields such as <number>
        english_text = [_flow_text(p) for p in _paragraphs(_odfpy(english))]
        worded = [(g, e) for g, e in zip(german_text, english_text, strict=True) if re.search(r"[^\W\d_]{3}", g)]
        assert sum(g != e for g, e in worded) > 0.8 * len(worded), source.name  # translated, not kept
    soffice = require_tool("soffice")
    run = subprocess.run(
        [soffice, f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path / "pdf"), *map(str, outputs)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0 and "Error" not in run.stdout + run.stderr, run.stdout + run.stderr
    assert all((tmp_path / "pdf" / (p.stem + ".pdf")).exists() for p in outputs)
