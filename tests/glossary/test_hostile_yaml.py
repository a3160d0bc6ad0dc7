"""Hostile YAML in glossaries and manifests: alias bombs and deep nesting are refused with a line, never expanded."""

from __future__ import annotations

from pathlib import Path

import pytest
from clirun import run

from glossator.common.errors import CorpusError, GlossaryError
from glossator.glossary.io import load_glossary
from glossator.quality.evaluate import load_manifest

BOMB = "version: 1\nterms:\n  - source: A\n    target: b\n    junk: &a0 [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"    junk{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 10)
)


def test_an_alias_bomb_is_refused_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "g.yaml"
    path.write_text(BOMB, encoding="utf-8")
    with pytest.raises(GlossaryError, match=r"g\.yaml:6:\d+: invalid YAML: alias \*a0 \(aliases are not allowed"):
        load_glossary(path)
    result = run("glossary", "lint", path)
    assert result.exit_code == 3 and result.stderr.count("\n") == 1


def test_deep_nesting_is_bad_input_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "g.yaml"
    path.write_text("version: 1\nterms: " + "[" * 100_000 + "\n", encoding="utf-8")
    result = run("glossary", "lint", path)
    assert result.exit_code == 3, result.output
    assert result.stderr.startswith(f"Error: {path}") and result.stderr.count("\n") == 1


def test_manifests_refuse_aliases_too(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text("version: 1\ndocuments:\n  - &d {id: a, source: a.txt, references: [a.txt]}\n  - *d\n")
    with pytest.raises(CorpusError, match=r"m\.yaml:4:\d+: invalid YAML in manifest: alias \*d"):
        load_manifest(path)


def test_yaml_1_1_values_are_read_as_the_text_typed(tmp_path: Path) -> None:
    path = tmp_path / "g.yaml"
    path.write_text(
        "version: 1\nterms:\n  - source: Nein\n    target: no\n  - source: 123\n    target: 1.50\n"
        "  - source: Ja\n    target: yes\n    variants: [On, 0x10]\n",
        encoding="utf-8",
    )
    terms = {t.source: t for t in load_glossary(path).terms}
    assert terms["Nein"].target == "no"
    assert terms["123"].target == "1.50"
    assert terms["Ja"].target == "yes" and terms["Ja"].variants == ("On", "0x10")
