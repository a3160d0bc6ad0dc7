"""Glossator's translation pipeline: documents → sentences → glossary → engine → enforced English.

Nothing happens at import time: importing this package opens no file, creates no directory and reads no
environment variable. Heavy modules (ctranslate2, sentencepiece, argostranslate) are imported only where a
model is actually needed.
"""


def __getattr__(name: str) -> str:
    # The version is looked up on first use: importlib.metadata costs ~70 ms, paid by every command otherwise.
    if name != "__version__":
        raise AttributeError(f"module 'translate' has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("glossator")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0.0.0+unknown"
