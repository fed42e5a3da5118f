// swift-tools-version: 6.1
// Benchmarks for zkinfer (ordo-one/package-benchmark). Run from this folder:
//   swift package benchmark                       # all suites
//   swift package benchmark --target AlgebraBenchmarks
// Release builds, one thread unless a benchmark's name says otherwise.
import PackageDescription
import Foundation

/// SwiftPM names a path dependency after its folder, so read the checkout's folder name.
let zkinfer = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

let package = Package(
    name: "zkinfer-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: "../"),
        .package(url: "https://github.com/ordo-one/package-benchmark", from: "1.38.0", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "AlgebraBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "package-benchmark"),
                .product(name: "ZKAlgebra", package: zkinfer),
                .product(name: "ZKBigNum", package: zkinfer),
            ],
            path: "Benchmarks/AlgebraBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]),
        .executableTarget(
            name: "MSMBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "package-benchmark"),
                .product(name: "ZKAlgebra", package: zkinfer),
            ],
            path: "Benchmarks/MSMBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]),
        .executableTarget(
            name: "Groth16Benchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "package-benchmark"),
                .product(name: "ZKAlgebra", package: zkinfer),
                .product(name: "ZKConstraints", package: zkinfer),
                .product(name: "ZKGroth16", package: zkinfer),
                .product(name: "ZKFormats", package: zkinfer),
            ],
            path: "Benchmarks/Groth16Benchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]),
        .executableTarget(
            name: "CeremonyBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "package-benchmark"),
                .product(name: "ZKAlgebra", package: zkinfer),
                .product(name: "ZKConstraints", package: zkinfer),
                .product(name: "ZKFormats", package: zkinfer),
                .product(name: "ZKGroth16", package: zkinfer),
                .product(name: "ZKCeremony", package: zkinfer),
                .product(name: "ZKModel", package: zkinfer),
            ],
            path: "Benchmarks/CeremonyBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]),
        .executableTarget(
            name: "ModelBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "package-benchmark"),
                .product(name: "ZKGroth16", package: zkinfer),
                .product(name: "ZKModel", package: zkinfer),
            ],
            path: "Benchmarks/ModelBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]),
        .executableTarget(
            name: "VerifyBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "package-benchmark"),
                .product(name: "ZKGroth16", package: zkinfer),
                .product(name: "ZKModel", package: zkinfer),
                .product(name: "ZKClaim", package: zkinfer),
            ],
            path: "Benchmarks/VerifyBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]),
        .executableTarget(
            name: "PoseidonBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "package-benchmark"),
                .product(name: "ZKAlgebra", package: zkinfer),
                .product(name: "ZKPoseidon", package: zkinfer),
            ],
            path: "Benchmarks/PoseidonBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]),
    ]
)
