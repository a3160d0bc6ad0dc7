"""SubRip (``.srt``) and WebVTT (``.vtt``) subtitles: the cue text is translated, everything else stays byte for byte.

**Reading.** The file is decoded (UTF-8 with or without a byte-order mark, or UTF-16 with one; anything else is
refused with its line) and read by a source-preserving reader of this module — cue numbers, timing lines, cue
settings and identifiers, the ``WEBVTT`` header, ``NOTE``/``STYLE``/``REGION`` blocks, blank lines, line endings
(CRLF, LF or CR) and the byte-order mark are kept as offsets into the text and never rewritten. The reader is strict
where a player would silently drop or merge cues: a broken timing line, a cue that ends before it starts, a cue
number without a timing line, a cue running into the next one (blank line missing), text where an SRT cue should
start, a WebVTT file without its ``WEBVTT`` line — each is an ``InputError`` naming the file and line, before
anything is translated. A WebVTT block that is neither a cue nor ``NOTE``/``STYLE``/``REGION`` is what the WebVTT
parser skips (players never show it): it is kept as it is, with a warning naming its line. Overlapping *times* are
legal in both formats (two speakers at once) and are kept. The ``srt`` and ``webvtt-py`` libraries are not used at
run time: neither keeps a file's bytes (both rebuild the file from parsed cues); the tests read every output with
both.

**Paragraphs.** A sentence often runs over two or more cues. Consecutive cues are joined into one tagged paragraph
(``translate/tagged.py``) until a cue ends a sentence (``.``, ``!``, ``?``, ``…``, optionally followed by closing
quotes or brackets), the next cue starts more than :data:`GAP_MS` after this one ends (or overlaps it), the next cue
starts with a dialogue dash or another ``<v>`` voice, its WebVTT cue settings differ, either cue is only a sound
description (``[ Musik ]``, ``(lacht)``), or :data:`MAX_CUES` cues are joined. Each cue boundary is an atom: the
model sees one sentence, the projection puts the boundary at the English word boundary the alignment gives, and the
writer splits the English there (moving a boundary by whole words where a cue would otherwise get no word, and
punctuation the English puts right after a boundary back before it). A cue is never left empty: a paragraph whose
English has fewer words than cues keeps its German, with a warning. The location of a paragraph is its first cue,
``cue 14`` (cues counted from 1 in file order).

**Inside a cue.** Line breaks are spaces for the model. A dialogue line (``- Wer?``) starts with an atom, so the
speakers' lines stay apart. ``<i>``, ``<b>``, ``<u>``, ``<font …>``, WebVTT ``<c.class>``, ``<lang …>``,
``<ruby>``/``<rt>`` are spans, put on the English words they translate to (a span the English carries over a cue
boundary is closed and opened again there); WebVTT voices (``<v Speaker>``, ``</v>``) and timestamps
(``<00:00:01.000>``), ASS override codes in SRT (``{\\an8}``), ``<br>`` and unpaired closing tags are atoms, kept in
their cue (one that stood before the cue's text stays at its start, one after it at its end). WebVTT character
references (``&amp;``) are read as the characters they stand for and the English is escaped again. The English of
each dialogue line is wrapped into the German line count (balanced lines; one line becomes two only past
:data:`LINE_CHARS` characters; a short text stays on one line). A cue whose English equals its German is written
exactly as it was.
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from glossator.common.errors import InputError
from glossator.translate.documents import Block
from glossator.translate.tagged import Mark, TaggedBuilder, TaggedParagraph

LINE_CHARS = 42  # a subtitle line's usual limit (Netflix, BBC): where one English line becomes two
SHORT_CHARS = 20  # English this short stays on one line whatever the German's line count
GAP_MS = 2000  # a pause longer than this between two cues ends a paragraph
MAX_CUES = 6  # at most this many cues are joined into one paragraph

_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
_EOL = re.compile(r"\r\n|\r|\n")
_SRT_TIME = r"(\d+):(\d{1,2}):(\d{1,2})[,.](\d{1,3})"
_SRT_TIMING = re.compile(rf"[ \t]*{_SRT_TIME} *--> *{_SRT_TIME}(?:[ \t]+(.*?))?[ \t]*\Z")
_SRT_INDEX = re.compile(r"[ \t]*\d+[ \t]*\Z")
_VTT_TIME = r"(?:(\d+):)?(\d{2}):(\d{2})\.(\d{3})"
_VTT_TIMING = re.compile(rf"[ \t]*{_VTT_TIME}[ \t]*-->[ \t]*{_VTT_TIME}(?:[ \t]+(.*?))?[ \t]*\Z")
_VTT_FIRST = re.compile(r"WEBVTT(?:[ \t]|\Z)")
_VTT_NOTE = re.compile(r"NOTE(?:[ \t]|\Z)")
_VTT_HEAD_BLOCK = re.compile(r"(?:STYLE|REGION)[ \t]*\Z")
_TIMING_LIKE = re.compile(r"[ \t]*\d+:\d")
# markup in cue text: a tag (<i>, </i>, <font color="red">, <c.yellow>, <v Anna>, <00:00:01.000>) or an ASS code
_MARKUP = re.compile(r"<(?:/?[A-Za-z][^<>\r\n]*|\d[\d:.]*)>|\{\\[^{}\r\n]*\}")
_TAG_NAME = re.compile(r"</?([A-Za-z][A-Za-z0-9]*)")
_VOID = frozenset({"br"})
_DASH = re.compile(r"[-\u2013\u2014](?:[ \t]+(?=\S)|(?=[^\W\d_]))")
_SENTENCE_END = re.compile(r"(?:[.!?\u2026]|\.\.\.)[\"'\u00bb\u00ab\u201c\u201d\u2019\u2018\u201e)\]]*\Z")
_CLOSING_PUNCTUATION = re.compile(r"[,.;:!?\u2026)\]\u00bb\u201d\u2019\"']+")
_SOUND = re.compile(r"\[[^\]]*\]|\([^)]*\)")  # a cue that is only a sound description: "[ Musik ]", "(lacht)"
_VOICE = re.compile(r"<v(?:\.[^\s>]*)*[ \t]+([^>]*)>")


def open_source(data: bytes, name: str, fmt: str) -> SubtitleSource:
    """Parse and check a whole ``.srt`` (*fmt* ``srt``) or ``.vtt`` (*fmt* ``vtt``) file; raises ``InputError``."""
    return SubtitleSource(data, name, fmt)


# ----------------------------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class _Line:
    start: int  # offset of the line in the text
    stop: int  # offset of its end, before the line ending
    end: int  # offset after the line ending

    def of(self, text: str) -> str:
        return text[self.start : self.stop]


@dataclass(frozen=True)
class _Token:
    kind: str  # "text" | "open" | "close" | "atom"
    raw: str  # the source of the token (for text: as written, character references included)
    value: str = ""  # text: the characters it stands for; a tag: its name (lowercase)


@dataclass
class _Cue:
    ordinal: int  # 1-based, in file order
    line: int  # 1-based line number of the timing line
    start_ms: int
    end_ms: int
    settings: str
    payload: list[_Line]
    eol: str  # the line ending its changed text is written with
    lines: list[list[_Token]] = field(default_factory=list)

    @property
    def span(self) -> tuple[int, int] | None:
        """Offsets of the cue text (first line's start to the last line's end, its line ending excluded)."""
        return (self.payload[0].start, self.payload[-1].stop) if self.payload else None


@dataclass(frozen=True)
class _Atom:
    """The data of a mark: what it writes (*raw*), the paragraph's cue it belongs to, whether it stood before any
    text of that cue (*lead*: it goes back to the cue's start)."""

    kind: str  # "cue" (a cue boundary) | "dash" (a dialogue line's dash) | "raw" (a tag or code kept as is)
    raw: str
    cue: int  # index of the cue in its paragraph
    lead: bool = False
    glued: bool = False  # text follows it without a space: none is written after it
    trail: bool = False  # it stood after all text of its cue: it goes back to the cue's end


@dataclass
class _Paragraph:
    cues: list[_Cue]
    tagged: TaggedParagraph
    closes: dict[int, str | None]  # span → the source of its closing tag (None: closed by the end of its cue)
    german: list[list[list[tuple[str, str]]]]  # per cue, the normalised German (see _Writer.cue_groups)
    block: Block | None = None


def _decode(data: bytes, name: str) -> tuple[str, str, bytes]:
    """The text, the codec to write it back with and the byte-order mark it had."""
    bom, codec, body = b"", "utf-8", data
    for mark, name_of_codec in _BOMS:
        if data.startswith(mark):
            bom, codec, body = mark, name_of_codec, data[len(mark) :]
            break
    try:
        text = body.decode(codec)
    except UnicodeDecodeError as exc:
        line = body[: exc.start].count(b"\n") + 1
        hint = (
            "Save the subtitles as UTF-8 (e.g. iconv -f windows-1252 -t utf-8 in.srt > out.srt) and try again."
            if codec == "utf-8"
            else f"Re-save it as UTF-8 or valid {codec.upper()}."
        )
        raise InputError(
            f"{name}: line {line}: not valid {codec.upper()} (byte 0x{body[exc.start]:02x}). {hint}"
        ) from exc
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise InputError(
            f"{name}: line {line}: a NUL character; this is not a subtitle file. Give an .srt or .vtt file."
        )
    return text, codec, bom


def _split_lines(text: str) -> list[_Line]:
    out, pos = [], 0
    for match in _EOL.finditer(text):
        out.append(_Line(pos, match.start(), match.end()))
        pos = match.end()
    if pos < len(text):
        out.append(_Line(pos, len(text), len(text)))
    return out


def _ms(hours: str | None, minutes: str, seconds: str, fraction: str) -> int | None:
    """Milliseconds, or None when minutes or seconds are out of range."""
    if int(minutes) > 59 or int(seconds) > 59:
        return None
    return ((int(hours or 0) * 60 + int(minutes)) * 60 + int(seconds)) * 1000 + int(fraction.ljust(3, "0"))


class _Reader:
    """The structure of one file: its cues with their text's offsets; errors with file and line."""

    def __init__(self, text: str, name: str, fmt: str) -> None:
        self.text = text
        self.name = name
        self.fmt = fmt
        self.lines = _split_lines(text)
        self.cues: list[_Cue] = []
        self.warnings: list[str] = []
        if fmt == "vtt":
            self._read_vtt()
        else:
            self._read_srt()
        for cue in self.cues:
            cue.lines = [self._tokens(line.of(text)) for line in cue.payload]

    def fail(self, index: int, message: str) -> InputError:
        return InputError(f"{self.name}: line {index + 1}: {message}")

    def _blank(self, index: int) -> bool:
        """An empty line ends a block; in SRT a line of spaces does too (WebVTT keeps it as cue text)."""
        line = self.lines[index].of(self.text)
        return not line if self.fmt == "vtt" else not line.strip()

    def _show(self, index: int) -> str:
        line = self.lines[index].of(self.text).strip()
        return repr(line if len(line) <= 60 else line[:57] + "...")

    def _eol(self, lines: Sequence[_Line]) -> str:
        for line in lines:
            if line.end > line.stop:
                return self.text[line.stop : line.end]
        found = _EOL.search(self.text)
        return found.group() if found else "\n"

    def _read_srt(self) -> None:
        lines, n, i = self.lines, len(self.lines), 0
        while i < n:
            if self._blank(i):
                i += 1
                continue
            first = self.lines[i].of(self.text)
            if _SRT_INDEX.match(first):
                if i + 1 >= n or self._blank(i + 1):
                    raise self.fail(
                        i,
                        f"cue number {first.strip()} has no timing line after it. "
                        "Each cue is a number, a line 'HH:MM:SS,mmm --> HH:MM:SS,mmm', its text and a "
                        "blank line.",
                    )
                i += 1
            elif "-->" not in first:
                raise self.fail(
                    i,
                    f"expected a cue number or a timing line, found {self._show(i)}. Each cue is a "
                    "number, a line 'HH:MM:SS,mmm --> HH:MM:SS,mmm', its text and a blank line.",
                )
            timing = lines[i].of(self.text)
            match = _SRT_TIMING.match(timing)
            if not match:
                raise self.fail(
                    i,
                    f"broken timing line {self._show(i)}. Write it as "
                    "'HH:MM:SS,mmm --> HH:MM:SS,mmm' (e.g. 00:01:02,500 --> 00:01:04,000).",
                )
            start, end = _ms(*match.group(1, 2, 3, 4)), _ms(*match.group(5, 6, 7, 8))
            self._add_cue(i, start, end, match.group(9) or "")
            i += 1
            payload = []
            while i < n and not self._blank(i):
                line = lines[i].of(self.text)
                if _SRT_TIMING.match(line) or (
                    _SRT_INDEX.match(line) and i + 1 < n and _SRT_TIMING.match(lines[i + 1].of(self.text))
                ):
                    raise self.fail(
                        i,
                        f"a new cue starts inside the text of cue {len(self.cues)}: a blank line is "
                        f"missing before line {i + 1}. Insert one.",
                    )
                if "-->" in line and _TIMING_LIKE.match(line):
                    raise self.fail(
                        i,
                        f"broken timing line {self._show(i)} inside the text of cue "
                        f"{len(self.cues)}. Fix it and separate the cues with a blank line.",
                    )
                payload.append(lines[i])
                i += 1
            self._finish_cue(payload)

    def _read_vtt(self) -> None:
        lines, n = self.lines, len(self.lines)
        if not n or not _VTT_FIRST.match(lines[0].of(self.text)):
            raise self.fail(
                0,
                "a WebVTT file starts with the line 'WEBVTT'; this one does not. Add it (and a blank "
                "line) at the top, or translate the file with --format srt if it is SubRip.",
            )
        i = 1
        while i < n and not self._blank(i):  # header lines (old metadata such as "Kind: captions")
            if "-->" in lines[i].of(self.text):
                raise self.fail(
                    i, "a cue right after the WEBVTT header: a blank line is missing before it. Insert one."
                )
            i += 1
        while i < n:
            if self._blank(i):
                i += 1
                continue
            block = i
            while i < n and not self._blank(i):
                i += 1
            first = lines[block].of(self.text)
            if _VTT_NOTE.match(first) or _VTT_HEAD_BLOCK.match(first):
                continue
            if "-->" in first:
                timing = block
            elif block + 1 < i and "-->" in lines[block + 1].of(self.text):
                timing = block + 1
            else:
                # WebVTT's parser skips such a block, so players never show it: kept as it is, and said
                self.warnings.append(
                    f"line {block + 1}: {self._show(block)} is not in a cue (WebVTT players skip it), kept as it is; "
                    "if it belongs to the cue above, remove the blank line before it"
                )
                continue
            match = _VTT_TIMING.match(lines[timing].of(self.text))
            if not match:
                raise self.fail(
                    timing,
                    f"broken timing line {self._show(timing)}. Write it as "
                    "'hh:mm:ss.ttt --> hh:mm:ss.ttt' (e.g. 00:01:02.500 --> 00:01:04.000).",
                )
            start, end = _ms(*match.group(1, 2, 3, 4)), _ms(*match.group(5, 6, 7, 8))
            self._add_cue(timing, start, end, match.group(9) or "")
            for k in range(timing + 1, i):
                if "-->" in lines[k].of(self.text):
                    raise self.fail(
                        k,
                        f"a new cue starts inside the text of cue {len(self.cues)}: a blank line is "
                        f"missing before line {k + 1}. Insert one.",
                    )
            self._finish_cue(lines[timing + 1 : i])

    def _add_cue(self, index: int, start: int | None, end: int | None, settings: str) -> None:
        if start is None or end is None:
            raise self.fail(
                index, f"broken timing line {self._show(index)}: minutes and seconds run from 00 to 59. Fix the time."
            )
        if end < start:
            raise self.fail(index, f"the cue ends before it starts ({self._show(index)}). Fix its times.")
        self.cues.append(_Cue(len(self.cues) + 1, index + 1, start, end, settings.strip(), [], ""))

    def _finish_cue(self, payload: Sequence[_Line]) -> None:
        cue = self.cues[-1]
        cue.payload = list(payload)
        timing = self.lines[cue.line - 1]
        cue.eol = self._eol([*payload, timing])

    def _tokens(self, line: str) -> list[_Token]:
        """A cue line as text and markup tokens (WebVTT character references read as characters)."""
        out: list[_Token] = []
        pos = 0
        for match in _MARKUP.finditer(line):
            if match.start() > pos:
                out.append(self._text_token(line[pos : match.start()]))
            raw = match.group()
            pos = match.end()
            name = _TAG_NAME.match(raw)
            if raw.startswith("{") or name is None or name.group(1).lower() == "v":
                out.append(_Token("atom", raw))  # an ASS code, a timestamp, a voice (<v Anna> stays at its cue's start)
            elif raw.startswith("</"):
                out.append(_Token("close", raw, name.group(1).lower()))
            elif name.group(1).lower() in _VOID or raw.endswith("/>"):
                out.append(_Token("atom", raw))
            else:
                out.append(_Token("open", raw, name.group(1).lower()))
        if pos < len(line):
            out.append(self._text_token(line[pos:]))
        return out

    def _text_token(self, raw: str) -> _Token:
        return _Token("text", raw, html.unescape(raw) if self.fmt == "vtt" else raw)


# ----------------------------------------------------------------------------------------------- paragraphs


def _plain(cue: _Cue) -> str:
    return " ".join("".join(t.value for t in line if t.kind == "text") for line in cue.lines).strip()


def _voices(cue: _Cue) -> list[str]:
    return [m.group(1).strip() for line in cue.lines for t in line if (m := _VOICE.match(t.raw))]


def _dialogue(line: Sequence[_Token]) -> bool:
    for token in line:
        if token.kind == "text":
            return bool(token.value.strip()) and bool(_DASH.match(token.value.lstrip()))
    return False


def _joins(cue: _Cue, following: _Cue, count: int) -> bool:
    """Whether *following* continues the paragraph that *cue* (its *count*-th cue) is in."""
    if count >= MAX_CUES or not following.lines or not _plain(following):
        return False
    if _SENTENCE_END.search(_plain(cue)) or _SOUND.fullmatch(_plain(cue)) or _SOUND.fullmatch(_plain(following)):
        return False
    gap = following.start_ms - cue.end_ms
    if gap < 0 or gap > GAP_MS:
        return False
    if _dialogue(following.lines[0]) or cue.settings != following.settings:
        return False
    mine, theirs = _voices(cue), _voices(following)
    return not (mine and theirs and mine[-1] != theirs[0])


def _paragraphs(cues: Sequence[_Cue]) -> list[list[_Cue]]:
    out: list[list[_Cue]] = []
    current: list[_Cue] = []
    for cue in cues:
        if not cue.lines or not _plain(cue):
            if current:
                out.append(current)
                current = []
            continue
        if current and not _joins(current[-1], cue, len(current)):
            out.append(current)
            current = []
        current.append(cue)
    if current:
        out.append(current)
    return out


def _build(cues: Sequence[_Cue]) -> tuple[TaggedParagraph, dict[int, str | None]]:
    """The tagged paragraph of *cues*: text, spans for paired tags, atoms for the rest (module docstring)."""
    builder = TaggedBuilder()
    closes: dict[int, str | None] = {}
    spaced = [True]  # the model's text so far ends in a space (or is empty): no separator needed

    def text(value: str) -> None:
        builder.text(value)
        spaced[0] = value[-1].isspace()

    def separator() -> None:  # a line break or a cue boundary is one space for the model
        if not spaced[0]:
            text(" ")

    for k, cue in enumerate(cues):
        if k:
            builder.atom("cue", _Atom("cue", "", k))
            separator()
        stack: list[tuple[int, str]] = []
        seen_text = False
        for j, line in enumerate(cue.lines):
            tokens = list(line)
            # strip the line's outer whitespace (a line break is one space for the model)
            texts = [i for i, t in enumerate(tokens) if t.kind == "text"]
            if texts:
                a, b = texts[0], texts[-1]
                tokens[a] = _Token("text", tokens[a].raw, tokens[a].value.lstrip())
                tokens[b] = _Token("text", tokens[b].raw, tokens[b].value.rstrip())
            dash = None
            if _dialogue(line):
                first = next(i for i, t in enumerate(tokens) if t.kind == "text")
                match = _DASH.match(tokens[first].value)
                assert match is not None
                dash = match.group()
                tokens[first] = _Token("text", tokens[first].raw, tokens[first].value[match.end() :])
                # atoms before the dash stay before it; opening tags before it come after it
                for token in tokens[:first]:
                    if token.kind != "open":
                        builder.atom("code", _Atom("raw", token.raw, k, not seen_text))
                builder.atom("dash", _Atom("dash", dash, k, j == 0 and not seen_text))
                separator()
                tokens = [t for t in tokens[:first] if t.kind == "open"] + tokens[first:]
            elif j:
                separator()
            for index, token in enumerate(tokens):
                # text follows without a space (the first character of text after it, tags skipped)
                after = next((t.value for t in tokens[index + 1 :] if t.kind == "text" and t.value), "")
                glued = bool(after) and not after[0].isspace()
                if token.kind == "text":
                    if token.value:
                        text(token.value)
                        seen_text = seen_text or bool(token.value.strip())
                elif token.kind == "open":
                    span = builder.open(token.value, token.raw)
                    closes[span] = None
                    stack.append((span, token.value))
                elif token.kind == "close" and stack and stack[-1][1] == token.value:
                    span = stack.pop()[0]
                    builder.close(span)
                    closes[span] = token.raw
                else:
                    trail = not any(t.kind == "text" and t.value.strip() for t in tokens[index + 1 :]) and not any(
                        t.kind == "text" and t.value.strip() for later in cue.lines[j + 1 :] for t in later
                    )
                    builder.atom("code", _Atom("raw", token.raw, k, not seen_text, glued, seen_text and trail))
        while stack:
            builder.close(stack.pop()[0])
    return builder.build(), closes


# ----------------------------------------------------------------------------------------------- writing


class _Writer:
    """The English of one paragraph back into its cues (see the module docstring)."""

    def __init__(self, paragraph: _Paragraph, vtt: bool) -> None:
        self.p = paragraph
        self.vtt = vtt
        self.notes: list[str] = []

    def cue_groups(self, rendered: str) -> list[list[list[tuple[str, str]]]] | None:
        """Per cue, its dialogue groups (text before the first dash, then each dash's line), each a list of
        ("t", text) / ("r", raw markup) / ("d", dash) pieces with whitespace normalised. None: the cue boundaries
        came back out of order."""
        items: list[str | Mark] = []
        for item in self.p.tagged.decode(rendered):
            if isinstance(item, str):
                items.extend(re.findall(r"\s+|\S+", item))
            else:
                items.append(item)
        boundaries = [x.data.cue for x in items if isinstance(x, Mark) and x.kind == "atom" and x.data.kind == "cue"]
        if boundaries != list(range(1, len(self.p.cues))):
            return None
        items = self._give_words(items)
        items = self._punctuation_back(items)
        items = self._home_atoms(items)
        cues: list[list[tuple[str, str]]] = [[]]
        stack: list[Mark] = []
        glued = False  # the last atom was glued to the text after it in German: no space after it
        for item in items:
            if isinstance(item, str):
                if not (glued and item.isspace()):
                    cues[-1].append(("t", item))
                glued = False
                continue
            if item.kind != "open":
                glued = False
            if item.kind == "open":
                stack.append(item)
                cues[-1].append(("r", item.data))
            elif item.kind == "close":
                if stack and stack[-1].span == item.span:
                    stack.pop()
                else:
                    stack = [m for m in stack if m.span != item.span]
                close = self.p.closes.get(item.span)
                if close is not None:
                    cues[-1].append(("r", close))
            elif item.data.kind == "cue":
                for mark in reversed(stack):  # spans the English carries over the boundary: closed, opened again
                    close = self.p.closes.get(mark.span)
                    if close is not None:
                        cues[-1].append(("r", close))
                cues.append([("r", mark.data) for mark in stack])
            elif item.data.kind == "dash":
                cues[-1].append(("d", item.data.raw))
            else:
                cues[-1].append(("r", item.data.raw))
                glued = item.data.glued
        return [self._groups(pieces) for pieces in cues]

    @staticmethod
    def _is_cue(item: str | Mark) -> bool:
        return isinstance(item, Mark) and item.kind == "atom" and item.data.kind == "cue"

    def _give_words(self, items: list[str | Mark]) -> list[str | Mark]:
        """Move cue boundaries by whole words so that each cue has at least one word, where there are enough."""
        words = [i for i, x in enumerate(items) if isinstance(x, str) and any(ch.isalnum() for ch in x)]
        count = len(self.p.cues)
        if len(words) < count or count < 2:
            return items
        cuts = [i for i, x in enumerate(items) if self._is_cue(x)]
        before = [sum(1 for w in words if w < c) for c in cuts]  # words before each boundary
        wanted = list(before)
        for k in range(len(wanted)):
            wanted[k] = max(wanted[k], (wanted[k - 1] if k else 0) + 1)
        for k in range(len(wanted) - 1, -1, -1):
            wanted[k] = min(wanted[k], (wanted[k + 1] if k + 1 < len(wanted) else len(words)) - 1)
        if wanted == before:
            return items
        self.notes.append("a cue boundary moved by whole words so that every cue has a word")
        marks = [items[c] for c in cuts]
        rest = [x for x in items if not self._is_cue(x)]
        words = [i for i, x in enumerate(rest) if isinstance(x, str) and any(ch.isalnum() for ch in x)]
        out: list[str | Mark] = []
        inserts: dict[int, list[str | Mark]] = {}
        for mark, n in zip(marks, wanted, strict=True):
            at = words[n - 1] + 1
            while at < len(rest) and isinstance(rest[at], Mark) and rest[at].kind == "close":  # type: ignore[union-attr]
                at += 1
            inserts.setdefault(at, []).append(mark)
        for i, x in enumerate(rest):
            out.extend(inserts.get(i, []))
            out.append(x)
        out.extend(inserts.get(len(rest), []))
        return out

    def _punctuation_back(self, items: list[str | Mark]) -> list[str | Mark]:
        """Punctuation the English puts right after a cue boundary (", and so") ends the cue before it."""
        out = list(items)
        for index in range(len(out)):
            if not self._is_cue(out[index]):
                continue
            at = index
            while at + 1 < len(out):
                after = out[at + 1]
                if not (isinstance(after, str) and _CLOSING_PUNCTUATION.fullmatch(after)):
                    break
                out[at], out[at + 1] = after, out[at]
                at += 1
        return out

    def _home_atoms(self, items: list[str | Mark]) -> list[str | Mark]:
        """Every atom back in its own cue; one that stood before its cue's text at the cue's start."""
        order = {id(mark): index for index, mark in enumerate(self.p.tagged.marks)}

        def movable(x: str | Mark) -> bool:
            return isinstance(x, Mark) and x.kind == "atom" and x.data.kind != "cue"

        segments: list[list[str | Mark]] = [[]]
        for item in items:
            if self._is_cue(item):
                segments.append([item])
            else:
                segments[-1].append(item)
        strays: list[tuple[Mark, int]] = []  # (atom, the cue it landed in)
        for k, segment in enumerate(segments):
            keep: list[str | Mark] = []
            for item in segment:
                if (
                    isinstance(item, Mark)
                    and movable(item)
                    and (item.data.cue != k or item.data.lead or item.data.trail)
                ):
                    if item.data.cue != k:
                        self.notes.append("markup of a cue moved back into that cue")
                    strays.append((item, k))
                else:
                    keep.append(item)
            segments[k] = keep
        for mark, landed in sorted(strays, key=lambda pair: order[id(pair[0])]):
            k = mark.data.cue
            segment = segments[k]
            head = 1 if k else 0  # after the boundary that opens the cue
            while head < len(segment) and isinstance(segment[head], Mark) and movable(segment[head]):
                head += 1
            if mark.data.lead or (landed < k and not mark.data.trail):
                segment.insert(head, mark)
            else:
                segment.append(mark)  # it stood at its cue's end, or landed in a later cue: to the end of its own
        return [x for segment in segments for x in segment]

    @staticmethod
    def _groups(pieces: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
        """Split at dashes; merge text; whitespace runs to one space; no space at a group's edges."""
        groups: list[list[tuple[str, str]]] = [[]]
        for kind, value in pieces:
            if kind == "d":
                groups.append([("d", value)])
            elif kind == "t" and groups[-1] and groups[-1][-1][0] == "t":
                groups[-1][-1] = ("t", groups[-1][-1][1] + value)
            else:
                groups[-1].append((kind, value))
        out = []
        for group in groups:
            group = [(k, re.sub(r"\s+", " ", v)) if k == "t" else (k, v) for k, v in group]
            texts = [i for i, (k, _) in enumerate(group) if k == "t"]
            for i in texts:  # no space before the group's first word (markup before it skipped)
                group[i] = ("t", group[i][1].lstrip())
                if group[i][1]:
                    break
            for i in reversed(texts):  # nor after its last
                group[i] = ("t", group[i][1].rstrip())
                if group[i][1]:
                    break
            out.append([(k, v) for k, v in group if k != "t" or v])
        # markup before the first dash with no text of its own (such as {\an8}) starts the dash's line
        merged: list[list[tuple[str, str]]] = []
        carry: list[tuple[str, str]] = []
        for index, group in enumerate(out):
            group = carry + group
            carry = []
            if index + 1 < len(out) and not any(k == "t" for k, _ in group):
                carry = group
                continue
            merged.append(group)
        return merged

    def payload(self, groups: list[list[tuple[str, str]]], cue: _Cue, german_lines: list[int]) -> str:
        """A cue's new text: each group wrapped into its German line count, lines joined with the cue's ending."""
        lines: list[str] = []
        for index, group in enumerate(groups):
            if not group:
                continue
            wanted = german_lines[index] if index < len(german_lines) else 1
            lines.extend(self._wrap(group, max(wanted, 1)))
        return cue.eol.join(lines)

    def _wrap(self, group: list[tuple[str, str]], wanted: int) -> list[str]:
        tokens: list[tuple[str, int, bool]] = []  # (text to write, visible length, a place to break)
        for kind, value in group:
            if kind == "t":
                for part in re.findall(r" |[^ ]+", value):
                    shown = self._escape(part)
                    tokens.append((shown, len(part), part == " "))
            else:
                tokens.append((value, 0 if kind == "r" else len(value), False))
        visible = sum(length for _, length, _ in tokens)
        breaks = [i for i, (_, _, br) in enumerate(tokens) if br]
        if wanted == 1 and visible > LINE_CHARS:
            wanted = 2
        if visible <= SHORT_CHARS:
            wanted = 1
        wanted = min(wanted, len(breaks) + 1)
        chosen = self._best_breaks(tokens, breaks, wanted)
        lines: list[str] = []
        current: list[str] = []
        for i, (shown, _, _) in enumerate(tokens):
            if i in chosen:
                lines.append("".join(current))
                current = []
            else:
                current.append(shown)
        lines.append("".join(current))
        return lines

    @staticmethod
    def _best_breaks(tokens: list[tuple[str, int, bool]], breaks: list[int], wanted: int) -> set[int]:
        if wanted <= 1:
            return set()
        prefix = [0]
        for _, length, _ in tokens:
            prefix.append(prefix[-1] + length)

        def cost(cut: Sequence[int]) -> tuple[int, int]:
            edges = [0, *cut, len(tokens)]
            lengths = [prefix[b] - prefix[a] - (1 if a else 0) for a, b in itertools.pairwise(edges)]
            return max(lengths), -lengths[-1]  # the longest line as short as can be; then a longer bottom line

        options = itertools.combinations(breaks, wanted - 1)
        best = min(itertools.islice(options, 20000), key=cost)
        return set(best)

    def _escape(self, text: str) -> str:
        if self.vtt:
            return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return text


def _has_text(groups: list[list[tuple[str, str]]]) -> bool:
    return any(kind in ("t", "d") and value.strip() for group in groups for kind, value in group)


def _german_lines(cue: _Cue) -> list[int]:
    """Line counts of a cue's dialogue groups (the lines before its first dialogue line, then each speaker's); a
    group without text joins the next one, as in :meth:`_Writer._groups`."""
    groups: list[tuple[int, bool]] = [(0, False)]  # (lines, has text)
    for line in cue.lines:
        if _dialogue(line):
            groups.append((0, False))
        count, text = groups[-1]
        groups[-1] = (count + 1, text or any(t.kind == "text" and bool(t.value.strip()) for t in line))
    counts: list[int] = []
    for index, (count, text) in enumerate(groups):
        if index + 1 < len(groups) and not text:
            continue
        counts.append(count)
    return counts


# ----------------------------------------------------------------------------------------------- the source


class SubtitleSource:
    """An opened subtitle file (see the module docstring)."""

    def __init__(self, data: bytes, name: str, fmt: str) -> None:
        self.name = name
        self.fmt = fmt
        self.warnings: list[str] = []
        self.text, self._codec, self._bom = _decode(data, name)
        reader = _Reader(self.text, name, fmt)
        self.cues = reader.cues
        self.warnings.extend(reader.warnings)
        self._new: dict[int, str] = {}  # cue ordinal → its new text
        self._paragraphs: list[_Paragraph] = []
        for cues in _paragraphs(self.cues):
            try:
                tagged, closes = _build(cues)
            except ValueError as exc:
                raise InputError(f"{name}: line {cues[0].line}: {exc}. Split the cue.") from exc
            paragraph = _Paragraph(cues, tagged, closes, [])
            groups = _Writer(paragraph, fmt == "vtt").cue_groups(tagged.source)
            assert groups is not None  # the German's own boundaries are in order
            paragraph.german = groups
            paragraph.block = Block(tagged, f"cue {cues[0].ordinal}", len(self._paragraphs))
            self._paragraphs.append(paragraph)

    def blocks(self) -> Iterator[Block]:
        for paragraph in self._paragraphs:
            assert paragraph.block is not None
            yield paragraph.block

    def put(self, block: Block, rendered: str) -> None:
        paragraph = self._paragraphs[block.key]
        writer = _Writer(paragraph, self.fmt == "vtt")
        groups = writer.cue_groups(rendered)
        where = f"cue {paragraph.cues[0].ordinal}"
        if groups is None:
            self.warnings.append(f"{where}: kept in German (the cue boundaries came back out of order)")
            return
        pairs = list(zip(groups, paragraph.german, strict=True))
        if any(_has_text(german) and not _has_text(english) for english, german in pairs):
            # never an empty cue: English too short to give each cue a word keeps the German, said on stderr
            self.warnings.append(f"{where}: kept in German (the English has too few words to give each cue one)")
            return
        for cue, english, german in zip(paragraph.cues, groups, paragraph.german, strict=True):
            if english == german:
                self._new.pop(cue.ordinal, None)
            else:
                self._new[cue.ordinal] = writer.payload(english, cue, _german_lines(cue))
        self.warnings.extend(f"{where}: {note}" for note in dict.fromkeys(writer.notes))

    def dump(self) -> bytes:
        out: list[str] = []
        pos = 0
        for cue in self.cues:
            new = self._new.get(cue.ordinal)
            span = cue.span
            if new is None or span is None:
                continue
            out.append(self.text[pos : span[0]])
            out.append(new)
            pos = span[1]
        out.append(self.text[pos:])
        return self._bom + "".join(out).encode(self._codec)
