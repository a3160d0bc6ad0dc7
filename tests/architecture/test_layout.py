"""The distribution and the architecture: one import package, layers without circles, the API as README shows it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest
from paths import CORPUS, REPO, TEST_MODEL_DIR

BIN = Path(sys.executable).parent


def test_layer_contract_holds() -> None:
    """import-linter's contracts in pyproject.toml: CLI → API → quality → translation path → models | term base →
    common, and only the CLI imports typer/rich."""
    lint = shutil.which("lint-imports", path=str(BIN)) or shutil.which("lint-imports")
    assert lint, "import-linter is a test dependency: pip install -e '.[test]'"
    result = subprocess.run([lint], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout or " broken" not in result.stdout


def test_no_import_cycles() -> None:
    """No module of glossator reaches itself again through imports (lazy imports inside functions included)."""
    import grimp

    graph = grimp.build_graph("glossator")
    cycles = []
    for module in sorted(graph.modules):
        for imported in graph.find_modules_directly_imported_by(module):
            if imported == "glossator" or module == "glossator":
                continue  # the package root only re-exports the API, lazily
            if graph.chain_exists(importer=imported, imported=module):
                cycles.append(f"{module} -> {imported} -> ... -> {module}")
    assert cycles == []


@pytest.mark.slow
def test_wheel_holds_only_glossator(tmp_path: Path) -> None:
    pip = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q"]
    subprocess.run(
        [*pip, str(REPO), "-w", str(tmp_path)],
        check=True,
        timeout=300,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("glossator-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    tops = {name.split("/")[0] for name in names}
    assert tops == {"glossator", next(t for t in tops if t.endswith(".dist-info"))}
    # The customer's folders are inside, as glossator.translate and glossator.glossary, with the typing marker.
    for needed in ("glossator/translate/pipeline.py", "glossator/glossary/match.py", "glossator/py.typed"):
        assert needed in names


@pytest.mark.slow  # a fresh interpreter
def test_translate_toolkit_and_glossator_work_in_one_environment(tmp_path: Path) -> None:
    """translate-toolkit (installed by the test extra) owns the top-level name ``translate``; Glossator must not
    shadow or overwrite it. A fresh interpreter outside the repository uses both on one PO file."""
    po = tmp_path / "messages.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Der Strategische Dialog beginnt."\nmsgstr ""\n',
        encoding="utf-8",
    )
    script = textwrap.dedent(
        f"""
        import translate, glossator
        from translate.storage import po
        assert "site-packages" in translate.__file__, translate.__file__
        store = po.pofile.parsefile({str(po)!r})
        units = [u for u in store.units if not u.isheader()]
        glossary = glossator.load_glossary({str(CORPUS / "glossary.yaml")!r})
        report = glossator.score(["The Strategic Dialogue begins."], [["The Strategic Dialogue begins."]],
                                 sources=[units[0].source], glossary=glossary, bootstrap=0)
        print(units[0].source, "|", report.term_accuracy["exact"])
        """
    )
    # A user's interpreter: no PYTHONPATH pointing into a source tree (which would put a `translate/` first).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=120, env=env
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "Der Strategische Dialog beginnt. | 1.0"


def _readme_api_example() -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Python API", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match, "README's Python API section has a python code block"
    return match.group(1)


def test_readme_api_example_runs_verbatim(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """README's API example, run as written from the repository root with the test model installed."""
    from glossator.common.settings import Settings
    from glossator.models.packages import install_package

    install_package(TEST_MODEL_DIR / "de_en_glossator_test.argosmodel", Settings.from_env())
    monkeypatch.chdir(REPO)
    namespace: dict[str, object] = {}
    exec(compile(_readme_api_example(), "README.md", "exec"), namespace)
    result = namespace["result"]
    assert "Strategic Dialogue" in result.text  # type: ignore[attr-defined]
    statuses = [c.status for s in result.segments for c in s.checks]  # type: ignore[attr-defined]
    assert statuses and all(status in ("ok", "enforced") for status in statuses)
