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


@pytest.mark.slow
def test_one_length_batches_of_any_size_give_each_sentence_its_output_alone():
    """What makes the size and make-up of one-length batches a free choice for speed and memory: with an int8 model
    CTranslate2's large matrix products add in integers, so a sentence decoded among others of its length (no
    padding) gets bit for bit the hypotheses and scores it gets alone, in a batch of 3 or of 12, in any order.
    (Padding is different: it changes the float sums of the attention, and now and then the words; README, "All
    cores".)"""
    import dataclasses
    import random

    from paths import SMALL_MODEL, WMT_EXCERPTS

    from glossator.common.settings import Settings
    from glossator.models.packages import install_package
    from glossator.translate.engine import load_engine

    install_package(SMALL_MODEL, Settings.from_env())
    lines = (WMT_EXCERPTS / "newstest2021.de-en.de").read_text(encoding="utf-8").splitlines()
    sentences = [line for line in lines if line.strip()][:90]
    engine = load_engine(Settings.from_env().with_(workers=1))
    lengths = [len(engine.source_pieces(s)) for s in sentences]
    assert len(set(lengths)) > 20 and max(lengths.count(n) for n in lengths) >= 4  # lengths shared and not
    alone = [engine.translate([s], num_hypotheses=2)[0] for s in sentences]
    order = list(range(len(sentences)))
    random.Random(15).shuffle(order)
    for limit in (3, 12):
        sized = dataclasses.replace(engine, max_batch_sentences=limit, workers=2)
        got = sized.translate([sentences[i] for i in order], num_hypotheses=2, same_length=True)
        for i, hyps in zip(order, got, strict=True):
            assert [(h.text, h.score, h.tokens) for h in hyps] == [(h.text, h.score, h.tokens) for h in alone[i]]


def test_the_tokenizer_alone_is_loaded_until_something_is_decoded():
    """The Ray driver tokenizes (it plans the batches by length) but never decodes: it must not hold the model."""
    from paths import TEST_MODEL_DIR

    from glossator.common.settings import Settings
    from glossator.models.packages import install_package
    from glossator.translate.engine import load_engine

    install_package(TEST_MODEL_DIR / "de_en_glossator_test.argosmodel", Settings.from_env())
    engine = load_engine(Settings.from_env())
    sentences = ["Gehen oder bleiben?", "Rund 5000 US-Soldaten sind im Einsatz.", ""]
    assert engine.piece_counts(sentences) == [len(engine.source_pieces(s)) for s in sentences]
    assert engine.pieces_to_text(engine.text_to_pieces("Der IS ist weiter aktiv.")) == "Der IS ist weiter aktiv."
    assert engine._translator is None  # no CTranslate2 model in memory yet
    assert engine.translate(sentences[:1])[0][0].text
    assert engine._translator is not None


@pytest.mark.parametrize("workers", [1, 2])
def test_one_large_engine_call_still_reports_progress_batch_by_batch(workers):
    """The pipeline sends up to CHUNK_SENTENCES sentences in one engine call (fuller one-length batches); progress
    must still come as each batch finishes, rise steadily and end at the total, terms enforced or not."""
    from paths import TEST_MODEL_DIR

    from glossator.common.settings import Settings
    from glossator.glossary.model import Glossary, Term
    from glossator.models.packages import install_package
    from glossator.translate.engine import load_engine
    from glossator.translate.pipeline import CHUNK_SENTENCES, DocumentInput, translate_documents

    install_package(TEST_MODEL_DIR / "de_en_glossator_test.argosmodel", Settings.from_env())
    settings = Settings.from_env(max_batch_sentences=2, use_cache=False).with_(workers=workers)
    engine = load_engine(settings)
    words = ["Soldaten", "Terrormiliz", "Dialog", "Einsatz", "Regierung", "Stadt", "Land", "Woche"]
    text = "\n\n".join(f"Die {w} ist seit {n} Tagen aktiv." for n, w in enumerate(words * 2, start=2))
    glossary = Glossary([Term("Terrormiliz", "terrorist militia")])
    calls: list[tuple[int, int]] = []
    [result] = translate_documents(
        [DocumentInput("d.txt", text, "txt")],
        settings,
        glossary,
        progress=lambda d, t: calls.append((d, t)),
        engine=engine,
    )
    total = len(result.segments)
    assert total == 16 < CHUNK_SENTENCES  # one engine call
    assert calls[0] == (0, total) and calls[-1] == (total, total)
    done = [d for d, _ in calls]
    assert done == sorted(done) and len(set(done)) == len(done)  # rising, never repeated
    assert len(calls) >= 1 + total // 2  # a report per batch of at most 2 sentences, not one at the end
    assert all(t == total for _, t in calls)


def _loaded(package: str, **limits: int):  # type: ignore[no-untyped-def]
    from paths import SMALL_MODEL, TEST_MODEL_DIR

    from glossator.common.settings import Settings
    from glossator.models.packages import install_package
    from glossator.translate.engine import load_engine

    archive = {
        "small": SMALL_MODEL,
        "test": TEST_MODEL_DIR / "de_en_glossator_test.argosmodel",
    }[package]
    install_package(archive, Settings.from_env())
    engine = load_engine(Settings.from_env(model=f"de_en_glossator_{package}", **limits).with_(workers=1))
    engine._load()
    return engine


def test_workers_share_the_batch_budget_of_an_int8_model():
    """The batch limits are the budget of all workers together: with an int8 model each worker's one-length batches
    get an equal share, never below MIN_WORKER_BATCH (or the budget, if smaller); padded batches (same_length
    False) and a float model keep the whole budget per worker, so their batches are one worker's."""
    import dataclasses

    from glossator.common.settings import Settings
    from glossator.translate.engine import MIN_WORKER_BATCH

    small = _loaded("small")
    assert (small.max_batch_tokens, small.max_batch_sentences) == (Settings.max_batch_tokens, 32)
    assert small._translator.compute_type in ("int8", "int8_float32")

    def limits(engine, workers, **kwargs):  # type: ignore[no-untyped-def]
        copy = dataclasses.replace(engine, workers=workers)
        copy._translator, copy._sp = engine._translator, engine._sp  # the model loaded once
        return copy.batch_limits(**kwargs)

    assert limits(small, 1) == (1024, 32)
    assert limits(small, 2) == (512, 16)
    assert limits(small, 3) == (341, 10)
    assert limits(small, 8) == MIN_WORKER_BATCH == (256, 8)
    assert limits(small, 2, same_length=False) == (1024, 32)
    assert limits(dataclasses.replace(small, max_batch_sentences=4, max_batch_tokens=100), 2) == (100, 4)
    test = _loaded("test")
    assert test._translator.compute_type == "float32"
    assert limits(test, 2) == limits(test, 8) == (1024, 32)


@pytest.mark.slow
def test_a_shared_budget_gives_each_worker_smaller_batches_and_the_same_output(monkeypatch):
    """Two workers of an int8 model decode batches of half the budget and write what one worker writes (the
    minimum share lowered so that the 90 sentences of the excerpt fill batches of both sizes)."""
    import dataclasses

    from paths import WMT_EXCERPTS

    from glossator.translate import engine as engine_module

    monkeypatch.setattr(engine_module, "MIN_WORKER_BATCH", (1, 1))
    lines = (WMT_EXCERPTS / "newstest2021.de-en.de").read_text(encoding="utf-8").splitlines()
    sentences = [line for line in lines if line.strip()][:90]
    one = _loaded("small", max_batch_sentences=6)
    outputs, sizes = {}, {}
    for workers in (1, 2):
        engine = dataclasses.replace(one, workers=workers)
        translator, _ = engine._load()
        seen: list[int] = []

        class Recorder:
            def __init__(self, translator, seen):  # type: ignore[no-untyped-def]
                self.translator, self.seen = translator, seen

            def translate_batch(self, source, *args, **kwargs):  # type: ignore[no-untyped-def]
                self.seen.append(len(source))
                return self.translator.translate_batch(source, *args, **kwargs)

        engine._translator = Recorder(translator, seen)
        engine._int8 = lambda: True  # the recorder has no compute_type; the small model is int8 (test above)
        got = engine.translate(sentences, num_hypotheses=2, same_length=True)
        outputs[workers] = [[(h.text, h.score, h.tokens) for h in hyps] for hyps in got]
        sizes[workers] = seen
    assert max(sizes[1]) == 6 and max(sizes[2]) == 3 and len(sizes[2]) > len(sizes[1])
    assert outputs[2] == outputs[1]
