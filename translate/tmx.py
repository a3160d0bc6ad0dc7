"""TMX (Translation Memory eXchange, 1.4b; 1.1 read too): human translations in and out of the memory.

Reading (:func:`read_tmx`, behind ``glossator memory import``):

* Parsed with :mod:`defusedxml`, streamed unit by unit: a document that declares entities (entity bombs,
  external entities) is refused and nothing is fetched; a DOCTYPE naming ``tmx14.dtd`` is fine (never loaded).
  Files over :data:`MAX_BYTES` and elements nested deeper than :data:`MAX_DEPTH` are refused.
* Each ``<tu>`` gives one German→English pair: the first ``<tuv>`` whose ``xml:lang`` (TMX 1.4) or ``lang``
  (TMX 1.1) has the primary subtag ``de`` (``de``, ``de-DE``, ``DE-CH`` …) and the first with ``en``, whatever
  the header's ``srclang`` says (``*all*``, ``en-US`` …). Units without both, with an empty side, or marked
  ``<prop type="x-glossator-method">machine</prop>`` (our own export of machine output) are skipped and listed
  with their line; a repeated German text is listed too (the later unit wins).
* Inline codes: ``<bpt>``/``<ept>``/``<it>`` (paired and isolated formatting codes) are removed from the text,
  ``<ph>``/``<ut>`` (standalone codes: a tab, a variable, an image) count as a word boundary, ``<hi>`` keeps its
  text. That plain text is what documents are matched against and what a hit puts into the translation; the
  ``<seg>`` content itself, codes included, is kept as markup (the placeholders) and written back on export.
* Kept: the texts, both language codes, ``tuid``, the unit's change or creation date, ``segtype`` (unit or
  header) and the file name. Dropped: ``<note>``, ``<prop>``, ``<ude>``, usage counts, user ids, other
  languages' variants and the content of ``<sub>`` (translatable text inside a code).

Writing (:func:`write_tmx`, behind ``glossator memory export``): TMX 1.4b, UTF-8, valid against the TMX 1.4 DTD
(``tests/data/tmx/tmx14.dtd``); header ``creationtool="Glossator"``, ``srclang="de"``, ``datatype="plaintext"``;
one ``<tu>`` per entry with ``<prop type="x-glossator-method">`` ``tm`` (human) or ``machine`` (with
``--include-machine``; plus ``x-glossator-model``).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from xml.etree.ElementTree import Element
from xml.sax.saxutils import escape, quoteattr

from glossator.common.errors import InputError, InputFileError
from glossator.translate.cache import HumanEntry, MachineEntry, tm_key

__all__ = ["MAX_BYTES", "MAX_DEPTH", "TmxRead", "is_tmx_path", "read_tmx", "write_tmx"]

MAX_BYTES = 512 * 1024 * 1024  # a TMX larger than this is refused (split it in the CAT tool)
MAX_DEPTH = 64  # element nesting (a real <seg> with nested <hi> is a few levels deep)
_CHUNK = 1 << 20

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
METHOD_PROP = "x-glossator-method"
MODEL_PROP = "x-glossator-model"
ORIGIN_PROP = "x-glossator-origin"
SEGTYPES = ("block", "paragraph", "sentence", "phrase")
_DATE = re.compile(r"^\d{8}T\d{6}Z$")

# Inline elements of TMX 1.4 and the attributes the DTD allows on each (required ones first in _REQUIRED).
_INLINE_ATTRS = {
    "bpt": ("i", "x", "type"),
    "ept": ("i",),
    "it": ("pos", "x", "type"),
    "ph": ("x", "assoc", "type"),
    "hi": ("x", "type"),
    "ut": ("x",),
    "sub": ("datatype", "type"),
}
_REQUIRED = {"bpt": ("i",), "ept": ("i",), "it": ("pos",)}
_MIXED = frozenset({"bpt", "ept", "it", "ph", "hi", "ut"})
# What each element may contain (besides text), per the DTD: codes hold <sub>, <sub> and <hi> hold inline elements.
_CONTENT = {
    "seg": _MIXED,
    "hi": _MIXED,
    "sub": _MIXED,
    **dict.fromkeys(("bpt", "ept", "it", "ph", "ut"), frozenset({"sub"})),
}
_CODES = {"bpt", "ept", "it"}  # formatting codes: removed from the text without a gap
_STANDALONE = {"ph", "ut"}  # standalone codes: a word boundary in the text
_GAP = "\x00"  # marks a standalone code while the plain text is built (never in XML text)


def is_tmx_path(path: str | Path) -> bool:
    return Path(path).suffix.lower() == ".tmx"


@dataclass
class TmxRead:
    """What :func:`read_tmx` found: the usable pairs (one per German text) and what it skipped, with lines."""

    path: Path
    entries: list[HumanEntry] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # "file:line: unit skipped: why"
    duplicates: list[str] = field(default_factory=list)  # "file:line: same German as line N …"
    units: int = 0
    languages: set[str] = field(default_factory=set)
    header: dict[str, str] = field(default_factory=dict)

    @property
    def warnings(self) -> list[str]:
        return [*self.skipped, *self.duplicates]


def _local(tag: Any) -> str:
    return str(tag).rsplit("}", 1)[-1]


def _lang(tuv: Element) -> str:
    return (tuv.get(XML_LANG) or tuv.get("lang") or "").strip()


def _primary(lang: str) -> str:
    return lang.replace("_", "-").split("-", 1)[0].lower()


# --- inline content ----------------------------------------------------------------------------------------


def _markup(element: Element, allowed: frozenset[str]) -> str:
    """An inline element as TMX markup, as the DTD allows it where it stands: a known element in an allowed
    place, with its allowed attributes; anything else (an unknown element, one misplaced or without its required
    attributes) contributes its text only."""
    name = _local(element.tag)
    if name not in allowed or any(element.get(a) is None for a in _REQUIRED.get(name, ())):
        return escape("".join(element.itertext()))
    attrs = "".join(f" {a}={quoteattr(element.get(a, ''))}" for a in _INLINE_ATTRS[name] if element.get(a) is not None)
    inner = _inner_markup(element, _CONTENT[name])
    return f"<{name}{attrs}>{inner}</{name}>" if inner else f"<{name}{attrs}/>"


def _inner_markup(element: Element, allowed: frozenset[str]) -> str:
    parts = [escape(element.text or "")]
    for child in element:
        parts.append(_markup(child, allowed))
        parts.append(escape(child.tail or ""))
    return "".join(parts)


def _plain(element: Element) -> str:
    """The translatable text of a ``<seg>`` (or ``<hi>``): codes removed, standalone codes as _GAP."""
    parts = [element.text or ""]
    for child in element:
        name = _local(child.tag)
        if name == "hi":
            parts.append(_plain(child))
        elif name in _STANDALONE:
            parts.append(_GAP)
        elif name not in _CODES:
            parts.append("".join(child.itertext()))  # not TMX markup: its text is text
        parts.append(child.tail or "")
    return "".join(parts)


def _resolve_gaps(text: str) -> str:
    """A standalone code becomes one space between two words, nothing next to whitespace or at either end."""

    def gap(match: re.Match[str]) -> str:
        spaces = match.group().replace(_GAP, "")
        if spaces or match.start() == 0 or match.end() == len(text):
            return spaces
        return " "

    return re.sub(rf"[{_GAP}\s]*{_GAP}[{_GAP}\s]*", gap, text).strip()


def seg_texts(seg: Element) -> tuple[str, str]:
    """(plain text, markup) of a ``<seg>``."""
    return _resolve_gaps(_plain(seg)), _inner_markup(seg, _CONTENT["seg"])


# --- reading -----------------------------------------------------------------------------------------------


class _Target:
    """Builds one ``<tu>`` at a time (handed to *on_unit*, then dropped), remembering lines; refuses deep nesting
    and a root element other than ``<tmx>``."""

    def __init__(self, path: Path, line: Callable[[], int], on_unit: Callable[[Element, int], None]) -> None:
        from xml.etree.ElementTree import TreeBuilder

        self.path = path
        self.line = line
        self.on_unit = on_unit
        self.builder = TreeBuilder()
        self.stack: list[Element] = []
        self.unit_line = 0
        self.header: dict[str, str] = {}

    def start(self, tag: Any, attrs: Any) -> Element:
        name = _local(tag)
        if not self.stack and name != "tmx":
            raise InputError(
                f"{self.path}:{self.line()}: not a TMX file (the root element is <{name}>, not <tmx>). "
                "Export the translation memory as TMX from the CAT tool."
            )
        if len(self.stack) >= MAX_DEPTH:
            raise InputError(
                f"{self.path}:{self.line()}: elements nested more than {MAX_DEPTH} deep; refused. "
                "Check the file (a CAT tool never writes this)."
            )
        element = self.builder.start(tag, attrs)
        if name == "tu":
            self.unit_line = self.line()
        elif name == "header" and len(self.stack) == 1:
            self.header = {_local(k): v for k, v in dict(attrs).items()}
        self.stack.append(element)
        return element

    def end(self, tag: Any) -> Element:
        element = self.builder.end(tag)
        self.stack.pop()
        if _local(tag) == "tu":
            self.on_unit(element, self.unit_line)
            if self.stack:
                self.stack[-1].remove(element)  # keep memory flat: one unit at a time
        return element

    def data(self, data: str) -> None:
        self.builder.data(data)

    def close(self) -> Element:
        return self.builder.close()


def read_tmx(path: str | Path, *, origin: str | None = None) -> TmxRead:
    """Read the German→English pairs of a TMX file (see the module docstring). Raises :class:`InputFileError`
    for a missing, unreadable, empty or oversized file and :class:`InputError` for malformed or unsafe XML, a
    file that is not TMX, and one without any usable German-English unit."""
    from xml.etree.ElementTree import ParseError

    import defusedxml
    import defusedxml.ElementTree as safe_et

    path = Path(path)
    if not path.exists():
        raise InputFileError(f"{path}: TMX file does not exist. Check the path.")
    if path.is_dir():
        raise InputFileError(f"{path}: is a directory, expected a .tmx file.")
    try:
        size = path.stat().st_size
        handle = path.open("rb")
    except OSError as exc:
        raise InputFileError(f"{path}: cannot read the TMX file: {exc.strerror or exc}.") from exc
    if size > MAX_BYTES:
        handle.close()
        raise InputFileError(
            f"{path}: {size / 2**20:.0f} MB, over the {MAX_BYTES // 2**20} MB limit for a TMX import. "
            "Split the memory in the CAT tool (e.g. by client or date) and import the parts."
        )
    result = TmxRead(path)
    name = origin or path.name
    seen: dict[str, tuple[int, int]] = {}  # tm_key → (index in entries, line)

    def on_unit(tu: Element, line: int) -> None:
        result.units += 1
        where = f"{path}:{line}"
        entry = _unit_entry(tu, where, name, target.header, result)
        if entry is None:
            return
        key = entry.key
        if key in seen:
            index, first = seen[key]
            same = result.entries[index].target == entry.target
            result.duplicates.append(
                f"{where}: same German as line {first}"
                + (", same English; skipped" if same else f", other English; this later unit is kept: {entry.target!r}")
            )
            if not same:
                result.entries[index] = entry
                seen[key] = (index, line)
            return
        seen[key] = (len(result.entries), line)
        result.entries.append(entry)

    target = _Target(path, lambda: parser.parser.CurrentLineNumber, on_unit)
    parser = safe_et.XMLParser(target=target)
    read = 0
    try:
        with handle:
            while chunk := handle.read(_CHUNK):
                read += len(chunk)
                parser.feed(chunk)
        if read == 0:
            raise InputFileError(f"{path}: the file is empty. Export the translation memory as TMX again.")
        parser.close()
    except OSError as exc:
        raise InputFileError(f"{path}: cannot read the TMX file: {exc.strerror or exc}.") from exc
    except defusedxml.EntitiesForbidden as exc:
        raise InputError(
            f"{path}: refused: the document declares the entity {exc.name!r}; Glossator never expands or fetches "
            "XML entities. Remove the <!ENTITY> declarations (CAT tools do not write them)."
        ) from None
    except defusedxml.DefusedXmlException as exc:
        raise InputError(f"{path}: refused unsafe XML ({type(exc).__name__}). Remove the DTD declarations.") from None
    except ParseError as exc:
        line, column = exc.position
        message = str(exc).split(":")[0]
        raise InputError(
            f"{path}:{line}:{column + 1}: malformed XML: {message}. Fix the markup there or export the TMX again."
        ) from None
    result.header = target.header
    if not result.entries:
        if not result.units:
            raise InputError(f"{path}: holds no translation units (<tu>). Export a memory with entries.")
        found = ", ".join(sorted(result.languages)) or "none"
        raise InputError(
            f"{path}: none of its {result.units} units has both a German (de, de-DE, …) and an English (en, en-US, "
            f"…) variant (languages found: {found}). Glossator's memory is German→English; export that pair."
        )
    return result


def _unit_entry(tu: Element, where: str, origin: str, header: dict[str, str], result: TmxRead) -> HumanEntry | None:
    props = {(p.get("type") or ""): (p.text or "").strip() for p in tu if _local(p.tag) == "prop"}
    if props.get(METHOD_PROP) == "machine":
        result.skipped.append(f"{where}: unit skipped: a machine translation ({METHOD_PROP}), not a human one")
        return None
    german = english = None
    langs = []
    for tuv in tu:
        if _local(tuv.tag) != "tuv":
            continue
        lang = _lang(tuv)
        langs.append(lang or "?")
        result.languages.add(lang.lower() or "?")
        seg = next((c for c in tuv if _local(c.tag) == "seg"), None)
        if seg is None:
            continue
        if _primary(lang) == "de" and german is None:
            german = (lang, tuv, seg)
        elif _primary(lang) == "en" and english is None:
            english = (lang, tuv, seg)
    if german is None or english is None:
        missing = " and ".join(n for n, v in (("German", german), ("English", english)) if v is None)
        result.skipped.append(f"{where}: unit skipped: no {missing} variant (languages: {', '.join(langs) or 'none'})")
        return None
    source, source_seg = seg_texts(german[2])
    target, target_seg = seg_texts(english[2])
    if not tm_key(source) or not tm_key(target):
        side = "German" if not tm_key(source) else "English"
        result.skipped.append(f"{where}: unit skipped: the {side} segment is empty")
        return None
    created = next(
        (
            d
            for d in (
                tu.get("changedate"),
                tu.get("creationdate"),
                english[1].get("changedate"),
                english[1].get("creationdate"),
            )
            if d and _DATE.match(d.strip())
        ),
        "",
    )
    segtype = (tu.get("segtype") or header.get("segtype") or "").strip().lower()
    return HumanEntry(
        source=source,
        target=target,
        source_seg=source_seg,
        target_seg=target_seg,
        source_lang=german[0],
        target_lang=english[0],
        origin=origin,
        tuid=(tu.get("tuid") or "").strip(),
        created=created.strip(),
        segtype=segtype if segtype in SEGTYPES else "",
    )


# --- writing -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TmxWritten:
    human: int
    machine: int


def _date(seconds: float) -> str:
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(seconds))


def _prop(kind: str, value: str) -> str:
    return f"      <prop type={quoteattr(kind)}>{_text(value)}</prop>\n"


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(text: str) -> str:
    """Plain text as XML character data: characters XML 1.0 cannot hold dropped, a carriage return kept."""
    return escape(_NOT_XML.sub("", text)).replace("\r", "&#13;")


def _tuv(lang: str, seg: str) -> str:
    return f"      <tuv xml:lang={quoteattr(lang)}><seg>{seg}</seg></tuv>\n"


def write_tmx(
    handle: IO[str],
    human: Iterable[HumanEntry],
    machine: Iterable[MachineEntry] = (),
    *,
    tool_version: str = "unknown",
    now: float | None = None,
) -> TmxWritten:
    """Write TMX 1.4b to the text *handle*: the human entries (inline codes as imported), then the machine ones."""
    human = list(human)
    stamp = _date(time.time() if now is None else now)
    kinds = {e.segtype for e in human if e.segtype}
    segtype = kinds.pop() if len(kinds) == 1 else "sentence"
    handle.write('<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4">\n')
    handle.write(
        f'  <header creationtool="Glossator" creationtoolversion={quoteattr(tool_version)} '
        f'segtype="{segtype}" o-tmf="Glossator SQLite memory" adminlang="en" srclang="de" '
        f'datatype="plaintext" creationdate="{stamp}"/>\n  <body>\n'
    )
    for entry in human:
        attrs = f" tuid={quoteattr(entry.tuid)}" if entry.tuid else ""
        if entry.created:
            attrs += f' creationdate="{entry.created}"'
        if entry.segtype and entry.segtype != segtype:
            attrs += f' segtype="{entry.segtype}"'
        handle.write(f"    <tu{attrs}>\n")
        handle.write(_prop(METHOD_PROP, "tm"))
        if entry.origin:
            handle.write(_prop(ORIGIN_PROP, entry.origin))
        handle.write(_tuv(entry.source_lang or "de", entry.source_seg))
        handle.write(_tuv(entry.target_lang or "en", entry.target_seg))
        handle.write("    </tu>\n")
    machine_count = 0
    seen: set[tuple[str, str, str]] = set()
    for item in machine:
        if (item.source, item.target, item.model) in seen:
            continue  # the same output under another glossary or option set: once is enough
        seen.add((item.source, item.target, item.model))
        machine_count += 1
        handle.write(f'    <tu creationdate="{_date(item.created)}">\n')
        handle.write(_prop(METHOD_PROP, "machine"))
        handle.write(_prop(MODEL_PROP, item.model))
        handle.write(_tuv("de", _text(item.source)))
        handle.write(_tuv("en", _text(item.target)))
        handle.write("    </tu>\n")
    handle.write("  </body>\n</tmx>\n")
    return TmxWritten(len(human), machine_count)
