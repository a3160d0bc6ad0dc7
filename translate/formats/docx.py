"""Word DOCX: every paragraph of the document, its headers and footers, footnotes, endnotes and comments, read and
written with lxml on the package's parts (``translate/formats/opc.py`` checks the package); every other part —
styles, numbering, settings, media, fonts, custom XML — is copied byte for byte.

python-docx is not used: it re-serializes every part it loads and does not reach footnotes, endnotes, comments or
text boxes. The package is refused (one line, before anything is translated) when it is not a zip or truncated,
password-protected (an OLE compound file holding ``EncryptedPackage``), an old binary ``.doc``, macro-enabled
(``vbaProject.bin``, a ``.docm``/``.dotm`` content type), linked to outside files by anything but a hyperlink (an
``attachedTemplate``, a linked picture or OLE object, a sub-document: ``TargetMode="External"``), saved as Strict
Open XML, or without its main part (``word/document.xml``).

**Blocks** are the paragraphs (``w:p``) of each part in document order: body, table cells (nested tables too),
content controls, and text boxes (``w:txbxContent`` in a drawing or a VML shape: each text box paragraph is a
block of its own, after the paragraph that anchors it). Word writes a text box twice, in ``mc:AlternateContent``'s
``mc:Choice`` (DrawingML) and ``mc:Fallback`` (VML): the Choice's paragraphs are the blocks, and each Fallback
paragraph with the same structure gets the same English (one where it differs is a block of its own). Parts:
``word/document.xml`` ("paragraph 12", "paragraph 40 (table 2, row 3, cell 1)", "paragraph 7 (text box)"), then
headers and footers ("header1 paragraph 1"), footnotes and endnotes ("footnote 3"), comments ("comment 5").
Not translated: charts, SmartArt, the glossary document (building blocks), alternative text of pictures, document
properties (title, subject) — a warning says when the file has charts or SmartArt.

**Within a paragraph** (its ``w:pPr`` is never touched):

- runs (``w:r``) are compared by their properties (``w:rPr``, canonically: attribute order, the spell-check
  language ``w:lang``, ``w:noProof`` and ``w:rFonts/@w:hint`` left out), so Word's revision ids (``w:rsid*``) and
  spelling marks (``w:proofErr``) never split a word; adjacent runs that compare equal are merged, the properties
  most of the text has are the paragraph's base and every run with other properties is a span: the English words it
  translates to become a run with that run's properties;
- hyperlinks (``w:hyperlink``, with their ``r:id`` or anchor), tracked insertions (``w:ins``, ``w:moveTo``),
  inline content controls (``w:sdt``), smart tags, custom XML and bidi containers are spans: the element is kept
  (attributes and properties) around the English words of its text. A hyperlink whose text is a URL or has no
  words is an atom;
- fields: a complex field (``w:fldChar`` begin … separate … end with its ``w:instrText``) or a ``w:fldSimple`` is an
  atom kept with its result as Word computed it (page numbers, dates, cross-references, tables of contents: Word
  recomputes them on update, F9); a ``HYPERLINK`` field's result is link text and is translated, as a span. A field
  that runs over several paragraphs (a table of contents) keeps its codes as atoms and has its result text
  translated paragraph by paragraph;
- tabs, line and page breaks (``w:tab``, ``w:br``, ``w:cr``, ``w:ptab``), symbols (``w:sym``), footnote, endnote and
  comment references, drawings, pictures, embedded objects, equations (``m:oMath``), bookmarks, comment ranges,
  permission ranges, deleted text (``w:del``, ``w:moveFrom``) and any element Glossator does not know are atoms,
  put back as they are among the English words (a tab or a break separates the words around it for the model and
  takes no space in the English; bookmarks and comment and permission ranges take no room and may stand inside a
  word);
- dropped from a translated paragraph only, as meaningless for the English: spelling/grammar marks
  (``w:proofErr``), ``w:lastRenderedPageBreak``, soft hyphens (``w:softHyphen``), Word's ``_GoBack`` bookmark (the
  last edit's position) and the revision ids of the runs; a non-breaking hyphen (``w:noBreakHyphen``) becomes an
  ordinary one.

**Language**: the runs of a translated paragraph keep their properties except a German ``w:lang/@w:val``
(``de-DE``, ``de-AT`` …), which becomes ``en-US``; where the German comes from the styles (``styles.xml`` names a
German language and the run names none) the run gets ``<w:lang w:val="en-US"/>``, so Word checks the English
spelling as English. ``styles.xml`` itself is not changed.

A paragraph whose English equals its German (no word in it, nothing translated) is left exactly as it was, so a
document nobody translated is written back with every part's bytes unchanged.

**Memory**: the main document is checked whole when the file is opened (lxml without building a tree, and one
expat pass that notes where each top-level element lies: each child of ``w:body`` — a paragraph, a table, a
content control, ``w:sectPr`` — and ``w:background``), then read one such piece at a time: a piece is parsed
with the root's and the body's start tags around it (the namespaces declared once, as in the file), its paragraphs
are blocks, and once every block of it has been put the piece is written (lxml, what writing the whole tree would
write for it) and its tree let go. Only the pieces of the blocks in flight are parsed at any time, so memory does
not grow with the length of the document: what is kept is the part's bytes and the English pieces' bytes. The
pieces nobody translated and everything between them keep their bytes. A main part that is not UTF-8 or has a
DOCTYPE is read whole, as headers, footers, notes and comments (small) are.
"""

from __future__ import annotations

import copy
import posixpath
import re
import tempfile
import uuid
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from glossator.translate.documents import Block
from glossator.translate.formats.opc import OpcPackage, worth_translating
from glossator.translate.marks import MARK_FIRST, is_mark
from glossator.translate.tagged import Mark, TaggedBuilder, TaggedParagraph

NS_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
NS_XML = "http://www.w3.org/XML/1998/namespace"
MAIN_TYPES = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
)
ENGLISH = "en-US"
# package folders whose text is not translated (a warning says so)
_UNTRANSLATED = {"charts": "charts", "diagrams": "SmartArt"}
# the parts translated besides the main document, by relationship type, in this order
PART_KINDS = ("header", "footer", "footnotes", "endnotes", "comments")

_W = f"{{{NS_W}}}"
_MC = f"{{{NS_MC}}}"
_P, _R, _T, _PPR, _RPR = f"{_W}p", f"{_W}r", f"{_W}t", f"{_W}pPr", f"{_W}rPr"
_TXBX = f"{_W}txbxContent"
_FLDCHAR, _INSTR = f"{_W}fldChar", f"{_W}instrText"
# run properties that do not change how the text looks: runs differing only in these are one run
_INVISIBLE = frozenset({f"{_W}lang", f"{_W}noProof"})
# w:rPr children that come after w:lang in the schema's sequence (w:lang goes before the first of them)
_AFTER_LANG = frozenset({f"{_W}eastAsianLayout", f"{_W}specVanish", f"{_W}oMath", f"{_W}rPrChange"})
# containers inside a paragraph whose text is translated: the element stays around the English (a span)
_CONTAINERS = {
    f"{_W}hyperlink": "hyperlink",
    f"{_W}ins": "ins",
    f"{_W}moveTo": "ins",
    f"{_W}smartTag": "smarttag",
    f"{_W}customXml": "customxml",
    f"{_W}sdt": "sdt",
    f"{_W}dir": "dir",
    f"{_W}bdo": "bdo",
    f"{_W}fldSimple": "field",
}
# a container's children that are its properties, not its content
_CONTAINER_PROPS = frozenset({f"{_W}smartTagPr", f"{_W}customXmlPr", f"{_W}sdtPr", f"{_W}sdtEndPr", f"{_W}fldData"})
# run children that separate words and take no space of their own in the English
_SPACES = {f"{_W}tab": "tab", f"{_W}br": "br", f"{_W}cr": "br", f"{_W}ptab": "tab"}
_BOOKMARKS = frozenset({f"{_W}bookmarkStart", f"{_W}bookmarkEnd"})
# markup that takes no room in the text: it may stand inside a word, so it does not separate words for the model
_ROOMLESS = frozenset(
    {
        "bookmarkStart",
        "bookmarkEnd",
        "commentRangeStart",
        "commentRangeEnd",
        "permStart",
        "permEnd",
        "moveFromRangeStart",
        "moveFromRangeEnd",
        "moveToRangeStart",
        "moveToRangeEnd",
        "customXmlInsRangeStart",
        "customXmlInsRangeEnd",
        "customXmlDelRangeStart",
        "customXmlDelRangeEnd",
    }
)
_DROPPED_RUN = frozenset({f"{_W}lastRenderedPageBreak", f"{_W}softHyphen"})
_URL_TEXT = re.compile(r"\s*(?:(?:https?|ftp|mailto|file):\S*|www\.\S+|\S+@\S+\.\w+)\s*\Z", re.I)


# --------------------------------------------------------------------------------------------- markup data


@dataclass
class _Format:
    """A run span's data: the run properties (``w:rPr`` or None) and their comparable key."""

    rpr: Any
    key: tuple[Any, ...]


@dataclass
class _Container:
    """A container span's data: the element itself (kept, its content rebuilt) and where its content goes."""

    element: Any


@dataclass
class _Field:
    """A HYPERLINK complex field as a span: the runs from its begin to its separate mark, and its end run."""

    begin: list[Any]
    end: list[Any]


@dataclass
class _RunAtom:
    """A run's child kept as it is (a tab, a footnote reference, a drawing), with the run's properties."""

    element: Any
    fmt: _Format
    space: bool = False  # a tab or a break: no space beside it in the English


@dataclass
class _Atom:
    """Elements kept as they are between runs (a bookmark, a field, a deleted run, an equation)."""

    elements: list[Any]
    tag: str = ""

    def __post_init__(self) -> None:
        if not self.tag:
            first = self.elements[0].tag
            self.tag = first.rsplit("}", 1)[-1] if isinstance(first, str) else "xml"


# --------------------------------------------------------------------------------------------- reading


@dataclass
class _TextRun:
    """One run's content: text and run-level atoms, with its properties."""

    fmt: _Format
    pieces: list[str | _RunAtom]

    @property
    def text(self) -> str:
        return "".join(p for p in self.pieces if isinstance(p, str))


@dataclass
class _Span:
    """A container or a HYPERLINK field around items."""

    tag: str
    data: _Container | _Field
    items: list[Any]


def _rpr_key(rpr: Any) -> tuple[Any, ...]:
    if rpr is None:
        return ()
    return tuple(_canonical(child) for child in rpr if isinstance(child.tag, str) and child.tag not in _INVISIBLE)


def _canonical(el: Any) -> tuple[Any, ...]:
    attrs = tuple(sorted((k, v) for k, v in el.attrib.items() if not (el.tag == f"{_W}rFonts" and k == f"{_W}hint")))
    return (el.tag, attrs, (el.text or "").strip(), tuple(_canonical(c) for c in el if isinstance(c.tag, str)))


def _text_of(items: Sequence[Any]) -> str:
    out: list[str] = []
    for item in items:
        if isinstance(item, _TextRun):
            out.append(item.text)
        elif isinstance(item, _Span):
            out.append(_text_of(item.items))
    return "".join(out)


def _fld_kind(run: Any) -> str | None:
    """The kind ("begin", "separate", "end") of a run that is only a field character, else None."""
    children = [c for c in run if isinstance(c.tag, str) and c.tag != _RPR]
    if len(children) == 1 and children[0].tag == _FLDCHAR:
        return str(children[0].get(f"{_W}fldCharType", ""))
    return None


def _field_bounds(elements: Sequence[Any], start: int) -> tuple[int, int | None] | None:
    """The index of the run ending the field that begins at *start*, and of its separate mark (None: no result);
    None when the field does not end among these siblings (it runs on into another paragraph or container)."""
    depth, separate = 0, None
    for k in range(start, len(elements)):
        if elements[k].tag != _R:
            continue
        for char in elements[k].iter(_FLDCHAR):
            kind = char.get(f"{_W}fldCharType")
            if kind == "begin":
                depth += 1
            elif kind == "separate" and depth == 1 and separate is None:
                separate = k
            elif kind == "end":
                depth -= 1
                if depth == 0:
                    return k, separate
    return None


def _instruction(elements: Sequence[Any]) -> str:
    return "".join(t.text or "" for el in elements for t in el.iter(_INSTR)).strip()


class _Reader:
    """One paragraph's content as items (runs, atoms, spans). Word's ``_GoBack`` bookmark (the last edit's
    position, for Shift+F5) is dropped like the spelling marks: it would often cut a word."""

    def __init__(self, p: Any) -> None:
        self.go_back = {b.get(f"{_W}id") for b in p.iter(f"{_W}bookmarkStart") if b.get(f"{_W}name") == "_GoBack"}

    def collect(self, elements: Sequence[Any]) -> list[Any]:
        items: list[Any] = []
        i = 0
        while i < len(elements):
            el = elements[i]
            tag = el.tag
            i += 1
            if not isinstance(tag, str):  # a comment or processing instruction
                items.append(_Atom([el]))
            elif tag == _PPR:
                continue
            elif tag == _R:
                if _fld_kind(el) == "begin":
                    bounds = _field_bounds(elements, i - 1)
                    if bounds is not None:
                        end, separate = bounds
                        items.append(self._field(elements, i - 1, end, separate))
                        i = end + 1
                        continue
                items.append(self._run(el))
            elif tag == f"{_W}proofErr" or (tag in _BOOKMARKS and el.get(f"{_W}id") in self.go_back):
                continue
            elif tag in _CONTAINERS:
                items.append(self._container(el, _CONTAINERS[tag]))
            else:  # bookmarks, comment ranges, deleted runs, equations, anything unknown
                items.append(_Atom([el]))
        return items

    def _field(self, elements: Sequence[Any], begin: int, end: int, separate: int | None) -> Any:
        group = list(elements[begin : end + 1])
        if separate is not None and _instruction(elements[begin:separate]).upper().startswith("HYPERLINK"):
            inner = self.collect(elements[separate + 1 : end])
            text = _text_of(inner)
            if worth_translating(text) and not _URL_TEXT.match(text):
                return _Span("field", _Field(list(elements[begin : separate + 1]), [elements[end]]), inner)
        return _Atom(group, "field")

    def _container(self, el: Any, tag: str) -> Any:
        if tag == "field" and not (el.get(f"{_W}instr") or "").strip().upper().startswith("HYPERLINK"):
            return _Atom([el], "field")
        content = el.find(f"{_W}sdtContent") if tag == "sdt" else el
        if content is None:
            return _Atom([el])
        inner = self.collect([c for c in content if c.tag not in _CONTAINER_PROPS])
        text = _text_of(inner)
        if not worth_translating(text) or (tag in ("hyperlink", "field") and _URL_TEXT.match(text)):
            return _Atom([el])
        return _Span(tag, _Container(el), inner)

    def _run(self, run: Any) -> _TextRun:
        rpr = run.find(_RPR)
        fmt = _Format(rpr, _rpr_key(rpr))
        pieces: list[str | _RunAtom] = []
        for child in run:
            tag = child.tag
            if tag == _RPR or tag in _DROPPED_RUN:
                continue
            if tag == _T:
                text = child.text or ""
                if child.get(f"{{{NS_XML}}}space") != "preserve":
                    text = text.strip(" \t\r\n")
                pieces.append(text)
            elif tag == f"{_W}noBreakHyphen":
                pieces.append("-")
            elif isinstance(tag, str) and tag in _SPACES:
                pieces.append(_RunAtom(child, fmt, space=True))
            else:  # symbols, references, drawings, field characters, instruction text, anything unknown
                pieces.append(_RunAtom(child, fmt))
        return _TextRun(fmt, pieces)


def _weights(items: Sequence[Any], out: dict[tuple[Any, ...], tuple[int, _Format]]) -> None:
    for item in items:
        if isinstance(item, _TextRun):
            chars = len(item.text)
            if chars:
                weight, fmt = out.get(item.fmt.key, (0, item.fmt))
                out[item.fmt.key] = (weight + chars, fmt)
        elif isinstance(item, _Span):
            _weights(item.items, out)


class _Emitter:
    """Items into a :class:`TaggedBuilder`: runs with the base properties are plain text, others run spans
    (adjacent runs with equal properties one span), containers and HYPERLINK fields spans, the rest atoms.

    Markup that takes no room (bookmarks, comment and permission ranges) is an atom that does not separate words
    (a bookmark may sit inside a word or a number); the words on either side of a tab or a break are two words for
    the model even before a sign ("Förderung<break>(Achtung" is "Förderung (Achtung"), with a space the source
    does not have."""

    def __init__(self, base: _Format) -> None:
        self.base = base
        self.builder = TaggedBuilder()
        self.apart = False  # a tab or a break was the last thing given: keep the next text apart from what precedes
        self.last = ""  # the last character of text given ("" after markup)

    def emit(self, items: Sequence[Any]) -> None:
        builder = self.builder
        open_key: tuple[Any, ...] | None = None  # the run span open at this level
        open_span = -1
        for item in items:
            if isinstance(item, _TextRun):
                if not item.text:  # only atoms (a footnote reference, a drawing): no span of its own
                    self._pieces(item.pieces)
                    continue
                if item.fmt.key != open_key:
                    if open_key is not None:
                        builder.close(open_span)
                        open_key = None
                    if item.fmt.key != self.base.key:
                        open_span = builder.open("run", item.fmt)
                        open_key = item.fmt.key
                        self.last = ""
                self._pieces(item.pieces)
            elif isinstance(item, _Atom):
                roomless = item.tag in _ROOMLESS
                builder.atom(item.tag, item, separates=not roomless)
                if roomless and self.last.isspace():
                    # it took the space before it along (as every atom does): the words around it stay two words
                    builder.space()
                self.last = ""
            else:
                if open_key is not None:
                    builder.close(open_span)
                    open_key = None
                span = builder.open(item.tag, item.data)
                self.last = ""
                self.emit(item.items)
                builder.close(span)
                self.last = ""
        if open_key is not None:
            builder.close(open_span)
            self.last = ""

    def _pieces(self, pieces: Sequence[str | _RunAtom]) -> None:
        for piece in pieces:
            if isinstance(piece, str):
                if piece:
                    if self.apart and not piece[0].isspace():
                        self.builder.space()
                    self.apart = False
                    self.builder.text(piece)
                    self.last = piece[-1]
                continue
            self.builder.atom(piece.element.tag.rsplit("}", 1)[-1], piece)
            self.apart = piece.space
            self.last = ""


def tag_paragraph(p: Any) -> tuple[TaggedParagraph, _Format]:
    """The tagged paragraph of the ``w:p`` *p* and its base run format."""
    items = _Reader(p).collect(list(p))
    weights: dict[tuple[Any, ...], tuple[int, _Format]] = {}
    _weights(items, weights)
    base = max(weights.values(), key=lambda wf: wf[0])[1] if weights else _Format(None, ())
    emitter = _Emitter(base)
    emitter.emit(items)
    return emitter.builder.build(), base


# --------------------------------------------------------------------------------------------- writing


class _Writer:
    """A paragraph's English content: text into runs (one per stretch of equal properties), atoms put back."""

    def __init__(self, p: Any, base: _Format, german_styles: bool) -> None:
        self.parent = p
        self.stack: list[Any] = []  # open marks: run formats, containers, fields
        self.base = base
        self.german_styles = german_styles
        self.run: Any = None
        self.run_key: tuple[Any, ...] | None = None

    def _fmt(self) -> _Format:
        for data in reversed(self.stack):
            if isinstance(data, _Format):
                return data
        return self.base

    def _run_for(self, fmt: _Format) -> Any:
        from lxml import etree

        if self.run is None or self.run_key != fmt.key or self.run.getparent() is not self.parent:
            self.run = etree.SubElement(self.parent, _R)
            self.run_key = fmt.key
            rpr = copy.deepcopy(fmt.rpr) if fmt.rpr is not None else None
            rpr = _english(rpr, self.german_styles)
            if rpr is not None:
                self.run.append(rpr)
        return self.run

    def text(self, text: str) -> None:
        from lxml import etree

        if not text:
            return
        run = self._run_for(self._fmt())
        last = run[-1] if len(run) else None
        if last is not None and last.tag == _T:
            last.text = (last.text or "") + text
        else:
            last = etree.SubElement(run, _T)
            last.text = text
        if last.text != last.text.strip(" \t\r\n"):
            last.set(f"{{{NS_XML}}}space", "preserve")
        elif f"{{{NS_XML}}}space" in last.attrib:
            del last.attrib[f"{{{NS_XML}}}space"]

    def mark(self, mark: Mark) -> None:
        data = mark.data
        if mark.kind == "atom":
            if isinstance(data, _RunAtom):
                _detach(data.element)
                self._run_for(data.fmt).append(data.element)
            elif isinstance(data, _Atom):
                self.run = None
                for el in data.elements:
                    _detach(el)
                    self.parent.append(el)
            return
        if mark.kind == "open":
            self.stack.append(data)
            if isinstance(data, _Container):
                self.run = None
                shell = data.element
                _detach(shell)
                content = shell.find(f"{_W}sdtContent") if shell.tag == f"{_W}sdt" else shell
                for child in list(content):
                    if child.tag not in _CONTAINER_PROPS:
                        content.remove(child)
                self.parent.append(shell)
                self.parent = content
            elif isinstance(data, _Field):
                self.run = None
                for el in data.begin:
                    _detach(el)
                    self.parent.append(el)
            return
        # close: the innermost open mark (marks are checked to nest)
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i] is data:
                del self.stack[i]
                break
        if isinstance(data, _Container):
            self.run = None
            shell = data.element
            self.parent = shell.getparent()
        elif isinstance(data, _Field):
            self.run = None
            for el in data.end:
                _detach(el)
                self.parent.append(el)


def _detach(el: Any) -> None:
    parent = el.getparent()
    if parent is not None:
        parent.remove(el)  # lxml keeps the element's tail with it: drop it, it is only indentation
    el.tail = None


def _english(rpr: Any, german_styles: bool) -> Any:
    """Run properties for English text: a German ``w:lang/@w:val`` becomes en-US; where the styles make the text
    German and the run names no language, ``w:lang`` is added (the element created when needed)."""
    from lxml import etree

    lang = rpr.find(f"{_W}lang") if rpr is not None else None
    if lang is not None:
        val = lang.get(f"{_W}val")
        if (val or "").lower().startswith("de") or (val is None and german_styles):
            lang.set(f"{_W}val", ENGLISH)
        return rpr
    if not german_styles:
        return rpr
    if rpr is None:
        rpr = etree.Element(_RPR)
    lang = etree.Element(f"{_W}lang")
    lang.set(f"{_W}val", ENGLISH)
    after = next(
        (c for c in rpr if isinstance(c.tag, str) and (c.tag in _AFTER_LANG or not c.tag.startswith(_W))), None
    )
    if after is not None:
        after.addprevious(lang)
    else:
        rpr.append(lang)
    return rpr


def _english_spacing(items: list[str | Mark], tagged: TaggedParagraph) -> list[str | Mark]:
    """The English's spaces around atoms as the German had them: none beside a tab or a break (those separate the
    words themselves), and none after an atom that had none after it in the German while the English has one
    before it ("steht <text box>ein" is "stands <text box>a", not "stands <text box> a")."""
    source = tagged.source
    index = {id(mark): n for n, mark in enumerate(tagged.marks)}
    out = list(items)
    for k, item in enumerate(out):
        if not (isinstance(item, Mark) and item.kind == "atom"):
            continue
        before = out[k - 1] if k > 0 and isinstance(out[k - 1], str) else None
        after = out[k + 1] if k + 1 < len(out) and isinstance(out[k + 1], str) else None
        if isinstance(item.data, _RunAtom) and item.data.space:
            # the text on either side, across the span boundaries next to it
            b = _text_beside(out, k, -1)
            if b is not None:
                out[b] = str(out[b]).rstrip(" ")
            a = _text_beside(out, k, 1)
            if a is not None:
                out[a] = str(out[a]).lstrip(" ")
            continue
        at = source.find(chr(MARK_FIRST + index[id(item)]))
        spaced = at + 1 < len(source) and source[at + 1].isspace()
        if isinstance(before, str) and isinstance(after, str) and before[-1:].isspace() and not spaced:
            out[k + 1] = after.lstrip(" ")
    return out


def _text_beside(items: list[str | Mark], k: int, step: int) -> int | None:
    """The index of the text next to *items[k]* in direction *step*, past span openings and closings; None when an
    atom or the paragraph's edge comes first."""
    j = k + step
    while 0 <= j < len(items):
        item = items[j]
        if isinstance(item, str):
            return j
        if item.kind == "atom":
            return None
        j += step
    return None


def write_paragraph(
    p: Any, tagged: TaggedParagraph, base: _Format, rendered: str, german_styles: bool, english: bool = True
) -> None:
    """Rebuild the content of *p* (its ``w:pPr`` kept) from *rendered*: *tagged*'s marks in place; *english*: the
    spaces around atoms as the German had them (see :func:`_english_spacing`), else every character as given."""
    for child in list(p):
        if child.tag != _PPR:
            p.remove(child)
    writer = _Writer(p, base, german_styles)
    items = tagged.decode(rendered)
    for item in _english_spacing(items, tagged) if english else items:
        if isinstance(item, str):
            writer.text(item)
        else:
            writer.mark(item)


def marks_complete(tagged: TaggedParagraph, rendered: str) -> bool:
    """Every mark of *tagged* exactly once in *rendered* (what :func:`write_paragraph` needs)."""
    seen = sorted(ord(ch) for ch in rendered if is_mark(ch))
    return seen == sorted(ord(ch) for ch in tagged.source if is_mark(ch))


# --------------------------------------------------------------------------------------------- the document


class _WholePart:
    """A part parsed whole (headers, footers, notes, comments; a main part that cannot be read in pieces): one
    piece, the part."""

    layout: _Layout | None = None

    def __init__(self, name: str, kind: str, data: bytes, where: str) -> None:
        self.name, self.kind, self.data, self.where = name, kind, data, where
        self.stem = posixpath.splitext(posixpath.basename(name))[0]
        self.count = 1
        self.english: bytes | None = None

    @property
    def changed(self) -> bool:
        return self.english is not None

    def parse(self, index: int) -> tuple[Any, Any]:
        from glossator.translate.formats.package import parse_xml

        root = parse_xml(self.english if self.english is not None else self.data, self.where)
        return root, root

    def replace(self, index: int, root: Any) -> None:
        from glossator.translate.formats.package import serialize_xml

        self.english = serialize_xml(root, self.data)

    def output(self) -> Any:
        return self.english


class _PiecePart:
    """The main document read one top-level element at a time (see :func:`_scan`): its bytes in a spooled temporary
    file (in memory up to ``SPOOL_BYTES``, on disk beyond), the German as it was and after it each English piece as
    it is written; in memory only the offsets. A piece is parsed on its own, in a small tree of the root's and the
    body's start tags around it (the namespaces declared as in the part), and written as lxml writes it there —
    what writing the whole tree would write for it."""

    def __init__(self, name: str, where: str, store: Any, layout: _Layout) -> None:
        self.name, self.kind, self.where, self.store, self.layout = name, "", where, store, layout
        self.stem = posixpath.splitext(posixpath.basename(name))[0]
        self.count = len(layout.starts)
        self.size = layout.size
        self.head = self._read(0, layout.root_end)
        self.body = self._read(layout.body_start, layout.body_end)
        root_name = _QNAME.match(self._read(layout.root_start, layout.root_end))
        body_name = _QNAME.match(self.body)
        if root_name is None or body_name is None:
            raise _NotInPieces
        self.body_close = b"</" + body_name.group(1) + b">"
        self.root_close = b"</" + root_name.group(1) + b">"
        self.marker = f"<!--glossator piece {uuid.uuid4().hex}-->".encode("ascii")
        self.english_at = array("q")  # piece index → where its English starts in the store (-1: none)
        self.english_length = array("q")

    @property
    def changed(self) -> bool:
        return len(self.english_at) > 0 and max(self.english_at) >= 0

    def _read(self, start: int, end: int) -> bytes:
        self.store.seek(start)
        data: bytes = self.store.read(end - start)
        return data

    def _piece(self, index: int) -> bytes:
        if index < len(self.english_at) and self.english_at[index] >= 0:
            at = self.english_at[index]
            return self._read(at, at + self.english_length[index])
        return self._read(self.layout.starts[index], self.layout.ends[index])

    def parse(self, index: int) -> tuple[Any, Any]:
        """The small tree holding piece *index* as it stands (its English once written) and the piece's element."""
        from glossator.translate.formats.package import parse_xml

        outside = index in self.layout.outside
        inside = self.marker + self._piece(index) + self.marker
        if not outside:
            inside = self.body + inside + self.body_close
        root = parse_xml(self.head + inside + self.root_close, self.where)
        return root, (root if outside else root[0])[1]

    def replace(self, index: int, root: Any) -> None:
        """Write piece *index* from its small tree *root* to the end of the store."""
        from lxml import etree

        encoding = root.getroottree().docinfo.encoding or "UTF-8"
        text: bytes = etree.tostring(root, encoding=encoding, xml_declaration=False)
        first = text.index(self.marker) + len(self.marker)
        english = text[first : text.index(self.marker, first)]
        if not len(self.english_at):
            self.english_at = array("q", [-1]) * self.count
            self.english_length = array("q", [0]) * self.count
        self.store.seek(0, 2)
        self.english_at[index] = self.store.tell()
        self.english_length[index] = len(english)
        self.store.write(english)

    def output(self) -> Any:
        """The part, each English piece in place of its German and every other byte as it was, as chunks for the
        zip (never one bytes object)."""
        from glossator.translate.formats.package import Chunks

        spans: list[tuple[int, int]] = []  # stretches of the store, in order
        cursor = 0
        for index, at in enumerate(self.english_at):
            if at >= 0:
                spans += [(cursor, self.layout.starts[index]), (at, at + self.english_length[index])]
                cursor = self.layout.ends[index]
        spans.append((cursor, self.size))
        return Chunks(sum(end - start for start, end in spans), self._chunks(spans))

    def _chunks(self, spans: list[tuple[int, int]]) -> Iterator[bytes]:
        for start, end in spans:
            while start < end:
                step = min(end, start + CHUNK_BYTES)
                yield self._read(start, step)
                start = step


@dataclass
class _Layout:
    """Where the main part's top-level elements lie (byte offsets): each child of ``w:body``, and each other child
    of the root (``w:background``; their indices in *outside*); the root's and the body's start tags; the size."""

    root_start: int = -1
    root_end: int = -1
    body_start: int = -1
    body_end: int = -1
    size: int = 0
    root_tag: str = ""
    starts: array[int] = field(default_factory=lambda: array("q"))
    ends: array[int] = field(default_factory=lambda: array("q"))
    outside: set[int] = field(default_factory=set)


class _NotInPieces(Exception):
    """The part is read whole (a DOCTYPE, an encoding a small tree cannot share, an unusual root)."""


_ENCODING = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")
_QNAME = re.compile(rb"<([^\s/>]+)")
SPOOL_BYTES = 1 << 20  # a main part up to this size stays in memory, a larger one goes to a temporary file
CHUNK_BYTES = 1 << 16  # the main part is read, checked and written this much at a time


def _scan(chunks: Iterable[bytes]) -> _Layout | None:
    """The layout of the main part (see :class:`_Layout`), found with expat in one pass over its *chunks* (nothing
    kept but offsets); None where the part is read whole: UTF-16/32 or a declared encoding other than UTF-8 (a small
    tree repeats the part's start tags), a DOCTYPE, no ``w:body``, or anything expat does not read (lxml then says
    what is wrong with it)."""
    from xml.parsers import expat

    parser = expat.ParserCreate(namespace_separator=" ")
    body_name = f"{NS_W} body"
    layout = _Layout()
    starts, ends, outside = layout.starts, layout.ends, layout.outside
    pending: list[str] = []  # what the next event's position ends: "root", "body" (start tags) or "piece"
    depth, in_body, root_name = 0, False, ""

    def at() -> None:
        if pending:
            position = parser.CurrentByteIndex
            for what in pending:
                if what == "piece":
                    ends.append(position)
                elif what == "root":
                    layout.root_end = position
                else:
                    layout.body_end = position
            pending.clear()

    def start(name: str, attrs: Any) -> None:
        nonlocal depth, in_body, root_name
        at()
        if depth == 0:
            root_name = name
            layout.root_start = parser.CurrentByteIndex
            pending.append("root")
        elif depth == 1 and name == body_name:
            if layout.body_start >= 0:
                raise _NotInPieces  # two bodies: not Word's
            layout.body_start = parser.CurrentByteIndex
            in_body = True
            pending.append("body")
        elif depth == 1 or (depth == 2 and in_body):
            if depth == 1:
                outside.add(len(starts))
            starts.append(parser.CurrentByteIndex)
        depth += 1

    def end(name: str) -> None:
        nonlocal depth, in_body
        at()
        depth -= 1
        if depth == 1 and name == body_name:
            in_body = False
        elif depth == 1 or (depth == 2 and in_body):
            pending.append("piece")

    def other(*_: Any) -> None:
        at()

    def doctype(*_: Any) -> None:
        raise _NotInPieces

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = other
    parser.CommentHandler = other
    parser.ProcessingInstructionHandler = other
    parser.StartCdataSectionHandler = other
    parser.EndCdataSectionHandler = other
    parser.DefaultHandlerExpand = other
    parser.StartDoctypeDeclHandler = doctype
    try:
        for chunk in chunks:
            if not layout.size:
                declared = _ENCODING.match(chunk[:400])
                if chunk[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in chunk[:4]:
                    return None
                if declared is not None and declared.group(1).lower() not in (b"utf-8", b"utf8"):
                    return None  # ISO-8859-1 would do, but Word writes UTF-8: keep the rare case simple
            layout.size += len(chunk)
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except (expat.ExpatError, _NotInPieces, ValueError):
        return None
    if min(layout.root_end, layout.body_start, layout.body_end) < 0 or len(starts) != len(ends):
        return None
    uri, _, local = root_name.rpartition(" ")
    layout.root_tag = f"{{{uri}}}{local}" if uri else local
    return layout


def _layout(data: bytes) -> _Layout | None:
    """:func:`_scan` of a part in memory."""
    return _scan([data[i : i + CHUNK_BYTES] for i in range(0, len(data), CHUNK_BYTES)])


@dataclass
class _Piece:
    """A piece of a part being read (see :class:`_Part`): its tree while its blocks are out, how many are not put
    yet, whether all were given out, whether one changed it."""

    part: _WholePart | _PiecePart
    index: int
    root: Any
    element: Any
    pending: int = 0
    read: bool = False
    changed: bool = False

    @property
    def key(self) -> tuple[str, int]:
        return (self.part.name, self.index)


@dataclass
class _Count:
    """Paragraphs and tables numbered through a part, piece after piece."""

    paragraphs: int = 0
    tables: int = 0


@dataclass
class _Paragraph:
    """A block: one ``w:p``, its piece and location; its twins are its copies in ``mc:Fallback`` branches."""

    piece: _Piece
    element: Any
    location: str
    twins: list[Any] = field(default_factory=list)


@dataclass
class _Built:
    """A block's key: the paragraph, its tagged form and base format, and the twins that share its English."""

    paragraph: _Paragraph
    tagged: TaggedParagraph
    base: _Format
    twins: list[tuple[Any, TaggedParagraph, _Format]]


class DocxSource:
    """An opened DOCX (see the module docstring)."""

    def __init__(self, data: bytes, name: str) -> None:
        self.name = name
        self.warnings: list[str] = []
        self.opc = OpcPackage(data, name, "Word", MAIN_TYPES, "Word Document (.docx)")
        package = self.opc.package
        main = self.opc.main
        if not package.has(main):
            raise self.opc.refuse(main, "the main document part is missing")
        self._parts: list[_WholePart | _PiecePart] = []
        self._held: dict[tuple[str, int], _Piece] = {}  # pieces parsed and not let go
        rels = self.opc.rels(main)
        self.german_styles = self._german_styles([r.target for r in rels.values() if r.kind == "styles"])
        self._open_part(main, "")
        for kind in PART_KINDS:
            for rel in sorted((r for r in rels.values() if r.kind == kind and not r.external), key=_part_order):
                if all(part.name != rel.target for part in self._parts):
                    if not package.has(rel.target):
                        raise self.opc.refuse(main, f"its {kind} part {rel.target} is missing")
                    self._open_part(rel.target, kind)
        kinds = sorted(
            {
                _UNTRANSLATED[part.split("/")[1]]
                for part in package.names
                if part.startswith(("word/charts/", "word/diagrams/")) and part.endswith(".xml")
            }
        )
        if kinds:
            self.warnings.append(
                f"{' and '.join(kinds)} kept in German: Glossator translates the text of paragraphs, tables, text "
                "boxes, headers, footers, notes and comments"
            )

    def _german_styles(self, parts: list[str]) -> bool:
        for part in parts:
            if self.opc.package.has(part):
                root = self.opc.xml(part)
                for lang in root.iter(f"{_W}lang"):
                    if (lang.get(f"{_W}val") or "").lower().startswith("de"):
                        return True
        return False

    def _open_part(self, name: str, kind: str) -> None:
        """Check the part whole now (nothing is translated from a file with a broken part); the main document is
        then read in pieces, any other part is kept parsed."""
        where = self.opc.where(name)
        part = self._in_pieces(name, where) if not kind else None
        if part is None:
            whole = _WholePart(name, kind, self.opc.package.read(name), where)
            root, _ = whole.parse(0)
            if isinstance(root.tag, str):
                self.opc.check_root(name, root.tag)
            self._held[(name, 0)] = _Piece(whole, 0, root, root)
            self._parts.append(whole)
        else:
            self._parts.append(part)

    def _in_pieces(self, name: str, where: str) -> _PiecePart | None:
        """The main part to be read in pieces (its bytes copied to a spooled file, its layout found, the whole
        checked with lxml now: nothing is translated from a broken part), or None: read it whole."""
        from glossator.translate.formats.package import check_xml

        store = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (kept open by the part)

        def copied() -> Iterator[bytes]:
            for chunk in self.opc.package.chunks(name, CHUNK_BYTES):
                store.write(chunk)
                yield chunk

        layout = _scan(copied())
        try:
            if layout is not None:
                store.seek(0)
                check_xml(iter(lambda: store.read(CHUNK_BYTES), b""), where)
                self.opc.check_root(name, layout.root_tag)
                return _PiecePart(name, where, store, layout)
        except _NotInPieces:
            pass
        store.close()
        return None

    def _piece(self, part: _WholePart | _PiecePart, index: int) -> _Piece:
        held = self._held.get((part.name, index))
        if held is not None:
            return held
        root, element = part.parse(index)
        piece = self._held[(part.name, index)] = _Piece(part, index, root, element)
        return piece

    def _settle(self, piece: _Piece) -> None:
        """Let go of *piece* once all its blocks were given out and put: its English bytes kept if it changed."""
        if piece.read and piece.pending <= 0 and self._held.get(piece.key) is piece:
            self._let_go(piece)

    def _let_go(self, piece: _Piece) -> None:
        if piece.changed:
            piece.part.replace(piece.index, piece.root)
        del self._held[piece.key]

    def _paragraphs(self, piece: _Piece, count: _Count) -> list[_Paragraph]:
        element, kind = piece.element, piece.part.kind
        twins = _alternate_twins(element)
        tables = {tbl: n for n, tbl in enumerate(element.iter(f"{_W}tbl"), start=count.tables + 1)}
        count.tables += len(tables)
        by_element: dict[Any, _Paragraph] = {}
        out: list[_Paragraph] = []
        for p in element.iter(_P):
            count.paragraphs += 1
            if p in twins:
                primary = by_element.get(twins[p])
                if primary is not None:
                    primary.twins.append(p)
                    continue
            if kind in ("footnotes", "endnotes", "comments"):
                note = next(
                    (a for a in p.iterancestors() if a.tag in (f"{_W}footnote", f"{_W}endnote", f"{_W}comment")), None
                )
                ident = note.get(f"{_W}id") if note is not None else "?"
                location = f"{note.tag.rsplit('}', 1)[-1] if note is not None else kind} {ident}"
            elif kind:
                location = f"{piece.part.stem} paragraph {count.paragraphs}"
            else:
                location = f"paragraph {count.paragraphs}{_context(p, tables)}"
            paragraph = _Paragraph(piece, p, location)
            by_element[p] = paragraph
            out.append(paragraph)
        return out

    def blocks(self) -> Iterator[Block]:
        """The blocks in document order. A piece of the main document is parsed when its turn comes and let go once
        its blocks are put, so only the pieces of the blocks in flight are held in memory."""
        for part in self._parts:
            count = _Count()
            for index in range(part.count):
                piece = self._piece(part, index)
                piece.read = False
                for paragraph in self._paragraphs(piece, count):
                    yield from self._blocks_of(paragraph)
                piece.read = True
                self._settle(piece)

    def _blocks_of(self, paragraph: _Paragraph) -> Iterator[Block]:
        piece = paragraph.piece
        tagged, base = tag_paragraph(paragraph.element)
        shared: list[tuple[Any, TaggedParagraph, _Format]] = []
        own: list[tuple[Any, TaggedParagraph, _Format]] = []
        for twin in paragraph.twins:
            twin_tagged, twin_base = tag_paragraph(twin)
            same = twin_tagged.source == tagged.source and [(m.kind, m.tag) for m in twin_tagged.marks] == [
                (m.kind, m.tag) for m in tagged.marks
            ]
            (shared if same else own).append((twin, twin_tagged, twin_base))
        if worth_translating(tagged.text):
            piece.pending += 1
            yield Block(tagged, paragraph.location, _Built(paragraph, tagged, base, shared))
        for twin, twin_tagged, twin_base in own:
            if worth_translating(twin_tagged.text):
                alone = _Paragraph(piece, twin, f"{paragraph.location} (fallback copy)")
                piece.pending += 1
                yield Block(twin_tagged, alone.location, _Built(alone, twin_tagged, twin_base, []))

    def put(self, block: Block, rendered: str) -> None:
        built: _Built = block.key
        piece = built.paragraph.piece
        piece.pending -= 1
        if self._write(built, rendered):
            piece.changed = True
            if self._held.get(piece.key) is not piece:  # let go already (a block put twice): its bytes again
                piece.part.replace(piece.index, piece.root)
                return
        self._settle(piece)

    def _write(self, built: _Built, rendered: str) -> bool:
        if rendered == built.tagged.source:
            return False
        if not marks_complete(built.tagged, rendered):  # the pipeline's check should make this impossible
            self.warnings.append(f"{built.paragraph.location}: kept in German (its formatting could not be placed)")
            return False
        for element, tagged, base in [(built.paragraph.element, built.tagged, built.base), *built.twins]:
            write_paragraph(element, tagged, base, rendered, self.german_styles)
        return True

    def dump(self) -> bytes:
        for piece in list(self._held.values()):
            if piece.changed:
                self._let_go(piece)
        return self.opc.write({part.name: part.output() for part in self._parts if part.changed})


def _part_order(rel: Any) -> tuple[int, str]:
    digits = re.findall(r"\d+", rel.target)
    return (int(digits[-1]) if digits else 0, rel.target)


def _context(p: Any, tables: dict[Any, int]) -> str:
    """The note " (table 2, row 3, cell 1)" or " (text box)" for a paragraph there, else ""."""
    for ancestor in p.iterancestors():
        if ancestor.tag == _TXBX:
            return " (text box)"
        if ancestor.tag == f"{_W}tc":
            row = ancestor.getparent()
            table = row.getparent() if row is not None else None
            if row is None or table is None:
                return ""
            cell = 1 + sum(1 for c in row if c.tag == f"{_W}tc" and c is not ancestor and _before(c, ancestor))
            number = 1 + sum(1 for r in table if r.tag == f"{_W}tr" and r is not row and _before(r, row))
            return f" (table {tables.get(table, '?')}, row {number}, cell {cell})"
    return ""


def _before(a: Any, b: Any) -> bool:
    parent = a.getparent()
    return parent is not None and parent.index(a) < parent.index(b)


def _alternate_twins(root: Any) -> dict[Any, Any]:
    """Paragraphs of the other branches of each ``mc:AlternateContent`` → the paragraph they copy in its first
    ``mc:Choice`` (when the branches hold as many paragraphs)."""
    twins: dict[Any, Any] = {}
    for alternate in root.iter(f"{_MC}AlternateContent"):
        branches = [b for b in alternate if b.tag in (f"{_MC}Choice", f"{_MC}Fallback")]
        if len(branches) < 2:
            continue
        primary = [p for p in branches[0].iter(_P) if p not in twins]
        for branch in branches[1:]:
            copies = [p for p in branch.iter(_P) if p not in twins]
            if len(copies) == len(primary):
                twins.update(zip(copies, primary, strict=True))
    return twins


def open_source(data: bytes, name: str, fmt: str = "docx") -> DocxSource:
    return DocxSource(data, name)
