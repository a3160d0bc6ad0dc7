"""The translation engine: an installed Argos package's CTranslate2 model and SentencePiece model, used directly.

Why not ``argostranslate.translate``: importing it loads stanza and torch (about 2.6 s and 760 MB here), and
it sends roughly one sentence per ``translate_batch`` call. Glossator encodes every segment of every input
itself and sends them in length-sorted batches of many sentences (:func:`plan_batches`), which is what
CTranslate2 is fast at.

ctranslate2 and sentencepiece are imported inside :meth:`CT2Engine._load`, on the first translation, so
``glossator --help`` and the glossary commands never pay for them.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from glossator.common.errors import ModelPackageError
from glossator.common.settings import DecodeOptions, Settings
from glossator.models.packages import PackageInfo, package_checksum

# Sentences finished so far, reported by the engine after each batch it gets back (see :func:`batch_progress`).
_BATCH_PROGRESS: contextvars.ContextVar[Callable[[int], None] | None] = contextvars.ContextVar(
    "glossator_batch_progress", default=None
)


@contextlib.contextmanager
def batch_progress(report: Callable[[int], None] | None) -> Iterator[None]:
    """Within the block, an engine that supports it (CT2Engine, RayEngine) calls *report(n)* each time a batch of
    *n* sentences comes back, so that one engine call of thousands of sentences (large calls make large batches of
    one length: issue 15) still reports progress as it goes. Engines without it report nothing; the caller reports
    at the end of the call anyway."""
    token = _BATCH_PROGRESS.set(report)
    try:
        yield
    finally:
        _BATCH_PROGRESS.reset(token)


def report_batch(size: int) -> None:
    """Report *size* finished sentences to the :func:`batch_progress` callback in force, if any."""
    report = _BATCH_PROGRESS.get()
    if report is not None and size:
        report(size)


@dataclass(frozen=True)
class Hypothesis:
    """One English candidate for a source sentence.

    ``tokens`` are the target SentencePiece pieces; ``attention`` (when asked for) has one row per target
    piece with one weight per source piece, in the order of :meth:`Engine.source_pieces`. Under beam search
    (``beam_size`` > 1) CTranslate2 4.x returns a first row that depends on the other sentences of the batch
    (the first step runs with one beam per sentence); decode with ``beam_size=1`` when the first row matters.
    """

    text: str
    score: float
    tokens: tuple[str, ...] = ()
    attention: tuple[tuple[float, ...], ...] | None = None


class Engine(Protocol):
    """What the pipeline and the enforcement step need from a translation engine.

    ``translate`` options beyond the sentences: ``num_hypotheses`` (n-best), ``target_prefixes`` (pieces each
    output must start with, kept verbatim), ``return_attention``, ``disable_unk`` (never write the unknown
    piece), ``beam_size`` and ``max_decoding_length`` (override the engine's decode options for this call),
    ``same_length`` (batches of one source length only: no padding; see :func:`plan_batches`). One call with
    many sentences is what lets several workers decode at once: each call's batches run in parallel.
    ``text_to_pieces`` writes a character the target vocabulary lacks as the unknown piece, so
    ``pieces_to_text(text_to_pieces(t)) != t`` tells that the model cannot write *t*.
    """

    @property
    def model_id(self) -> str: ...

    @property
    def model_checksum(self) -> str: ...

    def translate(
        self,
        sentences: Sequence[str],
        *,
        num_hypotheses: int = 1,
        target_prefixes: Sequence[Sequence[str] | None] | None = None,
        return_attention: bool = False,
        disable_unk: bool = False,
        beam_size: int | None = None,
        max_decoding_length: int | None = None,
        same_length: bool = False,
    ) -> list[list[Hypothesis]]: ...

    def source_pieces(self, sentence: str) -> list[str]: ...

    def pieces_to_text(self, pieces: Sequence[str]) -> str: ...

    def text_to_pieces(self, text: str) -> list[str]: ...


def plan_batches(
    lengths: Sequence[int], max_tokens: int, max_sentences: int, *, same_length: bool = False
) -> list[list[int]]:
    """Group sentence indices into engine batches: shortest first, at most *max_sentences* per batch and at
    most *max_tokens* source pieces counting padding (batch size times its longest sentence). A sentence longer
    than *max_tokens* gets a batch of its own. *same_length*: only sentences of one length share a batch (no
    padding, so each sentence comes out as it would alone), in input order within a length.

    Why two limits: beam search keeps, per sentence, beam times (decoder cache + a vocabulary-sized score row)
    whatever the sentence length, so the sentence count bounds memory for short sentences and the token count
    for long ones. CTranslate2's own batching takes only one of the two.
    """
    if max_tokens < 1 or max_sentences < 1:
        raise ValueError(f"batch limits must be positive (tokens {max_tokens}, sentences {max_sentences})")
    batches: list[list[int]] = []
    current: list[int] = []
    for index in sorted(range(len(lengths)), key=lengths.__getitem__):
        padded = (len(current) + 1) * max(lengths[index], 1)  # sorted: this one is the longest so far
        other_length = same_length and bool(current) and lengths[current[-1]] != lengths[index]
        if current and (len(current) >= max_sentences or padded > max_tokens or other_length):
            batches.append(current)
            current = []
        current.append(index)
    if current:
        batches.append(current)
    return batches


# The smallest (source tokens, sentences) batch that CT2Engine.batch_limits gives a worker when it shares the budget.
MIN_WORKER_BATCH = (256, 8)


@dataclass
class CT2Engine:
    """CTranslate2 + SentencePiece from one installed package directory; loaded on first use."""

    package: PackageInfo
    decode: DecodeOptions = field(default_factory=DecodeOptions)
    # translate(same_length=True) plans batches of one source length (enforce._decode relies on it)
    plans_same_length = True
    threads: int = 1  # intra-op threads per worker
    # CTranslate2 workers (inter_threads): planned batches decoded in parallel by one model in memory. Each batch
    # is decoded whole by one worker, so the output does not depend on the number of workers (see batch_limits).
    workers: int = 1
    # One source of truth for the batch limits: the Settings defaults (a frozen dataclass's class attributes).
    # They are what all workers together hold in flight (batch_limits gives each worker its share).
    max_batch_tokens: int = Settings.max_batch_tokens
    max_batch_sentences: int = Settings.max_batch_sentences
    _translator: Any = field(default=None, init=False, repr=False)
    _sp: Any = field(default=None, init=False, repr=False)
    # Models with learned position tables (the project's test model) declare their length limit in
    # metadata.json ("max_positions"); longer inputs are truncated by CTranslate2 instead of failing.
    _max_positions: int | None = field(default=None, init=False, repr=False)
    _trim: Any = field(default=None, init=False, repr=False)
    _checksum: str | None = field(default=None, init=False, repr=False)

    @property
    def model_id(self) -> str:
        return self.package.model_id

    @property
    def notice(self) -> str | None:
        """One-line warning when this is the project's test model or small model (see models.model_notice)."""
        from glossator.models.packages import model_notice

        return model_notice(self.package)

    @property
    def model_checksum(self) -> str:
        """SHA-256 of the package's model and tokenizer files (a reinstalled package with the same version but
        other weights must not be served from the memory)."""
        if self._checksum is None:
            self._checksum = package_checksum(self.package)
        return self._checksum

    def _load(self, *, tokenizer_only: bool = False) -> tuple[Any, Any]:
        """The CTranslate2 translator and the SentencePiece model, loaded on first use. *tokenizer_only*: load only
        SentencePiece if the translator is not loaded yet (the first item is then None): the Ray driver tokenizes
        but never decodes, so it does not hold the model in its memory."""
        if self._translator is None and not (tokenizer_only and self._sp is not None):
            import sentencepiece

            if self.package.path is None:
                raise ModelPackageError(f"package {self.package.code} is not installed (no directory).")
            root = Path(self.package.path)
            model_dir, sp_path = root / "model", root / "sentencepiece.model"
            for needed in (sp_path,) if tokenizer_only else (model_dir, sp_path):
                if not needed.exists():
                    raise ModelPackageError(
                        f"package {self.package.code} at {root} has no {needed.name}. "
                        f"Reinstall it: glossator models remove {self.package.code} && glossator models install …"
                    )
            try:
                metadata = json.loads((root / "metadata.json").read_text(encoding="utf-8"))
                limit = metadata.get("max_positions")
                self._max_positions = int(limit) if isinstance(limit, int) and limit > 2 else None
            except (OSError, ValueError):
                self._max_positions = None
            try:
                if self._sp is None:
                    self._sp = sentencepiece.SentencePieceProcessor(model_file=str(sp_path))
                if tokenizer_only:
                    return None, self._sp
                import ctranslate2

                self._translator = ctranslate2.Translator(
                    str(model_dir),
                    device="cpu",
                    compute_type=self.decode.compute_type,
                    intra_threads=self.threads,
                    inter_threads=self.workers,
                )
            except (RuntimeError, ValueError, OSError) as exc:
                raise ModelPackageError(
                    f"cannot load package {self.package.code} from {root}: {exc}. Reinstall the package."
                ) from exc
        return self._translator, self._sp

    def _release_free_memory(self) -> None:
        """Hand the pages freed by the last batch back to the OS (glibc's ``malloc_trim``).

        Each batch's beam search allocates and frees tens of MB (a 50,000-wide score row and a growing decoder
        cache per hypothesis); glibc keeps the freed pages, fragmented, so the resident set crept up batch after
        batch. Probe, 8-sentence batches: peak 213 MB on 2,000 newstest2019 lines without a trim, 207 MB with
        one after each batch (resident size between batches 150-172 MB vs 136-149 MB), at the same speed.
        A no-op where the C library is not glibc.
        """
        if self._trim is None:
            self._trim = _malloc_trim() or (lambda: None)
        self._trim()

    def batch_limits(self, *, same_length: bool = True) -> tuple[int, int]:
        """(source tokens, sentences) per batch for each worker: an equal share of ``max_batch_tokens`` and
        ``max_batch_sentences``, the budget of all workers together, so that decoding holds about the same memory
        whatever the number of workers (a batch's beam search holds ~2 MB per hypothesis on a transformer-base
        package: its decoder cache grows with the sentence lengths, its score rows with the vocabulary). A share is
        never below :data:`MIN_WORKER_BATCH` (or the budget, if that is smaller): smaller batches waste more CPU than
        the memory is worth (issue 15, one worker, 2,000 lines: 5.71 sentences per CPU second at 12/256, 6.52 at
        32/1024).

        Shared only where it cannot change a word: one-length batches (*same_length*: no padding) of an int8 model,
        whose integer matrix products give each sentence bit for bit its output alone, in a batch of any size
        (tests/pipeline/test_batching.py). Padded batches, or a float model, keep the whole budget per worker, so
        their batches, and so their output, are those of one worker.
        """
        tokens, sentences = self.max_batch_tokens, self.max_batch_sentences
        if self.workers <= 1 or not same_length or not self._int8():
            return tokens, sentences
        min_tokens, min_sentences = MIN_WORKER_BATCH
        return (
            max(tokens // self.workers, min(tokens, min_tokens)),
            max(sentences // self.workers, min(sentences, min_sentences)),
        )

    def _int8(self) -> bool:
        """Whether the loaded model computes in int8 on the CPU (CTranslate2's ``compute_type``), where batch-size
        invariance was measured."""
        translator, _ = self._load()
        return str(getattr(translator, "compute_type", "")) in ("int8", "int8_float32")

    def source_pieces(self, sentence: str) -> list[str]:
        _, sp = self._load(tokenizer_only=True)
        return list(sp.encode(sentence, out_type=str))

    def piece_counts(self, sentences: Sequence[str]) -> list[int]:
        """``len(source_pieces(s))`` for each of *sentences*, in one SentencePiece call (batches are planned by it)."""
        _, sp = self._load(tokenizer_only=True)
        return [len(ids) for ids in sp.encode(list(sentences))]

    def text_to_pieces(self, text: str) -> list[str]:
        """Target pieces of *text*; a character the vocabulary lacks becomes the unknown piece (``<unk>``, written
        "⁇"), as CTranslate2 would read it in a target prefix."""
        _, sp = self._load(tokenizer_only=True)
        return [str(sp.id_to_piece(i)) for i in sp.encode(text)]

    def pieces_to_text(self, pieces: Sequence[str]) -> str:
        # SentencePiece's own decoder: argostranslate joins pieces and turns "▁" into spaces, which also
        # mangles a literal "_" in the text.
        _, sp = self._load(tokenizer_only=True)
        return str(sp.decode_pieces(list(pieces)))

    def translate(
        self,
        sentences: Sequence[str],
        *,
        num_hypotheses: int = 1,
        target_prefixes: Sequence[Sequence[str] | None] | None = None,
        return_attention: bool = False,
        disable_unk: bool = False,
        beam_size: int | None = None,
        max_decoding_length: int | None = None,
        same_length: bool = False,
    ) -> list[list[Hypothesis]]:
        """Translate *sentences* in length-sorted batches (see :func:`plan_batches`); results are in input order.

        With several workers the batches are queued at once and decoded in parallel, each whole by one worker, and
        each worker's batches are its share of the batch budget (:meth:`batch_limits`): smaller one-length int8
        batches, or the same batches as one worker's, so the same output either way. (The batches matter otherwise:
        raw CTranslate2 with its own padded batching gives slightly different translations.)
        """
        if not sentences:
            return []
        translator, sp = self._load()
        batch = [list(sp.encode(s, out_type=str)) for s in sentences]
        prefixes = [list(p) if p else None for p in target_prefixes] if target_prefixes else None
        beam = max(beam_size or self.decode.beam_size, num_hypotheses)
        max_input, max_output = 1024, max_decoding_length or self.decode.max_decoding_length
        if self._max_positions is not None:
            max_input, max_output = self._max_positions, min(max_output, self._max_positions - 2)
        results: list[Any] = [None] * len(batch)
        groups = plan_batches(
            [len(pieces) for pieces in batch], *self.batch_limits(same_length=same_length), same_length=same_length
        )
        parallel = self.workers > 1 and len(groups) > 1
        submitted = []
        # With several workers every group is queued at once (asynchronous), longest first, so the workers finish
        # together instead of one decoding the longest batch alone at the end; results are placed by index.
        for group in reversed(groups) if parallel else groups:
            # max_batch_size=0: each planned group is one CTranslate2 batch, not split again (the batches, not the
            # workers or their order, decide the output).
            part = translator.translate_batch(
                [batch[i] for i in group],
                target_prefix=[prefixes[i] for i in group] if prefixes else None,
                max_batch_size=0,
                asynchronous=parallel,
                beam_size=beam,
                num_hypotheses=num_hypotheses,
                length_penalty=self.decode.length_penalty,
                max_decoding_length=max_output,
                max_input_length=max_input,
                return_scores=True,
                return_attention=return_attention,
                disable_unk=disable_unk,
            )
            if parallel:
                submitted.append((group, part))
                continue
            for i, result in zip(group, part, strict=True):
                results[i] = result
            self._release_free_memory()
            report_batch(len(group))
        for group, part in submitted:
            for i, result in zip(group, part, strict=True):
                results[i] = result.result()
            self._release_free_memory()
            report_batch(len(group))
        out: list[list[Hypothesis]] = []
        for result in results:
            hyps = []
            # Each read of a result's attribute copies it out of C++ again (1.6 ms for 4 hypotheses' attention):
            # read each once; the weights are Python floats already.
            scores = result.scores
            attentions = result.attention if return_attention else None
            for i, tokens in enumerate(result.hypotheses):
                attention = tuple(map(tuple, attentions[i])) if attentions else None
                hyps.append(
                    Hypothesis(
                        text=str(sp.decode_pieces(tokens)),
                        score=float(scores[i]) if scores else 0.0,
                        tokens=tuple(tokens),
                        attention=attention,
                    )
                )
            out.append(hyps)
        return out


def _malloc_trim() -> Any:
    """``malloc_trim(0)`` of the running C library if it is glibc, else None."""
    import ctypes
    import platform

    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return None
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return lambda: trim(0)


def load_engine(settings: Settings) -> CT2Engine:
    """The engine for ``settings.model`` (a package code, a pair or a package folder) or, without one, the best
    installed ``settings.from_code → settings.to_code`` package; raises ``ModelNotInstalledError`` if none."""
    from glossator.models.packages import select_package

    package = select_package(settings)
    return CT2Engine(
        package=package,
        decode=settings.decode,
        threads=settings.threads,
        workers=settings.workers,
        max_batch_tokens=settings.max_batch_tokens,
        max_batch_sentences=settings.max_batch_sentences,
    )


VERIFY_SENTENCE = "Das ist ein kurzer Test."


def verify_package(package: PackageInfo) -> None:
    """Check, before a package becomes visible, that Glossator can use it: a German→English pair, a model that
    CTranslate2 loads and a tokenizer that SentencePiece loads, and one test sentence translated to non-empty
    English. Raises :class:`ModelPackageError` (what failed and what to do; the caller names the file) otherwise.

    Quality is not judged here (a random-weight model passes); ``glossator evaluate`` does that.
    Example: ``install_package(path, settings, verify=verify_package)``
    """
    if (package.from_code, package.to_code) != ("de", "en"):
        raise ModelPackageError(
            f"the package translates {package.from_code}→{package.to_code}, and Glossator translates German→English "
            "only. Install a de→en package (glossator models install de-en); argospm installs other pairs for "
            "other tools"
        )
    engine = CT2Engine(package=package, decode=DecodeOptions(beam_size=1, max_decoding_length=32))
    try:
        hypotheses = engine.translate([VERIFY_SENTENCE])
    except ModelPackageError as exc:
        cause = exc.__cause__ or exc
        raise ModelPackageError(
            f"its model or tokenizer does not load ({cause}). Download the package again or ask its maker"
        ) from exc
    except (RuntimeError, ValueError, OSError, IndexError) as exc:  # a model that loads but cannot decode
        raise ModelPackageError(
            f"its model failed to translate a test sentence ({exc}). Download the package again or ask its maker"
        ) from exc
    text = hypotheses[0][0].text.strip() if hypotheses and hypotheses[0] else ""
    if not text or set(text.replace(" ", "")) <= {"⁇"}:
        raise ModelPackageError(
            f"its model translated a test sentence to {text!r}, nothing usable. Download the package again or "
            "ask its maker"
        )
