"""The package index and downloads, against a package index served on 127.0.0.1 by the test itself."""

from __future__ import annotations

import hashlib
import json
import socket
from pathlib import Path

import pytest
from indexserver import IndexServer, Route
from pkgfactory import DEFAULT_TOP, make_zip

from glossator.common.errors import DownloadError, ModelNotInstalledError, ModelPackageError
from glossator.common.settings import Settings
from glossator.models.packages import (
    index_cache_path,
    index_url,
    install_from_index,
    list_packages,
    update_index,
)

HINT = "On a machine without network, install from a file: glossator models install PATH.argosmodel"


@pytest.fixture
def package_bytes(tmp_path: Path) -> bytes:
    return make_zip(tmp_path / "served.argosmodel", package_version="1.9").read_bytes()


def serve(server: IndexServer, package: bytes, **entry_changes: object) -> Settings:
    entry = {
        "code": "translate-de_en",
        "type": "translate",
        "from_code": "de",
        "to_code": "en",
        "from_name": "German",
        "to_name": "English",
        "package_version": "1.9",
        "argos_version": "1.9",
        "links": [server.url + "translate-de_en-1_9.argosmodel"],
        "sha256": hashlib.sha256(package).hexdigest(),
    }
    entry.update(entry_changes)
    entry = {k: v for k, v in entry.items() if v is not None}
    other = {"from_code": "en", "to_code": "fr", "package_version": "1.0", "links": [server.url + "x"]}
    server.routes["/index.json"] = Route(json.dumps([other, entry]).encode(), content_type="application/json")
    server.routes["/translate-de_en-1_9.argosmodel"] = Route(package)
    return Settings.from_env(package_index_url=server.url)


def _downloads_left(settings: Settings) -> list[Path]:
    folder = settings.cache_dir / "downloads"
    return sorted(folder.iterdir()) if folder.exists() else []


def test_install_from_index_with_good_checksum(index_server: IndexServer, package_bytes: bytes) -> None:
    settings = serve(index_server, package_bytes)
    seen: list[tuple[int, int | None]] = []
    info = install_from_index("de", "en", settings, progress=lambda done, total: seen.append((done, total)))
    assert (info.code, info.version, info.path) == ("translate-de_en", "1.9", settings.packages_dir / DEFAULT_TOP)
    assert list_packages(settings) == [info]
    assert index_server.requests == ["/index.json", "/translate-de_en-1_9.argosmodel"]
    assert seen[0] == (0, len(package_bytes))
    assert seen[-1] == (len(package_bytes), len(package_bytes))
    assert _downloads_left(settings) == []
    # The index was cached for later offline lookups.
    cached = json.loads(index_cache_path(settings).read_bytes())
    assert [f"{p.get('type', 'translate')}-{p['from_code']}_{p['to_code']}" for p in cached] == [
        "translate-en_fr",
        "translate-de_en",
    ]


def test_checksum_prefixed_field_is_accepted(index_server: IndexServer, package_bytes: bytes) -> None:
    checksum = "sha256:" + hashlib.sha256(package_bytes).hexdigest().upper()
    settings = serve(index_server, package_bytes, sha256=None, checksum=checksum)
    assert update_index(settings)[1].sha256 == checksum[7:].lower()
    assert install_from_index("de", "en", settings).version == "1.9"


def test_no_checksum_in_index_still_installs(index_server: IndexServer, package_bytes: bytes) -> None:
    settings = serve(index_server, package_bytes, sha256=None)
    assert install_from_index("de", "en", settings).version == "1.9"


def test_bad_checksum(index_server: IndexServer, package_bytes: bytes) -> None:
    settings = serve(index_server, package_bytes, sha256="0" * 64)
    url = index_server.url + "translate-de_en-1_9.argosmodel"
    with pytest.raises(DownloadError) as err:
        install_from_index("de", "en", settings)
    assert str(err.value) == (
        f"{url}: sha256 mismatch (got {hashlib.sha256(package_bytes).hexdigest()}, the index says {'0' * 64}); "
        "the file is corrupt or was tampered with. Try again, or install a verified file with "
        "'glossator models install PATH.argosmodel'."
    )
    assert _downloads_left(settings) == []
    assert list_packages(settings) == []


def test_truncated_download(index_server: IndexServer, package_bytes: bytes) -> None:
    settings = serve(index_server, package_bytes)
    half = len(package_bytes) // 2
    index_server.routes["/translate-de_en-1_9.argosmodel"] = Route(
        package_bytes[:half], content_length=len(package_bytes)
    )
    url = index_server.url + "translate-de_en-1_9.argosmodel"
    with pytest.raises(DownloadError) as err:
        install_from_index("de", "en", settings)
    assert str(err.value) == f"{url}: download truncated ({half} of {len(package_bytes)} bytes). Try again."
    assert _downloads_left(settings) == []
    assert list_packages(settings) == []


def test_package_404(index_server: IndexServer, package_bytes: bytes) -> None:
    settings = serve(index_server, package_bytes)
    del index_server.routes["/translate-de_en-1_9.argosmodel"]
    url = index_server.url + "translate-de_en-1_9.argosmodel"
    with pytest.raises(DownloadError) as err:
        install_from_index("de", "en", settings)
    assert str(err.value) == f"{url}: HTTP 404 Not Found. {HINT}"
    assert _downloads_left(settings) == []


def test_index_404(index_server: IndexServer) -> None:
    settings = Settings.from_env(package_index_url=index_server.url)
    with pytest.raises(DownloadError) as err:
        update_index(settings)
    assert str(err.value) == f"{index_server.url}index.json: HTTP 404 Not Found. {HINT}"
    assert not index_cache_path(settings).exists()


def _refused_port() -> int:
    with socket.socket() as s:  # a port that was free a moment ago: nothing listens there
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_connection_refused() -> None:
    port = _refused_port()
    settings = Settings.from_env(package_index_url=f"http://127.0.0.1:{port}/")
    with pytest.raises(DownloadError) as err:
        install_from_index("de", "en", settings)
    assert str(err.value) == (
        f"cannot reach http://127.0.0.1:{port}/index.json ([Errno 111] Connection refused). {HINT}"
    )


def test_unknown_pair_lists_available_pairs(index_server: IndexServer, package_bytes: bytes) -> None:
    settings = serve(index_server, package_bytes)
    with pytest.raises(ModelNotInstalledError) as err:
        install_from_index("de", "xx", settings)
    assert str(err.value) == (
        f"the package index {index_server.url}index.json has no de-xx package (available: de-en, en-fr). "
        "Pick one of those, or install from a file: glossator models install PATH.argosmodel"
    )
    assert index_server.requests == ["/index.json"]


def test_index_entry_with_wrong_package(index_server: IndexServer, tmp_path: Path) -> None:
    wrong = make_zip(tmp_path / "w.argosmodel", from_code="en", to_code="de").read_bytes()
    settings = serve(index_server, wrong)
    with pytest.raises(ModelPackageError, match="the index lists a de-en package but the file holds en-de"):
        install_from_index("de", "en", settings)
    assert list_packages(settings) == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "the package index is not valid JSON ("),
        (b'{"a": 1}', "the package index must be a JSON list of packages. Check ARGOS_PACKAGE_INDEX."),
    ],
)
def test_bad_index(index_server: IndexServer, body: bytes, message: str) -> None:
    index_server.routes["/index.json"] = Route(body)
    settings = Settings.from_env(package_index_url=index_server.url)
    with pytest.raises(DownloadError) as err:
        update_index(settings)
    assert str(err.value).startswith(f"{index_server.url}index.json: {message}")


def test_malformed_entries_are_skipped(index_server: IndexServer) -> None:
    entries = [
        1,
        {"from_code": "de"},
        {"from_code": "de", "to_code": "en", "links": []},
        {"from_code": "a", "to_code": "b", "links": ["http://127.0.0.1/x"], "sha256": "short"},
    ]
    index_server.routes["/index.json"] = Route(json.dumps(entries).encode())
    [only] = update_index(Settings.from_env(package_index_url=index_server.url))
    assert (only.info.code, only.sha256) == ("translate-a_b", None)


@pytest.mark.parametrize(
    ("configured", "url"),
    [
        ("https://example.org/idx/", "https://example.org/idx/index.json"),
        ("https://example.org/idx", "https://example.org/idx/index.json"),
        ("https://example.org/mirror.json", "https://example.org/mirror.json"),
    ],
)
def test_index_url(configured: str, url: str) -> None:
    assert index_url(Settings.from_env(package_index_url=configured)) == url


def test_index_from_environment(monkeypatch: pytest.MonkeyPatch, index_server: IndexServer) -> None:
    monkeypatch.setenv("ARGOS_PACKAGE_INDEX", index_server.url)
    index_server.routes["/index.json"] = Route(b"[]")
    settings = Settings.from_env()
    assert update_index(settings) == []
    assert index_cache_path(settings).read_bytes() == b"[]"


def test_file_url_index_for_a_local_mirror(tmp_path: Path, package_bytes: bytes) -> None:
    package = tmp_path / "mirror" / "de_en.argosmodel"
    package.parent.mkdir()
    package.write_bytes(package_bytes)
    entry = {"from_code": "de", "to_code": "en", "package_version": "1.9", "links": [package.as_uri()]}
    (tmp_path / "mirror" / "index.json").write_text(json.dumps([entry]))
    settings = Settings.from_env(package_index_url=(tmp_path / "mirror").as_uri() + "/")
    assert install_from_index("de", "en", settings).version == "1.9"


def test_unsupported_scheme() -> None:
    settings = Settings.from_env(package_index_url="ftp://example.org/")
    with pytest.raises(DownloadError) as err:
        update_index(settings)
    assert str(err.value) == (
        "ftp://example.org/index.json: unsupported address; use an http://, https:// or file:// URL."
    )
