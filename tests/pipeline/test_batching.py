"""How the engine groups sentences into CTranslate2 batches (engine.plan_batches)."""

from __future__ import annotations

from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from glossator.translate.engine import plan_batches


@given(
    lengths=st.lists(st.integers(min_value=0, max_value=300), max_size=200),
    max_tokens=st.integers(min_value=1, max_value=1024),
    max_sentences=st.integers(min_value=1, max_value=64),
)
def test_every_sentence_once_and_both_limits_hold(lengths, max_tokens, max_sentences):
    batches = plan_batches(lengths, max_tokens, max_sentences)
    flat = [i for batch in batches for i in batch]
    assert sorted(flat) == list(range(len(lengths)))
    assert [lengths[i] for i in flat] == sorted(lengths)  # shortest first: little padding
    for batch in batches:
        assert batch and len(batch) <= max_sentences
        padded = len(batch) * max(max(lengths[i] for i in batch), 1)
        assert padded <= max_tokens or len(batch) == 1  # only a too-long sentence goes over, alone
    # Greedy: a batch is closed only when the next sentence would break a limit.
    for batch, following in pairwise(batches):
        nxt = following[0]
        assert len(batch) == max_sentences or (len(batch) + 1) * max(lengths[nxt], 1) > max_tokens


def test_short_sentences_are_capped_by_count_long_ones_by_tokens():
    lengths = [5] * 20 + [100, 120, 300]
    batches = plan_batches(lengths, max_tokens=256, max_sentences=8)
    assert [len(b) for b in batches] == [8, 8, 4, 2, 1]
    assert batches[-2] == [20, 21] and batches[-1] == [22]


@pytest.mark.parametrize("tokens, sentences", [(0, 8), (256, 0), (-1, -1)])
def test_limits_must_be_positive(tokens, sentences):
    with pytest.raises(ValueError, match="positive"):
        plan_batches([3, 4], tokens, sentences)


def test_free_memory_is_handed_back_after_each_batch_on_glibc(monkeypatch):
    import platform

    from glossator.translate.engine import _malloc_trim

    if platform.libc_ver()[0] == "glibc":
        trim = _malloc_trim()
        assert trim is not None and trim() in (0, 1)
    monkeypatch.setattr(platform, "libc_ver", lambda *a, **k: ("musl", "1.2"))
    assert _malloc_trim() is None  # elsewhere: nothing to call, translation unaffected


def test_engine_trims_once_per_planned_batch(monkeypatch):
    from paths import TEST_MODEL_DIR

    from glossator.common.settings import Settings
    from glossator.models.packages import install_package
    from glossator.translate.engine import load_engine

    install_package(TEST_MODEL_DIR / "de_en_glossator_test.argosmodel", Settings.from_env())
    engine = load_engine(Settings.from_env(max_batch_sentences=2))
    calls = []
    engine._trim = lambda: calls.append(1)
    sentences = ["Gehen oder bleiben?", "Rund 5000 US-Soldaten sind im Einsatz.", "Der IS ist weiter aktiv."]
    out = engine.translate(sentences)
    assert len(out) == 3 and all(hyps[0].text for hyps in out)
    assert len(calls) == 2  # batches of at most 2 sentences: [2, 1]
