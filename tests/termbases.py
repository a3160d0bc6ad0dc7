"""Term bases the TBX tests share (importable as ``termbases``): a glossary with every field filled, the third-party
TBX files under tests/data/glossaries (README.md there has their provenance), and an independent count of a TBX
file's German and English terms with lxml, so round-trip tests do not check our reader with our reader."""

from __future__ import annotations

import gzip
from collections import Counter
from pathlib import Path

from paths import REPO

from glossator.glossary.model import Glossary, Term

DATA = REPO / "tests" / "data" / "glossaries"
# LTAC Global's TBX-Basic v3 example (es relabelled de): 45 entries, 6 without a German term, a Zulu langSec.
ASTRONOMY = DATA / "ltac-astronomy-dca-valid.de-en.tbx"
# Okapi's SDLX de/en export (TBX v2), committed gzip-compressed (533 KB → 36 KB); `okapi_sdlx` unpacks it.
OKAPI_SDLX_GZ = DATA / "okapi-sdl_tbx.de-en.tbx.gz"
OKAPI_SDLX_SHA256 = "9b88c2cf894d272bf50f972d5dc70f22302fa1eaec770190b209e0241da50e0d"

EVERY_FIELD = Glossary(
    terms=(
        Term(
            "Terrormiliz",
            "terrorist militia",
            variants=("Terror-Miliz", "Terrormilitz"),
            target_plural="terrorist militias",
            target_variants=("terrorist group", "militant group"),
            case_sensitive=True,
            forbidden=("terror militia", "terrorist militia"),
            do_not_translate=False,
            status="proposed",
            note='DPA <style> & "house" style\r\nsecond\tline\n',
            domain="security",
            tags=("security", "news"),
            extra={"reviewer": "kim", "priority": 2, "refs": ["a", "b"], "nested": {"ok": True, "n": None}},
        ),
        Term("IS", "IS", do_not_translate=True, status="deprecated", forbidden=("ISIS",)),
        Term("Truppenstärke", "troop levels", target_plural="troop levels", note="", domain="", tags=("",)),
        Term("Bagdad", "Baghdad", variants=("",), target_plural="", forbidden=("",), target_variants=("",)),
    )
)


def okapi_sdlx(directory: Path) -> Path:
    """The Okapi SDLX export, unpacked byte for byte into *directory* (so warnings name its real line numbers)."""
    import hashlib

    data = gzip.decompress(OKAPI_SDLX_GZ.read_bytes())
    assert hashlib.sha256(data).hexdigest() == OKAPI_SDLX_SHA256  # the upstream file, unchanged
    path = directory / "sdl_tbx.tbx"
    path.write_bytes(data)
    return path


_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _local(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1]


def de_en_terms(path: Path, *, usable_only: bool = False) -> Counter[tuple[str, str]]:
    """Every non-empty German and English ``<term>`` of a TBX file (v2 or v3) as (language, text) with its count,
    read with lxml. With *usable_only*, only entries Glossator can import: a non-empty first German term and an
    English term (the others are skipped and listed on import)."""
    from lxml import etree

    found: Counter[tuple[str, str]] = Counter()
    for entry in etree.parse(str(path)).iter("{*}conceptEntry", "{*}termEntry"):
        terms: dict[str, list[str]] = {"de": [], "en": []}
        for section in entry:
            if _local(section.tag) not in ("langSet", "langSec"):
                continue
            language = (section.get(_XML_LANG) or "").replace("_", "-").split("-")[0].lower()
            if language in terms:
                terms[language] += ["".join(t.itertext()).strip() for t in section.iter("{*}term")]
        if usable_only and not (terms["de"] and terms["de"][0] and any(terms["en"])):
            continue
        for language, texts in terms.items():
            found.update((language, text) for text in texts if text)
    return found
