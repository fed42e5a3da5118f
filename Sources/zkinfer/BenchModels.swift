import Foundation
import ZKBench

/// The `models` suite of `zkinfer bench`: compiles, sets up, proves and verifies each model and
/// returns its figures. Placeholder until the model compiler lands — this file is meant to be
/// replaced whole, keeping this signature (`BenchModelOptions` is in BenchCommand.swift).
func runModelSuite(_ options: BenchModelOptions, progress: @escaping BenchProgress) throws -> [ModelBenchResult] {
    FileHandle.standardError.write(Data("zkinfer bench: models suite: no model compiler yet\n".utf8))
    return []
}
