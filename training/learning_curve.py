"""Score every checkpoint of a training run: the learning curve (BLEU and chrF++ by step and epoch).

    python training/learning_curve.py --lines 500 --out models/de_en_small/learning_curve.json

Each checkpoint is converted to CTranslate2 int8 as the package is, and scored (beam 4, sacrebleu defaults) on the
first ``--lines`` lines of newstest2019 and on the held-out dev set. Prints a table; writes JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import build_model as bm


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=bm.ROOT / "build" / "training")
    parser.add_argument("--shared", type=Path, default=bm.DEFAULT_SHARED)
    parser.add_argument("--lines", type=int, default=500, help="newstest2019 lines to score each checkpoint on")
    parser.add_argument("--steps", type=int, nargs="*", help="only these checkpoints (default: all)")
    parser.add_argument("--out", type=Path, default=bm.ROOT / "models" / "de_en_small" / "learning_curve.json")
    args = parser.parse_args(argv)
    import sentencepiece as spm
    import torch

    log = [json.loads(line) for line in (args.work / "train_log.jsonl").read_text(encoding="utf-8").splitlines()]
    start = next(e for e in reversed(log) if e["event"] == "start")
    recipe = bm.Recipe(**start["recipe"])
    epoch_of = {e["step"]: e["epoch"] for e in log if e["event"] in ("epoch_end", "stop")}
    elapsed_of = {e["step"]: e["elapsed_s"] for e in log if "elapsed_s" in e and "step" in e}
    sp_model = args.work / "sentencepiece.model"
    sp = spm.SentencePieceProcessor(model_file=str(sp_model))
    vocabulary = [sp.id_to_piece(i) for i in range(sp.get_piece_size())]
    wmt_de = bm._lines(args.shared / "wmt" / "newstest2019.de-en.de")[: args.lines]
    wmt_en = bm._lines(args.shared / "wmt" / "newstest2019.de-en.en")[: args.lines]
    dev_de, dev_en = bm._lines(args.work / "dev.de")[:300], bm._lines(args.work / "dev.en")[:300]
    rows = []
    header = ("step", "epoch", "minutes", "nt19 BLEU", "nt19 chrF++", "dev BLEU", "dev chrF++")
    print(" ".join(f"{h:>{w}}" for h, w in zip(header, (6, 6, 8, 10, 12, 9, 11), strict=True)))
    with tempfile.TemporaryDirectory() as tmp:
        for path in sorted((args.work / "checkpoints").glob("step*.pt")):
            if args.steps and int(path.stem.removeprefix("step")) not in args.steps:
                continue
            saved = torch.load(path, map_location="cpu")
            step = int(saved["step"])
            bm.to_ctranslate2(saved["model"], vocabulary, recipe, Path(tmp) / "m", "int8")
            news = bm.score_model(Path(tmp) / "m", sp_model, wmt_de, [wmt_en])
            dev = bm.score_model(Path(tmp) / "m", sp_model, dev_de, [dev_en])
            near = min(elapsed_of, key=lambda s: abs(s - step)) if elapsed_of else step
            row = {
                "step": step,
                "epoch_end": epoch_of.get(step),
                "minutes": round(elapsed_of.get(near, 0) / 60, 1),
                "newstest2019": {k: news[k] for k in ("bleu", "chrf++", "bleu_signature", "chrf_signature")},
                "dev": {k: dev[k] for k in ("bleu", "chrf++")},
            }
            rows.append(row)
            epoch = "" if row["epoch_end"] is None else str(row["epoch_end"])
            print(f"{step:>6} {epoch:>6} {row['minutes']:>8} {news['bleu']:>10} {news['chrf++']:>12} "
                  f"{dev['bleu']:>9} {dev['chrf++']:>11}", flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"newstest2019_lines": len(wmt_de), "rows": rows}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
