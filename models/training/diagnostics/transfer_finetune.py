#!/usr/bin/env python3
"""Transfer-aware validation of fine-tuning: does a fine-tuned encoder help on sources it never saw?

The same five folds by source as transfer.py (the pool's train and validation records). Each
source contributes a fixed sample (at most --per-source texts, seed 13); for each fold, two models
are trained on the other folds' samples plus the authored training half, and score the left-out
fold's samples:

- frozen: the stock encoder, logistic heads (scikit-learn, C=4, fit.py's sample weights);
- fine-tuned: the encoder fine-tuned with heads that start from the frozen model's heads (finetune.py's
  recipe: AdamW 3e-5 / 1e-3, batch 32, 64 tokens, one epoch), scored by those heads;
- refit (with --refit): the fine-tuned encoder with heads fitted again on its features, as
  `bin/parapet train` fits the shipped heads on the shipped encoder's.

The shipped encoder's recipe (fifteenth model: finetune.py --quantisation-aware, the preference
pairs, no authored text but the 33 sexual requests) is `--quantisation-aware --pairs --authored
FILE`: the encoder then trains on FILE's authored records only, while every head (frozen and
refit) trains on the whole authored training half, as fit.py's do.

Both run in fp32 PyTorch (minilm.py), so the comparison is between training choices, not runtimes.
Prints, per label, the out-of-fold AUPRC over all left-out sources, the recall at the threshold that
acts on 1% of the left-out benign texts, and the AUPRC (or mean score) per left-out source. About
35 minutes on 2 cores for MiniLM at 300 texts per source; e5-small-v2 (twice the layers) at 100
took 42 minutes, sharing the cores with other jobs, and 47 minutes with the shipped encoder's recipe
and --refit. Usage:
  /usr/bin/python3 models/training/diagnostics/transfer_finetune.py --onnx /tmp/e5q/e5-small-v2-q.onnx \\
      --tokenizer /tmp/e5q/e5-small-v2-q-tokenizer.json --text-prefix "query: " --per-source 100 \\
      --work models/target/training --out models/target/transfer-finetune
  # the shipped encoder's recipe: add --quantisation-aware --pairs --refit --authored /tmp/authored_U.jsonl
"""
import argparse
import json
import os
import random
import sys
import time

import numpy as np
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # the other diagnostics
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # the pipeline
import fit  # noqa: E402
import transfer  # noqa: E402
from finetune import Guard, batches, load_pairs, optimiser_for, targets, train_epoch  # noqa: E402
from minilm import MiniLM, encoder_weights, quantisation_aware  # noqa: E402
from wordpiece import WordPiece  # noqa: E402

REPORTED = ["unsafe", "harmful_request", "jailbreak", "prompt_injection"]


def features(encoder, tok, texts):
    encoder.eval()
    out = []
    with torch.no_grad():
        for _, ids, mask in batches(tok, texts, 32):
            out.append(encoder.embed(ids, mask).numpy())
    return np.vstack(out)


def logistic_heads(x, records):
    """One logistic regression per label, as fit.py trains them (labels without data get zeros)."""
    weights, bias = np.zeros((len(fit.LABELS), x.shape[1]), np.float32), np.full(len(fit.LABELS), -5.0, np.float32)
    w = fit.sample_weights(records)
    for j, label in enumerate(fit.LABELS):
        use, y = fit.targets(records, label)
        if 0 < y[use].sum() < use.sum():
            model = LogisticRegression(C=4.0, max_iter=2000, random_state=0)
            model.fit(x[use], y[use], sample_weight=w[use])
            weights[j], bias[j] = model.coef_[0], model.intercept_[0]
    return {"labels": fit.LABELS, "weights": weights.tolist(), "bias": bias.tolist()}


def fine_tune(weights, head, tok, records, grid=None, pairs=(), pair_weight=0.0):
    """finetune.py's recipe on `records`; `grid`: the int8 graph whose grid the weights train on."""
    torch.manual_seed(13)
    model = Guard(MiniLM(weights), head)
    if grid:
        quantisation_aware(model.encoder, grid)
    records = list(records)
    random.Random(13).shuffle(records)
    y, use, w = targets(records, fit.LABELS)
    train_epoch(model, optimiser_for(model), tok, [r["text"] for r in records], y, use, w, pairs=pairs,
                pair_weight=pair_weight, pair_columns=[fit.LABELS.index(l) for l in sorted(fit.PAIRWISE)])
    return model


def sigmoid_scores(x, head):
    return 1 / (1 + np.exp(-(x @ np.array(head["weights"], np.float32).T + np.array(head["bias"]))))


def report(pool, scores, label):
    use, y = fit.targets(pool, label)
    benign = use & np.array([not r["labels"] for r in pool])
    lines = []
    summary = {}
    for name, p in scores.items():
        at_1pct = np.quantile(p[benign], 0.99)
        recall = float((p[use & (y == 1)] >= at_1pct).mean())
        summary[name] = {"auprc": round(float(average_precision_score(y[use], p[use])), 3), "recall_at_1pct": round(recall, 3)}
        lines.append(f"  {name:10s} out-of-fold AUPRC {summary[name]['auprc']:.3f}; recall {recall:.3f} at 1% of "
                     f"left-out benign texts acted on")
    per_source = {}
    for source in sorted({fit.primary_source(r) for r in pool}):
        mask = use & np.array([fit.primary_source(r) == source for r in pool])
        n, pos = int(mask.sum()), int(y[mask].sum())
        if not n:
            continue
        cells = {}
        for name, p in scores.items():
            cells[name] = (f"AUPRC {average_precision_score(y[mask], p[mask]):.3f}" if 0 < pos < n
                           else f"mean p {p[mask].mean():.3f}")
        per_source[source] = cells
        lines.append(f"  {source:26s} n={n:4d} pos={pos:4d}  " + "  ".join(f"{k}: {v}" for k, v in cells.items()))
    return summary, per_source, lines


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--onnx", required=True)
    ap.add_argument("--tokenizer", required=True)
    ap.add_argument("--text-prefix", default="", help='text before every input: "query: " for e5-small-v2')
    ap.add_argument("--work", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--per-source", type=int, default=300)
    ap.add_argument("--max-len", type=int, default=64)
    ap.add_argument("--authored", help="the authored records the encoder fine-tunes on (default: "
                    "WORK/authored_train.jsonl); the heads always train on the whole training half")
    ap.add_argument("--quantisation-aware", action="store_true",
                    help="fine-tune on the int8 graph's grid (--onnx), as finetune.py --quantisation-aware")
    ap.add_argument("--pairs", action="store_true",
                    help="add the preference pairs' training half, as finetune.py does by default")
    ap.add_argument("--refit", action="store_true",
                    help="also score the fine-tuned encoder with heads fitted again on its features")
    args = ap.parse_args()
    torch.set_num_threads(os.cpu_count() or 1)
    os.makedirs(args.out, exist_ok=True)
    tok = WordPiece(args.tokenizer, max_len=args.max_len, prefix=args.text_prefix)
    weights = encoder_weights(args.onnx)
    read = lambda name: [json.loads(l) for l in open(f"{args.work}/{name}.jsonl", encoding="utf-8")]
    full = read("train") + read("validation")
    fold_of, _ = transfer.folds_by_source(full)
    by_source = {}
    for r, k in zip(full, fold_of):
        by_source.setdefault(fit.primary_source(r), []).append((r, k))
    rng = random.Random(13)
    pool, fold = [], []
    for source in sorted(by_source):
        rows = by_source[source]
        rng.shuffle(rows)
        for r, k in rows[: args.per_source]:
            pool.append(r)
            fold.append(k)
    fold = np.array(fold)
    authored = read("authored_train")
    encoder_authored = ([json.loads(l) for l in open(args.authored, encoding="utf-8")] if args.authored
                        else authored)
    pairs = load_pairs(args.work) if args.pairs else []
    # As finetune.py weighs them: all pairs together like one source's sample at most.
    pair_weight = min(1.0, args.per_source / len(pairs)) * fit.PAIR_WEIGHT if pairs else 0.0
    print(f"{len(pool)} sampled pool texts from {len(by_source)} sources, {len(authored)} authored "
          f"({len(encoder_authored)} fine-tune the encoder), {len(pairs)} preference pairs; "
          f"{transfer.FOLDS} folds by source", flush=True)

    start = time.time()
    stock = MiniLM(weights)
    x_pool = features(stock, tok, [r["text"] for r in pool])
    x_authored = features(stock, tok, [r["text"] for r in authored])
    print(f"stock features in {time.time() - start:.0f} s", flush=True)
    names = ["frozen", "fine-tuned"] + (["refit"] if args.refit else [])
    scores = {name: np.full((len(pool), len(fit.LABELS)), np.nan) for name in names}
    for k in range(transfer.FOLDS):
        train_idx, test_idx = np.where(fold != k)[0], np.where(fold == k)[0]
        records = [pool[i] for i in train_idx] + authored
        head = logistic_heads(np.vstack([x_pool[train_idx], x_authored]), records)
        scores["frozen"][test_idx] = sigmoid_scores(x_pool[test_idx], head)
        model = fine_tune(weights, head, tok, [pool[i] for i in train_idx] + encoder_authored,
                          grid=args.onnx if args.quantisation_aware else None, pairs=pairs, pair_weight=pair_weight)
        model.eval()
        with torch.no_grad():  # the left-out texts are encoded once, for the tuned heads and the refit ones
            embedded = [model.encoder.embed(ids, mask)
                        for _, ids, mask in batches(tok, [pool[i]["text"] for i in test_idx], 32)]
            scores["fine-tuned"][test_idx] = np.vstack([torch.sigmoid(model.heads(e)).numpy() for e in embedded])
        if args.refit:
            x_tuned = features(model.encoder, tok, [pool[i]["text"] for i in train_idx] + [r["text"] for r in authored])
            refit = logistic_heads(x_tuned, records)
            scores["refit"][test_idx] = sigmoid_scores(np.vstack([e.numpy() for e in embedded]), refit)
        print(f"fold {k}: trained on {len(records)}, scored {len(test_idx)} "
              f"({time.time() - start:.0f} s)", flush=True)
    for name in names:
        np.save(f"{args.out}/{name}.npy", scores[name])
    result = {}
    for label in REPORTED:
        j = fit.LABELS.index(label)
        summary, per_source, lines = report(pool, {n: s[:, j] for n, s in scores.items()}, label)
        result[label] = {"summary": summary, "per_source": per_source}
        print(f"\n{label}:")
        print("\n".join(lines))
    json.dump(result, open(f"{args.out}/report.json", "w"), indent=2)


if __name__ == "__main__":
    main()
