#!/usr/bin/env python3
"""Set up Glossator in this clone and run the main job, or run the tests — with nothing but python3 (3.11+).

    python3 scripts/quickstart.py          # venv in .venv, install, install the model, translate the corpus article
    python3 scripts/quickstart.py test     # the whole test suite from the same venv (installs the test extras)

Both can be run again: the venv is reused, the model install is skipped when present, and the translation
rewrites its own output (out/iraq-troops.en.txt). Extra arguments after ``test`` go to pytest.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
SMALL_MODEL = ROOT / "models" / "de_en_small" / "de_en_glossator_small.argosmodel"
TEST_MODEL = ROOT / "tests" / "model" / "de_en_glossator_test.argosmodel"


def step(message: str) -> None:
    print(f"==> {message}", file=sys.stderr, flush=True)


def run(*args: object) -> None:
    command = [str(a) for a in args]
    result = subprocess.run(command, cwd=ROOT)
    if result.returncode != 0:
        sys.exit(f"quickstart: this step failed (exit {result.returncode}): {' '.join(command)}")


def pip(*args: str) -> None:
    run(PYTHON, "-m", "pip", "install", "-q", "--disable-pip-version-check", *args)


def ensure_venv(extra: str = "") -> None:
    if sys.version_info < (3, 11):  # noqa: UP036  (this script may be run by an older python3)
        sys.exit(f"quickstart: Glossator needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    if not PYTHON.exists():
        step(f"creating a virtual environment in {VENV}")
        venv.EnvBuilder(with_pip=True).create(VENV)
    marker = VENV / f".glossator-installed{extra}"
    if marker.exists() and marker.stat().st_mtime >= (ROOT / "pyproject.toml").stat().st_mtime:
        return
    # argostranslate depends on torch (through stanza); an unpinned resolve pulls ~6 GB of CUDA wheels. Glossator
    # never imports torch: the CPU build is enough (this workplace's wheel cache has 2.13.0; elsewhere the
    # PyTorch CPU index has it).
    step("installing the CPU build of torch (a dependency of argostranslate)")
    probe = subprocess.run([PYTHON, "-m", "pip", "install", "-q", "--disable-pip-version-check", "torch==2.13.0"])
    if probe.returncode != 0:
        pip("torch", "--index-url", "https://download.pytorch.org/whl/cpu")
    step(f"installing Glossator{' with ' + extra.strip('[]') + ' extras' if extra else ''} into {VENV}")
    pip("-e", f"{ROOT}{extra}")
    marker.touch()


def main_job() -> None:
    ensure_venv()
    glossator = BIN / "glossator"
    model = SMALL_MODEL if SMALL_MODEL.exists() else TEST_MODEL
    step(f"installing the model {model.relative_to(ROOT)}")
    run(glossator, "models", "install", model)
    step("translating corpus/iraq-troops.de.txt with the curated glossary → out/iraq-troops.en.txt")
    run(glossator, "translate", "corpus/iraq-troops.de.txt", "--glossary", "corpus/glossary.yaml",
        "-o", "out/iraq-troops.en.txt", "--force", "--model", model.stem)  # fmt: skip
    step(f"done: {ROOT / 'out' / 'iraq-troops.en.txt'}")


def tests(pytest_args: list[str]) -> None:
    ensure_venv("[test]")
    step("running the test suite")
    run(PYTHON, "-m", "pytest", "-q", *pytest_args)


if __name__ == "__main__":
    if sys.argv[1:2] == ["test"]:
        tests(sys.argv[2:])
    elif len(sys.argv) == 1:
        main_job()
    else:
        sys.exit(__doc__)
