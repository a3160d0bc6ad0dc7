"""Errors raised by the glossary package.

The glossary package must not import ``translate`` (imports go one way only), so its errors live here and
the CLI maps them to exit codes alongside the pipeline's own errors.
"""


class GlossaryError(Exception):
    """A glossary file or entry is invalid: the message says what, where (file:line or entry) and how to fix."""


class GlossaryLockError(GlossaryError):
    """Another process holds the glossary's edit lock for too long."""


class InputFileError(Exception):
    """A file given as input cannot be used: missing, a directory, binary, not decodable, or empty where
    content is required. Raised by :func:`glossary.fileio.read_text` for every command that reads text."""
