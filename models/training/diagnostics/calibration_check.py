"""Checks the transfer calibration's premise on a held-out benign set.

fit.py's transfer calibration sets each balanced block threshold so that heads trained without any
authored benign-but-alarming prompt block at most a small share of those prompts, on the premise
that such heads score them as a deployer's new benign traffic would be scored. This script measures
that premise on a held-out benign set: per content category, how many of the set's benign texts the
shipped heads (--head) and the left-out heads (fitted here as fit.py fits them) block at the
policy's balanced thresholds, beside how many of the authored prompts the left-out heads block
(what the calibration saw). Counts only; no text is printed. Texts must be short (one window):
the features are first windows.

    bin/parapet train embed --encoder-patch models/guard/encoder-patch.onnx.gz \
        --in models/target/training/eval/benign_alarming.jsonl --out /tmp/twins.f32
    /usr/bin/python3 models/training/diagnostics/calibration_check.py --work models/target/training \
        --data models/target/training/eval/benign_alarming.jsonl --features /tmp/twins.f32 \
        --head models/guard/head.json --policy models/guard/policy.json
"""
import os
import sys
import argparse
import json

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # the pipeline
import fit


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", required=True, help="the training files fit.py read (features included)")
    ap.add_argument("--data", required=True, help="a held-out JSONL set; only its benign texts (no labels) count")
    ap.add_argument("--features", required=True, help="--data embedded by bin/parapet train embed")
    ap.add_argument("--head", required=True, help="the head.json of the shipped heads")
    ap.add_argument("--policy", required=True, help="the policy.json whose balanced block thresholds apply")
    ap.add_argument("--c", type=float, default=4.0)
    args = ap.parse_args()

    records = [json.loads(line) for line in open(args.data, encoding="utf-8")]
    x = np.fromfile(args.features, dtype="<f4").reshape(len(records), -1)
    x = x[np.array([not r["labels"] for r in records])]
    head = json.load(open(args.head))
    thresholds = json.load(open(args.policy))["profiles"]["balanced"]["thresholds"]

    train, xtr = fit.load_with_authored(args.work, "train")
    val, xva = fit.load_with_authored(args.work, "validation")
    pairs = fit.load_pairs(args.work, "train", fit.PAIR_WEIGHT)
    sw = fit.sample_weights(train)
    sources = fit.any_calibration_sources(fit.TRANSFER_SOURCE)  # both authored benign-but-alarming files
    kept, xkept, swkept = fit.without_sources(train, xtr, sw, sources)
    authored = np.vstack([xs[np.array([fit.primary_source(r) in sources for r in rs])]
                          for rs, xs in [(train, xtr), (val, xva)]])

    any_shipped = np.zeros(len(x), bool)
    any_left_out = np.zeros(len(x), bool)
    any_authored = np.zeros(len(authored), bool)
    print(f"{len(x)} benign texts of {args.data}; {len(authored)} authored benign-but-alarming prompts")
    print(f"{'category':16s} {'block':>6s} {'shipped heads':>14s} {'left-out heads':>15s} {'authored, left-out':>19s}")
    for label in fit.CONTENT:
        if label in fit.FLAG_ONLY:
            continue
        t = thresholds[label]["block"]
        shipped = fit.SavedHead(head, label).predict_proba(x)[:, 1] >= t
        left_out_head = fit.fit_head(kept, xkept, swkept, label, args.c, pairs)
        left_out = left_out_head.predict_proba(x)[:, 1] >= t
        on_authored = left_out_head.predict_proba(authored)[:, 1] >= t
        any_shipped |= shipped
        any_left_out |= left_out
        any_authored |= on_authored
        print(f"{label:16s} {t:6.4f} {shipped.sum():14d} {left_out.sum():15d} {on_authored.sum():19d}")
    print(f"{'any category':16s} {'':6s} {any_shipped.sum():14d} {any_left_out.sum():15d} {any_authored.sum():19d}")


if __name__ == "__main__":
    main()
