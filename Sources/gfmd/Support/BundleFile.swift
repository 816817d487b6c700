import Foundation
import GFMDBundle

/// Reading and writing bundle files on disk.
enum BundleFile {
    /// Reads a file, refusing one larger than the bundle limits before reading it.
    static func read(_ path: String) throws -> [UInt8] {
        let url = URL(fileURLWithPath: path)
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: url.path),
              let size = attributes[.size] as? Int else {
            throw CommandFailure("\(path): no such file, or it cannot be read")
        }
        guard size <= BundleLimits.standard.maximumFileSize else {
            throw CommandFailure("\(path): the file is \(size) bytes, more than the limit of \(BundleLimits.standard.maximumFileSize) for a bundle")
        }
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw CommandFailure("\(path): the file cannot be read")
        }
        return [UInt8](data)
    }

    /// Writes `bytes` to `path` atomically: a reader never sees half a bundle.
    static func write(_ bytes: [UInt8], to path: String) throws {
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw CommandFailure("cannot write \(path): \(error.localizedDescription)")
        }
    }
}

/// A failure of a command, with its one-line reason.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
