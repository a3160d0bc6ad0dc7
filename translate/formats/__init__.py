"""Structured document formats: each reads its file into :class:`~glossator.translate.documents.Block` s (tagged
paragraphs, see ``translate/tagged.py``) and writes the English back into the same structure.

A format module exposes ``open_source(data: bytes, name: str) -> Source``; it validates the whole file first
(raising ``InputError`` with one line — what, where, how to fix — for a corrupt, encrypted, macro-carrying or
otherwise unsafe file) so that nothing is translated, let alone written, from a file it cannot write back.
:meth:`Source.blocks` yields the paragraphs in document order, :meth:`Source.put` takes each one's rendered English
(marks in place) and :meth:`Source.dump` gives the translated file's bytes; everything the translation does not
touch (styles, images, other parts of a package) is copied byte for byte.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePath
from typing import Protocol

from glossator.translate.documents import Block


class Source(Protocol):
    """One opened structured document (see the module docstring)."""

    warnings: list[str]

    def blocks(self) -> Iterator[Block]: ...

    def put(self, block: Block, rendered: str) -> None: ...

    def dump(self) -> bytes: ...


@dataclass(frozen=True)
class Format:
    name: str
    extensions: tuple[str, ...]
    module: str  # glossator.translate.formats.<module>
    label: str


STRUCTURED: dict[str, Format] = {
    f.name: f
    for f in (
        Format("html", (".html", ".htm", ".xhtml"), "html", "HTML"),
        Format("epub", (".epub",), "epub", "EPUB"),
        Format("docx", (".docx",), "docx", "Word DOCX"),
        Format("odt", (".odt",), "odf", "OpenDocument text"),
        Format("odp", (".odp",), "odf", "OpenDocument presentation"),
        Format("pptx", (".pptx",), "pptx", "PowerPoint PPTX"),
        Format("xlsx", (".xlsx",), "xlsx", "Excel XLSX"),
        Format("srt", (".srt",), "subtitles", "SubRip subtitles"),
        Format("vtt", (".vtt",), "subtitles", "WebVTT subtitles"),
        Format("xliff", (".xlf", ".xliff"), "xliff", "XLIFF 1.2/2.0"),
        Format("po", (".po", ".pot"), "po", "gettext PO"),
    )
}


def structured_extensions() -> dict[str, str]:
    """File extension → format name (from the registry alone: no format module is imported, so a plain-text run
    does not pay for lxml or polib)."""
    return {ext: name for name, fmt in STRUCTURED.items() for ext in fmt.extensions}


def available() -> list[str]:
    """The structured formats this installation can translate."""
    out = []
    for name, fmt in STRUCTURED.items():
        try:
            importlib.import_module(f"glossator.translate.formats.{fmt.module}")
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.startswith("glossator."):
                continue
            raise
        out.append(name)
    return out


def open_source(fmt: str, data: bytes, name: str) -> Source:
    """Parse and check *data* (the file *name*) as *fmt*; raises ``InputError`` for a file it cannot translate."""
    module = importlib.import_module(f"glossator.translate.formats.{STRUCTURED[fmt].module}")
    source: Source = module.open_source(data, name, fmt)
    return source


def format_for_path(path: str | PurePath) -> str:
    """``md`` for Markdown files, ``txt`` for plain text; any other extension is refused (``--format`` overrides)."""
    from glossator.common.errors import InputError
    from glossator.translate.documents import EXTENSIONS

    suffix = PurePath(path).suffix.lower()
    structured = structured_extensions()
    if suffix in structured:
        return structured[suffix]
    if suffix not in EXTENSIONS:
        known = ", ".join(sorted({*(ext for ext in EXTENSIONS if ext), *structured}))
        raise InputError(
            f"{path}: Glossator cannot translate {suffix} files (it knows {known}). Convert it to one of those, "
            "or pass --format txt if it really is plain text."
        )
    return EXTENSIONS[suffix]
