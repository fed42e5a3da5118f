#!/usr/bin/env python3
"""Generate zkinfer's sample ONNX models and their test fixtures.

    python3 Circuits/generate_models.py

Regenerates everything under Circuits/ (model folders, ops/ micro models, manifest.json and the model table in
README.md).  Deterministic: every random choice comes from a fixed seed, BLAS is pinned to one thread, and
onnxruntime runs single-threaded with graph optimisations off.  Nothing is downloaded: the only datasets are the
ones bundled inside scikit-learn (iris, digits).

Ground truth for every prediction / output written to the JSON fixtures is onnxruntime running the written
.onnx file on exactly the float32 values written to the JSON inputs, never the training code.
"""

import os

# Pin BLAS to one thread before numpy is imported so the numpy/sklearn training is reproducible bit-for-bit on a
# given machine (multi-threaded BLAS may change summation order).
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import hashlib
import json
import sys
import time
import warnings

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper
from sklearn.datasets import load_digits, load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier

ROOT = os.path.dirname(os.path.abspath(__file__))
OPSET = 13
IR_VERSION = 7
PRODUCER = "zkinfer Circuits/generate_models.py"
N_CALIBRATION = 64
N_TEST_INPUTS = 50
N_OP_SAMPLES = 5


# ----------------------------------------------------------------------------------------------------------------
# JSON helpers
# ----------------------------------------------------------------------------------------------------------------

def input_number(v):
    """A model input value for JSON: integers as ints (0, 1), otherwise the shortest repr of the double.

    Inputs are chosen so this is exact: digits are k/16, iris values have one decimal, op inputs have four.
    The float32 fed to onnxruntime is np.float32(<this value>)."""
    d = float(v)
    if d.is_integer():
        return int(d)
    return d


def output_number(v):
    """A float32 output for JSON: shortest decimal that parses back to the same float32."""
    f = np.float32(v)
    d = float(str(f))
    assert np.float32(d) == f, (f, d)
    if d.is_integer():
        return int(d)
    return d


def dump_json(path, obj):
    with open(path, "w") as fh:
        fh.write(json.dumps(obj, separators=(",", ":")))
        fh.write("\n")


# ----------------------------------------------------------------------------------------------------------------
# ONNX helpers
# ----------------------------------------------------------------------------------------------------------------

def f32(name, arr):
    return numpy_helper.from_array(np.ascontiguousarray(arr, dtype=np.float32), name)


def i64(name, arr):
    return numpy_helper.from_array(np.ascontiguousarray(arr, dtype=np.int64), name)


def build_model(graph_name, nodes, initializers, input_shape, output_shape, output_dtype=TensorProto.FLOAT,
                output_name="output", doc=""):
    graph = helper.make_graph(
        nodes,
        graph_name,
        inputs=[helper.make_tensor_value_info("input", TensorProto.FLOAT, list(input_shape))],
        outputs=[helper.make_tensor_value_info(output_name, output_dtype, list(output_shape))],
        initializer=initializers,
        doc_string=doc,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name=PRODUCER,
                              producer_version="1")
    model.ir_version = IR_VERSION
    onnx.checker.check_model(model, full_check=True)
    return model


def save_model(model, path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as fh:
        fh.write(model.SerializeToString())


def ort_session(path):
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    return ort.InferenceSession(path, sess_options=so, providers=["CPUExecutionProvider"])


def run_ort(sess, samples, input_shape):
    """Run the batch-1 model on each sample (list of python numbers) one at a time; returns list of np arrays."""
    outs = []
    for s in samples:
        x = np.asarray(s, dtype=np.float32).reshape(input_shape)
        outs.append(sess.run(None, {"input": x})[0])
    return outs


def param_count(model):
    """Number of float parameters (float initializers); int64 shape/axes constants are not counted."""
    n = 0
    for init in model.graph.initializer:
        if init.data_type == TensorProto.FLOAT:
            n += int(np.prod(init.dims)) if len(init.dims) else 1
    return n


def op_list(model):
    seen = []
    for node in model.graph.node:
        if node.op_type not in seen:
            seen.append(node.op_type)
    return seen


def node_list(model):
    return [node.op_type for node in model.graph.node]


# ----------------------------------------------------------------------------------------------------------------
# Datasets
# ----------------------------------------------------------------------------------------------------------------

def split(X, y):
    return train_test_split(X, y, test_size=0.2, random_state=0, stratify=y)


def upsample_28(X8):
    """sklearn digits (N, 64) with integer values 0..16 -> (N, 784) in [0, 1].

    Each 8x8 pixel becomes a 3x3 block (nearest neighbour, 24x24), then 2 zero pixels are padded on every side
    (28x28), then everything is divided by 16.  All values are exact multiples of 1/16."""
    imgs = np.asarray(X8, dtype=np.float64).reshape(-1, 8, 8)
    imgs = np.repeat(np.repeat(imgs, 3, axis=1), 3, axis=2)
    imgs = np.pad(imgs, ((0, 0), (2, 2), (2, 2)))
    return (imgs / 16.0).reshape(-1, 784)


# ----------------------------------------------------------------------------------------------------------------
# Small numpy CNN toolkit (NCHW, cross-correlation like ONNX Conv)
# ----------------------------------------------------------------------------------------------------------------

def im2col(x, k, pad):
    """x (N,C,H,W) -> cols (N*Ho*Wo, C*k*k), stride 1."""
    if pad:
        x = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    N, C, H, W = x.shape
    Ho, Wo = H - k + 1, W - k + 1
    win = np.lib.stride_tricks.sliding_window_view(x, (k, k), axis=(2, 3))  # N,C,Ho,Wo,k,k
    cols = win.transpose(0, 2, 3, 1, 4, 5).reshape(N * Ho * Wo, C * k * k)
    return np.ascontiguousarray(cols), (N, C, H, W, Ho, Wo)


def conv_forward(x, Wt, b, pad):
    F, C, k, _ = Wt.shape
    cols, meta = im2col(x, k, pad)
    N, Ho, Wo = meta[0], meta[4], meta[5]
    out = cols @ Wt.reshape(F, -1).T + b
    return out.reshape(N, Ho, Wo, F).transpose(0, 3, 1, 2), (cols, meta)


def conv_backward(dout, Wt, cache, pad, need_dx=True):
    cols, (N, C, Hp, Wp, Ho, Wo) = cache
    F, _, k, _ = Wt.shape
    d = dout.transpose(0, 2, 3, 1).reshape(-1, F)
    dW = (d.T @ cols).reshape(Wt.shape)
    db = d.sum(axis=0)
    if not need_dx:
        return None, dW, db
    dcols = (d @ Wt.reshape(F, -1)).reshape(N, Ho, Wo, C, k, k)
    dxp = np.zeros((N, C, Hp, Wp), dtype=dout.dtype)
    for i in range(k):
        for j in range(k):
            dxp[:, :, i:i + Ho, j:j + Wo] += dcols[:, :, :, :, i, j].transpose(0, 3, 1, 2)
    if pad:
        dxp = dxp[:, :, pad:-pad, pad:-pad]
    return dxp, dW, db


def maxpool2_forward(x):
    N, C, H, W = x.shape
    r = x.reshape(N, C, H // 2, 2, W // 2, 2)
    out = r.max(axis=(3, 5))
    mask = (r == out[:, :, :, None, :, None])
    # route the gradient to one max per window (first in row-major order), like argmax-based implementations
    flat = mask.transpose(0, 1, 2, 4, 3, 5).reshape(N, C, H // 2, W // 2, 4)
    first = np.zeros_like(flat)
    idx = flat.argmax(axis=-1)
    np.put_along_axis(first, idx[..., None], True, axis=-1)
    mask = first.reshape(N, C, H // 2, W // 2, 2, 2).transpose(0, 1, 2, 4, 3, 5)
    return out, mask


def maxpool2_backward(dout, mask):
    return (mask * dout[:, :, :, None, :, None]).reshape(dout.shape[0], dout.shape[1], dout.shape[2] * 2,
                                                           dout.shape[3] * 2)


def avgpool2_forward(x):
    N, C, H, W = x.shape
    return x.reshape(N, C, H // 2, 2, W // 2, 2).mean(axis=(3, 5))


def avgpool2_backward(dout):
    return np.repeat(np.repeat(dout, 2, axis=2), 2, axis=3) * 0.25


def softmax_ce(logits, y):
    z = logits - logits.max(axis=1, keepdims=True)
    p = np.exp(z)
    p /= p.sum(axis=1, keepdims=True)
    n = logits.shape[0]
    loss = -np.log(p[np.arange(n), y] + 1e-12).mean()
    d = p
    d[np.arange(n), y] -= 1.0
    return loss, d / n


class Adam:
    def __init__(self, params, lr=1e-3, b1=0.9, b2=0.999, eps=1e-8):
        self.params, self.lr, self.b1, self.b2, self.eps = params, lr, b1, b2, eps
        self.m = {k: np.zeros_like(v) for k, v in params.items()}
        self.v = {k: np.zeros_like(v) for k, v in params.items()}
        self.t = 0

    def step(self, grads):
        self.t += 1
        c1 = 1 - self.b1 ** self.t
        c2 = 1 - self.b2 ** self.t
        for k, g in grads.items():
            self.m[k] = self.b1 * self.m[k] + (1 - self.b1) * g
            self.v[k] = self.b2 * self.v[k] + (1 - self.b2) * g * g
            self.params[k] -= (self.lr * (self.m[k] / c1) / (np.sqrt(self.v[k] / c2) + self.eps)).astype(np.float32)


def he(rng, shape, fan_in):
    return (rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)).astype(np.float32)


BN_EPS = 1e-5


def train_digits_cnn(Xtr, ytr, channels=8, epochs=30, batch=32, lr=3e-3, seed=0):
    """Conv3x3(pad 1) -> BatchNorm (batch statistics while training) -> Relu -> MaxPool2 -> Flatten -> Dense."""
    rng = np.random.default_rng(seed)
    C = channels
    P = {
        "conv.weight": he(rng, (C, 1, 3, 3), 9),
        "conv.bias": (rng.uniform(-0.1, 0.1, C)).astype(np.float32),
        "bn.weight": np.ones(C, np.float32),
        "bn.bias": np.zeros(C, np.float32),
        "fc.weight": he(rng, (10, C * 16), C * 16),
        "fc.bias": np.zeros(10, np.float32),
    }
    opt = Adam(P, lr=lr)
    X = Xtr.reshape(-1, 1, 8, 8).astype(np.float32)
    n = X.shape[0]
    for ep in range(epochs):
        order = rng.permutation(n)
        for s in range(0, n, batch):
            idx = order[s:s + batch]
            xb, yb = X[idx], ytr[idx]
            z, ccache = conv_forward(xb, P["conv.weight"], P["conv.bias"], 1)
            mu = z.mean(axis=(0, 2, 3), keepdims=True)
            var = z.var(axis=(0, 2, 3), keepdims=True)
            inv = 1.0 / np.sqrt(var + BN_EPS)
            xhat = (z - mu) * inv
            g = P["bn.weight"].reshape(1, C, 1, 1)
            bn = g * xhat + P["bn.bias"].reshape(1, C, 1, 1)
            a = np.maximum(bn, 0)
            pooled, pmask = maxpool2_forward(a)
            flat = pooled.reshape(len(idx), -1)
            logits = flat @ P["fc.weight"].T + P["fc.bias"]
            _, dlog = softmax_ce(logits, yb)
            grads = {"fc.weight": dlog.T @ flat, "fc.bias": dlog.sum(0)}
            dflat = dlog @ P["fc.weight"]
            da = maxpool2_backward(dflat.reshape(pooled.shape), pmask)
            dbn = da * (bn > 0)
            grads["bn.weight"] = (dbn * xhat).sum(axis=(0, 2, 3))
            grads["bn.bias"] = dbn.sum(axis=(0, 2, 3))
            dxhat = dbn * g
            M = z.shape[0] * z.shape[2] * z.shape[3]
            dz = inv / M * (M * dxhat - dxhat.sum(axis=(0, 2, 3), keepdims=True)
                            - xhat * (dxhat * xhat).sum(axis=(0, 2, 3), keepdims=True))
            _, grads["conv.weight"], grads["conv.bias"] = conv_backward(dz, P["conv.weight"], ccache, 1, False)
            opt.step({k: v.astype(np.float32) for k, v in grads.items()})
    # "precise BN": population statistics of the conv output over the whole training split
    z, _ = conv_forward(X, P["conv.weight"], P["conv.bias"], 1)
    P["bn.running_mean"] = z.mean(axis=(0, 2, 3)).astype(np.float32)
    P["bn.running_var"] = z.var(axis=(0, 2, 3)).astype(np.float32)
    return P


def digits_cnn_numpy_predict(P, X):
    C = P["conv.weight"].shape[0]
    z, _ = conv_forward(X.reshape(-1, 1, 8, 8).astype(np.float32), P["conv.weight"], P["conv.bias"], 1)
    sh = (1, C, 1, 1)
    bn = (z - P["bn.running_mean"].reshape(sh)) / np.sqrt(P["bn.running_var"].reshape(sh) + BN_EPS) \
        * P["bn.weight"].reshape(sh) + P["bn.bias"].reshape(sh)
    pooled, _ = maxpool2_forward(np.maximum(bn, 0))
    return (pooled.reshape(len(X), -1) @ P["fc.weight"].T + P["fc.bias"]).argmax(1)


def train_lenet(Xtr, ytr, epochs=20, batch=32, lr=2e-3, seed=0):
    """Conv5x5x6 -> Relu -> AvgPool2 -> Conv5x5x16 -> Relu -> AvgPool2 -> view(1,256) -> Dense(10)."""
    rng = np.random.default_rng(seed)
    P = {
        "conv1.weight": he(rng, (6, 1, 5, 5), 25),
        "conv1.bias": np.zeros(6, np.float32),
        "conv2.weight": he(rng, (16, 6, 5, 5), 150),
        "conv2.bias": np.zeros(16, np.float32),
        "fc.weight": he(rng, (10, 256), 256) * np.float32(0.5),
        "fc.bias": np.zeros(10, np.float32),
    }
    opt = Adam(P, lr=lr)
    X = Xtr.reshape(-1, 1, 28, 28).astype(np.float32)
    n = X.shape[0]
    for ep in range(epochs):
        order = rng.permutation(n)
        for s in range(0, n, batch):
            idx = order[s:s + batch]
            xb, yb = X[idx], ytr[idx]
            z1, c1 = conv_forward(xb, P["conv1.weight"], P["conv1.bias"], 0)
            a1 = np.maximum(z1, 0)
            p1 = avgpool2_forward(a1)
            z2, c2 = conv_forward(p1, P["conv2.weight"], P["conv2.bias"], 0)
            a2 = np.maximum(z2, 0)
            p2 = avgpool2_forward(a2)
            flat = p2.reshape(len(idx), 256)
            logits = flat @ P["fc.weight"].T + P["fc.bias"]
            _, dlog = softmax_ce(logits, yb)
            grads = {"fc.weight": dlog.T @ flat, "fc.bias": dlog.sum(0)}
            dp2 = (dlog @ P["fc.weight"]).reshape(p2.shape)
            dz2 = avgpool2_backward(dp2) * (z2 > 0)
            dp1, grads["conv2.weight"], grads["conv2.bias"] = conv_backward(dz2, P["conv2.weight"], c2, 0)
            dz1 = avgpool2_backward(dp1) * (z1 > 0)
            _, grads["conv1.weight"], grads["conv1.bias"] = conv_backward(dz1, P["conv1.weight"], c1, 0, False)
            opt.step({k: v.astype(np.float32) for k, v in grads.items()})
    return P


def lenet_numpy_predict(P, X):
    x = X.reshape(-1, 1, 28, 28).astype(np.float32)
    z1, _ = conv_forward(x, P["conv1.weight"], P["conv1.bias"], 0)
    p1 = avgpool2_forward(np.maximum(z1, 0))
    z2, _ = conv_forward(p1, P["conv2.weight"], P["conv2.bias"], 0)
    p2 = avgpool2_forward(np.maximum(z2, 0))
    return (p2.reshape(len(x), 256) @ P["fc.weight"].T + P["fc.bias"]).argmax(1)


# ----------------------------------------------------------------------------------------------------------------
# The five sample models
# ----------------------------------------------------------------------------------------------------------------

def build_iris():
    data = load_iris()
    X = np.round(data.data, 1)  # raw features have one decimal
    Xtr, Xte, ytr, yte = split(X, data.target)
    mean, std = Xtr.mean(axis=0), Xtr.std(axis=0)
    clf = LogisticRegression(max_iter=1000, C=1.0)
    clf.fit((Xtr - mean) / std, ytr)
    W = clf.coef_.T / std[:, None]  # (4, 3): standardisation folded into the weights
    b = clf.intercept_ - (mean / std) @ clf.coef_.T
    nodes = [
        helper.make_node("MatMul", ["input", "coef"], ["logits_mm"], name="MatMul"),
        helper.make_node("Add", ["logits_mm", "intercept"], ["logits"], name="Add"),
        helper.make_node("Softmax", ["logits"], ["output"], name="Softmax", axis=1),
    ]
    model = build_model("iris_logreg", nodes, [f32("coef", W), f32("intercept", b)], [1, 4], [1, 3],
                        doc="Multinomial logistic regression on iris; feature standardisation folded into coef.")
    info = dict(dataset="sklearn iris (150 × 4)",
                architecture="standardize (folded) → linear 4→3 → softmax",
                note="LogisticRegression(lbfgs, C=1) on standardized train features")
    return "iris_logreg", model, Xtr, Xte, ytr, yte, info


def build_digits_mlp():
    data = load_digits()
    X = data.data / 16.0
    Xtr, Xte, ytr, yte = split(X, data.target)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = MLPClassifier(hidden_layer_sizes=(32,), activation="relu", solver="adam", alpha=1e-4,
                            max_iter=400, random_state=0)
        clf.fit(Xtr, ytr)
    W1, W2 = clf.coefs_
    b1, b2 = clf.intercepts_
    nodes = [
        helper.make_node("Gemm", ["input", "fc1.weight", "fc1.bias"], ["fc1_out"], name="/fc1/Gemm",
                         alpha=1.0, beta=1.0, transB=1),
        helper.make_node("Relu", ["fc1_out"], ["relu1_out"], name="/relu/Relu"),
        helper.make_node("Gemm", ["relu1_out", "fc2.weight", "fc2.bias"], ["logits"], name="/fc2/Gemm",
                         alpha=1.0, beta=1.0, transB=1),
        helper.make_node("Softmax", ["logits"], ["output"], name="/Softmax", axis=1),
    ]
    inits = [f32("fc1.weight", W1.T), f32("fc1.bias", b1), f32("fc2.weight", W2.T), f32("fc2.bias", b2)]
    model = build_model("digits_mlp", nodes, inits, [1, 64], [1, 10],
                        doc="MLP 64-32-10 on sklearn digits (pixels/16).")
    info = dict(dataset="sklearn digits 8×8, pixels/16",
                architecture="64 → 32 (ReLU) → 10 → softmax",
                note="MLPClassifier(32, relu, adam, random_state=0)")
    return "digits_mlp", model, Xtr, Xte, ytr, yte, info


def build_digits_cnn():
    data = load_digits()
    X = data.data / 16.0
    Xtr, Xte, ytr, yte = split(X, data.target)
    P = train_digits_cnn(Xtr, ytr)
    C = P["conv.weight"].shape[0]
    numpy_acc = float((digits_cnn_numpy_predict(P, Xte) == yte).mean())
    nodes = [
        helper.make_node("Conv", ["input", "conv.weight", "conv.bias"], ["conv_out"], name="/conv/Conv",
                         kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[1, 1], dilations=[1, 1], group=1),
        helper.make_node("BatchNormalization",
                         ["conv_out", "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var"], ["bn_out"],
                         name="/bn/BatchNormalization", epsilon=BN_EPS, momentum=0.9),
        helper.make_node("Relu", ["bn_out"], ["relu_out"], name="/relu/Relu"),
        helper.make_node("MaxPool", ["relu_out"], ["pool_out"], name="/pool/MaxPool",
                         kernel_shape=[2, 2], strides=[2, 2], pads=[0, 0, 0, 0]),
        helper.make_node("Flatten", ["pool_out"], ["flat"], name="/Flatten", axis=1),
        helper.make_node("Gemm", ["flat", "fc.weight", "fc.bias"], ["output"], name="/fc/Gemm",
                         alpha=1.0, beta=1.0, transB=1),
    ]
    inits = [f32(k, P[k]) for k in ("conv.weight", "conv.bias", "bn.weight", "bn.bias", "bn.running_mean",
                                     "bn.running_var", "fc.weight", "fc.bias")]
    model = build_model("digits_cnn", nodes, inits, [1, 1, 8, 8], [1, 10],
                        doc="Conv3x3x%d(pad1) -> BN -> Relu -> MaxPool2 -> Flatten -> Gemm on digits." % C)
    info = dict(dataset="sklearn digits 8×8, pixels/16",
                architecture="Conv 3×3×%d pad 1 → BN → ReLU → MaxPool 2×2/2 → Flatten(%d) → 10 logits"
                             % (C, C * 16),
                note="numpy Adam, batch-stat BN while training, population stats exported; numpy test acc %.4f"
                     % numpy_acc)
    return "digits_cnn", model, Xtr, Xte, ytr, yte, info


def build_mnist_mlp():
    data = load_digits()
    X = upsample_28(data.data)
    Xtr, Xte, ytr, yte = split(X, data.target)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = MLPClassifier(hidden_layer_sizes=(56,), activation="relu", solver="adam", alpha=1e-4,
                            max_iter=300, random_state=0)
        clf.fit(Xtr, ytr)
    W1, W2 = clf.coefs_
    b1, b2 = clf.intercepts_
    nodes = [
        helper.make_node("Gemm", ["input", "fc1.weight", "fc1.bias"], ["fc1_out"], name="/fc1/Gemm",
                         alpha=1.0, beta=1.0, transB=1),
        helper.make_node("Relu", ["fc1_out"], ["relu1_out"], name="/relu/Relu"),
        helper.make_node("Gemm", ["relu1_out", "fc2.weight", "fc2.bias"], ["output"], name="/fc2/Gemm",
                         alpha=1.0, beta=1.0, transB=1),
    ]
    inits = [f32("fc1.weight", W1.T), f32("fc1.bias", b1), f32("fc2.weight", W2.T), f32("fc2.bias", b2)]
    model = build_model("mnist_mlp_784_56_10", nodes, inits, [1, 784], [1, 10],
                        doc="Benchmark MLP 784-56-10 on digits upsampled to 28x28.")
    info = dict(dataset="sklearn digits upsampled to 28×28 (rule below)",
                architecture="784 → 56 (ReLU) → 10 logits",
                note="MLPClassifier(56, relu, adam, random_state=0)")
    return "mnist_mlp_784_56_10", model, Xtr, Xte, ytr, yte, info


def build_mnist_lenet():
    data = load_digits()
    X = upsample_28(data.data)
    Xtr, Xte, ytr, yte = split(X, data.target)
    P = train_lenet(Xtr, ytr)
    numpy_acc = float((lenet_numpy_predict(P, Xte) == yte).mean())
    nodes = [
        helper.make_node("Conv", ["input", "conv1.weight", "conv1.bias"], ["conv1_out"], name="/conv1/Conv",
                         kernel_shape=[5, 5], pads=[0, 0, 0, 0], strides=[1, 1], dilations=[1, 1], group=1),
        helper.make_node("Relu", ["conv1_out"], ["relu1_out"], name="/relu1/Relu"),
        helper.make_node("AveragePool", ["relu1_out"], ["pool1_out"], name="/pool1/AveragePool",
                         kernel_shape=[2, 2], strides=[2, 2], pads=[0, 0, 0, 0]),
        helper.make_node("Conv", ["pool1_out", "conv2.weight", "conv2.bias"], ["conv2_out"], name="/conv2/Conv",
                         kernel_shape=[5, 5], pads=[0, 0, 0, 0], strides=[1, 1], dilations=[1, 1], group=1),
        helper.make_node("Relu", ["conv2_out"], ["relu2_out"], name="/relu2/Relu"),
        helper.make_node("AveragePool", ["relu2_out"], ["pool2_out"], name="/pool2/AveragePool",
                         kernel_shape=[2, 2], strides=[2, 2], pads=[0, 0, 0, 0]),
        helper.make_node("Reshape", ["pool2_out", "flatten_shape"], ["flat"], name="/Reshape"),
        helper.make_node("Gemm", ["flat", "fc.weight", "fc.bias"], ["output"], name="/fc/Gemm",
                         alpha=1.0, beta=1.0, transB=1),
    ]
    inits = [f32(k, P[k]) for k in ("conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias")]
    inits.append(i64("flatten_shape", [1, 256]))
    inits += [f32("fc.weight", P["fc.weight"]), f32("fc.bias", P["fc.bias"])]
    model = build_model("mnist_cnn_lenet", nodes, inits, [1, 1, 28, 28], [1, 10],
                        doc="LeNet-style benchmark CNN on digits upsampled to 28x28.")
    info = dict(dataset="sklearn digits upsampled to 28×28 (rule below)",
                architecture="Conv 5×5×6 → ReLU → AvgPool 2×2/2 → Conv 5×5×16 → ReLU → AvgPool 2×2/2 → "
                             "Reshape [1,256] → 10 logits",
                note="numpy Adam; numpy test acc %.4f" % numpy_acc)
    return "mnist_cnn_lenet", model, Xtr, Xte, ytr, yte, info


def write_model_fixtures(name, model, Xtr, Xte, ytr, yte):
    folder = os.path.join(ROOT, name)
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "model.onnx")
    save_model(model, path)
    in_shape = [d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim]
    out_shape = [d.dim_value for d in model.graph.output[0].type.tensor_type.shape.dim]

    test = [[input_number(v) for v in row] for row in Xte]
    calib = [input_number(v) for row in Xtr[:N_CALIBRATION] for v in row]
    sess = ort_session(path)
    outs = run_ort(sess, test, in_shape)
    preds = [int(np.argmax(o.reshape(-1))) for o in outs]
    labels = [int(v) for v in yte]
    acc = float(np.mean(np.asarray(preds) == np.asarray(labels)))

    dump_json(os.path.join(folder, "input.json"), {"input_data": [test[0]]})
    dump_json(os.path.join(folder, "calibration.json"), {"input_data": [calib]})
    dump_json(os.path.join(folder, "test_inputs.json"), {"input_data": test[:N_TEST_INPUTS]})
    dump_json(os.path.join(folder, "test_split.json"), {"input_data": test})
    dump_json(os.path.join(folder, "expected.json"), {
        "float_accuracy": acc,
        "test_count": len(labels),
        "labels": labels,
        "float_predictions": preds,
        "float_outputs": [[output_number(v) for v in o.reshape(-1)] for o in outs[:N_TEST_INPUTS]],
        "input_shape": in_shape,
        "output_shape": out_shape,
    })
    return acc, in_shape, out_shape


# ----------------------------------------------------------------------------------------------------------------
# Op-coverage micro models
# ----------------------------------------------------------------------------------------------------------------

def w(rng, *shape, lo=-1.0, hi=1.0):
    return rng.uniform(lo, hi, size=shape).astype(np.float32)


def gemm(inp, out, wname, bname, trans_b=1, name=None):
    return helper.make_node("Gemm", [inp, wname, bname], [out], name=name or ("/%s/Gemm" % wname.split(".")[0]),
                            alpha=1.0, beta=1.0, transB=trans_b)


def op_gemm_leakyrelu(rng):
    nodes = [gemm("input", "fc_out", "fc.weight", "fc.bias"),
             helper.make_node("LeakyRelu", ["fc_out"], ["output"], name="/LeakyRelu", alpha=0.1)]
    inits = [f32("fc.weight", w(rng, 6, 8)), f32("fc.bias", w(rng, 6, lo=-0.5, hi=0.5))]
    return nodes, inits, [1, 8], [1, 6], TensorProto.FLOAT, "Gemm(transB=1) 8→6 → LeakyRelu(alpha=0.1)"


def op_matmul_add_clip(rng):
    nodes = [helper.make_node("MatMul", ["input", "W"], ["mm"], name="/MatMul"),
             helper.make_node("Add", ["mm", "b"], ["lin"], name="/Add"),
             helper.make_node("Clip", ["lin", "clip_min", "clip_max"], ["output"], name="/Clip")]
    W = w(rng, 8, 6)
    inits = [f32("W", W), f32("b", w(rng, 6)),
             f32("clip_min", np.array(0.0)), f32("clip_max", np.array(6.0))]
    # First sample is forced to 2*sign(W[:, 0]) so output 0 is ~2*sum|W[:,0]| > 6 and the upper clip engages.
    forced = [[float(v) for v in 2.0 * np.sign(W[:, 0])]]
    return nodes, inits, [1, 8], [1, 6], TensorProto.FLOAT, \
        "MatMul [8,6] → Add [6] → Clip(min=0, max=6 as scalar initializer inputs) = ReLU6; " \
        "sample 0 saturates at 6", forced


def op_conv_stride_pad_globalavg(rng):
    nodes = [helper.make_node("Conv", ["input", "conv.weight", "conv.bias"], ["conv_out"], name="/conv/Conv",
                              kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[2, 2], dilations=[1, 1], group=1),
             helper.make_node("Relu", ["conv_out"], ["relu_out"], name="/Relu"),
             helper.make_node("GlobalAveragePool", ["relu_out"], ["gap"], name="/GlobalAveragePool"),
             helper.make_node("Flatten", ["gap"], ["flat"], name="/Flatten", axis=1),
             gemm("flat", "output", "fc.weight", "fc.bias")]
    inits = [f32("conv.weight", w(rng, 4, 2, 3, 3)), f32("conv.bias", w(rng, 4, lo=-0.5, hi=0.5)),
             f32("fc.weight", w(rng, 3, 4)), f32("fc.bias", w(rng, 3, lo=-0.5, hi=0.5))]
    return nodes, inits, [1, 2, 6, 6], [1, 3], TensorProto.FLOAT, \
        "Conv 3×3×4 stride 2 pads 1 ([1,2,6,6]→[1,4,3,3]) → Relu → GlobalAveragePool → Flatten → Gemm 4→3"


def op_sub_mul_div_const(rng):
    divisor = (rng.uniform(0.5, 1.0, 8) * rng.choice([-1.0, 1.0], 8)).astype(np.float32)
    nodes = [helper.make_node("Sub", ["input", "sub_c"], ["s"], name="/Sub"),
             helper.make_node("Mul", ["s", "mul_c"], ["m"], name="/Mul"),
             helper.make_node("Div", ["m", "div_c"], ["d"], name="/Div"),
             gemm("d", "output", "fc.weight", "fc.bias")]
    inits = [f32("sub_c", w(rng, 8)), f32("mul_c", w(rng, 1, 8)), f32("div_c", divisor),
             f32("fc.weight", w(rng, 4, 8)), f32("fc.bias", w(rng, 4, lo=-0.5, hi=0.5))]
    return nodes, inits, [1, 8], [1, 4], TensorProto.FLOAT, \
        "Sub c[8] → Mul c[1,8] → Div c[8] (abs(c) ≥ 0.5) elementwise on [1,8] → Gemm 8→4"


def op_transpose_squeeze_unsqueeze(rng):
    axes_const = helper.make_tensor("axes_c_value", TensorProto.INT64, [1], [2])
    axes_const2 = helper.make_tensor("axes_c2_value", TensorProto.INT64, [1], [2])
    nodes = [
        helper.make_node("Identity", ["input"], ["x0"], name="/Identity"),
        helper.make_node("Constant", [], ["axes_c"], name="/Constant", value=axes_const),
        helper.make_node("Unsqueeze", ["x0", "axes_c"], ["u1"], name="/Unsqueeze"),          # [1,6,1]
        helper.make_node("Transpose", ["u1"], ["t1"], name="/Transpose", perm=[2, 0, 1]),   # [1,1,6]
        helper.make_node("Squeeze", ["t1", "axes_0"], ["s1"], name="/Squeeze"),             # [1,6]
        gemm("s1", "g", "fc.weight", "fc.bias"),                                             # [1,4]
        helper.make_node("Unsqueeze", ["g", "axes_1"], ["u2"], name="/Unsqueeze_1"),        # [1,1,4]
        helper.make_node("Transpose", ["u2"], ["t2"], name="/Transpose_1", perm=[0, 2, 1]), # [1,4,1]
        helper.make_node("Constant", [], ["axes_c2"], name="/Constant_1", value=axes_const2),
        helper.make_node("Squeeze", ["t2", "axes_c2"], ["output"], name="/Squeeze_1"),      # [1,4]
    ]
    inits = [i64("axes_0", [0]), i64("axes_1", [1]),
             f32("fc.weight", w(rng, 4, 6)), f32("fc.bias", w(rng, 4, lo=-0.5, hi=0.5))]
    return nodes, inits, [1, 6], [1, 4], TensorProto.FLOAT, \
        "Identity → Unsqueeze(axes=Constant[2]) → Transpose[2,0,1] → Squeeze(axes=init[0]) → Gemm 6→4 → " \
        "Unsqueeze(axes=init[1]) → Transpose[0,2,1] → Squeeze(axes=Constant[2])"


def op_maxpool_stride1(rng):
    nodes = [helper.make_node("Conv", ["input", "conv.weight", "conv.bias"], ["conv_out"], name="/conv/Conv",
                              kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[1, 1], dilations=[1, 1], group=1),
             helper.make_node("Relu", ["conv_out"], ["relu_out"], name="/Relu"),
             helper.make_node("MaxPool", ["relu_out"], ["pool"], name="/MaxPool", kernel_shape=[3, 3],
                              strides=[1, 1], pads=[0, 0, 0, 0]),
             helper.make_node("Flatten", ["pool"], ["flat"], name="/Flatten", axis=1),
             gemm("flat", "output", "fc.weight", "fc.bias")]
    inits = [f32("conv.weight", w(rng, 2, 1, 3, 3)), f32("conv.bias", w(rng, 2, lo=-0.5, hi=0.5)),
             f32("fc.weight", w(rng, 3, 32)), f32("fc.bias", w(rng, 3, lo=-0.5, hi=0.5))]
    return nodes, inits, [1, 1, 6, 6], [1, 3], TensorProto.FLOAT, \
        "Conv 3×3×2 pads 1 → Relu → MaxPool 3×3 stride 1 ([1,2,6,6]→[1,2,4,4]) → Flatten → Gemm 32→3"


def op_sigmoid_output(rng):
    # Deliberately transB=0 here (weight stored [in, out]) so both Gemm layouts are covered.
    nodes = [gemm("input", "fc_out", "fc.weight", "fc.bias", trans_b=0),
             helper.make_node("Sigmoid", ["fc_out"], ["output"], name="/Sigmoid")]
    inits = [f32("fc.weight", w(rng, 8, 3)), f32("fc.bias", w(rng, 3, lo=-0.5, hi=0.5))]
    return nodes, inits, [1, 8], [1, 3], TensorProto.FLOAT, "Gemm(transB=0, weight [8,3]) → Sigmoid"


def op_argmax_output(rng):
    nodes = [gemm("input", "fc_out", "fc.weight", "fc.bias"),
             helper.make_node("ArgMax", ["fc_out"], ["output"], name="/ArgMax", axis=1, keepdims=0)]
    inits = [f32("fc.weight", w(rng, 5, 8)), f32("fc.bias", w(rng, 5, lo=-0.5, hi=0.5))]
    return nodes, inits, [1, 8], [1], TensorProto.INT64, "Gemm 8→5 → ArgMax(axis=1, keepdims=0) → int64 [1]"


def op_add_two_tensors(rng):
    nodes = [gemm("input", "a", "fa.weight", "fa.bias"),
             gemm("input", "b", "fb.weight", "fb.bias"),
             helper.make_node("Add", ["a", "b"], ["sum"], name="/Add"),
             helper.make_node("Relu", ["sum"], ["relu_out"], name="/Relu"),
             gemm("relu_out", "output", "fc.weight", "fc.bias")]
    inits = [f32("fa.weight", w(rng, 6, 8)), f32("fa.bias", w(rng, 6, lo=-0.5, hi=0.5)),
             f32("fb.weight", w(rng, 6, 8)), f32("fb.bias", w(rng, 6, lo=-0.5, hi=0.5)),
             f32("fc.weight", w(rng, 3, 6)), f32("fc.bias", w(rng, 3, lo=-0.5, hi=0.5))]
    return nodes, inits, [1, 8], [1, 3], TensorProto.FLOAT, \
        "Gemm 8→6 (a) and Gemm 8→6 (b) from the same input → Add(a, b) → Relu → Gemm 6→3"


def op_batchnorm_after_gemm(rng):
    nodes = [gemm("input", "fc1_out", "fc1.weight", "fc1.bias"),
             helper.make_node("BatchNormalization", ["fc1_out", "bn.weight", "bn.bias", "bn.running_mean",
                                                     "bn.running_var"], ["bn_out"], name="/bn/BatchNormalization",
                              epsilon=BN_EPS, momentum=0.9),
             helper.make_node("Relu", ["bn_out"], ["relu_out"], name="/Relu"),
             gemm("relu_out", "output", "fc2.weight", "fc2.bias")]
    inits = [f32("fc1.weight", w(rng, 6, 8)), f32("fc1.bias", w(rng, 6, lo=-0.5, hi=0.5)),
             f32("bn.weight", w(rng, 6, lo=0.5, hi=1.0) * rng.choice([-1.0, 1.0], 6).astype(np.float32)),
             f32("bn.bias", w(rng, 6, lo=-0.5, hi=0.5)),
             f32("bn.running_mean", w(rng, 6)), f32("bn.running_var", w(rng, 6, lo=0.25, hi=1.0)),
             f32("fc2.weight", w(rng, 3, 6)), f32("fc2.bias", w(rng, 3, lo=-0.5, hi=0.5))]
    return nodes, inits, [1, 8], [1, 3], TensorProto.FLOAT, \
        "Gemm 8→6 → BatchNormalization on [1,6] (scale has mixed signs) → Relu → Gemm 6→3"


OP_MODELS = [
    ("gemm_leakyrelu", op_gemm_leakyrelu),
    ("matmul_add_clip", op_matmul_add_clip),
    ("conv_stride_pad_globalavg", op_conv_stride_pad_globalavg),
    ("sub_mul_div_const", op_sub_mul_div_const),
    ("transpose_squeeze_unsqueeze", op_transpose_squeeze_unsqueeze),
    ("maxpool_stride1", op_maxpool_stride1),
    ("sigmoid_output", op_sigmoid_output),
    ("argmax_output", op_argmax_output),
    ("add_two_tensors", op_add_two_tensors),
    ("batchnorm_after_gemm", op_batchnorm_after_gemm),
]


def build_op_models():
    results = []
    ops_dir = os.path.join(ROOT, "ops")
    os.makedirs(ops_dir, exist_ok=True)
    for i, (name, fn) in enumerate(OP_MODELS):
        rng = np.random.default_rng(1000 + i)
        built = fn(rng)
        nodes, inits, in_shape, out_shape, out_dtype, desc = built[:6]
        forced = built[6] if len(built) > 6 else []
        model = build_model(name, nodes, inits, in_shape, out_shape, out_dtype, doc=desc)
        path = os.path.join(ops_dir, name + ".onnx")
        save_model(model, path)
        size = int(np.prod(in_shape))
        # inputs: uniform in [-2, 2] rounded to 4 decimals, so the JSON value is exactly what onnxruntime sees
        samples = [[input_number(v) for v in np.round(rng.uniform(-2.0, 2.0, size), 4)]
                   for _ in range(N_OP_SAMPLES)]
        for j, f in enumerate(forced):
            samples[j] = [input_number(v) for v in f]
        outs = run_ort(ort_session(path), samples, in_shape)
        if out_dtype == TensorProto.INT64:
            out_lists = [[int(v) for v in o.reshape(-1)] for o in outs]
            dtype = "int64"
        else:
            out_lists = [[output_number(v) for v in o.reshape(-1)] for o in outs]
            dtype = "float32"
        dump_json(os.path.join(ops_dir, name + ".json"), {
            "inputs": samples, "outputs": out_lists, "input_shape": in_shape, "output_shape": out_shape,
            "output_dtype": dtype})
        results.append((name, model, path, desc))
    return results


# ----------------------------------------------------------------------------------------------------------------
# Self-check, manifest, README
# ----------------------------------------------------------------------------------------------------------------

def self_check(model_names, op_names):
    """Reload every .onnx with the checker and onnxruntime and replay the fixtures exactly."""
    for name in model_names:
        folder = os.path.join(ROOT, name)
        path = os.path.join(folder, "model.onnx")
        m = onnx.load(path)
        onnx.checker.check_model(m, full_check=True)
        assert m.ir_version == IR_VERSION and m.opset_import[0].version == OPSET
        assert [i.name for i in m.graph.input] == ["input"] and len(m.graph.output) == 1
        exp = json.load(open(os.path.join(folder, "expected.json")))
        split_in = json.load(open(os.path.join(folder, "test_split.json")))["input_data"]
        tin = json.load(open(os.path.join(folder, "test_inputs.json")))["input_data"]
        one = json.load(open(os.path.join(folder, "input.json")))["input_data"]
        cal = json.load(open(os.path.join(folder, "calibration.json")))["input_data"]
        n_in = int(np.prod(exp["input_shape"]))
        assert len(split_in) == exp["test_count"] == len(exp["labels"]) == len(exp["float_predictions"])
        assert tin == split_in[:N_TEST_INPUTS] and one == [split_in[0]]
        assert len(cal) == 1 and len(cal[0]) == N_CALIBRATION * n_in
        assert all(len(s) == n_in for s in split_in)
        sess = ort_session(path)
        outs = run_ort(sess, split_in, exp["input_shape"])
        preds = [int(np.argmax(o)) for o in outs]
        assert preds == exp["float_predictions"], name
        for o, e in zip(outs[:N_TEST_INPUTS], exp["float_outputs"]):
            assert np.array_equal(o.reshape(-1), np.asarray(e, dtype=np.float32)), name
        acc = float(np.mean(np.asarray(preds) == np.asarray(exp["labels"])))
        assert acc == exp["float_accuracy"]
    for name in op_names:
        path = os.path.join(ROOT, "ops", name + ".onnx")
        m = onnx.load(path)
        onnx.checker.check_model(m, full_check=True)
        data = json.load(open(os.path.join(ROOT, "ops", name + ".json")))
        outs = run_ort(ort_session(path), data["inputs"], data["input_shape"])
        for o, e in zip(outs, data["outputs"]):
            assert np.array_equal(o.reshape(-1), np.asarray(e, dtype=o.dtype)), name
            assert list(o.shape) == data["output_shape"], name


def human_size(n):
    return "%.1f KiB" % (n / 1024.0) if n < 1024 * 1024 else "%.2f MiB" % (n / 1024.0 / 1024.0)


def dir_size(path):
    total = 0
    for dp, _, files in os.walk(path):
        for f in files:
            if "__pycache__" in dp:
                continue
            total += os.path.getsize(os.path.join(dp, f))
    return total


README_BEGIN = "<!-- BEGIN GENERATED TABLES (generate_models.py) -->"
README_END = "<!-- END GENERATED TABLES -->"


def render_tables(rows, op_rows):
    lines = ["| model | dataset | architecture | ONNX ops used | params | float test acc | model.onnx |",
             "|---|---|---|---|---:|---:|---:|"]
    for r in rows:
        lines.append("| `%s` | %s | %s | %s | %d | %.4f (%d/%d) | %s |" % (
            r["name"], r["dataset"], r["architecture"], ", ".join(r["ops"]), r["params"], r["accuracy"],
            r["correct"], r["test_count"], human_size(r["onnx_bytes"])))
    lines += ["", "Op-coverage micro models (`ops/<name>.onnx` + `ops/<name>.json`, 5 inputs uniform in [-2, 2] "
                  "rounded to 4 decimals, random weights abs(w) ≤ 1):", "",
              "| name | graph | nodes | params | size |", "|---|---|---|---:|---:|"]
    for r in op_rows:
        lines.append("| `%s` | %s | %s | %d | %s |" % (r["name"], r["description"], " → ".join(r["nodes"]),
                                                      r["params"], human_size(r["onnx_bytes"])))
    return "\n".join(lines)


def update_readme(tables):
    path = os.path.join(ROOT, "README.md")
    if not os.path.exists(path):
        print("README.md missing; tables not written", file=sys.stderr)
        return
    text = open(path).read()
    a, b = text.find(README_BEGIN), text.find(README_END)
    if a < 0 or b < 0:
        print("README.md has no generated-table markers; tables not written", file=sys.stderr)
        return
    text = text[:a + len(README_BEGIN)] + "\n" + tables + "\n" + text[b:]
    with open(path, "w") as fh:
        fh.write(text)


def sha256(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def main():
    t0 = time.time()
    np.random.seed(0)
    builders = [build_iris, build_digits_mlp, build_digits_cnn, build_mnist_mlp, build_mnist_lenet]
    rows = []
    for b in builders:
        t = time.time()
        name, model, Xtr, Xte, ytr, yte, info = b()
        acc, in_shape, out_shape = write_model_fixtures(name, model, Xtr, Xte, ytr, yte)
        path = os.path.join(ROOT, name, "model.onnx")
        rows.append(dict(name=name, accuracy=acc, correct=int(round(acc * len(yte))), test_count=len(yte),
                         train_count=len(ytr), params=param_count(model), ops=op_list(model),
                         nodes=node_list(model), onnx_bytes=os.path.getsize(path), input_shape=in_shape,
                         output_shape=out_shape, sha256=sha256(path), seconds=round(time.time() - t, 2),
                         **info))
    op_rows = []
    for name, model, path, desc in build_op_models():
        op_rows.append(dict(name=name, description=desc, ops=op_list(model), nodes=node_list(model),
                            params=param_count(model), onnx_bytes=os.path.getsize(path), sha256=sha256(path)))

    self_check([r["name"] for r in rows], [r["name"] for r in op_rows])

    manifest = {
        "generator": "Circuits/generate_models.py",
        "opset": OPSET, "ir_version": IR_VERSION,
        "versions": {"numpy": np.__version__, "onnx": onnx.__version__, "onnxruntime": ort.__version__,
                     "scikit-learn": __import__("sklearn").__version__},
        "models": [{k: r[k] for k in ("name", "dataset", "architecture", "input_shape", "output_shape", "ops",
                                      "nodes", "params", "accuracy", "test_count", "train_count", "onnx_bytes",
                                      "sha256")} for r in rows],
        "ops": [{k: r[k] for k in ("name", "description", "ops", "nodes", "params", "onnx_bytes", "sha256")}
                for r in op_rows],
    }
    dump_json(os.path.join(ROOT, "manifest.json"), manifest)
    update_readme(render_tables(rows, op_rows))

    print("%-22s %-14s %-14s %8s %8s %10s %7s" % ("model", "input", "output", "params", "acc", "onnx", "secs"))
    for r in rows:
        print("%-22s %-14s %-14s %8d %8.4f %10s %7.2f" % (
            r["name"], r["input_shape"], r["output_shape"], r["params"], r["accuracy"],
            human_size(r["onnx_bytes"]), r["seconds"]))
        print("    nodes: %s   (%s)" % (" -> ".join(r["nodes"]), r["note"]))
    print()
    for r in op_rows:
        print("%-28s %6d params %9s   %s" % (r["name"], r["params"], human_size(r["onnx_bytes"]),
                                            " -> ".join(r["nodes"])))
    print()
    print("self-check passed (onnx.checker full_check + onnxruntime replay of every fixture)")
    print("Circuits/ total size: %s;  run time %.1f s" % (human_size(dir_size(ROOT)), time.time() - t0))
    for r in rows:
        if r["name"] == "iris_logreg":
            assert r["accuracy"] >= 0.9, r
        else:
            assert r["accuracy"] >= 0.95, r


if __name__ == "__main__":
    main()
