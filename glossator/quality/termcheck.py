"""``glossary check``'s logic: a finished translation checked against the glossary, segment by segment.

Files are aligned by :func:`glossator.quality.scoring.read_aligned` (the one alignment rule: lines when the line
counts agree, else blank-line paragraphs), matched once, and checked with the one phrase matcher.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from glossator.glossary.check import SegmentCheck, TermCheck, check_documents
from glossator.glossary.model import Glossary
from glossator.quality.scoring import read_aligned


@dataclass(frozen=True)
class CheckReport:
    """The verdicts on one translation: a :class:`SegmentCheck` per aligned segment (line numbers into both
    files), the alignment used, and counts."""

    source: Path
    translation: Path
    alignment: str  # "lines" or "paragraphs"
    glossary_digest: str
    segments: tuple[SegmentCheck, ...]

    @property
    def checks(self) -> list[TermCheck]:
        return [check for segment in self.segments for check in segment.checks]

    @property
    def missing(self) -> int:
        return sum(check.status == "missing" for check in self.checks)

    @property
    def forbidden(self) -> int:
        return sum(check.status == "forbidden" for check in self.checks)

    @property
    def violations(self) -> int:
        """Occurrences not ok: missing, forbidden (and ``damaged``, which only enforcement reports)."""
        return sum(not check.ok for check in self.checks)

    def summary(self) -> dict[str, int]:
        occurrences = len(self.checks)
        return {
            "segments": len(self.segments),
            "segments_with_terms": sum(bool(segment.checks) for segment in self.segments),
            "occurrences": occurrences,
            "ok": occurrences - self.violations,
            "missing": self.missing,
            "forbidden": self.forbidden,
        }

    def findings(self) -> list[str]:
        """``TRANSLATION:LINE: …`` lines, the form editors and CI annotations understand."""
        out = []
        for segment in self.segments:
            for check in segment.checks:
                where = f"{self.translation}:{segment.target_line}"
                origin = f'for "{check.match.surface}" ({self.source}:{segment.line})'
                if check.status == "missing":
                    out.append(f'{where}: missing "{check.match.english}" {origin}')
                for rendering in check.forbidden_found:
                    out.append(f'{where}: forbidden "{rendering}" {origin}; use "{check.match.english}"')
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": str(self.source),
            "translation": str(self.translation),
            "alignment": self.alignment,
            "glossary_digest": self.glossary_digest,
            "summary": self.summary(),
            "segments": [segment.to_dict() for segment in self.segments if segment.checks],
        }


def check_files(source: Path, translation: Path, glossary: Glossary, *, encoding: str = "utf-8") -> CheckReport:
    """Check *translation* (English) against the glossary terms found in *source* (German)."""
    aligned = read_aligned(
        Path(translation),
        [],
        src_path=Path(source),
        encoding=encoding,
        hyp_what="translation file",
        src_what="source file",
    )
    assert aligned.sources is not None
    results = check_documents(
        aligned.sources,
        aligned.hypotheses,
        glossary,
        lines=aligned.lines[-1],
        target_lines=aligned.lines[0],
    )
    alignment = "lines" if aligned.unit == "line" else "paragraphs"
    return CheckReport(Path(source), Path(translation), alignment, glossary.digest(), tuple(results))
