"""The offline guarantee: no command other than ``models install PAIR`` / ``models update`` opens a network
connection.

Every command runs in-process with sockets blocked (``tests/models/netguard.py``): a connection to anything
but 127.0.0.1 raises *and* is recorded, so code that swallows network errors is caught too. The case table
is data: when a command is added, add a row to ``CASES`` (``test_every_command_is_covered`` fails until
then). Placeholders in argv: ``{package_file}`` a fake .argosmodel (not installed), ``{tmp}`` a scratch
folder, ``{article}`` the corpus article (German), ``{test_model}`` the project's real test package, ``{tmx}`` a
real German/English TMX file.
Each case may ``install`` a package file first: ``"fake"`` (structure only) or ``"test_model"`` (real).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.main import get_command

from glossator.cli import app
from glossator.common.settings import Settings
from glossator.models.packages import install_package

sys.path.insert(0, str(Path(__file__).parent / "models"))  # the shared helpers of tests/models
from clirun import run_cli
from netguard import block_network
from pkgfactory import make_zip

REPO = Path(__file__).resolve().parent.parent
TEST_MODEL = REPO / "tests" / "model" / "de_en_glossator_test.argosmodel"


@dataclass(frozen=True)
class Case:
    argv: tuple[str, ...]
    exit_code: int = 0
    install: str | None = None  # "fake" | "test_model" | None


CASES: tuple[Case, ...] = (
    Case(("--help",)),
    Case(("version",)),
    Case(("doctor",), install="test_model"),
    Case(("doctor", "--json"), exit_code=7),
    Case(("models", "--help")),
    Case(
        (
            "models",
            "path",
        )
    ),
    Case(
        (
            "models",
            "list",
        )
    ),
    Case(("models", "list", "--json"), install="fake"),
    Case(("models", "install", "{package_file}")),  # from a file: offline by design
    Case(("models", "install", "{tmp}/missing.argosmodel"), exit_code=3),
    Case(("models", "remove", "de-en"), install="fake"),
    Case(("models", "remove", "de-en"), exit_code=4),
    Case(("translate", "{article}", "-o", "{tmp}/out.en.txt"), install="test_model"),
    Case(
        ("translate", "{article}", "-o", "{tmp}/out.en.txt", "--glossary", "{glossary}", "--json"), install="test_model"
    ),
    Case(("translate", "{article}", "-o", "{tmp}/out.en.txt"), exit_code=4),
    Case(("cache", "stats")),
    Case(("evaluate", "{corpus}/manifest.yaml", "--bootstrap", "10"), install="test_model"),
    Case(("glossary", "list", "{glossary}")),
    Case(("glossary", "show", "{glossary}", "Terrormiliz")),
    Case(("glossary", "search", "{glossary}", "miliz")),
    Case(("glossary", "validate", "{glossary}")),
    Case(("glossary", "stats", "{glossary}")),
    Case(("glossary", "add", "{tmp}/g.yaml", "Waffenruhe", "ceasefire")),
    Case(("glossary", "remove", "{tmp}/g.yaml", "Waffenruhe"), exit_code=3),
    Case(("glossary", "export", "{glossary}", "-o", "{tmp}/g.tsv")),
    Case(("glossary", "export", "{glossary}", "-o", "{tmp}/g.tbx")),
    Case(("glossary", "import", "{glossary}", "-o", "{tmp}/g2.yaml")),
    Case(("glossary", "lint", "{glossary}")),
    Case(("glossary", "edit", "{tmp}/g.yaml", "Waffenruhe", "--note", "x"), exit_code=3),
    Case(("glossary", "check", "{article}", "{corpus}/iraq-troops.en.txt", "--glossary", "{glossary}")),
    Case(("score", "{corpus}/iraq-troops.refB.en.txt", "--ref", "{corpus}/iraq-troops.en.txt", "--bootstrap", "10")),
    Case(("cache", "clear")),
    Case(("memory", "import", "{tmx}")),
    Case(("memory", "stats", "--json")),
    Case(("memory", "export", "-o", "{tmp}/tm.tmx", "--include-machine")),
    Case(("memory", "clear", "--human")),
)

# Commands that are allowed to use the network (only when asked for a language pair / the index).
NETWORK_COMMANDS = frozenset({"models update"})


def _leaf_commands(command: Any, path: tuple[str, ...] = ()) -> list[str]:
    if hasattr(command, "commands"):
        found = []
        for name, sub in command.commands.items():  # type: ignore[attr-defined]
            found += _leaf_commands(sub, (*path, name))
        return found
    return [" ".join(path)]


def _command_of(argv: tuple[str, ...], leaves: set[str]) -> str | None:
    words = [a for a in argv if not a.startswith("-")]
    for n in range(len(words), 0, -1):
        if " ".join(words[:n]) in leaves:
            return " ".join(words[:n])
    return None


def test_every_command_is_covered() -> None:
    leaves = set(_leaf_commands(get_command(app)))
    covered = {_command_of(case.argv, leaves) for case in CASES}
    missing = sorted(leaves - covered - NETWORK_COMMANDS)
    assert missing == [], f"add offline cases to tests/test_offline.py for: {missing}"


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=[" ".join(c.argv) for c in CASES])
def test_command_opens_no_network_connection(case: Case, tmp_path: Path, corpus_article: Path) -> None:
    settings = Settings.from_env()
    package_file = make_zip(tmp_path / "fake.argosmodel")
    if case.install == "fake":
        install_package(make_zip(tmp_path / "installed.argosmodel"), settings)
    elif case.install == "test_model":
        install_package(TEST_MODEL, settings)
    values = {
        "package_file": package_file,
        "tmp": tmp_path,
        "article": corpus_article,
        "corpus": corpus_article.parent,
        "glossary": corpus_article.parent / "glossary.yaml",
        "test_model": TEST_MODEL,
        "tmx": REPO / "tests" / "data" / "tmx" / "okapi-sample14b.tmx",
    }
    argv = [part.format(**values) for part in case.argv]
    with block_network() as guard:
        result = run_cli(argv)
    assert guard.attempts == []
    assert result.exit_code == case.exit_code, result.stderr


def test_the_guard_blocks_and_records() -> None:
    import socket
    import urllib.error
    import urllib.request

    with block_network() as guard:
        with pytest.raises(urllib.error.URLError):
            urllib.request.urlopen("http://example.org/", timeout=1)
        with pytest.raises(ConnectionRefusedError), socket.socket() as raw:
            raw.connect(("192.0.2.1", 80))
    assert guard.attempts == ["create_connection ('example.org', 80)", "connect ('192.0.2.1', 80)"]
