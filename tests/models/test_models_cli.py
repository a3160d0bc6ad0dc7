"""``glossator models …``: exit codes, exact messages, output formats."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from clirun import run_cli
from indexserver import IndexServer, Route
from netguard import NetworkGuard
from pkgfactory import DEFAULT_TOP, make_dir, make_zip, write_zip

from glossator.common.settings import Settings
from glossator.models.packages import list_packages


@pytest.fixture
def settings() -> Settings:
    return Settings.from_env()


def test_path_prints_the_packages_dir(settings: Settings) -> None:
    result = run_cli(["models", "path"])
    assert (result.exit_code, result.stdout, result.stderr) == (0, f"{settings.packages_dir}\n", "")


def test_list_empty(settings: Settings) -> None:
    result = run_cli(["models", "list"])
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == (
        f"No packages installed in {settings.packages_dir}. Install one with 'glossator models install de-en' "
        "(online) or 'glossator models install FILE.argosmodel'.\n"
    )
    assert run_cli(["models", "list", "--json"]).stdout == "[]\n"


def test_install_then_list_then_remove(tmp_path: Path, settings: Settings) -> None:
    archive = make_zip(tmp_path / "p.argosmodel")
    fixture = make_zip(tmp_path / "t.argosmodel", top="tiny", glossator_test_fixture=True, package_version="0.1")
    where = settings.packages_dir / DEFAULT_TOP

    result = run_cli(["models", "install", str(archive)])
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", f"Installed translate-de_en 1.0 in {where}.\n")
    again = run_cli(["models", "install", str(archive)])
    assert (again.exit_code, again.stderr) == (0, f"translate-de_en 1.0 is already installed in {where}.\n")
    assert run_cli(["models", "install", str(fixture)]).exit_code == 0

    listed = run_cli(["models", "list"])
    assert listed.exit_code == 0
    assert listed.stdout.splitlines() == [
        "code\tpair\tversion\tpath\tnote",
        f"translate-de_en\tde→en\t0.1\t{settings.packages_dir / 'tiny'}\ttest fixture",
        f"translate-de_en\tde→en\t1.0\t{where}",
    ]
    as_json = json.loads(run_cli(["models", "list", "--json"]).stdout)
    assert as_json[0] == {
        "code": "translate-de_en",
        "from_code": "de",
        "to_code": "en",
        "version": "0.1",
        "path": str(settings.packages_dir / "tiny"),
        "test_fixture": True,
        "name": "tiny",
        "quality_note": None,
    }

    removed = run_cli(["models", "remove", "tiny"])
    assert (removed.exit_code, removed.stderr) == (
        0,
        f"Removed translate-de_en 0.1 from {settings.packages_dir / 'tiny'}.\n",
    )
    assert [p.path for p in list_packages(settings)] == [where]


def test_install_folder(tmp_path: Path, settings: Settings) -> None:
    result = run_cli(["models", "install", str(make_dir(tmp_path, "unpacked"))])
    assert result.exit_code == 0
    assert result.stderr == f"Installed translate-de_en 1.0 in {settings.packages_dir / 'unpacked'}.\n"


def _not_zip(path: Path) -> Path:
    path.write_bytes(b"PK? no")
    return path


@pytest.mark.parametrize(
    ("make", "code", "message"),
    [
        (lambda p: p, 3, "{p}: no such file or folder. Check the path to the .argosmodel package."),
        (_not_zip, 4, "{p}: not a zip archive, so not an .argosmodel package. Download it again or check the path."),
        (
            lambda p: make_zip(p, omit=("metadata.json",)),
            4,
            "{p}: not a complete Argos package: missing metadata.json. Get a complete package.",
        ),
        (
            lambda p: make_zip(p, omit=("model/",)),
            4,
            "{p}: not a complete Argos package: missing model/. Get a complete package.",
        ),
        (
            lambda p: write_zip(p, {"../evil": b"x"}),
            4,
            "{p}: refusing to install, the archive member '../evil' would be written outside the package folder "
            "(absolute path, '..' or a link). Get the package from a trusted source.",
        ),
    ],
    ids=["missing", "not-zip", "no-metadata", "no-model", "zip-slip"],
)
def test_install_bad_input(tmp_path: Path, settings: Settings, make, code: int, message: str) -> None:  # type: ignore[no-untyped-def]
    path = make(tmp_path / "bad.argosmodel")
    result = run_cli(["models", "install", str(path)])
    assert (result.exit_code, result.stdout) == (code, "")
    assert result.stderr == f"Error: {message.format(p=path)}\n"
    assert not (tmp_path / "evil").exists()
    assert list_packages(settings) == []


def test_install_other_version_needs_force(tmp_path: Path, settings: Settings) -> None:
    run_cli(["models", "install", str(make_zip(tmp_path / "a.argosmodel"))])
    newer = make_zip(tmp_path / "b.argosmodel", package_version="2.0")
    where = settings.packages_dir / DEFAULT_TOP
    refused = run_cli(["models", "install", str(newer)])
    assert (refused.exit_code, refused.stderr) == (
        5,
        f"Error: {where} already holds translate-de_en 1.0; add --force to replace it with translate-de_en 2.0.\n",
    )
    forced = run_cli(["models", "install", "--force", str(newer)])
    assert (forced.exit_code, forced.stderr) == (0, f"Installed translate-de_en 2.0 in {where}.\n")


def test_remove_unknown(settings: Settings) -> None:
    result = run_cli(["models", "remove", "de-en"])
    assert (result.exit_code, result.stderr) == (
        4,
        f"Error: no installed package matches 'de-en' in {settings.packages_dir} (installed: none). "
        "See 'glossator models list'.\n",
    )


def test_list_warns_about_broken_folders(settings: Settings) -> None:
    (settings.packages_dir / "junk").mkdir(parents=True)
    result = run_cli(["models", "list", "--json"])
    assert (result.exit_code, result.stdout) == (0, "[]\n")
    assert result.stderr == (
        f"Warning: {settings.packages_dir / 'junk'}: no metadata.json, so this is not an Argos package. "
        "Reinstall it with 'glossator models install FILE.argosmodel'.\n"
    )


def test_install_pair_from_local_index(
    monkeypatch: pytest.MonkeyPatch, index_server: IndexServer, tmp_path: Path, no_network: NetworkGuard
) -> None:
    package = make_zip(tmp_path / "p.argosmodel").read_bytes()
    entry = {
        "from_code": "de",
        "to_code": "en",
        "package_version": "1.0",
        "links": [index_server.url + "p.argosmodel"],
        "sha256": hashlib.sha256(package).hexdigest(),
    }
    index_server.routes["/index.json"] = Route(json.dumps([entry]).encode())
    index_server.routes["/p.argosmodel"] = Route(package)
    monkeypatch.setenv("ARGOS_PACKAGE_INDEX", index_server.url)
    settings = Settings.from_env()

    updated = run_cli(["models", "update"])
    assert (updated.exit_code, updated.stderr) == (
        0,
        f"1 package in {index_server.url}index.json (de-en); cached in {settings.cache_dir / 'package-index.json'}.\n",
    )
    installed = run_cli(["models", "install", "de-en"])
    assert (installed.exit_code, installed.stderr) == (
        0,
        f"Installed translate-de_en 1.0 in {settings.packages_dir / DEFAULT_TOP}.\n",
    )
    unknown = run_cli(["models", "install", "de-fr"])
    assert (unknown.exit_code, unknown.stderr) == (
        4,
        f"Error: the package index {index_server.url}index.json has no de-fr package (available: de-en). "
        "Pick one of those, or install from a file: glossator models install PATH.argosmodel\n",
    )
    assert no_network.attempts == []  # only 127.0.0.1 was contacted


def test_download_failure_exit_code() -> None:
    # conftest points ARGOS_PACKAGE_INDEX at 127.0.0.1:9 (discard port: nothing listens there).
    result = run_cli(["models", "install", "de-en"])
    assert (result.exit_code, result.stderr) == (
        6,
        "Error: cannot reach http://127.0.0.1:9/index.json ([Errno 111] Connection refused). "
        "On a machine without network, install from a file: glossator models install PATH.argosmodel\n",
    )


def test_every_models_command_has_an_example_in_its_help() -> None:
    from typer.main import get_command

    from glossator.cli.models_cmd import models_app

    group = get_command(models_app)
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        assert "Example: glossator" in (command.help or "") or "Example: ls" in (command.help or ""), name
