"""Inline markup held apart from the text and projected back onto the English (translate/inline.py), with a
word-for-word engine whose alignment is known (tests/fakes.py: WordEngine)."""

from __future__ import annotations

import dataclasses

import pytest
from fakes import WordEngine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from glossator.common.settings import Settings
from glossator.translate.documents import read_document
from glossator.translate.inline import (
    AttentionRecorder,
    InlineUnit,
    alignment_from_hypothesis,
    alignments,
    piece_spans,
)
from glossator.translate.pipeline import DocumentInput, translate_documents

WORDS = {
    "Bitte": "Please",
    "lies": "read",
    "die": "the",
    "der": "the",
    "Anleitung": "instructions",
    "bevor": "before",
    "du": "you",
    "installierst": "install",
    "das": "the",
    "Das": "This",
    "Programm": "program",
    "ist": "is",
    "fett": "bold",
    "mit": "with",
    "Link": "link",
    "Ein": "A",
    "ein": "a",
    "Satz": "sentence",
    "Führe": "Run",
    "aus": "",
    "um": "to",
    "es": "it",
    "zu": "",
    "installieren": "install",
    "Siehe": "See",
    "Bild": "picture",
    "im": "in the",
    "Text": "text",
    "und": "and",
    "kursiv": "italic",
    "gut": "good",
    "Hier": "Here",
    "Zeile": "line",
    "Sterne": "stars",
    "wichtig": "important",
    "Wichtig": "Important",
    "Hinweis": "Note",
    "zweite": "second",
    "Die": "The",
    "Datei": "file",
    "enthält": "contains",
    "alles": "everything",
}

PARSER = MarkdownIt("commonmark").enable(["table", "strikethrough"])


def structure(text: str) -> dict[str, object]:
    """What the Markdown means, read by markdown-it-py: blocks, links, images, code spans, emphasis."""
    found: dict[str, list[object]] = {"blocks": [], "links": [], "images": [], "code": [], "em": [], "html": []}

    def walk(children: list[object]) -> None:
        for token in children:
            kind = token.type  # type: ignore[attr-defined]
            if kind == "link_open":
                found["links"].append(token.attrs.get("href"))  # type: ignore[attr-defined]
            elif kind == "image":
                found["images"].append(token.attrs.get("src"))  # type: ignore[attr-defined]
                walk(token.children or [])  # type: ignore[attr-defined]
            elif kind == "code_inline":
                found["code"].append((token.markup, token.content))  # type: ignore[attr-defined]
            elif kind in ("em_open", "strong_open", "s_open"):
                found["em"].append(kind)
            elif kind == "html_inline":
                found["html"].append(token.content)  # type: ignore[attr-defined]

    for token in PARSER.parse(text):
        if token.type in ("fence", "code_block", "html_block"):
            found["blocks"].append((token.type, token.content))
        elif token.nesting == 1:
            found["blocks"].append((token.type, token.tag))
        elif token.type == "inline":
            walk(token.children or [])
    found["em"] = sorted(found["em"])  # type: ignore[type-var]
    return found


def translate_md(text: str, engine: WordEngine) -> tuple[str, list[tuple[str, ...]], list[str]]:
    """Read, translate with *engine* (attention recorded), align and render: (English, notes, segments)."""
    doc = read_document(text, "md")
    recorder = AttentionRecorder(engine, set(doc.marked_segments))
    english = [hyps[0].text for hyps in recorder.translate(doc.segments)]
    aligned = alignments(engine, list(zip(doc.segments, english, strict=True)), recorder)
    out, notes = doc.render_with_notes(english, aligned)
    return out, notes, doc.segments


def test_link_text_is_translated_and_the_link_never_cuts_the_sentence():
    text = 'Bitte lies die [Anleitung](http://x.de/a_b "Titel"), bevor du das Programm installierst.\n'
    out, notes, segments = translate_md(text, WordEngine(WORDS))
    assert segments == ["Bitte lies die Anleitung, bevor du das Programm installierst."]
    assert out == 'Please read the [instructions](http://x.de/a_b "Titel"), before you the program install.\n'
    assert notes == [()]


def test_nested_spans_stay_nested():
    out, notes, _ = translate_md("Das ist **fett mit [Link](u)** und gut.\n", WordEngine(WORDS))
    assert out == "This is **bold with [link](u)** and good.\n"
    assert notes == [()]


def test_adjacent_spans_and_reordered_words():
    # "fett" and "kursiv" swap places in the English: each span follows its word
    sentence = "Das ist fett kursiv."
    engine = WordEngine(WORDS, {sentence: [("This", 0), ("is", 1), ("italic", 3), ("bold", 2), (".", 4)]})
    out, notes, _ = translate_md("Das ist **fett** *kursiv*.\n", engine)
    assert out == "This is *italic* **bold**.\n"
    assert notes == [()]


def test_a_span_covering_the_whole_sentence_stays_in_the_skeleton():
    doc = read_document("**Das ist wichtig.** Ein Satz.\n", "md")
    assert doc.segments == ["Das ist wichtig.", "Ein Satz."]
    assert doc.marked_segments == []
    out, _, _ = translate_md("**Das ist wichtig.** Ein Satz.\n", WordEngine(WORDS))
    assert out == "**This is important.** A sentence.\n"


def test_emphasis_across_two_sentences_is_split_into_halves_and_stays_paired():
    out, _, segments = translate_md("Das ist **fett. Ein Satz** mit Text.\n", WordEngine(WORDS))
    assert segments == ["Das ist fett.", "Ein Satz mit Text."]
    assert out == "This is **bold. A sentence** with text.\n"
    assert structure(out)["em"] == ["strong_open"]


def test_image_inside_a_link_and_its_alt_text_translated():
    out, _, segments = translate_md("Siehe [![Bild](b.png) im Text](l).\n", WordEngine(WORDS))
    assert segments == ["Siehe Bild im Text."]
    assert out == "See [![picture](b.png) in the text](l).\n"


def test_escaped_characters_stay_text_and_english_markup_characters_are_escaped():
    doc = read_document("Hier \\*keine\\* Sterne und &amp; ein_Satz.\n", "md")
    assert doc.segments == ["Hier *keine* Sterne und & ein_Satz."]
    out, _, _ = translate_md("Hier \\*keine\\* Sterne und &amp; ein_Satz.\n", WordEngine(WORDS))
    assert out == "Here \\*keine\\* stars and & ein\\_Satz.\n"  # "_" always escaped: markup may go beside it
    assert structure(out)["em"] == []
    # English that would read as markup is escaped
    unit = InlineUnit("Ein Satz.", markdown=True, line_start=True)
    assert unit.render("1. *stars* [x] <b> `y`")[0] == "1\\. \\*stars\\* \\[x\\] \\<b> \\`y\\`"


def test_code_urls_and_html_are_opaque_and_come_back_byte_identical():
    text = "Führe `pip install x` aus, um es zu installieren: https://example.org/a_b?x=1 und<br>Text.\n"
    out, notes, segments = translate_md(text, WordEngine(WORDS))
    assert segments == ["Führe aus, um es zu installieren: und Text."]  # the model never sees code or URLs
    assert out == "Run `pip install x`, to it install: https://example.org/a_b?x=1 and<br> text.\n"
    assert notes == [()]


def test_paired_html_is_a_span_void_html_an_atom():
    out, _, segments = translate_md("Das ist <b>fett</b> und <kbd>gut</kbd>.\n", WordEngine(WORDS))
    assert segments == ["Das ist fett und gut."]
    assert out == "This is <b>bold</b> and <kbd>good</kbd>.\n"


def test_hard_break_in_a_block_quote_keeps_the_quote_marker():
    out, _, segments = translate_md("> Das ist ein Satz  \n> mit Text.\n", WordEngine(WORDS))
    assert segments == ["Das ist ein Satz mit Text."]
    assert out == "> This is a sentence  \n> with text.\n"


def test_soft_line_breaks_join_the_sentence_and_stay_between_sentences():
    doc = read_document("Das ist ein\nSatz. Ein Satz\nmit Text.\nDie Datei.\n", "md")
    assert doc.segments == ["Das ist ein Satz.", "Ein Satz mit Text.", "Die Datei."]
    out, _, _ = translate_md("Das ist ein\nSatz. Ein Satz\nmit Text.\nDie Datei.\n", WordEngine(WORDS))
    assert out == "This is a sentence. A sentence with text.\nThe file.\n"


def test_table_cells_with_escaped_pipes_and_code():
    text = "| Spalte | Text |\n|---|---:|\n| `a\\|b` | fett \\| gut |\n"
    doc = read_document(text, "md")
    assert doc.segments == ["Spalte", "Text", "fett | gut"]
    out, _, _ = translate_md(text, WordEngine(WORDS))
    assert out == "| Spalte | text |\n|---|---:|\n| `a\\|b` | bold \\| good |\n"
    assert structure(out) == structure(text) | {"blocks": structure(out)["blocks"]}
    assert len([b for b in structure(out)["blocks"] if b[0] == "td_open"]) == 2


def test_badges_and_language_links_are_translated_one_by_one_and_keep_their_lines():
    text = "[![Bild Text](https://img/a.svg)](https://a)\n[![Link](https://img/b.svg)](https://b)\n"
    doc = read_document(text, "md")
    assert doc.segments == ["Bild Text", "Link"]
    out, _, _ = translate_md(text, WordEngine(WORDS))
    assert out == "[![picture text](https://img/a.svg)](https://a)\n[![link](https://img/b.svg)](https://b)\n"


def test_garbage_attention_keeps_every_piece_of_markup_and_reports_the_fallback():
    text = "Das ist **fett mit [Link](u)** und `code` und *kursiv* im ![Bild](b.png) Text.\n"
    for mode in ("garbage", "empty"):
        out, notes, _ = translate_md(text, WordEngine(WORDS, attention=mode))
        before, after = structure(text), structure(out)
        assert after == before, mode
        assert notes[0], mode  # the fallback is reported, never silent
        assert any("placed by position" in note for note in notes[0])


def test_crossing_projections_are_nested_and_same_kinds_never_nest():
    # both spans project onto overlapping English words: the result must still parse with both spans
    sentence = "Das ist fett und kursiv."
    engine = WordEngine(WORDS, {sentence: [("This", 0), ("bold", 2), ("italic", 2), ("and", 4), ("good", 3), (".", 5)]})
    out, _, _ = translate_md("Das ist **fett und** *kursiv*.\n", engine)
    assert structure(out)["em"] == ["em_open", "strong_open"]
    out, _, _ = translate_md("Das **ist** **fett** und **gut**.\n", WordEngine(WORDS, attention="garbage"))
    assert structure(out)["em"] == ["strong_open"] * 3


def test_empty_translation_keeps_the_markup_and_says_so():
    unit = read_document("Das ist **fett** und `x` gut.\n", "md").units[0]
    text, notes = unit.render("")
    assert "**" in text and "`x`" in text and notes


def test_identity_renders_the_source_exactly():
    text = "Ein *Satz* mit [Link][ref] und `x`.\n\n[ref]: https://example.org\n"
    doc = read_document(text, "md")
    assert doc.render(doc.segments) == text
    out, _, _ = translate_md(text, WordEngine(WORDS))
    assert out == "A *sentence* with [link][ref] and `x`.\n\n[ref]: https://example.org\n"


# -- the pipeline: the memory keeps the alignment, remembered and enforced translations get one ------------------


def test_pipeline_projects_markup_and_the_memory_serves_it_again(tmp_path):
    settings = Settings.from_env(cache_dir=tmp_path / "cache")
    text = "Bitte lies die [Anleitung](http://x.de), bevor du das Programm installierst.\n\nEin Satz.\n"
    engine = WordEngine(WORDS)
    [first] = translate_documents([DocumentInput("a.md", text, "md")], settings, engine=engine)
    assert first.text == "Please read the [instructions](http://x.de), before you the program install.\n\nA sentence.\n"
    marked = "Bitte lies die Anleitung, bevor du das Programm installierst."
    calls = [options for sentences, options in engine.calls if marked in sentences]
    assert calls[0]["return_attention"] is True  # attention asked for in the translation itself
    assert all(not o["return_attention"] for sentences, o in engine.calls if marked not in sentences)
    # no second pass: the alignment is the translation's own attention (CTranslate2's wrong first row is not read)
    assert len(calls) == 1
    engine.calls.clear()
    [again] = translate_documents([DocumentInput("a.md", text, "md")], settings, engine=engine)
    assert again.text == first.text
    assert engine.calls == []  # translation and alignment both from the memory
    assert all(s.cached for s in again.segments)


def test_the_first_english_piece_goes_with_the_first_german_piece_not_the_first_attention_row():
    # CTranslate2's beam search returns a first row that belongs to another sentence of the batch: it is not read
    text = "**Bitte** lies die Anleitung, bevor du das Programm installierst.\n"
    doc = read_document(text, "md")
    engine = WordEngine(WORDS)
    recorder = AttentionRecorder(engine, set(doc.marked_segments))
    [[hypothesis]] = recorder.translate(doc.segments)
    assert hypothesis.attention is not None
    last = tuple(float(k == len(hypothesis.attention[0]) - 1) for k in range(len(hypothesis.attention[0])))
    recorder.seen[doc.segments[0]] = [dataclasses.replace(hypothesis, attention=(last, *hypothesis.attention[1:]))]
    engine.calls.clear()
    [aligned] = alignments(engine, [(doc.segments[0], hypothesis.text)], recorder)
    assert engine.calls == []  # no second pass through the model
    assert aligned is not None and aligned[0] == (0, 6, 0, 5)  # "Please" ← "Bitte", not the row's "."
    source = doc.segments[0]
    assert aligned[1:] == alignment_from_hypothesis(source, engine.source_pieces(source), hypothesis)[1:]  # as read
    assert doc.render([hypothesis.text], [aligned]) == (
        "**Please** read the instructions, before you the program install.\n"
    )


def test_byte_fallback_pieces_span_the_character_they_spell():
    # SentencePiece spells a character its vocabulary lacks byte by byte: "Ö" is <0xC3><0x96>, "€" three bytes
    text = "für Özil-Comeback 5 € Berlin"
    pieces = ["▁für", "▁", "<0xC3>", "<0x96>", "z", "il", "-", "C", "om", "e", "back", "▁5", "▁", "<0xE2>", "<0x82>"]
    pieces += ["<0xAC>", "▁Berlin"]
    spans = piece_spans(text, pieces)
    assert [text[a:b] for a, b in spans] == [
        "für",
        "",
        "Ö",
        "Ö",
        "z",
        "il",
        "-",
        "C",
        "om",
        "e",
        "back",
        "5",
        "",
        "€",
        "€",
        "€",
        "Berlin",
    ]
    # a byte that spells nothing (a lone continuation byte) takes one character and the pieces after it stay on
    lone = "x Ö y"
    assert [lone[a:b] for a, b in piece_spans(lone, ["▁x", "▁", "<0x96>", "▁y"])] == ["x", "", "Ö", "y"]


def test_pipeline_aligns_a_remembered_translation_without_alignment(tmp_path):
    settings = Settings.from_env(cache_dir=tmp_path / "cache")
    plain = "Bitte lies die Anleitung, bevor du das Programm installierst.\n"
    marked = "Bitte lies die [Anleitung](http://x.de), bevor du das Programm installierst.\n"
    engine = WordEngine(WORDS)
    translate_documents([DocumentInput("a.md", plain, "md")], settings, engine=engine)  # remembered, no alignment
    engine.calls.clear()
    [result] = translate_documents([DocumentInput("b.md", marked, "md")], settings, engine=engine)
    assert result.text == "Please read the [instructions](http://x.de), before you the program install.\n"
    assert [options["beam_size"] for _, options in engine.calls] == [1]  # one forced greedy pass, no translation
    engine.calls.clear()
    translate_documents([DocumentInput("b.md", marked, "md")], settings, engine=engine)
    assert engine.calls == []  # the alignment was kept in the memory


def test_pipeline_puts_markup_on_a_human_translation_from_the_memory(tmp_path):
    from glossator.translate.cache import HumanEntry, TranslationMemory

    settings = Settings.from_env(cache_dir=tmp_path / "cache")
    german = "Bitte lies die Anleitung, bevor du das Programm installierst."
    memory = TranslationMemory(settings.cache_path)
    memory.import_human([HumanEntry(german, "Please read the instructions before installing.", german, "x")])
    memory.close()
    engine = WordEngine(WORDS)
    text = "Bitte lies die [Anleitung](http://x.de), bevor du das Programm installierst.\n"
    [result] = translate_documents([DocumentInput("a.md", text, "md")], settings, engine=engine)
    assert result.segments[0].tm
    assert result.text == "Please read the [instructions](http://x.de) before installing.\n"
    assert [options["beam_size"] for _, options in engine.calls] == [1]  # only the forced alignment pass


def test_pipeline_reports_markup_placed_by_position_per_segment(tmp_path):
    settings = Settings.from_env(use_cache=False)
    warnings: list[str] = []
    text = "Das ist **fett** und gut.\n"
    [result] = translate_documents(
        [DocumentInput("a.md", text, "md")], settings, engine=WordEngine(WORDS, attention="empty"), warnings=warnings
    )
    assert structure(result.text) == structure(text)
    [segment] = result.segments
    assert segment.warnings and "placed by position" in segment.warnings[0]
    assert segment.to_dict()["warnings"] == list(segment.warnings)
    assert any("a.md: 1 inline markup span(s) placed by position" in w for w in warnings)


# -- any Markdown: reading loses nothing, and a translation keeps every piece of markup -----------------------------

INLINE = st.sampled_from(
    ["Das ist ", "ein Satz", ". ", "Text", " ", "\n", "  \n", "**fett**", "*kursiv*", "_kursiv_", "~~weg~~",
     "[Link](http://a.de/x)", "[Link][ref]", "![Bild](b.png)", "[![Bild](b.png)](l)", "`code`", "``a`b``",
     "<https://a.de>", "https://example.org/a?b=c", "<b>fett</b>", "<br>", "\\*", "&amp;", "**fett [Link](u) mit**",
     "*a **b** c*", "Hinweis:", "„Zitat“", "z. B. ", "1.5", "Die Datei"]
)  # fmt: skip
BLOCK = st.sampled_from(["", "# ", "## ", "- ", "1. ", "> ", "| ", "- [ ] "])


@st.composite
def markdown_documents(draw: st.DrawFn) -> str:
    blocks = []
    for _ in range(draw(st.integers(1, 4))):
        prefix = draw(BLOCK)
        body = "".join(draw(st.lists(INLINE, min_size=1, max_size=10)))
        if prefix == "| ":
            blocks.append(f"| {body.replace(chr(10), ' ')} | x |\n|---|---|\n| a | {body.replace(chr(10), ' ')} |")
        else:
            blocks.append(prefix + body)
    return "\n\n".join(blocks) + "\n\n[ref]: https://example.org/ref\n"


FUZZ = settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.slow
@FUZZ
@given(text=markdown_documents())
def test_any_markdown_round_trips_and_keeps_its_markup_when_translated(text: str) -> None:
    doc = read_document(text, "md")
    assert doc.render(doc.segments) == text
    assert doc.warnings == []
    out, _, _ = translate_md(text, WordEngine(WORDS))
    assert structure(out) == structure(text)
    out, _, _ = translate_md(text, WordEngine(WORDS, attention="garbage"))
    assert structure(out) == structure(text)


@pytest.mark.parametrize(
    "text",
    [
        "Ein `a`, `b`, `c` Satz.\n",  # atoms that end up side by side stay apart
        "- `a`, `b`, `c` \u2013 Die Datei.\n",
        "Text<br>**fett**<br>Text.\n",
        "**`code` Text**\n",
        "[`code`](u) und [Link](v).\n",
    ],
)
def test_atoms_side_by_side_stay_apart(text: str) -> None:
    for mode in ("exact", "garbage"):
        out, _, _ = translate_md(text, WordEngine(WORDS, attention=mode))
        assert structure(out) == structure(text), (mode, out)
