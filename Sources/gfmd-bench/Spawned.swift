import Foundation

/// A program run to completion as a user starts it: its wall time, peak
/// resident memory and what it printed.
///
/// Spawned and reaped directly with `posix_spawn` and `wait4` (Foundation's
/// `Process` polls for the exit, which adds tens of milliseconds, and does
/// not give the child's resource usage).
struct Spawned {
    let seconds: Double
    /// The child's peak resident set size (`ru_maxrss`), in MB.
    let peakMegabytes: Int
    let output: Data

    /// The lines printed.
    var lines: Int { output.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) } }

    /// The last line printed that is a JSON object.
    func jsonLine() throws -> [String: Any] {
        let text = String(decoding: output, as: UTF8.self)
        for line in text.split(separator: "\n").reversed() where line.hasPrefix("{") {
            if let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] { return object }
        }
        throw BenchFailure("no JSON line in the output: \(text.suffix(400))")
    }

    /// Runs `executable arguments` with standard output in `output`,
    /// `environment` added to this process's, and standard error passed through.
    init(_ executable: URL, _ arguments: [String], output: URL, environment: [String: String] = [:]) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, output.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let argv = ([executable.path] + arguments).map { strdup($0) } + [nil]
        var merged = ProcessInfo.processInfo.environment
        merged.merge(environment) { $1 }
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let start = DispatchTime.now().uptimeNanoseconds
        let spawned = posix_spawn(&pid, executable.path, &actions, nil, argv, envp)
        guard spawned == 0 else { throw BenchFailure("cannot start \(executable.path): error \(spawned)") }
        var status: Int32 = 0
        var usage = rusage()
        wait4(pid, &status, 0, &usage)
        seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        guard status == 0 else {
            throw BenchFailure("\(executable.lastPathComponent) \(arguments.joined(separator: " ")) failed (wait status \(status))")
        }
        peakMegabytes = Int(usage.ru_maxrss / 1024)
        self.output = try Data(contentsOf: output)
    }
}

/// Readings of this process from `/proc/self`.
enum ThisProcess {
    /// Bytes this process has caused to be written to storage so far (`write_bytes` of `/proc/self/io`).
    static func bytesWritten() -> Int {
        field("write_bytes:", of: "/proc/self/io")
    }

    /// The peak resident set size so far (`VmHWM`), in MB.
    static func peakMegabytes() -> Int {
        field("VmHWM:", of: "/proc/self/status") / 1024
    }

    /// The number after `name` on its line of `path` (a `/proc` file).
    static func field(_ name: String, of path: String) -> Int {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        let line = text.split(separator: "\n").first { $0.hasPrefix(name) }
        return line.flatMap { $0.split(separator: " ").dropFirst().first }.flatMap { Int($0) } ?? 0
    }
}
