#!/usr/bin/env python3
"""What bringing a fine-tuned encoder back to int8 costs: `unsafe` AUPRC on evaluation-only sets.

Scores each set twice with the same checkpoint (finetune.py's) and its own heads, in fp32
PyTorch: with the fine-tuned weights as trained, and with every quantised weight rounded to the
stock int8 graph's grid as export.py writes it (minilm.quantisation_aware; the shipped graph then
differs only by ONNX Runtime's dynamic quantisation of activations). A checkpoint trained with
`finetune.py --quantisation-aware` is on the grid already, so its two columns agree.

  /usr/bin/python3 models/training/diagnostics/quant_gap.py --checkpoint models/target/finetune/checkpoint-0.pt \\
      --onnx /tmp/e5q/e5-small-v2-q.onnx --tokenizer /tmp/e5q/e5-small-v2-q-tokenizer.json \\
      --text-prefix "query: " --work models/target/training
"""
import argparse
import copy
import json
import os
import sys

import numpy as np
import torch
from sklearn.metrics import average_precision_score

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # the other diagnostics
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # the pipeline
import finetune  # noqa: E402
from minilm import MiniLM, encoder_weights, quantisation_aware  # noqa: E402
from wordpiece import WordPiece  # noqa: E402

SETS = ("aegis_prompts", "jbb_behaviors", "harmbench_responses", "saferlhf_responses")


def load(checkpoint, onnx_path, head):
    """A Guard with the checkpoint's encoder and heads (`head`: any head.json of the same labels)."""
    model = finetune.Guard(MiniLM(encoder_weights(onnx_path)), head)
    model.load_state_dict(torch.load(checkpoint, map_location="cpu"))
    return model


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--onnx", required=True, help="the stock int8 graph the checkpoint was rebuilt from")
    ap.add_argument("--tokenizer", required=True)
    ap.add_argument("--text-prefix", default="")
    ap.add_argument("--work", required=True, help="holds eval/*.jsonl (bin/parapet train writes it)")
    ap.add_argument("--head", default="models/guard/head.json", help="names the label order of the heads")
    ap.add_argument("--max-len", type=int, default=128, help="tokens per text, as the runtime's window")
    ap.add_argument("--sets", nargs="*", default=list(SETS))
    args = ap.parse_args()
    torch.set_num_threads(os.cpu_count() or 1)
    head = json.load(open(args.head))
    column = head["labels"].index("unsafe")
    tok = WordPiece(args.tokenizer, max_len=args.max_len, prefix=args.text_prefix)
    fp32 = load(args.checkpoint, args.onnx, head)
    on_grid = copy.deepcopy(fp32)
    quantisation_aware(on_grid.encoder, args.onnx)
    print(f"{'set':24s} {'texts':>6s} {'fp32':>7s} {'int8 grid':>9s}")
    for name in args.sets:
        rows = [json.loads(l) for l in open(f"{args.work}/eval/{name}.jsonl", encoding="utf-8")]
        y = np.array(["unsafe" in r["labels"] for r in rows], dtype=int)
        texts = [r["text"] for r in rows]
        a, b = (average_precision_score(y, finetune.score(m, tok, texts)[:, column]) for m in (fp32, on_grid))
        print(f"{name:24s} {len(rows):6d} {a:7.3f} {b:9.3f}", flush=True)


if __name__ == "__main__":
    main()
