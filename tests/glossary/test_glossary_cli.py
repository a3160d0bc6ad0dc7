"""Editing commands: atomic, locked, never lose an entry."""

import subprocess
import sys

import pytest
from clirun import run
from paths import CORPUS

from glossator.glossary.io import load_glossary


def test_add_show_replace_remove(tmp_path):
    g = tmp_path / "g.yaml"
    assert run("glossary", "add", g, "Waffenruhe", "ceasefire", "--forbidden", "weapons rest").exit_code == 0
    duplicate = run("glossary", "add", g, "waffenruhe", "truce")
    assert duplicate.exit_code == 3 and "exists" in duplicate.stderr and "--replace" in duplicate.stderr
    assert run("glossary", "add", g, "Waffenruhe", "truce", "--replace").exit_code == 0
    assert [(t.source, t.target) for t in load_glossary(g).terms] == [("Waffenruhe", "truce")]
    assert run("glossary", "remove", g, "Waffenruhe").exit_code == 0
    assert len(load_glossary(g)) == 0
    missing = run("glossary", "remove", g, "Waffenruhe")
    assert missing.exit_code == 3 and "no entry 'Waffenruhe'" in missing.stderr


def test_concurrent_adds_from_two_processes_both_survive(tmp_path):
    g = tmp_path / "g.yaml"
    code = "from glossator.cli import app; import sys; app(sys.argv[1:])"
    procs = [
        subprocess.Popen([sys.executable, "-c", code, "glossary", "add", str(g), f"Begriff{i}", f"term {i}"])
        for i in range(6)
    ]
    assert [p.wait(timeout=60) for p in procs] == [0] * 6
    assert sorted(t.source for t in load_glossary(g).terms) == [f"Begriff{i}" for i in range(6)]


def test_interrupted_edit_keeps_the_old_file(tmp_path, monkeypatch):
    import glossator.glossary.io

    g = tmp_path / "g.yaml"
    g.write_text((CORPUS / "glossary.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    before = g.read_bytes()

    def crash(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(glossator.glossary.io, "atomic_write_text", crash)
    result = run("glossary", "add", g, "Waffenruhe", "ceasefire")
    assert result.exit_code == 130
    assert g.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.yaml", "g.yaml.lock"]


def test_export_import_round_trip_and_refusals(tmp_path):
    assert run("glossary", "export", CORPUS / "glossary.yaml", "-o", tmp_path / "g.tsv").exit_code == 0
    assert run("glossary", "import", tmp_path / "g.tsv", "-o", tmp_path / "g.yaml").exit_code == 0
    assert load_glossary(tmp_path / "g.yaml").terms == load_glossary(CORPUS / "glossary.yaml").terms
    again = run("glossary", "export", CORPUS / "glossary.yaml", "-o", tmp_path / "g.tsv")
    assert again.exit_code == 5 and "Pass --force" in again.stderr
    same = run("glossary", "export", tmp_path / "g.yaml", "-o", tmp_path / "g.yaml", "--force")
    assert same.exit_code == 5 and "overwrite the input" in same.stderr


@pytest.mark.parametrize("command", ["list", "validate", "stats"])
def test_malformed_glossary_names_file_line_and_column(tmp_path, command):
    (tmp_path / "bad.yaml").write_text("version: 1\nterms:\n  - source: [A\n", encoding="utf-8")
    result = run("glossary", command, tmp_path / "bad.yaml")
    assert result.exit_code == 3
    assert result.stderr.startswith(f"Error: {tmp_path / 'bad.yaml'}:")
