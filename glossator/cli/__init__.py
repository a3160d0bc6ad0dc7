"""The ``glossator`` command line: a thin typer layer over the library (see :mod:`glossator.cli.app`).

Each command parses its options, calls one library function (mostly :mod:`glossator.api`), prints, and lets a
typed error become ``Error: …`` plus an exit code (:mod:`glossator.cli.errors`, the one table). Library modules
that load models are imported inside the commands, so ``--help``, ``glossary …`` and ``score`` start fast.
"""

from __future__ import annotations

from glossator.cli import (  # noqa: F401  (imported to register their commands on `app`)
    cache_cmd,
    check_cmd,
    doctor_cmd,
    evaluate_cmd,
    glossary_cmd,
    models_cmd,
    score_cmd,
    translate_cmd,
)
from glossator.cli.app import app

__all__ = ["app", "main"]


def main() -> None:
    app()
