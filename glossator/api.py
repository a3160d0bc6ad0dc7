"""Glossator's Python API: what ``import glossator`` offers and what the command line calls.

    >>> import glossator
    >>> with glossator.Translator(glossary="corpus/glossary.yaml") as translator:
    ...     result = translator.translate("Der Strategische Dialog beginnt.")
    >>> result.text, [c.status for s in result.segments for c in s.checks]

A :class:`Translator` loads the engine, the glossary's matcher and the translation memory once and reuses them
for every call. Errors are typed (:mod:`glossator.common.errors`); nothing here prints or exits.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from glossator.common.errors import UsageError
from glossator.common.settings import Settings
from glossator.glossary.model import Glossary

if TYPE_CHECKING:
    from glossator.glossary.check import TermCheck
    from glossator.quality.scoring import ScoreReport
    from glossator.quality.termcheck import CheckReport
    from glossator.translate.engine import Engine
    from glossator.translate.pipeline import SegmentResult, TranslationResult

__all__ = ["Translation", "Translator", "check", "load_glossary", "score"]

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

    @property
    def checks(self) -> list[TermCheck]:
        return [check for segment in self.segments for check in segment.checks]

    def term_counts(self) -> dict[str, int]:
        counts = {"ok": 0, "enforced": 0, "missing": 0, "forbidden": 0}
        for check in self.checks:
            counts[check.status] = counts.get(check.status, 0) + 1
        return counts

    @property
    def violations(self) -> int:
        counts = self.term_counts()
        return counts["missing"] + counts["forbidden"]

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
    """Load and merge glossary files (YAML, TSV/CSV, TBX); later files win. ``load_glossary()`` is empty."""
    from glossator.glossary.io import load_glossaries

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
    translation memory. Use as a context manager, or call :meth:`close`, to close the memory.
    """

    def __init__(
        self,
        model: str | Path | None = None,
        glossary: GlossaryArg = None,
        settings: Settings | None = None,
        *,
        use_memory: bool | None = None,
        engine: Engine | None = None,
    ) -> None:
        from glossator.translate.cache import TranslationMemory

        settings = settings or Settings.from_env()
        if model is not None:
            settings = settings.with_(model=str(model))
        if use_memory is not None:
            settings = settings.with_(use_cache=use_memory)
        self.settings = settings
        self.glossary = _glossary(glossary)
        # Files this translator reads: never an output, with or without force.
        self._glossary_paths = [Path(p) for p in _glossary_paths(glossary)]
        # The package is chosen on first use, so input and output problems are reported before a missing model.
        self._engine: Engine | None = engine
        self._matcher = None
        if len(self.glossary):
            from glossator.glossary.match import TermMatcher

            self._matcher = TermMatcher(self.glossary)
        self._memory = TranslationMemory(settings.cache_path) if settings.use_cache else None

    @property
    def engine(self) -> Engine:
        """The engine for ``settings.model`` (loaded on first use; raises ``ModelNotInstalledError`` without one)."""
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
    ) -> list[Translation]:
        """Translate files, directories (their .txt/.md files) or glob patterns; ``-`` reads *stdin*.

        *output*: a file for one input, a directory for several, ``-`` (or None with stdin) for no file: the text
        is only returned. Outputs are checked before anything is translated (an existing one needs *force*; an
        input or a glossary is never overwritten) and written atomically afterwards.
        """
        from glossator.common.fileio import atomic_write_text, decode_text, read_text
        from glossator.translate.documents import FORMATS, format_for_path
        from glossator.translate.files import expand_inputs, plan_outputs
        from glossator.translate.pipeline import DocumentInput

        if fmt is not None and fmt not in FORMATS:
            raise UsageError(f"--format {fmt}: use one of {', '.join(FORMATS)}.")
        paths = expand_inputs(inputs)
        targets = plan_outputs(paths, output, force, protected=self._glossary_paths)
        if fmt is None:
            for path in paths:
                if path is not None:
                    format_for_path(path)
        documents = []
        for path in paths:
            if path is None:
                stream = stdin if stdin is not None else sys.stdin.buffer
                text = decode_text(stream.read(), "<stdin>", encoding=encoding)
                documents.append(DocumentInput("<stdin>", text, fmt or "txt"))
            else:
                kind = fmt or format_for_path(path)  # an unknown format is refused before reading or translating
                documents.append(DocumentInput(str(path), read_text(path, encoding=encoding), kind))
        results, warnings = self._run(documents, progress)
        out = []
        for result, target in zip(results, targets, strict=True):
            if target is not None:
                target.parent.mkdir(parents=True, exist_ok=True)
                atomic_write_text(target, result.text)
            out.append(Translation._from_result(result, warnings, target))
        return out


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
