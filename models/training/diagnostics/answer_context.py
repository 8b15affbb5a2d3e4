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

  answer_context.py write --data ../shared/data --out DIR     # DIR/{set}.json, {set}_{p,a}.jsonl, {eval set}_pa.jsonl
  (embed each DIR/*_p.jsonl and *_a.jsonl to the same name with .f32)
  answer_context.py score --work DIR --head models/guard/head.json
  answer_context.py ceiling --work DIR

`ceiling` asks what such features could give at best (models/README.md, "How far the answer sets
can go"): heads trained on each evaluation set itself, scored out of fold (5 folds grouped by
prompt, so no prompt is on both sides). Such heads never ship (the sets are evaluation-only); the
figure bounds what a head on this encoder's features, with or without the prompt, can reach on
answers like these. It also reads, where `train embed --windows` wrote them, the answers' windows
(DIR/{set}_a.windows) and those of prompt and answer as one text ({set}_pa.f32 and .windows).
"""
import sys
import argparse
import csv
import glob
import json
import os

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score
from sklearn.model_selection import GroupKFold
from sklearn.neural_network import MLPClassifier

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # the pipeline
from fit import SavedHead, load_windows
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
        sides = [("p", lambda r: r[0]), ("a", lambda r: r[1])]
        if name in EVAL:  # prompt and answer as one text: only `ceiling` reads it
            sides.append(("pa", lambda r: f"{r[0]}\n\n{r[1]}"))
        for side, text in sides:
            with open(f"{args.out}/{name}_{side}.jsonl", "w", encoding="utf-8") as f:
                for i, r in enumerate(rows):
                    f.write(json.dumps({"id": f"{name}-{i}", "text": text(r), "labels": []}, ensure_ascii=False) + "\n")
        print(name, len(rows), "harmful", sum(r[2] for r in rows))


def embedded(work, name, side, n):
    return np.fromfile(f"{work}/{name}_{side}.f32", "<f4").reshape(n, -1)


def load(work, name):
    y = np.array(json.load(open(f"{work}/{name}.json")))
    return embedded(work, name, "p", len(y)), embedded(work, name, "a", len(y)), y


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


def prompts(work, name):
    return [json.loads(line)["text"] for line in open(f"{work}/{name}_p.jsonl", encoding="utf-8")]


CEILING_HEADS = {
    **{f"logistic C={c}": (lambda c=c: LogisticRegression(C=c, max_iter=3000, class_weight="balanced"))
       for c in [0.1, 1.0, 10.0, 100.0]},
    "MLP 256, early stopping": lambda: MLPClassifier((256,), alpha=1e-3, early_stopping=True, max_iter=500, random_state=13),
}


def out_of_fold(head, x, y, groups, folds=5):
    scores = np.zeros(len(y))
    for train, test in GroupKFold(folds).split(x, y, groups):
        model = head().fit(x[train], y[train])
        scores[test] = model.predict_proba(x[test])[:, 1]
    return average_precision_score(y, scores)


def mean_over_windows(work, split, first):
    """Each text's features averaged over the runtime's windows (`train embed --windows` wrote
    WORK/SPLIT.windows), so a long text is read whole; its first window when it fits one."""
    w = load_windows(work, [(split, len(first))])
    return np.array([w.rows[o:o + c].mean(axis=0) if c else row for row, o, c in zip(first, w.offsets, w.counts)])


def ceiling(args):
    for n in EVAL:
        p, a, y = load(args.work, n)
        groups = np.unique(prompts(args.work, n), return_inverse=True)[1]
        print(f"{n}: {len(y)} answers, {y.sum()} harmful, {groups.max() + 1} prompts; base rate {y.mean():.3f}")
        features = {name: f(p, a) for name, f in FEATURES.items()}
        if os.path.exists(f"{args.work}/{n}_a.windows"):
            features["answer, mean over its windows"] = mean_over_windows(args.work, f"{n}_a", a)
        if os.path.exists(f"{args.work}/{n}_pa.windows"):
            pa = embedded(args.work, n, "pa", len(y))
            features["prompt and answer as one text, mean over its windows"] = mean_over_windows(args.work, f"{n}_pa", pa)
        for name, x in features.items():
            print(f"  features {name}:", ", ".join(
                f"{h} {out_of_fold(make, x, y, groups):.3f}" for h, make in CEILING_HEADS.items()))


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
    c = sub.add_parser("ceiling")
    c.add_argument("--work", required=True)
    args = ap.parse_args()
    {"write": write, "score": score, "ceiling": ceiling}[args.step](args)


if __name__ == "__main__":
    main()
