import Foundation
import GFMDCore
import GFMDReplica
import Logging

/// W1: replays the automerge-paper editing trace into one text field through
/// the replica's text API, committing every 1,000 edits; writes everything as
/// one bundle; applies it to an empty replica.
struct TextWorkload {
    let trace: URL
    static let editsPerCommit = 1000

    struct Patch: Decodable {
        let position: Int
        let deleteCount: Int
        let text: String

        init(from decoder: any Decoder) throws {
            var container = try decoder.unkeyedContainer()
            position = try container.decode(Int.self)
            deleteCount = try container.decode(Int.self)
            text = try container.decode(String.self)
        }
    }

    private struct Trace: Decodable {
        struct Transaction: Decodable { let patches: [Patch] }
        let endContent: String
        let txns: [Transaction]
    }

    /// Reads the trace's patches and final text (gzip-compressed JSON).
    func load() throws -> (patches: [Patch], end: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["gzip", "-dc", trace.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let decoded = try JSONDecoder().decode(Trace.self, from: data)
        return (decoded.txns.flatMap(\.patches), decoded.endContent)
    }

    func run() throws {
        let (patches, end) = try load()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gfmd-bench-w1-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var logger = Logger(label: "gfmd-bench")
        logger.logLevel = .warning

        let root = try Replica.createSecretariat(at: directory.appendingPathComponent("sec"), author: "Root", logger: logger)
        let reader = try Replica.enrolled(at: directory.appendingPathComponent("reader"), participant: .secretariat,
                                          author: "Reader", role: .secretariat, by: root, logger: logger)
        let author = try Replica.enrolled(at: directory.appendingPathComponent("author"), participant: ParticipantCode("PHL")!,
                                          author: "Martin", role: .delegate, by: root, logger: logger)
        let record = try author.createRecord(type: "practice", title: "A paper written in the open")

        let replayStart = Date()
        let session = try author.textSession(record.hex, field: "summary")
        for (index, patch) in patches.enumerated() {
            if patch.deleteCount > 0 { try session.delete(at: patch.position, count: patch.deleteCount) }
            if !patch.text.isEmpty { try session.insert(patch.text, at: patch.position) }
            if index % Self.editsPerCommit == Self.editsPerCommit - 1 { try session.commit() }
        }
        try session.commit()
        let replaySeconds = Date().timeIntervalSince(replayStart)

        let encodeStart = Date()
        let bundle = try author.createBundle()
        let encodeSeconds = Date().timeIntervalSince(encodeStart)

        let loadStart = Date()
        try reader.applyBundle(bundle.bytes)
        let loadSeconds = Date().timeIntervalSince(loadStart)

        guard try author.record(record.hex).displayedText("summary") == end,
              try reader.record(record.hex).displayedText("summary") == end,
              // The reader also holds its own certificate: what it holds for PHL is what the author holds.
              try reader.digest(for: ParticipantCode("PHL")!) == author.digest() else {
            throw BenchFailure("the replayed text differs from the trace's final text")
        }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let line: [String: Any] = [
            "system": "gfmd", "workload": "W1-text", "ops": patches.count, "changes": bundle.changeCount,
            "apply_s": (replaySeconds * 1000).rounded() / 1000, "encode_s": (encodeSeconds * 1000).rounded() / 1000,
            "load_s": (loadSeconds * 1000).rounded() / 1000, "bytes": bundle.bytes.count, "rss_mb": Int(usage.ru_maxrss / 1024),
        ]
        let json = try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys])
        print(String(decoding: json, as: UTF8.self))
    }
}
