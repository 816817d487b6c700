public import Foundation

/// An editing trace of `Tests/Data/editing-traces` (josephg/editing-traces format).
public struct EditingTrace: Decodable, Sendable {
    /// One edit: at scalar position `position`, delete `deleteCount` scalars, then insert `text`.
    public struct Patch: Decodable, Sendable {
        public let position: Int
        public let deleteCount: Int
        public let text: String

        public init(from decoder: any Decoder) throws {
            var container = try decoder.unkeyedContainer()
            position = try container.decode(Int.self)
            deleteCount = try container.decode(Int.self)
            text = try container.decode(String.self)
        }
    }

    /// A transaction: patches applied together, by one agent, on top of its parents.
    public struct Transaction: Decodable, Sendable {
        public let patches: [Patch]
        public let parents: [Int]?
        public let agent: Int?
    }

    public let startContent: String?
    public let endContent: String
    public let numAgents: Int?
    public let txns: [Transaction]

    /// The folder holding the traces: `Tests/Data/editing-traces`, copied
    /// unchanged (with their provenance and licences) from the public
    /// josephg/editing-traces collection, so that a clean clone tests alone.
    public static let directory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Data/editing-traces")

    /// Loads `name` (a `.json.gz` file of the traces folder), inflating it with `gzip -dc`.
    public static func load(_ name: String) throws -> EditingTrace {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["gzip", "-dc", directory.appendingPathComponent(name).path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: directory.appendingPathComponent(name).path])
        }
        return try JSONDecoder().decode(EditingTrace.self, from: data)
    }

    /// Every patch of every transaction, in order.
    public var patches: [Patch] { txns.flatMap(\.patches) }
}
