"""A small BERT encoder (all-MiniLM-L6-v2, e5-small-v2) in PyTorch, weights read from an ONNX graph.

`encoder_weights` reads either graph the Maven jars ship: fp32 (all-MiniLM-L6-v2) or int8
(e5-small-v2 is on Maven Central only in int8: its weights are dequantised, w = (q - zero) * scale,
exactly the values the int8 graph multiplies by).
"""
import math

import numpy as np
import onnx
import torch
from onnx import numpy_helper


def encoder_weights(path):
    """The encoder's weights by their PyTorch names, from an fp32 or a dynamically quantised graph."""
    m = onnx.load(path)
    if any(n.op_type == "MatMulInteger" for n in m.graph.node):
        return int8_weights(m)
    return onnx_weights(m)


EMBEDDING_TABLES = ("word_embeddings", "position_embeddings", "token_type_embeddings")


def quantised_stems(m):
    """Of a dynamically quantised graph: each quantised weight's PyTorch name -> its initializer
    stem (STEM_quantized, STEM_scale, STEM_zero_point), and whether it is an embedding table."""
    stems = {f"embeddings.{t}.weight": (f"embeddings.{t}.weight", True) for t in EMBEDDING_TABLES}
    for n in m.graph.node:
        if n.op_type == "MatMulInteger":
            # Dense weights are anonymous; node "/encoder/layer.0/attention/self/query/MatMul_quant"
            # names the layer that reads them.
            layer = n.name.split("/MatMul_quant")[0].strip("/").replace("/", ".")
            stems[layer + ".weight"] = (n.input[1][: -len("_quantized")], False)
    return stems


def int8_weights(m):
    """Dequantised weights of a dynamically quantised graph (MatMulInteger per dense layer)."""
    init = {i.name: numpy_helper.to_array(i) for i in m.graph.initializer}
    out = {k: v for k, v in init.items() if not k.startswith("onnx::") and not k.endswith(
        ("_quantized", "_scale", "_zero_point")) and v.dtype == np.float32}
    for name, (stem, embedding) in quantised_stems(m).items():
        w = dequantise(init[stem + "_quantized"], init[stem + "_scale"], init[stem + "_zero_point"])
        out[name] = w if embedding else w.T.copy()  # dense: torch's [out, in]
    return out


def dequantise(q, scale, zero):
    """Per-tensor, or per output column (the last axis) where the scale is a vector."""
    return ((q.astype(np.float32) - zero.astype(np.float32)) * scale).astype(np.float32)


def onnx_weights(m):
    """Weights of a loaded fp32 graph."""
    init = {i.name: numpy_helper.to_array(i) for i in m.graph.initializer}
    out = {k: v for k, v in init.items() if not k.startswith("onnx::")}
    # Weights of the dense layers are anonymous MatMul initializers; the Add after each MatMul
    # names its bias: <layer>.bias -> <layer>.weight (transposed to torch's [out, in]).
    producer = {o: n for n in m.graph.node for o in n.output}
    for n in m.graph.node:
        if n.op_type != "Add":
            continue
        bias = next((i for i in n.input if i in out and i.endswith(".bias")), None)
        other = next((i for i in n.input if i != bias), None)
        if bias is None or other not in producer or producer[other].op_type != "MatMul":
            continue
        mm = producer[other]
        w = next((i for i in mm.input if i in init), None)
        if w is not None:
            out[bias[:-5] + ".weight"] = init[w].T.copy()
    return out


# Layer attributes -> their names in the ONNX graphs (encoder.layer.N.NAME.weight / .bias).
MODULES = {"q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
           "o": "attention.output.dense", "ln1": "attention.output.LayerNorm", "i": "intermediate.dense",
           "out": "output.dense", "ln2": "output.LayerNorm"}
# MiniLM attributes -> embedding tables.
EMBEDDINGS = {"word": "word_embeddings", "pos": "position_embeddings", "typ": "token_type_embeddings"}


class Layer(torch.nn.Module):
    def __init__(self, h, heads, inter):
        super().__init__()
        self.heads = heads
        self.q, self.k, self.v = (torch.nn.Linear(h, h) for _ in range(3))
        self.o = torch.nn.Linear(h, h)
        self.ln1 = torch.nn.LayerNorm(h, eps=1e-12)
        self.i = torch.nn.Linear(h, inter)
        self.out = torch.nn.Linear(inter, h)
        self.ln2 = torch.nn.LayerNorm(h, eps=1e-12)

    def forward(self, x, bias):
        b, t, h = x.shape
        d = h // self.heads
        split = lambda y: y.view(b, t, self.heads, d).transpose(1, 2)
        q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
        att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d) + bias, dim=-1)
        ctx = (att @ v).transpose(1, 2).reshape(b, t, h)
        x = self.ln1(x + self.o(ctx))
        return self.ln2(x + self.out(torch.nn.functional.gelu(self.i(x))))


class MiniLM(torch.nn.Module):
    def __init__(self, w, heads=12):
        super().__init__()
        vocab, h = w["embeddings.word_embeddings.weight"].shape
        layers = 1 + max(int(k.split(".")[2]) for k in w if k.startswith("encoder.layer."))
        inter = w["encoder.layer.0.intermediate.dense.weight"].shape[0]
        self.word = torch.nn.Embedding(vocab, h)
        self.pos = torch.nn.Embedding(w["embeddings.position_embeddings.weight"].shape[0], h)
        self.typ = torch.nn.Embedding(w["embeddings.token_type_embeddings.weight"].shape[0], h)
        self.ln = torch.nn.LayerNorm(h, eps=1e-12)
        self.layers = torch.nn.ModuleList(Layer(h, heads, inter) for _ in range(layers))
        t = lambda a: torch.nn.Parameter(torch.from_numpy(np.array(a, dtype=np.float32)).float())
        self.word.weight, self.pos.weight = t(w["embeddings.word_embeddings.weight"]), t(w["embeddings.position_embeddings.weight"])
        self.typ.weight = t(w["embeddings.token_type_embeddings.weight"])
        self.ln.weight, self.ln.bias = t(w["embeddings.LayerNorm.weight"]), t(w["embeddings.LayerNorm.bias"])
        for n, layer in enumerate(self.layers):
            for attr, name in MODULES.items():
                mod = getattr(layer, attr)
                mod.weight = t(w[f"encoder.layer.{n}.{name}.weight"])
                mod.bias = t(w[f"encoder.layer.{n}.{name}.bias"])

    def forward(self, ids, mask):
        pos = torch.arange(ids.shape[1]).unsqueeze(0)
        x = self.ln(self.word(ids) + self.pos(pos) + self.typ(torch.zeros_like(ids)))
        bias = (1.0 - mask[:, None, None, :].float()) * -1e4
        for layer in self.layers:
            x = layer(x, bias)
        return x

    def embed(self, ids, mask):
        """Mean pooling over real tokens, L2-normalised: the features the shipped heads read."""
        x = self.forward(ids, mask)
        m = mask.unsqueeze(-1).float()
        pooled = (x * m).sum(1) / m.sum(1).clamp(min=1e-9)
        return torch.nn.functional.normalize(pooled, dim=-1)


class OnGrid(torch.nn.Module):
    """A weight rounded to an int8 graph's grid in the forward pass, ((clip(round(w / s) + z) - z) * s),
    with the gradient passed straight through to the unrounded weight (quantisation-aware training)."""

    def __init__(self, scale, zero, low, high):
        super().__init__()
        self.register_buffer("scale", torch.from_numpy(np.array(scale, dtype=np.float32)))
        self.register_buffer("zero", torch.tensor(float(zero)))
        self.low, self.high = float(low), float(high)

    def forward(self, w):
        q = torch.clamp(torch.round(w / self.scale) + self.zero, self.low, self.high)
        return w + ((q - self.zero) * self.scale - w).detach()


def quantisation_aware(model, graph_path):
    """Rounds every quantised weight of `model` to the int8 graph's own grid (its scales and zero
    points, dense weights int8 in [-64, 64], embedding tables uint8) in the forward pass, so that
    fine-tuning optimises the model export.py writes. Returns the number of weights put on the grid."""
    from torch.nn.utils import parametrize
    m = onnx.load(graph_path)
    if not any(n.op_type == "MatMulInteger" for n in m.graph.node):
        raise ValueError(f"{graph_path} is not a dynamically quantised (int8) graph: no grid to train on")
    init = {i.name: numpy_helper.to_array(i) for i in m.graph.initializer}
    stems = quantised_stems(m)
    modules = {f"embeddings.{name}.weight": getattr(model, attr) for attr, name in EMBEDDINGS.items()}
    for n, layer in enumerate(model.layers):
        modules.update({f"encoder.layer.{n}.{name}.weight": getattr(layer, attr) for attr, name in MODULES.items()})
    for name, (stem, embedding) in stems.items():
        scale, zero = init[stem + "_scale"], init[stem + "_zero_point"]
        if not embedding:
            scale = scale.reshape(-1, 1) if scale.ndim else scale  # per output column: torch's rows
            if np.any(zero != 0):
                raise ValueError(f"{name}: dense weights with a zero point other than 0 are not supported")
            zero = 0
        parametrize.register_parametrization(
            modules[name], "weight", OnGrid(scale, zero, *((0, 255) if embedding else (-64, 64))))
    return len(stems)


def plain_state(model):
    """`model`'s state dict with every weight on the grid saved as its rounded value, under its
    plain name (what export.py and a model without quantisation_aware load)."""
    state = {}
    for key, value in model.state_dict().items():
        if ".parametrizations.weight.original" in key:
            path = key.replace(".parametrizations.weight.original", "")
            state[path + ".weight"] = model.get_submodule(path).weight.detach().clone()
        elif ".parametrizations." not in key:
            state[key] = value
    return state
