"""Inline markup held apart from the text: a translatable unit is a sentence whose markup (links, images,
emphasis, inline code, HTML, hard breaks) is kept beside its plain text, so the model translates the text alone
and the markup is put back on the English words it belongs to.

**Reading** (:func:`parse_markdown_inline`): markdown-it-py's inline tokens of one paragraph, heading or table
cell are walked against the paragraph's source, so that every token gets its exact source text (``**`` or
``__``, ``](url "title")`` or ``][ref]``, ``\\*``, ``&amp;``). The result is a :class:`Paragraph`: the plain
text (what SoMaJo splits and the model sees) and *events* at plain-text offsets:

- paired spans, whose text is translated: links, images (their alt text), emphasis, strong, strikethrough,
  and HTML elements opened and closed in the same paragraph (``<b>…</b>``);
- opaque atoms, kept byte for byte and never shown to the model: code spans, autolinks, bare URLs, other
  inline HTML (``<br>``, comments), hard breaks, and any span with no words of its own (``[`x`](u)``,
  ``[![](badge.svg)](u)``) or whose text is a URL. An atom takes the space before it along, so "Führe `pip`
  aus" gives the model "Führe aus".

**Splitting** (:meth:`Paragraph.units`): sentences are found on the plain text, so a link never cuts a
sentence. A span that covers a whole sentence (or more) stays in the skeleton around it; a span inside a
sentence belongs to that sentence's :class:`InlineUnit`; a span that starts in one sentence and ends in another
is split into an opening half (to the end of its first sentence) and a closing half, so the markup stays paired
in the document.

**Projection** (:meth:`InlineUnit.render`): the English is cut into words (punctuation apart); each span's
German characters go, through the alignment (CTranslate2's cross-attention: for each English piece, the German
piece it attends to most), to the English words aligned to them, the densest run of them, without punctuation at
its edges (an emphasis delimiter beside punctuation may not open or close). Spans are placed outermost first,
each inside its parent; crossings are shrunk or nested so the result is well nested, never a span inside one of
its own kind nor a link inside a link (a single word always fits). Siblings keep their German order unless the
alignment places them apart cleanly (emphasis may follow reordered English words; links, images and code keep
their order, which the check below enforces). An atom goes to the word boundary that
best separates the English words aligned before it from those aligned after it, in its German order among its
siblings and never onto an edge of the sentence it did not touch. Without a usable alignment (none, or one that
ties every word to one place) spans and atoms go by relative position, and the segment says so.

**Check**: the rendered sentence is parsed again; its links, images, code spans, HTML and line breaks (in order)
and its emphasis (counted) must equal the German's. If not, everything is placed by position; if that fails too,
the German sentence is kept. Each fallback is a note on the segment — never a silent loss: every span and every
atom of the German comes out exactly once. English text is escaped for Markdown where it would turn into markup.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from glossator.translate.engine import Engine, Hypothesis
from glossator.translate.marks import marks_ok, strip_marks

# One aligned target piece: (target start, target end, source start, source end) in characters; the source span
# is (-1, -1) when the piece attends most to nothing in the sentence.
AlignedPiece = tuple[int, int, int, int]
Alignment = tuple[AlignedPiece, ...]

_DELIMITED = frozenset({"em", "strong", "strike"})  # "*", "_", "~" runs: CommonMark's flanking rules apply
_VOID_HTML = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
)
_HTML_OPEN = re.compile(r"<([A-Za-z][A-Za-z0-9-]*)(?:\s[^<>]*)?>\Z", re.S)
_HTML_CLOSE = re.compile(r"</([A-Za-z][A-Za-z0-9-]*)\s*>\Z")
_BARE_URL = re.compile(r"(?:https?|ftp)://[^\s<>]+|www\.[A-Za-z0-9-]+\.[^\s<>]+")
_URL_TEXT = re.compile(r"\s*(?:(?:https?|ftp|mailto):\S*|www\.\S+|\S+@\S+\.\w+)\s*\Z")
_WORD = re.compile(r"[^\W_]+(?:['\u2019-][^\W_]+)*|\S")
_BLOCK_START = re.compile(r"(?:#{1,6}|[-+]|\d{1,9}[.)])(?=[ \t]|\Z)|>|(?:-[ \t]*){3,}\Z")


class InlineParseError(ValueError):
    """The inline tokens could not be matched against the source (a construct this reader does not know)."""


# --------------------------------------------------------------------------------------------- the model


@dataclass(frozen=True)
class Event:
    """Markup at a plain-text offset: the opening or closing of a paired span, or an opaque atom."""

    pos: int
    kind: str  # "open" | "close" | "atom"
    markup: str  # link, image, em, strong, strike, html | code, autolink, url, html, break, or a collapsed span kind
    src: str  # the exact source text of this markup
    span: int = -1  # pairs an "open" with its "close"; -1 for atoms
    attrs: tuple[tuple[str, str], ...] = ()
    lead: int = 0  # an atom's first characters are the whitespace before it in the source

    @property
    def english(self) -> str:
        """The source to write among English words: an atom's leading whitespace as one space."""
        return " " + self.src[self.lead :] if self.lead else self.src


@dataclass(frozen=True)
class InlineUnit:
    """One translatable sentence: its plain text, the markup inside it, and its exact source.

    ``events`` positions are offsets into ``text``. A span whose other half lies in another sentence has only
    its "open" (it runs to the end of this sentence) or only its "close" (it runs from the start).
    """

    text: str
    events: tuple[Event, ...] = ()
    source: str | None = None  # exact source of the unit (text + markup); None: the text itself
    markdown: bool = False  # escape the English for Markdown
    tagged: bool = False  # markup is marks (translate/tagged.py): checked by the marks, nothing escaped
    line_start: bool = False  # the unit starts a Markdown block line (paragraph start)
    table_cell: bool = False  # inside a table cell: "|" must be escaped
    # the document's link reference definitions (markdown-it's env), to check "[text][ref]" after projection
    env: dict[str, Any] | None = field(default=None, compare=False, repr=False)
    # the source characters just before and after the unit, which the checks parse the English with
    context: tuple[str, str] = field(default=("", ""), compare=False, repr=False)

    @property
    def original(self) -> str:
        return self.text if self.source is None else self.source

    @property
    def has_markup(self) -> bool:
        return bool(self.events)

    def render(self, target: str, alignment: Alignment | None = None) -> tuple[str, tuple[str, ...]]:
        """The English *target* with this unit's markup put back on the words *alignment* ties it to.

        Returns the text and the fallbacks it needed (spans or atoms placed by position), one line each.
        """
        if target == self.text:
            return self.original, ()
        if self.tagged:
            return self._render_tagged(target, alignment)
        if not self.markdown:
            return target, ()
        if not self.events:
            return _escape_markdown(target, self.line_start, self.table_cell), ()
        expected = _kept(_expected(self))
        try:
            rendered, notes = _Projection(self, target, alignment).render()
            if _kept(_signature(self, rendered)) == expected:
                return rendered, notes
            # the placement did not keep the markup as it was (a crossing the nesting rules could not untangle):
            # every span and atom by position, in German order; failing that the German sentence stays
            rendered, notes = _Projection(self, target, None).render()
            if _kept(_signature(self, rendered)) == expected:
                return rendered, ("markup placed by position: the aligned placement changed its structure",)
        except InlineParseError:
            pass
        return self.original, ("kept untranslated: its markup could not be placed on the English",)

    def _render_tagged(self, target: str, alignment: Alignment | None) -> tuple[str, tuple[str, ...]]:
        target = strip_marks(target)  # a mark in the English would be taken for markup
        if not self.events:
            return target, ()
        try:
            rendered, notes = _Projection(self, target, alignment).render()
            if marks_ok(self.events, rendered):
                return rendered, notes
            rendered, notes = _Projection(self, target, None).render()
            if marks_ok(self.events, rendered):
                return rendered, ("markup placed by position: the aligned placement changed its structure",)
        except InlineParseError:
            pass
        return self.original, ("kept untranslated: its markup could not be placed on the English",)


def markdown_parser() -> Any:
    """The one markdown-it-py configuration: CommonMark with GFM tables and strikethrough; ``text_join`` off so
    escapes and entities stay tokens of their own, with their source as markup."""
    return _parser()


@functools.lru_cache(maxsize=1)
def _parser() -> Any:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable(["table", "strikethrough"]).disable("text_join")


def _other_half(ev: Event) -> str:
    """The markup that pairs with a half span's *ev* in its other sentence (enough to parse the unit alone)."""
    if ev.markup in _DELIMITED:
        return ev.src
    if ev.markup == "html":
        tag = dict(ev.attrs).get("tag", "span")
        return f"<{tag}>" if ev.kind == "close" else f"</{tag}>"
    if ev.kind == "close":
        return "![" if ev.markup == "image" else "["
    return "](#)"


def _signature(unit: InlineUnit, text: str) -> tuple[tuple[str, str], ...]:
    """The inline markup *text* holds as a Markdown inline, in order: links, images, code spans, emphasis, HTML
    and line breaks — what the projection must keep. Half spans get their other half for the parse."""
    opens = {ev.span for ev in unit.events if ev.kind == "open"}
    closes = {ev.span for ev in unit.events if ev.kind == "close"}
    before = "".join(_other_half(ev) for ev in reversed(unit.events) if ev.kind == "close" and ev.span not in opens)
    after = "".join(_other_half(ev) for ev in reversed(unit.events) if ev.kind == "open" and ev.span not in closes)
    lead, tail = unit.context
    return _markup_of(lead + before + text + after + tail, unit.env)


def _markup_of(text: str, env: dict[str, Any] | None) -> tuple[tuple[str, str], ...]:
    out: list[tuple[str, str]] = []

    def walk(tokens: Sequence[Any]) -> None:
        for token in tokens:
            kind = token.type
            if kind == "link_open":
                out.append(("link", str(token.attrs.get("href", ""))))
            elif kind == "image":
                out.append(("image", str(token.attrs.get("src", ""))))
                walk(token.children or [])
            elif kind == "code_inline":
                out.append(("code", token.markup + token.content))
            elif kind in _SIGNED:
                out.append((kind, ""))
            elif kind == "html_inline":
                out.append((kind, token.content))
            elif kind == "hardbreak":
                out.append((kind, ""))

    for block in _parser().parseInline(text, dict(env or {})):
        walk(block.children or [])
    return tuple(out)


def _kept(signature: tuple[tuple[str, str], ...]) -> tuple[object, ...]:
    """What must survive a translation: links, images, code, HTML and breaks in their order (closes left out),
    and how many of each emphasis (its order may follow the English words)."""
    emphasis = sorted(kind for kind, _ in signature if kind in ("em_open", "strong_open", "s_open"))
    ordered = tuple(item for item in signature if item[0] not in _SIGNED)
    return (ordered, tuple(emphasis))


_SIGNED = frozenset({"em_open", "strong_open", "s_open", "link_close", "em_close", "strong_close", "s_close"})
_TOKEN = {"em": "em", "strong": "strong", "strike": "s"}


def _expected(unit: InlineUnit) -> tuple[tuple[str, str], ...]:
    """The signature the unit's markup must have (from its events, as read in the document), halves completed."""
    opens = {ev.span for ev in unit.events if ev.kind == "open"}
    closes = {ev.span for ev in unit.events if ev.kind == "close"}

    def of(ev: Event, kind: str, synthetic: bool = False) -> list[tuple[str, str]]:
        attrs = dict(ev.attrs)
        if ev.markup in _TOKEN:
            return [(f"{_TOKEN[ev.markup]}_{kind}", "")]
        if ev.markup == "link":
            return [("link", attrs.get("href", ""))] if kind == "open" else [("link_close", "")]
        if ev.markup == "image":
            return [("image", attrs.get("src", ""))] if kind == "open" else []
        if ev.markup == "html":
            return [("html_inline", _other_half(ev) if synthetic else ev.src)]
        return []

    out: list[tuple[str, str]] = []
    for ev in reversed(unit.events):
        if ev.kind == "close" and ev.span not in opens:
            out += of(ev, "open", synthetic=True)
    for ev in unit.events:
        if ev.kind == "atom":
            out += [("hardbreak", "")] if ev.markup == "break" else list(_markup_of(ev.src[ev.lead :], unit.env))
        else:
            out += of(ev, ev.kind)
    for ev in reversed(unit.events):
        if ev.kind == "open" and ev.span not in closes:
            out += of(ev, "close", synthetic=True)
    return tuple(out)


def _escape_chars(text: str, pipes: bool) -> list[str]:
    """Each character of English *text*, escaped where Markdown would read it as markup."""
    out = []
    for i, ch in enumerate(text):
        nxt = text[i + 1] if i + 1 < len(text) else ""
        if ch in "\\*_~`[]":  # markup may be put right beside any of them: always escaped
            out.append("\\" + ch)
        elif ch == "<" and (nxt.isalpha() or nxt in "/!?"):
            out.append("\\<")
        elif ch == "&" and re.match(r"&#?[A-Za-z0-9]+;", text[i:]):
            out.append("\\&")
        elif ch == "|" and pipes:
            out.append("\\|")
        else:
            out.append(ch)
    return out


def _escape_line_start(rendered: str) -> str:
    """Escape a leading ``#``, ``-``, ``+``, ``>``, ``1.`` or ``=`` that would start another block."""
    stripped = rendered.lstrip(" \t")
    if not _BLOCK_START.match(stripped):
        return rendered
    lead = rendered[: len(rendered) - len(stripped)]
    match = re.match(r"\d+", stripped)
    if match:  # "1." → "1\."
        return lead + stripped[: match.end()] + "\\" + stripped[match.end() :]
    return lead + "\\" + stripped


def _escape_markdown(text: str, line_start: bool = False, pipes: bool = False) -> str:
    escaped = "".join(_escape_chars(text, pipes))
    return _escape_line_start(escaped) if line_start else escaped


# ------------------------------------------------------------------------------------------- reading


@dataclass
class _Text:
    plain: str
    srcs: list[str]  # source of each plain character


@dataclass
class _Atom:
    kind: str
    src: str


@dataclass
class _Span:
    kind: str
    open_src: str
    close_src: str = ""
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[_Text | _Atom | _Span] = field(default_factory=list)


_Node = _Text | _Atom | _Span


def _node_src(node: _Node) -> str:
    if isinstance(node, _Text):
        return "".join(node.srcs)
    if isinstance(node, _Atom):
        return node.src
    return node.open_src + "".join(_node_src(c) for c in node.children) + node.close_src


def _node_plain(node: _Node) -> str:
    if isinstance(node, _Text):
        return node.plain
    if isinstance(node, _Atom):
        return ""
    return "".join(_node_plain(c) for c in node.children)


_SOFTBREAK = re.compile(r" *\n[ \t]*")
_HARDBREAK = re.compile(r"(?:\\| *)\n[ \t]*")
_OPEN_CLOSE = {"em_open": "em", "strong_open": "strong", "s_open": "strike"}
_CLOSERS = {"em_close", "strong_close", "s_close", "link_close"}


class _Walker:
    """Matches inline tokens against *content* (the paragraph's inline source) position by position; each node
    gets its source from *raw* through *offsets* (content index → raw index)."""

    def __init__(self, content: str, offsets: Sequence[int], raw: str, md: Any, env: dict[str, Any]) -> None:
        self.content, self.offsets, self.raw, self.md, self.env = content, offsets, raw, md, env

    def src(self, start: int, end: int) -> str:
        return self.raw[self.offsets[start] : self.offsets[end]]

    def _rule_end(self, rule: Callable[[Any, bool], bool], pos: int, limit: int) -> int:
        from markdown_it.rules_inline.state_inline import StateInline

        state = StateInline(self.content[:limit], self.md, self.env, [])
        state.pos = pos
        if not rule(state, True):
            raise InlineParseError(f"no {rule.__name__} at {pos}")
        return int(state.pos)

    def _expect(self, text: str, pos: int) -> int:
        if not self.content.startswith(text, pos):
            raise InlineParseError(f"expected {text!r} at {pos}")
        return pos + len(text)

    def walk(self, tokens: Sequence[Any], pos: int, limit: int) -> tuple[list[_Node], int]:
        from markdown_it.rules_inline import backtick, image, link

        root = _Span("root", "")
        stack: list[tuple[_Span, int]] = [(root, limit)]  # (span, where its closing markup ends)
        i = 0
        while i < len(tokens):
            token = tokens[i]
            kind, parent = token.type, stack[-1][0]
            if kind == "text":
                end = self._expect(token.content, pos)
                if token.content:
                    parent.children.append(_Text(token.content, [self.src(k, k + 1) for k in range(pos, end)]))
                pos = end
            elif kind == "text_special":
                end = self._expect(token.markup, pos)
                parent.children.append(_Text(token.content, [self.src(pos, end)] + [""] * (len(token.content) - 1)))
                pos = end
            elif kind in ("softbreak", "hardbreak"):
                match = (_SOFTBREAK if kind == "softbreak" else _HARDBREAK).match(self.content, pos)
                if not match:
                    raise InlineParseError(f"no line break at {pos}")
                if kind == "softbreak":
                    parent.children.append(_Text(" ", [self.src(pos, match.end())]))
                else:
                    parent.children.append(_Atom("break", self.src(pos, match.end())))
                pos = match.end()
            elif kind == "code_inline":
                end = self._rule_end(backtick, pos, limit)
                parent.children.append(_Atom("code", self.src(pos, end)))
                pos = end
            elif kind == "html_inline":
                end = self._expect(token.content, pos)
                parent.children.append(_Atom("html", self.src(pos, end)))
                pos = end
            elif kind in _OPEN_CLOSE:
                end = self._expect(token.markup, pos)
                span = _Span(_OPEN_CLOSE[kind], self.src(pos, end))
                parent.children.append(span)
                stack.append((span, -1))
                pos = end
            elif kind == "link_open" and token.markup == "autolink":
                end = self.content.find(">", pos) + 1
                if self.content[pos : pos + 1] != "<" or end <= pos:
                    raise InlineParseError(f"no autolink at {pos}")
                parent.children.append(_Atom("autolink", self.src(pos, end)))
                pos = end
                depth = 1  # skip the autolink's text and closing tokens
                while depth:
                    i += 1
                    depth += {"link_open": 1, "link_close": -1}.get(tokens[i].type, 0)
            elif kind == "link_open":
                end = self._rule_end(link, pos, limit)
                attrs = {k: str(v) for k, v in token.attrs.items()}
                span = _Span("link", self.src(pos, pos + 1), attrs=attrs)
                self._expect("[", pos)
                parent.children.append(span)
                stack.append((span, end))
                pos += 1
            elif kind == "image":
                end = self._rule_end(image, pos, limit)
                label_end = self._label_end(pos + 1, limit)
                self._expect("![", pos)
                children, alt_end = self.walk(token.children or [], pos + 2, label_end)
                if alt_end != label_end:
                    raise InlineParseError(f"image text ends at {alt_end}, expected {label_end}")
                attrs = {k: str(v) for k, v in token.attrs.items() if k != "alt"}
                span = _Span("image", self.src(pos, pos + 2), self.src(label_end, end), attrs, children)
                parent.children.append(span)
                pos = end
            elif kind in _CLOSERS:
                if len(stack) == 1:
                    raise InlineParseError(f"unbalanced {kind} at {pos}")
                span, end = stack.pop()
                if kind == "link_close":
                    self._expect("]", pos)
                else:
                    end = self._expect(token.markup, pos)
                span.close_src = self.src(pos, end)
                pos = end
            else:
                raise InlineParseError(f"unknown inline token {kind}")
            i += 1
        if len(stack) != 1:
            raise InlineParseError("unclosed inline markup")
        return root.children, pos

    def _label_end(self, start: int, limit: int) -> int:
        from markdown_it.rules_inline.state_inline import StateInline

        state = StateInline(self.content[:limit], self.md, self.env, [])
        end = int(self.md.helpers.parseLinkLabel(state, start, False))
        if end < 0:
            raise InlineParseError(f"no link label at {start}")
        return end


def _pair_html(nodes: list[_Node]) -> list[_Node]:
    """``<b>`` … ``</b>`` in the same list of siblings become one paired span; other HTML stays an atom."""
    out: list[_Node] = []
    opened: list[tuple[str, int]] = []  # (tag, index in out)
    for node in nodes:
        if isinstance(node, _Span):
            node.children = _pair_html(node.children)
        if isinstance(node, _Atom) and node.kind == "html":
            close = _HTML_CLOSE.match(node.src.lstrip())
            if close:
                tag = close.group(1).lower()
                at = next((k for k in range(len(opened) - 1, -1, -1) if opened[k][0] == tag), None)
                if at is not None:
                    index = opened[at][1]
                    del opened[at:]
                    start = out[index]
                    assert isinstance(start, _Atom)
                    span = _Span("html", start.src, node.src, {"tag": tag}, out[index + 1 :])
                    del out[index:]
                    out.append(span)
                    continue
            opening = _HTML_OPEN.match(node.src.lstrip())
            if opening and opening.group(1).lower() not in _VOID_HTML and not node.src.rstrip().endswith("/>"):
                opened.append((opening.group(1).lower(), len(out)))
        out.append(node)
    return out


def _split_urls(nodes: list[_Node]) -> list[_Node]:
    """Bare URLs in text become atoms (the model would mangle them)."""
    out: list[_Node] = []
    for node in nodes:
        if isinstance(node, _Span):
            node.children = _split_urls(node.children)
            out.append(node)
            continue
        if not isinstance(node, _Text):
            out.append(node)
            continue
        cursor = 0
        for match in _BARE_URL.finditer(node.plain):
            start, end = match.start(), _url_end(match.group())
            end += start
            if any(node.srcs[k] != node.plain[k] for k in range(start, end)):
                continue
            if start > cursor:
                out.append(_Text(node.plain[cursor:start], node.srcs[cursor:start]))
            out.append(_Atom("url", "".join(node.srcs[start:end])))
            cursor = end
        if cursor < len(node.plain):
            out.append(_Text(node.plain[cursor:], node.srcs[cursor:]))
    return out


def _url_end(url: str) -> int:
    """Length of *url* without trailing punctuation (GFM's rule: ``.,:;!?"'`` and an unbalanced ``)``)."""
    end = len(url)
    while end:
        ch = url[end - 1]
        if ch in ".,:;!?\"'*_~" or (ch == ")" and url[:end].count("(") < url[:end].count(")")):
            end -= 1
        else:
            break
    return end


def _collapse(nodes: list[_Node]) -> list[_Node]:
    """Spans without words of their own, and links or images whose text is a URL, become atoms."""
    out: list[_Node] = []
    for node in nodes:
        if isinstance(node, _Span):
            node.children = _collapse(node.children)
            plain = _node_plain(node)
            if not plain.strip() or (node.kind in ("link", "image") and _URL_TEXT.match(plain)):
                out.append(_Atom(node.kind, _node_src(node)))
                continue
        out.append(node)
    return out


@dataclass
class Paragraph:
    """A paragraph's plain text with the source of each character and the markup events between them."""

    text: str
    char_src: list[str]
    events: list[Event]  # sorted by position, in source order at one position
    markdown: bool = True
    table_cell: bool = False
    env: dict[str, Any] | None = field(default=None, repr=False)
    tagged: bool = False  # a translate.tagged paragraph: its markup is marks

    @property
    def source(self) -> str:
        """The paragraph's exact source: each character's source with the markup events in place."""
        out: list[str] = []
        cursor = 0
        for ev in self.events:  # sorted by position: the characters before each event, then the event
            if ev.pos > cursor:
                out.extend(self.char_src[cursor : ev.pos])
                cursor = ev.pos
            out.append(ev.src)
        out.extend(self.char_src[cursor:])
        return "".join(out)

    def link_list(self) -> list[tuple[int, int]] | None:
        """For a paragraph made only of links and images (a row of badges, "[English](README.md) | [中文](…)"):
        the text of each as a sentence of its own, so each is translated alone and the line stays as it is.
        None for any other paragraph."""
        spans: list[tuple[int, int]] = []
        depth, start, covered = 0, 0, [False] * len(self.text)
        for ev in self.events:
            if ev.kind == "open":
                if depth == 0:
                    if ev.markup not in ("link", "image"):
                        return None
                    start = ev.pos
                depth += 1
            elif ev.kind == "close":
                depth -= 1
                if depth == 0:
                    inner = self.text[start : ev.pos]
                    first = start + len(inner) - len(inner.lstrip())
                    last = start + len(inner.rstrip())
                    if last > first:
                        spans.append((first, last))
                    covered[start : ev.pos] = [True] * (ev.pos - start)
        outside = "".join(ch for ch, inside in zip(self.text, covered, strict=True) if not inside)
        if not spans or outside.strip(" \t|·•,;/-\u2013\u2014"):
            return None
        return spans

    def units(self, spans: Sequence[tuple[int, int]], block_start: bool = False) -> list[str | InlineUnit]:
        """The paragraph as skeleton strings and one :class:`InlineUnit` per sentence span (see module doc).

        *block_start*: the paragraph starts a Markdown block line, so its first unit must not start with
        something that opens another block (``- ``, ``1. ``, ``#``).
        """
        spans = [(s, e) for s, e in spans if e > s]
        opens = {ev.span: ev.pos for ev in self.events if ev.kind == "open"}
        closes = {ev.span: ev.pos for ev in self.events if ev.kind == "close"}
        owner = [self._owner(ev, spans, opens, closes) for ev in self.events]
        # An atom at a sentence boundary joins the unit when that unit's markup stands beside it in the gap.
        for index, ev in enumerate(self.events):
            if ev.kind != "atom" or owner[index] >= 0:
                continue
            gap = [j for j, other in enumerate(self.events) if other.pos == ev.pos]
            for k, (s, e) in enumerate(spans):
                if (ev.pos == s and any(owner[j] == k for j in gap if j < index)) or (
                    ev.pos == e and any(owner[j] == k for j in gap if j > index)
                ):
                    owner[index] = k
        # The source as slots in order (the events before each character, then the character), each with its
        # owner: a sentence index or -1 for the skeleton.
        char_owner = [-1] * len(self.text)
        for k, (s, e) in enumerate(spans):
            for pos in range(s, e):
                char_owner[pos] = k
        slots: list[tuple[int, str, Event | None, int]] = []  # (owner, source, event, position)
        j = 0
        for pos in range(len(self.text) + 1):
            while j < len(self.events) and self.events[j].pos == pos:
                slots.append((owner[j], self.events[j].src, self.events[j], pos))
                j += 1
            if pos < len(self.text):
                slots.append((char_owner[pos], self.char_src[pos], None, pos))
        pieces: list[str | InlineUnit] = []
        finished: set[int] = set()
        index = 0
        while index < len(slots):
            who = slots[index][0]
            stop = index
            while stop < len(slots) and slots[stop][0] == who:
                stop += 1
            group = slots[index:stop]
            if who < 0:
                pieces.append("".join(src for _, src, _, _ in group))
            else:
                if who in finished:
                    raise InlineParseError(f"sentence {who} is interrupted by markup outside it")
                finished.add(who)
                s, e = spans[who]
                events = tuple(
                    Event(ev.pos - s, ev.kind, ev.markup, ev.src, ev.span, ev.attrs, ev.lead)
                    for _, _, ev, _ in group
                    if ev is not None
                )
                before = "".join(src for _, src, _, _ in slots[max(0, index - 3) : index])[-1:]
                after = "".join(src for _, src, _, _ in slots[stop : stop + 3])[:1]
                pieces.append(
                    InlineUnit(
                        self.text[s:e],
                        events,
                        source="".join(src for _, src, _, _ in group),
                        markdown=self.markdown,
                        tagged=self.tagged,
                        line_start=block_start and index == 0,
                        table_cell=self.table_cell,
                        env=self.env,
                        # a letter or digit right beside the sentence decides whether emphasis at its edge closes
                        context=(before if before.isalnum() else "", after if after.isalnum() else ""),
                    )
                )
            index = stop
        if len(finished) != len(spans):
            raise InlineParseError("a sentence has no place in the paragraph")
        return pieces

    @staticmethod
    def _owner(ev: Event, spans: Sequence[tuple[int, int]], opens: dict[int, int], closes: dict[int, int]) -> int:
        """Index of the sentence whose unit holds *ev*, or -1 for the skeleton."""
        if ev.kind == "open":
            a, b = ev.pos, closes[ev.span]
            for k, (s, e) in enumerate(spans):
                if s <= a < e:
                    return -1 if (a == s and b >= e) else k
            return -1
        if ev.kind == "close":
            a, b = opens[ev.span], ev.pos
            for k, (s, e) in enumerate(spans):
                if s < b <= e:
                    return -1 if (b == e and a <= s) else k
            return -1
        for k, (s, e) in enumerate(spans):
            if s < ev.pos < e:
                return k
        return -1


def parse_markdown_inline(
    content: str, children: Sequence[Any], offsets: Sequence[int], raw: str, md: Any, env: dict[str, Any]
) -> Paragraph:
    """The :class:`Paragraph` of one inline token (*content*, *children*) whose content index ``i`` is at
    ``raw[offsets[i]]``. Raises :class:`InlineParseError` when the tokens do not match the source."""
    walker = _Walker(content, offsets, raw, md, env)
    nodes, end = walker.walk(children, 0, len(content))
    if end != len(content):
        raise InlineParseError(f"inline tokens end at {end} of {len(content)}")
    nodes = _collapse(_split_urls(_pair_html(nodes)))
    text: list[str] = []
    char_src: list[str] = []
    events: list[Event] = []
    counter = [0]
    glued = [""]  # markup sits between two words ("word") or a line break does ("break"): keep them apart

    def emit(node: _Node) -> None:
        if isinstance(node, _Text):
            if (glued[0] == "word" and node.plain[:1].isalnum()) or (glued[0] == "break" and node.plain[:1].strip()):
                text.append(" ")
                char_src.append("")  # a space the source does not have: it renders as nothing
            glued[0] = ""
            text.extend(node.plain)
            char_src.extend(node.srcs)
        elif isinstance(node, _Atom):
            src = node.src
            # the whitespace before an atom travels with it ("Führe `pip` aus" → "Führe aus"); a line break
            # taken along this way is written as a space in the English
            lead = 0
            if text and text[-1] in " \t" and not (events and events[-1].pos == len(text)):
                lead = len(char_src[-1])
                src = char_src.pop() + src
                text.pop()
            if node.kind == "break":
                glued[0] = "break" if text and not text[-1].isspace() else ""
            else:
                glued[0] = "word" if text and text[-1].isalnum() else ""
            events.append(Event(len(text), "atom", node.kind, src, lead=lead))
        else:
            counter[0] += 1
            ident = counter[0]
            attrs = tuple(sorted(node.attrs.items()))
            if events and events[-1].kind == "close" and events[-1].pos == len(text) and text and text[-1].isalnum():
                glued[0] = "word"  # "[a](u)[b](v)": two links, two words
            events.append(Event(len(text), "open", node.kind, node.open_src, ident, attrs))
            for child in node.children:
                emit(child)
            events.append(Event(len(text), "close", node.kind, node.close_src, ident, attrs))

    for node in nodes:
        emit(node)
    paragraph = Paragraph("".join(text), char_src, events, env=env)
    expected = raw[offsets[0] : offsets[len(content)]]
    if paragraph.source != expected:
        raise InlineParseError("inline source does not rebuild the paragraph")
    return paragraph


# ---------------------------------------------------------------------------------------- alignment


def piece_spans(text: str, pieces: Sequence[str]) -> list[tuple[int, int]]:
    """Character span of each SentencePiece piece in *text*, tolerant of normalisation (spaces, ``⁇``).

    A character the vocabulary lacks is spelt by byte-fallback pieces (``<0xC3>``, ``<0x96>`` for "Ö"): each of
    them spans the character its byte belongs to (read as six characters of text, they pushed every piece after
    them off its word, and the alignment with them)."""
    spans: list[tuple[int, int]] = []
    cursor = 0
    index = 0
    while index < len(pieces):
        piece = pieces[index]
        core = piece.replace("▁", " ").strip()
        while cursor < len(text) and text[cursor].isspace():
            cursor += 1
        index += 1
        if not core:
            spans.append((cursor, cursor))
            continue
        byte = _BYTE_PIECE.fullmatch(core)
        if byte:
            values = [int(byte.group(1), 16)]
            while index < len(pieces) and (more := _BYTE_PIECE.fullmatch(pieces[index])):
                values.append(int(more.group(1), 16))
                index += 1
            cursor = _byte_spans(text, values, cursor, spans)
            continue
        if text.startswith(core, cursor):
            spans.append((cursor, cursor + len(core)))
            cursor += len(core)
            continue
        found = text.find(core, cursor, cursor + len(core) + 8)
        if found >= 0:
            spans.append((found, found + len(core)))
            cursor = found + len(core)
            continue
        width = 1 if core in ("<unk>", "⁇") else len(core)
        end = min(len(text), cursor + width)
        spans.append((cursor, end))
        cursor = end
    return spans


_BYTE_PIECE = re.compile(r"<0x([0-9A-Fa-f]{2})>")


def _byte_spans(text: str, values: Sequence[int], cursor: int, spans: list[tuple[int, int]]) -> int:
    """Append the span of each byte-fallback piece of one run (*values*, its bytes) found at *cursor* in *text*:
    the character its UTF-8 sequence spells (a byte that starts none, on its own); returns the new cursor."""
    groups: list[list[int]] = []
    for value in values:
        if 0x80 <= value < 0xC0 and groups and len(groups[-1]) < _utf8_length(groups[-1][0]):
            groups[-1].append(value)  # a continuation byte of the character being spelt
        else:
            groups.append([value])
    for group in groups:
        char = bytes(group).decode("utf-8", errors="replace")
        at = text.find(char, cursor, cursor + len(char) + 8) if char != "\ufffd" else -1
        start = at if at >= 0 else min(cursor, len(text))
        end = min(len(text), start + len(char))
        spans.extend([(start, end)] * len(group))
        cursor = end
    return cursor


def _utf8_length(lead: int) -> int:
    """Bytes of the UTF-8 sequence that *lead* starts (1 for a byte that starts none)."""
    return 2 if 0xC0 <= lead < 0xE0 else 3 if 0xE0 <= lead < 0xF0 else 4 if 0xF0 <= lead < 0xF8 else 1


def alignment_from_hypothesis(
    source: str,
    source_pieces: Sequence[str],
    hypothesis: Hypothesis,
    target: str | None = None,
    *,
    first_row: bool = True,
) -> Alignment | None:
    """Per target piece of *hypothesis*, the source characters of the source piece it attends to most.

    *first_row* False: the first row is not read (CTranslate2's beam search returns a wrong one, see
    :func:`alignments`); the first target piece goes with the first source piece that has characters."""
    if not hypothesis.attention or not hypothesis.tokens:
        return None
    text = hypothesis.text if target is None else target
    source_spans = piece_spans(source, source_pieces)
    target_spans = piece_spans(text, hypothesis.tokens)
    out: list[AlignedPiece] = []
    for (t_start, t_end), row in zip(target_spans, hypothesis.attention, strict=False):
        if not out and not first_row:
            first = next(((start, end) for start, end in source_spans if end > start), (-1, -1))
            out.append((t_start, t_end, *first))
            continue
        top = max(row) if row else float("nan")
        best = row.index(top) if top == top else -1  # the first strongest piece; none when NaN
        if 0 <= best < len(source_spans):
            s_start, s_end = source_spans[best]
        else:
            s_start = s_end = -1
        out.append((t_start, t_end, s_start, s_end))
    return tuple(out)


def alignment_to_json(alignment: Alignment) -> list[list[int]]:
    return [list(piece) for piece in alignment]


def alignment_from_json(value: object) -> Alignment | None:
    """The alignment stored in the memory, or None when *value* is not one."""
    if not isinstance(value, list):
        return None
    out: list[AlignedPiece] = []
    for item in value:
        if not (isinstance(item, list) and len(item) == 4 and all(isinstance(x, int) for x in item)):
            return None
        out.append((item[0], item[1], item[2], item[3]))
    return tuple(out)


class AttentionRecorder:
    """An :class:`Engine` that asks the wrapped engine for attention whenever a call includes one of *wanted*
    (the sentences with markup) and keeps those hypotheses, so their alignment needs no second decoding.

    CTranslate2 4.x gathers the first attention row of a beam search across the batch, so that row is wrong
    (its first step runs one beam per sentence and gathers that step's attention with the expanded batch's
    indices: sentence *i* of a batch gets the row of sentence *i* // beam); every other row's strongest source piece
    equals a greedy pass's. :func:`alignments` never reads it (see there).
    """

    def __init__(self, engine: Engine, wanted: set[str]) -> None:
        self.engine = engine
        self.wanted = wanted
        self.seen: dict[str, list[Hypothesis]] = {}

    @property
    def model_id(self) -> str:
        return self.engine.model_id

    @property
    def model_checksum(self) -> str:
        return self.engine.model_checksum

    def source_pieces(self, sentence: str) -> list[str]:
        return self.engine.source_pieces(sentence)

    def pieces_to_text(self, pieces: Sequence[str]) -> str:
        return self.engine.pieces_to_text(pieces)

    def text_to_pieces(self, text: str) -> list[str]:
        return self.engine.text_to_pieces(text)

    @property
    def plans_same_length(self) -> bool:
        """Whether the wrapped engine plans one-length batches itself (see ``enforce._decode``)."""
        return bool(getattr(self.engine, "plans_same_length", False))

    def translate(
        self,
        sentences: Sequence[str],
        *,
        num_hypotheses: int = 1,
        target_prefixes: Sequence[Sequence[str] | None] | None = None,
        return_attention: bool = False,
        **options: Any,
    ) -> list[list[Hypothesis]]:
        want = return_attention or any(s in self.wanted for s in sentences)
        out = self.engine.translate(
            sentences,
            num_hypotheses=num_hypotheses,
            target_prefixes=target_prefixes,
            return_attention=want,
            **options,
        )
        for sentence, hyps in zip(sentences, out, strict=True):
            if sentence in self.wanted:
                self.seen.setdefault(sentence, []).extend(h for h in hyps if h.attention)
        return out

    def recorded(self, source: str, target: str) -> Hypothesis | None:
        """The recorded hypothesis whose text is *target* (the engine produced the English as is), if any."""
        for hypothesis in reversed(self.seen.get(source, [])):
            if hypothesis.text == target and hypothesis.tokens:
                return hypothesis
        return None


def alignments(
    engine: Engine, pairs: Sequence[tuple[str, str]], recorder: AttentionRecorder | None = None
) -> list[Alignment | None]:
    """The alignment of each (German, English) pair.

    A pair whose English the *recorder* saw the engine produce takes that hypothesis's attention; any other (an
    enforced, remembered or human translation) that of a greedy pass forced through the English
    (``target_prefix``, ``beam_size=1``), in one batched call.

    A recorded hypothesis's first row is CTranslate2's wrong one (see :class:`AttentionRecorder`): its first
    English piece is aligned to the first German piece instead. Re-reading the row took a second pass through the
    encoder for every sentence with markup (a greedy one-step decode: 0.9 s of CPU for the 280 marked sentences of
    ``benchmarks/bench_formats.py``, a tenth of the translation), and did not place markup better. Measured with the
    small model on 361 newstest2019 sentences (lines 401-2400) with one bold word that the English repeats verbatim
    (names, numbers): the bold was on exactly that word 175 times with the re-read row and 177 times with the first
    German piece (47 and 47 of the 52 where it is the first English word), and went by position 6 and 5 times.
    German and English sentences mostly start with words that translate each other ("Die Regierung" / "The
    government", "Am Montag" / "On Monday", "Laut Polizei" / "According to police").
    """
    result: list[Alignment | None] = [None] * len(pairs)
    forced: list[tuple[int, list[str]]] = []
    for index, (source, target) in enumerate(pairs):
        hypothesis = recorder.recorded(source, target) if recorder else None
        if hypothesis is not None:
            pieces = engine.source_pieces(source)
            result[index] = alignment_from_hypothesis(source, pieces, hypothesis, first_row=False)
        elif target.strip():
            forced.append((index, engine.text_to_pieces(target)))
    if forced:
        outputs = engine.translate(
            [pairs[i][0] for i, _ in forced],
            target_prefixes=[pieces for _, pieces in forced],
            return_attention=True,
            beam_size=1,
            max_decoding_length=max(len(pieces) for _, pieces in forced) + 1,
        )
        for (index, pieces), hyps in zip(forced, outputs, strict=True):
            hyp = hyps[0] if hyps else None
            if hyp is None or not hyp.attention or len(hyp.attention) < len(pieces):
                continue
            source, target = pairs[index]
            through = Hypothesis(target, hyp.score, tuple(pieces), hyp.attention[: len(pieces)])
            result[index] = alignment_from_hypothesis(source, engine.source_pieces(source), through, target)
    return result


# --------------------------------------------------------------------------------------- projection


@dataclass
class _Placed:
    """A span's place in the English: words [first, last) and its nesting in the source."""

    span: int
    first: int
    last: int
    order: int
    opening: str = ""
    closing: str = ""
    kind: str = ""
    children: list[_Placed | _AtomAt] = field(default_factory=list)


@dataclass
class _AtomAt:
    boundary: int
    src: str
    order: int
    kind: str = ""


class _Projection:
    """Puts one unit's markup back on an English sentence (see the module docstring)."""

    def __init__(self, unit: InlineUnit, target: str, alignment: Alignment | None) -> None:
        self.unit, self.target = unit, target
        self.notes: list[str] = []
        self.escaped = list(target) if unit.tagged else _escape_chars(target, unit.table_cell)
        self.words = [m.span() for m in _WORD.finditer(target)]
        n = len(self.words)
        # the source characters each English word is aligned to
        self.word_sources: list[list[tuple[int, int]]] = [[] for _ in range(n)]
        if alignment:
            starts = [w[0] for w in self.words]
            import bisect

            for t_start, t_end, s_start, s_end in alignment:
                if s_start < 0 or t_end <= t_start:
                    continue
                first = max(0, bisect.bisect_right(starts, t_start) - 1)
                for w in range(first, n):
                    ws, we = self.words[w]
                    if ws >= t_end:
                        break
                    if we > t_start:
                        self.word_sources[w].append((s_start, s_end))
        # An alignment that ties (nearly) every English word to one German place says nothing (a model that
        # attends to the end of the sentence throughout): then everything goes by position.
        anchors = [min(sources) for sources in self.word_sources if sources]
        if len(anchors) >= 4 and len(set(anchors)) <= max(1, len(anchors) // 4):
            self.word_sources = [[] for _ in range(n)]
        self._parents: dict[int, _Placed] = {}  # id(span) → its source parent, for the nesting checks

    # -- where things go

    def _hits(self, start: int, end: int) -> list[int]:
        return [w for w, sources in enumerate(self.word_sources) if any(s < end and e > start for s, e in sources)]

    def _cluster(self, hits: list[int]) -> tuple[int, int]:
        """The densest run of hit words (gaps of at most two words), as [first, last)."""
        clusters: list[list[int]] = [[hits[0]]]
        for w in hits[1:]:
            if w - clusters[-1][-1] > 3:
                clusters.append([w])
            else:
                clusters[-1].append(w)
        best = max(clusters, key=len)
        return best[0], best[-1] + 1

    def _proportional(self, pos: int) -> int:
        """The word boundary at the same relative character position in the English as *pos* in the German."""
        at = pos * len(self.target) / max(len(self.unit.text), 1)
        return sum(1 for start, end in self.words if (start + end) / 2 < at)

    def _boundary(self, pos: int) -> int | None:
        """Word boundary that best separates English words aligned before source *pos* from those after."""
        anchors = [(w, min(s for s, _ in sources)) for w, sources in enumerate(self.word_sources) if sources]
        if not anchors:
            return None
        best, best_score = 0, -1
        for k in range(len(self.words) + 1):
            score = sum(1 for w, a in anchors if (w < k) == (a < pos))
            if score > best_score:
                best, best_score = k, score
        return best

    def _describe(self, ev: Event) -> str:
        return {"link": "link", "image": "image", "em": "emphasis", "strong": "strong emphasis"}.get(
            ev.markup, ev.markup
        )

    # -- placing

    def render(self) -> tuple[str, tuple[str, ...]]:
        unit, n = self.unit, len(self.words)
        if n == 0:
            self.notes.append("the translation is empty: its markup is kept without text")
            return "".join(ev.english for ev in unit.events), tuple(self.notes)
        opens = {ev.span: ev for ev in unit.events if ev.kind == "open"}
        closes = {ev.span: ev for ev in unit.events if ev.kind == "close"}
        # the source nesting: spans closed here but opened in an earlier sentence enclose everything before
        # their close; spans opened here but closed later enclose everything after their open
        root = _Placed(0, 0, n, -1)
        leading = [ev for ev in unit.events if ev.kind == "close" and ev.span not in opens]
        stack: list[_Placed] = [root]
        preorder: list[tuple[_Placed, _Placed, Event | None, Event | None]] = []
        for order, ev in enumerate(reversed(leading)):
            node = _Placed(ev.span, 0, 0, -100 + order, closing=ev.src, kind=ev.markup)
            preorder.append((node, stack[-1], None, ev))
            stack[-1].children.append(node)
            stack.append(node)
        atoms: list[tuple[_AtomAt, _Placed, Event]] = []
        for order, ev in enumerate(unit.events):
            if ev.kind == "open":
                closing = closes[ev.span].src if ev.span in closes else ""
                node = _Placed(ev.span, 0, 0, order, opening=ev.src, closing=closing, kind=ev.markup)
                preorder.append((node, stack[-1], ev, closes.get(ev.span)))
                stack[-1].children.append(node)
                stack.append(node)
            elif ev.kind == "close":
                if ev.span in opens:
                    if stack[-1].span != ev.span:
                        raise InlineParseError("crossing spans in a unit")
                    stack.pop()
                else:
                    if stack[-1].span != ev.span:
                        raise InlineParseError("crossing spans in a unit")
                    stack.pop()
            else:
                atom = _AtomAt(0, ev.english, order, ev.markup)
                atoms.append((atom, stack[-1], ev))
                stack[-1].children.append(atom)
        # Where the alignment places every span of a parent apart from the others, it is trusted as it is (the
        # English may reorder them); otherwise siblings keep their German order.
        desired: dict[int, tuple[int, int] | None] = {}
        for node, _, open_ev, close_ev in preorder:
            hits = self._hits(open_ev.pos if open_ev else 0, close_ev.pos if close_ev else len(unit.text))
            desired[id(node)] = self._cluster(hits) if hits else None
        trusted: set[int] = set()
        for parent in [root, *(node for node, *_ in preorder)]:
            ranges = [desired[id(c)] for c in parent.children if isinstance(c, _Placed)]
            if (
                all(r is not None for r in ranges)
                and all(
                    a[1] <= b[0] or b[1] <= a[0]  # type: ignore[index]
                    for i, a in enumerate(ranges)
                    for b in ranges[i + 1 :]
                )
            ):
                trusted.add(id(parent))
        placed: list[_Placed] = []
        for node, parent, open_ev, close_ev in preorder:
            start = open_ev.pos if open_ev else 0
            end = close_ev.pos if close_ev else len(unit.text)
            cluster = desired[id(node)]
            if cluster:
                first, last = cluster
            else:
                first = self._proportional(start)
                last = max(first + 1, self._proportional(end))
                what = self._describe(open_ev or close_ev)  # type: ignore[arg-type]
                text = unit.text[start:end].strip()
                self.notes.append(f"{what} {text!r} placed by position (no aligned words)")
            if open_ev is None:
                first = 0
            if close_ev is None:
                last = n
            # siblings keep their German order, and each leaves a word for the siblings after it
            siblings = parent.children
            index = next(i for i, c in enumerate(siblings) if c is node)
            before = [c for c in siblings[:index] if isinstance(c, _Placed)]
            after = sum(isinstance(c, _Placed) for c in siblings[index + 1 :])
            lo = max(parent.first, before[-1].last if before else parent.first)
            hi = parent.last - after
            if lo >= hi or id(parent) in trusted:
                lo, hi = parent.first, parent.last
            # a span inside the German sentence stays off the English sentence's edges, which touch the markup
            # around the sentence ("**a**https://…" would not close)
            if open_ev and close_ev and node.kind in _DELIMITED:
                inner_lo = max(lo, 1) if start > 0 else lo
                inner_hi = min(hi, n - 1) if end < len(unit.text) else hi
                if inner_hi - inner_lo >= 1:
                    lo, hi = inner_lo, inner_hi
            first, last = self._fit(node.kind, first, last, parent, placed, open_ev is None, close_ev is None, (lo, hi))
            node.first, node.last = first, last
            self._parents[id(node)] = parent
            placed.append(node)
        for atom, parent, ev in atoms:
            boundary = self._boundary(ev.pos)
            if boundary is None:
                boundary = self._proportional(ev.pos)
                shown = "" if unit.tagged else f" {ev.src.strip()!r}"
                self.notes.append(f"{ev.markup}{shown} placed by position (no aligned words)")
            siblings = parent.children
            index = next(i for i, c in enumerate(siblings) if c is atom)
            lo, hi = parent.first, parent.last
            for c in siblings[:index]:
                lo = max(lo, c.last if isinstance(c, _Placed) else c.boundary)
            following = [c for c in siblings[index + 1 :] if isinstance(c, _Placed)]
            if following:
                hi = min(hi, following[0].first)
            if lo > hi:  # the spans around it were reordered: it goes where the alignment says
                lo, hi = parent.first, parent.last
            # an atom inside the German sentence stays inside the English one: at its very start or end it would
            # touch the markup around the sentence ("`a``b`" is one code span)
            inner_lo = max(lo, 1) if ev.pos > 0 else lo
            inner_hi = min(hi, n - 1) if ev.pos < len(unit.text) else hi
            if inner_lo <= inner_hi:
                lo, hi = inner_lo, inner_hi
            if ev.markup == "break" and n >= 2 and lo <= n - 1:  # a line break has English on both sides of it
                lo, hi = max(lo, 1), min(hi, n - 1)
            atom.boundary = min(max(boundary, lo), hi)
            if ev.markup == "html" and unit.line_start and n and atom.boundary == 0:
                atom.boundary = 1  # "<!--" or "<div>" starting a line would open an HTML block
        tree = self._tree(root, placed, atoms)
        parts: list[str] = []
        self._render(tree, parts, is_root=True)
        rendered = "".join(parts)
        if unit.line_start:
            rendered = _escape_line_start(rendered)
        for ev in unit.events:  # every atom exactly once (English text is escaped, so it cannot fake one)
            verbatim = ev.src[ev.lead :]
            if ev.kind == "atom" and rendered.count(verbatim) < unit.original.count(verbatim):
                self.notes.append(f"{ev.markup} {verbatim!r} missing after projection")
        return rendered, tuple(self.notes)

    def _wordy(self, word: int) -> bool:
        start, end = self.words[word]
        return any(ch.isalnum() for ch in self.target[start:end])

    def _trim(self, kind: str, first: int, last: int, keep_start: bool, keep_end: bool) -> tuple[int, int]:
        """Punctuation at a span's edges stays outside it ("[instructions](u)," not "[instructions,](u)"); an
        emphasis delimiter next to punctuation may not open or close (CommonMark's flanking rules), so an
        emphasis span with no word at all moves to the nearest word."""
        while not keep_start and first < last - 1 and not self._wordy(first):
            first += 1
        while not keep_end and last - 1 > first and not self._wordy(last - 1):
            last -= 1
        if kind in _DELIMITED and not any(self._wordy(w) for w in range(first, last)) and not (keep_start or keep_end):
            wordy = [w for w in range(len(self.words)) if self._wordy(w)]
            if wordy:
                nearest = min(wordy, key=lambda w: abs(w - first))
                first, last = nearest, nearest + 1
        return first, last

    def _fit(
        self,
        kind: str,
        first: int,
        last: int,
        parent: _Placed,
        placed: Sequence[_Placed],
        to_start: bool,
        to_end: bool,
        bounds: tuple[int, int],
    ) -> tuple[int, int]:
        """[first, last) within *bounds* (inside *parent*, after the siblings before it), well nested with every
        span placed so far, never a span inside one of the same kind (``**a **b****`` does not parse) nor a link
        inside a link."""
        lo, hi = bounds
        first, last = max(first, lo), min(last, hi)
        if to_start:
            first = lo
        if to_end:
            last = hi
        if first >= last:
            word = min(max(first, lo), hi - 1)
            first, last = word, word + 1
            if to_start:
                first = lo
            if to_end:
                last = hi
        first, last = self._trim(kind, first, last, to_start, to_end)
        ancestors = set()
        node: _Placed | None = parent
        while node is not None:
            ancestors.add(id(node))
            node = self._parents.get(id(node))

        def conflict(a: int, b: int, q: _Placed) -> bool:
            if id(q) in ancestors:
                return False
            overlapping = (q.first <= a and b <= q.last) or (a <= q.first and q.last <= b)
            return overlapping and (q.kind == kind or {q.kind, kind} <= {"link", "image"})

        def allowed(a: int, b: int) -> bool:
            return (
                lo <= a < b <= hi
                and (not to_start or a == lo)
                and (not to_end or b == hi)
                and all(
                    (b <= q.first or a >= q.last or (q.first <= a and b <= q.last) or (a <= q.first and q.last <= b))
                    and not conflict(a, b, q)
                    for q in placed
                )
            )

        if allowed(first, last):
            return first, last
        candidates = {(first, last)}
        for q in placed:
            if q.first < last and q.last > first:
                candidates |= {
                    (first, q.first),
                    (q.last, last),
                    (max(first, q.first), min(last, q.last)),
                    (min(first, q.first), max(last, q.last)),
                }
        best = None
        for a, b in sorted(candidates):
            if a >= b:
                continue
            a, b = self._trim(kind, a, b, to_start, to_end)
            if allowed(a, b):
                overlap = min(b, last) - max(a, first)
                key = (overlap, -abs((b - a) - (last - first)))
                if best is None or key > best[0]:
                    best = (key, (a, b))
        if best is not None and (kind not in _DELIMITED or any(self._wordy(w) for w in range(*best[1]))):
            return best[1]
        if (
            kind in _DELIMITED
            and (lo, hi) != (parent.first, parent.last)
            and not any(self._wordy(w) for w in range(lo, hi))
        ):  # no word left after the siblings before it: give up their order rather than break the emphasis
            return self._fit(kind, first, last, parent, placed, to_start, to_end, (parent.first, parent.last))
        if best is not None:
            return best[1]
        words = range(hi - 1, lo - 1, -1) if to_end else range(lo, hi)
        for word in sorted(words, key=lambda w: (not self._wordy(w), abs(w - first))):
            if allowed(word, word + 1):
                return word, word + 1
        if kind in ("link", "image") and not (to_start or to_end):
            # more links than words ("[a](u)[b](v)" read as one word): a link without text is still a link
            for k in sorted(range(lo, hi + 1), key=lambda k: abs(k - first)):
                if all(not (q.first < k < q.last) or not conflict(k, k, q) for q in placed):
                    self.notes.append(f"{kind} placed without text (no word of its own left)")
                    return k, k
        self.notes.append(f"{kind} could not be placed apart from another {kind}")
        return (lo, hi) if (to_start or to_end) else (first, first + 1)

    def _tree(self, root: _Placed, placed: list[_Placed], atoms: list[tuple[_AtomAt, _Placed, Event]]) -> _Placed:
        """Rebuild the nesting from the English ranges (outer first; equal ranges keep the source order)."""
        everything = sorted(placed, key=lambda p: (p.first, -p.last, p.order))
        for p in [root, *everything]:
            p.children = []
        stack = [root]
        for p in everything:
            while not (
                stack[-1].first <= p.first and p.last <= stack[-1].last
                if p.last > p.first  # a span without words is inside only what holds it strictly
                else stack[-1] is root or stack[-1].first < p.first < stack[-1].last
            ):
                stack.pop()
            stack[-1].children.append(p)
            stack.append(p)
        for atom, parent, _ in atoms:
            # the deepest span that holds the boundary inside it, or whose edge it is and that held it in German
            home = root
            chain = self._ancestors(root, parent)
            while True:
                inner = next(
                    (
                        c
                        for c in home.children
                        if isinstance(c, _Placed)
                        and (c.first < atom.boundary < c.last or (c in chain and c.first <= atom.boundary <= c.last))
                    ),
                    None,
                )
                if inner is None:
                    break
                home = inner
            home.children.append(atom)
        return root

    @staticmethod
    def _ancestors(root: _Placed, node: _Placed) -> list[_Placed]:
        """*node* and the spans that contain it in the English tree."""
        path: list[_Placed] = []

        def find(current: _Placed) -> bool:
            if current is node:
                path.append(current)
                return True
            for child in current.children:
                if isinstance(child, _Placed) and find(child):
                    path.append(current)
                    return True
            return False

        find(root)
        return path

    def _render(self, node: _Placed, out: list[str], is_root: bool = False) -> None:
        """Append *node* (its opening, its words with its children in place, its closing) to *out*."""
        target, escaped = self.target, self.escaped

        def text(a: int, b: int) -> None:
            if b > a:
                chunk = "".join(escaped[a:b])
                if self.unit.markdown and out and "\n" in out[-1] and not out[-1].split("\n")[-1].strip(" \t>"):
                    chunk = _escape_line_start(chunk)  # after a hard break the English starts a line
                out.append(chunk)

        start = 0 if is_root else self._span_start(node)
        end = len(target) if is_root else self._span_end(node)

        def key(child: _Placed | _AtomAt) -> tuple[int, int]:
            if isinstance(child, _Placed):
                return self._span_start(child), child.order
            return self._atom_char(child.boundary), child.order

        if node.opening[:1] in ("*", "_", "~") and "".join(out)[-1:].isalnum():  # "x**[a](u)**" is no emphasis
            out.append(" ")
        out.append(node.opening)
        cursor = start
        for child in sorted(node.children, key=key):
            if isinstance(child, _Placed):
                text(cursor, max(cursor, self._span_start(child)))
                self._render(child, out)
                cursor = max(cursor, self._span_end(child))
                continue
            at = max(cursor, min(self._atom_char(child.boundary), end))
            text(cursor, at)
            src = child.src
            before = "".join(out)
            if at == 0 and src[:1].isspace() and target[:1].isalnum():  # moved to the start: a space after it too
                src += " "
            elif (before[-1:] == "`" and src[:1] == "`") or (before[-1:] in ("*", "_", "~") and src[:1].isalnum()):
                src = " " + src  # two code spans must not run into one; "**bold**www.x.de" would not close
            at_line_start = bool(out) and "\n" in out[-1] and not out[-1].split("\n")[-1].strip(" \t>")
            if child.kind == "break" and at_line_start:  # an empty line would end the paragraph
                src = "\\" + src.lstrip(" ")
            if child.kind == "html" and out and "\n" in out[-1] and not out[-1].split("\n")[-1].strip(" \t>"):
                out.insert(len(out) - 1, src)  # HTML starting a line would open an HTML block: before the break
                cursor = at
                continue
            out.append(src)
            cursor = at
            if src[-1:].isspace():  # a line break or a space: the English goes on without another
                while cursor < end and target[cursor].isspace():
                    cursor += 1
        text(cursor, end)
        out.append(node.closing)

    def _span_start(self, span: _Placed) -> int:
        """Where a span's opening goes: before its first word (a span without words: like an atom)."""
        return self.words[span.first][0] if span.last > span.first else self._atom_char(span.first)

    def _span_end(self, span: _Placed) -> int:
        return self.words[span.last - 1][1] if span.last > span.first else self._atom_char(span.first)

    def _atom_char(self, boundary: int) -> int:
        """Where an atom at a word boundary goes: right after the word before it."""
        return self.words[boundary - 1][1] if boundary > 0 else 0
