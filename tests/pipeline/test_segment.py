import pytest
from hypothesis import given
from hypothesis import strategies as st

from glossator.translate.segment import sentence_spans, split_sentences


def test_abbreviations_dates_and_quotes_stay_inside_sentences():
    text = 'Es gibt z. B. neue Regeln. Dr. Müller leitet u. a. die Gespräche am 3. Oktober. Er sagte: "Gut."'
    assert split_sentences(text) == [
        "Es gibt z. B. neue Regeln.",
        "Dr. Müller leitet u. a. die Gespräche am 3. Oktober.",
        'Er sagte: "Gut."',
    ]


def test_headline_without_final_period_is_one_sentence():
    assert split_sentences("Gehen oder bleiben?") == ["Gehen oder bleiben?"]
    assert split_sentences("Neue Regeln") == ["Neue Regeln"]


def test_seed_article_paragraph(corpus_article):
    paragraph = corpus_article.read_text(encoding="utf-8").split("\n\n")[1]
    sentences = split_sentences(paragraph)
    assert len(sentences) == 4
    assert sentences[2].startswith('Begründet wurde die Truppenreduzierung mit "bedeutendem Fortschritt"')


def test_blank_input_has_no_sentences():
    assert split_sentences("") == []
    assert split_sentences(" \n\t ") == []


@given(st.text(alphabet=st.sampled_from(list("abcXYZ äöß.?!\"'-,:;0123456789 \n\t")), max_size=120))
def test_spans_cover_every_non_blank_character(text):
    spans = sentence_spans(text)
    cursor = 0
    for start, end in spans:
        assert cursor <= start < end <= len(text)
        assert not text[cursor:start].strip()
        cursor = end
    assert not text[cursor:].strip()


def test_an_over_long_sentence_is_split_between_words_and_nothing_is_dropped() -> None:
    from fakes import FakeEngine

    from glossator.common.settings import Settings
    from glossator.translate.pipeline import DocumentInput, translate_documents
    from glossator.translate.segment import MAX_SEGMENT_CHARS, sentence_spans

    text = " ".join(f"Wort{i}" for i in range(2000)) + "."
    spans = sentence_spans(text)
    assert len(spans) > 1 and max(b - a for a, b in spans) <= MAX_SEGMENT_CHARS
    assert " ".join(text[a:b] for a, b in spans) == text  # cut only at spaces, every character kept
    [result] = translate_documents(
        [DocumentInput("long", text + "\n", "txt")], Settings.from_env(use_cache=False), engine=FakeEngine()
    )
    assert all(f"Wort{i}" in result.text for i in range(2000))


def test_long_sentences_are_cut_at_clause_boundaries_first() -> None:
    from glossator.translate.segment import sentence_spans

    clause = "die Regierung hat beschlossen, dass die Truppen bleiben, weil die Lage schwierig ist"
    text = "Am Montag " + ", ".join([clause] * 12) + "."
    pieces = [text[a:b] for a, b in sentence_spans(text)]
    assert len(pieces) > 1 and all(p.endswith((",", ".")) for p in pieces)


@pytest.mark.slow
def test_a_huge_line_is_split_in_bounded_memory() -> None:
    import tracemalloc

    from glossator.translate.segment import sentence_spans

    line = "Das ist ein Satz ohne Ende und er geht immer weiter " * 4000  # 208 KB, no sentence end
    tracemalloc.start()
    try:
        spans = sentence_spans(line)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert " ".join(line[a:b] for a, b in spans) == line.strip()
    assert peak < 64 * 2**20, f"{peak / 2**20:.0f} MB"
