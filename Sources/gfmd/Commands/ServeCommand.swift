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
            sync on standard error ($GFMD_LOG_LEVEL, info by default). With --mirror, it \
            syncs with another hub as a secretariat laptop would: at start, soon after a \
            sync brings it changes, and every --mirror-every seconds. The README's \
            "Running the hub" explains TLS, a systemd unit, backups and a standby hub.
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
    @Option(help: ArgumentHelp("Another hub to keep this one in step with (repeatable): both enrolled as secretariat sites.", valueName: "url"))
    var mirror: [String] = []
    @Option(help: ArgumentHelp("How often to sync with --mirror when no change comes sooner, in seconds.", valueName: "seconds"))
    var mirrorEvery = 30
    @Option(name: .customLong("mirror-ca"), help: ArgumentHelp("A PEM file of the authorities that sign the --mirror hubs' TLS certificates.", valueName: "file"))
    var mirrorCA: String?

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port takes 0 to 65535, not \(port)") }
        guard (tlsCertificate == nil) == (tlsKey == nil) else { throw ValidationError("--tls-cert and --tls-key go together") }
        guard (1...4096).contains(bodyLimit) else { throw ValidationError("--body-limit takes 1 to 4096 MiB, not \(bodyLimit)") }
        guard queueLimit >= 1 else { throw ValidationError("--queue-limit takes at least 1") }
        guard (1...86_400).contains(mirrorEvery) else { throw ValidationError("--mirror-every takes 1 to 86400 seconds, not \(mirrorEvery)") }
        for address in mirror {
            guard let url = URL(string: address), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host != nil else {
                throw ValidationError("--mirror takes a hub address such as https://HOST:PORT, not \(address)")
            }
        }
        guard mirrorCA == nil || !mirror.isEmpty else { throw ValidationError("--mirror-ca goes with --mirror") }
    }

    func run() async throws {
        let replica = try replica.open()
        var logger = Logger(label: "gfmd.hub")
        logger.logLevel = ProcessInfo.processInfo.environment["GFMD_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        let tls = tlsCertificate.flatMap { certificate in
            tlsKey.map { (certificate: URL(fileURLWithPath: certificate), key: URL(fileURLWithPath: $0)) }
        }
        var configuration = HubConfiguration(host: host, port: port, tls: tls, bodyLimit: bodyLimit << 20, queueLimit: queueLimit)
        configuration.mirrors = mirror.compactMap(URL.init(string:))
        configuration.mirrorInterval = .seconds(mirrorEvery)
        configuration.mirrorCA = mirrorCA.map { URL(fileURLWithPath: $0) }
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
