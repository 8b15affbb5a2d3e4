#!/usr/bin/env python3
"""Does the prompt help to judge an answer? A diagnostic for the model-answer sets (models/README.md,
"Candidates AA and CC").

HarmBench's and SafeRLHF's answers are labelled harmful or not as answers to their prompts; the
runtime scores an answer alone. This fits logistic heads on (prompt, answer, judged harmful)
triples from the permissive pool (Do-Not-Answer's six models' answers, Apache-2.0; JailbreakBench's
answers with the goal as the prompt, MIT) on the answer's features alone and with the prompt's, and
scores both sets, beside the shipped `unsafe` head on the answer alone. Every text is embedded as
its first window (`bin/parapet train embed`), so the shipped head's figures here are its
first-window ones, not the runtime's maximum over windows.

  answer_context.py write --data ../shared/data --out DIR     # DIR/{set}.json and {set}_{p,a}.jsonl
  (embed each DIR/*_p.jsonl and *_a.jsonl to the same name with .f32)
  answer_context.py score --work DIR --head models/guard/head.json
"""
import argparse
import csv
import glob
import json

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score

from fit import SavedHead
from prepare import DO_NOT_ANSWER_MODELS, GUARDREASONER_ANSWERS, JAILBREAKBENCH_ARTIFACTS, guardreasoner

TRAIN = ["dna", "jbb"]
EVAL = ["harmbench", "saferlhf"]


def triples(data):
    sets = {name: [] for name in TRAIN + EVAL}
    with open(f"{data}/do_not_answer/data_en.csv", newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            for m in DO_NOT_ANSWER_MODELS:
                answer, harmful = r.get(f"{m}_response"), r.get(f"{m}_harmful")
                if answer and answer.strip() and harmful in ("0", "1"):
                    sets["dna"].append((r["question"], answer.strip(), int(harmful)))
    for path in sorted(glob.glob(f"{data}/{JAILBREAKBENCH_ARTIFACTS}")):
        for j in json.load(open(path, encoding="utf-8")).get("jailbreaks", []):
            if j.get("response") and j.get("jailbroken") in (True, False):
                sets["jbb"].append((j["goal"], j["response"].strip(), int(j["jailbroken"])))
    for name, path in GUARDREASONER_ANSWERS.items():
        for prompt, answer, harmful in guardreasoner(f"{data}/{path}"):
            if prompt is not None and answer is not None:
                sets[name.split("_")[0]].append((prompt.strip(), answer, int(harmful)))
    return sets


def write(args):
    for name, rows in triples(args.data).items():
        with open(f"{args.out}/{name}.json", "w", encoding="utf-8") as f:
            json.dump([r[2] for r in rows], f)
        for side, k in [("p", 0), ("a", 1)]:
            with open(f"{args.out}/{name}_{side}.jsonl", "w", encoding="utf-8") as f:
                for i, r in enumerate(rows):
                    f.write(json.dumps({"id": f"{name}-{i}", "text": r[k], "labels": []}, ensure_ascii=False) + "\n")
        print(name, len(rows), "harmful", sum(r[2] for r in rows))


def load(work, name):
    y = np.array(json.load(open(f"{work}/{name}.json")))
    p, a = (np.fromfile(f"{work}/{name}_{s}.f32", "<f4").reshape(len(y), -1) for s in "pa")
    return p, a, y


FEATURES = {"answer": lambda p, a: a, "answer, prompt, product": lambda p, a: np.hstack([a, p, a * p])}


def score(args):
    sets = {n: load(args.work, n) for n in TRAIN + EVAL}
    shipped = SavedHead(json.load(open(args.head)), "unsafe")
    print("shipped unsafe head, answer alone:", ", ".join(
        f"{n} {average_precision_score(sets[n][2], shipped.predict_proba(sets[n][1])[:, 1]):.3f}" for n in EVAL))
    for train in [TRAIN[:1], TRAIN]:
        for name, f in FEATURES.items():
            x = np.vstack([f(*sets[n][:2]) for n in train])
            y = np.concatenate([sets[n][2] for n in train])
            model = LogisticRegression(C=args.c, max_iter=3000, class_weight="balanced").fit(x, y)
            print(f"trained on {'+'.join(train)}, features {name}:", ", ".join(
                f"{n} {average_precision_score(sets[n][2], model.decision_function(f(*sets[n][:2]))):.3f}" for n in EVAL))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="step", required=True)
    w = sub.add_parser("write")
    w.add_argument("--data", required=True)
    w.add_argument("--out", required=True)
    s = sub.add_parser("score")
    s.add_argument("--work", required=True)
    s.add_argument("--head", required=True)
    s.add_argument("--c", type=float, default=0.3, help="inverse L2 strength of the logistic heads")
    args = ap.parse_args()
    write(args) if args.step == "write" else score(args)


if __name__ == "__main__":
    main()
