"""Tagged paragraphs (translate/tagged.py): the inline-markup mechanism of every structured format — marks held
apart from the text, projected onto the English by the alignment, checked by the marks, reported when placed by
position, and the German rendered back exactly. Engines: tests/fakes.py WordEngine (exact word alignment)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakes import WordEngine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glossator.common.settings import Settings
from glossator.glossary.model import Glossary, Term
from glossator.translate.documents import Block, read_blocks
from glossator.translate.inline import Event
from glossator.translate.pipeline import DocumentInput, translate_documents
from glossator.translate.tagged import MARK_FIRST, Mark, TaggedBuilder, TaggedParagraph, is_mark, marks_ok

WORDS = {
    "Bitte": "Please",
    "lies": "read",
    "die": "the",
    "Anleitung": "instructions",
    "bevor": "before",
    "du": "you",
    "das": "the",
    "Programm": "program",
    "installierst": "install",
    "Das": "This",
    "ist": "is",
    "ein": "a",
    "Satz": "sentence",
    "fett": "bold",
    "und": "and",
    "kursiv": "italic",
    "Führe": "Run",
    "aus": "",
    "Der": "The",
    "Dialog": "dialog",
    "beginnt": "begins",
    "heute": "today",
}


def _settings(tmp_path: Path) -> Settings:
    return Settings(packages_dir=tmp_path / "packages", cache_dir=tmp_path / "cache", use_cache=False)


def _translate(
    tmp_path: Path, paragraphs: list[TaggedParagraph], engine: WordEngine, glossary: Glossary | None = None
) -> tuple[list[str], list[object]]:
    blocks = [Block(p, f"paragraph {i + 1}") for i, p in enumerate(paragraphs)]
    warnings: list[str] = []
    result = translate_documents(
        [DocumentInput("doc", "", "html", blocks=blocks)],
        _settings(tmp_path),
        glossary,
        engine=engine,
        warnings=warnings,
    )[0]
    assert result.blocks is not None
    return list(result.blocks), list(result.segments)


def _shown(paragraph: TaggedParagraph, rendered: str) -> str:
    """The rendered paragraph with each mark written as its data (what a writer would emit)."""
    return "".join(item if isinstance(item, str) else str(item.data) for item in paragraph.decode(rendered))


def _link_paragraph() -> TaggedParagraph:
    b = TaggedBuilder()
    b.text("Bitte lies die ")
    link = b.open("a", "<a>")
    b.text("Anleitung")
    b.close(link)
    b.text(" bevor du das Programm installierst.")
    return b.build()


def test_a_link_is_projected_onto_the_english_word_it_translates(tmp_path: Path) -> None:
    paragraph = _link_paragraph()
    assert paragraph.text == "Bitte lies die Anleitung bevor du das Programm installierst."
    blocks, segments = _translate(tmp_path, [paragraph], WordEngine(WORDS))
    assert _shown(paragraph, blocks[0]) == "Please read the <a>instructions<a> before you the program install."
    assert segments[0].location == "paragraph 1"  # type: ignore[attr-defined]
    assert segments[0].warnings == ()  # type: ignore[attr-defined]


def test_spans_follow_reordered_words_and_stay_nested(tmp_path: Path) -> None:
    b = TaggedBuilder()
    b.text("Das ist ")
    bold = b.open("b", "<b>")
    b.text("fett und ")
    italic = b.open("i", "<i>")
    b.text("kursiv")
    b.close(italic)
    b.close(bold)
    b.text(".")
    paragraph = b.build()
    # the English puts "italic" before "bold": the italic span follows its word and stays inside the bold one
    engine = WordEngine(
        WORDS, {"Das ist fett und kursiv.": [("This", 0), ("is", 1), ("italic", 4), ("and", 3), ("bold", 2), (".", 5)]}
    )
    blocks, _ = _translate(tmp_path, [paragraph], engine)
    shown = _shown(paragraph, blocks[0])
    assert shown.count("<b>") == 2 and shown.count("<i>") == 2
    assert shown.index("<b>") < shown.index("<i>") < shown.rindex("<i>") < shown.rindex("<b>")
    assert "<i>italic<i>" in shown


def test_an_atom_keeps_its_place_and_is_never_shown_to_the_model(tmp_path: Path) -> None:
    b = TaggedBuilder()
    b.text("Führe ")
    b.atom("ph", "%s")
    b.text(" aus, bitte.")
    paragraph = b.build()
    assert paragraph.text == "Führe aus, bitte."  # the placeholder and its space are out of the model's way
    engine = WordEngine({**WORDS, "bitte": "please"})
    blocks, _ = _translate(tmp_path, [paragraph], engine)
    assert _shown(paragraph, blocks[0]).count("%s") == 1
    assert engine.calls and all("%s" not in s and not any(map(is_mark, s)) for s in engine.calls[0][0])


def test_a_span_across_two_sentences_is_split_into_two_paired_halves(tmp_path: Path) -> None:
    b = TaggedBuilder()
    b.text("Das ist ein ")
    bold = b.open("b", "<b>")
    b.text("Satz. Das ist ")
    b.close(bold)
    b.text("ein Satz.")
    paragraph = b.build()
    blocks, segments = _translate(tmp_path, [paragraph], WordEngine(WORDS))
    assert [s.source for s in segments] == ["Das ist ein Satz."] * 2  # type: ignore[attr-defined]
    shown = _shown(paragraph, blocks[0])
    assert shown == "This is a <b>sentence. This is<b> a sentence."


def test_german_rendered_back_is_the_source_exactly() -> None:
    b = TaggedBuilder()
    b.text("  Bitte ")
    b.atom("br", "<br>")
    link = b.open("a", "<a>")
    b.text("lies")
    b.close(link)
    b.atom("ph", "{x}")
    b.text("die Anleitung.  Das ist ein Satz. ")
    paragraph = b.build()
    doc = read_blocks([Block(paragraph, "p")])
    rendered, notes = doc.render_blocks(doc.segments)
    assert rendered == [paragraph.source]
    assert notes == [()] * len(doc.segments)
    # and the source decodes to the builder's calls, in order
    items = paragraph.decode(rendered[0])
    assert [i if isinstance(i, str) else (i.kind, i.data) for i in items] == [
        "  Bitte ",
        ("atom", "<br>"),
        ("open", "<a>"),
        "lies",
        ("close", "<a>"),
        ("atom", "{x}"),
        "die Anleitung.  Das ist ein Satz. ",
    ]


def test_runs_give_each_stretch_of_text_its_open_spans() -> None:
    b = TaggedBuilder()
    bold = b.open("b", "B")
    b.text("Das ")
    italic = b.open("i", "I")
    b.text("ist")
    b.close(italic)
    b.close(bold)
    b.text(" gut.")
    paragraph = b.build()
    runs = [(text, tuple(m.data for m in spans)) for text, spans in paragraph.runs(paragraph.source)]
    assert runs == [("Das ", ("B",)), ("ist", ("B", "I")), (" gut.", ())]


def test_a_private_use_character_in_the_document_stays_itself() -> None:
    b = TaggedBuilder()
    b.text(f"Das ist{chr(MARK_FIRST + 5)} ein Satz.")
    paragraph = b.build()
    assert not any(map(is_mark, paragraph.text))
    assert _shown(paragraph, paragraph.source) == f"Das ist{chr(MARK_FIRST + 5)} ein Satz."


def test_words_glued_to_an_atom_stay_two_words_for_the_model() -> None:
    b = TaggedBuilder()
    b.text("Programm")
    b.atom("field", "F")
    b.text("ist gut.")
    paragraph = b.build()
    assert paragraph.text == "Programm ist gut."
    assert _shown(paragraph, paragraph.source) == "ProgrammFist gut."


@pytest.mark.parametrize(
    ("before", "after", "model"),
    [("Satz.", "Neu", "Satz. Neu"), ("1.", "Antrag", "1. Antrag"), ("spenden:", "PayPal", "spenden: PayPal")],
)
def test_an_atom_after_a_sign_still_separates_the_words(before: str, after: str, model: str) -> None:
    b = TaggedBuilder()
    b.text(before)
    b.atom("br", "<br>")
    b.text(after)
    assert b.build().text == model


def test_an_atom_then_a_span_still_separates_the_words() -> None:
    b = TaggedBuilder()
    b.text("Wort")
    b.atom("field", "F")
    bold = b.open("b")
    b.text("Wort")
    b.close(bold)
    assert b.build().text == "Wort Wort"


def test_an_atom_that_takes_no_room_keeps_the_word_whole() -> None:
    b = TaggedBuilder()
    b.text("Wort")
    b.atom("bookmark", "B", separates=False)
    b.text("teil ist gut.")
    paragraph = b.build()
    assert paragraph.text == "Wortteil ist gut."
    assert _shown(paragraph, paragraph.source) == "WortBteil ist gut."


def test_an_atom_that_takes_no_room_leaves_the_space_before_it() -> None:
    b = TaggedBuilder()
    b.text("Das ist ")
    b.atom("bookmark", "B", separates=False)
    b.text("ein Satz.")
    paragraph = b.build()
    assert paragraph.text == "Das ist ein Satz."
    assert _shown(paragraph, paragraph.source) == "Das ist Bein Satz."


@pytest.mark.parametrize(
    ("inside", "after", "model"),
    [("-", " Flirten.", "Hvar - Flirten."), (" ", "Flirten.", "Hvar Flirten."), ("", "Flirten.", "Hvar Flirten.")],
)
def test_a_span_without_words_keeps_the_space_before_it_when_the_model_sees_what_it_holds(
    inside: str, after: str, model: str
) -> None:
    # a bold dash is two atoms around a dash the model still reads: the model gets the sentence the paragraph
    # without the bold gives it ("Hvar - Flirten", not "Hvar- Flirten"); a span holding nothing takes the space along
    b = TaggedBuilder()
    b.text("Hvar ")
    bold = b.open("b")
    b.text(inside)
    b.close(bold)
    b.text(after)
    paragraph = b.build()
    assert paragraph.text == model
    assert [ev.kind for ev in paragraph.events] == ["atom", "atom"]
    assert paragraph.source == f"Hvar {chr(MARK_FIRST)}{inside}{chr(MARK_FIRST + 1)}{after}"


def test_spans_must_close_innermost_first() -> None:
    b = TaggedBuilder()
    outer = b.open("b")
    b.open("i")
    with pytest.raises(ValueError, match="innermost"):
        b.close(outer)


def _events(paragraph: TaggedParagraph) -> list[Event]:
    return list(paragraph.events)


def test_the_check_refuses_lost_duplicated_and_crossed_marks() -> None:
    b = TaggedBuilder()
    bold = b.open("b")
    b.text("fett ")
    italic = b.open("i")
    b.text("kursiv")
    b.close(italic)
    b.close(bold)
    b.atom("ph")
    paragraph = b.build()
    events = _events(paragraph)
    o_b, o_i, c_i, c_b, ph = (ev.src[ev.lead :] for ev in events)
    assert marks_ok(events, f"{o_b}bold {o_i}italic{c_i}{c_b}{ph}")
    assert not marks_ok(events, f"{o_b}bold {o_i}italic{c_i}{c_b}")  # an atom lost
    assert not marks_ok(events, f"{o_b}bold {o_i}italic{c_i}{c_b}{ph}{ph}")  # duplicated
    assert not marks_ok(events, f"{o_b}bold {o_i}italic{c_b}{c_i}{ph}")  # crossed
    assert not marks_ok(events, f"{c_b}bold {o_i}italic{c_i}{o_b}{ph}")  # closed before opened


def test_a_useless_alignment_places_marks_by_position_and_says_so(tmp_path: Path) -> None:
    blocks, segments = _translate(tmp_path, [_link_paragraph()], WordEngine(WORDS, attention="empty"))
    assert blocks[0].count(chr(MARK_FIRST)) == 1 and blocks[0].count(chr(MARK_FIRST + 1)) == 1
    assert any("placed by position" in w for w in segments[0].warnings)  # type: ignore[attr-defined]


def test_a_glossary_term_inside_a_span_is_enforced_and_the_span_kept(tmp_path: Path) -> None:
    b = TaggedBuilder()
    b.text("Der ")
    bold = b.open("b", "<b>")
    b.text("Dialog")
    b.close(bold)
    b.text(" beginnt heute.")
    paragraph = b.build()
    glossary = Glossary((Term("Dialog", "Dialogue"),))
    blocks, segments = _translate(tmp_path, [paragraph], WordEngine(WORDS), glossary)
    assert _shown(paragraph, blocks[0]) == "The <b>Dialogue<b> begins today."
    assert [c.status for c in segments[0].checks] == ["enforced"]  # type: ignore[attr-defined]


# Any paragraph of words, spans and atoms, translated word for word (some words dropped, some doubled): every
# mark comes out exactly once and properly nested, in every block.
_WORD_LIST = ["Das", "ist", "ein", "Satz", "fett", "und", "kursiv", "heute", "Programm", "aus"]


@st.composite
def _paragraphs(draw: st.DrawFn) -> TaggedParagraph:
    b = TaggedBuilder()
    depth = 0
    for _ in range(draw(st.integers(1, 14))):
        action = draw(st.sampled_from(["word", "word", "word", "open", "close", "atom", "stop"]))
        if action == "word":
            b.text(draw(st.sampled_from(_WORD_LIST)) + draw(st.sampled_from([" ", " ", "", ". "])))
        elif action == "open" and depth < 3:
            b.open(draw(st.sampled_from(["b", "i", "a"])))
            depth += 1
        elif action == "close" and depth:
            b.close()
            depth -= 1
        elif action == "atom":
            b.atom(draw(st.sampled_from(["br", "ph"])))
        elif action == "stop":
            b.text("Satz. ")
    return b.build()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(paragraph=_paragraphs(), dropped=st.sampled_from(["", "aus", "ist"]))
def test_every_mark_comes_out_once_and_nested(tmp_path: Path, paragraph: TaggedParagraph, dropped: str) -> None:
    words = {**WORDS, "fett": "very bold", **({dropped: ""} if dropped else {})}
    blocks, _ = _translate(tmp_path, [paragraph], WordEngine(words))
    rendered = blocks[0]
    marks = [ch for ch in rendered if is_mark(ch)]
    assert sorted(marks) == sorted(ch for ch in paragraph.source if is_mark(ch))
    stack: list[int] = []
    for ch in marks:
        mark: Mark = paragraph.mark(ch)
        if mark.kind == "open":
            stack.append(mark.span)
        elif mark.kind == "close":
            assert stack and stack[-1] == mark.span
            stack.pop()
    assert not stack
