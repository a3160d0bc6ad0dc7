"""Installing, listing and removing packages from files and folders (no network, no real model)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from pkgfactory import DEFAULT_TOP, make_dir, make_zip, package_members, real_model_files, write_zip

from glossator.common.errors import InputFileError, ModelNotInstalledError, ModelPackageError, OutputError, UsageError
from glossator.common.settings import Settings
from glossator.models.packages import (
    STAGING_PREFIX,
    find_package,
    inspect_package,
    install_package,
    list_packages,
    list_problems,
    parse_pair,
    remove_package,
)


@pytest.fixture
def settings() -> Settings:
    return Settings.from_env()


def _tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")} if root.exists() else set()


def test_install_zip_uses_the_archive_top_folder(tmp_path: Path, settings: Settings) -> None:
    info = install_package(make_zip(tmp_path / "p.argosmodel"), settings)
    assert info.path == settings.packages_dir / DEFAULT_TOP
    assert (info.code, info.from_code, info.to_code, info.version) == ("translate-de_en", "de", "en", "1.0")
    assert (info.path / "model" / "model.bin").read_bytes() == real_model_files()["model/model.bin"]
    assert list_packages(settings) == [info]
    assert find_package("de", "en", settings) == info
    # Only the package folder and the lock file are left: no staging debris.
    assert sorted(p.name for p in settings.packages_dir.iterdir()) == [".glossator.lock", DEFAULT_TOP]


def test_install_unpacked_folder(tmp_path: Path, settings: Settings) -> None:
    source = make_dir(tmp_path / "src", "my-de-en", package_version="2.1")
    info = install_package(source, settings)
    assert info.path == settings.packages_dir / "my-de-en"
    assert info.version == "2.1"
    assert _tree(info.path) == _tree(source)
    assert source.is_dir()  # the source is copied, never moved


def test_install_root_level_zip_gets_a_folder_name(tmp_path: Path, settings: Settings) -> None:
    info = install_package(make_zip(tmp_path / "p.argosmodel", top=""), settings)
    assert info.path == settings.packages_dir / "translate-de_en-1_0"


def test_test_fixture_flag_is_read(tmp_path: Path, settings: Settings) -> None:
    info = install_package(make_zip(tmp_path / "t.argosmodel", top="tiny", glossator_test_fixture=True), settings)
    assert info.is_test_fixture
    assert info.to_dict()["test_fixture"] is True


def test_same_version_again_is_a_no_op(tmp_path: Path, settings: Settings) -> None:
    archive = make_zip(tmp_path / "p.argosmodel")
    first = install_package(archive, settings)
    marker = first.path / "model" / "marker"  # type: ignore[operator]
    marker.write_text("kept")
    assert install_package(archive, settings) == first
    assert marker.read_text() == "kept"


def test_other_version_in_the_same_folder_needs_force(tmp_path: Path, settings: Settings) -> None:
    install_package(make_zip(tmp_path / "a.argosmodel"), settings)
    newer = make_zip(tmp_path / "b.argosmodel", package_version="1.1")
    destination = settings.packages_dir / DEFAULT_TOP
    with pytest.raises(OutputError) as err:
        install_package(newer, settings)
    assert str(err.value) == (
        f"{destination} already holds translate-de_en 1.0; add --force to replace it with translate-de_en 1.1."
    )
    assert read_version(destination) == "1.0"
    assert install_package(newer, settings, force=True).version == "1.1"
    assert read_version(destination) == "1.1"
    assert [p.name for p in settings.packages_dir.iterdir() if p.name.startswith(STAGING_PREFIX)] == []


def read_version(folder: Path) -> str:
    return json.loads((folder / "metadata.json").read_text())["package_version"]


def test_force_reinstalls_same_version(tmp_path: Path, settings: Settings) -> None:
    archive = make_zip(tmp_path / "p.argosmodel")
    first = install_package(archive, settings)
    (first.path / "stray").write_text("x")  # type: ignore[operator]
    install_package(archive, settings, force=True)
    assert not (first.path / "stray").exists()  # type: ignore[operator]


def test_stale_staging_folders_are_cleaned(tmp_path: Path, settings: Settings) -> None:
    stale = settings.packages_dir / f"{STAGING_PREFIX}killed"
    (stale / "half").mkdir(parents=True)
    install_package(make_zip(tmp_path / "p.argosmodel"), settings)
    assert not stale.exists()


# --- bad input -------------------------------------------------------------------------------------------


def _not_zip(path: Path) -> Path:
    path.write_bytes(b"hello, not a zip")
    return path


def _corrupt_zip(path: Path) -> Path:
    make_zip(path)
    data = bytearray(path.read_bytes())
    start = data.index(b"PK\x03\x04") + 40  # inside the first member's compressed data
    data[start : start + 20] = b"\xff" * 20
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            _not_zip,
            "{p}: not a zip archive, so not an .argosmodel package. Download it again or check the path.",
        ),
        (
            lambda p: make_zip(p, omit=("metadata.json",)),
            "{p}: not a complete Argos package: missing metadata.json. Get a complete package.",
        ),
        (
            lambda p: make_zip(p, omit=("model/",)),
            "{p}: not a complete Argos package: missing model/. Get a complete package.",
        ),
        (
            lambda p: make_zip(p, omit=("sentencepiece.model",)),
            "{p}: not a complete Argos package: missing sentencepiece.model. Get a complete package.",
        ),
        (lambda p: write_zip(p, {}), "{p}: the archive is empty, so it is not an Argos package."),
        (
            lambda p: write_zip(p, {"a/metadata.json": b"{}", "b/x": b""}),
            "{p}: not an Argos package: missing "
            "metadata.json (expected one top folder holding metadata.json, model/ and sentencepiece.model).",
        ),
        (lambda p: write_zip(p, {**package_members(), f"{DEFAULT_TOP}/metadata.json": b"{nope"}), None),
    ],
    ids=["not-zip", "no-metadata", "no-model", "no-tokenizer", "empty", "two-tops", "bad-json"],
)
def test_bad_packages_are_refused(tmp_path: Path, settings: Settings, make, message) -> None:  # type: ignore[no-untyped-def]
    path = make(tmp_path / "bad.argosmodel")
    with pytest.raises(ModelPackageError) as err:
        install_package(path, settings)
    if message is not None:
        assert str(err.value) == message.format(p=path)
    else:
        assert str(err.value).startswith(f"{path}: metadata.json is not valid JSON (")
    assert list_packages(settings) == []
    assert _tree(settings.packages_dir) <= {".glossator.lock"}


def test_corrupt_zip_is_refused_and_leaves_nothing(tmp_path: Path, settings: Settings) -> None:
    path = _corrupt_zip(tmp_path / "corrupt.argosmodel")
    with pytest.raises(ModelPackageError) as err:
        install_package(path, settings)
    assert str(err.value).startswith(f"{path}: corrupt zip archive (")
    assert str(err.value).endswith("Download the package again.")
    assert _tree(settings.packages_dir) <= {".glossator.lock"}


@pytest.mark.parametrize(
    "evil",
    [
        "../evil.txt",
        f"{DEFAULT_TOP}/../../evil.txt",
        "/tmp/glossator-evil-abs.txt",
        f"{DEFAULT_TOP}/model/..\\..\\evil",
    ],
    ids=["dotdot", "nested-dotdot", "absolute", "backslash"],
)
def test_zip_slip_is_refused_and_nothing_is_written(tmp_path: Path, settings: Settings, evil: str) -> None:
    archive = tmp_path / "in" / "evil.argosmodel"
    archive.parent.mkdir()
    write_zip(archive, {**package_members(), evil: b"pwned"})
    before = _tree(tmp_path)
    with pytest.raises(ModelPackageError) as err:
        install_package(archive, settings)
    assert str(err.value) == (
        f"{archive}: refusing to install, the archive member '{evil}' would be written outside the package "
        "folder (absolute path, '..' or a link). Get the package from a trusted source."
    )
    assert _tree(tmp_path) == before
    assert not Path("/tmp/glossator-evil-abs.txt").exists()
    assert _tree(settings.packages_dir) == set()  # refused before even creating the folder


def test_symlink_member_is_refused(tmp_path: Path, settings: Settings) -> None:
    archive = tmp_path / "link.argosmodel"
    write_zip(archive, package_members())
    with zipfile.ZipFile(archive, "a") as zf:
        link = zipfile.ZipInfo(f"{DEFAULT_TOP}/model/link")
        link.external_attr = 0o120777 << 16
        zf.writestr(link, "/etc/passwd")
    with pytest.raises(ModelPackageError, match="would be written outside the package folder"):
        install_package(archive, settings)


def test_nonexistent_path(tmp_path: Path, settings: Settings) -> None:
    missing = tmp_path / "nope.argosmodel"
    with pytest.raises(InputFileError) as err:
        install_package(missing, settings)
    assert str(err.value) == f"{missing}: no such file or folder. Check the path to the .argosmodel package."


@pytest.mark.parametrize(("omit", "missing"), [(("model/",), "model/"), (("metadata.json",), "metadata.json")])
def test_incomplete_folder_is_refused(tmp_path: Path, settings: Settings, omit: tuple[str, ...], missing: str) -> None:
    source = make_dir(tmp_path, "half", omit=omit)
    with pytest.raises(ModelPackageError) as err:
        install_package(source, settings)
    assert str(err.value) == f"{source}: not a complete Argos package: missing {missing}. Get a complete package."


def test_inspect_does_not_install(tmp_path: Path, settings: Settings) -> None:
    info = inspect_package(make_zip(tmp_path / "p.argosmodel", package_version="3"))
    assert (info.code, info.version, info.path) == ("translate-de_en", "3", None)
    assert not settings.packages_dir.exists()


# --- remove ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["de-en", "de_en", "translate-de_en", DEFAULT_TOP])
def test_remove_by_pair_code_or_folder(tmp_path: Path, settings: Settings, name: str) -> None:
    install_package(make_zip(tmp_path / "p.argosmodel"), settings)
    removed = remove_package(name, settings)
    assert [p.path for p in removed] == [settings.packages_dir / DEFAULT_TOP]
    assert list_packages(settings) == []
    assert sorted(p.name for p in settings.packages_dir.iterdir()) == [".glossator.lock"]


def test_remove_unknown(settings: Settings) -> None:
    with pytest.raises(ModelNotInstalledError) as err:
        remove_package("fr-en", settings)
    assert str(err.value) == (
        f"no installed package matches 'fr-en' in {settings.packages_dir} (installed: none). "
        "See 'glossator models list'."
    )


def test_remove_ambiguous_pair_names_the_folders(tmp_path: Path, settings: Settings) -> None:
    install_package(make_zip(tmp_path / "a.argosmodel"), settings)
    install_package(make_zip(tmp_path / "b.argosmodel", top="tiny", glossator_test_fixture=True), settings)
    with pytest.raises(UsageError) as err:
        remove_package("de-en", settings)
    assert str(err.value) == (
        f"'de-en' matches several packages (tiny, {DEFAULT_TOP}); name the folder to remove one of them."
    )
    remove_package("tiny", settings)
    assert [p.path.name for p in list_packages(settings)] == [DEFAULT_TOP]  # type: ignore[union-attr]


def test_find_prefers_real_model_over_fixture(tmp_path: Path, settings: Settings) -> None:
    install_package(make_zip(tmp_path / "b.argosmodel", top="tiny", glossator_test_fixture=True), settings)
    real = install_package(make_zip(tmp_path / "a.argosmodel"), settings)
    assert find_package("de", "en", settings) == real


def test_list_problems_reports_broken_folders(settings: Settings) -> None:
    (settings.packages_dir / "broken").mkdir(parents=True)
    assert list_packages(settings) == []
    assert list_problems(settings) == [
        f"{settings.packages_dir / 'broken'}: no metadata.json, so this is not an Argos package. "
        "Reinstall it with 'glossator models install FILE.argosmodel'."
    ]


@pytest.mark.parametrize(
    ("text", "pair"),
    [("de-en", ("de", "en")), ("DE_EN", ("de", "en")), ("de", None), ("x.argosmodel", None), ("de-en-x", None)],
)
def test_parse_pair(text: str, pair: tuple[str, str] | None) -> None:
    assert parse_pair(text) == pair


# --- argospm compatibility -------------------------------------------------------------------------------


def test_argospm_lists_our_install(tmp_path: Path, settings: Settings) -> None:
    install_package(make_zip(tmp_path / "p.argosmodel", package_version="1.7"), settings)
    # argostranslate.settings creates folders and reads the environment at import: use a fresh process.
    script = (
        "import json, sys, argostranslate.package as p\n"
        "pkgs = p.get_installed_packages()\n"
        "print(json.dumps([[str(x.package_path), x.from_code, x.to_code, x.package_version,"
        " p.argospm_package_name(x)] for x in pkgs]))\n"
        "print('argostranslate.translate' in sys.modules)\n"
    )
    env = {**os.environ, "ARGOS_PACKAGES_DIR": str(settings.packages_dir)}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    listed, translate_loaded = done.stdout.splitlines()
    assert json.loads(listed) == [[str(settings.packages_dir / DEFAULT_TOP), "de", "en", "1.7", "translate-de_en"]]
    assert translate_loaded == "False"


def test_we_list_an_argospm_install(tmp_path: Path, settings: Settings) -> None:
    archive = make_zip(tmp_path / "p.argosmodel")
    settings.packages_dir.mkdir(parents=True)
    # This is what argostranslate.package.install_from_path does (without importing its translate module).
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(path=settings.packages_dir)
    [info] = list_packages(settings)
    assert (info.code, info.path) == ("translate-de_en", settings.packages_dir / DEFAULT_TOP)
    remove_package("de-en", settings)
    assert not (settings.packages_dir / DEFAULT_TOP).exists()


def test_packages_dir_that_is_a_file(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    settings = Settings.from_env(packages_dir=blocker)
    with pytest.raises(OutputError) as err:
        install_package(make_zip(tmp_path / "p.argosmodel"), settings)
    assert str(err.value) == (
        f"cannot use {blocker} as the packages folder: File exists. Set ARGOS_PACKAGES_DIR to a writable folder."
    )
    assert blocker.read_text() == "x"


def test_interrupted_install_leaves_nothing(
    tmp_path: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    real_copy = shutil.copyfileobj
    calls = []

    def copy_then_interrupt(*args: object, **kwargs: object) -> None:
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        real_copy(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(shutil, "copyfileobj", copy_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        install_package(make_zip(tmp_path / "p.argosmodel"), settings)
    assert sorted(p.name for p in settings.packages_dir.iterdir()) == [".glossator.lock"]
