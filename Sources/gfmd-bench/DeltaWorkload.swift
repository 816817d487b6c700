import Foundation
import GFMDBundle
import GFMDCore
import GFMDReplica
import GFMDStore
import GFMDSync
import Logging

/// W3: a hub holding `changes` changes (10,000 records of 250 sites) and a
/// second secretariat replica holding all but the last 10, each knowing what
/// the other holds; the time to create the delta for that peer and apply it
/// there (`Protocol/sync.md`). The delta is plain, as the hub's answer to a
/// sync over HTTP is (the transport, not the file, protects it), and as
/// Loro's version-vector export is.
///
/// The history is made through the library, not the CLI: each site's changes
/// are signed in commits of 40 (one per record) and carried by one bundle per
/// site that vouches for them, as a laptop's `bundle create --to SEC` would.
/// Hub and peer are kept in the work folder and copied for each run.
struct DeltaWorkload {
    let changes: Int
    let workDirectory: URL?
    /// The records and sites the history spreads over: 10,000 and 250, less
    /// for the smoke test's tiny run.
    var recordCount = 10_000, siteCount = 250
    static let missing = 10
    static let fieldNames = ["questionnaire", "examples"] + (1...8).map { "answers.q\($0)" }

    func run() throws {
        let base = (workDirectory ?? FileManager.default.temporaryDirectory.appendingPathComponent("gfmd-bench-w3"))
            .appendingPathComponent("w3-\(changes)-\(recordCount)-\(siteCount)")
        let ready = base.appendingPathComponent("ready")
        if !FileManager.default.fileExists(atPath: ready.path) {
            try? FileManager.default.removeItem(at: base)
            try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
            let start = Date()
            try build(in: base)
            try Data().write(to: ready)
            FileHandle.standardError.write(Data("gfmd-bench w3: built \(changes) changes in \(Int(Date().timeIntervalSince(start))) s\n".utf8))
            // Measured in a process of its own, so that its peak memory is the delta's alone.
            let again = Process()
            again.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
            again.arguments = Array(CommandLine.arguments.dropFirst())
            try again.run()
            again.waitUntilExit()
            if again.terminationStatus != 0 { throw BenchFailure("the measuring run failed") }
            return
        }
        try measure(from: base)
    }

    private var logger: Logger {
        var logger = Logger(label: "gfmd-bench")
        logger.logLevel = .warning
        return logger
    }

    private func measure(from base: URL) throws {
        let run = FileManager.default.temporaryDirectory.appendingPathComponent("gfmd-bench-w3-run-\(getpid())")
        defer { try? FileManager.default.removeItem(at: run) }
        try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
        for name in ["hub", "peer"] {
            try FileManager.default.copyItem(at: base.appendingPathComponent(name), to: run.appendingPathComponent(name))
        }
        // The copies are written out before timing, so that the timed step does
        // not compete with the kernel flushing them.
        sync()
        let hub = try Replica.open(at: run.appendingPathComponent("hub"), logger: logger)
        let peer = try Replica.open(at: run.appendingPathComponent("peer"), logger: logger)
        let start = Date()
        let delta = try hub.createBundle(for: .secretariat, sealed: false)
        let created = Date()
        try peer.applyBundle(delta.bytes)
        let seconds = Date().timeIntervalSince(start)

        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        // Checked after the peak memory is read: a digest reads every record.
        guard delta.changeCount == Self.missing, try peer.digest() == hub.digest() else {
            throw BenchFailure("the delta carried \(delta.changeCount) changes, expected \(Self.missing), or the peer does not agree with the hub")
        }
        // The same hub asked again, as a hub answers the next laptop: what it
        // kept in memory from the first answer (fingerprints, scans) is warm.
        let again = Date()
        _ = try hub.createBundle(for: .secretariat, sealed: false)
        let warmSeconds = Date().timeIntervalSince(again)
        let bundle = try Bundle(reading: delta.bytes)
        let changeBytes = bundle.commits.reduce(0) { $0 + $1.leaves.reduce(0) { $0 + $1.change.bytes.count } }
        let summaryBytes = bundle.sync?.encoded(relativeTo: bundle.header.created).count ?? 0
        let line: [String: Any] = [
            "system": "gfmd", "workload": "W3-delta", "history_changes": changes, "missing": Self.missing,
            "delta_s": (seconds * 10_000).rounded() / 10_000, "delta_bytes": delta.bytes.count,
            "create_s": (created.timeIntervalSince(start) * 10_000).rounded() / 10_000,
            "warm_create_s": (warmSeconds * 10_000).rounded() / 10_000,
            "changes_bytes": changeBytes, "summary_bytes": summaryBytes, "rss_mb": Int(usage.ru_maxrss / 1024),
        ]
        let json = try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys])
        print(String(decoding: json, as: UTF8.self))
    }

    /// Makes the hub's history, the peer's copy of all but its last 10 changes,
    /// and the round trip after which each knows what the other holds.
    private func build(in base: URL) throws {
        let hub = try Replica.createSecretariat(at: base.appendingPathComponent("hub"), author: "Hub", logger: logger)
        let peer = try Replica.enrolled(at: base.appendingPathComponent("peer"), participant: .secretariat, author: "Peer",
                                        role: .secretariat, by: hub, logger: logger)
        let states = Participants.states.map(\.code)
        var sites: [(key: SiteSigningKey, participant: String, certificate: ChangeHash)] = []
        for index in 0..<siteCount {
            let key = SiteSigningKey()
            let participant = states[index % states.count].rawValue
            _ = try hub.certify(EnrolmentRequest(key: key, participant: participant, author: "Delegate \(index)",
                                                 created: HybridTimestamp(milliseconds: UInt64(Date().timeIntervalSince1970 * 1000), counter: 0)),
                                role: .delegate)
            let certificate = try hub.read { try $0.trustChanges(concerning: key.siteID) }.last!
            sites.append((key, participant, certificate))
        }
        let perSite = (changes - Self.missing) / siteCount
        let recordsPerSite = recordCount / siteCount
        let start = UInt64(Date().timeIntervalSince1970 * 1000) + 1_000
        var lastOfSite: [Int: (heads: [RecordID: ChangeHash], sets: [RecordID: [String: ChangeHash]], time: UInt64)] = [:]

        func history(of index: Int, count: Int, from time: UInt64, state: (heads: [RecordID: ChangeHash], sets: [RecordID: [String: ChangeHash]])) throws
            -> (file: [UInt8], heads: [RecordID: ChangeHash], sets: [RecordID: [String: ChangeHash]], time: UInt64) {
            let site = sites[index]
            var heads = state.heads, sets = state.sets
            var ids = heads.keys.sorted()
            if ids.isEmpty {
                var generator = SystemRandomNumberGenerator()
                ids = (0..<recordsPerSite).map { _ in RecordID.random(using: &generator) }
            }
            var commits: [BundleCommit] = []
            var made = 0, step = 0
            var time = time
            while made < count {
                var batch: [EncodedChange] = []
                time += 1
                for id in ids where made < count {
                    let operations: [ChangeOperation]
                    if heads[id] != nil {
                        let field = Self.fieldNames[step % Self.fieldNames.count]
                        operations = [.set(field: field, value: .string("value \(index)-\(step)"), pred: sets[id]?[field].map { [$0] } ?? [])]
                    } else {
                        operations = [.create(type: "survey_response", owner: site.participant),
                                      .set(field: "title", value: .string("Response \(index)-\(id.short)"), pred: [])]
                    }
                    let change = EncodedChange(Change(
                        record: id, site: site.key.siteID, participant: site.participant, author: "Delegate \(index)",
                        timestamp: HybridTimestamp(milliseconds: time, counter: 0),
                        dependencies: heads[id].map { [$0] } ?? [site.certificate], operations: operations))
                    heads[id] = change.hash
                    if let field = operations.last?.field { sets[id, default: [:]][field] = change.hash }
                    batch.append(change)
                    made += 1
                }
                commits.append(BundleCommit(VerifiedCommit.signing(batch, with: site.key)))
                step += 1
            }
            let tag = SiteTag(site.key.siteID)
            let created = HybridTimestamp(milliseconds: time + 1, counter: 0)
            let message = SyncMessage(recipient: "SEC", holds: Frontier([tag: HybridTimestamp(milliseconds: time, counter: 0)]), vouched: [tag])
            let file = Bundle.encode(commits, sender: site.key, participant: site.participant, created: created, sync: message, level: 1)
            return (file, heads, sets, time + 1)
        }

        // The hub receives each site's bundle and forwards what is new to the
        // peer as a delta; the peer then says what it holds.
        try peer.applyBundle(try hub.createBundle(for: .secretariat).bytes)
        for index in sites.indices {
            let made = try history(of: index, count: perSite + (index < (changes - Self.missing) % siteCount ? 1 : 0), from: start, state: ([:], [:]))
            try hub.applyBundle(made.file)
            try peer.applyBundle(try hub.createBundle(for: .secretariat).bytes)
            lastOfSite[index] = (made.heads, made.sets, made.time)
        }
        let answer = try peer.createBundle(for: .secretariat)
        guard answer.changeCount == 0 else { throw BenchFailure("the peer's answer carried \(answer.changeCount) changes the hub holds") }
        try hub.applyBundle(answer.bytes)
        // The last 10 changes, which only the hub receives.
        let last = lastOfSite[0]!
        let tail = try history(of: 0, count: Self.missing, from: last.time, state: (last.heads, last.sets))
        try hub.applyBundle(tail.file)
    }
}
