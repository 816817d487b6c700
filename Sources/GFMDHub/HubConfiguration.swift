public import Foundation

/// How `gfmd serve` runs: where it listens, with or without TLS, and the
/// limits that keep one hub serving under load and hostile input
/// (`Protocol/http.md`, "Limits").
public struct HubConfiguration: Sendable {
    /// The address to listen on.
    public var host: String
    /// The port; 0 picks a free one (the "Listening on" line names it).
    public var port: Int
    /// The PEM certificate chain and private key for HTTPS; nil for plain HTTP.
    public var tls: (certificate: URL, key: URL)?
    /// The largest request body accepted, in bytes (413 beyond).
    public var bodyLimit: Int
    /// How many syncs may wait for the writer at once (503 with Retry-After beyond).
    public var queueLimit: Int
    /// How long a sync may wait for the writer before the hub answers 503.
    public var queueTimeout: Duration
    /// How long a connection may stay idle, a slow body included, before it is closed.
    public var idleTimeout: Duration
    /// How long a trust snapshot serves before it is read again, so that a
    /// revocation made on the hub's folder takes effect within it.
    public var trustRefresh: Duration
    /// Other hubs to keep this one in step with (`--mirror`, ``HubMirror``).
    public var mirrors: [URL] = []
    /// How often the hub syncs with its mirrors when nothing nudges it sooner.
    public var mirrorInterval: Duration = .seconds(30)
    /// A PEM file of the authorities that sign the mirrors' TLS certificates, instead of the system's.
    public var mirrorCA: URL?

    /// The defaults of `gfmd serve`.
    public init(
        host: String = "127.0.0.1", port: Int = 8080, tls: (certificate: URL, key: URL)? = nil,
        bodyLimit: Int = 64 << 20, queueLimit: Int = 512, queueTimeout: Duration = .seconds(30),
        idleTimeout: Duration = .seconds(60), trustRefresh: Duration = .seconds(2)
    ) {
        self.host = host
        self.port = port
        self.tls = tls
        self.bodyLimit = bodyLimit
        self.queueLimit = queueLimit
        self.queueTimeout = queueTimeout
        self.idleTimeout = idleTimeout
        self.trustRefresh = trustRefresh
    }
}
