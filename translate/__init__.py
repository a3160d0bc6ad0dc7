"""Glossator's translation pipeline: documents → sentences → glossary → engine → enforced English.

Nothing happens at import time: importing this package opens no file, creates no directory and reads no
environment variable. Heavy modules (ctranslate2, sentencepiece, argostranslate) are imported only where a
model is actually needed.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("glossator")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"
