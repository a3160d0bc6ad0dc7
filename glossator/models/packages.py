"""Model packages: find, list, install, remove — in Argos Translate's own package directory and layout.

Packages live where ``argospm`` keeps them (``Settings.packages_dir``, default
``~/.local/share/argos-translate/packages``), one folder per package with ``metadata.json``, a CTranslate2
``model/`` folder and ``sentencepiece.model``. So packages installed by ``argospm`` are found here, and
ours are found by ``argospm``.

Finding packages reads ``metadata.json`` directly: the translation path must stay light, and listing must
not touch the network. Installing and removing are done here too, without ``argostranslate.package``
(whose install/uninstall import ``argostranslate.translate``, i.e. torch and stanza): an ``.argosmodel``
is checked (zip, members inside the package folder, ``metadata.json``, ``model/``, tokenizer) before
anything is written, staged, then renamed into place. Only :func:`update_index` and
:func:`install_from_index` use the network (via :mod:`glossator.models.download`).
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from glossator.common.errors import (
    BusyError,
    DownloadError,
    InputFileError,
    ModelNotInstalledError,
    ModelPackageError,
    OutputError,
    UsageError,
)
from glossator.common.settings import Settings
from glossator.models.download import DEFAULT_TIMEOUT, Progress

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
    # metadata.json "glossator_quality": what the project measured for its own small model (shown as a warning)
    quality_note: str = ""
    # metadata.json "code" (e.g. "de_en_glossator_small") or the folder name: tells apart two packages of a pair
    name: str = ""

    @property
    def model_id(self) -> str:
        """Identity used in cache keys and reports: ``<name>@<version>`` (the package's own name, e.g.
        ``de_en_glossator_small@1.0``; argospm's code ``translate-de_en`` is the same for every de→en package)."""
        return f"{self.name or self.code}@{self.version}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "from_code": self.from_code,
            "to_code": self.to_code,
            "version": self.version,
            "path": str(self.path) if self.path else None,
            "test_fixture": self.is_test_fixture,
            "name": self.name,
            "quality_note": self.quality_note or None,
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


# metadata.json fields that become part of a folder name or a package code: a strict shape, so a package cannot
# name its way out of the packages folder ("type": "../../elsewhere").
_LANGUAGE_CODE = re.compile(r"^[a-z]{1,8}(?:[-_][A-Za-z0-9]{1,8})?$")
_PACKAGE_TYPE = re.compile(r"^[a-z][a-z0-9]{0,31}$")
_PACKAGE_VERSION = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.+-]{0,31}$")


def package_info_from_metadata(metadata: dict[str, Any], path: Path | None) -> PackageInfo:
    from_code = metadata.get("from_code")
    to_code = metadata.get("to_code")
    where = path if path is not None else "package index entry"
    if not isinstance(from_code, str) or not isinstance(to_code, str):
        raise ModelPackageError(f"{where}: metadata.json lacks from_code/to_code. Reinstall the package.")
    package_type = metadata.get("type", "translate")
    version = metadata.get("package_version", "")
    for field, value, pattern in (
        ("from_code", from_code, _LANGUAGE_CODE),
        ("to_code", to_code, _LANGUAGE_CODE),
        ("type", package_type, _PACKAGE_TYPE),
        ("package_version", version, _PACKAGE_VERSION),
    ):
        if field == "package_version" and value in ("", None):
            continue
        if not isinstance(value, str | int | float) or not pattern.match(str(value)):
            raise ModelPackageError(
                f"{where}: metadata.json field {field} = {str(value)[:60]!r} is not a valid {field} "
                "(letters, digits, '.', '-', '_' only). Refusing the package; get it from a trusted source."
            )
    return PackageInfo(
        code=f"{package_type}-{from_code}_{to_code}",  # same naming as argospm_package_name()
        from_code=from_code,
        to_code=to_code,
        version=str(metadata.get("package_version", "")),
        path=path,
        is_test_fixture=bool(metadata.get(TEST_FIXTURE_FIELD, False)),
        from_name=str(metadata.get("from_name", "")),
        to_name=str(metadata.get("to_name", "")),
        quality_note=str(metadata.get("glossator_quality", "")),
        name=str(metadata.get("code") or (path.name if path is not None else "")),
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
            f"Install one with 'glossator models install {from_code}-{to_code}' (online) or "
            f"'glossator models install FILE.argosmodel' (offline)."
        )
    # Prefer a real model over the test fixture, then the newest version.
    return max(matches, key=lambda p: (not p.is_test_fixture, _version_key(p.version)))


def select_package(settings: Settings) -> PackageInfo:
    """The package a translation uses: ``settings.model`` when given, else :func:`find_package` for the pair.

    ``settings.model`` is a package folder (``metadata.json`` inside), an installed package's code
    (``translate-de_en``, with or without the ``translate-`` prefix), or a pair (``de-en``).
    """
    choice = settings.model
    if not choice:
        return find_package(settings.from_code, settings.to_code, settings)
    path = Path(choice).expanduser()
    if path.is_dir():
        info = read_package_metadata(path)
        if (info.from_code, info.to_code) != (settings.from_code, settings.to_code):
            raise ModelPackageError(
                f"--model {choice}: package translates {info.from_code}→{info.to_code}, not "
                f"{settings.from_code}→{settings.to_code}. Choose a {settings.from_code}-{settings.to_code} package."
            )
        return info
    if path.suffix == ".argosmodel" and path.exists():
        raise ModelNotInstalledError(
            f"--model {choice}: a package file must be installed first: 'glossator models install {choice}', "
            f"then pass its code (see 'glossator models list')."
        )
    pair = parse_pair(choice)
    if pair is not None:
        return find_package(pair[0], pair[1], settings)
    installed = list_packages(settings)
    wanted = {choice, f"translate-{choice}", choice.removeprefix("translate-")}
    for info in installed:
        folder = info.path.name if info.path is not None else ""
        if wanted & {info.name, folder}:
            return info
    by_code = [info for info in installed if wanted & {info.code}]
    if by_code:
        return max(by_code, key=lambda p: (not p.is_test_fixture, _version_key(p.version)))
    codes = ", ".join(sorted({p.name or p.code for p in installed})) or "none"
    raise ModelNotInstalledError(
        f"--model {choice}: no such installed package (installed: {codes}). "
        "Use a code from 'glossator models list', a pair such as de-en, or a package folder."
    )


def package_checksum(info: PackageInfo) -> str:
    """SHA-256 over the files of the package's ``model/`` folder and its tokenizer, names and bytes."""
    import hashlib

    if info.path is None:
        return "none"
    root = Path(info.path)
    digest = hashlib.sha256()
    files = sorted(p for p in (root / "model").rglob("*") if p.is_file())
    files += [root / name for name in TOKENIZER_FILES if (root / name).is_file()]
    for file in files:
        digest.update(file.relative_to(root).as_posix().encode() + b"\0")
        with file.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def model_notice(info: PackageInfo) -> str | None:
    """A one-line warning when the package is not a real general-purpose model, naming it and its quality."""
    if info.is_test_fixture:
        return (
            f"test model: {info.name or info.code} {info.version} is the project's test fixture and writes fluent "
            "nonsense on new text, not a real translation; install a real de→en package with "
            "`glossator models install de-en`"
        )
    if info.quality_note:
        return f"small model: {info.name or info.code} {info.version}: {info.quality_note}"
    return None


def _version_key(version: str) -> tuple[tuple[int, int | str], ...]:
    # (0, number) sorts before (1, text) so "1.10" > "1.9" and mixed versions never compare int with str.
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in version.replace("-", ".").split("."))


# --- Checking, installing and removing packages ---------------------------------------------------------
#
# argostranslate.package.install_from_path()/uninstall() import argostranslate.translate (torch + stanza:
# 2.6 s, 760 MB) only to clear a cache, and install_from_path() extracts straight into the packages folder,
# so a broken archive leaves half a package behind. We keep argospm's layout (one folder per package,
# named after the archive's top folder) but extract into a staging folder inside the packages folder and
# rename it into place, so a package is either complete or absent. A lock file serialises installs and
# removals; staging folders left by a killed process are removed by the next install or removal.

STAGING_PREFIX = ".glossator-staging-"
LOCK_NAME = ".glossator.lock"
INDEX_CACHE_NAME = "package-index.json"
TOKENIZER_FILES = ("sentencepiece.model", "bpe.model")  # argos accepts either
# progress(bytes_done, bytes_total_or_None) during a download
_PAIR = re.compile(r"^([a-z]{2,3})[-_]([a-z]{2,3})$")


@dataclass(frozen=True)
class AvailablePackage:
    """A package listed in the package index (not necessarily installed)."""

    info: PackageInfo  # info.path is None
    links: tuple[str, ...]
    sha256: str | None = None  # from the entry's "sha256" or "checksum" ("sha256:<hex>" or "<hex>")

    def to_dict(self) -> dict[str, Any]:
        return {**self.info.to_dict(), "links": list(self.links), "sha256": self.sha256}


def parse_pair(text: str) -> tuple[str, str] | None:
    """``"de-en"`` or ``"de_en"`` → ``("de", "en")``; anything else → ``None``."""
    match = _PAIR.match(text.strip().lower())
    return (match.group(1), match.group(2)) if match else None


def _missing_parts(has_file: Callable[[str], bool], has_dir: Callable[[str], bool]) -> list[str]:
    missing = []
    if not has_file("metadata.json"):
        missing.append("metadata.json")
    if not has_dir("model"):
        missing.append("model/")
    if not any(has_file(name) for name in TOKENIZER_FILES):
        missing.append("sentencepiece.model")
    return missing


def _check_member(where: Path, member: zipfile.ZipInfo) -> None:
    name = member.filename
    parts = name.split("/")
    unsafe = (
        name.startswith(("/", "\\"))
        or "\\" in name
        or (len(name) > 1 and name[1] == ":")  # a Windows drive letter
        or any(part == ".." for part in parts)
        or (member.external_attr >> 16) & 0o170000 == 0o120000  # a symlink
    )
    if unsafe:
        raise ModelPackageError(
            f"{where}: refusing to install, the archive member '{name}' would be written outside the "
            "package folder (absolute path, '..' or a link). Get the package from a trusted source."
        )


# Caps on what a package may unpack to. Real Argos packages unpack to 100-500 MB, compressing model weights
# (near-random bytes) by well under 2x; a zip bomb unpacks to thousands of times its size.
MAX_UNPACKED_BYTES = 4 << 30
MAX_COMPRESSION_RATIO = 100
_RATIO_EXEMPT_BYTES = 1 << 20  # small files (vocabularies, JSON) may compress well


def _check_sizes(where: Path, members: list[zipfile.ZipInfo]) -> None:
    total = sum(m.file_size for m in members)
    if total > MAX_UNPACKED_BYTES:
        raise ModelPackageError(
            f"{where}: refusing to install, the archive would unpack to {total / 2**30:.1f} GiB (the limit is "
            f"{MAX_UNPACKED_BYTES / 2**30:.0f} GiB). Get the package from a trusted source."
        )
    for member in members:
        if member.file_size > _RATIO_EXEMPT_BYTES and member.file_size > MAX_COMPRESSION_RATIO * max(
            member.compress_size, 1
        ):
            raise ModelPackageError(
                f"{where}: refusing to install, '{member.filename}' would unpack to {member.file_size:,} bytes "
                f"from {member.compress_size:,} (a zip bomb?). Get the package from a trusted source."
            )


def _check_free_space(where: Path, folder: Path, needed: int) -> None:
    free = shutil.disk_usage(folder).free
    if needed > free:
        raise OutputError(
            f"{folder}: not enough free space to install {where} ({needed / 2**20:.0f} MiB needed, "
            f"{free / 2**20:.0f} MiB free). Free some space or set ARGOS_PACKAGES_DIR elsewhere."
        )


def _zip_root(where: Path, names: list[str]) -> str:
    """The folder inside the archive that holds the package: "" or "<top>/"."""
    if "metadata.json" in names:
        return ""
    tops = {name.split("/", 1)[0] for name in names if name}
    if len(tops) == 1:
        top = tops.pop()
        if top in (".", "") or top.startswith("."):
            raise ModelPackageError(f"{where}: the archive's top folder '{top}' is not a valid package name.")
        return top + "/"
    if not tops:
        raise ModelPackageError(f"{where}: the archive is empty, so it is not an Argos package.")
    # Several top folders and no metadata.json at the root: report what a package needs.
    raise ModelPackageError(
        f"{where}: not an Argos package: missing metadata.json (expected one top folder holding "
        "metadata.json, model/ and sentencepiece.model)."
    )


def _open_zip(path: Path) -> zipfile.ZipFile:
    if not zipfile.is_zipfile(path):
        raise ModelPackageError(
            f"{path}: not a zip archive, so not an .argosmodel package. Download it again or check the path."
        )
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise ModelPackageError(f"{path}: corrupt zip archive ({exc}). Download the package again.") from exc


def _metadata_from_bytes(where: Path, data: bytes) -> dict[str, Any]:
    try:
        metadata = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelPackageError(f"{where}: metadata.json is not valid JSON ({exc}). Get a sound package.") from exc
    if not isinstance(metadata, dict):
        raise ModelPackageError(f"{where}: metadata.json must be a JSON object. Get a sound package.")
    return metadata


def _inspect_zip(path: Path) -> tuple[PackageInfo, str]:
    with _open_zip(path) as zf:
        members = zf.infolist()
        for member in members:
            _check_member(path, member)
        _check_sizes(path, members)
        names = [m.filename for m in members]
        root = _zip_root(path, names)
        files = {n for n in names if not n.endswith("/")}
        missing = _missing_parts(lambda n: root + n in files, lambda n: any(x.startswith(f"{root}{n}/") for x in names))
        if missing:
            raise ModelPackageError(
                f"{path}: not a complete Argos package: missing {', '.join(missing)}. Get a complete package."
            )
        try:
            raw = zf.read(root + "metadata.json")
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
            raise ModelPackageError(f"{path}: corrupt zip archive ({exc}). Download the package again.") from exc
    info = package_info_from_metadata(_metadata_from_bytes(path, raw), None)
    return info, root


def _inspect_dir(path: Path) -> PackageInfo:
    missing = _missing_parts(lambda n: (path / n).is_file(), lambda n: (path / n).is_dir())
    if missing:
        raise ModelPackageError(
            f"{path}: not a complete Argos package: missing {', '.join(missing)}. Get a complete package."
        )
    info = read_package_metadata(path)
    return dataclasses.replace(info, path=None)


def inspect_package(path_or_dir: Path) -> PackageInfo:
    """Validate an ``.argosmodel`` file or unpacked package folder without installing it (``path`` is None).

    Raises :class:`~glossator.common.errors.InputFileError` for a missing path and :class:`ModelPackageError` for a
    non-zip, corrupt or incomplete package, or one whose members would land outside its folder.
    """
    path = Path(path_or_dir)
    if not path.exists():
        raise InputFileError(f"{path}: no such file or folder. Check the path to the .argosmodel package.")
    if path.is_dir():
        return _inspect_dir(path)
    return _inspect_zip(path)[0]


def _safe_dir_name(name: str, info: PackageInfo) -> str:
    name = name.rstrip("/")
    if not name or name.startswith(".") or "/" in name or "\\" in name:
        # argospm would extract a root-level archive straight into the packages folder; name it instead.
        return f"{info.code}-{info.version.replace('.', '_')}" if info.version else info.code
    return name


def _lock(settings: Settings) -> Any:
    from filelock import FileLock

    try:
        settings.packages_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(
            f"cannot use {settings.packages_dir} as the packages folder: {exc.strerror or exc}. "
            "Set ARGOS_PACKAGES_DIR to a writable folder."
        ) from exc
    # A file (not a folder) in the packages folder: argospm lists folders only, so it ignores it.
    return FileLock(str(settings.packages_dir / LOCK_NAME), timeout=120)


def _remove_stale_staging(root: Path) -> None:
    # Called with the lock held: no other glossator is using a staging folder, so any left is debris.
    for child in root.glob(STAGING_PREFIX + "*"):
        shutil.rmtree(child, ignore_errors=True)


def _acquire(settings: Settings) -> Any:
    from filelock import Timeout

    lock = _lock(settings)
    try:
        lock.acquire()
    except Timeout as exc:
        raise BusyError(
            f"{settings.packages_dir}: another glossator is installing or removing a package (lock "
            f"{settings.packages_dir / LOCK_NAME}). Try again when it has finished."
        ) from exc
    return lock


Verifier = Callable[[PackageInfo], None]


def install_package(
    path_or_dir: Path | str, settings: Settings, *, force: bool = False, verify: Verifier | None = None
) -> PackageInfo:
    """Install an ``.argosmodel`` file or an unpacked package folder into ``settings.packages_dir``.

    The package folder is named as argospm names it (the archive's top folder, or the given folder's
    name), and appears complete or not at all (staged, then renamed). If that folder already holds the
    same package code and version, nothing is done (``force`` reinstalls); if it holds anything else,
    :class:`OutputError` asks for ``force``, which replaces it. Returns the installed package.

    *verify* (``translate.engine.verify_package`` from the CLI and the API) is called with the staged
    package before it becomes visible; whatever it raises leaves the packages folder as it was.

    Example: ``install_package(Path("de_en.argosmodel"), Settings.from_env())``
    """
    source = Path(path_or_dir)
    if not source.exists():
        raise InputFileError(f"{source}: no such file or folder. Check the path to the .argosmodel package.")
    if source.is_dir():
        info = _inspect_dir(source)
        name, root = _safe_dir_name(source.resolve().name, info), ""
    else:
        info, root = _inspect_zip(source)
        name = _safe_dir_name(root, info)
    packages = settings.packages_dir
    destination = packages / name
    with _acquire(settings):
        _remove_stale_staging(packages)
        if source.is_dir() and destination.exists() and source.resolve() == destination.resolve():
            return read_package_metadata(destination)  # installing an installed folder onto itself
        if destination.exists() and not force:
            try:
                existing = read_package_metadata(destination)
            except ModelPackageError:
                existing = None
            if existing is not None and (existing.code, existing.version) == (info.code, info.version):
                return existing
            what = f"{existing.code} {existing.version}" if existing else "a folder that is not a package"
            raise OutputError(
                f"{destination} already holds {what}; add --force to replace it with {info.code} {info.version}."
            )
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=packages))
        try:
            staged = staging / name
            if source.is_dir():
                shutil.copytree(source, staged, symlinks=False)
            else:
                _extract(source, root, staged)
            installed = read_package_metadata(staged)
            if verify is not None:
                try:
                    verify(dataclasses.replace(installed, path=staged))
                except ModelPackageError as exc:
                    raise ModelPackageError(f"{source}: not installed: {exc}.") from exc
            if destination.exists():
                old = staging / (name + ".old")
                os.replace(destination, old)
                try:
                    os.replace(staged, destination)
                except OSError:
                    os.replace(old, destination)  # put the previous package back
                    raise
            else:
                os.replace(staged, destination)
        except OSError as exc:
            raise OutputError(
                f"cannot install into {packages}: {exc.strerror or exc}. Check that the folder is writable "
                "and has free space."
            ) from exc
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return dataclasses.replace(installed, path=destination)


def _extract(archive: Path, root: str, target: Path) -> None:
    """Extract the members under *root* into *target* (members were checked by :func:`_check_member`)."""
    target.mkdir()
    base = target.resolve()
    with _open_zip(archive) as zf:
        members = zf.infolist()
        _check_sizes(archive, members)
        _check_free_space(archive, target, sum(m.file_size for m in members))
        for member in members:
            if not member.filename.startswith(root) or member.filename == root:
                continue
            relative = member.filename[len(root) :]
            out = (target / relative).resolve()
            if not out.is_relative_to(base):  # belt and braces after _check_member
                raise ModelPackageError(f"{archive}: member '{member.filename}' escapes the package folder.")
            if member.is_dir():
                out.mkdir(parents=True, exist_ok=True)
                continue
            out.parent.mkdir(parents=True, exist_ok=True)
            try:
                with zf.open(member) as src, out.open("wb") as dst:
                    # zipfile stops at the declared size and checks the CRC: a header that lies about the size
                    # cannot unpack more than the caps checked above.
                    shutil.copyfileobj(src, dst, 1 << 20)
            except (zipfile.BadZipFile, EOFError, zlib.error) as exc:
                raise ModelPackageError(
                    f"{archive}: corrupt zip archive ({exc}) at '{member.filename}'. Download the package again."
                ) from exc


def remove_package(code_or_pair: str, settings: Settings) -> list[PackageInfo]:
    """Remove installed packages named by folder name, argospm code (``translate-de_en``) or pair
    (``de_en``, ``de-en``). A pair that matches several packages is refused with their folder names.

    Returns the removed packages. Example: ``remove_package("de-en", Settings.from_env())``
    """
    wanted = code_or_pair.strip()
    installed = list_packages(settings)
    matches = [p for p in installed if p.path is not None and p.path.name == wanted]
    if not matches:
        matches = [p for p in installed if p.code == wanted]
    pair = parse_pair(wanted)
    if not matches and pair is not None:
        matches = [p for p in installed if (p.from_code, p.to_code) == pair]
    if not matches:
        have = ", ".join(p.path.name for p in installed if p.path) or "none"
        raise ModelNotInstalledError(
            f"no installed package matches '{wanted}' in {settings.packages_dir} (installed: {have}). "
            "See 'glossator models list'."
        )
    if len(matches) > 1:
        names = ", ".join(p.path.name for p in matches if p.path)
        raise UsageError(f"'{wanted}' matches several packages ({names}); name the folder to remove one of them.")
    with _acquire(settings):
        _remove_stale_staging(settings.packages_dir)
        for package in matches:
            if package.path is None:
                continue
            # Rename first, so an interrupted removal never leaves a half-deleted package that looks valid.
            trash = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=settings.packages_dir))
            try:
                os.replace(package.path, trash / package.path.name)
            except OSError as exc:
                trash.rmdir()
                raise OutputError(f"cannot remove {package.path}: {exc.strerror or exc}.") from exc
            shutil.rmtree(trash, ignore_errors=True)
    return matches


def list_problems(settings: Settings) -> list[str]:
    """One message per folder in the packages folder that is not a readable package (for ``models list``)."""
    root = settings.packages_dir
    if not root.is_dir():
        return []
    problems = []
    for child in sorted(root.iterdir()):
        if not child.is_dir() or child.name.startswith(STAGING_PREFIX):
            continue
        try:
            read_package_metadata(child)
        except ModelPackageError as exc:
            problems.append(str(exc))
    return problems


# --- The package index (network only here, and only for `models install PAIR` / `models update`) ----------


def index_url(settings: Settings) -> str:
    """The index JSON address: ``ARGOS_PACKAGE_INDEX`` is a base URL (argos appends ``index.json``)."""
    url = settings.package_index_url
    return url if url.endswith(".json") else url.rstrip("/") + "/index.json"


def index_cache_path(settings: Settings) -> Path:
    return settings.cache_dir / INDEX_CACHE_NAME


def _parse_index(data: bytes, where: str) -> list[AvailablePackage]:
    try:
        entries = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DownloadError(
            f"{where}: the package index is not valid JSON ({exc}). Check ARGOS_PACKAGE_INDEX."
        ) from exc
    if not isinstance(entries, list):
        raise DownloadError(f"{where}: the package index must be a JSON list of packages. Check ARGOS_PACKAGE_INDEX.")
    available = []
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        try:
            info = package_info_from_metadata(entry, None)
        except ModelPackageError:
            continue  # one malformed entry must not hide the others
        links = entry.get("links")
        if not isinstance(links, list) or not all(isinstance(link, str) for link in links) or not links:
            continue
        checksum = entry.get("sha256") or entry.get("checksum")
        sha256 = None
        if isinstance(checksum, str) and checksum:
            algorithm, _, value = checksum.rpartition(":")
            if algorithm in ("", "sha256") and re.fullmatch(r"[0-9a-fA-F]{64}", value):
                sha256 = value.lower()
        available.append(AvailablePackage(info=info, links=tuple(links), sha256=sha256))
    return available


def update_index(settings: Settings, *, timeout: float = DEFAULT_TIMEOUT) -> list[AvailablePackage]:
    """Fetch the package index (network), cache it in ``settings.cache_dir`` and return its packages."""
    from glossator.common.fileio import atomic_write_bytes
    from glossator.models.download import fetch_bytes  # urllib only when the network is really wanted

    url = index_url(settings)
    data = fetch_bytes(url, timeout=timeout)
    available = _parse_index(data, url)
    try:
        settings.cache_dir.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(index_cache_path(settings), data)
    except OSError:
        pass  # the cache only saves a later lookup; failing to write it must not fail the command
    return available


def install_from_index(
    from_code: str,
    to_code: str,
    settings: Settings,
    progress: Progress | None = None,
    *,
    force: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
    verify: Verifier | None = None,
) -> PackageInfo:
    """Fetch the index, download the newest package for the pair (sha256-checked when the index gives
    one), and install it with :func:`install_package`. The download goes to a temp file that is always
    removed. ``progress(bytes_done, bytes_total_or_None)`` is called as bytes arrive.

    Example: ``install_from_index("de", "en", Settings.from_env())``
    """
    from glossator.models.download import download_file

    available = update_index(settings, timeout=timeout)
    candidates = [
        a
        for a in available
        if (a.info.from_code, a.info.to_code) == (from_code, to_code) and a.info.code.startswith("translate-")
    ]
    if not candidates:
        pairs = sorted({f"{a.info.from_code}-{a.info.to_code}" for a in available})
        raise ModelNotInstalledError(
            f"the package index {index_url(settings)} has no {from_code}-{to_code} package "
            f"(available: {', '.join(pairs) or 'none'}). Pick one of those, or install from a file: "
            "glossator models install PATH.argosmodel"
        )
    chosen = max(candidates, key=lambda a: _version_key(a.info.version))
    downloads = settings.cache_dir / "downloads"
    try:
        downloads.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix=f"{chosen.info.code}-", suffix=".argosmodel.part", dir=downloads)
    except OSError as exc:
        raise OutputError(f"cannot create a download file in {downloads}: {exc.strerror or exc}.") from exc
    os.close(handle)
    part = Path(name)
    try:
        errors: list[DownloadError] = []
        for link in chosen.links:
            try:
                download_file(link, part, sha256=chosen.sha256, progress=progress, timeout=timeout)
                break
            except DownloadError as exc:
                errors.append(exc)
        else:
            raise errors[0] if len(errors) == 1 else DownloadError("; ".join(str(e) for e in errors))
        got = inspect_package(part)
        if (got.from_code, got.to_code) != (from_code, to_code):
            raise ModelPackageError(
                f"{chosen.links[0]}: the index lists a {from_code}-{to_code} package but the file holds "
                f"{got.from_code}-{got.to_code}. Report this to the index maintainer."
            )
        return install_package(part, settings, force=force, verify=verify)
    finally:
        part.unlink(missing_ok=True)
