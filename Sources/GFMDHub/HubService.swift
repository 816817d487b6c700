public import Foundation
public import GFMDReplica
import GFMDSync
import GFMDCore
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
public import Logging
import NIOCore
import NIOSSL
public import ServiceLifecycle
import UnixSignals

/// The secretariat's hub (`gfmd serve`): an HTTP server over the hub's
/// replica, as a swift-service-lifecycle service that stops gracefully when
/// its service group is told to (SIGINT, SIGTERM), finishing the syncs under
/// way. `Protocol/http.md` is its contract.
public struct HubService: Service {
    private let replica: Replica
    private let configuration: HubConfiguration
    private let logger: Logger
    private let onListening: @Sendable (URL) -> Void

    /// A hub serving `replica`; `onListening` is told the URL once it accepts connections.
    public init(replica: Replica, configuration: HubConfiguration, logger: Logger = Logger(label: "gfmd.hub"),
                onListening: @escaping @Sendable (URL) -> Void = { _ in }) {
        self.replica = replica
        self.configuration = configuration
        self.logger = logger
        self.onListening = onListening
    }

    /// Serves until graceful shutdown or cancellation.
    ///
    /// - Throws: ``HubStartError`` when the replica cannot act as the hub
    ///   or the TLS files cannot be read, or the listening error.
    public func run() async throws {
        guard let certificate = try replica.certificate(), certificate.participant == ParticipantCode.secretariat.rawValue else {
            throw HubStartError("this replica cannot be the hub: only an enrolled secretariat replica serves (`gfmd init --secretariat`, or a SEC replica it certified)")
        }
        let responses = HubResponses(replica: replica, certificate: certificate)
        let mirror = configuration.mirrors.isEmpty ? nil : HubMirror(
            replica: replica, targets: configuration.mirrors, ca: configuration.mirrorCA, interval: configuration.mirrorInterval, logger: logger)
        let sync = SyncEndpoint(
            replica: replica, gate: try RequestGate(replica: replica, refresh: configuration.trustRefresh),
            writer: WriterQueue(limit: configuration.queueLimit, timeout: configuration.queueTimeout),
            responses: responses, bodyLimit: configuration.bodyLimit, logger: logger, applied: { mirror?.nudge() })
        let router = Router()
        router.add(middleware: JSONErrorMiddleware(responses: responses))
        router.get("/v1/health") { _, _ in
            responses.response(status: 200, body: Array(#"{"status":"ok"}"#.utf8), contentType: "application/json", nonce: nil)
        }
        router.post(.init(stringLiteral: SyncEndpoint.path)) { request, _ in await sync.handle(request) }
        WebSite(replica: replica, secure: configuration.tls != nil, logger: logger).register(on: router)

        let http1 = HTTPServerBuilder.http1(configuration: .init(idleTimeout: .init(configuration.idleTimeout)))
        let server = try configuration.tls.map { files in
            try HTTPServerBuilder.tls(http1, tlsConfiguration: try Self.tlsConfiguration(certificate: files.certificate, key: files.key))
        } ?? http1
        let scheme = configuration.tls == nil ? "http" : "https"
        let onListening = onListening
        let host = configuration.host
        let app = Application(
            router: router, server: server,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "gfmd"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                onListening(URL(string: "\(scheme)://\(host.contains(":") ? "[\(host)]" : host):\(port)")!)
            },
            logger: logger)
        try await withThrowingDiscardingTaskGroup { group in
            if let mirror { group.addTask { await mirror.run() } }
            try await app.run()
            group.cancelAll()
        }
    }

    /// The server's TLS configuration from a PEM certificate chain and key.
    private static func tlsConfiguration(certificate: URL, key: URL) throws -> TLSConfiguration {
        do {
            let chain = try NIOSSLCertificate.fromPEMFile(certificate.path).map { NIOSSLCertificateSource.certificate($0) }
            return TLSConfiguration.makeServerConfiguration(
                certificateChain: chain, privateKey: .privateKey(try NIOSSLPrivateKey(file: key.path, format: .pem)))
        } catch {
            throw HubStartError("cannot read the TLS certificate \(certificate.path) or key \(key.path) (PEM files expected): \(error)")
        }
    }
}

/// Why the hub cannot start.
public struct HubStartError: Error, CustomStringConvertible {
    /// What is wrong.
    public let reason: String
    init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

extension HubService {
    /// Serves until SIGINT or SIGTERM, then stops gracefully: connections
    /// stop being accepted and the syncs under way finish.
    public func runUntilSignalled() async throws {
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: self)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
