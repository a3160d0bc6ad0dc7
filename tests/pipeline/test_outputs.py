"""Outputs land where the user meant, and nothing is lost: links, FIFOs, devices, full disks, existing reports."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from clirun import run
from fakes import FakeEngine
from paths import CORPUS

import glossator
from glossator.common.errors import OutputError
from glossator.common.fileio import atomic_write_text


def test_write_through_a_symlink_updates_the_target_and_keeps_the_link(tmp_path: Path) -> None:
    shared = tmp_path / "shared" / "house.yaml"
    shared.parent.mkdir()
    shared.write_text("old\n", encoding="utf-8")
    link = tmp_path / "link.yaml"
    link.symlink_to(Path("shared") / "house.yaml")  # relative, as in a repository
    atomic_write_text(link, "new\n")
    assert link.is_symlink() and shared.read_text(encoding="utf-8") == "new\n"


def test_glossary_add_through_a_symlink_reaches_the_shared_file(tmp_path: Path) -> None:
    shared = tmp_path / "house.yaml"
    shared.write_bytes((CORPUS / "glossary.yaml").read_bytes())
    link = tmp_path / "link.yaml"
    link.symlink_to(shared)
    result = run("glossary", "add", link, "Waffenruhe", "ceasefire")
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and "Waffenruhe" in shared.read_text(encoding="utf-8")


def test_a_fifo_is_written_through_not_replaced(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[str] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text(encoding="utf-8")))
    reader.start()
    atomic_write_text(fifo, "hello\n")
    reader.join(timeout=10)
    assert received == ["hello\n"]
    assert fifo.is_fifo()


def test_translate_to_a_character_device_needs_no_force_and_stays_a_device(tmp_path: Path) -> None:
    source = tmp_path / "a.de.txt"
    source.write_text("Der Staat handelt.\n", encoding="utf-8")
    with glossator.Translator(engine=FakeEngine(), use_memory=False) as translator:  # type: ignore[arg-type]
        result = translator.translate_file(source, "/dev/null")
    assert result.output == Path("/dev/null") and Path("/dev/null").is_char_device()


def test_a_full_disk_is_a_one_line_output_error_and_the_old_file_stays(tmp_path: Path) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full on this system")
    with pytest.raises(OutputError, match=r"^/dev/full: cannot write: No space left on device"):
        atomic_write_text(Path("/dev/full"), "x" * 100_000)


def test_an_unusable_folder_is_an_output_error(tmp_path: Path) -> None:
    """(As root, as CI runs, a read-only folder is still writable; a file in the folder's place is not.)"""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    with pytest.raises(OutputError, match=r"not-a-folder/out.txt: cannot write: Not a directory"):
        atomic_write_text(blocker / "out.txt", "x")


def test_evaluate_refuses_existing_reports_without_force(tmp_path: Path) -> None:
    out = tmp_path / "report"
    out.mkdir()
    (out / "report.json").write_text("{}", encoding="utf-8")
    result = run("evaluate", CORPUS / "manifest.yaml", "-f", "json", "-o", out)
    assert result.exit_code == 5
    assert "report.json: report exists. Pass --force" in result.stderr
    assert (out / "report.json").read_text(encoding="utf-8") == "{}"


def test_utf16_input_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    from glossator.common.fileio import read_text

    path = tmp_path / "a.de.txt"
    path.write_bytes("Der Staat handelt.\n".encode("utf-16"))  # with BOM, as Windows Notepad writes it
    assert read_text(path) == "Der Staat handelt.\n"
    result = run("glossary", "check", path, path, "-g", CORPUS / "glossary.yaml")
    assert "binary" not in result.stderr


def test_one_input_with_o_naming_a_folder_writes_inside_it(tmp_path: Path) -> None:
    source = tmp_path / "a.de.txt"
    source.write_text("Der Staat handelt.\n", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    with glossator.Translator(engine=FakeEngine(), use_memory=False) as translator:  # type: ignore[arg-type]
        result = translator.translate_file(source, out, force=True)
    assert result.output == out / "a.en.txt" and out.is_dir()


def test_progress_lines_in_a_piped_run_and_quiet_silences_them(tmp_path: Path) -> None:
    from glossator.cli.progress import PlainProgress

    lines: list[str] = []
    clock = iter([0.0, 1.0, 2.0, 3.0, 40.0, 50.0])  # started, then one reading per call
    report = PlainProgress("translating", lines.append, clock=lambda: next(clock))
    for done in (0, 256, 260, 512, 1000):
        report(done, 1000)
    assert lines == [
        "translating: 256/1,000 sentences (25%), 128.0 sentences/s, about 5s left",
        # 260 (same 10% step, 1 s later) printed nothing
        "translating: 512/1,000 sentences (51%), 12.8 sentences/s, about 38s left",
        "translating: 1,000/1,000 sentences (100%), 20.0 sentences/s",
    ]

    from paths import TEST_MODEL_DIR

    from glossator.common.settings import Settings
    from glossator.models.packages import install_package

    install_package(TEST_MODEL_DIR / "de_en_glossator_test.argosmodel", Settings.from_env())
    source = tmp_path / "a.de.txt"
    source.write_text("Die Truppenstärke bleibt gleich.\n", encoding="utf-8")
    piped = run("translate", source, "-o", tmp_path / "a.en.txt")
    assert "translating: 1/1 sentence (100%)" in piped.stderr
    assert piped.stderr.splitlines()[-1] == "1 segment (0 from memory)"
    quiet = run("translate", source, "-o", tmp_path / "b.en.txt", "--quiet", "--no-cache")
    assert quiet.exit_code == 0 and "translating" not in quiet.stderr and "segment" not in quiet.stderr


@pytest.mark.parametrize("name", ["page.de.rtf", "brief.de.pdf", "folien.de.key", "buch.de.indd", "brief.de.doc"])
def test_formats_glossator_does_not_know_are_refused_not_translated_as_text(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text("<p>Der Staat handelt.</p>\n", encoding="utf-8")
    result = run("translate", path, "-o", tmp_path / "out.txt")
    assert result.exit_code == 3
    assert result.stderr.startswith(f"Error: {path}: Glossator cannot translate {path.suffix} files (it knows ")
    assert not (tmp_path / "out.txt").exists()
