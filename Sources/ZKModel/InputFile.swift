// EZKL-style input files: `{"input_data": [[...]]}`.

import Foundation

/// `{"input_data": [[...]]}` (EZKL's input.json): one or more flattened samples.
public enum InputFile {
    public static func parse(_ data: Data) throws -> [[Double]] {
        let obj: Any
        do { obj = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) } catch {
            throw ModelError.invalidInput("not JSON (\(error.localizedDescription))")
        }
        guard let dict = obj as? [String: Any], let rows = dict["input_data"] as? [Any] else {
            throw ModelError.invalidInput("expected {\"input_data\": [[numbers...]]}")
        }
        guard !rows.isEmpty else { throw ModelError.invalidInput("input_data is empty") }
        return try rows.enumerated().map { r, row in
            guard let arr = row as? [Any] else { throw ModelError.invalidInput("input_data[\(r)] is not an array") }
            return try arr.enumerated().map { i, v in
                // JSONSerialization returns true/false as NSNumbers of objCType "c" (CFBoolean on
                // Darwin, __NSCFBoolean on Linux); `is Bool` also holds for the numbers 0 and 1 there,
                // so it cannot tell them apart.
                guard !(v is Bool && type(of: v) == Bool.self), let n = v as? NSNumber, String(cString: n.objCType) != "c" else {
                    throw ModelError.invalidInput("input_data[\(r)][\(i)] is not a number")
                }
                let d = n.doubleValue
                guard d.isFinite else { throw ModelError.invalidInput("input_data[\(r)][\(i)] is not finite") }
                return d
            }
        }
    }

    /// Splits a calibration file: all numbers concatenated, cut into samples of `size`.
    public static func samples(_ rows: [[Double]], size: Int) throws -> [[Double]] {
        let flat = rows.flatMap { $0 }
        guard size > 0, !flat.isEmpty, flat.count % size == 0 else {
            throw ModelError.invalidInput("calibration data has \(flat.count) numbers, not a multiple of the input size \(size)")
        }
        return stride(from: 0, to: flat.count, by: size).map { Array(flat[$0..<($0 + size)]) }
    }
}
