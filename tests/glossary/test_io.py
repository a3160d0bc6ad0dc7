import pytest
from paths import CORPUS

from glossator.common.errors import GlossaryError, InputFileError
from glossator.glossary.io import load_glossaries, load_glossary, save_glossary
from glossator.glossary.model import Glossary, Term


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_curated_glossary_loads_with_all_required_terms():
    glossary = load_glossary(CORPUS / "glossary.yaml")
    sources = {t.source for t in glossary.terms}
    for needed in (
        "Strategischer Dialog",
        "Terrormiliz",
        "Islamischer Staat",
        "IS",
        "Truppenstärke",
        "Truppenreduzierung",
        "Stützpunkt",
        "Sondergesandter",
        "Dschihadist",
        "Ministerpräsident",
        "Geheimdienstchef",
        "Drohnenangriff",
        "Milizenführer",
        "Krisenland",
        "Wiedererstarken",
        "Corona-Krise",
        "Bagdad",
        "Kassem Soleimani",
    ):
        assert needed in sources
    assert glossary.terms[0].origin.endswith("glossary.yaml:7")


@pytest.mark.parametrize("ext", ["yaml", "tsv", "csv"])
def test_round_trip_keeps_every_field(tmp_path, ext):
    glossary = Glossary(
        terms=(
            Term(
                "Terrormiliz",
                "terrorist militia",
                target_plural="terrorist militias",
                forbidden=("terror militia",),
                tags=("security",),
                note="DPA; style",
                status="proposed",
            ),
            Term("IS", "IS", case_sensitive=True),
            Term("Corona-Krise", "coronavirus crisis", variants=("Coronakrise",)),
        )
    )
    save_glossary(glossary, tmp_path / f"g.{ext}")
    assert load_glossary(tmp_path / f"g.{ext}").terms == glossary.terms


def test_deepl_two_column_tsv(tmp_path):
    path = write(tmp_path, "g.tsv", "Terrormiliz\tterrorist militia\nBagdad\tBaghdad\n")
    assert [(t.source, t.target) for t in load_glossary(path).terms] == [
        ("Terrormiliz", "terrorist militia"),
        ("Bagdad", "Baghdad"),
    ]


def test_later_glossary_wins(tmp_path):
    a = write(tmp_path, "a.tsv", "Bagdad\tBagdad\nIrak\tIraq\n")
    b = write(tmp_path, "b.tsv", "Bagdad\tBaghdad\n")
    merged = {t.source: t.target for t in load_glossaries([a, b]).terms}
    assert merged == {"Bagdad": "Baghdad", "Irak": "Iraq"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("version: 1\nterms:\n  - source: A\n    target: [b\n", r"g\.yaml:\d+:\d+: invalid YAML"),
        ("version: 1\nterms:\n  - source: Terrormiliz\n", r"g\.yaml:3: entry 'Terrormiliz' has no target"),
        ("version: 1\nterms:\n- {source: A, target: a}\n- {source: a, target: b}\n", r"g\.yaml:4: duplicate entry 'a'"),
        ("version: 1\nterms: !!python/object:os.system {}\n", r"invalid YAML"),
        ("version: 2\nterms: []\n", "version 2 is not supported"),
        ("version: 1\nterms:\n- {source: A, target: a, status: maybe}\n", "status of 'A' must be one of"),
    ],
)
def test_bad_yaml_is_refused_with_file_and_line(tmp_path, text, message):
    with pytest.raises(GlossaryError, match=message):
        load_glossary(write(tmp_path, "g.yaml", text))


def test_unknown_fields_warn_and_survive_round_trip(tmp_path):
    path = write(tmp_path, "g.yaml", "version: 1\nterms:\n- source: A\n  target: a\n  reviewer: kim\n")
    glossary = load_glossary(path)
    assert glossary.extra["warnings"] == [f"{path}:3: unknown field 'reviewer' in 'A' (kept as is)"]
    save_glossary(glossary, tmp_path / "out.yaml")
    assert "reviewer: kim" in (tmp_path / "out.yaml").read_text()


def test_binary_and_non_utf8_files_are_refused(tmp_path):
    (tmp_path / "b.yaml").write_bytes(b"\x00\x01\x02PK")
    (tmp_path / "l.tsv").write_bytes("Stützpunkt\tbase\n".encode("latin-1"))
    with pytest.raises(InputFileError):
        load_glossary(tmp_path / "b.yaml")
    with pytest.raises(InputFileError, match="--encoding"):
        load_glossary(tmp_path / "l.tsv")


@pytest.mark.slow
def test_ten_thousand_entries(tmp_path):
    glossary = Glossary(terms=tuple(Term(f"Begriff{i}", f"term {i}") for i in range(10_000)))
    save_glossary(glossary, tmp_path / "big.yaml")
    assert len(load_glossary(tmp_path / "big.yaml")) == 10_000


def test_missing_file_and_unknown_extension(tmp_path):
    with pytest.raises(GlossaryError, match="not found"):
        load_glossary(tmp_path / "nope.yaml")
    with pytest.raises(GlossaryError, match="unknown glossary format"):
        load_glossary(write(tmp_path, "g.json", "{}"))
