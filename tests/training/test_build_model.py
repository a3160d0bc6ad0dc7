"""The small model's training command, end to end on a few hundred pairs for a few steps (CI never trains for hours).

It must prepare the data (German first, no evaluation sentences), train SentencePiece with byte fallback, train,
convert to CTranslate2 and write an Argos package that Glossator installs and translates with.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from paths import REPO

import glossator
from glossator.common.settings import Settings
from glossator.models.packages import install_package

TINY = [
    "--max-pairs", "400", "--max-steps", "3", "--vocab-size", "400", "--d-model", "32", "--heads", "2",
    "--ffn-dim", "64", "--encoder-layers", "2", "--decoder-layers", "1", "--batch-tokens", "600",
    "--eval-lines", "4", "--warmup", "2", "--ckpt-minutes", "100",
]  # fmt: skip


@pytest.mark.slow
def test_training_command_builds_an_installable_package(shared_data: Path, tmp_path: Path) -> None:
    work, out = tmp_path / "work", tmp_path / "out"
    command = [sys.executable, str(REPO / "training" / "build_model.py"), "--shared", str(shared_data)]
    result = subprocess.run(
        [*command, "--work", str(work), "--out-dir", str(out), *TINY], capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr[-3000:]

    # Data: German first (Tatoeba is English first), nothing from the evaluation sets.
    data = json.loads((work / "data.json").read_text(encoding="utf-8"))
    assert data["train_pairs"] + data["dev_pairs"] == 400
    german = (work / "train.de").read_text(encoding="utf-8").splitlines()
    english = (work / "train.en").read_text(encoding="utf-8").splitlines()
    assert len(german) == len(english) == data["train_pairs"]
    umlauts = sum(any(c in line for c in "äöüßÄÖÜ") for line in german)
    assert umlauts > sum(any(c in line for c in "äöüßÄÖÜ") for line in english)
    wmt = set((shared_data / "wmt" / "newstest2019.de-en.de").read_text(encoding="utf-8").splitlines())
    assert not wmt & set(german)

    # A log with the loss curve and the scores of the stop.
    events = [json.loads(line) for line in (out / "train_log.jsonl").read_text(encoding="utf-8").splitlines()]
    kinds = [e["event"] for e in events]
    assert kinds[0] == "prepared" and "stop" in kinds and kinds[-1] == "packaged"
    stop = next(e for e in events if e["event"] == "stop")
    assert "chrf++" in stop["dev"] and "nrefs:1" in stop["dev"]["chrf_signature"]

    # The package: metadata with licence and attribution; installs and translates through Glossator.
    package = out / "de_en_glossator_small.argosmodel"
    with zipfile.ZipFile(package) as zf:
        metadata = json.loads(zf.read("translate-de_en_glossator_small-1_0/metadata.json"))
    assert metadata["from_code"] == "de" and metadata["to_code"] == "en"
    assert "CC-BY" in metadata["license"] and "Tatoeba" in metadata["attribution"]
    info = install_package(package, Settings.from_env())
    with glossator.Translator(model=str(info.path), use_memory=False) as translator:
        result = translator.translate("Ich habe einen Hund.")
    assert isinstance(result.text, str) and "\u2047" not in result.text  # byte fallback: no unknown piece
