"""Tagged paragraphs: the one inline-markup mechanism for every document format beyond plain text and Markdown.

A format reader (``translate/formats/``) turns each paragraph of its document (an HTML block, a DOCX paragraph,
a PPTX text frame's paragraph, a spreadsheet cell, a run of subtitle cues, an XLIFF ``<source>``, a PO msgid)
into a :class:`TaggedParagraph` with a :class:`TaggedBuilder`: plain text, plus

- **spans** (``open``/``close``): markup whose text is translated — a link, bold or italic, a DOCX run with its
  own formatting, an XLIFF ``<g>``/``<pc>`` — kept paired and nested;
- **atoms**: opaque markup never shown to the model — ``<br>``, a field code, an XLIFF ``<x/>``/``<ph>``, a
  placeholder such as ``%s`` or ``{name}``, the boundary between two subtitle cues.

Each piece of markup is written into the paragraph's source as one character of Unicode's Supplementary Private
Use Area-A (U+F0000 onwards; a character the model's vocabulary never produces), and the format's own data for it
(the element, the run properties, the placeholder's text) is kept in :attr:`TaggedParagraph.marks`. From there
the paragraph is what ``translate.inline`` already handles for Markdown: sentences are found on the plain text
(markup never cuts a sentence), each sentence's markup is projected onto the English words the model's alignment
ties it to, and the result is checked — here by the marks themselves: every mark of the German sentence exactly
once, spans opened before they close and properly nested. If the aligned placement fails the check, everything
is placed by position; if that fails too the German sentence is kept; each fallback is a note on the segment.

The writer gets the rendered paragraph (English text with the marks in place) and turns it back into its format
with :meth:`TaggedParagraph.decode` (text and marks in order) or :meth:`TaggedParagraph.runs` (each stretch of
text with the spans around it — what run-based formats such as DOCX need). Rendering the German sentences
themselves gives the paragraph's source back exactly, so a document nobody translated is written byte for byte.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from glossator.translate.inline import Event, Paragraph
from glossator.translate.marks import MARK_FIRST, MARK_LAST, MARKS, is_mark, marks_ok, strip_marks

_SPLIT = re.compile(f"({MARKS.pattern})")


@dataclass(frozen=True)
class Mark:
    """One piece of markup: an ``open``, ``close`` or ``atom``; *tag* names it in notes ("b", "a", "run", "ph",
    "cue"); *data* is the format's own (an element, run properties, the placeholder text)."""

    kind: str
    tag: str
    data: Any = field(default=None, compare=False)
    span: int = -1  # pairs an open with its close; -1 for atoms


class TaggedBuilder:
    """Builds one :class:`TaggedParagraph`: call :meth:`text`, :meth:`open`, :meth:`close` and :meth:`atom` in
    document order, then :meth:`build`."""

    def __init__(self) -> None:
        self._text: list[str] = []
        self._src: list[str] = []
        self._events: list[Event] = []
        self._marks: list[Mark] = []
        self._stack: list[int] = []
        self._glue = False  # an atom stands right after a word or sign: a word right after it is another word

    def _mark(self, mark: Mark) -> str:
        if len(self._marks) > MARK_LAST - MARK_FIRST:
            raise ValueError("more inline markup in one paragraph than Glossator can hold (65,534 marks)")
        self._marks.append(mark)
        return chr(MARK_FIRST + len(self._marks) - 1)

    def text(self, text: str) -> None:
        if not MARKS.search(text):  # no mark in it (nearly always): the characters as they are, in one go
            if text and self._glue and text[0].isalnum():
                self._text.append(" ")  # a space the source does not have: it renders as nothing
                self._src.append("")
            self._glue = self._glue and not text
            self._text.extend(text)
            self._src.extend(text)
            return
        for ch in text:
            if is_mark(ch):  # the document itself holds such a character: it stays as it is, out of the model's way
                self.atom("char", ch)
                continue
            if self._glue and ch.isalnum():
                self._text.append(" ")  # a space the source does not have: it renders as nothing
                self._src.append("")
            self._glue = False
            self._text.append(ch)
            self._src.append(ch)

    def char(self, ch: str, src: str) -> None:
        """One plain-text character whose source is *src* (an entity, or a run of whitespace the format shows as
        one space: the model sees *ch*, the German source keeps *src*)."""
        self.text(ch)
        if not is_mark(ch):
            self._src[-1] = src

    def space(self) -> None:
        """A space for the model that the source does not have (between two words that markup such as a line
        break separates); it renders as nothing."""
        if self._text and not self._text[-1].isspace():
            self._text.append(" ")
            self._src.append("")
            self._glue = False

    def fold(self, src: str) -> bool:
        """Append *src* to the source of the last plain character (a soft hyphen kept inside its word, unseen by the
        model); False when the paragraph so far ends with markup or has no word character there."""
        if self._text and self._text[-1].isalnum() and not (self._events and self._events[-1].pos == len(self._text)):
            self._src[-1] += src
            return True
        return False

    def open(self, tag: str, data: Any = None) -> int:
        span = len(self._marks)
        src = self._mark(Mark("open", tag, data, span))
        self._events.append(Event(len(self._text), "open", f"<{tag}>", src, span))
        self._stack.append(span)
        return span

    def close(self, span: int | None = None, data: Any = None) -> None:
        """Close the innermost open span (*span*, if given, must be it: spans nest); *data*: the closing markup's
        own data (default: the opening's)."""
        if not self._stack or (span is not None and self._stack[-1] != span):
            raise ValueError("spans must be closed innermost first")
        span = self._stack.pop()
        opening = self._marks[span]
        src = self._mark(Mark("close", opening.tag, opening.data if data is None else data, span))
        start = next(i for i, ev in enumerate(self._events) if ev.span == span)
        if any(ch.isalnum() for ch in self._text[self._events[start].pos :]):
            self._events.append(Event(len(self._text), "close", f"<{opening.tag}>", src, span))
            return
        # a span with no words of its own ("<b> </b>", "<b>{file}</b>", "<b>-</b>") has nothing to project: its two
        # marks travel as atoms, side by side (the writer still sees an open and a close, in order); like an atom,
        # the opening takes the whitespace before it along — unless the model sees what the span holds: "Hvar <b>-</b>
        # Flirten" reads "Hvar - Flirten" to the model, as the same paragraph without the bold does, not "Hvar- …"
        ev = self._events[start]
        pos, lead, opening_src = ev.pos, 0, ev.src
        hidden = not "".join(self._text[pos:]).strip()
        if hidden and pos and self._text[pos - 1] in " \t" and not any(e.pos == pos for e in self._events[:start]):
            lead = len(self._src[pos - 1])
            opening_src = self._src[pos - 1] + ev.src
            del self._text[pos - 1], self._src[pos - 1]
            pos -= 1
            for i in range(start + 1, len(self._events)):
                e = self._events[i]
                self._events[i] = Event(e.pos - 1, e.kind, e.markup, e.src, e.span, e.attrs, e.lead)
        self._events[start] = Event(pos, "atom", ev.markup, opening_src, lead=lead)
        self._events.append(Event(len(self._text), "atom", f"<{opening.tag}>", src))
        self._glue = bool(self._text) and not self._text[-1].isspace()

    def atom(self, tag: str, data: Any = None, *, separates: bool = True) -> None:
        """Opaque markup at this point. *separates*: it stands between words (a line break, a tab, a field), so
        the word before it and the word after it are two words for the model even without a space between them;
        False for markup that takes no room (a bookmark inside a word)."""
        src = self._mark(Mark("atom", tag, data))
        lead = 0
        # the whitespace before an atom travels with it ("Führe %s aus" gives the model "Führe aus"); one that
        # takes no room leaves it where it is ("Das ist <bookmark/>ein" stays "Das ist ein")
        if (
            separates
            and self._text
            and self._text[-1] in " \t"
            and not (self._events and self._events[-1].pos == len(self._text))
        ):
            lead = len(self._src[-1])
            src = self._src.pop() + src
            self._text.pop()
        if separates:
            self._glue = bool(self._text) and not self._text[-1].isspace()
        self._events.append(Event(len(self._text), "atom", f"<{tag}>", src, lead=lead))

    def build(self) -> TaggedParagraph:
        while self._stack:
            self.close()
        return TaggedParagraph("".join(self._text), list(self._src), list(self._events), self._marks)


class TaggedParagraph(Paragraph):
    """A paragraph whose markup is marks (see the module docstring); ``units`` gives tagged InlineUnits."""

    def __init__(self, text: str, char_src: list[str], events: list[Event], marks: Sequence[Mark]) -> None:
        super().__init__(text, char_src, events, markdown=False, tagged=True)
        self.marks = tuple(marks)

    def mark(self, ch: str) -> Mark:
        return self.marks[ord(ch) - MARK_FIRST]

    def decode(self, rendered: str) -> list[str | Mark]:
        """*rendered* (this paragraph's source, German or English) as text and marks in order."""
        out: list[str | Mark] = []
        chunk: list[str] = []
        for piece in _SPLIT.split(rendered):  # text and single marks, in order
            if len(piece) == 1 and is_mark(piece) and ord(piece) - MARK_FIRST < len(self.marks):
                if chunk:
                    out.append("".join(chunk))
                    chunk = []
                out.append(self.mark(piece))
            elif piece:
                chunk.append(piece)
        if chunk:
            out.append("".join(chunk))
        return out

    def runs(self, rendered: str) -> Iterator[tuple[str | Mark, tuple[Mark, ...]]]:
        """Each stretch of text (or atom) of *rendered* with the open spans around it, outermost first."""
        stack: list[Mark] = []
        for item in self.decode(rendered):
            if isinstance(item, str):
                yield item, tuple(stack)
            elif item.kind == "open":
                stack.append(item)
            elif item.kind == "close":
                for i in range(len(stack) - 1, -1, -1):
                    if stack[i].span == item.span:
                        del stack[i]
                        break
            else:
                yield item, tuple(stack)


__all__ = [
    "MARK_FIRST",
    "MARK_LAST",
    "Mark",
    "TaggedBuilder",
    "TaggedParagraph",
    "is_mark",
    "marks_ok",
    "strip_marks",
]
