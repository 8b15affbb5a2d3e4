#!/usr/bin/env python3
"""Transfer-aware validation: how a head scores on sources it never saw.

Random splits of one pool overstate quality (near-duplicates and one source's style leak across the
split). Here the pool's train and validation records are grouped by source into five folds; each
fold is scored by a head trained on the other four (Parapet's authored examples stay in training),
and the out-of-fold scores give the AUPRC per left-out source and overall. Run it to compare
training choices; fit.py then trains the shipped heads with the chosen one.

Also prints the recall at the threshold that acts on 1% of the benign left-out texts (the
prompt-attack target). Usage:
  python3 transfer.py --work ../../models/target/training [--label unsafe|jailbreak|prompt_injection|...]
"""
import os
import sys
import argparse

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # the pipeline
import fit

FOLDS = 5


def folds_by_source(records):
    sizes = {}
    for r in records:
        sizes[fit.primary_source(r)] = sizes.get(fit.primary_source(r), 0) + 1
    load, assign = [0] * FOLDS, {}
    for source, size in sorted(sizes.items(), key=lambda kv: -kv[1]):
        k = int(np.argmin(load))
        assign[source] = k
        load[k] += size
    return np.array([assign[fit.primary_source(r)] for r in records]), assign


def configs():
    """Training choices compared: (name, sample-weight function)."""
    def plain(records):
        return np.array([fit.HARD_NEGATIVE_WEIGHT if r["hard_negative"] else 1.0 for r in records])

    return [("plain (no source cap, no authored)", plain, False),
            ("source cap + authored (fit.py)", fit.sample_weights, True)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", required=True)
    ap.add_argument("--label", default="unsafe")
    ap.add_argument("--c", type=float, default=4.0)
    args = ap.parse_args()
    train, xtr = fit.load(args.work, "train")
    val, xva = fit.load(args.work, "validation")
    pool, x = train + val, np.vstack([xtr, xva])
    authored, xa = fit.load_with_authored(args.work, "train")
    authored, xa = authored[len(train):], xa[len(train):]
    fold, assign = folds_by_source(pool)
    use, y = fit.targets(pool, args.label)
    ause, ay = fit.targets(authored, args.label)
    print(f"label {args.label}: {int(use.sum())} usable pool records, {int(y[use].sum())} positive, "
          f"{FOLDS} folds by source, C={args.c}")
    results = {}
    for name, weigh, with_authored in configs():
        oof = np.full(len(pool), np.nan)
        for k in range(FOLDS):
            tr = use & (fold != k)
            xs, ys, recs = x[tr], y[tr], [r for r, t in zip(pool, tr) if t]
            if with_authored:
                xs, ys, recs = np.vstack([xs, xa[ause]]), np.concatenate([ys, ay[ause]]), recs + [
                    r for r, u in zip(authored, ause) if u]
            model = LogisticRegression(C=args.c, max_iter=2000, random_state=0)
            model.fit(xs, ys, sample_weight=weigh(recs))
            te = use & (fold == k)
            oof[te] = model.predict_proba(x[te])[:, 1]
        results[name] = oof
        benign = use & np.array([not r["labels"] for r in pool])
        at_1pct = np.quantile(oof[benign], 0.99)
        recall = float((oof[use & (y == 1)] >= at_1pct).mean())
        print(f"\n{name}: out-of-fold AUPRC over all left-out sources "
              f"{average_precision_score(y[use], oof[use]):.3f}; recall {recall:.3f} at 1% of benign "
              f"texts acted on (threshold {at_1pct:.3f})")
    print(f"\n{'left-out source':28s} {'fold':>4s} {'n':>6s} {'pos':>6s} " + " ".join(f"{n[:18]:>18s}" for n in results))
    for source, k in sorted(assign.items(), key=lambda kv: kv[1]):
        mask = use & np.array([fit.primary_source(r) == source for r in pool])
        n, pos = int(mask.sum()), int(y[mask].sum())
        cells = []
        for oof in results.values():
            if 0 < pos < n:
                cells.append(f"{'AUPRC ' + format(average_precision_score(y[mask], oof[mask]), '.3f'):>18s}")
            elif pos == n and n:
                cells.append(f"{'mean p ' + format(oof[mask].mean(), '.3f'):>18s}")
            elif n:
                cells.append(f"{'mean p ' + format(oof[mask].mean(), '.3f'):>18s}")
            else:
                cells.append(f"{'-':>18s}")
        print(f"{source:28s} {k:4d} {n:6d} {pos:6d} " + " ".join(cells))


if __name__ == "__main__":
    main()
