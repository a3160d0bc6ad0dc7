"""PowerPoint PPTX: the text of the slides and their speaker notes, read and written with lxml on the package's
parts (``translate/formats/opc.py``); every other part of the package is copied byte for byte.

Blocks are the DrawingML paragraphs (``a:p``) of each slide in presentation order (``p:sldIdLst``): shapes,
placeholders, text boxes, table cells (``a:tbl``), grouped shapes, both branches of ``mc:AlternateContent`` and
SmartArt (the diagram's data part and its drawing, which PowerPoint and LibreOffice show), then the slide's notes
(``ppt/notesSlides``). Locations are "slide N" and "slide N notes". Layouts and masters (placeholder prompt text,
footers) are not translated, nor charts (``ppt/charts``: titles, labels, cached categories), comments and
hidden slides' absence of text. Within a paragraph:

- runs (``a:r``) are compared by their properties (``a:rPr``, including an ``a:hlinkClick`` hyperlink) without
  the attributes that do not change how text looks (``lang``, ``altLang``, ``dirty``, ``err``, ``noProof``,
  ``smtClean``, ``smtId``, ``bmk``), so spell-check language or a revision mark never splits a sentence; adjacent
  runs that compare equal are merged, the properties most of the text has are the paragraph's base and every run
  with other properties is a span, put back on the English words it translates to;
- line breaks (``a:br``), fields (``a:fld``: slide number, date) and anything else are atoms, copied as they are;
- the properties of a translated paragraph's runs keep everything but a German ``lang`` (``de-DE``, ``de-AT`` …),
  which becomes ``en-US`` so that PowerPoint checks the English spelling as English.

A paragraph whose English equals its German (no word in it, or nothing translated) is left exactly as it was.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from glossator.translate.documents import Block
from glossator.translate.formats.opc import (
    NS_R,
    Atom,
    OpcPackage,
    Run,
    canonical,
    english_runs,
    tag_runs,
    worth_translating,
)
from glossator.translate.tagged import TaggedParagraph

NS_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
NS_P = "http://schemas.openxmlformats.org/presentationml/2006/main"
MAIN_TYPES = (
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
    "application/vnd.openxmlformats-officedocument.presentationml.slideshow.main+xml",
    "application/vnd.openxmlformats-officedocument.presentationml.template.main+xml",
)
ENGLISH = "en-US"
# a:rPr attributes that do not change how the text looks: runs differing only in these are one run
_NOT_VISIBLE = frozenset({"lang", "altLang", "dirty", "err", "noProof", "smtClean", "smtId", "bmk"})
_A = f"{{{NS_A}}}"


@dataclass
class _Paragraph:
    part: str
    element: Any
    tagged: TaggedParagraph
    base: Any  # the base run properties (a:rPr or None)
    location: str


class PptxSource:
    """An opened PPTX (see the module docstring)."""

    def __init__(self, data: bytes, name: str) -> None:
        self.name = name
        self.warnings: list[str] = []
        self.opc = OpcPackage(data, name, "PowerPoint", MAIN_TYPES, "PowerPoint Presentation (.pptx)")
        self._trees: dict[str, Any] = {}
        self._dirty: set[str] = set()
        self._paragraphs: list[_Paragraph] = []
        for number, slide in enumerate(self._slides(), start=1):
            self._read_part(slide, f"slide {number}")
            rels = self.opc.rels(slide)
            for kind in ("diagramData", "diagramDrawing"):
                for rel in rels.values():
                    if rel.kind == kind and not rel.external:
                        self._read_part(rel.target, f"slide {number}")
            for rel in rels.values():
                if rel.kind == "notesSlide" and not rel.external:
                    self._read_part(rel.target, f"slide {number} notes")

    def _slides(self) -> list[str]:
        """The slide parts in presentation order."""
        opc = self.opc
        root = opc.xml(opc.main)
        rels = opc.rels(opc.main)
        slides: list[str] = []
        listing = root.find(f"{{{NS_P}}}sldIdLst")
        for entry in listing if listing is not None else ():
            if entry.tag != f"{{{NS_P}}}sldId":
                continue
            rel = rels.get(entry.get(f"{{{NS_R}}}id", ""))
            if rel is None or rel.kind != "slide" or rel.external or not opc.package.has(rel.target):
                raise opc.refuse(opc.main, f"slide id {entry.get('id')} names no slide part")
            slides.append(rel.target)
        return slides

    def _read_part(self, part: str, location: str) -> None:
        if part in self._trees or not self.opc.package.has(part):
            return
        root = self.opc.xml(part)
        self._trees[part] = root
        for element in root.iter(f"{_A}p"):
            tagged, base = tag_runs(_items(element))
            if worth_translating(tagged.text):
                self._paragraphs.append(_Paragraph(part, element, tagged, base, location))

    def blocks(self) -> Iterator[Block]:
        for index, paragraph in enumerate(self._paragraphs):
            yield Block(paragraph.tagged, paragraph.location, index)

    def put(self, block: Block, rendered: str) -> None:
        paragraph = self._paragraphs[block.key]
        if rendered == paragraph.tagged.source:
            return
        element = paragraph.element
        content = [child for child in element if child.tag not in (f"{_A}pPr", f"{_A}endParaRPr")]
        anchor = content[0] if content else None
        position = element.index(anchor) if anchor is not None else _content_start(element)
        for child in content:
            element.remove(child)
        for offset, item in enumerate(english_runs(paragraph.tagged, rendered, paragraph.base)):
            element.insert(position + offset, _element(item))
        for props in element.iter(f"{_A}rPr", f"{_A}endParaRPr"):
            lang = props.get("lang")
            if lang and lang.lower().startswith("de"):
                props.set("lang", ENGLISH)
        self._dirty.add(paragraph.part)

    def dump(self) -> bytes:
        return self.opc.write({part: self._trees[part] for part in self._dirty})


def _items(element: Any) -> list[Run | Atom]:
    items: list[Run | Atom] = []
    for child in element:
        if not isinstance(child.tag, str) or child.tag in (f"{_A}pPr", f"{_A}endParaRPr"):
            continue
        if child.tag == f"{_A}r":
            props = child.find(f"{_A}rPr")
            text = child.find(f"{_A}t")
            items.append(Run(props, canonical(props, _NOT_VISIBLE), text.text or "" if text is not None else ""))
        elif child.tag == f"{_A}br":
            items.append(Atom("br", child))
        elif child.tag == f"{_A}fld":
            items.append(Atom("field", child))
        else:
            items.append(Atom("xml", child))
    return items


def _content_start(element: Any) -> int:
    props = element.find(f"{_A}pPr")
    return element.index(props) + 1 if props is not None else 0


def _element(item: Run | Atom) -> Any:
    from lxml import etree

    if isinstance(item, Atom):
        return copy.deepcopy(item.data)
    run = etree.Element(f"{_A}r")
    if item.props is not None:
        run.append(copy.deepcopy(item.props))
    etree.SubElement(run, f"{_A}t").text = item.text
    return run


def open_source(data: bytes, name: str, fmt: str = "pptx") -> PptxSource:
    return PptxSource(data, name)
