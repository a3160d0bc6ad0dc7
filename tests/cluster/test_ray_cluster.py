"""Translation through a real two-node Ray cluster on 127.0.0.1 (issue 15): the outputs, the term checks and the
memory are those of a local run, also when a decoder process is killed mid-run."""

from __future__ import annotations

import dataclasses
import io
import json
import os
import shutil
import signal
import tempfile
import threading
import time
import uuid
import zipfile
from pathlib import Path

import pytest
from paths import CORPUS, REPO
from paths import SMALL_MODEL as SMALL

from glossator.common.errors import ModelPackageError
from glossator.common.settings import Settings
from glossator.glossary.io import load_glossary
from glossator.models.packages import PackageInfo, install_package, package_checksum
from glossator.translate.engine import CT2Engine, load_engine
from glossator.translate.pipeline import DocumentInput, translate_documents
from glossator.translate.ray_engine import RayEngine, _Decoder, _shipped_folder, _zip_folder

pytestmark = pytest.mark.slow

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
        # Both nodes see the package folder (one file system): each decoder uses it, nothing is zipped or shipped.
        assert remote.package_sources == ["path", "path"]
        assert remote.shipped_bytes == 0
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


def _unique_copy(package: PackageInfo, where: Path) -> PackageInfo:
    """A copy of *package* with a checksum no node has seen (one more file in model/, which CTranslate2 ignores), so
    no node has it installed or kept from an earlier run."""
    assert package.path is not None
    shutil.copytree(package.path, where)
    (where / "model" / "run.txt").write_text(uuid.uuid4().hex, encoding="utf-8")
    return dataclasses.replace(package, path=where)


def test_a_node_without_the_package_gets_it_shipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The decoder as a plain object: the package path does not exist "on this node", the zip bytes are used.
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "node-temp"))  # this "node's" temp folder
    (tmp_path / "node-temp").mkdir()
    install_package(SMALL, Settings.from_env())
    engine = load_engine(Settings.from_env())
    package = _unique_copy(engine.package, tmp_path / "driver" / "pkg")
    checksum = package_checksum(package)
    shipped = _zip_folder(Path(str(package.path)))
    with zipfile.ZipFile(io.BytesIO(shipped)) as zf:
        assert "model/model.bin" in zf.namelist()
    elsewhere = dataclasses.replace(package, path=tmp_path / "not-on-this-node")
    assert _Decoder(elsewhere, checksum, None, engine.decode, 1, (6000, 32)).ready() is None  # lacks it: ask
    decoder = _Decoder(elsewhere, checksum, shipped, engine.decode, 1, (6000, 32))
    assert decoder.ready() == "shipped"
    assert decoder.engine is not None and decoder.engine.package.path == _shipped_folder(checksum)
    assert str(decoder.engine.package.path).startswith(str(tmp_path / "node-temp"))
    assert package_checksum(decoder.engine.package) == checksum
    sentence = ["Der Strategische Dialog beginnt."]
    assert decoder.translate(sentence, 1, None, False)[0][0].text == engine.translate(sentence)[0][0].text
    # A later decoder on this node finds the kept copy: nothing to ship again.
    again = _Decoder(elsewhere, checksum, None, engine.decode, 1, (6000, 32))
    assert again.ready() == "shipped" and again.engine is not None
    assert again.engine.package.path == _shipped_folder(checksum)
    # The package installed on the node (same name, version and checksum) counts too, wherever it lies.
    installed = dataclasses.replace(engine.package, path=tmp_path / "not-on-this-node")
    assert _Decoder(installed, engine.model_checksum, None, engine.decode, 1, (6000, 32)).ready() == "installed"


def test_a_shipped_package_that_differs_from_the_drivers_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    install_package(SMALL, Settings.from_env())
    engine = load_engine(Settings.from_env())
    package = _unique_copy(engine.package, tmp_path / "pkg")
    checksum = package_checksum(package)
    (tmp_path / "pkg" / "model" / "run.txt").write_text("changed after the driver took its checksum", encoding="utf-8")
    elsewhere = dataclasses.replace(package, path=tmp_path / "not-on-this-node")
    with pytest.raises(ModelPackageError, match="another checksum than the driver's"):
        _Decoder(elsewhere, checksum, _zip_folder(tmp_path / "pkg"), engine.decode, 1, (6000, 32))
    assert not _shipped_folder(checksum).exists() and list(tmp_path.iterdir()) == [tmp_path / "pkg"]


def test_a_foreign_folder_where_the_package_is_kept_is_left_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "node-temp"))
    (tmp_path / "node-temp").mkdir()
    install_package(SMALL, Settings.from_env())
    engine = load_engine(Settings.from_env())
    package = _unique_copy(engine.package, tmp_path / "pkg")
    checksum = package_checksum(package)
    squatter = _shipped_folder(checksum)
    squatter.mkdir()
    (squatter / "metadata.json").write_text("{}", encoding="utf-8")  # not this package: neither used nor removed
    elsewhere = dataclasses.replace(package, path=tmp_path / "not-on-this-node")
    decoder = _Decoder(elsewhere, checksum, _zip_folder(tmp_path / "pkg"), engine.decode, 1, (6000, 32))
    assert decoder.ready() == "shipped" and decoder.engine is not None
    assert decoder.engine.package.path not in (squatter, None)
    assert package_checksum(decoder.engine.package) == checksum
    assert [p.name for p in squatter.iterdir()] == ["metadata.json"]
    sentence = ["Der Strategische Dialog beginnt."]
    assert decoder.translate(sentence, 1, None, False)[0][0].text == engine.translate(sentence)[0][0].text


def test_the_cluster_ships_the_package_only_to_nodes_without_it(ray_cluster: str, tmp_path: Path) -> None:
    install_package(SMALL, Settings.from_env())
    engine = load_engine(Settings.from_env().with_(workers=1))
    package = _unique_copy(engine.package, tmp_path / "pkg")
    checksum = package_checksum(package)
    # A folder only this process sees: /proc/self/fd/N is this process's open file N, which in a decoder's process
    # is another file or none, so "the node lacks the package" for every decoder.
    handle = os.open(tmp_path / "pkg", os.O_RDONLY)
    driver_only = dataclasses.replace(package, path=Path(f"/proc/self/fd/{handle}"))
    sentences = [line for line in WMT.read_text(encoding="utf-8").splitlines() if line.strip()][:12]
    expected = [hyps[0].text for hyps in engine.translate(sentences)]
    try:
        for run in (1, 2):
            remote = RayEngine(package=driver_only, address=ray_cluster, decode=engine.decode)
            try:
                assert remote.model_checksum == checksum and len(remote.actor_pids()) == 2
                assert remote.package_sources == ["shipped", "shipped"]
                # The first run zips and ships it; the second finds the copy each node kept: nothing shipped.
                assert (remote.shipped_bytes > 1_000_000) == (run == 1), remote.shipped_bytes
                assert [hyps[0].text for hyps in remote.translate(sentences)] == expected
            finally:
                remote.close()
    finally:
        os.close(handle)
        shutil.rmtree(_shipped_folder(checksum), ignore_errors=True)  # the nodes' temp folder is this machine's


LOCAL_RUN = """
import json, os, sys
import psutil, ray
from glossator.common.settings import Settings
from glossator.translate.engine import load_engine
from glossator.translate.ray_engine import RayEngine
local = load_engine(Settings.from_env().with_(workers=1))
sentences = json.loads(sys.argv[1])
remote = RayEngine(package=local.package, address="local", actors=1, decode=local.decode)
try:
    [pid] = remote.actor_pids()
    same = remote.translate(sentences, same_length=True) == local.translate(sentences, same_length=True)
    print(json.dumps({"nice": [psutil.Process(pid).nice(), os.nice(0)], "same": same,
                      "gcs": ray.get_runtime_context().gcs_address}))
finally:
    remote.close()
"""


def test_local_starts_a_ray_instance_here_with_decoders_at_the_drivers_priority(ray_cluster: str) -> None:
    import subprocess
    import sys

    install_package(SMALL, Settings.from_env())
    sentences = [line for line in WMT.read_text(encoding="utf-8").splitlines() if line.strip()][:8]
    # In a process of its own: after a Ray instance of its own, Ray 2.x in the same process cannot join another
    # cluster. RAY_ADDRESS names the test cluster: "local" is a new instance all the same.
    env = {**os.environ, "RAY_ADDRESS": ray_cluster}
    run = subprocess.run(
        [sys.executable, "-c", LOCAL_RUN, json.dumps(sentences)], env=env, capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stderr[-3000:]
    report = json.loads([line for line in run.stdout.splitlines() if line.startswith("{")][-1])
    # Ray's default puts workers 15 steps nicer than the raylet: other jobs would take the decoders' cores.
    assert report["nice"][0] == report["nice"][1]
    assert report["same"] is True
    assert report["gcs"] != ray_cluster and not report["gcs"].endswith(ray_cluster.rpartition(":")[2])


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
