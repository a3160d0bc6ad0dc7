"""Block and record network access in tests: the offline guarantee's instrument.

``block_network()`` patches ``socket.socket.connect``/``connect_ex``, ``socket.create_connection`` and
``socket.getaddrinfo`` so that any address other than loopback (127.0.0.0/8, ::1, localhost) or a Unix
socket raises :class:`NetworkBlocked` (a ``ConnectionRefusedError``, so code under test sees an ordinary
network failure) and is recorded in ``NetworkGuard.attempts``. Tests assert ``guard.attempts == []``:
recording catches code that swallows the error (as ``argostranslate.package.update_package_index`` does).

Use the ``no_network`` fixture (``tests/models/conftest.py``) or ``with block_network() as guard:``.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "::1", "0:0:0:0:0:0:0:1"})


class NetworkBlocked(ConnectionRefusedError):
    """Raised instead of opening a connection to a non-loopback address."""


@dataclass
class NetworkGuard:
    attempts: list[str] = field(default_factory=list)

    def check(self, what: str, address: Any) -> None:
        if not is_loopback(address):
            self.attempts.append(f"{what} {address!r}")
            raise NetworkBlocked(f"network access blocked in tests: {what} {address!r}")


def is_loopback(address: Any) -> bool:
    """True for a host name / ``(host, port, ...)`` tuple on the loopback interface."""
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    return isinstance(host, str) and (host in LOOPBACK_NAMES or host.startswith("127."))


@contextmanager
def block_network() -> Iterator[NetworkGuard]:
    guard = NetworkGuard()
    original_connect = socket.socket.connect
    original_connect_ex = socket.socket.connect_ex
    original_create_connection = socket.create_connection
    original_getaddrinfo = socket.getaddrinfo

    def connect(self: socket.socket, address: Any) -> None:
        if self.family != getattr(socket, "AF_UNIX", None):
            guard.check("connect", address)
        return original_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        if self.family != getattr(socket, "AF_UNIX", None):
            guard.check("connect_ex", address)
        return original_connect_ex(self, address)

    def create_connection(address: Any, *args: Any, **kwargs: Any) -> socket.socket:
        guard.check("create_connection", address)
        return original_create_connection(address, *args, **kwargs)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host is not None:  # None: a local bind
            guard.check("getaddrinfo", host)
        return original_getaddrinfo(host, *args, **kwargs)

    socket.socket.connect = connect  # type: ignore[method-assign]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]
    socket.create_connection = create_connection  # type: ignore[assignment]
    socket.getaddrinfo = getaddrinfo  # type: ignore[assignment]
    try:
        yield guard
    finally:
        socket.socket.connect = original_connect  # type: ignore[method-assign]
        socket.socket.connect_ex = original_connect_ex  # type: ignore[method-assign]
        socket.create_connection = original_create_connection  # type: ignore[assignment]
        socket.getaddrinfo = original_getaddrinfo  # type: ignore[assignment]
