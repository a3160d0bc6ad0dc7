"""Train Glossator's small German→English model from public parallel text and package it for Argos.

    python training/build_model.py --out-dir models/de_en_small        # prepare, train (~2 h on 2 cores), package

One command runs every step, each resumable from the work directory (``--work``):

1. **prepare**: read ``../shared/data/parallel`` (Tatoeba is English first and is turned round), normalise
   whitespace, drop empty/over-long/badly-proportioned pairs, dedupe, and drop every pair whose German or English
   side also occurs in an evaluation set (WMT newstest2019-2021, WMT23 terminology, the corpus article and its
   references). A held-out dev set (from the training pool) drives the loss curve.
2. **sentencepiece**: one shared unigram vocabulary with byte fallback, so no character becomes ``<unk>``.
3. **train**: a pre-norm Transformer (deeper encoder than decoder, sinusoidal positions so inputs have no length
   cap, tied embeddings) in PyTorch on CPU, token-sized batches, label smoothing, inverse-sqrt schedule; a
   checkpoint every ``--ckpt-minutes`` and at each epoch end; after each epoch the model is converted and scored
   (BLEU, chrF++) on the dev set and the first lines of newstest2019 — the learning curve in ``train_log.jsonl``.
4. **package**: average the last checkpoints, write a CTranslate2 int8 model and a ``.argosmodel`` zip with
   metadata (name, version, licence and attribution of the data).

Seeds are fixed; CPU training is still not bit-reproducible across machines, so the package is committed.
torch is needed at build time only; Glossator never imports it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import re
import shutil
import sys
import time
import unicodedata
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SHARED = ROOT.parent / "shared" / "data"
PACKAGE_CODE = "de_en_glossator_small"
PACKAGE_VERSION = "1.0"


@dataclass(frozen=True)
class Recipe:
    vocab_size: int = 8000
    d_model: int = 256
    heads: int = 4
    ffn_dim: int = 1024
    encoder_layers: int = 5
    decoder_layers: int = 2
    dropout: float = 0.1
    label_smoothing: float = 0.1
    lr: float = 1e-3
    warmup: int = 600
    batch_tokens: int = 6000
    max_len_pieces: int = 100
    seed: int = 1234


# ---------------------------------------------------------------------------------------------------------- data


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def _key(text: str) -> str:
    """A loose key for leakage checks: case, punctuation and spacing ignored."""
    return re.sub(r"\W+", "", text.casefold())


def _lines(path: Path) -> list[str]:
    # split on newlines only: str.splitlines() also breaks at U+2028/U+0085, which news text contains
    text = path.read_text(encoding="utf-8")
    return text[:-1].split("\n") if text.endswith("\n") else text.split("\n")


def read_sources(shared: Path) -> dict[str, list[tuple[str, str]]]:
    parallel = shared / "parallel"
    tatoeba = []
    for line in _lines(parallel / "tatoeba" / "deu.txt"):
        cols = line.split("\t")
        if len(cols) >= 2:
            tatoeba.append((cols[1], cols[0]))  # the file is English TAB German
    europarl = []
    for split in ("train", "validation", "test"):
        de, en = _lines(parallel / "europarl" / f"{split}.de"), _lines(parallel / "europarl" / f"{split}.en")
        europarl += list(zip(de, en, strict=True))
    news = []
    for de_path in sorted((parallel / "news").glob("*.de")):
        news += list(zip(_lines(de_path), _lines(de_path.with_suffix(".en")), strict=True))
    return {"tatoeba": tatoeba, "europarl": europarl, "news": news}


def evaluation_keys(shared: Path) -> set[str]:
    """Every sentence of the evaluation sets, German and English, as loose keys."""
    keys: set[str] = set()
    for path in sorted((shared / "wmt").glob("newstest20*")):
        if path.suffix in {".de", ".en"}:
            keys.update(_key(line) for line in _lines(path))
    for path in sorted((shared / "terminology").glob("wmt23.de-en.??")):
        keys.update(_key(line) for line in _lines(path))
    for path in sorted((ROOT / "corpus").glob("iraq-troops*.txt")):
        for line in _lines(path):
            # The article is in paragraphs: key the paragraph and each rough sentence of it.
            keys.add(_key(line))
            keys.update(_key(s) for s in re.split(r"(?<=[.!?])\s+", line))
    keys.discard("")
    return keys


def prepare(shared: Path, work: Path, recipe: Recipe, max_pairs: int | None) -> dict[str, object]:
    sources = read_sources(shared)
    banned = evaluation_keys(shared)
    seen: set[tuple[str, str]] = set()
    kept: list[tuple[str, str, str]] = []
    stats: dict[str, dict[str, int]] = {}
    for name, pairs in sources.items():
        s = {"read": len(pairs), "empty": 0, "length": 0, "ratio": 0, "duplicate": 0, "evaluation_overlap": 0}
        for de_raw, en_raw in pairs:
            de, en = _norm(de_raw), _norm(en_raw)
            if not de or not en:
                s["empty"] += 1
                continue
            wde, wen = len(de.split()), len(en.split())
            if wde > 80 or wen > 80 or len(de) > 500 or len(en) > 500:
                s["length"] += 1
                continue
            if max(wde, wen) > 3 * min(wde, wen) + 3:
                s["ratio"] += 1
                continue
            if (de, en) in seen:
                s["duplicate"] += 1
                continue
            seen.add((de, en))
            if _key(de) in banned or _key(en) in banned:
                s["evaluation_overlap"] += 1
                continue
            kept.append((name, de, en))
        s["kept"] = s["read"] - sum(v for k, v in s.items() if k != "read")
        stats[name] = s
    rng = random.Random(recipe.seed)
    rng.shuffle(kept)
    if max_pairs:
        kept = kept[:max_pairs]
    n_dev = min(1000, max(10, len(kept) // 100))
    dev, train = kept[:n_dev], kept[n_dev:]
    work.mkdir(parents=True, exist_ok=True)
    for split, rows in (("train", train), ("dev", dev)):
        (work / f"{split}.de").write_text("".join(de + "\n" for _, de, _ in rows), encoding="utf-8")
        (work / f"{split}.en").write_text("".join(en + "\n" for _, _, en in rows), encoding="utf-8")
    summary = {"sources": stats, "train_pairs": len(train), "dev_pairs": len(dev), "banned_keys": len(banned)}
    (work / "data.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return summary


def train_sentencepiece(work: Path, recipe: Recipe) -> Path:
    import sentencepiece as spm

    prefix = work / "sentencepiece"
    if prefix.with_suffix(".model").exists():
        return prefix.with_suffix(".model")
    text = work / "sp_train.txt"
    with text.open("w", encoding="utf-8") as out:
        for lang in ("de", "en"):
            out.write((work / f"train.{lang}").read_text(encoding="utf-8"))
    n_lines = sum(1 for _ in text.open(encoding="utf-8"))
    spm.SentencePieceTrainer.train(
        input=str(text),
        model_prefix=str(prefix),
        vocab_size=recipe.vocab_size,
        hard_vocab_limit=False,
        model_type="unigram",
        character_coverage=0.9995,
        byte_fallback=True,
        input_sentence_size=min(n_lines, 600_000),
        shuffle_input_sentence=True,
        seed_sentencepiece_size=200_000,
        unk_id=0,
        bos_id=1,
        eos_id=2,
        pad_id=-1,
        num_threads=2,
        minloglevel=2,
    )
    text.unlink()
    return prefix.with_suffix(".model")


# --------------------------------------------------------------------------------------------------------- model


MAX_POSITIONS = 1024


def sinusoids(n: int, d: int):  # type: ignore[no-untyped-def]
    """Sinusoidal positions (sin half, then cos half), written into the CTranslate2 model as its table.

    CTranslate2 can build such a table itself, but its values differ from these by enough to move log-probs by
    ~0.1 (measured); an explicit table makes the converted model score exactly as the trained one (1e-6).
    """
    import torch

    half = d // 2
    scale = math.log(10000.0) / (half - 1)
    inv = torch.exp(torch.arange(half, dtype=torch.float32) * -scale)
    pos = torch.arange(n, dtype=torch.float32)[:, None] * inv[None, :]
    return torch.cat([torch.sin(pos), torch.cos(pos)], dim=1)


def build_torch_model(vocab: int, r: Recipe):  # type: ignore[no-untyped-def]
    import torch
    import torch.nn.functional as F
    from torch import nn

    d, h = r.d_model, r.heads

    class Attention(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.q, self.k, self.v, self.o = (nn.Linear(d, d) for _ in range(4))

        def forward(self, x, memory, mask, causal=False):  # type: ignore[no-untyped-def]
            b, t, _ = x.shape
            s = memory.shape[1]
            q = self.q(x).view(b, t, h, d // h).transpose(1, 2)
            k = self.k(memory).view(b, s, h, d // h).transpose(1, 2)
            v = self.v(memory).view(b, s, h, d // h).transpose(1, 2)
            out = F.scaled_dot_product_attention(
                q, k, v, attn_mask=mask, dropout_p=r.dropout if self.training else 0.0, is_causal=causal
            )
            return self.o(out.transpose(1, 2).reshape(b, t, d))

    class FFN(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.norm = nn.LayerNorm(d, eps=1e-6)
            self.l0, self.l1 = nn.Linear(d, r.ffn_dim), nn.Linear(r.ffn_dim, d)
            self.drop = nn.Dropout(r.dropout)

        def forward(self, x):  # type: ignore[no-untyped-def]
            return self.drop(self.l1(self.drop(torch.relu(self.l0(self.norm(x))))))

    class EncoderLayer(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.norm, self.attn, self.ffn = nn.LayerNorm(d, eps=1e-6), Attention(), FFN()
            self.drop = nn.Dropout(r.dropout)

        def forward(self, x, mask):  # type: ignore[no-untyped-def]
            y = self.norm(x)
            x = x + self.drop(self.attn(y, y, mask))
            return x + self.ffn(x)

    class DecoderLayer(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.norm1, self.self_attn = nn.LayerNorm(d, eps=1e-6), Attention()
            self.norm2, self.cross = nn.LayerNorm(d, eps=1e-6), Attention()
            self.ffn = FFN()
            self.drop = nn.Dropout(r.dropout)

        def forward(self, y, memory, cross_mask):  # type: ignore[no-untyped-def]
            z = self.norm1(y)
            y = y + self.drop(self.self_attn(z, z, None, causal=True))
            y = y + self.drop(self.cross(self.norm2(y), memory, cross_mask))
            return y + self.ffn(y)

    class Seq2Seq(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.embed = nn.Embedding(vocab, d)
            nn.init.normal_(self.embed.weight, std=d**-0.5)
            self.register_buffer("pos", sinusoids(MAX_POSITIONS, d), persistent=False)
            self.enc = nn.ModuleList(EncoderLayer() for _ in range(r.encoder_layers))
            self.dec = nn.ModuleList(DecoderLayer() for _ in range(r.decoder_layers))
            self.enc_norm, self.dec_norm = nn.LayerNorm(d, eps=1e-6), nn.LayerNorm(d, eps=1e-6)
            self.out_bias = nn.Parameter(torch.zeros(vocab))
            self.drop = nn.Dropout(r.dropout)

        def forward(self, src, src_pad, tgt_in):  # type: ignore[no-untyped-def]
            scale = math.sqrt(d)
            x = self.drop(self.embed(src) * scale + self.pos[: src.shape[1]])
            mask = torch.zeros(src.shape[0], 1, 1, src.shape[1]).masked_fill(src_pad[:, None, None, :], float("-inf"))
            for layer in self.enc:
                x = layer(x, mask)
            memory = self.enc_norm(x)
            y = self.drop(self.embed(tgt_in) * scale + self.pos[: tgt_in.shape[1]])
            for layer in self.dec:
                y = layer(y, memory, mask)
            return self.dec_norm(y) @ self.embed.weight.T + self.out_bias

    return Seq2Seq()


def to_ctranslate2(state: dict, vocabulary: list[str], r: Recipe, out_dir: Path, quantization: str | None) -> None:
    import ctranslate2
    import numpy as np
    from ctranslate2.specs import transformer_spec

    def w(name: str):  # type: ignore[no-untyped-def]
        # A copy: CTranslate2's optimize() changes some arrays in place (it rescaled the shared embedding of a
        # live model mid-training once, loss 4.4 → 9,740), and these must never be views of the trained weights.
        return state[name].detach().float().numpy().copy()

    spec = transformer_spec.TransformerSpec.from_config(
        (r.encoder_layers, r.decoder_layers), r.heads, pre_norm=True, alignment_layer=-1, alignment_heads=1
    )

    def set_norm(dst, prefix: str) -> None:  # type: ignore[no-untyped-def]
        dst.gamma, dst.beta = w(f"{prefix}.weight"), w(f"{prefix}.bias")

    def set_linear(dst, *prefixes: str) -> None:  # type: ignore[no-untyped-def]
        dst.weight = np.concatenate([w(f"{p}.weight") for p in prefixes])
        dst.bias = np.concatenate([w(f"{p}.bias") for p in prefixes])

    emb = w("embed.weight")
    enc, dec = spec.encoder, spec.decoder
    enc.embeddings[0].weight = emb
    positions = sinusoids(MAX_POSITIONS, r.d_model).numpy()
    enc.position_encodings.encodings = positions
    dec.position_encodings.encodings = positions
    set_norm(enc.layer_norm, "enc_norm")
    for i, dst in enumerate(enc.layer):
        p = f"enc.{i}"
        set_norm(dst.self_attention.layer_norm, f"{p}.norm")
        set_linear(dst.self_attention.linear[0], f"{p}.attn.q", f"{p}.attn.k", f"{p}.attn.v")
        set_linear(dst.self_attention.linear[1], f"{p}.attn.o")
        set_norm(dst.ffn.layer_norm, f"{p}.ffn.norm")
        set_linear(dst.ffn.linear_0, f"{p}.ffn.l0")
        set_linear(dst.ffn.linear_1, f"{p}.ffn.l1")
    dec.embeddings.weight = emb
    set_norm(dec.layer_norm, "dec_norm")
    dec.projection.weight = emb
    dec.projection.bias = w("out_bias")
    for i, dst in enumerate(dec.layer):
        p = f"dec.{i}"
        set_norm(dst.self_attention.layer_norm, f"{p}.norm1")
        set_linear(dst.self_attention.linear[0], f"{p}.self_attn.q", f"{p}.self_attn.k", f"{p}.self_attn.v")
        set_linear(dst.self_attention.linear[1], f"{p}.self_attn.o")
        set_norm(dst.attention.layer_norm, f"{p}.norm2")
        set_linear(dst.attention.linear[0], f"{p}.cross.q")
        set_linear(dst.attention.linear[1], f"{p}.cross.k", f"{p}.cross.v")
        set_linear(dst.attention.linear[2], f"{p}.cross.o")
        set_norm(dst.ffn.layer_norm, f"{p}.ffn.norm")
        set_linear(dst.ffn.linear_0, f"{p}.ffn.l0")
        set_linear(dst.ffn.linear_1, f"{p}.ffn.l1")
    spec.register_source_vocabulary(vocabulary)
    spec.register_target_vocabulary(vocabulary)
    spec.config.unk_token, spec.config.bos_token, spec.config.eos_token = "<unk>", "<s>", "</s>"
    spec.config.decoder_start_token = "<s>"
    spec.validate()
    spec.optimize(quantization=quantization)
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    spec.save(str(out_dir))
    assert ctranslate2.contains_model(str(out_dir))


# ------------------------------------------------------------------------------------------------------ training


def _encode_file(sp, path: Path) -> list[list[int]]:  # type: ignore[no-untyped-def]
    return sp.encode(_lines(path))


def _batches(src: list[list[int]], tgt: list[list[int]], r: Recipe, rng: random.Random) -> list[list[int]]:
    keep = [i for i in range(len(src)) if 0 < len(src[i]) <= r.max_len_pieces and 0 < len(tgt[i]) < r.max_len_pieces]
    rng.shuffle(keep)
    # Sort within large pools by length so a batch holds similar lengths (little padding), then shuffle batches.
    batches: list[list[int]] = []
    pool = 20_000
    for start in range(0, len(keep), pool):
        chunk = sorted(keep[start : start + pool], key=lambda i: (len(src[i]), len(tgt[i])))
        batch: list[int] = []
        width = 0
        for i in chunk:
            w = max(width, len(src[i]), len(tgt[i]) + 1)
            if batch and w * (len(batch) + 1) > r.batch_tokens:
                batches.append(batch)
                batch, w = [], max(len(src[i]), len(tgt[i]) + 1)
            batch.append(i)
            width = w
        if batch:
            batches.append(batch)
    rng.shuffle(batches)
    return batches


def _tensors(ids: list[int], src: list[list[int]], tgt: list[list[int]]):  # type: ignore[no-untyped-def]
    import torch

    bos, eos, pad = 1, 2, 0
    s_w = max(len(src[i]) for i in ids)
    t_w = max(len(tgt[i]) for i in ids) + 1
    s = torch.full((len(ids), s_w), pad, dtype=torch.long)
    s_pad = torch.ones((len(ids), s_w), dtype=torch.bool)
    t_in = torch.full((len(ids), t_w), pad, dtype=torch.long)
    t_out = torch.full((len(ids), t_w), -100, dtype=torch.long)
    for row, i in enumerate(ids):
        a, b = src[i], tgt[i]
        s[row, : len(a)] = torch.tensor(a)
        s_pad[row, : len(a)] = False
        t_in[row, : len(b) + 1] = torch.tensor([bos, *b])
        t_out[row, : len(b) + 1] = torch.tensor([*b, eos])
    return s, s_pad, t_in, t_out


def dev_loss(model, src, tgt, r: Recipe) -> float:  # type: ignore[no-untyped-def]
    import torch

    model.eval()
    total, count = 0.0, 0
    with torch.no_grad():
        for ids in _batches(src, tgt, r, random.Random(0)):
            s, s_pad, t_in, t_out = _tensors(ids, src, tgt)
            logits = model(s, s_pad, t_in)
            loss = torch.nn.functional.cross_entropy(logits.view(-1, logits.shape[-1]), t_out.view(-1), reduction="sum")
            total += loss.item()
            count += int((t_out != -100).sum())
    model.train()
    return total / max(count, 1)


def score_model(model_dir: Path, sp_model: Path, sources: list[str], refs: list[list[str]]) -> dict[str, object]:
    import ctranslate2
    import sacrebleu
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_file=str(sp_model))
    translator = ctranslate2.Translator(str(model_dir), device="cpu", intra_threads=2)
    results = translator.translate_batch(
        [sp.encode(s, out_type=str) for s in sources], beam_size=4, max_batch_size=2048, batch_type="tokens",
        max_decoding_length=256,
    )
    hyps = [sp.decode_pieces(r.hypotheses[0]) for r in results]
    bleu = sacrebleu.metrics.BLEU()
    chrf = sacrebleu.metrics.CHRF(word_order=2)
    b, c = bleu.corpus_score(hyps, refs), chrf.corpus_score(hyps, refs)
    return {
        "bleu": round(b.score, 2),
        "chrf++": round(c.score, 2),
        "bleu_signature": str(bleu.get_signature()),
        "chrf_signature": str(chrf.get_signature()),
        "sample": hyps[:3],
    }


def average_checkpoints(paths: list[Path]) -> dict:
    import torch

    avg: dict = {}
    for p in paths:
        state = torch.load(p, map_location="cpu")["model"]
        for k, v in state.items():
            avg[k] = avg.get(k, 0) + v.float() / len(paths)
    return avg


def train(work: Path, shared: Path, r: Recipe, max_minutes: float, max_steps: int | None, ckpt_minutes: float,
          max_epochs: int, eval_lines: int, log) -> None:  # type: ignore[no-untyped-def]
    import sentencepiece as spm
    import torch

    torch.manual_seed(r.seed)
    torch.set_num_threads(2)
    sp_model = work / "sentencepiece.model"
    sp = spm.SentencePieceProcessor(model_file=str(sp_model))
    vocab = sp.get_piece_size()
    src, tgt = _encode_file(sp, work / "train.de"), _encode_file(sp, work / "train.en")
    dsrc, dtgt = _encode_file(sp, work / "dev.de"), _encode_file(sp, work / "dev.en")
    dev_de, dev_en = _lines(work / "dev.de"), _lines(work / "dev.en")
    # (Path.with_suffix would cut "newstest2019.de-en" at ".de-en": name the files in full.)
    wmt_de_path, wmt_en_path = shared / "wmt" / "newstest2019.de-en.de", shared / "wmt" / "newstest2019.de-en.en"
    wmt_de = _lines(wmt_de_path)[:eval_lines] if wmt_de_path.exists() else []
    wmt_en = _lines(wmt_en_path)[:eval_lines] if wmt_de else []

    model = build_torch_model(vocab, r)
    optim = torch.optim.Adam(model.parameters(), lr=r.lr, betas=(0.9, 0.98), eps=1e-9)

    def lr_at(step: int) -> float:
        step = max(step, 1)
        return min(step / r.warmup, math.sqrt(r.warmup / step))

    sched = torch.optim.lr_scheduler.LambdaLR(optim, lr_at)
    ckpts = work / "checkpoints"
    ckpts.mkdir(exist_ok=True)
    state_file = work / "train_state.pt"
    step, epoch, elapsed = 0, 0, 0.0
    if state_file.exists():
        saved = torch.load(state_file, map_location="cpu")
        model.load_state_dict(saved["model"])
        optim.load_state_dict(saved["optim"])
        sched.load_state_dict(saved["sched"])
        step, epoch, elapsed = saved["step"], saved["epoch"], saved["elapsed"]
        log({"event": "resume", "step": step, "epoch": epoch, "elapsed_s": round(elapsed)})
    log({"event": "start", "params": sum(p.numel() for p in model.parameters()), "vocab": vocab,
         "train_pairs": len(src), "recipe": asdict(r)})

    def save_state(path: Path) -> None:
        tmp = path.with_suffix(".tmp")
        torch.save({"model": model.state_dict(), "optim": optim.state_dict(), "sched": sched.state_dict(),
                    "step": step, "epoch": epoch, "elapsed": elapsed}, tmp)
        tmp.replace(path)

    started = time.time() - elapsed
    last_ckpt = time.time()
    done = False
    model.train()
    while not done and epoch < max_epochs:
        rng = random.Random(r.seed + epoch)
        batches = _batches(src, tgt, r, rng)
        skip = saved_batch = 0
        if state_file.exists():
            saved_batch = torch.load(state_file, map_location="cpu").get("batch_in_epoch", 0)
            skip = saved_batch
        window_loss, window_tokens = 0.0, 0
        for b_index, ids in enumerate(batches):
            if b_index < skip:
                continue
            s, s_pad, t_in, t_out = _tensors(ids, src, tgt)
            logits = model(s, s_pad, t_in)
            loss = torch.nn.functional.cross_entropy(
                logits.view(-1, vocab), t_out.view(-1), label_smoothing=r.label_smoothing
            )
            optim.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optim.step()
            sched.step()
            step += 1
            n = int((t_out != -100).sum())
            window_loss += loss.item() * n
            window_tokens += n
            elapsed = time.time() - started
            if step % 100 == 0:
                log({"event": "train", "step": step, "epoch": epoch, "loss": round(window_loss / window_tokens, 4),
                     "lr": round(sched.get_last_lr()[0], 6), "elapsed_s": round(elapsed),
                     "tok_per_s": round(window_tokens / max(1e-9, elapsed - getattr(train, "_t", 0.0)))})
                train._t = elapsed  # type: ignore[attr-defined]
                window_loss, window_tokens = 0.0, 0
            if time.time() - last_ckpt > ckpt_minutes * 60:
                last_ckpt = time.time()
                torch.save({"model": model.state_dict(), "step": step}, ckpts / f"step{step:07d}.pt")
                save_state(state_file)
                torch.save({**torch.load(state_file), "batch_in_epoch": b_index + 1}, state_file)
            if elapsed > max_minutes * 60 or (max_steps and step >= max_steps):
                done = True
                break
        if not done:
            epoch += 1
        torch.save({"model": model.state_dict(), "step": step}, ckpts / f"step{step:07d}.pt")
        save_state(state_file)
        # Evaluate the raw (non-averaged) weights after each epoch or at the stop: the learning curve.
        entry: dict[str, object] = {"event": "epoch_end" if not done else "stop", "epoch": epoch, "step": step,
                                    "elapsed_s": round(elapsed), "dev_loss": round(dev_loss(model, dsrc, dtgt, r), 4)}
        tmp_model = work / "eval_model"
        vocabulary = [sp.id_to_piece(i) for i in range(vocab)]
        to_ctranslate2(model.state_dict(), vocabulary, r, tmp_model, "int8")
        entry["dev"] = score_model(tmp_model, sp_model, dev_de[:300], [dev_en[:300]])
        if wmt_de:
            entry[f"newstest2019_first{len(wmt_de)}"] = score_model(tmp_model, sp_model, wmt_de, [wmt_en])
        log(entry)
        model.train()


def package(  # type: ignore[no-untyped-def]
    work: Path, shared: Path, r: Recipe, out_dir: Path, n_average: int, summary: dict, log
) -> Path:
    import sentencepiece as spm
    import torch

    ckpts = sorted((work / "checkpoints").glob("step*.pt"))
    chosen = ckpts[-n_average:]
    state = average_checkpoints(chosen)
    sp_model = work / "sentencepiece.model"
    sp = spm.SentencePieceProcessor(model_file=str(sp_model))
    vocabulary = [sp.id_to_piece(i) for i in range(sp.get_piece_size())]
    model_dir = work / "final_model"
    to_ctranslate2(state, vocabulary, r, model_dir, "int8")
    dev_de, dev_en = _lines(work / "dev.de")[:300], _lines(work / "dev.en")[:300]
    averaged_score = score_model(model_dir, sp_model, dev_de, [dev_en])
    last = torch.load(ckpts[-1], map_location="cpu")["model"]
    to_ctranslate2(last, vocabulary, r, work / "last_model", "int8")
    last_score = score_model(work / "last_model", sp_model, dev_de, [dev_en])
    # Averaging usually helps; keep it only when the dev set agrees (chrF++), and say which was kept.
    if float(last_score["chrf++"]) > float(averaged_score["chrf++"]):  # type: ignore[arg-type]
        chosen = ckpts[-1:]
        shutil.rmtree(model_dir)
        (work / "last_model").rename(model_dir)
    log({"event": "averaged", "checkpoints": [p.name for p in chosen], "dev_averaged": averaged_score,
         "dev_last": last_score})
    # The quality Glossator shows with every translation by this model (see glossator.models.model_notice).
    quality: dict[str, object] = {}
    wmt_de, wmt_en = shared / "wmt" / "newstest2019.de-en.de", shared / "wmt" / "newstest2019.de-en.en"
    if wmt_de.exists():
        quality = score_model(model_dir, sp_model, _lines(wmt_de), [_lines(wmt_en)])
        quality.pop("sample", None)
        log({"event": "newstest2019", **quality})
    metadata = {
        "package_version": PACKAGE_VERSION,
        "argos_version": "1.9",
        "from_code": "de",
        "from_name": "German",
        "to_code": "en",
        "to_name": "English",
        "code": PACKAGE_CODE,
        "type": "translate",
        "max_positions": MAX_POSITIONS,
        "name": "Glossator small de-en",
        "description": "A small German→English Transformer trained by the Glossator project on ~220k public "
        "sentence pairs (Tatoeba, Europarl, WMT news 2008-2018). General domain, limited quality.",
        "license": "CC-BY 2.0 (trained on Tatoeba data, CC-BY 2.0: tatoeba.org and manythings.org/anki; "
        "Europarl: statmt.org/europarl; WMT news test sets 2008-2018: statmt.org)",
        "attribution": "Tatoeba (https://tatoeba.org), ManyThings Anki (https://www.manythings.org/anki/), "
        "Europarl v7 (Koehn 2005), WMT news test sets 2008-2018",
        "data": summary,
        "recipe": asdict(r),
        "averaged_checkpoints": [p.name for p in chosen],
        "scores": {"newstest2019": quality},
    }
    if quality:
        metadata["glossator_quality"] = (
            f"a small model trained by the Glossator project on ~220k public sentence pairs; newstest2019 "
            f"BLEU {quality['bleu']}, chrF++ {quality['chrf++']} (a production model reaches ~40 BLEU): expect "
            "errors, check important text"
        )
    top = f"translate-{PACKAGE_CODE}-{PACKAGE_VERSION.replace('.', '_')}"
    out_dir.mkdir(parents=True, exist_ok=True)
    zip_path = out_dir / f"{PACKAGE_CODE}.argosmodel"
    tmp = zip_path.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:

        def add(name: str, data: bytes) -> None:
            info = zipfile.ZipInfo(f"{top}/{name}", date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)

        add("metadata.json", (json.dumps(metadata, indent=2, ensure_ascii=False) + "\n").encode())
        add("README.md", (out_dir / "MODEL_CARD.md").read_bytes() if (out_dir / "MODEL_CARD.md").exists()
            else b"Glossator small de->en model; see the model card in the Glossator repository.\n")
        add("sentencepiece.model", sp_model.read_bytes())
        for path in sorted(model_dir.iterdir()):
            add(f"model/{path.name}", path.read_bytes())
    tmp.replace(zip_path)
    digest = hashlib.sha256(zip_path.read_bytes()).hexdigest()
    log({"event": "packaged", "path": str(zip_path), "bytes": zip_path.stat().st_size, "sha256": digest})
    return zip_path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="the shared data folder")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "training", help="work directory (resumable)")
    parser.add_argument("--out-dir", type=Path, default=ROOT / "models" / "de_en_small")
    parser.add_argument("--max-minutes", type=float, default=100.0, help="training time budget")
    parser.add_argument("--max-steps", type=int, default=None)
    parser.add_argument("--max-epochs", type=int, default=100)
    parser.add_argument("--max-pairs", type=int, default=None, help="use only this many pairs (smoke tests)")
    parser.add_argument("--ckpt-minutes", type=float, default=10.0)
    parser.add_argument("--average", type=int, default=3, help="average the last N checkpoints")
    parser.add_argument(
        "--package-only", action="store_true", help="skip training: average and package the checkpoints"
    )
    parser.add_argument("--eval-lines", type=int, default=300, help="newstest2019 lines scored after each epoch")
    for field, default in asdict(Recipe()).items():
        parser.add_argument(f"--{field.replace('_', '-')}", type=type(default), default=default)
    args = parser.parse_args(argv)
    recipe = Recipe(**{f: getattr(args, f) for f in asdict(Recipe())})
    if not (args.shared / "parallel").is_dir():
        message = f"Error: {args.shared}/parallel not found. Pass --shared PATH to the shared data folder."
        print(message, file=sys.stderr)
        return 3
    work: Path = args.work
    work.mkdir(parents=True, exist_ok=True)
    log_path = work / "train_log.jsonl"

    def log(entry: dict) -> None:
        entry = {"time": time.strftime("%Y-%m-%dT%H:%M:%S"), **entry}
        line = json.dumps(entry, ensure_ascii=False)
        print(line, file=sys.stderr, flush=True)
        with log_path.open("a", encoding="utf-8") as f:
            f.write(line + "\n")

    if (work / "data.json").exists():
        summary = json.loads((work / "data.json").read_text(encoding="utf-8"))
    else:
        summary = prepare(args.shared, work, recipe, args.max_pairs)
        log({"event": "prepared", **summary})
    train_sentencepiece(work, recipe)
    if not args.package_only:
        train(work, args.shared, recipe, args.max_minutes, args.max_steps, args.ckpt_minutes, args.max_epochs,
              args.eval_lines, log)
    zip_path = package(work, args.shared, recipe, args.out_dir, args.average, summary, log)
    shutil.copy(log_path, args.out_dir / "train_log.jsonl")
    print(f"wrote {zip_path} ({zip_path.stat().st_size / 1e6:.1f} MB)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
