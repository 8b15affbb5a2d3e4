#!/usr/bin/env python3
"""Sets the recommended policy's thresholds from the calibration split (never from the gates).

Reads dataset.py's calibration.jsonl and the runtime's scores of it (`bin/parapet eval --model DIR
--data calibration.jsonl --scores S`). For each of the nine categories, a profile's FLAG and BLOCK
thresholds are the scores above which a fixed share of the calibration split's team-labelled benign
texts lie: the authored look-alikes and ordinary requests and the relabelled benign pool texts (the
source-labelled benign pool holds offensive texts its sources call benign, candidate G2-A). The
share is what a profile costs on benign traffic that sounds like harm, per category.

| profile | FLAG at benign share | BLOCK at benign share |
| --- | --- | --- |
| strict | 5% | 1% |
| balanced | 2% | 0.5% |
| permissive | 0.5% | 0.1% |

`strict` and `balanced` answer a `self_harm` block with a supportive text that points to help.
`unsafe` gets no threshold (it is the maximum of the content heads, which have their own). The
rule-detector categories (pii, secrets, ...) keep the thresholds the existing policy gives them.

Usage: python thresholds.py --calibration models/target/gen2/calibration.jsonl --scores S.jsonl \\
          --base models/guard/policy.json --out policy.json [--report out.json]
"""
import argparse
import json

import numpy as np

CATEGORIES = ["toxicity", "hate", "harassment", "sexual", "violence", "self_harm", "harmful_request",
              "jailbreak", "prompt_injection"]
PROFILES = {"strict": (0.05, 0.01), "balanced": (0.02, 0.005), "permissive": (0.005, 0.001)}
# --reference calibration (candidates G2-A and G2-C): every benign calibration text whose source covers
# the category, source-labelled pool texts included, at these shares.
PROFILES_CALIBRATION = {"strict": (0.02, 0.005), "balanced": (0.01, 0.002), "permissive": (0.003, 0.0005)}


def team_benign(record):
    """A benign text labelled by the team under the taxonomy (authored or relabelled)."""
    return not record["labels"] and (record["source"].startswith("authored_") or record["source"].endswith("/relabelled"))
# What a block of self_harm releases at strict and balanced: support that points to help, not a bare refusal.
SELF_HARM_REFUSAL = ("It sounds like you might be going through something really painful, and you don't have to face "
                     "it alone. If you are thinking about harming yourself, please reach out now to someone you trust, "
                     "a local crisis line or helpline, or emergency services if you are in danger.")
REFUSALS = {"strict": {"self_harm": SELF_HARM_REFUSAL}, "balanced": {"self_harm": SELF_HARM_REFUSAL}}


def quantile_above(scores, share):
    """The lowest threshold with at most `share` of `scores` at or above it (4 decimals, rounded up)."""
    s = np.sort(np.asarray(scores))[::-1]
    k = int(np.floor(share * len(s)))  # this many may lie at or above the threshold
    t = s[k] + 1e-4 if k < len(s) else s[-1]
    return float(min(0.9999, np.ceil(t * 1e4) / 1e4))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--calibration", required=True)
    ap.add_argument("--scores", required=True)
    ap.add_argument("--base", required=True, help="the policy whose non-model thresholds are kept")
    ap.add_argument("--out", required=True)
    ap.add_argument("--report")
    ap.add_argument("--reference", choices=["team", "calibration"], default="calibration",
                    help="the benign texts thresholds are read from (default %(default)s; see PROFILES_CALIBRATION)")
    args = ap.parse_args()
    records = {}
    for line in open(args.calibration, encoding="utf-8"):
        r = json.loads(line)
        records[r["id"]] = r
    scores = {}
    for line in open(args.scores, encoding="utf-8"):
        r = json.loads(line)
        scores[r["id"]] = r["scores"]
    base = json.load(open(args.base))
    policy = {"version": base.get("version", 1), "defaultProfile": "balanced", "profiles": {}}
    report = {}
    shares = PROFILES if args.reference == "team" else PROFILES_CALIBRATION
    for name, (flag_share, block_share) in shares.items():
        thresholds = {}
        for c in CATEGORIES:
            benign = [scores[i][c] for i, r in records.items() if i in scores and (
                team_benign(r) if args.reference == "team" else not r["labels"] and c in r["covers"])]
            positive = [scores[i][c] for i, r in records.items() if c in r["labels"] and i in scores]
            flag, block = quantile_above(benign, flag_share), quantile_above(benign, block_share)
            block = max(block, flag)
            thresholds[c] = {"flag": flag, "block": block}
            report[f"{name}.{c}"] = {"benign": len(benign), "positives": len(positive),
                                     "positives_flagged": round(float(np.mean(np.array(positive) >= flag)), 3),
                                     "positives_blocked": round(float(np.mean(np.array(positive) >= block)), 3)}
        kept = {k: v for k, v in base["profiles"].get(name, {}).get("thresholds", {}).items()
                if k not in CATEGORIES and k != "unsafe"}
        policy["profiles"][name] = {"thresholds": thresholds | kept}
        if name in REFUSALS:
            policy["profiles"][name]["refusals"] = REFUSALS[name]
    json.dump(policy, open(args.out, "w"), indent=2)
    print(json.dumps(report, indent=1))
    if args.report:
        json.dump(report, open(args.report, "w"), indent=1)


if __name__ == "__main__":
    main()
