import Foundation
import Synchronization

/// `gfmd serve` running in its own process, as the secretariat runs it.
final class HubProcess: @unchecked Sendable {
    let process = Process()
    /// Its URL, from the "Listening on" line.
    let url: URL

    /// Starts `gfmd serve --replica replica --port port` and waits until it listens.
    init(replica: String, port: Int = 0, in directory: URL) throws {
        process.executableURL = CLI.binary
        process.arguments = ["serve", "--replica", replica, "--port", String(port)]
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
                if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("Listening on ") }) {
                    found.withLock { $0 = URL(string: String(line.dropFirst("Listening on ".count))) }
                    listening.signal()
                    return
                }
            }
            listening.signal()
        }
        _ = listening.wait(timeout: .now() + 60)
        guard let url = found.withLock({ $0 }) else {
            process.terminate()
            throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "gfmd serve did not say where it listens"])
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
