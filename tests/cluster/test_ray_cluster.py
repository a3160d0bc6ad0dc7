"""Translation through a real two-node Ray cluster on 127.0.0.1 (issue 15): the outputs, the term checks and the
memory are those of a local run, also when a decoder process is killed mid-run."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import threading
import time
import zipfile
from pathlib import Path

import pytest
from paths import CORPUS, REPO

from glossator.common.settings import Settings
from glossator.glossary.io import load_glossary
from glossator.models.packages import install_package, package_checksum
from glossator.translate.engine import CT2Engine, load_engine
from glossator.translate.pipeline import DocumentInput, translate_documents
from glossator.translate.ray_engine import RayEngine, _Decoder

pytestmark = pytest.mark.slow

SMALL = REPO / "models" / "de_en_small" / "de_en_glossator_small.argosmodel"
WMT = REPO / "tests" / "data" / "wmt" / "newstest2021.de-en.de"


def _inputs() -> list[DocumentInput]:
    lines = [line for line in WMT.read_text(encoding="utf-8").splitlines() if line.strip()]
    article = (CORPUS / "iraq-troops.de.txt").read_text(encoding="utf-8")
    markdown = "# Bericht\n\nDer **Strategische Dialog** beginnt. Siehe [Quelle](https://example.org/a).\n\n" + article
    return [
        DocumentInput("news.de.txt", "\n".join(lines[:60]) + "\n", "lines"),
        DocumentInput("article.de.txt", article, "txt"),
        DocumentInput("report.de.md", markdown, "md"),
    ]


@pytest.fixture
def engine_and_settings(tmp_path: Path) -> tuple[CT2Engine, Settings]:
    install_package(SMALL, Settings.from_env())
    settings = Settings.from_env(use_cache=False).with_(workers=1)
    return load_engine(settings), settings


def _run(engine: object, settings: Settings) -> list[tuple[str, list[tuple[str, str]]]]:
    glossary = load_glossary(CORPUS / "glossary.yaml")
    results = translate_documents(_inputs(), settings, glossary, engine=engine)  # type: ignore[arg-type]
    return [(r.text, [(c.match.surface, c.status) for s in r.segments for c in s.checks]) for r in results]


def test_a_two_node_cluster_gives_the_local_output(
    ray_cluster: str, engine_and_settings: tuple[CT2Engine, Settings]
) -> None:
    local, settings = engine_and_settings
    expected = _run(local, settings)
    remote = RayEngine(package=local.package, address=ray_cluster, decode=local.decode)
    try:
        assert len(remote.actor_pids()) == 2  # one decoder per node's CPU
        assert _run(remote, settings) == expected
    finally:
        remote.close()


def test_a_decoder_killed_mid_run_loses_and_doubles_nothing(
    ray_cluster: str, engine_and_settings: tuple[CT2Engine, Settings]
) -> None:
    local, settings = engine_and_settings
    # Small batches, so the run has many and the kill lands between and inside them; the same limits on both
    # sides (the batches decide the output).
    local = dataclasses.replace(local, max_batch_sentences=4)
    expected = _run(local, settings)
    remote = RayEngine(package=local.package, address=ray_cluster, decode=local.decode, max_batch_sentences=4)
    try:
        victim = remote.actor_pids()[0]
        killed = threading.Event()

        def kill_soon() -> None:
            time.sleep(1.0)
            os.kill(victim, signal.SIGKILL)
            killed.set()

        killer = threading.Thread(target=kill_soon)
        killer.start()
        started = time.monotonic()
        got = _run(remote, settings)
        killer.join()
        assert killed.is_set() and time.monotonic() - started > 1.0, "the run ended before the kill"
        assert got == expected
        assert victim not in remote.actor_pids()  # replaced
    finally:
        remote.close()


def test_a_node_without_the_package_gets_it_shipped(tmp_path: Path) -> None:
    # The decoder as a plain object: the package path does not exist "on this node", the zip bytes are used.
    install_package(SMALL, Settings.from_env())
    engine = load_engine(Settings.from_env())
    package = engine.package
    assert package.path is not None
    from glossator.translate.ray_engine import _zip_folder

    shipped = _zip_folder(Path(package.path))
    with zipfile.ZipFile(__import__("io").BytesIO(shipped)) as zf:
        assert "model/model.bin" in zf.namelist()
    elsewhere = package.__class__(**{**package.__dict__, "path": tmp_path / "not-on-this-node"})
    decoder = _Decoder(elsewhere, package_checksum(package), shipped, engine.decode, 1, (6000, 32))
    assert decoder.engine.package.path != package.path
    assert package_checksum(decoder.engine.package) == package_checksum(package)
    sentence = ["Der Strategische Dialog beginnt."]
    assert decoder.translate(sentence, 1, None, False)[0][0].text == engine.translate(sentence)[0][0].text


def test_the_cli_translates_a_directory_through_the_cluster(ray_cluster: str, tmp_path: Path) -> None:
    from clirun import run_cli

    install_package(SMALL, Settings.from_env())
    inputs = tmp_path / "in"
    inputs.mkdir()
    for document in _inputs():
        (inputs / document.name).write_text(document.text, encoding="utf-8")
    glossary = str(CORPUS / "glossary.yaml")
    common = ["-g", glossary, "--no-cache", "--json", "-q"]
    local = run_cli(["translate", str(inputs), "-o", str(tmp_path / "local"), *common])
    remote = run_cli(["translate", str(inputs), "-o", str(tmp_path / "ray"), "--ray", ray_cluster, *common])
    assert (local.exit_code, remote.exit_code) == (0, 0), remote.stderr
    local_json, remote_json = json.loads(local.stdout), json.loads(remote.stdout)
    assert [d["segments"] for d in remote_json] == [d["segments"] for d in local_json]  # term checks included
    for path in sorted((tmp_path / "local").iterdir()):
        assert (tmp_path / "ray" / path.name).read_bytes() == path.read_bytes()
    assert len(list((tmp_path / "ray").iterdir())) == 3


def test_an_unreachable_cluster_is_a_one_line_error(ray_installed: None, tmp_path: Path) -> None:
    from clirun import run_cli

    install_package(SMALL, Settings.from_env())
    source = tmp_path / "a.de.txt"
    source.write_text("Hallo.\n", encoding="utf-8")
    result = run_cli(["translate", str(source), "-o", str(tmp_path / "a.en.txt"), "--ray", "127.0.0.1:1", "-q"])
    assert result.exit_code == 9
    assert result.stderr.startswith("Error: cannot reach the Ray cluster at 127.0.0.1:1 (Connection refused).")
    assert result.stderr.count("\n") == 1 and not (tmp_path / "a.en.txt").exists()


def test_without_the_ray_extra_ray_is_a_one_line_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Runs everywhere: Ray made unimportable, as in a plain install.
    import sys

    from clirun import run_cli

    for name in [m for m in sys.modules if m == "ray" or m.startswith("ray.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "ray", None)
    install_package(SMALL, Settings.from_env())
    source = tmp_path / "a.de.txt"
    source.write_text("Hallo.\n", encoding="utf-8")
    result = run_cli(["translate", str(source), "-o", str(tmp_path / "a.en.txt"), "--ray", "local", "-q"])
    assert (result.exit_code, result.stderr) == (
        9,
        "Error: --ray needs Ray, which is not installed. Install the extra: pip install 'glossator[ray]'\n",
    )
    assert not (tmp_path / "a.en.txt").exists()
