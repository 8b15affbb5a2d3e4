#!/usr/bin/env python3
"""What each profile of a policy does on the gate panel: the README's and model cards' profile table.

Reads panel.py's gates and `panel_eval.sh`'s score files, and decides every text under each profile
as the runtime does (BLOCK where a category reaches its block threshold, else FLAG where one reaches
its flag threshold). Prints a Markdown table: texts acted on (FLAG or BLOCK), and of them blocked.

Usage: python profiles_table.py --panel models/target/panel --scores DIR --policy models/guard/policy.json
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from panel import decide  # noqa: E402

ROWS = [  # (row, gate, which texts: "harmful", "benign" or "all")
    ("harmful requests (Aegis, JBB, forbidden questions)", ("aegis", "jbb", "forbidden"), "harmful"),
    ("harmful model answers (HarmBench, SafeRLHF)", ("harmbench_answers", "saferlhf_answers"), "harmful"),
    ("community jailbreak prompts", ("community_jailbreaks",), "all"),
    ("benign twins of harmful requests (JBB)", ("jbb_benign",), "all"),
    ("benign questions on regulated topics (forbidden questions)", ("forbidden",), "benign"),
    ("benign prompts with injection trigger words (NotInject)", ("notinject",), "all"),
    ("benign security questions (CyberSecEval false refusals)", ("cyber_frr",), "all"),
    ("benign look-alikes, ours (authored test split)", ("authored_lookalikes",), "all"),
    ("ordinary requests (MT-Bench, Vicuna, Arena-Hard)", ("ordinary",), "all"),
]


def texts(panel, scores, gate, which):
    labels = {}
    for line in open(f"{panel}/{gate}.jsonl", encoding="utf-8"):
        r = json.loads(line)
        labels[r["id"]] = r["labels"]
    for line in open(f"{scores}/{gate}.scores.jsonl", encoding="utf-8"):
        r = json.loads(line)
        harmful = "unsafe" in labels[r["id"]]
        if which == "all" or (which == "harmful") == harmful:
            yield r["scores"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--panel", required=True)
    ap.add_argument("--scores", required=True)
    ap.add_argument("--policy", required=True)
    args = ap.parse_args()
    profiles = json.load(open(args.policy))["profiles"]
    names = [n for n in ("strict", "balanced", "permissive") if n in profiles]
    print("| set (texts) | " + " | ".join(f"`{n}`" for n in names) + " |")
    print("| --- | " + " | ".join("---:" for _ in names) + " |")
    for row, gates, which in ROWS:
        scored = [s for g in gates for s in texts(args.panel, args.scores, g, which)]
        cells = []
        for n in names:
            decisions = [decide(profiles[n]["thresholds"], s) for s in scored]
            acted = sum(d != "ALLOW" for d in decisions) / len(decisions)
            blocked = sum(d == "BLOCK" for d in decisions) / len(decisions)
            cells.append(f"{acted:.0%} ({blocked:.0%})")
        print(f"| {row} ({len(scored):,}) | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
