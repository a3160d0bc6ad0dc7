"""Small fake Argos packages for structural install tests (no real model needed)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

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


def package_members(top: str = DEFAULT_TOP, *, omit: tuple[str, ...] = (), **meta: Any) -> dict[str, bytes]:
    """Archive members of a fake package: metadata.json, model/model.bin, sentencepiece.model."""
    prefix = f"{top}/" if top else ""
    members = {
        "metadata.json": json.dumps(metadata(**meta)).encode(),
        "model/model.bin": b"not really a model",
        "model/config.json": b"{}",
        "sentencepiece.model": b"not really a tokenizer",
    }
    return {prefix + name: data for name, data in members.items() if not any(name.startswith(o) for o in omit)}


def write_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def make_zip(path: Path, top: str = DEFAULT_TOP, *, omit: tuple[str, ...] = (), **meta: Any) -> Path:
    return write_zip(path, package_members(top, omit=omit, **meta))


def make_dir(root: Path, name: str = DEFAULT_TOP, *, omit: tuple[str, ...] = (), **meta: Any) -> Path:
    folder = root / name
    for member, data in package_members("", omit=omit, **meta).items():
        target = folder / member
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    folder.mkdir(parents=True, exist_ok=True)
    return folder
