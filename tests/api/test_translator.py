"""The Python API at library level: Translator, typed term checks, the memory key, model choice and warnings."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from fakes import FakeEngine
from paths import CORPUS, REPO, TEST_MODEL_DIR

import glossator
from glossator.common.errors import ModelNotInstalledError, OutputError, UsageError
from glossator.common.settings import Settings
from glossator.glossary.model import Glossary, Term
from glossator.models.packages import install_package, model_notice, select_package
from glossator.translate.cache import cache_key

TEST_PACKAGE = TEST_MODEL_DIR / "de_en_glossator_test.argosmodel"
GLOSSARY = Glossary(
    (
        Term(source="Strategischer Dialog", target="Strategic Dialogue"),
        Term(source="Staat", target="state"),
        Term(source="IS", target="IS", case_sensitive=True),
    )
)


def fake_translator(table: dict[str, str], **kwargs: object) -> glossator.Translator:
    return glossator.Translator(glossary=GLOSSARY, engine=FakeEngine(table), **kwargs)  # type: ignore[arg-type]


def test_public_names() -> None:
    assert set(glossator.__all__) >= {"Translator", "Translation", "load_glossary", "score", "check"}
    assert (REPO / "glossator" / "py.typed").is_file()
    assert isinstance(glossator.__version__, str)


def test_translate_gives_typed_checks_with_source_and_target_spans() -> None:
    with fake_translator({"Der Strategische Dialog beginnt.": "The Strategic Dialogue begins."}) as translator:
        result = translator.translate("Der Strategische Dialog beginnt.")
    assert result.text == "The Strategic Dialogue begins."
    (check,) = result.checks
    segment = result.segments[0]
    assert check.status == "ok" and check.method == "as-is"
    assert segment.source[check.match.start : check.match.end] == "Strategische Dialog"
    assert check.target_span is not None
    assert segment.target[slice(*check.target_span)] == "Strategic Dialogue"


def test_whole_words_and_case_rules_hold_for_spans(tmp_path: Path) -> None:
    """'state' is not found inside 'statement'; the case-sensitive 'IS' is not the word 'is'."""
    src, out, terms = tmp_path / "a.de.txt", tmp_path / "a.en.txt", tmp_path / "g.yaml"
    src.write_text("Der Staat und der IS.\n", encoding="utf-8")
    out.write_text("The statement is clear.\n", encoding="utf-8")
    terms.write_text(
        "version: 1\nterms:\n- {source: Staat, target: state}\n- {source: IS, target: IS, case_sensitive: true}\n",
        encoding="utf-8",
    )
    report = glossator.check(src, out, terms)
    assert [(c.status, c.target_span) for c in report.checks] == [("missing", None), ("missing", None)]
    # With enforcement, the terms are put in as whole words, and the spans point at them.
    with fake_translator({"Der Staat und der IS.": "The statement is clear."}) as translator:
        result = translator.translate("Der Staat und der IS.")
    segment = result.segments[0]
    assert sorted(segment.target[slice(*c.target_span)] for c in result.checks if c.target_span) == ["IS", "state"]


def test_memory_is_reused_across_calls_and_keeps_typed_checks(tmp_path: Path) -> None:
    engine = FakeEngine({"Der Staat handelt.": "The state acts."})
    settings = Settings.from_env(cache_dir=tmp_path)
    with glossator.Translator(glossary=GLOSSARY, settings=settings, engine=engine) as translator:  # type: ignore[arg-type]
        first = translator.translate("Der Staat handelt.")
        second = translator.translate("Der Staat handelt.")
    assert len(engine.calls) == 1  # the second call came from the memory
    assert [s.cached for s in second.segments] == [True]
    assert second.checks == first.checks  # typed, spans included, back from the memory


def test_memory_key_covers_everything_that_changes_an_output() -> None:
    base = ("m@1", "sum", "beam=4", "g", "2", "Satz.")
    keys = {cache_key(*base)}
    for i in range(len(base)):
        changed = list(base)
        changed[i] += "x"
        keys.add(cache_key(*changed))
    assert len(keys) == len(base) + 1


# The digest of translate/enforce.py for each ENFORCEMENT_VERSION. A change to the enforcement module must come
# with a new version (so outputs of the old logic are not served from the memory) and its digest recorded here.
ENFORCEMENT_DIGESTS = {
    "2": "f737a647d27edaaaf714ab4389beb48ddcde6abd60a74992626f89437208445f",
    "3": "6ddadb7f671fcade7d433210d4c76918121157acdd73fd230c78edffa08a1d97",
    "4": "50e25ecd07761b102164d929099f2b8ca0678f1edba7c6eb424bd0fb58bf4109",
    "5": "5bc0d474b907ae79f2712ff0fd279b2cd5d46e6d12d90198754da9c2c06b7c67",
    "6": "05a2800c5725cdcbd7e344e0a9f97a55d7fb9c9ead8bc719be6d165e92b60f47",
}


def test_enforcement_changes_bump_the_enforcement_version() -> None:
    from glossator.translate.enforce import ENFORCEMENT_VERSION

    digest = hashlib.sha256((REPO / "translate" / "enforce.py").read_bytes()).hexdigest()
    assert ENFORCEMENT_DIGESTS.get(ENFORCEMENT_VERSION) == digest, (
        f"translate/enforce.py changed (sha256 {digest}) but ENFORCEMENT_VERSION is still {ENFORCEMENT_VERSION!r}: "
        "bump it and record the new digest in ENFORCEMENT_DIGESTS"
    )


def test_translate_files_never_overwrites_a_glossary(tmp_path: Path) -> None:
    glossary = tmp_path / "house.yaml"
    glossary.write_bytes((CORPUS / "glossary.yaml").read_bytes())
    source = tmp_path / "a.de.txt"
    source.write_text("Der Staat handelt.\n", encoding="utf-8")
    translator = glossator.Translator(glossary=glossary, engine=FakeEngine())  # type: ignore[arg-type]
    with translator, pytest.raises(OutputError, match="a file this run reads"):
        translator.translate_file(source, glossary, force=True)
    assert glossary.read_bytes() == (CORPUS / "glossary.yaml").read_bytes()


def test_translate_file_writes_the_output_beside_the_input(tmp_path: Path) -> None:
    source = tmp_path / "a.de.txt"
    source.write_text("Der Staat handelt.\n", encoding="utf-8")
    with fake_translator({"Der Staat handelt.": "The state acts."}) as translator:
        result = translator.translate_file(source)
    assert result.output == tmp_path / "a.en.txt"
    assert (tmp_path / "a.en.txt").read_text(encoding="utf-8") == "The state acts.\n"
    with fake_translator({}) as translator, pytest.raises(OutputError, match="output exists"):
        translator.translate_file(source)


def test_unknown_format_is_a_usage_error() -> None:
    with fake_translator({}) as translator, pytest.raises(UsageError):
        translator.translate("Satz.", fmt="docx")


def test_model_choice_and_the_test_model_warning(tmp_path: Path) -> None:
    settings = Settings.from_env()
    info = install_package(TEST_PACKAGE, settings)
    for choice in ("de_en_glossator_test", "translate-de_en", "de-en", str(info.path)):
        assert select_package(settings.with_(model=choice)).path == info.path
    with pytest.raises(ModelNotInstalledError, match="no such installed package"):
        select_package(settings.with_(model="fr_en_nothing"))
    notice = model_notice(info)
    assert notice is not None and notice.startswith("test model: de_en_glossator_test 1.0")
    with glossator.Translator(model="de_en_glossator_test", glossary=CORPUS / "glossary.yaml") as translator:
        result = translator.translate("Der Strategische Dialog soll die Beziehungen umfassend behandeln.")
    assert "Strategic Dialogue" in result.text
    assert result.warnings[0] == notice
    assert result.to_dict()["model_warning"] == notice


def test_score_and_check_functions(tmp_path: Path) -> None:
    report = glossator.score(
        ["The Strategic Dialogue begins."],
        [["The Strategic Dialogue begins."]],
        sources=["Der Strategische Dialog beginnt."],
        glossary=CORPUS / "glossary.yaml",
        bootstrap=0,
    )
    assert round(report.metric("BLEU").score, 6) == 100.0 and report.term_accuracy["exact"] == 1.0  # type: ignore[index]
    src, out = tmp_path / "a.de.txt", tmp_path / "a.en.txt"
    src.write_text("Der Strategische Dialog beginnt.\nDie Terrormiliz greift an.\n", encoding="utf-8")
    out.write_text("The strategic dialog begins.\nThe terror militia attacks.\n", encoding="utf-8")
    checked = glossator.check(src, out, CORPUS / "glossary.yaml")
    # "strategic dialog" and "terror militia" are the corpus glossary's forbidden renderings.
    assert (checked.missing, checked.forbidden) == (0, 2)
    assert checked.findings()[0] == (
        f'{out}:1: forbidden "strategic dialog" for "Strategische Dialog" ({src}:1); use "Strategic Dialogue"'
    )
