#!/usr/bin/env python3
"""Acceptance criteria 3 and 4 of models/EXPERIMENTS.md: the int8 graph against its fp32 export.

Scores the eight `unsafe` gates of the panel with both graphs through ONNX Runtime (each text's
first window of --max-len word pieces, batch 32, the same scorer for both), and prints each gate's
`unsafe` AUPRC, their mean and the gap. Then checks batch invariance: the first 64 texts of every
gate scored alone and in batches of 32 give the same logits within 1e-5.

Usage: python quant_gap2.py --fp32 DIR/model.onnx --int8 DIR/model.onnx --tokenizer T --panel models/target/panel
"""
import argparse
import json
import os
import sys

import numpy as np
import onnxruntime as ort
from sklearn.metrics import average_precision_score

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from panel import GATES  # noqa: E402
from wordpiece import WordPiece  # noqa: E402

UNSAFE = 7  # the column of `unsafe` in the shipped label order


def session(path):
    options = ort.SessionOptions()
    options.intra_op_num_threads = os.cpu_count() or 1
    return ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])


def feed(encoded):
    width = max(len(e) for e in encoded)
    ids = np.zeros((len(encoded), width), dtype=np.int64)
    mask = np.zeros_like(ids)
    for j, e in enumerate(encoded):
        ids[j, :len(e)] = e
        mask[j, :len(e)] = 1
    return {"input_ids": ids, "attention_mask": mask}


def logits(sess, encoded, batch=32):
    order = sorted(range(len(encoded)), key=lambda i: len(encoded[i]))
    out = np.zeros((len(encoded), 10), dtype=np.float32)
    for k in range(0, len(order), batch):
        part = order[k:k + batch]
        out[part] = sess.run(None, feed([encoded[i] for i in part]))[0]
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fp32", required=True)
    ap.add_argument("--int8", required=True)
    ap.add_argument("--tokenizer", required=True)
    ap.add_argument("--panel", required=True)
    ap.add_argument("--max-len", type=int, default=128)
    ap.add_argument("--json")
    args = ap.parse_args()
    tok = WordPiece(args.tokenizer, max_len=args.max_len, prefix="query: ")
    fp32, int8 = session(args.fp32), session(args.int8)
    result, worst = {}, 0.0
    for gate, (_, metric, what) in GATES.items():
        rows = [json.loads(l) for l in open(f"{args.panel}/{gate}.jsonl", encoding="utf-8")]
        encoded = [tok.encode(r["text"]) for r in rows]
        if metric == "auprc" and what == "unsafe":
            y = np.array(["unsafe" in r["labels"] for r in rows])
            a = average_precision_score(y, logits(fp32, encoded)[:, UNSAFE])
            b = average_precision_score(y, logits(int8, encoded)[:, UNSAFE])
            result[gate] = {"fp32": round(float(a), 4), "int8": round(float(b), 4)}
            print(f"{gate:20s} fp32 {a:.4f} int8 {b:.4f} gap {a - b:+.4f}", flush=True)
        sample = encoded[:64]
        alone = np.vstack([int8.run(None, feed([e]))[0] for e in sample])
        worst = max(worst, float(np.abs(alone - logits(int8, sample)).max()))
    gap = np.mean([r["fp32"] for r in result.values()]) - np.mean([r["int8"] for r in result.values()])
    summary = {"gates": result, "mean_gap": round(float(gap), 4), "batch_max_abs_logit_diff": worst,
               "criterion_3": bool(gap <= 0.01), "criterion_4": bool(worst <= 1e-5)}
    print(json.dumps({k: v for k, v in summary.items() if k != "gates"}))
    if args.json:
        json.dump(summary, open(args.json, "w"), indent=1)


if __name__ == "__main__":
    main()
