"""``glossator glossary lint``: every kind of finding, exit codes, JSON, and the curated glossary is clean."""

import json

import pytest
from clirun import run
from paths import CORPUS

from glossator.glossary.io import load_glossary, save_glossary
from glossator.glossary.lint import lint
from glossator.glossary.model import Glossary, Term

EVERY_KIND = """\
version: 1
terms:
- source: Dialog
  target: dialogue
- source: Strategischer Dialog
  target: Strategic Dialogue
  forbidden: [strategic dialog, dialogue]
- source: dialog
  target: dialogue
- source: Terrormiliz
  target: terrorist militia
  variants: [Terror-Miliz, terrormiliz]
  target_plural: ''
  note: ''
- source: Terror-Miliz
  target: terror militia
  forbidden: ['']
  tags: ['']
- source: Stützpunkt
  target: base
  target_variants: [support point]
  forbidden: [support point]
  domain: ' '
"""




def expected(g):
    return [
        f"{g}:3: warning [contained] 'Dialog' is part of 'Strategischer Dialog' ({g}:5); where both match, the "
        "longer term wins.",
        f"{g}:3: error [forbidden] target 'dialogue' of 'Dialog' is the forbidden rendering 'dialogue' of "
        f"'Strategischer Dialog' ({g}:5).",
        f"{g}:5: warning [forbidden] target 'Strategic Dialogue' of 'Strategischer Dialog' contains its own "
        "forbidden rendering 'dialogue'.",
        f"{g}:8: error [duplicate] 'dialog' is also 'Dialog' at {g}:3 with the same target; remove one.",
        f"{g}:8: warning [contained] 'dialog' is part of 'Strategischer Dialog' ({g}:5); where both match, the "
        "longer term wins.",
        f"{g}:8: error [forbidden] target 'dialogue' of 'dialog' is the forbidden rendering 'dialogue' of "
        f"'Strategischer Dialog' ({g}:5).",
        f"{g}:10: warning [duplicate] variant 'terrormiliz' of 'Terrormiliz' repeats the source; remove it.",
        f"{g}:10: error [empty] 'Terrormiliz' has an empty 'target_plural'; remove the field.",
        f"{g}:10: warning [empty] 'Terrormiliz' has an empty 'note'; remove the field.",
        f"{g}:15: error [conflict] 'Terror-Miliz' is also a variant of 'Terrormiliz' at {g}:10 with target "
        "'terrorist militia', here 'terror militia'; keep one.",
        f"{g}:15: error [empty] 'Terror-Miliz' has an empty item in 'forbidden'; remove it.",
        f"{g}:15: warning [empty] 'Terror-Miliz' has an empty item in 'tags'; remove it.",
        f"{g}:19: warning [empty] 'Stützpunkt' has an empty 'domain'; remove the field.",
        f"{g}:19: error [forbidden] target variant 'support point' of 'Stützpunkt' is its own forbidden rendering "
        "'support point'.",
    ]


def test_every_kind_of_finding_exactly(tmp_path):
    g = tmp_path / "g.yaml"
    g.write_text(EVERY_KIND, encoding="utf-8")
    result = run("glossary", "lint", g)
    assert result.exit_code == 7
    assert result.stdout.splitlines() == expected(g)
    assert result.stderr == f"Error: {g}: 7 error(s), 7 warning(s) in 6 entries.\n"


def test_json_output(tmp_path):
    g = tmp_path / "g.yaml"
    g.write_text(EVERY_KIND, encoding="utf-8")
    result = run("glossary", "lint", g, "--json")
    assert result.exit_code == 7
    report = json.loads(result.stdout)
    assert (report["entries"], report["errors"], report["warnings"]) == (6, 7, 7)
    assert report["findings"][3] == {
        "origin": f"{g}:8",
        "kind": "duplicate",
        "severity": "error",
        "source": "dialog",
        "message": f"'dialog' is also 'Dialog' at {g}:3 with the same target; remove one.",
    }
    assert [f"{f['origin']}: {f['severity']} [{f['kind']}] {f['message']}" for f in report["findings"]] == expected(g)


def test_curated_glossary_is_clean():
    result = run("glossary", "lint", CORPUS / "glossary.yaml")
    assert (result.exit_code, result.stdout) == (0, f"{CORPUS / 'glossary.yaml'}: 19 entries, no findings\n")


def test_warnings_alone_pass_unless_strict(tmp_path):
    g = tmp_path / "g.yaml"
    save_glossary(Glossary(terms=(Term("Dialog", "dialogue"), Term("Strategischer Dialog", "Strategic Dialogue"))), g)
    line = (
        f"{g}:5: warning [contained] 'Dialog' is part of 'Strategischer Dialog' ({g}:7); where both match, the "
        "longer term wins.\n"
    )
    relaxed = run("glossary", "lint", g)
    assert (relaxed.exit_code, relaxed.stdout) == (0, line)
    strict = run("glossary", "lint", g, "--strict")
    assert (strict.exit_code, strict.stdout) == (7, line)
    assert strict.stderr == f"Error: {g}: 0 error(s), 1 warning(s) in 2 entries.\n"


def test_duplicates_the_loader_refuses_are_findings_in_every_format(tmp_path):
    glossary = Glossary(terms=(Term("Stützpunkt", "base"), Term("Stützpunkt", "outpost")))
    for name in ("g.yaml", "g.tsv", "g.tbx"):
        save_glossary(glossary, tmp_path / name)
        result = run("glossary", "lint", tmp_path / name)
        assert result.exit_code == 7, name
        assert "error [conflict] 'Stützpunkt' is also 'Stützpunkt' at" in result.stdout
        assert run("glossary", "validate", tmp_path / name).exit_code == 3


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("version: 1\nterms:\n- source: A\n", "{g}:3: entry 'A' has no target. Add 'target: …'."),
        ("version: 1\nterms:\n  - source: [A\n", "{g}:4:1: invalid YAML"),
    ],
)
def test_unreadable_glossary_exits_3_with_the_loader_message(tmp_path, text, message):
    g = tmp_path / "g.yaml"
    g.write_text(text, encoding="utf-8")
    result = run("glossary", "lint", g)
    assert result.exit_code == 3
    assert result.stdout == ""
    assert result.stderr.startswith("Error: " + message.format(g=g))


def test_forbidden_plural_and_hyphenated_forms():
    glossary = Glossary(
        terms=(
            Term("Dialog", "dialogue", target_plural="dialogues", forbidden=("dialogue",)),
            Term("Miliz", "militia", target_variants=("terror-militia",)),
            Term("Terrormiliz", "terrorist militia", forbidden=("terror militia",)),
        )
    )
    assert [(f.source, f.kind, f.severity, f.message) for f in lint(glossary)] == [
        ("Dialog", "forbidden", "error", "target 'dialogue' of 'Dialog' is its own forbidden rendering 'dialogue'."),
        (
            "Dialog",
            "forbidden",
            "error",
            "target plural 'dialogues' of 'Dialog' is its own forbidden rendering 'dialogue'.",
        ),
        (
            "Miliz",
            "forbidden",
            "error",
            "target variant 'terror-militia' of 'Miliz' is the forbidden rendering 'terror militia' of "
            "'Terrormiliz' (entry 3).",
        ),
    ]


def test_case_sensitive_entries_are_compared_with_case():
    glossary = Glossary(
        terms=(
            Term("IS", "IS", case_sensitive=True, forbidden=("ISIS",)),
            Term("is", "is", case_sensitive=True),
            Term("IS-Miliz", "IS militia"),
            Term("Isis", "Isis"),
        )
    )
    assert [(f.source, f.kind, f.severity) for f in lint(glossary)] == [("IS", "contained", "warning")]


@pytest.mark.slow
def test_two_thousand_entries_lint_quickly(tmp_path):
    import time

    glossary = Glossary(
        terms=tuple(Term(f"Begriff{i} Teil", f"term {i}", forbidden=(f"bad {i}",)) for i in range(2000))
    )
    save_glossary(glossary, tmp_path / "big.yaml")
    start = time.perf_counter()
    assert lint(load_glossary(tmp_path / "big.yaml")) == []
    assert time.perf_counter() - start < 10
