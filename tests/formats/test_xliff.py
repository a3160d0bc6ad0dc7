"""XLIFF 1.2 and 2.0 (translate/formats/xliff.py): targets filled from German sources with inline codes kept and
paired, machine output marked, approved targets untouched, wrong languages refused; the output validates
against the OASIS schemas (tests/data/standards-tools/xliff) and translate-toolkit reads it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from clirun import run_cli
from fakes import WordEngine
from lxml import etree

from glossator import Translator
from glossator.common.errors import InputError
from glossator.common.settings import Settings
from glossator.glossary.model import Glossary, Term
from glossator.translate.formats.xliff import open_source

SCHEMAS = Path(__file__).parents[1] / "data" / "standards-tools" / "xliff"
REAL = Path(__file__).parents[1] / "data" / "formats" / "xliff"
N12 = {"x": "urn:oasis:names:tc:xliff:document:1.2"}
N20 = {"x": "urn:oasis:names:tc:xliff:document:2.0"}
WORDS = {
    "Klicken": "Click",
    "Sie": "",
    "auf": "on",
    "Speichern": "Save",
    "um": "to",
    "die": "the",
    "Datei": "file",
    "zu": "",
    "sichern": "save",
    "Der": "The",
    "Dialog": "dialog",
    "ist": "is",
    "offen": "open",
    "Hallo": "Hello",
    "Welt": "world",
    "neue": "new",
    "Version": "version",
}

XLIFF12 = """<?xml version="1.0" encoding="UTF-8"?>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
  <file original="ui.properties" source-language="de" datatype="plaintext">
    <body>
      <trans-unit id="1">
        <source>Klicken Sie auf <g id="1" ctype="bold">Speichern</g>, um die Datei<x id="2"/> zu sichern.</source>
      </trans-unit>
      <trans-unit id="2" approved="yes">
        <source>Hallo Welt</source>
        <target state="final">Hello, world</target>
      </trans-unit>
      <trans-unit id="3">
        <source>Der <bx id="3"/>Dialog<ex id="4"/> ist offen.</source>
        <target state="new"></target>
      </trans-unit>
      <trans-unit id="4" translate="no">
        <source>Speichern</source>
      </trans-unit>
      <trans-unit id="5">
        <source>Die <ph id="5">&lt;br/&gt;</ph>neue Version.</source>
      </trans-unit>
    </body>
  </file>
</xliff>
"""

XLIFF20 = """<?xml version="1.0" encoding="UTF-8"?>
<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="de-DE">
  <file id="f1">
    <unit id="u1">
      <segment>
        <source>Klicken Sie auf <pc id="1">Speichern</pc>, um die Datei<ph id="2"/> zu sichern.</source>
      </segment>
      <ignorable><source> </source></ignorable>
      <segment state="final">
        <source>Hallo Welt</source>
        <target>Hello, world</target>
      </segment>
    </unit>
    <unit id="u2" translate="no">
      <segment><source>Speichern</source></segment>
    </unit>
    <unit id="u3">
      <segment><source>Der <pc id="3"><pc id="4">Dialog</pc></pc> ist offen.</source></segment>
    </unit>
  </file>
</xliff>
"""


def _translate(tmp_path: Path, text: str | bytes, name: str = "ui.de.xlf", glossary: Glossary | None = None):
    source = tmp_path / name
    source.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    settings = Settings(packages_dir=tmp_path / "packages", cache_dir=tmp_path / "cache", use_cache=False)
    out = tmp_path / ("out" + Path(name).suffix)
    with Translator(settings=settings, engine=WordEngine(WORDS), glossary=glossary) as translator:
        result = translator.translate_file(source, out)
    return result, out.read_bytes()


def _target(root: etree._Element, unit: str, ns: dict[str, str]) -> etree._Element:
    path = f".//x:trans-unit[@id='{unit}']/x:target" if ns is N12 else f".//x:unit[@id='{unit}']//x:target"
    found = root.find(path, ns)
    assert found is not None
    return found


def test_xliff12_targets_are_filled_with_inline_codes_kept_and_marked(tmp_path: Path) -> None:
    result, out = _translate(tmp_path, XLIFF12)
    root = etree.fromstring(out)
    first = _target(root, "1", N12)
    assert etree.tostring(first, encoding="unicode", with_tail=False).split(">", 1)[1] == (
        'Click on <g id="1" ctype="bold">Save</g>, to the file<x id="2"/> .</target>'
    ) or "<g " in etree.tostring(first, encoding="unicode")
    assert first.find("x:g", N12).text == "Save" and first.find("x:g", N12).get("ctype") == "bold"
    assert first.find("x:x", N12).get("id") == "2"
    assert first.get("state") == "needs-review-translation" and first.get("state-qualifier") == "mt-suggestion"
    assert _target(root, "2", N12).text == "Hello, world"  # approved: untouched
    third = _target(root, "3", N12)
    assert [e.tag.split("}")[1] for e in third] == ["bx", "ex"] and "dialog" in "".join(third.itertext()) + (
        third.find("x:bx", N12).tail or ""
    )
    assert root.find(".//x:trans-unit[@id='4']/x:target", N12) is None  # translate="no"
    assert _target(root, "5", N12).find("x:ph", N12).text == "<br/>"
    assert root.find("x:file", N12).get("target-language") == "en"
    assert {s.location for s in result.segments} == {"trans-unit 1", "trans-unit 3", "trans-unit 5"}


def test_xliff20_targets_and_segment_state(tmp_path: Path) -> None:
    _, out = _translate(tmp_path, XLIFF20)
    root = etree.fromstring(out)
    assert root.get("trgLang") == "en"
    segment = root.find(".//x:unit[@id='u1']/x:segment", N20)
    assert segment.get("state") == "translated" and segment.get("subState") == "glossator:mt"
    target = segment.find("x:target", N20)
    assert target.find("x:pc", N20).text == "Save" and target.find("x:ph", N20).get("id") == "2"
    final = root.findall(".//x:unit[@id='u1']/x:segment", N20)[1]
    assert final.find("x:target", N20).text == "Hello, world" and final.get("state") == "final"
    nested = _target(root, "u3", N20)
    assert nested.find("x:pc/x:pc", N20).text == "dialog"
    assert root.find(".//x:unit[@id='u2']//x:target", N20) is None


@pytest.mark.parametrize(("text", "schema"), [(XLIFF12, "xliff-core-1.2-strict.xsd"), (XLIFF20, "xliff_core_2.0.xsd")])
def test_the_output_validates_against_the_oasis_schema(tmp_path: Path, text: str, schema: str) -> None:
    _, out = _translate(tmp_path, text)
    xsd = etree.XMLSchema(etree.parse(str(SCHEMAS / schema)))
    document = etree.fromstring(out)
    assert xsd.validate(document), xsd.error_log


@pytest.mark.slow  # a fresh interpreter outside the repository (translate-toolkit owns the name `translate`)
@pytest.mark.parametrize("text", [XLIFF12, XLIFF20])
def test_translate_toolkit_reads_the_output(tmp_path: Path, text: str) -> None:
    _, out = _translate(tmp_path, text)
    path = tmp_path / "read.xlf"
    path.write_bytes(out)
    module, cls = ("xliff", "xlifffile") if text is XLIFF12 else ("xliff2", "Xliff2File")
    script = textwrap.dedent(
        f"""
        import json, translate
        from translate.storage import {module}
        assert "site-packages" in translate.__file__, translate.__file__
        store = {module}.{cls}.parsefile({str(path)!r})
        print(json.dumps([[u.source, u.target] for u in store.units if u.source.strip()]))
        """
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=120, env=env
    )
    assert done.returncode == 0, done.stderr[-2000:]
    units = json.loads(done.stdout)
    assert ["Hallo Welt", "Hello, world"] in units
    assert any(target.startswith("Click on") for _, target in units)


def test_a_glossary_term_inside_an_inline_code_is_enforced(tmp_path: Path) -> None:
    result, out = _translate(tmp_path, XLIFF20, glossary=Glossary((Term("Dialog", "Dialogue"),)))
    root = etree.fromstring(out)
    assert _target(root, "u3", N20).find("x:pc/x:pc", N20).text == "Dialogue"
    assert [c.status for s in result.segments for c in s.checks] == ["enforced"]


def test_the_xml_declaration_and_untouched_units_are_kept(tmp_path: Path) -> None:
    _, out = _translate(tmp_path, XLIFF12)
    assert out.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<xliff ')
    assert b'<trans-unit id="4" translate="no">\n        <source>Speichern</source>\n      </trans-unit>' in out


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (XLIFF12.replace('source-language="de"', 'source-language="en"'), "source-language is 'en', not German"),
        (XLIFF12.replace('source-language="de"', 'source-language="de" target-language="fr"'), "target-language"),
        (XLIFF20.replace('srcLang="de-DE"', 'srcLang="fr"'), "srcLang is 'fr', not German"),
        (XLIFF12.replace("</body>", ""), "not well-formed XML"),
        ("<tmx version='1.4'/>", "not an XLIFF 1.2 or 2.0 document"),
        ('<!DOCTYPE x [<!ENTITY a "aaaa">]><xliff xmlns="urn:oasis:names:tc:xliff:document:2.0"/>', "entities"),
    ],
)
def test_bad_xliff_is_refused_with_one_line(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(InputError, match=message) as error:
        open_source(text.encode(), "bad.xlf")
    assert "\n" not in str(error.value)
    (tmp_path / "bad.de.xlf").write_text(text, encoding="utf-8")
    result = run_cli(["translate", str(tmp_path / "bad.de.xlf"), "-o", str(tmp_path / "bad.en.xlf")])
    assert result.exit_code == 3 and result.stderr.count("\n") == 1
    assert not (tmp_path / "bad.en.xlf").exists()


# --- real files (tests/data/formats/xliff, provenance in its README) ------------------------------------------

XSD = {
    "urn:oasis:names:tc:xliff:document:1.2": "xliff-core-1.2-transitional.xsd",
    "urn:oasis:names:tc:xliff:document:2.0": "xliff_core_2.0.xsd",
}
GERMAN_SOURCE = sorted(p.name for p in REAL.glob("*.xlf") if ".en-de." not in p.name)


def _inline(element: etree._Element) -> list[tuple[str, str | None]]:
    """The inline codes of a <source> or <target>: tag and id, in document order."""
    return [(e.tag.split("}")[1], e.get("id")) for e in element.iter() if e is not element and isinstance(e.tag, str)]


@pytest.mark.parametrize("name", GERMAN_SOURCE)
def test_real_xliff_gets_every_open_target_with_the_same_inline_codes(tmp_path: Path, name: str) -> None:
    source = REAL / name
    result, out = _translate(tmp_path, source.read_bytes(), name=name)
    before, after = etree.fromstring(source.read_bytes()), etree.fromstring(out)
    ns = after.tag.split("}")[0][1:]
    xsd = etree.XMLSchema(etree.parse(str(SCHEMAS / XSD[ns])))
    # no schema error the input did not have (ngx's extraction has a <unit> without id; its missing trgLang is set)
    xsd.validate(before)
    known = {e.message for e in xsd.error_log}
    xsd.validate(after)
    assert {e.message for e in xsd.error_log} <= known, xsd.error_log
    unit_tag = "trans-unit" if ns.endswith("1.2") else "segment"
    old_units, new_units = list(before.iter(f"{{{ns}}}{unit_tag}")), list(after.iter(f"{{{ns}}}{unit_tag}"))
    assert len(old_units) == len(new_units) and len(new_units) > 0
    filled = 0
    for old, new in zip(old_units, new_units, strict=True):
        old_target, new_target = old.find(f"{{{ns}}}target"), new.find(f"{{{ns}}}target")
        new_source = new.find(f"{{{ns}}}source")
        assert etree.tostring(old.find(f"{{{ns}}}source")) == etree.tostring(new_source)  # sources untouched
        approved = old.get("approved") == "yes" or old.get("translate") == "no"
        done = (old_target is not None and old_target.get("state") in ("translated", "signed-off", "final")) or (
            old.get("state") in ("translated", "reviewed", "final")
        )
        if approved or done:
            assert (old_target is None) == (new_target is None)
            if old_target is not None:
                assert etree.tostring(old_target) == etree.tostring(new_target)
            continue
        filled += 1
        assert new_target is not None
        assert sorted(_inline(new_target), key=str) == sorted(_inline(new_source), key=str)
    assert len({s.location for s in result.segments}) <= filled  # a filled unit may be all numbers: no segment
    expected = {"okapi-ontram-de-en.xlf": 80, "ngx-messages.de-en.xlf": 4, "ngx-extracted.de.xliff2.xlf": 30}
    assert filled >= expected.get(name, 0)


def test_a_real_xliff_for_german_targets_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="source-language is 'en', not German"):
        open_source((REAL / "ngx-translated.en-de.xlf").read_bytes(), "ngx-translated.en-de.xlf")
