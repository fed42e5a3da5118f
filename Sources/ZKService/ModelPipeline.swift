// The library calls behind `zkinfer compile --calibrate` and `zkinfer setup`, as the service runs them: the
// request handler runs `quantize` to reject a bad upload before anything is stored, the job runs all of it.

import Foundation
import ZKModel
import ZKClaim
import ZKGroth16

/// A service error with the HTTP status it maps to and the message a client sees (for bad input, the message
/// `zkinfer` prints for the same input, with the request field in place of the file name).
public struct ServiceError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The HTTP status code.
    public var code: Int
    public var message: String
    public init(_ code: Int, _ message: String) { self.code = code; self.message = message }
    public var description: String { message }

    /// 400 naming `field`, for a library error about that part of the request.
    static func badInput(_ field: String, _ error: Error) -> ServiceError { ServiceError(400, "\(field): \(describe(error))") }
}

/// The text of an error: `ModelError`'s own description (as the CLI prints it), otherwise Swift's.
func describe(_ error: Error) -> String {
    if let e = error as? ModelError { return e.description }
    if let e = error as? ServiceError { return e.message }
    return String(describing: error)
}

/// Compiling and setting up an uploaded model with `zkinfer compile`'s defaults (8 scale bits, no in-circuit input
/// range check, a final Softmax/Sigmoid applied outside the proof).
public enum ModelPipeline {
    /// The quantized model for an upload; throws ``ServiceError`` 400 naming the field at fault (`onnx`,
    /// `calibration`) with the library's message.
    public static func quantize(onnx: Data, calibration: Data?, weights: WeightVisibility, input: InputVisibility) throws -> QuantizedModel {
        let graph: FloatGraph
        do { graph = try ONNXImporter.load(onnx) } catch { throw ServiceError.badInput("onnx", error) }
        var samples: [[Double]] = []
        var calibrationDigest: String?
        if let calibration {
            do {
                let rows = try InputFile.parse(calibration)
                samples = try InputFile.samples(rows, size: graph.size(graph.input))
                calibrationDigest = try blake2bHex([UInt8](calibration))
            } catch { throw ServiceError.badInput("calibration", error) }
        }
        var options = QuantizationOptions(scaleBits: 8, calibration: samples, visibility: Visibility(input: input, weights: weights))
        options.calibrationDigest = calibrationDigest
        do { return try Quantizer.quantize(graph, options: options, onnxDigest: try blake2bHex([UInt8](onnx))) } catch {
            throw ServiceError.badInput("onnx", error)
        }
    }

    /// Compiles into `directory` (as `zkinfer compile`) and runs a single-party setup there (as `zkinfer setup`).
    public static func compileAndSetup(name: String, onnx: Data, calibration: Data?, weights: WeightVisibility, input: InputVisibility,
                                       directory: String, threads: Int?, progress: Groth16.Progress?) throws -> ModelSetupRecord {
        let q = try quantize(onnx: onnx, calibration: calibration, weights: weights, input: input)
        let compiled = try CompiledModel(model: q)
        let manifest = try ModelWorkspace.create(at: directory, onnx: onnx, compiled: compiled, name: name)
        let workspace = try ModelWorkspace(directory: directory)
        let setup = try workspace.setup(threads: threads, progress: progress)
        let vkURL = URL(fileURLWithPath: directory).appendingPathComponent("verification_key.json")
        let vk: Data
        do { vk = try Data(contentsOf: vkURL) } catch { throw ServiceError(500, "\(vkURL.path): cannot read file") }
        return ModelSetupRecord(modelDigest: manifest.modelDigest, constraints: setup.constraints, verificationKey: vk,
                                verificationKeyDigest: setup.verificationKeyDigest)
    }
}
