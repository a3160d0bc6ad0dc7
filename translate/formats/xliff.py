"""XLIFF 1.2 and 2.0 (OASIS), German source: each unit's ``<source>`` is translated into its ``<target>``, inline
codes kept, machine output marked; parsed and written with **lxml** (safe parse: no network, DTDs or entities).

- Source language must be German (1.2: every ``<file source-language>``; 2.0: ``srcLang``), the target language
  English or unset (then set to ``en``); anything else is refused with one line.
- 1.2: ``<trans-unit>`` (``translate="no"`` skipped); an existing ``<target>`` whose ``state`` is ``translated``,
  ``signed-off`` or ``final``, or whose unit is ``approved="yes"``, is left alone; otherwise the target is (re)written
  with ``state="needs-review-translation"`` and ``state-qualifier="mt-suggestion"``. Inline codes: ``<g>`` and
  ``<mrk>`` are spans (their text translated, paired and nested in the English), ``<x/>``, ``<bx/>``, ``<ex/>``,
  ``<ph>``, ``<bpt>``, ``<ept>``, ``<it>`` are atoms copied verbatim.
- 2.0: ``<unit>``/``<segment>`` (``translate="no"`` skipped); a segment whose ``state`` is ``translated``,
  ``reviewed`` or ``final`` keeps its target; otherwise the target is written and the segment gets
  ``state="translated"`` and ``subState="glossator:mt"`` (machine translation, to review). ``<pc>`` and ``<mrk>``
  are spans; ``<ph/>``, ``<sc/>``, ``<ec/>``, ``<cp/>``, ``<sm/>``, ``<em/>`` atoms.
- The rest of the document is lxml's serialization of the tree it read (declaration kept byte for byte).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from typing import Any

from glossator.common.errors import InputError
from glossator.translate.documents import Block
from glossator.translate.formats.package import parse_xml, serialize_xml
from glossator.translate.tagged import TaggedBuilder, TaggedParagraph

NS12 = "urn:oasis:names:tc:xliff:document:1.2"
NS20 = "urn:oasis:names:tc:xliff:document:2.0"
_SPANS = {NS12: {"g", "mrk"}, NS20: {"pc", "mrk"}}
_ATOMS = {NS12: {"x", "bx", "ex", "ph", "bpt", "ept", "it", "sub"}, NS20: {"ph", "sc", "ec", "cp", "sm", "em"}}
_DONE_12 = {"translated", "signed-off", "final"}
_DONE_20 = {"translated", "reviewed", "final"}
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def _local(tag: Any) -> str:
    return tag.split("}", 1)[1] if isinstance(tag, str) and "}" in tag else str(tag)


def _german(lang: str | None) -> bool:
    return bool(lang) and re.match(r"de(?:[-_]|$)", lang or "", re.I) is not None


def _english(lang: str | None) -> bool:
    return not lang or re.match(r"en(?:[-_]|$)", lang, re.I) is not None


class XliffSource:
    def __init__(self, data: bytes, name: str) -> None:
        self.name, self.data = name, data
        self.warnings: list[str] = []
        self.root = parse_xml(data, name)
        ns = self.root.tag.split("}", 1)[0][1:] if self.root.tag.startswith("{") else ""
        if _local(self.root.tag) != "xliff" or ns not in (NS12, NS20):
            raise InputError(
                f"{name}: not an XLIFF 1.2 or 2.0 document (root <{_local(self.root.tag)}> in namespace "
                f"{ns or 'none'}). Export XLIFF 1.2 or 2.0 from your tool."
            )
        self.ns = ns
        self.units: list[tuple[Any, Any, str]] = []  # (source element, target parent, location)
        if ns == NS12:
            self._read_12()
        else:
            self._read_20()

    def _q(self, tag: str) -> str:
        return f"{{{self.ns}}}{tag}"

    def _read_12(self) -> None:
        files = self.root.findall(self._q("file"))
        if not files:
            raise InputError(f"{self.name}: an XLIFF 1.2 document without <file>. Export it again from your tool.")
        for file in files:
            source_lang, target_lang = file.get("source-language"), file.get("target-language")
            if not _german(source_lang):
                raise InputError(
                    f"{self.name}: line {file.sourceline}: source-language is {source_lang!r}, not German; "
                    "Glossator translates German to English (export the file with German as its source)."
                )
            if not _english(target_lang):
                raise InputError(
                    f"{self.name}: line {file.sourceline}: target-language is {target_lang!r}; Glossator writes "
                    "English (export the file for an English target)."
                )
            if target_lang is None:
                file.set("target-language", "en")
            for unit in file.iter(self._q("trans-unit")):
                if unit.get("translate") == "no" or unit.get("approved") == "yes":
                    continue
                source = unit.find(self._q("source"))
                if source is None:
                    raise InputError(f"{self.name}: line {unit.sourceline}: <trans-unit> without <source>.")
                target = unit.find(self._q("target"))
                if target is not None and target.get("state") in _DONE_12:
                    continue
                self.units.append((source, unit, f"trans-unit {unit.get('id', '?')}"))

    def _read_20(self) -> None:
        source_lang, target_lang = self.root.get("srcLang"), self.root.get("trgLang")
        if not _german(source_lang):
            raise InputError(
                f"{self.name}: srcLang is {source_lang!r}, not German; Glossator translates German to English "
                "(export the file with German as its source)."
            )
        if not _english(target_lang):
            raise InputError(
                f"{self.name}: trgLang is {target_lang!r}; Glossator writes English (export it for an English target)."
            )
        if target_lang is None:
            self.root.set("trgLang", "en")
        for unit in self.root.iter(self._q("unit")):
            if unit.get("translate") == "no":
                continue
            for index, segment in enumerate(unit.findall(self._q("segment")), 1):
                if segment.get("state") in _DONE_20:
                    continue
                source = segment.find(self._q("source"))
                if source is None:
                    raise InputError(f"{self.name}: line {segment.sourceline}: <segment> without <source>.")
                self.units.append((source, segment, f"unit {unit.get('id', '?')} segment {index}"))

    def blocks(self) -> Iterator[Block]:
        for i, (source, _, location) in enumerate(self.units):
            yield Block(self._paragraph(source), location, i)

    def _paragraph(self, source: Any) -> TaggedParagraph:
        builder = TaggedBuilder()
        spans, atoms = _SPANS[self.ns], _ATOMS[self.ns]

        def walk(element: Any) -> None:
            builder.text(element.text or "")
            for child in element:
                if not isinstance(child.tag, str):  # a comment or processing instruction: kept as is
                    builder.atom("comment", child)
                elif child.tag.startswith(f"{{{self.ns}}}") and _local(child.tag) in spans:
                    span = builder.open(_local(child.tag), child)
                    walk(child)
                    builder.close(span)
                elif child.tag.startswith(f"{{{self.ns}}}") and _local(child.tag) in atoms:
                    builder.atom(_local(child.tag), child)
                else:  # an element of another namespace: opaque
                    builder.atom("other", child)
                builder.text(child.tail or "")

        walk(source)
        return builder.build()

    def put(self, block: Block, rendered: str) -> None:
        source, parent, _ = self.units[block.key]
        paragraph = block.paragraph
        assert isinstance(paragraph, TaggedParagraph)
        target = parent.find(self._q("target"))
        if target is None:
            target = parent.makeelement(self._q("target"), {})
            source.addnext(target)
            target.tail = source.tail
        else:
            for child in list(target):
                target.remove(child)
        target.text = None
        if self.ns == NS12:
            target.set("state", "needs-review-translation")
            target.set("state-qualifier", "mt-suggestion")
            if source.get(_XML_LANG):
                target.set(_XML_LANG, "en")
        else:
            parent.set("state", "translated")
            parent.set("subState", "glossator:mt")
        space = source.get(_XML_SPACE)
        if space:
            target.set(_XML_SPACE, space)
        stack = [target]
        last: Any = None  # the element whose tail takes the next text (None: the current parent's text)
        for item in paragraph.decode(rendered):
            current = stack[-1]
            if isinstance(item, str):
                if last is None:
                    current.text = (current.text or "") + item
                else:
                    last.tail = (last.tail or "") + item
            elif item.kind == "open":
                shell = current.makeelement(item.data.tag, dict(item.data.attrib))
                current.append(shell)
                stack.append(shell)
                last = None
            elif item.kind == "close":
                last = stack.pop()
            else:
                element = copy.deepcopy(item.data)
                element.tail = None
                current.append(element)
                last = element

    def dump(self) -> bytes:
        return serialize_xml(self.root, self.data)


def open_source(data: bytes, name: str, fmt: str = "xliff") -> XliffSource:
    return XliffSource(data, name)
