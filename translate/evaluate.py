"""``glossator evaluate``: translate every document of a corpus manifest, score it, check its terms.

Manifest (YAML, version 1; paths relative to the manifest)::

    version: 1
    glossary: glossary.yaml            # optional
    documents:
      - id: iraq-troops
        source: iraq-troops.de.txt
        references: [iraq-troops.en.txt, iraq-troops.refB.en.txt]
        align: paragraphs              # or lines (WMT files); default paragraphs
        limit: 200                     # optional: first N segments
        docids: newstest2020.de-en.docids   # optional, per-line document ids (lines only)

The report is a plain dict with ``schema_version`` so CI can keep it and compare a later run against it
(``--baseline``) with sacrebleu's paired bootstrap resampling.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from glossary.fileio import read_text
from translate.errors import CorpusError
from translate.scoring import Statistics
from translate.settings import Settings

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class ManifestDocument:
    id: str
    source: Path
    references: tuple[Path, ...]
    align: str = "paragraphs"
    limit: int | None = None
    docids: Path | None = None


@dataclass(frozen=True)
class Manifest:
    path: Path
    documents: tuple[ManifestDocument, ...]
    glossary: Path | None = None


def load_manifest(path: Path) -> Manifest:
    import yaml

    text = read_text(path, what="manifest")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise CorpusError(f"{where}: invalid YAML in manifest. Fix the syntax there.") from None
    if not isinstance(data, dict) or not isinstance(data.get("documents"), list) or not data["documents"]:
        raise CorpusError(f"{path}: a manifest needs 'version: 1' and a non-empty 'documents' list.")
    if data.get("version", 1) != 1:
        raise CorpusError(f"{path}: manifest version {data.get('version')!r} is not supported; use 1.")
    base = path.parent

    def existing(value: Any, where: str) -> Path:
        if not isinstance(value, str) or not value:
            raise CorpusError(f"{path}: {where} must be a file path.")
        file = base / value
        if not file.is_file():
            raise CorpusError(f"{path}: {where} names a missing file {file}. Fix the path in the manifest.")
        return file

    documents: list[ManifestDocument] = []
    for i, entry in enumerate(data["documents"]):
        if not isinstance(entry, dict) or "id" not in entry:
            raise CorpusError(f"{path}: document {i + 1} needs an 'id'.")
        where = f"document {entry['id']!r}"
        refs = entry.get("references") or []
        if not isinstance(refs, list) or not refs:
            raise CorpusError(f"{path}: {where} needs at least one reference.")
        align = entry.get("align", "paragraphs")
        if align not in ("paragraphs", "lines"):
            raise CorpusError(f"{path}: {where}: align must be 'paragraphs' or 'lines'.")
        documents.append(
            ManifestDocument(
                id=str(entry["id"]),
                source=existing(entry.get("source"), f"{where} source"),
                references=tuple(existing(r, f"{where} reference") for r in refs),
                align=align,
                limit=entry.get("limit"),
                docids=existing(entry["docids"], f"{where} docids") if entry.get("docids") else None,
            )
        )
    glossary = existing(data["glossary"], "glossary") if data.get("glossary") else None
    return Manifest(path, tuple(documents), glossary)


def _units(text: str, align: str, limit: int | None) -> list[str]:
    from translate.scoring import paragraphs

    units = text.splitlines() if align == "lines" else paragraphs(text)
    return units[:limit] if limit else units


def evaluate(manifest_path: Path, settings: Settings, *, engine: Any = None, bootstrap: int = 1000) -> dict[str, Any]:
    """Translate, score and term-check every document; returns the report dict (see module doc)."""
    from translate import __version__
    from translate.pipeline import DocumentInput, translate_documents
    from translate.scoring import score

    manifest = load_manifest(manifest_path)
    glossary = None
    if manifest.glossary is not None:
        from glossary.io import load_glossary

        glossary = load_glossary(manifest.glossary)
    inputs, refs, sources, docids = [], [], [], []
    for doc in manifest.documents:
        source_units = _units(read_text(doc.source, what="source"), doc.align, doc.limit)
        docids.append(_docids(manifest_path, doc, len(source_units)))
        ref_units = [_units(read_text(r, what="reference"), doc.align, doc.limit) for r in doc.references]
        for ref, units in zip(doc.references, ref_units, strict=True):
            if len(units) != len(source_units):
                raise CorpusError(
                    f"{manifest_path}: document {doc.id!r}: {ref} has {len(units)} {doc.align} but "
                    f"{doc.source} has {len(source_units)}. Align them."
                )
        sources.append(source_units)
        refs.append(ref_units)
        inputs.append(DocumentInput(doc.id, "\n\n".join(source_units) + "\n", "txt"))
    results = translate_documents(inputs, settings, glossary=glossary, engine=engine)

    documents: list[dict[str, Any]] = []
    all_hyp: list[str] = []
    all_src: list[str] = []
    all_stats: list[Statistics] = []
    matcher = None
    if glossary is not None:
        from glossary.match import TermMatcher

        matcher = TermMatcher(glossary)
    for doc, result, src_units, ref_units, ids in zip(manifest.documents, results, sources, refs, docids, strict=True):
        hyps = _units(result.text, "paragraphs", None)
        report = score(hyps, ref_units, sources=src_units, glossary=glossary, bootstrap=bootstrap, sentence=True)
        counts = result.term_counts()
        enforced = _enforced_per_unit(src_units, result.segments)
        rows = [
            {
                "source": s,
                "output": h,
                "references": [r[i] for r in ref_units],
                "scores": report.sentences[i],
                "terms": segment_terms(matcher, s, h, enforced[i]) if matcher is not None else [],
                **({"docid": ids[i]} if ids else {}),
            }
            for i, (s, h) in enumerate(zip(src_units, hyps, strict=True))
        ]
        scores = report.to_dict()
        scores.pop("sentences", None)  # kept per row instead
        documents.append(
            {
                "id": doc.id,
                "source": str(doc.source),
                "references": [str(r) for r in doc.references],
                "segments": len(hyps),
                "scores": scores,
                "terms": counts,
                "violations": counts["missing"] + counts["forbidden"],
                "hypotheses": hyps,
                "rows": rows,
                **({"by_docid": by_docid(rows, report.statistics)} if ids else {}),
            }
        )
        all_hyp += hyps
        all_src += src_units
        assert report.statistics is not None
        all_stats.append(report.statistics)
    corpus = None
    if len({len(d["references"]) for d in documents}) == 1:  # one set of reference streams for all
        from translate.scoring import ScoreReport, join_statistics, score_statistics

        accuracy = None
        if glossary is not None:
            from glossary.check import term_accuracy

            accuracy = term_accuracy(all_src, all_hyp, matcher or glossary).to_dict()
        metrics = score_statistics(join_statistics(all_stats), bootstrap)
        corpus = ScoreReport(metrics, len(all_hyp), term_accuracy=accuracy).to_dict()
    return {
        "schema_version": SCHEMA_VERSION,
        "glossator_version": __version__,
        "created": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "manifest": str(manifest_path),
        "model": results[0].model_id if results else None,
        "glossary": str(manifest.glossary) if manifest.glossary else None,
        "glossary_digest": glossary.digest() if glossary is not None else None,
        "corpus": corpus,
        "documents": documents,
    }


def _docids(manifest_path: Path, doc: ManifestDocument, count: int) -> list[str]:
    """The per-line WMT document ids of *doc* (empty without a docids file); their count must match."""
    if doc.docids is None:
        return []
    if doc.align != "lines":
        raise CorpusError(
            f"{manifest_path}: document {doc.id!r}: docids need 'align: lines'. Add it to the document, or drop docids."
        )
    ids = read_text(doc.docids, what="docids").splitlines()[: doc.limit or None]
    if len(ids) != count:
        raise CorpusError(
            f"{manifest_path}: document {doc.id!r}: {doc.docids} has {len(ids)} lines but {doc.source} has "
            f"{count}. Use the docids file of the same test set."
        )
    return [i.strip() for i in ids]


def _enforced_per_unit(units: list[str], segments: Any) -> list[set[tuple[str, str]]]:
    """For each unit (paragraph or line), the (term, surface) pairs the pipeline had to enforce in it.

    The pipeline's segments are sentences in document order; each belongs to the first unit at or after the
    current one that contains it.
    """
    enforced: list[set[tuple[str, str]]] = [set() for _ in units]
    unit = 0
    for segment in segments:
        while unit < len(units) - 1 and segment.source.strip() not in units[unit]:
            unit += 1
        for check in segment.checks:
            if check.get("status") == "enforced":
                enforced[unit].add((check["source"], check["surface"]))
    return enforced


def segment_terms(
    matcher: Any, source: str, output: str, enforced: set[tuple[str, str]] | None = None
) -> list[dict[str, Any]]:
    """Term verdicts of one segment for the report: source span, status, and where the output shows it.

    A term present in the output is ``"enforced"`` when its (source, surface) is in *enforced* (the pipeline
    had to force it), else ``"ok"``. ``output_spans`` are ``[start, end, kind]`` with kind ``"term"`` (the
    target as found) or ``"forbidden"``, so a report can highlight both sides without searching again.
    """
    import re

    from glossary.check import check_segment

    verdicts = []
    taken: list[tuple[int, int]] = []  # a term found twice must point at two places in the output
    for check in check_segment(matcher.find(source), output):
        status = check.status
        if status == "ok" and (check.match.term.source, check.match.surface) in (enforced or set()):
            status = "enforced"
        spans = []
        for text, kind in [(check.found, "term"), *((f, "forbidden") for f in check.forbidden_found)]:
            for hit in re.finditer(re.escape(text), output, re.IGNORECASE) if text else ():
                if all(hit.end() <= a or hit.start() >= b for a, b in taken):
                    taken.append(hit.span())
                    spans.append([hit.start(), hit.end(), kind])
                    break
        verdicts.append({**check.to_dict(), "status": status, "output_spans": spans})
    return verdicts


def by_docid(rows: list[dict[str, Any]], statistics: Any) -> list[dict[str, Any]]:
    """Scores per WMT document id (in first-seen order): segments, BLEU, chrF++, TER and term violations.

    *statistics* are the document's sacrebleu segment statistics (aligned with *rows*); each group is scored
    from its rows' statistics, without tokenizing again.
    """
    from translate.scoring import score_statistics, select_statistics

    groups: dict[str, list[int]] = {}
    for i, row in enumerate(rows):
        groups.setdefault(row["docid"], []).append(i)
    out = []
    for docid, members in groups.items():
        metrics = score_statistics(select_statistics(statistics, members), bootstrap=0)
        out.append(
            {
                "docid": docid,
                "segments": len(members),
                **{m.name: round(m.score, 2) for m in metrics},
                "violations": sum(t["status"] in ("missing", "forbidden") for i in members for t in rows[i]["terms"]),
            }
        )
    return out


def load_report(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(read_text(path, what="baseline report"))
    except json.JSONDecodeError as exc:
        raise CorpusError(f"{path}: not a JSON report ({exc.msg} at line {exc.lineno}).") from None
    version = data.get("schema_version") if isinstance(data, dict) else None
    if version != SCHEMA_VERSION:
        raise CorpusError(
            f"{path}: report schema version {version!r}, this Glossator reads {SCHEMA_VERSION}. "
            "Re-create the baseline with this version: glossator evaluate --format json."
        )
    return data


def compare_to_baseline(report: dict[str, Any], baseline: dict[str, Any], samples: int = 1000) -> list[dict[str, Any]]:
    """Paired bootstrap per document present in both reports; each row says whether the drop is significant."""
    from translate.errors import InputError
    from translate.scoring import compare

    base_docs = {d["id"]: d for d in baseline["documents"]}
    rows = []
    for doc in report["documents"]:
        base = base_docs.get(doc["id"])
        if base is None:
            continue
        if len(base["hypotheses"]) != len(doc["hypotheses"]):
            raise InputError(f"baseline document {doc['id']!r} has a different number of segments; re-create it.")
        refs = [[row["references"][i] for row in doc["rows"]] for i in range(len(doc["rows"][0]["references"]))]
        for comparison in compare(base["hypotheses"], doc["hypotheses"], refs, samples=samples):
            rows.append({"document": doc["id"], **comparison.to_dict()})
    return rows
