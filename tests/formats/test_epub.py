"""EPUB books (translate/formats/epub.py): every XHTML content document, the OPF's title and description and the
NCX labels translated, dc:language set to en, every other entry byte for byte, the mimetype first and stored; the
result read back with ebooklib (a real EPUB reader library) and checked structurally; corrupt, encrypted (DRM) and
broken books refused with one line."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import ebooklib
import lxml.etree
import pytest
from clirun import run_cli
from ebooklib import epub
from fakes import FakeEngine, WordEngine

from glossator import Translator
from glossator.common.errors import InputError
from glossator.common.settings import Settings
from glossator.glossary.model import Glossary, Term
from glossator.translate.engine import Hypothesis
from glossator.translate.formats.epub import open_source

DATA = Path(__file__).parents[1] / "data" / "formats" / "epub"
REAL = sorted(DATA.glob("*.epub"))
WORDS = {
    "Der": "The",
    "der": "the",
    "die": "the",
    "Die": "The",
    "das": "the",
    "Das": "The",
    "und": "and",
    "ist": "is",
    "ein": "a",
    "deutscher": "German",
    "Schriftsteller": "writer",
    "Dokumentation": "documentation",
    "Leben": "Life",
    "Werke": "Works",
    "Dialog": "dialog",
    "beginnt": "begins",
    "heute": "today",
}
NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "ncx": "http://www.daisy.org/z3986/2005/ncx/",
    "c": "urn:oasis:names:tc:opendocument:xmlns:container",
}


# as a reader parses an EPUB 2 document: its XHTML 1.1 DTD not loaded, so `&nbsp;` stays an entity reference
XML = lxml.etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True)


class EchoEngine(FakeEngine):
    def translate(self, sentences, **options):  # type: ignore[no-untyped-def, override]
        return [[Hypothesis(text=s, score=0.0, tokens=tuple(self.text_to_pieces(s)))] for s in sentences]


def _translate(
    tmp_path: Path, data: bytes, engine: object | None = None, glossary: Glossary | None = None
) -> tuple[object, bytes]:
    source = tmp_path / "book.de.epub"
    source.write_bytes(data)
    settings = Settings(packages_dir=tmp_path / "packages", cache_dir=tmp_path / "cache", use_cache=False)
    with Translator(settings=settings, engine=engine or WordEngine(WORDS), glossary=glossary) as translator:
        result = translator.translate_file(source, tmp_path / "book.en.epub", force=True)
    return result, (tmp_path / "book.en.epub").read_bytes()


def _entries(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {info.filename: z.read(info) for info in z.infolist()}


def _opf_path(entries: dict[str, bytes]) -> str:
    container = lxml.etree.fromstring(entries["META-INF/container.xml"])
    return str(container.find(".//c:rootfile", NS).get("full-path"))


def _rebuild(data: bytes, changes: dict[str, bytes | None]) -> bytes:
    """The book with some entries replaced (None: removed) or added, mimetype first and stored."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as old, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            if info.filename in changes:
                value = changes[info.filename]
                if value is not None:
                    new.writestr(info, value)
                continue
            new.writestr(info, old.read(info))
        for name, value in changes.items():
            if name not in old.namelist() and value is not None:
                new.writestr(name, value)
    return out.getvalue()


def _tags(root: object) -> list[str]:
    return [e.tag for e in root.iter() if isinstance(e.tag, str)]  # type: ignore[attr-defined]


def assert_valid_epub(data: bytes, original: bytes) -> None:
    """Zip order and a stored mimetype first, the OPF parses, every manifest item is in the zip, every XHTML document
    is well-formed with the original's element tree, and every entry nothing was translated in is unchanged."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        infos = z.infolist()
        assert infos[0].filename == "mimetype" and infos[0].compress_type == zipfile.ZIP_STORED
        assert z.read("mimetype") == b"application/epub+zip"
        assert z.testzip() is None
    entries, before = _entries(data), _entries(original)
    assert list(entries) == list(before)
    opf_path = _opf_path(entries)
    opf = lxml.etree.fromstring(entries[opf_path])
    base = opf_path.rsplit("/", 1)[0] + "/" if "/" in opf_path else ""
    for item in opf.iterfind(".//opf:manifest/opf:item", NS):
        href = base + item.get("href")
        assert href in entries, href
        media = item.get("media-type")
        if media in ("application/xhtml+xml", "application/x-dtbncx+xml"):
            new_tree = lxml.etree.fromstring(entries[href], XML)
            old_tree = lxml.etree.fromstring(before[href], XML)
            assert _tags(new_tree) == _tags(old_tree), href
        elif media != "application/oebps-package+xml":
            assert entries[href] == before[href], href  # images, CSS, fonts: byte for byte
    for name in ("mimetype", "META-INF/container.xml"):
        assert entries[name] == before[name]


@pytest.mark.parametrize("path", REAL, ids=lambda p: p.name)
def test_real_books_come_back_byte_for_byte_with_an_echoing_engine(tmp_path: Path, path: Path) -> None:
    _, out = _translate(tmp_path, path.read_bytes(), engine=EchoEngine())
    assert out == path.read_bytes()


@pytest.mark.parametrize("path", REAL, ids=lambda p: p.name)
def test_real_books_are_translated_and_read_back_by_ebooklib(tmp_path: Path, path: Path) -> None:
    data = path.read_bytes()
    result, out = _translate(tmp_path, data)
    assert_valid_epub(out, data)
    entries = _entries(out)
    opf = lxml.etree.fromstring(entries[_opf_path(entries)])
    assert opf.findtext(".//dc:language", namespaces=NS) == "en"
    before = lxml.etree.fromstring(_entries(data)[_opf_path(entries)])
    locations = [s.location for s in result.segments]  # type: ignore[attr-defined]
    for field in ("title", "description"):
        if before.find(f".//dc:{field}", NS) is not None:
            assert any(f"<dc:{field}>" in loc for loc in locations), field
    assert any(".ncx line" in loc for loc in locations)
    assert sum(".xhtml line" in loc for loc in locations) > 10
    # every translated XHTML document says English now
    for name, body in entries.items():
        if name.endswith(".xhtml"):
            assert b'xml:lang="de' not in body, name
    # a real EPUB reader opens the translated book: same items, same spine, English metadata
    book = epub.read_epub(str(tmp_path / "book.en.epub"))
    original = epub.read_epub(str(path))
    assert [i.get_name() for i in book.get_items()] == [i.get_name() for i in original.get_items()]
    assert book.spine == original.spine
    assert book.get_metadata("DC", "language")[0][0] == "en"
    documents = list(book.get_items_of_type(ebooklib.ITEM_DOCUMENT))
    assert documents and all(doc.get_body_content() for doc in documents)
    text = b" ".join(doc.get_content() for doc in documents)
    assert b" the " in text and b" and " in text


def test_a_glossary_term_inside_bold_and_inside_a_link_is_enforced(tmp_path: Path) -> None:
    data = (DATA / "pandoc-appstate.de.epub").read_bytes()
    chapter = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.1//EN" '
        '"http://www.w3.org/TR/xhtml11/DTD/xhtml11.dtd">\n<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="de-DE">'
        "<head><title>ch001.xhtml</title></head><body><p>Der <b>Dialog</b> beginnt heute.</p>"
        '<p>Der <a href="title_page.xhtml">Dialog</a> beginnt heute.</p></body></html>'
    )
    book = _rebuild(data, {"EPUB/text/ch001.xhtml": chapter.encode()})
    glossary = Glossary((Term("Dialog", "Dialogue"),))
    result, out = _translate(tmp_path, book, glossary=glossary)
    body = _entries(out)["EPUB/text/ch001.xhtml"].decode()
    assert "<p>The <b>Dialogue</b> begins today.</p>" in body
    assert '<p>The <a href="title_page.xhtml">Dialogue</a> begins today.</p>' in body
    assert 'xml:lang="en"' in body
    statuses = [c.status for s in result.segments for c in s.checks]  # type: ignore[attr-defined]
    assert statuses == ["enforced", "enforced"]


ENCRYPTION = """<?xml version="1.0" encoding="UTF-8"?>
<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container" xmlns:enc="http://www.w3.org/2001/04/xmlenc#">
  <enc:EncryptedData>
    <enc:EncryptionMethod Algorithm="{algorithm}"/>
    <enc:CipherData><enc:CipherReference URI="{uri}"/></enc:CipherData>
  </enc:EncryptedData>
</encryption>
"""


def test_obfuscated_fonts_are_not_drm(tmp_path: Path) -> None:
    data = (DATA / "pandoc-appstate.de.epub").read_bytes()
    xml = ENCRYPTION.format(algorithm="http://www.idpf.org/2008/embedding", uri="EPUB/fonts/font.otf")
    book = _rebuild(data, {"META-INF/encryption.xml": xml.encode()})
    assert list(open_source(book, "book.epub").blocks())


def _bad_books() -> list[tuple[str, bytes, str]]:
    data = (DATA / "pandoc-appstate.de.epub").read_bytes()
    drm = ENCRYPTION.format(algorithm="http://www.w3.org/2001/04/xmlenc#aes128-cbc", uri="EPUB/text/ch001.xhtml")
    chapter = _entries(data)["EPUB/text/ch001.xhtml"]
    return [
        ("truncated", data[: len(data) // 2], "not a valid EPUB file"),
        ("drm", _rebuild(data, {"META-INF/encryption.xml": drm.encode()}), "DRM-protected"),
        ("mimetype", _rebuild(data, {"mimetype": b"application/zip"}), "not application/epub\\+zip"),
        ("no-container", _rebuild(data, {"META-INF/container.xml": None}), "META-INF/container.xml is missing"),
        ("missing-chapter", _rebuild(data, {"EPUB/text/ch001.xhtml": None}), "lists 'EPUB/text/ch001.xhtml'"),
        (
            "broken-xhtml",
            _rebuild(data, {"EPUB/text/ch001.xhtml": chapter.replace(b"</p>", b"", 1)}),
            "EPUB/text/ch001.xhtml: not well-formed XML",
        ),
    ]


@pytest.mark.parametrize(("case", "data", "message"), _bad_books(), ids=lambda v: v if isinstance(v, str) else "")
def test_bad_books_are_refused_with_one_line(tmp_path: Path, case: str, data: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message) as error:
        open_source(data, "book.epub")
    assert "\n" not in str(error.value)
    (tmp_path / "bad.de.epub").write_bytes(data)
    result = run_cli(["translate", str(tmp_path / "bad.de.epub"), "-o", str(tmp_path / "bad.en.epub")])
    assert result.exit_code == 3, result.stderr
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("Error: ")
    assert not (tmp_path / "bad.en.epub").exists()
