"""Explicit configuration: the only module that reads environment variables.

The CLI builds one :class:`Settings` from its options (``Settings.from_env(**overrides)``) and passes it
down; library code never looks at ``os.environ`` itself.

Environment variables:
- ``ARGOS_PACKAGES_DIR``: where model packages live (shared with ``argospm``; default
  ``$XDG_DATA_HOME/argos-translate/packages``, i.e. ``~/.local/share/argos-translate/packages``).
- ``ARGOS_PACKAGE_INDEX``: the package index base URL (used only by ``models install``/``models update``).
- ``GLOSSATOR_CACHE_DIR``: where the translation memory lives (default: the user cache dir).
- ``GLOSSATOR_BATCH_TOKENS``: source tokens in engine batches in flight, padding included, all workers together
  (default 1024).
- ``GLOSSATOR_BATCH_SENTENCES``: sentences in engine batches in flight, all workers together (default 32; lower
  for less memory).
- ``GLOSSATOR_WORKERS``: engine batches decoded in parallel (default: :func:`available_cores`).
"""

from __future__ import annotations

import math
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
    # Engine batches decoded in parallel: CTranslate2 workers (inter_threads) sharing one model in memory, each
    # decoding whole batches on one core, so the output is byte for byte that of one worker. Default: the physical
    # cores this process may use. Measured against intra-op threads in README, "Benchmarks" (bench_scale.py).
    workers: int = field(default_factory=lambda: available_cores())
    threads: int = 1  # intra-op threads per worker; two were no faster than one for small batches on 2-core machines
    # Engine batches in flight hold at most this many sentences and source tokens, all workers together: each
    # worker decodes batches of its share (CT2Engine.batch_limits; at least 8 sentences / 256 tokens), so decoding
    # memory stays about the same for any number of workers. Beam search memory grows with the hypotheses in
    # flight (~2 MB each at beam 4 on a transformer-base package), speed with them too, as CTranslate2's matrix
    # products run fuller. Issue 15, 2,000 newstest2019 lines, int8 transformer-base (bench_scale.py; README, "All
    # cores"): 12/256 per worker gave 5.68 sentences/s at 242 MB with one worker, 10.17 at 352 MB with two; this
    # shared budget 6.49 at 414 MB and 11.84 at 394 MB. `--batch-sentences 8 --batch-tokens 256` for less memory.
    max_batch_tokens: int = 1024
    max_batch_sentences: int = 32
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
                number = positive_number(value, f"{name}={value!r}", example)
                settings = replace(settings, **{attribute: number})  # type: ignore[arg-type]
        workers = env.get("GLOSSATOR_WORKERS")
        if workers:
            settings = replace(settings, workers=parse_workers(workers, f"GLOSSATOR_WORKERS={workers!r}"))
        return replace(settings, **overrides) if overrides else settings  # type: ignore[arg-type]


def positive_number(value: str, what: str, example: int, hint: str = "") -> int:
    """*value* as a whole number ≥ 1, or a one-line ``UsageError`` naming *what* (an option or variable)."""
    text = value.strip()
    if not text.isdigit() or int(text) < 1:
        from glossator.common.errors import UsageError

        raise UsageError(f"{what}: give a positive whole number, e.g. {example}{hint}.")
    return int(text)


def parse_workers(value: str, what: str) -> int:
    """``--workers`` / ``GLOSSATOR_WORKERS`` as a positive whole number, or a one-line ``UsageError`` naming the
    default (this machine's physical cores, counted only then)."""
    text = value.strip()
    if text.isdigit() and int(text) >= 1:
        return int(text)
    cores = available_cores()
    return positive_number(value, what, cores, f" (default: {cores}, the physical cores this process may use)")


def available_cores(sysfs: Path = Path("/sys"), proc_cgroup: Path = Path("/proc/self/cgroup")) -> int:
    """The physical cores this process may run on: the default number of workers.

    The CPUs of the process' affinity mask (``taskset``, cpusets; ``os.cpu_count()`` counts the machine's, even
    those a container may not use), counted once per core (hyper-threads share one core's arithmetic units, which
    matrix products keep busy, while each worker adds a batch's memory; not measured here, the project's machine
    has no SMT), and capped by the cgroup CPU quota (``docker --cpus``, Kubernetes CPU limits), which the mask
    does not show. ``psutil.cpu_count(logical=False)`` counts every core of the machine and sees neither mask nor
    quota: 32 workers in a 2-CPU pod on a 32-core node. Without ``sched_getaffinity`` (macOS, Windows):
    ``os.cpu_count()``. Never below 1. *sysfs* and *proc_cgroup* are parameters for the tests.
    """
    try:
        cpus = sorted(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)
    cores = set()
    for cpu in cpus:
        topology = sysfs / "devices" / "system" / "cpu" / f"cpu{cpu}" / "topology"
        try:
            package = (topology / "physical_package_id").read_text().strip()
            cores.add((package, (topology / "core_id").read_text().strip()))
        except OSError:
            cores.add(("cpu", str(cpu)))  # no topology (some containers): count the CPU itself
    count = max(1, len(cores))
    quota = _cgroup_cpu_quota(sysfs / "fs" / "cgroup", proc_cgroup)
    return min(count, quota) if quota else count


def _cgroup_cpu_quota(root: Path, proc_cgroup: Path) -> int | None:
    """CPUs the cgroup quota allows (the smallest of the v2 ``cpu.max`` of this process' cgroup and its parents,
    or v1 ``cpu.cfs_quota_us``/``cpu.cfs_period_us``), rounded up; None without a quota or cgroups."""
    try:
        lines = proc_cgroup.read_text().splitlines()
    except OSError:
        return None
    limits: list[float] = []
    for line in lines:
        if line.count(":") < 2:
            continue
        _, controllers, path = line.split(":", 2)
        folder = Path(path.strip() or "/")
        if controllers == "":  # cgroup v2: the unified hierarchy
            for level in (folder, *folder.parents):
                try:
                    quota, period = (root / str(level).lstrip("/") / "cpu.max").read_text().split()[:2]
                    if quota != "max" and float(period) > 0:
                        limits.append(float(quota) / float(period))
                except (OSError, ValueError):
                    continue
        elif "cpu" in controllers.split(","):  # cgroup v1
            for base in (root / "cpu" / str(folder).lstrip("/"), root / "cpu"):
                try:
                    quota_us = float((base / "cpu.cfs_quota_us").read_text())
                    period_us = float((base / "cpu.cfs_period_us").read_text())
                except (OSError, ValueError):
                    continue
                if quota_us > 0 and period_us > 0:
                    limits.append(quota_us / period_us)
                break
    return max(1, math.ceil(min(limits))) if limits else None
