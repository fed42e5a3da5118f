#!/usr/bin/env python3
"""Model zoo written the way exporters write them (issue 13), trained on scikit-learn's bundled digits.

    python3 Circuits/generate_zoo.py        # numpy, scikit-learn, onnx, onnxruntime (Circuits/requirements.txt)

Writes Circuits/zoo/<name>/ with the same files as the sample models (model.onnx, calibration.json, input.json,
test_inputs.json, test_split.json, expected.json). Every architecture's feature layers have fixed random weights
(He-scaled, fixed seeds; batch-norm statistics measured on the training split), and its classifier head — the last
Gemm — is fitted by logistic regression on onnxruntime's features of the training split, so each model is a real
classifier of that architecture without a training framework. Ground truth for every fixture is onnxruntime on the
written file. Nothing is downloaded.

- digits_resnet: Conv–BN–ReLU–Conv–BN + skip → ReLU, then Concat of a global-average-pooled and a max-pooled branch.
- digits_cnn_pytorch: the PyTorch export of a CNN: symbolic batch axis, Conv without `strides`, Dropout, and the
  Shape → Gather → Unsqueeze → Concat → Reshape flatten of `x.view(x.size(0), -1)`.
- digits_rows_seq: a sequence model over the 8 rows of the image: batched MatMul [1, 8, 8] × [8, 24], ReLU, a
  second batched MatMul, mean over time (ReduceMean).
- digits_conv1d: a 1-D conv net over the rows as a sequence of 8 channels (Conv1d, MaxPool1d with ceil_mode).
- digits_depthwise: a depthwise-separable block (depthwise 3×3 Conv with group = channels, pointwise 1×1 Conv).
- digits_tokens: a token model — the 64 pixel intensities (0…16) are int64 token ids looked up in an embedding table.
"""

import json
import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "zoo")
N_CALIBRATION = 64
N_TEST_INPUTS = 20


def f32(name, arr):
    return numpy_helper.from_array(np.asarray(arr, dtype=np.float32), name)


def i64(name, arr):
    return numpy_helper.from_array(np.asarray(arr, dtype=np.int64), name)


def he(rng, *shape, fan_in):
    return (rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)).astype(np.float32)


def number(v):
    return float(np.float32(v))


def session(model):
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    return ort.InferenceSession(model.SerializeToString(), opts, providers=["CPUExecutionProvider"])


def make(name, nodes, inits, in_shape, out_name, out_shape, opset=13, producer="zkinfer generate_zoo.py"):
    token = name.startswith("digits_tokens")
    inp = helper.make_tensor_value_info("input", TensorProto.INT64 if token else TensorProto.FLOAT, in_shape)
    out = helper.make_tensor_value_info(out_name, TensorProto.FLOAT, out_shape)
    g = helper.make_graph(nodes, name, [inp], [out], initializer=inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)], producer_name=producer)
    m.ir_version = 8
    return m


def run(model, X, in_shape):
    s = session(model)
    shape = [1 if isinstance(d, str) else d for d in in_shape]
    dtype = np.int64 if model.graph.input[0].type.tensor_type.elem_type == TensorProto.INT64 else np.float32
    return np.stack([s.run(None, {"input": x.reshape(shape).astype(dtype)})[0].reshape(-1) for x in X])


def batchnorm(prefix, x_name, out_name, feats_model_nodes, inits, in_shape, X, channels, rng):
    """BatchNormalization with statistics measured on X (through onnxruntime) and a random affine part."""
    probe = make("probe", feats_model_nodes, list(inits), in_shape, x_name, None)
    acts = np.stack([session(probe).run(None, {"input": x.reshape([1 if isinstance(d, str) else d for d in in_shape]).astype(np.float32)})[0]
                     for x in X[:256]])
    axes = tuple(i for i in range(acts.ndim) if i != 2)  # (sample, batch, C, ...) → per channel
    mean, var = acts.mean(axis=axes), acts.var(axis=axes) + 1e-3
    inits += [f32(prefix + ".weight", rng.uniform(0.8, 1.2, channels)), f32(prefix + ".bias", rng.uniform(-0.1, 0.1, channels)),
              f32(prefix + ".running_mean", mean), f32(prefix + ".running_var", var)]
    return helper.make_node("BatchNormalization", [x_name, prefix + ".weight", prefix + ".bias", prefix + ".running_mean",
                                                   prefix + ".running_var"], [out_name], name="/%s/BatchNormalization" % prefix, epsilon=1e-5)


def digits_resnet(rng, X):
    c = 16
    inits = [f32("conv1.weight", he(rng, c, 1, 3, 3, fan_in=9)), f32("conv1.bias", np.zeros(c)),
             f32("conv2.weight", he(rng, c, c, 3, 3, fan_in=9 * c) * 0.5), f32("conv2.bias", np.zeros(c))]
    shape = [1, 1, 8, 8]
    nodes = [helper.make_node("Conv", ["input", "conv1.weight", "conv1.bias"], ["c1"], name="/conv1/Conv", kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[1, 1])]
    nodes.append(batchnorm("bn1", "c1", "b1", list(nodes), inits, shape, X, c, rng))
    nodes += [helper.make_node("Relu", ["b1"], ["r1"], name="/relu1/Relu"),
              helper.make_node("Conv", ["r1", "conv2.weight", "conv2.bias"], ["c2"], name="/conv2/Conv", kernel_shape=[3, 3], pads=[1, 1, 1, 1])]
    nodes.append(batchnorm("bn2", "c2", "b2", list(nodes), inits, shape, X, c, rng))
    nodes += [helper.make_node("Add", ["b2", "r1"], ["res"], name="/Add"),
              helper.make_node("Relu", ["res"], ["r2"], name="/relu2/Relu"),
              helper.make_node("GlobalAveragePool", ["r2"], ["gap"], name="/GlobalAveragePool"),
              helper.make_node("MaxPool", ["r2"], ["mp"], name="/MaxPool", kernel_shape=[4, 4], strides=[4, 4]),
              helper.make_node("Flatten", ["gap"], ["gapf"], name="/Flatten"),
              helper.make_node("Flatten", ["mp"], ["mpf"], name="/Flatten_1"),
              helper.make_node("Concat", ["gapf", "mpf"], ["features"], name="/Concat", axis=1)]
    return nodes, inits, shape, "features", c + 4 * c


def digits_cnn_pytorch(rng, X):
    c = 8
    inits = [f32("conv.weight", he(rng, c, 1, 3, 3, fan_in=9)), f32("conv.bias", rng.uniform(-0.1, 0.1, c))]
    nodes = [
        helper.make_node("Conv", ["input", "conv.weight", "conv.bias"], ["c"], name="/conv/Conv", kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c"], ["r"], name="/Relu"),
        helper.make_node("MaxPool", ["r"], ["p"], name="/pool/MaxPool", kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Shape", ["p"], ["shape"], name="/Shape"),
        helper.make_node("Constant", [], ["zero"], name="/Constant", value=helper.make_tensor("c0", TensorProto.INT64, [], [0])),
        helper.make_node("Gather", ["shape", "zero"], ["batch"], name="/Gather", axis=0),
        helper.make_node("Constant", [], ["ax"], name="/Constant_1", value=helper.make_tensor("c1", TensorProto.INT64, [1], [0])),
        helper.make_node("Unsqueeze", ["batch", "ax"], ["batch1"], name="/Unsqueeze"),
        helper.make_node("Constant", [], ["m1"], name="/Constant_2", value=helper.make_tensor("c2", TensorProto.INT64, [1], [-1])),
        helper.make_node("Concat", ["batch1", "m1"], ["target"], name="/Concat", axis=0),
        helper.make_node("Reshape", ["p", "target"], ["flat"], name="/Reshape"),
        helper.make_node("Dropout", ["flat"], ["features"], name="/dropout/Dropout"),
    ]
    return nodes, inits, ["batch_size", 1, 8, 8], "features", c * 16


def digits_rows_seq(rng, X):
    h = 48
    inits = [f32("l1.weight", he(rng, 8, h, fan_in=8)), f32("l1.bias", rng.uniform(-0.2, 0.2, h)),
             f32("l2.weight", he(rng, h, h, fan_in=h))]
    nodes = [
        helper.make_node("MatMul", ["input", "l1.weight"], ["a"], name="/l1/MatMul"),
        helper.make_node("Add", ["a", "l1.bias"], ["ab"], name="/l1/Add"),
        helper.make_node("Relu", ["ab"], ["ar"], name="/Relu"),
        helper.make_node("MatMul", ["ar", "l2.weight"], ["b"], name="/l2/MatMul"),
        helper.make_node("Relu", ["b"], ["br"], name="/Relu_1"),
        helper.make_node("ReduceMean", ["br"], ["mean"], name="/ReduceMean", axes=[1], keepdims=0),
        helper.make_node("Slice", ["br", "st", "en", "sax"], ["last"], name="/Slice"),  # the last two time steps
        helper.make_node("Flatten", ["last"], ["lastf"], name="/Flatten"),
        helper.make_node("Concat", ["mean", "lastf"], ["features"], name="/Concat", axis=1),
    ]
    inits += [i64("st", [-2]), i64("en", [2 ** 63 - 1]), i64("sax", [1])]
    return nodes, inits, [1, 8, 8], "features", h + 2 * h


def digits_conv1d(rng, X):
    c1, c2 = 16, 16
    inits = [f32("c1.weight", he(rng, c1, 8, 3, fan_in=24)), f32("c1.bias", rng.uniform(-0.1, 0.1, c1)),
             f32("c2.weight", he(rng, c2, c1, 3, fan_in=3 * c1)), f32("c2.bias", rng.uniform(-0.1, 0.1, c2))]
    nodes = [
        helper.make_node("Conv", ["input", "c1.weight", "c1.bias"], ["a"], name="/c1/Conv", kernel_shape=[3], pads=[1, 1]),
        helper.make_node("Relu", ["a"], ["ar"], name="/Relu"),
        helper.make_node("MaxPool", ["ar"], ["p"], name="/MaxPool", kernel_shape=[3], strides=[2], ceil_mode=1),
        helper.make_node("Conv", ["p", "c2.weight", "c2.bias"], ["b"], name="/c2/Conv", kernel_shape=[3], pads=[1, 1], dilations=[1]),
        helper.make_node("Relu", ["b"], ["br"], name="/Relu_1"),
        helper.make_node("Flatten", ["br"], ["features"], name="/Flatten"),
    ]
    return nodes, inits, ["N", 8, 8], "features", c2 * 4


def digits_depthwise(rng, X):
    c = 8
    inits = [f32("stem.weight", he(rng, c, 1, 3, 3, fan_in=9)), f32("stem.bias", rng.uniform(-0.1, 0.1, c)),
             f32("dw.weight", he(rng, c, 1, 3, 3, fan_in=9)), f32("dw.bias", rng.uniform(-0.1, 0.1, c)),
             f32("pw.weight", he(rng, 2 * c, c, 1, 1, fan_in=c)), f32("pw.bias", rng.uniform(-0.1, 0.1, 2 * c))]
    nodes = [
        helper.make_node("Conv", ["input", "stem.weight", "stem.bias"], ["s"], name="/stem/Conv", kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["s"], ["sr"], name="/Relu"),
        helper.make_node("Conv", ["sr", "dw.weight", "dw.bias"], ["d"], name="/dw/Conv", kernel_shape=[3, 3], pads=[1, 1, 1, 1], group=c, strides=[2, 2]),
        helper.make_node("Relu", ["d"], ["dr"], name="/Relu_1"),
        helper.make_node("Conv", ["dr", "pw.weight", "pw.bias"], ["p"], name="/pw/Conv", kernel_shape=[1, 1]),
        helper.make_node("Relu", ["p"], ["pr"], name="/Relu_2"),
        helper.make_node("Flatten", ["pr"], ["features"], name="/Flatten"),
    ]
    return nodes, inits, [1, 1, 8, 8], "features", 2 * c * 16


def digits_tokens(rng, X):
    """A token model: the 64 pixel intensities (0…16) are token ids (int64 input), an embedding table [17, 6]
    maps each to a vector, Flatten keeps the positions."""
    inits = [f32("emb.weight", rng.standard_normal((17, 6)) * 0.7)]
    nodes = [
        helper.make_node("Gather", ["emb.weight", "input"], ["e"], name="/emb/Gather", axis=0),
        helper.make_node("Flatten", ["e"], ["features"], name="/Flatten", axis=1),
    ]
    return nodes, inits, ["batch", 64], "features", 64 * 6


ZOO = [("digits_resnet", digits_resnet), ("digits_cnn_pytorch", digits_cnn_pytorch), ("digits_rows_seq", digits_rows_seq),
       ("digits_conv1d", digits_conv1d), ("digits_depthwise", digits_depthwise), ("digits_tokens", digits_tokens)]


def dump(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, separators=(",", ":"))


def main():
    digits = load_digits()
    X = (digits.data / 16.0).astype(np.float32)
    y = digits.target
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.2, random_state=0, stratify=y)
    Ttr, Tte = (Xtr * 16).round(), (Xte * 16).round()  # the pixel intensities 0…16 as token ids
    for i, (name, fn) in enumerate(ZOO):
        rng = np.random.default_rng(3000 + i)
        Xtr_, Xte_ = (Ttr, Tte) if name == "digits_tokens" else (Xtr, Xte)
        nodes, inits, in_shape, feat, dim = fn(rng, Xtr_)
        feats = make(name + "_features", nodes, inits, in_shape, feat, None)
        Ftr, Fte = run(feats, Xtr_, in_shape), run(feats, Xte_, in_shape)
        assert Ftr.shape[1] == dim, (name, Ftr.shape)
        clf = LogisticRegression(C=1.0, max_iter=4000).fit(Ftr, ytr)
        inits += [f32("fc.weight", clf.coef_), f32("fc.bias", clf.intercept_)]
        nodes = nodes + [helper.make_node("Gemm", [feat, "fc.weight", "fc.bias"], ["output"], name="/fc/Gemm", transB=1)]
        batch = in_shape[0] if isinstance(in_shape[0], str) else 1
        model = make(name, nodes, inits, in_shape, "output", [batch, 10])
        onnx.checker.check_model(model, full_check=True)
        folder = os.path.join(ROOT, name)
        os.makedirs(folder, exist_ok=True)
        onnx.save(model, os.path.join(folder, "model.onnx"))
        out = run(model, Xte_, in_shape)
        preds = out.argmax(axis=1)
        acc = float((preds == yte).mean())
        test = [[number(v) for v in row] for row in Xte_]
        concrete = [1 if isinstance(d, str) else d for d in in_shape]
        dump(os.path.join(folder, "input.json"), {"input_data": [test[0]]})
        dump(os.path.join(folder, "calibration.json"), {"input_data": [[number(v) for row in Xtr_[:N_CALIBRATION] for v in row]]})
        dump(os.path.join(folder, "test_inputs.json"), {"input_data": test[:N_TEST_INPUTS]})
        dump(os.path.join(folder, "test_split.json"), {"input_data": test})
        dump(os.path.join(folder, "expected.json"), {
            "float_accuracy": acc, "test_count": len(yte), "labels": [int(v) for v in yte],
            "float_predictions": [int(v) for v in preds],
            "float_outputs": [[number(v) for v in o] for o in out[:N_TEST_INPUTS]],
            "input_shape": concrete, "output_shape": [1, 10]})
        print("%-20s accuracy %.4f  ops %s" % (name, acc, sorted({n.op_type for n in model.graph.node})))


if __name__ == "__main__":
    main()
