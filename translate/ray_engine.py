"""A Ray cluster as the translation engine: the pipeline stays on the driver, only decoding is spread.

:class:`RayEngine` implements :class:`~glossator.translate.engine.Engine`. The driver reads the inputs, answers what
it can from the translation memory, enforces the glossary, writes the outputs and fills the memory — exactly as a
local run, because it *is* the local pipeline. What goes to the cluster is each engine batch: the driver plans the
batches with the same :func:`~glossator.translate.engine.plan_batches` and limits as :class:`CT2Engine`, and one
actor decodes each planned batch whole. Same batches, same padding, same model ⇒ the same output as a local run,
whatever the number of actors or nodes.

Each actor (one per worker slot, ``num_cpus=1``) loads the model package once. The package reaches every node either
as a path the node can read (a shared file system: the same folder exists there with the same checksum) or, when it
is not there, shipped through Ray's object store as a zip of the package folder and unpacked into the node's temp
folder. An actor that dies mid-batch (a node lost, a worker killed) is restarted by Ray and its batch retried
(``max_restarts``/``max_task_retries``); a batch that still fails goes to another actor, so no sentence is lost or
translated twice.

``ray`` is imported only here, and only when a :class:`RayEngine` is created (``--ray``).
"""

from __future__ import annotations

import io
import logging
import os
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from glossator.common.errors import ClusterError, ModelPackageError
from glossator.common.settings import DecodeOptions, Settings
from glossator.models.packages import PackageInfo, package_checksum
from glossator.translate.engine import CT2Engine, Hypothesis, plan_batches

RETRIES = 3  # per batch, on top of Ray's own task retries after an actor restart


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


class _Decoder:
    """The actor: one :class:`CT2Engine` over a local copy of the package; decodes a planned batch whole."""

    def __init__(
        self,
        package: PackageInfo,
        checksum: str,
        shipped: Any,
        decode: DecodeOptions,
        threads: int,
        limits: tuple[int, int],
    ) -> None:
        local = package.path if package.path is not None and Path(package.path).is_dir() else None
        if local is not None and package_checksum(package) != checksum:
            local = None  # a different package under the same path on this node: use the shipped one
        if local is None:
            if isinstance(shipped, list):  # an object reference (on a Ray node)
                import ray

                data = bytes(ray.get(shipped[0]))
            else:
                data = bytes(shipped)
            target = Path(tempfile.mkdtemp(prefix="glossator-package-"))
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                zf.extractall(target)
            local = target
        self.engine = CT2Engine(
            package=replace(package, path=Path(local)),
            decode=decode,
            threads=threads,
            workers=1,
            max_batch_tokens=limits[0],
            max_batch_sentences=limits[1],
        )

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
    _local: CT2Engine = field(init=False, repr=False)
    _pool: list[Any] = field(default_factory=list, init=False, repr=False)
    # The shipped package's object reference, held for the engine's life: a restarted actor fetches it again.
    _shipped: list[Any] = field(default_factory=list, init=False, repr=False)
    _new_actor: Any = field(default=None, init=False, repr=False)
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
            address = None if self.address == "local" else self.address
            _probe(os.environ.get("RAY_ADDRESS", "") if address == "auto" else address)
            try:
                ray.init(address=address, logging_level=logging.ERROR, log_to_driver=False, include_dashboard=False)
            except (ConnectionError, RuntimeError, ValueError) as exc:
                where = "a local Ray instance" if address is None else f"the Ray cluster at {address}"
                raise RayError(
                    f"cannot start or join {where}: {' '.join(str(exc).split())[:300]}. Check the address "
                    "(ray status on the head node) or run without --ray."
                ) from exc
            self._started_ray = True
        count = self.actors or max(1, int(ray.cluster_resources().get("CPU", 1)))
        checksum = self.model_checksum
        shipped = [ray.put(_zip_folder(Path(self.package.path)))]  # in a list: passed by reference, fetched lazily
        self._shipped = shipped
        decoder = ray.remote(num_cpus=1)(_Decoder)
        limits = (self.max_batch_tokens, self.max_batch_sentences)
        self._new_actor = lambda: decoder.remote(self.package, checksum, shipped, self.decode, self.threads, limits)
        self._pool = [self._new_actor() for _ in range(count)]
        return self._pool

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

        lengths = [len(self._local.source_pieces(s)) for s in sentences]
        same_length = bool(options.pop("same_length", False))
        groups = plan_batches(lengths, self.max_batch_tokens, self.max_batch_sentences, same_length=same_length)
        prefixes = [list(p) if p else None for p in target_prefixes] if target_prefixes else None

        def submit(group: list[int], actor: Any) -> Any:
            return actor.translate.remote(
                [sentences[i] for i in group],
                num_hypotheses,
                [prefixes[i] for i in group] if prefixes else None,
                return_attention,
                options,
            )

        results: list[list[Hypothesis] | None] = [None] * len(sentences)
        # Each batch goes to one actor; the results are placed by sentence index, so arrival order does not matter.
        pending = {submit(group, pool[n % len(pool)]): (group, n % len(pool), 0) for n, group in enumerate(groups)}
        while pending:
            ready, _ = ray.wait(list(pending), num_returns=1)
            ref = ready[0]
            group, slot, tries = pending.pop(ref)
            try:
                part = ray.get(ref)
            except (RayActorError, RayTaskError) as exc:
                if tries >= RETRIES:
                    raise RayError(
                        f"a batch of {len(group)} sentences failed {tries + 1} times on the Ray cluster "
                        f"({' '.join(str(exc).split())[:300]}). Check the workers' logs (ray logs) or run without "
                        "--ray."
                    ) from exc
                if isinstance(exc, RayActorError):  # the actor is gone (its process or node died): replace it
                    pool[slot] = self._new_actor()
                # The whole batch again, on the next actor: nothing of it was kept, so nothing is doubled.
                retry_slot = (slot + 1) % len(pool)
                pending[submit(group, pool[retry_slot])] = (group, retry_slot, tries + 1)
                continue
            for i, hyps in zip(group, part, strict=True):
                results[i] = hyps
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
