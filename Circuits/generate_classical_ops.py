#!/usr/bin/env python3
"""Micro models of the ai.onnx.ml ops (issue 15), with onnxruntime's outputs on inputs of the quantization grid.

    python3 Circuits/generate_classical_ops.py   # numpy, onnx, onnxruntime, scikit-learn, skl2onnx (Circuits/requirements.txt)

Writes Circuits/classical_ops/<name>/model.onnx and cases.json: {"inputs": [[...]], "labels": [text or null],
"scores": [[...]], "grid_bits": b}. Every input is a multiple of 2^-b with |x| < 4, so a model compiled with its input
at scale ≥ b sees it exactly; TreeEnsembleTests requires the label (and every split decision) to equal onnxruntime's on
every case. Fixed seeds.
"""

import json
import os
import warnings

warnings.filterwarnings("ignore")

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "classical_ops")
GRID_BITS = 4
ML = "ai.onnx.ml"


def model(name, nodes, n_in, outputs, inits=(), ml_opset=3):
    inp = helper.make_tensor_value_info("X", TensorProto.FLOAT, [None, n_in])
    g = helper.make_graph(nodes, name, [inp], outputs, initializer=list(inits))
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 15), helper.make_opsetid(ML, ml_opset)],
                          producer_name="zkinfer generate_classical_ops.py")
    m.ir_version = 8
    onnx.checker.check_model(m)
    return m


def out_f(name, n):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, [None, n])


def out_i(name):
    return helper.make_tensor_value_info(name, TensorProto.INT64, [None])


def out_s(name):
    return helper.make_tensor_value_info(name, TensorProto.STRING, [None])


def grid_inputs(n_in, count, rng, bits=GRID_BITS, special=()):
    X = rng.integers(-48, 48, size=(count, n_in)) / 2.0 ** bits
    rows = [list(r) for r in X] + [list(s) for s in special]
    return np.array(rows, dtype=np.float32)


def write(name, m, X, calibration=None):
    folder = os.path.join(ROOT, name)
    os.makedirs(folder, exist_ok=True)
    onnx.save(m, os.path.join(folder, "model.onnx"))
    s = ort.InferenceSession(m.SerializeToString(), providers=["CPUExecutionProvider"])
    labels, scores = [], []
    for x in X:
        r = s.run(None, {"X": x.reshape(1, -1)})
        if len(r) == 2:
            labels.append(str(np.asarray(r[0]).reshape(-1)[0].decode() if isinstance(np.asarray(r[0]).reshape(-1)[0], bytes) else np.asarray(r[0]).reshape(-1)[0]))
            sc = r[1]
        else:
            labels.append(None)
            sc = r[0]
        if isinstance(sc, list):
            sc = [sc[0][k] for k in sorted(sc[0].keys())]
        scores.append([float(np.float32(v)) for v in np.asarray(sc).reshape(-1)])
    with open(os.path.join(folder, "cases.json"), "w") as f:
        doc = {"inputs": [[float(v) for v in x] for x in X], "labels": labels, "scores": scores,
               "grid_bits": GRID_BITS if calibration is None else None}
        if calibration is not None:
            doc["calibration"] = [[float(v) for v in x] for x in calibration]
        json.dump(doc, f, separators=(",", ":"))
    print("%-28s %d cases, outputs %s" % (name, len(X), [o.name for o in m.graph.output]))


def stump_forest(modes, thresholds):
    """One single-split tree per (mode, threshold) on feature 0 or 1; tree k votes 1 (true) or 2 (false) for target k."""
    attrs = dict(nodes_treeids=[], nodes_nodeids=[], nodes_featureids=[], nodes_modes=[], nodes_values=[],
                 nodes_truenodeids=[], nodes_falsenodeids=[], target_treeids=[], target_nodeids=[], target_ids=[], target_weights=[])
    k = 0
    for mode in modes:
        for t in thresholds:
            f = k % 2
            for nid, (m, v, tr, fa) in enumerate([(mode, t, 1, 2), ("LEAF", 0.0, 0, 0), ("LEAF", 0.0, 0, 0)]):
                attrs["nodes_treeids"].append(k); attrs["nodes_nodeids"].append(nid); attrs["nodes_featureids"].append(f if nid == 0 else 0)
                attrs["nodes_modes"].append(m); attrs["nodes_values"].append(v)
                attrs["nodes_truenodeids"].append(tr); attrs["nodes_falsenodeids"].append(fa)
            for nid, w in [(1, 1.0), (2, 2.0)]:
                attrs["target_treeids"].append(k); attrs["target_nodeids"].append(nid); attrs["target_ids"].append(k); attrs["target_weights"].append(w)
            k += 1
    return k, attrs


def main():
    rng = np.random.default_rng(15)
    modes = ["BRANCH_LEQ", "BRANCH_LT", "BRANCH_GTE", "BRANCH_GT", "BRANCH_EQ", "BRANCH_NEQ"]
    # On the grid, off it, next to it (float32 neighbours of 0.25), negative, and beyond the inputs' range.
    thresholds = [0.25, 0.3, float(np.nextafter(np.float32(0.25), np.float32(1))), float(np.nextafter(np.float32(0.25), np.float32(0))),
                  -0.5, -1.0625, 2.96875, 100.0, -100.0]
    n, attrs = stump_forest(modes, thresholds)
    X = grid_inputs(2, 200, rng, special=[[0.25, 0.25], [0.3125, -0.5], [-0.5, 0.3125], [-1.0625, -1.0625], [2.9375, 3.0]])
    write("tree_split_modes", model("tree_split_modes", [helper.make_node("TreeEnsembleRegressor", ["X"], ["Y"], domain=ML, n_targets=n, **attrs)],
                                   2, [out_f("Y", n)]), X)

    # scikit-learn classifiers and regressors on grid data (their own thresholds: midpoints between grid values).
    from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier, RandomForestRegressor
    from sklearn.linear_model import LogisticRegression
    from skl2onnx import to_onnx
    Xtr = grid_inputs(4, 300, rng)
    y3 = (Xtr[:, 0] + Xtr[:, 1] > 0).astype(int) + (Xtr[:, 2] > 1).astype(int)
    y2 = (Xtr[:, 0] - Xtr[:, 3] > 0.5).astype(int)
    Xt = grid_inputs(4, 120, rng)
    opset = {"": 15, ML: 3}
    write("rf_binary", to_onnx(RandomForestClassifier(n_estimators=4, max_depth=4, random_state=0).fit(Xtr, y2), Xtr[:1],
                               options={RandomForestClassifier: {"zipmap": False}}, target_opset=opset), Xt)
    write("rf_multiclass_zipmap", to_onnx(RandomForestClassifier(n_estimators=4, max_depth=4, random_state=1).fit(Xtr, y3), Xtr[:1], target_opset=opset), Xt)
    write("gb_binary_logistic", to_onnx(GradientBoostingClassifier(n_estimators=6, max_depth=3, random_state=0).fit(Xtr, y2), Xtr[:1],
                                        options={GradientBoostingClassifier: {"zipmap": False}}, target_opset=opset), Xt)
    write("gb_multiclass_softmax", to_onnx(GradientBoostingClassifier(n_estimators=5, max_depth=2, random_state=0).fit(Xtr, y3), Xtr[:1],
                                           options={GradientBoostingClassifier: {"zipmap": False}}, target_opset=opset), Xt)
    yr = Xtr[:, 0] * 2 - Xtr[:, 1] + 0.5 * Xtr[:, 2] * Xtr[:, 3]
    write("rf_regressor_two_targets", to_onnx(RandomForestRegressor(n_estimators=5, max_depth=4, random_state=0).fit(Xtr, np.stack([yr, -yr], 1)),
                                              Xtr[:1], target_opset=opset), Xt)
    write("logreg_multiclass", to_onnx(LogisticRegression(max_iter=2000).fit(Xtr, y3), Xtr[:1], target_opset=opset), Xt)
    # SGDClassifier: MatMul, Add, ArgMax, then ArrayFeatureExtractor of the (string) classes, Reshape and Cast — the label.
    from sklearn.linear_model import SGDClassifier
    names = np.array(["low", "mid", "high"])
    write("sgd_string_labels", to_onnx(SGDClassifier(random_state=0).fit(Xtr, names[y3]), Xtr[:1], target_opset=opset), Xt)

    # Hand-written ops and attribute forms exporters use.
    tree = dict(nodes_treeids=[0, 0, 0, 0, 0, 1, 1, 1], nodes_nodeids=[0, 1, 2, 3, 4, 0, 1, 2], nodes_featureids=[0, 1, 0, 0, 0, 2, 0, 0],
                nodes_modes=["BRANCH_LEQ", "BRANCH_GT", "LEAF", "LEAF", "LEAF", "BRANCH_LT", "LEAF", "LEAF"],
                nodes_values=[0.5, -0.25, 0, 0, 0, 1.5, 0, 0], nodes_truenodeids=[1, 3, 0, 0, 0, 1, 0, 0], nodes_falsenodeids=[2, 4, 0, 0, 0, 2, 0, 0])
    avg = helper.make_node("TreeEnsembleRegressor", ["X"], ["Y"], domain=ML, n_targets=1, aggregate_function="AVERAGE", base_values=[0.75],
                           target_treeids=[0, 0, 0, 1, 1], target_nodeids=[2, 3, 4, 1, 2], target_ids=[0] * 5, target_weights=[1.0, -2.0, 3.5, 0.5, -1.25],
                           **tree)
    write("tree_regressor_average", model("tree_regressor_average", [avg], 3, [out_f("Y", 1)]), grid_inputs(3, 150, rng))
    strings = helper.make_node("TreeEnsembleClassifier", ["X"], ["label", "probabilities"], domain=ML, classlabels_strings=["cat", "dog", "emu"],
                               class_treeids=[0, 0, 0, 0, 1, 1, 1], class_nodeids=[2, 3, 3, 4, 1, 2, 2], class_ids=[0, 1, 2, 2, 0, 1, 2],
                               class_weights=[0.5, 0.25, 0.25, 1.0, 0.75, 0.125, 0.125], post_transform="NONE", **tree)
    write("tree_classifier_string_labels", model("tree_classifier_string_labels", [strings], 3, [out_s("label"), out_f("probabilities", 3)]),
          grid_inputs(3, 150, rng))
    # ai.onnx.ml opset 5 TreeEnsemble (roots and leaves as separate arrays; modes and splits as tensors).
    te5 = helper.make_node("TreeEnsemble", ["X"], ["Y"], domain=ML, n_targets=2, aggregate_function=1, post_transform=0,
                           tree_roots=[0, 2], nodes_featureids=[0, 1, 2], nodes_truenodeids=[1, 0, 2], nodes_trueleafs=[0, 1, 1],
                           nodes_falsenodeids=[1, 1, 3], nodes_falseleafs=[1, 1, 1],
                           nodes_modes=numpy_helper.from_array(np.array([0, 3, 1], dtype=np.uint8), "nodes_modes"),
                           nodes_splits=numpy_helper.from_array(np.array([0.5, -0.25, 1.5], dtype=np.float32), "nodes_splits"),
                           leaf_targetids=[0, 1, 0, 1], leaf_weights=numpy_helper.from_array(np.array([1.0, 2.0, -1.5, 0.25], dtype=np.float32), "leaf_weights"))
    write("tree_ensemble_opset5", model("tree_ensemble_opset5", [te5], 3, [out_f("Y", 2)], ml_opset=5), grid_inputs(3, 150, rng))
    one_row = helper.make_node("LinearClassifier", ["X"], ["label", "scores"], domain=ML, coefficients=[0.5, -1.25, 2.0], intercepts=[0.125],
                               classlabels_strings=["no", "yes"], post_transform="NONE")
    write("linear_classifier_one_row", model("linear_classifier_one_row", [one_row], 3, [out_s("label"), out_f("scores", 2)]), grid_inputs(3, 150, rng))
    logistic = helper.make_node("LinearClassifier", ["X"], ["label", "probabilities"], domain=ML, coefficients=[0.5, -1.0, 0.25, -0.5, 1.0, 0.75],
                                intercepts=[0.1, -0.1], classlabels_ints=[3, 7], post_transform="LOGISTIC")
    write("linear_classifier_logistic", model("linear_classifier_logistic", [logistic], 3, [out_i("label"), out_f("probabilities", 2)]),
          grid_inputs(3, 150, rng))
    regressor = helper.make_node("LinearRegressor", ["X"], ["Y"], domain=ML, coefficients=[0.5, -1.0, 0.25, 2.0, 0.0, -0.75], intercepts=[1.0, -2.0], targets=2)
    write("linear_regressor", model("linear_regressor", [regressor], 3, [out_f("Y", 2)]), grid_inputs(3, 60, rng))
    chain = [helper.make_node("Scaler", ["X"], ["S"], domain=ML, offset=[0.5, -0.25, 0.0], scale=[2.0, 0.5, 1.5]),
             helper.make_node("Binarizer", ["S"], ["Y"], domain=ML, threshold=0.25)]
    write("scaler_binarizer", model("scaler_binarizer", chain, 3, [out_f("Y", 3)]), grid_inputs(3, 150, rng))
    # Normalizer L1 and L2 (as scikit-learn's Normalizer writes them) before a linear model; rows include zeros.
    for norm in ["L1", "L2"]:
        nodes = [helper.make_node("Normalizer", ["X"], ["N"], domain=ML, norm=norm),
                 helper.make_node("LinearRegressor", ["N"], ["Y"], domain=ML, coefficients=[0.5, -1.0, 0.25, 2.0, 0.0, -0.75, 1.5, 1.0, -2.0],
                                  intercepts=[0.1, -0.2, 0.3], targets=3)]
        write("normalizer_" + norm.lower(), model("normalizer_" + norm.lower(), nodes, 3, [out_f("Y", 3)]),
              grid_inputs(3, 120, rng, special=[[0, 0, 0], [0.0625, 0, 0], [-2.9375, 2.9375, -2.9375]]))
    afe = [helper.make_node("LinearRegressor", ["X"], ["R"], domain=ML, coefficients=[0.5, -1.0, 0.25, 2.0, 0.0, -0.75], intercepts=[1.0, -2.0], targets=2),
           helper.make_node("ArrayFeatureExtractor", ["R", "idx"], ["Y"], domain=ML)]
    write("array_feature_extractor", model("array_feature_extractor", afe, 3, [out_f("Y", 1)], inits=[numpy_helper.from_array(np.array([1], dtype=np.int64), "idx")]),
          grid_inputs(3, 60, rng))

    # Unrounded data (breast cancer: up to 5 significant digits, values up to 4254): not on any grid. Compiled with
    # 64 calibration rows, the input scale is raised until their decisions survive rounding (plus 4 bits); the test
    # requires every test label to agree with onnxruntime.
    import xgboost
    from onnxmltools import convert_xgboost
    from onnxmltools.convert.common.data_types import FloatTensorType
    from sklearn.datasets import load_breast_cancer
    from sklearn.model_selection import train_test_split
    bc = load_breast_cancer()
    Xtr, Xte, ytr, yte = train_test_split(bc.data.astype(np.float32), bc.target, test_size=0.3, random_state=1)
    rf = RandomForestClassifier(n_estimators=10, max_depth=8, random_state=0).fit(Xtr, ytr)
    write("raw_data_random_forest", to_onnx(rf, Xtr[:1], options={RandomForestClassifier: {"zipmap": False}}, target_opset=opset), Xte, calibration=Xtr[:64])
    xgbr = xgboost.XGBRegressor(n_estimators=10, max_depth=3, random_state=0).fit(Xtr[:, :8] / 4096, Xtr[:, 0] / 100)
    write("raw_data_xgboost_regressor", convert_xgboost(xgbr, initial_types=[("X", FloatTensorType([None, 8]))], target_opset=15),
          Xte[:, :8] / 4096, calibration=Xtr[:, :8] / 4096)
    xgb = xgboost.XGBClassifier(n_estimators=30, max_depth=4, random_state=0).fit(Xtr, ytr)
    write("raw_data_xgboost", convert_xgboost(xgb, initial_types=[("X", FloatTensorType([None, Xtr.shape[1]]))], target_opset=15), Xte,
          calibration=Xtr[:64])


if __name__ == "__main__":
    main()
