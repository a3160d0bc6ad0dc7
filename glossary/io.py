"""Reading and writing glossary files: versioned YAML (ours) and DeepL-style two-column TSV/CSV.

YAML is parsed with PyYAML's SafeLoader through its node API, so every entry knows its line for messages
and custom tags such as ``!!python/object`` are refused. Unknown fields are kept in ``Term.extra`` (a
round trip loses nothing) and reported in ``Glossary.extra["warnings"]``.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from glossator.common.errors import GlossaryError
from glossator.common.fileio import atomic_write_text, read_text
from glossator.glossary.model import FORMAT_VERSION, STATUSES, Glossary, Term, refuse_control_characters

_LIST_FIELDS = ("variants", "target_variants", "forbidden", "tags")
_BOOL_FIELDS = ("case_sensitive", "do_not_translate")
_TEXT_FIELDS = ("target_plural", "status", "note", "domain")
KNOWN_FIELDS = ("source", "target", *_LIST_FIELDS, *_BOOL_FIELDS, *_TEXT_FIELDS)


SUFFIXES = (".yaml", ".yml", ".tsv", ".csv", ".tbx")
SUFFIX_HINT = "Use .yaml, .tsv, .csv or .tbx"


def load_glossary(path: str | Path, *, allow_duplicates: bool = False, strict: bool = False) -> Glossary:
    """Read one glossary; the format comes from the extension (.yaml/.yml, .tsv, .csv, .tbx/.tbx.xml).

    Two entries with the same source term are an error in our own formats unless *allow_duplicates* (``glossary
    lint`` reads that way so it can report every duplicate, not just the first). Files from other tools (TBX term
    bases, DeepL/Google tables) are imported leniently — unusable entries skipped, repeated terms merged, each
    listed in ``extra["warnings"]`` — unless *strict*, which makes the first such entry an error.
    """
    from glossator.glossary.tbx import is_tbx_path, load_tbx

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".tmx":
        raise GlossaryError(
            f"{path}: a TMX file is a translation memory, not a glossary. Load it with: glossator memory import {path}"
        )
    if suffix not in SUFFIXES and not is_tbx_path(path):
        raise GlossaryError(f"{path}: unknown glossary format {suffix or '(none)'!r}. {SUFFIX_HINT}.")
    if not path.is_file():
        raise GlossaryError(f"{path}: glossary file not found. Check the path.")
    if is_tbx_path(path):
        return load_tbx(path, allow_duplicates=allow_duplicates, strict=strict)
    text = read_text(path, what="glossary")
    refuse_control_characters(text, str(path))
    if suffix in (".yaml", ".yml"):
        return _parse_yaml(text, path, allow_duplicates)
    table = _parse_table(text, path, "\t" if suffix == ".tsv" else ",", allow_duplicates)
    if strict and table.extra.get("warnings"):
        raise GlossaryError(f"{table.extra['warnings'][0]} (--strict)")
    return table


def load_glossaries(paths: Sequence[str | Path]) -> Glossary:
    """Read several glossaries; for the same source term a later file takes precedence."""
    return Glossary.merge(load_glossary(p) for p in paths)


def _parse_yaml(text: str, path: Path, allow_duplicates: bool = False) -> Glossary:
    return _parse_yaml_node(text, path, allow_duplicates)[0]


def _parse_yaml_node(text: str, path: Path, allow_duplicates: bool = False) -> tuple[Glossary, Any]:
    """The glossary and the YAML node tree it came from (one parse; splice_yaml needs both)."""
    from glossator.common.yamlio import load_yaml

    data, root = load_yaml(text, str(path), GlossaryError)
    if data is None:
        return Glossary(name=path.name), root
    if not isinstance(data, dict) or not isinstance(data.get("terms", []), list):
        raise GlossaryError(f"{path}: expected a mapping with 'version' and a 'terms' list. See docs/architecture.md.")
    version = data.get("version", FORMAT_VERSION)
    if version != FORMAT_VERSION:
        raise GlossaryError(f"{path}: glossary format version {version!r} is not supported; this Glossator reads 1.")
    term_nodes: list[Any] = []
    for key_node, value_node in root.value if root is not None else []:
        if key_node.value == "terms":
            term_nodes = list(value_node.value)
    warnings: list[str] = []
    terms: list[Term] = []
    seen: dict[str, str] = {}
    for index, raw in enumerate(data.get("terms") or []):
        line = term_nodes[index].start_mark.line + 1 if index < len(term_nodes) else 0
        origin = f"{path}:{line}"
        if index < len(term_nodes):
            raw = _as_written(raw, term_nodes[index])
        term = _term_from_mapping(raw, origin, warnings)
        if term.key in seen and not allow_duplicates:
            raise GlossaryError(
                f"{origin}: duplicate entry {term.source!r} (first at {seen[term.key]}). Merge or remove one."
            )
        seen.setdefault(term.key, origin)
        terms.append(term)
    extra = {k: v for k, v in data.items() if k not in ("version", "terms", "source_language", "target_language")}
    if warnings:
        extra["warnings"] = warnings
    glossary = Glossary(
        terms=tuple(terms),
        source_language=str(data.get("source_language", "de")),
        target_language=str(data.get("target_language", "en")),
        name=path.name,
        extra=extra,
    )
    return glossary, root


def _as_written(raw: Any, node: Any) -> Any:
    """*raw* with the text fields as the user typed them: YAML 1.1 reads ``target: no`` as False and
    ``source: 123`` as 123, but a glossary term is always text."""
    import yaml

    if not isinstance(raw, dict) or not isinstance(node, yaml.MappingNode):
        return raw
    fixed = dict(raw)
    for key_node, value_node in node.value:
        key = key_node.value
        if key in ("source", "target", *_TEXT_FIELDS) and isinstance(value_node, yaml.ScalarNode):
            if isinstance(fixed.get(key), bool | int | float):
                fixed[key] = value_node.value
        elif key in _LIST_FIELDS and isinstance(value_node, yaml.SequenceNode):
            items = fixed.get(key)
            if isinstance(items, list) and len(items) == len(value_node.value):
                fixed[key] = [
                    item_node.value
                    if isinstance(item, bool | int | float) and isinstance(item_node, yaml.ScalarNode)
                    else item
                    for item, item_node in zip(items, value_node.value, strict=True)
                ]
    return fixed


def _term_from_mapping(raw: Any, origin: str, warnings: list[str]) -> Term:
    if not isinstance(raw, dict):
        raise GlossaryError(f"{origin}: an entry must be a mapping with 'source' and 'target'.")
    source = raw.get("source")
    if not isinstance(source, str) or not source.strip():
        raise GlossaryError(f"{origin}: entry has no source term. Add 'source: …'.")
    do_not_translate = bool(raw.get("do_not_translate", False))
    target = raw.get("target")
    if do_not_translate and target is None:
        target = source
    if not isinstance(target, str) or not target.strip():
        raise GlossaryError(f"{origin}: entry {source!r} has no target. Add 'target: …'.")
    fields: dict[str, Any] = {}
    for name in _LIST_FIELDS:
        value = raw.get(name, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise GlossaryError(f"{origin}: '{name}' of {source!r} must be a list of strings.")
        fields[name] = tuple(value)
    for name in _BOOL_FIELDS:
        value = raw.get(name, False)
        if not isinstance(value, bool):
            raise GlossaryError(f"{origin}: '{name}' of {source!r} must be true or false.")
        fields[name] = value
    for name in _TEXT_FIELDS:
        value = raw.get(name)
        if value is not None:
            fields[name] = str(value)
    if fields.get("status", "approved") not in STATUSES:
        raise GlossaryError(f"{origin}: status of {source!r} must be one of {', '.join(STATUSES)}.")
    unknown = {k: v for k, v in raw.items() if k not in KNOWN_FIELDS}
    for name in unknown:
        warnings.append(f"{origin}: unknown field {name!r} in {source!r} (kept as is)")
    return Term(source=source.strip(), target=target.strip(), extra=unknown, origin=origin, **fields)


_LANGUAGE = re.compile(r"^([a-z]{2}|deu|ger|eng)(?:[-_][a-z0-9]{2,8})?$")
_THREE_LETTER = {"deu": "de", "ger": "de", "eng": "en"}
# Columns of a term-set header besides the language codes (Google's and GlotPress's exports).
_TERM_SET_FIELDS = {"pos", "part of speech", "part_of_speech", "description", "note", "comment", "definition", ""}


def _language(cell: str) -> str | None:
    """``de``, ``de-DE``, ``de_AT``, ``deu`` → ``de``; anything else (``pos``, ``description``) → None."""
    match = _LANGUAGE.match(cell.strip().lower())
    return _THREE_LETTER.get(match.group(1), match.group(1)) if match else None


def _parse_table(text: str, path: Path, delimiter: str, allow_duplicates: bool = False) -> Glossary:
    """Our own table (a header naming ``source``, ``target`` and other fields), Google's "equivalent term sets"
    (a header of language codes, e.g. ``en,de,pos,description``), DeepL's ``source,target,src_lang,tgt_lang`` rows
    or DeepL's plain two columns. Every pair is oriented German→English from the language codes; rows in other
    languages are skipped with a warning. In the foreign forms a repeated German term is merged (its other
    English renderings become target variants) with a warning, as real glossaries repeat terms."""
    try:
        # newline="": the csv module reads quoted line breaks itself, and a lone "\r" is a line end, not an error.
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise GlossaryError(f"{path}: not a readable {delimiter!r}-separated table ({exc}). Check the file.") from None
    warnings: list[str] = []
    first = [c.strip().lower() for c in rows[0]] if rows else []
    if first and set(first) >= {"source", "target"}:
        return _parse_own_table(rows[1:], first, path, allow_duplicates)
    languages = [_language(c) for c in first]
    entries: list[tuple[str, dict[str, Any]]] = []  # (origin, raw mapping)
    header_like = all(lang is not None or name in _TERM_SET_FIELDS for lang, name in zip(languages, first, strict=True))
    if first and header_like and languages.count("de") == 1 and languages.count("en") == 1:
        de, en = languages.index("de"), languages.index("en")
        extra = {i: name for i, name in enumerate(first) if languages[i] is None}
        for number, row in enumerate(rows[1:], start=2):
            if not any(cell.strip() for cell in row):
                continue
            origin = f"{path}:{number}"
            cells = row + [""] * (len(first) - len(row))
            if not cells[de].strip() or not cells[en].strip():
                warnings.append(f"{origin}: skipped, no German or no English term")
                continue
            raw: dict[str, Any] = {"source": cells[de].strip(), "target": cells[en].strip()}
            for i, name in extra.items():
                value = cells[i].strip()
                if value and name in ("pos", "part of speech", "part_of_speech"):
                    raw["tags"] = [value]
                elif value and name in ("description", "note", "comment", "definition"):
                    raw["note"] = value
            entries.append((origin, raw))
    else:
        for number, row in enumerate(rows, start=1):
            if not any(cell.strip() for cell in row):
                continue
            origin = f"{path}:{number}"
            if len(row) < 2:
                raise GlossaryError(f"{origin}: expected 'source{delimiter!r}target', got {len(row)} column(s).")
            source, target = row[0], row[1]
            if len(row) >= 4 and _language(row[2]) and _language(row[3]):
                pair = (_language(row[2]), _language(row[3]))  # DeepL: source, target, source lang, target lang
                if pair == ("en", "de"):
                    source, target = target, source
                elif pair != ("de", "en"):
                    warnings.append(f"{origin}: skipped, {row[2]}→{row[3]} is not a German/English pair")
                    continue
            entries.append((origin, {"source": source, "target": target}))
    terms: list[Term] = []
    index: dict[str, int] = {}
    for origin, raw in entries:
        term = _term_from_mapping(raw, origin, warnings)
        if term.key in index:
            kept = terms[index[term.key]]
            if not allow_duplicates and term.target.casefold() != kept.target.casefold():
                variants = tuple(dict.fromkeys((*kept.target_variants, term.target)))
                terms[index[term.key]] = dataclasses.replace(kept, target_variants=variants)
                warnings.append(
                    f"{origin}: {term.source!r} repeats the entry at {kept.origin}; "
                    f"{term.target!r} kept as a target variant of {kept.target!r}"
                )
            elif not allow_duplicates:
                warnings.append(f"{origin}: {term.source!r} repeats the entry at {kept.origin}; skipped")
            else:
                terms.append(term)
            continue
        index[term.key] = len(terms)
        terms.append(term)
    return Glossary(terms=tuple(terms), name=path.name, extra={"warnings": warnings} if warnings else {})


def _parse_own_table(rows: list[list[str]], header: list[str], path: Path, allow_duplicates: bool) -> Glossary:
    terms: list[Term] = []
    seen: dict[str, str] = {}
    warnings: list[str] = []
    for number, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        origin = f"{path}:{number}"
        raw: dict[str, Any] = {}
        for name, cell in zip(header, row, strict=False):
            if name in _LIST_FIELDS:
                raw[name] = [v.strip() for v in cell.split("|") if v.strip()]
            elif name in _BOOL_FIELDS:
                raw[name] = cell.strip().lower() in ("true", "yes", "1")
            elif cell.strip():
                raw[name] = cell.strip()
        term = _term_from_mapping(raw, origin, warnings)
        if term.key in seen and not allow_duplicates:
            raise GlossaryError(f"{origin}: duplicate entry {term.source!r} (first at {seen[term.key]}).")
        seen.setdefault(term.key, origin)
        terms.append(term)
    return Glossary(terms=tuple(terms), name=path.name, extra={"warnings": warnings} if warnings else {})


def dump_yaml(glossary: Glossary) -> str:
    """Our YAML layout: header, then one block-style entry per term with a fixed key order."""
    import yaml

    data = {
        "version": FORMAT_VERSION,
        "source_language": glossary.source_language,
        "target_language": glossary.target_language,
        "terms": [t.to_dict() for t in glossary.terms],
    }
    return str(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False))


def save_glossary(glossary: Glossary, path: str | Path, *, keep_layout: bool = False, flavour: str = "own") -> None:
    """Write *glossary* atomically in the format of *path*'s extension.

    For .tsv/.csv, *flavour* ``own`` writes every field (lossless), ``deepl`` two columns without a header as
    DeepL's glossary upload takes them (one source once: DeepL refuses duplicates; tabs and newlines in a term are
    not allowed there, so such entries are refused), ``google`` a ``de,en`` header and one pair a row.

    With *keep_layout*, an existing YAML file is changed only where its entries differ from *glossary*
    (comments, key order and list style elsewhere stay as they are), when the entry count is unchanged.
    """
    from glossator.glossary.tbx import dump_tbx, is_tbx_path

    path = Path(path)
    if path.suffix.lower() in (".yaml", ".yml"):
        if keep_layout and path.is_file():
            spliced = splice_yaml(read_text(path, what="glossary"), path, glossary)
            if spliced is not None:
                atomic_write_text(path, spliced)
                return
        atomic_write_text(path, dump_yaml(glossary))
        return
    if is_tbx_path(path):
        atomic_write_text(path, dump_tbx(glossary))
        return
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    if flavour in ("deepl", "google"):
        if flavour == "google":
            writer.writerow(["de", "en"])
        for term in glossary.terms:
            for name, text in (("source", term.source), ("target", term.target)):
                if "\t" in text or "\n" in text or "\r" in text:
                    raise GlossaryError(
                        f"{term.origin or term.source}: the {name} {text!r} holds a tab or line break, "
                        f"which a {flavour} glossary cannot carry. Edit the entry."
                    )
            writer.writerow([term.source, term.target])
        atomic_write_text(path, out.getvalue())
        return
    writer.writerow(KNOWN_FIELDS)
    for term in glossary.terms:
        data = term.to_dict()
        writer.writerow(_cell(data.get(name)) for name in KNOWN_FIELDS)
    atomic_write_text(path, out.getvalue())


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "|".join(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def iter_warnings(glossary: Glossary) -> Iterable[str]:
    return list(glossary.extra.get("warnings", []))


# Layout-keeping YAML rewrite: only the entries that changed are re-rendered.


def splice_yaml(text: str, path: Path, glossary: Glossary) -> str | None:
    """*text* with only the entries that differ from *glossary* rewritten, or ``None`` if that is not possible.

    The new text is parsed again and must give exactly *glossary*'s terms; otherwise (unusual layouts such as
    a flow-style ``terms: [...]``) the caller writes the whole file instead.
    """
    try:
        current, root = _parse_yaml_node(text, path, allow_duplicates=True)
    except GlossaryError:
        return None
    items = _entry_nodes(root)
    if items is None or len(items) != len(current.terms) or not items:
        return None
    lines = text.splitlines(keepends=True)
    flow = _uses_flow_lists(items)

    def span(node: Any) -> tuple[int, int, int]:
        start, column = node.start_mark.line, node.start_mark.column
        end = start + 1
        while end < len(lines) and (_is_filler(lines[end]) or _indent(lines[end]) >= column):
            end += 1
        while end > start + 1 and _is_filler(lines[end - 1]):
            end -= 1  # comments and blank lines after an entry belong to what follows
        return start, end, column

    def rendered(term: Term, like: Any) -> list[str]:
        start, _, column = span(like)
        block = _render_entry(term, [key.value for key, _ in like.value], flow).splitlines()
        return [lines[start][:column] + block[0] + "\n", *(" " * column + line + "\n" for line in block[1:])]

    old_terms, new_terms = list(current.terms), list(glossary.terms)
    if len(new_terms) == len(old_terms) + 1 and new_terms[:-1] == old_terms:
        # `glossary add`: the new entry goes after the last one, in its style; nothing else moves.
        _, end, _ = span(items[-1])
        if end > 0 and not lines[end - 1].endswith("\n"):
            lines[end - 1] += "\n"
        lines[end:end] = rendered(new_terms[-1], items[-1])
    elif len(new_terms) == len(old_terms) - 1:
        # `glossary remove`: only the removed entry's lines go.
        gone = next((i for i, (a, b) in enumerate(zip(old_terms, new_terms, strict=False)) if a != b), len(new_terms))
        if old_terms[:gone] + old_terms[gone + 1 :] != new_terms:
            return None
        start, end, _ = span(items[gone])
        del lines[start:end]
    elif len(new_terms) == len(old_terms):
        for index in reversed(range(len(items))):
            old, new = current.terms[index], glossary.terms[index]
            if old == new and dict(old.extra) == dict(new.extra):
                continue
            start, end, _ = span(items[index])
            lines[start:end] = rendered(new, items[index])
    else:
        return None
    result = "".join(lines)
    try:
        again = _parse_yaml(result, path, allow_duplicates=True)
    except GlossaryError:
        return None
    same = again.terms == glossary.terms and all(
        dict(a.extra) == dict(b.extra) for a, b in zip(again.terms, glossary.terms, strict=True)
    )
    return result if same else None


def _entry_nodes(root: Any) -> list[Any] | None:
    import yaml

    if not isinstance(root, yaml.MappingNode):
        return None
    for key, value in root.value:
        if key.value == "terms" and isinstance(value, yaml.SequenceNode) and not value.flow_style:
            items = list(value.value)
            return items if all(isinstance(i, yaml.MappingNode) and not i.flow_style for i in items) else None
    return None


def _uses_flow_lists(items: list[Any]) -> bool:
    import yaml

    styles = [v.flow_style for item in items for _, v in item.value if isinstance(v, yaml.SequenceNode)]
    return sum(map(bool, styles)) > len(styles) / 2


def _is_filler(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _render_entry(term: Term, key_order: list[str], flow: bool) -> str:
    """One entry as YAML block mapping lines (no leading dash), keys in the file's order where they existed."""
    import yaml

    data = term.to_dict()
    ordered = {k: data[k] for k in key_order if k in data} | data
    out = []
    for key, value in ordered.items():
        if flow and key in _LIST_FIELDS and isinstance(value, list):
            rendered = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=100).strip()
            out.append(f"{key}: {rendered}\n")
        else:
            out.append(yaml.safe_dump({key: value}, sort_keys=False, allow_unicode=True, width=100))
    return "".join(out)
