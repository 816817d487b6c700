import Foundation
import GFMDTestSupport
import Testing

/// Every workload of the README's "Benchmarks" runs at a tiny size and prints
/// its JSON line, so that no format change breaks a benchmark silently (W3
/// did, once). Nothing is timed: the figures come from release runs.
@Suite("Benchmarks run: each workload at a tiny size")
struct BenchmarkSmokeTests {
    let directory = TemporaryDirectory("gfmd-bench-smoke")

    /// The `gfmd-bench` executable beside `gfmd`.
    static let binary = CLI.binary.deletingLastPathComponent().appendingPathComponent("gfmd-bench")

    /// Runs `gfmd-bench arguments` and returns the JSON objects it printed, one per line.
    func run(_ arguments: [String]) throws -> [[String: Any]] {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments
        process.currentDirectoryURL = directory.url
        var environment = ProcessInfo.processInfo.environment
        environment["TMPDIR"] = directory.url.path
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "gfmd-bench \(arguments.joined(separator: " ")): \(stderr)")
        return String(decoding: stdout, as: UTF8.self).split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    @Test("W1 replays a small editing trace into one text, as a bundle, into an empty replica")
    func textTrace() throws {
        // The shape of ../shared/data/editing-traces: patches [position, deleted, inserted].
        let trace = #"{"endContent":"Hello, world","txns":[{"patches":[[0,0,"Hello world"]]},{"patches":[[5,0,","],[12,0,"!"],[12,1,""]]}]}"#
        let json = directory.url.appendingPathComponent("trace.json")
        try Data(trace.utf8).write(to: json)
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        gzip.arguments = ["gzip", "-f", json.path]
        try gzip.run()
        gzip.waitUntilExit()
        let lines = try run(["w1", "--trace", json.path + ".gz"])
        #expect(lines.first?["workload"] as? String == "W1-text" && lines.first?["ops"] as? Int == 4, "\(lines)")
    }

    @Test("W2 merges two delegations' bundles on one hub")
    func merge() throws {
        let lines = try run(["w2", "--delegations", "2", "--work", directory.path("w2").path])
        #expect(lines.contains { $0["workload"] as? String == "W2-merge" }, "\(lines)")
    }

    @Test("W3 makes the delta for a peer lacking the last 10 changes, and the peer applies it")
    func delta() throws {
        let lines = try run(["w3", "--changes", "30", "--records", "4", "--sites", "2", "--work", directory.path("w3").path])
        #expect(lines.first?["workload"] as? String == "W3-delta" && lines.first?["missing"] as? Int == 10, "\(lines)")
    }

    @Test("W4 lists the W2 hub's records with gfmd list beside the sqlite3 shell")
    func list() throws {
        let lines = try run(["w4", "--runs", "1", "--delegations", "2", "--work", directory.path("w4").path])
        #expect(lines.filter { $0["workload"] as? String == "W4-list" }.count == 3, "\(lines)")
    }

    @Test("W5 syncs a few laptops with a hub at once, idle connections held open and the hub killed and restarted, every digest right")
    func hub() throws {
        let lines = try run(["w5", "--clients", "3", "--idle", "20", "--kill-hub-after", "0.05"])
        let line = try #require(lines.first { $0["workload"] as? String == "W5-hub" }, "\(lines)")
        #expect(line["errors"] as? Int == 0, "\(line)")
        #expect(line["idle_connections"] as? Int == 20 && line["verify_problems"] as? Int == 0, "\(line)")
    }

    @Test("W5 with a standby hub: the first killed, the laptops finish on the standby, and the two hubs then agree")
    func standbyHub() throws {
        let lines = try run(["w5", "--clients", "3", "--standby", "--kill-hub-after", "0.05"])
        let line = try #require(lines.first { $0["workload"] as? String == "W5-hub" }, "\(lines)")
        #expect(line["errors"] as? Int == 0 && line["verify_problems"] as? Int == 0, "\(line)")
        #expect((line["hubs_agreed_after_s"] as? Double ?? -1) >= 0, "\(line)")
    }
}
