import Foundation
import GFMDReplica

/// W4: `gfmd list` on the W2 hub's 10,000 records, beside the `sqlite3` shell
/// running the same query on the same file, alternating, each run a new
/// process as a user starts it. Prints one JSON line per system and one with
/// the ratio of the medians.
struct ListWorkload {
    let runs: Int
    /// W2's hub: 250 delegations of 40 records (fewer for the smoke test).
    let delegations: Int
    /// Where the W2 bundles are kept between runs (as `w2 --work`).
    let workDirectory: URL?

    /// The query `gfmd list` runs (`StoreReader.summaries`), as the shell runs it.
    static let query = """
        SELECT lower(hex(id)), type, owner, workflow, title, deleted, conflicted, updated_hlc
        FROM record WHERE type <> 'trust' AND (deleted = 0 OR conflicted = 1) ORDER BY updated_hlc DESC, id;
        """

    func run() throws {
        let directory = workDirectory ?? FileManager.default.temporaryDirectory.appendingPathComponent("gfmd-bench-w4-\(getpid())")
        defer {
            if workDirectory == nil { try? FileManager.default.removeItem(at: directory) }
        }
        _ = try MergeWorkload(delegations: delegations, workDirectory: directory).merge()
        let hub = directory.appendingPathComponent("hub")
        let gfmd = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("gfmd")
        guard FileManager.default.isExecutableFile(atPath: gfmd.path) else {
            throw BenchFailure("no gfmd beside gfmd-bench at \(gfmd.path): build both (swift build -c release)")
        }
        let sqlite = URL(fileURLWithPath: "/usr/bin/sqlite3")
        guard FileManager.default.isExecutableFile(atPath: sqlite.path) else {
            throw BenchFailure("the sqlite3 shell is not installed: scripts/setup-system.sh installs it")
        }
        let records = delegations * MergeWorkload.records
        let output = directory.appendingPathComponent("w4-output.txt")
        var times: [String: [Double]] = ["gfmd": [], "sqlite3": []]
        for _ in 0..<runs {
            let listed = try Spawned(gfmd, ["list", "--replica", hub.path], output: output)
            // The header, then one line per record.
            guard listed.lines == records + 1 else { throw BenchFailure("gfmd list printed \(listed.lines) lines, expected \(records + 1)") }
            times["gfmd"]!.append(listed.seconds)
            let selected = try Spawned(sqlite, ["-readonly", hub.appendingPathComponent(Replica.databaseName).path, Self.query], output: output)
            guard selected.lines == records else { throw BenchFailure("sqlite3 printed \(selected.lines) lines, expected \(records)") }
            times["sqlite3"]!.append(selected.seconds)
        }
        func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
        for system in ["gfmd", "sqlite3"] {
            let line: [String: Any] = [
                "system": system, "workload": "W4-list", "records": records, "runs": runs,
                "median_s": (median(times[system]!) * 10_000).rounded() / 10_000,
                "min_s": (times[system]!.min()! * 10_000).rounded() / 10_000,
            ]
            print(String(decoding: try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys]), as: UTF8.self))
        }
        let ratio: [String: Any] = ["workload": "W4-list", "gfmd_over_sqlite3": (median(times["gfmd"]!) / median(times["sqlite3"]!) * 100).rounded() / 100]
        print(String(decoding: try JSONSerialization.data(withJSONObject: ratio, options: [.sortedKeys]), as: UTF8.self))
    }
}
