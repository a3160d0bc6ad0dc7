"""TBX (TermBase eXchange) import and export.

Reads TBX-Basic in both generations — TBX v2 (``<martif type="TBX-Basic">``, ``<termEntry>``, ``<tig>``) and
TBX v3 in the DCA style (``<tbx type="TBX-Basic" style="dca">``, ``<conceptEntry>``, ``<termSec>``) — and
writes TBX v3 DCA, valid against the TBX core and TBX-Basic RelaxNG and the TBX-Basic Schematron
(tests/glossary/test_tbx_standards.py). One ``<conceptEntry>`` per :class:`~glossary.model.Term`, with a German and
an English ``<langSec>`` of ``<termSec>``s, each term carrying its role as ``<note>glossator:role=…</note>``:

* German: the source term first (``source``), then each variant (``variant``, ``admittedTerm``).
* English: the target (``target``), the plural (``targetPlural``, ``admittedTerm``; TBX-Basic has no grammatical
  number), the accepted target variants (``targetVariant``, ``admittedTerm``), and each forbidden rendering
  (``forbidden``) as a ``deprecatedTerm-admn-sts`` term, which is how Trados and memoQ mark terms not to use.
* The entry status is the ``administrativeStatus`` of the source and target terms: approved = preferredTerm,
  proposed = admittedTerm, deprecated = deprecatedTerm.
* note → ``<note>``; domain → ``<descrip type="subjectField">``; each tag, ``case_sensitive``, ``do_not_translate``
  and the unknown fields (``Term.extra``, one JSON object) → ``<note>glossator:NAME=value</note>`` on the entry:
  TBX-Basic allows no private data categories, but any number of notes.

Our own files carry a ``glossator:role`` on every term, so YAML → TBX → YAML is lossless. Files from other
tools have no roles; their terms are classified by administrative status and grammatical number instead. From
them Glossator reads the de/en terms, administrative status (or normative authorization), a ``grammaticalNumber``
plural, the entry's ``subjectField`` and its notes; definitions, contexts, term- and language-level notes, part of
speech, term type, transactions, cross-references and subsets are dropped.

Parsing goes through :mod:`defusedxml` only: a document declaring entities (external ones or an
expansion bomb) is refused before anything is fetched or expanded.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

from glossator.common.errors import GlossaryError
from glossator.common.fileio import read_text
from glossator.glossary.model import STATUSES, Glossary, Term, refuse_control_characters

TBX_NS = "urn:iso:std:iso:30042:ed-2"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_PREFIX = "glossator:"
_ROLE = "glossator:role"
_ADMIN = "administrativeStatus"
# Our status ↔ TBX-Basic administrative status (the picklist values end in "-admn-sts").
_STATUS_TO_ADMIN = {"approved": "preferredTerm", "proposed": "admittedTerm", "deprecated": "deprecatedTerm"}
_ADMIN_TO_STATUS = {
    "preferredterm": "approved",
    "admittedterm": "proposed",
    "deprecatedterm": "deprecated",
    "supersededterm": "deprecated",
}
_TERM_CONTAINERS = ("tig", "ntig", "termSec")
# The language section of an entry: <langSet> in TBX v2 and in older v3 files, <langSec> in TBX v3 (ISO 30042:2019).
_LANG_SECTIONS = ("langSet", "langSec")


def is_tbx_path(path: Path) -> bool:
    """Whether *path* names a TBX file (``.tbx`` or ``.tbx.xml``)."""
    name = path.name.lower()
    return name.endswith((".tbx", ".tbx.xml"))


# --------------------------------------------------------------------------------------------- reading


def load_tbx(path: Path, *, allow_duplicates: bool = False, strict: bool = False) -> Glossary:
    """Read a TBX-Basic file (v2 or v3 DCA) into a German→English :class:`Glossary`.

    Real term bases hold entries Glossator cannot use (no German or English term, an empty term) and repeat German
    terms across concepts. Every usable entry is imported; each skipped entry and each merge (the repeated entry's
    English terms become target variants of the first, its German synonyms variants) is listed in
    ``extra["warnings"]`` with its line, as are
    languages other than German and English. With *strict*, the first such entry is an error instead.

    Raises :class:`GlossaryError` naming the file (and line:column for malformed XML) for anything that is
    not a de/en TBX term base, and :class:`~glossator.common.errors.InputFileError` for binary or non-UTF-8 data.
    """
    text = read_text(path, encoding=_declared_encoding(path), what="glossary")
    refuse_control_characters(text, str(path))
    if not text.strip():
        raise GlossaryError(f"{path}: empty file, not a TBX document. Export the term base again.")
    root, lines = _parse_xml(text, path)
    kind = _local(root.tag)
    if kind not in ("martif", "tbx"):
        raise GlossaryError(f"{path}: not a TBX file (root element <{kind}>, expected <tbx> or <martif>).")
    if kind == "tbx" and root.get("style", "dca").lower() == "dct":
        raise GlossaryError(f"{path}: TBX v3 'dct' style is not supported. Export as TBX-Basic DCA or TBX v2.")
    warnings: list[str] = _check_languages(root, path)
    if strict and warnings:
        raise GlossaryError(warnings[0] + " (--strict)")
    terms: list[Term] = []
    index: dict[str, int] = {}
    for entry in _iter(root, "conceptEntry", "termEntry"):
        origin = f"{path}:{lines.get(id(entry), 0)}"
        try:
            term = _term_from_entry(entry, origin)
        except GlossaryError as exc:
            if strict:
                raise
            warnings.append(f"{exc} Skipped.")
            continue
        if term.key in index and not allow_duplicates:
            first = terms[index[term.key]]
            message = f"{origin}: duplicate entry {term.source!r} (first at {first.origin})"
            if strict:
                raise GlossaryError(f"{message}. Merge or remove one.")
            terms[index[term.key]] = _merge(first, term)
            warnings.append(f"{message}: merged, its English terms kept as target variants, its German as variants.")
            continue
        index.setdefault(term.key, len(terms))
        terms.append(term)
    if not terms:
        raise GlossaryError(f"{path}: no usable German/English entry. " + (warnings[0] if warnings else ""))
    return Glossary(terms=tuple(terms), name=path.name, extra={"warnings": warnings} if warnings else {})


def _merge(first: Term, repeat: Term) -> Term:
    """*first* with every German and English term of *repeat* (an entry with the same German term) added, so no
    term of a third-party file is lost: its German synonyms become variants, its English terms target variants (its
    plural too when *first* has another one), its forbidden renderings forbidden ones."""
    plural = first.target_plural if first.target_plural is not None else repeat.target_plural
    english = (repeat.target, *repeat.target_variants, repeat.target_plural)
    known = {t.casefold() for t in (first.target, plural) if t is not None}
    added = [t for t in english if t is not None and t.casefold() not in known]
    german = [v for v in repeat.variants if v.casefold() != first.source.casefold()]
    return dataclasses.replace(
        first,
        variants=tuple(dict.fromkeys((*first.variants, *german))),
        target_plural=plural,
        target_variants=tuple(dict.fromkeys((*first.target_variants, *added))),
        forbidden=tuple(dict.fromkeys((*first.forbidden, *repeat.forbidden))),
    )


def _declared_encoding(path: Path) -> str:
    """The encoding an XML file declares (``<?xml version="1.0" encoding="windows-1254"?>``), as XML readers do;
    UTF-16 by its byte-order mark; else UTF-8. An unknown declared encoding falls back to UTF-8 (and its error)."""
    import codecs
    import re

    head = path.read_bytes()[:200]
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "utf-16"
    match = re.match(rb'^(?:\xef\xbb\xbf)?<\?xml[^>]*?encoding=["\']([A-Za-z0-9._-]+)["\']', head)
    if match:
        name = match.group(1).decode("ascii").lower()
        try:
            codecs.lookup(name)
            return name
        except LookupError:
            return "utf-8"
    return "utf-8"


def _parse_xml(text: str, path: Path) -> tuple[Element, dict[int, int]]:
    """Parse with defusedxml, remembering each element's line (ElementTree itself keeps none)."""
    from xml.etree.ElementTree import ParseError, TreeBuilder

    import defusedxml
    import defusedxml.ElementTree as safe_et

    lines: dict[int, int] = {}

    class _LineBuilder(TreeBuilder):
        def start(self, tag: Any, attrs: Any) -> Element:
            element = super().start(tag, attrs)
            lines[id(element)] = parser.parser.CurrentLineNumber
            return element

    parser = safe_et.XMLParser(target=_LineBuilder())
    try:
        parser.feed(text)
        root = parser.close()
    except defusedxml.EntitiesForbidden as exc:
        raise GlossaryError(
            f"{path}: refused: the document declares the entity {exc.name!r}; Glossator never fetches or "
            f"expands XML entities. Remove the <!ENTITY> declarations."
        ) from None
    except defusedxml.DefusedXmlException as exc:
        raise GlossaryError(f"{path}: refused unsafe XML ({type(exc).__name__}). Remove DTD entities.") from None
    except ParseError as exc:
        line, column = exc.position
        message = str(exc).split(":")[0]
        raise GlossaryError(f"{path}:{line}:{column + 1}: malformed XML: {message}. Fix the markup there.") from None
    return root, lines


def _local(tag: Any) -> str:
    return str(tag).rsplit("}", 1)[-1]


def _iter(element: Element, *names: str) -> Iterator[Element]:
    return (e for e in element.iter() if _local(e.tag) in names)


def _children(element: Element, *names: str) -> list[Element]:
    return [e for e in element if _local(e.tag) in names]


def _language(lang_set: Element) -> str:
    """Primary subtag of a langSet's language: 'de-DE' → 'de', 'en_GB' → 'en'."""
    return _language_code(lang_set.get(_XML_LANG) or lang_set.get("lang") or "")


def _language_code(lang: str) -> str:
    return lang.replace("_", "-").split("-")[0].lower()


def _check_languages(root: Element, path: Path) -> list[str]:
    """Refuses a file without German and English; returns a warning naming any other languages (ignored)."""
    found: list[str] = []
    for lang_set in _iter(root, *_LANG_SECTIONS):
        raw = lang_set.get(_XML_LANG) or lang_set.get("lang") or "(none)"
        if raw not in found:
            found.append(raw)
    primary = {_language(s) for s in _iter(root, *_LANG_SECTIONS)}
    if not found:
        raise GlossaryError(f"{path}: no <langSec> or <langSet> found; expected German and English terms.")
    if not primary >= {"de", "en"}:
        raise GlossaryError(
            f"{path}: languages {', '.join(found)} found; Glossator needs German (de) and English (en) "
            f"term entries. Export a de/en term base."
        )
    others = [lang for lang in found if _language_code(lang) not in ("de", "en")]
    return [f"{path}: languages {', '.join(others)} ignored (Glossator reads German and English)"] if others else []


def _text(element: Element | None) -> str:
    return "" if element is None or element.text is None else element.text


def _glossator_note(element: Element) -> tuple[str, str] | None:
    """``<note>glossator:role=source</note>`` → ("glossator:role", "source"); other notes → None."""
    text = _text(element)
    key, sep, value = text.partition("=")
    if sep and key.startswith(_PREFIX) and key[len(_PREFIX) :].isidentifier():
        return key, value
    return None


def _notes(container: Element) -> dict[str, list[str]]:
    """``termNote``/``descrip``/``admin`` values of a term container by type (descendants, so v2 ``termGrp`` works),
    and our own fields carried as ``<note>glossator:NAME=value</note>``."""
    notes: dict[str, list[str]] = {}
    for element in _iter(container, "termNote", "descrip", "admin"):
        notes.setdefault(element.get("type", ""), []).append(_text(element).strip())
    for element in _iter(container, "note"):
        ours = _glossator_note(element)
        if ours is not None:
            notes.setdefault(ours[0], []).append(ours[1])
    return notes


def _admin_status(notes: dict[str, list[str]]) -> str | None:
    for kind in (_ADMIN, "normativeAuthorization"):
        for value in notes.get(kind, []):
            return value.lower().removesuffix("-admn-sts")
    return None


def _terms(lang_set: Element) -> list[tuple[str, dict[str, list[str]]]]:
    found = []
    for container in _children(lang_set, *_TERM_CONTAINERS):
        term = next(_iter(container, "term"), None)
        if term is not None:
            found.append(("".join(term.itertext()), _notes(container)))
    return found


def _term_from_entry(entry: Element, origin: str) -> Term:
    german: list[tuple[str, dict[str, list[str]]]] = []
    english: list[tuple[str, dict[str, list[str]]]] = []
    for lang_set in _children(entry, *_LANG_SECTIONS):
        language = _language(lang_set)
        if language == "de":
            german += _terms(lang_set)
        elif language == "en":
            english += _terms(lang_set)
    if not german:
        raise GlossaryError(f'{origin}: entry has no German (de) term. Add a <langSec xml:lang="de">.')
    if not english:
        raise GlossaryError(f"{origin}: entry {german[0][0]!r} has no English (en) term. Add one.")
    source_text, source_notes = german[0]
    source = source_text.strip()
    if not source:
        raise GlossaryError(f"{origin}: entry has an empty German term. Fill in the <term>.")
    variants = tuple(text for text, _ in german[1:])

    # Entry-level data categories: descrip directly on the entry or in a v2 descripGrp, never the langSets'.
    entry_notes: dict[str, list[str]] = {}
    for element in _children(entry, "descrip", "descripGrp", "admin", "adminGrp"):
        grouped = _local(element.tag).endswith("Grp")
        for item in _iter(element, "descrip", "admin") if grouped else [element]:
            entry_notes.setdefault(item.get("type", ""), []).append(_text(item))
    note_elements = []
    for element in _children(entry, "note"):
        ours = _glossator_note(element)
        if ours is None:
            note_elements.append(element)
        else:
            entry_notes.setdefault(ours[0], []).append(ours[1])

    status = _ADMIN_TO_STATUS.get(_admin_status(source_notes) or "preferredterm", "approved")
    target: str | None = None
    plural: str | None = None
    target_variants: list[str] = []
    forbidden: list[str] = []
    for text, notes in english:
        roles = notes.get(_ROLE)
        role = roles[0] if roles else None
        if role is None:  # a file from another tool: classify by status and number
            admin = _admin_status(notes) or ""
            if "plural" in [n.lower() for n in notes.get("grammaticalNumber", [])] and plural is None:
                role = "targetPlural"
            elif admin.startswith(("deprecated", "superseded")) and status != "deprecated":
                role = "forbidden"
            elif target is None:
                role = "target"
            else:
                role = "targetVariant"
        if role == "target" and target is None:
            target = text
        elif role == "targetPlural" and plural is None:
            plural = text
        elif role == "forbidden":
            forbidden.append(text)
        else:
            target_variants.append(text)
    if target is None or not target.strip():
        raise GlossaryError(f"{origin}: entry {source!r} has no English target term. Add a preferred en term.")

    extra: dict[str, Any] = {}
    for raw in entry_notes.get("glossator:extra", []):
        try:
            value = json.loads(raw)
        except json.JSONDecodeError:
            raise GlossaryError(f"{origin}: 'glossator:extra' of {source!r} is not a JSON object.") from None
        if not isinstance(value, dict):
            raise GlossaryError(f"{origin}: 'glossator:extra' of {source!r} is not a JSON object.")
        extra.update(value)
    domains = entry_notes.get("subjectField", [])
    return Term(
        source=source,
        target=target.strip(),
        variants=variants,
        target_plural=plural,
        target_variants=tuple(target_variants),
        case_sensitive=_flag(entry_notes, "glossator:caseSensitive"),
        forbidden=tuple(forbidden),
        do_not_translate=_flag(entry_notes, "glossator:doNotTranslate"),
        status=status if status in STATUSES else "approved",
        note="\n".join(_text(n) for n in note_elements) if note_elements else None,
        domain=domains[0] if domains else None,
        tags=tuple(entry_notes.get("glossator:tag", [])),
        extra=extra,
        origin=origin,
    )


def _flag(notes: dict[str, list[str]], name: str) -> bool:
    return any(v.strip().lower() in ("true", "yes", "1") for v in notes.get(name, []))


# --------------------------------------------------------------------------------------------- writing


def dump_tbx(glossary: Glossary) -> str:
    """The glossary as a TBX v3 TBX-Basic DCA document (UTF-8, indented)."""
    from xml.etree.ElementTree import SubElement, indent, tostring

    root = Element("tbx", {"type": "TBX-Basic", "style": "dca", _XML_LANG: "en", "xmlns": TBX_NS})
    header = SubElement(SubElement(SubElement(root, "tbxHeader"), "fileDesc"), "sourceDesc")
    SubElement(header, "p").text = f"Glossator glossary {glossary.name or ''}".strip()
    body = SubElement(SubElement(root, "text"), "body")
    for number, term in enumerate(glossary.terms, start=1):
        entry = SubElement(body, "conceptEntry", {"id": f"c{number}"})
        if term.domain is not None:
            SubElement(entry, "descrip", {"type": "subjectField"}).text = term.domain
        if term.note is not None:
            SubElement(entry, "note").text = term.note
        # Our own fields: TBX-Basic allows no data categories of ours, but any number of notes.
        for tag in term.tags:
            SubElement(entry, "note").text = f"{_PREFIX}tag={tag}"
        if term.case_sensitive:
            SubElement(entry, "note").text = f"{_PREFIX}caseSensitive=true"
        if term.do_not_translate:
            SubElement(entry, "note").text = f"{_PREFIX}doNotTranslate=true"
        if term.extra:
            extra = json.dumps(dict(term.extra), ensure_ascii=False, sort_keys=True, default=str)
            SubElement(entry, "note").text = f"{_PREFIX}extra={extra}"
        status = _STATUS_TO_ADMIN.get(term.status, "preferredTerm")
        german = SubElement(entry, "langSec", {_XML_LANG: "de"})
        _term_section(german, term.source, "source", status)
        for variant in term.variants:
            _term_section(german, variant, "variant", "admittedTerm")
        english = SubElement(entry, "langSec", {_XML_LANG: "en"})
        _term_section(english, term.target, "target", status)
        if term.target_plural is not None:
            _term_section(english, term.target_plural, "targetPlural", "admittedTerm", number="plural")
        for variant in term.target_variants:
            _term_section(english, variant, "targetVariant", "admittedTerm")
        for rendering in term.forbidden:
            _term_section(english, rendering, "forbidden", "deprecatedTerm")
    indent(root, space="  ")
    # A raw CR would be read back as LF (XML normalises line ends); as a character reference it survives.
    body_text = tostring(root, encoding="unicode").replace("\r", "&#13;")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body_text + "\n"


def _term_section(lang_set: Element, text: str, role: str, admin: str, *, number: str | None = None) -> None:
    from xml.etree.ElementTree import SubElement

    section = SubElement(lang_set, "termSec")
    SubElement(section, "term").text = text
    SubElement(section, "termNote", {"type": _ADMIN}).text = f"{admin}-admn-sts"
    # The role (and so the plural: TBX-Basic has no grammaticalNumber) travels as a note, which the dialect allows.
    SubElement(section, "note").text = f"{_ROLE}={role}"
