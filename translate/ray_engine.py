"""A Ray cluster as the translation engine: the pipeline stays on the driver, only decoding is spread.

:class:`RayEngine` implements :class:`~glossator.translate.engine.Engine`. The driver reads the inputs, answers what
it can from the translation memory, enforces the glossary, writes the outputs and fills the memory — exactly as a
local run, because it *is* the local pipeline. What goes to the cluster is each engine batch: the driver plans the
batches with the same :func:`~glossator.translate.engine.plan_batches` and limits as :class:`CT2Engine`, and one
actor decodes each planned batch whole. Same batches, same padding, same model ⇒ the same output as a local run,
whatever the number of actors or nodes. The batches of a call go out longest first, at most :data:`IN_FLIGHT` per
actor at a time and the next to whichever actor is free, so no actor waits while another has a queue and the call
does not end with one long batch decoding alone.

Each actor (one per worker slot, ``num_cpus=1``) loads the model package once, when it starts. It looks for the
package on its own node first (:func:`_local_copy`): the driver's folder if the node has it with the same checksum
(a shared file system), a package installed there with the same name, version and checksum, or a copy an earlier
run shipped to the node. Only if none is there does the driver zip its folder, once, and ship it through Ray's
object store; the actor unpacks it into the node's temp folder (kept for later runs) and checks its checksum.
An actor that dies mid-batch (a node lost, a worker killed) is replaced and its batch decoded again, whole, by
another actor (at most :data:`RETRIES` times), so no sentence is lost or translated twice.

The driver itself loads only the tokenizer (it plans the batches by source length), never the model. A Ray instance
the engine starts itself (``--ray local``) runs the decoders at the driver's priority, as in-process workers run.

``ray`` is imported only here, and only when a :class:`RayEngine` is created (``--ray``).
"""

from __future__ import annotations

import io
import logging
import os
import shutil
import tempfile
import zipfile
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from glossator.common.errors import ClusterError, GlossatorError, ModelPackageError
from glossator.common.settings import DecodeOptions, Settings
from glossator.models.packages import PackageInfo, list_packages, package_checksum, read_package_metadata
from glossator.translate.engine import CT2Engine, Hypothesis, plan_batches, report_batch

RETRIES = 3  # per batch: how often a failed batch is sent again (to another actor) before the run fails
# Batches queued per actor: one decoding and one waiting, so an actor never idles between two batches; more would
# only fix early which actor takes which batch.
IN_FLIGHT = 2

RayError = ClusterError  # the cluster could not be reached or failed the job (exit 9)


def _probe(address: str | None, timeout: float = 5.0) -> None:
    """Fail fast on a cluster address nothing answers at: ``ray.init`` itself retries for minutes."""
    if not address:
        return
    import socket

    host, _, port = address.removeprefix("ray://").rpartition(":")
    if not host or not port.isdigit():
        raise ClusterError(f"--ray {address}: not an address; use local, auto or host:port (e.g. 10.0.0.5:6379).")
    try:
        socket.create_connection((host, int(port)), timeout=timeout).close()
    except OSError as exc:
        raise ClusterError(
            f"cannot reach the Ray cluster at {address} ({exc.strerror or exc}). Start it (ray start --head) or "
            "check the address (ray status on the head node), or run without --ray."
        ) from exc


def _zip_folder(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                zf.write(path, path.relative_to(folder).as_posix())
    return buffer.getvalue()


def _shipped_folder(checksum: str) -> Path:
    """Where a package shipped to this node is kept (by checksum, so a later run finds it instead of shipping)."""
    return Path(tempfile.gettempdir()) / f"glossator-package-{checksum[:32]}"


def _local_copy(package: PackageInfo, checksum: str) -> tuple[Path, str] | None:
    """This node's copy of *package*, and where it was found: ``"path"`` (the driver's folder, e.g. on a shared file
    system), ``"installed"`` (a package installed on this node, found by name and version) or ``"shipped"`` (kept
    from an earlier run); None if the node has none. Each candidate counts only with the driver's *checksum*."""
    candidates: list[tuple[Path, str]] = []
    if package.path is not None:
        candidates.append((Path(package.path), "path"))
    try:
        installed = list_packages(Settings.from_env())
    except (GlossatorError, OSError):  # this node's settings or packages folder unusable: the other candidates
        installed = []
    candidates += [(Path(p.path), "installed") for p in installed if p.path and p.model_id == package.model_id]
    candidates.append((_shipped_folder(checksum), "shipped"))
    seen: set[Path] = set()
    for folder, source in candidates:
        if folder in seen:  # the driver's folder may also be this node's installed package: hash it once
            continue
        seen.add(folder)
        try:
            same = read_package_metadata(folder).model_id == package.model_id  # cheap, before hashing the model
        except (GlossatorError, OSError):
            continue
        if same and package_checksum(replace(package, path=folder)) == checksum:
            return folder, source
    return None


class _Decoder:
    """The actor: one :class:`CT2Engine` over this node's copy of the package; decodes a planned batch whole.

    *shipped*: the package's zip (bytes, or a one-item list holding its object reference) when the driver has
    already shipped it, else None; then :meth:`ready` says None if the node lacks the package and the driver
    calls :meth:`install`.
    """

    def __init__(
        self,
        package: PackageInfo,
        checksum: str,
        shipped: Any,
        decode: DecodeOptions,
        threads: int,
        limits: tuple[int, int],
    ) -> None:
        self._package, self._checksum = package, checksum
        self._decode, self._threads, self._limits = decode, threads, limits
        self.engine: CT2Engine | None = None
        self.source: str | None = None
        found = _local_copy(package, checksum)
        if found is not None:
            self._load(*found)
        elif shipped is not None:
            self.install(shipped)

    def _load(self, folder: Path, source: str) -> None:
        engine = CT2Engine(
            package=replace(self._package, path=Path(folder)),
            decode=self._decode,
            threads=self._threads,
            workers=1,
            max_batch_tokens=self._limits[0],
            max_batch_sentences=self._limits[1],
        )
        engine._load()  # the model in memory now, not in the first batch's time
        self.engine, self.source = engine, source

    def ready(self) -> str | None:
        """Where the package came from (see :func:`_local_copy`), or None: this node lacks it, ship it."""
        return self.source

    def install(self, shipped: Any) -> str:
        """Unpack the shipped zip into this node's temp folder (kept: see :func:`_shipped_folder`) and load it."""
        if self.engine is not None and self.source is not None:
            return self.source
        if isinstance(shipped, list):  # an object reference (on a Ray node)
            import ray

            shipped = ray.get(shipped[0])
        target = _shipped_folder(self._checksum)
        staging = Path(tempfile.mkdtemp(prefix=f"{target.name}.", dir=target.parent))
        folder: Path | None = None  # the copy to load: the kept one, or this decoder's own if it cannot be kept
        try:
            with zipfile.ZipFile(io.BytesIO(bytes(shipped))) as zf:
                zf.extractall(staging)
            if package_checksum(replace(self._package, path=staging)) != self._checksum:
                raise ModelPackageError(
                    f"the package {self._package.model_id} shipped to this node has another checksum than the "
                    "driver's: its folder changed during the run. Run again once it is installed as it should be."
                )
            try:
                staging.rename(target)  # atomic: another decoder of this node may be unpacking the same package
                folder = target
            except OSError:  # there first: another decoder's copy, or a folder of that name that is not it
                found = _local_copy(replace(self._package, path=target), self._checksum)
                folder = target if found is not None and found[0] == target else staging
        finally:
            if folder != staging:
                shutil.rmtree(staging, ignore_errors=True)
        self._load(folder or staging, "shipped")
        return "shipped"

    def pid(self) -> int:
        return os.getpid()

    def translate(
        self,
        sentences: list[str],
        num_hypotheses: int,
        target_prefixes: list[list[str] | None] | None,
        return_attention: bool,
        options: dict[str, Any] | None = None,
    ) -> list[list[Hypothesis]]:
        if self.engine is None:
            raise ModelPackageError(f"this decoder has no copy of the package {self._package.model_id}")
        return self.engine.translate(
            sentences,
            num_hypotheses=num_hypotheses,
            target_prefixes=target_prefixes,
            return_attention=return_attention,
            **(options or {}),
        )


@dataclass
class RayEngine:
    """The :class:`Engine` of a Ray cluster (see the module docstring).

    *address*: ``"local"`` starts a Ray instance on this machine; ``"auto"`` joins the cluster ``RAY_ADDRESS`` or a
    ``ray start`` on this machine names; ``host:port`` or ``ray://host:port`` joins that cluster. *actors*: how many
    decoders (default: the cluster's CPUs).
    """

    package: PackageInfo
    plans_same_length = True  # translate(same_length=True): batches of one source length, as CT2Engine plans them
    address: str = "local"
    actors: int | None = None
    decode: DecodeOptions = field(default_factory=DecodeOptions)
    threads: int = 1
    max_batch_tokens: int = Settings.max_batch_tokens
    max_batch_sentences: int = Settings.max_batch_sentences
    # Where each decoder found the package ("path", "installed", "shipped"; see _local_copy), and the bytes shipped.
    package_sources: list[str] = field(default_factory=list, init=False)
    shipped_bytes: int = field(default=0, init=False)
    _local: CT2Engine = field(init=False, repr=False)
    _pool: list[Any] = field(default_factory=list, init=False, repr=False)
    # The shipped package's object reference once a node needed it, held for the engine's life: a replacement
    # actor on a node without the package gets it at once.
    _shipped: list[Any] = field(default_factory=list, init=False, repr=False)
    _decoder_class: Any = field(default=None, init=False, repr=False)
    _started_ray: bool = field(default=False, init=False, repr=False)

    def __post_init__(self) -> None:
        # The driver's own engine: the tokenizer for source_pieces/pieces_to_text (never decodes).
        self._local = CT2Engine(package=self.package, decode=self.decode)

    @property
    def model_id(self) -> str:
        return self.package.model_id

    @property
    def model_checksum(self) -> str:
        return self._local.model_checksum

    @property
    def notice(self) -> str | None:
        return self._local.notice

    def source_pieces(self, sentence: str) -> list[str]:
        return self._local.source_pieces(sentence)

    def text_to_pieces(self, text: str) -> list[str]:
        return self._local.text_to_pieces(text)

    def pieces_to_text(self, pieces: Sequence[str]) -> str:
        return self._local.pieces_to_text(pieces)

    def _start(self) -> list[Any]:
        if self._pool:
            return self._pool
        try:
            import ray
        except ImportError as exc:
            raise RayError(
                "--ray needs Ray, which is not installed. Install the extra: pip install 'glossator[ray]'"
            ) from exc
        if self.package.path is None:
            raise ModelPackageError(f"package {self.package.code} is not installed (no directory).")
        if not ray.is_initialized():
            # "local" (Ray's own word for it) starts an instance here even when RAY_ADDRESS is set or a `ray start`
            # runs on this machine: without an address ray.init would join those.
            address = self.address
            local = address == "local"
            _probe(os.environ.get("RAY_ADDRESS", "") if address == "auto" else None if local else address)
            # A Ray instance started here runs its decoders at this process's priority, as in-process workers run:
            # Ray's default (15 steps nicer) lets any other job on the machine take their cores.
            system_config = {"worker_niceness": 0} if local else None
            try:
                ray.init(
                    address=address,
                    logging_level=logging.ERROR,
                    log_to_driver=False,
                    include_dashboard=False,
                    _system_config=system_config,
                )
            except (ConnectionError, RuntimeError, ValueError) as exc:
                where = "a local Ray instance" if local else f"the Ray cluster at {address}"
                raise RayError(
                    f"cannot start or join {where}: {' '.join(str(exc).split())[:300]}. Check the address "
                    "(ray status on the head node) or run without --ray."
                ) from exc
            self._started_ray = True
        count = self.actors or max(1, int(ray.cluster_resources().get("CPU", 1)))
        self._decoder_class = ray.remote(num_cpus=1)(_Decoder)
        pool = [self._create() for _ in range(count)]
        self.package_sources = self._ready(pool)
        self._pool = pool
        return pool

    def _create(self) -> Any:
        limits = (self.max_batch_tokens, self.max_batch_sentences)
        shipped = self._shipped or None  # a list holding the reference: passed as is, fetched only if needed
        return self._decoder_class.remote(self.package, self.model_checksum, shipped, self.decode, self.threads, limits)

    def _ready(self, actors: list[Any]) -> list[str]:
        """Wait until every actor in *actors* has its model loaded; ship the package to those whose node lacks it
        (zipped once, then kept in the object store). Returns where each one's package came from."""
        import ray
        from ray.exceptions import RayActorError, RayTaskError

        try:
            sources: list[str | None] = list(ray.get([actor.ready.remote() for actor in actors]))
            lacking = [n for n, source in enumerate(sources) if source is None]
            if lacking:
                if not self._shipped:
                    data = _zip_folder(Path(str(self.package.path)))
                    self.shipped_bytes = len(data)
                    self._shipped = [ray.put(data)]
                installed = ray.get([actors[n].install.remote(self._shipped) for n in lacking])
                for n, source in zip(lacking, installed, strict=True):
                    sources[n] = source
        except (RayActorError, RayTaskError) as exc:
            raise RayError(
                f"a Ray decoder could not load the model package {self.package.model_id}: "
                f"{' '.join(str(exc).split())[:300]}. Check the workers' logs (ray logs) or run without --ray."
            ) from exc
        return [str(source) for source in sources]

    def actor_pids(self) -> list[int]:
        """The decoder processes' ids (tests kill one to check that its batch is retried)."""
        import ray

        return list(ray.get([actor.pid.remote() for actor in self._start()]))

    def translate(
        self,
        sentences: Sequence[str],
        *,
        num_hypotheses: int = 1,
        target_prefixes: Sequence[Sequence[str] | None] | None = None,
        return_attention: bool = False,
        **options: Any,
    ) -> list[list[Hypothesis]]:
        """Plan the batches as :class:`CT2Engine` does, decode each whole on one actor, return in input order.
        Further keyword *options* (e.g. ``disable_unk``) go to the actors' :meth:`CT2Engine.translate` as they are."""
        if not sentences:
            return []
        pool = self._start()  # first: without Ray installed it says so (ClusterError)
        import ray
        from ray.exceptions import RayActorError, RayTaskError

        lengths = self._local.piece_counts(sentences)
        same_length = bool(options.pop("same_length", False))
        groups = plan_batches(lengths, self.max_batch_tokens, self.max_batch_sentences, same_length=same_length)
        prefixes = [list(p) if p else None for p in target_prefixes] if target_prefixes else None

        results: list[list[Hypothesis] | None] = [None] * len(sentences)
        # Longest first (see the module docstring); each batch goes to one actor and the results are placed by
        # sentence index, so neither the actor nor the arrival order matters.
        queue: deque[list[int]] = deque(reversed(groups))
        pending: dict[Any, tuple[list[int], int, Any, int]] = {}  # reference -> (group, slot, actor, tries)
        busy = [0] * len(pool)

        def submit(group: list[int], slot: int, tries: int) -> None:
            actor = pool[slot]
            ref = actor.translate.remote(
                [sentences[i] for i in group],
                num_hypotheses,
                [prefixes[i] for i in group] if prefixes else None,
                return_attention,
                options,
            )
            pending[ref] = (group, slot, actor, tries)
            busy[slot] += 1

        def feed() -> None:  # the least busy actors first, each up to IN_FLIGHT batches
            for slot in sorted(range(len(pool)), key=busy.__getitem__):
                while queue and busy[slot] < IN_FLIGHT:
                    submit(queue.popleft(), slot, 0)

        feed()
        while pending:
            [ref], _ = ray.wait(list(pending), num_returns=1)
            group, slot, actor, tries = pending.pop(ref)
            busy[slot] -= 1
            try:
                part = ray.get(ref)
            except (RayActorError, RayTaskError) as exc:
                if tries >= RETRIES:
                    raise RayError(
                        f"a batch of {len(group)} sentences failed {tries + 1} times on the Ray cluster "
                        f"({' '.join(str(exc).split())[:300]}). Check the workers' logs (ray logs) or run without "
                        "--ray."
                    ) from exc
                if isinstance(exc, RayActorError) and pool[slot] is actor:
                    # The actor is gone (its process or node died): replace it (once, for all its batches).
                    pool[slot] = self._create()
                    self._ready([pool[slot]])
                # The whole batch again, on the next actor: nothing of it was kept, so nothing is doubled.
                submit(group, (slot + 1) % len(pool), tries + 1)
                continue
            for i, hyps in zip(group, part, strict=True):
                results[i] = hyps
            report_batch(len(group))
            feed()
        return [r for r in results if r is not None]

    def close(self) -> None:
        """Let the actors go (and stop the Ray instance this engine started)."""
        if not self._pool:
            return
        import ray

        for actor in self._pool:
            ray.kill(actor)
        self._pool = []
        self._shipped = []
        if self._started_ray:
            ray.shutdown()
            self._started_ray = False
