import pytest
from hypothesis import given
from hypothesis import strategies as st

from glossator.translate.documents import output_name, read_document
from glossator.translate.formats import format_for_path


def test_seed_article_round_trips_exactly(corpus_article):
    text = corpus_article.read_text(encoding="utf-8")
    doc = read_document(text, "txt")
    assert doc.render(doc.segments) == text
    assert "Gehen oder bleiben?" in doc.segments
    assert len(doc.segments) == 23


def test_render_replaces_sentences_and_keeps_whitespace():
    doc = read_document("Erster Satz. Zweiter Satz.\r\n\r\n  Dritter Satz.\n", "txt")
    assert doc.segments == ["Erster Satz.", "Zweiter Satz.", "Dritter Satz."]
    assert doc.render(["One.", "Two.", "Three."]) == "One. Two.\r\n\r\n  Three.\n"


def test_lines_keep_their_count_and_empty_lines():
    doc = read_document("Satz eins.\n\nSatz zwei. Satz drei.\n", "lines")
    assert doc.render(["a", "b", "c"]).splitlines() == ["a", "", "b c"]


def test_empty_and_blank_documents():
    assert read_document("", "txt").segments == []
    doc = read_document("\n \n", "txt")
    assert doc.segments == [] and doc.render([]) == "\n \n"


def test_render_with_wrong_count_is_refused():
    with pytest.raises(ValueError, match="1 translations for 2 segments"):
        read_document("Erster Satz. Zweiter Satz.", "txt").render(["x"])


MARKDOWN = """# Die Lage im Irak

Die USA wollen **ihre Truppen** reduzieren. Siehe [die Mitteilung](https://example.org/a_b?x=1).

- Erster Punkt mit `code_here()`.
- Zweiter Punkt: https://example.org/irak

```python
print("Nicht übersetzen.")
```

> Ein Zitat.

| Spalte | Wert |
|---|---|
| Truppen | 5000 |
"""


def test_markdown_structure_code_and_urls_untouched():
    doc = read_document(MARKDOWN, "md")
    assert doc.render(doc.segments) == MARKDOWN
    rendered = doc.render([f"<{i}>" for i in range(len(doc.segments))])
    assert rendered.startswith("# <0>\n\n")
    assert "(https://example.org/a_b?x=1)" in rendered
    assert "`code_here()`" in rendered and "https://example.org/irak" in rendered
    assert 'print("Nicht übersetzen.")' in rendered
    assert "\n> <" in rendered and "|---|---|" in rendered
    assert not any("Nicht übersetzen" in s or "example.org" in s for s in doc.segments)


@pytest.mark.parametrize(
    ("name", "expected"),
    [("x.de.md", "x.en.md"), ("x.de.txt", "x.en.txt"), ("x.md", "x.en.md"), ("x_de.txt", "x_en.txt"), ("x", "x.en")],
)
def test_output_names(name, expected):
    assert output_name(name) == expected


def test_format_for_path():
    assert format_for_path("a/b.MD") == "md" and format_for_path("a.txt") == "txt"


@given(st.text(alphabet=st.sampled_from(list("ab. ?\n\r#-*`[]()|>xyz:/")), max_size=80))
def test_any_text_round_trips(text):
    for fmt in ("txt", "md"):
        doc = read_document(text, fmt)
        assert doc.render(doc.segments) == text
