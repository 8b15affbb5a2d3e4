#!/usr/bin/env python3
"""Counts what each profile of a policy does with a set's texts, from `bin/parapet eval --scores`:
blocked, flagged and allowed, by group (benign or harmful; each attack label among the positives;
the ordinary user requests of the test split). The model cards' profile tables and the before/after
tables of models/README.md ("Sixteenth model", "Candidate FC") come from it: the same scores under
two policy files give a threshold change's effect without rerunning the model.

  /usr/bin/python3 models/training/decisions.py --policy models/guard/policy.json \\
      --scores /tmp/SET.scores.jsonl --data models/target/training/eval/SET.jsonl --categories content

Decisions follow the runtime's rule (Thresholds.decide): BLOCK where any category's score reaches
its block threshold, else FLAG where any reaches its flag threshold.
"""
import argparse
import collections
import json

CATEGORIES = {
    "content": ["toxicity", "hate", "harassment", "sexual", "violence", "self_harm", "harmful_request", "unsafe"],
    "attack": ["jailbreak", "prompt_injection"],
}
CATEGORIES["all"] = CATEGORIES["content"] + CATEGORIES["attack"]
# The test split's ordinary user requests: its benign texts from these sources.
ORDINARY = {"arena_hard", "self_instruct", "mtbench_vicuna"}


def decide(thresholds, scores, categories):
    if any(scores[c] >= thresholds[c].get("block", 2.0) for c in categories):
        return "BLOCK"
    return "FLAG" if any(scores[c] >= thresholds[c]["flag"] for c in categories) else "ALLOW"


def groups(record):
    yield "harmful" if record["labels"] else "benign"
    yield from (c for c in CATEGORIES["attack"] if c in record["labels"])
    if not record["labels"] and ORDINARY & set(record.get("source", "").split("+")):
        yield "ordinary"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--policy", required=True)
    ap.add_argument("--scores", required=True, help="bin/parapet eval --scores output")
    ap.add_argument("--data", required=True, help="the set eval read (for labels and sources)")
    ap.add_argument("--categories", choices=sorted(CATEGORIES), required=True,
                    help="the categories the evaluated model reports: content-safety, prompt-attack or guard")
    ap.add_argument("--profile", help="one profile only (default: every profile of the policy)")
    args = ap.parse_args()
    profiles = json.load(open(args.policy))["profiles"]
    data = {r["id"]: r for r in map(json.loads, open(args.data, encoding="utf-8"))}
    rows = [json.loads(line) for line in open(args.scores)]
    for name in [args.profile] if args.profile else profiles:
        thresholds = profiles[name]["thresholds"]
        counts = collections.Counter()
        for row in rows:
            decision = decide(thresholds, row["scores"], CATEGORIES[args.categories])
            for group in groups(data[row["id"]]):
                counts[group, decision] += 1
        for group in sorted({g for g, _ in counts}):
            print(f"{name} {group}: blocked {counts[group, 'BLOCK']}, flagged {counts[group, 'FLAG']}, "
                  f"allowed {counts[group, 'ALLOW']}")


if __name__ == "__main__":
    main()
