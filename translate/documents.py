"""Documents: the German sentences to translate plus the skeleton that puts English back in their place.

A document is a list of pieces: literal text (kept byte for byte: blank lines, indentation, Markdown
syntax, code, URLs) and sentences (translated). ``render`` joins them again, so rendering the German
segments themselves gives back the input exactly.

- ``txt`` and ``lines``: every line is a unit (a headline such as "Gehen oder bleiben?" stays a line of its
  own); each line is split into sentences; line endings and blank lines are kept. Hard-wrapped paragraphs
  are therefore translated line by line — a known limit of plain-text input.
- ``md``: markdown-it-py finds the blocks; headings, paragraphs, list items, block quotes and table cells
  are translated, fenced/indented code and HTML blocks are left untouched. Inside a line, inline code,
  link destinations, autolinks and bare URLs are kept literally and the text between them is translated.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath

from glossator.translate.segment import sentence_spans

FORMATS = ("txt", "lines", "md")
_MD_PREFIX = re.compile(r"^(\s*(?:>\s?)*\s*(?:[-*+]\s+|\d{1,9}[.)]\s+)?(?:\[[ xX]\]\s+)?(?:#{1,6}\s+)?)")
_MD_PROTECTED = re.compile(
    r"`+[^`]*`+"  # inline code
    r"|!?\]\([^)]*\)"  # link/image destination, with the closing bracket of its text
    r"|<(?:https?|mailto|ftp):[^>]*>"  # autolink
    r"|(?:https?|ftp)://[^\s)>\]]+"  # bare URL
    r"|\s\#+\s*$"  # closing hashes of an ATX heading
    r"|\|"  # table cell borders
)


@dataclass
class Document:
    """Literal pieces and sentence pieces in order; ``segments`` are the sentences."""

    pieces: list[tuple[bool, str]] = field(default_factory=list)  # (is_sentence, text)
    splitter: Callable[[str], list[tuple[int, int]]] = field(default=sentence_spans, repr=False, compare=False)

    @property
    def segments(self) -> list[str]:
        return [text for is_sentence, text in self.pieces if is_sentence]

    def render(self, translations: Sequence[str]) -> str:
        """The document with each sentence replaced by its translation, in order."""
        if len(translations) != len(self.segments):
            raise ValueError(f"{len(translations)} translations for {len(self.segments)} segments")
        out, i = [], 0
        for is_sentence, text in self.pieces:
            if is_sentence:
                out.append(translations[i])
                i += 1
            else:
                out.append(text)
        return "".join(out)

    def _literal(self, text: str) -> None:
        if text:
            if self.pieces and not self.pieces[-1][0]:
                self.pieces[-1] = (False, self.pieces[-1][1] + text)
            else:
                self.pieces.append((False, text))

    def _text(self, text: str) -> None:
        """Split *text* into sentences; whitespace around and between them stays literal."""
        cursor = 0
        for start, end in self.splitter(text):
            self._literal(text[cursor:start])
            self.pieces.append((True, text[start:end]))
            cursor = end
        self._literal(text[cursor:])


def read_document(text: str, fmt: str, splitter: Callable[[str], list[tuple[int, int]]] = sentence_spans) -> Document:
    """Split *text* (format ``txt``, ``lines`` or ``md``) into sentences and skeleton.

    *splitter* gives the sentence spans of a paragraph (default: SoMaJo; the pipeline passes a remembering one).
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown document format {fmt!r}; use one of {', '.join(FORMATS)}")
    doc = Document(splitter=splitter)
    if fmt == "md":
        _read_markdown(text, doc)
        return doc
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        doc._text(body)
        doc._literal(line[len(body) :])
    return doc


def _markdown_text_lines(text: str) -> set[int]:
    """0-based numbers of the lines whose text is prose (inside paragraphs, headings, list items, tables)."""
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    prose: set[int] = set()
    for token in tokens:
        if token.type in ("paragraph_open", "heading_open", "tr_open") and token.map:
            prose.update(range(*token.map))
    return prose


def _read_markdown(text: str, doc: Document) -> None:
    prose = _markdown_text_lines(text)
    for number, line in enumerate(text.splitlines(keepends=True)):
        body = line.rstrip("\r\n")
        if number not in prose or re.fullmatch(r"\s*\|?[\s:|-]*\|[\s:|-]*", body):
            doc._literal(line)  # code, HTML, blank lines, table delimiter rows
            continue
        prefix = _MD_PREFIX.match(body)
        cursor = prefix.end() if prefix else 0
        doc._literal(body[:cursor])
        for protected in _MD_PROTECTED.finditer(body, cursor):
            doc._text(body[cursor : protected.start()])
            doc._literal(protected.group())
            cursor = protected.end()
        doc._text(body[cursor:])
        doc._literal(line[len(body) :])


# File extensions by document format. Anything else is refused rather than translated as text: an .html, .srt,
# .po or .xlf file fed to the model as words comes out broken (tags, timings and IDs translated) with exit 0.
EXTENSIONS = {".txt": "txt", ".text": "txt", "": "txt", ".md": "md", ".markdown": "md"}


def format_for_path(path: str | PurePath) -> str:
    """``md`` for Markdown files, ``txt`` for plain text; any other extension is refused (``--format`` overrides)."""
    from glossator.common.errors import InputError

    suffix = PurePath(path).suffix.lower()
    if suffix not in EXTENSIONS:
        known = ", ".join(sorted(ext for ext in EXTENSIONS if ext))
        raise InputError(
            f"{path}: Glossator cannot translate {suffix} files yet (it knows {known}). Convert it to text or "
            "Markdown, or pass --format txt if it really is plain text."
        )
    return EXTENSIONS[suffix]


def output_name(input_name: str) -> str:
    """The English file name for a German one: ``x.de.md`` → ``x.en.md``, ``x_de.txt`` → ``x_en.txt``,
    ``x.txt`` → ``x.en.txt``."""
    path = PurePath(input_name)
    suffixes = path.name.split(".")
    if len(suffixes) >= 3 and suffixes[-2].lower() == "de":
        suffixes[-2] = "en"
        return str(path.with_name(".".join(suffixes)))
    stem, dot, ext = path.name.rpartition(".")
    if not dot:
        stem, ext = path.name, ""
    for marker in ("_de", "-de"):
        if stem.lower().endswith(marker):
            new = stem[: -len(marker)] + marker[0] + "en"
            return str(path.with_name(new + (f".{ext}" if ext else "")))
    return str(path.with_name(f"{stem}.en" + (f".{ext}" if ext else "")))
