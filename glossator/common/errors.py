"""Typed errors of every layer of Glossator (the bottom layer: everything may import it).

Every message says what went wrong, where (file, line, package) and how to fix it, in one line. The CLI
maps each type to an exit code in one table (``glossator.cli.errors.EXIT_CODES``); the library never exits.
"""

__all__ = [
    "BusyError",
    "CheckFailed",
    "CorpusError",
    "DownloadError",
    "GlossaryError",
    "GlossaryLockError",
    "GlossatorError",
    "InputError",
    "InputFileError",
    "ModelNotInstalledError",
    "ModelPackageError",
    "OutputError",
    "UsageError",
]


class GlossatorError(Exception):
    """Base class of Glossator's expected errors."""


class GlossaryError(GlossatorError):
    """A glossary file or entry is invalid: the message says what, where (file:line or entry) and how to fix."""


class ClusterError(GlossatorError):
    """``--ray``: Ray is not installed, the cluster cannot be reached, or it failed a batch after retries."""


class BusyError(GlossatorError):
    """Another process holds a lock Glossator needs (a glossary edit, a package install) for too long: retry."""


class GlossaryLockError(BusyError):
    """Another process holds the glossary's edit lock for too long."""


class InputFileError(GlossatorError):
    """A file given as input cannot be used: missing, a directory, binary, not decodable, or empty where
    content is required. Raised by :func:`glossator.common.fileio.read_text` for every command that reads text."""


class UsageError(GlossatorError):
    """Options that do not fit together (e.g. several inputs and ``-o`` naming a file)."""


class InputError(GlossatorError):
    """Input data that cannot be used: mismatched line counts, unparsable JSON, an unknown format."""


class CorpusError(InputError):
    """A corpus manifest or a file it names is missing or invalid."""


class ModelNotInstalledError(GlossatorError):
    """No installed model package for the language pair (the message says how to install one)."""


class ModelPackageError(GlossatorError):
    """A model package file or directory is corrupt, incomplete or unsafe."""


class DownloadError(GlossatorError):
    """The package index or a package download failed (network, HTTP status, checksum, truncation)."""


class OutputError(GlossatorError):
    """An output cannot be written: it exists (without ``--force``), is an input, or its folder is unwritable."""


class CheckFailed(GlossatorError):
    """A requested check failed: a quality gate, ``--strict`` term violations, ``glossary check`` findings."""
