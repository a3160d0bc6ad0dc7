"""SIGKILL at random points (seeded, so a failure can be replayed) of a glossary edit, a directory translation and a
package install, each a real ``python -m glossator`` process. Afterwards the inputs, the glossary, the translation
memory and the installed packages are intact and usable: every file is either as before or complete, never half."""

from __future__ import annotations

import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from faultkit import glossator_process
from paths import CORPUS, TEST_MODEL_DIR

from glossator.common.settings import Settings
from glossator.glossary.io import load_glossary
from glossator.models.packages import install_package, list_packages

pytestmark = pytest.mark.slow

PACKAGE = TEST_MODEL_DIR / "de_en_glossator_test.argosmodel"
KILLS = 8


def _kill_after(process: subprocess.Popen[bytes], delay: float) -> bool:
    """SIGKILL *process* after *delay* s unless it ended first; True if it was killed."""
    try:
        process.wait(timeout=delay)
        return False
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
        process.wait()
        return True


def _delays(seed: int, *args: object) -> list[float]:
    """Kill times spread over one uninterrupted run of ``glossator ARGS`` (timed here, so a faster or slower
    machine still kills mid-way): from 15% to 95% of its duration, the start-up included."""
    start = time.monotonic()
    process = glossator_process(*args)
    assert process.wait(timeout=300) == 0, process.stderr.read() if process.stderr else ""
    duration = time.monotonic() - start
    rng = random.Random(seed)
    return [rng.uniform(0.15, 0.95) * duration for _ in range(KILLS)]


def _temp_debris(path: Path) -> bool:
    return path.name.startswith(".") and path.name.endswith(".tmp")


def _big_glossary(path: Path, entries: int = 4000) -> None:
    lines = ["# house glossary, kept by hand\nterms:\n"]
    lines += [f"  - source: Fachbegriff{n}\n    target: term {n}\n" for n in range(entries)]
    path.write_text("".join(lines), encoding="utf-8")


def test_killed_glossary_edits_leave_the_glossary_whole(tmp_path: Path) -> None:
    path = tmp_path / "glossary.yaml"
    _big_glossary(path)
    base = 4001  # with the entry the timing run adds
    delays = _delays(11, "glossary", "add", path, "Zeitmessung", "timing")
    killed = 0
    for n, delay in enumerate(delays):
        before = path.read_bytes()
        process = glossator_process("glossary", "add", path, f"Neuwort{n}", f"new word {n}")
        killed += _kill_after(process, delay)
        after = path.read_bytes()
        # Either untouched or the whole edit: the old bytes with one entry appended, nothing else changed.
        assert after == before or (after.startswith(before) and after[len(before) :].count(b"- source:") == 1)
        sources = [t.source for t in load_glossary(path).terms]
        assert len(sources) in (base + n, base + n + 1)
        if len(sources) == base + n:  # the edit did not happen: add it now, the lock must not be stuck
            done = glossator_process("glossary", "add", path, f"Neuwort{n}", f"new word {n}")
            assert done.wait(timeout=60) == 0, done.stderr.read() if done.stderr else ""
        # Debris of a killed write is a hidden temp file, never the glossary itself.
        assert {p.name for p in tmp_path.iterdir()} - {path.name, path.name + ".lock"} <= {
            p.name for p in tmp_path.glob(f".{path.name}.*.tmp")
        }
    assert killed >= KILLS // 2, f"only {killed} of {KILLS} runs were killed mid-way: the delays are too long"
    assert [t.source for t in load_glossary(path).terms][-KILLS:] == [f"Neuwort{n}" for n in range(KILLS)]


def test_killed_translations_leave_complete_outputs_and_a_usable_memory(tmp_path: Path) -> None:
    install_package(PACKAGE, Settings.from_env())
    inputs = tmp_path / "in"
    inputs.mkdir()
    article = (CORPUS / "iraq-troops.de.txt").read_text(encoding="utf-8")
    paragraphs = [p for p in article.split("\n\n") if p.strip()]
    for n in range(12):  # twelve documents, each a different order of the article's paragraphs
        rng = random.Random(n)
        order = paragraphs[:]
        rng.shuffle(order)
        (inputs / f"doc{n:02}.de.txt").write_text("\n\n".join(order) + "\n", encoding="utf-8")
    reference = tmp_path / "reference"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "glossator",
            "translate",
            str(inputs),
            "-o",
            str(reference),
            "-q",
            "--memory",
            str(tmp_path / "reference.sqlite3"),
        ],
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    expected = {p.name: p.read_bytes() for p in reference.iterdir()}
    assert len(expected) == 12

    out = tmp_path / "out"
    memory = tmp_path / "memory.sqlite3"
    killed = 0
    warm = tmp_path / "reference.sqlite3"  # timed warm, as the runs below are once one of them completes
    for delay in _delays(12, "translate", inputs, "-o", tmp_path / "timing", "-q", "--memory", warm):
        process = glossator_process("translate", inputs, "-o", out, "--force", "-q", "--memory", memory)
        killed += _kill_after(process, delay)
        # A write killed between its temp file and the rename leaves that hidden temp file behind (debris, not
        # loss: the output itself is never half-written).
        written = {p.name: p.read_bytes() for p in out.iterdir() if not _temp_debris(p)} if out.exists() else {}
        for name, data in written.items():
            assert data == expected[name], f"{name} is not the complete translation after a kill"
        if memory.exists():
            with sqlite3.connect(memory) as db:
                assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert killed >= KILLS // 2, f"only {killed} of {KILLS} runs were killed mid-way"
    assert sorted(p.name for p in inputs.iterdir()) == [f"doc{n:02}.de.txt" for n in range(12)]
    final = subprocess.run(
        [
            sys.executable,
            "-m",
            "glossator",
            "translate",
            str(inputs),
            "-o",
            str(out),
            "--force",
            "-q",
            "--memory",
            str(memory),
        ],
        capture_output=True,
        check=False,
    )
    assert final.returncode == 0, final.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir() if not _temp_debris(p)} == expected
    assert not list(tmp_path.glob("*.corrupt-*"))


def test_killed_installs_leave_no_half_package(tmp_path: Path) -> None:
    settings = Settings.from_env()
    archive = tmp_path / "p.argosmodel"
    shutil.copyfile(PACKAGE, archive)
    delays = _delays(13, "models", "install", archive)
    killed = 0
    for delay in delays:
        for package in list_packages(settings):
            shutil.rmtree(package.path)  # type: ignore[arg-type]
        process = glossator_process("models", "install", archive)
        killed += _kill_after(process, delay)
        packages = list_packages(settings)
        assert len(packages) <= 1
        if packages:  # visible means complete: it loads and translates
            probe = subprocess.run(
                [sys.executable, "-m", "glossator", "translate", "-", "-q"],
                input=b"Hallo.\n",
                capture_output=True,
                check=False,
            )
            assert probe.returncode == 0, probe.stderr
    assert killed >= KILLS // 2, f"only {killed} of {KILLS} runs were killed mid-way"
    # The next install clears any staging debris and succeeds.
    start = time.monotonic()
    for package in list_packages(settings):
        shutil.rmtree(package.path)  # type: ignore[arg-type]
    again = glossator_process("models", "install", archive)
    assert again.wait(timeout=120) == 0
    assert time.monotonic() - start < 120
    assert [p.name for p in settings.packages_dir.iterdir() if p.name.startswith(".glossator-staging")] == []
    assert len(list_packages(settings)) == 1
