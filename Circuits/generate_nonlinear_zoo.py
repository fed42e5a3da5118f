#!/usr/bin/env python3
"""Nonlinear model zoo (issue 14), on scikit-learn's bundled digits, written the way exporters write them.

    python3 Circuits/generate_nonlinear_zoo.py   # numpy, scipy, scikit-learn, skl2onnx, onnx, onnxruntime (Circuits/requirements.txt)

Writes Circuits/zoo/<name>/ with the files of the other zoo models (model.onnx, calibration.json, input.json,
test_inputs.json, test_split.json, expected.json; expected.json's float outputs are onnxruntime's, after any final
Softmax). Fixed seeds; nothing is downloaded.

- digits_mlp_tanh, digits_mlp_sigmoid: scikit-learn MLPClassifier(activation="tanh" / "logistic") converted by skl2onnx
  (zipmap off; the probabilities output kept: Cast, MatMul, Add, Tanh/Sigmoid, MatMul, Add, Softmax, Identity).
- digits_mlp_gelu, digits_mlp_gelu_tanh: one GELU MLP (trained here with numpy, full-batch Adam) written in PyTorch's
  two export forms: x·0.5·(1 + Erf(x/√2)) and the tanh approximation with Pow(x, 3).
- digits_attention: single-head self-attention over the 8 rows of the image (width 16): row embedding plus positions, Q/K/V,
  Softmax(QKᵀ/4), AV, residual, LayerNormalization, mean pooling (ReduceMean), linear head.
- digits_transformer: a transformer encoder block as PyTorch exports multi-head attention: 4-D Reshape/Transpose into
  2 heads, batched MatMul of activations, inner Softmax, residuals, two LayerNorms (the opset-17 op and the decomposed
  export), an FFN with GELU, ReduceMean pooling plus a Slice of the first token, linear head.
The attention models' feature layers have fixed random weights (as in generate_zoo.py) and their heads are fitted by
logistic regression on onnxruntime's features of the training split.
"""

import os

import numpy as np
import onnx
from onnx import helper
from scipy.special import erf
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier

# The helpers (and the single-threaded BLAS setting) of the first zoo's generator.
from generate_zoo import N_CALIBRATION, N_TEST_INPUTS, ROOT, dump, f32, i64, number, run
from generate_zoo import make as zoo_make


def make(name, nodes, inits, in_shape, out_name, out_shape, opset=13):
    return zoo_make(name, nodes, inits, in_shape, out_name, out_shape, opset, producer="zkinfer generate_nonlinear_zoo.py")


def sklearn_mlp(activation, Xtr, ytr):
    from skl2onnx import convert_sklearn
    from skl2onnx.common.data_types import FloatTensorType
    clf = MLPClassifier(hidden_layer_sizes=(32,), activation=activation, max_iter=600, random_state=0).fit(Xtr, ytr)
    full = convert_sklearn(clf, initial_types=[("input", FloatTensorType([None, 64]))], options={id(clf): {"zipmap": False}}, target_opset=13)
    path = os.path.join(ROOT, "_full.onnx")
    onnx.save(full, path)
    onnx.utils.extract_model(path, path, ["input"], ["probabilities"])  # the probabilities output (multiple outputs: issue 15)
    m = onnx.load(path)
    os.remove(path)
    m.graph.name = "digits_mlp_" + ("tanh" if activation == "tanh" else "sigmoid")  # extract_model names it with a random id
    return m


def gelu(x):
    return 0.5 * x * (1 + erf(x / np.sqrt(2)))


def train_gelu_mlp(Xtr, ytr, hidden=32, epochs=400, seed=7):
    rng = np.random.default_rng(seed)
    W1 = rng.standard_normal((64, hidden)) * np.sqrt(2 / 64)
    b1 = np.zeros(hidden)
    W2 = rng.standard_normal((hidden, 10)) * np.sqrt(1 / hidden)
    b2 = np.zeros(10)
    params = [W1, b1, W2, b2]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    Y = np.eye(10)[ytr]
    for t in range(1, epochs + 1):
        z = Xtr @ W1 + b1
        h = gelu(z)
        o = h @ W2 + b2
        p = np.exp(o - o.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        g_o = (p - Y) / len(Xtr)
        g_W2, g_b2 = h.T @ g_o, g_o.sum(0)
        g_h = g_o @ W2.T
        dg = 0.5 * (1 + erf(z / np.sqrt(2))) + z * np.exp(-z * z / 2) / np.sqrt(2 * np.pi)
        g_z = g_h * dg
        g_W1, g_b1 = Xtr.T @ g_z, g_z.sum(0)
        for i, g in enumerate([g_W1, g_b1, g_W2, g_b2]):
            m[i] = 0.9 * m[i] + 0.1 * g
            v[i] = 0.999 * v[i] + 0.001 * g * g
            params[i] -= 0.01 * (m[i] / (1 - 0.9 ** t)) / (np.sqrt(v[i] / (1 - 0.999 ** t)) + 1e-8)
    return params


def gelu_mlp(params, form):
    W1, b1, W2, b2 = params
    nodes = [helper.make_node("MatMul", ["input", "fc1.weight"], ["m1"], name="/fc1/MatMul"),
             helper.make_node("Add", ["m1", "fc1.bias"], ["h"], name="/fc1/Add")]
    inits = [f32("fc1.weight", W1), f32("fc1.bias", b1), f32("fc2.weight", W2), f32("fc2.bias", b2)]
    if form == "erf":
        nodes += [helper.make_node("Div", ["h", "sqrt2"], ["d"], name="/act/Div"),
                  helper.make_node("Erf", ["d"], ["e"], name="/act/Erf"),
                  helper.make_node("Add", ["e", "one"], ["p"], name="/act/Add"),
                  helper.make_node("Mul", ["h", "p"], ["hp"], name="/act/Mul"),
                  helper.make_node("Mul", ["hp", "half"], ["a"], name="/act/Mul_1")]
        inits += [f32("sqrt2", np.float32(np.sqrt(2))), f32("one", np.float32(1)), f32("half", np.float32(0.5))]
    else:
        nodes += [helper.make_node("Pow", ["h", "three"], ["c"], name="/act/Pow"),
                  helper.make_node("Mul", ["c", "k"], ["kc"], name="/act/Mul"),
                  helper.make_node("Add", ["h", "kc"], ["s"], name="/act/Add"),
                  helper.make_node("Mul", ["s", "r"], ["rs"], name="/act/Mul_1"),
                  helper.make_node("Tanh", ["rs"], ["t"], name="/act/Tanh"),
                  helper.make_node("Add", ["t", "one"], ["p"], name="/act/Add_1"),
                  helper.make_node("Mul", ["h", "half"], ["hh"], name="/act/Mul_2"),
                  helper.make_node("Mul", ["hh", "p"], ["a"], name="/act/Mul_3")]
        inits += [f32("three", np.float32(3)), f32("k", np.float32(0.044715)), f32("r", np.float32(np.sqrt(2 / np.pi))),
                  f32("one", np.float32(1)), f32("half", np.float32(0.5))]
    nodes += [helper.make_node("MatMul", ["a", "fc2.weight"], ["m2"], name="/fc2/MatMul"),
              helper.make_node("Add", ["m2", "fc2.bias"], ["output"], name="/fc2/Add")]
    return make("digits_mlp_gelu" + ("" if form == "erf" else "_tanh"), nodes, inits, ["batch", 64], "output", ["batch", 10])


def rand(rng, *shape, fan_in):
    return (rng.standard_normal(shape) / np.sqrt(fan_in)).astype(np.float32)


def attention_features(rng):
    """[1, 8, 8] rows → [1, 16] features."""
    d = 16
    inits = [f32("embed.weight", rand(rng, 8, d, fan_in=8) * 2), f32("pos", rng.uniform(-1, 1, (8, d))),
             f32("q.weight", rand(rng, d, d, fan_in=d)), f32("k.weight", rand(rng, d, d, fan_in=d)), f32("v.weight", rand(rng, d, d, fan_in=d)),
             f32("scale", np.float32(4.0)), f32("ln.weight", rng.uniform(0.8, 1.2, d)), f32("ln.bias", rng.uniform(-0.1, 0.1, d))]
    nodes = [
        helper.make_node("MatMul", ["input", "embed.weight"], ["e0"], name="/embed/MatMul"),
        helper.make_node("Add", ["e0", "pos"], ["x"], name="/pos/Add"),
        helper.make_node("MatMul", ["x", "q.weight"], ["q"], name="/q/MatMul"),
        helper.make_node("MatMul", ["x", "k.weight"], ["k"], name="/k/MatMul"),
        helper.make_node("MatMul", ["x", "v.weight"], ["v"], name="/v/MatMul"),
        helper.make_node("Transpose", ["k"], ["kt"], name="/Transpose", perm=[0, 2, 1]),
        helper.make_node("MatMul", ["q", "kt"], ["s0"], name="/MatMul"),
        helper.make_node("Div", ["s0", "scale"], ["s"], name="/Div"),
        helper.make_node("Softmax", ["s"], ["att"], name="/Softmax", axis=-1),
        helper.make_node("MatMul", ["att", "v"], ["ctx"], name="/MatMul_1"),
        helper.make_node("Add", ["x", "ctx"], ["res"], name="/Add"),
        helper.make_node("LayerNormalization", ["res", "ln.weight", "ln.bias"], ["ln"], name="/ln/LayerNormalization", axis=-1, epsilon=1e-5),
        helper.make_node("ReduceMean", ["ln"], ["features"], name="/ReduceMean", axes=[1], keepdims=0),
    ]
    return nodes, inits, [1, 8, 8], "features", d, 17


def transformer_features(rng):
    """A transformer encoder block as PyTorch exports nn.MultiheadAttention + FFN: [1, 8, 8] → [1, 16]."""
    d, heads, hd, ff = 16, 2, 8, 32
    inits = [f32("embed.weight", rand(rng, 8, d, fan_in=8) * 2), f32("pos", rng.uniform(-1, 1, (8, d))),
             f32("attn.in_proj_weight_q", rand(rng, d, d, fan_in=d)), f32("attn.in_proj_bias_q", rng.uniform(-0.1, 0.1, d)),
             f32("attn.in_proj_weight_k", rand(rng, d, d, fan_in=d)), f32("attn.in_proj_bias_k", rng.uniform(-0.1, 0.1, d)),
             f32("attn.in_proj_weight_v", rand(rng, d, d, fan_in=d)), f32("attn.in_proj_bias_v", rng.uniform(-0.1, 0.1, d)),
             f32("attn.out_proj.weight", rand(rng, d, d, fan_in=d)), f32("attn.out_proj.bias", rng.uniform(-0.1, 0.1, d)),
             i64("heads_shape", [1, 8, heads, hd]), i64("merge_shape", [1, 8, d]), f32("sqrt_hd", np.float32(np.sqrt(hd))),
             f32("norm1.weight", rng.uniform(0.8, 1.2, d)), f32("norm1.bias", rng.uniform(-0.1, 0.1, d)),
             f32("ffn.0.weight", rand(rng, d, ff, fan_in=d)), f32("ffn.0.bias", rng.uniform(-0.1, 0.1, ff)),
             f32("ffn.2.weight", rand(rng, ff, d, fan_in=ff)), f32("ffn.2.bias", rng.uniform(-0.1, 0.1, d)),
             f32("sqrt2", np.float32(np.sqrt(2))), f32("one", np.float32(1)), f32("half", np.float32(0.5)),
             f32("two", np.float32(2)), f32("eps", np.float32(1e-5)),
             f32("norm2.weight", rng.uniform(0.8, 1.2, d)), f32("norm2.bias", rng.uniform(-0.1, 0.1, d)),
             i64("st", [0]), i64("en", [1]), i64("ax", [1])]
    n = helper.make_node
    nodes = [
        n("MatMul", ["input", "embed.weight"], ["e0"], name="/embed/MatMul"),
        n("Add", ["e0", "pos"], ["x"], name="/pos/Add"),
    ]
    for p in "qkv":
        nodes += [n("MatMul", ["x", f"attn.in_proj_weight_{p}"], [f"{p}0"], name=f"/attn/{p}/MatMul"),
                  n("Add", [f"{p}0", f"attn.in_proj_bias_{p}"], [f"{p}1"], name=f"/attn/{p}/Add"),
                  n("Reshape", [f"{p}1", "heads_shape"], [f"{p}2"], name=f"/attn/{p}/Reshape")]
    nodes += [
        n("Transpose", ["q2"], ["qh"], name="/attn/Transpose", perm=[0, 2, 1, 3]),
        n("Transpose", ["k2"], ["kh"], name="/attn/Transpose_1", perm=[0, 2, 3, 1]),
        n("Transpose", ["v2"], ["vh"], name="/attn/Transpose_2", perm=[0, 2, 1, 3]),
        n("MatMul", ["qh", "kh"], ["sc0"], name="/attn/MatMul"),
        n("Div", ["sc0", "sqrt_hd"], ["sc"], name="/attn/Div"),
        n("Softmax", ["sc"], ["att"], name="/attn/Softmax", axis=-1),
        n("MatMul", ["att", "vh"], ["ctxh"], name="/attn/MatMul_1"),
        n("Transpose", ["ctxh"], ["ctxt"], name="/attn/Transpose_3", perm=[0, 2, 1, 3]),
        n("Reshape", ["ctxt", "merge_shape"], ["ctx"], name="/attn/Reshape_3"),
        n("MatMul", ["ctx", "attn.out_proj.weight"], ["o0"], name="/attn/out_proj/MatMul"),
        n("Add", ["o0", "attn.out_proj.bias"], ["o"], name="/attn/out_proj/Add"),
        n("Add", ["x", "o"], ["r1"], name="/Add"),
        n("LayerNormalization", ["r1", "norm1.weight", "norm1.bias"], ["h1"], name="/norm1/LayerNormalization", axis=-1, epsilon=1e-5),
        n("MatMul", ["h1", "ffn.0.weight"], ["f0"], name="/ffn/0/MatMul"),
        n("Add", ["f0", "ffn.0.bias"], ["f1"], name="/ffn/0/Add"),
        n("Div", ["f1", "sqrt2"], ["g0"], name="/ffn/1/Div"),
        n("Erf", ["g0"], ["g1"], name="/ffn/1/Erf"),
        n("Add", ["g1", "one"], ["g2"], name="/ffn/1/Add"),
        n("Mul", ["f1", "g2"], ["g3"], name="/ffn/1/Mul"),
        n("Mul", ["g3", "half"], ["g"], name="/ffn/1/Mul_1"),
        n("MatMul", ["g", "ffn.2.weight"], ["f2"], name="/ffn/2/MatMul"),
        n("Add", ["f2", "ffn.2.bias"], ["f3"], name="/ffn/2/Add"),
        n("Add", ["h1", "f3"], ["r2"], name="/Add_1"),
        # norm2 as the decomposed export (ReduceMean, Sub, Pow, ReduceMean, Add, Sqrt, Div, Mul, Add)
        n("ReduceMean", ["r2"], ["mu"], name="/norm2/ReduceMean", axes=[-1]),
        n("Sub", ["r2", "mu"], ["dv"], name="/norm2/Sub"),
        n("Pow", ["dv", "two"], ["dv2"], name="/norm2/Pow"),
        n("ReduceMean", ["dv2"], ["var"], name="/norm2/ReduceMean_1", axes=[-1]),
        n("Add", ["var", "eps"], ["ve"], name="/norm2/Add"),
        n("Sqrt", ["ve"], ["sd"], name="/norm2/Sqrt"),
        n("Div", ["dv", "sd"], ["nz"], name="/norm2/Div"),
        n("Mul", ["nz", "norm2.weight"], ["nw"], name="/norm2/Mul"),
        n("Add", ["nw", "norm2.bias"], ["h2"], name="/norm2/Add_1"),
        n("ReduceMean", ["h2"], ["pooled"], name="/ReduceMean", axes=[1], keepdims=0),
        n("Slice", ["h2", "st", "en", "ax"], ["first3"], name="/Slice"),
        n("Squeeze", ["first3", "ax"], ["first"], name="/Squeeze"),
        n("Add", ["pooled", "first"], ["features"], name="/Add_2"),
    ]
    return nodes, inits, [1, 8, 8], "features", d, 17


def write(name, model, in_shape, Xtr, Xte, yte, scale_bits=8):
    onnx.checker.check_model(model, full_check=True)
    folder = os.path.join(ROOT, name)
    os.makedirs(folder, exist_ok=True)
    onnx.save(model, os.path.join(folder, "model.onnx"))
    out = run(model, Xte, in_shape)
    preds = out.argmax(axis=1)
    acc = float((preds == yte).mean())
    test = [[number(v) for v in row] for row in Xte]
    concrete = [1 if isinstance(dim, str) else dim for dim in in_shape]
    dump(os.path.join(folder, "input.json"), {"input_data": [test[0]]})
    dump(os.path.join(folder, "calibration.json"), {"input_data": [[number(v) for row in Xtr[:N_CALIBRATION] for v in row]]})
    dump(os.path.join(folder, "test_inputs.json"), {"input_data": test[:N_TEST_INPUTS]})
    dump(os.path.join(folder, "test_split.json"), {"input_data": test})
    dump(os.path.join(folder, "expected.json"), {
        "float_accuracy": acc, "test_count": len(yte), "labels": [int(v) for v in yte], "float_predictions": [int(v) for v in preds],
        "float_outputs": [[number(v) for v in o] for o in out[:N_TEST_INPUTS]], "input_shape": concrete, "output_shape": [1, 10],
        "scale_bits": scale_bits})
    print("%-22s accuracy %.4f  ops %s" % (name, acc, sorted({n.op_type for n in model.graph.node})))


def main():
    digits = load_digits()
    X = (digits.data / 16.0).astype(np.float32)
    y = digits.target
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.2, random_state=0, stratify=y)
    for name, act in [("digits_mlp_tanh", "tanh"), ("digits_mlp_sigmoid", "logistic")]:
        write(name, sklearn_mlp(act, Xtr, ytr), ["batch", 64], Xtr, Xte, yte)
    params = train_gelu_mlp(Xtr.astype(np.float64), ytr)
    for form in ["erf", "tanh"]:
        m = gelu_mlp(params, form)
        write(m.graph.name, m, ["batch", 64], Xtr, Xte, yte)
    for i, (name, fn) in enumerate([("digits_attention", attention_features), ("digits_transformer", transformer_features)]):
        rng = np.random.default_rng(1414 + i)
        nodes, inits, in_shape, feat, dim, opset = fn(rng)
        feats = make(name + "_features", nodes, inits, in_shape, feat, None, opset)
        Ftr = run(feats, Xtr, in_shape)
        assert Ftr.shape[1] == dim, (name, Ftr.shape)
        clf = LogisticRegression(C=1.0, max_iter=4000).fit(Ftr, ytr)
        inits += [f32("head.weight", clf.coef_), f32("head.bias", clf.intercept_)]
        nodes = nodes + [helper.make_node("Gemm", [feat, "head.weight", "head.bias"], ["output"], name="/head/Gemm", transB=1)]
        # Random features give low-margin predictions: compiled with --scale-bits 12 (argmax agreement ≥ 99 %).
        write(name, make(name, nodes, inits, in_shape, "output", [1, 10], opset), in_shape, Xtr, Xte, yte, scale_bits=12)


if __name__ == "__main__":
    main()
