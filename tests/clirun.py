"""The one CLI runner of the tests: ``run`` (typer's CliRunner on the app, str() of every argument) and
``run_cli`` (the way the console script runs, with the real exit codes and stderr of typed errors).

``run_cli``: ``typer.testing.CliRunner.invoke(app, ...)`` calls the click command directly and so bypasses
``glossator.cli._App.__call__``, where typed errors become ``Error: …`` plus an exit code. This helper
calls ``app(...)`` itself inside the runner's stream isolation, so tests see the real exit codes and stderr.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from typer.testing import CliRunner

from glossator.cli import app


def run(*args: object, input: str | bytes | None = None) -> Any:
    """``glossator ARGS...`` in-process; returns click's Result (exit_code, stdout, stderr, output)."""
    return CliRunner().invoke(app, [str(a) for a in args], input=input)


@dataclass(frozen=True)
class CliResult:
    exit_code: int
    stdout: str
    stderr: str


def run_cli(args: list[str], input: str | None = None) -> CliResult:
    runner = CliRunner()
    with runner.isolation(input=input) as streams:
        stdout, stderr = streams[0], streams[1]
        try:
            app(args, prog_name="glossator")
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        return CliResult(code, stdout.getvalue().decode(), stderr.getvalue().decode())
