#!/usr/bin/env python3
"""Front-end micro models written the way exporters write them (issue 13), with onnxruntime's outputs.

    python3 Circuits/generate_frontend_ops.py        # needs numpy, onnx, onnxruntime (Circuits/requirements.txt)

Writes Circuits/frontend_ops/<name>.onnx and <name>.json ({"inputs": 5 samples, "outputs": onnxruntime's outputs,
"input_shape", "output_shape"}). The graphs use what PyTorch's and other exporters emit: a symbolic batch axis,
the Shape → Gather → Unsqueeze → Concat → Reshape flatten, Conv without `strides`, Dropout, Cast, Concat of branches,
batched MatMul, products of activations (attention scores), Slice/Split/Pad/Tile/Expand, Resize nearest, opset-18
ReduceMean with its axes as an input. Deterministic (fixed seeds); nothing is downloaded. FrontEndOpTests.swift
checks zkinfer's float graph against these outputs and its circuit against its integer interpreter.
"""

import json
import os

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "frontend_ops")
N_SAMPLES = 5


def f32(name, arr):
    return numpy_helper.from_array(np.asarray(arr, dtype=np.float32), name)


def i64(name, arr):
    return numpy_helper.from_array(np.asarray(arr, dtype=np.int64), name)


def w(rng, *shape, scale=1.0):
    return (rng.uniform(-1.0, 1.0, size=shape) * scale).astype(np.float32)


def model(name, nodes, inits, in_shape, out_shape, opset=13, doc=""):
    inp = helper.make_tensor_value_info("input", TensorProto.INT64 if name == "embedding_tokens" else TensorProto.FLOAT, in_shape)
    out = helper.make_tensor_value_info("output", TensorProto.FLOAT, out_shape)
    g = helper.make_graph(nodes, name, [inp], [out], initializer=inits, doc_string=doc)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)], producer_name="zkinfer generate_frontend_ops.py")
    m.ir_version = 8
    onnx.checker.check_model(m, full_check=True)
    return m


def pytorch_flatten_cnn(rng):
    """x.view(x.size(0), -1) after Conv (no strides attribute) → Relu → MaxPool, dynamic batch axis."""
    nodes = [
        helper.make_node("Conv", ["input", "conv.weight", "conv.bias"], ["c"], name="/conv/Conv", kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c"], ["r"], name="/Relu"),
        helper.make_node("MaxPool", ["r"], ["p"], name="/MaxPool", kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Shape", ["p"], ["shape"], name="/Shape"),
        helper.make_node("Constant", [], ["zero"], name="/Constant", value=helper.make_tensor("v0", TensorProto.INT64, [], [0])),
        helper.make_node("Gather", ["shape", "zero"], ["batch"], name="/Gather", axis=0),
        helper.make_node("Constant", [], ["axes0"], name="/Constant_1", value=helper.make_tensor("v1", TensorProto.INT64, [1], [0])),
        helper.make_node("Unsqueeze", ["batch", "axes0"], ["batch1"], name="/Unsqueeze"),
        helper.make_node("Constant", [], ["minus1"], name="/Constant_2", value=helper.make_tensor("v2", TensorProto.INT64, [1], [-1])),
        helper.make_node("Concat", ["batch1", "minus1"], ["target"], name="/Concat", axis=0),
        helper.make_node("Reshape", ["p", "target"], ["flat"], name="/Reshape"),
        helper.make_node("Dropout", ["flat"], ["d"], name="/dropout/Dropout"),
        helper.make_node("Gemm", ["d", "fc.weight", "fc.bias"], ["output"], name="/fc/Gemm", transB=1),
    ]
    inits = [f32("conv.weight", w(rng, 4, 1, 3, 3)), f32("conv.bias", w(rng, 4, scale=0.3)),
             f32("fc.weight", w(rng, 5, 64, scale=0.3)), f32("fc.bias", w(rng, 5, scale=0.3))]
    return nodes, inits, ["batch_size", 1, 8, 8], ["batch_size", 5], 13


def concat_branches(rng):
    """A residual block, then Concat of a global-average-pooled and a global-max-pooled branch."""
    nodes = [
        helper.make_node("Conv", ["input", "c1.weight", "c1.bias"], ["a"], name="/c1/Conv", kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[1, 1]),
        helper.make_node("Relu", ["a"], ["ar"], name="/Relu"),
        helper.make_node("Conv", ["ar", "c2.weight", "c2.bias"], ["b"], name="/c2/Conv", kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("Add", ["b", "a"], ["res"], name="/Add"),
        helper.make_node("Relu", ["res"], ["rr"], name="/Relu_1"),
        helper.make_node("GlobalAveragePool", ["rr"], ["gap"], name="/GlobalAveragePool"),
        helper.make_node("GlobalMaxPool", ["rr"], ["gmp"], name="/GlobalMaxPool"),
        helper.make_node("Concat", ["gap", "gmp"], ["cat"], name="/Concat", axis=1),
        helper.make_node("Flatten", ["cat"], ["flat"], name="/Flatten", axis=1),
        helper.make_node("Gemm", ["flat", "fc.weight", "fc.bias"], ["output"], name="/fc/Gemm", transB=1),
    ]
    inits = [f32("c1.weight", w(rng, 3, 2, 3, 3, scale=0.5)), f32("c1.bias", w(rng, 3, scale=0.2)),
             f32("c2.weight", w(rng, 3, 3, 3, 3, scale=0.3)), f32("c2.bias", w(rng, 3, scale=0.2)),
             f32("fc.weight", w(rng, 4, 6)), f32("fc.bias", w(rng, 4, scale=0.2))]
    return nodes, inits, ["N", 2, 6, 6], ["N", 4], 13


def sequence_matmul(rng):
    """Rows of a sequence through a shared MatMul (batched [1, T, K] × [K, N]), mean over time, a head."""
    nodes = [
        helper.make_node("MatMul", ["input", "W1"], ["h"], name="/l1/MatMul"),
        helper.make_node("Add", ["h", "b1"], ["hb"], name="/l1/Add"),
        helper.make_node("Relu", ["hb"], ["hr"], name="/Relu"),
        helper.make_node("ReduceMean", ["hr"], ["m"], name="/ReduceMean", axes=[1], keepdims=0),
        helper.make_node("MatMul", ["m", "W2"], ["output"], name="/head/MatMul"),
    ]
    inits = [f32("W1", w(rng, 8, 16, scale=0.5)), f32("b1", w(rng, 16, scale=0.2)), f32("W2", w(rng, 16, 4))]
    return nodes, inits, [1, 6, 8], [1, 4], 13


def attention_scores(rng):
    """Q·Kᵀ and A·V of activations (no Softmax: that is the nonlinear-layers issue), scaled by a constant."""
    d = 8
    nodes = [
        helper.make_node("MatMul", ["input", "Wq"], ["q"], name="/q/MatMul"),
        helper.make_node("MatMul", ["input", "Wk"], ["k"], name="/k/MatMul"),
        helper.make_node("MatMul", ["input", "Wv"], ["v"], name="/v/MatMul"),
        helper.make_node("Transpose", ["k"], ["kt"], name="/Transpose", perm=[0, 2, 1]),
        helper.make_node("MatMul", ["q", "kt"], ["s"], name="/MatMul"),
        helper.make_node("Div", ["s", "sqrt_d"], ["sd"], name="/Div"),
        helper.make_node("MatMul", ["sd", "v"], ["o"], name="/MatMul_1"),
        helper.make_node("Add", ["o", "input"], ["res"], name="/Add"),
        helper.make_node("Flatten", ["res"], ["flat"], name="/Flatten", axis=1),
        helper.make_node("Gemm", ["flat", "fc.weight", "fc.bias"], ["output"], name="/fc/Gemm", transB=1),
    ]
    inits = [f32("Wq", w(rng, d, d, scale=0.5)), f32("Wk", w(rng, d, d, scale=0.5)), f32("Wv", w(rng, d, d, scale=0.5)),
             f32("sqrt_d", np.array(np.sqrt(d))), f32("fc.weight", w(rng, 3, 4 * d, scale=0.3)), f32("fc.bias", w(rng, 3, scale=0.2))]
    return nodes, inits, [1, 4, d], [1, 3], 13


def rewiring_mix(rng):
    """Slice, Split, Pad (reflect and constant), Tile, Expand, Cast, Mul/Sub of activations with broadcasting."""
    nodes = [
        helper.make_node("Cast", ["input"], ["x"], name="/Cast", to=TensorProto.FLOAT),
        helper.make_node("Slice", ["x", "st", "en", "ax", "sp"], ["sl"], name="/Slice"),                 # [1, 2, 3]
        helper.make_node("Split", ["x", "split"], ["s0", "s1"], name="/Split", axis=2),                  # [1,2,2], [1,2,4]
        helper.make_node("Pad", ["s0", "pads"], ["p0"], name="/Pad", mode="reflect"),                    # [1,2,4]
        helper.make_node("Mul", ["p0", "s1"], ["prod"], name="/Mul"),                                    # [1,2,4]
        helper.make_node("Pad", ["sl", "pads2", "padv"], ["p1"], name="/Pad_1", mode="constant"),        # [1,2,4]
        helper.make_node("Sub", ["prod", "p1"], ["diff"], name="/Sub"),
        helper.make_node("Slice", ["x", "st2", "en2", "ax2"], ["row"], name="/Slice_1"),                 # [1,1,6]
        helper.make_node("Expand", ["row", "eshape"], ["rows"], name="/Expand"),                         # [1,2,6]
        helper.make_node("Tile", ["diff", "reps"], ["tiled"], name="/Tile"),                             # [1,2,8]
        helper.make_node("Slice", ["tiled", "st3", "en3", "ax3"], ["t6"], name="/Slice_2"),              # [1,2,6]
        helper.make_node("Add", ["t6", "rows"], ["sum"], name="/Add"),
        helper.make_node("Neg", ["sum"], ["neg"], name="/Neg"),
        helper.make_node("Flatten", ["neg"], ["flat"], name="/Flatten"),
        helper.make_node("Gemm", ["flat", "fc.weight", "fc.bias"], ["output"], name="/fc/Gemm", transB=1),
    ]
    inits = [i64("st", [1]), i64("en", [6]), i64("ax", [2]), i64("sp", [2]), i64("split", [2, 4]),
             i64("pads", [0, 0, 1, 0, 0, 1]), i64("pads2", [0, 0, 0, 0, 0, 1]), f32("padv", np.array(0.5)),
             i64("st2", [0]), i64("en2", [1]), i64("ax2", [1]), i64("eshape", [1, 2, 6]), i64("reps", [1, 1, 2]),
             i64("st3", [1]), i64("en3", [-1]), i64("ax3", [2]),
             f32("fc.weight", w(rng, 3, 12, scale=0.5)), f32("fc.bias", w(rng, 3, scale=0.2))]
    return nodes, inits, [1, 2, 6], [1, 3], 13


def resize_nearest(rng):
    """Conv → Resize ×2 nearest (scales input) → Conv → ReduceMean (opset 18: axes as an input) → Gemm."""
    nodes = [
        helper.make_node("Conv", ["input", "c1.weight"], ["a"], name="/c1/Conv", kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["a"], ["ar"], name="/Relu"),
        helper.make_node("Resize", ["ar", "", "scales"], ["up"], name="/Resize", mode="nearest",
                         coordinate_transformation_mode="asymmetric", nearest_mode="floor"),
        helper.make_node("Conv", ["up", "c2.weight", "c2.bias"], ["b"], name="/c2/Conv", kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1]),
        helper.make_node("ReduceMean", ["b", "axes"], ["m"], name="/ReduceMean", keepdims=0),
        helper.make_node("Gemm", ["m", "fc.weight", "fc.bias"], ["output"], name="/fc/Gemm", transB=1),
    ]
    inits = [f32("c1.weight", w(rng, 3, 1, 3, 3, scale=0.6)), f32("scales", [1, 1, 2, 2]),
             f32("c2.weight", w(rng, 4, 3, 3, 3, scale=0.4)), f32("c2.bias", w(rng, 4, scale=0.2)), i64("axes", [2, 3]),
             f32("fc.weight", w(rng, 3, 4)), f32("fc.bias", w(rng, 3, scale=0.2))]
    return nodes, inits, [1, 1, 5, 5], [1, 3], 18


def conv1d_net(rng):
    """A 1-D conv net: Conv1d (dilation 2, pads) → Relu → MaxPool1d (ceil_mode) → Conv1d stride 2 → GlobalAveragePool."""
    nodes = [
        helper.make_node("Conv", ["input", "c1.weight", "c1.bias"], ["a"], name="/c1/Conv", kernel_shape=[3], pads=[2, 2], dilations=[2]),
        helper.make_node("Relu", ["a"], ["ar"], name="/Relu"),
        helper.make_node("MaxPool", ["ar"], ["p"], name="/MaxPool", kernel_shape=[2], strides=[2], ceil_mode=1),
        helper.make_node("Conv", ["p", "c2.weight", "c2.bias"], ["b"], name="/c2/Conv", kernel_shape=[3], strides=[2], pads=[1, 0]),
        helper.make_node("GlobalAveragePool", ["b"], ["g"], name="/GlobalAveragePool"),
        helper.make_node("Flatten", ["g"], ["flat"], name="/Flatten"),
        helper.make_node("Gemm", ["flat", "fc.weight", "fc.bias"], ["output"], name="/fc/Gemm", transB=1),
    ]
    inits = [f32("c1.weight", w(rng, 4, 2, 3, scale=0.6)), f32("c1.bias", w(rng, 4, scale=0.2)),
             f32("c2.weight", w(rng, 5, 4, 3, scale=0.4)), f32("c2.bias", w(rng, 5, scale=0.2)),
             f32("fc.weight", w(rng, 3, 5)), f32("fc.bias", w(rng, 3, scale=0.2))]
    return nodes, inits, ["batch", 2, 11], ["batch", 3], 13


def depthwise_separable(rng):
    """MobileNet-style block: depthwise Conv (group = channels, dilation 2, asymmetric pads) → Relu → pointwise Conv."""
    nodes = [
        helper.make_node("Conv", ["input", "dw.weight", "dw.bias"], ["a"], name="/dw/Conv", kernel_shape=[3, 3], group=3,
                         pads=[2, 1, 2, 3], dilations=[2, 2]),
        helper.make_node("Relu", ["a"], ["ar"], name="/Relu"),
        helper.make_node("Conv", ["ar", "pw.weight", "pw.bias"], ["b"], name="/pw/Conv", kernel_shape=[1, 1]),
        helper.make_node("Relu", ["b"], ["br"], name="/Relu_1"),
        helper.make_node("AveragePool", ["br"], ["ap"], name="/AveragePool", kernel_shape=[2, 2], strides=[2, 2], ceil_mode=1),
        helper.make_node("Flatten", ["ap"], ["flat"], name="/Flatten"),
        helper.make_node("Gemm", ["flat", "fc.weight", "fc.bias"], ["output"], name="/fc/Gemm", transB=1),
    ]
    inits = [f32("dw.weight", w(rng, 3, 1, 3, 3, scale=0.6)), f32("dw.bias", w(rng, 3, scale=0.2)),
             f32("pw.weight", w(rng, 6, 3, 1, 1, scale=0.6)), f32("pw.bias", w(rng, 6, scale=0.2)),
             f32("fc.weight", w(rng, 4, 6 * 3 * 4, scale=0.3)), f32("fc.bias", w(rng, 4, scale=0.2))]
    return nodes, inits, [1, 3, 5, 7], [1, 4], 13


def max_min_abs(rng):
    """Element-wise Max and Min of two branches (one broadcast), Abs, Max with a scalar constant."""
    nodes = [
        helper.make_node("MatMul", ["input", "Wa"], ["a"], name="/a/MatMul"),
        helper.make_node("MatMul", ["input", "Wb"], ["b"], name="/b/MatMul"),
        helper.make_node("ReduceSum", ["a", "axes"], ["rs"], name="/ReduceSum", keepdims=1),
        helper.make_node("Max", ["a", "b"], ["mx"], name="/Max"),
        helper.make_node("Min", ["b", "rs"], ["mn"], name="/Min"),
        helper.make_node("Abs", ["mn"], ["ab"], name="/Abs"),
        helper.make_node("Max", ["ab", "c"], ["abc"], name="/Max_1"),
        helper.make_node("Sub", ["mx", "abc"], ["output"], name="/Sub"),
    ]
    inits = [f32("Wa", w(rng, 6, 5)), f32("Wb", w(rng, 6, 5)), i64("axes", [1]), f32("c", np.array(0.25))]
    return nodes, inits, [1, 6], [1, 5], 13


def conv_transpose(rng):
    """A decoder step: Conv → Relu → ConvTranspose (stride 2, asymmetric pads, output_padding) → ConvTranspose 1×1."""
    nodes = [
        helper.make_node("Conv", ["input", "c.weight", "c.bias"], ["a"], name="/c/Conv", kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[2, 2]),
        helper.make_node("Relu", ["a"], ["ar"], name="/Relu"),
        helper.make_node("ConvTranspose", ["ar", "up.weight", "up.bias"], ["u"], name="/up/ConvTranspose", kernel_shape=[3, 3],
                         strides=[2, 2], pads=[1, 0, 0, 1], output_padding=[1, 0]),
        helper.make_node("ConvTranspose", ["u", "pw.weight"], ["v"], name="/pw/ConvTranspose", kernel_shape=[1, 1]),
        helper.make_node("Flatten", ["v"], ["flat"], name="/Flatten"),
        helper.make_node("Gemm", ["flat", "fc.weight", "fc.bias"], ["output"], name="/fc/Gemm", transB=1),
    ]
    inits = [f32("c.weight", w(rng, 3, 2, 3, 3, scale=0.5)), f32("c.bias", w(rng, 3, scale=0.2)),
             f32("up.weight", w(rng, 3, 2, 3, 3, scale=0.5)), f32("up.bias", w(rng, 2, scale=0.2)),
             f32("pw.weight", w(rng, 2, 2, 1, 1)), f32("fc.weight", w(rng, 3, 2 * 7 * 6, scale=0.2)), f32("fc.bias", w(rng, 3, scale=0.2))]
    return nodes, inits, [1, 2, 6, 6], [1, 3], 13


def conv_transpose_1d_groups(rng):
    """1-D ConvTranspose with group = 2 and dilation 2 (symbolic batch)."""
    nodes = [
        helper.make_node("ConvTranspose", ["input", "t.weight", "t.bias"], ["a"], name="/t/ConvTranspose", kernel_shape=[3],
                         strides=[2], dilations=[2], group=2, pads=[2, 1]),
        helper.make_node("Relu", ["a"], ["ar"], name="/Relu"),
        helper.make_node("Flatten", ["ar"], ["flat"], name="/Flatten"),
        helper.make_node("Gemm", ["flat", "fc.weight", "fc.bias"], ["output"], name="/fc/Gemm", transB=1),
    ]
    inits = [f32("t.weight", w(rng, 4, 3, 3, scale=0.6)), f32("t.bias", w(rng, 6, scale=0.2)),
             f32("fc.weight", w(rng, 3, 6 * 10, scale=0.3)), f32("fc.bias", w(rng, 3, scale=0.2))]
    return nodes, inits, ["b", 4, 5], ["b", 3], 13


def embedding_tokens(rng):
    """Token ids (int64 input) → Gather from an embedding table → ReduceMean over tokens → Gemm."""
    nodes = [
        helper.make_node("Gather", ["emb.weight", "input"], ["e"], name="/emb/Gather", axis=0),
        helper.make_node("ReduceMean", ["e"], ["m"], name="/ReduceMean", axes=[1], keepdims=0),
        helper.make_node("Gemm", ["m", "fc.weight", "fc.bias"], ["output"], name="/fc/Gemm", transB=1),
    ]
    inits = [f32("emb.weight", w(rng, 10, 4)), f32("fc.weight", w(rng, 3, 4)), f32("fc.bias", w(rng, 3, scale=0.2))]
    return nodes, inits, ["batch", 6], ["batch", 3], 13


def dropout_shared(rng):
    """Gemm → Dropout whose output feeds both a bias Add and another branch: the Add must not fold into the Gemm."""
    nodes = [
        helper.make_node("Gemm", ["input", "g.weight", "g.bias"], ["g"], name="/g/Gemm", transB=1),
        helper.make_node("Dropout", ["g"], ["d"], name="/Dropout"),
        helper.make_node("Add", ["d", "extra"], ["a"], name="/Add"),
        helper.make_node("Relu", ["d"], ["r"], name="/Relu"),
        helper.make_node("Concat", ["a", "r"], ["cat"], name="/Concat", axis=1),
        helper.make_node("Gemm", ["cat", "fc.weight", "fc.bias"], ["output"], name="/fc/Gemm", transB=1),
    ]
    inits = [f32("g.weight", w(rng, 4, 6)), f32("g.bias", w(rng, 4, scale=0.3)), f32("extra", w(rng, 4) + 1.0),
             f32("fc.weight", w(rng, 3, 8)), f32("fc.bias", w(rng, 3, scale=0.2))]
    return nodes, inits, [1, 6], [1, 3], 13


MODELS = [("pytorch_flatten_cnn", pytorch_flatten_cnn), ("concat_branches", concat_branches),
          ("sequence_matmul", sequence_matmul), ("attention_scores", attention_scores),
          ("rewiring_mix", rewiring_mix), ("resize_nearest", resize_nearest), ("conv1d_net", conv1d_net),
          ("depthwise_separable", depthwise_separable), ("max_min_abs", max_min_abs), ("conv_transpose", conv_transpose),
          ("conv_transpose_1d_groups", conv_transpose_1d_groups), ("embedding_tokens", embedding_tokens),
          ("dropout_shared", dropout_shared)]


def main():
    os.makedirs(ROOT, exist_ok=True)
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    for i, (name, fn) in enumerate(MODELS):
        rng = np.random.default_rng(2000 + i)
        nodes, inits, in_shape, out_shape, opset = fn(rng)
        m = model(name, nodes, inits, in_shape, out_shape, opset=opset, doc=fn.__doc__)
        path = os.path.join(ROOT, name + ".onnx")
        onnx.save(m, path)
        concrete = [1 if isinstance(d, str) else d for d in in_shape]
        sess = ort.InferenceSession(path, opts, providers=["CPUExecutionProvider"])
        samples, outputs = [], []
        for _ in range(N_SAMPLES):
            if name == "embedding_tokens":  # token ids in [0, 10)
                x = rng.integers(0, 10, size=int(np.prod(concrete))).astype(np.int64)
            else:
                x = np.round(rng.uniform(-2.0, 2.0, size=int(np.prod(concrete))), 4).astype(np.float32)
            y = sess.run(None, {"input": x.reshape(concrete)})[0]
            samples.append([float(v) for v in x])
            outputs.append([float(v) for v in y.reshape(-1)])
        with open(os.path.join(ROOT, name + ".json"), "w") as f:
            json.dump({"inputs": samples, "outputs": outputs, "input_shape": concrete,
                       "output_shape": [1 if isinstance(d, str) else d for d in out_shape], "output_dtype": "float32",
                       "description": fn.__doc__}, f, indent=1)
        print(name, [n.op_type for n in m.graph.node])


if __name__ == "__main__":
    main()
