import AsyncHTTPClient
public import Foundation
public import GFMDCore
public import GFMDReplica
import GFMDSync
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL

/// The client side of `gfmd sync URL`: exchanges bundles with the
/// secretariat's hub over HTTP(S), driving ``HubSyncRounds``
/// (`Protocol/http.md`, "One sync").
public final class HubClient: Sendable {
    /// The largest answer read from the hub.
    public static let answerLimit = 512 << 20

    private let endpoint: String
    private let http: HTTPClient
    private let timeout: Duration

    /// A client of the hub at `url`.
    ///
    /// - Parameters:
    ///   - ca: a PEM file of the certificate authorities that sign the hub's
    ///     TLS certificate, instead of the system's.
    ///   - connections: connections kept open to the hub at most.
    ///   - timeout: how long one request may take, upload and answer included.
    ///   - connectTimeout: how long connecting may take, TLS handshake included
    ///     (a certificate that is not trusted fails only then).
    public init(url: URL, ca: URL? = nil, connections: Int = 2, timeout: Duration = .seconds(300),
                connectTimeout: Duration = .seconds(10)) throws {
        guard let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https", url.host != nil else {
            throw HubSyncError("\(url.absoluteString) is not a hub address: give http://HOST:PORT or https://HOST:PORT")
        }
        var configuration = HTTPClient.Configuration()
        if let ca {
            var tls = TLSConfiguration.makeClientConfiguration()
            do {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(ca.path))
            } catch {
                throw HubSyncError("cannot read the certificate authority file \(ca.path) (a PEM file expected): \(error)")
            }
            configuration.tlsConfiguration = tls
        }
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: connections)
        // A connection that fails fails the round at once: HubSyncRounds decides
        // the retries, not the pool, which would retry unseen until connectTimeout.
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout = .init(connect: .init(connectTimeout))
        self.http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        self.endpoint = url.absoluteString.hasSuffix("/") ? String(url.absoluteString.dropLast()) : url.absoluteString
        self.timeout = timeout
    }

    /// Closes the connections; call once done.
    public func shutdown() async throws {
        try await http.shutdown()
    }

    /// Pushes what the hub lacks and applies what it answers, in rounds,
    /// until the hub lacks nothing of `replica`'s and `replica` nothing the
    /// hub holds for it (``HubSyncRounds``).
    ///
    /// - Parameters:
    ///   - attempts: how many times in a row a round is tried while the hub
    ///     cannot be reached (fewer when a standby's address comes next).
    ///   - patience: how long, in milliseconds, a round may wait in all while
    ///     the hub says it is busy (``HubSyncRounds/patience``).
    ///   - progress: told of each round.
    ///   - waiting: told of each wait before a round is tried again (the
    ///     hub busy or out of reach), so that a user knows the sync goes on.
    /// - Throws: ``HubSyncError`` when the hub refuses the sync, cannot be
    ///   reached after the retries, or is not the secretariat's hub.
    public func sync(_ replica: Replica, attempts: Int = 6, patience: Int = 600_000, progress: @Sendable (String) -> Void = { _ in },
                     waiting: @Sendable (String) -> Void = { _ in }) async throws -> HubSyncReport {
        var rounds = HubSyncRounds(maxAttempts: attempts, patience: patience)
        var action = rounds.first
        var hub: Certificate?
        // Each push is planned for the hub's site alone: what other sites of
        // the secretariat (the root replica) hold does not matter here.
        var hubSite = try replica.knownHub(at: endpoint)
        var copyNotice: CopyNotice?
        while true {
            switch action {
            case .push(let round):
                let push: PeerBundle
                let answer: Answer
                let outcome: BundleApplyOutcome
                var attempted = 0
                do {
                    // Plain: TLS covers transit (README, "Running the hub").
                    let budget = rounds.budget
                    push = try Self.waitingForLock { try replica.createBundle(for: .secretariat, site: hubSite, sealed: false, budget: budget) }
                    attempted = push.changeCount
                    answer = try await exchange(push.bytes, replica: replica)
                    outcome = try Self.waitingForLock { try applyAnswer(answer, replica: replica) }
                } catch let failure as Failure where failure.limit != nil {
                    action = rounds.tooLarge(limit: failure.limit!, pushed: attempted)
                    if case .push = action { waiting("round \(round): the hub takes at most \(failure.limit! >> 10) KiB in one request; pushing in parts") }
                    continue
                } catch let failure as Failure {
                    action = rounds.failed(failure.reason, passing: failure.passing, busy: failure.busy, retryAfter: failure.retryAfter,
                                           jitter: Double.random(in: 0..<1))
                    if case .fail(let reason) = action, failure.passing { throw HubSyncError(reason, unanswered: true) }
                    if case .wait(let milliseconds) = action {
                        let seconds = (Double(milliseconds) / 100).rounded() / 10
                        let patience = failure.busy ? ", for up to \(max(1, rounds.patienceLeft / 60_000)) min more" : ""
                        waiting("round \(round): \(failure.reason); trying again in \(seconds) s\(patience)")
                    }
                    continue
                }
                hub = answer.hub
                copyNotice = copyNotice ?? outcome.copyNotice
                if hubSite != answer.hub.site {
                    hubSite = answer.hub.site
                    try replica.remember(hub: answer.hub.site, at: endpoint)
                }
                let new = outcome.report.applied + outcome.report.releasedFromPending
                let lacks = try replica.lacking(site: answer.hub.site, of: .secretariat)
                let waiting = try replica.pending().count
                progress("round \(round): pushed \(push.changeCount), received \(outcome.changeCount) (\(new) new)")
                action = rounds.answered(pushed: push.changeCount, new: new, hubLacks: lacks, waiting: waiting, cut: push.cut)
            case .wait(let milliseconds):
                try await Task.sleep(for: .milliseconds(milliseconds))
                action = .push(round: rounds.nextRound)
            case .done:
                try replica.noteHubAnswered(at: endpoint)
                return HubSyncReport(rounds: rounds.rounds, sent: rounds.sent, received: rounds.received, hub: hub!, copyNotice: copyNotice)
            case .fail(let reason):
                throw HubSyncError(reason, unfinished: rounds.rounds >= rounds.maxRounds)
            }
        }
    }

    /// The hub's answer to one push, its signature checked.
    private struct Answer {
        let body: [UInt8]
        let hub: Certificate
    }

    /// Why a round failed, and whether trying again may succeed.
    private struct Failure: Error {
        let reason: String
        let passing: Bool
        /// The hub (or a proxy before it) answered 503: busy, worth waiting for.
        var busy = false
        var retryAfter: Int?
        /// The hub refused the push as larger than this many bytes.
        var limit: Int?
    }

    /// One `POST /v1/sync`: the signed push, and the answer once its
    /// signature proves it comes from this replica's secretariat and answers this request.
    private func exchange(_ push: [UInt8], replica: Replica) async throws -> Answer {
        let target = "/v1/sync"
        let signed = try replica.signedRequest(method: "POST", target: target, body: push)
        var request = HTTPClientRequest(url: endpoint + target)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/vnd.gfmd.bundle")
        for (name, value) in signed.headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(push)
        let status: Int
        let headers: [String: String]
        let body: [UInt8]
        do {
            let response = try await http.execute(request, timeout: .init(timeout))
            status = Int(response.status.code)
            headers = Dictionary(response.headers.map { ($0.name.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
            body = Array(try await response.body.collect(upTo: Self.answerLimit).readableBytesView)
        } catch let error as NIOSSLError {
            // Retrying does not make a certificate trusted.
            throw Failure(reason: "the TLS connection to \(endpoint) failed (\(error)): is the hub's certificate signed by an authority this computer trusts? (give it with --ca FILE)", passing: false)
        } catch {
            throw Failure(reason: "cannot reach the hub at \(endpoint): \(error)", passing: true)
        }
        let retryAfter = headers["retry-after"].flatMap(Int.init)
        let answer: SignedResponse
        do {
            answer = try SignedResponse { headers[$0.lowercased()] }
        } catch {
            // An unsigned error may come from a proxy in front of the hub: retry those that pass.
            guard status >= 500 else { throw HubSyncError("\(endpoint) is not a gfmd hub, or not this secretariat's: \(error.reason)") }
            throw Failure(reason: "the hub answered \(status)", passing: true, busy: status == 503, retryAfter: retryAfter)
        }
        guard let snapshot = try replica.trustSnapshot() else {
            throw HubSyncError("this replica is not enrolled yet: enrol it (`gfmd enroll`) before syncing")
        }
        let hub = try answer.verify(
            status: status, nonce: signed.nonce, bodyDigest: Hash256.of(body), root: snapshot.root, trust: snapshot.trust,
            now: HybridTimestamp(milliseconds: replica.nowMilliseconds, counter: 0)
        ).mapError { HubSyncError("\(endpoint) is not this secretariat's hub: \($0.reason)") }.get()
        guard status == 200 else {
            let refusal = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]
            let code = refusal?["error"] as? String
            let reason = "the hub refused the sync (\(status) \(code ?? "error")): \(refusal?["message"] as? String ?? "no reason given")"
            throw Failure(reason: reason, passing: status >= 500, busy: status == 503, retryAfter: retryAfter,
                          limit: code == "too_large" ? refusal?["limit"] as? Int : nil)
        }
        return Answer(body: body, hub: hub)
    }

    /// Applies the hub's answer, which its site must have signed.
    private func applyAnswer(_ answer: Answer, replica: Replica) throws -> BundleApplyOutcome {
        do {
            return try replica.applyBundle(answer.body, fileName: "sync with \(endpoint)", sender: answer.hub.siteKey)
        } catch let error as StoreError where error.code == .locked {
            throw error
        } catch {
            throw HubSyncError("the hub's answer was refused, and nothing of it applied: \(error)", cause: error)
        }
    }

    /// `body`, a replica that another process keeps locked being a reason
    /// to wait and try the round again, like a busy hub, not a failure.
    private static func waitingForLock<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as StoreError where error.code == .locked {
            throw Failure(reason: "this replica is busy: another gfmd process is writing to it", passing: true, busy: true)
        }
    }
}

/// What one `gfmd sync` did.
public struct HubSyncReport: Sendable {
    /// Rounds answered.
    public let rounds: Int
    /// Changes pushed to the hub.
    public let sent: Int
    /// Changes received that this replica did not hold.
    public let received: Int
    /// The hub's certificate.
    public let hub: Certificate
    /// The proof, first brought by this sync, that this replica's site is in
    /// use on another computer too; nil otherwise.
    public let copyNotice: CopyNotice?
}

/// Why a sync with the hub failed.
public struct HubSyncError: Error, CustomStringConvertible {
    /// What went wrong.
    public let reason: String
    /// Whether the hub did not answer (out of reach, or busy) for all the
    /// tries, rather than refusing: another hub's address is worth a try.
    public let unanswered: Bool
    /// The error behind it, with its own code, when there is one (the
    /// replica's refusal of the hub's answer).
    public let cause: (any Error)?
    /// Whether the hub answered every round but the rounds ran out with
    /// changes still to exchange (new ones kept arriving): a later sync goes on.
    public let unfinished: Bool
    init(_ reason: String, unanswered: Bool = false, cause: (any Error)? = nil, unfinished: Bool = false) {
        self.reason = reason
        self.unanswered = unanswered
        self.cause = cause
        self.unfinished = unfinished
    }
    public var description: String { reason }
}
