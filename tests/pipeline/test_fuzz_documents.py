"""Fuzzing the document path (issue 11): whatever the bytes of an input file, reading gives text or a one-line
error, splitting loses nothing (the skeleton plus the sentences is the input, byte for byte), and the whole
pipeline with an engine that echoes its input gives the input back — so no character is ever dropped, doubled or
moved by splitting, long-segment cutting, Markdown protection or re-assembly."""

from __future__ import annotations

import contextlib

import pytest
from fakes import FakeEngine
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from glossator.common.errors import InputFileError
from glossator.common.fileio import decode_text
from glossator.common.settings import Settings
from glossator.translate.documents import read_document
from glossator.translate.engine import Hypothesis
from glossator.translate.pipeline import DocumentInput, translate_documents

pytestmark = pytest.mark.slow  # the fuzz budget (about 700 generated documents), not the fast lane

FUZZ = settings(
    max_examples=120, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

# Text made of what the document readers care about: sentence ends, line ends of every kind (including the ones
# Python's splitlines also breaks at), Markdown syntax, URLs, code fences, tables, German words, odd characters.
pieces = st.sampled_from(
    ["Der Staat handelt", ". ", "! ", "? ", "…", "\n", "\n\n", "\r\n", "\r", "\x85", "\u2028", "\x0c", "\t", "  ",
     "# ", "## ", "- ", "* ", "1. ", "> ", "```\n", "    code()\n", "`x`", "**fett**", "_kursiv_", "[Link](http://a.de/x)",
     "![Bild](b.png)", "| a | b |\n", "|---|---|\n", "https://example.org/a?b=c", "<br>", "Dr. ", "z. B. ", "usw.",
     "Straße", "ÄÖÜ", "\u00a0", "\u200b", "\ufeff", "😀", "\x00", "1.5", "„Zitat“", " ", ",", ":", "-", "wort"]
)  # fmt: skip
documents = st.lists(pieces, max_size=80).map("".join)
# Over-long sentences: one word or comma-separated clauses repeated past the 600-character cut.
long_sentences = st.builds(
    lambda word, n, sep: sep.join([word] * n) + ".",
    st.sampled_from(["Wort", "Staatsangehörigkeitsgesetz", "a", "x" * 700]),
    st.integers(min_value=100, max_value=400),
    st.sampled_from([" ", ", ", "; ", "", " - "]),
)


class EchoEngine(FakeEngine):
    """Translates every sentence to itself, exactly (FakeEngine's own output is rebuilt from word pieces)."""

    def translate(self, sentences, **options):  # type: ignore[no-untyped-def, override]
        self.calls.append(list(sentences))
        return [[Hypothesis(text=s, score=0.0, tokens=tuple(self.text_to_pieces(s)))] for s in sentences]


def _pipeline(text: str, fmt: str) -> str:
    settings = Settings.from_env(use_cache=False)
    [result] = translate_documents([DocumentInput("d", text, fmt)], settings, engine=EchoEngine())
    return result.text


@FUZZ
@given(text=documents, fmt=st.sampled_from(["txt", "lines", "md"]))
@example(text="a\x85b\u2028c\r\nd\re", fmt="txt")
@example(text="\u200b", fmt="txt")  # found by this test: SoMaJo's empty sentence for a lone zero-width space crashed
def test_splitting_loses_nothing(text: str, fmt: str) -> None:
    document = read_document(text, fmt)
    assert document.render(document.segments) == text
    assert all(segment.strip() for segment in document.segments)


@FUZZ
@given(text=documents, fmt=st.sampled_from(["txt", "lines", "md"]))
def test_the_pipeline_gives_back_what_an_echoing_engine_returns(text: str, fmt: str) -> None:
    assert _pipeline(text, fmt) == text


@FUZZ
@given(sentence=long_sentences, fmt=st.sampled_from(["txt", "md"]))
def test_over_long_sentences_are_cut_and_joined_without_loss(sentence: str, fmt: str) -> None:
    text = f"Vorher.\n\n{sentence}\n\nNachher.\n"
    out = _pipeline(text, fmt)
    # The cut parts are joined with the whitespace they were cut at: every character is back.
    assert out.split() == text.split()
    assert len(out) >= len(text) - text.count(" ")


@FUZZ
@given(data=st.binary(max_size=400), encoding=st.sampled_from(["utf-8", "latin-1", "utf-16", "cp1252"]))
@example(data=b"\xff\xfe\x00", encoding="utf-8")  # a UTF-16 byte-order mark with an odd byte after it
@example(data=b"\xef\xbb\xbf\xef\xbb\xbf", encoding="utf-8")
def test_any_bytes_read_as_text_or_a_one_line_error(data: bytes, encoding: str) -> None:
    with contextlib.suppress(InputFileError):
        text = decode_text(data, "in.txt", encoding=encoding)
        assert isinstance(text, str)
        return
    with pytest.raises(InputFileError) as caught:
        decode_text(data, "in.txt", encoding=encoding)
    assert "\n" not in str(caught.value) and str(caught.value).startswith("in.txt: ")
