#!/usr/bin/env python3
"""Brings a fine-tuned encoder (finetune.py's checkpoint) back to the stock int8 graph, as a patch.

The stock int8 encoders of the Maven jars (all-MiniLM-L6-v2, e5-small-v2) quantise every dense
weight symmetrically per output column (int8, zero point 0, values in [-64, 64]) and their
embedding tables per tensor (uint8, zero point 128). This script quantises the fine-tuned weights
with the stock graph's own scales (values that leave the stock range are clipped, and counted), and
writes the difference as a patch: an ONNX model whose graph holds only initializers, each named as
the stock initializer it changes and added to it element-wise (integers: the change of the
quantised values; floats: the change of biases and layer norms). Scales and the graph's nodes are
never changed, so the patched encoder runs exactly the stock model's operators at the stock
model's speed. Most quantised values do not move, so the gzipped patch is small enough for git;
the model assembler (Java) applies it at build time. A checkpoint of `finetune.py
--quantisation-aware` is on that grid already, so its weights come through unchanged.

Usage (after finetune.py; --fp32 only where the checkpoint was rebuilt from an fp32 graph):
  /usr/bin/python3 models/training/export.py --checkpoint models/target/finetune/checkpoint-0.pt \\
      --base /tmp/e5q/e5-small-v2-q.onnx --out models/guard/encoder-patch.onnx.gz
"""
import argparse
import gzip
import os
import sys

import numpy as np
import onnx
import torch
from onnx import helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from minilm import EMBEDDINGS, MODULES, MiniLM, encoder_weights, quantised_stems  # noqa: E402



def fine_tuned(checkpoint, graph):
    """The checkpoint's encoder weights, named as in the ONNX graph (dense weights as [in, out])."""
    model = MiniLM(encoder_weights(graph))
    state = torch.load(checkpoint, map_location="cpu")
    model.load_state_dict({k[len("encoder."):]: v for k, v in state.items() if k.startswith("encoder.")})
    out = {"embeddings.LayerNorm.weight": model.ln.weight, "embeddings.LayerNorm.bias": model.ln.bias}
    for attr, name in EMBEDDINGS.items():
        out[f"embeddings.{name}.weight"] = getattr(model, attr).weight
    for n, layer in enumerate(model.layers):
        for attr, name in MODULES.items():
            mod = getattr(layer, attr)
            weight = mod.weight if "LayerNorm" in name else mod.weight.T
            out[f"encoder.layer.{n}.{name}.weight"] = weight
            out[f"encoder.layer.{n}.{name}.bias"] = mod.bias
    return {k: v.detach().numpy().astype(np.float32) for k, v in out.items()}


def patch(base_path, weights):
    base = onnx.load(base_path)
    init = {i.name: numpy_helper.to_array(i) for i in base.graph.initializer}
    # Dense weights int8 in the stock quantiser's [-64, 64], embedding tables uint8.
    quantised = {name: (stem + "_quantized", stem + "_scale", stem + "_zero_point",
                        *((0, 255) if embedding else (-64, 64)))
                 for name, (stem, embedding) in quantised_stems(base).items()}
    tensors, clipped, moved, total = [], 0, 0, 0
    for name, value in sorted(weights.items()):
        if name in quantised:
            q_name, s_name, z_name, low, high = quantised[name]
            scale, zero = init[s_name], init[z_name].astype(np.int32)
            raw = np.round(value / (scale[None, :] if scale.ndim else scale)) + zero
            clipped += int(((raw < low) | (raw > high)).sum())
            new = np.clip(raw, low, high).astype(np.int32)
            delta = new - init[q_name].astype(np.int32)
            moved += int((delta != 0).sum())
            total += delta.size
            if np.abs(delta).max() > 127:
                raise ValueError(f"{name} moved by more than an int8 can say; fine-tune with a lower rate")
            tensors.append(numpy_helper.from_array(delta.astype(np.int8), q_name))
        elif name in init:
            tensors.append(numpy_helper.from_array((value - init[name]).astype(np.float32), name))
        else:
            raise KeyError(f"{name} is in neither the checkpoint's graph nor the base graph")
    graph = helper.make_graph([], "parapet-encoder-patch", [], [], initializer=tensors)
    model = helper.make_model(graph, producer_name="parapet export.py")
    return model, clipped, moved, total


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--base", required=True, help="the stock int8 encoder graph")
    ap.add_argument("--fp32", help="the fp32 graph finetune.py rebuilt the encoder from, if not --base")
    ap.add_argument("--out", required=True, help="the gzipped patch to write")
    args = ap.parse_args()
    model, clipped, moved, total = patch(args.base, fine_tuned(args.checkpoint, args.fp32 or args.base))
    data = model.SerializeToString()
    with open(args.out, "wb") as f:
        # mtime 0: the same checkpoint always gives the same bytes.
        with gzip.GzipFile(fileobj=f, mode="wb", mtime=0, filename="") as z:
            z.write(data)
    print(f"{len(model.graph.initializer)} tensors; {moved}/{total} quantised values moved "
          f"({moved / total:.1%}), {clipped} clipped to the stock range; "
          f"{len(data)} bytes, {os.path.getsize(args.out)} gzipped -> {args.out}")


if __name__ == "__main__":
    main()
