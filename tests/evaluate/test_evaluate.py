"""evaluate: manifest errors, report formats, gates and baseline comparison (real test model)."""

import json
import xml.etree.ElementTree as ET

import pytest
from clirun import run
from paths import CORPUS, TEST_MODEL_DIR

from glossator.common.settings import Settings
from glossator.models.packages import install_package


@pytest.fixture
def model():
    install_package(TEST_MODEL_DIR / "de_en_glossator_test.argosmodel", Settings.from_env())




def manifest(tmp_path, body, glossary=None):
    for name in ("iraq-troops.de.txt", "iraq-troops.en.txt", "iraq-troops.refB.en.txt"):
        (tmp_path / name).write_text((CORPUS / name).read_text(encoding="utf-8"), encoding="utf-8")
    if glossary is not None:
        (tmp_path / "glossary.yaml").write_text(glossary, encoding="utf-8")
    path = tmp_path / "manifest.yaml"
    path.write_text(body, encoding="utf-8")
    return path


GOOD = """version: 1
glossary: glossary.yaml
documents:
  - id: iraq-troops
    source: iraq-troops.de.txt
    references: [iraq-troops.en.txt, iraq-troops.refB.en.txt]
"""


def test_all_formats_written_and_consistent(model, tmp_path):
    result = run(
        "evaluate",
        CORPUS / "manifest.yaml",
        "-f",
        "markdown",
        "-f",
        "json",
        "-f",
        "junit",
        "-f",
        "table",
        "-o",
        tmp_path / "rep",
        "--bootstrap",
        "100",
        "--min-term-accuracy",
        "100",
        "--max-violations",
        "0",
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("document")  # the summary table, then the written paths
    assert "/rep/report.json" in result.stdout.splitlines()[-1]
    report = json.loads((tmp_path / "rep" / "report.json").read_text())
    assert report["schema_version"] == 1 and report["model"] == "de_en_glossator_test@1.0"
    assert report["documents"][0]["scores"]["term_accuracy"]["exact"] == 1.0
    assert "nrefs:2" in report["documents"][0]["scores"]["metrics"]["BLEU"]["signature"]
    suite = ET.fromstring((tmp_path / "rep" / "report.xml").read_text())
    assert suite.get("tests") == "3" and suite.get("failures") == "0"
    assert "iraq-troops" in (tmp_path / "rep" / "report.txt").read_text()


@pytest.mark.slow
def test_gate_failure_exits_7_with_reason(model):
    result = run("evaluate", CORPUS / "manifest.yaml", "--bootstrap", "0", "--min-bleu", "99")
    assert result.exit_code == 7
    assert "BLEU 54.53 is below --min-bleu 99" in result.stderr


@pytest.mark.slow
def test_baseline_comparison_flags_a_significant_drop(model, tmp_path):
    assert (
        run("evaluate", CORPUS / "manifest.yaml", "-f", "json", "-o", tmp_path / "a", "--bootstrap", "0").exit_code == 0
    )
    baseline = json.loads((tmp_path / "a" / "report.json").read_text())
    doc = baseline["documents"][0]
    doc["hypotheses"] = [row["references"][0] for row in doc["rows"]]  # a much better baseline
    (tmp_path / "base.json").write_text(json.dumps(baseline))
    result = run("evaluate", CORPUS / "manifest.yaml", "--baseline", tmp_path / "base.json", "--bootstrap", "0")
    assert result.exit_code == 7 and "dropped significantly" in result.stderr
    same = run("evaluate", CORPUS / "manifest.yaml", "--baseline", tmp_path / "a" / "report.json", "--bootstrap", "0")
    assert same.exit_code == 0


@pytest.mark.parametrize(
    ("body", "glossary", "message"),
    [
        (GOOD.replace("iraq-troops.en.txt,", "missing.en.txt,"), "version: 1\nterms: []\n", "names a missing file"),
        (GOOD, "version: 1\nterms:\n  - source: [A\n", "glossary.yaml:"),
        ("version: 1\ndocuments: []\n", None, "non-empty 'documents' list"),
        ("documents: [\n", None, "invalid YAML in manifest"),
    ],
)
def test_bad_manifests(model, tmp_path, body, glossary, message):
    result = run("evaluate", manifest(tmp_path, body, glossary))
    assert result.exit_code == 3, result.output
    assert message in result.stderr


def test_mismatched_reference_paragraphs(model, tmp_path):
    path = manifest(tmp_path, GOOD, "version: 1\nterms: []\n")
    (tmp_path / "iraq-troops.en.txt").write_text("Only one paragraph.\n", encoding="utf-8")
    result = run("evaluate", path)
    assert result.exit_code == 3 and "has 1 paragraphs but" in result.stderr


def test_old_baseline_schema_is_refused_before_translating(tmp_path):
    (tmp_path / "old.json").write_text(json.dumps({"schema_version": 0, "documents": []}))
    result = run("evaluate", CORPUS / "manifest.yaml", "--baseline", tmp_path / "old.json")
    assert result.exit_code == 3 and "report schema version 0" in result.stderr


def test_unusable_report_directory_is_refused_before_translating(tmp_path):
    blocker = tmp_path / "report"
    blocker.write_text("not a directory", encoding="utf-8")
    # No model is installed: the -o check must come first, so the error is about -o, not the model.
    result = run("evaluate", CORPUS / "manifest.yaml", "-f", "html", "-o", blocker)
    assert result.exit_code == 5
    assert f"{blocker}: cannot use as the report directory" in result.stderr
    assert blocker.read_text(encoding="utf-8") == "not a directory"
