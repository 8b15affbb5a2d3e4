#!/usr/bin/env python3
"""Trains Parapet's classification heads on frozen-encoder embeddings and picks thresholds.

Reads what prepare.py and `bin/parapet train embed` wrote under --work, fits one L2-regularised
logistic regression per category (scikit-learn; one-vs-rest, multi-label), and writes:

  --head     head.json: weights [labels][hidden] and bias, in the fused graph's label order
  --policy   policy.json: strict / balanced / permissive profiles, thresholds chosen on validation
  --metrics  metrics.json: validation and test metrics per category at the balanced thresholds

A category's training set is its positives, the records whose source covers it without labelling
it, and every benign record. Each source weighs at most SOURCE_CAP records' worth (two tweet corpora
are 60% of the pool and would teach every head "insults"); hard negatives (benign texts that sound
harmful) weigh 3x. Parapet's authored examples (authored_train.jsonl) join training; their held-out
half (authored_validation.jsonl) sets how far the balanced profile may go: it may block at most
AUTHORED_BENIGN_BLOCK of the authored benign-but-alarming prompts there, and heads trained without
any of them may block at most TRANSFER_BENIGN_BLOCK of them all (transfer calibration); the
content-only look-alikes (CONTENT_CALIBRATION_SOURCE) join both checks for the content heads. The
`unsafe` head also ranks the training half of the HH-RLHF preference pairs (the rejected answer above the
chosen one; see PAIRWISE); metrics.json reports how often each head does so on the other half.
The attack categories' balanced thresholds are floored on benign sources the heads never saw,
scored as the runtime scores them (every window of a long text, from {split}.windows); the other
thresholds and metrics.json read first windows (see BENIGN_FPR).
Fixed seeds.
"""
import argparse
import json
from typing import NamedTuple

import numpy as np
from scipy.optimize import minimize
from scipy.special import expit
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, precision_recall_curve, roc_auc_score

CONTENT = ["toxicity", "hate", "harassment", "sexual", "violence", "self_harm", "harmful_request", "unsafe"]
ATTACK = ["jailbreak", "prompt_injection"]
LABELS = CONTENT + ATTACK
HARD_NEGATIVE_WEIGHT = 3.0
SOURCE_CAP = 2000.0
AUTHORED_WEIGHT = 5.0
# None: the authored calibration prompts are easier than real traffic (the second model blocked 3.8% of
# them and 17% of JailbreakBench's benign twins), so balanced blocks none of them.
AUTHORED_BENIGN_BLOCK = 0.0
# The authored hard negatives that calibrate the balanced block thresholds of every blocking
# category, attack categories included (the second model's jailbreak head acted on 15-22% of benign
# prompts on dangerous topics). The authored prompts that look like attacks
# (authored_benign_instructions) only train: there are too few of them to set a threshold (a single
# prompt would decide it).
CALIBRATION_SOURCE = "authored_benign_alarming"
# Transfer calibration: the in-distribution check above is too lenient (heads trained on one half of
# the authored prompts score the other half, by the same hand, far lower than they score benign
# prompts from anyone else), so the balanced block thresholds are then raised until heads trained
# without ANY of the authored benign-but-alarming prompts block at most TRANSFER_BENIGN_BLOCK of them
# (all of them, both halves): a source the heads never saw, as a deployer's traffic is. The limit is
# the model issue's target for benign prompts that sound dangerous. Each blocking category gets an
# equal share of it and is raised on its own scores alone (calibrate_per_category, the tenth model),
# so one head's change never moves another's threshold; `--calibration greedy` raises the category
# blocking most first until the union is within the limit (up to the ninth model: a new injection
# head moved balanced `hate` 0.777 -> 0.852 that way). `--transfer-source
# cyberseceval_frr` calibrates on CyberSecEval's benign cyber prompts instead (one topic only;
# measured in models/README.md: with MiniLM it leaves balanced blocking almost no harmful request).
TRANSFER_SOURCE = CALIBRATION_SOURCE
TRANSFER_BENIGN_BLOCK = 0.05
# Attack categories, transfer-validated as the model issue measures them (recall at 1% false
# positives on benign text, by left-out source): every source with at least MIN_SOURCE_BENIGN benign
# texts is left out in turn, heads trained without it score its benign texts, and the balanced block
# threshold is raised to the highest (1 - ATTACK_BENIGN_FPR) quantile of those scores. So no benign
# source the heads never saw (ordinary questions, answers, tweets, system-prompt-like role play) has
# more than 1% of its texts blocked as an attack; the in-distribution F1-optimal floor alone let a
# prompt-injection head block ordinary instructions ("Then press Reset password.").
ATTACK_BENIGN_FPR = 0.01
# The balanced profile flags an attack category only above the same kind of floor at 5% (the model
# issue's limit for benign prompts flagged): no benign source the heads never saw has more than 5% of
# its texts flagged as an attack (one text more where the 95th percentile falls between two). Strict's
# thresholds alone flagged ordinary requests ("Keep it to three sentences.") as injections
# (models/README.md, "Sixteenth model"). The same floor for the content categories cost too much harm
# (`--content-flag-floors`, candidate FC).
ATTACK_BENIGN_FLAG = 0.05
MIN_SOURCE_BENIGN = 100
# Those benign texts are scored as the runtime scores them: a text longer than one 128-token window is
# scored in all its windows (overlapping ones and one per sentence) and takes the maximum, which acts
# more often than its first window alone (what the heads train on). `bin/parapet train embed
# --windows` writes those windows ({split}.windows); `--first-window-floors` ignores them (the sixth
# model's rule: its floors let the runtime block 24% of Tensor Trust's long defence prompts).
# Preference pairs (prepare.py: HH-RLHF harmlessness, two final assistant turns of one dialogue, the
# rejected one judged more harmful) say which answer is worse, never that either is harmful, so they
# only rank: the heads of PAIRWISE labels add, per pair, log(1 + exp(f(chosen) - f(rejected))) to the
# logistic loss (f the logit), the pairs weighing together at most SOURCE_CAP records' worth, like
# any source. The pool's answers are few and mostly refusals; the pairs are ordinary chat answers.
# Heavier pairs rank pairs better and the pool worse (sixth model's features, `--pair-weight`, the
# `unsafe` figures of metrics.json: held-out pairs ranked right / validation AUPRC: no pairs 0.556 /
# 0.781; weight 1, shipped, 0.569 / 0.781; 5: 0.584 / 0.770; 20: 0.599 / 0.710).
PAIRWISE = {"unsafe"}
PAIR_WEIGHT = 1.0
# Categories that flag rather than block under the balanced profile: plain profanity is reported, not
# acted on (it is not "unsafe" by itself).
FLAG_ONLY = {"toxicity"}


def load(work, split, hidden=384):
    records = [json.loads(l) for l in open(f"{work}/{split}.jsonl", encoding="utf-8")]
    x = np.fromfile(f"{work}/{split}.f32", dtype="<f4").reshape(len(records), hidden)
    return records, x


def load_with_authored(work, split):
    """A pool split plus the authored half that goes with it (train or validation)."""
    records, x = load(work, split)
    try:
        extra, ex = load(work, f"authored_{split}")
    except FileNotFoundError:
        return records, x
    return records + extra, np.vstack([x, ex])


class Pairs(NamedTuple):
    """One half of the preference pairs: row i of `chosen` and of `rejected` is one pair."""
    chosen: np.ndarray
    rejected: np.ndarray
    weight: float = PAIR_WEIGHT


def load_pairs(work, split, weight=PAIR_WEIGHT):
    """One half of the preference pairs' features, or None when prepare.py wrote none."""
    try:
        _, chosen = load(work, f"pairs_{split}_chosen")
        _, rejected = load(work, f"pairs_{split}_rejected")
    except FileNotFoundError:
        return None
    return Pairs(chosen, rejected, weight)


def pair_accuracy(model, pairs):
    """The share of pairs whose rejected answer the head scores above the chosen one."""
    return round(float((model.decision_function(pairs.rejected) > model.decision_function(pairs.chosen)).mean()), 4)


class Windows(NamedTuple):
    """The runtime windows of a list of records: record i has counts[i] rows in `rows` from
    offsets[i] (0 rows: it fits one window, its feature row is what the runtime scores)."""
    counts: np.ndarray
    offsets: np.ndarray
    rows: np.ndarray


def load_windows(work, splits, hidden=384):
    """The windows of every record of `splits`, [(split name, record count)], in that order; a split
    without a .windows file (the authored halves: short prompts) counts as all short, but a pool
    split without one is an error: re-run `bin/parapet train`."""
    counts, rows = [], []
    for split, n in splits:
        path = f"{work}/{split}.windows"
        try:
            c = np.fromfile(path, dtype="<i4", count=n)
        except FileNotFoundError:
            if not split.startswith("authored_"):
                raise SystemExit(f"{path} is missing: embed with `bin/parapet train` (train embed --windows), "
                                 "or pass --first-window-floors")
            c = np.zeros(n, dtype="<i4")
        else:
            r = np.fromfile(path, dtype="<f4", offset=4 * n).reshape(-1, hidden)
            if len(c) != n or len(r) != c.sum():
                raise SystemExit(f"{path} does not match {split}.jsonl: re-run `bin/parapet train`")
            rows.append(r)
        counts.append(c)
    counts = np.concatenate(counts).astype(np.int64)
    offsets = np.concatenate([[0], np.cumsum(counts)[:-1]])
    return Windows(counts, offsets, np.vstack(rows) if rows else np.zeros((0, hidden), dtype=np.float32))


def runtime_proba(model, x, windows, index):
    """The head's scores of records `index` (rows of x) as the runtime gives them: the maximum over a
    long text's windows, else its one row; first windows only when `windows` is None."""
    p = model.predict_proba(x[index])[:, 1]
    if windows is None:
        return p
    long_ = [k for k, i in enumerate(index) if windows.counts[i] > 0]
    if long_:
        spans = [(windows.offsets[index[k]], windows.counts[index[k]]) for k in long_]
        pw = model.predict_proba(windows.rows[np.concatenate([np.arange(o, o + c) for o, c in spans])])[:, 1]
        at = 0
        for k, (_, c) in zip(long_, spans):
            p[k] = pw[at:at + c].max()
            at += c
    return p


def load_split_windows(work, train, val, test):
    """The windows of train, validation and test as load_with_authored and load return them (each
    pool split followed by its authored half), in that order."""
    n_train, n_val = (sum(not r["source"].startswith("authored_") for r in rs) for rs in (train, val))
    return load_windows(work, [("train", n_train), ("authored_train", len(train) - n_train),
                               ("validation", n_val), ("authored_validation", len(val) - n_val),
                               ("test", len(test))])


class SavedHead:
    """One category of a written head.json, scoring as fit.py's models do (predict_proba), so that
    the committed heads can be measured without refitting them."""

    def __init__(self, head, label):
        i = head["labels"].index(label)
        self.weights, self.bias = np.array(head["weights"][i]), head["bias"][i]

    def predict_proba(self, x):
        p = expit(x @ self.weights + self.bias)
        return np.stack([1 - p, p], axis=1)


def split_windows(windows, start, n):
    """The windows of records start..start+n of `windows` (one split of it), indexed from 0."""
    if windows is None:
        return None
    return Windows(windows.counts[start:start + n], windows.offsets[start:start + n], windows.rows)


def primary_source(record):
    return record["source"].split("+")[0]


def sample_weights(records):
    """Caps each source's total weight at SOURCE_CAP; hard negatives and authored texts weigh more."""
    counts = {}
    for r in records:
        counts[primary_source(r)] = counts.get(primary_source(r), 0) + 1
    w = np.array([min(1.0, SOURCE_CAP / counts[primary_source(r)]) for r in records])
    w *= np.array([HARD_NEGATIVE_WEIGHT if r["hard_negative"] else 1.0 for r in records])
    w *= np.array([AUTHORED_WEIGHT if r["source"].startswith("authored_") else 1.0 for r in records])
    return w


# Sources that train only the content heads (`--content-only-source`): the attack heads neither train
# on them nor are calibrated by them. Empty for the shipped model.
CONTENT_ONLY_SOURCES = set()
# Sources that train only some heads: every other head neither trains on them nor sets a threshold
# from them. Benign system prompts (authored/system_prompts.txt, ninth model) look like
# injections to the injection head, but like jailbreak frames ("You are ...") as well, and teaching
# the jailbreak head that they are benign weakened it (models/README.md, "Ninth model", candidate
# C), so they were negatives for prompt_injection alone up to the fourteenth model. On the
# fifteenth model's encoder (candidate U's recipe) the jailbreak head read long
# standing instructions as jailbreaks (candidates W, W2 and X), so they are jailbreak negatives too;
# `--only-for authored_system_prompts=prompt_injection` gives the fourteenth model's rule.
# Benign prompts that look like content harms only (authored/benign_alarming_content.txt, session 14)
# are negatives for the content heads alone, and calibrate them alongside CALIBRATION_SOURCE, in the
# balanced check and in the transfer calibration (left out with it); the attack heads neither train
# on them nor are calibrated by them. As negatives for every head they cost the test split's
# `jailbreak` AUPRC 0.868 -> 0.854 (models/README.md, "Candidates L, L11, M11, MJ and P", M11; N11).
CONTENT_CALIBRATION_SOURCE = "authored_benign_alarming_content"
ONLY_FOR = {"authored_system_prompts": {"prompt_injection", "jailbreak"}, CONTENT_CALIBRATION_SOURCE: set(CONTENT)}
# Sources that train their heads but calibrate none (`--train-only-source`): any the encoder was
# fine-tuned on (finetune.py --hold-out without it), since an encoder that has seen a set's style
# makes that set look safer than new traffic (models/README.md, candidate P). Candidate R measured
# that this is not enough: the other authored benign file, never seen, looked safe too. Empty for
# the shipped model.
TRAIN_ONLY_SOURCES = set()


def calibration_sources(label, source):
    """The sources whose benign prompts calibrate `label`: `source` and, when it is CALIBRATION_SOURCE,
    CONTENT_CALIBRATION_SOURCE for the heads that train on it; never one of TRAIN_ONLY_SOURCES."""
    sources = {source, CONTENT_CALIBRATION_SOURCE} if source == CALIBRATION_SOURCE else {source}
    return {s for s in sources if label in ONLY_FOR.get(s, {label}) and s not in TRAIN_ONLY_SOURCES}


def calibration_masks(sources, source):
    """Per label, which of the texts whose primary sources are `sources` (in order) calibrate it with
    `source` (calibration_sources)."""
    masks = {}
    for label in LABELS:
        own = calibration_sources(label, source)
        masks[label] = np.array([s in own for s in sources], dtype=bool)
    return masks


def any_calibration_sources(source):
    """Every source that calibrates some head with `source` (calibration_sources): what the transfer
    calibration's heads are trained without."""
    return set().union(*(calibration_sources(label, source) for label in LABELS))


def targets(records, label):
    """Returns (mask of usable records, y) for one label."""
    use = np.array([(label in r["labels"] or label in r["covers"] or not r["labels"])
                    and not (label in ATTACK and primary_source(r) in CONTENT_ONLY_SOURCES)
                    and label in ONLY_FOR.get(primary_source(r), {label}) for r in records])
    y = np.array([label in r["labels"] for r in records], dtype=int)
    return use, y


# Each profile acts on at most this share of the benign validation texts' first windows, per category.
# The runtime scores a long text in all its windows and acts on more of them: with the ninth model's
# heads, strict acts on 3.4-4.7% of the benign validation texts (183 of 2,179 are long).
# `--runtime-window-thresholds` reads every threshold off the runtime's scores instead; measured and
# not shipped: it raised the flag thresholds enough that balanced allows the canonical phishing-email
# request of MainTest (models/README.md, "Candidate: every threshold on the runtime's scores"). The pool is
# a third harmful, real traffic is not, so an F1-optimal threshold on the pool alone over-blocks in
# production. For rare categories benign texts all score near zero and that quantile is degenerate
# (below DEGENERATE_QUANTILE); only then is the threshold never below the validation's F1-optimal one
# (balanced), the one that keeps 90% recall (strict) or the one that reaches 90% precision
# (permissive). Those floors are read off validation positives from the training sources: with a
# fine-tuned encoder they score near 1 (90% of harmful_request's above 0.90) while harm from other
# sources scores far lower, so a floor above a real quantile sets thresholds new harm never reaches.
# The attack categories keep their floors: most benign texts are tweets and comments, never
# instructions, so their quantile sits below where ordinary prompts score.
BENIGN_FPR = {"strict": 0.03, "balanced": 0.01, "permissive": 0.003}
DEGENERATE_QUANTILE = 0.05


def threshold_for(y, p, benign_scores, kind, always_floor=False):
    precision, recall, thresholds = precision_recall_curve(y, p)
    precision, recall = precision[:-1], recall[:-1]
    if kind == "balanced":
        f1 = 2 * precision * recall / np.maximum(precision + recall, 1e-12)
        floor = thresholds[int(np.argmax(f1))]
    elif kind == "strict":
        ok = np.where(recall >= 0.9)[0]
        floor = thresholds[ok[-1]] if len(ok) else thresholds[0]
    else:
        ok = np.where(precision >= 0.9)[0]
        floor = thresholds[ok[0]] if len(ok) else thresholds[-1]
    quantile = float(np.quantile(benign_scores, 1.0 - BENIGN_FPR[kind]))
    return quantile if quantile >= DEGENERATE_QUANTILE and not always_floor else float(max(floor, quantile))


def blocked_share(thresholds, alarming_scores, kind="balanced"):
    """The share of authored benign-but-alarming validation prompts some blocking category blocks."""
    blocked = np.zeros(len(next(iter(alarming_scores.values()))), dtype=bool)
    for label, scores in alarming_scores.items():
        if label not in FLAG_ONLY:
            blocked |= scores >= thresholds[label][kind]
    return round(float(blocked.mean()), 4)


MAX_THRESHOLD = 0.999


def calibrate(thresholds, alarming_scores, limit=AUTHORED_BENIGN_BLOCK):
    """Raises balanced block thresholds, the category blocking most first, until at most `limit` of
    the given benign prompts are blocked, or every category blocking some is at MAX_THRESHOLD."""
    if not alarming_scores or not len(next(iter(alarming_scores.values()))):
        return
    while blocked_share(thresholds, alarming_scores) > limit:
        blocking = {l: int((alarming_scores[l] >= thresholds[l]["balanced"]).sum())
                    for l in alarming_scores if l not in FLAG_ONLY and thresholds[l]["balanced"] < MAX_THRESHOLD}
        if not any(blocking.values()):
            return  # what still blocks scores above MAX_THRESHOLD
        worst = max(blocking, key=blocking.get)
        above = np.sort(alarming_scores[worst][alarming_scores[worst] >= thresholds[worst]["balanced"]])
        thresholds[worst]["balanced"] = float(min(MAX_THRESHOLD, above[0] + 1e-4))  # release the lowest one


def calibrate_per_category(thresholds, alarming_scores, limit):
    """Raises each blocking category's balanced threshold until that category alone blocks at most
    floor(limit * n / K) of the n benign prompts given for it (K blocking categories), so that together
    they block at most `limit` of them whatever the overlap, and no head's scores move another's
    threshold."""
    if not alarming_scores or not len(next(iter(alarming_scores.values()))):
        return
    blocking = [l for l in alarming_scores if l not in FLAG_ONLY]
    for label in blocking:
        n = len(alarming_scores[label])
        budget = int(np.floor(limit * n / len(blocking) + 1e-9))
        scores = np.sort(alarming_scores[label])[::-1]
        if budget < n and scores[budget] >= thresholds[label]["balanced"]:
            thresholds[label]["balanced"] = float(min(MAX_THRESHOLD, scores[budget] + 1e-4))


def fit_head(records, x, weights, label, c, pairs=None):
    """One category's logistic regression on its usable records, ranking the preference pairs too
    when given and the label is PAIRWISE."""
    use, y = targets(records, label)
    model = LogisticRegression(C=c, max_iter=2000, random_state=0)
    model.fit(x[use], y[use], sample_weight=weights[use])
    if pairs is not None and label in PAIRWISE:
        rank(model, x[use], y[use], weights[use], pairs, c)
    return model


def rank(model, x, y, weights, pairs, c):
    """Refits a logistic regression from where it stands on scikit-learn's objective (0.5 |w|^2 + C *
    weighted log loss, intercept free) plus the pairs' ranking loss, by L-BFGS."""
    diff = pairs.rejected - pairs.chosen
    pair_weight = pairs.weight * min(1.0, SOURCE_CAP / len(diff))
    sign = 2.0 * y - 1.0

    def objective(theta):
        w, b = theta[:-1], theta[-1]
        margin = sign * (x @ w + b)
        dz = diff @ w
        loss = weights @ np.logaddexp(0.0, -margin) + pair_weight * np.logaddexp(0.0, -dz).sum()
        g_point = -sign * expit(-margin) * weights
        g_pair = -expit(-dz) * pair_weight
        grad_w = w + c * (x.T @ g_point + diff.T @ g_pair)
        return 0.5 * w @ w + c * loss, np.append(grad_w, c * g_point.sum())

    start = np.append(model.coef_[0], model.intercept_[0]).astype(np.float64)
    result = minimize(objective, start, jac=True, method="L-BFGS-B", options={"maxiter": 2000})
    model.coef_ = result.x[None, :-1]
    model.intercept_ = result.x[-1:]


def without_sources(train, xtr, sw, sources):
    """The training records, features and weights with the given sources left out."""
    keep = np.array([primary_source(r) not in sources for r in train])
    return [r for r, k in zip(train, keep) if k], xtr[keep], sw[keep]


def left_out_scores(train, xtr, sw, splits, c, source=TRANSFER_SOURCE, pairs=None):
    """Scores of the calibration texts of `source` (calibration_sources) in every split, (records, x)
    pairs, by heads trained on `train` without any of them. Returns every head's scores of all those
    texts, and per label the mask of the texts that calibrate it."""
    sources = any_calibration_sources(source)
    kept, xkept, swkept = without_sources(train, xtr, sw, sources)
    texts, chosen_sources = [], []
    for records, x in splits:
        picked = [i for i, r in enumerate(records) if primary_source(r) in sources]
        texts.append(x[picked])
        chosen_sources += [primary_source(records[i]) for i in picked]
    texts = np.vstack(texts)
    if not len(texts):
        raise SystemExit(f"--transfer-benign-block: no {source} texts under --work")
    return {label: fit_head(kept, xkept, swkept, label, c, pairs).predict_proba(texts)[:, 1]
            for label in LABELS}, calibration_masks(chosen_sources, source)


def calibrate_by_mask(calibrator, thresholds, scores, masks, limit):
    """Runs a calibration on each group of labels calibrated by the same texts (`masks`: per label, which
    of the scored texts calibrate it): all labels together unless some source calibrates only some."""
    groups = {}
    for label in scores:
        groups.setdefault(masks[label].tobytes(), []).append(label)
    for labels in groups.values():
        calibrator(thresholds, {l: scores[l][masks[l]] for l in labels}, limit)


def attack_floors(train, xtr, sw, splits, c, pairs=None, windows=None, shares=(ATTACK_BENIGN_FPR,),
                  scores=None, labels=ATTACK):
    """Per share and label (the attack ones unless told), the highest (1 - share) quantile of a
    benign source's texts (in every split) scored by heads trained on `train` without that source, as
    the runtime scores them (`windows` of every split's records, in order; None: first windows only).
    Returns, per share in order, the floors and, per label, the source that set each. A `scores` dict
    receives every (source, label)'s scores."""
    records = [r for rs, _ in splits for r in rs]
    x = np.vstack([xs for _, xs in splits])
    source = np.array([primary_source(r) for r in records])
    benign = np.array([not r["labels"] for r in records])
    counts = {}
    for s in source[benign]:
        counts[s] = counts.get(s, 0) + 1
    floors = [{label: 0.0 for label in labels} for _ in shares]
    setters = [{label: None for label in labels} for _ in shares]
    # Authored hard negatives only train (see CALIBRATION_SOURCE): written to look like attacks, they
    # would set a floor from one hand's style.
    for s in sorted(k for k, n in counts.items() if n >= MIN_SOURCE_BENIGN and not k.startswith("authored_")):
        kept, xkept, swkept = without_sources(train, xtr, sw, {s})
        index = np.flatnonzero(benign & (source == s))
        for label in labels:
            p = runtime_proba(fit_head(kept, xkept, swkept, label, c, pairs), x, windows, index)
            if scores is not None:
                scores[s, label] = p
            for f, setter, one in zip(floors, setters, shares):
                q = float(np.quantile(p, 1.0 - one))
                if q > f[label]:
                    f[label], setter[label] = q, s
    return list(zip(floors, setters))


def balanced_of(thresholds):
    """A copy of every label's balanced threshold, to follow which step of main() moves it."""
    return {label: t["balanced"] for label, t in thresholds.items()}


def set_by(steps, label):
    """The last of main()'s (step, balanced thresholds) snapshots that changed `label`'s threshold."""
    last = steps[0][0]
    for (_, before), (step, after) in zip(steps, steps[1:]):
        if after[label] != before[label]:
            last = step
    return last


def metrics(y, p, t):
    pred = p >= t
    tp, fp = int((pred & (y == 1)).sum()), int((pred & (y == 0)).sum())
    fn, tn = int((~pred & (y == 1)).sum()), int((~pred & (y == 0)).sum())
    out = {"support": int(y.sum()), "negatives": int((y == 0).sum()),
           "precision": tp / max(tp + fp, 1), "recall": tp / max(tp + fn, 1), "fpr": fp / max(fp + tn, 1)}
    out["f1"] = 2 * out["precision"] * out["recall"] / max(out["precision"] + out["recall"], 1e-12)
    if 0 < y.sum() < len(y):
        out["auprc"] = float(average_precision_score(y, p))
        out["roc_auc"] = float(roc_auc_score(y, p))
    return {k: round(v, 4) if isinstance(v, float) else v for k, v in out.items()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", required=True)
    ap.add_argument("--head", required=True)
    ap.add_argument("--policy", required=True)
    ap.add_argument("--metrics", required=True)
    ap.add_argument("--c", type=float, default=4.0)
    ap.add_argument("--authored-benign-block", type=float, default=AUTHORED_BENIGN_BLOCK,
                    help="the most the balanced profile may block of the authored calibration prompts")
    ap.add_argument("--transfer-benign-block", type=float, default=TRANSFER_BENIGN_BLOCK,
                    help="the most balanced may block of --transfer-source's texts, scored by heads trained "
                         "without that source; negative turns the transfer calibration off")
    ap.add_argument("--transfer-source", default=TRANSFER_SOURCE,
                    help="the benign source left out for --transfer-benign-block")
    ap.add_argument("--no-pairs", action="store_true",
                    help="ignore the preference pairs (pointwise heads only, for comparison)")
    ap.add_argument("--pair-weight", type=float, default=PAIR_WEIGHT,
                    help="how much one preference pair weighs against one record (before the source cap)")
    ap.add_argument("--first-window-floors", action="store_true",
                    help="score the attack floors' benign texts by their first window only, ignoring the "
                         "runtime windows of long texts (the sixth model's rule, for comparison)")
    ap.add_argument("--runtime-window-thresholds", action="store_true",
                    help="read the validation thresholds and metrics off the runtime's scores (every window of "
                         "a long text) instead of first windows (measured, not shipped: see BENIGN_FPR)")
    ap.add_argument("--content-flag-floors", action="store_true",
                    help="balanced flags every category, not only the attack ones, from the 5%% flag floor "
                         "(candidate FC: measured, not shipped; models/README.md)")
    ap.add_argument("--calibration", choices=["greedy", "per-category"], default="per-category",
                    help="transfer calibration: give each blocking category an equal share of the limit "
                         "(per-category), or raise the category blocking most first until the union is "
                         "within it (greedy: the ninth model's rule)")
    ap.add_argument("--content-only-source", action="append", default=[], metavar="SOURCE",
                    help="a source (such as authored_benign_alarming) that trains and calibrates the content "
                         "heads only: the attack heads neither train on it nor are calibrated by it")
    ap.add_argument("--train-only-source", action="append", default=[], metavar="SOURCE",
                    help=f"a source that trains its heads but calibrates none, such as {CONTENT_CALIBRATION_SOURCE} "
                         "for an encoder fine-tuned on it")
    ap.add_argument("--only-for", action="append", default=[], metavar="SOURCE=LABELS",
                    help="the heads (comma-separated) a source trains, replacing its ONLY_FOR entry, such as "
                         "authored_system_prompts=prompt_injection (the ninth to fourteenth models' rule)")
    args = ap.parse_args()
    if {CALIBRATION_SOURCE, args.transfer_source} & set(args.train_only_source):
        ap.error("--train-only-source: the calibration source cannot be train-only")
    for spec in args.only_for:
        source, sep, labels = spec.partition("=")
        heads = {label for label in labels.split(",") if label}
        if not sep or not source or not heads or heads - set(LABELS):
            ap.error(f"--only-for {spec}: expected SOURCE=LABELS, LABELS among {', '.join(LABELS)}")
        ONLY_FOR[source] = heads
    CONTENT_ONLY_SOURCES.update(args.content_only_source)
    TRAIN_ONLY_SOURCES.update(args.train_only_source)
    train, xtr = load_with_authored(args.work, "train")
    val, xva = load_with_authored(args.work, "validation")
    test, xte = load(args.work, "test")
    pairs = None if args.no_pairs else load_pairs(args.work, "train", args.pair_weight)
    held_out_pairs = load_pairs(args.work, "validation")
    sw = sample_weights(train)
    windows = None if args.first_window_floors and not args.runtime_window_thresholds else load_split_windows(
        args.work, train, val, test)
    # Validation and test as the runtime scores them (every window of a long text), for thresholds and
    # metrics, under --runtime-window-thresholds; first windows otherwise (see BENIGN_FPR).
    val_windows = split_windows(windows, len(train), len(val)) if args.runtime_window_thresholds else None
    test_windows = split_windows(windows, len(train) + len(val), len(test)) if args.runtime_window_thresholds else None
    val_benign = np.array([not r["labels"] for r in val])
    val_masks = calibration_masks([primary_source(r) for r in val], CALIBRATION_SOURCE)
    calibration = np.logical_or.reduce(list(val_masks.values()))

    weights, bias, thresholds, report = [], [], {}, {"validation": {}, "test": {}}
    calibration_scores = {}
    models = {}
    val_scores = {}  # per label, the usable validation texts' scores: for thresholds, then metrics
    for label in LABELS:
        model = fit_head(train, xtr, sw, label, args.c, pairs)
        models[label] = model
        weights.append(model.coef_[0].astype(np.float32).tolist())
        bias.append(float(model.intercept_[0]))
        vuse, vy = targets(val, label)
        vp = val_scores[label] = runtime_proba(model, xva, val_windows, np.flatnonzero(vuse))
        benign = vp[val_benign[vuse]]
        t = {k: threshold_for(vy[vuse], vp, benign, k, always_floor=label in ATTACK)
             for k in ["strict", "balanced", "permissive"]}
        thresholds[label] = t
        if not (label in ATTACK and CALIBRATION_SOURCE in CONTENT_ONLY_SOURCES):
            calibration_scores[label] = model.predict_proba(xva[calibration])[:, 1]

    steps = [("validation", balanced_of(thresholds))]
    calibrate_by_mask(calibrate, thresholds, calibration_scores,
                      {label: m[calibration] for label, m in val_masks.items()}, args.authored_benign_block)
    steps.append(("held-out calibration", balanced_of(thresholds)))
    splits = [(train, xtr), (val, xva), (test, xte)]
    transfer = args.transfer_benign_block >= 0
    if transfer:
        transfer_scores, transfer_masks = left_out_scores(train, xtr, sw, splits, args.c, args.transfer_source, pairs)
        if args.transfer_source in CONTENT_ONLY_SOURCES:
            transfer_scores = {label: p for label, p in transfer_scores.items() if label not in ATTACK}
        if args.calibration == "per-category":
            calibrate_per_category(thresholds, {l: p[transfer_masks[l]] for l, p in transfer_scores.items()},
                                   args.transfer_benign_block)
        else:
            calibrate_by_mask(calibrate, thresholds, transfer_scores, transfer_masks, args.transfer_benign_block)
    steps.append(("transfer calibration", balanced_of(thresholds)))
    left_out = {}
    (floors, setters), (flag_floors, flag_setters) = attack_floors(
        train, xtr, sw, splits, args.c, pairs, None if args.first_window_floors else windows,
        (ATTACK_BENIGN_FPR, ATTACK_BENIGN_FLAG), left_out, LABELS if args.content_flag_floors else ATTACK)
    floors = {label: f for label, f in floors.items() if label in ATTACK}
    setters = {label: s for label, s in setters.items() if label in ATTACK}
    for label, floor in floors.items():
        thresholds[label]["balanced"] = max(thresholds[label]["balanced"], min(MAX_THRESHOLD, floor))
    steps.append(("attack floor", balanced_of(thresholds)))
    for label in LABELS:
        print(f"balanced {label} threshold", " -> ".join(f"{step} {t[label]:.4f}" for step, t in steps),
              "; set by", set_by(steps, label), flush=True)
    report["attack_transfer_floors"] = {label: round(f, 4) for label, f in floors.items()}
    report["attack_transfer_floors_set_by"] = setters
    report["attack_transfer_floors_scored"] = "first window" if args.first_window_floors else "runtime windows"
    report["attack_flag_floors"] = {label: round(f, 4) for label, f in flag_floors.items()}
    report["attack_flag_floors_set_by"] = flag_setters
    if args.runtime_window_thresholds:
        report["validation_thresholds_scored"] = "runtime windows"
    for label in LABELS:
        t = thresholds[label]
        # Keep the profiles ordered: strict acts at least as often as balanced, balanced as permissive.
        t["strict"] = min(t["strict"], t["balanced"])
        t["permissive"] = max(t["permissive"], t["balanced"])
        # What balanced flags from: strict's threshold, and at least the flag floor where there is one
        # (the attack categories; every category under --content-flag-floors).
        t["balanced_flag"] = min(max(t["strict"], min(MAX_THRESHOLD, flag_floors.get(label, 0.0))), t["balanced"])
        vuse, vy = targets(val, label)
        report["validation"][label] = metrics(vy[vuse], val_scores[label], t["balanced"])
        tuse, ty = targets(test, label)
        tp = runtime_proba(models[label], xte, test_windows, np.flatnonzero(tuse))
        report["test"][label] = metrics(ty[tuse], tp, t["balanced"])
        print(label, "val", report["validation"][label], "test", report["test"][label], flush=True)
    for (source, label), p in sorted(left_out.items()):
        t = thresholds[label]
        print(f"left out {source}: {label} acted on at strict {np.mean(p >= t['strict']):.3f}, "
              f"flagged at balanced {np.mean(p >= t['balanced_flag']):.3f}, blocked {np.mean(p >= t['balanced']):.3f}",
              flush=True)
    report[CALIBRATION_SOURCE + "_blocked"] = blocked_share(thresholds, calibration_scores)
    if held_out_pairs is not None:  # the validation half: which answer of a pair each head ranks worse
        report["preference_pairs_validation_accuracy"] = {
            label: pair_accuracy(models[label], held_out_pairs) for label in CONTENT}
        print("preference pairs, validation half, rejected ranked above chosen:",
              report["preference_pairs_validation_accuracy"], flush=True)
    if transfer:
        report[args.transfer_source + "_left_out_blocked"] = blocked_share(thresholds, transfer_scores)

    head = {"labels": LABELS, "normalize": True, "multiLabel": True, "weights": weights, "bias": bias}
    with open(args.head, "w") as f:
        json.dump(head, f)
    profiles = {}
    for name, block_at, flag_at in [("strict", "strict", "strict"), ("balanced", "balanced", "balanced_flag"),
                                    ("permissive", "permissive", "balanced")]:
        profile = {}
        for label in LABELS:
            t = thresholds[label]
            block = round(max(t[block_at], 0.01), 4)
            flag = round(min(t[flag_at], block), 4)
            profile[label] = {"flag": flag} if label in FLAG_ONLY and name != "strict" else {"flag": flag, "block": block}
        profiles[name] = {"thresholds": profile}
    with open(args.policy, "w") as f:
        json.dump({"version": 1, "defaultProfile": "balanced", "profiles": profiles}, f, indent=2)
        f.write("\n")
    report["thresholds"] = thresholds
    with open(args.metrics, "w") as f:
        json.dump(report, f, indent=2, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
