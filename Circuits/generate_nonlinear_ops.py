#!/usr/bin/env python3
"""Nonlinear-layer micro models (issue 14), written the way exporters write them, with onnxruntime's outputs.

    python3 Circuits/generate_nonlinear_ops.py        # needs numpy, onnx, onnxruntime (Circuits/requirements.txt)

Writes Circuits/nonlinear_ops/<name>.onnx and <name>.json ({"inputs": samples, "outputs": onnxruntime's outputs,
"input_shape", "output_shape"}). Each model is Gemm → nonlinear layer(s) → Gemm (or a small attention/normalization
block), so the nonlinear op sees calibrated, realistic pre-activations. Covers every activation op, both GELU export
patterns, SiLU as x·Sigmoid(x), Softmax on the last and on an inner axis, LayerNormalization (opset 17) and its
decomposed export, Instance/GroupNormalization, ReduceMax/ReduceMin, Div by an activation, exact Sqrt and Reciprocal.
Deterministic (fixed seeds); nothing is downloaded. NonlinearOpTests.swift
checks zkinfer's float graph against these outputs and its circuit against its integer interpreter.
"""

import json
import os

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "nonlinear_ops")
N_SAMPLES = 8
D_IN, D_HID, D_OUT = 12, 16, 6


def f32(name, arr):
    return numpy_helper.from_array(np.asarray(arr, dtype=np.float32), name)


def i64(name, arr):
    return numpy_helper.from_array(np.asarray(arr, dtype=np.int64), name)


def make(name, body, inits, opset=13, in_shape=None, out_shape=None, rng=None):
    """input [N, D_IN] → Gemm (fc1) → body(h) → Gemm (fc2) → output."""
    in_shape = in_shape or ["N", D_IN]
    nodes = [helper.make_node("Gemm", ["input", "fc1.weight", "fc1.bias"], ["h"], name="/fc1/Gemm", transB=1)]
    nodes += body
    nodes.append(helper.make_node("Gemm", ["a", "fc2.weight", "fc2.bias"], ["output"], name="/fc2/Gemm", transB=1))
    inits = inits + [f32("fc1.weight", rng.uniform(-0.9, 0.9, (D_HID, D_IN))), f32("fc1.bias", rng.uniform(-0.5, 0.5, D_HID)),
                     f32("fc2.weight", rng.uniform(-0.6, 0.6, (D_OUT, D_HID))), f32("fc2.bias", rng.uniform(-0.2, 0.2, D_OUT))]
    inp = helper.make_tensor_value_info("input", TensorProto.FLOAT, in_shape)
    out = helper.make_tensor_value_info("output", TensorProto.FLOAT, out_shape or ["N", D_OUT])
    g = helper.make_graph(nodes, name, [inp], [out], initializer=inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)], producer_name="zkinfer generate_nonlinear_ops.py")
    m.ir_version = 8 if opset < 20 else (9 if opset < 21 else 10)
    onnx.checker.check_model(m, full_check=True)
    return m


def act(op, **attrs):
    def build(rng):
        return [helper.make_node(op, ["h"], ["a"], name=f"/{op}", **attrs)], []
    return build


def prelu(rng):
    return [helper.make_node("PRelu", ["h", "slope"], ["a"], name="/PRelu")], [f32("slope", rng.uniform(0.05, 0.4, D_HID))]


def gelu_erf_pattern(rng):
    """PyTorch's nn.GELU() at opset < 20: x · 0.5 · (1 + Erf(x / √2)) (Div, Erf, Add, Mul, Mul)."""
    return [
        helper.make_node("Div", ["h", "sqrt2"], ["d"], name="/act/Div"),
        helper.make_node("Erf", ["d"], ["e"], name="/act/Erf"),
        helper.make_node("Add", ["e", "one"], ["p"], name="/act/Add"),
        helper.make_node("Mul", ["h", "p"], ["m"], name="/act/Mul"),
        helper.make_node("Mul", ["m", "half"], ["a"], name="/act/Mul_1"),
    ], [f32("sqrt2", np.float32(np.sqrt(2.0))), f32("one", np.float32(1.0)), f32("half", np.float32(0.5))]


def gelu_tanh_pattern(rng):
    """GELU(approximate='tanh') at opset < 20: 0.5·x·(1 + Tanh(√(2/π)·(x + 0.044715·Pow(x, 3))))."""
    return [
        helper.make_node("Pow", ["h", "three"], ["c"], name="/act/Pow"),
        helper.make_node("Mul", ["c", "k"], ["kc"], name="/act/Mul"),
        helper.make_node("Add", ["h", "kc"], ["s"], name="/act/Add"),
        helper.make_node("Mul", ["s", "r"], ["rs"], name="/act/Mul_1"),
        helper.make_node("Tanh", ["rs"], ["t"], name="/act/Tanh"),
        helper.make_node("Add", ["t", "one"], ["p"], name="/act/Add_1"),
        helper.make_node("Mul", ["h", "half"], ["hh"], name="/act/Mul_2"),
        helper.make_node("Mul", ["hh", "p"], ["a"], name="/act/Mul_3"),
    ], [f32("three", np.float32(3.0)), f32("k", np.float32(0.044715)), f32("r", np.float32(np.sqrt(2 / np.pi))),
        f32("one", np.float32(1.0)), f32("half", np.float32(0.5))]


def silu_pattern(rng):
    """nn.SiLU() as exported: Sigmoid then Mul by its input."""
    return [helper.make_node("Sigmoid", ["h"], ["s"], name="/act/Sigmoid"), helper.make_node("Mul", ["h", "s"], ["a"], name="/act/Mul")], []


def softmax_rows(rng):
    """Softmax over the last axis of a [1, 4, 4] view of the hidden layer, in the middle of the graph."""
    return [
        helper.make_node("Reshape", ["h", "shape3"], ["h3"], name="/Reshape"),
        helper.make_node("Softmax", ["h3"], ["s3"], name="/Softmax", axis=-1),
        helper.make_node("Reshape", ["s3", "shape2"], ["a"], name="/Reshape_1"),
    ], [i64("shape3", [1, 4, 4]), i64("shape2", [1, D_HID])]


def softmax_inner_axis(rng):
    """Softmax over axis 1 of a [1, 4, 4] view (not the last axis)."""
    return [
        helper.make_node("Reshape", ["h", "shape3"], ["h3"], name="/Reshape"),
        helper.make_node("Softmax", ["h3"], ["s3"], name="/Softmax", axis=1),
        helper.make_node("Reshape", ["s3", "shape2"], ["a"], name="/Reshape_1"),
    ], [i64("shape3", [1, 4, 4]), i64("shape2", [1, D_HID])]


def layernorm17(rng):
    return [helper.make_node("LayerNormalization", ["h", "ln.weight", "ln.bias"], ["a"], name="/ln/LayerNormalization", axis=-1, epsilon=1e-5)], \
        [f32("ln.weight", rng.uniform(0.5, 1.5, D_HID)), f32("ln.bias", rng.uniform(-0.3, 0.3, D_HID))]


def layernorm_decomposed(rng):
    """nn.LayerNorm exported below opset 17: ReduceMean, Sub, Pow 2, ReduceMean, Add ε, Sqrt, Div, Mul, Add."""
    return [
        helper.make_node("ReduceMean", ["h"], ["mu"], name="/ln/ReduceMean", axes=[-1]),
        helper.make_node("Sub", ["h", "mu"], ["d"], name="/ln/Sub"),
        helper.make_node("Pow", ["d", "two"], ["d2"], name="/ln/Pow"),
        helper.make_node("ReduceMean", ["d2"], ["var"], name="/ln/ReduceMean_1", axes=[-1]),
        helper.make_node("Add", ["var", "eps"], ["ve"], name="/ln/Add"),
        helper.make_node("Sqrt", ["ve"], ["sd"], name="/ln/Sqrt"),
        helper.make_node("Div", ["d", "sd"], ["n"], name="/ln/Div"),
        helper.make_node("Mul", ["n", "ln.weight"], ["g"], name="/ln/Mul"),
        helper.make_node("Add", ["g", "ln.bias"], ["a"], name="/ln/Add_1"),
    ], [f32("two", np.float32(2.0)), f32("eps", np.float32(1e-5)), f32("ln.weight", rng.uniform(0.5, 1.5, D_HID)),
        f32("ln.bias", rng.uniform(-0.3, 0.3, D_HID))]


def div_by_activation(rng):
    """h / (1 + Sigmoid(h)·h²): a Div whose divisor is computed (a reciprocal table of an activation)."""
    return [
        helper.make_node("Sigmoid", ["h"], ["s"], name="/Sigmoid"),
        helper.make_node("Mul", ["h", "h"], ["h2"], name="/Mul"),
        helper.make_node("Mul", ["s", "h2"], ["sh"], name="/Mul_1"),
        helper.make_node("Add", ["sh", "one"], ["den"], name="/Add"),
        helper.make_node("Div", ["h", "den"], ["a"], name="/Div"),
    ], [f32("one", np.float32(1.0))]


def rms_scale(rng):
    """h · Sqrt(ReduceMean(h·h) + 1): an exact square root of a computed mean."""
    return [
        helper.make_node("Mul", ["h", "h"], ["h2"], name="/Mul"),
        helper.make_node("ReduceMean", ["h2"], ["ms"], name="/ReduceMean", axes=[-1]),
        helper.make_node("Add", ["ms", "one"], ["ms1"], name="/Add"),
        helper.make_node("Sqrt", ["ms1"], ["rms"], name="/Sqrt"),
        helper.make_node("Mul", ["h", "rms"], ["a"], name="/Mul_1"),
    ], [f32("one", np.float32(1.0))]


def reciprocal_positive(rng):
    """h · Reciprocal(Relu(h) + 1): an exact reciprocal of a divisor ≥ 1."""
    return [
        helper.make_node("Relu", ["h"], ["r"], name="/Relu"),
        helper.make_node("Add", ["r", "one"], ["r1"], name="/Add"),
        helper.make_node("Reciprocal", ["r1"], ["inv"], name="/Reciprocal"),
        helper.make_node("Mul", ["h", "inv"], ["a"], name="/Mul"),
    ], [f32("one", np.float32(1.0))]


def reduce_max_min(rng):
    """ReduceMax and ReduceMin over the last axis of a [1, 4, 4] view, broadcast back and combined."""
    return [
        helper.make_node("Reshape", ["h", "shape3"], ["h3"], name="/Reshape"),
        helper.make_node("ReduceMax", ["h3"], ["mx"], name="/ReduceMax", axes=[-1], keepdims=1),
        helper.make_node("ReduceMin", ["h3"], ["mn"], name="/ReduceMin", axes=[1], keepdims=1),
        helper.make_node("Sub", ["h3", "mx"], ["d1"], name="/Sub"),
        helper.make_node("Add", ["d1", "mn"], ["d2"], name="/Add"),
        helper.make_node("Reshape", ["d2", "shape2"], ["a"], name="/Reshape_1"),
    ], [i64("shape3", [1, 4, 4]), i64("shape2", [1, D_HID])]


def instance_norm(rng):
    """InstanceNormalization of a [1, 2, 8] (N, C, L) view: per-channel statistics, scale and bias."""
    return [
        helper.make_node("Reshape", ["h", "shape2x8"], ["h3"], name="/Reshape"),
        helper.make_node("InstanceNormalization", ["h3", "in.weight", "in.bias"], ["n3"], name="/InstanceNormalization", epsilon=1e-5),
        helper.make_node("Reshape", ["n3", "shape2"], ["a"], name="/Reshape_1"),
    ], [i64("shape2x8", [1, 2, 8]), i64("shape2", [1, D_HID]), f32("in.weight", rng.uniform(0.5, 1.5, 2)), f32("in.bias", rng.uniform(-0.3, 0.3, 2))]


def group_norm(rng):
    """GroupNormalization (opset 21: scale and bias per channel) of a [1, 4, 4] (N, C, L) view with 2 groups."""
    return [
        helper.make_node("Reshape", ["h", "shape3"], ["h3"], name="/Reshape"),
        helper.make_node("GroupNormalization", ["h3", "gn.weight", "gn.bias"], ["n3"], name="/GroupNormalization", num_groups=2, epsilon=1e-5),
        helper.make_node("Reshape", ["n3", "shape2"], ["a"], name="/Reshape_1"),
    ], [i64("shape3", [1, 4, 4]), i64("shape2", [1, D_HID]), f32("gn.weight", rng.uniform(0.5, 1.5, 4)), f32("gn.bias", rng.uniform(-0.3, 0.3, 4))]


def log_softmax(rng):
    """LogSoftmax over the last axis of a [1, 4, 4] view (PyTorch classifiers end in it; here it is inside)."""
    return [
        helper.make_node("Reshape", ["h", "shape3"], ["h3"], name="/Reshape"),
        helper.make_node("LogSoftmax", ["h3"], ["s3"], name="/LogSoftmax", axis=-1),
        helper.make_node("Reshape", ["s3", "shape2"], ["a"], name="/Reshape_1"),
    ], [i64("shape3", [1, 4, 4]), i64("shape2", [1, D_HID])]


MODELS = {
    "sigmoid": (act("Sigmoid"), 13), "tanh": (act("Tanh"), 13), "exp": (act("Exp"), 13), "erf": (act("Erf"), 13),
    "gelu20": (act("Gelu"), 20), "gelu20_tanh": (act("Gelu", approximate="tanh"), 20),
    "softplus": (act("Softplus"), 13), "elu": (act("Elu", alpha=0.8), 13), "selu": (act("Selu"), 13), "celu": (act("Celu", alpha=1.5), 13),
    "hardsigmoid": (act("HardSigmoid"), 13), "hardswish": (act("HardSwish"), 14), "mish": (act("Mish"), 18), "prelu": (prelu, 13),
    "softsign": (act("Softsign"), 13),
    "gelu_erf_pattern": (gelu_erf_pattern, 13), "gelu_tanh_pattern": (gelu_tanh_pattern, 13), "silu_pattern": (silu_pattern, 13),
    "softmax_rows": (softmax_rows, 13), "softmax_inner_axis": (softmax_inner_axis, 13),
    "layernorm17": (layernorm17, 17), "layernorm_decomposed": (layernorm_decomposed, 13), "div_by_activation": (div_by_activation, 13),
    "rms_scale": (rms_scale, 13), "reciprocal_positive": (reciprocal_positive, 13),
    "reduce_max_min": (reduce_max_min, 13), "instance_norm": (instance_norm, 13), "group_norm": (group_norm, 21), "log_softmax": (log_softmax, 13),
}


def main():
    os.makedirs(ROOT, exist_ok=True)
    for k, (name, (build, opset)) in enumerate(sorted(MODELS.items())):
        rng = np.random.default_rng(1400 + k)
        body, inits = build(rng)
        m = make(name, body, inits, opset=opset, rng=rng)
        data = m.SerializeToString()
        with open(os.path.join(ROOT, name + ".onnx"), "wb") as fh:
            fh.write(data)
        sess = ort.InferenceSession(data, providers=["CPUExecutionProvider"])
        xs = rng.uniform(-1.0, 1.0, (N_SAMPLES, D_IN)).astype(np.float32)
        ys = [sess.run(None, {"input": x[None, :]})[0].reshape(-1).tolist() for x in xs]
        with open(os.path.join(ROOT, name + ".json"), "w") as fh:
            json.dump({"inputs": xs.astype(np.float64).tolist(), "outputs": ys, "input_shape": [1, D_IN], "output_shape": [1, D_OUT], "output_dtype": "float32"}, fh)
    print(f"wrote {len(MODELS)} models to {ROOT}")


if __name__ == "__main__":
    main()
