"""The training command's conversion to CTranslate2: the converted model scores exactly as the PyTorch one, and
converting never changes the weights being trained."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from paths import REPO

sys.path.insert(0, str(REPO / "training"))
torch = pytest.importorskip("torch")  # a training (test extra) dependency, never Glossator's
import build_model as bm  # noqa: E402

RECIPE = bm.Recipe(vocab_size=300, d_model=32, heads=2, ffn_dim=64, encoder_layers=2, decoder_layers=1, dropout=0.0)


def _vocabulary(n: int) -> list[str]:
    return ["<unk>", "<s>", "</s>", *(f"▁w{i}" for i in range(n - 3))]


def test_conversion_keeps_the_trained_weights_and_the_scores(tmp_path: Path) -> None:
    import ctranslate2

    torch.manual_seed(0)
    model = bm.build_torch_model(40, RECIPE)
    model.eval()
    state = model.state_dict()
    before = {k: v.clone() for k, v in state.items()}
    bm.to_ctranslate2(state, _vocabulary(40), RECIPE, tmp_path / "int8", "int8")  # as packaged
    assert all(torch.equal(state[k], before[k]) for k in state)  # CTranslate2 rescaled the embedding in place once
    bm.to_ctranslate2(state, _vocabulary(40), RECIPE, tmp_path / "m", None)

    source, target = [5, 9, 12, 7], [8, 3, 30]
    with torch.no_grad():
        no_padding = torch.zeros(1, len(source), dtype=torch.bool)
        logits = model(torch.tensor([source]), no_padding, torch.tensor([[1, *target]]))
    log_probs = torch.log_softmax(logits, -1)[0]
    expected = [log_probs[i, t].item() for i, t in enumerate([*target, 2])]
    vocabulary = _vocabulary(40)
    translator = ctranslate2.Translator(str(tmp_path / "m"))
    [scored] = translator.score_batch([[vocabulary[i] for i in source]], [[vocabulary[i] for i in target]])
    assert scored.log_probs == pytest.approx(expected, abs=1e-4)
