#!/usr/bin/env python3
"""Builds the second-generation training and calibration data (models/EXPERIMENTS.md).

- The public pool: prepare.py's loaders for the permissive sets, minus the gate panel's sources
  (panel.py), plus the permissive sets added since (DiaSafety answers, GPTFuzz answers, CoCoNot,
  AILuminate), mapped under TAXONOMY.md. Every text that appears in a gate leaves the pool.
- Relabelled pool texts (relabelled/*.jsonl, keyed by the hash of the normalised text): where our
  label under the taxonomy differs from the source's, ours replaces it.
- Parapet's authored examples: authored/v2 by family split (authored2.py), and the first
  generation's authored/*.txt files (train only).

Writes under --out: train.jsonl and calibration.jsonl, records {"id", "text", "labels", "covers",
"source", "severity"}; counts.json. Standard library only.

Usage: python3 dataset.py --data ../shared/data --out models/target/gen2
"""
import argparse
import csv
import glob
import hashlib
import json
import os
import sys
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import panel  # noqa: E402
import prepare  # noqa: E402
from authored2 import authored_rows  # noqa: E402

CATEGORIES = prepare.CONTENT + prepare.ATTACK
HERE = os.path.dirname(os.path.abspath(__file__))

# prepare.py's loaders of permissive sets; benign_prompts and cyberseceval are replaced below, since
# part of each is in the panel (Arena-Hard, MT-Bench, Vicuna, CyberSecEval's false-refusal prompts).
POOL_LOADERS = [prepare.hatecheck, prepare.davidson, prepare.surge, prepare.toxigen, prepare.convabuse,
                prepare.toxic_spans, prepare.rtp, prepare.advbench, prepare.harmbench, prepare.sst,
                prepare.harmfulqa_catqa, prepare.do_not_answer, prepare.jailbreakbench, prepare.giskard]


def cyberseceval(p, d):
    for r in json.load(open(f"{d}/cyberseceval/prompt_injection.json", encoding="utf-8")):
        p.add("cyberseceval", r["user_input"], {"prompt_injection"}, covers={"prompt_injection", "jailbreak"})
        p.add("cyberseceval_system", r["test_case_prompt"], covers={"prompt_injection"}, hard_negative=True)
    for r in json.load(open(f"{d}/cyberseceval/interpreter.json", encoding="utf-8")):
        p.add("cyberseceval", r["mutated_prompt"], {"harmful_request"})


def benign_prompts(p, d):
    for name in ["seed_tasks", "user_oriented_instructions"]:
        for r in prepare.jsonl(f"{d}/self_instruct_benign/{name}.jsonl"):
            p.add("self_instruct", r["instruction"], covers=set(prepare.ALL))
    for r in prepare.rows(f"{d}/awesome_chatgpt_prompts/prompts.csv"):
        if "DAN" in r["act"]:
            p.add("awesome_chatgpt_prompts", r["prompt"], {"jailbreak"}, covers={"jailbreak"})
        else:
            p.add("awesome_chatgpt_prompts", r["prompt"], covers=set(prepare.ALL), hard_negative=True)
    gsm = list(prepare.jsonl(f"{d}/gsm8k/train.jsonl"))
    for r in gsm[:600]:
        p.add("gsm8k", r["question"], covers=set(prepare.ALL))


# DiaSafety judges an answer given its context; TAXONOMY.md maps its unsafe categories.
DIASAFETY = {"Offending User": {"harassment"}, "Toxicity Agreement": {"toxicity"},
             "Biased Opinion": {"hate"}, "Risk Ignorance": {"self_harm"}}


def diasafety(p, d):
    for split in ["train.filtered", "val"]:  # test.json is left for a later panel, unused here
        for r in json.load(open(f"{d}/diasafety/{split}.json", encoding="utf-8")):
            category = r["category"]
            if category == "Unauthorized Expertise":  # regulated advice is benign here
                p.add("diasafety", r["response"], covers={"self_harm", "harmful_request"})
            elif r["label"] == "Unsafe":
                p.add("diasafety", r["response"], DIASAFETY[category], covers=DIASAFETY[category])
            else:
                p.add("diasafety", r["response"], covers=DIASAFETY[category] | {"toxicity"})


def gptfuzz(p, d):
    for name in ["train", "evaluate"]:
        for r in prepare.rows(f"{d}/gptfuzz_responses/{name}.csv"):
            harmful = r["label"].strip() == "1"
            p.add("gptfuzz_answers", r["Response"], {"harmful_request"} if harmful else set(),
                  covers={"harmful_request", "jailbreak", "prompt_injection"}, hard_negative=not harmful)


def coconot(p, d):
    for r in prepare.jsonl(f"{d}/coconot_eval/coconot_eval.filtered.jsonl"):
        sub = r.get("subcategory", "")
        if r["category"] == "Requests with safety concerns":
            if "copyright" in sub or "misinformation" in sub.lower():
                continue
            labels = {"harmful_request"}
            if "offensive" in sub:
                labels = {"toxicity", "hate"}
            p.add("coconot", r["prompt"], labels)
        elif sub != "underspecified":  # SituatedQA's prompts carry no licence statement
            p.add("coconot", r["prompt"], covers=set(prepare.ALL), hard_negative=True)


AILUMINATE = {"vcr": {"harmful_request", "violence"}, "iwp": {"harmful_request", "violence"},
              "ncr": {"harmful_request"}, "prv": {"harmful_request"}, "src": {"harmful_request", "sexual"},
              "cse": {"harmful_request", "sexual"}, "ssh": {"self_harm"}, "hte": {"hate"},
              "dfm": {"harmful_request", "harassment"}, "sxc_prn": {"sexual"}}


def ailuminate(p, d):
    for r in prepare.rows(f"{d}/ailuminate_demo/airr_official_1.0_demo_en_us_prompt_set_release.csv"):
        hazard = r["hazard"]
        if hazard.startswith("spc"):
            p.add("ailuminate", r["prompt_text"], covers=set(prepare.CONTENT), hard_negative=True)
        elif hazard in AILUMINATE:
            p.add("ailuminate", r["prompt_text"], AILUMINATE[hazard])


LOADERS = POOL_LOADERS + [cyberseceval, benign_prompts, diasafety, gptfuzz, coconot, ailuminate]


def key(text):
    return hashlib.sha256(prepare.norm(text).encode()).hexdigest()[:16]


def relabels():
    """Key of the normalised text -> (labels, severity) from relabelled/*.jsonl."""
    out = {}
    for path in sorted(glob.glob(f"{HERE}/relabelled/*.jsonl")):
        for line in open(path, encoding="utf-8"):
            if line.strip():
                r = json.loads(line)
                if "key" in r:  # a helper's part file before relabel_keys.py joined it
                    out[r["key"]] = (sorted(r["labels"]), r.get("severity"))
    return out


def old_authored():
    """The first generation's authored/*.txt files, labelled as prepare.AUTHORED says."""
    for kind, (labels, covers, _) in prepare.AUTHORED.items():
        path = f"{HERE}/authored/{kind}.txt"
        if not os.path.exists(path):
            continue
        for line in open(path, encoding="utf-8"):
            text = line.strip()
            if text and not text.startswith("#"):
                yield {"text": text, "labels": sorted(set(labels) - {"unsafe"}),
                       "covers": sorted(set(covers) - {"unsafe"}), "source": "authored1_" + kind, "severity": None}


def record(text, labels, covers, source, severity=None):
    labels = sorted(set(labels) - {"unsafe"})
    covers = sorted((set(covers) | set(labels)) - {"unsafe"}) if labels or covers else CATEGORIES
    return {"id": key(text), "text": text, "labels": labels, "covers": covers, "source": source,
            "severity": severity}


def build(d):
    pool = prepare.Pool(taxonomy_negatives={"violence", "sexual"})
    for loader in LOADERS:
        loader(pool, d)
    gate_keys = panel.keys(d)
    override = relabels()
    merged, dropped = {}, 0
    for r in pool.records:
        k = prepare.norm(r["text"])
        if not k:
            continue
        if k in gate_keys:
            dropped += 1
            continue
        rec = record(r["text"], r["labels"], r["covers"], r["source"])
        if rec["id"] in override:
            rec["labels"], rec["severity"] = override[rec["id"]]
            rec["covers"] = CATEGORIES[:7] if not set(rec["labels"]) & set(prepare.ATTACK) else CATEGORIES
            rec["source"] += "/relabelled"
        if k in merged:
            m = merged[k]
            if not m["source"].endswith("/relabelled"):
                m["labels"] = sorted(set(m["labels"]) | set(rec["labels"]))
                m["covers"] = sorted(set(m["covers"]) | set(rec["covers"]))
        else:
            merged[k] = rec
    relabelled = sum(r["source"].endswith("/relabelled") for r in merged.values())
    split = {"train": [], "calibration": []}
    for r in merged.values():
        # 85/15 by the text's hash: the calibration part sets thresholds and never trains
        split["calibration" if int(r["id"][:4], 16) % 100 < 15 else "train"].append(r)
    for r in authored_rows():
        if prepare.norm(r["text"]) in gate_keys and r["split"] != "test":
            raise SystemExit(f"authored {r['id']} matches a gate text")
        if r["split"] == "test":
            continue
        rec = record(r["text"], r["labels"], CATEGORIES, "authored_" + r["kind"], r.get("severity"))
        rec["register"] = r["register"]
        split[r["split"]].append(rec)
    for r in old_authored():
        if prepare.norm(r["text"]) not in gate_keys:
            split["train"].append(record(r["text"], r["labels"], r["covers"], r["source"]))
    return split, {"dropped_as_gate_texts": dropped, "relabelled": relabelled}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    split, info = build(args.data)
    counts = dict(info)
    for name, rows in split.items():
        rows.sort(key=lambda r: r["id"])
        with open(f"{args.out}/{name}.jsonl", "w", encoding="utf-8") as f:
            for r in rows:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
        counts[name] = {"records": len(rows), "by_source": Counter(r["source"].split("/")[0] for r in rows),
                        "by_label": Counter(l for r in rows for l in r["labels"]),
                        "benign": sum(not r["labels"] for r in rows)}
    with open(f"{args.out}/counts.json", "w") as f:
        json.dump(counts, f, indent=2, sort_keys=True)
    print(json.dumps({k: (v if not isinstance(v, dict) else {"records": v["records"], "by_label": v["by_label"]})
                      for k, v in counts.items()}, indent=1))


if __name__ == "__main__":
    main()
