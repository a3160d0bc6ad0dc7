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


REQUIRE_SHARED = "GLOSSATOR_REQUIRE_SHARED"


@pytest.fixture
def shared_data() -> Path:
    """The full shared data sets (WMT, terminology, standards). A user's clone has no ``../shared``: the test is
    skipped with the reason; CI (``.ci/run``) sets GLOSSATOR_REQUIRE_SHARED=1, which turns the skip into a failure."""
    import os

    path = SHARED / "data"
    if not path.is_dir():
        if os.environ.get(REQUIRE_SHARED) == "1":
            pytest.fail(f"{path} is missing and {REQUIRE_SHARED}=1: CI needs ../shared beside the clone")
        pytest.skip(f"needs the full data sets in {path} (not in a plain clone; CI runs this test)")
    return path
