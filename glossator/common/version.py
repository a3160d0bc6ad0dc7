"""Glossator's installed version, looked up on first use (importlib.metadata costs ~70 ms)."""

from __future__ import annotations


def version() -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as dist_version

    try:
        return dist_version("glossator")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0.0.0+unknown"
