"""Invisible control characters in glossary text (issue 11, item 15): a NEL (U+0085) in a term became a space in a
quoted YAML string, a parse error in a plain one and a broken row in a table. Every reader and every edit now
refuses such a character at its line and column, with what it usually is; nothing is written."""

from __future__ import annotations

from pathlib import Path

import pytest
from clirun import run_cli
from paths import REPO

from glossator.common.errors import GlossaryError
from glossator.glossary.io import load_glossary
from glossator.glossary.model import control_character

NEL = "\x85"

FILES = {
    "quoted.yaml": ('terms:\n  - source: "Strategischer{c}Dialog"\n    target: Strategic Dialogue\n', 2, 27),
    "plain.yaml": ("terms:\n  - source: Strategischer{c}Dialog\n    target: Strategic Dialogue\n", 2, 26),
    "table.tsv": ("source\ttarget\nStrategischer{c}Dialog\tStrategic Dialogue\n", 2, 14),
    "table.csv": ("source,target\nTerrormiliz,terrorist{c} militia\n", 2, 22),
    "bank.tbx": (
        '<?xml version="1.0" encoding="UTF-8"?>\n<martif type="TBX-Basic" xml:lang="en"><text><body>\n'
        '<termEntry id="1"><langSet xml:lang="de"><tig><term>Strategischer{c}Dialog</term></tig></langSet>'
        '<langSet xml:lang="en"><tig><term>Strategic Dialogue</term></tig></langSet></termEntry>\n'
        "</body></text></martif>\n",
        3,
        66,
    ),
}


@pytest.mark.parametrize("char", [NEL, "\u2028", "\x1c", "\x7f"])
@pytest.mark.parametrize("name", sorted(FILES))
def test_every_reader_refuses_a_control_character_at_its_place(tmp_path: Path, name: str, char: str) -> None:
    template, line, column = FILES[name]
    path = tmp_path / name
    path.write_text(template.format(c=char), encoding="utf-8")
    with pytest.raises(GlossaryError) as caught:
        load_glossary(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:{line}:{column}: invisible character U+{ord(char):04X} ("), message
    assert message.endswith(
        "Delete it or type what was meant (re-save the file as UTF-8 if it came from another encoding)."
    )
    assert ("Windows-1252's '…'" in message) == (char == NEL)
    result = run_cli(["glossary", "validate", str(path)])
    assert result.exit_code == 3 and result.stderr.count("\n") == 1


def test_tabs_and_line_ends_are_not_control_problems(tmp_path: Path) -> None:
    assert control_character("a\tb\r\nc\n") is None
    path = tmp_path / "g.tsv"
    path.write_bytes(b"source\ttarget\r\nTerrormiliz\tterrorist militia\r\n")
    assert [t.source for t in load_glossary(path).terms] == ["Terrormiliz"]


def test_add_and_edit_refuse_it_and_leave_the_file_alone(tmp_path: Path) -> None:
    path = tmp_path / "g.yaml"
    path.write_text("# house terms\nterms:\n  - source: Terrormiliz\n    target: terrorist militia\n", encoding="utf-8")
    before = path.read_bytes()
    added = run_cli(["glossary", "add", str(path), f"Neu{NEL}Wort", "new word"])
    assert added.exit_code == 3
    assert added.stderr == (
        f"Error: {path}: 'Neu\\x85Wort': invisible character U+0085 (NEL, next line) in the glossary text (usually "
        "Windows-1252's '…' read as Latin-1). Delete it or type what was meant (re-save the file as UTF-8 if it came "
        "from another encoding).\n"
    )
    edited = run_cli(["glossary", "edit", str(path), "Terrormiliz", "--note", "a\u2028b"])
    assert edited.exit_code == 3 and "U+2028 (line separator)" in edited.stderr
    assert path.read_bytes() == before


@pytest.mark.parametrize("command", [["glossary", "lint"], ["glossary", "validate"], ["glossary", "list"]])
def test_a_tmx_given_as_a_glossary_points_to_memory_import(command: list[str]) -> None:
    # Every glossary reader (not only translate's): a TMX is a translation memory.
    path = REPO / "tests" / "data" / "tmx" / "okapi-sample14b.tmx"
    result = run_cli([*command, str(path)])
    assert (result.exit_code, result.stderr) == (
        3,
        f"Error: {path}: a TMX file is a translation memory, not a glossary. Load it with: glossator memory "
        f"import {path}\n",
    )
