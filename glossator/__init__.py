"""Glossator: offline German→English translation with a curated glossary and built-in quality scoring.

The Python API (the product's face; the ``glossator`` command line is a thin layer over it)::

    import glossator

    translator = glossator.Translator(glossary="corpus/glossary.yaml")
    result = translator.translate("Der Strategische Dialog beginnt.")
    print(result.text)

Nothing happens at import time: importing ``glossator`` opens no file, creates no directory, reads no
environment variable and imports neither ctranslate2 nor argostranslate. The names below are loaded on first
use (``glossator --help`` must start in well under 0.3 s).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from glossator.api import Translation, Translator, check, export_tmx, import_tmx, load_glossary, score
    from glossator.common.errors import GlossatorError
    from glossator.common.settings import Settings

__all__ = [
    "GlossatorError",
    "Settings",
    "Translation",
    "Translator",
    "__version__",
    "check",
    "export_tmx",
    "import_tmx",
    "load_glossary",
    "score",
]

_LAZY = {
    "Translator": "glossator.api",
    "Translation": "glossator.api",
    "load_glossary": "glossator.api",
    "score": "glossator.api",
    "check": "glossator.api",
    "import_tmx": "glossator.api",
    "export_tmx": "glossator.api",
    "GlossatorError": "glossator.common.errors",
    "Settings": "glossator.common.settings",
}


def __getattr__(name: str) -> Any:
    if name == "__version__":
        # Looked up on first use: importlib.metadata costs ~70 ms, paid by every command otherwise.
        from glossator.common.version import version

        return version()
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'glossator' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
