"""Helpers of the fault-injection tests (the fixture that mounts is in conftest.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def fill(folder: Path) -> None:
    """Fill the file system of *folder* to the last byte (a file grown until ENOSPC)."""
    with open(folder / "filler", "wb", buffering=0) as handle:
        chunk = b"\0" * 4096
        while True:
            try:
                handle.write(chunk)
            except OSError:
                break
        for size in (1024, 256, 64, 16, 4, 1):
            while True:
                try:
                    handle.write(b"\0" * size)
                except OSError:
                    break


def remount_read_only(folder: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)


def glossator_process(*args: object, **kwargs: object) -> subprocess.Popen[bytes]:
    """``glossator ARGS`` as its own process (the console script's path: ``python -m glossator``)."""
    return subprocess.Popen(
        [sys.executable, "-m", "glossator", *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        **kwargs,  # type: ignore[call-overload]
    )
