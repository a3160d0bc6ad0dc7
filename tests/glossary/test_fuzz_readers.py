"""Fuzzing every reader of user files: whatever the bytes, the answer is the parsed value or a typed one-line
error — never a traceback, never unbounded time or memory."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from glossator.common.errors import GlossatorError
from glossator.glossary.io import load_glossary
from glossator.quality.evaluate import load_manifest

pytestmark = pytest.mark.slow  # 450 generated files: the fuzz budget, not the fast lane

# derandomize: CI runs the same examples every time (exploration happens when the strategies change).
FUZZ = settings(
    max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

# YAML-ish text: the characters YAML cares about, plus words and the fields of our formats.
yamlish = st.lists(
    st.sampled_from(
        ["version: 1\n", "terms:\n", "  - ", "source: ", "target: ", "forbidden: ", "[", "]", "{", "}", ",", ":",
         "&a ", "*a", "!!python/object ", "- ", "\n", "  ", "'", '"', "#", "Terrormiliz", "no", "123", "~", "\t",
         "\x00", "\ufeff", "ä", "|", ">", "---\n", "...\n"]
    ),
    max_size=60,
).map("".join)  # fmt: skip


@FUZZ
@given(text=yamlish)
def test_yaml_glossaries_never_crash(tmp_path: Path, text: str) -> None:
    path = tmp_path / "g.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        load_glossary(path)
    except GlossatorError as exc:
        assert "\n" not in str(exc).strip()


@FUZZ
@given(data=st.binary(max_size=300), suffix=st.sampled_from([".tsv", ".csv", ".tbx", ".yaml"]))
@example(data=b"\r\x01", suffix=".tsv")  # found by CI's run: a lone CR crashed the csv module
@example(data=b"\xc2\x80", suffix=".yaml")  # found here: control characters crashed the YAML reader
def test_any_bytes_as_a_glossary_never_crash(tmp_path: Path, data: bytes, suffix: str) -> None:
    path = tmp_path / f"g{suffix}"
    path.write_bytes(data)
    with contextlib.suppress(GlossatorError):
        load_glossary(path)


@FUZZ
@given(text=yamlish)
def test_manifests_never_crash(tmp_path: Path, text: str) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(text.replace("terms", "documents"), encoding="utf-8")
    with contextlib.suppress(GlossatorError):
        load_manifest(path)
