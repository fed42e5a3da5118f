#!/usr/bin/env python3
"""Small ONNX files that zkinfer's importer must reject with a ModelError (never a trap).

    python3 Tests/ZKModelTests/Fixtures/make_bad_models.py

Writes Tests/ZKModelTests/Fixtures/bad/<name>.onnx and bad/index.json (name → what the error must name).
Deterministic (fixed weights, no randomness), so a rerun rewrites identical bytes. Every model is built with
onnx.helper and is *structurally* a valid protobuf; most also pass onnx.checker (the ones that abuse attributes
or shapes on purpose are not checked). BadInputTests.swift reads the files via #filePath.
"""

import json
import os

import numpy as np
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "bad")
OPSET = 13


def f32(name, arr):
    return numpy_helper.from_array(np.asarray(arr, dtype=np.float32), name)


def i64(name, arr):
    return numpy_helper.from_array(np.asarray(arr, dtype=np.int64), name)


def weights(*shape):
    """Fixed, non-random weights: a ramp in [-1, 1]."""
    n = int(np.prod(shape))
    return np.linspace(-1.0, 1.0, n, dtype=np.float32).reshape(shape)


def model(nodes, inits, inp, out, name, extra_domains=(), opset=OPSET):
    graph = helper.make_graph(nodes, name, [inp], [out], initializer=inits)
    opsets = [helper.make_opsetid("", opset)] + [helper.make_opsetid(d, 1) for d in extra_domains]
    m = helper.make_model(graph, opset_imports=opsets, producer_name="make_bad_models.py")
    m.ir_version = 7 if opset < 17 else 9
    return m


def vi(name, dims, elem=TensorProto.FLOAT):
    return helper.make_tensor_value_info(name, elem, dims)


def gemm(inp, out, k, n, prefix, name):
    return (helper.make_node("Gemm", [inp, prefix + "_W", prefix + "_b"], [out], name=name, transB=1),
            [f32(prefix + "_W", weights(n, k)), f32(prefix + "_b", weights(n))])


def build():
    cases = {}

    # An op zkinfer does not lower (Hardmax), in a named node.
    g, inits = gemm("input", "h", 4, 3, "fc", "fc1")
    cases["unsupported_hardmax"] = (
        model([g, helper.make_node("Hardmax", ["h"], ["output"], name="my_hardmax")], inits,
              vi("input", [1, 4]), vi("output", [1, 3]), "unsupported_hardmax"),
        {"kind": "unsupportedOp", "op": "Hardmax", "node": "my_hardmax"})

    # An op from another domain.
    cases["custom_domain_op"] = (
        model([helper.make_node("FusedThing", ["input"], ["output"], name="custom_node", domain="com.example")], [],
              vi("input", [1, 4]), vi("output", [1, 4]), "custom_domain_op", extra_domains=["com.example"]),
        {"kind": "unsupportedOp", "op": "com.example.FusedThing", "node": "custom_node"})

    # A dynamic (symbolic) non-batch dimension.
    g, inits = gemm("input", "output", 4, 3, "fc", "fc1")
    cases["dynamic_shape"] = (
        model([g], inits, vi("input", [1, "features"]), vi("output", [1, 3]), "dynamic_shape"),
        {"kind": "unsupported", "node": "input", "contains": "dynamic"})

    # A dimension with neither a value nor a name.
    g, inits = gemm("input", "output", 4, 3, "fc", "fc1")
    cases["unknown_dim"] = (
        model([g], inits, vi("input", [1, None]), vi("output", [1, 3]), "unknown_dim"),
        {"kind": "unsupported", "node": "input", "contains": "dynamic"})

    # An integer (int64) model input.
    g, inits = gemm("input", "output", 4, 3, "fc", "fc1")
    cases["int_input"] = (
        model([g], inits, vi("input", [1, 4], TensorProto.INT64), vi("output", [1, 3]), "int_input"),
        {"kind": "unsupported", "node": "input", "contains": "data type 7"})

    # Nonlinear layers (issue 14) with what they cannot take: a Softmax axis outside the tensor, a LayerNormalization
    # whose Scale is computed, a Gelu approximation ONNX does not define, a Pow whose exponent is computed, a Log of a
    # tensor that reaches 0 (no table covers it).
    g1, i1 = gemm("input", "h", 4, 3, "fc1", "fc1")
    g2, i2 = gemm("p", "output", 3, 2, "fc2", "fc2")
    cases["softmax_bad_axis"] = (
        model([g1, helper.make_node("Softmax", ["h"], ["p"], name="hidden_sm", axis=3), g2], i1 + i2,
              vi("input", [1, 4]), vi("output", [1, 2]), "softmax_bad_axis"),
        {"kind": "any", "op": "Softmax", "node": "hidden_sm", "contains": "axis"})
    g1, i1 = gemm("input", "h", 4, 3, "fc1", "fc1")
    g2, i2 = gemm("p", "output", 3, 2, "fc2", "fc2")
    cases["layernorm_computed_scale"] = (
        model([g1, helper.make_node("LayerNormalization", ["h", "h"], ["p"], name="ln_dyn", axis=-1), g2], i1 + i2,
              vi("input", [1, 4]), vi("output", [1, 2]), "layernorm_computed_scale", opset=17),
        {"kind": "unsupported", "node": "ln_dyn", "contains": "Scale"})
    g, inits = gemm("input", "h", 4, 3, "fc", "fc1")
    cases["gelu_bad_approximate"] = (
        model([g, helper.make_node("Gelu", ["h"], ["output"], name="gelu_fast", approximate="fast")], inits,
              vi("input", [1, 4]), vi("output", [1, 3]), "gelu_bad_approximate", opset=20),
        {"kind": "unsupported", "node": "gelu_fast", "contains": "approximate"})
    g, inits = gemm("input", "h", 4, 3, "fc", "fc1")
    cases["pow_tensor_exponent"] = (
        model([g, helper.make_node("Pow", ["h", "h"], ["output"], name="pow_dyn")], inits,
              vi("input", [1, 4]), vi("output", [1, 3]), "pow_tensor_exponent"),
        {"kind": "unsupported", "node": "pow_dyn", "contains": "exponent"})
    g, inits = gemm("input", "h", 4, 3, "fc", "fc1")
    cases["log_reaches_zero"] = (
        model([g, helper.make_node("Log", ["h"], ["output"], name="log_any")], inits,
              vi("input", [1, 4]), vi("output", [1, 3]), "log_reaches_zero"),
        {"kind": "quantize", "node": "log_any", "contains": "tabulate"})

    # Conv with group = 3 on 4 input channels (grouped convolutions are supported; this one is inconsistent).
    cases["conv_group_mismatch"] = (
        model([helper.make_node("Conv", ["input", "W"], ["output"], name="grouped_conv", group=3,
                                kernel_shape=[3, 3], pads=[0, 0, 0, 0], strides=[1, 1])],
              [f32("W", weights(3, 1, 3, 3))], vi("input", [1, 4, 5, 5]), vi("output", [1, 3, 3, 3]), "conv_group_mismatch"),
        {"kind": "any", "op": "Conv", "node": "grouped_conv", "contains": "group"})

    # Two model inputs.
    cases["two_inputs"] = (
        model([helper.make_node("Add", ["input", "input2"], ["output"], name="add2")], [],
              vi("input", [1, 4]), vi("output", [1, 4]), "two_inputs"),
        {"kind": "unsupported", "node": "graph", "contains": "exactly one input"})
    cases["two_inputs"][0].graph.input.append(vi("input2", [1, 4]))

    # Batch size 2.
    g, inits = gemm("input", "output", 4, 3, "fc", "fc1")
    cases["batch2"] = (
        model([g], inits, vi("input", [2, 4]), vi("output", [2, 3]), "batch2"),
        {"kind": "unsupported", "node": "input", "contains": "batch"})

    # Division by a computed tensor that may be 0: its reciprocal has no table over the divisor's range.
    cases["div_two_tensors"] = (
        model([helper.make_node("Relu", ["input"], ["r"], name="relu_in"),
               helper.make_node("Div", ["input", "r"], ["output"], name="div_dyn")], [],
              vi("input", [1, 4]), vi("output", [1, 4]), "div_two_tensors"),
        {"kind": "quantize", "node": "div_dyn", "contains": "tabulate"})

    # MatMul by a constant with one weight matrix per batch entry.
    cases["matmul_batched_weights"] = (
        model([helper.make_node("MatMul", ["input", "W3"], ["output"], name="mm_batched_w")],
              [f32("W3", weights(2, 4, 3))], vi("input", [1, 2, 3, 4]), vi("output", [1, 2, 3, 3]), "matmul_batched_weights"),
        {"kind": "unsupported", "op": "MatMul", "node": "mm_batched_w", "contains": "batch"})

    # Slice bounds computed from the input: not computable at compile time.
    cases["slice_dynamic_starts"] = (
        model([helper.make_node("Cast", ["input"], ["starts"], name="cast_starts", to=TensorProto.INT64),
               helper.make_node("Slice", ["input", "starts", "ends"], ["output"], name="slice_dyn")],
              [i64("ends", [4])], vi("input", [1]), vi("output", [1]), "slice_dynamic_starts"),
        {"kind": "unsupported", "node": "cast_starts", "contains": "Cast of a computed tensor"})

    # An embedding lookup (Gather from a constant table by computed indices): not supported yet, named.
    cases["gather_computed_indices"] = (
        model([helper.make_node("Relu", ["input"], ["ids"], name="relu_ids"),
               helper.make_node("Gather", ["table", "ids"], ["output"], name="embed_lookup", axis=0)],
              [f32("table", weights(10, 3))], vi("input", [1, 2]), vi("output", [1, 2, 3]), "gather_computed_indices"),
        {"kind": "unsupported", "op": "Gather", "node": "embed_lookup", "contains": "embedding"})

    # A node reading a value that is never defined.
    cases["undefined_value"] = (
        model([helper.make_node("Relu", ["nowhere"], ["output"], name="relu_undef")], [],
              vi("input", [1, 4]), vi("output", [1, 4]), "undefined_value"),
        {"kind": "malformedONNX", "node": "relu_undef", "contains": "nowhere"})

    # Hostile attributes and shapes: each of these must be a ModelError, not a trap.
    # auto_pad SAME_UPPER with zero strides (a division by the stride).
    cases["autopad_zero_stride"] = (
        model([helper.make_node("MaxPool", ["input"], ["output"], name="pool_zero_stride", kernel_shape=[2, 2],
                                strides=[0, 0], auto_pad="SAME_UPPER")], [],
              vi("input", [1, 1, 4, 4]), vi("output", [1, 1, 4, 4]), "autopad_zero_stride"),
        {"kind": "any", "op": "MaxPool", "node": "pool_zero_stride", "contains": "strides"})
    # auto_pad SAME_UPPER with a one-element strides list.
    cases["autopad_short_strides"] = (
        model([helper.make_node("MaxPool", ["input"], ["output"], name="pool_short_strides", kernel_shape=[2, 2],
                                strides=[1], auto_pad="SAME_UPPER")], [],
              vi("input", [1, 1, 4, 4]), vi("output", [1, 1, 4, 4]), "autopad_short_strides"),
        {"kind": "any", "op": "MaxPool", "node": "pool_short_strides", "contains": "strides"})
    # Reshape to a shape whose entries do not fit an Int (int64 max, read through a Double).
    cases["reshape_huge_dim"] = (
        model([helper.make_node("Reshape", ["input", "shape"], ["output"], name="reshape_huge")],
              [i64("shape", [1, 2**63 - 1])], vi("input", [1, 4]), vi("output", [1, 4]), "reshape_huge_dim"),
        {"kind": "any", "op": "Reshape", "node": "reshape_huge"})
    # Reshape to a shape whose element count overflows Int.
    cases["reshape_overflow"] = (
        model([helper.make_node("Reshape", ["input", "shape"], ["output"], name="reshape_ovf")],
              [i64("shape", [2**32, 2**32, 4])], vi("input", [1, 4]), vi("output", [1, 4]), "reshape_overflow"),
        {"kind": "any", "op": "Reshape", "node": "reshape_ovf"})
    # Unsqueeze with a huge axis.
    cases["unsqueeze_huge_axis"] = (
        model([helper.make_node("Unsqueeze", ["input", "axes"], ["output"], name="unsq_huge")],
              [i64("axes", [2**62])], vi("input", [1, 4]), vi("output", [1, 1, 4]), "unsqueeze_huge_axis"),
        {"kind": "any", "op": "Unsqueeze", "node": "unsq_huge"})
    # ArgMax(axis = -1) on a rank-0 tensor (input [1] reshaped to []).
    cases["argmax_rank0"] = (
        model([helper.make_node("Reshape", ["input", "empty_shape"], ["s"], name="to_scalar"),
               helper.make_node("ArgMax", ["s"], ["output"], name="argmax_scalar", axis=-1, keepdims=0)],
              [i64("empty_shape", np.zeros((0,), dtype=np.int64))], vi("input", [1]),
              vi("output", [], TensorProto.INT64), "argmax_rank0"),
        {"kind": "any", "op": "ArgMax", "node": "argmax_scalar"})
    # Padding that makes the pooled tensor far larger than the importer's element limit (2^26).
    cases["pool_huge_padding"] = (
        model([helper.make_node("MaxPool", ["input"], ["output"], name="pool_huge_pads", kernel_shape=[1, 1],
                                strides=[1, 1], pads=[500000, 500000, 500000, 500000])], [],
              vi("input", [1, 1, 2, 2]), vi("output", [1, 1, 1000002, 1000002]), "pool_huge_padding"),
        {"kind": "any", "node": "pool_huge_pads", "contains": "larger than"})

    # Models that import but carry constants no integer can hold once scaled: quantization must
    # report them (a ModelError), not trap converting a Double to Int.
    g, inits = gemm("input", "h", 4, 3, "fc", "fc1")
    cases["leakyrelu_huge_alpha"] = (
        model([g, helper.make_node("LeakyRelu", ["h"], ["output"], name="leaky_huge", alpha=1e30)], inits,
              vi("input", [1, 4]), vi("output", [1, 3]), "leakyrelu_huge_alpha"),
        {"kind": "quantize", "node": "leaky_huge", "contains": "alpha"})
    g, inits = gemm("input", "h", 4, 3, "fc", "fc1")
    cases["leakyrelu_nan_alpha"] = (
        model([g, helper.make_node("LeakyRelu", ["h"], ["output"], name="leaky_nan", alpha=float("nan"))], inits,
              vi("input", [1, 4]), vi("output", [1, 3]), "leakyrelu_nan_alpha"),
        {"kind": "quantize", "node": "leaky_nan", "contains": "alpha"})
    g, inits = gemm("input", "h", 4, 3, "fc", "fc1")
    cases["clip_huge_bound"] = (
        model([g, helper.make_node("Clip", ["h", "lo", "hi"], ["output"], name="clip_huge")],
              inits + [f32("lo", np.float32(-1e30)), f32("hi", np.float32(1e30))],
              vi("input", [1, 4]), vi("output", [1, 3]), "clip_huge_bound"),
        {"kind": "quantize", "node": "clip_huge", "contains": "Clip"})

    # ai.onnx.ml (issue 15): malformed or unsupported tree ensembles and classifier outputs.
    def stump(name, modes=("BRANCH_LEQ", "LEAF", "LEAF"), feats=(0, 0, 0), values=(0.5, 0, 0), true_ids=(1, 0, 0), false_ids=(2, 0, 0),
              vote_nodes=(1, 2), **extra):
        n = len(modes)
        attrs = dict(n_targets=1, nodes_treeids=[0] * n, nodes_nodeids=list(range(n)), nodes_featureids=list(feats), nodes_modes=list(modes),
                     nodes_values=list(values), nodes_truenodeids=list(true_ids), nodes_falsenodeids=list(false_ids),
                     target_treeids=[0] * len(vote_nodes), target_nodeids=list(vote_nodes), target_ids=[0] * len(vote_nodes),
                     target_weights=[1.0] * len(vote_nodes))
        attrs.update(extra)
        return helper.make_node("TreeEnsembleRegressor", ["input"], ["output"], name=name, domain="ai.onnx.ml", **attrs)

    def ml(name, node):
        return model([node], [], vi("input", [1, 4]), vi("output", [1, 1]), name, extra_domains=["ai.onnx.ml"])

    cases["tree_cycle"] = (ml("tree_cycle", stump("trees_cycle", modes=("BRANCH_LEQ", "BRANCH_LEQ", "LEAF"), true_ids=(1, 0, 0), false_ids=(2, 2, 0),
                                                      vote_nodes=(2,))),
                           {"kind": "any", "node": "trees_cycle", "contains": "tree"})
    cases["tree_feature_out_of_range"] = (ml("tree_feature_out_of_range", stump("trees_feature", feats=(10, 0, 0))),
                                          {"kind": "unsupported", "node": "trees_feature", "contains": "feature"})
    cases["tree_member_mode"] = (ml("tree_member_mode", stump("trees_member", modes=("BRANCH_MEMBER", "LEAF", "LEAF"))),
                                 {"kind": "unsupported", "node": "trees_member", "contains": "nodes_modes"})
    cases["tree_aggregate_max"] = (ml("tree_aggregate_max", stump("trees_max", aggregate_function="MAX")),
                                   {"kind": "unsupported", "node": "trees_max", "contains": "aggregate_function"})
    cases["tree_attribute_lengths"] = (ml("tree_attribute_lengths", stump("trees_lengths", values=(0.5, 0))),
                                       {"kind": "malformedONNX", "node": "trees_lengths", "contains": "different lengths"})
    cases["tree_vote_for_missing_node"] = (ml("tree_vote_for_missing_node", stump("trees_vote", vote_nodes=(1, 7))),
                                           {"kind": "malformedONNX", "node": "trees_vote", "contains": "does not exist"})
    cases["tree_nan_threshold"] = (ml("tree_nan_threshold", stump("trees_nan", values=(float("nan"), 0, 0))),
                                   {"kind": "unsupported", "node": "trees_nan", "contains": "nodes_values contains NaN"})
    cases["tree_post_transform"] = (ml("tree_post_transform", stump("trees_probit", post_transform="PROBIT")),
                                    {"kind": "unsupported", "node": "trees_probit", "contains": "post_transform"})
    cases["normalizer_max"] = (
        model([helper.make_node("Normalizer", ["input"], ["output"], name="norm_max", domain="ai.onnx.ml", norm="MAX")], [],
              vi("input", [1, 4]), vi("output", [1, 4]), "normalizer_max", extra_domains=["ai.onnx.ml"]),
        {"kind": "unsupported", "node": "norm_max", "contains": "Normalizer"})
    # Hostile numbers where exporters write small ones: an opset-5 nodes_modes value of 1e30 (must not trap converting
    # to an integer), an infinite linear coefficient.
    te5 = helper.make_node("TreeEnsemble", ["input"], ["output"], name="trees_huge_mode", domain="ai.onnx.ml", n_targets=1,
                           aggregate_function=1, post_transform=0, tree_roots=[0], nodes_featureids=[0], nodes_truenodeids=[0],
                           nodes_trueleafs=[1], nodes_falsenodeids=[1], nodes_falseleafs=[1],
                           nodes_modes=f32("nodes_modes", [1e30]), nodes_splits=f32("nodes_splits", [0.5]),
                           leaf_targetids=[0, 0], leaf_weights=f32("leaf_weights", [1.0, 2.0]))
    m5 = model([te5], [], vi("input", [1, 4]), vi("output", [1, 1]), "tree_huge_mode", extra_domains=["ai.onnx.ml"])
    m5.opset_import[1].version = 5
    cases["tree_huge_mode"] = (m5, {"kind": "unsupported", "node": "trees_huge_mode", "contains": "nodes_modes"})
    cases["linear_infinite_coefficient"] = (
        model([helper.make_node("LinearRegressor", ["input"], ["output"], name="linreg_inf", domain="ai.onnx.ml",
                                coefficients=[1.0, float("inf"), 0.0, 0.5], intercepts=[0.0], targets=1)], [],
              vi("input", [1, 4]), vi("output", [1, 1]), "linear_infinite_coefficient", extra_domains=["ai.onnx.ml"]),
        {"kind": "unsupported", "node": "linreg_inf", "contains": "coefficients"})
    # A classifier whose predicted label feeds another op (zkinfer proves the label only as a graph output).
    clf = helper.make_node("LinearClassifier", ["input"], ["label", "scores"], name="linear_clf", domain="ai.onnx.ml",
                           coefficients=list(weights(2, 4).reshape(-1)), intercepts=[0.0, 0.5], classlabels_ints=[0, 1])
    cast = helper.make_node("Cast", ["label"], ["label_f"], name="label_cast", to=1)
    add = helper.make_node("Add", ["scores", "label_f"], ["output"], name="add_label")
    cases["label_used_as_value"] = (
        model([clf, cast, add], [], vi("input", [1, 4]), vi("output", [1, 2]), "label_used_as_value", extra_domains=["ai.onnx.ml"]),
        {"kind": "unsupported", "node": "add_label", "contains": "predicted label"})
    return cases


def main():
    os.makedirs(OUT, exist_ok=True)
    index = {}
    for name, (m, expect) in sorted(build().items()):
        path = os.path.join(OUT, name + ".onnx")
        with open(path, "wb") as f:
            f.write(m.SerializeToString(deterministic=True))
        index[name] = expect
    with open(os.path.join(OUT, "index.json"), "w") as f:
        json.dump(index, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"wrote {len(index)} models to {os.path.relpath(OUT)}")


if __name__ == "__main__":
    main()
