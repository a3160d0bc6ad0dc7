"""A real full disk (a tmpfs filled to the last byte) and a real read-only file system (a tmpfs remounted ro) under
every writer: translation outputs, glossary edits, the translation memory and package installs. Each fault is a
one-line error with its exit code (5: cannot write) and nothing is lost or half-written."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from clirun import run_cli
from faultkit import fill, remount_read_only
from paths import CORPUS, TEST_MODEL_DIR

from glossator.common.settings import Settings
from glossator.glossary.io import load_glossary
from glossator.models.packages import install_package, list_packages

ARTICLE = CORPUS / "iraq-troops.de.txt"
GLOSSARY = CORPUS / "glossary.yaml"
PACKAGE = TEST_MODEL_DIR / "de_en_glossator_test.argosmodel"


@pytest.fixture
def model() -> None:
    install_package(PACKAGE, Settings.from_env())


def _listing(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file() and p.name != "filler"}


def test_translate_onto_a_full_disk_writes_nothing_and_keeps_the_old_output(model: None, small_fs) -> None:  # type: ignore[no-untyped-def]
    folder = small_fs("64k")
    old = folder / "article.en.txt"
    old.write_text("the previous translation\n", encoding="utf-8")
    fill(folder)
    before = _listing(folder)

    fresh = run_cli(["translate", str(ARTICLE), "-o", str(folder / "new.en.txt"), "-q"])
    forced = run_cli(["translate", str(ARTICLE), "-o", str(old), "--force", "-q"])

    for result, target in ((fresh, folder / "new.en.txt"), (forced, old)):
        assert result.exit_code == 5, result.stderr
        assert result.stderr.startswith(f"Error: {target}: cannot write: No space left on device"), result.stderr
        assert result.stderr.count("\n") == 1
    assert _listing(folder) == before  # no partial file, no temp debris, the old output byte for byte


def test_translate_into_a_read_only_folder(model: None, small_fs) -> None:  # type: ignore[no-untyped-def]
    folder = small_fs("1m")
    remount_read_only(folder)
    result = run_cli(["translate", str(ARTICLE), "-o", str(folder / "a.en.txt"), "-q"])
    assert result.exit_code == 5
    assert result.stderr == f"Error: {folder}: output directory is not writable. Choose another -o.\n"
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize("command", ["add", "remove", "edit"])
def test_glossary_edits_on_a_full_disk_leave_the_glossary_whole(small_fs, command: str) -> None:  # type: ignore[no-untyped-def]
    folder = small_fs("64k")
    path = folder / "glossary.yaml"
    shutil.copyfile(GLOSSARY, path)
    (folder / "glossary.yaml.lock").touch()  # so the full disk hits the glossary write, not the lock file
    fill(folder)
    before = path.read_bytes()
    args = {
        "add": ["glossary", "add", str(path), "Waffenruhe", "ceasefire"],
        "remove": ["glossary", "remove", str(path), "Terrormiliz"],
        "edit": ["glossary", "edit", str(path), "Terrormiliz", "--note", "checked " * 200],
    }[command]

    result = run_cli(args)

    assert result.exit_code == 5, result.stderr
    assert result.stderr.startswith(f"Error: {path}: cannot write: No space left on device"), result.stderr
    assert result.stderr.count("\n") == 1
    assert path.read_bytes() == before
    assert sorted(p.name for p in folder.iterdir()) == ["filler", "glossary.yaml", "glossary.yaml.lock"]
    assert load_glossary(path).terms  # still a glossary


def test_glossary_edit_on_a_read_only_file_system(small_fs) -> None:  # type: ignore[no-untyped-def]
    folder = small_fs("1m")
    path = folder / "glossary.yaml"
    shutil.copyfile(GLOSSARY, path)
    before = path.read_bytes()
    remount_read_only(folder)
    result = run_cli(["glossary", "add", str(path), "Waffenruhe", "ceasefire"])
    assert result.exit_code == 5
    assert result.stderr == (
        f"Error: {path}: cannot edit, the lock file {path}.lock cannot be created (Read-only file system). "
        "Make the folder writable or copy the glossary somewhere writable.\n"
    )
    assert path.read_bytes() == before


def test_export_onto_a_full_disk(small_fs) -> None:  # type: ignore[no-untyped-def]
    folder = small_fs("64k")
    fill(folder)
    target = folder / "terms.tbx"
    result = run_cli(["glossary", "export", str(GLOSSARY), "-o", str(target)])
    assert result.exit_code == 5
    assert result.stderr.startswith(f"Error: {target}: cannot write: No space left on device")
    assert not target.exists()


def test_a_full_disk_under_the_memory_never_fails_the_translation(  # type: ignore[no-untyped-def]
    model: None, small_fs, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    folder = small_fs("256k", "cache")
    monkeypatch.setenv("GLOSSATOR_CACHE_DIR", str(folder))
    # A first run creates the memory; then the disk fills up and a second run (new text) cannot store anything.
    assert run_cli(["translate", str(ARTICLE), "-o", str(tmp_path / "one.en.txt"), "-q"]).exit_code == 0
    memory = next(folder.glob("*.sqlite3"))
    fill(folder)
    other = tmp_path / "other.de.txt"
    other.write_text(
        "".join(f"Satz Nummer {n} über den Strategischen Dialog.\n\n" for n in range(300)), encoding="utf-8"
    )

    result = run_cli(["translate", str(other), "-o", str(tmp_path / "other.en.txt"), "-q"])

    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "other.en.txt").read_text(encoding="utf-8").count("\n") >= 300
    warnings = [line for line in result.stderr.splitlines() if "memory" in line.lower()]
    assert len(warnings) == 1, result.stderr  # warned once, not once per chunk
    assert memory.exists() and not list(folder.glob("*.corrupt-*"))  # left where it was
    # The entries stored before the disk filled up still serve the first text.
    again = run_cli(["translate", str(ARTICLE), "-o", str(tmp_path / "again.en.txt"), "-q", "--json"])
    assert again.exit_code == 0
    assert (tmp_path / "again.en.txt").read_bytes() == (tmp_path / "one.en.txt").read_bytes()


def test_models_install_onto_a_small_disk_leaves_nothing(small_fs, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    folder = small_fs("2m", "packages")
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(folder))
    result = run_cli(["models", "install", str(PACKAGE)])
    assert result.exit_code == 5, result.stderr
    assert result.stderr.count("\n") == 1 and "space" in result.stderr
    assert list_packages(Settings.from_env()) == []
    assert sorted(p.name for p in folder.iterdir()) == [".glossator.lock"]  # no staging debris


# Structured documents (translate/formats): a text format (PO) and a zip package (EPUB), each written whole at the end.
FORMATS = Path(__file__).parents[1] / "data" / "formats"
PO = FORMATS / "po" / "studip-vote-2004.en.po"  # German msgids, one entry to fill
EPUB = FORMATS / "epub" / "pandoc-appstate.de.epub"


@pytest.mark.parametrize("source", [PO, EPUB], ids=["po", "epub"])
def test_a_document_onto_a_full_disk_writes_nothing_and_keeps_the_old_output(  # type: ignore[no-untyped-def]
    model: None, small_fs, source: Path
) -> None:
    folder = small_fs("256k")
    old = folder / f"doc.en{source.suffix}"
    old.write_bytes(source.read_bytes())  # the output of an earlier run
    fill(folder)
    before = _listing(folder)

    fresh = run_cli(["translate", str(source), "-o", str(folder / f"new.en{source.suffix}"), "-q", "--no-cache"])
    forced = run_cli(["translate", str(source), "-o", str(old), "--force", "-q", "--no-cache"])

    for result, target in ((fresh, folder / f"new.en{source.suffix}"), (forced, old)):
        assert result.exit_code == 5, result.stderr
        assert result.stderr.startswith(f"Error: {target}: cannot write: No space left on device"), result.stderr
        assert result.stderr.count("\n") == 1
    assert _listing(folder) == before  # no partial file, no temp debris, the old output byte for byte


@pytest.mark.parametrize("source", [PO, EPUB], ids=["po", "epub"])
def test_a_document_into_a_read_only_folder(model: None, small_fs, source: Path) -> None:  # type: ignore[no-untyped-def]
    folder = small_fs("1m")
    old = folder / f"doc.en{source.suffix}"
    old.write_bytes(source.read_bytes())
    remount_read_only(folder)

    fresh = run_cli(["translate", str(source), "-o", str(folder / f"a.en{source.suffix}"), "-q", "--no-cache"])
    forced = run_cli(["translate", str(source), "-o", str(old), "--force", "-q", "--no-cache"])

    for result in (fresh, forced):
        assert result.exit_code == 5, result.stderr
        assert result.stderr == f"Error: {folder}: output directory is not writable. Choose another -o.\n"
    assert _listing(folder) == {old.name: source.read_bytes()}
