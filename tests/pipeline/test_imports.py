"""Import discipline: start-up stays fast because heavy modules load only on the paths that need them.

``argostranslate.translate`` pulls stanza and torch (~2.6 s, ~760 MB): Glossator never imports it. ``--help``
imports no engine, segmenter, lemmatizer or metric library at all.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from paths import CORPUS, TEST_MODEL_DIR

from glossator.common.settings import Settings
from glossator.models.packages import install_package

NEVER = ["torch", "stanza", "argostranslate.translate", "spacy", "transformers", "pydantic", "ray"]
# rich.markdown: typer's rich help (0.15 s); the CLI asks for click's plain help instead.
NOT_FOR_HELP = [
    *NEVER,
    "rich.markdown",
    "ctranslate2",
    "sentencepiece",
    "somajo",
    "simplemma",
    "sacrebleu",
    "numpy",
    "yaml",
]


def loaded_after(args: list[str], watch: list[str]) -> tuple[int, list[str]]:
    """Run the CLI with *args* in a fresh interpreter; return its exit code and which *watch* modules loaded."""
    script = (
        "import json, sys\n"
        "from glossator.cli import app\n"
        "try:\n"
        f"    app({args!r}, standalone_mode=True)\n"
        "except SystemExit as exit:\n"
        "    code = exit.code or 0\n"
        f"print(json.dumps([code, [m for m in {watch!r} if m in sys.modules]]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=dict(os.environ), timeout=300
    )
    code, loaded = json.loads(done.stdout.strip().splitlines()[-1])
    return code, loaded


@pytest.mark.parametrize("args", [["--help"], ["translate", "--help"], ["glossary", "--help"], ["version"]])
def test_help_and_version_load_nothing_heavy(args):
    code, loaded = loaded_after(args, NOT_FOR_HELP)
    assert code == 0
    assert loaded == []


@pytest.mark.slow
def test_translating_never_loads_argos_translate_or_torch(tmp_path: Path):
    install_package(TEST_MODEL_DIR / "de_en_glossator_test.argosmodel", Settings.from_env())
    out = tmp_path / "out.en.txt"
    args = ["translate", str(CORPUS / "iraq-troops.de.txt"), "-g", str(CORPUS / "glossary.yaml"), "-o", str(out)]
    code, loaded = loaded_after(args, [*NEVER, "ctranslate2"])
    assert code == 0 and out.read_text(encoding="utf-8").strip()
    assert loaded == ["ctranslate2"]  # the engine, and nothing of Argos' own translation stack
