// ONNX model compiler (placeholder; see issue 5).
