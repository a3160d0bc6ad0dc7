"""Fault injection with the real mechanisms: a small tmpfs that fills up, a file system remounted read-only.

Mounting needs root (CI runs as root; so does this project's development machine). Elsewhere the tests are skipped
with that reason, unless CI=true, where a skip would hide a missing check, so they fail instead.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

Mount = Callable[..., Path]


def _mount(target: Path, size: str) -> str | None:
    """Mount a tmpfs of *size* on *target*; None on success, else why not."""
    if os.geteuid() != 0:
        return "needs root to mount a tmpfs"
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "glossator-faults", str(target)],
        capture_output=True,
        text=True,
        check=False,
    )
    return None if result.returncode == 0 else f"cannot mount a tmpfs here: {result.stderr.strip()}"


@pytest.fixture
def small_fs(tmp_path: Path) -> Iterator[Mount]:
    """``small_fs("64k")`` mounts a fresh tmpfs of that size and returns its folder; unmounted afterwards."""
    mounted: list[Path] = []

    def mount(size: str = "64k", name: str = "fs") -> Path:
        target = tmp_path / name
        target.mkdir()
        problem = _mount(target, size)
        if problem:
            if os.environ.get("CI") == "true":
                pytest.fail(f"{problem}; CI must run the fault-injection tests")
            pytest.skip(problem)
        mounted.append(target)
        return target

    yield mount
    for target in reversed(mounted):
        subprocess.run(["umount", "-l", str(target)], check=False)
