"""The translation memory under faults: only real damage moves it aside; locks, read-only files and failed writes
leave it where it is, warn once, and never fail the translation. ``cache stats``/``clear`` say what is wrong."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from clirun import run
from fakes import FakeEngine

from glossator.common.errors import InputError, OutputError
from glossator.common.settings import Settings
from glossator.translate import cache as cache_module
from glossator.translate.cache import TranslationMemory
from glossator.translate.pipeline import DocumentInput, translate_documents

DOC = [DocumentInput("a", "Der Staat handelt.\n", "txt")]


def _memory_with_one_entry(path: Path) -> None:
    memory = TranslationMemory(path)
    memory.put_many([("k", "m@1", "s", "t", "{}")])
    memory.close()


def test_a_locked_memory_is_left_alone_and_the_translation_goes_on(tmp_path: Path) -> None:
    path = tmp_path / "memory.sqlite3"
    _memory_with_one_entry(path)
    holder = sqlite3.connect(path)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        memory = TranslationMemory(path, timeout=0.1)
        warnings: list[str] = []
        settings = Settings.from_env(cache_dir=tmp_path)
        [result] = translate_documents(DOC, settings, engine=FakeEngine(), warnings=warnings, memory=memory)
        assert result.text == "EN: Der Staat handelt.\n"
        assert len(warnings) == 1 and "database is locked" in warnings[0]
        with pytest.raises(InputError, match="database is locked"):
            TranslationMemory(path, timeout=0.1).stats()
    finally:
        holder.rollback()
        holder.close()
    assert not list(tmp_path.glob("*.corrupt-*"))  # not moved aside
    assert TranslationMemory(path).stats().entries == 1  # and intact


def test_a_damaged_memory_is_moved_aside(tmp_path: Path) -> None:
    path = tmp_path / "memory.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    memory = TranslationMemory(path)
    assert memory.stats().entries == 0
    assert len(list(tmp_path.glob("memory.sqlite3.corrupt-*"))) == 1
    assert "was damaged" in memory.warnings[0]


def test_a_read_only_memory_serves_lookups_and_warns_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "memory.sqlite3"
    _memory_with_one_entry(path)
    # (Tests run as root in CI, where file modes do not stop writes: the memory's own access check is faked.)
    monkeypatch.setattr(cache_module.os, "access", lambda p, mode: False)
    memory = TranslationMemory(path)
    assert memory.get_many(["k"]) == {"k": ("t", "{}")}
    memory.put_many([("k2", "m@1", "s2", "t2", "{}")])
    memory.put_many([("k3", "m@1", "s3", "t3", "{}")])
    assert [w for w in memory.warnings if "cannot store" in w] == [memory.warnings[0]]
    assert len(memory.warnings) == 1
    with pytest.raises(OutputError, match="read-only"):
        memory.clear()


def test_cache_stats_reports_a_locked_memory_as_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GLOSSATOR_CACHE_DIR", str(tmp_path))
    path = tmp_path / "memory.sqlite3"
    _memory_with_one_entry(path)
    monkeypatch.setattr(TranslationMemory, "LOCK_TIMEOUT", 0.1)
    holder = sqlite3.connect(path)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        result = run("cache", "stats")
    finally:
        holder.rollback()
        holder.close()
    assert result.exit_code == 3
    assert "database is locked" in result.stderr and "0 entries" not in result.stdout
