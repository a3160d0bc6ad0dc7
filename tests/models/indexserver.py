"""A package index served on 127.0.0.1 by the test itself (``http.server`` in a thread, port 0)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    body: bytes
    status: int = 200
    content_length: int | None = None  # announce this length instead of len(body): a truncated download
    content_type: str = "application/octet-stream"


@dataclass
class IndexServer:
    """A package index on 127.0.0.1: set ``routes["/index.json"] = Route(...)``; ``requests`` lists paths."""

    url: str
    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)


@contextmanager
def serve_index() -> Iterator[IndexServer]:
    """Serve ``routes`` until the block ends; unknown paths get 404."""
    server_state = IndexServer(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            server_state.requests.append(self.path)
            route = server_state.routes.get(self.path)
            if route is None:
                self.send_error(404, "Not Found")
                return
            self.send_response(route.status)
            self.send_header("Content-Type", route.content_type)
            length = len(route.body) if route.content_length is None else route.content_length
            self.send_header("Content-Length", str(length))
            self.end_headers()
            self.wfile.write(route.body)
            self.close_connection = True  # HTTP/1.0: closing ends a short body early

        def log_message(self, format: str, *args: object) -> None:
            pass  # keep test output clean

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    server_state.url = f"http://127.0.0.1:{httpd.server_address[1]}/"
    try:
        yield server_state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)
