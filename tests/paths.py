"""Paths the tests share (importable as ``paths``: pyproject puts tests/ on the Python path)."""

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
CORPUS = REPO / "corpus"
TEST_MODEL_DIR = REPO / "tests" / "model"
