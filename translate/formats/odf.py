"""OpenDocument text (ODT) and presentations (ODP): the paragraphs of ``content.xml`` (and the header, footer and
master-page text of ``styles.xml``, the title in ``meta.xml``) as tagged paragraphs, the English written back into
the same elements; every other entry of the package is copied byte for byte.

Read with lxml on the package's XML parts, not odfpy: odfpy loads a document into its own object model and writes
every part again from it (attribute order, namespace declarations, ``<text:s>`` runs), so nothing would stay
byte-identical; here only the parts whose text changed are serialized again, and ``mimetype`` stays first and stored.

Blocks: every ``text:p`` and ``text:h`` — in the body, tables, lists, sections, frames and text boxes, shapes, a
slide's frames (``draw:page``) and its speaker notes (``presentation:notes``), footnote and endnote bodies, headers
and footers — plus plain-text elements (``dc:title``, an object's ``svg:title``/``svg:desc``, a presentation's
``presentation:header-decl``/``footer-decl``). Not translated: comments (``office:annotation``), tracked deleted
text (``text:tracked-changes``), embedded objects (``Object N/``: charts, formulas; a warning says so), macros.

Inside a paragraph (``translate/tagged.py``):

- spans (translated text): ``text:span`` and ``text:a`` (and ``text:meta``), keyed by the element and all its
  attributes, so adjacent runs with the same style are one span;
- atoms (never shown to the model, put back as the very same element): ``text:s`` (its ``text:c`` count kept),
  ``text:tab``, ``text:line-break``, ``text:soft-page-break``, bookmarks and reference marks, fields
  (``text:date``, ``text:page-number``, ...), ``text:note`` (its citation; its body's paragraphs are blocks of their
  own), frames and shapes anchored in the paragraph (their paragraphs are blocks of their own), tracked-change marks;
  anything else the reader does not know is an atom too, so nothing is ever lost.

White space follows ODF 1.2 part 1 §6.1.2: runs of spaces, tabs and line feeds in the XML are one space, and one at
the start of a paragraph is none; the English is written back the same way (a second space as ``<text:s/>``).

Bad input is refused with one line (``InputError``, exit 3): not a zip (a flat ``.fodt``/``.fodp`` gets its own
message), an encrypted document (``manifest:encryption-data`` in ``META-INF/manifest.xml``), another ODF type (a
spreadsheet renamed ``.odt``), no or a broken ``content.xml``. Macros (Basic modules, ``Scripts/``, event bindings,
``vnd.sun.star.script:`` links) are not refused: ODF has no separate macro-enabled type, the translation neither runs
nor changes them, and LibreOffice's macro security still applies when the English is opened; a warning names them
(their dialogs stay German). A digital signature no longer matches the translated text: a warning says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from glossator.common.errors import InputError
from glossator.translate.documents import Block
from glossator.translate.formats import STRUCTURED
from glossator.translate.formats.package import Package, parse_xml, serialize_xml
from glossator.translate.tagged import MARK_FIRST, Mark, TaggedBuilder, TaggedParagraph, is_mark

OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
DRAW = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
PRESENTATION = "urn:oasis:names:tc:opendocument:xmlns:presentation:1.0"
SVG = "urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"
MANIFEST = "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"
SCRIPT = "urn:oasis:names:tc:opendocument:xmlns:script:1.0"
XLINK = "http://www.w3.org/1999/xlink"
DC = "http://purl.org/dc/elements/1.1/"


def _q(ns: str, name: str) -> str:
    return f"{{{ns}}}{name}"


PARAGRAPHS = {_q(TEXT, "p"), _q(TEXT, "h")}
SPACE = _q(TEXT, "s")
SEPARATORS = {_q(TEXT, "line-break"), _q(TEXT, "tab"), SPACE}  # they separate words
SPANS = {_q(TEXT, "span"), _q(TEXT, "a"), _q(TEXT, "meta")}
# Plain-text elements translated as a whole (no markup inside).
PLAIN = {_q(SVG, "title"), _q(SVG, "desc"), _q(PRESENTATION, "footer-decl"), _q(PRESENTATION, "header-decl")}
# Subtrees whose paragraphs are not the document's text: comments, deleted text kept for change tracking.
SKIPPED = {_q(OFFICE, "annotation"), _q(TEXT, "tracked-changes")}
# Inline elements that take no room in the text: white space after them still follows the white space before.
ZERO_WIDTH = {
    _q(TEXT, name)
    for name in (
        "bookmark", "bookmark-start", "bookmark-end", "reference-mark", "reference-mark-start",
        "reference-mark-end", "soft-page-break", "toc-mark", "toc-mark-start", "toc-mark-end",
        "alphabetical-index-mark", "alphabetical-index-mark-start", "alphabetical-index-mark-end",
        "user-index-mark", "user-index-mark-start", "user-index-mark-end", "change", "change-start", "change-end",
    )
} | {_q(OFFICE, "annotation"), _q(OFFICE, "annotation-end")}  # fmt: skip
WHITE = " \t\r\n"
FAMILY = {"odt": "text", "odp": "presentation"}  # the office:body child and the mimetype's family
MIMETYPE = "application/vnd.oasis.opendocument."
BODY_KINDS = {"text": "text", "presentation": "presentation", "spreadsheet": "spreadsheet", "drawing": "drawing",
              "chart": "chart", "image": "image", "formula": "formula", "database": "database"}  # fmt: skip
EXTENSION = {"text": ".odt", "presentation": ".odp", "spreadsheet": ".ods", "graphics": ".odg", "drawing": ".odg",
             "chart": ".odc", "formula": ".odf", "image": ".odi", "database": ".odb"}  # fmt: skip
SCRIPT_LINK = re.compile(r"^(vnd\.sun\.star\.script:|macro:)", re.IGNORECASE)


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else "node"


@dataclass
class _Item:
    """One block: its part, element, kind ("para" or "plain") and tagged paragraph."""

    part: str
    element: Any
    kind: str
    paragraph: TaggedParagraph
    location: str
    tight: frozenset[int]  # id() of the line breaks, tabs and text:s with no white space after them in the German


def open_source(data: bytes, name: str, fmt: str) -> OdfSource:
    """Parse and check the whole ODT/ODP package *data* (see the module docstring)."""
    return OdfSource(data, name, fmt)


class OdfSource:
    """An opened ODT or ODP package: its blocks, the English put back into them, the package written again."""

    def __init__(self, data: bytes, name: str, fmt: str) -> None:
        if fmt not in FAMILY:
            raise ValueError(f"odf reads odt and odp, not {fmt!r}")
        self.name, self.fmt = name, fmt
        self.label = STRUCTURED[fmt].label
        self.warnings: list[str] = []
        head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
        if not data.startswith(b"PK") and (head.startswith(b"<?xml") or head.startswith(b"<office:document")):
            flat = "fodp" if fmt == "odp" else "fodt"
            raise InputError(
                f"{name}: a flat OpenDocument XML file (.{flat}), not a zipped {self.label} (.{fmt}); open it in "
                f"LibreOffice and save it as .{fmt}, then translate that."
            )
        self.package = Package(data, name, self.label)
        self._check_type()
        self._check_encryption()
        self.parts: dict[str, Any] = {}
        self.raw: dict[str, bytes] = {}
        if not self.package.has("content.xml"):
            raise InputError(
                f"{name}: not a valid {self.label} file (content.xml is missing). Open and save it again in "
                "LibreOffice."
            )
        content = self._parse("content.xml")
        body = content.find(_q(OFFICE, "body"))
        family = FAMILY[fmt]
        kinds = [_local(child.tag) for child in body] if body is not None else []
        if content.tag != _q(OFFICE, "document-content") or body is None:
            raise InputError(
                f"{name}: content.xml is not an OpenDocument document-content part. Open and save the file again "
                "in LibreOffice."
            )
        if family not in kinds:
            found = next((k for k in kinds if k in BODY_KINDS), None)
            if found and not self.package.has("mimetype"):
                fix = f"rename it to {EXTENSION.get(found, '.od?')} or give --format"
            else:  # the mimetype says one kind, content.xml another
                fix = "the package contradicts itself; open and save it again in LibreOffice"
            raise InputError(
                f"{name}: content.xml holds an OpenDocument {found or 'document of no known kind'}, not an "
                f"{self.label}; {fix}."
            )
        styles = self._parse("styles.xml") if self.package.has("styles.xml") else None
        meta = self._parse("meta.xml") if self.package.has("meta.xml") else None
        self._scan_package([root for root in (content, styles) if root is not None])
        self.items: list[_Item] = []
        self.dirty: set[str] = set()
        self.changed = False
        try:
            self._collect_body(body.find(_q(OFFICE, family)))
            if styles is not None:
                self._collect_styles(styles)
            if meta is not None:
                self._collect_meta(meta)
        except ValueError as exc:  # more marks in one paragraph than the builder can hold
            raise InputError(f"{name}: {exc}; split the paragraph and translate again.") from exc

    # -- checks ------------------------------------------------------------------------------------------------

    def _parse(self, part: str) -> Any:
        data = self.package.read(part)
        root = parse_xml(data, f"{self.name}: {part}")
        self.parts[part], self.raw[part] = root, data
        return root

    def _check_type(self) -> None:
        family = FAMILY[self.fmt]
        if not self.package.has("mimetype"):
            if self.package.has("[Content_Types].xml"):
                raise InputError(
                    f"{self.name}: an Office Open XML (Microsoft Office) file with the extension .{self.fmt}, not "
                    f"an {self.label}; rename it to .docx/.pptx or give --format."
                )
            return  # not required by every producer; content.xml decides
        mimetype = self.package.read("mimetype").decode("ascii", errors="replace").strip()
        if mimetype.startswith(MIMETYPE + family):
            return
        if mimetype.startswith(MIMETYPE):
            kind = mimetype[len(MIMETYPE) :].split("-")[0]
            raise InputError(
                f"{self.name}: an OpenDocument {kind} (mimetype {mimetype}), not an {self.label}; rename it to "
                f"{EXTENSION.get(kind, '.od?')} or give --format."
            )
        raise InputError(
            f"{self.name}: not an OpenDocument file (its mimetype entry says {mimetype[:80]!r}); give the right "
            "--format or save it again as ODF."
        )

    def _check_encryption(self) -> None:
        if not self.package.has("META-INF/manifest.xml"):
            return
        manifest = parse_xml(self.package.read("META-INF/manifest.xml"), f"{self.name}: META-INF/manifest.xml")
        for data in manifest.iter(_q(MANIFEST, "encryption-data")):
            entry = data.getparent().get(_q(MANIFEST, "full-path"), "?")
            raise InputError(
                f"{self.name}: the {self.label} is encrypted (password-protected; {entry} is encrypted per "
                "META-INF/manifest.xml). Open it in LibreOffice, remove the password (File > Properties > "
                "Security or Save As without 'Save with password'), then translate it."
            )

    def _scan_package(self, roots: list[Any]) -> None:
        """Warnings for what is copied but not translated, and what the translation invalidates."""
        names = self.package.names
        basic = [n for n in names if n.startswith("Basic/") and not n.endswith("/")
                 and n.rsplit("/", 1)[-1] not in ("script-lc.xml", "script-lb.xml")]  # fmt: skip
        dialogs = [n for n in names if n.startswith("Dialogs/") and not n.endswith("/")
                   and n.rsplit("/", 1)[-1] not in ("dialog-lc.xml", "dialog-lb.xml")]  # fmt: skip
        scripts = [n for n in names if n.startswith("Scripts/") and not n.endswith("/")]
        bound = 0
        for root in roots:
            bound += sum(1 for _ in root.iter(_q(OFFICE, "event-listeners"), _q(TEXT, "execute-macro")))
            bound += sum(1 for el in root.iter() if SCRIPT_LINK.match(el.get(_q(XLINK, "href"), "")))
        found = []
        if basic:
            found.append(f"Basic modules ({', '.join(basic[:3])}{', ...' if len(basic) > 3 else ''})")
        if scripts:
            found.append(f"scripts ({', '.join(scripts[:3])}{', ...' if len(scripts) > 3 else ''})")
        if dialogs:
            found.append(f"macro dialogs ({', '.join(dialogs[:3])}{', ...' if len(dialogs) > 3 else ''})")
        if bound:
            found.append(f"{bound} event binding(s) or link(s) that run macros")
        if found:
            self.warnings.append(
                f"contains macros: {'; '.join(found)}. They are copied unchanged and not translated (dialogs stay "
                "German); review them before you allow macros in the English file."
            )
        objects = sorted({n.split("/", 1)[0] for n in names if n.startswith("Object ") and n.endswith("/content.xml")})
        if objects:
            self.warnings.append(
                f"{len(objects)} embedded object(s) ({', '.join(objects[:3])}{', ...' if len(objects) > 3 else ''}: "
                "charts, formulas) are copied unchanged, not translated."
            )
        if any(n.startswith("META-INF/") and "signature" in n.lower() for n in names):
            self.warnings.append(
                "the document is digitally signed; the signature covers the German text and no longer matches the "
                "English: sign the translation again."
            )

    # -- reading -----------------------------------------------------------------------------------------------

    def _add(self, part: str, element: Any, location: str) -> None:
        tight: frozenset[int] = frozenset()
        if element.tag in PARAGRAPHS:
            (paragraph, tight), kind = _read_paragraph(element), "para"
        else:
            paragraph, kind = _read_plain(element), "plain"
        if any(ch.isalnum() for ch in paragraph.text):
            self.items.append(_Item(part, element, kind, paragraph, location, tight))

    def _texts(self, root: Any) -> Iterator[Any]:
        """The paragraphs and plain-text elements under *root*, in document order, outside skipped subtrees."""
        for element in root.iter(*PARAGRAPHS, *PLAIN):
            if any(ancestor.tag in SKIPPED for ancestor in element.iterancestors()):
                continue
            if element.tag in PLAIN and (len(element) or not (element.text or "").strip()):
                continue
            yield element

    def _collect_body(self, body: Any) -> None:
        if self.fmt == "odt":
            number = 0
            for element in self._texts(body):
                if element.tag in PARAGRAPHS:
                    number += 1
                    self._add("content.xml", element, f"paragraph {number}")
                else:
                    self._add("content.xml", element, f"{_plain_name(element)} after paragraph {number}")
            return
        pages = body.findall(_q(DRAW, "page"))
        for element in self._texts(body):  # footer and header declarations before the slides
            if element.tag in (_q(PRESENTATION, "footer-decl"), _q(PRESENTATION, "header-decl")):
                label = _local(element.tag).split("-")[0]
                self._add("content.xml", element, f"slide {label} {element.get(_q(PRESENTATION, 'name'), '')}".strip())
        for number, page in enumerate(pages, 1):
            title = page.get(_q(DRAW, "name"), "")
            slide = f"slide {number}" + (f" ({title})" if title and not re.fullmatch(r"page\d+", title) else "")
            for element in self._texts(page):
                notes = any(a.tag == _q(PRESENTATION, "notes") for a in element.iterancestors())
                where = slide + (" notes" if notes else "")
                if element.tag in PLAIN:
                    where = f"{_plain_name(element)} on {where}"
                self._add("content.xml", element, where)

    def _collect_styles(self, styles: Any) -> None:
        masters = styles.find(_q(OFFICE, "master-styles"))
        if masters is None:
            return
        for element in self._texts(masters):
            page = next((a for a in element.iterancestors(_q(STYLE, "master-page"))), None)
            name = "" if page is None else page.get(_q(STYLE, "display-name")) or page.get(_q(STYLE, "name"), "")
            region = next(
                (a for a in element.iterancestors() if a.tag.startswith(f"{{{STYLE}}}header")
                 or a.tag.startswith(f"{{{STYLE}}}footer")),
                None,
            )  # fmt: skip
            if region is not None:
                where = f"{_local(region.tag).replace('-', ' ')} of page style {name}"
            else:
                where = f"master page {name}"
            if element.tag in PLAIN:
                where = f"{_plain_name(element)} on {where}"
            self._add("styles.xml", element, where)

    def _collect_meta(self, meta: Any) -> None:
        for element in meta.iter(_q(DC, "title")):
            if not len(element) and (element.text or "").strip():
                self._add("meta.xml", element, "document title")

    # -- the Source protocol -----------------------------------------------------------------------------------

    def blocks(self) -> Iterator[Block]:
        for index, item in enumerate(list(self.items)):
            yield Block(item.paragraph, item.location, index)

    def put(self, block: Block, rendered: str) -> None:
        item = self.items[block.key]
        if rendered == item.paragraph.source:
            return  # untouched: the part stays byte for byte if nothing else in it changes
        marks = sorted(ord(ch) - MARK_FIRST for ch in rendered if is_mark(ch))
        if marks != list(range(len(item.paragraph.marks))):  # every mark exactly once, or the German stays
            self.warnings.append(f"{item.location}: the formatting could not be placed; kept in German.")
            return
        if item.kind == "para":
            _write_paragraph(item.element, item.paragraph, rendered, item.tight)
        else:
            item.element.text = "".join(
                part if isinstance(part, str) else str(part.data) for part in item.paragraph.decode(rendered)
            )
        self.dirty.add(item.part)
        self.changed = True

    def dump(self) -> bytes:
        replaced: dict[str, bytes] = {}
        if self.changed and "meta.xml" in self.parts:
            _set_language(self.parts["meta.xml"])
            self.dirty.add("meta.xml")
        for part in sorted(self.dirty):
            replaced[part] = serialize_xml(self.parts[part], self.raw[part])
        return self.package.write(replaced)


def _plain_name(element: Any) -> str:
    return {"title": "object title", "desc": "object description"}.get(_local(element.tag), _local(element.tag))


# -- paragraphs ----------------------------------------------------------------------------------------------------


def _span_key(element: Any) -> tuple[str, tuple[tuple[str, str], ...]]:
    return element.tag, tuple(element.attrib.items())


def _zero_width(element: Any) -> bool:
    if not isinstance(element.tag, str):
        return True  # a comment or processing instruction
    if element.tag in ZERO_WIDTH:
        return True
    # a frame or shape anchored to the paragraph (not as a character) takes no room in its text
    return element.tag.startswith(f"{{{DRAW}}}") and element.get(_q(TEXT, "anchor-type")) != "as-char"


def _read_paragraph(paragraph: Any) -> tuple[TaggedParagraph, frozenset[int]]:
    """The tagged paragraph of a ``text:p``/``text:h``: spans for ``text:span``/``text:a``, every other child an
    atom holding the element itself; white space collapsed as ODF says. Also the separators (line break, tab,
    ``text:s``) that a word follows without white space: the model sees a space after each ("1.<tab/>Antrag" is
    "1. Antrag", not the one word "1.Antrag"), which the writer drops again."""
    tokens: list[tuple[str, Any, tuple[Any, ...]]] = []  # ("text", str, ctx) or ("atom", element, ctx)
    white = True  # at the start of a paragraph, white space is ignored

    def text(value: str, ctx: tuple[Any, ...]) -> None:
        nonlocal white
        out = []
        for ch in value:
            if ch in WHITE:
                if white:
                    continue
                out.append(" ")
                white = True
            else:
                out.append(ch)
                white = False
        if out:
            tokens.append(("text", "".join(out), ctx))

    def walk(element: Any, ctx: tuple[Any, ...]) -> None:
        nonlocal white
        if element.text:
            text(element.text, ctx)
        for child in element:
            if isinstance(child.tag, str) and child.tag in SPANS and (child.text or len(child)):
                walk(child, (*ctx, _span_key(child)))
            elif _zero_width(child) or child.tag == SPACE:
                # "Satz. <text:s/>Neu", "Wort <text:bookmark/><text:span>Wort": the space before the atom goes
                # after it (the same rendering), so the model sees two words, not "Satz.Neu" or "WortWort"
                moved = bool(tokens) and tokens[-1][0] == "text" and tokens[-1][2] == ctx
                moved = moved and tokens[-1][1].endswith(" ")
                if moved:
                    before = tokens.pop()[1][:-1]
                    if before:
                        tokens.append(("text", before, ctx))
                tokens.append(("atom", child, ctx))
                if moved:
                    tokens.append(("text", " ", ctx))
                if child.tag == SPACE:
                    white = False
            else:
                tokens.append(("atom", child, ctx))
                white = False
            if child.tail:
                text(child.tail, ctx)

    walk(paragraph, ())
    builder = TaggedBuilder()
    keys: list[Any] = []
    spans: list[int] = []
    tight: set[int] = set()
    for index, (kind, value, ctx) in enumerate(tokens):
        common = 0
        while common < min(len(keys), len(ctx)) and keys[common] == ctx[common]:
            common += 1
        while len(keys) > common:
            builder.close(spans.pop())
            keys.pop()
        for key in ctx[common:]:
            spans.append(builder.open(_local(key[0]), key))
            keys.append(key)
        if kind == "text":
            builder.text(value)
            continue
        builder.atom(_local(value.tag), value)
        if value.tag in SEPARATORS:
            after = tokens[index + 1] if index + 1 < len(tokens) else None
            if after is None or after[0] != "text" or after[1][:1] not in WHITE:
                tight.add(id(value))
            if after is not None and after[0] == "text" and after[1][:1] not in WHITE:
                builder.text(" ")  # a space the German does not have, for the model only (see above)
    return builder.build(), frozenset(tight)


def _read_plain(element: Any) -> TaggedParagraph:
    builder = TaggedBuilder()
    builder.text(element.text or "")
    return builder.build()


def _write_paragraph(paragraph: Any, tagged: TaggedParagraph, rendered: str, tight: frozenset[int]) -> None:
    """Replace *paragraph*'s content by *rendered*: spans made again from their keys, atoms moved back in. A
    separator in *tight* (no white space after it in the German) gets none in the English either: the model's
    space between the words it stands between would start the next line or column with a space."""
    from lxml import etree

    for child in list(paragraph):
        paragraph.remove(child)
    paragraph.text = None
    white = True
    strip = False  # drop the white space that starts the next text (after a tight break)
    path: list[tuple[int, Any]] = []  # the open spans: (span id, element)

    def add_text(parent: Any, value: str) -> None:
        if not value:
            return
        if len(parent):
            parent[-1].tail = (parent[-1].tail or "") + value
        else:
            parent.text = (parent.text or "") + value

    def add_spaces(parent: Any, count: int) -> None:
        space = etree.SubElement(parent, _q(TEXT, "s"))
        if count > 1:
            space.set(_q(TEXT, "c"), str(count))

    def sync(stack: list[Mark]) -> Any:
        """The element to write into with *stack* open: the path's common part kept, the rest made anew."""
        common = 0
        while common < min(len(path), len(stack)) and path[common][0] == stack[common].span:
            common += 1
        del path[common:]
        for mark in stack[common:]:
            tag, attrib = mark.data
            parent = path[-1][1] if path else paragraph
            path.append((mark.span, etree.SubElement(parent, tag, dict(attrib))))
        return path[-1][1] if path else paragraph

    stack: list[Mark] = []  # the open spans, outermost first (as TaggedParagraph.runs)
    filled: set[int] = set()  # spans with text or an atom in them so far
    for item in tagged.decode(rendered):
        if not isinstance(item, str) and item.kind == "open":
            stack.append(item)
            continue
        if not isinstance(item, str) and item.kind == "close":
            at = next((i for i in range(len(stack) - 1, -1, -1) if stack[i].span == item.span), None)
            if at is None:
                continue
            if item.span not in filled:  # the English left it empty: kept as an empty element, in its place
                tag, attrib = item.data
                etree.SubElement(sync(stack[:at]), tag, dict(attrib))
            del stack[at]
            continue
        parent = sync(stack)
        filled.update(mark.span for mark in stack)
        if isinstance(item, Mark):
            if isinstance(item.data, str):  # a private-use character of the source itself
                add_text(parent, item.data)
                white = False
                continue
            item.data.tail = None
            parent.append(item.data)
            if not _zero_width(item.data):
                white = False
            strip = id(item.data) in tight
            continue
        if strip:
            item = item.lstrip(WHITE)
            strip = not item
        buf: list[str] = []
        pending = 0
        for ch in item:
            if ch in WHITE or ch == "\u2028":
                if white:
                    pending += 1
                    continue
                buf.append(" ")
                white = True
                continue
            if pending:
                add_text(parent, "".join(buf))
                buf = []
                add_spaces(parent, pending)
                pending = 0
            buf.append(ch)
            white = False
        add_text(parent, "".join(buf))
        if pending:
            add_spaces(parent, pending)


def _set_language(meta: Any) -> None:
    """``dc:language`` of ``meta.xml`` set to ``en`` (added when missing)."""
    from lxml import etree

    office_meta = meta.find(_q(OFFICE, "meta"))
    if office_meta is None:
        return
    languages = office_meta.findall(_q(DC, "language"))
    if languages:
        for language in languages:
            language.text = "en"
        return
    nsmap = None if DC in meta.nsmap.values() else {"dc": DC}
    language = etree.SubElement(office_meta, _q(DC, "language"), nsmap=nsmap)
    language.text = "en"
