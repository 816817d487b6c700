import Foundation
import GFMDCore
import GFMDReplica
import Logging

/// W2: each delegation writes 40 records × 10 fields × 5 rounds on its own
/// replica and makes its bundle; a secretariat replica applies all of them.
///
/// Values are those of `peers.py`. Records are survey responses, whose ten
/// free-text fields (questionnaire, examples, eight answers) take any value.
struct MergeWorkload {
    let delegations: Int
    /// A folder to keep the delegations' bundles in, and to reuse them from
    /// on the next run (so that a profiler sees the merge alone).
    let workDirectory: URL?
    static let records = 40, fields = 10, rounds = 5
    static let fieldNames = ["questionnaire", "examples"] + (1...8).map { "answers.q\($0)" }

    static func value(_ d: Int, _ record: Int, _ field: Int, _ round: Int) -> String {
        "value \(d)-\(record)-\(field)-round\(round) " + String(repeating: "x", count: field * 3)
    }

    func run() throws {
        let json = try JSONSerialization.data(withJSONObject: try merge(), options: [.sortedKeys])
        print(String(decoding: json, as: UTF8.self))
    }

    /// Makes (or reuses) the bundles, merges them into a new hub replica,
    /// `hub` in the work directory, and returns the figures: the merge's
    /// time, the process's peak memory once it is done (before the check that
    /// lists the hub's records; a run that also made the bundles counts
    /// making them too), the bytes it caused to be written to disk
    /// (`/proc/self/io`, WAL and checkpoints included) and the database's size.
    func merge() throws -> [String: Any] {
        let directory = workDirectory ?? FileManager.default.temporaryDirectory.appendingPathComponent("gfmd-bench-w2-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer {
            if workDirectory == nil { try? FileManager.default.removeItem(at: directory) }
        }
        try? FileManager.default.removeItem(at: directory.appendingPathComponent("hub"))
        var logger = Logger(label: "gfmd-bench")
        logger.logLevel = .warning
        let states = Participants.states.map(\.code)

        // The root replica is kept with the cached bundles, which its certificates authorise.
        let rootDirectory = directory.appendingPathComponent("sec")
        let root = FileManager.default.fileExists(atPath: rootDirectory.path)
            ? try Replica.open(at: rootDirectory, logger: logger)
            : try Replica.createSecretariat(at: rootDirectory, author: "Root", logger: logger)
        let produceStart = Date()
        var files: [URL] = []
        for d in 0..<delegations {
            let file = directory.appendingPathComponent("d\(d).gfmd")
            files.append(file)
            if FileManager.default.fileExists(atPath: file.path) { continue }
            try? FileManager.default.removeItem(at: directory.appendingPathComponent("d\(d)"))
            let replica = try Replica.enrolled(
                at: directory.appendingPathComponent("d\(d)"), participant: states[d % states.count], author: "Delegate \(d)",
                role: .delegate, by: root, logger: logger)
            var ids: [RecordID] = []
            var generator = SystemRandomNumberGenerator()
            for round in 0..<Self.rounds {
                let batch = (0..<Self.records).map { record -> RecordEdits in
                    if round == 0 {
                        let id = RecordID.random(using: &generator)
                        ids.append(id)
                        let edits = (1..<Self.fields).map { Edit.set(field: Self.fieldNames[$0], value: Self.value(d, record, $0, round)) }
                        return RecordEdits(.new(id: id, type: "survey_response", title: Self.value(d, record, 0, round)), edits)
                    }
                    let edits = (0..<Self.fields).map { Edit.set(field: Self.fieldNames[$0], value: Self.value(d, record, $0, round)) }
                    return RecordEdits(.existing(ids[record].hex), edits)
                }
                try replica.commit(batch)
            }
            try Data(try replica.createBundle().bytes).write(to: file)
        }
        let produceSeconds = Date().timeIntervalSince(produceStart)

        // The hub is closed (its WAL checkpointed) before the bytes written are read.
        let hubDirectory = directory.appendingPathComponent("hub")
        var bytes = 0
        let writtenBefore = ThisProcess.bytesWritten()
        let (mergeSeconds, peak) = try {
            let hub = try Replica.enrolled(at: hubDirectory, participant: .secretariat, author: "Secretariat",
                                           role: .secretariat, by: root, logger: logger)
            let mergeStart = Date()
            // As `gfmd bundle apply` takes them: each file read and opened while the one before is applied.
            var failure: (any Error)?
            hub.applyBundles(files.count, read: { [files] index in
                ([UInt8](try Data(contentsOf: files[index])), files[index].lastPathComponent)
            }) { _, result in
                if case .failure(let error) = result, failure == nil { failure = error }
            }
            if let failure { throw failure }
            bytes = try files.reduce(0) { $0 + (try $1.resourceValues(forKeys: [.fileSizeKey]).fileSize ?? 0) }
            return (Date().timeIntervalSince(mergeStart), ThisProcess.peakMegabytes())
        }()
        let written = ThisProcess.bytesWritten() - writtenBefore
        let database = try FileManager.default.contentsOfDirectory(at: hubDirectory, includingPropertiesForKeys: [.fileSizeKey])
            .filter { $0.lastPathComponent.hasPrefix(Replica.databaseName) }
            .reduce(0) { $0 + (try $1.resourceValues(forKeys: [.fileSizeKey]).fileSize ?? 0) }

        let writes = delegations * Self.records * Self.fields * Self.rounds
        let held = try Replica.open(at: hubDirectory, access: .readOnly, logger: logger).list().count
        guard held == delegations * Self.records else {
            throw BenchFailure("the hub holds \(held) records, expected \(delegations * Self.records)")
        }
        return [
            "system": "gfmd", "workload": "W2-merge", "writes": writes, "delegations": delegations,
            "produce_s": (produceSeconds * 1000).rounded() / 1000, "merge_s": (mergeSeconds * 1000).rounded() / 1000,
            "merge_writes_per_s": Int((Double(writes) / mergeSeconds).rounded()), "bytes": bytes,
            "rss_mb": peak, "disk_written_bytes": written, "database_bytes": database,
        ]
    }
}

/// A benchmark whose result is not what the workload should produce.
struct BenchFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
