import ChildProcess
import FunctionRuntime
import Foundation

/// The table of functions as the binary describes it (`<binary> --describe`), so local-runtime serves exactly
/// the functions the binary has, without linking them.
enum FunctionCatalog {
    struct LoadError: Error, CustomStringConvertible {
        var description: String
    }

    static func load(binary: URL) throws -> [FunctionDescription] {
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw LoadError(description: "\(binary.path) is not an executable; build it first (swift build)")
        }
        let result = try ChildProcess.runBlocking(binary.path, ["--describe"])
        guard result.status == 0 else {
            throw LoadError(description: "\(binary.path) --describe exited with status \(result.status)")
        }
        do {
            return try JSONDecoder().decode([FunctionDescription].self, from: result.output)
        } catch {
            throw LoadError(description: "\(binary.path) --describe did not print a table of functions")
        }
    }
}
