"""Excel XLSX: the text cells of the worksheets, read and written with lxml on the package's parts
(``translate/formats/opc.py``); every other part of the package is copied byte for byte.

Only strings are translated: the shared strings (``xl/sharedStrings.xml``, ``si``) that cells of the worksheets
use, inline strings (``<c t="inlineStr"><is>``), and the text of ``t="str"`` cells without a formula (a formula's
cached result with no formula: how the Open XML SDK and other writers store plain text). Formulas (``f``) and their
cached results, numbers, booleans, dates, error values, sheet names, defined names, styles, comments, charts,
drawings and pivot caches are not touched. A shared string used by several cells is one block, translated once;
its location is the first cell that uses it in sheet order ("sheet Tabelle1 cell B4"); a shared string no cell
uses is left alone. Blocks come in the order of the sheets and of their cells. A text without a word in it
("4711", "A-12") is left alone.

A string is plain (``<t>``) or rich text (``<r>`` runs with ``<rPr>`` font properties): rich runs are compared by
their properties, adjacent equal ones merged, the properties most of the text has are the base and every other
run is a span put back on the English words it translates to (``translate/formats/opc.py``). Line breaks in a
cell, tabs and the ``_xHHHH_`` escapes of ST_Xstring are atoms, kept where they stand. ``xml:space="preserve"`` is
kept, and set on a ``<t>`` whose English starts or ends with a space or holds a line break. A string with
phonetic guides (``rPh``, Japanese furigana: their offsets would no longer fit) is left German with a warning.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from glossator.translate.documents import Block
from glossator.translate.formats.opc import (
    NS_R,
    OpcPackage,
    Run,
    canonical,
    english_runs,
    tag_runs,
    worth_translating,
)
from glossator.translate.tagged import TaggedParagraph

NS_S = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
MAIN_TYPES = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
)
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_S = f"{{{NS_S}}}"


@dataclass
class _String:
    part: str  # xl/sharedStrings.xml or the worksheet of an inline string
    element: Any  # the si or is element
    tagged: TaggedParagraph
    base: Any  # the base run properties (rPr or None)
    location: str


class XlsxSource:
    """An opened XLSX (see the module docstring)."""

    def __init__(self, data: bytes, name: str) -> None:
        self.name = name
        self.warnings: list[str] = []
        self.opc = OpcPackage(data, name, "Excel", MAIN_TYPES, "Excel Workbook (.xlsx)")
        self._trees: dict[str, Any] = {}
        self._dirty: set[str] = set()
        self._strings: list[_String] = []
        opc = self.opc
        workbook = opc.xml(opc.main)
        rels = opc.rels(opc.main)
        shared: list[Any] = []
        shared_part = next((r.target for r in rels.values() if r.kind == "sharedStrings" and not r.external), None)
        if shared_part is not None and opc.package.has(shared_part):
            root = opc.xml(shared_part)
            self._trees[shared_part] = root
            shared = root.findall(f"{_S}si")
        used: set[int] = set()
        sheets = workbook.find(f"{_S}sheets")
        for sheet in sheets if sheets is not None else ():
            if sheet.tag != f"{_S}sheet":
                continue
            title = sheet.get("name", "")
            rel = rels.get(sheet.get(f"{{{NS_R}}}id", ""))
            if rel is None or rel.external or not opc.package.has(rel.target):
                raise opc.refuse(opc.main, f"sheet {title!r} names no part")
            if rel.kind != "worksheet":
                continue  # a chart sheet or a dialog sheet: no cells
            part = rel.target
            root = opc.xml(part)
            inline = False
            for ref, cell in _cells(root):
                kind = cell.get("t")
                where = f"sheet {title} cell {ref}"
                if kind == "s":
                    value = cell.find(f"{_S}v")
                    if value is None or not (value.text or "").strip():
                        continue  # an empty cell that says it holds a string
                    try:
                        index = int(value.text)
                    except ValueError:
                        raise opc.refuse(part, f"cell {ref} names no shared string") from None
                    if not 0 <= index < len(shared):
                        raise opc.refuse(part, f"cell {ref} names shared string {index} of {len(shared)}")
                    if index not in used:
                        used.add(index)
                        self._add(shared_part or "", shared[index], where)
                elif kind == "inlineStr":
                    string = cell.find(f"{_S}is")
                    if string is not None and self._add(part, string, where):
                        inline = True
                elif kind == "str" and cell.find(f"{_S}f") is None:
                    # a formula's cached text without its formula: how many writers store plain text
                    value = cell.find(f"{_S}v")
                    if value is not None and self._add(part, value, where):
                        inline = True
            if inline:
                self._trees[part] = root

    def _add(self, part: str, element: Any, location: str) -> bool:
        """The string *element* (si or is) as a block, if it has words; True if it is one."""
        tagged, base = tag_runs(_items(element), escapes=True)
        if not worth_translating(tagged.text):
            return False
        if element.find(f"{_S}rPh") is not None:
            self.warnings.append(f"{location}: kept untranslated (the text has phonetic guides)")
            return False
        self._strings.append(_String(part, element, tagged, base, location))
        return True

    def blocks(self) -> Iterator[Block]:
        for index, string in enumerate(self._strings):
            yield Block(string.tagged, string.location, index)

    def put(self, block: Block, rendered: str) -> None:
        string = self._strings[block.key]
        if rendered == string.tagged.source:
            return
        element = string.element
        runs = [r for r in english_runs(string.tagged, rendered, string.base) if isinstance(r, Run)]
        old_runs = element.findall(f"{_S}r")
        plain = element if element.tag == f"{_S}v" else element.find(f"{_S}t")
        if plain is not None and not old_runs:
            _set_text(plain, "".join(run.text for run in runs))
        else:
            from lxml import etree

            template = {id(r.find(f"{_S}rPr")): r.find(f"{_S}t") for r in old_runs}
            position = element.index(old_runs[0]) if old_runs else 0
            for old in [*old_runs, *([plain] if plain is not None else [])]:
                element.remove(old)
            for offset, run in enumerate(runs):
                new = etree.Element(f"{_S}r")
                if run.props is not None:
                    new.append(copy.deepcopy(run.props))
                text = etree.SubElement(new, f"{_S}t")
                original = template.get(id(run.props))
                if original is not None and original.get(XML_SPACE) is not None:
                    text.set(XML_SPACE, original.get(XML_SPACE))
                _set_text(text, run.text)
                element.insert(position + offset, new)
        self._dirty.add(string.part)

    def dump(self) -> bytes:
        return self.opc.write({part: self._trees[part] for part in self._dirty})


def _items(element: Any) -> list[Run]:
    """The runs of a string item: one run of its ``t``, or its rich ``r`` runs (phonetic runs left out)."""
    plain = element if element.tag == f"{_S}v" else element.find(f"{_S}t")
    if plain is not None:
        return [Run(None, (), plain.text or "")]
    items: list[Run] = []
    for run in element.findall(f"{_S}r"):
        props = run.find(f"{_S}rPr")
        text = run.find(f"{_S}t")
        items.append(Run(props, canonical(props), (text.text or "") if text is not None else ""))
    return items


def _set_text(element: Any, text: str) -> None:
    element.text = text
    if element.tag == f"{_S}v":
        return  # the schema allows no attribute on a cell value
    if text != text.strip(" ") or "\n" in text or "\t" in text:
        element.set(XML_SPACE, "preserve")


def _cells(sheet: Any) -> Iterator[tuple[str, Any]]:
    """Each cell of a worksheet with its reference ("B4"), computed where a writer left ``r`` out."""
    data = sheet.find(f"{_S}sheetData")
    row_number = 0
    for row in data.iterfind(f"{_S}row") if data is not None else ():
        number = row.get("r") or ""
        row_number = int(number) if number.isdigit() else row_number + 1
        column = 0
        for cell in row.iterfind(f"{_S}c"):
            ref = cell.get("r")
            if ref:
                letters = ref.rstrip("0123456789")
                column = _column_number(letters)
            else:
                column += 1
                ref = f"{_column_letters(column)}{row_number}"
            yield ref, cell


def _column_number(letters: str) -> int:
    number = 0
    for ch in letters.upper():
        number = number * 26 + ord(ch) - 64
    return number


def _column_letters(number: int) -> str:
    out = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        out = chr(65 + rest) + out
    return out


def open_source(data: bytes, name: str, fmt: str = "xlsx") -> XlsxSource:
    return XlsxSource(data, name)
