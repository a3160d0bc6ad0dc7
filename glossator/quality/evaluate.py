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

from glossator.common.errors import CorpusError
from glossator.common.fileio import read_text
from glossator.common.settings import Settings
from glossator.quality.scoring import Statistics

SCHEMA_VERSION = 1
# Term verdicts that count as violations (--max-violations, JUnit failures, the reports' red rows): a target
# missing, a forbidden rendering, or a sentence enforcement could not keep intact.
VIOLATIONS = ("damaged", "missing", "forbidden")


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
    from glossator.common.yamlio import load_yaml

    text = read_text(path, what="manifest")
    data, _ = load_yaml(text, str(path), CorpusError, " in manifest")
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
    from glossator.quality.scoring import paragraphs

    units = text.splitlines() if align == "lines" else paragraphs(text)
    return units[:limit] if limit else units


def evaluate(manifest_path: Path, settings: Settings, *, engine: Any = None, bootstrap: int = 1000) -> dict[str, Any]:
    """Translate, score and term-check every document; returns the report dict (see module doc)."""
    from glossator.common.version import version as _version
    from glossator.quality.scoring import score
    from glossator.translate.pipeline import DocumentInput, translate_documents

    manifest = load_manifest(manifest_path)
    glossary = None
    if manifest.glossary is not None:
        from glossator.glossary.io import load_glossary

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
        # One pipeline input per unit (line or paragraph): each unit's sentences and term checks are its own,
        # with no searching for where a sentence belongs afterwards.
        inputs += [DocumentInput(f"{doc.id}#{n}", unit + "\n", "txt") for n, unit in enumerate(source_units, 1)]
    warnings: list[str] = []
    unit_results = translate_documents(inputs, settings, glossary=glossary, engine=engine, warnings=warnings)

    documents: list[dict[str, Any]] = []
    all_hyp: list[str] = []
    all_src: list[str] = []
    all_matches: list[Any] = []
    all_stats: list[Statistics] = []
    all_damaged = 0
    matcher = None
    if glossary is not None:
        from glossator.glossary.match import TermMatcher

        matcher = TermMatcher(glossary)
    offset = 0
    for doc, src_units, ref_units, ids in zip(manifest.documents, sources, refs, docids, strict=True):
        results = unit_results[offset : offset + len(src_units)]
        offset += len(src_units)
        hyps = [" ".join(result.text.split()) for result in results]
        # Each unit is matched once; scoring, term accuracy and the rows reuse these matches.
        unit_matches = [matcher.find(s) for s in src_units] if matcher is not None else None
        report = score(
            hyps,
            ref_units,
            sources=src_units,
            glossary=glossary,
            bootstrap=bootstrap,
            sentence=True,
            term_matches=unit_matches,
        )
        counts = {"ok": 0, "enforced": 0, "damaged": 0, "missing": 0, "forbidden": 0}
        for result in results:
            for key, value in result.term_counts().items():
                counts[key] = counts.get(key, 0) + value
        rows: list[dict[str, Any]] = [
            {
                "source": s,
                "output": h,
                "references": [r[i] for r in ref_units],
                "scores": report.sentences[i],
                "terms": segment_terms(unit_matches[i], h, *_by_status(results[i])) if unit_matches is not None else [],
                **({"docid": ids[i]} if ids else {}),
            }
            for i, (s, h) in enumerate(zip(src_units, hyps, strict=True))
        ]
        if unit_matches is not None:
            all_matches += unit_matches
        scores = report.to_dict()
        scores.pop("sentences", None)  # kept per row instead
        damaged = sum(t["status"] == "damaged" for row in rows for t in row["terms"])
        all_damaged += damaged
        if scores.get("term_accuracy") is not None:  # the text has the term, but the sentence around it is broken
            acc = scores["term_accuracy"]
            scores["term_accuracy"] = {**acc, "damaged": damaged, "violations": acc["violations"] + damaged}
        documents.append(
            {
                "id": doc.id,
                "source": str(doc.source),
                "references": [str(r) for r in doc.references],
                "segments": len(hyps),
                "scores": scores,
                "terms": counts,
                # Term occurrences not ok in the output as checked per unit (the rows), as --max-violations counts.
                "violations": sum(t["status"] in VIOLATIONS for row in rows for t in row["terms"]),
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
        from glossator.quality.scoring import ScoreReport, join_statistics, score_statistics

        accuracy = None
        if glossary is not None:
            from glossator.glossary.check import term_accuracy

            accuracy = term_accuracy(all_src, all_hyp, matcher or glossary, matches=all_matches).to_dict()
            accuracy = {**accuracy, "damaged": all_damaged, "violations": accuracy["violations"] + all_damaged}
        metrics = score_statistics(join_statistics(all_stats), bootstrap)
        corpus = ScoreReport(metrics, len(all_hyp), term_accuracy=accuracy).to_dict()
    return {
        "schema_version": SCHEMA_VERSION,
        "glossator_version": _version(),
        "created": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "manifest": str(manifest_path),
        "model": unit_results[0].model_id if unit_results else None,
        "model_warning": unit_results[0].notice if unit_results else None,
        "warnings": warnings,
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


def _by_status(result: Any) -> tuple[set[tuple[str, str]], dict[tuple[str, str], tuple[str, ...]]]:
    """The (term, surface) pairs the pipeline had to enforce in one unit's sentences, and those it reported
    damaged (with what broke)."""
    enforced: set[tuple[str, str]] = set()
    damaged: dict[tuple[str, str], tuple[str, ...]] = {}
    for seg in result.segments:
        for c in seg.checks:
            if c.status == "enforced":
                enforced.add((c.match.term.source, c.match.surface))
            elif c.status == "damaged":
                damaged[(c.match.term.source, c.match.surface)] = c.damage
    return enforced, damaged


def segment_terms(
    matches: Any,
    output: str,
    enforced: set[tuple[str, str]] | None = None,
    damaged: dict[tuple[str, str], tuple[str, ...]] | None = None,
) -> list[dict[str, Any]]:
    """Term verdicts of one segment for the report: source span, status, and where the output shows it.

    *matches* are the segment's term matches (``TermMatcher.find`` of its German). A term present in the output
    is ``"damaged"`` when its (source, surface) is in *damaged* (enforcement could not keep the sentence intact;
    the value says what broke), ``"enforced"`` when it is in *enforced* (the pipeline had to force it), else
    ``"ok"``. ``output_spans`` are ``[start, end, kind]`` with kind ``"term"`` or ``"forbidden"``: the spans the
    one phrase matcher found (whole words, the term's case rule), so a report highlights exactly what was checked.
    """
    from glossator.glossary.check import check_segment

    verdicts = []
    for check in check_segment(matches, output):
        status = check.status
        damage: tuple[str, ...] = ()
        key = (check.match.term.source, check.match.surface)
        if status == "ok" and key in (damaged or {}):
            status, damage = "damaged", (damaged or {})[key]
        elif status == "ok" and key in (enforced or set()):
            status = "enforced"
        spans: list[list[Any]] = []
        if check.target_span is not None:
            spans.append([*check.target_span, "term"])
        spans += [[a, b, "forbidden"] for a, b in check.forbidden_spans]
        verdicts.append({**check.to_dict(), "status": status, "damage": list(damage), "output_spans": spans})
    return verdicts


def by_docid(rows: list[dict[str, Any]], statistics: Any) -> list[dict[str, Any]]:
    """Scores per WMT document id (in first-seen order): segments, BLEU, chrF++, TER and term violations.

    *statistics* are the document's sacrebleu segment statistics (aligned with *rows*); each group is scored
    from its rows' statistics, without tokenizing again.
    """
    from glossator.quality.scoring import score_statistics, select_statistics

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
                "violations": sum(t["status"] in VIOLATIONS for i in members for t in rows[i]["terms"]),
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
    from glossator.common.errors import InputError
    from glossator.quality.scoring import compare

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
