"""Changing one entry of a glossary (``glossator glossary edit``).

:func:`edit_term` returns a new :class:`Glossary` with one entry changed and everything else as it was;
:func:`glossator.glossary.io.splice_yaml` writes that change into the YAML text by replacing only the edited
entry's lines, so comments, key order and layout elsewhere in a hand-kept file survive an edit.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from glossator.common.errors import GlossaryError, GlossaryLockError, UsageError
from glossator.glossary.model import STATUSES, Glossary, Term, term_problem

_LIST_FIELDS = ("variants", "target_variants", "forbidden", "tags")


def find_term(glossary: Glossary, source: str) -> int | None:
    """Index of the entry whose source is *source* (case-insensitive unless the entry is case-sensitive)."""
    for index, term in enumerate(glossary.terms):
        if term.key == (source if term.case_sensitive else source.casefold()):
            return index
    return None


def edit_term(
    glossary: Glossary,
    source: str,
    *,
    where: str,
    target: str | None = None,
    plural: str | None = None,
    add_forbidden: Sequence[str] = (),
    remove_forbidden: Sequence[str] = (),
    note: str | None = None,
    status: str | None = None,
    add_variants: Sequence[str] = (),
    domain: str | None = None,
    rename: str | None = None,
) -> Glossary:
    """*glossary* with the entry *source* changed; ``None`` leaves a field alone, ``""`` clears plural/note/domain.

    *where* names the file for messages. Raises :class:`GlossaryError` if the entry does not exist, a value is
    invalid, or the change would clash with another entry.
    """
    index = find_term(glossary, source)
    if index is None:
        hint = ""
        for term in glossary.terms:
            if any(v.casefold() == source.casefold() for v in term.variants):
                hint = f" ({source!r} is a variant of {term.source!r}; edit that entry)"
                break
        raise GlossaryError(f"{where}: no entry {source!r}{hint}. See: glossator glossary list {where}")
    term = glossary.terms[index]
    changes: dict[str, Any] = {}
    if target is not None:
        if not target.strip():
            raise GlossaryError(f"{where}: the target of {term.source!r} must not be empty.")
        changes["target"] = target.strip()
    if plural is not None:
        changes["target_plural"] = plural.strip() or None
    if note is not None:
        changes["note"] = note or None
    if domain is not None:
        changes["domain"] = domain.strip() or None
    if status is not None:
        if status not in STATUSES:
            raise GlossaryError(f"{where}: status must be one of {', '.join(STATUSES)} (got {status!r}).")
        changes["status"] = status
    forbidden = list(term.forbidden)
    for rendering in remove_forbidden:
        if rendering not in forbidden:
            have = ", ".join(repr(f) for f in term.forbidden) or "none"
            raise GlossaryError(f"{where}: {rendering!r} is not a forbidden rendering of {term.source!r} (has {have}).")
        forbidden.remove(rendering)
    for rendering in add_forbidden:
        if not rendering.strip():
            raise GlossaryError(f"{where}: a forbidden rendering must not be empty.")
        if rendering.strip() not in forbidden:
            forbidden.append(rendering.strip())
    changes["forbidden"] = tuple(forbidden)
    others = [t for i, t in enumerate(glossary.terms) if i != index]
    variants = list(term.variants)
    for variant in add_variants:
        variant = variant.strip()
        if not variant:
            raise GlossaryError(f"{where}: a variant must not be empty.")
        _refuse_clash(variant, others, where)
        if variant not in variants:
            variants.append(variant)
    changes["variants"] = tuple(variants)
    if rename is not None:
        if not rename.strip():
            raise GlossaryError(f"{where}: the new source term must not be empty.")
        _refuse_clash(rename.strip(), others, where)
        changes["source"] = rename.strip()
    edited = dataclasses.replace(term, **changes)
    problem = term_problem(edited, where)
    if problem:
        raise GlossaryError(problem)
    terms = list(glossary.terms)
    terms[index] = edited
    return dataclasses.replace(glossary, terms=tuple(terms))


def _refuse_clash(text: str, others: Sequence[Term], where: str) -> None:
    for other in others:
        forms = (other.source, *other.variants)
        if any((f == text) if other.case_sensitive else f.casefold() == text.casefold() for f in forms):
            raise GlossaryError(f"{where}: {text!r} is already an entry or variant: {other.source!r} ({other.origin}).")


def changed_fields(before: Term, after: Term) -> list[str]:
    """Names of the fields that differ (for the command's confirmation line)."""
    return [f.name for f in dataclasses.fields(Term) if f.compare and getattr(before, f.name) != getattr(after, f.name)]


# --- Locked read-modify-write of a glossary file ------------------------------------------------------------

LOCK_TIMEOUT = 30.0  # seconds to wait for another edit of the same glossary


def update_glossary(path: Path, change: Callable[[Glossary], Glossary], *, keep_layout: bool = False) -> Glossary:
    """Read, change and write *path* atomically under ``PATH.lock``, so concurrent edits never lose an entry.

    With *keep_layout* only the changed entries' lines of a YAML file are rewritten (see ``save_glossary``).
    Returns the glossary as written. Raises :class:`GlossaryLockError` when another edit holds the lock for 30 s.
    """
    from filelock import FileLock, Timeout

    from glossator.glossary.io import load_glossary, save_glossary

    lock = FileLock(str(path) + ".lock")
    try:
        lock.acquire(timeout=LOCK_TIMEOUT)
    except Timeout as exc:
        raise GlossaryLockError(
            f"{path}: another edit holds {path}.lock for {LOCK_TIMEOUT:g} s. Retry when it has finished."
        ) from exc
    except OSError as exc:  # the lock file cannot be created: a read-only folder or file system
        from glossator.common.errors import OutputError

        raise OutputError(
            f"{path}: cannot edit, the lock file {path}.lock cannot be created ({exc.strerror or exc}). "
            "Make the folder writable or copy the glossary somewhere writable."
        ) from exc
    try:
        current = load_glossary(path) if path.exists() else Glossary(name=path.name)
        changed = change(current)
        save_glossary(changed, path, keep_layout=keep_layout)
        return changed
    finally:
        lock.release()


def add_term(path: Path, term: Term, *, replace: bool = False) -> None:
    """Add *term* to the glossary file at *path* (created if missing); an existing entry needs *replace*."""
    if not term.source.strip() or not term.target.strip():
        raise GlossaryError("source and target must not be empty.")
    problem = term_problem(term, str(path))
    if problem:
        raise GlossaryError(problem)

    def change(current: Glossary) -> Glossary:
        existing = [t for t in current.terms if t.key == term.key]
        if existing and not replace:
            raise GlossaryError(f"{path}: {term.source!r} exists ({existing[0].origin}). Use --replace to change it.")
        terms = [term if t.key == term.key else t for t in current.terms] if existing else [*current.terms, term]
        return dataclasses.replace(current, terms=tuple(terms))

    # keep_layout: the new entry's lines are added, the rest of the file (comments, flow lists, other keys) stays.
    update_glossary(path, change, keep_layout=True)


def remove_term(path: Path, source: str) -> None:
    """Remove the entry for *source* from the glossary file at *path*."""
    if not path.exists():
        raise GlossaryError(f"{path}: glossary file not found. Check the path.")

    def change(current: Glossary) -> Glossary:
        kept = tuple(t for t in current.terms if t.key not in (source, source.casefold()))
        if len(kept) == len(current.terms):
            raise GlossaryError(f"{path}: no entry {source!r} to remove.")
        return dataclasses.replace(current, terms=kept)

    update_glossary(path, change, keep_layout=True)


def edit_entry(path: Path, source: str, **fields: Any) -> tuple[str, list[str]]:
    """Change fields of one entry of the glossary file at *path* in place (see :func:`edit_term` for *fields*).

    Returns the entry's (possibly renamed) source and the names of the fields that changed; raises
    :class:`GlossaryError` when the file or entry is missing or nothing would change.
    """
    if not path.is_file():
        raise GlossaryError(f"{path}: glossary file not found. Check the path.")
    changed: list[str] = []
    names: list[str] = []

    def change(current: Glossary) -> Glossary:
        edited = edit_term(current, source, where=str(path), **fields)
        index = find_term(current, source)
        assert index is not None  # edit_term raised otherwise
        changed.extend(changed_fields(current.terms[index], edited.terms[index]))
        names.append(edited.terms[index].source)
        if not changed:
            raise UsageError(f"{path}: {current.terms[index].source!r} already has these values; nothing changed.")
        return edited

    update_glossary(path, change, keep_layout=True)
    return names[0], changed
