"""The marks of tagged paragraphs (translate/tagged.py): one character of Unicode's Supplementary Private Use
Area-A per piece of inline markup, and the check a projected sentence must pass. Imports nothing of the
translation path, so translate.inline (which projects) and translate.tagged (which builds) both use it."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

MARK_FIRST = 0xF0000  # Supplementary Private Use Area-A: 65,534 marks per paragraph
MARK_LAST = 0xFFFFD
_FIRST, _LAST = chr(MARK_FIRST), chr(MARK_LAST)
MARKS = re.compile(f"[{_FIRST}-{_LAST}]")  # any mark (each is one character)


def is_mark(ch: str) -> bool:
    """Whether the character *ch* is a mark (compared as strings: no ``ord`` call; called for every character)."""
    return _FIRST <= ch <= _LAST


def strip_marks(text: str) -> str:
    return MARKS.sub("", text)


def marks_ok(events: Sequence[Any], rendered: str) -> bool:
    """The check of a projected tagged sentence (*events*: its ``translate.inline.Event`` s): each of its marks
    exactly once, spans properly nested (a span opened in an earlier sentence encloses what comes before its close,
    one closed later what follows its open)."""
    expected = sorted(ev.src[ev.lead :] for ev in events)
    seen = [ch for ch in rendered if is_mark(ch)]
    if sorted(seen) != expected:
        return False
    by_mark = {ev.src[ev.lead :]: ev for ev in events}
    opens = {ev.span for ev in events if ev.kind == "open"}
    closes = {ev.span for ev in events if ev.kind == "close"}
    stack = [ev.span for ev in reversed(events) if ev.kind == "close" and ev.span not in opens]
    for ch in seen:
        ev = by_mark[ch]
        if ev.kind == "open":
            stack.append(ev.span)
        elif ev.kind == "close":
            if not stack or stack[-1] != ev.span:
                return False
            stack.pop()
    return stack == [ev.span for ev in events if ev.kind == "open" and ev.span not in closes]
