import Foundation
import GFMDCore
import GFMDHub
import GFMDHubClient
import GFMDReplica
import Logging

/// W5: a hub on 127.0.0.1 in a process of its own and `clients` enrolled
/// laptops (one delegation each, in turn over the states) that sync with it
/// at once, each pushing a commit of 20 field writes (two survey responses: a title and nine answers each) and pulling what it
/// may read. Prints one JSON line; with `wrk` on the PATH, a second line
/// gives the machine's HTTP limit on the same server's trivial endpoint.
///
/// With `idle`, that many connections to the hub stay open and silent
/// meanwhile. With `killHubAfter`, the hub is killed (SIGKILL) that many
/// seconds into the measured syncs and started again on the same port: the
/// laptops finish by their retries, and the hub's replica is verified.
/// With `standby`, a second hub runs beside it, kept in step by the first's
/// `--mirror`, and the laptops list both addresses; a hub killed is started
/// again only once the laptops are done, and the line says how long the two
/// hubs then took to agree.
struct HubWorkload {
    let clients: Int
    var idle = 0
    var killHubAfter: Double?
    var standby = false
    static let fields = ["questionnaire", "examples"] + (1...8).map { "answers.q\($0)" }

    func run() async throws {
        guard idle >= 0, killHubAfter.map({ $0 >= 0 }) ?? true else {
            throw BenchFailure("--idle takes a count and --kill-hub-after a number of seconds, neither below 0")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gfmd-bench-w5-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var logger = Logger(label: "gfmd-bench")
        logger.logLevel = .warning
        let states = Participants.states.map(\.code)
        let hubFolder = directory.appendingPathComponent("hub"), standbyFolder = directory.appendingPathComponent("standby")
        let laptops = try {
            let root = try Replica.createSecretariat(at: hubFolder, author: "Secretariat", logger: logger)
            if standby {
                _ = try Replica.enrolled(at: standbyFolder, participant: .secretariat, author: "Standby hub", role: .secretariat, by: root, logger: logger)
            }
            return try (0..<clients).map { index in
                try Replica.enrolled(at: directory.appendingPathComponent("laptop\(index)"), participant: states[index % states.count],
                                     author: "Delegate \(index)", role: .delegate, by: root, logger: logger)
            }
        }()
        IdleConnections.makeRoom(for: idle)
        let second = try standby ? HubChild(replica: standbyFolder) : nil
        defer { second?.stop() }
        let mirror = second.map { ["--mirror", $0.url.absoluteString] } ?? []
        var hub = try HubChild(replica: hubFolder, options: mirror)
        defer { hub.stop() }
        let idleConnections = try IdleConnections(count: idle, port: hub.url.port ?? 0)
        defer { idleConnections.close() }

        // Each laptop's first sync (its enrolment, the trust record) is not measured.
        let url = hub.url
        let addresses = [url] + (second.map { [$0.url] } ?? [])
        try await Self.syncAll(laptops, addresses: addresses)
        for (index, laptop) in laptops.enumerated() {
            var generator = SystemRandomNumberGenerator()
            let records = (0..<2).map { record in
                RecordEdits(.new(id: RecordID.random(using: &generator), type: "survey_response", title: "Answers \(index)-\(record)"),
                            Self.fields.dropFirst().map { Edit.set(field: $0, value: "answer \(index)-\(record) \($0)") })
            }
            try laptop.commit(records)
        }
        let start = ContinuousClock.now
        let killer = killHubAfter.map { seconds in
            Task { [hub, standby] in
                try await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
                let rss = hub.peakRSSMegabytes()
                hub.kill()
                // With a standby, the laptops finish there; the hub returns once they are done.
                return (rss, standby ? nil : try HubChild(replica: hubFolder, port: url.port ?? 0))
            }
        }
        let cpuBefore = MachineCPU.now()
        let latencies = try await Self.syncAll(laptops, addresses: addresses)
        let wall = (ContinuousClock.now - start).seconds
        let cpuBusy = MachineCPU.now().busyShare(since: cpuBefore)
        var hubRSS = 0
        var agreedAfter: Double?
        if let killer {
            let (killedRSS, restarted) = try await killer.value
            hubRSS = killedRSS
            hub = try restarted ?? HubChild(replica: hubFolder, port: url.port ?? 0, options: mirror)
            if standby {
                agreedAfter = try await Self.agreement(of: hubFolder, standbyFolder, logger: logger)
            }
        }
        hubRSS = max(hubRSS, hub.peakRSSMegabytes())
        // Laptops of one delegation that synced before a colleague pushed catch up once more.
        try await Self.syncAll(laptops, addresses: addresses)
        let hubReplica = try Replica.open(at: hubFolder, access: .readOnly, logger: logger)
        var mismatches = 0
        for laptop in laptops {
            let participant = ParticipantCode(laptop.identity.participant)!
            if try laptop.digest() != hubReplica.digest(for: participant) { mismatches += 1 }
        }
        let times = latencies.compactMap { $0 }.sorted()
        func quantile(_ q: Double) -> Double {
            times.isEmpty ? 0 : (times[min(times.count - 1, Int((Double(times.count) * q).rounded(.up)) - 1)] * 1000).rounded() / 1000
        }
        var line: [String: Any] = [
            "system": "gfmd", "workload": "W5-hub", "clients": clients,
            "errors": latencies.count { $0 == nil } + mismatches, "digest_mismatches": mismatches,
            "p50_s": quantile(0.5), "p99_s": quantile(0.99), "syncs_per_s": (Double(times.count) / wall * 10).rounded() / 10,
            "hub_rss_mb": hubRSS, "idle_connections": idleConnections.count,
            "cpu_busy": (cpuBusy * 100).rounded() / 100,
        ]
        if standby {
            line["standby"] = true
            line["hubs_agreed_after_s"] = agreedAfter.map { ($0 * 10).rounded() / 10 } ?? -1
        }
        if let killHubAfter {
            // Every change the laptops made is at the hub, and its history replays to its state.
            let verification = try Replica.open(at: hubFolder, access: .readOnly).verify()
            line["hub_killed_after_s"] = killHubAfter
            line["verify_problems"] = verification.problems.count
        }
        print(String(decoding: try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys]), as: UTF8.self))
        if let limit = try Wrk.requestsPerSecond(url: hub.url.appendingPathComponent("v1/health")) {
            let wrk: [String: Any] = ["system": "wrk", "workload": "W5-health", "connections": 64, "requests_per_s": limit]
            print(String(decoding: try JSONSerialization.data(withJSONObject: wrk, options: [.sortedKeys]), as: UTF8.self))
        }
    }

    /// Syncs every laptop at once with the first of `addresses` that
    /// answers; each one's latency in seconds, nil when it failed.
    @discardableResult
    static func syncAll(_ laptops: [Replica], addresses: [URL]) async throws -> [Double?] {
        try await withThrowingTaskGroup(of: Double?.self) { group in
            for laptop in laptops {
                group.addTask {
                    let start = ContinuousClock.now
                    do {
                        _ = try await HubFailover.sync(laptop, addresses: addresses)
                        return (ContinuousClock.now - start).seconds
                    } catch {
                        FileHandle.standardError.write(Data("gfmd-bench w5: \(laptop.identity.participant): \(error)\n".utf8))
                        return nil
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
    }
}

extension HubWorkload {
    /// How long, in seconds, the hubs at `first` and `second` took to hold
    /// the same (their digests), checked twice a second; nil past two minutes.
    static func agreement(of first: URL, _ second: URL, logger: Logger) async throws -> Double? {
        let start = ContinuousClock.now
        while ContinuousClock.now - start < .seconds(120) {
            let a = try Replica.open(at: first, access: .readOnly, logger: logger).digest()
            let b = try Replica.open(at: second, access: .readOnly, logger: logger).digest()
            if a == b { return (ContinuousClock.now - start).seconds }
            try await Task.sleep(for: .milliseconds(500))
        }
        return nil
    }
}

extension Duration {
    /// The duration in seconds.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

/// `gfmd-bench w5-hub --replica DIR`: the hub of W5, in a process of its own
/// so that its memory is measured alone.
struct HubChild {
    let process: ChildProcess
    let url: URL

    /// Starts the hub serving `replica` on `port` (0: a free one), with `options` (`--mirror URL`).
    init(replica: URL, port: Int = 0, options: [String] = []) throws {
        process = try ChildProcess("/proc/self/exe", ["w5-hub", "--replica", replica.path, "--port", "\(port)"] + options)
        var text = ""
        while !text.contains("\n") {
            let data = process.output.availableData
            if data.isEmpty { throw BenchFailure("the hub process ended before it listened") }
            text += String(decoding: data, as: UTF8.self)
        }
        guard let line = text.split(separator: "\n").first, line.hasPrefix("Listening on "),
              let url = URL(string: String(line.dropFirst("Listening on ".count))) else {
            throw BenchFailure("the hub process said \(text)")
        }
        self.url = url
    }

    /// The hub process's peak resident memory so far (VmHWM), in MB.
    func peakRSSMegabytes() -> Int {
        ThisProcess.field("VmHWM:", of: "/proc/\(process.pid)/status") / 1024
    }

    func stop() {
        guard process.isRunning else { return }
        process.signal(SIGTERM)
        process.wait()
    }

    /// Kills the hub as a power cut would: SIGKILL, nothing flushed.
    func kill() {
        process.signal(SIGKILL)
        process.wait()
    }

    /// Serves `replica` on `port` until SIGTERM, printing the "Listening on" line.
    static func serve(replica: URL, port: Int, mirror: URL?) async throws {
        var logger = Logger(label: "gfmd-bench-hub")
        // GFMD_LOG_LEVEL=info logs each sync with the time the hub took.
        logger.logLevel = ProcessInfo.processInfo.environment["GFMD_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
        var configuration = HubConfiguration(port: port)
        configuration.mirrors = mirror.map { [$0] } ?? []
        configuration.mirrorInterval = .seconds(1)
        let hub = HubService(replica: try Replica.open(at: replica, logger: logger), configuration: configuration, logger: logger) { url in
            FileHandle.standardOutput.write(Data("Listening on \(url.absoluteString)\n".utf8))
        }
        try await hub.runUntilSignalled()
    }
}

/// The machine's HTTP limit: `wrk` against one URL, when it is installed.
enum Wrk {
    static func requestsPerSecond(url: URL) throws -> Double? {
        let process = try ChildProcess("/usr/bin/env", ["wrk", "-t2", "-c64", "-d5s", url.absoluteString], quiet: true)
        let text = String(decoding: process.output.readDataToEndOfFile(), as: UTF8.self)
        guard process.wait() == 0,
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("Requests/sec:") }) else { return nil }
        return Double(line.split(separator: " ").last ?? "")
    }
}

/// Connections to the hub opened and left silent, as laptops on a venue's
/// network that connected and went quiet.
struct IdleConnections {
    private let sockets: [Int32]

    /// Raises this process's limit of open files (and so the hub's, started
    /// after) to hold `count` more connections at each end, when it is too low.
    static func makeRoom(for count: Int) {
        var limit = rlimit()
        getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        let wanted = rlim_t(2 * count + 1024)
        if limit.rlim_cur < wanted {
            limit.rlim_cur = min(wanted, limit.rlim_max)
            setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        }
    }

    /// Opens `count` connections to 127.0.0.1:`port` (``makeRoom(for:)`` first).
    init(count: Int, port: Int) throws {
        var sockets: [Int32] = []
        for _ in 0..<count {
            // Close-on-exec: a hub started meanwhile must not hold them open.
            let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard socket >= 0 else { throw BenchFailure("cannot open an idle connection: \(String(cString: strerror(errno)))") }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard connected == 0 else {
                Foundation.close(socket)
                throw BenchFailure("cannot connect an idle connection to the hub: \(String(cString: strerror(errno)))")
            }
            sockets.append(socket)
        }
        self.sockets = sockets
    }

    /// How many are open.
    var count: Int { sockets.count }

    /// Closes them all.
    func close() {
        for socket in sockets { Foundation.close(socket) }
    }
}

/// The machine's CPU time from `/proc/stat`: how busy its cores were
/// while the measured syncs ran (1: every core busy throughout).
struct MachineCPU {
    let busy: Double, total: Double

    static func now() -> MachineCPU {
        let line = (try? String(contentsOfFile: "/proc/stat", encoding: .utf8))?.split(separator: "\n").first ?? ""
        let ticks = line.split(separator: " ").dropFirst().compactMap { Double($0) }
        guard ticks.count >= 5 else { return MachineCPU(busy: 0, total: 0) }
        // user nice system idle iowait irq softirq steal ...
        let idle = ticks[3] + ticks[4]
        let total = ticks.prefix(8).reduce(0, +)
        return MachineCPU(busy: total - idle, total: total)
    }

    func busyShare(since earlier: MachineCPU) -> Double {
        total > earlier.total ? (busy - earlier.busy) / (total - earlier.total) : 0
    }
}
