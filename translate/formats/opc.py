"""Office Open XML packages (DOCX, PPTX, XLSX): the Open Packaging Conventions around the parts a format translates.

:class:`OpcPackage` opens a package with :class:`~glossator.translate.formats.package.Package` and checks it whole
before anything is translated; each refusal is one line (what, where, how to fix):

- an OLE compound file (``D0 CF 11 E0``) is a password-protected Office file (it holds an ``EncryptionInfo``
  stream) or an old binary ``.ppt``/``.xls`` under a new name;
- macros: a ``vbaProject.bin``/``vbaData.xml`` part or a macro-enabled content type (``.pptm``, ``.xlsm``,
  ``.xlsb``, Excel 4 macro sheets);
- external links: any relationship with ``TargetMode="External"`` other than a hyperlink (a linked workbook,
  OLE object, picture, video or chart data) and any ``xl/externalLinks`` part;
- a main part of another kind than the format's, or one saved as Strict Open XML (other namespaces).

Relationships are read by their type's last path segment (``slide``, ``worksheet``, ``sharedStrings``), which
transitional and strict packages share, and resolved against their source part as the OPC spec says.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from glossator.common.errors import InputError
from glossator.translate.formats.package import Chunks, Package, parse_xml, serialize_xml
from glossator.translate.tagged import MARK_FIRST, Mark, TaggedBuilder, TaggedParagraph

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
NS_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
NS_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
STRICT_PREFIX = "http://purl.oclc.org/ooxml/"
_MACRO_TYPES = ("macroenabled", "vbaproject", "vbadata", "macrosheet")
_MACRO_PARTS = ("vbaproject.bin", "vbadata.xml")


@dataclass(frozen=True)
class Rel:
    """One relationship: its id, type's last segment ("slide"), the target part (resolved) or URL, external?"""

    id: str
    kind: str
    target: str
    external: bool


def _utf16(text: str) -> bytes:
    return text.encode("utf-16-le")


class OpcPackage:
    """A checked OOXML package: its zip (``.package``), content types, relationships and main part."""

    def __init__(self, data: bytes, name: str, what: str, main_types: tuple[str, ...], save_as: str) -> None:
        """*what*: "PowerPoint" …; *main_types*: the accepted main content types; *save_as*: what to save it as
        ("PowerPoint Presentation (.pptx)") in the fix of a refusal."""
        self.name, self.what, self.save_as = name, what, save_as
        if data[:8] == OLE_MAGIC:
            if _utf16("EncryptionInfo") in data or _utf16("EncryptedPackage") in data:
                raise InputError(
                    f"{name}: the {what} file is password-protected (encrypted). Remove the password in {what} "
                    "(File > Info > Protect), save it, then translate it."
                )
            raise InputError(
                f"{name}: an old binary {what} file (OLE compound document), not Office Open XML. "
                f"Save it as {save_as}, then translate it."
            )
        self.package = Package(data, name, save_as)
        self._rels: dict[str, dict[str, Rel]] = {}
        self.types = self._content_types()
        self._refuse_macros()
        self._refuse_external()
        main = [rel for rel in self.rels("").values() if rel.kind == "officeDocument" and not rel.external]
        if not main:
            raise InputError(f"{name}: not a valid {what} file (_rels/.rels names no main part).")
        self.main = main[0].target
        kind = self.types.get(self.main, "")
        if kind not in main_types:
            raise InputError(
                f"{name}: not {'an' if save_as[:1] in 'AEIOU' else 'a'} {save_as} file (its main part {self.main} is "
                f"{kind or 'of no known type'}). "
                f"Give the file its right extension or --format."
            )

    def where(self, part: str) -> str:
        return f"{self.name}: {part}"

    def write(self, changed: dict[str, Any]) -> bytes:
        """The package with each *changed* part (part name → its lxml root, serialized with its XML declaration
        kept, or its new bytes or :class:`Chunks`) in place of the original, every other entry byte for byte."""
        replaced = {
            part: new if isinstance(new, bytes | Chunks) else serialize_xml(new, self.package.read(part))
            for part, new in sorted(changed.items())
        }
        return self.package.write(replaced)

    def xml(self, part: str) -> Any:
        root = parse_xml(self.package.read(part), self.where(part))
        if isinstance(root.tag, str):
            self.check_root(part, root.tag)
        return root

    def check_root(self, part: str, tag: str) -> None:
        """Refuse a part whose root element *tag* ("{namespace}name") is Strict Open XML."""
        if tag.startswith("{" + STRICT_PREFIX):
            raise InputError(
                f"{self.name}: saved as Strict Open XML ({part}), which Glossator does not read. Save it as an "
                f"ordinary {self.save_as}, then translate it."
            )

    def _content_types(self) -> dict[str, str]:
        """Part name (no leading slash) → content type, from ``[Content_Types].xml``'s Overrides and Defaults."""
        if not self.package.has("[Content_Types].xml"):
            raise InputError(f"{self.name}: not a valid {self.what} file ([Content_Types].xml is missing).")
        root = parse_xml(self.package.read("[Content_Types].xml"), self.where("[Content_Types].xml"))
        defaults: dict[str, str] = {}
        overrides: dict[str, str] = {}
        for el in root:
            if el.tag == f"{{{NS_CT}}}Default":
                defaults[el.get("Extension", "").lower()] = el.get("ContentType", "")
            elif el.tag == f"{{{NS_CT}}}Override":
                overrides[el.get("PartName", "").lstrip("/")] = el.get("ContentType", "")
        types = dict(overrides)
        for part in self.package.names:
            if part not in types and not part.endswith("/"):
                types[part] = defaults.get(posixpath.splitext(part)[1].lstrip(".").lower(), "")
        return types

    def _refuse_macros(self) -> None:
        for part, kind in sorted(self.types.items()):
            lowered = kind.lower()
            if posixpath.basename(part).lower() in _MACRO_PARTS or any(m in lowered for m in _MACRO_TYPES):
                raise InputError(
                    f"{self.name}: the {self.what} file holds macros ({part}); Glossator does not translate "
                    f"macro-enabled files. Save a copy without macros as {self.save_as}, then translate that."
                )

    def _refuse_external(self) -> None:
        for part in self.package.names:
            if part.startswith("xl/externalLinks/") and not part.endswith("/") and "/_rels/" not in part:
                raise InputError(
                    f"{self.name}: the workbook links to other workbooks ({part}). Break the links in Excel "
                    "(Data > Edit Links > Break Link), save it, then translate it."
                )
            if not part.endswith(".rels"):
                continue
            source = _rels_source(part)
            for rel in self.rels(source).values():
                if rel.external and rel.kind != "hyperlink":
                    raise InputError(
                        f"{self.name}: {source or 'the package'} links to an external {rel.kind} "
                        f"({rel.target}); Glossator does not translate files with external links. Embed or "
                        "remove the linked content, save it, then translate it."
                    )

    def rels(self, part: str) -> dict[str, Rel]:
        """The relationships of *part* ("" for the package's), by id; targets resolved against the part."""
        if part in self._rels:
            return self._rels[part]
        rels_part = _rels_part(part)
        out: dict[str, Rel] = {}
        if self.package.has(rels_part):
            root = parse_xml(self.package.read(rels_part), self.where(rels_part))
            for el in root.iter(f"{{{NS_RELS}}}Relationship"):
                external = el.get("TargetMode", "Internal") == "External"
                target = el.get("Target", "")
                kind = el.get("Type", "").rstrip("/").rsplit("/", 1)[-1]
                out[el.get("Id", "")] = Rel(
                    el.get("Id", ""), kind, target if external else resolve(part, target), external
                )
        self._rels[part] = out
        return out

    def refuse(self, part: str, problem: str) -> InputError:
        return InputError(f"{self.name}: {part}: {problem}. Open and save the file again in {self.what}.")


def _rels_part(part: str) -> str:
    head, tail = posixpath.split(part)
    return posixpath.join(head, "_rels", f"{tail}.rels")


def _rels_source(rels_part: str) -> str:
    head, tail = posixpath.split(rels_part)
    return posixpath.join(posixpath.dirname(head), tail[: -len(".rels")]).lstrip("/")


def resolve(source: str, target: str) -> str:
    """The part name (no leading slash) *target* points at, relative to the part *source* ("" = package root)."""
    target = target.split("#", 1)[0]
    if target.startswith("/"):
        return posixpath.normpath(target).lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target)).lstrip("/")


# --- runs of formatted text (DrawingML a:r, SpreadsheetML r) as tagged paragraphs --------------------------------

_WORDY = re.compile(r"[^\W\d_]{2}")
_LITERAL = re.compile(r"_x[0-9A-Fa-f]{4}_|\r\n|[\t\n\r\v]")


def worth_translating(text: str) -> bool:
    """A text with a word in it (two letters in a row): numbers and codes ("4711", "A-12") stay as they are."""
    return _WORDY.search(text) is not None


def canonical(el: Any, ignore: frozenset[str] = frozenset()) -> tuple[Any, ...]:
    """A comparable form of a run-properties element (attributes in *ignore* left out at its top level)."""
    if el is None:
        return ()
    attrs = tuple(sorted((k, v) for k, v in el.attrib.items() if k not in ignore))
    children = tuple(canonical(child) for child in el if isinstance(child.tag, str))
    return (el.tag, attrs, (el.text or "").strip(), children)


@dataclass
class Run:
    """A stretch of text with its run properties (*props*: the element or None) and their comparable *key*."""

    props: Any
    key: tuple[Any, ...]
    text: str


@dataclass(frozen=True)
class Atom:
    """Markup kept as it is (a line break, a field): *data* is the element, copied back where it stands."""

    tag: str
    data: Any


def add_text(builder: TaggedBuilder, text: str, escapes: bool = False) -> None:
    """*text* into *builder*; tabs and line ends (and, with *escapes*, SpreadsheetML's ``_xHHHH_``) as atoms whose
    data is their literal text, so that the model never sees them and they come back where they stood."""
    cursor = 0
    for m in _LITERAL.finditer(text):
        if m.group().startswith("_x") and not escapes:
            continue
        builder.text(text[cursor : m.start()])
        builder.atom("tab" if m.group() == "\t" else "esc" if m.group().startswith("_") else "br", m.group())
        cursor = m.end()
    builder.text(text[cursor:])


def tag_runs(items: Sequence[Run | Atom], escapes: bool = False) -> tuple[TaggedParagraph, Any]:
    """A tagged paragraph of *items* and the base run properties: adjacent runs whose properties compare equal
    are merged, the properties most of the text has are the paragraph's base (plain text for the model), every
    run with other properties is a span whose data is its properties element (or None: no properties)."""
    merged: list[Run | Atom] = []
    for item in items:
        if isinstance(item, Run) and merged and isinstance(merged[-1], Run) and merged[-1].key == item.key:
            merged[-1] = Run(merged[-1].props, item.key, merged[-1].text + item.text)
        elif not (isinstance(item, Run) and not item.text):
            merged.append(item)
    weight: dict[tuple[Any, ...], int] = {}
    base: Run | None = None
    for item in merged:
        if isinstance(item, Run):
            weight[item.key] = weight.get(item.key, 0) + len(item.text)
            if base is None or weight[item.key] > weight[base.key]:
                base = item
    builder = TaggedBuilder()
    for item in merged:
        if isinstance(item, Atom):
            builder.atom(item.tag, item.data)
        elif base is not None and item.key == base.key:
            add_text(builder, item.text, escapes)
        else:
            span = builder.open("run", item)
            add_text(builder, item.text, escapes)
            builder.close(span)
    return builder.build(), (base.props if base is not None else None)


def english_runs(paragraph: TaggedParagraph, rendered: str, base: Any) -> list[Run | Atom]:
    """*rendered* (marks in place) as runs and atoms: text outside any span gets the *base* properties, text in a
    span its run's; literal atoms (tabs, line ends, escapes) join the run around them; adjacent text with the same
    properties is one run; spaces beside an atom as the German had them."""
    out: list[Run | Atom] = []
    for item, spans in _spaced(paragraph, list(paragraph.runs(rendered))):
        props = spans[-1].data.props if spans else base
        key: tuple[Any, ...] = (spans[-1].span,) if spans else ()
        if isinstance(item, Mark):
            if not isinstance(item.data, str):
                out.append(Atom(item.tag, item.data))
                continue
            text = item.data
        else:
            text = item
        if not text:
            continue
        if out and isinstance(out[-1], Run) and out[-1].key == key:
            out[-1].text += text
        else:
            out.append(Run(props, key, text))
    return out


def _spaced(
    paragraph: TaggedParagraph, items: list[tuple[str | Mark, tuple[Mark, ...]]]
) -> list[tuple[str | Mark, tuple[Mark, ...]]]:
    """*items* with the spaces beside each atom as in the German: none after an atom the German had none after
    ("Zeile<br>und" is "line<br>and", not "line<br> and"), none before one the German had none before."""
    source = paragraph.source
    index = {id(mark): n for n, mark in enumerate(paragraph.marks)}
    out = list(items)
    for k, (item, _) in enumerate(out):
        if not (isinstance(item, Mark) and item.kind == "atom"):
            continue
        at = source.find(chr(MARK_FIRST + index[id(item)]))
        if at < 0:
            continue
        if k + 1 < len(out) and isinstance(out[k + 1][0], str) and not source[at + 1 : at + 2].isspace():
            out[k + 1] = (str(out[k + 1][0]).lstrip(" "), out[k + 1][1])
        if k > 0 and isinstance(out[k - 1][0], str) and not source[at - 1 : at].isspace():
            out[k - 1] = (str(out[k - 1][0]).rstrip(" "), out[k - 1][1])
    return out
