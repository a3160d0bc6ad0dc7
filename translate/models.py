"""Model packages: find, list, install, remove — in Argos Translate's own package directory and layout.

Packages live where ``argospm`` keeps them (``Settings.packages_dir``, default
``~/.local/share/argos-translate/packages``), one folder per package with ``metadata.json``, a CTranslate2
``model/`` folder and ``sentencepiece.model``. So packages installed by ``argospm`` are found here, and
ours are found by ``argospm``.

Finding packages reads ``metadata.json`` directly: the translation path must stay light, and listing must
not touch the network.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from translate.errors import ModelNotInstalledError, ModelPackageError
from translate.settings import Settings

# Field in metadata.json marking the project's own tiny test package (tests/model/), shown by `models list`.
TEST_FIXTURE_FIELD = "glossator_test_fixture"


@dataclass(frozen=True)
class PackageInfo:
    """An installed (or installable) translation package."""

    code: str  # argospm name, e.g. "translate-de_en"
    from_code: str
    to_code: str
    version: str
    path: Path | None
    is_test_fixture: bool = False
    from_name: str = ""
    to_name: str = ""

    @property
    def model_id(self) -> str:
        """Identity used in cache keys and reports: ``<code>@<version>``."""
        return f"{self.code}@{self.version}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "from_code": self.from_code,
            "to_code": self.to_code,
            "version": self.version,
            "path": str(self.path) if self.path else None,
            "test_fixture": self.is_test_fixture,
        }


def read_package_metadata(package_dir: Path) -> PackageInfo:
    """Read and validate ``metadata.json`` of an unpacked package directory."""
    metadata_path = package_dir / "metadata.json"
    if not metadata_path.is_file():
        raise ModelPackageError(
            f"{package_dir}: no metadata.json, so this is not an Argos package. "
            "Reinstall it with 'glossator models install FILE.argosmodel'."
        )
    try:
        metadata = json.loads(metadata_path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelPackageError(f"{metadata_path}: not valid JSON ({exc}). Reinstall the package.") from exc
    if not isinstance(metadata, dict):
        raise ModelPackageError(f"{metadata_path}: expected a JSON object. Reinstall the package.")
    return package_info_from_metadata(metadata, package_dir)


def package_info_from_metadata(metadata: dict[str, Any], path: Path | None) -> PackageInfo:
    from_code = metadata.get("from_code")
    to_code = metadata.get("to_code")
    where = path if path is not None else "package index entry"
    if not isinstance(from_code, str) or not isinstance(to_code, str):
        raise ModelPackageError(f"{where}: metadata.json lacks from_code/to_code. Reinstall the package.")
    package_type = metadata.get("type", "translate")
    return PackageInfo(
        code=f"{package_type}-{from_code}_{to_code}",  # same naming as argospm_package_name()
        from_code=from_code,
        to_code=to_code,
        version=str(metadata.get("package_version", "")),
        path=path,
        is_test_fixture=bool(metadata.get(TEST_FIXTURE_FIELD, False)),
        from_name=str(metadata.get("from_name", "")),
        to_name=str(metadata.get("to_name", "")),
    )


def list_packages(settings: Settings) -> list[PackageInfo]:
    """Installed packages, sorted by language pair; folders that are not packages are ignored."""
    root = settings.packages_dir
    if not root.is_dir():
        return []
    found = []
    for child in sorted(root.iterdir()):
        if child.is_dir() and (child / "metadata.json").is_file():
            try:
                found.append(read_package_metadata(child))
            except ModelPackageError:
                continue  # a broken folder must not hide the good ones; `models list` reports it separately
    return sorted(found, key=lambda p: (p.from_code, p.to_code, p.version))


def find_package(from_code: str, to_code: str, settings: Settings) -> PackageInfo:
    """The installed package for a language pair, or :class:`ModelNotInstalledError` saying how to get one."""
    matches = [p for p in list_packages(settings) if (p.from_code, p.to_code) == (from_code, to_code)]
    if not matches:
        raise ModelNotInstalledError(
            f"no {from_code}→{to_code} model installed in {settings.packages_dir}. "
            f"Install one with 'glossator models install {from_code} {to_code}' (online) or "
            f"'glossator models install FILE.argosmodel' (offline)."
        )
    # Prefer a real model over the test fixture, then the newest version.
    return max(matches, key=lambda p: (not p.is_test_fixture, _version_key(p.version)))


def _version_key(version: str) -> tuple[tuple[int, int | str], ...]:
    # (0, number) sorts before (1, text) so "1.10" > "1.9" and mixed versions never compare int with str.
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in version.replace("-", ".").split("."))
