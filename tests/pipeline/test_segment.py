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
