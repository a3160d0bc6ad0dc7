"""Excel XLSX (translate/formats/xlsx.py): text cells translated — shared strings once however many cells use
them, inline strings, rich-text runs as spans — while formulas, numbers, booleans, dates, errors, sheet names and
defined names stay; every part the translation does not touch byte for byte; openpyxl 3.1 reads the result back
as an independent parser; LibreOffice headless converts every translated workbook to PDF; bad packages are
refused with one line (exit 3, nothing written).

Real files: tests/data/formats/xlsx/ (German workbooks) and tests/data/formats/ooxml/ (the refused packages),
provenance in their README.md. The hand-made workbook below holds one construct per cell, so that a failure names it."""

from __future__ import annotations

import datetime
import io
import itertools
import re
import subprocess
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pptx
import pytest
from clirun import run_cli
from fakes import EchoEngine, WordEngine
from format_tools import require_tool, translate_document
from format_tools import zip_entries as entries
from hypothesis import HealthCheck, given
from hypothesis import settings as fuzz_settings
from hypothesis import strategies as st
from lxml import etree
from openpyxl.cell.rich_text import CellRichText, TextBlock
from paths import REPO, SMALL_MODEL

from glossator.common.errors import InputError
from glossator.glossary.model import Glossary, Term
from glossator.translate.formats.xlsx import open_source

DATA = REPO / "tests" / "data" / "formats"
REAL = sorted((DATA / "xlsx").glob("*.xlsx"))
OOXML = DATA / "ooxml"
S = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_S = f"{{{S}}}"
WORDS = {
    "Umsatz": "Revenue",
    "Die": "The",
    "die": "the",
    "Der": "The",
    "der": "the",
    "Das": "This",
    "das": "the",
    "Truppen": "troops",
    "bleiben": "remain",
    "hier": "here",
    "Zeile": "line",
    "eins": "one",
    "zwei": "two",
    "Vertrag": "contract",
    "gilt": "applies",
    "ist": "is",
    "eine": "a",
    "ein": "a",
    "Ohne": "Without",
    "Adresse": "address",
    "Zelle": "cell",
    "und": "and",
    "mit": "with",
    "für": "for",
    "nicht": "not",
    "oder": "or",
    "von": "of",
    "im": "in",
    "zu": "to",
    "auf": "on",
    "Summe": "Total",
}

# --------------------------------------------------------------------------------------------- the hand-made workbook

_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
SHARED = [
    "<si><t>Umsatz</t></si>",
    '<si><r><t xml:space="preserve">Die </t></r><r><rPr><b/><sz val="11"/><rFont val="Calibri"/></rPr>'
    '<t>Truppen</t></r><r><t xml:space="preserve"> bleiben hier.</t></r></si>',
    "<si><t>4711</t></si>",
    '<si><t xml:space="preserve">Zeile eins\nZeile zwei</t></si>',
    "<si><t>Der Vertrag gilt._x000D_</t></si>",
    "<si><t>Nicht benutzt</t></si>",  # no cell uses it
    '<si><t>Das ist Tokio</t><rPh sb="8" eb="13"><t>トウキョウ</t></rPh><phoneticPr fontId="0"/></si>',
    "<si><t>Die Zelle.</t></si>",
]
SHEET1 = (
    '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"><v>42</v></c><c r="C1"><f>B1*2</f><v>84</v></c>'
    '<c r="D1" t="b"><v>1</v></c><c r="E1" t="e"><v>#DIV/0!</v></c><c r="F1" s="1"><v>45292</v></c>'
    '<c r="G1" t="str"><f>"Die "&amp;"Truppen"</f><v>Die Truppen</v></c><c r="H1" t="str"><v>Die Zelle gilt.</v></c>'
    "</row>"
    '<row r="2"><c r="B2" t="s"><v>1</v></c></row>'
    '<row r="3"><c r="A3" t="s"><v>2</v></c><c r="B3" t="s"><v/></c></row>'  # B3: empty
    '<row r="4"><c r="A4" t="s"><v>3</v></c></row>'
    '<row r="5"><c r="A5" t="s"><v>4</v></c></row>'
    '<row r="6"><c r="A6" t="inlineStr"><is><t>Das ist eine Zeile.</t></is></c></row>'
    '<row r="7"><c r="A7" t="inlineStr"><is><r><rPr><i/></rPr><t xml:space="preserve">Die Zelle </t></r><r>'
    "<t>gilt.</t></r></is></c></row>"
    '<row r="8"><c r="A8" t="s"><v>6</v></c></row>'
    '<row r="9"><c t="s"><v>1</v></c><c t="inlineStr"><is><t>Ohne Adresse</t></is></c></row>'
)
SHEET2 = '<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="A2" t="s"><v>7</v></c></row>'
STYLES = (
    f'{_DECL}<styleSheet xmlns="{S}"><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="1"><fill><patternFill patternType="none"/></fill></fills><borders count="1"><border/></borders>'
    '<cellStyleXfs count="1"><xf/></cellStyleXfs><cellXfs count="2"><xf/><xf numFmtId="14" applyNumberFormat="1"/>'
    '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)


def workbook(shared: Sequence[str] = SHARED, sheet1: str = SHEET1, sheet2: str = SHEET2,
             extra: dict[str, bytes] | None = None) -> bytes:  # fmt: skip
    parts = {
        "[Content_Types].xml": f'{_DECL}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_CT}.worksheet+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet2.xml" ContentType="{_CT}.worksheet+xml"/>'
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_CT}.sharedStrings+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{_CT}.styles+xml"/></Types>',
        "_rels/.rels": f'{_DECL}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'{_DECL}<workbook xmlns="{S}" xmlns:r="{_REL}"><sheets>'
        '<sheet name="Tabelle1" sheetId="1" r:id="rId1"/><sheet name="Daten" sheetId="2" r:id="rId2"/></sheets>'
        '<definedNames><definedName name="Bereich">Tabelle1!$A$1:$B$2</definedName></definedNames></workbook>',
        "xl/_rels/workbook.xml.rels": f'{_DECL}<Relationships xmlns="http://schemas.openxmlformats.org/package/'
        f'2006/relationships"><Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{_REL}/worksheet" Target="/xl/worksheets/sheet2.xml"/>'
        f'<Relationship Id="rId3" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
        f'<Relationship Id="rId4" Type="{_REL}/styles" Target="styles.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": f'{_DECL}<worksheet xmlns="{S}"><sheetData>{sheet1}</sheetData></worksheet>',
        "xl/worksheets/sheet2.xml": f'{_DECL}<worksheet xmlns="{S}"><sheetData>{sheet2}</sheetData></worksheet>',
        "xl/sharedStrings.xml": f'{_DECL}<sst xmlns="{S}" count="{len(shared) + 2}" uniqueCount="{len(shared)}">'
        f"{''.join(shared)}</sst>",
        "xl/styles.xml": STYLES,
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            z.writestr(name, text)
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return out.getvalue()


def translate(
    tmp_path: Path, data: bytes, engine: Any = None, glossary: Glossary | None = None, name: str = "a.de.xlsx"
) -> tuple[Any, bytes]:
    return translate_document(tmp_path, data, engine or WordEngine(WORDS), glossary, name)


def book(data: bytes) -> Any:
    return openpyxl.load_workbook(io.BytesIO(data), rich_text=True)


# --------------------------------------------------------------------------------------------- hand-made workbook


def test_text_cells_are_blocks_in_sheet_order_and_a_shared_string_is_one_block() -> None:
    source = open_source(workbook(), "w.xlsx")
    assert [(b.location, b.paragraph.text) for b in source.blocks()] == [
        ("sheet Tabelle1 cell A1", "Umsatz"),  # also Daten!A1: translated once
        ("sheet Tabelle1 cell H1", "Die Zelle gilt."),  # text in t="str" without a formula (G1 has one)
        ("sheet Tabelle1 cell B2", "Die Truppen bleiben hier."),
        ("sheet Tabelle1 cell A4", "Zeile eins Zeile zwei"),  # the line break in the cell is an atom
        ("sheet Tabelle1 cell A5", "Der Vertrag gilt."),  # so is the _x000D_ escape
        ("sheet Tabelle1 cell A6", "Das ist eine Zeile."),
        ("sheet Tabelle1 cell A7", "Die Zelle gilt."),
        ("sheet Tabelle1 cell B9", "Ohne Adresse"),  # cells without r are counted (A9 repeats B2's string)
        ("sheet Daten cell A2", "Die Zelle."),
    ]
    assert source.warnings == ["sheet Tabelle1 cell A8: kept untranslated (the text has phonetic guides)"]
    marks = [[(m.kind, m.tag) for m in b.paragraph.marks] for b in source.blocks()]
    assert marks[2] == [("open", "run"), ("close", "run")]  # the bold run; the other two have no properties
    assert marks[3] == [("atom", "br")] and marks[4] == [("atom", "esc")]


def test_strings_come_out_in_english_and_everything_else_stays(tmp_path: Path) -> None:
    data = workbook()
    result, out = translate(tmp_path, data)
    wb = book(out)
    assert wb.sheetnames == ["Tabelle1", "Daten"] and list(wb.defined_names) == ["Bereich"]
    assert wb.defined_names["Bereich"].attr_text == "Tabelle1!$A$1:$B$2"
    first, second = wb["Tabelle1"], wb["Daten"]
    assert first["A1"].value == second["A1"].value == "Revenue"
    assert [s.source for s in result.segments].count("Umsatz") == 1
    assert (first["B1"].value, first["C1"].value, first["D1"].value, first["E1"].value) == (
        42,
        "=B1*2",
        True,
        "#DIV/0!",
    )
    assert first["F1"].value == datetime.datetime(2024, 1, 1) and first["G1"].value == '="Die "&"Truppen"'
    assert first["H1"].value == "The cell applies."
    rich = first["B2"].value
    assert isinstance(rich, CellRichText)
    assert [(b.text, b.font.b) if isinstance(b, TextBlock) else (b, None) for b in rich] == [
        ("The ", None),
        ("troops", True),
        (" remain here.", None),
    ]
    assert first["A3"].value == "4711"
    assert first["A4"].value == "line one\nline two"
    assert first["A6"].value == "This is a line."
    # the plain run is the span here (the italic one has more text); punctuation at a span's edge stays outside
    # it (translate/inline.py), so the full stop takes the base formatting
    assert [(b.text, b.font.i) if isinstance(b, TextBlock) else (b, None) for b in first["A7"].value] == [
        ("The cell ", True),
        ("applies", None),
        (".", True),
    ]
    assert first["A8"].value == "Das ist Tokio" and first["B9"].value == "Without address"
    assert second["A2"].value == "The cell."
    sst = etree.fromstring(dict(entries(out))["xl/sharedStrings.xml"])
    items = sst.findall(f"{_S}si")
    assert len(items) == len(SHARED) and sst.get("count") == "10" and sst.get("uniqueCount") == "8"
    assert items[3].find(f"{_S}t").get("{http://www.w3.org/XML/1998/namespace}space") == "preserve"
    assert items[4].findtext(f"{_S}t") == "The contract applies._x000D_"
    assert items[5].findtext(f"{_S}t") == "Nicht benutzt"
    # only the shared strings and the sheet with inline strings changed
    changed = {name for (name, a), (_, b) in zip(entries(data), entries(out), strict=True) if a != b}
    assert changed == {"xl/sharedStrings.xml", "xl/worksheets/sheet1.xml"}
    sheet = etree.fromstring(dict(entries(out))["xl/worksheets/sheet1.xml"])
    assert [c.get("t") for c in sheet.iter(f"{_S}c")] == [
        c.get("t") for c in etree.fromstring(dict(entries(data))["xl/worksheets/sheet1.xml"]).iter(f"{_S}c")
    ]


def test_identity_round_trip_keeps_every_entry(tmp_path: Path) -> None:
    for name, data in [("book.de.xlsx", workbook()), *((f"{p.stem}.de.xlsx", p.read_bytes()) for p in REAL)]:
        _, out = translate(tmp_path, data, engine=EchoEngine(), name=name)
        assert entries(out) == entries(data), name


def test_a_glossary_term_inside_a_rich_text_run_is_enforced(tmp_path: Path) -> None:
    shared = [
        '<si><r><t xml:space="preserve">Der </t></r><r><rPr><b/></rPr><t>Vertrag</t></r><r>'
        '<t xml:space="preserve"> gilt.</t></r></si>',
        "<si><t>Der Vertrag gilt.</t></si>",
    ]
    sheet = '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
    result, out = translate(tmp_path, workbook(shared, sheet, ""), glossary=Glossary((Term("Vertrag", "agreement"),)))
    ws = book(out)["Tabelle1"]
    assert [(b.text, b.font.b) if isinstance(b, TextBlock) else (b, None) for b in ws["A1"].value] == [
        ("The ", None),
        ("agreement", True),
        (" applies.", None),
    ]
    assert ws["B1"].value == "The agreement applies."
    assert [c.status for s in result.segments for c in s.checks] == ["enforced", "enforced"]


# --------------------------------------------------------------------------------------------- real files


def test_the_real_files_are_there_and_small() -> None:
    assert len(REAL) >= 4 and all(p.stat().st_size < 200_000 for p in REAL)


def _english(text: str) -> str:
    """*text* as WordEngine(WORDS) translates it, word for word."""
    out = []
    for word in text.split():
        core = word.rstrip(".,:;!?")
        out.append(WORDS.get(core, core) + word[len(core) :] if core else word)
    return _norm(" ".join(out))


def _norm(text: str) -> str:
    return re.sub(r" ([.,:;!?])", r"\1", " ".join(text.split()))


def _font(block: Any) -> tuple[Any, ...]:
    if not isinstance(block, TextBlock):
        return ()
    f = block.font
    return (f.b, f.i, f.u, f.strike, f.sz, f.rFont, f.color.rgb if f.color is not None else None, f.vertAlign)


def _segments(value: CellRichText) -> list[tuple[tuple[Any, ...], str]]:
    """The rich text's runs by font, adjacent equal ones merged, without runs of punctuation only (punctuation at a
    span's edge stays outside it in the English, translate/inline.py)."""
    out: list[tuple[tuple[Any, ...], str]] = []
    for block in value:
        text = block.text if isinstance(block, TextBlock) else str(block)
        if not any(ch.isalnum() for ch in text):
            continue
        if out and out[-1][0] == _font(block):
            out[-1] = (out[-1][0], out[-1][1] + " " + text)
        else:
            out.append((_font(block), text))
    return out


def _glued(value: CellRichText) -> bool:
    """Two runs of different fonts meet without a space between them ("[" "Bearbeiten" "]"): one word for the
    model, whose markup can only come back around the whole word."""
    blocks = [(_font(b), b.text if isinstance(b, TextBlock) else str(b)) for b in value]
    return any(a[0] != b[0] and a[1][-1:].strip() and b[1][:1].strip() for a, b in itertools.pairwise(blocks))


def _words(text: str) -> str:
    """The words of *text* without the punctuation around them (a dash or a bracket beside a span may go inside or
    outside it in the English: the projection moves only words)."""
    return " ".join(re.sub(r"^\W+|\W+$", "", w) for w in text.split() if any(ch.isalnum() for ch in w))


@pytest.mark.parametrize("path", REAL, ids=lambda p: p.name)
def test_a_real_workbook_keeps_its_cells_and_its_formatting_on_the_translated_words(tmp_path: Path, path: Path) -> None:
    data = path.read_bytes()
    result, out = translate(tmp_path, data, name=f"{path.stem}.de.xlsx")
    before, after = book(data), book(out)
    assert before.sheetnames == after.sheetnames
    assert {n: d.attr_text for n, d in before.defined_names.items()} == {
        n: d.attr_text for n, d in after.defined_names.items()
    }
    strings = rich = 0
    for ws_in, ws_out in zip(before.worksheets, after.worksheets, strict=True):
        assert ws_in.dimensions == ws_out.dimensions and ws_in.merged_cells.ranges == ws_out.merged_cells.ranges
        for row_in, row_out in zip(ws_in.iter_rows(), ws_out.iter_rows(), strict=True):
            for c_in, c_out in zip(row_in, row_out, strict=True):
                where = f"{ws_in.title}!{c_in.coordinate}"
                assert (c_in.coordinate, c_in.data_type, c_in.style_id) == (
                    c_out.coordinate,
                    c_out.data_type,
                    c_out.style_id,
                ), where
                value = c_in.value
                if isinstance(value, CellRichText):
                    strings += 1
                    assert _words(_english(str(value))) == _words(str(c_out.value)), where
                    if not _glued(value):  # a run boundary inside a word cannot survive a translation
                        expected = [(k, _words(_english(t))) for k, t in _segments(value)]
                        assert [(k, _words(t)) for k, t in _segments(c_out.value)] == expected, where
                        rich += 1
                elif isinstance(value, str) and c_in.data_type == "s":
                    strings += 1
                    assert _norm(c_out.value) == _english(value), where
                    assert c_out.value.count("\n") == value.count("\n"), where
                else:  # numbers, dates, booleans, errors, formulas: the same value
                    assert c_out.value == value, where
    assert strings and not [s for s in result.segments if s.warnings]
    assert rich or not any(
        isinstance(c.value, CellRichText) for ws in before.worksheets for r in ws.iter_rows() for c in r
    )
    for (name, a), (name_out, b) in zip(entries(data), entries(out), strict=True):
        assert name == name_out
        if a != b:
            assert name == "xl/sharedStrings.xml" or name.startswith("xl/worksheets/sheet"), name


@pytest.mark.slow  # LibreOffice: about 10 s
def test_libreoffice_converts_every_translated_workbook_to_pdf(tmp_path: Path) -> None:
    soffice = require_tool("soffice")
    inputs = [("book.de.xlsx", workbook()), *((f"{p.stem}.de.xlsx", p.read_bytes()) for p in REAL)]
    translated = tmp_path / "en"
    translated.mkdir()
    for name, data in inputs:
        _, out = translate(tmp_path, data, name=name)
        (translated / name).write_bytes(out)
    run = subprocess.run(
        [soffice, f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path / "pdf"), *sorted(map(str, translated.glob("*.xlsx")))],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    log = run.stdout + run.stderr
    assert run.returncode == 0 and "Error" not in log, log
    for name, _ in inputs:
        made = tmp_path / "pdf" / f"{Path(name).stem}.pdf"
        assert made.exists(), (name, log)
        pdf = made.read_bytes()
        assert pdf.startswith(b"%PDF") and b"%%EOF" in pdf[-1024:] and re.search(rb"/Type\s*/Page\b(?!s)", pdf), name


# --------------------------------------------------------------------------------------------- bad packages


def _ole(*streams: str) -> bytes:
    """The start of an OLE compound file whose directory names *streams* (as Office writes them, UTF-16)."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    return header + b"".join(s.encode("utf-16-le") + bytes(64 - 2 * len(s)) for s in streams) + bytes(1024)


def _bad() -> dict[str, tuple[bytes, str]]:
    good = workbook()
    cases = {
        "not a zip": (b"Das ist keine Tabelle.\n", "not a valid Excel Workbook (.xlsx) file (broken zip"),
        "truncated": (good[: len(good) // 2], "not a valid Excel Workbook (.xlsx) file (broken zip"),
        "encrypted": (_ole("EncryptionInfo", "EncryptedPackage"), "password-protected"),
        "shared string out of range": (
            workbook(sheet2='<row r="1"><c r="A1" t="s"><v>99</v></c></row>'),
            "xl/worksheets/sheet2.xml: cell A1 names shared string 99 of 8",
        ),
        "no shared string index": (
            workbook(sheet2='<row r="1"><c r="A1" t="s"><v>Umsatz</v></c></row>'),
            "xl/worksheets/sheet2.xml: cell A1 names no shared string",
        ),
        "broken xml": (workbook(sheet2="<row><c>"), "xl/worksheets/sheet2.xml: not well-formed XML"),
        "macro part": (workbook(extra={"xl/vbaProject.bin": b"\x00" * 64}), "holds macros (xl/vbaProject.bin)"),
    }
    real = {
        "encrypted (msoffcrypto-tool)": ("msoffcrypto-example_password.xlsx", "password-protected"),
        "old .xls (msoffcrypto-tool)": ("msoffcrypto-plain.xls", "old binary Excel file"),
        "xlsm (Apache POI)": ("poi-SimpleMacro.xlsm", "holds macros (xl/vbaProject.bin)"),
        "Excel 4 macro sheet (Apache POI)": ("poi-xlmmacro.xlsm", "holds macros (xl/macrosheets/sheet1.xml)"),
        "link to another workbook (Apache POI)": (
            "poi-link-external-workbook-b.xlsx",
            "links to other workbooks (xl/externalLinks/externalLink0.xml)",
        ),
    }
    for case, (file, message) in real.items():
        cases[case] = ((OOXML / file).read_bytes(), message)
    deck = io.BytesIO()
    pptx.Presentation().save(deck)  # python-pptx's default deck
    cases["a presentation"] = (
        deck.getvalue(),
        "not an Excel Workbook (.xlsx) file (its main part ppt/presentation.xml",
    )
    return cases


BAD_CASES = _bad()


@pytest.mark.parametrize("case", sorted(BAD_CASES), ids=str)
def test_bad_packages_are_refused_with_one_line_exit_3_and_nothing_written(tmp_path: Path, case: str) -> None:
    data, message = BAD_CASES[case]
    with pytest.raises(InputError) as error:
        open_source(data, "bad.xlsx")
    assert message in str(error.value) and "\n" not in str(error.value), str(error.value)
    source = tmp_path / "bad.de.xlsx"
    source.write_bytes(data)
    result = run_cli(["translate", str(source), "-o", str(tmp_path / "out.xlsx")])
    assert result.exit_code == 3, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and message in lines[0], result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.de.xlsx"]


# --------------------------------------------------------------------------------------------- fuzzing

_BOOK = workbook()
_BOOK_PARTS = [name for name, _ in entries(_BOOK) if name.endswith((".xml", ".rels"))]


def _replace(data: bytes, entry: str, new: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as z, zipfile.ZipFile(out, "w") as target:
        for info in z.infolist():
            target.writestr(info, new if info.filename == entry else z.read(info))
    return out.getvalue()


@st.composite
def _mutated(draw: st.DrawFn) -> bytes:
    """The hand-made workbook with one XML part cut, padded or spliced (a slice deleted, repeated or replaced)."""
    part = draw(st.sampled_from(_BOOK_PARTS))
    data = dict(entries(_BOOK))[part]
    start = draw(st.integers(0, len(data)))
    end = draw(st.integers(start, min(len(data), start + 64)))
    insert = draw(
        st.sampled_from([b"", data[start:end] * 2, b'<c r="A1" t="s"><v>7</v></c>', b"<v>-1</v>", b"&", b"<"])
    )
    return _replace(_BOOK, part, data[:start] + insert + data[end:])


@fuzz_settings(max_examples=120, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(_mutated())
def test_a_damaged_workbook_is_translated_or_refused_with_one_line(data: bytes) -> None:
    try:
        source = open_source(data, "fuzz.xlsx")
        for block in source.blocks():
            source.put(block, block.paragraph.source.replace("e", "E"))
        out = source.dump()
    except InputError as error:
        assert "\n" not in str(error) and str(error).startswith("fuzz.xlsx: ")
        return
    assert [name for name, _ in entries(out)] == [name for name, _ in entries(data)]
    open_source(out, "again.xlsx")  # what it wrote, it reads


# --------------------------------------------------------------------------------------------- the small model


@pytest.mark.slow  # the project's small model on every real deck and workbook: about a minute
def test_real_decks_and_workbooks_translated_by_the_small_model_keep_their_structure(tmp_path: Path) -> None:
    import json

    from test_pptx import REAL as DECKS
    from test_pptx import _frames, presentation

    assert (
        run_cli(
            ["models", "install", str(SMALL_MODEL)]
        ).exit_code
        == 0
    )
    inputs = tmp_path / "in"
    inputs.mkdir()
    for path in [*DECKS, *REAL]:
        (inputs / f"{path.stem}.de{path.suffix}").write_bytes(path.read_bytes())
    result = run_cli(["translate", str(inputs), "-o", str(tmp_path / "out"), "--json", "--quiet"])
    assert result.exit_code == 0, result.stderr
    reports = {Path(r["name"]).name: r for r in json.loads(result.stdout)}
    for path in [*DECKS, *REAL]:
        german = path.read_bytes()
        english = (tmp_path / "out" / f"{path.stem}.en{path.suffix}").read_bytes()
        segments = reports[f"{path.stem}.de{path.suffix}"]["segments"]
        assert segments and all(s["location"] for s in segments), path.name
        for name, data in entries(english):  # no mark left behind
            assert not (name.endswith(".xml") and re.search("[\U000f0000-\U000ffffd]", data.decode())), name
        if path.suffix == ".pptx":
            before, after = _frames(presentation(german)), _frames(presentation(english))
            assert [(n, len(f.paragraphs)) for n, f in before] == [(n, len(f.paragraphs)) for n, f in after]
            continue
        wb_in, wb_out = book(german), book(english)
        assert wb_in.sheetnames == wb_out.sheetnames
        for ws_in, ws_out in zip(wb_in.worksheets, wb_out.worksheets, strict=True):
            for row_in, row_out in zip(ws_in.iter_rows(), ws_out.iter_rows(), strict=True):
                for c_in, c_out in zip(row_in, row_out, strict=True):
                    assert (c_in.coordinate, c_in.data_type) == (c_out.coordinate, c_out.data_type)
                    if not isinstance(c_in.value, str | CellRichText):
                        assert c_in.value == c_out.value, (path.name, c_in.coordinate)
