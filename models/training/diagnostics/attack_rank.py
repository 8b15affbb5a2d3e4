#!/usr/bin/env python3
"""Prints how an attack head ranks the pool's validation or test split as `bin/parapet eval` counts
it: every record not labelled with the category is a negative (jailbreaks too, for
`prompt_injection`), each text scored as the runtime scores it (a long text: the maximum over its
windows). Then, per source among the negatives, how many of its texts score above the median
positive: the sources the head confuses with the category.

  /usr/bin/python3 models/training/diagnostics/attack_rank.py --work models/target/training \
      --head models/guard/head.json --label prompt_injection --split validation

Reads what `bin/parapet train` wrote under --work; the scores are the head's own (sigmoid of the
committed weights on the embedded features), as fit.py computes them, so they differ slightly from
the fused int8 graph's.
"""
import os
import sys
import argparse
import collections
import json

import numpy as np
from sklearn.metrics import average_precision_score

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # the pipeline
import fit


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", required=True)
    ap.add_argument("--head", required=True)
    ap.add_argument("--label", choices=fit.ATTACK, default="prompt_injection")
    ap.add_argument("--split", choices=["validation", "test"], default="validation")
    args = ap.parse_args()
    records, x = fit.load(args.work, args.split)
    n = len(records)
    windows = fit.load_windows(args.work, [(args.split, n)])
    head = fit.SavedHead(json.load(open(args.head)), args.label)
    scores = fit.runtime_proba(head, x, windows, np.arange(n))
    y = np.array([args.label in r["labels"] for r in records])
    median = float(np.median(scores[y]))
    print(f"{args.split}: {args.label} AUPRC {average_precision_score(y, scores):.3f} over {n} records, "
          f"{int(y.sum())} positives, median positive score {median:.3f}")
    above = collections.Counter(fit.primary_source(r) for r, s, pos in zip(records, scores, y)
                                if not pos and s > median)
    total = collections.Counter(fit.primary_source(r) for r, pos in zip(records, y) if not pos)
    for source, k in above.most_common():
        print(f"  {source:28s} {k:4d} of {total[source]:5d} negatives above the median positive")


if __name__ == "__main__":
    main()
