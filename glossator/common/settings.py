"""Explicit configuration: the only module that reads environment variables.

The CLI builds one :class:`Settings` from its options (``Settings.from_env(**overrides)``) and passes it
down; library code never looks at ``os.environ`` itself.

Environment variables:
- ``ARGOS_PACKAGES_DIR``: where model packages live (shared with ``argospm``; default
  ``$XDG_DATA_HOME/argos-translate/packages``, i.e. ``~/.local/share/argos-translate/packages``).
- ``ARGOS_PACKAGE_INDEX``: the package index base URL (used only by ``models install``/``models update``).
- ``GLOSSATOR_CACHE_DIR``: where the translation memory lives (default: the user cache dir).
- ``GLOSSATOR_BATCH_TOKENS``: source tokens per engine batch, padding included (default 256).
- ``GLOSSATOR_BATCH_SENTENCES``: sentences per engine batch (default 12; lower for less memory).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

# The public Argos index; same default as argostranslate.settings.
DEFAULT_PACKAGE_INDEX = "https://raw.githubusercontent.com/argosopentech/argospm-index/main/"


@dataclass(frozen=True)
class DecodeOptions:
    """Decoding options; every field is part of the translation-memory key."""

    beam_size: int = 4
    # Length penalty 1.0 and no early exit from beam search: a tiny memorising model otherwise stops on
    # an early-finished worse hypothesis (see tests/model/README.md).
    length_penalty: float = 1.0
    max_decoding_length: int = 256
    compute_type: str = "default"

    def key(self) -> str:
        """A stable string for cache keys and report signatures."""
        return (
            f"beam={self.beam_size}|lp={self.length_penalty}|maxlen={self.max_decoding_length}|ct={self.compute_type}"
        )


@dataclass(frozen=True)
class Settings:
    """Everything a command needs to know about its environment, decided once by the CLI."""

    packages_dir: Path
    cache_dir: Path
    package_index_url: str = DEFAULT_PACKAGE_INDEX
    from_code: str = "de"
    to_code: str = "en"
    decode: DecodeOptions = field(default_factory=DecodeOptions)
    threads: int = 1  # intra-op threads; two were no faster than one for small batches on 2-core machines
    # Engine batches hold at most this many sentences and source tokens (engine.plan_batches). Beam search memory
    # grows with the sentences in a batch (~5 MB each at beam 4 on a transformer-base package), speed with them
    # too, as CTranslate2's matrix products run fuller. Sweep on 300 newstest2019 lines, int8 transformer-base,
    # 1 thread, against raw CTranslate2 with 2,048-token batches (60 s, 900 MB): 8 sentences 0.87x raw at 196 MB,
    # 12 sentences 0.95x at 236 MB, 16 sentences 0.96x at 261 MB. benchmarks/bench_realistic.py has the whole run.
    max_batch_tokens: int = 256
    max_batch_sentences: int = 12
    use_cache: bool = True
    # --model / Translator(model=...): an installed package's code or name, a pair ("de-en") or a package folder;
    # None: the best installed package for from_code→to_code (a real model before the test fixture).
    model: str | None = None

    @property
    def cache_path(self) -> Path:
        return self.cache_dir / "memory.sqlite3"

    def with_(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """Resolve paths from *env* (default ``os.environ``) the way argostranslate does, then apply overrides."""
        env = os.environ if env is None else env
        home = Path.home()
        data_home = Path(env.get("XDG_DATA_HOME") or home / ".local" / "share")
        cache_home = Path(env.get("XDG_CACHE_HOME") or home / ".cache")
        packages_dir = Path(env.get("ARGOS_PACKAGES_DIR") or data_home / "argos-translate" / "packages")
        cache_dir = Path(env.get("GLOSSATOR_CACHE_DIR") or cache_home / "glossator")
        index = env.get("ARGOS_PACKAGE_INDEX") or DEFAULT_PACKAGE_INDEX
        model = env.get("GLOSSATOR_MODEL") or None
        settings = cls(packages_dir=packages_dir, cache_dir=cache_dir, package_index_url=index, model=model)
        for name, attribute, example in (
            ("GLOSSATOR_BATCH_TOKENS", "max_batch_tokens", cls.max_batch_tokens),
            ("GLOSSATOR_BATCH_SENTENCES", "max_batch_sentences", cls.max_batch_sentences),
        ):
            value = env.get(name)
            if value:
                if not value.isdigit() or int(value) < 1:
                    from glossator.common.errors import UsageError

                    raise UsageError(f"{name}={value!r}: give a positive whole number, e.g. {example}.")
                settings = replace(settings, **{attribute: int(value)})  # type: ignore[arg-type]
        return replace(settings, **overrides) if overrides else settings  # type: ignore[arg-type]
