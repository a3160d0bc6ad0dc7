"""``glossator doctor``: what is installed, where things live, and what to do about each problem found.

Part of the API layer (it looks at packages, the memory and settings, and loads nothing heavy).
"""

from __future__ import annotations

import os
import platform
import sys
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from glossator.common.settings import Settings

LIBRARIES = ("glossator", "argostranslate", "ctranslate2", "sentencepiece", "sacrebleu", "typer", "pyyaml",
             "simplemma", "somajo")  # fmt: skip


@dataclass(frozen=True)
class Finding:
    level: str  # "ok", "warning" or "problem"
    what: str
    fix: str = ""

    def format(self) -> str:
        return f"{self.level}: {self.what}" + (f" — {self.fix}" if self.fix else "")


@dataclass(frozen=True)
class Report:
    versions: dict[str, str]
    paths: dict[str, str]
    models: list[dict[str, Any]]
    findings: list[Finding] = field(default_factory=list)

    @property
    def problems(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "problem"]

    def to_dict(self) -> dict[str, Any]:
        return {
            "versions": self.versions,
            "paths": self.paths,
            "models": self.models,
            "findings": [{"level": f.level, "what": f.what, "fix": f.fix} for f in self.findings],
        }


def _version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def diagnose(settings: Settings | None = None) -> Report:
    from glossator.models.packages import list_packages, list_problems, model_notice, select_package

    settings = settings or Settings.from_env()
    versions = {"python": platform.python_version(), **{name: _version(name) for name in LIBRARIES}}
    paths = {
        "models": str(settings.packages_dir),
        "memory": str(settings.cache_path),
        "python": sys.executable,
    }
    findings: list[Finding] = []
    missing = [name for name in LIBRARIES if versions[name] == "not installed" and name != "glossator"]
    if missing:
        findings.append(Finding("problem", f"missing libraries: {', '.join(missing)}", "pip install -e ."))

    packages = list_packages(settings)
    models = [{**p.to_dict(), "warning": model_notice(p)} for p in packages]
    for problem in list_problems(settings):
        findings.append(Finding("problem", problem, "remove the folder or reinstall the package"))
    try:
        chosen = select_package(settings)
    except Exception as exc:
        findings.append(Finding("problem", " ".join(str(exc).split()), ""))
    else:
        notice = model_notice(chosen)
        if notice:
            findings.append(Finding("warning", notice))
        else:
            findings.append(Finding("ok", f"translations use {chosen.name or chosen.code} {chosen.version}"))
    findings.append(_memory_finding(settings))
    return Report(versions, paths, models, findings)


def _memory_finding(settings: Settings) -> Finding:
    path = settings.cache_path
    folder = path.parent
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if path.exists():
        readable, writable = os.access(path, os.R_OK), os.access(path, os.W_OK) and os.access(folder, os.W_OK)
    else:
        readable, writable = True, os.access(existing, os.W_OK)
    if not readable:
        return Finding("problem", f"translation memory {path} is not readable", "fix its permissions or remove it")
    if not writable:
        return Finding(
            "problem",
            f"translation memory {path} is not writable (translations work, nothing is remembered)",
            "make the folder writable or set GLOSSATOR_CACHE_DIR to a writable folder",
        )
    if path.exists():
        from glossator.translate.cache import TranslationMemory

        memory = TranslationMemory(path, timeout=1)
        try:
            entries = memory.stats().entries
        except Exception as exc:
            return Finding("problem", " ".join(str(exc).split()), "")
        finally:
            memory.close()
        return Finding("ok", f"translation memory {path}: {entries} entr{'y' if entries == 1 else 'ies'}")
    return Finding("ok", f"translation memory {path} will be created on first use")
