import Foundation
import GFMDReplica

/// `gfmd-bench report`: issue 13's table in one command. Runs W1, W2, `gfmd
/// verify` and `gfmd bundle create --all` on W2's hub, each in a process of
/// its own, alternating with `../shared/bench/peers.py`'s Loro, yrs and SQLite
/// session runs of the same work, `runs` times; then W2 again at each of
/// `scale`'s delegation counts. Prints Markdown: medians, ratios to the
/// anchors, and whether each target is met.
struct ReportWorkload {
    let runs: Int
    let delegations: Int
    let scale: [Int]
    let workDirectory: URL
    /// The Python that has loro, pycrdt and apsw (`../shared/bench/README.md`).
    let python: URL
    let peers: URL

    private var bench: URL { URL(fileURLWithPath: CommandLine.arguments[0]) }
    private var gfmd: URL { bench.deletingLastPathComponent().appendingPathComponent("gfmd") }
    private var output: URL { workDirectory.appendingPathComponent("report-output.txt") }

    /// Samples of each figure, by system and name.
    private struct Samples {
        var values: [String: [Double]] = [:]
        mutating func add(_ system: String, _ line: [String: Any], _ names: String...) throws {
            for name in names {
                guard let value = (line[name] as? NSNumber)?.doubleValue else { throw BenchFailure("\(system) printed no \(name): \(line)") }
                values["\(system).\(name)", default: []].append(value)
            }
        }
        mutating func add(_ key: String, _ value: Double) { values[key, default: []].append(value) }
        func median(_ key: String) -> Double {
            let sorted = (values[key] ?? [.nan]).sorted()
            return sorted[sorted.count / 2]
        }
        func range(_ key: String) -> String {
            let all = values[key] ?? []
            guard let low = all.min(), let high = all.max() else { return "—" }
            return all.count == 1 ? format(low) : "\(format(low))–\(format(high))"
        }
    }

    func run() throws {
        guard FileManager.default.isExecutableFile(atPath: gfmd.path) else {
            throw BenchFailure("no gfmd beside gfmd-bench at \(gfmd.path): build both (swift build -c release)")
        }
        try FileManager.default.createDirectory(at: workDirectory, withIntermediateDirectories: true)
        let w2 = workDirectory.appendingPathComponent("w2-\(delegations)")
        var samples = Samples()
        // The first W2 run makes the delegations' bundles; they are kept and reused.
        _ = try spawnBench(["w2", "--delegations", "\(delegations)", "--work", w2.path])
        for run in 1...runs {
            FileHandle.standardError.write(Data("gfmd-bench report: run \(run) of \(runs)\n".utf8))
            try samples.add("gfmd.w2", spawnBench(["w2", "--delegations", "\(delegations)", "--work", w2.path]).jsonLine(),
                            "merge_s", "rss_mb", "disk_written_bytes", "database_bytes", "bytes")
            try samples.add("loro.w2", peer("w2-loro", delegations: delegations).jsonLine(), "merge_s", "rss_mb")
            try samples.add("session.w2", peer("w2-session", delegations: delegations).jsonLine(), "merge_s", "bytes")
            let hub = w2.appendingPathComponent("hub")
            let verify = try Spawned(gfmd, ["--replica", hub.path, "verify", "--quiet"], output: output)
            guard String(decoding: verify.output, as: UTF8.self).contains("verdict    intact") else {
                throw BenchFailure("gfmd verify did not verify the hub: \(String(decoding: verify.output, as: UTF8.self))")
            }
            samples.add("verify.s", verify.seconds)
            samples.add("verify.mb", Double(verify.peakMegabytes))
            let backup = workDirectory.appendingPathComponent("all.gfmd")
            try? FileManager.default.removeItem(at: backup)
            let all = try Spawned(gfmd, ["--replica", hub.path, "bundle", "create", "--all", "-o", backup.path], output: output)
            samples.add("all.s", all.seconds)
            samples.add("all.mb", Double(all.peakMegabytes))
            try samples.add("gfmd.w1", spawnBench(["w1"]).jsonLine(), "apply_s", "load_s", "bytes")
            let w1 = try peer("w1-loro", "w1-yrs")
            let lines = String(decoding: w1.output, as: UTF8.self).split(separator: "\n")
                .compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            for line in lines {
                try samples.add("\(line["system"] ?? "?").w1", line, "apply_s", "load_s", "gz_bytes")
            }
        }
        print(table(samples))
        if !scale.isEmpty { print(try scaling()) }
    }

    private func table(_ s: Samples) -> String {
        let bundles = s.median("gfmd.w2.bytes")
        let mb = { (bytes: Double) in format(bytes / 1e6) + " MB" }
        let merge = s.median("gfmd.w2.merge_s"), loro = s.median("loro.w2.merge_s")
        let written = s.median("gfmd.w2.disk_written_bytes"), database = s.median("gfmd.w2.database_bytes")
        let rss = s.median("gfmd.w2.rss_mb")
        let verify = s.median("verify.s"), verifyMB = s.median("verify.mb")
        let all = s.median("all.mb")
        let replay = s.median("gfmd.w1.apply_s"), loroReplay = s.median("loro.w1.apply_s")
        let load = s.median("gfmd.w1.load_s"), loroLoad = s.median("loro.w1.load_s")
        let w1Bytes = s.median("gfmd.w1.bytes"), yrsBytes = s.median("yrs.w1.gz_bytes")
        let writes = delegations * MergeWorkload.records * MergeWorkload.fields * MergeWorkload.rounds
        func row(_ cells: String...) -> String { "| " + cells.joined(separator: " | ") + " |" }
        func met(_ yes: Bool) -> String { yes ? "met" : "**not met**" }
        let rows = [
            row("workload", "gfmd", "anchor", "now", "target", "verdict"),
            row("---", "---", "---", "---", "---", "---"),
            row("W2 merge of \(delegations) bundles, \(writes / 1000)k writes", s.range("gfmd.w2.merge_s") + " s",
                "Loro in memory " + s.range("loro.w2.merge_s") + " s", format(merge / loro) + "× Loro", "≤ 1.0× Loro", met(merge <= loro)),
            row("W2 bytes written to disk", "\(mb(written)) for \(mb(bundles)) of bundles",
                "SQLite session \(mb(s.median("session.w2.bytes"))) changesets", format(written / bundles) + "× the bundles", "≤ 10×",
                met(written <= 10 * bundles)),
            row("W2 hub database", mb(database), "—", format(database / bundles) + "× the bundles", "≤ 3×", met(database <= 3 * bundles)),
            row("W2 hub peak RSS", format(rss) + " MB", "Loro " + format(s.median("loro.w2.rss_mb")) + " MB", "—",
                "≤ 100 MB, flat in the number of bundles", met(rss <= 100)),
            row("`verify` on the W2 hub", s.range("verify.s") + " s, " + format(verifyMB) + " MB", "—",
                format(verify / merge) + "× the merge", "≤ 1× the merge time, ≤ 100 MB", met(verify <= merge && verifyMB <= 100)),
            row("`bundle create --all` on the W2 hub", s.range("all.s") + " s, " + format(all) + " MB", "—", "—", "≤ 100 MB (stream it)",
                met(all <= 100)),
            row("W1 replay, 259,778 edits", s.range("gfmd.w1.apply_s") + " s", "Loro " + s.range("loro.w1.apply_s") + " s",
                format(replay / loroReplay) + "×", "≤ 1.0×", met(replay <= loroReplay)),
            row("W1 load into an empty replica", format(load * 1000) + " ms", "Loro " + format(loroLoad * 1000) + " ms",
                format(load / loroLoad) + "×", "≤ 2×", met(load <= 2 * loroLoad)),
            row("W1 bundle", format(w1Bytes / 1000) + " KB", "yrs gzip " + format(yrsBytes / 1000) + " KB",
                format(w1Bytes / yrsBytes) + "×", "≤ \(format(yrsBytes / 1000)) KB", met(w1Bytes <= yrsBytes)),
        ]
        return "Medians of \(runs) alternated run\(runs == 1 ? "" : "s") (ranges where several), release build, this machine:\n\n"
            + rows.joined(separator: "\n") + "\n"
    }

    /// W2 at each delegation count: one gfmd run and one Loro run each.
    private func scaling() throws -> String {
        var rows = [
            "| delegations | writes | gfmd merge | writes/s | peak RSS | database | written to disk | Loro merge | ratio |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for count in scale {
            FileHandle.standardError.write(Data("gfmd-bench report: W2 at \(count) delegations\n".utf8))
            let work = workDirectory.appendingPathComponent("w2-\(count)")
            let gfmdLine = try spawnBench(["w2", "--delegations", "\(count)", "--work", work.path]).jsonLine()
            let loroLine = try peer("w2-loro", delegations: count).jsonLine()
            let number = { (line: [String: Any], key: String) in (line[key] as? NSNumber)?.doubleValue ?? .nan }
            let merge = number(gfmdLine, "merge_s")
            rows.append("| \(count) | \(Int(number(gfmdLine, "writes")) / 1000)k | \(format(merge)) s | "
                + "\(Int(number(gfmdLine, "merge_writes_per_s")) / 1000)k | \(Int(number(gfmdLine, "rss_mb"))) MB | "
                + "\(format(number(gfmdLine, "database_bytes") / 1e6)) MB | \(format(number(gfmdLine, "disk_written_bytes") / 1e6)) MB | "
                + "\(format(number(loroLine, "merge_s"))) s | \(format(merge / number(loroLine, "merge_s")))× |")
        }
        return "\nW2 as the hub grows (one run each; the first run at a new count also makes its bundles):\n\n" + rows.joined(separator: "\n") + "\n"
    }

    private func spawnBench(_ arguments: [String]) throws -> Spawned {
        try Spawned(bench, arguments, output: output)
    }

    private func peer(_ workloads: String..., delegations: Int? = nil) throws -> Spawned {
        guard FileManager.default.fileExists(atPath: peers.path) else {
            throw BenchFailure("no peers.py at \(peers.path): pass --peers PATH")
        }
        var environment: [String: String] = [:]
        if let delegations { environment["DELEGATIONS"] = "\(delegations)" }
        return try Spawned(python, [peers.path] + workloads, output: output, environment: environment)
    }
}

/// A figure with three significant digits at most, the way the table prints it.
private func format(_ value: Double) -> String {
    guard value.isFinite else { return "—" }
    let digits = value >= 100 ? 0 : value >= 10 ? 1 : value >= 1 ? 2 : 3
    return String(format: "%.\(digits)f", value)
}
