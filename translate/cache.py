"""Translation memory: an SQLite file (stdlib ``sqlite3``) of finished sentence translations.

It also remembers how each paragraph was split into sentences (table ``splits``): on a re-run the sentence
splitter, not the lookup, was most of the time (12 of 13 s for 2,000 WMT lines), so known paragraphs skip it.

Key = model id+version, the package's checksum, decoding options, glossary digest, the enforcement version and
the German sentence (hashed together), so an edited article re-translates only its changed sentences and any
change of model, options, glossary or enforcement logic misses. Only a damaged file (SQLite says so and its
integrity check fails) is renamed aside (``*.corrupt-<UTC time>``) and a fresh one started; a locked, full,
read-only or unreadable memory is left where it is, with one warning. None of this ever fails a translation.

Human translations imported from TMX (``glossator memory import``, :mod:`translate.tmx`) live in a table of their
own (``human``): they do not depend on the model, options or glossary, so their key is only the German text,
normalised by :func:`tm_key` (Unicode NFC, no-break spaces as spaces, whitespace runs as one space, trimmed;
case kept). The pipeline looks them up before the machine entries, for whole paragraphs and for sentences.
Importing is strict where translating is lenient: a locked memory is :class:`BusyError`, a read-only or failing
one :class:`OutputError`, and the whole import is one transaction.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import sqlite3
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

# Version 1 files gain the ``human`` table on first write; older Glossators ignore it, so the version stays 1.
SCHEMA_VERSION = 1

# No-break and fixed-width spaces that CAT tools and word processors put where a plain space is meant, and the
# invisible zero-width characters (zero-width space, word joiner, zero-width no-break space), which are dropped.
_SPACES: dict[int, str | None] = {
    **dict.fromkeys(map(ord, "\u00a0\u2007\u202f"), " "),
    **dict.fromkeys(map(ord, "\u200b\u2060\ufeff"), None),
}


def tm_key(text: str) -> str:
    """The German text as the translation memory's human entries are keyed: NFC, no-break spaces (U+00A0,
    U+2007, U+202F) read as spaces, zero-width characters (U+200B, U+2060, U+FEFF) dropped, every run of
    whitespace one space, no leading or trailing whitespace."""
    return " ".join(unicodedata.normalize("NFC", text).translate(_SPACES).split())


def cache_key(
    model_id: str, model_checksum: str, options_key: str, glossary_digest: str, enforcement: str, source: str
) -> str:
    """Everything that can change a sentence's output: the package (id and content checksum), the decoding
    options, the glossary, the enforcement logic's version and the sentence itself."""
    parts = (model_id, model_checksum, options_key, glossary_digest, enforcement, source)
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


@dataclass(frozen=True)
class CacheStats:
    path: str
    entries: int  # machine translations
    size_bytes: int
    models: dict[str, int]
    human: int = 0  # human translations imported from TMX
    origins: dict[str, int] = field(default_factory=dict)  # human entries per imported file

    def to_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "entries": self.entries,
            "size_bytes": self.size_bytes,
            "models": self.models,
            "human": self.human,
            "origins": self.origins,
        }


@dataclass(frozen=True)
class HumanEntry:
    """One human translation from a TMX unit. ``source``/``target`` are the plain texts (inline codes removed,
    see :mod:`translate.tmx`); ``source_seg``/``target_seg`` the ``<seg>`` contents as TMX markup, inline codes
    included, for export; ``created`` a TMX date (``20240301T120000Z``) or empty."""

    source: str
    target: str
    source_seg: str
    target_seg: str
    source_lang: str = "de"
    target_lang: str = "en"
    origin: str = ""
    tuid: str = ""
    created: str = ""
    segtype: str = ""

    @property
    def key(self) -> str:
        return tm_key(self.source)


@dataclass(frozen=True)
class MachineEntry:
    """One machine translation as the memory holds it (for export)."""

    source: str
    target: str
    model: str
    created: float


@dataclass(frozen=True)
class ImportCounts:
    new: int
    updated: int


# SQLite result codes that mean the file itself is damaged (not locked, full, read-only or missing).
_CORRUPT_CODES = {11, 26}  # SQLITE_CORRUPT, SQLITE_NOTADB
_BUSY_CODES = {5, 6}  # SQLITE_BUSY, SQLITE_LOCKED: another process holds the file

_HUMAN_TABLE = (
    "CREATE TABLE IF NOT EXISTS human (key TEXT PRIMARY KEY, source TEXT NOT NULL, target TEXT NOT NULL, "
    "source_seg TEXT NOT NULL, target_seg TEXT NOT NULL, source_lang TEXT NOT NULL, target_lang TEXT NOT NULL, "
    "origin TEXT NOT NULL, tuid TEXT NOT NULL, created TEXT NOT NULL, segtype TEXT NOT NULL, imported REAL NOT NULL)"
)
_HUMAN_COLUMNS = "source, target, source_seg, target_seg, source_lang, target_lang, origin, tuid, created, segtype"


class _SchemaMismatch(sqlite3.DatabaseError):
    """A memory written by another Glossator version: left alone, not moved aside."""


@dataclass
class TranslationMemory:
    """The memory file. Problems never fail a translation and never lose the file: a damaged file (the integrity
    check fails) is moved aside and a new one started; a locked, read-only, full or unreadable one is left where it
    is and the translation goes on without it (reads still served where possible), with one warning each."""

    path: Path
    warnings: list[str] = field(default_factory=list)
    timeout: float | None = None  # seconds to wait for another process's lock (default LOCK_TIMEOUT)
    _db: sqlite3.Connection | None = field(default=None, init=False, repr=False)
    _disabled: bool = field(default=False, init=False)
    _read_only: bool = field(default=False, init=False)
    _new_splits: dict[str, str] = field(default_factory=dict, init=False, repr=False)
    _human_count: int | None = field(default=None, init=False, repr=False)
    error: str | None = field(default=None, init=False)  # why the memory is unusable, for `cache stats/clear`
    _failure: BaseException | None = field(default=None, init=False, repr=False)  # the exception behind `error`
    LOCK_TIMEOUT = 30.0

    def _connect(self) -> sqlite3.Connection | None:
        if self._db is not None or self._disabled:
            return self._db
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = self._open()
        except _SchemaMismatch as exc:
            self._failure = exc
            self._disable(f"cannot use translation memory {self.path}: {exc}")
        except sqlite3.DatabaseError as exc:
            if getattr(exc, "sqlite_errorcode", None) in _CORRUPT_CODES and self._damaged():
                aside = self.path.with_name(
                    f"{self.path.name}.corrupt-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}"
                )
                try:
                    self.path.rename(aside)
                    self.warnings.append(f"translation memory {self.path} was damaged ({exc}); moved to {aside}")
                    self._db = self._open()
                except (OSError, sqlite3.DatabaseError) as again:
                    self._failure = again
                    self._disable(f"cannot use translation memory {self.path}: {again}")
            else:  # locked, full, unreadable: the file is fine, leave it where it is
                self._failure = exc
                self._disable(f"cannot use translation memory {self.path}: {exc}")
        except OSError as exc:
            self._failure = exc
            self._disable(f"cannot use translation memory {self.path}: {exc.strerror or exc}")
        return self._db

    def _damaged(self) -> bool:
        """The integrity check, on a connection of its own: only a file that fails it is moved aside."""
        try:
            with contextlib.closing(sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=1)) as db:
                return bool(db.execute("PRAGMA quick_check").fetchone()[0] != "ok")
        except sqlite3.DatabaseError as exc:
            return getattr(exc, "sqlite_errorcode", None) in _CORRUPT_CODES

    def _disable(self, message: str) -> None:
        self.error = message
        self.warnings.append(message + "; translating without it")
        self._disabled = True

    def _write_failed(self, exc: Exception) -> None:
        """Writes stop after the first failure (one warning, not one per chunk); reads go on."""
        if not self._read_only:
            self.warnings.append(f"translation memory {self.path} cannot store new translations: {exc}")
        self._read_only = True

    @property
    def _timeout(self) -> float:
        return self.LOCK_TIMEOUT if self.timeout is None else self.timeout

    def _open(self) -> sqlite3.Connection:
        if self.path.exists() and not os.access(self.path, os.W_OK):
            db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=self._timeout)
            self._write_failed(sqlite3.OperationalError("the file is read-only; serving lookups only"))
        else:
            db = sqlite3.connect(self.path, timeout=self._timeout)
        try:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version not in (0, SCHEMA_VERSION):
                raise _SchemaMismatch(f"schema version {version}, this Glossator reads {SCHEMA_VERSION}")
            if not self._read_only:
                db.execute(
                    "CREATE TABLE IF NOT EXISTS memory (key TEXT PRIMARY KEY, model TEXT NOT NULL, "
                    "source TEXT NOT NULL, target TEXT NOT NULL, payload TEXT NOT NULL, created REAL NOT NULL)"
                )
                db.execute("CREATE TABLE IF NOT EXISTS splits (key TEXT PRIMARY KEY, spans TEXT NOT NULL)")
                db.execute(_HUMAN_TABLE)
                if version != SCHEMA_VERSION:
                    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                db.commit()
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    def get_many(self, keys: Sequence[str]) -> dict[str, tuple[str, str]]:
        """{key: (target, payload)} for the keys present."""
        db = self._connect()
        found: dict[str, tuple[str, str]] = {}
        if db is None:
            return found
        try:
            for start in range(0, len(keys), 500):
                chunk = list(keys[start : start + 500])
                marks = ",".join("?" * len(chunk))
                for key, target, payload in db.execute(
                    f"SELECT key, target, payload FROM memory WHERE key IN ({marks})", chunk
                ):
                    found[key] = (target, payload)
        except sqlite3.DatabaseError as exc:
            self._disable(f"translation memory {self.path} failed to read: {exc}")
            return {}
        return found

    def put_many(self, items: Iterable[tuple[str, str, str, str, str]]) -> None:
        """Store (key, model id, source, target, payload) rows in one transaction."""
        db = self._connect()
        if db is None:
            return
        if self._read_only:
            return
        now = time.time()
        try:
            with db:
                db.executemany(
                    "INSERT OR REPLACE INTO memory VALUES (?, ?, ?, ?, ?, ?)", [(*item, now) for item in items]
                )
        except sqlite3.DatabaseError as exc:
            self._write_failed(exc)

    def remembering_splits(
        self, splitter: Callable[[str], list[tuple[int, int]]], splitter_id: str
    ) -> Callable[[str], list[tuple[int, int]]]:
        """*splitter* with its results remembered per paragraph (keyed by *splitter_id* and the text).

        New results are written by :meth:`save_splits`; a failing database falls back to *splitter*.
        """

        def split(paragraph: str) -> list[tuple[int, int]]:
            if not paragraph.strip():
                return splitter(paragraph)
            key = hashlib.sha256(f"{splitter_id}\x1f{paragraph}".encode()).hexdigest()
            db = self._connect()
            if db is not None:
                try:
                    row = db.execute("SELECT spans FROM splits WHERE key = ?", (key,)).fetchone()
                except sqlite3.DatabaseError as exc:
                    self._disable(f"translation memory {self.path} failed to read: {exc}")
                    row = None
                if row is not None:
                    return [(int(a), int(b)) for a, b in json.loads(row[0])]
            spans = splitter(paragraph)
            self._new_splits[key] = json.dumps(spans)
            return spans

        return split

    def save_splits(self) -> None:
        """Store the sentence splits learnt since the last call, in one transaction."""
        db = self._connect()
        if db is None or not self._new_splits or self._read_only:
            return
        try:
            with db:
                db.executemany("INSERT OR REPLACE INTO splits VALUES (?, ?)", list(self._new_splits.items()))
            self._new_splits.clear()
        except sqlite3.DatabaseError as exc:
            self._write_failed(exc)

    # --- human translations (TMX) --------------------------------------------------------------------------

    def human_count(self) -> int:
        """How many human entries the memory holds (0 when it cannot be read; counted once per instance)."""
        if self._human_count is None:
            db = self._connect()
            count = 0
            if db is not None:
                try:
                    count = int(db.execute("SELECT COUNT(*) FROM human").fetchone()[0])
                except sqlite3.DatabaseError as exc:
                    if "no such table" not in str(exc):  # a read-only memory from before TMX import has none
                        self._disable(f"translation memory {self.path} failed to read: {exc}")
            self._human_count = count
        return self._human_count

    def human_get_many(self, texts: Sequence[str]) -> dict[str, HumanEntry]:
        """{text: entry} for the German *texts* that have a human translation (matched by :func:`tm_key`)."""
        if not texts or not self.human_count() or self._db is None:
            return {}
        by_key: dict[str, list[str]] = {}
        for text in texts:
            key = tm_key(text)
            if key:
                by_key.setdefault(key, []).append(text)
        keys = list(by_key)
        found: dict[str, HumanEntry] = {}
        try:
            for start in range(0, len(keys), 500):
                chunk = keys[start : start + 500]
                marks = ",".join("?" * len(chunk))
                for row in self._db.execute(f"SELECT key, {_HUMAN_COLUMNS} FROM human WHERE key IN ({marks})", chunk):
                    entry = HumanEntry(*row[1:])
                    for text in by_key[row[0]]:
                        found[text] = entry
        except sqlite3.DatabaseError as exc:
            self._disable(f"translation memory {self.path} failed to read: {exc}")
            return {}
        return found

    def human_paragraphs(
        self, splitter: Callable[[str], list[tuple[int, int]]]
    ) -> Callable[[str], list[tuple[int, int]]]:
        """*splitter*, except that a paragraph the memory holds a human translation of stays one segment (so a
        paragraph-level TMX unit is reused whole); whitespace around it stays outside the segment."""
        if not self.human_count():
            return splitter

        def split(paragraph: str) -> list[tuple[int, int]]:
            stripped = paragraph.strip()
            if stripped and self.human_get_many([stripped]):
                start = len(paragraph) - len(paragraph.lstrip())
                return [(start, start + len(stripped))]
            return splitter(paragraph)

        return split

    def _strict_error(self, exc: BaseException | None, consequence: str) -> Exception:
        """The error for a memory an explicit command (import, export) cannot use: busy (locked) or output."""
        from glossator.common.errors import BusyError, OutputError

        if getattr(exc, "sqlite_errorcode", None) in _BUSY_CODES or "database is locked" in str(exc):
            return BusyError(
                f"translation memory {self.path} is locked by another process; {consequence}. "
                "Retry when the other glossator command has finished."
            )
        reason = getattr(exc, "strerror", None) or exc or self.error or "cannot be opened"
        return OutputError(
            f"translation memory {self.path}: {reason}; {consequence}. "
            "Check that the file and its folder are writable, or choose another file with --memory."
        )

    def import_human(self, entries: Sequence[HumanEntry]) -> ImportCounts:
        """Store *entries* in one transaction (an entry for the same German replaces the old one). Raises
        :class:`BusyError` when another process holds the memory and :class:`OutputError` when it cannot be
        written; either way the memory is unchanged."""
        from glossator.common.errors import OutputError

        db = self._connect()
        if db is None:
            raise self._strict_error(self._failure, "nothing was imported")
        if self._read_only:
            raise OutputError(
                f"translation memory {self.path} is read-only; nothing was imported. "
                "Make it writable, or choose another file with --memory."
            )
        keys = list(dict.fromkeys(entry.key for entry in entries))
        now = time.time()
        try:
            db.execute("BEGIN IMMEDIATE")  # the write lock first, so a busy memory fails before any work
            try:
                existing = 0
                for start in range(0, len(keys), 500):
                    chunk = keys[start : start + 500]
                    marks = ",".join("?" * len(chunk))
                    existing += db.execute(f"SELECT COUNT(*) FROM human WHERE key IN ({marks})", chunk).fetchone()[0]
                db.executemany(
                    f"INSERT OR REPLACE INTO human (key, {_HUMAN_COLUMNS}, imported) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [(e.key, *dataclasses.astuple(e), now) for e in entries],  # fields in _HUMAN_COLUMNS order
                )
                db.commit()
            except BaseException:
                db.rollback()
                raise
        except sqlite3.DatabaseError as exc:
            raise self._strict_error(exc, "nothing was imported") from exc
        self._human_count = None
        return ImportCounts(new=len(keys) - existing, updated=existing)

    def iter_human(self) -> Iterator[HumanEntry]:
        """Every human entry, in the order imported. Raises BusyError/OutputError when the memory cannot be read."""
        db = self._connect()
        if db is None:
            raise self._strict_error(self._failure, "nothing was written")
        try:
            rows = db.execute(f"SELECT {_HUMAN_COLUMNS} FROM human ORDER BY rowid").fetchall()
        except sqlite3.DatabaseError as exc:
            if "no such table" in str(exc):
                return
            raise self._strict_error(exc, "nothing was written") from exc
        for row in rows:
            yield HumanEntry(*row)

    def iter_machine(self) -> Iterator[MachineEntry]:
        """Every machine entry, oldest first. Raises BusyError/OutputError when the memory cannot be read."""
        db = self._connect()
        if db is None:
            raise self._strict_error(self._failure, "nothing was written")
        try:
            rows = db.execute("SELECT source, target, model, created FROM memory ORDER BY created, rowid").fetchall()
        except sqlite3.DatabaseError as exc:
            raise self._strict_error(exc, "nothing was written") from exc
        for source, target, model, created in rows:
            yield MachineEntry(source, target, model, float(created))

    def stats(self) -> CacheStats:
        """Entries per model and human entries per imported file. Raises :class:`InputError` when the memory
        cannot be read (never "0 entries")."""
        from glossator.common.errors import InputError

        db = self._connect()
        if db is None:
            raise InputError(f"{self.error or self.path}. Retry when no other process holds it, or check the file.")
        try:
            models = dict(db.execute("SELECT model, COUNT(*) FROM memory GROUP BY model").fetchall())
            try:
                origins = dict(db.execute("SELECT origin, COUNT(*) FROM human GROUP BY origin").fetchall())
            except sqlite3.OperationalError as exc:
                if "no such table" not in str(exc):
                    raise
                origins = {}
        except sqlite3.DatabaseError as exc:
            raise InputError(f"translation memory {self.path} cannot be read: {exc}.") from exc
        size = self.path.stat().st_size if self.path.exists() else 0
        return CacheStats(str(self.path), sum(models.values()), size, models, sum(origins.values()), origins)

    def clear(self, *, human: bool = False) -> int:
        """Delete every machine translation (and, with *human*, every imported human one); returns how many
        entries were removed. Raises :class:`OutputError` when the memory cannot be changed."""
        from glossator.common.errors import OutputError

        db = self._connect()
        if db is None or self._read_only:
            reason = self.error or f"translation memory {self.path} is read-only"
            raise OutputError(f"{reason}. Nothing was removed; retry when the file is writable and not locked.")
        try:
            with db:
                removed = db.execute("DELETE FROM memory").rowcount
                db.execute("DELETE FROM splits")
                if human:
                    removed += db.execute("DELETE FROM human").rowcount
            db.execute("VACUUM")
        except sqlite3.DatabaseError as exc:
            raise OutputError(f"translation memory {self.path} cannot be cleared: {exc}. Nothing was removed.") from exc
        self._human_count = None
        return int(removed)

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
