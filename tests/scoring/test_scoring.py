"""Scores equal the sacrebleu command line; term accuracy; alignment and gate errors."""

import json
import subprocess
import sys

import pytest
from clirun import run
from paths import CORPUS, WMT_EXCERPTS

WMT = WMT_EXCERPTS  # the first 200/120 lines of newstest2020/2021


def head(tmp_path, name, source, n=120):  # the 2021 excerpt has 120 lines
    path = tmp_path / name
    path.write_text("\n".join(source.read_text(encoding="utf-8").splitlines()[:n]) + "\n", encoding="utf-8")
    return path


def sacrebleu_cli(hyp, refs):
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "sacrebleu",
            *map(str, refs),
            "-i",
            str(hyp),
            "-m",
            "bleu",
            "chrf",
            "ter",
            "--chrf-word-order",
            "2",
            "-b",
            "-w",
            "2",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return dict(zip(["BLEU", "chrF++", "TER"], json.loads(out), strict=True))




@pytest.mark.slow  # runs sacrebleu as a subprocess
@pytest.mark.parametrize("n_refs", [1, 2])
def test_scores_equal_sacrebleu_command_line(tmp_path, n_refs):
    hyp = head(tmp_path, "hyp.en", WMT / "newstest2021.de-en.refB.en")
    refs = [head(tmp_path, "ref.en", WMT / "newstest2021.de-en.en")]
    if n_refs == 2:
        refs.append(head(tmp_path, "ref2.en", WMT / "newstest2020.de-en.refB.en"))
    expected = sacrebleu_cli(hyp, refs)
    args = ["score", hyp, "--json", "--bootstrap", "0"]
    for ref in refs:
        args += ["--ref", ref]
    result = run(*args)
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.stdout)["metrics"]
    for name, value in expected.items():
        assert round(metrics[name]["score"], 2) == value
        assert f"nrefs:{n_refs}" in metrics[name]["signature"]


@pytest.mark.parametrize(
    ("name", "flags"), [("BLEU", ["bleu"]), ("chrF++", ["chrf", "--chrf-word-order", "2"]), ("TER", ["ter"])]
)
def test_sentence_scores_equal_sacrebleu_sentence_level(tmp_path, name, flags):
    hyp = head(tmp_path, "hyp.en", WMT / "newstest2021.de-en.refB.en", n=40)
    ref = head(tmp_path, "ref.en", WMT / "newstest2021.de-en.en", n=40)
    cli = subprocess.run(
        [sys.executable, "-m", "sacrebleu", str(ref), "-i", str(hyp), "-m", *flags, "-sl", "-b", "-w", "4"],
        capture_output=True,
        text=True,
        check=True,
    )
    expected = [float(line) for line in cli.stdout.split()]
    result = run("score", hyp, "--ref", ref, "--json", "--sentence", "--bootstrap", "0")
    assert result.exit_code == 0, result.output
    assert "effective_order" not in result.stderr  # no sacrebleu warning per sentence
    assert [s[name] for s in json.loads(result.stdout)["sentences"]] == pytest.approx(expected, abs=1e-4)


@pytest.mark.slow
def test_confidence_intervals_and_term_accuracy_on_the_corpus():
    result = run(
        "score",
        CORPUS / "iraq-troops.refB.en.txt",
        "--ref",
        CORPUS / "iraq-troops.en.txt",
        "--src",
        CORPUS / "iraq-troops.de.txt",
        "--glossary",
        CORPUS / "glossary.yaml",
        "--json",
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    bleu = data["metrics"]["BLEU"]
    assert bleu["ci95"][0] < bleu["score"] < bleu["ci95"][1]
    assert data["term_accuracy"]["occurrences"] == 27 and data["term_accuracy"]["forbidden"] == 0


@pytest.mark.slow
def test_gate_fails_with_exit_7_and_reason():
    result = run(
        "score",
        CORPUS / "iraq-troops.refB.en.txt",
        "--ref",
        CORPUS / "iraq-troops.en.txt",
        "--bootstrap",
        "0",
        "--min-bleu",
        "90",
        "--max-ter",
        "10",
    )
    assert result.exit_code == 7
    assert result.stderr.startswith("Error: BLEU 29.28 is below --min-bleu 90; TER 58.91 is above --max-ter 10")


@pytest.mark.parametrize(
    ("hyp_text", "ref_text", "code", "message"),
    [
        ("a\nb\nc\n", "a\nb\n", 3, "has 3 lines (1 paragraph) but"),
        (b"\xff\xfe\x00", "a\n", 3, "byte-order mark but is not valid utf-16"),
        (b"\x00\x01binary\x00", "a\n", 3, "binary"),
        (b"caf\xe9\n", "a\n", 3, "not valid utf-8"),
    ],
)
def test_bad_input(tmp_path, hyp_text, ref_text, code, message):
    hyp = tmp_path / "hyp.txt"
    hyp.write_bytes(hyp_text if isinstance(hyp_text, bytes) else hyp_text.encode())
    (tmp_path / "ref.txt").write_text(ref_text, encoding="utf-8")
    result = run("score", hyp, "--ref", tmp_path / "ref.txt")
    assert result.exit_code == code, result.output
    assert message in result.stderr


def test_mismatch_names_both_files_and_counts(tmp_path):
    (tmp_path / "h.txt").write_text("a\nb\nc\n", encoding="utf-8")
    (tmp_path / "r.txt").write_text("a\nb\n", encoding="utf-8")
    result = run("score", tmp_path / "h.txt", "--ref", tmp_path / "r.txt")
    assert f"{tmp_path / 'h.txt'} has 3 lines" in result.stderr and f"{tmp_path / 'r.txt'} has 2 lines" in result.stderr


def test_reference_with_empty_lines_is_scored(tmp_path):
    (tmp_path / "h.txt").write_text("the cat sat\n\nthe dog ran\n", encoding="utf-8")
    (tmp_path / "r.txt").write_text("the cat sat\nsomething\nthe dog ran\n", encoding="utf-8")
    result = run("score", tmp_path / "h.txt", "--ref", tmp_path / "r.txt", "--json", "--sentence", "--bootstrap", "0")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["segments"] == 3 and data["sentences"][1]["BLEU"] == 0.0


@pytest.mark.slow
def test_paired_bootstrap_detects_a_significant_drop():
    from glossator.quality.scoring import compare

    refs = (WMT / "newstest2020.de-en.en").read_text(encoding="utf-8").splitlines()[:200]
    other = (WMT / "newstest2020.de-en.refB.en").read_text(encoding="utf-8").splitlines()[:200]
    drops = compare(refs, other, [refs], samples=200)
    assert all(c.significant_drop and c.p_value < 0.05 for c in drops)
    assert not any(c.significant_drop for c in compare(other, other, [refs], samples=200))


@pytest.mark.slow
def test_parallel_statistics_give_identical_scores_intervals_and_sentences(monkeypatch):
    from glossator.quality import scoring

    hyp = (WMT / "newstest2021.de-en.refB.en").read_text(encoding="utf-8").splitlines()[:120]
    refs = [
        (WMT / "newstest2021.de-en.en").read_text(encoding="utf-8").splitlines()[:120],
        (WMT / "newstest2020.de-en.refB.en").read_text(encoding="utf-8").splitlines()[:120],
    ]
    serial = scoring.score(hyp, refs, bootstrap=200, sentence=True)
    monkeypatch.setattr(scoring, "PARALLEL_MIN_SEGMENTS", 10)
    monkeypatch.setattr(scoring, "_workers", lambda: 2)
    import concurrent.futures

    pools = []

    class CountingPool(concurrent.futures.ProcessPoolExecutor):
        def __init__(self, *args, **kwargs):
            pools.append(self)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", CountingPool)
    parallel = scoring.score(hyp, refs, bootstrap=200, sentence=True)
    assert len(pools) == 1  # the statistics really were extracted in worker processes
    assert parallel == serial  # scores, intervals, signatures (nrefs:2|bs:200) and every sentence score
    assert "nrefs:2|bs:200" in parallel.metrics[0].signature


def test_an_empty_hypothesis_is_scored_like_sacrebleu_with_a_warning(tmp_path):
    hyp, ref = tmp_path / "hyp.txt", tmp_path / "ref.txt"
    hyp.write_text("", encoding="utf-8")
    ref.write_text("The cat sat.\nA dog barked.\n", encoding="utf-8")
    result = run("score", hyp, "--ref", ref, "--json", "--bootstrap", "0")
    assert result.exit_code == 0, result.output
    assert "hypothesis is empty; every segment is scored as an empty output" in result.stderr
    metrics = {name: m["score"] for name, m in json.loads(result.stdout)["metrics"].items()}
    assert (metrics["BLEU"], metrics["TER"]) == (0.0, 100.0)
