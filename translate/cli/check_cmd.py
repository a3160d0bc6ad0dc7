"""CLI commands: placeholder module, filled in by its issue."""

from translate.cli import app  # noqa: F401
