"""HTML and XHTML pages (translate/formats/html.py): block text translated with inline markup on the English words,
attributes (alt, title, placeholder, meta description) as blocks of their own, code/pre/script/translate="no" kept,
every byte outside translated text kept; the output checked with lxml.html (same element tree, same attributes
except the translated ones) and rendered in headless Chromium; broken nesting and undecodable bytes refused."""

from __future__ import annotations

import subprocess
from pathlib import Path

import lxml.etree
import lxml.html
import pytest
from clirun import run_cli
from fakes import FakeEngine, WordEngine
from format_tools import require_tool
from hypothesis import given, settings
from hypothesis import strategies as st

from glossator import Translator
from glossator.common.errors import InputError
from glossator.common.settings import Settings
from glossator.glossary.model import Glossary, Term
from glossator.translate.engine import Hypothesis
from glossator.translate.formats.html import open_source

DATA = Path(__file__).parents[1] / "data" / "formats" / "html"
REAL = sorted(p for p in DATA.glob("*") if p.suffix in (".html", ".htm", ".xhtml"))

WORDS = {
    "Willkommen": "Welcome",
    "Das": "This",
    "ist": "is",
    "ein": "a",
    "fetter": "bold",
    "Satz": "sentence",
    "mit": "with",
    "einem": "a",
    "Link": "link",
    "Bild": "picture",
    "Ein": "A",
    "Zweiter": "Second",
    "Absatz": "paragraph",
    "Ende": "end",
    "Eins": "One",
    "Zwei": "Two",
    "Zelle": "cell",
    "Suche": "Search",
    "Seite": "page",
    "Eine": "A",
    "Größe": "Size",
    "und": "and",
    "Welt": "world",
    "Der": "The",
    "Dialog": "dialog",
    "beginnt": "begins",
    "heute": "today",
    "Neue": "New",
    "Zeile": "line",
    "Text": "Text",
    "direkt": "directly",
    "innen": "inside",
    "danach": "after",
    "Bitte": "Please",
    "lesen": "read",
    "Sie": "you",
    "die": "the",
    "Anleitung": "instructions",
}

PAGE = """\
<!DOCTYPE html>
<html lang="de">
<head>
<meta charset="utf-8">
<title>Größe &amp; Welt</title>
<meta name="description" content="Eine Seite">
<style>p { color: red; } /* Willkommen */</style>
</head>
<body>
<h1 class="top">Willkommen</h1>
<p>Das ist ein <b>fetter</b> Satz mit einem <a href="ziel.html" title="Ein Link">Link</a>.<br>Neue Zeile
mit <code>Satz &lt; Zeile</code>.
<p>Zweiter Absatz <img src="bild.png" alt="Ein Bild"> Ende.
<ul><li>Eins<li>Zwei</ul>
<table><tr><td>Zelle<td>Zwei</table>
<pre>Das ist ein Satz.</pre>
<p translate="no">Das ist ein Satz.</p>
<div>Text direkt <div>innen</div> danach</div>
<form><input type="search" placeholder="Suche"><select><option>Eins<option>Zwei</select></form>
<script>var s = "Das ist ein Satz.";</script>
</body>
</html>
"""


class EchoEngine(FakeEngine):
    """Translates every sentence to itself (or to its entry in ``table``), exactly, whitespace and all."""

    def translate(self, sentences, **options):  # type: ignore[no-untyped-def, override]
        self.calls.append(list(sentences))
        out = [self.table.get(s, s) for s in sentences]
        return [[Hypothesis(text=t, score=0.0, tokens=tuple(self.text_to_pieces(t)))] for t in out]


def _settings(tmp_path: Path) -> Settings:
    return Settings(packages_dir=tmp_path / "packages", cache_dir=tmp_path / "cache", use_cache=False)


def _translate(
    tmp_path: Path,
    data: str | bytes,
    name: str = "page.de.html",
    engine: object | None = None,
    glossary: Glossary | None = None,
) -> tuple[object, bytes]:
    source = tmp_path / name
    source.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    target = tmp_path / ("out" + source.suffix)
    with Translator(settings=_settings(tmp_path), engine=engine or WordEngine(WORDS), glossary=glossary) as t:
        result = t.translate_file(source, target, force=True)
    return result, target.read_bytes()


def _tree(data: bytes) -> list[tuple[str, dict[str, str]]]:
    """Every element of the page (lxml.html's parse) with its attributes, in document order."""
    root = lxml.html.document_fromstring(data)
    return [(el.tag, dict(el.attrib)) for el in root.iter() if isinstance(el.tag, str)]


TRANSLATED_ATTRIBUTES = ("alt", "title", "placeholder", "aria-label", "content", "lang", "xml:lang", "label", "value")


def assert_same_structure(before: bytes, after: bytes) -> None:
    """Same elements in the same order with the same attributes, except translated attribute values."""
    old, new = _tree(before), _tree(after)
    assert [tag for tag, _ in old] == [tag for tag, _ in new]
    for (tag, a), (_, b) in zip(old, new, strict=True):
        assert a.keys() == b.keys(), tag
        for key in a:
            if key not in TRANSLATED_ATTRIBUTES:
                assert a[key] == b[key], (tag, key)


def test_blocks_spans_attributes_and_kept_parts(tmp_path: Path) -> None:
    result, out = _translate(tmp_path, PAGE)
    text = out.decode("utf-8")
    assert '<html lang="en">' in text
    assert "<title>Size &amp; world</title>" in text
    assert '<meta name="description" content="A page">' in text
    assert '<h1 class="top">Welcome</h1>' in text
    # the bold word and the link moved with their English words; the link's title is translated, href kept
    link = '<a href="ziel.html" title="A link">link</a>'
    assert f"<p>This is a <b>bold</b> sentence with a {link}.<br>New line with <code>" in text
    assert "<code>Satz &lt; Zeile</code>" in text  # code: an atom, never translated
    assert '<img src="bild.png" alt="A picture">' in text
    assert "<li>One<li>Two</ul>" in text and "<td>cell<td>Two</table>" in text
    assert "<pre>Das ist ein Satz.</pre>" in text and '<p translate="no">Das ist ein Satz.</p>' in text
    assert 'var s = "Das ist ein Satz.";' in text and "/* Willkommen */" in text
    assert "<div>Text directly <div>inside</div> after</div>" in text
    assert 'placeholder="Search"' in text and "<option>One<option>Two</select>" in text
    assert_same_structure(PAGE.encode(), out)
    locations = [s.location for s in result.segments]  # type: ignore[attr-defined]
    assert locations[:3] == ["line 5 <title>", "line 6 <meta content>", "line 10 <h1>"]


def test_an_untranslated_page_comes_back_byte_for_byte(tmp_path: Path) -> None:
    page = PAGE.replace("\n", "\r\n").replace("<h1", "<!-- Kommentar -->\n<H1").replace("</h1>", "</H1>")
    _, out = _translate(tmp_path, page, engine=EchoEngine())
    assert out == page.encode("utf-8")


@pytest.mark.parametrize("path", REAL, ids=lambda p: p.name)
def test_real_pages_come_back_byte_for_byte_with_an_echoing_engine(tmp_path: Path, path: Path) -> None:
    _, out = _translate(tmp_path, path.read_bytes(), name="real.de" + path.suffix, engine=EchoEngine())
    assert out == path.read_bytes()


REAL_WORDS = {
    "der": "the", "die": "the", "das": "the", "Der": "The", "Die": "The", "Das": "The", "und": "and", "ist": "is",
    "ein": "a", "eine": "a", "von": "of", "mit": "with", "für": "for", "im": "in", "Bearbeiten": "Edit",
    "deutscher": "German", "Schriftsteller": "writer", "Leben": "Life", "Werke": "Works", "Sie": "you",
}  # fmt: skip


@pytest.mark.parametrize("path", [p for p in REAL if p.suffix != ".xhtml"], ids=lambda p: p.name)
def test_real_pages_keep_their_structure(tmp_path: Path, path: Path) -> None:
    data = path.read_bytes()
    assert list(open_source(data, path.name).blocks()), "the page has text to translate"
    result, out = _translate(tmp_path, data, name="real.de" + path.suffix, engine=WordEngine(REAL_WORDS))
    assert_same_structure(data, out)
    segments = result.segments  # type: ignore[attr-defined]
    # every sentence with a word the engine knows came out in English: no markup made one stay German
    known = [s for s in segments if set(WordEngine._split(s.source)) & REAL_WORDS.keys()]
    assert known and all(s.target != s.source for s in known)
    assert not [s for s in segments if any("kept untranslated" in w for w in s.warnings)]
    # links keep their targets, and every link that had words still has words
    old = [(a.get("href"), bool(a.text_content().strip())) for a in lxml.html.document_fromstring(data).iter("a")]
    new = [(a.get("href"), bool(a.text_content().strip())) for a in lxml.html.document_fromstring(out).iter("a")]
    assert new == old
    assert b'lang="de"' not in out


def test_optional_end_tags_are_accepted(tmp_path: Path) -> None:
    page = (
        "<ul><li>Eins<li>Zwei</ul><dl><dt>Eins<dd>Zwei</dl><p>Eins<p>Zwei"
        "<table><tr><td>Eins<td>Zwei<tr><td>Zelle</table>"
    )
    source = open_source(page.encode(), "p.html")
    assert [b.paragraph.text for b in source.blocks()] == ["Eins", "Zwei"] * 4 + ["Zelle"]
    _, out = _translate(tmp_path, page)
    assert out.decode() == page.replace("Eins", "One").replace("Zwei", "Two").replace("Zelle", "cell")


def test_entities_whitespace_and_soft_hyphens(tmp_path: Path) -> None:
    page = "<p>Der\n   Dialog&nbsp;beginnt   <i>heute</i>.</p><p>Bitte lesen Sie die An&shy;leitung.</p>"
    source = open_source(page.encode(), "p.html")
    assert [b.paragraph.text for b in source.blocks()] == [
        "Der Dialog\xa0beginnt heute.",
        "Bitte lesen Sie die Anleitung.",
    ]
    _, out = _translate(tmp_path, page)
    assert out.decode() == "<p>The dialog begins <i>today</i>.</p><p>Please read you the instructions.</p>"
    engine = EchoEngine({"Bitte lesen Sie die Anleitung.": "Read the\xa0instructions & the <notes>."})
    _, out = _translate(tmp_path, page, engine=engine)
    assert out.decode().endswith("<p>Read the&nbsp;instructions &amp; the &lt;notes&gt;.</p>")


def test_a_legacy_encoding_is_kept_and_what_it_cannot_hold_becomes_a_reference(tmp_path: Path) -> None:
    page = '<html lang="de"><meta charset="iso-8859-1"><p>Größe und Welt</p><p>Eins</p></html>'
    engine = WordEngine({**WORDS, "Eins": "→ One"})
    _, out = _translate(tmp_path, page.encode("cp1252"), engine=engine)
    assert out == '<html lang="en"><meta charset="iso-8859-1"><p>Size and world</p><p>&#8594; One</p></html>'.encode(
        "cp1252"
    )


def test_utf16_with_a_byte_order_mark_is_written_back_as_such(tmp_path: Path) -> None:
    page = "<p>Willkommen</p>\r\n"
    data = b"\xff\xfe" + page.encode("utf-16-le")
    _, out = _translate(tmp_path, data)
    assert out == b"\xff\xfe" + "<p>Welcome</p>\r\n".encode("utf-16-le")


def test_xhtml_keeps_self_closing_tags_and_uses_numeric_references(tmp_path: Path) -> None:
    page = (
        '<?xml version="1.0" encoding="utf-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="de" lang="de">'
        "<head><title>Willkommen</title></head><body><p>Der Dialog<br/>beginnt heute.</p>"
        '<p><img src="a.png" alt="Ein Bild"/>Eins&#160;Zwei</p></body></html>'
    )
    engine = EchoEngine({"Willkommen": "Welcome", "Eins\xa0Zwei": "One\xa0Two", "Ein Bild": "A picture"})
    _, out = _translate(tmp_path, page, name="page.de.xhtml", engine=engine)
    assert out.decode() == page.replace('lang="de"', 'lang="en"').replace("Willkommen", "Welcome").replace(
        "Ein Bild", "A picture"
    ).replace("Eins&#160;Zwei", "One&#160;Two")
    _, out = _translate(tmp_path, page, name="page.de.xhtml")
    assert "<p>The dialog<br/> begins today.</p>" in out.decode()  # a space after a line break shows as nothing
    lxml.etree.fromstring(out)  # still well-formed XML


def test_a_glossary_term_inside_bold_and_inside_a_link_is_enforced(tmp_path: Path) -> None:
    page = '<p>Der <b>Dialog</b> beginnt heute.</p><p>Der <a href="d.html">Dialog</a> beginnt heute.</p>'
    glossary = Glossary((Term("Dialog", "Dialogue"),))
    result, out = _translate(tmp_path, page, glossary=glossary)
    assert out.decode() == (
        '<p>The <b>Dialogue</b> begins today.</p><p>The <a href="d.html">Dialogue</a> begins today.</p>'
    )
    assert [c.status for s in result.segments for c in s.checks] == ["enforced", "enforced"]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("page", "message"),
    [
        (
            "<p>Das <b>ist <i>ein</b> Satz</i>.</p>",
            r"page.html:1:21: broken nesting: </b> closes <b> \(at 1:8\) while <i> \(at 1:15\) is still open",
        ),
        (
            "<div><p>Das <b>ist\n<div>ein Satz</div></div>",
            r"page.html:2:1: broken nesting: <div> closes <p> \(at 1:6\) while <b>",
        ),
        ("<p>Das ist ein Satz.</span></p>", r"page.html:1:21: broken nesting: </span> closes nothing"),
        (
            "<div>\n  <span>Das ist ein Satz.</div>",
            r"page.html:2:26: broken nesting: </div> closes <div> \(at 1:1\) while <span> \(at 2:3\)",
        ),
        ("<section><p>Das ist ein Satz.", r"page.html:1:1: <section> is never closed"),
        (b"<meta charset=utf-8><p>Gr\xf6\xdfe</p>", r"page.html:1:26: bytes that are not valid utf-8 \(0xf6\)"),
        (b"<p>Das ist\x00 ein Satz.</p>", "NUL characters"),
        ('<meta charset="klingon"><p>Satz</p>', "charset 'klingon'"),
    ],
)
def test_bad_pages_are_refused_with_one_line(tmp_path: Path, page: str | bytes, message: str) -> None:
    data = page.encode() if isinstance(page, str) else page
    with pytest.raises(InputError, match=message) as error:
        open_source(data, "page.html")
    assert "\n" not in str(error.value)
    (tmp_path / "bad.de.html").write_bytes(data)
    result = run_cli(["translate", str(tmp_path / "bad.de.html"), "-o", str(tmp_path / "bad.en.html")])
    assert result.exit_code == 3, result.stderr
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("Error: ")
    assert not (tmp_path / "bad.en.html").exists()


def test_xhtml_that_is_not_well_formed_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not well-formed XML") as error:
        open_source(b'<html xmlns="http://www.w3.org/1999/xhtml"><body><p>Satz<br></p></body></html>', "p.xhtml")
    assert "\n" not in str(error.value)


CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


def _dom(chromium: str, page: Path, profile: Path) -> str:
    done = subprocess.run(
        [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom", page.resolve().as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout


@pytest.mark.browser
def test_the_translated_pages_render_in_chromium_with_the_same_element_tree(tmp_path: Path) -> None:
    chromium = require_tool("chromium")
    pages = [("synthetic.html", PAGE.encode())] + [(p.name, p.read_bytes()) for p in REAL if p.suffix != ".xhtml"]
    for name, data in pages:
        _, out = _translate(tmp_path, data, name="in.de.html", engine=WordEngine(WORDS))
        (tmp_path / "a.html").write_bytes(data)
        (tmp_path / "b.html").write_bytes(out)
        before = _dom(chromium, tmp_path / "a.html", tmp_path / "profile-a")
        after = _dom(chromium, tmp_path / "b.html", tmp_path / "profile-b")
        assert after.strip(), name
        old = [el.tag for el in lxml.html.document_fromstring(before).iter() if isinstance(el.tag, str)]
        new = [el.tag for el in lxml.html.document_fromstring(after).iter() if isinstance(el.tag, str)]
        assert old == new, name


# Any page made of the pieces the reader cares about: it is refused with one line, or read into blocks that give the
# page back byte for byte untranslated, and a translation of every block is again a page the reader accepts.
_PIECES = st.sampled_from(
    ["<p>", "</p>", "<b>", "</b>", "<i>", "</i>", "<a href='x?a=1&amp;b'>", "</a>", "<br>", "<br/>", "<li>", "<ul>",
     "</ul>", "<div>", "</div>", "<code>", "</code>", "<pre>", "</pre>", "<!-- c -->", "<img alt=\"Ein Bild\">",
     "<span translate=no>", "</span>", "<td>", "<table><tr>", "</table>", "<script>x<y</script>", "<title>",
     "</title>", "Der Dialog", " beginnt heute. ", "&amp;", "&nbsp;", "&shy;", "&auml;", "\n  ", "\r\n", "Straße",
     "<", ">", "&", "\u00a0", "\U000f0001", "😀", "<textarea>", "</textarea>", "<html lang=de>", "</html>"]
)  # fmt: skip


_TEXTS = st.sampled_from(
    ["Der Dialog", " beginnt heute. ", "&amp; ", "&nbsp;", "Stra&shy;ße", "\n  ", "\r\n", "<br>", "<!-- c -->", "&",
     "<img alt='Ein Bild'>", "\U000f0001", ">", "<wbr>"]
)  # fmt: skip
_WRAPS = ["p", "b", "i", "a href='x'", "div", "span", "em", "code", "pre", "h2 title='Titel hier'", "blockquote",
          "span lang=en", "div translate=no", "label", "button", "sup", "td", "li"]  # fmt: skip
_NESTED = st.recursive(
    _TEXTS,
    lambda inner: st.tuples(st.sampled_from(_WRAPS), st.lists(inner, max_size=4)).map(
        lambda pair: f"<{pair[0]}>{''.join(pair[1])}</{pair[0].split()[0]}>"
    ),
    max_leaves=25,
)


@pytest.mark.slow  # 150 generated pages, about 6 s
@settings(max_examples=150, deadline=None, derandomize=True)
@given(page=st.one_of(st.lists(_PIECES, max_size=40).map("".join), st.lists(_NESTED, max_size=5).map("".join)))
def test_any_page_is_refused_in_one_line_or_round_trips(page: str) -> None:
    data = page.encode("utf-8")
    try:
        source = open_source(data, "fuzz.html")
    except InputError as error:
        assert "\n" not in str(error)
        return
    blocks = list(source.blocks())
    for block in blocks:
        source.put(block, block.paragraph.source)
    assert source.dump() == data
    for block in blocks:
        rendered = "".join(
            item if isinstance(item, str) else "" for item in block.paragraph.decode(block.paragraph.source)
        )
        marks = [ch for ch in block.paragraph.source if 0xF0000 <= ord(ch) <= 0xFFFFD]
        source.put(block, "EN " + rendered.replace("<", "&") + "".join(marks))
    again = open_source(source.dump(), "fuzz.html")
    assert len(list(again.blocks())) >= 1 if blocks else True
