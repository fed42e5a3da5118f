#!/usr/bin/env python3
"""Small ONNX models for the soundness tests (ExactRangeTests.swift reads them via #filePath).

    python3 Tests/ZKModelTests/Fixtures/make_soundness_models.py

clip01.onnx: input [1, 4] -> Clip(0, 1) -> output. Calibrated to inputs in [0, 1], the compiler's interval bounds say the
Clip's upper side can never trigger, so it is dropped: the model relies on the input range check being exact.
Deterministic (no randomness), so a rerun rewrites identical bytes.
"""

import os

import numpy as np
from onnx import TensorProto, checker, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "soundness")


def main():
    os.makedirs(OUT, exist_ok=True)
    lo = numpy_helper.from_array(np.asarray(0.0, dtype=np.float32), "clip_min")
    hi = numpy_helper.from_array(np.asarray(1.0, dtype=np.float32), "clip_max")
    node = helper.make_node("Clip", ["input", "clip_min", "clip_max"], ["output"], name="clip01")
    graph = helper.make_graph([node], "clip01", [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 4])],
                              [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 4])], initializer=[lo, hi])
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="make_soundness_models.py")
    m.ir_version = 7
    checker.check_model(m)
    with open(os.path.join(OUT, "clip01.onnx"), "wb") as f:
        f.write(m.SerializeToString())


if __name__ == "__main__":
    main()
