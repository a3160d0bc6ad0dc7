"""HTML and XHTML pages (``.html``, ``.htm``, ``.xhtml``; also every content document of an EPUB): the text of each
block is translated with its inline markup kept, and everything else stays byte for byte.

- **Tokenizer**: Python's own ``html.parser`` (the standard library's, well kept) finds each tag, text run,
  comment and declaration with its exact position; nothing is parsed into a tree and serialized again, so every
  tag is written back as it was typed (attribute order and quotes, case, ``<br/>``, comments, ``<script>``).
- **Blocks**: the text between block boundaries (``p``, ``h1`` to ``h6``, ``li``, ``td``/``th``, ``dt``/``dd``,
  ``caption``, ``figcaption``, ``blockquote``, ``title``, ``button``, ``label``, ``option``, ``summary``, the text
  of a ``div``/``section`` outside its inner blocks, any other element) is one tagged paragraph
  (``translate/tagged.py``). Inline elements (``a``, ``b``, ``strong``, ``i``, ``em``, ``span``, ``sup``, ``sub``…)
  are spans projected onto the English words; ``<br>``, ``<img>``, comments and the whole of ``<code>``, ``<kbd>``,
  ``<samp>``, ``<var>``, ``<script>``, ``<svg>``, ``<math>``… are atoms the model never sees. Whitespace runs are
  one space for the model (HTML collapses them) and entities are decoded; translated text is escaped again
  minimally (``&amp;``, ``&lt;``, ``&gt;``, no-break and soft hyphens as references) and characters the page's
  encoding cannot hold are written as numeric references. A soft hyphen inside a word is hidden from the model.
- **Attributes** ``alt``, ``title``, ``placeholder``, ``aria-label``, ``label`` (option/optgroup/track), the
  ``value`` of submit/reset/button inputs and ``<meta content>`` of the description and its Open Graph/Twitter
  siblings are blocks of their own.
- **Kept as is**: ``<pre>``, ``<listing>``, ``<xmp>``, ``<template>``, ``<textarea>``, and any element with
  ``translate="no"``, class ``notranslate`` or a ``lang`` other than German (German inside such an element stays
  too). Once anything is translated, ``lang``/``xml:lang`` attributes that say German (``de``, ``de-AT``…) and
  ``<meta http-equiv="content-language">`` become ``en``; a page nothing was translated in is written back byte
  for byte.
- **Encoding**: a byte order mark, then an XML declaration's ``encoding``, then ``<meta charset>`` (or the
  ``http-equiv`` Content-Type) in the first 4 KB; UTF-8 when none. ``iso-8859-1``/``ascii`` labels read as
  windows-1252 (as browsers do). The page is written back in its own encoding with its BOM.
- **Checks** (one-line ``InputError``, ``file:line:column``): broken nesting (``<b><i></b></i>``, an inline element
  left open across a block, a stray end tag, an element never closed) and a page that ends inside a tag, comment
  or declaration (a cut-off file: browsers drop it, it is no text to translate). HTML's optional end tags (``</p>``,
  ``</li>``, ``</td>``, ``</tr>``, ``</option>``, ``</html>``…) are implied where HTML implies them. XHTML (the
  ``.xhtml`` extension, EPUB content) must be well-formed XML (checked with lxml, without DTDs or entities) and
  implies nothing.
"""

from __future__ import annotations

import bisect
import codecs
import html as htmllib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

from glossator.common.errors import InputError
from glossator.translate.documents import Block
from glossator.translate.tagged import Mark, TaggedBuilder, TaggedParagraph


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


VOID = _names("area base basefont bgsound br col embed frame hr img input keygen link meta param source track wbr")
# elements whose end tag HTML lets the page leave out (implied by what follows or by the parent's end)
OPTIONAL_END = _names(
    "p li dt dd td th tr thead tbody tfoot option optgroup colgroup caption rt rp rb rtc html head body"
)
INLINE = _names(
    "a abbr acronym b bdi bdo big blink cite data del dfn em font i ins mark nobr q s small span strike strong sub "
    "sup time u output meter progress"
)
# inline elements whose content is never translated: the whole element is one atom
ATOM_ELEMENTS = _names("code kbd samp var tt script style svg math textarea ruby noembed")
# block elements kept as they are, content and all
SKIP_BLOCKS = _names("pre listing xmp plaintext template")
# void elements that end a block of text (the others are atoms inside it)
BOUNDARY_VOID = _names("hr base link meta col frame")
# a start tag of one of these closes an open <p> (HTML's "close a p element in button scope")
P_CLOSERS = _names(
    "address article aside blockquote center details dialog dir div dl dd dt fieldset figcaption figure footer "
    "form h1 h2 h3 h4 h5 h6 header hgroup hr li listing main menu nav ol p pre section summary table ul xmp"
)
SCOPE = _names("applet caption html table td th marquee object template button")
SPACE = " \t\n\r\f"
ROOTS = _names("html ncx package")
RAW_TEXT = _names("title textarea xmp iframe noembed noframes")  # their language is the document's
ATTRIBUTES = frozenset(("alt", "title", "placeholder", "aria-label"))
META_TEXTS = frozenset(("description", "og:title", "og:description", "twitter:title", "twitter:description"))
_ATTR = re.compile(r"""([^\s/>][^\s/=>]*)(\s*=+\s*('[^']*'|"[^"]*"|(?!['"])[^>\s]*))?(?:\s|/(?!>))*""")
_TAG_NAME = re.compile(r"</?[A-Za-z][^\t\n\r\f />\x00]*(?:\s|/(?!>))*")
_XML_DECL = re.compile(rb"""^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)
_SPACES = re.compile(r"[ \t\n\r\f]+")
BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


@dataclass(frozen=True)
class Profile:
    """What a document holds to translate: an HTML page (``xml`` False), an XHTML one, or — with *only* — an XML
    file (EPUB's OPF, NCX) where only the text of the elements named by *only* (an element, or a parent/element
    pair) is translated, and the text of the *lang_texts* elements is a language code set to ``en``."""

    xml: bool = False
    only: tuple[tuple[str, ...], ...] | None = None
    lang_texts: frozenset[str] = frozenset()
    label: str = "HTML"


HTML = Profile()
XHTML = Profile(xml=True, label="XHTML")


# ------------------------------------------------------------------------------------------------ pieces


class _Tag:
    """A tag whose attributes may change: translated attribute values, German ``lang`` values."""

    def __init__(self, raw: str) -> None:
        self.raw = raw
        self.edits: dict[tuple[int, int], str] = {}  # value span (quotes included) → new value (quotes included)
        self.lang: list[tuple[int, int]] = []  # spans of German language codes (inside the quotes)

    def render(self, english: bool) -> str:
        changes = dict(self.edits)
        if english:
            changes.update({span: "en" for span in self.lang})
        out = self.raw
        for (start, end), value in sorted(changes.items(), reverse=True):
            out = out[:start] + value + out[end:]
        return out


class _Swap:
    """Text that becomes *english* once the document is translated (``<dc:language>de</dc:language>``)."""

    def __init__(self, raw: str, english: str) -> None:
        self.raw, self.english = raw, english


Piece = str | _Tag | _Swap


def _render(pieces: Sequence[Piece], english: bool) -> str:
    out: list[str] = []
    for piece in pieces:
        if isinstance(piece, str):
            out.append(piece)
        elif isinstance(piece, _Tag):
            out.append(piece.render(english))
        else:
            out.append(piece.english if english else piece.raw)
    return "".join(out)


@dataclass(eq=False)
class _Slot:
    """A translated block of text: its original pieces and, once put, the English ones."""

    original: list[Piece]
    xml: bool
    rendered: list[Piece] | None = None

    def put(self, paragraph: TaggedParagraph, rendered: str) -> None:
        if rendered == paragraph.source:
            self.rendered = None
            return
        out: list[Piece] = []
        for item in paragraph.decode(rendered):
            if isinstance(item, str):
                out.append(escape_text(item, self.xml))
            elif isinstance(item.data, tuple):
                out.extend(item.data)
            else:  # a Private Use character of the page itself, kept as it was
                out.append(str(item.data))
        self.rendered = out


@dataclass(eq=False)
class _AttrSlot:
    """A translated attribute value inside *tag*."""

    tag: _Tag
    span: tuple[int, int]
    quote: str
    xml: bool
    changed: bool = False

    def put(self, paragraph: TaggedParagraph, rendered: str) -> None:
        if rendered == paragraph.source:
            self.tag.edits.pop(self.span, None)
            self.changed = False
            return
        text = "".join(item if isinstance(item, str) else "" for item in paragraph.decode(rendered))
        quote = self.quote or '"'
        value = escape_text(text, self.xml).replace(quote, "&quot;" if quote == '"' else "&#39;")
        self.tag.edits[self.span] = quote + value + quote
        self.changed = True


def escape_text(text: str, xml: bool) -> str:
    """Decoded text as HTML/XML character data: ``&``, ``<``, ``>`` escaped, no-break space and soft hyphen as
    references (invisible otherwise)."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("\u00a0", "&#160;" if xml else "&nbsp;").replace("\u00ad", "&#173;" if xml else "&shy;")


class _Builder(TaggedBuilder):
    """A builder whose characters may have a source of their own: a run of spaces and line ends that HTML shows as
    one space is one space for the model and the run itself in the German source."""

    def line_break(self, tag: str, data: Any) -> None:
        """A ``<br>``: an atom the model reads as a space between the words around it."""
        self.atom(tag, data)
        self._pending_space = True

    def text(self, text: str) -> None:
        if text and getattr(self, "_pending_space", False):
            self._pending_space = False
            if text[0] not in SPACE:
                self.space()
        super().text(text)

    def soft_hyphen(self) -> bool:
        """Fold a soft hyphen into the word before it (the model sees the word whole); False where there is none."""
        return self.fold("\u00ad")

    def decoded(self, text: str) -> None:
        """Decoded page text: whitespace runs collapsed for the model, soft hyphens folded."""
        cursor = 0
        for match in _SPACES.finditer(text):
            self._plain(text[cursor : match.start()])
            self.char(" ", match.group())
            cursor = match.end()
        self._plain(text[cursor:])

    def _plain(self, text: str) -> None:
        for ch in text:
            if ch == "\u00ad" and self.soft_hyphen():
                continue
            self.text(ch)


# ------------------------------------------------------------------------------------------------ tokens


@dataclass(frozen=True)
class _Token:
    kind: str  # start | startend | end | text | other
    start: int
    end: int
    tag: str = ""
    attrs: tuple[tuple[str, str | None], ...] = ()


class _Tokenizer(HTMLParser):
    """The standard library's HTML tokenizer, recording where each token starts."""

    def __init__(self, text: str, xml: bool) -> None:
        super().__init__(convert_charrefs=False)
        # what browsers read as text up to the element's end tag (the standard library knows script and style)
        self.raw_text = RAW_TEXT if not xml else RAW_TEXT & {"title", "textarea"}
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.found: list[tuple[str, int, str, tuple[tuple[str, str | None], ...]]] = []

    def _at(self) -> int:
        line, column = self.getpos()
        return self.starts[line - 1] + column

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append(("start", self._at(), tag, tuple(attrs)))
        if tag in self.raw_text:
            self.set_cdata_mode(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append(("startend", self._at(), tag, tuple(attrs)))

    def handle_endtag(self, tag: str) -> None:
        self.found.append(("end", self._at(), tag, ()))

    def handle_data(self, data: str) -> None:
        self.found.append(("text", self._at(), "", ()))

    def handle_entityref(self, name: str) -> None:
        self.handle_data(name)

    def handle_charref(self, name: str) -> None:
        self.handle_data(name)

    def handle_comment(self, data: str) -> None:
        self.found.append(("other", self._at(), "", ()))

    def handle_decl(self, decl: str) -> None:
        self.handle_comment(decl)

    def handle_pi(self, data: str) -> None:
        self.handle_comment(data)

    def unknown_decl(self, data: str) -> None:
        self.handle_comment(data)


class _Unfinished(ValueError):
    """The page ends inside a tag, comment or declaration (browsers drop it; it is not text to translate)."""

    def __init__(self, offset: int, rest: str) -> None:
        super().__init__(rest)
        self.offset, self.rest = offset, rest if len(rest) <= 40 else rest[:37] + "..."


def tokenize(text: str, xml: bool = False) -> list[_Token]:
    """The page as tokens that cover it exactly, adjacent text runs (and references) merged into one."""
    parser = _Tokenizer(text, xml)
    parser.feed(text)
    if re.match(r"<[A-Za-z/!?]", parser.rawdata):  # html.parser's close() would pass a cut-off tag on as text
        raise _Unfinished(len(text) - len(parser.rawdata), parser.rawdata)
    parser.close()
    tokens: list[_Token] = []
    found = parser.found
    for i, (kind, start, tag, attrs) in enumerate(found):
        end = found[i + 1][1] if i + 1 < len(found) else len(text)
        if end <= start:  # never seen; the tokens would not cover the page
            raise ValueError(f"html.parser reported overlapping tokens at offset {start}")
        if kind == "text" and tokens and tokens[-1].kind == "text":
            tokens[-1] = _Token("text", tokens[-1].start, end)
            continue
        tokens.append(_Token(kind, start, end, tag, attrs))
    if found and found[0][1] != 0:
        tokens.insert(0, _Token("text", 0, found[0][1]))
    return tokens


def attribute_spans(raw: str) -> list[tuple[str, tuple[int, int] | None, str]]:
    """Each attribute of the start tag *raw*: lower-case name, the span of its value (quotes included) or None, and
    the quote character ('' for an unquoted value)."""
    match = _TAG_NAME.match(raw)
    if not match:
        return []
    out: list[tuple[str, tuple[int, int] | None, str]] = []
    pos = match.end()
    while pos < len(raw):
        m = _ATTR.match(raw, pos)
        if not m or m.end() == pos:
            break
        value = m.group(3)
        if value is None:
            out.append((m.group(1).lower(), None, ""))
        else:
            quote = value[0] if value[:1] in ("'", '"') else ""
            out.append((m.group(1).lower(), (m.start(3), m.end(3)), quote))
        pos = m.end()
    return out


# ------------------------------------------------------------------------------------------------ encoding

_PROBE = '<a b="c">d & e + f\\u0041 ~ ... </a>\r\n'


def ascii_compatible(codec: str) -> bool:
    """Whether *codec* is a text encoding that reads and writes ASCII as ASCII: not a bytes-to-bytes codec (rot13,
    base64, zlib), nor UTF-7, EBCDIC, idna, punycode or unicode_escape, which a declared charset may name too."""
    try:
        ascii = _PROBE.encode("ascii")
        return _PROBE.encode(codec, "xmlcharrefreplace") == ascii and ascii.decode(codec) == _PROBE
    except (LookupError, UnicodeError, ValueError):
        return False


def decode(data: bytes, name: str, xml: bool) -> tuple[str, str, bytes]:
    """The page's text, the codec to write it back with and its byte order mark."""
    bom, codec = b"", ""
    for mark, bom_codec in BOMS:
        if data.startswith(mark):
            bom, codec = mark, bom_codec
            break
    body = data[len(bom) :]
    if not codec:
        declared = _XML_DECL.match(body[:200])
        if declared is None and not xml:
            declared = _META_CHARSET.search(body[:4096])
        label = declared.group(1).decode("ascii").lower() if declared else "utf-8"
        try:
            codec = codecs.lookup(label).name
        except LookupError as exc:
            raise InputError(
                f"{name}: declares the charset {label!r}, which Python does not know; save it as UTF-8."
            ) from exc
        if codec in ("latin-1", "iso8859-1", "ascii"):
            codec = "cp1252"  # what browsers read these labels as
        elif codec.startswith("utf-16") or codec.startswith("utf-32"):
            codec = "utf-8"  # a UTF-16 page without a byte order mark is read as UTF-8 by browsers too
        if not ascii_compatible(codec):
            raise InputError(
                f"{name}: declares the charset {label!r}, which is no charset for web pages (not a text encoding that "
                "writes ASCII as ASCII); save it as UTF-8."
            )
    try:
        text = body.decode(codec)
    except UnicodeDecodeError as exc:
        if codec == "cp1252":  # the five bytes windows-1252 leaves undefined: Latin-1 reads them
            codec, text = "latin-1", body.decode("latin-1")
        else:
            line = body.count(b"\n", 0, exc.start) + 1
            column = exc.start - (body.rfind(b"\n", 0, exc.start) + 1) + 1
            raise InputError(
                f"{name}:{line}:{column}: bytes that are not valid {codec} (0x{body[exc.start : exc.end].hex()}); "
                "save the page as UTF-8 or declare its real charset in <meta charset>."
            ) from exc
    if "\x00" in text:
        raise InputError(f"{name}: holds NUL characters (a binary file?); not an {'XHTML' if xml else 'HTML'} page.")
    return text, codec, bom


# ------------------------------------------------------------------------------------------------ the document


@dataclass(eq=False)
class _Elem:
    tag: str
    start: int
    kind: str  # block | inline | atom | skip | kept (inside a kept one) | void (an XHTML <img></img>)
    raw: str = ""  # a void element's kind: empty (an atom) or boundary


@dataclass
class _Item:
    kind: str  # text | open | close | atom
    start: int
    end: int
    pieces: tuple[Piece, ...] = ()
    elem: _Elem | None = None
    tag: str = ""


class HtmlDocument:
    """One page (or EPUB XML file) read into blocks; see the module docstring."""

    def __init__(self, text: str, name: str, profile: Profile, where: str = "") -> None:
        self.text, self.name, self.profile = text, name, profile
        self.where = where  # prefix of block locations (an EPUB part's name)
        self.warnings: list[str] = []
        self.pieces: list[Piece | _Slot] = []
        self._blocks: list[tuple[int, Block]] = []
        self._attr_slots: list[_AttrSlot] = []
        self._lines = [0] + [m.end() for m in re.finditer("\n", text)]
        self._stack: list[_Elem] = []
        self._items: list[_Item] = []
        self._skip: tuple[int, str, int] | None = None  # (stack depth of the kept element, atom|block, start)
        self._skip_raw: list[str] = []
        self._language_seen = False
        try:
            tokens = tokenize(text, profile.xml)
        except _Unfinished as exc:
            raise self._fail(
                exc.offset,
                f"the page ends inside the tag, comment or declaration {exc.rest!r} (a cut-off file?); "
                "complete it or remove it.",
            ) from exc
        except (ValueError, AssertionError) as exc:  # html.parser gave up on the markup
            raise InputError(f"{name}: the {profile.label} tokenizer gave up ({exc}); check the markup.") from exc
        for token in tokens:
            self._token(token)
        self._end()
        self.blocks = [block for _, block in sorted(self._blocks, key=lambda pair: pair[0])]

    # ------------------------------------------------------------------------------------------- positions

    def _pos(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self._lines, offset)
        return line, offset - self._lines[line - 1] + 1

    def _at(self, offset: int) -> str:
        line, column = self._pos(offset)
        return f"{line}:{column}"

    def _fail(self, offset: int, what: str) -> InputError:
        return InputError(f"{self.name}:{self._at(offset)}: {what}")

    # ------------------------------------------------------------------------------------------- the walk

    def _classify(self, tag: str, attrs: Sequence[tuple[str, str | None]], empty: bool) -> tuple[str, bool]:
        """The element's kind (block, inline, atom, skip, empty, boundary) and whether it is kept untranslated."""
        inline = tag in INLINE or tag in ATOM_ELEMENTS or (tag in VOID and tag not in BOUNDARY_VOID)
        if self.profile.only is not None:
            return ("boundary" if empty else "block"), False
        values = {k: (v or "") for k, v in attrs}
        kept = values.get("translate", "").strip().lower() == "no" or "notranslate" in values.get("class", "").split()
        lang = (values.get("lang") or values.get("xml:lang") or "").strip().lower()
        if lang and not _german(lang) and tag not in ROOTS:
            kept = True
        if empty:
            return ("empty" if inline else "boundary"), kept
        if kept or tag in ATOM_ELEMENTS or tag in SKIP_BLOCKS:
            return ("atom" if inline and tag not in SKIP_BLOCKS else "skip"), True
        return ("inline" if tag in INLINE else "block"), False

    def _token(self, token: _Token) -> None:
        raw = self.text[token.start : token.end]
        if self._skip is not None:
            self._skip_raw.append(raw)
            if token.kind in ("start", "end"):
                if token.kind == "start" and not (not self.profile.xml and token.tag in VOID):
                    self._stack.append(_Elem(token.tag, token.start, "kept"))
                elif token.kind == "end":
                    self._close(token, raw)
            if len(self._stack) < self._skip[0]:
                _, kind, start = self._skip
                self._skip = None
                kept = "".join(self._skip_raw)
                self._skip_raw = []
                if kind == "atom":
                    self._items.append(_Item("atom", start, token.end, (kept,), tag="kept"))
                else:
                    self._flush()
                    self.pieces.append(kept)
            return
        if token.kind == "text":
            self._items.append(_Item("text", token.start, token.end))
        elif token.kind == "other":
            self._items.append(_Item("atom", token.start, token.end, (raw,), tag="comment"))
        elif token.kind == "end":
            self._close(token, raw)
        else:
            self._open(token, raw)

    def _open(self, token: _Token, raw: str) -> None:
        tag = token.tag
        xml = self.profile.xml
        # an XHTML <img ...></img> is as empty as <img/>: its end tag goes where the start went
        empty = token.kind == "startend" or (tag in VOID and self.profile.only is None)
        if not xml:
            self._imply(tag, token.start)
        kind, kept = self._classify(tag, token.attrs, empty)
        if kind in ("atom", "skip"):
            if kind == "skip":
                self._flush()
                lang = next((v for k, v in token.attrs if k in ("lang", "xml:lang") and v), "")
                if lang and not _german(lang.strip().lower()):
                    line, _ = self._pos(token.start)
                    self.warnings.append(f"{self._where()}line {line}: <{tag} lang={lang}> kept as it is (not German)")
            self._stack.append(_Elem(tag, token.start, kind))
            self._skip = (len(self._stack), kind, token.start)
            self._skip_raw = [raw]
            return
        piece = raw if kept else self._tag_piece(token, raw)
        if kind in ("empty", "boundary"):
            if kind == "empty":
                self._items.append(_Item("atom", token.start, token.end, (piece,), tag=tag))
            else:
                self._flush()
                self.pieces.append(piece)
            if xml and token.kind == "start":
                self._stack.append(_Elem(tag, token.start, "void", kind))
        elif kind == "inline":
            elem = _Elem(tag, token.start, "inline")
            self._stack.append(elem)
            self._items.append(_Item("open", token.start, token.end, (piece,), elem=elem, tag=tag))
        else:
            self._flush()
            self.pieces.append(piece)
            self._stack.append(_Elem(tag, token.start, "block"))

    def _imply(self, tag: str, offset: int) -> None:
        """Close what HTML closes implicitly before the start tag *tag*."""
        if tag in P_CLOSERS:
            self._close_in_scope({"p"}, SCOPE, tag, offset)
        if tag == "li":
            self._close_in_scope({"li"}, SCOPE | {"ol", "ul", "menu"}, tag, offset)
        elif tag in ("dt", "dd"):
            self._close_in_scope({"dt", "dd"}, SCOPE | {"dl"}, tag, offset)
        elif tag in ("td", "th"):
            self._close_in_scope({"td", "th"}, {"tr", "table", "html", "template"}, tag, offset)
        elif tag == "tr":
            self._close_in_scope({"tr"}, {"table", "html", "template"}, tag, offset)
        elif tag in ("thead", "tbody", "tfoot"):
            self._close_in_scope({"thead", "tbody", "tfoot"}, {"table", "html", "template"}, tag, offset)
        elif tag == "option" and self._stack and self._stack[-1].tag == "option":
            self._pop_implied()
        elif tag == "optgroup":
            while self._stack and self._stack[-1].tag in ("option", "optgroup"):
                self._pop_implied()
        elif tag in ("rt", "rp", "rb", "rtc") and self._stack and self._stack[-1].tag in ("rt", "rp", "rb"):
            self._pop_implied()
        elif tag == "body":
            self._close_in_scope({"head"}, {"html"}, tag, offset)

    def _close_in_scope(self, names: set[str], stops: set[str] | frozenset[str], tag: str, offset: int) -> None:
        for index in range(len(self._stack) - 1, -1, -1):
            elem = self._stack[index]
            if elem.tag in names:
                self._pop_to(index, f"<{tag}>", offset)
                return
            if elem.tag in stops:
                return

    def _pop_to(self, index: int, closer: str, offset: int) -> None:
        """Pop the stack down to *index* (inclusive) where everything above it may be closed implicitly."""
        self._check_above(index, closer, offset)
        while len(self._stack) > index:
            self._pop_implied()

    def _pop_implied(self) -> None:
        if self._stack[-1].kind == "block":
            self._flush()  # before the pop: the text belongs to the element
        self._stack.pop()

    def _close(self, token: _Token, raw: str) -> None:
        tag = token.tag
        index = next((i for i in range(len(self._stack) - 1, -1, -1) if self._stack[i].tag == tag), -1)
        if index < 0:
            if self._skip is not None and (tag in VOID or tag in ("p", "br", "html", "head", "body")):
                return
            if tag == "br" and not self.profile.xml:
                self._items.append(_Item("atom", token.start, token.end, (raw,), tag="br"))
                return
            if tag in VOID or tag in ("p", "html", "head", "body"):
                self._flush()
                self.pieces.append(raw)
                return
            raise self._fail(token.start, f"broken nesting: </{tag}> closes nothing (no <{tag}> is open); remove it.")
        if self._skip is not None:
            self._pop_to_kept(index, f"</{tag}>", token.start)
            return
        self._check_above(index, f"</{tag}>", token.start)
        while len(self._stack) > index + 1:
            self._pop_implied()
        elem = self._stack[-1]
        if elem.kind == "inline":
            self._items.append(_Item("close", token.start, token.end, (raw,), elem=elem, tag=tag))
        elif elem.kind == "void" and elem.raw == "empty":
            self._items.append(_Item("atom", token.start, token.end, (raw,), tag=tag))
        else:
            self._flush()
            self.pieces.append(raw)
        self._stack.pop()

    def _check_above(self, index: int, closer: str, offset: int) -> None:
        """Everything above *index* on the stack may be closed implicitly by *closer* (else: broken nesting)."""
        for elem in self._stack[index + 1 :]:
            if elem.tag not in OPTIONAL_END:
                target = self._stack[index]
                raise self._fail(
                    offset,
                    f"broken nesting: {closer} closes <{target.tag}> (at {self._at(target.start)}) while "
                    f"<{elem.tag}> (at {self._at(elem.start)}) is still open; close <{elem.tag}> first.",
                )

    def _pop_to_kept(self, index: int, closer: str, offset: int) -> None:
        self._check_above(index, closer, offset)
        del self._stack[index:]

    def _end(self) -> None:
        if self._skip is not None:
            depth = self._skip[0]
            elem = self._stack[depth - 1]
            raise self._fail(elem.start, f"<{elem.tag}> is never closed; add </{elem.tag}>.")
        for elem in reversed(self._stack):
            if elem.tag not in OPTIONAL_END:
                raise self._fail(elem.start, f"<{elem.tag}> is never closed; add </{elem.tag}> where it ends.")
        while self._stack:
            self._pop_implied()
        self._flush()

    def _where(self) -> str:
        return f"{self.where} " if self.where else ""

    # ------------------------------------------------------------------------------------------- tags

    def _tag_piece(self, token: _Token, raw: str) -> Piece:
        """The start tag as a piece: a :class:`_Tag` when an attribute of it is translated or a language code."""
        values = {k: v for k, v in token.attrs}
        spans = attribute_spans(raw)
        if [name for name, _, _ in spans] != [k for k, _ in token.attrs]:
            return raw  # the attributes could not be matched to the source: leave them as they are
        tag: _Tag | None = None
        for (name, value), (_, span, quote) in zip(token.attrs, spans, strict=True):
            if span is None or value is None:
                continue
            if name in ("lang", "xml:lang") or (
                name == "content" and (values.get("http-equiv") or "").lower() == "content-language"
            ):
                code = value.strip().lower()
                root = token.tag in ROOTS and name != "content"
                if code and root and not _german(code):
                    line, _ = self._pos(token.start)
                    self.warnings.append(
                        f"{self._where()}line {line}: <{token.tag} {name}={value}> says the document is not German; "
                        "translated as German all the same"
                    )
                if _german(code) or (code and root):  # the document's own language: English once translated
                    tag = tag or _Tag(raw)
                    inner = (span[0] + len(quote), span[1] - len(quote))
                    text = raw[inner[0] : inner[1]]
                    lead = len(text) - len(text.lstrip())
                    tag.lang.append((inner[0] + lead, inner[0] + len(text.rstrip())))
                continue
            if self.profile.only is not None or not self._translatable(token.tag, name, values):
                continue
            decoded = htmllib.unescape(raw[span[0] + len(quote) : span[1] - len(quote)])
            if not any(ch.isalnum() for ch in decoded):
                continue
            tag = tag or _Tag(raw)
            slot = _AttrSlot(tag, span, quote, self.profile.xml)
            builder = _Builder()
            builder.decoded(decoded)
            line, _ = self._pos(token.start)
            self._blocks.append(
                (
                    token.start + span[0],
                    Block(builder.build(), f"{self._where()}line {line} <{token.tag} {name}>", slot),
                )
            )
            self._attr_slots.append(slot)
        return tag if tag is not None else raw

    @staticmethod
    def _translatable(tag: str, name: str, values: dict[str, str | None]) -> bool:
        if name in ATTRIBUTES:
            return tag not in ("link", "meta", "style", "script")  # not shown to a reader
        if name == "label":
            return tag in ("option", "optgroup", "track")
        if name == "value":
            return tag == "input" and (values.get("type") or "").lower() in ("submit", "reset", "button")
        if name == "content" and tag == "meta":
            key = (values.get("name") or values.get("property") or "").lower()
            return key in META_TEXTS
        return False

    # ------------------------------------------------------------------------------------------- blocks

    def _owner(self) -> _Elem | None:
        return next((e for e in reversed(self._stack) if e.kind in ("block", "skip")), None)

    def _flush(self) -> None:
        """The text collected since the last block boundary: a block when it has words, else kept as it is."""
        items, self._items = self._items, []
        if not items:
            return
        pieces: list[Piece] = []
        for item in items:
            pieces.extend(item.pieces if item.kind != "text" else (self.text[item.start : item.end],))
        owner = self._owner()
        decoded = "".join(htmllib.unescape(self.text[i.start : i.end]) for i in items if i.kind == "text")
        if not any(ch.isalnum() for ch in decoded):
            self.pieces.extend(pieces)
            return
        profile = self.profile
        if profile.only is not None:
            path = tuple(e.tag for e in self._stack)
            if owner is not None and owner.tag in profile.lang_texts and len(items) == 1:
                # the first dc:language is the book's: English once translated; a later German one too
                code = decoded.strip()
                primary = not self._language_seen
                self._language_seen = True
                if primary or _german(code.lower()):
                    if not _german(code.lower()):
                        line, _ = self._pos(items[0].start)
                        self.warnings.append(
                            f"{self._where()}line {line}: <{owner.tag}> says {code!r}, not German; translated as "
                            "German all the same"
                        )
                    raw = pieces[0]
                    assert isinstance(raw, str)
                    self.pieces.append(_Swap(raw, raw.replace(code, "en")))
                    return
            if not any(path[-len(want) :] == want for want in profile.only):
                self.pieces.extend(pieces)
                return
            if "<" in decoded:
                line, _ = self._pos(items[0].start)
                self.warnings.append(f"{self._where()}line {line}: <{path[-1]}> holds markup as text; kept as it is")
                self.pieces.extend(pieces)
                return
        builder = _Builder()
        opened = {id(i.elem) for i in items if i.kind == "open"}
        closed = {id(i.elem) for i in items if i.kind == "close"}
        spans: dict[int, int] = {}
        for item in items:
            if item.kind == "text":
                builder.decoded(htmllib.unescape(self.text[item.start : item.end]))
            elif item.kind == "open" and id(item.elem) in closed:
                spans[id(item.elem)] = builder.open(item.tag, item.pieces)
            elif item.kind == "close" and id(item.elem) in opened:
                builder.close(spans.pop(id(item.elem)), item.pieces)
            elif item.tag == "br":
                builder.line_break(item.tag, item.pieces)
            else:  # an atom, or half of an inline element split by a block inside it
                builder.atom(item.tag or item.kind, item.pieces)
        paragraph = builder.build()
        slot = _Slot(pieces, profile.xml)
        first = next(i for i in items if i.kind == "text" and self.text[i.start : i.end].strip())
        line, _ = self._pos(first.start)
        label = f"<{owner.tag}>" if owner is not None else "text"
        self._blocks.append((items[0].start, Block(paragraph, f"{self._where()}line {line} {label}", slot)))
        self.pieces.append(slot)

    # ------------------------------------------------------------------------------------------- output

    @property
    def changed(self) -> bool:
        return any(isinstance(p, _Slot) and p.rendered is not None for p in self.pieces) or any(
            slot.changed for slot in self._attr_slots
        )

    def render(self, english: bool | None = None) -> str:
        """The document's text: translated blocks and attributes in place; with *english* (default: whether anything
        was translated) German language codes become ``en``."""
        if english is None:
            english = self.changed
        out: list[str] = []
        for piece in self.pieces:
            if isinstance(piece, _Slot):
                out.append(_render(piece.rendered if piece.rendered is not None else piece.original, english))
            else:
                out.append(_render((piece,), english))
        return "".join(out)


def _german(code: str) -> bool:
    return code == "de" or code.startswith(("de-", "de_"))


class HtmlSource:
    """A page as a :class:`~glossator.translate.formats.Source`."""

    def __init__(self, data: bytes, name: str, profile: Profile, where: str = "") -> None:
        self.data, self.name = data, name
        if profile.xml:
            from glossator.translate.formats.package import parse_xml

            parse_xml(data, name)  # well-formed XML, no entity declarations
        text, self.codec, self.bom = decode(data, name, profile.xml)
        self.document = HtmlDocument(text, name, profile, where)
        self.warnings = self.document.warnings

    def blocks(self) -> Iterator[Block]:
        yield from self.document.blocks

    def put(self, block: Block, rendered: str) -> None:
        paragraph = block.paragraph
        assert isinstance(paragraph, TaggedParagraph)
        block.key.put(paragraph, rendered)

    @property
    def changed(self) -> bool:
        return self.document.changed

    def dump(self, english: bool | None = None) -> bytes:
        if english is None:
            english = self.changed
        text = self.document.render(english)
        if text == self.document.text:
            return self.data
        return self.bom + text.encode(self.codec, errors="xmlcharrefreplace")


def open_source(data: bytes, name: str, fmt: str = "html") -> HtmlSource:
    xml = name.lower().endswith(".xhtml")
    return HtmlSource(data, name, XHTML if xml else HTML)


__all__ = ["HTML", "XHTML", "HtmlDocument", "HtmlSource", "Mark", "Profile", "escape_text", "open_source"]
