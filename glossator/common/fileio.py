"""Atomic file writing shared by every writer in Glossator (translations, glossaries, reports).

A reader of the destination sees either the old content or the new one, never a half-written file: the
data goes to a temporary file in the same directory, is flushed to disk, and is renamed over the
destination. An interrupted run (Ctrl-C, crash) leaves no partial output.

What is *at* the destination is respected: a symbolic link is followed and its target written (the link stays a
link, a shared glossary behind it is updated); a FIFO, a character device (``/dev/null``, a terminal) or a socket is
written through, never renamed over. A failed write (disk full, read-only folder) is an :class:`OutputError` with
the path and the reason, and the old content stays.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from glossator.common.errors import InputFileError, OutputError


def write_target(path: Path) -> Path:
    """Where a write to *path* really goes: the final target of a symbolic link (chains and relative links
    resolved), else *path* itself."""
    path = Path(path)
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def is_special_file(path: Path) -> bool:
    """A FIFO, device or socket: something to write into, not a file to replace."""
    import stat

    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISCHR(mode) or stat.S_ISBLK(mode) or stat.S_ISSOCK(mode)


@contextlib.contextmanager
def atomic_open(path: Path, mode: str = "w", *, encoding: str | None = "utf-8") -> Iterator[IO]:
    """Open a temporary file beside *path*; on clean exit rename it over *path*, on error delete it.

    A symbolic link's target is written instead of the link; a FIFO or device is written through (see module doc).
    """
    path = write_target(Path(path))
    if "b" in mode:
        encoding = None
    if path.is_dir():
        raise OutputError(f"{path}: is a directory, not a file. Give a file name.")
    try:
        if is_special_file(path):
            with open(path, mode, encoding=encoding, newline="" if encoding else None) as handle:
                yield handle
            return
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise OutputError(
            f"{path}: cannot write: {exc.strerror or exc}. Check the folder or choose another output."
        ) from exc
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, mode, encoding=encoding, newline="" if encoding else None) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            # Keep the destination's permission bits (a glossary may be group-writable in a shared repo).
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise OutputError(
            f"{path}: cannot write: {exc.strerror or exc}; the old content is unchanged. "
            "Free disk space or choose another output."
        ) from exc
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def atomic_write_text(path: Path, text: str, *, encoding: str = "utf-8") -> None:
    """Write *text* to *path* atomically."""
    with atomic_open(path, "w", encoding=encoding) as handle:
        handle.write(text)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write *data* to *path* atomically."""
    with atomic_open(path, "wb") as handle:
        handle.write(data)


# How much of a file to sniff for NUL bytes before deciding it is binary (same idea as git and grep).
_BINARY_SNIFF_BYTES = 8192


def read_text(path: Path, *, encoding: str = "utf-8", what: str = "input file") -> str:
    """Read a whole text file, refusing binary data and undecodable bytes with a one-line message.

    The message names the file, the byte offset of the first bad byte, and how to fix it (``--encoding``).
    A UTF-8 byte-order mark is dropped. Line endings are kept as they are.
    """
    path = Path(path)
    with _open_input(path, what) as handle:
        try:
            data = handle.read()
        except OSError as exc:
            raise InputFileError(f"{path}: cannot read {what}: {exc.strerror}.") from exc
    return decode_text(data, str(path), encoding=encoding)


# A structured document (DOCX, HTML, XLIFF...) is parsed whole: larger files are refused rather than exhaust memory.
MAX_DOCUMENT_BYTES = 512 << 20


def read_bytes(path: Path, *, what: str = "input file", limit: int = MAX_DOCUMENT_BYTES) -> bytes:
    """A whole file's bytes, or the one-line error of :func:`read_text` (missing, a folder, unreadable, too large)."""
    path = Path(path)
    with _open_input(path, what) as handle:
        try:
            data = handle.read(limit + 1)
        except OSError as exc:
            raise InputFileError(f"{path}: cannot read {what}: {exc.strerror}.") from exc
    if len(data) > limit:
        raise InputFileError(f"{path}: larger than {limit >> 20} MiB; split the document, then translate the parts.")
    return data


def _open_input(path: Path, what: str) -> IO[bytes]:
    """*path* opened for reading bytes, or the one-line error of :func:`read_text` (missing, a folder, unreadable)."""
    if not path.exists():
        raise InputFileError(f"{path}: {what} does not exist. Check the path.")
    if path.is_dir():
        raise InputFileError(f"{path}: is a directory, expected a {what}.")
    try:
        return path.open("rb")
    except OSError as exc:
        raise InputFileError(f"{path}: cannot read {what}: {exc.strerror}.") from exc


_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)


STREAM_CHUNK = 1 << 20  # bytes decoded at a time when a file is read as a stream


def iter_text(path: Path, *, encoding: str = "utf-8", what: str = "input file") -> Iterator[str]:
    """The text of *path* in pieces of about a megabyte, decoded as :func:`read_text` decodes (same BOM handling,
    binary check and one-line errors, with the same offsets), for files too large to hold whole.

    An error may come after earlier pieces were yielded: call it once to check a file (see
    :func:`check_text`) before acting on its pieces.
    """
    import codecs

    path = Path(path)
    with _open_input(path, what) as handle:
        try:
            head = handle.read(max(_BINARY_SNIFF_BYTES, 4))
        except OSError as exc:
            raise InputFileError(f"{path}: cannot read {what}: {exc.strerror}.") from exc
        codec = encoding
        if encoding.lower().replace("_", "-") in ("utf-8", "utf8"):
            for bom, name in _BOMS:
                if head.startswith(bom):
                    codec = name
                    break
        if codec == encoding and b"\x00" in head and not encoding.lower().startswith("utf-16"):
            raise InputFileError(f"{path}: looks like a binary file (NUL bytes), not text. Give a .txt or .md file.")
        try:
            decoder = codecs.getincrementaldecoder(codec)("strict")
        except LookupError as exc:
            raise InputFileError(
                f"unknown encoding {encoding!r}. Use a Python codec name such as utf-8 or latin-1."
            ) from exc
        offset, first, data = 0, True, head
        while True:
            final = not data
            try:
                text = decoder.decode(data, final=final)
            except UnicodeDecodeError as exc:
                # exc.object is what the decoder held back from earlier reads plus *data*: count from its end.
                at = offset + len(data) - len(exc.object) + exc.start
                if codec != encoding:
                    raise InputFileError(
                        f"{path}: starts with a {codec.upper()} byte-order mark but is not valid {codec} "
                        f"(offset {at}). Re-save it as UTF-8."
                    ) from exc
                bad = exc.object[exc.start] if isinstance(exc.object, bytes | bytearray) else 0
                raise InputFileError(
                    f"{path}: not valid {encoding} (byte 0x{bad:02x} at offset {at}). "
                    f"Convert it to UTF-8 or pass --encoding (e.g. --encoding latin-1)."
                ) from exc
            offset += len(data)
            if first:
                text = text.removeprefix("\ufeff")
                first = False
            if text:
                yield text
            if final:
                return
            try:
                data = handle.read(STREAM_CHUNK)
            except OSError as exc:
                raise InputFileError(f"{path}: cannot read {what}: {exc.strerror}.") from exc


def check_text(path: Path, *, encoding: str = "utf-8", what: str = "input file") -> None:
    """Decode all of *path* without keeping it: raises what :func:`read_text` would raise."""
    for _ in iter_text(path, encoding=encoding, what=what):
        pass


def decode_text(data: bytes, name: str, *, encoding: str = "utf-8") -> str:
    """Decode the bytes of *name* (a path, or ``<stdin>``) as :func:`read_text` does, with the same errors.

    A UTF-16 or UTF-32 byte-order mark says how the text is encoded, and is followed (Windows tools write such
    files); otherwise *encoding* is used.
    """
    if encoding.lower().replace("_", "-") in ("utf-8", "utf8"):
        for bom, codec in _BOMS:
            if data.startswith(bom):
                try:
                    return data.decode(codec).removeprefix("\ufeff")
                except UnicodeDecodeError as exc:
                    raise InputFileError(
                        f"{name}: starts with a {codec.upper()} byte-order mark but is not valid {codec} "
                        f"(offset {exc.start}). Re-save it as UTF-8."
                    ) from exc
    if b"\x00" in data[:_BINARY_SNIFF_BYTES] and not encoding.lower().startswith("utf-16"):
        raise InputFileError(f"{name}: looks like a binary file (NUL bytes), not text. Give a .txt or .md file.")
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputFileError(
            f"{name}: not valid {encoding} (byte 0x{data[exc.start]:02x} at offset {exc.start}). "
            f"Convert it to UTF-8 or pass --encoding (e.g. --encoding latin-1)."
        ) from exc
    except LookupError as exc:
        raise InputFileError(
            f"unknown encoding {encoding!r}. Use a Python codec name such as utf-8 or latin-1."
        ) from exc
    return text.removeprefix("\ufeff")
