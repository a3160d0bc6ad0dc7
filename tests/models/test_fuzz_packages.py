"""Fuzzing ``models install`` with hostile package archives (issue 11): member names that climb out (``../``,
absolute, backslashes, drive letters, NUL), symlink members, duplicate and directory members, odd metadata values,
and raw bytes. Whatever the archive, the answer is an installed package inside the packages folder or a typed
one-line error; nothing is ever written outside that folder and no staging debris is left."""

from __future__ import annotations

import contextlib
import json
import stat
import warnings
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from pkgfactory import DEFAULT_TOP, package_members

from glossator.common.errors import GlossatorError
from glossator.common.settings import Settings
from glossator.models.packages import install_package, list_packages

pytestmark = pytest.mark.slow  # the fuzz budget (about 300 archives), not the fast lane

FUZZ = settings(
    max_examples=100, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

names = st.sampled_from(
    ["../", "../../", "/", "/tmp/", "..\\", "C:\\", "C:/", "./", "", "a/../../", "\x00", "~/", DEFAULT_TOP + "/",
     DEFAULT_TOP + "/../", DEFAULT_TOP + "/model/", "other/", ".glossator-staging-x/"]
)  # fmt: skip
leaves = st.sampled_from(["metadata.json", "model/model.bin", "sentencepiece.model", "planted", "model/", "x" * 300])
values = st.one_of(
    st.sampled_from(["de", "en", "translate", "../../outside", "a/b", "..", "", " ", "1.0", "9.9", "\x00", "de_en"]),
    st.integers(),
    st.none(),
    st.booleans(),
    st.lists(st.text(max_size=3), max_size=2),
)
metadata = st.fixed_dictionaries(
    {},
    optional={
        key: values
        for key in ("type", "from_code", "to_code", "package_version", "argos_version", "code", "from_name", "to_name")
    },
)


@st.composite
def archives(draw: Any) -> list[tuple[str, bytes, bool]]:
    """(member name, data, is a symlink) triples: a plausible package with hostile members mixed in."""
    members = [(name, data, False) for name, data in package_members(fake=True).items()]
    meta = {"type": "translate", "from_code": "de", "to_code": "en", "package_version": "1.0", **draw(metadata)}
    members[0] = (f"{DEFAULT_TOP}/metadata.json", json.dumps(meta).encode(), False)
    for _ in range(draw(st.integers(min_value=0, max_value=4))):
        members.append((draw(names) + draw(leaves), draw(st.binary(max_size=64)), draw(st.booleans())))
    order = draw(st.permutations(range(len(members))))
    return [members[i] for i in order]


def _write(path: Path, members: list[tuple[str, bytes, bool]]) -> None:
    with zipfile.ZipFile(path, "w") as zf, warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "Duplicate name": duplicates are part of the attack
        for name, data, is_link in members:
            info = zipfile.ZipInfo(name)
            if is_link:
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
                data = b"../../../../outside"
            with contextlib.suppress(ValueError):  # zipfile refuses some names itself
                zf.writestr(info, data)


def _snapshot(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def _check_install(tmp_path: Path, archive: Path) -> None:
    packages = Settings.from_env().packages_dir
    outside = {name for name in _snapshot(tmp_path) if not name.startswith("packages")}
    try:
        info = install_package(archive, Settings.from_env(), force=True)
    except GlossatorError as exc:
        assert "\n" not in str(exc)
        event(f"refused: {type(exc).__name__}")
    else:
        event("installed")
        assert info.path is not None and info.path.resolve().is_relative_to(packages.resolve())
    # Nothing new outside the packages folder, no staging debris or planted file inside it.
    assert {name for name in _snapshot(tmp_path) if not name.startswith("packages")} == outside
    assert not list(packages.glob(".glossator-staging*"))
    assert not [p for p in packages.rglob("*") if p.is_symlink()]
    for package in list_packages(Settings.from_env()):
        assert package.path is not None and package.path.resolve().is_relative_to(packages.resolve())


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "packages"))
    return tmp_path


@FUZZ
@given(members=archives())
@example(members=[(f"{DEFAULT_TOP}/metadata.json", json.dumps({"type": "../../planted"}).encode(), False)])
@example(members=[("../../planted/metadata.json", b"{}", False), ("../../planted/x", b"payload", False)])
def test_hostile_archives_never_write_outside_the_packages_folder(
    home: Path, members: list[tuple[str, bytes, bool]]
) -> None:
    archive = home / "p.argosmodel"
    _write(archive, members)
    _check_install(home, archive)
    archive.unlink()


@FUZZ
@given(data=st.binary(max_size=2000))
@example(data=b"PK\x05\x06" + b"\x00" * 18)  # an empty zip
@example(data=b"PK\x03\x04" + b"\xff" * 60)  # a local header and nothing sane after it
def test_any_bytes_as_a_package_never_crash(home: Path, data: bytes) -> None:
    archive = home / "p.argosmodel"
    archive.write_bytes(data)
    _check_install(home, archive)
    archive.unlink()
