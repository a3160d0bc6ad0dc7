"""The one table from error type to exit code, and the handler that applies it.

Exit codes (also in README):
  0 success · 1 internal error (a bug: please report) · 2 usage error · 3 bad input data (unreadable,
  binary or non-UTF-8 files, malformed glossary or manifest, mismatched line counts) · 4 model missing or
  model package invalid · 5 output refused (exists without --force, is an input, unwritable) ·
  6 download failed (network, HTTP status, checksum) · 7 a requested check failed (quality gate,
  --strict term violations, glossary check/lint findings) · 8 busy (another process holds a glossary or
  package lock, or the translation memory during ``memory import``/``export``; retry) · 9 Ray cluster problem
  (--ray: not installed, unreachable, a batch failed after retries) · 130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import sys

import typer

from glossator.common.errors import (
    BusyError,
    CheckFailed,
    ClusterError,
    DownloadError,
    GlossaryError,
    GlossatorError,
    InputError,
    InputFileError,
    ModelNotInstalledError,
    ModelPackageError,
    OutputError,
    UsageError,
)

EXIT_INTERNAL = 1
EXIT_USAGE = 2
EXIT_INPUT = 3
EXIT_MODEL = 4
EXIT_OUTPUT = 5
EXIT_DOWNLOAD = 6
EXIT_CHECK = 7
EXIT_BUSY = 8
EXIT_CLUSTER = 9
EXIT_INTERRUPTED = 130

# Most specific first: the first matching row wins.
EXIT_CODES: tuple[tuple[type[BaseException], int], ...] = (
    (BusyError, EXIT_BUSY),
    (UsageError, EXIT_USAGE),
    (InputFileError, EXIT_INPUT),
    (GlossaryError, EXIT_INPUT),
    (InputError, EXIT_INPUT),
    (ModelNotInstalledError, EXIT_MODEL),
    (ModelPackageError, EXIT_MODEL),
    (OutputError, EXIT_OUTPUT),
    (DownloadError, EXIT_DOWNLOAD),
    (CheckFailed, EXIT_CHECK),
    (ClusterError, EXIT_CLUSTER),
)

KNOWN_ERRORS = (GlossatorError, GlossaryError, InputFileError)


def exit_code_for(exc: BaseException) -> int:
    for error_type, code in EXIT_CODES:
        if isinstance(exc, error_type):
            return code
    return EXIT_INTERNAL


def fail(exc: BaseException) -> None:
    """Print ``Error: <message>`` as one line on stderr and exit with the error's code."""
    message = " ".join(str(exc).split())  # one line, whatever the library put in it
    typer.echo(f"Error: {message}", err=True)
    sys.exit(exit_code_for(exc))
