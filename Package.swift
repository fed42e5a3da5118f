// swift-tools-version: 6.1
// zkinfer — zero-knowledge proofs of machine-learning inference (Groth16 over BN254).
import PackageDescription
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Code generation for the modules whose time is field arithmetic (fields, curves, MSM, NTT, the prover, ceremonies,
/// Poseidon, constraint checks): on an x86-64 build machine whose CPU has the Broadwell instruction set (BMI2's
/// `mulx`, ADX, AVX2 — every x86-64 server CPU since 2014/2017, Intel and AMD), those modules are compiled for it:
/// 14% faster G1 MSMs and 0.89× → 0.77× of rapidsnark's whole-process time at 2^16 on this project's test machine
/// (README, Performance). The binary then needs such a CPU. `ZKINFER_TARGET_CPU=portable` builds for baseline x86-64
/// (for binaries copied to older machines); `ZKINFER_TARGET_CPU=NAME` picks an LLVM CPU name. Integer code only:
/// these modules do no floating-point arithmetic that reaches a result (quantization lives in ZKModel, untouched),
/// so a build with or without the setting computes the same bytes.
let arithmeticSettings: [SwiftSetting] = {
    let requested = ProcessInfo.processInfo.environment["ZKINFER_TARGET_CPU"]
    if let requested, requested != "auto" {
        return requested == "portable" ? [] : [.unsafeFlags(["-target-cpu", requested])]
    }
    #if os(Linux) && arch(x86_64)
    guard let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
          let flagsLine = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return [] }
    let flags = Set(flagsLine.split(separator: " ").map(String.init))
    let broadwell: Set<String> = ["avx2", "bmi1", "bmi2", "adx", "fma", "f16c", "movbe", "abm", "popcnt", "rdrand", "rdseed"]
    return broadwell.isSubset(of: flags) ? [.unsafeFlags(["-target-cpu", "broadwell"])] : []
    #else
    return []
    #endif
}()

/// Release-mode settings for the hot arithmetic: `-Ounchecked` is *not* used; overflow
/// checks stay on everywhere except where code uses explicit wrapping operators.
let package = Package(
    name: "zkinfer",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "ZKBigNum", targets: ["ZKBigNum"]),
        .library(name: "ZKSodium", targets: ["ZKSodium"]),
        .library(name: "ZKAlgebra", targets: ["ZKAlgebra"]),
        .library(name: "ZKFormats", targets: ["ZKFormats"]),
        .library(name: "ZKConstraints", targets: ["ZKConstraints"]),
        .library(name: "ZKCircuit", targets: ["ZKCircuit"]),
        .library(name: "ZKGroth16", targets: ["ZKGroth16"]),
        .library(name: "ZKPoseidon", targets: ["ZKPoseidon"]),
        .library(name: "ZKModel", targets: ["ZKModel"]),
        .library(name: "ZKCeremony", targets: ["ZKCeremony"]),
        .library(name: "ZKClaim", targets: ["ZKClaim"]),
        .library(name: "ZKBench", targets: ["ZKBench"]),
        .library(name: "ZKService", targets: ["ZKService"]),
        .executable(name: "zkinfer", targets: ["zkinfer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // Runtime only: the ONNX bindings are generated once and committed (Sources/ZKModel/ONNX/README.md).
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        // The prover service (`zkinfer serve`): HTTP server, SQLite job store, Prometheus metrics.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        // The external worker's requests to its server (`zkinfer worker --server`). Not Foundation's URLSession: that
        // loads FoundationNetworking, libcurl and 28 more shared libraries into every zkinfer process, whatever the
        // command (start-up 22.7 → 14.7 ms, 30.8 → 25.1 MB resident; README Performance), and its static build needs
        // libcurl's.
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    ],
    targets: [
        // C libraries through pkg-config (Debian: libgmp-dev, libsodium-dev).
        .systemLibrary(
            name: "CGMP", pkgConfig: "gmp",
            providers: [.apt(["libgmp-dev"])]),
        .systemLibrary(
            name: "CSodium", pkgConfig: "libsodium",
            providers: [.apt(["libsodium-dev"])]),

        // Arbitrary precision (GMP mpz) — parsing, constants and the test oracle.
        .target(name: "ZKBigNum", dependencies: ["CGMP"]),
        // libsodium: CSPRNG, zeroing secrets, BLAKE2b, Ed25519.
        .target(name: "ZKSodium", dependencies: ["CSodium"]),
        // A cache-prefetch hint for the MSM's gather (C: Swift has no prefetch primitive).
        .target(name: "CPrefetch"),
        // BN254 fields, curves, pairing and encodings.
        .target(name: "ZKAlgebra", dependencies: ["ZKBigNum", "ZKSodium", "CPrefetch"], swiftSettings: arithmeticSettings),

        // Ecosystem file formats: iden3 .r1cs/.wtns/.zkey binaries, snarkjs JSON.
        .target(name: "ZKFormats", dependencies: ["ZKAlgebra", "ZKBigNum"]),

        // Rank-1 constraint systems: sparse linear combinations, constraints, satisfiability check.
        .target(name: "ZKConstraints", dependencies: ["ZKAlgebra"], swiftSettings: arithmeticSettings),
        // Circuit builder (one code path builds constraints and solves the witness) and gadgets.
        .target(name: "ZKCircuit", dependencies: ["ZKConstraints", "ZKAlgebra"], swiftSettings: arithmeticSettings),
        // Groth16: setup, prover, verifier, key files, snarkjs interop.
        .target(name: "ZKGroth16", dependencies: ["ZKConstraints", "ZKAlgebra", "ZKFormats", "ZKSodium", "ZKBigNum"], swiftSettings: arithmeticSettings),

        // Poseidon over BN254 Fr (circomlib-compatible): native hash and circuit gadget.
        .target(name: "ZKPoseidon", dependencies: ["ZKAlgebra", "ZKCircuit", "ZKBigNum"], swiftSettings: arithmeticSettings),
        // ONNX import, quantization, op lowering to circuits, integer reference interpreter, claims.
        .target(
            name: "ZKModel",
            dependencies: [
                "ZKAlgebra", "ZKConstraints", "ZKCircuit", "ZKGroth16", "ZKFormats", "ZKSodium", "ZKPoseidon",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]),
        // Claims ("this output came from this model on this input"): types, the verifier, receipts, re-derivation and
        // audit, and the compiled-directory workspace that proves and writes them.
        .target(name: "ZKCeremony", dependencies: ["ZKAlgebra", "ZKFormats", "ZKSodium", "ZKGroth16"], swiftSettings: arithmeticSettings),
        .target(name: "ZKClaim", dependencies: ["ZKModel", "ZKAlgebra", "ZKConstraints", "ZKFormats", "ZKGroth16", "ZKSodium", "ZKCeremony"]),
        // In-process measurement suites, results schema, report and SVG plots for `zkinfer bench`.
        .target(name: "ZKBench", dependencies: ["ZKAlgebra", "ZKConstraints", "ZKFormats", "ZKGroth16"], swiftSettings: arithmeticSettings),

        // The prover service: job store (GRDB/SQLite), job runner, Hummingbird 2 HTTP API, OpenAPI document.
        .target(
            name: "ZKService",
            dependencies: [
                "ZKModel", "ZKClaim", "ZKGroth16", "ZKFormats", "ZKSodium", "ZKAlgebra",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            resources: [.copy("openapi.json")]),

        .executableTarget(
            name: "zkinfer",
            dependencies: [
                "ZKAlgebra", "ZKBigNum", "ZKSodium", "ZKFormats", "ZKConstraints", "ZKCircuit", "ZKGroth16",
                "ZKPoseidon", "ZKModel", "ZKClaim", "ZKBench", "ZKCeremony", "ZKService",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        .testTarget(name: "ZKBigNumTests", dependencies: ["ZKBigNum"]),
        .testTarget(name: "ZKSodiumTests", dependencies: ["ZKSodium"]),
        .testTarget(
            name: "ZKAlgebraTests", dependencies: ["ZKAlgebra", "ZKBigNum", "ZKSodium"],
            resources: [.copy("Fixtures")]),
        .testTarget(
            name: "ZKFormatsTests", dependencies: ["ZKFormats", "ZKAlgebra"],
            resources: [.copy("Fixtures")]),
        .testTarget(name: "ZKConstraintsTests", dependencies: ["ZKConstraints", "ZKCircuit", "ZKAlgebra"]),
        .testTarget(
            name: "ZKGroth16Tests",
            dependencies: ["ZKGroth16", "ZKCircuit", "ZKConstraints", "ZKFormats", "ZKAlgebra", "ZKSodium"]),
        .testTarget(
            name: "ZKPoseidonTests", dependencies: ["ZKPoseidon", "ZKCircuit", "ZKConstraints", "ZKAlgebra"],
            resources: [.copy("Fixtures")]),
        .testTarget(
            name: "ZKModelTests",
            dependencies: ["ZKModel", "ZKClaim", "ZKCircuit", "ZKConstraints", "ZKGroth16", "ZKAlgebra", "ZKFormats", "ZKPoseidon"],
            // Bad-model fixtures are read through #filePath (with their generator script), not as resources.
            exclude: ["Fixtures"]),
        .testTarget(
            name: "ZKCeremonyTests", dependencies: ["ZKCeremony", "ZKFormats", "ZKAlgebra", "ZKGroth16", "ZKConstraints", "ZKSodium"],
            exclude: ["Fixtures"]),
        .testTarget(name: "ZKBenchTests", dependencies: ["ZKBench"]),
        .testTarget(
            name: "ZKServiceTests",
            dependencies: [
                "ZKService", "ZKClaim", "ZKModel", "ZKFormats", "ZKGroth16",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ]),
        .testTarget(name: "zkinferCLITests", dependencies: ["zkinfer", "ZKModel", "ZKClaim", "ZKPoseidon", "ZKAlgebra", "ZKFormats"]),
    ]
)
