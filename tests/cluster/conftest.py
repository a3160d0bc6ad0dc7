"""A real Ray cluster on 127.0.0.1 for the tests: a head and a second node, each its own ``ray start``, in a temp
folder, torn down afterwards. Ray is an optional extra: without it the tests skip with that reason, except with
GLOSSATOR_REQUIRE_RAY=1 (set by .ci/run), where a skip would hide a missing check, so they fail."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _ray_cli() -> str:
    return str(Path(sys.executable).with_name("ray"))


def _require_ray() -> None:
    """Skip (or, with GLOSSATOR_REQUIRE_RAY=1, fail) without the optional Ray extra. (This folder is not named
    ``ray``: on the tests' import path it would pass for the package.)"""
    import importlib.util

    if importlib.util.find_spec("ray") is None or importlib.util.find_spec("ray.exceptions") is None:
        if os.environ.get("GLOSSATOR_REQUIRE_RAY") == "1":
            pytest.fail(
                "ray is not installed and GLOSSATOR_REQUIRE_RAY=1: CI runs the Ray tests (pip install '.[ray]')"
            )
        pytest.skip("needs the optional Ray extra: pip install -e '.[ray]'")


@pytest.fixture
def ray_installed() -> None:
    _require_ray()


@pytest.fixture(scope="session")
def ray_cluster() -> Iterator[str]:
    """The address (``127.0.0.1:PORT``) of a two-node local cluster, one CPU per node."""
    _require_ray()
    # A short folder: Ray's Unix sockets live under it and their paths are limited to about 100 characters.
    temp = tempfile.mkdtemp(prefix="glray", dir="/tmp")
    port = _free_port()
    address = f"127.0.0.1:{port}"
    common = ["--node-ip-address=127.0.0.1", "--num-cpus=1", "--disable-usage-stats"]
    # Its own HOME: a ~/.ray/auth_token left by another Ray makes the second node fail authentication.
    env = {**os.environ, "RAY_ADDRESS": "", "HOME": temp}
    head = [_ray_cli(), "start", "--head", f"--port={port}", f"--temp-dir={temp}", "--include-dashboard=false", *common]
    worker = [_ray_cli(), "start", f"--address={address}", *common]
    try:
        subprocess.run(head, check=True, capture_output=True, env=env, timeout=120)
        subprocess.run(worker, check=True, capture_output=True, env=env, timeout=120)
        yield address
    finally:
        subprocess.run([_ray_cli(), "stop", "--force"], capture_output=True, env=env, timeout=120, check=False)
        shutil.rmtree(temp, ignore_errors=True)
