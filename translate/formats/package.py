"""Zip packages (DOCX, PPTX, XLSX, ODT, ODP, EPUB) and the XML inside them, read safely and written back with every
part the translation does not change copied byte for byte.

- :func:`open_zip` refuses a file that is not a zip (or a truncated one), an encrypted entry, a zip bomb (more than
  ``MAX_UNPACKED`` bytes unpacked, or an entry packed more than ``MAX_RATIO`` to one), duplicate names, and entries
  that do not unpack or whose CRC does not match (every entry is unpacked once when the package is opened).
- :func:`parse_xml` parses with lxml without network access, DTD loading or entity expansion; a document that
  declares entities (entity bombs) is refused, as defusedxml would.
- :func:`write_zip` writes the package again: same entries in the same order with the same compression, the
  replaced ones with their new bytes; the OPC/ODF/EPUB ``mimetype`` entry stays first and stored.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from glossator.common.errors import InputError

MAX_UNPACKED = 1 << 30  # 1 GiB unpacked in all
MAX_RATIO = 200  # an entry packed more than 200:1 is a bomb, not a document
MAX_ENTRIES = 20_000
# what zipfile raises for an entry it cannot unpack (a bad CRC, a broken deflate stream, an unknown method)
_BROKEN = (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, zlib.error)


@dataclass
class Chunks:
    """An entry's new content given a piece at a time (a large part written from a file): its size in bytes and
    the pieces."""

    size: int
    pieces: Iterable[bytes]


class Package:
    """A zip package held in memory: its entries' metadata and raw bytes on demand."""

    def __init__(self, data: bytes, name: str, what: str) -> None:
        self.name, self.what = name, what
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
            raise InputError(
                f"{name}: not a valid {what} file (broken zip: {exc}). Open and save it again in its application."
            ) from exc
        if len(infos) > MAX_ENTRIES:
            raise InputError(f"{name}: {len(infos)} entries in one {what} file; refusing it as a zip bomb.")
        seen: set[str] = set()
        total = 0
        for info in infos:
            if info.flag_bits & 0x1:
                raise InputError(
                    f"{name}: the {what} file is encrypted (password-protected). Remove the password in its "
                    "application, then translate it."
                )
            if info.filename in seen:
                raise InputError(f"{name}: the zip holds {info.filename!r} twice; refusing an ambiguous {what}.")
            seen.add(info.filename)
            total += info.file_size
            if info.file_size > 1 << 20 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise InputError(
                    f"{name}: entry {info.filename!r} unpacks {info.file_size // max(info.compress_size, 1)}:1; "
                    "refusing it as a zip bomb."
                )
        if total > MAX_UNPACKED:
            raise InputError(f"{name}: unpacks to {total >> 20} MiB; refusing it as a zip bomb (limit 1 GiB).")
        self.infos = infos
        self.names = [info.filename for info in infos]
        self._unpack_all()

    def _unpack_all(self) -> None:
        """Unpack every entry once (in chunks, nothing kept): a broken CRC or deflate stream in a part only copied on
        writing (an image) is refused now, before anything is translated, not after the translation."""
        for info in self.infos:
            try:
                with self.zip.open(info) as handle:
                    while handle.read(1 << 16):
                        pass
            except _BROKEN as exc:
                raise self._broken(info.filename, exc) from exc

    def _broken(self, entry: str, exc: BaseException) -> InputError:
        shown = entry if entry.isprintable() else repr(entry)  # a mutated name may hold a line break
        reason = " ".join(str(exc).split())
        return InputError(
            f"{self.name}: not a valid {self.what} file ({shown} cannot be unpacked: {reason}). "
            "Open and save it again in its application."
        )

    def has(self, entry: str) -> bool:
        return entry in self.names

    def read(self, entry: str) -> bytes:
        try:
            return self.zip.read(entry)
        except KeyError as exc:
            raise InputError(f"{self.name}: not a valid {self.what} file ({entry} is missing).") from exc
        except _BROKEN as exc:
            raise self._broken(entry, exc) from exc

    def chunks(self, entry: str, size: int = 1 << 20) -> Iterator[bytes]:
        """The bytes of *entry* unpacked *size* bytes at a time (a large part is never held whole)."""
        try:
            with self.zip.open(entry) as handle:
                while chunk := handle.read(size):
                    yield chunk
        except KeyError as exc:
            raise InputError(f"{self.name}: not a valid {self.what} file ({entry} is missing).") from exc
        except _BROKEN as exc:
            raise self._broken(entry, exc) from exc

    def write(self, replaced: Mapping[str, bytes | Chunks]) -> bytes:
        """The package with the *replaced* entries' new bytes (or :class:`Chunks`), everything else copied as it
        was."""
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as target:
            for info in self.infos:
                data = replaced[info.filename] if info.filename in replaced else self.read(info.filename)
                copy = zipfile.ZipInfo(info.filename, date_time=info.date_time)
                copy.compress_type = info.compress_type
                copy.external_attr = info.external_attr
                copy.create_system = info.create_system
                copy.comment = info.comment
                if isinstance(data, Chunks):  # what writestr does, a piece at a time
                    copy.file_size = data.size
                    with target.open(copy, "w") as entry:
                        for piece in data.pieces:
                            entry.write(piece)
                    continue
                target.writestr(copy, data)
            target.comment = self.zip.comment
        return out.getvalue()


def parse_xml(data: bytes, where: str) -> Any:
    """An lxml tree of *data* (the part *where*), parsed without network, DTDs or entity expansion."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_blank_text=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise _not_well_formed(where, exc) from exc
    doctype = root.getroottree().docinfo
    if doctype.internalDTD is not None and any(True for _ in doctype.internalDTD.iterentities()):
        raise InputError(f"{where}: the XML declares entities (an entity bomb?); refusing it.")
    return root


def check_xml(chunks: Iterable[bytes], where: str) -> None:
    """Refuse the XML in *chunks* where :func:`parse_xml` would find it not well-formed, without building its tree
    or holding it whole (a large part read in pieces later is checked whole first)."""
    from lxml import etree

    class _Nothing:
        def close(self) -> None:
            return None

    parser = etree.XMLParser(
        target=_Nothing(), resolve_entities=False, no_network=True, load_dtd=False, remove_blank_text=False
    )
    try:
        for chunk in chunks:
            parser.feed(chunk)
        parser.close()
    except etree.XMLSyntaxError as exc:
        raise _not_well_formed(where, exc) from exc


def _not_well_formed(where: str, exc: Exception) -> InputError:
    return InputError(
        f"{where}: not well-formed XML ({' '.join(str(exc).split())}). Open and save the file again in its application."
    )


def serialize_xml(root: Any, original: bytes) -> bytes:
    """*root* as bytes, with the XML declaration the original had (encoding and standalone kept)."""
    from lxml import etree

    tree = root.getroottree()
    encoding = tree.docinfo.encoding or "UTF-8"
    body: bytes = etree.tostring(tree, xml_declaration=False, encoding=encoding)
    body = body.rstrip() + original[len(original.rstrip()) :]  # the trailing newline, as it was
    start = original.find(b"<?xml")
    if start < 0 or original[:start].strip(b"\xef\xbb\xbf \t\r\n"):
        return body
    end = original.find(b"?>", start)
    # the original declaration byte for byte (its quotes, its standalone), and the BOM and whitespace before it
    return original[: end + 2] + original[end + 2 : end + 2 + _newlines(original[end + 2 :])] + body.lstrip()


def _newlines(data: bytes) -> int:
    """How many whitespace bytes follow the declaration (kept as they were)."""
    return len(data) - len(data.lstrip(b" \t\r\n"))
