import Foundation
import GFMDTestSupport
import Testing

/// Runs the built `gfmd` binary as a user would, in a temporary directory.
final class CLI: @unchecked Sendable {
    /// The result of one run.
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String

        /// Standard output without the final line break.
        var output: String { stdout.trimmingCharacters(in: .newlines) }
    }

    let directory = TemporaryDirectory("gfmd-cli")

    /// The `gfmd` executable beside the test bundle (or `$GFMD_BINARY`).
    static let binary: URL = {
        if let path = ProcessInfo.processInfo.environment["GFMD_BINARY"] { return URL(fileURLWithPath: path) }
        var directory = Bundle.main.bundleURL
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("gfmd")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory.deleteLastPathComponent()
        }
        fatalError("cannot find the gfmd binary near \(Bundle.main.bundleURL.path); set GFMD_BINARY")
    }()

    /// Runs `gfmd arguments` in the temporary directory, with `environment`
    /// added and `input` on standard input. With `unprivileged`, a test run
    /// as root runs gfmd as the user `nobody`, for whom file permissions hold.
    @discardableResult
    func run(_ arguments: [String], environment: [String: String] = [:], input: [UInt8]? = nil, unprivileged: Bool = false) throws -> Result {
        if unprivileged && geteuid() == 0 {
            return try launch(["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", Self.binary.path] + arguments,
                              environment: environment, input: input)
        }
        return try launch([Self.binary.path] + arguments, environment: environment, input: input)
    }

    /// Runs `gfmd arguments` on a real pseudo-terminal (util-linux `script`,
    /// its typescript kept in the temporary directory), as a user at a
    /// terminal would: what the terminal received, both streams together.
    func onTerminal(_ arguments: [String]) throws -> String {
        let quoted = ([Self.binary.path] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        let result = try launch(["/usr/bin/script", "--quiet", "--return", "--command", quoted.joined(separator: " "), path("typescript")],
                                environment: ["COLUMNS": nil])
        #expect(result.status == 0, "\(arguments) on a terminal: \(result.stdout)\(result.stderr)")
        return result.stdout
    }

    /// Runs `command` in the temporary directory, with HOME there, no
    /// replica chosen by the environment, `environment` added (a nil value
    /// removes the variable) and `input` on standard input.
    private func launch(_ command: [String], environment: [String: String?] = [:], input: [UInt8]? = nil) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        process.currentDirectoryURL = directory.url
        var env = ProcessInfo.processInfo.environment
        env["HOME"] = directory.url.path
        env.removeValue(forKey: "GFMD_REPLICA")
        env.removeValue(forKey: "XDG_DATA_HOME")
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let stdin = Pipe()
        process.standardInput = input == nil ? FileHandle.nullDevice : stdin
        try process.run()
        if let input {
            // Written from another thread, so that a large input cannot block on a full pipe.
            let handle = stdin.fileHandleForWriting
            DispatchQueue.global().async {
                handle.write(Data(input))
                try? handle.close()
            }
        }
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// Runs `gfmd arguments --replica name` and expects success.
    @discardableResult
    func ok(_ name: String, _ arguments: String...) throws -> Result {
        try ok(name, arguments)
    }

    /// Runs `gfmd arguments --replica name` and expects success.
    @discardableResult
    func ok(_ name: String, _ arguments: [String]) throws -> Result {
        let result = try run(arguments + ["--replica", name])
        #expect(result.status == 0, "gfmd \(arguments.joined(separator: " ")) failed: \(result.stderr)")
        return result
    }

    /// Runs `gfmd arguments --replica name` and expects a one-line refusal containing `expected`.
    @discardableResult
    func refused(_ name: String, _ arguments: [String], mentioning expected: String) throws -> Result {
        let result = try run(arguments + ["--replica", name])
        #expect(result.status != 0, "gfmd \(arguments.joined(separator: " ")) should fail")
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "one line on stderr, got: \(result.stderr)")
        #expect(result.stderr.hasPrefix("gfmd: "))
        #expect(result.stderr.contains(expected), "stderr: \(result.stderr)")
        return result
    }

    /// Creates replica `name` for `participant` and enrols it as a user would:
    /// `gfmd request`, the secretariat's `gfmd certify`, then `gfmd enroll`.
    /// The secretariat's replica `sec` (with the root key) is created first if missing.
    func enrolled(_ name: String, _ participant: String, author: String, role: String = "delegate") throws {
        if !FileManager.default.fileExists(atPath: path("sec")) {
            try ok("sec", "init", "--secretariat", "--author", "Ana Lopez")
        }
        try ok(name, "init", "--delegation", participant, "--author", author)
        try ok(name, "request", "-o", "\(name).request")
        try ok("sec", "certify", "\(name).request", "--role", role, "-o", "\(name).cert")
        try ok(name, "enroll", "\(name).cert")
    }

    /// The secretariat sends `participant`'s laptops `names` a bundle, as
    /// after enrolling them: each learns the others' certificates, and so
    /// their encryption keys, for the bundles it seals to them.
    func introduce(_ names: [String], of participant: String) throws {
        try ok("sec", "bundle", "create", "--to", participant, "--full", "-o", "introduce-\(participant).gfmd")
        for name in names { try ok(name, "bundle", "apply", "introduce-\(participant).gfmd") }
    }

    /// The replica's digest.
    func digest(_ name: String) throws -> String {
        try ok(name, "digest").output
    }

    /// A path in the temporary directory.
    func path(_ name: String) -> String { directory.path(name).path }
}
