import Foundation
import Synchronization

/// A gfmd that serves, in its own process: `gfmd serve` as the secretariat
/// runs it, or `gfmd ui` as an officer does.
final class ServingProcess: @unchecked Sendable {
    let process = Process()
    /// Its URL, from the line that says where it listens (for `gfmd ui`, with the launch secret).
    let url: URL

    /// Starts `gfmd serve --replica replica --port port` (with `options`) and waits until it listens.
    convenience init(hub replica: String, port: Int = 0, options: [String] = [], in directory: URL) throws {
        try self.init(["serve", "--replica", replica, "--port", String(port)] + options, announcing: "Listening on ", in: directory)
    }

    /// Starts `gfmd ui --replica replica --no-browser` and waits until it listens.
    convenience init(ui replica: String, in directory: URL) throws {
        try self.init(["ui", "--replica", replica, "--no-browser"], announcing: "gfmd ui: open ", in: directory)
    }

    /// Starts gfmd with `arguments` and waits for the line starting with `announcing`, which ends with its URL.
    init(_ arguments: [String], announcing prefix: String, in directory: URL) throws {
        process.executableURL = CLI.binary
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var environment = ProcessInfo.processInfo.environment
        environment["GFMD_LOG_LEVEL"] = "warning"
        process.environment = environment
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let found = Mutex<URL?>(nil)
        let listening = DispatchSemaphore(value: 0)
        let handle = out.fileHandleForReading
        DispatchQueue.global().async {
            var text = ""
            while case let data = handle.availableData, !data.isEmpty {
                text += String(decoding: data, as: UTF8.self)
                if let line = text.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) {
                    found.withLock { $0 = URL(string: String(line.dropFirst(prefix.count))) }
                    listening.signal()
                    return
                }
            }
            listening.signal()
        }
        _ = listening.wait(timeout: .now() + 60)
        guard let url = found.withLock({ $0 }) else {
            process.terminate()
            throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "gfmd \(arguments[0]) did not say where it listens"])
        }
        self.url = url
    }

    /// The port it listens on.
    var port: Int { url.port ?? 0 }

    /// Kills it with SIGKILL, as a power cut would, and waits until it is gone.
    func kill() {
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Stops it with SIGTERM, and returns its exit status once it stopped gracefully.
    func terminate() -> Int32 {
        process.terminate()
        process.waitUntilExit()
        return process.terminationStatus
    }
}
