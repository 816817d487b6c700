import Foundation
import GFMDBundle
#if canImport(Glibc)
import Glibc
#endif

/// Reading and writing the files a command names: bundles, texts, requests.
/// `-` names standard input (reading) or standard output (writing).
enum FileArgument {
    /// Reads a bundle file, refusing one larger than the bundle limits before reading it.
    static func read(_ path: String) throws -> [UInt8] {
        try read(path, limit: BundleLimits.standard.maximumFileSize, what: "a bundle")
    }

    /// Reads `path` (or standard input), refusing more than `limit` bytes.
    static func read(_ path: String, limit: Int, what: String) throws -> [UInt8] {
        if path == "-" {
            let data = FileHandle.standardInput.readData(ofLength: limit + 1)
            guard data.count <= limit else {
                throw CommandFailure("standard input holds more than the limit of \(limit) bytes for \(what)")
            }
            return [UInt8](data)
        }
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw CommandFailure("\(path): no such file, or it cannot be read")
        }
        guard info.st_mode & S_IFMT != S_IFDIR else { throw CommandFailure("\(path) is a folder, not a file") }
        guard Int(info.st_size) <= limit else {
            throw CommandFailure("\(path): the file is \(info.st_size) bytes, more than the limit of \(limit) bytes for \(what)")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CommandFailure("\(path): the file cannot be read")
        }
        defer { try? handle.close() }
        // Read at most one byte past the limit: a pipe or device may hold more than stat says.
        let data = handle.readData(ofLength: limit + 1)
        guard data.count <= limit else {
            throw CommandFailure("\(path) holds more than the limit of \(limit) bytes for \(what)")
        }
        return [UInt8](data)
    }

    /// Writes `bytes` to `path`. A regular file (or one a symbolic link
    /// points to) is replaced atomically, so a reader never sees half a
    /// bundle and the link stays a link; a device, FIFO or socket is written
    /// through, never replaced; `-` is standard output.
    static func write(_ bytes: [UInt8], to path: String) throws {
        if path == "-" {
            guard isatty(STDOUT_FILENO) == 0 else {
                throw CommandFailure("-o - would print a binary file on the terminal: redirect it (> FILE, | ...) or give a file name")
            }
            FileHandle.standardOutput.write(Data(bytes))
            return
        }
        let target = URL(fileURLWithPath: path).resolvingSymlinksInPath()
        var info = stat()
        if stat(target.path, &info) == 0 {
            switch info.st_mode & S_IFMT {
            case S_IFREG:
                break
            case S_IFDIR:
                throw CommandFailure("cannot write \(path): it is a folder")
            default:
                guard let handle = FileHandle(forWritingAtPath: target.path) else {
                    throw CommandFailure("cannot write \(path): it cannot be opened for writing")
                }
                defer { try? handle.close() }
                do {
                    try handle.write(contentsOf: bytes)
                } catch {
                    throw CommandFailure("cannot write \(path): \(error.localizedDescription)")
                }
                return
            }
        }
        do {
            try Data(bytes).write(to: target, options: .atomic)
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
