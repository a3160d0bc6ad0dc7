"""Documents: the German sentences to translate plus the skeleton that puts English back in their place.

A document is a list of pieces: literal text (kept byte for byte: blank lines, indentation, Markdown
syntax, code, URLs) and translatable units (``translate.inline.InlineUnit``: a sentence's plain text, the
inline markup held apart from it, and its exact source). ``segments`` are the units' plain texts, which is
what the engine, the glossary and the memory see; ``render`` puts each English sentence in its unit's place,
so rendering the German segments themselves gives back the input exactly.

- ``txt`` and ``lines``: every line is a unit (a headline such as "Gehen oder bleiben?" stays a line of its
  own); each line is split into sentences; line endings and blank lines are kept. Hard-wrapped paragraphs
  are therefore translated line by line — a known limit of plain-text input.
- ``md``: markdown-it-py (CommonMark with GFM tables and strikethrough) finds the blocks; the inline content
  of paragraphs, headings and table cells is read by ``translate.inline`` into plain text and markup, split
  into sentences on the plain text (a link or a line break inside a paragraph never cuts a sentence), and
  the markup is projected onto the English with the model's alignment (see ``translate/inline.py``).
  Fenced/indented code, HTML blocks, link reference definitions, list markers, block quote markers and
  table pipes stay literal. A paragraph whose inline markup cannot be matched to its source (a construct
  the reader does not know) is kept untranslated and reported in ``Document.warnings``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from glossator.translate.inline import (
    Alignment,
    InlineParseError,
    InlineUnit,
    Paragraph,
    markdown_parser,
    parse_markdown_inline,
)
from glossator.translate.segment import sentence_spans

FORMATS = ("txt", "lines", "md")
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|\Z)")
_MD_TRIM = " \t\n\r\f\v"


@dataclass(frozen=True)
class Block:
    """One paragraph of a structured document (``translate/formats``): its tagged paragraph, where it is in the
    document for reports ("paragraph 12", "slide 3", "cue 14", "trans-unit 42") and the format's own key for it."""

    paragraph: Paragraph
    location: str
    key: Any = field(default=None, compare=False)


@dataclass
class Document:
    """Literal pieces and translatable units in order; ``segments`` are the units' plain texts.

    A structured document (:func:`read_blocks`) also has ``block_sizes``, the number of pieces of each block, so
    that each block renders on its own, and ``locations``, the block location of each unit."""

    pieces: list[str | InlineUnit] = field(default_factory=list)
    splitter: Callable[[str], list[tuple[int, int]]] = field(default=sentence_spans, repr=False, compare=False)
    warnings: list[str] = field(default_factory=list)
    block_sizes: list[int] | None = None
    locations: list[str] = field(default_factory=list)

    @property
    def units(self) -> list[InlineUnit]:
        return [piece for piece in self.pieces if isinstance(piece, InlineUnit)]

    @property
    def segments(self) -> list[str]:
        return [unit.text for unit in self.units]

    @property
    def marked_segments(self) -> list[str]:
        """The segments whose unit holds inline markup: their English needs an alignment to place it."""
        return [unit.text for unit in self.units if unit.has_markup]

    def render(self, translations: Sequence[str], alignments: Sequence[Alignment | None] | None = None) -> str:
        """The document with each sentence replaced by its translation, in order (markup projected with
        *alignments*, one per segment, where given; by position otherwise)."""
        return self.render_with_notes(translations, alignments)[0]

    def render_with_notes(
        self, translations: Sequence[str], alignments: Sequence[Alignment | None] | None = None
    ) -> tuple[str, list[tuple[str, ...]]]:
        """``render`` plus, per segment, the markup fallbacks it needed (placed by position, ...)."""
        out, notes = self._render_pieces(translations, alignments)
        return "".join(out), notes

    def render_blocks(
        self, translations: Sequence[str], alignments: Sequence[Alignment | None] | None = None
    ) -> tuple[list[str], list[tuple[str, ...]]]:
        """A structured document's blocks, each rendered on its own (marks in place), and the notes per segment."""
        if self.block_sizes is None:
            raise ValueError("not a structured document")
        out, notes = self._render_pieces(translations, alignments)
        blocks, cursor = [], 0
        for size in self.block_sizes:
            blocks.append("".join(out[cursor : cursor + size]))
            cursor += size
        return blocks, notes

    def _render_pieces(
        self, translations: Sequence[str], alignments: Sequence[Alignment | None] | None
    ) -> tuple[list[str], list[tuple[str, ...]]]:
        units = self.units
        if len(translations) != len(units):
            raise ValueError(f"{len(translations)} translations for {len(units)} segments")
        if alignments is not None and len(alignments) != len(units):
            raise ValueError(f"{len(alignments)} alignments for {len(units)} segments")
        out: list[str] = []
        notes: list[tuple[str, ...]] = []
        i = 0
        for piece in self.pieces:
            if isinstance(piece, InlineUnit):
                text, unit_notes = piece.render(translations[i], alignments[i] if alignments else None)
                out.append(text)
                notes.append(unit_notes)
                i += 1
            else:
                out.append(piece)
        return out, notes

    def _literal(self, text: str) -> None:
        if text:
            if self.pieces and isinstance(self.pieces[-1], str):
                self.pieces[-1] += text
            else:
                self.pieces.append(text)

    def _add(self, pieces: Sequence[str | InlineUnit]) -> None:
        for piece in pieces:
            if isinstance(piece, str):
                self._literal(piece)
            else:
                self.pieces.append(piece)

    def _text(self, text: str) -> None:
        """Split *text* into sentences; whitespace around and between them stays literal."""
        cursor = 0
        for start, end in self.splitter(text):
            self._literal(text[cursor:start])
            self.pieces.append(InlineUnit(text[start:end]))
            cursor = end
        self._literal(text[cursor:])


def read_blocks(blocks: Sequence[Block], splitter: Callable[[str], list[tuple[int, int]]] = sentence_spans) -> Document:
    """A structured document from its blocks: each paragraph split into sentences on its plain text (a block
    without words is all skeleton). A block whose markup cannot be split at its sentences is one unit."""
    doc = Document(splitter=splitter, block_sizes=[])
    assert doc.block_sizes is not None
    for block in blocks:
        paragraph = block.paragraph
        spans = splitter(paragraph.text) if any(ch.isalnum() for ch in paragraph.text) else []
        try:
            pieces = paragraph.units(spans)
        except InlineParseError:
            whole = [(0, len(paragraph.text))] if spans else []
            pieces = paragraph.units(whole)
        doc.block_sizes.append(len(pieces))
        for piece in pieces:
            doc.pieces.append(piece)
            if isinstance(piece, InlineUnit):
                doc.locations.append(block.location)
    return doc


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


def _read_markdown(text: str, doc: Document) -> None:
    md = markdown_parser()
    env: dict[str, Any] = {}
    tokens = md.parse(text, env)
    starts = [m.start() for m in _LINE.finditer(text)]
    lines = [text[m.start() : m.end()].rstrip("\r\n") for m in _LINE.finditer(text)]
    regions: list[tuple[int, int, list[int], Any, str]] = []  # (raw start, raw end, offsets, token, block)
    row: list[Any] = []
    for index, token in enumerate(tokens):
        if token.type != "inline" or not token.map:
            continue
        block = tokens[index - 1].type if index else ""
        if block in ("th_open", "td_open"):
            row.append(token)
            if tokens[index + 2].type == "tr_close":  # inline, th/td_close, tr_close: the row is complete
                for cell, offsets in zip(
                    row, _cell_offsets(row, lines[token.map[0]], starts[token.map[0]]), strict=True
                ):
                    if cell.content and offsets:
                        regions.append((offsets[0], offsets[-1], offsets, cell, "cell"))
                    elif cell.content:
                        doc.warnings.append(
                            f"line {token.map[0] + 1}: a table cell kept untranslated (not found in its row)"
                        )
                row = []
            continue
        if not token.content:
            continue
        atx = block == "heading_open" and tokens[index - 1].markup.startswith("#")
        offsets = _line_offsets(token.content, token.map[0], lines, starts, atx)
        if offsets is None:
            doc.warnings.append(
                f"line {token.map[0] + 1}: a paragraph kept untranslated (its text was not found in the line)"
            )
            continue
        regions.append(
            (offsets[0], offsets[-1], offsets, token, "paragraph" if block == "paragraph_open" else "heading")
        )
    regions.sort(key=lambda region: region[0])
    cursor = 0
    for start, end, offsets, token, block in regions:
        if start < cursor:
            continue
        doc._literal(text[cursor:start])
        try:
            paragraph = parse_markdown_inline(token.content, token.children or [], offsets, text, md, env)
            paragraph.table_cell = block == "cell"
            spans = paragraph.link_list() or doc.splitter(paragraph.text)
            pieces = paragraph.units(spans, block_start=block == "paragraph")
        except InlineParseError as exc:
            line = text.count("\n", 0, start) + 1
            doc.warnings.append(f"line {line}: a paragraph kept untranslated ({exc})")
            pieces = [text[start:end]]
        doc._add(pieces)
        cursor = end
    doc._literal(text[cursor:])


def _line_offsets(content: str, first: int, lines: Sequence[str], starts: Sequence[int], atx: bool) -> list[int] | None:
    """Raw offset of each content index (and of its end) of a paragraph or heading starting at line *first*."""
    offsets: list[int] = []
    parts = content.split("\n")
    for k, part in enumerate(parts):
        if first + k >= len(lines):
            return None
        raw = lines[first + k]
        if atx:
            column = raw.find(part, raw.find("#") + 1) if part else -1
        elif k < len(parts) - 1:
            column = len(raw) - len(part) if raw.endswith(part) else -1
        else:
            column = len(raw.rstrip(" \t")) - len(part)
            if column < 0 or raw[column : column + len(part)] != part:
                column = -1
        if column < 0:
            return None
        base = starts[first + k] + column
        offsets.extend(base + c for c in range(len(part)))
        offsets.append(base + len(part))  # the line break (or the end)
    return offsets


def _cell_offsets(cells: Sequence[Any], line: str, line_start: int) -> list[list[int] | None]:
    """Raw offsets of each cell's content in a table row *line* (markdown-it's escapedSplit, with positions)."""
    prefix = len(line) - len(line.lstrip(" \t>"))
    for skip in range(prefix + 1):
        found = _split_cells(line, skip)
        if found is None:
            continue
        result: list[list[int] | None] = []
        ok = True
        for index, cell in enumerate(cells):
            if index >= len(found):
                ok = ok and not cell.content
                result.append(None)
                continue
            content, offsets = found[index]
            if content != cell.content:
                ok = False
                break
            result.append([line_start + o for o in offsets])
        if ok:
            return result
    return [None] * len(cells)


def _split_cells(line: str, skip: int) -> list[tuple[str, list[int]]] | None:
    """Cells of ``line[skip:]`` as (content, offsets of each content index and its end), or None."""
    text = line[skip:]
    lead = len(text) - len(text.lstrip(_MD_TRIM))
    body = text.strip(_MD_TRIM)
    if "|" not in body:
        return None
    cells: list[list[tuple[str, int]]] = [[]]  # characters with their raw offset
    escaped = False
    for i, ch in enumerate(body):
        at = skip + lead + i
        if ch == "|" and not escaped:
            cells.append([])
        elif ch == "|":
            cells[-1][-1] = ("|", cells[-1][-1][1])  # the backslash before it gives way to the pipe
        else:
            cells[-1].append((ch, at))
        escaped = ch == "\\"
    if cells and not cells[0]:
        cells.pop(0)
    if cells and not cells[-1]:
        cells.pop()
    out: list[tuple[str, list[int]]] = []
    for chars in cells:
        while chars and chars[0][0] in _MD_TRIM:
            chars.pop(0)
        while chars and chars[-1][0] in _MD_TRIM:
            chars.pop()
        content = "".join(ch for ch, _ in chars)
        offsets = [at for _, at in chars]
        end = offsets[-1] + 1 if chars else 0
        out.append((content, [*offsets, end]))
    return out


# File extensions by document format. Anything else is refused rather than translated as text: an .html, .srt,
# .po or .xlf file fed to the model as words comes out broken (tags, timings and IDs translated) with exit 0.
EXTENSIONS = {".txt": "txt", ".text": "txt", "": "txt", ".md": "md", ".markdown": "md"}


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
