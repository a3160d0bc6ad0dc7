"""Fixtures for model-package tests: the network guard and a local package index server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from indexserver import IndexServer, serve_index
from netguard import NetworkGuard, block_network


@pytest.fixture
def no_network() -> Iterator[NetworkGuard]:
    """Sockets to anything but 127.0.0.1 raise and are recorded in ``guard.attempts``."""
    with block_network() as guard:
        yield guard


@pytest.fixture
def index_server() -> Iterator[IndexServer]:
    """A self-stopping package index on 127.0.0.1 (see :mod:`indexserver`)."""
    with serve_index() as server:
        yield server
