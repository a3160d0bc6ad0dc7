"""Translation memory: an SQLite file (stdlib ``sqlite3``) of finished sentence translations.

It also remembers how each paragraph was split into sentences (table ``splits``): on a re-run the sentence
splitter, not the lookup, was most of the time (12 of 13 s for 2,000 WMT lines), so known paragraphs skip it.

Key = model id+version, the package's checksum, decoding options, glossary digest, the enforcement version and
the German sentence (hashed together), so an edited article re-translates only its changed sentences and any
change of model, options, glossary or enforcement logic misses. Only a damaged file (SQLite says so and its
integrity check fails) is renamed aside (``*.corrupt-<UTC time>``) and a fresh one started; a locked, full,
read-only or unreadable memory is left where it is, with one warning. None of this ever fails a translation.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

SCHEMA_VERSION = 1


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
    entries: int
    size_bytes: int
    models: dict[str, int]

    def to_dict(self) -> dict[str, object]:
        return {"path": self.path, "entries": self.entries, "size_bytes": self.size_bytes, "models": self.models}


# SQLite result codes that mean the file itself is damaged (not locked, full, read-only or missing).
_CORRUPT_CODES = {11, 26}  # SQLITE_CORRUPT, SQLITE_NOTADB


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
    error: str | None = field(default=None, init=False)  # why the memory is unusable, for `cache stats/clear`
    LOCK_TIMEOUT = 30.0

    def _connect(self) -> sqlite3.Connection | None:
        if self._db is not None or self._disabled:
            return self._db
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = self._open()
        except _SchemaMismatch as exc:
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
                    self._disable(f"cannot use translation memory {self.path}: {again}")
            else:  # locked, full, unreadable: the file is fine, leave it where it is
                self._disable(f"cannot use translation memory {self.path}: {exc}")
        except OSError as exc:
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

    def stats(self) -> CacheStats:
        """Entries per model. Raises :class:`InputError` when the memory cannot be read (never "0 entries")."""
        from glossator.common.errors import InputError

        db = self._connect()
        if db is None:
            raise InputError(f"{self.error or self.path}. Retry when no other process holds it, or check the file.")
        try:
            models = dict(db.execute("SELECT model, COUNT(*) FROM memory GROUP BY model").fetchall())
        except sqlite3.DatabaseError as exc:
            raise InputError(f"translation memory {self.path} cannot be read: {exc}.") from exc
        size = self.path.stat().st_size if self.path.exists() else 0
        return CacheStats(str(self.path), sum(models.values()), size, models)

    def clear(self) -> int:
        """Delete every entry. Raises :class:`OutputError` when the memory cannot be changed."""
        from glossator.common.errors import OutputError

        db = self._connect()
        if db is None or self._read_only:
            reason = self.error or f"translation memory {self.path} is read-only"
            raise OutputError(f"{reason}. Nothing was removed; retry when the file is writable and not locked.")
        try:
            with db:
                removed = db.execute("DELETE FROM memory").rowcount
                db.execute("DELETE FROM splits")
            db.execute("VACUUM")
        except sqlite3.DatabaseError as exc:
            raise OutputError(f"translation memory {self.path} cannot be cleared: {exc}. Nothing was removed.") from exc
        return int(removed)

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
