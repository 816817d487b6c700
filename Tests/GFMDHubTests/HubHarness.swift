import AsyncHTTPClient
import Foundation
import GFMDCore
import GFMDHub
import GFMDHubClient
import GFMDReplica
import GFMDSync
import GFMDTestSupport
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle

/// A hub served on 127.0.0.1 with an ephemeral port, over the root
/// secretariat replica of a fixture, for tests that talk real HTTP to it.
final class HubHarness: @unchecked Sendable {
    let fixture: ReplicaFixture
    let url: URL
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    /// Starts serving `fixture`'s root with `configuration` (port and trust refresh overridden).
    init(fixture: ReplicaFixture = ReplicaFixture(), configuration: HubConfiguration = HubConfiguration()) async throws {
        self.fixture = fixture
        var configuration = configuration
        configuration.port = 0
        configuration.trustRefresh = .zero
        (url, group, task) = try await Self.serve(fixture.root, configuration: configuration)
    }

    /// Serves `replica` in a service group and returns its URL once it listens.
    static func serve(_ replica: Replica, configuration: HubConfiguration) async throws -> (URL, ServiceGroup, Task<Void, any Error>) {
        let (stream, continuation) = AsyncStream.makeStream(of: URL.self)
        var logger = Logger(label: "gfmd.hub.test")
        logger.logLevel = .warning
        let service = HubService(replica: replica, configuration: configuration, logger: logger) { continuation.yield($0) }
        let group = ServiceGroup(configuration: .init(services: [.init(service: service)], logger: logger))
        let task = Task {
            defer { continuation.finish() }
            try await group.run()
        }
        var listening = stream.makeAsyncIterator()
        guard let url = await listening.next() else {
            _ = try await task.value
            throw CocoaError(.featureUnsupported)
        }
        return (url, group, task)
    }

    /// Stops the server gracefully, as SIGTERM does, and waits until it has.
    func stop() async {
        await Self.stop(group, task)
    }

    static func stop(_ group: ServiceGroup, _ task: Task<Void, any Error>) async {
        await group.triggerGracefulShutdown()
        _ = await task.result
    }

    /// Syncs `replica` with the hub through `gfmd sync`'s client.
    @discardableResult
    func sync(_ replica: Replica, ca: URL? = nil, at url: URL? = nil) async throws -> HubSyncReport {
        let client = try HubClient(url: url ?? self.url, ca: ca)
        let result = await Result(catching: { try await client.sync(replica) })
        try await client.shutdown()
        return try result.get()
    }

    /// What the hub answered to a raw request.
    struct Answer {
        let status: Int
        let headers: HTTPHeaders
        let body: [UInt8]

        /// The JSON error code of a refusal.
        var code: String? {
            (try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])?["error"] as? String
        }
        /// The JSON error message of a refusal.
        var message: String {
            (try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])?["message"] as? String ?? ""
        }
    }

    /// Sends one request with `headers` and `body` as given, to test what the hub refuses.
    func raw(_ method: HTTPMethod = .POST, _ target: String = "/v1/sync", headers: [(String, String)] = [], body: [UInt8]) async throws -> Answer {
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
        let result = await Result(catching: {
            var request = HTTPClientRequest(url: url.absoluteString + target)
            request.method = method
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            request.body = .bytes(body)
            let response = try await client.execute(request, timeout: .seconds(60))
            return Answer(status: Int(response.status.code), headers: response.headers,
                          body: Array(try await response.body.collect(upTo: 1 << 26).readableBytesView))
        })
        try await client.shutdown()
        return try result.get()
    }

    /// `body` pushed with `signer`'s signature (or the `signature` given).
    func signed(_ body: [UInt8], by signer: Replica, target: String = "/v1/sync") async throws -> Answer {
        let signature = try signer.signedRequest(method: "POST", target: target, body: body)
        return try await raw(headers: signature.headers.map { ($0.name, $0.value) }, body: body)
    }
}

extension Result where Failure == any Error {
    /// The result of an async throwing body.
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
