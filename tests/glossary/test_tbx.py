"""TBX import/export: lossless round trip, files from other tools, and refusal of unsafe or wrong input."""

import http.server
import re
import sys
import threading
from typing import ClassVar

import pytest
from clirun import run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from paths import CORPUS
from termbases import EVERY_FIELD

from glossator.common.errors import GlossaryError, InputFileError
from glossator.glossary.io import load_glossary, save_glossary
from glossator.glossary.model import STATUSES, Glossary, Term


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def v3(entries: str, de: str = "de", en: str = "en") -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<tbx type="TBX-Basic" style="dca" xml:lang="en" xmlns="urn:iso:std:iso:30042:ed-2">
  <tbxHeader><fileDesc><sourceDesc><p>test</p></sourceDesc></fileDesc></tbxHeader>
  <text><body>{entries}</body></text>
</tbx>
""".replace("LANG_DE", de).replace("LANG_EN", en)


SIMPLE_ENTRY = """
    <conceptEntry id="c1">
      <langSet xml:lang="LANG_DE"><termSec><term>Stützpunkt</term></termSec></langSet>
      <langSet xml:lang="LANG_EN"><termSec><term>base</term></termSec></langSet>
    </conceptEntry>"""


@pytest.mark.parametrize("name", ["g.tbx", "g.tbx.xml", "G.TBX"])
def test_round_trip_keeps_every_field(tmp_path, name):
    save_glossary(EVERY_FIELD, tmp_path / name)
    back = load_glossary(tmp_path / name)
    assert back.terms == EVERY_FIELD.terms
    assert [t.extra for t in back.terms] == [t.extra for t in EVERY_FIELD.terms]
    assert back.terms[0].origin == f"{tmp_path / name}:12"


def test_yaml_to_tbx_to_yaml_is_byte_identical(tmp_path):
    assert run("glossary", "export", CORPUS / "glossary.yaml", "-o", tmp_path / "g.tbx").exit_code == 0
    assert run("glossary", "import", tmp_path / "g.tbx", "-o", tmp_path / "a.yaml").exit_code == 0
    save_glossary(load_glossary(CORPUS / "glossary.yaml"), tmp_path / "b.yaml")
    assert (tmp_path / "a.yaml").read_bytes() == (tmp_path / "b.yaml").read_bytes()


def test_written_tbx_marks_forbidden_terms_like_trados_and_memoq(tmp_path):
    save_glossary(Glossary(terms=(Term("Stützpunkt", "base", forbidden=("support point",)),)), tmp_path / "g.tbx")
    text = (tmp_path / "g.tbx").read_text(encoding="utf-8")
    assert '<tbx type="TBX-Basic" style="dca"' in text and 'xmlns="urn:iso:std:iso:30042:ed-2"' in text
    assert (
        "<term>support point</term>\n"
        '            <termNote type="administrativeStatus">deprecatedTerm-admn-sts</termNote>'
    ) in text


# Text for XML: letters, digits, punctuation, symbols, spaces, and the three control characters XML keeps.
_text = st.text(
    st.characters(codec="utf-8", categories=("L", "N", "P", "Zs", "S"), include_characters="\t\n\r"), max_size=12
)
_word = _text.filter(lambda s: s.strip() == s and s != "")


@st.composite
def glossaries(draw):
    sources = draw(st.lists(_word, min_size=1, max_size=4, unique_by=str.casefold))
    terms = []
    for source in sources:
        terms.append(
            Term(
                source,
                draw(_word),
                variants=tuple(draw(st.lists(_text, max_size=2))),
                target_plural=draw(st.none() | _text),
                target_variants=tuple(draw(st.lists(_text, max_size=2))),
                case_sensitive=draw(st.booleans()),
                forbidden=tuple(draw(st.lists(_text, max_size=2))),
                do_not_translate=draw(st.booleans()),
                status=draw(st.sampled_from(STATUSES)),
                note=draw(st.none() | _text),
                domain=draw(st.none() | _text),
                tags=tuple(draw(st.lists(_text, max_size=2))),
                extra=draw(st.dictionaries(st.sampled_from(["x_a", "x_b"]), _text | st.integers(), max_size=2)),
            )
        )
    return Glossary(terms=tuple(terms))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(glossary=glossaries())
def test_generated_glossaries_round_trip(tmp_path, glossary):
    glossary = Glossary(terms=tuple({t.key: t for t in glossary.terms}.values()))
    save_glossary(glossary, tmp_path / "h.tbx")
    back = load_glossary(tmp_path / "h.tbx")
    assert back.terms == glossary.terms
    assert [dict(t.extra) for t in back.terms] == [dict(t.extra) for t in glossary.terms]


TBX_V2_FROM_ANOTHER_TOOL = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE martif SYSTEM "TBXcoreStructV02.dtd">
<martif type="TBX-Basic" xml:lang="en-US">
  <martifHeader><fileDesc><sourceDesc><p>memoQ export</p></sourceDesc></fileDesc></martifHeader>
  <text><body>
    <termEntry id="e1">
      <descripGrp><descrip type="subjectField">military</descrip></descripGrp>
      <note>checked 2024</note>
      <langSet xml:lang="de-DE">
        <tig><term>Stützpunkt</term><termNote type="administrativeStatus">admittedTerm-admn-sts</termNote></tig>
        <tig><term>Militärstützpunkt</term></tig>
      </langSet>
      <langSet xml:lang="en-GB">
        <tig><term>base</term><termNote type="administrativeStatus">preferredTerm-admn-sts</termNote></tig>
        <ntig><termGrp><term>bases</term><termNote type="grammaticalNumber">plural</termNote></termGrp></ntig>
        <tig><term>support point</term><termNote type="administrativeStatus">deprecatedTerm-admn-sts</termNote></tig>
        <tig><term>outpost</term><termNote type="administrativeStatus">admittedTerm-admn-sts</termNote></tig>
      </langSet>
    </termEntry>
    <termEntry id="e2">
      <langSet xml:lang="en-US"><tig><term>drone strike</term></tig></langSet>
      <langSet xml:lang="de"><tig><term>Drohnenangriff</term></tig></langSet>
    </termEntry>
  </body></text>
</martif>
"""


def test_tbx_v2_from_another_tool_with_regional_languages(tmp_path):
    path = write(tmp_path, "memoq.tbx", TBX_V2_FROM_ANOTHER_TOOL)
    terms = load_glossary(path).terms
    assert terms == (
        Term(
            "Stützpunkt",
            "base",
            variants=("Militärstützpunkt",),
            target_plural="bases",
            target_variants=("outpost",),
            forbidden=("support point",),
            status="proposed",
            note="checked 2024",
            domain="military",
        ),
        Term("Drohnenangriff", "drone strike"),
    )
    assert [t.origin for t in terms] == [f"{path}:6", f"{path}:20"]


def test_utf16_tbx_with_byte_order_mark(tmp_path):
    text = v3(SIMPLE_ENTRY).replace('encoding="UTF-8"', 'encoding="UTF-16"')
    path = tmp_path / "w.tbx"
    path.write_bytes(text.encode("utf-16"))
    assert load_glossary(path).terms == (Term("Stützpunkt", "base"),)


@pytest.mark.parametrize(
    ("de", "en", "found"),
    [("fr", "en", "fr, en"), ("de", "fr", "de, fr"), ("fr-FR", "es", "fr-FR, es")],
)
def test_wrong_language_pair_names_languages_and_file(tmp_path, de, en, found):
    path = write(tmp_path, "g.tbx", v3(SIMPLE_ENTRY, de, en))
    with pytest.raises(GlossaryError) as info:
        load_glossary(path)
    assert str(info.value) == (
        f"{path}: languages {found} found; Glossator needs German (de) and English (en) term entries. "
        "Export a de/en term base."
    )


class _Recorder(http.server.BaseHTTPRequestHandler):
    requests: ClassVar[list[str]] = []

    def do_GET(self):  # pragma: no cover - must never run
        _Recorder.requests.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"leaked")

    def log_message(self, *args):
        pass


@pytest.fixture
def http_server():
    server = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    _Recorder.requests = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


_opened: list[str] = []
_watching: list[bool] = [False]


def _audit(event, args):
    if _watching[0] and event == "open" and args and isinstance(args[0], str):
        _opened.append(args[0])


sys.addaudithook(_audit)


@pytest.mark.parametrize("kind", ["file", "http"])
def test_external_entity_is_refused_and_nothing_is_read_or_fetched(tmp_path, http_server, kind):
    secret = write(tmp_path, "secret.txt", "TOP SECRET")
    url = secret.as_uri() if kind == "file" else f"{http_server}/x"
    doc = (
        f'<?xml version="1.0"?>\n<!DOCTYPE tbx [\n<!ENTITY x SYSTEM "{url}">\n]>\n'
        + v3(SIMPLE_ENTRY.replace("<term>base</term>", "<term>&x;</term>")).split("\n", 1)[1]
    )
    path = write(tmp_path, "evil.tbx", doc)
    _opened.clear()
    _watching[0] = True
    try:
        with pytest.raises(GlossaryError) as info:
            load_glossary(path)
    finally:
        _watching[0] = False
    assert str(info.value) == (
        f"{path}: refused: the document declares the entity 'x'; Glossator never fetches or expands XML "
        "entities. Remove the <!ENTITY> declarations."
    )
    assert "\n" not in str(info.value)
    assert str(secret) not in _opened
    assert _Recorder.requests == []


def test_billion_laughs_is_refused_without_expanding(tmp_path):
    lol = ['<!ENTITY lol "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)
    ]
    doc = '<?xml version="1.0"?>\n<!DOCTYPE tbx [\n' + "\n".join(lol) + "\n]>\n<tbx>&lol9;</tbx>\n"
    path = write(tmp_path, "bomb.tbx", doc)
    with pytest.raises(GlossaryError, match=r"refused: the document declares the entity 'lol'") as info:
        load_glossary(path)
    assert str(info.value).startswith(f"{path}: ")


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ("<tbx>\n  <text>\n    <body>\n  </text>\n</tbx>\n", "4:5", "mismatched tag"),
        ('<tbx>\n<text a="1" a="2"/></tbx>', "2:13", "duplicate attribute"),
        ("<tbx><text></text>", "1:19", "no element found"),
    ],
)
def test_malformed_xml_names_file_line_and_column(tmp_path, text, where, message):
    path = write(tmp_path, "bad.tbx", text)
    with pytest.raises(GlossaryError) as info:
        load_glossary(path)
    assert str(info.value) == f"{path}:{where}: malformed XML: {message}. Fix the markup there."


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty file, not a TBX document"),
        ("  \n", "empty file, not a TBX document"),
        ("<html><body/></html>", "not a TBX file (root element <html>"),
        (v3("").replace("LANG", ""), "no <langSec> or <langSet> found"),
        ('<tbx style="dct"/>', "'dct' style is not supported"),
    ],
)
def test_not_a_term_base(tmp_path, text, message):
    path = write(tmp_path, "g.tbx", text)
    with pytest.raises(GlossaryError, match=re.escape(message)) as info:
        load_glossary(path)
    assert str(info.value).startswith(f"{path}: ")


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            '<conceptEntry><langSet xml:lang="en"><termSec><term>base</term></termSec></langSet></conceptEntry>'
            '<conceptEntry><langSet xml:lang="de"><termSec><term>B</term></termSec></langSet></conceptEntry>',
            "entry has no German (de) term",
        ),
        (
            '<conceptEntry><langSet xml:lang="de"><termSec><term>B</term></termSec></langSet>'
            '<langSet xml:lang="en"></langSet></conceptEntry>',
            "entry 'B' has no English (en) term",
        ),
        (SIMPLE_ENTRY.replace("LANG_DE", "de").replace("LANG_EN", "en") * 2, "duplicate entry 'Stützpunkt'"),
    ],
)
def test_bad_entries_name_file_and_line(tmp_path, entry, message):
    path = write(tmp_path, "g.tbx", v3(entry))
    with pytest.raises(GlossaryError, match=re.escape(message)) as info:
        load_glossary(path, strict=True)  # lenient reading lists these instead (test_tbx_real.py)
    assert str(info.value).startswith(f"{path}:")


def test_a_repeated_entry_is_merged_keeping_every_term(tmp_path):
    repeat = """
    <conceptEntry id="c2">
      <langSec xml:lang="de"><termSec><term>stützpunkt</term></termSec><termSec><term>Basis</term></termSec></langSec>
      <langSec xml:lang="en">
        <termSec><term>outpost</term></termSec>
        <termSec><term>bases</term><termNote type="grammaticalNumber">plural</termNote></termSec>
        <termSec><term>support point</term><termNote type="administrativeStatus">deprecatedTerm-admn-sts</termNote>
        </termSec>
      </langSec>
    </conceptEntry>"""
    path = write(tmp_path, "g.tbx", v3(SIMPLE_ENTRY.replace("LANG_DE", "de").replace("LANG_EN", "en") + repeat))
    glossary = load_glossary(path)
    assert glossary.terms == (
        Term(
            "Stützpunkt",
            "base",
            variants=("Basis",),
            target_plural="bases",
            target_variants=("outpost",),
            forbidden=("support point",),
        ),
    )
    assert glossary.extra["warnings"] == [
        f"{path}:9: duplicate entry 'stützpunkt' (first at {path}:5): merged, its English terms kept as target "
        "variants, its German as variants."
    ]


def test_binary_and_non_utf8_tbx_are_refused(tmp_path):
    binary = tmp_path / "b.tbx"
    binary.write_bytes(b"PK\x03\x04\x00\x00binary")
    latin = write(tmp_path, "l.tbx", v3(SIMPLE_ENTRY, "de", "en"), encoding="latin-1")
    with pytest.raises(InputFileError, match="binary"):
        load_glossary(binary)
    with pytest.raises(InputFileError, match="not valid utf-8"):
        load_glossary(latin)
    result = run("glossary", "validate", latin)
    assert result.exit_code == 3 and result.stderr.startswith(f"Error: {latin}: not valid utf-8")


def test_cli_refuses_unknown_export_format_listing_tbx(tmp_path):
    result = run("glossary", "export", CORPUS / "glossary.yaml", "-o", tmp_path / "g.xlsx")
    assert result.exit_code == 5
    assert result.stderr == f"Error: {tmp_path / 'g.xlsx'}: unknown format '.xlsx'. Use .yaml, .tsv, .csv or .tbx.\n"


def test_external_dtd_is_not_fetched_and_parameter_entities_are_refused(tmp_path, http_server):
    body = v3(SIMPLE_ENTRY, "de", "en").split("\n", 1)[1]
    with_dtd = write(tmp_path, "dtd.tbx", f'<!DOCTYPE tbx SYSTEM "{http_server}/tbx.dtd">\n{body}')
    assert load_glossary(with_dtd).terms == (Term("Stützpunkt", "base"),)
    parameter = write(
        tmp_path, "pe.tbx", f'<!DOCTYPE tbx [\n<!ENTITY % p SYSTEM "{http_server}/p.dtd">\n%p;\n]>\n{body}'
    )
    with pytest.raises(GlossaryError, match="declares the entity 'p'"):
        load_glossary(parameter)
    assert _Recorder.requests == []
