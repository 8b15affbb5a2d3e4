#!/usr/bin/env python3
"""Reads the gate panel's score files and applies models/EXPERIMENTS.md's acceptance criteria.

For each gate of panel.py, reads PANEL/GATE.jsonl (labels) and DIR/GATE.scores.jsonl (written by
`bin/parapet eval --model M --data PANEL/GATE.jsonl --scores DIR/GATE.scores.jsonl`), for the candidate
and the shipped model. Prints one row per gate (metric, candidate, shipped, the 95% interval of the
paired bootstrap difference), the mean oriented score, the profile figures of the model issue's item
5, and whether criteria 1 and 2 hold. `--json FILE` also writes them.

Usage: python gates.py --panel models/target/panel --candidate DIR --shipped DIR [--json out.json]
"""
import argparse
import json
import os
import sys

import numpy as np
from sklearn.metrics import average_precision_score

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from panel import GATES, decide  # noqa: E402

HARMFUL_GATES = ["aegis", "forbidden", "jbb", "harmbench_answers", "saferlhf_answers"]
ACTED = {"FLAG", "REDACT", "BLOCK"}


def read(panel, directory, gate, policy=None):
    labels = {}
    for line in open(f"{panel}/{gate}.jsonl", encoding="utf-8"):
        r = json.loads(line)
        labels[r["id"]] = set(r["labels"])
    rows = [json.loads(l) for l in open(f"{directory}/{gate}.scores.jsonl", encoding="utf-8")]
    if policy is not None:
        return [(labels[r["id"]], r["scores"], decide(policy, r["scores"])) for r in rows]
    return [(labels[r["id"]], r["scores"], r["decision"]) for r in rows]


def values(rows, gate):
    """Per text: (label, value) where value is the score the metric reads, or 1.0 if acted on."""
    _, metric, what = GATES[gate]
    if metric == "acted":
        return np.ones(len(rows)), np.array([d in ACTED for _, _, d in rows], dtype=float)
    if what == "attack":
        return (np.array([bool(l & {"jailbreak", "prompt_injection"}) for l, _, _ in rows], dtype=float),
                np.array([max(s.get("jailbreak", 0), s.get("prompt_injection", 0)) for _, s, _ in rows]))
    return (np.array([what in l for l, _, _ in rows], dtype=float), np.array([s.get(what, 0.0) for _, s, _ in rows]))


def metric(gate, y, v):
    if GATES[gate][1] == "acted":
        return float(v.mean())
    return float(average_precision_score(y, v)) if 0 < y.sum() < len(y) else float("nan")


def oriented(gate, value):
    return 1.0 - value if GATES[gate][2] == "lower" else value


def compare(panel, candidate, shipped, policy=None, resamples=1000, seed=7):
    """Per gate: both models' figures and the paired bootstrap interval of their oriented difference;
    `policy` (balanced thresholds) recomputes the candidate's decisions from its scores."""
    rnd = np.random.default_rng(seed)
    out = {}
    for gate in GATES:
        c_rows, s_rows = read(panel, candidate, gate, policy), read(panel, shipped, gate)
        if len(c_rows) != len(s_rows):
            raise SystemExit(f"{gate}: {len(c_rows)} candidate scores but {len(s_rows)} shipped")
        y, cv = values(c_rows, gate)
        _, sv = values(s_rows, gate)
        c, s = metric(gate, y, cv), metric(gate, y, sv)
        diffs = []
        for _ in range(resamples):
            i = rnd.integers(0, len(y), len(y))
            if GATES[gate][1] == "auprc" and not 0 < y[i].sum() < len(i):
                continue
            diffs.append(oriented(gate, metric(gate, y[i], cv[i])) - oriented(gate, metric(gate, y[i], sv[i])))
        low, high = np.percentile(diffs, [2.5, 97.5])
        out[gate] = {"metric": GATES[gate][1], "candidate": round(c, 4), "shipped": round(s, 4),
                     "oriented_diff_95": [round(float(low), 4), round(float(high), 4)],
                     "not_worse": bool(high >= 0), "texts": len(y)}
    return out


def profile_figures(panel, directory, policy=None):
    """Item 5's shares at the shipped decision (balanced): harmful blocked / acted on, look-alikes, ordinary."""
    harmful = [d for g in HARMFUL_GATES for l, _, d in read(panel, directory, g, policy) if "unsafe" in l]
    figures = {"harmful_blocked": np.mean([d == "BLOCK" for d in harmful]),
               "harmful_acted": np.mean([d in ACTED for d in harmful])}
    for gate, (kind, _, _) in GATES.items():
        if kind in ("benign look-alikes", "ordinary requests"):
            rows = read(panel, directory, gate, policy)
            figures[f"{gate}_acted"] = np.mean([d in ACTED for _, _, d in rows])
            figures[f"{gate}_blocked"] = np.mean([d == "BLOCK" for _, _, d in rows])
    return {k: round(float(v), 4) for k, v in figures.items()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--panel", required=True)
    ap.add_argument("--candidate", required=True)
    ap.add_argument("--shipped", required=True)
    ap.add_argument("--json")
    ap.add_argument("--policy", help="recompute the candidate's decisions under this policy's balanced profile "
                                     "(a threshold change on the same graph: its scores need no rerun)")
    args = ap.parse_args()
    policy = json.load(open(args.policy))["profiles"]["balanced"]["thresholds"] if args.policy else None
    rows = compare(args.panel, args.candidate, args.shipped, policy)
    print(f"{'gate':22s} {'metric':6s} {'cand':>7s} {'shipped':>7s}  95% interval of the difference")
    for gate, r in rows.items():
        print(f"{gate:22s} {r['metric']:6s} {r['candidate']:7.3f} {r['shipped']:7.3f}  "
              f"[{r['oriented_diff_95'][0]:+.3f}, {r['oriented_diff_95'][1]:+.3f}]"
              f"{'' if r['not_worse'] else '  WORSE'}")
    mean_c = float(np.mean([oriented(g, r["candidate"]) for g, r in rows.items()]))
    mean_s = float(np.mean([oriented(g, r["shipped"]) for g, r in rows.items()]))
    unsafe = [g for g in rows if GATES[g][2] == "unsafe"]
    summary = {"mean_oriented_candidate": round(mean_c, 4), "mean_oriented_shipped": round(mean_s, 4),
               "mean_unsafe_auprc_candidate": round(float(np.mean([rows[g]["candidate"] for g in unsafe])), 4),
               "mean_unsafe_auprc_shipped": round(float(np.mean([rows[g]["shipped"] for g in unsafe])), 4),
               "gates_worse": [g for g, r in rows.items() if not r["not_worse"]],
               "criterion_1_no_gate_worse": all(r["not_worse"] for r in rows.values()),
               "criterion_2_better_mean": mean_c > mean_s,
               "profile_candidate": profile_figures(args.panel, args.candidate, policy),
               "profile_shipped": profile_figures(args.panel, args.shipped)}
    print(json.dumps(summary, indent=1))
    if args.json:
        json.dump({"gates": rows, "summary": summary}, open(args.json, "w"), indent=1)


if __name__ == "__main__":
    main()
