"""Hostile and broken input for every document format (issue 13, "bad input per format").

Every registered structured format whose module exists (``available()``) gets, through the CLI (``run_cli`` in a
thread with a time limit, so a hang fails instead of stalling the run): an empty file, random bytes, a real file cut
at 50 % and at 10 bytes, a real file with one byte flipped in its middle (zip packages: inside a compressed entry, so
the CRC or inflate check fails), another format behind its extension, an XML entity bomb ("billion laughs") and an
external entity (XXE, ``file:///etc/passwd``) injected into its XML, and for the zip packages a zip bomb (a central
directory claiming a huge entry, a 50 MB entry of zeros packed > 1000:1, an entry that inflates past what it
declares) and a zip of 100,000 entries. Each is either refused with exit 3 and one ``Error: <file>: …`` line and
nothing written, or — where the input is legitimately valid — translated into an output the format's own parser
reads. Never a traceback, never a hang, never ``/etc/passwd`` in an output or a message.

What a serious tool does with the inputs that are not obviously broken (``VALID`` below):

- an empty ``.html`` is an HTML page with nothing in it (browsers show a blank page) and an empty ``.srt`` a SubRip
  file without cues (SubRip has no header): both are written back as they are, empty. An empty ``.vtt`` lacks the
  ``WEBVTT`` line the WebVTT standard requires, an empty ``.po`` has no header (so no charset, no language to check
  German→English against), an empty XLIFF is not XML and an empty zip is no package: refused.
- cut at 50 %, the PO file here ends between two entries (``msgfmt --check`` reads it), the SubRip file after a
  cue's timing line (a cue without text, which players and the ``srt`` library read) and the WebVTT file inside a
  timing line, a block without ``-->`` that WebVTT parsers skip (kept, with a warning): shorter valid files,
  translated. Cut at 10 bytes, the WebVTT file is ``WEBVTT`` plus such a stray line (translated, nothing in it); the
  SubRip file ends in a broken timing line and the PO file holds only a comment (no entries): refused. An HTML page
  cut anywhere here ends inside an element or a tag: refused.
- plain text behind ``.html`` (a subtitle file, an XLIFF file read as tag soup) is a valid HTML page; everything
  else behind another format's extension is refused with what it is.
- an HTML page (not XHTML) with a DOCTYPE that declares entities: HTML has no DTDs, so the declaration is inert
  markup and ``&x;`` stays the text ``&x;``: translated, nothing resolved.

Two hypothesis tests (slow) mutate the bytes of each real file, and the XML of one part of each package zipped
again, and check the same: success with an output the format's own parser reads (Glossator's reader, and zipfile,
lxml, polib, srt or webvtt-py wherever they read the input), or one ``InputError`` line — never another exception.
The zip-bomb limits themselves are tested on ``translate/formats/package.py`` directly; the last tests pin the bugs
these inputs found.
"""

from __future__ import annotations

import functools
import io
import random
import re
import struct
import threading
import zipfile
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import lxml.etree
import lxml.html
import polib
import pytest
import srt
import webvtt
from clirun import CliResult, run_cli
from fakes import WordEngine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glossator import Translator
from glossator.common.errors import InputError
from glossator.common.settings import Settings
from glossator.translate.formats import STRUCTURED, available, open_source
from glossator.translate.formats.package import MAX_ENTRIES, Package

DATA = Path(__file__).parents[1] / "data" / "formats"
WORDS = {"und": "and", "der": "the", "die": "the", "das": "the", "ist": "is", "nicht": "not", "mit": "with"}
TIMEOUT_S = 60  # one CLI call; the slowest real case here takes about 2 s


def _first(folder: str, pattern: str) -> Path | None:
    found = sorted((DATA / folder).glob(pattern))
    return found[0] if found else None


# one real file per format (provenance: tests/data/formats/<fmt>/README.md)
SAMPLES: dict[str, Path | None] = {
    "html": DATA / "html" / "wikipedia-ralf-isau.de.html",
    "epub": DATA / "epub" / "pandoc-appstate.de.epub",
    "docx": DATA / "docx" / "handbuch-it-impressum.docx",
    "odt": DATA / "odt" / "odftoolkit-formular-anzeige.odt",
    "odp": _first("odp", "*.odp"),
    "pptx": DATA / "pptx" / "entscheiden-mit-informationen.pptx",
    "xlsx": DATA / "xlsx" / "libreoffice-wikipedia-ralf-isau.xlsx",
    "srt": DATA / "srt" / "sintel.de.srt",
    "vtt": DATA / "vtt" / "sintel.de.vtt",
    "xliff": DATA / "xliff" / "ngx-messages.de-en.xlf",
    "po": DATA / "po" / "studip-vote-2004.en.po",
}
ZIPS = ("epub", "docx", "odt", "odp", "pptx", "xlsx")
# the XML parts an entity bomb and an external entity go into
XML_PARTS = {
    "epub": ("EPUB/content.opf", "EPUB/text/ch001.xhtml"),
    "docx": ("word/document.xml",),
    "odt": ("content.xml",),
    "odp": ("content.xml",),
    "pptx": ("ppt/slides/slide1.xml",),
    "xlsx": ("xl/sharedStrings.xml",),
}
FORMATS = available()
ZIP_FORMATS = [f for f in FORMATS if f in ZIPS]
TEXT_FORMATS = [f for f in FORMATS if f not in ZIPS]
# (format, case) → the input is valid and translated; every other case is refused (see the module docstring)
VALID = {
    ("html", "empty"),
    ("srt", "empty"),
    ("srt", "half"),
    ("vtt", "half"),
    ("vtt", "ten"),
    ("po", "half"),
}
PLAIN_TEXT_IS_HTML = {("html", "srt"), ("html", "vtt"), ("html", "xliff")}  # (extension's format, file's format)

# "billion laughs": &x; expands to 10^9 times "lol"
ENTITY_BOMB = (
    b'<!ENTITY l0 "lol">'
    + b"".join(b'<!ENTITY l%d "%s">' % (i, b"&l%d;" % (i - 1) * 10) for i in range(1, 10))
    + b'<!ENTITY x "&l9;">'
)
XXE = b'<!ENTITY x SYSTEM "file:///etc/passwd">'
PASSWD = Path("/etc/passwd").read_text(encoding="utf-8", errors="replace").splitlines()[0]  # root:x:0:0:…


def _sample(fmt: str) -> bytes:
    path = SAMPLES.get(fmt)
    assert path is not None and path.is_file(), f"no real {fmt} file under {DATA / fmt} for the hostile-input tests"
    return path.read_bytes()


def _ext(fmt: str) -> str:
    return STRUCTURED[fmt].extensions[0]


# ------------------------------------------------------------------------------------------------ running


@pytest.fixture
def words(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI's engine is a word-for-word fake: the model is not the point here, the input is."""
    monkeypatch.setattr("glossator.translate.engine.load_engine", lambda settings: WordEngine(WORDS))


def cli(args: Sequence[str], timeout: float = TIMEOUT_S) -> CliResult:
    """``glossator ARGS`` in-process with a time limit: a hang is a failure, not a stalled test run."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["result"] = run_cli(list(args))
        except BaseException as exc:  # re-raised below, in the test's thread
            box["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        pytest.fail(f"glossator {' '.join(args)} did not finish within {timeout} s")
    if "error" in box:
        raise box["error"]
    result: CliResult = box["result"]
    return result


def translate(tmp_path: Path, data: bytes, name: str) -> tuple[CliResult, Path, Path]:
    """Write *data* as *name* and translate it through the CLI into an empty folder; (result, input, output)."""
    source = tmp_path / "in" / name
    source.parent.mkdir()
    source.write_bytes(data)
    out = tmp_path / "out"
    out.mkdir()
    target = out / name.replace(".de.", ".en.")
    return cli(["translate", str(source), "-o", str(target), "--no-cache"]), source, target


def assert_refused(result: CliResult, source: Path, target: Path) -> None:
    """Exit 3, one ``Error:`` line naming the file, nothing written (no output, no temp file)."""
    assert result.exit_code == 3, (result.exit_code, result.stderr)
    assert result.stderr.startswith(f"Error: {source}"), result.stderr
    assert result.stderr.count("\n") == 1 and result.stderr.endswith("\n"), result.stderr
    assert PASSWD not in result.stderr + result.stdout
    assert list(target.parent.iterdir()) == []


def assert_translated(result: CliResult, target: Path, fmt: str) -> bytes:
    """Exit 0, the output alone in its folder and read back by the format's own parser."""
    assert result.exit_code == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert [p.name for p in target.parent.iterdir()] == [target.name]
    data = target.read_bytes()
    assert PASSWD.encode() not in data
    check_output(fmt, data, target)
    return data


def check_output(fmt: str, data: bytes, path: Path, original: bytes | None = None) -> None:
    """*data* (the English file *path*) reads back: Glossator opens it again, and the format's usual parser reads it
    (with *original*: only where that parser read the original too)."""
    open_source(fmt, data, str(path))
    if original is not None and not _external_reads(fmt, original):
        return
    assert _external_reads(fmt, data), f"{fmt} parser cannot read {path}"


def _external_reads(fmt: str, data: bytes) -> bool:
    """Whether the format's usual library reads *data*: zipfile (every CRC) and lxml (every XML entry), polib,
    srt, webvtt-py, lxml's XML or HTML parser."""
    try:
        if fmt in ZIPS:
            with zipfile.ZipFile(io.BytesIO(data)) as package:
                if package.testzip() is not None:
                    return False
                for name in package.namelist():
                    if name.endswith((".xml", ".xhtml", ".opf", ".ncx", ".rels")):
                        lxml.etree.fromstring(package.read(name), _SAFE_XML)
        elif fmt == "xliff":
            lxml.etree.fromstring(data, _SAFE_XML)
        elif fmt == "html":
            if data.strip():
                lxml.html.document_fromstring(data)
        elif fmt == "po":
            polib.pofile(data.decode(_po_charset(data)))
        elif fmt == "srt":
            list(srt.parse(data.decode("utf-8-sig"), ignore_errors=False))
        elif fmt == "vtt":
            webvtt.from_buffer(io.StringIO(data.decode("utf-8-sig")))
        return True
    except Exception:  # any failure of the other library means "does not read it"
        return False


_SAFE_XML = lxml.etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def _po_charset(data: bytes) -> str:
    match = re.search(rb"charset=([A-Za-z0-9_.:-]+)", data[:4096])
    return match.group(1).decode("ascii") if match and match.group(1) != b"CHARSET" else "utf-8"


# ------------------------------------------------------------------------------------------------ zips by hand


@dataclass(frozen=True)
class Entry:
    """A zip entry as stored: its name, compression method, the bytes as stored, and what the headers claim."""

    name: str
    method: int
    stored: bytes
    crc: int
    size: int  # the uncompressed size the headers declare
    packed: int | None = None  # the compressed size the headers declare (None: len(stored))


def entries(package: bytes) -> list[Entry]:
    """The entries of *package* as stored (no decompression)."""
    out = []
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        for info in archive.infolist():
            name_len, extra_len = struct.unpack_from("<HH", package, info.header_offset + 26)
            start = info.header_offset + 30 + name_len + extra_len
            stored = package[start : start + info.compress_size]
            out.append(Entry(info.filename, info.compress_type, stored, info.CRC, info.file_size))
    return out


def build_zip(items: Sequence[Entry]) -> bytes:
    """A zip of *items* in this order, headers saying what each Entry claims (ZIP64 end records past 65535)."""
    local, central = bytearray(), bytearray()
    for item in items:
        name = item.name.encode("utf-8")
        packed = len(item.stored) if item.packed is None else item.packed
        fields = (item.method, 0, 0x21, item.crc, packed, item.size, len(name))
        central += struct.pack("<4s6H3I5H2I", b"PK\x01\x02", 20, 20, 0x800, *fields, 0, 0, 0, 0, 0, len(local))
        central += name
        local += struct.pack("<4s5H3I2H", b"PK\x03\x04", 20, 0x800, *fields, 0) + name + item.stored
    count, tail = len(items), b""
    if count > 0xFFFF:
        record = len(local) + len(central)
        tail = struct.pack("<4sQ2H2I4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, count, count, len(central), len(local))
        tail += struct.pack("<4sIQI", b"PK\x06\x07", 0, record, 1)
        count = 0xFFFF
    end = struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, count, count, len(central), len(local), 0)
    return bytes(local + central + tail + end)


def deflated(name: str, data: bytes) -> Entry:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return Entry(name, zipfile.ZIP_DEFLATED, packer.compress(data) + packer.flush(), zlib.crc32(data), len(data))


@functools.lru_cache(maxsize=1)
def zeros_50mb() -> Entry:
    """50 MB of zeros, deflated (about 1028:1): built once."""
    return deflated("zeros.bin", bytes(50 << 20))


def with_entry(package: bytes, entry: Entry) -> bytes:
    return build_zip([*entries(package), entry])


def claiming(package: bytes, name: str, size: int) -> bytes:
    """*package* whose entry *name* claims (central directory and local header) to unpack to *size* bytes."""
    return build_zip([replace(e, size=size) if e.name == name else e for e in entries(package)])


def many_entries(count: int) -> bytes:
    return build_zip([Entry(f"f{i}.txt", zipfile.ZIP_STORED, b"", 0, 0) for i in range(count)])


def flip_in_entry(package: bytes, name: str) -> bytes:
    """*package* with one byte flipped in the middle of entry *name*'s stored (compressed) bytes, in place."""
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        info = archive.getinfo(name)
    name_len, extra_len = struct.unpack_from("<HH", package, info.header_offset + 26)
    at = info.header_offset + 30 + name_len + extra_len + info.compress_size // 2
    return package[:at] + bytes([package[at] ^ 0xFF]) + package[at + 1 :]


def largest_entry(package: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        return max(archive.infolist(), key=lambda i: i.compress_size).filename


def replace_entry(package: bytes, name: str, data: bytes) -> bytes:
    """*package* with entry *name* holding *data* (deflated), everything else as stored."""
    return build_zip([deflated(name, data) if e.name == name else e for e in entries(package)])


def read_entry(package: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        return archive.read(name)


def inject_entities(xml: bytes, declarations: bytes) -> bytes:
    """*xml* with a DOCTYPE declaring *declarations* (replacing any DOCTYPE it had) and ``&x;`` in its root."""
    xml = re.sub(rb"<!DOCTYPE[^>\[]*>\s*", b"", xml, count=1)
    blanked = re.sub(rb"<\?.*?\?>|<!--.*?-->", lambda m: b" " * len(m.group()), xml, flags=re.S)
    root = re.search(rb"<([A-Za-z_][\w.:-]*)[^>]*>", blanked)
    assert root is not None
    doctype = b"<!DOCTYPE " + root.group(1) + b" [" + declarations + b"]>\n"
    return xml[: root.start()] + doctype + xml[root.start() : root.end()] + b"&x;" + xml[root.end() :]


# ------------------------------------------------------------------------------------------------ the cases


def _random_bytes() -> bytes:
    rng = random.Random(13)
    return bytes(rng.randrange(256) for _ in range(4096))


BROKEN: dict[str, Callable[[bytes], bytes]] = {
    "empty": lambda data: b"",
    "random": lambda data: _random_bytes(),
    "half": lambda data: data[: len(data) // 2],
    "ten": lambda data: data[:10],
    "flip": lambda data: data[: len(data) // 2] + bytes([data[len(data) // 2] ^ 0xFF]) + data[len(data) // 2 + 1 :],
}


@pytest.mark.parametrize("case", list(BROKEN))
@pytest.mark.parametrize("fmt", FORMATS)
def test_broken_files(tmp_path: Path, words: None, fmt: str, case: str) -> None:
    data = _sample(fmt)
    # zip packages: the flipped byte is in the main part's compressed data, so inflating or the CRC fails
    data = flip_in_entry(data, XML_PARTS[fmt][0]) if fmt in ZIPS and case == "flip" else BROKEN[case](data)
    result, source, target = translate(tmp_path, data, f"doc.de{_ext(fmt)}")
    if (fmt, case) in VALID:
        out = assert_translated(result, target, fmt)
        if case == "empty":
            assert out == b""
    else:
        assert_refused(result, source, target)


@pytest.mark.parametrize("fmt", ZIP_FORMATS)
def test_a_corrupt_entry_nothing_reads_before_writing_is_refused_too(tmp_path: Path, words: None, fmt: str) -> None:
    """The largest entry (an image, a thumbnail) is only read to be copied into the output: its broken CRC or
    deflate stream is still one line and exit 3, with nothing written — not a traceback after the translation."""
    data = _sample(fmt)
    entry = largest_entry(data)
    result, source, target = translate(tmp_path, flip_in_entry(data, entry), f"doc.de{_ext(fmt)}")
    assert_refused(result, source, target)
    assert entry in result.stderr


@pytest.mark.parametrize(("fmt", "real"), [(f, r) for f in FORMATS for r in FORMATS if r != f and SAMPLES.get(r)])
def test_another_format_behind_the_extension(tmp_path: Path, words: None, fmt: str, real: str) -> None:
    """Every real file under every other format's extension (a .docx renamed .odt, an .xlsx renamed .docx, HTML
    named .xlf, a PO named .srt among them): refused, except plain text read as an HTML page."""
    result, source, target = translate(tmp_path, _sample(real), f"doc.de{_ext(fmt)}")
    if (fmt, real) in PLAIN_TEXT_IS_HTML:
        assert_translated(result, target, fmt)
    else:
        assert_refused(result, source, target)


def _entity_cases() -> list[tuple[str, str | None]]:
    cases: list[tuple[str, str | None]] = [(f, p) for f in ZIP_FORMATS for p in XML_PARTS[f]]
    return [*cases, ("xliff", None), ("html", "xhtml")]


def _with_entities(fmt: str, part: str | None, declarations: bytes) -> tuple[bytes, str]:
    """The format's real file with *declarations* injected into *part* (None: the file itself); and its name."""
    if fmt == "html":  # the EPUB's chapter as a standalone .xhtml page
        chapter = read_entry(_sample("epub"), "EPUB/text/ch001.xhtml")
        return inject_entities(chapter, declarations), "page.de.xhtml"
    data = _sample(fmt)
    if part is None:
        return inject_entities(data, declarations), f"doc.de{_ext(fmt)}"
    return replace_entry(data, part, inject_entities(read_entry(data, part), declarations)), f"doc.de{_ext(fmt)}"


@pytest.mark.parametrize("declarations", [ENTITY_BOMB, XXE], ids=["entity-bomb", "xxe"])
@pytest.mark.parametrize(("fmt", "part"), _entity_cases(), ids=lambda v: str(v))
def test_entity_bombs_and_external_entities_are_refused(
    tmp_path: Path, words: None, fmt: str, part: str | None, declarations: bytes
) -> None:
    data, name = _with_entities(fmt, part, declarations)
    result, source, target = translate(tmp_path, data, name)
    assert_refused(result, source, target)
    assert "entit" in result.stderr  # says why: declares entities


def test_the_injected_part_is_otherwise_accepted(tmp_path: Path, words: None) -> None:
    """The injection itself keeps a part well-formed: the same DOCTYPE without declarations translates."""
    data = _sample("xliff")
    blank = inject_entities(data, b"").replace(b"&x;", b"")
    result, _, target = translate(tmp_path, blank, "doc.de.xlf")
    assert_translated(result, target, "xliff")


@pytest.mark.parametrize("declarations", [ENTITY_BOMB, XXE], ids=["entity-bomb", "xxe"])
def test_an_html_doctype_declaring_entities_is_inert(tmp_path: Path, words: None, declarations: bytes) -> None:
    page = b"<!DOCTYPE html [" + declarations + b"]>\n<html lang=de><body><p>Das ist &x; und mehr.</p></body></html>\n"
    result, _, target = translate(tmp_path, page, "page.de.html")
    out = assert_translated(result, target, "html")
    assert b"<p>Das is &amp;x; and mehr.</p>" in out  # the text translated, &x; left as the text it is
    assert b"lollol" not in out


# ------------------------------------------------------------------------------------------------ zip bombs


def test_the_package_refuses_zip_bombs_itself() -> None:
    small = build_zip([deflated("a.xml", b"<a/>"), deflated("b.bin", b"x" * 1000)])
    Package(small, "x.docx", "Word")  # the crafted zip itself is fine
    with pytest.raises(InputError, match=r"entry 'b\.bin' unpacks \d+:1; refusing it as a zip bomb"):
        Package(claiming(small, "b.bin", 0xFFFF_FFF0), "x.docx", "Word")
    with pytest.raises(InputError, match=r"entry 'zeros\.bin' unpacks 10\d\d:1"):
        Package(with_entry(small, zeros_50mb()), "x.docx", "Word")
    # each entry packed only 100:1, but 1.6 GB in all
    honest = [replace(e, size=800 << 20, packed=8 << 20) for e in entries(small)]
    with pytest.raises(InputError, match=r"unpacks to 1600 MiB; refusing it as a zip bomb"):
        Package(build_zip(honest), "x.docx", "Word")
    with pytest.raises(InputError, match=rf"{MAX_ENTRIES + 1} entries in one Word file"):
        Package(many_entries(MAX_ENTRIES + 1), "x.docx", "Word")
    # an entry that declares 1000 bytes and inflates to 50 MB: zipfile reads what it declares, the CRC says no
    liar = with_entry(small, replace(zeros_50mb(), name="liar.bin", size=1000))
    with pytest.raises(InputError, match=r"liar\.bin cannot be unpacked: Bad CRC-32"):
        Package(liar, "x.docx", "Word")
    # a broken entry is refused when the package is opened, not when it is copied after the translation
    with pytest.raises(InputError, match=r"b\.bin cannot be unpacked"):
        Package(flip_in_entry(small, "b.bin"), "x.docx", "Word")



def test_an_entry_name_with_a_line_break_is_still_a_one_line_error() -> None:
    """Found by the mutation test: the central directory names 'ppt/pre\nentation.xml' where the entry's own
    header says 'ppt/presentation.xml'; zipfile's complaint quotes both, line break included."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("ppt/presentation.xml", "<p/>")
    data = buffer.getvalue()
    central = data.rindex(b"ppt/presentation.xml")  # the central directory's copy of the name (the last one)
    broken = data[:central] + b"ppt/pre\nentation.xml" + data[central + len(b"ppt/presentation.xml") :]
    with pytest.raises(InputError) as caught:
        Package(broken, "m.pptx", "PowerPoint")
    message = str(caught.value)
    assert "\n" not in message and message.startswith("m.pptx: ") and "cannot be unpacked" in message


BOMBS: dict[str, Callable[[bytes], bytes]] = {
    "claims-4gb": lambda data: claiming(data, largest_entry(data), 0xFFFF_FFF0),
    "50mb-of-zeros": lambda data: with_entry(data, zeros_50mb()),
    "inflates-past-its-size": lambda data: with_entry(data, replace(zeros_50mb(), name="liar.bin", size=1000)),
}


@pytest.mark.parametrize("bomb", list(BOMBS))
@pytest.mark.parametrize("fmt", ZIP_FORMATS)
def test_zip_bombs_are_refused(tmp_path: Path, words: None, fmt: str, bomb: str) -> None:
    result, source, target = translate(tmp_path, BOMBS[bomb](_sample(fmt)), f"doc.de{_ext(fmt)}")
    assert_refused(result, source, target)
    assert ("zip bomb" if bomb != "inflates-past-its-size" else "Bad CRC-32") in result.stderr


@pytest.fixture(scope="module")
def hundred_thousand_entries() -> bytes:
    return many_entries(100_000)


@pytest.mark.parametrize(
    "fmt", [f if f == "epub" else pytest.param(f, marks=pytest.mark.slow) for f in ZIP_FORMATS]
)  # 2 s each (zipfile reads the central directory whole): one format by default, all with the slow tests
def test_a_zip_of_100000_entries_is_refused(
    tmp_path: Path, words: None, fmt: str, hundred_thousand_entries: bytes
) -> None:
    result, source, target = translate(tmp_path, hundred_thousand_entries, f"doc.de{_ext(fmt)}")
    assert_refused(result, source, target)
    assert "100000 entries" in result.stderr and "zip bomb" in result.stderr


# ------------------------------------------------------------------------------------------------ mutations


def _translate_in_process(tmp_path: Path, fmt: str, data: bytes) -> bytes | None:
    """Translate *data* with the API (word engine): the output's bytes, or None when refused with one line."""
    source = tmp_path / f"m.de{_ext(fmt)}"
    source.write_bytes(data)
    target = tmp_path / f"m.en{_ext(fmt)}"
    target.unlink(missing_ok=True)
    config = Settings(packages_dir=tmp_path / "packages", cache_dir=tmp_path / "cache", use_cache=False)
    try:
        with Translator(settings=config, engine=WordEngine(WORDS)) as translator:
            translator.translate_file(source, target)
    except InputError as exc:
        assert "\n" not in str(exc) and str(exc).startswith(str(source)), str(exc)
        assert not target.exists()
        return None
    return target.read_bytes()


_MUTATION = st.lists(
    st.one_of(
        st.tuples(st.just("flip"), st.floats(0, 1, exclude_max=True), st.integers(1, 255)),
        st.tuples(st.just("cut"), st.floats(0, 1, exclude_max=True), st.just(0)),
        st.tuples(st.just("insert"), st.floats(0, 1), st.integers(0, 255)),
        st.tuples(st.just("set"), st.floats(0, 1, exclude_max=True), st.sampled_from(b"a <>&\"'/=;#-:\n\x00\xc3")),
    ),
    min_size=1,
    max_size=4,
)


def _mutate(data: bytes, steps: Sequence[tuple[str, float, int]]) -> bytes:
    for kind, where, value in steps:
        at = int(where * len(data))
        if kind == "flip" and at < len(data):
            data = data[:at] + bytes([data[at] ^ value]) + data[at + 1 :]
        elif kind == "cut":
            data = data[:at]
        elif kind == "insert":
            data = data[:at] + bytes([value]) + data[at:]
        elif kind == "set" and at < len(data):  # a markup character where another byte was
            data = data[:at] + bytes([value]) + data[at + 1 :]
    return data


@pytest.mark.slow
@pytest.mark.parametrize("fmt", FORMATS)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=_MUTATION)
def test_mutated_bytes_give_an_output_or_one_line(
    tmp_path: Path, fmt: str, steps: list[tuple[str, float, int]]
) -> None:
    data = _mutate(_sample(fmt), steps)
    out = _translate_in_process(tmp_path, fmt, data)
    if out is not None:
        check_output(fmt, out, tmp_path / f"m.en{_ext(fmt)}", original=data)


def _xml_entries(package: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        return [n for n in archive.namelist() if n.endswith((".xml", ".rels", ".opf", ".ncx", ".xhtml"))]


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ZIP_FORMATS)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(draw=st.data())
def test_a_mutated_xml_part_gives_an_output_or_one_line(tmp_path: Path, fmt: str, draw: st.DataObject) -> None:
    """Raw bytes of a package mostly hit compressed data; this mutates the XML of one part (the main part, the
    content types, a relationship part, styles…), zipped again, so the format's own checks get the bad input."""
    package = _sample(fmt)
    part = draw.draw(st.sampled_from([*XML_PARTS[fmt], *_xml_entries(package)]), label="part")
    steps = draw.draw(_MUTATION, label="steps")
    data = replace_entry(package, part, _mutate(read_entry(package, part), steps))
    out = _translate_in_process(tmp_path, fmt, data)
    if out is not None:
        check_output(fmt, out, tmp_path / f"m.en{_ext(fmt)}", original=data)


# ------------------------------------------------------------------------------------------------ the bugs found


def test_html_cut_off_inside_a_tag_or_comment_is_refused_not_translated_as_text() -> None:
    """html.parser hands a tag cut off by the end of the file to the page as text: it was translated and written
    back escaped (``&lt;a href=…``), visible where browsers show nothing."""
    for page, where in (
        (b'<p>Hallo Welt <a href="x', "1:15"),
        (b"<p>Hallo Welt</p>\n<!-- Kommentar", "2:1"),
        (b"<!DOCTYPE ", "1:1"),
        (b"<p>Hallo</p></di", "1:13"),
    ):
        with pytest.raises(InputError, match=rf"^p\.html:{where}: the page ends inside the tag, comment or decl"):
            open_source("html", page, "p.html")
    text = open_source("html", b"<p>a < b und c <", "p.html")  # a lone "<" is text, as in browsers
    assert [b.paragraph.text for b in text.blocks()] == ["a < b und c <"]


@pytest.mark.parametrize(
    "charset", ["rot13", "base64", "zlib", "uu", "quopri", "idna", "punycode", "undefined", "utf-7", "unicode_escape"]
)
def test_a_charset_that_is_no_text_encoding_is_refused(charset: str) -> None:
    """Python's codec registry also holds bytes-to-bytes codecs (rot13, base64, zlib) and ones that are no charset
    (idna, punycode, unicode_escape; UTF-7, which browsers refuse): a page or catalogue declaring one was a
    traceback (LookupError, UnicodeError) on reading or on writing."""
    page = b'<meta charset="%s"><p>Das ist gut.</p>' % charset.encode()
    with pytest.raises(InputError, match=rf"^p\.html: declares the charset '{charset}', which is no charset for web"):
        open_source("html", page, "p.html")
    catalogue = b'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=%s\\n"\n\nmsgid "Gut."\nmsgstr ""\n'
    with pytest.raises(InputError, match=rf"^c\.po: the header declares charset '{charset}', which Python does not"):
        open_source("po", catalogue % charset.encode(), "c.po")


def test_real_charsets_are_still_read() -> None:
    for charset, text in (
        ("windows-1252", "Größe"),
        ("iso-8859-15", "Größe €"),
        ("shift_jis", "日本"),
        ("koi8-r", "Да"),
    ):
        page = f'<meta charset="{charset}"><p>{text} und mehr.</p>'.encode(charset)
        assert [b.paragraph.text for b in open_source("html", page, "p.html").blocks()] == [f"{text} und mehr."]
        catalogue = (
            f'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset={charset}\\n"\n\nmsgid "{text}"\nmsgstr ""\n'
        )
        assert [b.paragraph.text for b in open_source("po", catalogue.encode(charset), "c.po").blocks()] == [text]


def test_an_xml_syntax_error_is_one_line(tmp_path: Path, words: None) -> None:
    """libxml2 ends some messages with a line feed ("Char 0x0 out of allowed range\\n"): the InputError carried it."""
    xliff = _sample("xliff").replace(b"<source>", b"<source>\x00", 1)
    with pytest.raises(InputError) as error:
        open_source("xliff", xliff, "x.xlf")
    assert "\n" not in str(error.value) and "Char 0x0 out of allowed range" in str(error.value)
    result, source, target = translate(tmp_path, xliff, "doc.de.xlf")
    assert_refused(result, source, target)


def test_a_broken_deflate_stream_is_one_line() -> None:
    """zipfile raises zlib.error (not BadZipFile) for a corrupt deflate stream: it was a traceback."""
    broken = build_zip([deflated("a.xml", b"<a/>"), Entry("b.bin", zipfile.ZIP_DEFLATED, b"\xff\xff\xff\xff", 0, 100)])
    with pytest.raises(InputError, match=r"^x\.docx: not a valid Word file \(b\.bin cannot be unpacked: Error -3"):
        Package(broken, "x.docx", "Word")
