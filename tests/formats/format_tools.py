"""Shared by the format tests: the consumers' own applications (LibreOffice, msgfmt, Chromium, xmllint).

``require_tool("msgfmt")`` returns the tool's path; without it the test skips with the reason — except under
``CI=true``, where ``.ci/run`` has installed it and a missing tool is a failure."""

from __future__ import annotations

import io
import os
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest

from glossator import Translator
from glossator.common.settings import Settings
from glossator.glossary.model import Glossary

APT = {
    "soffice": "libreoffice-writer-nogui libreoffice-calc-nogui libreoffice-impress-nogui",
    "msgfmt": "gettext",
    "chromium": "chromium",
    "xmllint": "libxml2-utils",
}


def require_tool(name: str) -> str:
    path = shutil.which(name)
    if path:
        return path
    message = f"{name} is not installed (apt-get install {APT.get(name, name)})"
    if os.environ.get("CI") == "true":
        pytest.fail(message + "; CI must run this test")
    pytest.skip(message)


def offline_settings(tmp_path: Path) -> Settings:
    """Packages and memory under *tmp_path*, the memory off: each test translates afresh."""
    return Settings(packages_dir=tmp_path / "packages", cache_dir=tmp_path / "cache", use_cache=False)


def translate_document(
    tmp_path: Path, data: bytes, engine: Any, glossary: Glossary | None, name: str
) -> tuple[Any, bytes]:
    """Write *data* as *name* (``x.de.EXT``), translate it to ``x.en.EXT`` with *engine*; the result and its bytes."""
    source = tmp_path / name
    source.write_bytes(data)
    target = tmp_path / name.replace(".de.", ".en.")
    with Translator(settings=offline_settings(tmp_path), engine=engine, glossary=glossary) as translator:
        result = translator.translate_file(source, target, force=True)
    return result, target.read_bytes()


def zip_entries(data: bytes) -> list[tuple[str, bytes]]:
    """Every entry of a zip package, in order, with its bytes."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return [(info.filename, package.read(info)) for info in package.infolist()]
