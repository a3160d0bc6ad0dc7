"""``glossator doctor``: a healthy install, a missing model, the test model only, an unwritable memory."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from clirun import run
from paths import TEST_MODEL_DIR

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "models"))  # the shared helpers of tests/models
from pkgfactory import make_dir

from glossator.common.settings import Settings
from glossator.models.packages import install_package


def test_missing_model_is_a_problem_with_the_fix() -> None:
    result = run("doctor")
    assert result.exit_code == 7
    assert "problem: no de→en model installed" in result.stdout
    assert "glossator models install de-en" in result.stdout
    assert "argostranslate" in result.stdout and "models path" in result.stdout


def test_test_model_only_is_a_warning() -> None:
    install_package(TEST_MODEL_DIR / "de_en_glossator_test.argosmodel", Settings.from_env())
    result = run("doctor")
    assert result.exit_code == 0, result.stdout
    assert "de_en_glossator_test 1.0 (test model)" in result.stdout
    assert "warning: test model: de_en_glossator_test 1.0" in result.stdout
    assert "ok: translation memory" in result.stdout


def test_healthy_install_with_a_real_model(tmp_path: Path) -> None:
    """A package that is not the test fixture (structure only: doctor does not load the model)."""
    install_package(make_dir(tmp_path, "translate-de_en-2_0", package_version="2.0"), Settings.from_env())
    result = run("doctor", "--json")
    assert result.exit_code == 0
    assert '"level": "ok"' in result.stdout and "translations use translate-de_en-2_0 2.0" in result.stdout


def test_unwritable_memory_is_a_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    install_package(TEST_MODEL_DIR / "de_en_glossator_test.argosmodel", Settings.from_env())
    import glossator.doctor

    # (CI runs as root, where folder modes do not stop writes: the access check is faked.)
    monkeypatch.setattr(glossator.doctor.os, "access", lambda path, mode: mode != glossator.doctor.os.W_OK)
    result = run("doctor")
    assert result.exit_code == 7
    assert "is not writable (translations work, nothing is remembered)" in result.stdout
    assert "set GLOSSATOR_CACHE_DIR" in result.stdout
