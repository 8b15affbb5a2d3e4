#!/usr/bin/env python3
"""Prints, per category and profile, the share of benign validation texts a policy acts on, each
text scored as the runtime scores it (a long text: the maximum over all its windows, from
validation.windows), next to the share fit.py's quantile promises (BENIGN_FPR).

  /usr/bin/python3 models/training/diagnostics/benign_share.py --work models/target/training \
      --head models/guard/head.json --policy models/guard/policy.json

Reads what `bin/parapet train` wrote under --work; the scores are the head's own (sigmoid of the
committed weights on the embedded features), as fit.py computes them.
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
    ap.add_argument("--work", required=True)
    ap.add_argument("--head", required=True)
    ap.add_argument("--policy", required=True)
    args = ap.parse_args()
    train, _ = fit.load_with_authored(args.work, "train")
    val, xva = fit.load_with_authored(args.work, "validation")
    test, _ = fit.load(args.work, "test")
    windows = fit.load_split_windows(args.work, train, val, test)
    val_windows = fit.split_windows(windows, len(train), len(val))
    head = json.load(open(args.head))
    profiles = json.load(open(args.policy))["profiles"]
    benign = np.array([not r["labels"] for r in val])
    print(f"{'category':17s} {'benign':>6s}" + "".join(f" {p + ' (promise)':>24s}" for p in fit.BENIGN_FPR))
    for label in head["labels"]:
        use, _ = fit.targets(val, label)
        index = np.flatnonzero(use & benign)
        scores = fit.runtime_proba(fit.SavedHead(head, label), xva, val_windows, index)
        cells = []
        for profile, promise in fit.BENIGN_FPR.items():
            t = profiles[profile]["thresholds"][label]
            acted = int((scores >= t.get("block", t["flag"])).sum())
            cells.append(f" {acted:5d} {100 * acted / len(index):5.2f}% ({100 * promise:.1f}%)")
        print(f"{label:17s} {len(index):6d}" + "".join(f"{c:>25s}" for c in cells))


if __name__ == "__main__":
    main()
