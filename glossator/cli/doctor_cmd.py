"""``glossator doctor``: the first thing to run when something is off."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from glossator.cli.app import app


@app.command("doctor")
def doctor_command(json_out: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False) -> None:
    """Check the installation: versions, where models and the memory live, installed models, problems and fixes.

    Exit 7 when a problem was found. Example: glossator doctor
    """
    from glossator.common.errors import CheckFailed
    from glossator.doctor import diagnose

    report = diagnose()
    if json_out:
        typer.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        for name, value in report.versions.items():
            typer.echo(f"{name:15} {value}")
        for name, value in report.paths.items():
            typer.echo(f"{name + ' path':15} {value}")
        for model in report.models:
            mark = " (test model)" if model["test_fixture"] else ""
            typer.echo(f"{'model':15} {model['name'] or model['code']} {model['version']}{mark} {model['path']}")
        for finding in report.findings:
            typer.echo(finding.format())
    if report.problems:
        count = len(report.problems)
        raise CheckFailed(f"{count} problem{'' if count == 1 else 's'} found (see above).")
