#!/usr/bin/env python3
"""Writes the gate panel (models/EXPERIMENTS.md): whole sources no second-generation model trains on.

Each gate is a file in the format of `bin/parapet eval --data` ({"id", "text", "labels"}), under
--out. `dataset.py` drops every panel text from training (normalised-text match), and `gates.py`
reads the score files that `bin/parapet eval --scores` writes for these gates.

Usage: python3 panel.py --data ../shared/data --out models/target/panel
Standard library only.
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import prepare  # noqa: E402
from authored2 import authored_rows  # noqa: E402

# gate -> (kind, metric, score). metric "auprc" reads the score named; "acted" the share of texts the
# filter acted on at balanced (FLAG or worse), with the direction in which that share is better.
GATES = {
    "olid": ("web comments", "auprc", "unsafe"),
    "ethos": ("web comments", "auprc", "unsafe"),
    "jigsaw": ("web comments", "auprc", "unsafe"),
    "aegis": ("chat-style user prompts", "auprc", "unsafe"),
    "forbidden": ("chat-style user prompts", "auprc", "unsafe"),
    "jbb": ("harmful requests and benign twins", "auprc", "unsafe"),
    "harmbench_answers": ("model answers", "auprc", "unsafe"),
    "saferlhf_answers": ("model answers", "auprc", "unsafe"),
    "tensor_trust": ("attacks vs system prompts", "auprc", "attack"),
    "bipia": ("injected e-mails vs clean", "auprc", "prompt_injection"),
    "community_jailbreaks": ("attacks", "acted", "higher"),
    "jbb_benign": ("benign look-alikes", "acted", "lower"),
    "notinject": ("benign look-alikes", "acted", "lower"),
    "cyber_frr": ("benign look-alikes", "acted", "lower"),
    "authored_lookalikes": ("benign look-alikes", "acted", "lower"),
    "ordinary": ("ordinary requests", "acted", "lower"),
}

# prepare.eval_sets names -> gate names (the sets prepare.py already builds)
FROM_EVAL_SETS = {"olid_test": "olid", "ethos": "ethos", "jigsaw_sample": "jigsaw", "aegis_prompts": "aegis",
                  "jailbreak_llms_questions": "forbidden", "jbb_behaviors": "jbb",
                  "harmbench_responses": "harmbench_answers", "saferlhf_responses": "saferlhf_answers",
                  "tensor_trust": "tensor_trust", "bipia_email": "bipia", "jailbreak_llms": "community_jailbreaks",
                  "benign_alarming": "jbb_benign"}


def decide(thresholds, scores):
    """The runtime's decision (Thresholds.decide) under one profile's thresholds, from a text's scores:
    BLOCK where a category reaches its block threshold, else FLAG where one reaches its flag threshold."""
    if any(scores.get(c, 0.0) >= t["block"] for c, t in thresholds.items() if "block" in t):
        return "BLOCK"
    if any(scores.get(c, 0.0) >= t["flag"] for c, t in thresholds.items() if "flag" in t):
        return "FLAG"
    return "ALLOW"


def unsafe_labels(labels):
    """Every content label implies `unsafe` (TAXONOMY.md: unsafe is the union of the content categories)."""
    labels = set(labels)
    if labels & set(prepare.CONTENT):
        labels.add("unsafe")
    return labels


def gates(d):
    out = {g: [] for g in GATES}
    for name, rows in prepare.eval_sets(d).items():
        if name in FROM_EVAL_SETS:
            out[FROM_EVAL_SETS[name]] += [(t, unsafe_labels(l)) for t, l in rows]
    for name in ["NotInject_one", "NotInject_two", "NotInject_three"]:
        for r in json.load(open(f"{d}/notinject/{name}.json", encoding="utf-8")):
            out["notinject"].append((r["prompt"], set()))
    for r in json.load(open(f"{d}/cyberseceval/mitre_frr.json", encoding="utf-8")):
        out["cyber_frr"].append((r["mutated_prompt"], set()))
    for r in prepare.jsonl(f"{d}/arena_hard_questions/question.jsonl"):
        out["ordinary"].append((r["turns"][0]["content"], set()))
    for name in ["mt_bench_question", "vicuna_bench_question"]:
        for r in prepare.jsonl(f"{d}/mtbench_vicuna_questions/{name}.jsonl"):
            turn = r["turns"][0]
            out["ordinary"].append((turn if isinstance(turn, str) else turn["content"], set()))
    for r in authored_rows():
        if r["split"] == "test" and r["kind"] == "lookalike":
            out["authored_lookalikes"].append((r["text"], set()))
    return out


def keys(d):
    """The normalised texts of every gate: what training must never see."""
    return {prepare.norm(t) for rows in gates(d).values() for t, _ in rows}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for gate, rows in gates(args.data).items():
        seen = set()
        with open(f"{args.out}/{gate}.jsonl", "w", encoding="utf-8") as f:
            for i, (text, labels) in enumerate(rows):
                key = prepare.norm(text or "")
                if not key or key in seen:
                    continue
                seen.add(key)
                f.write(json.dumps({"id": f"{gate}-{i}", "text": text, "labels": sorted(labels)},
                                   ensure_ascii=False) + "\n")
        print(f"{gate:22s} {len(seen):6d} texts, {sum(1 for _, l in rows if l)} positive rows")


if __name__ == "__main__":
    main()
