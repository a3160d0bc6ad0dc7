"""``glossator glossary edit``: one entry changed in place, the rest of the file byte for byte as it was."""

import difflib

import pytest
from clirun import run
from paths import CORPUS

from glossator.glossary.io import load_glossary, save_glossary
from glossator.glossary.model import Glossary, Term


@pytest.fixture
def corpus_copy(tmp_path):
    g = tmp_path / "g.yaml"
    g.write_bytes((CORPUS / "glossary.yaml").read_bytes())
    return g


def changed_lines(before: bytes, after: bytes) -> list[str]:
    diff = difflib.unified_diff(before.decode().splitlines(), after.decode().splitlines(), lineterm="", n=0)
    return [line for line in diff if line[:1] in "+-" and line[:3] not in ("+++", "---")]


def test_edit_rewrites_only_the_edited_entry(corpus_copy):
    before = corpus_copy.read_bytes()
    result = run("glossary", "edit", corpus_copy, "terrormiliz", "--add-forbidden", "terror group", "--note", "DPA")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"edited Terrormiliz in {corpus_copy}: forbidden, note\n"
    assert changed_lines(before, corpus_copy.read_bytes()) == [
        "-  forbidden: [terror militia]",
        "+  forbidden: [terror militia, terror group]",
        "+  note: DPA",
    ]
    old = {t.source: t for t in load_glossary(CORPUS / "glossary.yaml").terms}
    new = load_glossary(corpus_copy).terms
    assert [t.source for t in new] == list(old)
    assert [t for t in new if t.source != "Terrormiliz"] == [t for t in old.values() if t.source != "Terrormiliz"]


def test_every_option_and_order_kept(corpus_copy):
    result = run(
        "glossary", "edit", corpus_copy, "IS",
        "--target", "IS",  # unchanged value: not listed as changed
        "--plural", "IS",
        "--remove-forbidden", "ISIS",
        "--add-forbidden", "Daesh",
        "--note", "",
        "--status", "proposed",
        "--add-variant", "I.S.",
        "--domain", "security",
        "--rename", "IS-Miliz",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"edited IS-Miliz in {corpus_copy}: source, variants, target_plural, forbidden, status, note, domain\n"
    )
    terms = load_glossary(corpus_copy).terms
    index = [t.source for t in load_glossary(CORPUS / "glossary.yaml").terms].index("IS")
    assert terms[index] == Term(
        "IS-Miliz",
        "IS",
        variants=("I.S.",),
        target_plural="IS",
        case_sensitive=True,
        forbidden=("Daesh",),
        status="proposed",
        domain="security",
        tags=("security",),
    )


def test_block_style_file_stays_block_style(tmp_path):
    g = tmp_path / "g.yaml"
    save_glossary(Glossary(terms=(Term("A", "a", forbidden=("x",)), Term("B", "b", tags=("t",)))), g)
    before = g.read_bytes()
    assert run("glossary", "edit", g, "A", "--add-forbidden", "y").exit_code == 0
    assert changed_lines(before, g.read_bytes()) == ["+  - y"]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["Nope", "--note", "x"], 3, "Error: {g}: no entry 'Nope'. See: glossator glossary list {g}\n"),
        (
            ["Coronakrise", "--note", "x"],
            3,
            "Error: {g}: no entry 'Coronakrise' ('Coronakrise' is a variant of 'Corona-Krise'; edit that entry). "
            "See: glossator glossary list {g}\n",
        ),
        (
            ["Bagdad"],
            2,
            "Error: nothing to change: give at least one of --target, --plural, --add-forbidden, --remove-forbidden, "
            "--note, --status, --add-variant, --domain, --rename.\n",
        ),
        (["Bagdad", "--target", "Baghdad"], 2, "Error: {g}: 'Bagdad' already has these values; nothing changed.\n"),
        (
            ["Bagdad", "--status", "final"],
            2,
            "Error: --status must be one of approved, proposed, deprecated (got 'final').\n",
        ),
        (
            ["Stützpunkt", "--remove-forbidden", "base camp"],
            3,
            "Error: {g}: 'base camp' is not a forbidden rendering of 'Stützpunkt' (has 'support point').\n",
        ),
        (
            ["Stützpunkt", "--rename", "terrormiliz"],
            3,
            "Error: {g}: 'terrormiliz' is already an entry or variant: 'Terrormiliz' ({g}:12).\n",
        ),
        (["Stützpunkt", "--target", " "], 3, "Error: {g}: the target of 'Stützpunkt' must not be empty.\n"),
    ],
)
def test_refusals_leave_the_file_alone(corpus_copy, args, code, message):
    before = corpus_copy.read_bytes()
    result = run("glossary", "edit", corpus_copy, *args)
    assert (result.exit_code, result.stderr) == (code, message.format(g=corpus_copy))
    assert corpus_copy.read_bytes() == before


def test_missing_file(tmp_path):
    result = run("glossary", "edit", tmp_path / "none.yaml", "A", "--note", "x")
    assert result.exit_code == 3
    assert result.stderr == f"Error: {tmp_path / 'none.yaml'}: glossary file not found. Check the path.\n"
    assert not (tmp_path / "none.yaml").exists()


def test_interrupted_mid_write_keeps_the_old_file(corpus_copy, monkeypatch):
    import glossator.glossary.io
    from glossator.common.fileio import atomic_open

    before = corpus_copy.read_bytes()

    def half_then_crash(path, text, **kwargs):
        with atomic_open(path, "w") as handle:
            handle.write(text[: len(text) // 2])
            handle.flush()
            raise KeyboardInterrupt

    monkeypatch.setattr(glossator.glossary.io, "atomic_write_text", half_then_crash)
    result = run("glossary", "edit", corpus_copy, "Bagdad", "--note", "capital")
    assert result.exit_code == 130
    assert corpus_copy.read_bytes() == before
    assert sorted(p.name for p in corpus_copy.parent.iterdir()) == ["g.yaml", "g.yaml.lock"]


@pytest.mark.parametrize("name", ["g.tsv", "g.tbx"])
def test_edit_other_formats(tmp_path, name):
    g = tmp_path / name
    save_glossary(Glossary(terms=(Term("A", "a"), Term("B", "b"))), g)
    assert run("glossary", "edit", g, "b", "--target", "bee", "--add-variant", "Bh").exit_code == 0
    assert load_glossary(g).terms == (Term("A", "a"), Term("B", "bee", variants=("Bh",)))


def test_unusual_layout_falls_back_to_a_full_rewrite(tmp_path):
    g = tmp_path / "g.yaml"
    g.write_text("version: 1\nterms: [{source: A, target: a}, {source: B, target: b}]\n", encoding="utf-8")
    assert run("glossary", "edit", g, "A", "--target", "ay").exit_code == 0
    assert load_glossary(g).terms == (Term("A", "ay"), Term("B", "b"))


def test_readme_shows_the_new_commands():
    readme = (CORPUS.parent / "README.md").read_text(encoding="utf-8")
    for example in (
        "`glossator glossary lint corpus/glossary.yaml --strict`",
        "`glossator glossary edit corpus/glossary.yaml Terrormiliz --add-forbidden",
        "`glossator glossary export corpus/glossary.yaml -o terms.tbx`",
        "`glossator glossary import memoq.tbx -o glossary.yaml`",
    ):
        assert example in readme


def test_a_held_lock_is_busy_exit_8_and_the_file_is_unchanged(tmp_path, monkeypatch):
    from filelock import FileLock

    import glossator.glossary.edit

    g = tmp_path / "g.yaml"
    g.write_bytes((CORPUS / "glossary.yaml").read_bytes())
    monkeypatch.setattr(glossator.glossary.edit, "LOCK_TIMEOUT", 0.2)
    with FileLock(str(g) + ".lock"):
        result = run("glossary", "add", g, "Waffenruhe", "ceasefire")
    assert result.exit_code == 8
    assert result.stderr == f"Error: {g}: another edit holds {g}.lock for 0.2 s. Retry when it has finished.\n"
    assert g.read_bytes() == (CORPUS / "glossary.yaml").read_bytes()


KEPT = """\
# House glossary — reviewed by the localization team
version: 1
owner: loc-team@example.org
description: terms for the Iraq coverage
terms:
  # military
  - source: Terrormiliz
    target: terrorist militia
    forbidden: [terror militia]   # flow list, as written by hand
  - source: Stützpunkt
    target: base
"""


def test_add_and_remove_keep_the_rest_of_the_file_byte_for_byte(tmp_path):
    g = tmp_path / "g.yaml"
    g.write_text(KEPT, encoding="utf-8")
    result = run("glossary", "add", g, "Waffenruhe", "ceasefire", "--variant", "Feuerpause", "--status", "proposed")
    assert result.exit_code == 0, result.output
    text = g.read_text(encoding="utf-8")
    assert text.startswith(KEPT)  # comments, unknown keys and the flow list untouched
    added = "  - source: Waffenruhe\n    target: ceasefire\n    variants: [Feuerpause]\n    status: proposed\n"
    assert text[len(KEPT) :] == added
    assert run("glossary", "remove", g, "Waffenruhe").exit_code == 0
    assert g.read_text(encoding="utf-8") == KEPT
    assert run("glossary", "remove", g, "Stützpunkt").exit_code == 0
    assert g.read_text(encoding="utf-8") == KEPT.replace("  - source: Stützpunkt\n    target: base\n", "")


def test_an_uncreatable_lock_file_is_an_output_error(tmp_path, monkeypatch):
    """(CI runs as root, where a read-only folder is still writable: the lock's failure is injected.)"""
    import filelock

    g = tmp_path / "g.yaml"
    g.write_bytes((CORPUS / "glossary.yaml").read_bytes())

    def read_only(self, *args, **kwargs):
        raise PermissionError(30, "Read-only file system")

    monkeypatch.setattr(filelock.FileLock, "acquire", read_only)
    result = run("glossary", "add", g, "Waffenruhe", "ceasefire")
    assert result.exit_code == 5
    assert result.stderr.startswith(f"Error: {g}: cannot edit, the lock file {g}.lock cannot be created (Read-only")
    assert g.read_bytes() == (CORPUS / "glossary.yaml").read_bytes()
