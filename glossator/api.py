"""Glossator's Python API: what ``import glossator`` offers and what the command line calls.

    >>> import glossator
    >>> with glossator.Translator(glossary="corpus/glossary.yaml") as translator:
    ...     result = translator.translate("Der Strategische Dialog beginnt.")
    >>> result.text, [c.status for s in result.segments for c in s.checks]

A :class:`Translator` loads the engine, the glossary's matcher and the translation memory once and reuses them
for every call. Errors are typed (:mod:`glossator.common.errors`); nothing here prints or exits.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from glossator.common.errors import OutputError, UsageError
from glossator.common.settings import Settings, parse_workers
from glossator.glossary.model import Glossary

# A structured document (DOCX, PPTX, HTML …) is translated in windows of about this many characters of its blocks'
# text (~220 sentences, a few engine batches per worker): its parsed pieces and each window's decoding output (the
# alignment the markup needs) are held per window, so a small window keeps memory flat on any document length.
STRUCTURED_WINDOW_CHARS = 30_000

if TYPE_CHECKING:
    from glossator.glossary.check import TermCheck
    from glossator.quality.scoring import ScoreReport
    from glossator.quality.termcheck import CheckReport
    from glossator.translate.documents import Block
    from glossator.translate.engine import Engine
    from glossator.translate.pipeline import SegmentResult, TranslationResult

__all__ = [
    "MemoryExport",
    "MemoryImport",
    "Translation",
    "Translator",
    "check",
    "export_tmx",
    "import_tmx",
    "load_glossary",
    "score",
]

GlossaryArg = Glossary | str | Path | Sequence[str | Path] | None
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Translation:
    """One translated text or file: the English ``text``, its ``segments`` (each with typed term checks carrying
    source and target spans), where it was written (``output``; None for a string or stdout), the model used
    and any warnings (test model, memory problems)."""

    text: str
    segments: tuple[SegmentResult, ...]
    model_id: str
    glossary_digest: str
    name: str = "<text>"
    output: Path | None = None
    warnings: tuple[str, ...] = ()
    stats: dict[str, Any] = field(default_factory=dict)
    model_warning: str | None = None  # the model's own warning (test model, small model), also in ``warnings``
    # Term verdict counts when the segments were not kept (translate_files(keep=False) on large inputs)
    counts: dict[str, int] | None = None

    @property
    def checks(self) -> list[TermCheck]:
        return [check for segment in self.segments for check in segment.checks]

    def term_counts(self) -> dict[str, int]:
        counts = {"ok": 0, "enforced": 0, "damaged": 0, "missing": 0, "forbidden": 0}
        if self.counts is not None:
            return {**counts, **self.counts}
        for check in self.checks:
            counts[check.status] = counts.get(check.status, 0) + 1
        return counts

    @property
    def violations(self) -> int:
        counts = self.term_counts()
        return counts["damaged"] + counts["missing"] + counts["forbidden"]

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "output": str(self.output) if self.output else "-",
            "model": self.model_id,
            **({"model_warning": self.model_warning} if self.model_warning else {}),
            "glossary_digest": self.glossary_digest,
            "stats": self.stats,
            "terms": self.term_counts(),
            "segments": [s.to_dict() for s in self.segments],
        }

    @classmethod
    def _from_result(cls, result: TranslationResult, warnings: Sequence[str], output: Path | None) -> Translation:
        return cls(
            text=result.text,
            segments=result.segments,
            model_id=result.model_id,
            glossary_digest=result.glossary_digest,
            name=result.name,
            output=output,
            warnings=tuple(warnings),
            stats=dict(result.stats),
            model_warning=result.notice,
        )


def load_glossary(*paths: str | Path) -> Glossary:
    """Load and merge glossary files (YAML, TSV/CSV, TBX); later files win. ``load_glossary()`` is empty.

    A TMX file is a translation memory, not a glossary: it is refused with a pointer to :func:`import_tmx`."""
    from glossator.common.errors import GlossaryError
    from glossator.glossary.io import load_glossaries

    for path in paths:
        if Path(path).suffix.lower() == ".tmx":
            raise GlossaryError(
                f"{path}: a TMX file is a translation memory, not a glossary. Import it with "
                f"`glossator memory import {path}` (its human translations are then reused), and give a "
                "YAML/TSV/CSV/TBX glossary to --glossary."
            )
    return load_glossaries(list(paths)) if paths else Glossary()


def _glossary(value: GlossaryArg) -> Glossary:
    if value is None:
        return Glossary()
    if isinstance(value, Glossary):
        return value
    if isinstance(value, str | Path):
        return load_glossary(value)
    return load_glossary(*value)


def _glossary_paths(value: GlossaryArg) -> list[str | Path]:
    if value is None or isinstance(value, Glossary):
        return []
    if isinstance(value, str | Path):
        return [value]
    return list(value)


class Translator:
    """Translate German text and files to English with one model, glossary and memory, loaded once.

    *model*: an installed package's code or name, a pair (``"de-en"``) or a package folder; None picks the best
    installed de→en package. *glossary*: a :class:`Glossary`, a path or a list of paths (later wins).
    *settings*: paths and options (default :meth:`Settings.from_env`); *use_memory* False bypasses the
    translation memory (machine and human entries); *memory* names another memory file than the settings' one.
    *workers*: engine batches decoded in parallel (default ``settings.workers``: the machine's physical cores, or
    ``GLOSSATOR_WORKERS``); the output is the same for any number.
    *ray*: decode on a Ray cluster instead of in this process (the optional extra ``glossator[ray]``): ``"local"``
    starts Ray on this machine, ``"auto"`` joins ``RAY_ADDRESS`` or the cluster ``ray start`` made here,
    ``"host:port"`` joins that one; one decoder per cluster CPU, or *workers* if given. The memory, the glossary
    and the outputs stay here, so the result is that of a local run.
    Use as a context manager, or call :meth:`close`, to close the memory (and let the Ray decoders go).
    """

    def __init__(
        self,
        model: str | Path | None = None,
        glossary: GlossaryArg = None,
        settings: Settings | None = None,
        *,
        use_memory: bool | None = None,
        memory: str | Path | None = None,
        engine: Engine | None = None,
        workers: int | None = None,
        ray: str | None = None,
    ) -> None:
        from glossator.translate.cache import TranslationMemory

        settings = settings or Settings.from_env()
        if model is not None:
            settings = settings.with_(model=str(model))
        if workers is not None:
            settings = settings.with_(workers=parse_workers(str(workers), f"workers={workers!r}"))
        if use_memory is not None:
            settings = settings.with_(use_cache=use_memory)
        self.settings = settings
        self._ray = ray
        self._ray_actors = settings.workers if workers is not None else None
        self.glossary = _glossary(glossary)
        # Files this translator reads: never an output, with or without force.
        self._glossary_paths = [Path(p) for p in _glossary_paths(glossary)]
        # The package is chosen on first use, so input and output problems are reported before a missing model.
        self._engine: Engine | None = engine
        self._matcher = None
        if len(self.glossary):
            from glossator.glossary.match import TermMatcher

            self._matcher = TermMatcher(self.glossary)
        memory_path = Path(memory) if memory is not None else settings.cache_path
        self._memory = TranslationMemory(memory_path) if settings.use_cache else None
        # The memory file is never an output either.
        self._protected = [*self._glossary_paths, memory_path]

    @property
    def engine(self) -> Engine:
        """The engine for ``settings.model`` (loaded on first use; raises ``ModelNotInstalledError`` without one)."""
        if self._engine is None and self._ray is not None:
            from glossator.models.packages import select_package
            from glossator.translate.ray_engine import RayEngine

            self._engine = RayEngine(
                package=select_package(self.settings),
                address=self._ray,
                actors=self._ray_actors,
                decode=self.settings.decode,
                threads=self.settings.threads,
                max_batch_tokens=self.settings.max_batch_tokens,
                max_batch_sentences=self.settings.max_batch_sentences,
            )
        if self._engine is None:
            from glossator.translate.engine import load_engine

            self._engine = load_engine(self.settings)
        return self._engine

    def __enter__(self) -> Translator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._memory is not None:
            self._memory.close()
        closer = getattr(self._engine, "close", None) if self._ray is not None else None
        if closer is not None:
            closer()

    @property
    def model_notice(self) -> str | None:
        """The model's warning (the project's test model, or its small model and measured quality), or None."""
        return getattr(self.engine, "notice", None)

    def _run(self, inputs: Sequence[Any], progress: Progress | None) -> tuple[list[TranslationResult], list[str]]:
        from glossator.translate.pipeline import translate_documents

        warnings: list[str] = []
        results = translate_documents(
            inputs,
            self.settings,
            glossary=self.glossary,
            progress=progress,
            engine=self.engine,
            warnings=warnings,
            matcher=self._matcher,
            memory=self._memory,
        )
        return results, warnings

    def translate(self, text: str, *, fmt: str = "txt", progress: Progress | None = None) -> Translation:
        """Translate German *text* (``fmt``: txt, lines or md) and return the English with its term checks."""
        from glossator.translate.documents import FORMATS
        from glossator.translate.pipeline import DocumentInput

        if fmt not in FORMATS:
            raise UsageError(f"format {fmt!r}: use one of {', '.join(FORMATS)}.")
        results, warnings = self._run([DocumentInput("<text>", text, fmt)], progress)
        return Translation._from_result(results[0], warnings, None)

    def translate_file(
        self,
        path: str | Path,
        output: str | Path | None = None,
        *,
        force: bool = False,
        encoding: str = "utf-8",
        fmt: str | None = None,
    ) -> Translation:
        """Translate one file; the English goes to *output* (default: ``x.de.txt`` → ``x.en.txt`` beside it)."""
        return self.translate_files([path], output, force=force, encoding=encoding, fmt=fmt)[0]

    def translate_files(
        self,
        inputs: Sequence[str | Path],
        output: str | Path | None = None,
        *,
        force: bool = False,
        encoding: str = "utf-8",
        fmt: str | None = None,
        progress: Progress | None = None,
        stdin: Any = None,
        keep: bool = True,
        resume: bool = False,
    ) -> list[Translation]:
        """Translate files, directories (their .txt/.md files) or glob patterns; ``-`` reads *stdin*.

        *output*: a file for one input, a directory for several, ``-`` (or None with stdin) for no file: the text
        is only returned. Outputs are checked before anything is translated (an existing one needs *force*; an
        input or a glossary is never overwritten), and every input is read (checked) first. Inputs are then
        translated a window at a time (``translate.files.WINDOW_CHARS``; a large file in parts) and each output is
        written atomically as soon as it is done, so memory stays flat on any input size and an interrupted run
        keeps its finished outputs. *keep* False returns each file's counts (``stats``, ``term_counts()``) but not
        its text and segments (what a huge input needs). *resume*: inputs whose output exists are skipped (not
        returned), the rest translated — for a run that was interrupted.
        """
        from glossator.common.fileio import check_text, decode_text, is_special_file, read_bytes, read_text
        from glossator.translate.documents import FORMATS
        from glossator.translate.files import WHOLE_FILE_BYTES, expand_inputs, plan_outputs
        from glossator.translate.formats import STRUCTURED, format_for_path, open_source

        if fmt is not None and fmt not in FORMATS and fmt not in STRUCTURED:
            raise UsageError(f"--format {fmt}: use one of {', '.join([*FORMATS, *STRUCTURED])}.")
        paths = expand_inputs(inputs)
        targets = plan_outputs(paths, output, force, protected=self._protected, resume=resume)
        kinds = [fmt or (format_for_path(p) if p is not None else "txt") for p in paths]  # unknown formats refused
        jobs: list[_FileJob] = []
        for path, target, kind in zip(paths, targets, kinds, strict=True):
            if resume and target is not None and target.exists() and not is_special_file(target):
                continue  # finished by an earlier run
            if kind in STRUCTURED:
                name = str(path) if path is not None else "<stdin>"
                if target is None:  # stdout ('-o -', or stdin without -o)
                    raise UsageError(
                        f"{name}: the English {STRUCTURED[kind].label} is a file; give -o FILE or a folder, not '-'."
                    )
                stream = stdin if stdin is not None else sys.stdin.buffer
                data = stream.read() if path is None else read_bytes(path)
                # the whole file is parsed and checked before anything is translated
                jobs.append(_FileJob(name, kind, target, source=open_source(kind, data, name)))
                continue
            if path is None:
                stream = stdin if stdin is not None else sys.stdin.buffer
                text = decode_text(stream.read(), "<stdin>", encoding=encoding)
                jobs.append(_FileJob("<stdin>", kind, target, text=text))
                continue
            try:
                large = path.stat().st_size > WHOLE_FILE_BYTES
            except OSError:
                large = False  # read_text below says what is wrong with it
            if large:
                check_text(path, encoding=encoding)  # every input is checked before anything is translated
                jobs.append(_FileJob(str(path), kind, target, path=path))
            else:
                jobs.append(_FileJob(str(path), kind, target, text=read_text(path, encoding=encoding)))
        keep_all = keep or all(job.target is None for job in jobs)
        return _translate_in_windows(self, jobs, keep_all, encoding, progress)


@dataclass
class _FileJob:
    """One input of :meth:`Translator.translate_files`: its text (or its path, read as a stream) and its output."""

    name: str
    fmt: str
    target: Path | None
    text: str | None = None
    path: Path | None = None
    source: Any = None  # a structured document (translate.formats.Source)


def _translate_in_windows(
    translator: Translator,
    jobs: Sequence[_FileJob],
    keep: bool,
    encoding: str,
    progress: Progress | None,
) -> list[Translation]:
    """Translate *jobs* a window of about WINDOW_CHARS characters at a time (documents pooled only as far as
    batching needs; a large file in parts), writing each output as its last part is done. Memory stays flat on any
    input size; an interrupted run keeps the outputs already finished, and the memory the segments translated."""
    from glossator.common.fileio import iter_text
    from glossator.translate.files import WINDOW_CHARS, document_parts
    from glossator.translate.pipeline import DocumentInput

    out: list[Translation] = []
    warnings: dict[str, None] = {}
    # (job index, part text or a structured document's blocks, is the job's last part)
    window: list[tuple[int, str | list[Block], bool]] = []
    state: dict[int, _Output] = {}
    total_chars = sum(_job_chars(j) for j in jobs)
    progress_state = {"done": 0, "chars": 0}
    with contextlib.ExitStack() as stack:

        def flush() -> None:
            if not window:
                return
            chars = sum(_part_chars(part) for _, part, _ in window)
            before = progress_state["done"]

            def windowed(done: int, total: int) -> None:
                if progress is None:
                    return
                seen = progress_state["chars"] + chars
                estimate = round((before + total) * max(total_chars, seen) / max(seen, 1))
                progress(before + done, max(estimate, before + done))

            inputs = [
                DocumentInput(jobs[i].name, part, jobs[i].fmt)
                if isinstance(part, str)
                else DocumentInput(jobs[i].name, "", jobs[i].fmt, blocks=part)
                for i, part, _ in window
            ]
            results, run_warnings = translator._run(inputs, windowed if progress is not None else None)
            progress_state["chars"] += chars
            progress_state["done"] += sum(len(r.segments) for r in results)
            warnings.update(dict.fromkeys(run_warnings))
            for (index, part, last), result in zip(window, results, strict=True):
                if index not in state:
                    state[index] = _Output.open(stack, jobs[index], result)
                if not isinstance(part, str):
                    for block, rendered in zip(part, result.blocks or (), strict=True):
                        jobs[index].source.put(block, rendered)
                state[index].add(result, keep)
                if last:
                    out.append(state.pop(index).finish(tuple(warnings)))
            window.clear()

        window_chars = 0
        for index, job in enumerate(jobs):
            if job.source is not None:  # a structured document: its blocks, a window's worth at a time
                blocks: list[Block] = []
                for block in job.source.blocks():
                    blocks.append(block)
                    window_chars += len(block.paragraph.text)
                    if window_chars >= STRUCTURED_WINDOW_CHARS:
                        window.append((index, blocks, False))
                        blocks = []
                        flush()
                        window_chars = 0
                window.append((index, blocks, True))
                continue
            chunks: Iterable[str] = iter_text(job.path, encoding=encoding) if job.path is not None else [job.text or ""]
            parts = document_parts(chunks, job.fmt, WINDOW_CHARS)
            part: str | None = next(parts, "")  # an empty file is one empty part
            while part is not None:
                following = next(parts, None)
                window.append((index, part, following is None))
                window_chars += len(part)
                if window_chars >= WINDOW_CHARS:
                    flush()
                    window_chars = 0
                part = following
        flush()
    return out


def _job_chars(job: _FileJob) -> int:
    if job.text is not None:
        return len(job.text)
    if job.source is not None:
        return 0  # counted as its blocks arrive
    return job.path.stat().st_size if job.path else 0


def _part_chars(part: str | list[Block]) -> int:
    return len(part) if isinstance(part, str) else sum(len(block.paragraph.text) for block in part)


@dataclass
class _Output:
    """One job's output while its parts arrive: the open temp file (or the kept text), segments and summed counts.

    The output is a temp file beside the target until :meth:`finish` renames it; an error or an interrupt before
    that unwinds the run's exit stack, which deletes it — no partial output, ever."""

    job: _FileJob
    first: Any  # the first part's TranslationResult: model id, glossary digest, notice
    handle: Any = None
    closer: contextlib.ExitStack | None = None
    texts: list[str] = field(default_factory=list)
    segments: list[Any] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)
    terms: dict[str, int] = field(default_factory=dict)

    @classmethod
    def open(cls, stack: contextlib.ExitStack, job: _FileJob, first: Any) -> _Output:
        from glossator.common.fileio import atomic_open

        output = cls(job, first)
        if job.target is not None and job.source is None:  # a structured document is written whole at the end
            try:
                job.target.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise OutputError(
                    f"{job.target.parent}: cannot create the output folder: {exc.strerror or exc}."
                ) from exc
            output.closer = stack.enter_context(contextlib.ExitStack())
            output.handle = output.closer.enter_context(atomic_open(job.target, "w"))
        return output

    def add(self, result: Any, keep: bool) -> None:
        """Fold one translated part in: text to the open file (or kept), segments kept if asked, counts summed."""
        if self.handle is not None:
            self.handle.write(result.text)
        if keep or (self.handle is None and self.job.source is None):  # a document's English is in its file
            self.texts.append(result.text)
        if keep:
            self.segments.extend(result.segments)
        for key, value in result.stats.items():
            if isinstance(value, int | float) and not isinstance(value, bool):
                self.stats[key] = self.stats.get(key, 0) + value
        for key, count in result.term_counts().items():
            self.terms[key] = self.terms.get(key, 0) + count

    def finish(self, warnings: tuple[str, ...]) -> Translation:
        """Close (rename into place) the output and make the job's :class:`Translation`."""
        if self.closer is not None:
            self.closer.close()
        if self.job.source is not None and self.job.target is not None:
            from glossator.common.fileio import atomic_open

            data = self.job.source.dump()
            try:
                self.job.target.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise OutputError(
                    f"{self.job.target.parent}: cannot create the output folder: {exc.strerror or exc}."
                ) from exc
            with atomic_open(self.job.target, "wb") as handle:
                handle.write(data)
            warnings = (*warnings, *(f"{self.job.name}: {w}" for w in self.job.source.warnings))
        return Translation(
            text="".join(self.texts),
            segments=tuple(self.segments),
            model_id=self.first.model_id,
            glossary_digest=self.first.glossary_digest,
            name=self.job.name,
            output=self.job.target,
            warnings=warnings,
            stats={k: (round(v, 3) if isinstance(v, float) else v) for k, v in self.stats.items()},
            model_warning=self.first.notice,
            counts=dict(self.terms),
        )


@dataclass(frozen=True)
class MemoryImport:
    """What :func:`import_tmx` did: units read, pairs imported (new or replacing an entry for the same German),
    and each skipped unit and repeated German text with its ``file:line``."""

    tmx: Path
    memory: Path
    units: int
    new: int
    updated: int
    skipped: tuple[str, ...] = ()
    duplicates: tuple[str, ...] = ()

    @property
    def imported(self) -> int:
        return self.new + self.updated

    def to_dict(self) -> dict[str, Any]:
        return {
            "tmx": str(self.tmx),
            "memory": str(self.memory),
            "units": self.units,
            "imported": self.imported,
            "new": self.new,
            "updated": self.updated,
            "skipped": list(self.skipped),
            "duplicates": list(self.duplicates),
        }


@dataclass(frozen=True)
class MemoryExport:
    output: Path
    memory: Path
    human: int
    machine: int

    def to_dict(self) -> dict[str, Any]:
        return {"output": str(self.output), "memory": str(self.memory), "human": self.human, "machine": self.machine}


def _memory_path(memory: str | Path | None, settings: Settings | None) -> Path:
    return Path(memory) if memory is not None else (settings or Settings.from_env()).cache_path


def import_tmx(tmx: str | Path, *, memory: str | Path | None = None, settings: Settings | None = None) -> MemoryImport:
    """Load the German→English human translations of a TMX file into the translation memory (*memory*: another
    file than the settings' one), in one transaction; they then take precedence over machine output.

    Raises ``InputFileError``/``InputError`` for an unusable TMX (nothing imported), ``BusyError`` when another
    process holds the memory and ``OutputError`` when it cannot be written (the memory is unchanged)."""
    from glossator.translate.cache import TranslationMemory
    from glossator.translate.tmx import read_tmx

    path = _memory_path(memory, settings)
    read = read_tmx(tmx)
    store = TranslationMemory(path)
    try:
        counts = store.import_human(read.entries)
    finally:
        store.close()
    return MemoryImport(
        Path(tmx), path, read.units, counts.new, counts.updated, tuple(read.skipped), tuple(read.duplicates)
    )


def export_tmx(
    output: str | Path,
    *,
    memory: str | Path | None = None,
    settings: Settings | None = None,
    include_machine: bool = False,
    force: bool = False,
) -> MemoryExport:
    """Write the translation memory's human entries (and, with *include_machine*, its machine translations,
    marked ``x-glossator-method=machine``) as TMX 1.4b to *output*, atomically. An existing *output* needs
    *force*; the memory file itself is never overwritten."""
    import os

    from glossator.common.errors import OutputError
    from glossator.common.fileio import atomic_open, is_special_file
    from glossator.common.version import version
    from glossator.translate.cache import TranslationMemory
    from glossator.translate.tmx import write_tmx

    path = _memory_path(memory, settings)
    target = Path(output)
    if target.exists() and path.exists() and os.path.samefile(target, path):
        raise OutputError(f"{target}: is the translation memory itself. Choose another -o.")
    if target.exists() and not force and not is_special_file(target):
        raise OutputError(f"{target}: output exists. Pass --force to overwrite it.")
    store = TranslationMemory(path)
    try:
        human = list(store.iter_human())
        machine = list(store.iter_machine()) if include_machine else []
    finally:
        store.close()
    with atomic_open(target, "w") as handle:
        written = write_tmx(handle, human, machine, tool_version=version())
    return MemoryExport(target, path, written.human, written.machine)


def score(
    hypotheses: Sequence[str],
    references: Sequence[Sequence[str]],
    *,
    sources: Sequence[str] | None = None,
    glossary: GlossaryArg = None,
    sentence: bool = False,
    bootstrap: int = 1000,
) -> ScoreReport:
    """BLEU, chrF++ and TER (sacrebleu, with signatures and 95% intervals) of *hypotheses* against one or more
    reference streams, plus term accuracy when *sources* and *glossary* are given."""
    from glossator.quality.scoring import score as _score

    terms = _glossary(glossary) if glossary is not None else None
    return _score(hypotheses, references, sources=sources, glossary=terms, sentence=sentence, bootstrap=bootstrap)


def check(
    source: str | Path, translation: str | Path, glossary: GlossaryArg, *, encoding: str = "utf-8"
) -> CheckReport:
    """Check a finished English *translation* file against the glossary terms of its German *source* file."""
    from glossator.quality.termcheck import check_files

    terms = _glossary(glossary)
    if not len(terms):
        raise UsageError("check needs a glossary with at least one entry.")
    return check_files(Path(source), Path(translation), terms, encoding=encoding)
