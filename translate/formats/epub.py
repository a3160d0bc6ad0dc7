"""EPUB books (2 and 3): every XHTML content document the package (OPF) lists is translated as XHTML
(``translate/formats/html.py``), spine order first, then the other listed documents (the EPUB 3 navigation
document among them); also the OPF's ``dc:title`` and ``dc:description`` and the EPUB 2 NCX's ``docTitle`` and
``navLabel`` texts. Once anything is translated ``dc:language`` ``de`` becomes ``en`` (and German
``lang``/``xml:lang`` attributes, as in HTML).

Everything else — images, CSS, fonts, the ``mimetype`` entry (first, stored), ``META-INF``, every part nothing was
translated in — is copied byte for byte by ``translate/formats/package.py``; a translated part keeps every byte
outside its translated text.

Refused with one line (``InputError``): a broken or encrypted zip, a zip bomb, a ``mimetype`` that is not
``application/epub+zip``, a missing ``META-INF/container.xml`` or package document, a listed content document that
is missing or is not well-formed XHTML (file, line and column), and DRM: a ``META-INF/encryption.xml`` that
encrypts anything with another algorithm than the IDPF/Adobe font obfuscation (obfuscated fonts are fine).
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from urllib.parse import unquote

from glossator.common.errors import InputError
from glossator.translate.documents import Block
from glossator.translate.formats.html import HTML, XHTML, HtmlSource, Profile
from glossator.translate.formats.package import Package, parse_xml
from glossator.translate.tagged import TaggedParagraph

CONTAINER = "META-INF/container.xml"
ENCRYPTION = "META-INF/encryption.xml"
# font obfuscation, not DRM: readers undo it with the book's identifier
OBFUSCATION = frozenset(("http://www.idpf.org/2008/embedding", "http://ns.adobe.com/pdf/enc#RC"))
OPF = Profile(xml=True, only=(("dc:title",), ("dc:description",)), lang_texts=frozenset(("dc:language",)), label="OPF")
NCX = Profile(xml=True, only=(("navlabel", "text"), ("doctitle", "text")), label="NCX")
_NS = {
    "c": "urn:oasis:names:tc:opendocument:xmlns:container",
    "opf": "http://www.idpf.org/2007/opf",
    "enc": "http://www.w3.org/2001/04/xmlenc#",
}


class EpubSource:
    """An EPUB as a :class:`~glossator.translate.formats.Source` (see the module docstring)."""

    def __init__(self, data: bytes, name: str) -> None:
        self.name, self.data = name, data
        self.package = Package(data, name, "EPUB")
        self.warnings: list[str] = []
        self._check_mimetype()
        self._check_drm()
        opf_path = self._rootfile()
        opf_data = self.package.read(opf_path)
        opf = parse_xml(opf_data, f"{name}:{opf_path}")
        self.parts: dict[str, HtmlSource] = {}
        self.parts[opf_path] = HtmlSource(opf_data, f"{name}:{opf_path}", OPF, where=opf_path)
        base = posixpath.dirname(opf_path)
        items: dict[str, tuple[str, str]] = {}  # id → (entry, media type)
        for item in opf.iterfind("opf:manifest/opf:item", _NS):
            href = item.get("href")
            if not href:
                continue
            entry = posixpath.normpath(posixpath.join(base, unquote(href.split("#")[0])))
            items[item.get("id", "")] = (entry, (item.get("media-type") or "").strip().lower())
        spine = opf.find("opf:spine", _NS)
        toc = spine.get("toc") if spine is not None else None
        if toc and toc in items and self.package.has(items[toc][0]):
            entry = items[toc][0]
            self.parts[entry] = HtmlSource(self.package.read(entry), f"{name}:{entry}", NCX, where=entry)
        order = [ref.get("idref", "") for ref in (spine.iterfind("opf:itemref", _NS) if spine is not None else ())]
        order += [key for key in items if key not in order]
        for key in order:
            if key not in items:
                continue
            entry, media = items[key]
            if media not in ("application/xhtml+xml", "text/html") or entry in self.parts:
                continue
            if not self.package.has(entry):
                raise InputError(
                    f"{name}: the package document lists {entry!r}, which the EPUB does not hold; repair the book "
                    "(e.g. with Calibre or Sigil) and translate it again."
                )
            profile = XHTML if media == "application/xhtml+xml" else HTML
            self.parts[entry] = HtmlSource(self.package.read(entry), f"{name}:{entry}", profile, where=entry)
        for part in self.parts.values():
            self.warnings.extend(part.warnings)

    def _check_mimetype(self) -> None:
        if not self.package.has("mimetype"):
            self.warnings.append(f"{self.name}: no mimetype entry (not a standard EPUB); translated all the same")
            return
        if self.package.read("mimetype").strip() != b"application/epub+zip":
            raise InputError(f"{self.name}: its mimetype entry is not application/epub+zip; not an EPUB book.")

    def _check_drm(self) -> None:
        if not self.package.has(ENCRYPTION):
            return
        root = parse_xml(self.package.read(ENCRYPTION), f"{self.name}:{ENCRYPTION}")
        for encrypted in root.iterfind(".//enc:EncryptedData", _NS):
            method = encrypted.find("enc:EncryptionMethod", _NS)
            algorithm = method.get("Algorithm", "") if method is not None else ""
            if algorithm in OBFUSCATION:
                continue
            reference = encrypted.find(".//enc:CipherReference", _NS)
            what = reference.get("URI", "?") if reference is not None else "?"
            raise InputError(
                f"{self.name}: the EPUB is DRM-protected ({ENCRYPTION} encrypts {what}); only a DRM-free book can "
                "be translated."
            )

    def _rootfile(self) -> str:
        if not self.package.has(CONTAINER):
            raise InputError(f"{self.name}: not an EPUB ({CONTAINER} is missing).")
        container = parse_xml(self.package.read(CONTAINER), f"{self.name}:{CONTAINER}")
        rootfiles = container.findall(".//c:rootfile", _NS)
        chosen = next(
            (r for r in rootfiles if r.get("media-type") == "application/oebps-package+xml"),
            rootfiles[0] if rootfiles else None,
        )
        path = chosen.get("full-path") if chosen is not None else None
        if not path:
            raise InputError(f"{self.name}: {CONTAINER} names no package document (rootfile); not a valid EPUB.")
        if not self.package.has(path):
            raise InputError(f"{self.name}: the package document {path!r} named by {CONTAINER} is missing.")
        return str(path)

    def blocks(self) -> Iterator[Block]:
        for part in self.parts.values():
            yield from part.blocks()

    def put(self, block: Block, rendered: str) -> None:
        paragraph = block.paragraph
        assert isinstance(paragraph, TaggedParagraph)
        block.key.put(paragraph, rendered)

    def dump(self) -> bytes:
        english = any(part.changed for part in self.parts.values())
        replaced: dict[str, bytes] = {}
        for entry, part in self.parts.items():
            data = part.dump(english)
            if data is not part.data:
                replaced[entry] = data
        return self.package.write(replaced) if replaced else self.data


def open_source(data: bytes, name: str, fmt: str = "epub") -> EpubSource:
    return EpubSource(data, name)
