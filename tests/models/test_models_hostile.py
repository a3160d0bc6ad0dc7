"""Hostile packages: names that climb out of the packages folder, zip bombs. Nothing is written outside."""

from __future__ import annotations

from pathlib import Path

import pytest
from pkgfactory import package_members, write_zip

from glossator.common.errors import ModelPackageError
from glossator.common.settings import Settings
from glossator.models.packages import install_package


def _files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("type", "../../outside/planted"),
        ("from_code", "../de"),
        ("to_code", "en/../../x"),
        ("package_version", "1.0/../../../x"),
        ("type", "translate\nx"),
    ],
)
def test_metadata_fields_cannot_name_a_path(tmp_path: Path, field: str, value: str) -> None:
    settings = Settings.from_env()
    archive = write_zip(tmp_path / "evil.argosmodel", package_members("", **{field: value}))
    before = _files(tmp_path)
    with pytest.raises(ModelPackageError, match=f"metadata.json field {field} = .* is not a valid {field}"):
        install_package(archive, settings)
    assert _files(tmp_path) == before  # nothing planted anywhere under the test folder
    assert not any(p.name != ".glossator.lock" for p in _files(settings.packages_dir))


def test_a_zip_bomb_is_refused_before_unpacking(tmp_path: Path) -> None:
    settings = Settings.from_env()
    members = package_members(fake=True)
    members["translate-de_en-1_0/model/model.bin"] = bytes(8 << 20)  # 8 MiB of zeros: ~8 KiB compressed
    archive = write_zip(tmp_path / "bomb.argosmodel", members)
    assert archive.stat().st_size < 100_000
    with pytest.raises(ModelPackageError, match=r"would unpack to 8,388,608 bytes .* zip bomb"):
        install_package(archive, settings)
    assert not any(p.name != ".glossator.lock" for p in _files(settings.packages_dir))
