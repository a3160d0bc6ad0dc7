"""Paths the tests share (importable as ``paths``: pyproject puts tests/ on the Python path)."""

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
CORPUS = REPO / "corpus"
TEST_MODEL_DIR = REPO / "tests" / "model"
# The project's own trained small model (models/de_en_small/MODEL_CARD.md): the tests of fluent output use it.
SMALL_MODEL = REPO / "models" / "de_en_small" / "de_en_glossator_small.argosmodel"
# Excerpts of the WMT test sets committed with the tests (tests/data/wmt/README.md has their provenance).
WMT_EXCERPTS = REPO / "tests" / "data" / "wmt"
