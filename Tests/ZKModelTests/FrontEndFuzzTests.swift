// Hostile ONNX files for the new front end: byte-mutated exporter-style models (Circuits/frontend_ops and the zoo)
// never trap the importer or the compiler; every failure is a ModelError.

import Foundation
import XCTest
import ZKAlgebra
import ZKModel
import ZKClaim

final class FrontEndFuzzTests: XCTestCase {
    func testMutatedExporterModelsNeverTrap() throws {
        var models: [Data] = []
        for name in FrontEndOpTests.names {
            models.append(try Data(contentsOf: FrontEndOpTests.dir.appendingPathComponent(name + ".onnx")))
        }
        for name in ZooModelTests.names {
            models.append(try Data(contentsOf: ZooModelTests.zoo.appendingPathComponent(name).appendingPathComponent("model.onnx")))
        }
        var rng = SplitMix64(seed: 0xF0_0D_13)
        var counts = (rejected: 0, loaded: 0, compiled: 0)
        for round in 0..<600 {
            var bytes = [UInt8](models[round % models.count])
            for _ in 0..<(1 + Int(rng.next() % 3)) {
                let i = Int(rng.next() % UInt64(bytes.count))
                switch rng.next() % 3 {
                case 0: bytes[i] = UInt8(truncatingIfNeeded: rng.next())
                case 1: bytes[i] = bytes[i] &+ (rng.next() % 2 == 0 ? 1 : 255)
                default: bytes[i] ^= 1 << (rng.next() % 8)
                }
            }
            let graph: FloatGraph
            do { graph = try ONNXImporter.load(Data(bytes)) } catch is ModelError { counts.rejected += 1; continue } catch {
                XCTFail("round \(round): load threw \(type(of: error)), not a ModelError"); continue
            }
            counts.loaded += 1
            // Compile only what stays small (a mutated shape may legitimately ask for 2^26-element tensors).
            guard graph.shapes.reduce(0, { $0 + $1.reduce(1, *) }) < 200_000 else { continue }
            do {
                let sample = (0..<graph.size(graph.input)).map { Double($0 % 7) / 7 - 0.5 }
                _ = try CompiledModel.compile(onnx: Data(bytes), options: QuantizationOptions(scaleBits: 8, calibration: [sample]))
                counts.compiled += 1
            } catch is ModelError {} catch {
                XCTFail("round \(round): compile threw \(type(of: error)), not a ModelError")
            }
        }
        print("[front-end fuzz] 600 mutated models: \(counts.rejected) rejected at import, \(counts.loaded) imported, \(counts.compiled) compiled")
        XCTAssertGreaterThan(counts.loaded, 50, "the mutations should reach the importer's semantic checks")
    }
}
