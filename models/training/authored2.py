"""Parapet's team-labelled examples (authored/v2/*.jsonl), split by family.

Each line: {"id", "text", "labels", "register", "family", "severity", "kind"} (authored/README.md).
A family is one idea and its paraphrases; the split is a hash of the family id, so no paraphrase
straddles two splits: 70% train, 15% calibration (thresholds), 15% test (the panel's
`authored_lookalikes` gate and the model cards' authored figures).
"""
import glob
import hashlib
import json
import os

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "authored", "v2")
CATEGORIES = ["toxicity", "hate", "harassment", "sexual", "violence", "self_harm", "harmful_request",
              "jailbreak", "prompt_injection"]
REGISTERS = {"chat_request", "social_comment", "model_answer", "story_roleplay", "quoted_speech",
             "multi_sentence", "typos_slang", "document"}
KINDS = {"positive", "lookalike", "ordinary"}


def split_of(family):
    bucket = int(hashlib.sha256(family.encode()).hexdigest()[:8], 16) % 20
    return "train" if bucket < 14 else ("calibration" if bucket < 17 else "test")


def authored_rows(directory=HERE):
    """Every authored example with its split; raises ValueError naming the file and line of a bad row."""
    rows, seen = [], set()
    for path in sorted(glob.glob(f"{directory}/*.jsonl")):
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                if not line.strip():
                    continue
                where = f"{os.path.basename(path)}:{n}"
                r = json.loads(line)
                bad = [l for l in r["labels"] if l not in CATEGORIES]
                if bad or r["register"] not in REGISTERS or r["kind"] not in KINDS:
                    raise ValueError(f"{where}: bad labels {bad}, register {r['register']!r} or kind {r['kind']!r}")
                if (r["kind"] == "positive") != bool(r["labels"]):
                    raise ValueError(f"{where}: kind {r['kind']} with labels {r['labels']}")
                key = " ".join(r["text"].lower().split())
                if key in seen:
                    continue  # a repeated text keeps its first row
                seen.add(key)
                r["split"] = split_of(f"{os.path.basename(path)}:{r['family']}")
                r["file"] = os.path.basename(path)
                rows.append(r)
    return rows
