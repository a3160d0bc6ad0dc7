"""Argos packages for install tests: the test model's real model and tokenizer under any metadata
(``glossator models install`` translates a sentence before it installs), or ``fake=True`` placeholder bytes for
the structural tests of the library's ``install_package`` (which verifies only when asked)."""

from __future__ import annotations

import functools
import json
import zipfile
from pathlib import Path
from typing import Any

from paths import TEST_MODEL_DIR

DEFAULT_TOP = "translate-de_en-1_0"


def metadata(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "package_version": "1.0",
        "argos_version": "1.0",
        "from_code": "de",
        "from_name": "German",
        "to_code": "en",
        "to_name": "English",
        "type": "translate",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@functools.cache
def real_model_files() -> dict[str, bytes]:
    """The test model's model/ files and tokenizer, by path inside the package (metadata left out)."""
    with zipfile.ZipFile(TEST_MODEL_DIR / "de_en_glossator_test.argosmodel") as zf:
        return {
            name.split("/", 1)[1]: zf.read(name)
            for name in zf.namelist()
            if name.split("/", 1)[1].startswith(("model/", "sentencepiece.model"))
        }


def package_members(
    top: str = DEFAULT_TOP, *, omit: tuple[str, ...] = (), fake: bool = False, **meta: Any
) -> dict[str, bytes]:
    """Archive members of a package: metadata.json, model/*, sentencepiece.model (the test model's, or
    placeholder bytes with ``fake``)."""
    prefix = f"{top}/" if top else ""
    files = (
        {
            "model/model.bin": b"not really a model",
            "model/config.json": b"{}",
            "sentencepiece.model": b"not really a tokenizer",
        }
        if fake
        else real_model_files()
    )
    members = {"metadata.json": json.dumps(metadata(**meta)).encode(), **files}
    return {prefix + name: data for name, data in members.items() if not any(name.startswith(o) for o in omit)}


def write_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def make_zip(
    path: Path, top: str = DEFAULT_TOP, *, omit: tuple[str, ...] = (), fake: bool = False, **meta: Any
) -> Path:
    return write_zip(path, package_members(top, omit=omit, fake=fake, **meta))


def make_dir(
    root: Path, name: str = DEFAULT_TOP, *, omit: tuple[str, ...] = (), fake: bool = False, **meta: Any
) -> Path:
    folder = root / name
    for member, data in package_members("", omit=omit, fake=fake, **meta).items():
        target = folder / member
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    folder.mkdir(parents=True, exist_ok=True)
    return folder
