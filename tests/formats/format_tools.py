"""Shared by the format tests: the consumers' own applications (LibreOffice, msgfmt, Chromium, xmllint).

``require_tool("msgfmt")`` returns the tool's path; without it the test skips with the reason — except under
``CI=true``, where ``.ci/run`` has installed it and a missing tool is a failure."""

from __future__ import annotations

import os
import shutil

import pytest

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
