"""Build the project's test model: a small but real Argos de→en package (CTranslate2 + SentencePiece).

    python tests/model/build_test_model.py            # train, convert, package, write expected.tsv

Why: no real German→English Argos model can be downloaded in this workplace, yet tests and CI must go
through the same install → load → translate code as a downloaded package. This script trains a
2+2-layer, d_model 128 pre-norm Transformer with PyTorch on CPU on ``train.tsv`` (the seed article's
sentences and some demo sentences, paired with English as a *generic engine* renders them, term slips
included), writes its weights straight into a ``ctranslate2.specs.TransformerSpec`` and zips an Argos
package with one top folder: ``metadata.json``, ``model/``, ``sentencepiece.model``.

Training is not bit-reproducible across machines, so the built package and the outputs it gives
(``expected.tsv``, decoded by CTranslate2 with Glossator's default decoding options) are committed; CI
never retrains. torch is a build-time dependency only.
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import sys
import tempfile
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
PACKAGE_NAME = "de_en_glossator_test"
PACKAGE_VERSION = "1.0"
D_MODEL, HEADS, FFN_DIM, LAYERS, MAX_LEN = 128, 4, 512, 2, 256


def read_pairs(path: Path) -> list[tuple[str, str]]:
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            source, target = line.split("\t")
            pairs.append((source, target))
    return pairs


def train_sentencepiece(pairs: list[tuple[str, str]], workdir: Path, vocab_size: int) -> Path:
    import sentencepiece as spm

    text = workdir / "sp_train.txt"
    text.write_text("\n".join(s for pair in pairs for s in pair) + "\n", encoding="utf-8")
    prefix = workdir / "sentencepiece"
    spm.SentencePieceTrainer.train(
        input=str(text),
        model_prefix=str(prefix),
        vocab_size=vocab_size,
        hard_vocab_limit=False,
        model_type="unigram",
        character_coverage=1.0,
        unk_id=0,
        bos_id=1,
        eos_id=2,
        pad_id=-1,
        num_threads=1,
        minloglevel=2,
    )
    return prefix.with_suffix(".model")


def build_torch_model(vocab: int):  # type: ignore[no-untyped-def]
    import torch
    from torch import nn

    class Attention(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.q, self.k, self.v, self.o = (nn.Linear(D_MODEL, D_MODEL) for _ in range(4))

        def forward(self, x, memory, mask):  # type: ignore[no-untyped-def]
            b, t, _ = x.shape
            s = memory.shape[1]
            dh = D_MODEL // HEADS
            q = self.q(x).view(b, t, HEADS, dh).transpose(1, 2) / math.sqrt(dh)
            k = self.k(memory).view(b, s, HEADS, dh).transpose(1, 2)
            v = self.v(memory).view(b, s, HEADS, dh).transpose(1, 2)
            scores = q @ k.transpose(-1, -2) + mask
            out = torch.softmax(scores, dim=-1) @ v
            return self.o(out.transpose(1, 2).reshape(b, t, D_MODEL))

    class FFN(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.norm, self.l0, self.l1 = (
                nn.LayerNorm(D_MODEL, eps=1e-6),
                nn.Linear(D_MODEL, FFN_DIM),
                nn.Linear(FFN_DIM, D_MODEL),
            )

        def forward(self, x):  # type: ignore[no-untyped-def]
            return self.l1(torch.relu(self.l0(self.norm(x))))

    class EncoderLayer(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.norm, self.attn, self.ffn = nn.LayerNorm(D_MODEL, eps=1e-6), Attention(), FFN()

        def forward(self, x, mask):  # type: ignore[no-untyped-def]
            h = self.norm(x)
            x = x + self.attn(h, h, mask)
            return x + self.ffn(x)

    class DecoderLayer(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.norm1, self.self_attn = nn.LayerNorm(D_MODEL, eps=1e-6), Attention()
            self.norm2, self.cross = nn.LayerNorm(D_MODEL, eps=1e-6), Attention()
            self.ffn = FFN()

        def forward(self, y, memory, self_mask, cross_mask):  # type: ignore[no-untyped-def]
            h = self.norm1(y)
            y = y + self.self_attn(h, h, self_mask)
            y = y + self.cross(self.norm2(y), memory, cross_mask)
            return y + self.ffn(y)

    class Seq2Seq(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.embed = nn.Embedding(vocab, D_MODEL)
            nn.init.normal_(self.embed.weight, std=D_MODEL**-0.5)
            self.enc_pos = nn.Parameter(torch.randn(MAX_LEN, D_MODEL) * 0.02)
            self.dec_pos = nn.Parameter(torch.randn(MAX_LEN, D_MODEL) * 0.02)
            self.enc = nn.ModuleList(EncoderLayer() for _ in range(LAYERS))
            self.dec = nn.ModuleList(DecoderLayer() for _ in range(LAYERS))
            self.enc_norm, self.dec_norm = nn.LayerNorm(D_MODEL, eps=1e-6), nn.LayerNorm(D_MODEL, eps=1e-6)
            self.out_bias = nn.Parameter(torch.zeros(vocab))
            self.drop = nn.Dropout(0.1)

        def forward(self, src, src_pad, tgt_in):  # type: ignore[no-untyped-def]
            scale = math.sqrt(D_MODEL)
            x = self.drop(self.embed(src) * scale + self.enc_pos[: src.shape[1]])
            enc_mask = torch.zeros(src.shape[0], 1, 1, src.shape[1]).masked_fill(src_pad[:, None, None, :], -1e9)
            for layer in self.enc:
                x = layer(x, enc_mask)
            memory = self.enc_norm(x)
            t = tgt_in.shape[1]
            y = self.drop(self.embed(tgt_in) * scale + self.dec_pos[:t])
            causal = torch.triu(torch.full((t, t), -1e9), diagonal=1)[None, None]
            for layer in self.dec:
                y = layer(y, memory, causal, enc_mask)
            return self.dec_norm(y) @ self.embed.weight.T + self.out_bias

    return Seq2Seq()


def train(pairs: list[tuple[str, str]], sp_model: Path, steps: int, seed: int):  # type: ignore[no-untyped-def]
    import sentencepiece as spm
    import torch

    torch.manual_seed(seed)
    torch.set_num_threads(2)
    sp = spm.SentencePieceProcessor(model_file=str(sp_model))
    vocab = sp.get_piece_size()
    bos, eos, pad = 1, 2, 0  # padding positions are masked out of attention and the loss
    src = [sp.encode(s) for s, _ in pairs]
    tgt = [sp.encode(t) for _, t in pairs]

    def padded(rows: list[list[int]]) -> torch.Tensor:
        width = max(len(r) for r in rows)
        return torch.tensor([r + [pad] * (width - len(r)) for r in rows])

    src_t = padded(src)
    src_pad = torch.tensor([[i >= len(r) for i in range(src_t.shape[1])] for r in src])
    tgt_in = padded([[bos, *r] for r in tgt])
    tgt_out = padded([[*r, eos] for r in tgt])
    tgt_mask = torch.tensor([[i < len(r) + 1 for i in range(tgt_out.shape[1])] for r in tgt])

    model = build_torch_model(vocab)
    optim = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.98))
    sched = torch.optim.lr_scheduler.LambdaLR(optim, lambda s: min(1.0, (s + 1) / 100))
    started = time.time()
    for step in range(steps):
        model.train()
        logits = model(src_t, src_pad, tgt_in)
        loss = torch.nn.functional.cross_entropy(logits[tgt_mask], tgt_out[tgt_mask])
        optim.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optim.step()
        sched.step()
        if step % 200 == 0 or step == steps - 1:
            print(f"step {step:5d}  loss {loss.item():.4f}  {time.time() - started:.0f}s", file=sys.stderr)
    model.eval()
    return model, sp


def to_ctranslate2(model, sp, out_dir: Path) -> None:  # type: ignore[no-untyped-def]
    import ctranslate2
    from ctranslate2.specs import transformer_spec

    def np_(t):  # type: ignore[no-untyped-def]
        return t.detach().numpy().astype("float32")

    spec = transformer_spec.TransformerSpec.from_config((LAYERS, LAYERS), HEADS, alignment_layer=-1, alignment_heads=0)

    def set_norm(dst, norm) -> None:  # type: ignore[no-untyped-def]
        dst.gamma, dst.beta = np_(norm.weight), np_(norm.bias)

    def set_linear(dst, *linears) -> None:  # type: ignore[no-untyped-def]
        import numpy as np

        dst.weight = np.concatenate([np_(lin.weight) for lin in linears])
        dst.bias = np.concatenate([np_(lin.bias) for lin in linears])

    emb = np_(model.embed.weight)
    enc, dec = spec.encoder, spec.decoder
    enc.embeddings[0].weight = emb
    enc.position_encodings.encodings = np_(model.enc_pos)
    set_norm(enc.layer_norm, model.enc_norm)
    for dst, src in zip(enc.layer, model.enc, strict=True):
        set_norm(dst.self_attention.layer_norm, src.norm)
        set_linear(dst.self_attention.linear[0], src.attn.q, src.attn.k, src.attn.v)
        set_linear(dst.self_attention.linear[1], src.attn.o)
        set_norm(dst.ffn.layer_norm, src.ffn.norm)
        set_linear(dst.ffn.linear_0, src.ffn.l0)
        set_linear(dst.ffn.linear_1, src.ffn.l1)
    dec.embeddings.weight = emb
    dec.position_encodings.encodings = np_(model.dec_pos)
    set_norm(dec.layer_norm, model.dec_norm)
    dec.projection.weight = emb
    dec.projection.bias = np_(model.out_bias)
    for dst, src in zip(dec.layer, model.dec, strict=True):
        set_norm(dst.self_attention.layer_norm, src.norm1)
        set_linear(dst.self_attention.linear[0], src.self_attn.q, src.self_attn.k, src.self_attn.v)
        set_linear(dst.self_attention.linear[1], src.self_attn.o)
        set_norm(dst.attention.layer_norm, src.norm2)
        set_linear(dst.attention.linear[0], src.cross.q)
        set_linear(dst.attention.linear[1], src.cross.k, src.cross.v)
        set_linear(dst.attention.linear[2], src.cross.o)
        set_norm(dst.ffn.layer_norm, src.ffn.norm)
        set_linear(dst.ffn.linear_0, src.ffn.l0)
        set_linear(dst.ffn.linear_1, src.ffn.l1)
    vocabulary = [sp.id_to_piece(i) for i in range(sp.get_piece_size())]
    spec.register_source_vocabulary(vocabulary)
    spec.register_target_vocabulary(vocabulary)
    spec.config.unk_token, spec.config.bos_token, spec.config.eos_token = "<unk>", "<s>", "</s>"
    spec.config.decoder_start_token = "<s>"
    spec.validate()
    spec.optimize(quantization=None)
    out_dir.mkdir(parents=True, exist_ok=True)
    spec.save(str(out_dir))
    assert ctranslate2.contains_model(str(out_dir))


def write_package(model_dir: Path, sp_model: Path, zip_path: Path) -> None:
    metadata = {
        "package_version": PACKAGE_VERSION,
        "argos_version": "1.0",
        "from_code": "de",
        "from_name": "German",
        "to_code": "en",
        "to_name": "English",
        "code": PACKAGE_NAME,
        "type": "translate",
        "glossator_test_fixture": True,
        "max_positions": MAX_LEN,  # learned position table: longer inputs are truncated by the engine
        "description": "Glossator's test model: memorises the corpus article as a generic engine renders it.",
    }
    top = f"translate-{PACKAGE_NAME}-{PACKAGE_VERSION.replace('.', '_')}"
    # Fixed timestamps and order, so rebuilding from the same weights gives the same zip.
    with zipfile.ZipFile(zip_path, "w", compression=zipfile.ZIP_DEFLATED) as zf:

        def add(name: str, data: bytes) -> None:
            info = zipfile.ZipInfo(f"{top}/{name}", date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)

        add("metadata.json", (json.dumps(metadata, indent=2) + "\n").encode())
        add("README.md", b"Glossator test fixture: a tiny de->en model for tests. Not for real translation.\n")
        add("sentencepiece.model", sp_model.read_bytes())
        for path in sorted(model_dir.iterdir()):
            add(f"model/{path.name}", path.read_bytes())


def decode_expected(model_dir: Path, sp_model: Path, sources: list[str]) -> list[str]:
    """Decode with the options Glossator uses by default (glossator.common.settings.DecodeOptions)."""
    import ctranslate2
    import sentencepiece as spm

    sys.path.insert(0, str(HERE.parents[1]))
    from glossator.common.settings import DecodeOptions

    options = DecodeOptions()
    sp = spm.SentencePieceProcessor(model_file=str(sp_model))
    translator = ctranslate2.Translator(str(model_dir), device="cpu", intra_threads=1)
    results = translator.translate_batch(
        [sp.encode(s, out_type=str) for s in sources],
        beam_size=options.beam_size,
        length_penalty=options.length_penalty,
        max_decoding_length=options.max_decoding_length,
        max_batch_size=2048,
        batch_type="tokens",
    )
    return [sp.decode_pieces(r.hypotheses[0]) for r in results]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=600)
    parser.add_argument(
        "--checkpoint", type=Path, help="save the trained torch weights here, or reuse them if the file exists"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--vocab-size", type=int, default=1000)
    parser.add_argument("--out", type=Path, default=HERE / f"{PACKAGE_NAME}.argosmodel")
    args = parser.parse_args()

    pairs = read_pairs(HERE / "train.tsv")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        sp_model = train_sentencepiece(pairs, work, args.vocab_size)
        if args.checkpoint and args.checkpoint.exists():
            import sentencepiece as spm
            import torch

            shutil.copy(args.checkpoint.with_suffix(".spm"), sp_model)
            sp = spm.SentencePieceProcessor(model_file=str(sp_model))
            model = build_torch_model(sp.get_piece_size())
            model.load_state_dict(torch.load(args.checkpoint))
            model.eval()
        else:
            model, sp = train(pairs, sp_model, args.steps, args.seed)
            if args.checkpoint:
                import torch

                torch.save(model.state_dict(), args.checkpoint)
                shutil.copy(sp_model, args.checkpoint.with_suffix(".spm"))
        model_dir = work / "model"
        to_ctranslate2(model, sp, model_dir)
        outputs = decode_expected(model_dir, sp_model, [s for s, _ in pairs])
        exact = sum(o == t for o, (_, t) in zip(outputs, pairs, strict=True))
        print(f"CTranslate2 reproduces {exact}/{len(pairs)} training targets exactly", file=sys.stderr)
        for output, (source, target) in zip(outputs, pairs, strict=True):
            if output != target:
                print(f"  differs: {source!r}\n    want {target!r}\n    got  {output!r}", file=sys.stderr)
        write_package(model_dir, sp_model, args.out)
        expected = HERE / "expected.tsv"
        expected.write_text(
            "# German <TAB> English the committed test model gives with Glossator's default decoding options.\n"
            + "".join(f"{s}\t{o}\n" for (s, _), o in zip(pairs, outputs, strict=True)),
            encoding="utf-8",
        )
        shutil.rmtree(model_dir)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB) and {expected}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
