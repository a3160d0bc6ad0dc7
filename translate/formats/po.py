"""gettext PO catalogues whose msgids are German: each untranslated entry's msgid (and msgid_plural) is translated
into its msgstr (msgstr[0], msgstr[1]) and the entry is marked ``fuzzy`` — machine output for a translator to
review, which gettext does not use until the mark is removed.

- Parsed and validated with **polib** (the well-kept PO library): a syntax error is a one-line error with its line.
- The catalogue must be German → English: a ``Language`` header other than ``en``/``en_*`` (a ``de.po`` holds
  German *translations* of a foreign source) is refused; a template (``.pot``, no Language) becomes English
  (``Language: en``, English ``Plural-Forms``, ``CHARSET`` → ``UTF-8``).
- Entries that already have a msgstr (translated or fuzzy), obsolete entries, the header's comments and every line
  of every untouched entry stay byte for byte: only a filled entry's lines are written again (by polib, with the
  file's line endings), and the header's Language / Plural-Forms / charset lines.
- Inside a msgid, placeholders are atoms the model never sees and the English must hold exactly once each:
  printf (``%s``, ``%d``, ``%1$s``, ``%(name)s`` — for ``c-format``, ``python-format`` and unflagged entries),
  braces (``{name}``, ``{0}`` — ``python-brace-format`` and unflagged entries), and HTML-like tags (paired
  ``<b>…</b>`` as spans, others as atoms). ``msgfmt --check`` passes on the result (tested).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from glossator.common.errors import InputError
from glossator.translate.documents import Block
from glossator.translate.formats.html import ascii_compatible
from glossator.translate.tagged import TaggedBuilder, TaggedParagraph

_PRINTF = (
    r"%(?:\d+\$|\([A-Za-z_][A-Za-z0-9_]*\))?[-#0 +']*(?:\d+|\*)?(?:\.(?:\d+|\*))?"
    r"(?:hh|h|ll|l|L|q|j|z|t)?[diouxXeEfFgGaAcsrp%]"
)
_BRACE = r"\{[A-Za-z0-9_]*(?:[.\[][^{}]*)?(?:![rsa])?(?::[^{}]*)?\}"
_TAG = r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>"
_CHARSET = re.compile(rb'"Content-Type:[^"]*charset=([A-Za-z0-9_.:-]+)', re.I)
_ENGLISH_PLURALS = "nplurals=2; plural=(n != 1);"


def _pattern(flags: list[str]) -> re.Pattern[str]:
    printf = not any(f.startswith("no-") and f.endswith("-format") for f in flags) or any(
        f in ("c-format", "python-format", "php-format", "perl-format", "sh-format") for f in flags
    )
    brace = "python-brace-format" in flags or not any(f.endswith("-format") for f in flags)
    parts = [_TAG, *([_PRINTF] if printf else []), *([_BRACE] if brace else [])]
    return re.compile("|".join(f"(?:{p})" for p in parts))


def _paragraph(text: str, flags: list[str]) -> TaggedParagraph:
    builder = TaggedBuilder()
    stack: list[tuple[str, int]] = []
    cursor = 0
    for match in _pattern(flags).finditer(text):
        builder.text(text[cursor : match.start()])
        token = match.group()
        cursor = match.end()
        tag = re.match(r"<(/?)([A-Za-z][A-Za-z0-9-]*)", token)
        if tag and not token.endswith("/>"):
            name = tag.group(2).lower()
            if not tag.group(1):
                stack.append((name, builder.open(name, token)))
                continue
            if stack and stack[-1][0] == name:
                builder.close(stack.pop()[1], token)
                continue
        builder.atom("ph", token)
    builder.text(text[cursor:])
    return builder.build()


def _decode(data: bytes, name: str) -> tuple[str, str]:
    """The catalogue's text and its encoding (from the header's charset; UTF-8 when it is the template's CHARSET)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    match = _CHARSET.search(data[:4096])
    encoding = match.group(1).decode("ascii") if match else "utf-8"
    if encoding.upper() == "CHARSET":
        encoding = "utf-8"
    if not ascii_compatible(encoding):  # unknown, or no charset for text (rot13, idna, UTF-7, UTF-16 …)
        raise InputError(
            f"{name}: the header declares charset {encoding!r}, which Python does not know as a charset for PO files "
            "(one that writes ASCII as ASCII); re-save the file as UTF-8."
        )
    try:
        return data.decode(encoding), encoding
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            f"{name}:{line}: bytes that are not {encoding} (the charset its header declares). Fix the header's "
            "charset or re-save the file in that encoding."
        ) from exc


class PoSource:
    def __init__(self, data: bytes, name: str) -> None:
        import polib

        self.name = name
        self.warnings: list[str] = []
        self.text, self.encoding = _decode(data, name)
        if data.startswith(b"\xef\xbb\xbf"):
            self.warnings.append("its UTF-8 byte-order mark is not written back: msgfmt rejects a PO file with one")
        self.newline = "\r\n" if "\r\n" in self.text else "\n"
        _check_strings(self.text, name)
        try:
            self.po = polib.pofile(self.text.replace("\r\n", "\n"), wrapwidth=78)
        except (OSError, ValueError) as exc:
            raise InputError(f"{name}: not a valid PO file: {exc}. Check it with `msgfmt --check {name}`.") from exc
        language = (self.po.metadata.get("Language") or "").strip()
        if language and not re.match(r"en(?:[_-]|$)", language, re.I):
            raise InputError(
                f"{name}: its Language header says {language!r}: its msgstr are {language} translations, so this is "
                "not a German→English catalogue. Translate the project's .pot (German msgids) or its en.po."
            )
        self.lines = self.text.replace("\r\n", "\n").split("\n")
        entries = sorted(self.po, key=lambda e: e.linenum)
        if not entries and not self.po.metadata:
            raise InputError(f"{name}: not a PO file (no msgid entries). Check it with `msgfmt --check {name}`.")
        self.entries = entries
        self._starts = [e.linenum - 1 for e in entries]
        self._todo = [e for e in entries if not e.obsolete and not e.translated() and not _has_msgstr(e)]
        self._done: dict[int, dict[str, str]] = {}  # entry index → "msgstr" / plural index → English
        self._paragraphs: dict[tuple[int, str], TaggedParagraph] = {}

    def blocks(self) -> Iterator[Block]:
        index = {id(e): i for i, e in enumerate(self.entries)}
        for entry in self._todo:
            i = index[id(entry)]
            texts = [("msgid", entry.msgid)]
            if entry.msgid_plural:
                texts.append(("msgid_plural", entry.msgid_plural))
            for field_name, text in texts:
                paragraph = _paragraph(text, entry.flags)
                yield Block(paragraph, f"msgid line {entry.linenum}", (i, field_name))

    def put(self, block: Block, rendered: str) -> None:
        i, field_name = block.key
        paragraph = block.paragraph
        assert isinstance(paragraph, TaggedParagraph)
        english = "".join(item if isinstance(item, str) else str(item.data) for item in paragraph.decode(rendered))
        self._done.setdefault(i, {})[field_name] = english

    def dump(self) -> bytes:
        out = list(self.lines)
        plural = False
        # replace filled entries from the end, so earlier line numbers stay valid
        for i in sorted(self._done, reverse=True):
            entry = self.entries[i]
            english = self._done[i]
            if entry.msgid_plural:
                plural = True
                entry.msgstr_plural = {0: english.get("msgid", ""), 1: english.get("msgid_plural", "")}
            else:
                entry.msgstr = english.get("msgid", "")
            if "fuzzy" not in entry.flags:
                entry.flags.append("fuzzy")
            start = self._starts[i]
            end = self._starts[i + 1] if i + 1 < len(self._starts) else len(out)
            while end > start and not out[end - 1].strip():
                end -= 1
            out[start:end] = entry.__unicode__(self.po.wrapwidth).rstrip("\n").split("\n")
        if self._done:  # a catalogue with nothing to fill comes back byte for byte
            header_end = self._starts[0] if self._starts else len(out)
            out[:header_end] = self._header(out[:header_end], plural or any(e.msgid_plural for e in self.entries))
        text = self.newline.join(out)
        try:
            return text.encode(self.encoding)
        except UnicodeEncodeError:
            self.warnings.append(
                f"the English holds characters {self.encoding} cannot; written as UTF-8 (charset in the header too)"
            )
            text = re.sub(r"(charset=)[A-Za-z0-9_.:-]+", r"\1UTF-8", text, count=1)
            return text.encode("utf-8")

    def _header(self, lines: list[str], plural: bool) -> list[str]:
        """The header lines with Language: en, English Plural-Forms (where plurals are used) and a real charset."""
        lines = list(lines)
        fields = [i for i, line in enumerate(lines) if re.match(r'\s*"[A-Za-z-]+:', line)]
        if not fields:
            return lines

        def set_field(name: str, value: str) -> None:
            for i in fields:
                if re.match(rf'\s*"{name}:', lines[i], re.I):
                    lines[i] = f'"{name}: {value}\\n"'
                    return
            last = fields[-1]
            lines.insert(last + 1, f'"{name}: {value}\\n"')
            fields.append(last + 1)

        set_field("Language", "en")
        if plural:
            current = self.po.metadata.get("Plural-Forms", "")
            if not re.search(r"nplurals\s*=\s*2\s*;\s*plural\s*=\s*\(?\s*n\s*!=\s*1\s*\)?", current):
                set_field("Plural-Forms", _ENGLISH_PLURALS)
        for i in fields:
            lines[i] = re.sub(r"(charset=)CHARSET", r"\1UTF-8", lines[i])
        return lines


_KEYWORD_LINE = re.compile(r'(?:#~\s*)?(?:#\|\s*)?(?:msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)?\s*"')
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"\s*\Z')


def _check_strings(text: str, name: str) -> None:
    """Every quoted string closed (polib reads ``msgid "abc`` as ``ab``): a syntax error with its line otherwise."""
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        match = _KEYWORD_LINE.match(stripped)
        if match and not _STRING.match(stripped[match.end() - 1 :]):
            raise InputError(
                f"{name}:{number}: not a valid PO file: an unterminated or malformed string. "
                f"Check it with `msgfmt --check {name}`."
            )


def _has_msgstr(entry: Any) -> bool:
    if entry.msgstr_plural:
        return any(entry.msgstr_plural.values())
    return bool(entry.msgstr)


def open_source(data: bytes, name: str, fmt: str = "po") -> PoSource:
    return PoSource(data, name)
