import ArgumentParser
import Foundation
import GFMDReplica
import GFMDWeb

/// `gfmd ui`: this laptop's replica in the browser.
struct UICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ui",
        abstract: "Open this replica in the browser: draft, edit, sync, settle conflicts and submit without the terminal.",
        discussion: """
            Serves this laptop's replica on 127.0.0.1 only, with no network needed (the \
            pages load nothing from elsewhere and run no script), prints the address with a \
            secret for this launch, and opens the system's browser there. Only that browser \
            (the secret becomes a session cookie) can use the pages. Stop it with Ctrl-C; \
            everything saved is in the replica already.
            """)

    @OptionGroup var replica: ReplicaOptions
    @Option(help: ArgumentHelp("The port to listen on (default: a free one).", valueName: "port")) var port = 0
    @Flag(name: .customLong("no-browser"), help: "Print the address without opening a browser.") var noBrowser = false
    @Option(help: ArgumentHelp("A PEM file of the authority that signed the hub's TLS certificate, for the Sync button (default: the system's).",
                               valueName: "file"))
    var ca: String?

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port takes a port number, 0 to 65535 (0: a free one)") }
    }

    func run() async throws {
        let ui = LocalUI(replica: try replica.open(), ca: ca.map { URL(fileURLWithPath: $0) })
        let openBrowser = !noBrowser
        try await ui.run(port: port) { url in
            FileHandle.standardOutput.write(Data("gfmd ui: open \(url.absoluteString)\n(only this computer can; stop with Ctrl-C)\n".utf8))
            if openBrowser { Self.openBrowser(at: url) }
        }
    }

    /// Opens `url` in the system's browser, where the system has a way to (`xdg-open`, `open`).
    private static func openBrowser(at url: URL) {
        #if os(macOS)
        let opener = "/usr/bin/open"
        #else
        let opener = "/usr/bin/xdg-open"
        #endif
        guard FileManager.default.isExecutableFile(atPath: opener) else { return }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: opener)
        process.arguments = [url.absoluteString]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try? process.run()
    }
}
