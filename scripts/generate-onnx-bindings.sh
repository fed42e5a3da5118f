#!/usr/bin/env bash
# Regenerates Sources/ZKModel/ONNX/onnx.pb.swift from scripts/onnx/onnx.proto.
# Run once when the ONNX schema is updated; the output is committed, so builds never need protoc.
#
# scripts/onnx/onnx.proto is ONNX's onnx.proto (Apache-2.0) as shipped in the `onnx` 1.23.2 wheel
# (site-packages/onnx/onnx.proto). Needs: protoc (Debian: protobuf-compiler) and protoc-gen-swift
# built from apple/swift-protobuf 1.39.0 (the same version as the runtime in Package.swift):
#   git clone -b 1.39.0 https://github.com/apple/swift-protobuf /tmp/swift-protobuf
#   (cd /tmp/swift-protobuf && swift build -c release --product protoc-gen-swift)
set -euo pipefail
cd "$(dirname "$0")/.."
PLUGIN=${PROTOC_GEN_SWIFT:-/tmp/swift-protobuf/.build/release/protoc-gen-swift}
# Internal visibility: the generated types are an implementation detail of ZKModel.
(cd scripts/onnx && protoc --plugin=protoc-gen-swift="$PLUGIN" --swift_out=../../Sources/ZKModel/ONNX onnx.proto)
echo "wrote Sources/ZKModel/ONNX/onnx.pb.swift"
