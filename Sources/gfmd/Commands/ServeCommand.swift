import ArgumentParser
import Foundation
import GFMDHub
import Logging

/// `gfmd serve`: runs the secretariat's hub over this replica.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the secretariat's hub: laptops sync with it over HTTP(S) (`gfmd sync URL`).",
        discussion: """
            Serves the secretariat's replica until SIGINT or SIGTERM, which stop it \
            gracefully. Each request must be signed by an enrolled, unrevoked laptop; \
            each laptop receives only what its delegation may read. Logs one line per \
            sync on standard error ($GFMD_LOG_LEVEL, info by default). The README's \
            "Running the hub" explains TLS, a systemd unit and backups.
            """)

    @OptionGroup var replica: ReplicaOptions
    @Option(help: "The address to listen on.") var host = "127.0.0.1"
    @Option(help: "The port to listen on (0: any free one).") var port = 8080
    @Option(name: .customLong("tls-cert"), help: ArgumentHelp("A PEM certificate chain, to serve HTTPS.", valueName: "file"))
    var tlsCertificate: String?
    @Option(name: .customLong("tls-key"), help: ArgumentHelp("The PEM private key of --tls-cert.", valueName: "file"))
    var tlsKey: String?
    @Option(help: ArgumentHelp("The largest request body accepted, in MiB.", valueName: "MiB")) var bodyLimit = 64
    @Option(help: ArgumentHelp("How many syncs may wait for the writer before the hub answers 503.", valueName: "n"))
    var queueLimit = 512

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port takes 0 to 65535, not \(port)") }
        guard (tlsCertificate == nil) == (tlsKey == nil) else { throw ValidationError("--tls-cert and --tls-key go together") }
        guard (1...4096).contains(bodyLimit) else { throw ValidationError("--body-limit takes 1 to 4096 MiB, not \(bodyLimit)") }
        guard queueLimit >= 1 else { throw ValidationError("--queue-limit takes at least 1") }
    }

    func run() async throws {
        let replica = try replica.open()
        var logger = Logger(label: "gfmd.hub")
        logger.logLevel = ProcessInfo.processInfo.environment["GFMD_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        let tls = tlsCertificate.flatMap { certificate in
            tlsKey.map { (certificate: URL(fileURLWithPath: certificate), key: URL(fileURLWithPath: $0)) }
        }
        let configuration = HubConfiguration(host: host, port: port, tls: tls, bodyLimit: bodyLimit << 20, queueLimit: queueLimit)
        let hub = HubService(replica: replica, configuration: configuration, logger: logger) { url in
            // Unbuffered, so that a script waiting for this line sees it at once.
            FileHandle.standardOutput.write(Data("Listening on \(url.absoluteString)\n".utf8))
        }
        do {
            try await hub.runUntilSignalled()
        } catch let error as HubStartError {
            throw CommandFailure(error.reason)
        }
    }
}
