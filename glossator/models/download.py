"""HTTP for the package index and package downloads: timeouts, progress, length and sha256 checks.

Only ``glossator models install PAIR`` and ``glossator models update`` reach this module. It uses
``urllib.request`` directly because ``argostranslate``'s own helpers swallow network errors (they log and
return ``None``), retry silently, and hold the whole package in memory; here every failure becomes one
:class:`~glossator.common.errors.DownloadError` that says what failed and how to install offline instead.
"""

from __future__ import annotations

import hashlib
import http.client
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from glossator.common.errors import DownloadError

DEFAULT_TIMEOUT = 30.0  # seconds without progress before a connection or read is given up
Progress = Callable[[int, int | None], None]

CHUNK_SIZE = 1 << 16
USER_AGENT = "glossator (argos-translate compatible)"
OFFLINE_HINT = "On a machine without network, install from a file: glossator models install PATH.argosmodel"
_SCHEMES = ("http://", "https://", "file://")


def _describe(url: str, exc: BaseException, timeout: float) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        return f"{url}: HTTP {exc.code} {exc.reason}"
    if isinstance(exc, urllib.error.URLError):
        return f"cannot reach {url} ({exc.reason})"
    if isinstance(exc, TimeoutError):
        return f"{url}: no response for {timeout:g} s"
    return f"{url}: {exc}"


def _open(url: str, timeout: float) -> http.client.HTTPResponse:
    if not url.startswith(_SCHEMES):
        raise DownloadError(f"{url}: unsupported address; use an http://, https:// or file:// URL.")
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        return urllib.request.urlopen(request, timeout=timeout)
    except (OSError, http.client.HTTPException, ValueError) as exc:  # URLError/HTTPError are OSErrors
        raise DownloadError(f"{_describe(url, exc, timeout)}. {OFFLINE_HINT}") from exc


def _content_length(response: http.client.HTTPResponse) -> int | None:
    value = response.headers.get("Content-Length")
    return int(value) if value and value.isdigit() else None


def fetch_bytes(url: str, *, timeout: float = DEFAULT_TIMEOUT, limit: int = 64 << 20) -> bytes:
    """GET *url* into memory (for the index), checking the length the server announced."""
    with _open(url, timeout) as response:
        expected = _content_length(response)
        try:
            data = response.read(limit + 1)
        except (OSError, http.client.HTTPException) as exc:
            raise DownloadError(f"{_describe(url, exc, timeout)}. {OFFLINE_HINT}") from exc
    if len(data) > limit:
        raise DownloadError(f"{url}: larger than {limit} bytes; is this really a package index?")
    if expected is not None and len(data) != expected:
        raise DownloadError(f"{url}: truncated ({len(data)} of {expected} bytes). Try again.")
    return data


def download_file(
    url: str,
    destination: Path,
    *,
    sha256: str | None = None,
    progress: Progress | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> None:
    """Stream *url* into *destination* (an existing, writable file path the caller owns and cleans up).

    Raises :class:`DownloadError` on HTTP errors, an unreachable host, a body shorter or longer than its
    ``Content-Length``, or a sha256 that differs from *sha256* (hex, case-insensitive).
    """
    digest = hashlib.sha256()
    done = 0
    with _open(url, timeout) as response:
        total = _content_length(response)
        if progress is not None:
            progress(0, total)
        try:
            with destination.open("wb") as out:
                while chunk := response.read(CHUNK_SIZE):
                    out.write(chunk)
                    digest.update(chunk)
                    done += len(chunk)
                    if progress is not None:
                        progress(done, total)
        except http.client.IncompleteRead as exc:
            got = done + len(exc.partial)
            raise DownloadError(f"{url}: download truncated ({got} of {total} bytes). Try again.") from exc
        except (OSError, http.client.HTTPException) as exc:
            if isinstance(exc, OSError) and exc.filename is not None:
                raise DownloadError(f"cannot write the download to {exc.filename}: {exc.strerror}.") from exc
            raise DownloadError(f"{_describe(url, exc, timeout)} after {done} bytes. Try again.") from exc
    if total is not None and done != total:
        raise DownloadError(f"{url}: download truncated ({done} of {total} bytes). Try again.")
    if sha256 is not None and digest.hexdigest() != sha256.lower():
        raise DownloadError(
            f"{url}: sha256 mismatch (got {digest.hexdigest()}, the index says {sha256.lower()}); "
            "the file is corrupt or was tampered with. Try again, or install a verified file with "
            "'glossator models install PATH.argosmodel'."
        )
