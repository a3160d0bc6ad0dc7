"""``--workers``: engine batches decoded in parallel by CTranslate2 workers (inter_threads) sharing one model.

The output must not depend on the number of workers: each planned batch is decoded whole by one worker, so one
and two workers give byte-identical files, with the test model and the project's small real model, with a
glossary (the n-best, alignment and prefix steps) and without.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from clirun import run, run_cli
from paths import CORPUS, REPO, TEST_MODEL_DIR, WMT_EXCERPTS
from paths import SMALL_MODEL as SMALL_PACKAGE

from glossator.api import Translator
from glossator.common.errors import UsageError
from glossator.common.settings import Settings, available_cores
from glossator.models.packages import install_package
from glossator.translate.engine import load_engine, plan_batches

TEST_PACKAGE = TEST_MODEL_DIR / "de_en_glossator_test.argosmodel"
ARTICLE = CORPUS / "iraq-troops.de.txt"
# Terms that occur in the WMT excerpts, with renderings the small model would not choose: every path of the
# enforcement cascade (n-best, repair, alignment, target prefix) runs on them.
WMT_GLOSSARY = """version: 1
terms:
- source: Regierung
  target: administration
- source: Polizei
  target: law enforcement
- source: Präsident
  target: head of state
- source: Menschen
  target: persons
  target_plural: persons
- source: Stadt
  target: municipality
"""


@pytest.fixture
def test_model() -> None:
    install_package(TEST_PACKAGE, Settings.from_env())


@pytest.fixture
def wmt_lines(tmp_path: Path) -> Path:
    """The 320 German lines of the newstest2020/2021 excerpts as one file."""
    lines = [
        line for year in (2020, 2021) for line in (WMT_EXCERPTS / f"newstest{year}.de-en.de").read_text().splitlines()
    ]
    assert len(lines) == 320
    path = tmp_path / "wmt.de.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# --- parsing and defaults ---------------------------------------------------------------------------------------


def test_default_is_the_physical_cores(monkeypatch):
    monkeypatch.delenv("GLOSSATOR_WORKERS", raising=False)
    cores = available_cores()
    assert 1 <= cores <= len(os.sched_getaffinity(0))
    assert Settings.from_env().workers == cores


def test_environment_variable_sets_workers_and_reaches_the_engine(test_model, monkeypatch):
    monkeypatch.setenv("GLOSSATOR_WORKERS", "3")
    settings = Settings.from_env()
    assert settings.workers == 3
    engine = load_engine(settings)
    assert engine.workers == 3
    translator, _ = engine._load()
    assert translator.num_translators == 3  # CTranslate2 made three workers


def test_option_beats_environment_and_reaches_the_engine(test_model, monkeypatch):
    monkeypatch.setenv("GLOSSATOR_WORKERS", "3")
    seen = []
    original = load_engine

    def spy(settings):  # type: ignore[no-untyped-def]
        engine = original(settings)
        seen.append((settings.workers, engine.workers))
        return engine

    monkeypatch.setattr("glossator.translate.engine.load_engine", spy)
    result = run("translate", "-", "--workers", "2", "--no-cache", input="Gehen oder bleiben?\n")
    assert result.exit_code == 0, result.output
    assert result.stdout == "Go or stay?\n"
    assert seen == [(2, 2)]


def test_api_takes_workers(test_model, monkeypatch):
    monkeypatch.delenv("GLOSSATOR_WORKERS", raising=False)
    with Translator(workers=2, use_memory=False) as translator:
        assert translator.settings.workers == 2
        assert translator.translate("Gehen oder bleiben?").text == "Go or stay?"
        assert translator.engine.workers == 2
    with pytest.raises(UsageError, match="workers=0: give a positive whole number"):
        Translator(workers=0, use_memory=False)


@pytest.mark.parametrize("value", ["0", "-1", "abc", "1.5", ""])
@pytest.mark.parametrize("command", ["translate", "evaluate"])
def test_bad_option_is_a_one_line_usage_error(test_model, tmp_path, value, command):
    out = tmp_path / "out"
    target = [ARTICLE, "-o", out] if command == "translate" else [REPO / "corpus" / "manifest.yaml", "-o", out]
    result = run_cli([command, *map(str, target), "--workers", value])
    assert result.exit_code == 2, result
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith(f"Error: --workers {value!r}: give a positive whole number")
    assert f"(default: {available_cores()}, the physical cores" in result.stderr
    assert not out.exists()  # refused before anything is written


@pytest.mark.parametrize("value", ["0", "-1", "abc", " "])
def test_bad_environment_variable_is_a_one_line_usage_error(test_model, monkeypatch, value):
    monkeypatch.setenv("GLOSSATOR_WORKERS", value)
    result = run_cli(["translate", "-"], input="Gehen oder bleiben?\n")
    assert result.exit_code == 2, result
    assert result.stderr.count("\n") == 1 and f"GLOSSATOR_WORKERS={value!r}: give a positive whole" in result.stderr


# --- available_cores on a made-up machine ----------------------------------------------------------------------


def _machine(root: Path, cores: dict[int, tuple[int, int]], cgroup: str, files: dict[str, str]) -> Path:
    """A fake /sys with CPU topology (cpu -> (package, core)) and cgroup files, and a /proc/self/cgroup."""
    for cpu, (package, core) in cores.items():
        topology = root / "sys" / "devices" / "system" / "cpu" / f"cpu{cpu}" / "topology"
        topology.mkdir(parents=True)
        (topology / "physical_package_id").write_text(f"{package}\n")
        (topology / "core_id").write_text(f"{core}\n")
    for name, text in files.items():
        path = root / "sys" / "fs" / "cgroup" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (root / "cgroup").write_text(cgroup)
    return root


HYPERTHREADED = {0: (0, 0), 1: (0, 1), 2: (0, 0), 3: (0, 1), 4: (1, 0), 5: (1, 1), 6: (1, 0), 7: (1, 1)}


@pytest.mark.parametrize(
    ("affinity", "cgroup", "files", "expected"),
    [
        # 8 CPUs = 2 sockets x 2 cores x 2 hyper-threads: 4 physical cores (core ids repeat across sockets)
        (range(8), "0::/\n", {"cpu.max": "max 100000\n"}, 4),
        # taskset -c 0,2 (two threads of one core): 1
        ({0, 2}, "0::/\n", {}, 1),
        # docker --cpus=1.5 (cgroup v2, in the container's own cgroup): rounded up to 2
        (range(8), "0::/docker/abc\n", {"docker/abc/cpu.max": "150000 100000\n"}, 2),
        # a parent cgroup's quota caps a child without one
        (range(8), "0::/kubepods/pod1/c1\n", {"kubepods/cpu.max": "100000 100000\n"}, 1),
        # cgroup v1 quota
        (
            range(8),
            "4:cpu,cpuacct:/\n0::/\n",
            {"cpu/cpu.cfs_quota_us": "300000\n", "cpu/cpu.cfs_period_us": "100000\n"},
            3,
        ),
        # v1 without a quota (-1)
        (range(8), "4:cpu,cpuacct:/\n", {"cpu/cpu.cfs_quota_us": "-1\n", "cpu/cpu.cfs_period_us": "100000\n"}, 4),
    ],
)
def test_available_cores(tmp_path, monkeypatch, affinity, cgroup, files, expected):
    root = _machine(tmp_path, HYPERTHREADED, cgroup, files)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(affinity))
    assert available_cores(sysfs=root / "sys", proc_cgroup=root / "cgroup") == expected


def test_available_cores_without_topology_or_cgroups(tmp_path, monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2})
    assert available_cores(sysfs=tmp_path / "none", proc_cgroup=tmp_path / "none") == 3  # each CPU counts
    monkeypatch.delattr(os, "sched_getaffinity")
    monkeypatch.setattr(os, "cpu_count", lambda: None)
    assert available_cores(sysfs=tmp_path, proc_cgroup=tmp_path) == 1


# --- the output does not depend on the number of workers -------------------------------------------------------


def _translate(path: Path, out: Path, workers: int, *extra: object) -> bytes:
    result = run("translate", path, "-o", out, "--no-cache", "--quiet", "--workers", workers, *extra)
    assert result.exit_code == 0, result.output
    return out.read_bytes()


def test_one_and_two_workers_give_identical_files_article(test_model, tmp_path):
    """The corpus article with its glossary: plain sentences and every step of the enforcement cascade."""
    glossary = CORPUS / "glossary.yaml"
    one = _translate(ARTICLE, tmp_path / "one.en.txt", 1, "--glossary", glossary)
    two = _translate(ARTICLE, tmp_path / "two.en.txt", 2, "--glossary", glossary)
    assert one == two
    assert "terrorist militia" in one.decode()  # the glossary was applied


@pytest.mark.slow  # four translations of 320 lines: about 1-3 minutes on two shared cores
@pytest.mark.parametrize("package", [TEST_PACKAGE, SMALL_PACKAGE], ids=["test-model", "small-model"])
def test_one_and_two_workers_give_identical_files_wmt(package, tmp_path, wmt_lines):
    """320 lines of newstest2020/2021, without and with a glossary whose renderings the model would not choose."""
    install_package(package, Settings.from_env())
    glossary = tmp_path / "wmt.yaml"
    glossary.write_text(WMT_GLOSSARY, encoding="utf-8")
    for name, extra in (("plain", []), ("terms", ["--glossary", glossary])):
        one = _translate(wmt_lines, tmp_path / f"{name}-1.en.txt", 1, "--format", "lines", *extra)
        two = _translate(wmt_lines, tmp_path / f"{name}-2.en.txt", 2, "--format", "lines", *extra)
        assert one == two, name
        assert len(one.decode().splitlines()) == 320


class _Recorder:
    """Stands in for the engine's ctranslate2.Translator: records each translate_batch call, then forwards it."""

    def __init__(self, translator) -> None:  # type: ignore[no-untyped-def]
        self.translator = translator
        self.calls: list[tuple[int, bool]] = []  # (sentences, asynchronous)

    def translate_batch(self, source, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.calls.append((len(source), kwargs.get("asynchronous", False)))
        return self.translator.translate_batch(source, *args, **kwargs)


@pytest.mark.slow
@pytest.mark.parametrize("workers", [1, 2])
def test_workers_queue_the_planned_batches_at_once(wmt_lines, workers):
    """With two workers CTranslate2 has two translators and every planned batch is queued at once (asynchronous),
    so both translators decode; with one, the batches go one after the other, as before. Same batches either way."""
    install_package(SMALL_PACKAGE, Settings.from_env())
    sentences = wmt_lines.read_text(encoding="utf-8").splitlines()[:60]
    engine = load_engine(Settings.from_env(workers=workers))
    translator, _ = engine._load()
    assert translator.num_translators == workers
    recorder = _Recorder(translator)
    engine._translator = recorder
    hypotheses = engine.translate(sentences)
    assert len(hypotheses) == 60 and all(h[0].text for h in hypotheses)
    lengths = [len(engine.source_pieces(s)) for s in sentences]
    planned = plan_batches(lengths, *engine.batch_limits(same_length=False))
    assert len(planned) > 2
    assert sorted(size for size, _ in recorder.calls) == sorted(len(group) for group in planned)
    assert {asynchronous for _, asynchronous in recorder.calls} == {workers > 1}


@pytest.mark.slow
@pytest.mark.parametrize("workers", [1, 2])
def test_same_length_batches_equal_one_call_per_length(wmt_lines, workers):
    """``same_length=True``: one call gives what one call per source length gives (the batches are the same), and
    with two workers all of them are queued at once."""
    install_package(SMALL_PACKAGE, Settings.from_env())
    sentences = wmt_lines.read_text(encoding="utf-8").splitlines()[:80]
    engine = load_engine(Settings.from_env(workers=workers))
    by_length: dict[int, list[int]] = {}
    for i, sentence in enumerate(sentences):
        by_length.setdefault(len(engine.source_pieces(sentence)), []).append(i)
    assert len(by_length) > 10
    expected: list[list[tuple[str, float]]] = [[] for _ in sentences]
    for _, members in sorted(by_length.items()):
        for i, hyps in zip(members, engine.translate([sentences[i] for i in members], num_hypotheses=2), strict=True):
            expected[i] = [(h.text, h.score) for h in hyps]
    recorder = _Recorder(engine._load()[0])
    engine._translator = recorder
    got = engine.translate(sentences, num_hypotheses=2, same_length=True)
    assert [[(h.text, h.score) for h in hyps] for hyps in got] == expected
    assert len(recorder.calls) >= len(by_length)
    assert {asynchronous for _, asynchronous in recorder.calls} == {workers > 1}


def test_plan_batches_same_length():
    lengths = [5, 3, 5, 3, 7, 5, 5]
    assert plan_batches(lengths, 256, 12) == [[1, 3, 0, 2, 5, 6, 4]]
    assert plan_batches(lengths, 256, 12, same_length=True) == [[1, 3], [0, 2, 5, 6], [4]]
    assert plan_batches(lengths, 256, 3, same_length=True) == [[1, 3], [0, 2, 5], [6], [4]]
    assert plan_batches(lengths, 10, 12, same_length=True) == [[1, 3], [0, 2], [5, 6], [4]]
