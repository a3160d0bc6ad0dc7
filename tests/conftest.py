"""Shared fixtures: every test runs with its own package directory, cache and home, never the user's."""

from __future__ import annotations

from pathlib import Path

import pytest
from paths import CORPUS, REPO, SHARED, TEST_MODEL_DIR  # noqa: F401  (re-exported for old imports)


@pytest.fixture(autouse=True)
def isolated_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point every data, cache and config directory at a fresh temp folder."""
    root = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(root))
    monkeypatch.setenv("XDG_DATA_HOME", str(root / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(root / "cache"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(root / "config"))
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(root / "packages"))
    monkeypatch.setenv("GLOSSATOR_CACHE_DIR", str(root / "glossator-cache"))
    # The offline guarantee: a test that wants an index must serve one on 127.0.0.1 itself.
    monkeypatch.setenv("ARGOS_PACKAGE_INDEX", "http://127.0.0.1:9/")
    return root


@pytest.fixture
def corpus_article() -> Path:
    return CORPUS / "iraq-troops.de.txt"


@pytest.fixture
def shared_data() -> Path:
    path = SHARED / "data"
    if not path.is_dir():  # CI always has ../shared beside the clone; a missing one is a setup error
        pytest.fail(f"{path} is missing: clone the repo with ../shared beside it")
    return path
