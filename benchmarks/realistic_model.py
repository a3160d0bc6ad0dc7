"""Build a realistic-size *random* Argos de→en package for speed and memory benchmarks.

    python benchmarks/realistic_model.py [--out DIR]     # builds (or reuses) DIR/de_en_realistic_random.argosmodel

Shape: transformer-base as Argos' de→en packages use it: 6 encoder + 6 decoder layers, d_model 512, 8 heads,
FFN 2048, one shared SentencePiece vocabulary (BPE, 50,000 pieces, trained on every German and English line of
``/work/shared/data/wmt``), embeddings shared by encoder, decoder and output projection, int8 weights. The
weights are seeded numpy noise: the package is as costly to run as a real one and translates nothing.

Fixed output length. Random weights never pick ``</s>``, so every decode would run to ``max_decoding_length``
(Glossator 256, argostranslate CTranslate2's default 256, but with different length penalties) and compare
nothing real. Instead the model is built so ``</s>`` wins exactly at decoder step ``OUTPUT_TOKENS``:

- residual dimension 0 carries only a position signal: every token embedding is 0 there and the output rows
  for dimension 0 of every attention output projection and FFN second linear are 0, so no layer writes it;
- the learned decoder position table holds ``-EOS_SIGNAL`` in dimension 0 at every step but ``OUTPUT_TOKENS``,
  where it holds ``+EOS_SIGNAL``;
- the ``</s>`` row of the (shared) embedding / output projection is ``EOS_WEIGHT`` in dimension 0 and 0 elsewhere,
  so after the final layer norm its logit is about ±10 * ``EOS_WEIGHT``: far below every other token before the
  step and far above them at it.

So every source sentence, on every path and with any beam size or length penalty, becomes exactly
``OUTPUT_TOKENS`` target pieces, and no path needs its own ``max_decoding_length``. The benchmark checks it.

The built package is cached (``~/.cache/glossator-bench`` by default) and never committed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WMT_DIR = REPO.parent / "shared" / "data" / "wmt"
DEFAULT_CACHE = Path.home() / ".cache" / "glossator-bench"

PACKAGE_CODE = "de_en_realistic_random"
PACKAGE_VERSION = "1.0"
LAYERS, D_MODEL, HEADS, FFN_DIM = 6, 512, 8, 2048
VOCAB_SIZE = 50_000
POSITIONS = 1024  # learned position tables for encoder and decoder
OUTPUT_TOKENS = 30  # every translation is exactly this many target pieces
EOS_SIGNAL, EOS_WEIGHT = 50.0, 5.0
SEED = 20260101
# Bump when anything above or in the construction changes, so a cached package is rebuilt.
BUILD_ID = f"v1-L{LAYERS}-d{D_MODEL}-h{HEADS}-f{FFN_DIM}-v{VOCAB_SIZE}-p{POSITIONS}-n{OUTPUT_TOKENS}-s{SEED}-int8"


def training_files() -> list[Path]:
    """Every German and English text file of the WMT folder (source, references, the second human translation)."""
    files = sorted(p for p in WMT_DIR.iterdir() if p.suffix in (".de", ".en"))
    if not files:
        raise SystemExit(f"no .de/.en files in {WMT_DIR}")
    return files


def train_sentencepiece(workdir: Path) -> Path:
    """BPE, because unigram stops at ~22k pieces on this 1.6 MB of text; BPE reaches the full 50,000."""
    import sentencepiece as spm

    text = workdir / "sp_train.txt"
    text.write_text("".join(p.read_text(encoding="utf-8") for p in training_files()), encoding="utf-8")
    prefix = workdir / "sentencepiece"
    spm.SentencePieceTrainer.train(
        input=str(text),
        model_prefix=str(prefix),
        vocab_size=VOCAB_SIZE,
        hard_vocab_limit=False,
        model_type="bpe",
        character_coverage=1.0,
        unk_id=0,
        bos_id=1,
        eos_id=2,
        pad_id=-1,
        num_threads=1,
        minloglevel=2,
    )
    return prefix.with_suffix(".model")


def build_spec(vocabulary: list[str]):  # type: ignore[no-untyped-def]
    """A TransformerSpec filled with seeded noise plus the fixed-length ``</s>`` construction (module docstring)."""
    import numpy as np
    from ctranslate2.specs import transformer_spec

    rng = np.random.default_rng(SEED)
    vocab = len(vocabulary)
    eos = vocabulary.index("</s>")

    def noise(*shape: int, std: float):  # type: ignore[no-untyped-def]
        return (rng.standard_normal(shape, dtype=np.float32) * std).astype(np.float32)

    def linear(dst, d_out: int, d_in: int, *, silent_dim0: bool = False) -> None:  # type: ignore[no-untyped-def]
        weight = noise(d_out, d_in, std=d_in**-0.5)
        bias = noise(d_out, std=0.02)
        if silent_dim0:  # this linear writes into the residual stream: keep dimension 0 for the position signal
            weight[0, :] = 0.0
            bias[0] = 0.0
        dst.weight, dst.bias = weight, bias

    def norm(dst) -> None:  # type: ignore[no-untyped-def]
        dst.gamma, dst.beta = np.ones(D_MODEL, np.float32), np.zeros(D_MODEL, np.float32)

    spec = transformer_spec.TransformerSpec.from_config((LAYERS, LAYERS), HEADS, alignment_layer=-1, alignment_heads=0)
    embeddings = noise(vocab, D_MODEL, std=D_MODEL**-0.5)
    embeddings[:, 0] = 0.0
    embeddings[eos, :] = 0.0
    embeddings[eos, 0] = EOS_WEIGHT
    enc, dec = spec.encoder, spec.decoder
    enc.embeddings[0].weight = embeddings
    enc.position_encodings.encodings = noise(POSITIONS, D_MODEL, std=0.02)
    norm(enc.layer_norm)
    for layer in enc.layer:
        norm(layer.self_attention.layer_norm)
        linear(layer.self_attention.linear[0], 3 * D_MODEL, D_MODEL)
        linear(layer.self_attention.linear[1], D_MODEL, D_MODEL)
        norm(layer.ffn.layer_norm)
        linear(layer.ffn.linear_0, FFN_DIM, D_MODEL)
        linear(layer.ffn.linear_1, D_MODEL, FFN_DIM)
    positions = noise(POSITIONS, D_MODEL, std=0.02)
    positions[:, 0] = -EOS_SIGNAL
    positions[OUTPUT_TOKENS, 0] = EOS_SIGNAL  # position 0 is the start token, so step N emits the N+1-th piece
    dec.embeddings.weight = embeddings
    dec.position_encodings.encodings = positions
    norm(dec.layer_norm)
    dec.projection.weight = embeddings
    dec.projection.bias = np.zeros(vocab, np.float32)
    for layer in dec.layer:
        norm(layer.self_attention.layer_norm)
        linear(layer.self_attention.linear[0], 3 * D_MODEL, D_MODEL)
        linear(layer.self_attention.linear[1], D_MODEL, D_MODEL, silent_dim0=True)
        norm(layer.attention.layer_norm)
        linear(layer.attention.linear[0], D_MODEL, D_MODEL)
        linear(layer.attention.linear[1], 2 * D_MODEL, D_MODEL)
        linear(layer.attention.linear[2], D_MODEL, D_MODEL, silent_dim0=True)
        norm(layer.ffn.layer_norm)
        linear(layer.ffn.linear_0, FFN_DIM, D_MODEL)
        linear(layer.ffn.linear_1, D_MODEL, FFN_DIM, silent_dim0=True)
    spec.register_source_vocabulary(vocabulary)
    spec.register_target_vocabulary(vocabulary)
    spec.config.unk_token, spec.config.bos_token, spec.config.eos_token = "<unk>", "<s>", "</s>"
    spec.config.decoder_start_token = "<s>"
    return spec


def build_package(cache: Path = DEFAULT_CACHE, log=print) -> tuple[Path, Path]:  # type: ignore[no-untyped-def]
    """Build (or reuse) the package; returns ``(package_dir, argosmodel_zip)``."""
    import ctranslate2
    import sentencepiece as spm

    digest = hashlib.sha256(BUILD_ID.encode()).hexdigest()[:10]
    root = cache / f"realistic-{digest}"
    top = f"translate-{PACKAGE_CODE}-{PACKAGE_VERSION.replace('.', '_')}"
    package_dir, zip_path = root / top, root / f"{PACKAGE_CODE}.argosmodel"
    if zip_path.exists() and (package_dir / "metadata.json").exists():
        log(f"reusing {zip_path} ({zip_path.stat().st_size / 1e6:.0f} MB)")
        return package_dir, zip_path
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        sp_model = train_sentencepiece(work)
        sp = spm.SentencePieceProcessor(model_file=str(sp_model))
        vocabulary = [sp.id_to_piece(i) for i in range(sp.get_piece_size())]
        log(f"SentencePiece BPE vocabulary: {len(vocabulary)} pieces")
        spec = build_spec(vocabulary)
        spec.validate()
        spec.optimize(quantization="int8")
        (package_dir / "model").mkdir(parents=True)
        spec.save(str(package_dir / "model"))
        if not ctranslate2.contains_model(str(package_dir / "model")):
            raise SystemExit("CTranslate2 did not write a model")
        shutil.copy(sp_model, package_dir / "sentencepiece.model")
    metadata = {
        "package_version": PACKAGE_VERSION,
        "argos_version": "1.0",
        "from_code": "de",
        "from_name": "German",
        "to_code": "en",
        "to_name": "English",
        "code": PACKAGE_CODE,
        "type": "translate",
        "description": f"Random-weight transformer-base for benchmarks ({BUILD_ID}). Translates nothing.",
    }
    (package_dir / "metadata.json").write_text(json.dumps(metadata, indent=2) + "\n", encoding="utf-8")
    (package_dir / "README.md").write_text("Random weights, for Glossator's benchmarks only.\n", encoding="utf-8")
    with zipfile.ZipFile(zip_path, "w", compression=zipfile.ZIP_STORED) as zf:
        for path in sorted(package_dir.rglob("*")):
            if path.is_file():
                zf.write(path, f"{top}/{path.relative_to(package_dir)}")
    log(f"built {zip_path} ({zip_path.stat().st_size / 1e6:.0f} MB)")
    return package_dir, zip_path


def add_spacy_sentencizer(package_dir: Path) -> Path:
    """Save ``spacy.blank("de")`` as ``spacy/`` in an (installed) package: argostranslate's SPACY chunker loads it
    from there instead of downloading ``xx_sent_ud_sm``."""
    import spacy

    target = package_dir / "spacy"
    if not (target / "config.cfg").exists():
        spacy.blank("de").to_disk(target)
    return target


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_CACHE, help="cache directory for the built package")
    args = parser.parse_args()
    build_package(args.out, log=lambda m: print(m, file=sys.stderr))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
